/* engine/patset.c: literal pattern sets on Hyperscan (see patset.h).
 *
 * Building: patterns are deduplicated through an open-addressing table
 * keyed by (case rule, bytes; lower-cased when nocase).  Each add appends
 * an (pattern, rule id) pair; compile groups the pairs by pattern (counting
 * sort), so a hit walks one contiguous run of rule ids.
 *
 * Hyperscan: hs_compile_lit_multi in block mode, HS_FLAG_SINGLEMATCH (a
 * pattern is reported once per scan however often it occurs: the rule is
 * verified in full anyway) and HS_FLAG_CASELESS for nocase patterns.  The
 * expression id is the pattern's index.
 *
 * Cache (engine/hs_cache.h): the key is fed every pattern (length, case
 * rule, bytes) in index order; the rule ids are not in the database, so
 * the same patterns with other rules share a cache entry. */
#include "engine/patset.h"

#include <stdio.h>
#include <stdlib.h>

#include "engine/hs_cache.h"


struct ps_pat {
    uint32_t off, len;          /* bytes in ps->bytes */
    uint32_t hash;
    bool nocase;
    uint32_t first, nids;       /* run in ps->ids after compile */
};

struct ps_pair {
    uint32_t pat, id;
};

struct patset {
    struct ps_pat *pat;
    size_t npat, cap_pat;
    uint8_t *bytes;
    size_t nbytes, cap_bytes;
    struct ps_pair *pair;
    size_t npair, cap_pair;
    uint32_t *ids;              /* rule ids grouped by pattern (after compile) */
    uint32_t *slot;             /* dedup table: pattern index + 1, 0 empty */
    size_t nslot;
    hs_database_t *db;
};

struct patset *patset_create(void)
{
    return calloc(1, sizeof(struct patset));
}

void patset_destroy(struct patset *ps)
{
    if (!ps)
        return;
    hs_free_database(ps->db);
    free(ps->pat);
    free(ps->bytes);
    free(ps->pair);
    free(ps->ids);
    free(ps->slot);
    free(ps);
}

static bool ps_grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return true;
    size_t n = *cap ? *cap : 64;
    while (n < need) {
        if (n > SIZE_MAX / 2 / elem)
            return false;
        n *= 2;
    }
    void *q = realloc(*p, n * elem);
    if (!q)
        return false;
    *p = q;
    *cap = n;
    return true;
}

static inline uint8_t ps_lower(uint8_t c)
{
    return c >= 'A' && c <= 'Z' ? (uint8_t)(c | 0x20) : c;
}

static uint32_t ps_hash(const uint8_t *p, size_t n, bool nocase)
{
    uint32_t h = nocase ? 0x9e3779b9u : 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (nocase ? ps_lower(p[i]) : p[i])) * 16777619u;
    return h ? h : 1;
}

static bool ps_same(const struct patset *ps, const struct ps_pat *a, const uint8_t *p, size_t n,
                    bool nocase)
{
    if (a->len != n || a->nocase != nocase)
        return false;
    const uint8_t *b = ps->bytes + a->off;
    if (!nocase)
        return memcmp(b, p, n) == 0;
    for (size_t i = 0; i < n; i++)
        if (ps_lower(b[i]) != ps_lower(p[i]))
            return false;
    return true;
}

static bool ps_rehash(struct patset *ps)
{
    size_t n = ps->nslot ? ps->nslot * 2 : 256;
    uint32_t *s = calloc(n, sizeof(*s));
    if (!s)
        return false;
    for (size_t i = 0; i < ps->npat; i++) {
        size_t j = ps->pat[i].hash & (n - 1);
        while (s[j])
            j = (j + 1) & (n - 1);
        s[j] = (uint32_t)i + 1;
    }
    free(ps->slot);
    ps->slot = s;
    ps->nslot = n;
    return true;
}

