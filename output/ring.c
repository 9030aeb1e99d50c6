/* output/ring.c: the SPSC record ring (see ring.h).
 *
 * Indices are 64-bit byte counts that never wrap in practice (2^64 bytes);
 * the offset in the buffer is index & mask.  used = head - tail is at most
 * size.  Producer and consumer state sit on separate cache lines so that
 * the two threads only share a line when one reads the other's index. */
#include "output/ring.h"

#include <errno.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define RING_HDR        16u
#define RING_WRAP       UINT32_MAX   /* header length of a wrap marker */
#define RING_MIN_SIZE   (64u * 1024u)

struct ring_hdr {
    uint32_t len;
    uint32_t type;
    uint64_t pad;
};
_Static_assert(sizeof(struct ring_hdr) == RING_HDR, "ring header size");

struct ring {
    /* producer line */
    NS_CACHE_ALIGNED _Atomic uint64_t head;
    uint64_t tail_cache;
    uint64_t reserved_at;        /* head of the pending reservation */
    /* consumer line */
    NS_CACHE_ALIGNED _Atomic uint64_t tail;
    uint64_t head_cache;
    uint64_t peeked_end;         /* tail after the peeked record */
    /* read-only after create */
    NS_CACHE_ALIGNED uint8_t *buf;
    uint64_t size, mask;
};

uint64_t ring_alloc_size(size_t size)
{
    uint64_t sz = RING_MIN_SIZE;
    while (sz < size && sz < (1ull << 40))
        sz <<= 1;
    return sz;
}

struct ring *ring_create(size_t size, char *errbuf)
{
    uint64_t sz = ring_alloc_size(size);
    struct ring *r = aligned_alloc(NS_CACHE_LINE, sizeof(*r));
    if (!r)
        goto err;
    memset(r, 0, sizeof(*r));
    r->buf = aligned_alloc(NS_CACHE_LINE, sz);
    if (!r->buf)
        goto err_free;
    r->size = sz;
    r->mask = sz - 1;
    atomic_init(&r->head, 0);
    atomic_init(&r->tail, 0);
    return r;
err_free:
    free(r);
err:
    snprintf(errbuf, NS_ERRBUF_SIZE, "ring: cannot allocate %llu bytes: %s",
             (unsigned long long)sz, strerror(errno));
    return NULL;
}

void ring_destroy(struct ring *r)
{
    if (!r)
        return;
    free(r->buf);
    free(r);
}

uint32_t ring_max_record(const struct ring *r)
{
    uint64_t m = r->size / 4 - RING_HDR;
    return m > UINT32_MAX - 64 ? UINT32_MAX - 64 : (uint32_t)m;
}

/* Records take whole RING_HDR units, so that wherever a record ends the
 * buffer has room for the next header or a wrap marker before its end:
 * with 8-byte units a record could end 8 bytes short of it, and the
 * 16-byte wrap marker written there (and read back by the consumer) ran
 * past the buffer (found by tests/fuzz/fuzz_reader). */
static inline uint64_t ring_align(uint64_t n)
{
    return (n + RING_HDR - 1u) & ~(uint64_t)(RING_HDR - 1u);
}

void *ring_reserve(struct ring *r, uint32_t len)
{
    if (unlikely(len > ring_max_record(r)))
        return NULL;
    uint64_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
    uint64_t need = RING_HDR + ring_align(len);
    uint64_t off = head & r->mask;
    uint64_t to_end = r->size - off;
    uint64_t total = need <= to_end ? need : need + to_end;
    if (head + total - r->tail_cache > r->size) {
        /* acquire: pairs with the release store of tail in ring_release, so
         * the consumer is done with the bytes we are about to overwrite */
        r->tail_cache = atomic_load_explicit(&r->tail, memory_order_acquire);
        if (head + total - r->tail_cache > r->size)
            return NULL;
    }
    if (need > to_end) {
        struct ring_hdr w = { .len = RING_WRAP };
        memcpy(r->buf + off, &w, sizeof(w));
        head += to_end;
        off = 0;
    }
    r->reserved_at = head;
    return r->buf + off + RING_HDR;
}

