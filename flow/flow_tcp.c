/* flow/flow_tcp.c: TCP tracking for the flow table -- Suricata's stream
 * state, Zeek's connection history and endpoint states, and the conn_state
 * derived from them.
 *
 * Everything is driven by the flags of each packet plus a little sequence
 * tracking (one past the highest sequence number sent each way), enough to
 * spot retransmitted payload (history 't') and to tell whether an ACK covers
 * the peer's FIN.  Nothing is reassembled and nothing here can fail: a
 * packet that fits no transition leaves the state alone.
 *
 * Suricata's stream state (f.tcp_state) follows its stream-tcp.c, in the
 * server's point of view: a client FIN moves ESTABLISHED to CLOSE_WAIT, a
 * server FIN to FIN_WAIT1.  The flow state is new before ESTABLISHED,
 * established from then on, and closed in LAST_ACK, TIME_WAIT and CLOSED
 * (as Suricata's StreamTcpPacketSetState), or after any RST.  A flow picked
 * up midstream stays new until both directions were seen.
 *
 * Zeek's side (f.history, f.conn_ep) follows its TCPSessionAdapter: per
 * endpoint INACTIVE, SYN_SENT, SYN_ACK_SENT, PARTIAL, ESTABLISHED, CLOSED,
 * RESET, and history letters chosen by update_history(): at most one of
 * S/H/F/R/I/Q for the control bits, else D for payload or A for a pure ACK;
 * T for retransmitted payload and W for a zero window.  Each letter is
 * given once per side (Zeek repeats some; we do not). */
#include "flow/flow_int.h"

enum hist_bit {
    HB_SYN, HB_SYNACK, HB_ACK, HB_DATA, HB_FIN, HB_RST, HB_RXMIT, HB_WIN0,
    HB_FINRST, HB_MULTI,
};

/* Zeek's TCP_ENDPOINT_* (f.conn_ep low nibble; previous state in the high) */
enum conn_ep {
    EP_INACTIVE = 0, EP_SYN_SENT, EP_SYN_ACK_SENT, EP_PARTIAL,
    EP_ESTABLISHED, EP_CLOSED, EP_RESET,
};

static unsigned ep_get(const struct flow *f, unsigned side)
{
    return f->conn_ep[side] & 0x0f;
}

static unsigned ep_prev(const struct flow *f, unsigned side)
{
    return f->conn_ep[side] >> 4;
}

static void ep_set(struct flow *f, unsigned side, unsigned st)
{
    unsigned cur = ep_get(f, side);
    if (cur != st)
        f->conn_ep[side] = (uint8_t)(cur << 4 | st);
}

_Static_assert(HB_MULTI < FLOW_HIST_LETTERS, "history letters fit hist_seen");

/* Only a letter's first time reaches the history text (line 2). */
static void hist_add(struct flow_entry *e, unsigned dir, enum hist_bit bit, char upper)
{
    uint32_t m = 1u << (bit + dir * FLOW_HIST_LETTERS);
    if (likely(e->hist_seen & m))
        return;
    e->hist_seen |= m;
    size_t len = strlen(e->f.history);
    if (len >= FLOW_HISTORY_MAX)
        return;
    /* upper case for the originator, lower for the responder */
    e->f.history[len] = dir ? (char)(upper - 'A' + 'a') : upper;
    e->f.history[len + 1] = '\0';
}

void flow_tcp_start(struct flow_entry *e, bool flipped)
{
    if (flipped) {
        e->f.history[0] = '^';
        e->f.history[1] = '\0';
    }
}

/* Update one past the highest sequence number of side dir; true when the
 * packet's payload lies entirely or partly below it (a retransmission, or
 * out of order: Zeek's DidRxmit tells them apart no better).  RSTs carry no
 * stream data, and a SYN starts the sequence space again. */
static bool tcp_track_seq(struct flow_entry *e, const struct ns_decoded *d, unsigned dir)
{
    uint8_t fl = d->tcp_flags;
    if (fl & FLOW_TH_RST)
        return false;
    uint8_t valid = dir ? FLOW_TCPB_SEQ1 : FLOW_TCPB_SEQ0;
    uint32_t end = d->tcp_seq + d->payload_len + ((fl & FLOW_TH_SYN) ? 1u : 0u) +
                   ((fl & FLOW_TH_FIN) ? 1u : 0u);
    if (!(e->tcp_bits & valid) || (fl & FLOW_TH_SYN)) {
        e->seq_next[dir] = end;
        e->tcp_bits |= valid;
        return false;
    }
    int32_t delta = (int32_t)(end - e->seq_next[dir]);   /* RFC 1982 serial compare */
    if (delta > 0) {
        e->seq_next[dir] = end;
        return false;
    }
    return d->payload_len > 0;
}

