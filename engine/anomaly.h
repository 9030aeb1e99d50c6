/* engine/anomaly.h: behavioural detectors over flows, DNS messages, ARP
 * bindings and rollups.  One instance lives in the writer thread, which sees
 * every worker's records, so nothing here is shared or locked.
 *
 * Every detector keeps its state in one fixed table (anomaly.table-size
 * entries, allocated at create): a key (a source, a destination, a domain
 * ...), a window of packet time, a counter, a distinct-value bitmap
 * (linear counting) and a few sample targets for the evidence.  A key that
 * finds no room replaces the least recently used entry of its probe run,
 * so a flood of distinct sources costs evictions, never memory.
 *
 * Windows run on packet time.  Flows are fed when a worker's summary of a
 * closed TCP flow, or else the flow's record at its end, reaches the
 * writer, and counted at their start time: a window is [first start seen,
 * +window); a later start opens a new one.  A detector raises at most one
 * alert per key and window.
 *
 * Alerts carry gid ANOMALY_GID and the sid of their detector (the table in
 * ANOMALY_DETECTORS, documented in README.md). */
#ifndef ANOMALY_H
#define ANOMALY_H

#include "flow/flow.h"

#define ANOMALY_GID 9000
#define ANOMALY_TARGETS 8        /* sample targets in an alert's evidence */
#define ANOMALY_TARGET_LEN 64

/* id, sid, config name, message, default threshold, default window (s) */
#define ANOMALY_DETECTORS(X)                                                              \
    X(HSCAN,      1, "horizontal-scan", "NETSCOPE horizontal port scan", 32, 60)          \
    X(VSCAN,      2, "vertical-scan", "NETSCOPE vertical port scan", 32, 60)              \
    X(SYN_FLOOD,  3, "syn-flood", "NETSCOPE SYN flood (half-open connections)", 500, 10)  \
    X(ICMP_FLOOD, 4, "icmp-flood", "NETSCOPE ICMP flood", 500, 10)                         \
    X(DNS_LONG,   5, "dns-long-names", "NETSCOPE DNS tunnelling: long high-entropy names", 10, 60) \
    X(DNS_SUBDOM, 6, "dns-subdomains", "NETSCOPE DNS tunnelling: many unique subdomains", 100, 60) \
    X(DNS_TXT,    7, "dns-txt", "NETSCOPE DNS tunnelling: TXT query volume", 50, 60)   \
    X(BRUTE,      8, "brute-force", "NETSCOPE brute force against a login service", 10, 120) \
    X(ARP_SPOOF,  9, "arp-spoof", "NETSCOPE ARP spoofing: IP address changed MAC", 1, 300) \
    X(SPIKE,     10, "traffic-spike", "NETSCOPE traffic spike", 4, 0)

enum anomaly_kind {
#define ANOMALY_ENUM(id, sid, name, msg, thr, win) ANOM_##id,
    ANOMALY_DETECTORS(ANOMALY_ENUM)
#undef ANOMALY_ENUM
    ANOM_MAX
};

/* Rollup series watched by the spike detector. */
#define ANOMALY_SERIES(X)            \
    X(PKTS,  "packets")              \
    X(BYTES, "bytes")                \
    X(FLOWS, "flows_started")        \
    X(DNS,   "dns_queries")

enum anomaly_series {
#define ANOMALY_SERIES_ENUM(id, name) ASER_##id,
    ANOMALY_SERIES(ANOMALY_SERIES_ENUM)
#undef ANOMALY_SERIES_ENUM
    ASER_MAX
};

struct anomaly_det_config {
    bool enabled;
    uint32_t threshold;          /* SPIKE: deviations */
    uint32_t window;             /* seconds of packet time; SPIKE: unused */
};

struct anomaly_config {
    bool enabled;
    uint32_t table_size;         /* entries, rounded up to a power of two */
    struct anomaly_det_config det[ANOM_MAX];
    /* DNS_LONG: a name counts when it is at least this long and its
     * leftmost labels carry at least entropy_x10 / 10 bits per char */
    uint32_t dns_min_len;
    uint32_t dns_entropy_x10;
    /* DNS_SUBDOM: only subdomain parts at least this long count (a
     * tunnel's are long; a site's hosts, "wiki2.corp", are not) */
    uint32_t dns_sub_min_len;
    /* BRUTE: a connection counts as an attempt when it has at most this
     * many packets (both ways) */
    uint32_t brute_max_pkts;
    /* ICMP_FLOOD: at least this many packets before the rate is judged */
    uint32_t icmp_min_pkts;
    /* SPIKE: intervals before judging, and the smallest value that can
     * be a spike (of packets; the others scale by their own mean) */
    uint32_t spike_warmup;
    uint32_t spike_alpha_pct;    /* EWMA weight of a new value, percent */
};

