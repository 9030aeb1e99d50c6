/* tests/test_dissect.c: unit tests of dissect/ -- every layer's good path,
 * its truncations and malformations, tunnels, fragment reassembly and its
 * limits, the worker hash, and a loop that decodes every prefix of a set of
 * valid frames.  Frames are built here, byte by byte, by the small writers
 * below (checksums are not checked by the decoder, so they stay 0). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dissect/dissect.h"

/* ------------------------------------------------------------------ */
/* Fixture */

struct fx {
    struct dissect_ctx dc;
    struct ns_decoded d;
    uint64_t ts;
};

static void fx_init(struct fx *f, uint32_t trackers, uint32_t frags, uint32_t memcap,
                    uint32_t timeout_s)
{
    struct dissect_config cfg;
    char eb[NS_ERRBUF_SIZE];
    dissect_config_defaults(&cfg);
    if (trackers)
        cfg.defrag_max_trackers = trackers;
    if (frags)
        cfg.defrag_max_frags = frags;
    if (memcap)
        cfg.defrag_memcap = memcap;
    if (timeout_s)
        cfg.defrag_timeout_s = timeout_s;
    assert_int_equal(dissect_ctx_init(&f->dc, &cfg, eb), NS_OK);
    f->ts = 1700000000ull * 1000000u;
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    fx_init(f, 0, 0, 0, 0);
    *state = f;
    return 0;
}

/* Re-create the context with other defrag limits (0 keeps the default). */
static void fx_reinit(struct fx *f, uint32_t trackers, uint32_t frags, uint32_t memcap,
                      uint32_t timeout_s)
{
    dissect_ctx_fini(&f->dc);
    fx_init(f, trackers, frags, memcap, timeout_s);
}

static int teardown(void **state)
{
    struct fx *f = *state;
    dissect_ctx_fini(&f->dc);
    free(f);
    return 0;
}

static enum dissect_result run(struct fx *f, int dlt, const uint8_t *b, size_t n)
{
    struct ns_pkt p = {
        .data = b, .caplen = (uint32_t)n, .wirelen = (uint32_t)n,
        .ts_us = f->ts, .pcap_cnt = 1, .dlt = dlt,
    };
    return dissect_packet(&f->dc, &p, &f->d);
}

static bool has_event(const struct ns_decoded *d, enum dissect_event ev)
{
    for (unsigned i = 0; i < d->nevents; i++)
        if (d->events[i] == ev)
            return true;
    return false;
}

#define C(f, id) ((f)->dc.counters[DC_##id])
#define E(f, id) ((f)->dc.events[DEV_##id])

/* ------------------------------------------------------------------ */
/* Frame writers */

struct pb {
    uint8_t b[1600];         /* an Ethernet frame; a few fit in a test's stack frame */
    size_t n;
};

static void u8(struct pb *p, uint8_t v)
{
    assert_true(p->n < sizeof(p->b));
    p->b[p->n++] = v;
}

static void be16(struct pb *p, uint16_t v)
{
    u8(p, (uint8_t)(v >> 8));
    u8(p, (uint8_t)v);
}

static void be32(struct pb *p, uint32_t v)
{
    be16(p, (uint16_t)(v >> 16));
    be16(p, (uint16_t)v);
}

static void bytes(struct pb *p, const void *src, size_t n)
{
    assert_true(p->n + n <= sizeof(p->b));
    memcpy(p->b + p->n, src, n);
    p->n += n;
}

static void fill(struct pb *p, uint8_t c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        u8(p, c);
}

static void put16(struct pb *p, size_t at, uint16_t v)
{
    p->b[at] = (uint8_t)(v >> 8);
    p->b[at + 1] = (uint8_t)v;
}

static const uint8_t MAC_DST[6] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55 };
static const uint8_t MAC_SRC[6] = { 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb };
static const uint8_t MAC_IN[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x07 };

#define A4(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (d))
static const uint32_t IP_A = A4(10, 0, 0, 1), IP_B = A4(10, 0, 0, 2);
static const uint32_t IP_C = A4(192, 168, 7, 1), IP_D = A4(192, 168, 7, 2);
static const uint8_t IP6_A[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t IP6_B[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };

static void eth(struct pb *p, uint16_t type)
{
    bytes(p, MAC_DST, 6);
    bytes(p, MAC_SRC, 6);
    be16(p, type);
}

static void eth_inner(struct pb *p, uint16_t type)
{
    bytes(p, MAC_IN, 6);
    bytes(p, MAC_IN, 6);
    be16(p, type);
}

static void vlan(struct pb *p, uint16_t tci, uint16_t type)
{
    be16(p, tci);
    be16(p, type);
}

/* IPv4 header with total length patched by ip4_end. */
static size_t ip4_begin_opts(struct pb *p, uint8_t proto, uint32_t src, uint32_t dst,
                             const uint8_t *opts, size_t optlen)
{
    size_t at = p->n;
    assert_true((optlen & 3) == 0 && optlen <= 40);
    u8(p, (uint8_t)(0x40 | (5 + optlen / 4)));
    u8(p, 0);
    be16(p, 0);              /* total length */
    be16(p, 0x1234);         /* id */
    be16(p, 0);              /* flags, offset */
    u8(p, 64);
    u8(p, proto);
    be16(p, 0);
    be32(p, src);
    be32(p, dst);
    if (optlen)
        bytes(p, opts, optlen);
    return at;
}

static size_t ip4_begin(struct pb *p, uint8_t proto, uint32_t src, uint32_t dst)
{
    return ip4_begin_opts(p, proto, src, dst, NULL, 0);
}

static void ip4_end(struct pb *p, size_t at)
{
    put16(p, at + 2, (uint16_t)(p->n - at));
}

static size_t ip6_begin(struct pb *p, uint8_t nh, const uint8_t *src, const uint8_t *dst)
{
    size_t at = p->n;
    be32(p, 0x60000000);
    be16(p, 0);              /* payload length */
    u8(p, nh);
    u8(p, 55);
    bytes(p, src, 16);
    bytes(p, dst, 16);
    return at;
}

static void ip6_end(struct pb *p, size_t at)
{
    put16(p, at + 4, (uint16_t)(p->n - at - 40));
}

static size_t udp_begin(struct pb *p, uint16_t sport, uint16_t dport)
{
    size_t at = p->n;
    be16(p, sport);
    be16(p, dport);
    be16(p, 0);
    be16(p, 0);
    return at;
}

static void udp_end(struct pb *p, size_t at)
{
    put16(p, at + 4, (uint16_t)(p->n - at));
}

static void tcp_opts(struct pb *p, uint16_t sport, uint16_t dport, uint8_t flags,
                     const uint8_t *opts, size_t optlen)
{
    assert_true((optlen & 3) == 0);
    be16(p, sport);
    be16(p, dport);
    be32(p, 0x01020304);     /* seq */
    be32(p, 0x0a0b0c0d);     /* ack */
    u8(p, (uint8_t)((5 + optlen / 4) << 4));
    u8(p, flags);
    be16(p, 29200);          /* window */
    be16(p, 0);
    be16(p, 0);
    if (optlen)
        bytes(p, opts, optlen);
}

static void tcp(struct pb *p, uint16_t sport, uint16_t dport, uint8_t flags)
{
    tcp_opts(p, sport, dport, flags, NULL, 0);
}

static void icmp(struct pb *p, uint8_t type, uint8_t code, uint16_t id)
{
    u8(p, type);
    u8(p, code);
    be16(p, 0);
    be16(p, id);
    be16(p, 1);
}

/* Ethernet / IPv4 / UDP 1111 -> 53 with n payload bytes 'a'.. */
static void frame_udp4(struct pb *p, size_t n)
{
    p->n = 0;
    eth(p, 0x0800);
    size_t ip = ip4_begin(p, 17, IP_A, IP_B);
    size_t u = udp_begin(p, 1111, 53);
    for (size_t i = 0; i < n; i++)
        u8(p, (uint8_t)('a' + i % 26));
    udp_end(p, u);
    ip4_end(p, ip);
}

/* Ethernet / IPv4 / TCP SYN 40000 -> 80 with options. */
static const uint8_t SYN_OPTS[20] = {
    0x02, 0x04, 0x05, 0xb4,                          /* MSS 1460 */
    0x04, 0x02,                                      /* SACK permitted */
    0x08, 0x0a, 0x11, 0x22, 0x33, 0x44, 0, 0, 0, 0,  /* TS */
    0x01,                                            /* NOP */
    0x03, 0x03, 0x07,                                /* WS 7 */
};

static void frame_tcp4(struct pb *p, const uint8_t *payload, size_t n)
{
    p->n = 0;
    eth(p, 0x0800);
    size_t ip = ip4_begin(p, 6, IP_A, IP_B);
    tcp_opts(p, 40000, 80, 0x02, SYN_OPTS, sizeof(SYN_OPTS));
    bytes(p, payload, n);
    ip4_end(p, ip);
}

/* IPv4 header + TCP with the given options and nothing else: for option
 * tests. */
static void frame_tcp4_opts(struct pb *p, const uint8_t *opts, size_t optlen)
{
    p->n = 0;
    eth(p, 0x0800);
    size_t ip = ip4_begin(p, 6, IP_A, IP_B);
    tcp_opts(p, 40000, 80, 0x10, opts, optlen);
    ip4_end(p, ip);
}

static void frame_ip4opts(struct pb *p, const uint8_t *opts, size_t optlen)
{
    p->n = 0;
    eth(p, 0x0800);
    size_t ip = ip4_begin_opts(p, 6, IP_A, IP_B, opts, optlen);
    tcp(p, 1, 2, 0x10);
    ip4_end(p, ip);
}

/* ------------------------------------------------------------------ */
/* Names, setup */

static void names(void **state)
{
    (void)state;
    assert_string_equal(dissect_event_name(DEV_IPV4_TRUNC_PKT), "ipv4.trunc_pkt");
    assert_string_equal(dissect_event_name(DEV_IPV6_EXTHDR_DUPL_FH), "ipv6.exthdr_dupl_fh");
    assert_string_equal(dissect_event_name(DEV_TCP_OPT_INVALID_LEN), "tcp.opt_invalid_len");
    assert_string_equal(dissect_event_name(DEV_ICMPV4_UNKNOWN_TYPE), "icmpv4.unknown_type");
    assert_string_equal(dissect_event_name(DEV_MAX), "unknown");
    assert_string_equal(dissect_event_name(~0u), "unknown");
    assert_string_equal(dissect_counter_name(DC_PKTS), "pkts");
    assert_string_equal(dissect_counter_name(DC_NULL_), "null");
    assert_string_equal(dissect_counter_name(DC_MAX), "unknown");
    for (unsigned i = 0; i < DEV_MAX; i++) {
        assert_non_null(dissect_event_name(i));
        for (unsigned j = 0; j < i; j++)
            assert_string_not_equal(dissect_event_name(i), dissect_event_name(j));
    }
    for (unsigned i = 0; i < DC_MAX; i++) {
        assert_non_null(dissect_counter_name(i));
        for (unsigned j = 0; j < i; j++)
            assert_string_not_equal(dissect_counter_name(i), dissect_counter_name(j));
    }
}

static void linktypes(void **state)
{
    (void)state;
    const int ok[] = { 0, 1, 12, 14, 101, 108, 113, 228, 229, 276 };
    for (size_t i = 0; i < NS_ARRAY_LEN(ok); i++)
        assert_true(dissect_linktype_supported(ok[i]));
    assert_false(dissect_linktype_supported(9));
    assert_false(dissect_linktype_supported(105));
    assert_false(dissect_linktype_supported(-1));
}

static void ctx_bad_config(void **state)
{
    (void)state;
    struct dissect_config cfg;
    struct dissect_ctx dc;
    char eb[NS_ERRBUF_SIZE] = "";
    dissect_config_defaults(&cfg);
    assert_true(cfg.defrag_max_trackers > 0 && cfg.defrag_max_frags > 0);
    assert_true(cfg.defrag_memcap > 0 && cfg.defrag_timeout_s > 0);
    cfg.defrag_max_trackers = 0;
    assert_int_equal(dissect_ctx_init(&dc, &cfg, eb), NS_ERR_INVAL);
    assert_non_null(strstr(eb, "trackers"));
    assert_null(dc.defrag);
    dissect_ctx_fini(&dc);
    dissect_ctx_fini(&dc);
    dissect_ctx_fini(NULL);
    dissect_config_defaults(&cfg);
    cfg.defrag_memcap = 100;
    assert_int_equal(dissect_ctx_init(&dc, &cfg, eb), NS_ERR_INVAL);
    assert_non_null(strstr(eb, "memcap 100"));
    dissect_config_defaults(&cfg);
    cfg.defrag_max_frags = 0;
    assert_int_equal(dissect_ctx_init(&dc, &cfg, eb), NS_ERR_INVAL);
}

static void unsupported_dlt(void **state)
{
    struct fx *f = *state;
    struct pb p;
    frame_udp4(&p, 4);
    assert_int_equal(run(f, 105, p.b, p.n), DISSECT_UNSUPPORTED);
    assert_int_equal(f->d.nevents, 0);
    assert_int_equal(C(f, PKTS), 1);
    assert_int_equal(C(f, BYTES), p.n);
    assert_int_equal(C(f, INVALID), 0);
    assert_int_equal(run(f, 105, NULL, 0), DISSECT_UNSUPPORTED);
}

/* ------------------------------------------------------------------ */
/* Ethernet, IPv4, TCP */

static void tcp4_good(void **state)
{
    struct fx *f = *state;
    struct pb p;
    frame_tcp4(&p, (const uint8_t *)"hello", 5);
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    const struct ns_decoded *d = &f->d;
    assert_true(d->has_eth);
    assert_memory_equal(d->dst_mac, MAC_DST, 6);
    assert_memory_equal(d->src_mac, MAC_SRC, 6);
    assert_int_equal(d->vlan_cnt, 0);
    assert_int_equal(d->tunnel_depth, 0);
    assert_int_equal(d->ip_v, 4);
    assert_int_equal(d->proto, 6);
    assert_int_equal(d->ttl, 64);
    const uint8_t a[16] = { 10, 0, 0, 1 }, b[16] = { 10, 0, 0, 2 };
    assert_memory_equal(d->src, a, 16);
    assert_memory_equal(d->dst, b, 16);
    assert_int_equal(d->sport, 40000);
    assert_int_equal(d->dport, 80);
    assert_true(d->has_l4);
    assert_int_equal(d->tcp_flags, 0x02);
    assert_int_equal(d->tcp_seq, 0x01020304);
    assert_int_equal(d->tcp_ack, 0x0a0b0c0d);
    assert_int_equal(d->tcp_win, 29200);
    assert_int_equal(d->tcp_wscale, 7);
    assert_true(d->tcp_has_ts);
    assert_int_equal(d->tcp_tsval, 0x11223344);
    assert_int_equal(d->tcp_tsecr, 0);
    assert_int_equal(d->payload_len, 5);
    assert_ptr_equal(d->payload, p.b + p.n - 5);
    assert_memory_equal(d->payload, "hello", 5);
    assert_int_equal(d->ip_len, 20 + 40 + 5);
    assert_false(d->defragged);
    assert_int_equal(d->nevents, 0);
    assert_int_equal(C(f, PKTS), 1);
    assert_int_equal(C(f, BYTES), p.n);
    assert_int_equal(C(f, MAX_PKT_SIZE), p.n);
    assert_int_equal(C(f, ETHERNET), 1);
    assert_int_equal(C(f, IPV4), 1);
    assert_int_equal(C(f, TCP), 1);
    assert_int_equal(C(f, INVALID), 0);
}

static void tcp4_no_options(void **state)
{
    struct fx *f = *state;
    struct pb p;
    frame_tcp4_opts(&p, NULL, 0);
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.tcp_wscale, 0xff);
    assert_false(f->d.tcp_has_ts);
    assert_int_equal(f->d.payload_len, 0);
}

static void eth_padding_trimmed(void **state)
{
    struct fx *f = *state;
    struct pb p;
    frame_udp4(&p, 4);                 /* 46 bytes */
    fill(&p, 0xee, 60 - p.n);          /* Ethernet minimum frame */
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.ip_len, 32);
    assert_int_equal(f->d.payload_len, 4);
    assert_memory_equal(f->d.payload, "abcd", 4);
}

