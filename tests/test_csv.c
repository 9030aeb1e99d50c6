/* tests/test_csv.c: the CSV files of --csv (output/csv.h) -- hostile keys
 * in the rollup top lists (DNS names, HTTP hosts, TLS SNI with newlines,
 * carriage returns, quotes, NUL, ESC, DEL and bytes >= 0x80): each control
 * byte comes out as the text \xNN, quotes doubled, so every file is its
 * header row and then one whole row per line; the rows are counted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "output/csv.h"

struct fixture {
    char dir[64];
    struct rollup_acc a;
    struct eve_ctx ec;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/ns_csv_XXXXXX");
    char err[NS_ERRBUF_SIZE];
    struct rollup_config rc = { .interval = 60, .top_n = 10, .capacity = 64 };
    if (!mkdtemp(f->dir) || rollup_acc_init(&f->a, &rc, err) != NS_OK)
        return -1;
    rollup_acc_reset(&f->a, 0);
    f->a.start_us = 1700000040ull * 1000000u;
    f->a.end_us = f->a.start_us + 60ull * 1000000u;
    eve_ctx_init(&f->ec, "x.pcap", NULL);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    rollup_acc_fini(&f->a);
    char cmd[96];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
    int rc = system(cmd);
    free(f);
    return rc == 0 ? 0 : -1;
}

/* The whole of dir/name into buf (NUL added); returns its length. */
static size_t slurp(const struct fixture *f, const char *name, char *buf, size_t cap)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/%s", f->dir, name);
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    size_t n = fread(buf, 1, cap - 1, fp);
    assert_true(n < cap - 1);
    fclose(fp);
    buf[n] = '\0';
    return n;
}

/* buf is the header row, then rows: every line ends in "\r\n" and holds
 * no other byte < 0x20 or 0x7f.  Returns the number of rows. */
static unsigned whole_rows(const char *buf, size_t n, const char *header)
{
    size_t hl = strlen(header);
    assert_true(n >= hl + 2);
    assert_memory_equal(buf, header, hl);
    assert_memory_equal(buf + hl, "\r\n", 2);
    unsigned lines = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t b = (uint8_t)buf[i];
        if (b == '\r') {
            assert_true(i + 1 < n && buf[i + 1] == '\n');
            lines++;
            i++;
        } else {
            assert_false(b < 0x20 || b == 0x7f);
        }
    }
    assert_memory_equal(buf + n - 2, "\r\n", 2);
    return lines - 1;
}

static const char kv_header[] = "start,end,kind,key,count,error";

