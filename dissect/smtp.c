/* dissect/smtp.c: SMTP commands and replies, message header blocks and
 * MIME structure, one transaction per mail (see smtp.h).  The reply
 * matching, the transaction boundaries and the anomalies follow Suricata's
 * src/app-layer-smtp.c (8.0.7); the message reading follows its
 * rust/src/mime/smtp.rs.  Every read stays inside [p, p + n). */
/* MD5_Init/Update/Final: deprecated in OpenSSL 3, still shipped, and the
 * only way to keep a hash context in plain state without allocating. */
#define OPENSSL_API_COMPAT 0x10100000L

#include "dissect/smtp.h"

#include <stddef.h>
#include <string.h>

#include <openssl/md5.h>

_Static_assert(sizeof(MD5_CTX) <= sizeof(((struct smtp_mime *)0)->md5_ctx), "md5_ctx too small");

/* command codes in the reply queue */
enum {
    CMD_OTHER = 1,
    CMD_STARTTLS,
    CMD_DATA,
    CMD_BDAT,
    CMD_BDAT_LAST,
    CMD_DATA_MODE,          /* the end of a message, answered like a command */
    CMD_RSET,
};

/* smtp_state.phase: what the client's bytes are */
enum { PH_CMD = 0, PH_DATA, PH_BDAT, PH_STOP };

/* smtp_state.data: DATA progress of the open transaction */
enum { DATA_NONE = 0, DATA_WAIT, DATA_IN, DATA_END };

/* smtp_state.bdat_data */
enum { BDAT_NONE = 0, BDAT_END };

/* smtp_mime.phase */
enum { MP_MAIN_HDR = 0, MP_PART_HDR, MP_BODY };

/* smtp_mime.ctype: Suricata's MimeSmtpContentType */
enum { CT_MESSAGE = 0, CT_TEXT, CT_HTML, CT_UNKNOWN };

/* smtp_mime.cte */
enum { CTE_PLAIN = 0, CTE_B64, CTE_QP };

/* smtp_txdata.file: the first attachment's content */
enum { FILE_NONE = 0, FILE_ON, FILE_DONE };

/* smtp_mime.cur_mime */
enum { CM_NONE = 0, CM_CTYPE, CM_CDISP, CM_CTE };

/* smtp_mime.cur_hdr: 0 none, 1 + enum smtp_hdr, or this for Received */
#define CUR_RECEIVED (SMTP_HDR_MAX + 1)

static const char *const smtp_event_names[SMTP_EV_MAX] = {
#define SMTP_EV_NAME(id, name) name,
    SMTP_EVENTS(SMTP_EV_NAME)
#undef SMTP_EV_NAME
};

static const char *const smtp_hdr_names[SMTP_HDR_MAX] = {
#define SMTP_HDR_NAME(id, name) name,
    SMTP_HDRS(SMTP_HDR_NAME)
#undef SMTP_HDR_NAME
};

const char *smtp_event_name(unsigned ev)
{
    return ev < SMTP_EV_MAX ? smtp_event_names[ev] : "unknown";
}

/* Suricata's smtp_reply_map (src/app-layer-smtp.c, 8.0.7: 472 and 400
 * are unknown, 402 and 521 known, as its smtp-errors and smtp-bdat-*
 * tests show). */
static const uint16_t smtp_known_codes[] = {
    211, 214, 220, 221, 235, 250, 251, 252,
    334, 354,
    401, 402, 421, 435, 450, 451, 452, 454, 455,
    500, 501, 502, 503, 504, 521, 530, 534, 535, 541, 550, 551, 552, 553, 554, 555,
};

