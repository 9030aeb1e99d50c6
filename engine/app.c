/* engine/app.c: the worker's application layer (app.h). */
#include "engine/app.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <urcu.h>

#include "dissect/app_detect.h"
#include "dissect/dhcp.h"
#include "dissect/http.h"
#include "dissect/ftp.h"
#include "dissect/smtp.h"
#include "dissect/ssh.h"
#include "dissect/tls.h"
#include "output/eve_tls.h"
#include "output/eve_ftp.h"
#include "output/eve_smtp.h"
#include "output/eve_dhcp.h"
#include "output/eve_ssh.h"
#include "engine/alert.h"
#include "engine/detect.h"
#include "engine/detect_bufs.h"
#include "engine/engine_int.h"

/* f->ext of a TCP flow that could not have one (mempool exhausted). */
#define APP_EXT_NONE ((struct app_ext *)(uintptr_t)1)

static const char *const app_counter_names[APC_MAX] = {
#define APP_CNT_NAME(id, name) [APC_##id] = name,
    APP_COUNTERS(APP_CNT_NAME)
#undef APP_CNT_NAME
};

const char *app_counter_name(unsigned c)
{
    return c < APC_MAX ? app_counter_names[c] : "unknown";
}

typedef size_t (*app_feed_fn)(void *state, bool toserver, const uint8_t *p, size_t n,
                              unsigned flags, const struct appl_cb *cb);

struct app_parser {
    uint8_t proto;              /* enum app_proto */
    size_t state_size;
    size_t enabled;             /* offsetof the ns_config flag */
    app_feed_fn feed;
    void (*tx)(void *ctx, const void *tx);
};

/* ---- output ---- */

/* The flow as the records tell it: reversed when it was picked up from
 * its server's side (app_deliver). */
static const struct flow *app_out(struct app_ctx *a)
{
    struct flow *f = a->f;
    if (f->proto != 6 || !f->ext || f->ext == APP_EXT_NONE || !f->ext->reversed)
        return f;
    struct flow *r = &a->fswap;
    *r = *f;
    memcpy(r->cli, f->srv, sizeof(r->cli));
    memcpy(r->srv, f->cli, sizeof(r->srv));
    r->cli_port = f->srv_port;
    r->srv_port = f->cli_port;
    memcpy(r->cli_mac, f->srv_mac, 6);
    memcpy(r->srv_mac, f->cli_mac, 6);
    for (int i = 0; i < 2; i++) {
        r->pkts[i] = f->pkts[!i];
        r->bytes[i] = f->bytes[!i];
        r->tcp_flags[i] = f->tcp_flags[!i];
        r->mac_seen[i] = f->mac_seen[!i];
    }
    return r;
}

static void app_commit(struct app_ctx *a, size_t len, enum ns_out_stat what)
{
    if (len == 0) {
        a->outc[OUT_TOO_BIG]++;
        return;                 /* nothing committed: the space is reused */
    }
    ring_commit(a->out, REC_JSON, (uint32_t)len);
    a->outc[what]++;
}

static void app_anomaly_layer(struct app_ctx *a, const char *event, const char *layer)
{
    struct app_ext *x = a->f->proto == 6 ? a->f->ext : NULL;
    unsigned proto = x && x != APP_EXT_NONE ? x->parser : a->f->app.proto;
    a->counters[proto][APC_ERROR]++;
    if (!a->cfg->eve_anomaly)
        return;
    char *buf = ring_reserve_wait(a->out, NS_RECORD_MAX);
    /* as Suricata: src is the flow's client, whichever side misbehaved */
    size_t len = eve_anomaly_flow(a->ec, buf, NS_RECORD_MAX, app_out(a), true, a->ts_us,
                                  a->pcap_cnt, "applayer", app_proto_name(proto), event, layer);
    app_commit(a, len, OUT_ANOMALY);
}

static void app_anomaly(void *ctx, const char *event)
{
    app_anomaly_layer(ctx, event, "proto_parser");
}

static void app_stream_event(void *ctx, int dir, enum stream_event ev)
{
    /* counted in the stream's own stats; no record by default, as
     * Suricata's anomaly log leaves stream events out */
    (void)ctx;
    (void)dir;
    (void)ev;
}

/* ---- rules on transactions ---- */

/* What the rules know of the data going toserver (as the records tell the
 * flow, fo = app_out(a)). */
static struct detect_pkt app_detect_pkt(const struct app_ctx *a, const struct flow *fo,
                                        bool toserver)
{
    unsigned ap = app_state_verdict(&a->f->app);
    return (struct detect_pkt){
        .ts_us = a->ts_us, .flow_id = fo->flow_id, .ip_v = fo->ip_v, .l4 = fo->proto,
        .src = toserver ? fo->cli : fo->srv, .dst = toserver ? fo->srv : fo->cli,
        .sport = toserver ? fo->cli_port : fo->srv_port,
        .dport = toserver ? fo->srv_port : fo->cli_port,
        .app_proto = ap > APP_FAILED ? app_proto_name(ap) : NULL,
        .toserver = toserver, .established = detect_flow_established(a->f, a->cfg),
    };
}

