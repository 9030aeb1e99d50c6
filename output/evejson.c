/* output/evejson.c: the strict EVE line reader (see evejson.h).
 *
 * One pass over the bytes with a small state machine and an explicit
 * stack of open containers, so nesting costs a stack slot, not a C frame,
 * and is capped at EVEJSON_MAX_DEPTH.  Every read is checked against the
 * line length first; each token is appended to a fixed array, and a
 * container's `next` is filled in when it closes, so a lookup skips a
 * whole subtree in one step.  A parse touches each byte a bounded number
 * of times: no backtracking, so no input can make it slow. */
#include <stdlib.h>

#include "output/evejson.h"

struct evejson_doc *evejson_create(void)
{
    struct evejson_doc *d = calloc(1, sizeof(*d));
    if (!d)
        return NULL;
    d->tok = calloc(EVEJSON_MAX_TOKENS, sizeof(*d->tok));
    if (!d->tok) {
        free(d);
        return NULL;
    }
    return d;
}

void evejson_destroy(struct evejson_doc *d)
{
    if (!d)
        return;
    free(d->tok);
    free(d);
}

static size_t evejson_skip_ws(const char *s, size_t len, size_t i)
{
    while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    return i;
}

static int evejson_hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

static bool evejson_is_digit(char c) { return c >= '0' && c <= '9'; }

/* The string starting at the quote s[i]; returns the offset after the
 * closing quote, or 0 with *err set. */
static size_t evejson_scan_string(const char *s, size_t len, size_t i, const char **err)
{
    /* 8 bytes at a time while none is '"', '\\' or a control character
     * (the has-zero-byte and has-less-than word tests) */
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    for (i++; len - i >= 8; i += 8) {
        uint64_t v;
        memcpy(&v, s + i, 8);
        uint64_t q = v ^ (ones * '"'), b = v ^ (ones * '\\');
        uint64_t hit = ((q - ones) & ~q) | ((b - ones) & ~b) | ((v - ones * 0x20) & ~v);
        if (hit & highs)
            break;
    }
    for (; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"')
            return i + 1;
        if (c < 0x20) {
            *err = "control character in a string";
            return 0;
        }
        if (c != '\\')
            continue;
        if (++i >= len)
            break;
        switch (s[i]) {
        case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
            break;
        case 'u':
            if (len - i <= 4) {
                *err = "truncated \\u escape";
                return 0;
            }
            for (int k = 1; k <= 4; k++)
                if (evejson_hexval(s[i + k]) < 0) {
                    *err = "bad \\u escape";
                    return 0;
                }
            i += 4;
            break;
        default:
            *err = "bad escape in a string";
            return 0;
        }
    }
    *err = "unterminated string";
    return 0;
}

/* RFC 8259 section 6; returns the offset after the number, or 0. */
static size_t evejson_scan_number(const char *s, size_t len, size_t i, const char **err)
{
    size_t st = i;
    if (i < len && s[i] == '-')
        i++;
    if (i >= len || !evejson_is_digit(s[i]))
        goto bad;
    if (s[i] == '0')
        i++;
    else
        while (i < len && evejson_is_digit(s[i]))
            i++;
    if (i < len && s[i] == '.') {
        i++;
        if (i >= len || !evejson_is_digit(s[i]))
            goto bad;
        while (i < len && evejson_is_digit(s[i]))
            i++;
    }
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i >= len || !evejson_is_digit(s[i]))
            goto bad;
        while (i < len && evejson_is_digit(s[i]))
            i++;
    }
    return i;
bad:
    (void)st;
    *err = "bad number";
    return 0;
}

/* true, false or null at s[i]; returns the offset after it, or 0. */
static size_t evejson_scan_literal(const char *s, size_t len, size_t i, uint8_t *type)
{
    static const struct { const char *w; size_t n; uint8_t type; } lits[] = {
        { "true", 4, EVEJSON_TRUE }, { "false", 5, EVEJSON_FALSE }, { "null", 4, EVEJSON_NULL },
    };
    for (size_t k = 0; k < NS_ARRAY_LEN(lits); k++)
        if (len - i >= lits[k].n && !memcmp(s + i, lits[k].w, lits[k].n)) {
            *type = lits[k].type;
            return i + lits[k].n;
        }
    return 0;
}

/* A string token (key or value) for the quote at s[i]: the text between
 * the quotes.  Returns the offset after the closing quote, or 0. */
static size_t evejson_string_tok(struct evejson_tok *t, const char *s, size_t len, size_t i, const char **err)
{
    size_t e = evejson_scan_string(s, len, i, err);
    if (e) {
        t->type = EVEJSON_STRING;
        t->off = (uint32_t)(i + 1);
        t->len = (uint32_t)(e - i - 2);
    }
    return e;
}

