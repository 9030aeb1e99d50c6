/* tests/test_ssh.c: the SSH parser (dissect/ssh.h) and the "ssh" EVE
 * record (output/eve_ssh.c): a whole handshake fed in one call per segment
 * and byte by byte (the same transaction either way), emission at the
 * second KEXINIT and at EOF, server lines before the banner, SSH-1, gaps,
 * and each anomaly (INVALID_BANNER, LONG_BANNER, INVALID_RECORD,
 * LONG_KEX_RECORD).  Conversations are built here from name-lists; the
 * HASSH values were computed independently (Python hashlib.md5 over the
 * expected strings).  Records are checked against tests/schema_check.py:
 * run from the repository root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/test_util.h"

#include "dissect/ssh.h"
#include "output/eve_ssh.h"

/* ---- the conversation under test ---- */

#define CLI_BANNER "SSH-2.0-OpenSSH_8.4p1\r\n"
#define SRV_BANNER "SSH-2.0-OpenSSH_8.2p1 Ubuntu-4ubuntu0.5\r\n"

static const char *const cli_lists[10] = {
    "curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,"
    "diffie-hellman-group14-sha256,ext-info-c",
    "ssh-ed25519,rsa-sha2-512",
    "chacha20-poly1305@openssh.com,aes128-ctr,aes256-gcm@openssh.com",
    "chacha20-poly1305@openssh.com,aes128-ctr,aes256-gcm@openssh.com",
    "umac-64-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha1",
    "umac-64-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha1",
    "none,zlib@openssh.com,zlib",
    "none,zlib@openssh.com,zlib",
    "",
    "",
};
static const char *const srv_lists[10] = {
    "curve25519-sha256,curve25519-sha256@libssh.org,diffie-hellman-group16-sha512",
    "rsa-sha2-512,rsa-sha2-256,ssh-ed25519",
    "aes128-ctr",
    "aes256-ctr,aes128-ctr",
    "hmac-sha2-256",
    "hmac-sha2-512,hmac-sha2-256",
    "none",
    "none,zlib@openssh.com",
    "",
    "",
};

#define CLI_HASSH "12d0f57b89b62685accb90e262b891bf"
#define CLI_HASSH_STRING                                                               \
    "curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,"               \
    "diffie-hellman-group14-sha256,ext-info-c;"                                        \
    "chacha20-poly1305@openssh.com,aes128-ctr,aes256-gcm@openssh.com;"                 \
    "umac-64-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha1;"                 \
    "none,zlib@openssh.com,zlib"
#define SRV_HASSH "ab0f185de9b8a4a5a263af42e5a052cf"
#define SRV_HASSH_STRING                                                               \
    "curve25519-sha256,curve25519-sha256@libssh.org,diffie-hellman-group16-sha512;"    \
    "aes256-ctr,aes128-ctr;hmac-sha2-512,hmac-sha2-256;none,zlib@openssh.com"

static uint8_t *put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
    return p + 4;
}

/* A binary packet: packet_length, padding_length, payload, padding (4 to
 * 11 bytes so the total is a multiple of 8). */
static size_t record(uint8_t *out, const uint8_t *payload, size_t plen)
{
    size_t pad = 8 - ((5 + plen) % 8);
    if (pad < 4)
        pad += 8;
    put32(out, (uint32_t)(1 + plen + pad));
    out[4] = (uint8_t)pad;
    memcpy(out + 5, payload, plen);
    memset(out + 5 + plen, 0, pad);
    return 5 + plen + pad;
}

/* A KEXINIT record from ten name-lists. */
static size_t kexinit(uint8_t *out, const char *const lists[10])
{
    static uint8_t pl[65536];
    uint8_t *p = pl;
    *p++ = SSH_MSG_KEXINIT;
    for (int i = 0; i < 16; i++)
        *p++ = (uint8_t)(0xa0 + i);             /* cookie */
    for (int i = 0; i < 10; i++) {
        size_t l = strlen(lists[i]);
        p = put32(p, (uint32_t)l);
        memcpy(p, lists[i], l);
        p += l;
    }
    *p++ = 0;                                   /* first_kex_packet_follows */
    p = put32(p, 0);                            /* reserved */
    return record(out, pl, (size_t)(p - pl));
}

