/* engine/detect.c: the detection engine (see detect.h).
 *
 * Candidates: a hit in a literal set or membership of an "always" list
 * marks the rule (one byte per rule in the thread, cleared through the
 * candidate list after the inspection); candidates are verified in rule
 * order, so alerts come out in the order the rules were loaded.
 *
 * Flowbits live in a per-thread open-addressing table keyed by flow id
 * (an entry only for flows that set a bit), removed when the flow ends.
 * Thresholds live in a per-thread table keyed by rule and tracked
 * address(es).  Both tables are per worker: flows never cross workers (the
 * fanout hashes both directions of a flow to one), but a by_src or by_dst
 * threshold counts per worker, not across all of them. */
#include "engine/detect.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#include "engine/patset.h"

#define DETECT_FB_SLOTS   16384u     /* flows with flowbits per worker */
#define DETECT_THR_SLOTS  16384u     /* threshold trackers per worker */
#define DETECT_SKIPS_SHOWN 10u       /* skip messages on the log; all go to the file */

enum { KIND_PACKET = 0, KIND_TX, KIND_MAX };

struct detect {
    struct rule_set *rs;
    struct rule_vars *vars;
    uint32_t nrules;
    uint8_t *kind;                   /* per rule: KIND_* */
    /* literal sets: [KIND_TX][buffer kind]; [KIND_PACKET][transport class
     * 0..3] (packet rules inspect only the payload) */
    /* literal sets: [KIND_TX][buffer kind]; [KIND_PACKET][transport class
     * 0..3] (packet rules inspect only the payload) */
    struct patset *set[KIND_MAX][RULE_BUF_COUNT];
    /* rules without a usable fast pattern, per kind and transport class
     * (TCP, UDP, ICMP, other), rule indexes in order */
    uint32_t *always[KIND_MAX][4];
    uint32_t nalways[KIND_MAX][4];
    uint32_t fb_words;
    hs_scratch_t *scratch;           /* the prototype the threads clone */
    struct detect_info info;
};

struct fb_entry {
    uint64_t flow_id;                /* 0: empty */
    /* fb_words words follow in the table's storage */
};

struct thr_entry {
    uint32_t rule;                   /* index + 1; 0: empty */
    uint32_t count;
    uint64_t start_s;
    uint8_t a[16], b[16];
};

struct detect_thread {
    hs_scratch_t *scratch;
    struct rule_match_ctx *mctx;
    uint8_t *mark;                   /* per rule */
    uint32_t *cand;                  /* hits of the literal sets */
    uint32_t *order;                 /* hits and "always" rules, merged in order */
    uint32_t ncand, cand_cap;
    struct detect_match out[DETECT_MAX_ALERTS];
    uint32_t fb_words;
    uint64_t *fb;                    /* DETECT_FB_SLOTS x (1 + fb_words) words */
    uint32_t fb_used;
    uint64_t *fb_tmp, *fb_old;
    struct thr_entry *thr;
    struct detect_counters c;
    struct detect_counters *cp;      /* &c, or the worker's (detect_thread_bind) */
};

/* ---- building ---------------------------------------------------------- */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int mkdir_p(const char *dir)
{
    size_t n = strlen(dir);
    char *tmp = n ? strdup(dir) : NULL;
    if (!tmp)
        return -1;
    int rc = 0;
    for (size_t i = 1; i <= n; i++) {
        if (tmp[i] != '/' && tmp[i] != '\0')
            continue;
        char c = tmp[i];
        tmp[i] = '\0';
        if (mkdir(tmp, 0755) != 0 && errno != EEXIST) {
            rc = -1;
            break;
        }
        tmp[i] = c;
    }
    free(tmp);
    return rc;
}

static void rule_path(const struct ns_config *cfg, const char *name, char *out, size_t cap)
{
    if (name[0] != '/' && cfg->default_rule_path[0])
        snprintf(out, cap, "%s/%s", cfg->default_rule_path, name);
    else
        snprintf(out, cap, "%s", name);
}

static bool rule_is_tx(const struct rule *r)
{
    for (uint32_t i = 0; i < r->nlists; i++)
        if (!rule_buf_is_packet(r->lists[i].buf))
            return true;
    return false;
}

