/* engine/main.c: command line and wiring.
 *
 *   netscope -r FILE [-l LOGDIR] [--threads N] [options] [BPF expression]
 *   netscope -i IFACE [-l LOGDIR] [--threads N] [options] [BPF expression]
 *   netscope follow ... (engine/follow.h), netscope report ... (output/report.h)
 *   netscope top (-r FILE | -i IFACE) [options]: the same engine with a
 *     curses live view (engine/top.h); a file is replayed at capture speed
 *
 * Configuration comes from the built-in defaults, then the YAML file given
 * with -c, then the command line.  The main thread runs the reader; one
 * thread per worker and one writer thread do the rest (engine/reader.h,
 * engine/worker.h, engine/writer.h), and one more reloads the rules on
 * SIGUSR2, live and offline.  Exit status: 0 when the whole file was
 * analysed, 1 when it was truncated or corrupt or output failed (everything
 * read before that point is still written), 2 for usage or setup errors. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <pcap/pcap.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <urcu.h>

#include "engine/anomaly.h"
#include "engine/config.h"
#include "engine/detect.h"
#include "engine/follow.h"
#include "engine/engine_int.h"
#include "engine/live.h"
#include "engine/reader.h"
#include "engine/top.h"
#include "engine/worker.h"
#include "engine/writer.h"
#include "output/logfile.h"
#include "output/report.h"

#define NS_VERSION "0.1.0"
#define NS_MAX_THREADS 256

static void usage(FILE *f)
{
    fprintf(f,
        "usage: netscope -r FILE [options] [BPF expression]\n"
        "       netscope -i IFACE [options] [BPF expression]\n"
        "       netscope follow -r FILE (--flow-id ID | HOST:PORT HOST:PORT) [options]\n"
        "       netscope report EVE.json [-o report.html]\n"
        "       netscope top (-r FILE | -i IFACE) [options] [BPF expression]   (curses view; q quits)\n"
        "\n"
        "  -r, --read FILE          analyse a pcap or pcapng capture file\n"
        "  -i, --interface IFACE    capture live on IFACE (AF_PACKET rings, one per worker)\n"
        "  -l, --log-dir DIR        where eve.json is written (default: .)\n"
        "  -w, --write FILE         also write the analysed packets to FILE (pcap)\n"
        "  -S, --rules FILE         load Suricata-syntax rules from FILE (repeatable; also the\n"
        "                           rules: list in the configuration)\n"
        "  -c, --count N            live: stop after N packets\n"
        "      --duration S         live: stop after S seconds\n"
        "      --fail-on-loss       live: exit 1 if any packet or record was lost\n"
        "      --user NAME          live: drop root privileges once the sockets are open\n"
        "      --config FILE        YAML configuration (default: none, built-in defaults)\n"
        "      --threads N          worker threads (default: one per CPU)\n"
        "      --stats-interval S   stats record every S seconds (packet time; live: wall time;\n"
        "                           0: only at the end)\n"
        "      --rollup-interval S  rollup record every S seconds of packet time, aligned to\n"
        "                           multiples of S, and a final one (default 60, -r and -i;\n"
        "                           0: none): rollups: in the configuration\n"
        "      --csv DIR            also write the rollups (rollup_*.csv) and flows (flows.csv)\n"
        "                           as CSV files in DIR\n"
        "      --types LIST         EVE event types to write, comma separated: flow,anomaly,stats,\n"
        "                           dns,http,tls,smtp,ftp,ssh,dhcp,alert,rollup (default: all)\n"
        "      --flow-memcap BYTES  memory for the flow tables, split between workers (k/m/g suffix)\n"
        "      --queue-size BYTES   size of each inter-thread queue (k/m/g suffix)\n"
        "      --set KEY=VALUE      any configuration key, e.g. --set outputs.eve.ethernet=yes\n"
        "  -V, --version            print the version\n"
        "  -h, --help               this text\n"
        "\n"
        "A BPF expression (tcpdump syntax) after the options selects the packets analysed;\n"
        "the others are counted as filtered.  SIGUSR2 reloads the rules.\n");
}

static int parse_u64(const char *s, uint64_t max, uint64_t *out, bool size_suffix)
{
    char *end;
    errno = 0;
    if (!s[0] || s[0] == '-')
        return NS_ERR_INVAL;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s)
        return NS_ERR_INVAL;
    uint64_t mul = 1;
    if (size_suffix && *end) {
        switch (*end | 0x20) {
        case 'k': mul = 1ull << 10; break;
        case 'm': mul = 1ull << 20; break;
        case 'g': mul = 1ull << 30; break;
        default: return NS_ERR_INVAL;
        }
        end++;
        if ((*end | 0x20) == 'b')
            end++;
    }
    if (*end || v > max / mul)
        return NS_ERR_INVAL;
    *out = v * mul;
    return NS_OK;
}

/* The run's stop flag.  Offline, SIGINT/SIGTERM end reading early
 * (everything read is still analysed, flushed and written) through this
 * handler; live, live_run takes those signals with sigtimedwait instead.
 * netscope top's UI thread sets it on 'q' in both modes.  A lock-free
 * atomic: the handler may store it (C11 7.14.1.1), and the reader, the UI
 * and live_run's main thread read it without a data race.  It publishes
 * nothing else, so every access is relaxed. */
