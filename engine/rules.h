/* engine/rules.h: the Suricata/Snort rule language (tier 2 of DESIGN.md
 * section 5), parsed into plain read-only structures.
 *
 * A rule set is built once, off the packet path: the caller makes a
 * variables table (rule_vars, Suricata's defaults until overridden from the
 * configuration), optionally loads classification.config, then loads rule
 * files (or text).  Every rule either loads whole or is skipped whole: a
 * rule using a keyword this engine cannot run, a bad value, a malformed
 * header or a duplicate sid is recorded (file, line, sid when known, the
 * keyword and what was wrong) and counted by reason; nothing is ever
 * half-run.  Malformed input never crashes the loader.
 *
 * What a loaded rule holds, for the engine and rule_match.h:
 *  - the header: action, protocol (name kept; app-layer names as Suricata
 *    spells them), address and port sets (variables resolved, lists and
 *    negations evaluated to sorted disjoint ranges), direction;
 *  - the meta data: msg, sid, gid, rev, classtype with its description
 *    and priority, references, metadata, priority, target, threshold;
 *  - the inspection lists, one per buffer kind the rule inspects, each an
 *    ordered list of content / pcre / isdataat / byte_test / byte_jump /
 *    byte_extract / byte_math items with Suricata's semantics (see
 *    rule_match.h), plus bsize and the buffer's transforms (dotprefix,
 *    pcrexform, to_lowercase, ...), applied in order before inspection;
 *  - byte_extract and byte_math results: variables of the rule, resolved
 *    to small slots when the rule is parsed (a name not defined before
 *    its use fails the rule);
 *  - flow, dsize, urilen, flowbits (names mapped to small ids per set);
 *  - the fast pattern, chosen as Suricata does (rule_fp below), for the
 *    Hyperscan prefilter databases.
 *
 * All memory of a set (rules, strings, compiled PCRE2 code) belongs to the
 * set and is freed by rule_set_destroy; every pointer handed out is
 * borrowed until then.  A set is not modified after loading, so any number
 * of threads may read it at once. */
#ifndef RULES_H
#define RULES_H

#include "engine/ns_common.h"

/* ---- bounds ---- */

#define RULE_MAX_TEXT      (64u * 1024u)  /* one rule, continuation lines joined */
#define RULE_MAX_ITEMS     256u    /* content/pcre/isdataat/byte_* items per rule */
#define RULE_MAX_BYTE_VARS 16u     /* byte_extract/byte_math results per rule */
#define RULE_MAX_XFORMS    8u      /* transforms on one buffer */
#define RULE_MAX_CONTENT   65535u  /* bytes of one content */
#define RULE_MAX_FLOWBITS  4096u   /* distinct flowbit names per set */
#define RULE_MAX_VAR_DEPTH 16u     /* $VAR referring to $VAR ... */
#define RULE_MAX_RANGES    4096u   /* address or port ranges of one set */
#define RULE_MAX_SKIPS     100000u /* skip records kept (all are counted) */

/* ---- buffer kinds ---- */

/* One value per inspection buffer.  The engine hands rule_match the bytes
 * of each buffer that exists for the packet or transaction; names are
 * Suricata's sticky-buffer keywords (rule_buf_name).  RULE_BUF_PAYLOAD is
 * the packet payload or reassembled stream (pkt_data, the default).
 * FILE_DATA is file.data/file_data (for HTTP Suricata fills it with the
 * response body, for SMTP the mail body); HTTP_RESPONSE_BODY is
 * http.response_body / http_server_body.  The header buffers (IPV4_HDR
 * ... ICMPV6_HDR) are the packet's innermost IP header with its options
 * (IPv6: the fixed 40 bytes) and its transport header (TCP with options,
 * UDP 8 bytes, ICMPv6 8, ICMPv4 8 plus the timestamp or router
 * advertisement fields, as Suricata): a rule using them is a packet rule,
 * run on packets only (rule_buf_is_packet). */
