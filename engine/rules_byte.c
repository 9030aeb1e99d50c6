/* engine/rules_byte.c: the byte keywords -- byte_test, byte_jump,
 * byte_extract, byte_math -- and the rule's variables.
 *
 * Each keyword becomes one item (struct rule_byte) of the list it
 * inspects: the sticky buffer, or for a relative one the list of the
 * content/pcre it follows, as isdataat.  byte_extract and byte_math store
 * their result in a variable; its name gets a small slot, valid in every
 * later keyword that takes a number where Suricata allows a variable
 * (byte_test nbytes/value/offset, byte_jump nbytes/offset, byte_math
 * bytes/rvalue/offset, content offset/depth/distance/within, isdataat).
 * A name that was not defined earlier in the rule fails it (bad value).
 *
 * The accepted forms and limits are Suricata's: byte_test and byte_jump
 * take positional nbytes, [op, value,] offset then flags; byte_extract
 * nbytes, offset, name then flags; byte_math "key value" pairs in any
 * order.  Values and offsets of byte_test and bitmasks take C's 0x/0
 * prefixes.  The dce option (byte order from the DCE/RPC header) needs a
 * DCE/RPC parser we do not have: such rules are skipped as unsupported. */
#include <stdio.h>

#include "engine/rules_int.h"

#define BYTE_MAX_TOKENS 12u
#define BYTE_OFFSET_MAX 65535             /* Suricata's bound on offsets */

struct tok {
    const char *s;
    size_t n;
};

static bool tok_is(struct tok t, const char *w)
{
    return strlen(w) == t.n && memcmp(t.s, w, t.n) == 0;
}

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Splits v on ',' into trimmed tokens; false when there are more than max. */
static bool split(const char *v, size_t n, struct tok *t, unsigned max, unsigned *count)
{
    unsigned k = 0;
    size_t i = 0;
    struct tok x;
    while (rules_next_item(v, n, ',', &i, &x.s, &x.n)) {
        if (k == max)
            return false;
        t[k++] = x;
    }
    *count = k;
    return true;
}

/* "word rest": the first word and what follows it, trimmed. */
static void words(struct tok t, struct tok *w, struct tok *rest)
{
    size_t i = 0;
    while (i < t.n && !rules_isspace((unsigned char)t.s[i]))
        i++;
    w->s = t.s;
    w->n = i;
    rest->s = t.s + i;
    rest->n = t.n - i;
    rules_trim(&rest->s, &rest->n);
}

/* An unsigned number the way strtoull reads it with base 0 ("0x1F" hex,
 * "017" octal, "15" decimal), the whole token, at most max. */
static bool parse_auto_u64(struct tok t, uint64_t max, uint64_t *out)
{
    const char *s = t.s;
    size_t n = t.n;
    unsigned base = 10;
    if (n > 2 && s[0] == '0' && (s[1] | 0x20) == 'x') {
        base = 16;
        s += 2;
        n -= 2;
    } else if (n > 1 && s[0] == '0') {
        base = 8;
    }
    if (n == 0)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        unsigned d;
        if (is_digit(c))
            d = (unsigned)(c - '0');
        else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
            d = (unsigned)((c | 0x20) - 'a' + 10);
        else
            return false;
        if (d >= base || v > (max - d) / base)
            return false;
        v = v * base + d;
    }
    *out = v;
    return true;
}

/* A signed number, base 0 as above, in [-lim, lim]. */
static bool parse_auto_i32(struct tok t, int32_t lim, int32_t *out)
{
    bool neg = t.n && t.s[0] == '-';
    if (t.n && (t.s[0] == '-' || t.s[0] == '+')) {
        t.s++;
        t.n--;
    }
    uint64_t v;
    if (!parse_auto_u64(t, (uint64_t)lim, &v))
        return false;
    *out = neg ? -(int32_t)v : (int32_t)v;
    return true;
}

/* ---- variables ---- */

