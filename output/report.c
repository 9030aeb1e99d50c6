/* output/report.c: reading an EVE file into the report's aggregates, and
 * the `netscope report` command (see report.h).
 *
 * Time: timestamps are parsed by hand (no mktime, no time zone lookup per
 * line) into UTC microseconds; years outside 1970..9999 count as no time.
 * The time buckets are REPORT_BUCKETS slots of width_us, starting at 1 ms;
 * when a time falls outside them the width doubles and the slots merge
 * pairwise (base realigned to the new width), as often as needed, so the
 * span of the whole file fits in the end without knowing it up front and
 * without a second pass.  A flow's bytes are spread over the buckets from
 * flow.start to flow.end in proportion to the overlap (the sum stays
 * exact), so a long flow does not show as one spike at its end.
 *
 * What counts where: flow records give traffic, protocol and app_proto mix
 * (bytes both ways), talkers (each endpoint gets the flow's bytes), ports
 * ("PROTO/dest_port", flows), duration and size histograms; alert records
 * the alert series and signatures; dns requests the names and rrtypes
 * (version 3 queries[], or version 2 dns.rrname), dns responses the
 * rcodes; http the status class, method and hostname; tls the version and
 * SNI; stats the loss counters.  Other event types (rollup, anomaly, smtp,
 * ...) only count in the event type table. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <unistd.h>

#include "output/report_int.h"

/* Capacities of the top-N tables: exact up to this many distinct keys. */
static const uint32_t report_top_cap[RPT_MAX] = {
    [RPT_EVENT_TYPES] = 64, [RPT_PROTO] = 64, [RPT_APP] = 128, [RPT_TALKERS] = 4096,
    [RPT_PORTS] = 4096, [RPT_SIGS] = 2048, [RPT_DNS_NAMES] = 4096, [RPT_DNS_RRTYPE] = 128,
    [RPT_DNS_RCODE] = 64, [RPT_HTTP_HOSTS] = 2048, [RPT_HTTP_METHODS] = 64, [RPT_TLS_SNI] = 2048,
    [RPT_TLS_VERSIONS] = 32,
};

#define REPORT_MIN_WIDTH_US 1000
#define REPORT_DNS_MAX_QUERIES 16   /* per record: a hostile record cannot weigh more */

struct report *report_create(void)
{
    char err[NS_ERRBUF_SIZE];
    struct report *r = calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    r->doc = evejson_create();
    if (!r->doc)
        goto err;
    for (int i = 0; i < RPT_MAX; i++)
        if (!(r->top[i] = sketch_create(report_top_cap[i], REPORT_KEY_MAX, err)))
            goto err;
    r->width_us = REPORT_MIN_WIDTH_US;
    return r;
err:
    report_destroy(r);
    return NULL;
}

void report_destroy(struct report *r)
{
    if (!r)
        return;
    evejson_destroy(r->doc);
    for (int i = 0; i < RPT_MAX; i++)
        sketch_destroy(r->top[i]);
    free(r);
}

/* ---- time ---- */

static bool report_digits(const char *s, size_t n, int *v)
{
    int x = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        x = x * 10 + (s[i] - '0');
    }
    *v = x;
    return true;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil). */
static int64_t report_days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = y / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* "2026-11-23T20:13:26.040687+0000" (fraction optional, offset +HHMM,
 * +HH:MM or Z) to UTC microseconds. */
