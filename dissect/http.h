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

#endif
