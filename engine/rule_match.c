/* engine/rule_match.c: rule verification (see rule_match.h).
 *
 * inspect() follows Suricata's DetectEngineContentInspectionInternal item
 * by item: the same window arithmetic for offset/depth/distance/within
 * (including its 32-bit wrap-arounds), the same "no match" versus "no
 * match, give up" results, and the same backtracking: a content whose
 * follower is relative to it (RULE_CONTENT_RETRY_NEXT) is searched again
 * one byte past its last match start, a pcre from one byte past its last
 * match start.  Every call of inspect() counts one step.
 *
 * The byte keywords read numbers at positions computed in 64 bits from
 * 32-bit offsets, so no sum overflows; every read is checked against the
 * buffer first; string numbers are read digit by digit with an overflow
 * check, as strtoull would read them within nbytes bytes; byte_math
 * divides only by non-zero values and shifts by less than 64. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <ctype.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>

#include "engine/rule_match.h"
#include "engine/rule_xform.h"

#include "engine/pcre_hs.h"

struct rule_match_ctx {
    pcre2_match_data *md;
    pcre2_match_context *mctx;
    pcre2_jit_stack *jit;
    struct rule_match_counters cnt;
    struct rule_match_counters *cp;  /* &cnt, or rule_match_ctx_bind's */
    const struct pcre_hs *ph;    /* pcre on Hyperscan, or NULL */
    hs_scratch_t *hs_scratch;
    struct rule_xform_scratch xs;
    uint8_t xform[2][RULE_MATCH_XFORM_MAX];   /* transforms: in and out */
};

struct rule_match_ctx *rule_match_ctx_create(char *errbuf)
{
    struct rule_match_ctx *ctx = calloc(1, sizeof(*ctx));
    if (!ctx)
        goto fail;
    ctx->md = pcre2_match_data_create(16, NULL);
    ctx->mctx = pcre2_match_context_create(NULL);
    ctx->jit = pcre2_jit_stack_create(32 * 1024, 512 * 1024, NULL);
    if (!ctx->md || !ctx->mctx || !ctx->jit)
        goto fail;
    pcre2_set_match_limit(ctx->mctx, RULE_MATCH_PCRE_LIMIT);
    pcre2_set_depth_limit(ctx->mctx, RULE_MATCH_PCRE_DEPTH);
    /* the interpreter (patterns JIT refused) keeps its backtracking
     * frames in the match data: allocated on first use, then reused */
    pcre2_set_heap_limit(ctx->mctx, RULE_MATCH_PCRE_HEAP_KIB);
    pcre2_jit_stack_assign(ctx->mctx, NULL, ctx->jit);
    ctx->cp = &ctx->cnt;
    ctx->xs = (struct rule_xform_scratch){
        .buf = { ctx->xform[0], ctx->xform[1] }, .cap = RULE_MATCH_XFORM_MAX,
        .md = ctx->md, .mctx = ctx->mctx, .pcre_errors = &ctx->cnt.pcre_errors,
    };
    return ctx;
fail:
    rule_match_ctx_destroy(ctx);
    if (errbuf)
        snprintf(errbuf, NS_ERRBUF_SIZE, "rule match context: out of memory");
    return NULL;
}

void rule_match_ctx_destroy(struct rule_match_ctx *ctx)
{
    if (!ctx)
        return;
    pcre2_match_data_free(ctx->md);
    pcre2_match_context_free(ctx->mctx);
    pcre2_jit_stack_free(ctx->jit);
    free(ctx);
}

void rule_match_ctx_set_hs(struct rule_match_ctx *ctx, const struct pcre_hs *ph,
                           hs_scratch_t *scratch)
{
    ctx->ph = ph;
    ctx->hs_scratch = scratch;
}

void rule_match_ctx_counters(const struct rule_match_ctx *ctx, struct rule_match_counters *c)
{
    *c = *ctx->cp;
}

void rule_match_ctx_bind(struct rule_match_ctx *ctx, struct rule_match_counters *c)
{
    ctx->cp = c;
    ctx->xs.pcre_errors = &c->pcre_errors;
}

/* ---- searching ---- */

