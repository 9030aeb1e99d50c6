/* engine/top_view.c: the `netscope top` view model and its text rendering
 * (see top_view.h).  Everything here is bounded: fixed arrays, snprintf
 * into fixed lines, and EVE lines searched only within their length. */
#include "engine/top_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/eve.h"

void top_view_init(struct top_view *v, const char *source)
{
    memset(v, 0, sizeof(*v));
    snprintf(v->source, sizeof(v->source), "%s", source ? source : "");
}

void top_view_snapshot(struct top_view *v, const struct ns_snap *s)
{
    v->prev_pkts = v->pkts;
    v->prev_bytes = v->bytes;
    v->prev_ts_us = v->ts_us;
    v->pkts = s->acct[ACCT_READ];
    v->bytes = s->bytes_read;
    v->ts_us = s->ts_us;
    /* the first interval runs from the first packet */
    uint64_t from = v->updates ? v->prev_ts_us : s->first_ts_us;
    double dt = s->ts_us > from ? (double)(s->ts_us - from) / 1e6 : 0.0;
    if (dt < 1.0)
        dt = 1.0;                /* snapshots are whole seconds apart */
    v->pps = (double)(v->pkts - (v->pkts >= v->prev_pkts ? v->prev_pkts : v->pkts)) / dt;
    v->bps = 8.0 * (double)(v->bytes - (v->bytes >= v->prev_bytes ? v->prev_bytes : v->bytes)) / dt;
    v->proto[TOPP_TCP] = s->dc[DC_TCP];
    v->proto[TOPP_UDP] = s->dc[DC_UDP];
    v->proto[TOPP_ICMP] = s->dc[DC_ICMPV4];
    v->proto[TOPP_ICMPV6] = s->dc[DC_ICMPV6];
    v->proto[TOPP_ARP] = s->dc[DC_ARP];
    uint64_t known = 0;
    for (unsigned i = 0; i < TOPP_OTHER; i++)
        known += v->proto[i];
    v->proto[TOPP_OTHER] = s->acct[ACCT_DECODED] > known ? s->acct[ACCT_DECODED] - known : 0;
    v->flows = s->fs[FS_TOTAL];
    v->invalid = s->acct[ACCT_INVALID];
    v->kernel_pkts = s->cap[CAP_KERNEL_PACKETS];
    v->kernel_drops = s->cap[CAP_KERNEL_DROPS];
    v->lost_records = s->out[OUT_TOO_BIG] + s->det[DET_QUEUE_OVERFLOW];
    v->alerts_total = s->det[DET_ALERT] > v->alerts_total ? s->det[DET_ALERT] : v->alerts_total;
    v->done |= s->final;
    v->updates++;
}

void top_view_talkers(struct top_view *v, const struct rollup_acc *a)
{
    struct sketch_item it[TOP_VIEW_TALKERS];
    uint32_t n = sketch_top(a->top[RT_TALKERS_BYTES], it, TOP_VIEW_TALKERS);
    if (n == 0)
        return;                  /* no flow ended in it: keep the last list */
    for (uint32_t i = 0; i < n; i++) {
        struct top_view_talker *t = &v->talkers[i];
        if (it[i].len == 17)
            eve_addr(it[i].key[0], it[i].key + 1, t->addr);
        else
            snprintf(t->addr, sizeof(t->addr), "?");
        t->bytes = it[i].count;
        t->pkts = 0;
    }
    v->ntalkers = n;
    v->talkers_end_us = a->end_us;
}

/* The JSON string value after "key": (raw, escapes kept) into out; false
 * when absent.  Searches only line[0..len). */
static bool top_view_json_str(const char *line, size_t len, const char *key, char *out, size_t cap)
{
    size_t kl = strlen(key);
    const char *p = memmem(line, len, key, kl);
    if (!p)
        return false;
    p += kl;
    const char *end = line + len;
    size_t o = 0;
    while (p < end && *p != '"') {
        if (*p == '\\' && p + 1 < end) {
            if (o + 2 < cap) {
                out[o++] = p[0];
                out[o++] = p[1];
            }
            p += 2;
            continue;
        }
        if (o + 1 < cap)
            out[o++] = *p;
        p++;
    }
    out[o] = '\0';
    return true;
}

