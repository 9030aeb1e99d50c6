/* output/evejson.h: a strict, bounded JSON reader for one EVE line.
 *
 * The line is tokenized in place (RFC 8259: objects, arrays, strings with
 * their escapes checked, numbers by the grammar, true/false/null) into a
 * fixed array of tokens, without recursion (an explicit stack of at most
 * EVEJSON_MAX_DEPTH levels) and without allocation after create.  The
 * top level must be one object; whitespace (and a '\r' from CRLF files)
 * may surround it, anything else after it is an error.  Input that breaks
 * any of that, or needs more than EVEJSON_MAX_TOKENS tokens, is rejected
 * whole with a reason and its byte offset: never a crash, a hang or a read
 * outside [line, line+len).
 *
 * Tokens point into the caller's line, which must stay unchanged while the
 * document is used.  Member lookups compare the raw key text: a key
 * written with escapes never matches a plain field name (EVE keys have
 * none).  Strings are only unescaped on request, into a caller's buffer;
 * invalid UTF-8 inside a string is passed through (the HTML writer deals
 * with it). */
#ifndef EVEJSON_H
#define EVEJSON_H

#include "engine/ns_common.h"

#define EVEJSON_MAX_TOKENS 16384
#define EVEJSON_MAX_DEPTH  64

enum evejson_type {
    EVEJSON_OBJECT = 1,
    EVEJSON_ARRAY,
    EVEJSON_STRING,         /* off/len: the text between the quotes, raw */
    EVEJSON_NUMBER,
    EVEJSON_TRUE,
    EVEJSON_FALSE,
    EVEJSON_NULL,
};

struct evejson_tok {
    uint8_t type;
    uint32_t off, len;      /* in the line */
    uint32_t next;          /* index of the first token after this value */
};

struct evejson_doc {
    const char *line;
    size_t len;
    uint32_t ntok;
    struct evejson_tok *tok;     /* EVEJSON_MAX_TOKENS entries */
    const char *err;             /* why the last parse failed, static text */
    size_t err_off;              /* where, in bytes from the line start */
};

/* NULL when out of memory. */
struct evejson_doc *evejson_create(void) NS_MUST_CHECK;
void evejson_destroy(struct evejson_doc *d);        /* NULL ok */

/* NS_OK with the tokens of line[0..len) (token 0 is the top object), or
 * NS_ERR_INVAL with d->err and d->err_off set. */
int evejson_parse(struct evejson_doc *d, const char *line, size_t len);

/* The value of member key in object token obj, or -1 (not an object, no
 * such key).  The first match wins when a key repeats. */
int evejson_member(const struct evejson_doc *d, int obj, const char *key);
/* The same along a dotted path from obj ("flow.bytes_toserver"); -1 when
 * any step is missing. */
int evejson_path(const struct evejson_doc *d, int obj, const char *path);
/* The i-th element of array token arr, or -1. */
int evejson_index(const struct evejson_doc *d, int arr, uint32_t i);

/* A number token as an unsigned integer: true for a non-negative integer
 * (a fraction is cut off, values above UINT64_MAX saturate); false for
 * anything else (v untouched). */
bool evejson_u64(const struct evejson_doc *d, int t, uint64_t *v);
/* A string token unescaped into out (at most cap bytes, cut there; \u0000
 * gives a NUL byte, surrogate pairs become UTF-8, a lone surrogate
 * U+FFFD).  Returns the length written, or -1 when t is not a string. */
long evejson_str(const struct evejson_doc *d, int t, char *out, size_t cap);
/* True when t is a string whose raw text equals s exactly. */
bool evejson_str_eq(const struct evejson_doc *d, int t, const char *s);

#endif
