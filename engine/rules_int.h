/* engine/rules_int.h: what the rule loader's files share (rules.c: the set,
 * files, header, finishing a rule; rules_addr.c: address and port sets;
 * rules_kw.c: the option keywords; rules_byte.c: byte_test, byte_jump,
 * byte_extract, byte_math and their variables; rules_xform.c: the
 * transforms).  Not for use outside them. */
#ifndef RULES_INT_H
#define RULES_INT_H

#include <stdarg.h>

#include "engine/rules.h"

/* ---- arena: everything of a set, freed at once ---- */

struct rules_chunk;

struct rules_arena {
    struct rules_chunk *head;    /* newest first */
    size_t bytes;                /* total allocated, for stats */
};

struct rules_arena_mark {
    struct rules_chunk *head;
    size_t used;
};

void *rules_arena_alloc(struct rules_arena *a, size_t n);     /* zeroed, NULL on ENOMEM */
char *rules_arena_strndup(struct rules_arena *a, const char *s, size_t n);
void rules_arena_get_mark(const struct rules_arena *a, struct rules_arena_mark *m);
/* Frees everything allocated after the mark. */
void rules_arena_reset(struct rules_arena *a, const struct rules_arena_mark *m);
void rules_arena_free(struct rules_arena *a);

/* ---- one rule being built ---- */

#define RULES_MAX_REFS     64u
#define RULES_MAX_META     64u
#define RULES_MAX_FB_OPS   32u
#define RULES_MAX_FB_NAMES 32u

struct rule_build {
    struct rule_set *rs;
    struct rules_arena *arena;   /* the set's rule arena */
    struct rule r;               /* header and meta are filled in place */

    /* items in rule order; item_buf[i] is the list each belongs to */
    struct rule_item items[RULE_MAX_ITEMS];
    enum rule_buf item_buf[RULE_MAX_ITEMS];
    uint32_t nitems;
    enum rule_buf sticky;        /* current sticky buffer */
    bool sticky_fresh;           /* no item since the sticky keyword (transforms) */
    int last_content;            /* index into items, -1 none */
    int last_pcre_or_content;
    bool buf_used[RULE_BUF_COUNT];
    bool has_bsize[RULE_BUF_COUNT];
    struct rule_cmp bsize[RULE_BUF_COUNT];
    struct rule_xform xforms[RULE_BUF_COUNT][RULE_MAX_XFORMS];
    uint8_t nxforms[RULE_BUF_COUNT];
    /* byte_extract/byte_math variables: slot i is named var_name[i] and set
     * by an item of buffer var_buf[i] */
    char var_name[RULE_MAX_BYTE_VARS][32];
    enum rule_buf var_buf[RULE_MAX_BYTE_VARS];
    uint32_t nvars;
    bool fp_seen;                /* a fast_pattern was given */
    bool has_sid, has_rev, has_gid, has_priority, has_msg, has_classtype;

    const char *refs[RULES_MAX_REFS];
    uint32_t nrefs;
    const char *meta[RULES_MAX_META];
    uint32_t nmeta;
    struct rule_flowbit fb[RULES_MAX_FB_OPS];
    uint32_t nfb;

    /* the first error wins */
    bool failed;
    enum rule_skip_reason reason;
    char keyword[64];
    char detail[384];
};

int rules_fail(struct rule_build *b, enum rule_skip_reason reason, const char *keyword,
               const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* rules_kw.c: the options between the parentheses, [s, s + n). */
int rules_parse_options(struct rule_build *b, const char *s, size_t n);

/* rules_kw.c: checks across items (http.host case, bsize vs contents,
 * contents a transform makes impossible, variables used before the list
 * that sets them is inspected), made once all options are read. */
int rules_check_items(struct rule_build *b);

/* rules_kw.c: parsing helpers the keyword files share */
void rules_trim(const char **s, size_t *n);
/* The next sep-separated item of [v, v + n) from *i (start at 0), trimmed;
 * false once past the end.  "a,,b" gives "a", "", "b"; "" gives "". */
bool rules_next_item(const char *v, size_t n, char sep, size_t *i, const char **item,
                     size_t *len);
bool rules_parse_u64(const char *s, size_t n, uint64_t max, uint64_t *out);
bool rules_parse_i32(const char *s, size_t n, int32_t *out);
/* The next item slot in list buf, zeroed; NULL (rule failed) when full. */
struct rule_item *rules_add_item(struct rule_build *b, const char *kwname, enum rule_buf buf);
/* The list a keyword's item goes to: the sticky buffer, or for a relative
 * one the list of the content/pcre it follows (legacy http_* modifiers). */
enum rule_buf rules_item_list(const struct rule_build *b, bool relative);

/* rules_byte.c: byte_test, byte_jump, byte_extract, byte_math
 * (kind RULE_ITEM_BYTE_*); name is the keyword for messages. */
int rules_byte_keyword(struct rule_build *b, enum rule_item_kind kind, const char *name,
                       const char *v, size_t n, bool hasv);
/* A variable name ([A-Za-z][A-Za-z0-9_]*) defined earlier in the rule:
 * its slot; -1 when s is not a name, -2 when no such variable (the rule
 * has failed then, keyword kw). */
int rules_var_ref(struct rule_build *b, const char *kw, const char *s, size_t n);

/* rules_xform.c: a transform keyword on the current sticky buffer. */
int rules_xform_keyword(struct rule_build *b, enum rule_xform_kind kind, const char *name,
                        const char *v, size_t n, bool hasv);
/* A content the list's transforms can never produce (Suricata rejects
 * such rules): the transform's name, else NULL. */
const char *rules_xform_rejects(const struct rule_build *b, enum rule_buf buf,
                                const struct rule_content *c);
/* The fast pattern of a transformed list, adjusted for the raw buffer the
 * prefilter scans (see struct rule_fp). */
void rules_xform_fp(const struct rule_list *l, struct rule_fp *fp);

/* rules.c services the keywords need */
int rules_flowbit_id(struct rule_build *b, const char *name, size_t n, uint16_t *id);
/* classtype -> description and priority; false when unknown */
bool rules_class_lookup(const struct rule_set *rs, const char *name,
                        const char **desc, uint32_t *prio, bool *have_table);
/* registers compiled PCRE2 code with the set (freed with it) */
/* Keeps code with the set; *id: its index (struct rule_pcre.id). */
int rules_pcre_keep(struct rule_build *b, void *code, uint32_t *id);

/* rules_addr.c: parse an address / port expression into the arena.
 * vars may be NULL (defaults only). */
int rules_parse_addr(struct rule_build *b, const struct rule_vars *vars, const char *s,
                     size_t n, struct rule_addr *out);
int rules_parse_ports(struct rule_build *b, const struct rule_vars *vars, const char *s,
                      size_t n, struct rule_ports *out);

/* helpers */
static inline bool rules_isspace(int c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

#endif