enum rule_buf {
    RULE_BUF_PAYLOAD = 0,
    RULE_BUF_HTTP_URI,
    RULE_BUF_HTTP_URI_RAW,
    RULE_BUF_HTTP_HOST,
    RULE_BUF_HTTP_HOST_RAW,
    RULE_BUF_HTTP_METHOD,
    RULE_BUF_HTTP_USER_AGENT,
    RULE_BUF_HTTP_COOKIE,
    RULE_BUF_HTTP_HEADER,
    RULE_BUF_HTTP_HEADER_RAW,
    RULE_BUF_HTTP_HEADER_NAMES,
    RULE_BUF_HTTP_CONTENT_TYPE,
    RULE_BUF_HTTP_REQUEST_BODY,
    RULE_BUF_HTTP_RESPONSE_BODY,
    RULE_BUF_HTTP_STAT_CODE,
    RULE_BUF_HTTP_STAT_MSG,
    RULE_BUF_HTTP_REQUEST_LINE,
    RULE_BUF_HTTP_RESPONSE_LINE,
    RULE_BUF_HTTP_REFERER,
    RULE_BUF_HTTP_PROTOCOL,
    RULE_BUF_HTTP_START,
    RULE_BUF_HTTP_ACCEPT,
    RULE_BUF_HTTP_ACCEPT_LANG,
    RULE_BUF_HTTP_ACCEPT_ENC,
    RULE_BUF_HTTP_CONNECTION,
    RULE_BUF_HTTP_CONTENT_LEN,
    RULE_BUF_HTTP_LOCATION,
    RULE_BUF_HTTP_SERVER,
    RULE_BUF_DNS_QUERY,
    RULE_BUF_TLS_SNI,
    RULE_BUF_FILE_DATA,
    RULE_BUF_IPV4_HDR,
    RULE_BUF_IPV6_HDR,
    RULE_BUF_TCP_HDR,
    RULE_BUF_UDP_HDR,
    RULE_BUF_ICMPV4_HDR,
    RULE_BUF_ICMPV6_HDR,
    RULE_BUF_COUNT
};

/* "pkt_data", "http.uri", ... ("?" for a bad value). */
const char *rule_buf_name(enum rule_buf b);
/* The app-layer protocol a buffer belongs to ("http", "dns", "tls"), or
 * NULL for the payload and file.data (any protocol with files). */
const char *rule_buf_proto(enum rule_buf b);
/* A buffer of the packet itself: the payload or a header buffer. */
bool rule_buf_is_packet(enum rule_buf b);
/* One of the header buffers (ipv4.hdr ... icmpv6.hdr). */
bool rule_buf_is_header(enum rule_buf b);
/* Suricata's fast-pattern priority of the buffer: lower wins (app-layer
 * buffers 2, payload and http.stat_msg 3, http.method/stat_code 4). */
int rule_buf_fp_priority(enum rule_buf b);

/* ---- header ---- */

enum rule_action {
    RULE_ACTION_ALERT = 0,
    RULE_ACTION_PASS,
    RULE_ACTION_DROP,       /* these four are run as alert; the name is kept */
    RULE_ACTION_REJECT,
    RULE_ACTION_REJECTSRC,
    RULE_ACTION_REJECTDST,
    RULE_ACTION_REJECTBOTH,
};

/* Transport protocols a rule can apply to (bit mask). */
#define RULE_L4_TCP    0x01u
#define RULE_L4_UDP    0x02u
#define RULE_L4_ICMP   0x04u   /* ICMP and ICMPv6 */
#define RULE_L4_OTHER  0x08u   /* any other IP protocol */
#define RULE_L4_ANY    0x0fu

/* Addresses are kept in one 128-bit space: IPv6 as is, IPv4 as
 * ::ffff:a.b.c.d.  So "any" and the complement of an IPv4-only set (e.g.
 * $EXTERNAL_NET = !$HOME_NET) also cover every IPv6 address, as in
 * Suricata.  Bytes are in network order. */
