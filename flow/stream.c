/* flow/stream.c: TCP reassembly (flow/stream.h).
 *
 * Sequence numbers compare as RFC 1982 serial numbers: all arithmetic is
 * on uint32_t distances from the direction's next_seq, which stay below
 * 2^31 for anything kept (a segment further ahead is not queued). */
#include "flow/stream.h"

#include <string.h>

#define SD_INIT  0x01u      /* next_seq is valid */
#define SD_OFF   0x02u      /* not reassembled (stopped or never started) */
#define SD_FIN   0x04u      /* fin_seq is valid */
#define SD_EOF   0x08u      /* APPL_EOF delivered: nothing more */
#define SD_GAP   0x10u      /* the next delivery carries APPL_GAP */

#define TH_FIN 0x01u
#define TH_SYN 0x02u
#define TH_RST 0x04u
#define TH_ACK 0x10u

/* Furthest ahead of next_seq a segment is queued: beyond it, it is junk
 * or from another incarnation of the connection. */
#define STREAM_WINDOW_MAX (1u << 30)

struct stream_seg {
    struct stream_seg *next;
    uint32_t seq, len, size;        /* size: the mempool block's */
    uint8_t data[];
};

static const char *const stream_stat_names[SS_MAX] = {
#define STREAM_STAT_NAME(id, name) [SS_##id] = name,
    STREAM_STATS(STREAM_STAT_NAME)
#undef STREAM_STAT_NAME
};

static const char *const stream_event_names[SE_MAX] = {
#define STREAM_EV_NAME(id, name) [SE_##id] = name,
    STREAM_EVENTS(STREAM_EV_NAME)
#undef STREAM_EV_NAME
};

const char *stream_stat_name(unsigned s)
{
    return s < SS_MAX ? stream_stat_names[s] : "unknown";
}

const char *stream_event_name(unsigned e)
{
    return e < SE_MAX ? stream_event_names[e] : "unknown";
}

void stream_config_defaults(struct stream_config *cfg)
{
    cfg->depth = 1u << 20;          /* Suricata's stream.reassembly.depth: 1mb */
    cfg->max_segs = 1024;
    cfg->midstream = false;         /* Suricata's stream.midstream default */
}

static inline int32_t seq_diff(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b);
}

static void stream_ev(struct stream_ctx *sc, int dir, enum stream_event ev)
{
    if (sc->event)
        sc->event(sc->cb_ctx, dir, ev);
}

static void sd_free_pending(struct stream_ctx *sc, struct stream_dir *sd)
{
    if (sd->pend)
        mempool_free(sc->mp, sd->pend, sd->pend_cap);
    sd->pend = NULL;
    sd->pend_len = sd->pend_cap = 0;
}

static void sd_free_segs(struct stream_ctx *sc, struct stream_dir *sd)
{
    struct stream_seg *g = sd->segs;
    while (g) {
        struct stream_seg *nx = g->next;
        mempool_free(sc->mp, g, g->size);
        g = nx;
    }
    sd->segs = NULL;
    sd->nsegs = 0;
}

/* The unconsumed bytes were lost: the next delivery says so. */
static void sd_drop_pending(struct stream_ctx *sc, struct stream_dir *sd, enum stream_stat why)
{
    sc->stats[why]++;
    sd->pend_len = 0;
    sd->flags |= SD_GAP;
    sd->gap = 0;                    /* how much the parser missed: unknown */
}

/* Room for need pending bytes; false (nothing changed) at the memcap. */
static bool sd_reserve(struct stream_ctx *sc, struct stream_dir *sd, size_t need)
{
    if (need <= sd->pend_cap)
        return true;
    size_t got;
    uint8_t *nb = mempool_alloc(sc->mp, need, &got);
    if (!nb)
        return false;
    if (sd->pend_len)
        memcpy(nb, sd->pend, sd->pend_len);
    if (sd->pend)
        mempool_free(sc->mp, sd->pend, sd->pend_cap);
    sd->pend = nb;
    sd->pend_cap = (uint32_t)got;
    return true;
}

static unsigned sd_take_flags(struct stream_dir *sd, uint64_t *gap)
{
    unsigned fl = (sd->flags & SD_GAP) ? APPL_GAP : 0;
    *gap = fl ? sd->gap : 0;
    sd->flags &= ~SD_GAP;
    sd->gap = 0;
    return fl;
}

