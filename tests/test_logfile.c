/* tests/test_logfile.c: eve.json's whole-line writer (output/logfile.h) --
 * short writes, a write failing half way through a line (the file is cut
 * back), a full disk (drops counted, lines add up), a pipe whose reader
 * stalls then comes back, rotation by size, reopen after a move (SIGHUP)
 * and after a delete, and an unopenable path.  Then the header option
 * (once per new file, not when appending, a failed one retried as a
 * failed open) and binary records (pcap-like: cut back to a whole record
 * after a short write and ENOSPC, the rest of a cut record dropped on a
 * reopen, rotation), every file checked record by record. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <signal.h>
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


/* ---- the header option -------------------------------------------------- */

#define HDR "#header\n"

/* The files of PATH in writing order (rotated ones, then PATH): their
 * names, one per line, into names (NUL-separated); returns how many. */
static unsigned rotated_files(const struct fixture *f, char names[][160], unsigned max)
{
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "cd %s && { ls eve.json.* 2>/dev/null | sort -t. -k3,3 -k4,4n; "
                               "echo eve.json; }", f->dir);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    unsigned n = 0;
    char line[96];
    while (n < max && fgets(line, sizeof(line), p)) {
        line[strcspn(line, "\n")] = '\0';
        snprintf(names[n++], 160, "%s/%s", f->dir, line);
    }
    assert_int_equal(pclose(p), 0);
    return n;
}

/* fp starts with HDR exactly once, then whole lines *next, ... */
static unsigned check_lines_hdr(FILE *fp, unsigned *next)
{
    char h[sizeof(HDR)];
    assert_non_null(fgets(h, sizeof(h), fp));
    assert_string_equal(h, HDR);
    return check_lines(fp, next, false);
}

static unsigned check_file_hdr(const char *path, unsigned *next)
{
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    unsigned n = check_lines_hdr(fp, next);
    fclose(fp);
    return n;
}

/* What the pipe holds now: HDR, then whole lines *next, ... */
static unsigned check_pipe_hdr(int rfd, unsigned *next)
{
    static char buf[16384];
    ssize_t r = read(rfd, buf, sizeof(buf));
    assert_true(r > 0 && (size_t)r < sizeof(buf));
    FILE *mf = fmemopen(buf, (size_t)r, "r");
    assert_non_null(mf);
    unsigned n = check_lines_hdr(mf, next);
    fclose(mf);
    return n;
}

/* Lines from, ..., to - 1 of 100 bytes, each taken. */
static void write_lines(struct logfile *lf, unsigned from, unsigned to)
{
    char line[128];
    for (unsigned i = from; i < to; i++)
        assert_int_equal(logfile_write(lf, line, make_line(line, i, 100)), NS_OK);
}

/* Written once into each new file: the first, each after a rotation, the
 * new one after mv + SIGHUP; not when appending to a file that has lines,
 * again after truncate; never counted as a line. */
static void header_starts_every_file(void **state)
{
    struct fixture *f = *state;
    char err[NS_ERRBUF_SIZE];
    static char names[32][160];
    struct logfile_opts o = { .path = f->path, .rotate_size = 1000, .header = HDR,
                              .header_len = strlen(HDR) };
    struct logfile *lf = logfile_open(&o, err);
    assert_non_null(lf);
    write_lines(lf, 0, 50);
    struct logfile_stats st;
    assert_int_equal(logfile_close(lf, &st), 0);
    assert_int_equal(st.lines, 50);
    assert_int_equal(st.written, 50);
    /* 8 header bytes + 9 lines fit 1000 bytes: 6 files */
    assert_int_equal(st.rotations, 5);
    unsigned nf = rotated_files(f, names, 32), next = 0;
    assert_int_equal(nf, 6);
    for (unsigned k = 0; k < nf; k++)
        check_file_hdr(names[k], &next);
    assert_int_equal(next, 50);

    /* appending to eve.json (it has lines): no second header; a move and
     * SIGHUP: the new file gets one */
    o.rotate_size = 0;
    lf = logfile_open(&o, err);
    assert_non_null(lf);
    write_lines(lf, 50, 55);
    logfile_flush(lf);
    char moved[160];
    snprintf(moved, sizeof(moved), "%s.moved", f->path);
    assert_int_equal(rename(f->path, moved), 0);
    logfile_reopen_all();
    logfile_tick(lf, false);
    write_lines(lf, 55, 60);
    assert_int_equal(logfile_close(lf, &st), 0);
    assert_int_equal(st.reopens, 1);
    next = 45;                     /* the last file of the rotation run: 5 lines */
    assert_int_equal(check_file_hdr(moved, &next), 10);
    assert_int_equal(check_file_hdr(f->path, &next), 5);

    /* truncate: the file starts over, with its header */
    o.truncate = true;
    lf = logfile_open(&o, err);
    assert_non_null(lf);
    write_lines(lf, 0, 1);
    assert_int_equal(logfile_close(lf, &st), 0);
    next = 0;
    assert_int_equal(check_file_hdr(f->path, &next), 1);
}

