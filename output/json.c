/* output/json.c: the fixed-buffer JSON writer (see json.h).
 *
 * Every write first reserves what it needs (separator, quoted key and, for
 * scalars, the longest possible value), so a value is written whole or not
 * at all.  The first failed reservation sets jb->overflow, which is sticky:
 * later writes do nothing and json_finish() returns 0, so the caller never
 * ships a record that was cut short.  Misuse that would produce invalid
 * JSON (closing at depth 0, nesting deeper than JSON_MAX_DEPTH) is treated
 * the same way.
 *
 * Strings are the hot part.  A 256-entry class table splits bytes into
 * "copy as is" (printable ASCII other than '"' and '\\'), "escape" (control
 * characters, DEL, '"', '\\') and "non-ASCII"; runs of the first class are
 * found 8 bytes at a time (a word test), then one table lookup per byte,
 * and copied with one memcpy.  Non-ASCII
 * bytes are checked against the well-formed UTF-8 table of RFC 3629
 * section 4 (no overlong forms, no surrogates D800-DFFF, nothing above
 * U+10FFFF): well-formed sequences are copied.  A string that is not
 * well-formed UTF-8 as a whole is written again from its start with every
 * byte of 0x80 and above as the 4 characters \xNN (JSON "\\xNN", lowercase
 * hex), as Suricata writes such a string (its JSON builder's
 * string_from_bytes): the same bytes give the same text in both, and the
 * text is always valid JSON in valid UTF-8.  The restart costs a second
 * pass over invalid strings only.  Note that a literal backslash-x-digits
 * text in the input reads back the same as an escaped byte; EVE consumers
 * live with that, as with Suricata's output. */
#include "output/json.h"

enum { JC_COPY = 0, JC_ESC = 1, JC_HIGH = 2 };

/* Class of each byte: JC_COPY, JC_ESC or JC_HIGH. */
static const uint8_t json_class[256] = {
    /* 0x00 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    /* 0x10 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    /* 0x20 */ 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,   /* '"' */
    /* 0x30 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 0x40 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 0x50 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,   /* '\\' */
    /* 0x60 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 0x70 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,   /* DEL */
    /* 0x80 */ 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    /* 0x90 */ 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    /* 0xa0 */ 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    /* 0xb0 */ 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    /* 0xc0 */ 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    /* 0xd0 */ 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    /* 0xe0 */ 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    /* 0xf0 */ 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
};

/* Two-character escapes for the JC_ESC bytes that have one (RFC 8259
 * section 7); 0 means \u00XX. */
static const char json_short_esc[0x60] = {
    [0x08] = 'b', [0x09] = 't', [0x0a] = 'n', [0x0c] = 'f', [0x0d] = 'r',
    ['"'] = '"', ['\\'] = '\\',
};

static const char json_hex[16] = "0123456789abcdef";

static const char json_digits2[200] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

#define JSON_U64_MAX_DIGITS 20

static const uint64_t json_pow10[20] = {
    1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull, 10000000ull,
    100000000ull, 1000000000ull, 10000000000ull, 100000000000ull, 1000000000000ull,
    10000000000000ull, 100000000000000ull, 1000000000000000ull, 10000000000000000ull,
    100000000000000000ull, 1000000000000000000ull, 10000000000000000000ull,
};

/* Decimal digits of v at out; returns how many (1..20).  The count comes
 * first (bit length * log10(2), corrected by one comparison), so the digits
 * are written in place, two at a time from the end. */
static size_t json_fmt_u64(char *out, uint64_t v)
{
    unsigned bits = 64u - (unsigned)__builtin_clzll(v | 1);
    size_t t = (bits * 1233u) >> 12;                /* about log10(2^bits), <= 19 */
    size_t n = t + 1 - ((v | 1) < json_pow10[t]);
    char *p = out + n;
    while (v >= 100) {
        unsigned i = (unsigned)(v % 100) * 2;
        v /= 100;
        p -= 2;
        memcpy(p, json_digits2 + i, 2);
    }
    if (v >= 10) {
        p -= 2;
        memcpy(p, json_digits2 + v * 2, 2);
    } else {
        *--p = (char)('0' + v);
    }
    return n;
}

