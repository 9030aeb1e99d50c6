/* engine/rule_xform.h: applying a list's transforms (struct rule_xform)
 * to a buffer, for rule_match.c.  Nothing is allocated: the results go to
 * the caller's two scratch buffers (each step reads one and writes the
 * other), so the output is bounded by their size. */
#ifndef RULE_XFORM_H
#define RULE_XFORM_H

#include "engine/rules.h"

struct rule_xform_scratch {
    uint8_t *buf[2];             /* cap bytes each */
    size_t cap;
    void *md;                    /* pcre2_match_data (8-bit), for pcrexform */
    void *mctx;                  /* pcre2_match_context: the match limits */
    uint64_t *pcre_errors;       /* pcre2_match failures other than no match */
};

/* Transforms [*p, *p + *len) by the chain of l; on true *p and *len are the result
 * (borrowed from the scratch until the next call).  false: the list cannot
 * match -- an input or output larger than the scratch, a pcrexform that
 * finds nothing (Suricata's failed transform).  An empty buffer stays
 * empty, as in Suricata. */
bool rule_xform_apply(const struct rule_xform_scratch *x, const struct rule_list *l,
                      const uint8_t **p, size_t *len);

#endif
