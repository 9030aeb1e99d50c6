/* output/report_html.c: the report page (see report.h).
 *
 * One HTML file: inline CSS, inline SVG drawn here, no script, no font, no
 * link to anything.  Each chart is an <svg class="chart" id="chart-NAME"
 * data-points="N"> where N counts the points that carry data (bars above
 * zero, time buckets with traffic), so a test can tell an empty chart
 * from a drawn one.  The size is bounded by construction: at most
 * REPORT_ROWS rows per top-N chart, labels cut at REPORT_LABEL_MAX input
 * bytes, at most REPORT_BUCKETS steps per time series; a page is some tens
 * of KB whatever the input, a few hundred at most for labels made of
 * characters that all need an entity.
 *
 * Every string from the input goes through report_html_escape: the
 * page's only markup is what is written here. */
#include <inttypes.h>
#include <time.h>

#include "output/report_int.h"

#define REPORT_ROWS      12
#define REPORT_LABEL_MAX 60     /* input bytes shown per label */
#define CHART_W          560

static const char *const proto_names[RP_MAX] = { "TCP", "UDP", "ICMP", "other" };
static const char *const palette[] = { "#3366cc", "#dc3912", "#ff9900", "#109618",
                                       "#990099", "#0099c6", "#dd4477", "#66aa00" };

/* ---- escaping ---- */

/* Length of the well-formed UTF-8 sequence at s (RFC 3629 section 4), or
 * 0 when the byte does not start one. */
static size_t html_utf8_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t len;
    unsigned char lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf)
        len = 2;
    else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        if (c == 0xe0)
            lo = 0xa0;
        else if (c == 0xed)
            hi = 0x9f;          /* no surrogates */
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        if (c == 0xf0)
            lo = 0x90;
        else if (c == 0xf4)
            hi = 0x8f;          /* nothing above U+10FFFF */
    } else
        return 0;
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xbf)
            return 0;
    return len;
}

size_t report_html_escape(const char *s, size_t n, char *out, size_t cap)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t o = 0;
    if (cap == 0)
        return 0;
    for (size_t i = 0; i < n;) {
        const char *piece;
        size_t plen, adv;
        char one[4];
        switch (u[i]) {
        case '&': piece = "&amp;"; plen = 5; adv = 1; break;
        case '<': piece = "&lt;"; plen = 4; adv = 1; break;
        case '>': piece = "&gt;"; plen = 4; adv = 1; break;
        case '"': piece = "&quot;"; plen = 6; adv = 1; break;
        case '\'': piece = "&#39;"; plen = 5; adv = 1; break;
        default:
            adv = html_utf8_len(u + i, n - i);
            /* C0 controls, DEL and C1 controls (U+0080..U+009F) too */
            if (adv == 0 || u[i] < 0x20 || u[i] == 0x7f || (u[i] == 0xc2 && u[i + 1] < 0xa0)) {
                piece = "\xef\xbf\xbd";     /* U+FFFD */
                plen = 3;
                adv = adv ? adv : 1;
            } else {
                memcpy(one, s + i, adv);
                piece = one;
                plen = adv;
            }
        }
        if (cap - 1 - o < plen)
            break;
        memcpy(out + o, piece, plen);
        o += plen;
        i += adv;
    }
    out[o] = '\0';
    return o;
}

/* s[0..n) as text, cut at max input bytes (on a character boundary) with
 * an ellipsis. */
static void html_text(FILE *f, const char *s, size_t n, size_t max)
{
    char buf[REPORT_LABEL_MAX * 6 + 8];
    bool cut = false;
    if (n > max) {
        n = max;
        while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
            n--;                /* do not end inside a character */
        cut = true;
    }
    if (n > REPORT_LABEL_MAX)
        n = REPORT_LABEL_MAX;
    report_html_escape(s, n, buf, sizeof(buf));
    fputs(buf, f);
    if (cut)
        fputs("\xe2\x80\xa6", f);
}

