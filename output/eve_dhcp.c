/* output/eve_dhcp.c: event_type "dhcp" records (see eve_dhcp.h).
 *
 * The head is eve_put_app_head's, field for field, except that src/dest
 * follow the datagram, not the flow: a server's reply is written with the
 * server as src (Suricata's UDP records are per packet).  Addresses and
 * hex strings are formatted here into stack buffers; no allocation, no
 * snprintf. */
#include "output/eve_dhcp.h"

#include "output/eve_int.h"

static const char eve_dhcp_hex[16] = "0123456789abcdef";

bool eve_dhcp_wanted(const struct dhcp_msg *m, bool extended)
{
    return extended || (dhcp_has(m, DHCP_OPT_TYPE) && m->type == DHCP_ACK);
}

/* "aa:bb:..." of n bytes (n <= 255), as Suricata's format_addr_hex. */
static void eve_dhcp_hexcolon(struct json_buf *jb, const char *key, const uint8_t *b, size_t n)
{
    char q[3 * 255 + 2];
    size_t o = 0;
    q[o++] = '"';
    for (size_t i = 0; i < n && i < 255; i++) {
        if (i)
            q[o++] = ':';
        q[o++] = eve_dhcp_hex[b[i] >> 4];
        q[o++] = eve_dhcp_hex[b[i] & 15];
    }
    q[o++] = '"';
    json_raw(jb, key, q, o);
}

static char *eve_dhcp_dec(char *p, unsigned v)
{
    if (v >= 100)
        *p++ = (char)('0' + v / 100);
    if (v >= 10)
        *p++ = (char)('0' + v / 10 % 10);
    *p++ = (char)('0' + v % 10);
    return p;
}

/* Dotted IPv4; key NULL: an array element. */
static void eve_dhcp_ip4(struct json_buf *jb, const char *key, const uint8_t a[4])
{
    char q[18];
    char *p = q;
    *p++ = '"';
    for (unsigned i = 0; i < 4; i++) {
        if (i)
            *p++ = '.';
        p = eve_dhcp_dec(p, a[i]);
    }
    *p++ = '"';
    json_raw(jb, key, q, (size_t)(p - q));
}

static void eve_dhcp_addrs(struct json_buf *jb, const char *key, const struct dhcp_addrs *a)
{
    json_arr_open(jb, key);
    for (unsigned i = 0; i < a->n && i < DHCP_ADDRS_MAX; i++)
        eve_dhcp_ip4(jb, NULL, a->a[i]);
    json_arr_close(jb);
}

static void eve_dhcp_head(struct eve_ctx *ec, struct json_buf *jb, const struct flow *f,
                          bool toserver, uint64_t ts_us, uint64_t pcap_cnt, uint64_t tx_id)
{
    const uint8_t *sa = toserver ? f->cli : f->srv, *da = toserver ? f->srv : f->cli;
    uint16_t sp = toserver ? f->cli_port : f->srv_port, dp = toserver ? f->srv_port : f->cli_port;
    eve_put_ts(ec, jb, "timestamp", ts_us);
    json_u64(jb, "flow_id", f->flow_id);
    if (pcap_cnt)
        json_u64(jb, "pcap_cnt", pcap_cnt);
    eve_put_source(ec, jb);
    json_str(jb, "event_type", "dhcp");
    eve_put_vlan(jb, f->vlan, f->vlan_cnt);
    eve_put_addr(jb, "src_ip", f->ip_v, sa);
    json_u64(jb, "src_port", sp);
    eve_put_addr(jb, "dest_ip", f->ip_v, da);
    json_u64(jb, "dest_port", dp);
    json_u64(jb, "ip_v", f->ip_v);
    eve_put_proto(jb, f->proto);
    json_raw(jb, "pkt_src", "\"wire/pcap\"", 11);
    eve_put_community_id(ec, jb, f);
    if (ec->ethernet && f->mac_seen[0] && f->mac_seen[1]) {
        json_obj_open(jb, "ether");
        eve_dhcp_hexcolon(jb, "src_mac", toserver ? f->cli_mac : f->srv_mac, 6);
        eve_dhcp_hexcolon(jb, "dest_mac", toserver ? f->srv_mac : f->cli_mac, 6);
        json_obj_close(jb);
    }
    json_u64(jb, "tx_id", tx_id);
}