static void hostile_keys_escaped(void **state)
{
    struct fixture *f = *state;
    static const char dns[] = "a\nb\r\"c\0d\x7f\x1b[31m\xff.test";
    static const char host[] = "h\"\"\x01\x1f\t.example";
    static const char sni[] = "\r\n\r\n";
    sketch_add(f->a.top[RT_DNS], dns, sizeof(dns) - 1, 5);
    sketch_add(f->a.top[RT_HTTP], host, sizeof(host) - 1, 3);
    sketch_add(f->a.top[RT_TLS], sni, sizeof(sni) - 1, 2);
    f->a.c.dns_rcode[0] = 5;

    char err[NS_ERRBUF_SIZE];
    struct logfile_opts lo = { .write_timeout_ms = 100 };
    struct csv_out *c = csv_open(f->dir, false, &lo, err);
    assert_non_null(c);
    csv_rollup(c, &f->ec, &f->a, 10);
    struct logfile_stats st;
    csv_get_stats(c, &st);
    assert_int_equal(st.lines, st.written + st.pending);
    uint64_t rows = st.lines;
    assert_int_equal(csv_close(c, &st), 0);
    assert_int_equal(st.lines, rows);
    assert_int_equal(st.written, rows);

    static char buf[65536];
    size_t n = slurp(f, "rollup_dns.csv", buf, sizeof(buf));
    assert_int_equal(whole_rows(buf, n, kv_header), 2);      /* rcode, query */
    assert_non_null(strstr(buf, ",\"query\",\"a\\x0ab\\x0d\"\"c\\x00d\\x7f\\x1b[31m\xff.test\",5,0\r\n"));
    n = slurp(f, "rollup_http.csv", buf, sizeof(buf));
    assert_int_equal(whole_rows(buf, n, kv_header), 1);
    assert_non_null(strstr(buf, ",\"host\",\"h\"\"\"\"\\x01\\x1f\\x09.example\",3,0\r\n"));
    n = slurp(f, "rollup_tls.csv", buf, sizeof(buf));
    assert_int_equal(whole_rows(buf, n, kv_header), 1);
    assert_non_null(strstr(buf, ",\"sni\",\"\\x0d\\x0a\\x0d\\x0a\",2,0\r\n"));
    /* the other files: their header and whole rows; no flows.csv */
    n = slurp(f, "rollup_totals.csv", buf, sizeof(buf));
    assert_int_equal(whole_rows(buf, n, "start,end,final,packets,bytes,flows_started,flows_ended,"
                                        "flows_active,dns_queries,dns_responses,"
                                        "http_transactions,tls_sessions"), 1);
    n = slurp(f, "rollup_sizes.csv", buf, sizeof(buf));
    assert_true(whole_rows(buf, n, "start,end,size,packets") > 1);
    char path[128];
    snprintf(path, sizeof(path), "%s/flows.csv", f->dir);
    assert_int_equal(access(path, F_OK), -1);
}

/* A second run over the same directory starts the files afresh (one
 * header row each), as before the files were logfiles. */
static void reopen_truncates(void **state)
{
    struct fixture *f = *state;
    char err[NS_ERRBUF_SIZE];
    struct logfile_opts lo = { .write_timeout_ms = 100 };
    for (int run = 0; run < 2; run++) {
        struct csv_out *c = csv_open(f->dir, true, &lo, err);
        assert_non_null(c);
        csv_rollup(c, &f->ec, &f->a, 10);
        assert_int_equal(csv_close(c, NULL), 0);
    }
    static char buf[65536];
    size_t n = slurp(f, "rollup_totals.csv", buf, sizeof(buf));
    assert_int_equal(whole_rows(buf, n, "start,end,final,packets,bytes,flows_started,flows_ended,"
                                        "flows_active,dns_queries,dns_responses,"
                                        "http_transactions,tls_sessions"), 1);
    n = slurp(f, "flows.csv", buf, sizeof(buf));
    assert_int_equal(whole_rows(buf, n, "timestamp,flow_id,src_ip,src_port,dest_ip,dest_port,"
                                        "proto,app_proto,flow.pkts_toserver,flow.pkts_toclient,"
                                        "flow.bytes_toserver,flow.bytes_toclient,flow.start,"
                                        "flow.end,flow.age,flow.state,flow.reason,flow.alerted,"
                                        "tcp.tcp_flags,tcp.tcp_flags_ts,tcp.tcp_flags_tc,"
                                        "tcp.state,netscope.conn_state,netscope.history"), 0);
}

static void open_fails_named(void **state)
{
    struct fixture *f = *state;
    char err[NS_ERRBUF_SIZE], dir[96];
    snprintf(dir, sizeof(dir), "%s/none", f->dir);
    struct logfile_opts lo = { .write_timeout_ms = 100 };
    assert_null(csv_open(dir, true, &lo, err));
    assert_non_null(strstr(err, "/none/rollup_totals.csv"));
    assert_non_null(strstr(err, "No such file or directory"));
    assert_int_equal(csv_close(NULL, NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(hostile_keys_escaped, setup, teardown),
        cmocka_unit_test_setup_teardown(reopen_truncates, setup, teardown),
        cmocka_unit_test_setup_teardown(open_fails_named, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
