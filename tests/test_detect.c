/* tests/test_detect.c: the detection engine (engine/detect.h) over small
 * rule files: packet rules with and without a prefilter, transaction
 * rules on their buffers, flowbits across inspections, thresholds, the
 * stream's old bytes, packet-only and stream-only rules, the cache. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <string.h>
#include <zlib.h>

#include "engine/detect.h"
#include "engine/detect_bufs.h"

static char dir[] = "/tmp/netscope_detect_XXXXXX";
static struct ns_config cfg;

static struct detect *load(const char *rules)
{
    char path[256], err[NS_ERRBUF_SIZE];
    snprintf(path, sizeof(path), "%s/t.rules", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(rules, f);
    fclose(f);
    config_defaults(&cfg);
    assert_int_equal(config_strlist_add(&cfg.rule_files, path, strlen(path)), NS_OK);
    snprintf(cfg.detect_cache_dir, sizeof(cfg.detect_cache_dir), "%s/cache", dir);
    snprintf(cfg.log_dir, sizeof(cfg.log_dir), "%s", dir);
    struct detect *d = detect_create(&cfg, NULL, err);
    if (!d)
        fail_msg("%s", err);
    return d;
}

static const uint8_t cli[16] = { 192, 168, 1, 10 }, srv[16] = { 10, 0, 0, 1 };

static struct detect_pkt pkt(uint8_t l4, const char *payload, bool toserver)
{
    struct detect_pkt p = {
        .ts_us = 1000000, .flow_id = 7, .ip_v = 4, .l4 = l4,
        .src = toserver ? cli : srv, .dst = toserver ? srv : cli,
        .sport = toserver ? 40000 : 80, .dport = toserver ? 80 : 40000,
        .toserver = toserver, .established = true,
        .payload = (const uint8_t *)payload, .payload_len = (uint32_t)strlen(payload),
    };
    return p;
}

static bool alerted(const struct detect_match *m, unsigned n, uint32_t sid)
{
    for (unsigned i = 0; i < n; i++)
        if (m[i].r->sid == sid)
            return true;
    return false;
}

static void packet_rules(void **state)
{
    (void)state;
    struct detect *d = load(
        "alert tcp any any -> any 80 (msg:\"long\"; content:\"evil-thing\"; sid:1;)\n"
        "alert tcp any any -> any 80 (msg:\"short\"; content:\"ab\"; sid:2;)\n"
        "alert udp any any -> any any (msg:\"udp\"; content:\"evil-thing\"; sid:3;)\n"
        "alert tcp any any -> any 80 (msg:\"none\"; flow:to_server; dsize:>3; sid:4;)\n"
        "alert tcp $EXTERNAL_NET any -> any 80 (msg:\"ext\"; content:\"evil-thing\"; sid:5;)\n"
        "alert tcp any any -> any 80 (msg:\"bad\"; byte_test:1,=,1,0,dce; sid:6;)\n");
    struct detect_info di;
    detect_get_info(d, &di);
    assert_int_equal(di.loaded, 5);
    assert_int_equal(di.skipped, 1);
    assert_int_equal(di.packet_rules, 5);
    assert_int_equal(di.always_rules, 2);          /* the short pattern and dsize-only */
    char err[NS_ERRBUF_SIZE];
    struct detect_thread *t = detect_thread_create(d, err);
    assert_non_null(t);
    const struct detect_match *m;

    struct detect_pkt p = pkt(6, "GET /evil-thing ab", true);
    unsigned n = detect_packet(t, d, &p, false, &m);
    assert_int_equal(n, 3);                         /* 1, 2, 4; not 3 (udp), not 5 (HOME_NET) */
    assert_true(alerted(m, n, 1) && alerted(m, n, 2) && alerted(m, n, 4));
    assert_int_equal(m[0].r->sid, 1);               /* in rule order */

    p = pkt(6, "abc", true);                         /* dsize 3: not > 3 */
    n = detect_packet(t, d, &p, false, &m);
    assert_int_equal(n, 1);
    assert_true(alerted(m, n, 2));

    /* reassembled: on the packet only the packet-only rules (dsize) */
    p = pkt(6, "GET /evil-thing ab", true);
    n = detect_packet(t, d, &p, true, &m);
    assert_int_equal(n, 1);
    assert_true(alerted(m, n, 4));
    /* and the stream gets the others */
    n = detect_stream(t, d, &p, (const uint8_t *)"GET /evil-thing ab", 18, 0, &m);
    assert_int_equal(n, 2);
    assert_true(alerted(m, n, 1) && alerted(m, n, 2));
    /* a match the old bytes held already is not reported again */
    const char *buf = "GET /evil-thing ab and more";
    n = detect_stream(t, d, &p, (const uint8_t *)buf, strlen(buf), 18, &m);
    assert_int_equal(n, 0);
    buf = "old bytes|evil-thing";
    n = detect_stream(t, d, &p, (const uint8_t *)buf, strlen(buf), 9, &m);
    assert_int_equal(n, 1);
    assert_true(alerted(m, n, 1));
    /* across the boundary: "evil-" old, "thing" new */
    buf = "xx evil-thing";
    n = detect_stream(t, d, &p, (const uint8_t *)buf, strlen(buf), 8, &m);
    assert_int_equal(n, 1);

    p = pkt(17, "evil-thing", true);
    n = detect_packet(t, d, &p, false, &m);
    assert_int_equal(n, 1);
    assert_true(alerted(m, n, 3));

    struct detect_counters c;
    detect_thread_counters(t, &c);
    assert_true(c.alerts >= 9);
    assert_true(c.inspected >= 7);
    detect_thread_destroy(t);
    detect_destroy(d);
}

