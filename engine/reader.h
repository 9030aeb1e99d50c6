/* engine/reader.h: the capture-file reader.  It reads a pcap or pcapng file
 * (told apart by content, through libpcap), applies the BPF filter, counts
 * every packet once (filtered and unsupported here; the workers count the
 * rest), and hands each frame to the worker chosen by the symmetric hash of
 * its outermost IP address pair, so both directions of a flow and every
 * fragment of a datagram meet in one worker.  Packet time drives the rest:
 * when it enters a new second every worker gets a tick, and every
 * stats-interval seconds a snapshot request, in the same order relative to
 * the packets whatever the number of workers; likewise every
 * rollup_interval seconds (0: none) a rollup boundary, and a final one. */
#ifndef READER_H
#define READER_H

#include <stdatomic.h>
#include <stdio.h>

#include "engine/ns_common.h"
#include "output/ring.h"

struct reader;

/* bpf may be NULL or "" for no filter.  Errors name the file (or quote the
 * filter) in errbuf. */
struct reader *reader_open(const char *path, const char *bpf, char *errbuf) NS_MUST_CHECK;
/* The same over a stream already open (a pipe, fmemopen'd bytes for the
 * fuzzer); the reader owns fp from then on, also on failure, and name is
 * what messages call it. */
struct reader *reader_open_file(FILE *fp, const char *name, const char *bpf,
                                char *errbuf) NS_MUST_CHECK;
int reader_dlt(const struct reader *rd);
/* Reads to the end.  to_workers[n] get the frames, to_writer the reader's
 * own snapshots; every ring gets its REC_EOF / REC_DONE.  Returns NS_OK, or
 * NS_ERR_IO when the file is truncated or corrupt: everything before that
 * point was still delivered, and errbuf names the file and byte offset.
 * When *stop turns true (a signal handler, or top's 'q' on the UI thread)
 * reading ends the same way, with NS_ERR_EOF and errbuf saying where.  The
 * flag is a lock-free C11 atomic (so a signal handler may store it) read
 * with relaxed order: it publishes no other data. */
int reader_run(struct reader *rd, struct ring **to_workers, unsigned n,
               struct ring *to_writer, uint32_t stats_interval, uint32_t rollup_interval,
               const atomic_bool *stop, char *errbuf);
/* Replay at capture speed (netscope top): before each packet, sleep until
 * as much wall time has passed since the first packet as packet time, as
 * tcpreplay does by default.  Packets out of time order are not waited
 * for; the stop flag is checked at least every 100 ms while sleeping. */
void reader_set_pace(struct reader *rd, bool pace);
void reader_close(struct reader *rd);         /* NULL ok */

#endif
