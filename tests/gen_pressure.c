/* tests/gen_pressure.c: captures that put NetScope's memory under pressure
 * (tests/pressure.sh).
 *
 *   gen_pressure KIND N OUT.pcap
 *
 * KIND:
 *   flows   N TCP SYNs from random sources and ports to one server: every
 *           one a new flow (a SYN flood with random sources, hping3
 *           --rand-source -S).
 *   frags   N IPv4 first fragments (offset 0, MF set, 1000 bytes of data),
 *           each with its own id and source, none ever completed.
 *   stream  N/4 TCP connections (handshake done), each sending 3 segments
 *           of 1000 bytes out of order past a hole that is never filled
 *           and never acknowledged: out-of-order data the reassembly must
 *           hold or drop.  4 packets per connection.
 *
 * Packets are 1 us apart in packet time (a million packets a second, so
 * the flood of N packets lasts N us: timeouts cannot rescue the tables,
 * only eviction can), written as a classic
 * microsecond pcap, Ethernet.  Deterministic (fixed seed).  Plain stdio: a
 * million packets take well under a second. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SNAP 1600

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd32(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint16_t csum(const uint8_t *p, size_t n)
{
    uint32_t s = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)p[i] << 8 | p[i + 1];
    if (n & 1)
        s += (uint32_t)p[n - 1] << 8;
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

static FILE *out;
static uint64_t ts_us = 1700000000ull * 1000000ull;

static void write_pkt(const uint8_t *p, uint32_t len)
{
    uint32_t h[4] = { (uint32_t)(ts_us / 1000000u), (uint32_t)(ts_us % 1000000u), len, len };
    fwrite(h, sizeof(h), 1, out);
    fwrite(p, 1, len, out);
    ts_us += 1;
}

/* Ethernet + IPv4 header (20 bytes) at p; returns the IP header. */
static uint8_t *eth_ip(uint8_t *p, uint32_t src, uint32_t dst, uint8_t proto, uint16_t tot,
                       uint16_t id, uint16_t frag)
{
    static const uint8_t mac[12] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };
    memcpy(p, mac, 12);
    put16(p + 12, 0x0800);
    uint8_t *ip = p + 14;
    memset(ip, 0, 20);
    ip[0] = 0x45;
    put16(ip + 2, tot);
    put16(ip + 4, id);
    put16(ip + 6, frag);
    ip[8] = 64;
    ip[9] = proto;
    put32(ip + 12, src);
    put32(ip + 16, dst);
    put16(ip + 10, csum(ip, 20));
    return ip;
}

/* A TCP segment with len payload bytes of c. */
static void tcp_pkt(uint32_t src, uint32_t dst, uint16_t sp, uint16_t dp, uint32_t seq,
                    uint32_t ack, uint8_t flags, uint32_t len, uint8_t c)
{
    uint8_t p[SNAP];
    uint16_t tot = (uint16_t)(20 + 20 + len);
    uint8_t *ip = eth_ip(p, src, dst, 6, tot, (uint16_t)rnd32(), 0x4000);
    uint8_t *t = ip + 20;
    memset(t, 0, 20);
    put16(t, sp);
    put16(t + 2, dp);
    put32(t + 4, seq);
    put32(t + 8, ack);
    t[12] = 5 << 4;
    t[13] = flags;
    put16(t + 14, 65535);
    memset(t + 20, c, len);
    write_pkt(p, 14u + tot);
}

#define SYN 0x02
#define ACK 0x10
#define PSH 0x08

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: gen_pressure flows|frags|stream N OUT.pcap\n");
        return 2;
    }
    long n = atol(argv[2]);
    if (n <= 0) {
        fprintf(stderr, "gen_pressure: N must be positive, got \"%s\"\n", argv[2]);
        return 2;
    }
    out = fopen(argv[3], "wb");
    if (!out) {
        perror(argv[3]);
        return 1;
    }
    static char buf[1 << 20];
    setvbuf(out, buf, _IOFBF, sizeof(buf));
    uint32_t gh[6] = { 0xa1b2c3d4, 0x00040002, 0, 0, SNAP, 1 };
    fwrite(gh, sizeof(gh), 1, out);
    const uint32_t server = 0xc0a80001;     /* 192.168.0.1 */

    if (!strcmp(argv[1], "flows")) {
        for (long i = 0; i < n; i++) {
            uint32_t src = 0x0a000000u | (rnd32() & 0x00ffffffu);     /* 10/8 */
            tcp_pkt(src, server, (uint16_t)(1024 + rnd32() % 60000), 80, rnd32(), 0, SYN, 0, 0);
        }
    } else if (!strcmp(argv[1], "frags")) {
        for (long i = 0; i < n; i++) {
            uint8_t p[SNAP];
            uint32_t src = 0x0a000000u | (rnd32() & 0x00ffffffu);
            uint8_t *ip = eth_ip(p, src, server, 17, 20 + 1000, (uint16_t)i, 0x2000);   /* MF */
            memset(ip + 20, 0, 1000);
            put16(ip + 20, 5353);          /* a UDP header the datagram would start with */
            put16(ip + 22, 53);
            put16(ip + 24, 3000);          /* 2992 bytes of UDP payload: never all here */
            write_pkt(p, 14 + 20 + 1000);
        }
    } else if (!strcmp(argv[1], "stream")) {
        for (long i = 0; i < n / 4; i++) {
            uint32_t cli = 0x0a000000u | (rnd32() & 0x00ffffffu);
            uint16_t sp = (uint16_t)(1024 + rnd32() % 60000);
            uint32_t isn = rnd32(), irs = rnd32();
            /* 3-way handshake compressed to SYN and SYN/ACK: the client's
             * direction starts at its SYN (no midstream needed) */
            tcp_pkt(cli, server, sp, 80, isn, 0, SYN, 0, 0);
            tcp_pkt(server, cli, 80, sp, irs, isn + 1, SYN | ACK, 0, 0);
            /* bytes 1..1000 never arrive; 1001.. arrive in reverse order,
             * each acknowledging nothing past the hole */
            for (int k = 2; k >= 1; k--)
                tcp_pkt(cli, server, sp, 80, isn + 1 + 1000u * (uint32_t)k, irs + 1,
                        ACK | PSH, 1000, (uint8_t)('a' + k));
        }
    } else {
        fprintf(stderr, "gen_pressure: unknown kind \"%s\" (flows, frags or stream)\n", argv[1]);
        return 2;
    }
    if (fclose(out) != 0) {
        perror(argv[3]);
        return 1;
    }
    return 0;
}
