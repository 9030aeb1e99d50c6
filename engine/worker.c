/* engine/worker.c: the per-core worker loop.
 *
 * For each frame: decode, account it once (decoded or invalid), report its
 * decoder events as anomaly records, and update its flow.  Flow ends arrive
 * through the flow table's callback and are formatted straight into the
 * output ring, so a record is built once, in place, with no copy and no
 * allocation.  The worker never blocks on anything but its two rings. */
#include "engine/worker.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "dissect/app_detect.h"
#include "engine/afpacket.h"
#include "engine/engine_int.h"
#include "output/eve.h"

/* An HTTP request waiting for its response, kept with its header block.
 * The cache is direct-mapped on flow_id: a request displaced by another
 * flow's, or by a later request of its flow, or left at the flow's end, is
 * logged without a response. */
#define HTTP_WAIT_SLOTS 128         /* power of two */
#define HTTP_WAIT_BYTES 8192        /* longer request blocks: logged at once */
struct http_pending {
    uint64_t flow_id;               /* 0: free */
    uint64_t ts_us, pcap_cnt, tx_id;
    struct flow flow;               /* as it was at the request */
    struct http_msg msg;
    uint8_t raw[HTTP_WAIT_BYTES];
};

struct worker {
    NS_CACHE_ALIGNED unsigned id;
    const struct ns_config *cfg;
    int dlt;
    struct ring *in, *out;
    struct dissect_ctx dc;
    bool dc_ready;
    struct flow_table *ft;
    struct eve_ctx ec;
    uint64_t acct[ACCT_MAX];
    uint64_t outc[OUT_MAX];
    uint64_t cap[CAP_MAX];
    bool pcap_out;
    /* live capture */
    struct afp_sock *afp;
    struct live_ctl *ctl;
    _Atomic uint64_t live_read;  /* published once per block, for -c */
    uint64_t tick_s;             /* packet-time second of the last expiry */
    uint64_t next_seq;           /* next periodic snapshot to send */
    uint64_t first_ts_us, last_ts_us;
    uint64_t bytes_read;
    uint8_t *vbuf;               /* frame with its VLAN tag put back */
    struct dns_msg dns;          /* the DNS message being logged */
    char dns_text[DNS_SCRATCH_SIZE];    /* its names and rdata */
    struct http_msg http;        /* the HTTP header block being logged */
    struct http_pending *http_wait;     /* [HTTP_WAIT_SLOTS] */
    pthread_t thread;
    bool started;
};

static void worker_http_emit(struct worker *w, const struct eve_http_tx *t)
{
    char *buf = ring_reserve_wait(w->out, NS_RECORD_MAX);
    size_t len = eve_http(&w->ec, buf, NS_RECORD_MAX, t);
    if (unlikely(len == 0)) {
        w->outc[OUT_TOO_BIG]++;
        return;
    }
    ring_commit(w->out, REC_JSON, (uint32_t)len);
    w->outc[OUT_HTTP]++;
}

/* The request in slot, without a response. */
static void worker_http_flush(struct worker *w, struct http_pending *slot)
{
    struct eve_http_tx t = {
        .f = &slot->flow, .ts_us = slot->ts_us, .pcap_cnt = slot->pcap_cnt, .tx_id = slot->tx_id,
        .req = &slot->msg, .req_p = slot->raw,
    };
    worker_http_emit(w, &t);
    slot->flow_id = 0;
}

static struct http_pending *worker_http_slot(struct worker *w, uint64_t flow_id)
{
    uint64_t h = flow_id * 0x9e3779b97f4a7c15ull;
    return &w->http_wait[(h >> 32) & (HTTP_WAIT_SLOTS - 1)];
}

