/* output/sketch.c: Space-Saving heavy hitters (see sketch.h for the bounds).
 *
 * Layout: entries[] (count, error, hash, heap position) with their keys in
 * keys[i * key_max]; a binary min-heap of entry numbers ordered by count,
 * whose root is the key Space-Saving replaces; an open-addressing index
 * (linear probing, at least twice the capacity, so probes stay short)
 * from key to entry, with backward-shift deletion so that no tombstones
 * build up over millions of replacements.  An update is one hash, a few
 * probes and a sift of O(log k). */
#include "output/sketch.h"

#include <stdio.h>
#include <stdlib.h>

struct sk_entry {
    uint64_t count, err;
    uint32_t hash;
    uint32_t heap;           /* position in heap[] */
    uint16_t len;
};

/* A candidate of sketch_merge. */
struct sk_cand {
    uint64_t count, err;
    const uint8_t *key;
    uint32_t len;
    uint32_t from;           /* entry number on its side */
    bool src;                /* only in the source */
};

struct sketch {
    uint32_t cap, key_max, n, mask;
    uint64_t total;
    struct sk_entry *e;
    uint8_t *keys;
    uint32_t *heap;
    uint32_t *index;         /* entry + 1, 0: empty */
    struct sk_cand *cand;    /* merge scratch, 2 * cap */
    uint8_t *seen;           /* merge scratch, cap */
};

#define SKETCH_WIRE_MAGIC 0x534b5431u  /* "SKT1" */
#define SKETCH_WIRE_HDR 24u
#define SKETCH_WIRE_ENT 18u

static uint32_t sk_hash(const uint8_t *p, size_t n)
{
    uint64_t h = 1469598103934665603ull;         /* FNV-1a 64 */
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 1099511628211ull;
    }
    return (uint32_t)(h ^ (h >> 32));
}

struct sketch *sketch_create(uint32_t capacity, uint32_t key_max, char *errbuf)
{
    if (capacity < SKETCH_MIN_CAPACITY || capacity > SKETCH_MAX_CAPACITY || key_max == 0 ||
        key_max > SKETCH_MAX_KEY) {
        snprintf(errbuf, NS_ERRBUF_SIZE, "sketch: capacity %u (%u..%u) or key size %u (1..%u) out of range",
                 capacity, SKETCH_MIN_CAPACITY, SKETCH_MAX_CAPACITY, key_max, SKETCH_MAX_KEY);
        return NULL;
    }
    struct sketch *s = calloc(1, sizeof(*s));
    if (!s)
        goto nomem;
    s->cap = capacity;
    s->key_max = key_max;
    uint32_t slots = 16;
    while (slots < capacity * 2u)
        slots <<= 1;
    s->mask = slots - 1;
    s->e = calloc(capacity, sizeof(*s->e));
    s->keys = calloc(capacity, key_max);
    s->heap = calloc(capacity, sizeof(*s->heap));
    s->index = calloc(slots, sizeof(*s->index));
    s->cand = calloc(2u * capacity, sizeof(*s->cand));
    s->seen = calloc(capacity, 1);
    if (!s->e || !s->keys || !s->heap || !s->index || !s->cand || !s->seen)
        goto nomem;
    return s;
nomem:
    snprintf(errbuf, NS_ERRBUF_SIZE, "sketch: out of memory for %u counters of %u bytes", capacity,
             key_max);
    sketch_destroy(s);
    return NULL;
}

void sketch_destroy(struct sketch *s)
{
    if (!s)
        return;
    free(s->e);
    free(s->keys);
    free(s->heap);
    free(s->index);
    free(s->cand);
    free(s->seen);
    free(s);
}

void sketch_reset(struct sketch *s)
{
    memset(s->index, 0, ((size_t)s->mask + 1) * sizeof(*s->index));
    s->n = 0;
    s->total = 0;
}

static inline uint8_t *sk_key(const struct sketch *s, uint32_t i)
{
    return s->keys + (size_t)i * s->key_max;
}

