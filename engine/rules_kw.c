/* engine/rules_kw.c: the options of a rule, "(msg:...; content:...; ...)".
 *
 * Options are split on ';' not escaped by '\' (Suricata does not look at
 * quotes to split; rules escape ';' inside values).  Each keyword either
 * fills the rule being built or fails it with a reason; a keyword outside
 * tier 2 fails it as unsupported, so a rule is never half-run.  The
 * checks Suricata makes at load (a modifier without a content, depth
 * shorter than the content, absolute and relative modifiers mixed, two
 * fast_patterns, a pcre buffer flag against a sticky buffer, ...) are
 * made here too, so what loads is what Suricata would load. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "engine/rules_int.h"

/* ---- small parsers ---- */

void rules_trim(const char **s, size_t *n)
{
    while (*n && rules_isspace((unsigned char)**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n && rules_isspace((unsigned char)(*s)[*n - 1]))
        (*n)--;
}

bool rules_next_item(const char *v, size_t n, char sep, size_t *i, const char **item,
                     size_t *len)
{
    if (*i > n)
        return false;
    size_t st = *i;
    while (*i < n && v[*i] != sep)
        (*i)++;
    *item = v + st;
    *len = *i - st;
    rules_trim(item, len);
    (*i)++;
    return true;
}

bool rules_parse_u64(const char *s, size_t n, uint64_t max, uint64_t *out)
{
    rules_trim(&s, &n);
    if (n == 0)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        uint64_t d = (uint64_t)(s[i] - '0');
        if (v > (max - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

bool rules_parse_i32(const char *s, size_t n, int32_t *out)
{
    rules_trim(&s, &n);
    bool neg = false;
    if (n && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        s++;
        n--;
    }
    uint64_t v;
    if (!rules_parse_u64(s, n, neg ? 2147483648u : 2147483647u, &v))
        return false;
    *out = neg ? (int32_t)(-(int64_t)v) : (int32_t)v;
    return true;
}

/* "N", "=N", "!N", "<N", "<=N", ">N", ">=N", "N<>M", "N-M" */
static bool parse_cmp(const char *s, size_t n, uint64_t max, struct rule_cmp *c)
{
    rules_trim(&s, &n);
    memset(c, 0, sizeof(*c));
    if (n == 0)
        return false;
    const char *mid = NULL;
    size_t midlen = 0;
    for (size_t i = 1; i + 1 < n; i++) {
        if (s[i] == '<' && s[i + 1] == '>') {
            mid = s + i;
            midlen = 2;
            break;
        }
        if (s[i] == '-' && s[0] >= '0' && s[0] <= '9') {
            mid = s + i;
            midlen = 1;
            break;
        }
    }
    if (mid) {
        uint64_t a, b;
        if (!rules_parse_u64(s, (size_t)(mid - s), max, &a) ||
            !rules_parse_u64(mid + midlen, n - (size_t)(mid - s) - midlen, max, &b) || a >= b)
            return false;
        c->op = RULE_CMP_RANGE;
        c->a = a;
        c->b = b;
        return true;
    }
    size_t skip = 0;
    c->op = RULE_CMP_EQ;
    if (n >= 2 && s[0] == '<' && s[1] == '=') {
        c->op = RULE_CMP_LE;
        skip = 2;
    } else if (n >= 2 && s[0] == '>' && s[1] == '=') {
        c->op = RULE_CMP_GE;
        skip = 2;
    } else if (s[0] == '<') {
        c->op = RULE_CMP_LT;
        skip = 1;
    } else if (s[0] == '>') {
        c->op = RULE_CMP_GT;
        skip = 1;
    } else if (s[0] == '!') {
        c->op = RULE_CMP_NE;
        skip = 1;
    } else if (s[0] == '=') {
        skip = 1;
    }
    if (!rules_parse_u64(s + skip, n - skip, max, &c->a))
        return false;
    if (c->op == RULE_CMP_LT && c->a == 0)
        return false;            /* can never hold */
    return true;
}

/* largest value the comparison allows (for bsize vs content length) */
static uint64_t cmp_max(const struct rule_cmp *c)
{
    switch (c->op) {
    case RULE_CMP_EQ: return c->a;
    case RULE_CMP_LT: return c->a - 1;
    case RULE_CMP_LE: return c->a;
    case RULE_CMP_RANGE: return c->b - 1;
    default: return UINT64_MAX;
    }
}

/* A quoted value: strips the quotes (required when quoted is set, else
 * optional) and undoes '\' escapes into out (NUL-terminated). */
static bool unquote(const char *s, size_t n, bool quoted, char *out, size_t cap, size_t *olen)
{
    rules_trim(&s, &n);
    if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
        s++;
        n -= 2;
    } else if (quoted || (n && (s[0] == '"' || s[n - 1] == '"'))) {
        return false;
    }
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '\\') {
            if (++i >= n)
                return false;
            c = s[i];
        } else if (c == '"') {
            return false;        /* unescaped quote inside */
        }
        if (o + 1 >= cap)
            return false;
        out[o++] = c;
    }
    out[o] = '\0';
    *olen = o;
    return true;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)(c | 0x20);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* ---- keyword handlers ---- */

struct kw {
    const char *name;
    int (*fn)(struct rule_build *b, const struct kw *k, const char *v, size_t n, bool hasv);
    int arg;                     /* buffer for sticky/modifier keywords */
};

static int need_value(struct rule_build *b, const struct kw *k, bool hasv, size_t n)
{
    if (!hasv || n == 0)
        return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "%s needs a value", k->name);
    return NS_OK;
}

static int no_value(struct rule_build *b, const struct kw *k, const char *v, size_t n)
{
    rules_trim(&v, &n);
    if (n)
        return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "%s takes no value", k->name);
    return NS_OK;
}

static int kw_msg(struct rule_build *b, const struct kw *k, const char *v, size_t n, bool hasv)
{
    if (need_value(b, k, hasv, n) != NS_OK)
        return NS_ERR_INVAL;
    char *out = rules_arena_alloc(b->arena, n + 1);
    size_t olen;
    if (!out)
        return rules_fail(b, RULE_SKIP_TOO_LARGE, k->name, "out of memory");
    if (!unquote(v, n, false, out, n + 1, &olen))
        return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "bad quoting in msg");
    b->r.msg = out;
    b->has_msg = true;
    return NS_OK;
}

static int kw_u32(struct rule_build *b, const struct kw *k, const char *v, size_t n, bool hasv)
{
    uint64_t x;
    if (need_value(b, k, hasv, n) != NS_OK)
        return NS_ERR_INVAL;
    if (!rules_parse_u64(v, n, UINT32_MAX, &x))
        return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "bad number '%.*s'",
                          (int)(n > 32 ? 32 : n), v);
    switch (k->arg) {
    case 0:
        if (x == 0)
            return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "sid 0");
        b->r.sid = (uint32_t)x;
        b->has_sid = true;
        break;
    case 1:
        b->r.rev = (uint32_t)x;
        b->has_rev = true;
        break;
    case 2:
        b->r.gid = (uint32_t)x;
        b->has_gid = true;
        break;
    default:
        if (x == 0 || x > 255)
            return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "priority %llu out of 1..255",
                              (unsigned long long)x);
        b->r.priority = (uint32_t)x;
        b->has_priority = true;
        break;
    }
    return NS_OK;
}

