/* engine/config.c: NetScope's YAML configuration.
 *
 * config_load() reads the whole file (at most CONFIG_FILE_MAX bytes) and
 * walks libyaml's event stream against a static schema: a tree of key
 * tables, each key saying what it holds, where it goes in struct ns_config
 * and which values it takes.  Only the keys of that schema are accepted; the
 * first problem stops the load with one message naming the file, the line,
 * the full dotted key and the bad value, and the caller's config is left
 * untouched (we parse into a copy and commit it only on success).
 *
 * Two passes over libyaml's events: the first only checks that the file is
 * one well-formed YAML stream (so a syntax error is reported as such even
 * after a bad value) and nested at most CONFIG_MAX_NESTING deep; the second
 * walks the events against the schema, recursing only along it (five
 * levels at most).
 * Aliases are rejected (a config has no use for them, and expanding them is
 * how "billion laughs" documents blow up); anchors alone are harmless and
 * ignored, and so are tags.  Every event is deleted on every path. */
#include "engine/config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* A configuration file larger than this is a mistake (wrong path), and the
 * cap bounds what libyaml may buffer for a pathological document. */
#define CONFIG_FILE_MAX   (1u << 20)
#define CONFIG_MAX_DEPTH  8     /* schema depth is 5; room to spare */
/* libyaml checks every open flow level for stale simple keys on every
 * token, so a document nested N deep costs O(N^2) to scan: a 1 MiB "[[[["
 * takes minutes.  Events come out as the scan goes, so stopping at this
 * depth (the schema needs 6 levels of collections) bounds the work. */
#define CONFIG_MAX_NESTING 32
#define CONFIG_MAX_KEYS   24    /* keys in one schema table */
#define CONFIG_QUOTE_MAX  64    /* bytes of a bad value quoted in errors */

#define KB (1024ull)
#define MB (1024ull * KB)
#define GB (1024ull * MB)

enum key_kind {
    KEY_MAP,        /* a mapping of the keys in sub[] */
    KEY_THREADS,    /* "auto" (0) or a number in [min, max] */
    KEY_U32,        /* a number in [min, max] into a uint32_t */
    KEY_SIZE32,     /* a size in bytes (kb/mb/gb suffix) into a uint32_t */
    KEY_SIZE64,     /* the same into a uint64_t */
    KEY_STR,        /* a string into char[size] */
    KEY_EVE_TYPES,  /* a list of EVE event type names */
    KEY_BOOL,       /* yes/no, true/false, on/off into a bool */
    KEY_OPT_BOOL,   /* the same into an int8_t 0/1, left CONFIG_UNSET when absent */
    KEY_CHOICE,     /* one of choices[] into char[size] */
    KEY_STR_LIST,   /* a string or a list of strings appended to a config_strlist */
    KEY_VAR_MAP,    /* a mapping NAME: "value" appended as pairs to a config_strlist */
};

struct key {
    const char *name;
    enum key_kind kind;
    const char *what;           /* "a number of seconds": for "expected ..." */
    const char *unit;           /* "seconds": for "out of range ..." */
    size_t off;                 /* into struct ns_config */
    size_t size;                /* KEY_STR: buffer size */
    uint64_t min, max;          /* numbers and sizes */
    bool empty_ok;              /* KEY_STR: "" is a valid value */
    const struct key *sub;      /* KEY_MAP */
    size_t nsub;
    const char *const *choices; /* KEY_CHOICE, NULL-ended */
};

#define SIZE_WHAT "a size in bytes, optionally with a kb, mb or gb suffix"

#define OFF(field) offsetof(struct ns_config, field)

#define SECONDS(nm, field, lo, hi) \
    { .name = nm, .kind = KEY_U32, .what = "a number of seconds", \
      .unit = "seconds", .off = OFF(field), .min = lo, .max = hi }

/* Timeouts: seconds, 0 allowed (the flow ends at the next expiry pass). */
#define TIMEOUT_MAX 604800      /* one week */

/* Only TCP flows reach the closed state (flow/flow_tcp.c), so only TCP
 * has closed timeouts; the other classes' closed slots are never read and
 * keep their defaults. */
#define TIMEOUT_OPEN_KEYS(cls)                                                  \
    SECONDS("new", flow.timeout[cls][FLOW_STATE_NEW], 0, TIMEOUT_MAX),          \
    SECONDS("established", flow.timeout[cls][FLOW_STATE_ESTABLISHED], 0,        \
            TIMEOUT_MAX),                                                       \
    SECONDS("emergency-new", flow.emerg_timeout[cls][FLOW_STATE_NEW], 0,        \
            TIMEOUT_MAX),                                                       \
    SECONDS("emergency-established",                                            \
            flow.emerg_timeout[cls][FLOW_STATE_ESTABLISHED], 0, TIMEOUT_MAX)

static const struct key timeout_tcp_keys[] = {
    TIMEOUT_OPEN_KEYS(FLOW_CLASS_TCP),
    SECONDS("closed", flow.timeout[FLOW_CLASS_TCP][FLOW_STATE_CLOSED], 0, TIMEOUT_MAX),
    SECONDS("emergency-closed", flow.emerg_timeout[FLOW_CLASS_TCP][FLOW_STATE_CLOSED], 0,
            TIMEOUT_MAX),
};
static const struct key timeout_udp_keys[] = { TIMEOUT_OPEN_KEYS(FLOW_CLASS_UDP) };
static const struct key timeout_icmp_keys[] = { TIMEOUT_OPEN_KEYS(FLOW_CLASS_ICMP) };
static const struct key timeout_other_keys[] = { TIMEOUT_OPEN_KEYS(FLOW_CLASS_OTHER) };

#define MAP(nm, table) \
    { .name = nm, .kind = KEY_MAP, .what = "a mapping", \
      .sub = table, .nsub = NS_ARRAY_LEN(table) }

static const struct key timeout_keys[] = {
    MAP("tcp", timeout_tcp_keys),
    MAP("udp", timeout_udp_keys),
    MAP("icmp", timeout_icmp_keys),
    MAP("other", timeout_other_keys),
};

static const struct key flow_keys[] = {
    { .name = "hash-size", .kind = KEY_U32, .what = "a number of buckets",
      .unit = "buckets", .off = OFF(flow.hash_size), .min = 1, .max = 1u << 24 },
    { .name = "memcap", .kind = KEY_SIZE64, .what = SIZE_WHAT, .off = OFF(flow.memcap),
      .min = 1 * MB, .max = 1024 * GB },
    { .name = "emergency-recovery", .kind = KEY_U32, .what = "a percentage",
      .unit = "percent", .off = OFF(flow.emerg_recovery_pct), .min = 1, .max = 100 },
    MAP("timeouts", timeout_keys),
};

static const struct key defrag_keys[] = {
    { .name = "trackers", .kind = KEY_U32, .what = "a number of trackers",
      .unit = "trackers", .off = OFF(defrag.defrag_max_trackers),
      .min = 1, .max = 1u << 20 },
    { .name = "max-frags", .kind = KEY_U32, .what = "a number of fragments",
      .unit = "fragments", .off = OFF(defrag.defrag_max_frags),
      .min = 1, .max = 65535 },
    { .name = "memcap", .kind = KEY_SIZE32, .what = SIZE_WHAT, .off = OFF(defrag.defrag_memcap),
      .min = 64 * KB, .max = 2 * GB },
    SECONDS("timeout", defrag.defrag_timeout_s, 1, 3600),
};

/* Suricata's eve-log "dns:" options that we have (not its "formats" or
 * its per-rrtype "types" filters). */
static const struct key eve_dns_keys[] = {
    { .name = "version", .kind = KEY_U32, .what = "an EVE DNS format version (2 or 3)",
      .unit = "", .off = OFF(eve_dns_version), .min = 2, .max = 3 },
    { .name = "requests", .kind = KEY_BOOL, .what = "yes or no", .off = OFF(eve_dns_requests) },
    { .name = "responses", .kind = KEY_BOOL, .what = "yes or no", .off = OFF(eve_dns_responses) },
};