/* A FIFO: each new reader gets the header, on the first open and after
 * the last reader left (EPIPE); a SIGHUP reopen while the reader stays
 * goes on with its stream, no second header. */
static void header_once_per_fifo_reader(void **state)
{
    struct fixture *f = *state;
    char err[NS_ERRBUF_SIZE];
    signal(SIGPIPE, SIG_IGN);
    assert_int_equal(mkfifo(f->path, 0600), 0);
    int rfd = open(f->path, O_RDONLY | O_NONBLOCK);
    assert_true(rfd >= 0);
    struct logfile_opts o = { .path = f->path, .header = HDR, .header_len = strlen(HDR),
                              .write_timeout_ms = 50 };
    struct logfile *lf = logfile_open(&o, err);
    assert_non_null(lf);
    write_lines(lf, 0, 5);
    logfile_flush(lf);
    logfile_reopen_all();
    logfile_tick(lf, false);
    write_lines(lf, 5, 10);
    logfile_flush(lf);
    unsigned next = 0;
    assert_int_equal(check_pipe_hdr(rfd, &next), 10);
    close(rfd);                              /* the reader leaves */
    write_lines(lf, 10, 11);
    logfile_flush(lf);                       /* EPIPE */
    rfd = open(f->path, O_RDONLY | O_NONBLOCK);
    assert_true(rfd >= 0);
    usleep(1100 * 1000);
    logfile_tick(lf, true);                  /* the retry opens it again */
    assert_int_equal(check_pipe_hdr(rfd, &next), 1);
    struct logfile_stats st;
    assert_int_equal(logfile_close(lf, &st), 0);
    assert_int_equal(st.written, 11);
    assert_int_equal(st.reopens, 2);
    close(rfd);
}

/* A header that cannot be written (the disk fills after 3 of its bytes)
 * makes the open fail: the lines wait in the buffer, the open is retried
 * a second later, and the file gets the header whole, then the lines;
 * while it keeps failing, lines are dropped as open_failed. */
