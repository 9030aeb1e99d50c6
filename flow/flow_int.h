/* flow/flow_int.h: what the files of flow/ share -- the pool entry and the
 * TCP tracker's entry points.  Not for use outside flow/.
 *
 * An entry is the public struct flow behind a 24-byte private header, 192
 * bytes in all.  What a packet of an ongoing flow touches sits in the
 * entry's first two cache lines: line 0 has the header (LRU links, hash,
 * TCP sequence tracking, history and TCP bits) and last_us and pkts[];
 * line 1 has bytes[], the addresses, ports, VLANs, state and TCP flags.
 * Line 2 (MACs, ICMP, history text, Zeek endpoint states) is written on the
 * first packet each way and when the history or a TCP endpoint changes. */
#ifndef FLOW_INT_H
#define FLOW_INT_H

#include "flow/flow.h"

#define FLOW_NIL UINT32_MAX         /* no entry (links are pool indices) */

/* TCP flags as in ns_decoded.tcp_flags */
#define FLOW_TH_FIN 0x01
#define FLOW_TH_SYN 0x02
#define FLOW_TH_RST 0x04
#define FLOW_TH_ACK 0x10

/* flow_entry.tcp_bits */
#define FLOW_TCPB_SEQ0      0x01    /* seq_next[0] is valid */
#define FLOW_TCPB_SEQ1      0x02    /* seq_next[1] is valid */
#define FLOW_TCPB_MIDSTREAM 0x04    /* picked up without a SYN */
#define FLOW_TCPB_EP0       0x08    /* Zeek endpoint 0 left INACTIVE */
#define FLOW_TCPB_EP1       0x10    /* Zeek endpoint 1 left INACTIVE */

#define FLOW_HIST_LETTERS   10      /* bits of hist_seen per side */

struct flow_entry {
    uint32_t lru_prev, lru_next;    /* timeout list; lru_next links the free
                                       list too (flow_table.c) */
    uint32_t hash;                  /* table hash of the key */
    uint32_t seq_next[2];           /* TCP: one past the highest sequence
                                       number sent each way */
    uint32_t hist_seen : 2 * FLOW_HIST_LETTERS; /* history letters given */
    uint32_t tcp_bits : 8;          /* FLOW_TCPB_* */
    uint32_t list : 4;              /* the timeout list holding the entry */
    struct flow f;
} NS_CACHE_ALIGNED;

_Static_assert(offsetof(struct flow_entry, f) == 24, "entry header size");
_Static_assert(sizeof(struct flow_entry) == 3 * NS_CACHE_LINE, "entry is three cache lines");
_Static_assert(offsetof(struct flow_entry, f.pkts) + sizeof(uint64_t[2]) <= NS_CACHE_LINE,
               "header, last_us and pkts share line 0");
_Static_assert(offsetof(struct flow_entry, f.bytes) >= NS_CACHE_LINE &&
               offsetof(struct flow_entry, f.tcp_flags) + 2 <= 2 * NS_CACHE_LINE,
               "bytes, key, state and TCP flags share line 1");

/* flow_tcp.c */

/* A new flow: '^' in the history when the first packet was a SYN/ACK. */
void flow_tcp_start(struct flow_entry *e, bool flipped);
/* One TCP packet sent by side dir (0 client, 1 server), after the flow's
 * packet counters were updated.  Sets f.tcp_state, f.state, the history
 * and the Zeek endpoint states; counts MIDSTREAM and RST into stats. */
void flow_tcp_update(struct flow_entry *e, const struct ns_decoded *d,
                     unsigned dir, uint64_t stats[FS_MAX]);

#endif
