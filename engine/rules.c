/* engine/rules.c: the rule set: variables, classification.config, reading
 * rule files (comments, blank lines, continuation lines ending in '\'),
 * the rule header, and finishing each rule (its inspection lists, the
 * relative-match links, the fast pattern, the duplicate-sid check).
 *
 * Each rule is parsed into a scratch struct rule_build owned by the set;
 * what the rule keeps goes to the set's arena.  A rule that fails at any
 * point is rolled back (arena, flowbit names, compiled PCRE2 code), so a
 * skipped rule leaves nothing behind but its skip record.  Duplicate sids
 * follow Suricata: a later rule with the same gid:sid and a higher rev
 * replaces the earlier one, otherwise the later one is skipped. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <errno.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>

#include "engine/rules_int.h"

/* ---- arena ---- */

#define RULES_CHUNK_SIZE (256u * 1024u)

struct rules_chunk {
    struct rules_chunk *next;
    size_t size, used;
    _Alignas(16) uint8_t data[];
};

void *rules_arena_alloc(struct rules_arena *a, size_t n)
{
    n = (n + 15u) & ~(size_t)15u;
    if (n == 0)
        n = 16;
    struct rules_chunk *c = a->head;
    if (!c || c->size - c->used < n) {
        size_t size = n > RULES_CHUNK_SIZE / 4 ? n : RULES_CHUNK_SIZE;
        c = malloc(sizeof(*c) + size);
        if (!c)
            return NULL;
        c->size = size;
        c->used = 0;
        c->next = a->head;
        a->head = c;
        a->bytes += sizeof(*c) + size;
    }
    void *p = c->data + c->used;
    c->used += n;
    memset(p, 0, n);
    return p;
}

char *rules_arena_strndup(struct rules_arena *a, const char *s, size_t n)
{
    char *p = rules_arena_alloc(a, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

void rules_arena_get_mark(const struct rules_arena *a, struct rules_arena_mark *m)
{
    m->head = a->head;
    m->used = a->head ? a->head->used : 0;
}

void rules_arena_reset(struct rules_arena *a, const struct rules_arena_mark *m)
{
    while (a->head && a->head != m->head) {
        struct rules_chunk *c = a->head;
        a->head = c->next;
        a->bytes -= sizeof(*c) + c->size;
        free(c);
    }
    if (a->head)
        a->head->used = m->used;
}

void rules_arena_free(struct rules_arena *a)
{
    struct rules_arena_mark zero = {0};
    rules_arena_reset(a, &zero);
}

/* ---- variables ---- */

struct rule_var {
    char *name;
    char *value;
    bool port;
};

struct rule_vars {
    struct rule_var *v;
    size_t n, cap;
};

static const struct { const char *name, *value; bool port; } var_defaults[] = {
    { "HOME_NET", "[192.168.0.0/16,10.0.0.0/8,172.16.0.0/12]", false },
    { "EXTERNAL_NET", "!$HOME_NET", false },
    { "HTTP_SERVERS", "$HOME_NET", false },
    { "SMTP_SERVERS", "$HOME_NET", false },
    { "SQL_SERVERS", "$HOME_NET", false },
    { "DNS_SERVERS", "$HOME_NET", false },
    { "TELNET_SERVERS", "$HOME_NET", false },
    { "AIM_SERVERS", "$HOME_NET", false },
    { "DC_SERVERS", "$HOME_NET", false },
    { "DNP3_SERVER", "$HOME_NET", false },
    { "DNP3_CLIENT", "$HOME_NET", false },
    { "MODBUS_CLIENT", "$HOME_NET", false },
    { "MODBUS_SERVER", "$HOME_NET", false },
    { "ENIP_CLIENT", "$HOME_NET", false },
    { "ENIP_SERVER", "$HOME_NET", false },
    { "HTTP_PORTS", "80", true },
    { "SHELLCODE_PORTS", "!80", true },
    { "ORACLE_PORTS", "1521", true },
    { "SSH_PORTS", "22", true },
    { "DNP3_PORTS", "20000", true },
    { "MODBUS_PORTS", "502", true },
    { "FILE_DATA_PORTS", "[$HTTP_PORTS,110,143]", true },
    { "FTP_PORTS", "21", true },
    { "GENEVE_PORTS", "6081", true },
    { "VXLAN_PORTS", "4789", true },
    { "TEREDO_PORTS", "3544", true },
};

struct rule_vars *rule_vars_create(char *errbuf)
{
    struct rule_vars *v = calloc(1, sizeof(*v));
    if (!v)
        goto nomem;
    for (size_t i = 0; i < NS_ARRAY_LEN(var_defaults); i++) {
        if (rule_vars_set(v, var_defaults[i].name, var_defaults[i].value,
                          var_defaults[i].port, errbuf) != NS_OK) {
            rule_vars_destroy(v);
            return NULL;
        }
    }
    return v;
nomem:
    if (errbuf)
        snprintf(errbuf, NS_ERRBUF_SIZE, "rule variables: out of memory");
    return NULL;
}

void rule_vars_destroy(struct rule_vars *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n; i++) {
        free(v->v[i].name);
        free(v->v[i].value);
    }
    free(v->v);
    free(v);
}

int rule_vars_set(struct rule_vars *v, const char *name, const char *value, bool port,
                  char *errbuf)
{
    if (name[0] == '$')
        name++;
    if (!name[0] || strlen(name) > 100) {
        if (errbuf)
            snprintf(errbuf, NS_ERRBUF_SIZE, "rule variable '%.100s': bad name", name);
        return NS_ERR_INVAL;
    }
    char *nv = strdup(value);
    if (!nv)
        goto nomem;
    for (size_t i = 0; i < v->n; i++) {
        if (v->v[i].port == port && strcmp(v->v[i].name, name) == 0) {
            free(v->v[i].value);
            v->v[i].value = nv;
            return NS_OK;
        }
    }
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 32;
        struct rule_var *a = realloc(v->v, cap * sizeof(*a));
        if (!a) {
            free(nv);
            goto nomem;
        }
        v->v = a;
        v->cap = cap;
    }
    char *nn = strdup(name);
    if (!nn) {
        free(nv);
        goto nomem;
    }
    v->v[v->n++] = (struct rule_var){ .name = nn, .value = nv, .port = port };
    return NS_OK;
nomem:
    if (errbuf)
        snprintf(errbuf, NS_ERRBUF_SIZE, "rule variable '%s': out of memory", name);
    return NS_ERR_NOMEM;
}

const char *rule_vars_get(const struct rule_vars *v, const char *name, bool port)
{
    if (!v)
        return NULL;
    for (size_t i = 0; i < v->n; i++)
        if (v->v[i].port == port && strcmp(v->v[i].name, name) == 0)
            return v->v[i].value;
    return NULL;
}

/* ---- the set ---- */

struct rule_class {
    const char *name, *desc;
    uint32_t prio;
};

struct sid_slot {
    uint64_t key;                /* gid << 32 | sid, 0 = empty */
    uint32_t idx;
};

struct rule_set {
    const struct rule_vars *vars;
    struct rule_vars *own_vars;
    struct rules_arena arena;    /* rules; rolled back per failed rule */
    struct rules_arena misc;     /* file names, skips, classes, summary */

    struct rule *rules;
    uint32_t n, cap;
    struct sid_slot *sids;
    uint32_t sid_cap;            /* power of two */

