/* dissect/http_tx.c: HTTP/1.x transactions over a reassembled stream
 * (http.h, second half).  Header blocks are parsed by http_parse once they
 * are whole; bodies are counted and their first bytes kept (dechunked). */
#include "dissect/http.h"

_Static_assert(sizeof(struct http_state) <= APPL_STATE_MAX, "one mempool block per flow");
_Static_assert(HTTP_REQ_KEEP >= HTTP_PIPELINE * HTTP_REQ_MIN && HTTP_REQ_KEEP < 65536,
               "room for a full pipeline; 16-bit offsets");
_Static_assert(HTTP_REQ_KEEP - (HTTP_PIPELINE - 1) * HTTP_REQ_MIN >= HTTP_LINE_MAX,
               "the first request keeps a line as long as a line may be");

#include <string.h>

enum {
    PH_HEAD = 0,        /* expecting a header block */
    PH_LEN,             /* Content-Length body: remain bytes left */
    PH_CHUNK_SIZE,      /* a chunk-size line */
    PH_CHUNK_DATA,      /* remain bytes of chunk data */
    PH_CHUNK_CRLF,      /* the line end after chunk data */
    PH_TRAILER,         /* trailer fields up to the empty line */
    PH_TO_EOF,          /* response body delimited by the end of the stream */
};

#define HTTP_CHUNK_LINE_MAX 1024

/* ---- kept header blocks ---- */

static bool kept_put(uint8_t *raw, size_t cap, size_t *o, const void *src, size_t n)
{
    if (cap - *o < n)
        return false;
    memcpy(raw + *o, src, n);
    *o += n;
    return true;
}

/* The fields the record names: kept first when a block must shrink. */
static bool kept_priority(const uint8_t *name, size_t n)
{
    static const char *const names[] = {
        "host", "user-agent", "content-type", "content-length", "transfer-encoding",
        "referer", "x-forwarded-for", "location",
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        size_t l = strlen(names[i]);
        if (l != n)
            continue;
        size_t j = 0;
        while (j < l && (name[j] | 0x20) == names[i][j])
            j++;
        if (j == l)
            return true;
    }
    return false;
}

/* A block longer than its room (cap bytes): its start line, then the
 * fields the record names, then as many others as fit, rewritten as
 * "name: value" lines.  The target is cut only when the start line and the
 * named fields (up to a quarter of cap for them) cannot fit together. */
static void kept_compact(struct http_msg *km, uint16_t *klen, uint8_t *raw, size_t cap,
                         const uint8_t *p, const struct http_msg *m)
{
    size_t o = 0;
    const struct http_str *a, *b, *c;
    if (m->response) {
        a = &m->protocol;
        b = &m->status_str;
        c = &m->reason;
    } else {
        a = &m->method;
        b = &m->uri;
        c = &m->protocol;
    }
    *klen = 0;
    km->nhdr = 0;
    if (cap < 2)
        return;
    cap -= 2;                       /* the blank line */
    size_t named = 0;
    for (unsigned i = 0; i < m->nhdr; i++) {
        const struct http_hdr *h = &m->hdr[i];
        if (kept_priority(p + h->name.off, h->name.len))
            named += (size_t)h->name.len + 2 + h->value.len + 2;
    }
    if (named > cap / 4)
        named = cap / 4;
    /* start line: a SP b SP c CRLF, b shortened if need be */
    size_t fixed = a->len + 1 + 1 + c->len + 2, line_cap = cap - named;
    if (fixed + 1 > line_cap)
        return;
    size_t blen = b->len < line_cap - fixed ? b->len : line_cap - fixed;
    kept_put(raw, cap, &o, p + a->off, a->len);
    kept_put(raw, cap, &o, " ", 1);
    kept_put(raw, cap, &o, p + b->off, blen);
    if (c->len || m->response) {
        kept_put(raw, cap, &o, " ", 1);
        kept_put(raw, cap, &o, p + c->off, c->len);
    }
    kept_put(raw, cap, &o, "\r\n", 2);
    for (int pass = 0; pass < 2; pass++) {
        for (unsigned i = 0; i < m->nhdr; i++) {
            const struct http_hdr *h = &m->hdr[i];
            if (kept_priority(p + h->name.off, h->name.len) != (pass == 0))
                continue;
            size_t need = (size_t)h->name.len + 2 + h->value.len + 2;
            if (cap - o < need)
                continue;       /* a shorter one later may still fit */
            kept_put(raw, cap, &o, p + h->name.off, h->name.len);
            kept_put(raw, cap, &o, ": ", 2);
            kept_put(raw, cap, &o, p + h->value.off, h->value.len);
            kept_put(raw, cap, &o, "\r\n", 2);
        }
    }
    memcpy(raw + o, "\r\n", 2);
    o += 2;
    if (http_parse(raw, o, km) != HTTP_ERR_OK) {
        km->nhdr = 0;
        return;
    }
    *klen = (uint16_t)o;
    km->partial = true;
}