static void eth_too_small(void **state)
{
    struct fx *f = *state;
    struct pb p;
    frame_udp4(&p, 0);
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, 13), DISSECT_INVALID);
    assert_int_equal(f->d.events[0], DEV_ETH_PKT_TOO_SMALL);
    assert_int_equal(f->d.nevents, 1);
    assert_false(f->d.has_eth);
    assert_int_equal(C(f, INVALID), 1);
    assert_int_equal(E(f, ETH_PKT_TOO_SMALL), 1);
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, NULL, 0), DISSECT_INVALID);
    assert_int_equal(C(f, INVALID), 2);
}

static void expect_invalid(struct fx *f, int dlt, const struct pb *p, enum dissect_event ev)
{
    uint64_t inv = C(f, INVALID), evc = f->dc.events[ev];
    assert_int_equal(run(f, dlt, p->b, p->n), DISSECT_INVALID);
    assert_int_equal(f->d.events[0], ev);
    assert_int_equal(C(f, INVALID), inv + 1);
    assert_int_equal(f->dc.events[ev], evc + 1);
}

static void ipv4_header_errors(void **state)
{
    struct fx *f = *state;
    struct pb p;

    frame_udp4(&p, 0);
    p.n = 14 + 19;
    expect_invalid(f, DISSECT_DLT_EN10MB, &p, DEV_IPV4_PKT_TOO_SMALL);

    frame_udp4(&p, 0);
    p.b[14] = 0x55;                     /* version 5 */
    expect_invalid(f, DISSECT_DLT_EN10MB, &p, DEV_IPV4_WRONG_IP_VER);

    frame_udp4(&p, 0);
    p.b[14] = 0x44;                     /* IHL 4 */
    expect_invalid(f, DISSECT_DLT_EN10MB, &p, DEV_IPV4_HLEN_TOO_SMALL);

    frame_udp4(&p, 0);
    put16(&p, 16, 19);                  /* total length < header */
    expect_invalid(f, DISSECT_DLT_EN10MB, &p, DEV_IPV4_IPLEN_SMALLER_THAN_HLEN);

    frame_udp4(&p, 8);
    p.n -= 1;                           /* total length > captured */
    expect_invalid(f, DISSECT_DLT_EN10MB, &p, DEV_IPV4_TRUNC_PKT);
    /* the IP layer was not accepted: no addresses reported */
    assert_int_equal(f->d.ip_v, 0);

    frame_udp4(&p, 8);
    p.b[14] = 0x46;                     /* IHL 6 but total length 36 ok, */
    put16(&p, 16, 22);                  /* ... total 22 < 24 */
    expect_invalid(f, DISSECT_DLT_EN10MB, &p, DEV_IPV4_IPLEN_SMALLER_THAN_HLEN);
}

static void ipv4_unknown_proto(void **state)
{
    struct fx *f = *state;
    struct pb p;
    p.n = 0;
    eth(&p, 0x0800);
    size_t ip = ip4_begin(&p, 89, IP_A, IP_B);   /* OSPF */
    fill(&p, 0, 12);
    ip4_end(&p, ip);
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.ip_v, 4);
    assert_int_equal(f->d.proto, 89);
    assert_false(f->d.has_l4);
    assert_int_equal(f->d.nevents, 0);
    assert_int_equal(C(f, UNKNOWN_L4), 1);
}

/* ------------------------------------------------------------------ */
/* IPv4 options */

struct opt_case {
    uint8_t opts[40];
    size_t len;
    enum dissect_result res;
    int ev;                    /* expected among the events, -1 none */
    int ev2;
};

static void ipv4_options(void **state)
{
    struct fx *f = *state;
    const struct opt_case cases[] = {
        /* router alert: fine, but 4 bytes is not a multiple of 8 (Suricata) */
        { { 0x94, 0x04, 0x00, 0x00 }, 4, DISSECT_DECODED, DEV_IPV4_OPT_PAD_REQUIRED, -1 },
        /* NOPs then EOL */
        { { 0x01, 0x01, 0x01, 0x00, 0, 0, 0, 0 }, 8, DISSECT_DECODED, -1, -1 },
        /* record route, pointer 4, one slot, EOL */
        { { 0x07, 0x07, 0x04, 0, 0, 0, 0, 0x00 }, 8, DISSECT_DECODED, -1, -1 },
        /* record route, route full (pointer len + 1) */
        { { 0x07, 0x07, 0x08, 1, 2, 3, 4, 0x00 }, 8, DISSECT_DECODED, -1, -1 },
        /* record route, pointer not on a 4-byte step */
        { { 0x07, 0x07, 0x05, 0, 0, 0, 0, 0x00 }, 8, DISSECT_INVALID, DEV_IPV4_OPT_MALFORMED, -1 },
        /* record route, pointer past the end */
        { { 0x07, 0x07, 0x0c, 0, 0, 0, 0, 0x00 }, 8, DISSECT_INVALID, DEV_IPV4_OPT_MALFORMED, -1 },
        /* record route too short for its pointer */
        { { 0x07, 0x02, 0x00, 0x00, 0, 0, 0, 0 }, 8, DISSECT_INVALID, DEV_IPV4_OPT_INVALID_LEN, -1 },
        /* timestamp, flag 0, empty */
        { { 0x44, 0x08, 0x05, 0x00, 0, 0, 0, 0 }, 8, DISSECT_DECODED, -1, -1 },
        /* timestamp, flag 1 (address + time), pointer 9: not on an 8-byte step */
        { { 0x44, 0x0c, 0x09, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, 16,
          DISSECT_INVALID, DEV_IPV4_OPT_MALFORMED, -1 },
        /* timestamp, pointer below 5 */
        { { 0x44, 0x08, 0x04, 0x00, 0, 0, 0, 0 }, 8, DISSECT_INVALID, DEV_IPV4_OPT_MALFORMED, -1 },
        /* option length 1 */
        { { 0x07, 0x01, 0, 0, 0, 0, 0, 0 }, 8, DISSECT_INVALID, DEV_IPV4_OPT_INVALID_LEN, -1 },
        /* option length 0 */
        { { 0x94, 0x00, 0, 0 }, 4, DISSECT_INVALID, DEV_IPV4_OPT_INVALID_LEN, -1 },
        /* option longer than the options */
        { { 0x07, 0x20, 0x04, 0, 0, 0, 0, 0 }, 8, DISSECT_INVALID, DEV_IPV4_OPT_INVALID_LEN, -1 },
        /* unknown option: only flagged (Suricata calls it opt_invalid) */
        { { 0x9e, 0x04, 0, 0, 0, 0, 0, 0 }, 8, DISSECT_DECODED, DEV_IPV4_OPT_INVALID, -1 },
        /* router alert twice */
        { { 0x94, 0x04, 0, 0, 0x94, 0x04, 0, 0 }, 8, DISSECT_DECODED, DEV_IPV4_OPT_DUPLICATE, -1 },
        /* a multi-byte option type in the last byte */
        { { 0x01, 0x01, 0x01, 0x44 }, 4, DISSECT_DECODED, DEV_IPV4_OPT_EOL_REQUIRED,
          DEV_IPV4_OPT_PAD_REQUIRED },
        /* CIPSO: DOI 1, tag 1 (len 4, alignment 0, level 5), padded */
        { { 0x86, 0x0a, 0, 0, 0, 1, 0x01, 0x04, 0x00, 0x05, 0x01, 0x00, 0, 0, 0, 0 }, 16,
          DISSECT_DECODED, -1, -1 },
        /* CIPSO with a reserved tag 0 */
        { { 0x86, 0x0a, 0, 0, 0, 1, 0x00, 0x04, 0x00, 0x05, 0x01, 0x00, 0, 0, 0, 0 }, 16,
          DISSECT_INVALID, DEV_IPV4_OPT_MALFORMED, -1 },
        /* CIPSO tag 1 with a non-zero alignment octet */
        { { 0x86, 0x0a, 0, 0, 0, 1, 0x01, 0x04, 0x07, 0x05, 0x01, 0x00, 0, 0, 0, 0 }, 16,
          DISSECT_INVALID, DEV_IPV4_OPT_MALFORMED, -1 },
        /* CIPSO too short */
        { { 0x86, 0x06, 0, 0, 0, 1, 0, 0 }, 8, DISSECT_INVALID, DEV_IPV4_OPT_INVALID_LEN, -1 },
        /* stream id of length 3 */
        { { 0x88, 0x03, 0, 0x00 }, 4, DISSECT_INVALID, DEV_IPV4_OPT_INVALID_LEN, -1 },
        /* quick start shorter than 8 */
        { { 0x19, 0x06, 0, 0, 0, 0, 0, 0 }, 8, DISSECT_INVALID, DEV_IPV4_OPT_INVALID_LEN, -1 },
        /* security, loose and strict source route */
        { { 0x82, 0x03, 0x00, 0x00, 0x83, 0x03, 0x04, 0x89, 0x03, 0x04, 0x00, 0x00,
            0, 0, 0, 0 }, 16, DISSECT_DECODED, -1, -1 },
    };
    for (size_t i = 0; i < NS_ARRAY_LEN(cases); i++) {
        const struct opt_case *c = &cases[i];
        struct pb p;
        frame_ip4opts(&p, c->opts, c->len);
        enum dissect_result r = run(f, DISSECT_DLT_EN10MB, p.b, p.n);
        if (r != c->res)
            fail_msg("case %zu: result %d, expected %d", i, r, c->res);
        if (c->ev < 0 && r == DISSECT_DECODED && f->d.nevents != 0)
            fail_msg("case %zu: unexpected event %s", i, dissect_event_name(f->d.events[0]));
        if (c->ev >= 0 && !has_event(&f->d, (enum dissect_event)c->ev))
            fail_msg("case %zu: no %s", i, dissect_event_name((unsigned)c->ev));
        if (c->ev2 >= 0 && !has_event(&f->d, (enum dissect_event)c->ev2))
            fail_msg("case %zu: no %s", i, dissect_event_name((unsigned)c->ev2));
        if (r == DISSECT_INVALID && f->d.events[0] != c->ev)
            fail_msg("case %zu: reason %s", i, dissect_event_name(f->d.events[0]));
        if (r == DISSECT_DECODED) {
            assert_true(f->d.has_l4);
            assert_int_equal(f->d.sport, 1);
        }
    }
}

/* ------------------------------------------------------------------ */
/* TCP */

static void tcp_errors(void **state)
{
    struct fx *f = *state;
    struct pb p;

    frame_tcp4_opts(&p, NULL, 0);
    p.n -= 1;
    put16(&p, 16, (uint16_t)(p.n - 14));
    expect_invalid(f, DISSECT_DLT_EN10MB, &p, DEV_TCP_PKT_TOO_SMALL);
    assert_int_equal(f->d.ip_v, 4);    /* filled as far as it goes */
    assert_false(f->d.has_l4);

    frame_tcp4_opts(&p, NULL, 0);
    p.b[14 + 20 + 12] = 0xf0;           /* data offset 15: 60 > 20 */
    expect_invalid(f, DISSECT_DLT_EN10MB, &p, DEV_TCP_HLEN_TOO_SMALL);

    frame_tcp4_opts(&p, NULL, 0);
    p.b[14 + 20 + 12] = 0x40;           /* data offset 4 */
    expect_invalid(f, DISSECT_DLT_EN10MB, &p, DEV_TCP_INVALID_OPTLEN);
    assert_int_equal(C(f, TCP), 3);
}

static void tcp_options(void **state)
{
    struct fx *f = *state;
    struct pb p;

    /* window scale 15 is used as 14 (RFC 7323) */
    const uint8_t ws15[] = { 0x01, 0x03, 0x03, 0x0f };
    frame_tcp4_opts(&p, ws15, sizeof(ws15));
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.tcp_wscale, 14);
    assert_int_equal(f->d.nevents, 0);

    /* option length 0: flagged, options abandoned, packet fine */
    const uint8_t len0[] = { 0x02, 0x00, 0x00, 0x00 };
    frame_tcp4_opts(&p, len0, sizeof(len0));
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.events[0], DEV_TCP_OPT_INVALID_LEN);
    assert_true(f->d.has_l4);

    /* option running past the header */
    const uint8_t past[] = { 0x01, 0x08, 0x0a, 0x00 };
    frame_tcp4_opts(&p, past, sizeof(past));
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.events[0], DEV_TCP_OPT_INVALID_LEN);
    assert_false(f->d.tcp_has_ts);

    /* MSS of length 3, then a good window scale */
    const uint8_t mss3[] = { 0x02, 0x03, 0x05, 0x03, 0x03, 0x02, 0x00, 0x00 };
    frame_tcp4_opts(&p, mss3, sizeof(mss3));
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.nevents, 1);
    assert_int_equal(f->d.events[0], DEV_TCP_OPT_INVALID_LEN);
    assert_int_equal(f->d.tcp_wscale, 2);

    /* window scale twice: the first one counts */
    const uint8_t ws2[] = { 0x03, 0x03, 0x04, 0x03, 0x03, 0x09, 0x00, 0x00 };
    frame_tcp4_opts(&p, ws2, sizeof(ws2));
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.events[0], DEV_TCP_OPT_DUPLICATE);
    assert_int_equal(f->d.tcp_wscale, 4);

    /* SACK with one block: fine; with 4 bytes of block: bad length */
    const uint8_t sack[] = { 0x01, 0x01, 0x05, 0x0a, 0, 0, 0, 1, 0, 0, 0, 2 };
    frame_tcp4_opts(&p, sack, sizeof(sack));
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.nevents, 0);
    const uint8_t sackempty[] = { 0x01, 0x01, 0x05, 0x02 };
    frame_tcp4_opts(&p, sackempty, sizeof(sackempty));
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.nevents, 0);
    const uint8_t sackbad[] = { 0x01, 0x01, 0x05, 0x06, 0, 0, 0, 1 };
    frame_tcp4_opts(&p, sackbad, sizeof(sackbad));
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.events[0], DEV_TCP_OPT_INVALID_LEN);

    /* timestamp of length 8, SACK-permitted of length 3, unknown kinds */
    const uint8_t tsbad[] = { 0x08, 0x08, 1, 2, 3, 4, 5, 6, 0x04, 0x03, 0x00, 0x1e, 0x02, 0x00,
                              0x00, 0x00 };
    frame_tcp4_opts(&p, tsbad, sizeof(tsbad));
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.nevents, 2);
    assert_false(f->d.tcp_has_ts);
    assert_int_equal(E(f, TCP_OPT_INVALID_LEN), 6);
    assert_int_equal(E(f, TCP_OPT_DUPLICATE), 1);
}

/* ------------------------------------------------------------------ */
/* UDP, SCTP */

static void udp_good_and_errors(void **state)
{
    struct fx *f = *state;
    struct pb p;
    frame_udp4(&p, 5);
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.proto, 17);
    assert_int_equal(f->d.sport, 1111);
    assert_int_equal(f->d.dport, 53);
    assert_int_equal(f->d.payload_len, 5);
    assert_memory_equal(f->d.payload, "abcde", 5);
    assert_int_equal(C(f, UDP), 1);

    frame_udp4(&p, 0);
    p.n -= 1;                            /* 7 bytes of UDP */
    put16(&p, 16, (uint16_t)(p.n - 14));
    expect_invalid(f, DISSECT_DLT_EN10MB, &p, DEV_UDP_HLEN_TOO_SMALL);

    frame_udp4(&p, 4);
    put16(&p, 14 + 20 + 4, 13);          /* UDP says 13 of 12 */
    expect_invalid(f, DISSECT_DLT_EN10MB, &p, DEV_UDP_PKT_TOO_SMALL);

    frame_udp4(&p, 4);
    put16(&p, 14 + 20 + 4, 7);
    expect_invalid(f, DISSECT_DLT_EN10MB, &p, DEV_UDP_LEN_INVALID);

    frame_udp4(&p, 4);
    put16(&p, 14 + 20 + 4, 10);          /* shorter than the IP payload */
    expect_invalid(f, DISSECT_DLT_EN10MB, &p, DEV_UDP_HLEN_INVALID);
    assert_int_equal(C(f, UDP), 5);
}

static void sctp(void **state)
{
    struct fx *f = *state;
    struct pb p;
    p.n = 0;
    eth(&p, 0x0800);
    size_t ip = ip4_begin(&p, 132, IP_A, IP_B);
    be16(&p, 2905);
    be16(&p, 2906);
    be32(&p, 0xdeadbeef);
    be32(&p, 0);
    fill(&p, 0x11, 16);
    ip4_end(&p, ip);
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.sport, 2905);
    assert_int_equal(f->d.dport, 2906);
    assert_int_equal(f->d.payload_len, 16);
    assert_true(f->d.has_l4);
    p.n -= 16 + 1;
    put16(&p, 16, (uint16_t)(p.n - 14));
    expect_invalid(f, DISSECT_DLT_EN10MB, &p, DEV_SCTP_PKT_TOO_SMALL);
    assert_int_equal(C(f, SCTP), 2);
}