static int detect_vars(struct detect *d, const struct ns_config *cfg, char *errbuf)
{
    d->vars = rule_vars_create(errbuf);
    if (!d->vars)
        return NS_ERR_NOMEM;
    for (int port = 0; port < 2; port++) {
        const struct config_strlist *l = port ? &cfg->port_groups : &cfg->address_groups;
        for (const char *name = config_strlist_next(l, NULL); name;) {
            const char *val = config_strlist_next(l, name);
            if (!val)
                break;
            int rc = rule_vars_set(d->vars, name, val, port != 0, errbuf);
            if (rc != NS_OK)
                return rc;
            name = config_strlist_next(l, val);
        }
    }
    return NS_OK;
}

static void detect_log_skips(const struct detect *d, const struct ns_config *cfg, FILE *log)
{
    uint32_t n = rule_set_skip_count(d->rs);
    if (!log || n == 0)
        return;
    char path[CONFIG_PATH_MAX + 32];
    FILE *all = NULL;
    if (n > DETECT_SKIPS_SHOWN) {
        snprintf(path, sizeof(path), "%s/rules-skipped.log", cfg->log_dir);
        all = fopen(path, "w");
    }
    for (uint32_t i = 0; i < n; i++) {
        const struct rule_skip *s = rule_set_skip(d->rs, i);
        if (i < DETECT_SKIPS_SHOWN)
            fprintf(log, "netscope: rule skipped: %s\n", s->msg);
        if (all)
            fprintf(all, "%s\n", s->msg);
    }
    if (n > DETECT_SKIPS_SHOWN)
        fprintf(log, "netscope: ... %u more skipped rules%s%s\n", n - DETECT_SKIPS_SHOWN,
                all ? ", all listed in " : "", all ? path : "");
    if (all)
        fclose(all);
    struct rule_skip_count sc[12];
    uint32_t k = rule_set_summary(d->rs, sc, NS_ARRAY_LEN(sc));
    for (uint32_t i = 0; i < k && i < NS_ARRAY_LEN(sc); i++)
        fprintf(log, "netscope: rules skipped: %u %s%s%s\n", sc[i].count,
                rule_skip_reason_name(sc[i].reason), sc[i].keyword[0] ? " " : "", sc[i].keyword);
}

static int detect_sets(struct detect *d, const struct ns_config *cfg, char *errbuf)
{
    d->kind = calloc(d->nrules ? d->nrules : 1, 1);
    for (int k = 0; k < KIND_MAX; k++)
        for (int c = 0; c < 4; c++)
            if (!(d->always[k][c] = calloc(d->nrules ? d->nrules : 1, sizeof(uint32_t))))
                goto nomem;
    if (!d->kind)
        goto nomem;
    for (uint32_t i = 0; i < d->nrules; i++) {
        const struct rule *r = rule_set_rule(d->rs, i);
        int k = rule_is_tx(r) ? KIND_TX : KIND_PACKET;
        d->kind[i] = (uint8_t)k;
        if (k == KIND_TX)
            d->info.tx_rules++;
        else
            d->info.packet_rules++;
        const struct rule_fp *fp = &r->fp;
        /* packet rules: only a payload pattern (a header buffer's goes
         * to the always lists); no_prefilter: transformed past what the
         * raw buffer shows */
        bool usable = fp->present && !fp->negated && !fp->short_pattern && !fp->no_prefilter &&
                      fp->len > 0 && (k == KIND_TX || fp->buf == RULE_BUF_PAYLOAD);
        if (!usable) {
            for (int c = 0; c < 4; c++)
                if (r->l4 & (1u << c))      /* RULE_L4_TCP, UDP, ICMP, OTHER */
                    d->always[k][c][d->nalways[k][c]++] = i;
            d->info.always_rules++;
            continue;
        }
        if (k == KIND_TX) {
            struct patset **ps = &d->set[k][fp->buf];
            if (!*ps && !(*ps = patset_create()))
                goto nomem;
            if (patset_add(*ps, i, fp->bytes, fp->len, fp->nocase) != NS_OK)
                goto nomem;
            continue;
        }
        /* packet rules: one set per transport class, so that a UDP
         * datagram is not scanned for the TCP rules' patterns */
        for (unsigned c = 0; c < 4; c++) {
            if (!(r->l4 & (1u << c)))
                continue;
            struct patset **ps = &d->set[k][c];
            if (!*ps && !(*ps = patset_create()))
                goto nomem;
            if (patset_add(*ps, i, fp->bytes, fp->len, fp->nocase) != NS_OK)
                goto nomem;
        }
    }

    const char *cache = cfg->detect_cache_dir[0] ? cfg->detect_cache_dir : NULL;
    if (cache && mkdir_p(cache) != 0)
        cache = NULL;                /* no cache: only a slower start */
    for (int k = 0; k < KIND_MAX; k++) {
        for (int b = 0; b < RULE_BUF_COUNT; b++) {
            struct patset *ps = d->set[k][b];
            if (!ps)
                continue;
            bool hit = false;
            int rc = patset_compile(ps, cache, &hit, errbuf);
            if (rc != NS_OK)
                return rc;
            d->info.sets++;
            d->info.sets_from_cache += hit;
            d->info.patterns += (uint32_t)patset_patterns(ps);
            d->info.db_bytes += patset_db_size(ps);
        }
    }
    return NS_OK;
nomem:
    snprintf(errbuf, NS_ERRBUF_SIZE, "detect: out of memory");
    return NS_ERR_NOMEM;
}