static void header_failure_is_failed_open(void **state)
{
    struct fixture *f = *state;
    char err[NS_ERRBUF_SIZE], line[512], names[8][160];
    struct script sc = { .fail_after = 8 + 900 + 3, .err = ENOSPC, .fail_calls = 1 };
    struct logfile_opts o = { .path = f->path, .rotate_size = 1000, .header = HDR,
                              .header_len = strlen(HDR), .write_fn = script_write,
                              .write_ctx = &sc };
    struct logfile *lf = logfile_open(&o, err);
    assert_non_null(lf);
    write_lines(lf, 0, 20);                 /* line 9 rotates; the header fails */
    struct logfile_stats st;
    logfile_get_stats(lf, &st);
    assert_int_equal(st.rotations, 1);
    assert_int_equal(st.written, 9);
    assert_int_equal(st.pending, 11);
    struct stat sb;
    assert_int_equal(stat(f->path, &sb), 0);
    assert_int_equal(sb.st_size, 0);        /* the 3 bytes were cut back */
    usleep(1100 * 1000);
    logfile_tick(lf, true);
    assert_int_equal(logfile_close(lf, &st), 0);
    adds_up(&st);
    assert_int_equal(st.written, 20);
    assert_true(st.write_errors >= 1);
    unsigned nf = rotated_files(f, names, 8), next = 0;
    for (unsigned k = 0; k < nf; k++)
        check_file_hdr(names[k], &next);
    assert_int_equal(next, 20);

    /* a disk that stays full: counted as open_failed once the buffer is full */
    snprintf(line, sizeof(line), "rm -f %s/eve.json*", f->dir);
    assert_int_equal(system(line), 0);
    sc = (struct script){ .fail_after = 8 + 900 + 3, .err = ENOSPC, .fail_calls = ~0u };
    lf = logfile_open(&o, err);
    assert_non_null(lf);
    unsigned dropped = 0;
    for (unsigned i = 0; i < 5000; i++)
        if (logfile_write(lf, line, make_line(line, i, 100)) != NS_OK)
            dropped++;
    logfile_get_stats(lf, &st);
    adds_up(&st);
    assert_true(dropped > 1000);
    assert_int_equal(st.dropped[LOGF_DROP_OPEN_FAILED], dropped);
    assert_int_equal(logfile_close(lf, &st), ENOSPC);
    assert_int_equal(st.written, 9);
    assert_int_equal(st.written + st.dropped[LOGF_DROP_OPEN_FAILED], 5000);
    /* the header failing on the first open: logfile_open fails */
    sc = (struct script){ .fail_after = 0, .err = ENOSPC, .fail_calls = 1 };
    assert_null(logfile_open(&o, err));
    assert_non_null(strstr(err, "No space left on device"));
}

/* ---- binary records ------------------------------------------------------ */

/* pcap-like: a 24-byte file header, records of a 16-byte header (ts_sec =
 * the record's number, ts_usec, caplen, len) and caplen bytes of data */
static const uint8_t rec_file_hdr[24] = { 0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0 };

static size_t rec_len(const void *rec)
{
    uint32_t caplen;
    memcpy(&caplen, (const uint8_t *)rec + 8, 4);
    return 16 + (size_t)caplen;
}

/* Record i, with caplen 1..1000 varying with i (some have '\n' bytes). */
static size_t make_rec(uint8_t *buf, unsigned i)
{
    uint32_t caplen = 1 + (i * 37) % 1000, h[4] = { i, 0, caplen, caplen };
    memcpy(buf, h, 16);
    for (uint32_t k = 0; k < caplen; k++)
        buf[16 + k] = (uint8_t)(i + k * 7);
    return 16 + caplen;
}

/* path holds the file header, then whole records *next, *next + 1, ...
 * to its very end (skip: a record number that must be missing, or ~0u). */
static unsigned check_recs(const char *path, unsigned *next, unsigned skip)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    uint8_t h[24], want[2048], got[2048];
    assert_int_equal(fread(h, 1, 24, fp), 24);
    assert_memory_equal(h, rec_file_hdr, 24);
    unsigned n = 0;
    size_t r;
    while ((r = fread(got, 1, 16, fp)) == 16) {
        if (*next == skip)
            (*next)++;
        size_t len = make_rec(want, *next);
        assert_int_equal(rec_len(got), len);
        assert_int_equal(fread(got + 16, 1, len - 16, fp), len - 16);   /* whole */
        assert_memory_equal(got, want, len);
        (*next)++;
        n++;
    }
    assert_int_equal(r, 0);                  /* ends on a record boundary */
    fclose(fp);
    return n;
}

static struct logfile_opts rec_opts(const struct fixture *f, struct script *sc)
{
    return (struct logfile_opts){ .path = f->path, .truncate = true, .header = rec_file_hdr,
                                  .header_len = sizeof(rec_file_hdr), .rec_len = rec_len,
                                  .write_timeout_ms = 10, .write_fn = sc ? script_write : NULL,
                                  .write_ctx = sc };
}

/* Every write short (7 bytes: records are cut everywhere; 1500: a write
 * ends several records and cuts one), then ENOSPC in the middle of a
 * record for good: the file is cut back to the last whole record, and
 * records = written + pending + dropped throughout. */
