/* engine/top.c: the `netscope top` feed and curses UI (see top.h). */
#include "engine/top.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

void top_feed_init(struct top_feed *f, const char *source)
{
    pthread_mutex_init(&f->lock, NULL);
    top_view_init(&f->v, source);
}

void top_feed_fini(struct top_feed *f)
{
    pthread_mutex_destroy(&f->lock);
}

void top_feed_snapshot(struct top_feed *f, const struct ns_snap *s)
{
    pthread_mutex_lock(&f->lock);
    top_view_snapshot(&f->v, s);
    pthread_mutex_unlock(&f->lock);
}

void top_feed_talkers(struct top_feed *f, const struct rollup_acc *a)
{
    pthread_mutex_lock(&f->lock);
    top_view_talkers(&f->v, a);
    pthread_mutex_unlock(&f->lock);
}

void top_feed_alert(struct top_feed *f, const char *line, size_t len)
{
    pthread_mutex_lock(&f->lock);
    top_view_alert(&f->v, line, len);
    pthread_mutex_unlock(&f->lock);
}

struct top_ui {
    struct top_feed *f;
    atomic_bool *stop;
    pthread_t thread;
    struct top_view copy;                        /* drawn outside the lock */
    char lines[TOP_VIEW_LINES][TOP_VIEW_COLS];
};

static void top_ui_draw(struct top_ui *ui)
{
    pthread_mutex_lock(&ui->f->lock);
    ui->copy = ui->f->v;
    pthread_mutex_unlock(&ui->f->lock);
    unsigned n = top_view_render(&ui->copy, ui->lines, TOP_VIEW_LINES);
    erase();
    int rows = LINES, cols = COLS;
    for (unsigned i = 0; i < n && (int)i < rows; i++)
        mvaddnstr((int)i, 0, ui->lines[i], cols);
    refresh();
}

/* Redraws every second; 'q' (or *stop set by the signal handler)
 * ends it. */
static void *top_ui_main(void *arg)
{
    struct top_ui *ui = arg;
    for (;;) {
        top_ui_draw(ui);
        int ch = getch();                        /* timeout(1000): at most 1 s */
        if (ch == 'q' || ch == 'Q') {
            atomic_store_explicit(ui->stop, true, memory_order_relaxed);
            break;
        }
        if (atomic_load_explicit(ui->stop, memory_order_relaxed))
            break;
    }
    endwin();
    return NULL;
}

struct top_ui *top_ui_start(struct top_feed *f, atomic_bool *stop, char *errbuf)
{
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        snprintf(errbuf, NS_ERRBUF_SIZE, "top: standard input and output must be a terminal");
        return NULL;
    }
    struct top_ui *ui = calloc(1, sizeof(*ui));
    if (!ui) {
        snprintf(errbuf, NS_ERRBUF_SIZE, "top: out of memory");
        return NULL;
    }
    ui->f = f;
    ui->stop = stop;
    if (!initscr()) {
        snprintf(errbuf, NS_ERRBUF_SIZE, "top: initscr failed (TERM=%s)",
                 getenv("TERM") ? getenv("TERM") : "");
        free(ui);
        return NULL;
    }
    cbreak();
    noecho();
    curs_set(0);
    timeout(1000);
    int rc = pthread_create(&ui->thread, NULL, top_ui_main, ui);
    if (rc != 0) {
        endwin();
        snprintf(errbuf, NS_ERRBUF_SIZE, "top: pthread_create: %s", strerror(rc));
        free(ui);
        return NULL;
    }
    (void)pthread_setname_np(ui->thread, "ns-top-ui");
    return ui;
}

void top_ui_join(struct top_ui *ui)
{
    if (!ui)
        return;
    pthread_join(ui->thread, NULL);
    free(ui);
}
