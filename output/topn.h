/* output/topn.h: heavy hitters in bounded memory (Space-Saving, Metwally,
 * Agrawal and El Abbadi 2005).
 *
 * A table of `cap` counters keyed by byte strings (at most TOPN_KEY_MAX
 * bytes; longer keys are cut there, so two keys that share their first
 * TOPN_KEY_MAX bytes count as one).  While fewer than cap distinct keys
 * were seen every count is exact.  After that a new key takes the place of
 * the smallest counter and inherits its count as an error bound: any key
 * whose true weight is above total/cap is in the table, and each reported
 * count is at most `err` above the truth.  Memory is allocated once at
 * create; an add is a hash lookup plus a sift in a min-heap, O(log cap). */
#ifndef TOPN_H
#define TOPN_H

#include "engine/ns_common.h"

#define TOPN_KEY_MAX 128

struct topn;

struct topn_row {
    const char *key;        /* borrowed: valid until the next add or destroy */
    size_t klen;
    uint64_t count;
    uint64_t err;           /* count - err <= true weight <= count */
};

struct topn *topn_create(uint32_t cap) NS_MUST_CHECK;     /* NULL: out of memory */
void topn_destroy(struct topn *t);                        /* NULL ok */
void topn_add(struct topn *t, const void *key, size_t klen, uint64_t weight);
/* The n largest counters, largest first (ties by key); returns how many. */
size_t topn_get(const struct topn *t, struct topn_row *rows, size_t n);
uint64_t topn_total(const struct topn *t);                /* sum of all weights added */
uint32_t topn_distinct(const struct topn *t);             /* keys held now */
bool topn_exact(const struct topn *t);                    /* no key was ever evicted */

#endif
