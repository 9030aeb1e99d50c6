/* tests/fuzz/fuzz_smtp.c: libFuzzer target for the SMTP parser
 * (dissect/smtp.h) driven as the engine drives it (tests/fuzz/fuzz_appl.h:
 * a conversation of chunks), every transaction checked for strings inside
 * its pool and formatted by the EVE writer with every optional field.
 * Built by `make build/fuzz/fuzz_smtp`; seeds: tests/fuzz/seed.py --chunks. */
#include <stdlib.h>

#include "tests/fuzz/fuzz_appl.h"

#include "dissect/smtp.h"
#include "output/eve_smtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct eve_ctx ec;
static struct flow fl;
static char rec[256 * 1024];

static void str_ok(const struct smtp_txdata *d, struct smtp_str s)
{
    if ((size_t)s.off + s.len > d->pool_len)
        abort();
}

static void on_tx(void *ctx, const void *tx)
{
    (void)ctx;
    const struct smtp_tx *t = tx;
    const struct smtp_txdata *d = t->d;
    if (d->pool_len > SMTP_POOL_SIZE || d->nrcpt > SMTP_RCPT_MAX ||
        d->nreceived > SMTP_RECEIVED_MAX || d->nattach > SMTP_ATTACH_MAX ||
        d->nurl > SMTP_URL_MAX || t->helo_len > SMTP_HELO_MAX || t->tx_id != d->tx_id)
        abort();
    if (d->has_mail_from)
        str_ok(d, d->mail_from);
    for (unsigned i = 0; i < SMTP_HDR_MAX; i++)
        if ((d->hdr_present >> i) & 1u)
            str_ok(d, d->hdr[i]);
    for (unsigned i = 0; i < d->nrcpt; i++)
        str_ok(d, d->rcpt[i]);
    for (unsigned i = 0; i < d->nreceived; i++)
        str_ok(d, d->received[i]);
    for (unsigned i = 0; i < d->nattach; i++)
        str_ok(d, d->attach[i]);
    for (unsigned i = 0; i < d->nurl; i++)
        str_ok(d, d->url[i]);
    if (eve_smtp_opts(&ec, rec, sizeof(rec), &fl, 1700000000000000ull, 1, t->tx_id, t, 0x3ffu) == 0)
        abort();                    /* the worst case fits easily */
}

static size_t feed(void *state, bool toserver, const uint8_t *p, size_t n, unsigned flags,
                   const struct appl_cb *cb)
{
    return smtp_feed(state, toserver, p, n, flags, cb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct smtp_state s;
    if (!fl.flow_id) {
        eve_ctx_init(&ec, "fuzz.pcap", NULL);
        fl.flow_id = 1;
        fl.ip_v = 4;
        fl.proto = 6;
        fl.cli_port = 1025;
        fl.srv_port = 25;
    }
    smtp_state_init(&s);
    s.opts.body_md5 = size & 1;
    s.opts.url_schemes = (uint8_t)(size >> 1);
    s.opts.url_log_scheme = size & 32;
    struct appl_cb cb = { .tx = on_tx, .anomaly = fuzz_appl_anomaly };
    fuzz_appl_run(data, size, &s, feed, &cb);
    return 0;
}
