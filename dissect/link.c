/* dissect/link.c: link layers -- Ethernet with 802.1Q / 802.1ad / old QinQ
 * tags, Linux cooked captures v1 and v2, BSD loopback in either byte order,
 * raw IP, ARP, and NSH (RFC 8300) with its IPv4, IPv6 or Ethernet payload.
 *
 * The outermost frame's MACs and VLAN ids go to the record; frames found
 * inside tunnels (VXLAN, Geneve, GRE transparent bridging) are decoded the
 * same way but leave those fields alone.  A frame that carries no IP (ARP,
 * an unknown ethertype) decodes fine: the record then has ip_v 0, or, inside
 * a tunnel, keeps describing the outer packet. */
#include "dissect/dissect_int.h"

#define ETH_HDR_LEN   14
#define VLAN_HDR_LEN  4
#define SLL_HDR_LEN   16
#define SLL2_HDR_LEN  20
#define NULL_HDR_LEN  4
#define ARP_FIXED_LEN 8     /* htype, ptype, hlen, plen, oper */
#define NSH_HDR_LEN   8     /* base header + service path header */
#define NSH_MD1_LEN   24    /* MD type 1: the fixed 16-byte context follows */

/* NSH next protocol values (RFC 8300 section 11.2.5) */
#define NSH_NP_IPV4   1
#define NSH_NP_IPV6   2
#define NSH_NP_ETH    3

bool dissect_linktype_supported(int dlt)
{
    switch (dlt) {
    case DISSECT_DLT_NULL:
    case DISSECT_DLT_EN10MB:
    case DISSECT_DLT_RAW:
    case DISSECT_DLT_RAW14:
    case DISSECT_DLT_LOOP:
    case DISSECT_DLT_RAW101:
    case DISSECT_DLT_SLL:
    case DISSECT_DLT_IPV4:
    case DISSECT_DLT_IPV6:
    case DISSECT_DLT_SLL2:
        return true;
    default:
        return false;
    }
}

/* RFC 826.  Only the lengths are checked: hardware and protocol address
 * lengths come from the packet, for any hardware type.  The sender's
 * binding of an Ethernet/IPv4 request or reply (htype 1, ptype 0x0800,
 * hlen 6, plen 4: sha, spa, tha, tpa follow the fixed part) goes to the
 * record for the ARP spoofing detector, from the outermost frame only: an
 * ARP inside a tunnel belongs to another LAN. */
static enum dissect_result dissect_arp(struct dissect_state *st, const uint8_t *p, size_t len)
{
    dissect_count(st, DC_ARP);
    if (unlikely(len < ARP_FIXED_LEN))
        return dissect_invalid(st, DEV_ARP_PKT_TOO_SMALL);
    size_t addrs = 2 * ((size_t)p[4] + p[5]);
    if (unlikely(len - ARP_FIXED_LEN < addrs))
        return dissect_invalid(st, DEV_ARP_PKT_TOO_SMALL);
    uint16_t op = ns_load_be16(p + 6);
    if (st->outer_frame && ns_load_be16(p) == 1 && ns_load_be16(p + 2) == DISSECT_ETHERTYPE_IPV4 &&
        p[4] == 6 && p[5] == 4 && (op == 1 || op == 2)) {
        /* addrs == 20 was checked above: sha at 8, spa at 14 */
        struct ns_decoded *o = st->out;
        memcpy(o->arp_sha, p + ARP_FIXED_LEN, 6);
        memcpy(o->arp_spa, p + ARP_FIXED_LEN + 6, 4);
        o->arp_op = (uint8_t)op;
    }
    return DISSECT_DECODED;
}

/* NSH, RFC 8300 section 2: ver(2 bits) O U TTL(6) length(6, 4-byte words)
 * | U(4) MD type(4) | next protocol(1) | service path id(3) service index(1),
 * then the context headers (16 bytes for MD type 1, TLVs for MD type 2) up
 * to length.  The checks and their events are Suricata's (decode-nsh.c):
 * an unsupported version, a reserved or unsupported MD type or an unknown
 * next protocol leaves the frame decoded as far as NSH; a header longer
 * than the frame, or an MD type 1 header that is not 24 bytes, is
 * malformed.  NSH is not a tunnel: the flow counts the whole frame, and an
 * inner Ethernet frame leaves the outer MACs and VLAN ids in the record. */
