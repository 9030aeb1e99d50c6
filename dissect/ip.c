/* dissect/ip.c: IPv4 (RFC 791) with option validation, and IPv6 (RFC 8200)
 * with its extension-header chain.
 *
 * Both trim the bytes they hand on to the length the header declares
 * (Ethernet pads short frames), and reject a header whose lengths do not
 * fit what was captured.  Fragments go to defrag.c; a completed datagram
 * comes back in the context's buffer and is decoded here again as an
 * unfragmented packet (out->defragged), counted as an IP packet like
 * Suricata's reassembled pseudo-packets.  Header checks and events follow
 * Suricata's decode-ipv4.c / decode-ipv6.c so that anomaly records match,
 * quirks included where noted. */
#include "dissect/dissect_int.h"

#define IPV4_HDR_LEN 20
#define IPV6_HDR_LEN 40
#define IPV6_FRAG_HDR_LEN 8

#define IPV4_MF        0x2000
#define IPV4_OFF_MASK  0x1fff

/* RFC 791 and the IANA registry */
#define IPV4_OPT_EOL    0x00
#define IPV4_OPT_NOP    0x01
#define IPV4_OPT_RR     0x07
#define IPV4_OPT_QS     0x19
#define IPV4_OPT_TS     0x44
#define IPV4_OPT_SEC    0x82
#define IPV4_OPT_LSRR   0x83
#define IPV4_OPT_ESEC   0x85
#define IPV4_OPT_CIPSO  0x86
#define IPV4_OPT_SID    0x88
#define IPV4_OPT_SSRR   0x89
#define IPV4_OPT_RTRALT 0x94

#define IPPROTO_HOPOPTS_  0
#define IPPROTO_ICMP_     1
#define IPPROTO_IPIP_     4
#define IPPROTO_TCP_      6
#define IPPROTO_UDP_      17
#define IPPROTO_IPV6_     41
#define IPPROTO_ROUTING_  43
#define IPPROTO_FRAGMENT_ 44
#define IPPROTO_GRE_      47
#define IPPROTO_ESP_      50
#define IPPROTO_AH_       51
#define IPPROTO_ICMPV6_   58
#define IPPROTO_NONE_     59
#define IPPROTO_DSTOPTS_  60
#define IPPROTO_MH_       135
#define IPPROTO_HIP_      139
#define IPPROTO_SHIM6_    140
#define IPPROTO_SCTP_     132

/* Inside a tunnel the record still holds the outer packet's L4 fields. */
static void record_reset_l4(struct ns_decoded *o)
{
    memset(o->src, 0, sizeof(o->src));
    memset(o->dst, 0, sizeof(o->dst));
    o->sport = o->dport = 0;
    o->has_l4 = false;
    o->tcp_flags = 0;
    o->tcp_seq = o->tcp_ack = 0;
    o->tcp_win = 0;
    o->tcp_wscale = 0xff;
    o->tcp_has_ts = false;
    o->tcp_tsval = o->tcp_tsecr = 0;
    o->icmp_type = o->icmp_code = o->icmp_id = 0;
    o->payload = NULL;
    o->payload_len = 0;
    o->l4_hdr = NULL;
    o->l4_hdr_len = 0;
}

/* ------------------------------------------------------------------ */
/* IPv4 options */

/* RR, LSRR, SSRR: type, len, pointer, addresses.  The pointer is 1-based,
 * points past type+len+ptr, moves in steps of 4, and may point one past
 * the end (route full). */
static enum dissect_result ipv4_opt_route(struct dissect_state *st, const uint8_t *o, uint8_t ol)
{
    if (unlikely(ol < 3))
        return dissect_invalid(st, DEV_IPV4_OPT_INVALID_LEN);
    uint8_t ptr = o[2];
    if (unlikely(ptr < 4 || (ptr & 3) || ptr > ol + 1))
        return dissect_invalid(st, DEV_IPV4_OPT_MALFORMED);
    return DISSECT_DECODED;
}

/* RFC 781 timestamp: type, len, pointer, overflow|flag, records of 4 bytes
 * (timestamps) or 8 (address + timestamp, flags 1 and 3). */
