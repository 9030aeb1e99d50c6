/* tests/test_afpacket.c: the TPACKET_V3 fanout socket on a real veth pair.
 *
 * The test process moves into a network namespace of its own
 * (unshare(CLONE_NEWNET)), so the veth pair and every frame it sends exist
 * only there.  Needs root (CAP_NET_ADMIN, CAP_NET_RAW); skipped otherwise. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <pcap/pcap.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "engine/afpacket.h"

static bool have_netns;

static int setup_netns(void **state)
{
    (void)state;
    if (geteuid() != 0 || unshare(CLONE_NEWNET) != 0)
        return 0;
    FILE *f = fopen("/proc/sys/net/ipv6/conf/all/disable_ipv6", "w");
    if (f) {
        fputs("1\n", f);
        fclose(f);
    }
    f = fopen("/proc/sys/net/ipv6/conf/default/disable_ipv6", "w");
    if (f) {
        fputs("1\n", f);
        fclose(f);
    }
    if (system("ip link add nsafp0 type veth peer name nsafp1 && ip link set nsafp0 up && "
               "ip link set nsafp1 up") != 0)
        return 0;
    have_netns = true;
    return 0;
}

static struct afp_config test_cfg(void)
{
    struct afp_config c = {
        .iface = "nsafp1",
        .block_size = 64 * 1024,
        .block_count = 8,
        .frame_size = 2048,
        .retire_ms = 5,
        .fanout = AFP_FANOUT_HASH,
        .fanout_defrag = true,
        .fanout_group = 4242,
    };
    return c;
}

/* An Ethernet/IPv4/UDP frame from 10.1.0.<a>:<sp> to 10.1.0.<b>:<dp>. */
static size_t make_frame(uint8_t *f, uint8_t a, uint8_t b, uint16_t sp, uint16_t dp, uint32_t tag)
{
    static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };
    memcpy(f, macs, 12);
    f[12] = 0x08;
    f[13] = 0x00;
    uint8_t *ip = f + 14;
    memset(ip, 0, 20);
    ip[0] = 0x45;
    ip[3] = 20 + 8 + 4;
    ip[8] = 64;
    ip[9] = 17;
    ip[12] = 10, ip[13] = 1, ip[14] = 0, ip[15] = a;
    ip[16] = 10, ip[17] = 1, ip[18] = 0, ip[19] = b;
    uint32_t sum = 0;
    for (int i = 0; i < 20; i += 2)
        sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    ip[10] = (uint8_t)(~sum >> 8);
    ip[11] = (uint8_t)~sum;
    uint8_t *udp = ip + 20;
    udp[0] = (uint8_t)(sp >> 8), udp[1] = (uint8_t)sp;
    udp[2] = (uint8_t)(dp >> 8), udp[3] = (uint8_t)dp;
    udp[4] = 0, udp[5] = 12, udp[6] = 0, udp[7] = 0;
    memcpy(udp + 8, &tag, 4);
    return 14 + 20 + 12;
}

static int sender(void)
{
    int fd = socket(AF_PACKET, SOCK_RAW, 0);
    assert_true(fd >= 0);
    struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_ifindex = (int)if_nametoindex("nsafp0") };
    assert_int_equal(bind(fd, (struct sockaddr *)&sll, sizeof(sll)), 0);
    return fd;
}

/* Collects up to want frames (tags) from s within ~2 s. */
static unsigned drain(struct afp_sock *s, uint32_t *tags, unsigned want)
{
    char err[NS_ERRBUF_SIZE];
    unsigned got = 0;
    for (int round = 0; round < 40 && got < want; round++) {
        int n = afp_block_next(s, 50, err);
        assert_true(n >= 0);
        struct afp_frame fr;
        while (afp_block_frame(s, &fr)) {
            assert_int_equal(fr.caplen, 46);
            assert_int_equal(fr.wirelen, 46);
            if (got < want)
                memcpy(&tags[got], fr.data + 42, 4);
            got++;
        }
        afp_block_release(s);
    }
    return got;
}

static void no_such_interface(void **state)
{
    (void)state;
    char err[NS_ERRBUF_SIZE];
    struct afp_config c = test_cfg();
    c.iface = "nosuchif9";
    assert_null(afp_open(&c, NULL, err));
    assert_string_equal(err, "afpacket nosuchif9: no such interface");
    assert_int_equal(afp_linktype("nosuchif9", err), -1);
}

