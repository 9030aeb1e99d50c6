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
        "alert tcp any any -> any 80 (msg:\"bad\"; byte_test:1,=,1,0; sid:6;)\n");
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
    detect_bufs_http(b, true, &q, (const uint8_t *)req, &r, (const uint8_t *)resp, scratch,
                     sizeof(scratch));
    assert_int_equal(b[RULE_BUF_HTTP_HOST].len, 15);
    assert_memory_equal(b[RULE_BUF_HTTP_HOST].p, "www.example.com", 15);
    assert_null(b[RULE_BUF_HTTP_STAT_CODE].p);
    struct detect_pkt p = pkt(6, "", true);
    p.app_proto = "http";
    const struct detect_match *m;
    unsigned n = detect_tx(t, d, &p, b, &m);
    assert_int_equal(n, 2);
    assert_true(alerted(m, n, 10) && alerted(m, n, 11));

    detect_bufs_http(b, false, &q, (const uint8_t *)req, &r, (const uint8_t *)resp, scratch,
                     sizeof(scratch));
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
    detect_thread_destroy(t);
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
        cmocka_unit_test(flowbits_and_thresholds),
        cmocka_unit_test(cache_and_generations),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
