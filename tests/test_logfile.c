/* tests/test_logfile.c: eve.json's whole-line writer (output/logfile.h) --
 * short writes, a write failing half way through a line (the file is cut
 * back), a full disk (drops counted, lines add up), a pipe whose reader
 * stalls then comes back, rotation by size, reopen after a move (SIGHUP)
 * and after a delete, and an unopenable path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output/logfile.h"

struct fixture {
    char dir[64];
    char path[128];
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/ns_logfile_XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->path, sizeof(f->path), "%s/eve.json", f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    char cmd[160];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
    int rc = system(cmd);
    free(f);
    return rc == 0 ? 0 : -1;
}

/* Line i: {"i":N,"pad":"xxx..."}\n, len bytes in all (>= 24). */
static size_t make_line(char *buf, unsigned i, size_t len)
{
    int h = snprintf(buf, len, "{\"i\":%u,\"pad\":\"", i);
    size_t n = (size_t)h;
    while (n < len - 3)
        buf[n++] = 'x';
    buf[n++] = '"';
    buf[n++] = '}';
    buf[n++] = '\n';
    return n;
}

/* Checks that fp holds whole lines i = *next, *next + 1, ... in order;
 * returns how many.  last_may_be_cut: a pipe's final line. */
static unsigned check_lines(FILE *fp, unsigned *next, bool last_may_be_cut)
{
    static char line[70000];
    unsigned n = 0;
    while (fgets(line, sizeof(line), fp)) {
        size_t l = strlen(line);
        if (line[l - 1] != '\n') {
            assert_true(last_may_be_cut);
            assert_null(fgets(line, sizeof(line), fp));
            break;
        }
        unsigned i;
        assert_int_equal(sscanf(line, "{\"i\":%u,", &i), 1);
        assert_string_equal(line + l - 3, "\"}\n");
        assert_int_equal(i, *next);
        (*next)++;
        n++;
    }
    return n;
}

static unsigned check_file(const char *path, unsigned *next)
{
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    unsigned n = check_lines(fp, next, false);
    fclose(fp);
    return n;
}

static uint64_t dropped_sum(const struct logfile_stats *st)
{
    uint64_t d = 0;
    for (unsigned k = 0; k < LOGF_DROP_MAX; k++)
        d += st->dropped[k];
    return d;
}

static void adds_up(const struct logfile_stats *st)
{
    assert_int_equal(st->lines, st->written + st->pending + dropped_sum(st));
}

/* A scripted write(2): at most `chunk` bytes per call; after `fail_after`
 * bytes have gone out, fail with `err` for `fail_calls` calls. */
struct script {
    size_t chunk;
    uint64_t out, fail_after;
    int err;
    unsigned fail_calls;
};

static ssize_t script_write(int fd, const void *p, size_t n, void *ctx)
{
    struct script *s = ctx;
    if (s->fail_calls && s->out >= s->fail_after) {
        s->fail_calls--;
        errno = s->err;
        return -1;
    }
    if (s->chunk && n > s->chunk)
        n = s->chunk;
    if (s->fail_calls && s->out + n > s->fail_after)
        n = (size_t)(s->fail_after - s->out);    /* stop half way in a line */
    ssize_t w = write(fd, p, n);
    if (w > 0)
        s->out += (uint64_t)w;
    return w;
}

static void whole_lines_in_order(void **state)
{
    struct fixture *f = *state;
    char err[NS_ERRBUF_SIZE], line[512];
    struct script sc = { .chunk = 7 };       /* every write is short */
    struct logfile_opts o = { .path = f->path, .write_timeout_ms = 100, .write_fn = script_write,
                              .write_ctx = &sc };
    struct logfile *lf = logfile_open(&o, err);
    assert_non_null(lf);
    for (unsigned i = 0; i < 3000; i++)
        assert_int_equal(logfile_write(lf, line, make_line(line, i, 40 + i % 300)), NS_OK);
    struct logfile_stats st;
    assert_int_equal(logfile_close(lf, &st), 0);
    assert_int_equal(st.lines, 3000);
    assert_int_equal(st.written, 3000);
    assert_int_equal(dropped_sum(&st), 0);
    unsigned next = 0;
    assert_int_equal(check_file(f->path, &next), 3000);
}

