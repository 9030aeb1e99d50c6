/* flow/flow_table.c: the per-worker flow table (see flow.h).
 *
 * Memory: one preallocated pool of 192-byte entries (flow_int.h) and an
 * open-addressing array of 8-byte slots (32-bit hash, entry index), both
 * sized at create from the memory cap and never grown.  Lookups probe
 * linearly from the hash's home slot and compare hashes in the slot array,
 * eight to a cache line, before touching an entry.  There are at least
 * twice as many slots as entries, so probes stay short (hash_size is a
 * floor, unless the slots would take more than half of the cap), and
 * removal shifts the rest of the cluster back instead of leaving
 * tombstones.  Free entries form a list through lru_next.
 *
 * Key: addresses, ports, protocol, IP version and VLAN ids.  The hash
 * orders the two endpoints first, so both directions of a flow meet in one
 * home slot, and mixes the ordered key with 64-bit multiplies keyed from
 * getrandom() at create, so where a key lands cannot be worked out from
 * outside (a keyed mix, fast rather than cryptographic).  The
 * entry keeps the flow's client and server as sent, and a lookup compares a
 * packet with both orders, which also yields its direction.
 *
 * Flow ids hash the same ordered key with fixed keys plus the start time:
 * the same capture gives the same ids whatever the seed or the number of
 * workers (a flow lives in one worker, which sees all of its packets).
 *
 * Timeouts: every entry sits on one of 12 intrusive LRU lists, one per
 * (protocol class, state).  All flows on a list share one timeout, and a
 * packet moves its flow to the tail, so each head is the list's oldest flow
 * and expiry pops heads while they are idle past the timeout: O(1) per
 * packet and per ended flow.  A flow is idle past its timeout when
 * now - last > timeout (strictly).  Packets arriving out of time order leave
 * a list in arrival order, which delays some expiries by that disorder at
 * most.  The same test runs on lookup: a packet for a flow idle past its
 * timeout ends it (reason timeout) and starts a new one, so what a flow
 * holds does not depend on when expiry ticks arrive.
 *
 * Emergency: when the pool is empty the table enters emergency mode and ends
 * the least recently used flow (the oldest list head; ended as timeout if it
 * is idle past the emergency timeout, else forced).  In emergency the
 * emergency timeouts apply, until an expiry leaves emerg_recovery_pct % of
 * the pool free. */
#include "flow/flow_int.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define FLOW_CLASSES     4
#define FLOW_STATES      3
#define FLOW_LISTS       (FLOW_CLASSES * FLOW_STATES)
#define FLOW_MIN_SLOTS   16u
#define FLOW_MAX_SLOTS   (UINT64_C(1) << 31)
#define FLOW_ID_BITS     51             /* exact in a JSON double */
#define FLOW_ID_KEY_SEED UINT64_C(0x4e657453636f7065)   /* "NetScope" */
#define FLOW_US          UINT64_C(1000000)
#define FLOW_HUGE_PAGE   (UINT64_C(2) << 20)

__extension__ typedef unsigned __int128 flow_u128;

_Static_assert(FLOW_LISTS <= 16, "list id fits the 4 bits of flow_entry.list");
_Static_assert(FS_TIMEOUT + FLOW_END_FORCED == FS_FORCED &&
               FS_TIMEOUT + FLOW_END_SHUTDOWN == FS_SHUTDOWN, "end reason counters in order");

struct flow_list {
    uint32_t head, tail;                /* oldest, newest */
};

struct flow_slot {
    uint32_t hash;
    uint32_t idx;                       /* FLOW_NIL: empty */
};

/* One packet's key as sent, addresses zero-padded to 16 bytes. */
struct flow_tuple {
    uint64_t src[2], dst[2];
    uint16_t sport, dport;
    uint16_t vlan[DISSECT_MAX_VLAN];
    uint8_t  vlan_cnt, ip_v, proto, cls;
};