static bool var_name_ok(const char *s, size_t n)
{
    if (n == 0 || n >= sizeof(((struct rule_build *)0)->var_name[0]) || !is_alpha(s[0]))
        return false;
    for (size_t i = 1; i < n; i++)
        if (!is_alpha(s[i]) && !is_digit(s[i]) && s[i] != '_' && s[i] != '-' && s[i] != '.')
            return false;
    return true;
}

int rules_var_ref(struct rule_build *b, const char *kw, const char *s, size_t n)
{
    rules_trim(&s, &n);
    if (n == 0 || !is_alpha(s[0]))
        return -1;                       /* a number (or nothing): the caller's */
    for (uint32_t i = 0; i < b->nvars; i++)
        if (strlen(b->var_name[i]) == n && memcmp(b->var_name[i], s, n) == 0)
            return (int)i;
    rules_fail(b, RULE_SKIP_BAD_VALUE, kw, "unknown variable '%.*s'", (int)(n > 40 ? 40 : n), s);
    return -2;
}

/* A new variable set by an item of list buf: its slot, or -1 (failed). */
static int var_define(struct rule_build *b, const char *kw, struct tok t, enum rule_buf buf)
{
    if (!var_name_ok(t.s, t.n)) {
        rules_fail(b, RULE_SKIP_BAD_VALUE, kw, "bad variable name '%.*s'",
                   (int)(t.n > 40 ? 40 : t.n), t.s);
        return -1;
    }
    for (uint32_t i = 0; i < b->nvars; i++) {
        if (strlen(b->var_name[i]) == t.n && memcmp(b->var_name[i], t.s, t.n) == 0) {
            rules_fail(b, RULE_SKIP_BAD_VALUE, kw, "variable '%.*s' defined twice", (int)t.n, t.s);
            return -1;
        }
    }
    if (b->nvars >= RULE_MAX_BYTE_VARS) {
        rules_fail(b, RULE_SKIP_TOO_LARGE, kw, "more than %u byte variables", RULE_MAX_BYTE_VARS);
        return -1;
    }
    memcpy(b->var_name[b->nvars], t.s, t.n);
    b->var_name[b->nvars][t.n] = '\0';
    b->var_buf[b->nvars] = buf;
    return (int)b->nvars++;
}

/* A number or a variable: 1 number in *num, 2 variable (slot in *num),
 * 0 neither (the caller fails the rule), -1 failed (unknown variable). */
static int num_or_var(struct rule_build *b, const char *kw, struct tok t, uint64_t *num,
                      bool (*parse)(struct tok, uint64_t *))
{
    int slot = rules_var_ref(b, kw, t.s, t.n);
    if (slot == -2)
        return -1;
    if (slot >= 0) {
        *num = (uint64_t)slot;
        return 2;
    }
    return parse(t, num) ? 1 : 0;
}

static bool dec_u8(struct tok t, uint64_t *v)
{
    return rules_parse_u64(t.s, t.n, 255, v);
}

static bool dec_u32(struct tok t, uint64_t *v)
{
    return rules_parse_u64(t.s, t.n, UINT32_MAX, v);
}

static bool auto_u64(struct tok t, uint64_t *v)
{
    return parse_auto_u64(t, UINT64_MAX, v);
}

/* ---- options shared by the keywords ---- */

struct byte_parse {
    struct rule_build *b;
    enum rule_item_kind kind;
    const char *kw;
    struct rule_byte y;
    bool have_endian, have_base, have_mult, have_post;
};

static int bad(struct byte_parse *p, struct tok t, const char *what)
{
    return rules_fail(p->b, RULE_SKIP_BAD_VALUE, p->kw, "%s '%.*s'", what,
                      (int)(t.n > 40 ? 40 : t.n), t.s);
}

static int set_flag(struct byte_parse *p, struct tok t, uint32_t f)
{
    if (p->y.flags & f)
        return bad(p, t, "option given twice:");
    p->y.flags |= f;
    return NS_OK;
}