/* The packet and flow facts of an alert about p, over e's other fields. */
static void app_alert_head(const struct app_ctx *a, const struct flow *fo,
                           const struct detect_pkt *p, struct eve_alert *e)
{
    e->ts_us = a->ts_us;
    e->pcap_cnt = a->pcap_cnt;
    e->ip_v = fo->ip_v;
    e->proto = fo->proto;
    memcpy(e->src, p->src, sizeof(e->src));
    memcpy(e->dst, p->dst, sizeof(e->dst));
    e->sport = p->sport;
    e->dport = p->dport;
    e->vlan = fo->vlan;
    e->vlan_cnt = fo->vlan_cnt;
    e->f = fo;
    e->toserver = p->toserver;
}

/* The transaction rules on bufs, the data going toserver (as the records
 * tell the flow); base carries the app-layer object and tx_id.  Rules in
 * done[0, *ndone) already alerted on this transaction and do not again;
 * those alerting now are added there. */
static void app_rules(struct app_ctx *a, bool toserver, const struct rule_buffer *bufs,
                      const struct eve_alert *base, const struct rule **done, unsigned *ndone)
{
    rcu_read_lock();
    struct detect_gen *g = rcu_dereference(*a->dslot);
    NS_RCU_SEEN(a->dslot);
    if (g && a->wid < g->nth) {
        const struct flow *fo = app_out(a);
        struct detect_pkt p = app_detect_pkt(a, fo, toserver);
        const struct detect_match *m;
        struct detect_thread *t = detect_gen_thread(g, a->wid, &a->det_seen, &a->det_count);
        unsigned n = detect_tx(t, g->d, &p, bufs, &m);
        struct detect_match keep[DETECT_MAX_ALERTS];
        unsigned k = 0;
        for (unsigned i = 0; i < n; i++) {
            bool seen = false;
            for (unsigned j = 0; done && j < *ndone && !seen; j++)
                seen = done[j] == m[i].r;
            if (seen)
                continue;
            keep[k++] = m[i];
            if (done && *ndone < DETECT_MAX_ALERTS)
                done[(*ndone)++] = m[i].r;
        }
        if (k) {
            struct eve_alert e = *base;
            app_alert_head(a, fo, &p, &e);
            alert_emit(a->asink, keep, k, &e, a->f);
        }
    }
    NS_RCU_READ_END();
    rcu_read_unlock();
}

/* ---- rules on the reassembled stream ---- */

static size_t app_deliver_parser(void *ctx, int dir, const uint8_t *p, size_t n, unsigned flags,
                                 uint64_t gap);

#define APP_DTAIL 512u          /* bytes kept per direction for matches across chunks */

struct app_dtail {
    uint32_t unconsumed[2];     /* bytes the parser left pending last time */
    uint16_t tlen[2];
    uint8_t tail[2][APP_DTAIL];
};

bool app_encrypted(const struct flow *f, bool toserver)
{
    if (f->proto != 6)
        return false;
    /* TLS only: our SSH parser lets go after the key exchange init, before
     * the NEWKEYS that Suricata still inspects in clear */
    if (app_state_verdict(&f->app) != APP_TLS)
        return false;
    /* the handshake parser has let go: what follows is ciphertext */
    return f->ext && f->ext != APP_EXT_NONE && !stream_active(&f->ext->st, toserver ? 0 : 1) &&
           f->ext->state == NULL;
}

bool app_stream_inspected(const struct app_ctx *a, const struct flow *f, bool toserver)
{
    if (!a->dslot || f->proto != 6 || !f->ext || f->ext == APP_EXT_NONE)
        return false;
    return stream_active(&f->ext->st, toserver ? 0 : 1);
}

/* The new bytes p[0, n) going toserver (as the records tell the flow),
 * with the tail of what came before, through the payload rules. */
static void app_stream_rules(struct app_ctx *a, struct app_dtail *dt, int dir, bool toserver,
                             const uint8_t *p, size_t n)
{
    rcu_read_lock();
    struct detect_gen *g = rcu_dereference(*a->dslot);
    NS_RCU_SEEN(a->dslot);
    if (g && a->wid < g->nth) {
        const struct flow *fo = app_out(a);
        struct detect_pkt pk = app_detect_pkt(a, fo, toserver);
        /* in pieces that fit the scratch after the tail */
        const size_t piece = DETECT_BUFS_SCRATCH - APP_DTAIL;
        for (size_t off = 0; off < n;) {
            size_t k = n - off < piece ? n - off : piece;
            size_t old = dt->tlen[dir];
            memcpy(a->dbuf, dt->tail[dir], old);
            memcpy(a->dbuf + old, p + off, k);
            const struct detect_match *m;
            struct detect_thread *t = detect_gen_thread(g, a->wid, &a->det_seen, &a->det_count);
            unsigned c = detect_stream(t, g->d, &pk, a->dbuf, old + k, old, &m);
            if (c) {
                struct eve_alert e = { .payload = a->dbuf, .payload_len = old + k };
                app_alert_head(a, fo, &pk, &e);
                alert_emit(a->asink, m, c, &e, a->f);
            }
            /* the new tail: the last APP_DTAIL bytes of old + piece */
            size_t all = old + k, keep = all < APP_DTAIL ? all : APP_DTAIL;
            memcpy(dt->tail[dir], a->dbuf + all - keep, keep);
            dt->tlen[dir] = (uint16_t)keep;
            off += k;
        }
    }
    NS_RCU_READ_END();
    rcu_read_unlock();
}