struct rule_addr_range {
    uint8_t lo[16];
    uint8_t hi[16];          /* inclusive */
};

struct rule_addr {
    bool any;                /* then n == 0 */
    uint32_t n;              /* sorted, disjoint, not adjacent */
    const struct rule_addr_range *r;
};

struct rule_port_range {
    uint16_t lo, hi;         /* inclusive */
};

struct rule_ports {
    bool any;
    uint32_t n;              /* sorted, disjoint */
    const struct rule_port_range *r;
};

/* ---- inspection items ---- */

enum rule_item_kind {
    RULE_ITEM_CONTENT = 0,
    RULE_ITEM_PCRE,
    RULE_ITEM_ISDATAAT,
    RULE_ITEM_BYTE_TEST,
    RULE_ITEM_BYTE_JUMP,
    RULE_ITEM_BYTE_EXTRACT,
    RULE_ITEM_BYTE_MATH,
};

/* content flags */
#define RULE_CONTENT_NOCASE       0x0001u
#define RULE_CONTENT_NEGATED      0x0002u
#define RULE_CONTENT_OFFSET       0x0004u
#define RULE_CONTENT_DEPTH        0x0008u
#define RULE_CONTENT_DISTANCE     0x0010u
#define RULE_CONTENT_WITHIN       0x0020u
#define RULE_CONTENT_STARTSWITH   0x0040u
#define RULE_CONTENT_ENDSWITH     0x0080u
#define RULE_CONTENT_FAST_PATTERN 0x0100u  /* fast_pattern given in the rule */
#define RULE_CONTENT_FP_ONLY      0x0200u  /* fast_pattern:only (still verified) */
#define RULE_CONTENT_FP_CHOP      0x0400u  /* fast_pattern:offset,length */
/* A later item of the same list is relative to this one (content with
 * within, pcre with R, relative isdataat): when it fails, the next
 * occurrence of this content is tried (Suricata's WITHIN_NEXT). */
#define RULE_CONTENT_RETRY_NEXT   0x0800u
/* Any later item of the list is relative to this one (also a content
 * with distance only); a negated content so followed is not "single". */
#define RULE_CONTENT_RELATIVE_NEXT 0x1000u
/* The modifier is a byte_extract/byte_math variable: the field holds its
 * slot.  As in Suricata, a depth or offset from a variable makes the
 * window's end depth past its start (not depth from the buffer start). */
#define RULE_CONTENT_OFFSET_VAR   0x2000u
#define RULE_CONTENT_DEPTH_VAR    0x4000u
#define RULE_CONTENT_DISTANCE_VAR 0x8000u
#define RULE_CONTENT_WITHIN_VAR   0x10000u

struct rule_content {
    const uint8_t *bytes;    /* as written (|hex| decoded) */
    const uint8_t *folded;   /* lower-cased copy, NOCASE only */
    const uint16_t *kmp;     /* failure table over folded, NOCASE only */
    uint32_t len;            /* 1 .. RULE_MAX_CONTENT */
    uint32_t flags;
    /* Suricata's internal form: offset and depth are absolute, depth is
     * the end of the window (offset + depth as written; startswith sets
     * depth = len).  distance may be negative; within counts from the
     * end of the previous match plus distance. */
    uint32_t offset, depth;
    int32_t distance, within;
    uint16_t fp_chop_offset, fp_chop_len;
};

#define RULE_PCRE_RELATIVE    0x01u   /* R */
#define RULE_PCRE_NEGATED     0x02u   /* pcre:!"..." */
#define RULE_PCRE_RETRY_NEXT  0x04u   /* a later item is relative to it:
                                        * retry its next match on failure */

struct rule_pcre {
    const char *source;      /* the whole value as written, for messages */
    const char *regex;       /* between the slashes */
    uint32_t options;        /* PCRE2 compile options used */
    uint32_t flags;          /* RULE_PCRE_* */
    const void *code;        /* pcre2_code (8-bit), JIT-compiled when possible */
    uint32_t id;             /* 0 .. rule_set_pcre_count() - 1, unique in the set */
};

