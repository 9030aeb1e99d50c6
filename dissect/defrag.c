/* dissect/defrag.c: IPv4 and IPv6 fragment reassembly for one worker.
 *
 * Everything is allocated by dissect_defrag_create: a pool of trackers (one
 * per datagram in progress) found through a hash table, fragment data kept
 * in fixed 512-byte chunks (their number is the memory cap), one piece
 * descriptor per chunk at most, and the buffer a completed datagram is
 * rebuilt in.  No allocation, no lock, no log afterwards.
 *
 * Policy:
 *  - Overlaps keep the data that arrived first (what BSD-derived stacks
 *    roughly do): only the parts of a new fragment that fill holes are
 *    stored, and ipv4/ipv6.frag_overlap is raised.  So the pieces of a
 *    tracker never overlap and stay sorted by offset.
 *  - The end of the datagram is set by the first fragment without MF; a
 *    later, different end is an overlap, and data past the end is ignored.
 *  - A datagram longer than 65535 bytes (IPv4 total length, IPv6 payload
 *    length) is malformed: frag_pkt_too_large, the fragment is invalid.
 *  - Limits: when every tracker is taken, or the fragment data does not fit
 *    the chunks left, expired trackers are freed first (DEFRAG_TIMEOUTS),
 *    then the oldest datagrams still waiting are given up to make room
 *    (DEFRAG_EVICTED, one per tracker): under a flood of fragment trains
 *    that never complete, new datagrams still get reassembled, as
 *    Suricata's defrag reuses its oldest trackers.  A fragment that cannot
 *    fit even then (its own datagram holds the rest of the memory) is
 *    dropped with frag_ignored and DEFRAG_MEMCAP; too many pieces for one
 *    datagram count DEFRAG_MAX_FRAG_HITS, and the whole datagram is given
 *    up (it can never complete).
 *  - Memory: dissect_defrag_mem() is what the pool takes, all of it
 *    (trackers, hash, piece descriptors, chunks, the rebuild buffer), so
 *    the memory budget (engine/mem_budget.h) can count it honestly.
 *  - A tracker lives defrag_timeout_s of packet time from its first
 *    fragment.  Expired ones are freed by dissect_expire, when met again by
 *    a lookup, or when their slot or memory is needed; each counts once in
 *    DEFRAG_TIMEOUTS.
 *  - A completed datagram is rebuilt from the first fragment's header (the
 *    IPv6 unfragmentable part, with the Fragment header left out) plus the
 *    data, and decoded by ip.c as if it had arrived whole. */
#include "dissect/dissect_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define DEFRAG_CHUNK_SHIFT 9
#define DEFRAG_CHUNK       (1u << DEFRAG_CHUNK_SHIFT)
#define DEFRAG_NONE        UINT32_MAX
#define DEFRAG_MAX_TRACKERS (1u << 24)
#define DEFRAG_IP_MAX      65535u
/* IPv6: 40-byte header plus a payload of at most 65535 */
#define DEFRAG_BUF_SIZE    (40u + DEFRAG_IP_MAX)

struct defrag_piece {
    uint32_t off, len;      /* bytes of the fragmentable part */
    uint32_t chunk;         /* first chunk of the data */
    uint32_t next;          /* next piece by offset, or next free */
};

struct defrag_tracker {
    struct dissect_defrag_key key;
    uint64_t expire_us;
    uint32_t hnext;         /* hash chain */
    uint32_t aprev, anext;  /* age list, oldest first; anext links the free list */
    uint32_t pieces;        /* first piece by offset */
    uint32_t npieces;
    uint32_t hdr_chunk;     /* header of the offset-0 fragment, or NONE */
    uint32_t hdr_len;
    uint32_t nh_off;        /* IPv6: next-header byte to patch in the header */
    uint32_t end;           /* data length, once seen_last */
    uint8_t  nh;            /* IPv6: the Fragment header's next header */
    bool     seen_last;
};

struct dissect_defrag {
    struct defrag_tracker *trk;
    uint32_t ntrk;
    uint32_t trk_free;
    uint32_t age_head, age_tail;
    uint32_t *bucket;
    uint32_t bucket_mask;
    uint32_t seed;

    struct defrag_piece *piece;
    uint32_t piece_free;

    uint8_t *chunk;
    uint32_t *chunk_next;
    uint32_t nchunks;
    uint32_t chunk_free;
    uint32_t chunks_avail;

