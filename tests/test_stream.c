/* tests/test_stream.c: TCP reassembly (flow/stream.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "flow/stream.h"

/* What the callback saw, per direction. */
struct sink {
    char got[2][4096];
    size_t len[2];
    unsigned gaps[2], eofs[2], calls[2];
    unsigned events[SE_MAX];
    bool lines;                     /* consume whole lines only */
    size_t max_seen[2];             /* largest n given */
    uint64_t gap_bytes[2];
};

static size_t sink_deliver(void *ctx, int dir, const uint8_t *p, size_t n, unsigned flags,
                           uint64_t gap)
{
    struct sink *k = ctx;
    k->gap_bytes[dir] += gap;
    k->calls[dir]++;
    if (flags & APPL_GAP)
        k->gaps[dir]++;
    if (flags & APPL_EOF)
        k->eofs[dir]++;
    if (n > k->max_seen[dir])
        k->max_seen[dir] = n;
    size_t use = n;
    if (k->lines && !(flags & APPL_EOF)) {
        use = 0;
        for (size_t i = 0; i < n; i++)
            if (p[i] == '\n')
                use = i + 1;
    }
    if (k->len[dir] + use < sizeof(k->got[dir])) {
        memcpy(k->got[dir] + k->len[dir], p, use);
        k->len[dir] += use;
    }
    return use;
}

static void sink_event(void *ctx, int dir, enum stream_event ev)
{
    (void)dir;
    ((struct sink *)ctx)->events[ev]++;
}

struct fixture {
    struct mempool mp;
    struct stream_ctx sc;
    struct stream s;
    struct sink k;
};

static void fx_init(struct fixture *fx, size_t memcap)
{
    char err[NS_ERRBUF_SIZE];
    memset(fx, 0, sizeof(*fx));
    assert_int_equal(mempool_init(&fx->mp, memcap, err), NS_OK);
    stream_config_defaults(&fx->sc.cfg);
    fx->sc.mp = &fx->mp;
    fx->sc.deliver = sink_deliver;
    fx->sc.event = sink_event;
    fx->sc.cb_ctx = &fx->k;
}

static void fx_fini(struct fixture *fx)
{
    stream_end(&fx->sc, &fx->s);
    assert_int_equal(fx->mp.in_use, 0);     /* everything given back */
    mempool_fini(&fx->mp);
}

static void seg(struct fixture *fx, int dir, uint8_t flags, uint32_t seq, uint32_t ack,
                const char *data)
{
    struct ns_decoded d;
    memset(&d, 0, sizeof(d));
    d.tcp_flags = flags;
    d.tcp_seq = seq;
    d.tcp_ack = ack;
    d.payload = (const uint8_t *)data;
    d.payload_len = data ? (uint32_t)strlen(data) : 0;
    stream_packet(&fx->sc, &fx->s, dir, &d);
}

#define SYN 0x02
#define ACK 0x10
#define FIN 0x01
#define RST 0x04

static void handshake(struct fixture *fx, uint32_t cisn, uint32_t sisn)
{
    seg(fx, 0, SYN, cisn, 0, NULL);
    seg(fx, 1, SYN | ACK, sisn, cisn + 1, NULL);
    seg(fx, 0, ACK, cisn + 1, sisn + 1, NULL);
}

static void got_is(struct fixture *fx, int dir, const char *want)
{
    assert_int_equal(fx->k.len[dir], strlen(want));
    assert_memory_equal(fx->k.got[dir], want, strlen(want));
}

static void test_in_order(void **state)
{
    (void)state;
    static struct fixture fx;
    fx_init(&fx, 1 << 20);
    handshake(&fx, 1000, 5000);
    seg(&fx, 0, ACK, 1001, 5001, "GET / ");
    seg(&fx, 0, ACK, 1007, 5001, "HTTP/1.1\r\n");
    seg(&fx, 1, ACK, 5001, 1017, "HTTP/1.1 200 OK\r\n");
    got_is(&fx, 0, "GET / HTTP/1.1\r\n");
    got_is(&fx, 1, "HTTP/1.1 200 OK\r\n");
    assert_int_equal(fx.k.gaps[0], 0);
    assert_int_equal(fx.mp.in_use, 0);      /* nothing copied */
    seg(&fx, 0, FIN | ACK, 1017, 5018, NULL);
    assert_int_equal(fx.k.eofs[0], 1);
    assert_int_equal(fx.k.eofs[1], 0);
    fx_fini(&fx);
    assert_int_equal(fx.k.eofs[0], 1);      /* not twice */
    assert_int_equal(fx.k.eofs[1], 1);
}

