/* output/eve_dns.c: event_type "dns" records in Suricata 8's EVE DNS
 * "version 3" format (DESIGN.md section 4): one record per DNS message, a
 * request or a response, with the message's header flags, its questions,
 * each section's records ("answers", "authorities", "additionals") and the
 * answers grouped by type ("grouped"), as Suricata's default
 * formats [detailed, grouped] write them.  rdata is text for addresses,
 * names and TXT; SOA and SRV data are objects ("soa", "srv"); other types
 * carry no rdata, as in Suricata.
 *
 * eve_dns_v2 writes Suricata 6/7's "version 2" instead (outputs.eve.dns.
 * version: 2): a request is one "query" record per question, a response
 * one "answer" record with its first question's name and type, its answers
 * (and "grouped") and authorities; additionals are not logged in that
 * format.  Both kinds put the flow's client in src, as Suricata logs them
 * in the flow's direction.  Like eve.c: no allocation, no snprintf. */
#include "output/eve_int.h"

static const char eve_dns_hex[16] = "0123456789abcdef";

static void eve_dns_str(struct json_buf *jb, const char *key, const char *scratch,
                        struct dns_str s)
{
    json_strn(jb, key, (const uint8_t *)scratch + s.off, s.len);
}

static void eve_dns_rrtype(struct json_buf *jb, uint16_t t)
{
    const char *name = dns_rrtype_name(t);
    if (name) {
        json_str(jb, "rrtype", name);
        return;
    }
    char num[6], *p = num + sizeof(num);
    unsigned v = t;
    *--p = '\0';
    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    json_str(jb, "rrtype", p);
}

static void eve_dns_soa(struct json_buf *jb, const char *key, const struct dns_rr *r,
                        const char *scratch)
{
    json_obj_open(jb, key);
    eve_dns_str(jb, "mname", scratch, r->rdata);
    eve_dns_str(jb, "rname", scratch, r->rname);
    json_u64(jb, "serial", r->soa[0]);
    json_u64(jb, "refresh", r->soa[1]);
    json_u64(jb, "retry", r->soa[2]);
    json_u64(jb, "expire", r->soa[3]);
    json_u64(jb, "minimum", r->soa[4]);
    json_obj_close(jb);
}

static void eve_dns_srv(struct json_buf *jb, const char *key, const struct dns_rr *r,
                        const char *scratch)
{
    json_obj_open(jb, key);
    json_u64(jb, "priority", r->srv_prio);
    json_u64(jb, "weight", r->srv_weight);
    json_u64(jb, "port", r->srv_port);
    eve_dns_str(jb, "name", scratch, r->rdata);
    json_obj_close(jb);
}

static void eve_dns_section(struct json_buf *jb, const char *key, const struct dns_rr *rr,
                            unsigned n, const char *scratch)
{
    if (n == 0)
        return;
    json_arr_open(jb, key);
    for (unsigned i = 0; i < n; i++) {
        const struct dns_rr *r = &rr[i];
        json_obj_open(jb, NULL);
        eve_dns_str(jb, "rrname", scratch, r->name);
        eve_dns_rrtype(jb, r->rrtype);
        json_u64(jb, "ttl", r->ttl);
        switch (r->kind) {
        case DNS_RDATA_TEXT: eve_dns_str(jb, "rdata", scratch, r->rdata); break;
        case DNS_RDATA_SOA: eve_dns_soa(jb, "soa", r, scratch); break;
        case DNS_RDATA_SRV: eve_dns_srv(jb, "srv", r, scratch); break;
        default: break;
        }
        json_obj_close(jb);
    }
    json_arr_close(jb);
}

/* "grouped": {TYPE: [rdata, ...]} over the answers that carry data, types
 * in the order they first appear (Suricata's order is a hash map's). */
static void eve_dns_grouped(struct json_buf *jb, const struct dns_rr *rr, unsigned n,
                            const char *scratch)
{
    bool open = false;
    for (unsigned i = 0; i < n; i++) {
        const struct dns_rr *r = &rr[i];
        const char *tname = dns_rrtype_name(r->rrtype);
        if (r->kind == DNS_RDATA_NONE || !tname)
            continue;
        bool seen = false;
        for (unsigned j = 0; j < i && !seen; j++)
            seen = rr[j].rrtype == r->rrtype && rr[j].kind != DNS_RDATA_NONE;
        if (seen)
            continue;
        if (!open) {
            json_obj_open(jb, "grouped");
            open = true;
        }
        json_arr_open(jb, tname);
        for (unsigned j = i; j < n; j++) {
            const struct dns_rr *s = &rr[j];
            if (s->rrtype != r->rrtype)
                continue;
            switch (s->kind) {
            case DNS_RDATA_TEXT: eve_dns_str(jb, NULL, scratch, s->rdata); break;
            case DNS_RDATA_SOA: eve_dns_soa(jb, NULL, s, scratch); break;
            case DNS_RDATA_SRV: eve_dns_srv(jb, NULL, s, scratch); break;
            default: break;
            }
        }
        json_arr_close(jb);
    }
    if (open)
        json_obj_close(jb);
}