static void worker_on_flow_end(void *ctx, const struct flow *f, enum flow_end_reason reason)
{
    struct worker *w = ctx;
    if (w->http_wait) {
        struct http_pending *slot = worker_http_slot(w, f->flow_id);
        if (slot->flow_id == f->flow_id)
            worker_http_flush(w, slot);
    }
    if (!w->cfg->eve_flow)
        return;
    char *buf = ring_reserve_wait(w->out, NS_RECORD_MAX);
    size_t n = eve_flow(&w->ec, buf, NS_RECORD_MAX, f, reason);
    if (unlikely(n == 0)) {
        w->outc[OUT_TOO_BIG]++;
        return;                 /* nothing committed: the space is reused */
    }
    ring_commit(w->out, REC_JSON, (uint32_t)n);
    w->outc[OUT_FLOW]++;
}

struct worker *worker_create(unsigned id, const struct ns_config *cfg, int dlt,
                             const char *pcap_filename, struct ring *in,
                             struct ring *out, char *errbuf)
{
    struct worker *w = aligned_alloc(NS_CACHE_LINE, sizeof(*w));
    if (!w) {
        snprintf(errbuf, NS_ERRBUF_SIZE, "worker %u: %s", id, strerror(errno));
        return NULL;
    }
    memset(w, 0, sizeof(*w));
    w->id = id;
    w->cfg = cfg;
    w->dlt = dlt;
    w->in = in;
    w->out = out;
    if (dissect_ctx_init(&w->dc, &cfg->defrag, errbuf) != NS_OK)
        goto err;
    w->dc_ready = true;
    if (cfg->eve_http) {
        w->http_wait = calloc(HTTP_WAIT_SLOTS, sizeof(*w->http_wait));
        if (!w->http_wait) {
            snprintf(errbuf, NS_ERRBUF_SIZE, "worker %u: %s", id, strerror(errno));
            goto err;
        }
    }
    w->ft = flow_table_create(&cfg->flow, worker_on_flow_end, w, errbuf);
    if (!w->ft)
        goto err;
    eve_ctx_init(&w->ec, pcap_filename, NULL);
    w->ec.ethernet = cfg->eve_ethernet;
    w->ec.community_id_seed = (uint16_t)cfg->community_id_seed;
    return w;
err:
    worker_destroy(w);
    return NULL;
}

void worker_destroy(struct worker *w)
{
    if (!w)
        return;
    flow_table_destroy(w->ft);
    if (w->dc_ready)
        dissect_ctx_fini(&w->dc);
    free(w->vbuf);
    free(w->http_wait);
    free(w);
}

static void worker_anomalies(struct worker *w, const struct ns_pkt *pkt,
                             const struct ns_decoded *d)
{
    for (unsigned i = 0; i < d->nevents; i++) {
        char *buf = ring_reserve_wait(w->out, NS_RECORD_MAX);
        size_t n = eve_anomaly_decode(&w->ec, buf, NS_RECORD_MAX, pkt, d, d->events[i]);
        if (unlikely(n == 0)) {
            w->outc[OUT_TOO_BIG]++;
            continue;
        }
        ring_commit(w->out, REC_JSON, (uint32_t)n);
        w->outc[OUT_ANOMALY]++;
    }
}

/* One DNS message of a DNS flow: a record for it, or a count of why not. */
static void worker_dns_msg(struct worker *w, const struct ns_pkt *pkt, const struct ns_decoded *d,
                           struct flow *f, const uint8_t *p, size_t n)
{
    if (unlikely(dns_parse(p, n, &w->dns, w->dns_text, sizeof(w->dns_text)) != DNS_ERR_OK)) {
        w->outc[OUT_DNS_INVALID]++;
        return;
    }
    uint64_t tx = dns_is_response(&w->dns) ? dns_txs_response(&f->dns, w->dns.id)
                                           : dns_txs_request(&f->dns, w->dns.id);
    char *buf = ring_reserve_wait(w->out, NS_RECORD_MAX);
    size_t len = eve_dns(&w->ec, buf, NS_RECORD_MAX, pkt, d, f, &w->dns, w->dns_text, tx);
    if (unlikely(len == 0)) {
        w->outc[OUT_TOO_BIG]++;
        return;
    }
    ring_commit(w->out, REC_JSON, (uint32_t)len);
    w->outc[OUT_DNS]++;
}