struct detect *detect_create(const struct ns_config *cfg, FILE *log, char *errbuf)
{
    struct detect *d = calloc(1, sizeof(*d));
    if (!d) {
        snprintf(errbuf, NS_ERRBUF_SIZE, "detect: out of memory");
        return NULL;
    }
    double t0 = now_s();
    const size_t pcap = CONFIG_PATH_MAX * 2;
    char *path = NULL;
    if (detect_vars(d, cfg, errbuf) != NS_OK)
        goto err;
    d->rs = rule_set_create(d->vars, errbuf);
    if (!d->rs)
        goto err;

    path = malloc(pcap);
    if (!path) {
        snprintf(errbuf, NS_ERRBUF_SIZE, "detect: out of memory");
        goto err;
    }
    const char *first = config_strlist_next(&cfg->rule_files, NULL);
    if (cfg->classification_file[0]) {
        if (rule_set_load_classification(d->rs, cfg->classification_file, errbuf) != NS_OK)
            goto err;
    } else if (first) {
        /* classification.config beside the first rule file, if any */
        rule_path(cfg, first, path, pcap);
        char *slash = strrchr(path, '/');
        size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
        if (dirlen + sizeof("classification.config") <= pcap) {
            memcpy(path + dirlen, "classification.config", sizeof("classification.config"));
            struct stat st;
            if (stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
                rule_set_load_classification(d->rs, path, errbuf) != NS_OK)
                goto err;
        }
    }
    for (const char *f = first; f; f = config_strlist_next(&cfg->rule_files, f)) {
        rule_path(cfg, f, path, pcap);
        if (rule_set_load_file(d->rs, path, errbuf) != NS_OK)
            goto err;
        d->info.files++;
    }
    d->nrules = rule_set_count(d->rs);
    struct rule_set_stats st;
    rule_set_get_stats(d->rs, &st);
    d->info.loaded = st.loaded;
    d->info.skipped = st.skipped;
    for (uint32_t i = 0; i < rule_set_skip_count(d->rs); i++) {
        const struct rule_skip *sk = rule_set_skip(d->rs, i);
        if ((unsigned)sk->reason < RULE_SKIP_REASON_COUNT)
            d->info.skipped_by[sk->reason]++;
    }
    d->fb_words = (rule_set_flowbit_count(d->rs) + 63) / 64;
    double t1 = now_s();
    d->info.load_s = t1 - t0;
    detect_log_skips(d, cfg, log);
    if (detect_sets(d, cfg, errbuf) != NS_OK)
        goto err;
    for (int k = 0; k < KIND_MAX; k++)
        for (int b = 0; b < RULE_BUF_COUNT; b++)
            if (d->set[k][b] && patset_scratch_grow(d->set[k][b], &d->scratch, errbuf) != NS_OK)
                goto err;
    d->info.compile_s = now_s() - t1;
    free(path);
    return d;
err:
    free(path);
    detect_destroy(d);
    return NULL;
}

