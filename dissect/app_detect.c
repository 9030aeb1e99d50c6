/* dissect/app_detect.c: first-bytes protocol detection (see app_detect.h).
 *
 * Each probe checks its length before each read.  Probes that look only at
 * bytes run first; the ones that need a port come after, so that a TLS
 * handshake on port 25 is still TLS.  The patterns are the protocols' own
 * first messages (RFC sections noted), not heuristics over later traffic. */
#include "dissect/app_detect.h"

static const char *const app_names[] = {
#define APP_NAME(id, name) name,
    APP_PROTOS(APP_NAME)
#undef APP_NAME
};

const char *app_proto_name(unsigned a)
{
    return a < APP_MAX ? app_names[a] : "unknown";
}

static bool starts(const uint8_t *p, size_t n, const char *lit)
{
    size_t l = strlen(lit);
    return n >= l && memcmp(p, lit, l) == 0;
}

static bool starts_nocase(const uint8_t *p, size_t n, const char *lit)
{
    size_t l = strlen(lit);
    if (n < l)
        return false;
    for (size_t i = 0; i < l; i++) {
        uint8_t c = p[i];
        if (c >= 'a' && c <= 'z')
            c = (uint8_t)(c - 32);
        if (c != (uint8_t)lit[i])
            return false;
    }
    return true;
}

static bool port_is(uint16_t sport, uint16_t dport, uint16_t port)
{
    return sport == port || dport == port;
}

/* RFC 9110 section 9 methods, plus WebDAV's that Suricata also accepts. */
static bool http_request(const uint8_t *p, size_t n)
{
    static const char *const methods[] = {
        "GET ", "POST ", "HEAD ", "PUT ", "DELETE ", "OPTIONS ", "CONNECT ",
        "TRACE ", "PATCH ", "PROPFIND ", "PROPPATCH ", "MKCOL ", "COPY ",
        "MOVE ", "LOCK ", "UNLOCK ", "SEARCH ", "REPORT ",
    };
    if (n < 4)
        return false;
    for (size_t i = 0; i < NS_ARRAY_LEN(methods); i++)
        if (starts(p, n, methods[i]))
            return true;
    return false;
}

/* TLS record (RFC 8446 section 5.1): handshake or alert, version 3.x; or an
 * SSLv2-framed ClientHello (RFC 6101 appendix E.2). */
static bool tls_record(const uint8_t *p, size_t n)
{
    if (n >= 3 && (p[0] == 0x16 || p[0] == 0x15) && p[1] == 3 && p[2] <= 4)
        return true;
    if (n >= 5 && (p[0] & 0x80) && p[2] == 1 && p[3] == 3 && p[4] <= 3)
        return true;
    return false;
}

/* NetBIOS session message carrying SMB1/2/3 (RFC 1002 section 4.3.1). */
static bool smb(const uint8_t *p, size_t n)
{
    if (n < 8 || p[0] != 0x00)
        return false;
    return (p[4] == 0xff || p[4] == 0xfe || p[4] == 0xfd) && p[5] == 'S' && p[6] == 'M' && p[7] == 'B';
}

/* DCE/RPC connection-oriented PDU header (C706 chapter 12.6.3.1): version
 * 5.0/5.1, a known packet type, a data representation label (C706 14.1:
 * integer and character formats 0 or 1, float format 0..3, two zero
 * bytes), a sane fragment length.  The label keeps a SOCKS5 request
 * (05 01 00 ...) from passing for one. */
static bool dcerpc(const uint8_t *p, size_t n)
{
    if (n < 16 || p[0] != 5 || p[1] > 1 || p[2] > 20)
        return false;
    if ((p[4] & 0xee) != 0 || p[5] > 3 || p[6] != 0 || p[7] != 0)
        return false;
    uint16_t frag = (p[4] & 0x10) ? ns_load_le16(p + 8) : ns_load_be16(p + 8);
    return frag >= 16;
}

