/* engine/engine_int.h: what the engine's threads say to each other.  Only
 * for the files in engine/.
 *
 * Reader -> worker rings carry REC_PKT (struct rec_pkt + frame bytes),
 * REC_TICK (packet time moved to a new second: expire flows), REC_STATS
 * (take a stats snapshot) and REC_EOF.  Worker -> writer rings carry
 * REC_JSON (one EVE line), REC_FLOW (an ended flow, struct rec_flow) and
 * REC_DNS (a DNS message to log, struct rec_dns), which the writer formats
 * (flow and DNS records are most of the output, and formatting them is
 * work the writer's core has room for), REC_SNAP (struct ns_snap) and
 * REC_DONE; rollups (REC_ROLLUP_TICK in, REC_ROLLUP_TOP and REC_ROLLUP
 * out) go the same way as stats.  With the anomaly detectors on, workers
 * also send REC_ARP (ARP bindings) and REC_ANOM_FLOW (a TCP flow's summary
 * when it closes, or at its end when no flow records are written).  The
 * reader also has a ring to the writer for its own snapshots.  Every source
 * sends snapshots with the same sequence numbers, so the writer can sum
 * them into one stats record whose totals add up. */
#ifndef ENGINE_INT_H
#define ENGINE_INT_H

#include "dissect/dissect.h"
#include "engine/anomaly.h"
#include "engine/app.h"
#include "flow/flow.h"

#include <stdatomic.h>

/* The rules slot's RCU (liburcu) as ThreadSanitizer can see it: urcu's
 * grace periods synchronise through barriers TSan does not model, so the
 * TSan build (make tsan) adds the two happens-before edges RCU promises by
 * hand: publish -> a reader that sees the new pointer (on the slot), and
 * every read-side section's end -> the reclaim after synchronize_rcu (on
 * ns_rcu_gp).  No code at all in the other builds. */
#if defined(__SANITIZE_THREAD__)
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
extern char ns_rcu_gp;
#define NS_RCU_PUBLISH(slot) __tsan_release((void *)(slot))
#define NS_RCU_SEEN(slot) __tsan_acquire((void *)(slot))
#define NS_RCU_READ_END() __tsan_release(&ns_rcu_gp)
#define NS_RCU_RECLAIM() __tsan_acquire(&ns_rcu_gp)
#else
#define NS_RCU_PUBLISH(slot) ((void)0)
#define NS_RCU_SEEN(slot) ((void)0)
#define NS_RCU_READ_END() ((void)0)
#define NS_RCU_RECLAIM() ((void)0)
#endif

enum rec_type {
    REC_PKT = 1,
    REC_TICK,
    REC_STATS,
    REC_EOF,
    REC_JSON,
    REC_SNAP,
    REC_DONE,
    REC_PCAP,                /* struct rec_pkt + frame: for -w */
    REC_FLOW,                /* struct rec_flow */
    REC_DNS,                 /* struct rec_dns + message bytes */
    REC_ROLLUP_TICK,         /* reader -> worker: struct rec_rollup_tick */
    REC_ROLLUP_TOP,          /* worker -> writer: struct rollup_top_rec + sketch */
    REC_ROLLUP,              /* worker -> writer: struct rollup_rec, after its tops */
    REC_ARP,                 /* worker -> writer: struct rec_arp */
    REC_ANOM_FLOW,           /* worker -> writer: struct anomaly_flow_sum */
};

/* An ARP sender binding for the ARP spoofing detector (engine/anomaly.h),
 * sent only when that detector is on, and only when the worker's small
 * cache (last MAC per IP) does not already hold it. */
struct rec_arp {
    uint64_t ts_us;
    uint8_t ip[4], mac[6];
    uint8_t op;                  /* 1 request, 2 reply */
    uint8_t pad[5];
};

/* A rollup boundary of packet time (output/rollup.h): the reader sends one
 * to every worker when a packet enters a new interval (interval-aligned:
 * end is a multiple of it), and a final one at the end of the file, where
 * end is the last packet's time.  seq numbers them from 0 in every worker
 * alike, so the writer can merge the workers' records of one interval;
 * next_seq is the seq of the source's next record (seq + 1 offline; live
 * workers skip the numbers of intervals nobody can have counted in, see
 * struct live_ctl).  A live worker makes these itself. */
struct rec_rollup_tick {
    uint64_t seq, next_seq;
    uint64_t start_us, end_us;
    bool final;
};

struct rec_pkt {
    uint64_t ts_us;
    uint64_t pcap_cnt;
    uint32_t caplen;
    uint32_t wirelen;
    /* caplen frame bytes follow */
};

/* A copy of the table's entry: eve_flow reads nothing through pointers. */
struct rec_flow {
    struct flow f;
    uint32_t reason;         /* enum flow_end_reason */
};

