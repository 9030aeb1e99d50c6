/* flow/flow.h: per-worker flow table.
 *
 * Each worker owns one table: no locks, and no allocation after
 * flow_table_create (entries come from a preallocated pool sized by the
 * memory cap).  A flow is keyed symmetrically by addresses, ports, protocol
 * and VLAN ids, so both directions of a conversation land on one entry.  The
 * side that sent the first packet is the client ("toserver"), except that a
 * TCP SYN/ACK seen first makes its receiver the client.  ICMP flows are
 * keyed by the address pair only (ports 0), as Suricata does.
 *
 * Timeouts run on packet time: flow_table_expire(now) ends every flow whose
 * last packet is older than its protocol/state timeout.  Ended flows are
 * reported through the flow_end_fn callback given at create, which must copy
 * what it needs: the entry is reused once the callback returns. */
#ifndef FLOW_H
#define FLOW_H

#include "dissect/app_detect.h"
#include "dissect/dissect.h"
#include "dissect/dns.h"
#include "engine/ns_common.h"

struct app_ext;

enum flow_state { FLOW_STATE_NEW = 0, FLOW_STATE_ESTABLISHED, FLOW_STATE_CLOSED };
enum flow_end_reason { FLOW_END_TIMEOUT = 0, FLOW_END_FORCED, FLOW_END_SHUTDOWN };

/* Suricata's TCP stream states (names via flow_tcp_state_name). */
enum flow_tcp_state {
    FLOW_TCP_NONE = 0, FLOW_TCP_SYN_SENT, FLOW_TCP_SYN_RECV,
    FLOW_TCP_ESTABLISHED, FLOW_TCP_FIN_WAIT1, FLOW_TCP_FIN_WAIT2,
    FLOW_TCP_TIME_WAIT, FLOW_TCP_LAST_ACK, FLOW_TCP_CLOSE_WAIT,
    FLOW_TCP_CLOSING, FLOW_TCP_CLOSED,
};

#define FLOW_HISTORY_MAX 16     /* Zeek history letters kept */

/* What an ended flow reports.  Index 0 is toserver (client to server),
 * index 1 toclient. */
struct flow {
    uint64_t flow_id;           /* deterministic, < 2^51, never 0 */
    uint64_t start_us, last_us; /* first and last packet time */
    uint64_t pkts[2], bytes[2]; /* bytes: captured frame lengths */
    uint8_t  cli[16], srv[16];  /* addresses, IPv4 in the first 4 bytes */
    uint16_t cli_port, srv_port;
    uint16_t vlan[DISSECT_MAX_VLAN];
    uint8_t  vlan_cnt;
    uint8_t  ip_v, proto;
    uint8_t  state;             /* enum flow_state */
    uint8_t  tcp_state;         /* enum flow_tcp_state */
    uint8_t  tcp_flags[2];      /* OR of TCP flags per direction */
    uint8_t  icmp_type[2], icmp_code[2];
    bool     icmp_seen[2];
    uint8_t  cli_mac[6], srv_mac[6];   /* first frame seen each way */
    bool     mac_seen[2];
    char     history[FLOW_HISTORY_MAX + 1];  /* Zeek conn history, NUL-ended */
    /* Application protocol detection (dissect/app_detect.h); filled by the
     * worker, zeroed by the table. */
    struct app_state app;
    bool     alerted;
    /* Zeek endpoint states [0] originator, [1] responder (private encoding:
     * low nibble state, high nibble previous state), what flow_conn_state
     * reads; copy them along with the rest when keeping a struct flow. */
    uint8_t  conn_ep[2];
    /* The worker already gave the anomaly detectors this flow's summary
     * (when it closed: engine/worker.c); zeroed by the table. */
    bool     anomaly_fed;
    /* App-layer state, the worker's, zeroed by the table: UDP flows keep
     * their DNS transaction numbering (dissect/dns.h) here, TCP flows a
     * pointer to their reassembly and parser state (engine/app.h), which
     * the worker gives back when the flow ends. */
    union {
        struct dns_txs dns;         /* UDP */
        struct app_ext *ext;        /* TCP */
    };
};