static size_t msg_record(uint8_t *out, uint8_t code, size_t extra)
{
    static uint8_t pl[4096];
    assert_true(extra < sizeof(pl));
    pl[0] = code;
    for (size_t i = 1; i <= extra; i++)
        pl[i] = (uint8_t)(i * 7);
    return record(out, pl, 1 + extra);
}

/* client and server byte streams */
static uint8_t cli[16384], srv[16384];
static size_t cli_len, srv_len;
static size_t cli_kex_end, srv_kex_end;     /* offset just after each KEXINIT */

static void build(const char *srv_prefix)
{
    cli_len = 0;
    memcpy(cli, CLI_BANNER, strlen(CLI_BANNER));
    cli_len += strlen(CLI_BANNER);
    cli_len += kexinit(cli + cli_len, cli_lists);
    cli_kex_end = cli_len;
    cli_len += msg_record(cli + cli_len, 30, 36);       /* KEX_ECDH_INIT */
    cli_len += msg_record(cli + cli_len, SSH_MSG_NEWKEYS, 0);
    for (int i = 0; i < 200; i++)                      /* "encrypted" */
        cli[cli_len++] = (uint8_t)(i * 37 + 1);

    srv_len = 0;
    memcpy(srv, srv_prefix, strlen(srv_prefix));
    srv_len += strlen(srv_prefix);
    memcpy(srv + srv_len, SRV_BANNER, strlen(SRV_BANNER));
    srv_len += strlen(SRV_BANNER);
    srv_len += kexinit(srv + srv_len, srv_lists);
    srv_kex_end = srv_len;
    srv_len += msg_record(srv + srv_len, 31, 300);      /* KEX_ECDH_REPLY */
    srv_len += msg_record(srv + srv_len, SSH_MSG_NEWKEYS, 0);
    for (int i = 0; i < 200; i++)
        srv[srv_len++] = (uint8_t)(i * 11 + 3);
}

/* ---- a driver like the stream layer: per-direction pending bytes ---- */

struct got {
    int ntx;
    struct ssh_side cli, srv;       /* copies of the sides at emission */
    bool has_cli, has_srv;
    char anomalies[512];
    char line[65536];
    size_t line_len;
};

static struct got got;
static struct ssh_state st;
static uint8_t pend[2][APPL_PENDING_MAX + 65536];
static size_t plen[2];

static struct flow test_flow(void)
{
    struct flow f;
    memset(&f, 0, sizeof(f));
    f.flow_id = 77;
    f.ip_v = 4;
    f.proto = 6;
    const uint8_t c[4] = { 192, 0, 2, 10 }, s[4] = { 198, 51, 100, 22 };
    memcpy(f.cli, c, 4);
    memcpy(f.srv, s, 4);
    f.cli_port = 51000;
    f.srv_port = 22;
    return f;
}

static void on_tx(void *ctx, const void *txp)
{
    (void)ctx;
    const struct ssh_tx *tx = txp;
    got.ntx++;
    assert_int_equal(tx->tx_id, 0);
    got.has_cli = tx->client->banner;
    got.has_srv = tx->server->banner;
    got.cli = *tx->client;
    got.srv = *tx->server;
    static struct eve_ctx ec;
    eve_ctx_init(&ec, "ssh.pcap", NULL);
    struct flow f = test_flow();
    got.line_len = eve_ssh(&ec, got.line, sizeof(got.line), &f, 1700000000123456ull, 9, 0, tx);
    assert_true(got.line_len > 0);
    got.line[got.line_len] = '\0';
}

static void on_anomaly(void *ctx, const char *ev)
{
    (void)ctx;
    size_t l = strlen(got.anomalies);
    snprintf(got.anomalies + l, sizeof(got.anomalies) - l, "%s%s", l ? "," : "", ev);
}

static struct appl_cb cb = { .tx = on_tx, .anomaly = on_anomaly };

