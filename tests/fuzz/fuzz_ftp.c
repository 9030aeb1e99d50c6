/* tests/fuzz/fuzz_ftp.c: libFuzzer target for the FTP control-channel
 * parser (dissect/ftp.h) driven as the engine drives it
 * (tests/fuzz/fuzz_appl.h), every transaction checked for reply lines
 * inside its text and formatted by the EVE writer.  Built by
 * `make build/fuzz/fuzz_ftp`; seeds: tests/fuzz/seed.py --chunks. */
#include <stdlib.h>

#include "tests/fuzz/fuzz_appl.h"

#include "dissect/ftp.h"
#include "output/eve_ftp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct eve_ctx ec;
static struct flow fl;
static char rec[128 * 1024];

static void on_tx(void *ctx, const void *tx)
{
    (void)ctx;
    const struct ftp_tx *t = tx;
    if (t->text_len > FTP_TX_TEXT_MAX || t->request_len > FTP_LINE_MAX ||
        t->request_len > t->text_len || t->nlines > FTP_REPLY_LINES_MAX ||
        t->command >= FTP_CMD_MAX)
        abort();
    for (unsigned i = 0; i < t->nlines; i++)
        if (t->line[i].off < t->request_len || (size_t)t->line[i].off + t->line[i].len > t->text_len)
            abort();
    if (eve_ftp(&ec, rec, sizeof(rec), &fl, 1700000000000000ull, 1, t->tx_id, t) == 0)
        abort();
}

static size_t feed(void *state, bool toserver, const uint8_t *p, size_t n, unsigned flags,
                   const struct appl_cb *cb)
{
    return ftp_feed(state, toserver, p, n, flags, cb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct ftp_state s;
    if (!fl.flow_id) {
        eve_ctx_init(&ec, "fuzz.pcap", NULL);
        fl.flow_id = 1;
        fl.ip_v = 4;
        fl.proto = 6;
        fl.cli_port = 1025;
        fl.srv_port = 21;
    }
    ftp_state_init(&s);
    struct appl_cb cb = { .tx = on_tx, .anomaly = fuzz_appl_anomaly };
    fuzz_appl_run(data, size, &s, feed, &cb);
    return 0;
}
