/* output/eve_tls.c: event_type "tls" records (see eve_tls.h), fields as
 * in Suricata's output-json-tls.c (extended).  Two quirks kept on
 * purpose: a validity time of exactly 1970-01-01T00:00:00 is not written
 * (Suricata tests the time against 0), and ALPN protocols are written as
 * the bytes they are (the JSON writer escapes them).  Like eve.c: no
 * allocation, no snprintf. */
#include "output/eve_tls.h"

#include "output/eve_int.h"

static void eve_tls_alpns(struct json_buf *jb, const char *key, const uint8_t *list, size_t len)
{
    if (len == 0)
        return;
    json_arr_open(jb, key);
    for (size_t i = 0; i < len;) {
        size_t l = list[i++];
        if (l > len - i)
            break;
        json_strn(jb, NULL, list + i, l);
        i += l;
    }
    json_arr_close(jb);
}

static void eve_tls_time(struct json_buf *jb, const char *key, int64_t t)
{
    char s[X509_TIME_TEXT];
    if (t == 0)
        return;
    x509_format_time(t, s);
    json_str(jb, key, s);
}

static void eve_tls_fp(struct json_buf *jb, const char *key, const char *hash,
                       const char *str, size_t len)
{
    json_obj_open(jb, key);
    json_str(jb, "hash", hash);
    json_strn(jb, "string", (const uint8_t *)str, len);
    json_obj_close(jb);
}

void eve_tls_obj(struct json_buf *jb, const struct tls_tx *t)
{
    json_obj_open(jb, "tls");
    const struct x509_leaf *c = &t->cert;
    if (t->has_cert) {
        json_strn(jb, "subject", (const uint8_t *)c->subject, c->subject_len);
        json_strn(jb, "issuerdn", (const uint8_t *)c->issuer, c->issuer_len);
    }
    if (t->session_resumed)
        json_bool(jb, "session_resumed", true);
    if (t->has_cert) {
        json_strn(jb, "serial", (const uint8_t *)c->serial, c->serial_len);
        json_str(jb, "fingerprint", t->fingerprint);
    }
    if (t->has_sni)
        json_strn(jb, "sni", (const uint8_t *)t->sni, t->sni_len);
    char vbuf[8];
    json_str(jb, "version", tls_version_name(t->version, vbuf));
    if (t->has_cert) {
        eve_tls_time(jb, "notbefore", c->not_before);
        eve_tls_time(jb, "notafter", c->not_after);
    }
    if (t->has_ja3)
        eve_tls_fp(jb, "ja3", t->ja3_hash, t->ja3, t->ja3_len);
    if (t->has_ja3s)
        eve_tls_fp(jb, "ja3s", t->ja3s_hash, t->ja3s, t->ja3s_len);
    if (t->has_ja4)
        json_str(jb, "ja4", t->ja4);
    eve_tls_alpns(jb, "client_alpns", t->client_alpns, t->client_alpns_len);
    eve_tls_alpns(jb, "server_alpns", t->server_alpns, t->server_alpns_len);
    json_obj_close(jb);
}

size_t eve_tls(struct eve_ctx *ec, char *buf, size_t cap, const struct flow *f,
               uint64_t ts_us, uint64_t pcap_cnt, uint64_t tx_id, const struct tls_tx *t)
{
    struct json_buf jb;
    json_init(&jb, buf, cap);
    json_obj_open(&jb, NULL);
    eve_put_app_head(ec, &jb, f, "tls", ts_us, pcap_cnt, tx_id);
    eve_tls_obj(&jb, t);
    json_obj_close(&jb);
    return json_finish(&jb);
}
