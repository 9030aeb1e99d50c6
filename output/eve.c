/* output/eve.c: EVE JSON records (see eve.h) built with output/json.h.
 *
 * Field names follow Suricata's EVE format (DESIGN.md section 4); what is
 * ours goes under "netscope".  Each function builds one whole line in the
 * caller's buffer or returns 0, and never allocates, locks or calls
 * snprintf: numbers go through json_u64, and timestamps, addresses, MACs
 * and hex flags are formatted here with digit tables into stack buffers
 * that already carry their quotes, then written with json_raw.
 *
 * Time: Suricata prints local time with a numeric offset.  localtime_r may
 * take glibc's time zone lock, so eve_timestamp asks it only when the hour
 * of packet time (ts / 3600) changes, and does the calendar arithmetic
 * itself (days to civil date, as in Howard Hinnant's date algorithms).  An
 * hour is cached only if the offset is the same at both of its ends; an
 * hour in which the offset changes at a time that is not a whole UTC hour
 * (Australia/Lord_Howe's 30-minute DST shift, some historical zones) is
 * not cached, and each record in it asks localtime_r for its own second.
 * localtime_r does not re-read TZ: a process that changes TZ must call
 * tzset() and then eve_ctx_init() again. */
#include "output/eve.h"

#include <time.h>

#include "dissect/app_detect.h"
#include "output/eve_int.h"
#include "output/json.h"

#define EVE_TZ_NONE INT64_MIN           /* tz_hour: nothing cached */

#define IPPROTO_NUM_ICMP   1
#define IPPROTO_NUM_TCP    6
#define IPPROTO_NUM_UDP    17
#define IPPROTO_NUM_GRE    47
#define IPPROTO_NUM_ICMPV6 58
#define IPPROTO_NUM_SCTP   132

static const char eve_hex[16] = "0123456789abcdef";

static const char eve_digits2[200] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

/* Two decimal digits of v (< 100). */
static inline char *eve_put2(char *p, unsigned v)
{
    memcpy(p, eve_digits2 + v * 2, 2);
    return p + 2;
}

/* v (< 1000) without leading zeros. */
static inline char *eve_put_dec3(char *p, unsigned v)
{
    if (v >= 100) {
        *p++ = (char)('0' + v / 100);
        return eve_put2(p, v % 100);
    }
    if (v >= 10)
        return eve_put2(p, v);
    *p++ = (char)('0' + v);
    return p;
}

static inline char *eve_put_hex2(char *p, uint8_t v)
{
    p[0] = eve_hex[v >> 4];
    p[1] = eve_hex[v & 15];
    return p + 2;
}

void eve_ctx_init(struct eve_ctx *ec, const char *pcap_filename, const char *in_iface)
{
    ec->pcap_filename = pcap_filename;
    ec->in_iface = in_iface;
    ec->tz_hour = EVE_TZ_NONE;
    ec->tz_off = 0;
    ec->ethernet = false;
    ec->community_id_seed = 0;
    memset(ec->cid, 0, sizeof(ec->cid));    /* flow id 0: nothing cached */
    ec->source_len = 0;
    const char *src = pcap_filename ? pcap_filename : in_iface;
    if (src) {
        struct json_buf jb;
        json_init(&jb, ec->source, sizeof(ec->source));
        json_str(&jb, NULL, src);
        if (json_ok(&jb))
            ec->source_len = jb.len;
    }
}

/* ------------------------------------------------------------------ */
/* timestamps */

static int32_t eve_tz_offset_at(int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!localtime_r(&tt, &tm))
        return 0;
    return (int32_t)tm.tm_gmtoff;
}

/* Offset at second `sec` of UTC hour `hour`; caches the hour when the
 * offset does not change inside it. */
static int32_t eve_tz_lookup(struct eve_ctx *ec, int64_t sec, int64_t hour)
{
    int32_t a = eve_tz_offset_at(hour * 3600);
    int32_t b = eve_tz_offset_at(hour * 3600 + 3599);
    if (likely(a == b)) {
        ec->tz_hour = hour;
        ec->tz_off = a;
        return a;
    }
    ec->tz_hour = EVE_TZ_NONE;
    return eve_tz_offset_at(sec);
}

/* Proleptic Gregorian date of day z (0 = 1970-01-01). */
static void eve_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    uint64_t doe = (uint64_t)(z - era * 146097);                    /* [0, 146096] */
    uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;   /* [0, 399] */
    uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);          /* [0, 365] */
    uint64_t mp = (5 * doy + 2) / 153;                              /* [0, 11], March first */
    *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

