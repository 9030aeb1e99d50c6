/* bench/plain_read.c: the floor.  The cheapest way to walk a capture file
 * with libpcap: pcap_open_offline and a pcap_next_ex loop that does no work
 * but add up caplen.  NetScope's offline throughput is reported as a
 * multiple of this (DESIGN.md section 6), so this program must stay exactly
 * this plain.
 *
 * Prints one line for bench/run.sh to parse:
 *   plain_read: pkts=N bytes=N wall_s=X mpps=X gbps=X rss_mib=X
 * bytes is the sum of captured lengths.  Gbit/s is bytes * 8 / wall.  The
 * wall time runs from pcap_open_offline to the end of the file.  rss_mib is
 * the peak resident set (getrusage ru_maxrss).
 *
 * With a second argument N, the file is opened with a stdio buffer of N
 * bytes (pcap_fopen_offline), as NetScope's reader does: the floor for the
 * same I/O pattern, reported beside the default one. */
#define _GNU_SOURCE
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc != 2 && argc != 3) {
        fprintf(stderr, "usage: %s FILE.pcap [STDIO-BUFFER-BYTES]\n", argv[0]);
        return 2;
    }

    char errbuf[PCAP_ERRBUF_SIZE];
    double t0 = now_s();
    pcap_t *p;
    char *iobuf = NULL;
    if (argc == 3) {
        size_t n = strtoul(argv[2], NULL, 10);
        FILE *fp = fopen(argv[1], "rb");
        iobuf = n ? malloc(n) : NULL;
        if (fp && iobuf)
            setvbuf(fp, iobuf, _IOFBF, n);
        p = fp ? pcap_fopen_offline(fp, errbuf) : NULL;
        if (!fp)
            snprintf(errbuf, sizeof(errbuf), "cannot open");
    } else {
        p = pcap_open_offline(argv[1], errbuf);
    }
    if (p == NULL) {
        fprintf(stderr, "plain_read: %s: %s\n", argv[1], errbuf);
        return 1;
    }

    uint64_t pkts = 0, bytes = 0;
    struct pcap_pkthdr *hdr;
    const u_char *data;
    int rc;
    while ((rc = pcap_next_ex(p, &hdr, &data)) == 1) {
        pkts++;
        bytes += hdr->caplen;     /* the only work: keeps the loop honest */
    }
    double wall = now_s() - t0;
    if (rc == PCAP_ERROR) {
        fprintf(stderr, "plain_read: %s: after %llu packets: %s\n", argv[1],
                (unsigned long long)pkts, pcap_geterr(p));
        pcap_close(p);
        return 1;
    }
    pcap_close(p);
    free(iobuf);

    struct rusage ru;
    double rss_mib = 0;
    if (getrusage(RUSAGE_SELF, &ru) == 0)
        rss_mib = (double)ru.ru_maxrss / 1024.0;   /* ru_maxrss is KiB */
    if (wall <= 0)
        wall = 1e-9;
    printf("plain_read: pkts=%llu bytes=%llu wall_s=%.6f mpps=%.3f gbps=%.3f rss_mib=%.1f\n",
           (unsigned long long)pkts, (unsigned long long)bytes, wall,
           (double)pkts / wall / 1e6, (double)bytes * 8.0 / wall / 1e9, rss_mib);
    return 0;
}
