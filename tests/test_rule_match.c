/* tests/test_rule_match.c: rule verification (engine/rule_match.h).
 *
 * Each test parses a rule with engine/rules.h and runs it over buffers
 * built here, so the expected result can be read off the bytes: absolute
 * and relative content windows, backtracking to a later occurrence,
 * negation, nocase, startswith/endswith, pcre (relative, negated, with
 * retries), isdataat, bsize/urilen/dsize, dotprefix, flow direction and
 * state, flowbits and their actions, missing buffers, the header helpers,
 * and the step bound on a hostile buffer.  Every buffer is an exactly
 * sized heap copy, so ASan sees any read past its end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <cmocka.h>

#include "tests/test_util.h"

#include "engine/rule_match.h"
#include "engine/rules.h"

struct fx {
    struct rule_match_ctx *ctx;
    struct rule_set *rs;
    uint8_t *copies[RULE_BUF_COUNT];
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    char err[NS_ERRBUF_SIZE];
    f->ctx = rule_match_ctx_create(err);
    assert_non_null(f->ctx);
    *state = f;
    return 0;
}

static void drop_copies(struct fx *f)
{
    for (int i = 0; i < RULE_BUF_COUNT; i++) {
        free(f->copies[i]);
        f->copies[i] = NULL;
    }
}

static int teardown(void **state)
{
    struct fx *f = *state;
    drop_copies(f);
    rule_set_destroy(f->rs);
    rule_match_ctx_destroy(f->ctx);
    free(f);
    return 0;
}

/* parse one rule (options only; header "alert tcp any any -> any any") */
static const struct rule *R(struct fx *f, const char *opts)
{
    char err[NS_ERRBUF_SIZE], text[2048];
    rule_set_destroy(f->rs);
    f->rs = rule_set_create(NULL, err);
    assert_non_null(f->rs);
    if (strncmp(opts, "alert ", 6) == 0)
        snprintf(text, sizeof(text), "%s", opts);
    else
        snprintf(text, sizeof(text), "alert tcp any any -> any any (%s sid:1;)", opts);
    assert_int_equal(rule_set_load_text(f->rs, "m.rules", text, strlen(text), err), NS_OK);
    if (rule_set_count(f->rs) != 1)
        fprintf(stderr, "%s\n", rule_set_skip(f->rs, 0)->msg);
    assert_int_equal(rule_set_count(f->rs), 1);
    return rule_set_rule(f->rs, 0);
}

static void put(struct fx *f, struct rule_match_input *in, enum rule_buf b, const char *s, size_t n)
{
    free(f->copies[b]);
    f->copies[b] = malloc(n ? n : 1);
    memcpy(f->copies[b], s, n);
    in->buf[b].p = f->copies[b];
    in->buf[b].len = n;
}

static void input(struct rule_match_input *in)
{
    memset(in, 0, sizeof(*in));
    in->to_server = true;
    in->established = true;
}

/* the rule against one payload */
static bool P(struct fx *f, const char *opts, const char *payload)
{
    const struct rule *r = R(f, opts);
    struct rule_match_input in;
    input(&in);
    put(f, &in, RULE_BUF_PAYLOAD, payload, strlen(payload));
    in.dsize = (uint32_t)strlen(payload);
    bool m = rule_match(f->ctx, r, &in);
    drop_copies(f);
    return m;
}

/* the rule against one buffer of a kind */
static bool B(struct fx *f, const char *opts, enum rule_buf b, const char *data)
{
    const struct rule *r = R(f, opts);
    struct rule_match_input in;
    input(&in);
    put(f, &in, b, data, strlen(data));
    bool m = rule_match(f->ctx, r, &in);
    drop_copies(f);
    return m;
}

/* ---- content ---- */

