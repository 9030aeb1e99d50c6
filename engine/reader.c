/* engine/reader.c: pcap/pcapng file reader and dispatcher (see reader.h). */
#include "engine/reader.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "dissect/dissect.h"
#include "engine/engine_int.h"

/* libpcap reads the file through stdio, by default in BUFSIZ pieces: one
 * read(2) per dozen packets.  64 KiB makes that one per hundred or so
 * while the buffer still stays in the L2 cache: measured on the 1 GiB
 * benchmark capture (bench/plain_read.c), 4 KiB 0.53 s, 64 KiB 0.39 s,
 * 256 KiB 0.90 s, 1 MiB 1.07 s, the kernel's copy evicting what the
 * reader then reads. */
#define READER_IOBUF (64u << 10)

struct reader {
    pcap_t *pcap;
    char *iobuf;
    char *path;
    int dlt;
    bool has_filter;
    struct bpf_program prog;
    uint64_t acct[ACCT_MAX];
    uint64_t bytes;
    uint64_t first_ts_us, last_ts_us;
    bool pace;                   /* reader_set_pace */
    uint64_t pace_wall0_ns;      /* CLOCK_MONOTONIC at the first packet */
};

void reader_set_pace(struct reader *rd, bool pace)
{
    rd->pace = pace;
}

static uint64_t reader_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Sleeps until packet time ts is as far from the first packet as wall
 * time is from when it was read; in slices of at most 100 ms so that the
 * stop flag is seen.  Returns false when it was set. */
static bool reader_pace(struct reader *rd, uint64_t ts, const atomic_bool *stop)
{
    if (ts <= rd->first_ts_us)
        return true;
    uint64_t due = rd->pace_wall0_ns + (ts - rd->first_ts_us) * 1000u;
    for (;;) {
        if (atomic_load_explicit(stop, memory_order_relaxed))
            return false;
        uint64_t now = reader_mono_ns();
        if (now >= due)
            return true;
        uint64_t d = due - now < 100000000u ? due - now : 100000000u;
        struct timespec req = { .tv_sec = 0, .tv_nsec = (long)d };
        nanosleep(&req, NULL);
    }
}

struct reader *reader_open(const char *path, const char *bpf, char *errbuf)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        snprintf(errbuf, NS_ERRBUF_SIZE, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    return reader_open_file(fp, path, bpf, errbuf);
}

struct reader *reader_open_file(FILE *fp, const char *name, const char *bpf, char *errbuf)
{
    char perr[PCAP_ERRBUF_SIZE] = "";
    struct reader *rd = calloc(1, sizeof(*rd));
    if (!rd || !(rd->path = strdup(name))) {
        snprintf(errbuf, NS_ERRBUF_SIZE, "%s: out of memory", name);
        fclose(fp);
        goto err;
    }
    rd->iobuf = malloc(READER_IOBUF);
    if (rd->iobuf)
        setvbuf(fp, rd->iobuf, _IOFBF, READER_IOBUF);
    /* on success the pcap handle owns fp */
    rd->pcap = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_MICRO, perr);
    if (!rd->pcap) {
        fclose(fp);
        snprintf(errbuf, NS_ERRBUF_SIZE, "%s: cannot read capture: %s", name, perr);
        goto err;
    }
    rd->dlt = pcap_datalink(rd->pcap);
    if (bpf && bpf[0]) {
        if (pcap_compile(rd->pcap, &rd->prog, bpf, 1, PCAP_NETMASK_UNKNOWN) != 0) {
            snprintf(errbuf, NS_ERRBUF_SIZE, "bad BPF filter \"%s\": %s", bpf, pcap_geterr(rd->pcap));
            goto err;
        }
        rd->has_filter = true;
    }
    return rd;
err:
    reader_close(rd);
    return NULL;
}

int reader_dlt(const struct reader *rd)
{
    return rd->dlt;
}

void reader_close(struct reader *rd)
{
    if (!rd)
        return;
    if (rd->has_filter)
        pcap_freecode(&rd->prog);
    if (rd->pcap)
        pcap_close(rd->pcap);
    free(rd->iobuf);            /* after pcap_close: stdio used it until then */
    free(rd->path);
    free(rd);
}

static void reader_broadcast(struct ring **to, unsigned n, uint32_t type, uint64_t ts_us, uint64_t seq)
{
    for (unsigned i = 0; i < n; i++) {
        struct rec_tick *t = ring_reserve_wait(to[i], sizeof(*t));
        t->ts_us = ts_us;
        t->seq = seq;
        ring_commit(to[i], type, sizeof(*t));
    }
}

static void reader_rollup(struct ring **to, unsigned n, uint64_t seq, uint64_t start_us,
                          uint64_t end_us, bool final)
{
    for (unsigned i = 0; i < n; i++) {
        struct rec_rollup_tick *t = ring_reserve_wait(to[i], sizeof(*t));
        *t = (struct rec_rollup_tick){ .seq = seq, .next_seq = seq + 1, .start_us = start_us,
                                       .end_us = end_us, .final = final };
        ring_commit(to[i], REC_ROLLUP_TICK, sizeof(*t));
    }
}

static void reader_snapshot(struct reader *rd, struct ring *to, uint64_t seq, bool final)
{
    struct ns_snap *s = ring_reserve_wait(to, sizeof(*s));
    memset(s, 0, sizeof(*s));
    s->seq = seq;
    s->ts_us = rd->last_ts_us;
    s->first_ts_us = rd->first_ts_us;
    s->final = final;
    memcpy(s->acct, rd->acct, sizeof(s->acct));
    s->bytes_read = rd->bytes;
    ring_commit(to, REC_SNAP, sizeof(*s));
}

