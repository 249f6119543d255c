/* The background worker (tinta/worker.h): one thread, one decoder, one
 * fused propagator, a cache of results and chain states.
 *
 * Locking.  `lock` guards the keyframe set, the generations, the
 * playhead, the cuts, the flags and the statistics.  The worker thread
 * takes it to pick a job (and snapshot the keyframes), to store each
 * result (checking its frame was not invalidated since the snapshot) and
 * to announce it; it runs the networks without it.  Edits take it to
 * change the keyframes, bump generations and drop cached results, so an
 * edit and a store never interleave: that is the whole staleness
 * argument.  The cache has its own lock (tinta/cache.h), always taken
 * inside `lock` or alone, never the other way round.  `cancel` and
 * `repick` are atomics the networks poll without the lock.
 *
 * Generations.  `gen` counts edits.  dep[k] is the generation of the last
 * edit that invalidated frame k.  A job snapshots gen as G; whatever it
 * computed for frame k is current iff dep[k] <= G. */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/internal.h"
#include "dvp/fused_internal.h"
#include "dvp/resample.h"
#include "shot/blend.h"
#include "tinta/color.h"
#include "tinta/colorize.h"
#include "tinta/cuts.h"
#include "tinta/upsample.h"
#include "tinta/worker.h"

#define AB_Q       128.0f     /* results: chroma in 1/128 Lab units, int16 */
#define BLOCK      16         /* backward chains decode this many frames at once */
#define DEFAULT_CACHE ((size_t) 1 << 30)

typedef struct {
  long long    frame;
  unsigned long long id;      /* unique per set_keyframe call */
  int          refs;          /* under the worker's lock */
  int          partial;
  tinta_frame *full;          /* the user's colors, clip size (a, b) */
  float       *alpha_full;    /* partial: clip size */
  /* worker thread only, made on first use (needs the clip's L): */
  int          prepared;
  tinta_frame *work;          /* working size: clip L, user a, b */
  float       *ha, *hb, *halpha;   /* half size (partial keys' overlay) */
} wkey;

struct tinta_worker {
  pthread_t        thread;
  int              started;
  pthread_mutex_t  lock;
  pthread_cond_t   wake, idle_cond;
  tinta_media     *media;
  tinta_media_info info;
  int              W, H, w, h, hw, hh;
  long long        n;
  tinta_fused     *fused;
  tinta_cache     *cache;
  tinta_worker_fn  fn;
  void            *user;
  int              detect_cuts;
  long long        ahead, behind;
  size_t           frame_bytes;   /* what one frame's results and states take */
  /* under lock */
  wkey           **keys;          /* sorted by frame */
  int              n_keys;
  unsigned long long gen, next_id;
  unsigned long long *dep;        /* per frame */
  unsigned long long *failed;     /* per frame: generation + 1 of its last failure */
  long long        playhead;
  long long       *cuts;
  int              n_cuts, cuts_done;
  int              quit, idle, idle_announced;
  long long        job_frame, job_lo, job_hi;   /* running job (-1: none), its range */
  int              job_keyless;
  double           cancel_t;
  tinta_worker_stats stats;
  atomic_int       cancel, repick;
  /* worker thread only */
  tinta_frame     *dec;                 /* clip-size decode */
  float           *wL, *blockL;         /* working L; BLOCK of them */
  float           *sa, *sb;             /* state scratch (half) */
  float           *fa, *fb, *fc, *la, *lb, *ba, *bb, *bc, *bla, *blb;  /* working */
  float           *ga, *gb, *gc;        /* working: global */
  float           *oa, *ob;             /* working: a chain step's output (unused) */
  unsigned long long gkeys_sig[TINTA_WORKER_MAX_KEYS + 1];   /* key ids */
  int              gkeys_n;
};

/* ---- small helpers ----------------------------------------------------- */

static void
key_unref (wkey *k)
{
  /* under the worker's lock */
  if (k == NULL || --k->refs > 0)
    return;
  tinta_frame_free (k->full);
  tinta_frame_free (k->work);
  free (k->alpha_full);
  tinta_free_aligned (k->ha);
  tinta_free_aligned (k->hb);
  tinta_free_aligned (k->halpha);
  free (k);
}

void
tinta_worker_params_init (tinta_worker_params *p)
{
  memset (p, 0, sizeof *p);
  p->working_height = TINTA_WORKING_HEIGHT;
  p->detect_cuts = 1;
}

const tinta_media_info *
tinta_worker_info (const tinta_worker *w)
{
  return &w->info;
}

void
tinta_worker_working_size (const tinta_worker *w, int *width, int *height)
{
  *width = w->w;
  *height = w->h;
}

static int
abort_poll (void *user)
{
  tinta_worker *w = user;
  return atomic_load (&w->cancel) != 0;
}

static void
emit (tinta_worker *w, tinta_worker_event_type type, long long frame, unsigned long long gen,
      const tinta_error *err)
{
  /* under lock */
  if (w->fn)
    {
      tinta_worker_event ev = { type, frame, gen, err };
      w->fn (&ev, w->user);
    }
}

/* The shot of frame k, [*s0, *s1): under lock, or in the worker thread
 * after the cut pass (cuts do not change afterwards). */
static void
shot_of (const tinta_worker *w, long long k, long long *s0, long long *s1)
{
  *s0 = 0;
  *s1 = w->n;
  for (int i = 0; i < w->n_cuts; i++)
    if (w->cuts[i] <= k)
      *s0 = w->cuts[i];
    else
      {
        *s1 = w->cuts[i];
        break;
      }
}

/* The full keyframes around k in its shot among keys[0..n): *p the last
 * at or before k, *nx the first at or after (indices, -1: none). */
static void
full_keys_around (wkey *const *keys, int n, long long k, long long s0, long long s1, int *p,
                  int *nx)
{
  *p = *nx = -1;
  for (int i = 0; i < n; i++)
    {
      if (keys[i]->partial)
        continue;
      long long f = keys[i]->frame;
      if (f >= s0 && f <= k)
        *p = i;
      if (f >= k && f < s1 && *nx < 0)
        *nx = i;
    }
}

static int
any_full_key (wkey *const *keys, int n)
{
  for (int i = 0; i < n; i++)
    if (!keys[i]->partial)
      return 1;
  return 0;
}

