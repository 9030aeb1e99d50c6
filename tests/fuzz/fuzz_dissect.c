/* tests/fuzz/fuzz_dissect.c: libFuzzer target for dissect_packet and
 * dissect_worker_hash.  The first input byte picks the link type (its low
 * seven bits) and whether the frame was cut by the snap length (bit 7: the
 * wire length is then longer than the frame by 1 + 8 * its last byte), the
 * rest is the frame.  One context lives across inputs, with small defrag limits
 * so that fragments pile up, collide and hit every limit; packet time
 * advances a little per input and trackers are expired now and then.
 * Built by make fuzz (build/fuzz/fuzz_dissect) and run by tests/fuzz/run.sh.
 */
#include <stdlib.h>

#include "dissect/dissect.h"

static const int fuzz_dlts[] = {
    DISSECT_DLT_EN10MB, DISSECT_DLT_SLL, DISSECT_DLT_SLL2, DISSECT_DLT_NULL,
    DISSECT_DLT_LOOP, DISSECT_DLT_RAW, DISSECT_DLT_RAW14, DISSECT_DLT_RAW101,
    DISSECT_DLT_IPV4, DISSECT_DLT_IPV6,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct dissect_ctx dc;
    static bool ready;
    static uint64_t now_us = 1000000;
    if (!ready) {
        struct dissect_config cfg;
        char errbuf[NS_ERRBUF_SIZE];
        dissect_config_defaults(&cfg);
        cfg.defrag_max_trackers = 16;
        cfg.defrag_max_frags = 8;
        cfg.defrag_memcap = 64 * 1024;
        cfg.defrag_timeout_s = 1;
        if (dissect_ctx_init(&dc, &cfg, errbuf) != NS_OK)
            abort();
        ready = true;
    }
    if (size < 1)
        return 0;

    int dlt = fuzz_dlts[(data[0] & 0x7f) % (sizeof(fuzz_dlts) / sizeof(fuzz_dlts[0]))];
    /* an exact-size copy, so that a read past the end is caught */
    size_t n = size - 1;
    uint8_t *frame = malloc(n ? n : 1);
    if (!frame)
        return 0;
    memcpy(frame, data + 1, n);

    now_us += 10000;
    struct ns_pkt pkt = {
        .data = frame, .caplen = (uint32_t)n,
        .wirelen = (uint32_t)n + ((data[0] & 0x80) && n ? 1u + 8u * frame[n - 1] : 0u),
        .ts_us = now_us, .pcap_cnt = 1, .dlt = dlt,
    };
    struct ns_decoded d;
    enum dissect_result r = dissect_packet(&dc, &pkt, &d);
    if (r == DISSECT_INVALID && (d.nevents == 0 || d.events[0] >= DEV_MAX))
        abort();
    if (d.nevents > DISSECT_MAX_EVENTS)
        abort();
    if (r == DISSECT_DECODED && d.payload_len) {
        /* touch both ends of the payload: ASan checks the range */
        volatile uint8_t x = d.payload[0];
        x = d.payload[d.payload_len - 1];
        (void)x;
    }
    (void)dissect_worker_hash(dlt, frame, (uint32_t)n);
    if ((now_us / 10000) % 64 == 0)
        dissect_expire(&dc, now_us);
    free(frame);
    return 0;
}
