/* dissect/tls.h: SSL 3.0 / TLS 1.0-1.3 handshake parser over a reassembled
 * TCP stream (dissect/applayer.h contract), for Suricata's EVE "tls"
 * record.
 *
 * Records (RFC 8446 section 5.1, RFC 5246 section 6.2): each direction is
 * cut into records (5-byte header: type, version, length).  Types 20
 * (change_cipher_spec), 21 (alert), 22 (handshake), 23 (application_data)
 * and 24 (heartbeat) are accepted; another type is INVALID_RECORD_TYPE, a
 * version whose major byte is not 3 INVALID_RECORD_VERSION, a length over
 * TLS_RECORD_MAX INVALID_RECORD_LENGTH, and each of these ignores the rest
 * of that direction.  Record payloads are consumed as they arrive (an
 * incomplete record is never waited for, only an incomplete 5-byte
 * header is left to the caller).  An SSLv2-compatible ClientHello (2-byte
 * header, message type 1) at the start of the client direction is skipped;
 * an SSLv2 server direction is ignored.
 *
 * Handshake messages (4-byte header: type, 24-bit length) are followed
 * across records in cleartext only: in a direction after its
 * ChangeCipherSpec, and for the server after a TLS 1.3 ServerHello, the
 * rest is encrypted and only record boundaries are tracked.  Three
 * messages are read: the first ClientHello, the ServerHello (after a
 * HelloRetryRequest, whose JA3S is kept, the next one) and the server's
 * first Certificate (TLS <= 1.2).  A message split across
 * records (or calls) is collected in the state's buffer of TLS_HS_BUF
 * bytes, shared by the two directions (only one of these messages is in
 * flight at a time in a real handshake); a message wholly inside the
 * bytes of one call is read in place.  Of a Certificate message only the
 * first (leaf) certificate is needed and it is read as soon as its bytes
 * are in; a leaf larger than TLS_HS_BUF that arrives split is left out
 * (cert_too_large).  An unknown handshake type is INVALID_HANDSHAKE_MESSAGE
 * and stops handshake parsing in that direction; a hello whose lengths do
 * not add up is HANDSHAKE_INVALID_LENGTH (what was read before the fault
 * is kept).  APPL_GAP: a loss of known length (cb->gap) inside the
 * current record is skipped (a handshake message it touches is not read;
 * one whose boundary it takes ends handshake parsing in that direction);
 * otherwise the direction is resynchronised on the next plausible record
 * header (type 20-23, version 3.0-3.4, length in bounds) and its
 * handshake is no longer parsed.  A gap from the server also rules out
 * session_resumed.
 *
 * The transaction: one per flow (tx_id 0), struct tls_tx, given to cb->tx
 * once, when a ClientHello or ServerHello was seen and
 *   - the server's leaf certificate has been read (at the end of the feed
 *     call that completed it), or
 *   - an application_data record is seen in either direction after the
 *     ServerHello (TLS 1.3: the server's encrypted flight, right after its
 *     ServerHello; TLS 1.2 resumption: the first application data), or
 *   - both directions have ended (APPL_EOF) -- e.g. a ClientHello never
 *     answered.
 * This follows Suricata, which logs when the handshake is done as far as
 * it can see it.  A renegotiation or second ClientHello adds nothing.
 *
 * Fields follow Suricata's extended tls logging (output/eve_tls.c):
 *   version  the server's (ServerHello, or its supported_versions) once a
 *            ServerHello was seen, else the client's (the first known
 *            version in its supported_versions, else the ClientHello's);
 *            tls_version_name() gives Suricata's text.
 *   ja3      "SSLVersion,Ciphers,Extensions,EllipticCurves,PointFormats"
 *            of the ClientHello, values in decimal joined by '-', GREASE
 *            (0x?a?a) left out; hash = MD5 of the whole string (also when
 *            the stored text was cut at TLS_JA3_MAX: ja3_trunc).
 *   ja3s     "SSLVersion,Cipher,Extensions" of the first ServerHello (a
 *            HelloRetryRequest included, as Suricata and Wireshark take
 *            it), + MD5.
 *   ja4      FoxIO JA4 as Suricata computes it: "t" + version (highest of
 *            the legacy version and the first known supported_versions
 *            entry: 13/12/11/10/s3, else 00) + 'd' (SNI extension present)
 *            or 'i' + cipher and extension counts (GREASE excluded, SNI
 *            and ALPN counted, capped at 99) + first and last character of
 *            the first ALPN ("00" when none or one byte long; hex digits
 *            instead when not alphanumeric), "_", sha256 (first 12 hex) of
 *            the sorted cipher list ("002f,0035,..."), "_", sha256 of the
 *            sorted extension list without SNI and ALPN, "_", and the
 *            signature algorithms in their order.  Like Suricata (and
 *            unlike the FoxIO text) the "_" is there even without
 *            signature algorithms, and an empty list hashes the empty
 *            string (e3b0c44298fc).  At most TLS_JA4_SORT_MAX ciphers and
 *            extensions take part in the hashes.
 *   session_resumed  a TLS <= 1.2 ServerHello with no Certificate message
 *            (and no gap in the server's bytes), and the server echoed the
 *            client's non-empty session id or the client offered a session
 *            ticket (Suricata's rule).
 *
 * State: struct tls_state, zeroed = fresh, no pointers, <= APPL_STATE_MAX
 * (static-asserted); it holds the transaction being filled and the
 * handshake buffer.  No allocation, no I/O. */
