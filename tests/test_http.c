/* tests/test_http.c: the HTTP/1.x header block parser (dissect/http.h)
 * and the "http" EVE record (output/eve_http.c): a request, a response,
 * a request without Host, folded headers and odd spacing, every truncation
 * of a good block (each copied into a buffer of exactly that size, so ASan
 * sees any read past it), oversize lines, too many headers.  Records are
 * checked against tests/schema_check.py: run from the repository root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/test_util.h"

#include "dissect/http.h"
#include "output/eve.h"

static struct http_msg msg, msg2;
static char rec[64 * 1024];

static const char req_txt[] =
    "GET /index.html?a=1 HTTP/1.1\r\n"
    "Host: Example.COM:8080\r\n"
    "User-Agent: curl/8.5.0\r\n"
    "Accept: */*\r\n"
    "Referer: http://ref.test/\r\n"
    "X-Forwarded-For: 192.0.2.9\r\n"
    "\r\n";

static const char resp_txt[] =
    "HTTP/1.1 301 Moved Permanently\r\n"
    "Content-Type: text/html\r\n"
    "Location: http://example.com/new\r\n"
    "Content-Length: 1234\r\n"
    "\r\n"
    "<html>";

static enum http_err parse(const char *s, struct http_msg *m)
{
    return http_parse((const uint8_t *)s, strlen(s), m);
}

static int eq(const char *p, struct http_str s, const char *want)
{
    return s.len == strlen(want) && memcmp(p + s.off, want, s.len) == 0;
}

static const char *hval(const struct http_msg *m, const char *p, const char *name)
{
    static char v[256];
    const struct http_hdr *h = http_header(m, (const uint8_t *)p, name);
    if (!h)
        return NULL;
    snprintf(v, sizeof(v), "%.*s", (int)h->value.len, p + h->value.off);
    return v;
}

static void request(void **state)
{
    (void)state;
    assert_int_equal(parse(req_txt, &msg), HTTP_ERR_OK);
    assert_false(msg.response);
    assert_true(eq(req_txt, msg.method, "GET"));
    assert_true(eq(req_txt, msg.uri, "/index.html?a=1"));
    assert_true(eq(req_txt, msg.protocol, "HTTP/1.1"));
    assert_int_equal(msg.nhdr, 5);
    assert_int_equal(msg.block_len, strlen(req_txt));
    assert_string_equal(hval(&msg, req_txt, "host"), "Example.COM:8080");
    assert_string_equal(hval(&msg, req_txt, "USER-AGENT"), "curl/8.5.0");
    assert_null(hval(&msg, req_txt, "cookie"));
    assert_true(http_is_request_start((const uint8_t *)req_txt, sizeof(req_txt) - 1));
    assert_false(http_is_response_start((const uint8_t *)req_txt, sizeof(req_txt) - 1));
}

static void response(void **state)
{
    (void)state;
    assert_int_equal(parse(resp_txt, &msg), HTTP_ERR_OK);
    assert_true(msg.response);
    assert_int_equal(msg.status, 301);
    assert_true(eq(resp_txt, msg.reason, "Moved Permanently"));
    assert_int_equal(msg.block_len, strlen(resp_txt) - 6);
    assert_string_equal(hval(&msg, resp_txt, "location"), "http://example.com/new");
    /* no reason phrase, non-numeric status */
    const char *r2 = "HTTP/1.0 2XX\n\n";
    assert_int_equal(parse(r2, &msg), HTTP_ERR_OK);
    assert_int_equal(msg.status, 0);
    assert_true(eq(r2, msg.status_str, "2XX"));
    assert_int_equal(parse("HTTP/1.1\r\n\r\n", &msg), HTTP_ERR_BAD_STATUS_LINE);
}

