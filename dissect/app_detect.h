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
    X(BITTORRENT_DHT, "bittorrent-dht")

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

/* A flow of protocol cur whose client now sends p: the protocol the flow
 * switches to (a TLS ClientHello after HTTP CONNECT, STARTTLS, pgsql's
 * SSLRequest, ...), or APP_UNKNOWN when it does not switch. */
enum app_proto app_detect_upgrade(enum app_proto cur, const uint8_t *p, size_t n);

#endif
