/* tests/test_smtp.c: the SMTP parser (dissect/smtp.h) and the "smtp" EVE
 * record (output/eve_smtp.c).  Conversations are fed the way the engine
 * does (each direction's unconsumed bytes given again with the next ones),
 * whole and in small pieces down to one byte, and must give the same
 * transactions, at the same moments.  Records are checked field by field
 * (the exact "smtp"/"email" JSON) and against tests/schema_check.py: run
 * from the repository root. */
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

#include "dissect/smtp.h"
#include "output/eve_smtp.h"

#define MAX_TX  8
#define REC_MAX (96 * 1024)             /* 6 bytes per escaped byte, at worst */
#define MAX_AN  64

/* What the callbacks saw. */
struct cap {
    int ntx, nan;
    int tx_seg[MAX_TX];             /* segment being fed when emitted */
    char rec[MAX_TX][REC_MAX];      /* default record */
    char ext[MAX_TX][REC_MAX];      /* with every optional field */
    bool truncated[MAX_TX];
    bool has_file[MAX_TX];          /* file.data: the first attachment */
    size_t file_len[MAX_TX];
    uint8_t file[MAX_TX][SMTP_FILE_DATA_MAX];
    char an[MAX_AN][48];
    int cur_seg;
    unsigned opts;
};

static struct cap cap, cap2;
static struct smtp_state st;
static struct eve_ctx ec;
static struct flow fl;

static void on_tx(void *ctx, const void *tx)
{
    struct cap *c = ctx;
    const struct smtp_tx *t = tx;
    assert_true(c->ntx < MAX_TX);
    c->tx_seg[c->ntx] = c->cur_seg;
    c->truncated[c->ntx] = t->d->truncated;
    c->has_file[c->ntx] = t->has_file;
    assert_true(t->file_len <= SMTP_FILE_DATA_MAX);
    assert_true(t->has_file || t->file_len == 0);
    c->file_len[c->ntx] = t->file_len;
    if (t->file_len)
        memcpy(c->file[c->ntx], t->file_data, t->file_len);
    size_t n = eve_smtp(&ec, c->rec[c->ntx], sizeof(c->rec[0]), &fl, 1700000000000000ull, 7,
                        t->tx_id, t);
    assert_true(n > 0);
    c->rec[c->ntx][n] = '\0';
    n = eve_smtp_opts(&ec, c->ext[c->ntx], sizeof(c->ext[0]), &fl, 1700000000000000ull, 7,
                      t->tx_id, t, 0x3ffu);
    assert_true(n > 0);
    c->ext[c->ntx][n] = '\0';
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

/* One direction's bytes. */
struct seg {
    bool cli;
    const char *s;
    size_t n;                       /* 0: strlen(s) */
};

#define C(x) { true, x, 0 }
#define S(x) { false, x, 0 }

static uint8_t pend[2][APPL_PENDING_MAX + 8192];
static struct smtp_opts opts = { .body_md5 = true };    /* set up by run_on */

/* Feeds the segments in order, step bytes at a time, then APPL_EOF to
 * both directions when eof. */
static void run_on(struct smtp_state *s, struct cap *c, const struct seg *segs, size_t nseg,
                   size_t step, bool eof)
{
    struct appl_cb cb = { .tx = on_tx, .anomaly = on_anomaly, .ctx = c };
    size_t plen[2] = { 0, 0 };
    memset(c, 0, sizeof(*c));
    smtp_state_init(s);
    s->opts = opts;
    for (size_t i = 0; i < nseg; i++) {
        int d = segs[i].cli ? 0 : 1;
        size_t n = segs[i].n ? segs[i].n : strlen(segs[i].s);
        c->cur_seg = (int)i;
        for (size_t o = 0; o < n; o += step) {
            size_t k = n - o < step ? n - o : step;
            assert_true(plen[d] + k <= sizeof(pend[d]));
            memcpy(pend[d] + plen[d], segs[i].s + o, k);
            plen[d] += k;
            size_t used = smtp_feed(s, segs[i].cli, pend[d], plen[d], 0, &cb);
            assert_true(used <= plen[d]);
            memmove(pend[d], pend[d] + used, plen[d] - used);
            plen[d] -= used;
            assert_true(plen[d] <= SMTP_LINE_MAX);     /* it never waits for more */
        }
    }
    c->cur_seg = (int)nseg;
    if (eof) {
        for (int d = 0; d < 2; d++)
            assert_true(smtp_feed(s, d == 0, pend[d], plen[d], APPL_EOF, &cb) == plen[d]);
    }
}

/* Whole, then in pieces of 1, 2, 3 and 7 bytes: the same records, emitted
 * during the same segments, the same anomalies.  Leaves the whole run in
 * cap. */
static void run(const struct seg *segs, size_t nseg, bool eof)
{
    static const size_t steps[] = { 1, 2, 3, 7 };
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        run_on(&st, &cap2, segs, nseg, steps[i], eof);
        run_on(&st, &cap, segs, nseg, (size_t)1 << 30, eof);
        assert_int_equal(cap.ntx, cap2.ntx);
        assert_int_equal(cap.nan, cap2.nan);
        for (int t = 0; t < cap.ntx; t++) {
            assert_string_equal(cap.rec[t], cap2.rec[t]);
            assert_string_equal(cap.ext[t], cap2.ext[t]);
            assert_int_equal(cap.tx_seg[t], cap2.tx_seg[t]);
            assert_int_equal(cap.has_file[t], cap2.has_file[t]);
            assert_int_equal(cap.file_len[t], cap2.file_len[t]);
            assert_memory_equal(cap.file[t], cap2.file[t], cap.file_len[t]);
        }
        for (int a = 0; a < cap.nan && a < MAX_AN; a++)
            assert_string_equal(cap.an[a], cap2.an[a]);
    }
}

