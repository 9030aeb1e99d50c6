/* tests/test_dns.c: the DNS message parser (dissect/dns.h), its
 * transaction numbering, and the "dns" EVE record (output/eve_dns.c).
 *
 * Messages are built by hand here, byte by byte, so each test shows the
 * wire form it is about: a query; a response carrying A, AAAA, CNAME, MX,
 * TXT, SOA and SRV records with compressed names; NXDOMAIN; pointer chains,
 * loops, forward and out-of-message pointers; every truncation of a good
 * message (each copied into a buffer of exactly that size, so ASan sees any
 * read past it); labels over 63 and names over 255 octets; random bytes.
 * The records made are checked against tests/schema_check.py, so run from
 * the repository root (as `make unit` does).
 *
 * Then Suricata 7's "version 2" records (eve_dns_v2), field by field, and
 * the app layer's DNS switches (engine/app.c: outputs.eve.dns.version,
 * requests, responses; app-layer.protocols.dns.enabled and its tcp/udp
 * overrides), by feeding a query and its response over UDP and over TCP
 * through app_packet and reading the records off the output ring. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/test_util.h"

#include "dissect/dns.h"
#include "engine/app.h"
#include "engine/writer.h"
#include "engine/engine_int.h"
#include "output/eve.h"
#include "output/ring.h"

static struct dns_msg msg;
static char text[DNS_SCRATCH_SIZE];

/* ---- a small message builder ---- */

struct mb {
    uint8_t b[1024];
    size_t n;
};

static void put8(struct mb *m, uint8_t v) { m->b[m->n++] = v; }
static void put16(struct mb *m, uint16_t v) { put8(m, (uint8_t)(v >> 8)); put8(m, (uint8_t)v); }
static void put32(struct mb *m, uint32_t v) { put16(m, (uint16_t)(v >> 16)); put16(m, (uint16_t)v); }
static void putbytes(struct mb *m, const void *p, size_t n) { memcpy(m->b + m->n, p, n); m->n += n; }

static void hdr(struct mb *m, uint16_t id, uint16_t flags, uint16_t qd, uint16_t an,
                uint16_t ns, uint16_t ar)
{
    m->n = 0;
    put16(m, id);
    put16(m, flags);
    put16(m, qd);
    put16(m, an);
    put16(m, ns);
    put16(m, ar);
}

/* "www.example.test" -> labels and the root; returns its offset. */
static size_t name(struct mb *m, const char *s)
{
    size_t at = m->n;
    while (*s) {
        const char *dot = strchr(s, '.');
        size_t l = dot ? (size_t)(dot - s) : strlen(s);
        put8(m, (uint8_t)l);
        putbytes(m, s, l);
        s += l + (dot ? 1 : 0);
    }
    put8(m, 0);
    return at;
}

static void ptr(struct mb *m, size_t off) { put16(m, (uint16_t)(0xc000 | off)); }

static void rr_head(struct mb *m, uint16_t type, uint32_t ttl) { put16(m, type); put16(m, 1); put32(m, ttl); }

static enum dns_err parse(const struct mb *m)
{
    /* exactly sized copy: ASan catches a read past the end */
    uint8_t *p = malloc(m->n ? m->n : 1);
    assert_non_null(p);
    memcpy(p, m->b, m->n);
    enum dns_err e = dns_parse(p, m->n, &msg, text, sizeof(text));
    free(p);
    return e;
}

static void assert_str(struct dns_str s, const char *want)
{
    assert_int_equal(s.len, strlen(want));
    assert_memory_equal(text + s.off, want, s.len);
}

/* ---- the messages ---- */

static void query_a(struct mb *m)
{
    hdr(m, 0x1234, 0x0120, 1, 0, 0, 0);
    name(m, "www.example.test");
    put16(m, DNS_TYPE_A);
    put16(m, 1);
}

/* Answers: CNAME www -> host, A host, AAAA host, MX, TXT; authority SOA;
 * additional SRV.  Owner names point back at the question (offset 12)
 * or at the CNAME's target. */
static void response_all(struct mb *m)
{
    hdr(m, 0xbeef, 0x8580, 1, 5, 1, 1);
    size_t q = name(m, "www.example.test");
    put16(m, DNS_TYPE_A);
    put16(m, 1);

    ptr(m, q);                                  /* www.example.test CNAME host.example.test */
    rr_head(m, DNS_TYPE_CNAME, 300);
    put16(m, 7);
    size_t host = m->n;
    put8(m, 4);
    putbytes(m, "host", 4);
    ptr(m, q + 4);                              /* -> example.test */

    ptr(m, host);                               /* host.example.test A 192.0.2.1 */
    rr_head(m, DNS_TYPE_A, 60);
    put16(m, 4);
    putbytes(m, "\xc0\x00\x02\x01", 4);

    ptr(m, host);                               /* AAAA 2001:db8::1 */
    rr_head(m, DNS_TYPE_AAAA, 60);
    put16(m, 16);
    putbytes(m, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);

    ptr(m, q + 4);                              /* example.test MX 10 mail.example.test */
    rr_head(m, DNS_TYPE_MX, 3600);
    put16(m, 2 + 7);
    put16(m, 10);
    put8(m, 4);
    putbytes(m, "mail", 4);
    ptr(m, q + 4);

    ptr(m, q + 4);                              /* TXT "v=spf1" " -all" */
    rr_head(m, DNS_TYPE_TXT, 3600);
    put16(m, 1 + 6 + 1 + 5);
    put8(m, 6);
    putbytes(m, "v=spf1", 6);
    put8(m, 5);
    putbytes(m, " -all", 5);

    ptr(m, q + 4);                              /* SOA ns1.example.test hostmaster.example.test */
    rr_head(m, DNS_TYPE_SOA, 900);
    put16(m, 6 + 13 + 20);
    put8(m, 3);
    putbytes(m, "ns1", 3);
    ptr(m, q + 4);
    put8(m, 10);
    putbytes(m, "hostmaster", 10);
    ptr(m, q + 4);
    put32(m, 2026112301);
    put32(m, 7200);
    put32(m, 3600);
    put32(m, 1209600);
    put32(m, 300);

    put8(m, 5);                                 /* _sip._udp.example.test SRV 0 5 5060 host */
    putbytes(m, "_sips", 5);
    put8(m, 4);
    putbytes(m, "_udp", 4);
    ptr(m, q + 4);
    rr_head(m, DNS_TYPE_SRV, 120);
    put16(m, 6 + 2);
    put16(m, 0);
    put16(m, 5);
    put16(m, 5060);
    ptr(m, host);
}

