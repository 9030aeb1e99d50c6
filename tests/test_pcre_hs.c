/* tests/test_pcre_hs.c: pcre expressions on Hyperscan (engine/pcre_hs.h)
 * and the on-disk cache under it (engine/hs_cache.h).
 *
 * The central test is differential: every rule below is verified over
 * every subject twice, with PCRE2 alone and with Hyperscan first, and the
 * answers must be the same; the counters show that Hyperscan did settle
 * items.  The others check what pcre_hs_match answers (settled, ask
 * PCRE2, no match), the modes (sync, background, off) with the cache, and
 * the cache's handling of refusals and bad files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine/hs_cache.h"
#include "engine/pcre_hs.h"
#include "engine/rule_match.h"
#include "engine/rules.h"

/* Hyperscan exact, prefilter (back-reference), refused flags (x), R with
 * and without a relative follower, negation, anchors, multiline, dotall,
 * caseless, an expression that matches the empty string. */
static const char *const rules_text =
    "alert tcp any any -> any any (pcre:\"/ab+c/\"; sid:1;)\n"
    "alert tcp any any -> any any (pcre:\"/^GET \\/[a-z]+\\.php/i\"; sid:2;)\n"
    "alert tcp any any -> any any (pcre:\"/(\\w+)=\\1/\"; sid:3;)\n"
    "alert tcp any any -> any any (pcre:\"/a b c/x\"; sid:4;)\n"
    "alert tcp any any -> any any (content:\"key\"; pcre:\"/^=[0-9]{2,4}/R\"; sid:5;)\n"
    "alert tcp any any -> any any (content:\"key\"; pcre:\"/=[0-9]+/R\"; content:\"end\"; "
    "distance:0; within:8; sid:6;)\n"
    "alert tcp any any -> any any (content:\"GET\"; pcre:!\"/evil|bad/i\"; sid:7;)\n"
    "alert tcp any any -> any any (pcre:\"/^line2$/m\"; sid:8;)\n"
    "alert tcp any any -> any any (pcre:\"/start.+stop/s\"; sid:9;)\n"
    "alert tcp any any -> any any (pcre:\"/x*/\"; sid:10;)\n"
    "alert tcp any any -> any any (pcre:\"/HOST: [a-z.]+\\x0d\\x0a/i\"; sid:11;)\n"
    "alert tcp any any -> any any (pcre:\"/foo$/\"; sid:12;)\n"
    "alert tcp any any -> any any (pcre:\"/(?:a|b){3}[0-9]\\d/\"; sid:13;)\n";

static const char *const subjects[] = {
    "",
    "abbbc",
    "xx abc yy",
    "GET /index.php HTTP/1.1\r\nHost: a.example\r\n\r\n",
    "get /INDEX.PHP",
    " GET /index.php",
    "name=name",
    "name=other",
    "a b c",
    "abc",
    "key=1234 end",
    "key=12345678 end",
    "key=1 key=22 end",
    "key=5 something longer end",
    "GET /evil",
    "GET /fine",
    "line1\nline2\nline3",
    "line1\nline22\n",
    "start\nmiddle\nstop",
    "start middle stop",
    "host: www.example.com\r\n",
    "foo\n",
    "foo bar",
    "aba12 bbb34",
    "abx12",
};