/* The record's app part: from "smtp" to the end of the line. */
static const char *app_part(const char *rec)
{
    const char *p = strstr(rec, "\"smtp\":{");
    assert_non_null(p);
    return p;
}

#define APP_EQ(i, want) assert_string_equal(app_part(cap.rec[i]), want "}\n")
#define EXT_EQ(i, want) assert_string_equal(app_part(cap.ext[i]), want "}\n")
#define AN_EQ(i, want) assert_string_equal(cap.an[i], want)
#define FILE_EQ(i, want) do {                                               \
        assert_true(cap.has_file[i]);                                       \
        assert_int_equal(cap.file_len[i], sizeof(want) - 1);                \
        assert_memory_equal(cap.file[i], want, sizeof(want) - 1);           \
    } while (0)

static int setup(void **state)
{
    (void)state;
    eve_ctx_init(&ec, "x.pcap", NULL);
    memset(&fl, 0, sizeof(fl));
    fl.flow_id = 42;
    fl.ip_v = 4;
    fl.proto = 6;
    memcpy(fl.cli, "\x0a\x00\x00\x01", 4);
    memcpy(fl.srv, "\x0a\x00\x00\x02", 4);
    fl.cli_port = 40000;
    fl.srv_port = 25;
    return 0;
}

/* ---- a whole mail ----------------------------------------------------- */

static const struct seg mail[] = {
    S("220 mx.example.org ESMTP ready\r\n"),
    C("EHLO client.example.com\r\n"),
    S("250-mx.example.org\r\n250-SIZE 1000000\r\n250 8BITMIME\r\n"),
    C("MAIL FROM:<alice@example.com> SIZE=1234\r\n"),
    S("250 2.1.0 Ok\r\n"),
    C("RCPT TO:<bob@example.net>\r\n"),
    S("250 2.1.5 Ok\r\n"),
    C("rcpt to: <carol@example.net> NOTIFY=NEVER\r\n"),
    S("250 2.1.5 Ok\r\n"),
    C("DATA\r\n"),
    S("354 End data with <CR><LF>.<CR><LF>\r\n"),
    C("Received: from a by b; Mon, 1 Jan 2024 00:00:00 +0000\r\n"
      "Received: from c\r\n\tby d\r\n"
      "From: \"Alice A.\" <alice@example.com>\r\n"
      "To: \"Bob, B.\" <bob@example.net>,  carol@example.net,\r\n dave@example.net\r\n"
      "Cc: eve@example.org\r\n"
      "Bcc: frank@example.org, ,\r\n"
      "Subject: Quarterly\r\n report\r\n"
      "Date: Mon, 1 Jan 2024 00:00:00 +0000\r\n"
      "Message-ID: <1234@example.com>\r\n"
      "X-Mailer: TestMailer 1.0\r\n"
      "User-Agent: Mutt/2.0\r\n"
      "Reply-To: alice+reply@example.com\r\n"
      "MIME-Version: 1.0\r\n"
      "Content-Type: multipart/mixed;\r\n\tboundary=\"==b1==\"\r\n"
      "\r\n"
      "This is a multi-part message in MIME format http://preamble.example/ .\r\n"
      "--==b1==\r\n"
      "Content-Type: text/plain; charset=us-ascii\r\n"
      "\r\n"
      "See http://www.example.com/a?b=1 and <HTTP://Other.example/x>\r\n"
      "..leading dot, and http://end.example/\r\n"
      "--==b1==\r\n"
      "Content-Type: application/octet-stream; name=\"ignored.bin\"\r\n"
      "Content-Transfer-Encoding: base64\r\n"
      "Content-Disposition: attachment;\r\n"
      " filename=\"report q1.pdf\"\r\n"
      "\r\n"
      "aHR0cDovL25vdC5hLnVybC8=\r\n"
      "--==b1==\r\n"
      "Content-Type: text/plain; name=notes.txt\r\n"
      "\r\n"
      "plain attachment http://in.attachment/\r\n"
      "--==b1==--\r\n"
      ".\r\n"),
    S("250 2.0.0 Ok: queued as 12345\r\n"),
    C("QUIT\r\n"),
    S("221 2.0.0 Bye\r\n"),
};

static void whole_mail(void **state)
{
    (void)state;
    run(mail, sizeof(mail) / sizeof(mail[0]), true);
    assert_int_equal(cap.ntx, 1);
    assert_int_equal(cap.nan, 0);
    assert_int_equal(cap.tx_seg[0], 12);    /* completed by the reply to "." */
    assert_false(cap.truncated[0]);
    FILE_EQ(0, "http://not.a.url/");      /* the first attachment, decoded */
    APP_EQ(0, "\"smtp\":{\"helo\":\"client.example.com\",\"mail_from\":\"<alice@example.com>\","
              "\"rcpt_to\":[\"<bob@example.net>\",\"<carol@example.net>\"]},"
              "\"email\":{\"from\":\"\\\"Alice A.\\\" <alice@example.com>\","
              "\"to\":[\"\\\"Bob, B.\\\" <bob@example.net>\",\"carol@example.net\",\"dave@example.net\"],"
              "\"cc\":[\"eve@example.org\"],\"status\":\"PARSE_DONE\","
              "\"attachment\":[\"report q1.pdf\",\"notes.txt\"],"
              "\"url\":[\"in.attachment/\\r\\n\",\"end.example/\\r\\n\",\"Other.example/x\","
              "\"www.example.com/a?b=1\"]}");
    EXT_EQ(0, "\"smtp\":{\"helo\":\"client.example.com\",\"mail_from\":\"<alice@example.com>\","
              "\"rcpt_to\":[\"<bob@example.net>\",\"<carol@example.net>\"]},"
              "\"email\":{\"from\":\"\\\"Alice A.\\\" <alice@example.com>\","
              "\"to\":[\"\\\"Bob, B.\\\" <bob@example.net>\",\"carol@example.net\",\"dave@example.net\"],"
              "\"cc\":[\"eve@example.org\"],\"status\":\"PARSE_DONE\","
              "\"attachment\":[\"report q1.pdf\",\"notes.txt\"],"
              "\"url\":[\"in.attachment/\\r\\n\",\"end.example/\\r\\n\",\"Other.example/x\","
              "\"www.example.com/a?b=1\"],"
              "\"reply_to\":\"alice+reply@example.com\",\"bcc\":[\"frank@example.org\",\",\"],"
              "\"message_id\":\"<1234@example.com>\",\"subject\":\"Quarterlyreport\","
              "\"x_mailer\":\"TestMailer 1.0\",\"user_agent\":\"Mutt/2.0\","
              "\"received\":[\"from a by b; Mon, 1 Jan 2024 00:00:00 +0000\",\"from cby d\"],"
              "\"date\":\"Mon, 1 Jan 2024 00:00:00 +0000\","
              "\"subject_md5\":\"11a5e6f27484c1757532e95baa576f6e\","
              "\"body_md5\":\"e86c2475d9cbc9ff1367636f3761eb29\"}");
    assert_non_null(strstr(cap.rec[0], "\"event_type\":\"smtp\",\"src_ip\":\"10.0.0.1\","
                                       "\"src_port\":40000,\"dest_ip\":\"10.0.0.2\",\"dest_port\":25"));
    assert_non_null(strstr(cap.rec[0], "\"tx_id\":0,\"smtp\""));
    test_schema_ok(cap.rec[0]);
    test_schema_ok(cap.ext[0]);
}

