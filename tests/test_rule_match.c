/* tests/test_rule_match.c: rule verification (engine/rule_match.h).
 *
 * Each test parses a rule with engine/rules.h and runs it over buffers
 * built here, so the expected result can be read off the bytes: absolute
 * and relative content windows, backtracking to a later occurrence,
 * negation, nocase, startswith/endswith, pcre (relative, negated, with
 * retries), isdataat, bsize/urilen/dsize, the byte keywords (byte_test,
 * byte_jump, byte_extract, byte_math: every option, variables within and
 * across lists, reads at the buffer edges, hostile values), the header
 * buffers, every transform and their chains, flow direction and state,
 * flowbits and their actions, missing buffers, the header helpers, and the
 * step bound on a hostile buffer.  Every buffer is an exactly sized heap
 * copy, so ASan sees any read past its end. */
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

/* the rule against a binary payload of n bytes */
static bool PN(struct fx *f, const char *opts, const char *payload, size_t n)
{
    const struct rule *r = R(f, opts);
    struct rule_match_input in;
    input(&in);
    put(f, &in, RULE_BUF_PAYLOAD, payload, n);
    in.dsize = (uint32_t)n;
    bool m = rule_match(f->ctx, r, &in);
    drop_copies(f);
    return m;
}

#define PB(f, opts, lit) PN(f, opts, lit, sizeof(lit) - 1)

/* the rule against one binary buffer of a kind */
static bool BN(struct fx *f, const char *opts, enum rule_buf b, const char *data, size_t n)
{
    const struct rule *r = R(f, opts);
    struct rule_match_input in;
    input(&in);
    put(f, &in, b, data, n);
    bool m = rule_match(f->ctx, r, &in);
    drop_copies(f);
    return m;
}

#define BB(f, opts, b, lit) BN(f, opts, b, lit, sizeof(lit) - 1)

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

/* ---- byte keywords ---- */

static void byte_test_ops(void **state)
{
    struct fx *f = *state;
    assert_true(P(f, "byte_test:1,=,0x41,0;", "ABC"));
    assert_false(P(f, "byte_test:1,=,0x42,0;", "ABC"));
    assert_true(P(f, "byte_test:2,=,0x4142,0;", "ABC"));               /* big endian */
    assert_true(P(f, "byte_test:2,=,0x4241,0,little;", "ABC"));
    assert_false(P(f, "byte_test:2,=,0x4241,0,little,big;", "ABC"));   /* the last wins */
    assert_true(P(f, "byte_test:8,=,0x4142434445464748,0;", "ABCDEFGH"));
    assert_true(P(f, "byte_test:1,=,0101,0;", "A"));                    /* octal value */
    /* every operator on 'A' (65), plain and negated */
    static const struct { const char *o; bool m; } ops[] = {
        { "<,66", true }, { "<,65", false }, { ">,64", true }, { ">,65", false },
        { "<=,65", true }, { "<=,64", false }, { ">=,65", true }, { ">=,66", false },
        { "&,1", true }, { "&,2", false }, { "^,65", false }, { "^,64", true },
        { "=,65", true }, { "!=,65", false }, { "!=,66", true }, { "!,65", false },
        { "!&,2", true }, { "!&,1", false }, { "!>,64", false }, { "!<,65", true },
    };
    for (size_t i = 0; i < NS_ARRAY_LEN(ops); i++) {
        char o[64];
        snprintf(o, sizeof(o), "byte_test:1,%s,0;", ops[i].o);
        if (P(f, o, "A") != ops[i].m)
            fail_msg("%s", o);
    }
    /* relative, negative offsets, the buffer's edges */
    assert_true(P(f, "content:\"ab\"; byte_test:1,=,0x63,0,relative;", "abc"));
    assert_true(P(f, "content:\"bc\"; byte_test:1,=,0x61,-3,relative;", "abc"));
    assert_false(P(f, "content:\"bc\"; byte_test:1,=,0x61,-4,relative;", "abc"));
    assert_true(P(f, "byte_test:1,=,0x43,2;", "ABC"));
    assert_false(P(f, "byte_test:1,>=,0,3;", "ABC"));
    assert_true(P(f, "byte_test:2,=,0x4243,1;", "ABC"));
    assert_false(P(f, "byte_test:2,>=,0,2;", "ABC"));                  /* one byte short */
    assert_false(P(f, "byte_test:4,>=,0,0;", "ABC"));
    assert_false(P(f, "byte_test:1,>=,0,-1;", "ABC"));
    assert_false(P(f, "content:\"ABC\"; byte_test:1,>=,0,0,relative;", "ABC"));
    assert_false(P(f, "byte_test:1,>=,0,0;", ""));
    /* a relative one retries the content it follows */
    assert_true(P(f, "content:\"X\"; byte_test:1,=,0x31,0,relative;", "X0X1"));
    assert_false(P(f, "content:\"X\"; byte_test:1,=,0x32,0,relative;", "X0X1"));
    /* bitmask: masked, then shifted right by its trailing zeros */
    assert_true(P(f, "byte_test:1,=,0x9,0,bitmask 0xf8;", "H"));
    assert_true(P(f, "byte_test:2,=,0x90a,0,bitmask 0xf8f8;", "HT"));
    assert_false(P(f, "byte_test:1,=,0x48,0,bitmask 0xf8;", "H"));
}

