/* output/json.h: a JSON writer into a caller's fixed buffer.
 *
 * No allocation.  Keys are written as given (callers pass literals); every
 * string value is escaped: '"', '\\' and control characters as JSON escapes
 * (\n \r \t \b \f, others \u00XX), valid UTF-8 copied as is; in a string
 * that is not valid UTF-8 (a stray continuation, overlong form, surrogate,
 * > U+10FFFF, truncated sequence anywhere in it) every byte of 0x80 and
 * above is written as the text \xNN (JSON "\\xNN"), as Suricata does, so
 * the line stays valid JSON and the bytes can be read back.
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

/* The writers take the key with its length (klen; key NULL: an array
 * element or the top-level object).  The wrappers below take a
 * NUL-terminated key: they are inline so that the length of a literal key
 * is a compile-time constant, not a strlen per member. */
void json_obj_open_n(struct json_buf *jb, const char *key, size_t klen);
void json_arr_open_n(struct json_buf *jb, const char *key, size_t klen);
void json_obj_close(struct json_buf *jb);
void json_arr_close(struct json_buf *jb);
void json_strn_k(struct json_buf *jb, const char *key, size_t klen, const uint8_t *s, size_t n);
void json_u64_k(struct json_buf *jb, const char *key, size_t klen, uint64_t v);
void json_i64_k(struct json_buf *jb, const char *key, size_t klen, int64_t v);
void json_bool_k(struct json_buf *jb, const char *key, size_t klen, bool v);
void json_null_k(struct json_buf *jb, const char *key, size_t klen);
/* A value already in JSON form (a number, or a quoted escaped string). */
void json_raw_k(struct json_buf *jb, const char *key, size_t klen, const char *raw, size_t n);

#define JSON_KLEN(key) ((key) ? strlen(key) : 0)
/* always: a wrapper left out of line (LTO does that) would strlen a
 * literal on every call */
#define NS_JSON_INLINE __attribute__((always_inline))

static inline NS_JSON_INLINE void json_obj_open(struct json_buf *jb, const char *key)
{
    json_obj_open_n(jb, key, JSON_KLEN(key));
}
static inline NS_JSON_INLINE void json_arr_open(struct json_buf *jb, const char *key)
{
    json_arr_open_n(jb, key, JSON_KLEN(key));
}
static inline NS_JSON_INLINE void json_strn(struct json_buf *jb, const char *key, const uint8_t *s, size_t n)
{
    json_strn_k(jb, key, JSON_KLEN(key), s, n);
}
/* s NULL: null. */
static inline NS_JSON_INLINE void json_str(struct json_buf *jb, const char *key, const char *s)
{
    json_strn_k(jb, key, JSON_KLEN(key), (const uint8_t *)s, s ? strlen(s) : 0);
}
static inline NS_JSON_INLINE void json_u64(struct json_buf *jb, const char *key, uint64_t v)
{
    json_u64_k(jb, key, JSON_KLEN(key), v);
}
static inline NS_JSON_INLINE void json_i64(struct json_buf *jb, const char *key, int64_t v)
{
    json_i64_k(jb, key, JSON_KLEN(key), v);
}
static inline NS_JSON_INLINE void json_bool(struct json_buf *jb, const char *key, bool v)
{
    json_bool_k(jb, key, JSON_KLEN(key), v);
}
static inline NS_JSON_INLINE void json_null(struct json_buf *jb, const char *key)
{
    json_null_k(jb, key, JSON_KLEN(key));
}
static inline NS_JSON_INLINE void json_raw(struct json_buf *jb, const char *key, const char *raw, size_t n)
{
    json_raw_k(jb, key, JSON_KLEN(key), raw, n);
}
static inline bool json_ok(const struct json_buf *jb) { return !jb->overflow; }
/* Appends '\n'; returns the record length, or 0 on overflow or when an
 * object or array is still open. */
size_t json_finish(struct json_buf *jb);

#endif
