/* tests/fuzz/fuzz_tls.c: libFuzzer target for tls_feed (and the x509
 * reader behind it) and eve_tls.  The input is a conversation in
 * tests/fuzz/fuzz_appl.h's chunk format (seeds: tests/fuzz/seed.py
 * --chunks); a chunk that carries APPL_GAP also gets a known loss length
 * (cb->gap) taken from its first byte, so both ways of recovering are
 * exercised.  Every transaction is formatted as a record, which must fit
 * a 64 KiB line, and its strings must stay within their limits.  Built and
 * run by `make fuzz`. */
#include <stdlib.h>

#include "dissect/tls.h"
#include "output/eve_tls.h"
#include "tests/fuzz/fuzz_appl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fuzz_tls_ntx;

static void fuzz_tls_tx(void *ctx, const void *txp)
{
    static char rec[64 * 1024];
    (void)ctx;
    const struct tls_tx *tx = txp;
    if (++fuzz_tls_ntx > 1)
        abort();                /* one transaction per flow */
    if (!tx->client_hello && !tx->server_hello)
        abort();
    if (tx->ja3_len > TLS_JA3_MAX || tx->ja3s_len > TLS_JA3S_MAX ||
        tx->client_alpns_len > TLS_ALPNS_MAX || tx->server_alpns_len > TLS_SERVER_ALPNS_MAX ||
        tx->sni_len > TLS_SNI_MAX || tx->cert.subject_len > X509_NAME_MAX ||
        tx->cert.issuer_len > X509_NAME_MAX || tx->cert.serial_len >= X509_SERIAL_TEXT)
        abort();
    if (tx->has_ja4 && strlen(tx->ja4) != TLS_JA4_LEN)
        abort();
    struct eve_ctx ec;
    eve_ctx_init(&ec, "fuzz.pcap", NULL);
    struct flow f;
    memset(&f, 0, sizeof(f));
    f.flow_id = 1;
    f.ip_v = 4;
    f.proto = 6;
    f.srv_port = 443;
    if (eve_tls(&ec, rec, sizeof(rec), &f, 1, 1, 0, tx) == 0)
        abort();                /* bounded fields always fit */
}

static size_t fuzz_tls_feed(void *s, bool toserver, const uint8_t *p, size_t n, unsigned flags,
                            const struct appl_cb *cb)
{
    struct appl_cb c = *cb;
    if ((flags & APPL_GAP) && n > 0)
        c.gap = p[0] & 0x80 ? 0 : (uint64_t)p[0] * 37;
    return tls_feed(s, toserver, p, n, flags, &c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct tls_state st;
    tls_state_init(&st);
    fuzz_tls_ntx = 0;
    struct appl_cb cb = { .tx = fuzz_tls_tx, .anomaly = fuzz_appl_anomaly };
    fuzz_appl_run(data, size, &st, fuzz_tls_feed, &cb);
    return 0;
}
