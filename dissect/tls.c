/* dissect/tls.c: the TLS record and handshake parser (see tls.h).
 *
 * Two layers per direction.  records() cuts the byte stream into records
 * and hands handshake payload, in whatever pieces it arrives, to
 * hs_bytes(), which follows the 4-byte handshake headers across records
 * and decides for each message whether it is read (hs_want > 0) or only
 * counted past.  A message that is read is taken in place when all of it
 * is in one piece, else gathered in s->buf; either way the hello and
 * certificate readers below get one contiguous, exactly-sized window and
 * check every length against it (struct tls_rd).
 *
 * Bounds: a record is at most TLS_RECORD_MAX, a handshake message
 * length is 24 bits and only ever compared, never used to index; what is
 * copied into s->buf is at most TLS_HS_BUF.  JA3 text is cut at its
 * buffer (the MD5 still covers all of it); JA4 sorts at most
 * TLS_JA4_SORT_MAX values on the stack, in place (heapsort, no qsort:
 * glibc's may allocate). */
#define OPENSSL_API_COMPAT 0x10100000L
#include "dissect/tls.h"

#include <openssl/md5.h>
#include <openssl/sha.h>

#define TLS_CT_CCS          20
#define TLS_CT_ALERT        21
#define TLS_CT_HANDSHAKE    22
#define TLS_CT_APPDATA      23
#define TLS_CT_HEARTBEAT    24

#define TLS_HS_CLIENT_HELLO 1
#define TLS_HS_SERVER_HELLO 2
#define TLS_HS_CERTIFICATE  11

#define TLS_EXT_SNI                 0
#define TLS_EXT_GROUPS              10
#define TLS_EXT_EC_POINT_FORMATS    11
#define TLS_EXT_SIG_ALGS            13
#define TLS_EXT_ALPN                16
#define TLS_EXT_SESSION_TICKET      35
#define TLS_EXT_SUPPORTED_VERSIONS  43

static const char *const tls_event_names[] = {
#define TLS_EV_NAME(id, name) name,
    TLS_EVENTS(TLS_EV_NAME)
#undef TLS_EV_NAME
};

_Static_assert(TLS_EV_CERTIFICATE_INVALID_ISSUER - TLS_EV_CERTIFICATE_INVALID_DER ==
               X509_ERR_INVALID_ISSUER - X509_ERR_INVALID_DER,
               "x509 errors map onto the CERTIFICATE_* events in order");

const char *tls_event_name(unsigned e)
{
    return e < TLS_EV_MAX ? tls_event_names[e] : "unknown";
}

void tls_state_init(struct tls_state *s)
{
    memset(s, 0, sizeof(*s));
}

static void tls_anomaly(const struct appl_cb *cb, enum tls_event e)
{
    if (cb && cb->anomaly)
        cb->anomaly(cb->ctx, tls_event_names[e]);
}

