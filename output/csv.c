/* output/csv.c: the CSV files of --csv (see csv.h).  Each row is built in
 * one buffer and handed to the file's logfile as one line, so a file only
 * grows by whole rows and every row is written or counted as dropped. */
#include "output/csv.h"

#include <stdio.h>
#include <stdlib.h>

#include "dissect/dns.h"
#include "output/eve_rollup.h"

enum { CSV_TOTALS, CSV_PROTOCOLS, CSV_SIZES, CSV_TALKERS, CSV_PORTS, CSV_DNS, CSV_HTTP, CSV_TLS,
       CSV_FLOWS, CSV_MAX };

static const struct {
    const char *file, *header;
} csv_files[CSV_MAX] = {
    { "rollup_totals.csv", "start,end,final,packets,bytes,flows_started,flows_ended,flows_active,"
                           "dns_queries,dns_responses,http_transactions,tls_sessions\r\n" },
    { "rollup_protocols.csv", "start,end,layer,protocol,flows,packets,bytes\r\n" },
    { "rollup_sizes.csv", "start,end,size,packets\r\n" },
    { "rollup_talkers.csv", "start,end,by,rank,ip,value,error\r\n" },
    { "rollup_ports.csv", "start,end,rank,proto,port,flows,error\r\n" },
    { "rollup_dns.csv", "start,end,kind,key,count,error\r\n" },
    { "rollup_http.csv", "start,end,kind,key,count,error\r\n" },
    { "rollup_tls.csv", "start,end,kind,key,count,error\r\n" },
    { "flows.csv", "timestamp,flow_id,src_ip,src_port,dest_ip,dest_port,proto,app_proto,"
                   "flow.pkts_toserver,flow.pkts_toclient,flow.bytes_toserver,flow.bytes_toclient,"
                   "flow.start,flow.end,flow.age,flow.state,flow.reason,flow.alerted,"
                   "tcp.tcp_flags,tcp.tcp_flags_ts,tcp.tcp_flags_tc,tcp.state,"
                   "netscope.conn_state,netscope.history\r\n" },
};

/* Room for the longest row: at most one text field as long as a sketch
 * key, the others (names, addresses, timestamps, the flow history) at most
 * 48 bytes, each escaped to at most 4 times its length plus quotes and
 * separator, 24 fields at most (flows.csv). */
#define CSV_ROW_MAX 8192
_Static_assert(CSV_ROW_MAX >= (4 * SKETCH_MAX_KEY + 3) + 23 * (4 * 48 + 3) + 8, "a row fits");

struct csv_out {
    struct logfile *lf[CSV_MAX];
    size_t len;                  /* of the row being built */
    char row[CSV_ROW_MAX];
};

struct csv_out *csv_open(const char *dir, bool flows, const struct logfile_opts *lo, char *errbuf)
{
    struct csv_out *c = calloc(1, sizeof(*c));
    if (!c) {
        snprintf(errbuf, NS_ERRBUF_SIZE, "--csv: out of memory");
        return NULL;
    }
    for (unsigned i = 0; i < CSV_MAX; i++) {
        if (i == CSV_FLOWS && !flows)
            continue;
        char path[4200];
        snprintf(path, sizeof(path), "%s/%s", dir, csv_files[i].file);
        struct logfile_opts o = *lo;
        o.path = path;
        o.truncate = true;
        o.header = csv_files[i].header;
        o.header_len = strlen(csv_files[i].header);
        o.rec_len = NULL;
        c->lf[i] = logfile_open(&o, errbuf);
        if (!c->lf[i]) {
            csv_close(c, NULL);
            return NULL;
        }
    }
    return c;
}

void csv_tick(struct csv_out *c, bool idle)
{
    for (unsigned i = 0; i < CSV_MAX; i++)
        if (c->lf[i])
            logfile_tick(c->lf[i], idle);
}

static void csv_stats_add(struct logfile_stats *acc, const struct logfile_stats *s)
{
    acc->lines += s->lines;
    acc->written += s->written;
    acc->pending += s->pending;
    for (unsigned k = 0; k < LOGF_DROP_MAX; k++)
        acc->dropped[k] += s->dropped[k];
    acc->write_errors += s->write_errors;
    acc->reopens += s->reopens;
    acc->rotations += s->rotations;
    acc->blocked_ms += s->blocked_ms;
}

