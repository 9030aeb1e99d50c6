/* tests/test_config.c: the YAML configuration -- defaults, the shipped
 * configs/netscope.yaml (must equal the defaults), every key, the exact
 * text of every class of error, and a mutation loop over the default file
 * that must never crash and never fail without naming the file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/config.h"

#define DEFAULT_YAML "configs/netscope.yaml"

/* Configs are ~12 KiB each: keep them off the stack. */
struct fixture {
    struct ns_config *cfg;
    struct ns_config *def;
    char path[64];
    char err[NS_ERRBUF_SIZE];
};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));
    if (!fx)
        return -1;
    fx->cfg = malloc(sizeof(*fx->cfg));
    fx->def = malloc(sizeof(*fx->def));
    strcpy(fx->path, "/tmp/test_config_XXXXXX.yaml");
    int fd = fx->cfg && fx->def ? mkstemps(fx->path, 5) : -1;
    if (fd < 0)
        return -1;
    close(fd);
    config_defaults(fx->cfg);
    config_defaults(fx->def);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    unlink(fx->path);
    free(fx->cfg);
    free(fx->def);
    free(fx);
    return 0;
}

static void write_bytes(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    if (len)
        assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* Write text to the fixture's file and load it over fx->cfg. */
static int load_text(struct fixture *fx, const char *text)
{
    write_bytes(fx->path, text, strlen(text));
    return config_load(fx->cfg, fx->path, fx->err);
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = malloc(1 << 20);
    assert_non_null(buf);
    *len = fread(buf, 1, 1 << 20, f);
    fclose(f);
    return buf;
}

/* Change every configurable field away from its default (padding
 * untouched). */
static void perturb(struct ns_config *c)
{
    c->threads = 7;
    memset(c->log_dir, 'x', 100);
    memset(c->eve_filename, 'y', 100);
    memset(c->bpf, 'z', 100);
    c->stats_interval = 12345;
    c->eve_flow = c->eve_anomaly = c->eve_stats = c->eve_dns = false;
    c->queue_size = 77;
    c->flow.hash_size = 3;
    /* the per-part memcaps are left out of the shipped file (unset: a
     * share of memory.budget), so not perturbed; the budget is */
    c->memory.budget = 5;
    for (int p = 0; p < MEM_PARTS; p++)
        c->memory.share[p] = 90 + (uint32_t)p;
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 3; j++) {
            /* Only TCP closes: other classes' closed slots are not keys. */
            if (i != FLOW_CLASS_TCP && j == FLOW_STATE_CLOSED)
                continue;
            c->flow.timeout[i][j] = 1000 + (uint32_t)(i * 3 + j);
            c->flow.emerg_timeout[i][j] = 2000 + (uint32_t)(i * 3 + j);
        }
    c->flow.emerg_recovery_pct = 99;
    c->defrag.defrag_max_trackers = 11;
    c->defrag.defrag_max_frags = 12;
    c->defrag.defrag_timeout_s = 14;
    c->eve_dns_version = 2;
    c->eve_dns_requests = c->eve_dns_responses = false;
    c->dns_parser.enabled = false;
    /* dns_parser.tcp/udp: not in the shipped file (left out = follow
     * "enabled"), so not perturbed */
}

static void assert_config_equal(const struct ns_config *a, const struct ns_config *b)
{
    assert_int_equal(a->threads, b->threads);
    assert_string_equal(a->log_dir, b->log_dir);
    assert_string_equal(a->eve_filename, b->eve_filename);
    assert_string_equal(a->bpf, b->bpf);
    assert_int_equal(a->stats_interval, b->stats_interval);
    assert_int_equal(a->eve_flow, b->eve_flow);
    assert_int_equal(a->eve_anomaly, b->eve_anomaly);
    assert_int_equal(a->eve_stats, b->eve_stats);
    assert_int_equal(a->eve_dns, b->eve_dns);
    assert_int_equal(a->eve_http, b->eve_http);
    assert_int_equal(a->queue_size, b->queue_size);
    assert_int_equal(a->flow.hash_size, b->flow.hash_size);
    assert_int_equal(a->flow.memcap, b->flow.memcap);
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 3; j++) {
            assert_int_equal(a->flow.timeout[i][j], b->flow.timeout[i][j]);
            assert_int_equal(a->flow.emerg_timeout[i][j], b->flow.emerg_timeout[i][j]);
        }
    assert_int_equal(a->flow.emerg_recovery_pct, b->flow.emerg_recovery_pct);
    assert_int_equal(a->defrag.defrag_max_trackers, b->defrag.defrag_max_trackers);
    assert_int_equal(a->defrag.defrag_max_frags, b->defrag.defrag_max_frags);
    assert_int_equal(a->defrag.defrag_memcap, b->defrag.defrag_memcap);
    assert_int_equal(a->defrag.defrag_timeout_s, b->defrag.defrag_timeout_s);
    /* Whole struct, padding included (config_defaults zeroes it and the
     * loader clears whole string buffers). */
    assert_memory_equal(a, b, sizeof(*a));
}

static void defaults_sane(void **state)
{
    struct fixture *fx = *state;
    const struct ns_config *c = fx->def;

    assert_int_equal(c->threads, 0);
    assert_string_equal(c->log_dir, ".");
    assert_string_equal(c->eve_filename, "eve.json");
    assert_string_equal(c->bpf, "");
    assert_int_equal(c->stats_interval, 8);
    assert_true(c->eve_flow && c->eve_anomaly && c->eve_stats && c->eve_dns);
    assert_int_equal(c->queue_size, 4u << 20);
    /* DESIGN.md section 3: Suricata's flow defaults. */
    assert_int_equal(c->flow.hash_size, 65536);
    /* per-part caps unset: a share of memory.budget, or their defaults
     * (config_memory_resolve) */
    assert_int_equal(c->flow.memcap, 0);
    assert_int_equal(c->stream_memcap, 0);
    assert_int_equal(c->defrag.defrag_memcap, 0);
    assert_int_equal(c->live.ring_memory, 0);
    assert_int_equal(c->memory.budget, 0);
    assert_int_equal(c->flow.timeout[FLOW_CLASS_TCP][FLOW_STATE_NEW], 60);
    assert_int_equal(c->flow.timeout[FLOW_CLASS_TCP][FLOW_STATE_ESTABLISHED], 600);
    assert_int_equal(c->flow.timeout[FLOW_CLASS_TCP][FLOW_STATE_CLOSED], 60);
    assert_int_equal(c->flow.emerg_timeout[FLOW_CLASS_TCP][FLOW_STATE_NEW], 5);
    assert_int_equal(c->flow.emerg_timeout[FLOW_CLASS_TCP][FLOW_STATE_ESTABLISHED], 100);
    assert_int_equal(c->flow.emerg_timeout[FLOW_CLASS_TCP][FLOW_STATE_CLOSED], 10);
    for (int cl = FLOW_CLASS_UDP; cl <= FLOW_CLASS_OTHER; cl++) {
        assert_int_equal(c->flow.timeout[cl][FLOW_STATE_NEW], 30);
        assert_int_equal(c->flow.timeout[cl][FLOW_STATE_ESTABLISHED], 300);
        assert_int_equal(c->flow.emerg_timeout[cl][FLOW_STATE_NEW], 10);
        assert_int_equal(c->flow.emerg_timeout[cl][FLOW_STATE_ESTABLISHED], 100);
    }
    assert_int_equal(c->flow.emerg_recovery_pct, 30);
    assert_true(c->defrag.defrag_max_trackers > 0);
    assert_true(c->defrag.defrag_max_frags > 0);
    assert_true(c->defrag.defrag_timeout_s > 0);
}

