/* dissect/x509.c: the bounded DER walker behind x509_parse (see x509.h).
 *
 * DER (X.690): one identifier octet (the high-tag-number form 0x1f is not
 * used by anything read here and is rejected), then a definite length --
 * short form, or long form of 1..4 octets -- that must fit inside what
 * encloses it.  Each read goes through der_get(), which checks before it
 * reads and only ever narrows the window, so nothing can point past the
 * certificate whatever the lengths claim.  The structure walked is the
 * fixed shape of RFC 5280 section 4.1: Certificate, TBSCertificate (the
 * fields up to subjectPublicKeyInfo, then the optional unique IDs and
 * extensions, checked for shape only), signatureAlgorithm and the
 * signature BIT STRING.  Names are SEQUENCE OF SET OF SEQUENCE {OID, ANY};
 * loops over them end when the enclosing window is used up. */
#include "dissect/x509.h"

static const char *const x509_err_names[] = {
#define X509_ERR_NAME(id, name) name,
    X509_ERRORS(X509_ERR_NAME)
#undef X509_ERR_NAME
};

const char *x509_err_name(unsigned e)
{
    return e < X509_ERR_MAX ? x509_err_names[e] : "unknown";
}

#define DER_BOOLEAN      0x01
#define DER_INTEGER      0x02
#define DER_BIT_STRING   0x03
#define DER_OCTET_STRING 0x04
#define DER_OID          0x06
#define DER_OBJECT_DESC  0x07
#define DER_UTF8STRING   0x0c
#define DER_NUMERIC      0x12
#define DER_PRINTABLE    0x13
#define DER_T61          0x14
#define DER_VIDEOTEX     0x15
#define DER_IA5          0x16
#define DER_UTCTIME      0x17
#define DER_GENTIME      0x18
#define DER_GRAPHIC      0x19
#define DER_VISIBLE      0x1a
#define DER_GENERAL      0x1b
#define DER_BMP          0x1e
#define DER_SEQUENCE     0x30
#define DER_SET          0x31
#define DER_CTX0         0xa0   /* [0] EXPLICIT version */
#define DER_CTX1_PRIM    0x81   /* [1] IMPLICIT issuerUniqueID */
#define DER_CTX2_PRIM    0x82   /* [2] IMPLICIT subjectUniqueID */
#define DER_CTX3         0xa3   /* [3] EXPLICIT extensions */

/* A window of bytes still to read. */
struct der {
    const uint8_t *p;
    size_t n;
};

/* Takes the next TLV off the front of d: its tag and its value window. */
static bool der_get(struct der *d, uint8_t *tag, struct der *val)
{
    if (d->n < 2)
        return false;
    uint8_t t = d->p[0];
    if ((t & 0x1f) == 0x1f)
        return false;
    size_t len = d->p[1], hdr = 2;
    if (len & 0x80) {
        size_t k = len & 0x7f;
        if (k == 0 || k > 4 || d->n - 2 < k)  /* 0: indefinite, BER only */
            return false;
        len = 0;
        for (size_t i = 0; i < k; i++)
            len = len << 8 | d->p[2 + i];
        hdr += k;
    }
    if (len > d->n - hdr)
        return false;
    *tag = t;
    val->p = d->p + hdr;
    val->n = len;
    d->p += hdr + len;
    d->n -= hdr + len;
    return true;
}

static bool der_expect(struct der *d, uint8_t tag, struct der *val)
{
    uint8_t t;
    return der_get(d, &t, val) && t == tag;
}

static bool der_peek(const struct der *d, uint8_t tag)
{
    return d->n > 0 && d->p[0] == tag;
}

/* Text into a fixed buffer; once something does not fit, the text stops
 * at the last whole UTF-8 character and trunc is set. */
struct x509_txt {
    char *buf;
    size_t cap, len;
    bool trunc;
};