/* Does this packet acknowledge everything side peer sent, FIN included?
 * Without sequence numbers for the peer, any ACK does. */
static bool tcp_acks(const struct flow_entry *e, const struct ns_decoded *d, unsigned peer)
{
    if (!(d->tcp_flags & FLOW_TH_ACK))
        return false;
    if (!(e->tcp_bits & (peer ? FLOW_TCPB_SEQ1 : FLOW_TCPB_SEQ0)))
        return true;
    return (int32_t)(d->tcp_ack - e->seq_next[peer]) >= 0;
}

/* Zeek's update_history() and the zero-window check of update_window(),
 * the latter with the endpoint states from before this packet. */
static void tcp_history(struct flow_entry *e, const struct ns_decoded *d, unsigned dir, bool rxmit)
{
    uint8_t fl = d->tcp_flags;
    unsigned ctl = !!(fl & FLOW_TH_SYN) + !!(fl & FLOW_TH_FIN) + !!(fl & FLOW_TH_RST);
    if (ctl > 1) {
        if ((fl & (FLOW_TH_FIN | FLOW_TH_RST)) == (FLOW_TH_FIN | FLOW_TH_RST))
            hist_add(e, dir, HB_FINRST, 'I');
        else
            hist_add(e, dir, HB_MULTI, 'Q');
    } else if (ctl == 1) {
        if (fl & FLOW_TH_SYN) {
            if (fl & FLOW_TH_ACK)
                hist_add(e, dir, HB_SYNACK, 'H');
            else
                hist_add(e, dir, HB_SYN, 'S');
        } else if (fl & FLOW_TH_FIN) {
            hist_add(e, dir, HB_FIN, 'F');
        } else {
            hist_add(e, dir, HB_RST, 'R');
        }
    } else if (d->payload_len > 0) {
        hist_add(e, dir, HB_DATA, 'D');
    } else if (fl & FLOW_TH_ACK) {
        hist_add(e, dir, HB_ACK, 'A');
    }
    if (rxmit)
        hist_add(e, dir, HB_RXMIT, 'T');
    /* A zero window is boring with or after a RST, or once the peer sent
     * its FIN (nothing more is coming to fill it). */
    if (d->tcp_win == 0 && !(fl & FLOW_TH_RST) && ep_get(&e->f, dir) != EP_RESET &&
        ep_get(&e->f, dir ^ 1u) != EP_CLOSED)
        hist_add(e, dir, HB_WIN0, 'W');
}

/* Zeek's UpdateStateMachine() for the sending endpoint (dir 0 is the
 * originator), without the sequence checks that only raise weirds. */
static void tcp_endpoint_step(struct flow *f, const struct ns_decoded *d, unsigned dir,
                              unsigned peer)
{
    uint8_t fl = d->tcp_flags;
    switch (ep_get(f, dir)) {
    case EP_INACTIVE:
        if (fl & FLOW_TH_SYN) {
            if (dir == 0) {
                ep_set(f, dir, (fl & FLOW_TH_ACK) ? EP_SYN_ACK_SENT : EP_SYN_SENT);
            } else {
                if (ep_get(f, peer) == EP_SYN_SENT)
                    ep_set(f, peer, EP_ESTABLISHED);
                ep_set(f, dir, EP_ESTABLISHED);
            }
        }
        if (fl & FLOW_TH_FIN)
            ep_set(f, dir, EP_CLOSED);
        if (fl & FLOW_TH_RST)
            ep_set(f, dir, EP_RESET);
        if (ep_get(f, dir) == EP_INACTIVE) {
            if (dir == 1 && d->payload_len == 0 && ep_get(f, 0) == EP_SYN_SENT)
                ;   /* some stacks ACK a SYN before their SYN/ACK: not partial */
            else if ((fl & FLOW_TH_ACK) && ep_get(f, peer) == EP_ESTABLISHED)
                ep_set(f, dir, EP_ESTABLISHED);   /* we missed this side's SYN */
            else
                ep_set(f, dir, EP_PARTIAL);
        }
        break;
    case EP_SYN_SENT:
    case EP_SYN_ACK_SENT:
        if (fl & FLOW_TH_FIN)
            ep_set(f, dir, EP_CLOSED);
        if (fl & FLOW_TH_RST)
            ep_set(f, dir, EP_RESET);
        break;
    case EP_ESTABLISHED:
    case EP_PARTIAL:
        if ((fl & FLOW_TH_SYN) && !(fl & FLOW_TH_ACK) && ep_get(f, dir) == EP_PARTIAL &&
            ep_get(f, peer) == EP_INACTIVE)
            ep_set(f, dir, EP_SYN_SENT);
        if ((fl & FLOW_TH_FIN) && !(fl & FLOW_TH_RST)) {
            ep_set(f, dir, EP_CLOSED);
            /* the peer sent FIN then RST: that was a normal close */
            if (ep_get(f, peer) == EP_RESET && ep_prev(f, peer) == EP_CLOSED)
                ep_set(f, peer, EP_CLOSED);
        }
        if (fl & FLOW_TH_RST)
            ep_set(f, dir, EP_RESET);
        break;
    case EP_CLOSED:
        /* after a FIN exchange a RST changes nothing */
        if ((fl & FLOW_TH_RST) && ep_get(f, peer) != EP_CLOSED)
            ep_set(f, dir, EP_RESET);
        break;
    default:
        break;
    }
}

