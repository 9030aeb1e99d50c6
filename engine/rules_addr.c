/* engine/rules_addr.c: the address and port expressions of a rule header.
 *
 * An expression is "any", one address (1.2.3.4, 1.2.3.0/24,
 * 1.2.3.0/255.255.255.0, 1.2.3.4-1.2.3.9, 2001:db8::/32) or port (80,
 * 1024:, :1023, 80:90), a $VARIABLE, a [list] of expressions (nested at
 * will), each possibly negated with '!'.  As in Suricata, a list is the
 * union of its positive members minus the union of its negated members,
 * and a list (or expression) with only negated members starts from "any".
 * A result that is empty is an error (e.g. "!any", "[1.2.3.4,!1.2.3.4]").
 *
 * Sets are computed exactly, as sorted disjoint ranges over a universe:
 * 128-bit addresses (IPv4 mapped to ::ffff:0:0/96, so negating an IPv4 set
 * keeps all of IPv6, as Suricata's "any" covers both families) or 16-bit
 * ports, the port kept in the last two bytes of the same 16-byte keys so
 * one set of operations serves both.  Work is bounded: RULE_MAX_RANGES
 * ranges per set, nesting and variable depth RULE_MAX_VAR_DEPTH. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>

#include "engine/rules_int.h"

struct key {
    uint8_t b[16];
};

struct range {
    struct key lo, hi;
};

struct rset {
    struct range *r;
    size_t n, cap;
};

struct actx {
    struct rule_build *b;
    const struct rule_vars *vars;
    bool port;
    struct key umax;             /* largest key of the universe */
    const char *what;            /* "address" / "port" for messages */
};

/* ---- keys ---- */

static int key_cmp(const struct key *a, const struct key *b)
{
    return memcmp(a->b, b->b, 16);
}

static bool key_is_zero(const struct key *k)
{
    for (int i = 0; i < 16; i++)
        if (k->b[i])
            return false;
    return true;
}

/* k + 1; returns false on wrap (k was all ones) */
static bool key_inc(struct key *k)
{
    for (int i = 15; i >= 0; i--) {
        if (++k->b[i] != 0)
            return true;
    }
    return false;
}

static void key_dec(struct key *k)         /* k > 0 */
{
    for (int i = 15; i >= 0; i--) {
        if (k->b[i]-- != 0)
            return;
    }
}

/* ---- sets ---- */

static void rset_free(struct rset *s)
{
    free(s->r);
    s->r = NULL;
    s->n = s->cap = 0;
}

static int rset_push(struct actx *c, struct rset *s, const struct key *lo, const struct key *hi)
{
    if (s->n >= RULE_MAX_RANGES)
        return rules_fail(c->b, RULE_SKIP_BAD_HEADER, c->what, "more than %u %s ranges",
                          RULE_MAX_RANGES, c->what);
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 8;
        struct range *nr = realloc(s->r, cap * sizeof(*nr));
        if (!nr)
            return rules_fail(c->b, RULE_SKIP_TOO_LARGE, c->what, "out of memory");
        s->r = nr;
        s->cap = cap;
    }
    s->r[s->n].lo = *lo;
    s->r[s->n].hi = *hi;
    s->n++;
    return NS_OK;
}

static int range_cmp(const void *a, const void *b)
{
    return key_cmp(&((const struct range *)a)->lo, &((const struct range *)b)->lo);
}

/* sort, then merge overlapping and adjacent ranges */
static void rset_normalize(struct rset *s)
{
    if (s->n < 2)
        return;
    qsort(s->r, s->n, sizeof(s->r[0]), range_cmp);
    size_t w = 0;
    for (size_t i = 1; i < s->n; i++) {
        struct key next = s->r[w].hi;
        bool wrap = !key_inc(&next);
        if (wrap || key_cmp(&s->r[i].lo, &next) <= 0) {
            if (key_cmp(&s->r[i].hi, &s->r[w].hi) > 0)
                s->r[w].hi = s->r[i].hi;
        } else {
            s->r[++w] = s->r[i];
        }
    }
    s->n = w + 1;
}

/* out = universe - in (in normalized) */
static int rset_complement(struct actx *c, const struct rset *in, struct rset *out)
{
    struct key cur;
    memset(&cur, 0, sizeof(cur));
    bool done = false;
    for (size_t i = 0; i < in->n && !done; i++) {
        if (key_cmp(&in->r[i].lo, &cur) > 0) {
            struct key hi = in->r[i].lo;
            key_dec(&hi);
            if (rset_push(c, out, &cur, &hi) != NS_OK)
                return NS_ERR_INVAL;
        }
        cur = in->r[i].hi;
        if (key_cmp(&cur, &c->umax) >= 0 || !key_inc(&cur))
            done = true;
    }
    if (!done && rset_push(c, out, &cur, &c->umax) != NS_OK)
        return NS_ERR_INVAL;
    return NS_OK;
}

