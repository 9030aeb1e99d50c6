/* output/logfile.c: whole-line appends with error accounting (logfile.h).
 *
 * The buffer holds [off, len): bytes not yet written, which always end
 * with a complete line.  nrec counts the '\n' in it, so a complete write
 * moves nrec lines to written without looking at the bytes; only a short
 * write counts newlines (memchr).  Every line handed in is counted once as
 * lines, and then moves to written or dropped[reason]; the rest is nrec.
 * Binary records have no end mark: a short write walks them by rec_len
 * from the first record boundary in the bytes written, which rec_rest
 * says (the rest of a record whose start went out before), so a record is
 * never parsed from its middle.
 *
 * line_end is the file offset just after the last complete line written
 * to the current file, size the offset after the last byte: they differ
 * only while a line is half written.  When a write then fails, the file is
 * cut back to line_end (regular files) and off rewound, so the half line
 * is written again whole later, or dropped whole.
 *
 * Failure handling is one episode at a time: err (the errno) and reason
 * are set by the first failure, which prints one message; every retry is
 * gated by retry_ns (1 s for errors, 10 ms for a stalled reader), and the
 * first complete write ends the episode with one more message.  While err
 * is set, lines stay in the buffer until it is full, then new lines are
 * dropped under reason: the oldest are kept, in order. */
#include "output/logfile.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Writes start once this much is buffered: 64 KiB stays in the L2 cache
 * while the kernel copies it (engine/writer.c measured 1 MiB to be
 * slower).  The buffer holds four times that, so a failing disk or a
 * stalled reader has a little backlog before lines are dropped. */
#define LOGFILE_FLUSH_AT (64u << 10)
#define LOGFILE_BUF      (4u * LOGFILE_FLUSH_AT)     /* + line_max */

#define MS_NS             1000000ull
#define LOGFILE_TICK_NS   (50 * MS_NS)     /* age-based flush, checks */
#define LOGFILE_IDLE_NS   (5 * MS_NS)      /* idle writer: flush this old */
#define LOGFILE_CHECK_NS  (1000 * MS_NS)   /* deleted/moved, retries */
#define LOGFILE_STALL_NS  (10 * MS_NS)     /* stalled reader: retry */

struct logfile {
    char *path;
    int fd;                      /* -1: not open (open failed) */
    bool is_reg;                 /* truncate and stat checks only there */
    dev_t dev;
    ino_t ino;
    uint64_t size, line_end;     /* of the open file */
    uint64_t data_start;         /* after the header written at open; 0: none */
    char *buf;
    size_t off, len;
    size_t buf_size, line_max;
    uint64_t nrec;               /* lines in [off, len) */
    size_t rec_rest;             /* records: the bytes at off that end a record cut before */
    char *header;                /* owned copy of o.header */
    struct logfile_stats st;
    uint64_t since_check;        /* lines written since the last stat check */
    /* the current failure episode */
    int err;                     /* 0: none */
    enum logfile_drop reason;
    uint64_t retry_ns;
    uint64_t episode_dropped;
    int first_err;               /* errno of the first episode that lost lines */
    bool rotate_failed;          /* until the next check: no rename per line */
    /* timing (CLOCK_MONOTONIC ns) */
    uint64_t last_push_ns, next_tick_ns, next_check_ns, next_rotate_ns;
    unsigned hup_gen;
    struct logfile_opts o;
};

/* Bumped by SIGHUP; each logfile compares it with the one it last saw. */
static atomic_uint logfile_hup_gen;

static const char *const logfile_drop_names[] = {
#define LOGFILE_DROP_NAME(id, name) name,
    LOGFILE_DROP_REASONS(LOGFILE_DROP_NAME)
#undef LOGFILE_DROP_NAME
};

const char *logfile_drop_name(unsigned reason)
{
    return reason < LOGF_DROP_MAX ? logfile_drop_names[reason] : "?";
}

void logfile_reopen_all(void)
{
    /* lock-free on every target we build for: async-signal-safe */
    atomic_fetch_add_explicit(&logfile_hup_gen, 1, memory_order_relaxed);
}

