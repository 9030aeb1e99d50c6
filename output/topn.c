/* output/topn.c: the Space-Saving table (see topn.h).
 *
 * Entries live in one array; a chained hash (heads per bucket, `hnext` per
 * entry, the hash kept in the entry so an eviction unlinks without
 * rehashing) finds a key, and a binary min-heap of entry indices keeps the
 * smallest counter at heap[0].  Counts only grow, so an add sifts its
 * entry down, never up, except for a newly filled slot. */
#include <stdlib.h>

#include "output/topn.h"

#define TOPN_NONE UINT32_MAX

struct topn_entry {
    uint64_t count, err, hash;
    uint32_t hnext, hpos;
    uint16_t klen;
    char key[TOPN_KEY_MAX];
};

struct topn {
    uint32_t cap, n, hmask;
    bool evicted;
    uint64_t total;
    struct topn_entry *e;
    uint32_t *heap;
    uint32_t *head;
};

struct topn *topn_create(uint32_t cap)
{
    if (cap == 0 || cap > (1u << 24))
        return NULL;
    uint32_t hcap = 1;
    while (hcap < cap * 2)
        hcap <<= 1;
    struct topn *t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    t->cap = cap;
    t->hmask = hcap - 1;
    t->e = calloc(cap, sizeof(*t->e));
    t->heap = calloc(cap, sizeof(*t->heap));
    t->head = malloc(hcap * sizeof(*t->head));
    if (!t->e || !t->heap || !t->head) {
        topn_destroy(t);
        return NULL;
    }
    for (uint32_t i = 0; i < hcap; i++)
        t->head[i] = TOPN_NONE;
    return t;
}

void topn_destroy(struct topn *t)
{
    if (!t)
        return;
    free(t->e);
    free(t->heap);
    free(t->head);
    free(t);
}

static uint64_t topn_hash(const void *key, size_t n)
{
    const unsigned char *p = key;
    uint64_t h = 0xcbf29ce484222325ull;          /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h ^ (h >> 29);
}

static void topn_heap_swap(struct topn *t, uint32_t a, uint32_t b)
{
    uint32_t ea = t->heap[a], eb = t->heap[b];
    t->heap[a] = eb;
    t->heap[b] = ea;
    t->e[eb].hpos = a;
    t->e[ea].hpos = b;
}

static void topn_sift_down(struct topn *t, uint32_t i)
{
    for (;;) {
        uint32_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < t->n && t->e[t->heap[l]].count < t->e[t->heap[m]].count)
            m = l;
        if (r < t->n && t->e[t->heap[r]].count < t->e[t->heap[m]].count)
            m = r;
        if (m == i)
            return;
        topn_heap_swap(t, i, m);
        i = m;
    }
}

static void topn_sift_up(struct topn *t, uint32_t i)
{
    while (i > 0) {
        uint32_t p = (i - 1) / 2;
        if (t->e[t->heap[p]].count <= t->e[t->heap[i]].count)
            return;
        topn_heap_swap(t, i, p);
        i = p;
    }
}

static void topn_unlink(struct topn *t, uint32_t idx)
{
    uint32_t *pp = &t->head[t->e[idx].hash & t->hmask];
    while (*pp != TOPN_NONE && *pp != idx)
        pp = &t->e[*pp].hnext;
    if (*pp == idx)
        *pp = t->e[idx].hnext;
}

static uint64_t topn_sat_add(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

void topn_add(struct topn *t, const void *key, size_t klen, uint64_t weight)
{
    if (klen > TOPN_KEY_MAX)
        klen = TOPN_KEY_MAX;
    uint64_t h = topn_hash(key, klen);
    t->total = topn_sat_add(t->total, weight);
    for (uint32_t i = t->head[h & t->hmask]; i != TOPN_NONE; i = t->e[i].hnext) {
        struct topn_entry *e = &t->e[i];
        if (e->hash == h && e->klen == klen && !memcmp(e->key, key, klen)) {
            e->count = topn_sat_add(e->count, weight);
            topn_sift_down(t, e->hpos);
            return;
        }
    }
    uint32_t idx;
    uint64_t base = 0;
    if (t->n < t->cap) {
        idx = t->n;
        t->heap[t->n] = idx;
        t->e[idx].hpos = t->n++;
    } else {
        idx = t->heap[0];           /* the smallest counter gives up its slot */
        topn_unlink(t, idx);
        base = t->e[idx].count;
        t->evicted = true;
    }
    struct topn_entry *e = &t->e[idx];
    memcpy(e->key, key, klen);
    e->klen = (uint16_t)klen;
    e->hash = h;
    e->err = base;
    e->count = topn_sat_add(base, weight);
    e->hnext = t->head[h & t->hmask];
    t->head[h & t->hmask] = idx;
    topn_sift_down(t, e->hpos);
    topn_sift_up(t, e->hpos);
}

/* a ranks before b: larger count, then smaller key */
static bool topn_before(const struct topn_entry *a, const struct topn_entry *b)
{
    if (a->count != b->count)
        return a->count > b->count;
    size_t m = a->klen < b->klen ? a->klen : b->klen;
    int c = memcmp(a->key, b->key, m);
    return c ? c < 0 : a->klen < b->klen;
}

size_t topn_get(const struct topn *t, struct topn_row *rows, size_t n)
{
    /* n passes of a selection: n is a chart's row count (tens), so this
     * costs less than sorting the table, and needs no scratch memory */
    const struct topn_entry *prev = NULL;
    size_t got = 0;
    for (; got < n; got++) {
        const struct topn_entry *best = NULL;
        for (uint32_t i = 0; i < t->n; i++) {
            const struct topn_entry *e = &t->e[i];
            if (prev && !topn_before(prev, e))
                continue;
            if (!best || topn_before(e, best))
                best = e;
        }
        if (!best)
            break;
        rows[got] = (struct topn_row){ best->key, best->klen, best->count, best->err };
        prev = best;
    }
    return got;
}

uint64_t topn_total(const struct topn *t) { return t->total; }
uint32_t topn_distinct(const struct topn *t) { return t->n; }
bool topn_exact(const struct topn *t) { return !t->evicted; }