/* ---- parser ---- */

static void parses_query(void **state)
{
    (void)state;
    struct mb m;
    query_a(&m);
    assert_int_equal(parse(&m), DNS_ERR_OK);
    assert_int_equal(msg.id, 0x1234);
    assert_false(dns_is_response(&msg));
    assert_int_equal(dns_opcode(&msg), 0);
    assert_int_equal(msg.nq, 1);
    assert_str(msg.q[0].name, "www.example.test");
    assert_int_equal(msg.q[0].rrtype, DNS_TYPE_A);
    assert_int_equal(msg.nrr[0] + msg.nrr[1] + msg.nrr[2], 0);
    assert_false(msg.partial);
}

static void parses_response(void **state)
{
    (void)state;
    struct mb m;
    response_all(&m);
    assert_int_equal(parse(&m), DNS_ERR_OK);
    assert_true(dns_is_response(&msg));
    assert_int_equal(dns_rcode(&msg), 0);
    assert_int_equal(msg.nrr[DNS_SEC_ANSWER], 5);
    assert_int_equal(msg.nrr[DNS_SEC_AUTHORITY], 1);
    assert_int_equal(msg.nrr[DNS_SEC_ADDITIONAL], 1);
    const struct dns_rr *r = msg.rr;
    assert_str(r[0].name, "www.example.test");
    assert_int_equal(r[0].ttl, 300);
    assert_str(r[0].rdata, "host.example.test");
    assert_str(r[1].name, "host.example.test");
    assert_str(r[1].rdata, "192.0.2.1");
    assert_str(r[2].rdata, "2001:0db8:0000:0000:0000:0000:0000:0001");
    assert_str(r[3].name, "example.test");
    assert_str(r[3].rdata, "mail.example.test");
    assert_str(r[4].rdata, "v=spf1 -all");
    assert_int_equal(r[5].kind, DNS_RDATA_SOA);
    assert_str(r[5].rdata, "ns1.example.test");
    assert_str(r[5].rname, "hostmaster.example.test");
    assert_int_equal(r[5].soa[0], 2026112301);
    assert_int_equal(r[5].soa[4], 300);
    assert_int_equal(r[6].kind, DNS_RDATA_SRV);
    assert_str(r[6].name, "_sips._udp.example.test");
    assert_int_equal(r[6].srv_port, 5060);
    assert_int_equal(r[6].srv_weight, 5);
    assert_str(r[6].rdata, "host.example.test");
}

static void parses_nxdomain_and_root(void **state)
{
    (void)state;
    struct mb m;
    hdr(&m, 7, 0x8183, 1, 0, 0, 1);
    name(&m, "nosuchhost.invalid");
    put16(&m, DNS_TYPE_A);
    put16(&m, 1);
    put8(&m, 0);                                /* OPT, owner the root */
    put16(&m, DNS_TYPE_OPT);
    put16(&m, 1232);
    put32(&m, 0);
    put16(&m, 0);
    assert_int_equal(parse(&m), DNS_ERR_OK);
    assert_int_equal(dns_rcode(&msg), 3);
    assert_string_equal(dns_rcode_name(dns_rcode(&msg)), "NXDOMAIN");
    assert_str(msg.rr[0].name, "<root>");
    assert_int_equal(msg.rr[0].kind, DNS_RDATA_NONE);
    assert_string_equal(dns_rrtype_name(DNS_TYPE_OPT), "OPT");
    assert_null(dns_rrtype_name(65280));
}

static void every_truncation_fails(void **state)
{
    (void)state;
    struct mb m, t;
    response_all(&m);
    for (size_t n = 0; n < m.n; n++) {
        memcpy(t.b, m.b, n);
        t.n = n;
        assert_int_not_equal(parse(&t), DNS_ERR_OK);
    }
    query_a(&m);
    for (size_t n = 0; n < m.n; n++) {
        memcpy(t.b, m.b, n);
        t.n = n;
        enum dns_err e = parse(&t);
        assert_true(e == (n < DNS_HDR_LEN ? DNS_ERR_SHORT_HEADER : DNS_ERR_TRUNCATED));
    }
}

