/* engine/writer.h: the one output thread.  It drains every source ring
 * (one per worker, plus the reader's) round-robin into LOGDIR/eve.json,
 * sums the sources' stats snapshots into stats records, and keeps the final
 * totals for the exit summary. */
#ifndef WRITER_H
#define WRITER_H

#include "engine/config.h"
#include "engine/engine_int.h"
#include "output/ring.h"

struct writer;

/* Opens path for appending (as Suricata does).  src stays the caller's. */
struct writer *writer_create(const struct ns_config *cfg, const char *path,
                             const char *pcap_filename, struct ring **src,
                             unsigned nsrc, char *errbuf) NS_MUST_CHECK;
int writer_start(struct writer *wr, char *errbuf) NS_MUST_CHECK;
/* Waits for every source's REC_DONE.  Returns NS_OK, or NS_ERR_IO with
 * errbuf naming the file and errno when a write failed. */
int writer_join(struct writer *wr, char *errbuf);
/* The summed final snapshot (valid after writer_join). */
const struct ns_snap *writer_totals(const struct writer *wr);
uint64_t writer_records(const struct writer *wr);
void writer_destroy(struct writer *wr);          /* NULL ok */

#endif
