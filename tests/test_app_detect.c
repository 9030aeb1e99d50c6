/* tests/test_app_detect.c: first-bytes protocol detection and the per-flow
 * state (sides, failure, HTTP CONNECT tunnels, STARTTLS). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdlib.h>

#include "dissect/app_detect.h"

#define S(lit) (const uint8_t *)(lit), sizeof(lit) - 1

static void detects_by_bytes(void **state)
{
    (void)state;
    static const uint8_t tls_hello[] = { 0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00 };
    static const uint8_t smb2[] = { 0x00, 0x00, 0x00, 0x40, 0xfe, 'S', 'M', 'B', 0x40 };
    assert_int_equal(app_detect(6, 40000, 8080, true, S("GET / HTTP/1.1\r\n")), APP_HTTP);
    assert_int_equal(app_detect(6, 8080, 40000, false, S("HTTP/1.1 200 OK\r\n")), APP_HTTP);
    /* a response line from the client is not HTTP */
    assert_int_equal(app_detect(6, 40000, 8080, true, S("HTTP/1.1 200 OK\r\n")), APP_UNKNOWN);
    assert_int_equal(app_detect(6, 40000, 4433, true, tls_hello, sizeof(tls_hello)), APP_TLS);
    assert_int_equal(app_detect(6, 40000, 2222, true, S("SSH-2.0-OpenSSH_9.2\r\n")), APP_SSH);
    assert_int_equal(app_detect(6, 40000, 445, true, smb2, sizeof(smb2)), APP_SMB);
    assert_int_equal(app_detect(6, 40000, 25, true, S("QUIT\r\n")), APP_SMTP);
    /* QUIT elsewhere says nothing */
    assert_int_equal(app_detect(6, 40000, 7777, true, S("QUIT\r\n")), APP_UNKNOWN);
    assert_int_equal(app_detect(6, 21, 40000, false, S("220 ProFTPD Server\r\n")), APP_FTP);
    assert_int_equal(app_detect(6, 25, 40000, false, S("220 mx ESMTP Postfix\r\n")), APP_SMTP);
    assert_int_equal(app_detect(6, 110, 40000, false, S("+OK POP3 ready\r\n")), APP_POP3);
    assert_int_equal(app_detect(6, 5900, 40000, false, S("RFB 003.008\n")), APP_RFB);
    /* DNS query on UDP 53: id, flags RD, 1 question */
    static const uint8_t dnsq[] = { 0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
                                    3, 'w', 'w', 'w', 0, 0, 1, 0, 1 };
    assert_int_equal(app_detect(17, 40000, 53, true, dnsq, sizeof(dnsq)), APP_DNS);
    /* away from port 53 only a well-formed query counts, and not on the
     * ports of NetBIOS name service or LLMNR, which share the format */
    assert_int_equal(app_detect(17, 40000, 5000, true, dnsq, sizeof(dnsq)), APP_DNS);
    assert_int_equal(app_detect(17, 40000, 137, true, dnsq, sizeof(dnsq)), APP_UNKNOWN);
    assert_int_equal(app_detect(17, 40000, 5000, false, dnsq, sizeof(dnsq)), APP_UNKNOWN);
    assert_int_equal(app_detect(17, 40000, 5000, true, dnsq, sizeof(dnsq) - 1), APP_UNKNOWN);
    assert_int_equal(app_detect(1, 0, 0, true, dnsq, sizeof(dnsq)), APP_UNKNOWN);
    assert_string_equal(app_proto_name(APP_BITTORRENT_DHT), "bittorrent-dht");
    assert_string_equal(app_proto_name(APP_MAX + 5), "unknown");
}

/* Every prefix of every probe input, at every port that changes the path:
 * no read past the end (ASan), and nothing claimed from an empty buffer. */
