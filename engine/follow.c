/* engine/follow.c: `netscope follow`, one conversation of a capture file
 * reassembled and printed, both directions in the order the bytes were
 * delivered (what tshark's "Follow TCP stream" shows).
 *
 * The file is read once on one thread.  Packets go through the same
 * decoder and flow table as the engine (so flow ids are those of the EVE
 * records), and the chosen flow's TCP segments through flow/stream.c with
 * midstream pickup on (a capture may start mid-connection); its UDP
 * datagrams are printed as they come. */
#include "engine/follow.h"

#include <errno.h>
#include <getopt.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <openssl/evp.h>

#include "dissect/dissect.h"
#include "engine/config.h"
#include "flow/flow.h"
#include "flow/mempool.h"
#include "flow/stream.h"
#include "output/eve.h"

enum follow_fmt { FMT_ASCII, FMT_HEX, FMT_RAW, FMT_JSON };

struct endpoint {
    uint8_t ip_v;
    uint8_t addr[16];
    uint16_t port;
};

struct follow {
    enum follow_fmt fmt;
    FILE *out;
    /* which flow */
    uint64_t want_id;               /* --flow-id; 0: by endpoints */
    struct endpoint ep[2];
    bool found, ended;
    uint64_t flow_id;
    struct flow key;                /* the chosen flow as first seen */
    /* what it carried */
    uint64_t ts_us;                 /* of the packet being handled */
    uint64_t offset[2];             /* bytes printed per direction */
    uint64_t chunks[2], gaps[2], gap_bytes[2], pkts;
    struct stream st;
    struct stream_ctx sc;
    struct mempool mp;
    struct eve_ctx ec;
    pcap_dumper_t *dump;
};

static void follow_usage(FILE *fp)
{
    fprintf(fp,
        "usage: netscope follow -r FILE (--flow-id ID | HOST:PORT HOST:PORT)\n"
        "                       [--format ascii|hex|raw|json] [--pcap OUT] [--config FILE]\n"
        "Prints one TCP or UDP conversation of FILE, both directions in order, reassembled.\n"
        "  --flow-id ID   the flow with this flow_id (as in the EVE records)\n"
        "  HOST:PORT      its two endpoints, either order; IPv6 as [ADDR]:PORT; the first\n"
        "                 flow between them is shown\n"
        "  --format       ascii (default: printable bytes, '.' for others; server side\n"
        "                 indented), hex (a hex dump per chunk), raw (the bytes only),\n"
        "                 json (one object per chunk, data in base64)\n"
        "  --pcap OUT     also write the flow's packets to the pcap file OUT\n");
}

static int parse_endpoint(const char *s, struct endpoint *ep)
{
    char host[64];
    const char *colon;
    if (s[0] == '[') {
        const char *rb = strchr(s, ']');
        if (!rb || rb[1] != ':' || (size_t)(rb - s - 1) >= sizeof(host))
            return NS_ERR_INVAL;
        memcpy(host, s + 1, (size_t)(rb - s - 1));
        host[rb - s - 1] = '\0';
        colon = rb + 1;
    } else {
        colon = strrchr(s, ':');
        if (!colon || (size_t)(colon - s) >= sizeof(host))
            return NS_ERR_INVAL;
        memcpy(host, s, (size_t)(colon - s));
        host[colon - s] = '\0';
    }
    char *end;
    errno = 0;
    unsigned long port = strtoul(colon + 1, &end, 10);
    if (errno || *end || end == colon + 1 || port > 65535)
        return NS_ERR_INVAL;
    memset(ep, 0, sizeof(*ep));
    ep->port = (uint16_t)port;
    if (inet_pton(AF_INET, host, ep->addr) == 1)
        ep->ip_v = 4;
    else if (inet_pton(AF_INET6, host, ep->addr) == 1)
        ep->ip_v = 6;
    else
        return NS_ERR_INVAL;
    return NS_OK;
}

static bool ep_is(const struct endpoint *ep, uint8_t ip_v, const uint8_t addr[16], uint16_t port)
{
    return ep->ip_v == ip_v && ep->port == port && memcmp(ep->addr, addr, 16) == 0;
}

/* ---- printing ---- */

/* Base64 of [p, p + n) through OpenSSL, as flow/community_id.c does, in
 * pieces of 3 KiB input (a multiple of 3: no padding in between). */
static void put_base64(FILE *o, const uint8_t *p, size_t n)
{
    unsigned char out[4096 + 1];
    while (n > 0) {
        size_t take = n < 3072 ? n : 3072;
        int len = EVP_EncodeBlock(out, p, (int)take);
        fwrite(out, 1, (size_t)len, o);
        p += take;
        n -= take;
    }
}