    uint32_t max_pieces;
    uint64_t timeout_us;
    uint8_t *buf;           /* DEFRAG_BUF_SIZE */
};

/* ------------------------------------------------------------------ */
/* Chunk chains */

static inline uint32_t chunks_for(uint32_t len)
{
    return len ? (len + DEFRAG_CHUNK - 1) >> DEFRAG_CHUNK_SHIFT : 1;
}

/* The caller has checked chunks_for(len) <= chunks_avail. */
static uint32_t chain_store(struct dissect_defrag *d, const uint8_t *src, uint32_t len)
{
    uint32_t n = chunks_for(len);
    uint32_t head = d->chunk_free, c = head, last = head;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t take = len < DEFRAG_CHUNK ? len : DEFRAG_CHUNK;
        if (take)
            memcpy(d->chunk + ((size_t)c << DEFRAG_CHUNK_SHIFT), src, take);
        src += take;
        len -= take;
        last = c;
        c = d->chunk_next[c];
    }
    d->chunk_free = c;
    d->chunk_next[last] = DEFRAG_NONE;
    d->chunks_avail -= n;
    return head;
}

static void chain_load(const struct dissect_defrag *d, uint32_t c, uint8_t *dst, uint32_t len)
{
    while (len && c != DEFRAG_NONE) {
        uint32_t take = len < DEFRAG_CHUNK ? len : DEFRAG_CHUNK;
        memcpy(dst, d->chunk + ((size_t)c << DEFRAG_CHUNK_SHIFT), take);
        dst += take;
        len -= take;
        c = d->chunk_next[c];
    }
}

static void chain_free(struct dissect_defrag *d, uint32_t c)
{
    if (c == DEFRAG_NONE)
        return;
    uint32_t head = c, n = 1;
    while (d->chunk_next[c] != DEFRAG_NONE) {
        c = d->chunk_next[c];
        n++;
    }
    d->chunk_next[c] = d->chunk_free;
    d->chunk_free = head;
    d->chunks_avail += n;
}

/* ------------------------------------------------------------------ */
/* Trackers */

static uint32_t key_hash(const struct dissect_defrag *d, const struct dissect_defrag_key *k)
{
    const uint8_t *b = (const uint8_t *)k;
    uint32_t h = d->seed;
    for (size_t i = 0; i < sizeof(*k); i += 4) {
        uint32_t w = ns_load_le32(b + i) * 0xcc9e2d51u;
        w = (w << 15) | (w >> 17);
        h ^= w * 0x1b873593u;
        h = ((h << 13) | (h >> 19)) * 5 + 0xe6546b64u;
    }
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    return h;
}

static void tracker_free(struct dissect_defrag *d, uint32_t t)
{
    struct defrag_tracker *T = &d->trk[t];

    /* hash chain */
    uint32_t *pp = &d->bucket[key_hash(d, &T->key) & d->bucket_mask];
    while (*pp != t)
        pp = &d->trk[*pp].hnext;
    *pp = T->hnext;

    /* age list */
    if (T->aprev != DEFRAG_NONE)
        d->trk[T->aprev].anext = T->anext;
    else
        d->age_head = T->anext;
    if (T->anext != DEFRAG_NONE)
        d->trk[T->anext].aprev = T->aprev;
    else
        d->age_tail = T->aprev;

    for (uint32_t p = T->pieces; p != DEFRAG_NONE;) {
        uint32_t next = d->piece[p].next;
        chain_free(d, d->piece[p].chunk);
        d->piece[p].next = d->piece_free;
        d->piece_free = p;
        p = next;
    }
    chain_free(d, T->hdr_chunk);

    T->anext = d->trk_free;
    d->trk_free = t;
}

static inline bool tracker_expired(const struct defrag_tracker *T, uint64_t now_us)
{
    return now_us > T->expire_us;
}

/* Free the oldest tracker if it has expired (and is not keep). */
static bool reclaim_oldest(struct dissect_ctx *dc, uint64_t now_us, uint32_t keep)
{
    struct dissect_defrag *d = dc->defrag;
    uint32_t t = d->age_head;
    if (t == DEFRAG_NONE || t == keep || !tracker_expired(&d->trk[t], now_us))
        return false;
    tracker_free(d, t);
    dc->counters[DC_DEFRAG_TIMEOUTS]++;
    return true;
}

