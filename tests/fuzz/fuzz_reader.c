/* tests/fuzz/fuzz_reader.c: libFuzzer target for the capture-file reader
 * (engine/reader.c): the input is a whole pcap or pcapng file, opened from
 * memory (fmemopen) through reader_open_file, read by reader_run into two
 * worker rings exactly as netscope reads a file (worker hash, ticks, stats
 * and rollup boundaries, snapshots), and every record the workers get is
 * then handled as a worker handles it: frames through dissect_packet (one
 * dissect context per worker, lasting across inputs, small defrag limits),
 * ticks through dissect_expire.  Everything is made afresh per input (so a
 * crash replays from its input alone), and the rings are sized so that
 * reader_run, which waits when a ring is full, never has to: a capture
 * record takes at least 12 bytes of the file and makes at most a frame, a
 * tick, a rollup boundary and a stats request (a snapshot for the writer's
 * ring).  Seeds: captures
 * (tests/pcaps, $(SHARED)/corpus).  Built and run by `make fuzz`. */
#include <stdlib.h>

#include "dissect/dissect.h"
#include "engine/engine_int.h"
#include "engine/reader.h"
#include "tests/fuzz/fuzz_capture.h"

#define FUZZ_NW 2

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ring *to_w[FUZZ_NW], *to_writer;
static struct dissect_ctx dc[FUZZ_NW];

static bool fuzz_init(size_t size)
{
    char errbuf[NS_ERRBUF_SIZE];
    struct dissect_config cfg;
    dissect_config_defaults(&cfg);
    cfg.defrag_max_trackers = 16;
    cfg.defrag_max_frags = 8;
    cfg.defrag_memcap = 64 * 1024;
    cfg.defrag_timeout_s = 2;
    size_t recs = size / 12 + 2;
    for (unsigned i = 0; i < FUZZ_NW; i++) {
        if (!(to_w[i] = ring_create(2 * size + recs * 256, errbuf)) ||
            dissect_ctx_init(&dc[i], &cfg, errbuf) != NS_OK)
            return false;
    }
    return (to_writer = ring_create(recs * (sizeof(struct ns_snap) + 64), errbuf)) != NULL;
}

static void fuzz_fini(void)
{
    for (unsigned i = 0; i < FUZZ_NW; i++) {
        ring_destroy(to_w[i]);
        to_w[i] = NULL;
        dissect_ctx_fini(&dc[i]);
    }
    ring_destroy(to_writer);
    to_writer = NULL;
}

/* What a worker does with its ring (engine/worker.c, worker_main). */
static void fuzz_drain_worker(unsigned i, int dlt)
{
    uint32_t type, len;
    const void *rec;
    bool eof = false;
    while ((rec = ring_peek(to_w[i], &type, &len)) != NULL) {
        if (eof)
            abort();                    /* nothing after REC_EOF */
        if (type == REC_PKT) {
            const struct rec_pkt *rp = rec;
            if (len < sizeof(*rp) || rp->caplen > len - sizeof(*rp))
                abort();
            struct ns_pkt pkt = {
                .data = (const uint8_t *)(rp + 1), .caplen = rp->caplen,
                .wirelen = rp->wirelen, .ts_us = rp->ts_us, .pcap_cnt = rp->pcap_cnt,
                .dlt = dlt,
            };
            struct ns_decoded d;
            enum dissect_result r = dissect_packet(&dc[i], &pkt, &d);
            if (r == DISSECT_DECODED && d.payload_len) {
                volatile uint8_t x = d.payload[0];
                x = d.payload[d.payload_len - 1];
                (void)x;
            }
        } else if (type == REC_TICK) {
            dissect_expire(&dc[i], ((const struct rec_tick *)rec)->ts_us);
        } else if (type == REC_EOF) {
            eof = true;
        }
        ring_release(to_w[i]);
    }
    if (!eof)
        abort();                        /* every ring gets its REC_EOF */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct reader *rd = fuzz_open_capture(data, size);
    if (!rd)
        return 0;
    char errbuf[NS_ERRBUF_SIZE];
    if (!fuzz_init(size))
        abort();
    atomic_bool stop = false;
    (void)reader_run(rd, to_w, FUZZ_NW, to_writer, 1, 2, &stop, errbuf);
    int dlt = reader_dlt(rd);
    reader_close(rd);
    for (unsigned i = 0; i < FUZZ_NW; i++)
        fuzz_drain_worker(i, dlt);
    uint32_t type, len;
    bool done = false;
    while (ring_peek(to_writer, &type, &len)) {
        done |= type == REC_DONE;
        ring_release(to_writer);
    }
    if (!done)
        abort();
    fuzz_fini();
    return 0;
}
