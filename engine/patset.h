/* engine/patset.h: a set of literal patterns compiled into one Hyperscan
 * block-mode database, scanned by many threads, each with its own scratch.
 *
 * The detection engine keeps one set per buffer kind (packet payload,
 * http.uri, dns.query, ...): each rule's fast pattern goes into the set of
 * its buffer, and a hit only nominates the rule for full verification.
 * Identical patterns (same bytes, same case rule) are stored once and carry
 * the list of rule ids that share them, so a pattern common to a thousand
 * rules is one Hyperscan literal.
 *
 * Life cycle: create, add, compile (or load from the on-disk cache), then
 * read-only: scans from any number of threads at once, each with a scratch
 * that patset_scratch_grow sized for every set it scans.  Nothing is
 * allocated while scanning. */
#ifndef PATSET_H
#define PATSET_H

#include <hs/hs.h>

#include "engine/ns_common.h"

struct patset;

struct patset *patset_create(void);
void patset_destroy(struct patset *ps);                 /* NULL ok */

/* Pattern pat (len >= 1 bytes) nominates rule id.  NS_OK or NS_ERR_NOMEM. */
int patset_add(struct patset *ps, uint32_t id, const uint8_t *pat, size_t len, bool nocase);

size_t patset_patterns(const struct patset *ps);        /* distinct patterns */
size_t patset_ids(const struct patset *ps);             /* rule ids added */

/* Compiles the set (an empty set compiles to nothing and scans find
 * nothing).  With cache_dir, the compiled database is first looked up in
 * cache_dir under a name made of the SHA-256 of the Hyperscan version and
 * every pattern, and stored there after a compile (written to a temporary
 * file and renamed, so a reader never sees half a file; a cache that cannot
 * be read or written only costs the compile).  *from_cache says which
 * happened.  NS_OK, or an error with the reason in errbuf. */
int patset_compile(struct patset *ps, const char *cache_dir, bool *from_cache, char *errbuf);

/* Bytes of the compiled database (0 before compile or when empty). */
size_t patset_db_size(const struct patset *ps);

/* Makes *scratch (NULL: a new one) large enough for ps.  NS_OK or error. */
int patset_scratch_grow(const struct patset *ps, hs_scratch_t **scratch, char *errbuf);

/* Called once per (distinct pattern found, rule id of that pattern). */
typedef void (*patset_hit_fn)(void *ctx, uint32_t id);

/* Every distinct pattern found in buf is reported once, with each of its
 * rule ids.  Returns NS_OK, or NS_ERR_IO if Hyperscan failed (counted by
 * the caller; the buffer is then treated as having no hits). */
int patset_scan(const struct patset *ps, const uint8_t *buf, size_t len, hs_scratch_t *scratch,
                patset_hit_fn fn, void *ctx);

#endif