static void content_absolute(void **state)
{
    struct fx *f = *state;
    assert_true(P(f, "content:\"abc\";", "xxabcxx"));
    assert_false(P(f, "content:\"abd\";", "xxabcxx"));
    assert_true(P(f, "content:\"abc\"; offset:2;", "xxabcxx"));
    assert_false(P(f, "content:\"abc\"; offset:3;", "xxabcxx"));
    assert_true(P(f, "content:\"abc\"; depth:5;", "xxabcxx"));
    assert_false(P(f, "content:\"abc\"; depth:4;", "xxabcxx"));
    assert_true(P(f, "content:\"abc\"; offset:2; depth:3;", "xxabcxx"));  /* window [2,5) */
    assert_false(P(f, "content:\"abc\"; offset:1; depth:3;", "xxabcxx"));
    /* absolute contents are independent of each other's order */
    assert_true(P(f, "content:\"cd\"; content:\"ab\";", "abcd"));
    const char bin[] = { 'A', ';', 0x00, (char)0xff };
    const struct rule *r = R(f, "content:\"|00 ff|\"; content:\"A|3b|\";");
    struct rule_match_input in;
    input(&in);
    put(f, &in, RULE_BUF_PAYLOAD, bin, sizeof(bin));
    assert_true(rule_match(f->ctx, r, &in));
    drop_copies(f);
    /* a window past the end never matches; an empty buffer neither */
    assert_false(P(f, "content:\"a\"; offset:100;", "aaaa"));
    assert_false(P(f, "content:\"a\";", ""));
}

static void content_relative(void **state)
{
    struct fx *f = *state;
    assert_true(P(f, "content:\"ab\"; content:\"cd\"; distance:0;", "abcd"));
    assert_false(P(f, "content:\"cd\"; content:\"ab\"; distance:0;", "abcd"));
    assert_true(P(f, "content:\"ab\"; content:\"cd\"; distance:2;", "abxxcd"));
    assert_false(P(f, "content:\"ab\"; content:\"cd\"; distance:3;", "abxxcd"));
    assert_true(P(f, "content:\"ab\"; content:\"cd\"; within:4;", "abxxcd"));
    assert_false(P(f, "content:\"ab\"; content:\"cd\"; within:3;", "abxxcd"));
    /* within counts from the previous end plus distance */
    assert_true(P(f, "content:\"ab\"; content:\"cd\"; distance:2; within:2;", "abxxcd"));
    assert_false(P(f, "content:\"ab\"; content:\"cd\"; distance:1; within:2;", "abxxcd"));
    /* negative distance looks back */
    assert_true(P(f, "content:\"cd\"; content:\"bc\"; distance:-3; within:2;", "abcd"));
    /* a relative first content counts from the buffer start */
    assert_true(P(f, "content:\"ab\"; distance:1;", "xab"));
    assert_false(P(f, "content:\"ab\"; distance:2;", "xab"));
    /* the chain goes on: third relative to second */
    assert_true(P(f, "content:\"a\"; content:\"b\"; distance:0; content:\"c\"; within:1;", "a_b_bc"));
}

static void content_backtracking(void **state)
{
    struct fx *f = *state;
    /* the first "A" has no "B" right after it, the second does */
    assert_true(P(f, "content:\"A\"; content:\"B\"; within:1;", "AxAB"));
    assert_true(P(f, "content:\"A\"; content:\"B\"; distance:0; within:1;", "AxAxxAB"));
    /* two levels: A, then B within 2, then C within 1 */
    assert_true(P(f, "content:\"A\"; content:\"B\"; within:2; content:\"C\"; within:1;",
                  "AB_AxB_ABC"));
    assert_false(P(f, "content:\"A\"; content:\"B\"; within:2; content:\"C\"; within:1;",
                   "AB_AxB_AB_C"));
    /* a relative pcre makes the content retry too */
    assert_true(P(f, "content:\"k=\"; pcre:\"/^\\d+\\;/R\";", "k=x; k=12;"));
    /* relative isdataat as well */
    assert_true(P(f, "content:\"X\"; isdataat:3,relative;", "..X.X...."));
    assert_false(P(f, "content:\"X\"; isdataat:!3,relative;", "..X...X..."));
    assert_true(P(f, "content:\"X\"; isdataat:!3,relative; content:\"Y\";", "Y..X..X.."));
    /* an endswith content is searched again until the end */
    assert_true(P(f, "content:\"ab\"; endswith;", "ab_ab_ab"));
    assert_false(P(f, "content:\"ab\"; endswith;", "ab_ab_a"));
}