static void pointer_chain(void **state)
{
    (void)state;
    struct mb m;
    hdr(&m, 1, 0x0100, 3, 0, 0, 0);
    size_t a = name(&m, "example.test");
    put16(&m, 1); put16(&m, 1);
    size_t b = m.n;                             /* mail -> example.test */
    put8(&m, 4); putbytes(&m, "mail", 4); ptr(&m, a);
    put16(&m, 1); put16(&m, 1);
    put8(&m, 2); putbytes(&m, "x1", 2); ptr(&m, b);   /* x1 -> mail -> example.test */
    put16(&m, 1); put16(&m, 1);
    assert_int_equal(parse(&m), DNS_ERR_OK);
    assert_int_equal(msg.nq, 3);
    assert_str(msg.q[1].name, "mail.example.test");
    assert_str(msg.q[2].name, "x1.mail.example.test");
}

static void pointer_to_itself(void **state)
{
    (void)state;
    struct mb m;
    hdr(&m, 1, 0x0100, 1, 0, 0, 0);
    ptr(&m, DNS_HDR_LEN);
    put16(&m, 1); put16(&m, 1);
    assert_int_equal(parse(&m), DNS_ERR_POINTER_LOOP);
}

static void pointer_loop_two_names(void **state)
{
    (void)state;
    struct mb m;
    /* name 1: "a" -> name 2 (forward); name 2: "b" -> name 1: a cycle */
    hdr(&m, 1, 0x0100, 2, 0, 0, 0);
    put8(&m, 1); put8(&m, 'a'); ptr(&m, 12 + 4 + 4);
    put16(&m, 1); put16(&m, 1);
    put8(&m, 1); put8(&m, 'b'); ptr(&m, 12);
    put16(&m, 1); put16(&m, 1);
    assert_int_equal(parse(&m), DNS_ERR_POINTER_LOOP);

    /* a loop reached only after a good backward hop: x -> y(label, -> y) */
    hdr(&m, 1, 0x0100, 2, 0, 0, 0);
    size_t y = m.n;
    put8(&m, 1); put8(&m, 'y'); ptr(&m, y);     /* points into itself */
    put16(&m, 1); put16(&m, 1);
    put8(&m, 1); put8(&m, 'x'); ptr(&m, y);
    put16(&m, 1); put16(&m, 1);
    assert_int_equal(parse(&m), DNS_ERR_POINTER_LOOP);
}

static void forward_and_outside_pointers(void **state)
{
    (void)state;
    struct mb m;
    hdr(&m, 1, 0x0100, 1, 0, 0, 0);
    ptr(&m, 12 + 6);                            /* forward, to a real name */
    put16(&m, 1); put16(&m, 1);
    name(&m, "later.test");
    assert_int_equal(parse(&m), DNS_ERR_POINTER_LOOP);

    hdr(&m, 1, 0x0100, 1, 0, 0, 0);
    ptr(&m, 0x3fff);                            /* past the message */
    put16(&m, 1); put16(&m, 1);
    assert_int_equal(parse(&m), DNS_ERR_BAD_POINTER);

    hdr(&m, 1, 0x0100, 1, 0, 0, 0);
    put8(&m, 0x80);                             /* reserved label type 10 */
    put16(&m, 1); put16(&m, 1);
    assert_int_equal(parse(&m), DNS_ERR_BAD_LABEL);
}

static void label_and_name_limits(void **state)
{
    (void)state;
    struct mb m;
    char l63[64], l61[62];
    memset(l63, 'a', 63);
    l63[63] = '\0';
    memset(l61, 'b', 61);
    l61[61] = '\0';

    hdr(&m, 1, 0x0100, 1, 0, 0, 0);
    put8(&m, 64);                               /* 64: 01xxxxxx, not a length */
    for (int i = 0; i < 64; i++)
        put8(&m, 'a');
    put8(&m, 0);
    put16(&m, 1); put16(&m, 1);
    assert_int_equal(parse(&m), DNS_ERR_BAD_LABEL);

    /* 3 x (1 + 63) + (1 + 61) + 1 = 255 octets: the longest name */
    char n255[300];
    snprintf(n255, sizeof(n255), "%s.%s.%s.%s", l63, l63, l63, l61);
    hdr(&m, 1, 0x0100, 1, 0, 0, 0);
    name(&m, n255);
    put16(&m, 1); put16(&m, 1);
    assert_int_equal(parse(&m), DNS_ERR_OK);
    assert_str(msg.q[0].name, n255);

    /* one more octet */
    char n256[300];
    snprintf(n256, sizeof(n256), "%s.%s.%s.%sb", l63, l63, l63, l61);
    hdr(&m, 1, 0x0100, 1, 0, 0, 0);
    name(&m, n256);
    put16(&m, 1); put16(&m, 1);
    assert_int_equal(parse(&m), DNS_ERR_NAME_TOO_LONG);

    /* too long only through a pointer: 4 labels of 63 then -> "a.b" */
    hdr(&m, 1, 0x0100, 2, 0, 0, 0);
    size_t ab = name(&m, "a.b");
    put16(&m, 1); put16(&m, 1);
    for (int i = 0; i < 4; i++) {
        put8(&m, 63);
        putbytes(&m, l63, 63);
    }
    ptr(&m, ab);
    put16(&m, 1); put16(&m, 1);
    assert_int_equal(parse(&m), DNS_ERR_NAME_TOO_LONG);
}

