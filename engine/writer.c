/* engine/writer.c: drain the source rings into eve.json and sum stats.
 *
 * Lines are copied from the rings into eve.json's buffer (output/logfile.h),
 * which writes whole lines only, in big sequential writes, and accounts
 * for every line it could not write; the CSV rows (--csv) and the packets
 * of -w (pcap records) go through logfiles of their own the same way.
 * Snapshots with sequence number k from all
 * sources are summed in slot k % WRITER_SLOTS; a source that runs more than
 * WRITER_SLOTS snapshots ahead of the slowest is simply not drained until
 * the others catch up.  A failed write is counted and retried by the
 * logfile, and the rings are still drained, so the workers never block on
 * a full disk or a stuck pipe reader (logfile.h bounds the wait). */
#include "engine/writer.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "dissect/dns.h"
#include "engine/anomaly.h"
#include "engine/top.h"
#include "output/csv.h"
#include "output/eve.h"
#include "output/eve_alert.h"
#include "output/eve_rollup.h"
#include "output/logfile.h"

#define WRITER_SLOTS 64
/* Rollup intervals merged at once: a worker more than this many intervals
 * ahead of the slowest waits (its ring is not drained), as for stats. */
#define WRITER_ROLLUP_SLOTS 4
#define WRITER_BURST 256
/* -w: the snapshot length in the pcap header (libpcap's largest); a longer
 * frame is cut to it, as a capture would */
#define WRITER_SNAPLEN 262144u
#define PCAP_REC_HDR 16u

/* The output files, each a logfile (output/logfile.h) */
enum { OUTF_EVE, OUTF_CSV, OUTF_PCAP, OUTF_MAX };
static const char *const outf_stats[OUTF_MAX] = { "output", "csv", "pcap" };
static const char *const outf_unit[OUTF_MAX] = { "lines", "rows", "records" };

struct stat_path {
    const char *path;            /* owned when owned != NULL */
    char *owned;
    unsigned src;                /* index into the flat value array */
};

struct writer {
    const struct ns_config *cfg;
    struct ring **src;
    unsigned nsrc;
    bool *done;
    struct logfile *log;        /* eve.json */
    struct logfile *pcap;       /* -w, or NULL */
    uint8_t pcap_hdr[24];       /* its global header */
    uint8_t *pcap_rec;          /* one record: header and frame */
    /* eve.json, the CSV files, -w (OUTF_*): on or not, the name in
     * messages, the counters and first errno that lost records at close */
    bool out_on[OUTF_MAX];
    char *out_name[OUTF_MAX];
    struct logfile_stats out_final[OUTF_MAX];
    int out_errno[OUTF_MAX];
    struct eve_ctx ec;
    struct ns_snap slot[WRITER_SLOTS];
    unsigned got[WRITER_SLOTS];
    uint64_t lowest;             /* oldest snapshot not yet complete */
    struct ns_snap totals;
    uint64_t records;
    uint64_t stats_written;
    struct stat_path *paths;
    size_t npaths;
    struct eve_stat_item *items;
    char *scratch;
    struct dns_msg *dns;         /* REC_DNS: the message parsed again */
    char *dns_text;
    uint64_t late[OUT_MAX];      /* REC_FLOW/REC_DNS that did not fit a line */
    /* rollups: interval seq is merged in ru[seq % WRITER_ROLLUP_SLOTS];
     * ru_next[i]: the lowest seq rollup source i can still send */
    unsigned ru_nsrc;
    uint64_t *ru_next;
    bool live;
    struct rollup_acc ru[WRITER_ROLLUP_SLOTS];
    bool ru_used[WRITER_ROLLUP_SLOTS];
    unsigned ru_got[WRITER_ROLLUP_SLOTS];
    uint64_t ru_lowest;
    uint64_t rollups_written;
    struct csv_out *csv;
    /* behavioural detectors (engine/anomaly.h): fed the flow and DNS
     * records and the merged rollups; NULL when off */
    struct anomaly *an;
    uint64_t an_alerts;          /* written: added to output.alert */
    uint64_t an_written[ANOM_MAX];   /* the same by detector */
    /* the final snapshot, written once every source is done, so that it
     * counts every alert the detectors raise (writer_main) */
    struct ns_snap final;
    bool have_final;
    struct top_feed *top;        /* netscope top, or NULL */
    pthread_t thread;
    bool started;
};

/* Flat view of a snapshot's counters, in a fixed order. */
enum {
    FLAT_ACCT = 0,
    FLAT_BYTES = FLAT_ACCT + ACCT_MAX,
    FLAT_DC = FLAT_BYTES + 1,
    FLAT_EV = FLAT_DC + DC_MAX,
    FLAT_FS = FLAT_EV + DEV_MAX,
    FLAT_OUT = FLAT_FS + FS_MAX,
    FLAT_CAP = FLAT_OUT + OUT_MAX,
    FLAT_SS = FLAT_CAP + CAP_MAX,
    FLAT_APP = FLAT_SS + SS_MAX,
    FLAT_APP_MEM = FLAT_APP + APP_MAX * APC_MAX,
    FLAT_DET = FLAT_APP_MEM + 3,
    FLAT_AN = FLAT_DET + DET_MAX,
    FLAT_AN_ALERT = FLAT_AN + ANS_MAX,
    FLAT_AN_EVICT = FLAT_AN_ALERT + ANOM_MAX,
    FLAT_MEM = FLAT_AN_EVICT + 1,
    /* the output files' own counters (output/logfile.h), one block of
     * FLAT_LOG_N per OUTF_*: set by the writer when it writes a record,
     * never summed from the sources */
    FLAT_LOG = FLAT_MEM + MEMS_MAX,
    FLAT_LOG_DROP = FLAT_LOG + 4,
    FLAT_LOG_N = FLAT_LOG_DROP + LOGF_DROP_MAX - FLAT_LOG,
    FLAT_MAX = FLAT_LOG + OUTF_MAX * FLAT_LOG_N,
};

