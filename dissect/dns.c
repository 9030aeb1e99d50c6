/* dissect/dns.c: DNS message parser (see dns.h).
 *
 * Bounds: every read is checked against the bytes left in the message,
 * in the order the message defines its lengths (RFC 1035 section 4.1).
 * Names (section 4.1.4): a label is at most 63 octets (the two top bits of
 * a length octet are 00; 01 and 10 are reserved and rejected), a name at
 * most 255 octets on the wire, and a compression pointer must point
 * strictly before the start of the part of the name being read -- the RFC's
 * "prior occurrence".  Each hop therefore moves backwards, so no chain of
 * pointers can loop, whatever the packet says, and a name costs at most
 * one pass over the message.  A pointer at or after its own segment (to
 * itself, forward, or into a cycle) is DNS_ERR_POINTER_LOOP.
 *
 * Text: labels are joined with '.', bytes copied as they are (the JSON
 * writer escapes them); the root name is "<root>", as Suricata writes it. */
#include "dissect/dns.h"

#define DNS_NOSPACE DNS_ERR_MAX     /* internal: scratch full, not malformed */

static const char *const dns_err_names[] = {
#define DNS_ERR_NAME(id, name) name,
    DNS_ERRORS(DNS_ERR_NAME)
#undef DNS_ERR_NAME
};

const char *dns_err_name(unsigned e)
{
    return e < DNS_ERR_MAX ? dns_err_names[e] : "unknown";
}

struct dns_scratch {
    char *buf;
    size_t cap, used;
};

/* The name at *pos of msg[0, len); *pos moves past the name where it
 * stands (after its first pointer).  out NULL: check and skip only. */
static int dns_name(const uint8_t *msg, size_t len, size_t *pos,
                    struct dns_scratch *sc, struct dns_str *out)
{
    size_t p = *pos, limit = *pos, end = 0, wire = 0;
    bool jumped = false;
    char *t = NULL;
    size_t tlen = 0;
    if (out) {
        if (sc->cap - sc->used < DNS_NAME_WIRE_MAX + 1)
            return DNS_NOSPACE;
        t = sc->buf + sc->used;             /* text <= 253 bytes or "<root>" */
    }
    for (;;) {
        if (p >= len)
            return DNS_ERR_TRUNCATED;
        uint8_t l = msg[p];
        if ((l & 0xc0) == 0xc0) {
            if (len - p < 2)
                return DNS_ERR_TRUNCATED;
            size_t target = ((size_t)(l & 0x3f) << 8) | msg[p + 1];
            if (!jumped) {
                end = p + 2;
                jumped = true;
            }
            if (target >= len)
                return DNS_ERR_BAD_POINTER;
            if (target >= limit)
                return DNS_ERR_POINTER_LOOP;
            limit = p = target;
            continue;
        }
        if (l & 0xc0)
            return DNS_ERR_BAD_LABEL;       /* 01/10: reserved (RFC 6891 5) */
        if (l == 0) {
            if (!jumped)
                end = p + 1;
            break;
        }
        wire += (size_t)l + 1;
        if (wire + 1 > DNS_NAME_WIRE_MAX)
            return DNS_ERR_NAME_TOO_LONG;
        if (len - p - 1 < l)
            return DNS_ERR_TRUNCATED;
        if (t) {
            if (tlen)
                t[tlen++] = '.';
            memcpy(t + tlen, msg + p + 1, l);
            tlen += l;
        }
        p += 1 + (size_t)l;
    }
    if (out) {
        if (tlen == 0) {
            memcpy(t, "<root>", 6);
            tlen = 6;
        }
        out->off = (uint16_t)sc->used;
        out->len = (uint16_t)tlen;
        sc->used += tlen;
    }
    *pos = end;
    return DNS_ERR_OK;
}

static const char dns_hex[16] = "0123456789abcdef";

static char *dns_put_dec(char *p, unsigned v)
{
    if (v >= 100)
        *p++ = (char)('0' + v / 100);
    if (v >= 10)
        *p++ = (char)('0' + v / 10 % 10);
    *p++ = (char)('0' + v % 10);
    return p;
}

