/* tests/test_rules.c: the rule parser (engine/rules.h).
 *
 * Each test loads a few rules from text and reads back what the parser
 * made: the header (actions, protocols, address and port sets with
 * variables, lists, ranges and negations), every option keyword, content
 * encoding and modifiers, sticky buffers and their legacy forms, pcre
 * flags, the byte keywords and their variables, the transforms and the
 * fast pattern of a transformed buffer, the header buffers, flowbits,
 * threshold, classification, multi-line rules and comments, and rules that
 * must be skipped with the right reason and message.  The last test loads ET Open from ../shared/rules/et-open when
 * it is there, prints the acceptance rate, load time and the top skip
 * reasons, and requires 90 %. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <arpa/inet.h>
#include <glob.h>
#include <time.h>

#include <cmocka.h>

#include "tests/test_util.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "engine/rule_match.h"
#include "engine/rules.h"

#define ET_DIR "../shared/rules/et-open"

static struct rule_set *load(const char *text)
{
    char err[NS_ERRBUF_SIZE];
    struct rule_set *rs = rule_set_create(NULL, err);
    assert_non_null(rs);
    assert_int_equal(rule_set_load_text(rs, "t.rules", text, strlen(text), err), NS_OK);
    return rs;
}

/* exactly one rule loads; returns it */
static const struct rule *one(struct rule_set *rs)
{
    if (rule_set_count(rs) != 1 && rule_set_skip_count(rs) > 0)
        fprintf(stderr, "skip: %s\n", rule_set_skip(rs, 0)->msg);
    assert_int_equal(rule_set_count(rs), 1);
    return rule_set_rule(rs, 0);
}

/* the rule is skipped; returns the message */
static const struct rule_skip *skipped(struct rule_set *rs)
{
    assert_int_equal(rule_set_count(rs), 0);
    assert_int_equal(rule_set_skip_count(rs), 1);
    return rule_set_skip(rs, 0);
}

static void expect_skip(const char *text, enum rule_skip_reason reason, const char *keyword,
                        const char *needle)
{
    struct rule_set *rs = load(text);
    if (rule_set_count(rs) != 0)
        fprintf(stderr, "loaded, not skipped: %s\n", text);
    const struct rule_skip *s = skipped(rs);
    if (s->reason != reason || strcmp(s->keyword, keyword) != 0 ||
        (needle && !strstr(s->msg, needle)))
        fprintf(stderr, "rule: %s\nmsg: %s\n", text, s->msg);
    assert_int_equal(s->reason, reason);
    assert_string_equal(s->keyword, keyword);
    if (needle)
        assert_non_null(strstr(s->msg, needle));
    rule_set_destroy(rs);
}

static void v4(uint8_t out[16], const char *s)
{
    unsigned a, b, c, d;
    assert_int_equal(sscanf(s, "%u.%u.%u.%u", &a, &b, &c, &d), 4);
    rule_addr_from_v4(out, a << 24 | b << 16 | c << 8 | d);
}

static bool addr_has(const struct rule_addr *a, const char *ip)
{
    uint8_t k[16];
    v4(k, ip);
    return rule_addr_match(a, k);
}

static int inet_pton_wrap(const char *s, uint8_t out[16])
{
    return inet_pton(AF_INET6, s, out);
}

static bool addr_has6(const struct rule_addr *a, const char *ip)
{
    uint8_t k[16];
    assert_int_equal(inet_pton_wrap(ip, k), 1);
    return rule_addr_match(a, k);
}

static const struct rule_list *list_of(const struct rule *r, enum rule_buf b)
{
    for (uint32_t i = 0; i < r->nlists; i++)
        if (r->lists[i].buf == b)
            return &r->lists[i];
    return NULL;
}

/* ---- header ---- */

static void header_basic(void **state)
{
    (void)state;
    struct rule_set *rs = load("alert tcp 1.2.3.4 any -> any 80 (msg:\"m\"; sid:7; rev:3;)\n");
    const struct rule *r = one(rs);
    assert_int_equal(r->action, RULE_ACTION_ALERT);
    assert_string_equal(r->action_name, "alert");
    assert_string_equal(r->proto, "tcp");
    assert_null(r->app_proto);
    assert_int_equal(r->l4, RULE_L4_TCP);
    assert_int_equal(r->sid, 7);
    assert_int_equal(r->rev, 3);
    assert_int_equal(r->gid, 1);
    assert_int_equal(r->priority, 3);
    assert_string_equal(r->msg, "m");
    assert_false(r->src.any);
    assert_true(addr_has(&r->src, "1.2.3.4"));
    assert_false(addr_has(&r->src, "1.2.3.5"));
    assert_true(r->dst.any);
    assert_true(r->sport.any);
    assert_true(rule_ports_match(&r->dport, 80));
    assert_false(rule_ports_match(&r->dport, 81));
    assert_false(r->bidirectional);
    assert_int_equal(r->line, 1);
    assert_string_equal(r->file, "t.rules");
    rule_set_destroy(rs);
}

static void header_actions_protocols(void **state)
{
    (void)state;
    static const char *acts[] = { "pass", "drop", "reject", "rejectsrc", "rejectdst", "rejectboth" };
    for (size_t i = 0; i < NS_ARRAY_LEN(acts); i++) {
        char text[256];
        snprintf(text, sizeof(text), "%s ip any any <> any any (sid:1;)", acts[i]);
        struct rule_set *rs = load(text);
        const struct rule *r = one(rs);
        assert_string_equal(r->action_name, acts[i]);
        assert_int_equal(r->action, (enum rule_action)(i + 1));
        assert_true(r->bidirectional);
        assert_int_equal(r->l4, RULE_L4_ANY);
        rule_set_destroy(rs);
    }
    static const struct { const char *p, *app; uint8_t l4; } protos[] = {
        { "http", "http", RULE_L4_TCP }, { "dns", "dns", RULE_L4_TCP | RULE_L4_UDP },
        { "tls", "tls", RULE_L4_TCP }, { "smtp", "smtp", RULE_L4_TCP },
        { "ftp", "ftp", RULE_L4_TCP }, { "ssh", "ssh", RULE_L4_TCP },
        { "dhcp", "dhcp", RULE_L4_UDP }, { "udp", NULL, RULE_L4_UDP },
        { "icmp", NULL, RULE_L4_ICMP }, { "tcp-pkt", NULL, RULE_L4_TCP },
        { "smb", "smb", RULE_L4_TCP }, { "HTTP", "http", RULE_L4_TCP },
    };
    for (size_t i = 0; i < NS_ARRAY_LEN(protos); i++) {
        char text[256];
        snprintf(text, sizeof(text), "alert %s any any -> any any (sid:1;)", protos[i].p);
        struct rule_set *rs = load(text);
        const struct rule *r = one(rs);
        if (protos[i].app)
            assert_string_equal(r->app_proto, protos[i].app);
        else
            assert_null(r->app_proto);
        assert_int_equal(r->l4, protos[i].l4);
        rule_set_destroy(rs);
    }
    expect_skip("alert foo any any -> any any (sid:1;)", RULE_SKIP_UNSUPPORTED_PROTO, "foo",
                "t.rules:1: sid 1: unsupported protocol foo");
    expect_skip("alarm tcp any any -> any any (sid:1;)", RULE_SKIP_BAD_HEADER, "action",
                "unknown action 'alarm'");
    expect_skip("alert tcp any any <- any any (sid:1;)", RULE_SKIP_BAD_HEADER, "direction", NULL);
    expect_skip("alert tcp any any -> any (sid:1;)", RULE_SKIP_BAD_HEADER, "", "7 fields");
}

static void header_variables(void **state)
{
    (void)state;
    struct rule_set *rs = load("alert tcp $HOME_NET any -> $EXTERNAL_NET $HTTP_PORTS (sid:1;)");
    const struct rule *r = one(rs);
    assert_true(addr_has(&r->src, "192.168.1.1"));
    assert_true(addr_has(&r->src, "10.255.0.1"));
    assert_true(addr_has(&r->src, "172.31.255.255"));
    assert_false(addr_has(&r->src, "172.32.0.0"));
    assert_false(addr_has(&r->src, "8.8.8.8"));
    assert_false(addr_has(&r->dst, "192.168.1.1"));
    assert_true(addr_has(&r->dst, "8.8.8.8"));
    assert_true(addr_has6(&r->dst, "2001:db8::1"));     /* !IPv4 set keeps IPv6 */
    assert_false(addr_has6(&r->src, "2001:db8::1"));
    assert_true(rule_ports_match(&r->dport, 80));
    assert_false(rule_ports_match(&r->dport, 8080));
    rule_set_destroy(rs);

    /* caller's table: overrides, and a variable the rules cannot know */
    char err[NS_ERRBUF_SIZE];
    struct rule_vars *v = rule_vars_create(err);
    assert_non_null(v);
    assert_string_equal(rule_vars_get(v, "SHELLCODE_PORTS", true), "!80");
    assert_string_equal(rule_vars_get(v, "FILE_DATA_PORTS", true), "[$HTTP_PORTS,110,143]");
    assert_null(rule_vars_get(v, "HOME_NET", true));
    assert_int_equal(rule_vars_set(v, "HOME_NET", "[2001:db8::/32,198.51.100.0/24]", false, err), NS_OK);
    assert_int_equal(rule_vars_set(v, "$HTTP_PORTS", "[80,8080:8088]", true, err), NS_OK);
    rs = rule_set_create(v, err);
    assert_non_null(rs);
    const char *text = "alert tcp $HOME_NET any -> !$HOME_NET $FILE_DATA_PORTS (sid:1;)\n"
                       "alert tcp $NOPE any -> any any (sid:2;)\n"
                       "alert tcp any $SHELLCODE_PORTS -> any ![$HTTP_PORTS,443] (sid:3;)\n";
    assert_int_equal(rule_set_load_text(rs, "v.rules", text, strlen(text), err), NS_OK);
    assert_int_equal(rule_set_count(rs), 2);
    r = rule_set_rule(rs, 0);
    assert_true(addr_has(&r->src, "198.51.100.7"));
    assert_true(addr_has6(&r->src, "2001:db8:1::5"));
    assert_false(addr_has(&r->src, "10.0.0.1"));
    assert_true(addr_has(&r->dst, "10.0.0.1"));
    assert_true(rule_ports_match(&r->dport, 8085));
    assert_true(rule_ports_match(&r->dport, 143));
    assert_false(rule_ports_match(&r->dport, 443));
    r = rule_set_rule(rs, 1);
    assert_int_equal(r->sid, 3);
    assert_false(rule_ports_match(&r->sport, 80));
    assert_true(rule_ports_match(&r->sport, 81));
    assert_false(rule_ports_match(&r->dport, 8084));
    assert_false(rule_ports_match(&r->dport, 443));
    assert_true(rule_ports_match(&r->dport, 0));
    assert_true(rule_ports_match(&r->dport, 65535));
    assert_non_null(strstr(rule_set_skip(rs, 0)->msg, "v.rules:2: sid 2: bad header address: "
                                                       "unknown address variable $NOPE"));
    rule_set_destroy(rs);
    rule_vars_destroy(v);

    /* a variable that refers to itself ends, as an error */
    v = rule_vars_create(err);
    assert_int_equal(rule_vars_set(v, "LOOP", "[$LOOP,1.2.3.4]", false, err), NS_OK);
    rs = rule_set_create(v, err);
    text = "alert tcp $LOOP any -> any any (sid:1;)";
    assert_int_equal(rule_set_load_text(rs, "v.rules", text, strlen(text), err), NS_OK);
    assert_non_null(strstr(skipped(rs)->msg, "nested too deep"));
    rule_set_destroy(rs);
    rule_vars_destroy(v);
}

