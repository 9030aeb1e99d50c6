/* tests/fuzz/fuzz_appl.h: drives an app-layer parser (dissect/applayer.h)
 * the way the engine does, for libFuzzer targets.  The input is a list of
 * chunks, each [flags][len hi][len lo][len bytes]: flags bit 0 set = sent
 * by the client, bit 1 = APPL_GAP before it; a short last chunk takes what
 * is left.  Each direction's unconsumed bytes are kept (at most
 * APPL_PENDING_MAX, else dropped and the next call carries APPL_GAP) and
 * given again with the next chunk, as the stream layer does; at the end
 * both directions get APPL_EOF.  tests/fuzz/seed.py --chunks writes seeds
 * in this format from real TCP conversations. */
#ifndef FUZZ_APPL_H
#define FUZZ_APPL_H

#include <stdlib.h>
#include <string.h>

#include "dissect/applayer.h"

typedef size_t (*fuzz_feed_fn)(void *state, bool toserver, const uint8_t *p, size_t n,
                               unsigned flags, const struct appl_cb *cb);

static void fuzz_appl_tx(void *ctx, const void *tx)
{
    (void)ctx;
    (void)tx;
}

static void fuzz_appl_anomaly(void *ctx, const char *event)
{
    (void)ctx;
    if (!event || !event[0])
        abort();            /* every anomaly has a name */
}

static void fuzz_appl_run(const uint8_t *data, size_t size, void *state, fuzz_feed_fn feed,
                          const struct appl_cb *cb_in)
{
    static uint8_t pend[2][APPL_PENDING_MAX + 65536];
    size_t plen[2] = { 0, 0 };
    unsigned pflags[2] = { 0, 0 };
    struct appl_cb cb = { .tx = fuzz_appl_tx, .anomaly = fuzz_appl_anomaly };
    if (cb_in)
        cb = *cb_in;
    while (size >= 1) {
        unsigned fl = data[0];
        size_t len = size >= 3 ? ((size_t)data[1] << 8 | data[2]) : 0;
        size_t hdr = size >= 3 ? 3 : size;
        data += hdr;
        size -= hdr;
        if (len > size)
            len = size;
        int dir = (fl & 1) ? 0 : 1;
        if (fl & 2) {
            plen[dir] = 0;
            pflags[dir] |= APPL_GAP;
        }
        memcpy(pend[dir] + plen[dir], data, len);
        plen[dir] += len;
        data += len;
        size -= len;
        size_t used = feed(state, dir == 0, pend[dir], plen[dir], pflags[dir], &cb);
        if (used > plen[dir])
            abort();        /* consumed more than it was given */
        pflags[dir] = 0;
        memmove(pend[dir], pend[dir] + used, plen[dir] - used);
        plen[dir] -= used;
        if (plen[dir] > APPL_PENDING_MAX) {
            plen[dir] = 0;
            pflags[dir] |= APPL_GAP;
        }
    }
    for (int dir = 0; dir < 2; dir++) {
        size_t used = feed(state, dir == 0, pend[dir], plen[dir], pflags[dir] | APPL_EOF, &cb);
        if (used > plen[dir])
            abort();
    }
}

#endif
