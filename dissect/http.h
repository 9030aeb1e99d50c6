/* dissect/http.h: one HTTP/1.x header block (RFC 9112 sections 2-5) into a
 * fixed struct: the request line (method, target, protocol) or the status
 * line (protocol, status, reason), then up to HTTP_MAX_HEADERS header
 * fields, up to the blank line.  Strings are offsets into the caller's
 * bytes, so a parse allocates nothing and the struct stays valid as long as
 * those bytes do.  Lines end in LF or CRLF; a line starting with SP/HT
 * continues the previous field's value (obsolete folding: the value then
 * spans the line break).  Header names compare case-insensitively.  Every
 * read is checked; a malformed block returns a named error (enum http_err). */
#ifndef HTTP_H
#define HTTP_H

#include "dissect/applayer.h"
#include "engine/ns_common.h"

#define HTTP_MAX_HEADERS  48
#define HTTP_LINE_MAX     8192      /* bytes of one line, LF included */
#define HTTP_BLOCK_MAX    65535     /* bytes of a header block */

#define HTTP_ERRORS(X)                            \
    X(OK,               "ok")                     \
    X(NOT_HTTP,         "not_http")               \
    X(INCOMPLETE,       "incomplete")             \
    X(LINE_TOO_LONG,    "line_too_long")          \
    X(BAD_REQUEST_LINE, "bad_request_line")       \
    X(BAD_STATUS_LINE,  "bad_status_line")        \
    X(BAD_HEADER,       "bad_header")

enum http_err {
#define HTTP_ERR_ENUM(id, name) HTTP_ERR_##id,
    HTTP_ERRORS(HTTP_ERR_ENUM)
#undef HTTP_ERR_ENUM
    HTTP_ERR_MAX
};

const char *http_err_name(unsigned e);

/* [off, off + len) of the parsed bytes */
struct http_str {
    uint16_t off, len;
};

struct http_hdr {
    struct http_str name, value;
};

struct http_msg {
    bool response;
    bool partial;                   /* headers beyond HTTP_MAX_HEADERS left out */
    uint16_t status;                /* 100..999, 0 when not three digits */
    struct http_str method, uri;    /* request */
    struct http_str protocol;       /* "HTTP/1.1"; empty for HTTP/0.9 requests */
    struct http_str status_str, reason;     /* response */
    uint32_t block_len;             /* bytes of the block, blank line included */
    unsigned nhdr;
    struct http_hdr hdr[HTTP_MAX_HEADERS];
};

/* Whether p looks like the start of a request ("TOKEN SP") or a response
 * ("HTTP/"): what is worth parsing in a segment. */
bool http_is_request_start(const uint8_t *p, size_t n);
bool http_is_response_start(const uint8_t *p, size_t n);

/* Parses the header block at the start of [p, p + n). */
enum http_err http_parse(const uint8_t *p, size_t n, struct http_msg *m);

/* The first header named name (case-insensitive), or NULL. */
const struct http_hdr *http_header(const struct http_msg *m, const uint8_t *p,
                                   const char *name);
/* Does that header's value contain tok (lower case; compared
 * case-insensitively)?  False when the header is absent. */
bool http_header_has(const struct http_msg *m, const uint8_t *p, const char *name,
                     const char *tok);

