/* dissect/dissect_int.h: what the files of dissect/ share, and nothing
 * outside dissect/ may include.
 *
 * One decode runs with a struct dissect_state on the stack: the worker's
 * context, the record being filled and a few flags that travel down the
 * layers.  Each layer function takes the bytes that remain for it as
 * (p, len), checks len before every read, and returns a dissect_result;
 * DISSECT_INVALID always comes from dissect_invalid(), which puts the reason
 * first in out->events.  Layer functions never read packet bytes after a
 * nested layer call returns: a nested IP reassembly may have rewritten the
 * defrag buffer the outer layer was reading from. */
#ifndef DISSECT_INT_H
#define DISSECT_INT_H

#include "dissect/dissect.h"

/* Decoder layers (link, VLAN tag, IP, tunnel header) one frame may have,
 * as Suricata's decoder.max-layers; more is DEV_TOO_MANY_LAYERS. */
#define DISSECT_MAX_LAYERS 16

#define DISSECT_ETHERTYPE_IPV4  0x0800
#define DISSECT_ETHERTYPE_ARP   0x0806
#define DISSECT_ETHERTYPE_VLAN  0x8100
#define DISSECT_ETHERTYPE_QINQ  0x88a8
#define DISSECT_ETHERTYPE_QINQ_OLD 0x9100
#define DISSECT_ETHERTYPE_TEB   0x6558  /* transparent Ethernet bridging */
#define DISSECT_ETHERTYPE_IPV6  0x86dd
#define DISSECT_ETHERTYPE_NSH   0x894f  /* RFC 8300 network service header */

struct dissect_state {
    struct dissect_ctx *dc;
    struct ns_decoded *out;
    uint64_t ts_us;
    uint8_t layers;        /* decoder layers entered so far */
    uint8_t tunnel;        /* encapsulations entered so far */
    bool outer_frame;      /* still in the outermost link frame: MACs and
                              VLAN ids go to out */
    const uint8_t *frame;  /* start of the frame flow_len describes */
    bool link_unknown;     /* a link decoder met an unknown ethertype (a
                              tunnel decoder clears it and reports it) */
    uint32_t snap_cut;     /* bytes of the frame the capture left out (its
                              snap length): wire length - captured length */
    uint32_t l4_cut;       /* bytes of the IP payload handed to dissect_l4
                              that the snap length left out (0: it is whole) */
};

static inline void dissect_count(struct dissect_state *st, enum dissect_counter c)
{
    st->dc->counters[c]++;
}

/* A non-fatal anomaly: counted, kept in out->events while there is room. */
static inline void dissect_event(struct dissect_state *st, enum dissect_event ev)
{
    struct ns_decoded *o = st->out;
    st->dc->events[ev]++;
    if (o->nevents < DISSECT_MAX_EVENTS)
        o->events[o->nevents++] = (uint16_t)ev;
}

/* The reason a frame is malformed: counted, and put in out->events[0]
 * (earlier non-fatal events move up; the last one drops if full).  The
 * INVALID counter is bumped once, by dissect_packet. */
static inline enum dissect_result dissect_invalid(struct dissect_state *st,
                                                  enum dissect_event ev)
{
    struct ns_decoded *o = st->out;
    unsigned keep = o->nevents < DISSECT_MAX_EVENTS ? o->nevents : DISSECT_MAX_EVENTS - 1;
    st->dc->events[ev]++;
    memmove(&o->events[1], &o->events[0], keep * sizeof(o->events[0]));
    o->events[0] = (uint16_t)ev;
    o->nevents = (uint8_t)(keep + 1);
    return DISSECT_INVALID;
}

/* A tunnel's payload (p, len) is the frame the flow counts from now on. */
static inline void dissect_inner_frame(struct dissect_state *st, const uint8_t *p, size_t len)
{
    st->frame = p;
    st->out->flow_len = (uint32_t)len;
}

/* A datagram reassembled from fragments whose IP header is at ip: what the
 * flow counts is the link header in front of it plus the datagram. */
static inline void dissect_reassembled_frame(struct dissect_state *st, const uint8_t *ip,
                                             uint32_t dg_len)
{
    size_t link = 0;
    if (st->frame && ip >= st->frame && (size_t)(ip - st->frame) <= st->out->flow_len)
        link = (size_t)(ip - st->frame);
    st->out->flow_len = (uint32_t)(link + dg_len);
}

/* Enter one decoder layer; false past the limit (the caller then returns
 * dissect_invalid(st, DEV_TOO_MANY_LAYERS)). */
