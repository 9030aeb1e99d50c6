/* output/eve_rollup.c: the EVE "rollup" record (see eve_rollup.h). */
#include "output/eve_rollup.h"

#include <stdio.h>

#include "dissect/dns.h"
#include "output/eve_int.h"
#include "output/json.h"

#define EVE_ROLLUP_TOP_MAX 100u     /* rollups.top-n at most */

size_t eve_rollup_key(unsigned kind, const struct sketch_item *it, char out[SKETCH_MAX_KEY + 1])
{
    if ((kind == RT_TALKERS_BYTES || kind == RT_TALKERS_PKTS) && it->len == 17) {
        char a[48];
        size_t n = eve_addr(it->key[0], it->key + 1, a);
        memcpy(out, a, n + 1);
        return n;
    }
    if (kind == RT_PORTS && it->len == 3)
        return (size_t)snprintf(out, SKETCH_MAX_KEY + 1, "%s/%u", rollup_proto_name(it->key[0]),
                                (unsigned)ns_load_be16(it->key + 1));
    memcpy(out, it->key, it->len);
    out[it->len] = '\0';
    return it->len;
}

static void put_pb(struct json_buf *jb, const char *key, uint64_t pkts, uint64_t bytes)
{
    json_obj_open(jb, key);
    json_u64(jb, "packets", pkts);
    json_u64(jb, "bytes", bytes);
    json_obj_close(jb);
}

static void put_top(struct json_buf *jb, const struct rollup_acc *a, unsigned kind,
                    uint32_t top_n)
{
    static const char *const keyname[RT_MAX] = { "ip", "ip", "port", "rrname", "hostname", "sni" };
    static const char *const countname[RT_MAX] = { "bytes", "packets", "flows", "count", "count",
                                                   "count" };
    struct sketch_item items[EVE_ROLLUP_TOP_MAX];
    uint32_t n = sketch_top(a->top[kind], items, top_n < EVE_ROLLUP_TOP_MAX ? top_n
                                                                            : EVE_ROLLUP_TOP_MAX);
    json_arr_open(jb, rollup_top_name(kind));
    for (uint32_t i = 0; i < n; i++) {
        char text[SKETCH_MAX_KEY + 1];
        size_t tl = eve_rollup_key(kind, &items[i], text);
        json_obj_open(jb, NULL);
        if (kind == RT_PORTS && items[i].len == 3) {
            json_str(jb, "proto", rollup_proto_name(items[i].key[0]));
            json_u64(jb, "port", ns_load_be16(items[i].key + 1));
        } else {
            json_strn(jb, keyname[kind], (const uint8_t *)text, tl);
        }
        json_u64(jb, countname[kind], items[i].count);
        json_u64(jb, "error", items[i].error);
        json_obj_close(jb);
    }
    json_arr_close(jb);
}

size_t eve_rollup(struct eve_ctx *ec, char *buf, size_t cap, const struct rollup_acc *a,
                  uint32_t interval, uint32_t top_n)
{
    const struct rollup_counts *c = &a->c;
    struct json_buf jb;
    json_init(&jb, buf, cap);
    json_obj_open(&jb, NULL);
    eve_put_ts(ec, &jb, "timestamp", a->end_us);
    if (ec->pcap_filename)
        json_str(&jb, "pcap_filename", ec->pcap_filename);
    json_raw(&jb, "event_type", "\"rollup\"", 8);
    json_obj_open(&jb, "rollup");
    eve_put_ts(ec, &jb, "start", a->start_us);
    eve_put_ts(ec, &jb, "end", a->end_us);
    json_u64(&jb, "interval", interval);
    json_bool(&jb, "final", a->final);
    json_u64(&jb, "packets", c->pkts);
    json_u64(&jb, "bytes", c->bytes);
    json_obj_open(&jb, "l3");
    for (unsigned i = 0; i < RL3_MAX; i++)
        put_pb(&jb, rollup_l3_name(i), c->l3_pkts[i], c->l3_bytes[i]);
    json_obj_close(&jb);
    json_obj_open(&jb, "l4");
    for (unsigned i = 0; i < RL4_MAX; i++)
        put_pb(&jb, rollup_l4_name(i), c->l4_pkts[i], c->l4_bytes[i]);
    json_obj_close(&jb);
    json_obj_open(&jb, "app_proto");
    for (unsigned p = 0; p < APP_MAX; p++) {
        if (!c->app_flows[p])
            continue;
        json_obj_open(&jb, app_proto_name(p));
        json_u64(&jb, "flows", c->app_flows[p]);
        json_u64(&jb, "packets", c->app_pkts[p]);
        json_u64(&jb, "bytes", c->app_bytes[p]);
        json_obj_close(&jb);
    }
    json_obj_close(&jb);
    json_obj_open(&jb, "flows");
    json_u64(&jb, "started", c->flows_started);
    json_u64(&jb, "ended", c->flows_ended);
    json_u64(&jb, "active", c->flows_active);
    json_obj_close(&jb);
    json_obj_open(&jb, "pkt_size");
    for (unsigned b = 0; b < ROLLUP_SIZES; b++)
        json_u64(&jb, rollup_size_name(b), c->sizes[b]);
    json_obj_close(&jb);
    put_top(&jb, a, RT_TALKERS_BYTES, top_n);
    put_top(&jb, a, RT_TALKERS_PKTS, top_n);
    put_top(&jb, a, RT_PORTS, top_n);
    json_obj_open(&jb, "dns");
    json_u64(&jb, "queries", c->dns_queries);
    json_u64(&jb, "responses", c->dns_responses);
    json_obj_open(&jb, "rcode");
    for (unsigned r = 0; r < 16; r++) {
        if (!c->dns_rcode[r])
            continue;
        const char *name = dns_rcode_name(r);
        char num[8];
        if (!name) {
            snprintf(num, sizeof(num), "%u", r);
            name = num;
        }
        json_u64(&jb, name, c->dns_rcode[r]);
    }
    json_obj_close(&jb);
    put_top(&jb, a, RT_DNS, top_n);
    json_obj_close(&jb);
    json_obj_open(&jb, "http");
    json_u64(&jb, "transactions", c->http_tx);
    json_obj_open(&jb, "status");
    for (unsigned s = 0; s < ROLLUP_HTTP_CLASSES; s++)
        if (c->http_status[s])
            json_u64(&jb, rollup_http_class_name(s), c->http_status[s]);
    json_obj_close(&jb);
    put_top(&jb, a, RT_HTTP, top_n);
    json_obj_close(&jb);
    json_obj_open(&jb, "tls");
    json_u64(&jb, "sessions", c->tls_sessions);
    json_obj_open(&jb, "versions");
    for (unsigned v = 0; v < ROLLUP_TLS_VERSIONS; v++)
        if (c->tls_versions[v])
            json_u64(&jb, rollup_tls_version_label(v), c->tls_versions[v]);
    json_obj_close(&jb);
    put_top(&jb, a, RT_TLS, top_n);
    json_obj_close(&jb);
    /* the bound of every list: error <= total / capacity (output/sketch.h) */
    json_obj_open(&jb, "sketch");
    json_u64(&jb, "capacity", sketch_capacity(a->top[0]));
    for (unsigned t = 0; t < RT_MAX; t++) {
        json_obj_open(&jb, rollup_top_name(t));
        json_u64(&jb, "total", sketch_total(a->top[t]));
        json_u64(&jb, "bound", sketch_bound(a->top[t]));
        json_obj_close(&jb);
    }
    json_obj_close(&jb);
    json_obj_close(&jb);
    json_obj_close(&jb);
    return json_finish(&jb);
}