/* ---- invalidation (under lock) ----------------------------------------- */

/* Marks [lo, hi] invalid at the current generation, drops its results,
 * cancels the running job if it reads any of it. */
static void
invalidate (tinta_worker *w, long long lo, long long hi)
{
  if (lo < 0)
    lo = 0;
  if (hi > w->n - 1)
    hi = w->n - 1;
  if (lo > hi)
    return;
  for (long long k = lo; k <= hi; k++)
    {
      w->dep[k] = w->gen;
      w->failed[k] = 0;
    }
  w->stats.invalidated += hi - lo + 1;
  tinta_cache_drop_range (w->cache, lo, hi);
  if (w->job_frame >= 0 && (w->job_keyless || (w->job_lo <= hi && lo <= w->job_hi))
      && !atomic_load (&w->cancel))
    {
      w->cancel_t = tinta_now ();
      atomic_store (&w->cancel, 1);
    }
}

/* What an edit of the keyframe at `frame` invalidates: the frames
 * strictly between the full keyframes around it (tinta/worker.h), plus
 * every shot without a full keyframe (they match against all keys).
 * Called with the key set as it is before and again after the edit, so
 * both the old and the new dependencies go. */
static void
invalidate_around (tinta_worker *w, long long frame)
{
  long long s0, s1;
  shot_of (w, frame, &s0, &s1);
  long long lo = s0, hi = s1 - 1;
  for (int i = 0; i < w->n_keys; i++)
    {
      wkey *k = w->keys[i];
      if (k->partial || k->frame < s0 || k->frame >= s1 || k->frame == frame)
        continue;
      if (k->frame < frame && k->frame + 1 > lo)
        lo = k->frame + 1;
      if (k->frame > frame && k->frame - 1 < hi)
        hi = k->frame - 1;
    }
  invalidate (w, lo, hi);
  /* shots without a full keyframe */
  long long a = 0;
  for (int c = 0; c <= w->n_cuts; c++)
    {
      long long b = c < w->n_cuts ? w->cuts[c] : w->n;
      int has = 0;
      for (int i = 0; i < w->n_keys && !has; i++)
        has = !w->keys[i]->partial && w->keys[i]->frame >= a && w->keys[i]->frame < b;
      if (!has)
        invalidate (w, a, b - 1);
      a = b;
    }
}

/* Index of the keyframe at `frame` (-1: none); under lock. */
static int
key_index (const tinta_worker *w, long long frame)
{
  for (int i = 0; i < w->n_keys; i++)
    if (w->keys[i]->frame == frame)
      return i;
  return -1;
}

/* After an edit: the new dependencies go too, the worker wakes; unlocks. */
static void
edit_done (tinta_worker *w, long long frame)
{
  invalidate_around (w, frame);
  w->idle = 0;
  w->stats.generation = w->gen;
  pthread_cond_signal (&w->wake);
  pthread_mutex_unlock (&w->lock);
}

int
tinta_worker_set_keyframe (tinta_worker *w, long long frame, const tinta_frame *colors,
                           const float *alpha, tinta_error *err)
{
  if (frame < 0 || frame >= w->n)
    return tinta_fail (err, TINTA_ERR_OUT_OF_RANGE, "",
                       "keyframe at frame %lld: the clip's frames are 0 to %lld", frame,
                       w->n - 1);
  if (colors == NULL || colors->width != w->W || colors->height != w->H || !colors->a
      || !colors->b)
    return tinta_fail (err, TINTA_ERR_SIZE_MISMATCH, "",
                       "the keyframe for frame %lld must be %dx%d like the clip", frame, w->W,
                       w->H);
  size_t np = (size_t) w->W * w->H;
  wkey *k = calloc (1, sizeof *k);
  if (k == NULL)
    return tinta_fail (err, TINTA_ERR_NO_MEMORY, "", "out of memory");
  k->frame = frame;
  k->refs = 1;
  k->partial = alpha != NULL;
  k->full = tinta_frame_new (w->W, w->H, TINTA_FRAME_LAB);
  if (alpha)
    k->alpha_full = malloc (np * sizeof (float));
  if (k->full == NULL || (alpha && k->alpha_full == NULL))
    {
      k->refs = 1;
      tinta_frame_free (k->full);
      free (k->alpha_full);
      free (k);
      return tinta_fail (err, TINTA_ERR_NO_MEMORY, "", "out of memory for a keyframe");
    }
  memcpy (k->full->a, colors->a, np * sizeof (float));
  memcpy (k->full->b, colors->b, np * sizeof (float));
  k->full->has_color = 1;
  if (alpha)
    for (size_t i = 0; i < np; i++)
      {
        float v = alpha[i];
        k->alpha_full[i] = v > 0.0f ? (v < 1.0f ? v : 1.0f) : 0.0f;   /* NaN -> 0 */
      }

  pthread_mutex_lock (&w->lock);
  int at = key_index (w, frame);
  if (at < 0 && w->n_keys >= TINTA_WORKER_MAX_KEYS)
    {
      key_unref (k);
      pthread_mutex_unlock (&w->lock);
      return tinta_fail (err, TINTA_ERR_OUT_OF_RANGE, "", "at most %d keyframes",
                         TINTA_WORKER_MAX_KEYS);
    }
  k->id = ++w->next_id;
  w->gen++;
  invalidate_around (w, frame);          /* the dependencies before ... */
  if (at >= 0)
    {
      key_unref (w->keys[at]);
      w->keys[at] = k;
    }
  else
    {
      int i = w->n_keys++;
      while (i > 0 && w->keys[i - 1]->frame > frame)
        {
          w->keys[i] = w->keys[i - 1];
          i--;
        }
      w->keys[i] = k;
    }
  edit_done (w, frame);                  /* ... and after the edit */
  return TINTA_OK;
}

int
tinta_worker_remove_keyframe (tinta_worker *w, long long frame, tinta_error *err)
{
  pthread_mutex_lock (&w->lock);
  int at = key_index (w, frame);
  if (at < 0)
    {
      pthread_mutex_unlock (&w->lock);
      return tinta_fail (err, TINTA_ERR_NOT_FOUND, "", "no keyframe at frame %lld", frame);
    }
  w->gen++;
  invalidate_around (w, frame);
  key_unref (w->keys[at]);
  memmove (w->keys + at, w->keys + at + 1, (size_t) (w->n_keys - at - 1) * sizeof *w->keys);
  w->n_keys--;
  edit_done (w, frame);
  return TINTA_OK;
}