static int kw_classtype(struct rule_build *b, const struct kw *k, const char *v, size_t n,
                        bool hasv)
{
    rules_trim(&v, &n);
    if (need_value(b, k, hasv, n) != NS_OK)
        return NS_ERR_INVAL;
    if (b->has_classtype)
        return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "two classtypes");
    for (size_t i = 0; i < n; i++) {
        char c = v[i];
        if (!(c == '-' || c == '_' || (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')))
            return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "bad classtype '%.*s'",
                              (int)(n > 64 ? 64 : n), v);
    }
    b->r.classtype = rules_arena_strndup(b->arena, v, n);
    if (!b->r.classtype)
        return rules_fail(b, RULE_SKIP_TOO_LARGE, k->name, "out of memory");
    b->has_classtype = true;
    return NS_OK;
}

static int kw_reference(struct rule_build *b, const struct kw *k, const char *v, size_t n,
                        bool hasv)
{
    rules_trim(&v, &n);
    if (need_value(b, k, hasv, n) != NS_OK)
        return NS_ERR_INVAL;
    if (!memchr(v, ',', n))
        return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "reference needs 'type,value'");
    if (b->nrefs >= RULES_MAX_REFS)
        return rules_fail(b, RULE_SKIP_TOO_LARGE, k->name, "more than %u references",
                          RULES_MAX_REFS);
    const char *s = rules_arena_strndup(b->arena, v, n);
    if (!s)
        return rules_fail(b, RULE_SKIP_TOO_LARGE, k->name, "out of memory");
    b->refs[b->nrefs++] = s;
    return NS_OK;
}

static int kw_metadata(struct rule_build *b, const struct kw *k, const char *v, size_t n,
                       bool hasv)
{
    if (need_value(b, k, hasv, n) != NS_OK)
        return NS_ERR_INVAL;
    size_t i = 0;
    while (i <= n) {
        size_t st = i;
        while (i < n && v[i] != ',')
            i++;
        const char *item = v + st;
        size_t il = i - st;
        rules_trim(&item, &il);
        if (il) {
            if (b->nmeta >= RULES_MAX_META)
                return rules_fail(b, RULE_SKIP_TOO_LARGE, k->name, "more than %u metadata items",
                                  RULES_MAX_META);
            const char *s = rules_arena_strndup(b->arena, item, il);
            if (!s)
                return rules_fail(b, RULE_SKIP_TOO_LARGE, k->name, "out of memory");
            b->meta[b->nmeta++] = s;
        }
        i++;
    }
    return NS_OK;
}

static int kw_target(struct rule_build *b, const struct kw *k, const char *v, size_t n,
                     bool hasv)
{
    rules_trim(&v, &n);
    if (need_value(b, k, hasv, n) != NS_OK)
        return NS_ERR_INVAL;
    if (n == 6 && memcmp(v, "src_ip", 6) == 0)
        b->r.target = 1;
    else if (n == 7 && memcmp(v, "dest_ip", 7) == 0)
        b->r.target = 2;
    else
        return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "target must be src_ip or dest_ip");
    return NS_OK;
}

/* ---- content and its modifiers ---- */

/* The next item slot, zeroed; NULL (rule failed) when the rule is full. */
struct rule_item *rules_add_item(struct rule_build *b, const char *kwname, enum rule_buf buf)
{
    if (b->nitems >= RULE_MAX_ITEMS) {
        rules_fail(b, RULE_SKIP_TOO_LARGE, kwname, "more than %u content/pcre/isdataat/byte_*",
                   RULE_MAX_ITEMS);
        return NULL;
    }
    struct rule_item *it = &b->items[b->nitems];
    memset(it, 0, sizeof(*it));
    b->item_buf[b->nitems] = buf;
    b->nitems++;
    b->sticky_fresh = false;
    return it;
}

static int kw_content(struct rule_build *b, const struct kw *k, const char *v, size_t n,
                      bool hasv)
{
    rules_trim(&v, &n);
    if (need_value(b, k, hasv, n) != NS_OK)
        return NS_ERR_INVAL;
    bool neg = false;
    if (v[0] == '!') {
        neg = true;
        v++;
        n--;
        rules_trim(&v, &n);
    }
    if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
        v++;
        n -= 2;
    } else if (n && (v[0] == '"' || v[n - 1] == '"')) {
        return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "unbalanced quotes");
    }
    uint8_t *out = rules_arena_alloc(b->arena, n + 1);
    if (!out)
        return rules_fail(b, RULE_SKIP_TOO_LARGE, k->name, "out of memory");
    size_t o = 0;
    bool hex = false;
    int hi = -1;
    for (size_t i = 0; i < n; i++) {
        char c = v[i];
        if (c == '|') {
            if (hex && hi >= 0)
                return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "odd number of hex digits");
            hex = !hex;
            continue;
        }
        if (hex) {
            if (rules_isspace((unsigned char)c))
                continue;
            int d = hexval(c);
            if (d < 0)
                return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "bad hex digit '%c'", c);
            if (hi < 0) {
                hi = d;
            } else {
                out[o++] = (uint8_t)(hi << 4 | d);
                hi = -1;
            }
            continue;
        }
        if (c == '\\') {
            if (++i >= n)
                return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "trailing '\\'");
            c = v[i];
        } else if (c == '"') {
            return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "unescaped '\"'");
        }
        out[o++] = (uint8_t)c;
    }
    if (hex)
        return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "unterminated |hex|");
    if (o == 0)
        return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "empty content");
    if (o > RULE_MAX_CONTENT)
        return rules_fail(b, RULE_SKIP_TOO_LARGE, k->name, "content longer than %u",
                          RULE_MAX_CONTENT);
    struct rule_item *it = rules_add_item(b, k->name, b->sticky);
    if (!it)
        return NS_ERR_INVAL;
    it->kind = RULE_ITEM_CONTENT;
    it->u.content.bytes = out;
    it->u.content.len = (uint32_t)o;
    if (neg)
        it->u.content.flags |= RULE_CONTENT_NEGATED;
    b->last_content = (int)(b->nitems - 1);
    b->last_pcre_or_content = b->last_content;
    return NS_OK;
}

static struct rule_content *last_content(struct rule_build *b, const struct kw *k)
{
    if (b->last_content < 0) {
        rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "%s without a preceding content", k->name);
        return NULL;
    }
    return &b->items[b->last_content].u.content;
}

#define C_ABS (RULE_CONTENT_OFFSET | RULE_CONTENT_DEPTH)
#define C_REL (RULE_CONTENT_DISTANCE | RULE_CONTENT_WITHIN)

static int kw_nocase(struct rule_build *b, const struct kw *k, const char *v, size_t n,
                     bool hasv)
{
    (void)hasv;
    struct rule_content *c = last_content(b, k);
    if (!c || no_value(b, k, v, n) != NS_OK)
        return NS_ERR_INVAL;
    if (c->flags & RULE_CONTENT_NOCASE)
        return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "nocase twice on one content");
    c->flags |= RULE_CONTENT_NOCASE;
    return NS_OK;
}