static atomic_bool main_stop;
_Static_assert(ATOMIC_BOOL_LOCK_FREE == 2, "stored by a signal handler");

static void main_on_signal(int sig)
{
    (void)sig;
    atomic_store_explicit(&main_stop, true, memory_order_relaxed);
}

/* SIGHUP: eve.json is opened again by the writer (output/logfile.h). */
static void on_sighup(int sig)
{
    (void)sig;
    logfile_reopen_all();
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One line on a generation of rules; what: "rules" at start, "rules
 * reloaded (generation N)" after SIGUSR2. */
static void detect_print_info(const struct detect_gen *g, const char *what)
{
    struct detect_info di;
    detect_get_info(g->d, &di);
    fprintf(stderr,
            "netscope: %s: %u loaded, %u skipped from %u file%s in %.2f s; %u packet and %u "
            "transaction rules, %u without a prefilter; %u patterns in %u Hyperscan database%s "
            "(%.1f MiB, %u from the cache) built in %.2f s\n",
            what, di.loaded, di.skipped, di.files, di.files == 1 ? "" : "s", di.load_s, di.packet_rules,
            di.tx_rules, di.always_rules, di.patterns, di.sets, di.sets == 1 ? "" : "s",
            (double)di.db_bytes / (1024.0 * 1024.0), di.sets_from_cache, di.compile_s);
    if (di.cache_pruned)
        fprintf(stderr, "netscope: %s: %u cache entries unused for detect.cache-max-age days removed\n",
                what, di.cache_pruned);
    const struct pcre_hs_info *p = &di.pcre;
    if (p->total == 0)
        return;
    char pending[160] = "";
    if (p->pending)
        snprintf(pending, sizeof(pending),
                 ", %u not compiled yet (PCRE2 in this run; compiling into the cache in the "
                 "background)", p->pending);
    fprintf(stderr,
            "netscope: %s: pcre: %u of %u on Hyperscan (%u exact, %u prefilter for PCRE2; "
            "%.1f MiB, %u from the cache), %u PCRE2 only%s\n",
            what, p->exact + p->prefilter, p->total, p->exact, p->prefilter,
            (double)p->db_bytes / (1024.0 * 1024.0), p->from_cache, p->unsupported, pending);
}

/* ---- rule reload (SIGUSR2) ----
 *
 * SIGUSR2 is blocked in every thread from the start of main (one that
 * comes while the rules first load stays pending instead of killing the
 * process, and it never interrupts the reader's read), and one thread
 * takes it with sigwait and does the whole reload there, off the packet
 * path: build the next generation from the same configuration (rule files,
 * variables, classification; the YAML file is not read again), swap it
 * into the slot the workers read under rcu_read_lock, wait for a grace
 * period (only this thread waits: once synchronize_rcu returns, no worker
 * can still hold the old generation), then free the old one.  A generation
 * that fails to build changes nothing.  This thread is the slot's only
 * writer, so it reads the slot without rcu_dereference. */
struct main_reload {
    const struct ns_config *cfg;
    struct detect_gen **slot;        /* NULL: no rules at start */
    unsigned nworkers;
    pthread_t thread;
    bool running;
    atomic_bool stop;
    uint64_t done, failed;           /* read by main after the join */
    char loaded_at[40];              /* when *slot was built, local time */
};

static void main_reload_stamp(struct main_reload *r)
{
    time_t now = time(NULL);
    struct tm tm;
    if (!localtime_r(&now, &tm) ||
        !strftime(r->loaded_at, sizeof(r->loaded_at), "%Y-%m-%dT%H:%M:%S%z", &tm))
        snprintf(r->loaded_at, sizeof(r->loaded_at), "%lld", (long long)now);
}

static void main_reload_once(struct main_reload *r)
{
    char err[NS_ERRBUF_SIZE] = "";
    if (!r->slot) {
        /* the workers were started without a slot and never look for one */
        fprintf(stderr, "netscope: SIGUSR2: no rules configured (-S or rules:) at start, so none "
                        "can be loaded now; ignored\n");
        return;
    }
    struct detect_gen *old = *r->slot;
    struct detect_info di;
    detect_get_info(old->d, &di);
    double t0 = now_s();
    struct detect_gen *g = detect_gen_create(r->cfg, r->nworkers, old->id + 1, stderr, err);
    if (!g) {
        r->failed++;
        atomic_fetch_add_explicit(&old->reload_failed, 1, memory_order_relaxed);
        fprintf(stderr, "netscope: rules reload failed: %s; keeping the %u rules loaded at %s "
                        "(generation %llu)\n",
                err, di.loaded, r->loaded_at, (unsigned long long)old->id);
        return;
    }
    atomic_store_explicit(&g->reload_failed,
                          atomic_load_explicit(&old->reload_failed, memory_order_relaxed),
                          memory_order_relaxed);
    /* release: a worker that sees g sees it built (its rcu_dereference
     * pairs with this) */
    NS_RCU_PUBLISH(r->slot);
    rcu_assign_pointer(*r->slot, g);
    synchronize_rcu();
    NS_RCU_RECLAIM();
    detect_gen_destroy(old);
    r->done++;
    main_reload_stamp(r);
    char what[96];
    snprintf(what, sizeof(what), "rules reloaded (generation %llu, %.2f s)", (unsigned long long)g->id,
             now_s() - t0);
    detect_print_info(g, what);
}

static void *main_reload_thread(void *arg)
{
    struct main_reload *r = arg;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    for (;;) {
        int sig;
        if (sigwait(&set, &sig) != 0)
            continue;
        /* acquire: pairs with the release store in main_reload_stop */
        if (atomic_load_explicit(&r->stop, memory_order_acquire))
            break;
        main_reload_once(r);
    }
    return NULL;
}

/* The thread is made with every asynchronous signal blocked, so that
 * SIGINT and SIGTERM still go where each run mode takes them (the reader's
 * handler offline, sigtimedwait in live_run), never to this thread. */
static int main_reload_start(struct main_reload *r, char *errbuf)
{
    atomic_init(&r->stop, false);
    main_reload_stamp(r);
    sigset_t all, old;
    sigfillset(&all);
    sigdelset(&all, SIGSEGV);
    sigdelset(&all, SIGBUS);
    sigdelset(&all, SIGFPE);
    sigdelset(&all, SIGILL);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    int rc = pthread_create(&r->thread, NULL, main_reload_thread, r);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        snprintf(errbuf, NS_ERRBUF_SIZE, "reload thread: pthread_create: %s", strerror(rc));
        return NS_ERR_NOMEM;
    }
    r->running = true;
    (void)pthread_setname_np(r->thread, "ns-reload");
    return NS_OK;
}