/* PostgreSQL startup, SSLRequest or CancelRequest (protocol section 55.7). */
static bool pgsql_first(const uint8_t *p, size_t n)
{
    if (n < 8)
        return false;
    uint32_t len = ns_load_be32(p);
    uint32_t code = ns_load_be32(p + 4);
    if (code == 80877103u || code == 80877104u)
        return len == 8;
    if (code == 80877102u)
        return len == 16;
    return code == 0x00030000u && len >= 8 && len < 10000;
}

/* DNS header sanity (RFC 1035 section 4.1.1). */
static bool dns_msg(const uint8_t *p, size_t n, bool toserver)
{
    if (n < 12)
        return false;
    uint16_t flags = ns_load_be16(p + 2);
    unsigned opcode = (flags >> 11) & 0xf;
    uint16_t qd = ns_load_be16(p + 4);
    if (opcode > 6 || qd > 16)
        return false;
    if (toserver && (flags & 0x8000) == 0)
        return qd >= 1;
    return true;
}

/* A DNS query on any port: one question whose name is well formed (labels
 * of 1..63 bytes, at most 255 in all, no compression in a query) and ends
 * the message but for an EDNS OPT record; class IN, CH, HS or ANY. */
static bool dns_query_strict(const uint8_t *p, size_t n)
{
    if (n < 17 || (p[2] & 0x80) || ((p[2] >> 3) & 0xf) != 0)
        return false;
    if (ns_load_be16(p + 4) != 1 || ns_load_be16(p + 6) != 0 || ns_load_be16(p + 8) != 0 ||
        ns_load_be16(p + 10) > 1)
        return false;
    size_t o = 12, total = 0;
    while (o < n && p[o] != 0) {
        unsigned l = p[o];
        if (l > 63 || o + 1 + l >= n)
            return false;
        total += l + 1;
        if (total > 255)
            return false;
        o += 1 + l;
    }
    if (o + 5 > n)
        return false;
    uint16_t cls = ns_load_be16(p + o + 3);
    if (cls != 1 && cls != 3 && cls != 4 && cls != 255)
        return false;
    size_t rest = n - (o + 5);
    /* one additional record (EDNS OPT, or DNSCrypt's padding) at the root */
    return ns_load_be16(p + 10) == 0 ? rest == 0 : rest >= 11 && p[o + 5] == 0;
}

/* A NUL-terminated string of at most max bytes at p[*o]: moves *o past
 * its NUL. */
static bool socks_cstr(const uint8_t *p, size_t n, size_t *o, size_t max)
{
    size_t i = *o;
    while (i < n && i - *o <= max && p[i] != 0)
        i++;
    if (i >= n || i - *o > max)
        return false;
    *o = i + 1;
    return true;
}

/* A SOCKS5 request (RFC 1928 section 4: VER 5, CMD 1..3, RSV 0, ATYP 1
 * (IPv4), 3 (domain name) or 4 (IPv6), the address, the port) or, with
 * reply, a reply (section 6: the same layout, REP for CMD).  Returns its
 * length, 0 when [p, p + n) does not start with a whole one. */
static size_t socks5_msg_len(const uint8_t *p, size_t n, bool reply)
{
    if (n < 5 || p[0] != 5 || p[2] != 0)
        return 0;
    if (!reply && (p[1] < 1 || p[1] > 3))
        return 0;
    size_t l;
    switch (p[3]) {
    case 1: l = 4 + 4 + 2; break;
    case 4: l = 4 + 16 + 2; break;
    case 3: l = p[4] ? 4 + 1 + (size_t)p[4] + 2 : 0; break;
    default: return 0;
    }
    return l && l <= n ? l : 0;
}

