/* tests/fuzz/fuzz_http.c: libFuzzer target for HTTP/1.x over a stream:
 * the header-block parser and the transaction layer (http_feed), driven
 * as the engine drives it (tests/fuzz/fuzz_appl.h: a conversation of
 * chunks, pending bytes kept, gaps, end of stream), every transaction
 * formatted as an EVE http record.  Built and run by `make fuzz`. */
#include <stdlib.h>

#include "dissect/http.h"
#include "output/eve.h"
#include "tests/fuzz/fuzz_appl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct eve_ctx ec;
static struct flow fl;

static void fuzz_http_tx(void *ctx, const void *txp)
{
    static char rec[64 * 1024];
    const struct http_tx *t = txp;
    (void)ctx;
    struct eve_http_tx e = {
        .f = &fl, .ts_us = 1, .pcap_cnt = 1, .tx_id = t->tx_id, .resp_len = t->resp_body,
        .req = t->req, .resp = t->resp, .req_p = t->req_p, .resp_p = t->resp_p,
    };
    (void)eve_http(&ec, rec, sizeof(rec), &e);
}

static size_t fuzz_http_feed(void *state, bool toserver, const uint8_t *p, size_t n,
                             unsigned flags, const struct appl_cb *cb)
{
    return http_feed(state, toserver, p, n, flags, cb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct http_state s;
    memset(&s, 0, sizeof(s));
    eve_ctx_init(&ec, "fuzz.pcap", NULL);
    memset(&fl, 0, sizeof(fl));
    fl.flow_id = 1;
    fl.ip_v = 4;
    fl.proto = 6;
    struct appl_cb cb = { .tx = fuzz_http_tx, .anomaly = fuzz_appl_anomaly };
    fuzz_appl_run(data, size, &s, fuzz_http_feed, &cb);
    /* and the block parser on the raw input */
    struct http_msg m;
    if (http_parse(data, size, &m) == HTTP_ERR_OK)
        (void)http_header(&m, data, "host");
    return 0;
}
