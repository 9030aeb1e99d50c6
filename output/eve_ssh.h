/* output/eve_ssh.h: event_type "ssh" records (output/eve_ssh.c). */
#ifndef EVE_SSH_H
#define EVE_SSH_H

#include "dissect/ssh.h"
#include "output/eve.h"

/* The flow's one SSH transaction t (dissect/ssh.h), as Suricata writes it:
 * "ssh": {"client": {...}, "server": {...}}, each side present if its
 * banner was seen, with proto_version, software_version (when not empty)
 * and hassh {hash, string} (when its KEXINIT was read; Suricata needs
 * app-layer.protocols.ssh.hassh: yes for these).  src is the client.
 * ts_us and pcap_cnt (0: none) are the packet's that completed the
 * transaction.  Returns the line length, 0 if it does not fit in cap. */
size_t eve_ssh(struct eve_ctx *ec, char *buf, size_t cap, const struct flow *f,
               uint64_t ts_us, uint64_t pcap_cnt, uint64_t tx_id, const struct ssh_tx *t);

#endif
