/* tests/test_eve.c: EVE records (output/eve.h).
 *
 * Timestamps against known strings and against libc's strftime in several
 * zones (UTC, Europe/Berlin across both DST changes, a zone west of UTC,
 * Lord Howe's 30-minute DST shift that does not start on a UTC hour);
 * addresses; flow records built by hand (TCP, UDP with VLANs, ICMP, IPv6,
 * other protocols) checked whole or field by field; anomaly and stats
 * records; the overflow promise.  Every record made here is also written to
 * a temporary file that the last test runs through tests/schema_check.py
 * and python3 -m json.tool, so the tests must run from the repository root
 * (as `make unit` does). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "dissect/app_detect.h"
#include "output/eve.h"
#include "output/eve_alert.h"
#include "output/json.h"

#define REC_MAX (64u * 1024u)
#define SCHEMA_CHECK "tests/schema_check.py"

/* 2026-11-22T14:07:49.835303Z */
#define TS_KNOWN 1795356469835303ull

static char rec[REC_MAX];
static char samples_path[] = "/tmp/test_eve_XXXXXX";
static FILE *samples;

/* ------------------------------------------------------------------ */
/* helpers */

static void set_tz(const char *zone, const char *posix_fallback)
{
    char path[256];
    snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", zone);
    const char *tz = access(path, R_OK) == 0 ? zone : posix_fallback;
    assert_non_null(tz);
    assert_int_equal(setenv("TZ", tz, 1), 0);
    tzset();
}

static bool have_zone(const char *zone)
{
    char path[256];
    snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", zone);
    return access(path, R_OK) == 0;
}

/* What Suricata prints (strftime on localtime_r), as the oracle. */
static void oracle_ts(uint64_t ts_us, char out[64])
{
    time_t t = (time_t)(ts_us / 1000000);
    struct tm tm;
    assert_non_null(localtime_r(&t, &tm));
    size_t n = strftime(out, 64, "%Y-%m-%dT%H:%M:%S", &tm);
    n += (size_t)snprintf(out + n, 64 - n, ".%06u", (unsigned)(ts_us % 1000000));
    strftime(out + n, 64 - n, "%z", &tm);
}

static const char *ts_str(struct eve_ctx *ec, uint64_t ts_us)
{
    static char out[40];
    size_t n = eve_timestamp(ec, ts_us, out);
    assert_int_equal(n, strlen(out));
    return out;
}

/* A finished record: one line, NUL-terminated in rec, kept for the schema
 * check. */
static const char *keep(size_t n)
{
    assert_true(n > 0);
    assert_true(n < sizeof(rec));
    assert_int_equal(rec[n - 1], '\n');
    assert_null(memchr(rec, '\n', n - 1));
    rec[n] = '\0';
    if (samples)
        assert_int_equal(fwrite(rec, 1, n, samples), n);
    return rec;
}

#define HAS(line, s) assert_non_null(strstr((line), (s)))
#define HASNT(line, s) assert_null(strstr((line), (s)))

static void ip4(uint8_t a[16], uint8_t w, uint8_t x, uint8_t y, uint8_t z)
{
    memset(a, 0, 16);
    a[0] = w;
    a[1] = x;
    a[2] = y;
    a[3] = z;
}

static void ip6(uint8_t a[16], const uint16_t g[8])
{
    for (unsigned i = 0; i < 8; i++) {
        a[2 * i] = (uint8_t)(g[i] >> 8);
        a[2 * i + 1] = (uint8_t)g[i];
    }
}

static struct flow tcp_flow(void)
{
    struct flow f;
    memset(&f, 0, sizeof(f));
    f.flow_id = 1234567890123ull;
    f.start_us = TS_KNOWN;
    f.last_us = TS_KNOWN + 12345678;           /* 14:08:02.180981 */
    f.pkts[0] = 5;
    f.pkts[1] = 4;
    f.bytes[0] = 420;
    f.bytes[1] = 3120;
    ip4(f.cli, 10, 0, 0, 1);
    ip4(f.srv, 192, 168, 100, 200);
    f.cli_port = 51234;
    f.srv_port = 443;
    f.ip_v = 4;
    f.proto = 6;
    f.state = FLOW_STATE_CLOSED;
    f.tcp_state = FLOW_TCP_CLOSED;
    f.tcp_flags[0] = 0x1b;                      /* SYN FIN PSH ACK */
    f.tcp_flags[1] = 0x5a;                      /* SYN PSH ACK ECE */
    memcpy(f.cli_mac, "\x00\x11\x22\xaa\xbb\xcc", 6);
    memcpy(f.srv_mac, "\xde\xad\xbe\xef\x00\x01", 6);
    f.mac_seen[0] = f.mac_seen[1] = true;
    strcpy(f.history, "ShADadFf");
    return f;
}

/* ------------------------------------------------------------------ */
/* timestamps */

static void timestamp_utc(void **state)
{
    (void)state;
    static struct eve_ctx ec;
    set_tz("UTC", "UTC0");
    eve_ctx_init(&ec, NULL, NULL);
    assert_string_equal(ts_str(&ec, TS_KNOWN), "2026-11-22T14:07:49.835303+0000");
    assert_string_equal(ts_str(&ec, 0), "1970-01-01T00:00:00.000000+0000");
    assert_string_equal(ts_str(&ec, 951868799999999ull), "2000-02-29T23:59:59.999999+0000");
    assert_string_equal(ts_str(&ec, 951868800000000ull), "2000-03-01T00:00:00.000000+0000");
    assert_string_equal(ts_str(&ec, 4107542399000001ull), "2100-02-28T23:59:59.000001+0000");
    assert_string_equal(ts_str(&ec, 4107542400000000ull), "2100-03-01T00:00:00.000000+0000");
    assert_string_equal(ts_str(&ec, 253402300799999999ull), "9999-12-31T23:59:59.999999+0000");
    assert_string_equal(ts_str(&ec, 253402300800000000ull), "10000-01-01T00:00:00.000000+0000");
    /* the far end of uint64 microseconds does not break anything */
    char want[64];
    oracle_ts(UINT64_MAX, want);
    assert_string_equal(ts_str(&ec, UINT64_MAX), want);
}

