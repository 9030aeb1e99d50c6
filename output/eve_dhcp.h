/* output/eve_dhcp.h: event_type "dhcp" records (output/eve_dhcp.c). */
#ifndef EVE_DHCP_H
#define EVE_DHCP_H

#include "dissect/dhcp.h"
#include "output/eve.h"

/* Whether Suricata logs message m: with extended every message, without
 * only DHCPACKs (its dhcp "extended: no" default, which maps MAC
 * addresses to IP addresses and no more). */
bool eve_dhcp_wanted(const struct dhcp_msg *m, bool extended);

/* DHCP message m (dissect/dhcp.h, dhcp_err_usable) carried by one datagram
 * of UDP flow f, as Suricata's rust/src/dhcp/logger.rs writes it.  src and
 * dest are the packet's: the flow's client and server when toserver, else
 * swapped (the same for the ether MACs).  Always: type ("request",
 * "reply", "<unknown>"), id (xid), client_mac (chaddr, hlen bytes at most
 * 16), assigned_ip (yiaddr), and, from the options in packet order,
 * client_id, hostname, dhcp_type and renewal_time (Suricata writes this
 * one in both modes).  extended adds client_ip; relay_ip and
 * next_server_ip for replies; lease_time, rebinding_time, subnet_mask,
 * requested_ip, params, dns_servers, routers, vendor_class_identifier.
 * ts_us and pcap_cnt (0: none) are the datagram's.  Returns the line
 * length, 0 if it does not fit in cap.  Does not check eve_dhcp_wanted. */
size_t eve_dhcp(struct eve_ctx *ec, char *buf, size_t cap, const struct flow *f, bool toserver,
                uint64_t ts_us, uint64_t pcap_cnt, uint64_t tx_id, const struct dhcp_msg *m,
                bool extended);

#endif
