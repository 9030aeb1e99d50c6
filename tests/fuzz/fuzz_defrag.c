/* tests/fuzz/fuzz_defrag.c: libFuzzer target for IP fragment reassembly
 * (dissect/defrag.c) as dissect_packet drives it.  The input chooses the
 * limits and then a sequence of fragments; the target builds each one as
 * a raw IPv4 or IPv6 packet (IPv6 with the Fragment header, behind an
 * optional Destination Options header) and hands it to dissect_packet in
 * one context, so that fragments of many datagrams interleave, overlap,
 * collide, time out and hit every limit.
 *
 *   byte 0: limits: bits 0-1 trackers (1, 2, 4, 16), bits 2-3 fragments
 *           per datagram (2, 4, 8, 64), bits 4-5 memcap (1, 2, 8, 128
 *           KiB), bit 6 timeout 1 s (else 60 s)
 *   then per fragment: [kind][id][off hi][off lo][len][dt][len bytes data]
 *     kind: bit 0 IPv6, bit 1 MF, bits 2-3 address pair, bit 4 a
 *           Destination Options header first (IPv6), bits 5-7 protocol
 *           (UDP, TCP, ICMP, ICMPv6, GRE, 0, 255, IPIP)
 *     id:   the datagram id (IPv4 16 bits: id * 257; IPv6 32 bits)
 *     off:  fragment offset in 8-byte units (13 bits)
 *     len:  payload bytes (a short input gives fewer)
 *     dt:   packet time advance, 10 ms units; 255 also runs dissect_expire
 * At the end every tracker is expired and the pool must be empty again.
 * Built and run by `make fuzz`. */
#include <stdlib.h>

#include "dissect/dissect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t fuzz_protos[8] = { 17, 6, 1, 58, 47, 0, 255, 4 };

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static size_t fuzz_frag(uint8_t *pkt, unsigned kind, unsigned id, unsigned off,
                        const uint8_t *pl, size_t n)
{
    unsigned pair = (kind >> 2) & 3;
    uint8_t proto = fuzz_protos[kind >> 5];
    bool mf = kind & 2;
    size_t h;
    if (!(kind & 1)) {
        h = 20;
        memset(pkt, 0, h);
        pkt[0] = 0x45;
        put16(pkt + 2, (uint16_t)(h + n));
        put16(pkt + 4, (uint16_t)(id * 257u));
        put16(pkt + 6, (uint16_t)((mf ? 0x2000 : 0) | (off & 0x1fff)));
        pkt[8] = 64;
        pkt[9] = proto;
        pkt[12] = 10; pkt[15] = (uint8_t)(1 + (pair & 1));
        pkt[16] = 10; pkt[19] = (uint8_t)(3 + (pair >> 1));
    } else {
        bool dopt = kind & 0x10;
        h = 40 + (dopt ? 8 : 0) + 8;
        memset(pkt, 0, h);
        pkt[0] = 0x60;
        put16(pkt + 4, (uint16_t)(h - 40 + n));
        pkt[6] = dopt ? 60 : 44;
        pkt[7] = 64;
        pkt[8] = 0x20; pkt[9] = 0x01; pkt[23] = (uint8_t)(1 + (pair & 1));
        pkt[24] = 0x20; pkt[25] = 0x01; pkt[39] = (uint8_t)(3 + (pair >> 1));
        uint8_t *x = pkt + 40;
        if (dopt) {
            x[0] = 44;          /* next: Fragment; hdr len 0; PadN of 4 */
            x[2] = 1;
            x[3] = 4;
            x += 8;
        }
        x[0] = proto;
        put16(x + 2, (uint16_t)(((off & 0x1fff) << 3) | (mf ? 1 : 0)));
        uint32_t id32 = id * 0x01010101u;
        x[4] = (uint8_t)(id32 >> 24); x[5] = (uint8_t)(id32 >> 16);
        x[6] = (uint8_t)(id32 >> 8); x[7] = (uint8_t)id32;
    }
    memcpy(pkt + h, pl, n);
    return h + n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint32_t trackers[4] = { 1, 2, 4, 16 }, frags[4] = { 2, 4, 8, 64 },
                          memcap[4] = { 1024, 2048, 8192, 131072 };
    if (size < 1)
        return 0;
    struct dissect_config cfg;
    dissect_config_defaults(&cfg);
    cfg.defrag_max_trackers = trackers[data[0] & 3];
    cfg.defrag_max_frags = frags[(data[0] >> 2) & 3];
    cfg.defrag_memcap = memcap[(data[0] >> 4) & 3];
    cfg.defrag_timeout_s = (data[0] & 0x40) ? 1 : 60;
    data++;
    size--;
    struct dissect_ctx dc;
    char errbuf[NS_ERRBUF_SIZE];
    if (dissect_ctx_init(&dc, &cfg, errbuf) != NS_OK)
        abort();
    uint64_t cap0, use0, cap, use;
    dissect_defrag_memuse(&dc, &cap0, &use0);
    uint64_t now_us = 1000000;
    static uint8_t pkt[64 + 256];
    while (size >= 6) {
        unsigned kind = data[0], id = data[1], off = (unsigned)data[2] << 8 | data[3];
        size_t n = data[4];
        unsigned dt = data[5];
        data += 6;
        size -= 6;
        if (n > size)
            n = size;
        size_t len = fuzz_frag(pkt, kind, id, off, data, n);
        data += n;
        size -= n;
        now_us += (uint64_t)dt * 10000u;
        if (dt == 255)
            dissect_expire(&dc, now_us);
        /* an exact-size copy, so that a read past the end is caught */
        uint8_t *frame = malloc(len);
        if (!frame)
            abort();
        memcpy(frame, pkt, len);
        struct ns_pkt p = {
            .data = frame, .caplen = (uint32_t)len, .wirelen = (uint32_t)len,
            .ts_us = now_us, .pcap_cnt = 1, .dlt = DISSECT_DLT_RAW101,
        };
        struct ns_decoded d;
        enum dissect_result r = dissect_packet(&dc, &p, &d);
        if (d.nevents > DISSECT_MAX_EVENTS)
            abort();
        if (r == DISSECT_DECODED && d.payload_len) {
            volatile uint8_t v = d.payload[0];
            v = d.payload[d.payload_len - 1];
            (void)v;
        }
        if (r == DISSECT_DECODED && d.defragged && d.l3_hdr_len) {
            volatile uint8_t v = d.l3_hdr[d.l3_hdr_len - 1];
            (void)v;
        }
        free(frame);
        dissect_defrag_memuse(&dc, &cap, &use);
        if (cap != cap0 || use > cap)
            abort();        /* the pool never grows past what it took */
    }
    /* expired, every tracker gives its memory back */
    dissect_expire(&dc, now_us + 3600u * 1000000u);
    dissect_defrag_memuse(&dc, &cap, &use);
    if (use != use0)
        abort();
    dissect_ctx_fini(&dc);
    return 0;
}