/* ENOSPC after half a line: the file is cut back to the last whole line,
 * and the line is written whole once the disk has room again. */
static void half_line_cut_back(void **state)
{
    struct fixture *f = *state;
    char err[NS_ERRBUF_SIZE], line[512];
    struct script sc = { .fail_after = 100000 + 17, .err = ENOSPC, .fail_calls = 1 };
    struct logfile_opts o = { .path = f->path, .write_fn = script_write, .write_ctx = &sc };
    struct logfile *lf = logfile_open(&o, err);
    assert_non_null(lf);
    unsigned i = 0;
    while (sc.fail_calls)
        assert_int_equal(logfile_write(lf, line, make_line(line, i++, 100)), NS_OK);
    /* the failure happened: the file holds whole lines only */
    struct stat sb;
    assert_int_equal(stat(f->path, &sb), 0);
    assert_int_equal(sb.st_size % 100, 0);
    assert_true(sb.st_size <= 100000);
    struct logfile_stats st;
    logfile_get_stats(lf, &st);
    assert_int_equal(st.write_errors, 1);
    adds_up(&st);
    assert_int_equal(logfile_close(lf, &st), 0);     /* nothing lost */
    assert_int_equal(st.written, i);
    unsigned next = 0;
    assert_int_equal(check_file(f->path, &next), i);
}

/* A disk that stays full: the buffer fills, then lines are dropped as
 * disk_full; the file keeps whole lines; everything adds up. */
static void disk_full_drops_counted(void **state)
{
    struct fixture *f = *state;
    char err[NS_ERRBUF_SIZE], line[512];
    struct script sc = { .fail_after = 50000 + 3, .err = ENOSPC, .fail_calls = ~0u };
    struct logfile_opts o = { .path = f->path, .write_fn = script_write, .write_ctx = &sc };
    struct logfile *lf = logfile_open(&o, err);
    assert_non_null(lf);
    unsigned dropped = 0;
    for (unsigned i = 0; i < 20000; i++)
        if (logfile_write(lf, line, make_line(line, i, 100)) != NS_OK)
            dropped++;
    struct logfile_stats st;
    logfile_get_stats(lf, &st);
    adds_up(&st);
    assert_int_equal(st.dropped[LOGF_DROP_DISK_FULL], dropped);
    assert_true(dropped > 10000);
    /* one failed write, no retry within the second */
    assert_int_equal(st.write_errors, 1);
    assert_int_equal(logfile_close(lf, &st), ENOSPC);
    assert_int_equal(st.lines, 20000);
    assert_int_equal(st.pending, 0);
    assert_int_equal(st.written + st.dropped[LOGF_DROP_DISK_FULL], 20000);
    assert_int_equal(st.written, 500);               /* 50000 bytes of 100-byte lines */
    unsigned next = 0;
    assert_int_equal(check_file(f->path, &next), 500);
}

/* A pipe nobody reads: after write_timeout_ms the file is stalled and new
 * lines beyond the buffer are dropped (slow_consumer), without waiting
 * again; once the reader drains the pipe, the buffered lines follow. */