static const char *const acct_names[] = {
#define NAME(id, name) name,
    NS_ACCOUNTING(NAME)
};
static const char *const out_names[] = {
    NS_OUTPUT_STATS(NAME)
};
static const char *const cap_names[] = {
    NS_CAPTURE_STATS(NAME)
};
static const char *const det_names[] = {
    NS_DETECT_STATS(NAME)
};
static const char *const an_names[] = {
    NS_ANOMALY_STATS(NAME)
};
static const char *const mem_names[] = {
    NS_MEMORY_STATS(NAME)
#undef NAME
};

static void flat_values(const struct ns_snap *s, uint64_t *v)
{
    memcpy(v + FLAT_ACCT, s->acct, sizeof(s->acct));
    v[FLAT_BYTES] = s->bytes_read;
    memcpy(v + FLAT_DC, s->dc, sizeof(s->dc));
    memcpy(v + FLAT_EV, s->ev, sizeof(s->ev));
    memcpy(v + FLAT_FS, s->fs, sizeof(s->fs));
    memcpy(v + FLAT_OUT, s->out, sizeof(s->out));
    memcpy(v + FLAT_CAP, s->cap, sizeof(s->cap));
    memcpy(v + FLAT_SS, s->ss, sizeof(s->ss));
    memcpy(v + FLAT_APP, s->app, sizeof(s->app));
    v[FLAT_APP_MEM] = s->app_memuse;
    v[FLAT_APP_MEM + 1] = s->app_memcap;
    v[FLAT_APP_MEM + 2] = s->app_evicted;
    memcpy(v + FLAT_DET, s->det, sizeof(s->det));
    memcpy(v + FLAT_AN, s->an, sizeof(s->an));
    memcpy(v + FLAT_AN_ALERT, s->an_alerts, sizeof(s->an_alerts));
    v[FLAT_AN_EVICT] = s->an_evictions;
    memcpy(v + FLAT_MEM, s->mem, sizeof(s->mem));
    memset(v + FLAT_LOG, 0, (FLAT_MAX - FLAT_LOG) * sizeof(*v));
}

/* Only counters that are the same on every run of the same input (0 when
 * nothing went wrong), so stats records stay comparable between runs and
 * thread counts: lines written so far depend on buffering and are in the
 * exit summary only (writer_print_eve). */
static const char *const log_names[] = {
    "write_errors", "reopens", "rotations", "blocked_ms",
};
_Static_assert(NS_ARRAY_LEN(log_names) == FLAT_LOG_DROP - FLAT_LOG, "one name per counter");

static void log_values(const struct logfile_stats *st, uint64_t *v, unsigned outf)
{
    v += outf * FLAT_LOG_N;
    v[FLAT_LOG + 0] = st->write_errors;
    v[FLAT_LOG + 1] = st->reopens;
    v[FLAT_LOG + 2] = st->rotations;
    v[FLAT_LOG + 3] = st->blocked_ms;
    for (unsigned k = 0; k < LOGF_DROP_MAX; k++)
        v[FLAT_LOG_DROP + k] = st->dropped[k];
}

static int path_cmp(const void *a, const void *b)
{
    return strcmp(((const struct stat_path *)a)->path, ((const struct stat_path *)b)->path);
}

static int writer_add_path(struct writer *wr, const char *prefix, const char *name, unsigned src)
{
    size_t n = strlen(prefix) + strlen(name) + 1;
    char *s = malloc(n);
    if (!s)
        return NS_ERR_NOMEM;
    snprintf(s, n, "%s%s", prefix, name);
    wr->paths[wr->npaths++] = (struct stat_path){ .path = s, .owned = s, .src = src };
    return NS_OK;
}

/* Stats paths, sorted so that keys sharing a prefix are contiguous (what
 * eve_stats needs to nest them).  Flow counters named "tcp.*" go under the
 * top-level "tcp" object, as in Suricata's stats. */
