/* output/sketch.c: Space-Saving heavy hitters (see sketch.h for the bounds).
 *
 * Layout: entries[] (count, error, hash, heap position) with their keys in
 * keys[i * key_max]; a 4-ary min-heap ordered by count, whose root is the
 * key Space-Saving replaces; an open-addressing index (linear probing, at
 * least twice the capacity, so probes stay short) from key to entry, with
 * backward-shift deletion so that no tombstones build up over millions of
 * replacements.  An update is one hash, a few probes and a sift of
 * O(log4 k).
 *
 * The heap's nodes carry a copy of their entry's count, and a node's four
 * children share one 64-byte line, so a sift reads one line per level
 * instead of chasing entry numbers (the sift was 40 % of an update with a
 * binary heap of entry numbers).  The hash is keyed with a process-wide
 * random seed (every sketch of the process shares it: merge probes one
 * sketch with another's hashes), so traffic cannot be chosen to make all
 * its names collide in the index. */
#include "output/sketch.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>

struct sk_entry {
    uint64_t count, err;
    uint32_t hash;
    uint32_t heap;           /* position in hn[] */
    uint16_t len;
};

/* An index slot: the entry's hash beside its number, so a probe touches
 * the entry and its key only when the hashes agree. */
struct sk_slot {
    uint32_t hash;
    uint32_t ent;            /* entry + 1, 0: empty */
};

/* A heap node: the count of entry ent, kept equal to e[ent].count. */
struct sk_node {
    uint64_t count;
    uint32_t ent;
    uint32_t pad;
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
    struct sk_node *hn;      /* hn_mem + 3: children 4p+1..4p+4 on one line */
    void *hn_mem;
    struct sk_slot *index;
    struct sk_cand *cand;    /* merge scratch, 2 * cap */
    uint8_t *seen;           /* merge scratch, cap */
};

#define SKETCH_WIRE_MAGIC 0x534b5431u  /* "SKT1" */
#define SKETCH_WIRE_HDR 24u
#define SKETCH_WIRE_ENT 18u

static uint64_t sk_seed;
static pthread_once_t sk_seed_once = PTHREAD_ONCE_INIT;

static void sk_seed_init(void)
{
    uint64_t v;
    if (getrandom(&v, sizeof(v), GRND_NONBLOCK) != (ssize_t)sizeof(v))
        v = (uint64_t)(uintptr_t)&v ^ 0x2545f4914f6cdd1dull;   /* ASLR at least */
    sk_seed = v;
}

static inline uint64_t sk_mix(uint64_t h)
{
    h ^= h >> 32;
    h *= 0xd6e8feb86659fd93ull;
    h ^= h >> 32;
    return h;
}

/* Eight bytes at a time, each folded in with a multiply. */
static uint32_t sk_hash(const uint8_t *p, size_t n)
{
    uint64_t h = sk_seed ^ (n * 0x9e3779b97f4a7c15ull);
    for (; n >= 8; p += 8, n -= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = sk_mix(h ^ w);
    }
    if (n) {
        uint64_t w = 0;
        for (size_t i = 0; i < n; i++)
            w |= (uint64_t)p[i] << (8 * i);
        h = sk_mix(h ^ w ^ 0xff);
    }
    return (uint32_t)sk_mix(h);
}

/* Short keys (addresses, ports) compared in words, without a call. */
static inline bool sk_keyeq(const uint8_t *a, const uint8_t *b, uint32_t n)
{
    if (n < 8 || n > 32)
        return memcmp(a, b, n) == 0;
    uint64_t x, y, d = 0;
    uint32_t i = 0;
    for (; i + 8 <= n; i += 8) {
        memcpy(&x, a + i, 8);
        memcpy(&y, b + i, 8);
        d |= x ^ y;
    }
    memcpy(&x, a + n - 8, 8);                    /* the tail, overlapping */
    memcpy(&y, b + n - 8, 8);
    return (d | (x ^ y)) == 0;
}