/* The block at p (parsed as m) into [raw, raw + cap): *klen bytes kept, 0
 * when not even its start line fits. */
static void kept_store(struct http_msg *km, uint16_t *klen, uint8_t *raw, size_t cap,
                       const uint8_t *p, const struct http_msg *m)
{
    if (m->block_len <= cap) {
        memcpy(raw, p, m->block_len);
        *klen = (uint16_t)m->block_len;
        *km = *m;
        return;
    }
    kept_compact(km, klen, raw, cap, p, m);
}

/* The oldest unanswered request is done: its block leaves req_raw, the
 * others move down (only when requests are pipelined). */
static void req_pop(struct http_state *s)
{
    unsigned h = s->req_head;
    size_t l = (size_t)s->req_len[h] + s->req_blen[h];
    s->req_head = (uint8_t)((h + 1) % HTTP_PIPELINE);
    s->req_cnt--;
    if (l == 0)
        return;
    memmove(s->req_raw, s->req_raw + l, s->req_used - l);
    s->req_used = (uint16_t)(s->req_used - l);
    for (unsigned i = 0; i < s->req_cnt; i++) {
        unsigned j = (s->req_head + i) % HTTP_PIPELINE;
        if (s->req_len[j])
            s->req_off[j] = (uint16_t)(s->req_off[j] - l);
    }
}

/* Bytes of the requests' room slot j holds toward the budget. */
static size_t req_held(const struct http_state *s, unsigned j)
{
    size_t l = (size_t)s->req_len[j] + s->req_blen[j];
    return l > HTTP_REQ_MIN ? l : HTTP_REQ_MIN;
}

/* Body bytes [q, q + n) of direction dir: the first ones are kept.  A
 * request's go after the newest request's block, the last bytes of
 * req_raw in use, within what the budget leaves it. */
static void body_keep(struct http_state *s, int dir, const uint8_t *q, size_t n)
{
    if (!s->d[dir].bkeep || n == 0)
        return;
    if (dir == 1) {
        size_t room = (size_t)HTTP_RESP_BODY_KEEP - s->resp_blen;
        size_t k = n < room ? n : room;
        memcpy(s->resp_bdata + s->resp_blen, q, k);
        s->resp_blen = (uint16_t)(s->resp_blen + k);
        return;
    }
    if (!s->req_cnt)
        return;
    unsigned slot = (s->req_head + s->req_cnt - 1) % HTTP_PIPELINE;
    if (s->req_len[slot] == 0)
        return;
    size_t held = (size_t)(HTTP_PIPELINE - s->req_cnt) * HTTP_REQ_MIN;
    for (unsigned i = 0; i + 1 < s->req_cnt; i++)
        held += req_held(s, (s->req_head + i) % HTTP_PIPELINE);
    size_t own = (size_t)s->req_len[slot] + s->req_blen[slot];
    if (held + own >= HTTP_REQ_KEEP)
        return;
    size_t room = HTTP_REQ_KEEP - held - own;
    size_t left = (size_t)HTTP_REQ_BODY_KEEP - s->req_blen[slot];
    if (room > left)
        room = left;
    size_t k = n < room ? n : room;
    memcpy(s->req_raw + s->req_used, q, k);
    s->req_used = (uint16_t)(s->req_used + k);
    s->req_blen[slot] = (uint16_t)(s->req_blen[slot] + k);
}