static uint64_t lf_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void lf_msg(const struct logfile *lf, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void lf_msg(const struct logfile *lf, const char *fmt, ...)
{
    if (!lf->o.msg)
        return;
    char line[NS_ERRBUF_SIZE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    fprintf(lf->o.msg, "netscope: %s: %s\n", lf->path, line);
}

static enum logfile_drop lf_reason(int e)
{
    if (e == ENOSPC || e == EDQUOT)
        return LOGF_DROP_DISK_FULL;
    if (e == EAGAIN || e == EWOULDBLOCK)
        return LOGF_DROP_SLOW_CONSUMER;
    return LOGF_DROP_WRITE_ERROR;
}

/* The start of a failure episode (one message), or a later failure in it. */
static void lf_fail(struct logfile *lf, int e, enum logfile_drop reason, const char *what)
{
    uint64_t now = lf_now();
    if (e != EAGAIN)
        lf->st.write_errors++;
    if (!lf->err) {
        lf->episode_dropped = 0;
        if (reason == LOGF_DROP_SLOW_CONSUMER)
            lf_msg(lf, "the reader took nothing for %u ms: %s that do not fit the %u KiB "
                       "buffer are dropped until it reads again (stats %s.dropped.%s)",
                   lf->o.write_timeout_ms, lf->o.unit, (unsigned)(lf->buf_size >> 10),
                   lf->o.stats, logfile_drop_name(reason));
        else
            lf_msg(lf, "%s: %s; retrying every second, %s that do not fit the %u KiB buffer "
                       "are dropped meanwhile (stats %s.dropped.%s)",
                   what, strerror(e), lf->o.unit, (unsigned)(lf->buf_size >> 10), lf->o.stats,
                   logfile_drop_name(reason));
    }
    lf->err = e;
    lf->reason = reason;
    lf->retry_ns = now + (reason == LOGF_DROP_SLOW_CONSUMER ? LOGFILE_STALL_NS : LOGFILE_CHECK_NS);
}

/* The episode is over: everything buffered was written. */
static void lf_recovered(struct logfile *lf)
{
    if (!lf->err)
        return;
    lf_msg(lf, "writing again (%llu %s dropped as %s meanwhile)",
           (unsigned long long)lf->episode_dropped, lf->o.unit, logfile_drop_name(lf->reason));
    lf->err = 0;
}

static void lf_drop(struct logfile *lf, enum logfile_drop reason, uint64_t n)
{
    if (!n)
        return;
    lf->st.dropped[reason] += n;
    lf->episode_dropped += n;
    if (!lf->first_err)
        lf->first_err = lf->err ? lf->err : EIO;
}

static ssize_t lf_sys_write(struct logfile *lf, const void *p, size_t n)
{
    if (lf->o.write_fn)
        return lf->o.write_fn(lf->fd, p, n, lf->o.write_ctx);
    return write(lf->fd, p, n);
}

static uint64_t lf_count_nl(const char *p, size_t n)
{
    uint64_t c = 0;
    const char *end = p + n;
    while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        c++;
        p++;
    }
    return c;
}

/* The whole records among the k bytes at p just written (from file offset
 * size, starting rec_rest bytes before a record boundary); moves line_end
 * past the last of them and keeps rec_rest for the next write. */
static uint64_t lf_count_recs(struct logfile *lf, const char *p, size_t k)
{
    if (lf->rec_rest > k) {
        lf->rec_rest -= k;
        return 0;
    }
    size_t at = lf->rec_rest;
    uint64_t c = at ? 1 : 0;
    if (at)
        lf->line_end = lf->size + at;
    lf->rec_rest = 0;
    while (at < k) {
        size_t r = lf->o.rec_len(p + at);     /* whole: the buffer ends with a record */
        if (r > k - at) {
            lf->rec_rest = r - (k - at);
            break;
        }
        at += r;
        c++;
        lf->line_end = lf->size + at;
    }
    return c;
}

/* A write failed after part of a line went out: cut the file back to the
 * last complete line and rewind, so the line goes out whole later.  Only
 * when its first bytes are still in the buffer (they are unless an earlier
 * truncation failed too). */
static void lf_undo_partial(struct logfile *lf)
{
    uint64_t part = lf->size - lf->line_end;
    if (!part || !lf->is_reg || part > lf->off)
        return;
    if (ftruncate(lf->fd, (off_t)lf->line_end) != 0) {
        lf->st.write_errors++;
        return;                   /* the rest of the line follows later */
    }
    lf->size = lf->line_end;
    lf->off -= part;
    lf->rec_rest = 0;             /* off is at the record's start again */
}

/* Writes [off, len).  wait: on EAGAIN, poll up to write_timeout_ms for the
 * reader (not when already stalled).  Returns true when all was written. */
static bool lf_push(struct logfile *lf, bool wait)
{
    uint64_t waited = 0;
    lf->last_push_ns = lf_now();
    if (lf->fd < 0)
        return lf->off == lf->len;
    while (lf->off < lf->len) {
        ssize_t n = lf_sys_write(lf, lf->buf + lf->off, lf->len - lf->off);
        if (n > 0) {
            size_t k = (size_t)n;
            const char *chunk = lf->buf + lf->off;
            uint64_t lines;
            if (lf->off + k == lf->len) {
                lines = lf->nrec;          /* the buffer ends with a line */
                lf->line_end = lf->size + k;
                lf->rec_rest = 0;
            } else if (lf->o.rec_len) {
                lines = lf_count_recs(lf, chunk, k);
            } else {
                lines = lf_count_nl(chunk, k);
                const char *nl = memrchr(chunk, '\n', k);
                if (nl)
                    lf->line_end = lf->size + (uint64_t)(nl - chunk) + 1;
            }
            lf->nrec -= lines;
            lf->st.written += lines;
            lf->since_check += lines;
            lf->off += k;
            lf->size += k;
            if (lf->err == EAGAIN)
                lf_recovered(lf);          /* the reader is back */
            continue;
        }
        int e = n < 0 ? errno : EIO;       /* 0 for a non-empty write: an error */
        if (e == EINTR)
            continue;
        if (e == EAGAIN || e == EWOULDBLOCK) {
            if (!wait || lf->err == EAGAIN)
                break;
            uint64_t limit = (uint64_t)lf->o.write_timeout_ms * MS_NS;
            if (waited >= limit) {
                lf_fail(lf, EAGAIN, LOGF_DROP_SLOW_CONSUMER, "write");
                break;
            }
            struct pollfd pfd = { .fd = lf->fd, .events = POLLOUT };
            uint64_t t0 = lf_now();
            int ms = (int)((limit - waited + MS_NS - 1) / MS_NS);
            (void)poll(&pfd, 1, ms);
            uint64_t dt = lf_now() - t0;
            waited += dt;
            lf->st.blocked_ms += dt / MS_NS;
            continue;
        }
        lf_undo_partial(lf);
        lf_fail(lf, e, lf_reason(e), "write");
        break;
    }
    if (lf->off == lf->len) {
        lf->off = lf->len = 0;
        lf_recovered(lf);
        return true;
    }
    if (lf->off) {
        memmove(lf->buf, lf->buf + lf->off, lf->len - lf->off);
        lf->len -= lf->off;
        lf->off = 0;
    }
    return false;
}

static void lf_close_fd(struct logfile *lf)
{
    if (lf->fd < 0)
        return;
    if (close(lf->fd) != 0 && errno != EINTR)
        lf->st.write_errors++;
    lf->fd = -1;
}

/* The header, whole, into the file just opened (size 0).  Returns the
 * errno when it cannot be written: the file is then emptied again (so the
 * next open writes the header again) and closed. */
static int lf_put_header(struct logfile *lf)
{
    size_t done = 0;
    while (done < lf->o.header_len) {
        ssize_t n = lf_sys_write(lf, lf->header + done, lf->o.header_len - done);
        if (n > 0) {
            done += (size_t)n;
            continue;
        }
        int e = n < 0 ? errno : EIO;
        if (e == EINTR)
            continue;
        /* a pipe takes a header of up to PIPE_BUF bytes whole or not at all */
        if (done && lf->is_reg && ftruncate(lf->fd, 0) != 0)
            lf->st.write_errors++;
        lf_close_fd(lf);
        return e;
    }
    lf->size = lf->line_end = lf->data_start = done;
    return 0;
}

/* Opens PATH (oflags: O_TRUNC or 0).  The header goes into a regular file
 * that is empty, and into a pipe or FIFO when new_reader (the first open,
 * or the last reader left): a SIGHUP reopen of a FIFO whose reader stayed
 * continues its stream. */
static int lf_open_fd(struct logfile *lf, int oflags, bool new_reader)
{
    /* O_NONBLOCK: a FIFO without a reader fails (ENXIO) instead of
     * blocking here, and a full pipe says EAGAIN (write_timeout_ms
     * applies); regular files ignore it */
    int fd = open(lf->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NONBLOCK | oflags, 0644);
    if (fd < 0)
        return errno;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return e;
    }
    lf->fd = fd;
    lf->is_reg = S_ISREG(st.st_mode);
    lf->dev = st.st_dev;
    lf->ino = st.st_ino;
    lf->size = lf->is_reg ? (uint64_t)st.st_size : 0;
    lf->line_end = lf->size;
    lf->data_start = 0;
    lf->since_check = 0;
    lf->next_rotate_ns = lf->o.rotate_interval_s
                             ? lf_now() + (uint64_t)lf->o.rotate_interval_s * 1000 * MS_NS : 0;
    if (lf->o.header_len && (lf->is_reg ? lf->size == 0 : new_reader))
        return lf_put_header(lf);
    return 0;
}