static int writer_build_paths(struct writer *wr, bool live)
{
    wr->paths = calloc(FLAT_MAX, sizeof(*wr->paths));
    wr->items = calloc(FLAT_MAX, sizeof(*wr->items));
    if (!wr->paths || !wr->items)
        return NS_ERR_NOMEM;
    int rc = NS_OK;
    for (unsigned i = 0; i < ACCT_MAX && rc == NS_OK; i++)
        rc = writer_add_path(wr, "accounting.", acct_names[i], FLAT_ACCT + i);
    if (rc == NS_OK)
        rc = writer_add_path(wr, "accounting.", "bytes", FLAT_BYTES);
    for (unsigned i = 0; i < DC_MAX && rc == NS_OK; i++)
        rc = writer_add_path(wr, "decoder.", dissect_counter_name(i), FLAT_DC + i);
    for (unsigned i = 0; i < DEV_MAX && rc == NS_OK; i++)
        rc = writer_add_path(wr, "decoder.event.", dissect_event_name(i), FLAT_EV + i);
    for (unsigned i = 0; i < FS_MAX && rc == NS_OK; i++) {
        const char *n = flow_stat_name(i);
        if (strncmp(n, "tcp.", 4) == 0)
            rc = writer_add_path(wr, "tcp.", n + 4, FLAT_FS + i);
        else
            rc = writer_add_path(wr, "flow.", n, FLAT_FS + i);
    }
    for (unsigned i = 0; i < OUT_MAX && rc == NS_OK; i++)
        rc = writer_add_path(wr, "output.", out_names[i], FLAT_OUT + i);
    /* output.* (eve.json), csv.* and pcap.*: only for the files written */
    for (unsigned f = 0; f < OUTF_MAX && rc == NS_OK; f++) {
        if (!wr->out_on[f])
            continue;
        char pre[32];
        unsigned base = f * FLAT_LOG_N;
        snprintf(pre, sizeof(pre), "%s.", outf_stats[f]);
        for (unsigned i = 0; i < NS_ARRAY_LEN(log_names) && rc == NS_OK; i++)
            rc = writer_add_path(wr, pre, log_names[i], base + FLAT_LOG + i);
        snprintf(pre, sizeof(pre), "%s.dropped.", outf_stats[f]);
        for (unsigned i = 0; i < LOGF_DROP_MAX && rc == NS_OK; i++)
            rc = writer_add_path(wr, pre, logfile_drop_name(i), base + FLAT_LOG_DROP + i);
    }
    for (unsigned i = 0; i < SS_MAX && rc == NS_OK; i++)
        rc = writer_add_path(wr, "tcp.", stream_stat_name(i) + 4, FLAT_SS + i);
    if (rc == NS_OK)
        rc = writer_add_path(wr, "tcp.", "reassembly_memuse", FLAT_APP_MEM);
    if (rc == NS_OK)
        rc = writer_add_path(wr, "app_layer.", "memcap", FLAT_APP_MEM + 1);
    if (rc == NS_OK)
        rc = writer_add_path(wr, "tcp.", "reassembly_evicted", FLAT_APP_MEM + 2);
    for (unsigned c = 0; c < APC_MAX && rc == NS_OK; c++) {
        char pre[32];
        snprintf(pre, sizeof(pre), "app_layer.%s.", app_counter_name(c));
        for (unsigned p = APP_FAILED; p < APP_MAX && rc == NS_OK; p++) {
            if (c != APC_FLOW && p == APP_FAILED)
                continue;
            rc = writer_add_path(wr, pre, app_proto_name(p), FLAT_APP + p * APC_MAX + c);
        }
    }
    for (unsigned i = 0; live && i < CAP_MAX && rc == NS_OK; i++)
        rc = writer_add_path(wr, "capture.", cap_names[i], FLAT_CAP + i);
    for (unsigned i = 0; wr->cfg->rules_loaded && i < DET_MAX && rc == NS_OK; i++)
        rc = writer_add_path(wr, "detect.", det_names[i], FLAT_DET + i);
    /* anomaly.*: only with the detectors on (wr->an is made before this) */
    for (unsigned i = 0; wr->an && i < ANS_MAX && rc == NS_OK; i++)
        rc = writer_add_path(wr, "anomaly.", an_names[i], FLAT_AN + i);
    for (unsigned k = 0; wr->an && k < ANOM_MAX && rc == NS_OK; k++)
        rc = writer_add_path(wr, "anomaly.alert.", anomaly_det_name(k), FLAT_AN_ALERT + k);
    if (wr->an && rc == NS_OK)
        rc = writer_add_path(wr, "anomaly.", "table_evictions", FLAT_AN_EVICT);
    for (unsigned i = 0; i < MEMS_MAX && rc == NS_OK; i++)
        rc = writer_add_path(wr, "memory.", mem_names[i], FLAT_MEM + i);
    if (rc == NS_OK)
        qsort(wr->paths, wr->npaths, sizeof(*wr->paths), path_cmp);
    return rc;
}

static void writer_write(struct writer *wr, const void *p, size_t n);

/* A detector fired: one EVE alert, written like a rule's (gid 9000). */
static void writer_anomaly_alert(void *ctx, const struct anomaly_alert *x)
{
    struct writer *wr = ctx;
    struct eve_alert a;
    memset(&a, 0, sizeof(a));
    a.ts_us = x->ts_us;
    a.action = "allowed";
    a.gid = x->gid;
    a.sid = x->sid;
    a.rev = 1;
    a.severity = 2;
    a.msg = x->msg;
    a.category = "Detection of a Network Scan";
    if (x->kind >= ANOM_SYN_FLOOD && x->kind <= ANOM_ICMP_FLOOD)
        a.category = "Detection of a Denial of Service Attack";
    else if (x->kind >= ANOM_DNS_LONG && x->kind <= ANOM_DNS_TXT)
        a.category = "Potentially Bad Traffic";
    else if (x->kind == ANOM_BRUTE)
        a.category = "Attempted User Privilege Gain";
    else if (x->kind == ANOM_ARP_SPOOF)
        a.category = "Potential Corporate Privacy Violation";
    else if (x->kind == ANOM_SPIKE)
        a.category = "Misc activity";
    a.anomaly = x;
    size_t n = eve_alert(&wr->ec, wr->scratch, NS_RECORD_MAX, &a);
    if (n) {
        writer_write(wr, wr->scratch, n);
        wr->an_alerts++;
        if ((unsigned)x->kind < ANOM_MAX)
            wr->an_written[x->kind]++;
        if (wr->top)
            top_feed_alert(wr->top, wr->scratch, n);
    }
}

/* -w's global header (libpcap's savefile format, microseconds): magic,
 * version 2.4, thiszone and sigfigs 0, snaplen, link type; host byte
 * order, which the magic tells readers.  DLT_RAW (12, 14 on OpenBSD) is
 * LINKTYPE_RAW (101) in a file, as libpcap writes it; every other link
 * type NetScope reads has the same number in both. */
static void writer_pcap_header(uint8_t hdr[24], int dlt)
{
    uint32_t magic = 0xa1b2c3d4u, zone = 0, sigfigs = 0, snaplen = WRITER_SNAPLEN;
    uint16_t major = 2, minor = 4;
    uint32_t linktype = dlt == DISSECT_DLT_RAW || dlt == DISSECT_DLT_RAW14 ? DISSECT_DLT_RAW101
                                                                           : (uint32_t)dlt;
    memcpy(hdr, &magic, 4);
    memcpy(hdr + 4, &major, 2);
    memcpy(hdr + 6, &minor, 2);
    memcpy(hdr + 8, &zone, 4);
    memcpy(hdr + 12, &sigfigs, 4);
    memcpy(hdr + 16, &snaplen, 4);
    memcpy(hdr + 20, &linktype, 4);
}

/* A pcap record's length: its 16-byte header and caplen bytes (logfile's
 * rec_len; caplen is the third header word). */