static void tcp_endpoints(struct flow_entry *e, const struct ns_decoded *d, unsigned dir)
{
    struct flow *f = &e->f;
    uint8_t fl = d->tcp_flags;
    unsigned peer = dir ^ 1u;
    unsigned active = dir ? FLOW_TCPB_EP1 : FLOW_TCPB_EP0;
    /* Past INACTIVE only SYN, FIN and RST move endpoints (this one or its
     * peer): skip the common packet without reading f.conn_ep. */
    if (likely(!(fl & (FLOW_TH_SYN | FLOW_TH_FIN | FLOW_TH_RST)) && (e->tcp_bits & active)))
        return;
    tcp_endpoint_step(f, d, dir, peer);
    if (ep_get(f, dir) != EP_INACTIVE)
        e->tcp_bits |= active;
}

static void tcp_midstream(struct flow_entry *e, uint64_t stats[FS_MAX])
{
    if (!(e->tcp_bits & FLOW_TCPB_MIDSTREAM)) {
        e->tcp_bits |= FLOW_TCPB_MIDSTREAM;
        stats[FS_MIDSTREAM]++;
    }
}

/* Suricata's stream state, flags only (plus tcp_acks for the FIN acks). */
static void tcp_stream(struct flow_entry *e, const struct ns_decoded *d, unsigned dir,
                       uint64_t stats[FS_MAX])
{
    struct flow *f = &e->f;
    uint8_t fl = d->tcp_flags;
    bool syn = fl & FLOW_TH_SYN, ack = fl & FLOW_TH_ACK, fin = fl & FLOW_TH_FIN;
    uint8_t st = f->tcp_state;

    if (fl & FLOW_TH_RST) {
        f->tcp_state = FLOW_TCP_CLOSED;
        return;
    }
    /* opening */
    switch (st) {
    case FLOW_TCP_NONE:
        if (syn) {
            st = ack ? FLOW_TCP_SYN_RECV : FLOW_TCP_SYN_SENT;
            if (ack)
                tcp_midstream(e, stats);    /* SYN/ACK pickup, as Suricata */
        } else if (ack) {
            st = FLOW_TCP_ESTABLISHED;
            tcp_midstream(e, stats);
        }
        /* neither: a probe (FIN, NULL, Xmas scan); nothing to follow yet */
        break;
    case FLOW_TCP_SYN_SENT:
        if (dir == 1 && syn)
            st = FLOW_TCP_SYN_RECV;     /* SYN/ACK, or simultaneous open */
        else if (dir == 1 && d->payload_len > 0)
            st = FLOW_TCP_ESTABLISHED;  /* the SYN/ACK was not captured */
        break;
    case FLOW_TCP_SYN_RECV:
        if (!syn && ack)
            st = FLOW_TCP_ESTABLISHED;
        break;
    default:
        break;
    }
    /* closing: f.tcp_state is the server's TCP state */
    switch (st) {
    case FLOW_TCP_ESTABLISHED:
        if (fin)
            st = dir ? FLOW_TCP_FIN_WAIT1 : FLOW_TCP_CLOSE_WAIT;
        break;
    case FLOW_TCP_FIN_WAIT1:
        if (dir == 0 && fin)
            st = tcp_acks(e, d, 1) ? FLOW_TCP_TIME_WAIT : FLOW_TCP_CLOSING;
        else if (dir == 0 && tcp_acks(e, d, 1))
            st = FLOW_TCP_FIN_WAIT2;
        break;
    case FLOW_TCP_FIN_WAIT2:
        if (dir == 0 && fin)
            st = FLOW_TCP_TIME_WAIT;
        break;
    case FLOW_TCP_CLOSING:
        if (dir == 0 && tcp_acks(e, d, 1))
            st = FLOW_TCP_TIME_WAIT;
        break;
    case FLOW_TCP_TIME_WAIT:
        if (dir == 1 && tcp_acks(e, d, 0))
            st = FLOW_TCP_CLOSED;
        break;
    case FLOW_TCP_CLOSE_WAIT:
        if (dir == 1 && fin)
            st = FLOW_TCP_LAST_ACK;
        break;
    case FLOW_TCP_LAST_ACK:
        if (dir == 0 && tcp_acks(e, d, 1))
            st = FLOW_TCP_CLOSED;
        break;
    default:
        break;
    }
    f->tcp_state = st;
}