static void put_ep(struct follow *fw, const char *key, uint8_t ip_v, const uint8_t addr[16],
                   uint16_t port)
{
    char a[48];
    eve_addr(ip_v, addr, a);
    if (fw->fmt == FMT_JSON)
        fprintf(fw->out, "\"%s\":{\"ip\":\"%s\",\"port\":%u}", key, a, port);
    else
        fprintf(fw->out, "%s: %s%s%s:%u\n", key, ip_v == 6 ? "[" : "", a, ip_v == 6 ? "]" : "",
                port);
}

static const char rule[] = "===================================================================\n";

static void follow_header(struct follow *fw)
{
    const struct flow *f = &fw->key;
    const char *proto = f->proto == 6 ? "tcp" : "udp";
    if (fw->fmt == FMT_RAW)
        return;
    if (fw->fmt == FMT_JSON) {
        fprintf(fw->out, "{\"follow\":{\"proto\":\"%s\",\"flow_id\":%llu,", proto,
                (unsigned long long)fw->flow_id);
        put_ep(fw, "client", f->ip_v, f->cli, f->cli_port);
        fputc(',', fw->out);
        put_ep(fw, "server", f->ip_v, f->srv, f->srv_port);
        fputs("}}\n", fw->out);
        return;
    }
    fprintf(fw->out, "%sFollow: %s,%s\nFlow: %llu\n", rule, proto,
            fw->fmt == FMT_HEX ? "hex" : "ascii", (unsigned long long)fw->flow_id);
    put_ep(fw, "Node 0", f->ip_v, f->cli, f->cli_port);
    put_ep(fw, "Node 1", f->ip_v, f->srv, f->srv_port);
}

static void follow_gap(struct follow *fw, int dir, uint64_t bytes)
{
    fw->gaps[dir]++;
    fw->gap_bytes[dir] += bytes;
    switch (fw->fmt) {
    case FMT_RAW:
        break;
    case FMT_JSON:
        fprintf(fw->out, "{\"dir\":\"%s\",\"offset\":%llu,\"gap\":%llu}\n",
                dir ? "toclient" : "toserver", (unsigned long long)fw->offset[dir],
                (unsigned long long)bytes);
        break;
    default:
        if (bytes)
            fprintf(fw->out, "%s[%llu bytes missing]\n", dir ? "\t" : "",
                    (unsigned long long)bytes);
        else
            fprintf(fw->out, "%s[bytes missing]\n", dir ? "\t" : "");
        break;
    }
    if (bytes)
        fw->offset[dir] += bytes;
}

static void follow_chunk(struct follow *fw, int dir, const uint8_t *p, size_t n)
{
    if (n == 0)
        return;
    FILE *o = fw->out;
    fw->chunks[dir]++;
    switch (fw->fmt) {
    case FMT_RAW:
        fwrite(p, 1, n, o);
        break;
    case FMT_JSON: {
        char ts[40];
        eve_timestamp(&fw->ec, fw->ts_us, ts);
        fprintf(o, "{\"timestamp\":\"%s\",\"dir\":\"%s\",\"offset\":%llu,\"len\":%zu,\"data\":\"",
                ts, dir ? "toclient" : "toserver", (unsigned long long)fw->offset[dir], n);
        put_base64(o, p, n);
        fputs("\"}\n", o);
        break;
    }
    case FMT_HEX:
        for (size_t i = 0; i < n; i += 16) {
            size_t m = n - i < 16 ? n - i : 16;
            fprintf(o, "%s%08llx  ", dir ? "\t" : "", (unsigned long long)(fw->offset[dir] + i));
            for (size_t j = 0; j < 16; j++) {
                if (j < m)
                    fprintf(o, "%02x ", p[i + j]);
                else
                    fputs("   ", o);
                if (j == 7)
                    fputc(' ', o);
            }
            fputs(" |", o);
            for (size_t j = 0; j < m; j++)
                fputc(p[i + j] >= 0x20 && p[i + j] < 0x7f ? p[i + j] : '.', o);
            fputs("|\n", o);
        }
        break;
    case FMT_ASCII:
    default:
        fprintf(o, "%s%zu\n", dir ? "\t" : "", n);
        for (size_t i = 0; i < n; i++) {
            uint8_t c = p[i];
            if (c == '\r' && i + 1 < n && p[i + 1] == '\n')
                continue;           /* CRLF prints as a line end */
            fputc((c >= 0x20 && c < 0x7f) || c == '\n' || c == '\t' ? c : '.', o);
        }
        if (p[n - 1] != '\n')
            fputc('\n', o);
        break;
    }
    fw->offset[dir] += n;
}

static size_t follow_deliver(void *ctx, int dir, const uint8_t *p, size_t n, unsigned flags,
                             uint64_t gap)
{
    struct follow *fw = ctx;
    if (flags & APPL_GAP)
        follow_gap(fw, dir, gap);
    follow_chunk(fw, dir, p, n);
    return n;
}

