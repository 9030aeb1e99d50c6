/* engine/detect_bufs.h: the inspection buffers of an app-layer transaction
 * (engine/rules.h enum rule_buf), built from what the parsers keep.
 *
 * HTTP follows Suricata's definitions per direction: the request side
 * (http.uri, .uri.raw, .method, .protocol, .request_line, .host and
 * .host.raw, .user_agent, .cookie, .referer, .accept*, .connection,
 * .content_type, .content_len, .header (every field "Name: value\r\n" but
 * Cookie), .header.raw (the lines after the request line, blank line
 * included), .header_names ("\r\nName" per field, then "\r\n\r\n"),
 * .start (request line, CRLF, raw headers)) or the response side
 * (.stat_code, .stat_msg, .response_line, .protocol, .location, .server,
 * .cookie (Set-Cookie), .content_type, .content_len, .header, .header.raw,
 * .header_names, .start), the request's uri, method and host staying
 * visible from the response side as Suricata's transaction-wide view
 * does.  http.uri is the raw target (no normalisation yet).  Bodies are
 * what the parser keeps of them (dissect/http.h: the first
 * HTTP_REQ_BODY_KEEP / HTTP_RESP_BODY_KEEP bytes, dechunked):
 * http.request_body and file.data on the request side (Suricata files
 * uploaded bodies), http.response_body and file.data on the response side,
 * inflated (up to DETECT_BODY_DECODED bytes) when Content-Encoding is gzip
 * or deflate and the kept bytes inflate, else as sent; absent when there is
 * no body.
 *
 * Normalised buffers are written into the caller's scratch; the others
 * point into the parser's bytes.  Nothing is allocated. */
#ifndef DETECT_BUFS_H
#define DETECT_BUFS_H

#include "dissect/http.h"
#include "engine/rule_match.h"

#define DETECT_BODY_DECODED 4096u      /* an inflated response body */
#define DETECT_BUFS_SCRATCH (3u * HTTP_BLOCK_MAX + 512u + DETECT_BODY_DECODED)

/* All absent. */
void detect_bufs_clear(struct rule_buffer b[RULE_BUF_COUNT]);

/* request: the request side of t (t->req) when true, else the response
 * side (t->resp) with the request's uri/method/host when t->req is known.
 * Either message may be NULL. */
void detect_bufs_http(struct rule_buffer b[RULE_BUF_COUNT], bool request, const struct http_tx *t,
                      uint8_t *scratch, size_t cap);

#endif