static void timestamp_berlin_dst(void **state)
{
    (void)state;
    static struct eve_ctx ec;
    set_tz("Europe/Berlin", "CET-1CEST,M3.5.0,M10.5.0/3");
    eve_ctx_init(&ec, NULL, NULL);
    const uint64_t spring = 1774746000ull * 1000000;   /* 2026-03-29T01:00:00Z */
    const uint64_t autumn = 1792890000ull * 1000000;   /* 2026-10-25T01:00:00Z */
    assert_string_equal(ts_str(&ec, TS_KNOWN), "2026-11-22T15:07:49.835303+0100");
    assert_string_equal(ts_str(&ec, spring - 1), "2026-03-29T01:59:59.999999+0100");
    assert_string_equal(ts_str(&ec, spring), "2026-03-29T03:00:00.000000+0200");
    assert_string_equal(ts_str(&ec, spring - 1), "2026-03-29T01:59:59.999999+0100");
    assert_string_equal(ts_str(&ec, autumn - 1), "2026-10-25T02:59:59.999999+0200");
    assert_string_equal(ts_str(&ec, autumn), "2026-10-25T02:00:00.000000+0100");
    assert_string_equal(ts_str(&ec, autumn + 3599999999ull), "2026-10-25T02:59:59.999999+0100");
    /* the same hour again, and back in time: the cache never goes stale */
    assert_string_equal(ts_str(&ec, autumn), "2026-10-25T02:00:00.000000+0100");
    assert_string_equal(ts_str(&ec, spring), "2026-03-29T03:00:00.000000+0200");
    /* the cache holds the offset of the last hour asked */
    assert_int_equal(ec.tz_hour, 1774746000 / 3600);
    assert_int_equal(ec.tz_off, 7200);
}

static void timestamp_west_of_utc(void **state)
{
    (void)state;
    static struct eve_ctx ec;
    set_tz("America/New_York", "EST5EDT,M3.2.0,M11.1.0");
    eve_ctx_init(&ec, NULL, NULL);
    assert_string_equal(ts_str(&ec, 0), "1969-12-31T19:00:00.000000-0500");
    assert_string_equal(ts_str(&ec, TS_KNOWN), "2026-11-22T09:07:49.835303-0500");
}

/* Lord Howe Island moves its clocks by 30 minutes at 02:00 local standard
 * time, 15:30 UTC: an hour in which the offset changes off the UTC hour. */
static void timestamp_half_hour_shift(void **state)
{
    (void)state;
    static struct eve_ctx ec;
    set_tz("Australia/Lord_Howe", "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0");
    eve_ctx_init(&ec, NULL, NULL);
    const uint64_t t = 1791041400ull * 1000000;         /* 2026-10-03T15:30:00Z */
    assert_string_equal(ts_str(&ec, t - 1000000), "2026-10-04T01:59:59.000000+1030");
    assert_string_equal(ts_str(&ec, t), "2026-10-04T02:30:00.000000+1100");
    assert_string_equal(ts_str(&ec, t - 1), "2026-10-04T01:59:59.999999+1030");
    char want[64];
    for (uint64_t s = t - 5400000000ull; s < t + 5400000000ull; s += 60000000) {
        oracle_ts(s, want);
        assert_string_equal(ts_str(&ec, s), want);
    }
}

/* eve_timestamp against strftime for many times in many zones, with one
 * context per zone kept across calls (hits, misses, going backwards). */
static void timestamp_oracle(void **state)
{
    (void)state;
    static const struct {
        const char *zone, *posix;
    } zones[] = {
        { "UTC", "UTC0" },
        { "Europe/Berlin", "CET-1CEST,M3.5.0,M10.5.0/3" },
        { "America/New_York", "EST5EDT,M3.2.0,M11.1.0" },
        { "Asia/Kolkata", "IST-5:30" },
        { "Asia/Kathmandu", "<+0545>-5:45" },
        { "Pacific/Chatham", "<+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45" },
        { "Australia/Lord_Howe", "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0" },
        { "Africa/Monrovia", NULL },           /* -0:44:30 until 1972 */
    };
    char want[64];
    for (size_t z = 0; z < NS_ARRAY_LEN(zones); z++) {
        if (!zones[z].posix && !have_zone(zones[z].zone))
            continue;
        set_tz(zones[z].zone, zones[z].posix);
        static struct eve_ctx ec;
        eve_ctx_init(&ec, NULL, NULL);
        uint64_t x = 0x2545f4914f6cdd1dull + z;
        for (unsigned i = 0; i < 20000; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            uint64_t ts;
            if (i % 2)                              /* anywhere in 1970..2106 */
                ts = x % (4294967296ull * 1000000);
            else                                    /* clustered: 400 days from 2020 */
                ts = 1600000000ull * 1000000 + x % (86400ull * 400 * 1000000);
            oracle_ts(ts, want);
            assert_string_equal(ts_str(&ec, ts), want);
        }
    }
}

/* ------------------------------------------------------------------ */
/* addresses */