static int kw_rawbytes(struct rule_build *b, const struct kw *k, const char *v, size_t n,
                       bool hasv)
{
    (void)hasv;
    if (!last_content(b, k) || no_value(b, k, v, n) != NS_OK)
        return NS_ERR_INVAL;
    return NS_OK;                /* no effect: we inspect what is there */
}

/* depth, offset, distance, within: arg 0..3.  The value may be a
 * byte_extract/byte_math variable: the field keeps its slot, and the
 * checks against the content's length wait for the value (Suricata). */
static int kw_position(struct rule_build *b, const struct kw *k, const char *v, size_t n,
                       bool hasv)
{
    static const uint32_t var_flag[4] = {
        RULE_CONTENT_DEPTH_VAR, RULE_CONTENT_OFFSET_VAR, RULE_CONTENT_DISTANCE_VAR,
        RULE_CONTENT_WITHIN_VAR,
    };
    struct rule_content *c = last_content(b, k);
    if (!c || need_value(b, k, hasv, n) != NS_OK)
        return NS_ERR_INVAL;
    if (c->flags & RULE_CONTENT_STARTSWITH)
        return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "%s with startswith", k->name);
    if (c->flags & RULE_CONTENT_FP_ONLY)
        return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "%s on a fast_pattern:only content",
                          k->name);
    int32_t x = 0;
    int slot = rules_var_ref(b, k->name, v, n);
    if (slot == -2)
        return NS_ERR_INVAL;
    bool var = slot >= 0;
    if (var)
        x = slot;
    else if (!rules_parse_i32(v, n, &x))
        return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "bad number '%.*s'",
                          (int)(n > 32 ? 32 : n), v);
    switch (k->arg) {
    case 0:                                                   /* depth */
        if (c->flags & RULE_CONTENT_DEPTH)
            return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "two depths on one content");
        if (c->flags & C_REL)
            return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "depth mixed with distance/within");
        if (!var && (x < 0 || (uint32_t)x < c->len))
            return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "depth %d shorter than content (%u)",
                              x, c->len);
        c->depth = (uint32_t)x;
        if (!var && !(c->flags & RULE_CONTENT_OFFSET_VAR) && (c->flags & RULE_CONTENT_OFFSET))
            c->depth += c->offset;
        c->flags |= RULE_CONTENT_DEPTH;
        break;
    case 1:                                                   /* offset */
        if (c->flags & RULE_CONTENT_OFFSET)
            return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "two offsets on one content");
        if (c->flags & C_REL)
            return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "offset mixed with distance/within");
        if (x < 0)
            return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "negative offset");
        c->offset = (uint32_t)x;
        if (!var && (c->flags & RULE_CONTENT_DEPTH) && !(c->flags & RULE_CONTENT_DEPTH_VAR))
            c->depth += (uint32_t)x;
        c->flags |= RULE_CONTENT_OFFSET;
        break;
    case 2:                                                   /* distance */
        if (c->flags & RULE_CONTENT_DISTANCE)
            return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "two distances on one content");
        if (c->flags & C_ABS)
            return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "distance mixed with offset/depth");
        c->distance = x;
        c->flags |= RULE_CONTENT_DISTANCE;
        break;
    default:                                                  /* within */
        if (c->flags & RULE_CONTENT_WITHIN)
            return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "two withins on one content");
        if (c->flags & C_ABS)
            return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "within mixed with offset/depth");
        if (!var && (x < 0 || (uint32_t)x < c->len))
            return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name,
                              "within %d shorter than content (%u)", x, c->len);
        c->within = x;
        c->flags |= RULE_CONTENT_WITHIN;
        break;
    }
    if (var)
        c->flags |= var_flag[k->arg];
    if ((c->flags & RULE_CONTENT_NEGATED) && (c->flags & RULE_CONTENT_FAST_PATTERN))
        return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name,
                          "fast_pattern on a negated content with %s", k->name);
    return NS_OK;
}

static int kw_startswith(struct rule_build *b, const struct kw *k, const char *v, size_t n,
                         bool hasv)
{
    (void)hasv;
    struct rule_content *c = last_content(b, k);
    if (!c || no_value(b, k, v, n) != NS_OK)
        return NS_ERR_INVAL;
    if (c->flags & (C_ABS | C_REL | RULE_CONTENT_STARTSWITH))
        return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name,
                          "startswith with depth/offset/distance/within");
    c->flags |= RULE_CONTENT_STARTSWITH | RULE_CONTENT_DEPTH;
    c->depth = c->len;
    c->offset = 0;
    return NS_OK;
}

static int kw_endswith(struct rule_build *b, const struct kw *k, const char *v, size_t n,
                       bool hasv)
{
    (void)hasv;
    struct rule_content *c = last_content(b, k);
    if (!c || no_value(b, k, v, n) != NS_OK)
        return NS_ERR_INVAL;
    if (c->flags & RULE_CONTENT_ENDSWITH)
        return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "endswith twice");
    c->flags |= RULE_CONTENT_ENDSWITH;
    return NS_OK;
}

static int kw_fast_pattern(struct rule_build *b, const struct kw *k, const char *v, size_t n,
                           bool hasv)
{
    (void)hasv;
    struct rule_content *c = last_content(b, k);
    if (!c)
        return NS_ERR_INVAL;
    if (b->fp_seen)
        return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "fast_pattern on two contents");
    if ((c->flags & RULE_CONTENT_NEGATED) && (c->flags & (C_ABS | C_REL)))
        return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name,
                          "fast_pattern on a negated content with position modifiers");
    rules_trim(&v, &n);
    if (n == 4 && memcmp(v, "only", 4) == 0) {
        if (c->flags & (RULE_CONTENT_NEGATED | C_ABS | C_REL))
            return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name,
                              "fast_pattern:only with negation or position modifiers");
        c->flags |= RULE_CONTENT_FP_ONLY;
    } else if (n) {
        const char *comma = memchr(v, ',', n);
        uint64_t off, len;
        if (!comma || !rules_parse_u64(v, (size_t)(comma - v), 65535, &off) ||
            !rules_parse_u64(comma + 1, n - (size_t)(comma - v) - 1, 65535, &len) || len == 0 ||
            off + len > c->len)
            return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "bad fast_pattern '%.*s'",
                              (int)(n > 32 ? 32 : n), v);
        c->fp_chop_offset = (uint16_t)off;
        c->fp_chop_len = (uint16_t)len;
        c->flags |= RULE_CONTENT_FP_CHOP;
    }
    c->flags |= RULE_CONTENT_FAST_PATTERN;
    b->fp_seen = true;
    return NS_OK;
}

/* ---- buffers ---- */