/* Waits for a reload in progress to finish, then ends the thread; prints
 * the reload counters when there are rules. */
static void main_reload_stop(struct main_reload *r)
{
    if (!r->running)
        return;
    atomic_store_explicit(&r->stop, true, memory_order_release);
    pthread_kill(r->thread, SIGUSR2);
    pthread_join(r->thread, NULL);
    r->running = false;
    if (r->slot && *r->slot) {
        struct detect_info di;
        detect_get_info((*r->slot)->d, &di);
        fprintf(stderr, "netscope: rules: %llu reload%s done, %llu failed; generation %llu (%u rules, "
                        "loaded at %s) at exit\n",
                (unsigned long long)r->done, r->done == 1 ? "" : "s", (unsigned long long)r->failed,
                (unsigned long long)(*r->slot)->id, di.loaded, r->loaded_at);
    }
}

static void print_summary(const char *file, const char *eve, const struct ns_snap *t,
                          uint64_t records, double secs)
{
    fprintf(stderr,
            "netscope: %s: %llu packets read = %llu decoded + %llu filtered + %llu unsupported + %llu invalid",
            file, (unsigned long long)t->acct[ACCT_READ], (unsigned long long)t->acct[ACCT_DECODED],
            (unsigned long long)t->acct[ACCT_FILTERED], (unsigned long long)t->acct[ACCT_UNSUPPORTED],
            (unsigned long long)t->acct[ACCT_INVALID]);
    if (t->acct[ACCT_INVALID]) {
        /* the three most frequent reasons */
        bool shown[DEV_MAX] = { false };
        fprintf(stderr, " (");
        for (int k = 0; k < 3; k++) {
            unsigned best = DEV_MAX;
            for (unsigned e = 0; e < DEV_MAX; e++)
                if (!shown[e] && t->ev[e] && (best == DEV_MAX || t->ev[e] > t->ev[best]))
                    best = e;
            if (best == DEV_MAX)
                break;
            shown[best] = true;
            fprintf(stderr, "%s%s %llu", k ? ", " : "", dissect_event_name(best),
                    (unsigned long long)t->ev[best]);
        }
        fprintf(stderr, ")");
    }
    /* every alert written, the detectors' included (engine/writer.c) */
    uint64_t an = 0;
    for (unsigned k = 0; k < ANOM_MAX; k++)
        an += t->an_alerts[k];
    fprintf(stderr, "; %llu flows; %llu alerts", (unsigned long long)t->fs[FS_TOTAL],
            (unsigned long long)t->out[OUT_ALERT]);
    if (an)
        fprintf(stderr, " (%llu from the anomaly detectors)", (unsigned long long)an);
    fprintf(stderr, "; %llu records to %s; %.2f s\n", (unsigned long long)records, eve, secs);
}

