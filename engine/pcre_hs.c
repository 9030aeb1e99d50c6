/* engine/pcre_hs.c: pcre expressions on Hyperscan (see pcre_hs.h).
 *
 * One entry per pcre id: the database in use (NULL: PCRE2 alone) and
 * whether a match settles the item.  A compile job (the expressions that
 * were not in the cache, with their flags) is either run at once or handed
 * to one background thread, which checks a stop flag between expressions
 * and only stores what it compiles in the cache. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "engine/pcre_hs.h"

#include <pcre2.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include "engine/hs_cache.h"

#define PH_PREFIX "pcre"

/* PCRE2 options Hyperscan can take (UNGREEDY: only where the match ends,
 * not whether there is one). */
#define PH_OPTS_OK (PCRE2_CASELESS | PCRE2_MULTILINE | PCRE2_DOTALL | PCRE2_UNGREEDY)

struct ph_entry {
    hs_database_t *db;
    bool shared;                 /* another entry's db (same expression and flags) */
    bool exact;                  /* exact database */
    bool settles;                /* exact and its offsets are not needed */
    bool cached, refused;
};

/* An expression to look up or compile.  Its cache keys (exact, then
 * prefilter) are computed once, on the thread that loads the rules: the
 * background thread then never calls into OpenSSL, whose exit-time
 * cleanup it could otherwise race with (it is not joined at exit). */
struct ph_job {
    const char *regex;
    unsigned flags;
    bool keyed;                  /* key/has_key are set */
    bool has_key[2];
    uint8_t key[2][HS_CACHE_KEY_LEN];
};

struct pcre_hs {
    uint32_t n;                  /* ids */
    struct ph_entry *e;
    struct ph_job *src;          /* per id: expression and flags */
    uint32_t *tab, ntab;         /* dedup table of ids + 1 */
    struct pcre_hs_info info;
    char *cache_dir;
    struct ph_job *jobs;         /* what the cache lacks (borrowed strings) */
    uint32_t njobs;
    struct ph_bg *bg;            /* the background compile, or NULL */
    pthread_t thread;
    bool running;                /* thread is joinable */
};

/* The background compile's own copy of its work.  pcre_hs_destroy does
 * not wait for it (Hyperscan may take long over one hostile expression,
 * and an exit or a reload must not): it sets stop and lets go; the
 * thread stops after the expression in hand.  The last of the two to let
 * go frees it. */
struct ph_bg {
    atomic_uint refs;
    atomic_bool stop;
    char *cache_dir;
    uint32_t n;
    struct ph_job *jobs;         /* regex strings owned */
};

static void ph_bg_release(struct ph_bg *bg)
{
    if (!bg || atomic_fetch_sub(&bg->refs, 1) != 1)
        return;
    for (uint32_t i = 0; i < bg->n; i++)
        free((char *)bg->jobs[i].regex);
    free(bg->jobs);
    free(bg->cache_dir);
    free(bg);
}

static struct ph_bg *ph_bg_create(const struct pcre_hs *ph)
{
    struct ph_bg *bg = calloc(1, sizeof(*bg));
    if (!bg)
        return NULL;
    atomic_init(&bg->refs, 1);
    atomic_init(&bg->stop, false);
    bg->cache_dir = strdup(ph->cache_dir);
    bg->jobs = calloc(ph->njobs, sizeof(*bg->jobs));
    if (!bg->cache_dir || !bg->jobs) {
        ph_bg_release(bg);
        return NULL;
    }
    for (; bg->n < ph->njobs; bg->n++) {
        char *re = strdup(ph->jobs[bg->n].regex);
        if (!re)
            break;               /* what was copied is still worth compiling */
        bg->jobs[bg->n] = ph->jobs[bg->n];
        bg->jobs[bg->n].regex = re;
    }
    return bg;
}

static unsigned ph_flags(uint32_t opts)
{
    unsigned f = HS_FLAG_SINGLEMATCH | HS_FLAG_ALLOWEMPTY;
    if (opts & PCRE2_CASELESS)
        f |= HS_FLAG_CASELESS;
    if (opts & PCRE2_MULTILINE)
        f |= HS_FLAG_MULTILINE;
    if (opts & PCRE2_DOTALL)
        f |= HS_FLAG_DOTALL;
    return f;
}

static bool ph_key(const char *regex, unsigned flags, uint8_t key[HS_CACHE_KEY_LEN])
{
    struct hs_cache_hash *h = hs_cache_hash_begin();
    uint8_t f[4] = { (uint8_t)(flags >> 24), (uint8_t)(flags >> 16), (uint8_t)(flags >> 8),
                     (uint8_t)flags };
    hs_cache_hash_add(h, f, sizeof(f));
    hs_cache_hash_add(h, regex, strlen(regex));
    return hs_cache_hash_end(h, key);
}

/* The database of regex, exact or (failing that) prefilter, from the cache
 * or compiled (compile true; the outcome, refusals too, is stored in the
 * cache); *prefilter says which.  NULL when there is none: *refused then
 * says whether Hyperscan refused both (now, or as the cache remembers). */