struct flow_table {
    struct flow_entry *pool;
    struct flow_slot *slot;
    uint32_t mask;                      /* slots - 1 */
    uint32_t nentries;
    uint32_t free_head, nfree;
    uint32_t bump;                      /* entries never used: [bump, nentries) */
    uint32_t emerg_recover;             /* free entries that end emergency */
    bool     emerg;
    bool     in_callback;               /* catches a callback calling us */
    flow_end_fn on_end;
    void    *ctx;
    uint64_t memuse;
    uint64_t hkey[8];                   /* table hash keys (random) */
    uint64_t idkey[8];                  /* flow id keys (fixed) */
    uint64_t timeout_us[2][FLOW_LISTS]; /* [emergency][list] */
    struct flow_list list[FLOW_LISTS];
    uint64_t stats[FS_MAX];
};

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static void keys_fill(uint64_t k[8], uint64_t seed)
{
    for (unsigned i = 0; i < 8; i++)
        k[i] = splitmix64(&seed);
}

/* 64x64->128 multiply folded to 64 bits (wyhash's mum). */
static inline uint64_t flow_mum(uint64_t a, uint64_t b)
{
    flow_u128 r = (flow_u128)a * b;
    return (uint64_t)r ^ (uint64_t)(r >> 64);
}

/* Symmetric: the endpoints are ordered (address, then port) first. */
static inline uint64_t tuple_hash(const uint64_t k[8], const struct flow_tuple *t)
{
    const uint64_t *a = t->src, *b = t->dst;
    uint16_t pa = t->sport, pb = t->dport;
    if (a[0] > b[0] || (a[0] == b[0] && (a[1] > b[1] || (a[1] == b[1] && pa > pb)))) {
        const uint64_t *x = a;
        a = b;
        b = x;
        uint16_t px = pa;
        pa = pb;
        pb = px;
    }
    uint64_t w = (uint64_t)pa << 48 | (uint64_t)pb << 32 | (uint64_t)t->proto << 24 |
                 (uint64_t)t->ip_v << 16 | t->vlan_cnt;
    uint64_t v = 0;
    for (unsigned i = 0; i < DISSECT_MAX_VLAN; i++)
        v = v << 16 | t->vlan[i];
    uint64_t h1 = flow_mum(a[0] ^ k[0], a[1] ^ k[1]);
    uint64_t h2 = flow_mum(b[0] ^ k[2], b[1] ^ k[3]);
    uint64_t h3 = flow_mum(w ^ k[4], v ^ k[5]);
    return flow_mum(h1 ^ k[6], h2 ^ h3 ^ k[7]);
}

static unsigned proto_class(uint8_t proto)
{
    switch (proto) {
    case 6:
        return FLOW_CLASS_TCP;
    case 17:
        return FLOW_CLASS_UDP;
    case 1:
    case 58:
        return FLOW_CLASS_ICMP;
    default:
        return FLOW_CLASS_OTHER;
    }
}

static inline unsigned list_id(unsigned cls, unsigned state)
{
    return cls * FLOW_STATES + state;
}

static inline void tuple_from(struct flow_tuple *t, const struct ns_decoded *d)
{
    /* only the first 4 bytes of an IPv4 address count, whatever follows */
    size_t alen = d->ip_v == 4 ? 4 : 16;
    uint8_t s[16] = { 0 }, x[16] = { 0 };
    memcpy(s, d->src, alen);
    memcpy(x, d->dst, alen);
    memcpy(t->src, s, sizeof(s));
    memcpy(t->dst, x, sizeof(x));
    t->cls = (uint8_t)proto_class(d->proto);
    /* ICMP flows are the address pair, as in Suricata */
    t->sport = t->cls == FLOW_CLASS_ICMP ? 0 : d->sport;
    t->dport = t->cls == FLOW_CLASS_ICMP ? 0 : d->dport;
    t->vlan_cnt = d->vlan_cnt < DISSECT_MAX_VLAN ? d->vlan_cnt : DISSECT_MAX_VLAN;
    for (unsigned i = 0; i < DISSECT_MAX_VLAN; i++)
        t->vlan[i] = i < t->vlan_cnt ? d->vlan[i] : 0;
    t->ip_v = d->ip_v;
    t->proto = d->proto;
}

/* 0 when the packet goes client to server, 1 the other way, -1 when it is
 * not this flow's. */
