/* engine/hs_cache.h: compiled Hyperscan databases kept on disk, so that a
 * start or a reload with rules seen before skips the compile.
 *
 * An entry is named by a 32-byte key, the SHA-256 of the Hyperscan
 * version string followed by whatever the caller feeds (the patterns and
 * their flags): another Hyperscan, or any other pattern, is another file.
 * File: DIR/PREFIX-<key in hex>.hsdb holding "NSPS" magic, format version,
 * the key, then hs_serialize_database's bytes.  Stores write a temporary
 * file and rename it, so a reader (another process too) never sees half a
 * file; a file that is missing, short, of another key or that Hyperscan
 * refuses is a miss.  Nothing here is fatal: a cache that cannot be read
 * or written only costs the compile.
 *
 * A load that hits refreshes the file's modification time, so a file's
 * age is the time since a start last used it; hs_cache_prune removes the
 * entries nothing has used for a while (rule sets change daily: without
 * it the directory grows by a set of databases per update). */
#ifndef HS_CACHE_H
#define HS_CACHE_H

#include <hs/hs.h>

#include "engine/ns_common.h"

#define HS_CACHE_KEY_LEN 32
#define HS_CACHE_DIR_MAX 900         /* a longer directory: no cache */

struct hs_cache_hash;

/* A key in the making (already holding the Hyperscan version); NULL when
 * out of memory.  add then end (which frees it, also on failure). */
struct hs_cache_hash *hs_cache_hash_begin(void);
void hs_cache_hash_add(struct hs_cache_hash *h, const void *p, size_t n);
bool hs_cache_hash_end(struct hs_cache_hash *h, uint8_t key[HS_CACHE_KEY_LEN]);

/* The database stored under key, or NULL; then *refused (may be NULL)
 * says whether the entry records that Hyperscan refused the patterns. */
hs_database_t *hs_cache_load(const char *dir, const char *prefix,
                             const uint8_t key[HS_CACHE_KEY_LEN], bool *refused);
/* Stores db under key (best effort); db NULL: records that Hyperscan
 * refused the patterns (an entry with no database). */
void hs_cache_store(const char *dir, const char *prefix, const uint8_t key[HS_CACHE_KEY_LEN],
                    const hs_database_t *db);

/* Removes DIR's cache entries (NAME-<64 hex>.hsdb, and temporary files
 * left by a crash) not used for max_age seconds; returns how many.  Best
 * effort: errors only leave files behind. */
unsigned hs_cache_prune(const char *dir, uint64_t max_age);

#endif
