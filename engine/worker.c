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

#include <urcu.h>

#include "dissect/app_detect.h"
#include "engine/afpacket.h"
#include "engine/alert.h"
#include "engine/detect.h"
#include "engine/engine_int.h"
#include "output/eve.h"

/* ARP cache slots (a power of two): 3 KiB a worker.  A LAN of more hosts
 * than this only costs records for bindings that collide. */
#define WORKER_ARP_BITS 8
#define WORKER_ARP_CACHE (1u << WORKER_ARP_BITS)

#if defined(__SANITIZE_THREAD__)
char ns_rcu_gp;                  /* engine_int.h: TSan's grace-period token */
#endif

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
    /* live rollups (engine/live.h): the interval being counted is ru_seq,
     * [ru_start_us, ru_end_us) of packet time; ru_end_us is UINT64_MAX
     * when there are none, so the packet path's test never fires */
    uint64_t ru_seq, ru_start_us, ru_end_us;
    uint64_t first_ts_us, last_ts_us;
    uint64_t bytes_read;
    uint8_t *vbuf;               /* frame with its VLAN tag put back */
    struct app_ctx app;          /* reassembly, parsers, their records */
    bool app_ready;
    struct rollup ru;            /* rollup accumulators (output/rollup.h) */
    bool ru_on;
    struct detect_gen **dslot;   /* rules (RCU), NULL: none */
    struct alert_sink asink;
    /* the writer's anomaly detectors (engine/anomaly.h), when on: TCP flow
     * summaries at close (an_flows), ARP bindings (an_arp) through a
     * direct-mapped cache of the last MAC per sender IP */
    bool an_flows, an_arp;
    uint64_t an_stats[ANS_MAX];
    struct worker_arp {
        uint32_t ip;                 /* 0: empty (0.0.0.0 binds nothing) */
        uint8_t mac[6];
    } arp_cache[WORKER_ARP_CACHE];
    pthread_t thread;
    bool started;
};

/* f's summary to the detectors, when one of them would count it: most
 * flows carry data to a port no detector watches and cost nothing more. */
static void worker_anom_flow(struct worker *w, const struct flow *f)
{
    struct anomaly_flow_sum sum;
    anomaly_flow_summary(f, &sum);
    if (!anomaly_flow_relevant(&w->cfg->anomaly, &sum))
        return;
    struct anomaly_flow_sum *s = ring_reserve_wait(w->out, sizeof(*s));
    *s = sum;
    ring_commit(w->out, REC_ANOM_FLOW, sizeof(*s));
    w->an_stats[ANS_FLOW_RECORDS]++;
}

