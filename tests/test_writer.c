/* tests/test_writer.c: the writer's merge of the workers' rollup records
 * (engine/writer.c): one record per interval whatever the number of
 * sources, interval numbers that a live worker skips (engine/live.h), quiet
 * live intervals left out, the final flag on the last merged interval only,
 * and a source that ends without a final record holding nothing back.
 * The records go through real rings to a real writer thread and eve.json. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "engine/config.h"
#include "engine/engine_int.h"
#include "engine/writer.h"
#include "output/rollup.h"

#define NSRC 2
#define MAX_RU 16

struct fixture {
    struct ns_config cfg;
    struct ring *src[NSRC];
    char path[64];
};

/* One rollup record as seen in eve.json. */
struct ru_line {
    uint64_t packets;
    bool final;
    char start[40], end[40];
};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));
    char err[NS_ERRBUF_SIZE];
    assert_non_null(fx);
    config_defaults(&fx->cfg);
    fx->cfg.rollup.interval = 1;
    for (unsigned i = 0; i < NSRC; i++)
        assert_non_null(fx->src[i] = ring_create(1u << 20, err));
    snprintf(fx->path, sizeof(fx->path), "/tmp/ns_test_writer.XXXXXX");
    int fd = mkstemp(fx->path);
    assert_true(fd >= 0);
    close(fd);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    for (unsigned i = 0; i < NSRC; i++)
        ring_destroy(fx->src[i]);
    unlink(fx->path);
    free(fx);
    return 0;
}

/* Interval seq of source i: [seq s, seq + 1 s) from t0, pkts packets. */
static void push_rollup(struct ring *r, uint64_t seq, uint64_t next, uint64_t pkts, bool final)
{
    const uint64_t t0 = 1700000000000000ull;
    struct rollup_rec *rec = ring_reserve_wait(r, sizeof(*rec));
    memset(rec, 0, sizeof(*rec));
    rec->seq = seq;
    rec->next_seq = final ? UINT64_MAX : next;
    rec->start_us = t0 + seq * 1000000u;
    rec->end_us = final ? rec->start_us + 300000u : rec->start_us + 1000000u;
    rec->final = final;
    rec->c.pkts = pkts;
    rec->c.bytes = pkts * 100;
    ring_commit(r, REC_ROLLUP, sizeof(*rec));
}

static void push_done(struct ring *r)
{
    ring_reserve_wait(r, 8);
    ring_commit(r, REC_DONE, 0);
}

static void copy_str(const char *line, const char *key, char *out, size_t cap)
{
    const char *p = strstr(line, key);
    out[0] = '\0';
    if (!p)
        return;
    p += strlen(key);
    size_t n = 0;
    while (p[n] && p[n] != '"' && n + 1 < cap) {
        out[n] = p[n];
        n++;
    }
    out[n] = '\0';
}

/* Runs the writer over what the rings hold; the rollup lines into out. */
static unsigned run_writer(struct fixture *fx, bool live, struct ru_line *out)
{
    char err[NS_ERRBUF_SIZE];
    struct writer_opts wo = { .eve_path = fx->path, .in_iface = "t0", .live = live,
                              .rollup_sources = NSRC };
    struct writer *wr = writer_create(&fx->cfg, &wo, fx->src, NSRC, err);
    assert_non_null(wr);
    assert_int_equal(writer_start(wr, err), NS_OK);
    assert_int_equal(writer_join(wr, err), NS_OK);
    writer_destroy(wr);
    FILE *f = fopen(fx->path, "r");
    assert_non_null(f);
    static char line[1 << 16];
    unsigned n = 0;
    while (fgets(line, sizeof(line), f)) {
        if (!strstr(line, "\"event_type\":\"rollup\""))
            continue;
        assert_true(n < MAX_RU);
        const char *p = strstr(line, "\"packets\":");
        assert_non_null(p);
        out[n].packets = strtoull(p + 10, NULL, 10);
        out[n].final = strstr(line, "\"final\":true") != NULL;
        copy_str(line, "\"start\":\"", out[n].start, sizeof(out[n].start));
        copy_str(line, "\"end\":\"", out[n].end, sizeof(out[n].end));
        n++;
    }
    fclose(f);
    return n;
}

