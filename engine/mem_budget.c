/* engine/mem_budget.c: one memory budget divided among the parts.
 *
 * What grows with traffic is capped part by part, each part preallocated
 * (or reserved) at start and never grown: the flow tables (entries and
 * hash slots, flow/flow_table.c), TCP reassembly and app-layer state (the
 * workers' mempools, flow/mempool.h), IP defragmentation (the defrag pools,
 * dissect/defrag.c, counted whole: trackers, hash, pieces, chunks, the
 * rebuild buffer) and, in live capture, the kernel's TPACKET_V3 rings,
 * which are mapped into our address space and so count in our RSS.  The
 * queues between threads (reader -> worker, worker -> writer) are fixed by
 * queue-size and the number of workers: they are counted first, so that
 * the split is honest about where the memory goes.
 *
 * Precedence, per part: its own key (flow.memcap, stream.memcap,
 * defrag.memcap, live.ring-memory; --flow-memcap) when given; else, with a
 * budget, a share of what the budget leaves after the queues and the
 * explicit caps, by memory.shares (weights over the parts that take a
 * share); else its built-in default.  Parts held per worker (flow,
 * stream, defrag, capture ring) get their total divided among the
 * workers.
 *
 * Not counted: the program itself, libraries, the rule databases, rollup
 * sketches and the anomaly detectors' table -- all fixed at start whatever
 * the traffic (README "Memory"). */
#include "engine/config.h"

#include <stdio.h>

#include "output/ring.h"

#define MiB (1024.0 * 1024.0)

/* Without a budget, what each part gets when its key is not given. */
#define MEM_DEF_FLOW    (UINT64_C(128) << 20)
#define MEM_DEF_STREAM  (UINT64_C(256) << 20)
#define MEM_DEF_DEFRAG  (UINT32_C(16) << 20)       /* fragment data per worker */
#define MEM_DEF_CAPTURE (UINT64_C(128) << 20)
#define MEM_MIN_PER_WORKER (UINT64_C(1) << 20)     /* flow and stream */
#define MEM_CAPTURE_MIN_BLOCKS 8                   /* live.c: at least 8 per worker */
#define MEM_CAPTURE_MAX_BLOCKS 65536

static const char *const part_key[MEM_PARTS] = {
    [MEM_PART_FLOW] = "flow.memcap",
    [MEM_PART_STREAM] = "stream.memcap",
    [MEM_PART_DEFRAG] = "defrag.memcap",
    [MEM_PART_CAPTURE] = "live.ring-memory",
};
static const char *const part_name[MEM_PARTS] = {
    [MEM_PART_FLOW] = "flow",
    [MEM_PART_STREAM] = "stream",
    [MEM_PART_DEFRAG] = "defrag",
    [MEM_PART_CAPTURE] = "capture",
};

/* What the capture rings of nw workers really take from ring_memory (live.c
 * gives each worker ring_memory / nw / block_size blocks, 8 to 65536). */
static uint64_t capture_bytes(uint64_t ring_memory, uint32_t block_size, unsigned nw)
{
    uint64_t per = ring_memory / nw / block_size;
    if (per < MEM_CAPTURE_MIN_BLOCKS)
        per = MEM_CAPTURE_MIN_BLOCKS;
    if (per > MEM_CAPTURE_MAX_BLOCKS)
        per = MEM_CAPTURE_MAX_BLOCKS;
    return per * block_size * nw;
}

/* Each ring is at least CONFIG_QUEUE_MIN, rounded up by ring_create.
 * Offline: one reader -> worker and one worker -> writer ring per worker,
 * and the reader's 64 KiB ring to the writer (main.c); live: the workers'
 * rings to the writer (live.c). */
static uint64_t queue_bytes(uint32_t queue_size, unsigned nw, bool live)
{
    uint64_t q = ring_alloc_size(queue_size < CONFIG_QUEUE_MIN ? CONFIG_QUEUE_MIN : queue_size);
    return live ? nw * q : 2 * nw * q + ring_alloc_size(1u << 16);
}