static const struct key eve_alert_keys[] = {
    { .name = "payload", .kind = KEY_BOOL, .what = "yes or no", .off = OFF(alert_payload) },
    { .name = "payload-printable", .kind = KEY_BOOL, .what = "yes or no",
      .off = OFF(alert_payload_printable) },
    { .name = "metadata", .kind = KEY_BOOL, .what = "yes or no", .off = OFF(alert_metadata) },
};

/* rotate-size, rotate-interval and write-timeout of an output file
 * (output/logfile.h) */
#define FILE_KEYS(size_field, interval_field, timeout_field) \
    { .name = "rotate-size", .kind = KEY_SIZE64, .what = SIZE_WHAT, .off = OFF(size_field), \
      .min = 0, .max = 1024 * GB }, \
    SECONDS("rotate-interval", interval_field, 0, 31 * 86400), \
    { .name = "write-timeout", .kind = KEY_U32, .what = "a number of milliseconds", \
      .unit = "milliseconds", .off = OFF(timeout_field), .min = 0, .max = 600000 }

static const struct key eve_keys[] = {
    { .name = "filename", .kind = KEY_STR, .what = "a file name",
      .off = OFF(eve_filename), .size = sizeof(((struct ns_config *)0)->eve_filename) },
    { .name = "types", .kind = KEY_EVE_TYPES,
      .what = "a list of event types (flow, anomaly, stats, dns, http, tls, smtp, ftp, ssh, dhcp, "
              "alert)" },
    { .name = "ethernet", .kind = KEY_BOOL, .what = "yes or no", .off = OFF(eve_ethernet) },
    { .name = "dhcp-extended", .kind = KEY_BOOL, .what = "yes or no", .off = OFF(dhcp_extended) },
    { .name = "community-id-seed", .kind = KEY_U32, .what = "a number", .unit = "",
      .off = OFF(community_id_seed), .min = 0, .max = 65535 },
    MAP("dns", eve_dns_keys),
    MAP("alert", eve_alert_keys),
    FILE_KEYS(eve_rotate_size, eve_rotate_interval, eve_write_timeout_ms),
};

static const char *const fanout_modes[] = { "hash", "lb", "cpu", "qm", NULL };
static const char *const iface_down_modes[] = { "wait", "stop", NULL };
static const char *const pcre_hs_modes[] = { "background", "sync", "no", NULL };

#define CFG_STR_SIZE(field) sizeof(((struct ns_config *)0)->field)

static const struct key live_keys[] = {
    { .name = "interface", .kind = KEY_STR, .what = "an interface name",
      .off = OFF(live.interface), .size = CFG_STR_SIZE(live.interface), .empty_ok = true },
    { .name = "fanout", .kind = KEY_CHOICE, .what = "hash, lb, cpu or qm",
      .off = OFF(live.fanout), .size = CFG_STR_SIZE(live.fanout), .choices = fanout_modes },
    { .name = "fanout-group", .kind = KEY_U32, .what = "a fanout group id", .unit = "",
      .off = OFF(live.fanout_group), .min = 0, .max = 65535 },
    { .name = "fanout-defrag", .kind = KEY_BOOL, .what = "yes or no", .off = OFF(live.fanout_defrag) },
    { .name = "ring-memory", .kind = KEY_SIZE64, .what = SIZE_WHAT, .off = OFF(live.ring_memory),
      .min = 1 * MB, .max = 64 * GB },
    { .name = "block-size", .kind = KEY_SIZE32, .what = SIZE_WHAT, .off = OFF(live.block_size),
      .min = 4 * KB, .max = 128 * MB },
    { .name = "frame-size", .kind = KEY_U32, .what = "a number of bytes", .unit = "bytes",
      .off = OFF(live.frame_size), .min = 64, .max = 262144 },
    { .name = "block-timeout", .kind = KEY_U32, .what = "a number of milliseconds",
      .unit = "milliseconds", .off = OFF(live.block_timeout), .min = 1, .max = 60000 },
    { .name = "cpu-affinity", .kind = KEY_BOOL, .what = "yes or no", .off = OFF(live.cpu_affinity) },
    { .name = "promisc", .kind = KEY_BOOL, .what = "yes or no", .off = OFF(live.promisc) },
    { .name = "on-interface-down", .kind = KEY_CHOICE, .what = "wait or stop",
      .off = OFF(live.on_interface_down), .size = CFG_STR_SIZE(live.on_interface_down),
      .choices = iface_down_modes },
};

static const struct key reassembly_keys[] = {
    { .name = "depth", .kind = KEY_SIZE32, .what = SIZE_WHAT, .off = OFF(stream.depth),
      .min = 0, .max = 1 * GB },
    { .name = "max-segments", .kind = KEY_U32, .what = "a number of segments",
      .unit = "segments", .off = OFF(stream.max_segs), .min = 1, .max = 65535 },
};

static const struct key stream_keys[] = {
    { .name = "memcap", .kind = KEY_SIZE64, .what = SIZE_WHAT, .off = OFF(stream_memcap),
      .min = 1 * MB, .max = 1024 * GB },
    { .name = "midstream", .kind = KEY_BOOL, .what = "yes or no", .off = OFF(stream.midstream) },
    MAP("reassembly", reassembly_keys),
};

/* memory: the budget and how what is left after the fixed parts is
 * shared (engine/mem_budget.c).  budget 0: none. */
#define SHARE_KEY(nm, part) \
    { .name = nm, .kind = KEY_U32, .what = "a percentage", .unit = "percent", \
      .off = OFF(memory.share[part]), .min = 1, .max = 100 }
static const struct key memory_share_keys[] = {
    SHARE_KEY("flow", MEM_PART_FLOW),
    SHARE_KEY("stream", MEM_PART_STREAM),
    SHARE_KEY("defrag", MEM_PART_DEFRAG),
    SHARE_KEY("capture", MEM_PART_CAPTURE),
};
#undef SHARE_KEY

static const struct key memory_keys[] = {
    { .name = "budget", .kind = KEY_SIZE64, .what = SIZE_WHAT, .off = OFF(memory.budget),
      .min = 0, .max = 1024 * GB },
    MAP("shares", memory_share_keys),
};

static const struct key csv_keys[] = {
    FILE_KEYS(csv_rotate_size, csv_rotate_interval, csv_write_timeout_ms),
};
static const struct key pcap_keys[] = {
    FILE_KEYS(pcap_rotate_size, pcap_rotate_interval, pcap_write_timeout_ms),
};

static const struct key output_keys[] = {
    MAP("eve", eve_keys),
    MAP("csv", csv_keys),
    MAP("pcap", pcap_keys),
};

static const struct key dns_tcp_keys[] = {
    { .name = "enabled", .kind = KEY_OPT_BOOL, .what = "yes or no",
      .off = OFF(dns_parser.tcp) },
};
static const struct key dns_udp_keys[] = {
    { .name = "enabled", .kind = KEY_OPT_BOOL, .what = "yes or no",
      .off = OFF(dns_parser.udp) },
};
static const struct key app_dns_keys[] = {
    { .name = "enabled", .kind = KEY_BOOL, .what = "yes or no", .off = OFF(dns_parser.enabled) },
    MAP("tcp", dns_tcp_keys),
    MAP("udp", dns_udp_keys),
};
static const struct key app_protocols_keys[] = {
    MAP("dns", app_dns_keys),
};
/* Suricata's app-layer section; only DNS can be switched off so far. */
static const struct key app_layer_keys[] = {
    MAP("protocols", app_protocols_keys),
};

static const struct key vars_keys[] = {
    { .name = "address-groups", .kind = KEY_VAR_MAP,
      .what = "a mapping of variable names to address lists", .off = OFF(address_groups) },
    { .name = "port-groups", .kind = KEY_VAR_MAP,
      .what = "a mapping of variable names to port lists", .off = OFF(port_groups) },
};

