/* output/csv.h: rollups and flows as CSV files (--csv DIR), for
 * spreadsheets and plotting tools.  Only the writer thread calls these.
 *
 * Files (each with a header row; RFC 4180: CRLF line ends, every text
 * field quoted with '"' doubled, numbers bare; times as in EVE).  Text
 * from packets (DNS names, HTTP hosts, TLS SNI) can hold any byte: each
 * control byte (< 0x20, 0x7f) is written as the text \xNN (lowercase),
 * so a row is always one line; other bytes as they are.  Each file is a
 * logfile (output/logfile.h): it grows by whole rows only, every row is
 * written or counted as dropped, and it rotates and reopens (SIGHUP) like
 * eve.json, each new file starting with the header row:
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
#include "output/logfile.h"
#include "output/rollup.h"

struct csv_out;

/* Creates (truncates) the files in dir, with lo's rotation, write timeout
 * and messages (path, header and truncate are set here); flows.csv only
 * when flows is true.  NULL with errbuf naming the file and errno on
 * failure. */
struct csv_out *csv_open(const char *dir, bool flows, const struct logfile_opts *lo,
                         char *errbuf) NS_MUST_CHECK;
/* logfile_tick on every file. */
void csv_tick(struct csv_out *c, bool idle);
/* The counters of all the files, summed (rows are the lines). */
void csv_get_stats(const struct csv_out *c, struct logfile_stats *st);
/* Closes the files (flushing them); *final (NULL ok) gets their counters
 * summed.  Returns the first errno of a run that lost rows, 0 when none
 * were lost.  NULL ok. */
int csv_close(struct csv_out *c, struct logfile_stats *final);

void csv_rollup(struct csv_out *c, struct eve_ctx *ec, const struct rollup_acc *a, uint32_t top_n);
void csv_flow(struct csv_out *c, struct eve_ctx *ec, const struct flow *f,
              enum flow_end_reason reason);

#endif
