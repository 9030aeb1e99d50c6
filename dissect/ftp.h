/* dissect/ftp.h: the FTP control channel (RFC 959, RFC 2428) over a
 * reassembled TCP stream, for Suricata's "ftp" record.  ftp_feed follows
 * dissect/applayer.h.
 *
 * Lines.  Both directions are read line by line (LF or CR LF).  A line of
 * FTP_LINE_MAX bytes or more (LF included), or FTP_LINE_MAX bytes without
 * an LF yet, is cut to its first FTP_LINE_MAX bytes and marked truncated;
 * what follows up to the next LF is skipped (Suricata's max-line-length,
 * 4 KiB by default).
 *
 * Commands.  A client line starting with a command of Suricata's table
 * (ftp_command_name; case-insensitive, followed by white space or the end
 * of the line) opens a transaction: its command and the line itself, with
 * trailing white space removed (command_data is what follows the command
 * and one byte).  Other lines (FEAT, OPTS, ...) open none, as in
 * Suricata; their reply then goes to the oldest unanswered transaction, or
 * to a reply-only one.  (Suricata's pattern matcher also finds a command
 * inside a line, "XPWD" as PWD; we do not.)
 *
 * Replies.  A reply is one line "ddd text", or the lines from "ddd-..."
 * to the next one starting with the same "ddd " (RFC 959 4.2).  It goes
 * to the oldest transaction still waiting for one; with none waiting (the
 * greeting, the reply to an unknown command) to a new transaction without
 * a command.  Each line is stored as Suricata 8 splits it: when it starts
 * with three digits and a space, the code and the text after the space;
 * otherwise the whole line as text ("230-Welcome" has no code).  Trailing
 * white space is removed; empty lines are not kept.
 *
 * Data channel: the port a transaction announces is its dyn_port -- PORT
 * "h1,h2,h3,h4,p1,p2" and EPRT "|af|addr|port|" from the command (active
 * mode), PASV "227 ... (h1,h2,h3,h4,p1,p2)" and EPSV "229 ... (|||port|)"
 * from the reply (passive), with Suricata's grammars (ftp_parse_*; the
 * command word in any case); the last one announced, once its reply came,
 * stays in ftp_state.dyn_port/active for the engine to tag the ftp-data
 * flow.  As in Suricata, a PORT or EPRT that does not parse gets no reply
 * lines kept and completes with its reply's final line, even a 1yz one.
 *
 * Transaction: handed to cb->tx when the final line of its reply arrives,
 * unless that line is a 1yz preliminary reply ("150 ..."): then it waits
 * for the next reply.  When both directions have had APPL_EOF, the ones
 * still waiting go out with reply_received false.  At most
 * FTP_PENDING_MAX wait at once: a further command sends the oldest out
 * unanswered.  After "234" to AUTH TLS the rest of the flow is TLS and is
 * consumed unread.  After APPL_GAP the direction resumes at the next line
 * (a multi-line reply in progress ends).
 *
 * Limits: FTP_REPLY_LINES_MAX reply lines per transaction, and
 * FTP_TX_TEXT_MAX bytes for its command line and reply text together (so
 * at least 2048 for the replies); beyond, lines are left out or cut and
 * `partial` is set.
 *
 * Anomalies (cb->anomaly), Suricata's app-layer event names
 * (rules/ftp-events.rules, lower case since Suricata 7):
 *   request_command_too_long   a command line was truncated
 *   response_command_too_long  a reply line was truncated */
#ifndef FTP_H
#define FTP_H

#include "dissect/applayer.h"

#define FTP_LINE_MAX         4096
#define FTP_PENDING_MAX      2
#define FTP_REPLY_LINES_MAX  16
#define FTP_TX_TEXT_MAX      (FTP_LINE_MAX + 2048)  /* command line + reply text */

#define FTP_EVENTS(X)                                                    \
    X(REQUEST_COMMAND_TOO_LONG,  "request_command_too_long")             \
    X(RESPONSE_COMMAND_TOO_LONG, "response_command_too_long")

enum ftp_event {
#define FTP_EV_ENUM(id, name) FTP_EV_##id,
    FTP_EVENTS(FTP_EV_ENUM)
#undef FTP_EV_ENUM
    FTP_EV_MAX
};

/* "request_command_too_long", ...; "unknown" out of range. */
const char *ftp_event_name(unsigned ev);