static void tx_rules(void **state)
{
    (void)state;
    struct detect *d = load(
        "alert http any any -> any any (msg:\"uri\"; http.uri; content:\"/admin\"; "
        "http.method; content:\"POST\"; sid:10;)\n"
        "alert http any any -> any any (msg:\"host\"; http.host; content:\"example.com\"; "
        "endswith; sid:11;)\n"
        "alert http any any -> any any (msg:\"stat\"; flow:to_client; http.stat_code; "
        "content:\"404\"; sid:12;)\n"
        "alert dns any any -> any any (msg:\"dns\"; dns.query; dotprefix; "
        "content:\".bad.test\"; endswith; sid:13;)\n");
    char err[NS_ERRBUF_SIZE];
    struct detect_thread *t = detect_thread_create(d, err);
    assert_non_null(t);
    static const char req[] = "POST /admin/x HTTP/1.1\r\nHost: WWW.Example.COM:8080\r\n"
                              "User-Agent: t\r\n\r\n";
    static const char resp[] = "HTTP/1.1 404 Not Found\r\nServer: s\r\n\r\n";
    static struct http_msg q, r;
    assert_int_equal(http_parse((const uint8_t *)req, sizeof(req) - 1, &q), HTTP_ERR_OK);
    assert_int_equal(http_parse((const uint8_t *)resp, sizeof(resp) - 1, &r), HTTP_ERR_OK);
    static uint8_t scratch[DETECT_BUFS_SCRATCH];
    struct rule_buffer b[RULE_BUF_COUNT];
    struct http_tx tx = { .req = &q, .resp = &r, .req_p = (const uint8_t *)req,
                          .resp_p = (const uint8_t *)resp };
    detect_bufs_http(b, true, &tx, scratch, sizeof(scratch));
    assert_null(b[RULE_BUF_HTTP_REQUEST_BODY].p);  /* no body */
    assert_null(b[RULE_BUF_FILE_DATA].p);
    assert_int_equal(b[RULE_BUF_HTTP_HOST].len, 15);
    assert_memory_equal(b[RULE_BUF_HTTP_HOST].p, "www.example.com", 15);
    assert_null(b[RULE_BUF_HTTP_STAT_CODE].p);
    struct detect_pkt p = pkt(6, "", true);
    p.app_proto = "http";
    const struct detect_match *m;
    unsigned n = detect_tx(t, d, &p, b, &m);
    assert_int_equal(n, 2);
    assert_true(alerted(m, n, 10) && alerted(m, n, 11));

    detect_bufs_http(b, false, &tx, scratch, sizeof(scratch));
    assert_null(b[RULE_BUF_HTTP_RESPONSE_BODY].p);
    assert_int_equal(b[RULE_BUF_HTTP_STAT_CODE].len, 3);
    p = pkt(6, "", false);
    p.app_proto = "http";
    n = detect_tx(t, d, &p, b, &m);
    assert_true(alerted(m, n, 12));
    /* not http: the http rules do not apply */
    p.app_proto = "tls";
    n = detect_tx(t, d, &p, b, &m);
    assert_int_equal(n, 0);

    detect_bufs_clear(b);
    b[RULE_BUF_DNS_QUERY].p = (const uint8_t *)"www.bad.test";
    b[RULE_BUF_DNS_QUERY].len = 12;
    p = pkt(17, "", true);
    p.app_proto = "dns";
    n = detect_tx(t, d, &p, b, &m);
    assert_int_equal(n, 1);
    b[RULE_BUF_DNS_QUERY].p = (const uint8_t *)"notbad.test";
    b[RULE_BUF_DNS_QUERY].len = 11;
    n = detect_tx(t, d, &p, b, &m);
    assert_int_equal(n, 0);                         /* dotprefix: ".notbad.test" */
    /* the name itself: ".bad.test" after dotprefix, "bad.test" raw, so the
     * prefilter must look for the pattern without its dot */
    b[RULE_BUF_DNS_QUERY].p = (const uint8_t *)"bad.test";
    b[RULE_BUF_DNS_QUERY].len = 8;
    n = detect_tx(t, d, &p, b, &m);
    assert_int_equal(n, 1);
    detect_thread_destroy(t);
    detect_destroy(d);
}