void json_init(struct json_buf *jb, char *buf, size_t cap)
{
    jb->buf = buf;
    jb->cap = buf ? cap : 0;
    jb->len = 0;
    jb->overflow = false;
    jb->depth = 0;
    jb->need_comma = 0;
}

static inline bool json_fail(struct json_buf *jb)
{
    jb->overflow = true;
    return false;
}

/* Writes the separator and '"key":' (key NULL: just the separator), with
 * room for `extra` more bytes guaranteed after it.  False (and nothing
 * written) if the record is already broken or this does not fit. */
static inline bool json_member(struct json_buf *jb, const char *key, size_t klen, size_t extra)
{
    if (unlikely(jb->overflow))
        return false;
    uint64_t bit = 1ull << jb->depth;          /* depth <= JSON_MAX_DEPTH < 64 */
    size_t comma = (jb->need_comma & bit) != 0;
    size_t need = comma + (key ? klen + 3 : 0) + extra;
    if (unlikely(need < extra || jb->cap - jb->len < need))
        return json_fail(jb);
    char *p = jb->buf + jb->len;
    if (comma)
        *p++ = ',';
    if (key) {
        *p++ = '"';
        memcpy(p, key, klen);
        p += klen;
        *p++ = '"';
        *p++ = ':';
    }
    jb->len = (size_t)(p - jb->buf);
    jb->need_comma |= bit;
    return true;
}

static void json_open(struct json_buf *jb, const char *key, size_t klen, char c)
{
    if (!json_member(jb, key, klen, 1))
        return;
    if (unlikely(jb->depth >= JSON_MAX_DEPTH)) {
        json_fail(jb);
        return;
    }
    jb->buf[jb->len++] = c;
    jb->depth++;
    jb->need_comma &= ~(1ull << jb->depth);
}

static void json_close(struct json_buf *jb, char c)
{
    if (unlikely(jb->overflow))
        return;
    if (unlikely(jb->depth == 0 || jb->len == jb->cap)) {
        json_fail(jb);
        return;
    }
    jb->buf[jb->len++] = c;
    jb->depth--;
}

void json_obj_open_n(struct json_buf *jb, const char *key, size_t klen)
{
    json_open(jb, key, klen, '{');
}

void json_obj_close(struct json_buf *jb)
{
    json_close(jb, '}');
}

void json_arr_open_n(struct json_buf *jb, const char *key, size_t klen)
{
    json_open(jb, key, klen, '[');
}

void json_arr_close(struct json_buf *jb)
{
    json_close(jb, ']');
}

/* Length of the well-formed UTF-8 sequence at s (RFC 3629 section 4), or 0
 * if s[0] does not start one within the n bytes available. */
static inline size_t json_utf8_len(const uint8_t *s, size_t n)
{
    uint8_t c = s[0];
    if (c < 0xc2 || c > 0xf4)                   /* continuation, C0/C1 overlong, > U+13FFFF */
        return 0;
    if (c < 0xe0)
        return n >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
    uint8_t lo = 0x80, hi = 0xbf;               /* allowed range of the second byte */
    if (c < 0xf0) {
        if (n < 3)
            return 0;
        if (c == 0xe0)
            lo = 0xa0;                          /* overlong below U+0800 */
        else if (c == 0xed)
            hi = 0x9f;                          /* surrogates D800-DFFF */
        return s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 ? 3 : 0;
    }
    if (n < 4)
        return 0;
    if (c == 0xf0)
        lo = 0x90;                              /* overlong below U+10000 */
    else if (c == 0xf4)
        hi = 0x8f;                              /* above U+10FFFF */
    return s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 && (s[3] & 0xc0) == 0x80 ? 4 : 0;
}

/* True if none of the 8 bytes in w needs attention: each is printable
 * ASCII other than '"' and '\\'.  Exact (no false "plain"): a byte below
 * 0x20 is found by the borrow trick of "Bit Twiddling Hacks" (hasless),
 * the three single bytes by hasless(w ^ c, 1), and 0x80-0xff by the top
 * bits.  Byte order does not matter. */
static inline bool json_word_plain(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\'), d = w ^ (ones * 0x7f);
    uint64_t hit = ((w - ones * 0x20) & ~w) | ((q - ones) & ~q) | ((b - ones) & ~b) |
                   ((d - ones) & ~d) | w;
    return (hit & high) == 0;
}