static void header_lists(void **state)
{
    (void)state;
    struct rule_set *rs = load(
        "alert ip [10.0.0.0/8,![10.1.0.0/16,!10.1.2.0/24],192.0.2.1-192.0.2.9] any -> "
        "[!192.168.0.0/255.255.0.0] [1024:,!8080,:22] (sid:1;)");
    const struct rule *r = one(rs);
    assert_true(addr_has(&r->src, "10.2.3.4"));
    assert_false(addr_has(&r->src, "10.1.3.4"));
    assert_true(addr_has(&r->src, "10.1.2.4"));       /* negation of a negation */
    assert_true(addr_has(&r->src, "192.0.2.9"));
    assert_false(addr_has(&r->src, "192.0.2.10"));
    assert_false(addr_has(&r->dst, "192.168.3.3"));
    assert_true(addr_has(&r->dst, "192.169.0.0"));
    assert_true(rule_ports_match(&r->dport, 22));
    assert_true(rule_ports_match(&r->dport, 0));
    assert_false(rule_ports_match(&r->dport, 23));
    assert_false(rule_ports_match(&r->dport, 8080));
    assert_true(rule_ports_match(&r->dport, 8081));
    assert_true(rule_ports_match(&r->dport, 65535));
    rule_set_destroy(rs);

    rs = load("alert tcp [2001:db8::/32, !2001:db8:ffff::/48] any -> any [ 80 , 443 ] (sid:1;)");
    r = one(rs);
    assert_true(addr_has6(&r->src, "2001:db8::1"));
    assert_false(addr_has6(&r->src, "2001:db8:ffff::1"));
    assert_false(addr_has(&r->src, "1.2.3.4"));
    assert_int_equal(r->dport.n, 2);
    rule_set_destroy(rs);

    expect_skip("alert tcp !any any -> any any (sid:1;)", RULE_SKIP_BAD_HEADER, "address", "empty");
    expect_skip("alert tcp [1.2.3.4,!1.2.3.4] any -> any any (sid:1;)", RULE_SKIP_BAD_HEADER,
                "address", "empty");
    expect_skip("alert tcp 1.2.3.256 any -> any any (sid:1;)", RULE_SKIP_BAD_HEADER, "address",
                "bad address '1.2.3.256'");
    expect_skip("alert tcp 1.2.3.4/33 any -> any any (sid:1;)", RULE_SKIP_BAD_HEADER, "address", NULL);
    expect_skip("alert tcp [1.2.3.4 any -> any any (sid:1;)", RULE_SKIP_BAD_HEADER, "", NULL);
    expect_skip("alert tcp any 70000 -> any any (sid:1;)", RULE_SKIP_BAD_HEADER, "port", "70000");
    expect_skip("alert tcp any 90:80 -> any any (sid:1;)", RULE_SKIP_BAD_HEADER, "port", NULL);
    expect_skip("alert tcp any [80,!80] -> any any (sid:1;)", RULE_SKIP_BAD_HEADER, "port", "empty");
}

/* ---- meta keywords ---- */

static void meta_keywords(void **state)
{
    (void)state;
    char err[NS_ERRBUF_SIZE];
    struct rule_set *rs = rule_set_create(NULL, err);
    const char *cls = "# comment\nconfig classification: trojan-activity,A Network Trojan was detected, 1\n"
                      "config classification: misc-activity,Misc activity,3\n";
    assert_int_equal(rule_set_load_classification_text(rs, cls, strlen(cls), err), NS_OK);
    const char *text =
        "alert tcp any any -> any any (msg:\"semi\\; quote \\\" back\\\\slash\"; sid:10; rev:2; "
        "gid:3; classtype:trojan-activity; reference:url,example.com/a; reference:cve,2020-1234; "
        "metadata:created_at 2020_01_01, former_category MALWARE ,signature_severity Major; "
        "target:dest_ip;)\n"
        "alert tcp any any -> any any (msg:\"p\"; classtype:misc-activity; priority:1; sid:11;)\n"
        "alert tcp any any -> any any (msg:\"x\"; classtype:no-such-class; sid:12;)\n";
    assert_int_equal(rule_set_load_text(rs, "m.rules", text, strlen(text), err), NS_OK);
    assert_int_equal(rule_set_count(rs), 2);
    const struct rule *r = rule_set_find(rs, 3, 10);
    assert_non_null(r);
    assert_string_equal(r->msg, "semi; quote \" back\\slash");
    assert_int_equal(r->rev, 2);
    assert_string_equal(r->classtype, "trojan-activity");
    assert_string_equal(r->class_desc, "A Network Trojan was detected");
    assert_int_equal(r->priority, 1);
    assert_int_equal(r->nrefs, 2);
    assert_string_equal(r->refs[0], "url,example.com/a");
    assert_string_equal(r->refs[1], "cve,2020-1234");
    assert_int_equal(r->nmeta, 3);
    assert_string_equal(r->meta[0], "created_at 2020_01_01");
    assert_string_equal(r->meta[1], "former_category MALWARE");
    assert_string_equal(r->meta[2], "signature_severity Major");
    assert_int_equal(r->target, 2);
    assert_null(rule_set_find(rs, 1, 10));
    r = rule_set_find(rs, 1, 11);
    assert_int_equal(r->priority, 1);                 /* priority beats the class */
    assert_string_equal(r->class_desc, "Misc activity");
    assert_non_null(strstr(rule_set_skip(rs, 0)->msg,
                           "m.rules:3: sid 12: bad value classtype: unknown classtype 'no-such-class'"));
    rule_set_destroy(rs);

    /* without a classification table a classtype is kept as a name */
    rs = load("alert tcp any any -> any any (classtype:whatever; sid:1;)");
    r = one(rs);
    assert_string_equal(r->classtype, "whatever");
    assert_null(r->class_desc);
    assert_int_equal(r->priority, 3);
    rule_set_destroy(rs);

    expect_skip("alert tcp any any -> any any (msg:\"x\";)", RULE_SKIP_MISSING_SID, "sid", NULL);
    expect_skip("alert tcp any any -> any any (sid:0;)", RULE_SKIP_BAD_VALUE, "sid", NULL);
    expect_skip("alert tcp any any -> any any (sid:12x;)", RULE_SKIP_BAD_VALUE, "sid", "12x");
    expect_skip("alert tcp any any -> any any (sid:1; priority:0;)", RULE_SKIP_BAD_VALUE,
                "priority", NULL);
    expect_skip("alert tcp any any -> any any (sid:1; msg:\"a\"b\";)", RULE_SKIP_BAD_VALUE, "msg", NULL);
    expect_skip("alert tcp any any -> any any (sid:1; reference:nocomma;)", RULE_SKIP_BAD_VALUE,
                "reference", NULL);
}

/* ---- content ---- */

static void content_encoding(void **state)
{
    (void)state;
    struct rule_set *rs = load(
        "alert tcp any any -> any any (content:\"|41 42|C|0d0A|\\;\\\"\\\\|3a|\"; "
        "content:!\"neg\"; content: ! \"sp\"; sid:1;)");
    const struct rule *r = one(rs);
    assert_int_equal(r->nlists, 1);
    const struct rule_list *l = &r->lists[0];
    assert_int_equal(l->buf, RULE_BUF_PAYLOAD);
    assert_int_equal(l->nitems, 3);
    const struct rule_content *c = &l->items[0].u.content;
    assert_int_equal(c->len, 9);
    assert_memory_equal(c->bytes, "ABC\r\n;\"\\:", 9);
    assert_true(l->items[1].u.content.flags & RULE_CONTENT_NEGATED);
    assert_memory_equal(l->items[1].u.content.bytes, "neg", 3);
    assert_true(l->items[2].u.content.flags & RULE_CONTENT_NEGATED);
    rule_set_destroy(rs);

    expect_skip("alert tcp any any -> any any (content:\"|4|\"; sid:1;)", RULE_SKIP_BAD_VALUE,
                "content", "odd number of hex digits");
    expect_skip("alert tcp any any -> any any (content:\"|4g|\"; sid:1;)", RULE_SKIP_BAD_VALUE,
                "content", "bad hex digit");
    expect_skip("alert tcp any any -> any any (content:\"|41\"; sid:1;)", RULE_SKIP_BAD_VALUE,
                "content", "unterminated");
    expect_skip("alert tcp any any -> any any (content:\"\"; sid:1;)", RULE_SKIP_BAD_VALUE,
                "content", "empty");
    expect_skip("alert tcp any any -> any any (content:\"abc; sid:1;)", RULE_SKIP_BAD_VALUE,
                "content", NULL);
}