static void addresses(void **state)
{
    (void)state;
    uint8_t a[16];
    char out[48];
    ip4(a, 0, 0, 0, 0);
    assert_int_equal(eve_addr(4, a, out), 7);
    assert_string_equal(out, "0.0.0.0");
    ip4(a, 255, 255, 255, 255);
    eve_addr(4, a, out);
    assert_string_equal(out, "255.255.255.255");
    ip4(a, 10, 100, 9, 199);
    eve_addr(4, a, out);
    assert_string_equal(out, "10.100.9.199");
    for (unsigned v = 0; v < 256; v++) {        /* every octet value */
        char want[48];
        ip4(a, (uint8_t)v, (uint8_t)(255 - v), (uint8_t)(v ^ 0x5a), 7);
        snprintf(want, sizeof(want), "%u.%u.%u.7", v, 255 - v, v ^ 0x5a);
        assert_int_equal(eve_addr(4, a, out), strlen(want));
        assert_string_equal(out, want);
    }

    static const uint16_t doc[8] = { 0x2001, 0x0db8, 0, 0, 0, 0, 0, 1 };
    ip6(a, doc);
    assert_int_equal(eve_addr(6, a, out), 39);
    assert_string_equal(out, "2001:0db8:0000:0000:0000:0000:0000:0001");
    static const uint16_t ll[8] = { 0xfe80, 0, 0, 0, 0x0211, 0x22ff, 0xfeAA, 0xBBcc };
    ip6(a, ll);
    eve_addr(6, a, out);
    assert_string_equal(out, "fe80:0000:0000:0000:0211:22ff:feaa:bbcc");
    memset(a, 0xff, sizeof(a));
    eve_addr(6, a, out);
    assert_string_equal(out, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");

    assert_int_equal(eve_addr(0, a, out), 0);   /* no IP: empty */
    assert_string_equal(out, "");
}

/* ------------------------------------------------------------------ */
/* flow */

static void flow_tcp_whole_line(void **state)
{
    (void)state;
    static struct eve_ctx ec;
    eve_ctx_init(&ec, "test.pcap", NULL);
    struct flow f = tcp_flow();
    char cid[64], want[2048];
    /* Suricata's default: no MAC addresses */
    const char *plain = keep(eve_flow(&ec, rec, sizeof(rec), &f, FLOW_END_TIMEOUT));
    HASNT(plain, "\"ether\"");
    ec.ethernet = true;
    flow_community_id(&f, cid);
    snprintf(want, sizeof(want),
             "{\"timestamp\":\"2026-11-22T14:08:02.180981+0000\",\"flow_id\":1234567890123,"
             "\"pcap_filename\":\"test.pcap\",\"event_type\":\"flow\","
             "\"src_ip\":\"10.0.0.1\",\"src_port\":51234,\"dest_ip\":\"192.168.100.200\","
             "\"dest_port\":443,\"ip_v\":4,\"proto\":\"TCP\",\"community_id\":\"%s\","
             "\"flow\":{\"pkts_toserver\":5,\"pkts_toclient\":4,\"bytes_toserver\":420,"
             "\"bytes_toclient\":3120,\"start\":\"2026-11-22T14:07:49.835303+0000\","
             "\"end\":\"2026-11-22T14:08:02.180981+0000\",\"age\":13,\"state\":\"closed\","
             "\"reason\":\"timeout\",\"alerted\":false},"
             "\"tcp\":{\"tcp_flags\":\"5b\",\"tcp_flags_ts\":\"1b\",\"tcp_flags_tc\":\"5a\","
             "\"syn\":true,\"fin\":true,\"psh\":true,\"ack\":true,\"ecn\":true,"
             "\"state\":\"%s\"},"
             "\"ether\":{\"src_macs\":[\"00:11:22:aa:bb:cc\"],\"dest_macs\":[\"de:ad:be:ef:00:01\"]},"
             "\"netscope\":{\"conn_state\":\"%s\",\"history\":\"ShADadFf\"}}\n",
             cid, flow_tcp_state_name(FLOW_TCP_CLOSED), flow_conn_state(&f));
    const char *line = keep(eve_flow(&ec, rec, sizeof(rec), &f, FLOW_END_TIMEOUT));
    assert_string_equal(line, want);

    /* every flag of the union gets its boolean, in Suricata's names */
    f.tcp_flags[0] = 0xa5;                      /* FIN RST URG CWR */
    f.tcp_flags[1] = 0x00;
    f.alerted = true;
    line = keep(eve_flow(&ec, rec, sizeof(rec), &f, FLOW_END_SHUTDOWN));
    HAS(line, "\"tcp\":{\"tcp_flags\":\"a5\",\"tcp_flags_ts\":\"a5\",\"tcp_flags_tc\":\"00\","
              "\"fin\":true,\"rst\":true,\"urg\":true,\"cwr\":true,\"state\":");
    HASNT(line, "\"syn\"");
    HASNT(line, "\"ack\"");
    HAS(line, "\"reason\":\"shutdown\",\"alerted\":true}");
    HASNT(line, "app_proto");                   /* 0: not detected (yet) */

    /* a detected application protocol, in Suricata's name */
    f.app.proto = APP_HTTP;
    line = keep(eve_flow(&ec, rec, sizeof(rec), &f, FLOW_END_TIMEOUT));
    HAS(line, "\"proto\":\"TCP\",\"app_proto\":\"http\",\"community_id\"");
    f.app.proto = APP_FAILED;
    line = keep(eve_flow(&ec, rec, sizeof(rec), &f, FLOW_END_TIMEOUT));
    HAS(line, "\"app_proto\":\"failed\",");
}

static void flow_udp_vlan_iface(void **state)
{
    (void)state;
    static struct eve_ctx ec;
    eve_ctx_init(&ec, NULL, "eth0");
    struct flow f;
    memset(&f, 0, sizeof(f));
    f.flow_id = 2251799813685247ull;            /* the largest id */
    f.start_us = TS_KNOWN;
    f.last_us = TS_KNOWN + 999999;              /* same second+1 boundary */
    f.pkts[0] = 1;
    f.pkts[1] = 1;
    f.bytes[0] = 74;
    f.bytes[1] = 90;
    ip4(f.cli, 192, 0, 2, 10);
    ip4(f.srv, 198, 51, 100, 53);
    f.cli_port = 0;
    f.srv_port = 53;
    f.ip_v = 4;
    f.proto = 17;
    f.state = FLOW_STATE_ESTABLISHED;
    f.vlan[0] = 100;
    f.vlan[1] = 4095;
    f.vlan_cnt = 2;
    strcpy(f.history, "Dd");

    const char *line = keep(eve_flow(&ec, rec, sizeof(rec), &f, FLOW_END_FORCED));
    HAS(line, "\"flow_id\":2251799813685247,\"in_iface\":\"eth0\",\"event_type\":\"flow\","
              "\"vlan\":[100,4095],\"src_ip\":\"192.0.2.10\",\"src_port\":0,"
              "\"dest_ip\":\"198.51.100.53\",\"dest_port\":53,\"ip_v\":4,\"proto\":\"UDP\",");
    HAS(line, "\"age\":1,\"state\":\"established\",\"reason\":\"forced\",\"alerted\":false}");
    HASNT(line, "pcap_filename");
    HASNT(line, "\"tcp\"");
    HASNT(line, "\"ether\"");
    HASNT(line, "icmp");
    HAS(line, "\"netscope\":{\"conn_state\":\"");

    f.vlan[0] = 6;
    f.vlan_cnt = 1;
    line = keep(eve_flow(&ec, rec, sizeof(rec), &f, FLOW_END_TIMEOUT));
    HAS(line, "\"vlan\":[6],");
}

static void flow_icmp_and_ipv6(void **state)
{
    (void)state;
    static struct eve_ctx ec;
    eve_ctx_init(&ec, "a.pcap", NULL);
    ec.ethernet = true;
    struct flow f;
    memset(&f, 0, sizeof(f));
    f.flow_id = 77;
    f.start_us = TS_KNOWN;
    f.last_us = TS_KNOWN + 2000000;
    f.pkts[0] = 3;
    f.pkts[1] = 3;
    ip4(f.cli, 10, 1, 1, 1);
    ip4(f.srv, 8, 8, 8, 8);
    f.ip_v = 4;
    f.proto = 1;
    f.icmp_type[0] = 8;
    f.icmp_type[1] = 0;
    f.icmp_seen[0] = f.icmp_seen[1] = true;
    f.mac_seen[0] = true;                       /* only the client's side seen */
    memcpy(f.cli_mac, "\x02\x00\x00\x00\x00\x01", 6);

    const char *line = keep(eve_flow(&ec, rec, sizeof(rec), &f, FLOW_END_TIMEOUT));
    HAS(line, "\"src_ip\":\"10.1.1.1\",\"dest_ip\":\"8.8.8.8\",\"ip_v\":4,\"proto\":\"ICMP\","
              "\"icmp_type\":8,\"icmp_code\":0,\"response_icmp_type\":0,\"response_icmp_code\":0,");
    HASNT(line, "_port");
    HASNT(line, "\"tcp\"");
    HAS(line, "\"ether\":{\"src_macs\":[\"02:00:00:00:00:01\"]}");
    HAS(line, "\"age\":2,\"state\":\"new\"");

    /* ICMPv6 over IPv6, no answer */
    static const uint16_t c6[8] = { 0x2001, 0x0db8, 0, 0, 0, 0, 0, 1 };
    static const uint16_t s6[8] = { 0xfe80, 0, 0, 0, 0, 0, 0xabcd, 1 };
    ip6(f.cli, c6);
    ip6(f.srv, s6);
    f.ip_v = 6;
    f.proto = 58;
    f.icmp_type[0] = 128;
    f.icmp_code[0] = 0;
    f.icmp_seen[1] = false;
    f.pkts[1] = 0;
    f.mac_seen[0] = false;
    line = keep(eve_flow(&ec, rec, sizeof(rec), &f, FLOW_END_TIMEOUT));
    HAS(line, "\"src_ip\":\"2001:0db8:0000:0000:0000:0000:0000:0001\","
              "\"dest_ip\":\"fe80:0000:0000:0000:0000:0000:abcd:0001\",\"ip_v\":6,"
              "\"proto\":\"IPv6-ICMP\",\"icmp_type\":128,\"icmp_code\":0,\"community_id\"");
    HASNT(line, "response_icmp");
    HASNT(line, "ether");

    /* TCP over IPv6, a lone SYN */
    struct flow t = tcp_flow();
    ip6(t.cli, c6);
    ip6(t.srv, s6);
    t.ip_v = 6;
    t.tcp_flags[0] = 0x02;
    t.tcp_flags[1] = 0;
    t.tcp_state = FLOW_TCP_SYN_SENT;
    t.state = FLOW_STATE_NEW;
    t.pkts[1] = t.bytes[1] = 0;
    t.mac_seen[1] = false;
    strcpy(t.history, "S");
    line = keep(eve_flow(&ec, rec, sizeof(rec), &t, FLOW_END_TIMEOUT));
    HAS(line, "\"ip_v\":6,\"proto\":\"TCP\"");
    HAS(line, "\"tcp\":{\"tcp_flags\":\"02\",\"tcp_flags_ts\":\"02\",\"tcp_flags_tc\":\"00\","
              "\"syn\":true,\"state\":\"");
    HASNT(line, "\"ack\"");
    HAS(line, "\"ether\":{\"src_macs\":[\"00:11:22:aa:bb:cc\"]}");
    HAS(line, "\"history\":\"S\"}");
}

static void flow_other_protocols(void **state)
{
    (void)state;
    static struct eve_ctx ec;
    eve_ctx_init(&ec, "a.pcap", NULL);
    struct flow f = tcp_flow();
    f.tcp_flags[0] = f.tcp_flags[1] = 0;
    f.mac_seen[0] = f.mac_seen[1] = false;
    static const struct {
        uint8_t proto;
        const char *name;
        bool ports;
    } cases[] = {
        { 132, "\"proto\":\"SCTP\"", true }, { 47, "\"proto\":\"GRE\"", false },
        { 50, "\"proto\":\"50\"", false },    { 0, "\"proto\":\"0\"", false },
        { 255, "\"proto\":\"255\"", false },  { 2, "\"proto\":\"2\"", false },
    };
    for (size_t i = 0; i < NS_ARRAY_LEN(cases); i++) {
        f.proto = cases[i].proto;
        const char *line = keep(eve_flow(&ec, rec, sizeof(rec), &f, FLOW_END_TIMEOUT));
        HAS(line, cases[i].name);
        if (cases[i].ports)
            HAS(line, "\"src_port\":51234,");
        else
            HASNT(line, "_port");
        HASNT(line, "\"tcp\"");
        HASNT(line, "icmp");
    }
}

static void flow_escapes_and_bounds(void **state)
{
    (void)state;
    static struct eve_ctx ec;
    eve_ctx_init(&ec, "dir/we\"ird\\name\xff\xe2\x82\xac.pcap", NULL);
    struct flow f = tcp_flow();
    /* a history with no NUL must still stop at FLOW_HISTORY_MAX letters */
    memset(f.history, 'A', sizeof(f.history));
    const char *line = keep(eve_flow(&ec, rec, sizeof(rec), &f, FLOW_END_TIMEOUT));
    /* not UTF-8 as a whole: every byte >= 0x80 as \xNN, as Suricata */
    HAS(line, "\"pcap_filename\":\"dir/we\\\"ird\\\\name\\\\xff\\\\xe2\\\\x82\\\\xac.pcap\",");
    char hist[64];
    snprintf(hist, sizeof(hist), "\"history\":\"%.*s\"}}\n", FLOW_HISTORY_MAX,
             "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    HAS(line, hist);
}

static void flow_overflow(void **state)
{
    (void)state;
    static char full[REC_MAX], area[4096];
    static struct eve_ctx ec;
    eve_ctx_init(&ec, "overflow.pcap", NULL);
    struct flow f = tcp_flow();
    f.vlan[0] = 1;
    f.vlan[1] = 2;
    f.vlan_cnt = 2;
    size_t want = eve_flow(&ec, full, sizeof(full), &f, FLOW_END_TIMEOUT);
    assert_true(want > 0 && want < sizeof(area) - 64);
    for (size_t cap = 0; cap <= want + 1; cap++) {
        memset(area, 0x5a, sizeof(area));
        size_t n = eve_flow(&ec, area, cap, &f, FLOW_END_TIMEOUT);
        if (cap < want) {
            assert_int_equal(n, 0);
        } else {
            assert_int_equal(n, want);
            assert_memory_equal(area, full, want);
        }
        for (size_t i = cap; i < sizeof(area); i++)
            assert_int_equal((unsigned char)area[i], 0x5a);
    }
}

/* ------------------------------------------------------------------ */
/* anomaly */

static void anomaly_decode(void **state)
{
    (void)state;
    static struct eve_ctx ec;
    eve_ctx_init(&ec, "test.pcap", NULL);
    struct ns_pkt pkt = { .ts_us = TS_KNOWN, .pcap_cnt = 42, .dlt = DISSECT_DLT_EN10MB };
    struct ns_decoded d;
    memset(&d, 0, sizeof(d));
    d.ip_v = 4;
    d.proto = 6;
    ip4(d.src, 10, 0, 0, 1);
    ip4(d.dst, 10, 0, 0, 2);
    d.sport = 1234;                             /* not decoded: not shown */

    const char *line = keep(eve_anomaly_decode(&ec, rec, sizeof(rec), &pkt, &d, DEV_TCP_PKT_TOO_SMALL));
    assert_string_equal(line,
        "{\"timestamp\":\"2026-11-22T14:07:49.835303+0000\",\"pcap_cnt\":42,"
        "\"pcap_filename\":\"test.pcap\",\"event_type\":\"anomaly\",\"src_ip\":\"10.0.0.1\","
        "\"dest_ip\":\"10.0.0.2\",\"ip_v\":4,\"proto\":\"TCP\","
        "\"anomaly\":{\"type\":\"decode\",\"event\":\"decoder.tcp.pkt_too_small\"}}\n");

    line = keep(eve_anomaly_decode(&ec, rec, sizeof(rec), &pkt, &d, DEV_IPV4_TRUNC_PKT));
    HAS(line, "\"event\":\"decoder.ipv4.trunc_pkt\"}}");

    /* a decoded UDP header: ports; VLAN ids of the frame */
    d.proto = 17;
    d.has_l4 = true;
    d.sport = 5353;
    d.dport = 53;
    d.vlan[0] = 10;
    d.vlan_cnt = 1;
    line = keep(eve_anomaly_decode(&ec, rec, sizeof(rec), &pkt, &d, DEV_UDP_LEN_INVALID));
    HAS(line, "\"event_type\":\"anomaly\",\"vlan\":[10],\"src_ip\":\"10.0.0.1\",\"src_port\":5353,"
              "\"dest_ip\":\"10.0.0.2\",\"dest_port\":53,\"ip_v\":4,\"proto\":\"UDP\",");
    HAS(line, "\"event\":\"decoder.udp.len_invalid\"");

    /* ICMPv6 over IPv6 */
    static const uint16_t g[8] = { 0x2001, 0x0db8, 0, 0, 0, 0, 0, 2 };
    ip6(d.src, g);
    ip6(d.dst, g);
    d.ip_v = 6;
    d.proto = 58;
    d.icmp_type = 135;
    d.icmp_code = 0;
    d.vlan_cnt = 0;
    line = keep(eve_anomaly_decode(&ec, rec, sizeof(rec), &pkt, &d, DEV_ICMPV6_UNKNOWN_CODE));
    HAS(line, "\"ip_v\":6,\"proto\":\"IPv6-ICMP\",\"icmp_type\":135,\"icmp_code\":0,\"anomaly\"");
    HASNT(line, "_port");

    /* no IP layer, live capture, unknown event number */
    eve_ctx_init(&ec, NULL, "eth1");
    pkt.pcap_cnt = 0;
    memset(&d, 0, sizeof(d));
    line = keep(eve_anomaly_decode(&ec, rec, sizeof(rec), &pkt, &d, DEV_ETH_PKT_TOO_SMALL));
    assert_string_equal(line,
        "{\"timestamp\":\"2026-11-22T14:07:49.835303+0000\",\"in_iface\":\"eth1\","
        "\"event_type\":\"anomaly\","
        "\"anomaly\":{\"type\":\"decode\",\"event\":\"decoder.ethernet.pkt_too_small\"}}\n");
    line = keep(eve_anomaly_decode(&ec, rec, sizeof(rec), &pkt, &d, DEV_MAX + 7));
    HAS(line, "\"event\":\"decoder.unknown\"");

    /* too small a buffer */
    assert_int_equal(eve_anomaly_decode(&ec, rec, 50, &pkt, &d, DEV_ETH_PKT_TOO_SMALL), 0);
}

/* ------------------------------------------------------------------ */
/* stats */

static void stats_nesting(void **state)
{
    (void)state;
    static struct eve_ctx ec;
    eve_ctx_init(&ec, "test.pcap", NULL);
    static const struct eve_stat_item items[] = {
        { "capture.kernel_drops", 1 },
        { "capture.kernel_packets", 2 },
        { "decoder.event.ipv4.trunc_pkt", 3 },
        { "decoder.event.ipv6.trunc_pkt", 4 },
        { "decoder.ipv4", 5 },
        { "decoder.pkts", 6 },
        { "flow.end.timeout", 7 },
        { "flow.total", 8 },
        { "tcp.rst", 9 },
        { "zz", UINT64_MAX },
    };
    const char *line = keep(eve_stats(&ec, rec, sizeof(rec), TS_KNOWN, 30, items, NS_ARRAY_LEN(items)));
    assert_string_equal(line,
        "{\"timestamp\":\"2026-11-22T14:07:49.835303+0000\",\"pcap_filename\":\"test.pcap\","
        "\"event_type\":\"stats\",\"stats\":{\"uptime\":30,"
        "\"capture\":{\"kernel_drops\":1,\"kernel_packets\":2},"
        "\"decoder\":{\"event\":{\"ipv4\":{\"trunc_pkt\":3},\"ipv6\":{\"trunc_pkt\":4}},"
        "\"ipv4\":5,\"pkts\":6},"
        "\"flow\":{\"end\":{\"timeout\":7},\"total\":8},"
        "\"tcp\":{\"rst\":9},\"zz\":18446744073709551615}}\n");

    /* a prefix that is only partly shared: "a.b.c" then "a.bb.c" */
    static const struct eve_stat_item partial[] = {
        { "a.b.c", 1 }, { "a.bb.c", 2 }, { "a.bb.d.e", 3 }, { "a.x", 4 }, { "b", 5 },
    };
    eve_ctx_init(&ec, NULL, "eth0");            /* stats carry no in_iface */
    line = keep(eve_stats(&ec, rec, sizeof(rec), TS_KNOWN, 0, partial, NS_ARRAY_LEN(partial)));
    HAS(line, "\"event_type\":\"stats\",\"stats\":{\"uptime\":0,"
              "\"a\":{\"b\":{\"c\":1},\"bb\":{\"c\":2,\"d\":{\"e\":3}},\"x\":4},\"b\":5}}\n");
    HASNT(line, "in_iface");

    line = keep(eve_stats(&ec, rec, sizeof(rec), TS_KNOWN, 7, NULL, 0));
    HAS(line, "\"stats\":{\"uptime\":7}}\n");
}

static void stats_depth_and_size(void **state)
{
    (void)state;
    static struct eve_ctx ec;
    eve_ctx_init(&ec, NULL, NULL);
    /* record, "stats" and 30 path objects make JSON_MAX_DEPTH */
    char deep[128] = "";
    for (unsigned i = 0; i < JSON_MAX_DEPTH - 2; i++)
        strcat(deep, "k.");
    strcat(deep, "leaf");
    struct eve_stat_item it = { deep, 1 };
    keep(eve_stats(&ec, rec, sizeof(rec), TS_KNOWN, 1, &it, 1));
    char deeper[132];
    snprintf(deeper, sizeof(deeper), "k.%s", deep);
    it.path = deeper;
    assert_int_equal(eve_stats(&ec, rec, sizeof(rec), TS_KNOWN, 1, &it, 1), 0);

    /* many counters, sorted, as the writer sends them */
    static struct eve_stat_item many[1500];
    static char names[1500][32];
    for (unsigned i = 0; i < NS_ARRAY_LEN(many); i++) {
        snprintf(names[i], sizeof(names[i]), "m%02u.g%02u.c%u", i / 100, i / 10 % 10, i);
        many[i].path = names[i];
        many[i].value = (uint64_t)i * 1000003u;
    }
    size_t n = eve_stats(&ec, rec, sizeof(rec), TS_KNOWN, 99, many, NS_ARRAY_LEN(many));
    keep(n);
    HAS(rec, "},\"m14\":{\"g00\":{\"c1400\":1400004200,");
    HAS(rec, "},\"g09\":{\"c1490\":1490004470,");
    HAS(rec, "\"c1499\":1499004497}}}}\n");
    /* and the same into a buffer too small for it */
    assert_int_equal(eve_stats(&ec, rec, n - 1, TS_KNOWN, 99, many, NS_ARRAY_LEN(many)), 0);
}

/* ------------------------------------------------------------------ */
/* alert */

static void alert_fields(void **state)
{
    (void)state;
    static struct eve_ctx ec;
    eve_ctx_init(&ec, "test.pcap", NULL);
    struct flow f = tcp_flow();
    f.app.proto = APP_HTTP;
    static const char *const meta[] = {
        "created_at 2020_01_01", "former_category MALWARE", "created_at 2021_02_02",
        "signature_severity Major", "weird\"key value",
    };
    static const uint8_t pay[] = "GET /x HTTP/1.1\r\n\x01\xff";
    struct eve_alert a = {
        .ts_us = TS_KNOWN, .pcap_cnt = 7, .ip_v = 4, .proto = 6,
        .sport = 443, .dport = 51234, .f = &f, .toserver = false,
        .gid = 1, .sid = 2019401, .rev = 3, .severity = 1,
        .msg = "ET \"quoted\" msg", .category = "A Network Trojan was detected",
        .metadata = meta, .nmeta = NS_ARRAY_LEN(meta),
        .payload = pay, .payload_len = sizeof(pay) - 1, .log_payload = true,
        .log_printable = true,
    };
    memcpy(a.src, f.srv, 16);                   /* a packet from the server */
    memcpy(a.dst, f.cli, 16);
    const char *line = keep(eve_alert(&ec, rec, sizeof(rec), &a));
    HAS(line, "{\"timestamp\":\"2026-11-22T14:07:49.835303+0000\",\"flow_id\":1234567890123,"
              "\"pcap_cnt\":7,\"pcap_filename\":\"test.pcap\",\"event_type\":\"alert\","
              "\"src_ip\":\"192.168.100.200\",\"src_port\":443,\"dest_ip\":\"10.0.0.1\","
              "\"dest_port\":51234,\"ip_v\":4,\"proto\":\"TCP\",\"pkt_src\":\"wire/pcap\",");
    HAS(line, "\"alert\":{\"action\":\"allowed\",\"gid\":1,\"signature_id\":2019401,\"rev\":3,"
              "\"signature\":\"ET \\\"quoted\\\" msg\",\"category\":\"A Network Trojan was detected\","
              "\"severity\":1,\"metadata\":{\"created_at\":[\"2020_01_01\",\"2021_02_02\"],"
              "\"former_category\":[\"MALWARE\"],\"signature_severity\":[\"Major\"],"
              "\"weird\\\"key\":[\"value\"]}}");
    HAS(line, "\"app_proto\":\"http\",\"direction\":\"to_client\",\"flow\":{\"pkts_toserver\":5,"
              "\"pkts_toclient\":4,\"bytes_toserver\":420,\"bytes_toclient\":3120,"
              "\"start\":\"2026-11-22T14:07:49.835303+0000\",\"src_ip\":\"10.0.0.1\","
              "\"dest_ip\":\"192.168.100.200\",\"src_port\":51234,\"dest_port\":443}");
    HAS(line, "\"payload\":\"R0VUIC94IEhUVFAvMS4xDQoB/w==\","
              "\"payload_printable\":\"GET /x HTTP/1.1\\r\\n..\",\"stream\":0}");
    HASNT(line, "tx_id");

    /* no flow, no classtype, no metadata, no payload logging */
    struct eve_alert b = {
        .ts_us = TS_KNOWN, .ip_v = 4, .proto = 1, .has_icmp = true, .icmp_type = 8,
        .gid = 1, .sid = 5, .rev = 1, .severity = 3, .msg = "ping",
    };
    ip4(b.src, 10, 0, 0, 1);
    ip4(b.dst, 10, 0, 0, 2);
    line = keep(eve_alert(&ec, rec, sizeof(rec), &b));
    HAS(line, "\"proto\":\"ICMP\",\"icmp_type\":8,\"icmp_code\":0,\"pkt_src\":\"wire/pcap\","
              "\"alert\":{\"action\":\"allowed\",\"gid\":1,\"signature_id\":5,\"rev\":1,"
              "\"signature\":\"ping\",\"category\":\"\",\"severity\":3}}\n");
    HASNT(line, "flow_id");
    HASNT(line, "src_port");

    /* too small a buffer: nothing */
    assert_int_equal(eve_alert(&ec, rec, 100, &a), 0);
}

/* ------------------------------------------------------------------ */
/* every record above, through the schema and a JSON parser */

static int run(const char *cmd)
{
    int rc = system(cmd);
    return rc == -1 || !WIFEXITED(rc) ? -1 : WEXITSTATUS(rc);
}

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    assert_true(fputs(text, fp) >= 0);
    assert_int_equal(fclose(fp), 0);
}

static void schema_and_json_valid(void **state)
{
    (void)state;
    if (access(SCHEMA_CHECK, R_OK) != 0)
        fail_msg("%s not found: run the tests from the repository root", SCHEMA_CHECK);
    assert_non_null(samples);
    assert_int_equal(fflush(samples), 0);
    assert_true(ftell(samples) > 0);

    char cmd[512];
    snprintf(cmd, sizeof(cmd), "python3 %s %s", SCHEMA_CHECK, samples_path);
    assert_int_equal(run(cmd), 0);
    snprintf(cmd, sizeof(cmd), "python3 -m json.tool --json-lines %s >/dev/null", samples_path);
    assert_int_equal(run(cmd), 0);

    /* and the schema does reject what it should */
    static const char *bad[] = {
        /* flow without its flow object */
        "{\"timestamp\":\"2026-11-22T14:07:49.835303+0000\",\"flow_id\":1,\"event_type\":\"flow\","
        "\"src_ip\":\"10.0.0.1\",\"dest_ip\":\"10.0.0.2\",\"ip_v\":4,\"proto\":\"GRE\","
        "\"community_id\":\"1:AAAAAAAAAAAAAAAAAAAAAAAAAAA=\",\"netscope\":{\"conn_state\":\"OTH\",\"history\":\"\"}}\n",
        /* compressed IPv6 */
        "{\"timestamp\":\"2026-11-22T14:07:49.835303+0000\",\"event_type\":\"anomaly\","
        "\"src_ip\":\"2001:db8::1\",\"dest_ip\":\"2001:db8::2\",\"ip_v\":6,\"proto\":\"UDP\","
        "\"anomaly\":{\"type\":\"decode\",\"event\":\"decoder.ipv6.trunc_pkt\"}}\n",
        /* decoder event without its prefix */
        "{\"timestamp\":\"2026-11-22T14:07:49.835303+0000\",\"event_type\":\"anomaly\","
        "\"anomaly\":{\"type\":\"decode\",\"event\":\"ipv6.trunc_pkt\"}}\n",
        /* a duplicate key */
        "{\"timestamp\":\"2026-11-22T14:07:49.835303+0000\",\"event_type\":\"stats\","
        "\"stats\":{\"uptime\":1,\"a\":{\"b\":1},\"a\":{\"c\":2}}}\n",
        /* a counter that is not a number */
        "{\"timestamp\":\"2026-11-22T14:07:49.835303+0000\",\"event_type\":\"stats\","
        "\"stats\":{\"uptime\":1,\"a\":\"x\"}}\n",
        /* timestamp with a colon in the offset */
        "{\"timestamp\":\"2026-11-22T14:07:49.835303+00:00\",\"event_type\":\"stats\","
        "\"stats\":{\"uptime\":1}}\n",
        /* not JSON */
        "{\"timestamp\":\n",
    };
    char path[] = "/tmp/test_eve_bad_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    for (size_t i = 0; i < NS_ARRAY_LEN(bad); i++) {
        write_file(path, bad[i]);
        snprintf(cmd, sizeof(cmd), "python3 %s %s >/dev/null", SCHEMA_CHECK, path);
        if (run(cmd) != 1) {
            unlink(path);
            fail_msg("schema_check accepted bad record %zu: %s", i, bad[i]);
        }
    }
    unlink(path);
}

