/* output/eve_alert.h: event_type "alert" records (output/eve_alert.c).
 *
 * The fields and their order follow Suricata's output-json-alert.c: the
 * common head with the packet's own direction (src is the packet's
 * sender), tx_id when the alert is about a transaction, the "alert"
 * object (action, gid, signature_id, rev, signature, category ("" when
 * the rule has no classtype), severity, metadata {key: [values]} when it has
 * metadata), the app-layer object of the transaction, app_proto,
 * direction, the "anomaly" evidence object of a detector alert (our own,
 * engine/anomaly.h), the "flow" object (counters and start, with the flow's own
 * orientation), then payload (base64) and payload_printable when asked. */
#ifndef EVE_ALERT_H
#define EVE_ALERT_H

#include "output/eve.h"

struct eve_http_tx;
struct tls_tx;
struct dns_msg;
struct anomaly_alert;

struct eve_alert {
    /* the packet */
    uint64_t ts_us, pcap_cnt;
    uint8_t ip_v, proto;
    uint8_t src[16], dst[16];
    uint16_t sport, dport;
    uint8_t icmp_type, icmp_code;
    bool has_icmp;
    const uint16_t *vlan;
    unsigned vlan_cnt;
    const struct flow *f;           /* NULL: a packet without a flow */
    bool toserver;                  /* the packet's direction in f */
    /* the rule */
    const char *action;             /* "allowed" */
    uint32_t gid, sid, rev, severity;
    const char *msg;
    const char *category;           /* NULL: no classtype */
    const char *const *metadata;    /* "key value" strings */
    size_t nmeta;
    /* the transaction, when the alert is about one (at most one set) */
    bool has_tx;
    uint64_t tx_id;
    const struct eve_http_tx *http;
    const struct tls_tx *tls;
    const struct dns_msg *dns;
    const char *dns_scratch;
    /* a detector's alert (engine/anomaly.h): its evidence is written as
     * the "anomaly" object after "alert" */
    const struct anomaly_alert *anomaly;
    /* payload: written when payload or payload_printable is set */
    const uint8_t *payload;
    size_t payload_len;
    bool log_payload, log_printable;
};

size_t eve_alert(struct eve_ctx *ec, char *buf, size_t cap, const struct eve_alert *a);

#endif