static void content_modifiers(void **state)
{
    (void)state;
    struct rule_set *rs = load(
        "alert tcp any any -> any any (content:\"abc\"; nocase; depth:10; offset:2; "
        "content:\"de\"; distance:-1; within:5; content:\"f\"; offset:3; depth:4; "
        "content:\"gh\"; startswith; content:\"ij\"; endswith; rawbytes; "
        "content:\"kl\"; distance:0; sid:1;)");
    const struct rule *r = one(rs);
    const struct rule_item *it = r->lists[0].items;
    assert_int_equal(r->lists[0].nitems, 6);
    const struct rule_content *c = &it[0].u.content;
    assert_int_equal(c->flags & (RULE_CONTENT_NOCASE | RULE_CONTENT_DEPTH | RULE_CONTENT_OFFSET),
                     RULE_CONTENT_NOCASE | RULE_CONTENT_DEPTH | RULE_CONTENT_OFFSET);
    assert_int_equal(c->offset, 2);
    assert_int_equal(c->depth, 12);                   /* absolute end: offset + depth */
    assert_memory_equal(c->folded, "abc", 3);
    c = &it[1].u.content;
    assert_int_equal(c->distance, -1);
    assert_int_equal(c->within, 5);
    assert_true(it[0].u.content.flags & RULE_CONTENT_RETRY_NEXT);    /* "de" has within */
    c = &it[2].u.content;
    assert_int_equal(c->offset, 3);
    assert_int_equal(c->depth, 7);                    /* depth after offset */
    c = &it[3].u.content;
    assert_true(c->flags & RULE_CONTENT_STARTSWITH);
    assert_int_equal(c->depth, 2);
    assert_true(it[4].u.content.flags & RULE_CONTENT_ENDSWITH);
    assert_true(it[4].u.content.flags & RULE_CONTENT_RELATIVE_NEXT);  /* "kl" distance:0 */
    assert_false(it[4].u.content.flags & RULE_CONTENT_RETRY_NEXT);
    rule_set_destroy(rs);

    const char *pre = "alert tcp any any -> any any (";
    static const struct { const char *opts, *kw, *needle; } bad[] = {
        { "nocase; content:\"a\"; sid:1;", "nocase", "without a preceding content" },
        { "content:\"abc\"; depth:2; sid:1;", "depth", "shorter than content" },
        { "content:\"abc\"; within:2; sid:1;", "within", "shorter than content" },
        { "content:\"a\"; depth:3; distance:1; sid:1;", "distance", "mixed" },
        { "content:\"a\"; within:3; offset:1; sid:1;", "offset", "mixed" },
        { "content:\"a\"; depth:3; depth:4; sid:1;", "depth", "two depths" },
        { "content:\"a\"; nocase; nocase; sid:1;", "nocase", "twice" },
        { "content:\"a\"; startswith; offset:1; sid:1;", "offset", "startswith" },
        { "content:\"a\"; offset:1; startswith; sid:1;", "startswith", NULL },
        { "content:\"a\"; offset:x; sid:1;", "offset", "unknown variable 'x'" },
        { "content:\"a\"; fast_pattern; content:\"b\"; fast_pattern; sid:1;", "fast_pattern", "two" },
        { "content:\"a\"; fast_pattern:1,1; sid:1;", "fast_pattern", NULL },
        { "content:\"a\"; fast_pattern:bogus; sid:1;", "fast_pattern", NULL },
        { "content:!\"a\"; depth:3; fast_pattern; sid:1;", "fast_pattern", "negated" },
        { "content:\"ab\"; distance:1; fast_pattern:only; sid:1;", "fast_pattern", "only" },
        { "content:\"ab\"; fast_pattern:only; within:3; sid:1;", "within", "only" },
    };
    for (size_t i = 0; i < NS_ARRAY_LEN(bad); i++) {
        char text[512];
        snprintf(text, sizeof(text), "%s%s)", pre, bad[i].opts);
        expect_skip(text, RULE_SKIP_BAD_VALUE, bad[i].kw, bad[i].needle);
    }
}

/* ---- buffers ---- */

static void sticky_and_legacy_buffers(void **state)
{
    (void)state;
    struct rule_set *rs = load(
        "alert http any any -> any any (flow:established,to_server; "
        "content:\"p1\"; http.uri; content:\"/a\"; content:\"b\"; distance:0; within:4; "
        "http.host; content:\"x.test\"; pkt_data; content:\"p2\"; distance:0; "
        "content:\"GET\"; http_method; content:\"ck\"; http_cookie; content:\"c\"; http_uri; "
        "distance:1; file_data; content:\"body\"; dns_query; content:\"q\"; tls_sni; content:\"s\"; "
        "sid:1;)");
    const struct rule *r = NULL;
    /* dns_query and tls_sni conflict with http: skipped */
    assert_int_equal(rule_set_count(rs), 0);
    assert_non_null(strstr(rule_set_skip(rs, 0)->msg, "conflicts with protocol http"));
    rule_set_destroy(rs);

    rs = load(
        "alert tcp any any -> any any (flow:established,to_server; "
        "content:\"p1\"; http.uri; content:\"/a\"; content:\"b\"; distance:0; within:4; "
        "http.host; content:\"x.test\"; pkt_data; content:\"p2\"; distance:0; "
        "content:\"GET\"; http_method; content:\"ck\"; http_cookie; content:\"c\"; http_uri; "
        "distance:1; file_data; content:\"body\"; sid:1;)");
    r = one(rs);
    assert_string_equal(r->app_proto, "http");
    assert_int_equal(r->nlists, 6);
    const struct rule_list *l = list_of(r, RULE_BUF_PAYLOAD);
    assert_int_equal(l->nitems, 2);
    assert_memory_equal(l->items[0].u.content.bytes, "p1", 2);
    assert_memory_equal(l->items[1].u.content.bytes, "p2", 2);
    l = list_of(r, RULE_BUF_HTTP_URI);
    assert_int_equal(l->nitems, 3);
    assert_memory_equal(l->items[2].u.content.bytes, "c", 1);
    assert_true(l->items[1].u.content.flags & RULE_CONTENT_RELATIVE_NEXT);
    assert_int_equal(list_of(r, RULE_BUF_HTTP_HOST)->nitems, 1);
    assert_int_equal(list_of(r, RULE_BUF_HTTP_METHOD)->nitems, 1);
    assert_int_equal(list_of(r, RULE_BUF_HTTP_COOKIE)->nitems, 1);
    assert_int_equal(list_of(r, RULE_BUF_FILE_DATA)->nitems, 1);
    assert_int_equal(r->flow, RULE_FLOW_ESTABLISHED | RULE_FLOW_TO_SERVER);
    rule_set_destroy(rs);

    /* every sticky buffer and legacy modifier the tier has */
    static const struct { const char *kw; enum rule_buf b; bool modifier; } kws[] = {
        { "http.uri", RULE_BUF_HTTP_URI, false }, { "http.uri.raw", RULE_BUF_HTTP_URI_RAW, false },
        { "http.host", RULE_BUF_HTTP_HOST, false }, { "http.host.raw", RULE_BUF_HTTP_HOST_RAW, false },
        { "http.method", RULE_BUF_HTTP_METHOD, false },
        { "http.user_agent", RULE_BUF_HTTP_USER_AGENT, false },
        { "http.cookie", RULE_BUF_HTTP_COOKIE, false }, { "http.header", RULE_BUF_HTTP_HEADER, false },
        { "http.header.raw", RULE_BUF_HTTP_HEADER_RAW, false },
        { "http.header_names", RULE_BUF_HTTP_HEADER_NAMES, false },
        { "http.content_type", RULE_BUF_HTTP_CONTENT_TYPE, false },
        { "http.request_body", RULE_BUF_HTTP_REQUEST_BODY, false },
        { "http.response_body", RULE_BUF_HTTP_RESPONSE_BODY, false },
        { "http.stat_code", RULE_BUF_HTTP_STAT_CODE, false },
        { "http.stat_msg", RULE_BUF_HTTP_STAT_MSG, false },
        { "http.request_line", RULE_BUF_HTTP_REQUEST_LINE, false },
        { "http.response_line", RULE_BUF_HTTP_RESPONSE_LINE, false },
        { "http.referer", RULE_BUF_HTTP_REFERER, false }, { "http.protocol", RULE_BUF_HTTP_PROTOCOL, false },
        { "http.start", RULE_BUF_HTTP_START, false }, { "http.accept", RULE_BUF_HTTP_ACCEPT, false },
        { "http.accept_lang", RULE_BUF_HTTP_ACCEPT_LANG, false },
        { "http.accept_enc", RULE_BUF_HTTP_ACCEPT_ENC, false },
        { "http.connection", RULE_BUF_HTTP_CONNECTION, false },
        { "http.content_len", RULE_BUF_HTTP_CONTENT_LEN, false },
        { "http.location", RULE_BUF_HTTP_LOCATION, false }, { "http.server", RULE_BUF_HTTP_SERVER, false },
        { "dns.query", RULE_BUF_DNS_QUERY, false }, { "dns_query", RULE_BUF_DNS_QUERY, false },
        { "tls.sni", RULE_BUF_TLS_SNI, false }, { "tls_sni", RULE_BUF_TLS_SNI, false },
        { "file.data", RULE_BUF_FILE_DATA, false }, { "file_data", RULE_BUF_FILE_DATA, false },
        { "http_uri", RULE_BUF_HTTP_URI, true }, { "http_raw_uri", RULE_BUF_HTTP_URI_RAW, true },
        { "http_host", RULE_BUF_HTTP_HOST, true }, { "http_raw_host", RULE_BUF_HTTP_HOST_RAW, true },
        { "http_method", RULE_BUF_HTTP_METHOD, true },
        { "http_user_agent", RULE_BUF_HTTP_USER_AGENT, true },
        { "http_cookie", RULE_BUF_HTTP_COOKIE, true }, { "http_header", RULE_BUF_HTTP_HEADER, true },
        { "http_raw_header", RULE_BUF_HTTP_HEADER_RAW, true },
        { "http_client_body", RULE_BUF_HTTP_REQUEST_BODY, true },
        { "http_server_body", RULE_BUF_HTTP_RESPONSE_BODY, true },
        { "http_stat_code", RULE_BUF_HTTP_STAT_CODE, true },
        { "http_stat_msg", RULE_BUF_HTTP_STAT_MSG, true },
    };
    for (size_t i = 0; i < NS_ARRAY_LEN(kws); i++) {
        char text[256];
        if (kws[i].modifier)
            snprintf(text, sizeof(text), "alert tcp any any -> any any (content:\"abc\"; %s; sid:1;)",
                     kws[i].kw);
        else
            snprintf(text, sizeof(text), "alert tcp any any -> any any (%s; content:\"abc\"; sid:1;)",
                     kws[i].kw);
        rs = load(text);
        r = one(rs);
        assert_int_equal(r->nlists, 1);
        assert_int_equal(r->lists[0].buf, kws[i].b);
        if (strchr(kws[i].kw, '.'))
            assert_string_equal(rule_buf_name(kws[i].b), kws[i].kw);
        rule_set_destroy(rs);
    }
    expect_skip("alert tcp any any -> any any (file_data; content:\"a\"; http_uri; sid:1;)",
                RULE_SKIP_BAD_VALUE, "http_uri", "already in file.data");
    expect_skip("alert dns any any -> any any (http.uri; content:\"a\"; sid:1;)",
                RULE_SKIP_BAD_VALUE, "http.uri", "conflicts");
    expect_skip("alert tcp any any -> any any (http.host; content:\"A.com\"; sid:1;)",
                RULE_SKIP_BAD_VALUE, "http.host", "uppercase");
    expect_skip("alert tcp any any -> any any (stream_size:server,>,2; sid:1;)",
                RULE_SKIP_UNSUPPORTED_KEYWORD, "stream_size", "t.rules:1: sid 1: unsupported keyword "
                "stream_size: keyword 'stream_size' is not supported");
}

