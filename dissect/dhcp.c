/* dissect/dhcp.c: DHCP/BOOTP message parser (see dhcp.h).
 *
 * Bounds: the fixed header is read only after checking that all 240 bytes
 * are there; each option's length octet is read only if it lies inside the
 * area being walked, and its value only if all of it does.  The walk moves
 * forward by at least one byte per option, so it ends within the area's
 * length.  Values are copied into the struct (at most 255 bytes each), so
 * the message outlives the datagram. */
#include "dissect/dhcp.h"

/* BOOTP header offsets (RFC 2131 figure 1). */
#define DHCP_OFF_XID     4
#define DHCP_OFF_SECS    8
#define DHCP_OFF_FLAGS   10
#define DHCP_OFF_CIADDR  12
#define DHCP_OFF_YIADDR  16
#define DHCP_OFF_SIADDR  20
#define DHCP_OFF_GIADDR  24
#define DHCP_OFF_CHADDR  28
#define DHCP_OFF_SNAME   44
#define DHCP_SNAME_LEN   64
#define DHCP_OFF_FILE    108
#define DHCP_FILE_LEN    128
#define DHCP_OFF_COOKIE  236

static const char *const dhcp_err_names[] = {
#define DHCP_ERR_NAME(id, name) name,
    DHCP_ERRORS(DHCP_ERR_NAME)
#undef DHCP_ERR_NAME
};

const char *dhcp_err_name(unsigned e)
{
    return e < DHCP_ERR_MAX ? dhcp_err_names[e] : "unknown";
}

const char *dhcp_type_name(uint8_t type)
{
    static const char *const names[] = {
        NULL, "discover", "offer", "request", "decline", "ack", "nak", "release", "inform",
    };
    return type >= 1 && type <= DHCP_INFORM ? names[type] : "unknown";
}

const char *dhcp_param_name(uint8_t code)
{
    switch (code) {
    case 1:   return "subnet_mask";
    case 3:   return "router";
    case 6:   return "dns_server";
    case 15:  return "domain";
    case 35:  return "arp_timeout";
    case 42:  return "ntp_server";
    case 66:  return "tftp_server_name";
    case 150: return "tftp_server_ip";
    default:  return NULL;
    }
}

bool dhcp_has(const struct dhcp_msg *m, uint8_t code)
{
    for (unsigned i = 0; i < m->norder && i < DHCP_ORDER_MAX; i++)
        if (m->order[i] == code)
            return true;
    return false;
}

struct dhcp_walk {
    bool truncated, malformed;
};

static void dhcp_keep_bytes(struct dhcp_bytes *b, const uint8_t *v, uint8_t len)
{
    b->len = len;
    memcpy(b->b, v, len);
}

static bool dhcp_keep_addrs(struct dhcp_addrs *a, const uint8_t *v, uint8_t len)
{
    if (len == 0 || len % 4)
        return false;
    a->n = (uint8_t)(len / 4);         /* <= 63 */
    memcpy(a->a, v, len);
    return true;
}