/* The shipped file sets every field, to exactly the defaults. */
static void default_yaml_equals_defaults(void **state)
{
    struct fixture *fx = *state;

    perturb(fx->cfg);
    int rc = config_load(fx->cfg, DEFAULT_YAML, fx->err);
    if (rc != NS_OK)
        fail_msg("%s", fx->err);
    assert_string_equal(fx->err, "");
    assert_config_equal(fx->cfg, fx->def);
}

static void empty_documents_keep_defaults(void **state)
{
    struct fixture *fx = *state;
    static const char *const texts[] = {
        "", "\n\n", "# only a comment\n", "---\n", "---\n...\n", "~\n", "{}\n",
        "flow:\n", "outputs:\n  eve:\n", "flow: {timeouts: {}}\n",
    };

    for (size_t i = 0; i < NS_ARRAY_LEN(texts); i++) {
        config_defaults(fx->cfg);
        if (load_text(fx, texts[i]) != NS_OK)
            fail_msg("\"%s\": %s", texts[i], fx->err);
        assert_config_equal(fx->cfg, fx->def);
    }
}

static void every_key_sets_its_field(void **state)
{
    struct fixture *fx = *state;
    struct ns_config *c = fx->cfg;
    int rc = load_text(fx,
        "threads: 12\n"
        "log-dir: /var/log/netscope\n"
        "stats-interval: 0\n"
        "bpf-filter: 'tcp port 80 and not host 10.0.0.1'\n"
        "queue-size: 256kb\n"
        "outputs:\n"
        "  eve:\n"
        "    filename: \"events.json\"\n"
        "    types: [stats]\n"
        "flow:\n"
        "  hash-size: 1000\n"
        "  memcap: 2gb\n"
        "  emergency-recovery: 50\n"
        "  timeouts:\n"
        "    tcp: {new: 1, established: 2, closed: 3, emergency-new: 4,\n"
        "          emergency-established: 5, emergency-closed: 6}\n"
        "    udp: {new: 11, established: 12, emergency-new: 14, emergency-established: 15}\n"
        "    icmp:\n"
        "      new: 21\n"
        "      established: 22\n"
        "      emergency-new: 24\n"
        "      emergency-established: 25\n"
        "    other: {established: 32, emergency-established: 35}\n"
        "defrag:\n"
        "  trackers: 100\n"
        "  max-frags: 8\n"
        "  memcap: 1MB\n"
        "  timeout: 5\n");
    if (rc != NS_OK)
        fail_msg("%s", fx->err);
    assert_int_equal(c->threads, 12);
    assert_string_equal(c->log_dir, "/var/log/netscope");
    assert_int_equal(c->stats_interval, 0);
    assert_string_equal(c->bpf, "tcp port 80 and not host 10.0.0.1");
    assert_int_equal(c->queue_size, 256 * 1024);
    assert_string_equal(c->eve_filename, "events.json");
    assert_false(c->eve_flow);
    assert_false(c->eve_anomaly);
    assert_true(c->eve_stats);
    assert_int_equal(c->flow.hash_size, 1000);
    assert_int_equal(c->flow.memcap, 2ull << 30);
    assert_int_equal(c->flow.emerg_recovery_pct, 50);
    const uint32_t (*t)[3] = c->flow.timeout, (*e)[3] = c->flow.emerg_timeout;
    assert_int_equal(t[FLOW_CLASS_TCP][0], 1);
    assert_int_equal(t[FLOW_CLASS_TCP][1], 2);
    assert_int_equal(t[FLOW_CLASS_TCP][2], 3);
    assert_int_equal(e[FLOW_CLASS_TCP][0], 4);
    assert_int_equal(e[FLOW_CLASS_TCP][1], 5);
    assert_int_equal(e[FLOW_CLASS_TCP][2], 6);
    /* Only TCP has closed timeouts: the other classes' stay at default. */
    const struct flow_config *d = &fx->def->flow;
    static const struct { int cls; uint32_t v[2][3]; } want[] = {
        { FLOW_CLASS_UDP,   { { 11, 12, 0 }, { 14, 15, 0 } } },
        { FLOW_CLASS_ICMP,  { { 21, 22, 0 }, { 24, 25, 0 } } },
        { FLOW_CLASS_OTHER, { { 0, 32, 0 }, { 0, 35, 0 } } },  /* 0: default */
    };
    for (size_t i = 0; i < NS_ARRAY_LEN(want); i++) {
        int cl = want[i].cls;
        for (int st = 0; st < 3; st++) {
            uint32_t wt = want[i].v[0][st] ? want[i].v[0][st] : d->timeout[cl][st];
            uint32_t we = want[i].v[1][st] ? want[i].v[1][st] : d->emerg_timeout[cl][st];
            assert_int_equal(t[cl][st], wt);
            assert_int_equal(e[cl][st], we);
        }
    }
    assert_int_equal(c->defrag.defrag_max_trackers, 100);
    assert_int_equal(c->defrag.defrag_max_frags, 8);
    assert_int_equal(c->defrag.defrag_memcap, 1 << 20);
    assert_int_equal(c->defrag.defrag_timeout_s, 5);

    /* Later loads layer over earlier ones; "auto" goes back to 0. */
    assert_int_equal(load_text(fx, "threads: auto\nbpf-filter:\noutputs: {eve: {types: []}}\n"),
                     NS_OK);
    assert_int_equal(c->threads, 0);
    assert_string_equal(c->bpf, "");
    assert_false(c->eve_flow || c->eve_anomaly || c->eve_stats || c->eve_dns);
    assert_string_equal(c->log_dir, "/var/log/netscope");
}