static void follow_footer(struct follow *fw)
{
    if (fw->fmt == FMT_RAW)
        return;
    if (fw->fmt == FMT_JSON) {
        fprintf(fw->out,
                "{\"summary\":{\"packets\":%llu,\"bytes_toserver\":%llu,\"bytes_toclient\":%llu,"
                "\"gaps_toserver\":%llu,\"gaps_toclient\":%llu}}\n",
                (unsigned long long)fw->pkts, (unsigned long long)fw->offset[0],
                (unsigned long long)fw->offset[1], (unsigned long long)fw->gaps[0],
                (unsigned long long)fw->gaps[1]);
        return;
    }
    fprintf(fw->out, "%s", rule);
}

/* ---- reading ---- */

static void follow_flow_end(void *ctx, const struct flow *f, enum flow_end_reason reason)
{
    struct follow *fw = ctx;
    (void)reason;
    if (fw->found && f->flow_id == fw->flow_id)
        fw->ended = true;           /* a later flow on the same ports is another */
}

static bool follow_match(struct follow *fw, const struct flow *f)
{
    if (fw->found)
        return !fw->ended && f->flow_id == fw->flow_id;
    if (f->proto != 6 && f->proto != 17)
        return false;
    if (fw->want_id)
        return f->flow_id == fw->want_id;
    return (ep_is(&fw->ep[0], f->ip_v, f->cli, f->cli_port) &&
            ep_is(&fw->ep[1], f->ip_v, f->srv, f->srv_port)) ||
           (ep_is(&fw->ep[1], f->ip_v, f->cli, f->cli_port) &&
            ep_is(&fw->ep[0], f->ip_v, f->srv, f->srv_port));
}

/* Flushes STREAM (what), false with a message naming it when a write to
 * it failed, now or earlier (a full disk, /dev/full, a closed pipe). */
static bool follow_flushed(FILE *stream, const char *what)
{
    int e = fflush(stream) ? errno : ferror(stream) ? EIO : 0;
    if (e)
        fprintf(stderr, "netscope follow: %s: write: %s\n", what, strerror(e));
    return !e;
}