/* ---- header values ---- */

/* Content-Length: -1 when absent or not a plain decimal number. */
static int64_t hdr_content_length(const struct http_msg *m, const uint8_t *p)
{
    const struct http_hdr *h = http_header(m, p, "content-length");
    if (!h || h->value.len == 0 || h->value.len > 15)
        return -1;
    int64_t v = 0;
    for (size_t i = 0; i < h->value.len; i++) {
        uint8_t c = p[h->value.off + i];
        if (c < '0' || c > '9')
            return -1;
        v = v * 10 + (c - '0');
    }
    return v;
}

/* ---- transactions ---- */

static void http_emit(struct http_state *s, const struct appl_cb *cb, bool with_resp)
{
    struct http_tx t;
    memset(&t, 0, sizeof(t));
    bool has_req = with_resp ? s->resp_has_req : s->req_cnt > 0;
    if (has_req && s->req_cnt) {
        unsigned h = s->req_head;
        t.tx_id = s->req_tx[h];
        if (s->req_len[h]) {
            t.req = &s->req_msg[h];
            t.req_p = s->req_raw + s->req_off[h];
        }
        t.req_body = s->req_body[h];
        if (s->req_len[h] && s->req_blen[h]) {
            t.req_data = s->req_raw + s->req_off[h] + s->req_len[h];
            t.req_data_len = s->req_blen[h];
        }
    } else if (with_resp) {
        t.tx_id = s->resp_tx;
    } else {
        return;
    }
    if (with_resp && s->resp.len) {
        t.resp = &s->resp.msg;
        t.resp_p = s->resp.raw;
        t.resp_body = s->d[1].body;
        if (s->resp_blen) {
            t.resp_data = s->resp_bdata;
            t.resp_data_len = s->resp_blen;
        }
    }
    if (t.req || t.resp)
        cb->tx(cb->ctx, &t);
    if (has_req && s->req_cnt)
        req_pop(s);
    if (with_resp) {
        s->resp_open = false;
        s->resp_has_req = false;
        s->resp_blen = 0;
        s->d[1].bkeep = false;
    }
}

static void http_body_done(struct http_state *s, int dir, const struct appl_cb *cb)
{
    s->d[dir].phase = PH_HEAD;
    s->d[dir].bkeep = false;
    if (dir == 0)
        s->req_in_body = false;
    else
        http_emit(s, cb, true);
}

static void http_bad(struct http_state *s, int dir, const struct appl_cb *cb, const char *ev)
{
    struct http_dir *hd = &s->d[dir];
    if (!hd->bad && !hd->resync)
        cb->anomaly(cb->ctx, ev);
    hd->bad = true;
    hd->phase = PH_HEAD;
    hd->bkeep = false;
    if (dir == 0)
        s->req_in_body = false;
    else if (s->resp_open)
        http_emit(s, cb, true);
}

