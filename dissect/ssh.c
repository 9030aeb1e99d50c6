/* dissect/ssh.c: SSH identification strings and KEXINIT HASSH over a
 * reassembled stream (see ssh.h).
 *
 * Bounds: a line is looked for in at most SSH_LINE_MAX bytes; a record
 * header needs 6 bytes; a KEXINIT is parsed only when all of it is in
 * [p, p + n), and each name-list length is checked against what is left of
 * the record before it is read.  Lengths from the wire are widened to 64
 * bits before any addition, so packet_length 0xffffffff cannot wrap.  Every
 * loop consumes at least one byte or stops.  The MD5 (libcrypto) runs once
 * per side per flow, on a stack context: no allocation. */
#define OPENSSL_API_COMPAT 0x10100000L
#include "dissect/ssh.h"

#include <openssl/md5.h>

enum ssh_phase {
    SSH_PH_BANNER = 0,      /* looking for the identification line */
    SSH_PH_BANNER_EOL,      /* skipping the rest of a too long banner line */
    SSH_PH_RECORDS,         /* binary packets in the clear */
    SSH_PH_DONE,            /* nothing more wanted: consume everything */
};

#define SSH_REC_HDR 6       /* packet_length, padding_length, message code */
#define SSH_COOKIE  16
#define SSH_KEX_LISTS 10    /* name-lists in a KEXINIT (RFC 4253 7.1) */

static const char *const ssh_event_names[] = {
#define SSH_EV_NAME(id, name) name,
    SSH_EVENTS(SSH_EV_NAME)
#undef SSH_EV_NAME
};

const char *ssh_event_name(unsigned ev)
{
    return ev < SSH_EV_MAX ? ssh_event_names[ev] : "unknown";
}

void ssh_state_init(struct ssh_state *s)
{
    memset(s, 0, sizeof(*s));
}

static void ssh_anomaly(const struct appl_cb *cb, enum ssh_event ev)
{
    if (cb && cb->anomaly)
        cb->anomaly(cb->ctx, ssh_event_names[ev]);
}

enum ssh_line_res { SSH_LINE_OK, SSH_LINE_NEED, SSH_LINE_LONG };

/* The line at the start of [p, p + n), its terminator looked for in the
 * first max bytes: LF, CR LF, or a CR followed by anything else (Suricata's
 * ssh_parse_line).  OK: *len is the line without terminator, *used with
 * it.  NEED: no terminator yet in fewer than max bytes (or a CR is the last
 * byte and more may follow).  LONG: none in the first max bytes. */
static enum ssh_line_res ssh_line(const uint8_t *p, size_t n, size_t max, bool eof,
                                  size_t *len, size_t *used)
{
    size_t lim = n < max ? n : max;
    for (size_t i = 0; i < lim; i++) {
        if (p[i] == '\n') {
            *len = i;
            *used = i + 1;
            return SSH_LINE_OK;
        }
        if (p[i] == '\r') {
            if (i + 1 < n) {
                *len = i;
                *used = i + 1 + (p[i + 1] == '\n');
                return SSH_LINE_OK;
            }
            if (eof) {
                *len = i;
                *used = i + 1;
                return SSH_LINE_OK;
            }
            return SSH_LINE_NEED;
        }
    }
    return n >= max ? SSH_LINE_LONG : SSH_LINE_NEED;
}

static bool ssh_starts_banner(const uint8_t *p, size_t n)
{
    return n >= 4 && memcmp(p, "SSH-", 4) == 0;
}

/* "SSH-protoversion-softwareversion[ SP comments]" in [p, p + n), the line
 * without terminator.  Fills the side; false if it is not of that form. */
static bool ssh_banner_parse(const uint8_t *p, size_t n, struct ssh_side *sd)
{
    if (!ssh_starts_banner(p, n))
        return false;
    size_t i = 4, ps = 4;
    while (i < n && p[i] != '-')
        i++;
    if (i == n || i == ps)
        return false;       /* no '-' after the version, or empty version */
    size_t pl = i - ps;
    size_t ss = i + 1, se = ss;
    while (se < n && p[se] != ' ')
        se++;
    size_t sl = se - ss;
    if (pl > SSH_VERSION_MAX)
        pl = SSH_VERSION_MAX;
    if (sl > SSH_VERSION_MAX)
        sl = SSH_VERSION_MAX;
    memcpy(sd->proto, p + ps, pl);
    sd->proto_len = (uint8_t)pl;
    memcpy(sd->soft, p + ss, sl);
    sd->soft_len = (uint8_t)sl;
    sd->banner = true;
    return true;
}

/* SSH-2 framing follows only for protocol 2.0, or 1.99 (RFC 4253 5.1). */
static bool ssh_side_is_v2(const struct ssh_side *sd)
{
    return (sd->proto_len == 3 && memcmp(sd->proto, "2.0", 3) == 0) ||
           (sd->proto_len == 4 && memcmp(sd->proto, "1.99", 4) == 0);
}