int patset_add(struct patset *ps, uint32_t id, const uint8_t *pat, size_t len, bool nocase)
{
    if (len == 0 || len > UINT32_MAX || ps->db || ps->npat >= UINT32_MAX - 1)
        return NS_ERR_INVAL;
    if ((ps->npat + 1) * 2 > ps->nslot && !ps_rehash(ps))
        return NS_ERR_NOMEM;
    uint32_t h = ps_hash(pat, len, nocase);
    size_t j = h & (ps->nslot - 1);
    uint32_t pi = UINT32_MAX;
    for (; ps->slot[j]; j = (j + 1) & (ps->nslot - 1)) {
        const struct ps_pat *a = &ps->pat[ps->slot[j] - 1];
        if (a->hash == h && ps_same(ps, a, pat, len, nocase)) {
            pi = ps->slot[j] - 1;
            break;
        }
    }
    if (!ps_grow((void **)&ps->pair, &ps->cap_pair, ps->npair + 1, sizeof(*ps->pair)))
        return NS_ERR_NOMEM;
    if (pi == UINT32_MAX) {
        if (ps->nbytes > UINT32_MAX - len ||
            !ps_grow((void **)&ps->pat, &ps->cap_pat, ps->npat + 1, sizeof(*ps->pat)) ||
            !ps_grow((void **)&ps->bytes, &ps->cap_bytes, ps->nbytes + len, 1))
            return NS_ERR_NOMEM;
        memcpy(ps->bytes + ps->nbytes, pat, len);
        pi = (uint32_t)ps->npat;
        ps->pat[ps->npat++] = (struct ps_pat){
            .off = (uint32_t)ps->nbytes, .len = (uint32_t)len, .hash = h, .nocase = nocase,
        };
        ps->nbytes += len;
        ps->slot[j] = pi + 1;
    }
    ps->pair[ps->npair++] = (struct ps_pair){ .pat = pi, .id = id };
    return NS_OK;
}

size_t patset_patterns(const struct patset *ps)
{
    return ps->npat;
}

size_t patset_ids(const struct patset *ps)
{
    return ps->npair;
}

size_t patset_db_size(const struct patset *ps)
{
    size_t n = 0;
    if (ps->db && hs_database_size(ps->db, &n) != HS_SUCCESS)
        return 0;
    return n;
}

/* Rule ids grouped by pattern, in the order they were added. */
static bool ps_group(struct patset *ps)
{
    ps->ids = malloc((ps->npair ? ps->npair : 1) * sizeof(*ps->ids));
    if (!ps->ids)
        return false;
    for (size_t i = 0; i < ps->npat; i++)
        ps->pat[i].nids = 0;
    for (size_t i = 0; i < ps->npair; i++)
        ps->pat[ps->pair[i].pat].nids++;
    uint32_t at = 0;
    for (size_t i = 0; i < ps->npat; i++) {
        ps->pat[i].first = at;
        at += ps->pat[i].nids;
        ps->pat[i].nids = 0;
    }
    for (size_t i = 0; i < ps->npair; i++) {
        struct ps_pat *p = &ps->pat[ps->pair[i].pat];
        ps->ids[p->first + p->nids++] = ps->pair[i].id;
    }
    return true;
}

static bool ps_key(const struct patset *ps, uint8_t key[HS_CACHE_KEY_LEN])
{
    struct hs_cache_hash *h = hs_cache_hash_begin();
    for (size_t i = 0; h && i < ps->npat; i++) {
        const struct ps_pat *p = &ps->pat[i];
        uint8_t hdr[5] = { (uint8_t)(p->len >> 24), (uint8_t)(p->len >> 16), (uint8_t)(p->len >> 8),
                           (uint8_t)p->len, p->nocase };
        hs_cache_hash_add(h, hdr, sizeof(hdr));
        hs_cache_hash_add(h, ps->bytes + p->off, p->len);
    }
    return hs_cache_hash_end(h, key);
}