static void byte_test_strings(void **state)
{
    struct fx *f = *state;
    assert_true(P(f, "byte_test:3,=,123,0,string,dec;", "123x"));
    assert_true(P(f, "byte_test:2,=,255,0,string,hex;", "ff"));
    assert_true(P(f, "byte_test:2,=,15,0,string,oct;", "17"));
    assert_false(P(f, "byte_test:2,=,17,0,string,oct;", "18"));       /* '8' ends it: 1 */
    assert_true(P(f, "byte_test:2,=,1,0,string,oct;", "18"));
    assert_true(P(f, "byte_test:4,=,31,0,string;", "0x1f"));          /* base as C reads it */
    assert_true(P(f, "byte_test:3,=,15,0,string;", "017"));
    assert_true(P(f, "byte_test:4,=,31,0,string,hex;", "0x1f"));
    assert_true(P(f, "byte_test:4,=,12,0,string,dec;", " 12x"));
    assert_true(P(f, "byte_test:2,=,12,0,string,dec;", "1234"));      /* only nbytes read */
    assert_true(P(f, "byte_test:0,=,1234,0,string,dec;", "1234"));    /* 0: all its digits */
    assert_true(P(f, "byte_test:0,>,1000,0,string,dec;", "1234 "));
    assert_false(P(f, "byte_test:0,=,0,0,string,dec;", "abc"));       /* no digits */
    assert_false(P(f, "byte_test:0,>=,0,0,string,dec;", ""));
    assert_false(P(f, "byte_test:3,>=,0,0,string,dec;", "12"));       /* past the end */
    assert_true(P(f, "byte_test:20,=,18446744073709551615,0,string,dec;",
                  "18446744073709551615"));
    assert_false(P(f, "byte_test:20,>=,0,0,string,dec;", "18446744073709551616"));  /* overflow */
    assert_false(P(f, "byte_test:23,>=,0,0,string,dec;", "99999999999999999999999"));
    assert_true(P(f, "byte_test:2,=,18446744073709551615,0,string,dec;", "-1"));   /* strtoull */
    assert_true(P(f, "content:\"len=\"; byte_test:3,>,99,0,relative,string,dec;", "len=150"));
}

