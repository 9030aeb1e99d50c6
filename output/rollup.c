/* output/rollup.c: rollup accumulators and their merge (see rollup.h). */
#include "output/rollup.h"

#include <stdio.h>

static const char *const top_names[] = {
#define ROLLUP_TOP_NAME(id, name, key) name,
    ROLLUP_TOPS(ROLLUP_TOP_NAME)
#undef ROLLUP_TOP_NAME
};

static const uint32_t top_keys[] = {
#define ROLLUP_TOP_KEY(id, name, key) key,
    ROLLUP_TOPS(ROLLUP_TOP_KEY)
#undef ROLLUP_TOP_KEY
};

const char *rollup_top_name(unsigned t)
{
    return t < RT_MAX ? top_names[t] : "?";
}

static int rollup_sketches(struct sketch **sk, const struct rollup_config *cfg, char *errbuf)
{
    for (unsigned t = 0; t < RT_MAX; t++) {
        sk[t] = sketch_create(cfg->capacity, top_keys[t], errbuf);
        if (!sk[t])
            return NS_ERR_NOMEM;
    }
    return NS_OK;
}

int rollup_init(struct rollup *r, const struct rollup_config *cfg, char *errbuf)
{
    memset(r, 0, sizeof(*r));
    int rc = rollup_sketches(r->top, cfg, errbuf);
    if (rc != NS_OK)
        rollup_fini(r);
    return rc;
}

void rollup_fini(struct rollup *r)
{
    for (unsigned t = 0; t < RT_MAX; t++) {
        sketch_destroy(r->top[t]);
        r->top[t] = NULL;
    }
}

size_t rollup_top_rec_max(uint32_t capacity)
{
    return sizeof(struct rollup_top_rec) + sketch_wire_max(capacity, SKETCH_MAX_KEY);
}

/* Up to RU_CHUNK updates at a time to sketch_add_batch. */
#define RU_CHUNK 64u

struct ru_batch {
    struct sketch *sk;
    uint32_t n;
    struct sketch_upd u[RU_CHUNK];
};

static inline void ru_put(struct ru_batch *b, const void *key, uint32_t len, uint64_t w)
{
    if (!w)
        return;
    b->u[b->n++] = (struct sketch_upd){ .key = key, .len = len, .w = w };
    if (b->n == RU_CHUNK) {
        sketch_add_batch(b->sk, b->u, b->n);
        b->n = 0;
    }
}

static inline void ru_done(struct ru_batch *b)
{
    sketch_add_batch(b->sk, b->u, b->n);
    b->n = 0;
}

/* The queued flow ends, one sketch at a time, in arrival order. */
static void rollup_flush_flows(struct rollup *r)
{
    const struct rollup_pend_flow *pf = r->pf;
    uint32_t n = r->npf;
    struct ru_batch b = { .sk = r->top[RT_TALKERS_BYTES] };
    for (uint32_t i = 0; i < n; i++) {
        ru_put(&b, pf[i].cli, sizeof(pf[i].cli), pf[i].bytes[0]);
        ru_put(&b, pf[i].srv, sizeof(pf[i].srv), pf[i].bytes[1]);
    }
    ru_done(&b);
    b.sk = r->top[RT_TALKERS_PKTS];
    for (uint32_t i = 0; i < n; i++) {
        ru_put(&b, pf[i].cli, sizeof(pf[i].cli), pf[i].pkts[0]);
        ru_put(&b, pf[i].srv, sizeof(pf[i].srv), pf[i].pkts[1]);
    }
    ru_done(&b);
    b.sk = r->top[RT_PORTS];
    for (uint32_t i = 0; i < n; i++)
        if (pf[i].port[0])
            ru_put(&b, pf[i].port, sizeof(pf[i].port), 1);
    ru_done(&b);
    r->npf = 0;
}

/* The queued names, per sketch, each in arrival order. */
static void rollup_flush_names(struct rollup *r)
{
    static const uint8_t kinds[] = { RT_DNS, RT_HTTP, RT_TLS };
    for (unsigned k = 0; k < sizeof(kinds); k++) {
        struct ru_batch b = { .sk = r->top[kinds[k]] };
        for (uint32_t i = 0; i < r->npn; i++)
            if (r->pn[i].kind == kinds[k])
                ru_put(&b, r->arena + r->pn[i].off, r->pn[i].len, 1);
        ru_done(&b);
    }
    r->npn = 0;
    r->arena_used = 0;
}