/* A DNS message for a version 3 dns record: the writer parses it again
 * (same bytes, same result) and formats it with what the worker knew. */
struct rec_dns {
    struct flow f;           /* copy: flow_id, Community ID */
    uint64_t ts_us, pcap_cnt, tx_id;
    uint8_t src[16], dst[16];    /* the message's direction */
    uint16_t sport, dport;
    uint16_t vlan[DISSECT_MAX_VLAN];
    uint8_t vlan_cnt, ip_v, proto;
    bool has_eth;
    uint8_t src_mac[6], dst_mac[6];
    uint32_t len;            /* message bytes that follow */
};

struct rec_tick {
    uint64_t ts_us;
    uint64_t seq;            /* REC_STATS / REC_EOF: snapshot number */
};

/* Every packet read is counted once under one of these. */
#define NS_ACCOUNTING(X)            \
    X(READ,        "read")          \
    X(DECODED,     "decoded")       \
    X(FILTERED,    "filtered")      \
    X(UNSUPPORTED, "unsupported")   \
    X(INVALID,     "invalid")

enum ns_acct {
#define NS_ACCT_ENUM(id, name) ACCT_##id,
    NS_ACCOUNTING(NS_ACCT_ENUM)
#undef NS_ACCT_ENUM
    ACCT_MAX
};

/* Records the workers produced, and those that could not be written. */
#define NS_OUTPUT_STATS(X)              \
    X(FLOW,       "flow")               \
    X(ANOMALY,    "anomaly")            \
    X(DNS,        "dns")                \
    X(DNS_INVALID, "dns_invalid")       \
    X(HTTP,       "http")               \
    X(HTTP_INVALID, "http_invalid")     \
    X(TLS,        "tls")                \
    X(SMTP,       "smtp")               \
    X(FTP,        "ftp")                \
    X(SSH,        "ssh")                \
    X(DHCP,       "dhcp")               \
    X(DHCP_INVALID, "dhcp_invalid")     \
    X(ALERT,      "alert")              \
    X(STATS,      "stats")              \
    X(TOO_BIG,    "dropped_too_big")

enum ns_out_stat {
#define NS_OUT_ENUM(id, name) OUT_##id,
    NS_OUTPUT_STATS(NS_OUT_ENUM)
#undef NS_OUT_ENUM
    OUT_MAX
};

/* Kernel counters of live capture (PACKET_STATISTICS, summed deltas). */
#define NS_CAPTURE_STATS(X)                   \
    X(KERNEL_PACKETS, "kernel_packets")       \
    X(KERNEL_DROPS,   "kernel_drops")         \
    X(KERNEL_FREEZES, "kernel_freezes")

enum ns_cap_stat {
#define NS_CAP_ENUM(id, name) CAP_##id,
    NS_CAPTURE_STATS(NS_CAP_ENUM)
#undef NS_CAP_ENUM
    CAP_MAX
};

/* What the main thread tells live workers.  stop is set (release) after
 * final_seq; a worker that sees stop (acquire) drains its ring, sends every
 * periodic snapshot below final_seq it has not sent, then the final one. */
struct live_ctl {
    _Atomic bool stop;
    _Atomic uint64_t final_seq;
    uint64_t start_ns;       /* CLOCK_MONOTONIC at start */
    uint32_t stats_interval; /* seconds; 0: only the final snapshot */
    /* Rollups (engine/live.h says why packet time): interval seq covers
     * [ru_start_us + seq * ru_us, + ru_us) of packet time, the same for
     * every worker, so the writer merges them by seq; an idle worker closes
     * an interval ru_grace_us after its end.  ru_us 0: no rollups. */
    uint64_t ru_us;
    uint64_t ru_start_us;    /* interval-aligned, at or before the start */
    uint64_t ru_grace_us;    /* block retire timeout + margin */
    uint64_t count;          /* -c: stop after this many packets; 0: none */
    bool stop_on_down;       /* interface down: stop instead of waiting */
    const char *iface;       /* in_iface of the records */
};

/* detect.* in stats records: the workers' detect_counters, and the rule
 * set they run (rules_loaded, rules_failed and rules_skipped.<reason>, in
 * the order of enum rule_skip_reason: levels, merged as a maximum;
 * generation: the id of the rule set, 1 + reloads; reloads_failed). */