static void sizes_and_numbers(void **state)
{
    struct fixture *fx = *state;
    static const struct { const char *text; uint64_t want; } sizes[] = {
        { "65536", 65536 }, { "64kb", 64 << 10 }, { "64KB", 64 << 10 },
        { "3Mb", 3 << 20 }, { "1gb", 1 << 30 }, { "\"1gb\"", 1 << 30 },
        { "0000065536", 65536 },
    };
    char text[128];

    for (size_t i = 0; i < NS_ARRAY_LEN(sizes); i++) {
        snprintf(text, sizeof(text), "queue-size: %s\n", sizes[i].text);
        if (load_text(fx, text) != NS_OK)
            fail_msg("%s: %s", text, fx->err);
        assert_int_equal(fx->cfg->queue_size, sizes[i].want);
    }
    /* The ends of the ranges are in range. */
    assert_int_equal(load_text(fx, "threads: 256\nflow: {memcap: 1024gb, hash-size: 16777216}\n"
                                   "stats-interval: 86400\n"), NS_OK);
    assert_int_equal(fx->cfg->threads, 256);
    assert_int_equal(fx->cfg->flow.memcap, 1024ull << 30);
    assert_int_equal(load_text(fx, "threads: 1\nflow: {timeouts: {tcp: {new: 0}}}\n"
                                   "defrag: {memcap: 2gb}\n"), NS_OK);
    assert_int_equal(fx->cfg->threads, 1);
    assert_int_equal(fx->cfg->flow.timeout[FLOW_CLASS_TCP][FLOW_STATE_NEW], 0);
    assert_int_equal(fx->cfg->defrag.defrag_memcap, 2u << 30);
    /* Anchors alone are harmless; tags and quoting don't matter. */
    assert_int_equal(load_text(fx, "threads: &n !!int '4'\nlog-dir: !!str logs\n"), NS_OK);
    assert_int_equal(fx->cfg->threads, 4);
    assert_string_equal(fx->cfg->log_dir, "logs");
}

/* Each class of error, with its exact message ("%s" = the file's path). */
struct err_case {
    const char *text;
    const char *want;
};

