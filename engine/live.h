/* engine/live.h: the live capture run mode (netscope -i IFACE): one
 * AF_PACKET socket and worker per core, one writer; stops on SIGINT or
 * SIGTERM, after -c packets or --duration seconds, drains the rings, flushes
 * every flow and reports what was lost at each stage. */
#ifndef LIVE_H
#define LIVE_H

#include "engine/config.h"

struct detect_gen;

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
};

/* Returns the exit status: 0, 1 (loss with fail_on_loss, or output failed)
 * or 2 (setup failed; the message is printed). */
int live_run(struct ns_config *cfg, unsigned nworkers, const struct live_opts *o);

#endif
