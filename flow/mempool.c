/* flow/mempool.c: size-class allocator over one reserved region. */
#include "flow/mempool.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int mempool_init(struct mempool *mp, size_t cap, char *errbuf)
{
    memset(mp, 0, sizeof(*mp));
    long pg = sysconf(_SC_PAGESIZE);
    size_t page = pg > 0 ? (size_t)pg : 4096;
    cap -= cap % page;
    if (cap == 0)
        return NS_OK;
    void *p = mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    if (p == MAP_FAILED) {
        snprintf(errbuf, NS_ERRBUF_SIZE, "stream memcap: cannot reserve %zu bytes: %s", cap,
                 strerror(errno));
        return NS_ERR_NOMEM;
    }
    mp->base = p;
    mp->cap = cap;
    return NS_OK;
}

void mempool_fini(struct mempool *mp)
{
    if (mp->base)
        munmap(mp->base, mp->cap);
    memset(mp, 0, sizeof(*mp));
}

static unsigned mempool_class(size_t n)
{
    unsigned c = 0;
    while (((size_t)1 << (c + MEMPOOL_MIN_SHIFT)) < n)
        c++;
    return c;
}

void *mempool_alloc(struct mempool *mp, size_t n, size_t *got)
{
    if (n == 0)
        n = 1;
    if (n > MEMPOOL_MAX) {
        mp->fails++;
        return NULL;
    }
    unsigned c = mempool_class(n);
    size_t size = (size_t)1 << (c + MEMPOOL_MIN_SHIFT);
    void *p = mp->free_list[c];
    if (p) {
        memcpy(&mp->free_list[c], p, sizeof(void *));
    } else {
        if (mp->cap - mp->carved < size) {
            mp->fails++;
            return NULL;
        }
        p = mp->base + mp->carved;
        mp->carved += size;
    }
    mp->in_use += size;
    if (got)
        *got = size;
    return p;
}

void mempool_free(struct mempool *mp, void *p, size_t size)
{
    if (!p)
        return;
    unsigned c = mempool_class(size);
    memcpy(p, &mp->free_list[c], sizeof(void *));
    mp->free_list[c] = p;
    mp->in_use -= (size_t)1 << (c + MEMPOOL_MIN_SHIFT);
}