static const uint8_t *search_nocase(const uint8_t *h, uint32_t hl, const struct rule_content *c)
{
    const uint8_t *f = c->folded;
    const uint16_t *t = c->kmp;
    uint32_t m = c->len, k = 0;
    for (uint32_t i = 0; i < hl; i++) {
        uint8_t ch = h[i];
        if (ch >= 'A' && ch <= 'Z')
            ch = (uint8_t)(ch + 32);
        while (k > 0 && ch != f[k])
            k = t[k - 1];
        if (ch == f[k] && ++k == m)
            return h + i + 1 - m;
    }
    return NULL;
}

static const uint8_t *search(const uint8_t *h, uint32_t hl, const struct rule_content *c)
{
    if (c->flags & RULE_CONTENT_NOCASE)
        return search_nocase(h, hl, c);
    return memmem(h, hl, c->bytes, c->len);
}

/* ---- one list ---- */

struct insp {
    struct rule_match_ctx *ctx;
    const struct rule_list *l;
    const uint8_t *buf;
    uint32_t len;
    uint32_t buffer_offset;      /* end of the previous match */
    uint32_t pcre_start;         /* Suricata's pcre_match_start_offset */
    uint32_t steps;
    /* the rule's byte_extract/byte_math variables: shared by its lists
     * (Suricata's det_ctx->byte_values), owned by rule_match's frame */
    uint64_t *vars;
};

/* A variable's value; slots come from the parser (< RULE_MAX_BYTE_VARS),
 * the mask only keeps a stray one inside the array. */
static inline uint64_t var_get(const struct insp *s, uint64_t slot)
{
    return s->vars[slot & (RULE_MAX_BYTE_VARS - 1)];
}

_Static_assert((RULE_MAX_BYTE_VARS & (RULE_MAX_BYTE_VARS - 1)) == 0, "slot mask");

static int inspect(struct insp *s, uint32_t idx);

/* 1 match, 0 no match, -1 no match and give up */
static int next_or_match(struct insp *s, uint32_t idx)
{
    if (idx + 1 >= s->l->nitems)
        return 1;
    return inspect(s, idx + 1);
}

