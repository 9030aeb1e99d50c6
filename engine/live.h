/* engine/live.h: the live capture run mode (netscope -i IFACE): one
 * AF_PACKET socket and worker per core, one writer; stops on SIGINT or
 * SIGTERM, after -c packets or --duration seconds, or when *stop is set
 * (netscope top's 'q'), drains the rings, flushes every flow and reports
 * what was lost at each stage.
 *
 * Rollups live (--rollup-interval, default 60 s as offline).  Intervals
 * are aligned multiples of the interval on the clock the kernel stamps
 * packets with (CLOCK_REALTIME: packet time is wall time here), and a
 * packet counts in the interval of its timestamp, not of the moment a
 * worker happens to read it: that is what offline does, so a capture of
 * the same traffic rolls up the same, and it does not depend on how late a
 * worker is (a busy one reads packets up to a ring's worth late).  So a
 * worker closes an interval
 *  - busy: at its first packet stamped at or after the end, before that
 *    packet (ring order is arrival order, so the packets before it were
 *    stamped before the end, give or take the few microseconds by which
 *    two CPUs' stamps can cross);
 *  - idle: when it finds its ring empty, having read the wall clock
 *    before it looked, at end + block timeout + 200 ms or later.  The
 *    kernel retires a block at most block-timeout after it opened it, so
 *    by then every packet stamped before the end had been handed over and
 *    read: the interval is complete, and empty if nothing came, however
 *    long the worker was then kept off the CPU.  The writer is never left
 *    waiting for an idle worker.
 * A packet stamped just before a boundary that its worker reads after it
 * has closed the interval (the crossing stamps above, or a kernel late by
 * more than that margin) is counted in the interval that is open: nothing
 * is lost or counted twice, since a rollup's packets and bytes are
 * differences of the decoder counters that the stats records show.
 * Interval numbers are derived from time, the same in every worker, so the
 * writer merges the workers' records of one interval into one record as
 * offline; an interval with nothing in it gets no record (as offline), and
 * a wall-clock step forward skips the numbers between (a step back makes
 * the open interval last until the clock passes its end again).  At stop
 * each worker drains its ring, ends its flows and sends its final
 * interval, ending at the stop; the last merged one is flagged final. */
#ifndef LIVE_H
#define LIVE_H

#include <stdatomic.h>

#include "engine/config.h"

struct detect_gen;
struct top_feed;

struct live_opts {
    const char *eve_path;
    const char *pcap_out;      /* -w, or NULL */
    const char *user;          /* --user: drop root once set up, or NULL */
    uint64_t count;            /* -c, 0: none */
    uint64_t duration_s;       /* --duration, 0: none */
    bool fail_on_loss;         /* any loss makes the exit status 1 */
    /* rules (RCU slot), or NULL.  The caller reloads them (SIGUSR2, taken
     * by its own thread: it must be blocked before live_run so that every
     * thread made here inherits the block). */
    struct detect_gen **detect;
    /* netscope top: the view the writer feeds, or NULL.  The UI runs while
     * the capture does; a signal ends both, --duration and -c only the
     * capture (the view then shows the final counters until 'q'). */
    struct top_feed *top;
    /* Set by the UI's 'q' (and by live_run when a signal stops it), polled
     * with the signals; NULL when there is no UI. */
    atomic_bool *stop;
};

/* Returns the exit status: 0, 1 (loss with fail_on_loss, or output failed)
 * or 2 (setup failed; the message is printed). */
int live_run(struct ns_config *cfg, unsigned nworkers, const struct live_opts *o);

#endif
