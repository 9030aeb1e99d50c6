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

#include "engine/hs_cache.h"
#include "engine/patset.h"

#define DETECT_FB_SLOTS   16384u     /* flows with flowbits per worker */
#define DETECT_THR_SLOTS  16384u     /* threshold trackers per worker */
#define DETECT_SKIPS_SHOWN 10u       /* skip messages on the log; all go to the file */

/* How a payload is inspected: a packet alone (not covered by the stream
 * inspection: UDP, ICMP, other, or TCP without reassembly), a TCP packet
 * whose payload the stream inspection covers (only the rules that need a
 * packet run), or reassembled TCP data. */
enum vmode { V_ALL = 0, V_PACKET_ONLY, V_STREAM, V_COUNT };

#define DETECT_MAX_APPS 32u          /* distinct app-layer protocols in rules */

/* Rule indexes in load order. */
struct rlist {
    uint32_t n;
    uint32_t *i;
};

/* What verify() tests before it touches the rule itself: most nominated
 * rules fail on the header, so that test is made from this (16 bytes per
 * rule, in one array): ports given as one number compared directly, and
 * the address sets interned (identical sets share an id) so that each set
 * is tested once per inspection and remembered. */
#define PRE_PORT_ANY   0u
#define PRE_PORT_ONE   1u            /* the port in sport / dport */
#define PRE_PORT_LIST  2u            /* ask the rule */

struct rule_pre {
    uint8_t l4;                      /* RULE_L4_* */
    uint8_t app;                     /* index in app_names + 1; 0: any */
    uint8_t sport_kind, dport_kind;  /* PRE_PORT_* */
    uint16_t sport, dport;
    uint16_t flags;                  /* PRE_* below */
    uint16_t src_set, dst_set;       /* interned address sets (PRE_ADDR_NONE: any) */
};

#define PRE_STREAM_ONLY  0x01u       /* flow:only_stream, tcp-stream */
#define PRE_FULL_HEADER  0x02u       /* "<>", or too many sets: rule_header_match */
#define PRE_ADDR_NONE    0xffffu
#define DETECT_MAX_ADDR_SETS 0xfff0u

/* Suricata's signature groups, by addresses only: the literal set of a
 * buffer kind (a "slot") is split by the rules' (source, destination)
 * address sets, one set for each pair that many rules share (ET Open:
 * $EXTERNAL_NET -> $HOME_NET, $HOME_NET -> $EXTERNAL_NET, $HOME_NET ->
 * any, ...) and one for all the others (g[0], no test).  An inspection
 * scans only the sets whose pair holds for its addresses, so traffic
 * between two internal hosts is never scanned for the rules about the
 * outside world.  A group's test is the rules' own (interned sets), so
 * nothing a rule could match is skipped. */
#define DETECT_MAX_GROUPS 6u
#define DETECT_GROUP_MIN  64u        /* rules of one pair for a set of its own */

struct sgroup {
    uint16_t src_set, dst_set;       /* PRE_ADDR_NONE: any */
    struct patset *ps;
};

struct pair_count {
    uint16_t src_set, dst_set;
    uint32_t n;
};

struct slot {
    uint32_t ngroups;                /* 0: no rules; else g[0] is the mixed group */
    struct sgroup g[DETECT_MAX_GROUPS];
    struct pair_count *pc;           /* building only */
    uint32_t npc, pc_cap;
};

