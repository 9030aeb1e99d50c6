/* tests/test_ring.c: the SPSC record ring -- order, wrap-around, full and
 * empty, oversize records, and a two-thread stream checked byte by byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdlib.h>

#include "output/ring.h"

static void ring_empty_and_order(void **state)
{
    (void)state;
    char err[NS_ERRBUF_SIZE];
    struct ring *r = ring_create(1, err);
    assert_non_null(r);
    uint32_t type, len;
    assert_null(ring_peek(r, &type, &len));
    for (uint32_t i = 0; i < 10; i++) {
        uint8_t *p = ring_reserve(r, 100);
        assert_non_null(p);
        memset(p, (int)i, 100);
        ring_commit(r, i + 1, 50 + i);
    }
    for (uint32_t i = 0; i < 10; i++) {
        const uint8_t *p = ring_peek(r, &type, &len);
        assert_non_null(p);
        assert_int_equal(type, i + 1);
        assert_int_equal(len, 50 + i);
        assert_int_equal(p[0], i);
        assert_int_equal(p[len - 1], i);
        ring_release(r);
    }
    assert_null(ring_peek(r, &type, &len));
    ring_destroy(r);
}

static void ring_full_and_wrap(void **state)
{
    (void)state;
    char err[NS_ERRBUF_SIZE];
    struct ring *r = ring_create(64 * 1024, err);
    assert_non_null(r);
    assert_null(ring_reserve(r, ring_max_record(r) + 1));
    /* Fill until full, then drain one and check room comes back; repeat
     * long enough to wrap many times with odd sizes. */
    uint32_t next_w = 0, next_r = 0, type, len;
    for (int round = 0; round < 2000; round++) {
        uint32_t sz = 1 + (uint32_t)((round * 7919) % 9000);
        uint8_t *p = ring_reserve(r, sz);
        if (!p) {
            const uint8_t *q = ring_peek(r, &type, &len);
            assert_non_null(q);
            assert_int_equal(type, next_r);
            assert_int_equal(q[0], (uint8_t)next_r);
            assert_int_equal(q[len - 1], (uint8_t)next_r);
            next_r++;
            ring_release(r);
            continue;
        }
        memset(p, (int)(uint8_t)next_w, sz);
        ring_commit(r, next_w, sz);
        next_w++;
    }
    while (ring_peek(r, &type, &len)) {
        assert_int_equal(type, next_r);
        next_r++;
        ring_release(r);
    }
    assert_int_equal(next_r, next_w);
    assert_true(next_w > 100);
    ring_destroy(r);
}

/* A record that ends 8 bytes before the end of the buffer: the next one
 * must wrap without a header or marker running past it (ASan checks). */
static void ring_wrap_near_end(void **state)
{
    (void)state;
    char err[NS_ERRBUF_SIZE];
    struct ring *r = ring_create(64 * 1024, err);
    assert_non_null(r);
    uint32_t type, len;
    uint8_t *p = ring_reserve(r, 16);
    assert_non_null(p);
    ring_commit(r, 1, 16);
    assert_non_null(ring_peek(r, &type, &len));
    ring_release(r);
    for (uint32_t i = 0; i < 6000; i++) {
        p = ring_reserve(r, 8);
        assert_non_null(p);
        memset(p, (int)(uint8_t)i, 8);
        ring_commit(r, i, 8);
        const uint8_t *q = ring_peek(r, &type, &len);
        assert_non_null(q);
        assert_int_equal(type, i);
        assert_int_equal(len, 8);
        assert_int_equal(q[7], (uint8_t)i);
        ring_release(r);
    }
    ring_destroy(r);
}

#define STREAM_N 200000u

static void *producer(void *arg)
{
    struct ring *r = arg;
    for (uint32_t i = 0; i < STREAM_N; i++) {
        uint32_t sz = 4 + i % 700;
        uint8_t *p = ring_reserve_wait(r, sz);
        memcpy(p, &i, 4);
        for (uint32_t k = 4; k < sz; k++)
            p[k] = (uint8_t)(i + k);
        ring_commit(r, 7, sz);
    }
    return NULL;
}

static void ring_two_threads(void **state)
{
    (void)state;
    char err[NS_ERRBUF_SIZE];
    struct ring *r = ring_create(64 * 1024, err);
    assert_non_null(r);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, producer, r), 0);
    uint64_t bad = 0;
    for (uint32_t i = 0; i < STREAM_N; i++) {
        uint32_t type, len, v;
        const uint8_t *p = ring_peek_wait(r, &type, &len);
        memcpy(&v, p, 4);
        if (v != i || type != 7 || len != 4 + i % 700)
            bad++;
        for (uint32_t k = 4; k < len; k++)
            if (p[k] != (uint8_t)(i + k))
                bad++;
        ring_release(r);
    }
    pthread_join(t, NULL);
    assert_int_equal(bad, 0);
    ring_destroy(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ring_empty_and_order),
        cmocka_unit_test(ring_full_and_wrap),
        cmocka_unit_test(ring_wrap_near_end),
        cmocka_unit_test(ring_two_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