static hs_database_t *ph_get(const char *dir, struct ph_job *j, bool compile, bool *prefilter,
                             bool *cached, bool *refused)
{
    const char *regex = j->regex;
    unsigned flags = j->flags;
    *cached = *refused = false;
    if (!j->keyed) {
        for (int pass = 0; pass < 2; pass++)
            j->has_key[pass] = dir && ph_key(regex, pass ? flags | HS_FLAG_PREFILTER : flags,
                                             j->key[pass]);
        j->keyed = true;
    }
    const bool *k = j->has_key;
    bool ref[2] = { false, false };
    for (int pass = 0; pass < 2; pass++) {
        hs_database_t *db = k[pass] ? hs_cache_load(dir, PH_PREFIX, j->key[pass], &ref[pass]) : NULL;
        if (db) {
            *prefilter = pass;
            *cached = true;
            return db;
        }
    }
    if (ref[0] && ref[1]) {
        *refused = true;
        return NULL;
    }
    if (!compile)
        return NULL;
    for (int pass = 0; pass < 2; pass++) {
        hs_database_t *db = NULL;
        hs_compile_error_t *err = NULL;
        if (hs_compile(regex, pass ? flags | HS_FLAG_PREFILTER : flags, HS_MODE_BLOCK, NULL, &db,
                       &err) != HS_SUCCESS) {
            hs_free_compile_error(err);
            db = NULL;
        }
        if (k[pass])
            hs_cache_store(dir, PH_PREFIX, j->key[pass], db);
        if (db) {
            *prefilter = pass;
            return db;
        }
    }
    *refused = true;
    return NULL;
}

static void *ph_background(void *arg)
{
    struct ph_bg *bg = arg;
    /* the packets come first: the lowest priority, for this thread only */
    pthread_setname_np(pthread_self(), "ns-pcre-hs");
    (void)setpriority(PRIO_PROCESS, (id_t)gettid(), 19);
    for (uint32_t i = 0; i < bg->n && !atomic_load(&bg->stop); i++) {
        bool pre, cached, refused;
        hs_database_t *db = ph_get(bg->cache_dir, &bg->jobs[i], true, &pre, &cached, &refused);
        hs_free_database(db);
    }
    ph_bg_release(bg);
    return NULL;
}

/* Does a later item use the pcre's match position?  Only a relative item
 * before the next content or pcre (the parser marks those: RETRY_NEXT);
 * an item kind unknown here counts as one. */
static bool ph_offsets_needed(const struct rule_list *l, uint32_t q)
{
    if (l->items[q].u.pcre.flags & RULE_PCRE_RETRY_NEXT)
        return true;
    for (uint32_t k = q + 1; k < l->nitems; k++) {
        enum rule_item_kind kind = l->items[k].kind;
        if (kind == RULE_ITEM_CONTENT || kind == RULE_ITEM_PCRE)
            return false;
        if (kind != RULE_ITEM_ISDATAAT || l->items[k].u.isdataat.relative)
            return true;
    }
    return false;
}

/* The item with the same expression and flags seen first, or none
 * (UINT32_MAX, and id is entered). */
static uint32_t ph_same(struct pcre_hs *ph, uint32_t id, const char *regex, unsigned flags)
{
    uint64_t h = 0xcbf29ce484222325ull ^ flags;
    for (const char *c = regex; *c; c++)
        h = (h ^ (uint8_t)*c) * 0x100000001b3ull;
    for (uint32_t s = (uint32_t)h & (ph->ntab - 1);; s = (s + 1) & (ph->ntab - 1)) {
        if (ph->tab[s] == 0) {
            ph->tab[s] = id + 1;
            return UINT32_MAX;
        }
        const struct ph_job *o = &ph->src[ph->tab[s] - 1];
        if (o->flags == flags && strcmp(o->regex, regex) == 0)
            return ph->tab[s] - 1;
    }
}

static void ph_item(struct pcre_hs *ph, enum pcre_hs_mode mode, const struct rule_list *l,
                    uint32_t q)
{
    const struct rule_pcre *pe = &l->items[q].u.pcre;
    if (pe->id >= ph->n)
        return;
    ph->info.total++;
    if (mode == PCRE_HS_OFF || (pe->options & ~(uint32_t)PH_OPTS_OK)) {
        ph->info.unsupported++;
        return;
    }
    unsigned flags = ph_flags(pe->options);
    struct ph_entry *e = &ph->e[pe->id];
    ph->src[pe->id] = (struct ph_job){ .regex = pe->regex, .flags = flags };
    uint32_t first = ph_same(ph, pe->id, pe->regex, flags);
    bool pre = false, cached = false, refused = false;
    if (first != UINT32_MAX) {
        const struct ph_entry *f = &ph->e[first];
        e->db = f->db;
        e->shared = true;
        pre = !f->exact;
        cached = f->cached;
        refused = f->refused;
    } else {
        e->db = ph_get(ph->cache_dir, &ph->src[pe->id], mode == PCRE_HS_SYNC, &pre, &cached,
                       &refused);
        if (e->db) {
            size_t sz = 0;
            if (hs_database_size(e->db, &sz) == HS_SUCCESS)
                ph->info.db_bytes += sz;
        } else if (!refused && mode == PCRE_HS_BACKGROUND && ph->cache_dir) {
            ph->jobs[ph->njobs++] = ph->src[pe->id];
        }
    }
    e->refused = refused;
    e->cached = cached;
    if (!e->db) {
        ph->info.unsupported += refused;
        ph->info.pending += !refused;
        return;
    }
    e->exact = !pre;
    e->settles = e->exact && !ph_offsets_needed(l, q);
    ph->info.exact += e->exact;
    ph->info.prefilter += !e->exact;
    ph->info.from_cache += cached;
}

