/* engine/rules_xform.c: the transform keywords (dotprefix, pcrexform,
 * to_lowercase, to_uppercase, strip_whitespace, compress_whitespace,
 * url_decode, xor, to_md5, to_sha1, to_sha256, header_lowercase,
 * strip_pseudo_headers).
 *
 * A transform follows a sticky buffer, before any match on it; several
 * chain in rule order.  The list keeps the chain (struct rule_xform) and
 * rule_match applies it to a copy of the buffer.  As Suricata does, a
 * content the chain can never produce (upper case after to_lowercase,
 * whitespace after strip_whitespace, ...) fails the rule.
 *
 * The prefilter scans raw buffers, so the fast pattern of a transformed
 * list is checked here against what a match of the transformed buffer
 * proves about the raw one (rules_xform_fp, struct rule_fp). */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>

#include "engine/rules_int.h"

static const char *const xform_names[] = {
    [RULE_XFORM_DOTPREFIX] = "dotprefix",
    [RULE_XFORM_PCREXFORM] = "pcrexform",
    [RULE_XFORM_TO_LOWERCASE] = "to_lowercase",
    [RULE_XFORM_TO_UPPERCASE] = "to_uppercase",
    [RULE_XFORM_STRIP_WHITESPACE] = "strip_whitespace",
    [RULE_XFORM_COMPRESS_WHITESPACE] = "compress_whitespace",
    [RULE_XFORM_URL_DECODE] = "url_decode",
    [RULE_XFORM_XOR] = "xor",
    [RULE_XFORM_TO_MD5] = "to_md5",
    [RULE_XFORM_TO_SHA1] = "to_sha1",
    [RULE_XFORM_TO_SHA256] = "to_sha256",
    [RULE_XFORM_HEADER_LOWERCASE] = "header_lowercase",
    [RULE_XFORM_STRIP_PSEUDO_HEADERS] = "strip_pseudo_headers",
};

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)(c | 0x20);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The value between mandatory (pcrexform) or optional (xor) quotes. */
static bool unquote(const char **v, size_t *n, bool mandatory)
{
    rules_trim(v, n);
    if (*n >= 2 && (*v)[0] == '"' && (*v)[*n - 1] == '"') {
        (*v)++;
        *n -= 2;
        return true;
    }
    return !mandatory && *n && (*v)[0] != '"' && (*v)[*n - 1] != '"';
}

static int xform_pcre(struct rule_build *b, const char *name, const char *v, size_t n,
                      struct rule_xform *x)
{
    /* the regex as written between the quotes: no flags, no escapes undone
     * (PCRE2 reads "\;" as ';') */
    if (!unquote(&v, &n, true) || n == 0)
        return rules_fail(b, RULE_SKIP_BAD_VALUE, name, "pcrexform needs a quoted regex");
    int err = 0;
    PCRE2_SIZE eoff = 0;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)v, n, 0, &err, &eoff, NULL);
    if (!code) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(err, msg, sizeof(msg));
        return rules_fail(b, RULE_SKIP_BAD_VALUE, name, "pcrexform does not compile at %zu: %s",
                          (size_t)eoff, (const char *)msg);
    }
    uint32_t id;                 /* an id no pcre item has: PCRE2 runs it */
    if (rules_pcre_keep(b, code, &id) != NS_OK)
        return NS_ERR_INVAL;
    (void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);   /* interpreter otherwise */
    x->code = code;
    return NS_OK;
}

static int xform_xor(struct rule_build *b, const char *name, const char *v, size_t n,
                     struct rule_xform *x)
{
    bool ok = unquote(&v, &n, false);
    /* Suricata 8's "offset N,<key>" and keys read from the buffer */
    static const char *const later[] = { "offset ", "var ", "extract " };
    for (size_t i = 0; ok && i < NS_ARRAY_LEN(later); i++)
        if (n > strlen(later[i]) && memcmp(v, later[i], strlen(later[i])) == 0)
            return rules_fail(b, RULE_SKIP_UNSUPPORTED_KEYWORD, name,
                              "xor with an offset or a key from the buffer is not supported");
    if (!ok || n == 0 || n % 2 || n / 2 > 255)
        return rules_fail(b, RULE_SKIP_BAD_VALUE, name,
                          "xor needs a key of 1..255 bytes in hex, e.g. \"0d0ac8ff\"");
    uint8_t *key = rules_arena_alloc(b->arena, n / 2);
    if (!key)
        return rules_fail(b, RULE_SKIP_TOO_LARGE, name, "out of memory");
    for (size_t i = 0; i < n; i += 2) {
        int hi = hexval(v[i]), lo = hexval(v[i + 1]);
        if (hi < 0 || lo < 0)
            return rules_fail(b, RULE_SKIP_BAD_VALUE, name, "xor key '%.*s' is not hex",
                              (int)(n > 40 ? 40 : n), v);
        key[i / 2] = (uint8_t)(hi << 4 | lo);
    }
    x->key = key;
    x->keylen = (uint32_t)(n / 2);
    return NS_OK;
}

