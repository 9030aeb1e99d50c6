/* dissect/dissect.c: the entry points of the decoder -- per-worker context,
 * dissect_packet, event and counter names, and the worker-selection hash.
 *
 * dissect_packet zeroes the record, counts the frame (PKTS, BYTES and the
 * MAX_PKT_SIZE high-water mark, which is a gauge like Suricata's
 * decoder.max_pkt_size, not a count), hands it to the link decoder
 * (link.c), and counts INVALID once if any layer found the frame malformed.
 * Layers live in link.c (link types, VLAN, ARP), ip.c (IPv4, IPv6 and
 * extension headers), l4.c (TCP, UDP, SCTP, ICMP, GRE, VXLAN, Geneve,
 * IP-in-IP) and defrag.c (fragment reassembly).  Nothing here allocates
 * after dissect_ctx_init. */
#include "dissect/dissect.h"

#include <stdio.h>

#include "dissect/dissect_int.h"

static const char *const event_names[DEV_MAX] = {
#define DISSECT_EV_NAME(id, name) [DEV_##id] = name,
    DISSECT_EVENTS(DISSECT_EV_NAME)
#undef DISSECT_EV_NAME
};

static const char *const counter_names[DC_MAX] = {
#define DISSECT_CNT_NAME(id, name) [DC_##id] = name,
    DISSECT_COUNTERS(DISSECT_CNT_NAME)
#undef DISSECT_CNT_NAME
};

const char *dissect_event_name(unsigned ev)
{
    return ev < DEV_MAX ? event_names[ev] : "unknown";
}

const char *dissect_counter_name(unsigned c)
{
    return c < DC_MAX ? counter_names[c] : "unknown";
}

/* Per worker.  16 MiB holds 256 datagrams of 64 KiB, or thousands of
 * ordinary ones; a datagram over 1280-byte links needs 52 fragments. */
void dissect_config_defaults(struct dissect_config *cfg)
{
    cfg->defrag_max_trackers = 4096;
    cfg->defrag_max_frags = 256;
    cfg->defrag_memcap = 16u << 20;
    cfg->defrag_timeout_s = 60;          /* Suricata's defrag.timeout */
}

int dissect_ctx_init(struct dissect_ctx *dc, const struct dissect_config *cfg,
                     char *errbuf)
{
    memset(dc, 0, sizeof(*dc));
    return dissect_defrag_create(dc, cfg, errbuf);
}

void dissect_ctx_fini(struct dissect_ctx *dc)
{
    if (dc)
        dissect_defrag_destroy(dc);
}

enum dissect_result dissect_packet(struct dissect_ctx *dc, const struct ns_pkt *pkt,
                                   struct ns_decoded *out)
{
    memset(out, 0, sizeof(*out));
    out->tcp_wscale = 0xff;

    dc->counters[DC_PKTS]++;
    dc->counters[DC_BYTES] += pkt->caplen;
    if (unlikely(pkt->caplen > dc->counters[DC_MAX_PKT_SIZE]))
        dc->counters[DC_MAX_PKT_SIZE] = pkt->caplen;

    struct dissect_state st = {
        .dc = dc,
        .out = out,
        .ts_us = pkt->ts_us,
        .outer_frame = true,
        .frame = pkt->data,
        /* the capture kept only the frame's first caplen bytes: lengths in
         * the headers that are there may reach up to this much further */
        .snap_cut = pkt->wirelen > pkt->caplen ? pkt->wirelen - pkt->caplen : 0,
    };
    out->flow_len = pkt->caplen;
    enum dissect_result r = dissect_link(&st, pkt->dlt, pkt->data, pkt->caplen);
    if (unlikely(r == DISSECT_INVALID))
        dc->counters[DC_INVALID]++;
    return r;
}

void dissect_expire(struct dissect_ctx *dc, uint64_t now_us)
{
    dissect_defrag_expire(dc, now_us);
}

/* ------------------------------------------------------------------ */
/* Worker hash */

static inline uint32_t hash_mix(uint32_t h, uint32_t w)
{
    w *= 0xcc9e2d51u;
    w = (w << 15) | (w >> 17);
    w *= 0x1b873593u;
    h ^= w;
    h = (h << 13) | (h >> 19);
    return h * 5 + 0xe6546b64u;
}

