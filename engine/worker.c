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
#include <stdio.h>
#include <stdlib.h>

#include "dissect/app_detect.h"
#include "engine/engine_int.h"
#include "output/eve.h"

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
    pthread_t thread;
    bool started;
};

static void worker_on_flow_end(void *ctx, const struct flow *f, enum flow_end_reason reason)
{
    struct worker *w = ctx;
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

static void worker_snapshot(struct worker *w, const struct rec_tick *t, bool final)
{
    struct ns_snap *s = ring_reserve_wait(w->out, sizeof(*s));
    memset(s, 0, sizeof(*s));
    s->seq = t->seq;
    s->ts_us = t->ts_us;
    s->final = final;
    memcpy(s->acct, w->acct, sizeof(s->acct));
    memcpy(s->dc, w->dc.counters, sizeof(s->dc));
    memcpy(s->ev, w->dc.events, sizeof(s->ev));
    flow_table_stats(w->ft, s->fs);
    memcpy(s->out, w->outc, sizeof(s->out));
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
            worker_snapshot(w, rec, false);
            break;
        case REC_EOF: {
            struct rec_tick t = *(const struct rec_tick *)rec;
            ring_release(w->in);
            flow_table_flush(w->ft);
            worker_snapshot(w, &t, true);
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

int worker_start(struct worker *w, char *errbuf)
{
    int rc = pthread_create(&w->thread, NULL, worker_main, w);
    if (rc != 0) {
        snprintf(errbuf, NS_ERRBUF_SIZE, "worker %u: pthread_create: %s", w->id, strerror(rc));
        return NS_ERR_NOMEM;
    }
    w->started = true;
    return NS_OK;
}

void worker_join(struct worker *w)
{
    if (w && w->started) {
        pthread_join(w->thread, NULL);
        w->started = false;
    }
}
