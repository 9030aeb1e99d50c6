/* tests/test_anomaly.c: each detector of engine/anomaly.h fires on
 * synthetic input shaped like its attack, stays quiet on input shaped like
 * ordinary traffic, and the table keeps its memory under a million
 * distinct sources. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/anomaly.h"

#define S 1000000ull
#define T0 (1700000000ull * S)

struct got {
    unsigned n[ANOM_MAX];
    struct anomaly_alert last;
};

static void on_alert(void *ctx, const struct anomaly_alert *a)
{
    struct got *g = ctx;
    g->n[a->kind]++;
    g->last = *a;
}

static int setup(void **state)
{
    struct got *g = calloc(1, sizeof(*g));
    struct anomaly_config c;
    anomaly_config_defaults(&c);
    char err[NS_ERRBUF_SIZE];
    struct anomaly *an = anomaly_create(&c, on_alert, g, err);
    if (!an)
        return -1;
    void **pair = calloc(2, sizeof(void *));
    pair[0] = an;
    pair[1] = g;
    *state = pair;
    return 0;
}

static int teardown(void **state)
{
    void **pair = *state;
    anomaly_destroy(pair[0]);
    free(pair[1]);
    free(pair);
    return 0;
}

#define AN ((struct anomaly *)((void **)*state)[0])
#define GOT ((struct got *)((void **)*state)[1])

static unsigned total(const struct got *g)
{
    unsigned t = 0;
    for (unsigned k = 0; k < ANOM_MAX; k++)
        t += g->n[k];
    return t;
}

static struct flow mkflow(uint32_t cli, uint32_t srv, uint16_t sp, uint16_t dp, uint8_t proto,
                          uint64_t start, const char *hist, uint64_t p0, uint64_t p1)
{
    struct flow f;
    memset(&f, 0, sizeof(f));
    f.ip_v = 4;
    f.proto = proto;
    f.cli[0] = (uint8_t)(cli >> 24), f.cli[1] = (uint8_t)(cli >> 16);
    f.cli[2] = (uint8_t)(cli >> 8), f.cli[3] = (uint8_t)cli;
    f.srv[0] = (uint8_t)(srv >> 24), f.srv[1] = (uint8_t)(srv >> 16);
    f.srv[2] = (uint8_t)(srv >> 8), f.srv[3] = (uint8_t)srv;
    f.cli_port = sp;
    f.srv_port = dp;
    f.start_us = start;
    f.last_us = start + 1000;
    f.pkts[0] = p0;
    f.pkts[1] = p1;
    f.bytes[0] = p0 * 60;
    f.bytes[1] = p1 * 60;
    snprintf(f.history, sizeof(f.history), "%s", hist);
    return f;
}

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

static void vertical_scan_fires(void **state)
{
    /* nmap -sS: SYN, then RST from closed ports or SYN/ACK + our RST */
    for (unsigned p = 1; p <= 1000; p++) {
        struct flow f = mkflow(IP(10, 0, 0, 1), IP(10, 0, 0, 2), 40000, (uint16_t)p, 6,
                               T0 + p * 1000, p % 50 ? "Sr" : "ShR", 1 + (p % 50 == 0), 1);
        anomaly_flow(AN, &f);
    }
    assert_int_equal(GOT->n[ANOM_VSCAN], 1);        /* once per window */
    assert_int_equal(GOT->last.sid, 2);
    assert_int_equal(GOT->last.gid, ANOMALY_GID);
    assert_true(GOT->last.count >= 32);
    assert_string_equal(GOT->last.targets_name, "ports");
    assert_int_equal(GOT->last.ntargets, ANOMALY_TARGETS);
    assert_string_equal(GOT->last.targets[0], "1/tcp");
    assert_int_equal(GOT->n[ANOM_SYN_FLOOD], 0);    /* one SYN per port */
    assert_int_equal(GOT->n[ANOM_HSCAN], 0);
}

static void horizontal_scan_fires(void **state)
{
    for (unsigned h = 1; h < 255; h++) {
        struct flow f = mkflow(IP(10, 0, 0, 1), IP(10, 0, 1, h), 40000, 22, 6, T0 + h * 10000,
                               "S", 2, 0);
        anomaly_flow(AN, &f);
    }
    assert_int_equal(GOT->n[ANOM_HSCAN], 1);
    assert_int_equal(GOT->last.sid, 1);
    assert_string_equal(GOT->last.targets_name, "hosts");
    assert_string_equal(GOT->last.targets[0], "10.0.1.1");
    assert_int_equal(GOT->n[ANOM_VSCAN], 0);
}