/* What the callback left of a direct delivery is kept for the next one. */
static void sd_keep(struct stream_ctx *sc, struct stream_dir *sd, const uint8_t *p, size_t n)
{
    if (n == 0)
        return;
    if (n > APPL_PENDING_MAX) {
        sd_drop_pending(sc, sd, SS_PENDING_DROP);
        return;
    }
    if (!sd_reserve(sc, sd, n)) {
        sd_drop_pending(sc, sd, SS_MEMCAP);
        return;
    }
    memcpy(sd->pend, p, n);
    sd->pend_len = (uint32_t)n;
}

/* In-order bytes to the callback, after what it left last time. */
static void sd_feed(struct stream_ctx *sc, struct stream_dir *sd, int dir, const uint8_t *p,
                    size_t n)
{
    while (n > 0) {
        if (sd->pend_len == 0) {
            uint64_t gap;
            unsigned fl = sd_take_flags(sd, &gap);
            size_t used = sc->deliver(sc->cb_ctx, dir, p, n, fl, gap);
            if (used > n)
                used = n;
            sd_keep(sc, sd, p + used, n - used);
            if (sd->pend_len == 0)
                sd_free_pending(sc, sd);
            return;
        }
        size_t room = APPL_PENDING_MAX - sd->pend_len;
        size_t take = n < room ? n : room;
        if (!sd_reserve(sc, sd, sd->pend_len + take)) {
            sd_drop_pending(sc, sd, SS_MEMCAP);
            continue;               /* the rest goes direct, after a gap */
        }
        memcpy(sd->pend + sd->pend_len, p, take);
        sd->pend_len += (uint32_t)take;
        p += take;
        n -= take;
        uint64_t gap;
        unsigned fl = sd_take_flags(sd, &gap);
        size_t used = sc->deliver(sc->cb_ctx, dir, sd->pend, sd->pend_len, fl, gap);
        if (used > sd->pend_len)
            used = sd->pend_len;
        sd->pend_len -= (uint32_t)used;
        if (sd->pend_len && used)
            memmove(sd->pend, sd->pend + used, sd->pend_len);
        if (sd->pend_len >= APPL_PENDING_MAX)
            sd_drop_pending(sc, sd, SS_PENDING_DROP);
    }
    if (sd->pend_len == 0)
        sd_free_pending(sc, sd);
}

static void sd_eof(struct stream_ctx *sc, struct stream_dir *sd, int dir)
{
    if (sd->flags & (SD_EOF | SD_OFF))
        return;
    sd->flags |= SD_EOF;
    uint64_t gap;
    unsigned fl = sd_take_flags(sd, &gap);
    (void)sc->deliver(sc->cb_ctx, dir, sd->pend ? sd->pend : (const uint8_t *)"", sd->pend_len,
                      fl | APPL_EOF, gap);
    sd_free_pending(sc, sd);
    sd_free_segs(sc, sd);
}

/* n bytes at next_seq: delivered up to the depth; next_seq moves on. */
static void sd_give(struct stream_ctx *sc, struct stream_dir *sd, int dir, const uint8_t *p,
                    size_t n)
{
    sd->next_seq += (uint32_t)n;
    if (sd->flags & (SD_EOF | SD_OFF))
        return;
    bool depth = false;
    if (sc->cfg.depth) {
        uint64_t room = sc->cfg.depth > sd->delivered ? sc->cfg.depth - sd->delivered : 0;
        if (n > room) {
            n = (size_t)room;
            depth = true;
        }
    }
    if (n) {
        sd->delivered += n;
        sd_feed(sc, sd, dir, p, n);
    }
    if (depth) {
        sc->stats[SS_DEPTH]++;
        stream_ev(sc, dir, SE_DEPTH);
        sd_eof(sc, sd, dir);
    }
}

/* Queued segments that now start at or before next_seq. */
static void sd_drain(struct stream_ctx *sc, struct stream_dir *sd, int dir)
{
    struct stream_seg *g;
    while ((g = sd->segs) != NULL && seq_diff(g->seq, sd->next_seq) <= 0) {
        sd->segs = g->next;
        sd->nsegs--;
        uint32_t skip = sd->next_seq - g->seq;
        if (skip < g->len)
            sd_give(sc, sd, dir, g->data + skip, g->len - skip);
        mempool_free(sc->mp, g, g->size);
    }
}

