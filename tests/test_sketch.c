/* tests/test_sketch.c: the Space-Saving sketch against exact counts --
 * skewed (Zipf-like) and uniform streams, the error bound on every key,
 * the keys it guarantees, merging, the wire copy, and fixed memory over a
 * million distinct keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>

#include "output/sketch.h"

#define UNIVERSE 20000u

static uint64_t rng_state;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Key i as text, so lengths vary ("k7", "k12345"). */
static size_t key_of(uint32_t i, char out[16])
{
    return (size_t)snprintf(out, 16, "k%u", i);
}

/* A skewed key: uniform below a uniform bound, so key i has weight about
 * ln(UNIVERSE / (i + 1)) / UNIVERSE, key 0 the heaviest. */
static uint32_t zipf_key(void)
{
    uint32_t lim = 1 + (uint32_t)(rng() % UNIVERSE);
    uint32_t k = (uint32_t)(rng() % lim);
    /* and squared again, for a heavier head */
    return (uint32_t)((uint64_t)k * (rng() % (k + 1)) / UNIVERSE);
}

/* Feeds n updates into s (and into exact[]); weights 1..w_max. */
static void feed(struct sketch *s, uint64_t *exact, uint32_t n, bool skewed, uint32_t w_max)
{
    for (uint32_t i = 0; i < n; i++) {
        uint32_t k = skewed ? zipf_key() : (uint32_t)(rng() % UNIVERSE);
        uint64_t w = 1 + rng() % w_max;
        char key[16];
        sketch_add(s, key, key_of(k, key), w);
        exact[k] += w;
    }
}

/* Every key: kept ones within [count - error, count] with error <= N/k;
 * absent ones <= N/k; those above N/k present. */
static void check_bounds(const struct sketch *s, const uint64_t *exact)
{
    uint64_t total = 0;
    for (uint32_t i = 0; i < UNIVERSE; i++)
        total += exact[i];
    assert_int_equal(sketch_total(s), total);
    uint64_t bound = sketch_bound(s);
    uint32_t cap = sketch_capacity(s);
    struct sketch_item *all = calloc(cap, sizeof(*all));
    assert_non_null(all);
    uint32_t n = sketch_top(s, all, cap);
    assert_int_equal(n, sketch_size(s));
    bool *present = calloc(UNIVERSE, sizeof(*present));
    assert_non_null(present);
    for (uint32_t i = 0; i < n; i++) {
        char buf[16];
        memcpy(buf, all[i].key, all[i].len);
        buf[all[i].len] = '\0';
        uint32_t k = (uint32_t)strtoul(buf + 1, NULL, 10);
        assert_true(k < UNIVERSE);
        present[k] = true;
        assert_true(all[i].count >= exact[k]);
        assert_true(all[i].count - all[i].error <= exact[k]);
        assert_true(all[i].error <= bound);
        if (i > 0)
            assert_true(all[i - 1].count >= all[i].count);
    }
    for (uint32_t k = 0; k < UNIVERSE; k++) {
        if (exact[k] * cap > total)
            assert_true(present[k]);          /* guaranteed: > N/k */
        if (!present[k])
            assert_true(exact[k] <= bound + 1);
    }
    free(all);
    free(present);
}

static void sketch_exact_below_capacity(void **state)
{
    (void)state;
    char err[NS_ERRBUF_SIZE];
    struct sketch *s = sketch_create(64, 32, err);
    assert_non_null(s);
    for (uint32_t i = 0; i < 50; i++)
        for (uint32_t j = 0; j <= i; j++)
            sketch_add(s, &i, sizeof(i), 2);
    struct sketch_item top[3];
    assert_int_equal(sketch_top(s, top, 3), 3);
    uint32_t k;
    memcpy(&k, top[0].key, 4);
    assert_int_equal(k, 49);
    assert_int_equal(top[0].count, 100);
    assert_int_equal(top[0].error, 0);
    assert_int_equal(top[2].count, 96);
    assert_int_equal(sketch_size(s), 50);
    assert_true(sketch_exact(s));
    /* past capacity: one eviction and the counts are no longer exact */
    for (uint32_t i = 100; i < 115; i++)
        sketch_add(s, &i, sizeof(i), 1);
    assert_false(sketch_exact(s));
    sketch_reset(s);
    assert_true(sketch_exact(s));
    assert_int_equal(sketch_size(s), 0);
    assert_int_equal(sketch_total(s), 0);
    sketch_destroy(s);
    sketch_destroy(NULL);
    assert_null(sketch_create(2, 32, err));
    assert_null(sketch_create(64, 0, err));
}