/* The first message of a SOCKS client, exactly (a client waits for the
 * proxy's answer, so the segment holds nothing else):
 *  - SOCKS4 (and 4a): VN 4, CD 1 (connect) or 2 (bind), port, IPv4
 *    address, a user id and NUL; 4a's address 0.0.0.x (x != 0) is followed
 *    by a host name and NUL;
 *  - SOCKS5 (RFC 1928 section 3): VER 5, NMETHODS >= 1, that many method
 *    numbers (assigned 0x00..0x09, private 0x80..0xfe), optionally followed
 *    by a request (clients that do not wait for the method choice). */
static bool socks_request(const uint8_t *p, size_t n)
{
    if (n >= 9 && p[0] == 4 && (p[1] == 1 || p[1] == 2) && ns_load_be16(p + 2) != 0) {
        size_t o = 8;
        if (!socks_cstr(p, n, &o, 255))
            return false;
        if (p[4] == 0 && p[5] == 0 && p[6] == 0 && p[7] != 0) {
            size_t h = o;
            if (!socks_cstr(p, n, &o, 255) || o - h < 2)
                return false;
        }
        return o == n;
    }
    if (n >= 3 && p[0] == 5 && p[1] >= 1 && p[1] <= 16 && n >= 2 + (size_t)p[1]) {
        for (size_t i = 0; i < p[1]; i++) {
            uint8_t m = p[2 + i];
            if (!(m <= 0x09 || (m >= 0x80 && m != 0xff)))
                return false;
        }
        size_t rest = n - 2 - p[1];
        return rest == 0 || socks5_msg_len(p + 2 + p[1], rest, false) == rest;
    }
    return false;
}

static enum app_proto detect_tcp(uint16_t sport, uint16_t dport, bool ts,
                                 const uint8_t *p, size_t n)
{
    if (ts) {
        if (http_request(p, n))
            return APP_HTTP;
        if (starts(p, n, "PRI * HTTP/2.0"))
            return APP_HTTP2;
    } else if (starts(p, n, "HTTP/1.") || starts(p, n, "HTTP/0.9")) {
        return APP_HTTP;
    }
    if (ts && socks_request(p, n))
        return APP_SOCKS;
    if (tls_record(p, n))
        return APP_TLS;
    if (starts(p, n, "SSH-"))
        return APP_SSH;
    if (smb(p, n))
        return APP_SMB;
    if (n >= 10 && p[0] == 0x05 && p[1] == 0x64)
        return APP_DNP3;
    if (starts(p, n, "RFB 0"))
        return APP_RFB;
    if (dcerpc(p, n))
        return APP_DCERPC;
    if (starts(p, n, "SIP/2.0") || (n > 8 && memmem(p, n < 64 ? n : 64, " sip:", 5)))
        return APP_SIP;
    if (ts && (starts_nocase(p, n, "EHLO ") || starts_nocase(p, n, "HELO ")))
        return APP_SMTP;
    if (!ts && starts(p, n, "+OK"))
        return APP_POP3;
    if (!ts && starts(p, n, "* OK"))
        return APP_IMAP;
    if (ts && port_is(sport, dport, 5432) && pgsql_first(p, n))
        return APP_PGSQL;
    if (!ts && port_is(sport, dport, 5432) && n >= 1 && (p[0] == 'S' || p[0] == 'N' || p[0] == 'R'))
        return APP_PGSQL;
    /* "220" greetings: SMTP (RFC 5321 4.2) and FTP (RFC 959 4.2) look alike */
    if (!ts && (starts(p, n, "220 ") || starts(p, n, "220-"))) {
        if (port_is(sport, dport, 21) || memmem(p, n, "FTP", 3) || memmem(p, n, "ftp", 3))
            return APP_FTP;
        if (port_is(sport, dport, 25) || port_is(sport, dport, 587) ||
            memmem(p, n, "SMTP", 4) || memmem(p, n, "ESMTP", 5))
            return APP_SMTP;
    }
    /* a client that speaks first on a mail port: RFC 5321 section 4.1.1 */
    if (ts && (port_is(sport, dport, 25) || port_is(sport, dport, 587)) &&
        (starts_nocase(p, n, "QUIT") || starts_nocase(p, n, "MAIL FROM:") ||
         starts_nocase(p, n, "RSET") || starts_nocase(p, n, "NOOP") ||
         starts_nocase(p, n, "STARTTLS") || starts_nocase(p, n, "AUTH ")))
        return APP_SMTP;
    if (ts && (starts_nocase(p, n, "USER ") || starts_nocase(p, n, "AUTH TLS")) && port_is(sport, dport, 21))
        return APP_FTP;
    if (ts && (starts_nocase(p, n, "CAPA") || starts_nocase(p, n, "USER ")) && port_is(sport, dport, 110))
        return APP_POP3;
    if (port_is(sport, dport, 53) && n >= 14) {
        uint16_t l = ns_load_be16(p);
        if (l >= 12 && dns_msg(p + 2, n - 2, ts))
            return APP_DNS;
    }
    if (port_is(sport, dport, 502) && n >= 8 && ns_load_be16(p + 2) == 0)
        return APP_MODBUS;
    if (port_is(sport, dport, 1883) && n >= 2 && (p[0] >> 4) == 1 && ts)
        return APP_MQTT;
    if (port_is(sport, dport, 3389) && n >= 4 && p[0] == 3 && p[1] == 0)
        return APP_RDP;
    return APP_UNKNOWN;
}