static size_t writer_pcap_rec_len(const void *rec)
{
    uint32_t caplen;
    memcpy(&caplen, (const uint8_t *)rec + 8, sizeof(caplen));
    return PCAP_REC_HDR + caplen;
}

struct writer *writer_create(const struct ns_config *cfg, const struct writer_opts *o,
                             struct ring **src, unsigned nsrc, char *errbuf)
{
    const char *path = o->eve_path;
    struct writer *wr = calloc(1, sizeof(*wr));
    if (!wr)
        goto err_nomem;
    wr->cfg = cfg;
    wr->top = o->top;
    wr->src = src;
    wr->nsrc = nsrc;
    wr->done = calloc(nsrc, sizeof(*wr->done));
    wr->out_name[OUTF_EVE] = strdup(path);
    wr->scratch = malloc(NS_RECORD_MAX);
    wr->dns = malloc(sizeof(*wr->dns));
    wr->dns_text = malloc(DNS_SCRATCH_SIZE);
    if (!wr->done || !wr->out_name[OUTF_EVE] || !wr->scratch || !wr->dns || !wr->dns_text)
        goto err_nomem;
    wr->out_on[OUTF_EVE] = true;
    wr->out_on[OUTF_CSV] = o->csv_dir && o->csv_dir[0];
    wr->out_on[OUTF_PCAP] = o->pcap_out != NULL;
    if (cfg->anomaly.enabled && cfg->eve_alert) {
        wr->an = anomaly_create(&cfg->anomaly, writer_anomaly_alert, wr, errbuf);
        if (!wr->an)
            goto err;
    }
    if (writer_build_paths(wr, o->live) != NS_OK)
        goto err_nomem;
    wr->live = o->live;
    if (o->rollup_sources && cfg->rollup.interval) {
        wr->ru_nsrc = o->rollup_sources;
        if (!(wr->ru_next = calloc(wr->ru_nsrc, sizeof(*wr->ru_next))))
            goto err_nomem;
        for (unsigned k = 0; k < WRITER_ROLLUP_SLOTS; k++) {
            if (rollup_acc_init(&wr->ru[k], &cfg->rollup, errbuf) != NS_OK)
                goto err;
            wr->ru_used[k] = true;
            rollup_acc_reset(&wr->ru[k], k);
        }
    }
    if (wr->out_on[OUTF_CSV]) {
        size_t n = strlen(o->csv_dir) + sizeof("/*.csv");
        if (!(wr->out_name[OUTF_CSV] = malloc(n)))
            goto err_nomem;
        snprintf(wr->out_name[OUTF_CSV], n, "%s/*.csv", o->csv_dir);
        struct logfile_opts co = { .rotate_size = cfg->csv_rotate_size,
                                   .rotate_interval_s = cfg->csv_rotate_interval,
                                   .write_timeout_ms = cfg->csv_write_timeout_ms, .msg = stderr,
                                   .unit = outf_unit[OUTF_CSV], .stats = outf_stats[OUTF_CSV] };
        wr->csv = csv_open(o->csv_dir, cfg->eve_flow, &co, errbuf);
        if (!wr->csv)
            goto err;
    }
    eve_ctx_init(&wr->ec, o->pcap_filename, o->in_iface);
    wr->ec.ethernet = cfg->eve_ethernet;
    wr->ec.community_id_seed = (uint16_t)cfg->community_id_seed;
    if (wr->out_on[OUTF_PCAP]) {
        wr->out_name[OUTF_PCAP] = strdup(o->pcap_out);
        wr->pcap_rec = malloc(PCAP_REC_HDR + WRITER_SNAPLEN);
        if (!wr->out_name[OUTF_PCAP] || !wr->pcap_rec)
            goto err_nomem;
        writer_pcap_header(wr->pcap_hdr, o->dlt);
        /* "-": standard output, as libpcap's pcap_dump_open has it */
        const char *pcap_path = strcmp(o->pcap_out, "-") ? o->pcap_out : "/dev/stdout";
        struct logfile_opts po = { .path = pcap_path, .rotate_size = cfg->pcap_rotate_size,
                                   .rotate_interval_s = cfg->pcap_rotate_interval,
                                   .write_timeout_ms = cfg->pcap_write_timeout_ms, .msg = stderr,
                                   .unit = outf_unit[OUTF_PCAP], .stats = outf_stats[OUTF_PCAP],
                                   .truncate = true, .header = wr->pcap_hdr,
                                   .header_len = sizeof(wr->pcap_hdr),
                                   .rec_len = writer_pcap_rec_len,
                                   .line_max = PCAP_REC_HDR + WRITER_SNAPLEN };
        wr->pcap = logfile_open(&po, errbuf);
        if (!wr->pcap)
            goto err;
    }
    struct logfile_opts lo = { .path = path, .rotate_size = cfg->eve_rotate_size,
                               .rotate_interval_s = cfg->eve_rotate_interval,
                               .write_timeout_ms = cfg->eve_write_timeout_ms, .msg = stderr };
    wr->log = logfile_open(&lo, errbuf);
    if (!wr->log)
        goto err;
    return wr;
err_nomem:
    snprintf(errbuf, NS_ERRBUF_SIZE, "writer: out of memory");
err:
    writer_destroy(wr);
    return NULL;
}

void writer_destroy(struct writer *wr)
{
    if (!wr)
        return;
    (void)logfile_close(wr->log, NULL);
    (void)logfile_close(wr->pcap, NULL);
    free(wr->pcap_rec);
    for (unsigned f = 0; f < OUTF_MAX; f++)
        free(wr->out_name[f]);
    for (unsigned k = 0; k < WRITER_ROLLUP_SLOTS; k++)
        if (wr->ru_used[k])
            rollup_acc_fini(&wr->ru[k]);
    free(wr->ru_next);
    csv_close(wr->csv, NULL);
    anomaly_destroy(wr->an);
    for (size_t i = 0; i < wr->npaths; i++)
        free(wr->paths[i].owned);
    free(wr->paths);
    free(wr->items);
    free(wr->scratch);
    free(wr->dns);
    free(wr->dns_text);
    free(wr->done);
    free(wr);
}