static const struct err_case err_cases[] = {
    /* unknown keys, at each depth */
    { "bogus: 1\n", "%s:1: bogus: unknown key" },
    { "threads: 2\nflow:\n  timeouts:\n    tcp:\n      fresh: 5\n",
      "%s:5: flow.timeouts.tcp.fresh: unknown key" },
    { "outputs:\n  eve:\n    file-name: x\n", "%s:3: outputs.eve.file-name: unknown key" },
    { "flow: {timeouts: {sctp: {new: 1}}}\n", "%s:1: flow.timeouts.sctp: unknown key" },
    { "flow:\n  timeouts:\n    udp:\n      new: 1\n      closed: 5\n",
      "%s:5: flow.timeouts.udp.closed: unknown key" },
    { "Threads: 2\n", "%s:1: Threads: unknown key" },
    { "\"a b\": 1\n", "%s:1: \"a b\": unknown key" },
    { "<<: {threads: 2}\n", "%s:1: <<: unknown key" },
    /* duplicates */
    { "threads: 2\nlog-dir: x\nthreads: 3\n",
      "%s:3: threads: duplicate key (first given on line 1)" },
    /* wrong types */
    { "threads:\n  count: 4\n",
      "%s:2: threads: expected \"auto\" or a number of threads (got a mapping)" },
    { "log-dir: [a, b]\n", "%s:1: log-dir: expected a directory (got a list)" },
    { "flow: 5\n", "%s:1: flow: expected a mapping (got \"5\")" },
    { "flow:\n  - hash-size: 5\n", "%s:2: flow: expected a mapping (got a list)" },
    { "outputs: {eve: {types: flow}}\n",
      "%s:1: outputs.eve.types: expected a list of event types (flow, anomaly, stats, dns, http, tls, smtp, ftp, ssh, dhcp, "
             "alert) (got \"flow\")" },
    { "outputs: {eve: {types: }}\n",
      "%s:1: outputs.eve.types: expected a list of event types (flow, anomaly, stats, dns, http, tls, smtp, ftp, ssh, dhcp, "
             "alert) (got \"\")" },
    { "outputs:\n  eve:\n    types:\n      - flow\n      - {a: 1}\n",
      "%s:5: outputs.eve.types: expected an event type name (got a mapping)" },
    { "outputs: {eve: {types: [flow, fileinfo]}}\n",
      "%s:1: outputs.eve.types: unknown event type, expected one of flow, anomaly, stats, dns, http, tls, smtp, ftp, ssh, dhcp, alert, rollup (got \"fileinfo\")" },
    { "flow:\n  [a]: 1\n", "%s:2: flow: expected a key name (got a list)" },
    { "? {a: 1}\n: 2\n", "%s:1: expected a key name (got a mapping)" },
    /* the top level */
    { "hello\n", "%s:1: expected a mapping of settings at the top level (got \"hello\")" },
    { "- threads\n", "%s:1: expected a mapping of settings at the top level (got a list)" },
    { "threads: 2\n---\nthreads: 3\n", "%s:2: only one YAML document is allowed" },
    { "---\n---\n", "%s:2: only one YAML document is allowed" },
    /* aliases */
    { "threads: &n 4\nstats-interval: *n\n",
      "%s:2: stats-interval: aliases are not supported (got \"*n\")" },
    { "flow: &f {hash-size: 5}\ndefrag: *f\n",
      "%s:2: defrag: aliases are not supported (got \"*f\")" },
    { "outputs: {eve: {types: &t flow, x: [*t]}}\n",
      "%s:1: outputs.eve.types: expected a list of event types (flow, anomaly, stats, dns, http, tls, smtp, ftp, ssh, dhcp, "
             "alert) (got \"flow\")" },
    { "outputs: {eve: {filename: &t a, types: [*t]}}\n",
      "%s:1: outputs.eve.types: aliases are not supported (got \"*t\")" },
    { "flow: {&k hash-size: 5, *k : 6}\n",
      "%s:1: flow: aliases are not supported (got \"*k\")" },
    /* numbers: junk, sign, overflow, range */
    { "stats-interval: abc\n", "%s:1: stats-interval: expected a number of seconds (got \"abc\")" },
    { "stats-interval: 12x\n", "%s:1: stats-interval: expected a number of seconds (got \"12x\")" },
    { "stats-interval: -5\n", "%s:1: stats-interval: expected a number of seconds (got \"-5\")" },
    { "stats-interval: +5\n", "%s:1: stats-interval: expected a number of seconds (got \"+5\")" },
    { "stats-interval: 0x10\n", "%s:1: stats-interval: expected a number of seconds (got \"0x10\")" },
    { "stats-interval: 1.5\n", "%s:1: stats-interval: expected a number of seconds (got \"1.5\")" },
    { "stats-interval: \" 5\"\n", "%s:1: stats-interval: expected a number of seconds (got \" 5\")" },
    { "stats-interval:\n", "%s:1: stats-interval: expected a number of seconds (got \"\")" },
    { "stats-interval: 86401\n",
      "%s:1: stats-interval: out of range 0..86400 seconds (got \"86401\")" },
    { "stats-interval: 99999999999999999999999\n",
      "%s:1: stats-interval: out of range 0..86400 seconds (got \"99999999999999999999999\")" },
    { "stats-interval: 18446744073709551616\n",
      "%s:1: stats-interval: out of range 0..86400 seconds (got \"18446744073709551616\")" },
    { "stats-interval: 4294967296\n",
      "%s:1: stats-interval: out of range 0..86400 seconds (got \"4294967296\")" },
    { "threads: 0\n", "%s:1: threads: out of range 1..256 threads (got \"0\")" },
    { "threads: 257\n", "%s:1: threads: out of range 1..256 threads (got \"257\")" },
    { "threads: Auto\n", "%s:1: threads: expected \"auto\" or a number of threads (got \"Auto\")" },
    { "threads: true\n", "%s:1: threads: expected \"auto\" or a number of threads (got \"true\")" },
    { "flow:\n  emergency-recovery: 101\n",
      "%s:2: flow.emergency-recovery: out of range 1..100 percent (got \"101\")" },
    { "flow:\n  emergency-recovery: 0\n",
      "%s:2: flow.emergency-recovery: out of range 1..100 percent (got \"0\")" },
    { "flow: {hash-size: 0}\n", "%s:1: flow.hash-size: out of range 1..16777216 buckets (got \"0\")" },
    { "flow:\n  timeouts:\n    tcp:\n      emergency-closed: 604801\n",
      "%s:4: flow.timeouts.tcp.emergency-closed: out of range 0..604800 seconds (got \"604801\")" },
    { "defrag:\n  timeout: 0\n", "%s:2: defrag.timeout: out of range 1..3600 seconds (got \"0\")" },
    { "defrag:\n  max-frags: 65536\n",
      "%s:2: defrag.max-frags: out of range 1..65535 fragments (got \"65536\")" },
    { "defrag:\n  trackers: 1048577\n",
      "%s:2: defrag.trackers: out of range 1..1048576 trackers (got \"1048577\")" },
    /* sizes */
    { "queue-size: 4xb\n",
      "%s:1: queue-size: expected a size in bytes, optionally with a kb, mb or gb suffix (got \"4xb\")" },
    { "queue-size: 4tb\n",
      "%s:1: queue-size: expected a size in bytes, optionally with a kb, mb or gb suffix (got \"4tb\")" },
    { "queue-size: 4 mb\n",
      "%s:1: queue-size: expected a size in bytes, optionally with a kb, mb or gb suffix (got \"4 mb\")" },
    { "queue-size: 4m\n",
      "%s:1: queue-size: expected a size in bytes, optionally with a kb, mb or gb suffix (got \"4m\")" },
    { "queue-size: 4mbb\n",
      "%s:1: queue-size: expected a size in bytes, optionally with a kb, mb or gb suffix (got \"4mbb\")" },
    { "queue-size: mb\n",
      "%s:1: queue-size: expected a size in bytes, optionally with a kb, mb or gb suffix (got \"mb\")" },
    { "queue-size: -4mb\n",
      "%s:1: queue-size: expected a size in bytes, optionally with a kb, mb or gb suffix (got \"-4mb\")" },
    { "queue-size: 2gb\n", "%s:1: queue-size: out of range 64kb..1gb (got \"2gb\")" },
    { "queue-size: 1000\n", "%s:1: queue-size: out of range 64kb..1gb (got \"1000\")" },
    { "queue-size: 99999999999gb\n",
      "%s:1: queue-size: out of range 64kb..1gb (got \"99999999999gb\")" },
    { "flow: {memcap: 18014398509481984kb}\n",
      "%s:1: flow.memcap: out of range 1mb..1024gb (got \"18014398509481984kb\")" },
    { "defrag:\n  memcap: 4gb\n", "%s:2: defrag.memcap: out of range 64kb..2gb (got \"4gb\")" },
    { "outputs:\n  csv:\n    rotate-size: 4xb\n",
      "%s:3: outputs.csv.rotate-size: expected a size in bytes, optionally with a kb, mb or gb suffix (got \"4xb\")" },
    { "outputs: {pcap: {rotate-interval: 2678401}}\n",
      "%s:1: outputs.pcap.rotate-interval: out of range 0..2678400 seconds (got \"2678401\")" },
    { "outputs: {pcap: {write-timeout: -1}}\n",
      "%s:1: outputs.pcap.write-timeout: expected a number of milliseconds (got \"-1\")" },
    { "outputs: {csv: {snaplen: 5}}\n", "%s:1: outputs.csv.snaplen: unknown key" },
    /* strings */
    { "log-dir: \"\"\n", "%s:1: log-dir: expected a directory, must not be empty (got \"\")" },
    { "log-dir:\n", "%s:1: log-dir: expected a directory, must not be empty (got \"\")" },
    { "outputs: {eve: {filename: ''}}\n",
      "%s:1: outputs.eve.filename: expected a file name, must not be empty (got \"\")" },
    { "log-dir: \"a\\0b\"\n", "%s:1: log-dir: contains a NUL byte (got \"a\\x00b\")" },
    { "bpf-filter: \"tab\\there \\\"q\\\" \\\\ \\u00e9\"\n", NULL },   /* ok: escapes */
    /* YAML syntax: libyaml's words, line and column */
    { "threads: [1, 2\n",
      "%s:2:1: invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence on line 1)" },
    { "threads: a: b\n", "%s:1:11: invalid YAML: mapping values are not allowed in this context" },
    { "flow:\n\thash-size: 5\n",
      "%s:2:1: invalid YAML: found character that cannot start any token (while scanning for the next token on line 2)" },
    { "threads: 2\n  log-dir: x\n",
      "%s:2:10: invalid YAML: mapping values are not allowed in this context" },
    { "threads: \"2\n", "%s:2:1: invalid YAML: found unexpected end of stream (while scanning a quoted scalar on line 1)" },
    { "threads: *\n", "%s:1:11: invalid YAML: did not find expected alphabetic or numeric character (while scanning an alias on line 1)" },
    { "threads: 2\nlog-dir: \xff\n",
      "%s:2: invalid YAML: invalid leading UTF-8 octet (0xff at byte 20)" },
    { "threads: 2\x01\n", "%s:1: invalid YAML: control characters are not allowed (0x01 at byte 10)" },
};

static void errors_exact(void **state)
{
    struct fixture *fx = *state;
    char want[NS_ERRBUF_SIZE];
    unsigned failures = 0;

    for (size_t i = 0; i < NS_ARRAY_LEN(err_cases); i++) {
        const struct err_case *ec = &err_cases[i];
        config_defaults(fx->cfg);
        int rc = load_text(fx, ec->text);
        if (!ec->want) {
            if (rc != NS_OK)
                fail_msg("case %zu: unexpected error: %s", i, fx->err);
            continue;
        }
        snprintf(want, sizeof(want), ec->want, fx->path);
        if (rc != NS_ERR_INVAL || strcmp(fx->err, want) != 0) {
            print_error("case %zu (%s):\n  got  %d \"%s\"\n  want %d \"%s\"\n", i,
                        ec->text, rc, fx->err, NS_ERR_INVAL, want);
            failures++;
            continue;
        }
        /* A failed load changes nothing. */
        assert_config_equal(fx->cfg, fx->def);
    }
    assert_int_equal(failures, 0);
}

