/* tests/test_ftp.c: the FTP control-channel parser (dissect/ftp.h) and the
 * "ftp" EVE record (output/eve_ftp.c).  Conversations are fed the way the
 * engine does (each direction's unconsumed bytes given again with the next
 * ones), whole and in pieces down to one byte, and must give the same
 * transactions at the same moments.  Records are checked field by field
 * (the exact "ftp" JSON) and against tests/schema_check.py: run from the
 * repository root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/test_util.h"

#include "dissect/ftp.h"
#include "output/eve_ftp.h"

#define MAX_TX  24
#define MAX_AN  16
#define REC_MAX (64 * 1024)

struct cap {
    int ntx, nan;
    int tx_seg[MAX_TX];
    uint64_t tx_id[MAX_TX];
    uint16_t port[MAX_TX];
    char rec[MAX_TX][REC_MAX];
    char an[MAX_AN][48];
    int cur_seg;
};

static struct cap cap, cap2;
static struct ftp_state st;
static struct eve_ctx ec;
static struct flow fl;

static void on_tx(void *ctx, const void *tx)
{
    struct cap *c = ctx;
    const struct ftp_tx *t = tx;
    if (c->ntx >= MAX_TX)
        c->ntx = 0;                 /* random input: keep the last ones */
    c->tx_seg[c->ntx] = c->cur_seg;
    c->tx_id[c->ntx] = t->tx_id;
    c->port[c->ntx] = t->dyn_port;
    size_t n = eve_ftp(&ec, c->rec[c->ntx], sizeof(c->rec[0]), &fl, 1700000000000000ull, 3,
                       t->tx_id, t);
    assert_true(n > 0);
    c->rec[c->ntx][n] = '\0';
    c->ntx++;
}

static void on_anomaly(void *ctx, const char *ev)
{
    struct cap *c = ctx;
    assert_non_null(ev);
    assert_true(ev[0] != '\0');
    if (c->nan < MAX_AN)
        snprintf(c->an[c->nan], sizeof(c->an[0]), "%s", ev);
    c->nan++;
}

struct seg {
    bool cli;
    const char *s;
    size_t n;                       /* 0: strlen(s) */
};

#define C(x) { true, x, 0 }
#define S(x) { false, x, 0 }

static uint8_t pend[2][APPL_PENDING_MAX + 8192];

static void run_on(struct cap *c, const struct seg *segs, size_t nseg, size_t step, bool eof)
{
    struct appl_cb cb = { .tx = on_tx, .anomaly = on_anomaly, .ctx = c };
    size_t plen[2] = { 0, 0 };
    memset(c, 0, sizeof(*c));
    ftp_state_init(&st);
    for (size_t i = 0; i < nseg; i++) {
        int d = segs[i].cli ? 0 : 1;
        size_t n = segs[i].n ? segs[i].n : strlen(segs[i].s);
        c->cur_seg = (int)i;
        for (size_t o = 0; o < n; o += step) {
            size_t k = n - o < step ? n - o : step;
            memcpy(pend[d] + plen[d], segs[i].s + o, k);
            plen[d] += k;
            size_t used = ftp_feed(&st, segs[i].cli, pend[d], plen[d], 0, &cb);
            assert_true(used <= plen[d]);
            memmove(pend[d], pend[d] + used, plen[d] - used);
            plen[d] -= used;
            assert_true(plen[d] < FTP_LINE_MAX);
        }
    }
    c->cur_seg = (int)nseg;
    if (eof)
        for (int d = 0; d < 2; d++)
            assert_true(ftp_feed(&st, d == 0, pend[d], plen[d], APPL_EOF, &cb) == plen[d]);
}

static void run(const struct seg *segs, size_t nseg, bool eof)
{
    static const size_t steps[] = { 1, 2, 5 };
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        run_on(&cap2, segs, nseg, steps[i], eof);
        run_on(&cap, segs, nseg, (size_t)1 << 30, eof);
        assert_int_equal(cap.ntx, cap2.ntx);
        assert_int_equal(cap.nan, cap2.nan);
        for (int t = 0; t < cap.ntx; t++) {
            assert_string_equal(cap.rec[t], cap2.rec[t]);
            assert_int_equal(cap.tx_seg[t], cap2.tx_seg[t]);
        }
    }
}

