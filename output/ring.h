/* output/ring.h: single-producer single-consumer ring of variable-sized
 * records, the only way data crosses threads in NetScope (reader -> worker,
 * worker -> writer).
 *
 * Lock-free: the producer owns head, the consumer owns tail; each reads the
 * other's index with an acquire load only when its cached copy says the ring
 * is full (producer) or empty (consumer).  A record is a 16-byte header
 * (length, type) and its payload, 16-byte aligned and always contiguous in
 * memory: a record that would cross the end of the buffer is preceded by a
 * wrap marker and starts again at offset 0.
 *
 * Ownership: bytes returned by ring_reserve belong to the producer until
 * ring_commit; bytes returned by ring_peek belong to the consumer until
 * ring_release.  Waiting (ring_reserve_wait, ring_peek_wait) spins briefly,
 * then yields, then sleeps 50 us doubling to 1 ms: no locks, no syscalls
 * while data flows.  A producer that found the ring full resumes only once
 * a quarter of it is free. */
#ifndef RING_H
#define RING_H

#include "engine/ns_common.h"

struct ring;

/* size: bytes, rounded up to a power of two (at least 64 KiB). */
struct ring *ring_create(size_t size, char *errbuf) NS_MUST_CHECK;
/* Bytes ring_create(size) allocates for the ring's buffer. */
uint64_t ring_alloc_size(size_t size);
void ring_destroy(struct ring *r);              /* NULL ok */

/* Largest payload a record may have (a quarter of the ring). */
uint32_t ring_max_record(const struct ring *r);

/* Producer.  ring_reserve returns room for len payload bytes, or NULL when
 * the ring has no room now (or len > ring_max_record).  ring_commit publishes
 * the record with used <= len payload bytes (release store; pairs with the
 * acquire load of head in ring_peek). */
void *ring_reserve(struct ring *r, uint32_t len);
void *ring_reserve_wait(struct ring *r, uint32_t len);  /* NULL only if too big */
void ring_commit(struct ring *r, uint32_t type, uint32_t used);

/* Consumer.  ring_peek returns the oldest record's payload and sets *type
 * and *len, or NULL when the ring is empty.  ring_release frees it (release
 * store; pairs with the acquire load of tail in ring_reserve). */
const void *ring_peek(struct ring *r, uint32_t *type, uint32_t *len);
const void *ring_peek_wait(struct ring *r, uint32_t *type, uint32_t *len);
void ring_release(struct ring *r);

/* Back-off used while waiting on a ring: call with a counter that starts
 * at 0 and is reset when work is found. */
void ring_backoff(uint32_t *spins);

#endif
