/* tests/test_patset.c: Hyperscan literal sets (engine/patset.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "engine/patset.h"

struct hits {
    unsigned n;
    uint32_t id[64];
};

static void on_hit(void *ctx, uint32_t id)
{
    struct hits *h = ctx;
    if (h->n < 64)
        h->id[h->n++] = id;
}

static bool has(const struct hits *h, uint32_t id)
{
    for (unsigned i = 0; i < h->n; i++)
        if (h->id[i] == id)
            return true;
    return false;
}

static struct hits scan(const struct patset *ps, hs_scratch_t *s, const char *text)
{
    struct hits h = { 0 };
    assert_int_equal(patset_scan(ps, (const uint8_t *)text, strlen(text), s, on_hit, &h), NS_OK);
    return h;
}

static void add(struct patset *ps, uint32_t id, const char *p, bool nocase)
{
    assert_int_equal(patset_add(ps, id, (const uint8_t *)p, strlen(p), nocase), NS_OK);
}

static void dedup_and_hits(void **state)
{
    (void)state;
    char err[NS_ERRBUF_SIZE];
    struct patset *ps = patset_create();
    assert_non_null(ps);
    add(ps, 1, "GET ", false);
    add(ps, 2, "GET ", false);          /* same pattern, second rule */
    add(ps, 3, "get ", false);          /* different bytes, case-sensitive */
    add(ps, 4, "evil", true);
    add(ps, 5, "EVIL", true);           /* same as 4 when caseless */
    add(ps, 6, "EVIL", false);          /* not the same: case matters */
    assert_int_equal(patset_add(ps, 7, (const uint8_t *)"", 0, false), NS_ERR_INVAL);
    assert_int_equal(patset_patterns(ps), 4);
    assert_int_equal(patset_ids(ps), 6);
    bool cached = true;
    assert_int_equal(patset_compile(ps, NULL, &cached, err), NS_OK);
    assert_false(cached);
    assert_true(patset_db_size(ps) > 0);
    /* no adding after compile */
    assert_int_equal(patset_add(ps, 8, (const uint8_t *)"x", 1, false), NS_ERR_INVAL);
    hs_scratch_t *s = NULL;
    assert_int_equal(patset_scratch_grow(ps, &s, err), NS_OK);

    struct hits h = scan(ps, s, "GET /EviL GET again");
    assert_int_equal(h.n, 4);           /* GET once (rules 1, 2), evil once (4, 5) */
    assert_true(has(&h, 1) && has(&h, 2) && has(&h, 4) && has(&h, 5));
    h = scan(ps, s, "get EVIL");
    assert_int_equal(h.n, 4);
    assert_true(has(&h, 3) && has(&h, 4) && has(&h, 5) && has(&h, 6));
    h = scan(ps, s, "nothing here");
    assert_int_equal(h.n, 0);
    /* binary bytes, a NUL inside the pattern */
    hs_free_scratch(s);
    patset_destroy(ps);
}

static void binary_patterns(void **state)
{
    (void)state;
    char err[NS_ERRBUF_SIZE];
    struct patset *ps = patset_create();
    const uint8_t pat[] = { 0x00, 0xff, 0x00, 0x41 };
    assert_int_equal(patset_add(ps, 9, pat, sizeof(pat), false), NS_OK);
    bool cached;
    assert_int_equal(patset_compile(ps, NULL, &cached, err), NS_OK);
    hs_scratch_t *s = NULL;
    assert_int_equal(patset_scratch_grow(ps, &s, err), NS_OK);
    const uint8_t buf[] = { 1, 2, 0x00, 0xff, 0x00, 0x41, 3 };
    struct hits h = { 0 };
    assert_int_equal(patset_scan(ps, buf, sizeof(buf), s, on_hit, &h), NS_OK);
    assert_int_equal(h.n, 1);
    assert_int_equal(h.id[0], 9);
    h.n = 0;
    assert_int_equal(patset_scan(ps, buf, 5, s, on_hit, &h), NS_OK);   /* cut short */
    assert_int_equal(h.n, 0);
    hs_free_scratch(s);
    patset_destroy(ps);
}