static int kw_sticky(struct rule_build *b, const struct kw *k, const char *v, size_t n,
                     bool hasv)
{
    (void)hasv;
    if (no_value(b, k, v, n) != NS_OK)
        return NS_ERR_INVAL;
    enum rule_buf buf = (enum rule_buf)k->arg;
    /* Suricata makes the buffer named again a new one, without the
     * transforms: one list per buffer kind cannot hold both */
    if (b->nxforms[buf])
        return rules_fail(b, RULE_SKIP_UNSUPPORTED_BUFFER, k->name,
                          "%s named again after transforms", k->name);
    static const struct { enum rule_buf buf; uint8_t l4; } hdr_l4[] = {
        { RULE_BUF_TCP_HDR, RULE_L4_TCP }, { RULE_BUF_UDP_HDR, RULE_L4_UDP },
        { RULE_BUF_ICMPV4_HDR, RULE_L4_ICMP }, { RULE_BUF_ICMPV6_HDR, RULE_L4_ICMP },
    };
    for (size_t i = 0; i < NS_ARRAY_LEN(hdr_l4); i++)
        if (hdr_l4[i].buf == buf && !(b->r.l4 & hdr_l4[i].l4))
            return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "%s on a %s rule", k->name,
                              b->r.proto);
    b->sticky = buf;
    b->sticky_fresh = true;
    return NS_OK;
}

/* http_uri and friends: move the last content into that buffer */
static int kw_modifier(struct rule_build *b, const struct kw *k, const char *v, size_t n,
                       bool hasv)
{
    (void)hasv;
    if (!last_content(b, k) || no_value(b, k, v, n) != NS_OK)
        return NS_ERR_INVAL;
    enum rule_buf cur = b->item_buf[b->last_content];
    if (cur != RULE_BUF_PAYLOAD && cur != (enum rule_buf)k->arg)
        return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "%s on a content already in %s",
                          k->name, rule_buf_name(cur));
    b->item_buf[b->last_content] = (enum rule_buf)k->arg;
    return NS_OK;
}

static int kw_byte(struct rule_build *b, const struct kw *k, const char *v, size_t n,
                   bool hasv)
{
    return rules_byte_keyword(b, (enum rule_item_kind)k->arg, k->name, v, n, hasv);
}

static int kw_xform(struct rule_build *b, const struct kw *k, const char *v, size_t n,
                    bool hasv)
{
    return rules_xform_keyword(b, (enum rule_xform_kind)k->arg, k->name, v, n, hasv);
}

/* ---- pcre ---- */

static int kw_pcre(struct rule_build *b, const struct kw *k, const char *v, size_t n,
                   bool hasv)
{
    rules_trim(&v, &n);
    if (need_value(b, k, hasv, n) != NS_OK)
        return NS_ERR_INVAL;
    const char *src = v;
    size_t srclen = n;
    bool neg = false;
    if (v[0] == '!') {
        neg = true;
        v++;
        n--;
        rules_trim(&v, &n);
    }
    if (n < 2 || v[0] != '"' || v[n - 1] != '"')
        return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "pcre must be quoted");
    v++;
    n -= 2;
    if (n < 2 || v[0] != '/')
        return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "pcre must be /regex/flags");
    size_t close = n;
    while (close > 1 && v[close - 1] != '/')
        close--;
    if (close <= 1)
        return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "pcre without closing '/'");
    const char *re = v + 1;
    size_t relen = close - 2;
    const char *fl = v + close;
    size_t fln = n - close;

    uint32_t opts = 0, flags = neg ? RULE_PCRE_NEGATED : 0;
    int buf = -1;
    bool caseless = false;
    for (size_t i = 0; i < fln; i++) {
        int nb = -1;
        switch (fl[i]) {
        case 'i': opts |= PCRE2_CASELESS; caseless = true; break;
        case 's': opts |= PCRE2_DOTALL; break;
        case 'm': opts |= PCRE2_MULTILINE; break;
        case 'x': opts |= PCRE2_EXTENDED; break;
        case 'A': opts |= PCRE2_ANCHORED; break;
        case 'E': opts |= PCRE2_DOLLAR_ENDONLY; break;
        case 'G': opts |= PCRE2_UNGREEDY; break;
        case 'R': flags |= RULE_PCRE_RELATIVE; break;
        case 'O': break;                        /* match limit override */
        case 'B': break;                        /* rawbytes */
        case 'U': nb = RULE_BUF_HTTP_URI; break;
        case 'I': nb = RULE_BUF_HTTP_URI_RAW; break;
        case 'P': nb = RULE_BUF_HTTP_REQUEST_BODY; break;
        case 'Q': nb = RULE_BUF_HTTP_RESPONSE_BODY; break;
        case 'H': nb = RULE_BUF_HTTP_HEADER; break;
        case 'D': nb = RULE_BUF_HTTP_HEADER_RAW; break;
        case 'M': nb = RULE_BUF_HTTP_METHOD; break;
        case 'C': nb = RULE_BUF_HTTP_COOKIE; break;
        case 'S': nb = RULE_BUF_HTTP_STAT_CODE; break;
        case 'Y': nb = RULE_BUF_HTTP_STAT_MSG; break;
        case 'V': nb = RULE_BUF_HTTP_USER_AGENT; break;
        case 'W': nb = RULE_BUF_HTTP_HOST; break;
        case 'Z': nb = RULE_BUF_HTTP_HOST_RAW; break;
        default:
            if (rules_isspace((unsigned char)fl[i]))
                break;
            return rules_fail(b, RULE_SKIP_UNSUPPORTED_BUFFER, k->name,
                              "unknown pcre modifier '%c'", fl[i]);
        }
        if (nb >= 0) {
            if (buf >= 0 && buf != nb)
                return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name,
                                  "two buffer modifiers on one pcre");
            buf = nb;
        }
    }
    enum rule_buf target = b->sticky;
    if (buf >= 0) {
        if (b->sticky != RULE_BUF_PAYLOAD && b->sticky != (enum rule_buf)buf)
            return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name,
                              "pcre buffer modifier against sticky buffer %s",
                              rule_buf_name(b->sticky));
        target = (enum rule_buf)buf;
    }
    if (target == RULE_BUF_HTTP_HOST && !caseless) {
        for (size_t i = 0; i < relen; i++) {
            if (re[i] == '\\') {
                i++;
                continue;
            }
            if (re[i] >= 'A' && re[i] <= 'Z')
                return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name,
                                  "uppercase in a pcre on the (lower-cased) http.host");
        }
    }
    int err = 0;
    PCRE2_SIZE eoff = 0;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)re, relen, opts, &err, &eoff, NULL);
    if (!code) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(err, msg, sizeof(msg));
        return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "pcre does not compile at %zu: %s",
                          (size_t)eoff, (const char *)msg);
    }
    uint32_t pcre_id = 0;
    if (rules_pcre_keep(b, code, &pcre_id) != NS_OK)
        return NS_ERR_INVAL;
    (void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);  /* interpreter otherwise */
    struct rule_item *it = rules_add_item(b, k->name, target);
    if (!it)
        return NS_ERR_INVAL;
    it->kind = RULE_ITEM_PCRE;
    it->u.pcre.source = rules_arena_strndup(b->arena, src, srclen);
    it->u.pcre.regex = rules_arena_strndup(b->arena, re, relen);
    it->u.pcre.id = pcre_id;
    if (!it->u.pcre.source || !it->u.pcre.regex)
        return rules_fail(b, RULE_SKIP_TOO_LARGE, k->name, "out of memory");
    it->u.pcre.options = opts;
    it->u.pcre.flags = flags;
    it->u.pcre.code = code;
    b->last_pcre_or_content = (int)(b->nitems - 1);
    return NS_OK;
}