static void reset(void)
{
    memset(&got, 0, sizeof(got));
    ssh_state_init(&st);
    plen[0] = plen[1] = 0;
}

/* Sends [p, p + n) in direction dir, in pieces of chunk bytes. */
static void send_dir(int dir, const uint8_t *p, size_t n, size_t chunk, unsigned flags)
{
    size_t off = 0;
    do {
        size_t k = n - off < chunk ? n - off : chunk;
        memcpy(pend[dir] + plen[dir], p + off, k);
        plen[dir] += k;
        off += k;
        size_t used = ssh_feed(&st, dir == 0, pend[dir], plen[dir], flags, &cb);
        flags &= ~APPL_GAP;
        assert_true(used <= plen[dir]);
        memmove(pend[dir], pend[dir] + used, plen[dir] - used);
        plen[dir] -= used;
        assert_true(plen[dir] <= APPL_PENDING_MAX);
    } while (off < n);
}

static void eof_both(void)
{
    for (int dir = 0; dir < 2; dir++) {
        size_t used = ssh_feed(&st, dir == 0, pend[dir], plen[dir], APPL_EOF, &cb);
        assert_int_equal(used, plen[dir]);
        plen[dir] = 0;
    }
}

static bool side_is(const struct ssh_side *sd, const char *proto, const char *soft)
{
    return sd->banner && sd->proto_len == strlen(proto) && memcmp(sd->proto, proto, sd->proto_len) == 0 &&
           sd->soft_len == strlen(soft) && memcmp(sd->soft, soft, sd->soft_len) == 0;
}

static bool hassh_is(const struct ssh_side *sd, const char *hash, const char *s)
{
    return sd->hassh && strcmp(sd->hassh_hash, hash) == 0 && sd->hassh_len == strlen(s) &&
           memcmp(sd->hassh_string, s, sd->hassh_len) == 0;
}

static const char want_ssh_obj[] =
    "\"ssh\":{\"client\":{\"proto_version\":\"2.0\",\"software_version\":\"OpenSSH_8.4p1\","
    "\"hassh\":{\"hash\":\"" CLI_HASSH "\",\"string\":\"" CLI_HASSH_STRING "\"}},"
    "\"server\":{\"proto_version\":\"2.0\",\"software_version\":\"OpenSSH_8.2p1\","
    "\"hassh\":{\"hash\":\"" SRV_HASSH "\",\"string\":\"" SRV_HASSH_STRING "\"}}}}\n";

static void check_full_tx(bool schema)
{
    assert_int_equal(got.ntx, 1);
    assert_string_equal(got.anomalies, "");
    assert_true(side_is(&got.cli, "2.0", "OpenSSH_8.4p1"));
    assert_true(side_is(&got.srv, "2.0", "OpenSSH_8.2p1"));
    assert_true(hassh_is(&got.cli, CLI_HASSH, CLI_HASSH_STRING));
    assert_true(hassh_is(&got.srv, SRV_HASSH, SRV_HASSH_STRING));
    const char *o = strstr(got.line, "\"ssh\":");
    assert_non_null(o);
    assert_string_equal(o, want_ssh_obj);
    assert_non_null(strstr(got.line, "\"event_type\":\"ssh\",\"src_ip\":\"192.0.2.10\",\"src_port\":51000,"
                                     "\"dest_ip\":\"198.51.100.22\",\"dest_port\":22,"));
    assert_non_null(strstr(got.line, "\"tx_id\":0,"));
    if (schema)
        test_schema_ok(got.line);
}

/* ---- tests ---- */

static void handshake_whole(void **state)
{
    (void)state;
    reset();
    build("");
    /* server speaks first, as OpenSSH does; each side's stream in one piece */
    send_dir(1, srv, srv_len, srv_len, 0);
    assert_int_equal(got.ntx, 0);
    send_dir(0, cli, cli_len, cli_len, 0);
    check_full_tx(true);        /* emitted at the second KEXINIT, before EOF */
    eof_both();
    assert_int_equal(got.ntx, 1);
}