/* GREASE (RFC 8701): 0x0a0a, 0x1a1a, ..., 0xfafa. */
static bool tls_grease(uint16_t v)
{
    return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

static uint32_t tls_be24(const uint8_t *p)
{
    return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

/* Versions Suricata knows (TLSVersionValid): SSLv3 to TLS 1.3, the TLS 1.3
 * drafts 16-28 and their pre-16 and Facebook variants. */
static bool tls_version_known(uint16_t v)
{
    return (v >= 0x0300 && v <= 0x0304) || v == 0x7f01 || (v >= 0x7f10 && v <= 0x7f1c) ||
           (v >= 0xfb14 && v <= 0xfb17) || v == 0xfb1a;
}

const char *tls_version_name(uint16_t v, char buf[8])
{
    static const char *const drafts[] = {
        "TLS 1.3 draft-16", "TLS 1.3 draft-17", "TLS 1.3 draft-18", "TLS 1.3 draft-19",
        "TLS 1.3 draft-20", "TLS 1.3 draft-21", "TLS 1.3 draft-22", "TLS 1.3 draft-23",
        "TLS 1.3 draft-24", "TLS 1.3 draft-25", "TLS 1.3 draft-26", "TLS 1.3 draft-27",
        "TLS 1.3 draft-28",
    };
    switch (v) {
    case 0x0000: return "UNDETERMINED";
    case 0x0200: return "SSLv2";
    case 0x0300: return "SSLv3";
    case 0x0301: return "TLSv1";
    case 0x0302: return "TLS 1.1";
    case 0x0303: return "TLS 1.2";
    case 0x0304: return "TLS 1.3";
    case 0x7f01: return "TLS 1.3 draft-<16";
    case 0xfb14: return "TLS 1.3 draft-20-fb";
    case 0xfb15: return "TLS 1.3 draft-21-fb";
    case 0xfb16: return "TLS 1.3 draft-22-fb";
    case 0xfb17: return "TLS 1.3 draft-23-fb";
    case 0xfb1a: return "TLS 1.3 draft-26-fb";
    default: break;
    }
    if (v >= 0x7f10 && v <= 0x7f1c)
        return drafts[v - 0x7f10];
    char *q = buf + 7;
    *q = '\0';
    do {
        *--q = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return q;
}

/* A window of a handshake message still to read. */
struct tls_rd {
    const uint8_t *p;
    size_t n;
};

static bool rd_u8(struct tls_rd *r, uint8_t *v)
{
    if (r->n < 1)
        return false;
    *v = r->p[0];
    r->p++;
    r->n--;
    return true;
}

static bool rd_u16(struct tls_rd *r, uint16_t *v)
{
    if (r->n < 2)
        return false;
    *v = ns_load_be16(r->p);
    r->p += 2;
    r->n -= 2;
    return true;
}

static bool rd_sub(struct tls_rd *r, size_t k, struct tls_rd *out)
{
    if (r->n < k)
        return false;
    out->p = r->p;
    out->n = k;
    r->p += k;
    r->n -= k;
    return true;
}

/* The next extension of a block already checked by ext_check(). */
static bool ext_next(struct tls_rd *r, uint16_t *type, struct tls_rd *data)
{
    uint16_t len;
    return rd_u16(r, type) && rd_u16(r, &len) && rd_sub(r, len, data);
}

/* The extensions block after the fixed part of a hello, trimmed to its
 * whole extensions; false when its lengths do not add up. */
static bool ext_check(struct tls_rd *r, struct tls_rd *exts)
{
    uint16_t len;
    exts->p = r->p;
    exts->n = 0;
    if (r->n < 2)
        return true;                /* extensions are optional */
    if (!rd_u16(r, &len) || !rd_sub(r, len, exts))
        return false;
    struct tls_rd w = *exts, data;
    uint16_t type;
    while (w.n > 0) {
        size_t before = exts->n - w.n;
        if (!ext_next(&w, &type, &data)) {
            exts->n = before;
            return false;
        }
    }
    return true;
}

/* A fingerprint string being built: text kept up to cap, MD5 of all. */
struct tls_fp {
    char *buf;
    size_t cap, len;
    bool trunc;
    MD5_CTX md;
};

static void fp_init(struct tls_fp *f, char *buf, size_t cap)
{
    f->buf = buf;
    f->cap = cap;
    f->len = 0;
    f->trunc = false;
    MD5_Init(&f->md);
}

static void fp_put(struct tls_fp *f, const char *s, size_t n)
{
    MD5_Update(&f->md, s, n);
    size_t room = f->cap - f->len;
    if (n > room) {
        n = room;
        f->trunc = true;
    }
    memcpy(f->buf + f->len, s, n);
    f->len += n;
}

static void fp_u(struct tls_fp *f, unsigned v)
{
    char d[10], *q = d + sizeof(d);
    do {
        *--q = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    fp_put(f, q, (size_t)(d + sizeof(d) - q));
}

/* One value of a '-' separated list. */
static void fp_item(struct tls_fp *f, bool *first, unsigned v)
{
    if (!*first)
        fp_put(f, "-", 1);
    *first = false;
    fp_u(f, v);
}

static const char tls_hex[16] = "0123456789abcdef";

static void fp_finish(struct tls_fp *f, char hash[33])
{
    uint8_t md[MD5_DIGEST_LENGTH];
    MD5_Final(md, &f->md);
    for (size_t i = 0; i < MD5_DIGEST_LENGTH; i++) {
        hash[2 * i] = tls_hex[md[i] >> 4];
        hash[2 * i + 1] = tls_hex[md[i] & 15];
    }
    hash[32] = '\0';
}

static void sift_down(uint16_t *a, size_t i, size_t n)
{
    for (size_t c; (c = 2 * i + 1) < n; i = c) {
        if (c + 1 < n && a[c + 1] > a[c])
            c++;
        if (a[i] >= a[c])
            return;
        uint16_t t = a[i];
        a[i] = a[c];
        a[c] = t;
    }
}

/* Heapsort, ascending. */
static void sort_u16(uint16_t *a, size_t n)
{
    for (size_t i = n / 2; i-- > 0;)
        sift_down(a, i, n);
    for (size_t end = n; end > 1; end--) {
        uint16_t t = a[0];
        a[0] = a[end - 1];
        a[end - 1] = t;
        sift_down(a, 0, end - 1);
    }
}

/* The list "0a0b,0c0d,..." of n values into the hash (with a ',' before
 * the first when lead), hashed in chunks: SHA256_Update has a cost per call
 * that is larger than 5 bytes' worth. */
static void sha_hex4_list(SHA256_CTX *sha, const uint16_t *v, size_t n, bool lead)
{
    char buf[5 * 64];
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (k > sizeof(buf) - 5) {
            SHA256_Update(sha, buf, k);
            k = 0;
        }
        if (i > 0 || lead)
            buf[k++] = ',';
        buf[k++] = tls_hex[v[i] >> 12];
        buf[k++] = tls_hex[(v[i] >> 8) & 15];
        buf[k++] = tls_hex[(v[i] >> 4) & 15];
        buf[k++] = tls_hex[v[i] & 15];
    }
    if (k)
        SHA256_Update(sha, buf, k);
}

static void sha_trunc12(SHA256_CTX *sha, char *out)
{
    uint8_t md[SHA256_DIGEST_LENGTH];
    SHA256_Final(md, sha);
    for (size_t i = 0; i < 6; i++) {
        out[2 * i] = tls_hex[md[i] >> 4];
        out[2 * i + 1] = tls_hex[md[i] & 15];
    }
}

static bool ja4_alnum(uint8_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* JA4 of a ClientHello (see tls.h for the variant computed). */
static void ja4_compute(struct tls_tx *tx, uint16_t version, struct tls_rd cs, struct tls_rd exts)
{
    uint16_t ciphers[TLS_JA4_SORT_MAX], extv[TLS_JA4_SORT_MAX];
    size_t nc = 0, nc_all = 0, ne = 0, ne_all = 0;
    bool sni = false;
    char alpn[2] = { '0', '0' };

    uint16_t v;
    while (rd_u16(&cs, &v)) {
        if (tls_grease(v))
            continue;
        nc_all++;
        if (nc < TLS_JA4_SORT_MAX)
            ciphers[nc++] = v;
    }
    struct tls_rd w = exts, data;
    uint16_t type;
    bool alpn_seen = false;
    while (ext_next(&w, &type, &data)) {
        if (tls_grease(type))
            continue;
        ne_all++;
        if (type == TLS_EXT_SNI) {
            sni = true;
        } else if (type == TLS_EXT_ALPN) {
            uint16_t ll;
            uint8_t l;
            struct tls_rd list, proto;
            if (!alpn_seen && rd_u16(&data, &ll) && rd_sub(&data, ll, &list) && rd_u8(&list, &l) &&
                rd_sub(&list, l, &proto) && proto.n > 1 &&
                !(proto.n == 2 && tls_grease(ns_load_be16(proto.p)))) {
                uint8_t a = proto.p[0], z = proto.p[proto.n - 1];
                if (ja4_alnum(a) && ja4_alnum(z)) {
                    alpn[0] = (char)a;
                    alpn[1] = (char)z;
                } else {
                    alpn[0] = tls_hex[a >> 4];
                    alpn[1] = tls_hex[z & 15];
                }
            }
            alpn_seen = true;
        } else if (ne < TLS_JA4_SORT_MAX) {
            extv[ne++] = type;
        }
    }
    sort_u16(ciphers, nc);
    sort_u16(extv, ne);

    char *o = tx->ja4;
    const char *vc = version == 0x0304 ? "13" : version == 0x0303 ? "12" : version == 0x0302 ? "11" :
                     version == 0x0301 ? "10" : version == 0x0300 ? "s3" : "00";
    size_t cc = nc_all > 99 ? 99 : nc_all, ec = ne_all > 99 ? 99 : ne_all;
    o[0] = 't';
    o[1] = vc[0];
    o[2] = vc[1];
    o[3] = sni ? 'd' : 'i';
    o[4] = (char)('0' + cc / 10);
    o[5] = (char)('0' + cc % 10);
    o[6] = (char)('0' + ec / 10);
    o[7] = (char)('0' + ec % 10);
    o[8] = alpn[0];
    o[9] = alpn[1];
    o[10] = '_';

    SHA256_CTX sha;
    SHA256_Init(&sha);
    sha_hex4_list(&sha, ciphers, nc, false);
    sha_trunc12(&sha, o + 11);
    o[23] = '_';

    SHA256_Init(&sha);
    sha_hex4_list(&sha, extv, ne, false);
    SHA256_Update(&sha, "_", 1);
    bool first = true;
    uint16_t sig[64];
    size_t nsig = 0;
    w = exts;
    while (ext_next(&w, &type, &data)) {
        uint16_t ll;
        struct tls_rd list;
        if (type != TLS_EXT_SIG_ALGS || !rd_u16(&data, &ll) || ll % 2 || !rd_sub(&data, ll, &list))
            continue;
        while (rd_u16(&list, &v)) {
            if (tls_grease(v))
                continue;
            if (nsig == NS_ARRAY_LEN(sig)) {
                sha_hex4_list(&sha, sig, nsig, !first);
                first = false;
                nsig = 0;
            }
            sig[nsig++] = v;
        }
    }
    sha_hex4_list(&sha, sig, nsig, !first && nsig);
    sha_trunc12(&sha, o + 24);
    o[TLS_JA4_LEN] = '\0';
    tx->has_ja4 = true;
}

/* ALPN extension data (RFC 7301 3.1) into [len][bytes] entries. */
static bool alpn_store(struct tls_rd data, uint8_t *out, size_t cap, uint16_t *len)
{
    uint16_t ll;
    uint8_t l;
    struct tls_rd list, proto;
    bool fits = true;
    if (!rd_u16(&data, &ll) || !rd_sub(&data, ll, &list))
        return true;
    while (rd_u8(&list, &l) && rd_sub(&list, l, &proto)) {
        if (cap - *len < (size_t)l + 1) {
            fits = false;
            break;
        }
        out[(*len)++] = l;
        memcpy(out + *len, proto.p, l);
        *len += l;
    }
    return fits;
}

/* server_name (RFC 6066 3): the first host_name, checked as Suricata does. */
static void sni_store(struct tls_tx *tx, struct tls_rd data, const struct appl_cb *cb)
{
    uint16_t list_len, name_len;
    uint8_t type;
    struct tls_rd name;
    if (data.n == 0)
        return;
    if (!rd_u16(&data, &list_len) || !rd_u8(&data, &type)) {
        tls_anomaly(cb, TLS_EV_HANDSHAKE_INVALID_LENGTH);
        return;
    }
    if (type != 0) {
        tls_anomaly(cb, TLS_EV_INVALID_SNI_TYPE);
        return;
    }
    if (!rd_u16(&data, &name_len) || name_len == 0 || name_len > TLS_SNI_MAX ||
        !rd_sub(&data, name_len, &name)) {
        tls_anomaly(cb, TLS_EV_INVALID_SNI_LENGTH);
        return;
    }
    if (tx->has_sni) {
        tls_anomaly(cb, TLS_EV_MULTIPLE_SNI_EXTENSIONS);
        return;
    }
    memcpy(tx->sni, name.p, name.n);
    tx->sni_len = (uint8_t)name.n;
    tx->has_sni = true;
}

/* ClientHello (RFC 8446 4.1.2, RFC 5246 7.4.1.2). */
static void client_hello(struct tls_state *s, const uint8_t *b, size_t n, const struct appl_cb *cb)
{
    struct tls_tx *tx = &s->tx;
    struct tls_rd r = { b, n }, random, sid, cs, comp, exts, data;
    uint16_t ver, cs_len, type;
    uint8_t l;
    if (!rd_u16(&r, &ver) || !rd_sub(&r, 32, &random) || !rd_u8(&r, &l) || !rd_sub(&r, l, &sid) ||
        !rd_u16(&r, &cs_len) || cs_len % 2 || !rd_sub(&r, cs_len, &cs) || !rd_u8(&r, &l) ||
        !rd_sub(&r, l, &comp)) {
        tls_anomaly(cb, TLS_EV_HANDSHAKE_INVALID_LENGTH);
        return;
    }
    if (!ext_check(&r, &exts))
        tls_anomaly(cb, TLS_EV_HANDSHAKE_INVALID_LENGTH);
    tx->client_hello = true;
    tx->client_version = ver;
    s->sid_len = (uint8_t)(sid.n < sizeof(s->sid) ? sid.n : sizeof(s->sid));
    memcpy(s->sid, sid.p, s->sid_len);

    uint16_t sv = 0;
    struct tls_rd w = exts;
    while (ext_next(&w, &type, &data)) {
        switch (type) {
        case TLS_EXT_SNI:
            sni_store(tx, data, cb);
            break;
        case TLS_EXT_ALPN:
            if (!alpn_store(data, tx->client_alpns, sizeof(tx->client_alpns), &tx->client_alpns_len))
                tx->alpns_trunc = true;
            break;
        case TLS_EXT_SESSION_TICKET:
            s->ticket = true;
            break;
        case TLS_EXT_SUPPORTED_VERSIONS: {
            /* the first known version: the client's preferred one */
            struct tls_rd list;
            uint16_t v;
            if (sv || !rd_u8(&data, &l) || l < 2 || !rd_sub(&data, l, &list))
                break;
            while (!sv && rd_u16(&list, &v))
                if (tls_version_known(v))
                    sv = v;
            break;
        }
        default:
            break;
        }
    }
    if (sv)
        tx->client_version = sv;

    /* JA3: SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats */
    struct tls_fp f;
    uint16_t v;
    bool first = true;
    fp_init(&f, tx->ja3, sizeof(tx->ja3));
    fp_u(&f, ver);
    fp_put(&f, ",", 1);
    struct tls_rd c = cs;
    while (rd_u16(&c, &v))
        if (!tls_grease(v))
            fp_item(&f, &first, v);
    fp_put(&f, ",", 1);
    first = true;
    w = exts;
    while (ext_next(&w, &type, &data))
        if (!tls_grease(type))
            fp_item(&f, &first, type);
    fp_put(&f, ",", 1);
    first = true;
    w = exts;
    while (ext_next(&w, &type, &data)) {
        uint16_t ll;
        struct tls_rd list;
        if (type != TLS_EXT_GROUPS || !rd_u16(&data, &ll) || !rd_sub(&data, ll, &list))
            continue;
        while (rd_u16(&list, &v))
            if (!tls_grease(v))
                fp_item(&f, &first, v);
    }
    fp_put(&f, ",", 1);
    first = true;
    w = exts;
    while (ext_next(&w, &type, &data)) {
        uint8_t pf;
        struct tls_rd list;
        if (type != TLS_EXT_EC_POINT_FORMATS || !rd_u8(&data, &l) || !rd_sub(&data, l, &list))
            continue;
        while (rd_u8(&list, &pf))
            fp_item(&f, &first, pf);
    }
    fp_finish(&f, tx->ja3_hash);
    tx->ja3_len = (uint16_t)f.len;
    tx->ja3_trunc = f.trunc;
    tx->has_ja3 = true;

    uint16_t jv = tls_grease(ver) ? 0 : ver;
    if (sv > jv)
        jv = sv;
    ja4_compute(tx, jv, cs, exts);
}

/* JA3S: SSLVersion,Cipher,Extensions -- of the first ServerHello, a
 * HelloRetryRequest included (as Suricata and Wireshark take it). */
static void ja3s_compute(struct tls_tx *tx, uint16_t ver, uint16_t cipher, struct tls_rd exts)
{
    struct tls_fp f;
    struct tls_rd data;
    uint16_t type;
    bool first = true;
    fp_init(&f, tx->ja3s, sizeof(tx->ja3s));
    fp_u(&f, ver);
    fp_put(&f, ",", 1);
    if (!tls_grease(cipher))
        fp_u(&f, cipher);
    fp_put(&f, ",", 1);
    while (ext_next(&exts, &type, &data))
        if (!tls_grease(type))
            fp_item(&f, &first, type);
    fp_finish(&f, tx->ja3s_hash);
    tx->ja3s_len = (uint16_t)f.len;
    tx->ja3s_trunc = f.trunc;
    tx->has_ja3s = true;
}

/* SHA-256("HelloRetryRequest"): the random of a HelloRetryRequest (RFC 8446 4.1.3). */
static const uint8_t tls_hrr_random[32] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

/* ServerHello.  TLS 1.3 drafts before 22 carried their version in the
 * version field and had no session id and compression method. */
static void server_hello(struct tls_state *s, const uint8_t *b, size_t n, const struct appl_cb *cb)
{
    struct tls_tx *tx = &s->tx;
    struct tls_rd r = { b, n }, random, sid = { NULL, 0 }, exts, data;
    uint16_t ver, cipher, type;
    uint8_t l;
    if (!rd_u16(&r, &ver) || !rd_sub(&r, 32, &random)) {
        tls_anomaly(cb, TLS_EV_HANDSHAKE_INVALID_LENGTH);
        return;
    }
    bool early_13 = ver == 0x0304 || (ver >> 8) == 0x7f;
    if ((!early_13 && (!rd_u8(&r, &l) || !rd_sub(&r, l, &sid))) || !rd_u16(&r, &cipher) ||
        (!early_13 && !rd_u8(&r, &l))) {
        tls_anomaly(cb, TLS_EV_HANDSHAKE_INVALID_LENGTH);
        return;
    }
    if (!ext_check(&r, &exts))
        tls_anomaly(cb, TLS_EV_HANDSHAKE_INVALID_LENGTH);
    if (!tx->has_ja3s)
        ja3s_compute(tx, ver, cipher, exts);
    if (memcmp(random.p, tls_hrr_random, sizeof(tls_hrr_random)) == 0) {
        s->hrr = true;              /* the real ServerHello follows the second ClientHello */
        return;
    }

    uint16_t version = ver, sv = 0;
    if ((ver >= 0x7f01 && ver < 0x7f10) || ver == 0x0304)
        version = 0x7f01;           /* Suricata: "TLS 1.3 draft-<16" */
    struct tls_rd w = exts;
    while (ext_next(&w, &type, &data)) {
        if (type == TLS_EXT_SUPPORTED_VERSIONS && !sv && data.n >= 2)
            sv = ns_load_be16(data.p);
        else if (type == TLS_EXT_ALPN && tx->server_alpns_len == 0)
            (void)alpn_store(data, tx->server_alpns, sizeof(tx->server_alpns), &tx->server_alpns_len);
    }
    if (sv)
        version = sv;
    tx->server_hello = true;
    tx->server_version = version;
    tx->cipher = cipher;
    s->sid_echoed = sid.n > 0 && sid.n == s->sid_len && memcmp(sid.p, s->sid, sid.n) == 0;
    s->server_13 = version > 0x0303;
    if (s->server_13)
        s->dir[1].hs_off = true;    /* the rest of its handshake is encrypted */
}

/* The start of a Certificate message (RFC 5246 7.4.2): b[0, n) of a
 * message of hs_len bytes, n covering at least the leaf when the lengths
 * are consistent. */
static void certificate(struct tls_state *s, const uint8_t *b, size_t n, uint32_t hs_len,
                        const struct appl_cb *cb)
{
    struct tls_tx *tx = &s->tx;
    if (n < 3 || tls_be24(b) + 3 != hs_len) {
        tls_anomaly(cb, TLS_EV_INVALID_CERTIFICATE);
        return;
    }
    uint32_t list = tls_be24(b);
    if (list == 0)
        return;                     /* no certificate */
    uint32_t leaf = n >= 6 ? tls_be24(b + 3) : 0;
    if (n < 6 || list < 3 || leaf == 0 || leaf > list - 3 || leaf > n - 6) {
        tls_anomaly(cb, TLS_EV_INVALID_CERTIFICATE);
        return;
    }
    enum x509_err e = x509_parse(b + 6, leaf, &tx->cert);
    if (e != X509_ERR_OK) {
        tls_anomaly(cb, (enum tls_event)(TLS_EV_CERTIFICATE_INVALID_DER + (e - X509_ERR_INVALID_DER)));
        return;
    }
    /* SHA1_Init/Update/Final, not the one-shot SHA1(): OpenSSL 3 looks
     * the algorithm up by name (under a lock) on every one-shot call */
    uint8_t md[SHA_DIGEST_LENGTH];
    SHA_CTX sha;
    SHA1_Init(&sha);
    SHA1_Update(&sha, b + 6, leaf);
    SHA1_Final(md, &sha);
    for (size_t i = 0; i < SHA_DIGEST_LENGTH; i++) {
        tx->fingerprint[3 * i] = tls_hex[md[i] >> 4];
        tx->fingerprint[3 * i + 1] = tls_hex[md[i] & 15];
        tx->fingerprint[3 * i + 2] = i + 1 < SHA_DIGEST_LENGTH ? ':' : '\0';
    }
    tx->has_cert = true;
    s->done = true;
}

static void hs_message(struct tls_state *s, int di, const uint8_t *b, size_t n,
                       const struct appl_cb *cb)
{
    struct tls_dir *d = &s->dir[di];
    switch (d->hs_type) {
    case TLS_HS_CLIENT_HELLO: client_hello(s, b, n, cb); break;
    case TLS_HS_SERVER_HELLO: server_hello(s, b, n, cb); break;
    case TLS_HS_CERTIFICATE: certificate(s, b, n, d->hs_len, cb); break;
    default: break;
    }
}

/* Handshake types Suricata accepts in cleartext. */
static bool hs_type_known(uint8_t t)
{
    switch (t) {
    case 0: case 1: case 2: case 4: case 11: case 12: case 13: case 14: case 15: case 16:
    case 20: case 21: case 22:
        return true;
    default:
        return false;
    }
}

/* A handshake header is complete: which message is it, is it read. */
static void hs_start(struct tls_state *s, int di, const struct appl_cb *cb)
{
    struct tls_dir *d = &s->dir[di];
    d->hs_type = d->hs_hdr[0];
    d->hs_len = tls_be24(d->hs_hdr + 1);
    d->hs_got = 0;
    d->hs_want = 0;
    d->cert_len_known = true;
    if (!hs_type_known(d->hs_type)) {
        tls_anomaly(cb, TLS_EV_INVALID_HANDSHAKE_MESSAGE);
        d->hs_off = true;
        return;
    }
    bool read = false;
    if (di == 0 && d->hs_type == TLS_HS_CLIENT_HELLO && !s->ch_done) {
        s->ch_done = true;
        read = true;
        d->hs_want = d->hs_len;
    } else if (di == 1 && d->hs_type == TLS_HS_SERVER_HELLO && !s->tx.server_hello) {
        read = true;
        d->hs_want = d->hs_len;
    } else if (di == 1 && d->hs_type == TLS_HS_CERTIFICATE && s->tx.server_hello && !s->cert_msg) {
        s->cert_msg = true;
        read = true;
        /* the list and leaf lengths first; then as far as the leaf ends */
        d->hs_want = d->hs_len < 6 ? d->hs_len : 6;
        d->cert_len_known = d->hs_len < 6;
    }
    if (read && d->hs_len == 0) {
        hs_message(s, di, d->hs_hdr, 0, cb);    /* empty: its reader reports it */
        d->hs_want = 0;
    }
}

/* How much of a Certificate message covers its leaf, from its first 6 bytes. */
static uint32_t cert_want(const uint8_t *b, uint32_t hs_len)
{
    uint32_t want = 6 + tls_be24(b + 3);
    return want < hs_len ? want : hs_len;
}

static void buf_release(struct tls_state *s, int di)
{
    if (s->buf_owner == di + 1)
        s->buf_owner = 0;
}

/* Body bytes q[0, k) of the current message, at body offset d->hs_got. */
static void hs_body(struct tls_state *s, int di, const uint8_t *q, size_t k,
                    const struct appl_cb *cb)
{
    struct tls_dir *d = &s->dir[di];
    if (d->hs_want == 0 || d->hs_got >= d->hs_want)
        return;
    if (d->hs_got == 0) {           /* all of it in this piece: read in place */
        if (!d->cert_len_known && k >= 6) {
            d->hs_want = cert_want(q, d->hs_len);
            d->cert_len_known = true;
        }
        if (d->cert_len_known && k >= d->hs_want) {
            hs_message(s, di, q, d->hs_want, cb);
            d->hs_want = 0;
            return;
        }
    }
    if ((s->buf_owner && s->buf_owner != di + 1) || d->hs_want > TLS_HS_BUF) {
        if (d->hs_type == TLS_HS_CERTIFICATE && d->hs_want > TLS_HS_BUF)
            s->tx.cert_too_large = true;
        buf_release(s, di);
        d->hs_want = 0;
        return;
    }
    s->buf_owner = (uint8_t)(di + 1);
    size_t take = d->hs_want - d->hs_got < k ? d->hs_want - d->hs_got : k;
    memcpy(s->buf + d->hs_got, q, take);
    size_t have = d->hs_got + take;
    if (!d->cert_len_known && have >= 6) {
        d->hs_want = cert_want(s->buf, d->hs_len);
        d->cert_len_known = true;
        if (d->hs_want > TLS_HS_BUF) {
            s->tx.cert_too_large = true;
            buf_release(s, di);
            d->hs_want = 0;
            return;
        }
        if (have < d->hs_want && k > take) {   /* more of this piece belongs to the leaf */
            size_t more = d->hs_want - have < k - take ? d->hs_want - have : k - take;
            memcpy(s->buf + have, q + take, more);
            have += more;
        }
    }
    if (have >= d->hs_want) {
        hs_message(s, di, s->buf, d->hs_want, cb);
        buf_release(s, di);
        d->hs_want = 0;
    }
}

/* Handshake record payload q[0, k), in order. */
static void hs_bytes(struct tls_state *s, int di, const uint8_t *q, size_t k,
                     const struct appl_cb *cb)
{
    struct tls_dir *d = &s->dir[di];
    while (k > 0 && !d->hs_off) {
        if (d->hs_hdr_len < 4) {
            size_t c = 4u - d->hs_hdr_len < k ? 4u - d->hs_hdr_len : k;
            memcpy(d->hs_hdr + d->hs_hdr_len, q, c);
            d->hs_hdr_len = (uint8_t)(d->hs_hdr_len + c);
            q += c;
            k -= c;
            if (d->hs_hdr_len < 4)
                break;
            hs_start(s, di, cb);
            if (d->hs_len == 0)
                d->hs_hdr_len = 0;
            continue;
        }
        size_t c = d->hs_len - d->hs_got < k ? d->hs_len - d->hs_got : k;
        hs_body(s, di, q, c, cb);
        d->hs_got += (uint32_t)c;
        q += c;
        k -= c;
        if (d->hs_got == d->hs_len) {
            d->hs_hdr_len = 0;
            d->hs_want = 0;
            buf_release(s, di);
        }
    }
}

/* A record header, as resynchronisation accepts one. */
static bool rec_plausible(const uint8_t *h)
{
    return h[0] >= TLS_CT_CCS && h[0] <= TLS_CT_APPDATA && h[1] == 3 && h[2] <= 4 &&
           ns_load_be16(h + 3) <= TLS_RECORD_MAX;
}

static void rec_start(struct tls_state *s, int di, uint8_t type)
{
    struct tls_dir *d = &s->dir[di];
    if (type == TLS_CT_CCS) {
        /* what follows in this direction is encrypted -- except a server
         * that sent a HelloRetryRequest: TLS 1.3 middlebox compatibility
         * (RFC 8446 D.4), its real ServerHello is still to come */
        if (!(di == 1 && s->hrr && !s->tx.server_hello)) {
            d->hs_off = true;
            buf_release(s, di);
        }
    } else if (type == TLS_CT_APPDATA && s->tx.server_hello) {
        s->done = true;
    }
}

static size_t records(struct tls_state *s, int di, const uint8_t *p, size_t n,
                      const struct appl_cb *cb)
{
    struct tls_dir *d = &s->dir[di];
    size_t used = 0;
    while (used < n && !d->ignore) {
        if (d->skip) {
            size_t c = d->skip < n - used ? d->skip : n - used;
            used += c;
            d->skip -= (uint32_t)c;
            continue;
        }
        if (!d->in_record) {
            if (d->resync) {
                size_t i = used;
                while (n - i >= 5 && !rec_plausible(p + i))
                    i++;
                if (n - i < 5)      /* keep what could be a header's start */
                    return n - used > 4 ? n - 4 : used;
                used = i;
                d->resync = false;
            }
            if (n - used < 5)
                break;
            const uint8_t *h = p + used;
            if (!d->started && (h[0] & 0x80)) {
                /* SSLv2 2-byte header (RFC 6101 E.1): a v2-compatible
                 * ClientHello is skipped; an SSLv2 server is not parsed */
                size_t len = (size_t)(h[0] & 0x7f) << 8 | h[1];
                if (di == 0 && h[2] == 1 && (h[3] == 3 || (h[3] == 0 && h[4] == 2))) {
                    d->started = true;
                    d->skip = (uint32_t)(2 + len);
                    continue;
                }
                if (di == 1 && h[2] == 4) {
                    d->ignore = true;
                    break;
                }
            }
            uint8_t type = h[0];
            uint16_t len = ns_load_be16(h + 3);
            if (type < TLS_CT_CCS || type > TLS_CT_HEARTBEAT) {
                tls_anomaly(cb, TLS_EV_INVALID_RECORD_TYPE);
                d->ignore = true;
                break;
            }
            if (h[1] != 3) {
                tls_anomaly(cb, TLS_EV_INVALID_RECORD_VERSION);
                d->ignore = true;
                break;
            }
            if (len > TLS_RECORD_MAX) {
                tls_anomaly(cb, TLS_EV_INVALID_RECORD_LENGTH);
                d->ignore = true;
                break;
            }
            used += 5;
            d->started = true;
            d->rec_type = type;
            d->rec_left = len;
            d->in_record = len > 0;
            rec_start(s, di, type);
            continue;
        }
        size_t c = d->rec_left < n - used ? d->rec_left : n - used;
        if (d->rec_type == TLS_CT_HANDSHAKE)
            hs_bytes(s, di, p + used, c, cb);
        used += c;
        d->rec_left = (uint16_t)(d->rec_left - c);
        if (d->rec_left == 0)
            d->in_record = false;
    }
    if (d->ignore) {
        buf_release(s, di);
        return n;
    }
    return used;
}

/* gap bytes (0: unknown) were lost before p.  Inside a record of known
 * length the loss is skipped; a handshake message it touches is not read
 * and one whose boundary is lost ends handshake parsing.  Otherwise the
 * record in progress is gone and the direction looks for the next record
 * header, its handshake no longer parsed. */
static void tls_gap(struct tls_state *s, int di, uint64_t gap)
{
    struct tls_dir *d = &s->dir[di];
    buf_release(s, di);
    d->hs_want = 0;
    if (di == 1)
        s->srv_gap = true;          /* a Certificate may have been lost */
    if (gap > 0 && d->skip == 0 && d->in_record && gap <= d->rec_left) {
        d->rec_left = (uint16_t)(d->rec_left - gap);
        d->in_record = d->rec_left > 0;
        if (d->rec_type == TLS_CT_HANDSHAKE && !d->hs_off) {
            if (d->hs_hdr_len == 4 && gap < (uint64_t)d->hs_len - d->hs_got)
                d->hs_got += (uint32_t)gap;
            else
                d->hs_off = true;
        }
        return;
    }
    d->in_record = false;
    d->rec_left = 0;
    d->skip = 0;
    d->hs_hdr_len = 0;
    d->hs_off = true;
    d->resync = true;
    d->started = true;
}

static void tls_maybe_emit(struct tls_state *s, const struct appl_cb *cb)
{
    struct tls_tx *tx = &s->tx;
    if (s->emitted || !(tx->client_hello || tx->server_hello))
        return;
    if (!s->done && !(s->dir[0].eof && s->dir[1].eof))
        return;
    tx->version = tx->server_hello ? tx->server_version : tx->client_version;
    tx->session_resumed = tx->server_hello && !s->server_13 && !s->cert_msg && !s->srv_gap &&
                          (s->sid_echoed || s->ticket);
    s->emitted = true;
    if (cb && cb->tx)
        cb->tx(cb->ctx, tx);
}

size_t tls_feed(struct tls_state *s, bool toserver, const uint8_t *p, size_t n,
                unsigned flags, const struct appl_cb *cb)
{
    int di = toserver ? 0 : 1;
    struct tls_dir *d = &s->dir[di];
    if (flags & APPL_GAP)
        tls_gap(s, di, cb ? cb->gap : 0);
    size_t used = d->ignore ? n : records(s, di, p, n, cb);
    if (flags & APPL_EOF) {
        d->eof = true;
        used = n;                   /* a partial header that will never complete */
    }
    tls_maybe_emit(s, cb);
    return used;
}