static void pcre_flags(void **state)
{
    (void)state;
    struct rule_set *rs = load(
        "alert tcp any any -> any any (content:\"a\"; pcre:\"/^b\\;c/ismxAEGR\"; "
        "pcre:\"/u/U\"; pcre:!\"/h/Hi\"; http.user_agent; pcre:\"/ua/V\"; sid:1;)");
    const struct rule *r = one(rs);
    const struct rule_list *l = list_of(r, RULE_BUF_PAYLOAD);
    assert_int_equal(l->nitems, 2);
    const struct rule_pcre *p = &l->items[1].u.pcre;
    assert_string_equal(p->regex, "^b\\;c");
    assert_int_equal(p->options, PCRE2_CASELESS | PCRE2_DOTALL | PCRE2_MULTILINE |
                                 PCRE2_EXTENDED | PCRE2_ANCHORED | PCRE2_DOLLAR_ENDONLY |
                                 PCRE2_UNGREEDY);
    assert_true(p->flags & RULE_PCRE_RELATIVE);
    assert_true(l->items[0].u.content.flags & RULE_CONTENT_RETRY_NEXT);
    assert_non_null(p->code);
    assert_int_equal(list_of(r, RULE_BUF_HTTP_URI)->nitems, 1);
    p = &list_of(r, RULE_BUF_HTTP_HEADER)->items[0].u.pcre;
    assert_true(p->flags & RULE_PCRE_NEGATED);
    assert_int_equal(list_of(r, RULE_BUF_HTTP_USER_AGENT)->nitems, 1);
    rule_set_destroy(rs);

    static const struct { const char f; enum rule_buf b; } fl[] = {
        { 'U', RULE_BUF_HTTP_URI }, { 'I', RULE_BUF_HTTP_URI_RAW },
        { 'P', RULE_BUF_HTTP_REQUEST_BODY }, { 'Q', RULE_BUF_HTTP_RESPONSE_BODY },
        { 'H', RULE_BUF_HTTP_HEADER }, { 'D', RULE_BUF_HTTP_HEADER_RAW },
        { 'M', RULE_BUF_HTTP_METHOD }, { 'C', RULE_BUF_HTTP_COOKIE },
        { 'S', RULE_BUF_HTTP_STAT_CODE }, { 'Y', RULE_BUF_HTTP_STAT_MSG },
        { 'V', RULE_BUF_HTTP_USER_AGENT }, { 'W', RULE_BUF_HTTP_HOST },
        { 'Z', RULE_BUF_HTTP_HOST_RAW },
    };
    for (size_t i = 0; i < NS_ARRAY_LEN(fl); i++) {
        char text[128];
        snprintf(text, sizeof(text), "alert tcp any any -> any any (pcre:\"/x/%c\"; sid:1;)", fl[i].f);
        rs = load(text);
        r = one(rs);
        assert_int_equal(r->lists[0].buf, fl[i].b);
        rule_set_destroy(rs);
    }
    expect_skip("alert tcp any any -> any any (pcre:\"/x/K\"; sid:1;)", RULE_SKIP_UNSUPPORTED_BUFFER,
                "pcre", "unknown pcre modifier 'K'");
    expect_skip("alert tcp any any -> any any (pcre:\"/x(/\"; sid:1;)", RULE_SKIP_BAD_VALUE, "pcre",
                "does not compile");
    expect_skip("alert tcp any any -> any any (pcre:/x/; sid:1;)", RULE_SKIP_BAD_VALUE, "pcre",
                "quoted");
    expect_skip("alert tcp any any -> any any (file_data; pcre:\"/x/U\"; sid:1;)", RULE_SKIP_BAD_VALUE,
                "pcre", "sticky");
    expect_skip("alert tcp any any -> any any (pcre:\"/x/UH\"; sid:1;)", RULE_SKIP_BAD_VALUE,
                "pcre", "two buffer");
    expect_skip("alert tcp any any -> any any (pcre:\"/X/W\"; sid:1;)", RULE_SKIP_BAD_VALUE,
                "pcre", "uppercase");
}

static void sizes_and_positions(void **state)
{
    (void)state;
    struct rule_set *rs = load(
        "alert http any any -> any any (urilen:5<>10,raw; dsize:>100; http.uri; bsize:<=64; "
        "content:\"a\"; isdataat:!3,relative; isdataat:10; dns.query; content:\"q\"; sid:1;)");
    /* dns.query in an http rule conflicts */
    assert_int_equal(rule_set_count(rs), 0);
    rule_set_destroy(rs);
    rs = load(
        "alert http any any -> any any (urilen:5<>10,raw; dsize:>100; http.uri; bsize:<=64; "
        "content:\"a\"; isdataat:!3,relative; isdataat:10; http.host; dotprefix; content:\".x\"; "
        "sid:1;)");
    const struct rule *r = one(rs);
    assert_true(r->has_urilen);
    assert_true(r->urilen_raw);
    assert_int_equal(r->urilen.op, RULE_CMP_RANGE);
    assert_int_equal(r->urilen.a, 5);
    assert_int_equal(r->urilen.b, 10);
    assert_true(r->has_dsize);
    assert_int_equal(r->dsize.op, RULE_CMP_GT);
    const struct rule_list *l = list_of(r, RULE_BUF_HTTP_URI);
    assert_true(l->has_bsize);
    assert_int_equal(l->bsize.op, RULE_CMP_LE);
    assert_int_equal(l->nitems, 3);
    assert_true(l->items[1].u.isdataat.negated);
    assert_true(l->items[1].u.isdataat.relative);
    assert_int_equal(l->items[1].u.isdataat.n, 3);
    assert_false(l->items[2].u.isdataat.relative);
    assert_true(l->items[0].u.content.flags & RULE_CONTENT_RETRY_NEXT);
    assert_non_null(list_of(r, RULE_BUF_HTTP_URI_RAW));  /* urilen,raw needs that buffer */
    assert_int_equal(list_of(r, RULE_BUF_HTTP_HOST)->nxforms, 1);
    assert_int_equal(list_of(r, RULE_BUF_HTTP_HOST)->xforms[0].kind, RULE_XFORM_DOTPREFIX);
    rule_set_destroy(rs);

    struct { const char *v; enum rule_cmp_op op; uint64_t a, b; } cmps[] = {
        { "5", RULE_CMP_EQ, 5, 0 }, { "<5", RULE_CMP_LT, 5, 0 }, { ">5", RULE_CMP_GT, 5, 0 },
        { " >= 5", RULE_CMP_GE, 5, 0 }, { "<=5", RULE_CMP_LE, 5, 0 }, { "!5", RULE_CMP_NE, 5, 0 },
        { "3<>9", RULE_CMP_RANGE, 3, 9 }, { "3-9", RULE_CMP_RANGE, 3, 9 }, { "0", RULE_CMP_EQ, 0, 0 },
    };
    for (size_t i = 0; i < NS_ARRAY_LEN(cmps); i++) {
        char text[128];
        snprintf(text, sizeof(text), "alert tcp any any -> any any (dsize:%s; sid:1;)", cmps[i].v);
        rs = load(text);
        r = one(rs);
        assert_int_equal(r->dsize.op, cmps[i].op);
        assert_int_equal(r->dsize.a, cmps[i].a);
        assert_int_equal(r->dsize.b, cmps[i].b);
        rule_set_destroy(rs);
    }
    const char *pre = "alert tcp any any -> any any (";
    static const struct { const char *opts, *kw; } bad[] = {
        { "dsize:9<>3; sid:1;", "dsize" }, { "dsize:70000; sid:1;", "dsize" },
        { "dsize:<0; sid:1;", "dsize" }, { "dsize:abc; sid:1;", "dsize" },
        { "bsize:3; sid:1;", "bsize" }, { "http.uri; bsize:1; bsize:2; sid:1;", "bsize" },
        { "http.uri; bsize:2; content:\"abc\"; sid:1;", "bsize" },
        { "urilen:3,foo; sid:1;", "urilen" }, { "isdataat:x; sid:1;", "isdataat" },
        { "isdataat:1,relativ; sid:1;", "isdataat" }, { "dotprefix; sid:1;", "dotprefix" },
        { "dns.query; content:\"a\"; dotprefix; sid:1;", "dotprefix" },
    };
    for (size_t i = 0; i < NS_ARRAY_LEN(bad); i++) {
        char text[256];
        snprintf(text, sizeof(text), "%s%s)", pre, bad[i].opts);
        expect_skip(text, RULE_SKIP_BAD_VALUE, bad[i].kw, NULL);
    }
}