/* The index slot holding key, or the empty slot where it would go. */
static uint32_t sk_find(const struct sketch *s, const uint8_t *key, uint32_t len, uint32_t h)
{
    uint32_t i = h & s->mask;
    for (;;) {
        uint32_t v = s->index[i];
        if (v == 0)
            return i;
        const struct sk_entry *e = &s->e[v - 1];
        if (e->hash == h && e->len == len && memcmp(sk_key(s, v - 1), key, len) == 0)
            return i;
        i = (i + 1) & s->mask;
    }
}

/* Backward-shift deletion of index slot i (Knuth 6.4, algorithm R). */
static void sk_unindex(struct sketch *s, uint32_t i)
{
    uint32_t j = i;
    s->index[i] = 0;
    for (;;) {
        j = (j + 1) & s->mask;
        uint32_t v = s->index[j];
        if (v == 0)
            return;
        uint32_t home = s->e[v - 1].hash & s->mask;
        /* the entry at j may fill the hole at i if it does not pass its
         * home slot by moving there */
        if (((j - home) & s->mask) >= ((j - i) & s->mask)) {
            s->index[i] = v;
            s->index[j] = 0;
            i = j;
        }
    }
}

static void sk_swap(struct sketch *s, uint32_t a, uint32_t b)
{
    uint32_t x = s->heap[a], y = s->heap[b];
    s->heap[a] = y;
    s->heap[b] = x;
    s->e[y].heap = a;
    s->e[x].heap = b;
}

static void sk_sift_down(struct sketch *s, uint32_t p)
{
    for (;;) {
        uint32_t l = 2 * p + 1, r = l + 1, m = p;
        if (l < s->n && s->e[s->heap[l]].count < s->e[s->heap[m]].count)
            m = l;
        if (r < s->n && s->e[s->heap[r]].count < s->e[s->heap[m]].count)
            m = r;
        if (m == p)
            return;
        sk_swap(s, p, m);
        p = m;
    }
}

static void sk_sift_up(struct sketch *s, uint32_t p)
{
    while (p > 0) {
        uint32_t q = (p - 1) / 2;
        if (s->e[s->heap[q]].count <= s->e[s->heap[p]].count)
            return;
        sk_swap(s, p, q);
        p = q;
    }
}

/* Appends a new entry (n < cap) without heap order: callers sift or
 * heapify. */
static uint32_t sk_append(struct sketch *s, uint32_t slot, const uint8_t *key, uint32_t len,
                          uint32_t h, uint64_t count, uint64_t err)
{
    uint32_t i = s->n++;
    struct sk_entry *e = &s->e[i];
    e->count = count;
    e->err = err;
    e->hash = h;
    e->len = (uint16_t)len;
    e->heap = i;
    s->heap[i] = i;
    memcpy(sk_key(s, i), key, len);
    s->index[slot] = i + 1;
    return i;
}

void sketch_add(struct sketch *s, const void *key, size_t len, uint64_t w)
{
    const uint8_t *k = key;
    uint32_t n = len > s->key_max ? s->key_max : (uint32_t)len;
    uint32_t h = sk_hash(k, n);
    uint32_t slot = sk_find(s, k, n, h);
    s->total += w;
    uint32_t v = s->index[slot];
    if (v) {
        s->e[v - 1].count += w;
        sk_sift_down(s, s->e[v - 1].heap);
        return;
    }
    if (s->n < s->cap) {
        uint32_t i = sk_append(s, slot, k, n, h, w, 0);
        sk_sift_up(s, s->e[i].heap);
        return;
    }
    /* full: the key with the smallest count gives its counter to this
     * one, which may have had up to that count before (its error) */
    uint32_t victim = s->heap[0];
    struct sk_entry *e = &s->e[victim];
    sk_unindex(s, sk_find(s, sk_key(s, victim), e->len, e->hash));
    uint64_t m = e->count;
    e->count = m + w;
    e->err = m;
    e->hash = h;
    e->len = (uint16_t)n;
    memcpy(sk_key(s, victim), k, n);
    s->index[sk_find(s, k, n, h)] = victim + 1;
    sk_sift_down(s, 0);
}

static uint64_t sk_floor(const struct sketch *s)
{
    return s->n == s->cap ? s->e[s->heap[0]].count : 0;
}