struct pcre_hs *pcre_hs_create(const struct rule_set *rs, const char *cache_dir,
                               enum pcre_hs_mode mode, char *errbuf)
{
    struct pcre_hs *ph = calloc(1, sizeof(*ph));
    if (!ph)
        goto nomem;
    ph->n = rule_set_pcre_count(rs);
    ph->e = calloc(ph->n ? ph->n : 1, sizeof(*ph->e));
    ph->jobs = calloc(ph->n ? ph->n : 1, sizeof(*ph->jobs));
    ph->src = calloc(ph->n ? ph->n : 1, sizeof(*ph->src));
    for (ph->ntab = 1; ph->ntab < 2 * ph->n + 2;)
        ph->ntab <<= 1;
    ph->tab = calloc(ph->ntab, sizeof(*ph->tab));
    if (!ph->e || !ph->jobs || !ph->src || !ph->tab ||
        (cache_dir && !(ph->cache_dir = strdup(cache_dir))))
        goto nomem;
    for (uint32_t i = 0; i < rule_set_count(rs); i++) {
        const struct rule *r = rule_set_rule(rs, i);
        for (uint32_t j = 0; j < r->nlists; j++)
            for (uint32_t q = 0; q < r->lists[j].nitems; q++)
                if (r->lists[j].items[q].kind == RULE_ITEM_PCRE)
                    ph_item(ph, mode, &r->lists[j], q);
    }
    if (ph->njobs && (ph->bg = ph_bg_create(ph))) {
        atomic_fetch_add(&ph->bg->refs, 1);              /* the thread's */
        if (pthread_create(&ph->thread, NULL, ph_background, ph->bg) == 0)
            ph->running = true;
        else
            ph_bg_release(ph->bg);
    }
    return ph;
nomem:
    pcre_hs_destroy(ph);
    snprintf(errbuf, NS_ERRBUF_SIZE, "pcre on Hyperscan: out of memory");
    return NULL;
}

void pcre_hs_wait(struct pcre_hs *ph)
{
    if (ph && ph->running) {
        pthread_join(ph->thread, NULL);
        ph->running = false;
    }
}

void pcre_hs_destroy(struct pcre_hs *ph)
{
    if (!ph)
        return;
    if (ph->bg)
        atomic_store(&ph->bg->stop, true);
    if (ph->running)
        pthread_detach(ph->thread);
    ph_bg_release(ph->bg);
    for (uint32_t i = 0; ph->e && i < ph->n; i++)
        if (!ph->e[i].shared)
            hs_free_database(ph->e[i].db);
    free(ph->e);
    free(ph->jobs);
    free(ph->src);
    free(ph->tab);
    free(ph->cache_dir);
    free(ph);
}

void pcre_hs_get_info(const struct pcre_hs *ph, struct pcre_hs_info *out)
{
    *out = ph->info;
}

int pcre_hs_scratch_grow(const struct pcre_hs *ph, hs_scratch_t **scratch, char *errbuf)
{
    for (uint32_t i = 0; i < ph->n; i++)
        if (ph->e[i].db && !ph->e[i].shared && hs_alloc_scratch(ph->e[i].db, scratch) != HS_SUCCESS) {
            snprintf(errbuf, NS_ERRBUF_SIZE, "hyperscan: cannot allocate scratch");
            return NS_ERR_NOMEM;
        }
    return NS_OK;
}

static int ph_on_match(unsigned int id, unsigned long long from, unsigned long long to,
                       unsigned int flags, void *arg)
{
    (void)id;
    (void)from;
    (void)to;
    (void)flags;
    *(bool *)arg = true;
    return 1;                    /* stop: one is enough */
}

int pcre_hs_match(const struct pcre_hs *ph, hs_scratch_t *scratch, uint32_t id,
                  const uint8_t *p, size_t n)
{
    if (!ph || id >= ph->n || !ph->e[id].db || !scratch || n > UINT32_MAX)
        return -1;
    const struct ph_entry *e = &ph->e[id];
    bool found = false;
    hs_error_t rc = hs_scan(e->db, (const char *)p, (unsigned int)n, 0, scratch, ph_on_match,
                            &found);
    if (rc != HS_SUCCESS && rc != HS_SCAN_TERMINATED)
        return -1;
    if (!found)
        return 0;
    return e->settles ? 1 : -1;
}
