/* A byte-budgeted LRU cache of per-frame results, shared between the
 * worker thread that fills it and the threads that read it.
 *
 *   tinta_cache *c = tinta_cache_new (512 << 20);
 *   tinta_cache_put (c, frame, TINTA_RESULT_FUSED, gen, blob, bytes);  // takes blob
 *   if (tinta_cache_get (c, frame, TINTA_RESULT_FUSED, dst, bytes) == TINTA_OK) ...
 *   tinta_cache_drop_range (c, first, last);     // invalidation
 *   tinta_cache_free (c);
 *
 * Entries are keyed by (frame, kind) and carry the generation of the
 * keyframe set they were computed from; a put replaces an older entry.
 * When the bytes held exceed the budget, the least recently used entries
 * go (a get counts as a use).  Blobs are malloc'ed by the caller and
 * freed by the cache.  Every function is thread-safe (one mutex). */
#pragma once

#include <stddef.h>
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  TINTA_RESULT_FUSED  = 0,  /* the final chroma */
  TINTA_RESULT_LOCAL  = 1,  /* the local propagation alone (both ways blended) */
  TINTA_RESULT_GLOBAL = 2,  /* the global match (chroma + similarity) */
  TINTA_RESULT_FWD    = 3,  /* internal: state of the forward chain at a frame */
  TINTA_RESULT_BWD    = 4,  /* internal: state of the backward chain at a frame */
  TINTA_RESULT_MATCH  = 5,  /* internal: the global match as the fusion takes it (both chains) */
  TINTA_RESULT_KINDS
} tinta_result_kind;

typedef struct tinta_cache tinta_cache;

typedef struct {
  size_t    bytes, budget, entries;
  long long hits, misses, evictions, puts;
} tinta_cache_stats;

tinta_cache *tinta_cache_new (size_t budget_bytes);   /* NULL: out of memory */
void tinta_cache_free (tinta_cache *c);                /* accepts NULL */

/* Stores blob (ownership passes to the cache, even on failure); an entry
 * larger than the whole budget is refused (TINTA_ERR_TOO_LARGE). */
int  tinta_cache_put (tinta_cache *c, long long frame, int kind, unsigned long long gen,
                      void *blob, size_t bytes);
/* Copies the entry into dst (size bytes: must be the entry's size):
 * TINTA_OK, or TINTA_ERR_NOT_FOUND.  gen (may be NULL) receives its
 * generation. */
int  tinta_cache_get (tinta_cache *c, long long frame, int kind, void *dst, size_t size,
                      unsigned long long *gen);
/* Whether an entry is there (no copy, does not count as a use). */
int  tinta_cache_has (tinta_cache *c, long long frame, int kind);
/* Drops every kind of every frame in [first, last]; returns how many
 * entries went. */
long long tinta_cache_drop_range (tinta_cache *c, long long first, long long last);
void tinta_cache_set_budget (tinta_cache *c, size_t budget_bytes);
void tinta_cache_get_stats (tinta_cache *c, tinta_cache_stats *out);

#ifdef __cplusplus
}
#endif
