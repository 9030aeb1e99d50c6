/* dissect/app_detect.h: application protocol detection from the first
 * payload bytes of each direction of a flow, with port hints where the
 * bytes alone are ambiguous (a "220 " banner is SMTP on 25, FTP on 21).
 * Names are Suricata's app_proto values.  Pure function of its arguments:
 * no state, no allocation; reads only [p, p + n). */
#ifndef APP_DETECT_H
#define APP_DETECT_H

#include "engine/ns_common.h"

#define APP_PROTOS(X)            \
    X(UNKNOWN, "unknown")        \
    X(FAILED,  "failed")         \
    X(HTTP,    "http")           \
    X(HTTP2,   "http2")          \
    X(TLS,     "tls")            \
    X(SSH,     "ssh")            \
    X(SMTP,    "smtp")           \
    X(FTP,     "ftp")            \
    X(POP3,    "pop3")           \
    X(IMAP,    "imap")           \
    X(DNS,     "dns")            \
    X(DHCP,    "dhcp")           \
    X(NTP,     "ntp")            \
    X(SNMP,    "snmp")           \
    X(SIP,     "sip")            \
    X(SMB,     "smb")            \
    X(DCERPC,  "dcerpc")         \
    X(DNP3,    "dnp3")           \
    X(MODBUS,  "modbus")         \
    X(RFB,     "rfb")            \
    X(PGSQL,   "pgsql")          \
    X(MQTT,    "mqtt")           \
    X(KRB5,    "krb5")           \
    X(TFTP,    "tftp")           \
    X(IKE,     "ike")            \
    X(QUIC,    "quic")           \
    X(RDP,     "rdp")            \
    X(TELNET,  "telnet")         \
    X(LDAP,    "ldap")           \
    X(IRC,     "irc")            \
    X(BITTORRENT_DHT, "bittorrent-dht") \
    X(SOCKS,   "socks")

enum app_proto {
#define APP_ENUM(id, name) APP_##id,
    APP_PROTOS(APP_ENUM)
#undef APP_ENUM
    APP_MAX
};

const char *app_proto_name(unsigned a);

/* The protocol these bytes start, or APP_UNKNOWN.  ipproto is 6 or 17;
 * sport/dport as in the packet; toserver: sent by the flow's client. */
enum app_proto app_detect(uint8_t ipproto, uint16_t sport, uint16_t dport,
                          bool toserver, const uint8_t *p, size_t n);

/* Per-flow detection state, kept in the flow (8 bytes, zero = nothing
 * seen).  Each direction's first payloads are matched until one says what
 * it is (APP_DETECT_TRIES payloads, then that side has "failed").  The
 * flow's protocol is the client's side when known, else the server's.  A
 * detected flow can still change protocol once, as Suricata reports with
 * app_proto_orig: after an HTTP CONNECT answered 2xx, or a SOCKS 4/4a/5
 * handshake (RFC 1928, RFC 1929) the proxy granted, the tunnel's first
 * payload is detected afresh; and a TLS handshake record from the client
 * after STARTTLS (SMTP, IMAP, POP3, FTP, LDAP) or pgsql's SSLRequest makes
 * the flow TLS. */
#define APP_DETECT_TRIES   3
#define APP_UPGRADE_TRIES  8

struct app_state {
    uint8_t proto;        /* the flow's verdict so far (enum app_proto) */
    uint8_t ts, tc;       /* what each side's payload said */
    uint8_t orig;         /* protocol before a change, 0 if none */
    uint8_t tries[2];     /* payloads looked at per direction */
    uint8_t upg_tries;    /* payloads looked at for a change */
    uint8_t tunnel;       /* HTTP CONNECT or SOCKS handshake step (app_detect.c) */
};

/* Whether the flow may still change protocol (HTTP, the STARTTLS ones, a
 * SOCKS handshake not refused), so its bytes are worth delivering even
 * with no parser of its own. */
bool app_may_change(const struct app_state *s);

/* Whether a flow of protocol a turns into TLS when its client sends a TLS
 * handshake (STARTTLS in SMTP, IMAP, POP3, FTP, LDAP; pgsql's SSLRequest). */
bool app_can_starttls(unsigned a);

/* One payload of a TCP (6) or UDP (17) flow; cheap once settled. */
void app_state_update(struct app_state *s, uint8_t ipproto, uint16_t sport,
                      uint16_t dport, bool toserver, const uint8_t *p, size_t n);

/* What a flow record says: the protocol, APP_FAILED when payload was seen
 * and nothing matched, APP_UNKNOWN when there was no payload. */
enum app_proto app_state_verdict(const struct app_state *s);

#endif
