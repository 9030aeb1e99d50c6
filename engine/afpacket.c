/* engine/afpacket.c: TPACKET_V3 ring on an AF_PACKET socket (afpacket.h).
 *
 * Setup order (as libpcap and Suricata): socket with protocol 0 so nothing
 * is queued before the filter, PACKET_VERSION, PACKET_RX_RING, mmap,
 * SO_ATTACH_FILTER, bind with ETH_P_ALL, then PACKET_FANOUT.  Blocks are
 * taken in ring order while their status has TP_STATUS_USER (acquire load:
 * the kernel's release store of the status publishes the block's
 * contents) and handed back with a release store of TP_STATUS_KERNEL (our
 * reads of the block happen before the kernel may refill it). */
#include "engine/afpacket.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if_arp.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/filter.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

struct afp_sock {
    int fd;
    uint8_t *map;
    size_t map_len;
    uint32_t block_size, block_count;
    uint32_t cur;              /* block in hand or next to take */
    bool holding;
    uint32_t left;             /* frames left in the held block */
    const uint8_t *next;       /* next frame header in the held block */
    const char *iface;
};

static struct tpacket_block_desc *afp_block(const struct afp_sock *s, uint32_t i)
{
    return (struct tpacket_block_desc *)(s->map + (size_t)i * s->block_size);
}

static int afp_fail(char *errbuf, const char *iface, const char *what, int err)
{
    if (err == EPERM || err == EACCES)
        snprintf(errbuf, NS_ERRBUF_SIZE,
                 "afpacket %s: %s: %s (live capture needs CAP_NET_RAW: run as root or "
                 "grant it with setcap cap_net_raw+ep)", iface, what, strerror(err));
    else
        snprintf(errbuf, NS_ERRBUF_SIZE, "afpacket %s: %s: %s", iface, what, strerror(err));
    return NS_ERR_IO;
}

int afp_linktype(const char *iface, char *errbuf)
{
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    if (strlen(iface) >= sizeof(ifr.ifr_name)) {
        snprintf(errbuf, NS_ERRBUF_SIZE, "afpacket %s: interface name too long", iface);
        return -1;
    }
    strcpy(ifr.ifr_name, iface);
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) {
        afp_fail(errbuf, iface, "socket", errno);
        return -1;
    }
    int rc = ioctl(fd, SIOCGIFHWADDR, &ifr);
    int err = errno;
    close(fd);
    if (rc != 0) {
        if (err == ENODEV)
            snprintf(errbuf, NS_ERRBUF_SIZE, "afpacket %s: no such interface", iface);
        else
            afp_fail(errbuf, iface, "SIOCGIFHWADDR", err);
        return -1;
    }
    switch (ifr.ifr_hwaddr.sa_family) {
    case ARPHRD_ETHER:
    case ARPHRD_LOOPBACK:
        return 1;                       /* DLT_EN10MB */
    case ARPHRD_NONE:
    case ARPHRD_TUNNEL:
    case ARPHRD_TUNNEL6:
    case ARPHRD_SIT:
    case ARPHRD_IPGRE:
        return 12;                      /* DLT_RAW: IP with no link header */
    default:
        snprintf(errbuf, NS_ERRBUF_SIZE, "afpacket %s: hardware type %u is not supported",
                 iface, (unsigned)ifr.ifr_hwaddr.sa_family);
        return -1;
    }
}