static inline int entry_match(const struct flow_entry *e, const struct flow_tuple *t)
{
    const struct flow *f = &e->f;
    if (f->proto != t->proto || f->ip_v != t->ip_v || f->vlan_cnt != t->vlan_cnt ||
        memcmp(f->vlan, t->vlan, sizeof(f->vlan)) != 0)
        return -1;
    uint64_t c[2], s[2];
    memcpy(c, f->cli, sizeof(c));
    memcpy(s, f->srv, sizeof(s));
    if (c[0] == t->src[0] && c[1] == t->src[1] && s[0] == t->dst[0] && s[1] == t->dst[1] &&
        f->cli_port == t->sport && f->srv_port == t->dport)
        return 0;
    if (c[0] == t->dst[0] && c[1] == t->dst[1] && s[0] == t->src[0] && s[1] == t->src[1] &&
        f->cli_port == t->dport && f->srv_port == t->sport)
        return 1;
    return -1;
}

static void list_unlink(struct flow_table *ft, uint32_t i)
{
    struct flow_entry *e = &ft->pool[i];
    struct flow_list *l = &ft->list[e->list];
    if (e->lru_prev != FLOW_NIL)
        ft->pool[e->lru_prev].lru_next = e->lru_next;
    else
        l->head = e->lru_next;
    if (e->lru_next != FLOW_NIL)
        ft->pool[e->lru_next].lru_prev = e->lru_prev;
    else
        l->tail = e->lru_prev;
}

static void list_append(struct flow_table *ft, uint32_t i, unsigned li)
{
    struct flow_entry *e = &ft->pool[i];
    struct flow_list *l = &ft->list[li];
    e->list = (uint8_t)li;
    e->lru_next = FLOW_NIL;
    e->lru_prev = l->tail;
    if (l->tail != FLOW_NIL)
        ft->pool[l->tail].lru_next = i;
    else
        l->head = i;
    l->tail = i;
}

static void slot_insert(struct flow_table *ft, uint32_t hash, uint32_t i)
{
    uint32_t s = hash & ft->mask;
    while (ft->slot[s].idx != FLOW_NIL)
        s = (s + 1) & ft->mask;
    ft->slot[s] = (struct flow_slot){ .hash = hash, .idx = i };
}

/* Linear probing without tombstones: after emptying slot j, move each
 * later member of the cluster whose home is not in (j, k] into the hole. */
static void slot_remove(struct flow_table *ft, uint32_t hash, uint32_t i)
{
    uint32_t m = ft->mask, j = hash & m;
    while (ft->slot[j].idx != i)        /* the entry is in its cluster: invariant */
        j = (j + 1) & m;
    for (uint32_t k = (j + 1) & m; ft->slot[k].idx != FLOW_NIL; k = (k + 1) & m) {
        uint32_t home = ft->slot[k].hash & m;
        if (((k - home) & m) >= ((k - j) & m)) {
            ft->slot[j] = ft->slot[k];
            j = k;
        }
    }
    ft->slot[j].idx = FLOW_NIL;
}

/* now - last > timeout, without overflow whatever the timestamps */
static inline bool entry_timed_out(const struct flow_table *ft, const struct flow_entry *e,
                                   uint64_t now_us)
{
    return now_us > e->f.last_us &&
           now_us - e->f.last_us > ft->timeout_us[ft->emerg][e->list];
}

/* Report the flow, then unlink it and put the entry on the free list. */
static void flow_end(struct flow_table *ft, uint32_t i, enum flow_end_reason reason)
{
    struct flow_entry *e = &ft->pool[i];
    if (ft->on_end) {
        ft->in_callback = true;
        ft->on_end(ft->ctx, &e->f, reason);
        ft->in_callback = false;
    }
    ft->stats[FS_TIMEOUT + reason]++;
    slot_remove(ft, e->hash, i);
    list_unlink(ft, i);
    e->lru_next = ft->free_head;
    ft->free_head = i;
    ft->nfree++;
}

/* End flow i, idle past its timeout at now_us; in emergency mode, count
 * it apart when only the shorter emergency timeout ended it. */