static int group_setup(void **state)
{
    (void)state;
    int fd = mkstemp(samples_path);
    if (fd < 0)
        return -1;
    samples = fdopen(fd, "w");
    if (!samples)
        return -1;
    setenv("TZ", "UTC", 1);
    tzset();
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    if (samples)
        fclose(samples);
    unlink(samples_path);
    return 0;
}

/* Each flow/anomaly/stats test formats in UTC. */
static int utc(void **state)
{
    (void)state;
    setenv("TZ", "UTC", 1);
    tzset();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(timestamp_utc, utc, NULL),
        cmocka_unit_test_setup_teardown(timestamp_berlin_dst, utc, utc),
        cmocka_unit_test_setup_teardown(timestamp_west_of_utc, utc, utc),
        cmocka_unit_test_setup_teardown(timestamp_half_hour_shift, utc, utc),
        cmocka_unit_test_setup_teardown(timestamp_oracle, utc, utc),
        cmocka_unit_test(addresses),
        cmocka_unit_test_setup_teardown(flow_tcp_whole_line, utc, NULL),
        cmocka_unit_test_setup_teardown(flow_udp_vlan_iface, utc, NULL),
        cmocka_unit_test_setup_teardown(flow_icmp_and_ipv6, utc, NULL),
        cmocka_unit_test_setup_teardown(flow_other_protocols, utc, NULL),
        cmocka_unit_test_setup_teardown(flow_escapes_and_bounds, utc, NULL),
        cmocka_unit_test_setup_teardown(flow_overflow, utc, NULL),
        cmocka_unit_test_setup_teardown(anomaly_decode, utc, NULL),
        cmocka_unit_test_setup_teardown(stats_nesting, utc, NULL),
        cmocka_unit_test_setup_teardown(stats_depth_and_size, utc, NULL),
        cmocka_unit_test_setup_teardown(alert_fields, utc, NULL),
        cmocka_unit_test(schema_and_json_valid),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
