/* engine/live.c: live capture run mode (live.h).
 *
 * Setup order: compile the BPF filter for the interface's link type, open
 * one fanout socket per worker (so the kernel spreads flows before any
 * packet is read), open eve.json and the -w file, drop privileges, start the
 * writer and workers.  The main thread then only waits: signals are blocked
 * in every thread and taken with sigtimedwait, so no handler runs in the
 * middle of anything. */
#include "engine/live.h"

#include <errno.h>
#include <grp.h>
#include <pcap/pcap.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "engine/afpacket.h"
#include "engine/engine_int.h"
#include "engine/top.h"
#include "engine/worker.h"
#include "engine/writer.h"
#include "output/logfile.h"

static uint64_t live_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t live_wall_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int live_drop_privileges(const char *user, char *errbuf)
{
    struct passwd *pw = getpwnam(user);
    if (!pw) {
        snprintf(errbuf, NS_ERRBUF_SIZE, "--user %s: no such user", user);
        return NS_ERR_INVAL;
    }
    if (setgroups(0, NULL) != 0 || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0) {
        snprintf(errbuf, NS_ERRBUF_SIZE, "--user %s: cannot switch to uid %u: %s", user,
                 (unsigned)pw->pw_uid, strerror(errno));
        return NS_ERR_IO;
    }
    if (setuid(0) == 0) {
        snprintf(errbuf, NS_ERRBUF_SIZE, "--user %s: root privileges could be regained", user);
        return NS_ERR_IO;
    }
    return NS_OK;
}

static enum afp_fanout live_fanout(const char *s)
{
    if (!strcmp(s, "lb"))
        return AFP_FANOUT_LB;
    if (!strcmp(s, "cpu"))
        return AFP_FANOUT_CPU;
    if (!strcmp(s, "qm"))
        return AFP_FANOUT_QM;
    return AFP_FANOUT_HASH;
}

static void live_summary(const struct live_opts *o, const char *iface, const struct ns_snap *t,
                         uint64_t records, double secs, uint64_t *lost)
{
    uint64_t kp = t->cap[CAP_KERNEL_PACKETS], kd = t->cap[CAP_KERNEL_DROPS];
    uint64_t out_lost = t->out[OUT_TOO_BIG];
    fprintf(stderr,
            "netscope: %s: %llu packets read = %llu decoded + %llu unsupported + %llu invalid; "
            "%llu flows; %llu records to %s; %.2f s\n",
            iface, (unsigned long long)t->acct[ACCT_READ], (unsigned long long)t->acct[ACCT_DECODED],
            (unsigned long long)t->acct[ACCT_UNSUPPORTED], (unsigned long long)t->acct[ACCT_INVALID],
            (unsigned long long)t->fs[FS_TOTAL], (unsigned long long)records, o->eve_path, secs);
    /* the kernel counts what passed the filter, drops included; the rings
     * hand every packet to its worker, whose queues to the writer block
     * rather than drop, so only kernel drops and unwritable records remain */
    fprintf(stderr,
            "netscope: loss: kernel %llu of %llu packets (%.3f %%), freezes %llu; queues 0; "
            "output %llu records\n",
            (unsigned long long)kd, (unsigned long long)kp, kp ? 100.0 * (double)kd / (double)kp : 0.0,
            (unsigned long long)t->cap[CAP_KERNEL_FREEZES], (unsigned long long)out_lost);
    *lost = kd + out_lost;
}