static void sketch_skewed_stream(void **state)
{
    (void)state;
    char err[NS_ERRBUF_SIZE];
    rng_state = 0x9e3779b97f4a7c15ull;
    uint64_t *exact = calloc(UNIVERSE, sizeof(*exact));
    struct sketch *s = sketch_create(256, 16, err);
    assert_non_null(s);
    feed(s, exact, 400000, true, 1);
    check_bounds(s, exact);
    /* the heaviest key is reported first, and exactly enough */
    struct sketch_item top[1];
    sketch_top(s, top, 1);
    assert_memory_equal(top[0].key, "k0", 2);
    sketch_destroy(s);
    free(exact);
}

static void sketch_uniform_weighted_stream(void **state)
{
    (void)state;
    char err[NS_ERRBUF_SIZE];
    rng_state = 12345;
    uint64_t *exact = calloc(UNIVERSE, sizeof(*exact));
    struct sketch *s = sketch_create(128, 16, err);
    assert_non_null(s);
    feed(s, exact, 200000, false, 1500);        /* byte-like weights */
    check_bounds(s, exact);
    sketch_destroy(s);
    free(exact);
}

static void sketch_merge_two(void **state)
{
    (void)state;
    char err[NS_ERRBUF_SIZE];
    for (int round = 0; round < 4; round++) {
        rng_state = 777 + (uint64_t)round;
        uint64_t *exact = calloc(UNIVERSE, sizeof(*exact));
        struct sketch *a = sketch_create(128, 16, err), *b = sketch_create(128, 16, err);
        struct sketch *m = sketch_create(128, 16, err);
        assert_non_null(a);
        assert_non_null(b);
        assert_non_null(m);
        /* different mixes on each side: a skewed, b partly uniform */
        feed(a, exact, 100000 + 20000 * (uint32_t)round, true, 10);
        feed(b, exact, 30000, round & 1, 10);
        feed(b, exact, 50000, true, 3);
        assert_int_equal(sketch_merge(m, a), NS_OK);    /* into an empty one: a copy */
        assert_int_equal(sketch_merge(m, b), NS_OK);
        check_bounds(m, exact);
        sketch_destroy(a);
        sketch_destroy(b);
        sketch_destroy(m);
        free(exact);
    }
    struct sketch *x = sketch_create(16, 8, err), *y = sketch_create(32, 8, err);
    assert_int_equal(sketch_merge(x, y), NS_ERR_INVAL);
    sketch_destroy(x);
    sketch_destroy(y);
}

static void sketch_wire_round_trip(void **state)
{
    (void)state;
    char err[NS_ERRBUF_SIZE];
    rng_state = 4242;
    uint64_t *exact = calloc(UNIVERSE, sizeof(*exact));
    struct sketch *a = sketch_create(64, 16, err), *b = sketch_create(64, 16, err);
    assert_non_null(a);
    assert_non_null(b);
    feed(a, exact, 50000, true, 5);
    size_t max = sketch_wire_max(64, 16);
    uint8_t *buf = malloc(max);
    size_t n = sketch_save(a, buf, max);
    assert_true(n > 0 && n <= max);
    assert_int_equal(sketch_save(a, buf, 10), 0);
    assert_int_equal(sketch_load(b, buf, n), NS_OK);
    check_bounds(b, exact);
    assert_int_equal(sketch_total(b), sketch_total(a));
    /* and it goes on working as a sketch */
    feed(b, exact, 10000, true, 5);
    check_bounds(b, exact);
    assert_int_equal(sketch_load(b, buf, n - 1), NS_ERR_INVAL);
    buf[0] ^= 1;
    assert_int_equal(sketch_load(b, buf, n), NS_ERR_INVAL);
    free(buf);
    sketch_destroy(a);
    sketch_destroy(b);
    free(exact);
}