static enum dissect_result ipv4_opt_ts(struct dissect_state *st, const uint8_t *o, uint8_t ol)
{
    if (unlikely(ol < 5))
        return dissect_invalid(st, DEV_IPV4_OPT_INVALID_LEN);
    uint8_t ptr = o[2];
    if (unlikely(ptr < 5))
        return dissect_invalid(st, DEV_IPV4_OPT_MALFORMED);
    uint8_t flag = o[3] & 0x0f;
    unsigned rec_mask = (flag == 1 || flag == 3) ? 7 : 3;
    if (unlikely(((ptr - 5u) & rec_mask) || ptr > ol + 1))
        return dissect_invalid(st, DEV_IPV4_OPT_MALFORMED);
    return DISSECT_DECODED;
}

/* CIPSO (draft-ietf-cipso-ipsecurity-01, FIPS 188): type, len, DOI(4),
 * then tags of type, len, data.  Tag types 1, 2, 5, 6, 7 are at least 4
 * bytes and all but 7 carry a zero alignment octet. */
static enum dissect_result ipv4_opt_cipso(struct dissect_state *st, const uint8_t *o, uint8_t ol)
{
    if (unlikely(ol < 10))
        return dissect_invalid(st, DEV_IPV4_OPT_INVALID_LEN);
    const uint8_t *tag = o + 6;
    size_t left = (size_t)ol - 6;
    while (left) {
        if (unlikely(left < 2))
            return dissect_invalid(st, DEV_IPV4_OPT_MALFORMED);
        uint8_t ttype = tag[0], tlen = tag[1];
        if (unlikely(tlen > left))
            return dissect_invalid(st, DEV_IPV4_OPT_MALFORMED);
        switch (ttype) {
        case 1: case 2: case 5: case 6: case 7:
            if (unlikely(tlen < 4))
                return dissect_invalid(st, DEV_IPV4_OPT_MALFORMED);
            if (unlikely(ttype != 7 && tag[2] != 0))
                return dissect_invalid(st, DEV_IPV4_OPT_MALFORMED);
            tag += tlen;
            left -= tlen;
            break;
        default:            /* 0 is reserved; others unknown */
            return dissect_invalid(st, DEV_IPV4_OPT_MALFORMED);
        }
    }
    return DISSECT_DECODED;
}

enum { OPTBIT_RR, OPTBIT_QS, OPTBIT_TS, OPTBIT_SEC, OPTBIT_LSRR, OPTBIT_ESEC,
       OPTBIT_CIPSO, OPTBIT_SID, OPTBIT_SSRR, OPTBIT_RTRALT };

/* Walks the options as Suricata does: an option whose length does not fit
 * or that fails its own checks makes the packet invalid; an unknown option
 * (ipv4.opt_invalid, Suricata's name for it), a repeated one (only the
 * first is checked), a missing EOL and padding are only flagged.  Suricata
 * flags ipv4.opt_pad_required when the options are not a multiple of 8
 * bytes long (RFC 791 only asks for 4); kept for matching anomaly output. */