size_t eve_timestamp(struct eve_ctx *ec, uint64_t ts_us, char out[40])
{
    int64_t sec = (int64_t)(ts_us / 1000000);   /* < 2^45: no overflow below */
    unsigned usec = (unsigned)(ts_us % 1000000);
    int64_t hour = sec / 3600;
    int32_t off = likely(hour == ec->tz_hour) ? ec->tz_off : eve_tz_lookup(ec, sec, hour);

    int64_t local = sec + off;
    int64_t days = local / 86400, sod = local % 86400;
    if (sod < 0) {                              /* before 1970 in a zone west of UTC */
        sod += 86400;
        days--;
    }
    int64_t y;
    unsigned m, d;
    eve_civil_from_days(days, &y, &m, &d);

    char *p = out;
    if (likely(y >= 0 && y <= 9999)) {
        p = eve_put2(p, (unsigned)(y / 100));
        p = eve_put2(p, (unsigned)(y % 100));
    } else {                                    /* far future: more digits */
        char tmp[24];
        size_t n = 0;
        uint64_t v = (uint64_t)(y < 0 ? -y : y);
        do {
            tmp[n++] = (char)('0' + v % 10);
            v /= 10;
        } while (v);
        if (y < 0)
            *p++ = '-';
        while (n)
            *p++ = tmp[--n];
    }
    *p++ = '-';
    p = eve_put2(p, m);
    *p++ = '-';
    p = eve_put2(p, d);
    *p++ = 'T';
    p = eve_put2(p, (unsigned)(sod / 3600));
    *p++ = ':';
    p = eve_put2(p, (unsigned)(sod / 60 % 60));
    *p++ = ':';
    p = eve_put2(p, (unsigned)(sod % 60));
    *p++ = '.';
    p = eve_put2(p, usec / 10000);
    p = eve_put2(p, usec / 100 % 100);
    p = eve_put2(p, usec % 100);
    /* strftime's %z: sign, hours, minutes; seconds of an LMT offset dropped */
    uint32_t aoff = off < 0 ? (uint32_t)(-(int64_t)off) : (uint32_t)off;
    *p++ = off < 0 ? '-' : '+';
    p = eve_put2(p, (aoff / 3600) % 100);
    p = eve_put2(p, aoff / 60 % 60);
    *p = '\0';
    return (size_t)(p - out);
}

/* ------------------------------------------------------------------ */
/* addresses */

size_t eve_addr(uint8_t ip_v, const uint8_t addr[16], char out[48])
{
    char *p = out;
    if (ip_v == 4) {
        for (unsigned i = 0; i < 4; i++) {
            if (i)
                *p++ = '.';
            p = eve_put_dec3(p, addr[i]);
        }
    } else if (ip_v == 6) {
        for (unsigned i = 0; i < 16; i += 2) {
            if (i)
                *p++ = ':';
            p = eve_put_hex2(p, addr[i]);
            p = eve_put_hex2(p, addr[i + 1]);
        }
    }
    *p = '\0';
    return (size_t)(p - out);
}

/* ------------------------------------------------------------------ */
/* pieces shared by the records */

void eve_put_ts(struct eve_ctx *ec, struct json_buf *jb, const char *key, uint64_t ts_us)
{
    char q[42];
    size_t n = eve_timestamp(ec, ts_us, q + 1);
    q[0] = '"';
    q[n + 1] = '"';
    json_raw(jb, key, q, n + 2);
}

void eve_put_addr(struct json_buf *jb, const char *key, uint8_t ip_v, const uint8_t addr[16])
{
    char q[50];
    size_t n = eve_addr(ip_v, addr, q + 1);
    q[0] = '"';
    q[n + 1] = '"';
    json_raw(jb, key, q, n + 2);
}

static void eve_put_mac_key(struct json_buf *jb, const char *key, const uint8_t mac[6])
{
    char q[19];
    char *p = q;
    *p++ = '"';
    for (unsigned i = 0; i < 6; i++) {
        if (i)
            *p++ = ':';
        p = eve_put_hex2(p, mac[i]);
    }
    *p++ = '"';
    json_raw(jb, key, q, (size_t)(p - q));
}

void eve_put_mac(struct json_buf *jb, const uint8_t mac[6])
{
    eve_put_mac_key(jb, NULL, mac);
}