static void content_negation(void **state)
{
    struct fx *f = *state;
    assert_true(P(f, "content:!\"evil\";", "good stuff"));
    assert_false(P(f, "content:!\"evil\";", "some evil here"));
    assert_true(P(f, "content:\"GET\"; content:!\"evil\"; distance:0; within:6;", "GET /abc evil"));
    assert_false(P(f, "content:\"GET\"; content:!\"evil\"; distance:0; within:8;", "GET evil"));
    assert_true(P(f, "content:!\"abc\"; depth:3;", "xabc"));
    assert_false(P(f, "content:!\"abc\"; depth:3;", "abcx"));
    /* window out of the buffer: the negated content holds */
    assert_true(P(f, "content:\"ab\"; content:!\"zz\"; distance:10;", "ab"));
    /* negated endswith: found but not at the end holds */
    assert_true(P(f, "content:!\"ab\"; endswith;", "abx"));
    assert_false(P(f, "content:!\"ab\"; endswith;", "xab"));
    /* an absent or empty buffer */
    assert_true(P(f, "content:!\"x\";", ""));
    const struct rule *r = R(f, "content:!\"x\";");
    struct rule_match_input in;
    input(&in);
    assert_false(rule_match(f->ctx, r, &in));         /* no payload at all */
}

static void content_nocase_and_anchors(void **state)
{
    struct fx *f = *state;
    assert_false(P(f, "content:\"ABC\";", "xabcx"));
    assert_true(P(f, "content:\"ABC\"; nocase;", "xabcx"));
    assert_true(P(f, "content:\"abc\"; nocase;", "xAbCx"));
    assert_true(P(f, "content:\"aab\"; nocase;", "AAAAAB"));              /* KMP restarts */
    assert_true(P(f, "content:\"abab\"; nocase;", "ABAABABAB"));
    assert_false(P(f, "content:\"abab\"; nocase;", "ABAABAAB"));
    assert_true(P(f, "content:\"|c4|\"; nocase;", "\xc4"));              /* bytes >127 exact */
    assert_false(P(f, "content:\"|c4|\"; nocase;", "\xe4"));
    assert_true(P(f, "content:\"GET \"; startswith;", "GET /"));
    assert_false(P(f, "content:\"GET \"; startswith;", " GET /"));
    assert_true(P(f, "content:\".exe\"; endswith;", "a.exe"));
    assert_false(P(f, "content:\".exe\"; endswith;", "a.exe "));
    assert_true(P(f, "content:\"abc\"; startswith; endswith;", "abc"));
    assert_false(P(f, "content:\"abc\"; startswith; endswith;", "abcabc"));
    /* suricata-verify: distance/within then endswith */
    assert_true(P(f, "content:\"yY\"; distance:1; within:10; endswith;", "xxxxyY"));
    assert_false(P(f, "content:\"yY\"; distance:1; within:3; endswith;", "xxxxyY"));
}

/* ---- pcre ---- */