static int inspect_content(struct insp *s, uint32_t idx, const struct rule_content *cd)
{
    const uint32_t len = s->len;
    uint32_t prev_offset = 0;
    uint32_t prev_buffer_offset = s->buffer_offset;
    const bool rel = (cd->flags & (RULE_CONTENT_DISTANCE | RULE_CONTENT_WITHIN)) != 0;

    for (;;) {
        /* each retry counts as a step too: with the endswith shortcut
         * below this bounds every loop, not only the recursion */
        if (prev_offset != 0 && ++s->steps >= RULE_MATCH_MAX_STEPS) {
            if (s->steps == RULE_MATCH_MAX_STEPS)
                s->ctx->cp->step_limit++;
            return -1;
        }
        uint32_t depth = len;
        uint32_t offset = 0;
        /* modifiers from variables: Suricata takes their low 32 bits */
        uint32_t c_offset = (cd->flags & RULE_CONTENT_OFFSET_VAR)
                                ? (uint32_t)var_get(s, cd->offset) : cd->offset;
        uint32_t c_depth = (cd->flags & RULE_CONTENT_DEPTH_VAR)
                               ? (uint32_t)var_get(s, cd->depth) : cd->depth;
        if (rel) {
            offset = prev_buffer_offset;
            uint32_t distance = (cd->flags & RULE_CONTENT_DISTANCE_VAR)
                                    ? (uint32_t)var_get(s, (uint32_t)cd->distance)
                                    : (uint32_t)cd->distance;
            if (cd->flags & RULE_CONTENT_DISTANCE) {
                /* negative as int32 (two's complement): look back */
                if (distance > INT32_MAX && 0u - distance > offset)
                    offset = 0;
                else
                    offset += distance;
            }
            if (cd->flags & RULE_CONTENT_WITHIN) {
                uint32_t within = (cd->flags & RULE_CONTENT_WITHIN_VAR)
                                      ? (uint32_t)var_get(s, (uint32_t)cd->within)
                                      : (uint32_t)cd->within;
                /* Suricata compares as int32 and may wrap; len is
                 * at most RULE_MATCH_MAX_BUFFER, so the test is exact */
                uint32_t end = prev_buffer_offset + within + distance;
                if (end <= INT32_MAX && depth > end)
                    depth = end;
                else if (end > INT32_MAX && depth <= INT32_MAX)
                    depth = end;           /* int32 says depth > a negative end */
            }
            if (c_depth != 0 && c_depth + prev_buffer_offset < depth)
                depth = prev_buffer_offset + c_depth;
            if (c_offset > offset)
                offset = c_offset;
        } else {
            if (c_depth != 0 || (cd->flags & RULE_CONTENT_DEPTH_VAR))
                depth = c_depth;
            offset = c_offset;
            prev_buffer_offset = 0;
        }
        /* a depth or offset from a variable: the window ends depth past
         * its start (Suricata adjusts here, not at parse time) */
        if (cd->flags & (RULE_CONTENT_OFFSET_VAR | RULE_CONTENT_DEPTH_VAR))
            depth += offset;
        if (prev_offset != 0)
            offset = prev_offset;
        if (depth > len)
            depth = len;
        if (offset > depth || depth == 0)
            return (cd->flags & RULE_CONTENT_NEGATED) ? next_or_match(s, idx) : 0;

        const uint8_t *sbuf = s->buf + offset;
        uint32_t sblen = depth - offset;
        const uint8_t *found;
        if ((cd->flags & RULE_CONTENT_ENDSWITH) && depth < len)
            found = NULL;
        else if (cd->len > sblen)
            found = NULL;
        else if ((cd->flags & (RULE_CONTENT_ENDSWITH | RULE_CONTENT_NEGATED)) ==
                 RULE_CONTENT_ENDSWITH)
            /* Suricata walks every occurrence until one ends the buffer;
             * only that one can go on, so look there directly */
            found = search(s->buf + len - cd->len, cd->len, cd);
        else
            found = search(sbuf, sblen, cd);

        if (!found) {
            if (!(cd->flags & RULE_CONTENT_NEGATED))
                return rel ? 0 : -1;
            return next_or_match(s, idx);
        }
        uint32_t match_offset = (uint32_t)(found - s->buf) + cd->len;
        if (cd->flags & RULE_CONTENT_NEGATED) {
            if ((cd->flags & RULE_CONTENT_ENDSWITH) && sblen != match_offset)
                return next_or_match(s, idx);
            bool single = !(cd->flags & (RULE_CONTENT_DISTANCE | RULE_CONTENT_WITHIN |
                                         RULE_CONTENT_RELATIVE_NEXT | RULE_CONTENT_DEPTH |
                                         RULE_CONTENT_OFFSET));
            return single ? -1 : 0;
        }
        s->buffer_offset = match_offset;
        if (!(cd->flags & RULE_CONTENT_ENDSWITH) || match_offset == len) {
            if (idx + 1 >= s->l->nitems)
                return 1;
            int r = inspect(s, idx + 1);
            if (r != 0)
                return r;
            if (!(cd->flags & RULE_CONTENT_RETRY_NEXT))
                return -1;
        }
        /* the next occurrence starts at least one byte later */
        prev_offset = match_offset - (cd->len - 1);
    }
}

/* Suricata's DetectPcrePayloadMatch: 1 match, 0 not */
static int pcre_once(struct insp *s, const struct rule_pcre *pe)
{
    const uint8_t *ptr = s->buf;
    uint32_t plen = s->len;
    if (pe->flags & RULE_PCRE_RELATIVE) {
        ptr = s->buf + s->buffer_offset;
        plen = s->len - s->buffer_offset;
    }
    uint32_t start = 0;
    if (s->pcre_start != 0) {
        uint32_t base = (uint32_t)(ptr - s->buf);
        if (s->pcre_start < base)
            return 0;
        start = s->pcre_start - base;
    }
    if (start == 0 && s->ctx->ph) {
        int h = pcre_hs_match(s->ctx->ph, s->ctx->hs_scratch, pe->id, ptr, plen);
        if (h >= 0) {
            s->ctx->cp->pcre_hs++;
            return (h == 1) != ((pe->flags & RULE_PCRE_NEGATED) != 0);
        }
    }
    s->ctx->cp->pcre2++;
    int rc = pcre2_match((const pcre2_code *)pe->code, ptr, plen, start, 0, s->ctx->md,
                         s->ctx->mctx);
    if (rc >= 0) {
        if (pe->flags & RULE_PCRE_NEGATED)
            return 0;
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(s->ctx->md);
        s->buffer_offset = (uint32_t)((ptr - s->buf) + ov[1]);
        s->pcre_start = (uint32_t)((ptr - s->buf) + ov[0] + 1);
        return 1;
    }
    if (rc == PCRE2_ERROR_NOMATCH)
        return (pe->flags & RULE_PCRE_NEGATED) ? 1 : 0;
    s->ctx->cp->pcre_errors++;
    return 0;
}

