/* engine/worker.h: one worker thread.  It owns its decoder state, flow
 * table and EVE formatting context, consumes the records of its input ring
 * and produces EVE lines and stats snapshots on its output ring.  Nothing
 * it owns is touched by another thread while it runs. */
#ifndef WORKER_H
#define WORKER_H

#include "engine/config.h"
#include "output/ring.h"

struct worker;

/* in and out stay owned by the caller and must outlive the worker. */
struct worker *worker_create(unsigned id, const struct ns_config *cfg, int dlt,
                             const char *pcap_filename, struct ring *in,
                             struct ring *out, char *errbuf) NS_MUST_CHECK;
/* Live capture: the worker reads its own AF_PACKET ring instead of the
 * input ring (in may then be NULL).  afp stays the caller's. */
struct afp_sock;
struct live_ctl;
void worker_set_live(struct worker *w, struct afp_sock *afp, struct live_ctl *ctl);
/* Rules: the worker runs the generation *slot points to (RCU: the slot
 * is read under rcu_read_lock per packet, and may be swapped at any time
 * by the reloader, which frees the old one after a grace period).  The
 * worker's context in a generation is th[id].  NULL: no rules. */
struct detect_gen;
int worker_set_detect(struct worker *w, struct detect_gen **slot, char *errbuf) NS_MUST_CHECK;
/* Copy every frame to the writer for -w. */
void worker_set_pcap_out(struct worker *w, bool on);
/* Packets taken from the live ring so far (any thread may read it). */
uint64_t worker_live_read(const struct worker *w);
int worker_start(struct worker *w, char *errbuf) NS_MUST_CHECK;
void worker_join(struct worker *w);
void worker_destroy(struct worker *w);          /* NULL ok */

#endif
