/* output/eve_rollup.h: event_type "rollup" records (output/eve_rollup.c),
 * our own event type (output/eve.schema.json, README "Rollups"). */
#ifndef EVE_ROLLUP_H
#define EVE_ROLLUP_H

#include "output/eve.h"
#include "output/rollup.h"

/* One merged interval a: timestamp = its end; rollup {start, end,
 * interval, final, packets, bytes, l3, l4, app_proto, flows, pkt_size,
 * dns, http, tls, sketch, and the top_* lists of top_n entries each with
 * its count and error bound}.  Returns the line length, 0 if it does not
 * fit in cap. */
size_t eve_rollup(struct eve_ctx *ec, char *buf, size_t cap, const struct rollup_acc *a,
                  uint32_t interval, uint32_t top_n);

/* A top entry's key as text: an address for talkers, "proto/port" for
 * ports ("TCP/443"), the name itself otherwise.  Returns its length. */
size_t eve_rollup_key(unsigned kind, const struct sketch_item *it, char out[SKETCH_MAX_KEY + 1]);

#endif
