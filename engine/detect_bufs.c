/* engine/detect_bufs.c: transaction buffers for the rules (see
 * detect_bufs.h). */
#include "engine/detect_bufs.h"

#include <zlib.h>

void detect_bufs_clear(struct rule_buffer b[RULE_BUF_COUNT])
{
    for (unsigned i = 0; i < RULE_BUF_COUNT; i++)
        b[i] = (struct rule_buffer){ NULL, 0 };
}

static void set_str(struct rule_buffer *b, const uint8_t *p, struct http_str s)
{
    b->p = p + s.off;
    b->len = s.len;
}

static void set_hdr(struct rule_buffer *b, const struct http_msg *m, const uint8_t *p,
                    const char *name)
{
    const struct http_hdr *h = http_header(m, p, name);
    if (h)
        set_str(b, p, h->value);
}

/* A bump allocator over the scratch. */
struct sbuf {
    uint8_t *p;
    size_t cap, len;
};

static uint8_t *sb_take(struct sbuf *s, size_t n)
{
    if (n > s->cap - s->len)
        return NULL;
    uint8_t *r = s->p + s->len;
    s->len += n;
    return r;
}

static bool name_is(const uint8_t *p, struct http_str s, const char *name)
{
    size_t n = strlen(name);
    if (s.len != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = p[s.off + i];
        if ((c >= 'A' && c <= 'Z' ? c | 0x20 : c) != (uint8_t)name[i])
            return false;
    }
    return true;
}

/* The end of the first line of the block (at its CR or LF). */
static size_t first_line_len(const struct http_msg *m, const uint8_t *p)
{
    size_t n = m->block_len;
    const uint8_t *lf = memchr(p, '\n', n);
    size_t e = lf ? (size_t)(lf - p) : n;
    if (e > 0 && p[e - 1] == '\r')
        e--;
    return e;
}

static void headers(struct rule_buffer b[RULE_BUF_COUNT], const struct http_msg *m,
                    const uint8_t *p, bool request, struct sbuf *sb)
{
    /* raw: the lines after the first, through the blank line */
    const uint8_t *lf = memchr(p, '\n', m->block_len);
    size_t start = lf ? (size_t)(lf - p) + 1 : m->block_len;
    b[RULE_BUF_HTTP_HEADER_RAW].p = p + start;
    b[RULE_BUF_HTTP_HEADER_RAW].len = m->block_len - start;

    /* normalised fields and names */
    size_t need = 0, need_names = 4;
    for (unsigned i = 0; i < m->nhdr; i++) {
        need += (size_t)m->hdr[i].name.len + m->hdr[i].value.len + 4;
        need_names += (size_t)m->hdr[i].name.len + 2;
    }
    uint8_t *h = sb_take(sb, need), *nm = sb_take(sb, need_names);
    if (h) {
        size_t k = 0;
        const char *skip = request ? "cookie" : "set-cookie";
        for (unsigned i = 0; i < m->nhdr; i++) {
            const struct http_hdr *x = &m->hdr[i];
            if (name_is(p, x->name, skip))
                continue;
            memcpy(h + k, p + x->name.off, x->name.len);
            k += x->name.len;
            h[k++] = ':';
            h[k++] = ' ';
            memcpy(h + k, p + x->value.off, x->value.len);
            k += x->value.len;
            h[k++] = '\r';
            h[k++] = '\n';
        }
        b[RULE_BUF_HTTP_HEADER].p = h;
        b[RULE_BUF_HTTP_HEADER].len = k;
    }
    if (nm) {
        size_t k = 0;
        for (unsigned i = 0; i < m->nhdr; i++) {
            nm[k++] = '\r';
            nm[k++] = '\n';
            memcpy(nm + k, p + m->hdr[i].name.off, m->hdr[i].name.len);
            k += m->hdr[i].name.len;
        }
        memcpy(nm + k, "\r\n\r\n", 4);
        k += 4;
        b[RULE_BUF_HTTP_HEADER_NAMES].p = nm;
        b[RULE_BUF_HTTP_HEADER_NAMES].len = k;
    }
    /* start: the first line, CRLF, the raw header lines */
    size_t fl = first_line_len(m, p);
    size_t raw = b[RULE_BUF_HTTP_HEADER_RAW].len;
    uint8_t *st = sb_take(sb, fl + 2 + raw);
    if (st) {
        memcpy(st, p, fl);
        st[fl] = '\r';
        st[fl + 1] = '\n';
        memcpy(st + fl + 2, p + start, raw);
        b[RULE_BUF_HTTP_START].p = st;
        b[RULE_BUF_HTTP_START].len = fl + 2 + raw;
    }
    set_hdr(&b[RULE_BUF_HTTP_CONTENT_TYPE], m, p, "content-type");
    set_hdr(&b[RULE_BUF_HTTP_CONTENT_LEN], m, p, "content-length");
    set_str(&b[RULE_BUF_HTTP_PROTOCOL], p, m->protocol);
}

