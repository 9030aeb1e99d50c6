/* dissect/smtp.h: SMTP (RFC 5321) over a reassembled TCP stream, with the
 * RFC 5322 / MIME (RFC 2045-2046) header block of each message, for
 * Suricata's "smtp" record.  smtp_feed follows dissect/applayer.h.
 *
 * Lines.  Both directions are read line by line (LF or CR LF).  A line of
 * SMTP_LINE_MAX bytes or more (LF included), or SMTP_LINE_MAX bytes without
 * an LF yet, is cut to its first SMTP_LINE_MAX bytes, which are used as the
 * line (with no terminator removed: a CR stays), and TRUNCATED_LINE is
 * raised; what follows up to the next LF is skipped.  So the caller never
 * keeps more than SMTP_LINE_MAX bytes for us.  (Suricata's
 * SMTP_LINE_BUFFER_LIMIT and behaviour.)
 *
 * Client lines are commands, except in message mode: after DATA and the
 * server's 354 (at once when the server announced PIPELINING in a
 * multi-line 250 reply, as Suricata does), the message lines up to ".";
 * after "BDAT n [LAST]", exactly n octets, not read as lines.  Commands
 * are recognised by their first bytes, case-insensitively:
 *   HELO/EHLO  helo = the first word after "HELO" and one byte (one per
 *              flow; a second one raises DUPLICATE_FIELDS and is ignored;
 *              a bare "EHLO" gives an empty one)
 *   MAIL FROM  mail_from = the first word after "MAIL FROM:" (angle
 *              brackets kept: "<a@b>"); DUPLICATE_FIELDS if the
 *              transaction has one already
 *   RCPT TO    rcpt_to += the first word after "RCPT TO:"
 *   DATA, BDAT, RSET, QUIT, STARTTLS; anything else is just queued.
 * Every command is queued and matched, in order, with the server's
 * replies (a multi-line "250-" reply counts once).  A reply line must be
 * at least 3 bytes and start with a reply code Suricata knows
 * (smtp_reply_code_known), else INVALID_REPLY is raised and the parser
 * stops reading the flow, as Suricata's parser error does.
 *
 * Transaction: one per mail transaction.  It starts with the first client
 * command after the previous one ended (RSET and QUIT right after the end
 * belong to the old one and start none; a session without MAIL still has
 * one, from its HELO/EHLO, say) and ends, and goes to cb->tx, when
 *   - the server replies to the end of the message ("." or the LAST BDAT
 *     chunk), whatever the code (Suricata 8.0.7: completion waits for the
 *     reply);
 *   - the client starts a new transaction after the end of the message
 *     before that reply came (pipelining);
 *   - the server accepts RSET (250) or STARTTLS (220);
 *   - both directions have had APPL_EOF (what was seen so far).
 * After STARTTLS is accepted the rest of the flow is TLS: the parser
 * consumes it unread.  After APPL_GAP the direction resumes at the next
 * line (a BDAT chunk in progress is abandoned, unless cb->gap says the
 * bytes lost were all inside it; a message goes on, minus the lost
 * lines).
 *
 * The message (DATA only; BDAT content is not parsed, as in Suricata): the
 * header block, once ended by its blank line (folded lines are joined to
 * the previous field without their first white-space byte), gives from,
 * to, cc, bcc, subject, message_id, date, x_mailer, user_agent, reply_to
 * (the first of each), received (all), and, with its Content-Type, the
 * MIME structure:
 * parts start at "--boundary" lines (SMTP_BOUNDARY_MAX boundaries from
 * any part); each part's header block names an attachment by its
 * Content-Disposition "filename" or else its Content-Type "name"
 * parameter.  URLs "http://..." (the schemes of opts.url_schemes, each
 * searched in turn over a line) are collected, scheme removed unless
 * opts.url_log_scheme, up to one of SP " ' < > ] HT or the end of the
 * line (Suricata keeps the CR LF then), from the lines of text parts
 * (text/plain, text/html, or no Content-Type) and of attachments that are
 * not base64 or quoted-printable encoded.  Lines starting with "." lose it
 * (RFC 5321 4.5.2).  With opts.body_md5, the MD5 of the body as sent (the
 * lines after the header block's blank line up to the final ".",
 * terminators and dot-stuffing included, as Suricata hashes it) when it
 * had any line.
 *
 * The first attachment's content (Suricata's file.data for SMTP: the
 * file, decoded) is kept per transaction, its first SMTP_FILE_DATA_MAX
 * bytes: base64 and quoted-printable parts decoded (base64 groups that are
 * not valid are left out; a quoted-printable soft line break joins the
 * lines), others as sent; the line break in front of the boundary that
 * ends the part belongs to the boundary (RFC 2046 5.1.1), not to the
 * content.
 *
 * Limits: the text of one transaction (mail_from, rcpt_to, header values,
 * attachment names, URLs) shares SMTP_POOL_SIZE bytes, each value at most
 * SMTP_VALUE_MAX; counts are capped below.  What does not fit is left out
 * and the transaction's `truncated` is set.
 *
 * Anomalies (cb->anomaly), Suricata's app-layer event names
 * (rules/smtp-events.rules).  As in Suricata they belong to the current
 * transaction: raised only while one is open (at most
 * SMTP_EVENTS_PER_TX each), else dropped. */