static void handshake_bytewise(void **state)
{
    (void)state;
    reset();
    build("");
    /* interleaved, one byte at a time: client first this time */
    size_t ci = 0, si = 0;
    while (ci < cli_len || si < srv_len) {
        if (ci < cli_len)
            send_dir(0, cli + ci++, 1, 1, 0);
        if (si < srv_len)
            send_dir(1, srv + si++, 1, 1, 0);
        if (ci < cli_kex_end || si < srv_kex_end)
            assert_int_equal(got.ntx, 0);
        else
            assert_int_equal(got.ntx, 1);
    }
    eof_both();
    check_full_tx(false);
}

static void handshake_chunks(void **state)
{
    (void)state;
    static const size_t sizes[] = { 2, 3, 5, 7, 13, 64, 255, 256, 257, 1000 };
    for (size_t i = 0; i < NS_ARRAY_LEN(sizes); i++) {
        reset();
        build("");
        send_dir(0, cli, cli_len, sizes[i], 0);
        send_dir(1, srv, srv_len, sizes[i], 0);
        check_full_tx(false);
        eof_both();
        assert_int_equal(got.ntx, 1);
    }
}

static void server_pre_lines(void **state)
{
    (void)state;
    reset();
    build("Welcome to the box\r\nauthorised use only\n\r\n");
    send_dir(1, srv, srv_len, 9, 0);
    send_dir(0, cli, cli_len, 9, 0);
    check_full_tx(false);
    /* too many lines */
    reset();
    char many[SSH_PRE_LINES_MAX * 4 + 64] = "";
    for (int i = 0; i <= SSH_PRE_LINES_MAX; i++)
        strcat(many, "hi\r\n");
    build(many);
    send_dir(1, srv, srv_len, srv_len, 0);
    assert_string_equal(got.anomalies, "INVALID_BANNER");
    send_dir(0, cli, cli_len, cli_len, 0);
    eof_both();
    assert_int_equal(got.ntx, 1);
    assert_true(got.has_cli && !got.has_srv);
    assert_null(strstr(got.line, "\"server\""));
    test_schema_ok(got.line);
}

static void eof_banners_only(void **state)
{
    (void)state;
    reset();
    send_dir(0, (const uint8_t *)"SSH-2.0-PuTTY_Release_0.78\r\n", 28, 28, 0);
    send_dir(1, (const uint8_t *)"SSH-2.0-dropbear\n", 17, 5, 0);
    assert_int_equal(got.ntx, 0);
    /* EOF on one side is not yet the end */
    size_t used = ssh_feed(&st, true, NULL, 0, APPL_EOF, &cb);
    assert_int_equal(used, 0);
    assert_int_equal(got.ntx, 0);
    used = ssh_feed(&st, false, NULL, 0, APPL_EOF, &cb);
    assert_int_equal(used, 0);
    assert_int_equal(got.ntx, 1);
    assert_true(side_is(&got.cli, "2.0", "PuTTY_Release_0.78"));
    assert_true(side_is(&got.srv, "2.0", "dropbear"));
    assert_false(got.cli.hassh || got.srv.hassh);
    assert_non_null(strstr(got.line, "\"ssh\":{\"client\":{\"proto_version\":\"2.0\","
                                     "\"software_version\":\"PuTTY_Release_0.78\"},"
                                     "\"server\":{\"proto_version\":\"2.0\","
                                     "\"software_version\":\"dropbear\"}}}\n"));
    test_schema_ok(got.line);
    /* nothing at all: no transaction */
    reset();
    eof_both();
    assert_int_equal(got.ntx, 0);
}