static void long_strings(void **state)
{
    struct fixture *fx = *state;
    size_t cap = CONFIG_BPF_MAX + 64;
    char *text = malloc(cap);
    char want[NS_ERRBUF_SIZE];
    assert_non_null(text);

    /* 4095 bytes fit (the NUL takes the last byte), 4096 don't. */
    int n = snprintf(text, cap, "bpf-filter: \"");
    memset(text + n, 'a', CONFIG_BPF_MAX - 1);
    strcpy(text + n + CONFIG_BPF_MAX - 1, "\"\n");
    assert_int_equal(load_text(fx, text), NS_OK);
    assert_int_equal(strlen(fx->cfg->bpf), CONFIG_BPF_MAX - 1);

    n = snprintf(text, cap, "log-dir: ");
    memset(text + n, 'b', CONFIG_PATH_MAX);
    strcpy(text + n + CONFIG_PATH_MAX, "\n");
    assert_int_equal(load_text(fx, text), NS_ERR_INVAL);
    snprintf(want, sizeof(want),
             "%s:1: log-dir: too long, at most 4095 bytes (got \"%.64s\"..., 4096 bytes)",
             fx->path, text + n);
    assert_string_equal(fx->err, want);
    assert_string_equal(fx->cfg->log_dir, ".");   /* failed load: unchanged */

    /* A long unknown key is named, but cut. */
    n = snprintf(text, cap, "flow:\n  ");
    memset(text + n, 'k', 1000);
    strcpy(text + n + 1000, ": 1\n");
    assert_int_equal(load_text(fx, text), NS_ERR_INVAL);
    snprintf(want, sizeof(want), "%s:2: flow.\"%.64s\"...: unknown key", fx->path, text + n);
    assert_string_equal(fx->err, want);
    free(text);
}

static void io_errors(void **state)
{
    struct fixture *fx = *state;

    assert_int_equal(config_load(fx->cfg, "/nonexistent/netscope.yaml", fx->err), NS_ERR_IO);
    assert_string_equal(fx->err, "/nonexistent/netscope.yaml: cannot open: No such file or directory");
    assert_int_equal(config_load(fx->cfg, "/tmp", fx->err), NS_ERR_IO);
    assert_string_equal(fx->err, "/tmp: cannot read: Is a directory");
    assert_config_equal(fx->cfg, fx->def);

    /* Over 1 MiB: refused before parsing. */
    size_t len = (1u << 20) + 1;
    char *big = malloc(len);
    assert_non_null(big);
    memset(big, '#', len);
    write_bytes(fx->path, big, len);
    assert_int_equal(config_load(fx->cfg, fx->path, fx->err), NS_ERR_INVAL);
    char want[NS_ERRBUF_SIZE];
    snprintf(want, sizeof(want), "%s: larger than 1048576 bytes, not a configuration file?",
             fx->path);
    assert_string_equal(fx->err, want);
    /* Exactly 1 MiB of comment is fine. */
    big[len - 2] = '\n';
    write_bytes(fx->path, big, len - 1);
    assert_int_equal(config_load(fx->cfg, fx->path, fx->err), NS_OK);
    free(big);
}

/* Deep nesting, alias bombs, binary: errors, no crash, no leak. */
static void hostile_documents(void **state)
{
    struct fixture *fx = *state;
    size_t depth = 200000;
    char *text = malloc(2 * depth + 64);
    assert_non_null(text);

    /* [[[[...]]]] at the top, as a value and as a key */
    memset(text, '[', depth);
    memset(text + depth, ']', depth);
    text[2 * depth] = '\0';
    assert_int_equal(load_text(fx, text), NS_ERR_INVAL);
    char want[NS_ERRBUF_SIZE];
    snprintf(want, sizeof(want), "%s:1: nested more than 32 levels deep", fx->path);
    assert_string_equal(fx->err, want);

    int n = snprintf(text, 64, "flow:\n  timeouts:\n    tcp:\n      new: ");
    memset(text + n, '{', depth);
    text[n + depth] = '\0';
    assert_int_equal(load_text(fx, text), NS_ERR_INVAL);
    snprintf(want, sizeof(want), "%s:4: nested more than 32 levels deep", fx->path);
    assert_string_equal(fx->err, want);

    /* Block mappings: 500 deep is refused at level 33 (line 33); 20 deep
     * under an unknown key stops at the key. */
    static const size_t nest[] = { 500, 20 };
    for (size_t t = 0; t < NS_ARRAY_LEN(nest); t++) {
        size_t levels = nest[t];
        size_t o = 0;
        for (size_t d = 0; d < levels; d++) {      /* 125 KB at most */
            memset(text + o, ' ', d);
            o += d;
            memcpy(text + o, "a:\n", 3);
            o += 3;
        }
        text[o] = '\0';
        assert_int_equal(load_text(fx, text), NS_ERR_INVAL);
        if (levels == 500)
            snprintf(want, sizeof(want), "%s:33: nested more than 32 levels deep", fx->path);
        else
            snprintf(want, sizeof(want), "%s:1: a: unknown key", fx->path);
        assert_string_equal(fx->err, want);
    }

    /* Billion laughs: refused at the first alias. */
    assert_int_equal(load_text(fx,
        "a: &a [x, x, x, x, x, x, x, x, x]\n"
        "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"), NS_ERR_INVAL);

    /* Binary garbage, with and without NULs. */
    uint32_t x = 12345;
    for (int round = 0; round < 200; round++) {
        size_t len = 1 + (size_t)(round * 37 % 3000);
        for (size_t i = 0; i < len; i++) {
            x = x * 1103515245 + 12345;
            text[i] = (char)(x >> 16);
        }
        write_bytes(fx->path, text, len);
        int rc = config_load(fx->cfg, fx->path, fx->err);
        if (rc != NS_OK)
            assert_non_null(strstr(fx->err, fx->path));
    }
    free(text);
}

/* Truncate the shipped file at every byte, and flip bytes all over it:
 * each load either succeeds or fails with a message naming the file. */
static void mutated_default_yaml(void **state)
{
    struct fixture *fx = *state;
    static const char subst[] = ":-[]{}&*!|>?,'\"#%@`\n\t \\\0\xff\x80" "0aZ";
    size_t len;
    char *orig = read_all(DEFAULT_YAML, &len);
    char *buf = malloc(len + 1);
    uint32_t x = 42;
    unsigned ok = 0, bad = 0;
    assert_non_null(buf);
    assert_true(len > 100);

    for (size_t pos = 0; pos <= len; pos++) {
        for (int mode = 0; mode < 4; mode++) {
            size_t n = len;
            memcpy(buf, orig, len);
            if (mode == 0) {
                n = pos;                                /* truncate */
            } else if (pos == len) {
                continue;
            } else if (mode == 1) {
                buf[pos] = (char)~buf[pos];             /* flip all bits */
            } else if (mode == 2) {
                x = x * 1103515245 + 12345;
                buf[pos] = subst[(x >> 16) % (sizeof(subst) - 1)];
            } else {
                x = x * 1103515245 + 12345;             /* flip one bit */
                buf[pos] = (char)(buf[pos] ^ (1 << ((x >> 16) % 8)));
            }
            config_defaults(fx->cfg);
            fx->err[0] = 'X';
            write_bytes(fx->path, buf, n);
            int rc = config_load(fx->cfg, fx->path, fx->err);
            if (rc == NS_OK) {
                assert_string_equal(fx->err, "");
                ok++;
            } else {
                assert_int_equal(rc, NS_ERR_INVAL);
                if (!strstr(fx->err, fx->path))
                    fail_msg("pos %zu mode %d: \"%s\"", pos, mode, fx->err);
                bad++;
            }
        }
    }
    assert_true(ok > 0 && bad > 0);
    free(buf);
    free(orig);
}