static bool report_parse_time(const char *s, size_t n, int64_t *us)
{
    int y, mo, d, h, mi, se;
    if (n < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' ||
        s[16] != ':')
        return false;
    if (!report_digits(s, 4, &y) || !report_digits(s + 5, 2, &mo) || !report_digits(s + 8, 2, &d) ||
        !report_digits(s + 11, 2, &h) || !report_digits(s + 14, 2, &mi) || !report_digits(s + 17, 2, &se))
        return false;
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
        return false;
    size_t i = 19;
    int64_t frac = 0;
    if (i < n && s[i] == '.') {
        int k = 0;
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++, k++)
            if (k < 6)
                frac = frac * 10 + (s[i] - '0');
        if (k == 0)
            return false;
        for (; k < 6; k++)
            frac *= 10;
    }
    int64_t off = 0;
    if (i < n && (s[i] == '+' || s[i] == '-')) {
        int oh, om;
        size_t m = i + 3 < n && s[i + 3] == ':' ? i + 4 : i + 3;
        if (n - i < 5 || !report_digits(s + i + 1, 2, &oh) || m + 2 > n || !report_digits(s + m, 2, &om))
            return false;
        off = (int64_t)(oh * 60 + om) * 60 * (s[i] == '-' ? -1 : 1);
        i = m + 2;
    } else if (i < n && s[i] == 'Z') {
        i++;
    }
    if (i != n)
        return false;
    int64_t secs = report_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - off;
    if (secs < 0)
        return false;
    *us = secs * 1000000 + frac;
    return true;
}

static bool report_tok_time(struct report *r, int t, int64_t *us)
{
    const struct evejson_doc *d = r->doc;
    if (t < 0 || d->tok[t].type != EVEJSON_STRING)
        return false;
    return report_parse_time(d->line + d->tok[t].off, d->tok[t].len, us);
}

static int64_t report_floor_to(int64_t t, int64_t w)
{
    return t - t % w;       /* t >= 0 */
}

/* Moves the buckets so that slot 0 starts at nb (nb - base a multiple
 * of the width, the used slots staying inside the array). */
static void report_time_shift(struct report *r, int64_t nb)
{
    int64_t d = (r->base_us - nb) / r->width_us;        /* new index = old + d */
    uint32_t n = r->hi - r->lo + 1;
    memmove(&r->bkt[r->lo + d], &r->bkt[r->lo], n * sizeof(r->bkt[0]));
    /* clear what the move uncovered */
    if (d > 0)
        memset(&r->bkt[r->lo], 0, (size_t)(d < n ? d : n) * sizeof(r->bkt[0]));
    else if (d < 0) {
        int64_t from = (int64_t)r->hi + 1 + d;              /* just above the new top */
        from = from > (int64_t)r->lo ? from : (int64_t)r->lo;
        memset(&r->bkt[from], 0, (size_t)((int64_t)r->hi + 1 - from) * sizeof(r->bkt[0]));
    }
    r->lo = (uint32_t)((int64_t)r->lo + d);
    r->hi = (uint32_t)((int64_t)r->hi + d);
    r->base_us = nb;
}

/* Doubles the width; slot 0 starts at nb (nb - base a multiple of the old
 * width).  Old slot i goes to j = (base - nb + i*w) / 2w: for j <= i merge
 * in increasing i, for j >= i in decreasing i, so no slot is read after it
 * was rewritten. */
static void report_time_double(struct report *r, int64_t nb, bool up)
{
    int64_t w2 = r->width_us * 2;
    uint32_t lo = UINT32_MAX, hi = 0;
    for (uint32_t k = 0; k <= r->hi - r->lo; k++) {
        uint32_t i = up ? r->hi - k : r->lo + k;
        uint32_t j = (uint32_t)((r->base_us + (int64_t)i * r->width_us - nb) / w2);
        struct report_bucket b = r->bkt[i];
        memset(&r->bkt[i], 0, sizeof(b));
        for (int p = 0; p < RP_MAX; p++)
            r->bkt[j].bytes[p] += b.bytes[p];
        r->bkt[j].alerts += b.alerts;
        lo = j < lo ? j : lo;
        hi = j > hi ? j : hi;
    }
    r->base_us = nb;
    r->width_us = w2;
    r->lo = lo;
    r->hi = hi;
}