static void html_text_str(FILE *f, const char *s)
{
    html_text(f, s, strlen(s), REPORT_LABEL_MAX);
}

/* ---- numbers and times ---- */

static const char *html_fmt(char *b, size_t cap, uint64_t v, bool bytes)
{
    static const char *const si[] = { "", " k", " M", " G", " T", " P", " E" };
    static const char *const bi[] = { " B", " KiB", " MiB", " GiB", " TiB", " PiB", " EiB" };
    double x = (double)v, div = bytes ? 1024.0 : 1000.0;
    int k = 0;
    while (x >= div && k < 6) {
        x /= div;
        k++;
    }
    if (k == 0)
        snprintf(b, cap, "%" PRIu64 "%s", v, bytes ? " B" : "");
    else
        snprintf(b, cap, "%.*f%s", x < 10 ? 2 : x < 100 ? 1 : 0, x, bytes ? bi[k] : si[k]);
    return b;
}

static const char *html_fmt_time(char *b, size_t cap, int64_t us, bool with_ms)
{
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    if (!gmtime_r(&t, &tm)) {
        snprintf(b, cap, "?");
        return b;
    }
    size_t n = strftime(b, cap, "%Y-%m-%d %H:%M:%S", &tm);
    if (with_ms && n < cap)
        snprintf(b + n, cap - n, ".%03d", (int)(us % 1000000 / 1000));
    return b;
}

static const char *html_fmt_dur(char *b, size_t cap, int64_t us)
{
    if (us < 1000000)
        snprintf(b, cap, "%.0f ms", (double)us / 1000.0);
    else if (us < 120ll * 1000000)
        snprintf(b, cap, "%.1f s", (double)us / 1e6);
    else if (us < 7200ll * 1000000)
        snprintf(b, cap, "%.1f min", (double)us / 6e7);
    else if (us < 172800ll * 1000000)
        snprintf(b, cap, "%.1f h", (double)us / 3.6e9);
    else
        snprintf(b, cap, "%.1f days", (double)us / 8.64e10);
    return b;
}

/* ---- charts ---- */

static void html_card_open(FILE *f, const char *title, const char *note)
{
    fprintf(f, "<section class=\"card\"><h2>%s</h2>", title);
    if (note)
        fprintf(f, "<p class=\"note\">%s</p>", note);
}

static void html_no_data(FILE *f, const char *id)
{
    fprintf(f, "<svg class=\"chart\" id=\"chart-%s\" data-points=\"0\" width=\"%d\" height=\"40\" "
               "viewBox=\"0 0 %d 40\"><text x=\"10\" y=\"24\" class=\"empty\">no data</text></svg>",
            id, CHART_W, CHART_W);
}

struct bar {
    const char *label;
    size_t llen;
    uint64_t v;
};

/* Horizontal bars, one row per label, largest scale = the first max. */
static void html_bars_h(FILE *f, const char *id, const struct bar *b, size_t n, bool bytes, const char *color)
{
    uint64_t max = 0;
    size_t pts = 0;
    for (size_t i = 0; i < n; i++) {
        max = b[i].v > max ? b[i].v : max;
        pts += b[i].v > 0;
    }
    if (pts == 0) {
        html_no_data(f, id);
        return;
    }
    const int row = 20, lw = 250, bw = CHART_W - lw - 70;
    int h = (int)n * row + 6;
    fprintf(f, "<svg class=\"chart\" id=\"chart-%s\" data-points=\"%zu\" width=\"%d\" height=\"%d\" "
               "viewBox=\"0 0 %d %d\">", id, pts, CHART_W, h, CHART_W, h);
    for (size_t i = 0; i < n; i++) {
        char num[32];
        int y = (int)i * row + 4;
        int w = max ? (int)((double)b[i].v / (double)max * bw) : 0;
        fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"lbl\">", lw - 6, y + 12);
        html_text(f, b[i].label, b[i].llen, 40);    /* an IPv6 address in full */
        fprintf(f, "</text><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>"
                   "<text x=\"%d\" y=\"%d\" class=\"val\">%s</text>",
                lw, y, w > 0 ? w : 1, row - 6, color, lw + (w > 0 ? w : 1) + 4, y + 12,
                html_fmt(num, sizeof(num), b[i].v, bytes));
    }
    fputs("</svg>", f);
}