static int set_base(struct byte_parse *p, struct tok t)
{
    uint8_t base = tok_is(t, "hex") ? 16 : tok_is(t, "dec") ? 10 : tok_is(t, "oct") ? 8 : 0;
    if (!base)
        return bad(p, t, "bad string base");
    if (p->have_base)
        return bad(p, t, "two string bases:");
    p->y.base = base;
    p->have_base = true;
    return NS_OK;
}

static int set_bitmask(struct byte_parse *p, struct tok t, bool hex_only)
{
    uint64_t m;
    bool ok;
    if (hex_only) {
        /* byte_math: hex digits, "0x" optional */
        struct tok h = t;
        if (h.n > 2 && h.s[0] == '0' && (h.s[1] | 0x20) == 'x') {
            h.s += 2;
            h.n -= 2;
        }
        char buf[24];
        ok = h.n > 0 && h.n < sizeof(buf) - 2;
        if (ok) {
            buf[0] = '0';
            buf[1] = 'x';
            memcpy(buf + 2, h.s, h.n);
            ok = parse_auto_u64((struct tok){ buf, h.n + 2 }, UINT32_MAX, &m);
        }
    } else {
        ok = parse_auto_u64(t, UINT32_MAX, &m);
    }
    if (!ok)
        return bad(p, t, "bad bitmask");
    if (p->y.flags & RULE_BYTE_BITMASK)
        return bad(p, t, "two bitmasks:");
    p->y.flags |= RULE_BYTE_BITMASK;
    p->y.bitmask = (uint32_t)m;
    p->y.shift = 0;
    for (uint32_t x = p->y.bitmask; x && !(x & 1u); x >>= 1)
        p->y.shift++;
    return NS_OK;
}

/* One flag option of byte_test, byte_jump or byte_extract. */
static int flag_option(struct byte_parse *p, struct tok t)
{
    struct tok w, rest;
    words(t, &w, &rest);
    enum rule_item_kind k = p->kind;
    if (tok_is(w, "dce"))
        return rules_fail(p->b, RULE_SKIP_UNSUPPORTED_KEYWORD, p->kw,
                          "%s with dce (byte order from DCE/RPC) is not supported", p->kw);
    if (rest.n == 0) {
        if (tok_is(w, "relative"))
            return set_flag(p, t, RULE_BYTE_RELATIVE);
        if (tok_is(w, "big") || tok_is(w, "little")) {
            /* byte_test and byte_jump take the last one, as Suricata */
            if (p->have_endian && k == RULE_ITEM_BYTE_EXTRACT)
                return bad(p, t, "two byte orders:");
            p->have_endian = true;
            p->y.flags = tok_is(w, "little") ? p->y.flags | RULE_BYTE_LITTLE
                                             : p->y.flags & ~RULE_BYTE_LITTLE;
            return NS_OK;
        }
        if (tok_is(w, "string"))
            return set_flag(p, t, RULE_BYTE_STRING);
        if (tok_is(w, "hex") || tok_is(w, "dec") || tok_is(w, "oct")) {
            if (k == RULE_ITEM_BYTE_EXTRACT && !(p->y.flags & RULE_BYTE_STRING))
                return bad(p, t, "base before string:");
            return set_base(p, w);
        }
        if (tok_is(w, "slice") && k == RULE_ITEM_BYTE_EXTRACT)
            return rules_fail(p->b, RULE_SKIP_UNSUPPORTED_KEYWORD, p->kw,
                              "byte_extract slice is not supported");
        if (k == RULE_ITEM_BYTE_JUMP) {
            if (tok_is(w, "align"))
                return set_flag(p, t, RULE_BYTE_ALIGN);
            if (tok_is(w, "from_beginning"))
                return set_flag(p, t, RULE_BYTE_FROM_BEGIN);
            if (tok_is(w, "from_end"))
                return set_flag(p, t, RULE_BYTE_FROM_END);
        }
        return bad(p, t, "unknown option");
    }
    if (tok_is(w, "string"))              /* "string dec" */
        return set_flag(p, t, RULE_BYTE_STRING) != NS_OK ? NS_ERR_INVAL : set_base(p, rest);
    if (tok_is(w, "bitmask") && k != RULE_ITEM_BYTE_EXTRACT)
        return set_bitmask(p, rest, false);
    if (tok_is(w, "multiplier") && k != RULE_ITEM_BYTE_TEST) {
        uint64_t m;
        if (p->have_mult || !rules_parse_u64(rest.s, rest.n, 65535, &m) || m == 0)
            return bad(p, t, "bad multiplier (1..65535):");
        p->have_mult = true;
        p->y.multiplier = (uint32_t)m;
        return NS_OK;
    }
    if (tok_is(w, "post_offset") && k == RULE_ITEM_BYTE_JUMP) {
        int32_t o;
        if (p->have_post || !rules_parse_i32(rest.s, rest.n, &o) || o < -BYTE_OFFSET_MAX ||
            o > BYTE_OFFSET_MAX)
            return bad(p, t, "bad post_offset (-65535..65535):");
        p->have_post = true;
        p->y.post_offset = o;
        return NS_OK;
    }
    if (tok_is(w, "align") && k == RULE_ITEM_BYTE_EXTRACT) {
        uint64_t a;
        if (p->y.align || !rules_parse_u64(rest.s, rest.n, 4, &a) || (a != 2 && a != 4))
            return bad(p, t, "bad align (2 or 4):");
        p->y.align = (uint8_t)a;
        return NS_OK;
    }
    return bad(p, t, "unknown option");
}