void rollup_flow_end(struct rollup *r, const struct flow *f)
{
    unsigned ap = app_state_verdict(&f->app);
    if (ap >= APP_MAX)
        ap = APP_UNKNOWN;
    uint64_t pkts = f->pkts[0] + f->pkts[1], bytes = f->bytes[0] + f->bytes[1];
    r->c.flows_ended++;
    r->c.app_flows[ap]++;
    r->c.app_pkts[ap] += pkts;
    r->c.app_bytes[ap] += bytes;
    if (r->npf == ROLLUP_BATCH)
        rollup_flush_flows(r);
    struct rollup_pend_flow *p = &r->pf[r->npf++];
    p->cli[0] = p->srv[0] = f->ip_v;
    memcpy(p->cli + 1, f->cli, 16);
    memcpy(p->srv + 1, f->srv, 16);
    p->pkts[0] = f->pkts[0];
    p->pkts[1] = f->pkts[1];
    p->bytes[0] = f->bytes[0];
    p->bytes[1] = f->bytes[1];
    p->port[0] = 0;
    if (f->proto == 6 || f->proto == 17 || f->proto == 132) {
        p->port[0] = f->proto;
        p->port[1] = (uint8_t)(f->srv_port >> 8);
        p->port[2] = (uint8_t)f->srv_port;
    }
}

/* Queues a name for sketch kind (cut to SKETCH_MAX_KEY, as the sketch
 * would). */
static void rollup_name(struct rollup *r, unsigned kind, const char *name, size_t n)
{
    if (n > SKETCH_MAX_KEY)
        n = SKETCH_MAX_KEY;
    if (r->npn == ROLLUP_BATCH || ROLLUP_NAME_ARENA - r->arena_used < n)
        rollup_flush_names(r);
    struct rollup_pend_name *p = &r->pn[r->npn++];
    p->off = r->arena_used;
    p->len = (uint8_t)n;
    p->kind = (uint8_t)kind;
    memcpy(r->arena + r->arena_used, name, n);
    r->arena_used += (uint32_t)n;
}

void rollup_dns(struct rollup *r, bool response, unsigned rcode, const char *name, size_t n)
{
    if (response) {
        r->c.dns_responses++;
        r->c.dns_rcode[rcode & 15]++;
        return;
    }
    r->c.dns_queries++;
    if (n)
        rollup_name(r, RT_DNS, name, n);
}

void rollup_http(struct rollup *r, unsigned status, const char *host, size_t n)
{
    r->c.http_tx++;
    r->c.http_status[status >= 100 && status <= 599 ? status / 100 : 0]++;
    if (n)
        rollup_name(r, RT_HTTP, host, n);
}

static unsigned tls_version_index(uint16_t v)
{
    switch (v) {
    case 0x0000: return 0;
    case 0x0200: return 1;
    case 0x0300: return 2;
    case 0x0301: return 3;
    case 0x0302: return 4;
    case 0x0303: return 5;
    case 0x0304: return 6;
    default: return 7;
    }
}

void rollup_tls(struct rollup *r, uint16_t version, const char *sni, size_t n)
{
    r->c.tls_sessions++;
    r->c.tls_versions[tls_version_index(version)]++;
    if (n)
        rollup_name(r, RT_TLS, sni, n);
}

void rollup_take_counts(struct rollup *r, const uint64_t dc[DC_MAX], uint64_t started,
                        uint64_t active, struct rollup_rec *rec)
{
    struct rollup_counts *c = &r->c;
    const uint64_t *p = r->dc_prev;
    c->pkts = dc[DC_PKTS] - p[DC_PKTS];
    c->bytes = dc[DC_BYTES] - p[DC_BYTES];
    c->l3_pkts[RL3_IPV4] = dc[DC_IPV4] - p[DC_IPV4];
    c->l3_pkts[RL3_IPV6] = dc[DC_IPV6] - p[DC_IPV6];
    c->l4_pkts[RL4_TCP] = dc[DC_TCP] - p[DC_TCP];
    c->l4_pkts[RL4_UDP] = dc[DC_UDP] - p[DC_UDP];
    c->l4_pkts[RL4_ICMP] = dc[DC_ICMPV4] - p[DC_ICMPV4];
    c->l4_pkts[RL4_ICMPV6] = dc[DC_ICMPV6] - p[DC_ICMPV6];
    c->flows_started = started - r->started_prev;
    c->flows_active = active;
    memcpy(r->dc_prev, dc, sizeof(r->dc_prev));
    r->started_prev = started;
    rec->c = *c;
    memset(c, 0, sizeof(*c));
}

