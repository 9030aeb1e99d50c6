/* engine/top_view.h: the data behind `netscope top`, and its rendering as
 * plain lines of text.  No curses here: the view model is filled by the
 * writer thread (through engine/top.h's lock) and top_view_render is a
 * pure function of it, so tests/test_top.c checks the screen without a
 * terminal.
 *
 * Updates: top_view_snapshot once per merged stats snapshot (rates are the
 * difference from the previous one over its packet time), top_view_talkers
 * once per merged rollup interval (the talkers of the last interval that
 * had any: talkers are counted when flows end, output/rollup.h), and
 * top_view_alert for every EVE alert line, keeping the newest few. */
#ifndef TOP_VIEW_H
#define TOP_VIEW_H

#include "engine/engine_int.h"
#include "output/rollup.h"

#define TOP_VIEW_TALKERS 5
#define TOP_VIEW_ALERTS 5
#define TOP_VIEW_COLS 120           /* a rendered line holds this many chars */
#define TOP_VIEW_LINES 40

/* Protocol mix rows, from the decoder counters. */
enum { TOPP_TCP, TOPP_UDP, TOPP_ICMP, TOPP_ICMPV6, TOPP_ARP, TOPP_OTHER, TOPP_MAX };

struct top_view_talker {
    char addr[48];
    uint64_t bytes, pkts;
};

struct top_view_alert {
    uint32_t sid;
    char msg[80];
    char src[48], dst[48];
};

struct top_view {
    char source[96];                 /* "file X (paced)" or "interface X" */
    bool done;                       /* the input ended: final counters */
    uint64_t updates;                /* snapshots seen */
    uint64_t ts_us, prev_ts_us;      /* packet time of the last two snapshots */
    uint64_t pkts, bytes;            /* totals read */
    uint64_t prev_pkts, prev_bytes;
    double pps, bps;                 /* over the last snapshot interval */
    uint64_t proto[TOPP_MAX];        /* totals */
    uint64_t flows, invalid;
    uint64_t kernel_drops, kernel_pkts, lost_records;
    uint64_t alerts_total;
    struct top_view_talker talkers[TOP_VIEW_TALKERS];
    unsigned ntalkers;
    uint64_t talkers_end_us;         /* end of the interval they come from */
    struct top_view_alert alerts[TOP_VIEW_ALERTS];   /* newest first */
    unsigned nalerts;
};

void top_view_init(struct top_view *v, const char *source);
/* A merged stats snapshot (engine/writer.c's sum of every source). */
void top_view_snapshot(struct top_view *v, const struct ns_snap *s);
/* A merged rollup interval: its top talkers by bytes, when it has any. */
void top_view_talkers(struct top_view *v, const struct rollup_acc *a);
/* An EVE line (len bytes, no NUL needed): kept when it is an alert. */
void top_view_alert(struct top_view *v, const char *line, size_t len);

/* The screen: up to max lines of at most TOP_VIEW_COLS - 1 chars each into
 * lines[i] (NUL-terminated); returns how many. */
unsigned top_view_render(const struct top_view *v, char lines[][TOP_VIEW_COLS], unsigned max);

/* "1.5 k", "12.0 M": v with an SI suffix, into out (16 bytes). */
const char *top_view_si(double v, char out[16]);

#endif
