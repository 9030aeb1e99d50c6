/* output/sketch.h: a bounded-memory heavy-hitter sketch (Space-Saving,
 * Metwally, Agrawal and El Abbadi, ICDT 2005) over byte-string keys with
 * weighted updates.  Its whole API is this header.
 *
 * Memory: capacity counters of key_max key bytes each, a hash index and a
 * merge scratch, all allocated by sketch_create; nothing is allocated, and
 * nothing grows, afterwards, whatever the number of distinct keys.  Keys
 * longer than key_max are cut to key_max bytes (they then count as one).
 *
 * Error bound.  Let N be the total weight added (sketch_total) and k the
 * capacity.  Every kept key's count overestimates its true weight by at
 * most its own error (sketch_item.error), and every error is <= N / k
 * (sketch_bound): true in [count - error, count].  A key absent from the
 * sketch has a true weight <= the smallest kept count <= N / k, so any key
 * whose true weight is > N / k is present.  Until k distinct keys were seen
 * every count is exact (error 0).
 *
 * Merge (sketch_merge, what the writer does with the workers' sketches):
 * for each key of either side, count = its count on each side, or, where
 * it is absent from a full side, that side's smallest count (the most it
 * can have there), likewise for the error; then the k largest are kept.
 * Each side adds at most N_side / k to a key's error, so after merging the
 * bound above holds with N = N_a + N_b: merging W workers' sketches gives
 * the same guarantee as one sketch over all of their input.  The kept
 * counts sum to at most N (each side's padding is paid for by a key of
 * that side that was dropped), so the smallest kept count stays <= N / k
 * and the presence guarantee holds too.  Which keys are reported may
 * differ with the number of workers, but only within these bounds. */
#ifndef SKETCH_H
#define SKETCH_H

#include "engine/ns_common.h"

#define SKETCH_MIN_CAPACITY 8u
#define SKETCH_MAX_CAPACITY 65536u
#define SKETCH_MAX_KEY 255u

struct sketch;

/* One kept key.  key is borrowed: valid until the sketch changes. */
struct sketch_item {
    const uint8_t *key;
    uint32_t len;
    uint64_t count;          /* >= the key's true weight */
    uint64_t error;          /* count - error <= true weight */
};

/* capacity in [SKETCH_MIN_CAPACITY, SKETCH_MAX_CAPACITY], key_max in
 * [1, SKETCH_MAX_KEY].  NULL with errbuf set on a bad value or no memory. */
struct sketch *sketch_create(uint32_t capacity, uint32_t key_max, char *errbuf) NS_MUST_CHECK;
void sketch_destroy(struct sketch *s);                 /* NULL ok */
void sketch_reset(struct sketch *s);                   /* empty, same memory */

/* Adds weight w (> 0) to key: O(log k), no allocation. */
void sketch_add(struct sketch *s, const void *key, size_t len, uint64_t w);

/* The same as sketch_add over u[0..n) in order (same counts, same
 * errors), with the memory each update will touch fetched ahead: for
 * callers that queue updates while the sketch is out of the cache. */
struct sketch_upd {
    const void *key;
    uint32_t len;
    uint64_t w;              /* > 0 */
};
void sketch_add_batch(struct sketch *s, const struct sketch_upd *u, size_t n);

/* dst += src (same capacity and key_max, else NS_ERR_INVAL and dst
 * unchanged).  O(k log k). */
int sketch_merge(struct sketch *dst, const struct sketch *src);

uint64_t sketch_total(const struct sketch *s);         /* N */
uint32_t sketch_size(const struct sketch *s);          /* keys kept, <= capacity */
uint32_t sketch_capacity(const struct sketch *s);
/* No key has been evicted (every count is exact): no kept key carries an
 * error (an eviction leaves one, since weights are >= 1). */
bool sketch_exact(const struct sketch *s);
/* N / k rounded down: the largest error any key can have. */
uint64_t sketch_bound(const struct sketch *s);
/* Bytes the sketch holds (fixed at create). */
size_t sketch_memory(const struct sketch *s);

/* The n largest counts, largest first (ties: shorter key, then smaller
 * bytes, so the order is stable), into out; returns how many. */
uint32_t sketch_top(const struct sketch *s, struct sketch_item *out, uint32_t n);

/* A flat copy of the sketch for a ring record: sketch_wire_max bytes at
 * most; sketch_load reads it back into s (same capacity and key_max),
 * replacing its content.  NS_ERR_INVAL when the bytes are not a sketch
 * of that shape. */
size_t sketch_wire_max(uint32_t capacity, uint32_t key_max);
size_t sketch_save(const struct sketch *s, void *buf, size_t cap);
int sketch_load(struct sketch *s, const void *buf, size_t len);

#endif