/* An offset or a variable: byte_test's in C's bases over the int32 range,
 * the others decimal within Suricata's +-65535. */
static int offset_or_var(struct byte_parse *p, struct tok t, bool c_base)
{
    int slot = rules_var_ref(p->b, p->kw, t.s, t.n);
    if (slot == -2)
        return NS_ERR_INVAL;
    if (slot >= 0) {
        p->y.offset = slot;
        p->y.flags |= RULE_BYTE_OFFSET_VAR;
        return NS_OK;
    }
    if (c_base ? parse_auto_i32(t, INT32_MAX, &p->y.offset)
               : rules_parse_i32(t.s, t.n, &p->y.offset) && p->y.offset >= -BYTE_OFFSET_MAX &&
                     p->y.offset <= BYTE_OFFSET_MAX)
        return NS_OK;
    return bad(p, t, c_base ? "bad offset" : "bad offset (-65535..65535)");
}

/* ---- the positional forms ---- */

/* byte_test:<nbytes>,[!]<op>,<value>,<offset>[,flags] */
static int parse_test(struct byte_parse *p, const struct tok *t, unsigned nt)
{
    if (nt < 4)
        return rules_fail(p->b, RULE_SKIP_BAD_VALUE, p->kw,
                          "byte_test needs nbytes, operator, value, offset");
    struct tok op = t[1];
    if (op.n && op.s[0] == '!') {
        p->y.flags |= RULE_BYTE_NEGATED;
        op.s++;
        op.n--;
        rules_trim(&op.s, &op.n);
    }
    static const struct { const char *s; enum rule_byte_op op; } ops[] = {
        { "=", RULE_BYTE_OP_EQ }, { "<", RULE_BYTE_OP_LT }, { ">", RULE_BYTE_OP_GT },
        { "<=", RULE_BYTE_OP_LE }, { ">=", RULE_BYTE_OP_GE }, { "&", RULE_BYTE_OP_AND },
        { "^", RULE_BYTE_OP_OR },
    };
    size_t j;
    for (j = 0; j < NS_ARRAY_LEN(ops); j++)
        if (tok_is(op, ops[j].s))
            break;
    if (j < NS_ARRAY_LEN(ops))
        p->y.op = (uint8_t)ops[j].op;
    else if (op.n == 0 && (p->y.flags & RULE_BYTE_NEGATED))
        p->y.op = RULE_BYTE_OP_EQ;         /* "!" alone is "!=" */
    else
        return bad(p, t[1], "bad operator");
    uint64_t v;
    int r = num_or_var(p->b, p->kw, t[2], &v, auto_u64);
    if (r < 0)
        return NS_ERR_INVAL;
    if (r == 0)
        return bad(p, t[2], "bad value");
    p->y.value = v;
    if (r == 2)
        p->y.flags |= RULE_BYTE_VALUE_VAR;
    if (offset_or_var(p, t[3], true) != NS_OK)
        return NS_ERR_INVAL;
    for (unsigned i = 4; i < nt; i++)
        if (flag_option(p, t[i]) != NS_OK)
            return NS_ERR_INVAL;
    return NS_OK;
}

