/* dissect/applayer.h: the contract every application-layer parser in
 * dissect/ follows (dns, http, tls, smtp, ftp, ssh; dhcp is per datagram).
 *
 * A parser is fed the bytes of one direction of a flow in order (TCP after
 * stream reassembly, flow/stream.h; UDP one datagram per call):
 *
 *     size_t X_feed(struct X_state *s, bool toserver, const uint8_t *p,
 *                   size_t n, unsigned flags, const struct appl_cb *cb);
 *
 * It returns how many bytes of [p, p + n) it consumed.  What it leaves (an
 * incomplete record, line or header block) is kept by the caller and given
 * again, with the bytes that follow appended, on the next call.  The caller
 * keeps at most APPL_PENDING_MAX bytes per direction: a parser that leaves
 * more has them dropped and its next call carries APPL_GAP.  So a parser
 * consumes everything it can, and bounds what it waits for.
 *
 * State lives in the parser's struct X_state (plain data, no pointers to
 * memory it owns, at most APPL_STATE_MAX bytes, zeroed = fresh), which the
 * caller keeps per flow.  No allocation, no locks, no I/O, no globals that
 * change.  Every read is bounds-checked: any byte sequence is valid input.
 *
 * Finished transactions go to cb->tx (the parser's own tx type, described
 * in its header; valid only during the call, the caller formats it at
 * once).  Malformed input goes to cb->anomaly with Suricata's app-layer
 * event name ("INVALID_RECORD_TYPE"); the parser then resynchronises or
 * ignores the rest of that direction, as its header says. */
#ifndef APPLAYER_H
#define APPLAYER_H

#include "engine/ns_common.h"

#define APPL_GAP  0x01u   /* bytes were lost before p in this direction */
#define APPL_EOF  0x02u   /* this direction ended (FIN, RST or flow end); n may be 0 */

#define APPL_PENDING_MAX  (64u * 1024u)
#define APPL_STATE_MAX    (16u * 1024u)

struct appl_cb {
    void (*tx)(void *ctx, const void *tx);
    void (*anomaly)(void *ctx, const char *event);
    void *ctx;
    /* With APPL_GAP: how many bytes were lost before p, 0 when unknown.
     * A parser inside a body of known length can skip them and go on. */
    uint64_t gap;
};

/* One line of a line-based protocol (SMTP, FTP), split off the front of
 * [p, p + n).  b == NULL: the bytes consumed were skipped. */
struct appl_line {
    const uint8_t *b;
    size_t len;             /* without the terminator, except on a cut line */
    uint8_t delim;          /* 0 (cut line), 1 (LF) or 2 (CR LF) */
    bool truncated;         /* cut at max bytes */
};

/* Returns the bytes consumed, 0 when a whole line is not there yet (then
 * fewer than max bytes are waiting).  A line of max bytes or more is cut
 * to its first max bytes and marked truncated; *discard then skips to its
 * LF, wherever it comes.  Reads only [p, p + n). */
size_t appl_line_next(const uint8_t *p, size_t n, size_t max, bool *discard,
                      struct appl_line *ln);

#endif