/* Give up the oldest datagram that is not keep, expired or not: room for
 * a newer one.  False when keep is the only one. */
static bool evict_oldest(struct dissect_ctx *dc, uint32_t keep)
{
    struct dissect_defrag *d = dc->defrag;
    uint32_t t = d->age_head;
    if (t != DEFRAG_NONE && t == keep)
        t = d->trk[t].anext;
    if (t == DEFRAG_NONE)
        return false;
    tracker_free(d, t);
    dc->counters[DC_DEFRAG_EVICTED]++;
    return true;
}

static uint32_t tracker_get(struct dissect_ctx *dc, const struct dissect_defrag_key *k,
                            uint64_t now_us)
{
    struct dissect_defrag *d = dc->defrag;
    uint32_t b = key_hash(d, k) & d->bucket_mask;
    for (uint32_t t = d->bucket[b]; t != DEFRAG_NONE; t = d->trk[t].hnext) {
        if (memcmp(&d->trk[t].key, k, sizeof(*k)) != 0)
            continue;
        if (likely(!tracker_expired(&d->trk[t], now_us)))
            return t;
        /* a stale datagram with the same id: start over */
        tracker_free(d, t);
        dc->counters[DC_DEFRAG_TIMEOUTS]++;
        break;
    }

    if (unlikely(d->trk_free == DEFRAG_NONE) && !reclaim_oldest(dc, now_us, DEFRAG_NONE) &&
        !evict_oldest(dc, DEFRAG_NONE))
        return DEFRAG_NONE;
    uint32_t t = d->trk_free;
    struct defrag_tracker *T = &d->trk[t];
    d->trk_free = T->anext;

    T->key = *k;
    T->expire_us = now_us + d->timeout_us;
    T->pieces = DEFRAG_NONE;
    T->npieces = 0;
    T->hdr_chunk = DEFRAG_NONE;
    T->hdr_len = 0;
    T->nh_off = 0;
    T->end = 0;
    T->nh = 0;
    T->seen_last = false;
    T->hnext = d->bucket[b];
    d->bucket[b] = t;
    T->anext = DEFRAG_NONE;
    T->aprev = d->age_tail;
    if (d->age_tail != DEFRAG_NONE)
        d->trk[d->age_tail].anext = t;
    else
        d->age_head = t;
    d->age_tail = t;
    return t;
}

/* ------------------------------------------------------------------ */
/* Insertion */

/* Walks the holes that [s, e) fills among T's pieces.  With commit false
 * it only counts them (pieces and chunks); with commit true it stores
 * them.  Returns whether [s, e) met existing data. */
static bool pieces_fill(struct dissect_defrag *d, struct defrag_tracker *T,
                        uint32_t s, uint32_t e, const uint8_t *data, bool commit,
                        uint32_t *npieces, uint32_t *nchunks)
{
    bool overlap = false;
    uint32_t prev = DEFRAG_NONE, p = T->pieces, cur = s;
    *npieces = 0;
    *nchunks = 0;
    while (cur < e) {
        while (p != DEFRAG_NONE && d->piece[p].off + d->piece[p].len <= cur) {
            prev = p;
            p = d->piece[p].next;
        }
        if (p != DEFRAG_NONE && d->piece[p].off <= cur) {
            overlap = true;                     /* keep what came first */
            cur = d->piece[p].off + d->piece[p].len;
            continue;
        }
        uint32_t ge = (p != DEFRAG_NONE && d->piece[p].off < e) ? d->piece[p].off : e;
        uint32_t len = ge - cur;
        (*npieces)++;
        *nchunks += chunks_for(len);
        if (commit) {
            uint32_t n = d->piece_free;
            d->piece_free = d->piece[n].next;
            d->piece[n].off = cur;
            d->piece[n].len = len;
            d->piece[n].chunk = chain_store(d, data + (cur - s), len);
            d->piece[n].next = p;
            if (prev == DEFRAG_NONE)
                T->pieces = n;
            else
                d->piece[prev].next = n;
            prev = n;
            T->npieces++;
        }
        cur = ge;
    }
    return overlap;
}

static uint32_t pieces_max_end(const struct dissect_defrag *d, const struct defrag_tracker *T)
{
    uint32_t end = 0;
    for (uint32_t p = T->pieces; p != DEFRAG_NONE; p = d->piece[p].next)
        end = d->piece[p].off + d->piece[p].len;     /* sorted: the last is the max */
    return end;
}