/* byte_jump:<nbytes>,<offset>[,flags] */
static int parse_jump(struct byte_parse *p, const struct tok *t, unsigned nt)
{
    if (nt < 2)
        return rules_fail(p->b, RULE_SKIP_BAD_VALUE, p->kw, "byte_jump needs nbytes, offset");
    if (offset_or_var(p, t[1], false) != NS_OK)
        return NS_ERR_INVAL;
    for (unsigned i = 2; i < nt; i++)
        if (flag_option(p, t[i]) != NS_OK)
            return NS_ERR_INVAL;
    if ((p->y.flags & RULE_BYTE_FROM_BEGIN) && (p->y.flags & RULE_BYTE_FROM_END))
        return rules_fail(p->b, RULE_SKIP_BAD_VALUE, p->kw, "from_beginning with from_end");
    return NS_OK;
}

/* byte_extract:<nbytes>,<offset>,<name>[,flags]: the name is defined by
 * the caller once the item's list is known */
static int parse_extract(struct byte_parse *p, const struct tok *t, unsigned nt)
{
    if (nt < 3)
        return rules_fail(p->b, RULE_SKIP_BAD_VALUE, p->kw,
                          "byte_extract needs nbytes, offset, name");
    int32_t o;
    if (!rules_parse_i32(t[1].s, t[1].n, &o) || o < INT16_MIN || o > INT16_MAX)
        return bad(p, t[1], "bad offset (-32768..32767)");
    p->y.offset = o;
    for (unsigned i = 3; i < nt; i++)
        if (flag_option(p, t[i]) != NS_OK)
            return NS_ERR_INVAL;
    if ((p->y.flags & RULE_BYTE_STRING) && p->have_endian)
        return rules_fail(p->b, RULE_SKIP_BAD_VALUE, p->kw, "string with an endianness");
    if ((p->y.flags & RULE_BYTE_STRING) && !p->have_base)
        p->y.base = 10;                    /* Suricata's default for byte_extract */
    return NS_OK;
}

/* byte_math:bytes N,offset N,oper OP,rvalue N,result NAME[,...]: "key
 * value" pairs in any order; the result is defined by the caller */