static void folding_spacing(void **state)
{
    (void)state;
    const char *s = "POST   /x   HTTP/1.0\n"
                    "Host :  a.test  \n"
                    "X-Long: one\r\n"
                    "  two\r\n"
                    "\tthree \r\n"
                    "Empty:\r\n"
                    "\r\n";
    assert_int_equal(parse(s, &msg), HTTP_ERR_OK);
    assert_true(eq(s, msg.method, "POST"));
    assert_true(eq(s, msg.uri, "/x"));
    assert_string_equal(hval(&msg, s, "host"), "a.test");
    const char *v = hval(&msg, s, "x-long");
    assert_non_null(v);
    assert_true(strncmp(v, "one", 3) == 0 && strstr(v, "three") != NULL);
    assert_string_equal(hval(&msg, s, "empty"), "");
    /* malformed */
    assert_int_equal(parse("GET / HTTP/1.1\r\n folded-first\r\n\r\n", &msg), HTTP_ERR_BAD_HEADER);
    assert_int_equal(parse("GET / HTTP/1.1\r\nno colon\r\n\r\n", &msg), HTTP_ERR_BAD_HEADER);
    assert_int_equal(parse("GET / HTTP/1.1\r\n: v\r\n\r\n", &msg), HTTP_ERR_BAD_HEADER);
    assert_int_equal(parse("GET / FTP/1.1\r\n\r\n", &msg), HTTP_ERR_BAD_REQUEST_LINE);
    assert_int_equal(parse("GET / HTTP/1.1 x\r\n\r\n", &msg), HTTP_ERR_BAD_REQUEST_LINE);
    assert_int_equal(parse("\x16\x03\x01", &msg), HTTP_ERR_NOT_HTTP);
    assert_int_equal(parse("", &msg), HTTP_ERR_NOT_HTTP);
    assert_string_equal(http_err_name(HTTP_ERR_BAD_HEADER), "bad_header");
    assert_string_equal(http_err_name(999), "unknown");
}

static void truncated(void **state)
{
    (void)state;
    const char *texts[] = { req_txt, resp_txt, "GET / HTTP/1.1\nA: b\n c\n\n" };
    for (unsigned t = 0; t < 3; t++) {
        size_t full = strlen(texts[t]);
        for (size_t n = 0; n <= full; n++) {
            uint8_t *b = malloc(n ? n : 1);
            assert_non_null(b);
            memcpy(b, texts[t], n);
            enum http_err e = http_parse(b, n, &msg);
            struct http_msg ok;
            bool whole = http_parse((const uint8_t *)texts[t], full, &ok) == HTTP_ERR_OK;
            assert_true(whole);
            if (n < ok.block_len)
                assert_int_not_equal(e, HTTP_ERR_OK);
            else
                assert_int_equal(e, HTTP_ERR_OK);
            free(b);
        }
    }
}

static void oversize(void **state)
{
    (void)state;
    size_t n = HTTP_LINE_MAX + 100;
    char *b = malloc(n + 64);
    assert_non_null(b);
    memcpy(b, "GET /", 5);
    memset(b + 5, 'a', n - 5);
    memcpy(b + n, " HTTP/1.1\r\n\r\n", 14);
    assert_int_equal(http_parse((uint8_t *)b, n + 13, &msg), HTTP_ERR_LINE_TOO_LONG);
    /* a long header line */
    size_t m = (size_t)sprintf(b, "GET / HTTP/1.1\r\nX: ");
    memset(b + m, 'v', n - m);
    memcpy(b + n, "\r\n\r\n", 4);
    assert_int_equal(http_parse((uint8_t *)b, n + 4, &msg), HTTP_ERR_LINE_TOO_LONG);
    /* without a line end: incomplete below the line limit, too long above */
    assert_int_equal(http_parse((uint8_t *)b, 100, &msg), HTTP_ERR_INCOMPLETE);
    assert_int_equal(http_parse((uint8_t *)b, n, &msg), HTTP_ERR_LINE_TOO_LONG);
    free(b);
    /* too many headers: the rest left out */
    char *h = malloc(16 * 1024);
    assert_non_null(h);
    size_t k = (size_t)sprintf(h, "GET / HTTP/1.1\r\n");
    for (unsigned i = 0; i < HTTP_MAX_HEADERS + 10; i++)
        k += (size_t)sprintf(h + k, "H%u: %u\r\n", i, i);
    k += (size_t)sprintf(h + k, "\r\n");
    assert_int_equal(http_parse((uint8_t *)h, k, &msg), HTTP_ERR_OK);
    assert_int_equal(msg.nhdr, HTTP_MAX_HEADERS);
    assert_true(msg.partial);
    assert_int_equal(msg.block_len, k);
    free(h);
}