static void flow_end_idle(struct flow_table *ft, uint32_t i, uint64_t now_us)
{
    if (unlikely(ft->emerg)) {
        const struct flow_entry *e = &ft->pool[i];
        if (!(now_us > e->f.last_us && now_us - e->f.last_us > ft->timeout_us[0][e->list]))
            ft->stats[FS_EMERG_TIMEOUT]++;
    }
    flow_end(ft, i, FLOW_END_TIMEOUT);
}

/* A free entry; when there is none, emergency mode and the LRU flow goes. */
static uint32_t flow_alloc(struct flow_table *ft, uint64_t now_us)
{
    if (ft->free_head == FLOW_NIL && ft->bump < ft->nentries) {
        ft->nfree--;
        return ft->bump++;
    }
    if (unlikely(ft->free_head == FLOW_NIL)) {
        if (!ft->emerg) {
            ft->emerg = true;
            ft->stats[FS_EMERG_MODE_ENTERED]++;
        }
        uint32_t victim = FLOW_NIL;
        uint64_t oldest = UINT64_MAX;
        for (unsigned li = 0; li < FLOW_LISTS; li++) {
            uint32_t h = ft->list[li].head;
            if (h != FLOW_NIL && ft->pool[h].f.last_us < oldest) {
                oldest = ft->pool[h].f.last_us;
                victim = h;
            }
        }
        if (victim == FLOW_NIL)
            return FLOW_NIL;
        if (entry_timed_out(ft, &ft->pool[victim], now_us))
            flow_end_idle(ft, victim, now_us);
        else
            flow_end(ft, victim, FLOW_END_FORCED);
    }
    uint32_t i = ft->free_head;
    ft->free_head = ft->pool[i].lru_next;
    ft->nfree--;
    return i;
}

static uint64_t flow_id_make(const struct flow_table *ft, const struct flow_tuple *t,
                             uint64_t start_us)
{
    uint64_t h = tuple_hash(ft->idkey, t);
    h = flow_mum(h ^ ft->idkey[1], start_us ^ ft->idkey[2]) & ((UINT64_C(1) << FLOW_ID_BITS) - 1);
    return h ? h : 1;
}

/* A new flow in entry i; returns the packet's direction (1 when a SYN/ACK
 * came first, which makes its receiver the client). */
static unsigned flow_init(struct flow_table *ft, uint32_t i, const struct flow_tuple *t,
                          const struct ns_decoded *d, uint32_t hash, uint64_t ts_us)
{
    struct flow_entry *e = &ft->pool[i];
    memset(e, 0, sizeof(*e));
    struct flow *f = &e->f;
    bool flip = t->proto == 6 && d->has_l4 &&
                (d->tcp_flags & (FLOW_TH_SYN | FLOW_TH_ACK)) == (FLOW_TH_SYN | FLOW_TH_ACK);
    memcpy(f->cli, flip ? t->dst : t->src, sizeof(f->cli));
    memcpy(f->srv, flip ? t->src : t->dst, sizeof(f->srv));
    f->cli_port = flip ? t->dport : t->sport;
    f->srv_port = flip ? t->sport : t->dport;
    memcpy(f->vlan, t->vlan, sizeof(f->vlan));
    f->vlan_cnt = t->vlan_cnt;
    f->ip_v = t->ip_v;
    f->proto = t->proto;
    f->start_us = f->last_us = ts_us;
    f->flow_id = flow_id_make(ft, t, ts_us);
    e->hash = hash;
    slot_insert(ft, hash, i);
    list_append(ft, i, list_id(t->cls, FLOW_STATE_NEW));

    ft->stats[FS_TOTAL]++;
    switch (t->proto) {
    case 6:
        ft->stats[FS_TCP]++;
        flow_tcp_start(e, flip);
        break;
    case 17:
        ft->stats[FS_UDP]++;
        break;
    case 1:
        ft->stats[FS_ICMPV4]++;
        break;
    case 58:
        ft->stats[FS_ICMPV6]++;
        break;
    default:
        break;
    }
    return flip ? 1 : 0;
}