    const char **fb_names;
    uint32_t nfb, fb_cap;

    void **pcre;
    uint32_t npcre, pcre_cap;

    struct rule_class *classes;
    uint32_t nclasses, class_cap;
    bool have_classes;

    struct rule_skip *skips;
    uint32_t nskips, skip_cap;
    struct rule_skip_count *sum;
    uint32_t nsum, sum_cap;

    struct rule_set_stats st;
    struct rule_build *b;        /* scratch, one rule at a time */
};

static const char *const skip_names[RULE_SKIP_REASON_COUNT] = {
    [RULE_SKIP_UNSUPPORTED_KEYWORD] = "unsupported keyword",
    [RULE_SKIP_UNSUPPORTED_PROTO] = "unsupported protocol",
    [RULE_SKIP_UNSUPPORTED_BUFFER] = "unsupported buffer",
    [RULE_SKIP_BAD_VALUE] = "bad value",
    [RULE_SKIP_BAD_HEADER] = "bad header",
    [RULE_SKIP_SYNTAX] = "syntax error",
    [RULE_SKIP_DUPLICATE_SID] = "duplicate sid",
    [RULE_SKIP_MISSING_SID] = "missing sid",
    [RULE_SKIP_TOO_LARGE] = "too large",
};

const char *rule_skip_reason_name(enum rule_skip_reason r)
{
    return (unsigned)r < RULE_SKIP_REASON_COUNT ? skip_names[r] : "?";
}

struct rule_set *rule_set_create(const struct rule_vars *vars, char *errbuf)
{
    struct rule_set *rs = calloc(1, sizeof(*rs));
    if (!rs)
        goto nomem;
    rs->b = calloc(1, sizeof(*rs->b));
    if (!rs->b)
        goto nomem;
    if (!vars) {
        rs->own_vars = rule_vars_create(errbuf);
        if (!rs->own_vars) {
            rule_set_destroy(rs);
            return NULL;
        }
        vars = rs->own_vars;
    }
    rs->vars = vars;
    return rs;
nomem:
    rule_set_destroy(rs);
    if (errbuf)
        snprintf(errbuf, NS_ERRBUF_SIZE, "rule set: out of memory");
    return NULL;
}

void rule_set_destroy(struct rule_set *rs)
{
    if (!rs)
        return;
    for (uint32_t i = 0; i < rs->npcre; i++)
        pcre2_code_free(rs->pcre[i]);
    free(rs->pcre);
    free(rs->rules);
    free(rs->sids);
    free(rs->fb_names);
    free(rs->classes);
    free(rs->skips);
    free(rs->sum);
    free(rs->b);
    rules_arena_free(&rs->arena);
    rules_arena_free(&rs->misc);
    rule_vars_destroy(rs->own_vars);
    free(rs);
}

static bool grow(void **p, uint32_t *cap, uint32_t need, size_t elem)
{
    if (need <= *cap)
        return true;
    uint32_t nc = *cap ? *cap : 16;
    while (nc < need)
        nc *= 2;
    void *np = realloc(*p, (size_t)nc * elem);
    if (!np)
        return false;
    *p = np;
    *cap = nc;
    return true;
}

/* ---- classification ---- */

static int class_add(struct rule_set *rs, const char *line, size_t n, char *errbuf,
                     uint32_t lineno)
{
    /* "config classification: name,description,priority" */
    const char *p = line, *end = line + n;
    const char *c1 = memchr(p, ',', n);
    const char *c2 = c1 ? memchr(c1 + 1, ',', (size_t)(end - c1 - 1)) : NULL;
    if (!c2)
        goto bad;
    const char *ns = p, *ne = c1;
    while (ns < ne && rules_isspace((unsigned char)*ns))
        ns++;
    while (ne > ns && rules_isspace((unsigned char)ne[-1]))
        ne--;
    const char *ds = c1 + 1, *de = c2;
    while (ds < de && rules_isspace((unsigned char)*ds))
        ds++;
    while (de > ds && rules_isspace((unsigned char)de[-1]))
        de--;
    uint32_t prio = 0;
    const char *q = c2 + 1;
    while (q < end && rules_isspace((unsigned char)*q))
        q++;
    if (q == end)
        goto bad;
    for (; q < end && *q >= '0' && *q <= '9'; q++) {
        prio = prio * 10 + (uint32_t)(*q - '0');
        if (prio > 1000000)
            goto bad;
    }
    while (q < end && rules_isspace((unsigned char)*q))
        q++;
    if (q != end || ne == ns)
        goto bad;
    if (!grow((void **)&rs->classes, &rs->class_cap, rs->nclasses + 1, sizeof(*rs->classes)))
        goto nomem;
    char *name = rules_arena_strndup(&rs->misc, ns, (size_t)(ne - ns));
    char *desc = rules_arena_strndup(&rs->misc, ds, (size_t)(de - ds));
    if (!name || !desc)
        goto nomem;
    /* a later definition replaces an earlier one */
    for (uint32_t i = 0; i < rs->nclasses; i++) {
        if (strcmp(rs->classes[i].name, name) == 0) {
            rs->classes[i].desc = desc;
            rs->classes[i].prio = prio;
            return NS_OK;
        }
    }
    rs->classes[rs->nclasses++] = (struct rule_class){ name, desc, prio };
    return NS_OK;
bad:
    if (errbuf)
        snprintf(errbuf, NS_ERRBUF_SIZE, "classification line %u: bad entry '%.*s'", lineno,
                 (int)(n > 120 ? 120 : n), line);
    return NS_ERR_INVAL;
nomem:
    if (errbuf)
        snprintf(errbuf, NS_ERRBUF_SIZE, "classification: out of memory");
    return NS_ERR_NOMEM;
}

int rule_set_load_classification_text(struct rule_set *rs, const char *text, size_t len,
                                      char *errbuf)
{
    static const char key[] = "config classification:";
    size_t i = 0;
    uint32_t lineno = 0;
    while (i < len) {
        size_t st = i;
        while (i < len && text[i] != '\n')
            i++;
        size_t e = i;
        if (i < len)
            i++;
        lineno++;
        while (st < e && rules_isspace((unsigned char)text[st]))
            st++;
        if (st == e || text[st] == '#')
            continue;
        if (e - st < sizeof(key) - 1 || memcmp(text + st, key, sizeof(key) - 1) != 0)
            continue;            /* other config lines are not ours */
        st += sizeof(key) - 1;
        int rc = class_add(rs, text + st, e - st, errbuf, lineno);
        if (rc != NS_OK)
            return rc;
    }
    rs->have_classes = true;
    return NS_OK;
}

static int read_file(const char *path, char **out, size_t *len, char *errbuf)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errbuf)
            snprintf(errbuf, NS_ERRBUF_SIZE, "%s: %s", path, strerror(errno));
        return NS_ERR_IO;
    }
    size_t cap = 64 * 1024, n = 0;
    char *buf = malloc(cap);
    if (!buf)
        goto nomem;
    for (;;) {
        if (n == cap) {
            if (cap > (size_t)1 << 30) {
                if (errbuf)
                    snprintf(errbuf, NS_ERRBUF_SIZE, "%s: larger than 1 GiB", path);
                free(buf);
                fclose(f);
                return NS_ERR_INVAL;
            }
            char *nb = realloc(buf, cap * 2);
            if (!nb)
                goto nomem;
            buf = nb;
            cap *= 2;
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
    }
    if (ferror(f)) {
        if (errbuf)
            snprintf(errbuf, NS_ERRBUF_SIZE, "%s: read error", path);
        free(buf);
        fclose(f);
        return NS_ERR_IO;
    }
    fclose(f);
    *out = buf;
    *len = n;
    return NS_OK;
nomem:
    free(buf);
    fclose(f);
    if (errbuf)
        snprintf(errbuf, NS_ERRBUF_SIZE, "%s: out of memory", path);
    return NS_ERR_NOMEM;
}

