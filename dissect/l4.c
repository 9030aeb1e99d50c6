/* dissect/l4.c: what IP carries -- TCP with its options, UDP, SCTP's
 * common header, ICMPv4, ICMPv6, and the tunnels: GRE (RFC 2784/2890, and
 * RFC 1701 source routes), VXLAN (RFC 7348, UDP port 4789), Geneve (RFC
 * 8926, UDP port 6081), GTP-U (UDP port 2152) and IP-in-IP / 6in4
 * (protocols 4 and 41).
 *
 * A tunnel whose header checks out is followed to the packet inside, which
 * then becomes what the record describes; one whose payload we cannot
 * decode (an unknown GRE protocol, ARP in VXLAN, ...) leaves the record
 * describing the outer packet.  A VXLAN or Geneve header that does not
 * check out means the datagram is plain UDP that happens to use the port.
 * Events and their fatality follow Suricata's decode-*.c. */
#include "dissect/dissect_int.h"

#define TCP_HDR_LEN   20
#define TCP_OPTLEN_MAX 40
#define UDP_HDR_LEN   8
#define SCTP_HDR_LEN  12
#define ICMP_HDR_LEN  8     /* Suricata's ICMPV4/ICMPV6_HEADER_LEN */
#define GRE_HDR_LEN   4
#define VXLAN_HDR_LEN 8
#define GENEVE_HDR_LEN 8

#define VXLAN_PORT  4789
#define GENEVE_PORT 6081
#define GTPU_PORT   2152

#define IPPROTO_ICMP_   1
#define IPPROTO_IPIP_   4
#define IPPROTO_TCP_    6
#define IPPROTO_UDP_    17
#define IPPROTO_IPV6_   41
#define IPPROTO_GRE_    47
#define IPPROTO_ICMPV6_ 58
#define IPPROTO_SCTP_   132

/* ------------------------------------------------------------------ */
/* TCP */

#define TCP_OPT_EOL    0
#define TCP_OPT_NOP    1
#define TCP_OPT_MSS    2
#define TCP_OPT_WS     3
#define TCP_OPT_SACKOK 4
#define TCP_OPT_SACK   5
#define TCP_OPT_TS     8

/* RFC 7323 section 2.3: a shift over 14 is used as 14. */
#define TCP_WSCALE_MAX 14

/* Options are advisory here: every problem is an event, never a reject,
 * as in Suricata.  A length that does not fit ends the walk; a wrong fixed
 * length or a repeat skips that option (the first one counts). */
static void tcp_options(struct dissect_state *st, const uint8_t *o, size_t olen)
{
    struct ns_decoded *d = st->out;
    unsigned seen = 0;
    while (olen) {
        uint8_t type = o[0];
        if (type == TCP_OPT_EOL)
            break;
        if (type == TCP_OPT_NOP) {
            o++;
            olen--;
            continue;
        }
        if (olen < 2)
            break;
        uint8_t ol = o[1];
        if (unlikely(ol < 2 || ol > olen)) {
            dissect_event(st, DEV_TCP_OPT_INVALID_LEN);
            return;
        }
        bool len_ok = true;
        switch (type) {
        case TCP_OPT_MSS:
            len_ok = ol == 4;
            break;
        case TCP_OPT_WS:
            len_ok = ol == 3;
            break;
        case TCP_OPT_SACKOK:
            len_ok = ol == 2;
            break;
        case TCP_OPT_SACK:
            /* 1 to 4 blocks of 8 bytes; an empty one (length 2) is
             * useless but common, and Suricata lets it pass */
            len_ok = ol == 2 || (ol >= 10 && ol <= 34 && ((ol - 2) & 7) == 0);
            break;
        case TCP_OPT_TS:
            len_ok = ol == 10;
            break;
        default:
            type = 0xff;               /* not tracked */
            break;
        }
        if (type != 0xff) {
            if (unlikely(!len_ok)) {
                dissect_event(st, DEV_TCP_OPT_INVALID_LEN);
            } else if (seen & (1u << type)) {
                dissect_event(st, DEV_TCP_OPT_DUPLICATE);
            } else {
                seen |= 1u << type;
                if (type == TCP_OPT_WS) {
                    d->tcp_wscale = o[2] > TCP_WSCALE_MAX ? TCP_WSCALE_MAX : o[2];
                } else if (type == TCP_OPT_TS) {
                    d->tcp_has_ts = true;
                    d->tcp_tsval = ns_load_be32(o + 2);
                    d->tcp_tsecr = ns_load_be32(o + 6);
                }
            }
        }
        o += ol;
        olen -= ol;
    }
}