static void random_bytes(void **state)
{
    (void)state;
    srand(7);
    uint8_t b[512] = { 0 };
    for (unsigned i = 0; i < 20000; i++) {
        size_t n = (size_t)rand() % sizeof(b);
        memcpy(b, i & 1 ? "HTTP/1.1 " : "GET / ", i & 1 ? 9 : 6);
        for (size_t j = 9; j < n; j++)
            b[j] = (uint8_t)"ab: \r\n\t/"[rand() % 8];
        uint8_t *c = malloc(n ? n : 1);
        memcpy(c, b, n);
        (void)http_parse(c, n, &msg);
        free(c);
    }
}

#define HAS(s) do { if (!strstr(rec, s)) fail_msg("missing %s in %s", s, rec); } while (0)

static void schema_ok(void)
{
    test_schema_ok(rec);
}

static size_t record(const char *q, const char *r, uint64_t tx)
{
    static struct eve_ctx ec;
    eve_ctx_init(&ec, "x.pcap", NULL);
    struct flow f;
    memset(&f, 0, sizeof(f));
    f.flow_id = 42;
    f.ip_v = 4;
    f.proto = 6;
    f.cli[0] = 10; f.cli[3] = 1;
    f.srv[0] = 10; f.srv[3] = 2;
    f.cli_port = 40000;
    f.srv_port = 80;
    struct eve_http_tx t = { .f = &f, .ts_us = 1795356469835303ull, .pcap_cnt = 4, .tx_id = tx,
                             .resp_len = 1234 };
    if (q) {
        assert_int_equal(parse(q, &msg), HTTP_ERR_OK);
        t.req = &msg;
        t.req_p = (const uint8_t *)q;
    }
    if (r) {
        assert_int_equal(parse(r, &msg2), HTTP_ERR_OK);
        t.resp = &msg2;
        t.resp_p = (const uint8_t *)r;
    }
    size_t n = eve_http(&ec, rec, sizeof(rec) - 1, &t);
    assert_true(n > 0);
    rec[n] = '\0';
    return n;
}

static void eve_tx(void **state)
{
    (void)state;
    record(req_txt, resp_txt, 2);
    HAS("\"event_type\":\"http\",\"src_ip\":\"10.0.0.1\",\"src_port\":40000,\"dest_ip\":\"10.0.0.2\",\"dest_port\":80");
    HAS("\"tx_id\":2,\"http\":{\"hostname\":\"example.com\",\"http_port\":8080,\"url\":\"/index.html?a=1\","
        "\"http_user_agent\":\"curl/8.5.0\",\"xff\":\"192.0.2.9\",\"http_content_type\":\"text/html\","
        "\"http_refer\":\"http://ref.test/\",\"http_method\":\"GET\",\"protocol\":\"HTTP/1.1\","
        "\"status\":301,\"redirect\":\"http://example.com/new\",\"length\":1234,");
    HAS("\"request_headers\":[{\"name\":\"Host\",\"value\":\"Example.COM:8080\"}");
    schema_ok();
    /* request only, no Host */
    record("GET / HTTP/1.0\r\nAccept: x\r\n\r\n", NULL, 0);
    HAS("\"http\":{\"url\":\"/\",\"http_method\":\"GET\",\"protocol\":\"HTTP/1.0\",\"request_headers\"");
    assert_null(strstr(rec, "hostname"));
    assert_null(strstr(rec, "status"));
    schema_ok();
    /* response only, IPv6 host irrelevant; non-numeric status */
    record(NULL, "HTTP/1.1 2XX\r\n\r\n", 1);
    HAS("\"protocol\":\"HTTP/1.1\",\"status_string\":\"2XX\"");
    schema_ok();
    /* bracketed IPv6 host with port */
    record("GET / HTTP/1.1\r\nHost: [2001:DB8::1]:81\r\n\r\n", NULL, 0);
    HAS("\"hostname\":\"2001:db8::1\",\"http_port\":81,");
    schema_ok();
}


/* ---- transactions over a stream (http_feed) ---- */

