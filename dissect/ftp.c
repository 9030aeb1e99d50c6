/* dissect/ftp.c: FTP control channel commands and replies, one
 * transaction per command (see ftp.h).  Transaction and reply handling
 * follow Suricata's src/app-layer-ftp.c and rust/src/ftp (8.x); replies
 * are grouped by RFC 959's multi-line rule so that a transaction is handed
 * out once, whole.  Every read stays inside [p, p + n). */
#include "dissect/ftp.h"

#include <string.h>

static const char *const ftp_event_names[FTP_EV_MAX] = {
#define FTP_EV_NAME(id, name) name,
    FTP_EVENTS(FTP_EV_NAME)
#undef FTP_EV_NAME
};

static const char *const ftp_command_names[FTP_CMD_MAX] = {
    NULL,
#define FTP_CMD_NAME(id, name) name,
    FTP_COMMANDS(FTP_CMD_NAME)
#undef FTP_CMD_NAME
};

const char *ftp_event_name(unsigned ev)
{
    return ev < FTP_EV_MAX ? ftp_event_names[ev] : "unknown";
}

const char *ftp_command_name(unsigned cmd)
{
    return cmd < FTP_CMD_MAX ? ftp_command_names[cmd] : NULL;
}

void ftp_state_init(struct ftp_state *s)
{
    memset(s, 0, sizeof(*s));
}

/* ---- helpers ---------------------------------------------------------- */

static uint8_t upper(uint8_t c)
{
    return (c >= 'a' && c <= 'z') ? (uint8_t)(c - 32) : c;
}

static bool digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}