/* Every line produced is counted here and accounted for by the logfile
 * (written, pending or dropped by reason). */
static void writer_write(struct writer *wr, const void *p, size_t n)
{
    (void)logfile_write(wr->log, p, n);
    wr->records++;
}

/* Live, the periodic records go out as they are made (at most a few a
 * second), so a reader tailing eve.json sees each interval when it ends;
 * offline the buffer fills and writes in 64 KiB pieces. */
static void writer_flush_live(struct writer *wr)
{
    if (wr->live)
        logfile_flush(wr->log);
}

static void writer_flow(struct writer *wr, const struct rec_flow *rf, uint32_t len)
{
    if (len < sizeof(*rf))
        return;
    size_t n = eve_flow(&wr->ec, wr->scratch, NS_RECORD_MAX, &rf->f,
                        (enum flow_end_reason)rf->reason);
    if (n)                      /* a flow record is < 2 KiB: always fits */
        writer_write(wr, wr->scratch, n);
    else
        wr->late[OUT_FLOW]++;
    if (wr->csv)
        csv_flow(wr->csv, &wr->ec, &rf->f, (enum flow_end_reason)rf->reason);
    /* unless the worker sent its summary when it closed */
    if (wr->an && !rf->f.anomaly_fed)
        anomaly_flow(wr->an, &rf->f);
}

static void writer_anom_flow(struct writer *wr, const struct anomaly_flow_sum *s, uint32_t len)
{
    if (wr->an && len >= sizeof(*s))
        anomaly_flow_sum(wr->an, s);
}

static void writer_arp(struct writer *wr, const struct rec_arp *r, uint32_t len)
{
    if (wr->an && len >= sizeof(*r))
        anomaly_arp(wr->an, r->ts_us, r->ip, r->mac);
}

size_t writer_format_dns(struct eve_ctx *ec, const void *rec, uint32_t len, struct dns_msg *m,
                         char *text, char *buf, size_t cap)
{
    const struct rec_dns *rd = rec;
    if (len < sizeof(*rd) || len - sizeof(*rd) < rd->len)
        return 0;
    /* the worker logs a message that failed to parse as far as it went,
     * marked partial: the same bytes fail the same way here */
    if (dns_parse((const uint8_t *)(rd + 1), rd->len, m, text, DNS_SCRATCH_SIZE) != DNS_ERR_OK)
        m->partial = true;
    struct ns_pkt pkt = { .ts_us = rd->ts_us, .pcap_cnt = rd->pcap_cnt };
    struct ns_decoded d;
    memset(&d, 0, sizeof(d));
    memcpy(d.src, rd->src, sizeof(d.src));
    memcpy(d.dst, rd->dst, sizeof(d.dst));
    d.sport = rd->sport;
    d.dport = rd->dport;
    memcpy(d.vlan, rd->vlan, sizeof(d.vlan));
    d.vlan_cnt = rd->vlan_cnt;
    d.ip_v = rd->ip_v;
    d.proto = rd->proto;
    d.has_l4 = true;
    d.has_eth = rd->has_eth;
    memcpy(d.src_mac, rd->src_mac, sizeof(d.src_mac));
    memcpy(d.dst_mac, rd->dst_mac, sizeof(d.dst_mac));
    return eve_dns(ec, buf, cap, &pkt, &d, &rd->f, m, text, rd->tx_id);
}

static void writer_dns(struct writer *wr, const struct rec_dns *rd, uint32_t len)
{
    size_t n = writer_format_dns(&wr->ec, rd, len, wr->dns, wr->dns_text, wr->scratch,
                                 NS_RECORD_MAX);
    if (n)
        writer_write(wr, wr->scratch, n);
    else
        wr->late[OUT_DNS]++;
    /* queries only: a tunnel's client is the one choosing the names */
    const struct dns_msg *m = wr->dns;
    if (wr->an && n && !dns_is_response(m) && m->nq) {
        const struct dns_str *q = &m->q[0].name;
        anomaly_dns(wr->an, rd->ts_us, rd->ip_v, rd->src, wr->dns_text + q->off, q->len,
                    m->q[0].rrtype);
    }
}

/* One pcap record (ts_sec, ts_usec, caplen, len, then the frame), whole
 * into -w's logfile: written or counted as dropped there. */
static void writer_pcap(struct writer *wr, const struct rec_pkt *rp, uint32_t len)
{
    if (!wr->pcap || len < sizeof(*rp) || len - sizeof(*rp) < rp->caplen)
        return;
    uint32_t caplen = rp->caplen < WRITER_SNAPLEN ? rp->caplen : WRITER_SNAPLEN;
    uint32_t h[4] = { (uint32_t)(rp->ts_us / 1000000u), (uint32_t)(rp->ts_us % 1000000u), caplen,
                      rp->wirelen };
    memcpy(wr->pcap_rec, h, sizeof(h));
    memcpy(wr->pcap_rec + PCAP_REC_HDR, rp + 1, caplen);
    (void)logfile_write(wr->pcap, wr->pcap_rec, PCAP_REC_HDR + caplen);
}

