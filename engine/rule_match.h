/* engine/rule_match.h: verifying one parsed rule (engine/rules.h) against
 * one packet or transaction.  Pure functions over the caller's buffers:
 * no Hyperscan here (the prefilter nominates rules; this says yes or no),
 * no allocation, no locks, no logging per call.
 *
 * Content semantics are Suricata's (detect-engine-content-inspection.c):
 * offset/depth are absolute in the buffer; distance/within count from the
 * end of the previous content or pcre match in the same buffer; a
 * negated content holds when the pattern is absent from its window;
 * startswith is depth = length; endswith wants the match to end the
 * buffer; isdataat N asks for a byte at N (relative: N bytes past the
 * previous match); pcre R starts at the previous match end; bsize, dsize,
 * urilen compare lengths.  byte_test compares a number read from the
 * buffer, byte_jump moves the position past one (times a multiplier,
 * aligned, plus post_offset), byte_extract stores one in a variable and
 * moves past it, byte_math stores number op rvalue and moves past it;
 * relative ones read after the previous match, and every read is checked
 * against the buffer.  Variables belong to the rule: a list may read what
 * an earlier list set (lists are inspected in enum rule_buf order).  A
 * list's transforms (dotprefix, pcrexform, to_lowercase, ...) run on a
 * copy in the context's scratch before its items; bsize applies to the
 * result, urilen to the URI as it came.  When an item relative to an
 * earlier match fails, the earlier content (or pcre) is tried at its next
 * occurrence, and so on back.
 *
 * Bound: a buffer list's inspection makes at most RULE_MATCH_MAX_STEPS
 * steps (Suricata's default inspection-recursion-limit, 3000), a step
 * being one item evaluation or one retry of a content at its next
 * occurrence; past it the list does not match (counted in the context:
 * step_limit).  A step is one search linear in its window (memmem, or
 * KMP over a case-folded pattern for nocase; an endswith content is one
 * comparison at the end) or one PCRE2 match under match limit
 * RULE_MATCH_PCRE_LIMIT.  So a hostile buffer of n bytes costs at most
 * 3000 x O(n + pattern) per list and rule, never exponential.  Suricata
 * counts only the recursion; counting retries too differs from it only
 * on buffers that would take it over 3000 occurrences of one content.
 * Buffers are inspected up to RULE_MATCH_MAX_BUFFER bytes. */
#ifndef RULE_MATCH_H
#define RULE_MATCH_H

#include <hs/hs.h>

#include "engine/rules.h"

#define RULE_MATCH_MAX_STEPS      3000u
#define RULE_MATCH_PCRE_LIMIT     3500u      /* pcre2 match limit (Suricata's) */
#define RULE_MATCH_PCRE_DEPTH     1500u      /* pcre2 depth limit (interpreter) */
#define RULE_MATCH_PCRE_HEAP_KIB  1024u      /* pcre2 heap limit (interpreter frames) */
#define RULE_MATCH_MAX_BUFFER     0x7fffffffu
#define RULE_MATCH_XFORM_MAX      (64u * 1024u)  /* transforms: a longer input or
                                                  * result does not match */

/* Per-worker scratch: PCRE2 match data, match context and JIT stack, the
 * two transform buffers (2 x RULE_MATCH_XFORM_MAX).  Create one per thread at start; never share.  (The
 * PCRE2 interpreter, used for the few patterns JIT refuses, grows its
 * frame vector inside the match data once, up to the heap limit, and
 * reuses it afterwards.) */
struct rule_match_ctx;

struct rule_match_ctx *rule_match_ctx_create(char *errbuf) NS_MUST_CHECK;
void rule_match_ctx_destroy(struct rule_match_ctx *ctx);        /* NULL ok */

struct rule_match_counters {
    uint64_t step_limit;     /* inspections cut by RULE_MATCH_MAX_STEPS */
    uint64_t pcre_errors;    /* pcre2_match errors (match limit, ...) */
    uint64_t pcre_hs;        /* pcre items Hyperscan settled (PCRE2 not run) */
    uint64_t pcre2;          /* pcre2_match calls */
};

void rule_match_ctx_counters(const struct rule_match_ctx *ctx, struct rule_match_counters *c);
/* Count into c from now on (only the thread that uses ctx may call it). */
void rule_match_ctx_bind(struct rule_match_ctx *ctx, struct rule_match_counters *c);

/* pcre on Hyperscan (engine/pcre_hs.h): a pcre item asks ph first, with
 * this scratch (grown for ph, used by nothing else while rule_match
 * runs).  Both borrowed; NULL: PCRE2 alone. */
struct pcre_hs;
void rule_match_ctx_set_hs(struct rule_match_ctx *ctx, const struct pcre_hs *ph,
                           hs_scratch_t *scratch);

/* One buffer: p == NULL means absent (a rule that inspects it does not
 * match); p != NULL with len 0 is present and empty. */
struct rule_buffer {
    const uint8_t *p;
    size_t len;
};

struct rule_match_input {
    struct rule_buffer buf[RULE_BUF_COUNT];
    bool to_server;          /* the packet / data goes client -> server */
    bool established;        /* the flow is established (TCP: 3WHS seen; UDP: both ways) */
    bool stream;             /* RULE_BUF_PAYLOAD is reassembled stream data */
    uint32_t dsize;          /* the packet's payload size */
    /* The flow's flowbits, ids from rule_set_flowbit_* (bit id % 64 of
     * word id / 64).  NULL: no flow; any flowbits condition fails and
     * nothing is set. */
    uint64_t *flowbits;
    uint32_t flowbits_words;
};

/* Does the rule match?  Checks flow, dsize, flowbits conditions and every
 * buffer list, and only on a match applies the rule's flowbits set /
 * unset / toggle to in->flowbits (in rule order).  The header (protocol,
 * addresses, ports) is the caller's: see rule_header_match.  A matching
 * rule with r->noalert set must not raise an alert.  Thresholds are the
 * caller's as well (r->threshold). */
bool rule_match(struct rule_match_ctx *ctx, const struct rule *r, const struct rule_match_input *in);

/* One list alone (for tests and for engines that cache per-buffer
 * results): true when the buffer satisfies the list. */
bool rule_match_list(struct rule_match_ctx *ctx, const struct rule *r, const struct rule_list *l,
                     const uint8_t *p, size_t len);

/* ---- header helpers ---- */

/* IPv4 (host order) as the 16-byte key the address sets use. */
void rule_addr_from_v4(uint8_t out[16], uint32_t ip);
bool rule_addr_match(const struct rule_addr *a, const uint8_t ip[16]);
bool rule_ports_match(const struct rule_ports *p, uint16_t port);
/* l4 is the IP protocol number (6, 17, 1, 58, ...).  For "<>" rules
 * either orientation matches.  Ports are ignored unless TCP/UDP. */
bool rule_header_match(const struct rule *r, uint8_t l4, const uint8_t src[16], uint16_t sport,
                       const uint8_t dst[16], uint16_t dport);

#endif