static void captures_in_order_with_stats(void **state)
{
    (void)state;
    if (!have_netns)
        skip();
    char err[NS_ERRBUF_SIZE];
    struct afp_config c = test_cfg();
    assert_int_equal(afp_linktype("nsafp1", err), 1);
    struct afp_sock *s = afp_open(&c, NULL, err);
    assert_non_null(s);
    int fd = sender();
    uint8_t f[64];
    for (uint32_t i = 0; i < 300; i++) {
        size_t n = make_frame(f, 1, 2, 1000, 2000, i);
        assert_int_equal(send(fd, f, n, 0), (ssize_t)n);
    }
    uint32_t tags[300];
    assert_int_equal(drain(s, tags, 300), 300);
    for (uint32_t i = 0; i < 300; i++)
        assert_int_equal(tags[i], i);           /* ring order is arrival order */
    uint64_t pk = 0, dr = 0, fz = 0;
    assert_int_equal(afp_stats(s, &pk, &dr, &fz), NS_OK);
    assert_int_equal(pk, 300);
    assert_int_equal(dr, 0);
    pk = 0;
    assert_int_equal(afp_stats(s, &pk, &dr, &fz), NS_OK);   /* reset on read */
    assert_int_equal(pk, 0);
    close(fd);
    afp_close(s);
}

static void kernel_filter(void **state)
{
    (void)state;
    if (!have_netns)
        skip();
    char err[NS_ERRBUF_SIZE];
    struct bpf_program prog;
    pcap_t *dead = pcap_open_dead(1, 262144);
    assert_int_equal(pcap_compile(dead, &prog, "udp dst port 9", 1, PCAP_NETMASK_UNKNOWN), 0);
    struct afp_config c = test_cfg();
    c.fanout_group = 4243;
    struct afp_sock *s = afp_open(&c, &prog, err);
    assert_non_null(s);
    int fd = sender();
    uint8_t f[64];
    for (uint32_t i = 0; i < 100; i++) {
        size_t n = make_frame(f, 1, 2, 1000, (i & 1) ? 9 : 10, i);
        assert_int_equal(send(fd, f, n, 0), (ssize_t)n);
    }
    uint32_t tags[100];
    assert_int_equal(drain(s, tags, 100), 50);
    for (uint32_t i = 0; i < 50; i++)
        assert_int_equal(tags[i] & 1, 1);
    uint64_t pk = 0, dr = 0, fz = 0;
    assert_int_equal(afp_stats(s, &pk, &dr, &fz), NS_OK);
    assert_int_equal(pk, 50);                   /* filtered ones never counted */
    close(fd);
    afp_close(s);
    pcap_freecode(&prog);
    pcap_close(dead);
}

/* Two sockets in one hash group: both directions of each flow on one. */
static void fanout_keeps_flows_whole(void **state)
{
    (void)state;
    if (!have_netns)
        skip();
    char err[NS_ERRBUF_SIZE];
    struct afp_config c = test_cfg();
    c.fanout_group = 4244;
    struct afp_sock *s0 = afp_open(&c, NULL, err);
    struct afp_sock *s1 = afp_open(&c, NULL, err);
    assert_non_null(s0);
    assert_non_null(s1);
    int fd = sender();
    uint8_t f[64];
    /* 40 flows, 5 packets each way; tag = flow * 16 + direction */
    for (uint32_t k = 0; k < 5; k++) {
        for (uint32_t fl = 0; fl < 40; fl++) {
            size_t n = make_frame(f, (uint8_t)(1 + fl), 200, (uint16_t)(3000 + fl), 53, fl * 16);
            assert_int_equal(send(fd, f, n, 0), (ssize_t)n);
            n = make_frame(f, 200, (uint8_t)(1 + fl), 53, (uint16_t)(3000 + fl), fl * 16 + 1);
            assert_int_equal(send(fd, f, n, 0), (ssize_t)n);
        }
    }
    uint32_t t0[400], t1[400];
    unsigned n0 = drain(s0, t0, 400), n1 = drain(s1, t1, 400);
    assert_int_equal(n0 + n1, 400);
    assert_true(n0 > 0 && n1 > 0);              /* the hash did spread flows */
    int where[40];
    for (int i = 0; i < 40; i++)
        where[i] = -1;
    for (unsigned i = 0; i < n0; i++) {
        unsigned fl = t0[i] / 16;
        assert_true(where[fl] == -1 || where[fl] == 0);
        where[fl] = 0;
    }
    for (unsigned i = 0; i < n1; i++) {
        unsigned fl = t1[i] / 16;
        assert_true(where[fl] == -1 || where[fl] == 1);
        where[fl] = 1;
    }
    close(fd);
    afp_close(s0);
    afp_close(s1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(no_such_interface),
        cmocka_unit_test(captures_in_order_with_stats),
        cmocka_unit_test(kernel_filter),
        cmocka_unit_test(fanout_keeps_flows_whole),
    };
    return cmocka_run_group_tests(tests, setup_netns, NULL);
}