static enum app_proto detect_udp(uint16_t sport, uint16_t dport, bool ts,
                                 const uint8_t *p, size_t n)
{
    if (port_is(sport, dport, 53)) {
        if (n >= 12)
            return APP_DNS;         /* the port says it; the parser judges the rest */
    } else if (port_is(sport, dport, 5353)) {
        if (dns_msg(p, n, ts))
            return APP_DNS;
    } else if (ts && dns_query_strict(p, n) && !port_is(sport, dport, 137) &&
               !port_is(sport, dport, 138) && !port_is(sport, dport, 5355)) {
        return APP_DNS;             /* DNS away from its port (DNSCrypt certificates, ...) */
    }
    /* BOOTP with the DHCP magic cookie (RFC 2131 section 3) */
    if ((port_is(sport, dport, 67) || port_is(sport, dport, 68)) && n >= 240 &&
        (p[0] == 1 || p[0] == 2) && ns_load_be32(p + 236) == 0x63825363u)
        return APP_DHCP;
    if (starts(p, n, "SIP/2.0") || (n > 8 && memmem(p, n < 64 ? n : 64, " sip:", 5)))
        return APP_SIP;
    if (port_is(sport, dport, 123) && n >= 48) {
        unsigned vn = (p[0] >> 3) & 7, mode = p[0] & 7;
        if (vn >= 1 && vn <= 4 && mode >= 1 && mode <= 5)
            return APP_NTP;
    }
    if ((port_is(sport, dport, 161) || port_is(sport, dport, 162)) && n >= 2 && p[0] == 0x30)
        return APP_SNMP;
    if (port_is(sport, dport, 69) && n >= 4 && p[0] == 0 && p[1] >= 1 && p[1] <= 5)
        return APP_TFTP;
    if ((port_is(sport, dport, 500) || port_is(sport, dport, 4500)) && n >= 28)
        return APP_IKE;
    if (port_is(sport, dport, 88) && n >= 2 && (p[0] == 0x6a || p[0] == 0x6b || p[0] == 0x6c ||
                                                 p[0] == 0x6d || p[0] == 0x7e))
        return APP_KRB5;
    if (port_is(sport, dport, 443) && n >= 7 && (p[0] & 0xc0) == 0xc0 && ns_load_be32(p + 1) == 1)
        return APP_QUIC;
    if (n >= 12 && starts(p, n, "d1:ad2:id20:"))
        return APP_BITTORRENT_DHT;
    return APP_UNKNOWN;
}

