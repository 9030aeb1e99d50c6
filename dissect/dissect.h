/* dissect/dissect.h: link layer to transport decoding of one captured frame.
 *
 * A worker owns one struct dissect_ctx (counters, IP fragment reassembly
 * state).  dissect_packet() reads only inside [data, data + caplen), never
 * allocates (the defrag pool is preallocated at create), never logs, and
 * never fails on what a packet contains: malformed input is counted under a
 * named event and reported in out->events.  NSH (RFC 8300) is decoded
 * through to its IPv4, IPv6 or Ethernet payload.  Tunnels (GRE, VXLAN on UDP 4789,
 * Geneve on UDP 6081, IP-in-IP, 6in4) are decoded to the innermost packet,
 * which is what struct ns_decoded describes. */
#ifndef DISSECT_H
#define DISSECT_H

#include "engine/ns_common.h"

/* Link types we decode (pcap LINKTYPE_/DLT_ values). */
#define DISSECT_DLT_NULL      0    /* BSD loopback, host-order AF_ */
#define DISSECT_DLT_EN10MB    1
#define DISSECT_DLT_RAW       12   /* DLT_RAW as used by OpenBSD; also 14 */
#define DISSECT_DLT_RAW14     14
#define DISSECT_DLT_LOOP      108  /* OpenBSD loop: network-order AF_ */
#define DISSECT_DLT_RAW101    101  /* LINKTYPE_RAW */
#define DISSECT_DLT_SLL       113
#define DISSECT_DLT_IPV4      228
#define DISSECT_DLT_IPV6      229
#define DISSECT_DLT_SLL2      276

bool dissect_linktype_supported(int dlt);

/* Decoder events: Suricata's names (without the "decoder." prefix that the
 * EVE anomaly record adds) where Suricata has one. */
