/* dissect/x509.h: the few fields of one X.509 certificate (RFC 5280
 * section 4.1) that Suricata's EVE "tls" record shows -- subject, issuer,
 * serial and validity -- read from its DER encoding by a small bounded
 * walker.  No allocation, no recursion beyond the fixed nesting of the
 * certificate, every length checked against what encloses it.
 *
 * Text is formatted the way Suricata (its x509-parser based decoder)
 * prints it:
 *   - names: one "ABBR=value" per attribute, attributes of one RDN joined
 *     with " + ", RDNs joined with ", ", in certificate order:
 *     "C=US, ST=California, O=Example, CN=www.example.com".  ABBR is CN, C,
 *     L, ST, O, OU, DC or Email, else the OID registry's short name
 *     ("serialNumber", "businessCategory", ...), else "OID(2.5.4.97)".
 *     String values (UTF8String, PrintableString, IA5String, T61String,
 *     ...) must be valid UTF-8 and are copied; BMPString is decoded from
 *     UTF-16BE; any other value type is written as upper-case hex of its
 *     content bytes.  No escaping (the JSON writer does that).
 *   - serial: the INTEGER's content bytes as upper-case hex pairs joined
 *     with ':' ("00:97:E6:47:09:8E:EA:C9:B4").
 *   - validity: seconds since the epoch (negative before 1970) from
 *     UTCTime (YY < 50 is 20YY) or GeneralizedTime; x509_format_time()
 *     writes "2016-07-20T00:00:00" (UTC).
 * Text longer than the fixed buffers is cut at a UTF-8 character boundary
 * and flagged (*_trunc).
 *
 * A certificate is all or nothing: on any error nothing in the result may
 * be used, and the error (enum x509_err) names the part that failed, with
 * Suricata's app-layer event name ("CERTIFICATE_INVALID_DATE"). */
#ifndef X509_H
#define X509_H

#include "engine/ns_common.h"

#define X509_NAME_MAX       512     /* bytes of subject / issuer text */
#define X509_SERIAL_MAX     64      /* serial bytes shown */
#define X509_SERIAL_TEXT    (X509_SERIAL_MAX * 3)   /* "AB:" each, last ':' is the NUL */
#define X509_TIME_TEXT      20      /* "YYYY-MM-DDTHH:MM:SS" + NUL */

#define X509_ERRORS(X)                                                    \
    X(OK,                          "ok")                                  \
    X(INVALID_DER,                 "CERTIFICATE_INVALID_DER")             \
    X(INVALID_VERSION,             "CERTIFICATE_INVALID_VERSION")         \
    X(INVALID_SERIAL,              "CERTIFICATE_INVALID_SERIAL")          \
    X(INVALID_ALGORITHMIDENTIFIER, "CERTIFICATE_INVALID_ALGORITHMIDENTIFIER") \
    X(INVALID_X509NAME,            "CERTIFICATE_INVALID_X509NAME")        \
    X(INVALID_DATE,                "CERTIFICATE_INVALID_DATE")            \
    X(INVALID_EXTENSIONS,          "CERTIFICATE_INVALID_EXTENSIONS")      \
    X(INVALID_SUBJECT,             "CERTIFICATE_INVALID_SUBJECT")         \
    X(INVALID_ISSUER,              "CERTIFICATE_INVALID_ISSUER")

enum x509_err {
#define X509_ERR_ENUM(id, name) X509_ERR_##id,
    X509_ERRORS(X509_ERR_ENUM)
#undef X509_ERR_ENUM
    X509_ERR_MAX
};

/* Suricata's event name for e ("CERTIFICATE_INVALID_DER"), "ok" for
 * X509_ERR_OK. */
const char *x509_err_name(unsigned e);

struct x509_leaf {
    int64_t not_before, not_after;  /* seconds since 1970-01-01T00:00:00Z */
    uint16_t subject_len, issuer_len, serial_len;   /* text bytes, no NUL */
    bool subject_trunc, issuer_trunc, serial_trunc;
    char subject[X509_NAME_MAX];
    char issuer[X509_NAME_MAX];
    char serial[X509_SERIAL_TEXT];
};

/* Reads the certificate der[0, len) (exactly one Certificate SEQUENCE;
 * trailing bytes are an error) into *out. */
enum x509_err x509_parse(const uint8_t *der, size_t len, struct x509_leaf *out);

/* "2016-07-20T00:00:00" for t (UTC) into out; returns 19. */
size_t x509_format_time(int64_t t, char out[X509_TIME_TEXT]);

#endif
