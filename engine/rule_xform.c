/* engine/rule_xform.c: the transforms (see rule_xform.h and, for what each
 * one does, enum rule_xform_kind).  Each step reads n bytes of src and
 * writes at most cap bytes of dst; the two never overlap.  Only dotprefix
 * and the digests can make the buffer longer, and both check first. */
/* MD5(): deprecated in OpenSSL 3 but shipped, and unlike EVP it hashes
 * without allocating a context (dissect/smtp.c does the same) */
#define OPENSSL_API_COMPAT 0x10100000L
#define PCRE2_CODE_UNIT_WIDTH 8
#include <openssl/md5.h>
#include <openssl/sha.h>
#include <pcre2.h>

#include "engine/rule_xform.h"

static inline uint8_t to_lower(uint8_t c)
{
    return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

static inline uint8_t to_upper(uint8_t c)
{
    return c >= 'a' && c <= 'z' ? (uint8_t)(c - 32) : c;
}

/* strip_whitespace's set (Rust's is_ascii_whitespace: no \v); the
 * compress_whitespace set adds \v, as in Suricata */
static inline bool strip_ws(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

static inline int hexval(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* %XX decoded, '+' a space.  Suricata's url_decode reads a '%' and the
 * byte after it as one step: when that byte is not hex both are kept as
 * they are (so "%%41" stays "%%41" and "%+" keeps its '+'); a first hex
 * digit not followed by a second keeps the three.  Output <= input. */
static size_t url_decode(const uint8_t *s, size_t n, uint8_t *d)
{
    size_t o = 0, i = 0;
    while (i < n) {
        uint8_t c = s[i++];
        if (c != '%') {
            d[o++] = c == '+' ? ' ' : c;
            continue;
        }
        d[o] = '%';
        if (i == n) {
            o++;
            break;
        }
        int hi = hexval(s[i]);
        if (hi < 0 || i + 1 == n) {
            d[o + 1] = s[i++];
            o += 2;
            continue;
        }
        int lo = hexval(s[i + 1]);
        if (lo < 0) {
            d[o + 1] = s[i];
            d[o + 2] = s[i + 1];
            o += 3;
        } else {
            d[o++] = (uint8_t)(hi << 4 | lo);
        }
        i += 2;
    }
    return o;
}

/* header names (each line up to its first ':') lower-cased */
static void header_lowercase(const uint8_t *s, size_t n, uint8_t *d)
{
    bool value = false;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = s[i];
        if (!value) {
            value = c == ':';
            d[i] = to_lower(c);
        } else {
            d[i] = c;
            value = c != '\n';
        }
    }
}

/* every line (with its '\n') that does not start with ':' */
static size_t strip_pseudo(const uint8_t *s, size_t n, uint8_t *d)
{
    size_t o = 0, i = 0;
    while (i < n) {
        const uint8_t *nl = memchr(s + i, '\n', n - i);
        size_t e = nl ? (size_t)(nl - s) + 1 : n;
        if (s[i] != ':') {
            memcpy(d + o, s + i, e - i);
            o += e - i;
        }
        i = e;
    }
    return o;
}

/* to_md5, to_sha1, to_sha256, in that order of enum rule_xform_kind */
static const struct digest {
    unsigned char *(*fn)(const unsigned char *d, size_t n, unsigned char *md);
    size_t len;
} digests[] = {
    { MD5, MD5_DIGEST_LENGTH }, { SHA1, SHA_DIGEST_LENGTH }, { SHA256, SHA256_DIGEST_LENGTH },
};
_Static_assert(RULE_XFORM_TO_SHA1 == RULE_XFORM_TO_MD5 + 1 &&
               RULE_XFORM_TO_SHA256 == RULE_XFORM_TO_MD5 + 2, "digests[] order");

/* the first capture, or the whole match when the regex has none; false
 * when nothing matches (or the capture did not take part) */
static bool pcrexform(const struct rule_xform_scratch *x, const struct rule_xform *xf,
                      const uint8_t *s, size_t n, uint8_t *d, size_t *out)
{
    const pcre2_code *code = xf->code;
    pcre2_match_data *md = x->md;
    int rc = pcre2_match(code, s, n, 0, 0, md, x->mctx);
    if (rc < 0) {
        if (rc != PCRE2_ERROR_NOMATCH)
            (*x->pcre_errors)++;
        return false;
    }
    uint32_t groups = 0;
    (void)pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &groups);
    const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
    PCRE2_SIZE st = groups ? ov[2] : ov[0], en = groups ? ov[3] : ov[1];
    if (st == PCRE2_UNSET || en < st || en > n)
        return false;
    memcpy(d, s + st, en - st);
    *out = en - st;
    return true;
}

bool rule_xform_apply(const struct rule_xform_scratch *x, const struct rule_list *l,
                      const uint8_t **p, size_t *len)
{
    const uint8_t *s = *p;
    size_t n = *len;
    if (n == 0)
        return true;
    if (n > x->cap)
        return false;
    for (uint32_t i = 0; i < l->nxforms; i++) {
        const struct rule_xform *xf = &l->xforms[i];
        uint8_t *d = x->buf[i & 1];
        size_t o = n;
        switch (xf->kind) {
        case RULE_XFORM_DOTPREFIX:
            if (n + 1 > x->cap)
                return false;
            d[0] = '.';
            memcpy(d + 1, s, n);
            o = n + 1;
            break;
        case RULE_XFORM_PCREXFORM:
            if (!pcrexform(x, xf, s, n, d, &o))
                return false;
            break;
        case RULE_XFORM_TO_LOWERCASE:
            for (size_t k = 0; k < n; k++)
                d[k] = to_lower(s[k]);
            break;
        case RULE_XFORM_TO_UPPERCASE:
            for (size_t k = 0; k < n; k++)
                d[k] = to_upper(s[k]);
            break;
        case RULE_XFORM_STRIP_WHITESPACE:
            o = 0;
            for (size_t k = 0; k < n; k++)
                if (!strip_ws(s[k]))
                    d[o++] = s[k];
            break;
        case RULE_XFORM_COMPRESS_WHITESPACE: {
            bool prev = false;
            o = 0;
            for (size_t k = 0; k < n; k++) {
                bool ws = strip_ws(s[k]) || s[k] == '\v';
                if (!ws || !prev)
                    d[o++] = s[k];
                prev = ws;
            }
            break;
        }
        case RULE_XFORM_URL_DECODE:
            o = url_decode(s, n, d);
            break;
        case RULE_XFORM_XOR:
            for (size_t k = 0, q = 0; k < n; k++, q = q + 1 == xf->keylen ? 0 : q + 1)
                d[k] = s[k] ^ xf->key[q];
            break;
        case RULE_XFORM_TO_MD5:
        case RULE_XFORM_TO_SHA1:
        case RULE_XFORM_TO_SHA256: {
            const struct digest *dg = &digests[xf->kind - RULE_XFORM_TO_MD5];
            if (x->cap < dg->len)
                return false;
            dg->fn(s, n, d);
            o = dg->len;
            break;
        }
        case RULE_XFORM_HEADER_LOWERCASE:
            header_lowercase(s, n, d);
            break;
        case RULE_XFORM_STRIP_PSEUDO_HEADERS:
            o = strip_pseudo(s, n, d);
            break;
        }
        s = d;
        n = o;
        if (n == 0)
            break;                     /* the rest would leave it empty */
    }
    *p = s;
    *len = n;
    return true;
}