/* The front of the buffer continues a line whose start went to the file
 * being closed: it cannot start the next file.  The start is cut off a
 * regular file, the rest dropped: the line is dropped whole. */
static void lf_drop_line_tail(struct logfile *lf)
{
    if (lf->size == lf->line_end || lf->off == lf->len)
        return;
    if (lf->fd >= 0 && lf->is_reg && ftruncate(lf->fd, (off_t)lf->line_end) != 0)
        lf->st.write_errors++;
    if (lf->o.rec_len) {
        lf->off += lf->rec_rest;
        lf->rec_rest = 0;
    } else {
        const char *nl = memchr(lf->buf + lf->off, '\n', lf->len - lf->off);
        if (!nl)
            return;               /* cannot happen: the buffer ends with a line */
        lf->off = (size_t)(nl - lf->buf) + 1;
    }
    lf->size = lf->line_end;      /* nothing half written any more */
    lf->nrec--;
    lf_drop(lf, lf->err ? lf->reason : LOGF_DROP_WRITE_ERROR, 1);
    if (lf->off == lf->len)
        lf->off = lf->len = 0;
}

/* Opens PATH again (SIGHUP, deleted or moved).  What is buffered goes to
 * the old file first when it can and flush_old (not when it was deleted),
 * else to the new one. */