static enum dissect_result dissect_tcp(struct dissect_state *st, const uint8_t *p, size_t len)
{
    struct ns_decoded *d = st->out;
    dissect_count(st, DC_TCP);
    if (unlikely(len < TCP_HDR_LEN))
        return dissect_invalid(st, DEV_TCP_PKT_TOO_SMALL);
    size_t hlen = (size_t)(p[12] >> 4) << 2;
    if (unlikely(len < hlen))
        return dissect_invalid(st, DEV_TCP_HLEN_TOO_SMALL);
    /* data offset under 5: Suricata's unsigned option length wraps */
    if (unlikely(hlen < TCP_HDR_LEN))
        return dissect_invalid(st, DEV_TCP_INVALID_OPTLEN);

    d->sport = ns_load_be16(p);
    d->dport = ns_load_be16(p + 2);
    d->tcp_seq = ns_load_be32(p + 4);
    d->tcp_ack = ns_load_be32(p + 8);
    d->tcp_flags = p[13];
    d->tcp_win = ns_load_be16(p + 14);
    if (hlen > TCP_HDR_LEN)
        tcp_options(st, p + TCP_HDR_LEN, hlen - TCP_HDR_LEN);
    d->has_l4 = true;
    d->payload = p + hlen;
    d->payload_len = (uint32_t)(len - hlen);
    d->l4_hdr = p;
    d->l4_hdr_len = (uint16_t)hlen;
    return DISSECT_DECODED;
}

/* ------------------------------------------------------------------ */
/* Ethernet-carrying tunnels */

/* Inner Ethernet frame of VXLAN, Geneve or GRE transparent bridging.
 * Returns what the inner frame gave; *unknown tells whether its ethertype
 * was one we do not decode. */
static enum dissect_result tunnel_eth(struct dissect_state *st, const uint8_t *p, size_t len,
                                      bool *unknown)
{
    st->link_unknown = false;
    st->tunnel++;
    dissect_inner_frame(st, p, len);
    enum dissect_result r = dissect_eth(st, p, len);
    *unknown = st->link_unknown;
    st->link_unknown = false;
    return r;
}

/* VXLAN: flags(1) with I (0x08) set for a valid VNI, reserved(3), VNI(3),
 * reserved(1), then an Ethernet frame. */
static bool dissect_vxlan(struct dissect_state *st, const uint8_t *p, size_t len,
                          enum dissect_result *r)
{
    if (len < VXLAN_HDR_LEN + 14 || !(p[0] & 0x08))
        return false;                      /* plain UDP on port 4789 */
    if (unlikely(!dissect_layer_enter(st))) {
        *r = dissect_invalid(st, DEV_TOO_MANY_LAYERS);
        return true;
    }
    dissect_count(st, DC_VXLAN);
    bool unknown;
    *r = tunnel_eth(st, p + VXLAN_HDR_LEN, len - VXLAN_HDR_LEN, &unknown);
    if (unknown && *r == DISSECT_DECODED)
        dissect_event(st, DEV_VXLAN_UNKNOWN_PAYLOAD_TYPE);
    return true;
}

/* Geneve: ver(2 bits) opt len(6 bits, 4-byte words), O C rsvd(6),
 * protocol type(2), VNI(3), reserved(1), options (class 2, type 1,
 * rsvd(3 bits) len(5 bits, 4-byte words), data), then the payload. */
