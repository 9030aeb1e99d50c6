/* tests/test_top.c: the netscope top view model and its rendering
 * (engine/top_view.h), without a terminal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "engine/top_view.h"

static char lines[TOP_VIEW_LINES][TOP_VIEW_COLS];

static bool has_line(unsigned n, const char *want)
{
    for (unsigned i = 0; i < n; i++)
        if (strstr(lines[i], want))
            return true;
    return false;
}

static void top_rates_from_two_snapshots(void **state)
{
    (void)state;
    struct top_view v;
    top_view_init(&v, "file x.pcap (paced)");
    struct ns_snap s;
    memset(&s, 0, sizeof(s));
    s.first_ts_us = 1000000;
    s.ts_us = 2000000;
    s.acct[ACCT_READ] = 100;
    s.acct[ACCT_DECODED] = 100;
    s.bytes_read = 10000;
    s.dc[DC_TCP] = 60;
    s.dc[DC_UDP] = 30;
    top_view_snapshot(&v, &s);
    assert_true(v.pps == 100.0);
    s.ts_us = 4000000;                 /* 2 s later: 300 more packets */
    s.acct[ACCT_READ] = 400;
    s.acct[ACCT_DECODED] = 400;
    s.bytes_read = 40000;
    s.dc[DC_TCP] = 300;
    s.dc[DC_UDP] = 90;
    s.cap[CAP_KERNEL_DROPS] = 7;
    top_view_snapshot(&v, &s);
    assert_true(v.pps == 150.0);
    assert_true(v.bps == 8.0 * 15000.0);
    assert_int_equal(v.proto[TOPP_OTHER], 10);
    unsigned n = top_view_render(&v, lines, TOP_VIEW_LINES);
    assert_true(n > 5);
    assert_true(has_line(n, "RATES    150 pkt/s  120.0 kbit/s   total 400 packets"));
    assert_true(has_line(n, "kernel 7 of 0"));
    assert_true(has_line(n, "  TCP        "));
    assert_true(has_line(n, " 300      75.0%"));
    assert_true(has_line(n, "(none yet)"));
    assert_true(has_line(n, "running"));
}

static void top_alerts_newest_first_and_bounded(void **state)
{
    (void)state;
    struct top_view v;
    top_view_init(&v, "t");
    char line[256];
    for (unsigned i = 1; i <= TOP_VIEW_ALERTS + 2; i++) {
        int len = snprintf(line, sizeof(line),
                           "{\"timestamp\":\"x\",\"event_type\":\"alert\",\"src_ip\":\"10.0.0.%u\","
                           "\"dest_ip\":\"10.0.0.9\",\"alert\":{\"signature_id\":%u,"
                           "\"signature\":\"msg \\\"%u\\\"\"}}\n", i, 100 + i, i);
        top_view_alert(&v, line, (size_t)len);
    }
    const char flow[] = "{\"event_type\":\"flow\",\"signature\":\"no\"}";
    top_view_alert(&v, flow, sizeof(flow) - 1);
    assert_int_equal(v.nalerts, TOP_VIEW_ALERTS);
    assert_int_equal(v.alerts[0].sid, 100 + TOP_VIEW_ALERTS + 2);
    assert_string_equal(v.alerts[0].src, "10.0.0.7");
    assert_string_equal(v.alerts[0].msg, "msg \\\"7\\\"");
    unsigned n = top_view_render(&v, lines, TOP_VIEW_LINES);
    assert_true(has_line(n, "[107] msg \\\"7\\\"  10.0.0.7 -> 10.0.0.9"));
    assert_false(has_line(n, "[102]"));
}

static void top_alert_cut_line_stays_in_bounds(void **state)
{
    (void)state;
    struct top_view v;
    top_view_init(&v, "t");
    const char cut[] = "{\"event_type\":\"alert\",\"signature\":\"abc";
    top_view_alert(&v, cut, sizeof(cut) - 1);
    assert_int_equal(v.nalerts, 1);
    assert_string_equal(v.alerts[0].msg, "abc");
}

static void top_si_units(void **state)
{
    (void)state;
    char b[16];
    assert_string_equal(top_view_si(999, b), "999");
    assert_string_equal(top_view_si(1500, b), "1.5 k");
    assert_string_equal(top_view_si(2.5e9, b), "2.5 G");
}

static void top_render_respects_max_lines(void **state)
{
    (void)state;
    struct top_view v;
    top_view_init(&v, "t");
    assert_int_equal(top_view_render(&v, lines, 3), 3);
    assert_true(strstr(lines[0], "waiting for packets") != NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(top_rates_from_two_snapshots),
        cmocka_unit_test(top_alerts_newest_first_and_bounded),
        cmocka_unit_test(top_alert_cut_line_stays_in_bounds),
        cmocka_unit_test(top_si_units),
        cmocka_unit_test(top_render_respects_max_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