static int inspect_pcre(struct insp *s, uint32_t idx, const struct rule_pcre *pe)
{
    uint32_t prev_buffer_offset = s->buffer_offset;
    s->pcre_start = 0;
    for (;;) {
        if (pcre_once(s, pe) == 0)
            return 0;
        if (!(pe->flags & RULE_PCRE_RETRY_NEXT))
            return next_or_match(s, idx);
        uint32_t prev_offset = s->pcre_start;
        if (idx + 1 >= s->l->nitems)
            return 1;
        int r = inspect(s, idx + 1);
        if (r != 0)
            return r;
        if (prev_offset == 0)
            return 0;            /* a negated pcre: nothing to retry */
        s->buffer_offset = prev_buffer_offset;
        s->pcre_start = prev_offset;
    }
}

static int inspect_isdataat(struct insp *s, uint32_t idx, const struct rule_isdataat *id)
{
    uint64_t n = id->n;
    /* from a variable: a failure may come right with another occurrence
     * of the match before, so it is not final (Suricata) */
    int fail = id->var ? 0 : -1;
    if (id->var) {
        n = var_get(s, id->n);
        if (n >= 100000000u)
            return id->negated ? next_or_match(s, idx) : 0;
    }
    if (id->relative) {
        if ((uint64_t)s->buffer_offset + n > s->len)
            return id->negated ? next_or_match(s, idx) : fail;
        return id->negated ? 0 : next_or_match(s, idx);
    }
    if (n < s->len)
        return id->negated ? fail : next_or_match(s, idx);
    return id->negated ? next_or_match(s, idx) : fail;
}

/* ---- byte_test, byte_jump, byte_extract, byte_math ---- */

/* The two's complement reading of v, without an implementation-defined
 * conversion. */
static inline int64_t as_i64(uint64_t v)
{
    return v <= INT64_MAX ? (int64_t)v : -(int64_t)~v - 1;
}

static inline int32_t as_i32(uint64_t v)
{
    uint32_t u = (uint32_t)v;
    return u <= INT32_MAX ? (int32_t)u : -(int32_t)~u - 1;
}

static inline uint64_t byte_operand(const struct insp *s, const struct rule_byte *y, uint32_t flag,
                                    uint64_t field)
{
    return (y->flags & flag) ? var_get(s, field) : field;
}

/* The number of bytes the keyword reads: a variable's value must fit the
 * same limits as a number written in the rule (else: no match). */
static bool nbytes_ok(const struct rule_byte *y, uint64_t nb, uint64_t min, uint64_t max_num,
                      uint64_t max_str)
{
    if (y->flags & RULE_BYTE_STRING)
        return nb >= min && nb <= max_str;
    return nb >= min && nb <= max_num;
}

/* The bytes a number may take at pos: nb, or for a string of no given
 * length (byte_test, byte_jump: nb 0) the rest of the buffer. */
static inline uint32_t read_span(const struct insp *s, const struct rule_byte *y, int64_t pos,
                                 uint64_t nb)
{
    if (nb == 0 && (y->flags & RULE_BYTE_STRING))
        return s->len - (uint32_t)pos;
    return (uint32_t)nb;
}

/* Where the keyword reads: offset from the buffer start, or from the end
 * of the previous match (relative); -1 when nb bytes from there are not
 * all inside the buffer.  An empty buffer never matches (Suricata). */