struct sketch *sketch_create(uint32_t capacity, uint32_t key_max, char *errbuf)
{
    if (capacity < SKETCH_MIN_CAPACITY || capacity > SKETCH_MAX_CAPACITY || key_max == 0 ||
        key_max > SKETCH_MAX_KEY) {
        snprintf(errbuf, NS_ERRBUF_SIZE, "sketch: capacity %u (%u..%u) or key size %u (1..%u) out of range",
                 capacity, SKETCH_MIN_CAPACITY, SKETCH_MAX_CAPACITY, key_max, SKETCH_MAX_KEY);
        return NULL;
    }
    pthread_once(&sk_seed_once, sk_seed_init);
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
    size_t hn_bytes = ((size_t)capacity + 3) * sizeof(struct sk_node);
    s->hn_mem = aligned_alloc(64, (hn_bytes + 63) & ~(size_t)63);
    s->hn = s->hn_mem ? (struct sk_node *)s->hn_mem + 3 : NULL;
    s->index = calloc(slots, sizeof(*s->index));
    s->cand = calloc(2u * capacity, sizeof(*s->cand));
    s->seen = calloc(capacity, 1);
    if (!s->e || !s->keys || !s->hn || !s->index || !s->cand || !s->seen)
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
    free(s->hn_mem);
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
        struct sk_slot v = s->index[i];
        if (v.ent == 0)
            return i;
        if (v.hash == h && s->e[v.ent - 1].len == len && sk_keyeq(sk_key(s, v.ent - 1), key, len))
            return i;
        i = (i + 1) & s->mask;
    }
}

/* Backward-shift deletion of index slot i (Knuth 6.4, algorithm R). */
static void sk_unindex(struct sketch *s, uint32_t i)
{
    uint32_t j = i;
    s->index[i].ent = 0;
    for (;;) {
        j = (j + 1) & s->mask;
        struct sk_slot v = s->index[j];
        if (v.ent == 0)
            return;
        uint32_t home = v.hash & s->mask;
        /* the entry at j may fill the hole at i if it does not pass its
         * home slot by moving there */
        if (((j - home) & s->mask) >= ((j - i) & s->mask)) {
            s->index[i] = v;
            s->index[j].ent = 0;
            i = j;
        }
    }
}

/* Moves node x down from position p to where it belongs (hole method:
 * smaller children move up, x is written once). */
static void sk_sift_down_node(struct sketch *s, uint32_t p, struct sk_node x)
{
    struct sk_node *hn = s->hn;
    uint32_t n = s->n;
    for (;;) {
        uint32_t c = 4 * p + 1;
        if (c >= n)
            break;
        uint32_t end = c + 4 < n ? c + 4 : n, m = c;
        for (uint32_t j = c + 1; j < end; j++)
            if (hn[j].count < hn[m].count)
                m = j;
        if (hn[m].count >= x.count)
            break;
        hn[p] = hn[m];
        s->e[hn[p].ent].heap = p;
        p = m;
    }
    hn[p] = x;
    s->e[x.ent].heap = p;
}

static inline void sk_sift_down(struct sketch *s, uint32_t p)
{
    sk_sift_down_node(s, p, s->hn[p]);
}

static void sk_sift_up(struct sketch *s, uint32_t p)
{
    struct sk_node *hn = s->hn, x = hn[p];
    while (p > 0) {
        uint32_t q = (p - 1) / 4;
        if (hn[q].count <= x.count)
            break;
        hn[p] = hn[q];
        s->e[hn[p].ent].heap = p;
        p = q;
    }
    hn[p] = x;
    s->e[x.ent].heap = p;
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
    s->hn[i] = (struct sk_node){ .count = count, .ent = i };
    memcpy(sk_key(s, i), key, len);
    s->index[slot] = (struct sk_slot){ .hash = h, .ent = i + 1 };
    return i;
}