/* Suricata's FTP command table (src/app-layer-ftp.c / rust/src/ftp). */
#define FTP_COMMANDS(X)                                 \
    X(ABOR, "ABOR") X(ACCT, "ACCT") X(ALLO, "ALLO")     \
    X(APPE, "APPE") X(AUTH_TLS, "AUTH TLS")             \
    X(CDUP, "CDUP") X(CHMOD, "CHMOD") X(CWD, "CWD")     \
    X(DELE, "DELE") X(EPRT, "EPRT") X(EPSV, "EPSV")     \
    X(HELP, "HELP") X(IDLE, "IDLE") X(LIST, "LIST")     \
    X(MAIL, "MAIL") X(MDTM, "MDTM") X(MKD, "MKD")       \
    X(MLFL, "MLFL") X(MLSD, "MLSD") X(MODE, "MODE")     \
    X(MRCP, "MRCP") X(MRSQ, "MRSQ") X(MSAM, "MSAM")     \
    X(MSND, "MSND") X(MSOM, "MSOM") X(NLST, "NLST")     \
    X(NOOP, "NOOP") X(PASS, "PASS") X(PASV, "PASV")     \
    X(PORT, "PORT") X(PWD, "PWD") X(QUIT, "QUIT")       \
    X(REIN, "REIN") X(REST, "REST") X(RETR, "RETR")     \
    X(RMD, "RMD") X(RNFR, "RNFR") X(RNTO, "RNTO")       \
    X(SITE, "SITE") X(SIZE, "SIZE") X(SMNT, "SMNT")     \
    X(STAT, "STAT") X(STOR, "STOR") X(STOU, "STOU")     \
    X(STRU, "STRU") X(SYST, "SYST") X(TYPE, "TYPE")     \
    X(UMASK, "UMASK") X(USER, "USER")

enum ftp_command {
    FTP_CMD_NONE = 0,               /* reply-only transaction */
#define FTP_CMD_ENUM(id, name) FTP_CMD_##id,
    FTP_COMMANDS(FTP_CMD_ENUM)
#undef FTP_CMD_ENUM
    FTP_CMD_MAX
};

/* "RETR", "AUTH TLS", ...; NULL for FTP_CMD_NONE or out of range. */
const char *ftp_command_name(unsigned cmd);

/* One reply line: its text is [off, off + len) of ftp_tx.text. */
struct ftp_reply_line {
    uint16_t off, len;
    char code[3];
    bool has_code;
};

/* One transaction: a command and its reply, kept in the state while it
 * waits; cb->tx gets a pointer to it, valid during the call. */
struct ftp_tx {
    uint64_t tx_id;                 /* 0, 1, ... per flow, in creation order */
    uint8_t command;                /* enum ftp_command */
    bool request_truncated;         /* the command line was cut */
    bool reply_truncated;           /* a reply line was cut */
    bool reply_received;            /* its final reply came */
    bool active;                    /* dyn_port from PORT/EPRT */
    bool partial;                   /* reply text left out (limits) */
    bool port_failed;               /* PORT/EPRT did not parse: no reply kept */
    uint16_t dyn_port;              /* data channel port announced, 0: none */
    uint16_t request_len;           /* the command line: text[0, request_len) */
    uint16_t text_len;              /* bytes of text used */
    uint8_t nlines;
    struct ftp_reply_line line[FTP_REPLY_LINES_MAX];
    char text[FTP_TX_TEXT_MAX];     /* not NUL-terminated */
};

/* Per flow.  Zeroed = fresh (ftp_state_init does just that). */
struct ftp_state {
    uint8_t head, count;            /* waiting transactions, oldest first */
    bool in_reply;                  /* a reply is under way (to the oldest) */
    bool multiline;                 /* inside a "ddd-" reply */
    bool stopped;                   /* AUTH TLS accepted: the rest is TLS */
    bool discard[2];                /* skipping to LF: [0] client, [1] server */
    bool eof[2];
    char ml_code[3];
    bool active;                    /* last data channel announced: mode, */
    uint16_t dyn_port;              /* and port (0: none yet) */
    uint64_t next_tx_id;
    struct ftp_tx slot[FTP_PENDING_MAX];
};

_Static_assert(sizeof(struct ftp_state) <= APPL_STATE_MAX, "ftp state too big");

void ftp_state_init(struct ftp_state *s);

size_t ftp_feed(struct ftp_state *s, bool toserver, const uint8_t *p, size_t n,
                unsigned flags, const struct appl_cb *cb);

/* Data-channel ports as Suricata parses them (rust/src/ftp/mod.rs), 0 when
 * the text does not parse: "PORT h1,h2,h3,h4,p1,p2", "EPRT |af|addr|port|",
 * "227 ... (h1,h2,h3,h4,p1,p2)" and "229 ... (|||port|)". */
uint16_t ftp_parse_port(const uint8_t *p, size_t n);
uint16_t ftp_parse_eprt(const uint8_t *p, size_t n);
uint16_t ftp_parse_pasv(const uint8_t *p, size_t n);
uint16_t ftp_parse_epsv(const uint8_t *p, size_t n);

#endif