static inline uint32_t hash_final(uint32_t h)
{
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h ? h : 1;                 /* 0 means "no IP header" */
}

/* Hash of the unordered address pair: the lower address goes first, so both
 * directions give the same value.  alen is 4 or 16. */
static uint32_t hash_addr_pair(const uint8_t *a, const uint8_t *b, size_t alen)
{
    if (memcmp(a, b, alen) > 0) {
        const uint8_t *t = a;
        a = b;
        b = t;
    }
    uint32_t h = (uint32_t)alen;
    for (size_t i = 0; i < alen; i += 4)
        h = hash_mix(h, ns_load_le32(a + i));
    for (size_t i = 0; i < alen; i += 4)
        h = hash_mix(h, ns_load_le32(b + i));
    return hash_final(h);
}

static uint32_t worker_hash_ip(const uint8_t *p, size_t len)
{
    if (len < 1)
        return 0;
    switch (p[0] >> 4) {
    case 4:
        if (len < 20)
            return 0;
        return hash_addr_pair(p + 12, p + 16, 4);
    case 6:
        if (len < 40)
            return 0;
        return hash_addr_pair(p + 8, p + 24, 16);
    default:
        return 0;
    }
}

/* NSH carries no flow of its own: the IP header behind it (directly, or
 * behind an untagged inner Ethernet header) decides. */
static uint32_t worker_hash_nsh(const uint8_t *p, size_t len)
{
    if (len < 8)
        return 0;
    size_t hlen = (size_t)(ns_load_be16(p) & 0x3f) * 4;
    if (hlen < 8 || hlen > len)
        return 0;
    uint8_t np = p[3];
    p += hlen;
    len -= hlen;
    if (np == 1 || np == 2)
        return worker_hash_ip(p, len);
    if (np == 3 && len >= 14) {
        uint16_t type = ns_load_be16(p + 12);
        if (type == DISSECT_ETHERTYPE_IPV4 || type == DISSECT_ETHERTYPE_IPV6)
            return worker_hash_ip(p + 14, len - 14);
    }
    return 0;
}

/* The outermost IP header only: every fragment of a datagram carries it,
 * and tunnelled flows keep their tunnel endpoints in both directions. */
static uint32_t worker_hash_ethertype(uint16_t type, const uint8_t *p, size_t len)
{
    /* a few more tags than the decoder accepts: the hash has no limit to
     * enforce, only bounds */
    for (unsigned i = 0; i < 4; i++) {
        if (type != DISSECT_ETHERTYPE_VLAN && type != DISSECT_ETHERTYPE_QINQ &&
            type != DISSECT_ETHERTYPE_QINQ_OLD)
            break;
        if (len < 4)
            return 0;
        type = ns_load_be16(p + 2);
        p += 4;
        len -= 4;
    }
    if (type == DISSECT_ETHERTYPE_IPV4 || type == DISSECT_ETHERTYPE_IPV6)
        return worker_hash_ip(p, len);
    if (type == DISSECT_ETHERTYPE_NSH)
        return worker_hash_nsh(p, len);
    return 0;
}

uint32_t dissect_worker_hash(int dlt, const uint8_t *data, uint32_t caplen)
{
    size_t len = caplen;
    switch (dlt) {
    case DISSECT_DLT_EN10MB:
        if (len < 14)
            return 0;
        return worker_hash_ethertype(ns_load_be16(data + 12), data + 14, len - 14);
    case DISSECT_DLT_SLL:
        if (len < 16)
            return 0;
        return worker_hash_ethertype(ns_load_be16(data + 14), data + 16, len - 16);
    case DISSECT_DLT_SLL2:
        if (len < 20)
            return 0;
        return worker_hash_ethertype(ns_load_be16(data), data + 20, len - 20);
    case DISSECT_DLT_NULL:
    case DISSECT_DLT_LOOP:
        if (len < 4 || dissect_null_ipver(data, dlt == DISSECT_DLT_LOOP) == 0)
            return 0;
        return worker_hash_ip(data + 4, len - 4);
    case DISSECT_DLT_RAW:
    case DISSECT_DLT_RAW14:
    case DISSECT_DLT_RAW101:
    case DISSECT_DLT_IPV4:
    case DISSECT_DLT_IPV6:
        return worker_hash_ip(data, len);
    default:
        return 0;
    }
}
