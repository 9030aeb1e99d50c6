/* engine/pcre_hs.h: the rules' pcre expressions on Hyperscan.
 *
 * Each pcre of a rule set gets its own block-mode Hyperscan database when
 * Hyperscan can compile it: exactly (about 92 % of ET Open's), else as a
 * prefilter (HS_FLAG_PREFILTER: it reports a superset of the matches),
 * else not at all.  rule_match.c asks it first for a pcre item (when the
 * search starts at the item's start, which is every time but the retries
 * of a pcre that a relative item follows):
 *  - no Hyperscan match: the item does not match (a negated one does), and
 *    PCRE2 is not run;
 *  - an exact database matched and no later item needs the match's
 *    offsets: the item matches (a negated one does not), PCRE2 not run;
 *  - otherwise (prefilter database, offsets needed, no database) PCRE2
 *    decides, as before.
 * Hyperscan takes the expression flags i, m, s (and G, which does not
 * change whether there is a match); an expression with other flags (x, A,
 * E, ...) stays with PCRE2 alone.
 *
 * Compiling every expression of ET Open takes about 25 s on one core, so
 * the databases are cached on disk (engine/hs_cache.h, one file per
 * expression, keyed by the Hyperscan version, the flags and the
 * expression: a changed rule recompiles only itself).  pcre_hs_create
 * loads the cached ones; the others are compiled according to mode:
 *  - PCRE_HS_SYNC: at once, before it returns (and stored in the cache);
 *  - PCRE_HS_BACKGROUND: by a background thread that stores them in the
 *    cache for the next start or reload, while this run verifies them with
 *    PCRE2 alone (same result, slower).  What a run uses is fixed when it
 *    loads, so results never depend on timing.  Without a cache directory
 *    nothing is compiled in the background;
 *  - PCRE_HS_OFF: nothing is loaded or compiled: PCRE2 alone.
 * The structure is read-only after pcre_hs_create (the background thread
 * only writes files), so any number of threads may use it, each with its
 * own scratch (pcre_hs_scratch_grow). */
#ifndef PCRE_HS_H
#define PCRE_HS_H

#include <hs/hs.h>

#include "engine/rules.h"

enum pcre_hs_mode { PCRE_HS_OFF = 0, PCRE_HS_BACKGROUND, PCRE_HS_SYNC };

struct pcre_hs_info {
    uint32_t total;              /* pcre items in the set */
    uint32_t exact;              /* in use: exact databases */
    uint32_t prefilter;          /* in use: prefilter databases */
    uint32_t unsupported;        /* Hyperscan refuses them (or their flags): PCRE2 */
    uint32_t pending;            /* not in the cache yet: PCRE2 in this run */
    uint32_t from_cache;         /* of exact + prefilter */
    size_t db_bytes;             /* databases in use */
};

struct pcre_hs;

/* Never fails for want of Hyperscan: an expression it cannot take is
 * PCRE2's.  NULL only when out of memory (errbuf says so). */
struct pcre_hs *pcre_hs_create(const struct rule_set *rs, const char *cache_dir,
                               enum pcre_hs_mode mode, char *errbuf);
/* Frees everything and tells the background compile to stop; it does not
 * wait for it (the thread finishes the expression in hand on its own
 * copy, then exits).  NULL ok.  Call before destroying the rule set. */
void pcre_hs_destroy(struct pcre_hs *ph);

void pcre_hs_get_info(const struct pcre_hs *ph, struct pcre_hs_info *out);
/* Waits until the background compile has finished (tests). */
void pcre_hs_wait(struct pcre_hs *ph);

/* Makes *scratch (NULL: a new one) large enough for every database. */
int pcre_hs_scratch_grow(const struct pcre_hs *ph, hs_scratch_t **scratch, char *errbuf);

/* Pcre item id (struct rule_pcre.id) on subject p[0, n): 0 no match, 1 a
 * match that settles the item, -1 ask PCRE2 (maybe a match, or no
 * database).  ph NULL: -1.  scratch must have been grown for ph and not
 * be in use by another scan. */
int pcre_hs_match(const struct pcre_hs *ph, hs_scratch_t *scratch, uint32_t id,
                  const uint8_t *p, size_t n);

#endif
