/* dissect/ssh.h: SSH (RFC 4253) over a reassembled TCP stream, as far as
 * it is readable: each side's identification string and its first
 * SSH_MSG_KEXINIT, for Suricata's "ssh" record with HASSH fingerprints.
 * ssh_feed follows dissect/applayer.h.
 *
 * Per direction:
 *   1. The identification line "SSH-protoversion-softwareversion SP
 *      comments" ending in CR LF (also accepted, as Suricata does: LF
 *      alone, or a CR not followed by LF).  proto_version is what lies
 *      between "SSH-" and the next '-' (not empty), software_version what
 *      follows up to the first space.  The server may send other lines
 *      first (RFC 4253 4.2): up to SSH_PRE_LINES_MAX lines of at most
 *      SSH_LINE_MAX bytes that do not start with "SSH-" are skipped.  The
 *      client may not.  A line of SSH_LINE_MAX bytes or more (terminator
 *      not counted; RFC: 255 with CR LF) raises LONG_BANNER: its first
 *      SSH_LINE_MAX - 1 bytes are read as the banner, the rest up to the
 *      line end is skipped.
 *   2. After a banner whose proto_version is "2.0" or "1.99", the binary
 *      packets (RFC 4253 6): uint32 packet_length, byte padding_length,
 *      payload, padding (the MAC is absent until keys are taken into use).
 *      The first SSH_MSG_KEXINIT (20) gives this side's HASSH: the string
 *      "kex_algorithms;encryption;mac;compression" with the client-to-
 *      server lists for the client (hassh) and the server-to-client lists
 *      for the server (hasshServer), and its MD5 in lower-case hex.  The
 *      name-lists are read from the record's bytes after the message code
 *      (padding_length is not trusted, as in Suricata).  Other records are
 *      skipped by their length, without being kept.
 *   3. After SSH_MSG_NEWKEYS (21) the direction is encrypted, and after the
 *      transaction is emitted nothing more is wanted: the parser consumes
 *      the rest of the direction without looking at it.  So it does after
 *      APPL_GAP (the framing is lost; unless the bytes lost, cb->gap, all
 *      fall inside a record being skipped), after an anomaly other than
 *      LONG_BANNER, and after the banner of another protocol version
 *      (SSH-1 framing differs).
 *
 * A KEXINIT record is left unconsumed (the caller keeps it) until it is
 * whole, if it is at most SSH_KEXINIT_MAX bytes (length field included);
 * a longer one raises LONG_KEX_RECORD and that side has no HASSH.
 *
 * Transaction: one per flow (tx id 0), handed to cb->tx once, when both
 * sides' KEXINITs have been read, or else when both directions have had
 * APPL_EOF, with whatever was seen (the banners, a HASSH) -- provided at
 * least one banner was; a flow without any banner gives no transaction.
 *
 * Anomalies (cb->anomaly), Suricata's app-layer event names
 * (rules/ssh-events.rules):
 *   INVALID_BANNER   the first client line, or the first server line
 *                    starting with "SSH-", is not "SSH-x-y"; more than
 *                    SSH_PRE_LINES_MAX server lines or a longer one
 *                    before the banner
 *   LONG_BANNER      banner line of SSH_LINE_MAX bytes or more
 *   INVALID_RECORD   packet_length below 2, or a KEXINIT whose name-lists
 *                    overrun the record
 *   LONG_KEX_RECORD  KEXINIT over SSH_KEXINIT_MAX bytes, or whose HASSH
 *                    string exceeds SSH_HASSH_STRING_MAX
 * Suricata raises the same names; where it stops on INVALID_* we stop that
 * direction too.  (Suricata rejects server lines before the banner; we
 * skip them, as the RFC allows.) */
#ifndef SSH_H
#define SSH_H

#include "dissect/applayer.h"

#define SSH_LINE_MAX          256     /* a line this long is LONG_BANNER */
#define SSH_VERSION_MAX       255     /* bytes kept of proto/software version */
#define SSH_PRE_LINES_MAX     32      /* server lines skipped before the banner */
#define SSH_KEXINIT_MAX       8192    /* KEXINIT record kept for HASSH, length field included */
#define SSH_HASSH_STRING_MAX  7168    /* HASSH string kept per side */

#define SSH_MSG_KEXINIT  20
#define SSH_MSG_NEWKEYS  21

#define SSH_EVENTS(X)                              \
    X(INVALID_BANNER,  "INVALID_BANNER")           \
    X(LONG_BANNER,     "LONG_BANNER")              \
    X(INVALID_RECORD,  "INVALID_RECORD")           \
    X(LONG_KEX_RECORD, "LONG_KEX_RECORD")

enum ssh_event {
#define SSH_EV_ENUM(id, name) SSH_EV_##id,
    SSH_EVENTS(SSH_EV_ENUM)
#undef SSH_EV_ENUM
    SSH_EV_MAX
};

/* "INVALID_BANNER", ...; "unknown" out of range. */
const char *ssh_event_name(unsigned ev);

/* What one side said. */
struct ssh_side {
    bool banner;                    /* proto_version seen (not empty) */
    bool hassh;                     /* KEXINIT read: hassh_hash/hassh_string set */
    uint8_t proto_len, soft_len;
    uint16_t hassh_len;
    char proto[SSH_VERSION_MAX];    /* proto_version, not NUL-terminated */
    char soft[SSH_VERSION_MAX];     /* software_version (may be empty) */
    char hassh_hash[33];            /* MD5 of hassh_string, hex, NUL-terminated */
    char hassh_string[SSH_HASSH_STRING_MAX];    /* not NUL-terminated */
};

/* What cb->tx receives: points into the state, valid during the call. */
struct ssh_tx {
    uint64_t tx_id;                 /* always 0 */
    const struct ssh_side *client, *server;
};

/* Private per-direction progress (ssh.c). */
struct ssh_dir {
    uint8_t phase;
    uint8_t pre_lines;              /* server lines skipped before the banner */
    bool kexinit;                   /* first KEXINIT handled (HASSH or not) */
    bool eof;
    uint64_t skip;                  /* bytes of the current record still to skip */
};

/* Per flow.  Zeroed = fresh (ssh_state_init does just that). */
struct ssh_state {
    struct ssh_side side[2];        /* [0] client, [1] server */
    struct ssh_dir d[2];
    bool emitted;
};

_Static_assert(sizeof(struct ssh_state) <= APPL_STATE_MAX, "ssh state too big");

void ssh_state_init(struct ssh_state *s);

size_t ssh_feed(struct ssh_state *s, bool toserver, const uint8_t *p, size_t n,
                unsigned flags, const struct appl_cb *cb);

#endif