static int64_t byte_pos(const struct insp *s, const struct rule_byte *y, int32_t offset,
                        uint64_t nb)
{
    int64_t pos = (int64_t)offset + ((y->flags & RULE_BYTE_RELATIVE) ? s->buffer_offset : 0);
    if (s->len == 0 || pos < 0 || (uint64_t)pos + nb > s->len)
        return -1;
    return pos;
}

/* The number in the nb bytes at p: big or little endian, or an ASCII
 * number as strtoull reads one (spaces, a sign, "0x" for hex, and for
 * base 0 a leading 0 for octal) that must end within the nb bytes.
 * Returns the bytes it took (string: up to its last digit), -1 when there
 * is no digit or the number does not fit 64 bits. */
static int read_number(const uint8_t *p, uint32_t nb, const struct rule_byte *y, uint64_t *out)
{
    uint64_t v = 0;
    if (!(y->flags & RULE_BYTE_STRING)) {
        for (uint32_t i = 0; i < nb; i++) {
            uint32_t k = (y->flags & RULE_BYTE_LITTLE) ? nb - 1 - i : i;
            v = v << 8 | p[k];
        }
        *out = v;
        return (int)nb;
    }
    uint32_t i = 0, base = y->base;
    while (i < nb && (p[i] == ' ' || (p[i] >= '\t' && p[i] <= '\r')))
        i++;
    bool neg = false;
    if (i < nb && (p[i] == '+' || p[i] == '-'))
        neg = p[i++] == '-';
    if ((base == 16 || base == 0) && i + 2 < nb && p[i] == '0' && (p[i + 1] | 0x20) == 'x' &&
        isxdigit(p[i + 2])) {
        i += 2;
        base = 16;
    } else if (base == 0) {
        base = i < nb && p[i] == '0' ? 8 : 10;
    }
    uint32_t first = i;
    for (; i < nb; i++) {
        uint32_t d;
        uint8_t c = p[i];
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
            d = (uint32_t)((c | 0x20) - 'a' + 10);
        else
            break;
        if (d >= base)
            break;
        if (v > (UINT64_MAX - d) / base)
            return -1;                  /* strtoull: ERANGE */
        v = v * base + d;
    }
    if (i == first)
        return -1;
    *out = neg ? 0 - v : v;
    return (int)i;
}

static inline uint64_t byte_mask(const struct rule_byte *y, uint64_t v)
{
    if (y->flags & RULE_BYTE_BITMASK) {
        v &= y->bitmask;
        if (v && y->shift)
            v >>= y->shift;
    }
    return v;
}

/* Failures of the byte keywords return 0: an earlier content may match
 * again further on and move the position they read at. */
static int inspect_byte_test(struct insp *s, uint32_t idx, const struct rule_byte *y)
{
    uint64_t nb = byte_operand(s, y, RULE_BYTE_NBYTES_VAR, y->nbytes);
    int32_t off = (y->flags & RULE_BYTE_OFFSET_VAR) ? as_i32(var_get(s, (uint32_t)y->offset))
                                                    : y->offset;
    uint64_t value = byte_operand(s, y, RULE_BYTE_VALUE_VAR, y->value);
    uint64_t v;
    int64_t pos;
    if (!nbytes_ok(y, nb, (y->flags & RULE_BYTE_STRING) ? 0 : 1, 8, 23) ||
        (pos = byte_pos(s, y, off, nb)) < 0 ||
        read_number(s->buf + pos, read_span(s, y, pos, nb), y, &v) < 0)
        return 0;
    v = byte_mask(y, v);
    bool m = false;
    switch ((enum rule_byte_op)y->op) {
    case RULE_BYTE_OP_EQ: m = v == value; break;
    case RULE_BYTE_OP_LT: m = v < value; break;
    case RULE_BYTE_OP_GT: m = v > value; break;
    case RULE_BYTE_OP_LE: m = v <= value; break;
    case RULE_BYTE_OP_GE: m = v >= value; break;
    case RULE_BYTE_OP_AND: m = (v & value) != 0; break;
    case RULE_BYTE_OP_OR: m = (v ^ value) != 0; break;
    }
    if (m == ((y->flags & RULE_BYTE_NEGATED) != 0))
        return 0;
    return next_or_match(s, idx);
}

