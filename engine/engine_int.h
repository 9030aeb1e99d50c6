/* engine/engine_int.h: what the engine's threads say to each other.  Only
 * for the files in engine/.
 *
 * Reader -> worker rings carry REC_PKT (struct rec_pkt + frame bytes),
 * REC_TICK (packet time moved to a new second: expire flows), REC_STATS
 * (take a stats snapshot) and REC_EOF.  Worker -> writer rings carry
 * REC_JSON (one EVE line), REC_SNAP (struct ns_snap) and REC_DONE.  The
 * reader also has a ring to the writer for its own snapshots.  Every source
 * sends snapshots with the same sequence numbers, so the writer can sum
 * them into one stats record whose totals add up. */
#ifndef ENGINE_INT_H
#define ENGINE_INT_H

#include "dissect/dissect.h"
#include "flow/flow.h"

enum rec_type {
    REC_PKT = 1,
    REC_TICK,
    REC_STATS,
    REC_EOF,
    REC_JSON,
    REC_SNAP,
    REC_DONE,
};

struct rec_pkt {
    uint64_t ts_us;
    uint64_t pcap_cnt;
    uint32_t caplen;
    uint32_t wirelen;
    /* caplen frame bytes follow */
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
    X(STATS,      "stats")              \
    X(TOO_BIG,    "dropped_too_big")

enum ns_out_stat {
#define NS_OUT_ENUM(id, name) OUT_##id,
    NS_OUTPUT_STATS(NS_OUT_ENUM)
#undef NS_OUT_ENUM
    OUT_MAX
};

struct ns_snap {
    uint64_t seq;
    uint64_t ts_us;
    uint64_t first_ts_us;    /* reader only: first packet time, 0 if none */
    bool final;
    uint64_t acct[ACCT_MAX];
    uint64_t bytes_read;
    uint64_t dc[DC_MAX];
    uint64_t ev[DEV_MAX];
    uint64_t fs[FS_MAX];
    uint64_t out[OUT_MAX];
};

#define NS_RECORD_MAX (64u * 1024u)   /* scratch for one EVE line */

#endif