static void writer_emit_stats(struct writer *wr, const struct ns_snap *s)
{
    uint64_t v[FLAT_MAX];
    struct ns_snap shown = *s;
    shown.out[OUT_STATS] = wr->stats_written + 1;   /* counts this record */
    shown.out[OUT_ALERT] += wr->an_alerts;          /* the detectors' */
    memcpy(shown.an_alerts, wr->an_written, sizeof(shown.an_alerts));
    shown.mem[MEMS_BUDGET] = wr->cfg->mem.budget;      /* the plan's (mem_budget.c) */
    shown.mem[MEMS_QUEUES] = wr->cfg->mem.queues;
    shown.mem[MEMS_CAPTURE] = wr->cfg->mem.part[MEM_PART_CAPTURE];
    if (wr->an) {
        uint64_t raised[ANOM_MAX];
        anomaly_counts(wr->an, raised, &shown.an_evictions);
    }
    /* records the workers counted as written that the writer found too big
     * to format (none in practice: flow and DNS records are bounded) */
    for (unsigned k = 0; k < OUT_MAX; k++) {
        uint64_t late = wr->late[k] < shown.out[k] ? wr->late[k] : shown.out[k];
        shown.out[k] -= late;
        shown.out[OUT_TOO_BIG] += late;
    }
    flat_values(&shown, v);
    struct logfile_stats ls;
    logfile_get_stats(wr->log, &ls);
    log_values(&ls, v, OUTF_EVE);
    if (wr->csv) {
        csv_get_stats(wr->csv, &ls);
        log_values(&ls, v, OUTF_CSV);
    }
    if (wr->pcap) {
        logfile_get_stats(wr->pcap, &ls);
        log_values(&ls, v, OUTF_PCAP);
    }
    for (size_t i = 0; i < wr->npaths; i++)
        wr->items[i] = (struct eve_stat_item){ .path = wr->paths[i].path, .value = v[wr->paths[i].src] };
    uint64_t uptime = s->first_ts_us && s->ts_us > s->first_ts_us
                          ? s->ts_us / 1000000 - s->first_ts_us / 1000000 : 0;
    size_t n = eve_stats(&wr->ec, wr->scratch, NS_RECORD_MAX, s->ts_us, uptime, wr->items, wr->npaths);
    if (n == 0)
        return;
    writer_write(wr, wr->scratch, n);
    wr->stats_written++;
    writer_flush_live(wr);
}

static void snap_add(struct ns_snap *acc, const struct ns_snap *s)
{
    uint64_t a[FLAT_MAX], b[FLAT_MAX];
    flat_values(acc, a);
    flat_values(s, b);
    for (unsigned i = 0; i < FLAT_MAX; i++)
        a[i] += b[i];
    /* a maximum, not a count */
    a[FLAT_DC + DC_MAX_PKT_SIZE] = acc->dc[DC_MAX_PKT_SIZE] > s->dc[DC_MAX_PKT_SIZE]
                                       ? acc->dc[DC_MAX_PKT_SIZE] : s->dc[DC_MAX_PKT_SIZE];
    for (unsigned i = DET_RULES_LOADED; i < DET_MAX; i++)      /* levels */
        a[FLAT_DET + i] = acc->det[i] > s->det[i] ? acc->det[i] : s->det[i];
    memcpy(acc->acct, a + FLAT_ACCT, sizeof(acc->acct));
    acc->bytes_read = a[FLAT_BYTES];
    memcpy(acc->dc, a + FLAT_DC, sizeof(acc->dc));
    memcpy(acc->ev, a + FLAT_EV, sizeof(acc->ev));
    memcpy(acc->fs, a + FLAT_FS, sizeof(acc->fs));
    memcpy(acc->out, a + FLAT_OUT, sizeof(acc->out));
    memcpy(acc->cap, a + FLAT_CAP, sizeof(acc->cap));
    memcpy(acc->ss, a + FLAT_SS, sizeof(acc->ss));
    memcpy(acc->app, a + FLAT_APP, sizeof(acc->app));
    acc->app_memuse = a[FLAT_APP_MEM];
    acc->app_memcap = a[FLAT_APP_MEM + 1];
    acc->app_evicted = a[FLAT_APP_MEM + 2];
    memcpy(acc->det, a + FLAT_DET, sizeof(acc->det));
    memcpy(acc->an, a + FLAT_AN, sizeof(acc->an));
    memcpy(acc->an_alerts, a + FLAT_AN_ALERT, sizeof(acc->an_alerts));
    acc->an_evictions = a[FLAT_AN_EVICT];
    memcpy(acc->mem, a + FLAT_MEM, sizeof(acc->mem));
    if (s->ts_us > acc->ts_us)
        acc->ts_us = s->ts_us;
    if (s->first_ts_us && (!acc->first_ts_us || s->first_ts_us < acc->first_ts_us))
        acc->first_ts_us = s->first_ts_us;
    acc->final |= s->final;
}

/* Returns false when the snapshot must wait (too far ahead). */
static bool writer_snapshot(struct writer *wr, const struct ns_snap *s)
{
    if (s->seq >= wr->lowest + WRITER_SLOTS)
        return false;
    unsigned k = (unsigned)(s->seq % WRITER_SLOTS);
    if (wr->got[k] == 0) {
        memset(&wr->slot[k], 0, sizeof(wr->slot[k]));
        wr->slot[k].seq = s->seq;
        wr->slot[k].silent = true;
    }
    if (!s->silent)
        wr->slot[k].silent = false;
    snap_add(&wr->slot[k], s);
    wr->got[k]++;
    for (;;) {
        unsigned l = (unsigned)(wr->lowest % WRITER_SLOTS);
        if (wr->got[l] != wr->nsrc)
            break;
        struct ns_snap *done = &wr->slot[l];
        if (done->final) {
            wr->final = *done;      /* written in writer_finish */
            wr->have_final = true;
        } else if (wr->cfg->eve_stats && !done->silent) {
            writer_emit_stats(wr, done);
        }
        if (wr->top)
            top_feed_snapshot(wr->top, done);
        wr->got[l] = 0;
        wr->lowest++;
    }
    return true;
}

/* The rollup slot of interval seq, or NULL when it is too far ahead (the
 * record waits in its ring). */
static struct rollup_acc *writer_rollup_slot(struct writer *wr, uint64_t seq)
{
    if (!wr->ru_nsrc || seq < wr->ru_lowest || seq >= wr->ru_lowest + WRITER_ROLLUP_SLOTS)
        return NULL;
    return &wr->ru[seq % WRITER_ROLLUP_SLOTS];
}