#ifndef SMTP_H
#define SMTP_H

#include "dissect/applayer.h"

#define SMTP_LINE_MAX        4096    /* Suricata's SMTP_LINE_BUFFER_LIMIT */
#define SMTP_HELO_MAX        SMTP_LINE_MAX
#define SMTP_POOL_SIZE       8192    /* text of one transaction */
#define SMTP_VALUE_MAX       2048    /* one value in the pool */
#define SMTP_RCPT_MAX        32
#define SMTP_RECEIVED_MAX    8
#define SMTP_ATTACH_MAX      16
#define SMTP_URL_MAX         16
#define SMTP_CMDQ_MAX        64      /* commands awaiting a reply */
#define SMTP_BOUNDARY_MAX    4
#define SMTP_BOUNDARY_LEN    128     /* bytes kept of "--" boundary */
#define SMTP_MIME_VALUE_MAX  512     /* Content-Type/-Disposition value kept */
#define SMTP_EVENTS_PER_TX   255     /* Suricata's per-transaction cap */
#define SMTP_FILE_DATA_MAX   1536    /* first attachment bytes kept (the
                                      * state must fit APPL_STATE_MAX) */

/* Suricata's MIME limits (rust/src/mime/smtp.rs), for the MIME_* events */
#define SMTP_MIME_LINE_MAX       998
#define SMTP_MIME_ENC_LINE_MAX   76
#define SMTP_MIME_HDR_NAME_MAX   75
#define SMTP_MIME_HDR_VALUE_MAX  2000
#define SMTP_MIME_BOUNDARY_MAX   254
#define SMTP_MIME_FILENAME_MAX   255

#define SMTP_EVENTS(X)                                              \
    X(INVALID_REPLY,              "INVALID_REPLY")                  \
    X(INVALID_PIPELINED_SEQUENCE, "INVALID_PIPELINED_SEQUENCE")     \
    X(NO_SERVER_WELCOME_MESSAGE,  "NO_SERVER_WELCOME_MESSAGE")      \
    X(TLS_REJECTED,               "TLS_REJECTED")                   \
    X(DATA_COMMAND_REJECTED,      "DATA_COMMAND_REJECTED")          \
    X(INVALID_BDAT,               "INVALID_BDAT")                   \
    X(DUPLICATE_FIELDS,           "DUPLICATE_FIELDS")               \
    X(UNPARSABLE_CONTENT,         "UNPARSABLE_CONTENT")             \
    X(TRUNCATED_LINE,             "TRUNCATED_LINE")                 \
    X(MIME_INVALID_BASE64,        "MIME_INVALID_BASE64")            \
    X(MIME_INVALID_QP,            "MIME_INVALID_QP")                \
    X(MIME_LONG_LINE,             "MIME_LONG_LINE")                 \
    X(MIME_LONG_ENC_LINE,         "MIME_LONG_ENC_LINE")             \
    X(MIME_LONG_HEADER_NAME,      "MIME_LONG_HEADER_NAME")          \
    X(MIME_LONG_HEADER_VALUE,     "MIME_LONG_HEADER_VALUE")         \
    X(MIME_LONG_BOUNDARY,         "MIME_LONG_BOUNDARY")             \
    X(MIME_LONG_FILENAME,         "MIME_LONG_FILENAME")

