/* tests/test_report.c: `netscope report` below the command line: the EVE
 * line reader (output/evejson.h) on valid, invalid, truncated, huge,
 * deeply nested and escaped input; the Space-Saving tables (output/sketch.h, tested in test_sketch.c);
 * the aggregates of small synthetic EVE inputs (output/report.h); HTML
 * escaping of hostile strings, alone and in a whole page.
 *
 * Inputs are copied into buffers of exactly their length, so under ASan a
 * read one byte past the line is caught. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "output/evejson.h"
#include "output/report.h"
#include "output/sketch.h"

static struct evejson_doc *doc;

static int setup(void **state)
{
    (void)state;
    doc = evejson_create();
    return doc ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    evejson_destroy(doc);
    doc = NULL;
    return 0;
}

/* Parses a private copy of s[0..n) (exactly n bytes); returns the code. */
static int parse_n(const char *s, size_t n, char **copy)
{
    char *c = malloc(n ? n : 1);
    assert_non_null(c);
    memcpy(c, s, n);
    int rc = evejson_parse(doc, c, n);
    if (copy)
        *copy = c;
    else
        free(c);
    return rc;
}

static int parse(const char *s) { return parse_n(s, strlen(s), NULL); }

/* ---- the reader ---- */

static void evejson_reads_an_eve_line(void **state)
{
    (void)state;
    const char *line =
        "{\"timestamp\":\"2026-11-23T20:13:26.040687+0000\",\"event_type\":\"dns\", \"n\": -1.5e3,"
        "\"dns\":{\"type\":\"request\",\"queries\":[{\"rrname\":\"a.test\",\"rrtype\":\"A\"},"
        "{\"rrname\":\"b.test\",\"rrtype\":\"AAAA\"}],\"empty\":{},\"arr\":[]},"
        "\"flow\":{\"bytes_toserver\":18446744073709551615,\"big\":99999999999999999999999,"
        "\"frac\":12.75,\"t\":true,\"f\":false,\"z\":null}}\r\n";
    char *c;
    assert_int_equal(parse_n(line, strlen(line), &c), NS_OK);
    assert_int_equal(doc->tok[0].type, EVEJSON_OBJECT);
    assert_int_equal(doc->tok[0].next, doc->ntok);
    assert_true(evejson_str_eq(doc, evejson_member(doc, 0, "event_type"), "dns"));
    int qs = evejson_path(doc, 0, "dns.queries");
    assert_true(qs > 0);
    assert_true(evejson_str_eq(doc, evejson_member(doc, evejson_index(doc, qs, 1), "rrname"), "b.test"));
    assert_int_equal(evejson_index(doc, qs, 2), -1);
    assert_int_equal(evejson_index(doc, evejson_path(doc, 0, "dns.arr"), 0), -1);
    assert_int_equal(evejson_member(doc, evejson_path(doc, 0, "dns.empty"), "x"), -1);
    assert_int_equal(evejson_path(doc, 0, "dns.nothere.x"), -1);
    assert_int_equal(evejson_member(doc, qs, "rrname"), -1);     /* not an object */
    uint64_t v = 0;
    assert_true(evejson_u64(doc, evejson_path(doc, 0, "flow.bytes_toserver"), &v));
    assert_true(v == UINT64_MAX);
    assert_true(evejson_u64(doc, evejson_path(doc, 0, "flow.big"), &v));
    assert_true(v == UINT64_MAX);                                 /* saturates */
    assert_true(evejson_u64(doc, evejson_path(doc, 0, "flow.frac"), &v));
    assert_int_equal(v, 12);
    assert_false(evejson_u64(doc, evejson_member(doc, 0, "n"), &v));      /* negative */
    assert_false(evejson_u64(doc, evejson_path(doc, 0, "flow.t"), &v));   /* not a number */
    assert_int_equal(doc->tok[evejson_path(doc, 0, "flow.z")].type, EVEJSON_NULL);
    assert_int_equal(doc->tok[evejson_path(doc, 0, "flow.f")].type, EVEJSON_FALSE);
    free(c);
}

