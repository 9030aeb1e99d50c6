/* engine/anomaly.c: the detectors of engine/anomaly.h.
 *
 * One open-addressed table holds every detector's keys.  A lookup probes
 * ANOM_PROBE slots from the key's hash; a key that finds neither itself
 * nor a free slot takes the least recently touched slot of the run (counted
 * as an eviction).  So memory is table_size entries whatever the traffic,
 * and a flood of one-packet sources can only push out other keys: a real
 * scanner or flood keeps touching its own entry and stays.
 *
 * Distinct values (hosts a source tried, ports, subdomains) are counted
 * with a 512-bit linear-counting bitmap: exact enough up to a few hundred,
 * which is where the thresholds are, and fixed size. */
#include "engine/anomaly.h"

#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ANOM_PROBE 8
#define ANOM_BITS 512
#define ANOM_RAW 32              /* bytes of a sample target kept */
#define US 1000000ull

_Static_assert(sizeof(struct anomaly_flow_sum) == 72, "the worker's flow summary record");

enum target_type { TT_NONE, TT_ADDR, TT_PORT, TT_NAME, TT_MAC };

struct anom_ent {
    uint64_t hash;               /* 0: free */
    uint64_t touched;            /* LRU clock */
    uint64_t win_start, first_us, last_us;
    uint64_t count;              /* events (flows, queries, packets) */
    uint64_t span_start, span_end;   /* ICMP: packet-time span of the flows */
    uint64_t bits[ANOM_BITS / 64];   /* distinct targets */
    uint64_t src_bits[2];            /* distinct sources (128 bits) */
    uint8_t kind;
    uint8_t key_len;
    uint8_t ntargets;
    uint8_t ip_v;
    bool alerted;
    uint8_t key[40];
    uint8_t target[ANOMALY_TARGETS][ANOM_RAW];
};

struct anom_series {
    double mean, var;
    uint64_t n;
};

struct anomaly {
    struct anomaly_config cfg;
    anomaly_alert_fn fn;
    void *ctx;
    struct anom_ent *tab;
    uint32_t mask;
    uint64_t clock;
    uint64_t evictions;
    uint64_t alerts[ANOM_MAX];
    struct anom_series ser[ASER_MAX];
    struct anomaly_alert out;    /* built here: too big for a small stack */
};

static const struct {
    uint32_t sid;
    const char *name, *msg;
    uint32_t thr, win;
} det_info[ANOM_MAX] = {
#define ANOMALY_INFO(id, sid, name, msg, thr, win) [ANOM_##id] = { sid, name, msg, thr, win },
    ANOMALY_DETECTORS(ANOMALY_INFO)
#undef ANOMALY_INFO
};

static const char *const series_names[ASER_MAX] = {
#define ANOMALY_SERIES_NAME(id, name) [ASER_##id] = name,
    ANOMALY_SERIES(ANOMALY_SERIES_NAME)
#undef ANOMALY_SERIES_NAME
};

const char *anomaly_det_name(unsigned k)
{
    return k < ANOM_MAX ? det_info[k].name : "unknown";
}

uint32_t anomaly_sid(unsigned k)
{
    return k < ANOM_MAX ? det_info[k].sid : 0;
}

const char *anomaly_series_name(unsigned s)
{
    return s < ASER_MAX ? series_names[s] : "unknown";
}

void anomaly_config_defaults(struct anomaly_config *c)
{
    memset(c, 0, sizeof(*c));
    c->enabled = true;
    c->table_size = 16384;
    for (unsigned k = 0; k < ANOM_MAX; k++)
        c->det[k] = (struct anomaly_det_config){ true, det_info[k].thr, det_info[k].win };
    c->dns_min_len = 60;
    c->dns_entropy_x10 = 38;
    c->dns_sub_min_len = 16;
    c->brute_max_pkts = 100;
    c->icmp_min_pkts = 200;
    c->spike_warmup = 10;
    c->spike_alpha_pct = 20;
}

struct anomaly *anomaly_create(const struct anomaly_config *cfg, anomaly_alert_fn fn, void *ctx,
                               char *errbuf)
{
    uint32_t size = 64;
    while (size < cfg->table_size && size < (1u << 24))
        size <<= 1;
    struct anomaly *an = calloc(1, sizeof(*an));
    if (!an)
        goto nomem;
    an->tab = calloc(size, sizeof(*an->tab));
    if (!an->tab)
        goto nomem;
    an->cfg = *cfg;
    an->mask = size - 1;
    an->fn = fn;
    an->ctx = ctx;
    return an;
nomem:
    snprintf(errbuf, NS_ERRBUF_SIZE, "anomaly: out of memory for %u table entries (%zu bytes)",
             size, (size_t)size * sizeof(struct anom_ent));
    anomaly_destroy(an);
    return NULL;
}