/* Without the final EOF nothing more comes out (the QUIT starts none). */
static void quit_after_mail(void **state)
{
    (void)state;
    run(mail, sizeof(mail) / sizeof(mail[0]), false);
    assert_int_equal(cap.ntx, 1);
}

/* ---- sessions without a mail ----------------------------------------- */

static void helo_only(void **state)
{
    (void)state;
    static const struct seg s[] = {
        S("220 hi\r\n"), C("HELO  relay.example\r\n"), S("250 hello\r\n"),
        C("NOOP\r\n"), S("250 ok\r\n"), C("QUIT\r\n"), S("221 bye\r\n"),
    };
    run(s, sizeof(s) / sizeof(s[0]), false);
    assert_int_equal(cap.ntx, 0);           /* open until the flow ends */
    run(s, sizeof(s) / sizeof(s[0]), true);
    assert_int_equal(cap.ntx, 1);
    assert_int_equal(cap.nan, 0);
    APP_EQ(0, "\"smtp\":{\"helo\":\"relay.example\"}");
    test_schema_ok(cap.rec[0]);

    /* EHLO without a name: an empty helo, as Suricata keeps it */
    static const struct seg e[] = { S("220 hi\r\n"), C("EHLO\r\n"), S("250 hello\r\n") };
    run(e, sizeof(e) / sizeof(e[0]), true);
    assert_int_equal(cap.ntx, 1);
    APP_EQ(0, "\"smtp\":{\"helo\":\"\"}");
}

static void rset_ends_tx(void **state)
{
    (void)state;
    static const struct seg s[] = {
        S("220 hi\r\n"), C("EHLO a\r\n"), S("250 hello\r\n"),
        C("MAIL FROM:<x@y>\r\n"), S("250 ok\r\n"),
        C("RSET\r\n"), S("250 reset\r\n"),
        C("MAIL FROM:<z@y>\r\n"), S("250 ok\r\n"),
        C("RCPT TO:<r@y>\r\n"), S("250 ok\r\n"),
        C("RSET\r\n"), S("250 reset\r\n"),
        C("RSET\r\n"), S("250 reset\r\n"),
        C("QUIT\r\n"), S("221 bye\r\n"),
    };
    run(s, sizeof(s) / sizeof(s[0]), true);
    assert_int_equal(cap.ntx, 2);
    assert_int_equal(cap.tx_seg[0], 6);
    assert_int_equal(cap.tx_seg[1], 12);
    APP_EQ(0, "\"smtp\":{\"helo\":\"a\",\"mail_from\":\"<x@y>\"}");
    APP_EQ(1, "\"smtp\":{\"helo\":\"a\",\"mail_from\":\"<z@y>\",\"rcpt_to\":[\"<r@y>\"]}");
    assert_non_null(strstr(cap.rec[1], "\"tx_id\":1,"));
    assert_int_equal(cap.nan, 0);
}

/* ---- BDAT ------------------------------------------------------------- */

static void bdat_chunks(void **state)
{
    (void)state;
    static const struct seg s[] = {
        S("220 hi\r\n"), C("EHLO c\r\n"), S("250-hi\r\n250 CHUNKING\r\n"),
        C("MAIL FROM:<a@x>\r\n"), S("250 ok\r\n"), C("RCPT TO:<b@x>\r\n"), S("250 ok\r\n"),
        /* the chunk ends inside a line, and holds what looks like commands */
        C("BDAT 26\r\nSubject: t\r\n\r\nMAIL FROM:<q"), S("250 26 octets\r\n"),
        C("BDAT 8 LAST\r\n@x>\r\n.\r\n"), S("250 queued\r\n"),
        C("MAIL FROM:<c@x>\r\n"), S("250 ok\r\n"), C("RCPT TO:<d@x>\r\n"), S("250 ok\r\n"),
        C("BDAT 0 LAST\r\n"), S("250 queued\r\n"),
    };
    run(s, sizeof(s) / sizeof(s[0]), true);
    assert_int_equal(cap.ntx, 2);
    assert_int_equal(cap.nan, 0);
    assert_int_equal(cap.tx_seg[0], 10);
    assert_int_equal(cap.tx_seg[1], 16);
    APP_EQ(0, "\"smtp\":{\"helo\":\"c\",\"mail_from\":\"<a@x>\",\"rcpt_to\":[\"<b@x>\"]}");
    APP_EQ(1, "\"smtp\":{\"helo\":\"c\",\"mail_from\":\"<c@x>\",\"rcpt_to\":[\"<d@x>\"]}");
    test_schema_ok(cap.rec[0]);
}