int rule_set_load_classification(struct rule_set *rs, const char *path, char *errbuf)
{
    char *text;
    size_t len;
    int rc = read_file(path, &text, &len, errbuf);
    if (rc != NS_OK)
        return rc;
    rc = rule_set_load_classification_text(rs, text, len, errbuf);
    if (rc != NS_OK && errbuf) {
        char tmp[NS_ERRBUF_SIZE];
        snprintf(tmp, sizeof(tmp), "%s: %s", path, errbuf);
        memcpy(errbuf, tmp, NS_ERRBUF_SIZE);
    }
    free(text);
    return rc;
}

bool rules_class_lookup(const struct rule_set *rs, const char *name, const char **desc,
                        uint32_t *prio, bool *have_table)
{
    *have_table = rs->have_classes;
    for (uint32_t i = 0; i < rs->nclasses; i++) {
        if (strcmp(rs->classes[i].name, name) == 0) {
            *desc = rs->classes[i].desc;
            *prio = rs->classes[i].prio;
            return true;
        }
    }
    return false;
}

/* ---- services for the keywords ---- */

int rules_fail(struct rule_build *b, enum rule_skip_reason reason, const char *keyword,
               const char *fmt, ...)
{
    if (b->failed)
        return NS_ERR_INVAL;
    b->failed = true;
    b->reason = reason;
    snprintf(b->keyword, sizeof(b->keyword), "%s", keyword ? keyword : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b->detail, sizeof(b->detail), fmt, ap);
    va_end(ap);
    return NS_ERR_INVAL;
}

int rules_flowbit_id(struct rule_build *b, const char *name, size_t n, uint16_t *id)
{
    struct rule_set *rs = b->rs;
    for (uint32_t i = 0; i < rs->nfb; i++) {
        if (strlen(rs->fb_names[i]) == n && memcmp(rs->fb_names[i], name, n) == 0) {
            *id = (uint16_t)i;
            return NS_OK;
        }
    }
    if (rs->nfb >= RULE_MAX_FLOWBITS)
        return rules_fail(b, RULE_SKIP_TOO_LARGE, "flowbits", "more than %u flowbit names",
                          RULE_MAX_FLOWBITS);
    if (!grow((void **)&rs->fb_names, &rs->fb_cap, rs->nfb + 1, sizeof(*rs->fb_names)))
        return rules_fail(b, RULE_SKIP_TOO_LARGE, "flowbits", "out of memory");
    char *s = rules_arena_strndup(b->arena, name, n);
    if (!s)
        return rules_fail(b, RULE_SKIP_TOO_LARGE, "flowbits", "out of memory");
    rs->fb_names[rs->nfb] = s;
    *id = (uint16_t)rs->nfb++;
    return NS_OK;
}

int rules_pcre_keep(struct rule_build *b, void *code, uint32_t *id)
{
    struct rule_set *rs = b->rs;
    if (!grow((void **)&rs->pcre, &rs->pcre_cap, rs->npcre + 1, sizeof(*rs->pcre))) {
        pcre2_code_free(code);
        return rules_fail(b, RULE_SKIP_TOO_LARGE, "pcre", "out of memory");
    }
    *id = rs->npcre;
    rs->pcre[rs->npcre++] = code;
    return NS_OK;
}

/* ---- skips and summary ---- */

static void note_skip(struct rule_set *rs, const char *file, uint32_t line, uint32_t sid,
                      enum rule_skip_reason reason, const char *keyword, const char *detail)
{
    rs->st.skipped++;
    uint32_t i;
    for (i = 0; i < rs->nsum; i++)
        if (rs->sum[i].reason == reason && strcmp(rs->sum[i].keyword, keyword) == 0)
            break;
    if (i == rs->nsum) {
        if (!grow((void **)&rs->sum, &rs->sum_cap, rs->nsum + 1, sizeof(*rs->sum)))
            return;
        const char *k = rules_arena_strndup(&rs->misc, keyword, strlen(keyword));
        if (!k)
            return;
        rs->sum[rs->nsum++] = (struct rule_skip_count){ reason, k, 0 };
    }
    rs->sum[i].count++;
    if (rs->nskips >= RULE_MAX_SKIPS)
        return;
    if (!grow((void **)&rs->skips, &rs->skip_cap, rs->nskips + 1, sizeof(*rs->skips)))
        return;
    char msg[600];
    if (sid)
        snprintf(msg, sizeof(msg), "%s:%u: sid %u: %s%s%s: %s", file, line, sid,
                 skip_names[reason], keyword[0] ? " " : "", keyword, detail);
    else
        snprintf(msg, sizeof(msg), "%s:%u: %s%s%s: %s", file, line, skip_names[reason],
                 keyword[0] ? " " : "", keyword, detail);
    const char *m = rules_arena_strndup(&rs->misc, msg, strlen(msg));
    if (!m)
        return;
    rs->skips[rs->nskips++] = (struct rule_skip){
        .file = file, .line = line, .sid = sid, .reason = reason,
        .keyword = rs->sum[i].keyword, .msg = m,
    };
}

static int sum_cmp(const void *a, const void *b)
{
    const struct rule_skip_count *x = a, *y = b;
    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    if (x->reason != y->reason)
        return (int)x->reason - (int)y->reason;
    return strcmp(x->keyword, y->keyword);
}

uint32_t rule_set_summary(const struct rule_set *rs, struct rule_skip_count *out, uint32_t max)
{
    /* sorted at the end of each load, so readers never write */
    for (uint32_t i = 0; i < rs->nsum && i < max; i++)
        out[i] = rs->sum[i];
    return rs->nsum;
}

uint32_t rule_set_skip_count(const struct rule_set *rs) { return rs->nskips; }

const struct rule_skip *rule_set_skip(const struct rule_set *rs, uint32_t i)
{
    return i < rs->nskips ? &rs->skips[i] : NULL;
}

void rule_set_get_stats(const struct rule_set *rs, struct rule_set_stats *st)
{
    *st = rs->st;
    st->loaded = rs->n;
    st->fp_short = st->no_fp = st->pcre_jit = 0;
    for (uint32_t i = 0; i < rs->n; i++) {
        const struct rule_fp *fp = &rs->rules[i].fp;
        if (!fp->present || fp->negated || fp->no_prefilter)
            st->no_fp++;
        else if (fp->short_pattern)
            st->fp_short++;
    }
    size_t mem = sizeof(*rs) + sizeof(*rs->b) + rs->arena.bytes + rs->misc.bytes +
                 (size_t)rs->cap * sizeof(*rs->rules) + (size_t)rs->sid_cap * sizeof(*rs->sids) +
                 (size_t)rs->fb_cap * sizeof(*rs->fb_names) + (size_t)rs->pcre_cap * sizeof(void *) +
                 (size_t)rs->class_cap * sizeof(*rs->classes) +
                 (size_t)rs->skip_cap * sizeof(*rs->skips) + (size_t)rs->sum_cap * sizeof(*rs->sum);
    for (uint32_t i = 0; i < rs->npcre; i++) {
        size_t sz = 0, jsz = 0;
        if (pcre2_pattern_info(rs->pcre[i], PCRE2_INFO_SIZE, &sz) == 0)
            mem += sz;
        if (pcre2_pattern_info(rs->pcre[i], PCRE2_INFO_JITSIZE, &jsz) == 0 && jsz > 0) {
            mem += jsz;
            st->pcre_jit++;
        }
    }
    st->memory = mem;
}