static void pcre_matching(void **state)
{
    struct fx *f = *state;
    assert_true(P(f, "pcre:\"/a\\d+b/\";", "xxa123b"));
    assert_false(P(f, "pcre:\"/a\\d+b/\";", "xxab"));
    assert_true(P(f, "pcre:\"/A\\d+B/i\";", "xxa1b"));
    assert_true(P(f, "pcre:!\"/evil/\";", "good"));
    assert_false(P(f, "pcre:!\"/evil/\";", "evil"));
    /* R: from the previous match end; ^ anchors there */
    assert_true(P(f, "content:\"id=\"; pcre:\"/^\\d{3}/R\";", "id=123"));
    assert_false(P(f, "content:\"id=\"; pcre:\"/^\\d{3}/R\";", "id=12x 123"));
    assert_false(P(f, "content:\"b\"; pcre:\"/a/R\";", "ab"));
    /* a content relative to a pcre match */
    assert_true(P(f, "pcre:\"/x+/\"; content:\"y\"; within:1;", "xxxy"));
    /* the pcre is tried again at a later match when its follower fails */
    assert_true(P(f, "pcre:\"/k\\d/\"; content:\"!\"; within:1;", "k1 k2!"));
    /* buffer flags */
    assert_true(B(f, "pcre:\"/^\\/index/U\";", RULE_BUF_HTTP_URI, "/index.php"));
    assert_false(B(f, "pcre:\"/^\\/index/U\";", RULE_BUF_PAYLOAD, "/index.php"));
    /* suricata-verify dns test: a relative pcre after a nocase content */
    assert_true(B(f, "alert dns any any -> any any (dns_query; content:\"google\"; nocase; "
                     "pcre:\"/^\\.[a-z]{2,3}$/iR\"; sid:2;)", RULE_BUF_DNS_QUERY, "www.google.com"));
    /* catastrophic patterns hit the match limit and do not match */
    const struct rule *r = R(f, "pcre:\"/(a+)+$/\";");
    struct rule_match_input in;
    input(&in);
    char evil[64];
    memset(evil, 'a', sizeof(evil) - 2);
    evil[62] = '!';
    evil[63] = '\0';
    put(f, &in, RULE_BUF_PAYLOAD, evil, 63);
    (void)rule_match(f->ctx, r, &in);                 /* bounded either way */
    drop_copies(f);
}

/* ---- sizes and positions ---- */

static void isdataat_bsize_urilen_dsize(void **state)
{
    struct fx *f = *state;
    assert_true(P(f, "isdataat:3;", "abcd"));
    assert_false(P(f, "isdataat:4;", "abcd"));
    assert_true(P(f, "isdataat:!4;", "abcd"));
    assert_false(P(f, "isdataat:!3;", "abcd"));
    assert_true(P(f, "content:\"ab\"; isdataat:2,relative;", "abcd"));
    assert_false(P(f, "content:\"ab\"; isdataat:3,relative;", "abcd"));
    assert_true(P(f, "content:\"ab\"; isdataat:!3,relative;", "abcd"));

    assert_true(B(f, "http.uri; bsize:4;", RULE_BUF_HTTP_URI, "/abc"));
    assert_false(B(f, "http.uri; bsize:5;", RULE_BUF_HTTP_URI, "/abc"));
    assert_true(B(f, "http.uri; bsize:<5; content:\"/a\";", RULE_BUF_HTTP_URI, "/abc"));
    assert_true(B(f, "http.uri; bsize:3<>5;", RULE_BUF_HTTP_URI, "/abc"));
    assert_false(B(f, "http.uri; bsize:4<>5;", RULE_BUF_HTTP_URI, "/abc"));
    assert_true(B(f, "http.user_agent; bsize:0;", RULE_BUF_HTTP_USER_AGENT, ""));
    assert_false(B(f, "http.user_agent; bsize:0;", RULE_BUF_PAYLOAD, ""));  /* absent */

    assert_true(B(f, "urilen:4;", RULE_BUF_HTTP_URI, "/abc"));
    assert_true(B(f, "urilen:>3;", RULE_BUF_HTTP_URI, "/abc"));
    assert_false(B(f, "urilen:<4;", RULE_BUF_HTTP_URI, "/abc"));
    assert_false(B(f, "urilen:4,raw;", RULE_BUF_HTTP_URI, "/abc"));     /* raw uri absent */
    assert_true(B(f, "urilen:4,raw;", RULE_BUF_HTTP_URI_RAW, "/abc"));
    /* the suricata-verify pair: urilen with http.uri contents */
    const char *sv = "flow:established,to_server; urilen:<70; http.uri; content:\".php?\"; "
                     "content:\"=01&\"; distance:4; within:4; fast_pattern;";
    assert_true(B(f, sv, RULE_BUF_HTTP_URI, "/x.php?aaaa=01&b"));
    assert_false(B(f, sv, RULE_BUF_HTTP_URI, "/x.php?aaaaa=01&b"));

    assert_true(P(f, "dsize:4;", "abcd"));
    assert_false(P(f, "dsize:>4;", "abcd"));
    assert_true(P(f, "dsize:3<>5;", "abcd"));
    assert_true(P(f, "dsize:!5;", "abcd"));
}