/* Whether eve_dns_grouped writes anything for these answers. */
static bool eve_dns_has_grouped(const struct dns_rr *rr, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (rr[i].kind != DNS_RDATA_NONE && dns_rrtype_name(rr[i].rrtype))
            return true;
    return false;
}

static void eve_dns_mac(struct json_buf *jb, const char *key, const uint8_t mac[6])
{
    char q[19], *p = q;
    *p++ = '"';
    for (unsigned i = 0; i < 6; i++) {
        if (i)
            *p++ = ':';
        *p++ = eve_dns_hex[mac[i] >> 4];
        *p++ = eve_dns_hex[mac[i] & 15];
    }
    *p++ = '"';
    json_raw(jb, key, q, (size_t)(p - q));
}

/* Everything before the "dns" object.  The addresses are given: the
 * packet's (version 3) or the flow's (version 2); so are the MAC addresses,
 * which are written only when the frame had them. */
static void eve_dns_head(struct eve_ctx *ec, struct json_buf *jb, const struct ns_pkt *pkt,
                         const struct ns_decoded *d, const struct flow *f,
                         const uint8_t src[16], uint16_t sport, const uint8_t dst[16],
                         uint16_t dport, const uint8_t src_mac[6], const uint8_t dst_mac[6])
{
    eve_put_ts(ec, jb, "timestamp", pkt->ts_us);
    json_u64(jb, "flow_id", f->flow_id);
    if (pkt->pcap_cnt)
        json_u64(jb, "pcap_cnt", pkt->pcap_cnt);
    eve_put_source(ec, jb);
    json_raw(jb, "event_type", "\"dns\"", 5);
    eve_put_vlan(jb, d->vlan, d->vlan_cnt);
    eve_put_addr(jb, "src_ip", d->ip_v, src);
    json_u64(jb, "src_port", sport);
    eve_put_addr(jb, "dest_ip", d->ip_v, dst);
    json_u64(jb, "dest_port", dport);
    json_u64(jb, "ip_v", d->ip_v);
    eve_put_proto(jb, d->proto);
    json_raw(jb, "pkt_src", "\"wire/pcap\"", 11);
    eve_put_community_id(ec, jb, f);
    if (ec->ethernet && d->has_eth) {
        json_obj_open(jb, "ether");
        eve_dns_mac(jb, "src_mac", src_mac);
        eve_dns_mac(jb, "dest_mac", dst_mac);
        json_obj_close(jb);
    }
}

/* "flags" (Suricata: format!("{:x}", flags), no leading zeros), then a
 * true for each flag bit set. */
static void eve_dns_flags(struct json_buf *jb, uint16_t flags)
{
    char fl[7], *p = fl + sizeof(fl);
    unsigned v = flags;
    *--p = '"';
    do {
        *--p = eve_dns_hex[v & 15];
        v >>= 4;
    } while (v);
    *--p = '"';
    json_raw(jb, "flags", p, (size_t)(fl + sizeof(fl) - p));
    if (flags & 0x8000)
        json_bool(jb, "qr", true);
    if (flags & 0x0400)
        json_bool(jb, "aa", true);
    if (flags & 0x0200)
        json_bool(jb, "tc", true);
    if (flags & 0x0100)
        json_bool(jb, "rd", true);
    if (flags & 0x0080)
        json_bool(jb, "ra", true);
    if (flags & 0x0040)
        json_bool(jb, "z", true);
}

/* "rcode": the name, or the number when it has none. */
static void eve_dns_rcode(struct json_buf *jb, const struct dns_msg *m)
{
    const char *rc = dns_rcode_name(dns_rcode(m));
    if (rc) {
        json_str(jb, "rcode", rc);
    } else {
        char num[3] = { (char)('0' + dns_rcode(m) / 10), (char)('0' + dns_rcode(m) % 10), 0 };
        json_str(jb, "rcode", num);
    }
}

