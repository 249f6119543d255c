/* LRU cache of per-frame results with a byte budget (tinta/cache.h).
 *
 * A chained hash table on (frame, kind) finds entries; a doubly linked
 * list orders them from most to least recently used.  Both are guarded
 * by one mutex: the operations are short (a copy of one result at most,
 * a few megabytes), and the worker and the UI touch the cache a few
 * times per frame, so one lock is simpler than anything finer and not a
 * bottleneck. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "tinta/cache.h"

typedef struct entry entry;
struct entry {
  long long          frame;
  int                kind;
  unsigned long long gen;
  void              *blob;
  size_t             bytes;
  entry             *next_hash;
  entry             *prev, *next;   /* LRU list: head is the most recent */
};

struct tinta_cache {
  pthread_mutex_t   lock;
  entry           **buckets;
  size_t            n_buckets;      /* a power of two */
  entry            *head, *tail;
  tinta_cache_stats stats;
};

static size_t
slot (const tinta_cache *c, long long frame, int kind)
{
  uint64_t h = (uint64_t) frame * 0x9E3779B97F4A7C15ull ^ (uint64_t) kind * 0xC2B2AE3D27D4EB4Full;
  h ^= h >> 29;
  return (size_t) h & (c->n_buckets - 1);
}

tinta_cache *
tinta_cache_new (size_t budget_bytes)
{
  tinta_cache *c = calloc (1, sizeof *c);
  if (c == NULL)
    return NULL;
  c->n_buckets = 4096;
  c->buckets = calloc (c->n_buckets, sizeof *c->buckets);
  if (c->buckets == NULL || pthread_mutex_init (&c->lock, NULL) != 0)
    {
      free (c->buckets);
      free (c);
      return NULL;
    }
  c->stats.budget = budget_bytes;
  return c;
}

static void
lru_unlink (tinta_cache *c, entry *e)
{
  if (e->prev)
    e->prev->next = e->next;
  else
    c->head = e->next;
  if (e->next)
    e->next->prev = e->prev;
  else
    c->tail = e->prev;
  e->prev = e->next = NULL;
}

static void
lru_push_front (tinta_cache *c, entry *e)
{
  e->prev = NULL;
  e->next = c->head;
  if (c->head)
    c->head->prev = e;
  c->head = e;
  if (c->tail == NULL)
    c->tail = e;
}

static entry *
find (tinta_cache *c, long long frame, int kind, entry ***link)
{
  entry **p = &c->buckets[slot (c, frame, kind)];
  for (; *p; p = &(*p)->next_hash)
    if ((*p)->frame == frame && (*p)->kind == kind)
      break;
  if (link)
    *link = p;
  return *p;
}

/* Unlinks and frees entry e found at *link. */
static void
remove_entry (tinta_cache *c, entry **link, entry *e)
{
  *link = e->next_hash;
  lru_unlink (c, e);
  c->stats.bytes -= e->bytes;
  c->stats.entries--;
  free (e->blob);
  free (e);
}

static void
evict_to (tinta_cache *c, size_t budget)
{
  while (c->stats.bytes > budget && c->tail)
    {
      entry *e = c->tail, **link;
      find (c, e->frame, e->kind, &link);
      remove_entry (c, link, e);
      c->stats.evictions++;
    }
}

void
tinta_cache_free (tinta_cache *c)
{
  if (c == NULL)
    return;
  for (entry *e = c->head, *n; e; e = n)
    {
      n = e->next;
      free (e->blob);
      free (e);
    }
  pthread_mutex_destroy (&c->lock);
  free (c->buckets);
  free (c);
}

int
tinta_cache_put (tinta_cache *c, long long frame, int kind, unsigned long long gen, void *blob,
                 size_t bytes)
{
  if (kind < 0 || kind >= TINTA_RESULT_KINDS || blob == NULL)
    {
      free (blob);
      return TINTA_ERR_INVALID_ARGUMENT;
    }
  entry *fresh = malloc (sizeof *fresh);
  if (fresh == NULL)
    {
      free (blob);
      return TINTA_ERR_NO_MEMORY;
    }
  pthread_mutex_lock (&c->lock);
  if (bytes > c->stats.budget)
    {
      pthread_mutex_unlock (&c->lock);
      free (blob);
      free (fresh);
      return TINTA_ERR_TOO_LARGE;
    }
  entry **link, *old = find (c, frame, kind, &link);
  if (old)
    remove_entry (c, link, old);
  evict_to (c, c->stats.budget - bytes);
  *fresh = (entry) { .frame = frame, .kind = kind, .gen = gen, .blob = blob, .bytes = bytes };
  size_t s = slot (c, frame, kind);
  fresh->next_hash = c->buckets[s];
  c->buckets[s] = fresh;
  lru_push_front (c, fresh);
  c->stats.bytes += bytes;
  c->stats.entries++;
  c->stats.puts++;
  pthread_mutex_unlock (&c->lock);
  return TINTA_OK;
}

int
tinta_cache_get (tinta_cache *c, long long frame, int kind, void *dst, size_t size,
                 unsigned long long *gen)
{
  pthread_mutex_lock (&c->lock);
  entry *e = find (c, frame, kind, NULL);
  int st = TINTA_ERR_NOT_FOUND;
  if (e && e->bytes == size)
    {
      memcpy (dst, e->blob, size);
      if (gen)
        *gen = e->gen;
      lru_unlink (c, e);
      lru_push_front (c, e);
      st = TINTA_OK;
    }
  if (st == TINTA_OK)
    c->stats.hits++;
  else
    c->stats.misses++;
  pthread_mutex_unlock (&c->lock);
  return st;
}

int
tinta_cache_has (tinta_cache *c, long long frame, int kind)
{
  pthread_mutex_lock (&c->lock);
  int has = find (c, frame, kind, NULL) != NULL;
  pthread_mutex_unlock (&c->lock);
  return has;
}

long long
tinta_cache_drop_range (tinta_cache *c, long long first, long long last)
{
  long long dropped = 0;
  pthread_mutex_lock (&c->lock);
  /* Walk the list, not the frames: a range may be far longer than what
   * the cache holds. */
  for (entry *e = c->head, *n; e; e = n)
    {
      n = e->next;
      if (e->frame >= first && e->frame <= last)
        {
          entry **link;
          find (c, e->frame, e->kind, &link);
          remove_entry (c, link, e);
          dropped++;
        }
    }
  pthread_mutex_unlock (&c->lock);
  return dropped;
}

void
tinta_cache_set_budget (tinta_cache *c, size_t budget_bytes)
{
  pthread_mutex_lock (&c->lock);
  c->stats.budget = budget_bytes;
  evict_to (c, budget_bytes);
  pthread_mutex_unlock (&c->lock);
}

void
tinta_cache_get_stats (tinta_cache *c, tinta_cache_stats *out)
{
  pthread_mutex_lock (&c->lock);
  *out = c->stats;
  pthread_mutex_unlock (&c->lock);
}