void *ring_reserve_wait(struct ring *r, uint32_t len)
{
    uint32_t spins = 0;
    if (len > ring_max_record(r))
        return NULL;
    void *p = ring_reserve(r, len);
    if (likely(p != NULL))
        return p;
    /* Full: the consumer is the slower side.  Wait until it has freed a
     * quarter of the ring, so that each wake-up moves many records instead
     * of one (a producer that wakes for every freed record costs a context
     * switch per record on a machine with fewer cores than threads). */
    for (;;) {
        ring_backoff(&spins);
        uint64_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
        uint64_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);
        if (r->size - (head - tail) < r->size / 4)
            continue;
        p = ring_reserve(r, len);
        if (p)
            return p;
    }
}

void ring_commit(struct ring *r, uint32_t type, uint32_t used)
{
    uint64_t at = r->reserved_at;
    struct ring_hdr h = { .len = used, .type = type };
    memcpy(r->buf + (at & r->mask), &h, sizeof(h));
    /* release: the header and payload are visible before the new head;
     * pairs with the acquire load of head in ring_peek */
    atomic_store_explicit(&r->head, at + RING_HDR + ring_align(used),
                          memory_order_release);
}

const void *ring_peek(struct ring *r, uint32_t *type, uint32_t *len)
{
    uint64_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
    for (;;) {
        if (tail == r->head_cache) {
            r->head_cache = atomic_load_explicit(&r->head, memory_order_acquire);
            if (tail == r->head_cache)
                return NULL;
        }
        struct ring_hdr h;
        memcpy(&h, r->buf + (tail & r->mask), sizeof(h));
        if (h.len == RING_WRAP) {
            tail += r->size - (tail & r->mask);
            /* the wrap marker is ours to skip; publish so the producer
             * sees the space even before the next release */
            atomic_store_explicit(&r->tail, tail, memory_order_release);
            continue;
        }
        *type = h.type;
        *len = h.len;
        r->peeked_end = tail + RING_HDR + ring_align(h.len);
        /* the next record's header and the first bytes of its payload:
         * written by the other core, so a miss that can overlap with the
         * work on this record (harmless if nothing is there yet) */
        uint64_t off = r->peeked_end & r->mask;
        __builtin_prefetch(r->buf + off);
        if (off + 128 <= r->size)
            __builtin_prefetch(r->buf + off + 64);
        return r->buf + (tail & r->mask) + RING_HDR;
    }
}

const void *ring_peek_wait(struct ring *r, uint32_t *type, uint32_t *len)
{
    uint32_t spins = 0;
    for (;;) {
        const void *p = ring_peek(r, type, len);
        if (p)
            return p;
        ring_backoff(&spins);
    }
}

void ring_release(struct ring *r)
{
    /* release: we are done reading the record; pairs with the acquire load
     * of tail in ring_reserve */
    atomic_store_explicit(&r->tail, r->peeked_end, memory_order_release);
}

void ring_backoff(uint32_t *spins)
{
    uint32_t s = (*spins)++;
    /* Few spins: with more threads than cores (reader, workers and writer
     * on two), a waiting thread's spinning takes the CPU from the thread it
     * waits for.  Then sleeps that double from 50 us to 1 ms: a ring holds
     * several milliseconds of packets or records, and each wake-up of an
     * idle thread is a context switch taken from a busy one. */
    if (s < 16) {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
    } else if (s < 18) {
        sched_yield();
    } else {
        uint32_t k = s - 18 < 5 ? s - 18 : 5;   /* 50 us << 0..5, capped at 1 ms */
        long ns = (50L * 1000L) << k;
        struct timespec ts = { 0, ns < 1000L * 1000L ? ns : 1000L * 1000L };
        nanosleep(&ts, NULL);
    }
}