enum app_proto app_detect(uint8_t ipproto, uint16_t sport, uint16_t dport,
                          bool toserver, const uint8_t *p, size_t n)
{
    if (n == 0 || !p)
        return APP_UNKNOWN;
    if (ipproto == 6)
        return detect_tcp(sport, dport, toserver, p, n);
    if (ipproto == 17)
        return detect_udp(sport, dport, toserver, p, n);
    return APP_UNKNOWN;
}

static bool tls_handshake(const uint8_t *p, size_t n)
{
    return n >= 3 && p[0] == 0x16 && p[1] == 3 && p[2] <= 4;
}

bool app_can_starttls(unsigned a)
{
    return a == APP_SMTP || a == APP_IMAP || a == APP_POP3 || a == APP_FTP ||
           a == APP_LDAP || a == APP_PGSQL;
}

/* app_state.tunnel: where a proxy handshake stands */
enum {
    TUN_NONE = 0,
    TUN_ASKED,          /* HTTP CONNECT sent */
    TUN_OPEN,           /* granted: the next payload starts the tunnel */
    TUN_REFUSED,        /* refused, not understood, or a SOCKS command
                           other than CONNECT: nothing changes */
    TUN_S4_REPLY,       /* SOCKS4 request sent */
    TUN_S5_METHOD,      /* SOCKS5 methods offered */
    TUN_S5_AUTH,        /* username/password sub-negotiation (RFC 1929) */
    TUN_S5_REPLY,       /* SOCKS5 request sent */
};

bool app_may_change(const struct app_state *s)
{
    if (s->orig)
        return false;
    if (s->proto == APP_SOCKS)
        return s->tunnel != TUN_REFUSED;
    return s->proto == APP_HTTP || app_can_starttls(s->proto);
}

/* HTTP CONNECT (RFC 9110 section 9.3.6): the request, then any 2xx answer
 * opens a tunnel whose first payload is detected afresh. */
static void http_connect_track(struct app_state *s, bool ts, const uint8_t *p, size_t n)
{
    if (ts && s->tunnel == TUN_NONE && starts(p, n, "CONNECT "))
        s->tunnel = TUN_ASKED;
    else if (!ts && s->tunnel == TUN_ASKED)
        s->tunnel = (starts(p, n, "HTTP/1.") && n >= 10 && p[9] == '2') ? TUN_OPEN : TUN_REFUSED;
}

/* The proxy's side of a SOCKS handshake, message by message (a server
 * payload may carry several when the client did not wait): SOCKS4's reply
 * (VN 0, CD 90 granted); SOCKS5's method choice (0 none, 2 username and
 * password, anything else ends our interest), the sub-negotiation status
 * (RFC 1929 section 2: VER 1, STATUS 0) and the reply (REP 0 succeeded).
 * The client's messages only start it: what it sends later is what the
 * proxy answers.  Returns the bytes of p that follow a granting reply (the
 * tunnel's own), 0 if none. */