/* outputs.eve.dns and app-layer.protocols.dns: the keys, their errors, and
 * Suricata's rule for the per-transport switches (bug 8205): a transport's
 * own "enabled", when given, wins; otherwise the global one. */
static void dns_keys(void **state)
{
    struct fixture *fx = *state;
    struct ns_config *c = fx->cfg;
    char want[NS_ERRBUF_SIZE];

    assert_int_equal(c->eve_dns_version, 3);
    assert_true(c->eve_dns_requests && c->eve_dns_responses && c->dns_parser.enabled);
    assert_int_equal(c->dns_parser.tcp, CONFIG_UNSET);
    assert_int_equal(c->dns_parser.udp, CONFIG_UNSET);
    assert_true(config_dns_enabled(c, 6) && config_dns_enabled(c, 17));

    int rc = load_text(fx,
        "outputs:\n"
        "  eve:\n"
        "    dns: {version: 2, requests: no, responses: yes}\n"
        "app-layer:\n"
        "  protocols:\n"
        "    dns:\n"
        "      enabled: no\n"
        "      udp:\n"
        "        enabled: yes\n");
    if (rc != NS_OK)
        fail_msg("%s", fx->err);
    assert_int_equal(c->eve_dns_version, 2);
    assert_false(c->eve_dns_requests);
    assert_true(c->eve_dns_responses);
    assert_false(c->dns_parser.enabled);
    assert_int_equal(c->dns_parser.tcp, CONFIG_UNSET);
    assert_int_equal(c->dns_parser.udp, 1);
    assert_false(config_dns_enabled(c, 6));
    assert_true(config_dns_enabled(c, 17));

    /* every combination of global/tcp/udp: absent, no, yes */
    static const char *const val[] = { NULL, "no", "yes" };
    for (int g = 0; g < 3; g++)
        for (int t = 0; t < 3; t++)
            for (int u = 0; u < 3; u++) {
                char text[256];
                int o = snprintf(text, sizeof(text), "app-layer:\n  protocols:\n    dns:\n");
                if (val[g])
                    o += snprintf(text + o, sizeof(text) - (size_t)o, "      enabled: %s\n", val[g]);
                if (val[t])
                    o += snprintf(text + o, sizeof(text) - (size_t)o, "      tcp: {enabled: %s}\n",
                                  val[t]);
                if (val[u])
                    snprintf(text + o, sizeof(text) - (size_t)o, "      udp: {enabled: %s}\n", val[u]);
                config_defaults(c);
                if (load_text(fx, text) != NS_OK)
                    fail_msg("%s: %s", text, fx->err);
                bool global = g != 1;
                assert_int_equal(config_dns_enabled(c, 6), t ? t == 2 : global);
                assert_int_equal(config_dns_enabled(c, 17), u ? u == 2 : global);
                assert_true(config_dns_enabled(c, 1) == global);   /* no such transport */
            }

    static const struct { const char *text, *want; } errs[] = {
        { "outputs:\n  eve:\n    dns:\n      version: 1\n",
          "%s:4: outputs.eve.dns.version: out of range 2..3 (got \"1\")" },
        { "outputs: {eve: {dns: {version: v2}}}\n",
          "%s:1: outputs.eve.dns.version: expected an EVE DNS format version (2 or 3) (got \"v2\")" },
        { "outputs:\n  eve:\n    dns:\n      responses: maybe\n",
          "%s:4: outputs.eve.dns.responses: expected yes or no (got \"maybe\")" },
        { "outputs:\n  eve:\n    dns:\n      formats: [detailed]\n",
          "%s:4: outputs.eve.dns.formats: unknown key" },
        { "app-layer:\n  protocols:\n    dns:\n      tcp:\n        enabled: detection-only\n",
          "%s:5: app-layer.protocols.dns.tcp.enabled: expected yes or no (got \"detection-only\")" },
        { "app-layer:\n  protocols:\n    dns:\n      udp: yes\n",
          "%s:4: app-layer.protocols.dns.udp: expected a mapping (got \"yes\")" },
        { "app-layer:\n  protocols:\n    http:\n      enabled: yes\n",
          "%s:3: app-layer.protocols.http: unknown key" },
    };
    for (size_t i = 0; i < NS_ARRAY_LEN(errs); i++) {
        config_defaults(c);
        assert_int_equal(load_text(fx, errs[i].text), NS_ERR_INVAL);
        snprintf(want, sizeof(want), errs[i].want, fx->path);
        assert_string_equal(fx->err, want);
        assert_config_equal(c, fx->def);
    }

    /* and from the command line */
    config_defaults(c);
    assert_int_equal(config_set(c, "outputs.eve.dns.version=2", fx->err), NS_OK);
    assert_int_equal(config_set(c, "outputs.eve.dns.requests=no", fx->err), NS_OK);
    assert_int_equal(config_set(c, "app-layer.protocols.dns.tcp.enabled=no", fx->err), NS_OK);
    assert_int_equal(c->eve_dns_version, 2);
    assert_false(c->eve_dns_requests);
    assert_false(config_dns_enabled(c, 6));
    assert_true(config_dns_enabled(c, 17));
    assert_int_equal(config_set(c, "outputs.eve.dns.version=4", fx->err), NS_ERR_INVAL);
    assert_string_equal(fx->err, "--set outputs.eve.dns.version: out of range 2..3 (got \"4\")");
}

/* --set KEY=VALUE: the file's schema, from the command line. */
/* A key of many one-letter parts: its YAML form is indented quadratically
 * and must still fit the buffer (ASan checks); it is an unknown key. */
static void set_deep_key(void **state)
{
    (void)state;
    static struct ns_config c;
    char err[NS_ERRBUF_SIZE], a[256];
    size_t n = 0;
    for (int i = 0; i < 100; i++)
        n += (size_t)snprintf(a + n, sizeof(a) - n, i ? ".a" : "a");
    snprintf(a + n, sizeof(a) - n, "=1");
    config_defaults(&c);
    assert_int_equal(config_set(&c, a, err), NS_ERR_INVAL);
}