#define DISSECT_EVENTS(X)                                              \
    X(ETH_PKT_TOO_SMALL,        "ethernet.pkt_too_small")              \
    X(VLAN_HEADER_TOO_SMALL,    "vlan.header_too_small")               \
    X(VLAN_TOO_MANY_LAYERS,     "vlan.too_many_layers")                \
    X(SLL_PKT_TOO_SMALL,        "sll.pkt_too_small")                   \
    X(SLL2_PKT_TOO_SMALL,       "sll2.pkt_too_small")                  \
    X(NULL_PKT_TOO_SMALL,       "null.pkt_too_small")                  \
    X(NULL_UNSUPPORTED_TYPE,    "null.unsupported_type")               \
    X(ARP_PKT_TOO_SMALL,        "arp.pkt_too_small")                   \
    X(IPRAW_INVALID_IPV,        "ipraw.invalid_ip_version")            \
    X(IPV4_PKT_TOO_SMALL,       "ipv4.pkt_too_small")                  \
    X(IPV4_HLEN_TOO_SMALL,      "ipv4.hlen_too_small")                 \
    X(IPV4_IPLEN_SMALLER_THAN_HLEN, "ipv4.iplen_smaller_than_hlen")    \
    X(IPV4_TRUNC_PKT,           "ipv4.trunc_pkt")                      \
    X(IPV4_WRONG_IP_VER,        "ipv4.wrong_ip_version")               \
    X(IPV4_OPT_INVALID,         "ipv4.opt_invalid")                    \
    X(IPV4_OPT_INVALID_LEN,     "ipv4.opt_invalid_len")                \
    X(IPV4_OPT_MALFORMED,       "ipv4.opt_malformed")                  \
    X(IPV4_OPT_PAD_REQUIRED,    "ipv4.opt_pad_required")               \
    X(IPV4_OPT_EOL_REQUIRED,    "ipv4.opt_eol_required")               \
    X(IPV4_OPT_DUPLICATE,       "ipv4.opt_duplicate")                  \
    X(IPV4_OPT_UNKNOWN,         "ipv4.opt_unknown")                    \
    X(IPV4_FRAG_PKT_TOO_LARGE,  "ipv4.frag_pkt_too_large")             \
    X(IPV4_FRAG_OVERLAP,        "ipv4.frag_overlap")                   \
    X(IPV4_FRAG_IGNORED,        "ipv4.frag_ignored")                   \
    X(IPV6_PKT_TOO_SMALL,       "ipv6.pkt_too_small")                  \
    X(IPV6_TRUNC_PKT,           "ipv6.trunc_pkt")                      \
    X(IPV6_TRUNC_EXTHDR,        "ipv6.trunc_exthdr")                   \
    X(IPV6_WRONG_IP_VER,        "ipv6.wrong_ip_version")               \
    X(IPV6_EXTHDR_DUPL_FH,      "ipv6.exthdr_dupl_fh")                 \
    X(IPV6_EXTHDR_DUPL_HH,      "ipv6.exthdr_dupl_hh")                 \
    X(IPV6_HOPOPTS_NOT_FIRST,   "ipv6.hopopts_not_first")              \
    X(IPV6_FRAG_PKT_TOO_LARGE,  "ipv6.frag_pkt_too_large")             \
    X(IPV6_FRAG_OVERLAP,        "ipv6.frag_overlap")                   \
    X(IPV6_FRAG_INVALID_LENGTH, "ipv6.frag_invalid_length")            \
    X(IPV6_FRAG_IGNORED,        "ipv6.frag_ignored")                   \
    X(IPV6_UNKNOWN_NEXT_HEADER, "ipv6.unknown_next_header")            \
    X(TCP_PKT_TOO_SMALL,        "tcp.pkt_too_small")                   \
    X(TCP_HLEN_TOO_SMALL,       "tcp.hlen_too_small")                  \
    X(TCP_INVALID_OPTLEN,       "tcp.invalid_optlen")                  \
    X(TCP_OPT_INVALID_LEN,      "tcp.opt_invalid_len")                 \
    X(TCP_OPT_DUPLICATE,        "tcp.opt_duplicate")                   \
    X(UDP_PKT_TOO_SMALL,        "udp.pkt_too_small")                   \
    X(UDP_HLEN_TOO_SMALL,       "udp.hlen_too_small")                  \
    X(UDP_HLEN_INVALID,         "udp.hlen_invalid")                    \
    X(UDP_LEN_INVALID,          "udp.len_invalid")                     \
    X(ICMPV4_PKT_TOO_SMALL,     "icmpv4.pkt_too_small")                \
    X(ICMPV4_UNKNOWN_TYPE,      "icmpv4.unknown_type")                 \
    X(ICMPV4_UNKNOWN_CODE,      "icmpv4.unknown_code")                 \
    X(ICMPV6_PKT_TOO_SMALL,     "icmpv6.pkt_too_small")                \
    X(ICMPV6_UNKNOWN_TYPE,      "icmpv6.unknown_type")                 \
    X(ICMPV6_UNKNOWN_CODE,      "icmpv6.unknown_code")                 \
    X(GRE_PKT_TOO_SMALL,        "gre.pkt_too_small")                   \
    X(GRE_WRONG_VERSION,        "gre.wrong_version")                   \
    X(VXLAN_UNKNOWN_PAYLOAD_TYPE, "vxlan.unknown_payload_type")        \
    X(GENEVE_UNKNOWN_PAYLOAD_TYPE, "geneve.unknown_payload_type")      \
    X(TOO_MANY_LAYERS,          "too_many_layers")                     \
    X(IPV4_WITH_ICMPV6,         "ipv4.icmpv6")                         \
    X(IPV6_WITH_ICMPV4,         "ipv6.icmpv4")                         \
    X(IPV6_EXTHDR_DUPL_RH,      "ipv6.exthdr_dupl_rh")                 \
    X(IPV6_EXTHDR_DUPL_DH,      "ipv6.exthdr_dupl_dh")                 \
    X(IPV6_EXTHDR_DUPL_AH,      "ipv6.exthdr_dupl_ah")                 \
    X(IPV6_EXTHDR_AH_RES_NOT_NULL, "ipv6.exthdr_ah_res_not_null")      \
    X(IPV6_EXTHDR_INVALID_OPTLEN, "ipv6.exthdr_invalid_optlen")        \
    X(IPV6_EXTHDR_RH_TYPE_0,    "ipv6.rh_type_0")                      \
    X(IPV6_EXTHDR_ZERO_LEN_PADN, "ipv6.zero_len_padn")                 \
    X(IPV6_FH_NON_ZERO_RES_FIELD, "ipv6.fh_non_zero_reserved_field")   \
    X(IPV6_EXTHDR_USELESS_FH,   "ipv6.exthdr_useless_fh")              \
    X(IPV6_DATA_AFTER_NONE_HEADER, "ipv6.data_after_none_header")      \
    X(IPV6_HOPOPTS_UNKNOWN_OPT, "ipv6.hopopts_unknown_opt")            \
    X(IPV6_HOPOPTS_ONLY_PADDING, "ipv6.hopopts_only_padding")          \
    X(IPV6_DSTOPTS_UNKNOWN_OPT, "ipv6.dstopts_unknown_opt")            \
    X(IPV6_DSTOPTS_ONLY_PADDING, "ipv6.dstopts_only_padding")          \
    X(ICMPV6_UNASSIGNED_TYPE,   "icmpv6.unassigned_type")              \
    X(ICMPV6_EXPERIMENTATION_TYPE, "icmpv6.experimentation_type")      \
    X(SCTP_PKT_TOO_SMALL,       "sctp.pkt_too_small")                  \
    X(GRE_VERSION0_RECUR,       "gre.version0_recur")                  \
    X(GRE_VERSION0_FLAGS,       "gre.version0_flags")                  \
    X(GRE_VERSION0_HDR_TOO_BIG, "gre.version0_hdr_too_big")            \
    X(GRE_VERSION0_MALFORMED_SRE_HDR, "gre.version0_malformed_sre_hdr") \
    X(GRE_VERSION1_HDR_TOO_BIG, "gre.version1_hdr_too_big")          \
    X(NSH_HEADER_TOO_SMALL,     "nsh.header_too_small")                \
    X(NSH_UNSUPPORTED_VERSION,  "nsh.unsupported_version")             \
    X(NSH_BAD_HEADER_LENGTH,    "nsh.bad_header_length")               \
    X(NSH_RESERVED_TYPE,        "nsh.reserved_type")                   \
    X(NSH_UNSUPPORTED_TYPE,     "nsh.unsupported_type")                \
    X(NSH_UNKNOWN_PAYLOAD,      "nsh.unknown_payload")