struct flow_config {
    uint32_t hash_size;         /* buckets, rounded up to a power of two */
    uint64_t memcap;            /* bytes for entries and buckets */
    /* seconds: [proto class][state]; classes TCP, UDP, ICMP, other */
    uint32_t timeout[4][3];
    uint32_t emerg_timeout[4][3];
    uint32_t emerg_recovery_pct; /* leave emergency when this % is free */
};

enum flow_proto_class { FLOW_CLASS_TCP = 0, FLOW_CLASS_UDP, FLOW_CLASS_ICMP, FLOW_CLASS_OTHER };

/* Suricata's defaults (DESIGN.md section 3). */
void flow_config_defaults(struct flow_config *cfg);

typedef void (*flow_end_fn)(void *ctx, const struct flow *f, enum flow_end_reason reason);

#define FLOW_TABLE_STATS(X)          \
    X(TOTAL,     "total")            \
    X(ACTIVE,    "active")           \
    X(TCP,       "tcp")              \
    X(UDP,       "udp")              \
    X(ICMPV4,    "icmpv4")           \
    X(ICMPV6,    "icmpv6")           \
    X(MEMUSE,    "memuse")           \
    X(TIMEOUT,   "end.timeout")      \
    X(FORCED,    "end.forced")       \
    X(SHUTDOWN,  "end.shutdown")     \
    X(EMERG_MODE_ENTERED, "emerg_mode_entered") \
    X(EMERG_MODE_OVER,    "emerg_mode_over")    \
    X(NO_FLOW,   "no_flow")          \
    X(MIDSTREAM, "tcp.midstream")    \
    X(RST,       "tcp.rst")          \
    X(SPARE,     "spare")            \
    X(EMERG_TIMEOUT, "emerg_timeout")

enum flow_stat {
#define FLOW_STAT_ENUM(id, name) FS_##id,
    FLOW_TABLE_STATS(FLOW_STAT_ENUM)
#undef FLOW_STAT_ENUM
    FS_MAX
};

const char *flow_stat_name(unsigned s);
const char *flow_state_name(enum flow_state s);          /* "new" ... */
const char *flow_end_reason_name(enum flow_end_reason r);/* "timeout" ... */
const char *flow_tcp_state_name(enum flow_tcp_state s);  /* "syn_sent" ... */
/* Zeek conn_state ("S0", "SF", "REJ", ...) of a TCP flow, "OTH" otherwise. */
const char *flow_conn_state(const struct flow *f);

struct flow_table;

struct flow_table *flow_table_create(const struct flow_config *cfg,
                                     flow_end_fn on_end, void *ctx,
                                     char *errbuf) NS_MUST_CHECK;
void flow_table_destroy(struct flow_table *ft);          /* NULL ok */

/* Account one decoded packet (d->ip_v must be 4 or 6) to its flow, creating
 * the flow if needed; pkt_len is the captured frame length.  When the pool is
 * exhausted the table enters emergency mode and ends the oldest flow with
 * FLOW_END_FORCED.  Returns the flow (borrowed: valid until the next call
 * into the table), or NULL if none could be had (counted as no_flow). */
struct flow *flow_table_update(struct flow_table *ft, const struct ns_decoded *d,
                               uint64_t ts_us, uint32_t pkt_len);

/* End every flow idle past its timeout at packet time now_us. */
void flow_table_expire(struct flow_table *ft, uint64_t now_us);

/* End every flow with FLOW_END_SHUTDOWN (end of capture). */
void flow_table_flush(struct flow_table *ft);

/* Counters (FS_*) into out[FS_MAX]; ACTIVE, MEMUSE and SPARE (free pool
 * entries) are gauges.  EMERG_TIMEOUT counts the flows of end.timeout that
 * only the emergency timeouts ended (the table was in emergency mode). */
void flow_table_stats(const struct flow_table *ft, uint64_t out[FS_MAX]);

/* The table's memory: *cap what it reserved (entries and slots, the
 * memcap's worth), *use the slots plus the entries holding a flow now. */
void flow_table_memory(const struct flow_table *ft, uint64_t *cap, uint64_t *use);

/* Community ID v1 (seed 0) of the flow, "1:<base64 sha1>", into out[64]. */
void flow_community_id(const struct flow *f, char out[64]);
/* The same with another seed (Suricata's community-id-seed). */
void flow_community_id_seeded(const struct flow *f, uint16_t seed, char out[64]);

#endif