static inline bool dissect_layer_enter(struct dissect_state *st)
{
    return likely(++st->layers <= DISSECT_MAX_LAYERS);
}

/* BSD loopback (DLT_NULL, DLT_LOOP): the 4-byte AF_ value is in the
 * capturing host's byte order for NULL and in network order for LOOP; a
 * value with high bits set was written the other way round (tcpdump's
 * heuristic).  AF_INET is 2 everywhere; AF_INET6 is 24 (NetBSD, OpenBSD,
 * BSD/OS), 28 (FreeBSD, DragonFly) or 30 (Darwin).  Returns 4, 6, or 0. */
static inline unsigned dissect_null_ipver(const uint8_t *p, bool net_order)
{
    uint32_t af = net_order ? ns_load_be32(p) : ns_load_le32(p);
    if (af & 0xffff0000u)
        af = __builtin_bswap32(af);
    switch (af) {
    case 2:
        return 4;
    case 24:
    case 28:
    case 30:
        return 6;
    default:
        return 0;
    }
}

/* link.c */
enum dissect_result dissect_link(struct dissect_state *st, int dlt,
                                 const uint8_t *p, size_t len);
enum dissect_result dissect_eth(struct dissect_state *st, const uint8_t *p, size_t len);

/* ip.c */
enum dissect_result dissect_ipv4(struct dissect_state *st, const uint8_t *p, size_t len);
enum dissect_result dissect_ipv6(struct dissect_state *st, const uint8_t *p, size_t len);

/* l4.c: everything above IP.  proto is the IP protocol / next header;
 * (p, len) is the IP payload, already trimmed to the IP length; when the
 * frame was cut by the snap length, st->l4_cut more bytes of it were on
 * the wire but not captured. */
enum dissect_result dissect_l4(struct dissect_state *st, uint8_t proto,
                               const uint8_t *p, size_t len);

/* defrag.c: IPv4 and IPv6 fragment reassembly. */

/* Fragments of one datagram share a key: RFC 791 section 2.3 (addresses,
 * protocol, id) and RFC 8200 section 4.5 (addresses, id), plus the
 * outermost VLAN ids and the tunnel depth so that unrelated datagrams on
 * other VLANs or inside tunnels stay apart.  Built fully (pad included)
 * because it is compared and hashed as bytes. */
struct dissect_defrag_key {
    uint8_t  src[16], dst[16];
    uint32_t id;
    uint16_t vlan[DISSECT_MAX_VLAN];
    uint8_t  ip_v;
    uint8_t  proto;          /* IPv4 only; 0 for IPv6 */
    uint8_t  tunnel;
    uint8_t  pad;
};
_Static_assert(sizeof(struct dissect_defrag_key) == 44, "hashed as 11 words");

/* One fragment as the IP decoders hand it over. */
struct dissect_frag {
    struct dissect_defrag_key key;
    const uint8_t *hdr;      /* IPv4 header / IPv6 unfragmentable part */
    uint32_t hdr_len;
    uint32_t nh_off;         /* IPv6: offset in hdr of the next-header byte
                                that names the Fragment header */
    uint8_t  nh;             /* IPv6: the Fragment header's next header */
    bool     more;           /* MF */
    uint32_t off;            /* fragment offset in bytes */
    const uint8_t *data;     /* fragment payload */
    uint32_t len;
};

enum dissect_defrag_verdict {
    DEFRAG_HELD = 0,         /* kept (or dropped for a limit, counted) */
    DEFRAG_DONE,             /* datagram complete, see struct dissect_datagram */
    DEFRAG_INVALID,          /* malformed; the event is raised */
};

/* A reassembled datagram in the context's buffer, valid until the next
 * dissect_packet call. */
struct dissect_datagram {
    const uint8_t *data;
    size_t len;
    size_t hdr_len;          /* IPv4 header / IPv6 unfragmentable part */
    uint8_t nh;              /* IPv6: next header after hdr */
};

int dissect_defrag_create(struct dissect_ctx *dc, const struct dissect_config *cfg,
                          char *errbuf);
void dissect_defrag_destroy(struct dissect_ctx *dc);
void dissect_defrag_expire(struct dissect_ctx *dc, uint64_t now_us);
enum dissect_defrag_verdict dissect_defrag_insert(struct dissect_state *st,
                                                  const struct dissect_frag *f,
                                                  struct dissect_datagram *dg);

#endif