static enum dissect_result ipv4_options(struct dissect_state *st, const uint8_t *o, size_t olen)
{
    if (olen & 7)
        dissect_event(st, DEV_IPV4_OPT_PAD_REQUIRED);
    unsigned seen = 0;
    while (olen) {
        uint8_t type = o[0];
        if (type == IPV4_OPT_EOL)
            break;
        if (type == IPV4_OPT_NOP) {
            o++;
            olen--;
            continue;
        }
        if (unlikely(olen < 2)) {
            dissect_event(st, DEV_IPV4_OPT_EOL_REQUIRED);
            break;
        }
        uint8_t ol = o[1];
        if (unlikely(ol < 2 || ol > olen))
            return dissect_invalid(st, DEV_IPV4_OPT_INVALID_LEN);

        int bit;
        switch (type) {
        case IPV4_OPT_RR:     bit = OPTBIT_RR; break;
        case IPV4_OPT_QS:     bit = OPTBIT_QS; break;
        case IPV4_OPT_TS:     bit = OPTBIT_TS; break;
        case IPV4_OPT_SEC:    bit = OPTBIT_SEC; break;
        case IPV4_OPT_LSRR:   bit = OPTBIT_LSRR; break;
        case IPV4_OPT_ESEC:   bit = OPTBIT_ESEC; break;
        case IPV4_OPT_CIPSO:  bit = OPTBIT_CIPSO; break;
        case IPV4_OPT_SID:    bit = OPTBIT_SID; break;
        case IPV4_OPT_SSRR:   bit = OPTBIT_SSRR; break;
        case IPV4_OPT_RTRALT: bit = OPTBIT_RTRALT; break;
        default:              bit = -1; break;
        }
        if (bit < 0) {
            dissect_event(st, DEV_IPV4_OPT_INVALID);
        } else if (seen & (1u << bit)) {
            dissect_event(st, DEV_IPV4_OPT_DUPLICATE);
        } else {
            seen |= 1u << bit;
            enum dissect_result r = DISSECT_DECODED;
            switch (type) {
            case IPV4_OPT_RR:
            case IPV4_OPT_LSRR:
            case IPV4_OPT_SSRR:
                r = ipv4_opt_route(st, o, ol);
                break;
            case IPV4_OPT_TS:
                r = ipv4_opt_ts(st, o, ol);
                break;
            case IPV4_OPT_CIPSO:
                r = ipv4_opt_cipso(st, o, ol);
                break;
            case IPV4_OPT_QS:            /* RFC 4782 */
                if (unlikely(ol < 8))
                    r = dissect_invalid(st, DEV_IPV4_OPT_INVALID_LEN);
                break;
            case IPV4_OPT_SEC:           /* RFC 1108 */
            case IPV4_OPT_ESEC:
                if (unlikely(ol < 3))
                    r = dissect_invalid(st, DEV_IPV4_OPT_INVALID_LEN);
                break;
            case IPV4_OPT_SID:           /* RFC 791 */
            case IPV4_OPT_RTRALT:        /* RFC 2113 */
                if (unlikely(ol != 4))
                    r = dissect_invalid(st, DEV_IPV4_OPT_INVALID_LEN);
                break;
            }
            if (r != DISSECT_DECODED)
                return r;
        }
        o += ol;
        olen -= ol;
    }
    return DISSECT_DECODED;
}

/* ------------------------------------------------------------------ */
/* IPv4 */

static enum dissect_result ipv4_decode(struct dissect_state *st, const uint8_t *p,
                                       size_t len, bool reassembled);

static enum dissect_result ipv4_fragment(struct dissect_state *st, const uint8_t *p,
                                         size_t hlen, size_t tot, uint16_t frag)
{
    struct ns_decoded *o = st->out;
    struct dissect_frag f;
    dissect_count(st, DC_FRAGS);

    memset(&f.key, 0, sizeof(f.key));
    memcpy(f.key.src, p + 12, 4);
    memcpy(f.key.dst, p + 16, 4);
    f.key.id = ns_load_be16(p + 4);
    memcpy(f.key.vlan, o->vlan, sizeof(f.key.vlan));
    f.key.ip_v = 4;
    f.key.proto = p[9];
    f.key.tunnel = st->tunnel;
    f.hdr = p;
    f.hdr_len = (uint32_t)hlen;
    f.nh_off = 0;
    f.nh = 0;
    f.more = (frag & IPV4_MF) != 0;
    f.off = (uint32_t)(frag & IPV4_OFF_MASK) << 3;
    f.data = p + hlen;
    f.len = (uint32_t)(tot - hlen);

    struct dissect_datagram dg;
    switch (dissect_defrag_insert(st, &f, &dg)) {
    case DEFRAG_DONE:
        o->defragged = true;
        dissect_reassembled_frame(st, p, dg.len);
        return ipv4_decode(st, dg.data, dg.len, true);
    case DEFRAG_INVALID:
        return DISSECT_INVALID;
    case DEFRAG_HELD:
    default:
        return DISSECT_FRAG_HELD;
    }
}

/* reassembled: a datagram from defrag.c; its header (copied from the first
 * fragment) had its options checked when that fragment arrived, and its
 * fragment fields are cleared. */