static void short_writes_then_full(const struct fixture *f, size_t chunk)
{
    char err[NS_ERRBUF_SIZE];
    uint8_t rec[2048];
    struct script sc = { .chunk = chunk, .fail_after = 200000 + 5, .err = ENOSPC,
                         .fail_calls = ~0u };
    struct logfile_opts o = rec_opts(f, &sc);
    struct logfile *lf = logfile_open(&o, err);
    assert_non_null(lf);
    unsigned dropped = 0, n = 3000;
    for (unsigned i = 0; i < n; i++) {
        if (logfile_write(lf, rec, make_rec(rec, i)) != NS_OK)
            dropped++;
        if (i % 500 == 0) {
            struct logfile_stats st;
            logfile_get_stats(lf, &st);
            adds_up(&st);
        }
    }
    assert_true(dropped > 0);
    struct logfile_stats st;
    assert_int_equal(logfile_close(lf, &st), ENOSPC);
    adds_up(&st);
    assert_int_equal(st.lines, n);
    assert_int_equal(st.pending, 0);
    assert_int_equal(st.written + st.dropped[LOGF_DROP_DISK_FULL], n);
    unsigned next = 0;
    assert_int_equal(check_recs(f->path, &next, ~0u), st.written);
    struct stat sb;
    assert_int_equal(stat(f->path, &sb), 0);
    /* back to the last whole record (the longest is 1016 bytes) */
    assert_true((uint64_t)sb.st_size < 200000 + 5);
    assert_true((uint64_t)sb.st_size > 200000 + 5 - 1016);
}

static void records_short_writes_then_disk_full(void **state)
{
    short_writes_then_full(*state, 7);
    short_writes_then_full(*state, 1500);
}

/* A short write, then ENOSPC once, mid-record: cut back to the last
 * whole record; the retry a second later goes on from there and fails the
 * same way once more; then the records go out whole, nothing lost, every
 * record in order. */
static void records_cut_back_then_written(void **state)
{
    struct fixture *f = *state;
    char err[NS_ERRBUF_SIZE];
    uint8_t rec[2048];
    struct script sc = { .chunk = 700, .fail_after = 30000 + 3, .err = ENOSPC, .fail_calls = 1 };
    struct logfile_opts o = rec_opts(f, &sc);
    struct logfile *lf = logfile_open(&o, err);
    assert_non_null(lf);
    unsigned i = 0;
    while (sc.fail_calls)
        assert_int_equal(logfile_write(lf, rec, make_rec(rec, i++)), NS_OK);
    uint64_t cut_at = sc.fail_after;         /* where the file was when it failed */
    for (int round = 0; round < 2; round++) {
        unsigned next = 0;
        check_recs(f->path, &next, ~0u);     /* whole right after the failure */
        struct stat sb;
        assert_int_equal(stat(f->path, &sb), 0);
        assert_true((uint64_t)sb.st_size < cut_at && (uint64_t)sb.st_size > cut_at - 1016);
        if (round)
            break;
        sc.fail_after = sc.out + 20000 + 7;  /* the retry: cut once more */
        sc.fail_calls = 1;
        cut_at = (uint64_t)sb.st_size + 20000 + 7;
        usleep(1100 * 1000);
        logfile_tick(lf, true);
        assert_int_equal(sc.fail_calls, 0);
    }
    for (unsigned k = 0; k < 100; k++, i++)
        assert_int_equal(logfile_write(lf, rec, make_rec(rec, i)), NS_OK);
    struct logfile_stats st;
    assert_int_equal(logfile_close(lf, &st), 0);
    assert_int_equal(st.written, i);
    unsigned next = 0;
    assert_int_equal(check_recs(f->path, &next, ~0u), i);
}

/* A record half written when the file is closed for good (here: a reader
 * that stops, EAGAIN, then mv + SIGHUP): the half is cut off the old
 * file, the rest of the record dropped (counted), the new file starts
 * with the header and whole records. */