static const char *app_part(const char *rec)
{
    const char *p = strstr(rec, "\"ftp\":{");
    assert_non_null(p);
    return p;
}

#define APP_EQ(i, want) assert_string_equal(app_part(cap.rec[i]), "\"ftp\":{" want "}}\n")

static int setup(void **state)
{
    (void)state;
    eve_ctx_init(&ec, "x.pcap", NULL);
    memset(&fl, 0, sizeof(fl));
    fl.flow_id = 7;
    fl.ip_v = 4;
    fl.proto = 6;
    memcpy(fl.cli, "\xc0\x00\x02\x01", 4);
    memcpy(fl.srv, "\xc0\x00\x02\x02", 4);
    fl.cli_port = 50000;
    fl.srv_port = 21;
    return 0;
}

/* ---- a session -------------------------------------------------------- */

static const struct seg session[] = {
    S("220-Welcome to\r\n220-  the test server\r\n220 ready.\r\n"),    /* 0 */
    C("USER anonymous\r\n"),                                            /* 1 */
    S("331 Please specify the password.\r\n"),                          /* 2 */
    C("pass secret  \r\n"),                                             /* 3 */
    S("230 Login successful.\r\n"),                                     /* 4 */
    C("FEAT\r\n"),                                                      /* 5 */
    S("211-Features:\r\n EPSV\r\n PASV\r\n211 End\r\n"),                 /* 6 */
    C("CWD /pub\r\n"),                                                  /* 7 */
    S("250 Directory successfully changed.\r\n"),                       /* 8 */
    C("PASV\r\n"),                                                      /* 9 */
    S("227 Entering Passive Mode (192,0,2,2,195,80).\r\n"),             /* 10 */
    C("RETR file.txt\r\n"),                                             /* 11 */
    S("150 Opening BINARY mode data connection.\r\n"),                  /* 12 */
    S("226 Transfer complete.\r\n"),                                    /* 13 */
    C("EPSV\r\n"),                                                      /* 14 */
    S("229 Entering Extended Passive Mode (|||50001|)\r\n"),            /* 15 */
    C("PORT 192,0,2,1,7,138\r\n"),                                      /* 16 */
    S("200 PORT command successful.\r\n"),                              /* 17 */
    C("EPRT |2|2001:db8::1|6001|\r\n"),                                 /* 18 */
    S("200 EPRT command successful.\r\n"),                              /* 19 */
    C("STOR up.bin\r\n"),                                               /* 20 */
    S("150 Ok to send data.\r\n226 Transfer complete.\r\n"),            /* 21 */
    C("QUIT\r\n"),                                                      /* 22 */
    S("221 Goodbye.\r\n"),                                              /* 23 */
};