/* Header-buffer rules run on packets only, with the packet's headers;
 * transformed buffers are prefiltered only when the raw buffer shows the
 * pattern (caselessly after to_lowercase), else evaluated without it. */
static void headers_and_transforms(void **state)
{
    (void)state;
    struct detect *d = load(
        "alert tcp any any -> any any (msg:\"syn\"; tcp.hdr; byte_test:1,&,0x02,13; sid:40;)\n"
        "alert tcp any any -> any any (msg:\"ttl\"; ipv4.hdr; content:\"|40 06|\"; offset:8; "
        "depth:2; pkt_data; content:\"hello\"; sid:41;)\n"
        "alert http any any -> any any (msg:\"lower\"; http.uri; to_lowercase; "
        "content:\"/admin-panel\"; sid:42;)\n"
        "alert http any any -> any any (msg:\"decoded\"; http.uri; url_decode; "
        "content:\"/secret-place\"; sid:43;)\n");
    struct detect_info di;
    detect_get_info(d, &di);
    assert_int_equal(di.loaded, 4);
    assert_int_equal(di.packet_rules, 2);
    assert_int_equal(di.tx_rules, 2);
    assert_int_equal(di.always_rules, 3);   /* the header ones and the url_decode one */
    char err[NS_ERRBUF_SIZE];
    struct detect_thread *t = detect_thread_create(d, err);
    assert_non_null(t);
    const struct detect_match *m;
    static const uint8_t ip4[20] = { 0x45, 0, 0, 45, 0, 0, 0x40, 0, 0x40, 6, 0, 0,
                                     192, 168, 1, 10, 10, 0, 0, 1 };
    static const uint8_t tcp_syn[20] = { 0x9c, 0x40, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0,
                                         0x50, 0x02, 0x72, 0x10, 0, 0, 0, 0 };
    struct detect_pkt p = pkt(6, "hello", true);
    p.l3_hdr = ip4;
    p.l3_hdr_len = sizeof(ip4);
    p.l4_hdr = tcp_syn;
    p.l4_hdr_len = sizeof(tcp_syn);
    unsigned n = detect_packet(t, d, &p, false, &m);
    assert_int_equal(n, 2);
    assert_true(alerted(m, n, 40) && alerted(m, n, 41));
    /* the stream covers the payload: header rules still run on the packet */
    n = detect_packet(t, d, &p, true, &m);
    assert_int_equal(n, 2);
    /* and never on the stream */
    n = detect_stream(t, d, &p, (const uint8_t *)"hello", 5, 0, &m);
    assert_int_equal(n, 0);
    /* no headers given: they do not match */
    p.l3_hdr = p.l4_hdr = NULL;
    n = detect_packet(t, d, &p, false, &m);
    assert_int_equal(n, 0);

    struct rule_buffer b[RULE_BUF_COUNT];
    detect_bufs_clear(b);
    p = pkt(6, "", true);
    p.app_proto = "http";
    b[RULE_BUF_HTTP_URI].p = (const uint8_t *)"/ADMIN-Panel";
    b[RULE_BUF_HTTP_URI].len = 12;
    n = detect_tx(t, d, &p, b, &m);
    assert_int_equal(n, 1);
    assert_true(alerted(m, n, 42));
    b[RULE_BUF_HTTP_URI].p = (const uint8_t *)"/secret%2Dplace";
    b[RULE_BUF_HTTP_URI].len = 15;
    n = detect_tx(t, d, &p, b, &m);
    assert_int_equal(n, 1);
    assert_true(alerted(m, n, 43));
    detect_thread_destroy(t);
    detect_destroy(d);
}