static int reply_code(const uint8_t *p, size_t n)
{
    if (n < 3)
        return -1;
    for (int i = 0; i < 3; i++)
        if (p[i] < '0' || p[i] > '9')
            return -1;
    return (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
}

bool smtp_reply_code_known(const uint8_t *p, size_t n)
{
    int code = reply_code(p, n);
    for (size_t i = 0; code >= 0 && i < sizeof(smtp_known_codes) / sizeof(smtp_known_codes[0]); i++)
        if (smtp_known_codes[i] == code)
            return true;
    return false;
}

void smtp_state_init(struct smtp_state *s)
{
    memset(s, 0, sizeof(*s));
}

/* ---- small helpers ---------------------------------------------------- */

static uint8_t lower(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

/* p starts with lit (lower case), case-insensitively */
static bool ci_prefix(const uint8_t *p, size_t n, const char *lit)
{
    size_t l = strlen(lit);
    if (n < l)
        return false;
    for (size_t i = 0; i < l; i++)
        if (lower(p[i]) != (uint8_t)lit[i])
            return false;
    return true;
}

static bool ci_equal(const uint8_t *p, size_t n, const char *lit)
{
    return strlen(lit) == n && ci_prefix(p, n, lit);
}

static bool mime_space(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* ---- transactions ----------------------------------------------------- */

static void raise_ev(struct smtp_state *s, const struct appl_cb *cb, enum smtp_event e)
{
    if (!s->tx_open || s->tx.nevents >= SMTP_EVENTS_PER_TX)
        return;                     /* Suricata: no current tx, no event */
    s->tx.nevents++;
    if (cb && cb->anomaly)
        cb->anomaly(cb->ctx, smtp_event_name(e));
}

static void tx_emit(struct smtp_state *s, const struct appl_cb *cb)
{
    if (!s->tx_open)
        return;
    struct smtp_tx t = {
        .tx_id = s->tx.tx_id,
        .d = &s->tx,
        .helo = s->has_helo ? s->helo : NULL,
        .helo_len = s->helo_len,
        .has_file = s->tx.file != FILE_NONE,
        .file_data = s->tx.file_data,
        .file_len = s->tx.file_len,
    };
    s->tx_open = false;
    s->data = DATA_NONE;
    s->bdat_data = BDAT_NONE;
    if (cb && cb->tx)
        cb->tx(cb->ctx, &t);
}

static void tx_start(struct smtp_state *s)
{
    memset(&s->tx, 0, offsetof(struct smtp_txdata, pool));
    s->tx.tx_id = s->next_tx_id++;
    s->tx_open = true;
    s->tx_ever = true;
    s->data = DATA_NONE;
    s->bdat_data = BDAT_NONE;
}

static uint8_t tx_tag(const struct smtp_state *s)
{
    return (uint8_t)s->tx.tx_id;
}

/* Adds [p, p + n) to the pool as out; cuts what does not fit. */
static void pool_add(struct smtp_txdata *t, const uint8_t *p, size_t n, struct smtp_str *out)
{
    if (n > SMTP_VALUE_MAX) {
        n = SMTP_VALUE_MAX;
        t->truncated = true;
    }
    size_t room = SMTP_POOL_SIZE - t->pool_len;
    if (n > room) {
        n = room;
        t->truncated = true;
    }
    if (n)
        memcpy(t->pool + t->pool_len, p, n);
    out->off = t->pool_len;
    out->len = (uint16_t)n;
    t->pool_len = (uint16_t)(t->pool_len + n);
}

/* Extends s, which must be the last string added (a folded header). */
static void pool_append(struct smtp_txdata *t, struct smtp_str *s, const uint8_t *p, size_t n)
{
    if ((size_t)s->off + s->len != t->pool_len) {
        t->truncated = true;
        return;
    }
    size_t room = SMTP_POOL_SIZE - t->pool_len;
    size_t vroom = SMTP_VALUE_MAX - s->len;
    if (room < vroom)
        vroom = room;
    if (n > vroom) {
        n = vroom;
        t->truncated = true;
    }
    if (n)
        memcpy(t->pool + t->pool_len, p, n);
    s->len = (uint16_t)(s->len + n);
    t->pool_len = (uint16_t)(t->pool_len + n);
}

/* ---- the reply queue -------------------------------------------------- */

static void cmdq_push(struct smtp_state *s, const struct appl_cb *cb, uint8_t cmd)
{
    if (s->cmdq_len) {
        uint8_t last = s->cmdq[(s->cmdq_head + s->cmdq_len - 1) % SMTP_CMDQ_MAX].cmd;
        if (last == CMD_STARTTLS || last == CMD_DATA)
            raise_ev(s, cb, SMTP_EV_INVALID_PIPELINED_SEQUENCE);
    }
    if (s->cmdq_len >= SMTP_CMDQ_MAX)
        return;                     /* its reply will be taken for a later one's */
    struct smtp_cmd *c = &s->cmdq[(s->cmdq_head + s->cmdq_len) % SMTP_CMDQ_MAX];
    c->cmd = cmd;
    c->tx_tag = tx_tag(s);
    s->cmdq_len++;
}

static void cmdq_pop(struct smtp_state *s)
{
    if (!s->cmdq_len)
        return;
    s->cmdq_head = (uint8_t)((s->cmdq_head + 1) % SMTP_CMDQ_MAX);
    s->cmdq_len--;
}

/* ---- MIME ------------------------------------------------------------- */

static bool hexu(uint8_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

/* Parameter `name` of a Content-Type/-Disposition value "type; a=b;
 * name="x"", case-insensitively, or its RFC 2231 sections name*0, name*1,
 * ... joined.  Quoted values are taken as they are between the quotes
 * (backslashes kept, as Suricata does).  Returns the length written to out
 * (at most cap), or -1 if absent. */
static int mime_param_find(const uint8_t *v, size_t n, const char *name, int section,
                           const uint8_t **val, size_t *vlen)
{
    const uint8_t *semi = memchr(v, ';', n);
    if (!semi)
        return -1;
    size_t i = (size_t)(semi - v) + 1, nl = strlen(name);
    while (i < n) {
        while (i < n && (mime_space(v[i]) || v[i] == ';'))
            i++;
        size_t ns = i;
        while (i < n && v[i] != '=' && v[i] != ';')
            i++;
        size_t ne = i;
        while (ne > ns && mime_space(v[ne - 1]))
            ne--;
        if (i >= n || v[i] == ';')
            continue;               /* a parameter without a value */
        i++;                        /* '=' */
        while (i < n && mime_space(v[i]))
            i++;
        size_t vs, ve;
        if (i < n && v[i] == '"') {
            vs = ++i;
            bool esc = false;
            while (i < n && (esc || v[i] != '"')) {
                esc = !esc && v[i] == '\\';
                i++;
            }
            ve = i;
            if (i < n)
                i++;                /* closing quote */
        } else {
            vs = i;
            while (i < n && v[i] != ';')
                i++;
            ve = i;
            while (ve > vs && mime_space(v[ve - 1]))
                ve--;
        }
        bool match;
        if (section < 0) {
            match = ne - ns == nl && ci_prefix(v + ns, ne - ns, name);
        } else {
            char suf[8];
            size_t sl = 0;
            suf[sl++] = '*';
            if (section >= 10)
                suf[sl++] = (char)('0' + section / 10);
            suf[sl++] = (char)('0' + section % 10);
            match = ne - ns == nl + sl && ci_prefix(v + ns, nl, name) &&
                    memcmp(v + ns + nl, suf, sl) == 0;
        }
        if (match) {
            *val = v + vs;
            *vlen = ve - vs;
            return 0;
        }
    }
    return -1;
}

static int mime_param(const uint8_t *v, size_t n, const char *name, uint8_t *out, size_t cap)
{
    const uint8_t *pv;
    size_t pl;
    if (mime_param_find(v, n, name, -1, &pv, &pl) == 0) {
        if (pl > cap)
            pl = cap;
        memcpy(out, pv, pl);
        return (int)pl;
    }
    size_t len = 0;
    int sec;
    for (sec = 0; sec < 64; sec++) {
        if (mime_param_find(v, n, name, sec, &pv, &pl) != 0)
            break;
        if (pl > cap - len)
            pl = cap - len;
        memcpy(out + len, pv, pl);
        len += pl;
    }
    return sec ? (int)len : -1;
}

/* An attachment's name, cut at SMTP_MIME_FILENAME_MAX as Suricata does. */
static void mime_attachment(struct smtp_state *s, const struct appl_cb *cb, const uint8_t *name,
                            size_t n)
{
    struct smtp_txdata *t = &s->tx;
    s->mime.attachment = true;
    if (n > SMTP_MIME_FILENAME_MAX) {
        raise_ev(s, cb, SMTP_EV_MIME_LONG_FILENAME);
        n = SMTP_MIME_FILENAME_MAX;
    }
    if (t->nattach >= SMTP_ATTACH_MAX) {
        t->truncated = true;
        return;
    }
    pool_add(t, name, n, &t->attach[t->nattach++]);
}

/* The end of a header block: Suricata's mime_smtp_process_headers. */
static void mime_block_end(struct smtp_state *s, const struct appl_cb *cb)
{
    struct smtp_mime *m = &s->mime;
    uint8_t val[SMTP_MIME_VALUE_MAX];
    int l;
    if (m->cdisp_seen && (l = mime_param((const uint8_t *)m->cdisp_val, m->cdisp_len, "filename",
                                         val, sizeof(val))) > 0)
        mime_attachment(s, cb, val, (size_t)l);
    if (m->ctype_seen) {
        const uint8_t *cv = (const uint8_t *)m->ctype_val;
        if (!m->attachment && (l = mime_param(cv, m->ctype_len, "name", val, sizeof(val))) > 0)
            mime_attachment(s, cb, val, (size_t)l);
        if ((l = mime_param(cv, m->ctype_len, "boundary", val, sizeof(val))) > 0) {
            if (l > SMTP_MIME_BOUNDARY_MAX)
                raise_ev(s, cb, SMTP_EV_MIME_LONG_BOUNDARY);
            size_t bl = (size_t)l + 2 < SMTP_BOUNDARY_LEN ? (size_t)l + 2 : SMTP_BOUNDARY_LEN;
            bool dup = false;
            for (unsigned i = 0; i < m->nboundary; i++)
                if (m->blen[i] == bl && memcmp(m->boundary[i] + 2, val, bl - 2) == 0)
                    dup = true;
            if (!dup && m->nboundary < SMTP_BOUNDARY_MAX) {
                char *b = m->boundary[m->nboundary];
                b[0] = b[1] = '-';
                memcpy(b + 2, val, bl - 2);
                m->blen[m->nboundary++] = (uint8_t)bl;
            }
        }
        size_t cl = 0;
        while (cl < m->ctype_len && cv[cl] != ';')
            cl++;
        while (cl && mime_space(cv[cl - 1]))
            cl--;
        if (ci_equal(cv, cl, "text/plain"))
            m->ctype = CT_TEXT;
        else if (ci_equal(cv, cl, "text/html"))
            m->ctype = CT_HTML;
        else
            m->ctype = CT_UNKNOWN;
    }
    size_t el = m->cte_len;
    while (el && mime_space((uint8_t)m->cte_val[el - 1]))
        el--;
    if (ci_equal((const uint8_t *)m->cte_val, el, "base64"))
        m->cte = CTE_B64;
    else if (ci_equal((const uint8_t *)m->cte_val, el, "quoted-printable"))
        m->cte = CTE_QP;
    m->b64_nb = 0;
    if (m->attachment && s->tx.file == FILE_NONE) {
        s->tx.file = FILE_ON;
        s->tx.file_eol = 0;
        s->tx.file_len = 0;
    }
    if (m->phase == MP_MAIN_HDR)
        s->tx.headers_done = true;
    m->phase = MP_BODY;
    m->cur_hdr = 0;
    m->cur_mime = CM_NONE;
}

static void mime_keep(char *dst, uint16_t *dlen, size_t cap, const uint8_t *p, size_t n)
{
    size_t room = cap - *dlen;
    if (n > room)
        n = room;
    memcpy(dst + *dlen, p, n);
    *dlen = (uint16_t)(*dlen + n);
}

/* A value continued on a folded line. */
static void mime_fold(struct smtp_state *s, const uint8_t *p, size_t n)
{
    struct smtp_mime *m = &s->mime;
    struct smtp_txdata *t = &s->tx;
    if (m->cur_hdr == CUR_RECEIVED && t->nreceived)
        pool_append(t, &t->received[t->nreceived - 1], p, n);
    else if (m->cur_hdr >= 1 && m->cur_hdr <= SMTP_HDR_MAX)
        pool_append(t, &t->hdr[m->cur_hdr - 1], p, n);
    if (m->cur_mime == CM_CTYPE)
        mime_keep(m->ctype_val, &m->ctype_len, sizeof(m->ctype_val), p, n);
    else if (m->cur_mime == CM_CDISP)
        mime_keep(m->cdisp_val, &m->cdisp_len, sizeof(m->cdisp_val), p, n);
    else if (m->cur_mime == CM_CTE)
        mime_keep(m->cte_val, &m->cte_len, sizeof(m->cte_val), p, n);
}

/* "Name: value" in a header block. */
static void mime_header(struct smtp_state *s, const struct appl_cb *cb, const uint8_t *b, size_t len)
{
    struct smtp_mime *m = &s->mime;
    struct smtp_txdata *t = &s->tx;
    const uint8_t *colon = memchr(b, ':', len);
    if (!colon)
        return;                     /* ignored, as Suricata does */
    size_t nl = (size_t)(colon - b), vs = nl + 1;
    while (vs < len && mime_space(b[vs]))
        vs++;
    const uint8_t *v = b + vs;
    size_t vl = len - vs;
    if (nl > SMTP_MIME_HDR_NAME_MAX)
        raise_ev(s, cb, SMTP_EV_MIME_LONG_HEADER_NAME);
    if (vl > SMTP_MIME_HDR_VALUE_MAX)
        raise_ev(s, cb, SMTP_EV_MIME_LONG_HEADER_VALUE);
    m->cur_hdr = 0;
    m->cur_mime = CM_NONE;
    if (m->phase == MP_MAIN_HDR) {
        if (ci_equal(b, nl, "received")) {
            if (t->nreceived < SMTP_RECEIVED_MAX) {
                pool_add(t, v, vl, &t->received[t->nreceived++]);
                m->cur_hdr = CUR_RECEIVED;
            } else {
                t->truncated = true;
            }
        }
        for (unsigned h = 0; h < SMTP_HDR_MAX; h++) {
            if (!ci_equal(b, nl, smtp_hdr_names[h]))
                continue;
            if (!(t->hdr_present & (1u << h))) {    /* the first one counts */
                t->hdr_present = (uint16_t)(t->hdr_present | (1u << h));
                pool_add(t, v, vl, &t->hdr[h]);
                m->cur_hdr = (uint8_t)(h + 1);
            }
            break;
        }
    }
    if (ci_equal(b, nl, "content-type")) {
        if (!m->ctype_seen) {
            m->ctype_seen = true;
            m->ctype_len = 0;
            mime_keep(m->ctype_val, &m->ctype_len, sizeof(m->ctype_val), v, vl);
            m->cur_mime = CM_CTYPE;
        }
    } else if (ci_equal(b, nl, "content-disposition")) {
        if (!m->cdisp_seen) {
            m->cdisp_seen = true;
            m->cdisp_len = 0;
            mime_keep(m->cdisp_val, &m->cdisp_len, sizeof(m->cdisp_val), v, vl);
            m->cur_mime = CM_CDISP;
        }
    } else if (ci_equal(b, nl, "content-transfer-encoding")) {
        m->cte_len = 0;
        mime_keep(m->cte_val, &m->cte_len, sizeof(m->cte_val), v, vl);
        m->cur_mime = CM_CTE;
    }
}

/* The URLs of a body line (full: the line with its terminator), one
 * scheme after the other as Suricata's mime_smtp_extract_urls. */
static void mime_urls(struct smtp_state *s, const uint8_t *full, size_t n)
{
    static const char *const schemes[] = { "http://", "https://", "ftp://", "mailto://" };
    struct smtp_txdata *t = &s->tx;
    unsigned want = s->opts.url_schemes ? s->opts.url_schemes : SMTP_URL_HTTP;
    if (s->opts.url_off)
        return;
    for (unsigned k = 0; k < sizeof(schemes) / sizeof(schemes[0]); k++) {
        if (!((want >> k) & 1u))
            continue;
        const size_t sl = strlen(schemes[k]);
        size_t keep = s->opts.url_log_scheme ? 0 : sl;
        size_t i = 0;
        while (n >= sl && i <= n - sl) {
            if (!ci_prefix(full + i, n - i, schemes[k])) {
                i++;
                continue;
            }
            size_t e = i;
            while (e < n && full[e] != ' ' && full[e] != '"' && full[e] != '\'' &&
                   full[e] != '<' && full[e] != '>' && full[e] != ']' && full[e] != '\t')
                e++;
            if (t->nurl < SMTP_URL_MAX)
                pool_add(t, full + i + keep, e - i - keep, &t->url[t->nurl++]);
            else
                t->truncated = true;
            i = e;                  /* e >= i + sl: past the scheme */
        }
    }
}

/* Base64 alphabet (RFC 4648 section 4, no padding): 1 per member. */
static const uint8_t b64_alpha[256] = {
    ['+'] = 1, ['/'] = 1,
    ['0'] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    ['A'] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    ['a'] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

/* Groups of 4 characters (spaces skipped, a group may span lines): the
 * first two from the alphabet, the third and fourth too unless padding.
 * The open group lives in locals while the line is walked (a body is
 * mostly base64: this loop sees every byte of an attachment). */
static void mime_b64_check(struct smtp_state *s, const struct appl_cb *cb, const uint8_t *b,
                           size_t len)
{
    struct smtp_mime *m = &s->mime;
    uint8_t g[4];
    unsigned nb = m->b64_nb;
    unsigned bad = 0;
    memcpy(g, m->b64_tmp, sizeof(g));
    for (size_t i = 0; i < len; i++) {
        uint8_t c = b[i];
        if (c == ' ')
            continue;
        g[nb++] = c;
        if (nb < 4)
            continue;
        nb = 0;
        unsigned ok = b64_alpha[g[0]] & b64_alpha[g[1]] &
                      (g[2] == '=' || (b64_alpha[g[2]] & (g[3] == '=' || b64_alpha[g[3]])));
        bad |= ok ^ 1u;
    }
    m->b64_nb = (uint8_t)nb;
    memcpy(m->b64_tmp, g, sizeof(g));
    if (bad)
        raise_ev(s, cb, SMTP_EV_MIME_INVALID_BASE64);
}

static void mime_qp_check(struct smtp_state *s, const struct appl_cb *cb, const uint8_t *b,
                          size_t len)
{
    bool bad = false;
    size_t i = 0;
    while (i < len) {
        if (b[i] != '=') {
            i++;
            continue;
        }
        if (i == len - 1)
            break;                  /* soft line break */
        if (i + 2 >= len) {
            bad = true;
            break;
        }
        if (!hexu(b[i + 1]) || !hexu(b[i + 2]))
            bad = true;
        i += 3;
    }
    if (bad)
        raise_ev(s, cb, SMTP_EV_MIME_INVALID_QP);
}

/* ---- the first attachment's content (file.data) ---- */

static void file_put(struct smtp_txdata *t, const uint8_t *p, size_t n)
{
    size_t room = SMTP_FILE_DATA_MAX - t->file_len;
    if (n > room)
        n = room;
    memcpy(t->file_data + t->file_len, p, n);
    t->file_len = (uint16_t)(t->file_len + n);
}

/* The previous line's break, now that another line of the part follows. */
static void file_eol_flush(struct smtp_txdata *t)
{
    static const uint8_t crlf[2] = { '\r', '\n' };
    if (t->file_eol)
        file_put(t, crlf + 2 - t->file_eol, t->file_eol);
    t->file_eol = 0;
}

static int b64_val(uint8_t c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/* The groups mime_b64_check will check on this line, decoded: it must run
 * first, from the same open group (which it leaves alone). */
static void file_b64(struct smtp_state *s, const uint8_t *b, size_t len)
{
    struct smtp_txdata *t = &s->tx;
    uint8_t g[4];
    unsigned nb = s->mime.b64_nb;
    memcpy(g, s->mime.b64_tmp, sizeof(g));
    for (size_t i = 0; i < len && t->file_len < SMTP_FILE_DATA_MAX; i++) {
        if (b[i] == ' ')
            continue;
        g[nb++] = b[i];
        if (nb < 4)
            continue;
        nb = 0;
        int v0 = b64_val(g[0]), v1 = b64_val(g[1]), v2 = b64_val(g[2]), v3 = b64_val(g[3]);
        uint8_t out[3];
        size_t n;
        if (v0 < 0 || v1 < 0)
            continue;
        out[0] = (uint8_t)(v0 << 2 | v1 >> 4);
        if (g[2] == '=') {
            n = 1;
        } else if (v2 < 0) {
            continue;
        } else {
            out[1] = (uint8_t)(v1 << 4 | v2 >> 2);
            if (g[3] == '=') {
                n = 2;
            } else if (v3 < 0) {
                continue;
            } else {
                out[2] = (uint8_t)(v2 << 6 | v3);
                n = 3;
            }
        }
        file_put(t, out, n);
    }
}

static int hexval(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = lower(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* A quoted-printable line: "=XX" is a byte, a final "=" a soft line break
 * (the next line continues this one); a bad escape is kept as it is. */
static void file_qp(struct smtp_txdata *t, const uint8_t *b, size_t len, uint8_t delim)
{
    file_eol_flush(t);
    size_t i = 0;
    while (i < len && t->file_len < SMTP_FILE_DATA_MAX) {
        size_t j = i;
        while (j < len && b[j] != '=')
            j++;
        file_put(t, b + i, j - i);
        if (j == len)
            break;
        if (j == len - 1)
            return;                 /* soft line break: no line break */
        int hi, lo;
        if (j + 2 < len && (hi = hexval(b[j + 1])) >= 0 && (lo = hexval(b[j + 2])) >= 0) {
            uint8_t c = (uint8_t)(hi << 4 | lo);
            file_put(t, &c, 1);
            i = j + 3;
        } else {
            file_put(t, b + j, 1);
            i = j + 1;
        }
    }
    t->file_eol = delim;
}

/* One body line of the first attachment. */
static void file_line(struct smtp_state *s, const uint8_t *b, size_t len, uint8_t delim)
{
    struct smtp_txdata *t = &s->tx;
    if (t->file_len >= SMTP_FILE_DATA_MAX)
        return;
    switch (s->mime.cte) {
    case CTE_B64:
        file_b64(s, b, len);
        break;
    case CTE_QP:
        file_qp(t, b, len, delim);
        break;
    default:
        file_eol_flush(t);
        file_put(t, b, len);
        t->file_eol = delim;
        break;
    }
}

/* One message line (dot-unstuffed); full_len counts its terminator. */
static void mime_line(struct smtp_state *s, const struct appl_cb *cb, const uint8_t *b, size_t len,
                      size_t full_len)
{
    struct smtp_mime *m = &s->mime;
    if (len > SMTP_MIME_LINE_MAX)
        raise_ev(s, cb, SMTP_EV_MIME_LONG_LINE);
    if (m->phase != MP_BODY) {
        if (len == 0) {
            mime_block_end(s, cb);
        } else if ((b[0] == ' ' || b[0] == '\t') && (m->cur_hdr || m->cur_mime)) {
            mime_fold(s, b + 1, len - 1);
        } else if (b[0] != ' ' && b[0] != '\t') {
            mime_header(s, cb, b, len);
        }
        return;
    }
    for (unsigned i = 0; i < m->nboundary; i++) {
        if (len >= m->blen[i] && memcmp(b, m->boundary[i], m->blen[i]) == 0) {
            /* a part's header block follows (or the epilogue) */
            if (s->tx.file == FILE_ON)
                s->tx.file = FILE_DONE;
            m->phase = MP_PART_HDR;
            m->attachment = false;
            m->cte = CTE_PLAIN;
            m->ctype_seen = m->cdisp_seen = false;
            m->ctype_len = m->cdisp_len = m->cte_len = 0;
            m->cur_hdr = 0;
            m->cur_mime = CM_NONE;
            m->b64_nb = 0;
            return;
        }
    }
    bool whole = full_len > len;    /* Suricata looks at lines with their LF only */
    if (!m->attachment) {
        if (whole && m->ctype != CT_UNKNOWN)
            mime_urls(s, b, full_len);
        return;
    }
    if (s->tx.file == FILE_ON)
        file_line(s, b, len, (uint8_t)(full_len - len));
    switch (m->cte) {
    case CTE_B64:
        if (len > SMTP_MIME_ENC_LINE_MAX)
            raise_ev(s, cb, SMTP_EV_MIME_LONG_ENC_LINE);
        mime_b64_check(s, cb, b, len);
        break;
    case CTE_QP:
        if (len > SMTP_MIME_ENC_LINE_MAX)
            raise_ev(s, cb, SMTP_EV_MIME_LONG_ENC_LINE);
        mime_qp_check(s, cb, b, len);
        break;
    default:
        if (whole)
            mime_urls(s, b, full_len);
        break;
    }
}

/* ---- the client ------------------------------------------------------- */

/* The word after prefix + 1 bytes and any spaces, up to the next space
 * (Suricata's SMTPParseCommandWithParam). */
static void cmd_param(const uint8_t *b, size_t len, size_t prefix, size_t *off, size_t *plen)
{
    size_t i = prefix + 1;
    if (i > len)
        i = len;
    while (i < len && b[i] == ' ')
        i++;
    size_t j = i;
    while (j < len && b[j] != ' ')
        j++;
    *off = i;
    *plen = j - i;
}

/* "BDAT" 1*SP size [1*SP "LAST"] *SP */
static bool bdat_parse(const uint8_t *b, size_t len, uint32_t *size, bool *last)
{
    size_t i = 4;
    if (i >= len || b[i] != ' ')
        return false;
    while (i < len && b[i] == ' ')
        i++;
    size_t ds = i;
    uint64_t v = 0;
    while (i < len && b[i] >= '0' && b[i] <= '9' && i - ds < 11) {
        v = v * 10 + (uint64_t)(b[i] - '0');
        i++;
    }
    if (i == ds || v > UINT32_MAX || (i < len && b[i] != ' '))
        return false;
    while (i < len && b[i] == ' ')
        i++;
    *last = false;
    if (i < len) {
        if (len - i < 4 || !ci_prefix(b + i, 4, "last"))
            return false;
        i += 4;
        while (i < len && b[i] == ' ')
            i++;
        if (i != len)
            return false;
        *last = true;
    }
    *size = (uint32_t)v;
    return true;
}

static void bdat_chunk_end(struct smtp_state *s)
{
    s->phase = PH_CMD;
    if (s->bdat_last && s->tx_open)
        s->bdat_data = BDAT_END;
}

static void client_command(struct smtp_state *s, const struct appl_cb *cb, const uint8_t *b,
                           size_t len)
{
    bool rset = len >= 4 && ci_prefix(b, len, "rset");
    bool quit = len >= 4 && ci_prefix(b, len, "quit");
    /* Which transaction the line belongs to (Suricata's NoNewTx). */
    if (!s->tx_ever) {
        tx_start(s);
    } else if (s->tx_open && (s->data == DATA_END || s->bdat_data == BDAT_END)) {
        if (!rset && !quit) {
            tx_emit(s, cb);         /* its reply has not come yet */
            tx_start(s);
        }
    } else if (!s->tx_open && !rset && !quit) {
        tx_start(s);
    }
    if (!s->first_reply)
        raise_ev(s, cb, SMTP_EV_NO_SERVER_WELCOME_MESSAGE);

    struct smtp_txdata *t = &s->tx;
    uint8_t cmd = CMD_OTHER;
    size_t off, pl;
    if (len >= 8 && ci_prefix(b, len, "starttls")) {
        cmd = CMD_STARTTLS;
    } else if (len >= 4 && ci_prefix(b, len, "data")) {
        if (s->tx_open && s->data == DATA_WAIT) {
            raise_ev(s, cb, SMTP_EV_UNPARSABLE_CONTENT);    /* DATA again, unanswered */
            return;
        }
        cmd = CMD_DATA;
        if (s->tx_open) {
            t->has_email = true;
            s->data = DATA_WAIT;
            memset(&s->mime, 0, sizeof(s->mime));
            if (s->pipelining) {    /* Suricata does not wait for the 354 then */
                s->data = DATA_IN;
                s->phase = PH_DATA;
            }
        }
    } else if (len >= 4 && ci_prefix(b, len, "bdat")) {
        uint32_t size;
        bool last;
        if (!bdat_parse(b, len, &size, &last)) {
            raise_ev(s, cb, SMTP_EV_INVALID_BDAT);
        } else {
            cmd = last ? CMD_BDAT_LAST : CMD_BDAT;
            s->bdat_last = last;
            s->bdat_left = size;
            s->phase = PH_BDAT;
            if (size == 0)
                bdat_chunk_end(s);
        }
    } else if (len >= 4 && (ci_prefix(b, len, "helo") || ci_prefix(b, len, "ehlo"))) {
        if (s->has_helo) {
            raise_ev(s, cb, SMTP_EV_DUPLICATE_FIELDS);
        } else {
            cmd_param(b, len, 4, &off, &pl);
            if (pl > SMTP_HELO_MAX)
                pl = SMTP_HELO_MAX;
            memcpy(s->helo, b + off, pl);
            s->helo_len = (uint16_t)pl;
            s->has_helo = true;
        }
    } else if (len >= 9 && ci_prefix(b, len, "mail from")) {
        if (s->tx_open) {
            if (t->has_mail_from) {
                raise_ev(s, cb, SMTP_EV_DUPLICATE_FIELDS);
            } else {
                cmd_param(b, len, 9, &off, &pl);
                pool_add(t, b + off, pl, &t->mail_from);
                t->has_mail_from = true;
            }
        }
    } else if (len >= 7 && ci_prefix(b, len, "rcpt to")) {
        if (s->tx_open) {
            cmd_param(b, len, 7, &off, &pl);
            if (t->nrcpt < SMTP_RCPT_MAX)
                pool_add(t, b + off, pl, &t->rcpt[t->nrcpt++]);
            else
                t->truncated = true;
        }
    } else if (rset) {
        cmd = CMD_RSET;
    }
    cmdq_push(s, cb, cmd);
}

static void client_line(struct smtp_state *s, const struct appl_cb *cb, const struct appl_line *ln)
{
    const uint8_t *b = ln->b;
    size_t len = ln->len;
    if (s->phase == PH_CMD) {
        client_command(s, cb, b, len);
        return;
    }
    /* PH_DATA: a message line */
    struct smtp_mime *m = &s->mime;
    bool mine = s->tx_open && s->data == DATA_IN;
    if (!ln->truncated && len == 1 && b[0] == '.') {
        s->phase = PH_CMD;
        if (mine) {
            s->data = DATA_END;
            if (m->md5_started) {
                MD5_CTX ctx;
                memcpy(&ctx, m->md5_ctx, sizeof(ctx));
                MD5_Final(s->tx.body_md5, &ctx);
                s->tx.has_body_md5 = true;
                m->md5_started = false;
            }
        }
        cmdq_push(s, cb, CMD_DATA_MODE);
        return;
    }
    if (mine && s->opts.body_md5 && s->tx.headers_done) {
        MD5_CTX ctx;
        if (!m->md5_started)
            MD5_Init(&ctx);
        else
            memcpy(&ctx, m->md5_ctx, sizeof(ctx));
        MD5_Update(&ctx, b, len + ln->delim);
        memcpy(m->md5_ctx, &ctx, sizeof(ctx));
        m->md5_started = true;
    }
    if (len && b[0] == '.') {       /* dot-stuffing, RFC 5321 4.5.2 */
        b++;
        len--;
    }
    if (mine)
        mime_line(s, cb, b, len, len + ln->delim);
}

/* ---- the server ------------------------------------------------------- */

static void server_line(struct smtp_state *s, const struct appl_cb *cb, const struct appl_line *ln)
{
    const uint8_t *b = ln->b;
    size_t len = ln->len;
    if (len == 0 && ln->delim == 1)
        return;                     /* a bare LF */
    if (s->cmdq_len && s->tx_open) {
        /* The reply to the end of a message closes its transaction, before
         * being read: what it does wrong is not the transaction's (Suricata
         * 8.0.7 raises no INVALID_REPLY for a bad one). */
        const struct smtp_cmd *c = &s->cmdq[s->cmdq_head];
        if (c->tx_tag == tx_tag(s) && ((c->cmd == CMD_DATA_MODE && s->data == DATA_END) ||
                                       (c->cmd == CMD_BDAT_LAST && s->bdat_data == BDAT_END)))
            tx_emit(s, cb);
    }
    if (len < 3) {
        raise_ev(s, cb, SMTP_EV_INVALID_REPLY);
        s->phase = PH_STOP;
        return;
    }
    if (len >= 4) {
        if (s->multiline) {
            if (b[3] != '-')
                s->multiline = false;
        } else if (b[3] == '-') {
            s->multiline = true;
        }
    } else {
        s->multiline = false;
    }
    if (!smtp_reply_code_known(b, len)) {
        raise_ev(s, cb, SMTP_EV_INVALID_REPLY);
        s->phase = PH_STOP;         /* Suricata's parser error: the flow is given up */
        return;
    }
    int code = reply_code(b, len);
    if (!s->cmdq_len) {
        if (!s->first_reply) {
            if (!s->multiline)
                s->first_reply = true;
            if (code != 220)
                raise_ev(s, cb, SMTP_EV_INVALID_REPLY);
        }
        return;
    }
    const struct smtp_cmd *c = &s->cmdq[s->cmdq_head];
    bool mine = s->tx_open && c->tx_tag == tx_tag(s);
    switch (c->cmd) {
    case CMD_STARTTLS:
        if (code == 220) {
            tx_emit(s, cb);
            s->phase = PH_STOP;     /* TLS from here on */
            return;
        }
        raise_ev(s, cb, SMTP_EV_TLS_REJECTED);
        break;
    case CMD_DATA:
        if (code == 354) {
            if (mine && s->data == DATA_WAIT) {
                s->data = DATA_IN;
                s->phase = PH_DATA;
            }
        } else {
            raise_ev(s, cb, SMTP_EV_DATA_COMMAND_REJECTED);
            if (mine && (s->data == DATA_WAIT || s->data == DATA_IN)) {
                s->data = DATA_NONE;
                if (s->phase == PH_DATA)
                    s->phase = PH_CMD;
            }
        }
        break;
    case CMD_RSET:
        if (code == 250 && !s->multiline)
            tx_emit(s, cb);
        break;
    default:
        break;
    }
    if (!s->multiline)
        cmdq_pop(s);
    else if (s->first_reply && code == 250 && len == 14 && ci_prefix(b + 4, 10, "pipelining"))
        s->pipelining = true;
}

/* ---- the feed --------------------------------------------------------- */

size_t smtp_feed(struct smtp_state *s, bool toserver, const uint8_t *p, size_t n,
                 unsigned flags, const struct appl_cb *cb)
{
    int d = toserver ? 0 : 1;
    if (flags & APPL_GAP) {
        uint64_t lost = cb ? cb->gap : 0;
        if (toserver && s->phase == PH_BDAT && lost && lost <= s->bdat_left) {
            s->bdat_left -= (uint32_t)lost;     /* octets of the chunk: skip them */
            if (s->bdat_left == 0)
                bdat_chunk_end(s);
        } else {
            s->discard[d] = true;   /* resume at the next line */
            if (toserver && s->phase == PH_BDAT)
                s->phase = PH_CMD;
            if (!toserver)
                s->multiline = false;
        }
    }
    size_t used = 0;
    while (used < n) {
        if (s->phase == PH_STOP) {
            used = n;
            break;
        }
        if (toserver && s->phase == PH_BDAT) {
            size_t k = n - used;
            if (k > s->bdat_left)
                k = s->bdat_left;
            used += k;
            s->bdat_left -= (uint32_t)k;
            if (s->bdat_left == 0)
                bdat_chunk_end(s);
            continue;
        }
        struct appl_line ln;
        size_t k = appl_line_next(p + used, n - used, SMTP_LINE_MAX, &s->discard[d], &ln);
        if (k == 0)
            break;
        used += k;
        if (!ln.b)
            continue;
        if (toserver)
            client_line(s, cb, &ln);
        else
            server_line(s, cb, &ln);
        if (ln.truncated)
            raise_ev(s, cb, SMTP_EV_TRUNCATED_LINE);
    }
    if (flags & APPL_EOF) {
        used = n;                   /* an unfinished line is not a command */
        s->eof[d] = true;
        if (s->eof[0] && s->eof[1])
            tx_emit(s, cb);
    }
    return used;
}