static void bad_rdata(void **state)
{
    (void)state;
    struct mb m;
    /* MX whose name runs past its rdlength */
    hdr(&m, 1, 0x8180, 0, 1, 0, 0);
    name(&m, "x.test");
    rr_head(&m, DNS_TYPE_MX, 1);
    put16(&m, 4);
    put16(&m, 10);
    put8(&m, 4);
    putbytes(&m, "mail", 4);
    put8(&m, 0);
    assert_int_equal(parse(&m), DNS_ERR_BAD_RDATA);

    /* TXT string longer than the rdata */
    hdr(&m, 1, 0x8180, 0, 1, 0, 0);
    name(&m, "x.test");
    rr_head(&m, DNS_TYPE_TXT, 1);
    put16(&m, 3);
    put8(&m, 5);
    putbytes(&m, "ab", 2);
    assert_int_equal(parse(&m), DNS_ERR_BAD_RDATA);

    /* an A record of 5 bytes is kept without rdata, as Suricata */
    hdr(&m, 1, 0x8180, 0, 1, 0, 0);
    name(&m, "x.test");
    rr_head(&m, DNS_TYPE_A, 1);
    put16(&m, 5);
    putbytes(&m, "\1\2\3\4\5", 5);
    assert_int_equal(parse(&m), DNS_ERR_OK);
    assert_int_equal(msg.rr[0].kind, DNS_RDATA_NONE);
}

static void limits_make_partial(void **state)
{
    (void)state;
    struct mb m;
    hdr(&m, 1, 0x0100, DNS_MAX_QUERIES + 2, 0, 0, 0);
    for (int i = 0; i < DNS_MAX_QUERIES + 2; i++) {
        put8(&m, 1);
        put8(&m, (uint8_t)('a' + i));
        put8(&m, 0);
        put16(&m, 1); put16(&m, 1);
    }
    assert_int_equal(parse(&m), DNS_ERR_OK);
    assert_int_equal(msg.nq, DNS_MAX_QUERIES);
    assert_true(msg.partial);

    /* a scratch too small for the text: records left out, no error */
    response_all(&m);
    char small[300];
    assert_int_equal(dns_parse(m.b, m.n, &msg, small, sizeof(small)), DNS_ERR_OK);
    assert_true(msg.partial);
    assert_true(msg.nrr[0] < 5);
}

static void random_bytes(void **state)
{
    (void)state;
    struct mb m, base;
    response_all(&base);
    srand(53);
    for (int it = 0; it < 20000; it++) {
        m = base;
        int flips = 1 + rand() % 8;
        for (int k = 0; k < flips; k++)
            m.b[rand() % (int)m.n] = (uint8_t)rand();
        if (rand() % 4 == 0)
            m.n = (size_t)(rand() % (int)m.n);
        enum dns_err e = parse(&m);
        assert_true(e < DNS_ERR_MAX);
        assert_non_null(dns_err_name(e));
    }
}

static void transactions(void **state)
{
    (void)state;
    struct dns_txs t;
    memset(&t, 0, sizeof(t));
    assert_int_equal(dns_txs_request(&t, 100), 0);
    assert_int_equal(dns_txs_request(&t, 200), 1);
    assert_int_equal(dns_txs_response(&t, 200), 1);
    assert_int_equal(dns_txs_response(&t, 100), 0);
    assert_int_equal(dns_txs_response(&t, 100), 2);   /* unsolicited */
    /* same id twice: the oldest request is answered first */
    assert_int_equal(dns_txs_request(&t, 7), 3);
    assert_int_equal(dns_txs_request(&t, 7), 4);
    assert_int_equal(dns_txs_response(&t, 7), 3);
    assert_int_equal(dns_txs_response(&t, 7), 4);
    /* more open than kept: the oldest is forgotten */
    for (uint16_t i = 0; i < DNS_TXS_OPEN + 1; i++)
        assert_int_equal(dns_txs_request(&t, (uint16_t)(50 + i)), 5 + i);
    assert_int_equal(dns_txs_response(&t, 50), 5 + DNS_TXS_OPEN + 1);
    assert_int_equal(dns_txs_response(&t, 51), 6);
}

/* ---- the EVE record ---- */

static char rec[64 * 1024];

#define HAS(s) assert_non_null(strstr(rec, (s)))

static size_t record(const struct mb *m, bool tcp)
{
    assert_int_equal(parse(m), DNS_ERR_OK);
    static struct eve_ctx ec;
    eve_ctx_init(&ec, "x.pcap", NULL);
    struct flow f;
    memset(&f, 0, sizeof(f));
    f.flow_id = 42;
    f.ip_v = 4;
    f.proto = tcp ? 6 : 17;
    f.cli[0] = 10; f.cli[3] = 1;
    f.srv[0] = 10; f.srv[3] = 2;
    f.cli_port = 40000;
    f.srv_port = 53;
    struct ns_decoded d;
    memset(&d, 0, sizeof(d));
    d.ip_v = 4;
    d.proto = f.proto;
    bool resp = dns_is_response(&msg);
    memcpy(d.src, resp ? f.srv : f.cli, 16);
    memcpy(d.dst, resp ? f.cli : f.srv, 16);
    d.sport = resp ? 53 : 40000;
    d.dport = resp ? 40000 : 53;
    d.has_l4 = true;
    struct ns_pkt pkt = { .ts_us = 1795356469835303ull, .pcap_cnt = 9 };
    size_t n = eve_dns(&ec, rec, sizeof(rec), &pkt, &d, &f, &msg, text, 3);
    assert_true(n > 0 && n < sizeof(rec));
    rec[n] = '\0';
    return n;
}