/* The header pointers the rules' ipv4.hdr ... icmpv6.hdr read: the IP
 * header with its options, the transport header as Suricata sizes it. */
static void header_pointers(void **state)
{
    struct fx *f = *state;
    struct pb p;
    frame_tcp4(&p, (const uint8_t *)"hello", 5);
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_ptr_equal(f->d.l3_hdr, p.b + 14);
    assert_int_equal(f->d.l3_hdr_len, 20);
    assert_ptr_equal(f->d.l4_hdr, p.b + 34);
    assert_int_equal(f->d.l4_hdr_len, 40);                  /* with its options */

    static const uint8_t nops[4] = { 1, 1, 1, 1 };
    frame_ip4opts(&p, nops, sizeof(nops));
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.l3_hdr_len, 24);
    assert_ptr_equal(f->d.l4_hdr, p.b + 14 + 24);
    assert_int_equal(f->d.l4_hdr_len, 20);

    frame_udp4(&p, 3);
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_ptr_equal(f->d.l4_hdr, p.b + 34);
    assert_int_equal(f->d.l4_hdr_len, 8);

    /* ICMPv4: 8 bytes; a timestamp request adds its 12 when they are there */
    for (int whole = 0; whole < 2; whole++) {
        p.n = 0;
        eth(&p, 0x0800);
        size_t ip = ip4_begin(&p, 1, IP_A, IP_B);
        icmp(&p, 13, 0, 7);
        fill(&p, 0, whole ? 12 : 11);
        ip4_end(&p, ip);
        assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
        assert_int_equal(f->d.l4_hdr_len, whole ? 20 : 8);
    }
    /* a router advertisement: 2 entries of 2 words */
    p.n = 0;
    eth(&p, 0x0800);
    size_t ip = ip4_begin(&p, 1, IP_A, IP_B);
    u8(&p, 9);
    u8(&p, 0);
    be16(&p, 0);
    u8(&p, 2);
    u8(&p, 2);
    be16(&p, 1800);
    fill(&p, 0, 16);
    ip4_end(&p, ip);
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.l4_hdr_len, 24);

    p.n = 0;
    eth(&p, 0x86dd);
    ip = ip6_begin(&p, 58, IP6_A, IP6_B);
    icmp(&p, 128, 0, 1);
    ip6_end(&p, ip);
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_ptr_equal(f->d.l3_hdr, p.b + 14);
    assert_int_equal(f->d.l3_hdr_len, 40);
    assert_ptr_equal(f->d.l4_hdr, p.b + 54);
    assert_int_equal(f->d.l4_hdr_len, 8);

    /* no IP: no headers */
    p.n = 0;
    eth(&p, 0x0806);
    fill(&p, 0, 28);
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_null(f->d.l3_hdr);
    assert_null(f->d.l4_hdr);
}

/* ------------------------------------------------------------------ */
/* ICMP */

static void icmp4_frame(struct pb *p, uint8_t type, uint8_t code, size_t icmplen)
{
    p->n = 0;
    eth(p, 0x0800);
    size_t ip = ip4_begin(p, 1, IP_A, IP_B);
    icmp(p, type, code, 0x4242);
    fill(p, 0x5a, 8);
    p->n -= 16 - icmplen;
    ip4_end(p, ip);
}

static void icmpv4(void **state)
{
    struct fx *f = *state;
    struct pb p;
    icmp4_frame(&p, 8, 0, 16);
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.proto, 1);
    assert_int_equal(f->d.icmp_type, 8);
    assert_int_equal(f->d.icmp_code, 0);
    assert_int_equal(f->d.icmp_id, 0x4242);
    assert_int_equal(f->d.sport, 0);
    assert_true(f->d.has_l4);
    assert_int_equal(f->d.payload_len, 8);
    assert_int_equal(f->d.nevents, 0);

    icmp4_frame(&p, 0, 0, 16);
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.icmp_id, 0x4242);

    icmp4_frame(&p, 3, 3, 16);           /* port unreachable: no id */
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.icmp_id, 0);
    assert_int_equal(f->d.nevents, 0);

    icmp4_frame(&p, 3, 20, 16);
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.events[0], DEV_ICMPV4_UNKNOWN_CODE);

    icmp4_frame(&p, 9, 16, 16);          /* router advertisement, mobile IP */
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.nevents, 0);

    icmp4_frame(&p, 99, 0, 16);
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.events[0], DEV_ICMPV4_UNKNOWN_TYPE);
    assert_int_equal(f->d.icmp_type, 99);

    icmp4_frame(&p, 8, 0, 7);
    expect_invalid(f, DISSECT_DLT_EN10MB, &p, DEV_ICMPV4_PKT_TOO_SMALL);
    assert_int_equal(C(f, ICMPV4), 7);

    /* ICMPv6 over IPv4 */
    p.n = 0;
    eth(&p, 0x0800);
    size_t ip = ip4_begin(&p, 58, IP_A, IP_B);
    icmp(&p, 128, 0, 1);
    ip4_end(&p, ip);
    expect_invalid(f, DISSECT_DLT_EN10MB, &p, DEV_IPV4_WITH_ICMPV6);
}

static void icmp6_frame(struct pb *p, uint8_t nh, uint8_t type, uint8_t code, size_t icmplen)
{
    p->n = 0;
    eth(p, 0x86dd);
    size_t ip = ip6_begin(p, nh, IP6_A, IP6_B);
    icmp(p, type, code, 0x0777);
    fill(p, 0, 8);
    p->n -= 16 - icmplen;
    ip6_end(p, ip);
}

static void icmpv6(void **state)
{
    struct fx *f = *state;
    struct pb p;
    icmp6_frame(&p, 58, 128, 0, 16);
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.ip_v, 6);
    assert_int_equal(f->d.proto, 58);
    assert_int_equal(f->d.icmp_type, 128);
    assert_int_equal(f->d.icmp_id, 0x0777);
    assert_int_equal(f->d.ttl, 55);
    assert_memory_equal(f->d.src, IP6_A, 16);
    assert_memory_equal(f->d.dst, IP6_B, 16);
    assert_int_equal(f->d.nevents, 0);

    icmp6_frame(&p, 58, 129, 0, 16);
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.icmp_id, 0x0777);

    icmp6_frame(&p, 58, 135, 0, 16);     /* neighbour solicitation */
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.icmp_id, 0);
    assert_int_equal(f->d.nevents, 0);

    icmp6_frame(&p, 58, 135, 1, 16);
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.events[0], DEV_ICMPV6_UNKNOWN_CODE);

    icmp6_frame(&p, 58, 200, 0, 16);
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.events[0], DEV_ICMPV6_EXPERIMENTATION_TYPE);

    icmp6_frame(&p, 58, 50, 0, 16);
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.events[0], DEV_ICMPV6_UNASSIGNED_TYPE);

    icmp6_frame(&p, 58, 127, 0, 16);
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.events[0], DEV_ICMPV6_UNKNOWN_TYPE);

    icmp6_frame(&p, 58, 128, 0, 5);
    expect_invalid(f, DISSECT_DLT_EN10MB, &p, DEV_ICMPV6_PKT_TOO_SMALL);

    icmp6_frame(&p, 1, 8, 0, 16);        /* ICMPv4 over IPv6 */
    expect_invalid(f, DISSECT_DLT_EN10MB, &p, DEV_IPV6_WITH_ICMPV4);
}

/* ------------------------------------------------------------------ */
/* IPv6 */

static void frame_udp6(struct pb *p, size_t n)
{
    p->n = 0;
    eth(p, 0x86dd);
    size_t ip = ip6_begin(p, 17, IP6_A, IP6_B);
    size_t u = udp_begin(p, 5353, 5353);
    fill(p, 'x', n);
    udp_end(p, u);
    ip6_end(p, ip);
}

/* A frame cut by the capture's snap length (caplen < wire length): the IP
 * and UDP lengths reach past what was captured, legitimately.  The
 * headers that are there are decoded, the payload is what was captured,
 * and ipv4.trunc_pkt is still counted.  With nothing cut, the same
 * lengths are a lying header: invalid, as before; and a header claiming
 * more than the frame had on the wire is invalid either way. */
static enum dissect_result run_cut(struct fx *f, const struct pb *p, size_t caplen)
{
    struct ns_pkt pk = {
        .data = p->b, .caplen = (uint32_t)caplen, .wirelen = (uint32_t)p->n,
        .ts_us = f->ts, .pcap_cnt = 1, .dlt = DISSECT_DLT_EN10MB,
    };
    return dissect_packet(&f->dc, &pk, &f->d);
}

static void snaplen_cut(void **state)
{
    struct fx *f = *state;
    struct pb p;
    frame_udp4(&p, 200);
    uint64_t inv = C(f, INVALID);
    assert_int_equal(run_cut(f, &p, 14 + 20 + 8 + 50), DISSECT_DECODED);
    assert_int_equal(f->d.proto, 17);
    assert_int_equal(f->d.dport, 53);
    assert_int_equal(f->d.payload_len, 50);
    assert_memory_equal(f->d.payload, "abcde", 5);
    assert_true(has_event(&f->d, DEV_IPV4_TRUNC_PKT));
    assert_int_equal(E(f, IPV4_TRUNC_PKT), 1);
    assert_int_equal(C(f, INVALID), inv);
    /* the same bytes, not cut by the capture: the header lies */
    struct pb q = p;
    q.n = 14 + 20 + 8 + 50;
    expect_invalid(f, DISSECT_DLT_EN10MB, &q, DEV_IPV4_TRUNC_PKT);
    /* cut, but IP claims more than the wire had */
    put16(&p, 14 + 2, (uint16_t)(p.n - 14 + 1));
    assert_int_equal(run_cut(f, &p, 14 + 20 + 8 + 50), DISSECT_INVALID);
    /* cut, and UDP's length disagrees with IP's: invalid as ever */
    frame_udp4(&p, 200);
    put16(&p, 14 + 20 + 4, 8 + 100);
    assert_int_equal(run_cut(f, &p, 14 + 20 + 8 + 50), DISSECT_INVALID);
    assert_int_equal(f->d.events[0], DEV_UDP_HLEN_INVALID);
    /* cut inside the IP header: nothing to decode */
    frame_udp4(&p, 200);
    assert_int_equal(run_cut(f, &p, 14 + 12), DISSECT_INVALID);

    /* TCP: the segment's captured part is its payload */
    static const uint8_t get[] = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    frame_tcp4(&p, get, sizeof(get) - 1);
    size_t hdrs = 14 + 20 + 20 + sizeof(SYN_OPTS);
    assert_int_equal(run_cut(f, &p, hdrs + 10), DISSECT_DECODED);
    assert_int_equal(f->d.sport, 40000);
    assert_int_equal(f->d.payload_len, 10);
    assert_memory_equal(f->d.payload, "GET / HTTP", 10);

    /* IPv6 */
    frame_udp6(&p, 300);
    assert_int_equal(run_cut(f, &p, 14 + 40 + 8 + 20), DISSECT_DECODED);
    assert_int_equal(f->d.ip_v, 6);
    assert_int_equal(f->d.payload_len, 20);
    assert_true(has_event(&f->d, DEV_IPV6_TRUNC_PKT));
    q = p;
    q.n = 14 + 40 + 8 + 20;
    expect_invalid(f, DISSECT_DLT_EN10MB, &q, DEV_IPV6_TRUNC_PKT);
}

static void ipv6_basic(void **state)
{
    struct fx *f = *state;
    struct pb p;
    frame_udp6(&p, 10);
    fill(&p, 0, 6);                       /* trailing padding is trimmed */
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.ip_v, 6);
    assert_int_equal(f->d.ip_len, 40 + 18);
    assert_int_equal(f->d.payload_len, 10);
    assert_int_equal(C(f, IPV6), 1);

    frame_udp6(&p, 0);
    p.n = 14 + 39;
    expect_invalid(f, DISSECT_DLT_EN10MB, &p, DEV_IPV6_PKT_TOO_SMALL);

    frame_udp6(&p, 0);
    p.b[14] = 0x40;
    expect_invalid(f, DISSECT_DLT_EN10MB, &p, DEV_IPV6_WRONG_IP_VER);

    frame_udp6(&p, 4);
    p.n -= 1;
    expect_invalid(f, DISSECT_DLT_EN10MB, &p, DEV_IPV6_TRUNC_PKT);

    /* jumbogram: payload length 0 with a hop-by-hop header */
    frame_udp6(&p, 4);
    put16(&p, 14 + 4, 0);
    p.b[14 + 6] = 0;
    expect_invalid(f, DISSECT_DLT_EN10MB, &p, DEV_IPV6_TRUNC_PKT);

    /* payload length 0, no next header */
    frame_udp6(&p, 0);
    p.n = 14 + 40;
    put16(&p, 14 + 4, 0);
    p.b[14 + 6] = 59;
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.proto, 59);
    assert_false(f->d.has_l4);
    assert_int_equal(f->d.nevents, 0);
}

/* IPv6 with the given extension headers (already chained: ext[0] is the
 * first header's next-header) and then UDP. */
static void frame_v6ext(struct pb *p, uint8_t first, const uint8_t *ext, size_t extlen)
{
    p->n = 0;
    eth(p, 0x86dd);
    size_t ip = ip6_begin(p, first, IP6_A, IP6_B);
    bytes(p, ext, extlen);
    size_t u = udp_begin(p, 1000, 2000);
    fill(p, 'u', 4);
    udp_end(p, u);
    ip6_end(p, ip);
}