static void dotprefix_transform(void **state)
{
    struct fx *f = *state;
    const char *o = "alert dns any any -> any any (dns.query; dotprefix; content:\".google.com\"; "
                    "endswith; sid:1;)";
    assert_true(B(f, o, RULE_BUF_DNS_QUERY, "google.com"));
    assert_true(B(f, o, RULE_BUF_DNS_QUERY, "www.google.com"));
    assert_false(B(f, o, RULE_BUF_DNS_QUERY, "notgoogle.com"));
    assert_true(B(f, "alert dns any any -> any any (dns.query; dotprefix; bsize:11; sid:1;)",
                  RULE_BUF_DNS_QUERY, "google.com"));
}

/* ---- flow and flowbits ---- */

static void flow_state(void **state)
{
    struct fx *f = *state;
    const struct rule *r = R(f, "flow:to_client,established; content:\"x\";");
    struct rule_match_input in;
    input(&in);
    put(f, &in, RULE_BUF_PAYLOAD, "x", 1);
    assert_false(rule_match(f->ctx, r, &in));
    in.to_server = false;
    assert_true(rule_match(f->ctx, r, &in));
    in.established = false;
    assert_false(rule_match(f->ctx, r, &in));
    r = R(f, "flow:not_established;");
    assert_true(rule_match(f->ctx, r, &in));
    r = R(f, "flow:only_stream;");
    assert_false(rule_match(f->ctx, r, &in));
    in.stream = true;
    assert_true(rule_match(f->ctx, r, &in));
    r = R(f, "flow:no_stream;");
    assert_false(rule_match(f->ctx, r, &in));
    drop_copies(f);
}