/* Quoted, escaped s at jb->len; json_member reserved the two quotes. */
static void json_put_str(struct json_buf *jb, const uint8_t *s, size_t n)
{
    char *start = jb->buf + jb->len + 1;        /* after the opening quote */
    char *p = start;
    char *lim = jb->buf + jb->cap - 1;          /* keep room for the closing quote */
    size_t i = 0;
    bool bytes = false;                         /* s is not valid UTF-8 */

    start[-1] = '"';
    while (i < n) {
        size_t j = i;
        while (n - j >= 8) {                    /* 8 plain bytes at a time */
            uint64_t w;
            memcpy(&w, s + j, 8);
            if (!json_word_plain(w))
                break;
            j += 8;
        }
        while (j < n && json_class[s[j]] == JC_COPY)
            j++;
        if (j > i) {
            size_t run = j - i;
            if (unlikely((size_t)(lim - p) < run))
                goto full;
            memcpy(p, s + i, run);
            p += run;
            i = j;
            if (i == n)
                break;
        }
        uint8_t c = s[i];
        if (json_class[c] == JC_ESC) {
            if (unlikely(lim - p < 6))
                goto full;
            *p++ = '\\';
            char e = c < sizeof(json_short_esc) ? json_short_esc[c] : 0;
            if (e) {
                *p++ = e;
            } else {                            /* other C0 controls and DEL */
                memcpy(p, "u00", 3);
                p[3] = json_hex[c >> 4];
                p[4] = json_hex[c & 15];
                p += 5;
            }
            i++;
            continue;
        }
        size_t ul = bytes ? 0 : json_utf8_len(s + i, n - i);
        if (ul) {
            if (unlikely((size_t)(lim - p) < ul))
                goto full;
            memcpy(p, s + i, ul);
            p += ul;
            i += ul;
        } else if (!bytes) {                    /* invalid: the whole string again */
            bytes = true;
            p = start;
            i = 0;
        } else {                                /* one byte as the text \xNN */
            if (unlikely(lim - p < 5))
                goto full;
            memcpy(p, "\\\\x", 3);
            p[3] = json_hex[c >> 4];
            p[4] = json_hex[c & 15];
            p += 5;
            i++;
        }
    }
    *p++ = '"';
    jb->len = (size_t)(p - jb->buf);
    return;
full:
    json_fail(jb);
}

void json_strn_k(struct json_buf *jb, const char *key, size_t klen, const uint8_t *s, size_t n)
{
    if (!s) {
        json_null_k(jb, key, klen);
        return;
    }
    if (!json_member(jb, key, klen, 2))
        return;
    json_put_str(jb, s, n);
}

void json_u64_k(struct json_buf *jb, const char *key, size_t klen, uint64_t v)
{
    if (!json_member(jb, key, klen, JSON_U64_MAX_DIGITS))
        return;
    jb->len += json_fmt_u64(jb->buf + jb->len, v);
}

void json_i64_k(struct json_buf *jb, const char *key, size_t klen, int64_t v)
{
    if (!json_member(jb, key, klen, JSON_U64_MAX_DIGITS + 1))
        return;
    uint64_t u = (uint64_t)v;
    if (v < 0) {
        jb->buf[jb->len++] = '-';
        u = 0 - u;                              /* well defined for INT64_MIN */
    }
    jb->len += json_fmt_u64(jb->buf + jb->len, u);
}

void json_raw_k(struct json_buf *jb, const char *key, size_t klen, const char *raw, size_t n)
{
    if (!json_member(jb, key, klen, n))
        return;
    if (n) {
        memcpy(jb->buf + jb->len, raw, n);
        jb->len += n;
    }
}

void json_bool_k(struct json_buf *jb, const char *key, size_t klen, bool v)
{
    if (v)
        json_raw_k(jb, key, klen, "true", 4);
    else
        json_raw_k(jb, key, klen, "false", 5);
}

void json_null_k(struct json_buf *jb, const char *key, size_t klen)
{
    json_raw_k(jb, key, klen, "null", 4);
}

size_t json_finish(struct json_buf *jb)
{
    if (jb->overflow || jb->depth != 0 || jb->len == 0)
        return 0;
    if (jb->len == jb->cap) {
        json_fail(jb);
        return 0;
    }
    jb->buf[jb->len++] = '\n';
    return jb->len;
}