static int parse_math(struct byte_parse *p, const struct tok *t, unsigned nt, struct tok *result)
{
    bool have_bytes = false, have_off = false, have_oper = false, have_rv = false;
    result->n = 0;
    for (unsigned i = 0; i < nt; i++) {
        struct tok w, v;
        words(t[i], &w, &v);
        uint64_t x;
        int r;
        if (tok_is(w, "bytes") && !have_bytes) {
            r = num_or_var(p->b, p->kw, v, &x, dec_u8);
            if (r < 0)
                return NS_ERR_INVAL;
            if (r == 0 || (r == 1 && (x < 1 || x > 10)))
                return bad(p, t[i], "bad bytes (1..10)");
            p->y.nbytes = (uint8_t)x;
            if (r == 2)
                p->y.flags |= RULE_BYTE_NBYTES_VAR;
            have_bytes = true;
        } else if (tok_is(w, "offset") && !have_off) {
            if (offset_or_var(p, v, false) != NS_OK)
                return NS_ERR_INVAL;
            have_off = true;
        } else if (tok_is(w, "oper") && !have_oper) {
            static const char *const opers[] = {
                [RULE_BYTE_ADD] = "+", [RULE_BYTE_SUB] = "-", [RULE_BYTE_MUL] = "*",
                [RULE_BYTE_DIV] = "/", [RULE_BYTE_SHL] = "<<", [RULE_BYTE_SHR] = ">>",
            };
            size_t j;
            for (j = 0; j < NS_ARRAY_LEN(opers); j++)
                if (tok_is(v, opers[j]))
                    break;
            if (j == NS_ARRAY_LEN(opers))
                return bad(p, t[i], "bad oper");
            p->y.op = (uint8_t)j;
            have_oper = true;
        } else if (tok_is(w, "rvalue") && !have_rv) {
            r = num_or_var(p->b, p->kw, v, &x, dec_u32);
            if (r < 0)
                return NS_ERR_INVAL;
            if (r == 0)
                return bad(p, t[i], "bad rvalue (0..4294967295)");
            p->y.value = x;
            if (r == 2)
                p->y.flags |= RULE_BYTE_VALUE_VAR;
            have_rv = true;
        } else if (tok_is(w, "result") && result->n == 0 && v.n) {
            *result = v;
        } else if (tok_is(w, "endian") && !p->have_endian) {
            if (tok_is(v, "dce"))
                return flag_option(p, v);
            if (!tok_is(v, "big") && !tok_is(v, "little"))
                return bad(p, t[i], "bad endian");
            if (flag_option(p, v) != NS_OK)
                return NS_ERR_INVAL;
        } else if (tok_is(w, "string") && !(p->y.flags & RULE_BYTE_STRING)) {
            p->y.flags |= RULE_BYTE_STRING;
            if (set_base(p, v) != NS_OK)
                return NS_ERR_INVAL;
        } else if (tok_is(w, "bitmask") && v.n) {
            if (set_bitmask(p, v, true) != NS_OK)
                return NS_ERR_INVAL;
        } else if ((tok_is(w, "relative") || tok_is(w, "dce")) && v.n == 0) {
            if (flag_option(p, w) != NS_OK)
                return NS_ERR_INVAL;
        } else {
            return bad(p, t[i], "unknown or repeated byte_math option");
        }
    }
    if (!have_bytes || !have_off || !have_oper || !have_rv || result->n == 0)
        return rules_fail(p->b, RULE_SKIP_BAD_VALUE, p->kw,
                          "byte_math needs bytes, offset, oper, rvalue and result");
    if ((p->y.op == RULE_BYTE_SHL || p->y.op == RULE_BYTE_SHR) &&
        !(p->y.flags & RULE_BYTE_NBYTES_VAR) && p->y.nbytes > 4)
        return rules_fail(p->b, RULE_SKIP_BAD_VALUE, p->kw, "bytes over 4 with a shift");
    return NS_OK;
}

/* nbytes: a number within the keyword's limits, or a variable (byte_test
 * and byte_jump; checked when the value is known). */
static int parse_nbytes(struct byte_parse *p, struct tok t)
{
    uint64_t x;
    bool var_ok = p->kind == RULE_ITEM_BYTE_TEST || p->kind == RULE_ITEM_BYTE_JUMP;
    int r = var_ok ? num_or_var(p->b, p->kw, t, &x, dec_u8) : dec_u8(t, &x) ? 1 : 0;
    if (r < 0)
        return NS_ERR_INVAL;
    if (r == 0)
        return bad(p, t, "bad number of bytes");
    p->y.nbytes = (uint8_t)x;
    if (r == 2)
        p->y.flags |= RULE_BYTE_NBYTES_VAR;
    return NS_OK;
}