/* Makes room for t: slides the buckets when the used ones and t fit in
 * REPORT_BUCKETS of the current width, else doubles the width (merging
 * slots pairwise) with the used span kept at the end away from t, and
 * tries again.  False when t cannot fit (never for years 1970..9999). */
static bool report_time_fit(struct report *r, int64_t t)
{
    if (!r->info.have_time) {
        r->base_us = report_floor_to(t, r->width_us);
        r->lo = r->hi = 0;
        r->info.have_time = true;
        return true;
    }
    for (int guard = 0; guard < 64; guard++) {
        int64_t w = r->width_us;
        if (t >= r->base_us && (t - r->base_us) / w < REPORT_BUCKETS)
            return true;
        if (w > (INT64_MAX / 4) / (4 * REPORT_BUCKETS))
            return false;
        int64_t a = r->base_us + (int64_t)r->lo * w, b = r->base_us + ((int64_t)r->hi + 1) * w;
        if (t < a) {
            int64_t na = a - ((a - t) + w - 1) / w * w;         /* a boundary <= t */
            if ((b - na) / w <= REPORT_BUCKETS) {
                report_time_shift(r, na);
                continue;
            }
            report_time_double(r, b - 2 * REPORT_BUCKETS * w, true);  /* used span at the top */
        } else {
            if ((t - a) / w < REPORT_BUCKETS) {
                report_time_shift(r, a);
                continue;
            }
            report_time_double(r, a, false);                          /* used span at the bottom */
        }
    }
    return false;
}

/* The bucket of t, after report_time_fit(t) returned true. */
static uint32_t report_bucket_of(struct report *r, int64_t t)
{
    uint32_t i = (uint32_t)((t - r->base_us) / r->width_us);
    r->lo = i < r->lo ? i : r->lo;
    r->hi = i > r->hi ? i : r->hi;
    return i;
}

static void report_seen_time(struct report *r, int64_t t)
{
    if (r->info.first_us == 0 || t < r->info.first_us)
        r->info.first_us = t;
    if (t > r->info.last_us)
        r->info.last_us = t;
}

/* ---- helpers over the parsed line ---- */

static uint64_t report_u64(struct report *r, int obj, const char *path)
{
    uint64_t v = 0;
    (void)evejson_u64(r->doc, evejson_path(r->doc, obj, path), &v);
    return v;
}