static void evejson_unescapes_strings(void **state)
{
    (void)state;
    const char *line = "{\"s\":\"a\\\"b\\\\c\\/d\\n\\t\\u0041\\u0000x\\u00e9\\ud83d\\ude00\\ud800z\"}";
    char *c;
    assert_int_equal(parse_n(line, strlen(line), &c), NS_OK);
    char out[64];
    long n = evejson_str(doc, evejson_member(doc, 0, "s"), out, sizeof(out));
    static const char want[] = "a\"b\\c/d\n\tA\0x\xc3\xa9\xf0\x9f\x98\x80\xef\xbf\xbdz";
    assert_int_equal(n, sizeof(want) - 1);
    assert_memory_equal(out, want, sizeof(want) - 1);
    /* cut at the capacity, never inside a character */
    n = evejson_str(doc, evejson_member(doc, 0, "s"), out, 13);
    assert_int_equal(n, 12);
    assert_int_equal(evejson_str(doc, 0, out, sizeof(out)), -1);    /* not a string */
    free(c);
}

/* The string scan goes 8 bytes at a time: a quote, an escape or a control
 * character is found at every offset in and across those words. */
static void evejson_string_scan_every_offset(void **state)
{
    (void)state;
    char line[64];
    for (int p = 0; p < 24; p++) {
        char body[32];
        memset(body, 'a', sizeof(body));
        /* a string of p plain bytes (some above 0x7f), then the quote */
        for (int k = 0; k < p; k++)
            body[k] = k % 5 == 3 ? (char)0xc3 : k % 5 == 4 ? (char)0xa9 : 'a';
        int n = snprintf(line, sizeof(line), "{\"k\":\"%.*s\",\"z\":1}", p, body);
        assert_int_equal(parse_n(line, (size_t)n, NULL), NS_OK);
        assert_int_equal(doc->tok[2].len, p);
        /* a control character at offset p is refused */
        body[p] = '\x1f';
        n = snprintf(line, sizeof(line), "{\"k\":\"%.*s\"}", p + 3, body);
        assert_int_equal(parse_n(line, (size_t)n, NULL), NS_ERR_INVAL);
        assert_string_equal(doc->err, "control character in a string");
        /* an escaped quote at offset p does not end the string */
        n = snprintf(line, sizeof(line), "{\"k\":\"%.*s\\\"%s\"}", p, "aaaaaaaaaaaaaaaaaaaaaaaaaaa", "bcdefghijk");
        assert_int_equal(parse_n(line, (size_t)n, NULL), NS_OK);
        assert_int_equal(doc->tok[2].len, p + 12);
        /* no closing quote, whatever the length */
        n = snprintf(line, sizeof(line), "{\"k\":\"%.*s", p, "aaaaaaaaaaaaaaaaaaaaaaaaaaa");
        assert_int_equal(parse_n(line, (size_t)n, NULL), NS_ERR_INVAL);
    }
}

static void evejson_rejects_malformed(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "", "   ", "[]", "\"x\"", "1", "{", "}", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{\"a\" 1}",
        "{a:1}", "{\"a\":tru}", "{\"a\":nul}", "{\"a\":01}", "{\"a\":1.}", "{\"a\":-}",
        "{\"a\":1e}", "{\"a\":.5}", "{\"a\":+1}", "{\"a\":\"\\x\"}", "{\"a\":\"\\u12\"}",
        "{\"a\":\"\\u12g4\"}", "{\"a\":\"raw\ncontrol\"}", "{\"a\":\"tab\there\"}",
        "{} x", "{}{}", "{\"a\":[1,2}", "{\"a\":{]}", "{\"a\":[1 2]}", "{\"a\":1 \"b\":2}",
        "{\"a\":\"unterminated}", "{\"a\":\"esc at end\\", "{,}", "{\"a\":[,]}", "{\"a\":NaN}",
    };
    for (size_t i = 0; i < NS_ARRAY_LEN(bad); i++) {
        if (parse(bad[i]) != NS_ERR_INVAL)
            fail_msg("accepted: %s", bad[i]);
        assert_non_null(doc->err);
        assert_true(doc->err_off <= strlen(bad[i]));
        assert_int_equal(doc->ntok, 0);
    }
}

