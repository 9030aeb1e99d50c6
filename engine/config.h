/* engine/config.h: NetScope's configuration.
 *
 * NetScope runs with no configuration file at all: config_defaults() gives a
 * working setup.  config_load() reads a YAML file (libyaml) over those
 * defaults; every error names the file, the line and the key, and quotes
 * the bad value.  The command line (engine/main.c) overrides both. */
#ifndef CONFIG_H
#define CONFIG_H

#include "dissect/dissect.h"
#include "engine/anomaly.h"
#include "flow/flow.h"
#include "flow/stream.h"
#include "output/rollup.h"

#define CONFIG_PATH_MAX 4096
#define CONFIG_BPF_MAX  4096
#define CONFIG_LIST_TEXT 32768

/* A list of strings, kept as consecutive NUL-terminated texts. */
struct config_strlist {
    char text[CONFIG_LIST_TEXT];
    uint32_t len;                 /* bytes used in text */
    uint32_t n;                   /* strings */
};

/* The string after prev (NULL: the first), or NULL after the last. */
const char *config_strlist_next(const struct config_strlist *l, const char *prev);
/* Appends s (n bytes, no NUL inside).  NS_ERR_FULL when it does not fit. */
int config_strlist_add(struct config_strlist *l, const char *s, size_t n);

/* memory: one budget for the parts that grow with traffic (engine/mem_budget.c).
 * Parts that take a share: the flow tables, TCP reassembly with app-layer
 * state (the stream mempools), IP defragmentation, and in live capture the
 * kernel's capture rings.  Queues between threads are fixed by queue-size
 * and counted first. */
enum mem_part { MEM_PART_FLOW = 0, MEM_PART_STREAM, MEM_PART_DEFRAG, MEM_PART_CAPTURE, MEM_PARTS };

struct mem_config {
    uint64_t budget;              /* memory.budget, bytes; 0: none (each part its own cap) */
    uint32_t share[MEM_PARTS];    /* memory.shares.*: weights, percent of what is left */
};

/* What config_memory_resolve decided: bytes for all workers together. */
struct mem_plan {
    uint64_t budget;              /* memory.budget, or the sum of the parts without one */
    uint64_t part[MEM_PARTS];     /* capture: 0 when not live */
    bool explicit_cap[MEM_PARTS]; /* set by its own key, not a share */
    uint64_t queues;              /* the rings between threads */
    unsigned workers;
    bool resolved;
};

/* The queues' floor: main.c and live.c make each ring at least this. */
#define CONFIG_QUEUE_MIN (2u << 20)