void
tinta_worker_set_playhead (tinta_worker *w, long long frame)
{
  pthread_mutex_lock (&w->lock);
  if (frame < 0)
    frame = 0;
  if (frame > w->n - 1)
    frame = w->n - 1;
  if (frame != w->playhead)
    {
      w->playhead = frame;
      w->idle = 0;
      atomic_store (&w->repick, 1);
      pthread_cond_signal (&w->wake);
    }
  pthread_mutex_unlock (&w->lock);
}

int
tinta_worker_cuts (tinta_worker *w, long long *frames, int cap)
{
  pthread_mutex_lock (&w->lock);
  int n = w->cuts_done ? w->n_cuts : 0;
  for (int i = 0; i < n && i < cap; i++)
    frames[i] = w->cuts[i];
  pthread_mutex_unlock (&w->lock);
  return n;
}

void
tinta_worker_get_stats (tinta_worker *w, tinta_worker_stats *out)
{
  pthread_mutex_lock (&w->lock);
  *out = w->stats;
  pthread_mutex_unlock (&w->lock);
  tinta_cache_get_stats (w->cache, &out->cache);
}

int
tinta_worker_wait_idle (tinta_worker *w, double timeout_s)
{
  struct timespec until;
  clock_gettime (CLOCK_REALTIME, &until);
  double whole = floor (timeout_s);
  until.tv_sec += (time_t) whole;
  until.tv_nsec += (long) ((timeout_s - whole) * 1e9);
  if (until.tv_nsec >= 1000000000L)
    {
      until.tv_sec++;
      until.tv_nsec -= 1000000000L;
    }
  pthread_mutex_lock (&w->lock);
  int r = 0;
  while (!w->idle && !w->quit)
    if ((r = pthread_cond_timedwait (&w->idle_cond, &w->lock, &until)) != 0)
      break;
  int idle = w->idle;
  pthread_mutex_unlock (&w->lock);
  return idle;
}

/* ---- results ------------------------------------------------------------ */

/* Result blobs: a, b as int16 (1/AB_Q), then conf as uint8. */
static size_t
result_bytes (const tinta_worker *w)
{
  size_t nw = (size_t) w->w * w->h;
  return nw * 5;
}

static void *
pack (const tinta_worker *w, const float *a, const float *b, const float *conf)
{
  size_t nw = (size_t) w->w * w->h;
  uint8_t *blob = malloc (result_bytes (w));
  if (blob == NULL)
    return NULL;
  int16_t *qa = (int16_t *) blob, *qb = qa + nw;
  uint8_t *qc = (uint8_t *) (qb + nw);
  for (size_t i = 0; i < nw; i++)
    {
      float va = a[i] < -255.0f ? -255.0f : (a[i] > 255.0f ? 255.0f : a[i]);
      float vb = b[i] < -255.0f ? -255.0f : (b[i] > 255.0f ? 255.0f : b[i]);
      float vc = conf ? (conf[i] < 0.0f ? 0.0f : (conf[i] > 1.0f ? 1.0f : conf[i])) : 1.0f;
      qa[i] = (int16_t) lroundf (va * AB_Q);
      qb[i] = (int16_t) lroundf (vb * AB_Q);
      qc[i] = (uint8_t) lroundf (vc * 255.0f);
    }
  return blob;
}

int
tinta_worker_result (tinta_worker *w, long long frame, int kind, float *a, float *b,
                     float *conf)
{
  if (kind != TINTA_RESULT_FUSED && kind != TINTA_RESULT_LOCAL && kind != TINTA_RESULT_GLOBAL)
    return TINTA_ERR_INVALID_ARGUMENT;
  size_t nw = (size_t) w->w * w->h, bytes = result_bytes (w);
  uint8_t *blob = malloc (bytes);
  if (blob == NULL)
    return TINTA_ERR_NO_MEMORY;
  int st = tinta_cache_get (w->cache, frame, kind, blob, bytes, NULL);
  if (st == TINTA_OK)
    {
      const int16_t *qa = (const int16_t *) blob, *qb = qa + nw;
      const uint8_t *qc = (const uint8_t *) (qb + nw);
      for (size_t i = 0; i < nw; i++)
        {
          a[i] = (float) qa[i] / AB_Q;
          b[i] = (float) qb[i] / AB_Q;
          if (conf)
            conf[i] = (float) qc[i] / 255.0f;
        }
    }
  free (blob);
  return st;
}

int
tinta_worker_has (tinta_worker *w, long long frame, int kind)
{
  return tinta_cache_has (w->cache, frame, kind);
}

int
tinta_worker_result_full (tinta_worker *w, long long frame, tinta_frame *out, tinta_error *err)
{
  if (out == NULL || out->width != w->W || out->height != w->H || !out->L || !out->a || !out->b)
    return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, "",
                       "the output frame must be %dx%d with L, a and b", w->W, w->H);
  size_t nw = (size_t) w->w * w->h, np = (size_t) w->W * w->H;
  /* At a full keyframe, the user's colors at the clip's size (the cached
   * result holds them at the working size only). */
  pthread_mutex_lock (&w->lock);
  const wkey *key = NULL;
  for (int i = 0; i < w->n_keys; i++)
    if (w->keys[i]->frame == frame && !w->keys[i]->partial)
      key = w->keys[i];
  if (key)
    {
      memcpy (out->a, key->full->a, np * sizeof (float));
      memcpy (out->b, key->full->b, np * sizeof (float));
    }
  pthread_mutex_unlock (&w->lock);
  if (key)
    {
      if (out->rgb)
        tinta_lab_to_srgb8 (out->L, out->a, out->b, np, out->rgb);
      out->has_color = 1;
      return TINTA_OK;
    }
  float *a = malloc (nw * sizeof (float)), *b = malloc (nw * sizeof (float));
  int st = a && b ? TINTA_OK : tinta_fail (err, TINTA_ERR_NO_MEMORY, "", "out of memory");
  if (st == TINTA_OK && tinta_worker_result (w, frame, TINTA_RESULT_FUSED, a, b, NULL) != TINTA_OK)
    st = tinta_fail (err, TINTA_ERR_NOT_FOUND, "", "frame %lld is not computed yet", frame);
  if (st == TINTA_OK)
    {
      if (w->w == w->W && w->h == w->H)
        {
          memcpy (out->a, a, np * sizeof (float));
          memcpy (out->b, b, np * sizeof (float));
        }
      else
        st = tinta_upsample_ab (out->L, w->W, w->H, a, b, w->w, w->h, out->a, out->b, NULL, err);
    }
  if (st == TINTA_OK && out->rgb)
    tinta_lab_to_srgb8 (out->L, out->a, out->b, np, out->rgb);
  if (st == TINTA_OK)
    out->has_color = 1;
  free (a);
  free (b);
  return st;
}