enum { ST_VALUE, ST_VALUE_OR_CLOSE, ST_KEY, ST_KEY_OR_CLOSE, ST_AFTER };

static int evejson_fail(struct evejson_doc *d, const char *why, size_t off)
{
    d->err = why;
    d->err_off = off;
    d->ntok = 0;
    return NS_ERR_INVAL;
}

int evejson_parse(struct evejson_doc *d, const char *line, size_t len)
{
    uint32_t stack[EVEJSON_MAX_DEPTH];
    unsigned sp = 0;
    int st = ST_VALUE;
    const char *err = NULL;

    d->line = line;
    d->len = len;
    d->ntok = 0;
    d->err = NULL;
    d->err_off = 0;
    if (len >= UINT32_MAX)
        return evejson_fail(d, "line too long", 0);
    size_t i = evejson_skip_ws(line, len, 0);
    if (i >= len)
        return evejson_fail(d, "empty line", i);
    if (line[i] != '{')
        return evejson_fail(d, "not a JSON object", i);

    for (;;) {
        if (st == ST_AFTER && sp == 0)
            break;              /* the top-level object closed */
        i = evejson_skip_ws(line, len, i);
        if (i >= len)
            return evejson_fail(d, sp ? "truncated: unclosed object or array" : "truncated", i);
        char c = line[i];
        if (st == ST_AFTER) {
            struct evejson_tok *top = &d->tok[stack[sp - 1]];
            bool obj = top->type == EVEJSON_OBJECT;
            if (c == ',') {
                st = obj ? ST_KEY : ST_VALUE;
                i++;
                continue;
            }
            if (c != (obj ? '}' : ']'))
                return evejson_fail(d, obj ? "expected ',' or '}'" : "expected ',' or ']'", i);
            goto close;
        }
        if ((st == ST_VALUE_OR_CLOSE && c == ']') || (st == ST_KEY_OR_CLOSE && c == '}'))
            goto close;
        if (d->ntok >= EVEJSON_MAX_TOKENS)
            return evejson_fail(d, "too many values", i);
        struct evejson_tok *t = &d->tok[d->ntok];
        t->off = (uint32_t)i;
        t->next = d->ntok + 1;
        if (st == ST_KEY || st == ST_KEY_OR_CLOSE) {
            if (c != '"')
                return evejson_fail(d, "expected a key", i);
            size_t e = evejson_string_tok(t, line, len, i, &err);
            if (!e)
                return evejson_fail(d, err, i);
            d->ntok++;
            i = evejson_skip_ws(line, len, e);
            if (i >= len || line[i] != ':')
                return evejson_fail(d, "expected ':'", i);
            i++;
            st = ST_VALUE;
            continue;
        }
        /* a value */
        size_t e;
        switch (c) {
        case '{':
        case '[':
            if (sp >= EVEJSON_MAX_DEPTH)
                return evejson_fail(d, "nested too deeply", i);
            t->type = c == '{' ? EVEJSON_OBJECT : EVEJSON_ARRAY;
            stack[sp++] = d->ntok++;
            st = c == '{' ? ST_KEY_OR_CLOSE : ST_VALUE_OR_CLOSE;
            i++;
            continue;
        case '"':
            e = evejson_string_tok(t, line, len, i, &err);
            if (!e)
                return evejson_fail(d, err, i);
            break;
        case 't':
        case 'f':
        case 'n':
            e = evejson_scan_literal(line, len, i, &t->type);
            if (!e)
                return evejson_fail(d, "bad literal", i);
            break;
        default:
            e = evejson_scan_number(line, len, i, &err);
            if (!e)
                return evejson_fail(d, err, i);
            t->type = EVEJSON_NUMBER;
            break;
        }
        if (t->type != EVEJSON_STRING)
            t->len = (uint32_t)(e - i);
        d->ntok++;
        i = e;
        st = ST_AFTER;
        continue;
close:
        {
            struct evejson_tok *ct = &d->tok[stack[--sp]];
            ct->next = d->ntok;
            ct->len = (uint32_t)(i + 1 - ct->off);
            i++;
            st = ST_AFTER;
        }
    }
    if (evejson_skip_ws(line, len, i) != len)
        return evejson_fail(d, "text after the object", i);
    return NS_OK;
}

int evejson_member(const struct evejson_doc *d, int obj, const char *key)
{
    if (obj < 0 || (uint32_t)obj >= d->ntok || d->tok[obj].type != EVEJSON_OBJECT)
        return -1;
    size_t kl = strlen(key);
    uint32_t end = d->tok[obj].next;
    for (uint32_t k = (uint32_t)obj + 1; k + 1 < end; k = d->tok[k + 1].next) {
        const struct evejson_tok *kt = &d->tok[k];
        if (kt->len == kl && !memcmp(d->line + kt->off, key, kl))
            return (int)(k + 1);
    }
    return -1;
}

