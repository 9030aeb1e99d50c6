/* output/report_int.h: the aggregates shared by output/report.c (which
 * fills them) and output/report_html.c (which draws them).  Internal to
 * output/report*.c. */
#ifndef REPORT_INT_H
#define REPORT_INT_H

#include "output/evejson.h"
#include "output/report.h"

enum report_proto { RP_TCP, RP_UDP, RP_ICMP, RP_OTHER, RP_MAX };

#define REPORT_DUR_BINS  8          /* < 1 ms, then decades up to >= 1000 s */
#define REPORT_SIZE_BINS 9          /* < 100 B, then decades up to >= 1 GB */

struct report_bucket {
    uint64_t bytes[RP_MAX];
    uint64_t alerts;
};

/* Counters of one run, from its latest stats record; a stats record whose
 * accounting.read went down, or whose pcap_filename changed, starts a new
 * run (an eve.json appended to by several runs), and the finished run is
 * added to `banked`.  Two runs over the same file whose second one reads
 * more are taken for one. */
struct report_loss {
    uint64_t read, invalid, kernel_packets, kernel_drops, output_dropped;
};

struct report {
    struct evejson_doc *doc;
    struct sketch *top[RPT_MAX];
    /* bucket i covers [base_us + i*width_us, base_us + (i+1)*width_us) */
    struct report_bucket bkt[REPORT_BUCKETS];
    int64_t base_us, width_us;
    uint32_t lo, hi;                /* buckets in use: [lo, hi] when have_time */
    uint64_t dur[REPORT_DUR_BINS], size[REPORT_SIZE_BINS];
    struct report_loss run, banked;
    uint64_t run_file;              /* hash of the run's pcap_filename */
    uint32_t nbad;                  /* entries of info.bad used */
    struct report_info info;
};

#endif
