/* engine/writer.h: the one output thread.  It drains every source ring
 * (one per worker, plus the reader's) round-robin into LOGDIR/eve.json
 * (and the packets into the -w pcap), sums the sources' stats snapshots
 * into stats records, merges their rollups into rollup records (and CSV
 * rows, output/csv.h), and keeps the final totals for the exit summary. */
#ifndef WRITER_H
#define WRITER_H

#include <stdio.h>

#include "engine/config.h"
#include "engine/engine_int.h"
#include "output/ring.h"

struct writer;
struct top_feed;

struct writer_opts {
    const char *eve_path;       /* opened for appending, as Suricata does */
    const char *pcap_filename;  /* offline: the input file */
    const char *in_iface;       /* live: the interface */
    const char *pcap_out;       /* -w: pcap file of the REC_PCAP frames, or NULL */
    int dlt;                    /* link type of those frames */
    bool live;                  /* stats carry the kernel's capture counters */
    unsigned rollup_sources;    /* sources sending rollups (the workers: src[0..n-1]), 0: none */
    const char *csv_dir;        /* --csv: rollup_*.csv and flows.csv there, or NULL */
    struct top_feed *top;       /* netscope top: fed every snapshot, rollup and alert; or NULL */
};

/* src stays the caller's. */
struct writer *writer_create(const struct ns_config *cfg, const struct writer_opts *o,
                             struct ring **src, unsigned nsrc, char *errbuf) NS_MUST_CHECK;
int writer_start(struct writer *wr, char *errbuf) NS_MUST_CHECK;
/* Waits for every source's REC_DONE, then closes eve.json (flushing it).
 * Returns NS_OK, or NS_ERR_IO with errbuf naming the file and errno when
 * lines (eve.json), rows (CSV) or records (-w) were lost. */
int writer_join(struct writer *wr, char *errbuf);
/* The summed final snapshot (valid after writer_join). */
const struct ns_snap *writer_totals(const struct writer *wr);
uint64_t writer_records(const struct writer *wr);
/* eve.json's final counters (valid after writer_join): every line is
 * written or dropped by reason (output/logfile.h). */
struct logfile_stats;
const struct logfile_stats *writer_eve_stats(const struct writer *wr);
uint64_t writer_eve_dropped(const struct writer *wr);
/* One line per output file (eve.json, the CSV files summed, -w), valid
 * after writer_join: "netscope: PATH: N lines = W written + D dropped
 * (reason n, ...); ..." (rows for CSV, records for -w). */
void writer_print_outputs(const struct writer *wr, FILE *f);
void writer_destroy(struct writer *wr);          /* NULL ok */

/* The EVE line of a REC_DNS record (rec, len bytes) into buf, parsing the
 * message again into m and text (DNS_SCRATCH_SIZE bytes): what the writer
 * does with one.  Returns the line length, 0 when it does not fit. */
struct dns_msg;
size_t writer_format_dns(struct eve_ctx *ec, const void *rec, uint32_t len, struct dns_msg *m,
                         char *text, char *buf, size_t cap);

#endif