static void flow_flowbits_threshold(void **state)
{
    (void)state;
    struct rule_set *rs = load(
        "alert tcp any any -> any any (flow:from_server, not_established ,no_stream; "
        "flowbits:set,a.b; flowbits:isset,c|d; flowbits:isnotset, a.b; flowbits:noalert; "
        "flowbits:toggle,c&e; threshold: type both, track by_dst, count 5, seconds 60; sid:1;)\n"
        "alert tcp any any -> any any (flow:stateless; flowbits:unset,e; noalert; "
        "threshold:seconds 1,count 2,track by_rule,type threshold; sid:2;)\n");
    assert_int_equal(rule_set_count(rs), 2);
    const struct rule *r = rule_set_rule(rs, 0);
    assert_int_equal(r->flow, RULE_FLOW_TO_CLIENT | RULE_FLOW_NOT_ESTABLISHED | RULE_FLOW_NO_STREAM);
    assert_int_equal(rule_set_flowbit_count(rs), 4);
    assert_string_equal(rule_set_flowbit_name(rs, 0), "a.b");
    assert_string_equal(rule_set_flowbit_name(rs, 3), "e");
    assert_int_equal(r->nflowbits, 4);
    assert_int_equal(r->flowbits[0].cmd, RULE_FB_SET);
    assert_int_equal(r->flowbits[1].cmd, RULE_FB_ISSET);
    assert_true(r->flowbits[1].any_of);
    assert_int_equal(r->flowbits[1].nids, 2);
    assert_int_equal(r->flowbits[1].ids[1], 2);
    assert_int_equal(r->flowbits[2].ids[0], 0);
    assert_int_equal(r->flowbits[3].cmd, RULE_FB_TOGGLE);
    assert_false(r->flowbits[3].any_of);
    assert_true(r->noalert);
    assert_true(r->threshold.present);
    assert_int_equal(r->threshold.type, RULE_THR_BOTH);
    assert_int_equal(r->threshold.track, RULE_THR_BY_DST);
    assert_int_equal(r->threshold.count, 5);
    assert_int_equal(r->threshold.seconds, 60);
    r = rule_set_rule(rs, 1);
    assert_int_equal(r->flow, RULE_FLOW_STATELESS);
    assert_int_equal(r->flowbits[0].cmd, RULE_FB_UNSET);
    assert_int_equal(r->flowbits[0].ids[0], 3);
    assert_true(r->noalert);
    assert_int_equal(r->threshold.type, RULE_THR_THRESHOLD);
    assert_int_equal(r->threshold.track, RULE_THR_BY_RULE);
    rule_set_destroy(rs);

    const char *pre = "alert tcp any any -> any any (";
    static const struct { const char *opts, *kw; } bad[] = {
        { "flow:to_server,to_client; sid:1;", "flow" }, { "flow:sideways; sid:1;", "flow" },
        { "flow:established,not_established; sid:1;", "flow" },
        { "flowbits:set; sid:1;", "flowbits" }, { "flowbits:frob,x; sid:1;", "flowbits" },
        { "flowbits:set,a|b; sid:1;", "flowbits" }, { "flowbits:isset,a|b&c; sid:1;", "flowbits" },
        { "flowbits:noalert,x; sid:1;", "flowbits" },
        { "threshold:type limit, track by_src, count 1; sid:1;", "threshold" },
        { "threshold:type often, track by_src, count 1, seconds 2; sid:1;", "threshold" },
    };
    for (size_t i = 0; i < NS_ARRAY_LEN(bad); i++) {
        char text[256];
        snprintf(text, sizeof(text), "%s%s)", pre, bad[i].opts);
        expect_skip(text, RULE_SKIP_BAD_VALUE, bad[i].kw, NULL);
    }
    /* a skipped rule leaves no flowbit names behind */
    rs = load("alert tcp any any -> any any (flowbits:set,gone; stream_size:both,>,1; sid:1;)\n"
              "alert tcp any any -> any any (flowbits:set,kept; sid:2;)\n");
    assert_int_equal(rule_set_flowbit_count(rs), 1);
    assert_string_equal(rule_set_flowbit_name(rs, 0), "kept");
    rule_set_destroy(rs);
}

/* ---- files: lines, comments, continuation, malformed, duplicates ---- */

static void files_and_lines(void **state)
{
    (void)state;
    const char *text =
        "# a comment\n"
        "\n"
        "   \t\n"
        "# alert tcp any any -> any any (msg:\"disabled\"; \\\n"
        "   sid:100;)\n"
        "alert tcp any any -> any any ( \\\n"
        "  msg:\"multi\"; \\\n"
        "  content:\"x\"; \\\n"
        "  sid:1;)\n"
        "alert tcp any any -> any any (msg:\"no end\"; sid:2;\n"
        "alert tcp any any -> any any (msg:\"ok\"; sid:3)   \r\n"
        "garbage \x01\xff here\n"
        "alert tcp any any -> any any (msg:\"unk\"; frobnicate:1; sid:4;)\n"
        "alert tcp any any -> any any (msg:\"dup low\"; sid:3; rev:0;)\n"
        "alert tcp any any -> any any (msg:\"v1\"; sid:5; rev:1;)\n"
        "alert tcp any any -> any any (msg:\"v2\"; sid:5; rev:2;)\n"
        "alert tcp any any -> any any (msg:\"last\"; sid:6;)";  /* no newline */
    struct rule_set *rs = load(text);
    struct rule_set_stats st;
    rule_set_get_stats(rs, &st);
    assert_int_equal(rule_set_count(rs), 4);
    assert_int_equal(st.loaded, 4);
    assert_int_equal(st.replaced, 1);
    assert_int_equal(st.skipped, 5);
    assert_int_equal(st.lines, 17);
    const struct rule *r = rule_set_rule(rs, 0);
    assert_int_equal(r->sid, 1);
    assert_int_equal(r->line, 6);
    assert_string_equal(r->msg, "multi");
    assert_int_equal(rule_set_rule(rs, 1)->sid, 3);
    assert_int_equal(rule_set_rule(rs, 1)->line, 11);
    r = rule_set_find(rs, 1, 5);
    assert_string_equal(r->msg, "v2");
    assert_int_equal(r->line, 16);
    assert_int_equal(rule_set_rule(rs, 3)->sid, 6);
    assert_non_null(strstr(rule_set_skip(rs, 0)->msg, "t.rules:10: sid 2: syntax error: "
                                                       "the rule does not end with ')'"));
    assert_int_equal(rule_set_skip(rs, 0)->sid, 2);      /* found although parsing stopped */
    assert_non_null(strstr(rule_set_skip(rs, 1)->msg, "t.rules:12: syntax error"));
    assert_int_equal(rule_set_skip(rs, 1)->sid, 0);
    assert_non_null(strstr(rule_set_skip(rs, 2)->msg, "t.rules:13: sid 4: unsupported keyword frobnicate"));
    assert_non_null(strstr(rule_set_skip(rs, 3)->msg, "t.rules:14: sid 3: duplicate sid"));
    assert_non_null(strstr(rule_set_skip(rs, 4)->msg, "t.rules:15: sid 5: duplicate sid: replaced by rev 2"));
    struct rule_skip_count sum[16];
    uint32_t n = rule_set_summary(rs, sum, 16);
    assert_int_equal(n, 3);
    assert_int_equal(sum[0].reason, RULE_SKIP_SYNTAX);
    assert_int_equal(sum[0].count, 2);
    assert_int_equal(sum[1].reason, RULE_SKIP_DUPLICATE_SID);
    assert_int_equal(sum[1].count, 2);
    rule_set_destroy(rs);

    /* files */
    char err[NS_ERRBUF_SIZE];
    rs = rule_set_create(NULL, err);
    assert_int_equal(rule_set_load_file(rs, "/nonexistent/x.rules", err), NS_ERR_IO);
    assert_non_null(strstr(err, "/nonexistent/x.rules"));
    char path[] = "/tmp/netscope_rules_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *fp = fdopen(fd, "w");
    fputs("alert udp any any -> any 53 (msg:\"f\"; content:\"q\"; sid:9;)\n", fp);
    fclose(fp);
    assert_int_equal(rule_set_load_file(rs, path, err), NS_OK);
    assert_int_equal(rule_set_count(rs), 1);
    assert_string_equal(rule_set_rule(rs, 0)->file, path);
    unlink(path);
    assert_int_equal(rule_set_load_classification(rs, "/nonexistent/c.config", err), NS_ERR_IO);
    const char *badcls = "config classification: a,b\n";
    assert_int_equal(rule_set_load_classification_text(rs, badcls, strlen(badcls), err), NS_ERR_INVAL);
    rule_set_destroy(rs);

    /* very long and binary input */
    size_t big = RULE_MAX_TEXT + 100;
    char *huge = malloc(big + 1);
    memset(huge, 'a', big);
    memcpy(huge, "alert tcp any any -> any any (msg:\"", 35);
    huge[big] = '\0';
    rs = load(huge);
    assert_int_equal(skipped(rs)->reason, RULE_SKIP_TOO_LARGE);
    rule_set_destroy(rs);
    free(huge);
}

/* ---- fast pattern ---- */

static const struct rule_fp *fp_of(struct rule_set *rs)
{
    return &one(rs)->fp;
}

static void fast_pattern_choice(void **state)
{
    (void)state;
    struct rule_set *rs = load("alert tcp any any -> any any (content:\"longest-one\"; "
                               "content:\"fp\"; fast_pattern; sid:1;)");
    const struct rule_fp *fp = fp_of(rs);
    assert_true(fp->present);
    assert_int_equal(fp->len, 2);
    assert_memory_equal(fp->bytes, "fp", 2);
    assert_true(fp->short_pattern);
    rule_set_destroy(rs);

    /* app-layer buffers win over the payload, even when shorter */
    rs = load("alert tcp any any -> any any (content:\"payload-is-longer\"; http.uri; "
              "content:\"/u\"; content:\"/uri\"; nocase; sid:1;)");
    fp = fp_of(rs);
    assert_int_equal(fp->buf, RULE_BUF_HTTP_URI);
    assert_memory_equal(fp->bytes, "/uri", 4);
    assert_true(fp->nocase);
    assert_false(fp->short_pattern);
    rule_set_destroy(rs);

    /* http.method ranks below the payload */
    rs = load("alert tcp any any -> any any (http.method; content:\"POST\"; pkt_data; "
              "content:\"ab\"; sid:1;)");
    fp = fp_of(rs);
    assert_int_equal(fp->buf, RULE_BUF_PAYLOAD);
    rule_set_destroy(rs);

    /* longest in the best buffers; equal lengths: pattern strength */
    rs = load("alert http any any -> any any (http.uri; content:\"aaaa\"; http.host; "
              "content:\"abcd\"; http.user_agent; content:\"abc\"; sid:1;)");
    fp = fp_of(rs);
    assert_int_equal(fp->buf, RULE_BUF_HTTP_HOST);
    rule_set_destroy(rs);

    /* negated contents only when there is nothing else; chop; only */
    rs = load("alert tcp any any -> any any (content:!\"nope\"; sid:1;)");
    fp = fp_of(rs);
    assert_true(fp->negated);
    rule_set_destroy(rs);
    rs = load("alert tcp any any -> any any (content:!\"nopenope\"; content:\"yes\"; sid:1;)");
    fp = fp_of(rs);
    assert_false(fp->negated);
    assert_memory_equal(fp->bytes, "yes", 3);
    rule_set_destroy(rs);
    rs = load("alert tcp any any -> any any (content:\"0123456789\"; fast_pattern:2,5; sid:1;)");
    fp = fp_of(rs);
    assert_int_equal(fp->len, 5);
    assert_memory_equal(fp->bytes, "23456", 5);
    rule_set_destroy(rs);
    rs = load("alert tcp any any -> any any (content:\"only\"; fast_pattern:only; sid:1;)");
    fp = fp_of(rs);
    assert_true(fp->only);
    rule_set_destroy(rs);
    rs = load("alert tcp any any -> any any (pcre:\"/x/\"; sid:1;)");
    fp = fp_of(rs);
    assert_false(fp->present);
    rule_set_destroy(rs);
}