static void banner_forms(void **state)
{
    (void)state;
    /* empty software version, comments, lone CR, SSH-1 */
    reset();
    send_dir(0, (const uint8_t *)"SSH-1.99-\rxx", 12, 1, 0);
    send_dir(1, (const uint8_t *)"SSH-1.5-Cisco-1.25 comment here\r\n", 33, 33, 0);
    eof_both();
    assert_int_equal(got.ntx, 1);
    assert_string_equal(got.anomalies, "");     /* "xx" is not a record header yet */
    assert_true(side_is(&got.cli, "1.99", ""));
    assert_true(side_is(&got.srv, "1.5", "Cisco-1.25"));
    assert_non_null(strstr(got.line, "\"client\":{\"proto_version\":\"1.99\"},"));
    test_schema_ok(got.line);
    /* SSH-1: what follows the banner is not parsed as SSH-2 records */
    reset();
    static const uint8_t v1[] = "SSH-1.5-OpenSSH_1\n\x00\x00\x00\x00\x00\x00";
    send_dir(0, v1, sizeof(v1) - 1, 3, 0);
    eof_both();
    assert_string_equal(got.anomalies, "");
    assert_int_equal(got.ntx, 1);
}

static void invalid_banner(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "GET / HTTP/1.1\r\n", "SSH-2.0\r\n", "SSH--OpenSSH\r\n", "\r\n", "ssh-2.0-x\r\n",
    };
    for (size_t i = 0; i < NS_ARRAY_LEN(bad); i++) {
        reset();
        send_dir(0, (const uint8_t *)bad[i], strlen(bad[i]), 1, 0);
        assert_string_equal(got.anomalies, "INVALID_BANNER");
        /* the rest of the direction is ignored */
        send_dir(0, (const uint8_t *)"SSH-2.0-x\r\n", 11, 11, 0);
        assert_string_equal(got.anomalies, "INVALID_BANNER");
        eof_both();
        assert_int_equal(got.ntx, 0);
    }
    /* a server line starting "SSH-" is its banner attempt */
    reset();
    send_dir(1, (const uint8_t *)"SSH-2.0\r\n", 9, 9, 0);
    assert_string_equal(got.anomalies, "INVALID_BANNER");
}

static void long_banner(void **state)
{
    (void)state;
    build("");
    static uint8_t s[20000];
    size_t n = 0;
    memcpy(s, "SSH-2.0-", 8);
    n = 8;
    for (int i = 0; i < 400; i++)
        s[n++] = (uint8_t)('a' + i % 26);
    s[n++] = '\r';
    s[n++] = '\n';
    size_t k = kexinit(s + n, srv_lists);
    n += k;
    static const size_t chunks[] = { 1, 7, 300, 20000 };
    for (size_t c = 0; c < NS_ARRAY_LEN(chunks); c++) {
        reset();
        send_dir(1, s, n, chunks[c], 0);
        assert_string_equal(got.anomalies, "LONG_BANNER");
        send_dir(0, cli, cli_len, cli_len, 0);
        assert_int_equal(got.ntx, 1);           /* records still read after the line */
        assert_int_equal(got.srv.proto_len, 3);
        assert_int_equal(got.srv.soft_len, SSH_LINE_MAX - 1 - 8);
        assert_memory_equal(got.srv.soft, "abcdefghij", 10);
        assert_true(hassh_is(&got.srv, SRV_HASSH, SRV_HASSH_STRING));
        if (c == 0)
            test_schema_ok(got.line);
    }
    /* exactly 255 bytes: fine; 256: long */
    for (size_t len = 254; len <= 257; len++) {
        reset();
        memset(s, 'v', len);
        memcpy(s, "SSH-2.0-", 8);
        s[len] = '\n';
        send_dir(0, s, len + 1, len + 1, 0);
        assert_string_equal(got.anomalies, len >= SSH_LINE_MAX ? "LONG_BANNER" : "");
    }
}

static void invalid_record(void **state)
{
    (void)state;
    static const uint8_t bad[] = "SSH-2.0-x\r\n\x00\x00\x00\x01\x00\x14";
    reset();
    send_dir(0, bad, sizeof(bad) - 1, 1, 0);
    assert_string_equal(got.anomalies, "INVALID_RECORD");
    /* a KEXINIT whose name-list overruns the record */
    reset();
    uint8_t s[256];
    size_t n = 0;
    memcpy(s, "SSH-2.0-x\r\n", 11);
    n = 11;
    uint8_t pl[40];
    pl[0] = SSH_MSG_KEXINIT;
    memset(pl + 1, 0, 16);
    put32(pl + 17, 1000);                       /* kex_algorithms: 1000 bytes */
    memcpy(pl + 21, "curve25519", 10);
    n += record(s + n, pl, 31);
    send_dir(0, s, n, n, 0);
    assert_string_equal(got.anomalies, "INVALID_RECORD");
    build("");
    send_dir(1, srv, srv_len, srv_len, 0);
    assert_int_equal(got.ntx, 1);               /* both KEXINITs were seen */
    assert_false(got.cli.hassh);
    assert_true(got.srv.hassh);
    test_schema_ok(got.line);
}