/* key k of n (<= key_max) bytes, hash h. */
static void sk_add(struct sketch *s, const uint8_t *k, uint32_t n, uint32_t h, uint64_t w)
{
    uint32_t slot = sk_find(s, k, n, h);
    s->total += w;
    uint32_t v = s->index[slot].ent;
    if (v) {
        struct sk_entry *e = &s->e[v - 1];
        e->count += w;
        sk_sift_down_node(s, e->heap, (struct sk_node){ .count = e->count, .ent = v - 1 });
        return;
    }
    if (s->n < s->cap) {
        uint32_t i = sk_append(s, slot, k, n, h, w, 0);
        sk_sift_up(s, s->e[i].heap);
        return;
    }
    /* full: the key with the smallest count gives its counter to this
     * one, which may have had up to that count before (its error) */
    uint32_t victim = s->hn[0].ent;
    struct sk_entry *e = &s->e[victim];
    uint32_t vs = e->hash & s->mask;
    while (s->index[vs].ent != victim + 1)
        vs = (vs + 1) & s->mask;
    sk_unindex(s, vs);
    uint64_t m = e->count;
    e->count = m + w;
    e->err = m;
    e->hash = h;
    e->len = (uint16_t)n;
    memcpy(sk_key(s, victim), k, n);
    s->index[sk_find(s, k, n, h)] = (struct sk_slot){ .hash = h, .ent = victim + 1 };
    sk_sift_down_node(s, 0, (struct sk_node){ .count = e->count, .ent = victim });
}

void sketch_add(struct sketch *s, const void *key, size_t len, uint64_t w)
{
    uint32_t n = len > s->key_max ? s->key_max : (uint32_t)len;
    sk_add(s, key, n, sk_hash(key, n), w);
}

/* Hashes a chunk first and asks for its index slots; then, SK_AHEAD
 * updates before each one is applied, reads its slot and asks for the
 * entry and the key it names.  The updates themselves run in order, as
 * sketch_add would: the prefetches only hide the memory latency. */
#define SK_CHUNK 64u
#define SK_AHEAD 8u

void sketch_add_batch(struct sketch *s, const struct sketch_upd *u, size_t cnt)
{
    uint32_t h[SK_CHUNK], n[SK_CHUNK];
    for (size_t base = 0; base < cnt; base += SK_CHUNK) {
        uint32_t m = cnt - base < SK_CHUNK ? (uint32_t)(cnt - base) : SK_CHUNK;
        const struct sketch_upd *c = u + base;
        for (uint32_t i = 0; i < m; i++) {
            n[i] = c[i].len > s->key_max ? s->key_max : c[i].len;
            h[i] = sk_hash(c[i].key, n[i]);
            __builtin_prefetch(&s->index[h[i] & s->mask]);
        }
        for (uint32_t i = 0; i < m; i++) {
            if (i + SK_AHEAD < m) {
                uint32_t v = s->index[h[i + SK_AHEAD] & s->mask].ent;
                if (v) {
                    __builtin_prefetch(&s->e[v - 1]);
                    __builtin_prefetch(sk_key(s, v - 1));
                }
            }
            sk_add(s, c[i].key, n[i], h[i], c[i].w);
        }
    }
}

static uint64_t sk_floor(const struct sketch *s)
{
    return s->n == s->cap ? s->hn[0].count : 0;
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
        s->index[sk_find(s, sk_key(s, i), e->len, e->hash)] = (struct sk_slot){ .hash = e->hash,
                                                                                .ent = i + 1 };
        s->hn[i] = (struct sk_node){ .count = e->count, .ent = i };
        e->heap = i;
    }
    for (uint32_t p = s->n / 4 + 1; p-- > 0;)
        if (p < s->n)
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
        uint32_t v = src->index[sk_find(src, sk_key(dst, i), e->len, e->hash)].ent;
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
    return sizeof(*s) + (size_t)(s->cap + 3) * sizeof(struct sk_node) + 63 +
           (size_t)s->cap * (sizeof(*s->e) + s->key_max + 1 +
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
        if (s->index[slot].ent)
            goto bad;                       /* a key twice */
        sk_append(s, slot, k, klen, h, count, err);
        o += SKETCH_WIRE_ENT + klen;
    }
    for (uint32_t q = s->n / 4 + 1; q-- > 0;)
        if (q < s->n)
            sk_sift_down(s, q);
    return NS_OK;
bad:
    sketch_reset(s);
    return NS_ERR_INVAL;
}