static void stalled_pipe_then_recovers(void **state)
{
    struct fixture *f = *state;
    char err[NS_ERRBUF_SIZE], line[1024];
    assert_int_equal(mkfifo(f->path, 0600), 0);
    int rfd = open(f->path, O_RDONLY | O_NONBLOCK);
    assert_true(rfd >= 0);
    struct logfile_opts o = { .path = f->path, .write_timeout_ms = 50 };
    struct logfile *lf = logfile_open(&o, err);
    assert_non_null(lf);
    unsigned dropped = 0, n = 4000;           /* 4 MB into a 64 KiB pipe */
    for (unsigned i = 0; i < n; i++)
        if (logfile_write(lf, line, make_line(line, i, 1000)) != NS_OK)
            dropped++;
    struct logfile_stats st;
    logfile_get_stats(lf, &st);
    adds_up(&st);
    assert_int_equal(st.dropped[LOGF_DROP_SLOW_CONSUMER], dropped);
    assert_true(dropped > 3000);
    assert_true(st.blocked_ms >= 40 && st.blocked_ms < 1000);  /* waited once */
    /* the reader comes back: drain, then flush, until nothing is pending */
    FILE *rf = fdopen(rfd, "r");
    assert_non_null(rf);
    char *all = NULL;
    size_t cap = 0, len = 0;
    for (int round = 0; round < 200; round++) {
        static char tmp[65536];
        ssize_t r;
        while ((r = read(rfd, tmp, sizeof(tmp))) > 0) {
            if (len + (size_t)r > cap) {
                cap = (len + (size_t)r) * 2;
                all = realloc(all, cap);
            }
            memcpy(all + len, tmp, (size_t)r);
            len += (size_t)r;
        }
        usleep(20000);
        logfile_tick(lf, true);
        logfile_get_stats(lf, &st);
        if (st.pending == 0)
            break;
    }
    assert_int_equal(st.pending, 0);
    assert_int_equal(logfile_close(lf, &st), EAGAIN);    /* lines were lost */
    ssize_t r;
    static char tmp[65536];
    while ((r = read(rfd, tmp, sizeof(tmp))) > 0) {
        all = realloc(all, len + (size_t)r);
        memcpy(all + len, tmp, (size_t)r);
        len += (size_t)r;
    }
    assert_int_equal(st.written + st.dropped[LOGF_DROP_SLOW_CONSUMER], n);
    /* whole lines, in order, the written ones */
    FILE *mf = fmemopen(all, len, "r");
    assert_non_null(mf);
    unsigned next = 0, got = check_lines(mf, &next, false);
    assert_int_equal(got, st.written);
    fclose(mf);
    fclose(rf);
    free(all);
}

static unsigned count_files(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    unsigned n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (!strncmp(e->d_name, prefix, strlen(prefix)))
            n++;
    closedir(d);
    return n;
}

/* Rotation by size: every file at most rotate_size bytes, whole lines,
 * none lost; the rotated files sort in writing order (.N suffixes). */
static void rotate_by_size(void **state)
{
    struct fixture *f = *state;
    char err[NS_ERRBUF_SIZE], line[512];
    struct logfile_opts o = { .path = f->path, .rotate_size = 1000 };
    struct logfile *lf = logfile_open(&o, err);
    assert_non_null(lf);
    for (unsigned i = 0; i < 100; i++)
        assert_int_equal(logfile_write(lf, line, make_line(line, i, 100)), NS_OK);
    struct logfile_stats st;
    assert_int_equal(logfile_close(lf, &st), 0);
    assert_int_equal(st.rotations, 9);
    assert_int_equal(st.written, 100);
    assert_int_equal(count_files(f->dir, "eve.json"), 10);
    char cmd[256];
    snprintf(cmd, sizeof(cmd),
             "cd %s && for x in $(ls eve.json.* | sort -t. -k3,3 -k4,4n); do cat $x; done > all && "
             "cat eve.json >> all && test $(find . -name 'eve.json*' -size +1000c | wc -l) = 0",
             f->dir);
    assert_int_equal(system(cmd), 0);
    char all[160];
    snprintf(all, sizeof(all), "%s/all", f->dir);
    unsigned next = 0;
    assert_int_equal(check_file(all, &next), 100);
}