void detect_destroy(struct detect *d)
{
    if (!d)
        return;
    for (int k = 0; k < KIND_MAX; k++) {
        for (int b = 0; b < RULE_BUF_COUNT; b++)
            patset_destroy(d->set[k][b]);
        for (int c = 0; c < 4; c++)
            free(d->always[k][c]);
    }
    free(d->kind);
    hs_free_scratch(d->scratch);
    rule_set_destroy(d->rs);
    rule_vars_destroy(d->vars);
    free(d);
}

void detect_get_info(const struct detect *d, struct detect_info *out)
{
    *out = d->info;
}

const struct rule_set *detect_rules(const struct detect *d)
{
    return d->rs;
}

uint32_t detect_skip_summary(const struct detect *d, struct rule_skip_count *out, uint32_t max)
{
    return rule_set_summary(d->rs, out, max);
}

/* ---- per thread --------------------------------------------------------- */

struct detect_thread *detect_thread_create(const struct detect *d, char *errbuf)
{
    struct detect_thread *t = calloc(1, sizeof(*t));
    if (!t)
        goto nomem;
    t->cp = &t->c;
    t->mctx = rule_match_ctx_create(errbuf);
    if (!t->mctx) {
        free(t);
        return NULL;
    }
    if (d->scratch && hs_clone_scratch(d->scratch, &t->scratch) != HS_SUCCESS) {
        snprintf(errbuf, NS_ERRBUF_SIZE, "hyperscan: cannot clone the scratch");
        goto err;
    }
    size_t n = d->nrules ? d->nrules : 1;
    t->mark = calloc(n, 1);
    t->cand = malloc(n * sizeof(*t->cand));
    t->order = malloc(n * sizeof(*t->order));
    t->cand_cap = (uint32_t)n;
    t->fb_words = d->fb_words;
    if (t->fb_words) {
        t->fb = calloc((size_t)DETECT_FB_SLOTS * (1 + t->fb_words), sizeof(uint64_t));
        t->fb_tmp = calloc(t->fb_words, sizeof(uint64_t));
        t->fb_old = calloc(t->fb_words, sizeof(uint64_t));
    }
    t->thr = calloc(DETECT_THR_SLOTS, sizeof(*t->thr));
    if (!t->mark || !t->cand || !t->order || !t->thr || (t->fb_words && (!t->fb || !t->fb_tmp || !t->fb_old)))
        goto nomem;
    return t;
nomem:
    snprintf(errbuf, NS_ERRBUF_SIZE, "detect: out of memory for a worker");
err:
    detect_thread_destroy(t);
    return NULL;
}

void detect_thread_destroy(struct detect_thread *t)
{
    if (!t)
        return;
    hs_free_scratch(t->scratch);
    rule_match_ctx_destroy(t->mctx);
    free(t->mark);
    free(t->cand);
    free(t->order);
    free(t->fb);
    free(t->fb_tmp);
    free(t->fb_old);
    free(t->thr);
    free(t);
}

void detect_thread_counters(const struct detect_thread *t, struct detect_counters *c)
{
    *c = *t->cp;
}

void detect_thread_bind(struct detect_thread *t, struct detect_counters *c)
{
    t->cp = c;
}

/* ---- flowbits ------------------------------------------------------------ */

static inline uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return x;
}

static uint64_t *fb_slot(struct detect_thread *t, uint32_t i)
{
    return t->fb + (size_t)i * (1 + t->fb_words);
}

/* The flow's bits (NULL when it has none); create: make an entry. */
static uint64_t *fb_find(struct detect_thread *t, uint64_t flow_id, bool create)
{
    if (!t->fb || flow_id == 0)
        return NULL;
    uint32_t m = DETECT_FB_SLOTS - 1;
    for (uint32_t i = (uint32_t)mix64(flow_id) & m, n = 0; n < DETECT_FB_SLOTS; i = (i + 1) & m, n++) {
        uint64_t *e = fb_slot(t, i);
        if (e[0] == flow_id)
            return e + 1;
        if (e[0] == 0) {
            if (!create)
                return NULL;
            if (t->fb_used >= DETECT_FB_SLOTS * 3 / 4) {
                t->cp->flowbits_full++;
                return NULL;
            }
            e[0] = flow_id;
            memset(e + 1, 0, t->fb_words * sizeof(uint64_t));
            t->fb_used++;
            return e + 1;
        }
    }
    return NULL;
}

