/* tests/test_dhcp.c: the DHCP message parser (dissect/dhcp.h) and the
 * "dhcp" EVE record (output/eve_dhcp.c): a DISCOVER and an ACK field by
 * field, both record forms (default: ACKs only, fewer fields; extended),
 * src/dest following the datagram, option overload, PAD, repeated options,
 * every truncation of a good message (each copied into a buffer of exactly
 * that size, so ASan sees any read past it), malformed option lengths,
 * a bad cookie, odd hlen, random bytes.  Records are checked against
 * tests/schema_check.py: run from the repository root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/test_util.h"

#include "dissect/dhcp.h"
#include "output/eve_dhcp.h"

struct dgram {
    uint8_t b[4096];
    size_t n;
};

static struct dhcp_msg msg;
static char rec[64 * 1024];

static const uint8_t mac[6] = { 0x00, 0x0c, 0x29, 0xab, 0xcd, 0xef };
static const uint8_t ip_zero[4] = { 0, 0, 0, 0 };
static const uint8_t ip_cli[4] = { 192, 168, 1, 100 };
static const uint8_t ip_srv[4] = { 192, 168, 1, 1 };
#define XID 0x3903f326u     /* 956560166 */

static void be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void hdr(struct dgram *d, uint8_t op, const uint8_t ci[4], const uint8_t yi[4],
                const uint8_t si[4], const uint8_t gi[4])
{
    memset(d->b, 0, sizeof(d->b));
    d->b[0] = op;
    d->b[1] = 1;            /* Ethernet */
    d->b[2] = 6;
    be32(d->b + 4, XID);
    d->b[8] = 0;
    d->b[9] = 3;            /* secs */
    d->b[10] = 0x80;        /* broadcast */
    memcpy(d->b + 12, ci, 4);
    memcpy(d->b + 16, yi, 4);
    memcpy(d->b + 20, si, 4);
    memcpy(d->b + 24, gi, 4);
    memcpy(d->b + 28, mac, 6);
    be32(d->b + 236, DHCP_MAGIC);
    d->n = 240;
}

static void opt(struct dgram *d, uint8_t code, const void *v, uint8_t len)
{
    d->b[d->n++] = code;
    d->b[d->n++] = len;
    memcpy(d->b + d->n, v, len);
    d->n += len;
}

static void opt_u32(struct dgram *d, uint8_t code, uint32_t v)
{
    uint8_t b[4];
    be32(b, v);
    opt(d, code, b, 4);
}

static void end(struct dgram *d)
{
    d->b[d->n++] = DHCP_OPT_END;
}

static void discover(struct dgram *d)
{
    hdr(d, DHCP_BOOTREQUEST, ip_zero, ip_zero, ip_zero, ip_zero);
    opt(d, DHCP_OPT_TYPE, "\x01", 1);
    uint8_t cid[7] = { 1 };
    memcpy(cid + 1, mac, 6);
    opt(d, DHCP_OPT_CLIENT_ID, cid, 7);
    opt(d, DHCP_OPT_REQUESTED_IP, ip_cli, 4);
    opt(d, DHCP_OPT_HOSTNAME, "laptop-7", 8);
    opt(d, 57, "\x05\xdc", 2);                  /* max message size: not kept */
    opt(d, DHCP_OPT_PARAMS, "\x01\x03\x06\x0f\x77\xfc\x2a", 7);
    opt(d, DHCP_OPT_VENDOR_CLASS, "MSFT 5.0", 8);
    end(d);
}

static void ack(struct dgram *d)
{
    hdr(d, DHCP_BOOTREPLY, ip_zero, ip_cli, ip_srv, ip_zero);
    opt(d, DHCP_OPT_TYPE, "\x05", 1);
    opt(d, DHCP_OPT_SERVER_ID, ip_srv, 4);
    opt_u32(d, DHCP_OPT_LEASE_TIME, 86400);
    opt_u32(d, DHCP_OPT_RENEWAL_TIME, 43200);
    opt_u32(d, DHCP_OPT_REBINDING_TIME, 75600);
    opt(d, DHCP_OPT_SUBNET_MASK, "\xff\xff\xff\x00", 4);
    opt(d, DHCP_OPT_ROUTERS, ip_srv, 4);
    opt(d, DHCP_OPT_DNS_SERVERS, "\xc0\xa8\x01\x01\x08\x08\x08\x08", 8);
    opt(d, DHCP_OPT_DOMAIN, "lan", 3);
    opt(d, DHCP_OPT_HOSTNAME, "laptop-7", 8);
    end(d);
    d->n += 20;                                 /* zero padding after END */
}