#ifndef TLS_H
#define TLS_H

#include "dissect/applayer.h"
#include "dissect/x509.h"

#define TLS_RECORD_MAX      (16384u + 2048u)    /* RFC 5246 6.2.3 TLSCiphertext */
#define TLS_SNI_MAX         255                 /* RFC 6066 3 host_name, as Suricata bounds it */
#define TLS_JA3_MAX         1024                /* bytes of ja3 text kept */
#define TLS_JA3S_MAX        256                 /* bytes of ja3s text kept */
#define TLS_JA4_LEN         36
#define TLS_ALPNS_MAX       256                 /* bytes of client ALPN entries kept */
#define TLS_SERVER_ALPNS_MAX 64
#define TLS_HS_BUF          12288               /* one handshake message being collected */
#define TLS_JA4_SORT_MAX    1024                /* ciphers / extensions hashed for ja4 */

/* Anomalies, named as Suricata's app-layer events (rules/tls-events.rules). */
#define TLS_EVENTS(X)                                                         \
    X(INVALID_RECORD_TYPE,          "INVALID_RECORD_TYPE")                    \
    X(INVALID_RECORD_VERSION,       "INVALID_RECORD_VERSION")                 \
    X(INVALID_RECORD_LENGTH,        "INVALID_RECORD_LENGTH")                  \
    X(INVALID_HANDSHAKE_MESSAGE,    "INVALID_HANDSHAKE_MESSAGE")              \
    X(HANDSHAKE_INVALID_LENGTH,     "HANDSHAKE_INVALID_LENGTH")               \
    X(INVALID_SNI_TYPE,             "INVALID_SNI_TYPE")                       \
    X(INVALID_SNI_LENGTH,           "INVALID_SNI_LENGTH")                     \
    X(MULTIPLE_SNI_EXTENSIONS,      "MULTIPLE_SNI_EXTENSIONS")                \
    X(INVALID_CERTIFICATE,          "INVALID_CERTIFICATE")                    \
    X(CERTIFICATE_INVALID_DER,      "CERTIFICATE_INVALID_DER")                \
    X(CERTIFICATE_INVALID_VERSION,  "CERTIFICATE_INVALID_VERSION")            \
    X(CERTIFICATE_INVALID_SERIAL,   "CERTIFICATE_INVALID_SERIAL")             \
    X(CERTIFICATE_INVALID_ALGORITHMIDENTIFIER,                                \
      "CERTIFICATE_INVALID_ALGORITHMIDENTIFIER")                              \
    X(CERTIFICATE_INVALID_X509NAME, "CERTIFICATE_INVALID_X509NAME")           \
    X(CERTIFICATE_INVALID_DATE,     "CERTIFICATE_INVALID_DATE")               \
    X(CERTIFICATE_INVALID_EXTENSIONS, "CERTIFICATE_INVALID_EXTENSIONS")       \
    X(CERTIFICATE_INVALID_SUBJECT,  "CERTIFICATE_INVALID_SUBJECT")            \
    X(CERTIFICATE_INVALID_ISSUER,   "CERTIFICATE_INVALID_ISSUER")

enum tls_event {
#define TLS_EV_ENUM(id, name) TLS_EV_##id,
    TLS_EVENTS(TLS_EV_ENUM)
#undef TLS_EV_ENUM
    TLS_EV_MAX
};