static size_t app_deliver(void *ctx, int dir, const uint8_t *p, size_t n, unsigned flags,
                          uint64_t gap)
{
    struct app_ctx *a = ctx;
    struct app_ext *x = a->f->ext;
    if (!a->dslot)
        return app_deliver_parser(ctx, dir, p, n, flags, gap);
    if (!x->dt) {
        size_t got;
        x->dt = mempool_alloc(&a->mp, sizeof(*x->dt), &got);
        if (x->dt)
            memset(x->dt, 0, sizeof(*x->dt));
    }
    struct app_dtail *dt = x->dt;
    if (dt) {
        if (gap)                /* bytes were lost: nothing spans the hole */
            dt->tlen[dir] = 0;
        size_t seen = dt->unconsumed[dir] < n ? dt->unconsumed[dir] : n;
        if (n > seen)
            app_stream_rules(a, dt, dir, (dir == 0) != x->reversed, p + seen, n - seen);
    }
    size_t used = app_deliver_parser(ctx, dir, p, n, flags, gap);
    if (dt)
        dt->unconsumed[dir] = (uint32_t)(n - used);
    return used;
}

int app_set_detect(struct app_ctx *a, struct detect_gen **slot, unsigned wid,
                   const struct alert_sink *sink, char *errbuf)
{
    a->dbuf = malloc(DETECT_BUFS_SCRATCH);
    if (!a->dbuf) {
        snprintf(errbuf, NS_ERRBUF_SIZE, "worker %u: out of memory for the rules", wid);
        return NS_ERR_NOMEM;
    }
    a->dslot = slot;
    a->wid = wid;
    a->asink = sink;
    return NS_OK;
}

/* ---- DNS (UDP datagrams and TCP messages) ---- */

/* One DNS message of flow f (toserver: sent by its client).  The parser is
 * on for the message's transport (config_dns_enabled, checked by the
 * callers); outputs.eve.dns says which messages get records, in which
 * format. */
static void app_dns_msg(struct app_ctx *a, const struct ns_pkt *pkt, const struct ns_decoded *d,
                        bool toserver, struct dns_txs *txs, const uint8_t *p, size_t n)
{
    enum dns_err e = dns_parse(p, n, &a->dns, a->dns_text, sizeof(a->dns_text));
    if (e != DNS_ERR_OK) {
        /* malformed: counted and reported; what parsed before the fault
         * (the questions, whole records) is still logged, as it is what an
         * analyst looks for in a tunnel or an attack */
        a->outc[OUT_DNS_INVALID]++;
        app_anomaly_layer(a, "MALFORMED_DATA", "proto_parser");
        if (e == DNS_ERR_SHORT_HEADER || a->dns.nq == 0)
            return;
        a->dns.partial = true;
    }
    uint64_t tx = dns_is_response(&a->dns) ? dns_txs_response(txs, a->dns.id)
                                           : dns_txs_request(txs, a->dns.id);
    a->counters[APP_DNS][APC_TX]++;
    /* the transaction is numbered whether or not it is written, as in
     * Suricata, so tx_id stays the same with requests or responses off */
    bool resp = dns_is_response(&a->dns);
    if (a->ru)
        rollup_dns(a->ru, resp, dns_rcode(&a->dns), a->dns_text + (a->dns.nq ? a->dns.q[0].name.off : 0),
                   a->dns.nq ? a->dns.q[0].name.len : 0);
    if (a->dslot && !resp && a->dns.nq) {
        /* dns.query: each question of a request, one inspection each */
        struct rule_buffer b[RULE_BUF_COUNT];
        detect_bufs_clear(b);
        const struct rule *done[DETECT_MAX_ALERTS];
        unsigned ndone = 0;
        struct eve_alert base = { .has_tx = true, .tx_id = tx, .dns = &a->dns,
                                  .dns_scratch = a->dns_text };
        for (unsigned i = 0; i < a->dns.nq; i++) {
            b[RULE_BUF_DNS_QUERY].p = (const uint8_t *)a->dns_text + a->dns.q[i].name.off;
            b[RULE_BUF_DNS_QUERY].len = a->dns.q[i].name.len;
            app_rules(a, toserver, b, &base, done, &ndone);
        }
    }
    if (!a->cfg->eve_dns || (resp ? !a->cfg->eve_dns_responses : !a->cfg->eve_dns_requests))
        return;
    if (a->cfg->eve_dns_version == 2) {
        /* a request: one record per question; a response: one, if it
         * repeats a question (Suricata 7 skips it otherwise) */
        unsigned recs = resp ? (a->dns.nq ? 1 : 0) : a->dns.nq;
        for (unsigned i = 0; i < recs; i++) {
            char *buf = ring_reserve_wait(a->out, NS_RECORD_MAX);
            size_t len = eve_dns_v2(a->ec, buf, NS_RECORD_MAX, pkt, d, app_out(a), toserver,
                                    &a->dns, a->dns_text, tx, i);
            app_commit(a, len, OUT_DNS);
        }
        return;
    }
    /* version 3: the writer formats it (engine_int.h) */
    struct rec_dns *rd = ring_reserve_wait(a->out, (uint32_t)(sizeof(*rd) + n));
    if (!rd) {                      /* n <= 65535: never beyond a ring's record */
        a->outc[OUT_TOO_BIG]++;
        return;
    }
    memcpy(&rd->f, app_out(a), sizeof(rd->f));
    rd->ts_us = pkt->ts_us;
    rd->pcap_cnt = pkt->pcap_cnt;
    rd->tx_id = tx;
    memcpy(rd->src, d->src, sizeof(rd->src));
    memcpy(rd->dst, d->dst, sizeof(rd->dst));
    rd->sport = d->sport;
    rd->dport = d->dport;
    memcpy(rd->vlan, d->vlan, sizeof(rd->vlan));
    rd->vlan_cnt = d->vlan_cnt;
    rd->ip_v = d->ip_v;
    rd->proto = d->proto;
    rd->has_eth = d->has_eth;
    memcpy(rd->src_mac, d->src_mac, sizeof(rd->src_mac));
    memcpy(rd->dst_mac, d->dst_mac, sizeof(rd->dst_mac));
    rd->len = (uint32_t)n;
    memcpy(rd + 1, p, n);
    ring_commit(a->out, REC_DNS, (uint32_t)(sizeof(*rd) + n));
    a->outc[OUT_DNS]++;
}