int reader_run(struct reader *rd, struct ring **to, unsigned n,
               struct ring *to_writer, uint32_t stats_interval, uint32_t rollup_interval,
               const atomic_bool *stop, char *errbuf)
{
    /* rollups: [ru_start_s, next_rollup_s) is the interval being counted */
    uint64_t ru_start_s = 0, next_rollup_s = 0, ru_seq = 0;
    int ret = NS_OK;
    bool supported = dissect_linktype_supported(rd->dlt);
    if (!supported) {
        const char *name = pcap_datalink_val_to_name(rd->dlt);
        fprintf(stderr, "netscope: %s: link type %d (%s) is not supported; its packets are counted as unsupported\n",
                rd->path, rd->dlt, name ? name : "unknown");
    }
    uint64_t tick_s = 0, next_stats_s = 0, seq = 0;
    uint32_t max_rec = ring_max_record(to[0]);
    for (;;) {
        struct pcap_pkthdr *h;
        const u_char *data;
        /* relaxed: the flag publishes nothing else (engine/reader.h) */
        if (unlikely(atomic_load_explicit(stop, memory_order_relaxed))) {
            snprintf(errbuf, NS_ERRBUF_SIZE, "%s: interrupted after packet %llu; open flows flushed",
                     rd->path, (unsigned long long)rd->acct[ACCT_READ]);
            ret = NS_ERR_EOF;
            break;
        }
        int rc = pcap_next_ex(rd->pcap, &h, &data);
        if (rc == PCAP_ERROR_BREAK)
            break;
        if (rc != 1 && atomic_load_explicit(stop, memory_order_relaxed)) {
            /* a signal interrupted a blocking read (a pipe, a slow disk) */
            snprintf(errbuf, NS_ERRBUF_SIZE, "%s: interrupted after packet %llu; open flows flushed",
                     rd->path, (unsigned long long)rd->acct[ACCT_READ]);
            ret = NS_ERR_EOF;
            break;
        }
        if (rc != 1) {
            long off = ftell(pcap_file(rd->pcap));
            snprintf(errbuf, NS_ERRBUF_SIZE,
                     "%s: truncated or corrupt capture after packet %llu, at byte offset %ld: %s",
                     rd->path, (unsigned long long)rd->acct[ACCT_READ], off, pcap_geterr(rd->pcap));
            ret = NS_ERR_IO;
            break;
        }
        uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;
        if (h->ts.tv_sec < 0)
            ts = 0;
        if (rd->first_ts_us == 0) {
            rd->first_ts_us = ts;
            rd->pace_wall0_ns = reader_mono_ns();
            tick_s = ts / 1000000;
            next_stats_s = tick_s + stats_interval;
            if (rollup_interval) {
                ru_start_s = tick_s - tick_s % rollup_interval;
                next_rollup_s = ru_start_s + rollup_interval;
            }
        }
        if (rd->pace && !reader_pace(rd, ts, stop)) {
            snprintf(errbuf, NS_ERRBUF_SIZE, "%s: interrupted after packet %llu; open flows flushed",
                     rd->path, (unsigned long long)rd->acct[ACCT_READ]);
            ret = NS_ERR_EOF;
            break;
        }
        if (ts > rd->last_ts_us)
            rd->last_ts_us = ts;
        uint64_t sec = ts / 1000000;
        if (sec > tick_s) {
            /* time moved on: ticks go before this packet, so flows expire
             * exactly as they would with any number of workers */
            tick_s = sec;
            if (rollup_interval && sec >= next_rollup_s) {
                /* one rollup up to the boundary this packet passed; an
                 * interval without packets gets no record of its own */
                uint64_t end_s = sec - sec % rollup_interval;
                reader_rollup(to, n, ru_seq++, ru_start_s * 1000000u, end_s * 1000000u, false);
                ru_start_s = end_s;
                next_rollup_s = end_s + rollup_interval;
            }
            reader_broadcast(to, n, REC_TICK, sec * 1000000u, 0);
            if (stats_interval && sec >= next_stats_s) {
                reader_snapshot(rd, to_writer, seq, false);
                reader_broadcast(to, n, REC_STATS, sec * 1000000u, seq);
                seq++;
                next_stats_s = sec + stats_interval;
            }
        }
        /* counted after the snapshot above, which must not include a
         * packet the workers have not been given yet */
        rd->acct[ACCT_READ]++;
        rd->bytes += h->caplen;
        if (rd->has_filter && !pcap_offline_filter(&rd->prog, h, data)) {
            rd->acct[ACCT_FILTERED]++;
            continue;
        }
        if (!supported || h->caplen > max_rec - sizeof(struct rec_pkt)) {
            rd->acct[ACCT_UNSUPPORTED]++;
            continue;
        }
        unsigned w = 0;
        if (n > 1)
            w = (unsigned)(((uint64_t)dissect_worker_hash(rd->dlt, data, h->caplen) * n) >> 32);
        struct rec_pkt *rp = ring_reserve_wait(to[w], (uint32_t)sizeof(*rp) + h->caplen);
        rp->ts_us = ts;
        rp->pcap_cnt = rd->acct[ACCT_READ];
        rp->caplen = h->caplen;
        rp->wirelen = h->len;
        memcpy(rp + 1, data, h->caplen);
        ring_commit(to[w], REC_PKT, (uint32_t)sizeof(*rp) + h->caplen);
    }
    if (rollup_interval && rd->first_ts_us)
        reader_rollup(to, n, ru_seq, ru_start_s * 1000000u, rd->last_ts_us, true);
    reader_snapshot(rd, to_writer, seq, true);
    ring_reserve_wait(to_writer, 8);
    ring_commit(to_writer, REC_DONE, 0);
    reader_broadcast(to, n, REC_EOF, rd->last_ts_us, seq);
    return ret;
}
