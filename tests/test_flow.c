/* tests/test_flow.c: the flow table -- symmetric keys, VLANs, ICMP, TCP
 * state and Zeek history/conn_state, timeouts per state, emergency
 * eviction, flush, deterministic flow ids, the hash slots under churn, and
 * Community ID vectors.  Packets are ns_decoded values built by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <stdlib.h>

#include "flow/flow.h"

#define T_FIN 0x01
#define T_SYN 0x02
#define T_RST 0x04
#define T_PSH 0x08
#define T_ACK 0x10

#define SEC  UINT64_C(1000000)
#define T0   (UINT64_C(1700000000) * SEC)
#define KEEP 64                         /* ended flows kept for inspection */

#define PORT0 10000
#define NKEYS 300                       /* churn test keys: ports PORT0.. */

struct ends {
    unsigned n, by_reason[3];
    struct flow f[KEEP];                /* the first KEEP */
    enum flow_end_reason r[KEEP];
    struct flow last;
    bool *active;                       /* churn test: active[port - PORT0] */
};

static void on_end(void *ctx, const struct flow *f, enum flow_end_reason r)
{
    struct ends *e = ctx;
    if (e->n < KEEP) {
        e->f[e->n] = *f;
        e->r[e->n] = r;
    }
    e->last = *f;
    e->n++;
    e->by_reason[r]++;
    uint16_t port = f->cli_port >= PORT0 ? f->cli_port : f->srv_port;
    if (e->active && port >= PORT0 && port < PORT0 + NKEYS)
        e->active[port - PORT0] = false;
}

struct fx {
    struct flow_config cfg;
    struct flow_table *ft;
    struct ends ends;
};

static int fx_open(void **state, uint64_t memcap, uint32_t hash_size)
{
    struct fx *x = calloc(1, sizeof(*x));
    if (!x)
        return -1;
    flow_config_defaults(&x->cfg);
    x->cfg.memcap = memcap;
    x->cfg.hash_size = hash_size;
    char err[NS_ERRBUF_SIZE];
    x->ft = flow_table_create(&x->cfg, on_end, &x->ends, err);
    if (!x->ft) {
        free(x);
        return -1;
    }
    *state = x;
    return 0;
}

static int setup(void **state)
{
    return fx_open(state, 4u << 20, 65536);
}

/* 4 KiB: a pool of a few entries */
static int setup_tiny(void **state)
{
    return fx_open(state, 4096, 16);
}

/* about a hundred entries in 256 slots */
static int setup_small(void **state)
{
    return fx_open(state, 22 * 1024, 16);
}

static int teardown(void **state)
{
    struct fx *x = *state;
    flow_table_destroy(x->ft);
    free(x);
    return 0;
}

static void stats_of(struct fx *x, uint64_t s[FS_MAX])
{
    flow_table_stats(x->ft, s);
}

static struct ns_decoded pkt(const char *src, uint16_t sp, const char *dst, uint16_t dp,
                             uint8_t proto)
{
    struct ns_decoded d;
    memset(&d, 0, sizeof(d));
    bool v6 = strchr(src, ':') != NULL;
    d.ip_v = v6 ? 6 : 4;
    assert_int_equal(inet_pton(v6 ? AF_INET6 : AF_INET, src, d.src), 1);
    assert_int_equal(inet_pton(v6 ? AF_INET6 : AF_INET, dst, d.dst), 1);
    d.proto = proto;
    d.sport = sp;
    d.dport = dp;
    d.has_l4 = true;
    d.tcp_win = 65535;
    d.tcp_wscale = 0xff;
    return d;
}

static void addr(const char *s, uint8_t out[16])
{
    memset(out, 0, 16);
    assert_int_equal(inet_pton(strchr(s, ':') ? AF_INET6 : AF_INET, s, out), 1);
}

/* A TCP conversation whose sequence and ack numbers behave like a stack's. */
struct conv {
    struct fx *x;
    const char *c, *s;
    uint16_t cp, sp;
    uint32_t next[2];
    uint64_t ts;
};

static struct flow *conv_send(struct conv *cv, unsigned dir, uint8_t flags, uint32_t len)
{
    struct ns_decoded d = dir == 0 ? pkt(cv->c, cv->cp, cv->s, cv->sp, 6)
                                   : pkt(cv->s, cv->sp, cv->c, cv->cp, 6);
    d.tcp_flags = flags;
    d.tcp_seq = cv->next[dir];
    d.tcp_ack = (flags & T_ACK) ? cv->next[dir ^ 1] : 0;
    d.payload_len = len;
    if (!(flags & T_RST))
        cv->next[dir] += len + ((flags & T_SYN) ? 1 : 0) + ((flags & T_FIN) ? 1 : 0);
    cv->ts += 1000;
    return flow_table_update(cv->x->ft, &d, cv->ts, 54 + len);
}

static struct conv conv_new(struct fx *x)
{
    return (struct conv){ .x = x, .c = "10.0.0.1", .s = "10.0.0.2", .cp = 40000, .sp = 80,
                           .next = { 1000, 50000 }, .ts = T0 };
}

/* ---- keys ---------------------------------------------------------- */

static void key_symmetry(void **state)
{
    struct fx *x = *state;
    struct ns_decoded q = pkt("192.168.1.52", 54585, "8.8.8.8", 53, 17);
    struct ns_decoded r = pkt("8.8.8.8", 53, "192.168.1.52", 54585, 17);
    struct flow *f1 = flow_table_update(x->ft, &q, T0, 80);
    assert_non_null(f1);
    assert_int_equal(f1->state, FLOW_STATE_NEW);
    struct flow *f2 = flow_table_update(x->ft, &r, T0 + 10, 200);
    assert_ptr_equal(f1, f2);
    assert_non_null(flow_table_update(x->ft, &q, T0 + 20, 90));
    assert_int_equal(f1->pkts[0], 2);
    assert_int_equal(f1->pkts[1], 1);
    assert_int_equal(f1->bytes[0], 170);
    assert_int_equal(f1->bytes[1], 200);
    assert_memory_equal(f1->cli, q.src, 16);
    assert_memory_equal(f1->srv, q.dst, 16);
    assert_int_equal(f1->cli_port, 54585);
    assert_int_equal(f1->srv_port, 53);
    assert_int_equal(f1->start_us, T0);
    assert_int_equal(f1->last_us, T0 + 20);
    assert_int_equal(f1->state, FLOW_STATE_ESTABLISHED);
    assert_string_equal(flow_conn_state(f1), "OTH");

    /* the same ports between other hosts, or another protocol: new flows */
    struct ns_decoded o = pkt("192.168.1.53", 54585, "8.8.8.8", 53, 17);
    assert_ptr_not_equal(flow_table_update(x->ft, &o, T0 + 30, 80), f1);
    struct ns_decoded t = pkt("192.168.1.52", 54585, "8.8.8.8", 53, 6);
    assert_ptr_not_equal(flow_table_update(x->ft, &t, T0 + 40, 80), f1);

    uint64_t s[FS_MAX];
    stats_of(x, s);
    assert_int_equal(s[FS_TOTAL], 3);
    assert_int_equal(s[FS_ACTIVE], 3);
    assert_int_equal(s[FS_UDP], 2);
    assert_int_equal(s[FS_TCP], 1);

    uint64_t id = f1->flow_id;
    flow_table_flush(x->ft);
    assert_int_equal(x->ends.n, 3);
    const struct flow *e = NULL;
    for (unsigned i = 0; i < x->ends.n; i++)
        if (x->ends.f[i].flow_id == id)
            e = &x->ends.f[i];
    assert_non_null(e);
    assert_int_equal(e->pkts[0] + e->pkts[1], 3);
}