struct dns_tcp_state {
    struct dns_txs txs;
};

/* DNS over TCP (RFC 1035 4.2.2): each message after a 2-byte length.  The
 * record's addresses are the flow's, in the direction of the message. */
static size_t feed_dns_tcp(void *state, bool toserver, const uint8_t *p, size_t n,
                           unsigned flags, const struct appl_cb *cb)
{
    struct dns_tcp_state *s = state;
    struct app_ctx *a = cb->ctx;
    if (!config_dns_enabled(a->cfg, 6))
        return n;                   /* app-layer.protocols.dns(.tcp).enabled: no */
    const struct flow *f = app_out(a);
    (void)flags;
    struct ns_decoded d;
    memset(&d, 0, sizeof(d));
    d.ip_v = f->ip_v;
    d.proto = 6;
    d.has_l4 = true;
    memcpy(d.src, toserver ? f->cli : f->srv, 16);
    memcpy(d.dst, toserver ? f->srv : f->cli, 16);
    d.sport = toserver ? f->cli_port : f->srv_port;
    d.dport = toserver ? f->srv_port : f->cli_port;
    d.vlan_cnt = f->vlan_cnt;
    memcpy(d.vlan, f->vlan, sizeof(d.vlan));
    struct ns_pkt pkt = { .ts_us = a->ts_us, .pcap_cnt = a->pcap_cnt };
    size_t off = 0;
    while (n - off >= 2) {
        size_t mlen = ns_load_be16(p + off);
        if (mlen > n - off - 2)
            break;                  /* the rest comes later */
        app_dns_msg(a, &pkt, &d, toserver, &s->txs, p + off + 2, mlen);
        off += 2 + mlen;
    }
    return (flags & APPL_EOF) ? n : off;
}

/* ---- HTTP ---- */

static size_t feed_http(void *state, bool toserver, const uint8_t *p, size_t n, unsigned flags,
                        const struct appl_cb *cb)
{
    return http_feed(state, toserver, p, n, flags, cb);
}

static void tx_http(void *ctx, const void *txp)
{
    struct app_ctx *a = ctx;
    const struct http_tx *t = txp;
    struct eve_http_tx e = {
        .f = app_out(a), .ts_us = a->ts_us, .pcap_cnt = a->pcap_cnt, .tx_id = t->tx_id,
        .resp_len = t->resp_body, .req = t->req, .resp = t->resp, .req_p = t->req_p,
        .resp_p = t->resp_p,
    };
    a->counters[APP_HTTP][APC_TX]++;
    if (a->ru) {
        char host[EVE_HOSTNAME_MAX];
        size_t hl = t->req ? eve_http_hostname(t->req, t->req_p, host, NULL) : 0;
        rollup_http(a->ru, t->resp ? t->resp->status : 0, host, hl);
    }
    if (a->dslot) {
        /* the request's buffers, then the response's, one alert per rule
         * and transaction */
        struct rule_buffer b[RULE_BUF_COUNT];
        const struct rule *done[DETECT_MAX_ALERTS];
        unsigned ndone = 0;
        struct eve_alert base = { .has_tx = true, .tx_id = t->tx_id, .http = &e };
        if (t->req) {
            detect_bufs_http(b, true, t, a->dbuf, DETECT_BUFS_SCRATCH);
            app_rules(a, true, b, &base, done, &ndone);
        }
        if (t->resp) {
            detect_bufs_http(b, false, t, a->dbuf, DETECT_BUFS_SCRATCH);
            app_rules(a, false, b, &base, done, &ndone);
        }
    }
    if (!a->cfg->eve_http)
        return;
    char *buf = ring_reserve_wait(a->out, NS_RECORD_MAX);
    app_commit(a, eve_http(a->ec, buf, NS_RECORD_MAX, &e), OUT_HTTP);
}