static void syn_flood_fires(void **state)
{
    /* hping3 -S --rand-source: one SYN from each of many sources */
    for (unsigned i = 0; i < 5000; i++) {
        struct flow f = mkflow(0x0b000000u + i * 7919u, IP(10, 0, 0, 2), (uint16_t)(1024 + i), 80,
                               6, T0 + i * 100, "S", 1, 1);
        anomaly_flow(AN, &f);
    }
    assert_int_equal(GOT->n[ANOM_SYN_FLOOD], 1);
    assert_int_equal(GOT->last.sid, 3);
    assert_int_equal(GOT->last.dport, 80);
    assert_true(GOT->last.count >= 500);
    assert_true(GOT->last.distinct_sources > 100);
}

static void icmp_flood_fires_ping_does_not(void **state)
{
    /* an hour of ping at one per second: 3600 packets, 1/s */
    struct flow f = mkflow(IP(10, 0, 0, 1), IP(10, 0, 0, 3), 0, 0, 1, T0, "", 3600, 3600);
    f.last_us = T0 + 3600 * S;
    anomaly_flow(AN, &f);
    assert_int_equal(total(GOT), 0);
    /* hping3 --icmp --faster: 20000 packets in 2 s */
    f = mkflow(IP(10, 0, 0, 1), IP(10, 0, 0, 2), 0, 0, 1, T0, "", 20000, 20000);
    f.last_us = T0 + 2 * S;
    anomaly_flow(AN, &f);
    assert_int_equal(GOT->n[ANOM_ICMP_FLOOD], 1);
    assert_int_equal(GOT->last.sid, 4);
    assert_true(GOT->last.rate >= 9000);
}

static void dns_tunnel_fires(void **state)
{
    uint8_t src[16] = { 10, 0, 0, 1 };
    char name[256];
    uint64_t x = 12345;
    for (unsigned i = 0; i < 300; i++) {
        char lab[64];
        for (unsigned j = 0; j < 60; j++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            lab[j] = "abcdefghijklmnopqrstuvwxyz0123456789"[x % 36];
        }
        lab[60] = '\0';
        int n = snprintf(name, sizeof(name), "%s.t.tunnel.example", lab);
        anomaly_dns(AN, T0 + i * 100000, 4, src, name, (size_t)n, i % 2 ? 16 : 10);
    }
    assert_int_equal(GOT->n[ANOM_DNS_LONG], 1);
    assert_int_equal(GOT->n[ANOM_DNS_SUBDOM], 1);
    assert_int_equal(GOT->n[ANOM_DNS_TXT], 1);
}

static void dns_ordinary_quiet(void **state)
{
    static const char *const names[] = {
        "www.google.com", "fonts.gstatic.com", "e6858.dsce9.akamaiedge.net",
        "api.github.com", "mail.example.org", "1.0.0.127.in-addr.arpa",
        "d2w9ub9g7gg3rl.cloudfront.net", "p2-abcdefgh.s3.dualstack.us-east-1.amazonaws.com",
    };
    uint8_t src[16] = { 10, 0, 0, 1 };
    for (unsigned i = 0; i < 20000; i++) {
        const char *n = names[i % 8];
        anomaly_dns(AN, T0 + i * 50000, 4, src, n, strlen(n), i % 3 ? 1 : 28);
    }
    assert_int_equal(total(GOT), 0);
}

static void brute_force_fires(void **state)
{
    for (unsigned i = 0; i < 20; i++) {
        struct flow f = mkflow(IP(10, 0, 0, 1), IP(10, 0, 0, 2), (uint16_t)(50000 + i), 22, 6,
                               T0 + i * 3 * S, "ShAdDaFf", 14, 12);
        anomaly_flow(AN, &f);
    }
    assert_int_equal(GOT->n[ANOM_BRUTE], 1);
    assert_int_equal(GOT->last.sid, 8);
    assert_int_equal(GOT->last.count, 10);
    assert_int_equal(total(GOT), 1);
}