enum dissect_event {
#define DISSECT_EV_ENUM(id, name) DEV_##id,
    DISSECT_EVENTS(DISSECT_EV_ENUM)
#undef DISSECT_EV_ENUM
    DEV_MAX
};

/* "ipv4.trunc_pkt" for DEV_IPV4_TRUNC_PKT; "unknown" when out of range. */
const char *dissect_event_name(unsigned ev);

/* Per-worker decoder counters; names are the keys under stats.decoder.
 * MAX_PKT_SIZE is a gauge (the largest caplen seen, as Suricata's
 * decoder.max_pkt_size), not a count: combine workers with max, not +. */
#define DISSECT_COUNTERS(X)                 \
    X(PKTS,         "pkts")                 \
    X(BYTES,        "bytes")                \
    X(INVALID,      "invalid")              \
    X(ETHERNET,     "ethernet")             \
    X(SLL,          "sll")                  \
    X(NULL_,        "null")                 \
    X(RAW,          "raw")                  \
    X(VLAN,         "vlan")                 \
    X(VLAN_QINQ,    "vlan_qinq")            \
    X(ARP,          "arp")                  \
    X(IPV4,         "ipv4")                 \
    X(IPV6,         "ipv6")                 \
    X(TCP,          "tcp")                  \
    X(UDP,          "udp")                  \
    X(ICMPV4,       "icmpv4")               \
    X(ICMPV6,       "icmpv6")               \
    X(GRE,          "gre")                  \
    X(VXLAN,        "vxlan")                \
    X(GENEVE,       "geneve")               \
    X(GTPU,         "gtpu")                 \
    X(IPV4_IN_IPV6, "ipv4_in_ipv6")         \
    X(IPV6_IN_IPV6, "ipv6_in_ipv6")         \
    X(IPV4_IN_IPV4, "ipv4_in_ipv4")         \
    X(IPV6_IN_IPV4, "ipv6_in_ipv4")         \
    X(UNKNOWN_ETHERTYPE, "unknown_ethertype") \
    X(UNKNOWN_L4,   "unknown_l4")           \
    X(FRAGS,        "frags")                \
    X(DEFRAG_IPV4_REASSEMBLED, "defrag_ipv4_reassembled") \
    X(DEFRAG_IPV6_REASSEMBLED, "defrag_ipv6_reassembled") \
    X(DEFRAG_TIMEOUTS, "defrag_timeouts")   \
    X(DEFRAG_MEMCAP, "defrag_memcap")       \
    X(MAX_PKT_SIZE, "max_pkt_size")         \
    X(SCTP,         "sctp")                 \
    X(DEFRAG_MAX_FRAG_HITS, "defrag_max_frag_hits") \
    X(NSH,          "nsh")                  \
    X(DEFRAG_EVICTED, "defrag_evicted")

