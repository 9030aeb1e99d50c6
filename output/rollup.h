/* output/rollup.h: traffic rollups -- per-interval summaries of what the
 * workers saw, merged by the writer into one EVE "rollup" record (and CSV
 * rows) per interval of packet time.
 *
 * Each worker owns a struct rollup.  On the packet path it does two adds
 * and one increment (rollup_packet: bytes per L3 and L4 protocol, the size
 * histogram); everything else is counted where a record is made anyway:
 * flow ends (flows, packets and bytes per app_proto, talkers, server
 * ports), DNS messages, HTTP transactions and TLS handshakes.  Packets per
 * L3/L4 protocol, the packet and byte totals and the flows started come
 * from the decoder and flow-table counters (differences between two
 * boundaries), so nothing is counted twice on the packet path.
 *
 * At a boundary the worker saves its accumulators into ring records
 * (rollup_save_*: one per heavy-hitter sketch, then the counters) and
 * starts again from zero; the writer adds the workers' records of one
 * interval into a struct rollup_acc (counters summed, sketches merged as
 * output/sketch.h describes), then formats it.
 *
 * Attribution: what comes from a flow record (app_proto, talkers, server
 * ports, flows ended) counts in the interval where the flow ended; packets
 * and bytes per L3/L4 protocol in the interval of the packet; transactions
 * in the interval where they completed.  Talkers are senders: a flow's
 * client gets the packets and bytes it sent (toserver), its server those
 * it sent back.  Top server ports count flows.  No allocation after
 * create; sketches are fixed-size (rollups.capacity counters each).
 *
 * Batching: the sketch updates of flow ends and transactions are queued
 * (ROLLUP_BATCH flows, ROLLUP_BATCH names) and applied together when the
 * queue is full and at every boundary, before a sketch is saved.  Between
 * two flow ends the flow table and the parsers push the sketches out of
 * the cache; applied one by one, each update missed several times (the
 * sketches were 7 % of a worker's time on the benchmark capture).  The
 * sketches see the same weighted stream in the same order, so the counts
 * and bounds are exactly those of updates applied one by one. */
#ifndef ROLLUP_H
#define ROLLUP_H

#include "dissect/app_detect.h"
#include "dissect/dissect.h"
#include "flow/flow.h"
#include "output/sketch.h"

/* The heavy hitters kept. */
#define ROLLUP_TOPS(X)                                   \
    X(TALKERS_BYTES, "top_talkers_bytes", 17)          \
    X(TALKERS_PKTS,  "top_talkers_packets", 17)        \
    X(PORTS,         "top_server_ports", 3)            \
    X(DNS,           "top_dns_queries", SKETCH_MAX_KEY) \
    X(HTTP,          "top_http_hosts", SKETCH_MAX_KEY)  \
    X(TLS,           "top_tls_sni", SKETCH_MAX_KEY)

enum rollup_top {
#define ROLLUP_TOP_ENUM(id, name, key) RT_##id,
    ROLLUP_TOPS(ROLLUP_TOP_ENUM)
#undef ROLLUP_TOP_ENUM
    RT_MAX
};
const char *rollup_top_name(unsigned t);

/* L3 index: IPv4, IPv6; L4: TCP, UDP, ICMP, IPv6-ICMP (innermost header). */
enum { RL3_IPV4, RL3_IPV6, RL3_MAX };
enum { RL4_TCP, RL4_UDP, RL4_ICMP, RL4_ICMPV6, RL4_MAX };
/* Packet sizes (wire length): <64, 64-127, ..., 1024-2047, >= 2048. */
#define ROLLUP_SIZES 7
/* HTTP status classes: none (no response or not 100..599), 1xx .. 5xx. */
#define ROLLUP_HTTP_CLASSES 6
/* TLS versions: UNDETERMINED, SSLv2, SSLv3, TLSv1, 1.1, 1.2, 1.3, other. */
#define ROLLUP_TLS_VERSIONS 8

struct rollup_config {
    uint32_t interval;       /* seconds of packet time, 0: off */
    uint32_t top_n;          /* entries per top list written */
    uint32_t capacity;       /* counters per sketch */
};

/* Counters summed across workers. */
struct rollup_counts {
    uint64_t pkts, bytes;                    /* decoder.pkts, decoder.bytes */
    uint64_t l3_pkts[RL3_MAX], l3_bytes[RL3_MAX];
    uint64_t l4_pkts[RL4_MAX], l4_bytes[RL4_MAX];
    uint64_t sizes[ROLLUP_SIZES];
    uint64_t app_flows[APP_MAX], app_pkts[APP_MAX], app_bytes[APP_MAX];
    uint64_t flows_started, flows_ended, flows_active;
    uint64_t dns_queries, dns_responses, dns_rcode[16];
    uint64_t http_tx, http_status[ROLLUP_HTTP_CLASSES];
    uint64_t tls_sessions, tls_versions[ROLLUP_TLS_VERSIONS];
};

/* A worker's counter record (REC_ROLLUP), after its sketch records. */
struct rollup_rec {
    uint64_t seq;
    uint64_t next_seq;           /* the source's next record; UINT64_MAX after
                                    its final one */
    uint64_t start_us, end_us;   /* [start, end) of packet time */
    bool final;                  /* the source's last one: end = the last
                                    packet (offline) or the stop (live) */
    struct rollup_counts c;
};