static void byte_jump_options(void **state)
{
    struct fx *f = *state;
    const char *rel = "content:\"Z\"; distance:0; within:1;";
    char o[256];
#define J(opts) (snprintf(o, sizeof(o), "%s %s", opts, rel), o)
    assert_true(PB(f, J("byte_jump:1,0;"), "\x03" "abcZ"));
    assert_false(PB(f, J("byte_jump:1,0;"), "\x02" "abcZ"));
    assert_true(PB(f, J("content:\"L\"; byte_jump:1,0,relative;"), "L\x02" "abZ"));
    assert_true(PB(f, J("byte_jump:1,1,from_beginning;"), "x\x04" "abZ"));
    assert_true(P(f, J("byte_jump:0,0,from_end,post_offset -1;"), "xxxxZ"));
    assert_true(PB(f, J("byte_jump:1,0,multiplier 2;"), "\x02" "abcdZ"));
    assert_true(PB(f, J("byte_jump:1,0,align;"), "\x02" "abcdZ"));      /* 2 -> 4 */
    assert_true(PB(f, J("byte_jump:1,0,post_offset 2;"), "\x01" "abcZ"));
    assert_true(PB(f, J("byte_jump:2,0,little;"), "\x02\x00" "abZ"));
    assert_true(PB(f, J("byte_jump:1,0,bitmask 0x0f,multiplier 2;"), "\xf2" "abcdZ"));
    assert_true(P(f, J("byte_jump:2,0,string,dec;"), "05abcdeZ"));
    assert_true(P(f, J("byte_jump:3,0,string,dec;"), "5abcdeZ"));       /* after its digit */
    assert_true(P(f, J("byte_jump:0,0,string,dec;"), "12abcdefghijklZ"));  /* all its digits */
    /* the end itself is a place to jump to; past it is not */
    assert_true(PB(f, "byte_jump:1,0; isdataat:!1,relative;", "\x02" "ab"));
    assert_false(PB(f, "byte_jump:1,0;", "\x03" "ab"));
    assert_false(PB(f, "byte_jump:8,0;", "\x00\x00\x00\x01\x00\x00\x00\x00" "ab"));
    assert_false(PB(f, "byte_jump:1,0,post_offset 65535;", "\x00" "ab"));
    assert_false(PB(f, "byte_jump:2,0;", "\x01"));
    /* before the start: stops at the start (Suricata 7) */
    assert_true(P(f, "content:\"b\"; byte_jump:0,0,relative,post_offset -10; "
                     "content:\"a\"; distance:0; within:1;", "ab"));
    /* a huge value wrapping to a negative jump also stops at the start */
    assert_true(PB(f, "byte_jump:8,0,from_end; content:\"\xff\"; within:1;",
                   "\xff\xff\xff\xff\xff\xff\xff\xff"));
    /* a relative jump retries the content before it */
    assert_true(PB(f, J("content:\"L\"; byte_jump:1,0,relative;"), "L\x05" "L\x00" "Z"));
#undef J
}

static void byte_extract_variables(void **state)
{
    struct fx *f = *state;
    assert_true(PB(f, "byte_extract:1,0,len; content:\"hello\"; distance:0; within:len;",
                   "\x05" "hello"));
    assert_false(PB(f, "byte_extract:1,0,len; content:\"hello\"; distance:0; within:len;",
                    "\x04" "hello"));
    assert_true(PB(f, "byte_extract:1,0,v; byte_test:1,=,v,1;", "\x07\x07"));
    assert_false(PB(f, "byte_extract:1,0,v; byte_test:1,=,v,1;", "\x07\x08"));
    assert_true(PB(f, "byte_extract:1,0,o; byte_test:1,=,0x41,o;", "\x02" "xA"));
    assert_true(PB(f, "byte_extract:1,0,n; byte_test:n,=,0x4142,1;", "\x02" "AB"));
    assert_false(PB(f, "byte_extract:1,0,n; byte_test:n,>=,0,1;", "\x09" "ABCDEFGHIJ"));
    /* content offset/depth from variables: the window is [offset, offset + depth) */
    const char *od = "byte_extract:1,0,o,string,dec; content:\"AB\"; offset:o; depth:2;";
    assert_true(P(f, od, "3xxABx"));
    assert_false(P(f, od, "2xxABx"));
    assert_true(P(f, "byte_extract:1,0,d,string,dec; content:\"AB\"; depth:d;", "4xAB"));
    assert_false(P(f, "byte_extract:1,0,d,string,dec; content:\"AB\"; depth:d;", "3xAB"));
    assert_true(P(f, "byte_extract:1,0,d,string,dec; content:\"AB\"; offset:1; depth:d;",
                  "3xAB"));
    assert_true(P(f, "content:\"A\"; byte_extract:1,0,d,relative,string,dec; "
                     "content:\"B\"; distance:d; within:1;", "A2xxB"));
    assert_false(P(f, "content:\"A\"; byte_extract:1,0,d,relative,string,dec; "
                      "content:\"B\"; distance:d; within:1;", "A3xxB"));
    /* isdataat from a variable */
    assert_true(PB(f, "byte_extract:1,0,n; isdataat:n;", "\x03" "abc"));
    assert_false(PB(f, "byte_extract:1,0,n; isdataat:n;", "\x04" "abc"));
    assert_true(PB(f, "byte_extract:1,0,n; isdataat:n,relative;", "\x03" "abc"));
    assert_false(PB(f, "byte_extract:1,0,n; isdataat:n,relative;", "\x04" "abc"));
    assert_true(PB(f, "byte_extract:1,0,n; isdataat:!n,relative;", "\x04" "abc"));
    assert_false(PB(f, "byte_extract:4,0,n; isdataat:n;", "\xff\xff\xff\xff"));
    assert_true(PB(f, "byte_extract:4,0,n; isdataat:!n;", "\xff\xff\xff\xff"));
    /* multiplier, align, endianness, strings, the position after it */
    assert_true(PB(f, "byte_extract:1,0,v,multiplier 3,align 4; byte_test:1,=,v,1;", "\x01\x04"));
    assert_true(PB(f, "byte_extract:1,0,v,align 2; byte_test:1,=,v,1;", "\x03\x04"));
    assert_true(PB(f, "byte_extract:2,0,v,little; byte_test:1,=,v,2;", "\x05\x00\x05"));
    assert_true(P(f, "byte_extract:3,0,v,string,hex; byte_test:1,=,v,3;", "03a:"));   /* 0x3a */
    assert_true(PB(f, "content:\"A\"; byte_extract:1,0,v,relative; content:\"B\"; distance:0; "
                      "within:1;", "A\x05" "B"));
    assert_true(P(f, "byte_extract:4,0,v,string,dec; content:\"x\"; distance:0; within:1;",
                  "12x4"));                                 /* moves past "12" only */
    assert_false(PB(f, "byte_extract:2,0,v;", "\x01"));
    assert_false(PB(f, "byte_extract:1,1,v;", "\x01"));
}