static void html_top_chart(FILE *f, const struct report *r, enum report_table t, const char *id,
                       const char *title, const char *what, bool bytes, const char *color)
{
    struct sketch_item rows[REPORT_ROWS];
    struct bar bars[REPORT_ROWS];
    size_t n = sketch_top(r->top[t], rows, REPORT_ROWS);
    for (size_t i = 0; i < n; i++)
        bars[i] = (struct bar){ (const char *)rows[i].key, rows[i].len, rows[i].count };
    char note[160], num[32];
    snprintf(note, sizeof(note), "%s; %u distinct%s, total %s", what, sketch_size(r->top[t]),
             sketch_exact(r->top[t]) ? "" : " kept (approximate: Space-Saving counts, upper bounds)",
             html_fmt(num, sizeof(num), sketch_total(r->top[t]), bytes));
    html_card_open(f, title, note);
    html_bars_h(f, id, bars, n, bytes, color);
    fputs("</section>\n", f);
}

/* Vertical bars with a label under each. */
static void html_hist(FILE *f, const char *id, const char *const *labels, const uint64_t *v, size_t n,
                  const char *color)
{
    uint64_t max = 0;
    size_t pts = 0;
    for (size_t i = 0; i < n; i++) {
        max = v[i] > max ? v[i] : max;
        pts += v[i] > 0;
    }
    if (pts == 0) {
        html_no_data(f, id);
        return;
    }
    const int top = 16, ph = 150, h = top + ph + 24;
    int slot = (CHART_W - 20) / (int)n;
    fprintf(f, "<svg class=\"chart\" id=\"chart-%s\" data-points=\"%zu\" width=\"%d\" height=\"%d\" "
               "viewBox=\"0 0 %d %d\">", id, pts, CHART_W, h, CHART_W, h);
    for (size_t i = 0; i < n; i++) {
        char num[32];
        int bh = (int)((double)v[i] / (double)max * ph);
        int x = 10 + (int)i * slot;
        if (v[i] && bh < 1)
            bh = 1;
        fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>"
                   "<text x=\"%d\" y=\"%d\" class=\"mid\">%s</text>"
                   "<text x=\"%d\" y=\"%d\" class=\"mid\">%s</text>",
                x + 4, top + ph - bh, slot - 8, bh, color, x + slot / 2, top + ph - bh - 3,
                v[i] ? html_fmt(num, sizeof(num), v[i], false) : "", x + slot / 2, top + ph + 16, labels[i]);
    }
    fputs("</svg>", f);
}

/* Stacked step areas over the time buckets [r->lo, r->hi]; val(r, i, s)
 * is series s in bucket i. */
typedef uint64_t (*series_fn)(const struct report *r, uint32_t i, int s);

static uint64_t html_traffic_val(const struct report *r, uint32_t i, int s) { return r->bkt[i].bytes[s]; }
static uint64_t html_alert_val(const struct report *r, uint32_t i, int s)
{
    (void)s;
    return r->bkt[i].alerts;
}