static void evejson_rejects_every_truncation(void **state)
{
    (void)state;
    const char *line = "{\"a\":[1,{\"b\":\"x\\u00e9\\n\"},true,null,-2.5e-3],\"c\":{\"d\":false}}";
    size_t n = strlen(line);
    for (size_t k = 0; k < n; k++)
        assert_int_equal(parse_n(line, k, NULL), NS_ERR_INVAL);
    assert_int_equal(parse_n(line, n, NULL), NS_OK);
}

static void evejson_bounds_depth_and_tokens(void **state)
{
    (void)state;
    /* EVEJSON_MAX_DEPTH levels, the top object included, are fine; one
     * more is not, and nothing recurses either way */
    char *s = malloc(1 << 20);
    assert_non_null(s);
    for (int depth = EVEJSON_MAX_DEPTH; depth <= EVEJSON_MAX_DEPTH + 1; depth++) {
        size_t n = 0;
        n += (size_t)sprintf(s, "{\"a\":");
        for (int i = 1; i < depth; i++)
            s[n++] = '[';
        s[n++] = '1';
        for (int i = 1; i < depth; i++)
            s[n++] = ']';
        s[n++] = '}';
        assert_int_equal(parse_n(s, n, NULL), depth == EVEJSON_MAX_DEPTH ? NS_OK : NS_ERR_INVAL);
    }
    /* 100000 nested arrays: rejected at the cap */
    size_t n = (size_t)sprintf(s, "{\"a\":");
    memset(s + n, '[', 100000);
    n += 100000;
    assert_int_equal(parse_n(s, n, NULL), NS_ERR_INVAL);
    assert_string_equal(doc->err, "nested too deeply");
    /* too many values */
    n = (size_t)sprintf(s, "{\"a\":[");
    for (int i = 0; i < EVEJSON_MAX_TOKENS + 10; i++)
        n += (size_t)sprintf(s + n, "0,");
    s[n - 1] = ']';
    s[n++] = '}';
    assert_int_equal(parse_n(s, n, NULL), NS_ERR_INVAL);
    assert_string_equal(doc->err, "too many values");
    /* one huge string is one token */
    n = (size_t)sprintf(s, "{\"a\":\"");
    memset(s + n, 'x', 900000);
    n += 900000;
    s[n++] = '"';
    s[n++] = '}';
    assert_int_equal(parse_n(s, n, NULL), NS_OK);
    assert_int_equal(doc->tok[2].len, 900000);
    free(s);
}

static void evejson_survives_random_mutations(void **state)
{
    (void)state;
    const char *line =
        "{\"timestamp\":\"2026-11-23T20:13:26.040687+0000\",\"event_type\":\"flow\",\"src_ip\":\"10.0.0.1\","
        "\"flow\":{\"bytes_toserver\":10,\"start\":\"2026-11-23T20:13:26.040687+0000\"},\"a\":[1,\"\\u00e9\"]}";
    size_t n = strlen(line);
    char *buf = malloc(n);
    assert_non_null(buf);
    srand(12345);
    int ok = 0;
    for (int round = 0; round < 20000; round++) {
        memcpy(buf, line, n);
        int flips = 1 + rand() % 4;
        for (int k = 0; k < flips; k++)
            buf[rand() % (int)n] = (char)(rand() % 256);
        size_t len = (size_t)(rand() % 8 ? n : (size_t)rand() % n);
        if (evejson_parse(doc, buf, len) == NS_OK) {
            ok++;
            /* lookups on whatever parsed stay in bounds */
            uint64_t v;
            char out[32];
            (void)evejson_u64(doc, evejson_path(doc, 0, "flow.bytes_toserver"), &v);
            (void)evejson_str(doc, evejson_member(doc, 0, "src_ip"), out, sizeof(out));
            (void)evejson_index(doc, evejson_member(doc, 0, "a"), 1);
        }
    }
    assert_true(ok > 0);
    free(buf);
}

/* ---- aggregation ---- */

static void add(struct report *r, const char *line)
{
    size_t n = strlen(line);
    char *c = malloc(n ? n : 1);
    assert_non_null(c);
    memcpy(c, line, n);
    report_add_line(r, c, n);
    free(c);
}