/* ---- Transactions over a reassembled stream (dissect/http_tx.c) ----
 *
 * http_feed follows dissect/applayer.h.  Each direction alternates header
 * blocks and bodies: Content-Length bodies, chunked bodies (RFC 9112 7.1,
 * trailers included) and, for responses with neither, a body running to
 * the end of the stream; no body after HEAD, 1xx, 204 and 304.  Requests
 * queue (pipelining, up to HTTP_PIPELINE unanswered; one more logs the
 * oldest without its response) and each response completes the oldest.  A
 * transaction is handed to cb->tx when its response body has ended, or at
 * the server side's end (requests never answered: request only).  Interim
 * 1xx responses other than 101 are skipped.  After 101 or a 2xx answer to
 * CONNECT the stream is a tunnel: the parser consumes and ignores the rest.
 *
 * Header blocks are kept for the record.  A response keeps up to
 * HTTP_KEEP bytes.  Requests share HTTP_REQ_KEEP bytes, so that a request
 * line as long as a line may be (HTTP_LINE_MAX; RFC 9112 section 3 asks
 * for at least 8000 octets) is kept whole: each unanswered request may take
 * what is free but HTTP_REQ_MIN for each later one the pipeline can still
 * hold.  A block longer than its room is kept as its start line (the
 * target cut only when it cannot fit), the fields the record names and as
 * many others as fit (the message says partial).  A malformed block raises
 * one anomaly
 * (REQUEST_HEADER_INVALID, RESPONSE_HEADER_INVALID, REQUEST_LINE_INVALID,
 * RESPONSE_LINE_INVALID, REQUEST_FIELD_TOO_LONG, RESPONSE_FIELD_TOO_LONG,
 * INVALID_REQUEST_CHUNK_LEN, INVALID_RESPONSE_CHUNK_LEN), after which the
 * direction skips lines until one starts a message; after APPL_GAP it does
 * the same silently.
 *
 * Bodies: the first bytes of each body are kept for the rules, dechunked
 * (chunk data only) and as sent (no Content-Encoding decoding here): up to
 * HTTP_REQ_BODY_KEEP of a request's body, stored after its header block in
 * the requests' shared room (so a pipeline's bodies never mix, and a body
 * only takes what the rule above leaves: a long pipelined request may keep
 * less or none of it), and up to HTTP_RESP_BODY_KEEP of the response's.
 * Suricata inspects up to request-body-limit / response-body-limit (100
 * KiB by default); the per-flow state (APPL_STATE_MAX, 16 KiB) holds no
 * more.  A gap inside a body ends what is kept of it. */
#define HTTP_PIPELINE 4
#define HTTP_KEEP     2048          /* the response's header block */
#define HTTP_REQ_KEEP 9728          /* all unanswered requests' blocks and bodies */
#define HTTP_REQ_MIN  512           /* left for each later pipelined request */
#define HTTP_REQ_BODY_KEEP  4096    /* of each request's body */
#define HTTP_RESP_BODY_KEEP 2048    /* of the response's body */

struct http_kept {
    struct http_msg msg;            /* offsets into raw */
    uint16_t len;
    uint8_t raw[HTTP_KEEP];
};

/* What cb->tx receives. */
struct http_tx {
    uint64_t tx_id;
    const struct http_msg *req, *resp;      /* either may be NULL */
    const uint8_t *req_p, *resp_p;
    uint64_t req_body, resp_body;   /* body bytes as sent (chunk framing included) */
    /* the kept start of each body (dechunked, still content-encoded);
     * NULL/0 when there is none */
    const uint8_t *req_data, *resp_data;
    size_t req_data_len, resp_data_len;
};

struct http_dir {
    uint8_t phase;                  /* private (http_tx.c) */
    bool bad;                       /* anomaly raised; skipping to a message start */
    bool resync;                    /* skipping after a gap */
    uint64_t remain;                /* body or chunk bytes left */
    uint64_t body;                  /* body bytes so far */
    bool bkeep;                     /* the body's bytes are still kept */
};

struct http_state {
    /* unanswered requests, a ring of HTTP_PIPELINE slots from req_head;
     * their blocks lie oldest first in req_raw[0, req_used), slot i's at
     * req_raw + req_off[i] (req_len[i] bytes, 0: not kept), each followed
     * by the kept start of its body (req_blen[i] bytes) */
    struct http_msg req_msg[HTTP_PIPELINE];
    uint16_t req_off[HTTP_PIPELINE], req_len[HTTP_PIPELINE], req_blen[HTTP_PIPELINE];
    uint16_t req_used;
    uint64_t req_tx[HTTP_PIPELINE];
    uint64_t req_body[HTTP_PIPELINE];
    uint8_t req_head, req_cnt;
    bool req_head_method[HTTP_PIPELINE];    /* HEAD: its response has no body */
    bool req_connect[HTTP_PIPELINE];
    bool req_in_body;               /* the newest request's body is running */
    bool resp_open;                 /* resp holds a response whose body runs */
    bool tunnel;
    bool resp_has_req;
    uint64_t resp_tx;
    struct http_dir d[2];           /* [0] requests, [1] responses */
    uint64_t next_tx;
    struct http_kept resp;
    uint16_t resp_blen;
    uint8_t resp_bdata[HTTP_RESP_BODY_KEEP];
    uint8_t req_raw[HTTP_REQ_KEEP];
};

size_t http_feed(struct http_state *s, bool toserver, const uint8_t *p, size_t n,
                 unsigned flags, const struct appl_cb *cb);

#endif