static void html_series(FILE *f, const struct report *r, const char *id, series_fn val, int ns,
                    const char *const *names, bool bytes)
{
    if (!r->info.have_time) {
        html_no_data(f, id);
        return;
    }
    uint32_t nb = r->hi - r->lo + 1;
    uint64_t max = 0;
    size_t pts = 0;
    for (uint32_t i = r->lo; i <= r->hi; i++) {
        uint64_t sum = 0;
        for (int s = 0; s < ns; s++)
            sum += val(r, i, s);
        max = sum > max ? sum : max;
        pts += sum > 0;
    }
    if (pts == 0) {
        html_no_data(f, id);
        return;
    }
    const int x0 = 70, pw = CHART_W - x0 - 10, y0 = 10, ph = 170, h = y0 + ph + 40;
    char num[32], t1[48], t2[48];
    bool ms = r->width_us < 1000000;
    fprintf(f, "<svg class=\"chart\" id=\"chart-%s\" data-points=\"%zu\" width=\"%d\" height=\"%d\" "
               "viewBox=\"0 0 %d %d\">", id, pts, CHART_W, h, CHART_W, h);
    fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"ax\"/>"
               "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"ax\"/>"
               "<text x=\"%d\" y=\"%d\" class=\"num\">%s</text><text x=\"%d\" y=\"%d\" class=\"num\">0</text>"
               "<text x=\"%d\" y=\"%d\">%s</text><text x=\"%d\" y=\"%d\" class=\"end\">%s</text>",
            x0, y0, x0, y0 + ph, x0, y0 + ph, x0 + pw, y0 + ph, x0 - 4, y0 + 10,
            html_fmt(num, sizeof(num), max, bytes), x0 - 4, y0 + ph, x0, y0 + ph + 16,
            html_fmt_time(t1, sizeof(t1), r->base_us + (int64_t)r->lo * r->width_us, ms), x0 + pw,
            y0 + ph + 16, html_fmt_time(t2, sizeof(t2), r->base_us + (int64_t)(r->hi + 1) * r->width_us, ms));
    /* each series: its upper edge left to right, the one below it back */
    for (int s = 0; s < ns; s++) {
        bool any = false;
        for (uint32_t i = r->lo; i <= r->hi && !any; i++)
            any = val(r, i, s) > 0;
        if (!any)
            continue;
        fprintf(f, "<path fill=\"%s\" d=\"", palette[s % NS_ARRAY_LEN(palette)]);
        for (int edge = 0; edge < 2; edge++) {
            int upto = edge == 0 ? s + 1 : s;       /* stacked sum through series upto-1 */
            for (uint32_t k = 0; k < nb; k++) {
                uint32_t i = edge == 0 ? r->lo + k : r->hi - k;
                uint64_t sum = 0;
                for (int q = 0; q < upto; q++)
                    sum += val(r, i, q);
                double y = y0 + ph - (double)sum / (double)max * ph;
                double xa = x0 + (double)(i - r->lo) * pw / nb, xb = x0 + (double)(i - r->lo + 1) * pw / nb;
                if (edge == 1) {
                    double tmp = xa;
                    xa = xb;
                    xb = tmp;
                }
                fprintf(f, "%s%.1f %.1fL%.1f %.1f", edge == 0 && k == 0 ? "M" : "L", xa, y, xb, y);
            }
        }
        fputs("Z\"/>", f);
    }
    /* legend */
    if (names)
        for (int s = 0; s < ns; s++)
            fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>"
                       "<text x=\"%d\" y=\"%d\">%s</text>",
                    x0 + s * 90, y0 + ph + 26, palette[s % NS_ARRAY_LEN(palette)], x0 + s * 90 + 14,
                    y0 + ph + 35, names[s]);
    fputs("</svg>", f);
}

/* ---- the page ---- */

static const char report_css[] =
    "body{font:14px/1.4 sans-serif;margin:16px;background:#f4f5f7;color:#222}"
    "h1{font-size:20px;margin:0 0 8px}h2{font-size:15px;margin:0 0 4px}"
    ".grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(590px,1fr));gap:12px}"
    ".card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:10px}"
    ".note{color:#666;font-size:12px;margin:0 0 6px}"
    "table{border-collapse:collapse}td,th{padding:2px 10px 2px 0;text-align:left;vertical-align:top}"
    "svg text{font:11px sans-serif;fill:#333}svg .lbl,svg .num,svg .end{text-anchor:end}"
    "svg .mid{text-anchor:middle}svg .val{fill:#555}svg .empty{fill:#999;font-size:13px}"
    ".ax{stroke:#999;stroke-width:1}.bad{color:#b00}";