static int follow_run(struct follow *fw, const char *file, const struct ns_config *cfg,
                      const char *pcap_out)
{
    char perr[PCAP_ERRBUF_SIZE], err[NS_ERRBUF_SIZE];
    pcap_t *pc = pcap_open_offline_with_tstamp_precision(file, PCAP_TSTAMP_PRECISION_MICRO, perr);
    if (!pc) {
        fprintf(stderr, "netscope follow: %s\n", perr);
        return 2;
    }
    int rc = 2;
    struct dissect_ctx dc;
    bool dc_ok = false;
    struct flow_table *ft = NULL;
    if (dissect_ctx_init(&dc, &cfg->defrag, err) != NS_OK) {
        fprintf(stderr, "netscope follow: %s\n", err);
        goto out;
    }
    dc_ok = true;
    ft = flow_table_create(&cfg->flow, follow_flow_end, fw, err);
    if (!ft || mempool_init(&fw->mp, 64u << 20, err) != NS_OK) {
        fprintf(stderr, "netscope follow: %s\n", err);
        goto out;
    }
    if (pcap_out) {
        fw->dump = pcap_dump_open(pc, pcap_out);
        if (!fw->dump) {
            fprintf(stderr, "netscope follow: %s: %s\n", pcap_out, pcap_geterr(pc));
            goto out;
        }
    }
    fw->sc.cfg = cfg->stream;
    fw->sc.cfg.midstream = true;
    fw->sc.cfg.depth = 0;
    fw->sc.mp = &fw->mp;
    fw->sc.deliver = follow_deliver;
    fw->sc.cb_ctx = fw;
    eve_ctx_init(&fw->ec, file, NULL);

    int dlt = pcap_datalink(pc);
    struct pcap_pkthdr *h;
    const u_char *data;
    uint64_t cnt = 0;
    int r;
    while ((r = pcap_next_ex(pc, &h, &data)) == 1) {
        struct ns_pkt pkt = {
            .data = data, .caplen = h->caplen, .wirelen = h->len,
            .ts_us = (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec,
            .pcap_cnt = ++cnt, .dlt = dlt,
        };
        struct ns_decoded d;
        if (dissect_packet(&dc, &pkt, &d) != DISSECT_DECODED || d.ip_v == 0)
            continue;
        struct flow *f = flow_table_update(ft, &d, pkt.ts_us, d.flow_len);
        if (!f || !follow_match(fw, f))
            continue;
        if (!fw->found) {
            fw->found = true;
            fw->flow_id = f->flow_id;
            fw->key = *f;
            follow_header(fw);
        }
        fw->pkts++;
        fw->ts_us = pkt.ts_us;
        if (fw->dump)
            pcap_dump((u_char *)fw->dump, h, data);
        int dir = d.sport == fw->key.cli_port && memcmp(d.src, fw->key.cli, 16) == 0 ? 0 : 1;
        if (!d.has_l4)
            continue;
        if (d.proto == 6)
            stream_packet(&fw->sc, &fw->st, dir, &d);
        else
            follow_chunk(fw, dir, d.payload, d.payload_len);
    }
    if (r == -1) {
        fprintf(stderr, "netscope follow: %s: %s (after packet %llu)\n", file, pcap_geterr(pc),
                (unsigned long long)cnt);
    }
    if (fw->found) {
        stream_end(&fw->sc, &fw->st);
        follow_footer(fw);
        rc = r == -1 ? 1 : 0;
        if (!follow_flushed(fw->out, "standard output"))
            rc = 1;
        if (fw->dump && !follow_flushed(pcap_dump_file(fw->dump), pcap_out))
            rc = 1;
    } else {
        if (fw->want_id)
            fprintf(stderr, "netscope follow: %s: no TCP or UDP flow with flow_id %llu\n", file,
                    (unsigned long long)fw->want_id);
        else
            fprintf(stderr, "netscope follow: %s: no TCP or UDP flow between those endpoints\n",
                    file);
        rc = 1;
    }
out:
    if (fw->dump)
        pcap_dump_close(fw->dump);
    flow_table_destroy(ft);
    mempool_fini(&fw->mp);
    if (dc_ok)
        dissect_ctx_fini(&dc);
    pcap_close(pc);
    return rc;
}

int follow_main(int argc, char **argv)
{
    enum { OPT_FLOW_ID = 256, OPT_FORMAT, OPT_PCAP, OPT_CONFIG };
    static const struct option opts[] = {
        { "read", required_argument, NULL, 'r' },
        { "flow-id", required_argument, NULL, OPT_FLOW_ID },
        { "format", required_argument, NULL, OPT_FORMAT },
        { "pcap", required_argument, NULL, OPT_PCAP },
        { "config", required_argument, NULL, OPT_CONFIG },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    static struct follow fw;
    static struct ns_config cfg;
    memset(&fw, 0, sizeof(fw));
    fw.out = stdout;
    config_defaults(&cfg);
    const char *file = NULL, *pcap_out = NULL;
    char err[NS_ERRBUF_SIZE];
    int c;
    optind = 1;
    opterr = 1;
    while ((c = getopt_long(argc, argv, "r:h", opts, NULL)) != -1) {
        switch (c) {
        case 'r':
            file = optarg;
            break;
        case OPT_FLOW_ID: {
            char *end;
            errno = 0;
            fw.want_id = strtoull(optarg, &end, 10);
            if (errno || *end || fw.want_id == 0) {
                fprintf(stderr, "netscope follow: --flow-id: expected a flow_id, got \"%s\"\n",
                        optarg);
                return 2;
            }
            break;
        }
        case OPT_FORMAT:
            if (!strcmp(optarg, "ascii"))
                fw.fmt = FMT_ASCII;
            else if (!strcmp(optarg, "hex"))
                fw.fmt = FMT_HEX;
            else if (!strcmp(optarg, "raw"))
                fw.fmt = FMT_RAW;
            else if (!strcmp(optarg, "json"))
                fw.fmt = FMT_JSON;
            else {
                fprintf(stderr, "netscope follow: --format: expected ascii, hex, raw or json, got \"%s\"\n",
                        optarg);
                return 2;
            }
            break;
        case OPT_PCAP:
            pcap_out = optarg;
            break;
        case OPT_CONFIG:
            if (config_load(&cfg, optarg, err) != NS_OK) {
                fprintf(stderr, "netscope follow: %s\n", err);
                return 2;
            }
            break;
        case 'h':
            follow_usage(stdout);
            return 0;
        default:
            follow_usage(stderr);
            return 2;
        }
    }
    int rest = argc - optind;
    if (!file || (fw.want_id && rest != 0) || (!fw.want_id && rest != 2)) {
        follow_usage(stderr);
        return 2;
    }
    for (int i = 0; i < rest; i++) {
        if (parse_endpoint(argv[optind + i], &fw.ep[i]) != NS_OK) {
            fprintf(stderr, "netscope follow: expected HOST:PORT (IPv6: [ADDR]:PORT), got \"%s\"\n",
                    argv[optind + i]);
            return 2;
        }
    }
    /* one flow table and defrag pool, as one worker's */
    if (config_memory_resolve(&cfg, 1, false, err) != NS_OK) {
        fprintf(stderr, "netscope follow: %s\n", err);
        return 2;
    }
    return follow_run(&fw, file, &cfg, pcap_out);
}