static void ipv6_exthdrs(void **state)
{
    struct fx *f = *state;
    struct pb p;

    /* hop-by-hop (router alert + 2 Pad1), destination (PadN only),
     * routing type 2, then UDP */
    const uint8_t chain[] = {
        60, 0, 0x05, 0x02, 0x00, 0x00, 0x00, 0x00,
        43, 0, 0x01, 0x04, 0, 0, 0, 0,
        17, 2, 2, 1, 0, 0, 0, 0, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9,
    };
    frame_v6ext(&p, 0, chain, sizeof(chain));
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.proto, 17);
    assert_int_equal(f->d.sport, 1000);
    assert_int_equal(f->d.payload_len, 4);
    assert_int_equal(f->d.nevents, 1);
    assert_int_equal(f->d.events[0], DEV_IPV6_DSTOPTS_ONLY_PADDING);

    /* destination options, then hop-by-hop: not first */
    const uint8_t notfirst[] = { 0, 0, 0x01, 0x04, 0, 0, 0, 0, 17, 0, 0x05, 0x02, 0, 0, 0x01, 0x00 };
    frame_v6ext(&p, 60, notfirst, sizeof(notfirst));
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_true(has_event(&f->d, DEV_IPV6_HOPOPTS_NOT_FIRST));
    assert_true(has_event(&f->d, DEV_IPV6_EXTHDR_ZERO_LEN_PADN));
    assert_int_equal(f->d.dport, 2000);

    /* two hop-by-hop headers */
    const uint8_t duphh[] = { 0, 0, 0x05, 0x02, 0, 0, 0, 0, 17, 0, 0x05, 0x02, 0, 0, 0, 0 };
    frame_v6ext(&p, 0, duphh, sizeof(duphh));
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.events[0], DEV_IPV6_EXTHDR_DUPL_HH);
    assert_int_equal(f->d.nevents, 1);

    /* three destination options headers, two routing headers */
    const uint8_t dups[] = {
        60, 0, 0x05, 0x02, 0, 0, 0, 0,  60, 0, 0x05, 0x02, 0, 0, 0, 0,
        43, 0, 0x05, 0x02, 0, 0, 0, 0,  43, 0, 2, 0, 0, 0, 0, 0,
        17, 0, 2, 0, 0, 0, 0, 0,
    };
    frame_v6ext(&p, 60, dups, sizeof(dups));
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_true(has_event(&f->d, DEV_IPV6_EXTHDR_DUPL_DH));
    assert_true(has_event(&f->d, DEV_IPV6_EXTHDR_DUPL_RH));
    assert_int_equal(f->d.proto, 17);

    /* routing type 0 (RFC 5095) */
    const uint8_t rh0[] = { 17, 0, 0, 0, 0, 0, 0, 0 };
    frame_v6ext(&p, 43, rh0, sizeof(rh0));
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.events[0], DEV_IPV6_EXTHDR_RH_TYPE_0);

    /* AH (24 bytes) with a non-zero reserved field, then UDP */
    const uint8_t ah[24] = { 17, 4, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1 };
    frame_v6ext(&p, 51, ah, sizeof(ah));
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.proto, 17);
    assert_int_equal(f->d.events[0], DEV_IPV6_EXTHDR_AH_RES_NOT_NULL);

    /* unknown hop-by-hop option; option running past its header */
    const uint8_t unk[] = { 17, 0, 0x3e, 0x00, 0x01, 0x02, 0x00, 0x00 };
    frame_v6ext(&p, 0, unk, sizeof(unk));
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.events[0], DEV_IPV6_HOPOPTS_UNKNOWN_OPT);
    const uint8_t optlen[] = { 17, 0, 0x05, 0x02, 0x00, 0x00, 0x01, 0x09 };
    frame_v6ext(&p, 0, optlen, sizeof(optlen));
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.events[0], DEV_IPV6_EXTHDR_INVALID_OPTLEN);

    /* destination options with a home address (RFC 6275), then a jumbo
     * payload option that is too short, then a mobility header */
    const uint8_t hao[] = {
        60, 2, 0xc9, 16, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
        0x01, 0x02, 0, 0,
        135, 0, 0xc2, 0x02, 0, 0, 0, 0,
        17, 0, 0, 0, 0, 0, 0, 0,
    };
    frame_v6ext(&p, 60, hao, sizeof(hao));
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.nevents, 1);
    assert_int_equal(f->d.events[0], DEV_IPV6_EXTHDR_INVALID_OPTLEN);
    assert_int_equal(f->d.proto, 17);
    assert_int_equal(f->d.sport, 1000);

    /* hop-by-hop claiming 16 bytes in a 12-byte payload */
    p.n = 0;
    eth(&p, 0x86dd);
    size_t ip = ip6_begin(&p, 0, IP6_A, IP6_B);
    const uint8_t trunc[] = { 17, 1, 0x01, 0x04, 0, 0, 0, 0, 0, 0, 0, 0 };
    bytes(&p, trunc, sizeof(trunc));
    ip6_end(&p, ip);
    expect_invalid(f, DISSECT_DLT_EN10MB, &p, DEV_IPV6_TRUNC_EXTHDR);

    /* an extension header with no room for its length byte */
    p.n = 0;
    eth(&p, 0x86dd);
    ip = ip6_begin(&p, 43, IP6_A, IP6_B);
    u8(&p, 17);
    ip6_end(&p, ip);
    expect_invalid(f, DISSECT_DLT_EN10MB, &p, DEV_IPV6_TRUNC_EXTHDR);

    /* an upper layer with under 2 bytes left: Suricata calls it a
     * truncated extension header, after an atomic fragment too */
    p.n = 0;
    eth(&p, 0x86dd);
    ip = ip6_begin(&p, 6, IP6_A, IP6_B);
    u8(&p, 0);
    ip6_end(&p, ip);
    expect_invalid(f, DISSECT_DLT_EN10MB, &p, DEV_IPV6_TRUNC_EXTHDR);
    p.n = 0;
    eth(&p, 0x86dd);
    ip = ip6_begin(&p, 44, IP6_A, IP6_B);
    const uint8_t atomic[8] = { 58, 0, 0, 0, 0xfa, 0xce, 0xf0, 0xe6 };
    bytes(&p, atomic, 8);
    ip6_end(&p, ip);
    expect_invalid(f, DISSECT_DLT_EN10MB, &p, DEV_IPV6_TRUNC_EXTHDR);
    assert_int_equal(f->d.events[1], DEV_IPV6_EXTHDR_USELESS_FH);

    /* unknown next header */
    p.n = 0;
    eth(&p, 0x86dd);
    ip = ip6_begin(&p, 253, IP6_A, IP6_B);
    fill(&p, 0, 8);
    ip6_end(&p, ip);
    uint64_t unk_l4 = C(f, UNKNOWN_L4);
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.events[0], DEV_IPV6_UNKNOWN_NEXT_HEADER);
    assert_int_equal(f->d.proto, 253);
    assert_false(f->d.has_l4);
    assert_int_equal(C(f, UNKNOWN_L4), unk_l4 + 1);

    /* no next header, but data */
    p.b[14 + 6] = 59;
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.events[0], DEV_IPV6_DATA_AFTER_NONE_HEADER);

    /* ESP: nothing more to decode, not an unknown header */
    p.b[14 + 6] = 50;
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.nevents, 0);
    assert_int_equal(f->d.proto, 50);
}

static void events_capped_and_reason_first(void **state)
{
    struct fx *f = *state;
    struct pb p;
    /* 7 unknown hop-by-hop options: all counted, 4 kept */
    const uint8_t many[] = { 17, 1, 0x3e, 0, 0x3e, 0, 0x3e, 0, 0x3e, 0, 0x3e, 0, 0x3e, 0, 0x3e, 0 };
    frame_v6ext(&p, 0, many, sizeof(many));
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.nevents, DISSECT_MAX_EVENTS);
    assert_int_equal(E(f, IPV6_HOPOPTS_UNKNOWN_OPT), 7);

    /* ... and then a malformed UDP header: the reason goes first */
    size_t u = 14 + 40 + sizeof(many);
    put16(&p, u + 4, 7);
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_INVALID);
    assert_int_equal(f->d.nevents, DISSECT_MAX_EVENTS);
    assert_int_equal(f->d.events[0], DEV_UDP_LEN_INVALID);
    assert_int_equal(f->d.events[1], DEV_IPV6_HOPOPTS_UNKNOWN_OPT);
    assert_int_equal(E(f, IPV6_HOPOPTS_UNKNOWN_OPT), 14);
    assert_int_equal(C(f, INVALID), 1);

    /* one non-fatal event, then a fatal one */
    const uint8_t ra[] = { 0x94, 0x04, 0x00, 0x00 };
    frame_ip4opts(&p, ra, sizeof(ra));
    p.n -= 10;
    put16(&p, 16, (uint16_t)(p.n - 14));
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_INVALID);
    assert_int_equal(f->d.nevents, 2);
    assert_int_equal(f->d.events[0], DEV_TCP_PKT_TOO_SMALL);
    assert_int_equal(f->d.events[1], DEV_IPV4_OPT_PAD_REQUIRED);
}

/* ------------------------------------------------------------------ */
/* VLAN, ARP, other ethertypes */

static void frame_vlan_udp(struct pb *p, const uint16_t *types, const uint16_t *tcis, size_t n)
{
    p->n = 0;
    eth(p, n ? types[0] : 0x0800);
    for (size_t i = 0; i < n; i++)
        vlan(p, tcis[i], i + 1 < n ? types[i + 1] : 0x0800);
    size_t ip = ip4_begin(p, 17, IP_A, IP_B);
    size_t u = udp_begin(p, 1, 2);
    udp_end(p, u);
    ip4_end(p, ip);
}

static void vlans(void **state)
{
    struct fx *f = *state;
    struct pb p;

    const uint16_t t1[] = { 0x8100 }, v1[] = { 0xe064 };   /* PCP 7, VID 100 */
    frame_vlan_udp(&p, t1, v1, 1);
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.vlan_cnt, 1);
    assert_int_equal(f->d.vlan[0], 100);
    assert_int_equal(f->d.sport, 1);
    assert_int_equal(C(f, VLAN), 1);

    const uint16_t t2[] = { 0x88a8, 0x8100 }, v2[] = { 10, 20 };
    frame_vlan_udp(&p, t2, v2, 2);
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.vlan_cnt, 2);
    assert_int_equal(f->d.vlan[0], 10);
    assert_int_equal(f->d.vlan[1], 20);
    assert_int_equal(C(f, VLAN), 2);
    assert_int_equal(C(f, VLAN_QINQ), 1);

    const uint16_t t3[] = { 0x9100, 0x8100 }, v3[] = { 4095, 1 };
    frame_vlan_udp(&p, t3, v3, 2);
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.vlan[0], 4095);
    assert_int_equal(f->d.vlan[1], 1);

    const uint16_t t4[] = { 0x88a8, 0x8100, 0x8100 }, v4[] = { 1, 2, 3 };
    frame_vlan_udp(&p, t4, v4, 3);
    expect_invalid(f, DISSECT_DLT_EN10MB, &p, DEV_VLAN_TOO_MANY_LAYERS);

    p.n = 0;
    eth(&p, 0x8100);
    be16(&p, 5);
    expect_invalid(f, DISSECT_DLT_EN10MB, &p, DEV_VLAN_HEADER_TOO_SMALL);
}

static void frame_arp(struct pb *p)
{
    p->n = 0;
    eth(p, 0x0806);
    be16(p, 1);
    be16(p, 0x0800);
    u8(p, 6);
    u8(p, 4);
    be16(p, 1);
    bytes(p, MAC_SRC, 6);
    be32(p, IP_A);
    fill(p, 0, 6);
    be32(p, IP_B);
}

static void arp_and_ethertypes(void **state)
{
    struct fx *f = *state;
    struct pb p;
    frame_arp(&p);
    fill(&p, 0, 18);                     /* padding */
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.ip_v, 0);
    assert_true(f->d.has_eth);
    assert_int_equal(f->d.nevents, 0);
    assert_int_equal(C(f, ARP), 1);
    /* the sender's binding, for the ARP spoofing detector */
    uint8_t spa[4] = { IP_A >> 24, (IP_A >> 16) & 0xff, (IP_A >> 8) & 0xff, IP_A & 0xff };
    assert_int_equal(f->d.arp_op, 1);
    assert_memory_equal(f->d.arp_sha, MAC_SRC, 6);
    assert_memory_equal(f->d.arp_spa, spa, 4);
    frame_arp(&p);
    p.b[14 + 7] = 2;                     /* reply */
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.arp_op, 2);
    p.b[14 + 7] = 3;                     /* RARP request: binds nothing */
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.arp_op, 0);
    frame_arp(&p);
    p.b[14 + 1] = 6;                     /* IEEE 802 hardware type */
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.arp_op, 0);

    frame_arp(&p);
    p.n -= 1;
    expect_invalid(f, DISSECT_DLT_EN10MB, &p, DEV_ARP_PKT_TOO_SMALL);
    assert_int_equal(f->d.arp_op, 0);
    p.n = 14 + 7;
    expect_invalid(f, DISSECT_DLT_EN10MB, &p, DEV_ARP_PKT_TOO_SMALL);
    frame_arp(&p);
    p.b[14 + 4] = 200;                   /* hlen past the frame */
    expect_invalid(f, DISSECT_DLT_EN10MB, &p, DEV_ARP_PKT_TOO_SMALL);
    assert_int_equal(f->d.arp_op, 0);

    p.n = 0;
    eth(&p, 0x88cc);                     /* LLDP */
    fill(&p, 0, 30);
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.ip_v, 0);
    assert_int_equal(f->d.nevents, 0);
    p.b[12] = 0x00;                      /* 802.3 length field */
    p.b[13] = 0x26;
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(C(f, UNKNOWN_ETHERTYPE), 2);
}

/* ------------------------------------------------------------------ */
/* Other link types */

/* The IPv4/UDP packet of frame_udp4 without its Ethernet header. */
static void ip_udp4(struct pb *p, size_t n)
{
    struct pb e;
    frame_udp4(&e, n);
    p->n = 0;
    bytes(p, e.b + 14, e.n - 14);
}

static void ip_udp6(struct pb *p, size_t n)
{
    struct pb e;
    frame_udp6(&e, n);
    p->n = 0;
    bytes(p, e.b + 14, e.n - 14);
}

static void with_prefix(struct pb *out, const uint8_t *pre, size_t prelen, const struct pb *ip)
{
    out->n = 0;
    bytes(out, pre, prelen);
    bytes(out, ip->b, ip->n);
}

static void expect_udp(struct fx *f, int dlt, const struct pb *p, uint8_t v)
{
    assert_int_equal(run(f, dlt, p->b, p->n), DISSECT_DECODED);
    assert_int_equal(f->d.ip_v, v);
    assert_int_equal(f->d.proto, 17);
    assert_true(f->d.has_l4);
    assert_false(f->d.has_eth);
    assert_int_equal(f->d.nevents, 0);
}