/* ---- the worker thread ---------------------------------------------------- */

/* Chain state blobs (TINTA_RESULT_FWD / _BWD), half size, floats:
 * since_key (as a double), state a, b, local a, b, local conf. */
static size_t
state_bytes (const tinta_worker *w)
{
  return sizeof (double) + (size_t) w->hw * w->hh * 5 * sizeof (float);
}

/* Stores blob for frame k if k is still current for generation G. */
static void
put_checked (tinta_worker *w, long long k, int kind, unsigned long long G, void *blob,
             size_t bytes)
{
  if (blob == NULL)
    return;
  pthread_mutex_lock (&w->lock);
  if (w->dep[k] <= G)
    tinta_cache_put (w->cache, k, kind, G, blob, bytes);
  else
    free (blob);
  pthread_mutex_unlock (&w->lock);
}

static int
read_working (tinta_worker *w, long long k, float *wL, tinta_error *err)
{
  int st = tinta_media_read (w->media, k, w->dec, err);
  if (st != TINTA_OK)
    return st;
  /* copies when the clip is no larger than the working size */
  return tinta_downsample_area (w->dec->L, w->W, w->H, wL, w->w, w->h, err);
}

static int
prepare_key (tinta_worker *w, wkey *k, tinta_error *err)
{
  if (k->prepared)
    return TINTA_OK;
  size_t nw = (size_t) w->w * w->h, hn = (size_t) w->hw * w->hh;
  k->work = tinta_frame_new (w->w, w->h, TINTA_FRAME_LAB);
  k->ha = tinta_alloc_aligned (hn, sizeof (float));
  k->hb = tinta_alloc_aligned (hn, sizeof (float));
  k->halpha = tinta_alloc_aligned (hn, sizeof (float));
  float *scratch = tinta_alloc_aligned (nw, sizeof (float));
  int st = k->work && k->ha && k->hb && k->halpha && scratch
             ? TINTA_OK
             : tinta_fail (err, TINTA_ERR_NO_MEMORY, "", "out of memory for a keyframe");
  if (st == TINTA_OK)
    st = read_working (w, k->frame, k->work->L, err);
  if (st == TINTA_OK)
    st = tinta_downsample_area (k->full->a, w->W, w->H, k->work->a, w->w, w->h, err);
  if (st == TINTA_OK)
    st = tinta_downsample_area (k->full->b, w->W, w->H, k->work->b, w->w, w->h, err);
  if (st == TINTA_OK)
    {
      k->work->has_color = 1;
      tinta_half_res (k->work->a, w->w, w->h, k->ha);
      tinta_half_res (k->work->b, w->w, w->h, k->hb);
      if (k->partial)
        {
          st = tinta_downsample_area (k->alpha_full, w->W, w->H, scratch, w->w, w->h, err);
          if (st == TINTA_OK)
            tinta_half_res (scratch, w->w, w->h, k->halpha);
        }
    }
  tinta_free_aligned (scratch);
  if (st == TINTA_OK)
    k->prepared = 1;
  return st;
}

/* The global match's keyframes for the fused propagator, if they changed
 * (each set computes the keys' features). */
static int
set_global_keys (tinta_worker *w, wkey **gk, int n, tinta_error *err)
{
  int same = n == w->gkeys_n;
  for (int i = 0; same && i < n; i++)
    same = w->gkeys_sig[i] == gk[i]->id;
  if (same)
    return TINTA_OK;
  const tinta_frame *work[TINTA_WORKER_MAX_KEYS];
  for (int i = 0; i < n; i++)
    {
      int st = prepare_key (w, gk[i], err);
      if (st != TINTA_OK)
        return st;
      work[i] = gk[i]->work;
    }
  /* at most TINTA_GLOBAL_MAX_KEYS: the nearest ones come first in gk */
  int m = n < TINTA_GLOBAL_MAX_KEYS ? n : TINTA_GLOBAL_MAX_KEYS;
  int st = tinta_global_set_keyframes (tinta_fused_global (w->fused), work, m, err);
  if (st == TINTA_OK)
    {
      for (int i = 0; i < n; i++)
        w->gkeys_sig[i] = gk[i]->id;
      w->gkeys_n = n;
    }
  else
    w->gkeys_n = -1;
  return st;
}

typedef struct {
  wkey             **keys;
  int                n;
  unsigned long long G;
  long long          k, s0, s1;
  int                p, nx;   /* full keys around k (indices in keys) */
} job;

static wkey *
partial_at (const job *j, long long t)
{
  for (int i = 0; i < j->n; i++)
    if (j->keys[i]->partial && j->keys[i]->frame == t)
      return j->keys[i];
  return NULL;
}

/* A partial keyframe's colors over the chain's state (half size). */
static void
overlay (tinta_worker *w, const wkey *pk, float *a, float *b)
{
  tinta_overlay_partial (pk->halpha, pk->ha, pk->hb, a, b, (size_t) w->hw * w->hh);
}

static int
stop_now (tinta_worker *w)
{
  return atomic_load (&w->cancel) || atomic_load (&w->repick);
}

/* One chain step onto frame t (working L in wL) in direction dir (+1
 * forward, -1 backward): the step, the partial keyframe's overlay, the
 * state and the global match into the cache. */