/* ---- byte keywords, transforms, header buffers ---- */

static const struct rule_item *first_item(const struct rule *r, enum rule_buf b)
{
    const struct rule_list *l = list_of(r, b);
    assert_non_null(l);
    assert_true(l->nitems > 0);
    return &l->items[0];
}

static void byte_keywords_parse(void **state)
{
    (void)state;
    struct rule_set *rs = load("alert tcp any any -> any any (content:\"ab\"; "
                               "byte_test:2, !&, 0x10, -3, relative, little, bitmask 0xf0; sid:1;)");
    const struct rule *r = one(rs);
    const struct rule_list *l = list_of(r, RULE_BUF_PAYLOAD);
    assert_int_equal(l->nitems, 2);
    const struct rule_byte *y = &l->items[1].u.byte;
    assert_int_equal(l->items[1].kind, RULE_ITEM_BYTE_TEST);
    assert_int_equal(y->nbytes, 2);
    assert_int_equal(y->op, RULE_BYTE_OP_AND);
    assert_int_equal(y->value, 16);
    assert_int_equal(y->offset, -3);
    assert_int_equal(y->flags, RULE_BYTE_NEGATED | RULE_BYTE_RELATIVE | RULE_BYTE_LITTLE |
                                   RULE_BYTE_BITMASK);
    assert_int_equal(y->bitmask, 0xf0);
    assert_int_equal(y->shift, 4);
    /* the content before a relative byte keyword retries its next occurrence */
    assert_true(l->items[0].u.content.flags & RULE_CONTENT_RETRY_NEXT);
    assert_int_equal(r->nbytevars, 0);
    rule_set_destroy(rs);

    rs = load("alert tcp any any -> any any (byte_jump:4,12,relative,multiplier 2,align,"
              "post_offset -4,from_end,string,hex; sid:1;)");
    y = &first_item(one(rs), RULE_BUF_PAYLOAD)->u.byte;
    assert_int_equal(y->nbytes, 4);
    assert_int_equal(y->offset, 12);
    assert_int_equal(y->multiplier, 2);
    assert_int_equal(y->post_offset, -4);
    assert_int_equal(y->base, 16);
    assert_int_equal(y->flags, RULE_BYTE_RELATIVE | RULE_BYTE_ALIGN | RULE_BYTE_FROM_END |
                                   RULE_BYTE_STRING);
    rule_set_destroy(rs);

    /* variables: slots in order of definition, usable by later keywords */
    rs = load("alert tcp any any -> any any (byte_extract:2,-1,size,relative,string,hex,"
              "multiplier 3,align 2; byte_math:bytes size, offset 1, oper <<, rvalue 3, "
              "result r, relative, endian little, bitmask 0xff00; content:\"x\"; distance:r; "
              "within:size; byte_test:r,=,size,r; isdataat:!size,relative; sid:1;)");
    r = one(rs);
    assert_int_equal(r->nbytevars, 2);
    l = list_of(r, RULE_BUF_PAYLOAD);
    assert_int_equal(l->nitems, 5);
    y = &l->items[0].u.byte;
    assert_int_equal(l->items[0].kind, RULE_ITEM_BYTE_EXTRACT);
    assert_int_equal(y->offset, -1);
    assert_int_equal(y->result, 0);
    assert_int_equal(y->base, 16);
    assert_int_equal(y->multiplier, 3);
    assert_int_equal(y->align, 2);
    y = &l->items[1].u.byte;
    assert_int_equal(l->items[1].kind, RULE_ITEM_BYTE_MATH);
    assert_int_equal(y->result, 1);
    assert_int_equal(y->op, RULE_BYTE_SHL);
    assert_int_equal(y->nbytes, 0);                        /* slot of size */
    assert_int_equal(y->value, 3);
    assert_int_equal(y->bitmask, 0xff00);
    assert_int_equal(y->shift, 8);
    assert_int_equal(y->flags, RULE_BYTE_NBYTES_VAR | RULE_BYTE_RELATIVE | RULE_BYTE_LITTLE |
                                   RULE_BYTE_BITMASK);
    const struct rule_content *c = &l->items[2].u.content;
    assert_true(c->flags & RULE_CONTENT_DISTANCE_VAR);
    assert_true(c->flags & RULE_CONTENT_WITHIN_VAR);
    assert_int_equal(c->distance, 1);
    assert_int_equal(c->within, 0);
    y = &l->items[3].u.byte;
    assert_int_equal(y->flags, RULE_BYTE_NBYTES_VAR | RULE_BYTE_VALUE_VAR | RULE_BYTE_OFFSET_VAR);
    assert_true(l->items[4].u.isdataat.var);
    assert_true(l->items[4].u.isdataat.negated);
    rule_set_destroy(rs);

    /* a variable depth skips the length check; offset stays apart */
    rs = load("alert tcp any any -> any any (byte_extract:1,0,d; content:\"abcdef\"; offset:4; "
              "depth:d; sid:1;)");
    c = &list_of(one(rs), RULE_BUF_PAYLOAD)->items[1].u.content;
    assert_int_equal(c->flags & (RULE_CONTENT_DEPTH_VAR | RULE_CONTENT_OFFSET_VAR),
                     RULE_CONTENT_DEPTH_VAR);
    assert_int_equal(c->offset, 4);
    assert_int_equal(c->depth, 0);
    rule_set_destroy(rs);
    rs = load("alert tcp any any -> any any (byte_extract:1,0,o; content:\"abc\"; depth:5; "
              "offset:o; sid:1;)");
    c = &list_of(one(rs), RULE_BUF_PAYLOAD)->items[1].u.content;
    assert_int_equal(c->depth, 5);                         /* not offset + depth */
    rule_set_destroy(rs);

    /* a relative one after a legacy modifier goes to that buffer's list */
    rs = load("alert http any any -> any any (content:\"/x\"; http_uri; "
              "byte_test:1,=,1,0,relative; byte_test:1,=,1,0; sid:1;)");
    r = one(rs);
    assert_int_equal(list_of(r, RULE_BUF_HTTP_URI)->nitems, 2);
    assert_int_equal(list_of(r, RULE_BUF_PAYLOAD)->nitems, 1);
    rule_set_destroy(rs);

    /* ET Open's form for a whole decimal buffer */
    rs = load("alert http any any -> any any (http.content_len; byte_test:0,>,450000,0,string,dec; "
              "sid:1;)");
    y = &first_item(one(rs), RULE_BUF_HTTP_CONTENT_LEN)->u.byte;
    assert_int_equal(y->nbytes, 0);
    assert_int_equal(y->value, 450000);
    rule_set_destroy(rs);
}