/* ---- SSH ---- */

static size_t feed_ssh(void *state, bool toserver, const uint8_t *p, size_t n, unsigned flags,
                       const struct appl_cb *cb)
{
    return ssh_feed(state, toserver, p, n, flags, cb);
}

static void tx_ssh(void *ctx, const void *txp)
{
    struct app_ctx *a = ctx;
    struct app_ext *x = a->f->ext;
    a->counters[APP_SSH][APC_TX]++;
    x->finished = true;             /* one record per session */
    if (!a->cfg->eve_ssh)
        return;
    char *buf = ring_reserve_wait(a->out, NS_RECORD_MAX);
    app_commit(a, eve_ssh(a->ec, buf, NS_RECORD_MAX, app_out(a), a->ts_us, a->pcap_cnt, x->next_tx++,
                          txp), OUT_SSH);
}

/* ---- TLS ---- */

static size_t feed_tls(void *state, bool toserver, const uint8_t *p, size_t n, unsigned flags,
                       const struct appl_cb *cb)
{
    return tls_feed(state, toserver, p, n, flags, cb);
}

static void tx_tls(void *ctx, const void *txp)
{
    struct app_ctx *a = ctx;
    struct app_ext *x = a->f->ext;
    a->counters[APP_TLS][APC_TX]++;
    x->finished = true;             /* one handshake per connection */
    uint64_t tx = x->next_tx++;
    const struct tls_tx *t = txp;
    if (a->ru)
        rollup_tls(a->ru, t->version, t->sni, t->has_sni ? t->sni_len : 0);
    if (a->dslot && t->has_sni) {
        struct rule_buffer b[RULE_BUF_COUNT];
        detect_bufs_clear(b);
        b[RULE_BUF_TLS_SNI].p = (const uint8_t *)t->sni;
        b[RULE_BUF_TLS_SNI].len = t->sni_len;
        struct eve_alert base = { .has_tx = true, .tx_id = tx, .tls = t };
        app_rules(a, true, b, &base, NULL, NULL);
    }
    if (!a->cfg->eve_tls)
        return;
    char *buf = ring_reserve_wait(a->out, NS_RECORD_MAX);
    app_commit(a, eve_tls(a->ec, buf, NS_RECORD_MAX, app_out(a), a->ts_us, a->pcap_cnt, tx, txp),
               OUT_TLS);
}

/* ---- SMTP, FTP ---- */

static size_t feed_smtp(void *state, bool toserver, const uint8_t *p, size_t n, unsigned flags,
                        const struct appl_cb *cb)
{
    return smtp_feed(state, toserver, p, n, flags, cb);
}

static void tx_smtp(void *ctx, const void *txp)
{
    struct app_ctx *a = ctx;
    const struct smtp_tx *t = txp;
    a->counters[APP_SMTP][APC_TX]++;
    if (a->dslot && t->has_file) {
        /* file.data: the first attachment, decoded (Suricata's SMTP file) */
        struct rule_buffer b[RULE_BUF_COUNT];
        detect_bufs_clear(b);
        b[RULE_BUF_FILE_DATA].p = t->file_data;
        b[RULE_BUF_FILE_DATA].len = t->file_len;
        struct eve_alert base = { .has_tx = true, .tx_id = t->tx_id };
        app_rules(a, true, b, &base, NULL, NULL);
    }
    if (!a->cfg->eve_smtp)
        return;
    char *buf = ring_reserve_wait(a->out, NS_RECORD_MAX);
    app_commit(a, eve_smtp(a->ec, buf, NS_RECORD_MAX, app_out(a), a->ts_us, a->pcap_cnt, t->tx_id, t),
               OUT_SMTP);
}

static size_t feed_ftp(void *state, bool toserver, const uint8_t *p, size_t n, unsigned flags,
                       const struct appl_cb *cb)
{
    return ftp_feed(state, toserver, p, n, flags, cb);
}

static void tx_ftp(void *ctx, const void *txp)
{
    struct app_ctx *a = ctx;
    const struct ftp_tx *t = txp;
    a->counters[APP_FTP][APC_TX]++;
    if (!a->cfg->eve_ftp)
        return;
    char *buf = ring_reserve_wait(a->out, NS_RECORD_MAX);
    app_commit(a, eve_ftp(a->ec, buf, NS_RECORD_MAX, app_out(a), a->ts_us, a->pcap_cnt, t->tx_id, t),
               OUT_FTP);
}

/* ---- parsers ---- */