/* The first packet each way: its sender's MAC and ICMP type/code. */
static void flow_first_in_dir(struct flow *f, const struct ns_decoded *d, unsigned dir,
                              unsigned cls)
{
    if (d->has_eth) {
        memcpy(dir ? f->srv_mac : f->cli_mac, d->src_mac, sizeof(f->cli_mac));
        f->mac_seen[dir] = true;
    }
    if (cls == FLOW_CLASS_ICMP) {
        f->icmp_type[dir] = d->icmp_type;
        f->icmp_code[dir] = d->icmp_code;
        f->icmp_seen[dir] = true;
    }
    if (cls != FLOW_CLASS_TCP && f->pkts[0] != 0 && f->pkts[1] != 0)
        f->state = FLOW_STATE_ESTABLISHED;
}

struct flow *flow_table_update(struct flow_table *ft, const struct ns_decoded *d,
                               uint64_t ts_us, uint32_t pkt_len)
{
    assert(!ft->in_callback);
    if (unlikely(d->ip_v != 4 && d->ip_v != 6)) {
        ft->stats[FS_NO_FLOW]++;
        return NULL;
    }
    struct flow_tuple t;
    tuple_from(&t, d);
    uint64_t h64 = tuple_hash(ft->hkey, &t);
    uint32_t hash = (uint32_t)(h64 ^ (h64 >> 32));

    /* ends at an empty slot: at most half of them are used */
    int dir = -1;
    uint32_t i;
    for (uint32_t s = hash & ft->mask;; s = (s + 1) & ft->mask) {
        struct flow_slot sl = ft->slot[s];
        if (sl.idx == FLOW_NIL) {
            i = FLOW_NIL;
            break;
        }
        if (sl.hash == hash && (dir = entry_match(&ft->pool[sl.idx], &t)) >= 0) {
            i = sl.idx;
            break;
        }
    }
    if (i != FLOW_NIL && unlikely(entry_timed_out(ft, &ft->pool[i], ts_us))) {
        flow_end_idle(ft, i, ts_us);
        i = FLOW_NIL;
    }
    if (i == FLOW_NIL) {
        i = flow_alloc(ft, ts_us);
        if (unlikely(i == FLOW_NIL)) {
            ft->stats[FS_NO_FLOW]++;
            return NULL;
        }
        dir = (int)flow_init(ft, i, &t, d, hash, ts_us);
    }

    struct flow_entry *e = &ft->pool[i];
    struct flow *f = &e->f;
    unsigned di = (unsigned)dir;
    if (likely(ts_us > f->last_us))
        f->last_us = ts_us;
    bool first = f->pkts[di] == 0;
    f->pkts[di]++;
    f->bytes[di] += pkt_len;
    if (unlikely(first))
        flow_first_in_dir(f, d, di, t.cls);
    if (t.cls == FLOW_CLASS_TCP && likely(d->has_l4))
        flow_tcp_update(e, d, di, ft->stats);

    unsigned li = list_id(t.cls, f->state);
    if (li != e->list || ft->list[li].tail != i) {
        list_unlink(ft, i);
        list_append(ft, i, li);
    }
    return f;
}

static void emerg_check(struct flow_table *ft)
{
    if (ft->emerg && ft->nfree >= ft->emerg_recover) {
        ft->emerg = false;
        ft->stats[FS_EMERG_MODE_OVER]++;
    }
}

void flow_table_expire(struct flow_table *ft, uint64_t now_us)
{
    assert(!ft->in_callback);
    for (unsigned li = 0; li < FLOW_LISTS; li++) {
        uint32_t i;
        while ((i = ft->list[li].head) != FLOW_NIL && entry_timed_out(ft, &ft->pool[i], now_us))
            flow_end_idle(ft, i, now_us);
    }
    emerg_check(ft);
}

void flow_table_flush(struct flow_table *ft)
{
    assert(!ft->in_callback);
    for (unsigned li = 0; li < FLOW_LISTS; li++)
        while (ft->list[li].head != FLOW_NIL)
            flow_end(ft, ft->list[li].head, FLOW_END_SHUTDOWN);
    emerg_check(ft);
}