/* DNS over UDP: the datagram is the message.  Over TCP (RFC 1035 4.2.2)
 * each message has a 2-byte length prefix; without stream reassembly only
 * the messages whole inside this segment are logged. */
static void worker_dns(struct worker *w, const struct ns_pkt *pkt, const struct ns_decoded *d,
                       struct flow *f)
{
    const uint8_t *p = d->payload;
    size_t n = d->payload_len;
    if (d->proto == 17) {
        worker_dns_msg(w, pkt, d, f, p, n);
        return;
    }
    while (n >= 2) {
        size_t mlen = ns_load_be16(p);
        if (mlen > n - 2)
            break;                  /* continues in a later segment */
        worker_dns_msg(w, pkt, d, f, p + 2, mlen);
        p += 2 + mlen;
        n -= 2 + mlen;
    }
}

/* HTTP/1.x without stream reassembly: a header block is logged when it
 * starts a segment and ends inside it.  A request waits (w->http_wait) for
 * the response that completes its record; interim 1xx responses other than
 * 101 are skipped, as they belong to the transaction that follows. */
static void worker_http(struct worker *w, const struct ns_pkt *pkt, const struct ns_decoded *d,
                        struct flow *f, bool toserver)
{
    const uint8_t *p = d->payload;
    size_t n = d->payload_len;
    if (toserver ? !http_is_request_start(p, n) : !http_is_response_start(p, n))
        return;                     /* a body, or the rest of a block */
    struct http_msg *m = &w->http;
    if (unlikely(http_parse(p, n, m) != HTTP_ERR_OK)) {
        w->outc[OUT_HTTP_INVALID]++;
        return;
    }
    struct http_pending *slot = worker_http_slot(w, f->flow_id);
    if (toserver) {
        if (slot->flow_id)          /* unanswered, or another flow's */
            worker_http_flush(w, slot);
        uint64_t tx = f->http_tx++;
        if (m->block_len > HTTP_WAIT_BYTES) {
            struct eve_http_tx t = {
                .f = f, .ts_us = pkt->ts_us, .pcap_cnt = pkt->pcap_cnt, .tx_id = tx,
                .req = m, .req_p = p,
            };
            worker_http_emit(w, &t);
            return;
        }
        slot->flow_id = f->flow_id;
        slot->ts_us = pkt->ts_us;
        slot->pcap_cnt = pkt->pcap_cnt;
        slot->tx_id = tx;
        slot->flow = *f;
        slot->msg = *m;
        memcpy(slot->raw, p, m->block_len);
        return;
    }
    if (m->status >= 100 && m->status < 200 && m->status != 101)
        return;
    uint64_t body = n - m->block_len;
    const struct http_hdr *cl = http_header(m, p, "content-length");
    if (cl && cl->value.len && cl->value.len <= 15) {
        uint64_t v = 0;
        size_t i = 0;
        for (; i < cl->value.len && p[cl->value.off + i] >= '0' && p[cl->value.off + i] <= '9'; i++)
            v = v * 10 + (uint64_t)(p[cl->value.off + i] - '0');
        if (i == cl->value.len)
            body = v;
    }
    struct eve_http_tx t = {
        .f = f, .ts_us = pkt->ts_us, .pcap_cnt = pkt->pcap_cnt, .resp_len = body,
        .resp = m, .resp_p = p,
    };
    if (slot->flow_id == f->flow_id) {
        t.tx_id = slot->tx_id;
        t.req = &slot->msg;
        t.req_p = slot->raw;
        slot->flow_id = 0;
    } else {
        t.tx_id = f->http_tx++;
    }
    worker_http_emit(w, &t);
}

/* -w: the frame goes to the writer, which owns the pcap file. */
static void worker_copy_out(struct worker *w, const struct ns_pkt *pkt)
{
    struct rec_pkt *rp = ring_reserve_wait(w->out, (uint32_t)sizeof(*rp) + pkt->caplen);
    if (!rp) {
        w->outc[OUT_TOO_BIG]++;
        return;
    }
    rp->ts_us = pkt->ts_us;
    rp->pcap_cnt = pkt->pcap_cnt;
    rp->caplen = pkt->caplen;
    rp->wirelen = pkt->wirelen;
    memcpy(rp + 1, pkt->data, pkt->caplen);
    ring_commit(w->out, REC_PCAP, (uint32_t)sizeof(*rp) + pkt->caplen);
}