static void lf_reopen(struct logfile *lf, bool flush_old)
{
    if (flush_old && lf->fd >= 0 && lf->err != EAGAIN)
        (void)lf_push(lf, false);
    bool same_reader = lf->fd >= 0 && !lf->is_reg;
    if (!same_reader)
        lf_drop_line_tail(lf);
    lf_close_fd(lf);
    lf->st.reopens++;
    int e = lf_open_fd(lf, 0, !same_reader);
    if (e) {
        lf_fail(lf, e, LOGF_DROP_OPEN_FAILED, "open");
        return;
    }
    lf->retry_ns = 0;            /* an open_failed episode ends with a write */
    (void)lf_push(lf, true);
}

/* PATH -> PATH.YYYYmmdd-HHMMSS[.N], at a line boundary, then a new PATH. */
static void lf_rotate(struct logfile *lf)
{
    if (lf->fd < 0 || !lf->is_reg || lf->rotate_failed || lf->err || !lf_push(lf, true))
        return;
    if (lf->size == lf->data_start)
        return;                   /* nothing to rotate (a header at most) */
    char stamp[32], name[PATH_MAX + 48];
    time_t t = time(NULL);
    struct tm tm;
    if (!localtime_r(&t, &tm) || !strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm))
        snprintf(stamp, sizeof(stamp), "%lld", (long long)t);
    int rc = -1;
    for (unsigned k = 0; k < 1000; k++) {
        if (k == 0)
            snprintf(name, sizeof(name), "%s.%s", lf->path, stamp);
        else
            snprintf(name, sizeof(name), "%s.%s.%u", lf->path, stamp, k);
        rc = renameat2(AT_FDCWD, lf->path, AT_FDCWD, name, RENAME_NOREPLACE);
        if (rc == 0 || errno != EEXIST)
            break;
    }
    if (rc != 0) {
        lf->st.write_errors++;
        lf->rotate_failed = true;
        lf_msg(lf, "rotation: rename to %s: %s; still writing to %s", name, strerror(errno),
               lf->path);
        return;
    }
    lf_close_fd(lf);
    lf->st.rotations++;
    int e = lf_open_fd(lf, 0, true);
    if (e)
        lf_fail(lf, e, LOGF_DROP_OPEN_FAILED, "open after rotation");
}