static bool dissect_geneve(struct dissect_state *st, const uint8_t *p, size_t len,
                           enum dissect_result *r)
{
    if (len < GENEVE_HDR_LEN || (p[0] >> 6) != 0)
        return false;
    size_t hlen = GENEVE_HDR_LEN + ((size_t)(p[0] & 0x3f) << 2);
    if (len < hlen)
        return false;
    for (size_t off = GENEVE_HDR_LEN; off < hlen;) {
        if (hlen - off < 4)
            return false;
        size_t ol = 4 + ((size_t)(p[off + 3] & 0x1f) << 2);
        if (hlen - off < ol)
            return false;
        off += ol;
    }
    if (unlikely(!dissect_layer_enter(st))) {
        *r = dissect_invalid(st, DEV_TOO_MANY_LAYERS);
        return true;
    }
    dissect_count(st, DC_GENEVE);
    const uint8_t *in = p + hlen;
    size_t inlen = len - hlen;
    bool unknown = false;
    switch (ns_load_be16(p + 2)) {
    case DISSECT_ETHERTYPE_TEB:
        *r = tunnel_eth(st, in, inlen, &unknown);
        break;
    case DISSECT_ETHERTYPE_IPV4:
        st->tunnel++;
        dissect_inner_frame(st, in, inlen);
        *r = dissect_ipv4(st, in, inlen);
        break;
    case DISSECT_ETHERTYPE_IPV6:
        st->tunnel++;
        dissect_inner_frame(st, in, inlen);
        *r = dissect_ipv6(st, in, inlen);
        break;
    default:
        dissect_event(st, DEV_GENEVE_UNKNOWN_PAYLOAD_TYPE);
        *r = DISSECT_DECODED;
        break;
    }
    return true;
}

/* GTP-U (3GPP TS 29.281 5): version 1 with PT set, a G-PDU (type 255):
 * flags(1) type(1) length(2) TEID(4), with any of E/S/PN the optional
 * sequence(2) N-PDU(1) next-extension(1), then extension headers (length
 * in 4-byte units, the last byte naming the next), then an IP packet.
 * Anything else on the port (signalling, echo) stays plain UDP. */
static bool dissect_gtpu(struct dissect_state *st, const uint8_t *p, size_t len,
                         enum dissect_result *r)
{
    if (len < 8 || (p[0] >> 5) != 1 || !(p[0] & 0x10) || p[1] != 0xff)
        return false;
    size_t end = 8 + (size_t)ns_load_be16(p + 2);
    if (end > len)
        return false;
    size_t off = 8;
    if (p[0] & 0x07) {
        if (end < 12)
            return false;
        uint8_t next = p[11];
        off = 12;
        for (unsigned i = 0; next != 0; i++) {
            if (i >= 16 || off >= end)
                return false;
            size_t el = (size_t)p[off] * 4;
            if (el == 0 || end - off < el)
                return false;
            next = p[off + el - 1];
            off += el;
        }
    }
    if (off >= end)
        return false;
    const uint8_t *in = p + off;
    size_t inlen = end - off;
    unsigned v = in[0] >> 4;
    if (v != 4 && v != 6)
        return false;
    if (unlikely(!dissect_layer_enter(st))) {
        *r = dissect_invalid(st, DEV_TOO_MANY_LAYERS);
        return true;
    }
    dissect_count(st, DC_GTPU);
    st->tunnel++;
    dissect_inner_frame(st, in, inlen);
    *r = v == 4 ? dissect_ipv4(st, in, inlen) : dissect_ipv6(st, in, inlen);
    return true;
}

/* ------------------------------------------------------------------ */
/* UDP, SCTP */

/* Suricata's checks, in its order; a UDP length that differs from the IP
 * payload length is invalid (udp.hlen_invalid), shorter or longer.  The
 * IP payload's length is the one its header gives: in a frame cut by the
 * snap length the datagram is checked against it, and its payload is
 * what was captured. */
static enum dissect_result dissect_udp(struct dissect_state *st, const uint8_t *p, size_t len)
{
    struct ns_decoded *d = st->out;
    dissect_count(st, DC_UDP);
    if (unlikely(len < UDP_HDR_LEN))
        return dissect_invalid(st, DEV_UDP_HLEN_TOO_SMALL);
    size_t ulen = ns_load_be16(p + 4), iplen = len + st->l4_cut;
    if (unlikely(iplen < ulen))
        return dissect_invalid(st, DEV_UDP_PKT_TOO_SMALL);
    if (unlikely(ulen < UDP_HDR_LEN))
        return dissect_invalid(st, DEV_UDP_LEN_INVALID);
    if (unlikely(iplen != ulen))
        return dissect_invalid(st, DEV_UDP_HLEN_INVALID);
    ulen = len;                     /* what is there (all of it, unless cut) */

    d->sport = ns_load_be16(p);
    d->dport = ns_load_be16(p + 2);
    d->has_l4 = true;
    d->payload = p + UDP_HDR_LEN;
    d->payload_len = (uint32_t)(ulen - UDP_HDR_LEN);
    d->l4_hdr = p;
    d->l4_hdr_len = UDP_HDR_LEN;