static void whole_session(void **state)
{
    (void)state;
    run(session, sizeof(session) / sizeof(session[0]), true);
    assert_int_equal(cap.nan, 0);
    assert_int_equal(cap.ntx, 12);
    static const int seg_want[] = { 0, 2, 4, 6, 8, 10, 13, 15, 17, 19, 21, 23 };
    for (int i = 0; i < 12; i++) {
        assert_int_equal(cap.tx_seg[i], seg_want[i]);
        assert_int_equal(cap.tx_id[i], (uint64_t)i);
    }
    APP_EQ(0, "\"completion_code\":[\"220\"],\"reply\":[\"220-Welcome to\",\"220-  the test server\","
              "\"ready.\"],\"reply_received\":\"yes\",\"reply_truncated\":false");
    APP_EQ(1, "\"command\":\"USER\",\"command_data\":\"anonymous\",\"command_truncated\":false,"
              "\"completion_code\":[\"331\"],\"reply\":[\"Please specify the password.\"],"
              "\"reply_received\":\"yes\",\"reply_truncated\":false");
    APP_EQ(2, "\"command\":\"PASS\",\"command_data\":\"secret\",\"command_truncated\":false,"
              "\"completion_code\":[\"230\"],\"reply\":[\"Login successful.\"],"
              "\"reply_received\":\"yes\",\"reply_truncated\":false");
    /* FEAT has no transaction: its reply gets a reply-only one */
    APP_EQ(3, "\"completion_code\":[\"211\"],\"reply\":[\"211-Features:\",\" EPSV\",\" PASV\",\"End\"],"
              "\"reply_received\":\"yes\",\"reply_truncated\":false");
    APP_EQ(4, "\"command\":\"CWD\",\"command_data\":\"/pub\",\"command_truncated\":false,"
              "\"completion_code\":[\"250\"],\"reply\":[\"Directory successfully changed.\"],"
              "\"reply_received\":\"yes\",\"reply_truncated\":false");
    APP_EQ(5, "\"command\":\"PASV\",\"completion_code\":[\"227\"],"
              "\"reply\":[\"Entering Passive Mode (192,0,2,2,195,80).\"],\"dynamic_port\":50000,"
              "\"reply_received\":\"yes\",\"reply_truncated\":false");
    APP_EQ(6, "\"command\":\"RETR\",\"command_data\":\"file.txt\",\"command_truncated\":false,"
              "\"completion_code\":[\"150\",\"226\"],"
              "\"reply\":[\"Opening BINARY mode data connection.\",\"Transfer complete.\"],"
              "\"reply_received\":\"yes\",\"reply_truncated\":false");
    APP_EQ(7, "\"command\":\"EPSV\",\"completion_code\":[\"229\"],"
              "\"reply\":[\"Entering Extended Passive Mode (|||50001|)\"],\"dynamic_port\":50001,"
              "\"reply_received\":\"yes\",\"reply_truncated\":false");
    APP_EQ(8, "\"command\":\"PORT\",\"command_data\":\"192,0,2,1,7,138\",\"command_truncated\":false,"
              "\"completion_code\":[\"200\"],\"reply\":[\"PORT command successful.\"],"
              "\"dynamic_port\":1930,\"mode\":\"active\",\"reply_received\":\"yes\","
              "\"reply_truncated\":false");
    APP_EQ(9, "\"command\":\"EPRT\",\"command_data\":\"|2|2001:db8::1|6001|\","
              "\"command_truncated\":false,\"completion_code\":[\"200\"],"
              "\"reply\":[\"EPRT command successful.\"],\"dynamic_port\":6001,\"mode\":\"active\","
              "\"reply_received\":\"yes\",\"reply_truncated\":false");
    APP_EQ(10, "\"command\":\"STOR\",\"command_data\":\"up.bin\",\"command_truncated\":false,"
               "\"completion_code\":[\"150\",\"226\"],"
               "\"reply\":[\"Ok to send data.\",\"Transfer complete.\"],"
               "\"reply_received\":\"yes\",\"reply_truncated\":false");
    APP_EQ(11, "\"command\":\"QUIT\",\"completion_code\":[\"221\"],\"reply\":[\"Goodbye.\"],"
               "\"reply_received\":\"yes\",\"reply_truncated\":false");
    /* the data channel last announced */
    assert_int_equal(st.dyn_port, 6001);
    assert_true(st.active);
    assert_non_null(strstr(cap.rec[1], "\"event_type\":\"ftp\",\"src_ip\":\"192.0.2.1\","
                                       "\"src_port\":50000,\"dest_ip\":\"192.0.2.2\",\"dest_port\":21"));
    assert_non_null(strstr(cap.rec[1], "\"tx_id\":1,\"ftp\""));
    for (int i = 0; i < 12; i += 3)
        test_schema_ok(cap.rec[i]);
    test_schema_ok(cap.rec[8]);
}

/* ---- unanswered, pipelined -------------------------------------------- */