static void worker_process(struct worker *w, const struct ns_pkt *ppkt)
{
    const struct ns_pkt pkt = *ppkt;
    if (unlikely(w->pcap_out))
        worker_copy_out(w, &pkt);
    struct ns_decoded d;
    enum dissect_result res = dissect_packet(&w->dc, &pkt, &d);
    switch (res) {
    case DISSECT_DECODED:
        w->acct[ACCT_DECODED]++;
        if (likely(d.ip_v != 0)) {
            struct flow *f = flow_table_update(w->ft, &d, pkt.ts_us, d.flow_len);
            if (f && d.payload_len && d.has_l4 && (d.proto == 6 || d.proto == 17)) {
                bool ts = d.sport == f->cli_port && memcmp(d.src, f->cli, sizeof(f->cli)) == 0;
                app_state_update(&f->app, d.proto, d.sport, d.dport, ts, d.payload, d.payload_len);
                if (app_state_verdict(&f->app) == APP_DNS && w->cfg->eve_dns)
                    worker_dns(w, &pkt, &d, f);
                else if (app_state_verdict(&f->app) == APP_HTTP && w->cfg->eve_http)
                    worker_http(w, &pkt, &d, f, ts);
            }
        }
        break;
    case DISSECT_FRAG_HELD:
        w->acct[ACCT_DECODED]++;
        break;
    case DISSECT_INVALID:
        w->acct[ACCT_INVALID]++;
        break;
    case DISSECT_UNSUPPORTED:
        w->acct[ACCT_UNSUPPORTED]++;
        return;
    }
    if (unlikely(d.nevents != 0) && w->cfg->eve_anomaly)
        worker_anomalies(w, &pkt, &d);
}

static void worker_packet(struct worker *w, const struct rec_pkt *rp)
{
    struct ns_pkt pkt = {
        .data = (const uint8_t *)(rp + 1),
        .caplen = rp->caplen,
        .wirelen = rp->wirelen,
        .ts_us = rp->ts_us,
        .pcap_cnt = rp->pcap_cnt,
        .dlt = w->dlt,
    };
    worker_process(w, &pkt);
}

static void worker_snapshot(struct worker *w, const struct rec_tick *t, bool final, bool silent)
{
    struct ns_snap *s = ring_reserve_wait(w->out, sizeof(*s));
    memset(s, 0, sizeof(*s));
    s->seq = t->seq;
    s->ts_us = t->ts_us;
    s->final = final;
    s->silent = silent;
    memcpy(s->acct, w->acct, sizeof(s->acct));
    memcpy(s->dc, w->dc.counters, sizeof(s->dc));
    memcpy(s->ev, w->dc.events, sizeof(s->ev));
    flow_table_stats(w->ft, s->fs);
    memcpy(s->out, w->outc, sizeof(s->out));
    memcpy(s->cap, w->cap, sizeof(s->cap));
    s->bytes_read = w->bytes_read;         /* live only; the reader's offline */
    s->first_ts_us = w->first_ts_us;
    ring_commit(w->out, REC_SNAP, sizeof(*s));
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    for (;;) {
        uint32_t type, len;
        const void *rec = ring_peek_wait(w->in, &type, &len);
        switch (type) {
        case REC_PKT:
            if (likely(len >= sizeof(struct rec_pkt)))
                worker_packet(w, rec);
            break;
        case REC_TICK: {
            const struct rec_tick *t = rec;
            flow_table_expire(w->ft, t->ts_us);
            dissect_expire(&w->dc, t->ts_us);
            break;
        }
        case REC_STATS:
            worker_snapshot(w, rec, false, false);
            break;
        case REC_EOF: {
            struct rec_tick t = *(const struct rec_tick *)rec;
            ring_release(w->in);
            flow_table_flush(w->ft);
            worker_snapshot(w, &t, true, false);
            ring_reserve_wait(w->out, 8);
            ring_commit(w->out, REC_DONE, 0);
            return NULL;
        }
        default:
            break;
        }
        ring_release(w->in);
    }
}