static void sll_and_sll2(void **state)
{
    struct fx *f = *state;
    struct pb ip4, ip6, p;
    ip_udp4(&ip4, 3);
    ip_udp6(&ip6, 3);

    uint8_t sll[16] = { 0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x08, 0x00 };
    with_prefix(&p, sll, sizeof(sll), &ip4);
    expect_udp(f, DISSECT_DLT_SLL, &p, 4);
    sll[14] = 0x86;
    sll[15] = 0xdd;
    with_prefix(&p, sll, sizeof(sll), &ip6);
    expect_udp(f, DISSECT_DLT_SLL, &p, 6);
    assert_int_equal(C(f, SLL), 2);
    p.n = 15;
    expect_invalid(f, DISSECT_DLT_SLL, &p, DEV_SLL_PKT_TOO_SMALL);

    /* SLL with a VLAN tag, as the kernel gives when not offloaded */
    uint8_t sllv[20] = { 0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x81, 0x00, 0x00, 0x2a, 0x08, 0x00 };
    with_prefix(&p, sllv, sizeof(sllv), &ip4);
    expect_udp(f, DISSECT_DLT_SLL, &p, 4);
    assert_int_equal(f->d.vlan_cnt, 1);
    assert_int_equal(f->d.vlan[0], 42);

    uint8_t sll2[20] = { 0x08, 0x00, 0, 0, 0, 0, 0, 3, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0 };
    with_prefix(&p, sll2, sizeof(sll2), &ip4);
    expect_udp(f, DISSECT_DLT_SLL2, &p, 4);
    sll2[0] = 0x86;
    sll2[1] = 0xdd;
    with_prefix(&p, sll2, sizeof(sll2), &ip6);
    expect_udp(f, DISSECT_DLT_SLL2, &p, 6);
    p.n = 19;
    expect_invalid(f, DISSECT_DLT_SLL2, &p, DEV_SLL2_PKT_TOO_SMALL);

    sll2[0] = 0x08;
    sll2[1] = 0x06;                      /* ARP */
    p.n = 0;
    bytes(&p, sll2, sizeof(sll2));
    struct pb arp;
    frame_arp(&arp);
    bytes(&p, arp.b + 14, arp.n - 14);
    assert_int_equal(run(f, DISSECT_DLT_SLL2, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.ip_v, 0);
    assert_int_equal(f->d.arp_op, 1);    /* tcpdump -i any sees ARP too */
}

static void null_loop(void **state)
{
    struct fx *f = *state;
    struct pb ip4, ip6, p;
    ip_udp4(&ip4, 3);
    ip_udp6(&ip6, 3);

    const uint8_t le2[4] = { 2, 0, 0, 0 }, be2[4] = { 0, 0, 0, 2 };
    with_prefix(&p, le2, 4, &ip4);
    expect_udp(f, DISSECT_DLT_NULL, &p, 4);
    with_prefix(&p, be2, 4, &ip4);
    expect_udp(f, DISSECT_DLT_NULL, &p, 4);
    const uint8_t af6[3] = { 24, 28, 30 };
    for (int i = 0; i < 3; i++) {
        uint8_t le[4] = { af6[i], 0, 0, 0 }, be[4] = { 0, 0, 0, af6[i] };
        with_prefix(&p, le, 4, &ip6);
        expect_udp(f, DISSECT_DLT_NULL, &p, 6);
        with_prefix(&p, be, 4, &ip6);
        expect_udp(f, DISSECT_DLT_NULL, &p, 6);
        with_prefix(&p, be, 4, &ip6);
        expect_udp(f, DISSECT_DLT_LOOP, &p, 6);
    }
    with_prefix(&p, be2, 4, &ip4);
    expect_udp(f, DISSECT_DLT_LOOP, &p, 4);
    assert_int_equal(C(f, NULL_), 12);

    const uint8_t af7[4] = { 7, 0, 0, 0 };
    with_prefix(&p, af7, 4, &ip4);
    expect_invalid(f, DISSECT_DLT_NULL, &p, DEV_NULL_UNSUPPORTED_TYPE);
    p.n = 3;
    expect_invalid(f, DISSECT_DLT_NULL, &p, DEV_NULL_PKT_TOO_SMALL);
}

static void raw_ip(void **state)
{
    struct fx *f = *state;
    struct pb ip4, ip6;
    ip_udp4(&ip4, 3);
    ip_udp6(&ip6, 3);
    const int raws[] = { DISSECT_DLT_RAW, DISSECT_DLT_RAW14, DISSECT_DLT_RAW101 };
    for (int i = 0; i < 3; i++) {
        expect_udp(f, raws[i], &ip4, 4);
        expect_udp(f, raws[i], &ip6, 6);
    }
    expect_udp(f, DISSECT_DLT_IPV4, &ip4, 4);
    expect_udp(f, DISSECT_DLT_IPV6, &ip6, 6);
    assert_int_equal(C(f, RAW), 8);

    /* the link type says IPv6, the header does not */
    struct pb big4;
    ip_udp4(&big4, 30);
    expect_invalid(f, DISSECT_DLT_IPV6, &big4, DEV_IPV6_WRONG_IP_VER);
    expect_invalid(f, DISSECT_DLT_IPV4, &ip6, DEV_IPV4_WRONG_IP_VER);

    struct pb bad = ip4;
    bad.b[0] = 0x55;
    expect_invalid(f, DISSECT_DLT_RAW101, &bad, DEV_IPRAW_INVALID_IPV);
    bad.n = 0;
    expect_invalid(f, DISSECT_DLT_RAW, &bad, DEV_IPV4_PKT_TOO_SMALL);
}

/* ------------------------------------------------------------------ */
/* Tunnels */

/* Inner IPv4/TCP 172.16.0.1:1234 -> 172.16.0.2:443 */
static void inner_tcp4(struct pb *p)
{
    size_t ip = ip4_begin(p, 6, A4(172, 16, 0, 1), A4(172, 16, 0, 2));
    tcp(p, 1234, 443, 0x18);
    bytes(p, "GET", 3);
    ip4_end(p, ip);
}

static void expect_inner_tcp4(struct fx *f, uint8_t depth)
{
    const uint8_t a[16] = { 172, 16, 0, 1 }, b[16] = { 172, 16, 0, 2 };
    assert_int_equal(f->d.ip_v, 4);
    assert_memory_equal(f->d.src, a, 16);
    assert_memory_equal(f->d.dst, b, 16);
    assert_int_equal(f->d.proto, 6);
    assert_int_equal(f->d.sport, 1234);
    assert_int_equal(f->d.dport, 443);
    assert_int_equal(f->d.tcp_flags, 0x18);
    assert_int_equal(f->d.payload_len, 3);
    assert_memory_equal(f->d.payload, "GET", 3);
    assert_int_equal(f->d.tunnel_depth, depth);
    assert_true(f->d.has_eth);
    assert_memory_equal(f->d.src_mac, MAC_SRC, 6);
}

static void gre(void **state)
{
    struct fx *f = *state;
    struct pb p;

    /* plain GRE, IPv4 inside */
    p.n = 0;
    eth(&p, 0x0800);
    size_t ip = ip4_begin(&p, 47, IP_C, IP_D);
    be16(&p, 0x0000);
    be16(&p, 0x0800);
    inner_tcp4(&p);
    ip4_end(&p, ip);
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    expect_inner_tcp4(f, 1);
    assert_int_equal(C(f, GRE), 1);
    assert_int_equal(C(f, IPV4), 2);

    /* checksum, key and sequence; IPv6 inside */
    p.n = 0;
    eth(&p, 0x0800);
    ip = ip4_begin(&p, 47, IP_C, IP_D);
    be16(&p, 0xb000);
    be16(&p, 0x86dd);
    be32(&p, 0);
    be32(&p, 0x12345678);
    be32(&p, 7);
    size_t ip6 = ip6_begin(&p, 17, IP6_A, IP6_B);
    size_t u = udp_begin(&p, 9, 10);
    udp_end(&p, u);
    ip6_end(&p, ip6);
    ip4_end(&p, ip);
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.ip_v, 6);
    assert_int_equal(f->d.sport, 9);
    assert_int_equal(f->d.tunnel_depth, 1);
    assert_int_equal(f->d.nevents, 0);

    /* transparent Ethernet bridging */
    p.n = 0;
    eth(&p, 0x0800);
    ip = ip4_begin(&p, 47, IP_C, IP_D);
    be16(&p, 0x2000);
    be16(&p, 0x6558);
    be32(&p, 99);
    eth_inner(&p, 0x0800);
    inner_tcp4(&p);
    ip4_end(&p, ip);
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    expect_inner_tcp4(f, 1);
    assert_memory_equal(f->d.dst_mac, MAC_DST, 6);

    /* source route entries (RFC 1701): one entry, then the NULL entry */
    p.n = 0;
    eth(&p, 0x0800);
    ip = ip4_begin(&p, 47, IP_C, IP_D);
    be16(&p, 0x4000);
    be16(&p, 0x0800);
    be32(&p, 0);                         /* checksum + offset */
    be16(&p, 0x0800);
    u8(&p, 0);
    u8(&p, 4);
    be32(&p, IP_A);
    be32(&p, 0);
    inner_tcp4(&p);
    ip4_end(&p, ip);
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    expect_inner_tcp4(f, 1);
    /* ... and with an entry running past the packet */
    p.b[14 + 20 + 8 + 3] = 200;
    expect_invalid(f, DISSECT_DLT_EN10MB, &p, DEV_GRE_VERSION0_MALFORMED_SRE_HDR);

    /* a protocol we do not follow: the record describes the GRE packet */
    p.n = 0;
    eth(&p, 0x0800);
    ip = ip4_begin(&p, 47, IP_C, IP_D);
    be16(&p, 0x0000);
    be16(&p, 0x8847);                    /* MPLS */
    fill(&p, 0, 8);
    ip4_end(&p, ip);
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.proto, 47);
    assert_int_equal(f->d.tunnel_depth, 0);
    assert_true(f->d.has_l4);
    assert_int_equal(f->d.payload_len, 8);

    /* enhanced GRE (PPTP): counted, not followed */
    p.n = 0;
    eth(&p, 0x0800);
    ip = ip4_begin(&p, 47, IP_C, IP_D);
    be16(&p, 0x3081);                    /* K, S, A, version 1 */
    be16(&p, 0x880b);
    be16(&p, 4);
    be16(&p, 0x1111);
    be32(&p, 1);
    be32(&p, 2);
    fill(&p, 0xff, 4);
    ip4_end(&p, ip);
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.proto, 47);
    assert_int_equal(f->d.payload_len, 4);
    p.n -= 8;
    put16(&p, 16, (uint16_t)(p.n - 14));
    expect_invalid(f, DISSECT_DLT_EN10MB, &p, DEV_GRE_VERSION1_HDR_TOO_BIG);

    struct {
        uint16_t flags;
        size_t len;
        enum dissect_event ev;
    } bad[] = {
        { 0x0002, 8, DEV_GRE_WRONG_VERSION },
        { 0x0100, 8, DEV_GRE_VERSION0_RECUR },
        { 0x0008, 8, DEV_GRE_VERSION0_FLAGS },
        { 0x3000, 8, DEV_GRE_VERSION0_HDR_TOO_BIG },
        { 0x0000, 3, DEV_GRE_PKT_TOO_SMALL },
    };
    for (size_t i = 0; i < NS_ARRAY_LEN(bad); i++) {
        p.n = 0;
        eth(&p, 0x0800);
        ip = ip4_begin(&p, 47, IP_C, IP_D);
        be16(&p, bad[i].flags);
        be16(&p, 0x0800);
        fill(&p, 0, 4);
        p.n -= 8 - bad[i].len;
        ip4_end(&p, ip);
        expect_invalid(f, DISSECT_DLT_EN10MB, &p, bad[i].ev);
    }
}

/* Outer Ethernet / IPv4 / UDP -> dport, then the header bytes, then the
 * inner bytes. */
static size_t udp_tunnel_begin(struct pb *p, uint16_t dport, size_t *ip)
{
    p->n = 0;
    eth(p, 0x0800);
    *ip = ip4_begin(p, 17, IP_C, IP_D);
    return udp_begin(p, 49152, dport);
}

static void udp_tunnel_end(struct pb *p, size_t ip, size_t u)
{
    udp_end(p, u);
    ip4_end(p, ip);
}

static void vxlan_header(struct pb *p, uint8_t flags)
{
    u8(p, flags);
    fill(p, 0, 3);
    be32(p, 42u << 8);
}

static void vxlan(void **state)
{
    struct fx *f = *state;
    struct pb p;
    size_t ip, u;

    u = udp_tunnel_begin(&p, 4789, &ip);
    vxlan_header(&p, 0x08);
    eth_inner(&p, 0x0800);
    inner_tcp4(&p);
    udp_tunnel_end(&p, ip, u);
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    expect_inner_tcp4(f, 1);
    assert_int_equal(f->d.nevents, 0);
    assert_int_equal(C(f, VXLAN), 1);
    assert_int_equal(C(f, ETHERNET), 2);
    assert_int_equal(C(f, UDP), 1);
    assert_int_equal(C(f, TCP), 1);

    /* inner VLAN tags are decoded, not reported; outer ones are */
    p.n = 0;
    eth(&p, 0x8100);
    vlan(&p, 7, 0x0800);
    ip = ip4_begin(&p, 17, IP_C, IP_D);
    u = udp_begin(&p, 1, 4789);
    vxlan_header(&p, 0x08);
    eth_inner(&p, 0x8100);
    vlan(&p, 300, 0x0800);
    inner_tcp4(&p);
    udp_tunnel_end(&p, ip, u);
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    expect_inner_tcp4(f, 1);
    assert_int_equal(f->d.vlan_cnt, 1);
    assert_int_equal(f->d.vlan[0], 7);

    /* ARP inside: the record stays on the outer UDP packet */
    u = udp_tunnel_begin(&p, 4789, &ip);
    vxlan_header(&p, 0x08);
    struct pb arp;
    frame_arp(&arp);
    bytes(&p, arp.b, arp.n);
    udp_tunnel_end(&p, ip, u);
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.ip_v, 4);
    assert_int_equal(f->d.proto, 17);
    assert_int_equal(f->d.dport, 4789);
    assert_int_equal(f->d.tunnel_depth, 0);
    assert_int_equal(f->d.nevents, 0);
    assert_int_equal(f->d.arp_op, 0);    /* another LAN's binding */

    /* an ethertype we do not decode inside */
    u = udp_tunnel_begin(&p, 4789, &ip);
    vxlan_header(&p, 0x08);
    eth_inner(&p, 0x88cc);
    fill(&p, 0, 20);
    udp_tunnel_end(&p, ip, u);
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.events[0], DEV_VXLAN_UNKNOWN_PAYLOAD_TYPE);
    assert_int_equal(f->d.dport, 4789);

    /* I flag clear: plain UDP that uses the port */
    u = udp_tunnel_begin(&p, 4789, &ip);
    vxlan_header(&p, 0x00);
    eth_inner(&p, 0x0800);
    inner_tcp4(&p);
    udp_tunnel_end(&p, ip, u);
    uint64_t vx = C(f, VXLAN);
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.dport, 4789);
    assert_int_equal(C(f, VXLAN), vx);

    /* a truncated packet inside makes the frame invalid */
    u = udp_tunnel_begin(&p, 4789, &ip);
    vxlan_header(&p, 0x08);
    eth_inner(&p, 0x0800);
    inner_tcp4(&p);
    p.n -= 1;
    udp_tunnel_end(&p, ip, u);
    expect_invalid(f, DISSECT_DLT_EN10MB, &p, DEV_IPV4_TRUNC_PKT);
}

static void geneve(void **state)
{
    struct fx *f = *state;
    struct pb p;
    size_t ip, u;

    /* one 8-byte option, Ethernet inside */
    u = udp_tunnel_begin(&p, 6081, &ip);
    u8(&p, 0x02);                        /* version 0, 2 words of options */
    u8(&p, 0);
    be16(&p, 0x6558);
    be32(&p, 5u << 8);
    be16(&p, 0x0102);
    u8(&p, 0x80);
    u8(&p, 1);                           /* 1 word of data */
    be32(&p, 0xabcdef01);
    eth_inner(&p, 0x0800);
    inner_tcp4(&p);
    udp_tunnel_end(&p, ip, u);
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    expect_inner_tcp4(f, 1);
    assert_int_equal(C(f, GENEVE), 1);

    /* IPv4 straight inside */
    u = udp_tunnel_begin(&p, 6081, &ip);
    u8(&p, 0);
    u8(&p, 0);
    be16(&p, 0x0800);
    be32(&p, 0);
    inner_tcp4(&p);
    udp_tunnel_end(&p, ip, u);
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    expect_inner_tcp4(f, 1);

    /* unknown protocol type */
    p.b[14 + 20 + 8 + 2] = 0x12;
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.events[0], DEV_GENEVE_UNKNOWN_PAYLOAD_TYPE);
    assert_int_equal(f->d.dport, 6081);
    assert_int_equal(f->d.tunnel_depth, 0);

    /* version 1, or options longer than the packet: plain UDP */
    p.b[14 + 20 + 8 + 2] = 0x08;
    p.b[14 + 20 + 8] = 0x40;
    uint64_t gn = C(f, GENEVE);
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.dport, 6081);
    p.b[14 + 20 + 8] = 0x3f;
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.dport, 6081);
    assert_int_equal(C(f, GENEVE), gn);
}

/* NSH (RFC 8300): version 0, TTL 63, length hlen bytes (a multiple of 4),
 * MD type md, next protocol np, SPI 1 / SI 255, then hlen - 8 bytes of
 * context (zeros: MD type 2 TLVs of class 0, type 0, length 0). */
static void nsh_header(struct pb *p, uint8_t md, uint8_t np, size_t hlen)
{
    be16(p, (uint16_t)((63u << 6) | ((hlen / 4) & 0x3f)));
    u8(p, md);
    u8(p, np);
    be32(p, (1u << 8) | 255u);
    fill(p, 0, hlen - 8);
}

/* Ethernet / NSH with the IPv4/UDP packet of ip_udp4 behind. */
static void frame_nsh4(struct pb *p, uint8_t md, uint8_t np, size_t hlen)
{
    struct pb ip4;
    ip_udp4(&ip4, 6);
    p->n = 0;
    eth(p, 0x894f);
    nsh_header(p, md, np, hlen);
    bytes(p, ip4.b, ip4.n);
}

static void expect_nsh_udp(struct fx *f, const struct pb *p, uint8_t v)
{
    uint64_t nsh = C(f, NSH);
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p->b, p->n), DISSECT_DECODED);
    assert_int_equal(C(f, NSH), nsh + 1);
    assert_int_equal(f->d.nevents, 0);
    assert_int_equal(f->d.ip_v, v);
    assert_int_equal(f->d.proto, 17);
    assert_true(f->d.has_l4);
    assert_int_equal(f->d.payload_len, 6);
    /* not a tunnel: the outer MACs stay, the flow counts the whole frame */
    assert_true(f->d.has_eth);
    assert_memory_equal(f->d.src_mac, MAC_SRC, 6);
    assert_memory_equal(f->d.dst_mac, MAC_DST, 6);
    assert_int_equal(f->d.tunnel_depth, 0);
    assert_int_equal(f->d.flow_len, p->n);
}