void top_view_alert(struct top_view *v, const char *line, size_t len)
{
    static const char tag[] = "\"event_type\":\"alert\"";
    if (!memmem(line, len, tag, sizeof(tag) - 1))
        return;
    memmove(v->alerts + 1, v->alerts, sizeof(v->alerts[0]) * (TOP_VIEW_ALERTS - 1));
    struct top_view_alert *a = &v->alerts[0];
    memset(a, 0, sizeof(*a));
    char sid[16];
    static const char sk[] = "\"signature_id\":";
    const char *p = memmem(line, len, sk, sizeof(sk) - 1);
    if (p) {
        size_t off = (size_t)(p - line) + sizeof(sk) - 1, i = 0;
        while (off + i < len && i + 1 < sizeof(sid) && line[off + i] >= '0' && line[off + i] <= '9') {
            sid[i] = line[off + i];
            i++;
        }
        sid[i] = '\0';
        a->sid = (uint32_t)strtoul(sid, NULL, 10);
    }
    top_view_json_str(line, len, "\"signature\":\"", a->msg, sizeof(a->msg));
    top_view_json_str(line, len, "\"src_ip\":\"", a->src, sizeof(a->src));
    top_view_json_str(line, len, "\"dest_ip\":\"", a->dst, sizeof(a->dst));
    if (v->nalerts < TOP_VIEW_ALERTS)
        v->nalerts++;
}

const char *top_view_si(double x, char out[16])
{
    static const char units[] = " kMGTP";
    unsigned u = 0;
    while (x >= 1000.0 && u + 1 < sizeof(units) - 1) {
        x /= 1000.0;
        u++;
    }
    if (u == 0)
        snprintf(out, 16, "%.0f", x);
    else
        snprintf(out, 16, "%.1f %c", x, units[u]);
    return out;
}

/* Lines longer than TOP_VIEW_COLS - 1 are cut on purpose (the return
 * value is looked at so the compiler knows truncation is expected). */
#define LINE(...)                                                      \
    do {                                                               \
        if (n < max && snprintf(lines[n++], TOP_VIEW_COLS, __VA_ARGS__) < 0) \
            lines[n - 1][0] = '\0';                                    \
    } while (0)

unsigned top_view_render(const struct top_view *v, char lines[][TOP_VIEW_COLS], unsigned max)
{
    static const char *const pname[TOPP_MAX] = { "TCP", "UDP", "ICMP", "ICMPv6", "ARP", "other" };
    unsigned n = 0;
    char a[16], b[16], c[16];
    LINE("netscope top - %s - %s (q quits)", v->source,
         v->done ? "input ended, final counters" : v->updates ? "running" : "waiting for packets");
    LINE("%s", "");
    LINE("RATES    %s pkt/s  %sbit/s   total %llu packets, %s bytes, %llu flows",
         top_view_si(v->pps, a), top_view_si(v->bps, b), (unsigned long long)v->pkts,
         top_view_si((double)v->bytes, c), (unsigned long long)v->flows);
    LINE("DROPS    kernel %llu of %llu   lost records %llu   invalid packets %llu",
         (unsigned long long)v->kernel_drops, (unsigned long long)v->kernel_pkts,
         (unsigned long long)v->lost_records, (unsigned long long)v->invalid);
    LINE("%s", "");
    LINE("PROTOCOLS          packets      share");
    uint64_t sum = 0;
    for (unsigned i = 0; i < TOPP_MAX; i++)
        sum += v->proto[i];
    for (unsigned i = 0; i < TOPP_MAX; i++) {
        if (!v->proto[i])
            continue;
        LINE("  %-10s %15llu %9.1f%%", pname[i], (unsigned long long)v->proto[i],
             sum ? 100.0 * (double)v->proto[i] / (double)sum : 0.0);
    }
    LINE("%s", "");
    LINE("TOP TALKERS (bytes sent, flows ended in the last interval with any)");
    if (v->ntalkers == 0)
        LINE("  (none yet)");
    for (unsigned i = 0; i < v->ntalkers; i++)
        LINE("  %-40s %12llu", v->talkers[i].addr, (unsigned long long)v->talkers[i].bytes);
    LINE("%s", "");
    LINE("ALERTS (%llu in all, newest first)", (unsigned long long)v->alerts_total);
    if (v->nalerts == 0)
        LINE("  (none)");
    for (unsigned i = 0; i < v->nalerts; i++)
        LINE("  [%u] %s  %s -> %s", v->alerts[i].sid, v->alerts[i].msg, v->alerts[i].src,
             v->alerts[i].dst);
    return n;
}