/* http.host: lower case, without the port or IPv6 brackets. */
static void host(struct rule_buffer b[RULE_BUF_COUNT], const struct http_msg *q, const uint8_t *qp,
                 struct sbuf *sb)
{
    const struct http_hdr *h = http_header(q, qp, "host");
    if (!h)
        return;
    set_str(&b[RULE_BUF_HTTP_HOST_RAW], qp, h->value);
    const uint8_t *v = qp + h->value.off;
    size_t n = h->value.len, hs = 0, he = n;
    if (n && v[0] == '[') {
        const uint8_t *rb = memchr(v, ']', n);
        if (rb) {
            hs = 1;
            he = (size_t)(rb - v);
        }
    } else {
        const uint8_t *c = memchr(v, ':', n);
        if (c)
            he = (size_t)(c - v);
    }
    uint8_t *o = sb_take(sb, he - hs);
    if (!o)
        return;
    for (size_t i = hs; i < he; i++)
        o[i - hs] = v[i] >= 'A' && v[i] <= 'Z' ? (uint8_t)(v[i] | 0x20) : v[i];
    b[RULE_BUF_HTTP_HOST].p = o;
    b[RULE_BUF_HTTP_HOST].len = he - hs;
}

/* ---- Content-Encoding: gzip / deflate ----
 *
 * zlib allocates its state (about 7 KiB) and window (32 KiB) through
 * zalloc: here a bump allocator over a per-thread arena, reset for each
 * body, so nothing is allocated per packet. */
#define INFLATE_ARENA (64u * 1024u)

static _Thread_local struct {
    size_t used;
    _Alignas(16) uint8_t mem[INFLATE_ARENA];
} zarena;

static voidpf z_take(voidpf opaque, uInt items, uInt size)
{
    (void)opaque;
    size_t n = (size_t)items * size;
    n = (n + 15) & ~(size_t)15;
    if (n > INFLATE_ARENA - zarena.used)
        return Z_NULL;
    void *r = zarena.mem + zarena.used;
    zarena.used += n;
    return r;
}

static void z_give(voidpf opaque, voidpf address)
{
    (void)opaque;
    (void)address;
}

/* Inflates [in, in + n) into [out, out + cap) with windowBits wbits; the
 * bytes produced (up to cap, a cut or damaged stream keeps what came
 * before), 0 when the stream does not start as one. */
static size_t inflate_run(const uint8_t *in, size_t n, uint8_t *out, size_t cap, int wbits)
{
    z_stream z;
    memset(&z, 0, sizeof(z));
    z.zalloc = z_take;
    z.zfree = z_give;
    zarena.used = 0;
    if (inflateInit2(&z, wbits) != Z_OK)
        return 0;
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    (void)inflate(&z, Z_SYNC_FLUSH);
    size_t got = cap - z.avail_out;
    inflateEnd(&z);
    return got;
}

/* The response body as file.data / http.response_body: inflated into the
 * scratch (at most DETECT_BODY_DECODED bytes) when Content-Encoding says
 * gzip or deflate and the bytes inflate, else as sent. */