int live_run(struct ns_config *cfg, unsigned nw, const struct live_opts *o)
{
    char err[NS_ERRBUF_SIZE] = "";
    const char *iface = cfg->live.interface;
    int ret = 2;
    struct bpf_program prog = { 0, NULL };
    bool have_prog = false;
    struct afp_sock **socks = calloc(nw, sizeof(*socks));
    struct ring **out = calloc(nw, sizeof(*out));
    struct worker **wk = calloc(nw, sizeof(*wk));
    struct writer *wr = NULL;
    static struct live_ctl ctl;
    struct top_ui *ui = NULL;
    const char *why = NULL;
    bool signalled = false;
    unsigned started = 0;
    bool writer_started = false;
    uint64_t t0 = live_mono_ns(), wall0_us = live_wall_us();
    if (!socks || !out || !wk) {
        snprintf(err, sizeof(err), "out of memory");
        goto out_err;
    }

    int dlt = afp_linktype(iface, err);
    if (dlt < 0)
        goto out_err;
    if (cfg->bpf[0]) {
        pcap_t *dead = pcap_open_dead(dlt, 262144);
        if (!dead || pcap_compile(dead, &prog, cfg->bpf, 1, PCAP_NETMASK_UNKNOWN) != 0) {
            snprintf(err, sizeof(err), "bad BPF filter \"%.200s\": %s", cfg->bpf,
                     dead ? pcap_geterr(dead) : "out of memory");
            if (dead)
                pcap_close(dead);
            goto out_err;
        }
        pcap_close(dead);
        have_prog = true;
    }

    /* ring geometry: the memory budget split between workers */
    struct afp_config ac = {
        .iface = iface,
        .block_size = cfg->live.block_size,
        .frame_size = cfg->live.frame_size,
        .retire_ms = cfg->live.block_timeout,
        .fanout = live_fanout(cfg->live.fanout),
        .fanout_defrag = cfg->live.fanout_defrag,
        .fanout_group = (uint16_t)cfg->live.fanout_group,
        .promisc = cfg->live.promisc,
    };
    long page = sysconf(_SC_PAGESIZE);
    if (page > 0 && ac.block_size % (uint32_t)page) {
        snprintf(err, sizeof(err), "live.block-size %u is not a multiple of the page size (%ld)",
                 ac.block_size, page);
        goto out_err;
    }
    if (ac.frame_size % 16 || ac.frame_size > ac.block_size) {
        snprintf(err, sizeof(err), "live.frame-size %u must be a multiple of 16 and at most the block size",
                 ac.frame_size);
        goto out_err;
    }
    uint64_t per = cfg->live.ring_memory / nw / ac.block_size;
    ac.block_count = (uint32_t)(per < 8 ? 8 : per > 65536 ? 65536 : per);
    fprintf(stderr,
            "netscope: %s: %u worker%s, fanout %s%s group %u, ring %u blocks x %u KiB per worker "
            "(%llu MiB), block timeout %u ms%s\n",
            iface, nw, nw > 1 ? "s" : "", cfg->live.fanout,
            ac.fanout == AFP_FANOUT_HASH && ac.fanout_defrag ? "+defrag" : "", ac.fanout_group,
            ac.block_count, ac.block_size / 1024,
            (unsigned long long)((uint64_t)ac.block_count * ac.block_size * nw >> 20), ac.retire_ms,
            cfg->bpf[0] ? ", filter in the kernel" : "");
    for (unsigned i = 0; i < nw; i++)
        if (!(socks[i] = afp_open(&ac, have_prog ? &prog : NULL, err)))
            goto out_err;

    size_t qsize = cfg->queue_size < (2u << 20) ? (2u << 20) : cfg->queue_size;
    for (unsigned i = 0; i < nw; i++)
        if (!(out[i] = ring_create(qsize, err)))
            goto out_err;
    if (cfg->rollup.interval && rollup_top_rec_max(cfg->rollup.capacity) > ring_max_record(out[0])) {
        snprintf(err, sizeof(err), "rollups.capacity %u: a worker's sketch (%zu bytes) does not fit "
                 "a queue record (%u bytes): raise queue-size or lower the capacity",
                 cfg->rollup.capacity, rollup_top_rec_max(cfg->rollup.capacity),
                 ring_max_record(out[0]));
        goto out_err;
    }
    struct writer_opts wo = { .eve_path = o->eve_path, .in_iface = iface, .pcap_out = o->pcap_out,
                              .dlt = dlt, .live = true, .top = o->top,
                              .rollup_sources = cfg->rollup.interval ? nw : 0,
                              .csv_dir = cfg->csv_dir[0] ? cfg->csv_dir : NULL };
    if (!(wr = writer_create(cfg, &wo, out, nw, err)))
        goto out_err;
    atomic_init(&ctl.stop, false);
    atomic_init(&ctl.final_seq, UINT64_MAX);
    ctl.start_ns = live_mono_ns();
    ctl.stats_interval = cfg->stats_interval;
    ctl.count = nw == 1 ? o->count : 0;      /* exact with one worker */
    ctl.stop_on_down = !strcmp(cfg->live.on_interface_down, "stop");
    ctl.iface = iface;
    if (cfg->rollup.interval) {
        /* engine/live.h: packet time, interval-aligned; the grace covers
         * the kernel's block retire timeout (and timer slack) */
        ctl.ru_us = (uint64_t)cfg->rollup.interval * 1000000u;
        /* from before the sockets opened: no packet is stamped earlier */
        ctl.ru_start_us = wall0_us - wall0_us % ctl.ru_us;
        ctl.ru_grace_us = ((uint64_t)cfg->live.block_timeout + 200u) * 1000u;
    }
    for (unsigned i = 0; i < nw; i++) {
        if (!(wk[i] = worker_create(i, cfg, dlt, NULL, NULL, out[i], err)))
            goto out_err;
        worker_set_live(wk[i], socks[i], &ctl);
        worker_set_pcap_out(wk[i], o->pcap_out != NULL);
        if (o->detect && worker_set_detect(wk[i], o->detect, err) != NS_OK)
            goto out_err;
    }
    if (o->user && live_drop_privileges(o->user, err) != NS_OK)
        goto out_err;

    /* every thread inherits the blocked signals; only sigtimedwait takes them */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    /* the UI thread inherits the block: the signals stay with sigtimedwait */
    if (o->top && !(ui = top_ui_start(o->top, o->stop, err)))
        goto out_err;
    if (writer_start(wr, err) != NS_OK)
        goto out_err;
    writer_started = true;
    for (; started < nw; started++)
        if (worker_start(wk[started], err) != NS_OK)
            goto out_err;

    t0 = live_mono_ns();
    while (!why) {
        /* 100 ms: also how soon the UI's 'q' is noticed */
        struct timespec tmo = { 0, 100 * 1000 * 1000 };
        int sig = sigtimedwait(&sigs, NULL, &tmo);
        if (sig == SIGINT || sig == SIGTERM) {
            why = sig == SIGINT ? "SIGINT" : "SIGTERM";
            signalled = true;
        }
        if (sig == SIGHUP) {            /* the writer opens eve.json again */
            fprintf(stderr, "netscope: SIGHUP: opening %s again\n", o->eve_path);
            logfile_reopen_all();
        }
        if (o->stop && atomic_load_explicit(o->stop, memory_order_relaxed))
            why = "quit (q)";
        uint64_t now = live_mono_ns();
        if (o->duration_s && now - t0 >= o->duration_s * 1000000000u)
            why = "duration reached";
        if (o->count) {
            uint64_t sum = 0;
            for (unsigned i = 0; i < nw; i++)
                sum += worker_live_read(wk[i]);
            if (sum >= o->count)
                why = "count reached";
        }
    }
    /* with the view up, said once the terminal is ours again */
    if (!ui)
        fprintf(stderr, "netscope: %s: %s, draining the rings\n", iface, why);
    /* a signal ends the view too; --duration and -c leave it up */
    if (signalled && o->stop)
        atomic_store_explicit(o->stop, true, memory_order_relaxed);
    goto stop;

out_err:
    if (ui) {
        atomic_store_explicit(o->stop, true, memory_order_relaxed);
        top_ui_join(ui);
        ui = NULL;
    }
    fprintf(stderr, "netscope: %s\n", err);
stop:
    if (writer_started) {
        /* every source must still end: the final snapshot goes out one
         * interval after the last periodic one any worker can have sent */
        uint64_t seq = ctl.stats_interval
                           ? (live_mono_ns() - ctl.start_ns) / ((uint64_t)ctl.stats_interval * 1000000000u)
                           : 0;
        atomic_store_explicit(&ctl.final_seq, seq + 2, memory_order_relaxed);
        atomic_store_explicit(&ctl.stop, true, memory_order_release);
        for (unsigned i = 0; i < nw; i++) {
            if (i < started) {
                worker_join(wk[i]);
            } else {                    /* never started: end its queue */
                ring_reserve_wait(out[i], 8);
                ring_commit(out[i], REC_DONE, 0);
            }
        }
        int wrc = writer_join(wr, err);
        if (ui) {
            /* the final counters stay on screen until 'q' */
            top_ui_join(ui);
            ui = NULL;
            fprintf(stderr, "netscope: %s: %s, rings drained\n", iface, why);
        }
        if (started == nw) {
            uint64_t lost;
            live_summary(o, iface, writer_totals(wr), writer_records(wr),
                         (double)(live_mono_ns() - t0) / 1e9, &lost);
            writer_print_outputs(wr, stderr);
            lost += writer_eve_dropped(wr);
            ret = 0;
            if (wrc != NS_OK) {
                fprintf(stderr, "netscope: %s\n", err);
                ret = 1;
            } else if (lost && o->fail_on_loss) {
                fprintf(stderr, "netscope: %llu packets or records lost (--fail-on-loss)\n",
                        (unsigned long long)lost);
                ret = 1;
            }
        }
    }
    for (unsigned i = 0; wk && i < nw; i++)
        worker_destroy(wk[i]);
    writer_destroy(wr);
    for (unsigned i = 0; socks && i < nw; i++)
        afp_close(socks[i]);
    for (unsigned i = 0; out && i < nw; i++)
        ring_destroy(out[i]);
    if (have_prog)
        pcap_freecode(&prog);
    free(socks);
    free(out);
    free(wk);
    return ret;
}