/* The number of bytes against the form: numbers 1..8 (byte_jump 0..8:
 * nothing read, only jumped), strings up to 23 digits (byte_extract: as
 * many as fit 64 bits in its base).  A string of byte_test or byte_jump
 * may have 0: the number runs as far as its digits do (Suricata reads it
 * with strtoull then; ET Open tests http.content_len so). */
static int check_nbytes(struct byte_parse *p)
{
    const struct rule_byte *y = &p->y;
    if (y->flags & RULE_BYTE_NBYTES_VAR)
        return NS_OK;
    bool test_jump = p->kind == RULE_ITEM_BYTE_JUMP || p->kind == RULE_ITEM_BYTE_TEST;
    unsigned max = 8, min = p->kind == RULE_ITEM_BYTE_JUMP ? 0 : 1;
    if (y->flags & RULE_BYTE_STRING) {
        min = test_jump ? 0 : 1;
        max = 23;
        if (p->kind == RULE_ITEM_BYTE_EXTRACT)
            max = y->base == 16 ? 14 : y->base == 10 ? 20 : 23;
        else if (p->kind == RULE_ITEM_BYTE_MATH)
            max = 10;
    } else if (p->kind == RULE_ITEM_BYTE_MATH) {
        max = 10;                          /* 9 and 10 load but never match (Suricata) */
    }
    if (y->nbytes < min || y->nbytes > max)
        return rules_fail(p->b, RULE_SKIP_BAD_VALUE, p->kw, "%u bytes%s: %u..%u allowed",
                          y->nbytes, (y->flags & RULE_BYTE_STRING) ? " of string" : "", min,
                          max);
    return NS_OK;
}

int rules_byte_keyword(struct rule_build *b, enum rule_item_kind kind, const char *name,
                       const char *v, size_t n, bool hasv)
{
    rules_trim(&v, &n);
    if (!hasv || n == 0)
        return rules_fail(b, RULE_SKIP_BAD_VALUE, name, "%s needs a value", name);
    struct byte_parse p = { .b = b, .kind = kind, .kw = name, .y = { .multiplier = 1 } };
    struct tok t[BYTE_MAX_TOKENS], result = { "", 0 };
    unsigned nt;
    if (!split(v, n, t, BYTE_MAX_TOKENS, &nt))
        return rules_fail(b, RULE_SKIP_BAD_VALUE, name, "too many %s options", name);
    int rc;
    switch (kind) {
    case RULE_ITEM_BYTE_TEST:
        rc = parse_nbytes(&p, t[0]) == NS_OK ? parse_test(&p, t, nt) : NS_ERR_INVAL;
        break;
    case RULE_ITEM_BYTE_JUMP:
        rc = parse_nbytes(&p, t[0]) == NS_OK ? parse_jump(&p, t, nt) : NS_ERR_INVAL;
        break;
    case RULE_ITEM_BYTE_EXTRACT:
        rc = parse_nbytes(&p, t[0]) == NS_OK ? parse_extract(&p, t, nt) : NS_ERR_INVAL;
        if (rc == NS_OK)
            result = t[2];
        break;
    default:
        rc = parse_math(&p, t, nt, &result);
        break;
    }
    if (rc != NS_OK || check_nbytes(&p) != NS_OK)
        return NS_ERR_INVAL;
    if (p.have_base && !(p.y.flags & RULE_BYTE_STRING))
        return rules_fail(b, RULE_SKIP_BAD_VALUE, name, "a string base without string");
    enum rule_buf list = rules_item_list(b, (p.y.flags & RULE_BYTE_RELATIVE) != 0);
    if (result.n) {
        int slot = var_define(b, name, result, list);
        if (slot < 0)
            return NS_ERR_INVAL;
        p.y.result = (uint8_t)slot;
    }
    struct rule_item *it = rules_add_item(b, name, list);
    if (!it)
        return NS_ERR_INVAL;
    it->kind = kind;
    it->u.byte = p.y;
    return NS_OK;
}