/* Bodies kept by the HTTP parser reach the rules through detect_bufs_http:
 * http.request_body and file.data on the request side, http.response_body
 * and file.data on the response side, a gzip body inflated. */
struct body_log {
    struct detect *d;
    struct detect_thread *t;
    unsigned n;
    uint32_t sids[16];
};

static void body_tx(void *ctx, const void *txp)
{
    struct body_log *l = ctx;
    static uint8_t scratch[DETECT_BUFS_SCRATCH];
    struct rule_buffer b[RULE_BUF_COUNT];
    const struct detect_match *m;
    for (int side = 0; side < 2; side++) {
        detect_bufs_http(b, side == 0, txp, scratch, sizeof(scratch));
        struct detect_pkt p = pkt(6, "", side == 0);
        p.app_proto = "http";
        unsigned n = detect_tx(l->t, l->d, &p, b, &m);
        for (unsigned i = 0; i < n && l->n < 16; i++)
            l->sids[l->n++] = m[i].r->sid;
    }
}

static void body_anomaly(void *ctx, const char *ev)
{
    (void)ctx;
    fail_msg("anomaly %s", ev);
}

static bool body_alerted(const struct body_log *l, uint32_t sid)
{
    for (unsigned i = 0; i < l->n; i++)
        if (l->sids[i] == sid)
            return true;
    return false;
}