struct txlog {
    unsigned n, anomalies;
    uint64_t id[16], resp_body[16], req_body[16];
    unsigned status[16];
    char uri[16][64];
    bool has_req[16], has_resp[16], partial[16];
    char last_event[64];
    char req_data[16][64], resp_data[16][64];     /* kept bodies, cut to 63 */
    size_t req_dlen[16], resp_dlen[16];
};

static void txlog_tx(void *ctx, const void *txp)
{
    struct txlog *l = ctx;
    const struct http_tx *t = txp;
    assert_true(l->n < 16);
    unsigned i = l->n++;
    l->id[i] = t->tx_id;
    l->resp_body[i] = t->resp_body;
    l->req_body[i] = t->req_body;
    l->has_req[i] = t->req != NULL;
    l->has_resp[i] = t->resp != NULL;
    l->status[i] = t->resp ? t->resp->status : 0;
    l->uri[i][0] = '\0';
    l->req_dlen[i] = t->req_data_len;
    l->resp_dlen[i] = t->resp_data_len;
    assert_true(t->req_data_len <= HTTP_REQ_BODY_KEEP && t->resp_data_len <= HTTP_RESP_BODY_KEEP);
    assert_int_equal(t->req_data != NULL, t->req_data_len != 0);
    assert_int_equal(t->resp_data != NULL, t->resp_data_len != 0);
    size_t dl = t->req_data_len < 63 ? t->req_data_len : 63;
    if (dl)
        memcpy(l->req_data[i], t->req_data, dl);
    l->req_data[i][dl] = '\0';
    dl = t->resp_data_len < 63 ? t->resp_data_len : 63;
    if (dl)
        memcpy(l->resp_data[i], t->resp_data, dl);
    l->resp_data[i][dl] = '\0';
    if (t->req) {
        size_t ul = t->req->uri.len < 63 ? t->req->uri.len : 63;
        memcpy(l->uri[i], t->req_p + t->req->uri.off, ul);
        l->uri[i][ul] = '\0';
        l->partial[i] = t->req->partial;
    }
}

static void txlog_anomaly(void *ctx, const char *ev)
{
    struct txlog *l = ctx;
    l->anomalies++;
    snprintf(l->last_event, sizeof(l->last_event), "%s", ev);
}

/* Feeds [p, p + n) in pieces of step bytes, keeping what the parser leaves
 * as the stream layer does. */
static void feed_steps(struct http_state *s, bool ts, const char *txt, size_t step,
                       unsigned last_flags, struct txlog *l)
{
    static uint8_t pend[2][APPL_PENDING_MAX + 4096];
    static size_t plen[2];
    struct appl_cb cb = { .tx = txlog_tx, .anomaly = txlog_anomaly, .ctx = l };
    int d = ts ? 0 : 1;
    size_t n = strlen(txt);
    for (size_t off = 0; off < n || (off == n && last_flags); ) {
        size_t take = n - off < step ? n - off : step;
        memcpy(pend[d] + plen[d], txt + off, take);
        plen[d] += take;
        off += take;
        unsigned fl = off == n ? last_flags : 0;
        size_t used = http_feed(s, ts, pend[d], plen[d], fl, &cb);
        assert_true(used <= plen[d]);
        memmove(pend[d], pend[d] + used, plen[d] - used);
        plen[d] -= used;
        if (fl & APPL_EOF)
            plen[d] = 0;
        if (off == n)
            break;
    }
}

static struct http_state hs;

static const char pipe_req[] =
    "GET /a HTTP/1.1\r\nHost: h\r\n\r\n"
    "POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello"
    "GET /c HTTP/1.1\r\nHost: h\r\n\r\n";
static const char pipe_resp[] =
    "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"
    "HTTP/1.1 100 Continue\r\n\r\n"
    "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n"
    "4;x=y\r\nwxyz\r\n3\r\n123\r\n0\r\nTrailer: t\r\n\r\n"
    "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";