void eve_dns_obj(struct json_buf *jb, const struct dns_msg *m, const char *scratch,
                 uint64_t tx_id)
{
    json_obj_open(jb, "dns");
    json_u64(jb, "version", 3);
    if (dns_is_response(m))
        json_raw(jb, "type", "\"response\"", 10);
    else
        json_raw(jb, "type", "\"request\"", 9);
    json_u64(jb, "tx_id", tx_id);
    json_u64(jb, "id", m->id);
    eve_dns_flags(jb, m->flags);
    json_u64(jb, "opcode", dns_opcode(m));
    eve_dns_rcode(jb, m);
    if (m->nq) {
        json_arr_open(jb, "queries");
        for (unsigned i = 0; i < m->nq; i++) {
            json_obj_open(jb, NULL);
            eve_dns_str(jb, "rrname", scratch, m->q[i].name);
            eve_dns_rrtype(jb, m->q[i].rrtype);
            json_obj_close(jb);
        }
        json_arr_close(jb);
    }
    const struct dns_rr *an = m->rr;
    const struct dns_rr *ns = an + m->nrr[DNS_SEC_ANSWER];
    const struct dns_rr *ar = ns + m->nrr[DNS_SEC_AUTHORITY];
    eve_dns_section(jb, "answers", an, m->nrr[DNS_SEC_ANSWER], scratch);
    eve_dns_grouped(jb, an, m->nrr[DNS_SEC_ANSWER], scratch);
    eve_dns_section(jb, "authorities", ns, m->nrr[DNS_SEC_AUTHORITY], scratch);
    eve_dns_section(jb, "additionals", ar, m->nrr[DNS_SEC_ADDITIONAL], scratch);
    json_obj_close(jb);
}

size_t eve_dns(struct eve_ctx *ec, char *buf, size_t cap, const struct ns_pkt *pkt,
               const struct ns_decoded *d, const struct flow *f,
               const struct dns_msg *m, const char *scratch, uint64_t tx_id)
{
    struct json_buf jb;
    json_init(&jb, buf, cap);
    json_obj_open(&jb, NULL);
    /* the packet's own direction: a response's src is the responder */
    eve_dns_head(ec, &jb, pkt, d, f, d->src, d->sport, d->dst, d->dport, d->src_mac,
                 d->dst_mac);

    eve_dns_obj(&jb, m, scratch, tx_id);

    json_obj_close(&jb);
    return json_finish(&jb);
}

size_t eve_dns_v2(struct eve_ctx *ec, char *buf, size_t cap, const struct ns_pkt *pkt,
                  const struct ns_decoded *d, const struct flow *f, bool toserver,
                  const struct dns_msg *m, const char *scratch, uint64_t tx_id, unsigned qi)
{
    bool resp = dns_is_response(m);
    if (resp ? m->nq == 0 : qi >= m->nq)
        return 0;                   /* nothing Suricata would write */
    struct json_buf jb;
    json_init(&jb, buf, cap);
    json_obj_open(&jb, NULL);
    /* the flow's direction, whoever sent m; so are the MAC addresses */
    eve_dns_head(ec, &jb, pkt, d, f, f->cli, f->cli_port, f->srv, f->srv_port,
                 toserver ? d->src_mac : d->dst_mac, toserver ? d->dst_mac : d->src_mac);

    json_obj_open(&jb, "dns");
    if (!resp) {
        json_raw(&jb, "type", "\"query\"", 7);
        json_u64(&jb, "id", m->id);
        eve_dns_str(&jb, "rrname", scratch, m->q[qi].name);
        eve_dns_rrtype(&jb, m->q[qi].rrtype);
        json_u64(&jb, "tx_id", tx_id);
        if (m->flags & 0x0040)
            json_bool(&jb, "z", true);
        json_u64(&jb, "opcode", dns_opcode(m));
    } else {
        json_u64(&jb, "version", 2);
        json_raw(&jb, "type", "\"answer\"", 8);
        json_u64(&jb, "id", m->id);
        eve_dns_flags(&jb, m->flags);
        json_u64(&jb, "opcode", dns_opcode(m));
        eve_dns_str(&jb, "rrname", scratch, m->q[0].name);
        eve_dns_rrtype(&jb, m->q[0].rrtype);
        eve_dns_rcode(&jb, m);
        const struct dns_rr *an = m->rr;
        unsigned nan = m->nrr[DNS_SEC_ANSWER];
        eve_dns_section(&jb, "answers", an, nan, scratch);
        eve_dns_grouped(&jb, an, nan, scratch);
        /* Suricata 7 opens "grouped" whenever there are answers, even
         * when none of them carries data */
        if (nan && !eve_dns_has_grouped(an, nan)) {
            json_obj_open(&jb, "grouped");
            json_obj_close(&jb);
        }
        eve_dns_section(&jb, "authorities", an + nan, m->nrr[DNS_SEC_AUTHORITY], scratch);
    }
    json_obj_close(&jb);

    json_obj_close(&jb);
    return json_finish(&jb);
}