void anomaly_destroy(struct anomaly *an)
{
    if (!an)
        return;
    free(an->tab);
    free(an);
}

void anomaly_counts(const struct anomaly *an, uint64_t alerts[ANOM_MAX], uint64_t *evictions)
{
    memcpy(alerts, an->alerts, sizeof(an->alerts));
    *evictions = an->evictions;
}

size_t anomaly_memuse(const struct anomaly *an)
{
    return sizeof(*an) + ((size_t)an->mask + 1) * sizeof(struct anom_ent);
}

/* ---- the table ---- */

static uint64_t anom_hash(const void *p, size_t n, uint64_t h)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    /* finaliser (splitmix64): FNV's low bits are weak for short keys */
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebull;
    h ^= h >> 31;
    return h;
}

/* The entry of (kind, key), found or made; never NULL. */
static struct anom_ent *anom_get(struct anomaly *an, unsigned kind, const void *key, size_t n)
{
    uint64_t h = anom_hash(key, n, 0xcbf29ce484222325ull ^ kind) | 1;
    struct anom_ent *victim = NULL;
    an->clock++;
    for (uint32_t i = 0; i < ANOM_PROBE; i++) {
        struct anom_ent *e = &an->tab[(h + i) & an->mask];
        if (e->hash == h && e->kind == kind && e->key_len == n && memcmp(e->key, key, n) == 0) {
            e->touched = an->clock;
            return e;
        }
        if (e->hash == 0) {
            victim = e;
            break;
        }
        if (!victim || e->touched < victim->touched)
            victim = e;
    }
    if (victim->hash)
        an->evictions++;
    memset(victim, 0, sizeof(*victim));
    victim->hash = h;
    victim->kind = (uint8_t)kind;
    victim->key_len = (uint8_t)n;
    memcpy(victim->key, key, n);
    victim->touched = an->clock;
    return victim;
}

/* Moves e into the window of ts: a start past the window opens a new one
 * (a record that arrives late, with an earlier start, still counts). */
static void anom_window(struct anomaly *an, struct anom_ent *e, uint64_t ts)
{
    uint64_t win = (uint64_t)an->cfg.det[e->kind].window * US;
    if (e->win_start == 0 || ts >= e->win_start + win) {
        uint8_t keep[ANOM_RAW];
        bool arp = e->kind == ANOM_ARP_SPOOF && e->ntargets;
        if (arp)                 /* the binding outlives its window */
            memcpy(keep, e->target[0], sizeof(keep));
        e->win_start = ts ? ts : 1;
        e->first_us = e->last_us = ts;
        e->count = 0;
        e->span_start = e->span_end = 0;
        memset(e->bits, 0, sizeof(e->bits));
        memset(e->src_bits, 0, sizeof(e->src_bits));
        e->ntargets = 0;
        e->alerted = false;
        if (arp) {
            memcpy(e->target[0], keep, sizeof(keep));
            e->ntargets = 1;
        }
    }
    if (ts < e->first_us)
        e->first_us = ts;
    if (ts > e->last_us)
        e->last_us = ts;
}

static bool bit_set(uint64_t *bits, unsigned nbits, uint64_t h)
{
    unsigned b = (unsigned)(h % nbits);
    bool was = bits[b / 64] >> (b % 64) & 1;
    bits[b / 64] |= 1ull << (b % 64);
    return !was;
}

/* Linear counting: n = -m ln(zeros / m). */
static uint64_t bit_estimate(const uint64_t *bits, unsigned nbits)
{
    unsigned ones = 0;
    for (unsigned i = 0; i < nbits / 64; i++)
        ones += (unsigned)__builtin_popcountll(bits[i]);
    if (ones == nbits)
        return (uint64_t)nbits * 8;   /* saturated: a lower bound */
    double est = -(double)nbits * log((double)(nbits - ones) / nbits);
    return (uint64_t)(est + 0.5);
}