static void pipelined(void **state)
{
    (void)state;
    static const size_t steps[] = { 1, 2, 7, 100000 };
    for (size_t k = 0; k < sizeof(steps) / sizeof(steps[0]); k++) {
        struct txlog l;
        memset(&l, 0, sizeof(l));
        memset(&hs, 0, sizeof(hs));
        feed_steps(&hs, true, pipe_req, steps[k], 0, &l);
        assert_int_equal(l.n, 0);
        feed_steps(&hs, false, pipe_resp, steps[k], 0, &l);
        assert_int_equal(l.n, 3);
        assert_int_equal(l.anomalies, 0);
        assert_string_equal(l.uri[0], "/a");
        assert_string_equal(l.uri[1], "/b");
        assert_string_equal(l.uri[2], "/c");
        for (unsigned i = 0; i < 3; i++)
            assert_int_equal(l.id[i], i);
        assert_int_equal(l.status[0], 200);
        assert_int_equal(l.status[1], 201);
        assert_int_equal(l.status[2], 404);
        assert_int_equal(l.resp_body[0], 3);
        /* chunked: framing counted, as Suricata's length does */
        assert_int_equal(l.resp_body[1], strlen("4;x=y\r\nwxyz\r\n3\r\n123\r\n0\r\nTrailer: t\r\n\r\n"));
        assert_int_equal(l.req_body[1], 5);
        assert_int_equal(l.resp_body[2], 0);
        /* bodies kept per transaction, dechunked */
        assert_string_equal(l.req_data[0], "");
        assert_string_equal(l.req_data[1], "hello");
        assert_string_equal(l.req_data[2], "");
        assert_string_equal(l.resp_data[0], "abc");
        assert_string_equal(l.resp_data[1], "wxyz123");
        assert_int_equal(l.resp_dlen[2], 0);
    }
}

/* Pipelined requests with bodies, answered after all were sent: each
 * transaction gets its own body, also after the oldest leave the room. */
static void pipelined_bodies(void **state)
{
    (void)state;
    static const char req[] =
        "POST /1 HTTP/1.1\r\nContent-Length: 3\r\n\r\none"
        "POST /2 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\ntw\r\n1\r\no\r\n0\r\n\r\n"
        "GET /3 HTTP/1.1\r\n\r\n"
        "PUT /4 HTTP/1.1\r\nContent-Length: 5\r\n\r\nfour!";
    static const char resp[] =
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nr1"
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nr2"
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nr\r\n1\r\n3\r\n0\r\n\r\n"
        "HTTP/1.1 200 OK\r\n\r\nr4 to the end";
    static const size_t steps[] = { 1, 3, 100000 };
    for (size_t k = 0; k < sizeof(steps) / sizeof(steps[0]); k++) {
        struct txlog l;
        memset(&l, 0, sizeof(l));
        memset(&hs, 0, sizeof(hs));
        feed_steps(&hs, true, req, steps[k], 0, &l);
        feed_steps(&hs, false, resp, steps[k], APPL_EOF, &l);
        assert_int_equal(l.n, 4);
        assert_int_equal(l.anomalies, 0);
        assert_string_equal(l.req_data[0], "one");
        assert_string_equal(l.req_data[1], "two");
        assert_int_equal(l.req_dlen[2], 0);
        assert_string_equal(l.req_data[3], "four!");
        assert_string_equal(l.resp_data[0], "r1");
        assert_string_equal(l.resp_data[1], "r2");
        assert_string_equal(l.resp_data[2], "r3");
        assert_string_equal(l.resp_data[3], "r4 to the end");
        assert_int_equal(hs.req_used, 0);
    }
}

/* Long bodies are cut at the keep sizes; a gap inside a body ends what is
 * kept of it. */