    /* tunnels by destination port, as Suricata; both directions of a
     * VXLAN or Geneve conversation use the well-known port as dport */
    enum dissect_result r;
    if (unlikely(d->dport == VXLAN_PORT) &&
        dissect_vxlan(st, p + UDP_HDR_LEN, ulen - UDP_HDR_LEN, &r))
        return r;
    if (unlikely(d->dport == GENEVE_PORT) &&
        dissect_geneve(st, p + UDP_HDR_LEN, ulen - UDP_HDR_LEN, &r))
        return r;
    if (unlikely(d->dport == GTPU_PORT || d->sport == GTPU_PORT) &&
        dissect_gtpu(st, p + UDP_HDR_LEN, ulen - UDP_HDR_LEN, &r))
        return r;
    return DISSECT_DECODED;
}

/* RFC 9260 common header: ports, verification tag, checksum. */
static enum dissect_result dissect_sctp(struct dissect_state *st, const uint8_t *p, size_t len)
{
    struct ns_decoded *d = st->out;
    dissect_count(st, DC_SCTP);
    if (unlikely(len < SCTP_HDR_LEN))
        return dissect_invalid(st, DEV_SCTP_PKT_TOO_SMALL);
    d->sport = ns_load_be16(p);
    d->dport = ns_load_be16(p + 2);
    d->has_l4 = true;
    d->payload = p + SCTP_HDR_LEN;
    d->payload_len = (uint32_t)(len - SCTP_HDR_LEN);
    return DISSECT_DECODED;
}

/* ------------------------------------------------------------------ */
/* ICMP */

/* Highest code per ICMPv4 type (RFC 792, 950, 1256, 1812, IANA); -1 for
 * types we do not know. */
static int icmpv4_max_code(uint8_t type)
{
    switch (type) {
    case 0:  return 0;    /* echo reply */
    case 3:  return 15;   /* destination unreachable */
    case 4:  return 0;    /* source quench */
    case 5:  return 3;    /* redirect */
    case 8:  return 0;    /* echo */
    case 9:  return 16;   /* router advertisement: 0 or 16 */
    case 10: return 0;    /* router solicitation */
    case 11: return 1;    /* time exceeded */
    case 12: return 2;    /* parameter problem */
    case 13: case 14:     /* timestamp, reply */
    case 15: case 16:     /* information request, reply */
    case 17: case 18:     /* address mask request, reply */
        return 0;
    default: return -1;
    }
}

/* The header the rules' icmpv4.hdr sees, as Suricata sizes it: 8 bytes,
 * with the timestamps of a timestamp (reply) and the addresses of a router
 * advertisement when they are all there.  len >= ICMP_HDR_LEN. */
static uint16_t icmpv4_hdr_len(const uint8_t *p, size_t len)
{
    size_t extra = 0;
    if (p[0] == 13 || p[0] == 14)
        extra = 12;                          /* originate, receive, transmit */
    else if (p[0] == 9)
        extra = (size_t)p[4] * p[5] * 4;     /* entries x words per entry */
    return (uint16_t)(len - ICMP_HDR_LEN >= extra ? ICMP_HDR_LEN + extra : ICMP_HDR_LEN);
}

static enum dissect_result dissect_icmpv4(struct dissect_state *st, const uint8_t *p, size_t len)
{
    struct ns_decoded *d = st->out;
    dissect_count(st, DC_ICMPV4);
    if (unlikely(d->ip_v == 6))
        return dissect_invalid(st, DEV_IPV6_WITH_ICMPV4);
    if (unlikely(len < ICMP_HDR_LEN))
        return dissect_invalid(st, DEV_ICMPV4_PKT_TOO_SMALL);
    uint8_t type = p[0], code = p[1];
    d->icmp_type = type;
    d->icmp_code = code;
    if (type == 0 || type == 8)
        d->icmp_id = ns_load_be16(p + 4);
    int max = icmpv4_max_code(type);
    if (max < 0)
        dissect_event(st, DEV_ICMPV4_UNKNOWN_TYPE);
    else if (code > max || (type == 9 && code != 0 && code != 16))
        dissect_event(st, DEV_ICMPV4_UNKNOWN_CODE);
    d->has_l4 = true;
    d->payload = p + ICMP_HDR_LEN;
    d->payload_len = (uint32_t)(len - ICMP_HDR_LEN);
    d->l4_hdr = p;
    d->l4_hdr_len = icmpv4_hdr_len(p, len);
    return DISSECT_DECODED;
}