static void eve_put_hex_flags(struct json_buf *jb, const char *key, uint8_t v)
{
    char q[4] = { '"', eve_hex[v >> 4], eve_hex[v & 15], '"' };
    json_raw(jb, key, q, sizeof(q));
}

void eve_put_source(const struct eve_ctx *ec, struct json_buf *jb)
{
    if (ec->source_len && ec->pcap_filename)
        json_raw(jb, "pcap_filename", ec->source, ec->source_len);
    else if (ec->source_len && ec->in_iface)
        json_raw(jb, "in_iface", ec->source, ec->source_len);
    else if (ec->pcap_filename)
        json_str(jb, "pcap_filename", ec->pcap_filename);
    else if (ec->in_iface)
        json_str(jb, "in_iface", ec->in_iface);
}

void eve_put_vlan(struct json_buf *jb, const uint16_t *vlan, unsigned cnt)
{
    if (cnt == 0)
        return;
    if (cnt > DISSECT_MAX_VLAN)
        cnt = DISSECT_MAX_VLAN;
    json_arr_open(jb, "vlan");
    for (unsigned i = 0; i < cnt; i++)
        json_u64(jb, NULL, vlan[i]);
    json_arr_close(jb);
}

bool eve_proto_has_ports(uint8_t proto)
{
    return proto == IPPROTO_NUM_TCP || proto == IPPROTO_NUM_UDP || proto == IPPROTO_NUM_SCTP;
}

static bool eve_proto_is_icmp(uint8_t proto)
{
    return proto == IPPROTO_NUM_ICMP || proto == IPPROTO_NUM_ICMPV6;
}

/* Suricata's names for the protocols we see; others as the decimal number
 * (Suricata's fallback when the name is not known). */
const char *eve_proto_name(uint8_t proto)
{
    switch (proto) {
    case IPPROTO_NUM_TCP: return "TCP";
    case IPPROTO_NUM_UDP: return "UDP";
    case IPPROTO_NUM_ICMP: return "ICMP";
    case IPPROTO_NUM_ICMPV6: return "IPv6-ICMP";
    case IPPROTO_NUM_SCTP: return "SCTP";
    case IPPROTO_NUM_GRE: return "GRE";
    default: return NULL;
    }
}

void eve_put_proto(struct json_buf *jb, uint8_t proto)
{
    const char *name = eve_proto_name(proto);
    if (name) {
        json_str(jb, "proto", name);
        return;
    }
    char q[6];
    char *p = q;
    *p++ = '"';
    p = eve_put_dec3(p, proto);
    *p++ = '"';
    json_raw(jb, "proto", q, (size_t)(p - q));
}

/* ------------------------------------------------------------------ */
/* flow */

static const struct {
    uint8_t bit;
    const char *name;
} eve_tcp_bits[] = {
    /* Suricata's order and names: ECE is "ecn" */
    { 0x02, "syn" }, { 0x01, "fin" }, { 0x04, "rst" }, { 0x08, "psh" },
    { 0x10, "ack" }, { 0x20, "urg" }, { 0x40, "ecn" }, { 0x80, "cwr" },
};

static void eve_put_tcp(struct json_buf *jb, const struct flow *f)
{
    uint8_t all = f->tcp_flags[0] | f->tcp_flags[1];
    json_obj_open(jb, "tcp");
    eve_put_hex_flags(jb, "tcp_flags", all);
    eve_put_hex_flags(jb, "tcp_flags_ts", f->tcp_flags[0]);
    eve_put_hex_flags(jb, "tcp_flags_tc", f->tcp_flags[1]);
    for (size_t i = 0; i < NS_ARRAY_LEN(eve_tcp_bits); i++)
        if (all & eve_tcp_bits[i].bit)
            json_raw(jb, eve_tcp_bits[i].name, "true", 4);
    json_str(jb, "state", flow_tcp_state_name((enum flow_tcp_state)f->tcp_state));
    json_obj_close(jb);
}

