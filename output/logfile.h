/* output/logfile.h: an append-only file of whole lines (eve.json, the CSV
 * files) or whole binary records (the -w pcap), owned by the writer thread.
 *
 * Promise: the file only ever grows by whole lines.  Lines are copied into
 * one buffer and leave it by write(2) at line boundaries; a short write is
 * retried, and a write that fails after part of a line went out (ENOSPC,
 * EIO, ...) is undone with ftruncate back to the last complete line
 * (regular files; a pipe gets the rest of the line later instead).  So
 * after SIGKILL only the last line can be cut, and after logfile_close
 * every line is whole (on a pipe, unless the reader is stalled then).
 *
 * Lines end with '\n' and must hold no other '\n'.  With rec_len set the
 * file holds binary records instead, whose length rec_len reads from their
 * first bytes (a pcap record: 16 + caplen); everything said here of lines
 * holds for them.  An optional header (a pcap global header, a CSV header
 * row) starts every file logfile opens empty: the first one, each one
 * after a rotation, and a new PATH after a reopen, so each file stands on
 * its own.  It is not a line (not counted); when it cannot be written the
 * open failed (open_failed, retried).
 *
 * Never silently lossy: every line handed to logfile_write is, at any
 * time, exactly one of written, pending (in the buffer) or dropped under
 * one reason (logfile_stats: lines = written + pending + sum dropped).
 * Each failure gives one line on the message stream naming the file and
 * the error when it starts, and one when writing works again.
 *
 * Never blocks for ever: a pipe or FIFO whose reader does not take bytes
 * for write_timeout_ms makes the file "stalled": lines that do not fit the
 * buffer are then dropped (slow_consumer) until the reader catches up,
 * and the time spent waiting is counted (blocked_ms).  Failed writes and
 * failed opens are retried once a second, never per line.
 *
 * Rotation (size, interval) renames the file to PATH.YYYYmmdd-HHMMSS[.N]
 * at a line boundary after everything buffered was written, then opens a
 * new PATH.  logfile_reopen_all() (async-signal-safe: SIGHUP) makes every
 * logfile reopen PATH at its next tick, for an external logrotate that
 * moved the file away.  A file deleted or moved underneath is noticed
 * within a second and PATH opened again.
 *
 * Not thread-safe: one thread (the writer) calls everything except
 * logfile_reopen_all. */
#ifndef LOGFILE_H
#define LOGFILE_H

#include <stdio.h>
#include <sys/types.h>

#include "engine/ns_common.h"

/* Why lines were dropped: stats output.dropped.<name>. */
#define LOGFILE_DROP_REASONS(X)                 \
    X(DISK_FULL,     "disk_full")               \
    X(WRITE_ERROR,   "write_error")             \
    X(OPEN_FAILED,   "open_failed")             \
    X(SLOW_CONSUMER, "slow_consumer")           \
    X(DELETED,       "file_deleted")

enum logfile_drop {
#define LOGFILE_DROP_ENUM(id, name) LOGF_DROP_##id,
    LOGFILE_DROP_REASONS(LOGFILE_DROP_ENUM)
#undef LOGFILE_DROP_ENUM
    LOGF_DROP_MAX
};

struct logfile_stats {
    uint64_t lines;              /* handed to logfile_write */
    uint64_t written;            /* lines the file took whole */
    uint64_t pending;            /* lines in the buffer now */
    uint64_t dropped[LOGF_DROP_MAX];
    uint64_t write_errors;       /* failed write(2), ftruncate, open or rename calls */
    uint64_t reopens;            /* SIGHUP, or the file deleted or moved underneath */
    uint64_t rotations;          /* by size or interval */
    uint64_t blocked_ms;         /* waited for a slow reader (pipe, FIFO) */
};

struct logfile_opts {
    const char *path;
    uint64_t rotate_size;        /* bytes; 0: never */
    uint32_t rotate_interval_s;  /* wall-clock seconds; 0: never */
    uint32_t write_timeout_ms;   /* longest wait for a reader that takes nothing */
    FILE *msg;                   /* one-line messages ("netscope: PATH: ..."); NULL: none */
    const char *unit;            /* in messages: what is dropped; NULL: "lines" */
    const char *stats;           /* in messages: stats STATS.dropped.*; NULL: "output" */
    bool truncate;               /* logfile_open empties PATH (later opens append) */
    /* Written first into every regular file opened with size 0, and into
     * a pipe or FIFO on the first open and after its reader left; copied */
    const void *header;
    size_t header_len;           /* 0: no header */
    /* Binary records: the length of the record at rec (> 0; the whole
     * record is in memory).  NULL: lines, found by '\n'. */
    size_t (*rec_len)(const void *rec);
    size_t line_max;             /* the largest line or record; 0: LOGFILE_LINE_MAX */
    /* tests: replaces write(2) (a short write, ENOSPC, EAGAIN on demand) */
    ssize_t (*write_fn)(int fd, const void *p, size_t n, void *ctx);
    void *write_ctx;
};

/* Largest line logfile_write takes unless line_max says otherwise (the
 * rest are dropped as write_error). */
#define LOGFILE_LINE_MAX (64u * 1024u)

struct logfile;

/* Opens (creates) o->path for appending.  NULL with errbuf naming the path
 * and the errno when it cannot be opened (an unwritable directory, a FIFO
 * with no reader: ENXIO). */
struct logfile *logfile_open(const struct logfile_opts *o, char *errbuf) NS_MUST_CHECK;
/* One line of n bytes ending in '\n' (or one record: rec_len(line) == n).
 * NS_OK when it was taken (buffered or written), NS_ERR_IO when it was
 * dropped (counted by reason). */
int logfile_write(struct logfile *lf, const void *line, size_t n);
/* Writes what is buffered (waiting up to write_timeout_ms for a slow
 * reader). */
void logfile_flush(struct logfile *lf);
/* Called often by the writer (every loop, idle or not): at most every
 * 50 ms it flushes lines older than that, rotates by interval, reopens
 * after logfile_reopen_all, and once a second checks that PATH is still
 * the open file and retries a failed write or open.  idle: the caller has
 * nothing else to do, so flush now. */
void logfile_tick(struct logfile *lf, bool idle);
/* Async-signal-safe. */
void logfile_reopen_all(void);
void logfile_get_stats(const struct logfile *lf, struct logfile_stats *st);
const char *logfile_drop_name(unsigned reason);
/* Flushes (waiting as logfile_flush does), counts what could not be
 * written as dropped, closes.  Returns the first errno of the run that
 * lost lines, 0 when none were lost.  NULL ok. */
int logfile_close(struct logfile *lf, struct logfile_stats *final);

#endif
