/* engine/alert.h: alert records for the rules that matched an inspection
 * (engine/detect.h), written into a worker's output ring. */
#ifndef ALERT_H
#define ALERT_H

#include "engine/config.h"
#include "engine/detect.h"
#include "output/eve_alert.h"

struct ring;

struct alert_sink {
    const struct ns_config *cfg;
    struct ring *out;
    struct eve_ctx *ec;
    uint64_t *outc;              /* the worker's OUT_* counters */
};

/* One alert record per match: base carries the packet, flow and
 * transaction facts (its rule fields are filled here); the flow, when
 * there is one, is marked alerted.  The app-layer object and the payload
 * are written as cfg's outputs.eve.alert options say. */
void alert_emit(const struct alert_sink *s, const struct detect_match *m, unsigned n,
                const struct eve_alert *base, struct flow *f);

#endif
