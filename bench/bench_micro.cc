// bench/bench_micro.cc: Google Benchmark micro-benchmarks of the per-packet
// and per-flow hot paths, calling the C modules directly.
//
//   BM_DecodePacket/eth_ipv4_tcp_http   dissect_packet on an HTTP GET segment
//   BM_DecodePacket/eth_ipv6_udp_dns    dissect_packet on a DNS query over IPv6
//   BM_FlowLookupHit                    flow_table_update on one existing flow
//   BM_FlowLookupMiss                   flow_table_update creating a new flow
//   BM_JsonFlowRecord                   eve_flow of a filled struct flow
//   BM_RollupFlowEnd/H                  rollup_flow_end (talkers, ports, app
//                                       counters) on flows among H hosts
//
// Each reports items/s (packets, or records).  Frames are built here byte by
// byte, with valid lengths and checksums, so no capture file is needed.
// Compare numbers only from the same machine.  For instruction-exact
// regressions run one benchmark under callgrind:
//   valgrind --tool=callgrind build/bench/bench_micro --benchmark_filter=BM_FlowLookupHit
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

extern "C" {
#include "dissect/dissect.h"
#include "flow/flow.h"
#include "output/eve.h"
#include "output/rollup.h"
}

namespace {

// ---- frame building -------------------------------------------------------

void put16(std::vector<uint8_t> &b, uint16_t v)
{
    b.push_back(uint8_t(v >> 8));
    b.push_back(uint8_t(v));
}

void put32(std::vector<uint8_t> &b, uint32_t v)
{
    put16(b, uint16_t(v >> 16));
    put16(b, uint16_t(v));
}

void set16(std::vector<uint8_t> &b, size_t off, uint16_t v)
{
    b[off] = uint8_t(v >> 8);
    b[off + 1] = uint8_t(v);
}

// One's-complement sum (RFC 1071), not yet folded or inverted.
uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += uint32_t(p[i]) << 8 | p[i + 1];
    if (n & 1)
        sum += uint32_t(p[n - 1]) << 8;
    return sum;
}

uint16_t csum_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return uint16_t(~sum);
}

void put_eth(std::vector<uint8_t> &b, uint16_t ethertype)
{
    static const uint8_t dst[6] = {0x02, 0x99, 0x00, 0x00, 0x00, 0x02};
    static const uint8_t src[6] = {0x02, 0x99, 0x00, 0x00, 0x00, 0x01};
    b.insert(b.end(), dst, dst + 6);
    b.insert(b.end(), src, src + 6);
    put16(b, ethertype);
}

// Ethernet / IPv4 (DF) / TCP with timestamps (PSH|ACK) / "GET /index.html":
// the request segment of a curl GET, 149 bytes on the wire.
std::vector<uint8_t> frame_ipv4_tcp_http()
{
    static const char req[] =
        "GET /index.html HTTP/1.1\r\nHost: 10.99.0.2\r\n"
        "User-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n";
    const size_t plen = sizeof(req) - 1;
    const uint8_t src[4] = {10, 99, 0, 1}, dst[4] = {10, 99, 0, 2};
    std::vector<uint8_t> b;
    put_eth(b, 0x0800);

    const size_t ip = b.size();
    const size_t tcp_len = 32 + plen;
    b.push_back(0x45);
    b.push_back(0x00);
    put16(b, uint16_t(20 + tcp_len));
    put16(b, 0x3a5c);                       // id
    put16(b, 0x4000);                       // DF
    b.push_back(64);                        // TTL
    b.push_back(6);                         // TCP
    put16(b, 0);                            // checksum, below
    b.insert(b.end(), src, src + 4);
    b.insert(b.end(), dst, dst + 4);
    set16(b, ip + 10, csum_fold(csum_add(0, &b[ip], 20)));

    const size_t th = b.size();
    put16(b, 43032);
    put16(b, 80);
    put32(b, 805177878);                    // seq
    put32(b, 2909750334u);                  // ack
    b.push_back(8 << 4);                    // data offset: 32 bytes
    b.push_back(0x18);                      // PSH|ACK
    put16(b, 502);                          // window
    put16(b, 0);                            // checksum, below
    put16(b, 0);                            // urgent
    b.push_back(1);                         // NOP
    b.push_back(1);                         // NOP
    b.push_back(8);                         // timestamps
    b.push_back(10);
    put32(b, 346179066);
    put32(b, 3955408218u);
    b.insert(b.end(), req, req + plen);

    uint8_t pseudo[12];
    std::memcpy(pseudo, src, 4);
    std::memcpy(pseudo + 4, dst, 4);
    pseudo[8] = 0;
    pseudo[9] = 6;
    pseudo[10] = uint8_t(tcp_len >> 8);
    pseudo[11] = uint8_t(tcp_len);
    set16(b, th + 16, csum_fold(csum_add(csum_add(0, pseudo, 12), &b[th], tcp_len)));
    return b;
}