static enum dissect_result ipv4_decode(struct dissect_state *st, const uint8_t *p,
                                       size_t len, bool reassembled)
{
    if (unlikely(!dissect_layer_enter(st)))
        return dissect_invalid(st, DEV_TOO_MANY_LAYERS);
    dissect_count(st, DC_IPV4);
    if (unlikely(len < IPV4_HDR_LEN))
        return dissect_invalid(st, DEV_IPV4_PKT_TOO_SMALL);
    if (unlikely((p[0] >> 4) != 4))
        return dissect_invalid(st, DEV_IPV4_WRONG_IP_VER);
    size_t hlen = (size_t)(p[0] & 0x0f) << 2;
    if (unlikely(hlen < IPV4_HDR_LEN))
        return dissect_invalid(st, DEV_IPV4_HLEN_TOO_SMALL);
    size_t tot = ns_load_be16(p + 2);
    if (unlikely(tot < hlen))
        return dissect_invalid(st, DEV_IPV4_IPLEN_SMALLER_THAN_HLEN);
    size_t cut = 0;
    if (unlikely(tot > len)) {
        /* More than the frame holds.  If the capture's snap length cut
         * the frame and the header is whole, the rest was on the wire: the
         * packet is decoded from what is there (the event still says
         * trunc_pkt).  Otherwise the header lies (Suricata drops it too,
         * and so would the receiving host). */
        if (reassembled || len < hlen || tot - len > st->snap_cut)
            return dissect_invalid(st, DEV_IPV4_TRUNC_PKT);
        dissect_event(st, DEV_IPV4_TRUNC_PKT);
        cut = tot - len;
        tot = len;
    }
    /* from here on only tot bytes: the rest is link-layer padding */

    struct ns_decoded *o = st->out;
    st->outer_frame = false;
    if (unlikely(st->tunnel))
        record_reset_l4(o);
    o->ip_v = 4;
    o->l3_hdr = p;                    /* hlen <= tot <= len, checked above */
    o->l3_hdr_len = (uint16_t)hlen;
    o->ttl = p[8];
    o->proto = p[9];
    memcpy(o->src, p + 12, 4);
    memcpy(o->dst, p + 16, 4);
    o->ip_len = (uint32_t)(tot + cut);
    o->tunnel_depth = st->tunnel;

    if (unlikely(hlen > IPV4_HDR_LEN) && !reassembled) {
        enum dissect_result r = ipv4_options(st, p + IPV4_HDR_LEN, hlen - IPV4_HDR_LEN);
        if (r != DISSECT_DECODED)
            return r;
    }

    uint16_t frag = ns_load_be16(p + 6);
    if (unlikely(frag & (IPV4_MF | IPV4_OFF_MASK)) && !reassembled) {
        if (unlikely(cut))
            return dissect_invalid(st, DEV_IPV4_TRUNC_PKT);     /* cannot be reassembled */
        return ipv4_fragment(st, p, hlen, tot, frag);
    }

    st->l4_cut = (uint32_t)cut;
    return dissect_l4(st, p[9], p + hlen, tot - hlen);
}

enum dissect_result dissect_ipv4(struct dissect_state *st, const uint8_t *p, size_t len)
{
    return ipv4_decode(st, p, len, false);
}

/* ------------------------------------------------------------------ */
/* IPv6 */

/* What the extension-header walk has seen so far. */
struct v6_walk {
    bool first;      /* the next header follows the fixed header directly */
    bool hh, rh, fh, ah;
    uint8_t dh;      /* destination options headers (two are legal) */
};

#define IPV6_OPT_PAD1  0x00
#define IPV6_OPT_PADN  0x01
#define IPV6_OPT_RA    0x05
#define IPV6_OPT_JUMBO 0xc2
#define IPV6_OPT_HAO   0xc9

/* Hop-by-hop and destination options (RFC 8200 section 4.2): TLVs after
 * the next-header and length bytes.  Every problem here is non-fatal. */
