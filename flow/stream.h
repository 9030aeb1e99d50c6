/* flow/stream.h: TCP stream reassembly, per direction of a flow.
 *
 * Each direction's payload is delivered in sequence order, once, to a
 * callback (the app layer): in-order segments straight from the packet,
 * out-of-order ones copied into the worker's mempool until the hole before
 * them fills.  Bytes the callback leaves unconsumed (an incomplete record)
 * are kept, up to APPL_PENDING_MAX, and given again with what follows
 * (dissect/applayer.h).
 *
 * Overlap policy "first": a byte already delivered or queued wins over a
 * later copy of it (retransmissions change nothing; Windows/Solaris-style,
 * Suricata's "first").  Queued bytes that a later segment overlaps with
 * different data count tcp.overlap_diff_data and raise the stream event
 * reassembly_overlap_different_data.
 *
 * Gaps: when the receiver acknowledges past the hole before queued data,
 * the hole was lost from the capture: delivery skips to the queued data,
 * counted (tcp.reassembly_gap, event reassembly_seq_gap), and the callback
 * gets APPL_GAP.  At the flow's end whatever is queued is delivered the
 * same way, then APPL_EOF.  A FIN delivers APPL_EOF once the bytes before
 * it are in.
 *
 * A direction starts at its SYN.  One picked up without a SYN (capture
 * started mid-connection) is reassembled from its first segment only with
 * midstream on (tcp.midstream_pickups); otherwise it is not reassembled.
 * depth bytes per direction are delivered at most (0: no limit), then
 * APPL_EOF (tcp.stream_depth_reached).  When the mempool cannot hold a
 * segment (tcp.segment_memcap_drop) or a direction queues more than
 * max_segs segments, that direction is delivered as far as it can be and
 * then no longer reassembled (tcp.reassembly_off): the flow goes on.
 *
 * No allocation but from the mempool, no locks; one owner thread. */
#ifndef STREAM_H
#define STREAM_H

#include "dissect/applayer.h"
#include "dissect/dissect.h"
#include "flow/mempool.h"

struct stream_config {
    uint32_t depth;         /* bytes per direction, 0: unlimited */
    uint32_t max_segs;      /* queued out-of-order segments per direction */
    bool midstream;
};

void stream_config_defaults(struct stream_config *cfg);

#define STREAM_STATS(X)                                   \
    X(SEGMENTS,       "tcp.segments")                     \
    X(OOO,            "tcp.reassembly_ooo")               \
    X(OVERLAP,        "tcp.overlap")                      \
    X(OVERLAP_DIFF,   "tcp.overlap_diff_data")            \
    X(GAP,            "tcp.reassembly_gap")               \
    X(MEMCAP,         "tcp.segment_memcap_drop")          \
    X(OFF,            "tcp.reassembly_off")               \
    X(DEPTH,          "tcp.stream_depth_reached")         \
    X(MIDSTREAM,      "tcp.midstream_pickups")            \
    X(NO_SYN,         "tcp.reassembly_no_syn")            \
    X(PENDING_DROP,   "tcp.app_pending_overflow")

enum stream_stat {
#define STREAM_STAT_ENUM(id, name) SS_##id,
    STREAM_STATS(STREAM_STAT_ENUM)
#undef STREAM_STAT_ENUM
    SS_MAX
};
const char *stream_stat_name(unsigned s);

/* Stream events (Suricata's names, anomaly type "stream"). */
#define STREAM_EVENTS(X)                                                       \
    X(SEQ_GAP,        "stream.reassembly_seq_gap")                             \
    X(OVERLAP_DIFF,   "stream.reassembly_overlap_different_data")              \
    X(DEPTH,          "stream.reassembly_depth_reached")                       \
    X(MEMCAP,         "stream.reassembly_memcap")

enum stream_event {
#define STREAM_EV_ENUM(id, name) SE_##id,
    STREAM_EVENTS(STREAM_EV_ENUM)
#undef STREAM_EV_ENUM
    SE_MAX
};
const char *stream_event_name(unsigned e);

/* dir 0: client to server.  Returns the bytes of [p, p + n) consumed.
 * gap: with APPL_GAP, the bytes lost just before p (0: not known). */
typedef size_t (*stream_deliver_fn)(void *ctx, int dir, const uint8_t *p, size_t n,
                                    unsigned flags, uint64_t gap);
typedef void (*stream_event_fn)(void *ctx, int dir, enum stream_event ev);

struct stream_ctx {
    struct stream_config cfg;
    struct mempool *mp;
    stream_deliver_fn deliver;
    stream_event_fn event;          /* may be NULL */
    void *cb_ctx;
    uint64_t stats[SS_MAX];
};

struct stream_seg;

struct stream_dir {
    uint32_t next_seq;              /* next byte to deliver */
    uint32_t fin_seq;               /* one past the last byte, with FIN */
    uint64_t delivered;             /* bytes given to the callback */
    uint64_t gap;                   /* bytes lost since the last delivery */
    struct stream_seg *segs;        /* queued, sorted by seq, disjoint */
    uint8_t *pend;                  /* unconsumed bytes (mempool block) */
    uint32_t pend_len, pend_cap;
    uint16_t nsegs;
    uint8_t flags;                  /* private (stream.c) */
};

/* Zeroed = nothing seen.  Lives in the flow's app-layer block. */
struct stream {
    struct stream_dir d[2];
};

/* One TCP packet of the flow, sent by dir (0 client, 1 server). */
void stream_packet(struct stream_ctx *sc, struct stream *s, int dir, const struct ns_decoded *d);

/* Stops reassembling dir (nothing more will be delivered, no EOF) and
 * gives back its memory: for flows no parser wants. */
void stream_stop(struct stream_ctx *sc, struct stream *s, int dir);

/* Whether dir is still being reassembled (started and not stopped). */
bool stream_active(const struct stream *s, int dir);

/* The flow ended: queued data is delivered across its holes, then
 * APPL_EOF to each direction not yet ended; all memory is given back. */
void stream_end(struct stream_ctx *sc, struct stream *s);

#endif