uint32_t rule_set_count(const struct rule_set *rs) { return rs->n; }

const struct rule *rule_set_rule(const struct rule_set *rs, uint32_t i)
{
    return i < rs->n ? &rs->rules[i] : NULL;
}

uint32_t rule_set_flowbit_count(const struct rule_set *rs) { return rs->nfb; }
uint32_t rule_set_pcre_count(const struct rule_set *rs) { return rs->npcre; }

const char *rule_set_flowbit_name(const struct rule_set *rs, uint32_t id)
{
    return id < rs->nfb ? rs->fb_names[id] : NULL;
}

/* ---- sid index ---- */

static uint32_t sid_hash(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    return (uint32_t)k;
}

static struct sid_slot *sid_find(const struct rule_set *rs, uint64_t key)
{
    if (!rs->sid_cap)
        return NULL;
    uint32_t m = rs->sid_cap - 1;
    for (uint32_t i = sid_hash(key) & m;; i = (i + 1) & m) {
        if (rs->sids[i].key == key || rs->sids[i].key == 0)
            return &rs->sids[i];
    }
}

static bool sid_insert(struct rule_set *rs, uint64_t key, uint32_t idx)
{
    if ((rs->n + 1) * 2 > rs->sid_cap) {
        uint32_t cap = rs->sid_cap ? rs->sid_cap * 2 : 1024;
        struct sid_slot *ns = calloc(cap, sizeof(*ns));
        if (!ns)
            return false;
        struct sid_slot *old = rs->sids;
        uint32_t ocap = rs->sid_cap;
        rs->sids = ns;
        rs->sid_cap = cap;
        for (uint32_t i = 0; i < ocap; i++)
            if (old[i].key)
                *sid_find(rs, old[i].key) = old[i];
        free(old);
    }
    struct sid_slot *s = sid_find(rs, key);
    s->key = key;
    s->idx = idx;
    return true;
}

const struct rule *rule_set_find(const struct rule_set *rs, uint32_t gid, uint32_t sid)
{
    uint64_t key = (uint64_t)gid << 32 | sid;
    if (key == 0)
        return NULL;
    struct sid_slot *s = sid_find(rs, key);
    return s && s->key == key ? &rs->rules[s->idx] : NULL;
}

/* ---- header ---- */

static const struct { const char *name; uint8_t l4; } protos[] = {
    { "ip", RULE_L4_ANY }, { "ipv4", RULE_L4_ANY }, { "ip4", RULE_L4_ANY },
    { "ipv6", RULE_L4_ANY }, { "ip6", RULE_L4_ANY }, { "pkthdr", RULE_L4_ANY },
    { "tcp", RULE_L4_TCP }, { "tcp-pkt", RULE_L4_TCP }, { "tcp-stream", RULE_L4_TCP },
    { "udp", RULE_L4_UDP }, { "icmp", RULE_L4_ICMP }, { "icmpv4", RULE_L4_ICMP },
    { "icmpv6", RULE_L4_ICMP }, { "sctp", RULE_L4_OTHER },
};

/* app-layer protocol names Suricata accepts in the header */
static const struct { const char *name; uint8_t l4; } app_protos[] = {
    { "http", RULE_L4_TCP }, { "http1", RULE_L4_TCP }, { "http2", RULE_L4_TCP },
    { "ftp", RULE_L4_TCP }, { "ftp-data", RULE_L4_TCP }, { "smtp", RULE_L4_TCP },
    { "tls", RULE_L4_TCP }, { "ssl", RULE_L4_TCP }, { "ssh", RULE_L4_TCP },
    { "imap", RULE_L4_TCP }, { "pop3", RULE_L4_TCP }, { "smb", RULE_L4_TCP },
    { "dcerpc", RULE_L4_TCP | RULE_L4_UDP }, { "dns", RULE_L4_TCP | RULE_L4_UDP },
    { "modbus", RULE_L4_TCP }, { "enip", RULE_L4_TCP | RULE_L4_UDP },
    { "dnp3", RULE_L4_TCP }, { "nfs", RULE_L4_TCP | RULE_L4_UDP },
    { "ntp", RULE_L4_UDP }, { "tftp", RULE_L4_UDP }, { "ikev2", RULE_L4_UDP },
    { "ike", RULE_L4_UDP }, { "krb5", RULE_L4_TCP | RULE_L4_UDP },
    { "dhcp", RULE_L4_UDP }, { "snmp", RULE_L4_UDP }, { "sip", RULE_L4_TCP | RULE_L4_UDP },
    { "rfb", RULE_L4_TCP }, { "mqtt", RULE_L4_TCP }, { "rdp", RULE_L4_TCP },
    { "pgsql", RULE_L4_TCP }, { "telnet", RULE_L4_TCP }, { "websocket", RULE_L4_TCP },
    { "ldap", RULE_L4_TCP | RULE_L4_UDP }, { "quic", RULE_L4_UDP },
    { "bittorrent-dht", RULE_L4_UDP }, { "doh2", RULE_L4_TCP }, { "mdns", RULE_L4_UDP },
    { "pop", RULE_L4_TCP }, { "irc", RULE_L4_TCP },
};

static const struct { const char *name; enum rule_action a; } actions[] = {
    { "alert", RULE_ACTION_ALERT }, { "pass", RULE_ACTION_PASS },
    { "drop", RULE_ACTION_DROP }, { "reject", RULE_ACTION_REJECT },
    { "rejectsrc", RULE_ACTION_REJECTSRC }, { "rejectdst", RULE_ACTION_REJECTDST },
    { "rejectboth", RULE_ACTION_REJECTBOTH },
};

/* next header token: whitespace outside brackets ends it */
static bool next_tok(const char *s, size_t n, size_t *i, size_t *ts, size_t *tl)
{
    while (*i < n && rules_isspace((unsigned char)s[*i]))
        (*i)++;
    if (*i >= n)
        return false;
    *ts = *i;
    int depth = 0;
    while (*i < n) {
        char c = s[*i];
        if (c == '[')
            depth++;
        else if (c == ']' && depth > 0)
            depth--;
        else if (depth == 0 && rules_isspace((unsigned char)c))
            break;
        (*i)++;
    }
    *tl = *i - *ts;
    return true;
}