static void test_out_of_order(void **state)
{
    (void)state;
    static struct fixture fx;
    fx_init(&fx, 1 << 20);
    handshake(&fx, 1000, 5000);
    seg(&fx, 0, ACK, 1011, 5001, "KLMNO");
    seg(&fx, 0, ACK, 1006, 5001, "FGHIJ");
    assert_int_equal(fx.k.len[0], 0);
    assert_int_equal(fx.sc.stats[SS_OOO], 2);
    seg(&fx, 0, ACK, 1001, 5001, "ABCDE");
    got_is(&fx, 0, "ABCDEFGHIJKLMNO");
    assert_int_equal(fx.k.gaps[0], 0);
    assert_int_equal(fx.mp.in_use, 0);
    fx_fini(&fx);
}

static void test_overlap_first_wins(void **state)
{
    (void)state;
    static struct fixture fx;
    fx_init(&fx, 1 << 20);
    handshake(&fx, 1000, 5000);
    seg(&fx, 0, ACK, 1006, 5001, "fghij");      /* queued first */
    seg(&fx, 0, ACK, 1004, 5001, "dEFGHIJk");    /* overlaps it, differs */
    assert_int_equal(fx.sc.stats[SS_OVERLAP_DIFF], 1);
    assert_int_equal(fx.k.events[SE_OVERLAP_DIFF], 1);
    seg(&fx, 0, ACK, 1001, 5001, "abcXX");       /* overlaps queued 'de' */
    got_is(&fx, 0, "abcdEfghijk");
    /* a retransmission of delivered bytes with other data changes nothing */
    seg(&fx, 0, ACK, 1001, 5001, "ZZZZZ");
    got_is(&fx, 0, "abcdEfghijk");
    fx_fini(&fx);
}

static void test_gap_on_ack(void **state)
{
    (void)state;
    static struct fixture fx;
    fx_init(&fx, 1 << 20);
    handshake(&fx, 1000, 5000);
    seg(&fx, 0, ACK, 1001, 5001, "one\n");
    /* "two\n" (1005..1008) lost from the capture */
    seg(&fx, 0, ACK, 1009, 5001, "three\n");
    assert_int_equal(fx.k.gaps[0], 0);
    seg(&fx, 1, ACK, 5001, 1015, NULL);          /* server acked it all */
    got_is(&fx, 0, "one\nthree\n");
    assert_int_equal(fx.k.gaps[0], 1);
    assert_int_equal(fx.k.gap_bytes[0], 4);
    assert_int_equal(fx.sc.stats[SS_GAP], 1);
    assert_int_equal(fx.k.events[SE_SEQ_GAP], 1);
    fx_fini(&fx);
}

static void test_gap_at_end(void **state)
{
    (void)state;
    static struct fixture fx;
    fx_init(&fx, 1 << 20);
    handshake(&fx, 1000, 5000);
    seg(&fx, 0, ACK, 1001, 5001, "aa");
    seg(&fx, 0, ACK, 1010, 5001, "zz");
    fx_fini(&fx);
    got_is(&fx, 0, "aazz");
    assert_int_equal(fx.k.gaps[0], 1);
    assert_int_equal(fx.k.eofs[0], 1);
}

static void test_pending_lines(void **state)
{
    (void)state;
    static struct fixture fx;
    fx_init(&fx, 1 << 20);
    fx.k.lines = true;
    handshake(&fx, 1000, 5000);
    seg(&fx, 0, ACK, 1001, 5001, "EHLO ");
    assert_int_equal(fx.k.len[0], 0);
    seg(&fx, 0, ACK, 1006, 5001, "x\r\nMAIL");
    got_is(&fx, 0, "EHLO x\r\n");
    seg(&fx, 0, ACK, 1013, 5001, " FROM:<a>\r\n");
    got_is(&fx, 0, "EHLO x\r\nMAIL FROM:<a>\r\n");
    assert_int_equal(fx.mp.in_use, 0);      /* pending freed once used */
    fx_fini(&fx);
}

/* A callback that never consumes: pending is capped, then dropped. */
static void test_pending_overflow(void **state)
{
    (void)state;
    static struct fixture fx;
    static char big[1401];
    fx_init(&fx, 4 << 20);
    fx.k.lines = true;
    memset(big, 'x', sizeof(big) - 1);
    handshake(&fx, 1000, 5000);
    uint32_t seq = 1001;
    for (int i = 0; i < 60; i++, seq += 1400)
        seg(&fx, 0, ACK, seq, 5001, big);
    assert_true(fx.sc.stats[SS_PENDING_DROP] >= 1);
    assert_true(fx.k.max_seen[0] <= APPL_PENDING_MAX);
    assert_true(fx.k.gaps[0] >= 1);
    fx_fini(&fx);
}

static void test_depth(void **state)
{
    (void)state;
    static struct fixture fx;
    fx_init(&fx, 1 << 20);
    fx.sc.cfg.depth = 8;
    handshake(&fx, 1000, 5000);
    seg(&fx, 0, ACK, 1001, 5001, "12345");
    seg(&fx, 0, ACK, 1006, 5001, "67890");
    seg(&fx, 0, ACK, 1011, 5001, "abc");
    got_is(&fx, 0, "12345678");
    assert_int_equal(fx.k.eofs[0], 1);
    assert_int_equal(fx.sc.stats[SS_DEPTH], 1);
    assert_false(stream_active(&fx.s, 0));
    assert_true(stream_active(&fx.s, 1));
    fx_fini(&fx);
}