static void tx_bodies(void **state)
{
    (void)state;
    struct detect *d = load(
        "alert http any any -> any any (msg:\"req body\"; flow:to_server; http.request_body; "
        "content:\"user=admin\"; sid:30;)\n"
        "alert http any any -> any any (msg:\"upload\"; flow:to_server; file.data; "
        "content:\"EICAR\"; sid:31;)\n"
        "alert http any any -> any any (msg:\"resp file\"; flow:to_client; file.data; "
        "content:\"MZ-payload\"; startswith; sid:32;)\n"
        "alert http any any -> any any (msg:\"resp body\"; http.response_body; "
        "content:\"inflated text\"; sid:33;)\n"
        "alert http any any -> any any (msg:\"never\"; http.request_body; "
        "content:\"MZ-payload\"; sid:34;)\n");
    char err[NS_ERRBUF_SIZE];
    struct body_log l = { .d = d };
    l.t = detect_thread_create(d, err);
    assert_non_null(l.t);
    struct appl_cb cb = { .tx = body_tx, .anomaly = body_anomaly, .ctx = &l };
    static struct http_state hs;
    memset(&hs, 0, sizeof(hs));
    static const char req[] =
        "POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
        "5\r\nuser=\r\n10\r\nadmin&file=EICAR\r\n0\r\n\r\n";
    static const char resp[] =
        "HTTP/1.1 200 OK\r\nContent-Length: 14\r\n\r\nMZ-payload....";
    assert_int_equal(http_feed(&hs, true, (const uint8_t *)req, strlen(req), 0, &cb), strlen(req));
    assert_int_equal(http_feed(&hs, false, (const uint8_t *)resp, strlen(resp), 0, &cb),
                     strlen(resp));
    assert_int_equal(l.n, 3);
    assert_true(body_alerted(&l, 30) && body_alerted(&l, 31) && body_alerted(&l, 32));

    /* gzip: inflated for http.response_body / file.data */
    static const char text[] = "some inflated text, more than once: inflated text";
    static uint8_t gz[256];
    z_stream z;
    memset(&z, 0, sizeof(z));
    assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = (Bytef *)(uintptr_t)text;
    z.avail_in = (uInt)strlen(text);
    z.next_out = gz;
    z.avail_out = sizeof(gz);
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    size_t gzlen = sizeof(gz) - z.avail_out;
    deflateEnd(&z);
    static char head[256];
    int hl = snprintf(head, sizeof(head),
                      "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %zu\r\n\r\n",
                      gzlen);
    l.n = 0;
    const char *r2 = "GET /z HTTP/1.1\r\n\r\n";
    http_feed(&hs, true, (const uint8_t *)r2, strlen(r2), 0, &cb);
    assert_int_equal(http_feed(&hs, false, (const uint8_t *)head, (size_t)hl, 0, &cb), (size_t)hl);
    assert_int_equal(http_feed(&hs, false, gz, gzlen, 0, &cb), gzlen);
    assert_int_equal(l.n, 1);
    assert_true(body_alerted(&l, 33));
    /* said gzip but not compressed: the bytes as sent */
    hl = snprintf(head, sizeof(head),
                  "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %zu\r\n\r\n%s",
                  strlen(text), text);
    l.n = 0;
    http_feed(&hs, true, (const uint8_t *)r2, strlen(r2), 0, &cb);
    assert_int_equal(http_feed(&hs, false, (const uint8_t *)head, (size_t)hl, 0, &cb), (size_t)hl);
    assert_int_equal(l.n, 1);
    assert_true(body_alerted(&l, 33));
    detect_thread_destroy(l.t);
    detect_destroy(d);
}