static uint64_t report_sat_add(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* Adds the unescaped string at t to table tab; false when t is not a
 * string (nothing added). */
static bool report_count_str(struct report *r, enum report_table tab, int t, uint64_t w)
{
    char buf[REPORT_KEY_MAX];
    long n = evejson_str(r->doc, t, buf, sizeof(buf));
    if (n < 0)
        return false;
    sketch_add(r->top[tab], buf, (size_t)n, w);
    return true;
}

static void report_count_lit(struct report *r, enum report_table tab, const char *s, uint64_t w)
{
    sketch_add(r->top[tab], s, strlen(s), w);
}

static enum report_proto report_proto_of(struct report *r, int t)
{
    if (evejson_str_eq(r->doc, t, "TCP"))
        return RP_TCP;
    if (evejson_str_eq(r->doc, t, "UDP"))
        return RP_UDP;
    if (evejson_str_eq(r->doc, t, "ICMP") || evejson_str_eq(r->doc, t, "IPv6-ICMP"))
        return RP_ICMP;
    return RP_OTHER;
}

static unsigned report_decade_bin(uint64_t v, uint64_t first, unsigned nbins)
{
    unsigned b = 0;
    for (uint64_t lim = first; b + 1 < nbins && v >= lim; lim *= 10)
        b++;
    return b;
}

/* ---- per event type ---- */

static void report_add_flow(struct report *r, int64_t ts, bool have_ts)
{
    struct evejson_doc *d = r->doc;
    int fl = evejson_member(d, 0, "flow");
    uint64_t bytes = report_sat_add(report_u64(r, fl, "bytes_toserver"), report_u64(r, fl, "bytes_toclient"));
    uint64_t pkts = report_sat_add(report_u64(r, fl, "pkts_toserver"), report_u64(r, fl, "pkts_toclient"));
    int pt = evejson_member(d, 0, "proto");
    enum report_proto p = report_proto_of(r, pt);

    r->info.flows++;
    r->info.flow_bytes = report_sat_add(r->info.flow_bytes, bytes);
    r->info.flow_pkts = report_sat_add(r->info.flow_pkts, pkts);
    if (!report_count_str(r, RPT_PROTO, pt, bytes))
        report_count_lit(r, RPT_PROTO, "(none)", bytes);
    if (!report_count_str(r, RPT_APP, evejson_member(d, 0, "app_proto"), bytes))
        report_count_lit(r, RPT_APP, "(none)", bytes);
    (void)report_count_str(r, RPT_TALKERS, evejson_member(d, 0, "src_ip"), bytes);
    (void)report_count_str(r, RPT_TALKERS, evejson_member(d, 0, "dest_ip"), bytes);
    uint64_t dport;
    if (evejson_u64(d, evejson_member(d, 0, "dest_port"), &dport)) {
        char key[REPORT_KEY_MAX];
        long n = evejson_str(d, pt, key, sizeof(key) - 24);
        if (n < 0)
            n = 0;
        n += snprintf(key + n, sizeof(key) - (size_t)n, "/%llu", (unsigned long long)dport);
        sketch_add(r->top[RPT_PORTS], key, (size_t)n, 1);
    }
    r->size[report_decade_bin(bytes, 100, REPORT_SIZE_BINS)]++;

    int64_t s, e;
    bool hs = report_tok_time(r, evejson_member(d, fl, "start"), &s);
    bool he = report_tok_time(r, evejson_member(d, fl, "end"), &e);
    if (!he)
        e = ts;
    if (!hs)
        s = e;
    if (e < s)
        e = s;
    r->dur[report_decade_bin((uint64_t)(e - s), 1000, REPORT_DUR_BINS)]++;
    /* s's slot is marked used before e is fitted, so that making room
     * for e keeps it */
    if ((!he && !have_ts) || !report_time_fit(r, s) || (report_bucket_of(r, s), !report_time_fit(r, e))) {
        r->info.no_time++;
        return;
    }
    report_seen_time(r, s);
    report_seen_time(r, e);
    uint32_t bs = report_bucket_of(r, s), be = report_bucket_of(r, e);
    if (bs == be) {
        r->bkt[bs].bytes[p] += bytes;
        return;
    }
    /* bytes in proportion to the overlap: the cumulative share at each
     * bucket end, so the parts add up to exactly `bytes` */
    uint64_t given = 0;
    unsigned __int128 span = (unsigned __int128)(e - s);
    for (uint32_t i = bs; i <= be; i++) {
        int64_t end = i == be ? e : r->base_us + (int64_t)(i + 1) * r->width_us;
        uint64_t upto = (uint64_t)((unsigned __int128)bytes * (unsigned __int128)(end - s) / span);
        r->bkt[i].bytes[p] += upto - given;
        given = upto;
    }
}

static void report_add_alert(struct report *r, int64_t ts, bool have_ts)
{
    struct evejson_doc *d = r->doc;
    int al = evejson_member(d, 0, "alert");
    char key[REPORT_KEY_MAX];
    int n = snprintf(key, sizeof(key), "%llu: ", (unsigned long long)report_u64(r, al, "signature_id"));
    long m = evejson_str(d, evejson_member(d, al, "signature"), key + n, sizeof(key) - (size_t)n);
    sketch_add(r->top[RPT_SIGS], key, (size_t)n + (size_t)(m > 0 ? m : 0), 1);
    r->info.alerts++;
    if (have_ts)
        r->bkt[report_bucket_of(r, ts)].alerts++;
}

static void report_add_dns(struct report *r)
{
    struct evejson_doc *d = r->doc;
    int dns = evejson_member(d, 0, "dns");
    int ty = evejson_member(d, dns, "type");
    if (evejson_str_eq(d, ty, "response") || evejson_str_eq(d, ty, "answer")) {
        (void)report_count_str(r, RPT_DNS_RCODE, evejson_member(d, dns, "rcode"), 1);
        return;
    }
    if (!evejson_str_eq(d, ty, "request") && !evejson_str_eq(d, ty, "query"))
        return;
    int qs = evejson_member(d, dns, "queries");
    if (qs < 0) {                   /* version 2: one query per record */
        (void)report_count_str(r, RPT_DNS_NAMES, evejson_member(d, dns, "rrname"), 1);
        (void)report_count_str(r, RPT_DNS_RRTYPE, evejson_member(d, dns, "rrtype"), 1);
        return;
    }
    for (uint32_t i = 0; i < REPORT_DNS_MAX_QUERIES; i++) {
        int q = evejson_index(d, qs, i);
        if (q < 0)
            break;
        (void)report_count_str(r, RPT_DNS_NAMES, evejson_member(d, q, "rrname"), 1);
        (void)report_count_str(r, RPT_DNS_RRTYPE, evejson_member(d, q, "rrtype"), 1);
    }
}

static void report_add_http(struct report *r)
{
    struct evejson_doc *d = r->doc;
    int h = evejson_member(d, 0, "http");
    uint64_t st;
    if (evejson_u64(d, evejson_member(d, h, "status"), &st))
        r->info.http_status[st >= 100 && st < 600 ? st / 100 - 1 : 5]++;
    if (!report_count_str(r, RPT_HTTP_METHODS, evejson_member(d, h, "http_method"), 1))
        report_count_lit(r, RPT_HTTP_METHODS, "(none)", 1);
    if (!report_count_str(r, RPT_HTTP_HOSTS, evejson_member(d, h, "hostname"), 1))
        report_count_lit(r, RPT_HTTP_HOSTS, "(none)", 1);
}

static void report_add_tls(struct report *r)
{
    struct evejson_doc *d = r->doc;
    int t = evejson_member(d, 0, "tls");
    if (!report_count_str(r, RPT_TLS_VERSIONS, evejson_member(d, t, "version"), 1))
        report_count_lit(r, RPT_TLS_VERSIONS, "(none)", 1);
    if (!report_count_str(r, RPT_TLS_SNI, evejson_member(d, t, "sni"), 1))
        report_count_lit(r, RPT_TLS_SNI, "(no SNI)", 1);
}

static void report_add_stats(struct report *r)
{
    int s = evejson_member(r->doc, 0, "stats");
    struct report_loss now = {
        .read = report_u64(r, s, "accounting.read"),
        .invalid = report_u64(r, s, "accounting.invalid"),
        .kernel_packets = report_u64(r, s, "capture.kernel_packets"),
        .kernel_drops = report_u64(r, s, "capture.kernel_drops"),
        .output_dropped = report_u64(r, s, "output.dropped_too_big"),
    };
    /* a new run when the counters went back or the capture file changed */
    char name[REPORT_KEY_MAX];
    long nl = evejson_str(r->doc, evejson_member(r->doc, 0, "pcap_filename"), name, sizeof(name));
    uint64_t fh = 0xcbf29ce484222325ull;
    for (long i = 0; i < nl; i++)
        fh = (fh ^ (unsigned char)name[i]) * 0x100000001b3ull;
    bool other_file = r->info.have_stats && fh != r->run_file;
    r->run_file = fh;
    if (now.read < r->run.read || other_file) {
        r->banked.read += r->run.read;
        r->banked.invalid += r->run.invalid;
        r->banked.kernel_packets += r->run.kernel_packets;
        r->banked.kernel_drops += r->run.kernel_drops;
        r->banked.output_dropped += r->run.output_dropped;
    }
    r->run = now;
    r->info.have_stats = true;
}

static void report_note_bad(struct report *r, const char *why, size_t off)
{
    r->info.bad_lines++;
    if (r->nbad < REPORT_BAD_KEEP)
        r->info.bad[r->nbad++] = (struct report_bad){ r->info.lines, off, why };
}

void report_add_line(struct report *r, const char *line, size_t len)
{
    r->info.lines++;
    size_t i = 0;
    while (i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
        i++;
    if (i == len)
        return;
    if (len > REPORT_MAX_LINE) {
        report_note_bad(r, "line too long", REPORT_MAX_LINE);
        return;
    }
    struct evejson_doc *d = r->doc;
    if (evejson_parse(d, line, len) != NS_OK) {
        report_note_bad(r, d->err, d->err_off);
        return;
    }
    int et = evejson_member(d, 0, "event_type");
    if (evejson_str_eq(d, et, "rollup"))
        return;                     /* per-interval totals: everything is recomputed here */
    r->info.records++;
    if (!report_count_str(r, RPT_EVENT_TYPES, et, 1))
        report_count_lit(r, RPT_EVENT_TYPES, "(none)", 1);
    int64_t ts = 0;
    bool have_ts = report_tok_time(r, evejson_member(d, 0, "timestamp"), &ts);
    if (evejson_str_eq(d, et, "flow")) {
        report_add_flow(r, ts, have_ts);           /* its own times: flow.start, flow.end */
        return;
    }
    if (evejson_str_eq(d, et, "stats")) {
        report_add_stats(r);              /* a 1970 timestamp when nothing was read */
        return;
    }
    if (have_ts && !report_time_fit(r, ts))
        have_ts = false;
    if (have_ts)
        report_seen_time(r, ts);
    else
        r->info.no_time++;
    if (evejson_str_eq(d, et, "alert"))
        report_add_alert(r, ts, have_ts);
    else if (evejson_str_eq(d, et, "dns"))
        report_add_dns(r);
    else if (evejson_str_eq(d, et, "http"))
        report_add_http(r);
    else if (evejson_str_eq(d, et, "tls"))
        report_add_tls(r);
}

int report_add_file(struct report *r, const char *path, char *errbuf)
{
    bool std = !strcmp(path, "-");
    int fd = std ? 0 : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(errbuf, NS_ERRBUF_SIZE, "%s: %s", path, strerror(errno));
        return NS_ERR_IO;
    }
    /* a window of REPORT_MAX_LINE + 1 MiB: a line up to the cap is always
     * whole in it; a longer one is counted and skipped to its '\n' */
    size_t cap = REPORT_MAX_LINE + (1u << 20), have = 0;
    char *buf = malloc(cap);
    int rc = NS_OK;
    bool skipping = false, eof = false;
    if (!buf) {
        snprintf(errbuf, NS_ERRBUF_SIZE, "%s: out of memory", path);
        rc = NS_ERR_NOMEM;
        goto out;
    }
    while (!eof) {
        ssize_t got = read(fd, buf + have, cap - have);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            snprintf(errbuf, NS_ERRBUF_SIZE, "%s: read: %s", path, strerror(errno));
            rc = NS_ERR_IO;
            break;
        }
        eof = got == 0;
        have += (size_t)got;
        size_t pos = 0;
        for (;;) {
            char *nl = memchr(buf + pos, '\n', have - pos);
            if (!nl)
                break;
            size_t n = (size_t)(nl - (buf + pos));
            if (skipping)
                skipping = false;   /* the end of an overlong line, already counted */
            else
                report_add_line(r, buf + pos, n);
            pos += n + 1;
        }
        if (eof && pos < have && !skipping)
            report_add_line(r, buf + pos, have - pos);   /* last line without '\n' */
        else if (!eof && have - pos > REPORT_MAX_LINE && !skipping) {
            report_add_line(r, buf + pos, have - pos);   /* counted as too long */
            skipping = true;
            pos = have;
        } else if (skipping)
            pos = have;
        memmove(buf, buf + pos, have - pos);
        have -= pos;
    }
out:
    free(buf);
    if (!std)
        close(fd);
    return rc;
}

