/* output/csv.c: the CSV files of --csv (see csv.h).  stdio, one buffer per
 * file; the first write error is kept and reported at close. */
#include "output/csv.h"

#include <errno.h>
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
                           "dns_queries,dns_responses,http_transactions,tls_sessions" },
    { "rollup_protocols.csv", "start,end,layer,protocol,flows,packets,bytes" },
    { "rollup_sizes.csv", "start,end,size,packets" },
    { "rollup_talkers.csv", "start,end,by,rank,ip,value,error" },
    { "rollup_ports.csv", "start,end,rank,proto,port,flows,error" },
    { "rollup_dns.csv", "start,end,kind,key,count,error" },
    { "rollup_http.csv", "start,end,kind,key,count,error" },
    { "rollup_tls.csv", "start,end,kind,key,count,error" },
    { "flows.csv", "timestamp,flow_id,src_ip,src_port,dest_ip,dest_port,proto,app_proto,"
                   "flow.pkts_toserver,flow.pkts_toclient,flow.bytes_toserver,flow.bytes_toclient,"
                   "flow.start,flow.end,flow.age,flow.state,flow.reason,flow.alerted,"
                   "tcp.tcp_flags,tcp.tcp_flags_ts,tcp.tcp_flags_tc,tcp.state,"
                   "netscope.conn_state,netscope.history" },
};

struct csv_out {
    FILE *fp[CSV_MAX];
    int err;
};

struct csv_out *csv_open(const char *dir, bool flows, char *errbuf)
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
        c->fp[i] = fopen(path, "w");
        if (!c->fp[i]) {
            /* the path, cut to what the message has room for */
            snprintf(errbuf, NS_ERRBUF_SIZE, "--csv: cannot open %.400s for writing: %s", path,
                     strerror(errno));
            csv_close(c, NULL);
            return NULL;
        }
        fprintf(c->fp[i], "%s\r\n", csv_files[i].header);
    }
    return c;
}

int csv_close(struct csv_out *c, int *err)
{
    if (!c)
        return NS_OK;
    for (unsigned i = 0; i < CSV_MAX; i++) {
        if (!c->fp[i])
            continue;
        if ((ferror(c->fp[i]) || fclose(c->fp[i]) != 0) && !c->err)
            c->err = errno ? errno : EIO;
    }
    int e = c->err;
    free(c);
    if (err)
        *err = e;
    return e ? NS_ERR_IO : NS_OK;
}

/* A text field, quoted, '"' doubled (RFC 4180 2.7), then sep. */
static void csv_str(FILE *fp, const char *s, size_t n, char sep)
{
    fputc('"', fp);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            fputc('"', fp);
        fputc(s[i], fp);
    }
    fputc('"', fp);
    fputc(sep, fp);
}

static void csv_cstr(FILE *fp, const char *s, char sep)
{
    csv_str(fp, s, strlen(s), sep);
}

static void csv_u64(FILE *fp, uint64_t v, char sep)
{
    fprintf(fp, "%llu%c", (unsigned long long)v, sep);
}

static void csv_ts(FILE *fp, struct eve_ctx *ec, uint64_t ts_us, char sep)
{
    char t[40];
    size_t n = eve_timestamp(ec, ts_us, t);
    csv_str(fp, t, n, sep);
}

/* "start","end", of every rollup row */
static void csv_span(FILE *fp, struct eve_ctx *ec, const struct rollup_acc *a)
{
    csv_ts(fp, ec, a->start_us, ',');
    csv_ts(fp, ec, a->end_us, ',');
}

static void csv_kv(FILE *fp, struct eve_ctx *ec, const struct rollup_acc *a, const char *kind,
                   const char *key, size_t klen, uint64_t count, uint64_t error)
{
    csv_span(fp, ec, a);
    csv_cstr(fp, kind, ',');
    csv_str(fp, key, klen, ',');
    csv_u64(fp, count, ',');
    csv_u64(fp, error, '\r');
    fputc('\n', fp);
}