static int sk_cand_cmp(const void *pa, const void *pb)
{
    const struct sk_cand *a = pa, *b = pb;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    if (a->err != b->err)
        return a->err < b->err ? -1 : 1;
    if (a->len != b->len)
        return a->len < b->len ? -1 : 1;
    return memcmp(a->key, b->key, a->len);
}

static void sk_rebuild(struct sketch *s)
{
    memset(s->index, 0, ((size_t)s->mask + 1) * sizeof(*s->index));
    for (uint32_t i = 0; i < s->n; i++) {
        struct sk_entry *e = &s->e[i];
        s->index[sk_find(s, sk_key(s, i), e->len, e->hash)] = i + 1;
        s->heap[i] = i;
        e->heap = i;
    }
    for (uint32_t p = s->n / 2; p-- > 0;)
        sk_sift_down(s, p);
}

int sketch_merge(struct sketch *dst, const struct sketch *src)
{
    if (dst->cap != src->cap || dst->key_max != src->key_max)
        return NS_ERR_INVAL;
    if (src->n == 0) {
        dst->total += src->total;
        return NS_OK;
    }
    uint64_t pad_d = sk_floor(dst), pad_s = sk_floor(src);
    uint32_t nc = 0;
    memset(dst->seen, 0, src->cap);
    for (uint32_t i = 0; i < dst->n; i++) {
        const struct sk_entry *e = &dst->e[i];
        uint32_t v = src->index[sk_find(src, sk_key(dst, i), e->len, e->hash)];
        struct sk_cand *c = &dst->cand[nc++];
        c->key = sk_key(dst, i);
        c->len = e->len;
        c->from = i;
        c->src = false;
        if (v) {
            dst->seen[v - 1] = 1;
            c->count = e->count + src->e[v - 1].count;
            c->err = e->err + src->e[v - 1].err;
        } else {
            c->count = e->count + pad_s;
            c->err = e->err + pad_s;
        }
    }
    for (uint32_t i = 0; i < src->n; i++) {
        if (dst->seen[i])
            continue;
        const struct sk_entry *e = &src->e[i];
        dst->cand[nc++] = (struct sk_cand){ .count = e->count + pad_d, .err = e->err + pad_d,
                                            .key = sk_key(src, i), .len = e->len, .from = i,
                                            .src = true };
    }
    qsort(dst->cand, nc, sizeof(*dst->cand), sk_cand_cmp);
    uint32_t keep = nc < dst->cap ? nc : dst->cap;
    /* dst's own kept keys stay in their slots; the freed slots take the
     * source's kept keys.  seen[] now marks dst slots still in use. */
    memset(dst->seen, 0, dst->cap);
    for (uint32_t i = 0; i < keep; i++) {
        const struct sk_cand *c = &dst->cand[i];
        if (!c->src) {
            dst->seen[c->from] = 1;
            dst->e[c->from].count = c->count;
            dst->e[c->from].err = c->err;
        }
    }
    /* keep >= dst->n, so the source's kept keys at least refill every
     * dropped slot, then go on from dst->n: [0, keep) stays dense, and
     * the dst keys the candidates point to are never overwritten before
     * they are read (a dropped slot's key is not a kept candidate) */
    uint32_t next = 0;
    for (uint32_t i = 0; i < keep; i++) {
        const struct sk_cand *c = &dst->cand[i];
        if (!c->src)
            continue;
        while (next < dst->n && dst->seen[next])
            next++;
        uint32_t slot = next++;
        const struct sk_entry *se = &src->e[c->from];
        struct sk_entry *e = &dst->e[slot];
        e->count = c->count;
        e->err = c->err;
        e->hash = se->hash;
        e->len = se->len;
        memcpy(sk_key(dst, slot), c->key, se->len);
    }
    uint32_t used = keep;
    dst->n = used;
    dst->total += src->total;
    sk_rebuild(dst);
    return NS_OK;
}

uint64_t sketch_total(const struct sketch *s)
{
    return s->total;
}

uint32_t sketch_size(const struct sketch *s)
{
    return s->n;
}

uint32_t sketch_capacity(const struct sketch *s)
{
    return s->cap;
}

bool sketch_exact(const struct sketch *s)
{
    for (uint32_t i = 0; i < s->n; i++)
        if (s->e[i].err)
            return false;
    return true;
}