static struct flow test_flow(void)
{
    struct flow f;
    memset(&f, 0, sizeof(f));
    f.flow_id = 4242;
    f.ip_v = 4;
    f.proto = 17;
    memcpy(f.cli, ip_cli, 4);
    memcpy(f.srv, ip_srv, 4);
    f.cli_port = 68;
    f.srv_port = 67;
    return f;
}

/* The record of m; returns its "dhcp" object (to the end of the line). */
static const char *record(const struct dhcp_msg *m, bool toserver, bool extended)
{
    static struct eve_ctx ec;
    eve_ctx_init(&ec, "dhcp.pcap", NULL);
    struct flow f = test_flow();
    size_t n = eve_dhcp(&ec, rec, sizeof(rec) - 1, &f, toserver, 1700000000000001ull, 3, 1, m,
                        extended);
    assert_true(n > 0);
    rec[n] = '\0';
    const char *o = strstr(rec, "\"dhcp\":");
    assert_non_null(o);
    return o;
}

static void discover_fields(void **state)
{
    (void)state;
    struct dgram d;
    discover(&d);
    assert_int_equal(dhcp_parse(d.b, d.n, &msg), DHCP_ERR_OK);
    assert_int_equal(msg.op, DHCP_BOOTREQUEST);
    assert_int_equal(msg.htype, 1);
    assert_int_equal(msg.hlen, 6);
    assert_int_equal(msg.xid, XID);
    assert_int_equal(msg.secs, 3);
    assert_int_equal(msg.flags, 0x8000);
    assert_memory_equal(msg.chaddr, mac, 6);
    assert_true(dhcp_has(&msg, DHCP_OPT_TYPE));
    assert_int_equal(msg.type, DHCP_DISCOVER);
    assert_int_equal(msg.client_id_type, 1);
    assert_int_equal(msg.client_id.len, 6);
    assert_memory_equal(msg.client_id.b, mac, 6);
    assert_memory_equal(msg.requested_ip, ip_cli, 4);
    assert_int_equal(msg.hostname.len, 8);
    assert_memory_equal(msg.hostname.b, "laptop-7", 8);
    assert_int_equal(msg.params.len, 7);
    assert_int_equal(msg.vendor_class.len, 8);
    assert_false(dhcp_has(&msg, 57));
    assert_false(dhcp_has(&msg, DHCP_OPT_LEASE_TIME));
    assert_int_equal(msg.norder, 6);
    static const uint8_t order[] = { 53, 61, 50, 12, 55, 60 };
    assert_memory_equal(msg.order, order, sizeof(order));

    assert_false(eve_dhcp_wanted(&msg, false));
    assert_true(eve_dhcp_wanted(&msg, true));
    const char *o = record(&msg, true, true);
    assert_string_equal(o, "\"dhcp\":{\"type\":\"request\",\"id\":956560166,"
                           "\"client_mac\":\"00:0c:29:ab:cd:ef\",\"assigned_ip\":\"0.0.0.0\","
                           "\"client_ip\":\"0.0.0.0\",\"dhcp_type\":\"discover\","
                           "\"client_id\":\"00:0c:29:ab:cd:ef\",\"requested_ip\":\"192.168.1.100\","
                           "\"hostname\":\"laptop-7\","
                           "\"params\":[\"subnet_mask\",\"router\",\"dns_server\",\"domain\",\"ntp_server\"],"
                           "\"vendor_class_identifier\":\"MSFT 5.0\"}}\n");
    assert_non_null(strstr(rec, "\"event_type\":\"dhcp\",\"src_ip\":\"192.168.1.100\",\"src_port\":68,"
                                "\"dest_ip\":\"192.168.1.1\",\"dest_port\":67,\"ip_v\":4,\"proto\":\"UDP\","));
    assert_non_null(strstr(rec, "\"tx_id\":1,"));
    test_schema_ok(rec);
    o = record(&msg, true, false);
    assert_string_equal(o, "\"dhcp\":{\"type\":\"request\",\"id\":956560166,"
                           "\"client_mac\":\"00:0c:29:ab:cd:ef\",\"assigned_ip\":\"0.0.0.0\","
                           "\"dhcp_type\":\"discover\",\"client_id\":\"00:0c:29:ab:cd:ef\","
                           "\"hostname\":\"laptop-7\"}}\n");
    test_schema_ok(rec);
}