/* Highest code per ICMPv6 type (RFC 4443, 4861, 3810, 4620, 8335, IANA);
 * 255 when any code is fine; -1 when the type is not assigned here. */
static int icmpv6_max_code(uint8_t type)
{
    switch (type) {
    case 1:   return 8;    /* destination unreachable */
    case 2:   return 0;    /* packet too big */
    case 3:   return 1;    /* time exceeded */
    case 4:   return 10;   /* parameter problem */
    case 128: case 129:    /* echo */
    case 130: case 131: case 132:              /* MLD */
    case 133: case 134: case 135: case 136: case 137:   /* ND */
        return 0;
    case 138: return 255;  /* router renumbering: 0, 1, 255 */
    case 139: case 140:    /* node information */
        return 2;
    case 141: case 142: case 143: case 144: case 145: case 146: case 147:
    case 148: case 149: case 151: case 152: case 153:
        return 0;
    case 150: case 154: case 155: case 156: case 157: case 158: case 159:
        return 255;        /* subtypes or codes defined per message */
    case 160: return 0;    /* extended echo request */
    case 161: return 4;    /* extended echo reply */
    default:  return -1;
    }
}

static enum dissect_result dissect_icmpv6(struct dissect_state *st, const uint8_t *p, size_t len)
{
    struct ns_decoded *d = st->out;
    dissect_count(st, DC_ICMPV6);
    if (unlikely(d->ip_v == 4))
        return dissect_invalid(st, DEV_IPV4_WITH_ICMPV6);
    if (unlikely(len < ICMP_HDR_LEN))
        return dissect_invalid(st, DEV_ICMPV6_PKT_TOO_SMALL);
    uint8_t type = p[0], code = p[1];
    d->icmp_type = type;
    d->icmp_code = code;
    if (type == 128 || type == 129)
        d->icmp_id = ns_load_be16(p + 4);
    int max = icmpv6_max_code(type);
    if (max < 0) {
        /* Suricata's split of the registry */
        if (type == 100 || type == 101 || type == 200 || type == 201)
            dissect_event(st, DEV_ICMPV6_EXPERIMENTATION_TYPE);
        else if ((type > 4 && type < 100) || (type > 101 && type < 127) ||
                 (type > 161 && type < 200) || (type > 201 && type < 255))
            dissect_event(st, DEV_ICMPV6_UNASSIGNED_TYPE);
        else
            dissect_event(st, DEV_ICMPV6_UNKNOWN_TYPE);
    } else if (code > max || (type == 138 && code > 1 && code != 255)) {
        dissect_event(st, DEV_ICMPV6_UNKNOWN_CODE);
    }
    d->has_l4 = true;
    d->payload = p + ICMP_HDR_LEN;
    d->payload_len = (uint32_t)(len - ICMP_HDR_LEN);
    d->l4_hdr = p;
    d->l4_hdr_len = ICMP_HDR_LEN;
    return DISSECT_DECODED;
}

/* ------------------------------------------------------------------ */
/* GRE */

#define GRE_C       0x8000
#define GRE_R       0x4000
#define GRE_K       0x2000
#define GRE_S       0x1000
#define GRE_SSR     0x0800
#define GRE_RECUR   0x0700
#define GRE_FLAGS   0x00f8
#define GRE_V1_ACK  0x0080
#define GRE_VERSION 0x0007

/* RFC 1701 source route entries after the header: address family(2),
 * SRE offset(1), SRE length(1), routing data; a NULL entry (family 0,
 * length 0) ends the list.  Returns the bytes they take, or 0 if the list
 * does not fit. */
static size_t gre_sre_len(const uint8_t *p, size_t len)
{
    size_t off = 0;
    for (;;) {
        if (len - off < 4)
            return 0;
        uint16_t af = ns_load_be16(p + off);
        uint8_t sl = p[off + 3];
        off += 4;
        if (af == 0 && sl == 0)
            return off;
        if (len - off < sl)
            return 0;
        off += sl;
    }
}

static enum dissect_result dissect_gre(struct dissect_state *st, const uint8_t *p, size_t len)
{
    struct ns_decoded *d = st->out;
    if (unlikely(!dissect_layer_enter(st)))
        return dissect_invalid(st, DEV_TOO_MANY_LAYERS);
    dissect_count(st, DC_GRE);
    if (unlikely(len < GRE_HDR_LEN))
        return dissect_invalid(st, DEV_GRE_PKT_TOO_SMALL);
    uint16_t flags = ns_load_be16(p);
    uint16_t ptype = ns_load_be16(p + 2);
    size_t hlen = GRE_HDR_LEN;