/* ---- sizes and positions ---- */

enum rule_buf rules_item_list(const struct rule_build *b, bool relative)
{
    if (relative && b->last_pcre_or_content >= 0 && !b->sticky_fresh)
        return b->item_buf[b->last_pcre_or_content];
    return b->sticky;
}

static int kw_isdataat(struct rule_build *b, const struct kw *k, const char *v, size_t n,
                       bool hasv)
{
    rules_trim(&v, &n);
    if (need_value(b, k, hasv, n) != NS_OK)
        return NS_ERR_INVAL;
    struct rule_isdataat d = {0};
    if (v[0] == '!') {
        d.negated = true;
        v++;
        n--;
    }
    const char *comma = memchr(v, ',', n);
    size_t numlen = comma ? (size_t)(comma - v) : n;
    uint64_t x;
    int slot = rules_var_ref(b, k->name, v, numlen);
    if (slot == -2)
        return NS_ERR_INVAL;
    if (slot >= 0) {
        d.var = true;
        x = (uint64_t)slot;
    } else if (!rules_parse_u64(v, numlen, 65535, &x)) {
        return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "bad isdataat '%.*s'",
                          (int)(n > 32 ? 32 : n), v);
    }
    d.n = (uint32_t)x;
    while (comma) {
        const char *o = comma + 1;
        size_t rest = n - (size_t)(o - v);
        comma = memchr(o, ',', rest);
        size_t ol = comma ? (size_t)(comma - o) : rest;
        rules_trim(&o, &ol);
        if (ol == 8 && memcmp(o, "relative", 8) == 0)
            d.relative = true;
        else if (!(ol == 8 && memcmp(o, "rawbytes", 8) == 0))
            return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "bad isdataat option '%.*s'",
                              (int)(ol > 32 ? 32 : ol), o);
    }
    /* a relative isdataat belongs to the list of the match it follows */
    struct rule_item *it = rules_add_item(b, k->name, rules_item_list(b, d.relative));
    if (!it)
        return NS_ERR_INVAL;
    it->kind = RULE_ITEM_ISDATAAT;
    it->u.isdataat = d;
    return NS_OK;
}

static int kw_bsize(struct rule_build *b, const struct kw *k, const char *v, size_t n,
                    bool hasv)
{
    if (need_value(b, k, hasv, n) != NS_OK)
        return NS_ERR_INVAL;
    if (b->sticky == RULE_BUF_PAYLOAD)
        return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "bsize needs a sticky buffer");
    if (b->has_bsize[b->sticky])
        return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "two bsize on %s",
                          rule_buf_name(b->sticky));
    if (!parse_cmp(v, n, UINT32_MAX, &b->bsize[b->sticky]))
        return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "bad bsize '%.*s'",
                          (int)(n > 32 ? 32 : n), v);
    b->has_bsize[b->sticky] = true;
    b->sticky_fresh = false;
    return NS_OK;
}

static int kw_dsize(struct rule_build *b, const struct kw *k, const char *v, size_t n,
                    bool hasv)
{
    if (need_value(b, k, hasv, n) != NS_OK)
        return NS_ERR_INVAL;
    if (b->r.has_dsize)
        return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "two dsize");
    if (!parse_cmp(v, n, 65535, &b->r.dsize))
        return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "bad dsize '%.*s'",
                          (int)(n > 32 ? 32 : n), v);
    b->r.has_dsize = true;
    return NS_OK;
}

static int kw_urilen(struct rule_build *b, const struct kw *k, const char *v, size_t n,
                     bool hasv)
{
    rules_trim(&v, &n);
    if (need_value(b, k, hasv, n) != NS_OK)
        return NS_ERR_INVAL;
    if (b->r.has_urilen)
        return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "two urilen");
    const char *comma = memchr(v, ',', n);
    size_t cl = comma ? (size_t)(comma - v) : n;
    if (comma) {
        const char *o = comma + 1;
        size_t ol = n - cl - 1;
        rules_trim(&o, &ol);
        if (ol == 3 && memcmp(o, "raw", 3) == 0)
            b->r.urilen_raw = true;
        else if (!(ol == 4 && memcmp(o, "norm", 4) == 0))
            return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "bad urilen option '%.*s'",
                              (int)(ol > 32 ? 32 : ol), o);
    }
    if (!parse_cmp(v, cl, 65535, &b->r.urilen))
        return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "bad urilen '%.*s'",
                          (int)(n > 32 ? 32 : n), v);
    b->r.has_urilen = true;
    return NS_OK;
}

/* ---- flow, flowbits, threshold, noalert ---- */

static int kw_flow(struct rule_build *b, const struct kw *k, const char *v, size_t n,
                   bool hasv)
{
    if (need_value(b, k, hasv, n) != NS_OK)
        return NS_ERR_INVAL;
    static const struct { const char *name; uint32_t f; } opts[] = {
        { "to_server", RULE_FLOW_TO_SERVER }, { "from_client", RULE_FLOW_TO_SERVER },
        { "to_client", RULE_FLOW_TO_CLIENT }, { "from_server", RULE_FLOW_TO_CLIENT },
        { "established", RULE_FLOW_ESTABLISHED },
        { "not_established", RULE_FLOW_NOT_ESTABLISHED },
        { "stateless", RULE_FLOW_STATELESS }, { "only_stream", RULE_FLOW_ONLY_STREAM },
        { "no_stream", RULE_FLOW_NO_STREAM },
    };
    if (b->r.flow)
        return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "two flow keywords");
    uint32_t f = 0;
    size_t i = 0;
    const char *o;
    size_t ol;
    while (rules_next_item(v, n, ',', &i, &o, &ol)) {
        size_t j;
        for (j = 0; j < NS_ARRAY_LEN(opts); j++)
            if (strlen(opts[j].name) == ol && memcmp(opts[j].name, o, ol) == 0)
                break;
        if (j == NS_ARRAY_LEN(opts))
            return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "bad flow option '%.*s'",
                              (int)(ol > 32 ? 32 : ol), o);
        if (f & opts[j].f)
            return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "flow option '%s' twice",
                              opts[j].name);
        f |= opts[j].f;
    }
    if ((f & RULE_FLOW_TO_SERVER) && (f & RULE_FLOW_TO_CLIENT))
        return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "flow to both directions");
    if ((f & RULE_FLOW_ESTABLISHED) && (f & (RULE_FLOW_NOT_ESTABLISHED | RULE_FLOW_STATELESS)))
        return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "conflicting flow states");
    if ((f & RULE_FLOW_ONLY_STREAM) && (f & RULE_FLOW_NO_STREAM))
        return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "only_stream with no_stream");
    b->r.flow = f;
    return NS_OK;
}