static void test_midstream(void **state)
{
    (void)state;
    static struct fixture fx;
    fx_init(&fx, 1 << 20);
    seg(&fx, 0, ACK, 7000, 9000, "late");
    assert_int_equal(fx.k.len[0], 0);
    assert_int_equal(fx.sc.stats[SS_NO_SYN], 1);
    fx_fini(&fx);

    fx_init(&fx, 1 << 20);
    fx.sc.cfg.midstream = true;
    seg(&fx, 0, ACK, 7000, 9000, "late");
    seg(&fx, 0, ACK, 7004, 9000, "r");
    got_is(&fx, 0, "later");
    assert_int_equal(fx.sc.stats[SS_MIDSTREAM], 1);
    fx_fini(&fx);
}

static void test_memcap(void **state)
{
    (void)state;
    static struct fixture fx;
    static char blk[1001];
    memset(blk, 'q', sizeof(blk) - 1);
    fx_init(&fx, 8192);                 /* a few segments' worth */
    handshake(&fx, 1000, 5000);
    seg(&fx, 0, ACK, 1001, 5001, "a");
    for (uint32_t i = 0; i < 20; i++)   /* a hole at 1002 that never fills */
        seg(&fx, 0, ACK, 1003 + i * 1000, 5001, blk);
    assert_true(fx.sc.stats[SS_MEMCAP] >= 1);
    assert_true(fx.k.gaps[0] >= 1);     /* delivered across the hole */
    assert_true(fx.k.len[0] > 1);
    assert_true(fx.mp.in_use <= 8192);
    fx_fini(&fx);
}

static void test_seq_wrap(void **state)
{
    (void)state;
    static struct fixture fx;
    fx_init(&fx, 1 << 20);
    handshake(&fx, 0xfffffffau, 5000);
    seg(&fx, 0, ACK, 0x00000001u, 5001, "world");      /* ahead, wrapped */
    seg(&fx, 0, ACK, 0xfffffffbu, 5001, "hello!");
    got_is(&fx, 0, "hello!world");
    fx_fini(&fx);
}

/* A segment 2^31 from next_seq is out of the window either way: not
 * delivered, and what follows in order still is. */
static void test_seq_half_space(void **state)
{
    (void)state;
    static struct fixture fx;
    fx_init(&fx, 1 << 20);
    handshake(&fx, 0xffffff00u, 5000);
    seg(&fx, 0, ACK, 0xffffff01u + 0x80000000u, 5001, "junk");
    seg(&fx, 0, ACK, 0xffffff01u, 5001, "good");
    got_is(&fx, 0, "good");
    fx_fini(&fx);
}

static void test_rst_ends(void **state)
{
    (void)state;
    static struct fixture fx;
    fx_init(&fx, 1 << 20);
    handshake(&fx, 1000, 5000);
    seg(&fx, 1, ACK, 5001, 1001, "banner");
    seg(&fx, 0, RST | ACK, 1001, 5007, NULL);
    assert_int_equal(fx.k.eofs[0], 1);
    assert_int_equal(fx.k.eofs[1], 1);
    seg(&fx, 1, ACK, 5007, 1001, "more");   /* after the end: ignored */
    got_is(&fx, 1, "banner");
    fx_fini(&fx);
}

static void test_stop(void **state)
{
    (void)state;
    static struct fixture fx;
    fx_init(&fx, 1 << 20);
    handshake(&fx, 1000, 5000);
    seg(&fx, 0, ACK, 1005, 5001, "later");
    assert_true(fx.mp.in_use > 0);
    stream_stop(&fx.sc, &fx.s, 0);
    assert_int_equal(fx.mp.in_use, 0);
    seg(&fx, 0, ACK, 1001, 5001, "abcd");
    assert_int_equal(fx.k.len[0], 0);
    fx_fini(&fx);
    assert_int_equal(fx.k.eofs[0], 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_in_order),
        cmocka_unit_test(test_out_of_order),
        cmocka_unit_test(test_overlap_first_wins),
        cmocka_unit_test(test_gap_on_ack),
        cmocka_unit_test(test_gap_at_end),
        cmocka_unit_test(test_pending_lines),
        cmocka_unit_test(test_pending_overflow),
        cmocka_unit_test(test_depth),
        cmocka_unit_test(test_midstream),
        cmocka_unit_test(test_memcap),
        cmocka_unit_test(test_seq_wrap),
        cmocka_unit_test(test_seq_half_space),
        cmocka_unit_test(test_rst_ends),
        cmocka_unit_test(test_stop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