static void ack_fields(void **state)
{
    (void)state;
    struct dgram d;
    ack(&d);
    assert_int_equal(dhcp_parse(d.b, d.n, &msg), DHCP_ERR_OK);
    assert_int_equal(msg.op, DHCP_BOOTREPLY);
    assert_int_equal(msg.type, DHCP_ACK);
    assert_memory_equal(msg.yiaddr, ip_cli, 4);
    assert_memory_equal(msg.siaddr, ip_srv, 4);
    assert_memory_equal(msg.server_id, ip_srv, 4);
    assert_int_equal(msg.lease_time, 86400);
    assert_int_equal(msg.renewal_time, 43200);
    assert_int_equal(msg.rebinding_time, 75600);
    assert_int_equal(msg.routers.n, 1);
    assert_int_equal(msg.dns_servers.n, 2);
    assert_memory_equal(msg.dns_servers.a[1], "\x08\x08\x08\x08", 4);
    assert_int_equal(msg.domain.len, 3);
    assert_true(eve_dhcp_wanted(&msg, false));

    /* a reply: the server is src */
    const char *o = record(&msg, false, false);
    assert_string_equal(o, "\"dhcp\":{\"type\":\"reply\",\"id\":956560166,"
                           "\"client_mac\":\"00:0c:29:ab:cd:ef\",\"assigned_ip\":\"192.168.1.100\","
                           "\"dhcp_type\":\"ack\",\"renewal_time\":43200,\"hostname\":\"laptop-7\"}}\n");
    assert_non_null(strstr(rec, "\"src_ip\":\"192.168.1.1\",\"src_port\":67,"
                                "\"dest_ip\":\"192.168.1.100\",\"dest_port\":68,"));
    test_schema_ok(rec);
    o = record(&msg, false, true);
    assert_string_equal(o, "\"dhcp\":{\"type\":\"reply\",\"id\":956560166,"
                           "\"client_mac\":\"00:0c:29:ab:cd:ef\",\"assigned_ip\":\"192.168.1.100\","
                           "\"client_ip\":\"0.0.0.0\",\"relay_ip\":\"0.0.0.0\","
                           "\"next_server_ip\":\"192.168.1.1\",\"dhcp_type\":\"ack\","
                           "\"lease_time\":86400,\"renewal_time\":43200,\"rebinding_time\":75600,"
                           "\"subnet_mask\":\"255.255.255.0\",\"routers\":[\"192.168.1.1\"],"
                           "\"dns_servers\":[\"192.168.1.1\",\"8.8.8.8\"],\"hostname\":\"laptop-7\"}}\n");
    test_schema_ok(rec);

    /* ethernet on, live: MACs swapped with the addresses */
    static struct eve_ctx ec;
    eve_ctx_init(&ec, NULL, "eth1");
    ec.ethernet = true;
    struct flow f = test_flow();
    f.mac_seen[0] = f.mac_seen[1] = true;
    memcpy(f.cli_mac, mac, 6);
    memset(f.srv_mac, 0x11, 6);
    size_t n = eve_dhcp(&ec, rec, sizeof(rec) - 1, &f, false, 1, 0, 0, &msg, true);
    assert_true(n > 0);
    rec[n] = '\0';
    assert_non_null(strstr(rec, "\"ether\":{\"src_mac\":\"11:11:11:11:11:11\","
                                "\"dest_mac\":\"00:0c:29:ab:cd:ef\"}"));
    assert_null(strstr(rec, "pcap_cnt"));
    test_schema_ok(rec);
    /* too small a buffer */
    assert_int_equal(eve_dhcp(&ec, rec, 100, &f, false, 1, 0, 0, &msg, true), 0);
}