static int kw_flowbits(struct rule_build *b, const struct kw *k, const char *v, size_t n,
                       bool hasv)
{
    rules_trim(&v, &n);
    if (need_value(b, k, hasv, n) != NS_OK)
        return NS_ERR_INVAL;
    const char *comma = memchr(v, ',', n);
    const char *cmd = v;
    size_t cl = comma ? (size_t)(comma - v) : n;
    rules_trim(&cmd, &cl);
    static const struct { const char *name; enum rule_flowbit_cmd c; } cmds[] = {
        { "set", RULE_FB_SET }, { "unset", RULE_FB_UNSET }, { "toggle", RULE_FB_TOGGLE },
        { "isset", RULE_FB_ISSET }, { "isnotset", RULE_FB_ISNOTSET },
    };
    if (cl == 7 && memcmp(cmd, "noalert", 7) == 0) {
        if (comma)
            return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "flowbits:noalert takes no name");
        b->r.noalert = true;
        return NS_OK;
    }
    size_t j;
    for (j = 0; j < NS_ARRAY_LEN(cmds); j++)
        if (strlen(cmds[j].name) == cl && memcmp(cmds[j].name, cmd, cl) == 0)
            break;
    if (j == NS_ARRAY_LEN(cmds))
        return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "bad flowbits command '%.*s'",
                          (int)(cl > 32 ? 32 : cl), cmd);
    if (!comma)
        return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "flowbits:%s needs a name",
                          cmds[j].name);
    if (b->nfb >= RULES_MAX_FB_OPS)
        return rules_fail(b, RULE_SKIP_TOO_LARGE, k->name, "more than %u flowbits",
                          RULES_MAX_FB_OPS);
    const char *names = comma + 1;
    size_t nl = (size_t)(v + n - names);
    rules_trim(&names, &nl);
    bool has_or = memchr(names, '|', nl) != NULL, has_and = memchr(names, '&', nl) != NULL;
    if (has_or && has_and)
        return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "flowbits mixes '|' and '&'");
    if (has_or && cmds[j].c != RULE_FB_ISSET && cmds[j].c != RULE_FB_ISNOTSET)
        return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "'|' only with isset/isnotset");
    uint16_t ids[RULES_MAX_FB_NAMES];
    uint32_t nids = 0;
    char sep = has_or ? '|' : '&';
    size_t i = 0;
    while (i <= nl) {
        size_t st = i;
        while (i < nl && names[i] != sep)
            i++;
        const char *nm = names + st;
        size_t len = i - st;
        rules_trim(&nm, &len);
        if (len == 0 || len > 255)
            return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "bad flowbit name");
        for (size_t q = 0; q < len; q++)
            if (rules_isspace((unsigned char)nm[q]) || nm[q] == ',')
                return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "bad flowbit name '%.*s'",
                                  (int)(len > 64 ? 64 : len), nm);
        if (nids >= RULES_MAX_FB_NAMES)
            return rules_fail(b, RULE_SKIP_TOO_LARGE, k->name, "too many flowbit names");
        if (rules_flowbit_id(b, nm, len, &ids[nids]) != NS_OK)
            return NS_ERR_INVAL;
        nids++;
        i++;
    }
    uint16_t *idc = rules_arena_alloc(b->arena, nids * sizeof(*idc));
    if (!idc)
        return rules_fail(b, RULE_SKIP_TOO_LARGE, k->name, "out of memory");
    memcpy(idc, ids, nids * sizeof(*idc));
    b->fb[b->nfb++] = (struct rule_flowbit){
        .cmd = cmds[j].c, .any_of = has_or, .nids = nids, .ids = idc,
    };
    return NS_OK;
}

static int kw_threshold(struct rule_build *b, const struct kw *k, const char *v, size_t n,
                        bool hasv)
{
    if (need_value(b, k, hasv, n) != NS_OK)
        return NS_ERR_INVAL;
    struct rule_threshold *t = &b->r.threshold;
    if (t->present)
        return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "two thresholds");
    bool have_type = false, have_track = false, have_count = false, have_secs = false;
    size_t i = 0;
    while (i <= n) {
        size_t st = i;
        while (i < n && v[i] != ',')
            i++;
        const char *o = v + st;
        size_t ol = i - st;
        i++;
        rules_trim(&o, &ol);
        size_t kl = 0;
        while (kl < ol && !rules_isspace((unsigned char)o[kl]))
            kl++;
        const char *val = o + kl;
        size_t vl = ol - kl;
        rules_trim(&val, &vl);
#define KEYIS(s) (kl == sizeof(s) - 1 && memcmp(o, s, kl) == 0)
#define VALIS(s) (vl == sizeof(s) - 1 && memcmp(val, s, vl) == 0)
        uint64_t x;
        if (KEYIS("type")) {
            if (VALIS("limit"))
                t->type = RULE_THR_LIMIT;
            else if (VALIS("threshold"))
                t->type = RULE_THR_THRESHOLD;
            else if (VALIS("both"))
                t->type = RULE_THR_BOTH;
            else
                goto bad;
            have_type = true;
        } else if (KEYIS("track")) {
            if (VALIS("by_src"))
                t->track = RULE_THR_BY_SRC;
            else if (VALIS("by_dst"))
                t->track = RULE_THR_BY_DST;
            else if (VALIS("by_rule"))
                t->track = RULE_THR_BY_RULE;
            else if (VALIS("by_both"))
                t->track = RULE_THR_BY_BOTH;
            else
                goto bad;
            have_track = true;
        } else if (KEYIS("count")) {
            if (!rules_parse_u64(val, vl, UINT32_MAX, &x))
                goto bad;
            t->count = (uint32_t)x;
            have_count = true;
        } else if (KEYIS("seconds")) {
            if (!rules_parse_u64(val, vl, UINT32_MAX, &x))
                goto bad;
            t->seconds = (uint32_t)x;
            have_secs = true;
        } else {
            goto bad;
        }
#undef KEYIS
#undef VALIS
    }
    if (!have_type || !have_track || !have_count || !have_secs)
        return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name,
                          "threshold needs type, track, count and seconds");
    t->present = true;
    return NS_OK;
bad:
    return rules_fail(b, RULE_SKIP_BAD_VALUE, k->name, "bad threshold '%.*s'",
                      (int)(n > 64 ? 64 : n), v);
}

static int kw_noalert(struct rule_build *b, const struct kw *k, const char *v, size_t n,
                      bool hasv)
{
    (void)hasv;
    if (no_value(b, k, v, n) != NS_OK)
        return NS_ERR_INVAL;
    b->r.noalert = true;
    return NS_OK;
}

/* ---- the table ---- */