/* A/AAAA rdata as text: dotted quad, or 8 groups of 4 hex digits (Suricata's
 * dns_print_addr). */
static bool dns_addr_text(const uint8_t *a, size_t n, struct dns_scratch *sc, struct dns_str *out)
{
    if (sc->cap - sc->used < 40)
        return false;
    char *t = sc->buf + sc->used, *p = t;
    if (n == 4) {
        for (unsigned i = 0; i < 4; i++) {
            if (i)
                *p++ = '.';
            p = dns_put_dec(p, a[i]);
        }
    } else {
        for (unsigned i = 0; i < 16; i++) {
            if (i && !(i & 1))
                *p++ = ':';
            *p++ = dns_hex[a[i] >> 4];
            *p++ = dns_hex[a[i] & 15];
        }
    }
    out->off = (uint16_t)sc->used;
    out->len = (uint16_t)(p - t);
    sc->used += out->len;
    return true;
}

/* A name inside rdata [rd, rdend): it may point anywhere before it, but
 * what stands in place must end inside the rdata. */
static int dns_rdata_name(const uint8_t *msg, size_t len, size_t rd, size_t rdend,
                          struct dns_scratch *sc, struct dns_str *out)
{
    size_t q = rd;
    int rc = dns_name(msg, len, &q, sc, out);
    if (rc == DNS_ERR_OK && q > rdend)
        return DNS_ERR_BAD_RDATA;
    return rc;
}

static int dns_rdata(const uint8_t *msg, size_t len, size_t rd, size_t rdlen,
                     struct dns_rr *r, struct dns_scratch *sc, bool *partial)
{
    size_t rdend = rd + rdlen;
    size_t used0 = sc->used;
    int rc = DNS_ERR_OK;
    r->kind = DNS_RDATA_NONE;
    switch (r->rrtype) {
    case DNS_TYPE_A:
    case DNS_TYPE_AAAA:
        /* an address of the wrong size is left out, as Suricata prints "" */
        if (rdlen != (r->rrtype == DNS_TYPE_A ? 4u : 16u))
            return DNS_ERR_OK;
        if (!dns_addr_text(msg + rd, rdlen, sc, &r->rdata))
            rc = DNS_NOSPACE;
        else
            r->kind = DNS_RDATA_TEXT;
        break;
    case DNS_TYPE_CNAME:
    case DNS_TYPE_NS:
    case DNS_TYPE_PTR:
        rc = dns_rdata_name(msg, len, rd, rdend, sc, &r->rdata);
        if (rc == DNS_ERR_OK)
            r->kind = DNS_RDATA_TEXT;
        break;
    case DNS_TYPE_MX:                       /* preference, exchange (3.3.9) */
        if (rdlen < 3)
            return DNS_ERR_BAD_RDATA;
        rc = dns_rdata_name(msg, len, rd + 2, rdend, sc, &r->rdata);
        if (rc == DNS_ERR_OK)
            r->kind = DNS_RDATA_TEXT;
        break;
    case DNS_TYPE_TXT: {                    /* <character-string>s (3.3.14) */
        if (sc->cap - sc->used < rdlen) {
            rc = DNS_NOSPACE;
            break;
        }
        char *t = sc->buf + sc->used;
        size_t tlen = 0;
        for (size_t q = rd; q < rdend;) {
            size_t l = msg[q];
            if (rdend - q - 1 < l)
                return DNS_ERR_BAD_RDATA;
            memcpy(t + tlen, msg + q + 1, l);
            tlen += l;
            q += 1 + l;
        }
        r->rdata.off = (uint16_t)sc->used;
        r->rdata.len = (uint16_t)tlen;
        sc->used += tlen;
        r->kind = DNS_RDATA_TEXT;
        break;
    }
    case DNS_TYPE_SOA: {                    /* mname, rname, 5 x 32 bits (3.3.13) */
        size_t q = rd;
        rc = dns_name(msg, len, &q, sc, &r->rdata);
        if (rc == DNS_ERR_OK)
            rc = dns_name(msg, len, &q, sc, &r->rname);
        if (rc != DNS_ERR_OK)
            break;
        if (q > rdend || rdend - q < 20) {
            rc = DNS_ERR_BAD_RDATA;
            break;
        }
        for (unsigned i = 0; i < 5; i++)
            r->soa[i] = ns_load_be32(msg + q + 4 * i);
        r->kind = DNS_RDATA_SOA;
        break;
    }
    case DNS_TYPE_SRV:                      /* RFC 2782 */
        if (rdlen < 7)
            return DNS_ERR_BAD_RDATA;
        r->srv_prio = ns_load_be16(msg + rd);
        r->srv_weight = ns_load_be16(msg + rd + 2);
        r->srv_port = ns_load_be16(msg + rd + 4);
        rc = dns_rdata_name(msg, len, rd + 6, rdend, sc, &r->rdata);
        if (rc == DNS_ERR_OK)
            r->kind = DNS_RDATA_SRV;
        break;
    default:
        break;
    }
    if (rc == DNS_NOSPACE) {                /* keep the record, not its data */
        sc->used = used0;
        r->kind = DNS_RDATA_NONE;
        *partial = true;
        return DNS_ERR_OK;
    }
    return rc;
}