static void schema_ok(void)
{
    test_schema_ok(rec);
}

static void eve_request(void **state)
{
    (void)state;
    struct mb m;
    query_a(&m);
    record(&m, false);
    HAS("\"event_type\":\"dns\",\"src_ip\":\"10.0.0.1\",\"src_port\":40000,\"dest_ip\":\"10.0.0.2\",\"dest_port\":53");
    HAS("\"proto\":\"UDP\"");
    HAS("\"dns\":{\"version\":3,\"type\":\"request\",\"tx_id\":3,\"id\":4660,\"flags\":\"120\",\"rd\":true,"
        "\"opcode\":0,\"rcode\":\"NOERROR\",\"queries\":[{\"rrname\":\"www.example.test\",\"rrtype\":\"A\"}]}}\n");
    schema_ok();
}

static void eve_response(void **state)
{
    (void)state;
    struct mb m;
    response_all(&m);
    record(&m, true);
    HAS("\"src_ip\":\"10.0.0.2\",\"src_port\":53,\"dest_ip\":\"10.0.0.1\",\"dest_port\":40000");
    HAS("\"proto\":\"TCP\"");
    HAS("\"type\":\"response\"");
    HAS("\"flags\":\"8580\",\"qr\":true,\"aa\":true,\"rd\":true,\"ra\":true");
    HAS("{\"rrname\":\"www.example.test\",\"rrtype\":\"CNAME\",\"ttl\":300,\"rdata\":\"host.example.test\"}");
    HAS("{\"rrname\":\"host.example.test\",\"rrtype\":\"AAAA\",\"ttl\":60,\"rdata\":\"2001:0db8:0000:0000:0000:0000:0000:0001\"}");
    HAS("\"grouped\":{\"CNAME\":[\"host.example.test\"],\"A\":[\"192.0.2.1\"],"
        "\"AAAA\":[\"2001:0db8:0000:0000:0000:0000:0000:0001\"],\"MX\":[\"mail.example.test\"],"
        "\"TXT\":[\"v=spf1 -all\"]}");
    HAS("\"authorities\":[{\"rrname\":\"example.test\",\"rrtype\":\"SOA\",\"ttl\":900,\"soa\":{\"mname\":\"ns1.example.test\","
        "\"rname\":\"hostmaster.example.test\",\"serial\":2026112301,\"refresh\":7200,\"retry\":3600,"
        "\"expire\":1209600,\"minimum\":300}}]");
    HAS("\"additionals\":[{\"rrname\":\"_sips._udp.example.test\",\"rrtype\":\"SRV\",\"ttl\":120,"
        "\"srv\":{\"priority\":0,\"weight\":5,\"port\":5060,\"name\":\"host.example.test\"}}]");
    schema_ok();
}

static void eve_odd_bytes_and_types(void **state)
{
    (void)state;
    struct mb m;
    hdr(&m, 1, 0x8183, 1, 0, 1, 0);
    put8(&m, 3);
    putbytes(&m, "a\"\xff", 3);                 /* a quote and a byte that is not UTF-8 */
    put8(&m, 0);
    put16(&m, 65280);                           /* no name: the number */
    put16(&m, 1);
    put8(&m, 0);
    rr_head(&m, DNS_TYPE_NULL, 5);
    put16(&m, 0);
    record(&m, false);
    HAS("\"rrname\":\"a\\\"\\\\xff\",\"rrtype\":\"65280\"");
    HAS("\"rcode\":\"NXDOMAIN\"");
    HAS("\"authorities\":[{\"rrname\":\"<root>\",\"rrtype\":\"NULL\",\"ttl\":5}]");
    schema_ok();
}

/* ---- EVE DNS version 2 ---- */

static struct eve_ctx v2_ec;
static struct flow v2_f;
static struct ns_decoded v2_d;

/* m sent over UDP flow 10.0.0.1:40000 -> 10.0.0.2:53 by the client (a
 * request) or the server (a response), in frames with MAC addresses; the
 * record of question qi, or 0 when eve_dns_v2 writes none. */