static enum dissect_result dissect_nsh(struct dissect_state *st, const uint8_t *p, size_t len)
{
    if (unlikely(!dissect_layer_enter(st)))
        return dissect_invalid(st, DEV_TOO_MANY_LAYERS);
    dissect_count(st, DC_NSH);
    if (unlikely(len < NSH_HDR_LEN))
        return dissect_invalid(st, DEV_NSH_HEADER_TOO_SMALL);
    uint16_t vfl = ns_load_be16(p);
    if (unlikely((vfl >> 14) != 0)) {
        dissect_event(st, DEV_NSH_UNSUPPORTED_VERSION);
        return DISSECT_DECODED;
    }
    size_t hlen = (size_t)(vfl & 0x3f) * 4;
    if (unlikely(hlen < NSH_HDR_LEN || hlen > len))
        return dissect_invalid(st, DEV_NSH_BAD_HEADER_LENGTH);
    unsigned md = p[2] & 0x0f;
    if (unlikely(md == 0 || md == 0xf)) {
        dissect_event(st, DEV_NSH_RESERVED_TYPE);
        return DISSECT_DECODED;
    }
    if (unlikely(md == 1 && hlen != NSH_MD1_LEN))
        return dissect_invalid(st, DEV_NSH_BAD_HEADER_LENGTH);
    if (unlikely(md != 1 && md != 2)) {
        dissect_event(st, DEV_NSH_UNSUPPORTED_TYPE);
        return DISSECT_DECODED;
    }
    uint8_t np = p[3];
    p += hlen;
    len -= hlen;
    switch (np) {
    case NSH_NP_IPV4:
        return dissect_ipv4(st, p, len);
    case NSH_NP_IPV6:
        return dissect_ipv6(st, p, len);
    case NSH_NP_ETH:
        st->outer_frame = false;
        return dissect_eth(st, p, len);
    default:
        /* MPLS, NSH in NSH, experimental values: not decoded */
        dissect_event(st, DEV_NSH_UNKNOWN_PAYLOAD);
        return DISSECT_DECODED;
    }
}

static inline bool is_vlan_type(uint16_t type)
{
    return type == DISSECT_ETHERTYPE_VLAN || type == DISSECT_ETHERTYPE_QINQ ||
           type == DISSECT_ETHERTYPE_QINQ_OLD;
}

/* What follows an ethertype (Ethernet, SLL, SLL2): VLAN tags, then the
 * network layer. */
static enum dissect_result dissect_ethertype(struct dissect_state *st, uint16_t type,
                                             const uint8_t *p, size_t len)
{
    unsigned nvlan = 0;
    while (is_vlan_type(type)) {
        if (unlikely(!dissect_layer_enter(st)))
            return dissect_invalid(st, DEV_TOO_MANY_LAYERS);
        if (unlikely(nvlan >= DISSECT_MAX_VLAN))
            return dissect_invalid(st, DEV_VLAN_TOO_MANY_LAYERS);
        dissect_count(st, nvlan == 0 ? DC_VLAN : DC_VLAN_QINQ);
        if (unlikely(len < VLAN_HDR_LEN))
            return dissect_invalid(st, DEV_VLAN_HEADER_TOO_SMALL);
        if (st->outer_frame) {
            st->out->vlan[nvlan] = ns_load_be16(p) & 0x0fff;
            st->out->vlan_cnt = (uint8_t)(nvlan + 1);
        }
        nvlan++;
        type = ns_load_be16(p + 2);
        p += VLAN_HDR_LEN;
        len -= VLAN_HDR_LEN;
    }

    switch (type) {
    case DISSECT_ETHERTYPE_IPV4:
        return dissect_ipv4(st, p, len);
    case DISSECT_ETHERTYPE_IPV6:
        return dissect_ipv6(st, p, len);
    case DISSECT_ETHERTYPE_ARP:
        return dissect_arp(st, p, len);
    case DISSECT_ETHERTYPE_NSH:
        return dissect_nsh(st, p, len);
    default:
        /* including 802.3 length fields (< 0x0600) with LLC behind them */
        dissect_count(st, DC_UNKNOWN_ETHERTYPE);
            st->link_unknown = true;
        return DISSECT_DECODED;
    }
}

