/* output/eve.h: EVE JSON records (Suricata's field names) for what the
 * engine reports: flow ends, decoder anomalies, DNS messages, HTTP transactions and stats.  Each call writes
 * one complete line ending in '\n' into a caller's buffer and returns its
 * length, or 0 when it did not fit (the caller counts that).  Pure
 * formatting: no allocation, no locks, no I/O. */
#ifndef EVE_H
#define EVE_H

#include "dissect/dissect.h"
#include "dissect/http.h"
#include "flow/flow.h"

/* Per-thread formatting context.  The local UTC offset is cached per hour
 * of packet time, so formatting takes no lock (localtime_r may). */
#define EVE_CID_CACHE 64

struct eve_ctx {
    const char *pcap_filename;  /* NULL live */
    const char *in_iface;       /* NULL offline */
    int64_t tz_hour;            /* cache: hour (ts / 3600) of tz_off */
    int32_t tz_off;             /* seconds east of UTC */
    bool ethernet;              /* write MAC addresses (default off) */
    uint16_t community_id_seed;
    /* the pcap_filename or in_iface value quoted and escaped once, at
     * init (source_len 0: too long, escaped per record) */
    size_t source_len;
    char source[512];
    /* Community IDs of recent flows (eve_put_community_id), direct-mapped
     * by flow id: a flow's records come close together (a DNS query and
     * its answer, an HTTP transaction), and one SHA-1 serves them all */
    struct eve_cid {
        uint64_t flow_id;       /* 0: empty (flow ids are never 0) */
        uint32_t ports;
        uint16_t seed;
        uint8_t proto;
        uint8_t len;
        char text[32];          /* "1:" and 28 base64 characters */
    } cid[EVE_CID_CACHE];
};

void eve_ctx_init(struct eve_ctx *ec, const char *pcap_filename, const char *in_iface);

/* "2026-11-22T14:07:49.835303+0000" (local time) into out; returns length. */
size_t eve_timestamp(struct eve_ctx *ec, uint64_t ts_us, char out[40]);

/* IPv4 dotted, IPv6 in Suricata's full form (8 groups of 4 hex digits). */
size_t eve_addr(uint8_t ip_v, const uint8_t addr[16], char out[48]);

/* "TCP", "UDP", "ICMP", "IPv6-ICMP", "SCTP", "GRE", or NULL (the record
 * then has the number). */
const char *eve_proto_name(uint8_t proto);

/* event_type "flow"; timestamp = the flow's last packet time. */
size_t eve_flow(struct eve_ctx *ec, char *buf, size_t cap,
                const struct flow *f, enum flow_end_reason reason);

/* event_type "anomaly", type "decode", event "decoder.<name>". */
size_t eve_anomaly_decode(struct eve_ctx *ec, char *buf, size_t cap,
                          const struct ns_pkt *pkt, const struct ns_decoded *d,
                          unsigned event);

/* event_type "anomaly" about a flow's stream or app-layer input: type
 * "stream" (event "stream.reassembly_seq_gap", ...) or "applayer" (event
 * the parser's name, with app_proto and layer: "proto_parser",
 * "proto_detect"); src is the sender when toserver says so.  app_proto
 * and layer may be NULL. */
size_t eve_anomaly_flow(struct eve_ctx *ec, char *buf, size_t cap, const struct flow *f,
                        bool toserver, uint64_t ts_us, uint64_t pcap_cnt, const char *type,
                        const char *app_proto, const char *event, const char *layer);

/* event_type "dns" (output/eve_dns.c): DNS message m, parsed by dns_parse
 * with its text in scratch, carried by packet pkt/d of flow f; tx_id is the
 * message's transaction (dns_txs_*).  Suricata's EVE DNS version 3. */
size_t eve_dns(struct eve_ctx *ec, char *buf, size_t cap, const struct ns_pkt *pkt,
               const struct ns_decoded *d, const struct flow *f,
               const struct dns_msg *m, const char *scratch, uint64_t tx_id);

/* event_type "dns" in Suricata 6/7's EVE DNS version 2 format (outputs.eve.
 * dns.version: 2), same arguments: for a request, the record ("type":
 * "query") of its question number qi, so a request takes one call per
 * question; for a response, its one record ("type": "answer"; qi unused).
 * toserver: m was sent by the flow's client.  src/dest are the flow's client
 * and server whichever side sent m, as Suricata 7 logs them.  Returns 0
 * also when there is nothing to write (qi past the questions, a response
 * without a question, which Suricata 7 does not log either). */
size_t eve_dns_v2(struct eve_ctx *ec, char *buf, size_t cap, const struct ns_pkt *pkt,
                  const struct ns_decoded *d, const struct flow *f, bool toserver,
                  const struct dns_msg *m, const char *scratch, uint64_t tx_id, unsigned qi);

/* event_type "http" (output/eve_http.c): one transaction of HTTP flow f,
 * its request and/or its response header blocks (parsed by http_parse from
 * req_p / resp_p; either may be NULL), written when the record is complete:
 * ts_us and pcap_cnt (0: none) of the packet that completed it.  resp_len:
 * the response body length ("length").  src is the client. */
struct eve_http_tx {
    const struct flow *f;
    uint64_t ts_us, pcap_cnt, tx_id, resp_len;
    const struct http_msg *req, *resp;
    const uint8_t *req_p, *resp_p;
};
size_t eve_http(struct eve_ctx *ec, char *buf, size_t cap, const struct eve_http_tx *t);

/* The request m's Host header (m parsed from p) as the record's hostname:
 * lower case, without brackets or port, cut at EVE_HOSTNAME_MAX bytes;
 * returns its length (0: none).  port (NULL ok) gets the port, 0: none. */
#define EVE_HOSTNAME_MAX 256
size_t eve_http_hostname(const struct http_msg *m, const uint8_t *p, char host[EVE_HOSTNAME_MAX],
                         uint32_t *port);

/* event_type "stats": one counter per item, nested by the dots in the path
 * ("decoder.event.ipv4.trunc_pkt" -> {"decoder":{"event":{"ipv4":{...}}}}).
 * Items sharing a prefix must be contiguous. */
struct eve_stat_item {
    const char *path;
    uint64_t value;
};
size_t eve_stats(struct eve_ctx *ec, char *buf, size_t cap, uint64_t ts_us,
                 uint64_t uptime_s, const struct eve_stat_item *items, size_t n);

#endif