static const struct app_parser app_parsers[] = {
    { APP_HTTP, sizeof(struct http_state), offsetof(struct ns_config, eve_http), feed_http,
      tx_http },
    { APP_DNS, sizeof(struct dns_tcp_state), offsetof(struct ns_config, eve_dns), feed_dns_tcp,
      NULL },
    { APP_SSH, sizeof(struct ssh_state), offsetof(struct ns_config, eve_ssh), feed_ssh, tx_ssh },
    { APP_TLS, sizeof(struct tls_state), offsetof(struct ns_config, eve_tls), feed_tls, tx_tls },
    { APP_SMTP, sizeof(struct smtp_state), offsetof(struct ns_config, eve_smtp), feed_smtp,
      tx_smtp },
    { APP_FTP, sizeof(struct ftp_state), offsetof(struct ns_config, eve_ftp), feed_ftp, tx_ftp },
};

/* The protocols rollups read transactions of (output/rollup.h). */
static bool app_rollup_proto(unsigned proto)
{
    return proto == APP_DNS || proto == APP_HTTP || proto == APP_TLS;
}

static const struct app_parser *app_parser_for(const struct ns_config *cfg, unsigned proto)
{
    for (size_t i = 0; i < NS_ARRAY_LEN(app_parsers); i++) {
        const struct app_parser *ap = &app_parsers[i];
        if (ap->proto == proto)
            return cfg->rules_loaded || *(const bool *)((const char *)cfg + ap->enabled) ||
                           (cfg->rollup.interval && app_rollup_proto(proto)) ? ap : NULL;
    }
    return NULL;
}

static bool app_any_parser(const struct ns_config *cfg)
{
    for (size_t i = 0; i < NS_ARRAY_LEN(app_parsers); i++)
        if (app_parser_for(cfg, app_parsers[i].proto))
            return true;
    return false;
}

/* The parser's last words (APPL_EOF each way it has not had it). */
static void app_parser_end(struct app_ctx *a, struct app_ext *x)
{
    const struct app_parser *ap = app_parser_for(a->cfg, x->parser);
    if (ap && x->state) {
        a->cb.tx = ap->tx;
        for (int dir = 0; dir < 2; dir++) {
            if (x->eof & (1u << dir))
                continue;
            x->eof |= (uint8_t)(1u << dir);
            bool ts = (dir == 0) != x->reversed;
            a->dir = ts ? 0 : 1;
            a->cb.gap = 0;
            (void)ap->feed(x->state, ts, (const uint8_t *)"", 0, APPL_EOF, &a->cb);
        }
    }
    if (x->state)
        mempool_free(&a->mp, x->state, x->state_size);
    x->state = NULL;
    x->state_size = 0;
    x->parser = APP_UNKNOWN;
}

/* The flow's protocol is now proto: its parser takes over. */
static void app_attach(struct app_ctx *a, struct app_ext *x, unsigned proto)
{
    if (x->parser != APP_UNKNOWN)
        app_parser_end(a, x);
    x->eof = 0;
    x->parser = (uint8_t)proto;
    const struct app_parser *ap = app_parser_for(a->cfg, proto);
    if (!ap)
        return;
    size_t got;
    void *st = mempool_alloc(&a->mp, ap->state_size, &got);
    if (!st) {
        a->memcap_fails++;
        return;
    }
    memset(st, 0, ap->state_size);
    x->state = st;
    x->state_size = (uint32_t)got;
}

static size_t app_deliver_parser(void *ctx, int dir, const uint8_t *p, size_t n, unsigned flags,
                                 uint64_t gap)
{
    struct app_ctx *a = ctx;
    a->cb.gap = gap;
    struct flow *f = a->f;
    struct app_ext *x = f->ext;
    uint16_t sp = dir == 0 ? f->cli_port : f->srv_port, dp = dir == 0 ? f->srv_port : f->cli_port;
    /* A connection picked up in the middle may have been seen first from
     * its server: when its first bytes only make sense the other way
     * round (a request sent by the "server"), the parsers and the records
     * take the flow reversed, as Suricata swaps such a flow. */
    if (n && f->app.proto == APP_UNKNOWN && !x->reversed &&
        !((f->tcp_flags[0] | f->tcp_flags[1]) & 0x02) &&
        app_detect(6, sp, dp, dir == 0, p, n) == APP_UNKNOWN &&
        app_detect(6, sp, dp, dir != 0, p, n) != APP_UNKNOWN) {
        x->reversed = true;
        memset(&f->app, 0, sizeof(f->app));
    }
    bool ts = (dir == 0) != x->reversed;
    a->dir = ts ? 0 : 1;
    if (n)
        app_state_update(&f->app, 6, sp, dp, ts, p, n);
    unsigned proto = f->app.proto;
    if (proto != APP_UNKNOWN && proto != x->parser) {
        app_attach(a, x, proto);
        if (!x->counted) {
            x->counted = true;
            a->counters[proto][APC_FLOW]++;
        }
    }
    /* each side said a different protocol: the parser hears only the
     * side that agrees with it */
    unsigned side = ts ? f->app.ts : f->app.tc;
    if (side > APP_FAILED && f->app.ts > APP_FAILED && f->app.tc > APP_FAILED &&
        f->app.ts != f->app.tc && side != x->parser) {
        if (!x->mismatch) {
            x->mismatch = true;
            app_anomaly_layer(a, "APPLAYER_MISMATCH_PROTOCOL_BOTH_DIRECTIONS", "proto_detect");
        }
        return n;
    }
    if (!x->state) {
        bool settled = proto != APP_UNKNOWN ||
                       (f->app.tries[0] >= APP_DETECT_TRIES && f->app.tries[1] >= APP_DETECT_TRIES);
        /* nothing more to learn from the bytes, unless the protocol can
         * turn into TLS (STARTTLS, pgsql's SSLRequest) or a tunnel (HTTP
         * CONNECT, SOCKS) */
        if (settled && !app_may_change(&f->app))
            x->stop = true;
        return n;
    }
    if (x->eof & (1u << dir))
        return n;
    if (flags & APPL_EOF)
        x->eof |= (uint8_t)(1u << dir);
    const struct app_parser *ap = app_parser_for(a->cfg, x->parser);
    a->cb.tx = ap->tx;
    size_t used = ap->feed(x->state, ts, p, n, flags, &a->cb);
    return used <= n ? used : n;
}