void csv_get_stats(const struct csv_out *c, struct logfile_stats *st)
{
    memset(st, 0, sizeof(*st));
    for (unsigned i = 0; i < CSV_MAX; i++) {
        if (!c->lf[i])
            continue;
        struct logfile_stats one;
        logfile_get_stats(c->lf[i], &one);
        csv_stats_add(st, &one);
    }
}

int csv_close(struct csv_out *c, struct logfile_stats *final)
{
    if (final)
        memset(final, 0, sizeof(*final));
    if (!c)
        return 0;
    int first = 0;
    for (unsigned i = 0; i < CSV_MAX; i++) {
        if (!c->lf[i])
            continue;
        struct logfile_stats one;
        int e = logfile_close(c->lf[i], &one);
        if (e && !first)
            first = e;
        if (final)
            csv_stats_add(final, &one);
    }
    free(c);
    return first;
}

/* Every byte of a row goes through here: room stays for csv_end's '\n'.
 * A row cannot be longer (CSV_ROW_MAX); if it were, it would be cut. */
static void csv_ch(struct csv_out *c, char ch)
{
    if (likely(c->len < CSV_ROW_MAX - 1))
        c->row[c->len++] = ch;
}

/* A text field, quoted, '"' doubled (RFC 4180 2.7), each control byte
 * (< 0x20, 0x7f) as the text \xNN so that a row stays one line whatever
 * the packet held; then sep. */
static void csv_str(struct csv_out *c, const char *s, size_t n, char sep)
{
    static const char hex[] = "0123456789abcdef";
    csv_ch(c, '"');
    for (size_t i = 0; i < n; i++) {
        uint8_t b = (uint8_t)s[i];
        if (b == '"') {
            csv_ch(c, '"');
            csv_ch(c, '"');
        } else if (b < 0x20 || b == 0x7f) {
            csv_ch(c, '\\');
            csv_ch(c, 'x');
            csv_ch(c, hex[b >> 4]);
            csv_ch(c, hex[b & 15]);
        } else {
            csv_ch(c, (char)b);
        }
    }
    csv_ch(c, '"');
    csv_ch(c, sep);
}

static void csv_cstr(struct csv_out *c, const char *s, char sep)
{
    csv_str(c, s, strlen(s), sep);
}

static void csv_lit(struct csv_out *c, const char *s)
{
    while (*s)
        csv_ch(c, *s++);
}

static void csv_u64(struct csv_out *c, uint64_t v, char sep)
{
    char d[24];
    size_t n = 0;
    do
        d[n++] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    while (n)
        csv_ch(c, d[--n]);
    csv_ch(c, sep);
}

/* The row ends (its last field's sep was '\r'): one line to file f. */
static void csv_end(struct csv_out *c, unsigned f)
{
    c->row[c->len++] = '\n';
    (void)logfile_write(c->lf[f], c->row, c->len);     /* dropped ones are counted there */
    c->len = 0;
}

static void csv_ts(struct csv_out *c, struct eve_ctx *ec, uint64_t ts_us, char sep)
{
    char t[40];
    size_t n = eve_timestamp(ec, ts_us, t);
    csv_str(c, t, n, sep);
}

/* "start","end", of every rollup row */
static void csv_span(struct csv_out *c, struct eve_ctx *ec, const struct rollup_acc *a)
{
    csv_ts(c, ec, a->start_us, ',');
    csv_ts(c, ec, a->end_us, ',');
}

static void csv_kv(struct csv_out *c, unsigned f, struct eve_ctx *ec, const struct rollup_acc *a,
                   const char *kind, const char *key, size_t klen, uint64_t count, uint64_t error)
{
    csv_span(c, ec, a);
    csv_cstr(c, kind, ',');
    csv_str(c, key, klen, ',');
    csv_u64(c, count, ',');
    csv_u64(c, error, '\r');
    csv_end(c, f);
}