struct detect {
    struct rule_set *rs;
    struct rule_vars *vars;
    uint32_t nrules;
    struct rule_pre *pre;            /* per rule */
    const struct rule_addr **addr_sets;  /* the interned sets, by id */
    uint32_t naddr_sets;
    const char *app_names[DETECT_MAX_APPS];
    uint32_t napps;
    /* transaction rules: one literal set per buffer kind, and the rules
     * without a usable fast pattern per transport class (TCP, UDP, ICMP,
     * other) */
    struct slot tx_slot[RULE_BUF_COUNT];
    struct rlist tx_always[4];
    /* packet rules: per inspection mode and transport class, so that a
     * UDP datagram is not scanned for TCP patterns and a TCP payload
     * that the stream inspection covers is scanned only for the rules
     * that need a packet.  The modes other than V_ALL exist for TCP only;
     * TCP has no V_ALL set: its packets alone (rare: no flow, a SYN) are
     * scanned with the V_STREAM and V_PACKET_ONLY sets, and the stream-only
     * rules dropped.  The always lists come twice: [1] holds only the
     * rules that can match an empty payload. */
    struct slot pkt_slot[V_COUNT][4];
    struct rlist pkt_always[V_COUNT][4][2];
    uint32_t fb_words;
    struct pcre_hs *pcre;            /* pcre items on Hyperscan */
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
    /* address set results of the current inspection: [2 id + 0] for the
     * source, [2 id + 1] the destination, valid when memo_gen is memo_stamp */
    uint32_t *memo_gen;
    uint8_t *memo_val;
    uint32_t memo_stamp, nmemo;
    uint8_t src[16], dst[16];        /* the inspection's addresses as rule keys */
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

/* Does the packet rule run in this mode on this transport class? */
static bool mode_runs(const struct rule *r, enum vmode m, unsigned cls)
{
    switch (m) {
    case V_ALL: return !(cls == 0 && stream_only(r));
    case V_PACKET_ONLY: return packet_only(r) && !stream_only(r);
    default: return !packet_only(r);
    }
}

/* A positive content on the untransformed payload: an empty payload
 * cannot match. */
static bool needs_data(const struct rule *r)
{
    for (uint32_t i = 0; i < r->nlists; i++) {
        const struct rule_list *l = &r->lists[i];
        for (uint32_t k = 0; l->buf == RULE_BUF_PAYLOAD && l->nxforms == 0 && k < l->nitems; k++)
            if (l->items[k].kind == RULE_ITEM_CONTENT &&
                !(l->items[k].u.content.flags & RULE_CONTENT_NEGATED))
                return true;
    }
    return false;
}

static int rlist_add(struct rlist *l, uint32_t cap, uint32_t i)
{
    if (!l->i && !(l->i = malloc(cap * sizeof(*l->i))))
        return NS_ERR_NOMEM;
    l->i[l->n++] = i;
    return NS_OK;
}

static int set_add(struct patset **ps, uint32_t i, const struct rule_fp *fp)
{
    if (!*ps && !(*ps = patset_create()))
        return NS_ERR_NOMEM;
    return patset_add(*ps, i, fp->bytes, fp->len, fp->nocase);
}

static uint64_t addr_hash(const struct rule_addr *a)
{
    uint64_t h = 0xcbf29ce484222325ull ^ a->n;
    const uint8_t *p = (const uint8_t *)a->r;
    for (size_t k = 0; k < (size_t)a->n * sizeof(*a->r); k++)
        h = (h ^ p[k]) * 0x100000001b3ull;
    return h;
}

/* The id of a's set (PRE_ADDR_NONE for any, or when the ids run out),
 * through the build-time table tab (cap slots of id + 1, 0 empty). */
static uint16_t addr_intern(struct detect *d, uint32_t *tab, uint32_t cap,
                            const struct rule_addr *a)
{
    if (a->any)
        return PRE_ADDR_NONE;
    for (uint32_t s = (uint32_t)addr_hash(a) & (cap - 1);; s = (s + 1) & (cap - 1)) {
        if (tab[s] == 0) {
            if (d->naddr_sets >= DETECT_MAX_ADDR_SETS)
                return PRE_ADDR_NONE;
            d->addr_sets[d->naddr_sets] = a;
            tab[s] = ++d->naddr_sets;
            return (uint16_t)(tab[s] - 1);
        }
        const struct rule_addr *b = d->addr_sets[tab[s] - 1];
        if (b->n == a->n && memcmp(b->r, a->r, (size_t)a->n * sizeof(*a->r)) == 0)
            return (uint16_t)(tab[s] - 1);
    }
}

static void port_pre(const struct rule_ports *p, uint8_t *kind, uint16_t *port)
{
    *kind = p->any ? PRE_PORT_ANY
          : p->n == 1 && p->r[0].lo == p->r[0].hi ? PRE_PORT_ONE : PRE_PORT_LIST;
    *port = *kind == PRE_PORT_ONE ? p->r[0].lo : 0;
}

static int detect_pre(struct detect *d, uint32_t i, const struct rule *r, uint32_t *tab,
                      uint32_t cap)
{
    struct rule_pre *pr = &d->pre[i];
    pr->l4 = r->l4;
    pr->flags = stream_only(r) ? PRE_STREAM_ONLY : 0;
    port_pre(&r->sport, &pr->sport_kind, &pr->sport);
    port_pre(&r->dport, &pr->dport_kind, &pr->dport);
    pr->src_set = addr_intern(d, tab, cap, &r->src);
    pr->dst_set = addr_intern(d, tab, cap, &r->dst);
    if (r->bidirectional || (pr->src_set == PRE_ADDR_NONE && !r->src.any) ||
        (pr->dst_set == PRE_ADDR_NONE && !r->dst.any))
        pr->flags |= PRE_FULL_HEADER;
    if (!r->app_proto)
        return NS_OK;
    uint32_t k = 0;
    while (k < d->napps && strcmp(d->app_names[k], r->app_proto) != 0)
        k++;
    if (k == DETECT_MAX_APPS)
        return NS_ERR_INVAL;
    if (k == d->napps)
        d->app_names[d->napps++] = r->app_proto;
    pr->app = (uint8_t)(k + 1);
    return NS_OK;
}

/* The slots one after the other, k < DETECT_NSLOTS. */
#define DETECT_NSLOTS (RULE_BUF_COUNT + V_COUNT * 4u)

static struct slot *slot_at(struct detect *d, unsigned k)
{
    if (k < RULE_BUF_COUNT)
        return &d->tx_slot[k];
    k -= RULE_BUF_COUNT;
    return &d->pkt_slot[k / 4][k % 4];
}

static int slot_count(struct slot *s, const struct rule_pre *pr)
{
    uint16_t a = pr->src_set, b = pr->dst_set;
    if (pr->flags & PRE_FULL_HEADER)
        a = b = PRE_ADDR_NONE;
    for (uint32_t k = 0; k < s->npc; k++)
        if (s->pc[k].src_set == a && s->pc[k].dst_set == b) {
            s->pc[k].n++;
            return NS_OK;
        }
    if (s->npc == s->pc_cap) {
        uint32_t cap = s->pc_cap ? 2 * s->pc_cap : 8;
        struct pair_count *n = realloc(s->pc, cap * sizeof(*n));
        if (!n)
            return NS_ERR_NOMEM;
        s->pc = n;
        s->pc_cap = cap;
    }
    s->pc[s->npc++] = (struct pair_count){ .src_set = a, .dst_set = b, .n = 1 };
    return NS_OK;
}

static int cmp_pair(const void *x, const void *y)
{
    const struct pair_count *a = x, *b = y;
    return a->n != b->n ? (a->n < b->n ? 1 : -1)
         : a->src_set != b->src_set ? (a->src_set < b->src_set ? -1 : 1)
         : (a->dst_set > b->dst_set) - (a->dst_set < b->dst_set);
}

/* The groups of a counted slot: the largest pairs with enough rules. */
static void slot_plan(struct slot *s)
{
    if (s->npc == 0)
        return;
    qsort(s->pc, s->npc, sizeof(*s->pc), cmp_pair);
    s->g[0] = (struct sgroup){ .src_set = PRE_ADDR_NONE, .dst_set = PRE_ADDR_NONE };
    s->ngroups = 1;
    for (uint32_t k = 0; k < s->npc && s->ngroups < DETECT_MAX_GROUPS; k++)
        if (s->pc[k].n >= DETECT_GROUP_MIN &&
            !(s->pc[k].src_set == PRE_ADDR_NONE && s->pc[k].dst_set == PRE_ADDR_NONE))
            s->g[s->ngroups++] = (struct sgroup){ .src_set = s->pc[k].src_set,
                                                  .dst_set = s->pc[k].dst_set };
    free(s->pc);
    s->pc = NULL;
    s->npc = s->pc_cap = 0;
}

static int slot_add(struct slot *s, const struct rule_pre *pr, uint32_t i, const struct rule_fp *fp)
{
    uint32_t k = s->ngroups;
    if (!(pr->flags & PRE_FULL_HEADER))
        for (k = 1; k < s->ngroups; k++)
            if (s->g[k].src_set == pr->src_set && s->g[k].dst_set == pr->dst_set)
                break;
    if (k >= s->ngroups)
        k = 0;
    return set_add(&s->g[k].ps, i, fp);
}

/* A rule with a usable fast pattern goes into these slots. */
static uint32_t rule_slots(struct detect *d, const struct rule *r, bool tx, struct slot **out)
{
    uint32_t n = 0;
    if (tx) {
        out[n++] = &d->tx_slot[r->fp.buf];
        return n;
    }
    for (unsigned c = 0; c < 4; c++)
        for (unsigned m = 0; (r->l4 & (1u << c)) && m < (c == 0 ? V_COUNT : 1); m++)
            if (mode_runs(r, (enum vmode)m, c) && !(c == 0 && m == V_ALL))
                out[n++] = &d->pkt_slot[m][c];
    return n;
}

static int detect_sets(struct detect *d, const struct ns_config *cfg, char *errbuf)
{
    uint32_t cap = d->nrules ? d->nrules : 1;
    uint32_t tcap = 1;
    while (tcap < 4 * cap)
        tcap <<= 1;
    uint32_t *tab = calloc(tcap, sizeof(*tab));
    d->pre = calloc(cap, sizeof(*d->pre));
    d->addr_sets = calloc(2 * (size_t)cap, sizeof(*d->addr_sets));
    if (!tab || !d->pre || !d->addr_sets) {
        free(tab);
        goto nomem;
    }
    for (uint32_t i = 0; i < d->nrules; i++)
        if (detect_pre(d, i, rule_set_rule(d->rs, i), tab, tcap) != NS_OK) {
            free(tab);
            snprintf(errbuf, NS_ERRBUF_SIZE, "detect: rules name more than %u app-layer protocols",
                     DETECT_MAX_APPS);
            return NS_ERR_INVAL;
        }
    free(tab);
    /* the usable fast patterns: count the address pairs per slot, plan
     * the groups, then fill them */
    struct slot *sl[1 + V_COUNT * 4];
    for (int pass = 0; pass < 2; pass++) {
        for (uint32_t i = 0; i < d->nrules; i++) {
            const struct rule *r = rule_set_rule(d->rs, i);
            bool tx = rule_is_tx(r);
            const struct rule_fp *fp = &r->fp;
            if (!(fp->present && !fp->negated && !fp->short_pattern && !fp->no_prefilter &&
                  fp->len > 0 && (tx || fp->buf == RULE_BUF_PAYLOAD)))
                continue;
            uint32_t n = rule_slots(d, r, tx, sl);
            for (uint32_t k = 0; k < n; k++)
                if ((pass == 0 ? slot_count(sl[k], &d->pre[i])
                               : slot_add(sl[k], &d->pre[i], i, fp)) != NS_OK)
                    goto nomem;
        }
        for (unsigned k = 0; pass == 0 && k < DETECT_NSLOTS; k++)
            slot_plan(slot_at(d, k));
    }
    /* the others: the "always" lists */
    for (uint32_t i = 0; i < d->nrules; i++) {
        const struct rule *r = rule_set_rule(d->rs, i);
        bool tx = rule_is_tx(r);
        if (tx)
            d->info.tx_rules++;
        else
            d->info.packet_rules++;
        const struct rule_fp *fp = &r->fp;
        bool usable = fp->present && !fp->negated && !fp->short_pattern && !fp->no_prefilter &&
                      fp->len > 0 && (tx || fp->buf == RULE_BUF_PAYLOAD);
        d->info.always_rules += !usable;
        if (usable)
            continue;
        bool empty_ok = !needs_data(r);
        for (unsigned c = 0; c < 4; c++) {
            if (!(r->l4 & (1u << c)))       /* RULE_L4_TCP, UDP, ICMP, OTHER */
                continue;
            if (tx) {
                if (rlist_add(&d->tx_always[c], cap, i) != NS_OK)
                    goto nomem;
                continue;
            }
            for (unsigned m = 0; m < (c == 0 ? V_COUNT : 1); m++) {
                if (!mode_runs(r, (enum vmode)m, c))
                    continue;
                int rc = rlist_add(&d->pkt_always[m][c][0], cap, i);
                if (rc == NS_OK && empty_ok)
                    rc = rlist_add(&d->pkt_always[m][c][1], cap, i);
                if (rc != NS_OK)
                    goto nomem;
            }
        }
    }

    const char *cache = cfg->detect_cache_dir[0] ? cfg->detect_cache_dir : NULL;
    if (cache && mkdir_p(cache) != 0)
        cache = NULL;                /* no cache: only a slower start */
    for (unsigned k = 0; k < DETECT_NSLOTS * DETECT_MAX_GROUPS; k++) {
        struct patset *ps = slot_at(d, k / DETECT_MAX_GROUPS)->g[k % DETECT_MAX_GROUPS].ps;
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
    for (unsigned k = 0; k < DETECT_NSLOTS * DETECT_MAX_GROUPS; k++) {
        const struct patset *ps = slot_at(d, k / DETECT_MAX_GROUPS)->g[k % DETECT_MAX_GROUPS].ps;
        if (ps && patset_scratch_grow(ps, &d->scratch, errbuf) != NS_OK)
            goto err;
    }
    enum pcre_hs_mode pm = strcmp(cfg->detect_pcre_hs, "no") == 0 ? PCRE_HS_OFF
                         : strcmp(cfg->detect_pcre_hs, "sync") == 0 ? PCRE_HS_SYNC
                         : PCRE_HS_BACKGROUND;
    const char *cache = cfg->detect_cache_dir[0] ? cfg->detect_cache_dir : NULL;
    d->pcre = pcre_hs_create(d->rs, cache, pm, errbuf);
    if (!d->pcre || pcre_hs_scratch_grow(d->pcre, &d->scratch, errbuf) != NS_OK)
        goto err;
    pcre_hs_get_info(d->pcre, &d->info.pcre);
    /* every entry this set uses was touched by its load: the others are
     * from rule sets no start has used for cache-max-age days */
    if (cache && cfg->detect_cache_max_age)
        d->info.cache_pruned = hs_cache_prune(cache, (uint64_t)cfg->detect_cache_max_age * 86400u);
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
    for (unsigned k = 0; k < DETECT_NSLOTS; k++) {
        struct slot *sl = slot_at(d, k);
        for (unsigned g = 0; g < DETECT_MAX_GROUPS; g++)
            patset_destroy(sl->g[g].ps);
        free(sl->pc);
    }
    for (unsigned c = 0; c < 4; c++) {
        free(d->tx_always[c].i);
        for (unsigned m = 0; m < V_COUNT; m++)
            for (unsigned e = 0; e < 2; e++)
                free(d->pkt_always[m][c][e].i);
    }
    free(d->pre);
    free(d->addr_sets);
    pcre_hs_destroy(d->pcre);        /* before the rules it reads */
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
    /* verification runs between scans, so it shares the scratch */
    rule_match_ctx_set_hs(t->mctx, d->pcre, t->scratch);
    rule_match_ctx_bind(t->mctx, &t->c.rm);
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
    t->nmemo = 2 * d->naddr_sets + 2;
    t->memo_gen = calloc(t->nmemo, sizeof(*t->memo_gen));
    t->memo_val = calloc(t->nmemo, 1);
    if (!t->mark || !t->cand || !t->order || !t->thr || !t->memo_gen || !t->memo_val || (t->fb_words && (!t->fb || !t->fb_tmp || !t->fb_old)))
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
    free(t->memo_gen);
    free(t->memo_val);
    free(t);
}

void detect_thread_counters(const struct detect_thread *t, struct detect_counters *c)
{
    *c = *t->cp;
}

void detect_thread_bind(struct detect_thread *t, struct detect_counters *c)
{
    t->cp = c;
    rule_match_ctx_bind(t->mctx, &c->rm);
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

/* A new inspection of p: its address keys, and no address set tested. */
static void insp_begin(struct detect_thread *t, const struct detect_pkt *p)
{
    addr_key(t->src, p->ip_v, p->src);
    addr_key(t->dst, p->ip_v, p->dst);
    if (++t->memo_stamp == 0) {
        memset(t->memo_gen, 0, t->nmemo * sizeof(*t->memo_gen));
        t->memo_stamp = 1;
    }
}

static bool addr_memo(struct detect_thread *t, const struct detect *d, uint16_t id, unsigned side,
                      const uint8_t ip[16])
{
    uint32_t k = 2u * id + side;
    if (t->memo_gen[k] != t->memo_stamp) {
        t->memo_gen[k] = t->memo_stamp;
        t->memo_val[k] = rule_addr_match(d->addr_sets[id], ip);
    }
    return t->memo_val[k] != 0;
}

/* The rule's addresses and ports (the transport is checked already). */
static bool header_ok(struct detect_thread *t, const struct detect *d, const struct rule_pre *pr,
                      uint32_t i, const struct detect_pkt *p, const uint8_t src[16],
                      const uint8_t dst[16])
{
    if (pr->flags & PRE_FULL_HEADER)
        return rule_header_match(rule_set_rule(d->rs, i), p->l4, src, p->sport, dst, p->dport);
    bool ports = p->l4 == 6 || p->l4 == 17;
    if (ports && ((pr->sport_kind == PRE_PORT_ONE && pr->sport != p->sport) ||
                  (pr->dport_kind == PRE_PORT_ONE && pr->dport != p->dport)))
        return false;
    if ((pr->src_set != PRE_ADDR_NONE && !addr_memo(t, d, pr->src_set, 0, src)) ||
        (pr->dst_set != PRE_ADDR_NONE && !addr_memo(t, d, pr->dst_set, 1, dst)))
        return false;
    if (ports && (pr->sport_kind == PRE_PORT_LIST || pr->dport_kind == PRE_PORT_LIST)) {
        const struct rule *r = rule_set_rule(d->rs, i);
        if ((pr->sport_kind == PRE_PORT_LIST && !rule_ports_match(&r->sport, p->sport)) ||
            (pr->dport_kind == PRE_PORT_LIST && !rule_ports_match(&r->dport, p->dport)))
            return false;
    }
    return true;
}

/* The flow's app-layer protocol as an app_names index + 1 (0: none of
 * them). */
static uint8_t app_id(const struct detect *d, const char *name)
{
    for (uint32_t k = 0; name && k < d->napps; k++)
        if (strcmp(d->app_names[k], name) == 0)
            return (uint8_t)(k + 1);
    return 0;
}

static unsigned verify(struct detect_thread *t, const struct detect *d, const struct detect_pkt *p,
                       const struct rlist *al, struct rule_match_input *in,
                       enum vmode mode, size_t old, const struct detect_match **out)
{
    unsigned nout = 0;
    /* the hits, sorted, merged with the (sorted) always list */
    if (t->ncand > 1)
        qsort(t->cand, t->ncand, sizeof(*t->cand), cmp_u32);
    uint32_t n = 0;
    for (uint32_t a = 0, h = 0; a < al->n || h < t->ncand;) {
        if (h < t->ncand)
            t->mark[t->cand[h]] = 0;
        if (h < t->ncand && (a == al->n || t->cand[h] < al->i[a]))
            t->order[n++] = t->cand[h++];
        else
            t->order[n++] = al->i[a++];
    }
    const uint8_t *src = t->src, *dst = t->dst;
    const uint8_t l4bit = (uint8_t)(1u << l4_class(p->l4));
    int app = -1;                    /* not looked up yet */

    uint64_t *bits = NULL;
    bool have_bits = false;
    for (uint32_t c = 0; c < n; c++) {
        uint32_t i = t->order[c];
        const struct rule_pre *pr = &d->pre[i];
        if (!(pr->l4 & l4bit))
            continue;
        if (pr->app) {
            if (app < 0)
                app = app_id(d, p->app_proto);
            if (pr->app != app)
                continue;
        }
        if ((pr->flags & PRE_STREAM_ONLY) && mode == V_ALL && l4bit == RULE_L4_TCP)
            continue;                /* a TCP packet alone (see struct detect) */
        if (!header_ok(t, d, pr, i, p, src, dst))
            continue;
        const struct rule *r = rule_set_rule(d->rs, i);
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

/* The sets of the slot whose address pair holds (see struct sgroup). */
static void scan_slot(struct detect_thread *t, const struct detect *d, const struct slot *s,
                      const uint8_t *buf, size_t len)
{
    for (uint32_t k = 0; k < s->ngroups && len; k++) {
        const struct sgroup *g = &s->g[k];
        if (!g->ps || (g->src_set != PRE_ADDR_NONE && !addr_memo(t, d, g->src_set, 0, t->src)) ||
            (g->dst_set != PRE_ADDR_NONE && !addr_memo(t, d, g->dst_set, 1, t->dst)))
            continue;
        if (patset_scan(g->ps, buf, len, t->scratch, on_hit, t) != NS_OK)
            t->cp->scan_errors++;
    }
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
    unsigned cls = l4_class(p->l4);
    if (cls != 0)
        mode = V_ALL;                /* only TCP has a stream */
    const struct slot *ps = &d->pkt_slot[mode][cls];
    const struct slot *ps2 = NULL;
    if (cls == 0 && mode == V_ALL) {
        ps = &d->pkt_slot[V_STREAM][0];
        ps2 = &d->pkt_slot[V_PACKET_ONLY][0];
    }
    const struct rlist *al = &d->pkt_always[mode][cls][len == 0];
    if (!ps->ngroups && (!ps2 || !ps2->ngroups) && al->n == 0)
        return 0;
    t->cp->inspected++;
    t->ncand = 0;
    insp_begin(t, p);
    scan_slot(t, d, ps, buf, len);
    if (ps2)
        scan_slot(t, d, ps2, buf, len);
    if (t->ncand == 0 && al->n == 0)
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
    return verify(t, d, p, al, &in, mode, old, out);
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
    insp_begin(t, p);
    for (int b = 0; b < RULE_BUF_COUNT; b++)
        if (bufs[b].p)
            scan_slot(t, d, &d->tx_slot[b], bufs[b].p, bufs[b].len);
    unsigned cls = l4_class(p->l4);
    const struct rlist *al = &d->tx_always[cls];
    if (t->ncand == 0 && al->n == 0)
        return 0;
    struct rule_match_input in;
    memset(&in, 0, sizeof(in));
    memcpy(in.buf, bufs, sizeof(in.buf));
    in.to_server = p->toserver;
    in.established = p->established;
    in.dsize = p->payload_len;
    return verify(t, d, p, al, &in, V_ALL, 0, out);
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