/* When each is raised:
 *   INVALID_REPLY               reply line shorter than 3 bytes or with an
 *                               unknown code (then the parser stops); a
 *                               first server reply that is not 220
 *   INVALID_PIPELINED_SEQUENCE  a command (or the end of a message) queued
 *                               behind an unanswered DATA or STARTTLS
 *   NO_SERVER_WELCOME_MESSAGE   a client line before the server's greeting
 *   TLS_REJECTED                STARTTLS answered with other than 220
 *   DATA_COMMAND_REJECTED       DATA answered with other than 354
 *   INVALID_BDAT                BDAT not "BDAT SP size [SP LAST]"
 *   DUPLICATE_FIELDS            second HELO/EHLO, second MAIL FROM
 *   UNPARSABLE_CONTENT          DATA again before the first one was answered
 *   TRUNCATED_LINE              a line cut at SMTP_LINE_MAX
 *   MIME_INVALID_BASE64/_QP     bad encoding in an attachment line
 *   MIME_LONG_LINE              message line over SMTP_MIME_LINE_MAX
 *   MIME_LONG_ENC_LINE          encoded attachment line over 76 bytes
 *   MIME_LONG_HEADER_NAME/VALUE header name over 75, value over 2000 bytes
 *   MIME_LONG_BOUNDARY          boundary over 254 bytes
 *   MIME_LONG_FILENAME          attachment name over 255 bytes (cut there)
 * Suricata's other SMTP names (UNABLE_TO_MATCH_REPLY_WITH_REQUEST,
 * MAX_COMMAND_LINE_LEN_EXCEEDED, MAX_REPLY_LINE_LEN_EXCEEDED,
 * BDAT_CHUNK_LEN_EXCEEDED, MIME_PARSE_FAILED, MIME_MALFORMED_MSG) cannot
 * happen here (Suricata does not raise them either with its limits). */
enum smtp_event {
#define SMTP_EV_ENUM(id, name) SMTP_EV_##id,
    SMTP_EVENTS(SMTP_EV_ENUM)
#undef SMTP_EV_ENUM
    SMTP_EV_MAX
};

/* "INVALID_REPLY", ...; "unknown" out of range. */
const char *smtp_event_name(unsigned ev);

/* Whether the first three bytes of a reply line are a code Suricata's
 * parser accepts (its smtp_reply_map). */
bool smtp_reply_code_known(const uint8_t *p, size_t n);

/* [off, off + len) of a transaction's pool */
struct smtp_str {
    uint16_t off, len;
};

/* Header fields kept from the message's main header block. */
#define SMTP_HDRS(X)                          \
    X(FROM,       "from")                     \
    X(TO,         "to")                       \
    X(CC,         "cc")                       \
    X(BCC,        "bcc")                      \
    X(SUBJECT,    "subject")                  \
    X(MESSAGE_ID, "message-id")               \
    X(DATE,       "date")                     \
    X(X_MAILER,   "x-mailer")                 \
    X(USER_AGENT, "user-agent")               \
    X(REPLY_TO,   "reply-to")

enum smtp_hdr {
#define SMTP_HDR_ENUM(id, name) SMTP_HDR_##id,
    SMTP_HDRS(SMTP_HDR_ENUM)
#undef SMTP_HDR_ENUM
    SMTP_HDR_MAX
};

/* What one transaction gathered, kept in the state while it is open.
 * Strings are in pool; none is NUL-terminated. */
struct smtp_txdata {
    uint64_t tx_id;                 /* 0, 1, ... per flow */
    bool has_mail_from;
    bool has_email;                 /* DATA seen: Suricata's "email" object */
    bool headers_done;              /* the main header block ended (blank
                                     * line): only then are its fields
                                     * reported, as in Suricata */
    bool truncated;                 /* something was left out (limits) */
    uint8_t nrcpt, nreceived, nattach, nurl;
    uint16_t hdr_present;           /* bit per enum smtp_hdr */
    uint16_t pool_len;
    uint16_t nevents;               /* anomalies raised on this one */
    bool has_body_md5;              /* body_md5 set (opts.body_md5) */
    uint8_t body_md5[16];
    struct smtp_str mail_from;
    struct smtp_str hdr[SMTP_HDR_MAX];
    struct smtp_str rcpt[SMTP_RCPT_MAX];
    struct smtp_str received[SMTP_RECEIVED_MAX];
    struct smtp_str attach[SMTP_ATTACH_MAX];
    struct smtp_str url[SMTP_URL_MAX];      /* in the order found */
    uint8_t file;                   /* first attachment: none yet, being
                                     * read, ended (smtp.c) */
    uint8_t file_eol;               /* its last line's break, held back
                                     * until the next line: 0, 1 (LF), 2 (CR LF) */
    uint16_t file_len;              /* bytes in file_data */
    /* from pool on, nothing is zeroed when a transaction starts */
    char pool[SMTP_POOL_SIZE];
    uint8_t file_data[SMTP_FILE_DATA_MAX];
};