/* A bad BDAT is an anomaly, not the end; the next mail is pipelined past
 * an unanswered DATA. */
static void bdat_invalid(void **state)
{
    (void)state;
    static const struct seg s[] = {
        S("220 hi\r\n"), C("ehlo c\r\n"), S("250-hi\r\n250-PIPELINING\r\n250 CHUNKING\r\n"),
        C("mail from:<a@x>\r\n"), S("250 ok\r\n"), C("rcpt to:<b@x>\r\n"), S("250 ok\r\n"),
        C("BDAT 5 X\r\n"), S("521 5.5.4 Syntax: BDAT count [LAST]\r\n"),
        C("BDAT 5 LAST\r\nabcdemail from:<c@x>\r\nrcpt to:<d@x>\r\ndata\r\n"
          "From: c@x\r\nTo: d@x\r\n\r\nbody\r\n.\r\n"),
    };
    run(s, sizeof(s) / sizeof(s[0]), true);
    assert_int_equal(cap.ntx, 2);
    assert_int_equal(cap.nan, 2);
    AN_EQ(0, "INVALID_BDAT");
    AN_EQ(1, "INVALID_PIPELINED_SEQUENCE");
    APP_EQ(0, "\"smtp\":{\"helo\":\"c\",\"mail_from\":\"<a@x>\",\"rcpt_to\":[\"<b@x>\"]}");
    APP_EQ(1, "\"smtp\":{\"helo\":\"c\",\"mail_from\":\"<c@x>\",\"rcpt_to\":[\"<d@x>\"]},"
              "\"email\":{\"from\":\"c@x\",\"to\":[\"d@x\"],\"status\":\"PARSE_DONE\"}");
    assert_non_null(strstr(cap.rec[1], "\"tx_id\":1,"));

    /* the syntax */
    static const char *const bad[] = { "BDAT", "BDAT x", "BDAT 5LAST", "BDAT 99999999999",
                                       "BDAT 5 LASTX", "BDAT5" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char line[64];
        snprintf(line, sizeof(line), "%s\r\n", bad[i]);
        const struct seg b[] = { S("220 hi\r\n"), C("EHLO c\r\n"), S("250 hi\r\n"),
                                 { true, line, 0 } };
        run(b, sizeof(b) / sizeof(b[0]), true);
        assert_int_equal(cap.nan, 1);
        AN_EQ(0, "INVALID_BDAT");
    }
}

/* A lost stretch inside a chunk is skipped when its length is known. */
static void bdat_gap(void **state)
{
    (void)state;
    struct cap *c = &cap;
    memset(c, 0, sizeof(*c));
    smtp_state_init(&st);
    struct appl_cb cb = { .tx = on_tx, .anomaly = on_anomaly, .ctx = c };
    const char *a = "220 hi\r\n";
    assert_int_equal(smtp_feed(&st, false, (const uint8_t *)a, strlen(a), 0, &cb), strlen(a));
    a = "EHLO c\r\nMAIL FROM:<a@x>\r\nBDAT 100 LAST\r\n0123456789";
    assert_int_equal(smtp_feed(&st, true, (const uint8_t *)a, strlen(a), 0, &cb), strlen(a));
    cb.gap = 80;                            /* 80 of the remaining 90 lost */
    a = "0123456789MAIL FROM:<b@x>\r\n";
    assert_int_equal(smtp_feed(&st, true, (const uint8_t *)a, strlen(a), APPL_GAP, &cb),
                     strlen(a));
    assert_int_equal(c->ntx, 1);            /* the second MAIL starts a new one */
    APP_EQ(0, "\"smtp\":{\"helo\":\"c\",\"mail_from\":\"<a@x>\"}");
    /* unknown length: resume at the next line */
    cb.gap = 0;
    a = "xyz\r\nRCPT TO:<c@x>\r\n";
    assert_int_equal(smtp_feed(&st, true, (const uint8_t *)a, strlen(a), APPL_GAP, &cb),
                     strlen(a));
    assert_int_equal(smtp_feed(&st, true, NULL, 0, APPL_EOF, &cb), 0);
    assert_int_equal(smtp_feed(&st, false, NULL, 0, APPL_EOF, &cb), 0);
    assert_int_equal(c->ntx, 2);
    APP_EQ(1, "\"smtp\":{\"helo\":\"c\",\"mail_from\":\"<b@x>\",\"rcpt_to\":[\"<c@x>\"]}");
}

/* ---- pipelining ------------------------------------------------------- */

static void pipelining(void **state)
{
    (void)state;
    static const struct seg s[] = {
        S("220 hi\r\n"), C("EHLO p\r\n"),
        S("250-hi\r\n250-PIPELINING\r\n250 SIZE\r\n"),
        C("MAIL FROM:<u@d>\r\nRCPT TO:<j@e>\r\nDATA\r\nSubject: x\r\n\r\nhello\r\n.\r\n"),
        S("250 ok\r\n250 ok\r\n354 go\r\n"),
        S("250 queued\r\n"),
    };
    run(s, sizeof(s) / sizeof(s[0]), true);
    assert_int_equal(cap.ntx, 1);
    assert_int_equal(cap.tx_seg[0], 5);
    assert_int_equal(cap.nan, 1);
    AN_EQ(0, "INVALID_PIPELINED_SEQUENCE");
    APP_EQ(0, "\"smtp\":{\"helo\":\"p\",\"mail_from\":\"<u@d>\",\"rcpt_to\":[\"<j@e>\"]},"
              "\"email\":{\"status\":\"PARSE_DONE\"}");
    EXT_EQ(0, "\"smtp\":{\"helo\":\"p\",\"mail_from\":\"<u@d>\",\"rcpt_to\":[\"<j@e>\"]},"
              "\"email\":{\"status\":\"PARSE_DONE\",\"subject\":\"x\","
              "\"subject_md5\":\"9dd4e461268c8034f5c8564e155c67a6\","
              "\"body_md5\":\"af5597c29467a96523a70787c319f4db\"}");

    /* RSET, DATA and "." at once: one transaction, the late 354 does not
     * reopen the message */
    static const struct seg r[] = {
        S("220 hi\r\n"), C("EHLO client.example\r\n"), S("250-PIPELINING\r\n250 OK\r\n"),
        C("RSET\r\nDATA\r\n.\r\n"), S("250 reset\r\n"), S("354 continue\r\n"),
        S("250 queued\r\n"), C("MAIL FROM:<n@x>\r\n"),
    };
    run(r, sizeof(r) / sizeof(r[0]), false);
    assert_int_equal(cap.ntx, 1);
    assert_int_equal(cap.tx_seg[0], 4);     /* accepted RSET ends it */
    AN_EQ(0, "INVALID_PIPELINED_SEQUENCE");
    assert_int_equal(cap.nan, 1);
    APP_EQ(0, "\"smtp\":{\"helo\":\"client.example\"},\"email\":{\"status\":\"PARSE_DONE\"}");
}

