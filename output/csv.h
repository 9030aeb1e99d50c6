/* output/csv.h: rollups and flows as CSV files (--csv DIR), for
 * spreadsheets and plotting tools.  Only the writer thread calls these.
 *
 * Files (each with a header row; RFC 4180: CRLF line ends, every text
 * field quoted with '"' doubled, numbers bare; times as in EVE):
 *   rollup_totals.csv     start,end,final,packets,bytes,flows_started,flows_ended,
 *                         flows_active,dns_queries,dns_responses,http_transactions,tls_sessions
 *   rollup_protocols.csv  start,end,layer,protocol,flows,packets,bytes
 *                         (layer l3, l4 or app_proto; flows empty for l3/l4)
 *   rollup_sizes.csv      start,end,size,packets
 *   rollup_talkers.csv    start,end,by,rank,ip,value,error   (by: bytes|packets)
 *   rollup_ports.csv      start,end,rank,proto,port,flows,error
 *   rollup_dns.csv        start,end,kind,key,count,error   (kind: rcode|query)
 *   rollup_http.csv       start,end,kind,key,count,error   (kind: status|host)
 *   rollup_tls.csv        start,end,kind,key,count,error   (kind: version|sni)
 *   flows.csv             one row per flow record, its fields flattened
 *                         (the EVE flow record's names, dotted)
 * error is the sketch's bound on that count (output/sketch.h); 0 for
 * exact counts. */
#ifndef CSV_H
#define CSV_H

#include "flow/flow.h"
#include "output/eve.h"
#include "output/rollup.h"

struct csv_out;

/* Creates (truncates) the files in dir; flows.csv only when flows is
 * true.  NULL with errbuf naming the file and errno on failure. */
struct csv_out *csv_open(const char *dir, bool flows, char *errbuf) NS_MUST_CHECK;
/* Closes the files; NS_ERR_IO with *err (NULL ok) set to the first errno
 * of any write.  NULL ok. */
int csv_close(struct csv_out *c, int *err);

void csv_rollup(struct csv_out *c, struct eve_ctx *ec, const struct rollup_acc *a, uint32_t top_n);
void csv_flow(struct csv_out *c, struct eve_ctx *ec, const struct flow *f,
              enum flow_end_reason reason);

#endif