static void overload_pad_repeat(void **state)
{
    (void)state;
    struct dgram d;
    hdr(&d, DHCP_BOOTREPLY, ip_zero, ip_cli, ip_zero, ip_srv);
    /* file field (108..235): hostname, and a stray overload that must not
     * make sname be read a second way */
    uint8_t *file = d.b + 108;
    file[0] = DHCP_OPT_HOSTNAME;
    file[1] = 4;
    memcpy(file + 2, "from", 4);
    file[6] = DHCP_OPT_END;
    /* sname field (44..107): PADs, then the vendor class, filling it */
    uint8_t *sname = d.b + 44;
    sname[0] = 0;
    sname[1] = 0;
    sname[2] = DHCP_OPT_VENDOR_CLASS;
    sname[3] = 60;
    memset(sname + 4, 'v', 60);
    /* main area: PAD, type, overload=3, hostname repeated later */
    d.b[d.n++] = DHCP_OPT_PAD;
    opt(&d, DHCP_OPT_TYPE, "\x02", 1);
    d.b[d.n++] = DHCP_OPT_PAD;
    d.b[d.n++] = DHCP_OPT_PAD;
    opt(&d, DHCP_OPT_OVERLOAD, "\x03", 1);
    opt(&d, DHCP_OPT_TYPE, "\x05", 1);           /* repeated: first wins */
    end(&d);
    assert_int_equal(dhcp_parse(d.b, d.n, &msg), DHCP_ERR_OK);
    assert_int_equal(msg.type, DHCP_OFFER);
    assert_int_equal(msg.overload, 3);
    assert_int_equal(msg.hostname.len, 4);
    assert_memory_equal(msg.hostname.b, "from", 4);
    assert_int_equal(msg.vendor_class.len, 60);
    static const uint8_t order[] = { 53, 52, 12, 60 };
    assert_int_equal(msg.norder, sizeof(order));
    assert_memory_equal(msg.order, order, sizeof(order));
    const char *o = record(&msg, false, true);
    assert_non_null(strstr(o, "\"relay_ip\":\"192.168.1.1\""));
    assert_non_null(strstr(o, "\"dhcp_type\":\"offer\",\"hostname\":\"from\","
                              "\"vendor_class_identifier\":\"vvvv"));
    test_schema_ok(rec);

    /* overload only in an overloaded field is ignored */
    hdr(&d, DHCP_BOOTREQUEST, ip_zero, ip_zero, ip_zero, ip_zero);
    file = d.b + 108;
    file[0] = DHCP_OPT_OVERLOAD;
    file[1] = 1;
    file[2] = 2;
    sname = d.b + 44;
    sname[0] = DHCP_OPT_HOSTNAME;
    sname[1] = 1;
    sname[2] = 'x';
    opt(&d, DHCP_OPT_TYPE, "\x01", 1);
    end(&d);
    assert_int_equal(dhcp_parse(d.b, d.n, &msg), DHCP_ERR_OK);
    assert_false(dhcp_has(&msg, DHCP_OPT_HOSTNAME));
    assert_int_equal(msg.overload, 0);
    /* an option running out of the file field */
    hdr(&d, DHCP_BOOTREQUEST, ip_zero, ip_zero, ip_zero, ip_zero);
    d.b[108 + 126] = DHCP_OPT_HOSTNAME;
    d.b[108 + 127] = 10;
    for (int i = 0; i < 126; i++)
        d.b[108 + i] = DHCP_OPT_PAD;
    opt(&d, DHCP_OPT_OVERLOAD, "\x01", 1);
    end(&d);
    assert_int_equal(dhcp_parse(d.b, d.n, &msg), DHCP_ERR_TRUNCATED_OPTIONS);
}

static void truncated(void **state)
{
    (void)state;
    struct dgram d;
    ack(&d);
    size_t full = d.n - 20;                     /* up to and with END */
    for (size_t n = 0; n <= d.n; n++) {
        uint8_t *b = malloc(n ? n : 1);
        assert_non_null(b);
        memcpy(b, d.b, n);
        enum dhcp_err e = dhcp_parse(b, n, &msg);
        if (n < DHCP_HDR_LEN) {
            assert_int_equal(e, DHCP_ERR_SHORT);
            assert_false(dhcp_err_usable(e));
        } else if (n < full) {
            assert_int_equal(e, DHCP_ERR_TRUNCATED_OPTIONS);
            assert_true(dhcp_err_usable(e));
            assert_int_equal(msg.xid, XID);
            if (n >= 243)       /* type option whole */
                assert_int_equal(msg.type, DHCP_ACK);
            else
                assert_false(dhcp_has(&msg, DHCP_OPT_TYPE));
            if (n == 250 || n == full - 1) {
                const char *o = record(&msg, false, true);
                assert_non_null(o);
                test_schema_ok(rec);
            }
        } else {
            assert_int_equal(e, DHCP_ERR_OK);
            assert_int_equal(msg.norder, 10);
        }
        free(b);
    }
}