static bool tracker_complete(const struct dissect_defrag *d, const struct defrag_tracker *T)
{
    if (!T->seen_last || T->hdr_chunk == DEFRAG_NONE)
        return false;
    uint32_t cur = 0;
    for (uint32_t p = T->pieces; p != DEFRAG_NONE && cur < T->end; p = d->piece[p].next) {
        if (d->piece[p].off > cur)
            return false;
        cur = d->piece[p].off + d->piece[p].len;
    }
    return cur >= T->end;
}

/* Rebuild the datagram in the buffer and free the tracker. */
static enum dissect_defrag_verdict tracker_assemble(struct dissect_state *st, uint32_t t,
                                                    struct dissect_datagram *dg)
{
    struct dissect_ctx *dc = st->dc;
    struct dissect_defrag *d = dc->defrag;
    struct defrag_tracker *T = &d->trk[t];
    bool v6 = T->key.ip_v == 6;
    uint32_t total = T->hdr_len + T->end;

    /* the header comes from the offset-0 fragment, which may be longer
     * than the one the size check at insertion saw */
    if (unlikely(v6 ? total - 40 > DEFRAG_IP_MAX : total > DEFRAG_IP_MAX)) {
        tracker_free(d, t);
        (void)dissect_invalid(st, v6 ? DEV_IPV6_FRAG_PKT_TOO_LARGE : DEV_IPV4_FRAG_PKT_TOO_LARGE);
        return DEFRAG_INVALID;
    }

    uint8_t *b = d->buf;
    chain_load(d, T->hdr_chunk, b, T->hdr_len);
    for (uint32_t p = T->pieces; p != DEFRAG_NONE; p = d->piece[p].next) {
        const struct defrag_piece *P = &d->piece[p];
        if (P->off >= T->end)
            break;
        uint32_t len = P->len < T->end - P->off ? P->len : T->end - P->off;
        chain_load(d, P->chunk, b + T->hdr_len + P->off, len);
    }

    if (v6) {
        b[T->nh_off] = T->nh;
        uint16_t plen = (uint16_t)(total - 40);
        b[4] = (uint8_t)(plen >> 8);
        b[5] = (uint8_t)plen;
        dg->nh = T->nh;
        dc->counters[DC_DEFRAG_IPV6_REASSEMBLED]++;
    } else {
        b[2] = (uint8_t)(total >> 8);
        b[3] = (uint8_t)total;
        b[6] &= 0x40;              /* keep DF, clear MF and the offset */
        b[7] = 0;
        dg->nh = 0;
        dc->counters[DC_DEFRAG_IPV4_REASSEMBLED]++;
    }
    dg->data = b;
    dg->len = total;
    dg->hdr_len = T->hdr_len;
    tracker_free(d, t);
    return DEFRAG_DONE;
}

enum dissect_defrag_verdict dissect_defrag_insert(struct dissect_state *st,
                                                  const struct dissect_frag *f,
                                                  struct dissect_datagram *dg)
{
    struct dissect_ctx *dc = st->dc;
    struct dissect_defrag *d = dc->defrag;
    bool v6 = f->key.ip_v == 6;
    enum dissect_event ev_large = v6 ? DEV_IPV6_FRAG_PKT_TOO_LARGE : DEV_IPV4_FRAG_PKT_TOO_LARGE;
    enum dissect_event ev_ignored = v6 ? DEV_IPV6_FRAG_IGNORED : DEV_IPV4_FRAG_IGNORED;
    enum dissect_event ev_overlap = v6 ? DEV_IPV6_FRAG_OVERLAP : DEV_IPV4_FRAG_OVERLAP;

    /* RFC 791: total length, RFC 8200: payload length, both 16 bits.
     * f->off < 65536 and f->len < 65536: no overflow in 32 bits. */
    uint32_t fend = f->off + f->len;
    uint32_t before = v6 ? f->hdr_len - 40 : f->hdr_len;
    if (unlikely(before + fend > DEFRAG_IP_MAX)) {
        (void)dissect_invalid(st, ev_large);
        return DEFRAG_INVALID;
    }

    uint32_t t = tracker_get(dc, &f->key, st->ts_us);
    if (unlikely(t == DEFRAG_NONE)) {
        dc->counters[DC_DEFRAG_MEMCAP]++;
        dissect_event(st, ev_ignored);
        return DEFRAG_HELD;
    }
    struct defrag_tracker *T = &d->trk[t];