struct rule_isdataat {
    uint32_t n;              /* or the variable's slot (var) */
    bool relative, negated, var;
};

/* byte_test, byte_jump, byte_extract, byte_math (Suricata's payload
 * keywords).  Flags say which fields hold a variable's slot instead of a
 * number.  dce is not supported: such rules are skipped. */
#define RULE_BYTE_RELATIVE   0x0001u
#define RULE_BYTE_LITTLE     0x0002u   /* else big endian */
#define RULE_BYTE_STRING     0x0004u   /* ASCII number in base `base` */
#define RULE_BYTE_BITMASK    0x0008u
#define RULE_BYTE_NEGATED    0x0010u   /* byte_test: '!' before the operator */
#define RULE_BYTE_ALIGN      0x0020u   /* byte_jump: round up to 4 */
#define RULE_BYTE_FROM_BEGIN 0x0040u   /* byte_jump: from the buffer start */
#define RULE_BYTE_FROM_END   0x0080u   /* byte_jump: from the buffer end */
#define RULE_BYTE_NBYTES_VAR 0x0100u
#define RULE_BYTE_OFFSET_VAR 0x0200u
#define RULE_BYTE_VALUE_VAR  0x0400u   /* byte_test value, byte_math rvalue */

/* byte_test operators; OR is Suricata's '^' (true when the bits differ) */
enum rule_byte_op {
    RULE_BYTE_OP_EQ = 0, RULE_BYTE_OP_LT, RULE_BYTE_OP_GT, RULE_BYTE_OP_LE,
    RULE_BYTE_OP_GE, RULE_BYTE_OP_AND, RULE_BYTE_OP_OR,
};

/* byte_math operators */
enum rule_byte_oper {
    RULE_BYTE_ADD = 0, RULE_BYTE_SUB, RULE_BYTE_MUL, RULE_BYTE_DIV, RULE_BYTE_SHL,
    RULE_BYTE_SHR,
};

struct rule_byte {
    uint32_t flags;          /* RULE_BYTE_* */
    uint8_t nbytes;          /* 0..23, or a slot (NBYTES_VAR) */
    uint8_t base;            /* STRING: 8, 10, 16, or 0 (strtoull's automatic) */
    uint8_t op;              /* byte_test: enum rule_byte_op; byte_math: enum rule_byte_oper */
    uint8_t align;           /* byte_extract: 0, 2 or 4 */
    uint8_t result;          /* byte_extract/byte_math: the variable's slot */
    uint8_t shift;           /* BITMASK: trailing zero bits of the mask */
    int32_t offset;          /* or a slot (OFFSET_VAR) */
    int32_t post_offset;     /* byte_jump */
    uint32_t multiplier;     /* byte_jump, byte_extract: 1 when not given */
    uint32_t bitmask;
    uint64_t value;          /* byte_test value, byte_math rvalue, or a slot (VALUE_VAR) */
};

struct rule_item {
    enum rule_item_kind kind;
    union {
        struct rule_content content;
        struct rule_pcre pcre;
        struct rule_isdataat isdataat;
        struct rule_byte byte;
    } u;
};

/* Transforms of a buffer (Suricata's transform keywords), applied in rule
 * order to a copy before the list is inspected. */
enum rule_xform_kind {
    RULE_XFORM_DOTPREFIX = 0,      /* "." + buffer */
    RULE_XFORM_PCREXFORM,          /* the first capture (the whole match when
                                    * the regex has none); no match: the list
                                    * does not match */
    RULE_XFORM_TO_LOWERCASE,
    RULE_XFORM_TO_UPPERCASE,
    RULE_XFORM_STRIP_WHITESPACE,   /* drops space, \t, \n, \f, \r */
    RULE_XFORM_COMPRESS_WHITESPACE,/* a run of whitespace (and \v) -> its first byte */
    RULE_XFORM_URL_DECODE,         /* %XX and '+'; bad escapes kept */
    RULE_XFORM_XOR,                /* with a repeating key */
    RULE_XFORM_TO_MD5,             /* the raw digest */
    RULE_XFORM_TO_SHA1,
    RULE_XFORM_TO_SHA256,
    RULE_XFORM_HEADER_LOWERCASE,   /* header names (up to ':') lower-cased */
    RULE_XFORM_STRIP_PSEUDO_HEADERS, /* drops lines starting with ':' */
};