/* A new mail before the previous one's reply sends that one out. */
static void next_mail_before_reply(void **state)
{
    (void)state;
    static const struct seg s[] = {
        S("220 hi\r\n"), C("EHLO p\r\n"), S("250 hi\r\n"),
        C("MAIL FROM:<a@d>\r\n"), S("250 ok\r\n"), C("DATA\r\n"), S("354 go\r\n"),
        C("x\r\n.\r\nMAIL FROM:<b@d>\r\n"),
        S("250 queued\r\n250 ok\r\n"),
    };
    run(s, sizeof(s) / sizeof(s[0]), true);
    assert_int_equal(cap.ntx, 2);
    assert_int_equal(cap.tx_seg[0], 7);
    assert_int_equal(cap.tx_seg[1], 9);     /* at EOF */
    APP_EQ(0, "\"smtp\":{\"helo\":\"p\",\"mail_from\":\"<a@d>\"},\"email\":{\"status\":\"PARSE_DONE\"}");
    APP_EQ(1, "\"smtp\":{\"helo\":\"p\",\"mail_from\":\"<b@d>\"}");
    assert_int_equal(cap.nan, 0);
}

/* ---- STARTTLS and rejections ------------------------------------------ */

static void starttls(void **state)
{
    (void)state;
    static const struct seg s[] = {
        S("220 hi\r\n"), C("EHLO t\r\n"), S("250-hi\r\n250 STARTTLS\r\n"),
        C("STARTTLS\r\n"), S("220 go ahead\r\n"),
        { true, "\x16\x03\x01\x00\x05hello\nMAIL FROM:<no@x>\r\n", 0 },
        { false, "\x16\x03\x03\x00\x02\n\n\nxx\r\n", 0 },
    };
    run(s, sizeof(s) / sizeof(s[0]), true);
    assert_int_equal(cap.ntx, 1);
    assert_int_equal(cap.tx_seg[0], 4);
    assert_int_equal(cap.nan, 0);
    APP_EQ(0, "\"smtp\":{\"helo\":\"t\"}");

    /* the bytes after it are consumed unread */
    struct appl_cb cb = { .tx = on_tx, .anomaly = on_anomaly, .ctx = &cap };
    const char *x = "\x17\x03\x03 no line end";
    assert_int_equal(smtp_feed(&st, true, (const uint8_t *)x, strlen(x), 0, &cb), strlen(x));

    static const struct seg r[] = {
        S("220 hi\r\n"), C("EHLO t\r\n"), S("250 hi\r\n"),
        C("STARTTLS\r\n"), S("454 TLS not available\r\n"),
        C("MAIL FROM:<a@b>\r\n"), S("250 ok\r\n"),
        C("DATA\r\n"), S("554 no valid recipients\r\n"),
        C("DATA\r\n"), C("DATA\r\n"), S("354 go\r\n"), C(".\r\n"), S("250 ok\r\n"),
    };
    run(r, sizeof(r) / sizeof(r[0]), true);
    assert_int_equal(cap.ntx, 1);
    assert_int_equal(cap.nan, 3);
    AN_EQ(0, "TLS_REJECTED");
    AN_EQ(1, "DATA_COMMAND_REJECTED");
    AN_EQ(2, "UNPARSABLE_CONTENT");
    APP_EQ(0, "\"smtp\":{\"helo\":\"t\",\"mail_from\":\"<a@b>\"},\"email\":{\"status\":\"PARSE_DONE\"}");
}

/* ---- malformed replies and commands ----------------------------------- */

static void invalid_reply(void **state)
{
    (void)state;
    static const struct seg s[] = {
        S("220 hi\r\n"), C("EHLO x\r\n"), S("250 hi\r\n"),
        C("MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\n"),
        S("472 no such code\r\n501 never read\r\n"),
        C("RCPT TO:<e@f>\r\n"),
    };
    run(s, sizeof(s) / sizeof(s[0]), false);
    assert_int_equal(cap.ntx, 0);
    assert_int_equal(cap.nan, 1);
    AN_EQ(0, "INVALID_REPLY");
    run(s, sizeof(s) / sizeof(s[0]), true);
    assert_int_equal(cap.ntx, 1);           /* what was seen before it */
    APP_EQ(0, "\"smtp\":{\"helo\":\"x\",\"mail_from\":\"<a@b>\",\"rcpt_to\":[\"<c@d>\"]}");

    /* too short; and a greeting that is not 220, before any transaction
     * (no anomaly then), then a client before it */
    static const struct seg t[] = { S("554 go away\r\n"), C("EHLO x\r\n"), S("25\r\n") };
    run(t, sizeof(t) / sizeof(t[0]), true);
    assert_int_equal(cap.nan, 1);
    AN_EQ(0, "INVALID_REPLY");
    static const struct seg u[] = { C("EHLO x\r\n"), C("QUIT\r\n"), S("220 late\r\n") };
    run(u, sizeof(u) / sizeof(u[0]), true);
    assert_int_equal(cap.nan, 2);
    AN_EQ(0, "NO_SERVER_WELCOME_MESSAGE");
    AN_EQ(1, "NO_SERVER_WELCOME_MESSAGE");
    assert_int_equal(cap.ntx, 1);

    /* the reply to the end of a mail closes it first: a bad one raises
     * nothing (Suricata 8.0.7) */
    static const struct seg v[] = {
        S("220 hi\r\n"), C("HELO x\r\n"), S("250 hi\r\n"), C("DATA\r\n"), S("354 go\r\n"),
        C(".\r\n"), S("4.7.0 deferred\r\n"),
    };
    run(v, sizeof(v) / sizeof(v[0]), true);
    assert_int_equal(cap.ntx, 1);
    assert_int_equal(cap.tx_seg[0], 6);
    assert_int_equal(cap.nan, 0);
}