static bool tok_is(const char *s, size_t n, const char *lit)
{
    return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

static int parse_header(struct rule_build *b, const char *s, size_t n)
{
    struct rule *r = &b->r;
    size_t i = 0, ts[7], tl[7];
    int k = 0;
    for (; k < 7 && next_tok(s, n, &i, &ts[k], &tl[k]); k++)
        ;
    size_t extra_s, extra_l;
    if (k < 7 || next_tok(s, n, &i, &extra_s, &extra_l))
        return rules_fail(b, RULE_SKIP_BAD_HEADER, "", "header needs 7 fields "
                          "(action proto src sport dir dst dport), got '%.*s'",
                          (int)(n > 120 ? 120 : n), s);
    /* action */
    size_t a;
    for (a = 0; a < NS_ARRAY_LEN(actions); a++)
        if (tok_is(s + ts[0], tl[0], actions[a].name))
            break;
    if (a == NS_ARRAY_LEN(actions))
        return rules_fail(b, RULE_SKIP_BAD_HEADER, "action", "unknown action '%.*s'",
                          (int)(tl[0] > 32 ? 32 : tl[0]), s + ts[0]);
    r->action = actions[a].a;
    r->action_name = actions[a].name;
    /* protocol */
    char proto[32];
    if (tl[1] >= sizeof(proto))
        return rules_fail(b, RULE_SKIP_UNSUPPORTED_PROTO, "", "protocol '%.32s...'", s + ts[1]);
    for (size_t j = 0; j < tl[1]; j++) {
        char c = s[ts[1] + j];
        proto[j] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
    }
    proto[tl[1]] = '\0';
    r->proto = NULL;
    for (size_t j = 0; j < NS_ARRAY_LEN(protos); j++) {
        if (strcmp(proto, protos[j].name) == 0) {
            r->proto = protos[j].name;
            r->l4 = protos[j].l4;
        }
    }
    for (size_t j = 0; !r->proto && j < NS_ARRAY_LEN(app_protos); j++) {
        if (strcmp(proto, app_protos[j].name) == 0) {
            r->proto = app_protos[j].name;
            r->app_proto = app_protos[j].name;
            if (strcmp(proto, "http1") == 0 || strcmp(proto, "http2") == 0)
                r->app_proto = "http";
            if (strcmp(proto, "ssl") == 0)
                r->app_proto = "tls";
            r->l4 = app_protos[j].l4;
        }
    }
    if (!r->proto)
        return rules_fail(b, RULE_SKIP_UNSUPPORTED_PROTO, proto, "unknown protocol '%s'", proto);
    /* addresses, ports, direction */
    const struct rule_vars *vars = b->rs->vars;
    if (rules_parse_addr(b, vars, s + ts[2], tl[2], &r->src) != NS_OK ||
        rules_parse_ports(b, vars, s + ts[3], tl[3], &r->sport) != NS_OK)
        return NS_ERR_INVAL;
    if (tok_is(s + ts[4], tl[4], "->"))
        r->bidirectional = false;
    else if (tok_is(s + ts[4], tl[4], "<>"))
        r->bidirectional = true;
    else
        return rules_fail(b, RULE_SKIP_BAD_HEADER, "direction", "bad direction '%.*s'",
                          (int)(tl[4] > 16 ? 16 : tl[4]), s + ts[4]);
    if (rules_parse_addr(b, vars, s + ts[5], tl[5], &r->dst) != NS_OK ||
        rules_parse_ports(b, vars, s + ts[6], tl[6], &r->dport) != NS_OK)
        return NS_ERR_INVAL;
    return NS_OK;
}

/* ---- finishing a rule ---- */

static const char *const buf_names[RULE_BUF_COUNT] = {
    [RULE_BUF_PAYLOAD] = "pkt_data",
    [RULE_BUF_HTTP_URI] = "http.uri",
    [RULE_BUF_HTTP_URI_RAW] = "http.uri.raw",
    [RULE_BUF_HTTP_HOST] = "http.host",
    [RULE_BUF_HTTP_HOST_RAW] = "http.host.raw",
    [RULE_BUF_HTTP_METHOD] = "http.method",
    [RULE_BUF_HTTP_USER_AGENT] = "http.user_agent",
    [RULE_BUF_HTTP_COOKIE] = "http.cookie",
    [RULE_BUF_HTTP_HEADER] = "http.header",
    [RULE_BUF_HTTP_HEADER_RAW] = "http.header.raw",
    [RULE_BUF_HTTP_HEADER_NAMES] = "http.header_names",
    [RULE_BUF_HTTP_CONTENT_TYPE] = "http.content_type",
    [RULE_BUF_HTTP_REQUEST_BODY] = "http.request_body",
    [RULE_BUF_HTTP_RESPONSE_BODY] = "http.response_body",
    [RULE_BUF_HTTP_STAT_CODE] = "http.stat_code",
    [RULE_BUF_HTTP_STAT_MSG] = "http.stat_msg",
    [RULE_BUF_HTTP_REQUEST_LINE] = "http.request_line",
    [RULE_BUF_HTTP_RESPONSE_LINE] = "http.response_line",
    [RULE_BUF_HTTP_REFERER] = "http.referer",
    [RULE_BUF_HTTP_PROTOCOL] = "http.protocol",
    [RULE_BUF_HTTP_START] = "http.start",
    [RULE_BUF_HTTP_ACCEPT] = "http.accept",
    [RULE_BUF_HTTP_ACCEPT_LANG] = "http.accept_lang",
    [RULE_BUF_HTTP_ACCEPT_ENC] = "http.accept_enc",
    [RULE_BUF_HTTP_CONNECTION] = "http.connection",
    [RULE_BUF_HTTP_CONTENT_LEN] = "http.content_len",
    [RULE_BUF_HTTP_LOCATION] = "http.location",
    [RULE_BUF_HTTP_SERVER] = "http.server",
    [RULE_BUF_DNS_QUERY] = "dns.query",
    [RULE_BUF_TLS_SNI] = "tls.sni",
    [RULE_BUF_FILE_DATA] = "file.data",
    [RULE_BUF_IPV4_HDR] = "ipv4.hdr",
    [RULE_BUF_IPV6_HDR] = "ipv6.hdr",
    [RULE_BUF_TCP_HDR] = "tcp.hdr",
    [RULE_BUF_UDP_HDR] = "udp.hdr",
    [RULE_BUF_ICMPV4_HDR] = "icmpv4.hdr",
    [RULE_BUF_ICMPV6_HDR] = "icmpv6.hdr",
};

const char *rule_buf_name(enum rule_buf b)
{
    return (unsigned)b < RULE_BUF_COUNT ? buf_names[b] : "?";
}

const char *rule_buf_proto(enum rule_buf b)
{
    if (b >= RULE_BUF_HTTP_URI && b <= RULE_BUF_HTTP_SERVER)
        return "http";
    if (b == RULE_BUF_DNS_QUERY)
        return "dns";
    if (b == RULE_BUF_TLS_SNI)
        return "tls";
    return NULL;
}

bool rule_buf_is_header(enum rule_buf b)
{
    return b >= RULE_BUF_IPV4_HDR && b <= RULE_BUF_ICMPV6_HDR;
}

bool rule_buf_is_packet(enum rule_buf b)
{
    return b == RULE_BUF_PAYLOAD || rule_buf_is_header(b);
}

int rule_buf_fp_priority(enum rule_buf b)
{
    switch (b) {
    case RULE_BUF_HTTP_METHOD:
    case RULE_BUF_HTTP_STAT_CODE:
        return 4;
    case RULE_BUF_PAYLOAD:
    case RULE_BUF_HTTP_STAT_MSG:
        return 3;
    default:
        return 2;
    }
}

bool rule_cmp_eval(const struct rule_cmp *c, uint64_t x)
{
    switch (c->op) {
    case RULE_CMP_EQ: return x == c->a;
    case RULE_CMP_NE: return x != c->a;
    case RULE_CMP_LT: return x < c->a;
    case RULE_CMP_LE: return x <= c->a;
    case RULE_CMP_GT: return x > c->a;
    case RULE_CMP_GE: return x >= c->a;
    case RULE_CMP_RANGE: return x > c->a && x < c->b;
    }
    return false;
}

/* Suricata's PatternStrength: distinct letters count 3, other printable
 * and 0x00/0x01/0xff 4, other bytes 6, repeats 1. */
static uint32_t pattern_strength(const uint8_t *p, uint32_t n)
{
    uint8_t seen[256] = {0};
    uint32_t s = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint8_t c = p[i];
        if (!seen[c]) {
            if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
                s += 3;
            else if ((c >= 0x20 && c < 0x7f) || c == 0x00 || c == 0x01 || c == 0xff)
                s += 4;
            else
                s += 6;
            seen[c] = 1;
        } else {
            s++;
        }
    }
    return s;
}