size_t eve_flow(struct eve_ctx *ec, char *buf, size_t cap,
                const struct flow *f, enum flow_end_reason reason)
{
    struct json_buf jb;
    json_init(&jb, buf, cap);
    json_obj_open(&jb, NULL);

    /* "timestamp" is the flow's last packet time (eve.h).  Suricata writes
     * the engine's packet time when the record is logged (TimeGet() in
     * output-json-flow.c, through 8.x), which is not the flow start; our
     * closest value without a "now" argument is the last packet.  It is
     * also "flow.end", so it is formatted once. */
    char end[42];
    size_t end_len = eve_timestamp(ec, f->last_us, end + 1);
    end[0] = '"';
    end[end_len + 1] = '"';
    json_raw(&jb, "timestamp", end, end_len + 2);
    json_u64(&jb, "flow_id", f->flow_id);
    eve_put_source(ec, &jb);
    json_raw(&jb, "event_type", "\"flow\"", 6);
    eve_put_vlan(&jb, f->vlan, f->vlan_cnt);

    bool ports = eve_proto_has_ports(f->proto);
    eve_put_addr(&jb, "src_ip", f->ip_v, f->cli);
    if (ports)
        json_u64(&jb, "src_port", f->cli_port);
    eve_put_addr(&jb, "dest_ip", f->ip_v, f->srv);
    if (ports)
        json_u64(&jb, "dest_port", f->srv_port);
    json_u64(&jb, "ip_v", f->ip_v);
    eve_put_proto(&jb, f->proto);
    if (eve_proto_is_icmp(f->proto)) {
        if (f->icmp_seen[0]) {
            json_u64(&jb, "icmp_type", f->icmp_type[0]);
            json_u64(&jb, "icmp_code", f->icmp_code[0]);
        }
        if (f->icmp_seen[1]) {
            json_u64(&jb, "response_icmp_type", f->icmp_type[1]);
            json_u64(&jb, "response_icmp_code", f->icmp_code[1]);
        }
    }
    /* As Suricata: no app_proto until detection has an answer (0 is
     * APP_UNKNOWN; "failed" is written).  Suricata's app_proto_ts/_tc/
     * _orig/_expected would follow here once the flow keeps them. */
    unsigned ap = app_state_verdict(&f->app);
    if (ap != APP_UNKNOWN)
        json_str(&jb, "app_proto", app_proto_name(ap));
    if (f->app.orig) {
        json_str(&jb, "app_proto_orig", app_proto_name(f->app.orig));
    } else {
        /* the sides disagreed: Suricata names each side that differs */
        if (f->app.ts > APP_FAILED && f->app.ts != ap)
            json_str(&jb, "app_proto_ts", app_proto_name(f->app.ts));
        if (f->app.tc > APP_FAILED && f->app.tc != ap)
            json_str(&jb, "app_proto_tc", app_proto_name(f->app.tc));
    }

    eve_put_community_id(ec, &jb, f);

    json_obj_open(&jb, "flow");
    json_u64(&jb, "pkts_toserver", f->pkts[0]);
    json_u64(&jb, "pkts_toclient", f->pkts[1]);
    json_u64(&jb, "bytes_toserver", f->bytes[0]);
    json_u64(&jb, "bytes_toclient", f->bytes[1]);
    eve_put_ts(ec, &jb, "start", f->start_us);
    json_raw(&jb, "end", end, end_len + 2);
    /* Suricata: lastts.tv_sec - startts.tv_sec, whole seconds */
    uint64_t s0 = f->start_us / 1000000, s1 = f->last_us / 1000000;
    json_u64(&jb, "age", s1 > s0 ? s1 - s0 : 0);
    json_str(&jb, "state", flow_state_name((enum flow_state)f->state));
    json_str(&jb, "reason", flow_end_reason_name(reason));
    json_bool(&jb, "alerted", f->alerted);
    json_obj_close(&jb);

    if (f->proto == IPPROTO_NUM_TCP)
        eve_put_tcp(&jb, f);

    if (ec->ethernet && (f->mac_seen[0] || f->mac_seen[1])) {
        json_obj_open(&jb, "ether");
        if (f->mac_seen[0]) {
            json_arr_open(&jb, "src_macs");
            eve_put_mac(&jb, f->cli_mac);
            json_arr_close(&jb);
        }
        if (f->mac_seen[1]) {
            json_arr_open(&jb, "dest_macs");
            eve_put_mac(&jb, f->srv_mac);
            json_arr_close(&jb);
        }
        json_obj_close(&jb);
    }

    json_obj_open(&jb, "netscope");
    json_str(&jb, "conn_state", flow_conn_state(f));
    json_strn(&jb, "history", (const uint8_t *)f->history,
              strnlen(f->history, FLOW_HISTORY_MAX));
    json_obj_close(&jb);

    json_obj_close(&jb);
    return json_finish(&jb);
}

/* ------------------------------------------------------------------ */
/* anomaly */