static void ipv6_options(struct dissect_state *st, const uint8_t *o, size_t olen, bool hop)
{
    unsigned pad = 0, other = 0;
    size_t off = 0;
    while (off < olen) {
        uint8_t type = o[off];
        if (type == IPV6_OPT_PAD1) {
            pad++;
            off++;
            continue;
        }
        if (unlikely(olen - off < 2)) {
            dissect_event(st, DEV_IPV6_EXTHDR_INVALID_OPTLEN);
            break;
        }
        uint8_t ol = o[off + 1];
        if (unlikely(olen - off - 2 < ol)) {
            dissect_event(st, DEV_IPV6_EXTHDR_INVALID_OPTLEN);
            break;
        }
        switch (type) {
        case IPV6_OPT_PADN:
            pad++;
            if (ol == 0)
                dissect_event(st, DEV_IPV6_EXTHDR_ZERO_LEN_PADN);
            break;
        case IPV6_OPT_RA:       /* RFC 2711 */
            other++;
            if (unlikely(ol < 2))
                dissect_event(st, DEV_IPV6_EXTHDR_INVALID_OPTLEN);
            break;
        case IPV6_OPT_JUMBO:    /* RFC 2675 */
            other++;
            if (unlikely(ol < 4))
                dissect_event(st, DEV_IPV6_EXTHDR_INVALID_OPTLEN);
            break;
        case IPV6_OPT_HAO:      /* RFC 6275 */
            other++;
            if (unlikely(ol < 16))
                dissect_event(st, DEV_IPV6_EXTHDR_INVALID_OPTLEN);
            break;
        default:
            other++;
            dissect_event(st, hop ? DEV_IPV6_HOPOPTS_UNKNOWN_OPT : DEV_IPV6_DSTOPTS_UNKNOWN_OPT);
            break;
        }
        off += 2 + (size_t)ol;
    }
    if (pad && !other)
        dissect_event(st, hop ? DEV_IPV6_HOPOPTS_ONLY_PADDING : DEV_IPV6_DSTOPTS_ONLY_PADDING);
}

static enum dissect_result ipv6_decode(struct dissect_state *st, const uint8_t *p, size_t len,
                                       const struct dissect_datagram *dg);

/* A Fragment header that really fragments (offset or M set).  off is where
 * it starts; nh_off where the next-header byte naming it sits. */
static enum dissect_result ipv6_fragment(struct dissect_state *st, const uint8_t *p,
                                         size_t len, size_t off, size_t nh_off)
{
    struct ns_decoded *o = st->out;
    const uint8_t *h = p + off;
    uint16_t fo = ns_load_be16(h + 2);
    size_t flen = len - off - IPV6_FRAG_HDR_LEN;
    struct dissect_frag f;

    dissect_count(st, DC_FRAGS);
    o->proto = h[0];
    /* RFC 8200 section 4.5: all but the last fragment are multiples of 8 */
    if ((fo & 1) && (flen & 7))
        dissect_event(st, DEV_IPV6_FRAG_INVALID_LENGTH);

    memset(&f.key, 0, sizeof(f.key));
    memcpy(f.key.src, p + 8, 16);
    memcpy(f.key.dst, p + 24, 16);
    f.key.id = ns_load_be32(h + 4);
    memcpy(f.key.vlan, o->vlan, sizeof(f.key.vlan));
    f.key.ip_v = 6;
    f.key.proto = 0;
    f.key.tunnel = st->tunnel;
    f.hdr = p;
    f.hdr_len = (uint32_t)off;
    f.nh_off = (uint32_t)nh_off;
    f.nh = h[0];
    f.more = (fo & 1) != 0;
    f.off = fo & 0xfff8u;
    f.data = h + IPV6_FRAG_HDR_LEN;
    f.len = (uint32_t)flen;

    struct dissect_datagram dg;
    switch (dissect_defrag_insert(st, &f, &dg)) {
    case DEFRAG_DONE:
        o->defragged = true;
        dissect_reassembled_frame(st, p, dg.len);
        return ipv6_decode(st, dg.data, dg.len, &dg);
    case DEFRAG_INVALID:
        return DISSECT_INVALID;
    case DEFRAG_HELD:
    default:
        return DISSECT_FRAG_HELD;
    }
}

/* The chain of extension headers from off (next header nh, named by the
 * byte at nh_off) to the upper layer.  len is 40 + payload length. */
