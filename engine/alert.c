/* engine/alert.c: alert records (see alert.h). */
#include "engine/alert.h"

#include "engine/engine_int.h"
#include "output/ring.h"

void alert_emit(const struct alert_sink *s, const struct detect_match *m, unsigned n,
                const struct eve_alert *base, struct flow *f)
{
    if (n == 0)
        return;
    if (f)
        f->alerted = true;
    if (!s->cfg->eve_alert)
        return;
    for (unsigned i = 0; i < n; i++) {
        const struct rule *r = m[i].r;
        struct eve_alert a = *base;
        a.action = "allowed";
        a.gid = r->gid;
        a.sid = r->sid;
        a.rev = r->rev;
        a.severity = r->priority;
        a.msg = r->msg;
        a.category = r->class_desc;
        a.metadata = r->meta;
        a.nmeta = r->nmeta;
        if (!s->cfg->alert_metadata) {
            a.http = NULL;
            a.tls = NULL;
            a.dns = NULL;
        }
        a.log_payload = s->cfg->alert_payload;
        a.log_printable = s->cfg->alert_payload_printable;
        char *buf = ring_reserve_wait(s->out, NS_RECORD_MAX);
        size_t len = eve_alert(s->ec, buf, NS_RECORD_MAX, &a);
        if (len == 0) {
            s->outc[OUT_TOO_BIG]++;
            continue;
        }
        ring_commit(s->out, REC_JSON, (uint32_t)len);
        s->outc[OUT_ALERT]++;
    }
}