static int
chain_step (tinta_worker *w, const job *j, long long t, int dir, const float *wL, tinta_error *err)
{
  size_t hn = (size_t) w->hw * w->hh;
  /* The frame's global match depends on its segment's keys alone, so the
   * chain of the other direction made the same one: reuse it if cached
   * (TINTA_RESULT_MATCH; invalidated with the frame's other results), and
   * match again if the displayable GLOBAL result was evicted meanwhile. */
  size_t mbytes = TINTA_FUSED_GLOBAL_PLANES * hn * sizeof (float);
  float *match = malloc (mbytes);
  if (match == NULL)
    return tinta_fail (err, TINTA_ERR_NO_MEMORY, "", "out of memory");
  int memo = tinta_cache_has (w->cache, t, TINTA_RESULT_GLOBAL)
             && tinta_cache_get (w->cache, t, TINTA_RESULT_MATCH, match, mbytes, NULL) == TINTA_OK;
  tinta_fused_parts parts = { 0 };
  if (memo)
    tinta_fused_use_global (w->fused, match);
  else
    parts = (tinta_fused_parts) { .global_a = w->ga, .global_b = w->gb, .global_conf = w->gc };
  int st = tinta_fused_next (w->fused, wL, w->oa, w->ob, &parts, err);
  if (st != TINTA_OK)
    {
      free (match);
      return st;
    }
  if (memo)
    {
      free (match);
      match = NULL;
    }
  else
    tinta_fused_get_global (w->fused, match);
  pthread_mutex_lock (&w->lock);
  if (dir > 0)
    w->stats.steps_forward++;
  else
    w->stats.steps_backward++;
  pthread_mutex_unlock (&w->lock);
  long long since;
  tinta_fused_get_state (w->fused, w->sa, w->sb, &since);
  wkey *pk = partial_at (j, t);
  if (pk)
    {
      if ((st = prepare_key (w, pk, err)) != TINTA_OK)
        return st;
      overlay (w, pk, w->sa, w->sb);
      tinta_fused_set_state (w->fused, wL, w->sa, w->sb, since);
    }
  const float *la, *lb, *lc;
  tinta_fused_last_local (w->fused, &la, &lb, &lc);
  size_t bytes = state_bytes (w);
  uint8_t *blob = malloc (bytes);
  if (blob)
    {
      double s = (double) since;
      memcpy (blob, &s, sizeof s);
      float *f = (float *) (blob + sizeof s);
      memcpy (f, w->sa, hn * sizeof (float));
      memcpy (f + hn, w->sb, hn * sizeof (float));
      memcpy (f + 2 * hn, la, hn * sizeof (float));
      memcpy (f + 3 * hn, lb, hn * sizeof (float));
      memcpy (f + 4 * hn, lc, hn * sizeof (float));
    }
  put_checked (w, t, dir > 0 ? TINTA_RESULT_FWD : TINTA_RESULT_BWD, j->G, blob, bytes);
  if (match)
    {
      put_checked (w, t, TINTA_RESULT_MATCH, j->G, match, mbytes);
      if (!tinta_cache_has (w->cache, t, TINTA_RESULT_GLOBAL))
        put_checked (w, t, TINTA_RESULT_GLOBAL, j->G, pack (w, w->ga, w->gb, w->gc),
                     result_bytes (w));
    }
  return TINTA_OK;
}

/* Loads a cached state of frame t into the propagator (wL: t's L). */
static int
load_state (tinta_worker *w, long long t, int kind, const float *wL)
{
  size_t hn = (size_t) w->hw * w->hh, bytes = state_bytes (w);
  uint8_t *blob = malloc (bytes);
  if (blob == NULL)
    return TINTA_ERR_NO_MEMORY;
  int st = tinta_cache_get (w->cache, t, kind, blob, bytes, NULL);
  if (st == TINTA_OK)
    {
      double s;
      memcpy (&s, blob, sizeof s);
      const float *f = (const float *) (blob + sizeof s);
      tinta_fused_set_state (w->fused, wL, f, f + hn, (long long) s);
    }
  free (blob);
  return st;
}

#define REPICK 2   /* a job stopped because the playhead moved (not an error) */

/* Makes sure the state of the chain in direction dir exists at frame k:
 * runs it from the nearest cached state (or the keyframe), caching every
 * state on the way. */
static int
ensure_chain (tinta_worker *w, const job *j, int dir, tinta_error *err)
{
  int kind = dir > 0 ? TINTA_RESULT_FWD : TINTA_RESULT_BWD;
  wkey *key = j->keys[dir > 0 ? j->p : j->nx];
  long long k = j->k, K = key->frame;
  size_t nw = (size_t) w->w * w->h;
  if (tinta_cache_has (w->cache, k, kind))
    return TINTA_OK;
  long long from = K;
  for (long long t = k - dir; t != K; t -= dir)
    if (tinta_cache_has (w->cache, t, kind))
      {
        from = t;
        break;
      }
  int st = TINTA_OK;
  if (from != K)
    {
      st = read_working (w, from, w->wL, err);
      if (st == TINTA_OK && load_state (w, from, kind, w->wL) != TINTA_OK)
        from = K;   /* evicted meanwhile: from the keyframe then */
    }
  if (st == TINTA_OK && from == K && (st = prepare_key (w, key, err)) == TINTA_OK)
    st = tinta_fused_restart (w->fused, key->work, err);
  if (st != TINTA_OK)
    return st;
  if (dir > 0)
    {
      for (long long t = from + 1; t <= k; t++)
        {
          if (stop_now (w))
            return atomic_load (&w->cancel) ? TINTA_CANCELLED : REPICK;
          if ((st = read_working (w, t, w->wL, err)) != TINTA_OK
              || (st = chain_step (w, j, t, +1, w->wL, err)) != TINTA_OK)
            return st;
        }
      return TINTA_OK;
    }
  /* Backward: decode BLOCK frames in their order (one seek), then step
   * down through them. */
  for (long long t = from - 1; t >= k;)
    {
      long long b0 = t - BLOCK + 1 > k ? t - BLOCK + 1 : k;
      for (long long u = b0; u <= t; u++)
        {
          if (stop_now (w))
            return atomic_load (&w->cancel) ? TINTA_CANCELLED : REPICK;
          if ((st = read_working (w, u, w->blockL + (size_t) (u - b0) * nw, err)) != TINTA_OK)
            return st;
        }
      for (long long u = t; u >= b0; u--)
        {
          if (stop_now (w))
            return atomic_load (&w->cancel) ? TINTA_CANCELLED : REPICK;
          if ((st = chain_step (w, j, u, -1, w->blockL + (size_t) (u - b0) * nw, err))
              != TINTA_OK)
            return st;
        }
      t = b0 - 1;
    }
  return TINTA_OK;
}