/* Two sources, the same boundaries: one record per interval, summed. */
static void writer_merges_one_record_per_interval(void **state)
{
    struct fixture *fx = *state;
    for (unsigned i = 0; i < NSRC; i++) {
        push_rollup(fx->src[i], 0, 1, 10 + i, false);
        push_rollup(fx->src[i], 1, 2, 20 + i, false);
        push_rollup(fx->src[i], 2, 3, 1, true);
        push_done(fx->src[i]);
    }
    struct ru_line ru[MAX_RU];
    unsigned n = run_writer(fx, false, ru);
    assert_int_equal(n, 3);
    assert_int_equal(ru[0].packets, 21);
    assert_int_equal(ru[1].packets, 41);
    assert_int_equal(ru[2].packets, 2);
    assert_false(ru[0].final);
    assert_false(ru[1].final);
    assert_true(ru[2].final);
}

/* Live: source 0 jumps from 1 to 5 (a clock step, an idle stretch) and
 * ends at 5; source 1 has a quiet interval 2, jumps to 6 and ends there.
 * Interval 2 is quiet: no record; 5 holds source 0's final record but is
 * not the run's final interval; 6 is. */
static void writer_live_skips_and_final(void **state)
{
    struct fixture *fx = *state;
    push_rollup(fx->src[0], 0, 1, 5, false);
    push_rollup(fx->src[0], 1, 5, 3, false);
    push_rollup(fx->src[0], 5, 0, 2, true);
    push_done(fx->src[0]);
    push_rollup(fx->src[1], 0, 2, 1, false);
    push_rollup(fx->src[1], 2, 6, 0, false);
    push_rollup(fx->src[1], 6, 0, 4, true);
    push_done(fx->src[1]);
    struct ru_line ru[MAX_RU];
    unsigned n = run_writer(fx, true, ru);
    assert_int_equal(n, 4);
    static const uint64_t want[] = { 6, 3, 2, 4 };
    for (unsigned i = 0; i < n; i++) {
        assert_int_equal(ru[i].packets, want[i]);
        assert_int_equal(ru[i].final, i == n - 1);
    }
    /* interval 5: [t0 + 5 s, t0 + 5.3 s), source 0 stopped there */
    assert_non_null(strstr(ru[2].start, ":25.000000"));
    assert_non_null(strstr(ru[2].end, ":25.300000"));
}

/* A quiet interval offline is written (the reader never cuts one, so one
 * that arrives had packets elsewhere); live it is not. */
static void writer_quiet_interval_offline_kept(void **state)
{
    struct fixture *fx = *state;
    for (unsigned i = 0; i < NSRC; i++) {
        push_rollup(fx->src[i], 0, 1, 0, false);
        push_rollup(fx->src[i], 1, 2, 0, true);
        push_done(fx->src[i]);
    }
    struct ru_line ru[MAX_RU];
    assert_int_equal(run_writer(fx, false, ru), 2);
}

/* A source that ends without a final record (a live worker that never
 * started) does not hold the others' intervals back. */
static void writer_done_without_final(void **state)
{
    struct fixture *fx = *state;
    push_rollup(fx->src[0], 0, 1, 7, false);
    push_done(fx->src[0]);
    for (uint64_t s = 0; s < 6; s++)
        push_rollup(fx->src[1], s, s + 1, 1, s == 5);
    push_done(fx->src[1]);
    struct ru_line ru[MAX_RU];
    unsigned n = run_writer(fx, true, ru);
    assert_int_equal(n, 6);
    assert_int_equal(ru[0].packets, 8);
    for (unsigned i = 1; i < n; i++)
        assert_int_equal(ru[i].packets, 1);
    assert_true(ru[5].final);
    assert_false(ru[4].final);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(writer_merges_one_record_per_interval, setup, teardown),
        cmocka_unit_test_setup_teardown(writer_live_skips_and_final, setup, teardown),
        cmocka_unit_test_setup_teardown(writer_quiet_interval_offline_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(writer_done_without_final, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