#define FLOW(src, dst, proto, dport, app, bts, btc, start, end)                                   \
    "{\"timestamp\":\"" end "\",\"event_type\":\"flow\",\"src_ip\":\"" src "\",\"dest_ip\":\"" dst \
    "\",\"dest_port\":" #dport ",\"proto\":\"" proto "\",\"app_proto\":\"" app "\",\"flow\":{"      \
    "\"pkts_toserver\":2,\"pkts_toclient\":1,\"bytes_toserver\":" #bts ",\"bytes_toclient\":" #btc \
    ",\"start\":\"" start "\",\"end\":\"" end "\"}}"

static void report_aggregates_small_input(void **state)
{
    (void)state;
    struct report *r = report_create();
    assert_non_null(r);
    add(r, FLOW("10.0.0.1", "10.0.0.2", "TCP", 80, "http", 1000, 9000,
                "2026-01-01T00:00:00.000000+0000", "2026-01-01T00:00:10.000000+0000"));
    add(r, FLOW("10.0.0.1", "10.0.0.3", "UDP", 53, "dns", 100, 200,
                "2026-01-01T01:00:00.000000+0100", "2026-01-01T01:00:00.000500+0100"));
    add(r, "this is not json");
    add(r, "");                                          /* blank: not bad */
    add(r, "{\"timestamp\":\"2026-01-01T00:00:05.000000+0000\",\"event_type\":\"alert\","
           "\"alert\":{\"signature_id\":42,\"signature\":\"ET TEST <b>\"}}");
    add(r, "{\"timestamp\":\"2026-01-01T00:00:06.000000+0000\",\"event_type\":\"alert\","
           "\"alert\":{\"signature_id\":42,\"signature\":\"ET TEST <b>\"}}");
    add(r, "{\"timestamp\":\"2026-01-01T00:00:01.000000+0000\",\"event_type\":\"dns\","
           "\"dns\":{\"version\":3,\"type\":\"request\",\"rcode\":\"NOERROR\",\"queries\":["
           "{\"rrname\":\"a.test\",\"rrtype\":\"A\"},{\"rrname\":\"a.test\",\"rrtype\":\"AAAA\"}]}}");
    add(r, "{\"timestamp\":\"2026-01-01T00:00:01.000000+0000\",\"event_type\":\"dns\","
           "\"dns\":{\"type\":\"response\",\"rcode\":\"NXDOMAIN\"}}");
    add(r, "{\"timestamp\":\"2026-01-01T00:00:02.000000+0000\",\"event_type\":\"http\","
           "\"http\":{\"hostname\":\"h.test\",\"http_method\":\"GET\",\"status\":404}}");
    add(r, "{\"timestamp\":\"2026-01-01T00:00:02.000000+0000\",\"event_type\":\"http\","
           "\"http\":{\"hostname\":\"h.test\",\"http_method\":\"POST\",\"status\":200}}");
    add(r, "{\"timestamp\":\"2026-01-01T00:00:03.000000+0000\",\"event_type\":\"tls\","
           "\"tls\":{\"version\":\"TLS 1.3\"}}");
    add(r, "{\"timestamp\":\"2026-01-01T00:00:03.000000+0000\",\"event_type\":\"rollup\"}");
    add(r, "{\"event_type\":\"stats\",\"stats\":{\"accounting\":{\"read\":100,\"invalid\":3},"
           "\"capture\":{\"kernel_packets\":110,\"kernel_drops\":10}}}");
    add(r, "{\"event_type\":\"stats\",\"stats\":{\"accounting\":{\"read\":150,\"invalid\":4}}}");
    add(r, "{\"event_type\":\"stats\",\"stats\":{\"accounting\":{\"read\":7}}}");   /* a second run */
    add(r, "{\"event_type\":\"flow\",\"flow\":{\"bytes_toserver\":5}}");          /* no time */
    add(r, "{\"timestamp\":\"2026-01-01T00:00:03.0\",\"event_type\":\"tls\"truncated");

    struct report_info ri;
    report_get_info(r, &ri);
    assert_int_equal(ri.lines, 17);
    assert_int_equal(ri.bad_lines, 2);
    assert_int_equal(ri.bad[0].line, 3);
    assert_int_equal(ri.bad[1].line, 17);
    assert_int_equal(ri.records, 13);                  /* rollup ignored, blank skipped */
    assert_int_equal(ri.flows, 3);
    assert_int_equal(ri.flow_bytes, 10305);
    assert_int_equal(ri.alerts, 2);
    assert_int_equal(ri.bucket_alerts, 2);
    assert_int_equal(ri.bucket_bytes, 10300);          /* every timed flow byte, spread */
    assert_true(ri.have_time);
    assert_int_equal(ri.first_us, 1767225600ll * 1000000);  /* 2026-01-01 00:00 UTC */
    assert_int_equal(ri.last_us, 1767225600ll * 1000000 + 10000000);
    assert_true(ri.buckets >= 2 && ri.buckets <= REPORT_BUCKETS);
    assert_int_equal(ri.http_status[1], 1);
    assert_int_equal(ri.http_status[3], 1);
    assert_true(ri.have_stats);
    assert_int_equal(ri.pkts_read, 157);               /* 150 of the first run + 7 */
    assert_int_equal(ri.pkts_invalid, 4);
    assert_int_equal(ri.kernel_drops, 0);              /* the first run's last record has none */

    struct sketch_item rows[4];
    assert_int_equal(report_top(r, RPT_TALKERS, rows, 4), 3);
    assert_memory_equal(rows[0].key, "10.0.0.1", 8);
    assert_int_equal(rows[0].count, 10300);
    assert_int_equal(report_top(r, RPT_PORTS, rows, 4), 2);
    assert_int_equal(rows[0].len, 6);
    assert_int_equal(report_top(r, RPT_SIGS, rows, 4), 1);
    assert_int_equal(rows[0].count, 2);
    assert_memory_equal(rows[0].key, "42: ET TEST <b>", 15);
    assert_int_equal(report_top(r, RPT_DNS_NAMES, rows, 4), 1);
    assert_int_equal(rows[0].count, 2);
    assert_int_equal(report_top(r, RPT_DNS_RRTYPE, rows, 4), 2);
    assert_int_equal(report_top(r, RPT_DNS_RCODE, rows, 4), 1);       /* responses only */
    assert_memory_equal(rows[0].key, "NXDOMAIN", 8);
    assert_int_equal(report_top(r, RPT_TLS_SNI, rows, 4), 1);
    assert_memory_equal(rows[0].key, "(no SNI)", 8);
    assert_int_equal(report_top(r, RPT_APP, rows, 4), 3);
    assert_memory_equal(rows[0].key, "http", 4);
    report_destroy(r);
}