static const struct key detect_keys[] = {
    { .name = "cache-dir", .kind = KEY_STR, .what = "a directory",
      .off = OFF(detect_cache_dir), .size = CFG_STR_SIZE(detect_cache_dir), .empty_ok = true },
    { .name = "cache-max-age", .kind = KEY_U32, .what = "a number of days", .unit = "days",
      .off = OFF(detect_cache_max_age), .min = 0, .max = 3650 },
    { .name = "pcre-hyperscan", .kind = KEY_CHOICE, .what = "background, sync or no",
      .off = OFF(detect_pcre_hs), .size = CFG_STR_SIZE(detect_pcre_hs), .choices = pcre_hs_modes },
};

static const struct key rollup_keys[] = {
    SECONDS("interval", rollup.interval, 0, 86400),
    { .name = "top-n", .kind = KEY_U32, .what = "a number of entries", .unit = "entries",
      .off = OFF(rollup.top_n), .min = 1, .max = 100 },
    { .name = "capacity", .kind = KEY_U32, .what = "a number of counters", .unit = "counters",
      .off = OFF(rollup.capacity), .min = 8, .max = 2048 },
};

/* anomaly: one map per detector (engine/anomaly.h), by its config name. */
#define ANOMALY_DET_KEYS(id, sid, nm, msg, thr, win)                                    \
    static const struct key anomaly_##id##_keys[] = {                                  \
        { .name = "enabled", .kind = KEY_BOOL, .what = "yes or no",                     \
          .off = OFF(anomaly.det[ANOM_##id].enabled) },                                 \
        { .name = "threshold", .kind = KEY_U32, .what = "a number", .unit = "",         \
          .off = OFF(anomaly.det[ANOM_##id].threshold), .min = 1, .max = 100000000 },   \
        SECONDS("window", anomaly.det[ANOM_##id].window, 1, 86400),                     \
    };
ANOMALY_DETECTORS(ANOMALY_DET_KEYS)
#undef ANOMALY_DET_KEYS

static const struct key anomaly_keys[] = {
    { .name = "enabled", .kind = KEY_BOOL, .what = "yes or no", .off = OFF(anomaly.enabled) },
    { .name = "table-size", .kind = KEY_U32, .what = "a number of entries", .unit = "entries",
      .off = OFF(anomaly.table_size), .min = 64, .max = 1u << 24 },
    { .name = "dns-min-length", .kind = KEY_U32, .what = "a number of characters",
      .unit = "characters", .off = OFF(anomaly.dns_min_len), .min = 1, .max = 255 },
    { .name = "dns-min-entropy-tenths", .kind = KEY_U32,
      .what = "tenths of a bit per character", .unit = "tenths",
      .off = OFF(anomaly.dns_entropy_x10), .min = 0, .max = 80 },
    { .name = "dns-subdomain-min-length", .kind = KEY_U32, .what = "a number of characters",
      .unit = "characters", .off = OFF(anomaly.dns_sub_min_len), .min = 1, .max = 255 },
    { .name = "brute-force-max-packets", .kind = KEY_U32, .what = "a number of packets",
      .unit = "packets", .off = OFF(anomaly.brute_max_pkts), .min = 1, .max = 1000000 },
    { .name = "icmp-min-packets", .kind = KEY_U32, .what = "a number of packets",
      .unit = "packets", .off = OFF(anomaly.icmp_min_pkts), .min = 1, .max = 100000000 },
    { .name = "spike-warmup", .kind = KEY_U32, .what = "a number of intervals",
      .unit = "intervals", .off = OFF(anomaly.spike_warmup), .min = 1, .max = 100000 },
    { .name = "spike-alpha-percent", .kind = KEY_U32, .what = "a percentage", .unit = "%",
      .off = OFF(anomaly.spike_alpha_pct), .min = 1, .max = 100 },
#define ANOMALY_DET_MAP(id, sid, nm, msg, thr, win) MAP(nm, anomaly_##id##_keys),
    ANOMALY_DETECTORS(ANOMALY_DET_MAP)
#undef ANOMALY_DET_MAP
};

static const struct key root_keys[] = {
    { .name = "threads", .kind = KEY_THREADS,
      .what = "\"auto\" or a number of threads", .unit = "threads",
      .off = OFF(threads), .min = 1, .max = 256 },
    { .name = "log-dir", .kind = KEY_STR, .what = "a directory",
      .off = OFF(log_dir), .size = sizeof(((struct ns_config *)0)->log_dir) },
    SECONDS("stats-interval", stats_interval, 0, 86400),
    { .name = "bpf-filter", .kind = KEY_STR, .what = "a BPF filter expression",
      .off = OFF(bpf), .size = sizeof(((struct ns_config *)0)->bpf),
      .empty_ok = true },
    { .name = "queue-size", .kind = KEY_SIZE32, .what = SIZE_WHAT, .off = OFF(queue_size),
      .min = 64 * KB, .max = 1 * GB },
    MAP("outputs", output_keys),
    MAP("rollups", rollup_keys),
    MAP("anomaly", anomaly_keys),
    MAP("app-layer", app_layer_keys),
    MAP("memory", memory_keys),
    MAP("flow", flow_keys),
    MAP("defrag", defrag_keys),
    MAP("stream", stream_keys),
    MAP("live", live_keys),
    { .name = "rules", .kind = KEY_STR_LIST, .what = "a rule file or a list of rule files",
      .off = OFF(rule_files) },
    { .name = "default-rule-path", .kind = KEY_STR, .what = "a directory",
      .off = OFF(default_rule_path), .size = CFG_STR_SIZE(default_rule_path), .empty_ok = true },
    { .name = "classification-file", .kind = KEY_STR, .what = "a file name",
      .off = OFF(classification_file), .size = CFG_STR_SIZE(classification_file),
      .empty_ok = true },
    MAP("vars", vars_keys),
    MAP("detect", detect_keys),
};

_Static_assert(NS_ARRAY_LEN(root_keys) <= CONFIG_MAX_KEYS, "seen[] too small");
_Static_assert(NS_ARRAY_LEN(flow_keys) <= CONFIG_MAX_KEYS, "seen[] too small");
_Static_assert(NS_ARRAY_LEN(timeout_tcp_keys) <= CONFIG_MAX_KEYS, "seen[] too small");
_Static_assert(NS_ARRAY_LEN(defrag_keys) <= CONFIG_MAX_KEYS, "seen[] too small");
_Static_assert(NS_ARRAY_LEN(eve_keys) <= CONFIG_MAX_KEYS, "seen[] too small");

static const struct {
    const char *name;
    size_t off;
} eve_types[] = {
    { "flow", OFF(eve_flow) },   { "anomaly", OFF(eve_anomaly) }, { "stats", OFF(eve_stats) },
    { "dns", OFF(eve_dns) },     { "http", OFF(eve_http) },       { "tls", OFF(eve_tls) },
    { "smtp", OFF(eve_smtp) },   { "ftp", OFF(eve_ftp) },         { "ssh", OFF(eve_ssh) },
    { "dhcp", OFF(eve_dhcp) },   { "alert", OFF(eve_alert) },     { "rollup", OFF(eve_rollup) },
};

const char config_type_names[] = "flow, anomaly, stats, dns, http, tls, smtp, ftp, ssh, dhcp, alert, rollup";

static bool *eve_type_flag(struct ns_config *cfg, unsigned i)
{
    return (bool *)((char *)cfg + eve_types[i].off);
}

static int eve_type_find(const char *s, size_t n)
{
    for (unsigned i = 0; i < NS_ARRAY_LEN(eve_types); i++)
        if (strlen(eve_types[i].name) == n && !memcmp(eve_types[i].name, s, n))
            return (int)i;
    return -1;
}

void config_defaults(struct ns_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));   /* also zeroes padding: memcmp-able */
    cfg->threads = 0;
    memcpy(cfg->log_dir, ".", 2);
    memcpy(cfg->eve_filename, "eve.json", 9);
    cfg->bpf[0] = '\0';
    cfg->stats_interval = 8;
    cfg->rollup.interval = 60;
    cfg->rollup.top_n = 10;
    cfg->rollup.capacity = 1024;
    anomaly_config_defaults(&cfg->anomaly);
    for (unsigned i = 0; i < NS_ARRAY_LEN(eve_types); i++)
        *eve_type_flag(cfg, i) = true;
    cfg->eve_dns_version = 3;
    cfg->eve_write_timeout_ms = 2000;
    cfg->csv_write_timeout_ms = 2000;
    cfg->pcap_write_timeout_ms = 2000;
    cfg->eve_dns_requests = true;
    cfg->eve_dns_responses = true;
    cfg->dns_parser.enabled = true;
    cfg->dns_parser.tcp = CONFIG_UNSET;
    cfg->dns_parser.udp = CONFIG_UNSET;
    stream_config_defaults(&cfg->stream);
    cfg->queue_size = 4 * MB;
    flow_config_defaults(&cfg->flow);
    dissect_config_defaults(&cfg->defrag);
    /* the per-part caps: unset (0) until a key sets them or
     * config_memory_resolve gives them a share or their default */
    cfg->flow.memcap = 0;
    cfg->stream_memcap = 0;
    cfg->defrag.defrag_memcap = 0;
    cfg->live.ring_memory = 0;
    cfg->memory.budget = 0;
    cfg->memory.share[MEM_PART_FLOW] = 50;
    cfg->memory.share[MEM_PART_STREAM] = 35;
    cfg->memory.share[MEM_PART_DEFRAG] = 15;
    cfg->memory.share[MEM_PART_CAPTURE] = 20;
    memcpy(cfg->live.fanout, "hash", 5);
    memcpy(cfg->detect_pcre_hs, "background", sizeof("background"));
    cfg->detect_cache_max_age = 7;
    cfg->live.fanout_group = 99;
    cfg->live.fanout_defrag = true;
    cfg->live.block_size = 1 * MB;
    cfg->live.frame_size = 2048;
    cfg->live.block_timeout = 10;
    cfg->live.cpu_affinity = true;
    cfg->live.promisc = true;
    memcpy(cfg->live.on_interface_down, "wait", 5);
    cfg->alert_metadata = true;
    /* compiled rule databases: $XDG_CACHE_HOME/netscope, else
     * $HOME/.cache/netscope (made when first used) */
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    if (xdg && xdg[0] == '/' && strlen(xdg) < CONFIG_PATH_MAX - 16)
        snprintf(cfg->detect_cache_dir, CONFIG_PATH_MAX, "%s/netscope", xdg);
    else if (home && home[0] == '/' && strlen(home) < CONFIG_PATH_MAX - 32)
        snprintf(cfg->detect_cache_dir, CONFIG_PATH_MAX, "%s/.cache/netscope", home);
}

const char *config_strlist_next(const struct config_strlist *l, const char *prev)
{
    const char *p = prev ? prev + strlen(prev) + 1 : l->text;
    return p < l->text + l->len ? p : NULL;
}

int config_strlist_add(struct config_strlist *l, const char *s, size_t n)
{
    if (memchr(s, '\0', n) || n + 1 > sizeof(l->text) - l->len)
        return NS_ERR_FULL;
    memcpy(l->text + l->len, s, n);
    l->text[l->len + n] = '\0';
    l->len += (uint32_t)n + 1;
    l->n++;
    return NS_OK;
}

bool config_dns_enabled(const struct ns_config *cfg, uint8_t ipproto)
{
    /* Suricata (bug 8205): the transport's own setting, when given, wins
     * over the global one, even when they disagree (it warns then). */
    int8_t own = ipproto == 6 ? cfg->dns_parser.tcp
               : ipproto == 17 ? cfg->dns_parser.udp : CONFIG_UNSET;
    return own == CONFIG_UNSET ? cfg->dns_parser.enabled : own != 0;
}

/* ---- parser state and error messages ---- */

struct cfg_parser {
    yaml_parser_t yp;
    const char *path;
    const char *text;           /* the file, for reader-error line numbers */
    size_t text_len;
    struct ns_config *cfg;      /* the working copy */
    char *errbuf;
    const char *stack[CONFIG_MAX_DEPTH];   /* names of the keys we are in */
    size_t depth;
};

/* Quote up to CONFIG_QUOTE_MAX bytes of s as "..." with \", \\ and \xNN
 * escapes (bytes >= 0x7f too: the value may be cut inside a UTF-8
 * sequence, and the message must stay printable). */
static void quote(char *out, size_t cap, const char *s, size_t len)
{
    size_t o = 0;
    size_t n = len < CONFIG_QUOTE_MAX ? len : CONFIG_QUOTE_MAX;

    if (cap < 8) {
        if (cap)
            out[0] = '\0';
        return;
    }
    size_t i;
    out[o++] = '"';
    for (i = 0; i < n && o + 8 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            out[o++] = '\\';
            out[o++] = (char)c;
        } else if (c < 0x20 || c >= 0x7f) {
            o += (size_t)snprintf(out + o, cap - o, "\\x%02x", c);
        } else {
            out[o++] = (char)c;
        }
    }
    out[o++] = '"';
    if (i < len && o + 4 < cap) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
}

/* The dotted name of the key we are in, plus extra (a raw key name from
 * the file, quoted if odd) when given.  "" at the top level. */
static void key_path(const struct cfg_parser *p, const char *extra,
                     size_t extra_len, char *out, size_t cap)
{
    size_t o = 0;

    out[0] = '\0';
    for (size_t i = 0; i < p->depth && o < cap; i++)
        o += (size_t)snprintf(out + o, cap - o, "%s%s", i ? "." : "", p->stack[i]);
    if (!extra || o >= cap)
        return;
    bool plain = extra_len > 0 && extra_len <= CONFIG_QUOTE_MAX;
    for (size_t i = 0; i < extra_len && plain; i++) {
        unsigned char c = (unsigned char)extra[i];
        plain = c > 0x20 && c < 0x7f && c != '"' && c != '\\';
    }
    if (p->depth)
        o += (size_t)snprintf(out + o, cap - o, ".");
    if (o >= cap)
        return;
    if (plain)
        snprintf(out + o, cap - o, "%.*s", (int)extra_len, extra);
    else
        quote(out + o, cap - o, extra, extra_len);
}

/* "<path>:<line>: <dotted.key>: <message>"; the key part is left out at
 * the top level.  Returns err so callers can `return cfg_error(...)`. */
static int cfg_error(struct cfg_parser *p, int err, size_t line,
                     const char *extra, size_t extra_len, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static int cfg_error(struct cfg_parser *p, int err, size_t line,
                     const char *extra, size_t extra_len, const char *fmt, ...)
{
    char key[256];
    va_list ap;
    int o;

    key_path(p, extra, extra_len, key, sizeof(key));
    if (!strncmp(p->path, "--set", 5))      /* no file: lines mean nothing */
        o = snprintf(p->errbuf, NS_ERRBUF_SIZE, "--set %s: ", key[0] ? key : "");
    else if (key[0])
        o = snprintf(p->errbuf, NS_ERRBUF_SIZE, "%s:%zu: %s: ", p->path, line, key);
    else
        o = snprintf(p->errbuf, NS_ERRBUF_SIZE, "%s:%zu: ", p->path, line);
    if (o >= 0 && o < NS_ERRBUF_SIZE) {
        va_start(ap, fmt);
        vsnprintf(p->errbuf + o, NS_ERRBUF_SIZE - (size_t)o, fmt, ap);
        va_end(ap);
    }
    return err;
}

static size_t ev_line(const yaml_event_t *ev)
{
    return ev->start_mark.line + 1;
}

/* What a node is, for "(got ...)": the quoted scalar, or its kind. */
static void describe(const yaml_event_t *ev, char *out, size_t cap)
{
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        quote(out, cap, (const char *)ev->data.scalar.value, ev->data.scalar.length);
        break;
    case YAML_MAPPING_START_EVENT:
        snprintf(out, cap, "a mapping");
        break;
    case YAML_SEQUENCE_START_EVENT:
        snprintf(out, cap, "a list");
        break;
    case YAML_ALIAS_EVENT:
        snprintf(out, cap, "an alias");
        break;
    default:
        snprintf(out, cap, "YAML event %d", (int)ev->type);
        break;
    }
}

static int bad_value(struct cfg_parser *p, const yaml_event_t *ev, const char *what)
{
    char got[CONFIG_QUOTE_MAX * 4 + 16];

    if (ev->type == YAML_ALIAS_EVENT) {
        /* One byte more than quote() shows, so a long anchor gets "...". */
        char alias[CONFIG_QUOTE_MAX + 2];
        snprintf(alias, sizeof(alias), "*%s", (const char *)ev->data.alias.anchor);
        quote(got, sizeof(got), alias, strlen(alias));
        return cfg_error(p, NS_ERR_INVAL, ev_line(ev), NULL, 0,
                         "aliases are not supported (got %s)", got);
    }
    describe(ev, got, sizeof(got));
    return cfg_error(p, NS_ERR_INVAL, ev_line(ev), NULL, 0,
                     "expected %s (got %s)", what, got);
}

/* libyaml could not parse: its own words, with line and column. */
static int yaml_failed(struct cfg_parser *p)
{
    const yaml_parser_t *yp = &p->yp;
    const char *problem = yp->problem ? yp->problem : "unknown error";

    if (yp->error == YAML_MEMORY_ERROR) {
        snprintf(p->errbuf, NS_ERRBUF_SIZE, "%s: out of memory while parsing", p->path);
        return NS_ERR_NOMEM;
    }
    if (yp->error == YAML_READER_ERROR) {
        /* The reader reports a byte offset, not a mark. */
        size_t off = yp->problem_offset < p->text_len ? yp->problem_offset : p->text_len;
        size_t line = 1;
        for (size_t i = 0; i < off; i++)
            line += p->text[i] == '\n';
        if (yp->problem_value >= 0)
            snprintf(p->errbuf, NS_ERRBUF_SIZE,
                     "%s:%zu: invalid YAML: %s (0x%02x at byte %zu)",
                     p->path, line, problem, (unsigned)yp->problem_value, off);
        else
            snprintf(p->errbuf, NS_ERRBUF_SIZE, "%s:%zu: invalid YAML: %s (at byte %zu)",
                     p->path, line, problem, off);
        return NS_ERR_INVAL;
    }
    if (yp->context)
        snprintf(p->errbuf, NS_ERRBUF_SIZE, "%s:%zu:%zu: invalid YAML: %s (%s on line %zu)",
                 p->path, yp->problem_mark.line + 1, yp->problem_mark.column + 1,
                 problem, yp->context, yp->context_mark.line + 1);
    else
        snprintf(p->errbuf, NS_ERRBUF_SIZE, "%s:%zu:%zu: invalid YAML: %s",
                 p->path, yp->problem_mark.line + 1, yp->problem_mark.column + 1,
                 problem);
    return NS_ERR_INVAL;
}

static int next_event(struct cfg_parser *p, yaml_event_t *ev)
{
    if (!yaml_parser_parse(&p->yp, ev))
        return yaml_failed(p);   /* ev is zeroed: nothing to delete */
    return NS_OK;
}

/* ---- scalar values ---- */

static bool is_null(const yaml_event_t *ev)
{
    if (ev->type != YAML_SCALAR_EVENT || ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    const char *s = (const char *)ev->data.scalar.value;
    size_t n = ev->data.scalar.length;
    return n == 0 || (n == 1 && s[0] == '~') ||
           (n == 4 && (!memcmp(s, "null", 4) || !memcmp(s, "Null", 4) ||
                       !memcmp(s, "NULL", 4)));
}

/* Decimal digits only: no sign, no spaces, no 0x.  Returns 0, -1 (not a
 * number) or -2 (larger than UINT64_MAX). */
static int parse_u64(const char *s, size_t n, uint64_t *out)
{
    uint64_t v = 0;
    bool overflow = false;

    if (n == 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            overflow = true;    /* keep scanning: junk beats overflow */
        else
            v = v * 10 + d;
    }
    if (overflow)
        return -2;
    *out = v;
    return 0;
}

/* "<digits>[kb|mb|gb]", suffix in any case, 1024-based as in Suricata. */
static int parse_size(const char *s, size_t n, uint64_t *out)
{
    size_t digits = 0;
    uint64_t mult = 1, v;

    while (digits < n && s[digits] >= '0' && s[digits] <= '9')
        digits++;
    if (digits == 0)
        return -1;
    size_t sl = n - digits;
    const char *suf = s + digits;
    if (sl == 2 && (suf[1] == 'b' || suf[1] == 'B')) {
        switch (suf[0]) {
        case 'k': case 'K': mult = KB; break;
        case 'm': case 'M': mult = MB; break;
        case 'g': case 'G': mult = GB; break;
        default: return -1;
        }
    } else if (sl != 0) {
        return -1;
    }
    int rc = parse_u64(s, digits, &v);
    if (rc)
        return rc;
    if (v > UINT64_MAX / mult)
        return -2;
    *out = v * mult;
    return 0;
}

static void fmt_size(uint64_t v, char *out, size_t cap)
{
    if (v && v % GB == 0)
        snprintf(out, cap, "%llugb", (unsigned long long)(v / GB));
    else if (v && v % MB == 0)
        snprintf(out, cap, "%llumb", (unsigned long long)(v / MB));
    else if (v && v % KB == 0)
        snprintf(out, cap, "%llukb", (unsigned long long)(v / KB));
    else
        snprintf(out, cap, "%llu", (unsigned long long)v);
}

static int set_scalar(struct cfg_parser *p, const struct key *k, const yaml_event_t *ev)
{
    const char *s = (const char *)ev->data.scalar.value;
    size_t n = ev->data.scalar.length;
    char *field = (char *)p->cfg + k->off;
    char got[CONFIG_QUOTE_MAX * 4 + 16];
    uint64_t v = 0;
    int rc;

    quote(got, sizeof(got), s, n);
    switch (k->kind) {
    case KEY_THREADS:
        if (n == 4 && !memcmp(s, "auto", 4)) {
            uint32_t zero = 0;
            memcpy(field, &zero, sizeof(zero));
            return NS_OK;
        }
        /* fall through */
    case KEY_U32:
        rc = parse_u64(s, n, &v);
        if (rc == -1)
            return cfg_error(p, NS_ERR_INVAL, ev_line(ev), NULL, 0,
                             "expected %s (got %s)", k->what, got);
        if (rc == -2 || v < k->min || v > k->max)
            return cfg_error(p, NS_ERR_INVAL, ev_line(ev), NULL, 0,
                             "out of range %llu..%llu%s%s (got %s)",
                             (unsigned long long)k->min, (unsigned long long)k->max,
                             k->unit[0] ? " " : "", k->unit, got);
        {
            uint32_t v32 = (uint32_t)v;
            memcpy(field, &v32, sizeof(v32));
        }
        return NS_OK;
    case KEY_SIZE32:
    case KEY_SIZE64:
        rc = parse_size(s, n, &v);
        if (rc == -1)
            return cfg_error(p, NS_ERR_INVAL, ev_line(ev), NULL, 0,
                             "expected %s (got %s)", k->what, got);
        if (rc == -2 || v < k->min || v > k->max) {
            char lo[32], hi[32];
            fmt_size(k->min, lo, sizeof(lo));
            fmt_size(k->max, hi, sizeof(hi));
            return cfg_error(p, NS_ERR_INVAL, ev_line(ev), NULL, 0,
                             "out of range %s..%s (got %s)", lo, hi, got);
        }
        if (k->kind == KEY_SIZE32) {
            uint32_t v32 = (uint32_t)v;
            memcpy(field, &v32, sizeof(v32));
        } else {
            memcpy(field, &v, sizeof(v));
        }
        return NS_OK;
    case KEY_STR:
        if (k->empty_ok && is_null(ev))
            n = 0;
        if (memchr(s, '\0', n))
            return cfg_error(p, NS_ERR_INVAL, ev_line(ev), NULL, 0,
                             "contains a NUL byte (got %s)", got);
        if (n == 0 && !k->empty_ok)
            return cfg_error(p, NS_ERR_INVAL, ev_line(ev), NULL, 0,
                             "expected %s, must not be empty (got %s)", k->what, got);
        if (n >= k->size)
            return cfg_error(p, NS_ERR_INVAL, ev_line(ev), NULL, 0,
                             "too long, at most %zu bytes (got %s, %zu bytes)",
                             k->size - 1, got, n);
        /* Clear the whole buffer: no stale bytes after the NUL. */
        memset(field, 0, k->size);
        memcpy(field, s, n);
        return NS_OK;
    case KEY_CHOICE:
        for (size_t i = 0; k->choices[i]; i++) {
            if (n == strlen(k->choices[i]) && !memcmp(s, k->choices[i], n)) {
                memset(field, 0, k->size);
                memcpy(field, s, n);
                return NS_OK;
            }
        }
        return cfg_error(p, NS_ERR_INVAL, ev_line(ev), NULL, 0,
                         "expected %s (got %s)", k->what, got);
    case KEY_BOOL:
    case KEY_OPT_BOOL: {
        static const char *const yes[] = { "yes", "true", "on", "1" };
        static const char *const no[] = { "no", "false", "off", "0" };
        for (size_t i = 0; i < NS_ARRAY_LEN(yes); i++) {
            bool b;
            if (n == strlen(yes[i]) && !strncasecmp(s, yes[i], n))
                b = true;
            else if (n == strlen(no[i]) && !strncasecmp(s, no[i], n))
                b = false;
            else
                continue;
            if (k->kind == KEY_BOOL) {
                memcpy(field, &b, sizeof(b));
            } else {
                int8_t v8 = b;
                memcpy(field, &v8, sizeof(v8));
            }
            return NS_OK;
        }
        return cfg_error(p, NS_ERR_INVAL, ev_line(ev), NULL, 0,
                         "expected %s (got %s)", k->what, got);
    }
    case KEY_MAP:
    case KEY_EVE_TYPES:
    case KEY_STR_LIST:
    case KEY_VAR_MAP:
        break;
    }
    return bad_value(p, ev, k->what);
}

int config_set_types(struct ns_config *cfg, const char *list, char *errbuf)
{
    bool on[NS_ARRAY_LEN(eve_types)] = { false };
    const char *s = list;
    for (;;) {
        const char *e = strchr(s, ',');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        int i = eve_type_find(s, n);
        if (i < 0) {
            snprintf(errbuf, NS_ERRBUF_SIZE, "unknown event type \"%.*s\", expected %s",
                     (int)(n > 64 ? 64 : n), s, config_type_names);
            return NS_ERR_INVAL;
        }
        on[i] = true;
        if (!e)
            break;
        s = e + 1;
    }
    for (unsigned i = 0; i < NS_ARRAY_LEN(eve_types); i++)
        *eve_type_flag(cfg, i) = on[i];
    return NS_OK;
}

/* outputs.eve.types: the list replaces the set of types written. */
static int parse_eve_types(struct cfg_parser *p)
{
    bool on[NS_ARRAY_LEN(eve_types)] = { false };
    yaml_event_t ev;
    int rc;

    for (;;) {
        if ((rc = next_event(p, &ev)) != NS_OK)
            return rc;
        if (ev.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        if (ev.type != YAML_SCALAR_EVENT) {
            rc = bad_value(p, &ev, "an event type name");
            yaml_event_delete(&ev);
            return rc;
        }
        const char *s = (const char *)ev.data.scalar.value;
        size_t n = ev.data.scalar.length;
        int ti = eve_type_find(s, n);
        if (ti >= 0) {
            on[ti] = true;
        } else {
            char got[CONFIG_QUOTE_MAX * 4 + 16];
            quote(got, sizeof(got), s, n);
            rc = cfg_error(p, NS_ERR_INVAL, ev_line(&ev), NULL, 0,
                           "unknown event type, expected one of %s (got %s)",
                           config_type_names, got);
            yaml_event_delete(&ev);
            return rc;
        }
        yaml_event_delete(&ev);
    }
    for (unsigned i = 0; i < NS_ARRAY_LEN(eve_types); i++)
        *eve_type_flag(p->cfg, i) = on[i];
    return NS_OK;
}

static int parse_map(struct cfg_parser *p, const struct key *table, size_t n);

static struct config_strlist *key_strlist(struct cfg_parser *p, const struct key *k)
{
    return (struct config_strlist *)((char *)p->cfg + k->off);
}

static int strlist_add_ev(struct cfg_parser *p, struct config_strlist *l, const yaml_event_t *ev,
                          const char *what)
{
    const char *s = (const char *)ev->data.scalar.value;
    size_t n = ev->data.scalar.length;
    char got[CONFIG_QUOTE_MAX * 4 + 16];
    quote(got, sizeof(got), s, n);
    if (n == 0 || memchr(s, '\0', n))
        return cfg_error(p, NS_ERR_INVAL, ev_line(ev), NULL, 0, "expected %s (got %s)", what, got);
    if (config_strlist_add(l, s, n) != NS_OK)
        return cfg_error(p, NS_ERR_INVAL, ev_line(ev), NULL, 0,
                         "too many entries, at most %zu bytes in all (at %s)",
                         sizeof(l->text), got);
    return NS_OK;
}

/* rules: a sequence of strings; its SEQUENCE-START has been consumed. */
static int parse_str_list(struct cfg_parser *p, const struct key *k)
{
    yaml_event_t ev;
    int rc;
    for (;;) {
        if ((rc = next_event(p, &ev)) != NS_OK)
            return rc;
        if (ev.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&ev);
            return NS_OK;
        }
        if (ev.type != YAML_SCALAR_EVENT)
            rc = bad_value(p, &ev, k->what);
        else
            rc = strlist_add_ev(p, key_strlist(p, k), &ev, k->what);
        yaml_event_delete(&ev);
        if (rc != NS_OK)
            return rc;
    }
}

static bool var_name_ok(const char *s, size_t n)
{
    if (n == 0 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return false;
    return true;
}

/* A YAML sequence (its SEQUENCE-START consumed) written back as
 * "[a,b,[c,d]]" into text. */
static int var_list_text(struct cfg_parser *p, size_t line, char *text, size_t cap, size_t *len,
                         int depth)
{
    yaml_event_t ev;
    int rc;
    bool first = true;
    if (*len + 1 >= cap)
        return cfg_error(p, NS_ERR_INVAL, line, NULL, 0, "variable value too long (at most %zu bytes)", cap - 1);
    text[(*len)++] = '[';
    for (;;) {
        if ((rc = next_event(p, &ev)) != NS_OK)
            return rc;
        if (ev.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        if (!first) {
            if (*len + 1 >= cap) {
                yaml_event_delete(&ev);
                return cfg_error(p, NS_ERR_INVAL, line, NULL, 0, "variable value too long (at most %zu bytes)", cap - 1);
            }
            text[(*len)++] = ',';
        }
        first = false;
        if (ev.type == YAML_SEQUENCE_START_EVENT && depth < 8) {
            yaml_event_delete(&ev);
            if ((rc = var_list_text(p, line, text, cap, len, depth + 1)) != NS_OK)
                return rc;
            continue;
        }
        if (ev.type != YAML_SCALAR_EVENT || ev.data.scalar.length >= cap - *len - 1 ||
            memchr(ev.data.scalar.value, '\0', ev.data.scalar.length)) {
            rc = bad_value(p, &ev, "an address or port list");
            yaml_event_delete(&ev);
            return rc;
        }
        memcpy(text + *len, ev.data.scalar.value, ev.data.scalar.length);
        *len += ev.data.scalar.length;
        yaml_event_delete(&ev);
    }
    if (*len + 1 >= cap)
        return cfg_error(p, NS_ERR_INVAL, line, NULL, 0, "variable value too long (at most %zu bytes)", cap - 1);
    text[(*len)++] = ']';
    return NS_OK;
}

/* vars.address-groups / port-groups: NAME: value pairs; the MAPPING-START
 * has been consumed. */
static int parse_var_map(struct cfg_parser *p, const struct key *k)
{
    struct config_strlist *l = key_strlist(p, k);
    yaml_event_t ev;
    int rc;
    for (;;) {
        if ((rc = next_event(p, &ev)) != NS_OK)
            return rc;
        if (ev.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&ev);
            return NS_OK;
        }
        if (ev.type != YAML_SCALAR_EVENT ||
            !var_name_ok((const char *)ev.data.scalar.value, ev.data.scalar.length)) {
            rc = bad_value(p, &ev, "a variable name (letters, digits and _)");
            yaml_event_delete(&ev);
            return rc;
        }
        rc = strlist_add_ev(p, l, &ev, "a variable name");
        yaml_event_delete(&ev);
        if (rc != NS_OK)
            return rc;
        if ((rc = next_event(p, &ev)) != NS_OK)
            return rc;
        if (ev.type == YAML_SEQUENCE_START_EVENT) {
            /* HOME_NET: [10.0.0.0/8, 192.168.0.0/16] unquoted is a YAML
             * list: its text again, as the rule language writes it */
            size_t line = ev_line(&ev);
            yaml_event_delete(&ev);
            char text[CONFIG_QUOTE_MAX * 64];
            size_t len = 0;
            if ((rc = var_list_text(p, line, text, sizeof(text), &len, 1)) != NS_OK)
                return rc;
            if (config_strlist_add(l, text, len) != NS_OK)
                return cfg_error(p, NS_ERR_INVAL, line, NULL, 0,
                                 "too many variables, at most %zu bytes in all", sizeof(l->text));
            continue;
        }
        if (ev.type != YAML_SCALAR_EVENT)
            rc = bad_value(p, &ev, "a quoted list such as \"[10.0.0.0/8,!10.1.0.0/16]\"");
        else
            rc = strlist_add_ev(p, l, &ev, "a value");
        yaml_event_delete(&ev);
        if (rc != NS_OK)
            return rc;
    }
}

/* The value of key k; its key event has been consumed. */
static int parse_value(struct cfg_parser *p, const struct key *k)
{
    yaml_event_t ev;
    int rc;

    if ((rc = next_event(p, &ev)) != NS_OK)
        return rc;
    switch (ev.type) {
    case YAML_MAPPING_START_EVENT:
        if (k->kind == KEY_MAP) {
            yaml_event_delete(&ev);
            return parse_map(p, k->sub, k->nsub);
        }
        if (k->kind == KEY_VAR_MAP) {
            yaml_event_delete(&ev);
            return parse_var_map(p, k);
        }
        break;
    case YAML_SEQUENCE_START_EVENT:
        if (k->kind == KEY_EVE_TYPES) {
            yaml_event_delete(&ev);
            return parse_eve_types(p);
        }
        if (k->kind == KEY_STR_LIST) {
            yaml_event_delete(&ev);
            return parse_str_list(p, k);
        }
        break;
    case YAML_SCALAR_EVENT:
        if ((k->kind == KEY_MAP || k->kind == KEY_VAR_MAP) && is_null(&ev)) {
            rc = NS_OK;         /* "flow:" with nothing under it */
        } else if (k->kind == KEY_STR_LIST) {
            rc = strlist_add_ev(p, key_strlist(p, k), &ev, k->what);
        } else if (k->kind != KEY_MAP && k->kind != KEY_EVE_TYPES && k->kind != KEY_VAR_MAP) {
            rc = set_scalar(p, k, &ev);
        } else {
            break;
        }
        yaml_event_delete(&ev);
        return rc;
    case YAML_ALIAS_EVENT:
        break;
    default:
        rc = cfg_error(p, NS_ERR_INVAL, ev_line(&ev), NULL, 0,
                       "unexpected YAML event %d", (int)ev.type);
        yaml_event_delete(&ev);
        return rc;
    }
    rc = bad_value(p, &ev, k->what);
    yaml_event_delete(&ev);
    return rc;
}

/* The keys of one mapping; its MAPPING-START has been consumed. */
static int parse_map(struct cfg_parser *p, const struct key *table, size_t n)
{
    size_t seen[CONFIG_MAX_KEYS] = { 0 };      /* line each key was given on */
    yaml_event_t ev;
    int rc;

    for (;;) {
        if ((rc = next_event(p, &ev)) != NS_OK)
            return rc;
        if (ev.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        if (ev.type != YAML_SCALAR_EVENT) {
            rc = bad_value(p, &ev, "a key name");
            yaml_event_delete(&ev);
            return rc;
        }
        const char *name = (const char *)ev.data.scalar.value;
        size_t len = ev.data.scalar.length;
        size_t line = ev_line(&ev);
        size_t i = 0;
        while (i < n && !(strlen(table[i].name) == len && !memcmp(table[i].name, name, len)))
            i++;
        if (i == n)
            rc = cfg_error(p, NS_ERR_INVAL, line, name, len, "unknown key");
        else if (seen[i])
            rc = cfg_error(p, NS_ERR_INVAL, line, name, len,
                           "duplicate key (first given on line %zu)", seen[i]);
        yaml_event_delete(&ev);
        if (rc != NS_OK)
            return rc;
        seen[i] = line;
        if (p->depth == CONFIG_MAX_DEPTH)    /* the schema is shallower */
            return cfg_error(p, NS_ERR_INVAL, line, NULL, 0, "nested too deeply");
        p->stack[p->depth++] = table[i].name;
        rc = parse_value(p, &table[i]);
        if (rc != NS_OK)
            return rc;          /* stack left as is: it names the failure */
        p->depth--;
    }
    return NS_OK;
}

/* stream-start, at most one document whose root is a mapping (or empty),
 * stream-end. */
static int parse_stream(struct cfg_parser *p)
{
    yaml_event_t ev;
    int rc;

    if ((rc = next_event(p, &ev)) != NS_OK)
        return rc;
    if (ev.type != YAML_STREAM_START_EVENT)
        goto unexpected;
    yaml_event_delete(&ev);

    if ((rc = next_event(p, &ev)) != NS_OK)
        return rc;
    if (ev.type == YAML_STREAM_END_EVENT) {     /* empty file: defaults */
        yaml_event_delete(&ev);
        return NS_OK;
    }
    if (ev.type != YAML_DOCUMENT_START_EVENT)
        goto unexpected;
    yaml_event_delete(&ev);

    if ((rc = next_event(p, &ev)) != NS_OK)
        return rc;
    if (ev.type == YAML_MAPPING_START_EVENT) {
        yaml_event_delete(&ev);
        if ((rc = parse_map(p, root_keys, NS_ARRAY_LEN(root_keys))) != NS_OK)
            return rc;
    } else if (is_null(&ev)) {
        yaml_event_delete(&ev);                 /* "---" alone */
    } else {
        rc = bad_value(p, &ev, "a mapping of settings at the top level");
        yaml_event_delete(&ev);
        return rc;
    }

    if ((rc = next_event(p, &ev)) != NS_OK)
        return rc;
    if (ev.type != YAML_DOCUMENT_END_EVENT)
        goto unexpected;
    yaml_event_delete(&ev);

    if ((rc = next_event(p, &ev)) != NS_OK)
        return rc;
    if (ev.type == YAML_DOCUMENT_START_EVENT) {
        rc = cfg_error(p, NS_ERR_INVAL, ev_line(&ev), NULL, 0,
                       "only one YAML document is allowed");
        yaml_event_delete(&ev);
        return rc;
    }
    if (ev.type != YAML_STREAM_END_EVENT)
        goto unexpected;
    yaml_event_delete(&ev);
    return NS_OK;

unexpected:
    rc = cfg_error(p, NS_ERR_INVAL, ev_line(&ev), NULL, 0,
                   "unexpected YAML event %d", (int)ev.type);
    yaml_event_delete(&ev);
    return rc;
}

/* The whole file into a malloc'd buffer (not NUL-terminated). */
static int read_file(const char *path, char **out, size_t *out_len, char *errbuf)
{
    FILE *f;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int rc;

    f = fopen(path, "rb");
    if (!f) {
        snprintf(errbuf, NS_ERRBUF_SIZE, "%s: cannot open: %s", path, strerror(errno));
        return NS_ERR_IO;
    }
    /* Read until EOF or one byte past the cap ("at the cap" is fine). */
    for (;;) {
        if (len == cap) {
            size_t ncap = cap ? 2 * cap : 4096;
            if (ncap > CONFIG_FILE_MAX + 1)
                ncap = CONFIG_FILE_MAX + 1;
            if (ncap == cap)
                break;
            char *nbuf = realloc(buf, ncap);
            if (!nbuf) {
                snprintf(errbuf, NS_ERRBUF_SIZE, "%s: out of memory reading the file", path);
                rc = NS_ERR_NOMEM;
                goto err_free;
            }
            buf = nbuf;
            cap = ncap;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        if (got == 0)
            break;
        len += got;
    }
    if (ferror(f)) {
        snprintf(errbuf, NS_ERRBUF_SIZE, "%s: cannot read: %s", path, strerror(errno));
        rc = NS_ERR_IO;
        goto err_free;
    }
    if (len > CONFIG_FILE_MAX) {
        snprintf(errbuf, NS_ERRBUF_SIZE,
                 "%s: larger than %u bytes, not a configuration file?", path,
                 CONFIG_FILE_MAX);
        rc = NS_ERR_INVAL;
        goto err_free;
    }
    fclose(f);
    *out = buf;
    *out_len = len;
    return NS_OK;

err_free:
    free(buf);
    fclose(f);
    return rc;
}

/* Pass 1: is it YAML at all?  Pulls every event and keeps none, so a
 * syntax error is reported as such wherever it is, not hidden behind a
 * schema error on an earlier line.  libyaml keeps its state on the heap
 * (no recursion), and the file is capped, so this is bounded. */
static int check_syntax(struct cfg_parser *p)
{
    yaml_event_t ev;
    int rc;

    if (!yaml_parser_initialize(&p->yp)) {
        snprintf(p->errbuf, NS_ERRBUF_SIZE, "%s: out of memory starting the YAML parser",
                 p->path);
        return NS_ERR_NOMEM;
    }
    yaml_parser_set_input_string(&p->yp, (const unsigned char *)p->text, p->text_len);
    size_t depth = 0;
    for (;;) {
        if ((rc = next_event(p, &ev)) != NS_OK)
            break;
        bool end = ev.type == YAML_STREAM_END_EVENT;
        if (ev.type == YAML_MAPPING_START_EVENT || ev.type == YAML_SEQUENCE_START_EVENT) {
            if (++depth > CONFIG_MAX_NESTING) {
                rc = cfg_error(p, NS_ERR_INVAL, ev_line(&ev), NULL, 0,
                               "nested more than %d levels deep", CONFIG_MAX_NESTING);
                end = true;
            }
        } else if (ev.type == YAML_MAPPING_END_EVENT || ev.type == YAML_SEQUENCE_END_EVENT) {
            depth--;
        }
        yaml_event_delete(&ev);
        if (end)
            break;
    }
    yaml_parser_delete(&p->yp);
    return rc;
}

/* Parses text (owned by the caller) over cfg; path names it in errors. */
static int config_parse_text(struct ns_config *cfg, const char *path, char *text,
                             size_t len, char *errbuf)
{
    struct cfg_parser p;
    int rc;

    memset(&p, 0, sizeof(p));
    p.path = path;
    p.errbuf = errbuf;
    p.text = text;
    p.text_len = len;

    /* Parse into a copy so a failed load leaves cfg as it was. */
    p.cfg = malloc(sizeof(*p.cfg));
    if (!p.cfg) {
        snprintf(errbuf, NS_ERRBUF_SIZE, "%s: out of memory", path);
        return NS_ERR_NOMEM;
    }
    memcpy(p.cfg, cfg, sizeof(*cfg));

    rc = check_syntax(&p);
    if (rc != NS_OK)
        goto err_copy;

    /* Pass 2: walk the events against the schema. */
    if (!yaml_parser_initialize(&p.yp)) {
        snprintf(errbuf, NS_ERRBUF_SIZE, "%s: out of memory starting the YAML parser", path);
        rc = NS_ERR_NOMEM;
        goto err_copy;
    }
    yaml_parser_set_input_string(&p.yp, (const unsigned char *)text, len);

    rc = parse_stream(&p);
    if (rc != NS_OK)
        goto err_parser;
    memcpy(cfg, p.cfg, sizeof(*cfg));
    /* success falls through the ladder: every step is also cleanup */

err_parser:
    yaml_parser_delete(&p.yp);
err_copy:
    free(p.cfg);
    return rc;
}

int config_load(struct ns_config *cfg, const char *path, char *errbuf)
{
    char *text;
    size_t len;
    errbuf[0] = '\0';
    int rc = read_file(path, &text, &len, errbuf);
    if (rc != NS_OK)
        return rc;
    rc = config_parse_text(cfg, path, text, len, errbuf);
    free(text);
    return rc;
}

int config_set(struct ns_config *cfg, const char *assignment, char *errbuf)
{
    errbuf[0] = '\0';
    const char *eq = strchr(assignment, '=');
    size_t klen = eq ? (size_t)(eq - assignment) : 0;
    if (!eq || klen == 0 || klen > 200 || strlen(eq + 1) > CONFIG_BPF_MAX ||
        strpbrk(assignment, "\n\r") || assignment[0] == '.' || eq[-1] == '.' ||
        memmem(assignment, klen, "..", 2)) {
        snprintf(errbuf, NS_ERRBUF_SIZE, "--set: expected KEY=VALUE with a dotted key "
                 "such as outputs.eve.ethernet=yes (got \"%.200s\")", assignment);
        return NS_ERR_INVAL;
    }
    /* the same schema as the file: the key path as nested mappings.  The
     * k-th of c components is indented 2k: c(c-1) spaces in all, which
     * grows faster than the key (a.b.c...: found by tests/fuzz/fuzz_config) */
    size_t comps = 1;
    for (const char *k = assignment; k < eq; k++)
        comps += *k == '.';
    size_t cap = klen + comps * (comps + 2) + strlen(eq + 1) + 64;
    char *text = malloc(cap);
    if (!text) {
        snprintf(errbuf, NS_ERRBUF_SIZE, "--set: out of memory");
        return NS_ERR_NOMEM;
    }
    size_t len = 0, depth = 0;
    for (const char *k = assignment; k < eq; depth++) {
        const char *dot = memchr(k, '.', (size_t)(eq - k));
        size_t n = (size_t)((dot ? dot : eq) - k);
        len += (size_t)snprintf(text + len, cap - len, "%*s%.*s:%s", (int)(2 * depth), "",
                                (int)n, k, dot ? "\n" : " ");
        k += n + (dot ? 1 : 0);
    }
    len += (size_t)snprintf(text + len, cap - len, "%s\n", eq + 1);
    char name[300];
    snprintf(name, sizeof(name), "--set %.*s", (int)klen, assignment);
    int rc = config_parse_text(cfg, name, text, len, errbuf);
    free(text);
    return rc;
}
