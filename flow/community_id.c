/* flow/community_id.c: Community ID v1 of a flow
 * (https://github.com/corelight/community-id-spec).
 *
 * SHA-1 over seed (2 bytes) . saddr . daddr . proto . 0 . sport . dport,
 * everything in network byte order, addresses 4 or 16 bytes, with the
 * endpoints ordered so that the smaller (address, port) comes first; then
 * "1:" and the base64 of the digest.  Ports are hashed for TCP, UDP, SCTP
 * and the ICMPs only.  ICMP has no ports: the type is the source port and
 * the destination port is the type's counterpart (echo request <-> reply
 * and the like, the table of Zeek's ICMP4_counterpart/ICMP6_counterpart as
 * pycommunityid has it), or the code when the type has none, in which case
 * the message is one-way and the endpoints are not reordered.
 *
 * Runs once per flow record, not per packet; SHA-1 and base64 come from
 * libcrypto. */
/* OpenSSL 3's one-shot SHA1() looks the algorithm up by name on every call,
 * under a lock: measured at about half the cost of a flow record.  The
 * low-level SHA1_Init/Update/Final (deprecated in 3.0, still shipped) hash
 * on a stack context with no lookup, no lock and no allocation. */
#define OPENSSL_API_COMPAT 0x10100000L
#include "flow/flow.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#define CID_PROTO_ICMP   1
#define CID_PROTO_TCP    6
#define CID_PROTO_UDP    17
#define CID_PROTO_ICMPV6 58
#define CID_PROTO_SCTP   132

/* The type answering `type`, or -1 for a one-way message. */
static int icmp_counterpart(uint8_t proto, uint8_t type)
{
    /* echo, timestamp, information, router solicit/advert, address mask */
    static const uint8_t v4[][2] = { { 8, 0 }, { 13, 14 }, { 15, 16 }, { 10, 9 }, { 17, 18 } };
    /* echo, MLD query/report, router, neighbor, node information, HAAD */
    static const uint8_t v6[][2] = {
        { 128, 129 }, { 130, 131 }, { 133, 134 }, { 135, 136 }, { 139, 140 }, { 144, 145 },
    };
    const uint8_t (*map)[2] = proto == CID_PROTO_ICMP ? v4 : v6;
    size_t n = proto == CID_PROTO_ICMP ? NS_ARRAY_LEN(v4) : NS_ARRAY_LEN(v6);
    for (size_t i = 0; i < n; i++) {
        if (map[i][0] == type)
            return map[i][1];
        if (map[i][1] == type)
            return map[i][0];
    }
    return -1;
}

static uint8_t *put_be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
    return p + 2;
}

void flow_community_id_seeded(const struct flow *f, uint16_t seed, char out[64])
{
    size_t alen = f->ip_v == 6 ? 16 : 4;
    const uint8_t *sa = f->cli, *da = f->srv;
    uint16_t sp = f->cli_port, dp = f->srv_port;
    bool ports = true, one_way = false;

    switch (f->proto) {
    case CID_PROTO_TCP:
    case CID_PROTO_UDP:
    case CID_PROTO_SCTP:
        break;
    case CID_PROTO_ICMP:
    case CID_PROTO_ICMPV6: {
        /* the client's first message; the server's if it sent none */
        unsigned side = (!f->icmp_seen[0] && f->icmp_seen[1]) ? 1 : 0;
        if (side) {
            sa = f->srv;
            da = f->cli;
        }
        int peer = icmp_counterpart(f->proto, f->icmp_type[side]);
        sp = f->icmp_type[side];
        if (peer >= 0) {
            dp = (uint16_t)peer;
        } else {
            dp = f->icmp_code[side];
            one_way = true;
        }
        break;
    }
    default:
        ports = false;
        sp = dp = 0;
        break;
    }

    if (!one_way) {
        int c = memcmp(sa, da, alen);
        if (c > 0 || (c == 0 && sp >= dp)) {
            const uint8_t *x = sa;
            sa = da;
            da = x;
            uint16_t px = sp;
            sp = dp;
            dp = px;
        }
    }

    uint8_t buf[2 + 16 + 16 + 2 + 4], *p = buf;
    p = put_be16(p, seed);
    memcpy(p, sa, alen);
    p += alen;
    memcpy(p, da, alen);
    p += alen;
    *p++ = f->proto;
    *p++ = 0;
    if (ports) {
        p = put_be16(p, sp);
        p = put_be16(p, dp);
    }
    unsigned char md[SHA_DIGEST_LENGTH];
    SHA_CTX sha;
    SHA1_Init(&sha);
    SHA1_Update(&sha, buf, (size_t)(p - buf));
    SHA1_Final(md, &sha);
    out[0] = '1';
    out[1] = ':';
    /* 20 bytes -> 28 characters and a NUL: fits out[64] */
    EVP_EncodeBlock((unsigned char *)out + 2, md, SHA_DIGEST_LENGTH);
}

void flow_community_id(const struct flow *f, char out[64])
{
    flow_community_id_seeded(f, 0, out);
}