static void records_cut_tail_dropped_on_reopen(void **state)
{
    struct fixture *f = *state;
    char err[NS_ERRBUF_SIZE], moved[160];
    uint8_t rec[2048];
    unsigned n = 0;
    size_t at = 0;
    while (at < 20000)                      /* a failure in the middle of record n */
        at += make_rec(rec, n++);
    struct script sc = { .fail_after = 24 + at - 9, .err = EAGAIN, .fail_calls = ~0u };
    struct logfile_opts o = rec_opts(f, &sc);
    struct logfile *lf = logfile_open(&o, err);
    assert_non_null(lf);
    for (unsigned i = 0; i < 50; i++)
        assert_int_equal(logfile_write(lf, rec, make_rec(rec, i)), NS_OK);
    logfile_flush(lf);                       /* stalls after 24 + at - 9 bytes */
    struct logfile_stats st;
    logfile_get_stats(lf, &st);
    assert_int_equal(st.written, n - 1);
    sc.fail_calls = 0;
    snprintf(moved, sizeof(moved), "%s.1", f->path);
    assert_int_equal(rename(f->path, moved), 0);
    logfile_reopen_all();
    logfile_tick(lf, false);
    for (unsigned i = 50; i < 60; i++)
        assert_int_equal(logfile_write(lf, rec, make_rec(rec, i)), NS_OK);
    assert_int_equal(logfile_close(lf, &st), EAGAIN);     /* one record lost */
    adds_up(&st);
    assert_int_equal(st.lines, 60);
    assert_int_equal(st.dropped[LOGF_DROP_SLOW_CONSUMER], 1);
    assert_int_equal(st.written, 59);
    unsigned next = 0;
    assert_int_equal(check_recs(moved, &next, ~0u), n - 1);
    assert_int_equal(check_recs(f->path, &next, n - 1), 60 - n);
}

/* Rotation by size: every file starts with the header and holds whole
 * records, at most rotate_size bytes; all of them, in order. */
static void records_rotate(void **state)
{
    struct fixture *f = *state;
    char err[NS_ERRBUF_SIZE];
    static char names[64][160];
    uint8_t rec[2048];
    struct logfile_opts o = rec_opts(f, NULL);
    o.rotate_size = 4096;
    struct logfile *lf = logfile_open(&o, err);
    assert_non_null(lf);
    for (unsigned i = 0; i < 200; i++)
        assert_int_equal(logfile_write(lf, rec, make_rec(rec, i)), NS_OK);
    struct logfile_stats st;
    assert_int_equal(logfile_close(lf, &st), 0);
    unsigned nf = rotated_files(f, names, 64), next = 0;
    assert_true(nf > 10);
    assert_int_equal(st.rotations, nf - 1);
    for (unsigned k = 0; k < nf; k++) {
        struct stat sb;
        assert_int_equal(stat(names[k], &sb), 0);
        assert_true(sb.st_size <= 4096);
        assert_true(check_recs(names[k], &next, ~0u) >= 1);
    }
    assert_int_equal(next, 200);
    /* smaller than a header and a record: one record per file, and no
     * file with the header alone */
    char cmd[160];
    snprintf(cmd, sizeof(cmd), "rm -f %s/eve.json*", f->dir);
    assert_int_equal(system(cmd), 0);
    o.rotate_size = 30;
    lf = logfile_open(&o, err);
    assert_non_null(lf);
    for (unsigned i = 0; i < 20; i++)
        assert_int_equal(logfile_write(lf, rec, make_rec(rec, i)), NS_OK);
    assert_int_equal(logfile_close(lf, &st), 0);
    nf = rotated_files(f, names, 64);
    assert_int_equal(nf, 20);
    next = 0;
    for (unsigned k = 0; k < nf; k++)
        assert_int_equal(check_recs(names[k], &next, ~0u), 1);
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
        cmocka_unit_test_setup_teardown(header_starts_every_file, setup, teardown),
        cmocka_unit_test_setup_teardown(header_once_per_fifo_reader, setup, teardown),
        cmocka_unit_test_setup_teardown(header_failure_is_failed_open, setup, teardown),
        cmocka_unit_test_setup_teardown(records_short_writes_then_disk_full, setup, teardown),
        cmocka_unit_test_setup_teardown(records_cut_back_then_written, setup, teardown),
        cmocka_unit_test_setup_teardown(records_cut_tail_dropped_on_reopen, setup, teardown),
        cmocka_unit_test_setup_teardown(records_rotate, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
