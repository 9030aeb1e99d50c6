/* output/json.h: a JSON writer into a caller's fixed buffer.
 *
 * No allocation.  Keys are written as given (callers pass literals); every
 * string value is escaped: '"', '\\' and control characters as JSON escapes
 * (\n \r \t \b \f, others \u00XX), valid UTF-8 copied as is, and each byte
 * that is not part of valid UTF-8 (stray continuation, overlong form,
 * surrogate, > U+10FFFF, truncated sequence) written as the text \xNN
 * (JSON "\\xNN"), so the line stays valid JSON and the byte can be read
 * back.
 * When the buffer runs out the writer stops writing and json_ok() turns
 * false; json_finish() then returns 0, so a record is never cut in half. */
#ifndef JSON_H
#define JSON_H

#include "engine/ns_common.h"

#define JSON_MAX_DEPTH 32

struct json_buf {
    char *buf;
    size_t cap, len;
    bool overflow;
    uint32_t depth;
    uint64_t need_comma;        /* bit per depth: a member was written */
};

void json_init(struct json_buf *jb, char *buf, size_t cap);
/* key NULL: an array element or the top-level object. */
void json_obj_open(struct json_buf *jb, const char *key);
/* Same, with a key that is not NUL-terminated (klen bytes). */
void json_obj_open_n(struct json_buf *jb, const char *key, size_t klen);
void json_obj_close(struct json_buf *jb);
void json_arr_open(struct json_buf *jb, const char *key);
void json_arr_close(struct json_buf *jb);
void json_str(struct json_buf *jb, const char *key, const char *s);
void json_strn(struct json_buf *jb, const char *key, const uint8_t *s, size_t n);
void json_u64(struct json_buf *jb, const char *key, uint64_t v);
void json_i64(struct json_buf *jb, const char *key, int64_t v);
void json_bool(struct json_buf *jb, const char *key, bool v);
void json_null(struct json_buf *jb, const char *key);
/* A value already in JSON form (a number, or a quoted escaped string). */
void json_raw(struct json_buf *jb, const char *key, const char *raw, size_t n);
static inline bool json_ok(const struct json_buf *jb) { return !jb->overflow; }
/* Appends '\n'; returns the record length, or 0 on overflow or when an
 * object or array is still open. */
size_t json_finish(struct json_buf *jb);

#endif