// Ethernet / IPv6 / UDP / DNS query "www.example.test A" with an EDNS OPT
// record and cookie, as dig sends it: 119 bytes on the wire.
std::vector<uint8_t> frame_ipv6_udp_dns()
{
    uint8_t src[16] = {0xfd, 0x99}, dst[16] = {0xfd, 0x99};
    src[15] = 1;
    dst[15] = 2;

    std::vector<uint8_t> dns;
    put16(dns, 0xc0e1);                     // id
    put16(dns, 0x0120);                     // RD, AD
    put16(dns, 1);                          // QDCOUNT
    put16(dns, 0);
    put16(dns, 0);
    put16(dns, 1);                          // ARCOUNT: OPT
    for (const char *label : {"www", "example", "test"}) {
        dns.push_back(uint8_t(std::strlen(label)));
        dns.insert(dns.end(), label, label + std::strlen(label));
    }
    dns.push_back(0);
    put16(dns, 1);                          // A
    put16(dns, 1);                          // IN
    dns.push_back(0);                       // OPT: root name
    put16(dns, 41);
    put16(dns, 1232);                       // UDP payload size
    put32(dns, 0);                          // ext rcode, version, flags
    put16(dns, 12);                         // rdlen
    put16(dns, 10);                         // COOKIE
    put16(dns, 8);
    put32(dns, 0x5e1c0a77);
    put32(dns, 0x91d2f03b);

    const uint16_t ulen = uint16_t(8 + dns.size());
    std::vector<uint8_t> b;
    put_eth(b, 0x86dd);
    put32(b, 0x60000000);                   // version 6, class 0, label 0
    put16(b, ulen);
    b.push_back(17);                        // UDP
    b.push_back(64);                        // hop limit
    b.insert(b.end(), src, src + 16);
    b.insert(b.end(), dst, dst + 16);

    const size_t uh = b.size();
    put16(b, 53211);
    put16(b, 53);
    put16(b, ulen);
    put16(b, 0);                            // checksum, below
    b.insert(b.end(), dns.begin(), dns.end());

    uint32_t sum = csum_add(0, src, 16);
    sum = csum_add(sum, dst, 16);
    sum += ulen;
    sum += 17;
    uint16_t c = csum_fold(csum_add(sum, &b[uh], ulen));
    set16(b, uh + 6, c == 0 ? 0xffff : c);
    return b;
}

// ---- BM_DecodePacket --------------------------------------------------------

enum frame_kind { FRAME_IPV4_TCP_HTTP, FRAME_IPV6_UDP_DNS };

void BM_DecodePacket(benchmark::State &state, frame_kind kind)
{
    const std::vector<uint8_t> frame =
        kind == FRAME_IPV4_TCP_HTTP ? frame_ipv4_tcp_http() : frame_ipv6_udp_dns();

    struct dissect_config cfg;
    dissect_config_defaults(&cfg);
    struct dissect_ctx dc;
    std::memset(&dc, 0, sizeof(dc));
    char errbuf[NS_ERRBUF_SIZE] = "";
    if (dissect_ctx_init(&dc, &cfg, errbuf) != NS_OK) {
        state.SkipWithError((std::string("dissect_ctx_init: ") + errbuf).c_str());
        return;
    }

    struct ns_pkt pkt;
    std::memset(&pkt, 0, sizeof(pkt));
    pkt.data = frame.data();
    pkt.caplen = uint32_t(frame.size());
    pkt.wirelen = uint32_t(frame.size());
    pkt.ts_us = 1795000000000000ull;
    pkt.pcap_cnt = 1;
    pkt.dlt = DISSECT_DLT_EN10MB;

    struct ns_decoded out;
    if (dissect_packet(&dc, &pkt, &out) != DISSECT_DECODED || !out.has_l4) {
        state.SkipWithError("the benchmark frame does not decode");
        dissect_ctx_fini(&dc);
        return;
    }

    for (auto _ : state) {
        enum dissect_result r = dissect_packet(&dc, &pkt, &out);
        benchmark::DoNotOptimize(r);
        benchmark::DoNotOptimize(out);
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(int64_t(state.iterations()));
    state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(frame.size()));
    dissect_ctx_fini(&dc);
}

BENCHMARK_CAPTURE(BM_DecodePacket, eth_ipv4_tcp_http, FRAME_IPV4_TCP_HTTP);
BENCHMARK_CAPTURE(BM_DecodePacket, eth_ipv6_udp_dns, FRAME_IPV6_UDP_DNS);

// ---- flow table ---------------------------------------------------------------

void count_end(void *ctx, const struct flow *f, enum flow_end_reason reason)
{
    (void)f;
    (void)reason;
    ++*static_cast<uint64_t *>(ctx);
}