static void malformed(void **state)
{
    (void)state;
    struct dgram d;
    hdr(&d, DHCP_BOOTREQUEST, ip_zero, ip_zero, ip_zero, ip_zero);
    opt(&d, DHCP_OPT_TYPE, "\x03\x00", 2);           /* len 2 */
    opt(&d, DHCP_OPT_LEASE_TIME, "\x00\x00\x10", 3);  /* len 3 */
    opt(&d, DHCP_OPT_ROUTERS, "\x0a\x00\x00\x01\x0a", 5);
    opt(&d, DHCP_OPT_DNS_SERVERS, "", 0);
    opt(&d, DHCP_OPT_CLIENT_ID, "\x01", 1);
    opt(&d, DHCP_OPT_OVERLOAD, "\x04", 1);
    opt(&d, DHCP_OPT_SUBNET_MASK, "\xff\xff\xff", 3);
    opt(&d, DHCP_OPT_HOSTNAME, "ok", 2);
    opt(&d, DHCP_OPT_TYPE, "\x03", 1);                /* a good one after a bad one */
    end(&d);
    assert_int_equal(dhcp_parse(d.b, d.n, &msg), DHCP_ERR_MALFORMED_OPTIONS);
    assert_true(dhcp_err_usable(DHCP_ERR_MALFORMED_OPTIONS));
    static const uint8_t order[] = { 12, 53 };
    assert_int_equal(msg.norder, sizeof(order));
    assert_memory_equal(msg.order, order, sizeof(order));
    assert_int_equal(msg.type, DHCP_REQUEST);
    const char *o = record(&msg, true, true);
    assert_string_equal(o, "\"dhcp\":{\"type\":\"request\",\"id\":956560166,"
                           "\"client_mac\":\"00:0c:29:ab:cd:ef\",\"assigned_ip\":\"0.0.0.0\","
                           "\"client_ip\":\"0.0.0.0\",\"hostname\":\"ok\",\"dhcp_type\":\"request\"}}\n");
    test_schema_ok(rec);
    /* truncation wins over malformation */
    d.n--;
    d.b[d.n - 2] = 200;         /* the last option's length now overruns */
    assert_int_equal(dhcp_parse(d.b, d.n, &msg), DHCP_ERR_TRUNCATED_OPTIONS);
    /* error names */
    assert_string_equal(dhcp_err_name(DHCP_ERR_TRUNCATED_OPTIONS), "TRUNCATED_OPTIONS");
    assert_string_equal(dhcp_err_name(DHCP_ERR_MALFORMED_OPTIONS), "MALFORMED_OPTIONS");
    assert_string_equal(dhcp_err_name(DHCP_ERR_MAX), "unknown");
}