void report_get_info(const struct report *r, struct report_info *ri)
{
    *ri = r->info;
    ri->bucket_us = r->width_us;
    ri->buckets = r->info.have_time ? r->hi - r->lo + 1 : 0;
    ri->bucket_bytes = ri->bucket_alerts = 0;
    for (uint32_t i = 0; i < REPORT_BUCKETS; i++) {
        for (int p = 0; p < RP_MAX; p++)
            ri->bucket_bytes += r->bkt[i].bytes[p];
        ri->bucket_alerts += r->bkt[i].alerts;
    }
    ri->pkts_read = r->banked.read + r->run.read;
    ri->pkts_invalid = r->banked.invalid + r->run.invalid;
    ri->kernel_packets = r->banked.kernel_packets + r->run.kernel_packets;
    ri->kernel_drops = r->banked.kernel_drops + r->run.kernel_drops;
    ri->output_dropped = r->banked.output_dropped + r->run.output_dropped;
}

size_t report_top(const struct report *r, enum report_table t, struct sketch_item *rows, size_t n)
{
    if ((unsigned)t >= RPT_MAX)
        return 0;
    return sketch_top(r->top[t], rows, n > UINT32_MAX ? UINT32_MAX : (uint32_t)n);
}

/* ---- the command ---- */

static void report_usage(FILE *f)
{
    fprintf(f, "usage: netscope report EVE.json [-o report.html]\n"
               "  EVE.json    an EVE file (\"-\": standard input)\n"
               "  -o FILE     where the page is written (default: report.html)\n");
}

