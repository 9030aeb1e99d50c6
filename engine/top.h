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
#include <signal.h>

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
 * *stop is set otherwise (the SIGINT/SIGTERM handler).  stop is the flag
 * the reader polls (reader_run): a volatile sig_atomic_t written by one
 * thread and read by another, good enough for a flag only ever set to 1.  top_ui_start returns NS_OK or an error with errbuf set (no
 * terminal); top_ui_join waits for the quit. */
struct top_ui;
struct top_ui *top_ui_start(struct top_feed *f, volatile sig_atomic_t *stop, char *errbuf) NS_MUST_CHECK;
void top_ui_join(struct top_ui *ui);

#endif