struct rule_xform {
    enum rule_xform_kind kind;
    const void *code;        /* PCREXFORM: pcre2_code (8-bit) */
    const uint8_t *key;      /* XOR */
    uint32_t keylen;
};

/* Integer comparisons of bsize, dsize, urilen. */
enum rule_cmp_op {
    RULE_CMP_EQ = 0,   /* x == a */
    RULE_CMP_NE,       /* x != a */
    RULE_CMP_LT,       /* x <  a */
    RULE_CMP_LE,
    RULE_CMP_GT,
    RULE_CMP_GE,
    RULE_CMP_RANGE,    /* a < x < b ("a<>b", also "a-b") */
};

struct rule_cmp {
    enum rule_cmp_op op;
    uint64_t a, b;
};

bool rule_cmp_eval(const struct rule_cmp *c, uint64_t x);

/* What one buffer kind must satisfy: its items, in rule order, relative
 * ones relative to the previous content/pcre match of the same list. */
struct rule_list {
    enum rule_buf buf;
    uint32_t nxforms;
    const struct rule_xform *xforms; /* applied in order; bsize is on the result */
    bool has_bsize;
    struct rule_cmp bsize;
    uint32_t nitems;
    const struct rule_item *items;
};

/* ---- flow, flowbits, threshold ---- */

#define RULE_FLOW_TO_SERVER      0x01u   /* to_server / from_client */
#define RULE_FLOW_TO_CLIENT      0x02u   /* to_client / from_server */
#define RULE_FLOW_ESTABLISHED    0x04u
#define RULE_FLOW_NOT_ESTABLISHED 0x08u
#define RULE_FLOW_STATELESS      0x10u
#define RULE_FLOW_ONLY_STREAM    0x20u
#define RULE_FLOW_NO_STREAM      0x40u

enum rule_flowbit_cmd {
    RULE_FB_SET = 0,
    RULE_FB_UNSET,
    RULE_FB_TOGGLE,
    RULE_FB_ISSET,
    RULE_FB_ISNOTSET,
};

/* One flowbits keyword.  With several names: any_of (names joined by
 * '|', isset/isnotset only) holds when one of them does; otherwise
 * (names joined by '&') all must, and set/unset/toggle act on all. */
struct rule_flowbit {
    enum rule_flowbit_cmd cmd;
    bool any_of;
    uint32_t nids;
    const uint16_t *ids;     /* rule_set_flowbit_name() gives the names */
};

enum rule_thr_type { RULE_THR_LIMIT = 0, RULE_THR_THRESHOLD, RULE_THR_BOTH };
enum rule_thr_track { RULE_THR_BY_SRC = 0, RULE_THR_BY_DST, RULE_THR_BY_RULE, RULE_THR_BY_BOTH };

struct rule_threshold {
    bool present;
    enum rule_thr_type type;
    enum rule_thr_track track;
    uint32_t count;
    uint32_t seconds;
};

/* ---- fast pattern ---- */

/* The content Suricata would put in its multi-pattern matcher: the one
 * marked fast_pattern, else among the buffer kinds of best priority
 * (rule_buf_fp_priority) the longest non-negated content (negated ones
 * only when the rule has no other), ties broken by Suricata's pattern
 * strength, then buffer order (enum rule_buf), then rule order.
 * bytes/len are the chopped part for fast_pattern:o,l.  nocase: Hyperscan
 * must match caselessly.  A negated fast pattern cannot nominate a rule by
 * matching: such rules (and rules with no content, present == false) must
 * be evaluated without prefilter.  short_pattern: len <= 3, keep it out of
 * the shared databases (DESIGN.md section 5).
 *
 * The prefilter scans the raw buffer, so a pattern of a transformed list
 * is adjusted to what a match of the transformed buffer proves about the
 * raw one: after to_lowercase/to_uppercase the raw buffer holds it in some
 * case (nocase is set), after dotprefix it may have used the added dot
 * (leading dots are dropped from bytes/len), pcrexform keeps a substring.
 * After any other transform nothing is proved: no_prefilter is set and the
 * rule must be evaluated without prefilter, like a negated one. */