static void key_ipv6(void **state)
{
    struct fx *x = *state;
    struct ns_decoded a = pkt("2001:db8::1", 5000, "2001:db8::2", 443, 17);
    struct ns_decoded b = pkt("2001:db8::2", 443, "2001:db8::1", 5000, 17);
    struct flow *f = flow_table_update(x->ft, &a, T0, 100);
    assert_ptr_equal(flow_table_update(x->ft, &b, T0 + 1, 100), f);
    assert_int_equal(f->ip_v, 6);
    assert_int_equal(f->pkts[1], 1);
    /* an IPv4 packet with bytes after its address is the same flow */
    struct ns_decoded c = pkt("10.1.1.1", 1, "10.1.1.2", 2, 17);
    struct flow *g = flow_table_update(x->ft, &c, T0, 60);
    c.src[7] = 0xaa;
    c.dst[15] = 0xbb;
    assert_ptr_equal(flow_table_update(x->ft, &c, T0 + 1, 60), g);
}

static void vlans_distinct(void **state)
{
    struct fx *x = *state;
    struct ns_decoded d = pkt("10.0.0.1", 1234, "10.0.0.2", 80, 17);
    struct flow *none = flow_table_update(x->ft, &d, T0, 60);
    d.vlan_cnt = 1;
    d.vlan[0] = 10;
    d.vlan[1] = 777;                    /* beyond vlan_cnt: ignored */
    struct flow *v10 = flow_table_update(x->ft, &d, T0, 60);
    d.vlan[0] = 20;
    struct flow *v20 = flow_table_update(x->ft, &d, T0, 60);
    d.vlan_cnt = 2;
    d.vlan[0] = 10;
    d.vlan[1] = 30;
    struct flow *qinq = flow_table_update(x->ft, &d, T0, 60);
    assert_ptr_not_equal(none, v10);
    assert_ptr_not_equal(v10, v20);
    assert_ptr_not_equal(v10, qinq);
    assert_ptr_not_equal(none, qinq);

    /* the reply on VLAN 10 joins the VLAN 10 flow, whatever vlan[1] holds */
    struct ns_decoded r = pkt("10.0.0.2", 80, "10.0.0.1", 1234, 17);
    r.vlan_cnt = 1;
    r.vlan[0] = 10;
    r.vlan[1] = 5;
    assert_ptr_equal(flow_table_update(x->ft, &r, T0 + 1, 60), v10);
    assert_int_equal(v10->vlan_cnt, 1);
    assert_int_equal(v10->vlan[0], 10);
    assert_int_equal(v10->vlan[1], 0);
    assert_int_equal(qinq->vlan[1], 30);
    uint64_t s[FS_MAX];
    stats_of(x, s);
    assert_int_equal(s[FS_TOTAL], 4);
}