void flow_table_stats(const struct flow_table *ft, uint64_t out[FS_MAX])
{
    memcpy(out, ft->stats, sizeof(ft->stats));
    out[FS_ACTIVE] = ft->nentries - ft->nfree;
    out[FS_MEMUSE] = ft->memuse;
    out[FS_SPARE] = ft->nfree;
}

void flow_table_memory(const struct flow_table *ft, uint64_t *cap, uint64_t *use)
{
    *cap = ft->memuse;
    *use = (uint64_t)(ft->mask + 1) * sizeof(struct flow_slot) +
           (uint64_t)(ft->nentries - ft->nfree) * sizeof(struct flow_entry);
}

__attribute__((format(printf, 2, 3)))
static void set_err(char *errbuf, const char *fmt, ...)
{
    if (!errbuf)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errbuf, NS_ERRBUF_SIZE, fmt, ap);
    va_end(ap);
}

/* Lookups land anywhere in the pool and the slots: with 4 KiB pages each
 * would also miss the TLB.  Large arrays get 2 MiB alignment and ask for
 * transparent huge pages (a hint: without them all still works). */
static void *flow_alloc_big(uint64_t size)
{
    if (size < FLOW_HUGE_PAGE)
        return aligned_alloc(NS_CACHE_LINE, (size_t)size);
    uint64_t rounded = (size + FLOW_HUGE_PAGE - 1) & ~(FLOW_HUGE_PAGE - 1);
    void *p = aligned_alloc((size_t)FLOW_HUGE_PAGE, (size_t)rounded);
    if (p)
        (void)madvise(p, (size_t)rounded, MADV_HUGEPAGE);
    return p;
}

static uint64_t seed_random(const void *salt)
{
    uint64_t seed;
    if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) == (ssize_t)sizeof(seed))
        return seed;
    /* no entropy yet (early boot): the hash is still fine, only guessable */
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    seed = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    return seed ^ (uint64_t)(uintptr_t)salt ^ ((uint64_t)getpid() << 32);
}

struct flow_table *flow_table_create(const struct flow_config *cfg, flow_end_fn on_end,
                                     void *ctx, char *errbuf)
{
    const uint64_t esz = sizeof(struct flow_entry), bsz = sizeof(struct flow_slot);
    uint64_t memcap = cfg->memcap;
    uint64_t nb = FLOW_MIN_SLOTS;
    while (nb < cfg->hash_size && nb < FLOW_MAX_SLOTS)
        nb <<= 1;
    /* slots take at most half of the cap */
    while (nb > FLOW_MIN_SLOTS && nb * bsz > memcap / 2)
        nb >>= 1;
    if (memcap < nb * bsz + esz) {
        set_err(errbuf,
                "flow table: memcap %llu bytes is too small: %llu bytes of hash slots and at "
                "least one %llu-byte flow needed",
                (unsigned long long)memcap, (unsigned long long)(nb * bsz),
                (unsigned long long)esz);
        return NULL;
    }
    uint64_t n = (memcap - nb * bsz) / esz;
    /* two slots per entry keep probes short: trade entries for slots until
     * that holds */
    while (nb < 2 * n && nb < FLOW_MAX_SLOTS && memcap >= 2 * nb * bsz + esz) {
        nb <<= 1;
        n = (memcap - nb * bsz) / esz;
    }
    if (n > nb / 2)
        n = nb / 2;
    if (n > SIZE_MAX / esz) {
        set_err(errbuf, "flow table: %llu flows do not fit the address space",
                (unsigned long long)n);
        return NULL;
    }

    struct flow_table *ft = calloc(1, sizeof(*ft));
    if (!ft)
        goto err_nomem;
    ft->slot = flow_alloc_big(nb * bsz);
    if (!ft->slot)
        goto err_free_ft;
    ft->pool = flow_alloc_big(n * esz);
    if (!ft->pool)
        goto err_free_slot;

    /* Entries are handed out in pool order (bump) before the free list is
     * used, so the pool's pages are touched only as flows need them: a small
     * capture does not pay for the whole memory cap in time or RSS. */
    for (uint64_t s = 0; s < nb; s++)
        ft->slot[s] = (struct flow_slot){ .hash = 0, .idx = FLOW_NIL };
    ft->nentries = (uint32_t)n;
    ft->mask = (uint32_t)(nb - 1);
    ft->free_head = FLOW_NIL;
    ft->bump = 0;
    ft->nfree = ft->nentries;
    uint32_t pct = cfg->emerg_recovery_pct < 100 ? cfg->emerg_recovery_pct : 100;
    ft->emerg_recover = (uint32_t)(((uint64_t)ft->nentries * pct + 99) / 100);
    ft->on_end = on_end;
    ft->ctx = ctx;
    ft->memuse = n * esz + nb * bsz;
    keys_fill(ft->hkey, seed_random(ft));
    keys_fill(ft->idkey, FLOW_ID_KEY_SEED);
    for (unsigned c = 0; c < FLOW_CLASSES; c++) {
        for (unsigned s = 0; s < FLOW_STATES; s++) {
            ft->timeout_us[0][list_id(c, s)] = cfg->timeout[c][s] * FLOW_US;
            ft->timeout_us[1][list_id(c, s)] = cfg->emerg_timeout[c][s] * FLOW_US;
        }
    }
    for (unsigned li = 0; li < FLOW_LISTS; li++)
        ft->list[li].head = ft->list[li].tail = FLOW_NIL;
    return ft;

err_free_slot:
    free(ft->slot);
err_free_ft:
    free(ft);
err_nomem:
    set_err(errbuf,
            "flow table: cannot allocate %llu flows and %llu hash slots (memcap %llu bytes)",
            (unsigned long long)n, (unsigned long long)nb, (unsigned long long)memcap);
    return NULL;
}