/* a = a - b, both normalized: a intersected with the complement of b */
static int rset_subtract(struct actx *c, struct rset *a, const struct rset *b)
{
    if (b->n == 0)
        return NS_OK;
    struct rset nb = {0}, out = {0};
    if (rset_complement(c, b, &nb) != NS_OK)
        goto fail;
    size_t i = 0, j = 0;
    while (i < a->n && j < nb.n) {
        const struct key *lo = key_cmp(&a->r[i].lo, &nb.r[j].lo) > 0 ? &a->r[i].lo : &nb.r[j].lo;
        const struct key *hi = key_cmp(&a->r[i].hi, &nb.r[j].hi) < 0 ? &a->r[i].hi : &nb.r[j].hi;
        if (key_cmp(lo, hi) <= 0 && rset_push(c, &out, lo, hi) != NS_OK)
            goto fail;
        if (key_cmp(&a->r[i].hi, &nb.r[j].hi) < 0)
            i++;
        else
            j++;
    }
    rset_free(&nb);
    rset_free(a);
    *a = out;
    return NS_OK;
fail:
    rset_free(&nb);
    rset_free(&out);
    return NS_ERR_INVAL;
}

static int rset_add_all(struct actx *c, struct rset *dst, const struct rset *src)
{
    for (size_t i = 0; i < src->n; i++)
        if (rset_push(c, dst, &src->r[i].lo, &src->r[i].hi) != NS_OK)
            return NS_ERR_INVAL;
    return NS_OK;
}

static int rset_any(struct actx *c, struct rset *s)
{
    struct key zero;
    memset(&zero, 0, sizeof(zero));
    return rset_push(c, s, &zero, &c->umax);
}

/* ---- single elements ---- */

static void key_v4(struct key *k, uint32_t a)
{
    memset(k, 0, sizeof(*k));
    k->b[10] = 0xff;
    k->b[11] = 0xff;
    k->b[12] = (uint8_t)(a >> 24);
    k->b[13] = (uint8_t)(a >> 16);
    k->b[14] = (uint8_t)(a >> 8);
    k->b[15] = (uint8_t)a;
}

static bool parse_v4(const char *s, uint32_t *out)
{
    struct in_addr ia;
    if (inet_pton(AF_INET, s, &ia) != 1)
        return false;
    *out = ntohl(ia.s_addr);
    return true;
}

static bool parse_uint(const char *s, uint32_t max, uint32_t *out)
{
    if (!*s)
        return false;
    uint64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        v = v * 10 + (uint64_t)(*s - '0');
        if (v > max)
            return false;
    }
    *out = (uint32_t)v;
    return true;
}