enum dissect_counter {
#define DISSECT_CNT_ENUM(id, name) DC_##id,
    DISSECT_COUNTERS(DISSECT_CNT_ENUM)
#undef DISSECT_CNT_ENUM
    DC_MAX
};

const char *dissect_counter_name(unsigned c);

#define DISSECT_MAX_EVENTS 4      /* events kept per packet (all are counted) */
#define DISSECT_MAX_VLAN   2      /* more VLAN layers: VLAN_TOO_MANY_LAYERS */

/* One captured frame as handed to a worker.  data is borrowed. */
struct ns_pkt {
    const uint8_t *data;
    uint32_t caplen;      /* bytes present at data */
    uint32_t wirelen;     /* original length on the wire */
    uint64_t ts_us;       /* capture time, microseconds since the epoch */
    uint64_t pcap_cnt;    /* 1-based packet number in the file; 0 live */
    int dlt;              /* link type */
};

enum dissect_result {
    DISSECT_DECODED = 0,      /* decoded; out is filled as far as it goes */
    DISSECT_FRAG_HELD,        /* an IP fragment kept for reassembly: decoded,
                                 but nothing for the flow stage yet */
    DISSECT_INVALID,          /* malformed; out->events[0] is the reason */
    DISSECT_UNSUPPORTED,      /* link type we do not decode */
};

/* L4 of the innermost packet.  Everything is in host byte order. */
struct ns_decoded {
    uint8_t  src_mac[6], dst_mac[6];  /* outermost Ethernet, if has_eth */
    bool     has_eth;
    uint8_t  vlan_cnt;                /* outermost frame's VLAN ids */
    uint16_t vlan[DISSECT_MAX_VLAN];
    uint8_t  tunnel_depth;            /* 0: not tunnelled */

    uint8_t  ip_v;                    /* 0 (no IP, e.g. ARP), 4 or 6 */
    uint8_t  proto;                   /* IP protocol of the L4 header */
    uint8_t  ttl;                     /* TTL / hop limit */
    uint8_t  src[16], dst[16];        /* IPv4 in the first 4 bytes, rest 0 */
    uint16_t sport, dport;            /* TCP/UDP/SCTP ports, else 0 */
    bool     has_l4;                  /* L4 header decoded in full */