static void empty_set(void **state)
{
    (void)state;
    char err[NS_ERRBUF_SIZE];
    struct patset *ps = patset_create();
    bool cached;
    assert_int_equal(patset_compile(ps, NULL, &cached, err), NS_OK);
    assert_int_equal(patset_db_size(ps), 0);
    hs_scratch_t *s = NULL;
    assert_int_equal(patset_scratch_grow(ps, &s, err), NS_OK);
    assert_null(s);
    struct hits h = scan(ps, s, "anything");
    assert_int_equal(h.n, 0);
    patset_destroy(ps);
    patset_destroy(NULL);
}

/* The second set with the same patterns (other rule ids) loads from the
 * cache; a damaged cache file is ignored and the set is compiled again. */
static void cache_round_trip(void **state)
{
    (void)state;
    char err[NS_ERRBUF_SIZE];
    char dir[] = "/tmp/netscope_patset_XXXXXX";
    assert_non_null(mkdtemp(dir));
    bool cached = true;

    struct patset *a = patset_create();
    add(a, 1, "alpha", false);
    add(a, 2, "beta", true);
    assert_int_equal(patset_compile(a, dir, &cached, err), NS_OK);
    assert_false(cached);

    struct patset *b = patset_create();
    add(b, 10, "alpha", false);
    add(b, 20, "beta", true);
    assert_int_equal(patset_compile(b, dir, &cached, err), NS_OK);
    assert_true(cached);
    hs_scratch_t *s = NULL;
    assert_int_equal(patset_scratch_grow(b, &s, err), NS_OK);
    struct hits h = scan(b, s, "xxBETAxxalpha");
    assert_int_equal(h.n, 2);
    assert_true(has(&h, 10) && has(&h, 20));

    /* damage every cache file: the next set compiles instead */
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "for f in %s/*.hsdb; do printf 'garbage' | dd of=$f bs=1 seek=60 "
                               "conv=notrunc 2>/dev/null; done", dir);
    assert_int_equal(system(cmd), 0);
    struct patset *c = patset_create();
    add(c, 1, "alpha", false);
    add(c, 2, "beta", true);
    assert_int_equal(patset_compile(c, dir, &cached, err), NS_OK);
    assert_false(cached);
    h = scan(c, s, "alpha");
    assert_int_equal(h.n, 1);

    /* different patterns: another cache entry, not the first one */
    struct patset *d = patset_create();
    add(d, 1, "alpha", true);
    assert_int_equal(patset_compile(d, dir, &cached, err), NS_OK);
    assert_false(cached);

    hs_free_scratch(s);
    patset_destroy(a);
    patset_destroy(b);
    patset_destroy(c);
    patset_destroy(d);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

/* One scratch serves several sets once grown for each. */
static void shared_scratch(void **state)
{
    (void)state;
    char err[NS_ERRBUF_SIZE];
    struct patset *a = patset_create(), *b = patset_create();
    add(a, 1, "one", false);
    for (unsigned i = 0; i < 500; i++) {
        char p[32];
        snprintf(p, sizeof(p), "pattern-%u-x", i);
        add(b, i, p, i % 2 == 0);
    }
    bool cached;
    assert_int_equal(patset_compile(a, NULL, &cached, err), NS_OK);
    assert_int_equal(patset_compile(b, NULL, &cached, err), NS_OK);
    hs_scratch_t *s = NULL;
    assert_int_equal(patset_scratch_grow(a, &s, err), NS_OK);
    assert_int_equal(patset_scratch_grow(b, &s, err), NS_OK);
    struct hits h = scan(a, s, "one");
    assert_int_equal(h.n, 1);
    h = scan(b, s, "PATTERN-42-X pattern-43-x pattern-7-x");
    assert_int_equal(h.n, 3);
    assert_true(has(&h, 42) && has(&h, 43) && has(&h, 7));
    hs_free_scratch(s);
    patset_destroy(a);
    patset_destroy(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dedup_and_hits),
        cmocka_unit_test(binary_patterns),
        cmocka_unit_test(empty_set),
        cmocka_unit_test(cache_round_trip),
        cmocka_unit_test(shared_scratch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