static void set_from_command_line(void **state)
{
    (void)state;
    static struct ns_config c, before;
    char err[NS_ERRBUF_SIZE];
    config_defaults(&c);
    assert_false(c.eve_ethernet);
    assert_int_equal(config_set(&c, "outputs.eve.ethernet=yes", err), NS_OK);
    assert_true(c.eve_ethernet);
    assert_int_equal(config_set(&c, "outputs.eve.community-id-seed=1", err), NS_OK);
    assert_int_equal(c.community_id_seed, 1);
    assert_int_equal(config_set(&c, "flow.timeouts.udp.established=42", err), NS_OK);
    assert_int_equal(c.flow.timeout[FLOW_CLASS_UDP][FLOW_STATE_ESTABLISHED], 42);
    assert_int_equal(config_set(&c, "outputs.eve.types=[flow]", err), NS_OK);
    assert_true(c.eve_flow && !c.eve_anomaly && !c.eve_stats && !c.eve_dns);
    /* each output file rotates on its own settings */
    assert_int_equal(config_set(&c, "outputs.csv.rotate-size=16kb", err), NS_OK);
    assert_int_equal(config_set(&c, "outputs.csv.rotate-interval=60", err), NS_OK);
    assert_int_equal(config_set(&c, "outputs.pcap.rotate-size=1mb", err), NS_OK);
    assert_int_equal(config_set(&c, "outputs.pcap.rotate-interval=3600", err), NS_OK);
    assert_true(c.csv_rotate_size == 16 << 10 && c.csv_rotate_interval == 60 &&
                c.pcap_rotate_size == 1 << 20 && c.pcap_rotate_interval == 3600 &&
                c.eve_rotate_size == 0 && c.eve_rotate_interval == 0);
    assert_int_equal(config_set(&c, "outputs.pcap.write-timeout=50", err), NS_OK);
    assert_int_equal(config_set(&c, "outputs.csv.write-timeout=0", err), NS_OK);
    assert_true(c.pcap_write_timeout_ms == 50 && c.csv_write_timeout_ms == 0 &&
                c.eve_write_timeout_ms == 2000);
    assert_int_equal(config_set(&c, "outputs.pcap.write-timeout=600001", err), NS_ERR_INVAL);
    assert_non_null(strstr(err, "outputs.pcap.write-timeout"));

    before = c;
    assert_int_equal(config_set(&c, "flow.timeouts.tcp.new=abc", err), NS_ERR_INVAL);
    assert_string_equal(err, "--set flow.timeouts.tcp.new: expected a number of seconds (got \"abc\")");
    assert_int_equal(config_set(&c, "flow.bogus=1", err), NS_ERR_INVAL);
    assert_string_equal(err, "--set flow.bogus: unknown key");
    assert_int_equal(config_set(&c, "outputs.eve.ethernet=maybe", err), NS_ERR_INVAL);
    assert_non_null(strstr(err, "expected yes or no"));
    static const char *const malformed[] = { "noequals", "=1", ".a=1", "a.=1", "a..b=1", "a=1\nb: 2" };
    for (size_t i = 0; i < NS_ARRAY_LEN(malformed); i++) {
        assert_int_equal(config_set(&c, malformed[i], err), NS_ERR_INVAL);
        assert_non_null(strstr(err, "--set"));
    }
    assert_memory_equal(&c, &before, sizeof(c));      /* failures change nothing */
}

/* Rules, variables and the alert options (issue 5). */
static void rules_and_vars(void **state)
{
    struct fixture *fx = *state;
    char err[NS_ERRBUF_SIZE];
    assert_int_equal(fx->cfg->rule_files.n, 0);
    assert_true(fx->cfg->alert_metadata);
    assert_false(fx->cfg->alert_payload);
    assert_int_equal(load_text(fx,
                               "rules:\n  - a.rules\n  - /etc/b.rules\n"
                               "default-rule-path: /var/lib/rules\n"
                               "classification-file: /etc/classification.config\n"
                               "vars:\n"
                               "  address-groups:\n"
                               "    HOME_NET: \"[10.0.0.0/8,!10.1.0.0/16]\"\n"
                               "    DNS_SERVERS: [10.0.0.53, [10.0.1.53, 10.0.2.53]]\n"
                               "  port-groups:\n"
                               "    HTTP_PORTS: \"[80,8080]\"\n"
                               "detect: {cache-dir: \"\"}\n"
                               "outputs: {eve: {alert: {payload: yes, payload-printable: yes, "
                               "metadata: no}}}\n"),
                     NS_OK);
    const struct ns_config *c = fx->cfg;
    assert_int_equal(c->rule_files.n, 2);
    const char *r = config_strlist_next(&c->rule_files, NULL);
    assert_string_equal(r, "a.rules");
    r = config_strlist_next(&c->rule_files, r);
    assert_string_equal(r, "/etc/b.rules");
    assert_null(config_strlist_next(&c->rule_files, r));
    assert_string_equal(c->default_rule_path, "/var/lib/rules");
    assert_string_equal(c->classification_file, "/etc/classification.config");
    assert_string_equal(c->detect_cache_dir, "");
    assert_true(c->alert_payload && c->alert_payload_printable && !c->alert_metadata);
    assert_int_equal(c->address_groups.n, 4);
    const char *v = config_strlist_next(&c->address_groups, NULL);
    assert_string_equal(v, "HOME_NET");
    v = config_strlist_next(&c->address_groups, v);
    assert_string_equal(v, "[10.0.0.0/8,!10.1.0.0/16]");
    v = config_strlist_next(&c->address_groups, v);
    assert_string_equal(v, "DNS_SERVERS");
    v = config_strlist_next(&c->address_groups, v);
    assert_string_equal(v, "[10.0.0.53,[10.0.1.53,10.0.2.53]]");
    v = config_strlist_next(&c->port_groups, NULL);
    assert_string_equal(v, "HTTP_PORTS");
    assert_string_equal(config_strlist_next(&c->port_groups, v), "[80,8080]");

    /* the command line adds */
    assert_int_equal(config_set(fx->cfg, "rules=c.rules", err), NS_OK);
    assert_int_equal(c->rule_files.n, 3);
    assert_int_equal(config_set(fx->cfg, "vars.address-groups.HOME_NET=\"[192.168.0.0/16]\"", err),
                     NS_OK);
    assert_int_equal(c->address_groups.n, 6);

    /* errors name the place */
    config_defaults(fx->cfg);
    assert_int_equal(load_text(fx, "vars:\n  address-groups:\n    HOME-NET: x\n"), NS_ERR_INVAL);
    assert_non_null(strstr(fx->err, ":3: vars.address-groups: expected a variable name"));
    config_defaults(fx->cfg);
    assert_int_equal(load_text(fx, "rules: [a.rules, {x: 1}]\n"), NS_ERR_INVAL);
    assert_non_null(strstr(fx->err, ":1: rules: expected a rule file or a list of rule files"));
    config_defaults(fx->cfg);
    assert_int_equal(load_text(fx, "outputs: {eve: {types: [alert]}}\n"), NS_OK);
    assert_true(fx->cfg->eve_alert && !fx->cfg->eve_flow);

    /* a list that does not fit */
    static struct config_strlist l;
    memset(&l, 0, sizeof(l));
    char big[1000];
    memset(big, 'x', sizeof(big));
    unsigned k = 0;
    while (config_strlist_add(&l, big, sizeof(big)) == NS_OK)
        k++;
    assert_int_equal(k, CONFIG_LIST_TEXT / (sizeof(big) + 1));
    assert_int_equal(l.n, k);
}

