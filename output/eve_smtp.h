/* output/eve_smtp.h: event_type "smtp" records (output/eve_smtp.c). */
#ifndef EVE_SMTP_H
#define EVE_SMTP_H

#include "dissect/smtp.h"
#include "output/eve.h"

/* Optional "email" fields, Suricata's eve-log smtp "extended: yes"
 * (bcc, message_id, subject) and "custom: [...]" settings. */
#define EVE_SMTP_REPLY_TO    0x001u
#define EVE_SMTP_BCC         0x002u
#define EVE_SMTP_MESSAGE_ID  0x004u
#define EVE_SMTP_SUBJECT     0x008u
#define EVE_SMTP_X_MAILER    0x010u
#define EVE_SMTP_USER_AGENT  0x020u
#define EVE_SMTP_RECEIVED    0x040u
#define EVE_SMTP_DATE        0x080u
#define EVE_SMTP_SUBJECT_MD5 0x100u  /* "md5: [subject]" */
#define EVE_SMTP_BODY_MD5    0x200u  /* "md5: [body]"; needs opts.body_md5 */
#define EVE_SMTP_EXTENDED    (EVE_SMTP_BCC | EVE_SMTP_MESSAGE_ID | EVE_SMTP_SUBJECT)

/* One SMTP transaction t (dissect/smtp.h) as Suricata writes it by default:
 *   "smtp":  {"helo", "mail_from", "rcpt_to": [...]} (each when seen;
 *            mail_from and rcpt_to as sent, angle brackets kept)
 *   "email": only for a transaction with DATA: {"from" (the header value;
 *            header fields only once the header block ended),
 *            "to", "cc" (the header values split at commas outside double
 *            quotes, leading blanks removed, empty items dropped),
 *            "status": "PARSE_DONE", "attachment": [names],
 *            "url": [the URLs, last found first]}.
 * src is the client; ts_us and pcap_cnt (0: none) are the packet's that
 * completed the transaction.  Returns the line length, 0 if it does not
 * fit in cap. */
size_t eve_smtp(struct eve_ctx *ec, char *buf, size_t cap, const struct flow *f,
                uint64_t ts_us, uint64_t pcap_cnt, uint64_t tx_id, const struct smtp_tx *t);

/* The same, with the optional email fields in opts (EVE_SMTP_*), written
 * after the default ones in Suricata's order: reply_to, bcc (split like to),
 * message_id, subject, x_mailer, user_agent, received [all], date; then
 * subject_md5 and body_md5 (lower-case hex). */
size_t eve_smtp_opts(struct eve_ctx *ec, char *buf, size_t cap, const struct flow *f,
                     uint64_t ts_us, uint64_t pcap_cnt, uint64_t tx_id, const struct smtp_tx *t,
                     unsigned opts);

#endif