static size_t record_v2(const struct mb *m, unsigned qi)
{
    enum dns_err e = parse(m);
    assert_true(e == DNS_ERR_OK);
    eve_ctx_init(&v2_ec, "x.pcap", NULL);
    v2_ec.ethernet = true;
    memset(&v2_f, 0, sizeof(v2_f));
    v2_f.flow_id = 42;
    v2_f.ip_v = 4;
    v2_f.proto = 17;
    v2_f.cli[0] = 10; v2_f.cli[3] = 1;
    v2_f.srv[0] = 10; v2_f.srv[3] = 2;
    v2_f.cli_port = 40000;
    v2_f.srv_port = 53;
    memset(&v2_d, 0, sizeof(v2_d));
    v2_d.ip_v = 4;
    v2_d.proto = 17;
    bool resp = dns_is_response(&msg);
    memcpy(v2_d.src, resp ? v2_f.srv : v2_f.cli, 16);
    memcpy(v2_d.dst, resp ? v2_f.cli : v2_f.srv, 16);
    v2_d.sport = resp ? 53 : 40000;
    v2_d.dport = resp ? 40000 : 53;
    v2_d.has_l4 = true;
    v2_d.has_eth = true;
    static const uint8_t cli_mac[6] = { 2, 0, 0, 0, 0, 1 }, srv_mac[6] = { 2, 0, 0, 0, 0, 2 };
    memcpy(v2_d.src_mac, resp ? srv_mac : cli_mac, 6);
    memcpy(v2_d.dst_mac, resp ? cli_mac : srv_mac, 6);
    struct ns_pkt pkt = { .ts_us = 1795356469835303ull, .pcap_cnt = 9 };
    size_t n = eve_dns_v2(&v2_ec, rec, sizeof(rec), &pkt, &v2_d, &v2_f, !resp, &msg, text, 3, qi);
    assert_true(n < sizeof(rec));
    rec[n] = '\0';
    return n;
}

/* The flow's client is src for both kinds of record, and so is its MAC. */
#define V2_HEAD "\"event_type\":\"dns\",\"src_ip\":\"10.0.0.1\",\"src_port\":40000," \
    "\"dest_ip\":\"10.0.0.2\",\"dest_port\":53,\"ip_v\":4,\"proto\":\"UDP\",\"pkt_src\":\"wire/pcap\"," \
    "\"community_id\":\"1:"
#define V2_ETHER "\"ether\":{\"src_mac\":\"02:00:00:00:00:01\",\"dest_mac\":\"02:00:00:00:00:02\"},"

static void eve_v2_query(void **state)
{
    (void)state;
    struct mb m;
    /* two questions, the Z bit and opcode 2 (STATUS) */
    hdr(&m, 0x1234, 0x1140, 2, 0, 0, 0);
    name(&m, "www.example.test");
    put16(&m, DNS_TYPE_A);
    put16(&m, 1);
    name(&m, "mail.example.test");
    put16(&m, DNS_TYPE_MX);
    put16(&m, 1);
    assert_true(record_v2(&m, 0) > 0);
    HAS("{\"timestamp\":\"");
    HAS(",\"flow_id\":42,\"pcap_cnt\":9,\"pcap_filename\":\"x.pcap\"," V2_HEAD);
    HAS("=\"," V2_ETHER "\"dns\":{\"type\":\"query\",\"id\":4660,\"rrname\":\"www.example.test\","
        "\"rrtype\":\"A\",\"tx_id\":3,\"z\":true,\"opcode\":2}}\n");
    assert_null(strstr(rec, "\"version\""));
    schema_ok();
    assert_true(record_v2(&m, 1) > 0);
    HAS("\"dns\":{\"type\":\"query\",\"id\":4660,\"rrname\":\"mail.example.test\","
        "\"rrtype\":\"MX\",\"tx_id\":3,\"z\":true,\"opcode\":2}}\n");
    schema_ok();
    assert_int_equal(record_v2(&m, 2), 0);          /* past the questions */

    query_a(&m);                                     /* the plain form */
    assert_true(record_v2(&m, 0) > 0);
    HAS("\"dns\":{\"type\":\"query\",\"id\":4660,\"rrname\":\"www.example.test\","
        "\"rrtype\":\"A\",\"tx_id\":3,\"opcode\":0}}\n");
}

static void eve_v2_answer(void **state)
{
    (void)state;
    struct mb m;
    response_all(&m);
    assert_true(record_v2(&m, 7) > 0);               /* qi does not matter */
    HAS(V2_HEAD);
    /* the responder's frame, written in the flow's direction */
    HAS(V2_ETHER "\"dns\":{\"version\":2,\"type\":\"answer\",\"id\":48879,\"flags\":\"8580\","
        "\"qr\":true,\"aa\":true,\"rd\":true,\"ra\":true,\"opcode\":0,\"rrname\":\"www.example.test\","
        "\"rrtype\":\"A\",\"rcode\":\"NOERROR\",\"answers\":["
        "{\"rrname\":\"www.example.test\",\"rrtype\":\"CNAME\",\"ttl\":300,\"rdata\":\"host.example.test\"},"
        "{\"rrname\":\"host.example.test\",\"rrtype\":\"A\",\"ttl\":60,\"rdata\":\"192.0.2.1\"},"
        "{\"rrname\":\"host.example.test\",\"rrtype\":\"AAAA\",\"ttl\":60,"
        "\"rdata\":\"2001:0db8:0000:0000:0000:0000:0000:0001\"},"
        "{\"rrname\":\"example.test\",\"rrtype\":\"MX\",\"ttl\":3600,\"rdata\":\"mail.example.test\"},"
        "{\"rrname\":\"example.test\",\"rrtype\":\"TXT\",\"ttl\":3600,\"rdata\":\"v=spf1 -all\"}],"
        "\"grouped\":{\"CNAME\":[\"host.example.test\"],\"A\":[\"192.0.2.1\"],"
        "\"AAAA\":[\"2001:0db8:0000:0000:0000:0000:0000:0001\"],\"MX\":[\"mail.example.test\"],"
        "\"TXT\":[\"v=spf1 -all\"]},"
        "\"authorities\":[{\"rrname\":\"example.test\",\"rrtype\":\"SOA\",\"ttl\":900,"
        "\"soa\":{\"mname\":\"ns1.example.test\",\"rname\":\"hostmaster.example.test\","
        "\"serial\":2026112301,\"refresh\":7200,\"retry\":3600,\"expire\":1209600,\"minimum\":300}}]}}\n");
    /* no tx_id, no additionals in version 2 */
    assert_null(strstr(rec, "tx_id"));
    assert_null(strstr(rec, "additionals"));
    schema_ok();
}