/* Header fields count once their block has ended (Suricata). */
static void unfinished_headers(void **state)
{
    (void)state;
    static const struct seg s[] = {
        S("220 hi\r\n"), C("HELO x\r\n"), S("250 hi\r\n"), C("DATA\r\n"), S("354 go\r\n"),
        C("From: a@b\r\nTo: c@d\r\nSubject: s\r\n.\r\n"), S("250 ok\r\n"),
        C("DATA\r\n"), S("354 go\r\n"), C("From: a@b\r\n\r\n.\r\n"), S("250 ok\r\n"),
    };
    run(s, sizeof(s) / sizeof(s[0]), true);
    assert_int_equal(cap.ntx, 2);
    APP_EQ(0, "\"smtp\":{\"helo\":\"x\"},\"email\":{\"status\":\"PARSE_DONE\"}");
    EXT_EQ(0, "\"smtp\":{\"helo\":\"x\"},\"email\":{\"status\":\"PARSE_DONE\"}");
    APP_EQ(1, "\"smtp\":{\"helo\":\"x\"},\"email\":{\"from\":\"a@b\",\"status\":\"PARSE_DONE\"}");
}

static void duplicates(void **state)
{
    (void)state;
    static const struct seg s[] = {
        S("220 hi\r\n"), C("HELO one\r\n"), S("250 hi\r\n"), C("EHLO two\r\n"), S("250 hi\r\n"),
        C("MAIL FROM:<a@b>\r\n"), S("550 no\r\n"), C("MAIL FROM: <c@d>\r\n"), S("250 ok\r\n"),
    };
    run(s, sizeof(s) / sizeof(s[0]), true);
    assert_int_equal(cap.ntx, 1);
    assert_int_equal(cap.nan, 2);
    AN_EQ(0, "DUPLICATE_FIELDS");
    AN_EQ(1, "DUPLICATE_FIELDS");
    APP_EQ(0, "\"smtp\":{\"helo\":\"one\",\"mail_from\":\"<a@b>\"}");
}

/* ---- limits ----------------------------------------------------------- */

static char big[3][12000];

static void long_lines(void **state)
{
    (void)state;
    /* "EHLO " + 4090 bytes + CR LF: cut at 4096 bytes, CR kept (Suricata) */
    strcpy(big[0], "EHLO ");
    memset(big[0] + 5, 'h', 4090);
    strcpy(big[0] + 4095, "\r\nMAIL FROM:<a@b>\r\n");
    /* a reply line with no end: cut at 4096, the rest skipped up to LF */
    strcpy(big[1], "250-");
    memset(big[1] + 4, 'r', 8000);
    strcpy(big[1] + 8004, "\r\n250 ok\r\n");
    const struct seg s[] = {
        S("220 hi\r\n"), { true, big[0], 0 }, { false, big[1], 0 }, S("250 ok\r\n"),
    };
    run(s, sizeof(s) / sizeof(s[0]), true);
    assert_int_equal(cap.ntx, 1);
    assert_int_equal(cap.nan, 2);
    AN_EQ(0, "TRUNCATED_LINE");
    AN_EQ(1, "TRUNCATED_LINE");
    const char *h = strstr(cap.rec[0], "\"helo\":\"");
    assert_non_null(h);
    h += 8;
    for (int i = 0; i < 4090; i++)
        assert_int_equal(h[i], 'h');
    assert_memory_equal(h + 4090, "\\r\",\"mail_from\":\"<a@b>\"}", 24);

    /* too many recipients and URLs, a long header: left out, flagged */
    static char replies[1024];
    size_t ro = 0;
    for (int i = 0; i < 42; i++)
        ro += (size_t)sprintf(replies + ro, "250 ok\r\n");
    ro += (size_t)sprintf(replies + ro, "354 go\r\n");
    static char cmds[2048];
    size_t co = (size_t)sprintf(cmds, "EHLO x\r\nMAIL FROM:<a@b>\r\n");
    for (int i = 0; i < 40; i++)
        co += (size_t)sprintf(cmds + co, "RCPT TO:<r%d@x>\r\n", i);
    co += (size_t)sprintf(cmds + co, "DATA\r\n");
    char *m = big[2];
    size_t o = 0;
    o += (size_t)sprintf(m + o, "Subject: ");
    memset(m + o, 's', 2100);
    o += 2100;
    o += (size_t)sprintf(m + o, "\r\n\r\n");
    for (int i = 0; i < 20; i++)
        o += (size_t)sprintf(m + o, "http://u%d/\r\n", i);
    o += (size_t)sprintf(m + o, ".\r\n");
    const struct seg t[] = { S("220 hi\r\n"), { true, cmds, co }, { false, replies, ro },
                             { true, m, o } };
    run(t, sizeof(t) / sizeof(t[0]), true);
    assert_int_equal(cap.ntx, 1);
    assert_true(cap.truncated[0]);
    assert_int_equal(cap.nan, 2);
    AN_EQ(0, "MIME_LONG_LINE");
    AN_EQ(1, "MIME_LONG_HEADER_VALUE");
    assert_non_null(strstr(cap.rec[0], "\"<r31@x>\"]"));
    assert_null(strstr(cap.rec[0], "r32@x"));
    assert_non_null(strstr(cap.rec[0], "\"url\":[\"u15/\\r\\n\","));
    assert_non_null(strstr(cap.rec[0], "\"u0/\\r\\n\"]}"));
    test_schema_ok(cap.rec[0]);
    test_schema_ok(cap.ext[0]);
}

