/* flow/mempool.h: a worker's memory for reassembly and app-layer state.
 *
 * One region of `cap` bytes is reserved at create (address space only:
 * pages are touched when first carved) and carved into blocks of
 * power-of-two size classes, MEMPOOL_MIN to MEMPOOL_MAX bytes.  Freed
 * blocks go to their class's free list and are reused first.  Nothing is
 * ever returned to the system before destroy, and nothing past cap is ever
 * taken: an allocation that does not fit returns NULL and is counted.  One
 * owner thread: no locks. */
#ifndef MEMPOOL_H
#define MEMPOOL_H

#include "engine/ns_common.h"

#define MEMPOOL_MIN_SHIFT 6                             /* 64 B */
#define MEMPOOL_MAX_SHIFT 18                            /* 256 KiB */
#define MEMPOOL_MAX       (1u << MEMPOOL_MAX_SHIFT)
#define MEMPOOL_CLASSES   (MEMPOOL_MAX_SHIFT - MEMPOOL_MIN_SHIFT + 1)

struct mempool {
    uint8_t *base;
    size_t cap, carved;             /* region size; bytes carved so far */
    size_t in_use;                  /* bytes in blocks handed out */
    uint64_t fails;                 /* allocations refused */
    void *free_list[MEMPOOL_CLASSES];
};

/* cap is rounded down to a whole number of pages; 0 gives a pool that
 * refuses everything.  Returns NS_OK or NS_ERR_NOMEM with errbuf set. */
int mempool_init(struct mempool *mp, size_t cap, char *errbuf) NS_MUST_CHECK;
void mempool_fini(struct mempool *mp);

/* A block of at least n bytes (n <= MEMPOOL_MAX), 64-byte aligned, not
 * zeroed; *got receives its usable size.  NULL when the cap is reached. */
void *mempool_alloc(struct mempool *mp, size_t n, size_t *got);
/* size: the *got of the allocation (or any n in the same class). */
void mempool_free(struct mempool *mp, void *p, size_t size);

#endif