const char *tls_event_name(unsigned e);

/* The transaction.  Strings are not NUL-terminated: use the lengths.
 * ALPN lists are entries of [length byte][protocol bytes]. */
struct tls_tx {
    uint16_t version;           /* see above; 0: UNDETERMINED */
    uint16_t client_version;    /* the ClientHello's (supported_versions first) */
    uint16_t server_version;    /* the ServerHello's (supported_versions first) */
    uint16_t cipher;            /* chosen by the server */
    bool client_hello;          /* a ClientHello was read */
    bool server_hello;          /* a ServerHello (not a HelloRetryRequest) was read */
    bool has_sni, has_cert, has_ja3, has_ja3s, has_ja4;
    bool session_resumed;
    bool ja3_trunc, ja3s_trunc, alpns_trunc;    /* text or list cut at its limit */
    bool cert_too_large;        /* leaf certificate left out (over TLS_HS_BUF, split) */
    uint8_t sni_len;
    uint16_t ja3_len, ja3s_len, client_alpns_len, server_alpns_len;
    char sni[TLS_SNI_MAX];      /* raw bytes of the host_name */
    char ja3_hash[33], ja3s_hash[33];           /* lower-case hex, NUL-ended */
    char ja4[TLS_JA4_LEN + 1];                  /* NUL-ended */
    char fingerprint[60];       /* SHA-1 of the leaf, "aa:bb:...", NUL-ended */
    char ja3[TLS_JA3_MAX];
    char ja3s[TLS_JA3S_MAX];
    uint8_t client_alpns[TLS_ALPNS_MAX];
    uint8_t server_alpns[TLS_SERVER_ALPNS_MAX];
    struct x509_leaf cert;      /* valid when has_cert */
};

/* One direction's position in its record and handshake streams. */
struct tls_dir {
    uint32_t skip;              /* bytes to drop first (an SSLv2 hello) */
    uint32_t hs_len;            /* current handshake message: body length */
    uint32_t hs_got;            /* body bytes seen */
    uint32_t hs_want;           /* body bytes needed to read it (0: not read) */
    uint16_t rec_left;          /* payload bytes of the current record to come */
    uint8_t rec_type;
    uint8_t hs_type;
    uint8_t hs_hdr[4];
    uint8_t hs_hdr_len;
    bool in_record;
    bool started;               /* a record was seen */
    bool ignore;                /* the rest of this direction is skipped */
    bool hs_off;                /* handshake bytes are no longer parsed */
    bool resync;                /* after a gap: looking for a record header */
    bool cert_len_known;        /* Certificate: hs_want covers the leaf */
    bool eof;
};

struct tls_state {
    struct tls_tx tx;
    struct tls_dir dir[2];      /* [0] to server, [1] to client */
    uint8_t sid[32];            /* the client's session id */
    uint8_t sid_len;
    uint8_t buf_owner;          /* 0: buf free, else 1 + direction */
    bool ch_done;               /* the first ClientHello was handled */
    bool ticket;                /* the client sent session_ticket */
    bool sid_echoed;            /* the server echoed a non-empty session id */
    bool hrr;                   /* a HelloRetryRequest was seen */
    bool server_13;             /* the server chose TLS 1.3 (or a draft) */
    bool cert_msg;              /* the server sent a Certificate message */
    bool srv_gap;               /* bytes were lost from the server */
    bool done;                  /* the handshake is done as far as observable */
    bool emitted;
    uint8_t buf[TLS_HS_BUF];
};

_Static_assert(sizeof(struct tls_state) <= APPL_STATE_MAX, "tls state fits the app-layer slot");

/* Zeroes s (the same as memset). */
void tls_state_init(struct tls_state *s);

/* The applayer.h feed: bytes [p, p + n) of one direction, in order;
 * returns how many were consumed (what is left is at most a partial
 * 5-byte record header, or the bytes before a resynchronisation point). */
size_t tls_feed(struct tls_state *s, bool toserver, const uint8_t *p, size_t n,
                unsigned flags, const struct appl_cb *cb);

/* Suricata's name for a TLS version: "SSLv3", "TLSv1" (1.0), "TLS 1.1",
 * "TLS 1.2", "TLS 1.3", "TLS 1.3 draft-28", ..., "UNDETERMINED" for 0,
 * else the number in decimal (written into buf). */
const char *tls_version_name(uint16_t v, char buf[8]);

#endif