/* One option [v, v + len) of a kept kind: stores it, or says malformed. */
static void dhcp_option(struct dhcp_msg *m, uint8_t code, const uint8_t *v, uint8_t len,
                        struct dhcp_walk *w)
{
    bool ok = true;
    switch (code) {
    case DHCP_OPT_TYPE:
        ok = len == 1;
        if (ok)
            m->type = v[0];
        break;
    case DHCP_OPT_LEASE_TIME:
    case DHCP_OPT_RENEWAL_TIME:
    case DHCP_OPT_REBINDING_TIME:
        ok = len == 4;
        if (ok) {
            uint32_t t = ns_load_be32(v);
            if (code == DHCP_OPT_LEASE_TIME)
                m->lease_time = t;
            else if (code == DHCP_OPT_RENEWAL_TIME)
                m->renewal_time = t;
            else
                m->rebinding_time = t;
        }
        break;
    case DHCP_OPT_SUBNET_MASK:
        ok = len == 4;
        if (ok)
            memcpy(m->subnet_mask, v, 4);
        break;
    case DHCP_OPT_REQUESTED_IP:
        ok = len == 4;
        if (ok)
            memcpy(m->requested_ip, v, 4);
        break;
    case DHCP_OPT_SERVER_ID:
        ok = len == 4;
        if (ok)
            memcpy(m->server_id, v, 4);
        break;
    case DHCP_OPT_ROUTERS:
        ok = dhcp_keep_addrs(&m->routers, v, len);
        break;
    case DHCP_OPT_DNS_SERVERS:
        ok = dhcp_keep_addrs(&m->dns_servers, v, len);
        break;
    case DHCP_OPT_HOSTNAME:
        dhcp_keep_bytes(&m->hostname, v, len);
        break;
    case DHCP_OPT_DOMAIN:
        dhcp_keep_bytes(&m->domain, v, len);
        break;
    case DHCP_OPT_VENDOR_CLASS:
        dhcp_keep_bytes(&m->vendor_class, v, len);
        break;
    case DHCP_OPT_PARAMS:
        dhcp_keep_bytes(&m->params, v, len);
        break;
    case DHCP_OPT_CLIENT_ID:
        ok = len >= 2;      /* type octet and at least one more (RFC 2132 9.14) */
        if (ok) {
            m->client_id_type = v[0];
            dhcp_keep_bytes(&m->client_id, v + 1, (uint8_t)(len - 1));
        }
        break;
    case DHCP_OPT_OVERLOAD:
        ok = len == 1 && v[0] >= 1 && v[0] <= 3;
        if (ok)
            m->overload = v[0];
        break;
    default:
        return;             /* not kept */
    }
    if (!ok) {
        w->malformed = true;
        return;
    }
    if (m->norder < DHCP_ORDER_MAX)
        m->order[m->norder++] = code;
}

/* Options in the area [a, a + n).  need_end: the main area must end in
 * END; an overloaded sname/file field may simply be full. */
static void dhcp_options(struct dhcp_msg *m, const uint8_t *a, size_t n, bool need_end,
                         struct dhcp_walk *w)
{
    size_t i = 0;
    while (i < n) {
        uint8_t code = a[i];
        if (code == DHCP_OPT_PAD) {
            i++;
            continue;
        }
        if (code == DHCP_OPT_END)
            return;
        if (n - i < 2) {
            w->truncated = true;
            return;
        }
        uint8_t len = a[i + 1];
        if (len > n - i - 2) {
            w->truncated = true;
            return;
        }
        if (!dhcp_has(m, code))     /* first occurrence wins */
            dhcp_option(m, code, a + i + 2, len, w);
        i += 2 + (size_t)len;
    }
    if (need_end)
        w->truncated = true;
}

enum dhcp_err dhcp_parse(const uint8_t *p, size_t n, struct dhcp_msg *m)
{
    memset(m, 0, sizeof(*m));
    if (n < DHCP_HDR_LEN)
        return DHCP_ERR_SHORT;
    m->op = p[0];
    m->htype = p[1];
    m->hlen = p[2];
    m->hops = p[3];
    m->xid = ns_load_be32(p + DHCP_OFF_XID);
    m->secs = ns_load_be16(p + DHCP_OFF_SECS);
    m->flags = ns_load_be16(p + DHCP_OFF_FLAGS);
    memcpy(m->ciaddr, p + DHCP_OFF_CIADDR, 4);
    memcpy(m->yiaddr, p + DHCP_OFF_YIADDR, 4);
    memcpy(m->siaddr, p + DHCP_OFF_SIADDR, 4);
    memcpy(m->giaddr, p + DHCP_OFF_GIADDR, 4);
    memcpy(m->chaddr, p + DHCP_OFF_CHADDR, DHCP_CHADDR_LEN);
    if (ns_load_be32(p + DHCP_OFF_COOKIE) != DHCP_MAGIC)
        return DHCP_ERR_BAD_COOKIE;

    struct dhcp_walk w = { false, false };
    dhcp_options(m, p + DHCP_HDR_LEN, n - DHCP_HDR_LEN, true, &w);
    /* RFC 2131 4.1: only the options field may say so; the file field
     * first, then sname */
    uint8_t ov = m->overload;
    if (ov & 1)
        dhcp_options(m, p + DHCP_OFF_FILE, DHCP_FILE_LEN, false, &w);
    if (ov & 2)
        dhcp_options(m, p + DHCP_OFF_SNAME, DHCP_SNAME_LEN, false, &w);
    if (w.truncated)
        return DHCP_ERR_TRUNCATED_OPTIONS;
    if (w.malformed)
        return DHCP_ERR_MALFORMED_OPTIONS;
    return DHCP_ERR_OK;
}
