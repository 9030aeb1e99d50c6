/* output/eve_http.c: event_type "http" records, Suricata style: one record
 * per transaction, a request and its response (either may be missing: a
 * request never answered, a response whose request was not seen), fields
 * named as in Suricata's EVE http object (DESIGN.md section 4).  src is the
 * client, dest the server, whichever packet completed the record.  Like
 * eve.c: no allocation, no snprintf. */
#include "output/eve_int.h"

#include <string.h>

static void eve_http_s(struct json_buf *jb, const char *key, const uint8_t *p, struct http_str s)
{
    json_strn(jb, key, p + s.off, s.len);
}

static void eve_http_hdr(struct json_buf *jb, const char *key, const struct http_msg *m,
                         const uint8_t *p, const char *name)
{
    const struct http_hdr *h = http_header(m, p, name);
    if (h)
        eve_http_s(jb, key, p, h->value);
}

size_t eve_http_hostname(const struct http_msg *m, const uint8_t *p, char host[EVE_HOSTNAME_MAX],
                         uint32_t *port)
{
    const struct http_hdr *h = http_header(m, p, "host");
    if (port)
        *port = 0;
    if (!h || h->value.len == 0)
        return 0;
    const uint8_t *v = p + h->value.off;
    size_t n = h->value.len, hs = 0, he = n, ps = n;
    if (v[0] == '[') {
        const uint8_t *rb = memchr(v, ']', n);
        if (rb) {
            hs = 1;
            he = (size_t)(rb - v);
            if (he + 1 < n && v[he + 1] == ':')
                ps = he + 2;
        }
    } else {
        const uint8_t *c = memchr(v, ':', n);
        if (c) {
            he = (size_t)(c - v);
            ps = he + 1;
        }
    }
    size_t hl = he - hs < EVE_HOSTNAME_MAX ? he - hs : EVE_HOSTNAME_MAX;
    for (size_t i = 0; i < hl; i++) {
        uint8_t c = v[hs + i];
        host[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    if (port && ps < n && n - ps <= 5) {
        uint32_t pv = 0;
        for (size_t i = ps; i < n; i++) {
            if (v[i] < '0' || v[i] > '9')
                return hl;
            pv = pv * 10 + (uint32_t)(v[i] - '0');
        }
        if (pv <= 65535)
            *port = pv;
    }
    return hl;
}

/* Host: hostname (lower case, without brackets or port) and http_port. */
static void eve_http_host(struct json_buf *jb, const struct http_msg *m, const uint8_t *p)
{
    char host[EVE_HOSTNAME_MAX];
    uint32_t port;
    const struct http_hdr *h = http_header(m, p, "host");
    if (!h || h->value.len == 0)
        return;
    size_t hl = eve_http_hostname(m, p, host, &port);
    json_strn(jb, "hostname", (const uint8_t *)host, hl);
    if (port)
        json_u64(jb, "http_port", port);
}

static void eve_http_headers(struct json_buf *jb, const char *key, const struct http_msg *m,
                             const uint8_t *p)
{
    json_arr_open(jb, key);
    for (unsigned i = 0; i < m->nhdr; i++) {
        json_obj_open(jb, NULL);
        eve_http_s(jb, "name", p, m->hdr[i].name);
        eve_http_s(jb, "value", p, m->hdr[i].value);
        json_obj_close(jb);
    }
    json_arr_close(jb);
}

void eve_http_obj(struct json_buf *jb, const struct eve_http_tx *t, bool headers)
{
    const struct http_msg *q = t->req, *r = t->resp;
    const uint8_t *qp = t->req_p, *rp = t->resp_p;
    json_obj_open(jb, "http");
    if (q) {
        eve_http_host(jb, q, qp);
        eve_http_s(jb, "url", qp, q->uri);
        eve_http_hdr(jb, "http_user_agent", q, qp, "user-agent");
        eve_http_hdr(jb, "xff", q, qp, "x-forwarded-for");
    }
    if (r)
        eve_http_hdr(jb, "http_content_type", r, rp, "content-type");
    if (q) {
        eve_http_hdr(jb, "http_refer", q, qp, "referer");
        eve_http_s(jb, "http_method", qp, q->method);
        if (q->protocol.len)
            eve_http_s(jb, "protocol", qp, q->protocol);
    } else if (r) {
        eve_http_s(jb, "protocol", rp, r->protocol);
    }
    if (r) {
        if (r->status)
            json_u64(jb, "status", r->status);
        else
            eve_http_s(jb, "status_string", rp, r->status_str);
        eve_http_hdr(jb, "redirect", r, rp, "location");
        json_u64(jb, "length", t->resp_len);
    }
    if (headers) {
        if (q)
            eve_http_headers(jb, "request_headers", q, qp);
        if (r)
            eve_http_headers(jb, "response_headers", r, rp);
    }
    json_obj_close(jb);
}

static size_t eve_http_build(struct eve_ctx *ec, char *buf, size_t cap,
                             const struct eve_http_tx *t, bool headers)
{
    struct json_buf jb;
    json_init(&jb, buf, cap);
    json_obj_open(&jb, NULL);
    eve_put_app_head(ec, &jb, t->f, "http", t->ts_us, t->pcap_cnt, t->tx_id);
    eve_http_obj(&jb, t, headers);
    json_obj_close(&jb);
    return json_finish(&jb);
}

size_t eve_http(struct eve_ctx *ec, char *buf, size_t cap, const struct eve_http_tx *t)
{
    size_t n = eve_http_build(ec, buf, cap, t, true);
    if (n == 0)     /* too many or too long headers: the record without them */
        n = eve_http_build(ec, buf, cap, t, false);
    return n;
}