#define EVE_EVENT_NAME_MAX 128

size_t eve_anomaly_decode(struct eve_ctx *ec, char *buf, size_t cap,
                          const struct ns_pkt *pkt, const struct ns_decoded *d,
                          unsigned event)
{
    struct json_buf jb;
    json_init(&jb, buf, cap);
    json_obj_open(&jb, NULL);
    eve_put_ts(ec, &jb, "timestamp", pkt->ts_us);
    if (pkt->pcap_cnt)
        json_u64(&jb, "pcap_cnt", pkt->pcap_cnt);
    eve_put_source(ec, &jb);
    json_raw(&jb, "event_type", "\"anomaly\"", 9);
    eve_put_vlan(&jb, d->vlan, d->vlan_cnt);

    if (d->ip_v == 4 || d->ip_v == 6) {
        /* ports only when the L4 header was decoded: a truncated TCP/UDP
         * header has none to report */
        bool ports = d->has_l4 && eve_proto_has_ports(d->proto);
        eve_put_addr(&jb, "src_ip", d->ip_v, d->src);
        if (ports)
            json_u64(&jb, "src_port", d->sport);
        eve_put_addr(&jb, "dest_ip", d->ip_v, d->dst);
        if (ports)
            json_u64(&jb, "dest_port", d->dport);
        json_u64(&jb, "ip_v", d->ip_v);
        eve_put_proto(&jb, d->proto);
        if (d->has_l4 && eve_proto_is_icmp(d->proto)) {
            json_u64(&jb, "icmp_type", d->icmp_type);
            json_u64(&jb, "icmp_code", d->icmp_code);
        }
    }

    /* Suricata's decoder event names carry the "decoder." prefix */
    char ev[EVE_EVENT_NAME_MAX];
    const char *name = dissect_event_name(event);
    size_t nl = name ? strnlen(name, sizeof(ev) - 8) : 0;
    memcpy(ev, "decoder.", 8);
    if (nl)
        memcpy(ev + 8, name, nl);

    json_obj_open(&jb, "anomaly");
    json_raw(&jb, "type", "\"decode\"", 8);
    json_strn(&jb, "event", (const uint8_t *)ev, 8 + nl);
    json_obj_close(&jb);

    json_obj_close(&jb);
    return json_finish(&jb);
}

/* ------------------------------------------------------------------ */
/* stats */

/* Nesting: the objects open under "stats" are a stack of path components.
 * For each item, close objects until the stack is a prefix of the item's
 * parent path, open the rest, write the leaf.  Objects already closed are
 * forgotten, so items must be grouped by prefix (sorting them does it):
 * "a.x", "b.y", "a.z" would open "a" twice, and "a" next to "a.b" writes
 * "a" both as a number and as an object -- duplicate keys, which JSON
 * readers resolve differently.  Neither is detected here. */
size_t eve_stats(struct eve_ctx *ec, char *buf, size_t cap, uint64_t ts_us,
                 uint64_t uptime_s, const struct eve_stat_item *items, size_t n)
{
    struct json_buf jb;
    struct {
        const char *s;
        size_t len;
    } stack[JSON_MAX_DEPTH];
    size_t nopen = 0;

    json_init(&jb, buf, cap);
    json_obj_open(&jb, NULL);
    eve_put_ts(ec, &jb, "timestamp", ts_us);
    if (ec->pcap_filename)                      /* as Suricata; no in_iface */
        json_str(&jb, "pcap_filename", ec->pcap_filename);
    json_raw(&jb, "event_type", "\"stats\"", 7);
    json_obj_open(&jb, "stats");
    json_u64(&jb, "uptime", uptime_s);

    for (size_t i = 0; i < n && json_ok(&jb); i++) {
        const char *c = items[i].path;
        if (!c)
            continue;
        const char *dot;
        size_t k = 0;
        while ((dot = strchr(c, '.')) != NULL && k < nopen &&
               stack[k].len == (size_t)(dot - c) && memcmp(stack[k].s, c, stack[k].len) == 0) {
            c = dot + 1;
            k++;
        }
        while (nopen > k) {
            json_obj_close(&jb);
            nopen--;
        }
        while ((dot = strchr(c, '.')) != NULL) {
            if (nopen == NS_ARRAY_LEN(stack))
                return 0;                       /* deeper than the writer allows */
            stack[nopen].s = c;
            stack[nopen].len = (size_t)(dot - c);
            json_obj_open_n(&jb, c, stack[nopen].len);
            nopen++;
            c = dot + 1;
        }
        json_u64(&jb, c, items[i].value);
    }
    while (nopen > 0) {
        json_obj_close(&jb);
        nopen--;
    }
    json_obj_close(&jb);
    json_obj_close(&jb);
    return json_finish(&jb);
}