/* The least a part needs, for all workers. */
static uint64_t part_min(const struct ns_config *cfg, enum mem_part p, unsigned nw)
{
    switch (p) {
    case MEM_PART_DEFRAG:
        return nw * dissect_defrag_mem(cfg->defrag.defrag_max_trackers, 64u << 10);
    case MEM_PART_CAPTURE:
        return capture_bytes(0, cfg->live.block_size, nw);
    default:
        return nw * MEM_MIN_PER_WORKER;
    }
}

int config_memory_resolve(struct ns_config *cfg, unsigned nw, bool live, char *errbuf)
{
    struct mem_plan *m = &cfg->mem;
    if (nw == 0)
        nw = 1;
    memset(m, 0, sizeof(*m));
    m->workers = nw;
    m->queues = queue_bytes(cfg->queue_size, nw, live);

    /* the explicit caps, in bytes for all workers */
    uint64_t fixed = m->queues;
    bool used[MEM_PARTS] = { true, true, true, live };
    m->explicit_cap[MEM_PART_FLOW] = cfg->flow.memcap != 0;
    m->explicit_cap[MEM_PART_STREAM] = cfg->stream_memcap != 0;
    m->explicit_cap[MEM_PART_DEFRAG] = cfg->defrag.defrag_memcap != 0;
    m->explicit_cap[MEM_PART_CAPTURE] = cfg->live.ring_memory != 0;
    if (m->explicit_cap[MEM_PART_FLOW])
        m->part[MEM_PART_FLOW] = cfg->flow.memcap;
    if (m->explicit_cap[MEM_PART_STREAM])
        m->part[MEM_PART_STREAM] = cfg->stream_memcap;
    if (m->explicit_cap[MEM_PART_DEFRAG])
        m->part[MEM_PART_DEFRAG] =
            nw * dissect_defrag_mem(cfg->defrag.defrag_max_trackers, cfg->defrag.defrag_memcap);
    if (m->explicit_cap[MEM_PART_CAPTURE])
        m->part[MEM_PART_CAPTURE] =
            capture_bytes(cfg->live.ring_memory, cfg->live.block_size, nw);
    uint64_t weights = 0;
    for (unsigned p = 0; p < MEM_PARTS; p++) {
        if (!used[p])
            continue;
        if (m->explicit_cap[p])
            fixed += m->part[p];
        else
            weights += cfg->memory.share[p];
    }

    if (cfg->memory.budget == 0) {
        if (!m->explicit_cap[MEM_PART_FLOW])
            m->part[MEM_PART_FLOW] = MEM_DEF_FLOW;
        if (!m->explicit_cap[MEM_PART_STREAM])
            m->part[MEM_PART_STREAM] = MEM_DEF_STREAM;
        if (!m->explicit_cap[MEM_PART_DEFRAG])
            m->part[MEM_PART_DEFRAG] =
                nw * dissect_defrag_mem(cfg->defrag.defrag_max_trackers, MEM_DEF_DEFRAG);
        if (!m->explicit_cap[MEM_PART_CAPTURE] && live)
            m->part[MEM_PART_CAPTURE] =
                capture_bytes(MEM_DEF_CAPTURE, cfg->live.block_size, nw);
    } else {
        uint64_t b = cfg->memory.budget;
        if (fixed > b) {
            int o = snprintf(errbuf, NS_ERRBUF_SIZE,
                             "memory.budget: %.1f MiB is too small for the fixed parts (%.1f MiB): "
                             "queues %.1f MiB (queue-size x %u rings)",
                             b / MiB, fixed / MiB, m->queues / MiB, live ? nw : 2 * nw);
            for (unsigned p = 0; p < MEM_PARTS && o > 0 && o < NS_ERRBUF_SIZE; p++)
                if (used[p] && m->explicit_cap[p])
                    o += snprintf(errbuf + o, NS_ERRBUF_SIZE - (size_t)o, ", %s %.1f MiB",
                                  part_key[p], m->part[p] / MiB);
            return NS_ERR_INVAL;
        }
        uint64_t rest = b - fixed;
        for (unsigned p = 0; p < MEM_PARTS; p++) {
            if (!used[p] || m->explicit_cap[p])
                continue;
            uint64_t share = weights ? (uint64_t)((unsigned __int128)rest * cfg->memory.share[p] /
                                                  weights)
                                     : 0;
            uint64_t need = part_min(cfg, (enum mem_part)p, nw);
            if (share < need) {
                snprintf(errbuf, NS_ERRBUF_SIZE,
                         "memory.budget: %.1f MiB leaves %s %.2f MiB (its share of the %.1f MiB "
                         "after queues %.1f MiB and explicit caps), less than the %.2f MiB it needs "
                         "for %u worker%s: raise memory.budget, or lower queue-size or %s",
                         b / MiB, part_name[p], share / MiB, rest / MiB, m->queues / MiB,
                         need / MiB, nw, nw > 1 ? "s" : "", part_key[p]);
                return NS_ERR_INVAL;
            }
            m->part[p] = share;
        }
        /* the capture rings come in whole blocks: what they really take,
         * at most the share */
        if (live && !m->explicit_cap[MEM_PART_CAPTURE])
            m->part[MEM_PART_CAPTURE] =
                capture_bytes(m->part[MEM_PART_CAPTURE], cfg->live.block_size, nw);
    }

    /* the caps the modules read */
    cfg->flow.memcap = m->part[MEM_PART_FLOW] / nw;
    cfg->stream_memcap = m->part[MEM_PART_STREAM];
    if (!m->explicit_cap[MEM_PART_DEFRAG]) {
        uint32_t per = cfg->memory.budget
                           ? dissect_defrag_memcap_for(cfg->defrag.defrag_max_trackers,
                                                       m->part[MEM_PART_DEFRAG] / nw)
                           : MEM_DEF_DEFRAG;
        cfg->defrag.defrag_memcap = per;
        m->part[MEM_PART_DEFRAG] = nw * dissect_defrag_mem(cfg->defrag.defrag_max_trackers, per);
    }
    if (live)
        cfg->live.ring_memory = m->part[MEM_PART_CAPTURE];

    uint64_t total = m->queues;
    for (unsigned p = 0; p < MEM_PARTS; p++)
        total += m->part[p];
    m->budget = cfg->memory.budget ? cfg->memory.budget : total;
    m->resolved = true;
    return NS_OK;
}

void config_memory_describe(const struct ns_config *cfg, char *out, size_t cap)
{
    const struct mem_plan *m = &cfg->mem;
    int o = snprintf(out, cap, "memory: %s %.1f MiB for %u worker%s:",
                     cfg->memory.budget ? "budget" : "no budget, parts total", m->budget / MiB,
                     m->workers, m->workers > 1 ? "s" : "");
    for (unsigned p = 0; p < MEM_PARTS && o > 0 && (size_t)o < cap; p++) {
        if (p == MEM_PART_CAPTURE && m->part[p] == 0)
            continue;
        const char *how = m->explicit_cap[p] ? part_key[p] : cfg->memory.budget ? "share" : "default";
        if (cfg->memory.budget && !m->explicit_cap[p])
            o += snprintf(out + o, cap - (size_t)o, " %s %.1f MiB (share %u),", part_name[p],
                          m->part[p] / MiB, cfg->memory.share[p]);
        else
            o += snprintf(out + o, cap - (size_t)o, " %s %.1f MiB (%s),", part_name[p],
                          m->part[p] / MiB, how);
    }
    if (o > 0 && (size_t)o < cap)
        snprintf(out + o, cap - (size_t)o, " queues %.1f MiB", m->queues / MiB);
}