static const struct kw keywords[] = {
    { "msg", kw_msg, 0 },
    { "sid", kw_u32, 0 },
    { "rev", kw_u32, 1 },
    { "gid", kw_u32, 2 },
    { "priority", kw_u32, 3 },
    { "classtype", kw_classtype, 0 },
    { "reference", kw_reference, 0 },
    { "metadata", kw_metadata, 0 },
    { "target", kw_target, 0 },
    { "content", kw_content, 0 },
    { "nocase", kw_nocase, 0 },
    { "rawbytes", kw_rawbytes, 0 },
    { "depth", kw_position, 0 },
    { "offset", kw_position, 1 },
    { "distance", kw_position, 2 },
    { "within", kw_position, 3 },
    { "startswith", kw_startswith, 0 },
    { "endswith", kw_endswith, 0 },
    { "fast_pattern", kw_fast_pattern, 0 },
    { "pcre", kw_pcre, 0 },
    { "isdataat", kw_isdataat, 0 },
    { "byte_test", kw_byte, RULE_ITEM_BYTE_TEST },
    { "byte_jump", kw_byte, RULE_ITEM_BYTE_JUMP },
    { "byte_extract", kw_byte, RULE_ITEM_BYTE_EXTRACT },
    { "byte_math", kw_byte, RULE_ITEM_BYTE_MATH },
    { "bsize", kw_bsize, 0 },
    { "dsize", kw_dsize, 0 },
    { "urilen", kw_urilen, 0 },
    /* transforms */
    { "dotprefix", kw_xform, RULE_XFORM_DOTPREFIX },
    { "pcrexform", kw_xform, RULE_XFORM_PCREXFORM },
    { "to_lowercase", kw_xform, RULE_XFORM_TO_LOWERCASE },
    { "to_uppercase", kw_xform, RULE_XFORM_TO_UPPERCASE },
    { "strip_whitespace", kw_xform, RULE_XFORM_STRIP_WHITESPACE },
    { "compress_whitespace", kw_xform, RULE_XFORM_COMPRESS_WHITESPACE },
    { "url_decode", kw_xform, RULE_XFORM_URL_DECODE },
    { "xor", kw_xform, RULE_XFORM_XOR },
    { "to_md5", kw_xform, RULE_XFORM_TO_MD5 },
    { "to_sha1", kw_xform, RULE_XFORM_TO_SHA1 },
    { "to_sha256", kw_xform, RULE_XFORM_TO_SHA256 },
    { "header_lowercase", kw_xform, RULE_XFORM_HEADER_LOWERCASE },
    { "strip_pseudo_headers", kw_xform, RULE_XFORM_STRIP_PSEUDO_HEADERS },
    { "flow", kw_flow, 0 },
    { "flowbits", kw_flowbits, 0 },
    { "threshold", kw_threshold, 0 },
    { "noalert", kw_noalert, 0 },
    /* sticky buffers */
    { "pkt_data", kw_sticky, RULE_BUF_PAYLOAD },
    { "http.uri", kw_sticky, RULE_BUF_HTTP_URI },
    { "http.uri.raw", kw_sticky, RULE_BUF_HTTP_URI_RAW },
    { "http.host", kw_sticky, RULE_BUF_HTTP_HOST },
    { "http.host.raw", kw_sticky, RULE_BUF_HTTP_HOST_RAW },
    { "http.method", kw_sticky, RULE_BUF_HTTP_METHOD },
    { "http.user_agent", kw_sticky, RULE_BUF_HTTP_USER_AGENT },
    { "http.cookie", kw_sticky, RULE_BUF_HTTP_COOKIE },
    { "http.header", kw_sticky, RULE_BUF_HTTP_HEADER },
    { "http.header.raw", kw_sticky, RULE_BUF_HTTP_HEADER_RAW },
    { "http.header_names", kw_sticky, RULE_BUF_HTTP_HEADER_NAMES },
    { "http.content_type", kw_sticky, RULE_BUF_HTTP_CONTENT_TYPE },
    { "http.request_body", kw_sticky, RULE_BUF_HTTP_REQUEST_BODY },
    { "http.response_body", kw_sticky, RULE_BUF_HTTP_RESPONSE_BODY },
    { "http.stat_code", kw_sticky, RULE_BUF_HTTP_STAT_CODE },
    { "http.stat_msg", kw_sticky, RULE_BUF_HTTP_STAT_MSG },
    { "http.request_line", kw_sticky, RULE_BUF_HTTP_REQUEST_LINE },
    { "http.response_line", kw_sticky, RULE_BUF_HTTP_RESPONSE_LINE },
    { "http.referer", kw_sticky, RULE_BUF_HTTP_REFERER },
    { "http.protocol", kw_sticky, RULE_BUF_HTTP_PROTOCOL },
    { "http.start", kw_sticky, RULE_BUF_HTTP_START },
    { "http.accept", kw_sticky, RULE_BUF_HTTP_ACCEPT },
    { "http.accept_lang", kw_sticky, RULE_BUF_HTTP_ACCEPT_LANG },
    { "http.accept_enc", kw_sticky, RULE_BUF_HTTP_ACCEPT_ENC },
    { "http.connection", kw_sticky, RULE_BUF_HTTP_CONNECTION },
    { "http.content_len", kw_sticky, RULE_BUF_HTTP_CONTENT_LEN },
    { "http.location", kw_sticky, RULE_BUF_HTTP_LOCATION },
    { "http.server", kw_sticky, RULE_BUF_HTTP_SERVER },
    { "dns.query", kw_sticky, RULE_BUF_DNS_QUERY },
    { "dns_query", kw_sticky, RULE_BUF_DNS_QUERY },
    { "tls.sni", kw_sticky, RULE_BUF_TLS_SNI },
    { "tls_sni", kw_sticky, RULE_BUF_TLS_SNI },
    { "file.data", kw_sticky, RULE_BUF_FILE_DATA },
    { "file_data", kw_sticky, RULE_BUF_FILE_DATA },
    { "ipv4.hdr", kw_sticky, RULE_BUF_IPV4_HDR },
    { "ipv6.hdr", kw_sticky, RULE_BUF_IPV6_HDR },
    { "tcp.hdr", kw_sticky, RULE_BUF_TCP_HDR },
    { "udp.hdr", kw_sticky, RULE_BUF_UDP_HDR },
    { "icmpv4.hdr", kw_sticky, RULE_BUF_ICMPV4_HDR },
    { "icmpv6.hdr", kw_sticky, RULE_BUF_ICMPV6_HDR },
    /* legacy names of sticky buffers */
    { "http_accept", kw_sticky, RULE_BUF_HTTP_ACCEPT },
    { "http_accept_enc", kw_sticky, RULE_BUF_HTTP_ACCEPT_ENC },
    { "http_accept_lang", kw_sticky, RULE_BUF_HTTP_ACCEPT_LANG },
    { "http_connection", kw_sticky, RULE_BUF_HTTP_CONNECTION },
    { "http_content_len", kw_sticky, RULE_BUF_HTTP_CONTENT_LEN },
    { "http_content_type", kw_sticky, RULE_BUF_HTTP_CONTENT_TYPE },
    { "http_location", kw_sticky, RULE_BUF_HTTP_LOCATION },
    { "http_server", kw_sticky, RULE_BUF_HTTP_SERVER },
    { "http_referer", kw_sticky, RULE_BUF_HTTP_REFERER },
    { "http_header_names", kw_sticky, RULE_BUF_HTTP_HEADER_NAMES },
    { "http_request_line", kw_sticky, RULE_BUF_HTTP_REQUEST_LINE },
    { "http_response_line", kw_sticky, RULE_BUF_HTTP_RESPONSE_LINE },
    { "http_protocol", kw_sticky, RULE_BUF_HTTP_PROTOCOL },
    { "http_start", kw_sticky, RULE_BUF_HTTP_START },
    /* legacy content modifiers */
    { "http_uri", kw_modifier, RULE_BUF_HTTP_URI },
    { "http_raw_uri", kw_modifier, RULE_BUF_HTTP_URI_RAW },
    { "http_host", kw_modifier, RULE_BUF_HTTP_HOST },
    { "http_raw_host", kw_modifier, RULE_BUF_HTTP_HOST_RAW },
    { "http_method", kw_modifier, RULE_BUF_HTTP_METHOD },
    { "http_user_agent", kw_modifier, RULE_BUF_HTTP_USER_AGENT },
    { "http_cookie", kw_modifier, RULE_BUF_HTTP_COOKIE },
    { "http_header", kw_modifier, RULE_BUF_HTTP_HEADER },
    { "http_raw_header", kw_modifier, RULE_BUF_HTTP_HEADER_RAW },
    { "http_client_body", kw_modifier, RULE_BUF_HTTP_REQUEST_BODY },
    { "http_server_body", kw_modifier, RULE_BUF_HTTP_RESPONSE_BODY },
    { "http_stat_code", kw_modifier, RULE_BUF_HTTP_STAT_CODE },
    { "http_stat_msg", kw_modifier, RULE_BUF_HTTP_STAT_MSG },
};