static void csv_top_kv(FILE *fp, struct eve_ctx *ec, const struct rollup_acc *a, unsigned kind,
                       const char *label, uint32_t top_n)
{
    struct sketch_item items[100];
    uint32_t n = sketch_top(a->top[kind], items, top_n < 100 ? top_n : 100);
    for (uint32_t i = 0; i < n; i++) {
        char text[SKETCH_MAX_KEY + 1];
        size_t tl = eve_rollup_key(kind, &items[i], text);
        csv_kv(fp, ec, a, label, text, tl, items[i].count, items[i].error);
    }
}

static void csv_proto_row(FILE *fp, struct eve_ctx *ec, const struct rollup_acc *a,
                          const char *layer, const char *name, const uint64_t *flows,
                          uint64_t pkts, uint64_t bytes)
{
    csv_span(fp, ec, a);
    csv_cstr(fp, layer, ',');
    csv_cstr(fp, name, ',');
    if (flows)
        csv_u64(fp, *flows, ',');
    else
        fputc(',', fp);
    csv_u64(fp, pkts, ',');
    csv_u64(fp, bytes, '\r');
    fputc('\n', fp);
}

void csv_rollup(struct csv_out *c, struct eve_ctx *ec, const struct rollup_acc *a, uint32_t top_n)
{
    const struct rollup_counts *k = &a->c;
    FILE *fp = c->fp[CSV_TOTALS];
    csv_span(fp, ec, a);
    fputs(a->final ? "true," : "false,", fp);
    const uint64_t tot[] = { k->pkts, k->bytes, k->flows_started, k->flows_ended, k->flows_active,
                             k->dns_queries, k->dns_responses, k->http_tx, k->tls_sessions };
    for (size_t i = 0; i < NS_ARRAY_LEN(tot); i++)
        csv_u64(fp, tot[i], i + 1 < NS_ARRAY_LEN(tot) ? ',' : '\r');
    fputc('\n', fp);

    fp = c->fp[CSV_PROTOCOLS];
    for (unsigned i = 0; i < RL3_MAX; i++)
        csv_proto_row(fp, ec, a, "l3", rollup_l3_name(i), NULL, k->l3_pkts[i], k->l3_bytes[i]);
    for (unsigned i = 0; i < RL4_MAX; i++)
        csv_proto_row(fp, ec, a, "l4", rollup_l4_name(i), NULL, k->l4_pkts[i], k->l4_bytes[i]);
    for (unsigned p = 0; p < APP_MAX; p++)
        if (k->app_flows[p])
            csv_proto_row(fp, ec, a, "app_proto", app_proto_name(p), &k->app_flows[p],
                          k->app_pkts[p], k->app_bytes[p]);

    fp = c->fp[CSV_SIZES];
    for (unsigned b = 0; b < ROLLUP_SIZES; b++) {
        csv_span(fp, ec, a);
        csv_cstr(fp, rollup_size_name(b), ',');
        csv_u64(fp, k->sizes[b], '\r');
        fputc('\n', fp);
    }

    struct sketch_item items[100];
    uint32_t lim = top_n < 100 ? top_n : 100;
    fp = c->fp[CSV_TALKERS];
    for (unsigned t = RT_TALKERS_BYTES; t <= RT_TALKERS_PKTS; t++) {
        uint32_t n = sketch_top(a->top[t], items, lim);
        for (uint32_t i = 0; i < n; i++) {
            char text[SKETCH_MAX_KEY + 1];
            size_t tl = eve_rollup_key(t, &items[i], text);
            csv_span(fp, ec, a);
            csv_cstr(fp, t == RT_TALKERS_BYTES ? "bytes" : "packets", ',');
            csv_u64(fp, i + 1, ',');
            csv_str(fp, text, tl, ',');
            csv_u64(fp, items[i].count, ',');
            csv_u64(fp, items[i].error, '\r');
            fputc('\n', fp);
        }
    }
    fp = c->fp[CSV_PORTS];
    uint32_t n = sketch_top(a->top[RT_PORTS], items, lim);
    for (uint32_t i = 0; i < n; i++) {
        if (items[i].len != 3)
            continue;
        csv_span(fp, ec, a);
        csv_u64(fp, i + 1, ',');
        csv_cstr(fp, rollup_proto_name(items[i].key[0]), ',');
        csv_u64(fp, ns_load_be16(items[i].key + 1), ',');
        csv_u64(fp, items[i].count, ',');
        csv_u64(fp, items[i].error, '\r');
        fputc('\n', fp);
    }

    fp = c->fp[CSV_DNS];
    for (unsigned r = 0; r < 16; r++) {
        if (!k->dns_rcode[r])
            continue;
        char num[8];
        const char *name = dns_rcode_name(r);
        if (!name) {
            snprintf(num, sizeof(num), "%u", r);
            name = num;
        }
        csv_kv(fp, ec, a, "rcode", name, strlen(name), k->dns_rcode[r], 0);
    }
    csv_top_kv(fp, ec, a, RT_DNS, "query", top_n);
    fp = c->fp[CSV_HTTP];
    for (unsigned s = 0; s < ROLLUP_HTTP_CLASSES; s++)
        if (k->http_status[s])
            csv_kv(fp, ec, a, "status", rollup_http_class_name(s),
                   strlen(rollup_http_class_name(s)), k->http_status[s], 0);
    csv_top_kv(fp, ec, a, RT_HTTP, "host", top_n);
    fp = c->fp[CSV_TLS];
    for (unsigned v = 0; v < ROLLUP_TLS_VERSIONS; v++)
        if (k->tls_versions[v])
            csv_kv(fp, ec, a, "version", rollup_tls_version_label(v),
                   strlen(rollup_tls_version_label(v)), k->tls_versions[v], 0);
    csv_top_kv(fp, ec, a, RT_TLS, "sni", top_n);
}