int evejson_path(const struct evejson_doc *d, int obj, const char *path)
{
    char part[64];
    int t = obj;
    while (t >= 0 && *path) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        if (n >= sizeof(part))
            return -1;
        memcpy(part, path, n);
        part[n] = '\0';
        t = evejson_member(d, t, part);
        path += n + (dot != NULL);
    }
    return t;
}

int evejson_index(const struct evejson_doc *d, int arr, uint32_t i)
{
    if (arr < 0 || (uint32_t)arr >= d->ntok || d->tok[arr].type != EVEJSON_ARRAY)
        return -1;
    uint32_t end = d->tok[arr].next;
    uint32_t k = (uint32_t)arr + 1;
    for (; k < end && i > 0; i--)
        k = d->tok[k].next;
    return k < end ? (int)k : -1;
}

bool evejson_u64(const struct evejson_doc *d, int t, uint64_t *v)
{
    if (t < 0 || (uint32_t)t >= d->ntok || d->tok[t].type != EVEJSON_NUMBER)
        return false;
    const char *p = d->line + d->tok[t].off;
    size_t n = d->tok[t].len;
    if (n == 0 || p[0] == '-')
        return false;
    uint64_t x = 0;
    size_t i = 0;
    for (; i < n && evejson_is_digit(p[i]); i++) {
        unsigned dg = (unsigned)(p[i] - '0');
        x = x > (UINT64_MAX - dg) / 10 ? UINT64_MAX : x * 10 + dg;
    }
    if (i < n && (p[i] == 'e' || p[i] == 'E'))
        return false;               /* 1e3: not what EVE writes for counters */
    if (i < n && p[i] == '.') {
        for (i++; i < n && evejson_is_digit(p[i]); i++)
            ;
        if (i < n)
            return false;
    }
    *v = x;
    return true;
}

static size_t evejson_put_utf8(char *o, uint32_t cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xc0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xe0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        o[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    o[0] = (char)(0xf0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    o[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* The 4 hex digits at p (checked by the tokenizer). */
static uint32_t evejson_hex4(const char *p)
{
    uint32_t v = 0;
    for (int k = 0; k < 4; k++)
        v = v << 4 | (uint32_t)evejson_hexval(p[k]);
    return v;
}

long evejson_str(const struct evejson_doc *d, int t, char *out, size_t cap)
{
    if (t < 0 || (uint32_t)t >= d->ntok || d->tok[t].type != EVEJSON_STRING)
        return -1;
    const char *p = d->line + d->tok[t].off;
    size_t n = d->tok[t].len, o = 0;
    for (size_t i = 0; i < n;) {
        char u8[4];
        size_t ul;
        if (p[i] != '\\') {
            u8[0] = p[i++];
            ul = 1;
        } else {
            /* the tokenizer checked every escape, so i + 1 < n and a \u
             * has its 4 hex digits */
            char e = p[i + 1];
            i += 2;
            switch (e) {
            case 'b': u8[0] = '\b'; ul = 1; break;
            case 'f': u8[0] = '\f'; ul = 1; break;
            case 'n': u8[0] = '\n'; ul = 1; break;
            case 'r': u8[0] = '\r'; ul = 1; break;
            case 't': u8[0] = '\t'; ul = 1; break;
            case 'u': {
                uint32_t cp = evejson_hex4(p + i);
                i += 4;
                if (cp >= 0xd800 && cp < 0xdc00 && n - i >= 6 && p[i] == '\\' && p[i + 1] == 'u') {
                    uint32_t lo = evejson_hex4(p + i + 2);
                    if (lo >= 0xdc00 && lo < 0xe000) {
                        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                        i += 6;
                    }
                }
                if (cp >= 0xd800 && cp < 0xe000)
                    cp = 0xfffd;        /* a lone surrogate */
                ul = evejson_put_utf8(u8, cp);
                break;
            }
            default: u8[0] = e; ul = 1; break;   /* " \ / */
            }
        }
        if (cap - o < ul)
            break;
        memcpy(out + o, u8, ul);
        o += ul;
    }
    return (long)o;
}

bool evejson_str_eq(const struct evejson_doc *d, int t, const char *s)
{
    if (t < 0 || (uint32_t)t >= d->ntok || d->tok[t].type != EVEJSON_STRING)
        return false;
    size_t n = strlen(s);
    return d->tok[t].len == n && !memcmp(d->line + d->tok[t].off, s, n);
}