static void txt_put(struct x509_txt *t, const void *s, size_t n)
{
    if (t->trunc)
        return;
    if (n <= t->cap - t->len) {
        memcpy(t->buf + t->len, s, n);
        t->len += n;
        return;
    }
    size_t room = t->cap - t->len;
    memcpy(t->buf + t->len, s, room);
    t->len += room;
    t->trunc = true;
    /* drop a character cut in half: back to its lead byte */
    size_t back = 0;
    while (back < 4 && back < t->len &&
           ((uint8_t)t->buf[t->len - 1 - back] & 0xc0) == 0x80)
        back++;
    if (back < t->len) {
        uint8_t lead = (uint8_t)t->buf[t->len - 1 - back];
        size_t need = lead < 0x80 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
        if (need > back + 1)
            t->len -= back + 1;
    }
}

static void txt_str(struct x509_txt *t, const char *s)
{
    txt_put(t, s, strlen(s));
}

static const char x509_hex_upper[16] = "0123456789ABCDEF";

static void txt_hex(struct x509_txt *t, const uint8_t *p, size_t n, bool colons)
{
    for (size_t i = 0; i < n && !t->trunc; i++) {
        char h[3];
        size_t k = 0;
        if (colons && i > 0)
            h[k++] = ':';
        h[k++] = x509_hex_upper[p[i] >> 4];
        h[k++] = x509_hex_upper[p[i] & 15];
        txt_put(t, h, k);
    }
}

static void txt_u64(struct x509_txt *t, uint64_t v)
{
    char d[20], *q = d + sizeof(d);
    do {
        *--q = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    txt_put(t, q, (size_t)(d + sizeof(d) - q));
}

/* Strict UTF-8 (no overlong forms, no surrogates, at most U+10FFFF), as
 * Rust's str::from_utf8 checks it. */
static bool utf8_valid(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t k;
        uint32_t cp, min;
        if (c >= 0xc2 && c <= 0xdf) {
            k = 1; cp = c & 0x1f; min = 0x80;
        } else if (c >= 0xe0 && c <= 0xef) {
            k = 2; cp = c & 0x0f; min = 0x800;
        } else if (c >= 0xf0 && c <= 0xf4) {
            k = 3; cp = c & 0x07; min = 0x10000;
        } else {
            return false;
        }
        if (n - i - 1 < k)
            return false;
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xc0) != 0x80)
                return false;
            cp = cp << 6 | (s[i + j] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += k + 1;
    }
    return true;
}