void csv_flow(struct csv_out *c, struct eve_ctx *ec, const struct flow *f,
              enum flow_end_reason reason)
{
    FILE *fp = c->fp[CSV_FLOWS];
    if (!fp)
        return;
    char a[48];
    bool ports = f->proto == 6 || f->proto == 17 || f->proto == 132;
    csv_ts(fp, ec, f->last_us, ',');
    csv_u64(fp, f->flow_id, ',');
    csv_str(fp, a, eve_addr(f->ip_v, f->cli, a), ',');
    if (ports)
        csv_u64(fp, f->cli_port, ',');
    else
        fputc(',', fp);
    csv_str(fp, a, eve_addr(f->ip_v, f->srv, a), ',');
    if (ports)
        csv_u64(fp, f->srv_port, ',');
    else
        fputc(',', fp);
    char proto[8];
    const char *pn = eve_proto_name(f->proto);
    if (!pn) {
        snprintf(proto, sizeof(proto), "%u", f->proto);
        pn = proto;
    }
    csv_cstr(fp, pn, ',');
    unsigned ap = app_state_verdict(&f->app);
    if (ap != APP_UNKNOWN)
        csv_cstr(fp, app_proto_name(ap), ',');
    else
        fputc(',', fp);
    csv_u64(fp, f->pkts[0], ',');
    csv_u64(fp, f->pkts[1], ',');
    csv_u64(fp, f->bytes[0], ',');
    csv_u64(fp, f->bytes[1], ',');
    csv_ts(fp, ec, f->start_us, ',');
    csv_ts(fp, ec, f->last_us, ',');
    uint64_t s0 = f->start_us / 1000000, s1 = f->last_us / 1000000;
    csv_u64(fp, s1 > s0 ? s1 - s0 : 0, ',');
    csv_cstr(fp, flow_state_name((enum flow_state)f->state), ',');
    csv_cstr(fp, flow_end_reason_name(reason), ',');
    fputs(f->alerted ? "true," : "false,", fp);
    if (f->proto == 6) {
        char hx[8];
        uint8_t fl[3] = { (uint8_t)(f->tcp_flags[0] | f->tcp_flags[1]), f->tcp_flags[0],
                          f->tcp_flags[1] };
        for (int i = 0; i < 3; i++) {
            snprintf(hx, sizeof(hx), "%02x", fl[i]);
            csv_cstr(fp, hx, ',');
        }
        csv_cstr(fp, flow_tcp_state_name((enum flow_tcp_state)f->tcp_state), ',');
    } else {
        fputs(",,,,", fp);
    }
    csv_cstr(fp, flow_conn_state(f), ',');
    csv_str(fp, f->history, strnlen(f->history, FLOW_HISTORY_MAX), '\r');
    fputc('\n', fp);
}