static void choose_fp(struct rule *r)
{
    struct rule_fp *fp = &r->fp;
    memset(fp, 0, sizeof(*fp));
    int best_list = -1, best_item = -1;
    /* the content marked fast_pattern */
    for (uint32_t l = 0; l < r->nlists && best_list < 0; l++) {
        for (uint32_t i = 0; i < r->lists[l].nitems; i++) {
            const struct rule_item *it = &r->lists[l].items[i];
            if (it->kind == RULE_ITEM_CONTENT &&
                (it->u.content.flags & RULE_CONTENT_FAST_PATTERN)) {
                best_list = (int)l;
                best_item = (int)i;
                break;
            }
        }
    }
    if (best_list < 0) {
        /* non-negated contents preferred; else negated ones */
        bool have_nn = false, have_n = false;
        for (uint32_t l = 0; l < r->nlists; l++)
            for (uint32_t i = 0; i < r->lists[l].nitems; i++) {
                const struct rule_item *it = &r->lists[l].items[i];
                if (it->kind != RULE_ITEM_CONTENT)
                    continue;
                if (it->u.content.flags & RULE_CONTENT_NEGATED)
                    have_n = true;
                else
                    have_nn = true;
            }
        if (!have_nn && !have_n)
            return;
        bool skip_neg = have_nn;
        int best_prio = 99;
        for (uint32_t l = 0; l < r->nlists; l++)
            for (uint32_t i = 0; i < r->lists[l].nitems; i++) {
                const struct rule_item *it = &r->lists[l].items[i];
                if (it->kind != RULE_ITEM_CONTENT ||
                    (skip_neg && (it->u.content.flags & RULE_CONTENT_NEGATED)))
                    continue;
                int p = rule_buf_fp_priority(r->lists[l].buf);
                if (p < best_prio)
                    best_prio = p;
            }
        uint32_t max_len = 0;
        for (uint32_t l = 0; l < r->nlists; l++) {
            if (rule_buf_fp_priority(r->lists[l].buf) != best_prio)
                continue;
            for (uint32_t i = 0; i < r->lists[l].nitems; i++) {
                const struct rule_item *it = &r->lists[l].items[i];
                if (it->kind != RULE_ITEM_CONTENT ||
                    (skip_neg && (it->u.content.flags & RULE_CONTENT_NEGATED)))
                    continue;
                if (it->u.content.len > max_len)
                    max_len = it->u.content.len;
            }
        }
        uint32_t best_strength = 0;
        for (uint32_t l = 0; l < r->nlists; l++) {
            if (rule_buf_fp_priority(r->lists[l].buf) != best_prio)
                continue;
            for (uint32_t i = 0; i < r->lists[l].nitems; i++) {
                const struct rule_item *it = &r->lists[l].items[i];
                if (it->kind != RULE_ITEM_CONTENT ||
                    (skip_neg && (it->u.content.flags & RULE_CONTENT_NEGATED)) ||
                    it->u.content.len != max_len)
                    continue;
                uint32_t s = pattern_strength(it->u.content.bytes, it->u.content.len);
                if (best_list < 0 || s > best_strength) {
                    best_list = (int)l;
                    best_item = (int)i;
                    best_strength = s;
                }
            }
        }
    }
    if (best_list < 0)
        return;
    const struct rule_content *c = &r->lists[best_list].items[best_item].u.content;
    fp->present = true;
    fp->buf = r->lists[best_list].buf;
    fp->list = (uint32_t)best_list;
    fp->item = (uint32_t)best_item;
    fp->bytes = c->bytes;
    fp->len = c->len;
    if (c->flags & RULE_CONTENT_FP_CHOP) {
        fp->bytes = c->bytes + c->fp_chop_offset;
        fp->len = c->fp_chop_len;
    }
    fp->nocase = (c->flags & RULE_CONTENT_NOCASE) != 0;
    fp->negated = (c->flags & RULE_CONTENT_NEGATED) != 0;
    fp->only = (c->flags & RULE_CONTENT_FP_ONLY) != 0;
    fp->short_pattern = fp->len <= 3;
    if (r->lists[best_list].nxforms)
        rules_xform_fp(&r->lists[best_list], fp);
}

/* For a nocase content: the lower-cased pattern and its KMP failure
 * table, so rule_match searches in linear time whatever the buffer. */
static int prepare_nocase(struct rule_build *b, struct rule_content *c)
{
    uint8_t *f = rules_arena_alloc(b->arena, c->len);
    uint16_t *t = rules_arena_alloc(b->arena, c->len * sizeof(*t));
    if (!f || !t)
        return rules_fail(b, RULE_SKIP_TOO_LARGE, "content", "out of memory");
    for (uint32_t i = 0; i < c->len; i++) {
        uint8_t ch = c->bytes[i];
        f[i] = (ch >= 'A' && ch <= 'Z') ? (uint8_t)(ch + 32) : ch;
    }
    /* t[i]: length of the longest proper border of f[0..i] */
    t[0] = 0;
    uint32_t k = 0;
    for (uint32_t i = 1; i < c->len; i++) {
        while (k > 0 && f[i] != f[k])
            k = t[k - 1];
        if (f[i] == f[k])
            k++;
        t[i] = (uint16_t)k;
    }
    c->folded = f;
    c->kmp = t;
    return NS_OK;
}

/* Groups the items by buffer kind (rule order kept inside each list),
 * links relative items to the content/pcre before them, and checks that
 * the buffers agree with the protocol. */