/* BMPString (UTF-16BE, surrogate pairs combined) as UTF-8. */
static bool txt_bmp(struct x509_txt *t, const uint8_t *s, size_t n)
{
    if (n % 2)
        return false;
    for (size_t i = 0; i < n; i += 2) {
        uint32_t cp = ns_load_be16(s + i);
        if (cp >= 0xd800 && cp <= 0xdbff) {
            if (n - i < 4)
                return false;
            uint32_t lo = ns_load_be16(s + i + 2);
            if (lo < 0xdc00 || lo > 0xdfff)
                return false;
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            i += 2;
        } else if (cp >= 0xdc00 && cp <= 0xdfff) {
            return false;
        }
        uint8_t u[4];
        size_t k;
        if (cp < 0x80) {
            u[0] = (uint8_t)cp; k = 1;
        } else if (cp < 0x800) {
            u[0] = (uint8_t)(0xc0 | cp >> 6); u[1] = (uint8_t)(0x80 | (cp & 0x3f)); k = 2;
        } else if (cp < 0x10000) {
            u[0] = (uint8_t)(0xe0 | cp >> 12); u[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
            u[2] = (uint8_t)(0x80 | (cp & 0x3f)); k = 3;
        } else {
            u[0] = (uint8_t)(0xf0 | cp >> 18); u[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
            u[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f)); u[3] = (uint8_t)(0x80 | (cp & 0x3f)); k = 4;
        }
        txt_put(t, u, k);
    }
    return true;
}

/* Attribute type names: x509-parser's abbreviations, then the OID
 * registry's short names (id-at 2.5.4.x, a few more). */
static const char *const x509_at_names[47] = {
    [0] = "objectClass", [1] = "aliasedEntryName", [2] = "knowledgeInformation",
    [3] = "CN", [4] = "surname", [5] = "serialNumber", [6] = "C", [7] = "L",
    [8] = "ST", [9] = "streetAddress", [10] = "O", [11] = "OU", [12] = "title",
    [13] = "description", [14] = "searchGuide", [15] = "businessCategory",
    [16] = "postalAddress", [17] = "postalCode", [41] = "name", [42] = "givenName",
    [43] = "initials", [44] = "generationQualifier", [45] = "uniqueIdentifier",
    [46] = "dnQualifier",
};

struct x509_oid_name {
    uint8_t len;
    uint8_t der[12];
    const char *name;
};

static const struct x509_oid_name x509_oid_names[] = {
    { 10, { 0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x19 }, "DC" },
    { 9, { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01 }, "Email" },
    { 9, { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x02 }, "unstructuredName" },
    { 11, { 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x3c, 0x02, 0x01, 0x01 },
      "msJurisdictionLocality" },
    { 11, { 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x3c, 0x02, 0x01, 0x02 },
      "msJurisdictionStateOrProvince" },
    { 11, { 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x3c, 0x02, 0x01, 0x03 },
      "msJurisdictionCountry" },
};

/* An OID's content must be non-empty and end on a complete arc. */
static bool oid_valid(struct der o)
{
    return o.n > 0 && (o.p[o.n - 1] & 0x80) == 0;
}

static const char *oid_name(struct der o)
{
    if (o.n == 3 && o.p[0] == 0x55 && o.p[1] == 0x04 && o.p[2] < NS_ARRAY_LEN(x509_at_names))
        return x509_at_names[o.p[2]];
    for (size_t i = 0; i < NS_ARRAY_LEN(x509_oid_names); i++)
        if (o.n == x509_oid_names[i].len && memcmp(o.p, x509_oid_names[i].der, o.n) == 0)
            return x509_oid_names[i].name;
    return NULL;
}

/* "OID(2.5.4.97)"; arcs too large for 64 bits make it hex bytes, as
 * asn1-rs's Debug form does. */
static void txt_oid(struct x509_txt *t, struct der o)
{
    txt_str(t, "OID(");
    bool fits = true;
    uint64_t v = 0;
    for (size_t i = 0; i < o.n && fits; i++) {
        if (v >> 57)
            fits = false;
        v = v << 7 | (o.p[i] & 0x7f);
        if (!(o.p[i] & 0x80))
            v = 0;
    }
    if (!fits) {
        for (size_t i = 0; i < o.n; i++) {
            static const char lower[16] = "0123456789abcdef";
            char h[3] = { lower[o.p[i] >> 4], lower[o.p[i] & 15], ' ' };
            txt_put(t, h, i + 1 < o.n ? 3 : 2);
        }
    } else {
        bool first = true;
        v = 0;
        for (size_t i = 0; i < o.n; i++) {
            v = v << 7 | (o.p[i] & 0x7f);
            if (o.p[i] & 0x80)
                continue;
            if (first) {
                uint64_t a = v < 40 ? 0 : v < 80 ? 1 : 2;
                txt_u64(t, a);
                txt_str(t, ".");
                txt_u64(t, v - a * 40);
                first = false;
            } else {
                txt_str(t, ".");
                txt_u64(t, v);
            }
            v = 0;
        }
    }
    txt_str(t, ")");
}

/* Name ::= SEQUENCE OF RelativeDistinguishedName, as text.  Returns
 * X509_ERR_OK, X509_ERR_INVALID_X509NAME (structure) or text_err (a value
 * that is not valid text). */
static enum x509_err name_format(struct der name, struct x509_txt *t, enum x509_err text_err)
{
    bool first_rdn = true;
    while (name.n > 0) {
        struct der rdn;
        if (!der_expect(&name, DER_SET, &rdn) || rdn.n == 0)
            return X509_ERR_INVALID_X509NAME;
        if (!first_rdn)
            txt_str(t, ", ");
        first_rdn = false;
        bool first_atv = true;
        while (rdn.n > 0) {
            struct der atv, oid, val;
            uint8_t vtag;
            if (!der_expect(&rdn, DER_SEQUENCE, &atv) || !der_expect(&atv, DER_OID, &oid) ||
                !oid_valid(oid) || !der_get(&atv, &vtag, &val) || atv.n != 0)
                return X509_ERR_INVALID_X509NAME;
            if (!first_atv)
                txt_str(t, " + ");
            first_atv = false;
            const char *abbr = oid_name(oid);
            if (abbr)
                txt_str(t, abbr);
            else
                txt_oid(t, oid);
            txt_str(t, "=");
            switch (vtag) {
            case DER_UTF8STRING: case DER_NUMERIC: case DER_PRINTABLE: case DER_T61:
            case DER_VIDEOTEX: case DER_IA5: case DER_GRAPHIC: case DER_VISIBLE:
            case DER_GENERAL: case DER_OBJECT_DESC:
                if (!utf8_valid(val.p, val.n))
                    return text_err;
                txt_put(t, val.p, val.n);
                break;
            case DER_BMP:
                if (!txt_bmp(t, val.p, val.n))
                    return text_err;
                break;
            default:
                txt_hex(t, val.p, val.n, false);
                break;
            }
        }
    }
    return X509_ERR_OK;
}

static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* n decimal digits at s, into *v. */
static bool digits(const uint8_t *s, size_t n, int *v)
{
    int r = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        r = r * 10 + (s[i] - '0');
    }
    *v = r;
    return true;
}