    bool overlap = false;
    if (!f->more) {
        if (T->seen_last) {
            overlap |= fend != T->end;          /* keep the first end */
        } else {
            overlap |= pieces_max_end(d, T) > fend;
            T->end = fend;
            T->seen_last = true;
        }
    }
    uint32_t e = fend;
    if (T->seen_last && e > T->end) {
        overlap = true;                          /* data past the end */
        e = T->end;
    }
    uint32_t s = f->off < e ? f->off : e;

    bool need_hdr = f->off == 0 && T->hdr_chunk == DEFRAG_NONE;
    uint32_t npieces, nchunks;
    overlap |= pieces_fill(d, T, s, e, f->data, false, &npieces, &nchunks);
    if (need_hdr)
        nchunks += chunks_for(f->hdr_len);

    if (unlikely(T->npieces + npieces > d->max_pieces)) {
        /* this datagram cannot complete within the limit: give it up */
        dc->counters[DC_DEFRAG_MAX_FRAG_HITS]++;
        dissect_event(st, ev_ignored);
        tracker_free(d, t);
        return DEFRAG_HELD;
    }
    while (unlikely(nchunks > d->chunks_avail) && reclaim_oldest(dc, st->ts_us, t))
        ;
    while (unlikely(nchunks > d->chunks_avail) && evict_oldest(dc, t))
        ;
    if (unlikely(nchunks > d->chunks_avail)) {
        dc->counters[DC_DEFRAG_MEMCAP]++;
        dissect_event(st, ev_ignored);
        if (T->npieces == 0 && T->hdr_chunk == DEFRAG_NONE && !T->seen_last)
            tracker_free(d, t);                 /* nothing in it */
        return DEFRAG_HELD;
    }

    pieces_fill(d, T, s, e, f->data, true, &npieces, &nchunks);
    if (need_hdr) {
        T->hdr_chunk = chain_store(d, f->hdr, f->hdr_len);
        T->hdr_len = f->hdr_len;
        T->nh_off = f->nh_off;
        T->nh = f->nh;
    }
    if (overlap)
        dissect_event(st, ev_overlap);

    if (!tracker_complete(d, T))
        return DEFRAG_HELD;
    return tracker_assemble(st, t, dg);
}

/* ------------------------------------------------------------------ */

void dissect_defrag_expire(struct dissect_ctx *dc, uint64_t now_us)
{
    if (!dc->defrag)
        return;
    while (reclaim_oldest(dc, now_us, DEFRAG_NONE))
        ;
}

/* Fixed part of one pool: what does not depend on the memcap. */
static uint64_t defrag_fixed_mem(uint32_t trackers)
{
    uint64_t nb = 1;
    while (nb < trackers)
        nb <<= 1;
    return sizeof(struct dissect_defrag) + (uint64_t)trackers * sizeof(struct defrag_tracker) +
           nb * sizeof(uint32_t) + DEFRAG_BUF_SIZE;
}

/* Per chunk: its data, its link and (at most) one piece descriptor. */
#define DEFRAG_CHUNK_COST (DEFRAG_CHUNK + sizeof(uint32_t) + sizeof(struct defrag_piece))

uint64_t dissect_defrag_mem(uint32_t trackers, uint32_t memcap)
{
    return defrag_fixed_mem(trackers) + (uint64_t)(memcap >> DEFRAG_CHUNK_SHIFT) * DEFRAG_CHUNK_COST;
}

uint32_t dissect_defrag_memcap_for(uint32_t trackers, uint64_t bytes)
{
    uint64_t fixed = defrag_fixed_mem(trackers);
    if (bytes < fixed + DEFRAG_CHUNK_COST)
        return 0;
    uint64_t chunks = (bytes - fixed) / DEFRAG_CHUNK_COST;
    uint64_t max = (UINT64_C(2) << 30) >> DEFRAG_CHUNK_SHIFT;     /* defrag.memcap's range */
    return (uint32_t)((chunks < max ? chunks : max) << DEFRAG_CHUNK_SHIFT);
}