#define NS_DETECT_STATS(X)                          \
    X(ALERT,          "alert")                      \
    X(SUPPRESSED,     "alerts_suppressed")          \
    X(QUEUE_OVERFLOW, "alert_queue_overflow")       \
    X(INSPECTED,      "inspections")                \
    X(CANDIDATES,     "candidates")                 \
    X(MATCHES,        "matches")                    \
    X(SCAN_ERRORS,    "scan_errors")                \
    X(FLOWBITS_FULL,  "flowbits_full")              \
    X(THRESHOLD_FULL, "threshold_full")             \
    X(PCRE_HS,        "pcre_hyperscan")             \
    X(PCRE2,          "pcre2")                      \
    X(PCRE_ERRORS,    "pcre_errors")                \
    X(STEP_LIMIT,     "inspection_limit")           \
    X(RULES_LOADED,   "rules_loaded")               \
    X(RULES_FAILED,   "rules_failed")               \
    X(GENERATION,     "generation")                 \
    X(RELOAD_FAILED,  "reloads_failed")             \
    X(SKIP_KEYWORD,   "rules_skipped.unsupported_keyword") \
    X(SKIP_PROTO,     "rules_skipped.unsupported_protocol") \
    X(SKIP_BUFFER,    "rules_skipped.unsupported_buffer") \
    X(SKIP_VALUE,     "rules_skipped.bad_value")    \
    X(SKIP_HEADER,    "rules_skipped.bad_header")   \
    X(SKIP_SYNTAX,    "rules_skipped.syntax_error") \
    X(SKIP_DUP_SID,   "rules_skipped.duplicate_sid") \
    X(SKIP_NO_SID,    "rules_skipped.missing_sid")  \
    X(SKIP_TOO_LARGE, "rules_skipped.too_large")

enum ns_det_stat {
#define NS_DET_ENUM(id, name) DET_##id,
    NS_DETECT_STATS(NS_DET_ENUM)
#undef NS_DET_ENUM
    DET_MAX
};

/* anomaly.* in stats records: what the workers sent the detectors (the
 * writer adds anomaly.alert.<detector> and anomaly.table_evictions). */
#define NS_ANOMALY_STATS(X)                          \
    X(ARP_RECORDS,  "arp_records")                   \
    X(ARP_CACHED,   "arp_unchanged")                 \
    X(FLOW_RECORDS, "flow_records")

enum ns_anomaly_stat {
#define NS_ANS_ENUM(id, name) ANS_##id,
    NS_ANOMALY_STATS(NS_ANS_ENUM)
#undef NS_ANS_ENUM
    ANS_MAX
};

/* memory.* in stats records (engine/mem_budget.c): the budget and how it
 * is split, bytes, all gauges.  The workers fill the caps and uses of what
 * they hold (summed over workers); the writer fills budget, queues and
 * capture from the configuration's plan. */
#define NS_MEMORY_STATS(X)                  \
    X(BUDGET,     "budget")                 \
    X(QUEUES,     "queues")                 \
    X(CAPTURE,    "capture")                \
    X(FLOW_CAP,   "flow.cap")               \
    X(FLOW_USE,   "flow.use")               \
    X(STREAM_CAP, "stream.cap")             \
    X(STREAM_USE, "stream.use")             \
    X(DEFRAG_CAP, "defrag.cap")             \
    X(DEFRAG_USE, "defrag.use")

enum ns_mem_stat {
#define NS_MEM_ENUM(id, name) MEMS_##id,
    NS_MEMORY_STATS(NS_MEM_ENUM)
#undef NS_MEM_ENUM
    MEMS_MAX
};

struct ns_snap {
    uint64_t seq;
    uint64_t ts_us;
    uint64_t first_ts_us;    /* reader only: first packet time, 0 if none */
    bool final;
    bool silent;             /* sent late (live drain): sum it, write no record
                                unless another source sent it on time */
    uint64_t acct[ACCT_MAX];
    uint64_t bytes_read;
    uint64_t dc[DC_MAX];
    uint64_t ev[DEV_MAX];
    uint64_t fs[FS_MAX];
    uint64_t out[OUT_MAX];
    uint64_t cap[CAP_MAX];
    uint64_t ss[SS_MAX];              /* stream reassembly (flow/stream.h) */
    uint64_t app[APP_MAX][APC_MAX];   /* app_layer.{flow,tx,error}.<proto> */
    uint64_t app_memuse, app_memcap;  /* gauge; allocations refused */
    uint64_t app_evicted;             /* flows whose reassembly was taken back */
    uint64_t det[DET_MAX];            /* detect.* (all 0 without rules) */
    uint64_t an[ANS_MAX];             /* anomaly.* of the workers */
    uint64_t mem[MEMS_MAX];           /* memory.* (gauges) */
    /* the writer's, filled when it writes the record (0 from sources) */
    uint64_t an_alerts[ANOM_MAX];
    uint64_t an_evictions;
};

#define NS_RECORD_MAX (64u * 1024u)   /* scratch for one EVE line */

#endif