static void report_buckets_stay_bounded(void **state)
{
    (void)state;
    struct report *r = report_create();
    assert_non_null(r);
    /* from a 1 ms flow to one ten years later, in both directions */
    add(r, FLOW("1.1.1.1", "2.2.2.2", "TCP", 1, "failed", 1, 0,
                "2020-06-01T00:00:00.000000+0000", "2020-06-01T00:00:00.001000+0000"));
    add(r, FLOW("1.1.1.1", "2.2.2.2", "TCP", 1, "failed", 1000003, 0,
                "2030-06-01T00:00:00.000000+0000", "2030-06-02T00:00:00.000000+0000"));
    add(r, FLOW("1.1.1.1", "2.2.2.2", "ICMP", 1, "failed", 7, 0,
                "2010-06-01T00:00:00.000000+0000", "2031-06-01T00:00:00.000000+0000"));
    add(r, FLOW("1.1.1.1", "2.2.2.2", "UDP", 1, "failed", 5, 0,
                "9999-12-31T23:59:59.999999+0000", "9999-12-31T23:59:59.999999+0000"));
    add(r, FLOW("1.1.1.1", "2.2.2.2", "UDP", 1, "failed", 5, 0,
                "1969-12-31T23:59:59.999999+0000", "1969-12-31T23:59:59.999999+0000"));
    struct report_info ri;
    report_get_info(r, &ri);
    assert_true(ri.buckets >= 1 && ri.buckets <= REPORT_BUCKETS);
    assert_int_equal(ri.flows, 5);
    assert_int_equal(ri.no_time, 1);                   /* 1969 */
    assert_int_equal(ri.bucket_bytes, 1 + 1000003 + 7 + 5);
    report_destroy(r);
}