/* A chain's result at k, working size: fused a, b; local a, b, conf. */
static int
unpack_state (tinta_worker *w, long long k, int kind, float *a, float *b, float *la, float *lb,
              float *conf)
{
  size_t hn = (size_t) w->hw * w->hh, bytes = state_bytes (w);
  uint8_t *blob = malloc (bytes);
  if (blob == NULL)
    return TINTA_ERR_NO_MEMORY;
  int st = tinta_cache_get (w->cache, k, kind, blob, bytes, NULL);
  if (st == TINTA_OK)
    {
      const float *f = (const float *) (blob + sizeof (double));
      const float *src[5] = { f, f + hn, f + 2 * hn, f + 3 * hn, f + 4 * hn };
      float *dst[5] = { a, b, la, lb, conf };
      for (int i = 0; i < 5; i++)
        tinta_upsample_bilinear (src[i], w->hw, w->hh, dst[i], w->w, w->h);
    }
  free (blob);
  return st;
}

/* Stores the three results of frame k and announces it, if k is still
 * current (else they are dropped: stale). */
static void
commit (tinta_worker *w, const job *j, void *fused, void *local, void *global)
{
  size_t bytes = result_bytes (w);
  pthread_mutex_lock (&w->lock);
  if (fused && local && w->dep[j->k] <= j->G)
    {
      tinta_cache_put (w->cache, j->k, TINTA_RESULT_LOCAL, j->G, local, bytes);
      if (global)
        tinta_cache_put (w->cache, j->k, TINTA_RESULT_GLOBAL, j->G, global, bytes);
      /* fused last: its presence means the frame is done */
      tinta_cache_put (w->cache, j->k, TINTA_RESULT_FUSED, j->G, fused, bytes);
      w->stats.frames_done++;
      emit (w, TINTA_WORKER_FRAME, j->k, j->G, NULL);
    }
  else
    {
      if (fused && local)
        w->stats.frames_stale++;
      free (fused);
      free (local);
      free (global);
    }
  pthread_mutex_unlock (&w->lock);
}

static int
run_job (tinta_worker *w, const job *j, tinta_error *err)
{
  size_t nw = (size_t) w->w * w->h;
  long long k = j->k;
  int st;
  if (j->p >= 0 && j->keys[j->p]->frame == k)
    {
      /* a full keyframe: its colors */
      wkey *key = j->keys[j->p];
      if ((st = prepare_key (w, key, err)) != TINTA_OK)
        return st;
      commit (w, j, pack (w, key->work->a, key->work->b, NULL),
              pack (w, key->work->a, key->work->b, NULL),
              pack (w, key->work->a, key->work->b, NULL));
      return TINTA_OK;
    }
  wkey *gk[TINTA_WORKER_MAX_KEYS];
  int n = 0;
  if (j->p >= 0)
    gk[n++] = j->keys[j->p];
  if (j->nx >= 0)
    gk[n++] = j->keys[j->nx];
  if (n == 0)
    {
      /* a shot without a full keyframe: the global match against all of
       * them, nearest first */
      for (int i = 0; i < j->n; i++)
        if (!j->keys[i]->partial)
          gk[n++] = j->keys[i];
      for (int a = 1; a < n; a++)
        for (int b = a; b > 0 && llabs (gk[b]->frame - k) < llabs (gk[b - 1]->frame - k); b--)
          {
            wkey *t = gk[b];
            gk[b] = gk[b - 1];
            gk[b - 1] = t;
          }
    }
  if ((st = set_global_keys (w, gk, n, err)) != TINTA_OK)
    return st;
  if (j->p < 0 && j->nx < 0)
    {
      if ((st = read_working (w, k, w->wL, err)) != TINTA_OK
          || (st = tinta_global_predict (tinta_fused_global (w->fused), w->wL, w->ga, w->gb, w->gc,
                                         err)) != TINTA_OK)
        return st;
      memset (w->la, 0, nw * sizeof (float));
      commit (w, j, pack (w, w->ga, w->gb, w->gc), pack (w, w->la, w->la, w->la),
              pack (w, w->ga, w->gb, w->gc));
      return TINTA_OK;
    }
  /* Each chain's result is taken out right after the chain, before the
   * other chain's states can push it out of the cache. */
  int have_f = j->p >= 0, have_b = j->nx >= 0;
  if (have_f && (st = ensure_chain (w, j, +1, err)) != TINTA_OK)
    return st;
  if (have_f && unpack_state (w, k, TINTA_RESULT_FWD, w->fa, w->fb, w->la, w->lb, w->fc) != TINTA_OK)
    return REPICK;   /* evicted at once (a cache too small): the job comes again */
  if (have_b && (st = ensure_chain (w, j, -1, err)) != TINTA_OK)
    return st;
  if (have_b && unpack_state (w, k, TINTA_RESULT_BWD, w->ba, w->bb, w->bla, w->blb, w->bc) != TINTA_OK)
    return REPICK;
  if (have_f && have_b)
    {
      /* as colorize.c: temporal distance times confidence */
      long long P = j->keys[j->p]->frame, N = j->keys[j->nx]->frame;
      float tf = (float) (N - k) / (float) (N - P);
      for (size_t i = 0; i < nw; i++)
        {
          float wf, wb, s = tinta_blend_weights (tf, w->fc[i], w->bc[i], &wf, &wb);
          w->fa[i] = (wf * w->fa[i] + wb * w->ba[i]) * s;
          w->fb[i] = (wf * w->fb[i] + wb * w->bb[i]) * s;
          w->la[i] = (wf * w->la[i] + wb * w->bla[i]) * s;
          w->lb[i] = (wf * w->lb[i] + wb * w->blb[i]) * s;
          w->fc[i] = (wf * w->fc[i] + wb * w->bc[i]) * s;
        }
    }
  else if (have_b)
    {
      memcpy (w->fa, w->ba, nw * sizeof (float));
      memcpy (w->fb, w->bb, nw * sizeof (float));
      memcpy (w->la, w->bla, nw * sizeof (float));
      memcpy (w->lb, w->blb, nw * sizeof (float));
      memcpy (w->fc, w->bc, nw * sizeof (float));
    }
  /* the global result was stored by the chain step at k; keep it */
  commit (w, j, pack (w, w->fa, w->fb, w->fc), pack (w, w->la, w->lb, w->fc), NULL);
  return TINTA_OK;
}