static void unanswered(void **state)
{
    (void)state;
    static const struct seg s[] = {
        S("220 hi\r\n"), C("NOOP\r\n"), C("RETR x\r\n"), S("150 here it comes\r\n"),
    };
    run(s, sizeof(s) / sizeof(s[0]), false);
    assert_int_equal(cap.ntx, 1);           /* only the greeting */
    run(s, sizeof(s) / sizeof(s[0]), true);
    assert_int_equal(cap.ntx, 3);
    assert_int_equal(cap.tx_seg[1], 4);
    assert_int_equal(cap.tx_seg[2], 4);
    /* the 150 went to NOOP, the oldest waiting: replies come in order */
    APP_EQ(1, "\"command\":\"NOOP\",\"completion_code\":[\"150\"],\"reply\":[\"here it comes\"],"
              "\"reply_received\":\"no\",\"reply_truncated\":false");
    APP_EQ(2, "\"command\":\"RETR\",\"command_data\":\"x\",\"command_truncated\":false,"
              "\"reply_received\":\"no\",\"reply_truncated\":false");
    test_schema_ok(cap.rec[2]);

    /* more than FTP_PENDING_MAX waiting: the oldest goes out unanswered */
    static const struct seg p[] = {
        S("220 hi\r\n"), C("USER a\r\nPASS b\r\nSYST\r\n"),
        S("331 pw\r\n230 in\r\n215 UNIX\r\n"),
    };
    run(p, sizeof(p) / sizeof(p[0]), true);
    assert_int_equal(cap.ntx, 5);
    assert_int_equal(cap.tx_seg[1], 1);
    APP_EQ(1, "\"command\":\"USER\",\"command_data\":\"a\",\"command_truncated\":false,"
              "\"reply_received\":\"no\",\"reply_truncated\":false");
    APP_EQ(2, "\"command\":\"PASS\",\"command_data\":\"b\",\"command_truncated\":false,"
              "\"completion_code\":[\"331\"],\"reply\":[\"pw\"],"
              "\"reply_received\":\"yes\",\"reply_truncated\":false");
    APP_EQ(3, "\"command\":\"SYST\",\"completion_code\":[\"230\"],\"reply\":[\"in\"],"
              "\"reply_received\":\"yes\",\"reply_truncated\":false");
    /* and the third reply, with nobody waiting, gets a reply-only one */
    assert_int_equal(cap.tx_seg[4], 2);
    APP_EQ(4, "\"completion_code\":[\"215\"],\"reply\":[\"UNIX\"],"
              "\"reply_received\":\"yes\",\"reply_truncated\":false");
}

/* ---- long lines ------------------------------------------------------- */

static char big[2][12000];

static void long_command(void **state)
{
    (void)state;
    /* "RETR " + 4092 bytes without LF, then the rest of the line */
    strcpy(big[0], "RETR ");
    memset(big[0] + 5, 'A', 4092);
    const struct seg s[] = {
        S("220 hi\r\n"), C("PASV\r\n"), S("227 Entering Passive Mode (2,2,2,2,185,13).\r\n"),
        { true, big[0], 4097 }, C("Z\r\n"), S("550 Failed to open file.\r\n"),
        C("RETR index.html\r\n"), S("550 Failed to open file.\r\n"),
    };
    run(s, sizeof(s) / sizeof(s[0]), true);
    assert_int_equal(cap.ntx, 4);
    assert_int_equal(cap.nan, 1);
    assert_string_equal(cap.an[0], "request_command_too_long");
    assert_int_equal(cap.port[1], 185 * 256 + 13);
    const char *d = strstr(cap.rec[2], "\"command_data\":\"");
    assert_non_null(d);
    d += 16;
    for (int i = 0; i < 4091; i++)
        assert_int_equal(d[i], 'A');
    assert_string_equal(d + 4091, "\",\"command_truncated\":true,\"completion_code\":[\"550\"],"
                                  "\"reply\":[\"Failed to open file.\"],\"reply_received\":\"yes\","
                                  "\"reply_truncated\":false}}\n");
    APP_EQ(3, "\"command\":\"RETR\",\"command_data\":\"index.html\",\"command_truncated\":false,"
              "\"completion_code\":[\"550\"],\"reply\":[\"Failed to open file.\"],"
              "\"reply_received\":\"yes\",\"reply_truncated\":false");
    test_schema_ok(cap.rec[2]);
}