static void byte_keywords_skipped(void **state)
{
    (void)state;
    const char *pre = "alert tcp any any -> any any (";
    static const struct {
        const char *opts;
        enum rule_skip_reason reason;
        const char *kw, *needle;
    } bad[] = {
        { "byte_test:1,=,1,0,dce;", RULE_SKIP_UNSUPPORTED_KEYWORD, "byte_test", "dce" },
        { "byte_jump:2,0,relative,dce;", RULE_SKIP_UNSUPPORTED_KEYWORD, "byte_jump", "dce" },
        { "byte_extract:1,0,v,dce;", RULE_SKIP_UNSUPPORTED_KEYWORD, "byte_extract", "dce" },
        { "byte_math:bytes 1,offset 0,oper +,rvalue 1,result r,endian dce;",
          RULE_SKIP_UNSUPPORTED_KEYWORD, "byte_math", "dce" },
        { "byte_math:bytes 1,offset 0,oper +,rvalue 1,result r,dce;",
          RULE_SKIP_UNSUPPORTED_KEYWORD, "byte_math", "dce" },
        { "byte_extract:1,0,v,slice;", RULE_SKIP_UNSUPPORTED_KEYWORD, "byte_extract", "slice" },
        { "byte_test:9,=,1,0;", RULE_SKIP_BAD_VALUE, "byte_test", "9 bytes" },
        { "byte_test:0,=,1,0;", RULE_SKIP_BAD_VALUE, "byte_test", "0 bytes" },
        { "byte_test:24,=,1,0,string;", RULE_SKIP_BAD_VALUE, "byte_test", "24 bytes of string" },
        { "byte_test:1,~,1,0;", RULE_SKIP_BAD_VALUE, "byte_test", "bad operator" },
        { "byte_test:1,=,x,0;", RULE_SKIP_BAD_VALUE, "byte_test", "unknown variable 'x'" },
        { "byte_test:1,=,1,y;", RULE_SKIP_BAD_VALUE, "byte_test", "unknown variable 'y'" },
        { "byte_test:1,=,0x1g,0;", RULE_SKIP_BAD_VALUE, "byte_test", "bad value" },
        { "byte_test:1,=,1;", RULE_SKIP_BAD_VALUE, "byte_test", "needs" },
        { "byte_test:1,=,1,0,hex;", RULE_SKIP_BAD_VALUE, "byte_test", "without string" },
        { "byte_test:1,=,1,0,string,hex,dec;", RULE_SKIP_BAD_VALUE, "byte_test", "two string" },
        { "byte_test:1,=,1,0,frob;", RULE_SKIP_BAD_VALUE, "byte_test", "unknown option" },
        { "byte_test:1,=,1,0,relative,relative;", RULE_SKIP_BAD_VALUE, "byte_test", "twice" },
        { "byte_test:1,=,1,0,bitmask 0x1ffffffff;", RULE_SKIP_BAD_VALUE, "byte_test", "bitmask" },
        { "byte_test;", RULE_SKIP_BAD_VALUE, "byte_test", "needs a value" },
        { "byte_jump:1,0,from_beginning,from_end;", RULE_SKIP_BAD_VALUE, "byte_jump", "from_end" },
        { "byte_jump:1,70000;", RULE_SKIP_BAD_VALUE, "byte_jump", "bad offset" },
        { "byte_jump:1,0,multiplier 0;", RULE_SKIP_BAD_VALUE, "byte_jump", "multiplier" },
        { "byte_jump:1,0,post_offset 70000;", RULE_SKIP_BAD_VALUE, "byte_jump", "post_offset" },
        { "byte_jump:24,0,string;", RULE_SKIP_BAD_VALUE, "byte_jump", "24 bytes" },
        { "byte_jump:9,0;", RULE_SKIP_BAD_VALUE, "byte_jump", "9 bytes" },
        { "byte_jump:1;", RULE_SKIP_BAD_VALUE, "byte_jump", "needs" },
        { "byte_extract:1,0;", RULE_SKIP_BAD_VALUE, "byte_extract", "needs" },
        { "byte_extract:1,0,9v;", RULE_SKIP_BAD_VALUE, "byte_extract", "bad variable name" },
        { "byte_extract:1,0,v; byte_extract:1,1,v;", RULE_SKIP_BAD_VALUE, "byte_extract",
          "defined twice" },
        { "byte_extract:1,0,v,string,little;", RULE_SKIP_BAD_VALUE, "byte_extract", "endianness" },
        { "byte_extract:1,0,v,align 3;", RULE_SKIP_BAD_VALUE, "byte_extract", "align" },
        { "byte_extract:15,0,v,string,hex;", RULE_SKIP_BAD_VALUE, "byte_extract", "15 bytes" },
        { "byte_extract:1,0,v,hex;", RULE_SKIP_BAD_VALUE, "byte_extract", "base before string" },
        { "byte_extract:1,40000,v;", RULE_SKIP_BAD_VALUE, "byte_extract", "bad offset" },
        { "byte_extract:1,0,v,little,big;", RULE_SKIP_BAD_VALUE, "byte_extract", "two byte orders" },
        { "byte_math:bytes 1,offset 0,oper +,rvalue 1;", RULE_SKIP_BAD_VALUE, "byte_math", "needs" },
        { "byte_math:bytes 5,offset 0,oper <<,rvalue 1,result r;", RULE_SKIP_BAD_VALUE,
          "byte_math", "shift" },
        { "byte_math:bytes 11,offset 0,oper +,rvalue 1,result r;", RULE_SKIP_BAD_VALUE,
          "byte_math", "bad bytes" },
        { "byte_math:bytes 1,offset 0,oper %,rvalue 1,result r;", RULE_SKIP_BAD_VALUE,
          "byte_math", "bad oper" },
        { "byte_math:bytes 1,offset 0,oper +,rvalue 4294967296,result r;", RULE_SKIP_BAD_VALUE,
          "byte_math", "rvalue" },
        { "byte_math:bytes 1,offset 0,oper +,rvalue nope,result r;", RULE_SKIP_BAD_VALUE,
          "byte_math", "unknown variable 'nope'" },
        { "byte_math:bytes 1,offset 0,offset 1,oper +,rvalue 1,result r;", RULE_SKIP_BAD_VALUE,
          "byte_math", "repeated" },
        { "byte_math:bytes 1,offset 0,oper +,rvalue 1,result r,string;", RULE_SKIP_BAD_VALUE,
          "byte_math", NULL },
        { "content:\"a\"; distance:v;", RULE_SKIP_BAD_VALUE, "distance", "unknown variable 'v'" },
        { "isdataat:!n,relative;", RULE_SKIP_BAD_VALUE, "isdataat", "unknown variable 'n'" },
        /* use before definition in the same list */
        { "byte_test:1,=,v,0; byte_extract:1,0,v;", RULE_SKIP_BAD_VALUE, "byte_test",
          "unknown variable" },
    };
    for (size_t i = 0; i < NS_ARRAY_LEN(bad); i++) {
        char text[320];
        snprintf(text, sizeof(text), "%s%s sid:1;)", pre, bad[i].opts);
        expect_skip(text, bad[i].reason, bad[i].kw, bad[i].needle);
    }
    /* 16 variables at most */
    char text[2048] = "alert tcp any any -> any any (";
    for (int i = 0; i <= (int)RULE_MAX_BYTE_VARS; i++)
        snprintf(text + strlen(text), sizeof(text) - strlen(text), "byte_extract:1,0,v%d; ", i);
    strcat(text, "sid:1;)");
    expect_skip(text, RULE_SKIP_TOO_LARGE, "byte_extract", "16 byte variables");
    /* a variable read in a list inspected before the one that sets it */
    expect_skip("alert http any any -> any any (http.header; byte_extract:1,0,v; http.uri; "
                "content:\"a\"; offset:v; sid:1;)", RULE_SKIP_BAD_VALUE, "v",
                "variable v is set in http.header, inspected after http.uri");
    struct rule_set *rs = load("alert http any any -> any any (http.uri; byte_extract:1,0,v; "
                               "http.header; content:\"a\"; offset:v; sid:1;)");
    one(rs);
    rule_set_destroy(rs);
}

static void transforms_parse(void **state)
{
    (void)state;
    struct rule_set *rs = load("alert http any any -> any any (http.uri; pcrexform:\"a(b)\\;\"; "
                               "to_uppercase; xor:\"0aff\"; content:\"B\"; sid:1;)");
    const struct rule_list *l = list_of(one(rs), RULE_BUF_HTTP_URI);
    assert_int_equal(l->nxforms, 3);
    assert_int_equal(l->xforms[0].kind, RULE_XFORM_PCREXFORM);
    assert_non_null(l->xforms[0].code);
    assert_int_equal(l->xforms[1].kind, RULE_XFORM_TO_UPPERCASE);
    assert_int_equal(l->xforms[2].kind, RULE_XFORM_XOR);
    assert_int_equal(l->xforms[2].keylen, 2);
    assert_memory_equal(l->xforms[2].key, "\x0a\xff", 2);
    rule_set_destroy(rs);
    /* a transform alone makes its list */
    rs = load("alert http any any -> any any (http.uri; to_md5; sid:1;)");
    assert_int_equal(list_of(one(rs), RULE_BUF_HTTP_URI)->nxforms, 1);
    rule_set_destroy(rs);
    static const char *const names[] = {
        "dotprefix", "to_lowercase", "to_uppercase", "strip_whitespace", "compress_whitespace",
        "url_decode", "to_md5", "to_sha1", "to_sha256", "header_lowercase",
        "strip_pseudo_headers",
    };
    for (size_t i = 0; i < NS_ARRAY_LEN(names); i++) {
        char text[256];
        snprintf(text, sizeof(text), "alert http any any -> any any (http.header; %s; sid:1;)",
                 names[i]);
        rs = load(text);
        one(rs);
        rule_set_destroy(rs);
    }
    const char *pre = "alert http any any -> any any (";
    static const struct {
        const char *opts;
        enum rule_skip_reason reason;
        const char *kw, *needle;
    } bad[] = {
        { "http.uri; to_lowercase; content:\"ABC\";", RULE_SKIP_BAD_VALUE, "to_lowercase",
          "can never match" },
        { "http.uri; to_uppercase; content:\"abc\";", RULE_SKIP_BAD_VALUE, "to_uppercase", NULL },
        { "http.uri; strip_whitespace; content:\"a b\";", RULE_SKIP_BAD_VALUE, "strip_whitespace",
          NULL },
        { "http.uri; compress_whitespace; content:\"a |09|b\";", RULE_SKIP_BAD_VALUE,
          "compress_whitespace", NULL },
        { "http.uri; xor:\"0g\";", RULE_SKIP_BAD_VALUE, "xor", "not hex" },
        { "http.uri; xor:\"abc\";", RULE_SKIP_BAD_VALUE, "xor", NULL },
        { "http.uri; xor;", RULE_SKIP_BAD_VALUE, "xor", "needs a value" },
        { "http.uri; xor:offset 1,extract 1 0;", RULE_SKIP_UNSUPPORTED_KEYWORD, "xor", "offset" },
        { "http.uri; pcrexform:\"(\";", RULE_SKIP_BAD_VALUE, "pcrexform", "does not compile" },
        { "http.uri; pcrexform:a(b);", RULE_SKIP_BAD_VALUE, "pcrexform", "quoted" },
        { "http.uri; to_md5:x;", RULE_SKIP_BAD_VALUE, "to_md5", "takes no value" },
        { "to_lowercase;", RULE_SKIP_BAD_VALUE, "to_lowercase", "sticky buffer" },
        { "http.uri; content:\"a\"; to_lowercase;", RULE_SKIP_BAD_VALUE, "to_lowercase",
          "sticky buffer" },
        { "http.uri; content:\"a\"; http.uri; to_lowercase; content:\"b\";",
          RULE_SKIP_UNSUPPORTED_BUFFER, "to_lowercase", "named again" },
        { "http.uri; to_lowercase; content:\"a\"; http.uri; content:\"b\";",
          RULE_SKIP_UNSUPPORTED_BUFFER, "http.uri", "after transforms" },
    };
    for (size_t i = 0; i < NS_ARRAY_LEN(bad); i++) {
        char text[320];
        snprintf(text, sizeof(text), "%s%s sid:1;)", pre, bad[i].opts);
        expect_skip(text, bad[i].reason, bad[i].kw, bad[i].needle);
    }
    char text[512] = "alert http any any -> any any (http.uri; ";
    for (unsigned i = 0; i <= RULE_MAX_XFORMS; i++)
        strcat(text, "to_lowercase; ");
    strcat(text, "sid:1;)");
    expect_skip(text, RULE_SKIP_TOO_LARGE, "to_lowercase", NULL);
}

/* The prefilter scans the raw buffer: a transformed list's pattern is kept
 * only as far as a match of the transformed buffer proves it is there. */