/* Adds a distinct target; keeps the first ANOMALY_TARGETS as samples. */
static void anom_target(struct anom_ent *e, const void *t, size_t n)
{
    if (n > ANOM_RAW)
        n = ANOM_RAW;
    uint64_t h = anom_hash(t, n, 0x9e3779b97f4a7c15ull);
    if (bit_set(e->bits, ANOM_BITS, h) && e->ntargets < ANOMALY_TARGETS) {
        memset(e->target[e->ntargets], 0, ANOM_RAW);
        memcpy(e->target[e->ntargets], t, n);
        e->ntargets++;
    }
}

/* ---- alerts ---- */

static void fmt_addr(char *out, uint8_t ip_v, const uint8_t *a)
{
    if (!inet_ntop(ip_v == 6 ? AF_INET6 : AF_INET, a, out, ANOMALY_TARGET_LEN))
        out[0] = '\0';
}

static void fmt_target(char *out, enum target_type tt, uint8_t ip_v, const uint8_t *raw)
{
    switch (tt) {
    case TT_ADDR:
        fmt_addr(out, ip_v, raw);
        break;
    case TT_PORT:
        snprintf(out, ANOMALY_TARGET_LEN, "%u/%s", (unsigned)raw[0] << 8 | raw[1],
                 raw[2] == 6 ? "tcp" : raw[2] == 17 ? "udp" : "ip");
        break;
    case TT_MAC:
        snprintf(out, ANOMALY_TARGET_LEN, "%02x:%02x:%02x:%02x:%02x:%02x", raw[0], raw[1],
                 raw[2], raw[3], raw[4], raw[5]);
        break;
    case TT_NAME:
        snprintf(out, ANOMALY_TARGET_LEN, "%.*s", ANOM_RAW, (const char *)raw);
        break;
    default:
        out[0] = '\0';
    }
}

static const char *const tt_names[] = {
    [TT_NONE] = NULL, [TT_ADDR] = "hosts", [TT_PORT] = "ports", [TT_NAME] = "names",
    [TT_MAC] = "macs",
};

/* Starts an alert of e's kind in an->out. */
static struct anomaly_alert *alert_begin(struct anomaly *an, const struct anom_ent *e,
                                         uint64_t count, uint64_t ts, enum target_type tt)
{
    struct anomaly_alert *a = &an->out;
    memset(a, 0, sizeof(*a));
    a->kind = (enum anomaly_kind)e->kind;
    a->gid = ANOMALY_GID;
    a->sid = det_info[e->kind].sid;
    a->msg = det_info[e->kind].msg;
    a->detector = det_info[e->kind].name;
    a->ts_us = ts;
    a->count = count;
    a->threshold = an->cfg.det[e->kind].threshold;
    a->window = an->cfg.det[e->kind].window;
    a->first_us = e->first_us;
    a->last_us = e->last_us;
    a->targets_name = tt_names[tt];
    for (unsigned i = 0; tt != TT_NONE && i < e->ntargets; i++)
        fmt_target(a->targets[a->ntargets++], tt, e->ip_v, e->target[i]);
    return a;
}

static void alert_send(struct anomaly *an, struct anom_ent *e)
{
    e->alerted = true;
    an->alerts[an->out.kind]++;
    if (an->fn)
        an->fn(an->ctx, &an->out);
}

static bool det_on(const struct anomaly *an, unsigned k)
{
    return an->cfg.enabled && an->cfg.det[k].enabled;
}

/* ---- flows ---- */

static size_t addr_len(uint8_t ip_v)
{
    return ip_v == 6 ? 16 : 4;
}

/* A connection attempt that went nowhere: TCP with no payload either way
 * and a few packets from the client (a SYN, its retries, the scanner's RST
 * or a connect scan's ACK/FIN), or UDP that got no answer. */
static bool flow_failed(const struct anomaly_flow_sum *f)
{
    if (f->proto == 6)
        return !(f->hist & (ANOM_HIST_DATA | ANOM_HIST_DATA_R)) && f->pkts[0] <= 4;
    if (f->proto == 17)
        return f->pkts[1] == 0 && f->pkts[0] <= 3;
    return false;
}

/* The client sent a SYN and never completed the handshake. */
static bool flow_half_open(const struct anomaly_flow_sum *f)
{
    return f->proto == 6 && (f->hist & ANOM_HIST_SYN) &&
           !(f->hist & (ANOM_HIST_ACK | ANOM_HIST_DATA));
}