static void icmp_echo(void **state)
{
    struct fx *x = *state;
    struct ns_decoded q = pkt("192.168.0.89", 0, "192.168.0.1", 0, 1);
    q.icmp_type = 8;
    q.icmp_id = 77;
    struct ns_decoded r = pkt("192.168.0.1", 0, "192.168.0.89", 0, 1);
    r.icmp_type = 0;
    r.sport = 9;                        /* whatever the ports say, ICMP keys on addresses */
    struct flow *f = flow_table_update(x->ft, &q, T0, 98);
    assert_ptr_equal(flow_table_update(x->ft, &r, T0 + 5, 98), f);
    q.icmp_type = 3;                    /* later types do not overwrite the first */
    assert_ptr_equal(flow_table_update(x->ft, &q, T0 + 6, 98), f);
    assert_true(f->icmp_seen[0]);
    assert_true(f->icmp_seen[1]);
    assert_int_equal(f->icmp_type[0], 8);
    assert_int_equal(f->icmp_type[1], 0);
    assert_int_equal(f->cli_port, 0);
    assert_int_equal(f->srv_port, 0);
    assert_int_equal(f->state, FLOW_STATE_ESTABLISHED);
    char cid[64];
    flow_community_id(f, cid);
    assert_string_equal(cid, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=");   /* spec baseline */

    struct ns_decoded v6 = pkt("3ffe:507:0:1:200:86ff:fe05:80da", 0, "3ffe:501:0:1001::2", 0, 58);
    v6.icmp_type = 128;
    struct flow *g = flow_table_update(x->ft, &v6, T0, 100);
    flow_community_id(g, cid);
    assert_string_equal(cid, "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg=");
    uint64_t s[FS_MAX];
    stats_of(x, s);
    assert_int_equal(s[FS_ICMPV4], 1);
    assert_int_equal(s[FS_ICMPV6], 1);
}

static void macs_per_direction(void **state)
{
    struct fx *x = *state;
    static const uint8_t mc[6] = { 2, 0, 0, 0, 0, 1 }, ms[6] = { 2, 0, 0, 0, 0, 2 };
    struct ns_decoded a = pkt("10.0.0.1", 1, "10.0.0.2", 2, 17);
    a.has_eth = true;
    memcpy(a.src_mac, mc, 6);
    memcpy(a.dst_mac, ms, 6);
    struct flow *f = flow_table_update(x->ft, &a, T0, 60);
    assert_true(f->mac_seen[0]);
    assert_false(f->mac_seen[1]);
    assert_memory_equal(f->cli_mac, mc, 6);
    struct ns_decoded b = pkt("10.0.0.2", 2, "10.0.0.1", 1, 17);
    b.has_eth = true;
    memcpy(b.src_mac, ms, 6);
    memcpy(b.dst_mac, mc, 6);
    flow_table_update(x->ft, &b, T0 + 1, 60);
    assert_true(f->mac_seen[1]);
    assert_memory_equal(f->srv_mac, ms, 6);
}

static void no_ip_no_flow(void **state)
{
    struct fx *x = *state;
    struct ns_decoded d;
    memset(&d, 0, sizeof(d));
    assert_null(flow_table_update(x->ft, &d, T0, 60));
    uint64_t s[FS_MAX];
    stats_of(x, s);
    assert_int_equal(s[FS_NO_FLOW], 1);
    assert_int_equal(s[FS_TOTAL], 0);
}

/* ---- TCP ------------------------------------------------------------ */

static void tcp_handshake_and_fin(void **state)
{
    struct fx *x = *state;
    struct conv cv = conv_new(x);
    struct flow *f = conv_send(&cv, 0, T_SYN, 0);
    assert_int_equal(f->tcp_state, FLOW_TCP_SYN_SENT);
    assert_int_equal(f->state, FLOW_STATE_NEW);
    conv_send(&cv, 1, T_SYN | T_ACK, 0);
    assert_int_equal(f->tcp_state, FLOW_TCP_SYN_RECV);
    conv_send(&cv, 0, T_ACK, 0);
    assert_int_equal(f->tcp_state, FLOW_TCP_ESTABLISHED);
    assert_int_equal(f->state, FLOW_STATE_ESTABLISHED);
    conv_send(&cv, 0, T_ACK | T_PSH, 100);
    conv_send(&cv, 1, T_ACK | T_PSH, 200);
    conv_send(&cv, 0, T_FIN | T_ACK, 0);
    assert_int_equal(f->tcp_state, FLOW_TCP_CLOSE_WAIT);
    assert_int_equal(f->state, FLOW_STATE_ESTABLISHED);
    conv_send(&cv, 1, T_ACK, 0);
    conv_send(&cv, 1, T_FIN | T_ACK, 0);
    assert_int_equal(f->tcp_state, FLOW_TCP_LAST_ACK);
    assert_int_equal(f->state, FLOW_STATE_CLOSED);
    conv_send(&cv, 0, T_ACK, 0);
    assert_int_equal(f->tcp_state, FLOW_TCP_CLOSED);
    assert_int_equal(f->state, FLOW_STATE_CLOSED);

    assert_string_equal(f->history, "ShADdFaf");
    assert_string_equal(flow_conn_state(f), "SF");
    assert_int_equal(f->tcp_flags[0], T_SYN | T_ACK | T_PSH | T_FIN);
    assert_int_equal(f->tcp_flags[1], T_SYN | T_ACK | T_PSH | T_FIN);
    assert_int_equal(f->pkts[0], 5);
    assert_int_equal(f->pkts[1], 4);
    assert_int_equal(f->bytes[0], 5 * 54 + 100);
    assert_int_equal(f->cli_port, 40000);
    assert_string_equal(flow_tcp_state_name(f->tcp_state), "closed");
    uint64_t s[FS_MAX];
    stats_of(x, s);
    assert_int_equal(s[FS_MIDSTREAM], 0);
    assert_int_equal(s[FS_RST], 0);
}

static void tcp_server_closes_first(void **state)
{
    struct fx *x = *state;
    struct conv cv = conv_new(x);
    struct flow *f = conv_send(&cv, 0, T_SYN, 0);
    conv_send(&cv, 1, T_SYN | T_ACK, 0);
    conv_send(&cv, 0, T_ACK, 0);
    conv_send(&cv, 1, T_FIN | T_ACK, 0);
    assert_int_equal(f->tcp_state, FLOW_TCP_FIN_WAIT1);
    conv_send(&cv, 0, T_ACK, 0);
    assert_int_equal(f->tcp_state, FLOW_TCP_FIN_WAIT2);
    conv_send(&cv, 0, T_FIN | T_ACK, 0);
    assert_int_equal(f->tcp_state, FLOW_TCP_TIME_WAIT);
    assert_int_equal(f->state, FLOW_STATE_CLOSED);
    conv_send(&cv, 1, T_ACK, 0);
    assert_int_equal(f->tcp_state, FLOW_TCP_CLOSED);
    assert_string_equal(f->history, "ShAfFa");
    assert_string_equal(flow_conn_state(f), "SF");
}

static void tcp_rst(void **state)
{
    struct fx *x = *state;
    struct conv cv = conv_new(x);
    struct flow *f = conv_send(&cv, 0, T_SYN, 0);
    conv_send(&cv, 1, T_SYN | T_ACK, 0);
    conv_send(&cv, 0, T_ACK, 0);
    conv_send(&cv, 0, T_RST | T_ACK, 0);
    assert_int_equal(f->tcp_state, FLOW_TCP_CLOSED);
    assert_int_equal(f->state, FLOW_STATE_CLOSED);
    assert_string_equal(f->history, "ShAR");
    assert_string_equal(flow_conn_state(f), "RSTO");
    conv_send(&cv, 1, T_RST, 0);
    uint64_t s[FS_MAX];
    stats_of(x, s);
    assert_int_equal(s[FS_RST], 2);
}

static void tcp_synack_first_flips(void **state)
{
    struct fx *x = *state;
    struct conv cv = conv_new(x);
    /* the SYN was missed: the server's SYN/ACK comes first */
    struct flow *f = conv_send(&cv, 1, T_SYN | T_ACK, 0);
    uint8_t c[16];
    addr("10.0.0.1", c);
    assert_memory_equal(f->cli, c, 16);
    assert_int_equal(f->cli_port, 40000);
    assert_int_equal(f->srv_port, 80);
    assert_int_equal(f->pkts[0], 0);
    assert_int_equal(f->pkts[1], 1);
    assert_int_equal(f->tcp_flags[1], T_SYN | T_ACK);
    assert_int_equal(f->tcp_state, FLOW_TCP_SYN_RECV);
    assert_int_equal(f->state, FLOW_STATE_NEW);
    conv_send(&cv, 0, T_ACK, 0);
    assert_int_equal(f->pkts[0], 1);
    assert_int_equal(f->tcp_state, FLOW_TCP_ESTABLISHED);
    assert_int_equal(f->state, FLOW_STATE_ESTABLISHED);
    assert_string_equal(f->history, "^hA");
    assert_string_equal(flow_conn_state(f), "S1");
    uint64_t s[FS_MAX];
    stats_of(x, s);
    assert_int_equal(s[FS_TOTAL], 1);
    assert_int_equal(s[FS_MIDSTREAM], 1);
}

static void tcp_midstream(void **state)
{
    struct fx *x = *state;
    struct conv cv = conv_new(x);
    struct flow *f = conv_send(&cv, 0, T_ACK | T_PSH, 10);
    assert_int_equal(f->tcp_state, FLOW_TCP_ESTABLISHED);
    assert_int_equal(f->state, FLOW_STATE_NEW);         /* one direction so far */
    conv_send(&cv, 0, T_ACK | T_PSH, 10);
    assert_int_equal(f->state, FLOW_STATE_NEW);
    conv_send(&cv, 1, T_ACK, 0);
    assert_int_equal(f->state, FLOW_STATE_ESTABLISHED);
    assert_string_equal(f->history, "Da");
    assert_string_equal(flow_conn_state(f), "OTH");
    uint64_t s[FS_MAX];
    stats_of(x, s);
    assert_int_equal(s[FS_MIDSTREAM], 1);

    /* a probe without SYN or ACK is followed by nothing */
    struct conv p = conv_new(x);
    p.cp = 40001;
    struct flow *g = conv_send(&p, 0, T_FIN | T_PSH | 0x20, 0);
    assert_int_equal(g->tcp_state, FLOW_TCP_NONE);
    assert_int_equal(g->state, FLOW_STATE_NEW);
    stats_of(x, s);
    assert_int_equal(s[FS_MIDSTREAM], 1);
}

struct step {
    unsigned dir;
    uint8_t flags;
    uint32_t len;
};

struct conn_case {
    const char *name;
    struct step steps[10];
    unsigned nsteps;
    const char *conn_state, *history;
    enum flow_state state;
    enum flow_tcp_state tcp_state;
};

#define SA (T_SYN | T_ACK)
#define FA (T_FIN | T_ACK)
#define PA (T_PSH | T_ACK)

static const struct conn_case conn_cases[] = {
    { "S0", { { 0, T_SYN, 0 }, { 0, T_SYN, 0 } }, 2, "S0", "S", FLOW_STATE_NEW, FLOW_TCP_SYN_SENT },
    { "REJ", { { 0, T_SYN, 0 }, { 1, T_RST | T_ACK, 0 } }, 2, "REJ", "Sr",
      FLOW_STATE_CLOSED, FLOW_TCP_CLOSED },
    { "SF",
      { { 0, T_SYN, 0 }, { 1, SA, 0 }, { 0, T_ACK, 0 }, { 0, PA, 5 }, { 1, PA, 5 }, { 0, FA, 0 },
        { 1, FA, 0 }, { 0, T_ACK, 0 } },
      8, "SF", "ShADdFf", FLOW_STATE_CLOSED, FLOW_TCP_CLOSED },
    { "S1", { { 0, T_SYN, 0 }, { 1, SA, 0 }, { 0, T_ACK, 0 }, { 0, PA, 10 }, { 1, PA, 10 } }, 5,
      "S1", "ShADd", FLOW_STATE_ESTABLISHED, FLOW_TCP_ESTABLISHED },
    { "RSTO", { { 0, T_SYN, 0 }, { 1, SA, 0 }, { 0, T_ACK, 0 }, { 0, T_RST, 0 } }, 4, "RSTO",
      "ShAR", FLOW_STATE_CLOSED, FLOW_TCP_CLOSED },
    { "RSTR", { { 0, T_SYN, 0 }, { 1, SA, 0 }, { 0, T_ACK, 0 }, { 1, T_RST, 0 } }, 4, "RSTR",
      "ShAr", FLOW_STATE_CLOSED, FLOW_TCP_CLOSED },
    { "S2", { { 0, T_SYN, 0 }, { 1, SA, 0 }, { 0, T_ACK, 0 }, { 0, FA, 0 } }, 4, "S2", "ShAF",
      FLOW_STATE_ESTABLISHED, FLOW_TCP_CLOSE_WAIT },
    { "S3", { { 0, T_SYN, 0 }, { 1, SA, 0 }, { 0, T_ACK, 0 }, { 1, FA, 0 } }, 4, "S3", "ShAf",
      FLOW_STATE_ESTABLISHED, FLOW_TCP_FIN_WAIT1 },
    { "SH", { { 0, T_SYN, 0 }, { 0, T_FIN, 0 } }, 2, "SH", "SF", FLOW_STATE_NEW,
      FLOW_TCP_SYN_SENT },
    { "RSTOS0", { { 0, T_SYN, 0 }, { 0, T_RST, 0 } }, 2, "RSTOS0", "SR", FLOW_STATE_CLOSED,
      FLOW_TCP_CLOSED },
    { "SHR", { { 1, SA, 0 }, { 1, FA, 0 } }, 2, "SHR", "^hf", FLOW_STATE_NEW,
      FLOW_TCP_FIN_WAIT1 },
    { "RSTRH", { { 1, SA, 0 }, { 1, T_RST, 0 } }, 2, "RSTRH", "^hr", FLOW_STATE_CLOSED,
      FLOW_TCP_CLOSED },
    { "OTH", { { 0, PA, 10 }, { 1, T_ACK, 0 } }, 2, "OTH", "Da", FLOW_STATE_ESTABLISHED,
      FLOW_TCP_ESTABLISHED },
    { "lone RST", { { 0, T_RST, 0 } }, 1, "OTH", "R", FLOW_STATE_CLOSED, FLOW_TCP_CLOSED },
};

static void tcp_conn_states(void **state)
{
    struct fx *x = *state;
    for (unsigned i = 0; i < NS_ARRAY_LEN(conn_cases); i++) {
        const struct conn_case *cc = &conn_cases[i];
        struct conv cv = conv_new(x);
        cv.cp = (uint16_t)(20000 + i);
        struct flow *f = NULL;
        for (unsigned k = 0; k < cc->nsteps; k++)
            f = conv_send(&cv, cc->steps[k].dir, cc->steps[k].flags, cc->steps[k].len);
        assert_non_null(f);
        if (strcmp(flow_conn_state(f), cc->conn_state) || strcmp(f->history, cc->history) ||
            f->state != cc->state || f->tcp_state != cc->tcp_state)
            fail_msg("%s: conn_state %s history \"%s\" state %s tcp_state %s", cc->name,
                     flow_conn_state(f), f->history, flow_state_name(f->state),
                     flow_tcp_state_name(f->tcp_state));
    }
}

static void tcp_history_letters(void **state)
{
    struct fx *x = *state;
    struct conv cv = conv_new(x);
    struct flow *f = conv_send(&cv, 0, T_SYN, 0);
    conv_send(&cv, 1, SA, 0);
    conv_send(&cv, 0, T_ACK, 0);
    conv_send(&cv, 0, PA, 100);
    cv.next[0] -= 100;                  /* the same 100 bytes again */
    conv_send(&cv, 0, PA, 100);
    cv.next[0] -= 1;                    /* a keep-alive probe: one old byte */
    conv_send(&cv, 0, T_ACK, 1);
    assert_string_equal(f->history, "ShADT");
    /* a zero window from the responder, a SYN+FIN and a FIN+RST */
    struct ns_decoded z = pkt("10.0.0.2", 80, "10.0.0.1", 40000, 6);
    z.tcp_flags = T_ACK;
    z.tcp_seq = cv.next[1];
    z.tcp_win = 0;
    flow_table_update(x->ft, &z, cv.ts + 1, 54);
    assert_string_equal(f->history, "ShADTaw");
    conv_send(&cv, 1, T_SYN | T_FIN, 0);
    conv_send(&cv, 0, T_FIN | T_RST, 0);
    assert_string_equal(f->history, "ShADTawqI");
    /* nothing repeats, and the text never passes FLOW_HISTORY_MAX */
    for (unsigned i = 0; i < 50; i++)
        conv_send(&cv, i & 1, (uint8_t)(i * 37), i % 3);
    assert_true(strlen(f->history) <= FLOW_HISTORY_MAX);
    assert_int_equal(f->history[FLOW_HISTORY_MAX], '\0');
}

/* ---- timeouts ------------------------------------------------------- */

static void timeout_udp_new_and_established(void **state)
{
    struct fx *x = *state;
    struct ns_decoded a = pkt("10.0.0.1", 1111, "10.0.0.2", 53, 17);
    struct ns_decoded b = pkt("10.0.0.3", 2222, "10.0.0.2", 53, 17);
    struct ns_decoded br = pkt("10.0.0.2", 53, "10.0.0.3", 2222, 17);
    flow_table_update(x->ft, &a, T0, 60);                 /* new: 30 s */
    flow_table_update(x->ft, &b, T0, 60);
    flow_table_update(x->ft, &br, T0 + 20 * SEC, 60);     /* established: 300 s */
    flow_table_expire(x->ft, T0 + 30 * SEC);
    assert_int_equal(x->ends.n, 0);
    flow_table_expire(x->ft, T0 + 30 * SEC + 1);
    assert_int_equal(x->ends.n, 1);
    assert_int_equal(x->ends.r[0], FLOW_END_TIMEOUT);
    assert_int_equal(x->ends.f[0].cli_port, 1111);
    assert_int_equal(x->ends.f[0].state, FLOW_STATE_NEW);
    flow_table_expire(x->ft, T0 + 320 * SEC);
    assert_int_equal(x->ends.n, 1);
    flow_table_expire(x->ft, T0 + 320 * SEC + 1);
    assert_int_equal(x->ends.n, 2);
    assert_int_equal(x->ends.f[1].cli_port, 2222);
    assert_int_equal(x->ends.f[1].state, FLOW_STATE_ESTABLISHED);
    uint64_t s[FS_MAX];
    stats_of(x, s);
    assert_int_equal(s[FS_TIMEOUT], 2);
    assert_int_equal(s[FS_ACTIVE], 0);
}

static void timeout_tcp_states(void **state)
{
    struct fx *x = *state;
    /* new (60 s): a lone SYN */
    struct conv n = conv_new(x);
    n.cp = 1;
    conv_send(&n, 0, T_SYN, 0);
    /* established (600 s) */
    struct conv e = conv_new(x);
    e.cp = 2;
    conv_send(&e, 0, T_SYN, 0);
    conv_send(&e, 1, SA, 0);
    conv_send(&e, 0, T_ACK, 0);
    /* closed (60 s) */
    struct conv c = conv_new(x);
    c.cp = 3;
    conv_send(&c, 0, T_SYN, 0);
    conv_send(&c, 1, SA, 0);
    conv_send(&c, 0, T_ACK, 0);
    conv_send(&c, 0, FA, 0);
    conv_send(&c, 1, FA, 0);
    conv_send(&c, 0, T_ACK, 0);

    flow_table_expire(x->ft, n.ts + 60 * SEC);
    assert_int_equal(x->ends.n, 0);
    flow_table_expire(x->ft, n.ts + 60 * SEC + 1);
    assert_int_equal(x->ends.n, 1);
    assert_int_equal(x->ends.f[0].cli_port, 1);
    flow_table_expire(x->ft, c.ts + 60 * SEC);
    assert_int_equal(x->ends.n, 1);
    flow_table_expire(x->ft, c.ts + 60 * SEC + 1);
    assert_int_equal(x->ends.n, 2);
    assert_int_equal(x->ends.f[1].cli_port, 3);
    assert_int_equal(x->ends.f[1].state, FLOW_STATE_CLOSED);
    flow_table_expire(x->ft, e.ts + 600 * SEC);
    assert_int_equal(x->ends.n, 2);
    flow_table_expire(x->ft, e.ts + 600 * SEC + 1);
    assert_int_equal(x->ends.n, 3);
    assert_int_equal(x->ends.f[2].cli_port, 2);
    assert_int_equal(x->ends.f[2].state, FLOW_STATE_ESTABLISHED);
}

static void timeout_icmp_and_other(void **state)
{
    struct fx *x = *state;
    struct ns_decoded i = pkt("10.0.0.1", 0, "10.0.0.2", 0, 1);
    i.icmp_type = 8;
    struct ns_decoded g = pkt("10.0.0.1", 0, "10.0.0.2", 0, 47);   /* GRE */
    struct ns_decoded gr = pkt("10.0.0.2", 0, "10.0.0.1", 0, 47);
    flow_table_update(x->ft, &i, T0, 60);
    flow_table_update(x->ft, &g, T0, 60);
    flow_table_update(x->ft, &gr, T0, 60);
    flow_table_expire(x->ft, T0 + 30 * SEC);
    assert_int_equal(x->ends.n, 0);
    flow_table_expire(x->ft, T0 + 30 * SEC + 1);
    assert_int_equal(x->ends.n, 1);
    assert_int_equal(x->ends.f[0].proto, 1);
    flow_table_expire(x->ft, T0 + 300 * SEC + 1);
    assert_int_equal(x->ends.n, 2);
    assert_int_equal(x->ends.f[1].proto, 47);
}

/* A packet after the timeout starts a new flow even before expiry runs. */
static void timeout_on_lookup(void **state)
{
    struct fx *x = *state;
    struct ns_decoded a = pkt("10.0.0.1", 1111, "10.0.0.2", 53, 17);
    struct flow *f = flow_table_update(x->ft, &a, T0, 60);
    uint64_t id1 = f->flow_id;
    f = flow_table_update(x->ft, &a, T0 + 30 * SEC, 60);     /* exactly 30 s: same */
    assert_int_equal(f->pkts[0], 2);
    assert_int_equal(x->ends.n, 0);
    f = flow_table_update(x->ft, &a, T0 + 60 * SEC + 1, 60);
    assert_int_equal(x->ends.n, 1);
    assert_int_equal(x->ends.r[0], FLOW_END_TIMEOUT);
    assert_int_equal(x->ends.f[0].pkts[0], 2);
    assert_int_equal(f->pkts[0], 1);
    assert_int_equal(f->start_us, T0 + 60 * SEC + 1);
    assert_true(f->flow_id != id1);
    uint64_t s[FS_MAX];
    stats_of(x, s);
    assert_int_equal(s[FS_TOTAL], 2);
    assert_int_equal(s[FS_ACTIVE], 1);
}

/* Time going backwards never rewinds a flow, and no timestamp overflows. */
static void timestamps_out_of_order(void **state)
{
    struct fx *x = *state;
    struct ns_decoded a = pkt("10.0.0.1", 1111, "10.0.0.2", 53, 17);
    struct flow *f = flow_table_update(x->ft, &a, T0 + 5 * SEC, 60);
    flow_table_update(x->ft, &a, T0, 60);
    assert_int_equal(f->last_us, T0 + 5 * SEC);
    assert_int_equal(f->start_us, T0 + 5 * SEC);
    assert_int_equal(f->pkts[0], 2);
    flow_table_expire(x->ft, T0);                     /* the past: nothing */
    assert_int_equal(x->ends.n, 0);

    struct ns_decoded b = pkt("10.0.0.1", 2222, "10.0.0.2", 53, 17);
    flow_table_update(x->ft, &b, UINT64_MAX - 10, 60);
    flow_table_expire(x->ft, UINT64_MAX);
    assert_int_equal(x->ends.n, 1);                   /* only the first flow */
    assert_int_equal(x->ends.f[0].cli_port, 1111);
    flow_table_update(x->ft, &b, UINT64_MAX, 60);
    uint64_t s[FS_MAX];
    stats_of(x, s);
    assert_int_equal(s[FS_TOTAL], 2);
}

/* ---- pool, emergency, flush ----------------------------------------- */

static void emergency_eviction(void **state)
{
    struct fx *x = *state;
    uint64_t s[FS_MAX];
    stats_of(x, s);
    uint64_t cap = s[FS_SPARE];
    assert_true(cap >= 4 && cap < 40);
    assert_true(s[FS_MEMUSE] <= 4096);
    const unsigned nflows = 100;
    for (unsigned i = 0; i < nflows; i++) {
        struct ns_decoded d = pkt("10.0.0.1", (uint16_t)(PORT0 + i), "10.0.0.2", 53, 17);
        assert_non_null(flow_table_update(x->ft, &d, T0 + i * 1000, 60));
        /* the newest flow stays findable */
        assert_int_equal(flow_table_update(x->ft, &d, T0 + i * 1000 + 1, 60)->pkts[0], 2);
    }
    stats_of(x, s);
    assert_int_equal(s[FS_TOTAL], nflows);
    assert_int_equal(s[FS_ACTIVE], cap);
    assert_int_equal(s[FS_SPARE], 0);
    assert_int_equal(s[FS_FORCED], nflows - cap);
    assert_int_equal(s[FS_EMERG_MODE_ENTERED], 1);
    assert_int_equal(s[FS_EMERG_MODE_OVER], 0);
    assert_int_equal(x->ends.by_reason[FLOW_END_FORCED], nflows - cap);
    /* least recently used first */
    for (unsigned i = 0; i < KEEP && i < nflows - cap; i++) {
        assert_int_equal(x->ends.r[i], FLOW_END_FORCED);
        assert_int_equal(x->ends.f[i].cli_port, PORT0 + i);
    }
    /* touching the oldest survivor makes the next one the victim */
    struct ns_decoded old = pkt("10.0.0.1", (uint16_t)(PORT0 + nflows - cap), "10.0.0.2", 53, 17);
    flow_table_update(x->ft, &old, T0 + nflows * 1000, 60);
    struct ns_decoded nw = pkt("10.0.0.9", 1, "10.0.0.2", 53, 17);
    flow_table_update(x->ft, &nw, T0 + nflows * 1000 + 1, 60);
    assert_int_equal(x->ends.n, nflows - cap + 1);
    assert_int_equal(x->ends.last.cli_port, PORT0 + nflows - cap + 1);

    /* emergency timeouts (UDP new: 10 s) apply, then emergency ends */
    uint64_t last = T0 + nflows * 1000 + 1;
    flow_table_expire(x->ft, last + 10 * SEC + 1);
    stats_of(x, s);
    assert_int_equal(s[FS_ACTIVE], 0);
    assert_int_equal(s[FS_EMERG_MODE_OVER], 1);
    assert_int_equal(s[FS_TOTAL], s[FS_TIMEOUT] + s[FS_FORCED] + s[FS_SHUTDOWN] + s[FS_ACTIVE]);
    assert_int_equal(s[FS_TIMEOUT] + s[FS_FORCED], x->ends.n);
}

/* In emergency, a victim idle past the emergency timeout ends as timeout. */
static void emergency_victim_timed_out(void **state)
{
    struct fx *x = *state;
    uint64_t s[FS_MAX];
    stats_of(x, s);
    uint64_t cap = s[FS_SPARE];
    for (unsigned i = 0; i < cap; i++) {
        struct ns_decoded d = pkt("10.0.0.1", (uint16_t)(PORT0 + i), "10.0.0.2", 53, 17);
        flow_table_update(x->ft, &d, T0, 60);
    }
    struct ns_decoded d = pkt("10.0.0.5", 1, "10.0.0.2", 53, 17);
    flow_table_update(x->ft, &d, T0 + 11 * SEC, 60);
    assert_int_equal(x->ends.n, 1);
    assert_int_equal(x->ends.r[0], FLOW_END_TIMEOUT);
    stats_of(x, s);
    assert_int_equal(s[FS_EMERG_MODE_ENTERED], 1);
    /* still in emergency: only a few free */
    flow_table_expire(x->ft, T0 + 11 * SEC);
    stats_of(x, s);
    assert_int_equal(s[FS_EMERG_MODE_OVER], 1);   /* the rest timed out: over */
    assert_int_equal(s[FS_ACTIVE], 1);
}

static void flush_ends_all(void **state)
{
    struct fx *x = *state;
    struct conv cv = conv_new(x);
    conv_send(&cv, 0, T_SYN, 0);
    conv_send(&cv, 1, SA, 0);
    struct ns_decoded u = pkt("10.0.0.1", 1, "10.0.0.2", 2, 17);
    flow_table_update(x->ft, &u, T0, 60);
    struct ns_decoded i = pkt("2001:db8::1", 0, "2001:db8::2", 0, 58);
    flow_table_update(x->ft, &i, T0, 60);
    struct ns_decoded o = pkt("10.0.0.1", 0, "10.0.0.2", 0, 50);
    flow_table_update(x->ft, &o, T0, 60);
    uint64_t s[FS_MAX];
    stats_of(x, s);
    uint64_t spare = s[FS_SPARE];
    assert_int_equal(s[FS_ACTIVE], 4);
    flow_table_flush(x->ft);
    assert_int_equal(x->ends.n, 4);
    assert_int_equal(x->ends.by_reason[FLOW_END_SHUTDOWN], 4);
    stats_of(x, s);
    assert_int_equal(s[FS_ACTIVE], 0);
    assert_int_equal(s[FS_SHUTDOWN], 4);
    assert_int_equal(s[FS_SPARE], spare + 4);
    flow_table_flush(x->ft);
    assert_int_equal(x->ends.n, 4);
    /* the table works after a flush */
    assert_non_null(flow_table_update(x->ft, &u, T0 + 1, 60));
}

static void create_rejects_tiny_memcap(void **state)
{
    (void)state;
    struct flow_config cfg;
    flow_config_defaults(&cfg);
    cfg.memcap = 100;
    char err[NS_ERRBUF_SIZE] = "";
    assert_null(flow_table_create(&cfg, on_end, NULL, err));
    assert_non_null(strstr(err, "memcap 100"));
    flow_table_destroy(NULL);
}

/* Many keys through a small table: after every removal (which shifts the
 * slot array), every flow still live must be found, not created again. */
static void churn_keeps_lookups_right(void **state)
{
    struct fx *x = *state;
    bool active[NKEYS] = { false };
    x->ends.active = active;
    uint64_t s[FS_MAX];
    stats_of(x, s);
    assert_true(s[FS_SPARE] >= 50 && s[FS_SPARE] < NKEYS);
    uint32_t rnd = 12345;
    uint64_t ts = T0;
    for (unsigned n = 0; n < 50000; n++) {
        rnd = rnd * 1103515245u + 12345u;
        unsigned k = (rnd >> 8) % NKEYS;
        bool rev = (rnd >> 20) & 1;
        struct ns_decoded d = rev ? pkt("10.9.9.9", 53, "10.0.0.1", (uint16_t)(PORT0 + k), 17)
                                  : pkt("10.0.0.1", (uint16_t)(PORT0 + k), "10.9.9.9", 53, 17);
        ts += 200;                      /* 10 s in all: the emergency timeout plays too */
        uint64_t before_total = s[FS_TOTAL];
        bool was_active = active[k];
        struct flow *f = flow_table_update(x->ft, &d, ts, 60);
        assert_non_null(f);
        assert_int_equal(f->cli_port == 53 ? f->srv_port : f->cli_port, PORT0 + k);
        stats_of(x, s);
        bool created = s[FS_TOTAL] != before_total;
        if (was_active && active[k])
            assert_false(created);      /* it was live and nothing ended it */
        if (created)
            active[k] = true;
        if ((n % 997) == 0)
            flow_table_expire(x->ft, ts);
    }
    stats_of(x, s);
    unsigned live = 0;
    for (unsigned k = 0; k < NKEYS; k++)
        live += active[k];
    assert_int_equal(s[FS_ACTIVE], live);
    flow_table_flush(x->ft);
    for (unsigned k = 0; k < NKEYS; k++)
        assert_false(active[k]);
    stats_of(x, s);
    assert_int_equal(s[FS_TOTAL], s[FS_TIMEOUT] + s[FS_FORCED] + s[FS_SHUTDOWN]);
    x->ends.active = NULL;
}

/* ---- flow ids ------------------------------------------------------- */

static void flow_id_deterministic(void **state)
{
    struct fx *x = *state;
    void *st2;
    assert_int_equal(setup(&st2), 0);
    struct fx *y = st2;
    uint64_t ids[2][20];
    struct fx *tables[2] = { x, y };
    for (unsigned t = 0; t < 2; t++) {
        for (unsigned i = 0; i < 20; i++) {
            struct ns_decoded d = pkt("10.0.0.1", (uint16_t)(1000 + i), "10.0.0.2", 80, 6);
            d.tcp_flags = T_SYN;
            struct flow *f = flow_table_update(tables[t]->ft, &d, T0 + i, 60);
            ids[t][i] = f->flow_id;
        }
    }
    for (unsigned i = 0; i < 20; i++) {
        assert_int_equal(ids[0][i], ids[1][i]);
        assert_true(ids[0][i] != 0);
        assert_true(ids[0][i] < (UINT64_C(1) << 51));
        for (unsigned j = 0; j < i; j++)
            assert_true(ids[0][i] != ids[0][j]);
    }
    /* the same key from the other side at the same time: the same id */
    struct ns_decoded r = pkt("10.0.0.2", 80, "10.0.0.1", 5555, 17);
    struct ns_decoded q = pkt("10.0.0.1", 5555, "10.0.0.2", 80, 17);
    uint64_t a = flow_table_update(x->ft, &r, T0, 60)->flow_id;
    uint64_t b = flow_table_update(y->ft, &q, T0, 60)->flow_id;
    assert_int_equal(a, b);
    teardown(&st2);
}

/* ---- Community ID --------------------------------------------------- */

struct cid_vec {
    uint8_t proto;
    const char *saddr, *daddr;
    uint16_t sport, dport;   /* ICMP: type, and the counterpart or code */
    uint16_t seed;
    const char *id;
};

/* community-id-spec baseline/baseline_deflt.json and baseline_seed1.json,
 * the Suricata vector (seed 1), and two one-way ICMP cases checked with the
 * spec's Python reference. */
static const struct cid_vec cid_vecs[] = {
    { 58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 135, 136, 0, "1:dGHyGvjMfljg6Bppwm3bg0LO8TY=" },
    { 58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 136, 135, 0, "1:dGHyGvjMfljg6Bppwm3bg0LO8TY=" },
    { 58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 135, 136, 0, "1:zavyT/cezQr1fmImYCwYnMXbgck=" },
    { 58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 136, 135, 0, "1:zavyT/cezQr1fmImYCwYnMXbgck=" },
    { 58, "3ffe:501:1800:2345::2", "3ffe:507:0:1:200:86ff:fe05:80da", 3, 0, 0, "1:2ObVBgIn28oZvibYZhZMBgh7WdQ=" },
    { 58, "3ffe:501:410:0:2c0:dfff:fe47:33e", "3ffe:507:0:1:200:86ff:fe05:80da", 1, 4, 0, "1:hLZd0XGWojozrvxqE0dWB1iM6R0=" },
    { 58, "3ffe:507:0:1:200:86ff:fe05:80da", "3ffe:501:0:1001::2", 128, 129, 0, "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg=" },
    { 58, "3ffe:501:0:1001::2", "3ffe:507:0:1:200:86ff:fe05:80da", 129, 128, 0, "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg=" },
    { 58, "fe80::200:86ff:fe05:80da", "ff02::2", 133, 134, 0, "1:hO+sN4H+MG5MY/8hIrXPqc4ZQz0=" },
    { 58, "fe80::260:97ff:fe07:69ea", "ff02::1", 134, 133, 0, "1:pkvHqCL88/tg1k4cPigmZXUtL00=" },
    { 1, "192.168.0.89", "192.168.0.1", 8, 0, 0, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=" },
    { 1, "192.168.0.1", "192.168.0.89", 0, 8, 0, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=" },
    { 1, "10.0.0.1", "10.0.0.2", 11, 0, 0, "1:YHxtAirCG//0OzkcVAukqKQN9xM=" },
    { 6, "2001:470:e5bf:dead:4957:2174:e82c:4887", "2607:f8b0:400c:c03::1a", 63943, 25, 0, "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=" },
    { 6, "2607:f8b0:400c:c03::1a", "2001:470:e5bf:dead:4957:2174:e82c:4887", 25, 63943, 0, "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=" },
    { 132, "192.168.170.8", "192.168.170.56", 7, 7, 0, "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=" },
    { 132, "192.168.170.56", "192.168.170.8", 7, 7, 0, "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=" },
    { 6, "128.232.110.120", "66.35.250.204", 34855, 80, 0, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=" },
    { 6, "66.35.250.204", "128.232.110.120", 80, 34855, 0, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=" },
    { 17, "192.168.1.52", "8.8.8.8", 54585, 53, 0, "1:d/FP5EW3wiY1vCndhwleRRKHowQ=" },
    { 17, "8.8.8.8", "192.168.1.52", 53, 54585, 0, "1:d/FP5EW3wiY1vCndhwleRRKHowQ=" },
    { 46, "10.1.12.1", "10.1.12.2", 0, 0, 0, "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw=" },
    { 46, "10.1.12.2", "10.1.12.1", 0, 0, 0, "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw=" },
    { 58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 135, 136, 1, "1:kHa1FhMYIT6Ym2Vm2AOtoOARDzY=" },
    { 1, "192.168.0.1", "192.168.0.89", 0, 8, 1, "1:03g6IloqVBdcZlPyX8r0hgoE7kA=" },
    { 6, "66.35.250.204", "128.232.110.120", 80, 34855, 1, "1:3V71V58M3Ksw/yuFALMcW0LAHvc=" },
    { 17, "8.8.8.8", "192.168.1.52", 53, 54585, 1, "1:Q9We8WO3piVF8yEQBNJF4uiSVrI=" },
    { 46, "10.1.12.2", "10.1.12.1", 0, 0, 1, "1:rYir8gphR31noO9iDRQmF/BteEI=" },
    /* Suricata's test: same address, so the ports order the endpoints */
    { 6, "192.168.0.254", "192.168.0.254", 56162, 3306, 1, "1:IJQHtzXv/tXud3FtXIufkDsfEd4=" },
    { 6, "192.168.0.254", "192.168.0.254", 3306, 56162, 1, "1:IJQHtzXv/tXud3FtXIufkDsfEd4=" },
    { 6, "192.168.0.254", "192.168.0.254", 56162, 3306, 0, "1:0HUQbshhYbATQXDHv/ysOs0DlZA=" },
    /* one-way (destination unreachable) from the larger address: not reordered */
    { 1, "10.0.0.2", "10.0.0.1", 3, 1, 0, "1:JHjlyD5IJJjl3wHWOMj46lLWZag=" },
    /* router advertisement maps to solicitation (pycommunityid's table) */
    { 1, "10.0.0.2", "10.0.0.1", 9, 0, 0, "1:qhJTvE/Qez7ZPSOGlcKJAzRpSO0=" },
};

static void community_id_vectors(void **state)
{
    (void)state;
    for (unsigned i = 0; i < NS_ARRAY_LEN(cid_vecs); i++) {
        const struct cid_vec *v = &cid_vecs[i];
        struct flow f;
        memset(&f, 0, sizeof(f));
        f.ip_v = strchr(v->saddr, ':') ? 6 : 4;
        f.proto = v->proto;
        addr(v->saddr, f.cli);
        addr(v->daddr, f.srv);
        if (v->proto == 1 || v->proto == 58) {
            f.icmp_type[0] = (uint8_t)v->sport;
            f.icmp_code[0] = (uint8_t)v->dport;
            f.icmp_seen[0] = true;
        } else {
            f.cli_port = v->sport;
            f.srv_port = v->dport;
        }
        char out[64];
        memset(out, 'x', sizeof(out));
        if (v->seed == 0)
            flow_community_id(&f, out);
        else
            flow_community_id_seeded(&f, v->seed, out);
        if (strcmp(out, v->id) != 0)
            fail_msg("vector %u (%s -> %s proto %u seed %u): got %s, want %s", i, v->saddr,
                     v->daddr, v->proto, v->seed, out, v->id);
    }
    /* an ICMP flow whose server spoke first (hand-built): its message counts */
    struct flow f;
    memset(&f, 0, sizeof(f));
    f.ip_v = 4;
    f.proto = 1;
    addr("192.168.0.1", f.cli);
    addr("192.168.0.89", f.srv);
    f.icmp_type[1] = 8;
    f.icmp_seen[1] = true;
    char out[64];
    flow_community_id(&f, out);
    assert_string_equal(out, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=");
}

static void names(void **state)
{
    (void)state;
    assert_string_equal(flow_stat_name(FS_TOTAL), "total");
    assert_string_equal(flow_stat_name(FS_MIDSTREAM), "tcp.midstream");
    assert_string_equal(flow_stat_name(FS_SPARE), "spare");
    assert_string_equal(flow_stat_name(FS_MAX), "unknown");
    assert_string_equal(flow_state_name(FLOW_STATE_ESTABLISHED), "established");
    assert_string_equal(flow_end_reason_name(FLOW_END_FORCED), "forced");
    assert_string_equal(flow_end_reason_name(FLOW_END_SHUTDOWN), "shutdown");
    assert_string_equal(flow_tcp_state_name(FLOW_TCP_SYN_SENT), "syn_sent");
    assert_string_equal(flow_tcp_state_name(FLOW_TCP_FIN_WAIT2), "fin_wait2");
    assert_string_equal(flow_tcp_state_name((enum flow_tcp_state)99), "unknown");
    struct flow_config cfg;
    flow_config_defaults(&cfg);
    assert_int_equal(cfg.timeout[FLOW_CLASS_TCP][FLOW_STATE_ESTABLISHED], 600);
    assert_int_equal(cfg.emerg_timeout[FLOW_CLASS_TCP][FLOW_STATE_CLOSED], 10);
    assert_int_equal(cfg.emerg_recovery_pct, 30);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(key_symmetry),
        T(key_ipv6),
        T(vlans_distinct),
        T(icmp_echo),
        T(macs_per_direction),
        T(no_ip_no_flow),
        T(tcp_handshake_and_fin),
        T(tcp_server_closes_first),
        T(tcp_rst),
        T(tcp_synack_first_flips),
        T(tcp_midstream),
        T(tcp_conn_states),
        T(tcp_history_letters),
        T(timeout_udp_new_and_established),
        T(timeout_tcp_states),
        T(timeout_icmp_and_other),
        T(timeout_on_lookup),
        T(timestamps_out_of_order),
        cmocka_unit_test_setup_teardown(emergency_eviction, setup_tiny, teardown),
        cmocka_unit_test_setup_teardown(emergency_victim_timed_out, setup_tiny, teardown),
        T(flush_ends_all),
        cmocka_unit_test(create_rejects_tiny_memcap),
        cmocka_unit_test_setup_teardown(churn_keeps_lookups_right, setup_small, teardown),
        T(flow_id_deterministic),
        cmocka_unit_test(community_id_vectors),
        cmocka_unit_test(names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