static uint8_t tcp_flow_state(const struct flow_entry *e)
{
    switch (e->f.tcp_state) {
    case FLOW_TCP_NONE:
    case FLOW_TCP_SYN_SENT:
    case FLOW_TCP_SYN_RECV:
        return FLOW_STATE_NEW;
    case FLOW_TCP_LAST_ACK:
    case FLOW_TCP_TIME_WAIT:
    case FLOW_TCP_CLOSED:
        return FLOW_STATE_CLOSED;
    default:
        if ((e->tcp_bits & FLOW_TCPB_MIDSTREAM) && (e->f.pkts[0] == 0 || e->f.pkts[1] == 0))
            return FLOW_STATE_NEW;
        return FLOW_STATE_ESTABLISHED;
    }
}

void flow_tcp_update(struct flow_entry *e, const struct ns_decoded *d, unsigned dir,
                     uint64_t stats[FS_MAX])
{
    struct flow *f = &e->f;
    f->tcp_flags[dir] |= d->tcp_flags;
    if (unlikely(d->tcp_flags & FLOW_TH_RST))
        stats[FS_RST]++;
    bool rxmit = tcp_track_seq(e, d, dir);
    tcp_history(e, d, dir, rxmit);
    tcp_endpoints(e, d, dir);
    tcp_stream(e, d, dir, stats);
    f->state = tcp_flow_state(e);
}

const char *flow_tcp_state_name(enum flow_tcp_state s)
{
    static const char *const names[] = {
        [FLOW_TCP_NONE] = "none",
        [FLOW_TCP_SYN_SENT] = "syn_sent",
        [FLOW_TCP_SYN_RECV] = "syn_recv",
        [FLOW_TCP_ESTABLISHED] = "established",
        [FLOW_TCP_FIN_WAIT1] = "fin_wait1",
        [FLOW_TCP_FIN_WAIT2] = "fin_wait2",
        [FLOW_TCP_TIME_WAIT] = "time_wait",
        [FLOW_TCP_LAST_ACK] = "last_ack",
        [FLOW_TCP_CLOSE_WAIT] = "close_wait",
        [FLOW_TCP_CLOSING] = "closing",
        [FLOW_TCP_CLOSED] = "closed",
    };
    if ((unsigned)s >= NS_ARRAY_LEN(names))
        return "unknown";
    return names[s];
}

static bool hist_has_data(const char *h)
{
    for (; *h; h++)
        if (*h == 'D' || *h == 'd')
            return true;
    return false;
}

/* Zeek's /^\^?S[^HAFGIQ]*R.*$/: the originator sent a SYN, then a RST,
 * and nothing in between says the responder answered. */
static bool hist_rstos0(const char *h)
{
    if (*h == '^')
        h++;
    if (*h++ != 'S')
        return false;
    for (; *h; h++) {
        if (*h == 'R')
            return true;
        if (strchr("HAFGIQ", *h))
            return false;
    }
    return false;
}

/* Zeek's conn_state() of base/protocols/conn/main.zeek, from the endpoint
 * states; "sizes are zero" is read as "no payload letter in the history". */
const char *flow_conn_state(const struct flow *f)
{
    if (f->proto != 6)
        return "OTH";
    unsigned os = ep_get(f, 0), rs = ep_get(f, 1);
    bool o_inactive = os == EP_INACTIVE || os == EP_PARTIAL;
    bool r_inactive = rs == EP_INACTIVE || rs == EP_PARTIAL;

    if (rs == EP_RESET) {
        if (os == EP_SYN_SENT || os == EP_SYN_ACK_SENT ||
            (os == EP_RESET && !hist_has_data(f->history)))
            return "REJ";
        return o_inactive ? "RSTRH" : "RSTR";
    }
    if (os == EP_RESET) {
        if (r_inactive)
            return hist_rstos0(f->history) ? "RSTOS0" : "OTH";
        return "RSTO";
    }
    if (rs == EP_CLOSED && os == EP_CLOSED)
        return "SF";
    if (os == EP_CLOSED)
        return r_inactive ? "SH" : "S2";
    if (rs == EP_CLOSED)
        return o_inactive ? "SHR" : "S3";
    if (os == EP_SYN_SENT && rs == EP_INACTIVE)
        return "S0";
    if (os == EP_ESTABLISHED && rs == EP_ESTABLISHED)
        return "S1";
    return "OTH";
}