void eve_put_app_head(struct eve_ctx *ec, struct json_buf *jb, const struct flow *f,
                      const char *event_type, uint64_t ts_us, uint64_t pcap_cnt,
                      uint64_t tx_id)
{
    eve_put_ts(ec, jb, "timestamp", ts_us);
    json_u64(jb, "flow_id", f->flow_id);
    if (pcap_cnt)
        json_u64(jb, "pcap_cnt", pcap_cnt);
    eve_put_source(ec, jb);
    json_str(jb, "event_type", event_type);
    eve_put_vlan(jb, f->vlan, f->vlan_cnt);
    eve_put_addr(jb, "src_ip", f->ip_v, f->cli);
    json_u64(jb, "src_port", f->cli_port);
    eve_put_addr(jb, "dest_ip", f->ip_v, f->srv);
    json_u64(jb, "dest_port", f->srv_port);
    json_u64(jb, "ip_v", f->ip_v);
    eve_put_proto(jb, f->proto);
    json_raw(jb, "pkt_src", "\"wire/pcap\"", 11);
    eve_put_community_id(ec, jb, f);
    if (ec->ethernet && f->mac_seen[0] && f->mac_seen[1]) {
        json_obj_open(jb, "ether");
        eve_put_mac_key(jb, "src_mac", f->cli_mac);
        eve_put_mac_key(jb, "dest_mac", f->srv_mac);
        json_obj_close(jb);
    }
    json_u64(jb, "tx_id", tx_id);
}

size_t eve_anomaly_flow(struct eve_ctx *ec, char *buf, size_t cap, const struct flow *f,
                        bool toserver, uint64_t ts_us, uint64_t pcap_cnt, const char *type,
                        const char *app_proto, const char *event, const char *layer)
{
    struct json_buf jb;
    json_init(&jb, buf, cap);
    json_obj_open(&jb, NULL);
    eve_put_ts(ec, &jb, "timestamp", ts_us);
    json_u64(&jb, "flow_id", f->flow_id);
    if (pcap_cnt)
        json_u64(&jb, "pcap_cnt", pcap_cnt);
    eve_put_source(ec, &jb);
    json_raw(&jb, "event_type", "\"anomaly\"", 9);
    eve_put_vlan(&jb, f->vlan, f->vlan_cnt);
    eve_put_addr(&jb, "src_ip", f->ip_v, toserver ? f->cli : f->srv);
    json_u64(&jb, "src_port", toserver ? f->cli_port : f->srv_port);
    eve_put_addr(&jb, "dest_ip", f->ip_v, toserver ? f->srv : f->cli);
    json_u64(&jb, "dest_port", toserver ? f->srv_port : f->cli_port);
    json_u64(&jb, "ip_v", f->ip_v);
    eve_put_proto(&jb, f->proto);
    if (app_proto)
        json_str(&jb, "app_proto", app_proto);
    json_obj_open(&jb, "anomaly");
    if (app_proto)
        json_str(&jb, "app_proto", app_proto);
    json_str(&jb, "type", type);
    json_str(&jb, "event", event);
    if (layer)
        json_str(&jb, "layer", layer);
    json_obj_close(&jb);
    json_obj_close(&jb);
    return json_finish(&jb);
}

void eve_put_community_id(struct eve_ctx *ec, struct json_buf *jb, const struct flow *f)
{
    struct eve_cid *c = &ec->cid[(f->flow_id ^ (f->flow_id >> 17)) % EVE_CID_CACHE];
    uint32_t ports = (uint32_t)f->cli_port << 16 | f->srv_port;
    if (c->flow_id != f->flow_id || c->ports != ports || c->proto != f->proto ||
        c->seed != ec->community_id_seed) {
        char text[64];
        flow_community_id_seeded(f, ec->community_id_seed, text);
        size_t n = strnlen(text, sizeof(c->text));
        memcpy(c->text, text, n);
        c->len = (uint8_t)n;
        c->flow_id = f->flow_id;
        c->ports = ports;
        c->proto = f->proto;
        c->seed = ec->community_id_seed;
    }
    json_strn(jb, "community_id", (const uint8_t *)c->text, c->len);
}