static void byte_math_opers(void **state)
{
    struct fx *f = *state;
    const char *t = "byte_test:1,=,r,1;";
    char o[256];
#define M(args) (snprintf(o, sizeof(o), "byte_math:bytes 1,offset 0,%s,result r; %s", args, t), o)
    assert_true(PB(f, M("oper +,rvalue 5"), "\x02\x07"));
    assert_false(PB(f, M("oper +,rvalue 5"), "\x02\x08"));
    assert_true(PB(f, M("oper -,rvalue 7"), "\x09\x02"));
    assert_true(PB(f, M("oper *,rvalue 4"), "\x03\x0c"));
    assert_true(PB(f, M("oper /,rvalue 4"), "\x0c\x03"));
    assert_true(PB(f, M("oper <<,rvalue 2"), "\x03\x0c"));
    assert_true(PB(f, M("oper >>,rvalue 2"), "\x0c\x03"));
    assert_true(PB(f, M("oper <<,rvalue 64"), "\x01\x00"));       /* shifted out: 0 */
    assert_true(PB(f, M("oper >>,rvalue 4294967295"), "\xff\x00"));
    assert_true(PB(f, M("oper +,rvalue 0,bitmask 0xf0"), "\x35\x03"));
    assert_true(PB(f, M("oper +,rvalue 0,bitmask f0"), "\x35\x03"));
    assert_false(PB(f, M("oper -,rvalue 3"), "\x02\xff"));     /* wraps to 2^64 - 1 */
    assert_true(PB(f, "byte_math:bytes 1,offset 0,oper -,rvalue 3,result r; "
                      "byte_test:8,=,r,1;", "\x02\xff\xff\xff\xff\xff\xff\xff\xff"));
#undef M
    /* division by zero never matches */
    assert_false(PB(f, "byte_extract:1,1,z; byte_math:bytes 1,offset 0,oper /,rvalue z,result r;",
                    "\x05\x00"));
    assert_true(PB(f, "byte_extract:1,1,z; byte_math:bytes 1,offset 0,oper /,rvalue z,result r;",
                   "\x05\x01"));
    /* strings, variable bytes, endianness, relative (it moves past the number) */
    assert_true(P(f, "byte_math:bytes 2,offset 0,oper +,rvalue 1,result r,string dec; "
                     "byte_test:1,=,r,2;", "41*"));
    assert_true(PB(f, "byte_extract:1,0,n; byte_math:bytes n,offset 1,oper +,rvalue 0,result r; "
                      "byte_test:2,=,r,1;", "\x02\x01\x02"));
    assert_false(PB(f, "byte_extract:1,0,n; byte_math:bytes n,offset 1,oper +,rvalue 0,result r;",
                    "\x0b" "0123456789ab"));                 /* 11: too many */
    assert_true(PB(f, "byte_math:bytes 2,offset 0,oper +,rvalue 0,result r,endian little; "
                      "byte_test:2,=,r,0,little;", "\x01\x02"));
    assert_true(PB(f, "content:\"A\"; byte_math:bytes 1,offset 0,oper +,rvalue 0,result r,"
                      "relative; content:\"B\"; distance:0; within:1;", "A\x01" "B"));
    assert_true(PB(f, "byte_extract:1,0,o; byte_math:bytes 1,offset o,oper +,rvalue 1,result r; "
                      "byte_test:1,=,r,0;", "\x01\x00"));
    /* 9 and 10 bytes load but cannot be read as a number (Suricata) */
    assert_false(PB(f, "byte_math:bytes 9,offset 0,oper +,rvalue 0,result r;",
                    "\x01\x01\x01\x01\x01\x01\x01\x01\x01"));
    assert_false(PB(f, "byte_math:bytes 1,offset 1,oper +,rvalue 0,result r;", "\x01"));
}