static size_t socks_track(struct app_state *s, bool ts, const uint8_t *p, size_t n)
{
    if (ts) {
        /* CONNECT only: after BIND the proxy answers twice, after UDP
         * ASSOCIATE nothing more flows here */
        if (s->tunnel == TUN_NONE && n >= 2 && p[0] == 4) {
            s->tunnel = p[1] == 1 ? TUN_S4_REPLY : TUN_REFUSED;
        } else if (s->tunnel == TUN_NONE && n >= 2 && p[0] == 5) {
            size_t req = 2 + (size_t)p[1];          /* a request sent eagerly */
            s->tunnel = n > req + 1 && p[req + 1] != 1 ? TUN_REFUSED : TUN_S5_METHOD;
        } else if (s->tunnel == TUN_S5_REPLY && n >= 2 && p[0] == 5 && p[1] != 1) {
            s->tunnel = TUN_REFUSED;
        } else if (s->tunnel == TUN_NONE) {
            s->tunnel = TUN_REFUSED;
        }
        return 0;
    }
    size_t o = 0;
    while (o < n && s->tunnel >= TUN_S4_REPLY) {
        const uint8_t *q = p + o;
        size_t m = n - o, used;
        switch (s->tunnel) {
        case TUN_S4_REPLY:
            if (m < 8 || q[0] != 0 || q[1] != 90) {
                s->tunnel = TUN_REFUSED;
                return 0;
            }
            s->tunnel = TUN_OPEN;
            used = 8;
            break;
        case TUN_S5_METHOD:
            if (m < 2 || q[0] != 5 || (q[1] != 0 && q[1] != 2)) {
                s->tunnel = TUN_REFUSED;
                return 0;
            }
            s->tunnel = q[1] == 2 ? TUN_S5_AUTH : TUN_S5_REPLY;
            used = 2;
            break;
        case TUN_S5_AUTH:
            if (m < 2 || q[0] != 1 || q[1] != 0) {
                s->tunnel = TUN_REFUSED;
                return 0;
            }
            s->tunnel = TUN_S5_REPLY;
            used = 2;
            break;
        default:                        /* TUN_S5_REPLY */
            used = socks5_msg_len(q, m, true);
            if (used == 0 || q[1] != 0) {
                s->tunnel = TUN_REFUSED;
                return 0;
            }
            s->tunnel = TUN_OPEN;
            break;
        }
        o += used;
    }
    return s->tunnel == TUN_OPEN ? n - o : 0;
}

/* The tunnel's first payload names the flow's protocol from now on. */
static void tunnel_open(struct app_state *s, uint8_t ipproto, uint16_t sport, uint16_t dport,
                        bool ts, const uint8_t *p, size_t n)
{
    enum app_proto a = app_detect(ipproto, sport, dport, ts, p, n);
    s->orig = s->proto;
    s->proto = (uint8_t)(a == APP_UNKNOWN ? APP_FAILED : a);
}

void app_state_update(struct app_state *s, uint8_t ipproto, uint16_t sport,
                      uint16_t dport, bool ts, const uint8_t *p, size_t n)
{
    if (!p || n == 0)
        return;
    unsigned dir = ts ? 0 : 1;
    uint8_t *side = ts ? &s->ts : &s->tc;
    if (s->orig)
        return;                         /* changed once: settled */
    if ((s->proto == APP_HTTP || s->proto == APP_SOCKS) && s->tunnel == TUN_OPEN) {
        tunnel_open(s, ipproto, sport, dport, ts, p, n);
        return;
    }
    if (*side == APP_UNKNOWN && s->tries[dir] < APP_DETECT_TRIES) {
        s->tries[dir]++;
        enum app_proto a = app_detect(ipproto, sport, dport, ts, p, n);
        if (a != APP_UNKNOWN)
            *side = (uint8_t)a;
        else if (s->tries[dir] >= APP_DETECT_TRIES)
            *side = APP_FAILED;
        if (s->ts > APP_FAILED)
            s->proto = s->ts;
        else if (s->tc > APP_FAILED)
            s->proto = s->tc;
    } else if (s->proto > APP_FAILED && s->upg_tries < APP_UPGRADE_TRIES) {
        s->upg_tries++;
        if (ts && app_can_starttls(s->proto) && tls_handshake(p, n)) {
            s->orig = s->proto;
            s->proto = APP_TLS;
            return;
        }
    }
    if (s->proto == APP_HTTP) {
        http_connect_track(s, ts, p, n);
    } else if (s->proto == APP_SOCKS && ipproto == 6) {
        size_t rest = socks_track(s, ts, p, n);
        if (rest)
            tunnel_open(s, ipproto, sport, dport, ts, p + n - rest, rest);
    }
}

enum app_proto app_state_verdict(const struct app_state *s)
{
    if (s->proto != APP_UNKNOWN)
        return (enum app_proto)s->proto;
    return (s->tries[0] || s->tries[1]) ? APP_FAILED : APP_UNKNOWN;
}