enum dns_err dns_parse(const uint8_t *p, size_t len, struct dns_msg *m,
                       char *scratch, size_t scratch_cap)
{
    struct dns_scratch sc = { scratch, scratch_cap > 65535 ? 65535 : scratch_cap, 0 };
    m->nq = 0;
    m->partial = false;
    memset(m->nrr, 0, sizeof(m->nrr));
    if (len < DNS_HDR_LEN)
        return DNS_ERR_SHORT_HEADER;
    m->id = ns_load_be16(p);
    m->flags = ns_load_be16(p + 2);
    for (unsigned i = 0; i < 4; i++)
        m->count[i] = ns_load_be16(p + 4 + 2 * i);

    size_t pos = DNS_HDR_LEN;
    int rc;
    for (unsigned i = 0; i < m->count[0]; i++) {
        struct dns_query *q = m->nq < DNS_MAX_QUERIES ? &m->q[m->nq] : NULL;
        if (!q)
            m->partial = true;
        rc = dns_name(p, len, &pos, &sc, q ? &q->name : NULL);
        if (rc == DNS_NOSPACE) {
            m->partial = true;
            return DNS_ERR_OK;
        }
        if (rc != DNS_ERR_OK)
            return (enum dns_err)rc;
        if (len - pos < 4)
            return DNS_ERR_TRUNCATED;
        if (q) {
            q->rrtype = ns_load_be16(p + pos);
            q->rrclass = ns_load_be16(p + pos + 2);
            m->nq++;
        }
        pos += 4;
    }

    unsigned nrr = 0;
    for (unsigned s = 0; s < DNS_SEC_MAX; s++) {
        for (unsigned i = 0; i < m->count[s + 1]; i++) {
            if (nrr == DNS_MAX_RRS) {       /* the rest is not looked at */
                m->partial = true;
                return DNS_ERR_OK;
            }
            struct dns_rr *r = &m->rr[nrr];
            size_t used0 = sc.used;
            rc = dns_name(p, len, &pos, &sc, &r->name);
            if (rc == DNS_NOSPACE) {
                m->partial = true;
                return DNS_ERR_OK;
            }
            if (rc != DNS_ERR_OK)
                return (enum dns_err)rc;
            if (len - pos < 10)
                return DNS_ERR_TRUNCATED;
            r->rrtype = ns_load_be16(p + pos);
            r->rrclass = ns_load_be16(p + pos + 2);
            r->ttl = ns_load_be32(p + pos + 4);
            size_t rdlen = ns_load_be16(p + pos + 8);
            pos += 10;
            if (len - pos < rdlen)
                return DNS_ERR_TRUNCATED;
            rc = dns_rdata(p, len, pos, rdlen, r, &sc, &m->partial);
            if (rc != DNS_ERR_OK) {
                sc.used = used0;
                return (enum dns_err)rc;
            }
            pos += rdlen;
            m->nrr[s]++;
            nrr++;
        }
    }
    return DNS_ERR_OK;
}

