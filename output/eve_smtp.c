/* output/eve_smtp.c: event_type "smtp" records (see eve_smtp.h), fields as
 * in Suricata's src/output-json-smtp.c and rust/src/mime/smtp_log.rs (8.x):
 * the "smtp" object from the commands, the "email" object from the
 * message's main header block when the transaction had DATA.  Like eve.c:
 * no allocation, no snprintf. */
#define OPENSSL_API_COMPAT 0x10100000L   /* MD5(), as flow/community_id.c */

#include "output/eve_smtp.h"

#include <openssl/md5.h>

#include "output/eve_int.h"

static void put_md5(struct json_buf *jb, const char *key, const uint8_t md[16])
{
    static const char hex[] = "0123456789abcdef";
    char s[33];
    for (int i = 0; i < 16; i++) {
        s[2 * i] = hex[md[i] >> 4];
        s[2 * i + 1] = hex[md[i] & 15];
    }
    s[32] = '\0';
    json_str(jb, key, s);
}

static void put_s(struct json_buf *jb, const char *key, const struct smtp_txdata *d,
                  struct smtp_str s)
{
    json_strn(jb, key, (const uint8_t *)d->pool + s.off, s.len);
}

static bool has_hdr(const struct smtp_txdata *d, enum smtp_hdr h)
{
    return d->headers_done && ((d->hdr_present >> h) & 1u);
}

/* Suricata's log_field_comma: items split at commas outside double quotes,
 * leading SP/HT skipped, empty items dropped; no key if none is left. */
static void put_comma_list(struct json_buf *jb, const char *key, const struct smtp_txdata *d,
                           enum smtp_hdr h)
{
    if (!has_hdr(d, h))
        return;
    const uint8_t *v = (const uint8_t *)d->pool + d->hdr[h].off;
    size_t n = d->hdr[h].len, start = 0;
    bool open = false;
    enum { START, FIELD, QUOTED } st = START;
    for (size_t i = 0; i < n; i++) {
        switch (st) {
        case START:
            if (v[i] == ' ' || v[i] == '\t')
                start++;
            else
                st = v[i] == '"' ? QUOTED : FIELD;
            break;
        case FIELD:
            if (v[i] == ',') {
                if (i > start) {
                    if (!open) {
                        json_arr_open(jb, key);
                        open = true;
                    }
                    json_strn(jb, NULL, v + start, i - start);
                }
                start = i + 1;
                st = START;
            } else if (v[i] == '"') {
                st = QUOTED;
            }
            break;
        case QUOTED:
            if (v[i] == '"')
                st = FIELD;
            break;
        }
    }
    if (n > start) {
        if (!open) {
            json_arr_open(jb, key);
            open = true;
        }
        json_strn(jb, NULL, v + start, n - start);
    }
    if (open)
        json_arr_close(jb);
}

static void put_hdr(struct json_buf *jb, const char *key, const struct smtp_txdata *d,
                    enum smtp_hdr h)
{
    if (has_hdr(d, h))
        put_s(jb, key, d, d->hdr[h]);
}

static void put_email(struct json_buf *jb, const struct smtp_txdata *d, unsigned opts)
{
    json_obj_open(jb, "email");
    put_hdr(jb, "from", d, SMTP_HDR_FROM);
    put_comma_list(jb, "to", d, SMTP_HDR_TO);
    put_comma_list(jb, "cc", d, SMTP_HDR_CC);
    json_str(jb, "status", "PARSE_DONE");
    if (d->nattach) {
        json_arr_open(jb, "attachment");
        for (unsigned i = 0; i < d->nattach && i < SMTP_ATTACH_MAX; i++)
            put_s(jb, NULL, d, d->attach[i]);
        json_arr_close(jb);
    }
    if (d->nurl) {
        json_arr_open(jb, "url");
        for (unsigned i = d->nurl < SMTP_URL_MAX ? d->nurl : SMTP_URL_MAX; i > 0; i--)
            put_s(jb, NULL, d, d->url[i - 1]);
        json_arr_close(jb);
    }
    if (opts & EVE_SMTP_REPLY_TO)
        put_hdr(jb, "reply_to", d, SMTP_HDR_REPLY_TO);
    if (opts & EVE_SMTP_BCC)
        put_comma_list(jb, "bcc", d, SMTP_HDR_BCC);
    if (opts & EVE_SMTP_MESSAGE_ID)
        put_hdr(jb, "message_id", d, SMTP_HDR_MESSAGE_ID);
    if (opts & EVE_SMTP_SUBJECT)
        put_hdr(jb, "subject", d, SMTP_HDR_SUBJECT);
    if (opts & EVE_SMTP_X_MAILER)
        put_hdr(jb, "x_mailer", d, SMTP_HDR_X_MAILER);
    if (opts & EVE_SMTP_USER_AGENT)
        put_hdr(jb, "user_agent", d, SMTP_HDR_USER_AGENT);
    if ((opts & EVE_SMTP_RECEIVED) && d->headers_done && d->nreceived) {
        json_arr_open(jb, "received");
        for (unsigned i = 0; i < d->nreceived && i < SMTP_RECEIVED_MAX; i++)
            put_s(jb, NULL, d, d->received[i]);
        json_arr_close(jb);
    }
    if (opts & EVE_SMTP_DATE)
        put_hdr(jb, "date", d, SMTP_HDR_DATE);
    if ((opts & EVE_SMTP_SUBJECT_MD5) && has_hdr(d, SMTP_HDR_SUBJECT)) {
        uint8_t md[16];
        MD5((const uint8_t *)d->pool + d->hdr[SMTP_HDR_SUBJECT].off, d->hdr[SMTP_HDR_SUBJECT].len, md);
        put_md5(jb, "subject_md5", md);
    }
    if ((opts & EVE_SMTP_BODY_MD5) && d->has_body_md5)
        put_md5(jb, "body_md5", d->body_md5);
    json_obj_close(jb);
}

size_t eve_smtp_opts(struct eve_ctx *ec, char *buf, size_t cap, const struct flow *f,
                     uint64_t ts_us, uint64_t pcap_cnt, uint64_t tx_id, const struct smtp_tx *t,
                     unsigned opts)
{
    const struct smtp_txdata *d = t->d;
    struct json_buf jb;
    json_init(&jb, buf, cap);
    json_obj_open(&jb, NULL);
    eve_put_app_head(ec, &jb, f, "smtp", ts_us, pcap_cnt, tx_id);
    json_obj_open(&jb, "smtp");
    if (t->helo)
        json_strn(&jb, "helo", (const uint8_t *)t->helo, t->helo_len);
    if (d->has_mail_from)
        put_s(&jb, "mail_from", d, d->mail_from);
    if (d->nrcpt) {
        json_arr_open(&jb, "rcpt_to");
        for (unsigned i = 0; i < d->nrcpt && i < SMTP_RCPT_MAX; i++)
            put_s(&jb, NULL, d, d->rcpt[i]);
        json_arr_close(&jb);
    }
    json_obj_close(&jb);
    if (d->has_email)
        put_email(&jb, d, opts);
    json_obj_close(&jb);
    return json_finish(&jb);
}

size_t eve_smtp(struct eve_ctx *ec, char *buf, size_t cap, const struct flow *f,
                uint64_t ts_us, uint64_t pcap_cnt, uint64_t tx_id, const struct smtp_tx *t)
{
    return eve_smtp_opts(ec, buf, cap, f, ts_us, pcap_cnt, tx_id, t, 0);
}