static void body_keep_limits(void **state)
{
    (void)state;
    static char big[3 * 8192];
    struct txlog l;
    memset(&l, 0, sizeof(l));
    memset(&hs, 0, sizeof(hs));
    size_t o = (size_t)snprintf(big, sizeof(big), "POST /big HTTP/1.1\r\nContent-Length: 10000\r\n\r\n");
    for (size_t i = 0; i < 10000; i++)
        big[o + i] = (char)('a' + i % 26);
    big[o + 10000] = '\0';
    feed_steps(&hs, true, big, 1460, 0, &l);
    o = (size_t)snprintf(big, sizeof(big), "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (int c = 0; c < 6; c++) {
        o += (size_t)snprintf(big + o, sizeof(big) - o, "400\r\n");
        memset(big + o, '0' + c, 0x400);
        o += 0x400;
        o += (size_t)snprintf(big + o, sizeof(big) - o, "\r\n");
    }
    snprintf(big + o, sizeof(big) - o, "0\r\n\r\n");
    feed_steps(&hs, false, big, 700, 0, &l);
    assert_int_equal(l.n, 1);
    assert_int_equal(l.req_body[0], 10000);
    assert_int_equal(l.req_dlen[0], HTTP_REQ_BODY_KEEP);
    assert_memory_equal(l.req_data[0], "abcdefghijklmnopqrstuvwxyzabc", 29);
    assert_int_equal(l.resp_dlen[0], HTTP_RESP_BODY_KEEP);
    assert_memory_equal(l.resp_data[0], "0000", 4);
    assert_int_equal(hs.req_used, 0);

    /* a gap inside the body: what came before it */
    memset(&l, 0, sizeof(l));
    memset(&hs, 0, sizeof(hs));
    struct appl_cb cb = { .tx = txlog_tx, .anomaly = txlog_anomaly, .ctx = &l };
    const char *r1 = "GET /g HTTP/1.1\r\n\r\n";
    http_feed(&hs, true, (const uint8_t *)r1, strlen(r1), 0, &cb);
    const char *a = "HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\nbefore";
    http_feed(&hs, false, (const uint8_t *)a, strlen(a), 0, &cb);
    cb.gap = 4;
    http_feed(&hs, false, (const uint8_t *)"after_gap!", 10, APPL_GAP, &cb);
    assert_int_equal(l.n, 1);
    assert_int_equal(l.resp_body[0], 20);
    assert_string_equal(l.resp_data[0], "before");
}

static void unanswered_and_eof(void **state)
{
    (void)state;
    struct txlog l;
    memset(&l, 0, sizeof(l));
    memset(&hs, 0, sizeof(hs));
    feed_steps(&hs, true, "GET /1 HTTP/1.0\r\n\r\nGET /2 HTTP/1.0\r\n\r\n", 5, 0, &l);
    feed_steps(&hs, false, "HTTP/1.0 200 OK\r\n\r\nbody until close", 3, APPL_EOF, &l);
    assert_int_equal(l.n, 2);
    assert_true(l.has_resp[0]);
    assert_int_equal(l.resp_body[0], strlen("body until close"));
    assert_false(l.has_resp[1]);            /* never answered */
    assert_string_equal(l.uri[1], "/2");
}

static void head_and_tunnel(void **state)
{
    (void)state;
    struct txlog l;
    memset(&l, 0, sizeof(l));
    memset(&hs, 0, sizeof(hs));
    feed_steps(&hs, true, "HEAD /h HTTP/1.1\r\nHost: x\r\n\r\n", 1000, 0, &l);
    feed_steps(&hs, false, "HTTP/1.1 200 OK\r\nContent-Length: 999\r\n\r\n", 1000, 0, &l);
    assert_int_equal(l.n, 1);               /* no body after HEAD */
    feed_steps(&hs, true, "CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n", 1000, 0, &l);
    feed_steps(&hs, false, "HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x01\x00\x05junk", 1000, 0, &l);
    assert_int_equal(l.n, 2);
    feed_steps(&hs, true, "\x16\x03\x01 not http at all\r\n", 1000, 0, &l);
    assert_int_equal(l.anomalies, 0);       /* a tunnel is not parsed */
}