static void flowbits_and_thresholds(void **state)
{
    (void)state;
    struct detect *d = load(
        "alert tcp any any -> any any (msg:\"set\"; content:\"login\"; flowbits:set,seen; "
        "flowbits:noalert; sid:20;)\n"
        "alert tcp any any -> any any (msg:\"isset\"; content:\"secret\"; flowbits:isset,seen; "
        "sid:21;)\n"
        "alert tcp any any -> any any (msg:\"limit\"; content:\"ping\"; "
        "threshold:type limit, track by_src, count 2, seconds 60; sid:22;)\n"
        "alert tcp any any -> any any (msg:\"every 3rd\"; content:\"pong\"; "
        "threshold:type threshold, track by_dst, count 3, seconds 60; sid:23;)\n");
    char err[NS_ERRBUF_SIZE];
    struct detect_thread *t = detect_thread_create(d, err);
    assert_non_null(t);
    const struct detect_match *m;
    struct detect_pkt p = pkt(6, "secret", true);
    assert_int_equal(detect_packet(t, d, &p, false, &m), 0);     /* bit not set yet */
    p = pkt(6, "login", true);
    assert_int_equal(detect_packet(t, d, &p, false, &m), 0);     /* noalert */
    p = pkt(6, "secret", true);
    unsigned n = detect_packet(t, d, &p, false, &m);
    assert_int_equal(n, 1);
    assert_int_equal(m[0].r->sid, 21);
    p.flow_id = 8;                                  /* another flow: its own bits */
    assert_int_equal(detect_packet(t, d, &p, false, &m), 0);
    detect_flow_end(t, 7);                          /* the flow ends: bits gone */
    p.flow_id = 7;
    assert_int_equal(detect_packet(t, d, &p, false, &m), 0);

    unsigned got = 0;
    for (int i = 0; i < 5; i++) {
        p = pkt(6, "ping", true);
        got += detect_packet(t, d, &p, false, &m);
    }
    assert_int_equal(got, 2);                       /* limit 2 per window */
    p = pkt(6, "ping", true);
    p.ts_us += 61 * 1000000ull;                     /* a new window */
    assert_int_equal(detect_packet(t, d, &p, false, &m), 1);
    got = 0;
    for (int i = 0; i < 7; i++) {
        p = pkt(6, "pong", true);
        got += detect_packet(t, d, &p, false, &m);
    }
    assert_int_equal(got, 2);                       /* the 3rd and the 6th */
    struct detect_counters c;
    detect_thread_counters(t, &c);
    assert_true(c.suppressed >= 8);
    detect_thread_destroy(t);
    detect_destroy(d);
}

/* The second load of the same rules comes from the cache; a generation
 * has one context per worker; no rule files: an empty, valid set. */
static void cache_and_generations(void **state)
{
    (void)state;
    const char *rules = "alert tcp any any -> any any (msg:\"x\"; content:\"cached-pattern\"; sid:30;)\n";
    struct detect *a = load(rules);
    struct detect_info di;
    detect_get_info(a, &di);
    assert_int_equal(di.sets, 1);
    struct detect *b = load(rules);
    detect_get_info(b, &di);
    assert_int_equal(di.sets_from_cache, 1);
    detect_destroy(a);
    detect_destroy(b);

    char err[NS_ERRBUF_SIZE];
    struct detect_gen *g = detect_gen_create(&cfg, 3, 5, NULL, err);
    assert_non_null(g);
    assert_int_equal(g->nth, 3);
    assert_int_equal(g->id, 5);
    struct detect_counters mine = { 0 };
    uint64_t seen = 0;
    struct detect_thread *t = detect_gen_thread(g, 2, &seen, &mine);
    assert_int_equal(seen, 5);
    const struct detect_match *m;
    struct detect_pkt p = pkt(6, "a cached-pattern", true);
    assert_int_equal(detect_packet(t, g->d, &p, false, &m), 1);
    assert_int_equal(mine.alerts, 1);               /* counted into the bound counters */
    detect_gen_destroy(g);

    config_defaults(&cfg);
    struct detect *e = detect_create(&cfg, NULL, err);
    assert_non_null(e);
    detect_get_info(e, &di);
    assert_int_equal(di.loaded, 0);
    detect_destroy(e);

    /* an unreadable rule file is an error, with its name */
    assert_int_equal(config_strlist_add(&cfg.rule_files, "/nonexistent/x.rules", 20), NS_OK);
    assert_null(detect_create(&cfg, NULL, err));
    assert_non_null(strstr(err, "/nonexistent/x.rules"));
}

static int setup(void **state)
{
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(packet_rules),
        cmocka_unit_test(tx_rules),
        cmocka_unit_test(tx_bodies),
        cmocka_unit_test(headers_and_transforms),
        cmocka_unit_test(flowbits_and_thresholds),
        cmocka_unit_test(cache_and_generations),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