// A decoded TCP ACK from 10.99.0.1:sport to 10.99.0.2:80.
struct ns_decoded decoded_tcp(uint16_t sport)
{
    struct ns_decoded d;
    std::memset(&d, 0, sizeof(d));
    d.has_eth = true;
    d.ip_v = 4;
    d.proto = 6;
    d.ttl = 64;
    const uint8_t src[4] = {10, 99, 0, 1}, dst[4] = {10, 99, 0, 2};
    std::memcpy(d.src, src, 4);
    std::memcpy(d.dst, dst, 4);
    d.sport = sport;
    d.dport = 80;
    d.has_l4 = true;
    d.tcp_flags = 0x10;
    d.tcp_seq = 1000;
    d.tcp_ack = 2000;
    d.tcp_win = 502;
    d.tcp_wscale = 0xff;
    d.ip_len = 52;
    return d;
}

void BM_FlowLookupHit(benchmark::State &state)
{
    struct flow_config cfg;
    flow_config_defaults(&cfg);
    uint64_t ended = 0;
    char errbuf[NS_ERRBUF_SIZE] = "";
    struct flow_table *ft = flow_table_create(&cfg, count_end, &ended, errbuf);
    if (ft == nullptr) {
        state.SkipWithError((std::string("flow_table_create: ") + errbuf).c_str());
        return;
    }

    // Open the flow with a handshake, then time packets on the established flow.
    struct ns_decoded syn = decoded_tcp(43032), synack = decoded_tcp(43032);
    syn.tcp_flags = 0x02;
    std::swap(synack.src, synack.dst);
    synack.sport = 80;
    synack.dport = 43032;
    synack.tcp_flags = 0x12;
    struct ns_decoded ack = decoded_tcp(43032);
    uint64_t ts = 1795000000000000ull;
    flow_table_update(ft, &syn, ts++, 74);
    flow_table_update(ft, &synack, ts++, 74);
    if (flow_table_update(ft, &ack, ts++, 66) == nullptr) {
        state.SkipWithError("flow_table_update returned NULL");
        flow_table_destroy(ft);
        return;
    }

    for (auto _ : state) {
        struct flow *f = flow_table_update(ft, &ack, ts++, 66);
        benchmark::DoNotOptimize(f);
    }
    state.SetItemsProcessed(int64_t(state.iterations()));
    flow_table_destroy(ft);
}

BENCHMARK(BM_FlowLookupHit);

// Every packet a new UDP flow (a DNS query from a new source port and
// address).  Every FLOWS_PER_ROUND flows the table is flushed, outside the
// timing, so it never fills up and never enters emergency mode.
void BM_FlowLookupMiss(benchmark::State &state)
{
    const uint32_t FLOWS_PER_ROUND = 32768;
    struct flow_config cfg;
    flow_config_defaults(&cfg);
    cfg.hash_size = 1u << 17;               // load factor <= 0.25
    if (cfg.memcap < (uint64_t(256) << 20))
        cfg.memcap = uint64_t(256) << 20;
    uint64_t ended = 0;
    char errbuf[NS_ERRBUF_SIZE] = "";
    struct flow_table *ft = flow_table_create(&cfg, count_end, &ended, errbuf);
    if (ft == nullptr) {
        state.SkipWithError((std::string("flow_table_create: ") + errbuf).c_str());
        return;
    }

    struct ns_decoded d;
    std::memset(&d, 0, sizeof(d));
    d.has_eth = true;
    d.ip_v = 4;
    d.proto = 17;
    d.ttl = 64;
    d.src[0] = 10;
    d.src[1] = 99;
    d.dst[0] = 10;
    d.dst[1] = 99;
    d.dst[3] = 2;
    d.dport = 53;
    d.has_l4 = true;
    d.payload_len = 45;
    d.ip_len = 73;

    uint64_t ts = 1795000000000000ull;
    uint32_t n = 0, round = 0;
    uint64_t no_flow = 0;
    for (auto _ : state) {
        if (n == FLOWS_PER_ROUND) {
            state.PauseTiming();
            flow_table_flush(ft);
            n = 0;
            round++;
            state.ResumeTiming();
        }
        // Distinct key per flow: port from n, address bytes from n and round.
        d.sport = uint16_t(1024 + (n & 0x3fff));
        d.src[2] = uint8_t(n >> 14);
        d.src[3] = uint8_t(1 + (round & 0x7f));
        n++;
        struct flow *f = flow_table_update(ft, &d, ts++, 87);
        no_flow += f == nullptr;
        benchmark::DoNotOptimize(f);
    }
    state.SetItemsProcessed(int64_t(state.iterations()));
    state.counters["no_flow"] = double(no_flow);
    flow_table_destroy(ft);
}

