/* engine/detect.h: the detection engine -- rules (engine/rules.h) on
 * Hyperscan prefilters (engine/patset.h), verified by engine/rule_match.h.
 *
 * A struct detect is built once from the configuration (rule files,
 * classification, variables, cache directory), off the packet path, and
 * is read-only afterwards: every worker reads the same one, and a reload
 * builds a new one and swaps it in.  Each worker has a detect_thread
 * (Hyperscan scratch for every database, rule_match scratch, candidate
 * marks, flowbits and threshold tables): nothing is allocated and nothing
 * is locked per packet.
 *
 * Rules come in two kinds:
 *  - packet rules: no app-layer buffer (contents on the payload or the
 *    header buffers ipv4.hdr ... icmpv6.hdr, or none at all): inspected
 *    on every packet's payload (detect_packet); those with a header
 *    buffer only on packets, never on the reassembled stream;
 *  - transaction rules: at least one app-layer buffer (http.*, dns.query,
 *    tls.sni, file.data): inspected once per transaction with every buffer
 *    it has (detect_tx).
 * Each kind has one literal set per buffer kind holding its rules' fast
 * patterns; a hit nominates the rule.  Rules whose fast pattern is 3 bytes
 * or less (kept out of the shared sets), negated, or missing are checked on
 * every inspection of their kind after a cheap header test (and, for a
 * short pattern, a direct search for it first). */
#ifndef DETECT_H
#define DETECT_H

#include <stdatomic.h>
#include <stdio.h>

#include "engine/config.h"
#include "engine/pcre_hs.h"
#include "engine/rule_match.h"
#include "engine/rules.h"

struct detect;
struct detect_thread;

struct detect_info {
    uint32_t loaded, skipped, files;
    uint32_t skipped_by[RULE_SKIP_REASON_COUNT];    /* by enum rule_skip_reason */
    uint32_t packet_rules, tx_rules, always_rules;
    uint32_t patterns;               /* distinct literals in all sets */
    size_t db_bytes;                 /* compiled Hyperscan databases */
    uint32_t sets, sets_from_cache;
    double load_s, compile_s;        /* parsing, and building the sets */
    struct pcre_hs_info pcre;        /* the pcre expressions on Hyperscan */
    unsigned cache_pruned;           /* old cache entries removed at load */
};

/* Loads cfg's rule files (relative ones under default-rule-path), the
 * classification file (or the classification.config beside the first rule
 * file) and the variables, then compiles the sets (through the cache in
 * cfg->detect_cache_dir, made if missing).  Rules that cannot run are
 * skipped and listed on log (file:line: sid: keyword: why), then one
 * summary line per reason; log NULL: quiet.  Returns NULL with errbuf set
 * when a rule file cannot be read or memory runs out; a set with no rules
 * at all is valid (and inspects nothing). */
struct detect *detect_create(const struct ns_config *cfg, FILE *log, char *errbuf);
void detect_destroy(struct detect *d);                  /* NULL ok */

void detect_get_info(const struct detect *d, struct detect_info *out);
const struct rule_set *detect_rules(const struct detect *d);
/* Names of the skip reasons with counts, for the stats record. */
uint32_t detect_skip_summary(const struct detect *d, struct rule_skip_count *out, uint32_t max);

struct detect_thread *detect_thread_create(const struct detect *d, char *errbuf);
void detect_thread_destroy(struct detect_thread *t);    /* NULL ok */

/* What an inspection knows about the packet and its flow.  Addresses are
 * as the decoders give them (IPv4 in the first 4 bytes); ip_v says which. */
struct detect_pkt {
    uint64_t ts_us;
    uint64_t flow_id;                /* 0: no flow (no flowbits, no state) */
    uint8_t ip_v, l4;                /* IP version, IP protocol number */
    const uint8_t *src, *dst;
    uint16_t sport, dport;
    const char *app_proto;           /* the flow's, NULL when not known */
    bool toserver, established;
    const uint8_t *payload;          /* the packet's L4 payload */
    uint32_t payload_len;
    /* the packet's IP and transport headers (ipv4.hdr ... icmpv6.hdr);
     * NULL when absent (and for transactions) */
    const uint8_t *l3_hdr, *l4_hdr;
    uint32_t l3_hdr_len, l4_hdr_len;
};

/* A rule that matched and passed its threshold: alert on it. */
struct detect_match {
    const struct rule *r;
};

#define DETECT_MAX_ALERTS 15         /* per inspection, Suricata's packet_alert_max */