/* ---- live capture ---- */

#define WORKER_VBUF (256u * 1024u + 8u)

void worker_set_live(struct worker *w, struct afp_sock *afp, struct live_ctl *ctl)
{
    w->afp = afp;
    w->ctl = ctl;
    eve_ctx_init(&w->ec, NULL, ctl->iface);
    w->ec.ethernet = w->cfg->eve_ethernet;
    w->ec.community_id_seed = (uint16_t)w->cfg->community_id_seed;
}

void worker_set_pcap_out(struct worker *w, bool on)
{
    w->pcap_out = on;
}

uint64_t worker_live_read(const struct worker *w)
{
    return atomic_load_explicit(&w->live_read, memory_order_relaxed);
}

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t wall_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* One frame from the ring.  The kernel may have taken the outer 802.1Q tag
 * off into the frame header: put it back so the decoder sees the wire. */
static void worker_live_frame(struct worker *w, const struct afp_frame *fr)
{
    struct ns_pkt pkt = {
        .data = fr->data,
        .caplen = fr->caplen,
        .wirelen = fr->wirelen,
        .ts_us = fr->ts_us,
        .pcap_cnt = 0,
        .dlt = w->dlt,
    };
    if (unlikely(fr->vlan_valid) && w->dlt == 1 && fr->caplen >= 12 &&
        fr->caplen + 4u <= WORKER_VBUF) {
        memcpy(w->vbuf, fr->data, 12);
        w->vbuf[12] = (uint8_t)(fr->vlan_tpid >> 8);
        w->vbuf[13] = (uint8_t)fr->vlan_tpid;
        w->vbuf[14] = (uint8_t)(fr->vlan_tci >> 8);
        w->vbuf[15] = (uint8_t)fr->vlan_tci;
        memcpy(w->vbuf + 16, fr->data + 12, fr->caplen - 12);
        pkt.data = w->vbuf;
        pkt.caplen += 4;
        pkt.wirelen += 4;
    }
    w->acct[ACCT_READ]++;
    w->bytes_read += fr->caplen;
    if (fr->ts_us > w->last_ts_us)
        w->last_ts_us = fr->ts_us;
    if (unlikely(!w->first_ts_us))
        w->first_ts_us = fr->ts_us;
    /* time moved on: expire before this packet, as offline */
    uint64_t sec = fr->ts_us / 1000000u;
    if (unlikely(sec > w->tick_s)) {
        w->tick_s = sec;
        flow_table_expire(w->ft, sec * 1000000u);
        dissect_expire(&w->dc, sec * 1000000u);
    }
    worker_process(w, &pkt);
}

static void worker_live_snapshots(struct worker *w, uint64_t upto, uint64_t now_us, bool late)
{
    if (w->next_seq >= upto)
        return;
    (void)afp_stats(w->afp, &w->cap[CAP_KERNEL_PACKETS], &w->cap[CAP_KERNEL_DROPS],
                    &w->cap[CAP_KERNEL_FREEZES]);
    for (; w->next_seq < upto; w->next_seq++) {
        struct rec_tick t = { .ts_us = now_us, .seq = w->next_seq };
        worker_snapshot(w, &t, false, late);
    }
}