static void prefixes_are_safe(void **state)
{
    (void)state;
    static const char *const inputs[] = {
        "GET / HTTP/1.1\r\n", "HTTP/1.0 404\r\n", "\x16\x03\x03\x00\x10\x01",
        "\x80\x2e\x01\x03\x01", "\x00\x00\x00\x40\xffSMB", "\x05\x00\x0b\x03\x10\x00\x00\x00\x48\x00",
        "\x05\x64\x05\xc0\x01\x00\x00\x04\xe9\x21", "SIP/2.0 200 OK", "OPTIONS sip:a@b SIP/2.0",
        "220 x ESMTP", "+OK", "* OK", "\x00\x00\x00\x08\x04\xd2\x16\x2f", "CONNECT a:443 HTTP/1.1",
        "\x04\x01\x00\x50\x00\x00\x00\x01u\x00host", "\x05\x02\x00\x02\x05\x01\x00\x03\x01a\x00\x50",
    };
    static const uint16_t ports[] = { 0, 21, 25, 53, 67, 69, 88, 110, 123, 161, 443, 502, 1883, 3389, 5432 };
    for (size_t i = 0; i < NS_ARRAY_LEN(inputs); i++) {
        size_t len = strlen(inputs[i]) + 1;
        for (size_t n = 0; n <= len; n++) {
            uint8_t *p = malloc(n ? n : 1);
            memcpy(p, inputs[i], n);
            for (size_t k = 0; k < NS_ARRAY_LEN(ports); k++) {
                for (int ts = 0; ts < 2; ts++) {
                    enum app_proto a = app_detect(6, 40000, ports[k], ts, p, n);
                    enum app_proto b = app_detect(17, ports[k], 40000, ts, p, n);
                    if (n == 0) {
                        assert_int_equal(a, APP_UNKNOWN);
                        assert_int_equal(b, APP_UNKNOWN);
                    }
                    assert_true(a < APP_MAX && b < APP_MAX);
                }
            }
            free(p);
        }
    }
}

static void flow_sides_and_failure(void **state)
{
    (void)state;
    struct app_state s = { 0 };
    assert_int_equal(app_state_verdict(&s), APP_UNKNOWN);        /* no payload */
    app_state_update(&s, 6, 40000, 9999, true, S("\x01\x02\x03 nothing"));
    assert_int_equal(s.tries[0], 1);
    assert_int_equal(app_state_verdict(&s), APP_FAILED);         /* payload, no match */
    for (int i = 0; i < 5; i++)
        app_state_update(&s, 6, 40000, 9999, true, S("\x01\x02\x03 nothing"));
    assert_int_equal(s.tries[0], APP_DETECT_TRIES);
    assert_int_equal(s.ts, APP_FAILED);

    /* the sides disagree: the client's side is the flow's, the server's kept */
    struct app_state m = { 0 };
    static const uint8_t dce[] = { 0x05, 0x00, 0x00, 0x03, 0x10, 0, 0, 0, 0x20, 0, 0, 0, 1, 0, 0, 0 };
    app_state_update(&m, 6, 40000, 135, true, dce, sizeof(dce));
    app_state_update(&m, 6, 135, 40000, false, S("HTTP/1.1 200 OK\r\n"));
    assert_int_equal(app_state_verdict(&m), APP_DCERPC);
    assert_int_equal(m.tc, APP_HTTP);

    /* server speaks first (a banner), then the client */
    struct app_state b = { 0 };
    app_state_update(&b, 6, 25, 40000, false, S("220 mx ESMTP\r\n"));
    assert_int_equal(app_state_verdict(&b), APP_SMTP);
}

static void http_connect_tunnel(void **state)
{
    (void)state;
    static const uint8_t hello[] = { 0x16, 0x03, 0x01, 0x00, 0x00 };
    struct app_state s = { 0 };
    app_state_update(&s, 6, 40000, 3128, true, S("CONNECT abc:443 HTTP/1.1\r\n\r\n"));
    app_state_update(&s, 6, 3128, 40000, false, S("HTTP/1.1 200 Connection established\r\n\r\n"));
    assert_int_equal(app_state_verdict(&s), APP_HTTP);
    app_state_update(&s, 6, 40000, 3128, true, hello, sizeof(hello));
    assert_int_equal(app_state_verdict(&s), APP_TLS);
    assert_int_equal(s.orig, APP_HTTP);

    /* a tunnel whose first payload is nothing we know: failed, from http */
    struct app_state f = { 0 };
    app_state_update(&f, 6, 40000, 3128, true, S("CONNECT abc:25 HTTP/1.1\r\n\r\n"));
    app_state_update(&f, 6, 3128, 40000, false, S("HTTP/1.1 200 OK\r\n\r\n"));
    app_state_update(&f, 6, 3128, 40000, false, S("\x01\x02\x03\x04\x05"));
    assert_int_equal(app_state_verdict(&f), APP_FAILED);
    assert_int_equal(f.orig, APP_HTTP);

    /* refused: the flow stays HTTP, later bytes change nothing */
    struct app_state r = { 0 };
    app_state_update(&r, 6, 40000, 3128, true, S("CONNECT abc:443 HTTP/1.1\r\n\r\n"));
    app_state_update(&r, 6, 3128, 40000, false, S("HTTP/1.1 403 Forbidden\r\n\r\n"));
    app_state_update(&r, 6, 40000, 3128, true, hello, sizeof(hello));
    assert_int_equal(app_state_verdict(&r), APP_HTTP);
    assert_int_equal(r.orig, 0);
}

