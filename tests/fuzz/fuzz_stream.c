/* tests/fuzz/fuzz_stream.c: libFuzzer target for TCP reassembly
 * (flow/stream.c): segments with chosen sequence and acknowledgement
 * numbers, flags and payloads, in both directions, out of order,
 * overlapping, with holes, across the 2^32 wrap, under small memcaps and
 * segment limits, delivered to a stub consumer that takes all, none, half
 * or all but one of what it is given (so unconsumed bytes are kept and
 * given again).
 *
 *   header: [cfg][isn client 4][isn server 4]
 *     cfg: bit 0 midstream, bits 1-2 depth (0, 64, 1000, 65536), bits 3-4
 *          max_segs (1, 4, 16, 1024), bits 5-6 mempool (4 KiB, 16 KiB,
 *          64 KiB, 1 MiB), bit 7 pattern payloads
 *   per segment: [ctl][tcp flags][seq 2][ack 2][len][len bytes unless
 *                 pattern]
 *     ctl: bit 0 from the server, bits 1-2 how much the consumer takes,
 *          bit 3 stream_stop this direction afterwards, bit 4 seq
 *          2^31 further, bit 5 a jump of 2^16 * (the high nibble)
 *     seq: from the sender's isn; ack: from the other side's isn
 * With pattern payloads each byte is the low byte of its own sequence
 * number, so every delivery is checked to be contiguous, and to follow
 * the previous one unless it carries APPL_GAP.  No delivery may follow
 * APPL_EOF, none may be consumed past its length, and after stream_end
 * the mempool must be empty.  Built and run by `make fuzz`. */
#include <stdlib.h>

#include "flow/stream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_consumer {
    unsigned take[2];               /* 0 all, 1 none, 2 half, 3 all but one */
    bool eof[2];
    bool pattern;
    bool have_next[2];
    uint8_t next[2];                /* the byte expected next (pattern) */
};

static size_t fuzz_deliver(void *ctx, int dir, const uint8_t *p, size_t n, unsigned flags,
                           uint64_t gap)
{
    struct fuzz_consumer *c = ctx;
    (void)gap;
    if (dir < 0 || dir > 1 || c->eof[dir])
        abort();                    /* nothing after APPL_EOF */
    if (n) {
        volatile uint8_t v = p[0];  /* ASan checks the range */
        v = p[n - 1];
        (void)v;
    }
    if (c->pattern && n) {
        if ((flags & APPL_GAP) || !c->have_next[dir])
            c->next[dir] = p[0];
        for (size_t i = 0; i < n; i++)
            if (p[i] != (uint8_t)(c->next[dir] + i))
                abort();            /* out of order, duplicated or lost */
    } else if (flags & APPL_GAP) {
        c->have_next[dir] = false;
    }
    size_t used;
    switch (c->take[dir]) {
    case 0: used = n; break;
    case 1: used = 0; break;
    case 2: used = n / 2; break;
    default: used = n ? n - 1 : 0; break;
    }
    if (flags & APPL_EOF) {
        c->eof[dir] = true;
        used = n;
    }
    if (n) {
        c->next[dir] = (uint8_t)(c->next[dir] + used);
        c->have_next[dir] = true;
    }
    return used;
}

static void fuzz_event(void *ctx, int dir, enum stream_event ev)
{
    (void)ctx;
    if (dir < 0 || dir > 1 || (unsigned)ev >= SE_MAX)
        abort();
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint32_t depths[4] = { 0, 64, 1000, 65536 }, segs[4] = { 1, 4, 16, 1024 };
    static const size_t pools[4] = { 4096, 16384, 65536, 1u << 20 };
    static struct mempool mp[4];
    static bool ready;
    char errbuf[NS_ERRBUF_SIZE];
    if (!ready) {
        for (int i = 0; i < 4; i++)
            if (mempool_init(&mp[i], pools[i], errbuf) != NS_OK)
                abort();
        ready = true;
    }
    if (size < 9)
        return 0;
    unsigned cfgb = data[0];
    uint32_t isn[2] = { rd32(data + 1), rd32(data + 5) };
    data += 9;
    size -= 9;
    struct fuzz_consumer c = { .pattern = cfgb & 0x80 };
    struct stream_ctx sc = {
        .mp = &mp[(cfgb >> 5) & 3], .deliver = fuzz_deliver, .event = fuzz_event, .cb_ctx = &c,
    };
    stream_config_defaults(&sc.cfg);
    sc.cfg.midstream = cfgb & 1;
    sc.cfg.depth = depths[(cfgb >> 1) & 3];
    sc.cfg.max_segs = segs[(cfgb >> 3) & 3];
    size_t in_use0 = sc.mp->in_use;
    struct stream s;
    memset(&s, 0, sizeof(s));
    static uint8_t pl[256];
    while (size >= 7) {
        unsigned ctl = data[0];
        int dir = ctl & 1;
        uint32_t seq = isn[dir] + ((uint32_t)data[2] << 8 | data[3]);
        uint32_t ack = isn[!dir] + ((uint32_t)data[4] << 8 | data[5]);
        if (ctl & 0x10)
            seq += 0x80000000u;
        if (ctl & 0x20)
            seq += (uint32_t)(ctl >> 4) << 16;
        size_t n = data[6];
        struct ns_decoded d;
        memset(&d, 0, sizeof(d));
        d.ip_v = 4;
        d.proto = 6;
        d.has_l4 = true;
        d.tcp_flags = data[1];
        d.tcp_seq = seq;
        d.tcp_ack = ack;
        data += 7;
        size -= 7;
        if (c.pattern) {
            for (size_t i = 0; i < n; i++)
                pl[i] = (uint8_t)(seq + i);
        } else {
            if (n > size)
                n = size;
            memcpy(pl, data, n);
            data += n;
            size -= n;
        }
        c.take[dir] = (ctl >> 1) & 3;
        /* an exact-size copy, so that a read past the end is caught */
        uint8_t *copy = malloc(n ? n : 1);
        if (!copy)
            abort();
        memcpy(copy, pl, n);
        d.payload = copy;
        d.payload_len = (uint32_t)n;
        stream_packet(&sc, &s, dir, &d);
        free(copy);
        if (ctl & 8)
            stream_stop(&sc, &s, dir);
        (void)stream_active(&s, dir);
    }
    c.take[0] = c.take[1] = 0;
    stream_end(&sc, &s);
    if (sc.mp->in_use != in_use0)
        abort();                    /* reassembly memory not given back */
    return 0;
}