static void *worker_live_main(void *arg)
{
    struct worker *w = arg;
    struct live_ctl *ctl = w->ctl;
    char err[NS_ERRBUF_SIZE];
    bool down = false, draining = false;
    uint32_t drain_left = 0;
    uint64_t interval_ns = (uint64_t)ctl->stats_interval * 1000000000u;
    w->tick_s = wall_us() / 1000000u;
    for (;;) {
        if (!draining && atomic_load_explicit(&ctl->stop, memory_order_acquire)) {
            /* what the kernel had filled when told to stop, plus the block
             * it is filling (retired within the block timeout): traffic
             * that keeps coming does not keep us running */
            draining = true;
            drain_left = afp_blocks_ready(w->afp) + 1;
        }
        if (draining && drain_left-- == 0)
            break;
        /* while draining, wait a little longer than the block retire timeout
         * so the kernel hands over its partly filled block */
        int n = afp_block_next(w->afp, draining ? 50 : 100, err);
        if (n > 0) {
            if (down) {
                fprintf(stderr, "netscope: worker %u: capture resumed\n", w->id);
                down = false;
            }
            struct afp_frame fr;
            while (afp_block_frame(w->afp, &fr)) {
                worker_live_frame(w, &fr);
                if (unlikely(ctl->count && w->acct[ACCT_READ] >= ctl->count))
                    break;          /* -c with one worker: exact */
            }
            afp_block_release(w->afp);
            atomic_store_explicit(&w->live_read, w->acct[ACCT_READ], memory_order_relaxed);
            if (unlikely(ctl->count && w->acct[ACCT_READ] >= ctl->count))
                break;
        } else if (n == 0) {
            afp_block_release(w->afp);      /* an empty block, if any */
            if (draining)
                break;
            /* idle: wall time drives expiry */
            uint64_t sec = wall_us() / 1000000u;
            if (sec > w->tick_s) {
                w->tick_s = sec;
                flow_table_expire(w->ft, sec * 1000000u);
                dissect_expire(&w->dc, sec * 1000000u);
            }
        } else {
            if (!down)
                fprintf(stderr, "netscope: worker %u: %s%s\n", w->id, err,
                        ctl->stop_on_down ? "; stopping" : "; waiting for it to come back");
            down = true;
            if (ctl->stop_on_down || draining)
                break;
            struct timespec ts = { 0, 200 * 1000 * 1000 };
            nanosleep(&ts, NULL);
        }
        if (!draining && interval_ns) {
            uint64_t seq = (mono_ns() - ctl->start_ns) / interval_ns;
            uint64_t fin = atomic_load_explicit(&ctl->final_seq, memory_order_relaxed);
            if (seq > fin - 1)
                seq = fin - 1;
            worker_live_snapshots(w, seq, w->last_ts_us ? w->last_ts_us : wall_us(), false);
        }
    }
    uint64_t fin = atomic_load_explicit(&ctl->final_seq, memory_order_acquire);
    uint64_t end_us = w->last_ts_us ? w->last_ts_us : wall_us();
    worker_live_snapshots(w, fin, end_us, true);
    (void)afp_stats(w->afp, &w->cap[CAP_KERNEL_PACKETS], &w->cap[CAP_KERNEL_DROPS],
                    &w->cap[CAP_KERNEL_FREEZES]);
    flow_table_flush(w->ft);
    struct rec_tick t = { .ts_us = end_us, .seq = fin };
    worker_snapshot(w, &t, true, false);
    ring_reserve_wait(w->out, 8);
    ring_commit(w->out, REC_DONE, 0);
    return NULL;
}

int worker_start(struct worker *w, char *errbuf)
{
    if (w->afp && !w->vbuf) {
        w->vbuf = malloc(WORKER_VBUF);
        if (!w->vbuf) {
            snprintf(errbuf, NS_ERRBUF_SIZE, "worker %u: out of memory", w->id);
            return NS_ERR_NOMEM;
        }
    }
    int rc = pthread_create(&w->thread, NULL, w->afp ? worker_live_main : worker_main, w);
    if (rc != 0) {
        snprintf(errbuf, NS_ERRBUF_SIZE, "worker %u: pthread_create: %s", w->id, strerror(rc));
        return NS_ERR_NOMEM;
    }
    w->started = true;
    if (w->afp && w->cfg->live.cpu_affinity) {
        long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET((int)(w->id % (unsigned)(ncpu > 0 ? ncpu : 1)), &set);
        /* a hint: capture works unpinned too */
        (void)pthread_setaffinity_np(w->thread, sizeof(set), &set);
    }
    return NS_OK;
}

void worker_join(struct worker *w)
{
    if (w && w->started) {
        pthread_join(w->thread, NULL);
        w->started = false;
    }
}
