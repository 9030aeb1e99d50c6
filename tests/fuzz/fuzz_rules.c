/* tests/fuzz/fuzz_rules.c: libFuzzer target for the rule loader
 * (engine/rules.h) and rule verification (engine/rule_match.h).  The
 * input is rule text (any bytes, any number of lines); every rule that
 * loads is then run over the input itself given as every buffer kind,
 * with flowbits, so the parser's output is exercised by the matcher.
 * Built by `make build/fuzz/fuzz_rules`; `make fuzz` seeds it from
 * fuzz_rules.seeds (rules with the byte keywords, variables, header
 * buffers and transforms) with the dictionary fuzz_rules.dict.  ET rules,
 * one per file, make more seeds:
 *
 *   mkdir -p build/fuzz/corpus_fuzz_rules
 *   grep -h "^alert" ../shared/rules/et-open/emerging-{dns,info,web_client}.rules | shuf -n 400 |
 *       split -l 1 - build/fuzz/corpus_fuzz_rules/et_
 *   build/fuzz/fuzz_rules -max_len=4096 -dict=tests/fuzz/fuzz_rules.dict build/fuzz/corpus_fuzz_rules
 */
#include <stdlib.h>

#include "engine/rule_match.h"
#include "engine/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct rule_vars *vars;
    static struct rule_match_ctx *ctx;
    char err[NS_ERRBUF_SIZE];
    if (!vars) {
        vars = rule_vars_create(err);
        ctx = rule_match_ctx_create(err);
        if (!vars || !ctx)
            abort();
        /* a variable that refers to another and a list with negation */
        (void)rule_vars_set(vars, "MY_NET", "[$HOME_NET,!10.1.0.0/16,2001:db8::/32]", false, err);
        (void)rule_vars_set(vars, "MY_PORTS", "[$HTTP_PORTS,8000:8100,!8080]", true, err);
    }
    struct rule_set *rs = rule_set_create(vars, err);
    if (!rs)
        return 0;
    static const char cls[] = "config classification: trojan-activity,Trojan,1\n"
                              "config classification: misc-activity,Misc,3\n";
    (void)rule_set_load_classification_text(rs, cls, sizeof(cls) - 1, err);
    (void)rule_set_load_text(rs, "fuzz.rules", (const char *)data, size, err);

    struct rule_match_input in;
    memset(&in, 0, sizeof(in));
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy)
        abort();
    memcpy(copy, data, size);
    for (int b = 0; b < RULE_BUF_COUNT; b++) {
        in.buf[b].p = copy;
        in.buf[b].len = size;
    }
    uint64_t bits[4] = {0};
    in.flowbits = bits;
    in.flowbits_words = 4;
    in.to_server = size & 1;
    in.established = true;
    in.dsize = (uint32_t)size;
    uint8_t a[16], z[16];
    rule_addr_from_v4(a, 0xc0a80001);
    rule_addr_from_v4(z, 0x08080808);
    for (uint32_t i = 0; i < rule_set_count(rs); i++) {
        const struct rule *r = rule_set_rule(rs, i);
        (void)rule_header_match(r, 6, a, 1234, z, 80);
        (void)rule_match(ctx, r, &in);
        /* and once on an empty and a missing buffer */
        in.buf[RULE_BUF_PAYLOAD].len = 0;
        in.buf[RULE_BUF_HTTP_URI].p = NULL;
        (void)rule_match(ctx, r, &in);
        in.buf[RULE_BUF_PAYLOAD].len = size;
        in.buf[RULE_BUF_HTTP_URI].p = copy;
    }
    struct rule_skip_count sum[4];
    (void)rule_set_summary(rs, sum, 4);
    free(copy);
    rule_set_destroy(rs);
    return 0;
}