void dissect_defrag_memuse(const struct dissect_ctx *dc, uint64_t *cap, uint64_t *use)
{
    const struct dissect_defrag *d = dc->defrag;
    if (!d) {
        *cap = *use = 0;
        return;
    }
    uint64_t fixed = defrag_fixed_mem(d->ntrk);
    *cap = fixed + (uint64_t)d->nchunks * DEFRAG_CHUNK_COST;
    *use = fixed + (uint64_t)(d->nchunks - d->chunks_avail) * DEFRAG_CHUNK_COST;
}

int dissect_defrag_create(struct dissect_ctx *dc, const struct dissect_config *cfg,
                          char *errbuf)
{
    if (cfg->defrag_max_trackers == 0 || cfg->defrag_max_trackers > DEFRAG_MAX_TRACKERS) {
        snprintf(errbuf, NS_ERRBUF_SIZE, "defrag: max trackers %u: must be 1 to %u",
                 cfg->defrag_max_trackers, DEFRAG_MAX_TRACKERS);
        return NS_ERR_INVAL;
    }
    if (cfg->defrag_max_frags == 0) {
        snprintf(errbuf, NS_ERRBUF_SIZE, "defrag: max frags 0: must be at least 1");
        return NS_ERR_INVAL;
    }
    if (cfg->defrag_memcap < DEFRAG_CHUNK) {
        snprintf(errbuf, NS_ERRBUF_SIZE, "defrag: memcap %u bytes: must be at least %u",
                 cfg->defrag_memcap, DEFRAG_CHUNK);
        return NS_ERR_INVAL;
    }

    struct dissect_defrag *d = calloc(1, sizeof(*d));
    if (!d)
        goto nomem;
    dc->defrag = d;
    d->ntrk = cfg->defrag_max_trackers;
    d->max_pieces = cfg->defrag_max_frags;
    d->timeout_us = (uint64_t)cfg->defrag_timeout_s * 1000000u;
    d->nchunks = cfg->defrag_memcap >> DEFRAG_CHUNK_SHIFT;

    uint32_t nb = 1;
    while (nb < d->ntrk)
        nb <<= 1;
    d->bucket_mask = nb - 1;

    d->trk = malloc((size_t)d->ntrk * sizeof(*d->trk));
    d->bucket = malloc((size_t)nb * sizeof(*d->bucket));
    d->piece = malloc((size_t)d->nchunks * sizeof(*d->piece));
    d->chunk_next = malloc((size_t)d->nchunks * sizeof(*d->chunk_next));
    d->chunk = malloc((size_t)d->nchunks << DEFRAG_CHUNK_SHIFT);
    d->buf = malloc(DEFRAG_BUF_SIZE);
    if (!d->trk || !d->bucket || !d->piece || !d->chunk_next || !d->chunk || !d->buf)
        goto nomem;

    for (uint32_t i = 0; i < nb; i++)
        d->bucket[i] = DEFRAG_NONE;
    for (uint32_t i = 0; i < d->ntrk; i++)
        d->trk[i].anext = i + 1 < d->ntrk ? i + 1 : DEFRAG_NONE;
    d->trk_free = 0;
    d->age_head = d->age_tail = DEFRAG_NONE;
    for (uint32_t i = 0; i < d->nchunks; i++) {
        d->piece[i].next = i + 1 < d->nchunks ? i + 1 : DEFRAG_NONE;
        d->chunk_next[i] = i + 1 < d->nchunks ? i + 1 : DEFRAG_NONE;
    }
    d->piece_free = 0;
    d->chunk_free = 0;
    d->chunks_avail = d->nchunks;

    /* a per-context seed keeps crafted ids from piling into one bucket */
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    d->seed = (uint32_t)ts.tv_nsec ^ (uint32_t)(uintptr_t)d ^ 0x9e3779b9u;
    return NS_OK;

nomem:
    snprintf(errbuf, NS_ERRBUF_SIZE,
             "defrag: cannot allocate the pool (%u trackers, %u bytes of fragment data)",
             cfg->defrag_max_trackers, cfg->defrag_memcap);
    dissect_defrag_destroy(dc);
    return NS_ERR_NOMEM;
}

void dissect_defrag_destroy(struct dissect_ctx *dc)
{
    struct dissect_defrag *d = dc->defrag;
    if (!d)
        return;
    free(d->trk);
    free(d->bucket);
    free(d->piece);
    free(d->chunk_next);
    free(d->chunk);
    free(d->buf);
    free(d);
    dc->defrag = NULL;
}