static void eve_v2_answer_odd(void **state)
{
    (void)state;
    struct mb m;
    /* NXDOMAIN, an answer without data: "grouped" is there, empty */
    hdr(&m, 7, 0x8183, 1, 1, 0, 0);
    size_t q = name(&m, "nx.example.test");
    put16(&m, 65280);
    put16(&m, 1);
    ptr(&m, q);
    rr_head(&m, DNS_TYPE_NULL, 5);
    put16(&m, 0);
    assert_true(record_v2(&m, 0) > 0);
    HAS("\"dns\":{\"version\":2,\"type\":\"answer\",\"id\":7,\"flags\":\"8183\",\"qr\":true,"
        "\"rd\":true,\"ra\":true,\"opcode\":0,\"rrname\":\"nx.example.test\",\"rrtype\":\"65280\","
        "\"rcode\":\"NXDOMAIN\",\"answers\":[{\"rrname\":\"nx.example.test\",\"rrtype\":\"NULL\","
        "\"ttl\":5}],\"grouped\":{}}}\n");
    schema_ok();
    /* a response without a question: Suricata 7 writes nothing */
    hdr(&m, 8, 0x8180, 0, 0, 0, 0);
    assert_int_equal(record_v2(&m, 0), 0);
}

/* ---- the app layer's switches ---- */

static struct ns_config app_cfg;
static struct app_ctx app_a;
static char app_recs[16][4096];

static void query_response(struct mb *q, struct mb *r)
{
    query_a(q);
    hdr(r, 0x1234, 0x8180, 1, 1, 0, 0);
    size_t at = name(r, "www.example.test");
    put16(r, DNS_TYPE_A);
    put16(r, 1);
    ptr(r, at);
    rr_head(r, DNS_TYPE_A, 60);
    put16(r, 4);
    putbytes(r, "\xc0\x00\x02\x01", 4);
}

static void app_send(struct flow *f, bool toserver, uint8_t flags, uint32_t seq, uint32_t ack,
                     const uint8_t *p, size_t n, uint64_t cnt)
{
    struct ns_decoded d;
    memset(&d, 0, sizeof(d));
    d.ip_v = 4;
    d.proto = f->proto;
    memcpy(d.src, toserver ? f->cli : f->srv, 16);
    memcpy(d.dst, toserver ? f->srv : f->cli, 16);
    d.sport = toserver ? f->cli_port : f->srv_port;
    d.dport = toserver ? f->srv_port : f->cli_port;
    d.has_l4 = true;
    d.tcp_flags = flags;
    d.tcp_seq = seq;
    d.tcp_ack = ack;
    d.tcp_wscale = 0xff;
    d.payload = p;
    d.payload_len = (uint32_t)n;
    struct ns_pkt pkt = { .ts_us = 1795356469835303ull + cnt, .pcap_cnt = cnt };
    app_packet(&app_a, &pkt, &d, f, toserver);
}

/* A query and its response over UDP or TCP through the app layer with
 * app_cfg; returns how many records came out, in app_recs. */
static unsigned app_run(bool tcp)
{
    char err[NS_ERRBUF_SIZE];
    struct ring *ring = ring_create(1 << 20, err);
    assert_non_null(ring);
    static struct eve_ctx ec;
    eve_ctx_init(&ec, "x.pcap", NULL);
    static uint64_t outc[OUT_MAX];
    assert_int_equal(app_ctx_init(&app_a, &app_cfg, 1 << 20, ring, &ec, outc, err), NS_OK);
    struct flow f;
    memset(&f, 0, sizeof(f));
    f.flow_id = 42;
    f.ip_v = 4;
    f.proto = tcp ? 6 : 17;
    f.cli[0] = 10; f.cli[3] = 1;
    f.srv[0] = 10; f.srv[3] = 2;
    f.cli_port = 40000;
    f.srv_port = 53;
    struct mb q, r;
    query_response(&q, &r);
    if (!tcp) {
        app_send(&f, true, 0, 0, 0, q.b, q.n, 1);
        app_send(&f, false, 0, 0, 0, r.b, r.n, 2);
    } else {
        /* RFC 1035 4.2.2: each message after its 2-byte length */
        uint8_t tq[sizeof(q.b) + 2], tr[sizeof(r.b) + 2];
        tq[0] = (uint8_t)(q.n >> 8); tq[1] = (uint8_t)q.n;
        memcpy(tq + 2, q.b, q.n);
        tr[0] = (uint8_t)(r.n >> 8); tr[1] = (uint8_t)r.n;
        memcpy(tr + 2, r.b, r.n);
        f.tcp_flags[0] = 0x02;
        app_send(&f, true, 0x02, 1000, 0, NULL, 0, 1);              /* SYN */
        app_send(&f, false, 0x12, 5000, 1001, NULL, 0, 2);          /* SYN/ACK */
        app_send(&f, true, 0x10, 1001, 5001, NULL, 0, 3);           /* ACK */
        app_send(&f, true, 0x18, 1001, 5001, tq, q.n + 2, 4);
        app_send(&f, false, 0x18, 5001, 1001 + (uint32_t)q.n + 2, tr, r.n + 2, 5);
        app_send(&f, true, 0x10, 1001 + (uint32_t)q.n + 2, 5001 + (uint32_t)r.n + 2, NULL, 0, 6);
        app_flow_end(&app_a, &f);
    }
    unsigned n = 0;
    uint32_t type, len;
    const void *p;
    static struct dns_msg m;
    static char dtext[DNS_SCRATCH_SIZE];
    while ((p = ring_peek(ring, &type, &len)) != NULL) {
        assert_true(n < 16);
        if (type == REC_DNS) {      /* a version 3 record: the writer formats it */
            len = (uint32_t)writer_format_dns(&ec, p, len, &m, dtext, app_recs[n],
                                              sizeof(app_recs[0]) - 1);
            assert_true(len > 0);
        } else {
            assert_true(type == REC_JSON && len < sizeof(app_recs[0]));
            memcpy(app_recs[n], p, len);
        }
        app_recs[n++][len] = '\0';
        ring_release(ring);
    }
    app_ctx_fini(&app_a);
    ring_destroy(ring);
    return n;
}