struct logfile *logfile_open(const struct logfile_opts *o, char *errbuf)
{
    struct logfile *lf = calloc(1, sizeof(*lf));
    if (!lf)
        goto err_nomem;
    lf->fd = -1;
    lf->o = *o;
    if (!lf->o.unit)
        lf->o.unit = "lines";
    if (!lf->o.stats)
        lf->o.stats = "output";
    lf->line_max = o->line_max ? o->line_max : LOGFILE_LINE_MAX;
    lf->buf_size = LOGFILE_BUF + lf->line_max;
    lf->path = strdup(o->path);
    lf->buf = malloc(lf->buf_size);
    if (o->header_len && (lf->header = malloc(o->header_len)))
        memcpy(lf->header, o->header, o->header_len);
    if (!lf->path || !lf->buf || (o->header_len && !lf->header))
        goto err_nomem;
    if (strlen(o->path) >= PATH_MAX) {
        snprintf(errbuf, NS_ERRBUF_SIZE, "%s: path too long", o->path);
        goto err;
    }
    lf->o.path = lf->path;
    lf->hup_gen = atomic_load_explicit(&logfile_hup_gen, memory_order_relaxed);
    int e = lf_open_fd(lf, o->truncate ? O_TRUNC : 0, true);
    if (e) {
        snprintf(errbuf, NS_ERRBUF_SIZE, "cannot open %s for writing: %s%s", o->path, strerror(e),
                 e == ENXIO ? " (a FIFO with no reader)" : "");
        goto err;
    }
    uint64_t now = lf_now();
    lf->last_push_ns = now;
    lf->next_tick_ns = now + LOGFILE_TICK_NS;
    lf->next_check_ns = now + LOGFILE_CHECK_NS;
    return lf;
err_nomem:
    snprintf(errbuf, NS_ERRBUF_SIZE, "%s: out of memory", o->path);
err:
    if (lf) {
        free(lf->header);
        free(lf->buf);
        free(lf->path);
        free(lf);
    }
    return NULL;
}

/* In an episode whose retry is not due: no syscall. */
static bool lf_gated(struct logfile *lf)
{
    if (!lf->err || lf_now() >= lf->retry_ns)
        return false;
    return true;
}

static void lf_retry(struct logfile *lf)
{
    /* a FIFO whose reader left (EPIPE) needs a new open to find the next,
     * which must not get the rest of a line the last one had started */
    if (lf->fd < 0 || (lf->err == EPIPE && !lf->is_reg)) {
        lf_drop_line_tail(lf);
        lf_close_fd(lf);
        int e = lf_open_fd(lf, 0, true);
        if (e) {
            lf_fail(lf, e, LOGF_DROP_OPEN_FAILED, "open");
            return;
        }
        lf->st.reopens++;
    }
    (void)lf_push(lf, false);
}

int logfile_write(struct logfile *lf, const void *line, size_t n)
{
    if (unlikely(n == 0))
        return NS_OK;
    lf->st.lines++;
    if (unlikely(n > lf->line_max)) {
        lf_drop(lf, LOGF_DROP_WRITE_ERROR, 1);
        return NS_ERR_IO;
    }
    /* rotate by size before the line that would pass the limit */
    if (unlikely(lf->o.rotate_size && lf->size + (lf->len - lf->off) + n > lf->o.rotate_size))
        lf_rotate(lf);
    if (unlikely(lf->len + n > lf->buf_size)) {
        if (!lf_gated(lf)) {
            if (lf->err)
                lf_retry(lf);
            else
                (void)lf_push(lf, true);
        }
        if (lf->len + n > lf->buf_size) {
            lf_drop(lf, lf->err ? lf->reason : LOGF_DROP_WRITE_ERROR, 1);
            return NS_ERR_IO;
        }
    }
    assert(!lf->o.rec_len || lf->o.rec_len(line) == n);
    memcpy(lf->buf + lf->len, line, n);
    lf->len += n;
    lf->nrec++;
    if (lf->len - lf->off >= LOGFILE_FLUSH_AT && !lf->err)
        (void)lf_push(lf, true);
    return NS_OK;
}