/* C isspace() */
static bool space(uint8_t c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

/* p starts with lit (upper case), case-insensitively */
static bool ci_prefix(const uint8_t *p, size_t n, const char *lit)
{
    size_t l = strlen(lit);
    if (n < l)
        return false;
    for (size_t i = 0; i < l; i++)
        if (upper(p[i]) != (uint8_t)lit[i])
            return false;
    return true;
}

/* A cursor over [p, p + n) for the port grammars. */
struct cur {
    const uint8_t *p;
    size_t n, i;
};

static bool cur_lit(struct cur *c, const char *lit)
{
    size_t l = strlen(lit);
    if (c->n - c->i < l || memcmp(c->p + c->i, lit, l) != 0)
        return false;
    c->i += l;
    return true;
}

static void cur_spaces(struct cur *c)
{
    while (c->i < c->n && (c->p[c->i] == ' ' || c->p[c->i] == '\t' || c->p[c->i] == '\r' ||
                           c->p[c->i] == '\n'))
        c->i++;
}

/* digit1 as a number; false if none or above max */
static bool cur_num(struct cur *c, uint32_t max, uint32_t *v)
{
    size_t s = c->i;
    uint64_t x = 0;
    while (c->i < c->n && digit(c->p[c->i])) {
        x = x * 10 + (uint64_t)(c->p[c->i] - '0');
        if (x > max)
            return false;
        c->i++;
    }
    *v = (uint32_t)x;
    return c->i > s;
}

/* Moves past the first occurrence of lit; consume: past it too. */
static bool cur_until(struct cur *c, const char *lit, bool consume)
{
    size_t l = strlen(lit);
    for (size_t j = c->i; c->n >= l && j <= c->n - l; j++) {
        if (memcmp(c->p + j, lit, l) == 0) {
            c->i = consume ? j + l : j;
            return true;
        }
    }
    return false;
}

/* "h1,h2,h3,h4,p1,p2" with spaces allowed around the numbers when sp */
static uint16_t six_numbers(struct cur *c, bool first_sp, bool port_sp)
{
    uint32_t v, p1, p2;
    if (first_sp)
        cur_spaces(c);
    if (!cur_num(c, UINT32_MAX, &v))
        return 0;
    if (first_sp)
        cur_spaces(c);
    for (int k = 0; k < 3; k++)
        if (!cur_lit(c, ",") || !cur_num(c, UINT32_MAX, &v))
            return 0;
    if (!cur_lit(c, ","))
        return 0;
    if (port_sp)
        cur_spaces(c);
    if (!cur_num(c, 65535, &p1) || p1 > 255)
        return 0;
    if (port_sp)
        cur_spaces(c);
    if (!cur_lit(c, ","))
        return 0;
    if (port_sp)
        cur_spaces(c);
    if (!cur_num(c, 65535, &p2) || p2 > 255)
        return 0;
    if (port_sp)
        cur_spaces(c);
    return (uint16_t)(p1 * 256 + p2);
}

uint16_t ftp_parse_port(const uint8_t *p, size_t n)
{
    struct cur c = { p, n, 0 };
    if (!ci_prefix(p, n, "PORT"))
        return 0;
    c.i = 4;
    return six_numbers(&c, true, false);
}

uint16_t ftp_parse_pasv(const uint8_t *p, size_t n)
{
    struct cur c = { p, n, 0 };
    if (!cur_lit(&c, "227") || !cur_until(&c, "(", true))
        return 0;
    uint16_t port = six_numbers(&c, false, true);
    if (!port || !(cur_lit(&c, ").") || cur_lit(&c, ")")))
        return 0;
    return port;
}

uint16_t ftp_parse_epsv(const uint8_t *p, size_t n)
{
    struct cur c = { p, n, 0 };
    uint32_t v;
    if (!cur_lit(&c, "229") || !cur_until(&c, "|||", true))
        return 0;
    cur_spaces(&c);
    if (!cur_num(&c, 65535, &v))
        return 0;
    cur_spaces(&c);
    if (!(cur_lit(&c, "|).") || cur_lit(&c, "|)")))
        return 0;
    return (uint16_t)v;
}

uint16_t ftp_parse_eprt(const uint8_t *p, size_t n)
{
    struct cur c = { p, n, 0 };
    uint32_t v;
    if (!ci_prefix(p, n, "EPRT"))
        return 0;
    c.i = 4;
    for (int k = 0; k < 3; k++)
        if (!cur_until(&c, "|", true))
            return 0;
    cur_spaces(&c);
    if (!cur_num(&c, 65535, &v))
        return 0;
    cur_spaces(&c);
    if (!cur_lit(&c, "|"))
        return 0;
    return (uint16_t)v;
}

/* ---- transactions ----------------------------------------------------- */

static struct ftp_tx *slot_at(struct ftp_state *s, unsigned i)
{
    return &s->slot[(s->head + i) % FTP_PENDING_MAX];
}

static struct ftp_tx *tx_new(struct ftp_state *s, uint8_t cmd)
{
    struct ftp_tx *t = slot_at(s, s->count);
    memset(t, 0, offsetof(struct ftp_tx, text));
    t->tx_id = s->next_tx_id++;
    t->command = cmd;
    s->count++;
    return t;
}

/* Hands the oldest waiting transaction out and frees its slot. */
static void tx_emit_oldest(struct ftp_state *s, const struct appl_cb *cb)
{
    if (!s->count)
        return;
    struct ftp_tx *t = slot_at(s, 0);
    if (cb && cb->tx)
        cb->tx(cb->ctx, t);
    s->head = (uint8_t)((s->head + 1) % FTP_PENDING_MAX);
    s->count--;
}

static void raise_ev(const struct appl_cb *cb, enum ftp_event e)
{
    if (cb && cb->anomaly)
        cb->anomaly(cb->ctx, ftp_event_name(e));
}

/* ---- the client ------------------------------------------------------- */

static uint8_t command_lookup(const uint8_t *b, size_t len)
{
    for (unsigned c = 1; c < FTP_CMD_MAX; c++) {
        const char *name = ftp_command_names[c];
        size_t l = strlen(name);
        if (ci_prefix(b, len, name) && (len == l || space(b[l])))
            return (uint8_t)c;
    }
    return FTP_CMD_NONE;
}

static void client_line(struct ftp_state *s, const struct appl_cb *cb, const struct appl_line *ln)
{
    uint8_t cmd = command_lookup(ln->b, ln->len);
    if (cmd == FTP_CMD_NONE)
        return;                     /* Suricata keeps no transaction for it */
    if (s->count == FTP_PENDING_MAX) {
        /* the oldest goes out unanswered; the rest of a reply it was
         * getting goes to the next */
        tx_emit_oldest(s, cb);
    }
    struct ftp_tx *t = tx_new(s, cmd);
    size_t len = ln->len;
    while (len && space(ln->b[len - 1]))
        len--;
    memcpy(t->text, ln->b, len);    /* len <= FTP_LINE_MAX */
    t->request_len = (uint16_t)len;
    t->text_len = (uint16_t)len;
    t->request_truncated = ln->truncated;
    if (ln->truncated)
        raise_ev(cb, FTP_EV_REQUEST_COMMAND_TOO_LONG);
    if (cmd == FTP_CMD_PORT || cmd == FTP_CMD_EPRT) {
        uint16_t port = cmd == FTP_CMD_PORT ? ftp_parse_port(ln->b, ln->len)
                                            : ftp_parse_eprt(ln->b, ln->len);
        if (port) {
            /* Suricata takes it when the reply comes, whatever the reply */
            t->dyn_port = port;
            t->active = true;
        } else {
            t->port_failed = true;
        }
    }
}

/* ---- the server ------------------------------------------------------- */

static void reply_keep(struct ftp_tx *t, const uint8_t *b, size_t len)
{
    while (len && space(b[len - 1]))
        len--;
    if (!len)
        return;
    struct ftp_reply_line rl;
    memset(&rl, 0, sizeof(rl));
    const uint8_t *text = b;
    size_t tl = len;
    if (len >= 4 && digit(b[0]) && digit(b[1]) && digit(b[2]) && b[3] == ' ') {
        memcpy(rl.code, b, 3);
        rl.has_code = true;
        text = b + 4;
        tl = len - 4;
    }
    size_t room = FTP_TX_TEXT_MAX - t->text_len;
    if (t->nlines >= FTP_REPLY_LINES_MAX || room == 0) {
        t->partial = true;
        return;
    }
    if (tl > room) {
        tl = room;
        t->partial = true;
    }
    memcpy(t->text + t->text_len, text, tl);
    rl.off = t->text_len;
    rl.len = (uint16_t)tl;
    t->text_len = (uint16_t)(t->text_len + tl);
    t->line[t->nlines++] = rl;
}

static void server_line(struct ftp_state *s, const struct appl_cb *cb, const struct appl_line *ln)
{
    const uint8_t *b = ln->b;
    size_t len = ln->len;
    if (!s->in_reply || !s->count) {
        /* a reply starts: for the oldest waiting transaction, or a new
         * reply-only one (the greeting, an unknown command's reply) */
        if (!s->count)
            tx_new(s, FTP_CMD_NONE);
        s->in_reply = true;
    }
    struct ftp_tx *t = slot_at(s, 0);   /* replies come in order */

    uint16_t port = 0;
    if (t->command == FTP_CMD_PASV && len >= 4 && memcmp(b, "227 ", 4) == 0) {
        port = ftp_parse_pasv(b, len);
        if (!port)
            port = ftp_parse_epsv(b, len);
    } else if (t->command == FTP_CMD_EPSV && len >= 4 && memcmp(b, "229 ", 4) == 0) {
        port = ftp_parse_pasv(b, len);
        if (!port)
            port = ftp_parse_epsv(b, len);
    }
    if (port) {
        t->dyn_port = port;
        t->active = false;
    }
    if (t->dyn_port) {
        s->dyn_port = t->dyn_port;
        s->active = t->active;
    }
    if (ln->truncated) {
        t->reply_truncated = true;
        raise_ev(cb, FTP_EV_RESPONSE_COMMAND_TOO_LONG);
    }
    if (!t->port_failed)
        reply_keep(t, b, len);

    bool final;
    bool code3 = len >= 3 && digit(b[0]) && digit(b[1]) && digit(b[2]);
    if (!s->multiline) {
        final = !(code3 && len >= 4 && b[3] == '-');
        if (!final) {
            s->multiline = true;
            memcpy(s->ml_code, b, 3);
        }
    } else {
        final = code3 && memcmp(b, s->ml_code, 3) == 0 && (len == 3 || b[3] == ' ');
        if (final)
            s->multiline = false;
    }
    if (!final)
        return;
    s->in_reply = false;
    /* a 1yz preliminary reply keeps the transaction waiting (FTPIsPPR) */
    bool ppr = len >= 4 && b[0] == '1' && digit(b[1]) && digit(b[2]) && space(b[3]);
    if (ppr && !t->port_failed)
        return;
    if (t->command == FTP_CMD_AUTH_TLS && len >= 4 && memcmp(b, "234 ", 4) == 0)
        s->stopped = true;
    t->reply_received = true;
    tx_emit_oldest(s, cb);
}

/* ---- the feed --------------------------------------------------------- */

size_t ftp_feed(struct ftp_state *s, bool toserver, const uint8_t *p, size_t n,
                unsigned flags, const struct appl_cb *cb)
{
    int d = toserver ? 0 : 1;
    if (flags & APPL_GAP) {
        s->discard[d] = true;
        if (!toserver) {
            s->multiline = false;
            s->in_reply = false;
        }
    }
    size_t used = 0;
    while (used < n) {
        if (s->stopped) {
            used = n;
            break;
        }
        struct appl_line ln;
        size_t k = appl_line_next(p + used, n - used, FTP_LINE_MAX, &s->discard[d], &ln);
        if (k == 0)
            break;
        used += k;
        if (!ln.b)
            continue;
        if (toserver)
            client_line(s, cb, &ln);
        else
            server_line(s, cb, &ln);
    }
    if (flags & APPL_EOF) {
        used = n;
        s->eof[d] = true;
        if (s->eof[0] && s->eof[1]) {
            s->in_reply = false;
            while (s->count)
                tx_emit_oldest(s, cb);
        }
    }
    return used;
}