/* ---- the worker's entry points ---- */

int app_ctx_init(struct app_ctx *a, const struct ns_config *cfg, size_t mem, struct ring *out,
                 struct eve_ctx *ec, uint64_t *outc, char *errbuf)
{
    memset(a, 0, sizeof(*a));
    a->cfg = cfg;
    a->out = out;
    a->ec = ec;
    a->outc = outc;
    if (app_any_parser(cfg) && mempool_init(&a->mp, mem, errbuf) != NS_OK)
        return NS_ERR_NOMEM;
    a->sc.cfg = cfg->stream;
    a->sc.mp = &a->mp;
    a->sc.deliver = app_deliver;
    a->sc.event = app_stream_event;
    a->sc.cb_ctx = a;
    a->cb.anomaly = app_anomaly;
    a->cb.ctx = a;
    return NS_OK;
}

void app_ctx_fini(struct app_ctx *a)
{
    mempool_fini(&a->mp);
    free(a->dbuf);
    a->dbuf = NULL;
}

/* One DHCP message: every one is a transaction of its flow. */
static void app_dhcp(struct app_ctx *a, const struct ns_decoded *d, struct flow *f, bool toserver)
{
    enum dhcp_err e = dhcp_parse(d->payload, d->payload_len, &a->dhcp);
    if (e != DHCP_ERR_OK) {
        a->counters[APP_DHCP][APC_ERROR]++;
        a->outc[OUT_DHCP_INVALID]++;
        if (e == DHCP_ERR_TRUNCATED_OPTIONS || e == DHCP_ERR_MALFORMED_OPTIONS) {
            a->dir = toserver ? 0 : 1;
            app_anomaly(a, dhcp_err_name(e));
        }
        if (!dhcp_err_usable(e))
            return;
    }
    uint64_t tx = f->dns.next++;
    a->counters[APP_DHCP][APC_TX]++;
    if (!eve_dhcp_wanted(&a->dhcp, a->cfg->dhcp_extended))
        return;
    char *buf = ring_reserve_wait(a->out, NS_RECORD_MAX);
    app_commit(a, eve_dhcp(a->ec, buf, NS_RECORD_MAX, f, toserver, a->ts_us, a->pcap_cnt, tx,
                           &a->dhcp, a->cfg->dhcp_extended), OUT_DHCP);
}

static void app_udp(struct app_ctx *a, const struct ns_pkt *pkt, const struct ns_decoded *d,
                    struct flow *f, bool toserver)
{
    bool had = f->app.proto != APP_UNKNOWN;
    app_state_update(&f->app, 17, d->sport, d->dport, toserver, d->payload, d->payload_len);
    unsigned proto = app_state_verdict(&f->app);
    if (!had && f->app.proto != APP_UNKNOWN)
        a->counters[f->app.proto][APC_FLOW]++;
    if (proto == APP_DNS && (a->cfg->eve_dns || a->cfg->rules_loaded || a->ru) &&
        config_dns_enabled(a->cfg, 17))
        app_dns_msg(a, pkt, d, toserver, &f->dns, d->payload, d->payload_len);
    else if (proto == APP_DHCP && a->cfg->eve_dhcp)
        app_dhcp(a, d, f, toserver);
}

/* ---- the clock of app_ext holders ---- */

static void clock_insert(struct app_ctx *a, struct app_ext *x)
{
    struct app_ext *h = a->hand;
    if (!h) {
        x->older = x->newer = x;
        a->hand = x;
        return;
    }
    /* just behind the hand: the last the hand reaches */
    x->newer = h;
    x->older = h->older;
    h->older->newer = x;
    h->older = x;
}

static void clock_remove(struct app_ctx *a, struct app_ext *x)
{
    if (x->newer == x) {
        a->hand = NULL;
        return;
    }
    if (a->hand == x)
        a->hand = x->newer;
    x->older->newer = x->newer;
    x->newer->older = x->older;
}

