/* dissect/http.c: HTTP/1.x header block parser (see http.h).
 *
 * Bounds: the block is read line by line; a line is found with memchr in
 * what is left, so no read goes past n, and at most HTTP_BLOCK_MAX bytes
 * are looked at (offsets fit 16 bits). */
#include "dissect/http.h"

#include <string.h>

static const char *const http_err_names[] = {
#define HTTP_ERR_NAME(id, name) name,
    HTTP_ERRORS(HTTP_ERR_NAME)
#undef HTTP_ERR_NAME
};

const char *http_err_name(unsigned e)
{
    return e < HTTP_ERR_MAX ? http_err_names[e] : "unknown";
}

static bool http_tchar(uint8_t c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool http_ws(uint8_t c) { return c == ' ' || c == '\t'; }

bool http_is_request_start(const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n && i < 32 && http_tchar(p[i]))
        i++;
    return i > 0 && i < n && p[i] == ' ';
}

bool http_is_response_start(const uint8_t *p, size_t n)
{
    return n >= 5 && memcmp(p, "HTTP/", 5) == 0;
}

static struct http_str http_mk(size_t off, size_t len)
{
    return (struct http_str){ (uint16_t)off, (uint16_t)len };
}

/* Splits [s, e) of line at the first run of SP/HT: *tok gets the word,
 * *s moves past the whitespace after it. */
static struct http_str http_word(const uint8_t *p, size_t *s, size_t e)
{
    size_t b = *s, i = b;
    while (i < e && !http_ws(p[i]))
        i++;
    struct http_str w = http_mk(b, i - b);
    while (i < e && http_ws(p[i]))
        i++;
    *s = i;
    return w;
}

static enum http_err http_request_line(const uint8_t *p, size_t s, size_t e, struct http_msg *m)
{
    m->method = http_word(p, &s, e);
    for (size_t i = 0; i < m->method.len; i++)
        if (!http_tchar(p[m->method.off + i]))
            return HTTP_ERR_BAD_REQUEST_LINE;
    if (m->method.len == 0 || s >= e)
        return HTTP_ERR_BAD_REQUEST_LINE;
    m->uri = http_word(p, &s, e);
    m->protocol = http_word(p, &s, e);
    if (s != e)
        return HTTP_ERR_BAD_REQUEST_LINE;   /* a fourth word */
    if (m->protocol.len && (m->protocol.len < 5 || memcmp(p + m->protocol.off, "HTTP/", 5)))
        return HTTP_ERR_BAD_REQUEST_LINE;
    return HTTP_ERR_OK;
}

static enum http_err http_status_line(const uint8_t *p, size_t s, size_t e, struct http_msg *m)
{
    m->protocol = http_word(p, &s, e);
    if (m->protocol.len < 5 || memcmp(p + m->protocol.off, "HTTP/", 5))
        return HTTP_ERR_BAD_STATUS_LINE;
    m->status_str = http_word(p, &s, e);
    if (m->status_str.len == 0)
        return HTTP_ERR_BAD_STATUS_LINE;
    if (m->status_str.len == 3) {
        unsigned v = 0;
        for (unsigned i = 0; i < 3; i++) {
            uint8_t c = p[m->status_str.off + i];
            if (c < '0' || c > '9') {
                v = 0;
                break;
            }
            v = v * 10 + (c - '0');
        }
        m->status = v >= 100 ? (uint16_t)v : 0;
    }
    m->reason = http_mk(s, e - s);
    return HTTP_ERR_OK;
}

enum http_err http_parse(const uint8_t *p, size_t n, struct http_msg *m)
{
    memset(m, 0, sizeof(*m));
    if (n > HTTP_BLOCK_MAX)
        n = HTTP_BLOCK_MAX;
    m->response = http_is_response_start(p, n);
    if (!m->response && !http_is_request_start(p, n))
        return HTTP_ERR_NOT_HTTP;
    size_t pos = 0;
    bool first = true;
    struct http_hdr *last = NULL;
    for (;;) {
        if (pos >= n)
            return HTTP_ERR_INCOMPLETE;
        size_t left = n - pos;
        const uint8_t *lf = memchr(p + pos, '\n', left < HTTP_LINE_MAX ? left : HTTP_LINE_MAX);
        if (!lf)
            return left < HTTP_LINE_MAX ? HTTP_ERR_INCOMPLETE : HTTP_ERR_LINE_TOO_LONG;
        size_t s = pos, next = (size_t)(lf - p) + 1, e = next - 1;
        if (e > s && p[e - 1] == '\r')
            e--;
        pos = next;
        if (first) {
            enum http_err r = m->response ? http_status_line(p, s, e, m)
                                          : http_request_line(p, s, e, m);
            if (r != HTTP_ERR_OK)
                return r;
            first = false;
            continue;
        }
        if (e == s) {
            m->block_len = (uint32_t)pos;
            return HTTP_ERR_OK;
        }
        if (http_ws(p[s])) {            /* obs-fold */
            if (!last && !m->partial)
                return HTTP_ERR_BAD_HEADER;
            if (last) {
                size_t ve = e;
                while (ve > s && http_ws(p[ve - 1]))
                    ve--;
                if (last->value.len == 0) {
                    size_t vs = s;
                    while (vs < ve && http_ws(p[vs]))
                        vs++;
                    last->value = http_mk(vs, ve - vs);
                } else if (ve > s) {
                    last->value.len = (uint16_t)(ve - last->value.off);
                }
            }
            continue;
        }
        const uint8_t *colon = memchr(p + s, ':', e - s);
        if (!colon)
            return HTTP_ERR_BAD_HEADER;
        size_t c = (size_t)(colon - p), ne = c;
        while (ne > s && http_ws(p[ne - 1]))
            ne--;
        if (ne == s)
            return HTTP_ERR_BAD_HEADER;
        size_t vs = c + 1, ve = e;
        while (vs < ve && http_ws(p[vs]))
            vs++;
        while (ve > vs && http_ws(p[ve - 1]))
            ve--;
        if (m->nhdr == HTTP_MAX_HEADERS) {
            m->partial = true;
            last = NULL;
            continue;
        }
        last = &m->hdr[m->nhdr++];
        last->name = http_mk(s, ne - s);
        last->value = http_mk(vs, ve - vs);
    }
}

const struct http_hdr *http_header(const struct http_msg *m, const uint8_t *p, const char *name)
{
    size_t len = strlen(name);
    for (unsigned i = 0; i < m->nhdr; i++) {
        const struct http_hdr *h = &m->hdr[i];
        if (h->name.len == len && strncasecmp((const char *)p + h->name.off, name, len) == 0)
            return h;
    }
    return NULL;
}

bool http_header_has(const struct http_msg *m, const uint8_t *p, const char *name,
                     const char *tok)
{
    const struct http_hdr *h = http_header(m, p, name);
    if (!h)
        return false;
    size_t tl = strlen(tok);
    const uint8_t *v = p + h->value.off;
    for (size_t i = 0; i + tl <= h->value.len; i++) {
        size_t j = 0;
        while (j < tl && (v[i + j] | 0x20) == tok[j])
            j++;
        if (j == tl)
            return true;
    }
    return false;
}
