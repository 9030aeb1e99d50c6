/* tests/fuzz/fuzz_pipeline.c: libFuzzer target for the whole offline
 * pipeline but the writer: the input is a pcap or pcapng file, read from
 * memory by the reader (reader_open_file, reader_run) into the ring of one
 * real worker thread (engine/worker.c: dissect, flow table, TCP
 * reassembly, every app-layer parser, rollups, the anomaly feeds and a
 * small rule set of packet, stream, app-layer, pcre, flowbits and
 * threshold rules on Hyperscan), under small memory limits; the worker's
 * output records are drained as the writer takes them, its flow records
 * formatted as EVE flow lines.  Everything but the rules is made afresh
 * per input.  Seeds: captures (tests/pcaps, $(SHARED)/corpus).  Built and
 * run by `make fuzz`. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "engine/detect.h"
#include "engine/engine_int.h"
#include "engine/reader.h"
#include "tests/fuzz/fuzz_capture.h"
#include "engine/worker.h"
#include "output/eve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fuzz_rules[] =
    "alert icmp any any -> any any (msg:\"icmp\"; itype:8; sid:1; rev:1;)\n"
    "alert tcp any any -> any any (msg:\"syn\"; flags:S; sid:2; rev:1;)\n"
    "alert http any any -> any any (msg:\"http get\"; http.method; content:\"GET\"; http.uri; content:\"/\"; sid:3; rev:1;)\n"
    "alert http any any -> any any (msg:\"http host pcre\"; http.host; pcre:\"/^[a-z]+\\.(com|org)$/\"; sid:4; rev:1;)\n"
    "alert dns any any -> any any (msg:\"dns query\"; dns.query; content:\"example\"; nocase; sid:5; rev:1;)\n"
    "alert tls any any -> any any (msg:\"tls sni\"; tls.sni; content:\".com\"; endswith; sid:6; rev:1;)\n"
    "alert tcp any any -> any 80 (msg:\"stream content\"; flow:established,to_server; content:\"User-Agent|3a|\"; sid:7; rev:1;)\n"
    "alert udp any any -> any any (msg:\"udp bytes\"; content:\"|00 01|\"; offset:2; depth:2; byte_test:1,>,0,0; sid:8; rev:1;)\n"
    "alert ip any any -> any any (msg:\"flowbits set\"; content:\"login\"; flowbits:set,seen_login; flowbits:noalert; sid:9; rev:1;)\n"
    "alert ip any any -> any any (msg:\"flowbits isset\"; content:\"pass\"; flowbits:isset,seen_login; sid:10; rev:1;)\n"
    "alert ssh any any -> any any (msg:\"ssh\"; ssh.software; content:\"OpenSSH\"; sid:11; rev:1;)\n"
    "alert tcp any any -> any any (msg:\"threshold\"; content:\"a\"; threshold:type limit,track by_src,count 1,seconds 60; sid:12; rev:1;)\n";

static const char *const fuzz_sets[] = {
    "flow.memcap=1mb", "flow.hash-size=1024", "stream.memcap=1mb", "defrag.memcap=256kb",
    "defrag.trackers=64", "stream.reassembly.depth=64kb", "stream.midstream=yes",
};

static struct ns_config cfg;
static struct detect_gen *slot;

static void fuzz_init(void)
{
    char errbuf[NS_ERRBUF_SIZE];
    int fd = memfd_create("fuzz_pipeline.rules", 0);
    if (fd < 0 || write(fd, fuzz_rules, sizeof(fuzz_rules) - 1) != (ssize_t)(sizeof(fuzz_rules) - 1))
        abort();
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    config_defaults(&cfg);
    for (size_t i = 0; i < sizeof(fuzz_sets) / sizeof(fuzz_sets[0]); i++)
        if (config_set(&cfg, fuzz_sets[i], errbuf) != NS_OK) {
            fprintf(stderr, "fuzz_pipeline: %s\n", errbuf);
            abort();
        }
    cfg.threads = 1;
    cfg.stats_interval = 1;
    if (config_strlist_add(&cfg.rule_files, path, strlen(path)) != NS_OK ||
        config_memory_resolve(&cfg, 1, false, errbuf) != NS_OK) {
        fprintf(stderr, "fuzz_pipeline: %s\n", errbuf);
        abort();
    }
    FILE *log = fopen("/dev/null", "w");
    slot = detect_gen_create(&cfg, 1, 1, log, errbuf);
    if (!slot) {
        fprintf(stderr, "fuzz_pipeline: %s\n", errbuf);
        abort();
    }
    struct detect_info di;
    detect_get_info(slot->d, &di);
    cfg.rules_loaded = true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    static char line[256 * 1024];
    if (!ready) {
        fuzz_init();
        ready = true;
    }
    struct reader *rd = fuzz_open_capture(data, size);
    if (!rd)
        return 0;
    char errbuf[NS_ERRBUF_SIZE];
    /* the reader never waits on these (fuzz_reader.c says why) */
    size_t recs = size / 12 + 2;
    struct ring *in = ring_create(2 * size + recs * 256, errbuf);
    struct ring *out = ring_create(1u << 20, errbuf);
    struct ring *snaps = ring_create(recs * (sizeof(struct ns_snap) + 64), errbuf);
    if (!in || !out || !snaps)
        abort();
    struct worker *w = worker_create(0, &cfg, reader_dlt(rd), "fuzz.pcap", in, out, errbuf);
    if (!w || worker_set_detect(w, &slot, errbuf) != NS_OK || worker_start(w, errbuf) != NS_OK)
        abort();
    atomic_bool stop = false;
    (void)reader_run(rd, &in, 1, snaps, cfg.stats_interval, cfg.rollup.interval, &stop, errbuf);
    reader_close(rd);
    /* the writer's side of the worker's ring, until its REC_DONE */
    struct eve_ctx ec;
    eve_ctx_init(&ec, "fuzz.pcap", NULL);
    for (;;) {
        uint32_t type, len;
        const void *rec = ring_peek_wait(out, &type, &len);
        if (type == REC_DONE) {
            ring_release(out);
            break;
        }
        if (type == REC_FLOW) {
            if (len < sizeof(struct rec_flow))
                abort();
            const struct rec_flow *rf = rec;
            (void)eve_flow(&ec, line, sizeof(line), &rf->f, (enum flow_end_reason)rf->reason);
        } else if (type == REC_JSON && len && ((const char *)rec)[len - 1] != '\n') {
            abort();                /* an EVE line is whole */
        }
        ring_release(out);
    }
    worker_join(w);
    worker_destroy(w);
    ring_destroy(in);
    ring_destroy(out);
    ring_destroy(snaps);
    return 0;
}