/* SOCKS 4, 4a and 5 (RFC 1928, RFC 1929): the handshake is recognised from
 * the client's first message and, once the proxy grants the connection,
 * the tunnel's first payload names the flow (app_proto_orig "socks"), as
 * for HTTP CONNECT; a refusal leaves the flow SOCKS. */
static void socks_tunnel(void **state)
{
    (void)state;
    static const uint8_t s4[] = { 4, 1, 0, 80, 93, 184, 216, 34, 'u', 0 };
    static const uint8_t s4a[] = { 4, 1, 0, 80, 0, 0, 0, 1, 0, 'a', '.', 'b', 0 };
    static const uint8_t s4_ok[] = { 0, 90, 0, 0, 0, 0, 0, 0 };
    static const uint8_t s4_no[] = { 0, 91, 0, 0, 0, 0, 0, 0 };
    static const uint8_t s5_hello[] = { 5, 2, 0, 2 };
    static const uint8_t s5_req[] = { 5, 1, 0, 3, 14, 'w', 'w', 'w', '.', 'g', 'o', 'o', 'g',
                                      'l', 'e', '.', 'c', 'o', 'm', 0, 80 };
    static const uint8_t s5_ok[] = { 5, 0, 0, 1, 10, 0, 0, 2, 0x1f, 0x90 };
    static const uint8_t hello[] = { 0x16, 0x03, 0x01, 0x00, 0x00 };

    assert_int_equal(app_detect(6, 40000, 1080, true, s4, sizeof(s4)), APP_SOCKS);
    assert_int_equal(app_detect(6, 40000, 1080, true, s4a, sizeof(s4a)), APP_SOCKS);
    assert_int_equal(app_detect(6, 40000, 1080, true, s5_hello, sizeof(s5_hello)), APP_SOCKS);
    /* a SOCKS5 request is not DCE/RPC (05 01 00 ... used to pass for one) */
    assert_int_equal(app_detect(6, 40000, 21477, true, s5_req, sizeof(s5_req)), APP_UNKNOWN);
    /* not exactly one message, or from the server: not SOCKS */
    assert_int_equal(app_detect(6, 40000, 1080, true, s4, sizeof(s4) - 1), APP_UNKNOWN);
    assert_int_equal(app_detect(6, 40000, 1080, true, s5_hello, 3), APP_UNKNOWN);
    assert_int_equal(app_detect(6, 1080, 40000, false, s4, sizeof(s4)), APP_UNKNOWN);
    assert_string_equal(app_proto_name(APP_SOCKS), "socks");

    /* SOCKS4 granted, then HTTP */
    struct app_state a = { 0 };
    app_state_update(&a, 6, 40000, 1080, true, s4, sizeof(s4));
    assert_int_equal(app_state_verdict(&a), APP_SOCKS);
    assert_true(app_may_change(&a));
    app_state_update(&a, 6, 1080, 40000, false, s4_ok, sizeof(s4_ok));
    app_state_update(&a, 6, 40000, 1080, true, S("GET / HTTP/1.1\r\nHost: a.b\r\n\r\n"));
    assert_int_equal(app_state_verdict(&a), APP_HTTP);
    assert_int_equal(a.orig, APP_SOCKS);

    /* SOCKS5 with username/password, then TLS */
    struct app_state b = { 0 };
    app_state_update(&b, 6, 40000, 21477, true, s5_hello, sizeof(s5_hello));
    app_state_update(&b, 6, 21477, 40000, false, S("\x05\x02"));
    app_state_update(&b, 6, 40000, 21477, true, S("\x01\x01u\x01p"));
    app_state_update(&b, 6, 21477, 40000, false, S("\x01\x00"));
    app_state_update(&b, 6, 40000, 21477, true, s5_req, sizeof(s5_req));
    assert_int_equal(app_state_verdict(&b), APP_SOCKS);
    app_state_update(&b, 6, 21477, 40000, false, s5_ok, sizeof(s5_ok));
    app_state_update(&b, 6, 40000, 21477, true, hello, sizeof(hello));
    assert_int_equal(app_state_verdict(&b), APP_TLS);
    assert_int_equal(b.orig, APP_SOCKS);

    /* a client that does not wait: the proxy's answers come together, and
     * the tunnel's first bytes (a server banner) with them */
    uint8_t both[sizeof(s5_ok) + 2 + 14];
    memcpy(both, "\x05\x00", 2);
    memcpy(both + 2, s5_ok, sizeof(s5_ok));
    memcpy(both + 2 + sizeof(s5_ok), "220 mx ESMTP\r\n", 14);
    uint8_t eager[3 + sizeof(s5_req)];
    memcpy(eager, "\x05\x01\x00", 3);
    memcpy(eager + 3, s5_req, sizeof(s5_req));
    struct app_state c = { 0 };
    app_state_update(&c, 6, 40000, 1080, true, eager, sizeof(eager));
    assert_int_equal(app_state_verdict(&c), APP_SOCKS);
    app_state_update(&c, 6, 1080, 40000, false, both, sizeof(both));
    assert_int_equal(app_state_verdict(&c), APP_SMTP);
    assert_int_equal(c.orig, APP_SOCKS);

    /* refused: stays SOCKS, nothing more to learn */
    struct app_state r = { 0 };
    app_state_update(&r, 6, 40000, 1080, true, s4a, sizeof(s4a));
    app_state_update(&r, 6, 1080, 40000, false, s4_no, sizeof(s4_no));
    app_state_update(&r, 6, 40000, 1080, true, S("GET / HTTP/1.1\r\n\r\n"));
    assert_int_equal(app_state_verdict(&r), APP_SOCKS);
    assert_int_equal(r.orig, 0);
    assert_false(app_may_change(&r));
    /* BIND (the proxy answers twice) and UDP ASSOCIATE are not followed */
    static const uint8_t s4_bind[] = { 4, 2, 0, 80, 93, 184, 216, 34, 0 };
    struct app_state d = { 0 };
    app_state_update(&d, 6, 40000, 1080, true, s4_bind, sizeof(s4_bind));
    assert_int_equal(app_state_verdict(&d), APP_SOCKS);
    app_state_update(&d, 6, 1080, 40000, false, s4_ok, sizeof(s4_ok));
    app_state_update(&d, 6, 1080, 40000, false, s4_ok, sizeof(s4_ok));
    assert_int_equal(app_state_verdict(&d), APP_SOCKS);
    assert_false(app_may_change(&d));
    struct app_state u = { 0 };
    app_state_update(&u, 6, 40000, 1080, true, S("\x05\x01\x00"));
    app_state_update(&u, 6, 1080, 40000, false, S("\x05\x00"));
    app_state_update(&u, 6, 40000, 1080, true, S("\x05\x03\x00\x01\x00\x00\x00\x00\x00\x00"));
    app_state_update(&u, 6, 1080, 40000, false, s5_ok, sizeof(s5_ok));
    assert_int_equal(app_state_verdict(&u), APP_SOCKS);
    assert_false(app_may_change(&u));

    struct app_state n = { 0 };
    app_state_update(&n, 6, 40000, 1080, true, s5_hello, sizeof(s5_hello));
    app_state_update(&n, 6, 1080, 40000, false, S("\x05\xff"));
    assert_false(app_may_change(&n));
}