static void nsh(void **state)
{
    struct fx *f = *state;
    struct pb p, ip6;

    /* MD type 1 (24-byte header), IPv4 */
    frame_nsh4(&p, 1, 1, 24);
    expect_nsh_udp(f, &p, 4);
    assert_int_equal(f->d.sport, 1111);
    assert_int_equal(f->d.dport, 53);

    /* MD type 2 without and with context, IPv6 */
    ip_udp6(&ip6, 6);
    p.n = 0;
    eth(&p, 0x894f);
    nsh_header(&p, 2, 2, 8);
    bytes(&p, ip6.b, ip6.n);
    expect_nsh_udp(f, &p, 6);
    assert_int_equal(f->d.sport, 5353);
    p.n = 0;
    eth(&p, 0x894f);
    nsh_header(&p, 2, 2, 16);
    bytes(&p, ip6.b, ip6.n);
    expect_nsh_udp(f, &p, 6);

    /* Ethernet inside, with a VLAN tag in front of NSH */
    struct pb ip4;
    ip_udp4(&ip4, 6);
    p.n = 0;
    eth(&p, 0x8100);
    vlan(&p, 42, 0x894f);
    nsh_header(&p, 1, 3, 24);
    eth_inner(&p, 0x0800);
    bytes(&p, ip4.b, ip4.n);
    expect_nsh_udp(f, &p, 4);
    assert_int_equal(f->d.vlan_cnt, 1);
    assert_int_equal(f->d.vlan[0], 42);
    assert_true(C(f, ETHERNET) >= 2);

    /* the worker hash looks through NSH */
    struct pb plain;
    frame_udp4(&plain, 6);
    uint32_t h = dissect_worker_hash(DISSECT_DLT_EN10MB, plain.b, (uint32_t)plain.n);
    frame_nsh4(&p, 1, 1, 24);
    assert_int_equal(dissect_worker_hash(DISSECT_DLT_EN10MB, p.b, (uint32_t)p.n), h);
    p.n = 0;
    eth(&p, 0x894f);
    nsh_header(&p, 2, 3, 8);
    eth_inner(&p, 0x0800);
    bytes(&p, ip4.b, ip4.n);
    assert_int_equal(dissect_worker_hash(DISSECT_DLT_EN10MB, p.b, (uint32_t)p.n), h);
    expect_nsh_udp(f, &p, 4);
    assert_int_equal(dissect_worker_hash(DISSECT_DLT_EN10MB, p.b, 14 + 7), 0);

    /* truncated: less than the 8-byte base and service path headers */
    frame_nsh4(&p, 1, 1, 24);
    uint64_t nsh_n = C(f, NSH);
    for (size_t n = 14; n < 14 + 8; n++) {
        assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, n), DISSECT_INVALID);
        assert_int_equal(f->d.events[0], DEV_NSH_HEADER_TOO_SMALL);
    }
    assert_int_equal(C(f, NSH), nsh_n + 8);
    assert_int_equal(E(f, NSH_HEADER_TOO_SMALL), 8);

    /* length past the frame, shorter than 8 bytes, or MD type 1 not 24 */
    p.b[15] = 0x3f;                             /* 252 bytes */
    expect_invalid(f, DISSECT_DLT_EN10MB, &p, DEV_NSH_BAD_HEADER_LENGTH);
    p.b[15] = 1;
    expect_invalid(f, DISSECT_DLT_EN10MB, &p, DEV_NSH_BAD_HEADER_LENGTH);
    p.b[15] = 0;
    expect_invalid(f, DISSECT_DLT_EN10MB, &p, DEV_NSH_BAD_HEADER_LENGTH);
    frame_nsh4(&p, 1, 1, 20);
    expect_invalid(f, DISSECT_DLT_EN10MB, &p, DEV_NSH_BAD_HEADER_LENGTH);
    frame_nsh4(&p, 1, 1, 24);
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, 14 + 23), DISSECT_INVALID);
    assert_int_equal(f->d.events[0], DEV_NSH_BAD_HEADER_LENGTH);

    /* unknown next protocol (MPLS, NSH, experimental): decoded up to NSH */
    static const uint8_t nps[] = { 0, 4, 5, 0x7f, 0xfe };
    for (size_t i = 0; i < sizeof(nps); i++) {
        frame_nsh4(&p, 1, nps[i], 24);
        assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
        assert_true(has_event(&f->d, DEV_NSH_UNKNOWN_PAYLOAD));
        assert_int_equal(f->d.ip_v, 0);
        assert_false(f->d.has_l4);
        assert_true(f->d.has_eth);
    }
    assert_int_equal(E(f, NSH_UNKNOWN_PAYLOAD), sizeof(nps));

    /* version 1; reserved MD types 0 and 15; MD type 3 */
    frame_nsh4(&p, 1, 1, 24);
    p.b[14] |= 0x40;
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.events[0], DEV_NSH_UNSUPPORTED_VERSION);
    assert_int_equal(f->d.ip_v, 0);
    frame_nsh4(&p, 0, 1, 24);
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.events[0], DEV_NSH_RESERVED_TYPE);
    frame_nsh4(&p, 0x0f, 1, 24);
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.events[0], DEV_NSH_RESERVED_TYPE);
    frame_nsh4(&p, 3, 1, 24);
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.events[0], DEV_NSH_UNSUPPORTED_TYPE);
    assert_int_equal(f->d.ip_v, 0);

    /* the inner packet's own errors still come through */
    frame_nsh4(&p, 1, 1, 24);
    p.n -= 1;
    expect_invalid(f, DISSECT_DLT_EN10MB, &p, DEV_IPV4_TRUNC_PKT);
}

/* GTP-U: a G-PDU with and without the optional fields and an extension
 * header; signalling on the port and a short length stay plain UDP. */
static void gtpu(void **state)
{
    struct fx *f = *state;
    struct pb p;
    size_t ip, u, g;

    u = udp_tunnel_begin(&p, 2152, &ip);
    g = p.n;
    u8(&p, 0x30);                        /* version 1, PT, no options */
    u8(&p, 0xff);
    be16(&p, 0);
    be32(&p, 0x1234);
    inner_tcp4(&p);
    p.b[g + 2] = (uint8_t)((p.n - g - 8) >> 8);
    p.b[g + 3] = (uint8_t)(p.n - g - 8);
    udp_tunnel_end(&p, ip, u);
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    expect_inner_tcp4(f, 1);
    assert_int_equal(C(f, GTPU), 1);

    /* E flag: sequence, N-PDU, next type 0x85 (PDU session), one
     * 4-byte extension header that ends the chain */
    u = udp_tunnel_begin(&p, 2152, &ip);
    g = p.n;
    u8(&p, 0x34);
    u8(&p, 0xff);
    be16(&p, 0);
    be32(&p, 0x1234);
    be16(&p, 0);
    u8(&p, 0);
    u8(&p, 0x85);
    u8(&p, 1);
    u8(&p, 0x10);
    u8(&p, 0x09);
    u8(&p, 0);                           /* no next extension */
    inner_tcp4(&p);
    p.b[g + 2] = (uint8_t)((p.n - g - 8) >> 8);
    p.b[g + 3] = (uint8_t)(p.n - g - 8);
    udp_tunnel_end(&p, ip, u);
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    expect_inner_tcp4(f, 1);
    assert_int_equal(C(f, GTPU), 2);

    /* an extension header running past the packet: plain UDP */
    p.b[g + 12] = 200;
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.dport, 2152);
    assert_int_equal(f->d.tunnel_depth, 0);
    p.b[g + 12] = 1;

    /* an echo request (type 1) is signalling, not a tunnelled packet */
    p.b[g + 1] = 1;
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.dport, 2152);
    assert_int_equal(C(f, GTPU), 2);
    p.b[g + 1] = 0xff;

    /* a length beyond the datagram: plain UDP */
    p.b[g + 2] = 0x7f;
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.dport, 2152);
    assert_int_equal(C(f, GTPU), 2);
}

static void ip_in_ip(void **state)
{
    struct fx *f = *state;
    struct pb p, in4, in6;
    ip_udp4(&in4, 2);
    ip_udp6(&in6, 2);

    p.n = 0;
    eth(&p, 0x0800);
    size_t ip = ip4_begin(&p, 4, IP_C, IP_D);
    bytes(&p, in4.b, in4.n);
    ip4_end(&p, ip);
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.ip_v, 4);
    assert_int_equal(f->d.src[3], 1);
    assert_int_equal(f->d.sport, 1111);
    assert_int_equal(f->d.tunnel_depth, 1);
    assert_int_equal(C(f, IPV4_IN_IPV4), 1);

    p.n = 0;
    eth(&p, 0x0800);
    ip = ip4_begin(&p, 41, IP_C, IP_D);
    bytes(&p, in6.b, in6.n);
    ip4_end(&p, ip);
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.ip_v, 6);
    assert_memory_equal(f->d.src, IP6_A, 16);
    assert_int_equal(C(f, IPV6_IN_IPV4), 1);

    p.n = 0;
    eth(&p, 0x86dd);
    ip = ip6_begin(&p, 4, IP6_B, IP6_A);
    bytes(&p, in4.b, in4.n);
    ip6_end(&p, ip);
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.ip_v, 4);
    const uint8_t a[16] = { 10, 0, 0, 1 };
    assert_memory_equal(f->d.src, a, 16);     /* the IPv6 bytes are gone */
    assert_int_equal(C(f, IPV4_IN_IPV6), 1);

    p.n = 0;
    eth(&p, 0x86dd);
    ip = ip6_begin(&p, 41, IP6_B, IP6_A);
    bytes(&p, in6.b, in6.n);
    ip6_end(&p, ip);
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.ip_v, 6);
    assert_int_equal(f->d.sport, 5353);
    assert_int_equal(C(f, IPV6_IN_IPV6), 1);

    /* protocol 4 but an IPv6 header inside */
    p.n = 0;
    eth(&p, 0x0800);
    ip = ip4_begin(&p, 4, IP_C, IP_D);
    bytes(&p, in6.b, in6.n);
    ip4_end(&p, ip);
    expect_invalid(f, DISSECT_DLT_EN10MB, &p, DEV_IPV4_WRONG_IP_VER);
}

static void too_many_layers(void **state)
{
    struct fx *f = *state;
    struct pb p;
    size_t ips[24];
    p.n = 0;
    eth(&p, 0x0800);
    for (int i = 0; i < 24; i++)
        ips[i] = ip4_begin(&p, i < 23 ? 4 : 17, IP_A, IP_B);
    size_t u = udp_begin(&p, 1, 2);
    udp_end(&p, u);
    for (int i = 23; i >= 0; i--)
        ip4_end(&p, ips[i]);
    expect_invalid(f, DISSECT_DLT_EN10MB, &p, DEV_TOO_MANY_LAYERS);

    /* 14 levels are fine */
    p.n = 0;
    eth(&p, 0x0800);
    for (int i = 0; i < 14; i++)
        ips[i] = ip4_begin(&p, i < 13 ? 4 : 17, IP_A, IP_B);
    u = udp_begin(&p, 1, 2);
    udp_end(&p, u);
    for (int i = 13; i >= 0; i--)
        ip4_end(&p, ips[i]);
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.tunnel_depth, 13);
}

/* ------------------------------------------------------------------ */
/* IPv4 fragments */

/* The UDP datagram 1111 -> 53 carrying 40 bytes, 48 bytes of IP payload. */
static void datagram4(uint8_t *dg48)
{
    struct pb p;
    frame_udp4(&p, 40);
    memcpy(dg48, p.b + 14 + 20, 48);
}

/* Ethernet / IPv4 fragment: data[0..len) at byte offset off. */
static void frag4(struct pb *p, uint16_t id, const uint8_t *data, size_t off, size_t len, bool mf)
{
    p->n = 0;
    eth(p, 0x0800);
    size_t ip = ip4_begin(p, 17, IP_A, IP_B);
    put16(p, ip + 4, id);
    put16(p, ip + 6, (uint16_t)((mf ? 0x2000 : 0) | (off >> 3)));
    bytes(p, data, len);
    ip4_end(p, ip);
}

static enum dissect_result send_frag4(struct fx *f, uint16_t id, const uint8_t *dg, size_t off,
                                      size_t len, bool mf)
{
    struct pb p;
    frag4(&p, id, dg + off, off, len, mf);
    return run(f, DISSECT_DLT_EN10MB, p.b, p.n);
}

static void expect_datagram4(struct fx *f)
{
    assert_true(f->d.defragged);
    assert_int_equal(f->d.ip_v, 4);
    assert_int_equal(f->d.proto, 17);
    assert_int_equal(f->d.ip_len, 68);
    assert_int_equal(f->d.sport, 1111);
    assert_int_equal(f->d.payload_len, 40);
    for (int i = 0; i < 40; i++)
        assert_int_equal(f->d.payload[i], 'a' + i % 26);
}

static void frag4_in_order(void **state)
{
    struct fx *f = *state;
    uint8_t dg[48];
    datagram4(dg);
    assert_int_equal(send_frag4(f, 1, dg, 0, 16, true), DISSECT_FRAG_HELD);
    assert_int_equal(f->d.ip_v, 4);
    assert_false(f->d.has_l4);
    assert_int_equal(send_frag4(f, 1, dg, 16, 16, true), DISSECT_FRAG_HELD);
    assert_int_equal(send_frag4(f, 1, dg, 32, 16, false), DISSECT_DECODED);
    expect_datagram4(f);
    assert_int_equal(f->d.nevents, 0);
    assert_int_equal(C(f, FRAGS), 3);
    assert_int_equal(C(f, DEFRAG_IPV4_REASSEMBLED), 1);
    assert_int_equal(C(f, UDP), 1);
    /* each fragment, then the datagram (as Suricata counts it) */
    assert_int_equal(C(f, IPV4), 4);
    assert_int_equal(C(f, INVALID), 0);

    /* the tracker is gone: the same id starts over */
    assert_int_equal(send_frag4(f, 1, dg, 32, 16, false), DISSECT_FRAG_HELD);
}

static void frag4_out_of_order(void **state)
{
    struct fx *f = *state;
    uint8_t dg[48];
    datagram4(dg);
    assert_int_equal(send_frag4(f, 2, dg, 32, 16, false), DISSECT_FRAG_HELD);
    assert_int_equal(send_frag4(f, 3, dg, 16, 16, true), DISSECT_FRAG_HELD);  /* other id */
    assert_int_equal(send_frag4(f, 2, dg, 0, 16, true), DISSECT_FRAG_HELD);
    assert_int_equal(send_frag4(f, 2, dg, 16, 16, true), DISSECT_DECODED);
    expect_datagram4(f);
    assert_int_equal(f->d.nevents, 0);

    /* odd split: 8, 24, 16 bytes, last first */
    assert_int_equal(send_frag4(f, 4, dg, 32, 16, false), DISSECT_FRAG_HELD);
    assert_int_equal(send_frag4(f, 4, dg, 8, 24, true), DISSECT_FRAG_HELD);
    assert_int_equal(send_frag4(f, 4, dg, 0, 8, true), DISSECT_DECODED);
    expect_datagram4(f);
}

static void frag4_overlap(void **state)
{
    struct fx *f = *state;
    uint8_t dg[48], evil[48];
    datagram4(dg);
    memset(evil, 'X', sizeof(evil));
    assert_int_equal(send_frag4(f, 5, dg, 0, 16, true), DISSECT_FRAG_HELD);
    assert_int_equal(f->d.nevents, 0);
    /* 8..32 overlaps the first fragment: only 16..32 is new, and kept */
    assert_int_equal(send_frag4(f, 5, evil, 8, 24, true), DISSECT_FRAG_HELD);
    assert_int_equal(f->d.events[0], DEV_IPV4_FRAG_OVERLAP);
    /* the real 16..32 comes too late */
    assert_int_equal(send_frag4(f, 5, dg, 16, 16, true), DISSECT_FRAG_HELD);
    assert_int_equal(f->d.events[0], DEV_IPV4_FRAG_OVERLAP);
    assert_int_equal(send_frag4(f, 5, dg, 32, 16, false), DISSECT_DECODED);
    assert_int_equal(f->d.nevents, 0);
    assert_true(f->d.defragged);
    assert_int_equal(f->d.payload_len, 40);
    for (int i = 0; i < 8; i++)                  /* datagram 8..16 */
        assert_int_equal(f->d.payload[i], 'a' + i);
    for (int i = 8; i < 24; i++)                 /* datagram 16..32: first data won */
        assert_int_equal(f->d.payload[i], 'X');
    assert_int_equal(E(f, IPV4_FRAG_OVERLAP), 2);

    /* a duplicate fragment is an overlap; a second, different end too */
    assert_int_equal(send_frag4(f, 6, dg, 32, 16, false), DISSECT_FRAG_HELD);
    assert_int_equal(send_frag4(f, 6, dg, 32, 16, false), DISSECT_FRAG_HELD);
    assert_int_equal(f->d.events[0], DEV_IPV4_FRAG_OVERLAP);
    assert_int_equal(send_frag4(f, 6, dg, 24, 8, false), DISSECT_FRAG_HELD);
    assert_int_equal(f->d.events[0], DEV_IPV4_FRAG_OVERLAP);
    assert_int_equal(send_frag4(f, 6, dg, 0, 32, true), DISSECT_DECODED);
    expect_datagram4(f);

    /* data past a known end is ignored */
    uint8_t longer[64];
    memcpy(longer, dg, 48);
    memset(longer + 48, 'Y', 16);
    assert_int_equal(send_frag4(f, 7, longer, 32, 16, false), DISSECT_FRAG_HELD);
    assert_int_equal(send_frag4(f, 7, longer, 16, 48, true), DISSECT_FRAG_HELD);
    assert_int_equal(f->d.events[0], DEV_IPV4_FRAG_OVERLAP);
    assert_int_equal(send_frag4(f, 7, dg, 0, 16, true), DISSECT_DECODED);
    assert_int_equal(f->d.nevents, 0);
    expect_datagram4(f);
}