#define REC_HAS(i, s) assert_non_null(strstr(app_recs[i], (s)))

static void app_switches(void **state)
{
    (void)state;
    for (int tcp = 0; tcp < 2; tcp++) {
        config_defaults(&app_cfg);
        assert_int_equal(app_run(tcp), 2);
        REC_HAS(0, "\"type\":\"request\",\"tx_id\":0");
        REC_HAS(1, "\"type\":\"response\",\"tx_id\":0");
        REC_HAS(1, "\"src_ip\":\"10.0.0.2\"");                   /* v3: the responder */

        app_cfg.eve_dns_version = 2;
        assert_int_equal(app_run(tcp), 2);
        REC_HAS(0, "\"dns\":{\"type\":\"query\",\"id\":4660,\"rrname\":\"www.example.test\","
                   "\"rrtype\":\"A\",\"tx_id\":0,\"opcode\":0}");
        REC_HAS(1, "\"dns\":{\"version\":2,\"type\":\"answer\",\"id\":4660");
        REC_HAS(1, "\"src_ip\":\"10.0.0.1\",\"src_port\":40000");  /* v2: the flow's client */
        REC_HAS(1, tcp ? "\"proto\":\"TCP\"" : "\"proto\":\"UDP\"");
        test_schema_ok(app_recs[0]);
        test_schema_ok(app_recs[1]);

        app_cfg.eve_dns_requests = false;
        assert_int_equal(app_run(tcp), 1);
        REC_HAS(0, "\"type\":\"answer\"");
        app_cfg.eve_dns_version = 3;
        assert_int_equal(app_run(tcp), 1);
        REC_HAS(0, "\"type\":\"response\",\"tx_id\":0");          /* numbered all the same */

        app_cfg.eve_dns_requests = true;
        app_cfg.eve_dns_responses = false;
        assert_int_equal(app_run(tcp), 1);
        REC_HAS(0, "\"type\":\"request\"");
        app_cfg.eve_dns_requests = false;
        assert_int_equal(app_run(tcp), 0);

        /* the parser switches: global, then this transport's own */
        config_defaults(&app_cfg);
        app_cfg.dns_parser.enabled = false;
        assert_int_equal(app_run(tcp), 0);
        if (tcp)
            app_cfg.dns_parser.tcp = 1;
        else
            app_cfg.dns_parser.udp = 1;
        assert_int_equal(app_run(tcp), 2);
        config_defaults(&app_cfg);
        if (tcp)
            app_cfg.dns_parser.udp = 0;                           /* the other one */
        else
            app_cfg.dns_parser.tcp = 0;
        assert_int_equal(app_run(tcp), 2);
        if (tcp)
            app_cfg.dns_parser.tcp = 0;
        else
            app_cfg.dns_parser.udp = 0;
        assert_int_equal(app_run(tcp), 0);
        /* no dns records wanted at all */
        config_defaults(&app_cfg);
        app_cfg.eve_dns = false;
        assert_int_equal(app_run(tcp), 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_query),
        cmocka_unit_test(parses_response),
        cmocka_unit_test(parses_nxdomain_and_root),
        cmocka_unit_test(every_truncation_fails),
        cmocka_unit_test(pointer_chain),
        cmocka_unit_test(pointer_to_itself),
        cmocka_unit_test(pointer_loop_two_names),
        cmocka_unit_test(forward_and_outside_pointers),
        cmocka_unit_test(label_and_name_limits),
        cmocka_unit_test(bad_rdata),
        cmocka_unit_test(limits_make_partial),
        cmocka_unit_test(random_bytes),
        cmocka_unit_test(transactions),
        cmocka_unit_test(eve_request),
        cmocka_unit_test(eve_response),
        cmocka_unit_test(eve_odd_bytes_and_types),
        cmocka_unit_test(eve_v2_query),
        cmocka_unit_test(eve_v2_answer),
        cmocka_unit_test(eve_v2_answer_odd),
        cmocka_unit_test(app_switches),
    };
    return cmocka_run_group_tests_name("dns", tests, NULL, NULL);
}