struct afp_sock *afp_open(const struct afp_config *cfg, const struct bpf_program *prog,
                          char *errbuf)
{
    struct afp_sock *s = calloc(1, sizeof(*s));
    if (!s) {
        snprintf(errbuf, NS_ERRBUF_SIZE, "afpacket %s: out of memory", cfg->iface);
        return NULL;
    }
    s->fd = -1;
    s->iface = cfg->iface;
    s->block_size = cfg->block_size;
    s->block_count = cfg->block_count;
    unsigned ifindex = if_nametoindex(cfg->iface);
    if (ifindex == 0) {
        snprintf(errbuf, NS_ERRBUF_SIZE, "afpacket %s: no such interface", cfg->iface);
        goto err;
    }
    s->fd = socket(AF_PACKET, SOCK_RAW, 0);
    if (s->fd < 0) {
        afp_fail(errbuf, cfg->iface, "socket(AF_PACKET)", errno);
        goto err;
    }
    int v = TPACKET_V3;
    if (setsockopt(s->fd, SOL_PACKET, PACKET_VERSION, &v, sizeof(v)) != 0) {
        afp_fail(errbuf, cfg->iface, "PACKET_VERSION TPACKET_V3", errno);
        goto err;
    }
    struct tpacket_req3 req;
    memset(&req, 0, sizeof(req));
    req.tp_block_size = cfg->block_size;
    req.tp_block_nr = cfg->block_count;
    req.tp_frame_size = cfg->frame_size;
    req.tp_frame_nr = (uint32_t)((uint64_t)cfg->block_size * cfg->block_count / cfg->frame_size);
    req.tp_retire_blk_tov = cfg->retire_ms;
    req.tp_feature_req_word = 0;
    if (setsockopt(s->fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req)) != 0) {
        char what[128];
        snprintf(what, sizeof(what), "PACKET_RX_RING (%u blocks of %u bytes, frame %u)",
                 cfg->block_count, cfg->block_size, cfg->frame_size);
        afp_fail(errbuf, cfg->iface, what, errno);
        goto err;
    }
    s->map_len = (size_t)cfg->block_size * cfg->block_count;
    s->map = mmap(NULL, s->map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, s->fd, 0);
    if (s->map == MAP_FAILED) {
        s->map = NULL;
        afp_fail(errbuf, cfg->iface, "mmap of the ring", errno);
        goto err;
    }
    if (prog && prog->bf_len) {
        /* libpcap's struct bpf_insn and the kernel's sock_filter share one
         * layout (code, jt, jf, k) */
        struct sock_fprog fp = { .len = (unsigned short)prog->bf_len,
                                 .filter = (struct sock_filter *)prog->bf_insns };
        if (setsockopt(s->fd, SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof(fp)) != 0) {
            afp_fail(errbuf, cfg->iface, "SO_ATTACH_FILTER", errno);
            goto err;
        }
    }
    struct sockaddr_ll sll;
    memset(&sll, 0, sizeof(sll));
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(ETH_P_ALL);
    sll.sll_ifindex = (int)ifindex;
    if (bind(s->fd, (struct sockaddr *)&sll, sizeof(sll)) != 0) {
        afp_fail(errbuf, cfg->iface, "bind", errno);
        goto err;
    }
    if (cfg->promisc) {
        /* a membership of the socket: the kernel drops it on close */
        struct packet_mreq mr;
        memset(&mr, 0, sizeof(mr));
        mr.mr_ifindex = (int)ifindex;
        mr.mr_type = PACKET_MR_PROMISC;
        if (setsockopt(s->fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)) != 0) {
            afp_fail(errbuf, cfg->iface, "PACKET_ADD_MEMBERSHIP promiscuous", errno);
            goto err;
        }
    }
    static const int modes[] = { PACKET_FANOUT_HASH, PACKET_FANOUT_LB, PACKET_FANOUT_CPU,
                                 PACKET_FANOUT_QM };
    uint32_t mode = (uint32_t)modes[cfg->fanout];
    if (cfg->fanout == AFP_FANOUT_HASH && cfg->fanout_defrag)
        mode |= PACKET_FANOUT_FLAG_DEFRAG;
    uint32_t uarg = (uint32_t)cfg->fanout_group | (mode << 16);
    int arg;
    memcpy(&arg, &uarg, sizeof(arg));
    if (setsockopt(s->fd, SOL_PACKET, PACKET_FANOUT, &arg, sizeof(arg)) != 0) {
        char what[96];
        snprintf(what, sizeof(what), "PACKET_FANOUT (group %u, mode %d)", cfg->fanout_group,
                 cfg->fanout);
        afp_fail(errbuf, cfg->iface, what, errno);
        goto err;
    }
    return s;
err:
    afp_close(s);
    return NULL;
}

void afp_close(struct afp_sock *s)
{
    if (!s)
        return;
    if (s->map)
        munmap(s->map, s->map_len);
    if (s->fd >= 0)
        close(s->fd);
    free(s);
}