/* Frames of the window around the playhead, nearest first (ties
 * forward): the first without a fused result that has not failed. */
static long long
pick (tinta_worker *w)
{
  if (!w->cuts_done || !any_full_key (w->keys, w->n_keys))
    return -1;
  long long ahead = w->ahead, behind = w->behind;
  if (ahead <= 0 && behind <= 0)
    {
      /* what three quarters of the cache hold, mostly ahead */
      long long fit = (long long) (w->stats.cache.budget / 4 * 3 / w->frame_bytes);
      if (fit < 8)
        fit = 8;
      ahead = fit * 3 / 4;
      behind = fit - ahead;
    }
  long long p = w->playhead, lo = p - behind, hi = p + ahead;
  if (lo < 0)
    lo = 0;
  if (hi > w->n - 1)
    hi = w->n - 1;
  for (long long d = 0; p + d <= hi || p - d >= lo; d++)
    {
      long long cand[2] = { p + d, d > 0 ? p - d : -1 };
      for (int c = 0; c < 2; c++)
        {
          long long k = cand[c];
          if (k < lo || k > hi)
            continue;
          if (w->failed[k] != 0 && w->failed[k] - 1 >= w->dep[k])
            continue;
          if (!tinta_cache_has (w->cache, k, TINTA_RESULT_FUSED))
            return k;
        }
    }
  return -1;
}

static void
cut_pass (tinta_worker *w)
{
  tinta_error err = { 0 };
  tinta_cut_detector *d = NULL;
  long long *cuts = NULL;
  int n_cuts = 0, cap = 0;
  int st = TINTA_OK;
  if (w->detect_cuts && w->n > 1)
    {
      st = tinta_cut_detector_new (w->w, w->h, NULL, &d, &err);
      for (long long k = 0; st == TINTA_OK && k < w->n; k++)
        {
          if (atomic_load (&w->cancel))
            {
              st = TINTA_CANCELLED;
              break;
            }
          int is_cut = 0;
          float score = 0.0f;
          if ((st = read_working (w, k, w->wL, &err)) == TINTA_OK)
            st = tinta_cut_detector_push (d, w->wL, &is_cut, &score, &err);
          if (st == TINTA_OK && is_cut && k > 0)
            {
              if (n_cuts == cap)
                {
                  cap = cap ? 2 * cap : 16;
                  long long *g = realloc (cuts, (size_t) cap * sizeof *g);
                  if (g == NULL)
                    {
                      st = tinta_fail (&err, TINTA_ERR_NO_MEMORY, "", "out of memory");
                      break;
                    }
                  cuts = g;
                }
              cuts[n_cuts++] = k;
            }
        }
      tinta_cut_detector_free (d);
    }
  pthread_mutex_lock (&w->lock);
  if (st == TINTA_OK)
    {
      w->cuts = cuts;
      w->n_cuts = n_cuts;
      cuts = NULL;
    }
  else if (st < 0)
    emit (w, TINTA_WORKER_ERROR, -1, w->gen, &err);   /* colorize as one shot */
  w->cuts_done = 1;
  /* the shots are known now: edits so far planned with none */
  emit (w, TINTA_WORKER_CUTS, -1, w->gen, NULL);
  pthread_mutex_unlock (&w->lock);
  free (cuts);
}

static void *
thread_main (void *arg)
{
  tinta_worker *w = arg;
  tinta_fused_set_abort (w->fused, abort_poll, w);
  cut_pass (w);
  pthread_mutex_lock (&w->lock);
  for (;;)
    {
      long long k = -1;
      while (!w->quit && (k = pick (w)) < 0)
        {
          if (!w->idle)
            {
              w->idle = 1;
              pthread_cond_broadcast (&w->idle_cond);
              if (!w->idle_announced)
                emit (w, TINTA_WORKER_IDLE, -1, w->gen, NULL);
              w->idle_announced = 1;
            }
          pthread_cond_wait (&w->wake, &w->lock);
        }
      if (w->quit)
        break;
      w->idle = 0;
      w->idle_announced = 0;
      job j = { .G = w->gen, .k = k };
      j.keys = malloc ((size_t) w->n_keys * sizeof *j.keys);
      if (j.keys == NULL)
        {
          w->failed[k] = w->gen + 1;
          continue;
        }
      for (int i = 0; i < w->n_keys; i++)
        {
          j.keys[i] = w->keys[i];
          j.keys[i]->refs++;
        }
      j.n = w->n_keys;
      shot_of (w, k, &j.s0, &j.s1);
      full_keys_around (j.keys, j.n, k, j.s0, j.s1, &j.p, &j.nx);
      w->job_frame = k;
      w->job_lo = j.p >= 0 ? j.keys[j.p]->frame : j.s0;
      w->job_hi = j.nx >= 0 ? j.keys[j.nx]->frame : j.s1 - 1;
      w->job_keyless = j.p < 0 && j.nx < 0;
      atomic_store (&w->cancel, 0);
      atomic_store (&w->repick, 0);
      pthread_mutex_unlock (&w->lock);

      tinta_error err = { 0 };
      int st = run_job (w, &j, &err);

      pthread_mutex_lock (&w->lock);
      if (st == TINTA_CANCELLED && !w->quit)
        {
          w->stats.jobs_cancelled++;
          double ms = 1e3 * (tinta_now () - w->cancel_t);
          if (ms > w->stats.cancel_ms_max)
            w->stats.cancel_ms_max = ms;
        }
      else if (st < 0 && w->dep[k] <= j.G)
        {
          w->failed[k] = j.G + 1;
          emit (w, TINTA_WORKER_ERROR, k, j.G, &err);
        }
      w->job_frame = -1;
      for (int i = 0; i < j.n; i++)
        key_unref (j.keys[i]);
      free (j.keys);
    }
  pthread_mutex_unlock (&w->lock);
  return NULL;
}

/* ---- life cycle ------------------------------------------------------------ */