/* UTCTime YYMMDDhhmm[ss](Z|+hhmm|-hhmm) or GeneralizedTime
 * YYYYMMDDhh[mm[ss[.f*]]][Z|+hhmm|-hhmm] to seconds since the epoch. */
static bool parse_time(uint8_t tag, struct der v, int64_t *out)
{
    const uint8_t *s = v.p;
    size_t n = v.n, i;
    int year, mon, day, hour, min = 0, sec = 0;
    if (tag == DER_UTCTIME) {
        if (n < 11 || !digits(s, 2, &year) || !digits(s + 2, 2, &mon) ||
            !digits(s + 4, 2, &day) || !digits(s + 6, 2, &hour) || !digits(s + 8, 2, &min))
            return false;
        year += year < 50 ? 2000 : 1900;
        i = 10;
        if (n - i >= 2 && s[i] >= '0' && s[i] <= '9') {
            if (!digits(s + i, 2, &sec))
                return false;
            i += 2;
        }
    } else if (tag == DER_GENTIME) {
        if (n < 10 || !digits(s, 4, &year) || !digits(s + 4, 2, &mon) ||
            !digits(s + 6, 2, &day) || !digits(s + 8, 2, &hour))
            return false;
        i = 10;
        if (n - i >= 2 && s[i] >= '0' && s[i] <= '9') {
            if (!digits(s + i, 2, &min))
                return false;
            i += 2;
            if (n - i >= 2 && s[i] >= '0' && s[i] <= '9') {
                if (!digits(s + i, 2, &sec))
                    return false;
                i += 2;
                if (i < n && (s[i] == '.' || s[i] == ',')) {
                    i++;
                    size_t f = i;
                    while (i < n && s[i] >= '0' && s[i] <= '9')
                        i++;
                    if (i == f)
                        return false;
                }
            }
        }
    } else {
        return false;
    }
    int64_t off = 0;
    if (i < n && s[i] == 'Z') {
        i++;
    } else if (i < n && (s[i] == '+' || s[i] == '-')) {
        int oh, om;
        if (n - i < 5 || !digits(s + i + 1, 2, &oh) || !digits(s + i + 3, 2, &om) ||
            oh > 23 || om > 59)
            return false;
        off = (int64_t)(oh * 3600 + om * 60) * (s[i] == '+' ? 1 : -1);
        i += 5;
    } else if (tag == DER_UTCTIME) {
        return false;
    }
    if (i != n)
        return false;
    static const uint8_t mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (mon < 1 || mon > 12 || day < 1 || hour > 23 || min > 59 || sec > 60)
        return false;
    if (day > mdays[mon - 1] + (mon == 2 && is_leap(year)))
        return false;
    *out = days_from_civil(year, mon, day) * 86400 + hour * 3600 + min * 60 + sec - off;
    return true;
}