int afp_block_next(struct afp_sock *s, int timeout_ms, char *errbuf)
{
    struct tpacket_block_desc *bd = afp_block(s, s->cur);
    for (int round = 0; round < 2; round++) {
        /* acquire: pairs with the kernel's release of the block status */
        uint32_t st = __atomic_load_n(&bd->hdr.bh1.block_status, __ATOMIC_ACQUIRE);
        if (st & TP_STATUS_USER) {
            uint32_t n = bd->hdr.bh1.num_pkts;
            uint32_t off = bd->hdr.bh1.offset_to_first_pkt;
            s->holding = true;
            if (n == 0 || off >= s->block_size) {
                s->left = 0;            /* empty or inconsistent: hand back */
                return 0;
            }
            s->left = n;
            s->next = (const uint8_t *)bd + off;
            return (int)n;
        }
        if (round == 1)
            break;
        struct pollfd pfd = { .fd = s->fd, .events = POLLIN | POLLERR };
        int rc = poll(&pfd, 1, timeout_ms);
        if (rc < 0 && errno != EINTR)
            return afp_fail(errbuf, s->iface, "poll", errno);
        if (rc > 0 && (pfd.revents & (POLLERR | POLLNVAL | POLLHUP))) {
            int err = 0;
            socklen_t l = sizeof(err);
            getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &l);
            if (err)
                return afp_fail(errbuf, s->iface, "capture", err);
        }
    }
    return 0;
}

bool afp_block_frame(struct afp_sock *s, struct afp_frame *f)
{
    if (s->left == 0)
        return false;
    const uint8_t *blk = (const uint8_t *)afp_block(s, s->cur);
    const struct tpacket3_hdr *h = (const struct tpacket3_hdr *)s->next;
    size_t at = (size_t)(s->next - blk);
    /* the kernel wrote these; check anyway before following them */
    if (at + sizeof(*h) > s->block_size || at + h->tp_mac + h->tp_snaplen > s->block_size) {
        s->left = 0;
        return false;
    }
    f->data = s->next + h->tp_mac;
    f->caplen = h->tp_snaplen;
    f->wirelen = h->tp_len;
    f->ts_us = (uint64_t)h->tp_sec * 1000000u + h->tp_nsec / 1000u;
    f->vlan_valid = (h->tp_status & TP_STATUS_VLAN_VALID) != 0;
    f->vlan_tci = (uint16_t)h->hv1.tp_vlan_tci;
    f->vlan_tpid = (h->tp_status & TP_STATUS_VLAN_TPID_VALID) ? (uint16_t)h->hv1.tp_vlan_tpid : 0x8100;
    s->left--;
    if (s->left) {
        if (h->tp_next_offset == 0 || at + h->tp_next_offset >= s->block_size)
            s->left = 0;
        else
            s->next += h->tp_next_offset;
    }
    return true;
}

bool afp_block_release(struct afp_sock *s)
{
    if (!s->holding)
        return false;
    struct tpacket_block_desc *bd = afp_block(s, s->cur);
    /* release: our reads of the block are done before the kernel refills it */
    __atomic_store_n(&bd->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
    s->holding = false;
    s->left = 0;
    s->cur = (s->cur + 1) % s->block_count;
    return true;
}

uint32_t afp_blocks_ready(const struct afp_sock *s)
{
    uint32_t n = 0;
    for (uint32_t i = s->cur; n < s->block_count; i = (i + 1) % s->block_count, n++) {
        struct tpacket_block_desc *bd = afp_block(s, i);
        if (!(__atomic_load_n(&bd->hdr.bh1.block_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER))
            break;
    }
    return n;
}

int afp_stats(struct afp_sock *s, uint64_t *packets, uint64_t *drops, uint64_t *freezes)
{
    struct tpacket_stats_v3 st;
    socklen_t l = sizeof(st);
    memset(&st, 0, sizeof(st));
    if (getsockopt(s->fd, SOL_PACKET, PACKET_STATISTICS, &st, &l) != 0)
        return NS_ERR_IO;
    *packets += st.tp_packets;
    *drops += st.tp_drops;
    *freezes += st.tp_freeze_q_cnt;
    return NS_OK;
}