static int finish_rule(struct rule_build *b)
{
    struct rule *r = &b->r;
    if (rules_check_items(b) != NS_OK)
        return NS_ERR_INVAL;
    memset(b->buf_used, 0, sizeof(b->buf_used));
    for (uint32_t i = 0; i < b->nitems; i++)
        b->buf_used[b->item_buf[i]] = true;
    for (int k = 0; k < RULE_BUF_COUNT; k++)
        if (b->has_bsize[k] || b->nxforms[k])
            b->buf_used[k] = true;
    uint32_t nlists = 0;
    for (int k = 0; k < RULE_BUF_COUNT; k++)
        if (b->buf_used[k])
            nlists++;
    if (b->r.has_urilen) {
        enum rule_buf ub = r->urilen_raw ? RULE_BUF_HTTP_URI_RAW : RULE_BUF_HTTP_URI;
        if (!b->buf_used[ub]) {
            b->buf_used[ub] = true;
            nlists++;
        }
    }
    struct rule_list *lists = NULL;
    if (nlists) {
        lists = rules_arena_alloc(b->arena, nlists * sizeof(*lists));
        if (!lists)
            return rules_fail(b, RULE_SKIP_TOO_LARGE, "", "out of memory");
    }
    /* a header buffer makes a packet rule: it cannot also wait for a
     * transaction's buffers */
    int hdr = -1, txb = -1;
    for (int k = 0; k < RULE_BUF_COUNT; k++) {
        if (!b->buf_used[k])
            continue;
        if (rule_buf_is_header((enum rule_buf)k))
            hdr = k;
        else if (!rule_buf_is_packet((enum rule_buf)k))
            txb = k;
    }
    if (hdr >= 0 && txb >= 0)
        return rules_fail(b, RULE_SKIP_UNSUPPORTED_BUFFER, buf_names[hdr],
                          "%s with the transaction buffer %s", buf_names[hdr], buf_names[txb]);
    r->pkt_hdr = hdr >= 0;
    r->nbytevars = (uint8_t)b->nvars;
    uint32_t li = 0;
    for (int k = 0; k < RULE_BUF_COUNT; k++) {
        if (!b->buf_used[k])
            continue;
        const char *bp = rule_buf_proto((enum rule_buf)k);
        if (bp) {
            if (r->app_proto && strcmp(r->app_proto, bp) != 0)
                return rules_fail(b, RULE_SKIP_BAD_VALUE, buf_names[k],
                                  "buffer %s conflicts with protocol %s", buf_names[k],
                                  r->app_proto);
            if (!(r->l4 & RULE_L4_TCP) && strcmp(bp, "dns") != 0)
                return rules_fail(b, RULE_SKIP_BAD_VALUE, buf_names[k],
                                  "buffer %s conflicts with protocol %s", buf_names[k],
                                  r->proto);
            r->app_proto = bp;
        }
        struct rule_list *L = &lists[li++];
        L->buf = (enum rule_buf)k;
        if (b->nxforms[k]) {
            struct rule_xform *x = rules_arena_alloc(b->arena, b->nxforms[k] * sizeof(*x));
            if (!x)
                return rules_fail(b, RULE_SKIP_TOO_LARGE, "", "out of memory");
            memcpy(x, b->xforms[k], b->nxforms[k] * sizeof(*x));
            L->xforms = x;
            L->nxforms = b->nxforms[k];
        }
        L->has_bsize = b->has_bsize[k];
        L->bsize = b->bsize[k];
        uint32_t cnt = 0;
        for (uint32_t i = 0; i < b->nitems; i++)
            if (b->item_buf[i] == (enum rule_buf)k)
                cnt++;
        if (cnt) {
            struct rule_item *items = rules_arena_alloc(b->arena, cnt * sizeof(*items));
            if (!items)
                return rules_fail(b, RULE_SKIP_TOO_LARGE, "", "out of memory");
            uint32_t j = 0;
            int prev = -1;           /* last content/pcre in this list */
            for (uint32_t i = 0; i < b->nitems; i++) {
                if (b->item_buf[i] != (enum rule_buf)k)
                    continue;
                items[j] = b->items[i];
                struct rule_item *it = &items[j];
                if (it->kind == RULE_ITEM_CONTENT &&
                    (it->u.content.flags & RULE_CONTENT_NOCASE) &&
                    prepare_nocase(b, &it->u.content) != NS_OK)
                    return NS_ERR_INVAL;
                /* Suricata's *_NEXT flags on the content/pcre before a
                 * relative item: a content retries its next occurrence
                 * only for a following within, relative pcre, relative
                 * isdataat or relative byte_* (distance alone cannot gain
                 * from a later start); a pcre for any relative follower. */
                bool retry = false, rel = false;
                if (it->kind == RULE_ITEM_CONTENT) {
                    retry = (it->u.content.flags & RULE_CONTENT_WITHIN) != 0;
                    rel = (it->u.content.flags & (RULE_CONTENT_WITHIN | RULE_CONTENT_DISTANCE)) != 0;
                } else if (it->kind == RULE_ITEM_PCRE) {
                    retry = rel = (it->u.pcre.flags & RULE_PCRE_RELATIVE) != 0;
                } else if (it->kind == RULE_ITEM_ISDATAAT) {
                    retry = rel = it->u.isdataat.relative;
                } else {
                    retry = rel = (it->u.byte.flags & RULE_BYTE_RELATIVE) != 0;
                }
                if (rel && prev >= 0) {
                    if (items[prev].kind == RULE_ITEM_CONTENT) {
                        items[prev].u.content.flags |= RULE_CONTENT_RELATIVE_NEXT;
                        if (retry)
                            items[prev].u.content.flags |= RULE_CONTENT_RETRY_NEXT;
                    } else {
                        items[prev].u.pcre.flags |= RULE_PCRE_RETRY_NEXT;
                    }
                }
                if (it->kind == RULE_ITEM_CONTENT || it->kind == RULE_ITEM_PCRE)
                    prev = (int)j;
                j++;
            }
            L->items = items;
            L->nitems = cnt;
        }
    }
    r->lists = lists;
    r->nlists = nlists;
    if (b->nrefs) {
        const char **refs = rules_arena_alloc(b->arena, b->nrefs * sizeof(*refs));
        if (!refs)
            return rules_fail(b, RULE_SKIP_TOO_LARGE, "", "out of memory");
        memcpy(refs, b->refs, b->nrefs * sizeof(*refs));
        r->refs = refs;
        r->nrefs = b->nrefs;
    }
    if (b->nmeta) {
        const char **meta = rules_arena_alloc(b->arena, b->nmeta * sizeof(*meta));
        if (!meta)
            return rules_fail(b, RULE_SKIP_TOO_LARGE, "", "out of memory");
        memcpy(meta, b->meta, b->nmeta * sizeof(*meta));
        r->meta = meta;
        r->nmeta = b->nmeta;
    }
    if (b->nfb) {
        struct rule_flowbit *fb = rules_arena_alloc(b->arena, b->nfb * sizeof(*fb));
        if (!fb)
            return rules_fail(b, RULE_SKIP_TOO_LARGE, "", "out of memory");
        memcpy(fb, b->fb, b->nfb * sizeof(*fb));
        r->flowbits = fb;
        r->nflowbits = b->nfb;
    }
    if (!r->msg)
        r->msg = "";
    if (!b->has_priority)
        r->priority = 3;
    if (r->classtype) {
        const char *desc = NULL;
        uint32_t prio = 0;
        bool table;
        if (rules_class_lookup(b->rs, r->classtype, &desc, &prio, &table)) {
            r->class_desc = desc;
            if (!b->has_priority)
                r->priority = prio;
        } else if (table) {
            return rules_fail(b, RULE_SKIP_BAD_VALUE, "classtype", "unknown classtype '%s'",
                              r->classtype);
        }
    }
    if (!b->has_gid)
        r->gid = 1;
    choose_fp(r);
    return NS_OK;
}

/* ---- one rule ---- */