static void ordinary_flows_quiet(void **state)
{
    /* a client browsing: many servers on 443 with data, DNS answered, one
     * long SSH session, a few pings */
    for (unsigned i = 0; i < 5000; i++) {
        struct flow f = mkflow(IP(10, 0, 0, 1), IP(93, 184, (i / 200) % 256, i % 200),
                               (uint16_t)(30000 + i), 443, 6, T0 + i * 20000, "ShADadFf", 20, 30);
        anomaly_flow(AN, &f);
        f = mkflow(IP(10, 0, 0, 1), IP(10, 0, 0, 53), (uint16_t)(20000 + i), 53, 17,
                   T0 + i * 20000, "", 1, 1);
        anomaly_flow(AN, &f);
    }
    struct flow ssh = mkflow(IP(10, 0, 0, 1), IP(10, 0, 0, 2), 50000, 22, 6, T0, "ShADadFf", 900,
                             800);
    anomaly_flow(AN, &ssh);
    assert_int_equal(total(GOT), 0);
}

static void arp_spoof_fires(void **state)
{
    uint8_t ip[4] = { 10, 0, 0, 254 };
    uint8_t gw[6] = { 2, 0, 0, 0, 0, 1 }, evil[6] = { 2, 0, 0, 0, 0, 0x66 };
    for (unsigned i = 0; i < 100; i++)
        anomaly_arp(AN, T0 + i * S, ip, gw);
    assert_int_equal(total(GOT), 0);
    anomaly_arp(AN, T0 + 200 * S, ip, evil);
    assert_int_equal(GOT->n[ANOM_ARP_SPOOF], 1);
    assert_int_equal(GOT->last.sid, 9);
    assert_string_equal(GOT->last.targets_name, "macs");
    assert_string_equal(GOT->last.targets[0], "02:00:00:00:00:01");
    assert_string_equal(GOT->last.targets[1], "02:00:00:00:00:66");
}

static void arp_binding_outlives_window(void **state)
{
    /* a binding learnt long ago (past the 300 s window) still counts */
    uint8_t ip[4] = { 10, 0, 0, 7 };
    uint8_t a[6] = { 2, 0, 0, 0, 0, 7 }, b[6] = { 2, 0, 0, 0, 0, 8 };
    uint8_t zero[4] = { 0 };
    anomaly_arp(AN, T0, ip, a);
    anomaly_arp(AN, T0 + 5, zero, b);           /* a probe binds nothing */
    anomaly_arp(AN, T0 + 3600 * S, ip, a);
    assert_int_equal(total(GOT), 0);
    anomaly_arp(AN, T0 + 7200 * S, ip, b);
    assert_int_equal(GOT->n[ANOM_ARP_SPOOF], 1);
    assert_string_equal(GOT->last.targets[0], "02:00:00:00:00:07");
    assert_string_equal(GOT->last.targets[1], "02:00:00:00:00:08");
    assert_int_equal(GOT->last.has_src, true);
    assert_int_equal(GOT->last.src[3], 7);
}

static void flow_summary_same_verdicts(void **state)
{
    /* what a worker sends when a TCP flow closes (REC_ANOM_FLOW) carries
     * what the flow's record would: the same alerts come out */
    struct flow f = mkflow(IP(10, 0, 0, 1), IP(10, 0, 0, 2), 40000, 22, 6, T0, "ShAdDaFf", 14, 12);
    struct anomaly_flow_sum sum;
    anomaly_flow_summary(&f, &sum);
    assert_int_equal(sum.hist, ANOM_HIST_SYN | ANOM_HIST_ACK | ANOM_HIST_DATA | ANOM_HIST_DATA_R);
    assert_int_equal(sum.srv_port, 22);
    assert_int_equal(sum.pkts[0], 14);
    assert_memory_equal(sum.cli, f.cli, 16);
    f = mkflow(IP(10, 0, 0, 1), IP(10, 0, 0, 2), 40000, 80, 6, T0, "^hR", 1, 1);
    anomaly_flow_summary(&f, &sum);
    assert_int_equal(sum.hist, 0);               /* no SYN: not half-open */
    for (unsigned p = 1; p <= 100; p++) {
        f = mkflow(IP(10, 0, 0, 1), IP(10, 0, 0, 2), 40000, (uint16_t)p, 6, T0 + p * 1000, "Sr",
                   1, 1);
        anomaly_flow_summary(&f, &sum);
        anomaly_flow_sum(AN, &sum);
    }
    assert_int_equal(GOT->n[ANOM_VSCAN], 1);
    assert_int_equal(total(GOT), 1);
    for (unsigned i = 0; i < 20; i++) {
        f = mkflow(IP(10, 0, 0, 9), IP(10, 0, 0, 2), (uint16_t)(50000 + i), 22, 6, T0 + i * S,
                   "ShAdDaFf", 14, 12);
        anomaly_flow_summary(&f, &sum);
        anomaly_flow_sum(AN, &sum);
    }
    assert_int_equal(GOT->n[ANOM_BRUTE], 1);
    uint64_t alerts[ANOM_MAX], ev;
    anomaly_counts(AN, alerts, &ev);
    assert_int_equal(alerts[ANOM_VSCAN], 1);
    assert_int_equal(alerts[ANOM_BRUTE], 1);
    assert_int_equal(ev, 0);
}