struct ssh_span {
    const uint8_t *p;
    uint32_t len;
};

/* KEXINIT payload after the message code, [q, q + m): cookie, ten
 * name-lists, first_kex_packet_follows, reserved (RFC 4253 7.1).  Suricata
 * requires all of it to be there; so do we. */
static bool ssh_kexinit_lists(const uint8_t *q, size_t m, struct ssh_span l[SSH_KEX_LISTS])
{
    if (m < SSH_COOKIE)
        return false;
    size_t off = SSH_COOKIE;
    for (unsigned i = 0; i < SSH_KEX_LISTS; i++) {
        if (m - off < 4)
            return false;
        uint32_t len = ns_load_be32(q + off);
        off += 4;
        if (len > m - off)
            return false;
        l[i].p = q + off;
        l[i].len = len;
        off += len;
    }
    return m - off >= 5;
}

static void ssh_md5_hex(const uint8_t *s, size_t n, char out[33])
{
    static const char hex[16] = "0123456789abcdef";
    uint8_t md[MD5_DIGEST_LENGTH];
    MD5_CTX c;
    MD5_Init(&c);
    MD5_Update(&c, s, n);
    MD5_Final(md, &c);
    for (unsigned i = 0; i < MD5_DIGEST_LENGTH; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[32] = '\0';
}

/* This side's HASSH from its KEXINIT payload: lists 0 (kex), then
 * encryption, MAC and compression for its own sending direction
 * (client: 2, 4, 6; server: 3, 5, 7). */
static void ssh_kexinit(struct ssh_side *sd, bool server, const uint8_t *q, size_t m,
                        const struct appl_cb *cb)
{
    struct ssh_span l[SSH_KEX_LISTS];
    if (!ssh_kexinit_lists(q, m, l)) {
        ssh_anomaly(cb, SSH_EV_INVALID_RECORD);
        return;
    }
    const unsigned idx[4] = { 0, 2u + server, 4u + server, 6u + server };
    size_t total = 3;
    for (unsigned i = 0; i < 4; i++)
        total += l[idx[i]].len;
    if (total > SSH_HASSH_STRING_MAX) {
        ssh_anomaly(cb, SSH_EV_LONG_KEX_RECORD);
        return;
    }
    size_t o = 0;
    for (unsigned i = 0; i < 4; i++) {
        if (i)
            sd->hassh_string[o++] = ';';
        memcpy(sd->hassh_string + o, l[idx[i]].p, l[idx[i]].len);
        o += l[idx[i]].len;
    }
    sd->hassh_len = (uint16_t)o;
    ssh_md5_hex((const uint8_t *)sd->hassh_string, o, sd->hassh_hash);
    sd->hassh = true;
}

static void ssh_emit(struct ssh_state *s, const struct appl_cb *cb)
{
    if (s->emitted)
        return;
    s->emitted = true;
    s->d[0].phase = SSH_PH_DONE;
    s->d[1].phase = SSH_PH_DONE;
    if (!s->side[0].banner && !s->side[1].banner)
        return;
    struct ssh_tx tx = { .tx_id = 0, .client = &s->side[0], .server = &s->side[1] };
    if (cb && cb->tx)
        cb->tx(cb->ctx, &tx);
}

/* Identification phase.  Returns bytes consumed; changes d->phase. */
static size_t ssh_banner(struct ssh_state *s, int dir, const uint8_t *p, size_t n, bool eof,
                         const struct appl_cb *cb)
{
    struct ssh_dir *d = &s->d[dir];
    struct ssh_side *sd = &s->side[dir];
    size_t off = 0;
    while (off < n && d->phase == SSH_PH_BANNER) {
        size_t len = 0, used = 0;
        enum ssh_line_res r = ssh_line(p + off, n - off, SSH_LINE_MAX, eof, &len, &used);
        if (r == SSH_LINE_NEED)
            return eof ? n : off;
        if (r == SSH_LINE_LONG) {
            if (ssh_banner_parse(p + off, SSH_LINE_MAX - 1, sd)) {
                ssh_anomaly(cb, SSH_EV_LONG_BANNER);
                d->phase = SSH_PH_BANNER_EOL;
                off += SSH_LINE_MAX;
            } else {
                ssh_anomaly(cb, SSH_EV_INVALID_BANNER);
                d->phase = SSH_PH_DONE;
                off = n;
            }
            break;
        }
        if (ssh_starts_banner(p + off, len)) {
            if (ssh_banner_parse(p + off, len, sd)) {
                d->phase = ssh_side_is_v2(sd) ? SSH_PH_RECORDS : SSH_PH_DONE;
                off += used;
            } else {
                ssh_anomaly(cb, SSH_EV_INVALID_BANNER);
                d->phase = SSH_PH_DONE;
                off = n;
            }
            break;
        }
        /* RFC 4253 4.2: only the server may send lines before its banner */
        if (dir == 0 || d->pre_lines >= SSH_PRE_LINES_MAX) {
            ssh_anomaly(cb, SSH_EV_INVALID_BANNER);
            d->phase = SSH_PH_DONE;
            return n;
        }
        d->pre_lines++;
        off += used;
    }
    return off;
}

/* Rest of a long banner line, terminator included. */
static size_t ssh_banner_eol(struct ssh_state *s, int dir, const uint8_t *p, size_t n, bool eof)
{
    size_t len = 0, used = 0;
    enum ssh_line_res r = ssh_line(p, n, n, eof, &len, &used);
    if (r != SSH_LINE_OK) {
        /* all of it is line; keep a trailing CR to see whether LF follows */
        return (!eof && n && p[n - 1] == '\r') ? n - 1 : n;
    }
    s->d[dir].phase = ssh_side_is_v2(&s->side[dir]) ? SSH_PH_RECORDS : SSH_PH_DONE;
    return used;
}

/* Binary packets.  Returns bytes consumed. */
static size_t ssh_records(struct ssh_state *s, int dir, const uint8_t *p, size_t n, bool eof,
                          const struct appl_cb *cb)
{
    struct ssh_dir *d = &s->d[dir];
    size_t off = 0;
    while (off < n && d->phase == SSH_PH_RECORDS) {
        if (d->skip) {
            size_t k = d->skip < n - off ? (size_t)d->skip : n - off;
            off += k;
            d->skip -= k;
            continue;
        }
        if (n - off < SSH_REC_HDR)
            return eof ? n : off;
        uint32_t plen = ns_load_be32(p + off);
        if (plen < 2) {     /* no room for padding_length and a message code */
            ssh_anomaly(cb, SSH_EV_INVALID_RECORD);
            d->phase = SSH_PH_DONE;
            return n;
        }
        uint8_t code = p[off + 5];
        uint64_t rec = 4 + (uint64_t)plen;
        if (code == SSH_MSG_NEWKEYS) {
            d->phase = SSH_PH_DONE;     /* what follows is encrypted */
            return n;
        }
        if (code != SSH_MSG_KEXINIT || d->kexinit) {
            d->skip = rec;
            continue;
        }
        if (rec > SSH_KEXINIT_MAX) {
            ssh_anomaly(cb, SSH_EV_LONG_KEX_RECORD);
            d->kexinit = true;
            d->skip = rec;
        } else {
            if (n - off < rec)
                return eof ? n : off;   /* the caller keeps it for us */
            ssh_kexinit(&s->side[dir], dir == 1, p + off + SSH_REC_HDR,
                        (size_t)rec - SSH_REC_HDR, cb);
            d->kexinit = true;
            off += (size_t)rec;
        }
        if (s->d[0].kexinit && s->d[1].kexinit)
            ssh_emit(s, cb);
    }
    return d->phase == SSH_PH_DONE ? n : off;
}

size_t ssh_feed(struct ssh_state *s, bool toserver, const uint8_t *p, size_t n,
                unsigned flags, const struct appl_cb *cb)
{
    int dir = toserver ? 0 : 1;
    struct ssh_dir *d = &s->d[dir];
    bool eof = (flags & APPL_EOF) != 0;
    if (flags & APPL_GAP) {
        /* bytes lost inside a record being skipped: skip fewer; anywhere
         * else the framing is lost and nothing more can be read */
        uint64_t lost = cb ? cb->gap : 0;
        if (d->phase == SSH_PH_RECORDS && lost && lost <= d->skip)
            d->skip -= lost;
        else if (d->phase != SSH_PH_DONE)
            d->phase = SSH_PH_DONE;
    }
    size_t off = 0;
    /* each pass consumes bytes or changes phase; phases only move forward */
    for (unsigned pass = 0; pass < 4 && off < n; pass++) {
        size_t used = 0;
        switch (d->phase) {
        case SSH_PH_BANNER:
            used = ssh_banner(s, dir, p + off, n - off, eof, cb);
            break;
        case SSH_PH_BANNER_EOL:
            used = ssh_banner_eol(s, dir, p + off, n - off, eof);
            break;
        case SSH_PH_RECORDS:
            used = ssh_records(s, dir, p + off, n - off, eof, cb);
            break;
        default:
            used = n - off;
            break;
        }
        off += used;
        if (used == 0)
            break;
    }
    if (eof) {
        off = n;
        d->eof = true;
        if (s->d[0].eof && s->d[1].eof)
            ssh_emit(s, cb);
    }
    return off;
}