/* Nothing happened in it: no packet, no flow started or ended, no
 * transaction (flows_active is a level, not an event). */
static bool writer_rollup_quiet(const struct rollup_counts *c)
{
    return !c->pkts && !c->flows_started && !c->flows_ended && !c->dns_queries &&
           !c->dns_responses && !c->http_tx && !c->tls_sessions;
}

static void writer_rollup_emit(struct writer *wr, const struct rollup_acc *a)
{
    /* Live, every worker closes every interval (idle ones on their poll
     * timeout), so quiet intervals reach here; like offline, where the
     * reader never cuts one, they get no record.  The final one always
     * does: it says the run ended. */
    if (wr->live && !a->final && writer_rollup_quiet(&a->c))
        return;
    if (wr->cfg->eve_rollup) {
        size_t n = eve_rollup(&wr->ec, wr->scratch, NS_RECORD_MAX, a, wr->cfg->rollup.interval,
                              wr->cfg->rollup.top_n);
        if (n) {
            writer_write(wr, wr->scratch, n);
            wr->rollups_written++;
            writer_flush_live(wr);
        }
    }
    if (wr->csv)
        csv_rollup(wr->csv, &wr->ec, a, wr->cfg->rollup.top_n);
    /* the final interval is cut short by the end of the file: no sample */
    if (wr->an && !a->final) {
        uint64_t v[ASER_MAX] = {
            [ASER_PKTS] = a->c.pkts, [ASER_BYTES] = a->c.bytes,
            [ASER_FLOWS] = a->c.flows_started, [ASER_DNS] = a->c.dns_queries,
        };
        anomaly_rollup(wr->an, a->end_us, v);
    }
    if (wr->top)
        top_feed_talkers(wr->top, a);
}

/* Emits, oldest first, every held interval no source can still add to.
 * Offline every worker sends every seq (next_seq = seq + 1), so this is
 * "all sources sent it".  Live, a worker's seq jumps over intervals it
 * could not have counted in (engine/worker.c: a wall-clock step, a long
 * idle stretch), so an interval nobody holds is skipped, not waited for.
 * The merged interval is final when every source has sent its final
 * record and nothing later is held: a live worker that stopped one
 * interval earlier than another has its final record merged into a
 * regular one. */
static void writer_rollup_advance(struct writer *wr)
{
    for (;;) {
        uint64_t min_next = UINT64_MAX;
        for (unsigned i = 0; i < wr->ru_nsrc; i++)
            if (wr->ru_next[i] < min_next)
                min_next = wr->ru_next[i];
        if (wr->ru_lowest >= min_next)
            return;                 /* some source may still send it */
        unsigned l = (unsigned)(wr->ru_lowest % WRITER_ROLLUP_SLOTS);
        uint64_t later = UINT64_MAX;    /* the next interval held */
        for (unsigned k = 1; k < WRITER_ROLLUP_SLOTS; k++)
            if (wr->ru_got[(l + k) % WRITER_ROLLUP_SLOTS]) {
                later = wr->ru_lowest + k;
                break;
            }
        if (wr->ru_got[l]) {
            struct rollup_acc *a = &wr->ru[l];
            a->final = min_next == UINT64_MAX && later == UINT64_MAX;
            writer_rollup_emit(wr, a);
            wr->ru_got[l] = 0;
            rollup_acc_reset(a, wr->ru_lowest + WRITER_ROLLUP_SLOTS);
            wr->ru_lowest++;
            continue;
        }
        /* none held: on to the next one held, or to what every source
         * will send next (a sketch record of an interval whose counters
         * have not come yet lies at or above min_next, so it stays in
         * the window) */
        uint64_t to = later < min_next ? later : min_next;
        if (to == UINT64_MAX)
            return;                 /* every source has ended */
        wr->ru_lowest = to;
    }
}

/* Returns false when the record must wait (too far ahead). */
static bool writer_rollup(struct writer *wr, unsigned src, uint32_t type, const void *rec,
                          uint32_t len)
{
    if (!wr->ru_nsrc || src >= wr->ru_nsrc)
        return true;                /* not asked for: dropped */
    if (type == REC_ROLLUP_TOP) {
        const struct rollup_top_rec *h = rec;
        if (len < sizeof(*h))
            return true;
        struct rollup_acc *a = writer_rollup_slot(wr, h->seq);
        if (!a)
            return h->seq < wr->ru_lowest;
        (void)rollup_acc_add_top(a, h, len);   /* a bad one is left out */
        return true;
    }
    const struct rollup_rec *r = rec;
    if (len < sizeof(*r))
        return true;
    struct rollup_acc *a = writer_rollup_slot(wr, r->seq);
    if (!a)
        return r->seq < wr->ru_lowest;
    rollup_acc_add(a, r);
    wr->ru_got[r->seq % WRITER_ROLLUP_SLOTS]++;
    /* a source sends its intervals in order: nothing below next_seq again */
    wr->ru_next[src] = r->next_seq > r->seq ? r->next_seq : r->seq + 1;
    writer_rollup_advance(wr);
    return true;
}

/* Every source is done: nothing can raise an alert any more, so the final
 * stats record and the totals (the exit summary) count them all. */
static void writer_finish(struct writer *wr)
{
    if (!wr->have_final)
        return;
    if (wr->cfg->eve_stats && !wr->final.silent)
        writer_emit_stats(wr, &wr->final);
    wr->totals = wr->final;
    wr->totals.out[OUT_ALERT] += wr->an_alerts;
    wr->totals.out[OUT_STATS] = wr->stats_written;
    memcpy(wr->totals.an_alerts, wr->an_written, sizeof(wr->totals.an_alerts));
    if (wr->an) {
        uint64_t raised[ANOM_MAX];
        anomaly_counts(wr->an, raised, &wr->totals.an_evictions);
    }
}

