/* output/eve_alert.c: event_type "alert" records (see eve_alert.h).
 *
 * Payloads are logged up to EVE_ALERT_PAYLOAD_MAX bytes, Suricata's
 * default payload-buffer-size; the base64 and printable forms are built in
 * thread-local buffers (no allocation, and not on the stack). */
#include "output/eve_alert.h"

#include <openssl/evp.h>

#include "dissect/app_detect.h"
#include "engine/anomaly.h"
#include "output/eve_int.h"

#define EVE_ALERT_PAYLOAD_MAX 4096u
#define EVE_ALERT_KEY_MAX     64u

static _Thread_local char eve_alert_tmp[(EVE_ALERT_PAYLOAD_MAX + 2) / 3 * 4 + 4];

/* "key value" -> key length (up to the first space), value after spaces. */
static size_t eve_meta_split(const char *s, const char **val)
{
    size_t k = 0;
    while (s[k] && s[k] != ' ')
        k++;
    const char *v = s + k;
    while (*v == ' ')
        v++;
    *val = v;
    return k;
}

/* metadata {key: [values]}, keys in order of first appearance */
static void eve_alert_metadata(struct json_buf *jb, const char *const *meta, size_t n)
{
    if (n == 0)
        return;
    json_obj_open(jb, "metadata");
    for (size_t i = 0; i < n; i++) {
        const char *v;
        size_t kl = eve_meta_split(meta[i], &v);
        if (kl == 0 || kl > EVE_ALERT_KEY_MAX)
            continue;
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++) {
            const char *w;
            size_t jl = eve_meta_split(meta[j], &w);
            seen = jl == kl && memcmp(meta[j], meta[i], kl) == 0;
        }
        if (seen)
            continue;
        char key[EVE_ALERT_KEY_MAX + 1];
        memcpy(key, meta[i], kl);
        key[kl] = '\0';
        /* the key is the rule's text: escaped like any string */
        size_t klen = 0;
        char esc[EVE_ALERT_KEY_MAX * 6 + 3];
        struct json_buf kb;
        json_init(&kb, esc, sizeof(esc));
        json_str(&kb, NULL, key);
        klen = kb.len;
        if (!json_ok(&kb) || klen < 2)
            continue;
        /* json_arr_open_n wants the bare key: strip the quotes */
        json_arr_open_n(jb, esc + 1, klen - 2);
        for (size_t j = i; j < n; j++) {
            const char *w;
            size_t jl = eve_meta_split(meta[j], &w);
            if (jl == kl && memcmp(meta[j], meta[i], kl) == 0)
                json_str(jb, NULL, w);
        }
        json_arr_close(jb);
    }
    json_obj_close(jb);
}

static void eve_alert_flow(struct eve_ctx *ec, struct json_buf *jb, const struct flow *f)
{
    json_obj_open(jb, "flow");
    json_u64(jb, "pkts_toserver", f->pkts[0]);
    json_u64(jb, "pkts_toclient", f->pkts[1]);
    json_u64(jb, "bytes_toserver", f->bytes[0]);
    json_u64(jb, "bytes_toclient", f->bytes[1]);
    eve_put_ts(ec, jb, "start", f->start_us);
    eve_put_addr(jb, "src_ip", f->ip_v, f->cli);
    eve_put_addr(jb, "dest_ip", f->ip_v, f->srv);
    if (eve_proto_has_ports(f->proto)) {
        json_u64(jb, "src_port", f->cli_port);
        json_u64(jb, "dest_port", f->srv_port);
    }
    json_obj_close(jb);
}

static void eve_alert_payload(struct json_buf *jb, const struct eve_alert *a)
{
    size_t n = a->payload_len < EVE_ALERT_PAYLOAD_MAX ? a->payload_len : EVE_ALERT_PAYLOAD_MAX;
    if (a->log_payload) {
        char *t = eve_alert_tmp;
        t[0] = '"';
        int k = EVP_EncodeBlock((unsigned char *)t + 1, a->payload, (int)n);
        if (k >= 0) {
            t[k + 1] = '"';
            json_raw(jb, "payload", t, (size_t)k + 2);
        }
    }
    if (a->log_printable) {
        /* Suricata's PrintStringsToBuffer: printable ASCII, '\n' '\r' '\t'
         * kept, everything else '.' */
        for (size_t i = 0; i < n; i++) {
            uint8_t c = a->payload[i];
            eve_alert_tmp[i] = (c >= 0x20 && c < 0x7f) || c == '\n' || c == '\r' || c == '\t'
                                   ? (char)c
                                   : '.';
        }
        json_strn(jb, "payload_printable", (const uint8_t *)eve_alert_tmp, n);
    }
    json_u64(jb, "stream", 0);
}

/* A detector's evidence: what was counted, over which window, and a
 * sample of the targets. */