/* The packet rules on p; returns how many alerts (at most
 * DETECT_MAX_ALERTS, in rule order) are in *out.  stream_covered: the
 * payload is (or will be) inspected as part of the flow's reassembled
 * stream (detect_stream), so only the rules that look at packets alone
 * (dsize, flow:no_stream) are run here, as Suricata does for TCP. */
unsigned detect_packet(struct detect_thread *t, const struct detect *d, const struct detect_pkt *p,
                       bool stream_covered, const struct detect_match **out);

/* The packet rules on reassembled TCP data going p->toserver: buf holds
 * old bytes already inspected (the last `old` bytes before the new ones,
 * kept for matches that span chunks) then the new bytes.  A rule that
 * also matches the old bytes alone matched before and does not alert
 * again.  Rules that need a packet (dsize, flow:no_stream) are not run. */
unsigned detect_stream(struct detect_thread *t, const struct detect *d, const struct detect_pkt *p,
                       const uint8_t *buf, size_t len, size_t old,
                       const struct detect_match **out);

/* The transaction rules of app proto `proto` ("http", "dns", "tls") on the
 * buffers bufs (p == NULL: absent); p gives the header facts (payload
 * unused).  Same result as detect_packet. */
unsigned detect_tx(struct detect_thread *t, const struct detect *d, const struct detect_pkt *p,
                   const struct rule_buffer bufs[RULE_BUF_COUNT], const struct detect_match **out);

/* Suricata's "established" of flow:established: for TCP the three-way
 * handshake completed (or a session picked up midstream, when
 * stream.midstream allows it); for the others, packets seen both ways. */
bool detect_flow_established(const struct flow *f, const struct ns_config *cfg);

/* The flow ended: forget its flowbits. */
void detect_flow_end(struct detect_thread *t, uint64_t flow_id);

struct detect_counters {
    uint64_t inspected;              /* packet and tx inspections with rules to run */
    uint64_t candidates;             /* rules nominated and verified */
    uint64_t matches;                /* rules that matched */
    uint64_t alerts;                 /* after thresholds and noalert */
    uint64_t suppressed;             /* matches a threshold kept quiet */
    uint64_t scan_errors;            /* Hyperscan scans that failed */
    uint64_t flowbits_full;          /* flows that could not keep flowbits */
    uint64_t threshold_full;         /* threshold entries that did not fit */
    uint64_t alert_cap;              /* alerts beyond DETECT_MAX_ALERTS */
    struct rule_match_counters rm;   /* verification: pcre, step limits */
};

void detect_thread_counters(const struct detect_thread *t, struct detect_counters *c);
/* Count into c from now on (the worker's own counters, which outlive the
 * generations a reload swaps); only the thread that uses t may call it. */
void detect_thread_bind(struct detect_thread *t, struct detect_counters *c);

/* What the workers run: a detect with one thread context per worker,
 * built together (so a reload hands workers ready contexts and they never
 * allocate or wait) and published through an RCU-protected pointer.
 *
 * A reload (SIGUSR2, engine/main.c) builds the next generation from the
 * same configuration, swaps it into the pointer and destroys the old one
 * after a grace period.  The state in a detect_thread belongs to its
 * generation: after a reload the flowbits set before it are gone (an
 * isset test is false until a packet sets the bit again) and thresholds
 * count from zero; the counters are the worker's (detect_thread_bind) and
 * go on.  Generation ids only grow (a failed reload uses none), so a
 * worker tells generations apart by id. */
struct detect_gen {
    struct detect *d;
    uint64_t id;                     /* 1, 2, ... per load */
    _Atomic uint64_t reload_failed;  /* reloads that failed while this set ran,
                                      * plus those before it (for the stats) */
    unsigned nth;
    struct detect_thread *th[];      /* by worker id */
};

/* Worker wid's context in g, counting into c (bound the first time the
 * worker meets g: *seen keeps the id of the generation last bound). */
static inline struct detect_thread *detect_gen_thread(struct detect_gen *g, unsigned wid,
                                                      uint64_t *seen, struct detect_counters *c)
{
    struct detect_thread *t = g->th[wid];
    if (*seen != g->id) {
        detect_thread_bind(t, c);
        *seen = g->id;
    }
    return t;
}

struct detect_gen *detect_gen_create(const struct ns_config *cfg, unsigned nworkers, uint64_t id,
                                     FILE *log, char *errbuf);
void detect_gen_destroy(struct detect_gen *g);          /* NULL ok */

#endif
