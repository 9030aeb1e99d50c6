/* output/eve_ssh.c: event_type "ssh" records (see eve_ssh.h), fields as in
 * Suricata's rust/src/ssh/logger.rs: a side without a banner is left out,
 * an empty software version is not written.  Like eve.c: no allocation,
 * no snprintf. */
#include "output/eve_ssh.h"

#include "output/eve_int.h"

static void eve_ssh_side(struct json_buf *jb, const char *key, const struct ssh_side *sd)
{
    if (!sd->banner)
        return;
    json_obj_open(jb, key);
    json_strn(jb, "proto_version", (const uint8_t *)sd->proto, sd->proto_len);
    if (sd->soft_len)
        json_strn(jb, "software_version", (const uint8_t *)sd->soft, sd->soft_len);
    if (sd->hassh) {
        json_obj_open(jb, "hassh");
        json_str(jb, "hash", sd->hassh_hash);
        size_t n = sd->hassh_len < SSH_HASSH_STRING_MAX ? sd->hassh_len : SSH_HASSH_STRING_MAX;
        json_strn(jb, "string", (const uint8_t *)sd->hassh_string, n);
        json_obj_close(jb);
    }
    json_obj_close(jb);
}

size_t eve_ssh(struct eve_ctx *ec, char *buf, size_t cap, const struct flow *f,
               uint64_t ts_us, uint64_t pcap_cnt, uint64_t tx_id, const struct ssh_tx *t)
{
    struct json_buf jb;
    json_init(&jb, buf, cap);
    json_obj_open(&jb, NULL);
    eve_put_app_head(ec, &jb, f, "ssh", ts_us, pcap_cnt, tx_id);
    json_obj_open(&jb, "ssh");
    if (t->client)
        eve_ssh_side(&jb, "client", t->client);
    if (t->server)
        eve_ssh_side(&jb, "server", t->server);
    json_obj_close(&jb);
    json_obj_close(&jb);
    return json_finish(&jb);
}