bool detect_flow_established(const struct flow *f, const struct ns_config *cfg)
{
    if (f->proto == 6)      /* 'S': the originator's SYN (Zeek history) */
        return f->tcp_state >= FLOW_TCP_ESTABLISHED &&
               (cfg->stream.midstream || strchr(f->history, 'S') != NULL);
    return f->pkts[0] && f->pkts[1];
}

void detect_flow_end(struct detect_thread *t, uint64_t flow_id)
{
    if (!t || !t->fb || flow_id == 0 || t->fb_used == 0)
        return;
    uint32_t m = DETECT_FB_SLOTS - 1;
    uint32_t i = (uint32_t)mix64(flow_id) & m;
    for (uint32_t n = 0; n < DETECT_FB_SLOTS; i = (i + 1) & m, n++) {
        uint64_t *e = fb_slot(t, i);
        if (e[0] == 0)
            return;
        if (e[0] == flow_id)
            break;
    }
    if (fb_slot(t, i)[0] != flow_id)
        return;
    /* linear probing without tombstones: shift the cluster back */
    uint32_t j = i;
    for (uint32_t k = (j + 1) & m;; k = (k + 1) & m) {
        uint64_t *ek = fb_slot(t, k);
        if (ek[0] == 0)
            break;
        uint32_t home = (uint32_t)mix64(ek[0]) & m;
        if (((k - home) & m) >= ((k - j) & m)) {
            memcpy(fb_slot(t, j), ek, (1 + t->fb_words) * sizeof(uint64_t));
            j = k;
        }
    }
    fb_slot(t, j)[0] = 0;
    t->fb_used--;
}

/* ---- thresholds ------------------------------------------------------------ */

/* Whether a match of rule i may alert (Suricata's threshold semantics:
 * limit: the first count matches of each window; threshold: every
 * count-th match in a window; both: once per window, at the count-th). */
static bool thr_allow(struct detect_thread *t, uint32_t i, const struct rule *r,
                      const struct detect_pkt *p, const uint8_t src[16], const uint8_t dst[16])
{
    const struct rule_threshold *th = &r->threshold;
    if (!th->present || th->count == 0)
        return true;
    uint8_t a[16] = { 0 }, b[16] = { 0 };
    switch (th->track) {
    case RULE_THR_BY_SRC: memcpy(a, src, 16); break;
    case RULE_THR_BY_DST: memcpy(a, dst, 16); break;
    case RULE_THR_BY_BOTH: memcpy(a, src, 16); memcpy(b, dst, 16); break;
    case RULE_THR_BY_RULE: break;
    }
    uint64_t h = mix64(((uint64_t)i << 32) ^ mix64(((const uint64_t *)(const void *)a)[0] ^
                                                   ((const uint64_t *)(const void *)a)[1] ^
                                                   ((const uint64_t *)(const void *)b)[0] * 31 ^
                                                   ((const uint64_t *)(const void *)b)[1]));
    uint32_t m = DETECT_THR_SLOTS - 1, s = (uint32_t)h & m;
    struct thr_entry *e = NULL;
    uint64_t now = p->ts_us / 1000000u;
    for (uint32_t n = 0; n < 16; n++, s = (s + 1) & m) {
        struct thr_entry *x = &t->thr[s];
        if (x->rule == i + 1 && !memcmp(x->a, a, 16) && !memcmp(x->b, b, 16)) {
            e = x;
            break;
        }
        /* an empty slot, or one whose window is long over, is reused */
        if (x->rule == 0 || now >= x->start_s + 2 * (uint64_t)x->count + 3600) {
            e = x;
            e->rule = i + 1;
            memcpy(e->a, a, 16);
            memcpy(e->b, b, 16);
            e->count = 0;
            e->start_s = now;
            break;
        }
    }
    if (!e) {
        t->cp->threshold_full++;
        return true;
    }
    if (now >= e->start_s + th->seconds) {       /* a new window */
        e->start_s = now;
        e->count = 0;
    }
    e->count++;
    switch (th->type) {
    case RULE_THR_LIMIT:
        return e->count <= th->count;
    case RULE_THR_THRESHOLD:
        if (e->count >= th->count) {
            e->count = 0;
            return true;
        }
        return false;
    case RULE_THR_BOTH:
        return e->count == th->count;
    }
    return true;
}

/* ---- inspection ------------------------------------------------------------ */