static void frag4_limits(void **state)
{
    struct fx *f = *state;
    uint8_t dg[48];
    datagram4(dg);

    /* too large: offset 65528 + 16 bytes */
    uint8_t data[16] = { 0 };
    struct pb p;
    frag4(&p, 8, data, 65528, 16, false);
    expect_invalid(f, DISSECT_DLT_EN10MB, &p, DEV_IPV4_FRAG_PKT_TOO_LARGE);

    /* 4 pieces per datagram at most: the fifth gives the datagram up */
    fx_reinit(f, 0, 4, 0, 0);
    for (int i = 0; i < 4; i++)
        assert_int_equal(send_frag4(f, 9, dg, (size_t)i * 8 + (i ? 8 : 0), 8, true) , DISSECT_FRAG_HELD);
    assert_int_equal(f->d.nevents, 0);
    assert_int_equal(send_frag4(f, 9, dg, 40, 8, false), DISSECT_FRAG_HELD);
    assert_int_equal(f->d.events[0], DEV_IPV4_FRAG_IGNORED);
    assert_int_equal(C(f, DEFRAG_MAX_FRAG_HITS), 1);
    /* the missing piece no longer completes anything */
    assert_int_equal(send_frag4(f, 9, dg, 8, 8, true), DISSECT_FRAG_HELD);
    assert_int_equal(f->d.nevents, 0);

    /* 2 trackers: a third datagram gives up the oldest waiting one */
    fx_reinit(f, 2, 0, 0, 0);
    assert_int_equal(send_frag4(f, 10, dg, 0, 16, true), DISSECT_FRAG_HELD);
    assert_int_equal(send_frag4(f, 11, dg, 0, 16, true), DISSECT_FRAG_HELD);
    assert_int_equal(send_frag4(f, 12, dg, 0, 16, true), DISSECT_FRAG_HELD);
    assert_int_equal(f->d.nevents, 0);
    assert_int_equal(C(f, DEFRAG_EVICTED), 1);
    assert_int_equal(C(f, DEFRAG_MEMCAP), 0);
    /* the newer ones still complete */
    assert_int_equal(send_frag4(f, 11, dg, 16, 32, false), DISSECT_DECODED);
    expect_datagram4(f);
    assert_int_equal(send_frag4(f, 12, dg, 16, 32, false), DISSECT_DECODED);
    expect_datagram4(f);
    /* the evicted one starts over and cannot complete from its tail */
    assert_int_equal(send_frag4(f, 10, dg, 16, 32, false), DISSECT_FRAG_HELD);
    assert_int_equal(f->d.nevents, 0);
    /* once expired, the oldest tracker is recycled (a timeout, not an
     * eviction) */
    assert_int_equal(send_frag4(f, 12, dg, 0, 16, true), DISSECT_FRAG_HELD);
    f->ts += 61 * 1000000ull;
    assert_int_equal(send_frag4(f, 13, dg, 0, 16, true), DISSECT_FRAG_HELD);
    assert_int_equal(f->d.nevents, 0);
    assert_int_equal(C(f, DEFRAG_TIMEOUTS), 1);
    assert_int_equal(C(f, DEFRAG_EVICTED), 1);

    /* memory: 4 KiB is 8 chunks of 512 bytes; a ninth datagram gives up
     * the oldest */
    fx_reinit(f, 64, 0, 4096, 0);
    for (uint16_t id = 0; id < 8; id++)
        assert_int_equal(send_frag4(f, id, dg, 8, 8, true), DISSECT_FRAG_HELD);
    assert_int_equal(send_frag4(f, 8, dg, 8, 8, true), DISSECT_FRAG_HELD);
    assert_int_equal(f->d.nevents, 0);
    assert_int_equal(C(f, DEFRAG_EVICTED), 1);
    /* the head of a held datagram (its header and data: 2 chunks) fits by
     * giving up the two oldest */
    assert_int_equal(send_frag4(f, 8, dg, 0, 8, true), DISSECT_FRAG_HELD);
    assert_int_equal(f->d.nevents, 0);
    assert_int_equal(C(f, DEFRAG_EVICTED), 3);
    assert_int_equal(C(f, DEFRAG_MEMCAP), 0);
    uint64_t cap, use;
    dissect_defrag_memuse(&f->dc, &cap, &use);
    assert_int_equal(cap, dissect_defrag_mem(64, 4096));
    assert_int_equal(use, cap);                     /* all 8 chunks held */
    /* time passes: expired trackers give their memory back (ids 3..8) */
    f->ts += 61 * 1000000ull;
    dissect_expire(&f->dc, f->ts);
    assert_int_equal(C(f, DEFRAG_TIMEOUTS), 6);
    dissect_defrag_memuse(&f->dc, &cap, &use);
    assert_int_equal(use, dissect_defrag_mem(64, 0));   /* the fixed part only */

    /* one datagram larger than the whole memory: dropped, counted */
    fx_reinit(f, 64, 0, 1024, 0);
    assert_int_equal(send_frag4(f, 1, dg, 0, 8, true), DISSECT_FRAG_HELD);
    assert_int_equal(send_frag4(f, 1, dg, 8, 8, true), DISSECT_FRAG_HELD);
    assert_int_equal(f->d.events[0], DEV_IPV4_FRAG_IGNORED);
    assert_int_equal(C(f, DEFRAG_MEMCAP), 1);
}

static void frag4_timeout(void **state)
{
    struct fx *f = *state;
    uint8_t dg[48];
    datagram4(dg);
    assert_int_equal(send_frag4(f, 20, dg, 0, 16, true), DISSECT_FRAG_HELD);
    dissect_expire(&f->dc, f->ts + 60 * 1000000ull);     /* not yet */
    assert_int_equal(C(f, DEFRAG_TIMEOUTS), 0);
    dissect_expire(&f->dc, f->ts + 61 * 1000000ull);
    assert_int_equal(C(f, DEFRAG_TIMEOUTS), 1);
    dissect_expire(&f->dc, f->ts + 600 * 1000000ull);    /* counted once */
    assert_int_equal(C(f, DEFRAG_TIMEOUTS), 1);
    assert_int_equal(send_frag4(f, 20, dg, 16, 16, true), DISSECT_FRAG_HELD);
    assert_int_equal(send_frag4(f, 20, dg, 32, 16, false), DISSECT_FRAG_HELD);

    /* met again after its time: expired on lookup */
    assert_int_equal(send_frag4(f, 21, dg, 0, 16, true), DISSECT_FRAG_HELD);
    f->ts += 120 * 1000000ull;
    assert_int_equal(send_frag4(f, 21, dg, 16, 32, false), DISSECT_FRAG_HELD);
    assert_int_equal(C(f, DEFRAG_TIMEOUTS), 2);
    /* the second tracker of 20 and the new one of 21 */
    dissect_expire(&f->dc, f->ts + 61 * 1000000ull);
    assert_int_equal(C(f, DEFRAG_TIMEOUTS), 4);
}

/* Fragments of an Ethernet MTU: each spans several 512-byte chunks.  With
 * 8 KiB of memory (16 chunks) and 8 needed per datagram, repeating it shows
 * that completed datagrams give all their memory back. */
static void frag4_large(void **state)
{
    struct fx *f = *state;
    fx_reinit(f, 4, 0, 8192, 0);
    static uint8_t dg[3000];
    struct pb p;
    p.n = 0;
    size_t u = udp_begin(&p, 7, 8);
    udp_end(&p, u);
    put16(&p, 4, sizeof(dg));
    memcpy(dg, p.b, 8);
    for (size_t i = 8; i < sizeof(dg); i++)
        dg[i] = (uint8_t)(i * 7);
    static struct pb big;
    for (int round = 0; round < 10; round++) {
        const size_t offs[3] = { 1480, 0, 2960 }, lens[3] = { 1480, 1480, 40 };
        for (int i = 0; i < 3; i++) {
            big.n = 0;
            eth(&big, 0x0800);
            size_t ip = ip4_begin(&big, 17, IP_A, IP_B);
            put16(&big, ip + 4, (uint16_t)(100 + round));
            put16(&big, ip + 6, (uint16_t)((i < 2 ? 0x2000 : 0) | (offs[i] >> 3)));
            bytes(&big, dg + offs[i], lens[i]);
            ip4_end(&big, ip);
            enum dissect_result r = run(f, DISSECT_DLT_EN10MB, big.b, big.n);
            assert_int_equal(r, i < 2 ? DISSECT_FRAG_HELD : DISSECT_DECODED);
            assert_int_equal(f->d.nevents, 0);
        }
        assert_true(f->d.defragged);
        assert_int_equal(f->d.ip_len, 3020);
        assert_int_equal(f->d.sport, 7);
        assert_int_equal(f->d.payload_len, sizeof(dg) - 8);
        assert_memory_equal(f->d.payload, dg + 8, sizeof(dg) - 8);
    }
    assert_int_equal(C(f, DEFRAG_IPV4_REASSEMBLED), 10);
    assert_int_equal(C(f, DEFRAG_MEMCAP), 0);
}

static void frag4_vlan_and_tunnel_keys(void **state)
{
    struct fx *f = *state;
    uint8_t dg[48];
    datagram4(dg);
    /* same addresses and id, different VLAN: different datagrams */
    struct pb p;
    frag4(&p, 30, dg, 0, 16, true);
    struct pb v;
    v.n = 0;
    eth(&v, 0x8100);
    vlan(&v, 5, 0x0800);
    bytes(&v, p.b + 14, p.n - 14);
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, v.b, v.n), DISSECT_FRAG_HELD);
    assert_int_equal(send_frag4(f, 30, dg, 16, 32, false), DISSECT_FRAG_HELD);
    assert_int_equal(send_frag4(f, 30, dg, 0, 16, true), DISSECT_DECODED);
    expect_datagram4(f);
    assert_int_equal(f->d.vlan_cnt, 0);

    /* fragments inside GRE reassemble to the inner datagram */
    for (int i = 0; i < 2; i++) {
        frag4(&p, 31, i ? dg + 24 : dg, i ? 24 : 0, 24, i == 0);
        struct pb g;
        g.n = 0;
        eth(&g, 0x0800);
        size_t ip = ip4_begin(&g, 47, IP_C, IP_D);
        be16(&g, 0);
        be16(&g, 0x0800);
        bytes(&g, p.b + 14, p.n - 14);
        ip4_end(&g, ip);
        enum dissect_result r = run(f, DISSECT_DLT_EN10MB, g.b, g.n);
        assert_int_equal(r, i ? DISSECT_DECODED : DISSECT_FRAG_HELD);
    }
    expect_datagram4(f);
    assert_int_equal(f->d.tunnel_depth, 1);
}

/* ------------------------------------------------------------------ */
/* IPv6 fragments */

/* UDP 1000 -> 2000 with 24 bytes: 32 bytes of fragmentable part. */
static void datagram6(uint8_t *dg32)
{
    struct pb p;
    p.n = 0;
    size_t u = udp_begin(&p, 1000, 2000);
    for (int i = 0; i < 24; i++)
        u8(&p, (uint8_t)('A' + i));
    udp_end(&p, u);
    memcpy(dg32, p.b, 32);
}

/* Ethernet / IPv6 / hop-by-hop (if hop) / Fragment / data. */
static void frag6(struct pb *p, uint32_t id, const uint8_t *data, size_t off, size_t len,
                  bool m, bool hop)
{
    p->n = 0;
    eth(p, 0x86dd);
    size_t ip = ip6_begin(p, hop ? 0 : 44, IP6_A, IP6_B);
    if (hop) {
        const uint8_t hh[8] = { 44, 0, 0x05, 0x02, 0, 0, 0x00, 0x00 };
        bytes(p, hh, 8);
    }
    u8(p, 17);
    u8(p, 0);
    be16(p, (uint16_t)(off | (m ? 1 : 0)));
    be32(p, id);
    bytes(p, data, len);
    ip6_end(p, ip);
}

static enum dissect_result send_frag6(struct fx *f, uint32_t id, const uint8_t *dg, size_t off,
                                      size_t len, bool m, bool hop)
{
    struct pb p;
    frag6(&p, id, dg + off, off, len, m, hop);
    return run(f, DISSECT_DLT_EN10MB, p.b, p.n);
}

static void expect_datagram6(struct fx *f, size_t unfrag)
{
    assert_true(f->d.defragged);
    assert_int_equal(f->d.ip_v, 6);
    assert_int_equal(f->d.proto, 17);
    assert_int_equal(f->d.ip_len, unfrag + 32);
    assert_int_equal(f->d.sport, 1000);
    assert_int_equal(f->d.dport, 2000);
    assert_int_equal(f->d.payload_len, 24);
    for (int i = 0; i < 24; i++)
        assert_int_equal(f->d.payload[i], 'A' + i);
}

static void frag6_reassembly(void **state)
{
    struct fx *f = *state;
    uint8_t dg[32];
    datagram6(dg);

    assert_int_equal(send_frag6(f, 0x10000001, dg, 0, 16, true, false), DISSECT_FRAG_HELD);
    assert_int_equal(f->d.ip_v, 6);
    assert_int_equal(f->d.proto, 17);
    assert_int_equal(send_frag6(f, 0x10000001, dg, 16, 16, false, false), DISSECT_DECODED);
    expect_datagram6(f, 40);
    assert_int_equal(f->d.nevents, 0);
    assert_int_equal(C(f, DEFRAG_IPV6_REASSEMBLED), 1);

    /* out of order, with a hop-by-hop header in the unfragmentable part:
     * its next header becomes UDP, the Fragment header is left out */
    assert_int_equal(send_frag6(f, 2, dg, 16, 16, false, true), DISSECT_FRAG_HELD);
    assert_int_equal(send_frag6(f, 2, dg, 0, 16, true, true), DISSECT_DECODED);
    expect_datagram6(f, 48);
    assert_int_equal(f->d.nevents, 0);       /* the hop-by-hop was checked once */

    /* overlap: first data kept */
    uint8_t evil[32];
    memset(evil, 'Z', sizeof(evil));
    assert_int_equal(send_frag6(f, 3, dg, 0, 16, true, false), DISSECT_FRAG_HELD);
    assert_int_equal(send_frag6(f, 3, evil, 8, 16, true, false), DISSECT_FRAG_HELD);
    assert_int_equal(f->d.events[0], DEV_IPV6_FRAG_OVERLAP);
    assert_int_equal(send_frag6(f, 3, dg, 16, 16, false, false), DISSECT_DECODED);
    assert_true(f->d.defragged);
    assert_int_equal(f->d.payload[7], 'H');   /* datagram byte 15 */
    assert_int_equal(f->d.payload[8], 'Z');   /* datagram byte 16: first data */
    assert_int_equal(f->d.payload[16], 'Q');
    assert_int_equal(f->d.events[0], DEV_IPV6_FRAG_OVERLAP);

    /* M set and not a multiple of 8 */
    assert_int_equal(send_frag6(f, 4, dg, 0, 12, true, false), DISSECT_FRAG_HELD);
    assert_int_equal(f->d.events[0], DEV_IPV6_FRAG_INVALID_LENGTH);

    /* too large */
    struct pb p;
    frag6(&p, 5, dg, 65528, 16, false, false);
    expect_invalid(f, DISSECT_DLT_EN10MB, &p, DEV_IPV6_FRAG_PKT_TOO_LARGE);

    /* atomic fragment: decoded at once */
    frag6(&p, 6, dg, 0, 32, false, false);
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_int_equal(f->d.events[0], DEV_IPV6_EXTHDR_USELESS_FH);
    assert_int_equal(f->d.sport, 1000);
    assert_false(f->d.defragged);

    /* non-zero reserved byte; Fragment header cut short */
    p.b[14 + 40 + 1] = 3;
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_true(has_event(&f->d, DEV_IPV6_FH_NON_ZERO_RES_FIELD));
    p.n = 14 + 40 + 6;
    put16(&p, 14 + 4, 6);
    expect_invalid(f, DISSECT_DLT_EN10MB, &p, DEV_IPV6_TRUNC_EXTHDR);
}