static void html_summary(FILE *f, const struct report *r, const struct report_info *ri, const char *title)
{
    char a[48], b[48], c[48], d[48];
    fputs("<section class=\"card\" id=\"summary\"><h2>Summary</h2><table>", f);
    fputs("<tr><th>input</th><td>", f);
    html_text_str(f, title);
    fprintf(f, "</td></tr><tr><th>lines</th><td>%" PRIu64 " (%" PRIu64 " records", ri->lines, ri->records);
    if (ri->bad_lines)
        fprintf(f, ", <span class=\"bad\">%" PRIu64 " bad</span>", ri->bad_lines);
    fputs(")</td></tr>", f);
    if (ri->have_time)
        fprintf(f, "<tr><th>time (UTC)</th><td>%s to %s (%s); buckets of %s</td></tr>",
                html_fmt_time(a, sizeof(a), ri->first_us, false),
                html_fmt_time(b, sizeof(b), ri->last_us, false),
                html_fmt_dur(c, sizeof(c), ri->last_us - ri->first_us),
                html_fmt_dur(d, sizeof(d), r->width_us));
    fprintf(f, "<tr><th>flows</th><td>%" PRIu64 ", %s, %s packets</td></tr>", ri->flows,
            html_fmt(a, sizeof(a), ri->flow_bytes, true), html_fmt(b, sizeof(b), ri->flow_pkts, false));
    fprintf(f, "<tr><th>alerts</th><td>%" PRIu64 "</td></tr>", ri->alerts);
    if (ri->no_time)
        fprintf(f, "<tr><th>no usable time</th><td>%" PRIu64 " records</td></tr>", ri->no_time);
    fputs("</table>", f);
    if (ri->bad_lines) {
        fputs("<p class=\"bad\">Lines that are not one JSON object (skipped; the rest is used):</p><ul>", f);
        for (uint32_t i = 0; i < r->nbad; i++) {
            fprintf(f, "<li>line %" PRIu64 ", byte %zu: ", ri->bad[i].line, ri->bad[i].off);
            html_text_str(f, ri->bad[i].why);
            fputs("</li>", f);
        }
        if (ri->bad_lines > r->nbad)
            fprintf(f, "<li>and %" PRIu64 " more</li>", ri->bad_lines - r->nbad);
        fputs("</ul>", f);
    }
    fputs("</section>\n", f);
}

static void html_loss(FILE *f, const struct report_info *ri)
{
    char note[200];
    uint64_t base = ri->kernel_packets > ri->pkts_read ? ri->kernel_packets : ri->pkts_read;
    snprintf(note, sizeof(note),
             "from the last stats record of each run: %.3f %% of packets lost in the kernel, "
             "%" PRIu64 " records too big to write",
             base ? 100.0 * (double)ri->kernel_drops / (double)base : 0.0, ri->output_dropped);
    html_card_open(f, "Capture loss", ri->have_stats ? note : "no stats record");
    struct bar b[] = {
        { "packets read", 12, ri->pkts_read },
        { "invalid packets", 15, ri->pkts_invalid },
        { "kernel packets (live)", 21, ri->kernel_packets },
        { "kernel drops (live)", 19, ri->kernel_drops },
        { "records dropped (too big)", 25, ri->output_dropped },
    };
    if (ri->have_stats)
        html_bars_h(f, "loss", b, NS_ARRAY_LEN(b), false, "#dc3912");
    else
        html_no_data(f, "loss");
    fputs("</section>\n", f);
}