static void long_reply(void **state)
{
    (void)state;
    strcpy(big[1], "227 ");
    memset(big[1] + 4, 'A', 9000);
    strcpy(big[1] + 9004, "\r\n");
    const struct seg s[] = {
        S("220 hi\r\n"), C("PASV\r\n"), { false, big[1], 0 },
        C("RETR index.html\r\n"), S("550 Failed to open file.\r\n"),
    };
    run(s, sizeof(s) / sizeof(s[0]), true);
    assert_int_equal(cap.ntx, 3);
    assert_int_equal(cap.nan, 1);
    assert_string_equal(cap.an[0], "response_command_too_long");
    assert_int_equal(cap.port[1], 0);
    const char *r = strstr(cap.rec[1], "\"reply\":[\"");
    assert_non_null(r);
    r += 10;
    for (int i = 0; i < 4092; i++)
        assert_int_equal(r[i], 'A');
    assert_string_equal(r + 4092, "\"],\"reply_received\":\"yes\",\"reply_truncated\":true}}\n");
    assert_non_null(strstr(cap.rec[1], "\"command\":\"PASV\",\"completion_code\":[\"227\"],"));
    APP_EQ(2, "\"command\":\"RETR\",\"command_data\":\"index.html\",\"command_truncated\":false,"
              "\"completion_code\":[\"550\"],\"reply\":[\"Failed to open file.\"],"
              "\"reply_received\":\"yes\",\"reply_truncated\":false");
    test_schema_ok(cap.rec[1]);
}

/* ---- AUTH TLS, bad PORT, gaps, limits ---------------------------------- */

static void auth_tls(void **state)
{
    (void)state;
    static const struct seg s[] = {
        S("220 hi\r\n"), C("AUTH TLS\r\n"), S("234 Proceed with negotiation.\r\n"),
        { true, "\x16\x03\x01\x00\x10USER x\r\n", 0 }, S("\x16\x03\x03\r\n331 x\r\n"),
    };
    run(s, sizeof(s) / sizeof(s[0]), true);
    assert_int_equal(cap.ntx, 2);
    APP_EQ(1, "\"command\":\"AUTH TLS\",\"completion_code\":[\"234\"],"
              "\"reply\":[\"Proceed with negotiation.\"],\"reply_received\":\"yes\","
              "\"reply_truncated\":false");
    /* refused: parsing goes on */
    static const struct seg r[] = {
        S("220 hi\r\n"), C("AUTH TLS\r\n"), S("530 no\r\n"), C("USER u\r\n"), S("331 x\r\n"),
    };
    run(r, sizeof(r) / sizeof(r[0]), true);
    assert_int_equal(cap.ntx, 3);
    APP_EQ(2, "\"command\":\"USER\",\"command_data\":\"u\",\"command_truncated\":false,"
              "\"completion_code\":[\"331\"],\"reply\":[\"x\"],\"reply_received\":\"yes\","
              "\"reply_truncated\":false");
}

static void bad_port(void **state)
{
    (void)state;
    /* Suricata: a PORT that does not parse keeps no reply and ends at once */
    static const struct seg s[] = {
        S("220 hi\r\n"), C("PORT 1,2,3,4,256,1\r\n"), S("150-wait\r\n150 now\r\n"),
        C("NOOP\r\n"), S("200 ok\r\n"),
    };
    run(s, sizeof(s) / sizeof(s[0]), true);
    assert_int_equal(cap.ntx, 3);
    assert_int_equal(cap.tx_seg[1], 2);
    APP_EQ(1, "\"command\":\"PORT\",\"command_data\":\"1,2,3,4,256,1\",\"command_truncated\":false,"
              "\"mode\":\"passive\",\"reply_received\":\"yes\",\"reply_truncated\":false");
    test_schema_ok(cap.rec[1]);
}