static void resp_body(struct rule_buffer b[RULE_BUF_COUNT], const struct http_tx *t,
                      struct sbuf *sb)
{
    struct rule_buffer body = { t->resp_data, t->resp_data_len };
    bool gz = http_header_has(t->resp, t->resp_p, "content-encoding", "gzip");
    bool df = http_header_has(t->resp, t->resp_p, "content-encoding", "deflate");
    uint8_t *o = (gz || df) ? sb_take(sb, DETECT_BODY_DECODED) : NULL;
    if (o) {
        /* 15 + 32: a zlib or gzip header, found from the bytes;
         * "deflate" is sometimes sent raw (-15) */
        size_t got = inflate_run(t->resp_data, t->resp_data_len, o, DETECT_BODY_DECODED, 15 + 32);
        if (!got && df)
            got = inflate_run(t->resp_data, t->resp_data_len, o, DETECT_BODY_DECODED, -15);
        if (got) {
            body.p = o;
            body.len = got;
        }
    }
    b[RULE_BUF_HTTP_RESPONSE_BODY] = body;
    b[RULE_BUF_FILE_DATA] = body;
}

void detect_bufs_http(struct rule_buffer b[RULE_BUF_COUNT], bool request, const struct http_tx *t,
                      uint8_t *scratch, size_t cap)
{
    const struct http_msg *q = t->req, *r = t->resp;
    const uint8_t *qp = t->req_p, *rp = t->resp_p;
    detect_bufs_clear(b);
    struct sbuf sb = { scratch, cap, 0 };
    if (q && qp) {
        set_str(&b[RULE_BUF_HTTP_URI], qp, q->uri);
        set_str(&b[RULE_BUF_HTTP_URI_RAW], qp, q->uri);
        set_str(&b[RULE_BUF_HTTP_METHOD], qp, q->method);
        host(b, q, qp, &sb);
    }
    if (request) {
        if (!q || !qp)
            return;
        b[RULE_BUF_HTTP_REQUEST_LINE].p = qp;
        b[RULE_BUF_HTTP_REQUEST_LINE].len = first_line_len(q, qp);
        set_hdr(&b[RULE_BUF_HTTP_USER_AGENT], q, qp, "user-agent");
        set_hdr(&b[RULE_BUF_HTTP_COOKIE], q, qp, "cookie");
        set_hdr(&b[RULE_BUF_HTTP_REFERER], q, qp, "referer");
        set_hdr(&b[RULE_BUF_HTTP_ACCEPT], q, qp, "accept");
        set_hdr(&b[RULE_BUF_HTTP_ACCEPT_LANG], q, qp, "accept-language");
        set_hdr(&b[RULE_BUF_HTTP_ACCEPT_ENC], q, qp, "accept-encoding");
        set_hdr(&b[RULE_BUF_HTTP_CONNECTION], q, qp, "connection");
        headers(b, q, qp, true, &sb);
        if (t->req_data && t->req_data_len) {
            /* Suricata files a request body too (uploads): file.data */
            b[RULE_BUF_HTTP_REQUEST_BODY] = (struct rule_buffer){ t->req_data, t->req_data_len };
            b[RULE_BUF_FILE_DATA] = b[RULE_BUF_HTTP_REQUEST_BODY];
        }
        return;
    }
    if (!r || !rp)
        return;
    b[RULE_BUF_HTTP_RESPONSE_LINE].p = rp;
    b[RULE_BUF_HTTP_RESPONSE_LINE].len = first_line_len(r, rp);
    set_str(&b[RULE_BUF_HTTP_STAT_CODE], rp, r->status_str);
    set_str(&b[RULE_BUF_HTTP_STAT_MSG], rp, r->reason);
    set_hdr(&b[RULE_BUF_HTTP_LOCATION], r, rp, "location");
    set_hdr(&b[RULE_BUF_HTTP_SERVER], r, rp, "server");
    set_hdr(&b[RULE_BUF_HTTP_COOKIE], r, rp, "set-cookie");
    set_hdr(&b[RULE_BUF_HTTP_CONNECTION], r, rp, "connection");
    headers(b, r, rp, false, &sb);
    if (t->resp_data && t->resp_data_len)
        resp_body(b, t, &sb);
}