static void flowbits_actions(void **state)
{
    struct fx *f = *state;
    char err[NS_ERRBUF_SIZE];
    rule_set_destroy(f->rs);
    f->rs = rule_set_create(NULL, err);
    const char *text =
        "alert tcp any any -> any any (flowbits:set,login; flowbits:noalert; content:\"USER\"; sid:1;)\n"
        "alert tcp any any -> any any (flowbits:isset,login; content:\"PASS\"; sid:2;)\n"
        "alert tcp any any -> any any (flowbits:isnotset,login; content:\"PASS\"; sid:3;)\n"
        "alert tcp any any -> any any (flowbits:toggle,login; content:\"T\"; sid:4;)\n"
        "alert tcp any any -> any any (flowbits:unset,login; flowbits:set,a&b; content:\"QUIT\"; sid:5;)\n"
        "alert tcp any any -> any any (flowbits:isset,a&b; sid:6;)\n"
        "alert tcp any any -> any any (flowbits:isset,zz|b; sid:7;)\n"
        "alert tcp any any -> any any (flowbits:isnotset,a|zz; sid:8;)\n";
    assert_int_equal(rule_set_load_text(f->rs, "fb.rules", text, strlen(text), err), NS_OK);
    assert_int_equal(rule_set_count(f->rs), 8);
    const struct rule *r[8];
    for (int i = 0; i < 8; i++)
        r[i] = rule_set_rule(f->rs, (uint32_t)i);
    uint64_t bits[1] = {0};
    struct rule_match_input in;
    input(&in);
    in.flowbits = bits;
    in.flowbits_words = 1;

    put(f, &in, RULE_BUF_PAYLOAD, "PASS", 4);
    assert_false(rule_match(f->ctx, r[1], &in));
    assert_true(rule_match(f->ctx, r[2], &in));
    /* no match: nothing set */
    assert_false(rule_match(f->ctx, r[0], &in));
    assert_int_equal(bits[0], 0);
    put(f, &in, RULE_BUF_PAYLOAD, "USER bob", 8);
    assert_true(rule_match(f->ctx, r[0], &in));
    assert_true(r[0]->noalert);
    assert_int_equal(bits[0], 1);
    put(f, &in, RULE_BUF_PAYLOAD, "PASS", 4);
    assert_true(rule_match(f->ctx, r[1], &in));
    assert_false(rule_match(f->ctx, r[2], &in));
    put(f, &in, RULE_BUF_PAYLOAD, "T", 1);
    assert_true(rule_match(f->ctx, r[3], &in));
    assert_int_equal(bits[0], 0);
    assert_true(rule_match(f->ctx, r[3], &in));
    assert_int_equal(bits[0], 1);
    assert_false(rule_match(f->ctx, r[5], &in));
    assert_false(rule_match(f->ctx, r[6], &in));
    assert_true(rule_match(f->ctx, r[7], &in));
    put(f, &in, RULE_BUF_PAYLOAD, "QUIT", 4);
    assert_true(rule_match(f->ctx, r[4], &in));
    assert_int_equal(bits[0], 6);                     /* login unset, a and b set */
    assert_true(rule_match(f->ctx, r[5], &in));
    assert_true(rule_match(f->ctx, r[6], &in));
    assert_true(rule_match(f->ctx, r[7], &in));       /* zz is not set */
    /* no flow: conditions fail, actions do nothing */
    in.flowbits = NULL;
    assert_false(rule_match(f->ctx, r[5], &in));
    assert_true(rule_match(f->ctx, r[4], &in));
    /* a bitset too small for an id: the bit reads as unset */
    in.flowbits = bits;
    in.flowbits_words = 0;
    assert_false(rule_match(f->ctx, r[5], &in));
    assert_false(rule_match(f->ctx, r[1], &in));
    drop_copies(f);
}

/* ---- missing buffers, several lists ---- */

static void buffers_missing(void **state)
{
    struct fx *f = *state;
    const struct rule *r = R(f, "http.method; content:\"POST\"; http.uri; content:\"/login\"; "
                                "http.request_body; content:\"pw=\";");
    struct rule_match_input in;
    input(&in);
    put(f, &in, RULE_BUF_HTTP_METHOD, "POST", 4);
    put(f, &in, RULE_BUF_HTTP_URI, "/login.php", 10);
    assert_false(rule_match(f->ctx, r, &in));         /* no body */
    put(f, &in, RULE_BUF_HTTP_REQUEST_BODY, "user=a&pw=b", 11);
    assert_true(rule_match(f->ctx, r, &in));
    put(f, &in, RULE_BUF_HTTP_METHOD, "GET", 3);
    assert_false(rule_match(f->ctx, r, &in));
    /* a rule without any list only checks flow etc. */
    r = R(f, "msg:\"none\";");
    assert_true(rule_match(f->ctx, r, &in));
    drop_copies(f);
}

/* ---- header helpers ---- */