void anomaly_config_defaults(struct anomaly_config *c);
const char *anomaly_det_name(unsigned k);        /* "horizontal-scan" ... */
uint32_t anomaly_sid(unsigned k);
const char *anomaly_series_name(unsigned s);

/* What an alert says.  Addresses: IPv4 in the first 4 bytes. */
struct anomaly_alert {
    enum anomaly_kind kind;
    uint32_t gid, sid;
    const char *msg;
    const char *detector;        /* config name */
    uint64_t ts_us;              /* packet time of the event that fired */
    uint8_t ip_v, proto;         /* 0: no address (a domain, a series) */
    uint8_t src[16], dst[16];
    bool has_src, has_dst;
    uint16_t dport;              /* 0: none */
    /* evidence */
    uint64_t count;              /* what crossed the threshold */
    uint64_t threshold;
    uint32_t window;             /* seconds */
    uint64_t first_us, last_us;  /* the window's events */
    uint64_t distinct_sources;   /* 0: not tracked */
    double rate;                 /* ICMP_FLOOD: packets/s; SPIKE: the value */
    double mean, stddev;         /* SPIKE */
    const char *key_name;        /* "domain", "series" ...: what key is; NULL */
    char key[ANOMALY_TARGET_LEN];
    const char *targets_name;    /* "ports", "hosts", "names", "macs" */
    unsigned ntargets;
    char targets[ANOMALY_TARGETS][ANOMALY_TARGET_LEN];
};

/* Called for each alert; a is borrowed for the call. */
typedef void (*anomaly_alert_fn)(void *ctx, const struct anomaly_alert *a);

struct anomaly;

struct anomaly *anomaly_create(const struct anomaly_config *cfg, anomaly_alert_fn fn, void *ctx,
                               char *errbuf) NS_MUST_CHECK;
void anomaly_destroy(struct anomaly *an);        /* NULL ok */

/* What the flow detectors read of a flow: 72 bytes, small enough for a
 * worker to send when a TCP flow closes (engine_int.h, REC_ANOM_FLOW),
 * long before the flow's record. */
#define ANOM_HIST_SYN   0x01     /* Zeek history 'S': client SYN */
#define ANOM_HIST_ACK   0x02     /* 'A': client pure ACK */
#define ANOM_HIST_DATA  0x04     /* 'D': client payload */
#define ANOM_HIST_DATA_R 0x08    /* 'd': server payload */
struct anomaly_flow_sum {
    uint64_t start_us, last_us;
    uint64_t pkts[2];            /* toserver, toclient */
    uint8_t cli[16], srv[16];
    uint16_t srv_port;
    uint8_t ip_v, proto;
    uint8_t hist;                /* ANOM_HIST_* */
    uint8_t pad[3];
};

/* The summary of f. */
void anomaly_flow_summary(const struct flow *f, struct anomaly_flow_sum *s);
/* Whether any enabled flow detector would count s (a worker sends only
 * those summaries: most flows carry data and can count for none). */
bool anomaly_flow_relevant(const struct anomaly_config *c, const struct anomaly_flow_sum *s);
/* A flow: ended (its record), or closed (a worker's summary). */
void anomaly_flow_sum(struct anomaly *an, const struct anomaly_flow_sum *s);
/* anomaly_flow_sum of f's summary. */
void anomaly_flow(struct anomaly *an, const struct flow *f);
/* A DNS query: its sender, first question name (text, n bytes), qtype. */
void anomaly_dns(struct anomaly *an, uint64_t ts_us, uint8_t ip_v, const uint8_t src[16],
                 const char *name, size_t n, uint16_t qtype);
/* An ARP binding seen (sender IP and MAC of a request or reply). */
void anomaly_arp(struct anomaly *an, uint64_t ts_us, const uint8_t ip[4], const uint8_t mac[6]);
/* One rollup interval's values (ASER_*), ending at ts_us. */
void anomaly_rollup(struct anomaly *an, uint64_t ts_us, const uint64_t v[ASER_MAX]);

/* Counters: alerts per detector, and table evictions. */
void anomaly_counts(const struct anomaly *an, uint64_t alerts[ANOM_MAX], uint64_t *evictions);
/* Bytes the instance holds (fixed at create). */
size_t anomaly_memuse(const struct anomaly *an);

#endif