static bool login_port(uint16_t p)
{
    switch (p) {
    case 21: case 22: case 23: case 25: case 110: case 143: case 587: case 3389:
        return true;
    default:
        return false;
    }
}

/* What a flow detector keys its entries by, and so what its alerts name:
 * the client (src), the server (dest), the server port. */
enum { FK_CLI = 1, FK_SRV = 2, FK_PORT = 4 };

/* The entry of kind for f's parts, in the window of f's start. */
static struct anom_ent *flow_ent(struct anomaly *an, unsigned kind,
                                 const struct anomaly_flow_sum *f, unsigned parts)
{
    size_t al = addr_len(f->ip_v), n = 1;
    uint8_t key[1 + 16 + 16 + 2];
    key[0] = f->ip_v;
    if (parts & FK_CLI) {
        memcpy(key + n, f->cli, al);
        n += al;
    }
    if (parts & FK_SRV) {
        memcpy(key + n, f->srv, al);
        n += al;
    }
    if (parts & FK_PORT) {
        memcpy(key + n, &f->srv_port, 2);
        n += 2;
    }
    struct anom_ent *e = anom_get(an, kind, key, n);
    anom_window(an, e, f->start_us);
    e->ip_v = f->ip_v;
    return e;
}

/* Starts e's alert with f's addresses and port as its key has them. */
static struct anomaly_alert *flow_alert(struct anomaly *an, const struct anom_ent *e,
                                        uint64_t count, const struct anomaly_flow_sum *f,
                                        unsigned parts, enum target_type tt)
{
    size_t al = addr_len(f->ip_v);
    struct anomaly_alert *a = alert_begin(an, e, count, f->start_us, tt);
    a->ip_v = f->ip_v;
    a->proto = f->proto;
    a->has_src = parts & FK_CLI;
    a->has_dst = parts & FK_SRV;
    if (a->has_src)
        memcpy(a->src, f->cli, al);
    if (a->has_dst)
        memcpy(a->dst, f->srv, al);
    if (parts & FK_PORT)
        a->dport = f->srv_port;
    return a;
}

/* Horizontal (one client, many servers) and vertical (one client, one
 * server, many ports) scans: distinct targets estimated from a bitmap. */
static void flow_scan(struct anomaly *an, unsigned kind, const struct anomaly_flow_sum *f)
{
    bool vert = kind == ANOM_VSCAN;
    unsigned parts = vert ? FK_CLI | FK_SRV : FK_CLI;
    struct anom_ent *e = flow_ent(an, kind, f, parts);
    e->count++;
    if (vert) {
        uint8_t port[3] = { (uint8_t)(f->srv_port >> 8), (uint8_t)f->srv_port, f->proto };
        anom_target(e, port, sizeof(port));
    } else {
        anom_target(e, f->srv, addr_len(f->ip_v));
    }
    uint64_t d = bit_estimate(e->bits, ANOM_BITS);
    if (!e->alerted && d >= an->cfg.det[kind].threshold) {
        (void)flow_alert(an, e, d, f, parts, vert ? TT_PORT : TT_ADDR);
        alert_send(an, e);
    }
}

/* Half-open connections to one server port, or ICMP echo to one host
 * (a rate, not a count: an hour of ping at 1/s is 3600 packets). */
static void flow_flood(struct anomaly *an, unsigned kind, const struct anomaly_flow_sum *f)
{
    bool icmp = kind == ANOM_ICMP_FLOOD;
    unsigned parts = icmp ? FK_SRV : FK_SRV | FK_PORT;
    size_t al = addr_len(f->ip_v);
    struct anom_ent *e = flow_ent(an, kind, f, parts);
    e->count += icmp ? f->pkts[0] : 1;
    if (!e->span_start || f->start_us < e->span_start)
        e->span_start = f->start_us;
    if (f->last_us > e->span_end)
        e->span_end = f->last_us;
    bit_set(e->src_bits, 128, anom_hash(f->cli, al, 7));
    if (e->ntargets < ANOMALY_TARGETS)
        anom_target(e, f->cli, al);
    double span = (double)(e->span_end - e->span_start) / US;
    double rate = (double)e->count / (span < 1.0 ? 1.0 : span);
    bool over = icmp ? e->count >= an->cfg.icmp_min_pkts &&
                           rate >= an->cfg.det[kind].threshold
                     : e->count >= an->cfg.det[kind].threshold;
    if (!e->alerted && over) {
        struct anomaly_alert *a = flow_alert(an, e, e->count, f, parts, TT_ADDR);
        a->targets_name = "sources";
        if (icmp)
            a->rate = rate;
        a->distinct_sources = bit_estimate(e->src_bits, 128);
        alert_send(an, e);
    }
}