static void header_matching(void **state)
{
    struct fx *f = *state;
    const struct rule *r = R(f, "alert tcp $HOME_NET any -> $EXTERNAL_NET [80,443] (sid:1;)");
    uint8_t a[16], b[16];
    rule_addr_from_v4(a, 0xc0a80101);                 /* 192.168.1.1 */
    rule_addr_from_v4(b, 0x08080808);
    assert_true(rule_header_match(r, 6, a, 1234, b, 443));
    assert_false(rule_header_match(r, 6, a, 1234, b, 8443));
    assert_false(rule_header_match(r, 6, b, 443, a, 1234));   /* reply direction */
    assert_false(rule_header_match(r, 17, a, 1234, b, 443));  /* not tcp */
    r = R(f, "alert ip $HOME_NET any <> $EXTERNAL_NET 53 (sid:1;)");
    assert_true(rule_header_match(r, 17, b, 53, a, 5555));    /* either way */
    assert_true(rule_header_match(r, 1, a, 0, b, 0));         /* icmp: ports ignored */
    r = R(f, "alert icmp any any -> any any (sid:1;)");
    assert_true(rule_header_match(r, 58, a, 0, b, 0));
    assert_false(rule_header_match(r, 6, a, 0, b, 0));
}

/* ---- the bound ---- */

static void hostile_buffer_is_bounded(void **state)
{
    struct fx *f = *state;
    /* every "a" matches, the "a" after it too, "b" never: without a bound
     * each occurrence would be retried at every level */
    const struct rule *r = R(f, "content:\"a\"; content:\"a\"; within:1; "
                                "content:\"a\"; within:1; content:\"b\"; within:1;");
    size_t n = 1 << 20;
    char *buf = malloc(n);
    memset(buf, 'a', n);
    struct rule_match_input in;
    input(&in);
    in.buf[RULE_BUF_PAYLOAD].p = (const uint8_t *)buf;
    in.buf[RULE_BUF_PAYLOAD].len = n;
    struct rule_match_counters c0, c1;
    rule_match_ctx_counters(f->ctx, &c0);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_false(rule_match(f->ctx, r, &in));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    rule_match_ctx_counters(f->ctx, &c1);
    assert_int_equal(c1.step_limit, c0.step_limit + 1);
    double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    printf("  1 MiB hostile buffer: %.2f ms\n", ms);
    assert_true(ms < 2000);
    /* the same shape with a match near the start is found */
    buf[10] = 'b';
    assert_true(rule_match(f->ctx, r, &in));
    buf[10] = 'a';
    /* long nocase pattern retried at every offset; a long endswith one */
    char opts[700];
    memset(opts, 0, sizeof(opts));
    strcpy(opts, "content:\"");
    memset(opts + strlen(opts), 'A', 300);
    strcat(opts, "\"; nocase; content:\"b\"; within:1;");
    r = R(f, opts);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_false(rule_match(f->ctx, r, &in));
    opts[strlen("content:\"") + 300] = '\0';
    strcat(opts, "\"; nocase; endswith; content:\"a\";");
    r = R(f, opts);
    buf[n - 1] = 'b';
    assert_false(rule_match(f->ctx, r, &in));
    buf[n - 1] = 'a';
    assert_true(rule_match(f->ctx, r, &in));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    printf("  long nocase/endswith patterns: %.2f ms\n", ms);
    assert_true(ms < 2000);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(content_absolute, setup, teardown),
        cmocka_unit_test_setup_teardown(content_relative, setup, teardown),
        cmocka_unit_test_setup_teardown(content_backtracking, setup, teardown),
        cmocka_unit_test_setup_teardown(content_negation, setup, teardown),
        cmocka_unit_test_setup_teardown(content_nocase_and_anchors, setup, teardown),
        cmocka_unit_test_setup_teardown(pcre_matching, setup, teardown),
        cmocka_unit_test_setup_teardown(isdataat_bsize_urilen_dsize, setup, teardown),
        cmocka_unit_test_setup_teardown(dotprefix_transform, setup, teardown),
        cmocka_unit_test_setup_teardown(flow_state, setup, teardown),
        cmocka_unit_test_setup_teardown(flowbits_actions, setup, teardown),
        cmocka_unit_test_setup_teardown(buffers_missing, setup, teardown),
        cmocka_unit_test_setup_teardown(header_matching, setup, teardown),
        cmocka_unit_test_setup_teardown(hostile_buffer_is_bounded, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