/* What cb->tx receives: points into the state, valid during the call. */
struct smtp_tx {
    uint64_t tx_id;
    const struct smtp_txdata *d;
    const char *helo;               /* NULL: no HELO/EHLO (yet) */
    size_t helo_len;
    bool has_file;                  /* the message had an attachment */
    const uint8_t *file_data;       /* its first file_len bytes, decoded */
    size_t file_len;
};

/* Private parts of the state (smtp.c). */
struct smtp_cmd {
    uint8_t cmd;                    /* smtp.c's command codes */
    uint8_t tx_tag;                 /* low bits of the tx_id it belongs to */
};

struct smtp_mime {
    uint8_t phase;                  /* headers of the message / of a part, body */
    uint8_t cur_hdr;                /* field being read (folding), or none */
    uint8_t cur_mime;               /* Content-* value being read, or none */
    uint8_t ctype;                  /* kind of the current part's content */
    uint8_t cte;                    /* its transfer encoding */
    bool attachment;                /* the current part is one */
    bool ctype_seen, cdisp_seen;
    uint8_t b64_nb;                 /* base64 characters of an open group */
    uint8_t b64_tmp[4];
    uint8_t nboundary;
    bool md5_started;               /* body lines are being hashed */
    uint16_t ctype_len, cdisp_len, cte_len;
    uint8_t blen[SMTP_BOUNDARY_MAX];
    char ctype_val[SMTP_MIME_VALUE_MAX];
    char cdisp_val[SMTP_MIME_VALUE_MAX];
    char cte_val[32];
    char boundary[SMTP_BOUNDARY_MAX][SMTP_BOUNDARY_LEN];
    uint8_t md5_ctx[128];           /* libcrypto MD5_CTX, copied in and out */
};

/* URL schemes searched (Suricata's mime extract-urls-schemes), searched in
 * this order. */
#define SMTP_URL_HTTP    0x01u
#define SMTP_URL_HTTPS   0x02u
#define SMTP_URL_FTP     0x04u
#define SMTP_URL_MAILTO  0x08u

/* What the caller may set after smtp_state_init, Suricata's
 * app-layer.protocols.smtp.mime settings; zero is Suricata's default
 * configuration (extract-urls: yes, schemes [http], no scheme logged,
 * body-md5: no). */
struct smtp_opts {
    uint8_t url_schemes;            /* SMTP_URL_* bits; 0: http */
    bool url_log_scheme;            /* log-url-scheme: keep "http://" */
    bool url_off;                   /* extract-urls: no */
    bool body_md5;                  /* body-md5: yes (the body_md5 field) */
};

/* Per flow.  Zeroed = fresh (smtp_state_init does just that). */
struct smtp_state {
    struct smtp_opts opts;
    uint8_t phase;                  /* command mode, message, BDAT chunk, stopped */
    uint8_t data;                   /* DATA progress of the open transaction */
    uint8_t bdat_data;              /* BDAT progress of the open transaction */
    bool tx_open;                   /* tx holds an unfinished transaction */
    bool tx_ever;                   /* a transaction was ever started */
    bool first_reply;               /* the greeting was seen */
    bool multiline;                 /* inside a "250-" reply */
    bool pipelining;                /* server announced PIPELINING */
    bool bdat_last;                 /* the chunk being read ends the message */
    bool discard[2];                /* skipping to LF: [0] client, [1] server */
    bool eof[2];
    bool has_helo;
    uint16_t helo_len;
    uint8_t cmdq_head, cmdq_len;
    uint32_t bdat_left;             /* octets of the BDAT chunk still to come */
    uint64_t next_tx_id;
    struct smtp_cmd cmdq[SMTP_CMDQ_MAX];
    struct smtp_mime mime;
    struct smtp_txdata tx;
    char helo[SMTP_HELO_MAX];
};

_Static_assert(sizeof(struct smtp_state) <= APPL_STATE_MAX, "smtp state too big");

void smtp_state_init(struct smtp_state *s);

size_t smtp_feed(struct smtp_state *s, bool toserver, const uint8_t *p, size_t n,
                 unsigned flags, const struct appl_cb *cb);

#endif
