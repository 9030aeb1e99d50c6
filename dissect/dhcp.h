/* dissect/dhcp.h: one DHCP/BOOTP message (RFC 2131 section 2, options
 * RFC 2132) from one UDP datagram (ports 67/68) into a self-contained
 * struct: no stream state, nothing kept between datagrams, no pointer into
 * the datagram.  Each datagram is one transaction (Suricata numbers them
 * 0, 1, ... per flow; the caller does).
 *
 * Read: the fixed BOOTP header (op, htype, hlen, hops, xid, secs, flags,
 * ciaddr, yiaddr, siaddr, giaddr, chaddr; sname and file only as option
 * space), the magic cookie 99.130.83.99, then the options: PAD (0) is one
 * byte, END (255) stops, every other option is code, length, value.  With
 * option 52 (overload) the file field, then the sname field, are read as
 * more options after the main area (RFC 2131 4.1).  Kept, first occurrence
 * of each (a repeated option is not concatenated as RFC 3396 would):
 *   53 message type      12 hostname          50 requested IP
 *   51 lease time        58 renewal (T1)      59 rebinding (T2)
 *   54 server id          1 subnet mask        3 routers
 *    6 DNS servers       15 domain name       55 parameter request list
 *   60 vendor class id   61 client id         52 overload
 * in the order they appear (for a record in the same order).
 *
 * Errors: dhcp_parse returns DHCP_ERR_OK or a named error.  A datagram
 * shorter than the 240-byte header (cookie included) is not DHCP (SHORT):
 * nothing may be logged.  The others leave a usable message
 * (dhcp_err_usable).  BAD_COOKIE: a BOOTP message without the DHCP cookie;
 * its header is read, no options.  The two option errors are Suricata's
 * app-layer events (rules/dhcp-events.rules), with the options before the
 * fault (TRUNCATED_OPTIONS) or all but the faulty ones (MALFORMED_OPTIONS):
 *   TRUNCATED_OPTIONS  an option runs past the end of the datagram, or the
 *                      main option area has no END
 *   MALFORMED_OPTIONS  a kept option has a length its type does not allow
 *                      (53 not 1; 51/58/59/50/54/1 not 4; 3/6 not a
 *                      non-zero multiple of 4; 61 below 2; 52 not 1 or a
 *                      value outside 1-3); that option is left out, the
 *                      rest is read
 * Truncation wins when both occur. */
#ifndef DHCP_H
#define DHCP_H

#include "engine/ns_common.h"

#define DHCP_HDR_LEN      240       /* BOOTP header 236 + magic cookie 4 */
#define DHCP_MIN_LEN      DHCP_HDR_LEN
#define DHCP_MAGIC        0x63825363u
#define DHCP_CHADDR_LEN   16
#define DHCP_OPT_MAX      255       /* bytes of one option value */
#define DHCP_ADDRS_MAX    63        /* addresses in one option (255 / 4) */
#define DHCP_ORDER_MAX    16        /* distinct kept options (list above) */

#define DHCP_BOOTREQUEST  1
#define DHCP_BOOTREPLY    2

/* Option codes kept. */
#define DHCP_OPT_PAD            0
#define DHCP_OPT_SUBNET_MASK    1
#define DHCP_OPT_ROUTERS        3
#define DHCP_OPT_DNS_SERVERS    6
#define DHCP_OPT_HOSTNAME       12
#define DHCP_OPT_DOMAIN         15
#define DHCP_OPT_REQUESTED_IP   50
#define DHCP_OPT_LEASE_TIME     51
#define DHCP_OPT_OVERLOAD       52
#define DHCP_OPT_TYPE           53
#define DHCP_OPT_SERVER_ID      54
#define DHCP_OPT_PARAMS         55
#define DHCP_OPT_RENEWAL_TIME   58
#define DHCP_OPT_REBINDING_TIME 59
#define DHCP_OPT_VENDOR_CLASS   60
#define DHCP_OPT_CLIENT_ID      61
#define DHCP_OPT_END            255

/* Message types (option 53), RFC 2132 9.6. */
#define DHCP_DISCOVER  1
#define DHCP_OFFER     2
#define DHCP_REQUEST   3
#define DHCP_DECLINE   4
#define DHCP_ACK       5
#define DHCP_NAK       6
#define DHCP_RELEASE   7
#define DHCP_INFORM    8

#define DHCP_ERRORS(X)                                \
    X(OK,                "ok")                        \
    X(SHORT,             "short")                     \
    X(BAD_COOKIE,        "bad_cookie")                \
    X(TRUNCATED_OPTIONS, "TRUNCATED_OPTIONS")         \
    X(MALFORMED_OPTIONS, "MALFORMED_OPTIONS")

enum dhcp_err {
#define DHCP_ERR_ENUM(id, name) DHCP_ERR_##id,
    DHCP_ERRORS(DHCP_ERR_ENUM)
#undef DHCP_ERR_ENUM
    DHCP_ERR_MAX
};

const char *dhcp_err_name(unsigned e);

/* The message may be logged (and its options, as far as read, are set). */
static inline bool dhcp_err_usable(enum dhcp_err e)
{
    return e != DHCP_ERR_SHORT && e < DHCP_ERR_MAX;
}

/* An option value of up to 255 bytes. */
struct dhcp_bytes {
    uint8_t len;
    uint8_t b[DHCP_OPT_MAX];
};

struct dhcp_addrs {
    uint8_t n;
    uint8_t a[DHCP_ADDRS_MAX][4];
};

struct dhcp_msg {
    /* BOOTP header */
    uint8_t op, htype, hlen, hops;
    uint32_t xid;
    uint16_t secs, flags;
    uint8_t ciaddr[4], yiaddr[4], siaddr[4], giaddr[4];
    uint8_t chaddr[DHCP_CHADDR_LEN];
    /* Options kept, codes in order of appearance (each once). */
    uint8_t norder;
    uint8_t order[DHCP_ORDER_MAX];
    uint8_t type;                   /* option 53; valid if dhcp_has(m, 53) */
    uint8_t overload;               /* option 52: 1 file, 2 sname, 3 both */
    uint32_t lease_time, renewal_time, rebinding_time;
    uint8_t subnet_mask[4], requested_ip[4], server_id[4];
    struct dhcp_addrs routers, dns_servers;
    struct dhcp_bytes hostname, domain, vendor_class, params;
    struct dhcp_bytes client_id;    /* after its type byte, as Suricata logs it */
    uint8_t client_id_type;
};

/* Whether option code was kept. */
bool dhcp_has(const struct dhcp_msg *m, uint8_t code);

/* Parses the datagram [p, p + n) into m (all of m is written). */
enum dhcp_err dhcp_parse(const uint8_t *p, size_t n, struct dhcp_msg *m);

/* "discover", "offer", ... as Suricata writes dhcp_type; "unknown" for
 * other values. */
const char *dhcp_type_name(uint8_t type);

/* Suricata's name of a parameter-request-list entry ("subnet_mask",
 * "router", "dns_server", "domain", "arp_timeout", "ntp_server",
 * "tftp_server_name", "tftp_server_ip"), NULL for codes it does not log. */
const char *dhcp_param_name(uint8_t code);

#endif