/* Random flow times, near each other and far apart, in any order: every
 * timed byte stays in some bucket, and no slot index leaves the array
 * (ASan/UBSan builds check that). */
static void report_buckets_random_times(void **state)
{
    (void)state;
    srand(777);
    for (int round = 0; round < 40; round++) {
        struct report *r = report_create();
        assert_non_null(r);
        uint64_t total = 0;
        int64_t spread = (int64_t)1 << (rand() % 40);            /* 1 us .. 12 days */
        int64_t t0 = 1700000000ll * 1000000 + (int64_t)rand() * 1000;
        for (int k = 0; k < 300; k++) {
            int64_t s = t0 + (int64_t)(((uint64_t)rand() << 20 | (uint64_t)rand()) % (uint64_t)spread);
            int64_t e = s + (rand() % 4 ? 0 : (int64_t)rand() % (spread + 1));
            if (rand() % 50 == 0)
                s -= spread * 1000;                             /* a far outlier */
            char ts[2][40], line[512];
            int64_t tv[2] = { s, e };
            for (int q = 0; q < 2; q++) {
                time_t sec = (time_t)(tv[q] / 1000000);
                struct tm tm;
                gmtime_r(&sec, &tm);
                size_t n = strftime(ts[q], sizeof(ts[q]), "%Y-%m-%dT%H:%M:%S", &tm);
                snprintf(ts[q] + n, sizeof(ts[q]) - n, ".%06lld+0000", (long long)(tv[q] % 1000000));
            }
            uint64_t bytes = (uint64_t)rand() % 100000;
            snprintf(line, sizeof(line),
                     "{\"event_type\":\"flow\",\"proto\":\"UDP\",\"flow\":{\"bytes_toserver\":%llu,"
                     "\"start\":\"%s\",\"end\":\"%s\"}}", (unsigned long long)bytes, ts[0], ts[1]);
            add(r, line);
            total += bytes;
        }
        struct report_info ri;
        report_get_info(r, &ri);
        assert_int_equal(ri.no_time, 0);
        assert_int_equal(ri.bucket_bytes, total);
        assert_true(ri.buckets >= 1 && ri.buckets <= REPORT_BUCKETS);
        assert_true(ri.first_us >= 0 && ri.last_us >= ri.first_us);
        report_destroy(r);
    }
}

static void report_reads_files_with_bad_lines(void **state)
{
    (void)state;
    char path[] = "/tmp/netscope_report_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fputs("{\"event_type\":\"dns\",\"timestamp\":\"2026-01-01T00:00:00+0000\",\"dns\":{}}\n", f);
    fputs("{\"event_type\":\"dns\"\n", f);              /* truncated */
    /* a line of twice REPORT_MAX_LINE, longer than the read window:
     * counted once, skipped to its end */
    fputs("{\"event_type\":\"x\",\"pad\":\"", f);
    for (size_t i = 0; i < REPORT_MAX_LINE / 1024 * 2; i++)
        fprintf(f, "%01024d", 0);
    fputs("\"}\n", f);
    fputs("{\"event_type\":\"http\",\"http\":{\"status\":200}}\r\n", f);
    fputs("{\"event_type\":\"tls\"}", f);               /* no final newline */
    fclose(f);
    struct report *r = report_create();
    assert_non_null(r);
    char err[NS_ERRBUF_SIZE];
    assert_int_equal(report_add_file(r, path, err), NS_OK);
    struct report_info ri;
    report_get_info(r, &ri);
    assert_int_equal(ri.lines, 5);
    assert_int_equal(ri.bad_lines, 2);
    assert_int_equal(ri.bad[0].line, 2);
    assert_int_equal(ri.bad[1].line, 3);
    assert_string_equal(ri.bad[1].why, "line too long");
    assert_int_equal(ri.records, 3);
    assert_int_equal(ri.http_status[1], 1);
    unlink(path);
    assert_int_equal(report_add_file(r, path, err), NS_ERR_IO);
    assert_non_null(strstr(err, path));
    report_destroy(r);
}

/* ---- HTML ---- */