static void gap_resync(void **state)
{
    (void)state;
    struct txlog l;
    memset(&l, 0, sizeof(l));
    memset(&hs, 0, sizeof(hs));
    struct appl_cb cb = { .tx = txlog_tx, .anomaly = txlog_anomaly, .ctx = &l };
    const char *r1 = "GET /x HTTP/1.1\r\n\r\n";
    assert_int_equal(http_feed(&hs, true, (const uint8_t *)r1, strlen(r1), 0, &cb), strlen(r1));
    const char *resp = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npart";
    http_feed(&hs, false, (const uint8_t *)resp, strlen(resp), 0, &cb);
    /* bytes lost, then the tail of the body and the next response */
    const char *after = "of a body\r\nHTTP/1.1 204 No Content\r\n\r\n";
    const char *r2 = "GET /y HTTP/1.1\r\n\r\n";
    http_feed(&hs, true, (const uint8_t *)r2, strlen(r2), 0, &cb);
    size_t used = http_feed(&hs, false, (const uint8_t *)after, strlen(after), APPL_GAP, &cb);
    assert_int_equal(used, strlen(after));
    assert_int_equal(l.n, 2);
    assert_int_equal(l.resp_body[0], 4);    /* what was seen before the gap */
    assert_int_equal(l.status[1], 204);
    assert_string_equal(l.uri[1], "/y");
    assert_int_equal(l.anomalies, 0);       /* resyncing is silent */
}

static void malformed_stream(void **state)
{
    (void)state;
    struct txlog l;
    memset(&l, 0, sizeof(l));
    memset(&hs, 0, sizeof(hs));
    feed_steps(&hs, false, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 4, 0, &l);
    assert_int_equal(l.anomalies, 1);
    assert_string_equal(l.last_event, "INVALID_RESPONSE_CHUNK_LEN");
    assert_int_equal(l.n, 1);               /* the response is still logged */
    memset(&l, 0, sizeof(l));
    memset(&hs, 0, sizeof(hs));
    feed_steps(&hs, true, "\x01\x02garbage line\r\nmore\r\nGET /ok HTTP/1.1\r\n\r\n", 3, 0, &l);
    assert_int_equal(l.anomalies, 1);
    assert_string_equal(l.last_event, "REQUEST_LINE_INVALID");
    feed_steps(&hs, false, "HTTP/1.1 204 No Content\r\n\r\n", 3, 0, &l);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.uri[0], "/ok");
}

static void long_request_kept(void **state)
{
    (void)state;
    static char big[16384];
    struct txlog l;
    memset(&l, 0, sizeof(l));
    memset(&hs, 0, sizeof(hs));
    /* two 6000-byte fields: more than one request may keep */
    size_t o = (size_t)snprintf(big, sizeof(big), "GET /long HTTP/1.1\r\nHost: k\r\nCookie: ");
    memset(big + o, 'c', 6000);
    o += 6000;
    o += (size_t)snprintf(big + o, sizeof(big) - o, "\r\nX-Pad: ");
    memset(big + o, 'p', 6000);
    o += 6000;
    o += (size_t)snprintf(big + o, sizeof(big) - o, "\r\nUser-Agent: ua\r\n\r\n");
    feed_steps(&hs, true, big, 1460, 0, &l);
    feed_steps(&hs, false, "HTTP/1.1 204 No Content\r\n\r\n", 100, 0, &l);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.uri[0], "/long");
    assert_true(l.partial[0]);
}

/* A request target as long as a line may be is kept whole, with the
 * fields; the 2 KiB kept per block before cut such targets (a 3.4 KiB
 * ad-tracking URI in 1kxun.pcap). */
static void long_uri_kept_whole(void **state)
{
    (void)state;
    static char big[16384];
    struct txlog l;
    memset(&l, 0, sizeof(l));
    memset(&hs, 0, sizeof(hs));
    size_t o = (size_t)snprintf(big, sizeof(big), "GET /");
    memset(big + o, 'u', 8000);
    o += 8000;
    o += (size_t)snprintf(big + o, sizeof(big) - o,
                          " HTTP/1.1\r\nAccept: */*\r\nHost: keep.example\r\n\r\n");
    struct appl_cb cb = { .tx = txlog_tx, .anomaly = txlog_anomaly, .ctx = &l };
    assert_int_equal(http_feed(&hs, true, (const uint8_t *)big, o, 0, &cb), o);
    const struct http_msg *m = &hs.req_msg[0];
    const uint8_t *raw = hs.req_raw + hs.req_off[0];
    assert_false(m->partial);
    assert_int_equal(m->uri.len, 8001);
    assert_memory_equal(raw + m->uri.off, big + 4, 8001);
    const struct http_hdr *h = http_header(m, raw, "host");
    assert_non_null(h);
    assert_memory_equal(raw + h->value.off, "keep.example", h->value.len);
    assert_int_equal(l.anomalies, 0);
}