static void eve_alert_anomaly(struct eve_ctx *ec, struct json_buf *jb,
                              const struct anomaly_alert *x)
{
    json_obj_open(jb, "anomaly");
    json_str(jb, "detector", x->detector);
    json_u64(jb, "count", x->count);
    json_u64(jb, "threshold", x->threshold);
    if (x->window)
        json_u64(jb, "window", x->window);
    eve_put_ts(ec, jb, "first_seen", x->first_us);
    eve_put_ts(ec, jb, "last_seen", x->last_us);
    if (x->distinct_sources)
        json_u64(jb, "distinct_sources", x->distinct_sources);
    if (x->kind == ANOM_ICMP_FLOOD)
        json_u64(jb, "packets_per_second", (uint64_t)(x->rate + 0.5));
    if (x->kind == ANOM_SPIKE) {
        json_u64(jb, "value", x->count);
        json_u64(jb, "mean", (uint64_t)(x->mean + 0.5));
        json_u64(jb, "stddev", (uint64_t)(x->stddev + 0.5));
    }
    if (x->key_name)
        json_str(jb, x->key_name, x->key);
    if (x->targets_name && x->ntargets) {
        json_arr_open(jb, x->targets_name);
        for (unsigned i = 0; i < x->ntargets; i++)
            json_str(jb, NULL, x->targets[i]);
        json_arr_close(jb);
    }
    json_obj_close(jb);
}

static size_t eve_alert_build(struct eve_ctx *ec, char *buf, size_t cap, const struct eve_alert *a,
                              bool http_headers)
{
    struct json_buf jb;
    json_init(&jb, buf, cap);
    json_obj_open(&jb, NULL);
    eve_put_ts(ec, &jb, "timestamp", a->ts_us);
    if (a->f)
        json_u64(&jb, "flow_id", a->f->flow_id);
    if (a->pcap_cnt)
        json_u64(&jb, "pcap_cnt", a->pcap_cnt);
    eve_put_source(ec, &jb);
    json_raw(&jb, "event_type", "\"alert\"", 7);
    eve_put_vlan(&jb, a->vlan, a->vlan_cnt);
    bool ports = eve_proto_has_ports(a->proto);
    if (a->anomaly) {
        /* about a source, a target, or neither (a domain, a series) */
        const struct anomaly_alert *x = a->anomaly;
        if (x->has_src)
            eve_put_addr(&jb, "src_ip", x->ip_v, x->src);
        if (x->has_dst)
            eve_put_addr(&jb, "dest_ip", x->ip_v, x->dst);
        if (x->dport)
            json_u64(&jb, "dest_port", x->dport);
        if (x->ip_v)
            json_u64(&jb, "ip_v", x->ip_v);
        if (x->proto)
            eve_put_proto(&jb, x->proto);
    } else {
        eve_put_addr(&jb, "src_ip", a->ip_v, a->src);
        if (ports)
            json_u64(&jb, "src_port", a->sport);
        eve_put_addr(&jb, "dest_ip", a->ip_v, a->dst);
        if (ports)
            json_u64(&jb, "dest_port", a->dport);
        json_u64(&jb, "ip_v", a->ip_v);
        eve_put_proto(&jb, a->proto);
    }
    if (a->has_icmp) {
        json_u64(&jb, "icmp_type", a->icmp_type);
        json_u64(&jb, "icmp_code", a->icmp_code);
    }
    json_raw(&jb, "pkt_src", "\"wire/pcap\"", 11);
    if (a->f)
        eve_put_community_id(ec, &jb, a->f);
    if (a->has_tx)
        json_u64(&jb, "tx_id", a->tx_id);

    json_obj_open(&jb, "alert");
    json_str(&jb, "action", a->action ? a->action : "allowed");
    json_u64(&jb, "gid", a->gid);
    json_u64(&jb, "signature_id", a->sid);
    json_u64(&jb, "rev", a->rev);
    json_str(&jb, "signature", a->msg ? a->msg : "");
    json_str(&jb, "category", a->category ? a->category : "");   /* as Suricata */
    json_u64(&jb, "severity", a->severity);
    eve_alert_metadata(&jb, a->metadata, a->nmeta);
    json_obj_close(&jb);

    if (a->http)
        eve_http_obj(&jb, a->http, http_headers);
    else if (a->tls)
        eve_tls_obj(&jb, a->tls);
    else if (a->dns)
        eve_dns_obj(&jb, a->dns, a->dns_scratch, a->tx_id);
    if (a->anomaly)
        eve_alert_anomaly(ec, &jb, a->anomaly);
    if (a->f) {
        unsigned ap = app_state_verdict(&a->f->app);
        if (ap != APP_UNKNOWN)
            json_str(&jb, "app_proto", app_proto_name(ap));
        json_str(&jb, "direction", a->toserver ? "to_server" : "to_client");
        eve_alert_flow(ec, &jb, a->f);
    }
    if ((a->log_payload || a->log_printable) && a->payload)
        eve_alert_payload(&jb, a);
    json_obj_close(&jb);
    return json_finish(&jb);
}

size_t eve_alert(struct eve_ctx *ec, char *buf, size_t cap, const struct eve_alert *a)
{
    size_t n = eve_alert_build(ec, buf, cap, a, true);
    if (n == 0 && a->http)      /* too many or too long headers: without them, */
        n = eve_alert_build(ec, buf, cap, a, false);    /* as the http record */
    return n;
}