int report_write_html(const struct report *r, FILE *f, const char *title)
{
    struct report_info ri;
    report_get_info(r, &ri);
    char w[48], note[200];

    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
          "style-src 'unsafe-inline'\">"
          "<title>NetScope report: ", f);
    html_text_str(f, title);
    fprintf(f, "</title><style>%s</style></head><body>\n<h1>NetScope report: ", report_css);
    html_text_str(f, title);
    fputs("</h1>\n<div class=\"grid\">\n", f);
    html_summary(f, r, &ri, title);

    snprintf(note, sizeof(note), "flow bytes (both ways) per %s, spread over each flow's lifetime",
             html_fmt_dur(w, sizeof(w), r->width_us));
    html_card_open(f, "Traffic over time by protocol", note);
    html_series(f, r, "traffic", html_traffic_val, RP_MAX, proto_names, true);
    fputs("</section>\n", f);

    html_top_chart(f, r, RPT_PROTO, "proto", "Protocol mix", "flow bytes per IP protocol", true, palette[0]);
    html_top_chart(f, r, RPT_APP, "app", "Application mix", "flow bytes per app_proto", true, palette[1]);
    html_top_chart(f, r, RPT_TALKERS, "talkers", "Top talkers", "bytes of the flows each address took part in",
               true, palette[2]);
    html_top_chart(f, r, RPT_PORTS, "ports", "Top destination ports", "flows per protocol/port", false,
               palette[3]);

    static const char *const dur_l[REPORT_DUR_BINS] = { "<1ms", "<10ms", "<100ms", "<1s",
                                                        "<10s", "<100s", "<1000s", ">=1000s" };
    html_card_open(f, "Flow durations", "flows per duration (flow.end - flow.start)");
    html_hist(f, "flow-duration", dur_l, r->dur, REPORT_DUR_BINS, palette[4]);
    fputs("</section>\n", f);
    static const char *const size_l[REPORT_SIZE_BINS] = { "<100B", "<1kB", "<10kB", "<100kB", "<1MB",
                                                          "<10MB", "<100MB", "<1GB", ">=1GB" };
    html_card_open(f, "Flow sizes", "flows per size (bytes both ways)");
    html_hist(f, "flow-size", size_l, r->size, REPORT_SIZE_BINS, palette[5]);
    fputs("</section>\n", f);

    snprintf(note, sizeof(note), "alerts per %s", html_fmt_dur(w, sizeof(w), r->width_us));
    html_card_open(f, "Alerts over time", note);
    static const char *const alert_name[] = { "alerts" };
    html_series(f, r, "alerts-time", html_alert_val, 1, alert_name, false);
    fputs("</section>\n", f);
    html_top_chart(f, r, RPT_SIGS, "alert-sigs", "Alerts by signature", "alerts per signature", false,
               palette[1]);

    html_top_chart(f, r, RPT_DNS_NAMES, "dns-names", "DNS: top queried names", "queries", false, palette[5]);
    html_top_chart(f, r, RPT_DNS_RRTYPE, "dns-rrtype", "DNS: query types", "queries", false, palette[6]);
    html_top_chart(f, r, RPT_DNS_RCODE, "dns-rcode", "DNS: response codes", "responses", false, palette[7]);

    static const char *const st_l[6] = { "1xx", "2xx", "3xx", "4xx", "5xx", "other" };
    html_card_open(f, "HTTP: status classes", "transactions per status class");
    html_hist(f, "http-status", st_l, ri.http_status, 6, palette[3]);
    fputs("</section>\n", f);
    html_top_chart(f, r, RPT_HTTP_METHODS, "http-methods", "HTTP: methods", "transactions", false, palette[0]);
    html_top_chart(f, r, RPT_HTTP_HOSTS, "http-hosts", "HTTP: top hosts", "transactions", false, palette[2]);

    html_top_chart(f, r, RPT_TLS_VERSIONS, "tls-versions", "TLS: versions", "handshakes", false, palette[4]);
    html_top_chart(f, r, RPT_TLS_SNI, "tls-sni", "TLS: top SNIs", "handshakes", false, palette[6]);

    html_loss(f, &ri);
    html_top_chart(f, r, RPT_EVENT_TYPES, "event-types", "EVE records by type", "records", false, palette[7]);

    fputs("</div>\n<p class=\"note\">Generated by netscope report. Times are UTC.</p></body></html>\n", f);
    return ferror(f) ? NS_ERR_IO : NS_OK;
}