size_t x509_format_time(int64_t t, char out[X509_TIME_TEXT])
{
    /* 0000-01-01 .. 9999-12-31T23:59:59: four-digit years only */
    const int64_t lo = -62167219200LL, hi = 253402300799LL;
    if (t < lo)
        t = lo;
    if (t > hi)
        t = hi;
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t secs = t - days * 86400;
    /* civil_from_days (H. Hinnant) */
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    int v[6] = { (int)y, (int)m, (int)d, (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60) };
    char *o = out;
    o[0] = (char)('0' + v[0] / 1000 % 10);
    o[1] = (char)('0' + v[0] / 100 % 10);
    o[2] = (char)('0' + v[0] / 10 % 10);
    o[3] = (char)('0' + v[0] % 10);
    o += 4;
    static const char sep[5] = { '-', '-', 'T', ':', ':' };
    for (int k = 1; k < 6; k++) {
        *o++ = sep[k - 1];
        *o++ = (char)('0' + v[k] / 10);
        *o++ = (char)('0' + v[k] % 10);
    }
    *o = '\0';
    return (size_t)(o - out);
}

/* AlgorithmIdentifier ::= SEQUENCE { algorithm OID, parameters ANY OPTIONAL } */
static bool algid_valid(struct der a)
{
    struct der oid, params;
    uint8_t t;
    if (!der_expect(&a, DER_OID, &oid) || !oid_valid(oid))
        return false;
    if (a.n > 0 && !der_get(&a, &t, &params))
        return false;
    return a.n == 0;
}

/* Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension
 * Extension ::= SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE,
 *                          extnValue OCTET STRING } */
static bool extensions_valid(struct der wrap)
{
    struct der seq;
    if (!der_expect(&wrap, DER_SEQUENCE, &seq) || wrap.n != 0)
        return false;
    while (seq.n > 0) {
        struct der ext, oid, crit, val;
        if (!der_expect(&seq, DER_SEQUENCE, &ext) || !der_expect(&ext, DER_OID, &oid) ||
            !oid_valid(oid))
            return false;
        if (der_peek(&ext, DER_BOOLEAN) && (!der_expect(&ext, DER_BOOLEAN, &crit) || crit.n != 1))
            return false;
        if (!der_expect(&ext, DER_OCTET_STRING, &val) || ext.n != 0)
            return false;
    }
    return true;
}

enum x509_err x509_parse(const uint8_t *der, size_t len, struct x509_leaf *out)
{
    struct der all = { der, len }, cert, tbs, sigalg, sig, v;
    uint8_t tag;
    out->subject_len = out->issuer_len = out->serial_len = 0;
    out->subject_trunc = out->issuer_trunc = out->serial_trunc = false;
    out->not_before = out->not_after = 0;

    if (!der_expect(&all, DER_SEQUENCE, &cert) || all.n != 0 ||
        !der_expect(&cert, DER_SEQUENCE, &tbs))
        return X509_ERR_INVALID_DER;
    if (!der_expect(&cert, DER_SEQUENCE, &sigalg) || !algid_valid(sigalg))
        return X509_ERR_INVALID_ALGORITHMIDENTIFIER;
    if (!der_expect(&cert, DER_BIT_STRING, &sig) || sig.n == 0 || cert.n != 0)
        return X509_ERR_INVALID_DER;