static enum dissect_result ipv6_exthdrs(struct dissect_state *st, const uint8_t *p, size_t len,
                                        size_t off, uint8_t nh, size_t nh_off,
                                        struct v6_walk *w)
{
    for (;;) {
        const uint8_t *h = p + off;
        size_t rem = len - off;
        size_t hl;

        st->out->proto = nh;          /* as far as the walk got */
        /* Suricata's rule: any header, upper layers included, needs 2
         * bytes, else ipv6.trunc_exthdr (not tcp/udp/icmpv6 too small) */
        if (unlikely(rem < 2) && nh != IPPROTO_NONE_)
            return dissect_invalid(st, DEV_IPV6_TRUNC_EXTHDR);

        switch (nh) {
        case IPPROTO_TCP_:
        case IPPROTO_UDP_:
        case IPPROTO_ICMPV6_:
        case IPPROTO_ICMP_:          /* l4.c flags it: ipv6.icmpv4 */
        case IPPROTO_SCTP_:
        case IPPROTO_GRE_:
        case IPPROTO_IPIP_:
        case IPPROTO_IPV6_:
        case IPPROTO_ESP_:           /* encrypted: nothing more to decode */
            return dissect_l4(st, nh, h, rem);

        case IPPROTO_NONE_:
            if (rem > 0)
                dissect_event(st, DEV_IPV6_DATA_AFTER_NONE_HEADER);
            st->out->proto = IPPROTO_NONE_;
            return DISSECT_DECODED;

        case IPPROTO_HOPOPTS_:
        case IPPROTO_DSTOPTS_:
            if (unlikely(rem < 2))
                return dissect_invalid(st, DEV_IPV6_TRUNC_EXTHDR);
            hl = ((size_t)h[1] + 1) << 3;
            if (unlikely(hl > rem))
                return dissect_invalid(st, DEV_IPV6_TRUNC_EXTHDR);
            if (nh == IPPROTO_HOPOPTS_) {
                if (w->hh) {
                    dissect_event(st, DEV_IPV6_EXTHDR_DUPL_HH);
                    break;
                }
                /* RFC 8200 section 4.1: only right after the IPv6 header */
                if (!w->first)
                    dissect_event(st, DEV_IPV6_HOPOPTS_NOT_FIRST);
                w->hh = true;
            } else {
                if (w->dh >= 2) {       /* one before routing, one last */
                    dissect_event(st, DEV_IPV6_EXTHDR_DUPL_DH);
                    break;
                }
                w->dh++;
            }
            ipv6_options(st, h + 2, hl - 2, nh == IPPROTO_HOPOPTS_);
            break;

        case IPPROTO_ROUTING_:
            if (unlikely(rem < 2))
                return dissect_invalid(st, DEV_IPV6_TRUNC_EXTHDR);
            hl = ((size_t)h[1] + 1) << 3;
            if (unlikely(hl > rem))
                return dissect_invalid(st, DEV_IPV6_TRUNC_EXTHDR);
            if (w->rh) {
                dissect_event(st, DEV_IPV6_EXTHDR_DUPL_RH);
                break;
            }
            w->rh = true;
            if (h[2] == 0)              /* RFC 5095 deprecates type 0 */
                dissect_event(st, DEV_IPV6_EXTHDR_RH_TYPE_0);
            break;

        case IPPROTO_AH_:               /* RFC 4302: length in 4-byte units, minus 2 */
            if (unlikely(rem < 2))
                return dissect_invalid(st, DEV_IPV6_TRUNC_EXTHDR);
            hl = ((size_t)h[1] + 2) << 2;
            if (unlikely(hl > rem))
                return dissect_invalid(st, DEV_IPV6_TRUNC_EXTHDR);
            if (w->ah) {
                dissect_event(st, DEV_IPV6_EXTHDR_DUPL_AH);
                break;
            }
            w->ah = true;
            if (ns_load_be16(h + 2) != 0)
                dissect_event(st, DEV_IPV6_EXTHDR_AH_RES_NOT_NULL);
            break;

        case IPPROTO_MH_:
        case IPPROTO_HIP_:
        case IPPROTO_SHIM6_:
            if (unlikely(rem < 2))
                return dissect_invalid(st, DEV_IPV6_TRUNC_EXTHDR);
            hl = ((size_t)h[1] + 1) << 3;
            if (unlikely(hl > rem))
                return dissect_invalid(st, DEV_IPV6_TRUNC_EXTHDR);
            break;

        case IPPROTO_FRAGMENT_:
            if (unlikely(rem < IPV6_FRAG_HDR_LEN))
                return dissect_invalid(st, DEV_IPV6_TRUNC_EXTHDR);
            hl = IPV6_FRAG_HDR_LEN;
            if (h[1] != 0)
                dissect_event(st, DEV_IPV6_FH_NON_ZERO_RES_FIELD);
            if (w->fh) {
                /* a second one, or one inside a reassembled datagram:
                 * skipped, never reassembled again */
                dissect_event(st, DEV_IPV6_EXTHDR_DUPL_FH);
                break;
            }
            w->fh = true;
            if ((ns_load_be16(h + 2) & 0xfff9u) == 0) {
                /* offset 0 and no more fragments: an atomic fragment
                 * (RFC 6946), decoded on the spot */
                dissect_event(st, DEV_IPV6_EXTHDR_USELESS_FH);
                break;
            }
            if (unlikely(st->l4_cut))
                return dissect_invalid(st, DEV_IPV6_TRUNC_PKT);  /* cannot be reassembled */
            return ipv6_fragment(st, p, len, off, nh_off);

        default:
            dissect_event(st, DEV_IPV6_UNKNOWN_NEXT_HEADER);
            return dissect_l4(st, nh, h, rem);
        }

        w->first = false;
        nh_off = off;
        nh = h[0];
        off += hl;
    }
}