static void eve_dhcp_option(struct json_buf *jb, const struct dhcp_msg *m, uint8_t code,
                            bool extended)
{
    switch (code) {
    case DHCP_OPT_CLIENT_ID:
        eve_dhcp_hexcolon(jb, "client_id", m->client_id.b, m->client_id.len);
        break;
    case DHCP_OPT_LEASE_TIME:
        if (extended)
            json_u64(jb, "lease_time", m->lease_time);
        break;
    case DHCP_OPT_REBINDING_TIME:
        if (extended)
            json_u64(jb, "rebinding_time", m->rebinding_time);
        break;
    case DHCP_OPT_RENEWAL_TIME:
        json_u64(jb, "renewal_time", m->renewal_time);
        break;
    case DHCP_OPT_SUBNET_MASK:
        if (extended)
            eve_dhcp_ip4(jb, "subnet_mask", m->subnet_mask);
        break;
    case DHCP_OPT_HOSTNAME:
        if (m->hostname.len)
            json_strn(jb, "hostname", m->hostname.b, m->hostname.len);
        break;
    case DHCP_OPT_TYPE:
        json_str(jb, "dhcp_type", dhcp_type_name(m->type));
        break;
    case DHCP_OPT_REQUESTED_IP:
        if (extended)
            eve_dhcp_ip4(jb, "requested_ip", m->requested_ip);
        break;
    case DHCP_OPT_PARAMS:
        if (extended) {
            json_arr_open(jb, "params");
            for (unsigned i = 0; i < m->params.len; i++) {
                const char *name = dhcp_param_name(m->params.b[i]);
                if (name)
                    json_str(jb, NULL, name);
            }
            json_arr_close(jb);
        }
        break;
    case DHCP_OPT_DNS_SERVERS:
        if (extended)
            eve_dhcp_addrs(jb, "dns_servers", &m->dns_servers);
        break;
    case DHCP_OPT_ROUTERS:
        if (extended)
            eve_dhcp_addrs(jb, "routers", &m->routers);
        break;
    case DHCP_OPT_VENDOR_CLASS:
        if (extended && m->vendor_class.len)
            json_strn(jb, "vendor_class_identifier", m->vendor_class.b, m->vendor_class.len);
        break;
    default:
        break;              /* kept but not logged: 15, 52, 54 */
    }
}

size_t eve_dhcp(struct eve_ctx *ec, char *buf, size_t cap, const struct flow *f, bool toserver,
                uint64_t ts_us, uint64_t pcap_cnt, uint64_t tx_id, const struct dhcp_msg *m,
                bool extended)
{
    struct json_buf jb;
    json_init(&jb, buf, cap);
    json_obj_open(&jb, NULL);
    eve_dhcp_head(ec, &jb, f, toserver, ts_us, pcap_cnt, tx_id);

    json_obj_open(&jb, "dhcp");
    json_str(&jb, "type", m->op == DHCP_BOOTREQUEST ? "request"
                          : m->op == DHCP_BOOTREPLY ? "reply" : "<unknown>");
    json_u64(&jb, "id", m->xid);
    eve_dhcp_hexcolon(&jb, "client_mac", m->chaddr,
                      m->hlen < DHCP_CHADDR_LEN ? m->hlen : DHCP_CHADDR_LEN);
    eve_dhcp_ip4(&jb, "assigned_ip", m->yiaddr);
    if (extended) {
        eve_dhcp_ip4(&jb, "client_ip", m->ciaddr);
        if (m->op == DHCP_BOOTREPLY) {
            eve_dhcp_ip4(&jb, "relay_ip", m->giaddr);
            eve_dhcp_ip4(&jb, "next_server_ip", m->siaddr);
        }
    }
    for (unsigned i = 0; i < m->norder && i < DHCP_ORDER_MAX; i++)
        eve_dhcp_option(&jb, m, m->order[i], extended);
    json_obj_close(&jb);

    json_obj_close(&jb);
    return json_finish(&jb);
}