/* Variables belong to the rule: a later list reads what an earlier one set. */
static void byte_variables_across_lists(void **state)
{
    struct fx *f = *state;
    const struct rule *r = R(f, "alert http any any -> any any (http.uri; byte_extract:1,1,v; "
                                "http.header; byte_test:1,=,v,0; sid:1;)");
    struct rule_match_input in;
    input(&in);
    put(f, &in, RULE_BUF_HTTP_URI, "/A", 2);
    put(f, &in, RULE_BUF_HTTP_HEADER, "A", 1);
    assert_true(rule_match(f->ctx, r, &in));
    put(f, &in, RULE_BUF_HTTP_HEADER, "B", 1);
    assert_false(rule_match(f->ctx, r, &in));
    drop_copies(f);
    /* the header buffers, ipv4.hdr before tcp.hdr */
    r = R(f, "alert tcp any any -> any any (ipv4.hdr; byte_math:bytes 1,offset 9,oper +,"
             "rvalue 74,result p; tcp.hdr; byte_test:2,=,p,2; sid:1;)");
    input(&in);
    put(f, &in, RULE_BUF_IPV4_HDR, "\x45\x00\x00\x28\x00\x00\x40\x00\x40\x06\x00\x00"
                                   "\x0a\x00\x00\x01\x0a\x00\x00\x02", 20);
    put(f, &in, RULE_BUF_TCP_HDR, "\x9c\x40\x00\x50\x00\x00\x00\x01\x00\x00\x00\x00"
                                  "\x50\x02\x72\x10\x00\x00\x00\x00", 20);
    assert_true(rule_match(f->ctx, r, &in));                /* 6 + 74 = 80 */
    in.buf[RULE_BUF_IPV4_HDR].p = NULL;                     /* an IPv6 packet */
    assert_false(rule_match(f->ctx, r, &in));
    drop_copies(f);
}