static void csv_top_kv(struct csv_out *c, unsigned f, struct eve_ctx *ec,
                       const struct rollup_acc *a, unsigned kind, const char *label, uint32_t top_n)
{
    struct sketch_item items[100];
    uint32_t n = sketch_top(a->top[kind], items, top_n < 100 ? top_n : 100);
    for (uint32_t i = 0; i < n; i++) {
        char text[SKETCH_MAX_KEY + 1];
        size_t tl = eve_rollup_key(kind, &items[i], text);
        csv_kv(c, f, ec, a, label, text, tl, items[i].count, items[i].error);
    }
}

static void csv_proto_row(struct csv_out *c, struct eve_ctx *ec, const struct rollup_acc *a,
                          const char *layer, const char *name, const uint64_t *flows,
                          uint64_t pkts, uint64_t bytes)
{
    csv_span(c, ec, a);
    csv_cstr(c, layer, ',');
    csv_cstr(c, name, ',');
    if (flows)
        csv_u64(c, *flows, ',');
    else
        csv_ch(c, ',');
    csv_u64(c, pkts, ',');
    csv_u64(c, bytes, '\r');
    csv_end(c, CSV_PROTOCOLS);
}

void csv_rollup(struct csv_out *c, struct eve_ctx *ec, const struct rollup_acc *a, uint32_t top_n)
{
    const struct rollup_counts *k = &a->c;
    csv_span(c, ec, a);
    csv_lit(c, a->final ? "true," : "false,");
    const uint64_t tot[] = { k->pkts, k->bytes, k->flows_started, k->flows_ended, k->flows_active,
                             k->dns_queries, k->dns_responses, k->http_tx, k->tls_sessions };
    for (size_t i = 0; i < NS_ARRAY_LEN(tot); i++)
        csv_u64(c, tot[i], i + 1 < NS_ARRAY_LEN(tot) ? ',' : '\r');
    csv_end(c, CSV_TOTALS);

    for (unsigned i = 0; i < RL3_MAX; i++)
        csv_proto_row(c, ec, a, "l3", rollup_l3_name(i), NULL, k->l3_pkts[i], k->l3_bytes[i]);
    for (unsigned i = 0; i < RL4_MAX; i++)
        csv_proto_row(c, ec, a, "l4", rollup_l4_name(i), NULL, k->l4_pkts[i], k->l4_bytes[i]);
    for (unsigned p = 0; p < APP_MAX; p++)
        if (k->app_flows[p])
            csv_proto_row(c, ec, a, "app_proto", app_proto_name(p), &k->app_flows[p],
                          k->app_pkts[p], k->app_bytes[p]);

    for (unsigned b = 0; b < ROLLUP_SIZES; b++) {
        csv_span(c, ec, a);
        csv_cstr(c, rollup_size_name(b), ',');
        csv_u64(c, k->sizes[b], '\r');
        csv_end(c, CSV_SIZES);
    }

    struct sketch_item items[100];
    uint32_t lim = top_n < 100 ? top_n : 100;
    for (unsigned t = RT_TALKERS_BYTES; t <= RT_TALKERS_PKTS; t++) {
        uint32_t n = sketch_top(a->top[t], items, lim);
        for (uint32_t i = 0; i < n; i++) {
            char text[SKETCH_MAX_KEY + 1];
            size_t tl = eve_rollup_key(t, &items[i], text);
            csv_span(c, ec, a);
            csv_cstr(c, t == RT_TALKERS_BYTES ? "bytes" : "packets", ',');
            csv_u64(c, i + 1, ',');
            csv_str(c, text, tl, ',');
            csv_u64(c, items[i].count, ',');
            csv_u64(c, items[i].error, '\r');
            csv_end(c, CSV_TALKERS);
        }
    }
    uint32_t n = sketch_top(a->top[RT_PORTS], items, lim);
    for (uint32_t i = 0; i < n; i++) {
        if (items[i].len != 3)
            continue;
        csv_span(c, ec, a);
        csv_u64(c, i + 1, ',');
        csv_cstr(c, rollup_proto_name(items[i].key[0]), ',');
        csv_u64(c, ns_load_be16(items[i].key + 1), ',');
        csv_u64(c, items[i].count, ',');
        csv_u64(c, items[i].error, '\r');
        csv_end(c, CSV_PORTS);
    }

    for (unsigned r = 0; r < 16; r++) {
        if (!k->dns_rcode[r])
            continue;
        char num[8];
        const char *name = dns_rcode_name(r);
        if (!name) {
            snprintf(num, sizeof(num), "%u", r);
            name = num;
        }
        csv_kv(c, CSV_DNS, ec, a, "rcode", name, strlen(name), k->dns_rcode[r], 0);
    }
    csv_top_kv(c, CSV_DNS, ec, a, RT_DNS, "query", top_n);
    for (unsigned s = 0; s < ROLLUP_HTTP_CLASSES; s++)
        if (k->http_status[s])
            csv_kv(c, CSV_HTTP, ec, a, "status", rollup_http_class_name(s),
                   strlen(rollup_http_class_name(s)), k->http_status[s], 0);
    csv_top_kv(c, CSV_HTTP, ec, a, RT_HTTP, "host", top_n);
    for (unsigned v = 0; v < ROLLUP_TLS_VERSIONS; v++)
        if (k->tls_versions[v])
            csv_kv(c, CSV_TLS, ec, a, "version", rollup_tls_version_label(v),
                   strlen(rollup_tls_version_label(v)), k->tls_versions[v], 0);
    csv_top_kv(c, CSV_TLS, ec, a, RT_TLS, "sni", top_n);
}