static int parse_rule(struct rule_build *b, const char *s, size_t n)
{
    /* header up to the first '(' , options up to the last ')' */
    const char *open = memchr(s, '(', n);
    if (!open)
        return rules_fail(b, RULE_SKIP_SYNTAX, "", "no '(' opening the options");
    size_t e = n;
    while (e > 0 && rules_isspace((unsigned char)s[e - 1]))
        e--;
    if (e == 0 || s[e - 1] != ')' || s + e - 1 <= open)
        return rules_fail(b, RULE_SKIP_SYNTAX, "", "the rule does not end with ')'");
    if (parse_header(b, s, (size_t)(open - s)) != NS_OK)
        return NS_ERR_INVAL;
    const char *os = open + 1;
    if (rules_parse_options(b, os, (size_t)(s + e - 1 - os)) != NS_OK)
        return NS_ERR_INVAL;
    if (!b->has_sid)
        return rules_fail(b, RULE_SKIP_MISSING_SID, "sid", "rule has no sid");
    return finish_rule(b);
}

/* The sid of a rule that failed before its sid option was read: the
 * first "sid:N" option in the text, else 0.  For messages only. */
static uint32_t scan_sid(const char *s, size_t n)
{
    for (size_t i = 0; i + 4 < n; i++) {
        if (memcmp(s + i, "sid", 3) != 0)
            continue;
        if (i > 0 && s[i - 1] != ';' && s[i - 1] != '(' && !rules_isspace((unsigned char)s[i - 1]))
            continue;
        size_t j = i + 3;
        while (j < n && rules_isspace((unsigned char)s[j]))
            j++;
        if (j >= n || s[j] != ':')
            continue;
        j++;
        while (j < n && rules_isspace((unsigned char)s[j]))
            j++;
        uint64_t v = 0;
        size_t st = j;
        while (j < n && s[j] >= '0' && s[j] <= '9' && v <= UINT32_MAX)
            v = v * 10 + (uint64_t)(s[j++] - '0');
        if (j > st && v <= UINT32_MAX)
            return (uint32_t)v;
    }
    return 0;
}

/* Parses one rule's text and adds it, or records why not. */
static void add_rule(struct rule_set *rs, const char *file, uint32_t line, const char *s,
                     size_t n)
{
    struct rule_build *b = rs->b;
    memset(b, 0, offsetof(struct rule_build, items));
    b->rs = rs;
    b->arena = &rs->arena;
    b->nitems = 0;
    b->sticky = RULE_BUF_PAYLOAD;
    b->last_content = -1;
    b->last_pcre_or_content = -1;
    memset(b->buf_used, 0, sizeof(b->buf_used));
    memset(b->has_bsize, 0, sizeof(b->has_bsize));
    memset(b->nxforms, 0, sizeof(b->nxforms));
    b->nvars = 0;
    b->fp_seen = b->has_sid = b->has_rev = b->has_gid = b->has_priority = false;
    b->has_msg = b->has_classtype = false;
    b->nrefs = b->nmeta = b->nfb = 0;
    b->failed = false;
    b->keyword[0] = b->detail[0] = '\0';
    b->r.file = file;
    b->r.line = line;

    struct rules_arena_mark mark;
    rules_arena_get_mark(&rs->arena, &mark);
    uint32_t fb_mark = rs->nfb, pcre_mark = rs->npcre;

    int rc;
    if (n > RULE_MAX_TEXT)
        rc = rules_fail(b, RULE_SKIP_TOO_LARGE, "", "rule longer than %u bytes", RULE_MAX_TEXT);
    else
        rc = parse_rule(b, s, n);
    if (rc == NS_OK) {
        uint64_t key = (uint64_t)b->r.gid << 32 | b->r.sid;
        struct sid_slot *slot = sid_find(rs, key);
        if (slot && slot->key == key) {
            struct rule *old = &rs->rules[slot->idx];
            if (b->r.rev > old->rev) {
                char d[160];
                snprintf(d, sizeof(d), "replaced by rev %u at %s:%u", b->r.rev, file, line);
                note_skip(rs, old->file, old->line, old->sid, RULE_SKIP_DUPLICATE_SID, "",
                          d);
                /* the old rule's arena memory stays until the set goes */
                *old = b->r;
                rs->st.replaced++;
                return;
            }
            rc = rules_fail(b, RULE_SKIP_DUPLICATE_SID, "",
                            "duplicate of %s:%u (rev %u), which is kept", old->file,
                            old->line, old->rev);
        } else if (!grow((void **)&rs->rules, &rs->cap, rs->n + 1, sizeof(*rs->rules)) ||
                   !sid_insert(rs, key, rs->n)) {
            rc = rules_fail(b, RULE_SKIP_TOO_LARGE, "", "out of memory");
        } else {
            rs->rules[rs->n++] = b->r;
            return;
        }
    }
    /* roll back what the failed rule made */
    for (uint32_t i = pcre_mark; i < rs->npcre; i++)
        pcre2_code_free(rs->pcre[i]);
    rs->npcre = pcre_mark;
    rs->nfb = fb_mark;
    rules_arena_reset(&rs->arena, &mark);
    uint32_t sid = b->has_sid ? b->r.sid : n <= RULE_MAX_TEXT ? scan_sid(s, n) : 0;
    note_skip(rs, file, line, sid, b->reason, b->keyword, b->detail);
}

int rule_set_load_text(struct rule_set *rs, const char *name, const char *text, size_t len,
                       char *errbuf)
{
    const char *file = rules_arena_strndup(&rs->misc, name, strlen(name));
    char *acc = malloc(RULE_MAX_TEXT + 1);
    if (!file || !acc) {
        free(acc);
        if (errbuf)
            snprintf(errbuf, NS_ERRBUF_SIZE, "%s: out of memory", name);
        return NS_ERR_NOMEM;
    }
    rs->st.files++;
    size_t alen = 0;
    bool too_long = false, in_comment = false;
    uint32_t lineno = 0, first = 0;
    size_t i = 0;
    while (i < len) {
        size_t st = i;
        while (i < len && text[i] != '\n')
            i++;
        size_t e = i;
        if (i < len)
            i++;
        lineno++;
        rs->st.lines++;
        while (e > st && rules_isspace((unsigned char)text[e - 1]))
            e--;
        bool cont = e > st && text[e - 1] == '\\';
        if (cont)
            e--;
        if (in_comment) {             /* continuation of a comment */
            in_comment = cont;
            continue;
        }
        if (alen == 0 && !too_long) {
            while (st < e && rules_isspace((unsigned char)text[st]))
                st++;
            if (st == e && !cont)
                continue;
            if (st < e && text[st] == '#') {
                in_comment = cont;   /* a disabled rule, with its continuations */
                continue;
            }
            first = lineno;
        }
        if (!too_long) {
            if (alen + (e - st) > RULE_MAX_TEXT) {
                too_long = true;
            } else {
                memcpy(acc + alen, text + st, e - st);
                alen += e - st;
            }
        }
        if (cont && i < len)
            continue;
        if (too_long)
            add_rule(rs, file, first, acc, RULE_MAX_TEXT + 1);
        else if (alen)
            add_rule(rs, file, first, acc, alen);
        alen = 0;
        too_long = false;
    }
    free(acc);
    if (rs->nsum > 1)
        qsort(rs->sum, rs->nsum, sizeof(*rs->sum), sum_cmp);
    return NS_OK;
}

int rule_set_load_file(struct rule_set *rs, const char *path, char *errbuf)
{
    char *text;
    size_t len;
    int rc = read_file(path, &text, &len, errbuf);
    if (rc != NS_OK)
        return rc;
    rc = rule_set_load_text(rs, path, text, len, errbuf);
    free(text);
    return rc;
}