/* Short sessions from one client to one login service. */
static void flow_brute(struct anomaly *an, const struct anomaly_flow_sum *f)
{
    unsigned parts = FK_CLI | FK_SRV | FK_PORT;
    struct anom_ent *e = flow_ent(an, ANOM_BRUTE, f, parts);
    e->count++;
    if (!e->alerted && e->count >= an->cfg.det[ANOM_BRUTE].threshold) {
        (void)flow_alert(an, e, e->count, f, parts, TT_NONE);
        alert_send(an, e);
    }
}

void anomaly_flow_summary(const struct flow *f, struct anomaly_flow_sum *s)
{
    memset(s, 0, sizeof(*s));
    s->start_us = f->start_us;
    s->last_us = f->last_us;
    s->pkts[0] = f->pkts[0];
    s->pkts[1] = f->pkts[1];
    memcpy(s->cli, f->cli, sizeof(s->cli));
    memcpy(s->srv, f->srv, sizeof(s->srv));
    s->srv_port = f->srv_port;
    s->ip_v = f->ip_v;
    s->proto = f->proto;
    for (size_t i = 0; i < sizeof(f->history) && f->history[i]; i++) {
        switch (f->history[i]) {
        case 'S': s->hist |= ANOM_HIST_SYN; break;
        case 'A': s->hist |= ANOM_HIST_ACK; break;
        case 'D': s->hist |= ANOM_HIST_DATA; break;
        case 'd': s->hist |= ANOM_HIST_DATA_R; break;
        default: break;
        }
    }
}

void anomaly_flow(struct anomaly *an, const struct flow *f)
{
    struct anomaly_flow_sum s;
    anomaly_flow_summary(f, &s);
    anomaly_flow_sum(an, &s);
}

static bool cfg_on(const struct anomaly_config *c, unsigned k)
{
    return c->enabled && c->det[k].enabled;
}

/* The flow detectors that count f (bits 1 << ANOM_*). */
static unsigned flow_detectors(const struct anomaly_config *c, const struct anomaly_flow_sum *f)
{
    unsigned m = 0;
    if (!c->enabled || (f->ip_v != 4 && f->ip_v != 6))
        return 0;
    if (flow_failed(f))
        m |= (cfg_on(c, ANOM_HSCAN) ? 1u << ANOM_HSCAN : 0) |
             (cfg_on(c, ANOM_VSCAN) ? 1u << ANOM_VSCAN : 0);
    if (cfg_on(c, ANOM_SYN_FLOOD) && flow_half_open(f))
        m |= 1u << ANOM_SYN_FLOOD;
    if (cfg_on(c, ANOM_ICMP_FLOOD) && (f->proto == 1 || f->proto == 58))
        m |= 1u << ANOM_ICMP_FLOOD;
    /* an attempt: the handshake completed, the session stayed short */
    if (cfg_on(c, ANOM_BRUTE) && f->proto == 6 && login_port(f->srv_port) &&
        (f->hist & ANOM_HIST_SYN) && (f->hist & ANOM_HIST_ACK) &&
        f->pkts[0] + f->pkts[1] <= c->brute_max_pkts)
        m |= 1u << ANOM_BRUTE;
    return m;
}

bool anomaly_flow_relevant(const struct anomaly_config *c, const struct anomaly_flow_sum *s)
{
    return flow_detectors(c, s) != 0;
}

void anomaly_flow_sum(struct anomaly *an, const struct anomaly_flow_sum *f)
{
    unsigned m = flow_detectors(&an->cfg, f);
    if (m & 1u << ANOM_HSCAN)
        flow_scan(an, ANOM_HSCAN, f);
    if (m & 1u << ANOM_VSCAN)
        flow_scan(an, ANOM_VSCAN, f);
    if (m & 1u << ANOM_SYN_FLOOD)
        flow_flood(an, ANOM_SYN_FLOOD, f);
    if (m & 1u << ANOM_ICMP_FLOOD)
        flow_flood(an, ANOM_ICMP_FLOOD, f);
    if (m & 1u << ANOM_BRUTE)
        flow_brute(an, f);
}

