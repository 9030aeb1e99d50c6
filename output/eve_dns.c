/* output/eve_dns.c: event_type "dns" records in Suricata 8's EVE DNS
 * "version 3" format (DESIGN.md section 4): one record per DNS message, a
 * request or a response, with the message's header flags, its questions,
 * each section's records ("answers", "authorities", "additionals") and the
 * answers grouped by type ("grouped"), as Suricata's default
 * formats [detailed, grouped] write them.  rdata is text for addresses,
 * names and TXT; SOA and SRV data are objects ("soa", "srv"); other types
 * carry no rdata, as in Suricata.  Like eve.c: no allocation, no snprintf. */
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

size_t eve_dns(struct eve_ctx *ec, char *buf, size_t cap, const struct ns_pkt *pkt,
               const struct ns_decoded *d, const struct flow *f,
               const struct dns_msg *m, const char *scratch, uint64_t tx_id)
{
    struct json_buf jb;
    json_init(&jb, buf, cap);
    json_obj_open(&jb, NULL);
    eve_put_ts(ec, &jb, "timestamp", pkt->ts_us);
    json_u64(&jb, "flow_id", f->flow_id);
    if (pkt->pcap_cnt)
        json_u64(&jb, "pcap_cnt", pkt->pcap_cnt);
    eve_put_source(ec, &jb);
    json_raw(&jb, "event_type", "\"dns\"", 5);
    eve_put_vlan(&jb, d->vlan, d->vlan_cnt);
    /* the packet's own direction: a response's src is the responder */
    eve_put_addr(&jb, "src_ip", d->ip_v, d->src);
    json_u64(&jb, "src_port", d->sport);
    eve_put_addr(&jb, "dest_ip", d->ip_v, d->dst);
    json_u64(&jb, "dest_port", d->dport);
    json_u64(&jb, "ip_v", d->ip_v);
    eve_put_proto(&jb, d->proto);
    json_raw(&jb, "pkt_src", "\"wire/pcap\"", 11);
    char cid[64];
    flow_community_id_seeded(f, ec->community_id_seed, cid);
    cid[sizeof(cid) - 1] = '\0';
    json_str(&jb, "community_id", cid);
    if (ec->ethernet && d->has_eth) {
        json_obj_open(&jb, "ether");
        eve_dns_mac(&jb, "src_mac", d->src_mac);
        eve_dns_mac(&jb, "dest_mac", d->dst_mac);
        json_obj_close(&jb);
    }

    json_obj_open(&jb, "dns");
    json_u64(&jb, "version", 3);
    if (dns_is_response(m))
        json_raw(&jb, "type", "\"response\"", 10);
    else
        json_raw(&jb, "type", "\"request\"", 9);
    json_u64(&jb, "tx_id", tx_id);
    json_u64(&jb, "id", m->id);
    /* Suricata: format!("{:x}", flags), no leading zeros */
    char fl[7], *p = fl + sizeof(fl);
    unsigned v = m->flags;
    *--p = '"';
    do {
        *--p = eve_dns_hex[v & 15];
        v >>= 4;
    } while (v);
    *--p = '"';
    json_raw(&jb, "flags", p, (size_t)(fl + sizeof(fl) - p));
    if (m->flags & 0x8000)
        json_bool(&jb, "qr", true);
    if (m->flags & 0x0400)
        json_bool(&jb, "aa", true);
    if (m->flags & 0x0200)
        json_bool(&jb, "tc", true);
    if (m->flags & 0x0100)
        json_bool(&jb, "rd", true);
    if (m->flags & 0x0080)
        json_bool(&jb, "ra", true);
    if (m->flags & 0x0040)
        json_bool(&jb, "z", true);
    json_u64(&jb, "opcode", dns_opcode(m));
    const char *rc = dns_rcode_name(dns_rcode(m));
    if (rc) {
        json_str(&jb, "rcode", rc);
    } else {
        char num[3] = { (char)('0' + dns_rcode(m) / 10), (char)('0' + dns_rcode(m) % 10), 0 };
        json_str(&jb, "rcode", num);
    }
    if (m->nq) {
        json_arr_open(&jb, "queries");
        for (unsigned i = 0; i < m->nq; i++) {
            json_obj_open(&jb, NULL);
            eve_dns_str(&jb, "rrname", scratch, m->q[i].name);
            eve_dns_rrtype(&jb, m->q[i].rrtype);
            json_obj_close(&jb);
        }
        json_arr_close(&jb);
    }
    const struct dns_rr *an = m->rr;
    const struct dns_rr *ns = an + m->nrr[DNS_SEC_ANSWER];
    const struct dns_rr *ar = ns + m->nrr[DNS_SEC_AUTHORITY];
    eve_dns_section(&jb, "answers", an, m->nrr[DNS_SEC_ANSWER], scratch);
    eve_dns_grouped(&jb, an, m->nrr[DNS_SEC_ANSWER], scratch);
    eve_dns_section(&jb, "authorities", ns, m->nrr[DNS_SEC_AUTHORITY], scratch);
    eve_dns_section(&jb, "additionals", ar, m->nrr[DNS_SEC_ADDITIONAL], scratch);
    json_obj_close(&jb);

    json_obj_close(&jb);
    return json_finish(&jb);
}
