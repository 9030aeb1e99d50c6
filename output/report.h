/* output/report.h: `netscope report EVE.json [-o report.html]`.
 *
 * Reads an EVE file once, line by line, and folds every record into
 * fixed-size aggregates (output/report.c): traffic over time by protocol,
 * protocol and application mix, top talkers and ports, flow durations and
 * sizes, alerts over time and by signature, DNS, HTTP and TLS summaries,
 * capture loss from the stats records.  Memory does not grow with the
 * input: time buckets are REPORT_BUCKETS wide whatever the span, top-N
 * tables are Space-Saving sketches (output/sketch.h) of fixed capacity,
 * keys cut at REPORT_KEY_MAX bytes.
 * Then writes one self-contained HTML page (output/report_html.c): inline
 * CSS and inline SVG drawn here, no script, no font, no request, its size
 * bounded whatever the input (a few hundred KB at most).
 *
 * Every line is parsed strictly (output/evejson.h); a line that is not one
 * JSON object is counted, its number and the reason kept (the first
 * REPORT_BAD_KEEP of them, in the page and on stderr) and the rest of the
 * file is still used.  Every string taken from the input is escaped for
 * HTML: host names, SNIs and signatures come from the network. */
#ifndef REPORT_H
#define REPORT_H

#include <stdio.h>

#include "engine/ns_common.h"
#include "output/sketch.h"

#define REPORT_BUCKETS   256        /* time buckets, at most */
#define REPORT_KEY_MAX   128        /* top-N key bytes kept */
#define REPORT_BAD_KEEP  10         /* bad lines remembered, with their reason */
#define REPORT_MAX_LINE  (4u << 20) /* a longer line is bad, skipped to its '\n' */

struct report;

/* The tables a chart is drawn from; the count is bytes for RPT_PROTO,
 * RPT_APP and RPT_TALKERS (each flow counts for both endpoints), records or
 * flows for the others. */
enum report_table {
    RPT_EVENT_TYPES,
    RPT_PROTO,
    RPT_APP,
    RPT_TALKERS,
    RPT_PORTS,           /* "TCP/443", flows */
    RPT_SIGS,            /* "sid: signature", alerts */
    RPT_DNS_NAMES,       /* queried names */
    RPT_DNS_RRTYPE,
    RPT_DNS_RCODE,       /* responses */
    RPT_HTTP_HOSTS,
    RPT_HTTP_METHODS,
    RPT_TLS_SNI,
    RPT_TLS_VERSIONS,
    RPT_MAX
};

struct report_bad {
    uint64_t line;
    size_t off;             /* byte in the line */
    const char *why;        /* static text */
};

struct report_info {
    uint64_t lines, records, bad_lines, no_time;
    uint64_t flows, flow_bytes, flow_pkts, alerts;
    uint64_t http_status[6];        /* 1xx..5xx, then anything else */
    int64_t first_us, last_us;      /* UTC microseconds; valid when have_time */
    int64_t bucket_us;              /* width of one time bucket */
    uint32_t buckets;               /* buckets in use */
    uint64_t bucket_bytes, bucket_alerts;   /* sums over the time buckets */
    bool have_time;
    /* capture loss, from the last stats record of each run in the file
     * (a run ends when the counters go back or pcap_filename changes) */
    bool have_stats;
    uint64_t pkts_read, pkts_invalid, kernel_packets, kernel_drops, output_dropped;
    struct report_bad bad[REPORT_BAD_KEEP];
};

struct report *report_create(void) NS_MUST_CHECK;   /* NULL: out of memory */
void report_destroy(struct report *r);              /* NULL ok */

/* One line without its '\n' (a trailing '\r' is fine).  Blank lines are
 * skipped, not counted as bad. */
void report_add_line(struct report *r, const char *line, size_t len);
/* Streams a whole file ("-": stdin) through report_add_line; NS_OK, or
 * NS_ERR_IO with errbuf filled (what was read so far is kept). */
int report_add_file(struct report *r, const char *path, char *errbuf);

void report_get_info(const struct report *r, struct report_info *ri);
/* The n first rows of a table (sketch_top); rows borrow from r. */
size_t report_top(const struct report *r, enum report_table t, struct sketch_item *rows, size_t n);

/* The page; title is the input's name (escaped here).  NS_OK or NS_ERR_IO
 * (ferror on out). */
int report_write_html(const struct report *r, FILE *out, const char *title);

/* s[0..n) as HTML text, safe in element content and in quoted attributes:
 * & < > " ' as entities, control characters and every byte that is not
 * well-formed UTF-8 as U+FFFD.  Writes at most cap-1 bytes and a NUL,
 * never cutting an entity or a character; returns the length written. */
size_t report_html_escape(const char *s, size_t n, char *out, size_t cap);

/* argv[0] is "report".  Exit status: 0 written, 1 input unreadable or
 * output failed, 2 usage. */
int report_main(int argc, char **argv);

#endif