/* ---- DNS ---- */

/* Shannon entropy, bits per character, of s[0..n). */
static double entropy(const char *s, size_t n)
{
    unsigned cnt[256] = { 0 };
    for (size_t i = 0; i < n; i++)
        cnt[(uint8_t)s[i]]++;
    double h = 0;
    for (unsigned c = 0; c < 256; c++) {
        if (!cnt[c])
            continue;
        double p = (double)cnt[c] / (double)n;
        h -= p * log2(p);
    }
    return h;
}

/* Offset of the registered domain: the last two labels (no public-suffix
 * list: "co.uk"-style suffixes group one level too high, which only makes
 * the subdomain count more generous). */
static size_t domain_off(const char *name, size_t n)
{
    unsigned dots = 0;
    for (size_t i = n; i > 0; i--) {
        if (name[i - 1] == '.' && ++dots == 2)
            return i;
    }
    return 0;
}

static void dns_alert(struct anomaly *an, struct anom_ent *e, uint64_t count, uint64_t ts,
                      enum target_type tt, const char *dom, size_t dn, uint8_t ip_v,
                      const uint8_t src[16])
{
    struct anomaly_alert *a = alert_begin(an, e, count, ts, tt);
    a->proto = 17;
    if (dom) {
        a->key_name = "domain";
        snprintf(a->key, sizeof(a->key), "%.*s", (int)(dn < 63 ? dn : 63), dom);
    }
    /* the client whose query crossed the threshold */
    if (ip_v == 4 || ip_v == 6) {
        a->ip_v = ip_v;
        a->has_src = true;
        memcpy(a->src, src, addr_len(ip_v));
    }
    alert_send(an, e);
}

void anomaly_dns(struct anomaly *an, uint64_t ts_us, uint8_t ip_v, const uint8_t src[16],
                 const char *name, size_t n, uint16_t qtype)
{
    if (!an->cfg.enabled || n == 0)
        return;
    if (name[n - 1] == '.')
        n--;
    size_t d = domain_off(name, n);
    const char *dom = name + d;
    size_t dn = n - d;
    if (dn > sizeof(((struct anom_ent *)0)->key))
        dn = sizeof(((struct anom_ent *)0)->key);   /* a key prefix is enough */
    if (det_on(an, ANOM_DNS_TXT) && qtype == 16 && (ip_v == 4 || ip_v == 6)) {
        /* distinct names per client and domain: a tunnel asks a new name
         * each time; SPF/DKIM lookups repeat a few (bench_1G: a client
         * with 50 TXT queries in 8 s over six domains) */
        uint8_t key[40];
        size_t al = addr_len(ip_v);
        size_t kn = dn < sizeof(key) - 1 - al ? dn : sizeof(key) - 1 - al;
        key[0] = ip_v;
        memcpy(key + 1, src, al);
        memcpy(key + 1 + al, dom, kn);
        struct anom_ent *e = anom_get(an, ANOM_DNS_TXT, key, 1 + al + kn);
        anom_window(an, e, ts_us);
        e->ip_v = ip_v;
        e->count++;
        anom_target(e, name, n);
        uint64_t u = bit_estimate(e->bits, ANOM_BITS);
        if (!e->alerted && u >= an->cfg.det[ANOM_DNS_TXT].threshold)
            dns_alert(an, e, u, ts_us, TT_NAME, dom, dn, ip_v, src);
    }
    if (d == 0)
        return;                  /* no subdomain */
    if (det_on(an, ANOM_DNS_SUBDOM) && d - 1 >= an->cfg.dns_sub_min_len) {
        /* per client and domain: many resolvers' clients spread their
         * lookups over one domain; a tunnel is one client */
        uint8_t key[40];
        size_t al = ip_v == 6 ? 16 : 4;
        size_t kn = dn < sizeof(key) - 1 - al ? dn : sizeof(key) - 1 - al;
        key[0] = ip_v;
        memcpy(key + 1, src, al);
        memcpy(key + 1 + al, dom, kn);
        struct anom_ent *e = anom_get(an, ANOM_DNS_SUBDOM, key, 1 + al + kn);
        anom_window(an, e, ts_us);
        e->count++;
        anom_target(e, name, n);
        uint64_t u = bit_estimate(e->bits, ANOM_BITS);
        if (!e->alerted && u >= an->cfg.det[ANOM_DNS_SUBDOM].threshold)
            dns_alert(an, e, u, ts_us, TT_NAME, dom, dn, ip_v, src);
    }
    if (det_on(an, ANOM_DNS_LONG) && n >= an->cfg.dns_min_len &&
        entropy(name, d - 1) * 10.0 >= an->cfg.dns_entropy_x10) {
        struct anom_ent *e = anom_get(an, ANOM_DNS_LONG, dom, dn);
        anom_window(an, e, ts_us);
        e->count++;
        anom_target(e, name, n);
        if (!e->alerted && e->count >= an->cfg.det[ANOM_DNS_LONG].threshold)
            dns_alert(an, e, e->count, ts_us, TT_NAME, dom, dn, ip_v, src);
    }
}