/* The value may contain escaped ';' ("\;"); a '\' escapes the next byte. */
int rules_parse_options(struct rule_build *b, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        while (i < n && rules_isspace((unsigned char)s[i]))
            i++;
        if (i >= n)
            break;
        size_t ns = i;
        while (i < n && s[i] != ':' && s[i] != ';')
            i++;
        const char *name = s + ns;
        size_t nl = i - ns;
        rules_trim(&name, &nl);
        bool hasv = i < n && s[i] == ':';
        const char *val = s + i;
        size_t vl = 0;
        if (hasv) {
            size_t vs = ++i;
            bool esc = false;
            while (i < n && (esc || s[i] != ';')) {
                esc = !esc && s[i] == '\\';
                i++;
            }
            val = s + vs;
            vl = i - vs;
        }
        /* i is at ';' or the end (the last option may omit its ';') */
        if (i < n)
            i++;
        if (nl == 0)
            return rules_fail(b, RULE_SKIP_SYNTAX, "", "empty option name");
        char kname[64];
        if (nl >= sizeof(kname))
            return rules_fail(b, RULE_SKIP_UNSUPPORTED_KEYWORD, "?", "unknown keyword '%.40s...'",
                              name);
        for (size_t q = 0; q < nl; q++) {
            char c = name[q];
            if (rules_isspace((unsigned char)c) || (unsigned char)c < 0x20 || (unsigned char)c > 0x7e)
                return rules_fail(b, RULE_SKIP_SYNTAX, "", "bad option name '%.*s'",
                                  (int)nl, name);
            kname[q] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
        }
        kname[nl] = '\0';
        const struct kw *k = NULL;
        for (size_t q = 0; q < NS_ARRAY_LEN(keywords); q++) {
            if (strcmp(keywords[q].name, kname) == 0) {
                k = &keywords[q];
                break;
            }
        }
        if (!k)
            return rules_fail(b, RULE_SKIP_UNSUPPORTED_KEYWORD, kname,
                              "keyword '%s' is not supported", kname);
        if (k->fn(b, k, val, vl, hasv) != NS_OK)
            return NS_ERR_INVAL;
    }
    return NS_OK;
}

/* ---- checks over the whole rule, before the lists are built ---- */

/* The variable slots an item reads, into out[4]; returns how many. */
static unsigned var_uses(const struct rule_item *it, uint32_t out[4])
{
    unsigned n = 0;
    switch (it->kind) {
    case RULE_ITEM_CONTENT: {
        const struct rule_content *c = &it->u.content;
        if (c->flags & RULE_CONTENT_OFFSET_VAR)
            out[n++] = c->offset;
        if (c->flags & RULE_CONTENT_DEPTH_VAR)
            out[n++] = c->depth;
        if (c->flags & RULE_CONTENT_DISTANCE_VAR)
            out[n++] = (uint32_t)c->distance;
        if (c->flags & RULE_CONTENT_WITHIN_VAR)
            out[n++] = (uint32_t)c->within;
        break;
    }
    case RULE_ITEM_ISDATAAT:
        if (it->u.isdataat.var)
            out[n++] = it->u.isdataat.n;
        break;
    case RULE_ITEM_BYTE_TEST:
    case RULE_ITEM_BYTE_JUMP:
    case RULE_ITEM_BYTE_EXTRACT:
    case RULE_ITEM_BYTE_MATH: {
        const struct rule_byte *y = &it->u.byte;
        if (y->flags & RULE_BYTE_NBYTES_VAR)
            out[n++] = y->nbytes;
        if (y->flags & RULE_BYTE_OFFSET_VAR)
            out[n++] = (uint32_t)y->offset;
        if (y->flags & RULE_BYTE_VALUE_VAR)
            out[n++] = (uint32_t)y->value;
        break;
    }
    case RULE_ITEM_PCRE:
        break;
    }
    return n;
}

int rules_check_items(struct rule_build *b)
{
    for (uint32_t i = 0; i < b->nitems; i++) {
        const struct rule_item *it = &b->items[i];
        enum rule_buf buf = b->item_buf[i];
        /* lists are inspected in enum rule_buf order and a variable keeps
         * the value its item last set: one read before its list runs
         * would see no value (Suricata: "indeterminate results") */
        uint32_t slots[4];
        unsigned nu = var_uses(it, slots);
        for (unsigned q = 0; q < nu; q++) {
            enum rule_buf def = b->var_buf[slots[q]];
            if (def > buf)
                return rules_fail(b, RULE_SKIP_BAD_VALUE, b->var_name[slots[q]],
                                  "variable %s is set in %s, inspected after %s",
                                  b->var_name[slots[q]], rule_buf_name(def), rule_buf_name(buf));
        }
        if (it->kind != RULE_ITEM_CONTENT)
            continue;
        const struct rule_content *c = &it->u.content;
        if (buf == RULE_BUF_HTTP_HOST && !(c->flags & RULE_CONTENT_NOCASE)) {
            for (uint32_t q = 0; q < c->len; q++)
                if (c->bytes[q] >= 'A' && c->bytes[q] <= 'Z')
                    return rules_fail(b, RULE_SKIP_BAD_VALUE, "http.host",
                                      "uppercase content on the (lower-cased) http.host");
        }
        if (b->has_bsize[buf] && !(c->flags & RULE_CONTENT_NEGATED) &&
            cmp_max(&b->bsize[buf]) < c->len)
            return rules_fail(b, RULE_SKIP_BAD_VALUE, "bsize",
                              "content of %u bytes can never fit bsize", c->len);
        const char *xn = rules_xform_rejects(b, buf, c);
        if (xn)
            return rules_fail(b, RULE_SKIP_BAD_VALUE, xn,
                              "a content of %s can never match after %s", rule_buf_name(buf), xn);
    }
    return NS_OK;
}