/* dg: set when p is a reassembled datagram; its unfragmentable part was
 * walked when the first fragment arrived, so the walk resumes after it. */
static enum dissect_result ipv6_decode(struct dissect_state *st, const uint8_t *p, size_t len,
                                       const struct dissect_datagram *dg)
{
    if (unlikely(!dissect_layer_enter(st)))
        return dissect_invalid(st, DEV_TOO_MANY_LAYERS);
    dissect_count(st, DC_IPV6);
    if (unlikely(len < IPV6_HDR_LEN))
        return dissect_invalid(st, DEV_IPV6_PKT_TOO_SMALL);
    if (unlikely((p[0] >> 4) != 6))
        return dissect_invalid(st, DEV_IPV6_WRONG_IP_VER);
    size_t plen = ns_load_be16(p + 4);
    /* payload length 0 with a hop-by-hop header is a jumbogram (RFC 2675):
     * not on any link we capture from, and not supported */
    if (unlikely(plen == 0 && p[6] == IPPROTO_HOPOPTS_))
        return dissect_invalid(st, DEV_IPV6_TRUNC_PKT);
    size_t cut = 0;
    if (unlikely(len - IPV6_HDR_LEN < plen)) {
        /* cut by the snap length, or lying: as for IPv4 */
        if (dg || plen - (len - IPV6_HDR_LEN) > st->snap_cut)
            return dissect_invalid(st, DEV_IPV6_TRUNC_PKT);
        dissect_event(st, DEV_IPV6_TRUNC_PKT);
        cut = plen - (len - IPV6_HDR_LEN);
    } else {
        len = IPV6_HDR_LEN + plen;
    }
    st->l4_cut = (uint32_t)cut;

    struct ns_decoded *o = st->out;
    st->outer_frame = false;
    if (unlikely(st->tunnel))
        record_reset_l4(o);
    o->ip_v = 6;
    o->l3_hdr = p;                    /* len >= IPV6_HDR_LEN, checked above */
    o->l3_hdr_len = IPV6_HDR_LEN;
    o->ttl = p[7];
    o->proto = p[6];
    memcpy(o->src, p + 8, 16);
    memcpy(o->dst, p + 24, 16);
    o->ip_len = (uint32_t)(len + cut);
    o->tunnel_depth = st->tunnel;

    struct v6_walk w = { .first = true };
    if (unlikely(dg != NULL)) {
        w.first = false;
        w.fh = true;
        return ipv6_exthdrs(st, p, len, dg->hdr_len, dg->nh, 6, &w);
    }
    return ipv6_exthdrs(st, p, len, IPV6_HDR_LEN, p[6], 6, &w);
}

enum dissect_result dissect_ipv6(struct dissect_state *st, const uint8_t *p, size_t len)
{
    return ipv6_decode(st, p, len, NULL);
}