const char *dns_rrtype_name(uint16_t t)
{
    switch (t) {
    case 1: return "A";
    case 2: return "NS";
    case 3: return "MD";
    case 4: return "MF";
    case 5: return "CNAME";
    case 6: return "SOA";
    case 7: return "MB";
    case 8: return "MG";
    case 9: return "MR";
    case 10: return "NULL";
    case 11: return "WKS";
    case 12: return "PTR";
    case 13: return "HINFO";
    case 14: return "MINFO";
    case 15: return "MX";
    case 16: return "TXT";
    case 17: return "RP";
    case 18: return "AFSDB";
    case 19: return "X25";
    case 20: return "ISDN";
    case 21: return "RT";
    case 22: return "NSAP";
    case 23: return "NSAPPTR";
    case 24: return "SIG";
    case 25: return "KEY";
    case 26: return "PX";
    case 27: return "GPOS";
    case 28: return "AAAA";
    case 29: return "LOC";
    case 30: return "NXT";
    case 33: return "SRV";
    case 34: return "ATMA";
    case 35: return "NAPTR";
    case 36: return "KX";
    case 37: return "CERT";
    case 38: return "A6";
    case 39: return "DNAME";
    case 41: return "OPT";
    case 42: return "APL";
    case 43: return "DS";
    case 44: return "SSHFP";
    case 45: return "IPSECKEY";
    case 46: return "RRSIG";
    case 47: return "NSEC";
    case 48: return "DNSKEY";
    case 49: return "DHCID";
    case 50: return "NSEC3";
    case 51: return "NSEC3PARAM";
    case 52: return "TLSA";
    case 55: return "HIP";
    case 59: return "CDS";
    case 60: return "CDNSKEY";
    case 64: return "SVCB";
    case 65: return "HTTPS";
    case 99: return "SPF";
    case 249: return "TKEY";
    case 250: return "TSIG";
    case 253: return "MAILA";
    case 255: return "ANY";
    case 256: return "URI";
    default: return NULL;
    }
}

const char *dns_rcode_name(unsigned rcode)
{
    static const char *const names[16] = {
        "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
        "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE",
    };
    return rcode < 16 ? names[rcode] : NULL;
}

/* ---- transactions ---- */

uint64_t dns_txs_request(struct dns_txs *t, uint16_t dns_id)
{
    uint32_t tx = t->next;
    t->next = (tx + 1) & ((1u << 29) - 1);
    unsigned slot = DNS_TXS_OPEN, oldest = 0;
    uint16_t oldest_age = 0;
    for (unsigned i = 0; i < DNS_TXS_OPEN; i++) {
        if (!(t->used & (1u << i))) {
            slot = i;
            break;
        }
        uint16_t age = (uint16_t)((uint16_t)tx - t->open_tx[i]);
        if (age >= oldest_age) {
            oldest_age = age;
            oldest = i;
        }
    }
    if (slot == DNS_TXS_OPEN)
        slot = oldest;                      /* full: forget the oldest */
    t->used |= 1u << slot;
    t->open_id[slot] = dns_id;
    t->open_tx[slot] = (uint16_t)tx;
    return tx;
}

uint64_t dns_txs_response(struct dns_txs *t, uint16_t dns_id)
{
    unsigned best = DNS_TXS_OPEN;
    uint16_t best_age = 0;
    for (unsigned i = 0; i < DNS_TXS_OPEN; i++) {
        if (!(t->used & (1u << i)) || t->open_id[i] != dns_id)
            continue;
        uint16_t age = (uint16_t)((uint16_t)t->next - t->open_tx[i]);
        if (best == DNS_TXS_OPEN || age > best_age) {
            best = i;
            best_age = age;
        }
    }
    if (best == DNS_TXS_OPEN) {             /* unsolicited: a transaction of its own */
        uint32_t tx = t->next;
        t->next = (tx + 1) & ((1u << 29) - 1);
        return tx;
    }
    t->used &= ~(1u << best);
    return (t->next - best_age) & ((1u << 29) - 1);
}