    /* version [0] EXPLICIT INTEGER { v1(0), v2(1), v3(2) } DEFAULT v1 */
    if (der_peek(&tbs, DER_CTX0)) {
        struct der ver;
        if (!der_expect(&tbs, DER_CTX0, &v) || !der_expect(&v, DER_INTEGER, &ver) || v.n != 0 ||
            ver.n != 1 || ver.p[0] > 2)
            return X509_ERR_INVALID_VERSION;
    }
    struct der serial;
    if (!der_expect(&tbs, DER_INTEGER, &serial) || serial.n == 0)
        return X509_ERR_INVALID_SERIAL;
    if (!der_expect(&tbs, DER_SEQUENCE, &v) || !algid_valid(v))
        return X509_ERR_INVALID_ALGORITHMIDENTIFIER;
    struct der issuer, validity, subject, t1, t2;
    if (!der_expect(&tbs, DER_SEQUENCE, &issuer))
        return X509_ERR_INVALID_X509NAME;
    uint8_t tag1, tag2;
    if (!der_expect(&tbs, DER_SEQUENCE, &validity) || !der_get(&validity, &tag1, &t1) ||
        !der_get(&validity, &tag2, &t2) || validity.n != 0 ||
        !parse_time(tag1, t1, &out->not_before) || !parse_time(tag2, t2, &out->not_after))
        return X509_ERR_INVALID_DATE;
    if (!der_expect(&tbs, DER_SEQUENCE, &subject))
        return X509_ERR_INVALID_X509NAME;
    struct der spki, spki_alg, spki_key;
    if (!der_expect(&tbs, DER_SEQUENCE, &spki) || !der_expect(&spki, DER_SEQUENCE, &spki_alg) ||
        !algid_valid(spki_alg) || !der_expect(&spki, DER_BIT_STRING, &spki_key) || spki.n != 0)
        return X509_ERR_INVALID_DER;
    if (der_peek(&tbs, DER_CTX1_PRIM) && !der_get(&tbs, &tag, &v))
        return X509_ERR_INVALID_DER;
    if (der_peek(&tbs, DER_CTX2_PRIM) && !der_get(&tbs, &tag, &v))
        return X509_ERR_INVALID_DER;
    if (der_peek(&tbs, DER_CTX3) && (!der_expect(&tbs, DER_CTX3, &v) || !extensions_valid(v)))
        return X509_ERR_INVALID_EXTENSIONS;
    if (tbs.n != 0)
        return X509_ERR_INVALID_DER;

    struct x509_txt t = { out->subject, sizeof(out->subject), 0, false };
    enum x509_err e = name_format(subject, &t, X509_ERR_INVALID_SUBJECT);
    if (e != X509_ERR_OK)
        return e;
    out->subject_len = (uint16_t)t.len;
    out->subject_trunc = t.trunc;

    t = (struct x509_txt){ out->issuer, sizeof(out->issuer), 0, false };
    e = name_format(issuer, &t, X509_ERR_INVALID_ISSUER);
    if (e != X509_ERR_OK)
        return e;
    out->issuer_len = (uint16_t)t.len;
    out->issuer_trunc = t.trunc;

    /* X509_SERIAL_MAX bytes "AB:...:CD" need 3 * max - 1 characters */
    t = (struct x509_txt){ out->serial, sizeof(out->serial) - 1, 0, false };
    txt_hex(&t, serial.p, serial.n < X509_SERIAL_MAX ? serial.n : X509_SERIAL_MAX, true);
    out->serial_len = (uint16_t)t.len;
    out->serial_trunc = serial.n > X509_SERIAL_MAX;
    return X509_ERR_OK;
}