static void *writer_main(void *arg)
{
    struct writer *wr = arg;
    /* a pipe whose reader left says EPIPE (counted) instead of killing us */
    sigset_t pipe_set;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, NULL);
    unsigned ndone = 0;
    uint32_t spins = 0;
    while (ndone < wr->nsrc) {
        bool progress = false;
        for (unsigned i = 0; i < wr->nsrc; i++) {
            if (wr->done[i])
                continue;
            for (unsigned b = 0; b < WRITER_BURST; b++) {
                uint32_t type, len;
                const void *rec = ring_peek(wr->src[i], &type, &len);
                if (!rec)
                    break;
                if (type == REC_JSON) {
                    writer_write(wr, rec, len);
                    if (wr->top)
                        top_feed_alert(wr->top, rec, len);
                } else if (type == REC_FLOW) {
                    writer_flow(wr, rec, len);
                } else if (type == REC_DNS) {
                    writer_dns(wr, rec, len);
                } else if (type == REC_ANOM_FLOW) {
                    writer_anom_flow(wr, rec, len);
                } else if (type == REC_ARP) {
                    writer_arp(wr, rec, len);
                } else if (type == REC_PCAP) {
                    writer_pcap(wr, rec, len);
                } else if (type == REC_ROLLUP_TOP || type == REC_ROLLUP) {
                    if (!writer_rollup(wr, i, type, rec, len))
                        break;
                } else if (type == REC_SNAP) {
                    if (len < sizeof(struct ns_snap) || !writer_snapshot(wr, rec))
                        break;
                } else if (type == REC_DONE) {
                    wr->done[i] = true;
                    ndone++;
                    /* a source that ends without a final rollup (a worker
                     * that never started) holds no interval back */
                    if (i < wr->ru_nsrc && wr->ru_next[i] != UINT64_MAX) {
                        wr->ru_next[i] = UINT64_MAX;
                        writer_rollup_advance(wr);
                    }
                    ring_release(wr->src[i]);
                    progress = true;
                    break;
                }
                ring_release(wr->src[i]);
                progress = true;
            }
        }
        /* flush old lines, rotate, reopen on SIGHUP, retry failures */
        logfile_tick(wr->log, !progress);
        if (wr->csv)
            csv_tick(wr->csv, !progress);
        if (wr->pcap)
            logfile_tick(wr->pcap, !progress);
        if (progress)
            spins = 0;
        else
            ring_backoff(&spins);
    }
    writer_finish(wr);
    wr->out_errno[OUTF_EVE] = logfile_close(wr->log, &wr->out_final[OUTF_EVE]);
    wr->log = NULL;
    wr->out_errno[OUTF_CSV] = csv_close(wr->csv, &wr->out_final[OUTF_CSV]);
    wr->csv = NULL;
    wr->out_errno[OUTF_PCAP] = logfile_close(wr->pcap, &wr->out_final[OUTF_PCAP]);
    wr->pcap = NULL;
    return NULL;
}

int writer_start(struct writer *wr, char *errbuf)
{
    int rc = pthread_create(&wr->thread, NULL, writer_main, wr);
    if (rc != 0) {
        snprintf(errbuf, NS_ERRBUF_SIZE, "writer: pthread_create: %s", strerror(rc));
        return NS_ERR_NOMEM;
    }
    wr->started = true;
    (void)pthread_setname_np(wr->thread, "ns-writer");
    return NS_OK;
}

static uint64_t dropped_sum(const struct logfile_stats *s)
{
    uint64_t n = 0;
    for (unsigned k = 0; k < LOGF_DROP_MAX; k++)
        n += s->dropped[k];
    return n;
}

int writer_join(struct writer *wr, char *errbuf)
{
    if (wr->started) {
        pthread_join(wr->thread, NULL);
        wr->started = false;
    }
    for (unsigned f = 0; f < OUTF_MAX; f++) {
        if (!wr->out_errno[f])
            continue;
        const struct logfile_stats *s = &wr->out_final[f];
        snprintf(errbuf, NS_ERRBUF_SIZE, "writing %s: %s; %llu of %llu %s lost", wr->out_name[f],
                 strerror(wr->out_errno[f]), (unsigned long long)dropped_sum(s),
                 (unsigned long long)s->lines, outf_unit[f]);
        return NS_ERR_IO;
    }
    return NS_OK;
}

const struct ns_snap *writer_totals(const struct writer *wr)
{
    return &wr->totals;
}

uint64_t writer_records(const struct writer *wr)
{
    return wr->records;
}

const struct logfile_stats *writer_eve_stats(const struct writer *wr)
{
    return &wr->out_final[OUTF_EVE];
}

uint64_t writer_eve_dropped(const struct writer *wr)
{
    return dropped_sum(&wr->out_final[OUTF_EVE]);
}

void writer_print_outputs(const struct writer *wr, FILE *f)
{
    for (unsigned o = 0; o < OUTF_MAX; o++) {
        if (!wr->out_on[o])
            continue;
        const struct logfile_stats *s = &wr->out_final[o];
        fprintf(f, "netscope: %s: %llu %s = %llu written + %llu dropped", wr->out_name[o],
                (unsigned long long)s->lines, outf_unit[o], (unsigned long long)s->written,
                (unsigned long long)dropped_sum(s));
        const char *sep = " (";
        for (unsigned k = 0; k < LOGF_DROP_MAX; k++) {
            if (!s->dropped[k])
                continue;
            fprintf(f, "%s%s %llu", sep, logfile_drop_name(k), (unsigned long long)s->dropped[k]);
            sep = ", ";
        }
        fprintf(f, "%s; %llu write errors, %llu reopens, %llu rotations, %llu ms blocked on the "
                   "reader\n",
                sep[0] == ',' ? ")" : "", (unsigned long long)s->write_errors,
                (unsigned long long)s->reopens, (unsigned long long)s->rotations,
                (unsigned long long)s->blocked_ms);
    }
}