    uint8_t  tcp_flags;               /* FIN 0x01 SYN 0x02 RST 0x04 PSH 0x08
                                         ACK 0x10 URG 0x20 ECE 0x40 CWR 0x80 */
    uint32_t tcp_seq, tcp_ack;
    uint16_t tcp_win;
    uint8_t  tcp_wscale;              /* 0xff when no window scale option */
    bool     tcp_has_ts;
    uint32_t tcp_tsval, tcp_tsecr;

    uint8_t  icmp_type, icmp_code;    /* ICMPv4 or ICMPv6 */
    uint16_t icmp_id;                 /* echo id, 0 otherwise */

    const uint8_t *payload;           /* L4 payload (inside the frame, or in
                                         the defrag buffer: valid until the
                                         next dissect_packet call) */
    const uint8_t *l3_hdr;            /* innermost IP header with its options
                                         (IPv6: the fixed 40 bytes) and the
                                         transport header (TCP with options,
                                         UDP, ICMP as Suricata sizes it), for
                                         the rules' ipv4.hdr ... icmpv6.hdr;
                                         NULL when absent; valid as payload */
    const uint8_t *l4_hdr;
    uint16_t l3_hdr_len, l4_hdr_len;
    uint32_t payload_len;
    uint32_t ip_len;                  /* innermost IP datagram length */
    uint32_t flow_len;                /* bytes the flow counts for this
                                         packet, as Suricata does: the
                                         captured frame; for a tunnelled
                                         packet the inner frame; for a
                                         reassembled datagram its link
                                         header plus the datagram */

    uint8_t  arp_op;                  /* Ethernet/IPv4 ARP of the outermost
                                         frame: 1 request, 2 reply; 0 none */
    uint8_t  arp_sha[6], arp_spa[4];  /* its sender MAC and IPv4 address */

    bool     defragged;               /* built from reassembled fragments */
    uint8_t  nevents;                 /* kept in events[] (<= MAX_EVENTS) */
    uint16_t events[DISSECT_MAX_EVENTS];
};

struct dissect_config {
    uint32_t defrag_max_trackers;   /* datagrams in reassembly at once */
    uint32_t defrag_max_frags;      /* fragments per datagram */
    uint32_t defrag_memcap;         /* bytes for all fragment data */
    uint32_t defrag_timeout_s;      /* seconds of packet time */
};

void dissect_config_defaults(struct dissect_config *cfg);

struct dissect_ctx {
    uint64_t counters[DC_MAX];
    uint64_t events[DEV_MAX];
    struct dissect_defrag *defrag;    /* private */
};

/* Allocates the defrag pool.  Returns NS_OK or fills errbuf. */
int dissect_ctx_init(struct dissect_ctx *dc, const struct dissect_config *cfg,
                     char *errbuf) NS_MUST_CHECK;
void dissect_ctx_fini(struct dissect_ctx *dc);

/* Decode one frame.  Counts PKTS/BYTES (caplen), per-layer counters and every
 * event; INVALID is counted once for a DISSECT_INVALID result. */
enum dissect_result dissect_packet(struct dissect_ctx *dc,
                                   const struct ns_pkt *pkt,
                                   struct ns_decoded *out);

/* Bytes one worker's defrag pool takes, all of it, with these limits;
 * the largest defrag_memcap whose pool fits in bytes (0: not even the
 * fixed part fits); and the pool's size and what of it is in use now. */
uint64_t dissect_defrag_mem(uint32_t trackers, uint32_t memcap);
uint32_t dissect_defrag_memcap_for(uint32_t trackers, uint64_t bytes);
void dissect_defrag_memuse(const struct dissect_ctx *dc, uint64_t *cap, uint64_t *use);

/* Expire fragment trackers older than defrag_timeout_s (packet time). */
void dissect_expire(struct dissect_ctx *dc, uint64_t now_us);

/* Symmetric hash of the outermost IP address pair of a frame (the same for
 * both directions, and for every fragment of a datagram), used to choose a
 * worker.  Returns 0 for frames without an IP header.  Reads only inside
 * [data, data + caplen). */
uint32_t dissect_worker_hash(int dlt, const uint8_t *data, uint32_t caplen);

#endif