/* memory.budget: the split adds up to at most the budget, explicit caps
 * win over shares, per-worker parts are divided, and a budget too small
 * for the fixed parts is an error naming memory.budget. */
static void memory_budget_split(void **state)
{
    struct fixture *fx = *state;
    struct ns_config *c = fx->cfg;
    assert_int_equal(load_text(fx, "memory:\n  budget: 64mb\n  shares: {flow: 60, stream: 30, "
                                   "defrag: 10, capture: 5}\n"), NS_OK);
    assert_int_equal(c->memory.budget, 64ull << 20);
    assert_int_equal(c->memory.share[MEM_PART_FLOW], 60);
    assert_int_equal(config_memory_resolve(c, 2, false, fx->err), NS_OK);
    const struct mem_plan *m = &c->mem;
    /* 4 rings of 4 MiB and the reader's 64 KiB */
    assert_int_equal(m->queues, 4 * (4ull << 20) + (64u << 10));
    assert_int_equal(m->part[MEM_PART_CAPTURE], 0);          /* offline */
    uint64_t sum = m->queues;
    for (unsigned p = 0; p < MEM_PARTS; p++)
        sum += m->part[p];
    assert_true(sum <= 64ull << 20);
    assert_true(sum > (64ull << 20) - (1u << 20));            /* little left over */
    uint64_t rest = (64ull << 20) - m->queues;
    assert_int_equal(m->part[MEM_PART_FLOW], rest * 60 / 100);
    assert_int_equal(c->flow.memcap, m->part[MEM_PART_FLOW] / 2);   /* per worker */
    assert_int_equal(c->stream_memcap, rest * 30 / 100);            /* all workers */
    assert_true(m->part[MEM_PART_DEFRAG] <= rest * 10 / 100);
    assert_true(dissect_defrag_mem(c->defrag.defrag_max_trackers, c->defrag.defrag_memcap) * 2 ==
                m->part[MEM_PART_DEFRAG]);
    assert_int_equal(m->budget, 64ull << 20);

    /* an explicit cap wins and leaves the others the rest */
    config_defaults(c);
    assert_int_equal(load_text(fx, "memory: {budget: 128mb}\nflow: {memcap: 40mb}\n"), NS_OK);
    assert_int_equal(config_memory_resolve(c, 2, false, fx->err), NS_OK);
    assert_true(m->explicit_cap[MEM_PART_FLOW]);
    assert_int_equal(m->part[MEM_PART_FLOW], 40ull << 20);
    assert_int_equal(c->flow.memcap, 20ull << 20);
    rest = (128ull << 20) - m->queues - (40ull << 20);
    assert_int_equal(c->stream_memcap, rest * 35 / 50);

    /* live: the capture rings take whole blocks of their share, at least
     * 8 a worker (live.c) */
    config_defaults(c);
    assert_int_equal(load_text(fx, "memory: {budget: 64mb}\n"), NS_OK);
    assert_int_equal(config_memory_resolve(c, 2, true, fx->err), NS_ERR_INVAL);
    assert_non_null(strstr(fx->err, "leaves capture"));
    assert_int_equal(load_text(fx, "live: {block-size: 256kb}\n"), NS_OK);
    assert_int_equal(config_memory_resolve(c, 2, true, fx->err), NS_OK);
    assert_int_equal(m->queues, 2 * (4ull << 20));
    assert_int_equal(m->part[MEM_PART_CAPTURE] % (256u << 10), 0);
    assert_true(m->part[MEM_PART_CAPTURE] >= 4ull << 20);     /* 8 blocks x 256 KiB x 2 */
    assert_true(m->part[MEM_PART_CAPTURE] <= ((64ull - 8) << 20) * 20 / 120);
    assert_int_equal(c->live.ring_memory, m->part[MEM_PART_CAPTURE]);

    /* no budget: the old defaults, and the budget shown is their sum */
    config_defaults(c);
    assert_int_equal(config_memory_resolve(c, 2, false, fx->err), NS_OK);
    assert_int_equal(c->flow.memcap, 64ull << 20);
    assert_int_equal(c->stream_memcap, 256ull << 20);
    assert_int_equal(c->defrag.defrag_memcap, 16u << 20);
    char line[512];
    config_memory_describe(c, line, sizeof(line));
    assert_non_null(strstr(line, "flow 128.0 MiB (default)"));

    /* too small for the queues */
    config_defaults(c);
    c->memory.budget = 16ull << 20;
    assert_int_equal(config_memory_resolve(c, 2, false, fx->err), NS_ERR_INVAL);
    assert_non_null(strstr(fx->err, "memory.budget: 16.0 MiB is too small for the fixed parts"));
    /* too small for the queues and an explicit cap, named */
    config_defaults(c);
    c->memory.budget = 64ull << 20;
    c->flow.memcap = 60ull << 20;
    assert_int_equal(config_memory_resolve(c, 2, false, fx->err), NS_ERR_INVAL);
    assert_non_null(strstr(fx->err, "flow.memcap 60.0 MiB"));
    /* leaves a part less than it needs */
    config_defaults(c);
    c->memory.budget = 20ull << 20;
    assert_int_equal(config_memory_resolve(c, 2, false, fx->err), NS_ERR_INVAL);
    assert_non_null(strstr(fx->err, "memory.budget: 20.0 MiB leaves flow"));
    /* bad keys */
    config_defaults(c);
    assert_int_equal(load_text(fx, "memory:\n  shares: {flow: 0}\n"), NS_ERR_INVAL);
    assert_non_null(strstr(fx->err, "memory.shares.flow: out of range"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(rules_and_vars, setup, teardown),
        cmocka_unit_test_setup_teardown(defaults_sane, setup, teardown),
        cmocka_unit_test_setup_teardown(default_yaml_equals_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(empty_documents_keep_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(every_key_sets_its_field, setup, teardown),
        cmocka_unit_test_setup_teardown(sizes_and_numbers, setup, teardown),
        cmocka_unit_test_setup_teardown(errors_exact, setup, teardown),
        cmocka_unit_test_setup_teardown(long_strings, setup, teardown),
        cmocka_unit_test_setup_teardown(io_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(hostile_documents, setup, teardown),
        cmocka_unit_test_setup_teardown(mutated_default_yaml, setup, teardown),
        cmocka_unit_test_setup_teardown(dns_keys, setup, teardown),
        cmocka_unit_test(set_from_command_line),
        cmocka_unit_test(set_deep_key),
        cmocka_unit_test_setup_teardown(memory_budget_split, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