void csv_flow(struct csv_out *c, struct eve_ctx *ec, const struct flow *f,
              enum flow_end_reason reason)
{
    if (!c->lf[CSV_FLOWS])
        return;
    char a[48];
    bool ports = f->proto == 6 || f->proto == 17 || f->proto == 132;
    csv_ts(c, ec, f->last_us, ',');
    csv_u64(c, f->flow_id, ',');
    csv_str(c, a, eve_addr(f->ip_v, f->cli, a), ',');
    if (ports)
        csv_u64(c, f->cli_port, ',');
    else
        csv_ch(c, ',');
    csv_str(c, a, eve_addr(f->ip_v, f->srv, a), ',');
    if (ports)
        csv_u64(c, f->srv_port, ',');
    else
        csv_ch(c, ',');
    char proto[8];
    const char *pn = eve_proto_name(f->proto);
    if (!pn) {
        snprintf(proto, sizeof(proto), "%u", f->proto);
        pn = proto;
    }
    csv_cstr(c, pn, ',');
    unsigned ap = app_state_verdict(&f->app);
    if (ap != APP_UNKNOWN)
        csv_cstr(c, app_proto_name(ap), ',');
    else
        csv_ch(c, ',');
    csv_u64(c, f->pkts[0], ',');
    csv_u64(c, f->pkts[1], ',');
    csv_u64(c, f->bytes[0], ',');
    csv_u64(c, f->bytes[1], ',');
    csv_ts(c, ec, f->start_us, ',');
    csv_ts(c, ec, f->last_us, ',');
    uint64_t s0 = f->start_us / 1000000, s1 = f->last_us / 1000000;
    csv_u64(c, s1 > s0 ? s1 - s0 : 0, ',');
    csv_cstr(c, flow_state_name((enum flow_state)f->state), ',');
    csv_cstr(c, flow_end_reason_name(reason), ',');
    csv_lit(c, f->alerted ? "true," : "false,");
    if (f->proto == 6) {
        char hx[8];
        uint8_t fl[3] = { (uint8_t)(f->tcp_flags[0] | f->tcp_flags[1]), f->tcp_flags[0],
                          f->tcp_flags[1] };
        for (int i = 0; i < 3; i++) {
            snprintf(hx, sizeof(hx), "%02x", fl[i]);
            csv_cstr(c, hx, ',');
        }
        csv_cstr(c, flow_tcp_state_name((enum flow_tcp_state)f->tcp_state), ',');
    } else {
        csv_lit(c, ",,,,");
    }
    csv_cstr(c, flow_conn_state(f), ',');
    csv_str(c, f->history, strnlen(f->history, FLOW_HISTORY_MAX), '\r');
    csv_end(c, CSV_FLOWS);
}