    switch (flags & GRE_VERSION) {
    case 0:
        if (unlikely(flags & GRE_RECUR))
            return dissect_invalid(st, DEV_GRE_VERSION0_RECUR);
        if (unlikely(flags & GRE_FLAGS))
            return dissect_invalid(st, DEV_GRE_VERSION0_FLAGS);
        if (flags & (GRE_C | GRE_R))
            hlen += 4;                     /* checksum + offset */
        if (flags & GRE_K)
            hlen += 4;
        if (flags & GRE_S)
            hlen += 4;
        if (unlikely(len < hlen))
            return dissect_invalid(st, DEV_GRE_VERSION0_HDR_TOO_BIG);
        if (unlikely(flags & GRE_R)) {
            size_t sre = gre_sre_len(p + hlen, len - hlen);
            if (unlikely(sre == 0))
                return dissect_invalid(st, DEV_GRE_VERSION0_MALFORMED_SRE_HDR);
            hlen += sre;
        }
        break;
    case 1:
        /* RFC 2637 enhanced GRE (PPTP): key (payload length, call id)
         * always, sequence and acknowledgment numbers optional.  Its PPP
         * payload is not decoded: the record describes the GRE packet. */
        hlen += 4;
        if (flags & GRE_S)
            hlen += 4;
        if (flags & GRE_V1_ACK)
            hlen += 4;
        if (unlikely(len < hlen))
            return dissect_invalid(st, DEV_GRE_VERSION1_HDR_TOO_BIG);
        d->has_l4 = true;
        d->payload = p + hlen;
        d->payload_len = (uint32_t)(len - hlen);
        return DISSECT_DECODED;
    default:
        return dissect_invalid(st, DEV_GRE_WRONG_VERSION);
    }

    d->has_l4 = true;
    d->payload = p + hlen;
    d->payload_len = (uint32_t)(len - hlen);
    const uint8_t *in = p + hlen;
    size_t inlen = len - hlen;
    switch (ptype) {
    case DISSECT_ETHERTYPE_IPV4:
        st->tunnel++;
        dissect_inner_frame(st, in, inlen);
        return dissect_ipv4(st, in, inlen);
    case DISSECT_ETHERTYPE_IPV6:
        st->tunnel++;
        dissect_inner_frame(st, in, inlen);
        return dissect_ipv6(st, in, inlen);
    case DISSECT_ETHERTYPE_TEB: {
        bool unknown;
        return tunnel_eth(st, in, inlen, &unknown);
    }
    default:
        return DISSECT_DECODED;         /* keepalives, PPP, MPLS, ... */
    }
}

/* ------------------------------------------------------------------ */

enum dissect_result dissect_l4(struct dissect_state *st, uint8_t proto,
                               const uint8_t *p, size_t len)
{
    struct ns_decoded *d = st->out;
    d->proto = proto;
    switch (proto) {
    case IPPROTO_TCP_:
        return dissect_tcp(st, p, len);
    case IPPROTO_UDP_:
        return dissect_udp(st, p, len);
    case IPPROTO_ICMP_:
        return dissect_icmpv4(st, p, len);
    case IPPROTO_ICMPV6_:
        return dissect_icmpv6(st, p, len);
    case IPPROTO_SCTP_:
        return dissect_sctp(st, p, len);
    case IPPROTO_GRE_:
        return dissect_gre(st, p, len);
    case IPPROTO_IPIP_:
        dissect_count(st, d->ip_v == 4 ? DC_IPV4_IN_IPV4 : DC_IPV4_IN_IPV6);
        st->tunnel++;
        dissect_inner_frame(st, p, len);
        return dissect_ipv4(st, p, len);
    case IPPROTO_IPV6_:
        dissect_count(st, d->ip_v == 4 ? DC_IPV6_IN_IPV4 : DC_IPV6_IN_IPV6);
        st->tunnel++;
        dissect_inner_frame(st, p, len);
        return dissect_ipv6(st, p, len);
    default:
        dissect_count(st, DC_UNKNOWN_L4);
        return DISSECT_DECODED;
    }
}