uint64_t sketch_bound(const struct sketch *s)
{
    return s->total / s->cap;
}

size_t sketch_memory(const struct sketch *s)
{
    return sizeof(*s) + (size_t)s->cap * (sizeof(*s->e) + s->key_max + sizeof(*s->heap) + 1 +
                                          2 * sizeof(*s->cand)) +
           ((size_t)s->mask + 1) * sizeof(*s->index);
}

uint32_t sketch_top(const struct sketch *s, struct sketch_item *out, uint32_t n)
{
    /* selection over the k counters: n is small (top-N) */
    uint32_t got = 0;
    for (uint32_t i = 0; i < s->n; i++) {
        const struct sk_entry *e = &s->e[i];
        struct sketch_item it = { .key = sk_key(s, i), .len = e->len, .count = e->count,
                                  .error = e->err };
        uint32_t p = got < n ? got : n;
        while (p > 0) {
            const struct sketch_item *o = &out[p - 1];
            bool before = it.count != o->count ? it.count > o->count
                        : it.len != o->len ? it.len < o->len
                        : memcmp(it.key, o->key, it.len) < 0;
            if (!before)
                break;
            if (p < n)
                out[p] = out[p - 1];
            p--;
        }
        if (p < n)
            out[p] = it;
        if (got < n)
            got++;
    }
    return got;
}

size_t sketch_wire_max(uint32_t capacity, uint32_t key_max)
{
    return SKETCH_WIRE_HDR + (size_t)capacity * (SKETCH_WIRE_ENT + key_max);
}

size_t sketch_save(const struct sketch *s, void *buf, size_t cap)
{
    uint8_t *p = buf;
    size_t need = SKETCH_WIRE_HDR;
    for (uint32_t i = 0; i < s->n; i++)
        need += SKETCH_WIRE_ENT + s->e[i].len;
    if (need > cap)
        return 0;
    uint32_t hdr[4] = { SKETCH_WIRE_MAGIC, s->cap, s->key_max, s->n };
    memcpy(p, hdr, sizeof(hdr));
    memcpy(p + 16, &s->total, 8);
    size_t o = SKETCH_WIRE_HDR;
    for (uint32_t i = 0; i < s->n; i++) {
        const struct sk_entry *e = &s->e[i];
        memcpy(p + o, &e->count, 8);
        memcpy(p + o + 8, &e->err, 8);
        memcpy(p + o + 16, &e->len, 2);
        memcpy(p + o + 18, sk_key(s, i), e->len);
        o += SKETCH_WIRE_ENT + e->len;
    }
    return o;
}

int sketch_load(struct sketch *s, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    uint32_t hdr[4];
    if (len < SKETCH_WIRE_HDR)
        return NS_ERR_INVAL;
    memcpy(hdr, p, sizeof(hdr));
    if (hdr[0] != SKETCH_WIRE_MAGIC || hdr[1] != s->cap || hdr[2] != s->key_max || hdr[3] > s->cap)
        return NS_ERR_INVAL;
    sketch_reset(s);
    memcpy(&s->total, p + 16, 8);
    size_t o = SKETCH_WIRE_HDR;
    for (uint32_t i = 0; i < hdr[3]; i++) {
        uint64_t count, err;
        uint16_t klen;
        if (len - o < SKETCH_WIRE_ENT)
            goto bad;
        memcpy(&count, p + o, 8);
        memcpy(&err, p + o + 8, 8);
        memcpy(&klen, p + o + 16, 2);
        if (klen > s->key_max || len - o - SKETCH_WIRE_ENT < klen)
            goto bad;
        const uint8_t *k = p + o + SKETCH_WIRE_ENT;
        uint32_t h = sk_hash(k, klen);
        uint32_t slot = sk_find(s, k, klen, h);
        if (s->index[slot])
            goto bad;                       /* a key twice */
        sk_append(s, slot, k, klen, h, count, err);
        o += SKETCH_WIRE_ENT + klen;
    }
    for (uint32_t q = s->n / 2; q-- > 0;)
        sk_sift_down(s, q);
    return NS_OK;
bad:
    sketch_reset(s);
    return NS_ERR_INVAL;
}