static int addr_elem(struct actx *c, const char *tok, struct rset *out)
{
    char buf[128];
    size_t n = strlen(tok);
    if (n >= sizeof(buf))
        return rules_fail(c->b, RULE_SKIP_BAD_HEADER, "address", "bad address '%.64s...'", tok);
    memcpy(buf, tok, n + 1);
    char *slash = strchr(buf, '/');
    if (slash)
        *slash++ = '\0';
    struct key lo, hi;
    if (strchr(buf, ':')) {                           /* IPv6 */
        struct in6_addr a6;
        if (inet_pton(AF_INET6, buf, &a6) != 1)
            goto bad;
        uint32_t plen = 128;
        if (slash && !parse_uint(slash, 128, &plen))
            goto bad;
        memcpy(lo.b, &a6, 16);
        for (uint32_t i = plen; i < 128; i++)
            lo.b[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
        hi = lo;
        for (uint32_t i = plen; i < 128; i++)
            hi.b[i / 8] |= (uint8_t)(0x80u >> (i % 8));
        return rset_push(c, out, &lo, &hi);
    }
    char *dash = strchr(buf, '-');
    if (dash && !slash) {                             /* a.b.c.d-e.f.g.h */
        *dash++ = '\0';
        uint32_t a, z;
        if (!parse_v4(buf, &a) || !parse_v4(dash, &z) || a > z)
            goto bad;
        key_v4(&lo, a);
        key_v4(&hi, z);
        return rset_push(c, out, &lo, &hi);
    }
    uint32_t a;
    if (!parse_v4(buf, &a))
        goto bad;
    uint32_t mask = 0xffffffffu;
    if (slash) {
        uint32_t plen;
        if (strchr(slash, '.')) {
            if (!parse_v4(slash, &mask))
                goto bad;
            /* a netmask must be contiguous ones */
            if (mask && ((~mask + 1) & ~mask) != 0)
                goto bad;
        } else {
            if (!parse_uint(slash, 32, &plen))
                goto bad;
            mask = plen ? 0xffffffffu << (32 - plen) : 0;
        }
    }
    key_v4(&lo, a & mask);
    key_v4(&hi, (a & mask) | ~mask);
    return rset_push(c, out, &lo, &hi);
bad:
    return rules_fail(c->b, RULE_SKIP_BAD_HEADER, "address", "bad address '%s'", tok);
}

static void key_port(struct key *k, uint32_t p)
{
    memset(k, 0, sizeof(*k));
    k->b[14] = (uint8_t)(p >> 8);
    k->b[15] = (uint8_t)p;
}

static int port_elem(struct actx *c, const char *tok, struct rset *out)
{
    char buf[32];
    size_t n = strlen(tok);
    if (n >= sizeof(buf))
        goto bad;
    memcpy(buf, tok, n + 1);
    uint32_t lo = 0, hi = 65535;
    char *colon = strchr(buf, ':');
    if (colon) {
        *colon++ = '\0';
        if (buf[0] && !parse_uint(buf, 65535, &lo))
            goto bad;
        if (colon[0] && !parse_uint(colon, 65535, &hi))
            goto bad;
        if (!buf[0] && !colon[0])
            goto bad;
    } else {
        if (!parse_uint(buf, 65535, &lo))
            goto bad;
        hi = lo;
    }
    if (lo > hi)
        goto bad;
    struct key klo, khi;
    key_port(&klo, lo);
    key_port(&khi, hi);
    return rset_push(c, out, &klo, &khi);
bad:
    return rules_fail(c->b, RULE_SKIP_BAD_HEADER, "port", "bad port '%s'", tok);
}

/* ---- expressions ---- */

static void skip_sp(const char *s, size_t n, size_t *i)
{
    while (*i < n && rules_isspace((unsigned char)s[*i]))
        (*i)++;
}

static int parse_expr(struct actx *c, const char *s, size_t n, unsigned depth, struct rset *out);

/* One element at s[*i]: sets *neg and fills out (normalized). */
static int parse_elem(struct actx *c, const char *s, size_t n, size_t *i, unsigned depth,
                      struct rset *out, bool *neg)
{
    if (depth > RULE_MAX_VAR_DEPTH)
        return rules_fail(c->b, RULE_SKIP_BAD_HEADER, c->what,
                          "%s lists or variables nested too deep", c->what);
    *neg = false;
    skip_sp(s, n, i);
    while (*i < n && s[*i] == '!') {
        *neg = !*neg;
        (*i)++;
        skip_sp(s, n, i);
    }
    if (*i >= n)
        return rules_fail(c->b, RULE_SKIP_BAD_HEADER, c->what, "empty %s", c->what);
    if (s[*i] == '[') {
        (*i)++;
        struct rset pos = {0}, negs = {0}, one = {0};
        bool any_pos = false;
        for (;;) {
            bool eneg;
            rset_free(&one);
            if (parse_elem(c, s, n, i, depth + 1, &one, &eneg) != NS_OK)
                goto list_fail;
            if (rset_add_all(c, eneg ? &negs : &pos, &one) != NS_OK)
                goto list_fail;
            if (!eneg)
                any_pos = true;
            skip_sp(s, n, i);
            if (*i < n && s[*i] == ',') {
                (*i)++;
                continue;
            }
            if (*i < n && s[*i] == ']') {
                (*i)++;
                break;
            }
            rules_fail(c->b, RULE_SKIP_BAD_HEADER, c->what, "unterminated %s list", c->what);
            goto list_fail;
        }
        rset_free(&one);
        if (!any_pos && rset_any(c, &pos) != NS_OK)
            goto list_fail;
        rset_normalize(&pos);
        rset_normalize(&negs);
        if (rset_subtract(c, &pos, &negs) != NS_OK)
            goto list_fail;
        rset_free(&negs);
        *out = pos;
        return NS_OK;
list_fail:
        rset_free(&one);
        rset_free(&pos);
        rset_free(&negs);
        return NS_ERR_INVAL;
    }
    if (s[*i] == '$') {
        size_t st = ++(*i);
        while (*i < n && (s[*i] == '_' || (s[*i] >= '0' && s[*i] <= '9') ||
                          ((s[*i] | 0x20) >= 'a' && (s[*i] | 0x20) <= 'z')))
            (*i)++;
        char name[128];
        size_t len = *i - st;
        if (len == 0 || len >= sizeof(name))
            return rules_fail(c->b, RULE_SKIP_BAD_HEADER, c->what, "bad variable name");
        memcpy(name, s + st, len);
        name[len] = '\0';
        const char *val = rule_vars_get(c->vars, name, c->port);
        if (!val)
            return rules_fail(c->b, RULE_SKIP_BAD_HEADER, c->what, "unknown %s variable $%s",
                              c->what, name);
        return parse_expr(c, val, strlen(val), depth + 1, out);
    }
    size_t st = *i;
    while (*i < n && s[*i] != ',' && s[*i] != ']' && s[*i] != '[' &&
           !rules_isspace((unsigned char)s[*i]))
        (*i)++;
    char tok[160];
    size_t len = *i - st;
    if (len == 0 || len >= sizeof(tok))
        return rules_fail(c->b, RULE_SKIP_BAD_HEADER, c->what, "bad %s '%.*s'", c->what,
                          (int)(len > 64 ? 64 : len), s + st);
    memcpy(tok, s + st, len);
    tok[len] = '\0';
    if (strcmp(tok, "any") == 0)
        return rset_any(c, out);
    return c->port ? port_elem(c, tok, out) : addr_elem(c, tok, out);
}

static int parse_expr(struct actx *c, const char *s, size_t n, unsigned depth, struct rset *out)
{
    size_t i = 0;
    bool neg;
    struct rset one = {0};
    if (parse_elem(c, s, n, &i, depth, &one, &neg) != NS_OK)
        goto fail;
    skip_sp(s, n, &i);
    if (i != n) {
        rules_fail(c->b, RULE_SKIP_BAD_HEADER, c->what, "junk after %s: '%.*s'", c->what,
                   (int)((n - i) > 64 ? 64 : (n - i)), s + i);
        goto fail;
    }
    rset_normalize(&one);
    if (neg) {
        struct rset comp = {0};
        if (rset_complement(c, &one, &comp) != NS_OK) {
            rset_free(&comp);
            goto fail;
        }
        rset_free(&one);
        one = comp;
    }
    *out = one;
    return NS_OK;
fail:
    rset_free(&one);
    return NS_ERR_INVAL;
}

static bool rset_is_all(const struct actx *c, const struct rset *s)
{
    return s->n == 1 && key_is_zero(&s->r[0].lo) && key_cmp(&s->r[0].hi, &c->umax) == 0;
}

int rules_parse_addr(struct rule_build *b, const struct rule_vars *vars, const char *s,
                     size_t n, struct rule_addr *out)
{
    struct actx c = { .b = b, .vars = vars, .port = false, .what = "address" };
    memset(c.umax.b, 0xff, 16);
    struct rset set = {0};
    memset(out, 0, sizeof(*out));
    if (parse_expr(&c, s, n, 0, &set) != NS_OK)
        goto fail;
    if (set.n == 0) {
        rules_fail(b, RULE_SKIP_BAD_HEADER, "address", "address set '%.*s' is empty",
                   (int)(n > 64 ? 64 : n), s);
        goto fail;
    }
    if (rset_is_all(&c, &set)) {
        out->any = true;
    } else {
        struct rule_addr_range *r = rules_arena_alloc(b->arena, set.n * sizeof(*r));
        if (!r) {
            rules_fail(b, RULE_SKIP_TOO_LARGE, "address", "out of memory");
            goto fail;
        }
        for (size_t i = 0; i < set.n; i++) {
            memcpy(r[i].lo, set.r[i].lo.b, 16);
            memcpy(r[i].hi, set.r[i].hi.b, 16);
        }
        out->n = (uint32_t)set.n;
        out->r = r;
    }
    rset_free(&set);
    return NS_OK;
fail:
    rset_free(&set);
    return NS_ERR_INVAL;
}

int rules_parse_ports(struct rule_build *b, const struct rule_vars *vars, const char *s,
                      size_t n, struct rule_ports *out)
{
    struct actx c = { .b = b, .vars = vars, .port = true, .what = "port" };
    key_port(&c.umax, 65535);
    struct rset set = {0};
    memset(out, 0, sizeof(*out));
    if (parse_expr(&c, s, n, 0, &set) != NS_OK)
        goto fail;
    if (set.n == 0) {
        rules_fail(b, RULE_SKIP_BAD_HEADER, "port", "port set '%.*s' is empty",
                   (int)(n > 64 ? 64 : n), s);
        goto fail;
    }
    if (rset_is_all(&c, &set)) {
        out->any = true;
    } else {
        struct rule_port_range *r = rules_arena_alloc(b->arena, set.n * sizeof(*r));
        if (!r) {
            rules_fail(b, RULE_SKIP_TOO_LARGE, "port", "out of memory");
            goto fail;
        }
        for (size_t i = 0; i < set.n; i++) {
            r[i].lo = (uint16_t)(set.r[i].lo.b[14] << 8 | set.r[i].lo.b[15]);
            r[i].hi = (uint16_t)(set.r[i].hi.b[14] << 8 | set.r[i].hi.b[15]);
        }
        out->n = (uint32_t)set.n;
        out->r = r;
    }
    rset_free(&set);
    return NS_OK;
fail:
    rset_free(&set);
    return NS_ERR_INVAL;
}