/* Header of a sketch record (REC_ROLLUP_TOP); sketch_save bytes follow. */
struct rollup_top_rec {
    uint64_t seq;
    uint32_t kind;               /* enum rollup_top */
    uint32_t len;
};

#define ROLLUP_BATCH 1024
#define ROLLUP_NAME_ARENA 65536

/* A flow end waiting for the sketches. */
struct rollup_pend_flow {
    uint8_t cli[17], srv[17];        /* talker keys: ip_v, address */
    uint8_t port[3];                 /* proto, server port; port[0] 0: none */
    uint64_t pkts[2], bytes[2];      /* sent by client, by server */
};

/* A transaction's name waiting for the sketches. */
struct rollup_pend_name {
    uint32_t off;                    /* in the arena */
    uint8_t len;
    uint8_t kind;                    /* RT_DNS, RT_HTTP, RT_TLS */
};

struct rollup {
    struct rollup_counts c;
    struct sketch *top[RT_MAX];
    uint32_t npf, npn, arena_used;
    struct rollup_pend_flow pf[ROLLUP_BATCH];
    struct rollup_pend_name pn[ROLLUP_BATCH];
    char arena[ROLLUP_NAME_ARENA];
    /* the decoder's and flow table's counters at the last boundary */
    uint64_t dc_prev[DC_MAX];
    uint64_t started_prev;
};

int rollup_init(struct rollup *r, const struct rollup_config *cfg, char *errbuf) NS_MUST_CHECK;
void rollup_fini(struct rollup *r);

/* The largest REC_ROLLUP_TOP record for capacity (header included). */
size_t rollup_top_rec_max(uint32_t capacity);

/* Per packet: a few adds, no branch but the protocol's. */
static inline void rollup_packet(struct rollup *r, const struct ns_decoded *d, uint32_t caplen,
                                 uint32_t wirelen)
{
    uint32_t b = wirelen >> 6 ? 32u - (uint32_t)__builtin_clz(wirelen >> 6) : 0;
    r->c.sizes[b < ROLLUP_SIZES ? b : ROLLUP_SIZES - 1]++;
    if (d->ip_v)
        r->c.l3_bytes[d->ip_v == 6] += caplen;
    switch (d->proto) {
    case 6: r->c.l4_bytes[RL4_TCP] += caplen; break;
    case 17: r->c.l4_bytes[RL4_UDP] += caplen; break;
    case 1: r->c.l4_bytes[RL4_ICMP] += caplen; break;
    case 58: r->c.l4_bytes[RL4_ICMPV6] += caplen; break;
    default: break;
    }
}

/* An ended flow (the flow record's values). */
void rollup_flow_end(struct rollup *r, const struct flow *f);
/* A DNS message: requests count queries and their first question's name,
 * responses their rcode.  name: text of the first question (n bytes). */
void rollup_dns(struct rollup *r, bool response, unsigned rcode, const char *name, size_t n);
/* An HTTP transaction: status 0 when there is no response; host is the
 * record's hostname (lower case, no port), n 0 when none. */
void rollup_http(struct rollup *r, unsigned status, const char *host, size_t n);
/* A TLS handshake: its version (tls_version_name's code) and SNI. */
void rollup_tls(struct rollup *r, uint16_t version, const char *sni, size_t n);

/* At a boundary: the counters record (dc: the decoder's counters,
 * started: flow.total, active: flow.active) into rec, then zero. */
void rollup_take_counts(struct rollup *r, const uint64_t dc[DC_MAX], uint64_t started,
                        uint64_t active, struct rollup_rec *rec);
/* Sketch t into buf (rollup_top_rec_max bytes), header first; returns the
 * record length.  Then empties that sketch. */
size_t rollup_take_top(struct rollup *r, unsigned t, uint64_t seq, void *buf, size_t cap);

/* ---- the writer's side ---- */

struct rollup_acc {
    uint64_t seq, start_us, end_us;
    bool final;
    struct rollup_counts c;
    struct sketch *top[RT_MAX];
    struct sketch *tmp[RT_MAX];      /* a worker's sketch, loaded */
};

int rollup_acc_init(struct rollup_acc *a, const struct rollup_config *cfg, char *errbuf) NS_MUST_CHECK;
void rollup_acc_fini(struct rollup_acc *a);
void rollup_acc_reset(struct rollup_acc *a, uint64_t seq);
void rollup_acc_add(struct rollup_acc *a, const struct rollup_rec *rec);
/* NS_ERR_INVAL on a malformed record (ignored). */
int rollup_acc_add_top(struct rollup_acc *a, const struct rollup_top_rec *h, uint32_t len);

/* "TCP", "UDP", ... for a port key's protocol byte. */
const char *rollup_proto_name(uint8_t proto);
/* Size bucket b's bounds ("0-63", ..., "2048+"). */
const char *rollup_size_name(unsigned b);
const char *rollup_http_class_name(unsigned c);
const char *rollup_tls_version_label(unsigned v);
const char *rollup_l3_name(unsigned i);
const char *rollup_l4_name(unsigned i);

#endif
