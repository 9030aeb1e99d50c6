/* dissect/dns.h: one DNS message (RFC 1035 section 4) into a fixed struct.
 *
 * dns_parse reads the header, up to DNS_MAX_QUERIES questions and up to
 * DNS_MAX_RRS resource records (answers, then authorities, then
 * additionals), with names decompressed into text.  Text (names, rdata)
 * goes into the caller's scratch buffer, so a parse allocates nothing; the
 * struct refers to it by offset and stays valid until the scratch is reused.
 * Every length is checked before it is read; a malformed message returns a
 * named error (enum dns_err) for the caller to count.  What does not fit the
 * limits (more records, scratch full) is left out and `partial` is set.
 *
 * Also here: the per-flow transaction numbering Suricata gives DNS records
 * (struct dns_txs), small enough to live in struct flow. */
#ifndef DNS_H
#define DNS_H

#include "engine/ns_common.h"

#define DNS_HDR_LEN        12
#define DNS_MAX_QUERIES    8
#define DNS_MAX_RRS        32       /* answers + authorities + additionals */
#define DNS_NAME_WIRE_MAX  255      /* RFC 1035 2.3.4, length octets included */
#define DNS_LABEL_MAX      63
#define DNS_SCRATCH_SIZE   (32u * 1024u)

#define DNS_ERRORS(X)                         \
    X(OK,            "ok")                    \
    X(SHORT_HEADER,  "short_header")          \
    X(TRUNCATED,     "truncated")             \
    X(BAD_LABEL,     "bad_label")             \
    X(NAME_TOO_LONG, "name_too_long")         \
    X(BAD_POINTER,   "bad_pointer")           \
    X(POINTER_LOOP,  "pointer_loop")          \
    X(BAD_RDATA,     "bad_rdata")

enum dns_err {
#define DNS_ERR_ENUM(id, name) DNS_ERR_##id,
    DNS_ERRORS(DNS_ERR_ENUM)
#undef DNS_ERR_ENUM
    DNS_ERR_MAX
};

const char *dns_err_name(unsigned e);

/* Record types with a name here (Suricata's spelling); see dns_rrtype_name. */
#define DNS_TYPE_A      1
#define DNS_TYPE_NS     2
#define DNS_TYPE_CNAME  5
#define DNS_TYPE_SOA    6
#define DNS_TYPE_NULL   10
#define DNS_TYPE_PTR    12
#define DNS_TYPE_MX     15
#define DNS_TYPE_TXT    16
#define DNS_TYPE_AAAA   28
#define DNS_TYPE_SRV    33
#define DNS_TYPE_OPT    41

/* A string in the scratch buffer. */
struct dns_str {
    uint16_t off, len;
};

struct dns_query {
    struct dns_str name;
    uint16_t rrtype, rrclass;
};

enum dns_rdata_kind {
    DNS_RDATA_NONE = 0,     /* not logged (unknown type, odd length) */
    DNS_RDATA_TEXT,         /* rdata: A/AAAA address, a name, TXT text */
    DNS_RDATA_SOA,          /* rdata = mname, rname, soa[] */
    DNS_RDATA_SRV,          /* rdata = target, srv_* */
};

struct dns_rr {
    struct dns_str name;
    uint16_t rrtype, rrclass;
    uint32_t ttl;
    uint8_t kind;           /* enum dns_rdata_kind */
    struct dns_str rdata;
    struct dns_str rname;   /* SOA */
    uint32_t soa[5];        /* serial, refresh, retry, expire, minimum */
    uint16_t srv_prio, srv_weight, srv_port;
};

enum dns_section { DNS_SEC_ANSWER = 0, DNS_SEC_AUTHORITY, DNS_SEC_ADDITIONAL, DNS_SEC_MAX };

struct dns_msg {
    uint16_t id, flags;     /* flags: QR, opcode, AA, TC, RD, RA, Z, AD, CD, rcode */
    uint16_t count[4];      /* header: QDCOUNT, ANCOUNT, NSCOUNT, ARCOUNT */
    uint8_t nq;             /* questions kept */
    uint8_t nrr[DNS_SEC_MAX];   /* records kept per section, in rr[] in order */
    bool partial;           /* something was left out (limits, scratch) */
    struct dns_query q[DNS_MAX_QUERIES];
    struct dns_rr rr[DNS_MAX_RRS];
};

static inline bool dns_is_response(const struct dns_msg *m) { return (m->flags & 0x8000) != 0; }
static inline unsigned dns_opcode(const struct dns_msg *m) { return (m->flags >> 11) & 0xf; }
static inline unsigned dns_rcode(const struct dns_msg *m) { return m->flags & 0xf; }

/* Parses [p, p + len) as one DNS message.  scratch (scratch_cap bytes,
 * at most 65535) receives the text.  Returns DNS_ERR_OK or an error; m is
 * then only partly filled and must not be logged. */
enum dns_err dns_parse(const uint8_t *p, size_t len, struct dns_msg *m,
                       char *scratch, size_t scratch_cap);

/* "A", "AAAA", ... for the types Suricata names, NULL otherwise (Suricata
 * then writes the number). */
const char *dns_rrtype_name(uint16_t rrtype);
/* "NOERROR", "NXDOMAIN", ... or NULL for codes without a name. */
const char *dns_rcode_name(unsigned rcode);

/* Transaction ids of one flow, as Suricata numbers them: every request
 * starts a transaction (0, 1, ...); a response belongs to the oldest open
 * request with its DNS id, else (unsolicited) starts one of its own.  Up to
 * DNS_TXS_OPEN requests wait for their answer; beyond that the oldest is
 * forgotten.  Zero is the initial state.  16 bytes: fits struct flow.
 * Open requests keep the low 16 bits of their tx id (a request left open
 * for 65536 later transactions gets a wrong one); ids wrap at 2^29. */
#define DNS_TXS_OPEN 3
struct dns_txs {
    uint32_t next : 29;             /* id of the next transaction */
    uint32_t used : DNS_TXS_OPEN;   /* bit per slot: a request is open */
    uint16_t open_id[DNS_TXS_OPEN]; /* its DNS id */
    uint16_t open_tx[DNS_TXS_OPEN]; /* low 16 bits of its tx id */
};

uint64_t dns_txs_request(struct dns_txs *t, uint16_t dns_id);
uint64_t dns_txs_response(struct dns_txs *t, uint16_t dns_id);

#endif
