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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
