/* output/eve_int.h: pieces of a record that eve.c shares with the other
 * record writers in output/ (eve_dns.c).  Not for use outside output/. */
#ifndef EVE_INT_H
#define EVE_INT_H

#include "output/eve.h"
#include "output/json.h"

/* key: "<local timestamp>" */
void eve_put_ts(struct eve_ctx *ec, struct json_buf *jb, const char *key, uint64_t ts_us);
void eve_put_addr(struct json_buf *jb, const char *key, uint8_t ip_v, const uint8_t addr[16]);
/* An array element "aa:bb:cc:dd:ee:ff". */
void eve_put_mac(struct json_buf *jb, const uint8_t mac[6]);
/* pcap_filename or in_iface */
void eve_put_source(const struct eve_ctx *ec, struct json_buf *jb);
void eve_put_vlan(struct json_buf *jb, const uint16_t *vlan, unsigned cnt);
bool eve_proto_has_ports(uint8_t proto);
/* "proto": Suricata's name, or the number as a string */
void eve_put_proto(struct json_buf *jb, uint8_t proto);

/* "community_id": the flow's Community ID, computed once for the records
 * of a flow that come close together (a small cache in ec). */
void eve_put_community_id(struct eve_ctx *ec, struct json_buf *jb, const struct flow *f);

/* The head every app-layer record (dns over TCP, http, tls, smtp, ftp, ssh,
 * dhcp) shares, as Suricata writes it: timestamp, flow_id, pcap_cnt (when
 * not 0), the source, event_type, vlan, the flow's client as src and server
 * as dest, ip_v, proto, pkt_src, community_id, ether (when on) and tx_id.
 * Leaves the top-level object open for the app object. */
void eve_put_app_head(struct eve_ctx *ec, struct json_buf *jb, const struct flow *f,
                      const char *event_type, uint64_t ts_us, uint64_t pcap_cnt,
                      uint64_t tx_id);

/* The app-layer objects of the records ("http":{...}, "tls":{...},
 * "dns":{...}), also written into alerts about their transaction. */
struct eve_http_tx;
struct tls_tx;
struct dns_msg;
void eve_http_obj(struct json_buf *jb, const struct eve_http_tx *t, bool headers);
void eve_tls_obj(struct json_buf *jb, const struct tls_tx *t);
void eve_dns_obj(struct json_buf *jb, const struct dns_msg *m, const char *scratch,
                 uint64_t tx_id);

#endif