static void starttls(void **state)
{
    (void)state;
    static const uint8_t hello[] = { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01 };
    struct app_state s = { 0 };
    app_state_update(&s, 6, 25, 40000, false, S("220 mx ESMTP\r\n"));
    app_state_update(&s, 6, 40000, 25, true, S("EHLO me\r\n"));
    app_state_update(&s, 6, 25, 40000, false, S("250-mx\r\n250 STARTTLS\r\n"));
    app_state_update(&s, 6, 40000, 25, true, S("STARTTLS\r\n"));
    app_state_update(&s, 6, 25, 40000, false, S("220 go ahead\r\n"));
    assert_int_equal(app_state_verdict(&s), APP_SMTP);
    app_state_update(&s, 6, 40000, 25, true, hello, sizeof(hello));
    assert_int_equal(app_state_verdict(&s), APP_TLS);
    assert_int_equal(s.orig, APP_SMTP);

    /* HTTP never upgrades on a TLS-looking body */
    struct app_state h = { 0 };
    app_state_update(&h, 6, 40000, 80, true, S("POST / HTTP/1.1\r\n"));
    app_state_update(&h, 6, 40000, 80, true, hello, sizeof(hello));
    assert_int_equal(app_state_verdict(&h), APP_HTTP);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(detects_by_bytes),
        cmocka_unit_test(prefixes_are_safe),
        cmocka_unit_test(flow_sides_and_failure),
        cmocka_unit_test(http_connect_tunnel),
        cmocka_unit_test(starttls),
        cmocka_unit_test(socks_tunnel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
