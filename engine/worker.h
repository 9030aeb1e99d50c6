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
int worker_start(struct worker *w, char *errbuf) NS_MUST_CHECK;
void worker_join(struct worker *w);
void worker_destroy(struct worker *w);          /* NULL ok */

#endif
