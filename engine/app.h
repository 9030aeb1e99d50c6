/* engine/app.h: a worker's application layer.  For each TCP packet of a
 * flow it runs stream reassembly (flow/stream.h) and hands the in-order
 * bytes to protocol detection (dissect/app_detect.h) and then to the
 * detected protocol's parser (dissect/applayer.h); UDP datagrams go to the
 * DNS and DHCP parsers directly.  Transactions and app-layer anomalies are
 * formatted as EVE records into the worker's output ring at once.
 *
 * Memory: each TCP flow gets a struct app_ext (reassembly state) from the
 * worker's mempool when its first packet is seen, and parser state once
 * its protocol is known; both go back when the flow ends.  The mempool is
 * the worker's share of stream.memcap; when it is exhausted the flow is
 * counted (app_layer.memcap) and goes on with detection by packet only,
 * and after that packet the reassembly and parser state of the flows
 * least recently active (CLOCK over the holders) is taken back early, one
 * flow per refused allocation (tcp.reassembly_evicted): what they had
 * queued goes to their parsers, whose last transactions are written, and
 * they go on with detection by packet, so that a flood of connections
 * holding out-of-order data cannot keep the next connections from being
 * reassembled.
 * Private to engine/. */
#ifndef APP_H
#define APP_H

#include "dissect/dhcp.h"
#include "dissect/dns.h"
#include "engine/config.h"
#include "engine/detect.h"
#include "flow/flow.h"
#include "flow/mempool.h"
#include "flow/stream.h"
#include "output/eve.h"
#include "output/ring.h"
#include "output/rollup.h"

#define APP_COUNTERS(X)          \
    X(FLOW,  "flow")             \
    X(TX,    "tx")               \
    X(ERROR, "error")

enum app_counter {
#define APP_CNT_ENUM(id, name) APC_##id,
    APP_COUNTERS(APP_CNT_ENUM)
#undef APP_CNT_ENUM
    APC_MAX
};
const char *app_counter_name(unsigned c);

/* Per TCP flow (f->ext). */
struct app_dtail;

struct app_ext {
    struct stream st;
    void *state;                /* the parser's, from the mempool */
    uint32_t state_size;        /* its block size */
    uint8_t parser;             /* enum app_proto of state, APP_UNKNOWN: none */
    uint8_t eof;                /* bit per direction: the parser saw APPL_EOF */
    bool stop;                  /* no parser will want this flow */
    bool counted;               /* app_layer.flow counted */
    bool mismatch;              /* the two sides' protocols differ (reported) */
    bool reversed;              /* picked up midstream from the server's side */
    bool finished;              /* the parser's last transaction is out */
    uint32_t next_tx;
    struct app_dtail *dt;       /* rules: stream inspection state, or NULL */
    /* the clock of holders (app_ctx.hand): evicted when memory runs out */
    struct app_ext *older, *newer;
    struct flow *flow;
    bool ref;                   /* a packet since the hand last passed */
};

struct app_ctx {
    const struct ns_config *cfg;
    struct ring *out;
    struct eve_ctx *ec;
    uint64_t *outc;             /* the worker's OUT_* counters */
    struct mempool mp;
    struct stream_ctx sc;
    uint64_t counters[APP_MAX][APC_MAX];
    uint64_t memcap_fails;      /* flows or parsers refused memory */
    uint64_t evicted;           /* flows whose app_ext was taken back early */
    struct app_ext *hand;       /* the clock of flows holding an app_ext */
    /* the packet being handled */
    struct flow *f;
    uint64_t ts_us, pcap_cnt;
    int dir;                    /* of the bytes being delivered, as the parser sees it */
    struct flow fswap;          /* a reversed flow as the records tell it */
    struct appl_cb cb;
    struct dns_msg dns;
    char dns_text[DNS_SCRATCH_SIZE];
    struct dhcp_msg dhcp;
    /* rules on transactions (app_set_detect) */
    struct detect_gen **dslot;  /* RCU slot, NULL: no rules */
    unsigned wid;               /* the worker's index in a detect_gen */
    const struct alert_sink *asink;
    uint8_t *dbuf;              /* DETECT_BUFS_SCRATCH bytes */
    uint64_t det_seen;          /* generation id bound to det_count */
    struct detect_counters det_count;   /* the worker's, across reloads */
    struct rollup *ru;          /* the worker's rollups, NULL: off */
};

/* mem: this worker's share of stream.memcap. */
int app_ctx_init(struct app_ctx *a, const struct ns_config *cfg, size_t mem, struct ring *out,
                 struct eve_ctx *ec, uint64_t *outc, char *errbuf) NS_MUST_CHECK;
void app_ctx_fini(struct app_ctx *a);

/* Run the transaction rules of generation *slot (RCU, see worker.h) with
 * worker context wid; alerts go to sink.  NS_OK or NS_ERR_NOMEM. */
struct detect_gen;
struct alert_sink;
int app_set_detect(struct app_ctx *a, struct detect_gen **slot, unsigned wid,
                   const struct alert_sink *sink, char *errbuf) NS_MUST_CHECK;

/* One decoded TCP or UDP packet of flow f (toserver: sent by its client). */
void app_packet(struct app_ctx *a, const struct ns_pkt *pkt, const struct ns_decoded *d,
                struct flow *f, bool toserver);

/* Flow f ends: queued bytes and APPL_EOF go to its parser, whose last
 * transactions are written; its memory goes back.  Call before the flow
 * record is written, so app_proto is final. */
void app_flow_end(struct app_ctx *a, struct flow *f);

/* Whether the payload flow f carries toserver (as app_packet's toserver)
 * goes through the rules' stream inspection (a TCP direction still being
 * reassembled), so that its packets need only the packet-only rules. */
bool app_stream_inspected(const struct app_ctx *a, const struct flow *f, bool toserver);

/* Whether what flow f carries toserver is the encrypted part of a TLS
 * session (its handshake parsed and let go).  Rules do not inspect that
 * payload, as Suricata's default TLS encryption handling. */
bool app_encrypted(const struct flow *f, bool toserver);

/* Bytes of reassembly and parser state in use. */
static inline size_t app_memuse(const struct app_ctx *a) { return a->mp.in_use; }

#endif