struct rule_fp {
    bool present;
    enum rule_buf buf;
    const uint8_t *bytes;
    uint32_t len;
    bool nocase;
    bool negated;
    bool only;               /* fast_pattern:only was written */
    bool short_pattern;
    bool no_prefilter;       /* transformed beyond what the raw buffer shows */
    uint32_t list, item;     /* rule->lists[list].items[item] */
};

/* ---- the rule ---- */

struct rule {
    uint32_t sid, gid, rev;
    enum rule_action action;
    const char *action_name;     /* as written */
    const char *proto;           /* header protocol as written ("tcp", "http", ...) */
    const char *app_proto;       /* app layer required: header or buffers; NULL = none */
    uint8_t l4;                  /* RULE_L4_* */
    struct rule_addr src, dst;
    struct rule_ports sport, dport;
    bool bidirectional;          /* "<>" */

    const char *msg;             /* unescaped; "" when absent */
    const char *classtype;       /* NULL when absent */
    const char *class_desc;      /* from classification.config, or NULL */
    uint32_t priority;           /* priority keyword, else classtype's, else 3 */
    uint32_t nrefs;
    const char *const *refs;     /* "url,example.com/x" as written */
    uint32_t nmeta;
    const char *const *meta;     /* "key value", trimmed, one per comma item */
    int8_t target;               /* 0 none, 1 src_ip, 2 dest_ip */

    uint32_t flow;               /* RULE_FLOW_* */
    bool has_dsize;
    struct rule_cmp dsize;
    bool has_urilen;
    bool urilen_raw;             /* urilen:...,raw: on http.uri.raw */
    struct rule_cmp urilen;

    uint32_t nlists;             /* in enum rule_buf order (the inspection order) */
    const struct rule_list *lists;
    bool pkt_hdr;                /* a header buffer: a packet rule, packets only */
    uint8_t nbytevars;           /* byte_extract/byte_math slots used */

    uint32_t nflowbits;
    const struct rule_flowbit *flowbits;
    bool noalert;                /* flowbits:noalert or noalert */
    struct rule_threshold threshold;

    struct rule_fp fp;

    const char *file;            /* where it came from */
    uint32_t line;               /* first line of the rule */
};

/* ---- variables ---- */

struct rule_vars;

/* A table with Suricata's default address groups (HOME_NET,
 * EXTERNAL_NET, *_SERVERS, ...) and port groups (HTTP_PORTS, ...). */
struct rule_vars *rule_vars_create(char *errbuf) NS_MUST_CHECK;
void rule_vars_destroy(struct rule_vars *v);               /* NULL ok */
/* Sets or replaces an address group (port == false) or a port group.
 * name without '$'.  The value is checked only when a rule uses it. */
int rule_vars_set(struct rule_vars *v, const char *name, const char *value,
                  bool port, char *errbuf);
/* Borrowed, NULL when not set. */
const char *rule_vars_get(const struct rule_vars *v, const char *name, bool port);

/* ---- the set ---- */

struct rule_set;