enum dissect_result dissect_eth(struct dissect_state *st, const uint8_t *p, size_t len)
{
    if (unlikely(!dissect_layer_enter(st)))
        return dissect_invalid(st, DEV_TOO_MANY_LAYERS);
    dissect_count(st, DC_ETHERNET);
    if (unlikely(len < ETH_HDR_LEN))
        return dissect_invalid(st, DEV_ETH_PKT_TOO_SMALL);
    if (st->outer_frame) {
        memcpy(st->out->dst_mac, p, 6);
        memcpy(st->out->src_mac, p + 6, 6);
        st->out->has_eth = true;
    }
    return dissect_ethertype(st, ns_load_be16(p + 12), p + ETH_HDR_LEN, len - ETH_HDR_LEN);
}

/* Linux cooked v1: packet type(2) ARPHRD(2) addr len(2) addr(8) protocol(2). */
static enum dissect_result dissect_sll(struct dissect_state *st, const uint8_t *p, size_t len)
{
    st->layers++;
    dissect_count(st, DC_SLL);
    if (unlikely(len < SLL_HDR_LEN))
        return dissect_invalid(st, DEV_SLL_PKT_TOO_SMALL);
    return dissect_ethertype(st, ns_load_be16(p + 14), p + SLL_HDR_LEN, len - SLL_HDR_LEN);
}

/* Linux cooked v2: protocol(2) reserved(2) ifindex(4) ARPHRD(2) packet
 * type(1) addr len(1) addr(8). */
static enum dissect_result dissect_sll2(struct dissect_state *st, const uint8_t *p, size_t len)
{
    st->layers++;
    dissect_count(st, DC_SLL);
    if (unlikely(len < SLL2_HDR_LEN))
        return dissect_invalid(st, DEV_SLL2_PKT_TOO_SMALL);
    return dissect_ethertype(st, ns_load_be16(p), p + SLL2_HDR_LEN, len - SLL2_HDR_LEN);
}

static enum dissect_result dissect_null(struct dissect_state *st, const uint8_t *p,
                                        size_t len, bool net_order)
{
    st->layers++;
    dissect_count(st, DC_NULL_);
    if (unlikely(len < NULL_HDR_LEN))
        return dissect_invalid(st, DEV_NULL_PKT_TOO_SMALL);
    switch (dissect_null_ipver(p, net_order)) {
    case 4:
        return dissect_ipv4(st, p + NULL_HDR_LEN, len - NULL_HDR_LEN);
    case 6:
        return dissect_ipv6(st, p + NULL_HDR_LEN, len - NULL_HDR_LEN);
    default:
        return dissect_invalid(st, DEV_NULL_UNSUPPORTED_TYPE);
    }
}

/* Raw IP: the version nibble says which. */
static enum dissect_result dissect_raw(struct dissect_state *st, const uint8_t *p, size_t len)
{
    dissect_count(st, DC_RAW);
    if (unlikely(len < 1))
        return dissect_invalid(st, DEV_IPV4_PKT_TOO_SMALL);
    switch (p[0] >> 4) {
    case 4:
        return dissect_ipv4(st, p, len);
    case 6:
        return dissect_ipv6(st, p, len);
    default:
        return dissect_invalid(st, DEV_IPRAW_INVALID_IPV);
    }
}

enum dissect_result dissect_link(struct dissect_state *st, int dlt,
                                 const uint8_t *p, size_t len)
{
    switch (dlt) {
    case DISSECT_DLT_EN10MB:
        return dissect_eth(st, p, len);
    case DISSECT_DLT_SLL:
        return dissect_sll(st, p, len);
    case DISSECT_DLT_SLL2:
        return dissect_sll2(st, p, len);
    case DISSECT_DLT_NULL:
        return dissect_null(st, p, len, false);
    case DISSECT_DLT_LOOP:
        return dissect_null(st, p, len, true);
    case DISSECT_DLT_RAW:
    case DISSECT_DLT_RAW14:
    case DISSECT_DLT_RAW101:
        return dissect_raw(st, p, len);
    case DISSECT_DLT_IPV4:
        dissect_count(st, DC_RAW);
        return dissect_ipv4(st, p, len);
    case DISSECT_DLT_IPV6:
        dissect_count(st, DC_RAW);
        return dissect_ipv6(st, p, len);
    default:
        return DISSECT_UNSUPPORTED;
    }
}