int patset_compile(struct patset *ps, const char *cache_dir, bool *from_cache, char *errbuf)
{
    *from_cache = false;
    if (ps->db || ps->ids) {
        snprintf(errbuf, NS_ERRBUF_SIZE, "pattern set compiled twice");
        return NS_ERR_INVAL;
    }
    if (!ps_group(ps))
        goto nomem;
    free(ps->slot);             /* the dedup table is done with */
    ps->slot = NULL;
    ps->nslot = 0;
    if (ps->npat == 0)
        return NS_OK;

    uint8_t key[HS_CACHE_KEY_LEN];
    bool cache = cache_dir && ps_key(ps, key);
    if (cache) {
        ps->db = hs_cache_load(cache_dir, "netscope", key, NULL);
        if (ps->db) {
            *from_cache = true;
            return NS_OK;
        }
    }

    const char **expr = malloc(ps->npat * sizeof(*expr));
    unsigned *flags = malloc(ps->npat * sizeof(*flags));
    unsigned *ids = malloc(ps->npat * sizeof(*ids));
    size_t *lens = malloc(ps->npat * sizeof(*lens));
    if (!expr || !flags || !ids || !lens) {
        free(expr);
        free(flags);
        free(ids);
        free(lens);
        goto nomem;
    }
    for (size_t i = 0; i < ps->npat; i++) {
        expr[i] = (const char *)ps->bytes + ps->pat[i].off;
        lens[i] = ps->pat[i].len;
        ids[i] = (unsigned)i;
        flags[i] = HS_FLAG_SINGLEMATCH | (ps->pat[i].nocase ? HS_FLAG_CASELESS : 0);
    }
    hs_compile_error_t *err = NULL;
    hs_error_t rc = hs_compile_lit_multi(expr, flags, ids, lens, (unsigned)ps->npat, HS_MODE_BLOCK,
                                         NULL, &ps->db, &err);
    free(expr);
    free(flags);
    free(ids);
    free(lens);
    if (rc != HS_SUCCESS) {
        snprintf(errbuf, NS_ERRBUF_SIZE, "hyperscan: compiling %zu patterns: %s (pattern %d)",
                 ps->npat, err && err->message ? err->message : "failed", err ? err->expression : -1);
        hs_free_compile_error(err);
        ps->db = NULL;
        return NS_ERR_INVAL;
    }
    if (cache)
        hs_cache_store(cache_dir, "netscope", key, ps->db);
    return NS_OK;
nomem:
    snprintf(errbuf, NS_ERRBUF_SIZE, "pattern set: out of memory");
    return NS_ERR_NOMEM;
}

int patset_scratch_grow(const struct patset *ps, hs_scratch_t **scratch, char *errbuf)
{
    if (!ps->db)
        return NS_OK;
    if (hs_alloc_scratch(ps->db, scratch) != HS_SUCCESS) {
        snprintf(errbuf, NS_ERRBUF_SIZE, "hyperscan: cannot allocate scratch");
        return NS_ERR_NOMEM;
    }
    return NS_OK;
}

struct ps_scan {
    const struct patset *ps;
    patset_hit_fn fn;
    void *ctx;
};

static int ps_on_match(unsigned int id, unsigned long long from, unsigned long long to,
                       unsigned int flags, void *arg)
{
    (void)from;
    (void)to;
    (void)flags;
    const struct ps_scan *s = arg;
    const struct ps_pat *p = &s->ps->pat[id];
    for (uint32_t i = 0; i < p->nids; i++)
        s->fn(s->ctx, s->ps->ids[p->first + i]);
    return 0;
}

int patset_scan(const struct patset *ps, const uint8_t *buf, size_t len, hs_scratch_t *scratch,
                patset_hit_fn fn, void *ctx)
{
    if (!ps->db || len == 0)
        return NS_OK;
    if (len > UINT32_MAX)
        len = UINT32_MAX;
    struct ps_scan s = { .ps = ps, .fn = fn, .ctx = ctx };
    hs_error_t rc = hs_scan(ps->db, (const char *)buf, (unsigned int)len, 0, scratch, ps_on_match, &s);
    return rc == HS_SUCCESS ? NS_OK : NS_ERR_IO;
}