static void header_oddities(void **state)
{
    (void)state;
    struct dgram d;
    /* no DHCP cookie: BOOTP header only */
    discover(&d);
    d.b[236] = 0;
    assert_int_equal(dhcp_parse(d.b, d.n, &msg), DHCP_ERR_BAD_COOKIE);
    assert_true(dhcp_err_usable(DHCP_ERR_BAD_COOKIE));
    assert_int_equal(msg.norder, 0);
    assert_false(eve_dhcp_wanted(&msg, false));
    const char *o = record(&msg, true, true);
    assert_string_equal(o, "\"dhcp\":{\"type\":\"request\",\"id\":956560166,"
                           "\"client_mac\":\"00:0c:29:ab:cd:ef\",\"assigned_ip\":\"0.0.0.0\","
                           "\"client_ip\":\"0.0.0.0\"}}\n");
    test_schema_ok(rec);
    /* hlen 0, hlen over 16, op 7, unknown type, empty hostname, all params unnamed */
    discover(&d);
    d.b[0] = 7;
    d.b[2] = 0;
    d.n = 240;
    opt(&d, DHCP_OPT_TYPE, "\x63", 1);
    opt(&d, DHCP_OPT_HOSTNAME, "", 0);
    opt(&d, DHCP_OPT_PARAMS, "\x63\x64", 2);
    opt(&d, DHCP_OPT_VENDOR_CLASS, "", 0);
    end(&d);
    assert_int_equal(dhcp_parse(d.b, d.n, &msg), DHCP_ERR_OK);
    o = record(&msg, true, true);
    assert_string_equal(o, "\"dhcp\":{\"type\":\"<unknown>\",\"id\":956560166,"
                           "\"client_mac\":\"\",\"assigned_ip\":\"0.0.0.0\","
                           "\"client_ip\":\"0.0.0.0\",\"dhcp_type\":\"unknown\",\"params\":[]}}\n");
    test_schema_ok(rec);
    d.b[2] = 200;
    memset(d.b + 28, 0xee, 16);
    assert_int_equal(dhcp_parse(d.b, d.n, &msg), DHCP_ERR_OK);
    o = record(&msg, true, false);
    assert_non_null(strstr(o, "\"client_mac\":\"ee:ee:ee:ee:ee:ee:ee:ee:ee:ee:ee:ee:ee:ee:ee:ee\""));
    /* names */
    assert_string_equal(dhcp_type_name(DHCP_NAK), "nak");
    assert_string_equal(dhcp_type_name(DHCP_INFORM), "inform");
    assert_string_equal(dhcp_type_name(0), "unknown");
    assert_string_equal(dhcp_param_name(150), "tftp_server_ip");
    assert_null(dhcp_param_name(2));
}

static void big_options(void **state)
{
    (void)state;
    /* 255-byte values everywhere, 63 routers: the record must still fit */
    struct dgram d;
    hdr(&d, DHCP_BOOTREPLY, ip_zero, ip_cli, ip_srv, ip_zero);
    uint8_t v[255];
    for (int i = 0; i < 255; i++)
        v[i] = (uint8_t)(i < 252 ? '"' : 0x80 + i % 64);
    opt(&d, DHCP_OPT_TYPE, "\x05", 1);
    opt(&d, DHCP_OPT_HOSTNAME, v, 255);
    opt(&d, DHCP_OPT_VENDOR_CLASS, v, 255);
    opt(&d, DHCP_OPT_CLIENT_ID, v, 255);
    opt(&d, DHCP_OPT_PARAMS, v, 255);
    opt(&d, DHCP_OPT_ROUTERS, v, 252);
    opt(&d, DHCP_OPT_DNS_SERVERS, v, 252);
    end(&d);
    assert_int_equal(dhcp_parse(d.b, d.n, &msg), DHCP_ERR_OK);
    assert_int_equal(msg.routers.n, 63);
    assert_int_equal(msg.client_id.len, 254);
    record(&msg, false, true);
    test_schema_ok(rec);
}

static void random_bytes(void **state)
{
    (void)state;
    static uint8_t buf[1500];
    uint32_t x = 777;
    for (int round = 0; round < 20000; round++) {
        size_t n = 200 + (size_t)(round % 400);
        for (size_t i = 0; i < n; i++) {
            x = x * 1103515245u + 12345u;
            buf[i] = (uint8_t)(x >> 16);
        }
        if (round & 1)
            be32(buf + 236, DHCP_MAGIC);
        uint8_t *b = malloc(n);
        assert_non_null(b);
        memcpy(b, buf, n);
        enum dhcp_err e = dhcp_parse(b, n, &msg);
        free(b);
        assert_true(e < DHCP_ERR_MAX);
        if (!dhcp_err_usable(e))
            continue;
        static struct eve_ctx ec;
        eve_ctx_init(&ec, "r.pcap", NULL);
        struct flow f = test_flow();
        size_t r = eve_dhcp(&ec, rec, sizeof(rec) - 1, &f, round & 2, 1, 1, 0, &msg, true);
        assert_true(r > 0);
        rec[r] = '\0';
        if (round < 8)
            test_schema_ok(rec);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(discover_fields),
        cmocka_unit_test(ack_fields),
        cmocka_unit_test(overload_pad_repeat),
        cmocka_unit_test(truncated),
        cmocka_unit_test(malformed),
        cmocka_unit_test(header_oddities),
        cmocka_unit_test(big_options),
        cmocka_unit_test(random_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