/* The first holder the hand finds without a packet since it last passed
 * (it clears the bits it passes), never keep; NULL when none is found in
 * two turns (keep is the only holder). */
static struct app_ext *clock_victim(struct app_ctx *a, const struct app_ext *keep)
{
    struct app_ext *x = a->hand;
    if (!x)
        return NULL;
    struct app_ext *start = x;
    for (unsigned turn = 0; turn < 2;) {
        if (x != keep) {
            if (!x->ref) {
                a->hand = x->newer;
                return x;
            }
            x->ref = false;
        }
        x = x->newer;
        if (x == start)
            turn++;
    }
    return NULL;
}

/* f's app_ext goes back: queued bytes and APPL_EOF to its parser, its last
 * transactions written; f->ext becomes after (NULL at the flow's end,
 * APP_EXT_NONE when evicted: no other is made for it). */
static void app_release(struct app_ctx *a, struct flow *f, struct app_ext *after)
{
    struct app_ext *x = f->ext;
    f->ext = after;
    if (!x || x == APP_EXT_NONE)
        return;
    clock_remove(a, x);
    f->ext = x;                     /* the parsers' callbacks read it */
    a->f = f;
    a->ts_us = f->last_us;
    a->pcap_cnt = 0;
    stream_end(&a->sc, &x->st);
    if (x->parser != APP_UNKNOWN || x->state)
        app_parser_end(a, x);
    f->ext = after;
    if (x->dt)
        mempool_free(&a->mp, x->dt, sizeof(*x->dt));
    mempool_free(&a->mp, x, sizeof(*x));
}

/* n holders (at most 8), never keep, give their memory back; how many
 * did.  Not while bytes are being delivered to a parser (the victims'
 * parsers run here). */
static uint64_t app_evict(struct app_ctx *a, const struct app_ext *keep, uint64_t n)
{
    struct flow *cur = a->f;
    uint64_t ts = a->ts_us, cnt = a->pcap_cnt, done = 0;
    for (; done < n && done < 8; done++) {
        struct app_ext *v = clock_victim(a, keep);
        if (!v)
            break;
        app_release(a, v->flow, APP_EXT_NONE);
    }
    a->evicted += done;
    a->f = cur;
    a->ts_us = ts;
    a->pcap_cnt = cnt;
    return done;
}

static void app_tcp(struct app_ctx *a, const struct ns_decoded *d, struct flow *f, bool toserver)
{
    struct app_ext *x = f->ext;
    if (!x && a->mp.cap) {
        size_t got;
        x = mempool_alloc(&a->mp, sizeof(*x), &got);
        /* a new connection: the least recently active holder makes room */
        if (!x && app_evict(a, NULL, 1))
            x = mempool_alloc(&a->mp, sizeof(*x), &got);
        if (x) {
            memset(x, 0, sizeof(*x));
            x->parser = APP_UNKNOWN;
            x->flow = f;
            clock_insert(a, x);
        } else {
            a->memcap_fails++;
            x = APP_EXT_NONE;
        }
        f->ext = x;
    }
    int dir = toserver ? 0 : 1;
    if (x && x != APP_EXT_NONE) {
        x->ref = true;
        stream_packet(&a->sc, &x->st, dir, d);
        /* both directions ended and delivered: the parser's memory goes
         * back now, not when the flow times out a minute later */
        if (x->state && (x->eof & 3) == 3)
            app_parser_end(a, x);
        /* TLS after its handshake, SSH after its key exchange: what
         * follows is encrypted; the parser and the reassembly stop there,
         * as Suricata's encryption handling does */
        if (x->finished) {
            x->finished = false;
            app_parser_end(a, x);
            x->stop = true;
        }
        if (x->stop) {
            stream_stop(&a->sc, &x->st, 0);
            stream_stop(&a->sc, &x->st, 1);
            x->stop = false;
        }
        if (stream_active(&x->st, dir) || !d->payload_len)
            return;
    }
    /* not reassembled: detection by packet, so flow records still say
     * what the flow was */
    if (d->payload_len)
        app_state_update(&f->app, 6, d->sport, d->dport, toserver, d->payload, d->payload_len);
}

void app_packet(struct app_ctx *a, const struct ns_pkt *pkt, const struct ns_decoded *d,
                struct flow *f, bool toserver)
{
    a->f = f;
    a->ts_us = pkt->ts_us;
    a->pcap_cnt = pkt->pcap_cnt;
    if (d->proto == 17) {
        if (d->payload_len)
            app_udp(a, pkt, d, f, toserver);
        return;
    }
    /* refusals while bytes went to f's parser (its state, stream
     * segments): the holders least recently active give their memory back
     * now, one per refusal not yet answered, for the next packets */
    uint64_t fails = a->mp.fails, evicted = a->evicted;
    app_tcp(a, d, f, toserver);
    uint64_t owed = a->mp.fails - fails;
    if (unlikely(owed > a->evicted - evicted))
        (void)app_evict(a, f->ext, owed - (a->evicted - evicted));
}

void app_flow_end(struct app_ctx *a, struct flow *f)
{
    if (f->proto == 6)
        app_release(a, f, NULL);
}