/* 0 TCP, 1 UDP, 2 ICMP, 3 other: the bit of RULE_L4_* */
static unsigned l4_class(uint8_t l4)
{
    return l4 == 6 ? 0 : l4 == 17 ? 1 : (l4 == 1 || l4 == 58) ? 2 : 3;
}

static void cand_add(struct detect_thread *t, uint32_t i)
{
    if (t->mark[i])
        return;
    t->mark[i] = 1;
    t->cand[t->ncand++] = i;
}

static void on_hit(void *ctx, uint32_t id)
{
    cand_add(ctx, id);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static inline uint8_t lower(uint8_t c)
{
    return c >= 'A' && c <= 'Z' ? (uint8_t)(c | 0x20) : c;
}

static inline uint8_t upper(uint8_t c)
{
    return c >= 'a' && c <= 'z' ? (uint8_t)(c & ~0x20) : c;
}

/* Is the short fast pattern in the buffer at all?  nocase: the first
 * byte's two cases are found with memchr (fast), the rest compared. */
static bool short_present(const struct rule_fp *fp, const uint8_t *p, size_t n)
{
    if (!p || fp->len > n)
        return false;
    uint8_t lo = lower(fp->bytes[0]), up = upper(fp->bytes[0]);
    if (!fp->nocase || lo == up) {
        bool letters = false;
        for (uint32_t k = 1; fp->nocase && k < fp->len; k++)
            letters |= lower(fp->bytes[k]) != upper(fp->bytes[k]);
        if (!letters)
            return memmem(p, n, fp->bytes, fp->len) != NULL;
    }
    const uint8_t *end = p + n - fp->len + 1;
    const uint8_t *a = memchr(p, lo, (size_t)(end - p));
    const uint8_t *b = lo == up ? NULL : memchr(p, up, (size_t)(end - p));
    while (a || b) {
        const uint8_t *c = !b || (a && a < b) ? a : b;
        uint32_t k = 1;
        while (k < fp->len && lower(c[k]) == lower(fp->bytes[k]))
            k++;
        if (k == fp->len)
            return true;
        if (c == a)
            a = c + 1 < end ? memchr(c + 1, lo, (size_t)(end - c - 1)) : NULL;
        else
            b = c + 1 < end ? memchr(c + 1, up, (size_t)(end - c - 1)) : NULL;
    }
    return false;
}

static void addr_key(uint8_t out[16], uint8_t ip_v, const uint8_t *a)
{
    if (ip_v == 4)
        rule_addr_from_v4(out, ns_load_be32(a));
    else
        memcpy(out, a, 16);
}

enum vmode { V_ALL = 0, V_PACKET_ONLY, V_STREAM };

/* Rules that only make sense on a packet (dsize, flow:no_stream, the
 * tcp-pkt protocol) or only on the stream (flow:only_stream, tcp-stream). */
static bool packet_only(const struct rule *r)
{
    return r->has_dsize || r->pkt_hdr || (r->flow & RULE_FLOW_NO_STREAM) ||
           strcmp(r->proto, "tcp-pkt") == 0;
}

static bool stream_only(const struct rule *r)
{
    return (r->flow & RULE_FLOW_ONLY_STREAM) || strcmp(r->proto, "tcp-stream") == 0;
}

static unsigned verify(struct detect_thread *t, const struct detect *d, const struct detect_pkt *p,
                       const uint32_t *al, uint32_t nal, struct rule_match_input *in,
                       enum vmode mode, size_t old, const struct detect_match **out)
{
    unsigned nout = 0;
    /* the hits, sorted, merged with the (sorted) always list */
    if (t->ncand > 1)
        qsort(t->cand, t->ncand, sizeof(*t->cand), cmp_u32);
    uint32_t n = 0;
    for (uint32_t a = 0, h = 0; a < nal || h < t->ncand;) {
        if (h < t->ncand)
            t->mark[t->cand[h]] = 0;
        if (h < t->ncand && (a == nal || t->cand[h] < al[a]))
            t->order[n++] = t->cand[h++];
        else
            t->order[n++] = al[a++];
    }
    uint8_t src[16], dst[16];
    addr_key(src, p->ip_v, p->src);
    addr_key(dst, p->ip_v, p->dst);
    uint64_t *bits = NULL;
    bool have_bits = false;
    for (uint32_t c = 0; c < n; c++) {
        uint32_t i = t->order[c];
        const struct rule *r = rule_set_rule(d->rs, i);
        if (!(r->l4 & (p->l4 == 6 ? RULE_L4_TCP : p->l4 == 17 ? RULE_L4_UDP
                       : (p->l4 == 1 || p->l4 == 58) ? RULE_L4_ICMP : RULE_L4_OTHER)))
            continue;
        if (r->app_proto && (!p->app_proto || strcmp(r->app_proto, p->app_proto) != 0))
            continue;
        if (!rule_header_match(r, p->l4, src, p->sport, dst, p->dport))
            continue;
        if ((mode == V_PACKET_ONLY && !packet_only(r)) ||
            (mode == V_STREAM && packet_only(r)) ||
            (mode != V_STREAM && p->l4 == 6 && stream_only(r)))
            continue;
        if (r->fp.present && r->fp.short_pattern && !r->fp.negated && !r->fp.no_prefilter &&
            !short_present(&r->fp, in->buf[r->fp.buf].p, in->buf[r->fp.buf].len))
            continue;
        t->cp->candidates++;
        /* flowbits: the flow's, through a copy that is stored back if the
         * rule changed it */
        if (t->fb_words && p->flow_id) {
            if (!have_bits) {
                bits = fb_find(t, p->flow_id, false);
                have_bits = true;
            }
            if (bits)
                memcpy(t->fb_tmp, bits, t->fb_words * sizeof(uint64_t));
            else
                memset(t->fb_tmp, 0, t->fb_words * sizeof(uint64_t));
            in->flowbits = t->fb_tmp;
            in->flowbits_words = t->fb_words;
        } else {
            in->flowbits = NULL;
            in->flowbits_words = 0;
        }
        if (!rule_match(t->mctx, r, in))
            continue;
        if (mode == V_STREAM && old) {
            /* the old bytes alone: a match there was reported before */
            struct rule_match_input o = *in;
            o.buf[RULE_BUF_PAYLOAD].len = old;
            if (o.flowbits) {
                memcpy(t->fb_old, bits ? bits : t->fb_tmp, t->fb_words * sizeof(uint64_t));
                if (!bits)
                    memset(t->fb_old, 0, t->fb_words * sizeof(uint64_t));
                o.flowbits = t->fb_old;
            }
            if (rule_match(t->mctx, r, &o))
                continue;
        }
        t->cp->matches++;
        if (in->flowbits) {
            bool changed = false;
            for (uint32_t w = 0; w < t->fb_words && !changed; w++)
                changed = t->fb_tmp[w] != (bits ? bits[w] : 0);
            if (changed) {
                if (!bits)
                    bits = fb_find(t, p->flow_id, true);
                if (bits)
                    memcpy(bits, t->fb_tmp, t->fb_words * sizeof(uint64_t));
            }
        }
        if (r->noalert || r->action == RULE_ACTION_PASS)
            continue;
        if (!thr_allow(t, i, r, p, src, dst)) {
            t->cp->suppressed++;
            continue;
        }
        if (nout == DETECT_MAX_ALERTS) {
            t->cp->alert_cap++;
            continue;
        }
        t->out[nout++].r = r;
        t->cp->alerts++;
    }
    t->ncand = 0;
    *out = t->out;
    return nout;
}

/* The packet's header buffers (ipv4.hdr ... icmpv6.hdr). */
static void header_bufs(struct rule_match_input *in, const struct detect_pkt *p)
{
    if (p->l3_hdr) {
        struct rule_buffer *b = &in->buf[p->ip_v == 6 ? RULE_BUF_IPV6_HDR : RULE_BUF_IPV4_HDR];
        b->p = p->l3_hdr;
        b->len = p->l3_hdr_len;
    }
    enum rule_buf l4 = p->l4 == 6 ? RULE_BUF_TCP_HDR : p->l4 == 17 ? RULE_BUF_UDP_HDR
                     : p->l4 == 1 ? RULE_BUF_ICMPV4_HDR : p->l4 == 58 ? RULE_BUF_ICMPV6_HDR
                     : RULE_BUF_COUNT;
    if (p->l4_hdr && l4 != RULE_BUF_COUNT) {
        in->buf[l4].p = p->l4_hdr;
        in->buf[l4].len = p->l4_hdr_len;
    }
}

static unsigned payload_rules(struct detect_thread *t, const struct detect *d,
                              const struct detect_pkt *p, const uint8_t *buf, size_t len,
                              enum vmode mode, size_t old, const struct detect_match **out)
{
    *out = t->out;
    if (d->info.packet_rules == 0)
        return 0;
    t->cp->inspected++;
    t->ncand = 0;
    unsigned cls = l4_class(p->l4);
    const struct patset *ps = d->set[KIND_PACKET][cls];
    if (ps && len && patset_scan(ps, buf, len, t->scratch, on_hit, t) != NS_OK)
        t->cp->scan_errors++;
    if (t->ncand == 0 && d->nalways[KIND_PACKET][cls] == 0)
        return 0;
    struct rule_match_input in;
    memset(&in, 0, sizeof(in));
    in.buf[RULE_BUF_PAYLOAD].p = buf ? buf : (const uint8_t *)"";
    in.buf[RULE_BUF_PAYLOAD].len = len;
    in.to_server = p->toserver;
    in.established = p->established;
    in.stream = mode == V_STREAM;
    in.dsize = mode == V_STREAM ? 0 : p->payload_len;
    if (mode != V_STREAM)
        header_bufs(&in, p);
    return verify(t, d, p, d->always[KIND_PACKET][cls], d->nalways[KIND_PACKET][cls], &in, mode,
                  old, out);
}

unsigned detect_packet(struct detect_thread *t, const struct detect *d, const struct detect_pkt *p,
                       bool stream_covered, const struct detect_match **out)
{
    return payload_rules(t, d, p, p->payload, p->payload_len,
                         stream_covered ? V_PACKET_ONLY : V_ALL, 0, out);
}

unsigned detect_stream(struct detect_thread *t, const struct detect *d, const struct detect_pkt *p,
                       const uint8_t *buf, size_t len, size_t old,
                       const struct detect_match **out)
{
    if (old > len)
        old = len;
    return payload_rules(t, d, p, buf, len, V_STREAM, old, out);
}

unsigned detect_tx(struct detect_thread *t, const struct detect *d, const struct detect_pkt *p,
                   const struct rule_buffer bufs[RULE_BUF_COUNT], const struct detect_match **out)
{
    *out = t->out;
    if (d->info.tx_rules == 0)
        return 0;
    t->cp->inspected++;
    t->ncand = 0;
    for (int b = 0; b < RULE_BUF_COUNT; b++) {
        const struct patset *ps = d->set[KIND_TX][b];
        if (ps && bufs[b].p && bufs[b].len &&
            patset_scan(ps, bufs[b].p, bufs[b].len, t->scratch, on_hit, t) != NS_OK)
            t->cp->scan_errors++;
    }
    unsigned cls = l4_class(p->l4);
    if (t->ncand == 0 && d->nalways[KIND_TX][cls] == 0)
        return 0;
    struct rule_match_input in;
    memset(&in, 0, sizeof(in));
    memcpy(in.buf, bufs, sizeof(in.buf));
    in.to_server = p->toserver;
    in.established = p->established;
    in.dsize = p->payload_len;
    return verify(t, d, p, d->always[KIND_TX][cls], d->nalways[KIND_TX][cls], &in, V_ALL, 0, out);
}

struct detect_gen *detect_gen_create(const struct ns_config *cfg, unsigned nworkers, uint64_t id,
                                     FILE *log, char *errbuf)
{
    struct detect_gen *g = calloc(1, sizeof(*g) + nworkers * sizeof(g->th[0]));
    if (!g) {
        snprintf(errbuf, NS_ERRBUF_SIZE, "detect: out of memory");
        return NULL;
    }
    g->id = id;
    g->d = detect_create(cfg, log, errbuf);
    if (!g->d)
        goto err;
    for (unsigned i = 0; i < nworkers; i++, g->nth++)
        if (!(g->th[i] = detect_thread_create(g->d, errbuf)))
            goto err;
    return g;
err:
    detect_gen_destroy(g);
    return NULL;
}

void detect_gen_destroy(struct detect_gen *g)
{
    if (!g)
        return;
    for (unsigned i = 0; i < g->nth; i++)
        detect_thread_destroy(g->th[i]);
    detect_destroy(g->d);
    free(g);
}