/* MIME events and attachment names. */
static void mime_events(void **state)
{
    (void)state;
    static char fname[400];
    memset(fname, 'f', 300);
    static char body[4096];
    snprintf(body, sizeof(body),
             "Content-Type: multipart/mixed; boundary=XX\r\n\r\n"
             "--XX\r\nContent-Type: text/plain; name*0=\"a\"; name*1=\"b.txt\"\r\n"
             "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
             "ok=3D fine=\r\nbad=G1\r\n"
             "--XX\r\nContent-Disposition: attachment; filename=%s\r\n"
             "Content-Transfer-Encoding: BASE64\r\n\r\n"
             "QUJD\r\nQU=*\r\nQ*==\r\n"
             "--XX--\r\n.\r\n", fname);
    const struct seg s[] = {
        S("220 hi\r\n"), C("EHLO m\r\nDATA\r\n"), S("250 hi\r\n354 go\r\n"),
        { true, body, 0 }, S("250 ok\r\n"),
    };
    run(s, sizeof(s) / sizeof(s[0]), true);
    assert_int_equal(cap.ntx, 1);
    assert_int_equal(cap.nan, 3);
    AN_EQ(0, "MIME_INVALID_QP");
    AN_EQ(1, "MIME_LONG_FILENAME");
    AN_EQ(2, "MIME_INVALID_BASE64");
    FILE_EQ(0, "ok= finebad=G1");         /* quoted-printable, decoded */
    char want[1024];
    snprintf(want, sizeof(want), "\"attachment\":[\"ab.txt\",\"%.255s\"]}}\n", fname);
    const char *a = strstr(cap.rec[0], "\"attachment\"");
    assert_non_null(a);
    assert_string_equal(a, want);
}

/* file.data: the first attachment's content per transaction, decoded,
 * its line break before the boundary left out, cut at SMTP_FILE_DATA_MAX. */
static void file_data(void **state)
{
    (void)state;
    /* a text part (not a file), then a plain attachment with dot-stuffing
     * and LF-only lines, then a base64 one (not kept: not the first) */
    const struct seg a[] = {
        S("220 hi\r\n"), C("EHLO m\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n"),
        S("250 hi\r\n250 ok\r\n250 ok\r\n354 go\r\n"),
        C("Content-Type: multipart/mixed; boundary=XX\r\n\r\n"
          "--XX\r\nContent-Type: text/plain\r\n\r\nbody text\r\n"
          "--XX\r\nContent-Type: text/plain; name=\"a.txt\"\r\n\r\n"
          "line one\r\n..dot\nlast\r\n"
          "--XX\r\nContent-Disposition: attachment; filename=b.bin\r\n"
          "Content-Transfer-Encoding: base64\r\n\r\nQUJD\r\n"
          "--XX--\r\n.\r\n"),
        S("250 ok\r\n"),
        /* a second mail: one base64 attachment, a group across lines and
         * an invalid group left out */
        C("MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n"),
        S("250 ok\r\n250 ok\r\n354 go\r\n"),
        C("Content-Type: application/zip; name=z.zip\r\n"
          "Content-Transfer-Encoding: base64\r\n\r\n"
          "SGVsbG8gV2\r\n9y*A==bGQ=\r\n.\r\n"),
        S("250 ok\r\n"),
        /* a third: no attachment, no file */
        C("MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n"),
        S("250 ok\r\n250 ok\r\n354 go\r\n"),
        C("Subject: x\r\n\r\nif was\r\n.\r\n"),
        S("250 ok\r\n"),
    };
    run(a, sizeof(a) / sizeof(a[0]), true);
    assert_int_equal(cap.ntx, 3);
    FILE_EQ(0, "line one\r\n.dot\nlast");
    FILE_EQ(1, "Hello World");
    assert_false(cap.has_file[2]);
    assert_int_equal(cap.file_len[2], 0);

    /* bounded: 4 KiB of plain text, and of base64, keep the first bytes */
    static char fdat[16384];
    size_t n = (size_t)snprintf(fdat, sizeof(fdat),
                                "Content-Disposition: attachment; filename=t.txt\r\n\r\n");
    for (int i = 0; i < 64; i++)
        n += (size_t)snprintf(fdat + n, sizeof(fdat) - n, "%063d\r\n", i);
    n += (size_t)snprintf(fdat + n, sizeof(fdat) - n, ".\r\n");
    assert_true(n < sizeof(fdat) - 1);
    const struct seg b[] = {
        S("220 hi\r\n"), C("EHLO m\r\nDATA\r\n"), S("250 hi\r\n354 go\r\n"),
        { true, fdat, 0 }, S("250 ok\r\n"),
    };
    run(b, sizeof(b) / sizeof(b[0]), true);
    assert_int_equal(cap.ntx, 1);
    assert_true(cap.has_file[0]);
    assert_int_equal(cap.file_len[0], SMTP_FILE_DATA_MAX);
    assert_memory_equal(cap.file[0], fdat + strlen("Content-Disposition: attachment; "
                                                  "filename=t.txt\r\n\r\n"), SMTP_FILE_DATA_MAX);

    n = (size_t)snprintf(fdat, sizeof(fdat), "Content-Disposition: attachment; filename=t.txt\r\n"
                         "Content-Transfer-Encoding: base64\r\n\r\n");
    for (int i = 0; i < 64; i++)                /* 64 lines of 19 groups: 3648 bytes */
        n += (size_t)snprintf(fdat + n, sizeof(fdat) - n, "%.76s\r\n",
                              "YWJjYWJjYWJjYWJjYWJjYWJjYWJjYWJjYWJjYWJjYWJjYWJjYWJjYWJjYWJjYWJjYWJjYWJjYWJj");
    n += (size_t)snprintf(fdat + n, sizeof(fdat) - n, ".\r\n");
    assert_true(n < sizeof(fdat) - 1);
    run(b, sizeof(b) / sizeof(b[0]), true);
    assert_int_equal(cap.ntx, 1);
    assert_int_equal(cap.nan, 0);
    assert_int_equal(cap.file_len[0], SMTP_FILE_DATA_MAX);
    for (size_t i = 0; i < SMTP_FILE_DATA_MAX; i++)
        assert_int_equal(cap.file[0][i], "abc"[i % 3]);
}