static void spike_fires_on_spike_only(void **state)
{
    uint64_t v[ASER_MAX];
    uint64_t x = 99;
    for (unsigned i = 0; i < 200; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        for (unsigned s = 0; s < ASER_MAX; s++)
            v[s] = 10000 + x % 2000;             /* +-10% noise */
        anomaly_rollup(AN, T0 + i * 60 * S, v);
    }
    assert_int_equal(total(GOT), 0);
    v[ASER_PKTS] = 100000;
    anomaly_rollup(AN, T0 + 200 * 60 * S, v);
    assert_int_equal(GOT->n[ANOM_SPIKE], 1);
    assert_int_equal(GOT->last.sid, 10);
    assert_string_equal(GOT->last.key, "packets");
    assert_true(GOT->last.mean > 9000 && GOT->last.mean < 13000);
}

static void fixed_memory_million_sources(void **state)
{
    size_t before = anomaly_memuse(AN);
    for (uint32_t i = 0; i < 1000000; i++) {
        struct flow f = mkflow(0x0a000000u + i, IP(10, 0, 0, 2), 1234, 80, 6, T0 + i, "S", 1, 0);
        anomaly_flow(AN, &f);
    }
    assert_int_equal(anomaly_memuse(AN), before);
    uint64_t alerts[ANOM_MAX], ev;
    anomaly_counts(AN, alerts, &ev);
    assert_true(ev > 900000);
    /* the flood's own key stayed: one alert per 10 s window (1 s of flows) */
    assert_int_equal(GOT->n[ANOM_SYN_FLOOD], 1);
    assert_int_equal(GOT->n[ANOM_HSCAN] + GOT->n[ANOM_VSCAN], 0);
}

static void disabled_detector_quiet(void **state)
{
    (void)state;
    struct anomaly_config c;
    anomaly_config_defaults(&c);
    c.det[ANOM_VSCAN].enabled = false;
    struct got g = { 0 };
    char err[NS_ERRBUF_SIZE];
    struct anomaly *an = anomaly_create(&c, on_alert, &g, err);
    assert_non_null(an);
    for (unsigned p = 1; p <= 1000; p++) {
        struct flow f = mkflow(IP(10, 0, 0, 1), IP(10, 0, 0, 2), 40000, (uint16_t)p, 6,
                               T0 + p * 1000, "Sr", 1, 1);
        anomaly_flow(an, &f);
    }
    assert_int_equal(g.n[ANOM_VSCAN], 0);
    anomaly_destroy(an);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(vertical_scan_fires, setup, teardown),
        cmocka_unit_test_setup_teardown(horizontal_scan_fires, setup, teardown),
        cmocka_unit_test_setup_teardown(syn_flood_fires, setup, teardown),
        cmocka_unit_test_setup_teardown(icmp_flood_fires_ping_does_not, setup, teardown),
        cmocka_unit_test_setup_teardown(dns_tunnel_fires, setup, teardown),
        cmocka_unit_test_setup_teardown(dns_ordinary_quiet, setup, teardown),
        cmocka_unit_test_setup_teardown(brute_force_fires, setup, teardown),
        cmocka_unit_test_setup_teardown(ordinary_flows_quiet, setup, teardown),
        cmocka_unit_test_setup_teardown(arp_spoof_fires, setup, teardown),
        cmocka_unit_test_setup_teardown(arp_binding_outlives_window, setup, teardown),
        cmocka_unit_test_setup_teardown(flow_summary_same_verdicts, setup, teardown),
        cmocka_unit_test_setup_teardown(spike_fires_on_spike_only, setup, teardown),
        cmocka_unit_test_setup_teardown(fixed_memory_million_sources, setup, teardown),
        cmocka_unit_test(disabled_detector_quiet),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