/* Skip reasons (the summary groups by reason and keyword). */
enum rule_skip_reason {
    RULE_SKIP_UNSUPPORTED_KEYWORD = 0,  /* keyword = the keyword */
    RULE_SKIP_UNSUPPORTED_PROTO,        /* keyword = the protocol */
    RULE_SKIP_UNSUPPORTED_BUFFER,       /* pcre buffer flag, ... */
    RULE_SKIP_BAD_VALUE,                /* keyword = the keyword */
    RULE_SKIP_BAD_HEADER,               /* action, addresses, ports, direction */
    RULE_SKIP_SYNTAX,                   /* options, quoting, parentheses */
    RULE_SKIP_DUPLICATE_SID,
    RULE_SKIP_MISSING_SID,
    RULE_SKIP_TOO_LARGE,
    RULE_SKIP_REASON_COUNT
};

const char *rule_skip_reason_name(enum rule_skip_reason r);

struct rule_skip {
    const char *file;
    uint32_t line;
    uint32_t sid;                /* 0 when not known */
    enum rule_skip_reason reason;
    const char *keyword;         /* "" when none */
    const char *msg;             /* "FILE:LINE: sid N: what was wrong" */
};

/* One line of the summary: how many rules were skipped for a reason and
 * keyword.  rule_set_summary() sorts them by count, largest first. */
struct rule_skip_count {
    enum rule_skip_reason reason;
    const char *keyword;
    uint32_t count;
};

struct rule_set_stats {
    uint32_t loaded;             /* rules in the set */
    uint32_t skipped;            /* all skips, including duplicates */
    uint32_t replaced;           /* an earlier rule replaced by a higher rev */
    uint32_t files;
    uint32_t lines;
    uint32_t pcre_jit;           /* pcre compiled to JIT code (of all kept) */
    uint32_t fp_short;           /* fast pattern of 3 bytes or less */
    uint32_t no_fp;              /* no fast pattern, or a negated one */
    size_t memory;               /* bytes held by the set, PCRE2 code included */
};

/* vars may be NULL (Suricata's defaults); it is only read during loads. */
struct rule_set *rule_set_create(const struct rule_vars *vars, char *errbuf) NS_MUST_CHECK;
void rule_set_destroy(struct rule_set *rs);                 /* NULL ok */

/* classification.config: "config classification: name,description,prio".
 * Load it before the rules that use it.  Once one is loaded, a rule with
 * an unknown classtype is skipped (bad value), as in Suricata. */
int rule_set_load_classification(struct rule_set *rs, const char *path, char *errbuf);
int rule_set_load_classification_text(struct rule_set *rs, const char *text,
                                      size_t len, char *errbuf);

/* Loads every rule of a file.  Returns NS_OK when the file was read
 * (whatever was skipped: see the skips), NS_ERR_IO when it could not be
 * read, NS_ERR_NOMEM.  Lines starting with '#' are disabled rules. */
int rule_set_load_file(struct rule_set *rs, const char *path, char *errbuf);
/* The same over text in memory; name is used in messages. */
int rule_set_load_text(struct rule_set *rs, const char *name, const char *text,
                       size_t len, char *errbuf);

uint32_t rule_set_count(const struct rule_set *rs);
/* Borrowed; i < rule_set_count(). */
const struct rule *rule_set_rule(const struct rule_set *rs, uint32_t i);
/* The rule with this gid:sid, or NULL. */
const struct rule *rule_set_find(const struct rule_set *rs, uint32_t gid, uint32_t sid);

/* Flowbit names get ids 0..count-1 in order of first appearance; size
 * the per-flow bitset for (count + 63) / 64 words. */
uint32_t rule_set_flowbit_count(const struct rule_set *rs);
const char *rule_set_flowbit_name(const struct rule_set *rs, uint32_t id);
/* pcre ids are below this (some may belong to no rule: a replaced one). */
uint32_t rule_set_pcre_count(const struct rule_set *rs);

void rule_set_get_stats(const struct rule_set *rs, struct rule_set_stats *st);
uint32_t rule_set_skip_count(const struct rule_set *rs);   /* records kept */
const struct rule_skip *rule_set_skip(const struct rule_set *rs, uint32_t i);
/* Fills up to max lines, largest counts first; returns how many exist. */
uint32_t rule_set_summary(const struct rule_set *rs, struct rule_skip_count *out,
                          uint32_t max);

#endif