static void port_parsers(void **state)
{
    (void)state;
#define P(fn, s) fn((const uint8_t *)(s), strlen(s))
    assert_int_equal(P(ftp_parse_port, "PORT 192,168,0,13,234,10"), 59914);
    assert_int_equal(P(ftp_parse_port, "PORT  10 ,1,2,3,0,21 trailing"), 21);
    assert_int_equal(P(ftp_parse_port, "port 1,2,3,4,255,255"), 65535);
    assert_int_equal(P(ftp_parse_port, "PORT 212,27,32,66,257,243"), 0);
    assert_int_equal(P(ftp_parse_port, "PORT 212,27,32,66,255,65535"), 0);
    assert_int_equal(P(ftp_parse_port, "PORT 1,2,3,4,5"), 0);
    assert_int_equal(P(ftp_parse_port, "PORT"), 0);
    assert_int_equal(P(ftp_parse_pasv, "227 Entering Passive Mode (212,27,32,66,221,243)."), 56819);
    assert_int_equal(P(ftp_parse_pasv, "227 =(1,2,3,4, 8 , 9 )"), 2057);
    assert_int_equal(P(ftp_parse_pasv, "227 Entering Passive Mode (212,27,32,66,257,243)."), 0);
    assert_int_equal(P(ftp_parse_pasv, "227 Entering Passive Mode (212,27,32,66,1,2"), 0);
    assert_int_equal(P(ftp_parse_pasv, "227 =( 1,2,3,4,5,6)"), 0);
    assert_int_equal(P(ftp_parse_pasv, "228 (1,2,3,4,5,6)"), 0);
    assert_int_equal(P(ftp_parse_epsv, "229 Entering Extended Passive Mode (|||48758|)."), 48758);
    assert_int_equal(P(ftp_parse_epsv, "229 x (||| 21 |)"), 21);
    assert_int_equal(P(ftp_parse_epsv, "229 x (|||99999|)"), 0);
    assert_int_equal(P(ftp_parse_epsv, "229 x (|||21|"), 0);
    assert_int_equal(P(ftp_parse_eprt, "EPRT |2|2a01:e34:ee97:b130:8c3e:45ea:5ac6:e301|41813|"), 41813);
    assert_int_equal(P(ftp_parse_eprt, "EPRT |1|132.235.1.2|6275|"), 6275);
    assert_int_equal(P(ftp_parse_eprt, "EPRT |2|::1|81813|"), 0);
    assert_int_equal(P(ftp_parse_eprt, "EPRT |1|1.2.3.4|"), 0);
#undef P
    assert_string_equal(ftp_command_name(FTP_CMD_AUTH_TLS), "AUTH TLS");
    assert_string_equal(ftp_command_name(FTP_CMD_USER), "USER");
    assert_null(ftp_command_name(FTP_CMD_NONE));
    assert_null(ftp_command_name(FTP_CMD_MAX));
    assert_string_equal(ftp_event_name(FTP_EV_REQUEST_COMMAND_TOO_LONG), "request_command_too_long");
    assert_string_equal(ftp_event_name(FTP_EV_MAX), "unknown");
}