/* Pipelined requests with long targets: the first keeps its target whole,
 * the later ones what is left (never less than HTTP_REQ_MIN), each with
 * its Host field; answered in order, the room comes back. */
static void long_uri_pipelined_keeps_host(void **state)
{
    (void)state;
    static char big[4][8192];
    static char all[4 * 8192];
    struct txlog l;
    memset(&l, 0, sizeof(l));
    memset(&hs, 0, sizeof(hs));
    size_t n = 0;
    for (int r = 0; r < 4; r++) {
        size_t o = (size_t)snprintf(big[r], sizeof(big[r]), "GET /%d", r);
        memset(big[r] + o, 'u', 7000);
        o += 7000;
        o += (size_t)snprintf(big[r] + o, sizeof(big[r]) - o,
                              " HTTP/1.1\r\nAccept: */*\r\nHost: keep%d.example\r\n\r\n", r);
        memcpy(all + n, big[r], o);
        n += o;
    }
    struct appl_cb cb = { .tx = txlog_tx, .anomaly = txlog_anomaly, .ctx = &l };
    assert_int_equal(http_feed(&hs, true, (const uint8_t *)all, n, 0, &cb), n);
    assert_int_equal(hs.req_cnt, 4);
    assert_true(hs.req_used <= HTTP_REQ_KEEP);
    for (int r = 0; r < 4; r++) {
        const struct http_msg *m = &hs.req_msg[r];
        const uint8_t *raw = hs.req_raw + hs.req_off[r];
        assert_true(hs.req_len[r] >= (r ? HTTP_REQ_MIN / 2 : 7000));
        assert_int_equal(m->partial, r != 0);
        assert_int_equal(m->uri.len > 7000, r == 0);
        char host[32];
        snprintf(host, sizeof(host), "keep%d.example", r);
        const struct http_hdr *h = http_header(m, raw, "host");
        assert_non_null(h);
        assert_int_equal(h->value.len, strlen(host));
        assert_memory_equal(raw + h->value.off, host, h->value.len);
    }
    feed_steps(&hs, false, "HTTP/1.1 204 No Content\r\n\r\n", 100, 0, &l);
    assert_int_equal(l.n, 1);
    assert_int_equal(hs.req_cnt, 3);
    /* the next oldest moved down, intact */
    const struct http_msg *m = &hs.req_msg[1];
    const uint8_t *raw = hs.req_raw + hs.req_off[1];
    assert_int_equal(hs.req_off[1], 0);
    assert_memory_equal(raw + m->uri.off, "/1uuu", 5);
    feed_steps(&hs, false, "HTTP/1.1 204 No Content\r\n\r\n"
                           "HTTP/1.1 204 No Content\r\n\r\n"
                           "HTTP/1.1 204 No Content\r\n\r\n", 100, 0, &l);
    assert_int_equal(l.n, 4);
    assert_int_equal(hs.req_used, 0);
    assert_memory_equal(l.uri[3], "/3uuu", 5);
    /* a long one alone again keeps its target whole */
    feed_steps(&hs, true, big[2], strlen(big[2]), 0, &l);
    assert_false(hs.req_msg[hs.req_head].partial);
    assert_true(hs.req_msg[hs.req_head].uri.len > 7000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(request),
        cmocka_unit_test(response),
        cmocka_unit_test(folding_spacing),
        cmocka_unit_test(truncated),
        cmocka_unit_test(oversize),
        cmocka_unit_test(random_bytes),
        cmocka_unit_test(eve_tx),
        cmocka_unit_test(pipelined),
        cmocka_unit_test(pipelined_bodies),
        cmocka_unit_test(body_keep_limits),
        cmocka_unit_test(unanswered_and_eof),
        cmocka_unit_test(head_and_tunnel),
        cmocka_unit_test(gap_resync),
        cmocka_unit_test(malformed_stream),
        cmocka_unit_test(long_request_kept),
        cmocka_unit_test(long_uri_kept_whole),
        cmocka_unit_test(long_uri_pipelined_keeps_host),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