void
tinta_worker_free (tinta_worker *w)
{
  if (w == NULL)
    return;
  if (w->started)
    {
      pthread_mutex_lock (&w->lock);
      w->quit = 1;
      atomic_store (&w->cancel, 1);
      pthread_cond_broadcast (&w->wake);
      pthread_cond_broadcast (&w->idle_cond);
      pthread_mutex_unlock (&w->lock);
      pthread_join (w->thread, NULL);
    }
  for (int i = 0; i < w->n_keys; i++)
    key_unref (w->keys[i]);
  free (w->keys);
  free (w->dep);
  free (w->failed);
  free (w->cuts);
  tinta_fused_free (w->fused);
  tinta_cache_free (w->cache);
  tinta_media_free (w->media);
  tinta_frame_free (w->dec);
  float *bufs[] = { w->wL, w->blockL, w->sa, w->sb, w->fa, w->fb, w->fc,
                    w->la, w->lb, w->ba, w->bb, w->bc, w->bla, w->blb, w->ga, w->gb, w->gc,
                    w->oa, w->ob };
  for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
    tinta_free_aligned (bufs[i]);
  pthread_cond_destroy (&w->wake);
  pthread_cond_destroy (&w->idle_cond);
  pthread_mutex_destroy (&w->lock);
  free (w);
}

/* Longest clip the worker takes: its per-frame bookkeeping is 16 bytes. */
#define MAX_FRAMES 10000000LL

int
tinta_worker_new (const char *media_path, const tinta_worker_params *params, tinta_worker_fn fn,
                  void *user, tinta_worker **out, tinta_error *err)
{
  *out = NULL;
  tinta_worker_params def;
  if (params == NULL)
    {
      tinta_worker_params_init (&def);
      params = &def;
    }
  int wh = params->working_height ? params->working_height : TINTA_WORKING_HEIGHT;
  if (wh < 32 || wh > TINTA_MAX_DIMENSION)
    return tinta_fail (err, TINTA_ERR_OUT_OF_RANGE, "", "working height %d: 32 to %d", wh,
                       TINTA_MAX_DIMENSION);
  if (params->ahead < 0 || params->behind < 0)
    return tinta_fail (err, TINTA_ERR_OUT_OF_RANGE, "", "the window around the playhead "
                       "cannot be negative");
  tinta_worker *w = calloc (1, sizeof *w);
  if (w == NULL)
    return tinta_fail (err, TINTA_ERR_NO_MEMORY, "", "out of memory");
  pthread_mutex_init (&w->lock, NULL);
  pthread_cond_init (&w->wake, NULL);
  pthread_cond_init (&w->idle_cond, NULL);
  atomic_init (&w->cancel, 0);
  atomic_init (&w->repick, 0);
  w->fn = fn;
  w->user = user;
  w->job_frame = -1;
  w->detect_cuts = params->detect_cuts;
  w->ahead = params->ahead;
  w->behind = params->behind;
  int st = tinta_media_open (media_path, &w->media, err);
  if (st == TINTA_OK)
    {
      w->info = *tinta_media_get_info (w->media);
      w->W = w->info.width;
      w->H = w->info.height;
      w->n = w->info.frame_count;
      if (w->n < 1 || w->n > MAX_FRAMES)
        st = tinta_fail (err, TINTA_ERR_TOO_LARGE, media_path,
                         "%lld frames: the editor takes clips of 1 to %lld frames", w->n,
                         MAX_FRAMES);
    }
  if (st == TINTA_OK)
    {
      tinta_working_size (w->W, w->H, wh, &w->w, &w->h);
      if (w->w < 32 || w->h < 32)
        st = tinta_fail (err, TINTA_ERR_OUT_OF_RANGE, media_path,
                         "a %dx%d clip is too small to colorize (32x32 at least)", w->W, w->H);
    }
  if (st == TINTA_OK)
    st = tinta_fused_new (params->model, w->w, w->h, &w->fused, err);
  if (st == TINTA_OK)
    {
      tinta_fused_half_size (w->fused, &w->hw, &w->hh);
      size_t budget = params->cache_bytes ? params->cache_bytes : DEFAULT_CACHE;
      w->cache = tinta_cache_new (budget);
      w->stats.cache.budget = budget;
      w->frame_bytes = 3 * result_bytes (w) + 2 * state_bytes (w);
      size_t nw = (size_t) w->w * w->h, hn = (size_t) w->hw * w->hh;
      w->keys = calloc (TINTA_WORKER_MAX_KEYS, sizeof *w->keys);
      w->dep = calloc ((size_t) w->n, sizeof *w->dep);
      w->failed = calloc ((size_t) w->n, sizeof *w->failed);
      w->dec = tinta_frame_new (w->W, w->H, TINTA_FRAME_LAB | TINTA_FRAME_RGB);
      w->wL = tinta_alloc_aligned (nw, sizeof (float));
      w->blockL = tinta_alloc_aligned (nw * BLOCK, sizeof (float));
      float **half[] = { &w->sa, &w->sb };
      float **work[] = { &w->fa, &w->fb, &w->fc, &w->la, &w->lb, &w->ba, &w->bb, &w->bc,
                         &w->bla, &w->blb, &w->ga, &w->gb, &w->gc, &w->oa, &w->ob };
      int ok = w->cache && w->keys && w->dep && w->failed && w->dec && w->wL && w->blockL;
      for (size_t i = 0; i < sizeof half / sizeof half[0]; i++)
        ok &= (*half[i] = tinta_alloc_aligned (hn, sizeof (float))) != NULL;
      for (size_t i = 0; i < sizeof work / sizeof work[0]; i++)
        ok &= (*work[i] = tinta_alloc_aligned (nw, sizeof (float))) != NULL;
      if (!ok)
        st = tinta_fail (err, TINTA_ERR_NO_MEMORY, "", "out of memory for the worker");
      else if ((size_t) (w->frame_bytes) > budget)
        st = tinta_fail (err, TINTA_ERR_OUT_OF_RANGE, "",
                         "a cache of %zu MB cannot hold one %dx%d frame's results (%zu MB)",
                         budget >> 20, w->w, w->h, w->frame_bytes >> 20);
    }
  if (st == TINTA_OK)
    {
      if (pthread_create (&w->thread, NULL, thread_main, w) != 0)
        st = tinta_fail (err, TINTA_ERR_NO_MEMORY, "", "cannot start the worker thread");
      else
        w->started = 1;
    }
  if (st < 0)
    {
      tinta_worker_free (w);
      return st;
    }
  *out = w;
  return TINTA_OK;
}