BENCHMARK(BM_FlowLookupMiss);

// ---- EVE ----------------------------------------------------------------------

void BM_JsonFlowRecord(benchmark::State &state)
{
    struct eve_ctx ec;
    eve_ctx_init(&ec, "bench_1G.pcap", nullptr);

    // An HTTP connection that ended by timeout: 10.99.0.1:43032 -> 10.99.0.2:80.
    struct flow f;
    std::memset(&f, 0, sizeof(f));
    f.flow_id = 1298437516834723ull;
    f.start_us = 1795000000123456ull;
    f.last_us = f.start_us + 37511;
    f.pkts[0] = 7;
    f.pkts[1] = 5;
    f.bytes[0] = 583;
    f.bytes[1] = 807;
    const uint8_t cli[4] = {10, 99, 0, 1}, srv[4] = {10, 99, 0, 2};
    std::memcpy(f.cli, cli, 4);
    std::memcpy(f.srv, srv, 4);
    f.cli_port = 43032;
    f.srv_port = 80;
    f.ip_v = 4;
    f.proto = 6;
    f.state = FLOW_STATE_CLOSED;
    f.tcp_state = FLOW_TCP_CLOSED;
    f.tcp_flags[0] = 0x1b;
    f.tcp_flags[1] = 0x1b;
    const uint8_t cmac[6] = {0x02, 0x99, 0, 0, 0, 1}, smac[6] = {0x02, 0x99, 0, 0, 0, 2};
    std::memcpy(f.cli_mac, cmac, 6);
    std::memcpy(f.srv_mac, smac, 6);
    f.mac_seen[0] = f.mac_seen[1] = true;
    std::strcpy(f.history, "ShADadFf");

    static char buf[4096];
    size_t len = eve_flow(&ec, buf, sizeof(buf), &f, FLOW_END_TIMEOUT);
    if (len == 0) {
        state.SkipWithError("eve_flow returned 0");
        return;
    }

    uint64_t bytes = 0;
    for (auto _ : state) {
        len = eve_flow(&ec, buf, sizeof(buf), &f, FLOW_END_TIMEOUT);
        bytes += len;
        benchmark::DoNotOptimize(len);
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(int64_t(state.iterations()));
    state.SetBytesProcessed(int64_t(bytes));
}

BENCHMARK(BM_JsonFlowRecord);

// What a worker does with the rollups at every flow end, on 4096 flows
// between H hosts (client and server drawn at random, server ports from
// a small set), with the default sketch capacity: the talkers' cost grows
// with H once the sketches are full and keys get replaced.
void BM_RollupFlowEnd(benchmark::State &state)
{
    const uint32_t hosts = uint32_t(state.range(0));
    struct rollup_config cfg;
    std::memset(&cfg, 0, sizeof(cfg));
    cfg.interval = 60;
    cfg.top_n = 10;
    cfg.capacity = 1024;
    static struct rollup ru;
    char err[NS_ERRBUF_SIZE];
    if (rollup_init(&ru, &cfg, err) != NS_OK) {
        state.SkipWithError(err);
        return;
    }
    std::vector<struct flow> flows(4096);
    uint64_t x = 88172645463325252ull;
    auto rnd = [&x]() { x ^= x << 13; x ^= x >> 7; x ^= x << 17; return x; };
    static const uint16_t ports[] = {80, 443, 53, 22, 25, 8080, 123, 993};
    for (auto &f : flows) {
        std::memset(&f, 0, sizeof(f));
        uint32_t c = uint32_t(rnd() % hosts), v = uint32_t(rnd() % hosts);
        uint8_t a[4] = {10, uint8_t(c >> 16), uint8_t(c >> 8), uint8_t(c)};
        uint8_t b[4] = {172, uint8_t(16 + (v >> 16)), uint8_t(v >> 8), uint8_t(v)};
        std::memcpy(f.cli, a, 4);
        std::memcpy(f.srv, b, 4);
        f.ip_v = 4;
        f.proto = 6;
        f.srv_port = ports[rnd() % 8];
        f.pkts[0] = 1 + rnd() % 20;
        f.pkts[1] = 1 + rnd() % 20;
        f.bytes[0] = f.pkts[0] * (60 + rnd() % 1400);
        f.bytes[1] = f.pkts[1] * (60 + rnd() % 1400);
    }
    size_t i = 0;
    for (auto _ : state) {
        rollup_flow_end(&ru, &flows[i]);
        i = (i + 1) & 4095;
    }
    benchmark::ClobberMemory();
    state.SetItemsProcessed(int64_t(state.iterations()));
    rollup_fini(&ru);
}

BENCHMARK(BM_RollupFlowEnd)->Arg(4)->Arg(1024)->Arg(65536);

}  // namespace

BENCHMARK_MAIN();
