/* output/eve_tls.h: event_type "tls" records (output/eve_tls.c). */
#ifndef EVE_TLS_H
#define EVE_TLS_H

#include "dissect/tls.h"
#include "output/eve.h"

/* The flow's TLS transaction t (dissect/tls.h) as Suricata's extended tls
 * logging writes it, in its order: subject, issuerdn, session_resumed
 * (only when true), serial, fingerprint, sni, version, notbefore,
 * notafter, ja3 {hash, string}, ja3s {hash, string}, ja4, client_alpns,
 * server_alpns -- each only when known.  (Suricata writes ja3/ja3s only
 * with ja3-fingerprints on and ja4 only with ja4-fingerprints on; we
 * always do.)  src is the client; ts_us and pcap_cnt (0: none) are the
 * packet's that completed the transaction.  Returns the line length, 0 if
 * it does not fit in cap. */
size_t eve_tls(struct eve_ctx *ec, char *buf, size_t cap, const struct flow *f,
               uint64_t ts_us, uint64_t pcap_cnt, uint64_t tx_id, const struct tls_tx *t);

#endif