static void header_buffers(void **state)
{
    struct fx *f = *state;
    static const char tcph[] = "\x9c\x40\x00\x50\x00\x00\x00\x01\x00\x00\x00\x00"
                               "\x50\x02\x72\x10\x00\x00\x00\x00";
    const char *o = "alert tcp any any -> any any (tcp.hdr; content:\"|00 50|\"; offset:2; "
                    "depth:2; byte_test:1,&,0x02,13; sid:1;)";
    const struct rule *r = R(f, o);
    assert_true(r->pkt_hdr);
    struct rule_match_input in;
    input(&in);
    put(f, &in, RULE_BUF_TCP_HDR, tcph, sizeof(tcph) - 1);
    assert_true(rule_match(f->ctx, r, &in));
    in.buf[RULE_BUF_TCP_HDR].len = 13;                      /* the flags byte cut off */
    assert_false(rule_match(f->ctx, r, &in));
    drop_copies(f);
    assert_true(BB(f, "alert udp any any -> any any (udp.hdr; content:\"|00 35|\"; offset:2; "
                      "depth:2; bsize:8; sid:1;)", RULE_BUF_UDP_HDR,
                   "\x04\x57\x00\x35\x00\x09\x00\x00"));
    assert_true(BB(f, "alert icmp any any -> any any (icmpv4.hdr; content:\"|08 00|\"; "
                      "startswith; sid:1;)", RULE_BUF_ICMPV4_HDR,
                   "\x08\x00\x00\x00\x00\x01\x00\x01"));
    assert_true(BB(f, "alert icmp any any -> any any (icmpv6.hdr; byte_test:1,=,128,0; sid:1;)",
                   RULE_BUF_ICMPV6_HDR, "\x80\x00\x00\x00\x00\x01\x00\x01"));
    assert_true(BB(f, "alert ip any any -> any any (ipv6.hdr; byte_test:1,=,58,6; sid:1;)",
                   RULE_BUF_IPV6_HDR, "\x60\x00\x00\x00\x00\x08\x3a\x40"));
    assert_false(B(f, "alert ip any any -> any any (ipv4.hdr; content:\"E\"; sid:1;)",
                   RULE_BUF_IPV6_HDR, "E"));                  /* the other buffer absent */
}

/* ---- transforms ---- */

static void transforms_each(void **state)
{
    struct fx *f = *state;
    const char *hdr = "alert http any any -> any any (";
    char o[512];
#define X(opts) (snprintf(o, sizeof(o), "%s%s sid:1;)", hdr, opts), o)
#define U(opts, data) B(f, X(opts), RULE_BUF_HTTP_URI, data)
    assert_true(U("http.uri; to_lowercase; content:\"/admin\";", "/ADMIN"));
    assert_false(U("http.uri; to_lowercase; content:\"/admin\";", "/other"));
    assert_true(U("http.uri; to_uppercase; content:\"/ADMIN\"; bsize:6;", "/aDmIn"));
    assert_true(U("http.uri; strip_whitespace; content:\"abc\"; bsize:3;", " a b\t\r\n\fc "));
    assert_true(U("http.uri; strip_whitespace; content:\"a|0b|b\";", "a \x0b b"));  /* \v stays */
    assert_true(U("http.uri; compress_whitespace; content:\"a b\"; bsize:3;", "a \t b"));
    assert_true(U("http.uri; compress_whitespace; content:\"a|0b|b\"; bsize:3;", "a\x0b\x0b b"));
    assert_true(U("http.uri; url_decode; content:\"A+ b%ZZ\"; bsize:7;", "%41%2b+b%ZZ"));
    assert_true(U("http.uri; url_decode; content:\"%%41\"; bsize:4;", "%%41"));
    assert_true(U("http.uri; url_decode; content:\"%+%4\"; bsize:4;", "%+%4"));
    assert_true(U("http.uri; url_decode; content:\"%4z\"; bsize:3;", "%4z"));
    assert_true(U("http.uri; xor:\"01\"; content:\"`c\"; bsize:2;", "ab"));
    assert_true(U("http.uri; xor:0102; content:\"`c`\"; bsize:3;", "aaa"));
    assert_true(U("http.uri; to_md5; content:\"|90 01 50 98 3c d2 4f b0 d6 96 3f 7d 28 e1 7f 72|\"; "
                  "bsize:16;", "abc"));
    assert_true(U("http.uri; to_sha1; content:\"|a9 99 3e 36 47 06 81 6a ba 3e 25 71 78 50 c2 6c "
                  "9c d0 d8 9d|\"; bsize:20;", "abc"));
    assert_true(U("http.uri; to_sha256; content:\"|ba 78 16 bf 8f 01 cf ea 41 41 40 de 5d ae 22 23 "
                  "b0 03 61 a3 96 17 7a 9c b4 10 ff 61 f2 00 15 ad|\"; bsize:32;", "abc"));
    assert_true(U("http.uri; to_md5; bsize:0;", ""));     /* an empty buffer stays empty */
    assert_true(B(f, X("http.header; header_lowercase; content:\"user-agent: Mozilla|0d 0a|host: X\";"),
                  RULE_BUF_HTTP_HEADER, "User-Agent: Mozilla\r\nHOST: X\r\n"));
    assert_false(B(f, X("http.header; header_lowercase; content:\"mozilla\";"),
                   RULE_BUF_HTTP_HEADER, "User-Agent: Mozilla\r\n"));
    assert_true(B(f, X("http.header; strip_pseudo_headers; content:\"host: x|0d 0a|\"; "
                       "startswith; bsize:9;"),
                  RULE_BUF_HTTP_HEADER, ":method: GET\r\nhost: x\r\n:path: /\n"));
    /* pcrexform: the first capture, the whole match without one, no match fails */
    assert_true(U("http.uri; pcrexform:\"id=([0-9]+)\"; content:\"42\"; bsize:2;", "/x?id=42&y"));
    assert_false(U("http.uri; pcrexform:\"id=([0-9]+)\"; content:\"42\";", "/x?no=42"));
    assert_true(U("http.uri; pcrexform:\"[0-9]+\"; content:\"42\"; bsize:2;", "/x?id=42&y"));
    assert_false(U("http.uri; pcrexform:\"id=([0-9]+)?x\"; bsize:0;", "id=x"));  /* unset capture */
    assert_true(U("http.uri; pcrexform:\"id=([0-9]*)x\"; bsize:0;", "id=x"));    /* empty capture */
    /* chains run in order; urilen sees the URI as it came */
    assert_true(U("http.uri; pcrexform:\"u=([a-z]+)\"; to_uppercase; content:\"BOB\"; bsize:3;",
                  "/?u=bob"));
    assert_true(U("http.uri; url_decode; to_lowercase; content:\"a b\"; bsize:3;", "A%20B"));
    assert_true(U("http.uri; dotprefix; dotprefix; content:\"..x\"; bsize:3;", "x"));
    assert_true(U("urilen:7; http.uri; url_decode; bsize:5;", "A%20B%3"));
#undef U
#undef X
}

