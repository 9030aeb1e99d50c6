/* engine/afpacket.h: one AF_PACKET socket with a TPACKET_V3 receive ring in
 * a PACKET_FANOUT group -- the live capture source of one worker.
 *
 * The worker owns its socket: it takes the next filled block, walks its
 * packets in place (no copy), and hands the block back to the kernel before
 * taking the next.  Pointers into a block are valid only until
 * afp_block_release.  The BPF filter runs in the kernel (SO_ATTACH_FILTER),
 * so rejected packets never reach the ring. */
#ifndef AFPACKET_H
#define AFPACKET_H

#include <sys/types.h>
#include <pcap/bpf.h>

#include "engine/ns_common.h"

enum afp_fanout { AFP_FANOUT_HASH = 0, AFP_FANOUT_LB, AFP_FANOUT_CPU, AFP_FANOUT_QM };

struct afp_config {
    const char *iface;
    uint32_t block_size;       /* bytes, a multiple of the page size */
    uint32_t block_count;
    uint32_t frame_size;       /* bytes, multiple of 16; sizes tp_frame_nr */
    uint32_t retire_ms;        /* block retire timeout */
    enum afp_fanout fanout;
    bool fanout_defrag;        /* hash on reassembled datagrams */
    uint16_t fanout_group;
    bool promisc;              /* see frames for other MACs too */
};

struct afp_sock;

/* Opens, sizes the ring, attaches prog (may be NULL), binds to iface and
 * joins the fanout group.  errbuf names the interface, the step and errno
 * (and the capability needed on EPERM). */
struct afp_sock *afp_open(const struct afp_config *cfg, const struct bpf_program *prog,
                          char *errbuf) NS_MUST_CHECK;
void afp_close(struct afp_sock *s);               /* NULL ok */

/* The interface's pcap link type (DLT_EN10MB, DLT_RAW, ...), or -1. */
int afp_linktype(const char *iface, char *errbuf);

/* One captured frame inside the current block (borrowed). */
struct afp_frame {
    const uint8_t *data;
    uint32_t caplen, wirelen;
    uint64_t ts_us;
    bool vlan_valid;           /* the kernel took an 802.1Q tag off */
    uint16_t vlan_tci, vlan_tpid;
};

/* Waits up to timeout_ms for the next block.  Returns its packet count (>0),
 * 0 on timeout or for a block without packets (afp_block_release tells
 * which), or NS_ERR_IO when the socket reports an error (errbuf says
 * which, e.g. the interface went down). */
int afp_block_next(struct afp_sock *s, int timeout_ms, char *errbuf);
/* The i-th frame of the current block, in order; false when the block's
 * bookkeeping is inconsistent (the rest of the block is skipped). */
bool afp_block_frame(struct afp_sock *s, struct afp_frame *f);
/* Hands the current block back to the kernel; false if none was held (a
 * timeout; after afp_block_next returned 0, true means the kernel handed
 * over a block with no packet in it, so the next may hold some). */
bool afp_block_release(struct afp_sock *s);

/* Blocks filled and waiting, from the next one on (drain bound at stop). */
uint32_t afp_blocks_ready(const struct afp_sock *s);

/* Kernel counters since the last call, added to *packets (received,
 * including drops), *drops and *freezes.  The kernel resets them on read. */
int afp_stats(struct afp_sock *s, uint64_t *packets, uint64_t *drops, uint64_t *freezes);

#endif