static void gaps_and_limits(void **state)
{
    (void)state;
    struct cap *c = &cap;
    memset(c, 0, sizeof(*c));
    ftp_state_init(&st);
    struct appl_cb cb = { .tx = on_tx, .anomaly = on_anomaly, .ctx = c };
    const char *a = "USER a\r\n";
    assert_int_equal(ftp_feed(&st, true, (const uint8_t *)a, strlen(a), 0, &cb), strlen(a));
    a = "230-first\r\n";
    assert_int_equal(ftp_feed(&st, false, (const uint8_t *)a, strlen(a), 0, &cb), strlen(a));
    /* lost: the rest of that reply; resume at the next line, a new reply */
    a = "ost line\r\n230 done\r\n";
    assert_int_equal(ftp_feed(&st, false, (const uint8_t *)a, strlen(a), APPL_GAP, &cb),
                     strlen(a));
    assert_int_equal(c->ntx, 1);
    APP_EQ(0, "\"command\":\"USER\",\"command_data\":\"a\",\"command_truncated\":false,"
              "\"completion_code\":[\"230\"],\"reply\":[\"230-first\",\"done\"],"
              "\"reply_received\":\"yes\",\"reply_truncated\":false");
    /* a partial command line is held back, then given up at EOF */
    a = "LIST /tm";
    assert_int_equal(ftp_feed(&st, true, (const uint8_t *)a, strlen(a), 0, &cb), 0);
    /* more than FTP_REPLY_LINES_MAX lines: the rest left out */
    static char many[4096];
    size_t o = (size_t)sprintf(many, "214-help\r\n");
    for (int i = 0; i < 30; i++)
        o += (size_t)sprintf(many + o, " line %d\r\n", i);
    o += (size_t)sprintf(many + o, "214 end\r\n");
    a = "HELP\r\n";
    assert_int_equal(ftp_feed(&st, true, (const uint8_t *)a, strlen(a), 0, &cb), strlen(a));
    assert_int_equal(ftp_feed(&st, false, (const uint8_t *)many, o, 0, &cb), o);
    assert_int_equal(c->ntx, 2);
    assert_non_null(strstr(c->rec[1], "\" line 14\"],\"reply_received\":\"yes\""));
    assert_null(strstr(c->rec[1], "line 15"));
    assert_null(strstr(c->rec[1], "completion_code"));
    a = "LIST /tm";
    assert_int_equal(ftp_feed(&st, true, (const uint8_t *)a, strlen(a), APPL_EOF, &cb), strlen(a));
    assert_int_equal(ftp_feed(&st, false, NULL, 0, APPL_EOF, &cb), 0);
    assert_int_equal(c->ntx, 2);
}

static void random_bytes(void **state)
{
    (void)state;
    static uint8_t buf[4096];
    uint32_t x = 777;
    static const char *const words[] = { "PASV\r\n", "227 (1,2,3,4,5,6)\r\n", "150 x\r\n",
                                         "230-", "230 ", "\r\n", "PORT 1,2,3,4,5,6\r\n",
                                         "AUTH TLS\r\n", "229 (|||5|)\r\n", "\n", "EPRT |" };
    int checked = 0;
    for (int round = 0; round < 300; round++) {
        struct cap *c = &cap2;
        memset(c, 0, sizeof(*c));
        ftp_state_init(&st);
        struct appl_cb cb = { .tx = on_tx, .anomaly = on_anomaly, .ctx = c };
        for (int k = 0; k < 40; k++) {
            size_t n = 0;
            while (n < 300) {
                x = x * 1103515245u + 12345u;
                if ((x >> 16) % 3 == 0) {
                    const char *w = words[(x >> 8) % (sizeof(words) / sizeof(words[0]))];
                    memcpy(buf + n, w, strlen(w));
                    n += strlen(w);
                } else {
                    buf[n++] = (uint8_t)(x >> 24);
                }
            }
            bool cli = (x >> 5) & 1;
            unsigned f2 = ((x >> 7) & 15) == 0 ? APPL_GAP : 0;
            size_t used = ftp_feed(&st, cli, buf, n, f2, &cb);
            assert_true(used <= n);
        }
        ftp_feed(&st, true, buf, 10, APPL_EOF, &cb);
        ftp_feed(&st, false, buf, 10, APPL_EOF, &cb);
        if (c->ntx && checked < 3) {
            test_schema_ok(c->rec[c->ntx - 1]);
            checked++;
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(whole_session, setup),
        cmocka_unit_test_setup(unanswered, setup),
        cmocka_unit_test_setup(long_command, setup),
        cmocka_unit_test_setup(long_reply, setup),
        cmocka_unit_test_setup(auth_tls, setup),
        cmocka_unit_test_setup(bad_port, setup),
        cmocka_unit_test_setup(port_parsers, setup),
        cmocka_unit_test_setup(gaps_and_limits, setup),
        cmocka_unit_test_setup(random_bytes, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
