/* engine/top.h: `netscope top`, a curses live view of a running engine.
 *
 * The writer thread feeds a struct top_feed (a view model behind a mutex,
 * engine/top_view.h) once per merged stats snapshot and rollup interval,
 * and with every alert line; the UI thread copies the model under the
 * same lock once a second and draws it.  The lock is only ever held for a
 * memcpy-sized update, and only by the writer and the UI: the workers
 * never see it, so a slow terminal cannot slow the capture. */
#ifndef TOP_H
#define TOP_H

#include <pthread.h>
#include <stdatomic.h>

#include "engine/top_view.h"

struct top_feed {
    pthread_mutex_t lock;
    struct top_view v;
};

void top_feed_init(struct top_feed *f, const char *source);
void top_feed_fini(struct top_feed *f);
/* The writer's side (engine/writer.c). */
void top_feed_snapshot(struct top_feed *f, const struct ns_snap *s);
void top_feed_talkers(struct top_feed *f, const struct rollup_acc *a);
void top_feed_alert(struct top_feed *f, const char *line, size_t len);

/* The UI: draws f every second until 'q', which sets *stop, or until
 * *stop is set otherwise (the offline SIGINT/SIGTERM handler, or the live
 * run mode when a signal stops it).  stop is the run's one stop flag: the
 * reader polls it offline (reader_run), live_run's main thread live
 * (engine/live.h).  It is a lock-free C11 atomic, so the signal handler may
 * store it and the threads read it without a data race; it publishes
 * nothing else, so relaxed order is enough.  top_ui_start returns the UI,
 * or NULL with errbuf set (no terminal); top_ui_join waits for the quit.
 * Start it with SIGINT and SIGTERM blocked in the calling thread when they
 * are to be taken by sigwait elsewhere (live): the UI thread inherits the
 * mask. */
struct top_ui;
struct top_ui *top_ui_start(struct top_feed *f, atomic_bool *stop, char *errbuf) NS_MUST_CHECK;
void top_ui_join(struct top_ui *ui);

#endif