static void http_request(struct http_state *s, const uint8_t *p, const struct http_msg *m,
                         const struct appl_cb *cb)
{
    if (s->req_cnt == HTTP_PIPELINE)
        http_emit(s, cb, false);            /* the oldest, never answered */
    unsigned slot = (s->req_head + s->req_cnt) % HTTP_PIPELINE;
    /* Each queued request holds at least HTTP_REQ_MIN of the budget and
     * each one that may still queue behind this one is promised as much:
     * the rest is this one's, never less than HTTP_REQ_MIN (the sum of
     * the holdings stays within HTTP_REQ_KEEP, so the bytes are free). */
    size_t held = (size_t)(HTTP_PIPELINE - 1 - s->req_cnt) * HTTP_REQ_MIN;
    for (unsigned i = 0; i < s->req_cnt; i++)
        held += req_held(s, (s->req_head + i) % HTTP_PIPELINE);
    size_t cap = HTTP_REQ_KEEP - held;
    kept_store(&s->req_msg[slot], &s->req_len[slot], s->req_raw + s->req_used, cap, p, m);
    s->req_off[slot] = s->req_used;
    s->req_used = (uint16_t)(s->req_used + s->req_len[slot]);
    s->req_tx[slot] = s->next_tx++;
    s->req_body[slot] = 0;
    s->req_blen[slot] = 0;
    s->req_head_method[slot] = m->method.len == 4 && memcmp(p + m->method.off, "HEAD", 4) == 0;
    s->req_connect[slot] = m->method.len == 7 && memcmp(p + m->method.off, "CONNECT", 7) == 0;
    s->req_cnt++;
    struct http_dir *hd = &s->d[0];
    hd->body = 0;
    hd->bkeep = true;
    if (http_header_has(m, p, "transfer-encoding", "chunked")) {
        hd->phase = PH_CHUNK_SIZE;
        s->req_in_body = true;
        return;
    }
    int64_t cl = hdr_content_length(m, p);
    if (cl > 0) {
        hd->phase = PH_LEN;
        hd->remain = (uint64_t)cl;
        s->req_in_body = true;
    }
}

static void http_response(struct http_state *s, const uint8_t *p, const struct http_msg *m,
                          const struct appl_cb *cb)
{
    unsigned st = m->status;
    if (st >= 100 && st < 200 && st != 101)
        return;                             /* interim: the final one follows */
    bool head = false, connect = false;
    if (s->req_cnt) {
        unsigned h = s->req_head;
        s->resp_tx = s->req_tx[h];
        s->resp_has_req = true;
        head = s->req_head_method[h];
        connect = s->req_connect[h];
    } else {
        s->resp_tx = s->next_tx++;
        s->resp_has_req = false;
    }
    kept_store(&s->resp.msg, &s->resp.len, s->resp.raw, HTTP_KEEP, p, m);
    s->resp_open = true;
    s->resp_blen = 0;
    struct http_dir *hd = &s->d[1];
    hd->body = 0;
    hd->bkeep = true;
    if (st == 101 || (connect && st >= 200 && st < 300)) {
        http_emit(s, cb, true);
        s->tunnel = true;
        return;
    }
    if (head || st == 204 || st == 304 || (st >= 100 && st < 200)) {
        http_emit(s, cb, true);
        return;
    }
    if (http_header_has(m, p, "transfer-encoding", "chunked")) {
        hd->phase = PH_CHUNK_SIZE;
        return;
    }
    int64_t cl = hdr_content_length(m, p);
    if (cl == 0) {
        http_emit(s, cb, true);
        return;
    }
    if (cl > 0) {
        hd->phase = PH_LEN;
        hd->remain = (uint64_t)cl;
        return;
    }
    hd->phase = PH_TO_EOF;
}

/* Length of the line at q (LF included), 0 if no LF in [q, q + m). */
static size_t line_len(const uint8_t *q, size_t m)
{
    const uint8_t *lf = memchr(q, '\n', m);
    return lf ? (size_t)(lf - q) + 1 : 0;
}

/* One header block at q, or a reason to wait.  Returns bytes used; 0 with
 * *wait set when more input is needed. */