void flow_table_destroy(struct flow_table *ft)
{
    if (!ft)
        return;
    free(ft->pool);
    free(ft->slot);
    free(ft);
}

void flow_config_defaults(struct flow_config *cfg)
{
    /* Suricata's flow-timeouts: seconds new/established/closed.  Only TCP
     * flows close; the others' closed value (Suricata's default 0) is
     * never used. */
    static const uint32_t timeout[4][3] = {
        [FLOW_CLASS_TCP] = { 60, 600, 60 },
        [FLOW_CLASS_UDP] = { 30, 300, 0 },
        [FLOW_CLASS_ICMP] = { 30, 300, 0 },
        [FLOW_CLASS_OTHER] = { 30, 300, 0 },
    };
    static const uint32_t emerg[4][3] = {
        [FLOW_CLASS_TCP] = { 5, 100, 10 },
        [FLOW_CLASS_UDP] = { 10, 100, 0 },
        [FLOW_CLASS_ICMP] = { 10, 100, 0 },
        [FLOW_CLASS_OTHER] = { 10, 100, 0 },
    };
    memset(cfg, 0, sizeof(*cfg));
    cfg->hash_size = 65536;
    cfg->memcap = UINT64_C(128) << 20;
    memcpy(cfg->timeout, timeout, sizeof(timeout));
    memcpy(cfg->emerg_timeout, emerg, sizeof(emerg));
    cfg->emerg_recovery_pct = 30;
}

const char *flow_stat_name(unsigned s)
{
    static const char *const names[] = {
#define FLOW_STAT_NAME(id, name) [FS_##id] = name,
        FLOW_TABLE_STATS(FLOW_STAT_NAME)
#undef FLOW_STAT_NAME
    };
    return s < FS_MAX ? names[s] : "unknown";
}

const char *flow_state_name(enum flow_state s)
{
    switch (s) {
    case FLOW_STATE_NEW:
        return "new";
    case FLOW_STATE_ESTABLISHED:
        return "established";
    case FLOW_STATE_CLOSED:
        return "closed";
    }
    return "unknown";
}

const char *flow_end_reason_name(enum flow_end_reason r)
{
    switch (r) {
    case FLOW_END_TIMEOUT:
        return "timeout";
    case FLOW_END_FORCED:
        return "forced";
    case FLOW_END_SHUTDOWN:
        return "shutdown";
    }
    return "unknown";
}
