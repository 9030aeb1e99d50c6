/* tests/fuzz/fuzz_ssh.c: libFuzzer target for ssh_feed and eve_ssh.  The
 * input is a conversation in tests/fuzz/fuzz_appl.h's chunk format (seeds:
 * tests/fuzz/seed.py --chunks); every transaction is formatted as a
 * record, which must fit a 64 KiB line.  Built and run by `make fuzz`. */
#include <stdlib.h>

#include "dissect/ssh.h"
#include "output/eve_ssh.h"
#include "tests/fuzz/fuzz_appl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fuzz_ssh_ntx;

static void fuzz_ssh_tx(void *ctx, const void *txp)
{
    static char rec[64 * 1024];
    (void)ctx;
    const struct ssh_tx *tx = txp;
    if (++fuzz_ssh_ntx > 1)
        abort();                /* one transaction per flow */
    struct eve_ctx ec;
    eve_ctx_init(&ec, "fuzz.pcap", NULL);
    struct flow f;
    memset(&f, 0, sizeof(f));
    f.flow_id = 1;
    f.ip_v = 4;
    f.proto = 6;
    f.srv_port = 22;
    if (eve_ssh(&ec, rec, sizeof(rec), &f, 1, 1, tx->tx_id, tx) == 0)
        abort();                /* bounded sides always fit */
}

static size_t fuzz_ssh_feed(void *s, bool toserver, const uint8_t *p, size_t n, unsigned flags,
                            const struct appl_cb *cb)
{
    return ssh_feed(s, toserver, p, n, flags, cb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct ssh_state st;
    ssh_state_init(&st);
    fuzz_ssh_ntx = 0;
    struct appl_cb cb = { .tx = fuzz_ssh_tx, .anomaly = fuzz_appl_anomaly };
    fuzz_appl_run(data, size, &st, fuzz_ssh_feed, &cb);
    return 0;
}