static void long_kex(void **state)
{
    (void)state;
    static char big[SSH_KEXINIT_MAX + 100];
    static uint8_t s[3 * SSH_KEXINIT_MAX];
    const char *lists[10];
    /* a record over SSH_KEXINIT_MAX */
    memset(big, 'k', sizeof(big) - 1);
    for (int i = 0; i < 10; i++)
        lists[i] = i == 1 ? big : "x";
    reset();
    memcpy(s, "SSH-2.0-big\r\n", 13);
    size_t n = 13 + kexinit(s + 13, lists);
    n += msg_record(s + n, 30, 10);
    send_dir(0, s, n, 1000, 0);
    assert_string_equal(got.anomalies, "LONG_KEX_RECORD");
    assert_true(plen[0] == 0);                  /* skipped, not held */
    /* a record within bounds whose HASSH string is too long */
    big[SSH_HASSH_STRING_MAX] = '\0';
    for (int i = 0; i < 10; i++)
        lists[i] = i == 0 ? big : "";
    reset();
    build("");
    n = 13 + kexinit(s + 13, lists);
    assert_true(n - 13 <= SSH_KEXINIT_MAX);
    send_dir(0, s, n, 77, 0);
    assert_string_equal(got.anomalies, "LONG_KEX_RECORD");
    send_dir(1, srv, srv_len, srv_len, 0);
    assert_int_equal(got.ntx, 1);
    assert_false(got.cli.hassh);
    /* just fits: empty lists give ";;;" */
    for (int i = 0; i < 10; i++)
        lists[i] = "";
    reset();
    n = 13 + kexinit(s + 13, lists);
    send_dir(0, s, n, n, 0);
    send_dir(1, srv, srv_len, srv_len, 0);
    assert_int_equal(got.ntx, 1);
    assert_true(hassh_is(&got.cli, "95420f9d932ddd22833f17b96a80bedb", ";;;"));
    test_schema_ok(got.line);
}

static void gap_and_skip(void **state)
{
    (void)state;
    build("");
    /* a gap after the banner: the direction is given up */
    reset();
    send_dir(0, cli, strlen(CLI_BANNER), 100, 0);
    send_dir(0, cli + strlen(CLI_BANNER) + 10, 50, 50, APPL_GAP);
    assert_int_equal(plen[0], 0);
    send_dir(1, srv, srv_len, srv_len, 0);
    assert_int_equal(got.ntx, 0);
    eof_both();
    assert_int_equal(got.ntx, 1);
    assert_true(got.has_cli && !got.cli.hassh && got.srv.hassh);
    /* a gap of known size inside a record being skipped: go on */
    static uint8_t g[4096];
    size_t gn = 0;
    memcpy(g, CLI_BANNER, strlen(CLI_BANNER));
    gn = strlen(CLI_BANNER);
    size_t ign_at = gn;
    gn += msg_record(g + gn, 2, 1000);          /* SSH_MSG_IGNORE */
    gn += kexinit(g + gn, cli_lists);
    for (int known = 1; known >= 0; known--) {
        reset();
        send_dir(0, g, ign_at + 100, 7, 0);
        cb.gap = known ? 500 : 0;
        send_dir(0, g + ign_at + 600, gn - ign_at - 600, 64, APPL_GAP);
        cb.gap = 0;
        send_dir(1, srv, srv_len, srv_len, 0);
        eof_both();
        assert_int_equal(got.ntx, 1);
        assert_int_equal(got.cli.hassh, known);
        if (known)
            assert_true(hassh_is(&got.cli, CLI_HASSH, CLI_HASSH_STRING));
    }
    /* records before KEXINIT (any type) are skipped by length, even huge */
    reset();
    uint8_t s[64];
    memcpy(s, "SSH-2.0-x\r\n", 11);
    put32(s + 11, 0xffffffffu);
    s[15] = 4;
    s[16] = 2;                                  /* SSH_MSG_IGNORE */
    send_dir(0, s, 17, 17, 0);
    assert_int_equal(plen[0], 0);
    for (int i = 0; i < 100; i++)
        send_dir(0, srv, srv_len, srv_len, 0);  /* all skipped */
    assert_string_equal(got.anomalies, "");
    assert_int_equal(plen[0], 0);
}