/* External rotation: mv, then SIGHUP (logfile_reopen_all): the lines
 * before are in the moved file, the ones after in a new eve.json. */
static void reopen_after_move(void **state)
{
    struct fixture *f = *state;
    char err[NS_ERRBUF_SIZE], line[512], moved[160];
    struct logfile_opts o = { .path = f->path };
    struct logfile *lf = logfile_open(&o, err);
    assert_non_null(lf);
    for (unsigned i = 0; i < 50; i++)
        assert_int_equal(logfile_write(lf, line, make_line(line, i, 100)), NS_OK);
    snprintf(moved, sizeof(moved), "%s.1", f->path);
    assert_int_equal(rename(f->path, moved), 0);
    for (unsigned i = 50; i < 60; i++)          /* still to the moved file */
        assert_int_equal(logfile_write(lf, line, make_line(line, i, 100)), NS_OK);
    logfile_reopen_all();
    logfile_tick(lf, false);
    for (unsigned i = 60; i < 100; i++)
        assert_int_equal(logfile_write(lf, line, make_line(line, i, 100)), NS_OK);
    struct logfile_stats st;
    assert_int_equal(logfile_close(lf, &st), 0);
    assert_int_equal(st.reopens, 1);
    unsigned next = 0;
    assert_int_equal(check_file(moved, &next), 60);
    assert_int_equal(check_file(f->path, &next), 40);
}

/* Deleted underneath: noticed within a second, reopened; what went into
 * the deleted file since the last check is counted as dropped. */
static void reopen_after_delete(void **state)
{
    struct fixture *f = *state;
    char err[NS_ERRBUF_SIZE], line[512];
    struct logfile_opts o = { .path = f->path };
    struct logfile *lf = logfile_open(&o, err);
    assert_non_null(lf);
    for (unsigned i = 0; i < 10; i++)
        assert_int_equal(logfile_write(lf, line, make_line(line, i, 100)), NS_OK);
    logfile_flush(lf);
    assert_int_equal(unlink(f->path), 0);
    usleep(1100 * 1000);
    logfile_tick(lf, true);
    struct logfile_stats st;
    logfile_get_stats(lf, &st);
    assert_int_equal(st.reopens, 1);
    assert_int_equal(st.dropped[LOGF_DROP_DELETED], 10);
    for (unsigned i = 10; i < 20; i++)
        assert_int_equal(logfile_write(lf, line, make_line(line, i, 100)), NS_OK);
    assert_int_equal(logfile_close(lf, &st), ENOENT);
    adds_up(&st);
    assert_int_equal(st.written, 10);
    unsigned next = 10;
    assert_int_equal(check_file(f->path, &next), 10);
}

static void open_fails_named(void **state)
{
    struct fixture *f = *state;
    char err[NS_ERRBUF_SIZE], path[160];
    snprintf(path, sizeof(path), "%s/no/such/dir/eve.json", f->dir);
    struct logfile_opts o = { .path = path };
    assert_null(logfile_open(&o, err));
    assert_non_null(strstr(err, path));
    assert_non_null(strstr(err, "No such file or directory"));
    /* a FIFO with no reader fails instead of blocking */
    assert_int_equal(mkfifo(f->path, 0600), 0);
    o.path = f->path;
    assert_null(logfile_open(&o, err));
    assert_non_null(strstr(err, "no reader"));
    assert_int_equal(logfile_close(NULL, NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(whole_lines_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(half_line_cut_back, setup, teardown),
        cmocka_unit_test_setup_teardown(disk_full_drops_counted, setup, teardown),
        cmocka_unit_test_setup_teardown(stalled_pipe_then_recovers, setup, teardown),
        cmocka_unit_test_setup_teardown(rotate_by_size, setup, teardown),
        cmocka_unit_test_setup_teardown(reopen_after_move, setup, teardown),
        cmocka_unit_test_setup_teardown(reopen_after_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(open_fails_named, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