int report_main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "output", required_argument, NULL, 'o' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *out_path = "report.html";
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o':
            out_path = optarg;
            break;
        case 'h':
            report_usage(stdout);
            return 0;
        default:
            report_usage(stderr);
            return 2;
        }
    }
    if (optind != argc - 1) {
        report_usage(stderr);
        return 2;
    }
    const char *in = argv[optind];
    char err[NS_ERRBUF_SIZE];
    struct report *r = report_create();
    if (!r) {
        fprintf(stderr, "netscope report: out of memory\n");
        return 1;
    }
    int ret = 0;
    if (report_add_file(r, in, err) != NS_OK) {
        fprintf(stderr, "netscope report: %s\n", err);
        ret = 1;
        if (r->info.lines == 0)
            goto out;
    }
    struct report_info ri;
    report_get_info(r, &ri);
    for (uint32_t i = 0; i < r->nbad; i++)
        fprintf(stderr, "netscope report: %s:%llu: byte %zu: %s\n", in,
                (unsigned long long)ri.bad[i].line, ri.bad[i].off, ri.bad[i].why);
    if (ri.bad_lines > r->nbad)
        fprintf(stderr, "netscope report: %s: %llu more bad lines\n", in,
                (unsigned long long)(ri.bad_lines - r->nbad));
    FILE *f = fopen(out_path, "w");
    if (!f) {
        fprintf(stderr, "netscope report: %s: %s\n", out_path, strerror(errno));
        ret = 1;
        goto out;
    }
    int wrc = report_write_html(r, f, in);
    if (fclose(f) != 0 || wrc != NS_OK) {
        fprintf(stderr, "netscope report: %s: write failed\n", out_path);
        ret = 1;
        goto out;
    }
    fprintf(stderr,
            "netscope report: %s: %llu lines, %llu records, %llu bad; %llu flows, %llu alerts -> %s\n",
            in, (unsigned long long)ri.lines, (unsigned long long)ri.records,
            (unsigned long long)ri.bad_lines, (unsigned long long)ri.flows,
            (unsigned long long)ri.alerts, out_path);
out:
    report_destroy(r);
    return ret;
}