size_t rollup_take_top(struct rollup *r, unsigned t, uint64_t seq, void *buf, size_t cap)
{
    struct rollup_top_rec h = { .seq = seq, .kind = t };
    if (r->npf)
        rollup_flush_flows(r);
    if (r->npn)
        rollup_flush_names(r);
    if (cap < sizeof(h))
        return 0;
    size_t n = sketch_save(r->top[t], (uint8_t *)buf + sizeof(h), cap - sizeof(h));
    sketch_reset(r->top[t]);
    if (n == 0)
        return 0;
    h.len = (uint32_t)n;
    memcpy(buf, &h, sizeof(h));
    return sizeof(h) + n;
}

/* ---- the writer's side ---- */

int rollup_acc_init(struct rollup_acc *a, const struct rollup_config *cfg, char *errbuf)
{
    memset(a, 0, sizeof(*a));
    if (rollup_sketches(a->top, cfg, errbuf) != NS_OK ||
        rollup_sketches(a->tmp, cfg, errbuf) != NS_OK) {
        rollup_acc_fini(a);
        return NS_ERR_NOMEM;
    }
    return NS_OK;
}

void rollup_acc_fini(struct rollup_acc *a)
{
    for (unsigned t = 0; t < RT_MAX; t++) {
        sketch_destroy(a->top[t]);
        sketch_destroy(a->tmp[t]);
        a->top[t] = a->tmp[t] = NULL;
    }
}

void rollup_acc_reset(struct rollup_acc *a, uint64_t seq)
{
    a->seq = seq;
    a->start_us = a->end_us = 0;
    a->final = false;
    memset(&a->c, 0, sizeof(a->c));
    for (unsigned t = 0; t < RT_MAX; t++)
        sketch_reset(a->top[t]);
}

void rollup_acc_add(struct rollup_acc *a, const struct rollup_rec *rec)
{
    const uint64_t *s = (const uint64_t *)&rec->c;
    uint64_t *d = (uint64_t *)&a->c;
    _Static_assert(sizeof(struct rollup_counts) % sizeof(uint64_t) == 0, "counters only");
    for (size_t i = 0; i < sizeof(a->c) / sizeof(uint64_t); i++)
        d[i] += s[i];
    /* Offline every worker got the same boundaries from the reader.  Live,
     * the workers' final records end where each stopped, and one may be
     * merged into an interval another worker counted in full: the record
     * spans all of them.  Whether the merged interval is the final one is
     * the writer's to say (engine/writer.c), not the OR of the flags. */
    if (a->start_us == 0 || rec->start_us < a->start_us)
        a->start_us = rec->start_us;
    if (rec->end_us > a->end_us)
        a->end_us = rec->end_us;
    a->final |= rec->final;
}

int rollup_acc_add_top(struct rollup_acc *a, const struct rollup_top_rec *h, uint32_t len)
{
    if (len < sizeof(*h) || h->kind >= RT_MAX || len - sizeof(*h) < h->len)
        return NS_ERR_INVAL;
    struct sketch *tmp = a->tmp[h->kind];
    if (sketch_load(tmp, h + 1, h->len) != NS_OK)
        return NS_ERR_INVAL;
    return sketch_merge(a->top[h->kind], tmp);
}

const char *rollup_proto_name(uint8_t proto)
{
    switch (proto) {
    case 6: return "TCP";
    case 17: return "UDP";
    case 132: return "SCTP";
    default: return "other";
    }
}

const char *rollup_size_name(unsigned b)
{
    static const char *const n[ROLLUP_SIZES] = { "0-63", "64-127", "128-255", "256-511",
                                                 "512-1023", "1024-2047", "2048+" };
    return b < ROLLUP_SIZES ? n[b] : "?";
}

const char *rollup_http_class_name(unsigned c)
{
    static const char *const n[ROLLUP_HTTP_CLASSES] = { "none", "1xx", "2xx", "3xx", "4xx", "5xx" };
    return c < ROLLUP_HTTP_CLASSES ? n[c] : "?";
}

const char *rollup_tls_version_label(unsigned v)
{
    static const char *const n[ROLLUP_TLS_VERSIONS] = { "UNDETERMINED", "SSLv2", "SSLv3", "TLSv1",
                                                        "TLS 1.1", "TLS 1.2", "TLS 1.3", "other" };
    return v < ROLLUP_TLS_VERSIONS ? n[v] : "?";
}

const char *rollup_l3_name(unsigned i)
{
    return i == RL3_IPV4 ? "ipv4" : i == RL3_IPV6 ? "ipv6" : "?";
}

const char *rollup_l4_name(unsigned i)
{
    static const char *const n[RL4_MAX] = { "tcp", "udp", "icmp", "ipv6-icmp" };
    return i < RL4_MAX ? n[i] : "?";
}