/* ---- ARP ---- */

void anomaly_arp(struct anomaly *an, uint64_t ts_us, const uint8_t ip[4], const uint8_t mac[6])
{
    if (!det_on(an, ANOM_ARP_SPOOF))
        return;
    if (!memcmp(ip, "\0\0\0\0", 4))
        return;                  /* ARP probes (RFC 5227) bind nothing */
    struct anom_ent *e = anom_get(an, ANOM_ARP_SPOOF, ip, 4);
    anom_window(an, e, ts_us);
    e->ip_v = 4;
    if (e->ntargets == 0) {
        memcpy(e->target[0], mac, 6);
        e->ntargets = 1;
        return;
    }
    if (memcmp(e->target[0], mac, 6) == 0)
        return;
    e->count++;
    /* samples: [0] the binding, then each new MAC once */
    bool known = false;
    for (unsigned i = 1; i < e->ntargets; i++)
        known |= memcmp(e->target[i], mac, 6) == 0;
    if (!known && e->ntargets < ANOMALY_TARGETS) {
        memset(e->target[e->ntargets], 0, ANOM_RAW);
        memcpy(e->target[e->ntargets++], mac, 6);
    }
    if (!e->alerted && e->count >= an->cfg.det[ANOM_ARP_SPOOF].threshold) {
        struct anomaly_alert *a = alert_begin(an, e, e->count, ts_us, TT_MAC);
        a->ip_v = 4;
        a->has_src = true;
        memcpy(a->src, ip, 4);
        alert_send(an, e);
    }
    /* the newest MAC is the binding from now on */
    memcpy(e->target[0], mac, 6);
}

/* ---- spikes ---- */

void anomaly_rollup(struct anomaly *an, uint64_t ts_us, const uint64_t v[ASER_MAX])
{
    if (!det_on(an, ANOM_SPIKE))
        return;
    double alpha = an->cfg.spike_alpha_pct / 100.0;
    double k = an->cfg.det[ANOM_SPIKE].threshold;
    for (unsigned s = 0; s < ASER_MAX; s++) {
        struct anom_series *se = &an->ser[s];
        double x = (double)v[s];
        if (se->n >= an->cfg.spike_warmup) {
            /* a floor on the deviation: a flat series (var 0) would
             * otherwise call any change a spike */
            double sd = sqrt(se->var);
            if (sd < 0.1 * se->mean)
                sd = 0.1 * se->mean;
            if (sd < 1.0)
                sd = 1.0;
            if (x > se->mean + k * sd) {
                struct anomaly_alert *a = &an->out;
                memset(a, 0, sizeof(*a));
                a->kind = ANOM_SPIKE;
                a->gid = ANOMALY_GID;
                a->sid = det_info[ANOM_SPIKE].sid;
                a->msg = det_info[ANOM_SPIKE].msg;
                a->detector = det_info[ANOM_SPIKE].name;
                a->ts_us = a->first_us = a->last_us = ts_us;
                a->count = v[s];
                a->threshold = an->cfg.det[ANOM_SPIKE].threshold;
                a->rate = x;
                a->mean = se->mean;
                a->stddev = sqrt(se->var);
                a->key_name = "series";
                snprintf(a->key, sizeof(a->key), "%s", series_names[s]);
                an->alerts[ANOM_SPIKE]++;
                if (an->fn)
                    an->fn(an->ctx, a);
            }
        }
        if (se->n == 0) {
            se->mean = x;
            se->var = 0;
        } else {
            /* exponentially weighted mean and variance (West 1979) */
            double diff = x - se->mean;
            double incr = alpha * diff;
            se->mean += incr;
            se->var = (1 - alpha) * (se->var + diff * incr);
        }
        se->n++;
    }
}