/* byte_jump: the position moves to (after the number, or from the start
 * or the end) + value x multiplier (rounded up to 4 with align) +
 * post_offset.  Before the buffer start it stops at the start; past the
 * end the keyword fails; the end itself is allowed (Suricata 7). */
static int inspect_byte_jump(struct insp *s, uint32_t idx, const struct rule_byte *y)
{
    uint64_t nb = byte_operand(s, y, RULE_BYTE_NBYTES_VAR, y->nbytes);
    int32_t off = (y->flags & RULE_BYTE_OFFSET_VAR) ? as_i32(var_get(s, (uint32_t)y->offset))
                                                    : y->offset;
    uint64_t v = 0;
    int64_t pos;
    int used;
    if (!nbytes_ok(y, nb, 0, 8, 23) || (pos = byte_pos(s, y, off, nb)) < 0 ||
        (used = read_number(s->buf + pos, read_span(s, y, pos, nb), y, &v)) < 0)
        return 0;
    v = byte_mask(y, v) * y->multiplier;
    if ((y->flags & RULE_BYTE_ALIGN) && v % 4)
        v += 4 - v % 4;
    v += (uint64_t)(int64_t)y->post_offset;          /* modulo 2^64, as Suricata */
    int64_t from = (y->flags & RULE_BYTE_FROM_BEGIN) ? 0
                   : (y->flags & RULE_BYTE_FROM_END) ? (int64_t)s->len
                   : pos + used;
    int64_t d = as_i64(v);
    if (d > (int64_t)s->len - from)
        return 0;
    s->buffer_offset = d < -from ? 0 : (uint32_t)(from + d);
    return next_or_match(s, idx);
}

static int inspect_byte_extract(struct insp *s, uint32_t idx, const struct rule_byte *y)
{
    uint64_t v;
    int64_t pos = byte_pos(s, y, y->offset, y->nbytes);
    int used;
    if (pos < 0 || (used = read_number(s->buf + pos, y->nbytes, y, &v)) < 0)
        return 0;
    v *= y->multiplier;
    if (y->align && v % y->align)
        v += y->align - v % y->align;
    s->buffer_offset = (uint32_t)(pos + used);
    s->vars[y->result & (RULE_MAX_BYTE_VARS - 1)] = v;
    return next_or_match(s, idx);
}

/* byte_math: the number op rvalue, then the bitmask.  Like byte_extract it
 * moves the position past the number (Suricata's DetectByteMathDoMatch
 * does).  A division by zero never matches; a shift by 64 or more
 * gives 0. */
static int inspect_byte_math(struct insp *s, uint32_t idx, const struct rule_byte *y)
{
    /* a variable's count is cut to 8 bits, as Suricata's uint8_t */
    uint64_t nb = (y->flags & RULE_BYTE_NBYTES_VAR) ? (uint8_t)var_get(s, y->nbytes) : y->nbytes;
    int32_t off = (y->flags & RULE_BYTE_OFFSET_VAR) ? as_i32(var_get(s, (uint32_t)y->offset))
                                                    : y->offset;
    uint64_t r = byte_operand(s, y, RULE_BYTE_VALUE_VAR, y->value);
    uint64_t v;
    int64_t pos;
    int used;
    if (!nbytes_ok(y, nb, 1, 8, 10) || (pos = byte_pos(s, y, off, nb)) < 0 ||
        (used = read_number(s->buf + pos, (uint32_t)nb, y, &v)) < 0)
        return 0;
    s->buffer_offset = (uint32_t)(pos + used);
    switch ((enum rule_byte_oper)y->op) {
    case RULE_BYTE_ADD: v += r; break;
    case RULE_BYTE_SUB: v -= r; break;
    case RULE_BYTE_MUL: v *= r; break;
    case RULE_BYTE_DIV:
        if (r == 0)
            return 0;
        v /= r;
        break;
    case RULE_BYTE_SHL: v = r < 64 ? v << r : 0; break;
    case RULE_BYTE_SHR: v = r < 64 ? v >> r : 0; break;
    }
    s->vars[y->result & (RULE_MAX_BYTE_VARS - 1)] = byte_mask(y, v);
    return next_or_match(s, idx);
}