/* Skips the hole before the first queued segment and delivers on. */
static void sd_gap(struct stream_ctx *sc, struct stream_dir *sd, int dir)
{
    if (!sd->segs)
        return;
    sc->stats[SS_GAP]++;
    stream_ev(sc, dir, SE_SEQ_GAP);
    /* the parser learns how many bytes it missed, unless that is not known:
     * pending bytes it had seen are dropped too, or an earlier loss of
     * unknown size is still to be reported */
    bool unknown = sd->pend_len || ((sd->flags & SD_GAP) && sd->gap == 0);
    sd->pend_len = 0;
    sd->gap = unknown ? 0 : sd->gap + (sd->segs->seq - sd->next_seq);
    sd->flags |= SD_GAP;
    sd->next_seq = sd->segs->seq;
    sd_drain(sc, sd, dir);
}

static void sd_flush(struct stream_ctx *sc, struct stream_dir *sd, int dir)
{
    while (sd->segs)
        sd_gap(sc, sd, dir);
}

/* Copies [seq, seq + n) into the queue where nothing is queued yet
 * ("first" wins); overlaps are compared.  False at a limit. */
static bool sd_queue(struct stream_ctx *sc, struct stream_dir *sd, int dir, uint32_t seq,
                     const uint8_t *p, uint32_t n)
{
    uint32_t base = sd->next_seq;
    uint32_t a = seq - base, b = a + n, a0 = a;
    struct stream_seg **link = &sd->segs, *cur = sd->segs;
    bool diff = false;
    while (a < b) {
        while (cur && (cur->seq - base) + cur->len <= a) {
            link = &cur->next;
            cur = cur->next;
        }
        uint32_t cs = cur ? cur->seq - base : UINT32_MAX;
        if (cs > a) {
            uint32_t e = b < cs ? b : cs;
            if (sd->nsegs >= sc->cfg.max_segs)
                return false;
            size_t got;
            struct stream_seg *g = mempool_alloc(sc->mp, sizeof(*g) + (e - a), &got);
            if (!g) {
                sc->stats[SS_MEMCAP]++;
                stream_ev(sc, dir, SE_MEMCAP);
                return false;
            }
            g->seq = base + a;
            g->len = e - a;
            g->size = (uint32_t)got;
            memcpy(g->data, p + (a - a0), e - a);
            g->next = cur;
            *link = g;
            link = &g->next;
            sd->nsegs++;
            a = e;
        } else {
            uint32_t ce = cs + cur->len, e = b < ce ? b : ce;
            sc->stats[SS_OVERLAP]++;
            if (memcmp(p + (a - a0), cur->data + (a - cs), e - a) != 0)
                diff = true;
            a = e;
        }
    }
    if (diff) {
        sc->stats[SS_OVERLAP_DIFF]++;
        stream_ev(sc, dir, SE_OVERLAP_DIFF);
    }
    return true;
}

/* Payload at seq for an active direction. */
static void sd_data(struct stream_ctx *sc, struct stream_dir *sd, int dir, uint32_t seq,
                    const uint8_t *p, uint32_t n)
{
    int32_t ahead = seq_diff(seq, sd->next_seq);
    /* exactly 2^31 away is neither ahead nor behind (RFC 1982 leaves it
     * undefined): it used to fall through to the in-order path and be
     * delivered as the next bytes (found by tests/fuzz/fuzz_stream) */
    if (unlikely(ahead == INT32_MIN))
        return;
    if (ahead > 0) {
        if ((uint32_t)ahead >= STREAM_WINDOW_MAX)
            return;
        sc->stats[SS_OOO]++;
        if (sd_queue(sc, sd, dir, seq, p, n))
            return;
        /* at a limit: give up waiting for the hole and try once more */
        sd_flush(sc, sd, dir);
        if (sd->flags & (SD_EOF | SD_OFF))
            return;
        ahead = seq_diff(seq, sd->next_seq);
        if (ahead > 0 && !sd_queue(sc, sd, dir, seq, p, n)) {
            sc->stats[SS_OFF]++;
            sd_eof(sc, sd, dir);
            sd->flags |= SD_OFF;
            return;
        }
        if (ahead > 0)
            return;
    }
    while (n > 0 && !(sd->flags & (SD_EOF | SD_OFF))) {
        int32_t behind = seq_diff(sd->next_seq, seq);
        if (behind > 0) {           /* already delivered: first wins */
            if ((uint32_t)behind >= n)
                return;
            p += behind;
            n -= (uint32_t)behind;
            seq = sd->next_seq;
        }
        uint32_t chunk = n;
        struct stream_seg *g = sd->segs;
        if (g) {
            uint32_t r = g->seq - sd->next_seq;
            if (r < chunk)
                chunk = r;
            if (r == 0) {           /* queued bytes here win; compare */
                uint32_t m = n < g->len ? n : g->len;
                sc->stats[SS_OVERLAP]++;
                if (memcmp(p, g->data, m) != 0) {
                    sc->stats[SS_OVERLAP_DIFF]++;
                    stream_ev(sc, dir, SE_OVERLAP_DIFF);
                }
            }
        }
        if (chunk) {
            sd_give(sc, sd, dir, p, chunk);
            p += chunk;
            n -= chunk;
            seq += chunk;
        }
        sd_drain(sc, sd, dir);
    }
}