enum { OPT_THREADS = 1000, OPT_STATS, OPT_TYPES, OPT_MEMCAP, OPT_QUEUE, OPT_SET, OPT_CONFIG,
       OPT_DURATION, OPT_FAIL_LOSS, OPT_USER, OPT_ROLLUP, OPT_CSV };

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "read", required_argument, NULL, 'r' },
        { "log-dir", required_argument, NULL, 'l' },
        { "config", required_argument, NULL, OPT_CONFIG },
        { "interface", required_argument, NULL, 'i' },
        { "write", required_argument, NULL, 'w' },
        { "count", required_argument, NULL, 'c' },
        { "duration", required_argument, NULL, OPT_DURATION },
        { "fail-on-loss", no_argument, NULL, OPT_FAIL_LOSS },
        { "user", required_argument, NULL, OPT_USER },
        { "threads", required_argument, NULL, OPT_THREADS },
        { "stats-interval", required_argument, NULL, OPT_STATS },
        { "rollup-interval", required_argument, NULL, OPT_ROLLUP },
        { "csv", required_argument, NULL, OPT_CSV },
        { "types", required_argument, NULL, OPT_TYPES },
        { "flow-memcap", required_argument, NULL, OPT_MEMCAP },
        { "queue-size", required_argument, NULL, OPT_QUEUE },
        { "set", required_argument, NULL, OPT_SET },
        { "rules", required_argument, NULL, 'S' },
        { "version", no_argument, NULL, 'V' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    if (argc >= 2 && !strcmp(argv[1], "follow"))
        return follow_main(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "report"))
        return report_main(argc - 1, argv + 1);
    /* netscope top: the options of a normal run, then the live view */
    bool top = false, log_dir_set = false;
    if (argc >= 2 && !strcmp(argv[1], "top")) {
        top = true;
        argc--;
        argv++;
    }
    static struct ns_config cfg;
    char err[NS_ERRBUF_SIZE] = "";
    const char *file = NULL, *config_path = NULL;
    struct live_opts lo = { 0 };
    int c;

    /* Blocked in every thread from here on: only the reload thread takes
     * it (main_reload_thread), and not before the first rules are in. */
    sigset_t usr2;
    sigemptyset(&usr2);
    sigaddset(&usr2, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &usr2, NULL);

    config_defaults(&cfg);
    /* first pass: only the config file, so the command line wins over it */
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+r:i:l:w:c:S:Vh", opts, NULL)) != -1)
        if (c == OPT_CONFIG)
            config_path = optarg;
    if (config_path && config_load(&cfg, config_path, err) != NS_OK) {
        fprintf(stderr, "netscope: %s\n", err);
        return 2;
    }
    opterr = 1;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+r:i:l:w:c:S:Vh", opts, NULL)) != -1) {
        uint64_t v;
        switch (c) {
        case 'r':
            file = optarg;
            break;
        case 'l':
            if (strlen(optarg) >= sizeof(cfg.log_dir)) {
                fprintf(stderr, "netscope: -l: path too long\n");
                return 2;
            }
            strcpy(cfg.log_dir, optarg);
            log_dir_set = true;
            break;
        case OPT_CONFIG:
            break;
        case 'i':
            if (strlen(optarg) >= sizeof(cfg.live.interface)) {
                fprintf(stderr, "netscope: -i: interface name too long\n");
                return 2;
            }
            strcpy(cfg.live.interface, optarg);
            break;
        case 'w':
            lo.pcap_out = optarg;
            break;
        case 'S':
            if (config_strlist_add(&cfg.rule_files, optarg, strlen(optarg)) != NS_OK) {
                fprintf(stderr, "netscope: -S %s: too many rule files\n", optarg);
                return 2;
            }
            break;
        case 'c':
            if (parse_u64(optarg, UINT64_MAX, &v, false) != NS_OK || v == 0) {
                fprintf(stderr, "netscope: -c: expected a packet count, got \"%s\"\n", optarg);
                return 2;
            }
            lo.count = v;
            break;
        case OPT_DURATION:
            if (parse_u64(optarg, 100ull * 365 * 86400, &v, false) != NS_OK || v == 0) {
                fprintf(stderr, "netscope: --duration: expected seconds, got \"%s\"\n", optarg);
                return 2;
            }
            lo.duration_s = v;
            break;
        case OPT_FAIL_LOSS:
            lo.fail_on_loss = true;
            break;
        case OPT_USER:
            lo.user = optarg;
            break;
        case OPT_THREADS:
            if (parse_u64(optarg, NS_MAX_THREADS, &v, false) != NS_OK || v == 0) {
                fprintf(stderr, "netscope: --threads: expected 1..%d, got \"%s\"\n", NS_MAX_THREADS, optarg);
                return 2;
            }
            cfg.threads = (uint32_t)v;
            break;
        case OPT_STATS:
            if (parse_u64(optarg, 86400, &v, false) != NS_OK) {
                fprintf(stderr, "netscope: --stats-interval: expected seconds (0..86400), got \"%s\"\n", optarg);
                return 2;
            }
            cfg.stats_interval = (uint32_t)v;
            break;
        case OPT_ROLLUP:
            if (parse_u64(optarg, 86400, &v, false) != NS_OK) {
                fprintf(stderr, "netscope: --rollup-interval: expected seconds (0..86400), got \"%s\"\n", optarg);
                return 2;
            }
            cfg.rollup.interval = (uint32_t)v;
            break;
        case OPT_CSV:
            if (strlen(optarg) >= sizeof(cfg.csv_dir)) {
                fprintf(stderr, "netscope: --csv: path too long\n");
                return 2;
            }
            strcpy(cfg.csv_dir, optarg);
            break;
        case OPT_TYPES:
            if (config_set_types(&cfg, optarg, err) != NS_OK) {
                fprintf(stderr, "netscope: --types: %s\n", err);
                return 2;
            }
            break;
        case OPT_MEMCAP:
            if (parse_u64(optarg, 1ull << 40, &v, true) != NS_OK || v < (1u << 20)) {
                fprintf(stderr, "netscope: --flow-memcap: expected a size of at least 1m, got \"%s\"\n", optarg);
                return 2;
            }
            cfg.flow.memcap = v;
            break;
        case OPT_QUEUE:
            if (parse_u64(optarg, 1ull << 32, &v, true) != NS_OK) {
                fprintf(stderr, "netscope: --queue-size: expected a size, got \"%s\"\n", optarg);
                return 2;
            }
            cfg.queue_size = (uint32_t)(v > UINT32_MAX ? UINT32_MAX : v);
            break;
        case OPT_SET:
            if (config_set(&cfg, optarg, err) != NS_OK) {
                fprintf(stderr, "netscope: %s\n", err);
                return 2;
            }
            break;
        case 'V':
            printf("netscope %s (%s)\n", NS_VERSION, pcap_lib_version());
            return 0;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (!file == !cfg.live.interface[0]) {
        if (file)
            fprintf(stderr, "netscope: -r and -i exclude each other\n");
        usage(stderr);
        return 2;
    }
    /* the rest of the command line is a BPF expression */
    if (optind < argc) {
        size_t len = 0;
        for (int i = optind; i < argc; i++) {
            size_t a = strlen(argv[i]);
            if (len + a + 2 > sizeof(cfg.bpf)) {
                fprintf(stderr, "netscope: BPF expression too long\n");
                return 2;
            }
            if (len)
                cfg.bpf[len++] = ' ';
            memcpy(cfg.bpf + len, argv[i], a);
            len += a;
            cfg.bpf[len] = '\0';
        }
    }
    unsigned nw = cfg.threads;
    if (nw == 0) {
        long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
        nw = ncpu > 0 ? (unsigned)(ncpu > NS_MAX_THREADS ? NS_MAX_THREADS : ncpu) : 1;
    }
    /* one budget divided among the parts (engine/mem_budget.c); from here
     * on flow.memcap is per worker */
    if (config_memory_resolve(&cfg, nw, file == NULL, err) != NS_OK) {
        fprintf(stderr, "netscope: %s\n", err);
        return 2;
    }
    if (cfg.memory.budget) {          /* the split is in every stats record too */
        char line[512];
        config_memory_describe(&cfg, line, sizeof(line));
        fprintf(stderr, "netscope: %s\n", line);
    }

    struct stat st;
    if (stat(cfg.log_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "netscope: log directory %s: %s\n", cfg.log_dir,
                errno ? strerror(errno) : "not a directory");
        return 2;
    }
    static char eve_path[CONFIG_PATH_MAX * 2 + 2];
    if (top && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))) {
        fprintf(stderr, "netscope top: standard input and output must be a terminal\n");
        return 2;
    }
    if (top) {
        /* one view update per second of packet time, which pacing makes
         * one per second of wall time (live: stats are cut on wall time
         * anyway); talkers from 1 s rollups */
        cfg.stats_interval = 1;
        cfg.rollup.interval = 1;
    }
    /* Rollups nobody reads would still cost the workers their sketches
     * and the DNS/HTTP/TLS parsers they summarise (engine/app.c): off
     * unless written (EVE or CSV), watched by the spike detector, or
     * shown by top. */
    if (!cfg.eve_rollup && !cfg.csv_dir[0] && !top &&
        !(cfg.eve_alert && cfg.anomaly.enabled && cfg.anomaly.det[ANOM_SPIKE].enabled))
        cfg.rollup.interval = 0;
    if (top && !log_dir_set)
        snprintf(eve_path, sizeof(eve_path), "/dev/null");    /* -l to keep EVE */
    else if (cfg.eve_filename[0] == '/')
        snprintf(eve_path, sizeof(eve_path), "%s", cfg.eve_filename);
    else
        snprintf(eve_path, sizeof(eve_path), "%s/%s", cfg.log_dir, cfg.eve_filename);

    if (cfg.csv_dir[0] && (stat(cfg.csv_dir, &st) != 0 || !S_ISDIR(st.st_mode))) {
        fprintf(stderr, "netscope: --csv %s: %s\n", cfg.csv_dir,
                errno ? strerror(errno) : "not a directory");
        return 2;
    }
    if (file && (lo.count || lo.duration_s || lo.user)) {
        fprintf(stderr, "netscope: -c, --duration and --user are for live capture (-i)\n");
        return 2;
    }

    /* rules: loaded before any packet is read; SIGUSR2 reloads them */
    static struct detect_gen *detect_slot;
    static struct main_reload reload;
    if (cfg.rule_files.n) {
        detect_slot = detect_gen_create(&cfg, nw, 1, stderr, err);
        if (!detect_slot) {
            fprintf(stderr, "netscope: %s\n", err);
            return 2;
        }
        detect_print_info(detect_slot, "rules");
        cfg.rules_loaded = true;
    }
    reload.cfg = &cfg;
    reload.slot = detect_slot ? &detect_slot : NULL;
    reload.nworkers = nw;
    if (main_reload_start(&reload, err) != NS_OK) {
        fprintf(stderr, "netscope: %s\n", err);
        detect_gen_destroy(detect_slot);
        return 2;
    }

    static struct top_feed feed;         /* netscope top: initialised once set up */
    if (!file) {
        lo.eve_path = eve_path;
        lo.detect = detect_slot ? &detect_slot : NULL;
        if (top) {
            char src[96];
            snprintf(src, sizeof(src), "interface %s (live)", cfg.live.interface);
            top_feed_init(&feed, src);
            lo.top = &feed;
            lo.stop = &main_stop;
        }
        int lrc = live_run(&cfg, nw, &lo);
        if (top)
            top_feed_fini(&feed);
        main_reload_stop(&reload);
        detect_gen_destroy(detect_slot);
        return lrc;
    }

    int ret = 2;
    struct top_ui *ui = NULL;
    bool feed_ready = false;
    double t0 = now_s();
    struct reader *rd = NULL;
    struct writer *wr = NULL;
    struct ring **in = calloc(nw, sizeof(*in));
    struct ring **out = calloc(nw + 1, sizeof(*out));
    struct worker **wk = calloc(nw, sizeof(*wk));
    if (!in || !out || !wk) {
        fprintf(stderr, "netscope: out of memory\n");
        goto out_free;
    }
    rd = reader_open(file, cfg.bpf, err);
    if (!rd)
        goto out_err;
    size_t qsize = cfg.queue_size < (2u << 20) ? (2u << 20) : cfg.queue_size;
    for (unsigned i = 0; i < nw; i++) {
        if (!(in[i] = ring_create(qsize, err)) || !(out[i] = ring_create(qsize, err)))
            goto out_err;
    }
    if (!(out[nw] = ring_create(1u << 16, err)))
        goto out_err;
    if (cfg.rollup.interval && rollup_top_rec_max(cfg.rollup.capacity) > ring_max_record(out[0])) {
        snprintf(err, sizeof(err), "rollups.capacity %u: a worker's sketch (%zu bytes) does not fit "
                 "a queue record (%u bytes): raise queue-size or lower the capacity",
                 cfg.rollup.capacity, rollup_top_rec_max(cfg.rollup.capacity),
                 ring_max_record(out[0]));
        goto out_err;
    }
    if (top) {
        char src[96];
        snprintf(src, sizeof(src), "file %s (paced)", file);
        top_feed_init(&feed, src);
        feed_ready = true;
        reader_set_pace(rd, true);
    }
    struct writer_opts wo = { .top = top ? &feed : NULL,
                              .eve_path = eve_path, .pcap_filename = file,
                              .pcap_out = lo.pcap_out, .dlt = reader_dlt(rd),
                              .rollup_sources = nw,
                              .csv_dir = cfg.csv_dir[0] ? cfg.csv_dir : NULL };
    wr = writer_create(&cfg, &wo, out, nw + 1, err);
    if (!wr)
        goto out_err;
    for (unsigned i = 0; i < nw; i++) {
        if (!(wk[i] = worker_create(i, &cfg, reader_dlt(rd), file, in[i], out[i], err)))
            goto out_err;
        worker_set_pcap_out(wk[i], lo.pcap_out != NULL);
        if (detect_slot && worker_set_detect(wk[i], &detect_slot, err) != NS_OK)
            goto out_err;
    }
    /* the signals go to the reader (this thread), whose read they interrupt:
     * block them in the threads created here */
    sigset_t sigs, old;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &sigs, &old);
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = main_on_signal;       /* no SA_RESTART: reads end */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sa.sa_handler = on_sighup;
    sa.sa_flags = SA_RESTART;                /* the read goes on */
    sigaction(SIGHUP, &sa, NULL);
    /* before any thread runs, so a terminal that fails unwinds simply */
    if (top && !(ui = top_ui_start(&feed, &main_stop, err)))
        goto out_err;
    if (writer_start(wr, err) != NS_OK)
        goto out_err;
    for (unsigned i = 0; i < nw; i++) {
        if (worker_start(wk[i], err) == NS_OK)
            continue;
        /* wind down: the started workers get EOF, the others' queues and
         * the reader's say "done" on their behalf so the writer ends */
        fprintf(stderr, "netscope: %s\n", err);
        for (unsigned j = 0; j <= nw; j++) {
            struct ring *r = j < i ? in[j] : out[j];
            uint32_t type = j < i ? REC_EOF : REC_DONE;
            struct rec_tick *t = ring_reserve_wait(r, sizeof(*t));
            memset(t, 0, sizeof(*t));
            ring_commit(r, type, sizeof(*t));
        }
        for (unsigned j = 0; j < i; j++)
            worker_join(wk[j]);
        (void)writer_join(wr, err);
        if (ui) {
            atomic_store_explicit(&main_stop, true, memory_order_relaxed);
            top_ui_join(ui);
            ui = NULL;
        }
        ret = 2;
        goto out_free;
    }

    char rerr[NS_ERRBUF_SIZE] = "";
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    int rrc = reader_run(rd, in, nw, out[nw], cfg.stats_interval, cfg.rollup.interval,
                         &main_stop, rerr);
    for (unsigned i = 0; i < nw; i++)
        worker_join(wk[i]);
    int wrc = writer_join(wr, err);
    /* the view stays up, with the final counters, until 'q' */
    bool quit_early = atomic_load_explicit(&main_stop, memory_order_relaxed);
    top_ui_join(ui);
    ui = NULL;
    print_summary(file, eve_path, writer_totals(wr), writer_records(wr), now_s() - t0);
    writer_print_outputs(wr, stderr);
    ret = 0;
    if (rrc != NS_OK && !(top && quit_early && rrc == NS_ERR_EOF)) {
        fprintf(stderr, "netscope: %s\n", rerr);
        ret = 1;
    }
    if (wrc != NS_OK) {
        fprintf(stderr, "netscope: %s\n", err);
        ret = 1;
    }
    goto out_free;
out_err:
    if (ui) {
        atomic_store_explicit(&main_stop, true, memory_order_relaxed);
        top_ui_join(ui);
    }
    fprintf(stderr, "netscope: %s\n", err);
out_free:
    for (unsigned i = 0; wk && i < nw; i++)
        worker_destroy(wk[i]);
    writer_destroy(wr);
    for (unsigned i = 0; in && i < nw; i++)
        ring_destroy(in[i]);
    for (unsigned i = 0; out && i <= nw; i++)
        ring_destroy(out[i]);
    free(in);
    free(out);
    free(wk);
    reader_close(rd);
    if (feed_ready)
        top_feed_fini(&feed);
    main_reload_stop(&reload);
    detect_gen_destroy(detect_slot);
    return ret;
}
