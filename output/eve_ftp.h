/* output/eve_ftp.h: event_type "ftp" records (output/eve_ftp.c). */
#ifndef EVE_FTP_H
#define EVE_FTP_H

#include "dissect/ftp.h"
#include "output/eve.h"

/* One FTP transaction t (dissect/ftp.h) as Suricata 8 writes it:
 *   "ftp": {"command" (the table name, "RETR"; absent for a reply-only
 *           transaction), "command_data" and "command_truncated" (when the
 *           line goes on after the command), "completion_code": [codes],
 *           "reply": [texts], "dynamic_port" (when announced), "mode"
 *           ("active"/"passive", PORT and EPRT only), "reply_received"
 *           ("yes"/"no"), "reply_truncated" (bool)}.
 * src is the client; ts_us and pcap_cnt (0: none) are the packet's that
 * completed the transaction.  Returns the line length, 0 if it does not
 * fit in cap. */
size_t eve_ftp(struct eve_ctx *ec, char *buf, size_t cap, const struct flow *f,
               uint64_t ts_us, uint64_t pcap_cnt, uint64_t tx_id, const struct ftp_tx *t);

#endif