/* The URL settings (Suricata's extract-urls-schemes, log-url-scheme). */
static void url_options(void **state)
{
    (void)state;
    static const struct seg s[] = {
        S("220 hi\r\n"), C("HELO u\r\n"), S("250 hi\r\n"), C("DATA\r\n"), S("354 go\r\n"),
        C("Subject: links\r\n\r\n"
          "see http://a.example/x and HTTPS://b.example, ftp://1.2.3.4 mailto://c@d\r\n.\r\n"),
        S("250 ok\r\n"),
    };
    opts = (struct smtp_opts){ .url_schemes = SMTP_URL_HTTP | SMTP_URL_HTTPS | SMTP_URL_FTP |
                                              SMTP_URL_MAILTO,
                               .url_log_scheme = true };
    run(s, sizeof(s) / sizeof(s[0]), true);
    assert_int_equal(cap.ntx, 1);
    APP_EQ(0, "\"smtp\":{\"helo\":\"u\"},\"email\":{\"status\":\"PARSE_DONE\","
              "\"url\":[\"mailto://c@d\\r\\n\",\"ftp://1.2.3.4\",\"HTTPS://b.example,\","
              "\"http://a.example/x\"]}");
    opts = (struct smtp_opts){ .url_schemes = SMTP_URL_HTTPS };
    run(s, sizeof(s) / sizeof(s[0]), true);
    APP_EQ(0, "\"smtp\":{\"helo\":\"u\"},\"email\":{\"status\":\"PARSE_DONE\","
              "\"url\":[\"b.example,\"]}");
    opts = (struct smtp_opts){ .url_off = true };
    run(s, sizeof(s) / sizeof(s[0]), true);
    APP_EQ(0, "\"smtp\":{\"helo\":\"u\"},\"email\":{\"status\":\"PARSE_DONE\"}");
    /* no body_md5 without the setting, even when asked for */
    assert_null(strstr(cap.ext[0], "body_md5"));
    assert_non_null(strstr(cap.ext[0], "\"subject_md5\":"));
    opts = (struct smtp_opts){ .body_md5 = true };
}

/* ---- hostile input ---------------------------------------------------- */

static void random_bytes(void **state)
{
    (void)state;
    static uint8_t buf[4096];
    uint32_t x = 12345;
    int checked = 0;
    static const char *const words[] = { "DATA\r\n", "BDAT 3 LAST\r\n", ".\r\n", "354 x\r\n",
                                         "250-PIPELINING\r\n", "MAIL FROM:<", "\r\n",
                                         "Content-Type: multipart/x; boundary=b\r\n", "--b\r\n",
                                         "STARTTLS\r\n", "220 x\r\n", "\n", "http://" };
    for (int round = 0; round < 300; round++) {
        struct cap *c = &cap2;
        memset(c, 0, sizeof(*c));
        smtp_state_init(&st);
        struct appl_cb cb = { .tx = on_tx, .anomaly = on_anomaly, .ctx = c };
        for (int k = 0; k < 40; k++) {
            size_t n = 0;
            while (n < 200) {
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
            unsigned fl2 = ((x >> 7) & 15) == 0 ? APPL_GAP : 0;
            cb.gap = (x >> 12) & 63;
            size_t used = smtp_feed(&st, cli, buf, n, fl2, &cb);
            assert_true(used <= n);
            if (c->ntx >= MAX_TX - 1)
                c->ntx = 0;
        }
        smtp_feed(&st, true, buf, 10, APPL_EOF, &cb);
        smtp_feed(&st, false, buf, 10, APPL_EOF, &cb);
        if (c->ntx && checked < 3) {    /* hostile bytes still make valid lines */
            test_schema_ok(c->rec[c->ntx - 1]);
            test_schema_ok(c->ext[c->ntx - 1]);
            checked++;
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(whole_mail, setup),
        cmocka_unit_test_setup(quit_after_mail, setup),
        cmocka_unit_test_setup(helo_only, setup),
        cmocka_unit_test_setup(rset_ends_tx, setup),
        cmocka_unit_test_setup(bdat_chunks, setup),
        cmocka_unit_test_setup(bdat_invalid, setup),
        cmocka_unit_test_setup(bdat_gap, setup),
        cmocka_unit_test_setup(pipelining, setup),
        cmocka_unit_test_setup(next_mail_before_reply, setup),
        cmocka_unit_test_setup(starttls, setup),
        cmocka_unit_test_setup(invalid_reply, setup),
        cmocka_unit_test_setup(unfinished_headers, setup),
        cmocka_unit_test_setup(duplicates, setup),
        cmocka_unit_test_setup(long_lines, setup),
        cmocka_unit_test_setup(mime_events, setup),
        cmocka_unit_test_setup(file_data, setup),
        cmocka_unit_test_setup(url_options, setup),
        cmocka_unit_test_setup(random_bytes, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