struct fx {
    char dir[64];
    struct rule_set *rs;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    char err[NS_ERRBUF_SIZE];
    snprintf(f->dir, sizeof(f->dir), "/tmp/ns_pcre_hs.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    f->rs = rule_set_create(NULL, err);
    assert_non_null(f->rs);
    assert_int_equal(rule_set_load_text(f->rs, "p.rules", rules_text, strlen(rules_text), err),
                     NS_OK);
    for (uint32_t i = 0; i < rule_set_skip_count(f->rs); i++)
        fprintf(stderr, "%s\n", rule_set_skip(f->rs, i)->msg);
    assert_int_equal(rule_set_count(f->rs), 13);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    rule_set_destroy(f->rs);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static bool run(struct rule_match_ctx *ctx, const struct rule *r, const char *s)
{
    size_t n = strlen(s);
    uint8_t *copy = malloc(n ? n : 1);          /* exactly sized: ASan sees overreads */
    memcpy(copy, s, n);
    struct rule_match_input in;
    memset(&in, 0, sizeof(in));
    in.buf[RULE_BUF_PAYLOAD].p = copy;
    in.buf[RULE_BUF_PAYLOAD].len = n;
    in.to_server = in.established = true;
    bool m = rule_match(ctx, r, &in);
    free(copy);
    return m;
}

static void same_answers_as_pcre2(void **state)
{
    struct fx *f = *state;
    char err[NS_ERRBUF_SIZE];
    struct pcre_hs *ph = pcre_hs_create(f->rs, f->dir, PCRE_HS_SYNC, err);
    assert_non_null(ph);
    struct pcre_hs_info pi;
    pcre_hs_get_info(ph, &pi);
    assert_int_equal(pi.total, 13);
    assert_int_equal(pi.unsupported, 1);        /* the x flag */
    assert_int_equal(pi.pending, 0);
    assert_true(pi.prefilter >= 1);             /* the back-reference */
    assert_int_equal(pi.exact + pi.prefilter + pi.unsupported, pi.total);
    hs_scratch_t *scratch = NULL;
    assert_int_equal(pcre_hs_scratch_grow(ph, &scratch, err), NS_OK);

    struct rule_match_ctx *plain = rule_match_ctx_create(err), *hs = rule_match_ctx_create(err);
    assert_non_null(plain);
    assert_non_null(hs);
    rule_match_ctx_set_hs(hs, ph, scratch);
    unsigned matches = 0;
    for (uint32_t i = 0; i < rule_set_count(f->rs); i++) {
        const struct rule *r = rule_set_rule(f->rs, i);
        for (size_t k = 0; k < sizeof(subjects) / sizeof(subjects[0]); k++) {
            bool a = run(plain, r, subjects[k]), b = run(hs, r, subjects[k]);
            if (a != b)
                fprintf(stderr, "sid %u on \"%s\": PCRE2 %d, Hyperscan %d\n", r->sid,
                        subjects[k], a, b);
            assert_int_equal(a, b);
            matches += a;
        }
    }
    assert_true(matches > 20);
    struct rule_match_counters cp, ch;
    rule_match_ctx_counters(plain, &cp);
    rule_match_ctx_counters(hs, &ch);
    assert_int_equal(cp.pcre_hs, 0);
    assert_true(ch.pcre_hs > 100);              /* settled without PCRE2 */
    assert_true(ch.pcre2 > 0 && ch.pcre2 < cp.pcre2 / 2);
    rule_match_ctx_destroy(plain);
    rule_match_ctx_destroy(hs);
    hs_free_scratch(scratch);
    pcre_hs_destroy(ph);
}

static const struct rule_pcre *pcre_of(const struct rule_set *rs, uint32_t sid)
{
    for (uint32_t i = 0; i < rule_set_count(rs); i++) {
        const struct rule *r = rule_set_rule(rs, i);
        if (r->sid != sid)
            continue;
        for (uint32_t q = 0; q < r->lists[0].nitems; q++)
            if (r->lists[0].items[q].kind == RULE_ITEM_PCRE)
                return &r->lists[0].items[q].u.pcre;
    }
    fail();
    return NULL;
}

static int M(const struct pcre_hs *ph, hs_scratch_t *s, const struct rule_set *rs, uint32_t sid,
             const char *text)
{
    return pcre_hs_match(ph, s, pcre_of(rs, sid)->id, (const uint8_t *)text, strlen(text));
}

static void match_answers(void **state)
{
    struct fx *f = *state;
    char err[NS_ERRBUF_SIZE];
    struct pcre_hs *ph = pcre_hs_create(f->rs, NULL, PCRE_HS_SYNC, err);   /* no cache */
    assert_non_null(ph);
    hs_scratch_t *s = NULL;
    assert_int_equal(pcre_hs_scratch_grow(ph, &s, err), NS_OK);
    assert_int_equal(M(ph, s, f->rs, 1, "xabbc"), 1);          /* exact: settled */
    assert_int_equal(M(ph, s, f->rs, 1, "xac"), 0);
    assert_int_equal(M(ph, s, f->rs, 3, "a-b"), 0);            /* prefilter: no match is sure */
    assert_int_equal(M(ph, s, f->rs, 3, "ab=ab"), -1);         /* a match is a maybe */
    assert_int_equal(M(ph, s, f->rs, 4, "abc"), -1);           /* x flag: PCRE2 */
    assert_int_equal(M(ph, s, f->rs, 5, "=12"), 1);            /* R, nothing after it */
    assert_int_equal(M(ph, s, f->rs, 6, "=12"), -1);           /* R, a relative content after */
    assert_int_equal(M(ph, s, f->rs, 6, "no digits"), 0);
    assert_int_equal(M(ph, s, f->rs, 10, ""), 1);              /* empty match allowed */
    assert_int_equal(pcre_hs_match(NULL, s, 0, (const uint8_t *)"x", 1), -1);
    assert_int_equal(pcre_hs_match(ph, s, 1000000, (const uint8_t *)"x", 1), -1);
    hs_free_scratch(s);
    pcre_hs_destroy(ph);
}

static void modes_and_cache(void **state)
{
    struct fx *f = *state;
    char err[NS_ERRBUF_SIZE];
    struct pcre_hs_info pi;
    /* off: nothing loaded */
    struct pcre_hs *ph = pcre_hs_create(f->rs, f->dir, PCRE_HS_OFF, err);
    assert_non_null(ph);
    pcre_hs_get_info(ph, &pi);
    assert_int_equal(pi.unsupported, 13);
    pcre_hs_destroy(ph);
    /* background on an empty cache: all pending, compiled into the cache */
    ph = pcre_hs_create(f->rs, f->dir, PCRE_HS_BACKGROUND, err);
    assert_non_null(ph);
    pcre_hs_get_info(ph, &pi);
    assert_int_equal(pi.exact + pi.prefilter, 0);
    assert_int_equal(pi.pending, 12);
    assert_int_equal(pi.unsupported, 1);
    pcre_hs_wait(ph);
    pcre_hs_destroy(ph);
    /* the next start finds every one in the cache, the refusal too */
    ph = pcre_hs_create(f->rs, f->dir, PCRE_HS_BACKGROUND, err);
    assert_non_null(ph);
    pcre_hs_get_info(ph, &pi);
    assert_int_equal(pi.pending, 0);
    assert_int_equal(pi.exact + pi.prefilter, 12);
    assert_int_equal(pi.from_cache, 12);
    assert_true(pi.db_bytes > 0);
    pcre_hs_destroy(ph);
    /* without a cache directory background compiles nothing */
    ph = pcre_hs_create(f->rs, NULL, PCRE_HS_BACKGROUND, err);
    assert_non_null(ph);
    pcre_hs_get_info(ph, &pi);
    assert_int_equal(pi.pending, 12);
    pcre_hs_destroy(ph);
    /* stopping a background compile midway is quick and clean */
    char dir2[80];
    snprintf(dir2, sizeof(dir2), "%s/other", f->dir);
    assert_int_equal(mkdir(dir2, 0700), 0);
    ph = pcre_hs_create(f->rs, dir2, PCRE_HS_BACKGROUND, err);
    assert_non_null(ph);
    pcre_hs_destroy(ph);
}

static void cache_entries(void **state)
{
    struct fx *f = *state;
    uint8_t key[HS_CACHE_KEY_LEN], other[HS_CACHE_KEY_LEN];
    struct hs_cache_hash *h = hs_cache_hash_begin();
    hs_cache_hash_add(h, "abc", 3);
    assert_true(hs_cache_hash_end(h, key));
    h = hs_cache_hash_begin();
    hs_cache_hash_add(h, "abd", 3);
    assert_true(hs_cache_hash_end(h, other));
    assert_memory_not_equal(key, other, sizeof(key));

    hs_database_t *db = NULL;
    hs_compile_error_t *ce = NULL;
    assert_int_equal(hs_compile("ab+c", HS_FLAG_SINGLEMATCH, HS_MODE_BLOCK, NULL, &db, &ce),
                     HS_SUCCESS);
    bool refused = true;
    assert_null(hs_cache_load(f->dir, "t", key, &refused));     /* a miss */
    assert_false(refused);
    hs_cache_store(f->dir, "t", key, db);
    hs_database_t *back = hs_cache_load(f->dir, "t", key, &refused);
    assert_non_null(back);
    assert_false(refused);
    hs_free_database(back);
    assert_null(hs_cache_load(f->dir, "u", key, NULL));         /* another prefix */
    /* a refusal is remembered */
    hs_cache_store(f->dir, "t", other, NULL);
    assert_null(hs_cache_load(f->dir, "t", other, &refused));
    assert_true(refused);
    /* a damaged file is a miss, not a crash */
    char path[256], hex[2 * HS_CACHE_KEY_LEN + 1];
    for (size_t i = 0; i < HS_CACHE_KEY_LEN; i++)
        snprintf(hex + 2 * i, 3, "%02x", key[i]);
    snprintf(path, sizeof(path), "%s/t-%s.hsdb", f->dir, hex);
    FILE *fp = fopen(path, "r+b");
    assert_non_null(fp);
    assert_int_equal(fseek(fp, 60, SEEK_SET), 0);
    fputs("garbage garbage garbage", fp);
    fclose(fp);
    assert_null(hs_cache_load(f->dir, "t", key, &refused));
    assert_int_equal(truncate(path, 20), 0);
    assert_null(hs_cache_load(f->dir, "t", key, &refused));
    /* pruning: an entry unused for longer than the age goes, a fresh one
     * and files that are not cache entries stay */
    char keep[256], other_file[256];
    snprintf(keep, sizeof(keep), "%s/t-%s.hsdb", f->dir, hex);
    hs_cache_store(f->dir, "t", key, db);                      /* fresh */
    for (size_t i = 0; i < HS_CACHE_KEY_LEN; i++)
        snprintf(hex + 2 * i, 3, "%02x", other[i]);
    snprintf(path, sizeof(path), "%s/t-%s.hsdb", f->dir, hex);  /* the refusal: made old */
    struct timespec old[2] = { { .tv_sec = time(NULL) - 10 * 86400 }, { .tv_sec = time(NULL) - 10 * 86400 } };
    assert_int_equal(utimensat(AT_FDCWD, path, old, 0), 0);
    snprintf(other_file, sizeof(other_file), "%s/notes.txt", f->dir);
    FILE *nf = fopen(other_file, "w");
    assert_non_null(nf);
    fclose(nf);
    assert_int_equal(utimensat(AT_FDCWD, other_file, old, 0), 0);
    assert_int_equal(hs_cache_prune(f->dir, 7 * 86400), 1);
    assert_int_equal(access(path, F_OK), -1);
    assert_int_equal(access(keep, F_OK), 0);
    assert_int_equal(access(other_file, F_OK), 0);
    assert_int_equal(hs_cache_prune(f->dir, 7 * 86400), 0);
    assert_int_equal(hs_cache_prune("/nonexistent/dir", 0), 0);
    /* a load refreshes the age */
    assert_int_equal(utimensat(AT_FDCWD, keep, old, 0), 0);
    back = hs_cache_load(f->dir, "t", key, NULL);
    assert_non_null(back);
    hs_free_database(back);
    assert_int_equal(hs_cache_prune(f->dir, 7 * 86400), 0);
    assert_int_equal(access(keep, F_OK), 0);
    /* a directory name too long: no cache, quietly */
    char longdir[HS_CACHE_DIR_MAX + 10];
    memset(longdir, 'a', sizeof(longdir) - 1);
    longdir[sizeof(longdir) - 1] = '\0';
    hs_cache_store(longdir, "t", key, db);
    assert_null(hs_cache_load(longdir, "t", key, NULL));
    hs_free_database(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(same_answers_as_pcre2, setup, teardown),
        cmocka_unit_test_setup_teardown(match_answers, setup, teardown),
        cmocka_unit_test_setup_teardown(modes_and_cache, setup, teardown),
        cmocka_unit_test_setup_teardown(cache_entries, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