static void frag6_nested_fh(void **state)
{
    struct fx *f = *state;
    /* fragmentable part: another Fragment header, then UDP */
    uint8_t dg[40];
    uint8_t udp[32];
    datagram6(udp);
    const uint8_t fh[8] = { 17, 0, 0x00, 0x08, 0, 0, 0, 9 };   /* offset 8, M 0 */
    memcpy(dg, fh, 8);
    memcpy(dg + 8, udp, 32);
    struct pb p;
    frag6(&p, 7, dg, 0, 16, true, false);
    p.b[14 + 40] = 44;                   /* the fragment carries a Fragment header */
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_FRAG_HELD);
    frag6(&p, 7, dg + 16, 16, 24, false, false);
    p.b[14 + 40] = 44;
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_true(f->d.defragged);
    assert_true(has_event(&f->d, DEV_IPV6_EXTHDR_DUPL_FH));
    assert_int_equal(f->d.sport, 1000);
    /* a second Fragment header in one packet */
    const uint8_t two[16] = { 44, 0, 0, 0, 0, 0, 0, 1, 17, 0, 0, 0, 0, 0, 0, 2 };
    frame_v6ext(&p, 44, two, sizeof(two));
    assert_int_equal(run(f, DISSECT_DLT_EN10MB, p.b, p.n), DISSECT_DECODED);
    assert_true(has_event(&f->d, DEV_IPV6_EXTHDR_USELESS_FH));
    assert_true(has_event(&f->d, DEV_IPV6_EXTHDR_DUPL_FH));
}

/* ------------------------------------------------------------------ */
/* Worker hash */

static void worker_hash(void **state)
{
    (void)state;
    struct pb p, q;
    frame_udp4(&p, 4);
    uint32_t h = dissect_worker_hash(DISSECT_DLT_EN10MB, p.b, (uint32_t)p.n);
    assert_int_not_equal(h, 0);

    /* the other direction */
    q = p;
    memcpy(q.b + 26, p.b + 30, 4);
    memcpy(q.b + 30, p.b + 26, 4);
    assert_int_equal(dissect_worker_hash(DISSECT_DLT_EN10MB, q.b, (uint32_t)q.n), h);
    /* another pair */
    q.b[29] = 9;
    assert_int_not_equal(dissect_worker_hash(DISSECT_DLT_EN10MB, q.b, (uint32_t)q.n), h);

    /* every fragment of a datagram, with or without ports */
    uint8_t dg[48];
    datagram4(dg);
    frag4(&q, 77, dg, 0, 16, true);
    assert_int_equal(dissect_worker_hash(DISSECT_DLT_EN10MB, q.b, (uint32_t)q.n), h);
    frag4(&q, 77, dg + 32, 32, 16, false);
    assert_int_equal(dissect_worker_hash(DISSECT_DLT_EN10MB, q.b, (uint32_t)q.n), h);

    /* the same packet under VLAN tags and other link types */
    const uint16_t t2[] = { 0x88a8, 0x8100 }, v2[] = { 10, 20 };
    frame_vlan_udp(&q, t2, v2, 2);
    assert_int_equal(dissect_worker_hash(DISSECT_DLT_EN10MB, q.b, (uint32_t)q.n), h);
    struct pb ip4;
    ip_udp4(&ip4, 4);
    assert_int_equal(dissect_worker_hash(DISSECT_DLT_RAW101, ip4.b, (uint32_t)ip4.n), h);
    assert_int_equal(dissect_worker_hash(DISSECT_DLT_IPV4, ip4.b, (uint32_t)ip4.n), h);
    const uint8_t sll[16] = { 0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x08, 0x00 };
    with_prefix(&q, sll, 16, &ip4);
    assert_int_equal(dissect_worker_hash(DISSECT_DLT_SLL, q.b, (uint32_t)q.n), h);
    const uint8_t sll2[20] = { 0x08, 0x00 };
    with_prefix(&q, sll2, 20, &ip4);
    assert_int_equal(dissect_worker_hash(DISSECT_DLT_SLL2, q.b, (uint32_t)q.n), h);
    const uint8_t nul[4] = { 2, 0, 0, 0 }, loop[4] = { 0, 0, 0, 2 };
    with_prefix(&q, nul, 4, &ip4);
    assert_int_equal(dissect_worker_hash(DISSECT_DLT_NULL, q.b, (uint32_t)q.n), h);
    with_prefix(&q, loop, 4, &ip4);
    assert_int_equal(dissect_worker_hash(DISSECT_DLT_LOOP, q.b, (uint32_t)q.n), h);

    /* IPv6, both directions, and its fragments */
    frame_udp6(&p, 4);
    uint32_t h6 = dissect_worker_hash(DISSECT_DLT_EN10MB, p.b, (uint32_t)p.n);
    assert_int_not_equal(h6, 0);
    assert_int_not_equal(h6, h);
    q = p;
    memcpy(q.b + 22, IP6_B, 16);
    memcpy(q.b + 38, IP6_A, 16);
    assert_int_equal(dissect_worker_hash(DISSECT_DLT_EN10MB, q.b, (uint32_t)q.n), h6);
    uint8_t d6[32];
    datagram6(d6);
    frag6(&q, 1, d6 + 16, 16, 16, false, true);
    assert_int_equal(dissect_worker_hash(DISSECT_DLT_EN10MB, q.b, (uint32_t)q.n), h6);

    /* no IP: 0 */
    frame_arp(&q);
    assert_int_equal(dissect_worker_hash(DISSECT_DLT_EN10MB, q.b, (uint32_t)q.n), 0);
    assert_int_equal(dissect_worker_hash(105, p.b, (uint32_t)p.n), 0);
    assert_int_equal(dissect_worker_hash(DISSECT_DLT_EN10MB, p.b, 14 + 39), 0);
    assert_int_equal(dissect_worker_hash(DISSECT_DLT_EN10MB, p.b, 13), 0);
    assert_int_equal(dissect_worker_hash(DISSECT_DLT_EN10MB, NULL, 0), 0);
    const uint8_t af7[4] = { 7, 0, 0, 0 };
    with_prefix(&q, af7, 4, &ip4);
    assert_int_equal(dissect_worker_hash(DISSECT_DLT_NULL, q.b, (uint32_t)q.n), 0);
}

/* ------------------------------------------------------------------ */
/* Every prefix of valid frames */

struct sample {
    const char *name;
    int dlt;
    struct pb p;
    enum dissect_result full;       /* result for the whole frame */
};

static size_t build_samples(struct sample *s, size_t max)
{
    size_t n = 0;
    struct pb ip4, ip6;
    ip_udp4(&ip4, 6);
    ip_udp6(&ip6, 6);
#define ADD(nm, d, res) do { assert_true(n < max); s[n].name = nm; s[n].dlt = d; \
                             s[n].full = res; n++; } while (0)

    frame_tcp4(&s[n].p, (const uint8_t *)"data", 4);
    ADD("eth ipv4 tcp+opts", DISSECT_DLT_EN10MB, DISSECT_DECODED);
    const uint8_t rr[] = { 0x07, 0x07, 0x04, 0, 0, 0, 0, 0x00 };
    frame_ip4opts(&s[n].p, rr, sizeof(rr));
    ADD("ipv4 options", DISSECT_DLT_EN10MB, DISSECT_DECODED);
    frame_udp6(&s[n].p, 5);
    ADD("eth ipv6 udp", DISSECT_DLT_EN10MB, DISSECT_DECODED);
    const uint8_t chain[] = { 60, 0, 0x05, 0x02, 0, 0, 0, 0, 43, 0, 0x01, 0x04, 0, 0, 0, 0,
                              17, 0, 2, 0, 0, 0, 0, 0 };
    frame_v6ext(&s[n].p, 0, chain, sizeof(chain));
    ADD("ipv6 ext headers", DISSECT_DLT_EN10MB, DISSECT_DECODED);
    const uint16_t t2[] = { 0x88a8, 0x8100 }, v2[] = { 10, 20 };
    frame_vlan_udp(&s[n].p, t2, v2, 2);
    ADD("qinq udp", DISSECT_DLT_EN10MB, DISSECT_DECODED);
    frame_arp(&s[n].p);
    ADD("arp", DISSECT_DLT_EN10MB, DISSECT_DECODED);
    icmp4_frame(&s[n].p, 8, 0, 16);
    ADD("icmpv4", DISSECT_DLT_EN10MB, DISSECT_DECODED);
    icmp6_frame(&s[n].p, 58, 128, 0, 16);
    ADD("icmpv6", DISSECT_DLT_EN10MB, DISSECT_DECODED);

    const uint8_t sll[16] = { 0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x08, 0x00 };
    with_prefix(&s[n].p, sll, 16, &ip4);
    ADD("sll", DISSECT_DLT_SLL, DISSECT_DECODED);
    const uint8_t sll2[20] = { 0x86, 0xdd };
    with_prefix(&s[n].p, sll2, 20, &ip6);
    ADD("sll2", DISSECT_DLT_SLL2, DISSECT_DECODED);
    const uint8_t nul[4] = { 30, 0, 0, 0 };
    with_prefix(&s[n].p, nul, 4, &ip6);
    ADD("null", DISSECT_DLT_NULL, DISSECT_DECODED);
    s[n].p = ip4;
    ADD("raw", DISSECT_DLT_RAW101, DISSECT_DECODED);

    struct pb *p = &s[n].p;
    size_t ip, u;
    u = udp_tunnel_begin(p, 4789, &ip);
    vxlan_header(p, 0x08);
    eth_inner(p, 0x0800);
    inner_tcp4(p);
    udp_tunnel_end(p, ip, u);
    ADD("vxlan", DISSECT_DLT_EN10MB, DISSECT_DECODED);

    p = &s[n].p;
    p->n = 0;
    eth(p, 0x0800);
    ip = ip4_begin(p, 47, IP_C, IP_D);
    be16(p, 0x2000);
    be16(p, 0x6558);
    be32(p, 1);
    eth_inner(p, 0x86dd);
    bytes(p, ip6.b, ip6.n);
    ip4_end(p, ip);
    ADD("gre teb ipv6", DISSECT_DLT_EN10MB, DISSECT_DECODED);

    p = &s[n].p;
    u = udp_tunnel_begin(p, 6081, &ip);
    u8(p, 0x01);
    u8(p, 0);
    be16(p, 0x86dd);
    be32(p, 0);
    be16(p, 0x0102);
    u8(p, 0x80);
    u8(p, 0);
    bytes(p, ip6.b, ip6.n);
    udp_tunnel_end(p, ip, u);
    ADD("geneve ipv6", DISSECT_DLT_EN10MB, DISSECT_DECODED);

    p = &s[n].p;
    p->n = 0;
    eth(p, 0x86dd);
    ip = ip6_begin(p, 4, IP6_A, IP6_B);
    bytes(p, ip4.b, ip4.n);
    ip6_end(p, ip);
    ADD("4in6", DISSECT_DLT_EN10MB, DISSECT_DECODED);

    frame_nsh4(&s[n].p, 1, 1, 24);
    ADD("nsh md1 ipv4", DISSECT_DLT_EN10MB, DISSECT_DECODED);
    p = &s[n].p;
    p->n = 0;
    eth(p, 0x894f);
    nsh_header(p, 2, 3, 16);
    eth_inner(p, 0x86dd);
    bytes(p, ip6.b, ip6.n);
    ADD("nsh md2 eth ipv6", DISSECT_DLT_EN10MB, DISSECT_DECODED);

    uint8_t dg[48];
    datagram4(dg);
    frag4(&s[n].p, 99, dg + 16, 16, 16, true);
    ADD("ipv4 fragment", DISSECT_DLT_EN10MB, DISSECT_FRAG_HELD);
    uint8_t d6[32];
    datagram6(d6);
    frag6(&s[n].p, 99, d6 + 16, 16, 16, false, true);
    ADD("ipv6 fragment", DISSECT_DLT_EN10MB, DISSECT_FRAG_HELD);
#undef ADD
    return n;
}

static void every_prefix(void **state)
{
    struct fx *f = *state;
    static struct sample s[32];
    size_t ns = build_samples(s, NS_ARRAY_LEN(s));
    uint64_t calls = 0, invalid = 0;
    for (size_t i = 0; i < ns; i++) {
        const struct pb *p = &s[i].p;
        for (size_t n = 0; n <= p->n; n++) {
            /* exactly n bytes on the heap: ASan sees any read past them */
            uint8_t *b = malloc(n ? n : 1);
            assert_non_null(b);
            memcpy(b, p->b, n);
            uint64_t evsum = 0;
            for (unsigned e = 0; e < DEV_MAX; e++)
                evsum += f->dc.events[e];

            enum dissect_result r = run(f, s[i].dlt, b, n);
            calls++;
            (void)dissect_worker_hash(s[i].dlt, b, (uint32_t)n);

            if (n == p->n) {
                if (r != s[i].full)
                    fail_msg("%s: whole frame gave %d", s[i].name, r);
                if (r == DISSECT_DECODED && f->d.payload_len) {
                    assert_true(f->d.payload >= b);
                    assert_true(f->d.payload + f->d.payload_len <= b + n);
                }
            } else {
                /* every byte of these frames is covered by some length
                 * field: any cut is malformed */
                if (r != DISSECT_INVALID)
                    fail_msg("%s: prefix %zu of %zu gave %d", s[i].name, n, p->n, r);
                invalid++;
            }
            if (r == DISSECT_INVALID) {
                assert_true(f->d.nevents >= 1);
                assert_true(f->d.events[0] < DEV_MAX);
                assert_false(f->d.has_l4);
            }
            assert_true(f->d.nevents <= DISSECT_MAX_EVENTS);
            uint64_t evsum2 = 0;
            for (unsigned e = 0; e < DEV_MAX; e++)
                evsum2 += f->dc.events[e];
            assert_true(evsum2 - evsum >= f->d.nevents);
            free(b);
        }
    }
    assert_int_equal(C(f, PKTS), calls);
    assert_int_equal(C(f, INVALID), invalid);
}

/* Arbitrary bytes for every link type: no crash, consistent results. */
static void junk(void **state)
{
    struct fx *f = *state;
    const int dlts[] = { 0, 1, 12, 14, 101, 108, 113, 228, 229, 276 };
    uint32_t x = 12345;
    uint8_t buf[256];
    for (int round = 0; round < 4000; round++) {
        size_t n = (size_t)(x % sizeof(buf));
        for (size_t i = 0; i < n; i++) {
            x = x * 1103515245u + 12345u;
            buf[i] = (uint8_t)(x >> 16);
        }
        /* make IP-looking starts common */
        if (n > 20 && (round & 1)) {
            buf[14] = 0x45;
            buf[0] = (round & 2) ? 0x45 : 0x60;
        }
        int dlt = dlts[(unsigned)round % NS_ARRAY_LEN(dlts)];
        uint8_t *b = malloc(n ? n : 1);
        memcpy(b, buf, n);
        enum dissect_result r = run(f, dlt, b, n);
        assert_true(r == DISSECT_DECODED || r == DISSECT_INVALID || r == DISSECT_FRAG_HELD);
        if (r == DISSECT_INVALID)
            assert_true(f->d.nevents >= 1);
        (void)dissect_worker_hash(dlt, b, (uint32_t)n);
        free(b);
        x = x * 1103515245u + 12345u;
    }
    dissect_expire(&f->dc, UINT64_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names),
        cmocka_unit_test(linktypes),
        cmocka_unit_test(ctx_bad_config),
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(unsupported_dlt),
        T(tcp4_good),
        T(tcp4_no_options),
        T(eth_padding_trimmed),
        T(eth_too_small),
        T(ipv4_header_errors),
        T(ipv4_unknown_proto),
        T(ipv4_options),
        T(tcp_errors),
        T(tcp_options),
        T(udp_good_and_errors),
        T(snaplen_cut),
        T(sctp),
        T(header_pointers),
        T(icmpv4),
        T(icmpv6),
        T(ipv6_basic),
        T(ipv6_exthdrs),
        T(events_capped_and_reason_first),
        T(vlans),
        T(arp_and_ethertypes),
        T(sll_and_sll2),
        T(null_loop),
        T(raw_ip),
        T(gre),
        T(vxlan),
        T(geneve),
        T(nsh),
        T(gtpu),
        T(ip_in_ip),
        T(too_many_layers),
        T(frag4_in_order),
        T(frag4_out_of_order),
        T(frag4_overlap),
        T(frag4_limits),
        T(frag4_timeout),
        T(frag4_large),
        T(frag4_vlan_and_tunnel_keys),
        T(frag6_reassembly),
        T(frag6_nested_fh),
        T(worker_hash),
        T(every_prefix),
        T(junk),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