static void transformed_fast_patterns(void **state)
{
    (void)state;
    struct rule_set *rs = load("alert dns any any -> any any (dns.query; dotprefix; "
                               "content:\".google.com\"; endswith; sid:1;)");
    const struct rule_fp *fp = fp_of(rs);
    assert_true(fp->present && !fp->no_prefilter && !fp->nocase);
    assert_int_equal(fp->len, 10);
    assert_memory_equal(fp->bytes, "google.com", 10);
    assert_false(fp->short_pattern);
    rule_set_destroy(rs);
    rs = load("alert dns any any -> any any (dns.query; dotprefix; content:\".io\"; sid:1;)");
    fp = fp_of(rs);
    assert_int_equal(fp->len, 2);
    assert_true(fp->short_pattern && !fp->no_prefilter);
    rule_set_destroy(rs);
    rs = load("alert dns any any -> any any (dns.query; dotprefix; content:\".\"; sid:1;)");
    assert_true(fp_of(rs)->no_prefilter);
    rule_set_destroy(rs);
    rs = load("alert dns any any -> any any (dns.query; dotprefix; content:\"goo\"; sid:1;)");
    assert_int_equal(fp_of(rs)->len, 3);                   /* no dot: kept whole */
    rule_set_destroy(rs);
    rs = load("alert http any any -> any any (http.uri; to_lowercase; content:\"/admin\"; sid:1;)");
    fp = fp_of(rs);
    assert_true(fp->nocase && !fp->no_prefilter);
    rule_set_destroy(rs);
    rs = load("alert http any any -> any any (http.uri; pcrexform:\"x(.*)\"; "
              "content:\"/admin\"; sid:1;)");
    fp = fp_of(rs);
    assert_true(!fp->nocase && !fp->no_prefilter);
    rule_set_destroy(rs);
    static const char *const unsound[] = {
        "url_decode", "strip_whitespace", "compress_whitespace", "xor:\"01\"", "to_md5",
        "to_sha1", "to_sha256", "header_lowercase", "strip_pseudo_headers",
    };
    for (size_t i = 0; i < NS_ARRAY_LEN(unsound); i++) {
        char text[256];
        snprintf(text, sizeof(text), "alert http any any -> any any (http.uri; to_lowercase; %s; "
                 "content:\"/admin\"; sid:1;)", unsound[i]);
        rs = load(text);
        fp = fp_of(rs);
        assert_true(fp->present);
        assert_true(fp->no_prefilter);
        struct rule_set_stats st;
        rule_set_get_stats(rs, &st);
        assert_int_equal(st.no_fp, 1);
        rule_set_destroy(rs);
    }
}

static void header_buffers_parse(void **state)
{
    (void)state;
    struct rule_set *rs = load("alert tcp any any -> any any (ipv4.hdr; content:\"|45|\"; depth:1; "
                               "tcp.hdr; content:\"|00 50|\"; offset:2; depth:2; "
                               "pkt_data; content:\"GET\"; sid:1;)");
    const struct rule *r = one(rs);
    assert_true(r->pkt_hdr);
    assert_null(r->app_proto);
    assert_int_equal(r->nlists, 3);
    assert_int_equal(r->lists[0].buf, RULE_BUF_PAYLOAD);   /* inspection order */
    assert_int_equal(r->lists[1].buf, RULE_BUF_IPV4_HDR);
    assert_int_equal(r->lists[2].buf, RULE_BUF_TCP_HDR);
    rule_set_destroy(rs);
    static const struct { enum rule_buf b; const char *name; } names[] = {
        { RULE_BUF_IPV4_HDR, "ipv4.hdr" }, { RULE_BUF_IPV6_HDR, "ipv6.hdr" },
        { RULE_BUF_TCP_HDR, "tcp.hdr" }, { RULE_BUF_UDP_HDR, "udp.hdr" },
        { RULE_BUF_ICMPV4_HDR, "icmpv4.hdr" }, { RULE_BUF_ICMPV6_HDR, "icmpv6.hdr" },
    };
    for (size_t i = 0; i < NS_ARRAY_LEN(names); i++) {
        assert_string_equal(rule_buf_name(names[i].b), names[i].name);
        assert_true(rule_buf_is_header(names[i].b) && rule_buf_is_packet(names[i].b));
        assert_null(rule_buf_proto(names[i].b));
        char text[160];
        snprintf(text, sizeof(text), "alert ip any any -> any any (%s; content:\"a\"; sid:1;)",
                 names[i].name);
        rs = load(text);
        assert_true(one(rs)->pkt_hdr);
        rule_set_destroy(rs);
    }
    assert_true(rule_buf_is_packet(RULE_BUF_PAYLOAD) && !rule_buf_is_header(RULE_BUF_PAYLOAD));
    assert_false(rule_buf_is_packet(RULE_BUF_HTTP_URI));
    rs = load("alert tcp any any -> any any (content:\"a\"; sid:1;)");
    assert_false(one(rs)->pkt_hdr);
    rule_set_destroy(rs);
    expect_skip("alert udp any any -> any any (tcp.hdr; content:\"a\"; sid:1;)",
                RULE_SKIP_BAD_VALUE, "tcp.hdr", "on a udp rule");
    expect_skip("alert tcp any any -> any any (udp.hdr; content:\"a\"; sid:1;)",
                RULE_SKIP_BAD_VALUE, "udp.hdr", NULL);
    expect_skip("alert tcp any any -> any any (icmpv4.hdr; content:\"a\"; sid:1;)",
                RULE_SKIP_BAD_VALUE, "icmpv4.hdr", NULL);
    expect_skip("alert tcp any any -> any any (tcp.hdr; content:\"a\"; http.uri; content:\"b\"; "
                "sid:1;)", RULE_SKIP_UNSUPPORTED_BUFFER, "tcp.hdr", "transaction buffer http.uri");
    expect_skip("alert tcp any any -> any any (ipv4.hdr; content:\"a\"; file.data; content:\"b\"; "
                "sid:1;)", RULE_SKIP_UNSUPPORTED_BUFFER, "ipv4.hdr", "file.data");
}

/* ---- suricata-verify rules of tiers 1 and 2 ---- */

static void sv_rules_load(void **state)
{
    (void)state;
    const char *idx = "../shared/corpus/suricata-verify-alert/index.tsv";
    FILE *f = fopen(idx, "r");
    if (!f) {
        printf("  (no %s: skipped)\n", idx);
        return;
    }
    char line[1024];
    uint32_t tests = 0, loaded = 0, skipped_n = 0;
    char err[NS_ERRBUF_SIZE];
    while (fgets(line, sizeof(line), f)) {
        char name[512], tier[8];
        if (sscanf(line, "%511s %7s", name, tier) != 2 || (strcmp(tier, "T1") && strcmp(tier, "T2")))
            continue;
        char pat[700];
        snprintf(pat, sizeof(pat), "../shared/corpus/suricata-verify-alert/tests/%s/*.rules", name);
        glob_t g;
        if (glob(pat, 0, NULL, &g) != 0)
            continue;
        tests++;
        struct rule_set *rs = rule_set_create(NULL, err);
        for (size_t i = 0; i < g.gl_pathc; i++)
            assert_int_equal(rule_set_load_file(rs, g.gl_pathv[i], err), NS_OK);
        loaded += rule_set_count(rs);
        for (uint32_t i = 0; i < rule_set_skip_count(rs); i++) {
            const struct rule_skip *s = rule_set_skip(rs, i);
            if (s->reason != RULE_SKIP_UNSUPPORTED_KEYWORD)
                printf("  sv: %s\n", s->msg);
            skipped_n++;
        }
        rule_set_destroy(rs);
        globfree(&g);
    }
    fclose(f);
    printf("  suricata-verify T1/T2: %u tests, %u rules loaded, %u skipped\n", tests, loaded,
           skipped_n);
    assert_true(loaded > 0);
}

/* ---- ET Open ---- */

static void et_open_acceptance(void **state)
{
    (void)state;
    glob_t g;
    if (glob(ET_DIR "/*.rules", 0, NULL, &g) != 0) {
        printf("  (no " ET_DIR ": skipped)\n");
        return;
    }
    char err[NS_ERRBUF_SIZE];
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct rule_set *rs = rule_set_create(NULL, err);
    assert_non_null(rs);
    int crc = rule_set_load_classification(rs, ET_DIR "/classification.config", err);
    assert_int_equal(crc, NS_OK);
    for (size_t i = 0; i < g.gl_pathc; i++)
        assert_int_equal(rule_set_load_file(rs, g.gl_pathv[i], err), NS_OK);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    struct rule_set_stats st;
    rule_set_get_stats(rs, &st);
    uint32_t total = st.loaded + st.skipped - st.replaced;
    double pct = 100.0 * st.loaded / (total ? total : 1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("  ET Open: %zu files, %u active rules, %u loaded (%.2f %%), %u skipped, "
           "%u flowbit names, %.3f s, %.1f MiB\n", g.gl_pathc, total, st.loaded, pct, st.skipped,
           rule_set_flowbit_count(rs), secs, (double)st.memory / (1 << 20));
    printf("  fast patterns: %u of 3 bytes or less, %u rules without a usable one; "
           "%u pcre JIT-compiled\n", st.fp_short, st.no_fp, st.pcre_jit);
    struct rule_skip_count sum[12];
    uint32_t n = rule_set_summary(rs, sum, 12);
    for (uint32_t i = 0; i < n && i < 12; i++)
        printf("  %6u  %s %s\n", sum[i].count, rule_skip_reason_name(sum[i].reason),
               sum[i].keyword);
    assert_true(pct >= 90.0);
    rule_set_destroy(rs);
    globfree(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(header_basic),
        cmocka_unit_test(header_actions_protocols),
        cmocka_unit_test(header_variables),
        cmocka_unit_test(header_lists),
        cmocka_unit_test(meta_keywords),
        cmocka_unit_test(content_encoding),
        cmocka_unit_test(content_modifiers),
        cmocka_unit_test(sticky_and_legacy_buffers),
        cmocka_unit_test(pcre_flags),
        cmocka_unit_test(sizes_and_positions),
        cmocka_unit_test(flow_flowbits_threshold),
        cmocka_unit_test(files_and_lines),
        cmocka_unit_test(fast_pattern_choice),
        cmocka_unit_test(byte_keywords_parse),
        cmocka_unit_test(byte_keywords_skipped),
        cmocka_unit_test(transforms_parse),
        cmocka_unit_test(transformed_fast_patterns),
        cmocka_unit_test(header_buffers_parse),
        cmocka_unit_test(sv_rules_load),
        cmocka_unit_test(et_open_acceptance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