struct ns_config {
    uint32_t threads;             /* workers; 0 = one per online CPU */
    char log_dir[CONFIG_PATH_MAX];       /* default "." */
    char eve_filename[CONFIG_PATH_MAX];  /* default "eve.json", relative to log_dir */
    char bpf[CONFIG_BPF_MAX];            /* "" = no filter */
    uint32_t stats_interval;      /* seconds of packet time; 0 = only at end */
    /* rollups: interval (seconds of packet time, 0: off; default 60),
     * top-n (entries per list, 1..100; default 10), capacity (counters
     * per heavy-hitter sketch, 64..2048; default 1024): output/rollup.h */
    struct rollup_config rollup;
    /* anomaly: the behavioural detectors (engine/anomaly.h), run by the
     * writer; their alerts are EVE alerts with gid 9000 */
    struct anomaly_config anomaly;
    char csv_dir[CONFIG_PATH_MAX];       /* --csv: "" = no CSV files */
    /* event types written (config_set_types) */
    bool eve_flow, eve_anomaly, eve_stats, eve_dns, eve_http, eve_tls, eve_smtp, eve_ftp,
         eve_ssh, eve_dhcp, eve_alert, eve_rollup;
    /* outputs.eve.alert: the packet's payload in alerts (base64, and the
     * printable form), the app-layer object of the transaction */
    bool alert_payload, alert_payload_printable, alert_metadata;
    /* Rules (Suricata's layout): the files in order (rules: and -S; a
     * relative name is looked up under default-rule-path when that is
     * set), vars.address-groups and vars.port-groups as NAME, VALUE string
     * pairs (a later pair for a name wins), classification-file ("" : the
     * classification.config beside the first rule file, if there is one),
     * detect.cache-dir for compiled Hyperscan databases ("" : no cache),
     * detect.cache-max-age: days after which an unused cache entry is
     * removed (0: never), detect.pcre-hyperscan: how the pcre expressions
     * get onto Hyperscan (background | sync | no: engine/pcre_hs.h). */
    struct config_strlist rule_files;
    char default_rule_path[CONFIG_PATH_MAX];
    struct config_strlist address_groups, port_groups;
    char classification_file[CONFIG_PATH_MAX];
    char detect_cache_dir[CONFIG_PATH_MAX];
    char detect_pcre_hs[12];
    uint32_t detect_cache_max_age;
    /* Not a key: set when rules were loaded, so that the app-layer
     * parsers run for them even where their records are not written. */
    bool rules_loaded;
    bool dhcp_extended;           /* outputs.eve.dhcp-extended: every message, all fields */
    bool eve_ethernet;            /* MAC addresses in records (Suricata: off) */
    /* outputs.eve rotate-size (bytes, 0: never), rotate-interval (seconds
     * of wall time, 0: never), write-timeout (ms a pipe or FIFO reader may
     * take nothing before lines are dropped): output/logfile.h */
    uint64_t eve_rotate_size;
    uint32_t eve_rotate_interval;
    uint32_t eve_write_timeout_ms;
    /* outputs.csv (--csv, each file on its own) and outputs.pcap (-w):
     * rotate-size, rotate-interval and write-timeout as outputs.eve's */
    uint64_t csv_rotate_size, pcap_rotate_size;
    uint32_t csv_rotate_interval, pcap_rotate_interval;
    uint32_t csv_write_timeout_ms, pcap_write_timeout_ms;
    /* outputs.eve.dns: the record format (3: Suricata 8's, one record per
     * message; 2: Suricata 6/7's, one per question of a request and one
     * per response) and which messages are written */
    uint32_t eve_dns_version;     /* 2 or 3 (default 3) */
    bool eve_dns_requests, eve_dns_responses;
    /* app-layer.protocols.dns: parse DNS at all.  A transport's own key
     * (tcp/udp), when given, wins over the global one, as in Suricata;
     * read them through config_dns_enabled(). */
    struct {
        bool enabled;             /* default yes */
        int8_t tcp, udp;          /* CONFIG_UNSET (follow enabled), 0 or 1 */
    } dns_parser;
    uint32_t community_id_seed;   /* Community ID seed, 0..65535 (default 0) */
    uint32_t queue_size;          /* bytes per reader->worker and worker->writer ring */
    /* Per-part caps: 0 until config_memory_resolve (or an explicit key)
     * sets them; after it, flow.memcap is per worker, stream_memcap for all
     * workers, defrag.defrag_memcap per worker, live.ring_memory all. */
    struct flow_config flow;
    struct stream_config stream;
    uint64_t stream_memcap;       /* bytes for reassembly and app-layer state, all workers */
    struct dissect_config defrag;
    struct mem_config memory;
    struct mem_plan mem;          /* not a key: config_memory_resolve's result */
    struct {
        char interface[64];       /* -i */
        char fanout[8];           /* hash | lb | cpu | qm */
        uint32_t fanout_group;    /* 0..65535 */
        bool fanout_defrag;       /* hash on reassembled datagrams */
        uint64_t ring_memory;     /* bytes for the rings of all workers */
        uint32_t block_size;      /* bytes per ring block */
        uint32_t frame_size;      /* bytes, sizes the kernel's frame count */
        uint32_t block_timeout;   /* ms before a partly filled block is retired */
        bool cpu_affinity;        /* pin worker i to CPU i */
        bool promisc;             /* promiscuous mode while capturing */
        char on_interface_down[8];/* wait | stop */
    } live;
};

/* An optional yes/no key that was not given. */
#define CONFIG_UNSET (-1)

void config_defaults(struct ns_config *cfg);

/* Whether DNS over ipproto (6 TCP, 17 UDP) is parsed: that transport's
 * app-layer.protocols.dns.<tcp|udp>.enabled when given, else
 * app-layer.protocols.dns.enabled. */
bool config_dns_enabled(const struct ns_config *cfg, uint8_t ipproto);

/* The EVE event type names, comma separated ("flow,anomaly,..."). */
extern const char config_type_names[];

/* "flow,dns,...": exactly these event types.  NS_ERR_INVAL on an unknown
 * name, with errbuf naming it. */
int config_set_types(struct ns_config *cfg, const char *list, char *errbuf) NS_MUST_CHECK;

/* Reads path over the values already in cfg.  Returns NS_OK, or
 * NS_ERR_IO / NS_ERR_INVAL with errbuf like
 * "configs/x.yaml:12: flow.timeouts.tcp.new: expected a number of seconds, got \"abc\"". */
int config_load(struct ns_config *cfg, const char *path, char *errbuf) NS_MUST_CHECK;

/* Applies one "dotted.key=value" from the command line (--set), checked
 * against the same schema as the file.  Errors start with "--set KEY". */
int config_set(struct ns_config *cfg, const char *assignment, char *errbuf) NS_MUST_CHECK;

/* Divides the memory among the parts for nw workers (live: with capture
 * rings), after the file, --set and the command line.  An explicit
 * per-part key (flow.memcap, stream.memcap, defrag.memcap,
 * live.ring-memory, --flow-memcap) wins over its share; the other parts
 * share what memory.budget leaves after the queues and the explicit caps,
 * by memory.shares.  Without a budget every part keeps its own default.
 * Fills cfg->mem and sets the per-part caps (flow.memcap per worker from
 * then on).  NS_ERR_INVAL with errbuf naming memory.budget when the budget
 * cannot hold the fixed parts or leaves a part less than it needs. */
int config_memory_resolve(struct ns_config *cfg, unsigned nw, bool live, char *errbuf) NS_MUST_CHECK;

/* The plan in one line, for the start-up log (no newline). */
void config_memory_describe(const struct ns_config *cfg, char *out, size_t cap);

#endif