static int inspect(struct insp *s, uint32_t idx)
{
    if (++s->steps >= RULE_MATCH_MAX_STEPS) {
        if (s->steps == RULE_MATCH_MAX_STEPS)
            s->ctx->cp->step_limit++;
        return -1;
    }
    const struct rule_item *it = &s->l->items[idx];
    switch (it->kind) {
    case RULE_ITEM_CONTENT:
        return inspect_content(s, idx, &it->u.content);
    case RULE_ITEM_PCRE:
        return inspect_pcre(s, idx, &it->u.pcre);
    case RULE_ITEM_ISDATAAT:
        return inspect_isdataat(s, idx, &it->u.isdataat);
    case RULE_ITEM_BYTE_TEST:
        return inspect_byte_test(s, idx, &it->u.byte);
    case RULE_ITEM_BYTE_JUMP:
        return inspect_byte_jump(s, idx, &it->u.byte);
    case RULE_ITEM_BYTE_EXTRACT:
        return inspect_byte_extract(s, idx, &it->u.byte);
    case RULE_ITEM_BYTE_MATH:
        return inspect_byte_math(s, idx, &it->u.byte);
    }
    return -1;
}

static bool match_list(struct rule_match_ctx *ctx, const struct rule *r, const struct rule_list *l,
                       const uint8_t *p, size_t len, uint64_t *vars)
{
    if (!p)
        return false;
    /* urilen is on the URI as it came, before any transform */
    if (r->has_urilen &&
        l->buf == (r->urilen_raw ? RULE_BUF_HTTP_URI_RAW : RULE_BUF_HTTP_URI) &&
        !rule_cmp_eval(&r->urilen, len > 65535 ? 65535 : len))
        return false;
    if (l->nxforms && !rule_xform_apply(&ctx->xs, l, &p, &len))
        return false;
    if (len > RULE_MATCH_MAX_BUFFER)
        len = RULE_MATCH_MAX_BUFFER;
    if (l->has_bsize && !rule_cmp_eval(&l->bsize, len))
        return false;
    if (l->nitems == 0)
        return true;
    struct insp s = {
        .ctx = ctx, .l = l, .buf = p, .len = (uint32_t)len,
        .buffer_offset = 0, .pcre_start = 0, .steps = 0, .vars = vars,
    };
    return inspect(&s, 0) == 1;
}

bool rule_match_list(struct rule_match_ctx *ctx, const struct rule *r, const struct rule_list *l,
                     const uint8_t *p, size_t len)
{
    uint64_t vars[RULE_MAX_BYTE_VARS] = { 0 };
    return match_list(ctx, r, l, p, len, vars);
}

/* ---- flowbits ---- */

static bool fb_get(const struct rule_match_input *in, uint16_t id)
{
    uint32_t w = id / 64u;
    return w < in->flowbits_words && (in->flowbits[w] >> (id % 64u) & 1u);
}

static void fb_put(const struct rule_match_input *in, uint16_t id, int how)
{
    uint32_t w = id / 64u;
    if (w >= in->flowbits_words)
        return;
    uint64_t bit = (uint64_t)1 << (id % 64u);
    if (how == 0)
        in->flowbits[w] |= bit;
    else if (how == 1)
        in->flowbits[w] &= ~bit;
    else
        in->flowbits[w] ^= bit;
}

static bool fb_cond(const struct rule_match_input *in, const struct rule_flowbit *fb)
{
    bool want = fb->cmd == RULE_FB_ISSET;
    if (fb->any_of) {
        for (uint32_t i = 0; i < fb->nids; i++)
            if (fb_get(in, fb->ids[i]) == want)
                return true;
        return false;
    }
    for (uint32_t i = 0; i < fb->nids; i++)
        if (fb_get(in, fb->ids[i]) != want)
            return false;
    return true;
}

