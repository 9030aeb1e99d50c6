/* output/eve_ftp.c: event_type "ftp" records (see eve_ftp.h), fields and
 * order as in Suricata 8's EveFTPLogCommand (src/output-json-ftp.c).  Like
 * eve.c: no allocation, no snprintf. */
#include "output/eve_ftp.h"

#include <string.h>

#include "output/eve_int.h"

size_t eve_ftp(struct eve_ctx *ec, char *buf, size_t cap, const struct flow *f,
               uint64_t ts_us, uint64_t pcap_cnt, uint64_t tx_id, const struct ftp_tx *t)
{
    struct json_buf jb;
    json_init(&jb, buf, cap);
    json_obj_open(&jb, NULL);
    eve_put_app_head(ec, &jb, f, "ftp", ts_us, pcap_cnt, tx_id);
    json_obj_open(&jb, "ftp");
    const char *name = ftp_command_name(t->command);
    if (name) {
        json_str(&jb, "command", name);
        size_t cl = strlen(name);
        size_t rl = t->request_len < FTP_LINE_MAX ? t->request_len : FTP_LINE_MAX;
        if (rl > cl) {      /* the command, one separator, the data */
            json_strn(&jb, "command_data", (const uint8_t *)t->text + cl + 1, rl - cl - 1);
            json_bool(&jb, "command_truncated", t->request_truncated);
        }
    }
    unsigned nl = t->nlines < FTP_REPLY_LINES_MAX ? t->nlines : FTP_REPLY_LINES_MAX;
    bool open = false;
    for (unsigned i = 0; i < nl; i++) {
        if (!t->line[i].has_code)
            continue;
        if (!open) {
            json_arr_open(&jb, "completion_code");
            open = true;
        }
        json_strn(&jb, NULL, (const uint8_t *)t->line[i].code, 3);
    }
    if (open)
        json_arr_close(&jb);
    if (nl) {
        json_arr_open(&jb, "reply");
        for (unsigned i = 0; i < nl; i++) {
            const struct ftp_reply_line *l = &t->line[i];
            if ((size_t)l->off + l->len <= FTP_TX_TEXT_MAX)
                json_strn(&jb, NULL, (const uint8_t *)t->text + l->off, l->len);
        }
        json_arr_close(&jb);
    }
    if (t->dyn_port)
        json_u64(&jb, "dynamic_port", t->dyn_port);
    if (t->command == FTP_CMD_PORT || t->command == FTP_CMD_EPRT)
        json_str(&jb, "mode", t->active ? "active" : "passive");
    json_str(&jb, "reply_received", t->reply_received ? "yes" : "no");
    json_bool(&jb, "reply_truncated", t->reply_truncated);
    json_obj_close(&jb);
    json_obj_close(&jb);
    return json_finish(&jb);
}