static void html_escape_hostile_strings(void **state)
{
    (void)state;
    char out[256];
    static const char tag[] = "<script>alert('x')</script>&\"";
    report_html_escape(tag, sizeof(tag) - 1, out, sizeof(out));
    assert_string_equal(out, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;");
    /* controls, DEL, C1, NUL, broken and overlong UTF-8, a surrogate */
    static const char in[] = "a\x01\x7f\xc2\x85\0b\xc3\xa9\xff\xc0\xaf\xed\xa0\x80\xe2\x82";
    report_html_escape(in, sizeof(in) - 1, out, sizeof(out));
    assert_string_equal(out, "a\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
                             "b\xc3\xa9\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
                             "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
    /* a full buffer never cuts an entity or a character */
    assert_int_equal(report_html_escape("a<b", 3, out, 5), 1);
    assert_string_equal(out, "a");
    assert_int_equal(report_html_escape("\xc3\xa9\xc3\xa9", 4, out, 4), 2);
    assert_int_equal(report_html_escape("x", 1, out, 0), 0);
}

static void html_page_escapes_input(void **state)
{
    (void)state;
    struct report *r = report_create();
    assert_non_null(r);
    add(r, "{\"timestamp\":\"2026-01-01T00:00:02.000000+0000\",\"event_type\":\"http\","
           "\"http\":{\"hostname\":\"<script>alert(1)</script>\",\"http_method\":\"G\\\"ET\",\"status\":200}}");
    add(r, "{\"timestamp\":\"2026-01-01T00:00:02.000000+0000\",\"event_type\":\"tls\","
           "\"tls\":{\"sni\":\"<img src=x onerror=alert(1)>\\u0000\\u2028\",\"version\":\"</svg>\"}}");
    add(r, "{\"timestamp\":\"2026-01-01T00:00:02.000000+0000\",\"event_type\":\"alert\","
           "\"alert\":{\"signature_id\":1,\"signature\":\"<style>body{display:none}</style>\"}}");
    add(r, "{\"event_type\":\"<b>\"}");
    char *page = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&page, &len);
    assert_non_null(f);
    assert_int_equal(report_write_html(r, f, "in<put>.json"), NS_OK);
    fclose(f);
    assert_null(strstr(page, "<script"));
    assert_null(strstr(page, "<img"));
    assert_null(strstr(page, "<b>"));
    assert_null(strstr(page, "<style>body{display"));    /* the page's own <style> is fine */
    assert_null(strstr(page, "http://"));              /* nothing to fetch */
    assert_null(strstr(page, "https://"));
    assert_non_null(strstr(page, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_non_null(strstr(page, "in&lt;put&gt;.json"));
    assert_non_null(strstr(page, "id=\"chart-http-hosts\" data-points=\"1\""));
    assert_non_null(strstr(page, "id=\"chart-tls-sni\" data-points=\"1\""));
    assert_non_null(strstr(page, "id=\"chart-alert-sigs\" data-points=\"1\""));
    assert_non_null(strstr(page, "id=\"chart-traffic\" data-points=\"0\""));   /* no flows */
    /* one </svg> per <svg */
    size_t open_n = 0, close_n = 0;
    for (const char *p = page; (p = strstr(p, "<svg")); p++)
        open_n++;
    for (const char *p = page; (p = strstr(p, "</svg>")); p++)
        close_n++;
    assert_int_equal(open_n, close_n);
    free(page);
    report_destroy(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(evejson_reads_an_eve_line, setup, teardown),
        cmocka_unit_test_setup_teardown(evejson_unescapes_strings, setup, teardown),
        cmocka_unit_test_setup_teardown(evejson_string_scan_every_offset, setup, teardown),
        cmocka_unit_test_setup_teardown(evejson_rejects_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(evejson_rejects_every_truncation, setup, teardown),
        cmocka_unit_test_setup_teardown(evejson_bounds_depth_and_tokens, setup, teardown),
        cmocka_unit_test_setup_teardown(evejson_survives_random_mutations, setup, teardown),
        cmocka_unit_test(report_aggregates_small_input),
        cmocka_unit_test(report_buckets_stay_bounded),
        cmocka_unit_test(report_buckets_random_times),
        cmocka_unit_test(report_reads_files_with_bad_lines),
        cmocka_unit_test(html_escape_hostile_strings),
        cmocka_unit_test(html_page_escapes_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