static size_t http_head(struct http_state *s, int dir, const uint8_t *q, size_t m, bool eof,
                        const struct appl_cb *cb, bool *wait)
{
    struct http_dir *hd = &s->d[dir];
    bool req = dir == 0;
    size_t ll = line_len(q, m);
    /* empty lines between messages are allowed */
    if (ll && (ll == 1 || (ll == 2 && q[0] == '\r')))
        return ll;
    bool start = req ? http_is_request_start(q, m) : http_is_response_start(q, m);
    if (!start) {
        if (!ll && m < 40 && !eof) {
            *wait = true;               /* the first word may be cut */
            return 0;
        }
        if (!hd->bad && !hd->resync)
            http_bad(s, dir, cb, req ? "REQUEST_LINE_INVALID" : "RESPONSE_LINE_INVALID");
        if (ll)
            return ll;                  /* skip a line */
        if (m > HTTP_LINE_MAX || eof)
            return m;
        *wait = true;
        return 0;
    }
    struct http_msg msg;
    enum http_err e = http_parse(q, m, &msg);
    if (e == HTTP_ERR_INCOMPLETE) {
        if (m < HTTP_BLOCK_MAX && !eof) {
            *wait = true;
            return 0;
        }
        e = HTTP_ERR_LINE_TOO_LONG;
    }
    if (e != HTTP_ERR_OK) {
        const char *ev;
        if (e == HTTP_ERR_LINE_TOO_LONG)
            ev = req ? "REQUEST_FIELD_TOO_LONG" : "RESPONSE_FIELD_TOO_LONG";
        else if (e == HTTP_ERR_BAD_REQUEST_LINE)
            ev = "REQUEST_LINE_INVALID";
        else if (e == HTTP_ERR_BAD_STATUS_LINE)
            ev = "RESPONSE_LINE_INVALID";
        else
            ev = req ? "REQUEST_HEADER_INVALID" : "RESPONSE_HEADER_INVALID";
        hd->resync = false;
        http_bad(s, dir, cb, ev);
        return ll ? ll : m;
    }
    hd->bad = hd->resync = false;
    if (req)
        http_request(s, q, &msg, cb);
    else
        http_response(s, q, &msg, cb);
    return msg.block_len;
}

/* A chunk-size line: "1a;ext=v\r\n". */
static size_t http_chunk_size(struct http_state *s, int dir, const uint8_t *q, size_t m,
                              const struct appl_cb *cb, bool *wait)
{
    struct http_dir *hd = &s->d[dir];
    size_t ll = line_len(q, m);
    if (!ll) {
        if (m <= HTTP_CHUNK_LINE_MAX) {
            *wait = true;
            return 0;
        }
        http_bad(s, dir, cb, dir == 0 ? "INVALID_REQUEST_CHUNK_LEN" : "INVALID_RESPONSE_CHUNK_LEN");
        return m;
    }
    size_t i = 0;
    while (i < ll && (q[i] == ' ' || q[i] == '\t'))
        i++;
    uint64_t v = 0;
    unsigned digits = 0;
    for (; i < ll; i++, digits++) {
        uint8_t c = q[i];
        unsigned x;
        if (c >= '0' && c <= '9')
            x = c - '0';
        else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
            x = (c | 0x20) - 'a' + 10;
        else
            break;
        v = v << 4 | x;
    }
    if (digits == 0 || digits > 15 ||
        (i < ll && q[i] != ';' && q[i] != ' ' && q[i] != '\t' && q[i] != '\r' && q[i] != '\n')) {
        http_bad(s, dir, cb, dir == 0 ? "INVALID_REQUEST_CHUNK_LEN" : "INVALID_RESPONSE_CHUNK_LEN");
        return ll;
    }
    hd->body += ll;
    if (v == 0) {
        hd->phase = PH_TRAILER;
    } else {
        hd->phase = PH_CHUNK_DATA;
        hd->remain = v;
    }
    return ll;
}