static void transforms_bounded(void **state)
{
    struct fx *f = *state;
    /* a buffer larger than the scratch does not match, whatever it holds */
    size_t n = RULE_MATCH_XFORM_MAX + 1;
    char *big = malloc(n);
    memset(big, 'A', n);
    const struct rule *r = R(f, "alert http any any -> any any (http.uri; to_lowercase; "
                                "content:\"aaa\"; sid:1;)");
    struct rule_match_input in;
    input(&in);
    put(f, &in, RULE_BUF_HTTP_URI, big, n);
    assert_false(rule_match(f->ctx, r, &in));
    put(f, &in, RULE_BUF_HTTP_URI, big, n - 1);
    assert_true(rule_match(f->ctx, r, &in));
    /* dotprefix on a full scratch: the result does not fit */
    r = R(f, "alert http any any -> any any (http.uri; dotprefix; content:\".A\"; sid:1;)");
    assert_false(rule_match(f->ctx, r, &in));
    put(f, &in, RULE_BUF_HTTP_URI, big, n - 2);
    assert_true(rule_match(f->ctx, r, &in));
    drop_copies(f);
    free(big);
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
        cmocka_unit_test_setup_teardown(byte_test_ops, setup, teardown),
        cmocka_unit_test_setup_teardown(byte_test_strings, setup, teardown),
        cmocka_unit_test_setup_teardown(byte_jump_options, setup, teardown),
        cmocka_unit_test_setup_teardown(byte_extract_variables, setup, teardown),
        cmocka_unit_test_setup_teardown(byte_math_opers, setup, teardown),
        cmocka_unit_test_setup_teardown(byte_variables_across_lists, setup, teardown),
        cmocka_unit_test_setup_teardown(header_buffers, setup, teardown),
        cmocka_unit_test_setup_teardown(transforms_each, setup, teardown),
        cmocka_unit_test_setup_teardown(transforms_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(flow_state, setup, teardown),
        cmocka_unit_test_setup_teardown(flowbits_actions, setup, teardown),
        cmocka_unit_test_setup_teardown(buffers_missing, setup, teardown),
        cmocka_unit_test_setup_teardown(header_matching, setup, teardown),
        cmocka_unit_test_setup_teardown(hostile_buffer_is_bounded, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