void stream_packet(struct stream_ctx *sc, struct stream *s, int dir, const struct ns_decoded *d)
{
    struct stream_dir *sd = &s->d[dir], *od = &s->d[!dir];
    uint8_t fl = d->tcp_flags;
    sc->stats[SS_SEGMENTS]++;

    /* the peer acknowledged past a hole we hold data after: the hole's
     * bytes were lost from the capture */
    if ((fl & TH_ACK) && od->segs && !(od->flags & (SD_OFF | SD_EOF)) &&
        seq_diff(d->tcp_ack, od->segs->seq) >= 0)
        sd_gap(sc, od, !dir);

    if (!(sd->flags & SD_INIT)) {
        if (fl & TH_SYN) {
            sd->next_seq = d->tcp_seq + 1;
            sd->flags |= SD_INIT;
            return;
        }
        if (d->payload_len == 0)
            return;                 /* wait for data before deciding */
        sd->flags |= SD_INIT;
        if (sc->cfg.midstream) {
            sc->stats[SS_MIDSTREAM]++;
            sd->next_seq = d->tcp_seq;
        } else {
            sc->stats[SS_NO_SYN]++;
            sd->flags |= SD_OFF;
            return;
        }
    }
    if (sd->flags & (SD_OFF | SD_EOF))
        return;
    if (fl & TH_SYN)
        return;                     /* a retransmitted SYN */
    if (d->payload_len)
        sd_data(sc, sd, dir, d->tcp_seq, d->payload, d->payload_len);
    if (fl & TH_FIN) {
        sd->flags |= SD_FIN;
        sd->fin_seq = d->tcp_seq + d->payload_len;
    }
    if ((sd->flags & SD_FIN) && seq_diff(sd->next_seq, sd->fin_seq) >= 0)
        sd_eof(sc, sd, dir);
    if (fl & TH_RST) {
        for (int i = 0; i < 2; i++) {
            struct stream_dir *x = &s->d[i];
            if ((x->flags & SD_INIT) && !(x->flags & (SD_OFF | SD_EOF))) {
                sd_flush(sc, x, i);
                sd_eof(sc, x, i);
            }
        }
    }
}

void stream_stop(struct stream_ctx *sc, struct stream *s, int dir)
{
    struct stream_dir *sd = &s->d[dir];
    sd_free_segs(sc, sd);
    sd_free_pending(sc, sd);
    sd->flags |= SD_INIT | SD_OFF;
}

bool stream_active(const struct stream *s, int dir)
{
    uint8_t f = s->d[dir].flags;
    return (f & SD_INIT) && !(f & (SD_OFF | SD_EOF));
}

void stream_end(struct stream_ctx *sc, struct stream *s)
{
    for (int i = 0; i < 2; i++) {
        struct stream_dir *sd = &s->d[i];
        if ((sd->flags & SD_INIT) && !(sd->flags & (SD_OFF | SD_EOF))) {
            sd_flush(sc, sd, i);
            sd_eof(sc, sd, i);
        }
        sd_free_segs(sc, sd);
        sd_free_pending(sc, sd);
    }
}