size_t http_feed(struct http_state *s, bool toserver, const uint8_t *p, size_t n,
                 unsigned flags, const struct appl_cb *cb)
{
    int dir = toserver ? 0 : 1;
    struct http_dir *hd = &s->d[dir];
    bool eof = (flags & APPL_EOF) != 0;
    if ((flags & APPL_GAP) && cb->gap && (hd->phase == PH_LEN || hd->phase == PH_CHUNK_DATA ||
                                          hd->phase == PH_TO_EOF) &&
        (hd->phase == PH_TO_EOF || cb->gap <= hd->remain)) {
        /* bytes lost inside a body of known length: skip them (what is
         * kept of the body ends before them) */
        hd->bkeep = false;
        if (hd->phase != PH_TO_EOF)
            hd->remain -= cb->gap;
        hd->body += cb->gap;
        if (dir == 0 && s->req_cnt)
            s->req_body[(s->req_head + s->req_cnt - 1) % HTTP_PIPELINE] += cb->gap;
        if (hd->phase != PH_TO_EOF && hd->remain == 0) {
            if (hd->phase == PH_LEN)
                http_body_done(s, dir, cb);
            else
                hd->phase = PH_CHUNK_CRLF;
        }
        flags &= ~APPL_GAP;
    }
    if (flags & APPL_GAP) {
        /* lost bytes: a body in progress ends here, the next message is
         * found by looking for its start */
        if (dir == 1 && s->resp_open)
            http_emit(s, cb, true);
        if (dir == 0)
            s->req_in_body = false;
        hd->phase = PH_HEAD;
        hd->resync = true;
    }
    size_t off = 0;
    while (off < n && !s->tunnel) {
        const uint8_t *q = p + off;
        size_t m = n - off, used = 0;
        bool wait = false;
        switch (hd->phase) {
        case PH_HEAD:
            used = http_head(s, dir, q, m, eof, cb, &wait);
            break;
        case PH_LEN:
        case PH_CHUNK_DATA:
            used = m < hd->remain ? m : (size_t)hd->remain;
            body_keep(s, dir, q, used);
            hd->remain -= used;
            hd->body += used;
            if (dir == 0 && s->req_cnt)
                s->req_body[(s->req_head + s->req_cnt - 1) % HTTP_PIPELINE] += used;
            if (hd->remain == 0) {
                if (hd->phase == PH_LEN)
                    http_body_done(s, dir, cb);
                else
                    hd->phase = PH_CHUNK_CRLF;
            }
            break;
        case PH_CHUNK_SIZE:
            used = http_chunk_size(s, dir, q, m, cb, &wait);
            break;
        case PH_CHUNK_CRLF:
            if (q[0] == '\n') {
                used = 1;
            } else if (q[0] == '\r') {
                if (m < 2) {
                    wait = true;
                    break;
                }
                used = q[1] == '\n' ? 2 : 1;
            } else {
                http_bad(s, dir, cb,
                         dir == 0 ? "INVALID_REQUEST_CHUNK_LEN" : "INVALID_RESPONSE_CHUNK_LEN");
                break;
            }
            hd->body += used;
            hd->phase = PH_CHUNK_SIZE;
            break;
        case PH_TRAILER: {
            size_t ll = line_len(q, m);
            if (!ll) {
                if (m <= HTTP_LINE_MAX) {
                    wait = true;
                    break;
                }
                used = m;           /* an endless trailer: give up on it */
                http_body_done(s, dir, cb);
                break;
            }
            used = ll;
            hd->body += ll;
            if (ll == 1 || (ll == 2 && q[0] == '\r'))
                http_body_done(s, dir, cb);
            break;
        }
        case PH_TO_EOF:
        default:
            used = m;
            body_keep(s, dir, q, m);
            hd->body += m;
            break;
        }
        if (wait)
            break;
        off += used;
    }
    if (s->tunnel)
        off = n;
    if (eof) {
        if (dir == 1) {
            if (s->resp_open)
                http_emit(s, cb, true);
            while (s->req_cnt)
                http_emit(s, cb, false);
        }
        hd->phase = PH_HEAD;
        off = n;
    }
    return off;
}