static void random_bytes(void **state)
{
    (void)state;
    static uint8_t buf[4096];
    uint32_t x = 12345;
    for (int round = 0; round < 3000; round++) {
        reset();
        size_t n = (size_t)(round % 600) + 1;
        for (size_t i = 0; i < n; i++) {
            x = x * 1103515245u + 12345u;
            buf[i] = (uint8_t)(x >> 16);
        }
        if (round % 3 == 0)
            memcpy(buf, "SSH-2.0-r\r\n", n < 11 ? n : 11);
        send_dir(round & 1, buf, n, (size_t)(round % 17) + 1, 0);
        send_dir(!(round & 1), buf, n, n, 0);
        eof_both();
        assert_true(got.ntx <= 1);
        if (got.ntx && round < 12)  /* schema runs are slow: spot-check only */
            test_schema_ok(got.line);
    }
}

static void event_names(void **state)
{
    (void)state;
    assert_string_equal(ssh_event_name(SSH_EV_INVALID_BANNER), "INVALID_BANNER");
    assert_string_equal(ssh_event_name(SSH_EV_LONG_BANNER), "LONG_BANNER");
    assert_string_equal(ssh_event_name(SSH_EV_INVALID_RECORD), "INVALID_RECORD");
    assert_string_equal(ssh_event_name(SSH_EV_LONG_KEX_RECORD), "LONG_KEX_RECORD");
    assert_string_equal(ssh_event_name(SSH_EV_MAX), "unknown");
    assert_true(sizeof(struct ssh_state) <= APPL_STATE_MAX);
}

static void record_too_small(void **state)
{
    (void)state;
    reset();
    build("");
    send_dir(1, srv, srv_len, srv_len, 0);
    send_dir(0, cli, cli_len, cli_len, 0);
    assert_int_equal(got.ntx, 1);
    struct ssh_tx tx = { 0, &got.cli, &got.srv };
    static struct eve_ctx ec;
    eve_ctx_init(&ec, "ssh.pcap", NULL);
    struct flow f = test_flow();
    char small[300];
    assert_int_equal(eve_ssh(&ec, small, sizeof(small), &f, 1, 1, 0, &tx), 0);
    /* ethernet on, in_iface */
    eve_ctx_init(&ec, NULL, "eth0");
    ec.ethernet = true;
    f.mac_seen[0] = f.mac_seen[1] = true;
    f.cli_mac[5] = 1;
    f.srv_mac[5] = 2;
    size_t n = eve_ssh(&ec, got.line, sizeof(got.line), &f, 1, 0, 0, &tx);
    assert_true(n > 0);
    assert_non_null(strstr(got.line, "\"ether\":{\"src_mac\":\"00:00:00:00:00:01\""));
    test_schema_ok(got.line);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(handshake_whole),
        cmocka_unit_test(handshake_bytewise),
        cmocka_unit_test(handshake_chunks),
        cmocka_unit_test(server_pre_lines),
        cmocka_unit_test(eof_banners_only),
        cmocka_unit_test(banner_forms),
        cmocka_unit_test(invalid_banner),
        cmocka_unit_test(long_banner),
        cmocka_unit_test(invalid_record),
        cmocka_unit_test(long_kex),
        cmocka_unit_test(gap_and_skip),
        cmocka_unit_test(random_bytes),
        cmocka_unit_test(event_names),
        cmocka_unit_test(record_too_small),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