int rules_xform_keyword(struct rule_build *b, enum rule_xform_kind kind, const char *name,
                        const char *v, size_t n, bool hasv)
{
    bool takes_value = kind == RULE_XFORM_PCREXFORM || kind == RULE_XFORM_XOR;
    const char *tv = v;
    size_t tn = n;
    rules_trim(&tv, &tn);
    if (takes_value && (!hasv || tn == 0))
        return rules_fail(b, RULE_SKIP_BAD_VALUE, name, "%s needs a value", name);
    if (!takes_value && tn)
        return rules_fail(b, RULE_SKIP_BAD_VALUE, name, "%s takes no value", name);
    enum rule_buf buf = b->sticky;
    if (buf == RULE_BUF_PAYLOAD || !b->sticky_fresh)
        return rules_fail(b, RULE_SKIP_BAD_VALUE, name, "%s must directly follow a sticky buffer",
                          name);
    /* Suricata makes "buffer; transform" after matches of that buffer a
     * second instance of it; one list per buffer kind cannot */
    for (uint32_t i = 0; i < b->nitems; i++)
        if (b->item_buf[i] == buf)
            return rules_fail(b, RULE_SKIP_UNSUPPORTED_BUFFER, name,
                              "%s on %s named again after matches on it", name, rule_buf_name(buf));
    if (b->nxforms[buf] >= RULE_MAX_XFORMS)
        return rules_fail(b, RULE_SKIP_TOO_LARGE, name, "more than %u transforms on %s",
                          RULE_MAX_XFORMS, rule_buf_name(buf));
    struct rule_xform *x = &b->xforms[buf][b->nxforms[buf]];
    memset(x, 0, sizeof(*x));
    x->kind = kind;
    if (kind == RULE_XFORM_PCREXFORM && xform_pcre(b, name, v, n, x) != NS_OK)
        return NS_ERR_INVAL;
    if (kind == RULE_XFORM_XOR && xform_xor(b, name, v, n, x) != NS_OK)
        return NS_ERR_INVAL;
    b->nxforms[buf]++;
    return NS_OK;
}

/* ---- what the chain allows ---- */

static bool any_byte(const struct rule_content *c, bool (*pred)(uint8_t))
{
    for (uint32_t i = 0; i < c->len; i++)
        if (pred(c->bytes[i]))
            return true;
    return false;
}

static bool is_upper(uint8_t ch) { return ch >= 'A' && ch <= 'Z'; }
static bool is_lower(uint8_t ch) { return ch >= 'a' && ch <= 'z'; }
/* the whitespace of strip_whitespace (Rust's is_ascii_whitespace: no \v) */
static bool is_strip_ws(uint8_t ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\f' || ch == '\r';
}

static bool compress_ws(uint8_t ch)
{
    return is_strip_ws(ch) || ch == '\v';
}

const char *rules_xform_rejects(const struct rule_build *b, enum rule_buf buf,
                                const struct rule_content *c)
{
    for (unsigned i = 0; i < b->nxforms[buf]; i++) {
        enum rule_xform_kind k = b->xforms[buf][i].kind;
        bool bad = false;
        if (k == RULE_XFORM_TO_LOWERCASE)
            bad = any_byte(c, is_upper);
        else if (k == RULE_XFORM_TO_UPPERCASE)
            bad = any_byte(c, is_lower);
        else if (k == RULE_XFORM_STRIP_WHITESPACE)
            bad = any_byte(c, is_strip_ws);
        else if (k == RULE_XFORM_COMPRESS_WHITESPACE)
            for (uint32_t q = 1; q < c->len && !bad; q++)
                bad = compress_ws(c->bytes[q - 1]) && compress_ws(c->bytes[q]);
        if (bad)
            return xform_names[k];
    }
    return NULL;
}

/* A match of the transformed buffer proves the raw one holds the pattern
 * only through transforms that keep bytes in place: pcrexform outputs a
 * substring, the case changes keep every byte up to case (so the raw
 * buffer is scanned caselessly), dotprefix adds dots in front (so a
 * pattern's own leading dots may be those: they are dropped).  Any other
 * transform rewrites bytes the pattern may have come from. */
void rules_xform_fp(const struct rule_list *l, struct rule_fp *fp)
{
    uint32_t dots = 0;
    for (uint32_t i = 0; i < l->nxforms; i++) {
        switch (l->xforms[i].kind) {
        case RULE_XFORM_PCREXFORM:
            break;
        case RULE_XFORM_TO_LOWERCASE:
        case RULE_XFORM_TO_UPPERCASE:
            fp->nocase = true;
            break;
        case RULE_XFORM_DOTPREFIX:
            dots++;
            break;
        default:
            fp->no_prefilter = true;
            return;
        }
    }
    while (dots && fp->len && fp->bytes[0] == '.') {
        fp->bytes++;
        fp->len--;
        dots--;
    }
    if (fp->len == 0)
        fp->no_prefilter = true;
    fp->short_pattern = fp->len <= 3;
}