void logfile_flush(struct logfile *lf)
{
    if (lf->err)
        lf_retry(lf);
    else
        (void)lf_push(lf, true);
}

/* Once a second: is PATH still the open file? */
static void lf_check_path(struct logfile *lf)
{
    if (lf->fd < 0 || !lf->is_reg)
        return;
    struct stat a, b;
    if (fstat(lf->fd, &a) != 0)
        return;
    if (a.st_nlink == 0) {
        /* whatever went in since the last check went with it: at most a
         * second's lines, counted as dropped rather than written; what is
         * still buffered goes to the new file */
        uint64_t lost = lf->since_check;
        lf->st.written -= lost;
        lf->st.dropped[LOGF_DROP_DELETED] += lost;
        if (lost && !lf->first_err)
            lf->first_err = ENOENT;
        lf_msg(lf, "deleted while open: opening it again; the %llu %s written since the "
                   "last check (at most 1 s) are lost with it (stats %s.dropped.%s)",
               (unsigned long long)lost, lf->o.unit, lf->o.stats,
               logfile_drop_name(LOGF_DROP_DELETED));
        lf_reopen(lf, false);
        return;
    }
    /* only ENOENT or another inode mean moved: after --user, PATH may
     * well be out of reach (EACCES) while the open file is fine */
    int sr = stat(lf->path, &b);
    if ((sr != 0 && errno == ENOENT) ||
        (sr == 0 && (b.st_ino != a.st_ino || b.st_dev != a.st_dev))) {
        lf_msg(lf, "moved or replaced while open (a rotation without SIGHUP?): opening it "
                   "again; the %s written before are in the moved file", lf->o.unit);
        lf_reopen(lf, true);
        return;
    }
    lf->since_check = 0;
}

void logfile_tick(struct logfile *lf, bool idle)
{
    unsigned gen = atomic_load_explicit(&logfile_hup_gen, memory_order_relaxed);
    if (unlikely(gen != lf->hup_gen)) {
        lf->hup_gen = gen;
        lf_reopen(lf, true);
    }
    uint64_t now = lf_now();
    if (lf->len > lf->off && !lf->err && idle && now - lf->last_push_ns >= LOGFILE_IDLE_NS)
        (void)lf_push(lf, true);
    if (now < lf->next_tick_ns)
        return;
    lf->next_tick_ns = now + LOGFILE_TICK_NS;
    if (lf->err) {
        if (now >= lf->retry_ns)
            lf_retry(lf);
    } else if (lf->len > lf->off && now - lf->last_push_ns >= LOGFILE_TICK_NS) {
        (void)lf_push(lf, true);
    }
    if (lf->next_rotate_ns && now >= lf->next_rotate_ns) {
        lf->next_rotate_ns = now + (uint64_t)lf->o.rotate_interval_s * 1000 * MS_NS;
        lf_rotate(lf);
    }
    if (now >= lf->next_check_ns) {
        lf->next_check_ns = now + LOGFILE_CHECK_NS;
        lf->rotate_failed = false;
        lf_check_path(lf);
    }
}

void logfile_get_stats(const struct logfile *lf, struct logfile_stats *st)
{
    *st = lf->st;
    st->pending = lf->nrec;
}

int logfile_close(struct logfile *lf, struct logfile_stats *final)
{
    if (!lf)
        return 0;
    if (lf->err)
        lf_retry(lf);
    if (!lf->err || lf->err == EAGAIN)
        (void)lf_push(lf, true);
    if (lf->nrec) {
        lf_undo_partial(lf);
        enum logfile_drop r = lf->err ? lf->reason : LOGF_DROP_WRITE_ERROR;
        lf_drop(lf, r, lf->nrec);
        lf_msg(lf, "%llu %s could not be written at exit (%s)", (unsigned long long)lf->nrec,
               lf->o.unit, logfile_drop_name(r));
        lf->nrec = 0;
    }
    lf_close_fd(lf);
    if (final)
        logfile_get_stats(lf, final);
    int e = lf->first_err;
    free(lf->header);
    free(lf->buf);
    free(lf->path);
    free(lf);
    return e;
}