bool rule_match(struct rule_match_ctx *ctx, const struct rule *r, const struct rule_match_input *in)
{
    uint32_t f = r->flow;
    if (f) {
        if ((f & RULE_FLOW_TO_SERVER) && !in->to_server)
            return false;
        if ((f & RULE_FLOW_TO_CLIENT) && in->to_server)
            return false;
        if ((f & RULE_FLOW_ESTABLISHED) && !in->established)
            return false;
        if ((f & RULE_FLOW_NOT_ESTABLISHED) && in->established)
            return false;
        if ((f & RULE_FLOW_ONLY_STREAM) && !in->stream)
            return false;
        if ((f & RULE_FLOW_NO_STREAM) && in->stream)
            return false;
    }
    if (r->has_dsize && !rule_cmp_eval(&r->dsize, in->dsize))
        return false;
    for (uint32_t i = 0; i < r->nflowbits; i++) {
        const struct rule_flowbit *fb = &r->flowbits[i];
        if (fb->cmd != RULE_FB_ISSET && fb->cmd != RULE_FB_ISNOTSET)
            continue;
        if (!in->flowbits || !fb_cond(in, fb))
            return false;
    }
    /* the variables live across the rule's lists, inspected in order:
     * the parser only lets a list read what an earlier one (or an earlier
     * item of its own) set */
    uint64_t vars[RULE_MAX_BYTE_VARS];
    if (r->nbytevars)
        memset(vars, 0, sizeof(vars));
    for (uint32_t i = 0; i < r->nlists; i++) {
        const struct rule_list *l = &r->lists[i];
        const struct rule_buffer *b = &in->buf[l->buf];
        if (!match_list(ctx, r, l, b->p, b->len, vars))
            return false;
    }
    if (in->flowbits) {
        for (uint32_t i = 0; i < r->nflowbits; i++) {
            const struct rule_flowbit *fb = &r->flowbits[i];
            int how = fb->cmd == RULE_FB_SET ? 0 : fb->cmd == RULE_FB_UNSET ? 1
                    : fb->cmd == RULE_FB_TOGGLE ? 2 : -1;
            if (how < 0)
                continue;
            for (uint32_t j = 0; j < fb->nids; j++)
                fb_put(in, fb->ids[j], how);
        }
    }
    return true;
}

/* ---- header ---- */

void rule_addr_from_v4(uint8_t out[16], uint32_t ip)
{
    memset(out, 0, 10);
    out[10] = 0xff;
    out[11] = 0xff;
    out[12] = (uint8_t)(ip >> 24);
    out[13] = (uint8_t)(ip >> 16);
    out[14] = (uint8_t)(ip >> 8);
    out[15] = (uint8_t)ip;
}

bool rule_addr_match(const struct rule_addr *a, const uint8_t ip[16])
{
    if (a->any)
        return true;
    uint32_t lo = 0, hi = a->n;
    while (lo < hi) {                    /* first range with hi >= ip */
        uint32_t mid = lo + (hi - lo) / 2;
        if (memcmp(a->r[mid].hi, ip, 16) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < a->n && memcmp(a->r[lo].lo, ip, 16) <= 0;
}

bool rule_ports_match(const struct rule_ports *p, uint16_t port)
{
    if (p->any)
        return true;
    uint32_t lo = 0, hi = p->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (p->r[mid].hi < port)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < p->n && p->r[lo].lo <= port;
}

static bool l4_ok(const struct rule *r, uint8_t l4)
{
    switch (l4) {
    case 6: return (r->l4 & RULE_L4_TCP) != 0;
    case 17: return (r->l4 & RULE_L4_UDP) != 0;
    case 1:
    case 58: return (r->l4 & RULE_L4_ICMP) != 0;
    default: return (r->l4 & RULE_L4_OTHER) != 0;
    }
}

static bool one_way(const struct rule *r, bool ports, const uint8_t src[16], uint16_t sport,
                    const uint8_t dst[16], uint16_t dport)
{
    if (!rule_addr_match(&r->src, src) || !rule_addr_match(&r->dst, dst))
        return false;
    if (ports && (!rule_ports_match(&r->sport, sport) || !rule_ports_match(&r->dport, dport)))
        return false;
    return true;
}

bool rule_header_match(const struct rule *r, uint8_t l4, const uint8_t src[16], uint16_t sport,
                       const uint8_t dst[16], uint16_t dport)
{
    if (!l4_ok(r, l4))
        return false;
    bool ports = l4 == 6 || l4 == 17;
    if (one_way(r, ports, src, sport, dst, dport))
        return true;
    return r->bidirectional && one_way(r, ports, dst, dport, src, sport);
}