static void worker_on_flow_end(void *ctx, const struct flow *f, enum flow_end_reason reason)
{
    struct worker *w = ctx;
    /* the table hands the entry over: it is the worker's until the return */
    app_flow_end(&w->app, (struct flow *)f);
    if (w->ru_on)
        rollup_flow_end(&w->ru, f);
    if (w->dslot) {
        rcu_read_lock();
        struct detect_gen *g = rcu_dereference(*w->dslot);
        NS_RCU_SEEN(w->dslot);
        if (g && w->id < g->nth)
            detect_flow_end(detect_gen_thread(g, w->id, &w->app.det_seen, &w->app.det_count),
                            f->flow_id);
        NS_RCU_READ_END();
        rcu_read_unlock();
    }
    if (!w->cfg->eve_flow) {
        /* no flow record to feed the detectors: its summary instead */
        if (w->an_flows && !f->anomaly_fed)
            worker_anom_flow(w, f);
        return;
    }
    /* the writer formats it (engine_int.h) */
    struct rec_flow *rf = ring_reserve_wait(w->out, sizeof(*rf));
    memcpy(&rf->f, f, sizeof(*f));
    rf->reason = (uint32_t)reason;
    ring_commit(w->out, REC_FLOW, sizeof(*rf));
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
    w->ru_end_us = UINT64_MAX;
    if (dissect_ctx_init(&w->dc, &cfg->defrag, errbuf) != NS_OK)
        goto err;
    w->dc_ready = true;
    eve_ctx_init(&w->ec, pcap_filename, NULL);
    /* the plan's worker count: cfg->threads is 0 for "auto" */
    unsigned nw = cfg->mem.workers ? cfg->mem.workers : cfg->threads ? cfg->threads : 1;
    if (app_ctx_init(&w->app, cfg, (size_t)(cfg->stream_memcap / nw), out, &w->ec, w->outc,
                     errbuf) != NS_OK)
        goto err;
    w->app_ready = true;
    if (cfg->rollup.interval) {
        if (rollup_init(&w->ru, &cfg->rollup, errbuf) != NS_OK)
            goto err;
        w->ru_on = true;
        w->app.ru = &w->ru;
    }
    w->ft = flow_table_create(&cfg->flow, worker_on_flow_end, w, errbuf);
    if (!w->ft)
        goto err;
    w->ec.ethernet = cfg->eve_ethernet;
    w->ec.community_id_seed = (uint16_t)cfg->community_id_seed;
    w->asink = (struct alert_sink){ .cfg = cfg, .out = out, .ec = &w->ec, .outc = w->outc };
    /* as the writer decides (engine/writer.c): the detectors need alerts */
    if (cfg->anomaly.enabled && cfg->eve_alert) {
        const struct anomaly_det_config *dc = cfg->anomaly.det;
        w->an_arp = dc[ANOM_ARP_SPOOF].enabled;
        w->an_flows = dc[ANOM_HSCAN].enabled || dc[ANOM_VSCAN].enabled ||
                      dc[ANOM_SYN_FLOOD].enabled || dc[ANOM_ICMP_FLOOD].enabled ||
                      dc[ANOM_BRUTE].enabled;
    }
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
    if (w->app_ready)
        app_ctx_fini(&w->app);
    if (w->ru_on)
        rollup_fini(&w->ru);
    if (w->dc_ready)
        dissect_ctx_fini(&w->dc);
    free(w->vbuf);
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

/* An ARP sender binding: to the writer unless the cache holds it already.
 * ARP is rare next to IP, so this is off the hot path. */
static void worker_arp(struct worker *w, const struct ns_pkt *pkt, const struct ns_decoded *d)
{
    uint32_t ip = ns_load_be32(d->arp_spa);
    if (ip == 0)
        return;                  /* a probe (RFC 5227) binds nothing */
    struct worker_arp *e = &w->arp_cache[(ip * 2654435761u) >> (32 - WORKER_ARP_BITS)];
    if (e->ip == ip && memcmp(e->mac, d->arp_sha, 6) == 0) {
        w->an_stats[ANS_ARP_CACHED]++;
        return;
    }
    e->ip = ip;
    memcpy(e->mac, d->arp_sha, 6);
    struct rec_arp *r = ring_reserve_wait(w->out, sizeof(*r));
    memset(r, 0, sizeof(*r));
    r->ts_us = pkt->ts_us;
    memcpy(r->ip, d->arp_spa, 4);
    memcpy(r->mac, d->arp_sha, 6);
    r->op = d->arp_op;
    ring_commit(w->out, REC_ARP, sizeof(*r));
    w->an_stats[ANS_ARP_RECORDS]++;
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

/* The packet rules on one packet (the flow's app layer has seen it). */
static void worker_detect(struct worker *w, const struct ns_pkt *pkt, const struct ns_decoded *d,
                          struct flow *f, bool ts)
{
    rcu_read_lock();
    struct detect_gen *g = rcu_dereference(*w->dslot);
    NS_RCU_SEEN(w->dslot);
    if (g && w->id < g->nth) {
        unsigned ap = f ? app_state_verdict(&f->app) : APP_UNKNOWN;
        struct detect_pkt p = {
            .ts_us = pkt->ts_us, .flow_id = f ? f->flow_id : 0, .ip_v = d->ip_v, .l4 = d->proto,
            .src = d->src, .dst = d->dst, .sport = d->sport, .dport = d->dport,
            .app_proto = ap > APP_FAILED ? app_proto_name(ap) : NULL,
            .toserver = f ? ts : true,
            .established = f && detect_flow_established(f, w->cfg),
            .payload = d->payload, .payload_len = d->has_l4 ? d->payload_len : 0,
            .l3_hdr = d->l3_hdr, .l3_hdr_len = d->l3_hdr_len,
            .l4_hdr = d->l4_hdr, .l4_hdr_len = d->l4_hdr_len,
        };
        if (f && app_encrypted(f, ts)) {
            p.payload = NULL;           /* ciphertext: header-only rules still run */
            p.payload_len = 0;
        }
        const struct detect_match *m;
        /* a SYN's payload (TCP Fast Open) is not handed to the stream */
        bool covered = f && !(d->proto == 6 && (d->tcp_flags & 0x02)) &&
                       app_stream_inspected(&w->app, f, ts);
        unsigned n = detect_packet(detect_gen_thread(g, w->id, &w->app.det_seen, &w->app.det_count),
                                   g->d, &p, covered, &m);
        if (n) {
            struct eve_alert base = {
                .ts_us = pkt->ts_us, .pcap_cnt = pkt->pcap_cnt, .ip_v = d->ip_v,
                .proto = d->proto, .sport = d->sport, .dport = d->dport,
                .icmp_type = d->icmp_type, .icmp_code = d->icmp_code,
                .has_icmp = d->proto == 1 || d->proto == 58,
                .vlan = d->vlan, .vlan_cnt = d->vlan_cnt, .f = f, .toserver = p.toserver,
                .payload = p.payload, .payload_len = p.payload_len,
            };
            memcpy(base.src, d->src, sizeof(base.src));
            memcpy(base.dst, d->dst, sizeof(base.dst));
            alert_emit(&w->asink, m, n, &base, f);
        }
    }
    NS_RCU_READ_END();
    rcu_read_unlock();
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
        if (w->ru_on)
            rollup_packet(&w->ru, &d, pkt.caplen, pkt.wirelen);
        if (likely(d.ip_v != 0)) {
            struct flow *f = flow_table_update(w->ft, &d, pkt.ts_us, d.flow_len);
            bool ts = f && d.sport == f->cli_port && memcmp(d.src, f->cli, sizeof(f->cli)) == 0;
            if (f && d.has_l4 && (d.proto == 6 || d.proto == 17))
                app_packet(&w->app, &pkt, &d, f, ts);
            if (unlikely(w->dslot != NULL))
                worker_detect(w, &pkt, &d, f, ts);
            /* a TCP flow closed (RST, or both FINs acknowledged): what the
             * flow detectors judge is settled now, not at the closed
             * timeout; f->state sits on the line the update just wrote */
            if (unlikely(f && f->state == FLOW_STATE_CLOSED) && w->an_flows && !f->anomaly_fed) {
                f->anomaly_fed = true;
                worker_anom_flow(w, f);
            }
        } else if (unlikely(d.arp_op != 0) && w->an_arp) {
            worker_arp(w, &pkt, &d);
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

static void worker_detect_stats(struct worker *w, uint64_t det[DET_MAX])
{
    const struct detect_counters *c = &w->app.det_count;
    det[DET_ALERT] = c->alerts;
    det[DET_SUPPRESSED] = c->suppressed;
    det[DET_QUEUE_OVERFLOW] = c->alert_cap;
    det[DET_INSPECTED] = c->inspected;
    det[DET_CANDIDATES] = c->candidates;
    det[DET_MATCHES] = c->matches;
    det[DET_SCAN_ERRORS] = c->scan_errors;
    det[DET_FLOWBITS_FULL] = c->flowbits_full;
    det[DET_THRESHOLD_FULL] = c->threshold_full;
    det[DET_PCRE_HS] = c->rm.pcre_hs;
    det[DET_PCRE2] = c->rm.pcre2;
    det[DET_PCRE_ERRORS] = c->rm.pcre_errors;
    det[DET_STEP_LIMIT] = c->rm.step_limit;
    rcu_read_lock();
    struct detect_gen *g = rcu_dereference(*w->dslot);
    NS_RCU_SEEN(w->dslot);
    if (g) {
        struct detect_info di;
        detect_get_info(g->d, &di);
        det[DET_RULES_LOADED] = di.loaded;
        det[DET_RULES_FAILED] = di.skipped;
        det[DET_GENERATION] = g->id;
        det[DET_RELOAD_FAILED] = atomic_load_explicit(&g->reload_failed, memory_order_relaxed);
        _Static_assert(DET_SKIP_TOO_LARGE - DET_SKIP_KEYWORD + 1 == RULE_SKIP_REASON_COUNT,
                       "one stats counter per skip reason");
        for (unsigned i = 0; i < RULE_SKIP_REASON_COUNT; i++)
            det[DET_SKIP_KEYWORD + i] = di.skipped_by[i];
    }
    NS_RCU_READ_END();
    rcu_read_unlock();
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
    memcpy(s->ss, w->app.sc.stats, sizeof(s->ss));
    memcpy(s->app, w->app.counters, sizeof(s->app));
    s->app_memuse = app_memuse(&w->app);
    s->app_memcap = w->app.memcap_fails;
    s->app_evicted = w->app.evicted;
    s->bytes_read = w->bytes_read;         /* live only; the reader's offline */
    s->first_ts_us = w->first_ts_us;
    if (w->dslot)
        worker_detect_stats(w, s->det);
    memcpy(s->an, w->an_stats, sizeof(s->an));
    flow_table_memory(w->ft, &s->mem[MEMS_FLOW_CAP], &s->mem[MEMS_FLOW_USE]);
    s->mem[MEMS_STREAM_CAP] = w->app.mp.cap;
    s->mem[MEMS_STREAM_USE] = w->app.mp.in_use;
    dissect_defrag_memuse(&w->dc, &s->mem[MEMS_DEFRAG_CAP], &s->mem[MEMS_DEFRAG_USE]);
    ring_commit(w->out, REC_SNAP, sizeof(*s));
}

/* A rollup boundary: the sketches, then the counters, to the writer.  The
 * final one first ends every flow, so their records count in it. */
static void worker_rollup(struct worker *w, const struct rec_rollup_tick *t)
{
    if (!w->ru_on)
        return;
    if (t->final)
        flow_table_flush(w->ft);
    uint32_t max = (uint32_t)rollup_top_rec_max(w->cfg->rollup.capacity);
    for (unsigned k = 0; k < RT_MAX; k++) {
        void *buf = ring_reserve_wait(w->out, max);
        size_t n = buf ? rollup_take_top(&w->ru, k, t->seq, buf, max) : 0;
        if (n)
            ring_commit(w->out, REC_ROLLUP_TOP, (uint32_t)n);
    }
    uint64_t fs[FS_MAX];
    flow_table_stats(w->ft, fs);
    struct rollup_rec *r = ring_reserve_wait(w->out, sizeof(*r));
    memset(r, 0, sizeof(*r));
    r->seq = t->seq;
    r->start_us = t->start_us;
    r->end_us = t->end_us;
    r->final = t->final;
    r->next_seq = t->final ? UINT64_MAX : t->next_seq;
    rollup_take_counts(&w->ru, w->dc.counters, fs[FS_TOTAL], fs[FS_ACTIVE], r);
    ring_commit(w->out, REC_ROLLUP, sizeof(*r));
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
        case REC_ROLLUP_TICK:
            if (likely(len >= sizeof(struct rec_rollup_tick)))
                worker_rollup(w, rec);
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

int worker_set_detect(struct worker *w, struct detect_gen **slot, char *errbuf)
{
    w->dslot = slot;
    return app_set_detect(&w->app, slot, w->id, &w->asink, errbuf);
}

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

/* Closes the live rollup interval being counted (t_us >= its end) and opens
 * the one holding t_us.  Interval numbers come from time, the same in every
 * worker; those between (nothing can have been counted in them here) are
 * skipped, and next_seq tells the writer so (engine/writer.c). */
static void worker_live_cut(struct worker *w, uint64_t t_us)
{
    const struct live_ctl *ctl = w->ctl;
    uint64_t next = (t_us - ctl->ru_start_us) / ctl->ru_us;
    struct rec_rollup_tick t = { .seq = w->ru_seq, .next_seq = next, .start_us = w->ru_start_us,
                                 .end_us = w->ru_end_us, .final = false };
    worker_rollup(w, &t);
    w->ru_seq = next;
    w->ru_start_us = ctl->ru_start_us + next * ctl->ru_us;
    w->ru_end_us = w->ru_start_us + ctl->ru_us;
}

/* No block came within the poll timeout.  looked_us is wall time read
 * before the ring was found empty: once it is the grace past the
 * interval's end, every packet stamped before the end had been handed
 * over by then and read (engine/live.h), so the interval is complete,
 * empty or not.  (Time read after the ring check would not do: this
 * thread may be kept off the CPU in between, while packets come.) */
static void worker_live_idle_cut(struct worker *w, uint64_t looked_us)
{
    if (w->ru_end_us == UINT64_MAX)
        return;
    uint64_t grace = w->ctl->ru_grace_us;
    if (looked_us >= grace && looked_us - grace >= w->ru_end_us)
        worker_live_cut(w, looked_us - grace);
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
    /* the first packet of a later rollup interval closes the open one,
     * before it is counted, as the reader's boundary does offline */
    if (unlikely(fr->ts_us >= w->ru_end_us))
        worker_live_cut(w, fr->ts_us);
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
    if (w->ru_on && ctl->ru_us) {
        w->ru_seq = 0;
        w->ru_start_us = ctl->ru_start_us;
        w->ru_end_us = ctl->ru_start_us + ctl->ru_us;
    }
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
        /* the wall time before the look, for an idle rollup cut */
        uint64_t looked_us = w->ru_end_us != UINT64_MAX ? wall_us() : 0;
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
            bool empty_block = afp_block_release(w->afp);
            if (draining)
                break;
            /* idle: wall time drives expiry and closes rollup intervals
             * (not after an empty block: the ring was not seen empty) */
            if (!empty_block)
                worker_live_idle_cut(w, looked_us);
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
            worker_live_idle_cut(w, looked_us);  /* nothing comes while it is down */
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
    if (w->ru_end_us != UINT64_MAX) {
        /* the final interval ends at the stop (or at its end, when the
         * drain ran past it); the flows just ended count in it */
        uint64_t now = wall_us();
        uint64_t ru_end = now < w->ru_start_us ? w->ru_start_us : now > w->ru_end_us ? w->ru_end_us : now;
        struct rec_rollup_tick rt = { .seq = w->ru_seq, .next_seq = UINT64_MAX,
                                      .start_us = w->ru_start_us, .end_us = ru_end, .final = true };
        worker_rollup(w, &rt);
    }
    struct rec_tick t = { .ts_us = end_us, .seq = fin };
    worker_snapshot(w, &t, true, false);
    ring_reserve_wait(w->out, 8);
    ring_commit(w->out, REC_DONE, 0);
    return NULL;
}

/* The thread: an RCU reader for its whole life when it runs rules. */
static void *worker_thread(void *arg)
{
    struct worker *w = arg;
    if (w->dslot)
        rcu_register_thread();
    void *ret = w->afp ? worker_live_main(w) : worker_main(w);
    if (w->dslot)
        rcu_unregister_thread();
    return ret;
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
    int rc = pthread_create(&w->thread, NULL, worker_thread, w);
    if (rc != 0) {
        snprintf(errbuf, NS_ERRBUF_SIZE, "worker %u: pthread_create: %s", w->id, strerror(rc));
        return NS_ERR_NOMEM;
    }
    w->started = true;
    char name[16];
    snprintf(name, sizeof(name), "ns-worker%u", w->id % 1000u);
    (void)pthread_setname_np(w->thread, name);     /* for top -H and perf */
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