/* sketch_add_batch in chunks of every size gives the very state that
 * sketch_add gives: every kept key, count and error, and the total (with
 * keys longer than key_max, cut the same way). */
static void sketch_batch_equals_one_by_one(void **state)
{
    (void)state;
    char err[NS_ERRBUF_SIZE];
    struct sketch *a = sketch_create(64, 5, err), *b = sketch_create(64, 5, err);
    assert_non_null(a);
    assert_non_null(b);
    enum { N = 60000 };
    char (*keys)[16] = malloc(N * sizeof(*keys));
    struct sketch_upd *u = malloc(N * sizeof(*u));
    assert_non_null(keys);
    assert_non_null(u);
    rng_state = 777;
    for (uint32_t i = 0; i < N; i++) {
        uint32_t k = i % 3 ? zipf_key() : (uint32_t)(rng() % UNIVERSE);
        u[i] = (struct sketch_upd){ .key = keys[i], .len = (uint32_t)key_of(k, keys[i]),
                                    .w = 1 + rng() % 9 };
        sketch_add(a, u[i].key, u[i].len, u[i].w);
    }
    for (size_t off = 0, c = 0; off < N; c++) {
        size_t n = 1 + (c * 37) % 300;      /* 1..300, across the 64-chunks */
        if (n > N - off)
            n = N - off;
        sketch_add_batch(b, u + off, n);
        off += n;
    }
    sketch_add_batch(b, u, 0);
    assert_int_equal(sketch_total(a), sketch_total(b));
    assert_int_equal(sketch_size(a), sketch_size(b));
    assert_false(sketch_exact(a));
    struct sketch_item ia[64], ib[64];
    uint32_t na = sketch_top(a, ia, 64), nb = sketch_top(b, ib, 64);
    assert_int_equal(na, nb);
    for (uint32_t i = 0; i < na; i++) {
        assert_int_equal(ia[i].len, ib[i].len);
        assert_memory_equal(ia[i].key, ib[i].key, ia[i].len);
        assert_int_equal(ia[i].count, ib[i].count);
        assert_int_equal(ia[i].error, ib[i].error);
    }
    free(u);
    free(keys);
    sketch_destroy(a);
    sketch_destroy(b);
}

static void sketch_fixed_memory_million_keys(void **state)
{
    (void)state;
    char err[NS_ERRBUF_SIZE];
    struct sketch *s = sketch_create(1024, 17, err);
    assert_non_null(s);
    size_t mem = sketch_memory(s);
    /* one heavy key among a million distinct light ones */
    uint8_t heavy[17] = { 4, 10, 0, 0, 1 };
    for (uint32_t i = 0; i < 1000000; i++) {
        uint8_t key[17] = { 4 };
        memcpy(key + 1, &i, sizeof(i));
        sketch_add(s, key, sizeof(key), 1);
        if (i % 100 == 0)
            sketch_add(s, heavy, sizeof(heavy), 1);
    }
    assert_int_equal(sketch_size(s), 1024);
    assert_int_equal(sketch_memory(s), mem);
    assert_true(mem < 256u * 1024u);
    struct sketch_item top[1];
    assert_int_equal(sketch_top(s, top, 1), 1);
    assert_memory_equal(top[0].key, heavy, sizeof(heavy));
    assert_true(top[0].count >= 10000);
    assert_true(top[0].count - top[0].error <= 10000);
    assert_true(top[0].error <= sketch_bound(s));
    sketch_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sketch_exact_below_capacity),
        cmocka_unit_test(sketch_skewed_stream),
        cmocka_unit_test(sketch_uniform_weighted_stream),
        cmocka_unit_test(sketch_merge_two),
        cmocka_unit_test(sketch_wire_round_trip),
        cmocka_unit_test(sketch_batch_equals_one_by_one),
        cmocka_unit_test(sketch_fixed_memory_million_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
