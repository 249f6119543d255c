/* The background worker and its cache (tinta/worker.h, tinta/cache.h), on
 * generated clips with the shipped model:
 *   - the LRU cache: budget, eviction order, replacement, range drops;
 *   - invalidation: after everything is computed, editing a keyframe
 *     recomputes exactly the frames between its neighbouring keyframes
 *     (counted: frame jobs and chain steps each way), leaves the others'
 *     results bit for bit, and no stale result reaches the callback;
 *   - removal and a partial (painted) keyframe, likewise; the painted
 *     colors show where painted;
 *   - the worker's pictures equal the batch colorizer's (tinta-cli
 *     colorize) for keyframes at both ends;
 *   - shot cuts: reported, and nothing crosses them;
 *   - cancellation by an edit mid-job, and shutdown under load;
 *   - errors with their exact status.
 * Run under ThreadSanitizer by tools/run-tests.sh (build-tsan). */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "tinta-test.h"
#include "tinta/tinta.h"
#include "tinta/cache.h"
#include "tinta/colorize.h"
#include "tinta/worker.h"

#define N_FRAMES 30
#define WORK_H   128

/* ---- the cache ----------------------------------------------------------- */

static void *
blob (size_t bytes, int fill)
{
  void *p = malloc (bytes);
  memset (p, fill, bytes);
  return p;
}

static void
test_cache (void)
{
  tinta_cache *c = tinta_cache_new (1000);
  CHECK (c != NULL);
  char buf[400];
  CHECK_INT (tinta_cache_put (c, 1, TINTA_RESULT_FUSED, 1, blob (300, 1), 300), TINTA_OK);
  CHECK_INT (tinta_cache_put (c, 2, TINTA_RESULT_FUSED, 1, blob (300, 2), 300), TINTA_OK);
  CHECK_INT (tinta_cache_put (c, 3, TINTA_RESULT_FUSED, 1, blob (300, 3), 300), TINTA_OK);
  /* frame 1 used: frame 2 becomes the least recently used */
  unsigned long long gen = 0;
  CHECK_INT (tinta_cache_get (c, 1, TINTA_RESULT_FUSED, buf, 300, &gen), TINTA_OK);
  CHECK (buf[0] == 1 && buf[299] == 1 && gen == 1);
  CHECK_INT (tinta_cache_put (c, 4, TINTA_RESULT_FUSED, 2, blob (300, 4), 300), TINTA_OK);
  CHECK (!tinta_cache_has (c, 2, TINTA_RESULT_FUSED));
  CHECK (tinta_cache_has (c, 1, TINTA_RESULT_FUSED) && tinta_cache_has (c, 3, TINTA_RESULT_FUSED));
  tinta_cache_stats s;
  tinta_cache_get_stats (c, &s);
  CHECK_INT (s.bytes, 900);
  CHECK_INT (s.entries, 3);
  CHECK_INT (s.evictions, 1);
  /* a put replaces; kinds are separate keys; wrong size is not found */
  CHECK_INT (tinta_cache_put (c, 3, TINTA_RESULT_FUSED, 5, blob (100, 9), 100), TINTA_OK);
  CHECK_INT (tinta_cache_get (c, 3, TINTA_RESULT_FUSED, buf, 100, &gen), TINTA_OK);
  CHECK (buf[0] == 9 && gen == 5);
  CHECK_INT (tinta_cache_get (c, 3, TINTA_RESULT_FUSED, buf, 300, NULL), TINTA_ERR_NOT_FOUND);
  CHECK_INT (tinta_cache_get (c, 3, TINTA_RESULT_LOCAL, buf, 100, NULL), TINTA_ERR_NOT_FOUND);
  CHECK_INT (tinta_cache_put (c, 3, TINTA_RESULT_LOCAL, 5, blob (50, 7), 50), TINTA_OK);
  CHECK_INT (tinta_cache_put (c, 9, TINTA_RESULT_FUSED, 1, blob (1001, 0), 1001),
             TINTA_ERR_TOO_LARGE);
  CHECK_INT (tinta_cache_put (c, 9, 99, 1, blob (10, 0), 10), TINTA_ERR_INVALID_ARGUMENT);
  /* range drop: frames 3 and 4, every kind */
  CHECK_INT (tinta_cache_drop_range (c, 3, 4), 3);
  CHECK (tinta_cache_has (c, 1, TINTA_RESULT_FUSED) && !tinta_cache_has (c, 3, TINTA_RESULT_LOCAL));
  tinta_cache_set_budget (c, 100);
  tinta_cache_get_stats (c, &s);
  CHECK_INT (s.entries, 0);
  CHECK_INT (s.bytes, 0);
  tinta_cache_free (c);
}

/* ---- a worker's events ---------------------------------------------------- */

typedef struct {
  pthread_mutex_t    lock;
  long long          frames[N_FRAMES];   /* FRAME events per frame */
  unsigned long long valid_from[N_FRAMES];   /* the test's own dependency table */
  long long          stale, errors, cuts_events;
} events;

static void
on_event (const tinta_worker_event *ev, void *user)
{
  events *e = user;
  pthread_mutex_lock (&e->lock);
  if (ev->type == TINTA_WORKER_FRAME && ev->frame >= 0 && ev->frame < N_FRAMES)
    {
      e->frames[ev->frame]++;
      if (ev->generation < e->valid_from[ev->frame])
        e->stale++;
    }
  else if (ev->type == TINTA_WORKER_ERROR)
    {
      fprintf (stderr, "worker error at frame %lld: %s\n", ev->frame,
               ev->error ? ev->error->message : "");
      e->errors++;
    }
  else if (ev->type == TINTA_WORKER_CUTS)
    e->cuts_events++;
  pthread_mutex_unlock (&e->lock);
}

static void
events_reset (events *e)
{
  pthread_mutex_lock (&e->lock);
  memset (e->frames, 0, sizeof e->frames);
  pthread_mutex_unlock (&e->lock);
}

/* After an edit at generation g: results of [lo, hi] older than g are stale. */
static void
events_edit (events *e, long long lo, long long hi, unsigned long long g)
{
  pthread_mutex_lock (&e->lock);
  for (long long k = lo; k <= hi; k++)
    e->valid_from[k] = g;
  pthread_mutex_unlock (&e->lock);
}

static long long
events_count (events *e, long long lo, long long hi)
{
  long long n = 0;
  pthread_mutex_lock (&e->lock);
  for (long long k = lo; k <= hi; k++)
    n += e->frames[k];
  pthread_mutex_unlock (&e->lock);
  return n;
}


static unsigned long long
generation (tinta_worker *w)
{
  tinta_worker_stats s;
  tinta_worker_get_stats (w, &s);
  return s.generation;
}

static tinta_worker_params
params (void)
{
  tinta_worker_params p;
  tinta_worker_params_init (&p);
  p.working_height = WORK_H;
  p.cache_bytes = 512u << 20;
  return p;
}

static void
test_invalidation (const char *clip)
{
  events ev = { .lock = PTHREAD_MUTEX_INITIALIZER };
  tinta_error err = { 0 };
  tinta_worker *w = NULL;
  tinta_worker_params p = params ();
  CHECK_STATUS (tinta_worker_new (clip, &p, on_event, &ev, &w, &err), TINTA_OK, &err);
  if (w == NULL)
    return;
  int ww, wh;
  tinta_worker_working_size (w, &ww, &wh);
  CHECK (ww == 228 && wh == 128);
  long long keys[4] = { 0, 10, 20, 29 };
  for (int i = 0; i < 4; i++)
    {
      tinta_frame *f = tu_clip_frame (clip, keys[i]);
      CHECK_STATUS (tinta_worker_set_keyframe (w, keys[i], f, NULL, &err), TINTA_OK, &err);
      tinta_frame_free (f);
    }
  tinta_worker_set_playhead (w, 15);
  CHECK (tinta_worker_wait_idle (w, 600.0));
  for (long long k = 0; k < N_FRAMES; k++)
    CHECK_MSG (tinta_worker_has (w, k, TINTA_RESULT_FUSED) && tinta_worker_has (w, k, TINTA_RESULT_LOCAL)
               && tinta_worker_has (w, k, TINTA_RESULT_GLOBAL), "frame %lld", k);
  size_t nw = (size_t) ww * wh;
  float *a = malloc (nw * 4), *b = malloc (nw * 4), *a2 = malloc (nw * 4), *b2 = malloc (nw * 4);
  float *a5 = malloc (nw * 4), *b5 = malloc (nw * 4);
  CHECK_INT (tinta_worker_result (w, 25, TINTA_RESULT_FUSED, a, b, NULL), TINTA_OK);
  CHECK_INT (tinta_worker_result (w, 5, TINTA_RESULT_FUSED, a5, b5, NULL), TINTA_OK);

  /* 1. Change keyframe 10 (a recolored frame): frames 1..19 depend on it. */
  tinta_worker_stats s0, s1;
  tinta_worker_get_stats (w, &s0);
  events_reset (&ev);
  tinta_frame *f = tu_clip_frame (clip, 10);
  for (size_t i = 0; i < (size_t) f->width * f->height; i++)
    {
      float t = f->a[i];
      f->a[i] = f->b[i];
      f->b[i] = -t;
    }
  CHECK_STATUS (tinta_worker_set_keyframe (w, 10, f, NULL, &err), TINTA_OK, &err);
  events_edit (&ev, 1, 19, generation (w));
  CHECK (tinta_worker_wait_idle (w, 600.0));
  tinta_worker_get_stats (w, &s1);
  CHECK_INT (s1.frames_done - s0.frames_done, 19);
  CHECK_INT (events_count (&ev, 1, 19), 19);
  CHECK_INT (events_count (&ev, 0, 0) + events_count (&ev, 20, 29), 0);
  CHECK_INT (s1.steps_forward - s0.steps_forward, 18);    /* 1..9 from 0, 11..19 from 10 */
  CHECK_INT (s1.steps_backward - s0.steps_backward, 18);  /* 9..1 from 10, 19..11 from 20 */
  CHECK_INT (tinta_worker_result (w, 25, TINTA_RESULT_FUSED, a2, b2, NULL), TINTA_OK);
  CHECK (memcmp (a, a2, nw * 4) == 0 && memcmp (b, b2, nw * 4) == 0);
  CHECK_INT (tinta_worker_result (w, 5, TINTA_RESULT_FUSED, a2, b2, NULL), TINTA_OK);
  double d5 = 0;
  for (size_t i = 0; i < nw; i++)
    d5 += fabsf (a2[i] - a5[i]) + fabsf (b2[i] - b5[i]);
  CHECK_MSG (d5 / nw > 0.5, "frame 5 changed by %.3f Lab on average", d5 / nw);

  /* 2. Remove keyframe 20: frames 11..28 now run between 10 and 29. */
  tinta_worker_get_stats (w, &s0);
  events_reset (&ev);
  CHECK_STATUS (tinta_worker_remove_keyframe (w, 20, &err), TINTA_OK, &err);
  events_edit (&ev, 11, 28, generation (w));
  CHECK (tinta_worker_wait_idle (w, 600.0));
  tinta_worker_get_stats (w, &s1);
  CHECK_INT (s1.frames_done - s0.frames_done, 18);
  CHECK_INT (events_count (&ev, 0, 10) + events_count (&ev, 29, 29), 0);
  CHECK_INT (s1.steps_forward - s0.steps_forward, 18);
  CHECK_INT (s1.steps_backward - s0.steps_backward, 18);

  /* 3. A partial keyframe at 5: a painted square, pure green-ish. */
  tinta_worker_get_stats (w, &s0);
  events_reset (&ev);
  size_t np = (size_t) f->width * f->height;
  float *alpha = calloc (np, sizeof (float));
  for (int y = 40; y < 120; y++)
    for (int x = 60; x < 160; x++)
      {
        alpha[(size_t) y * f->width + x] = 1.0f;
        f->a[(size_t) y * f->width + x] = -60.0f;
        f->b[(size_t) y * f->width + x] = 50.0f;
      }
  CHECK_STATUS (tinta_worker_set_keyframe (w, 5, f, alpha, &err), TINTA_OK, &err);
  events_edit (&ev, 1, 9, generation (w));
  CHECK (tinta_worker_wait_idle (w, 600.0));
  tinta_worker_get_stats (w, &s1);
  CHECK_INT (s1.frames_done - s0.frames_done, 9);
  CHECK_INT (events_count (&ev, 10, 29), 0);
  CHECK_INT (tinta_worker_result (w, 5, TINTA_RESULT_FUSED, a2, b2, NULL), TINTA_OK);
  /* the square's centre at working size (x 60..160 of 320 -> 43..114, y 40..120 of 180 -> 28..85) */
  float ca = a2[(size_t) 56 * ww + 78], cb = b2[(size_t) 56 * ww + 78];
  CHECK_MSG (fabsf (ca + 60.0f) < 2.0f && fabsf (cb - 50.0f) < 2.0f, "painted centre %.2f %.2f", ca, cb);
  /* and outside it, still the propagated colors */
  CHECK_INT (tinta_worker_result (w, 5, TINTA_RESULT_LOCAL, a, b, NULL), TINTA_OK);

  /* 4. Errors. */
  CHECK_STATUS (tinta_worker_set_keyframe (w, N_FRAMES, f, NULL, &err), TINTA_ERR_OUT_OF_RANGE, &err);
  CHECK_STATUS (tinta_worker_set_keyframe (w, -1, f, NULL, &err), TINTA_ERR_OUT_OF_RANGE, &err);
  tinta_frame *small = tinta_frame_new (64, 64, TINTA_FRAME_LAB);
  CHECK_STATUS (tinta_worker_set_keyframe (w, 3, small, NULL, &err), TINTA_ERR_SIZE_MISMATCH, &err);
  CHECK_STATUS (tinta_worker_remove_keyframe (w, 7, &err), TINTA_ERR_NOT_FOUND, &err);
  CHECK_INT (tinta_worker_result (w, 3, 99, a, b, NULL), TINTA_ERR_INVALID_ARGUMENT);
  tinta_frame_free (small);

  pthread_mutex_lock (&ev.lock);
  CHECK_INT (ev.stale, 0);
  CHECK_INT (ev.errors, 0);
  CHECK_INT (ev.cuts_events, 1);
  pthread_mutex_unlock (&ev.lock);
  tinta_worker_stats st;
  tinta_worker_get_stats (w, &st);
  printf ("worker: %lld frames, %lld+%lld steps, %lld stale, %lld cancelled, cache %zu MB in %zu entries\n",
          st.frames_done, st.steps_forward, st.steps_backward, st.frames_stale, st.jobs_cancelled,
          st.cache.bytes >> 20, st.cache.entries);
  tinta_worker_free (w);
  tinta_frame_free (f);
  free (alpha);
  free (a);
  free (b);
  free (a2);
  free (b2);
  free (a5);
  free (b5);
}

/* The worker and tinta-cli colorize's colorizer make the same pictures
 * for keyframes at both ends (the worker's global match uses the keys
 * around a frame, here all of them). */
static void
test_same_as_colorizer (const char *clip)
{
  tinta_error err = { 0 };
  tinta_frame *k0 = tu_clip_frame (clip, 0), *k1 = tu_clip_frame (clip, N_FRAMES - 1);
  tinta_worker *w = NULL;
  tinta_worker_params p = params ();
  CHECK_STATUS (tinta_worker_new (clip, &p, NULL, NULL, &w, &err), TINTA_OK, &err);
  if (w == NULL || k0 == NULL || k1 == NULL)
    return;
  CHECK_STATUS (tinta_worker_set_keyframe (w, 0, k0, NULL, &err), TINTA_OK, &err);
  CHECK_STATUS (tinta_worker_set_keyframe (w, N_FRAMES - 1, k1, NULL, &err), TINTA_OK, &err);
  CHECK (tinta_worker_wait_idle (w, 600.0));

  tinta_media *m = NULL;
  CHECK_STATUS (tinta_media_open (clip, &m, &err), TINTA_OK, &err);
  tinta_keyframe keys[2] = { { 0, k0 }, { N_FRAMES - 1, k1 } };
  tinta_colorize_params cp;
  tinta_colorize_params_init (&cp);
  cp.working_height = WORK_H;
  tinta_colorizer *c = NULL;
  CHECK_STATUS (tinta_colorizer_new (m, N_FRAMES, keys, 2, &cp, &c, &err), TINTA_OK, &err);
  tinta_frame *out = tinta_frame_new (k0->width, k0->height, TINTA_FRAME_LAB | TINTA_FRAME_RGB);
  tinta_frame *mine = tinta_frame_new (k0->width, k0->height, TINTA_FRAME_LAB | TINTA_FRAME_RGB);
  /* Both see the same L (the colorizer's spill keeps it as float) and
   * both reuse one global match per frame for the two chains; the
   * colorizer keeps the backward chroma in 1/128 Lab units, the only
   * difference left (measured: 0.002 on average, 0.12 at most). */
  double worst = 0.0, sum = 0.0;
  size_t np = (size_t) k0->width * k0->height;
  for (long long k = 0; c && k < N_FRAMES; k++)
    {
      CHECK_STATUS (tinta_colorizer_frame (c, k, out, &err), TINTA_OK, &err);
      memcpy (mine->L, out->L, np * sizeof (float));
      CHECK_STATUS (tinta_worker_result_full (w, k, mine, &err), TINTA_OK, &err);
      double fw = 0, fs = 0;
      for (size_t i = 0; i < np; i++)
        {
          double d = fmax (fabs (out->a[i] - mine->a[i]), fabs (out->b[i] - mine->b[i]));
          fw = d > fw ? d : fw;
          fs += d;
        }
      worst = fw > worst ? fw : worst;
      sum += fs / np;
      if (getenv ("TINTA_TEST_VERBOSE"))
        printf ("frame %lld: max %.4f mean %.5f\n", k, fw, fs / np);
    }
  CHECK_MSG (sum / N_FRAMES < 0.01, "worker vs colorizer: %.4f Lab on average", sum / N_FRAMES);
  CHECK_MSG (worst < 1.0, "worker vs colorizer: %.4f Lab at most", worst);
  printf ("worker vs colorizer: %.5f Lab on average, %.3f at most, over %d frames\n",
          sum / N_FRAMES, worst, N_FRAMES);
  tinta_colorizer_free (c);
  tinta_media_free (m);
  tinta_worker_free (w);
  tinta_frame_free (out);
  tinta_frame_free (mine);
  tinta_frame_free (k0);
  tinta_frame_free (k1);
}

/* Two generated shots glued: the cut is reported, the second shot (no
 * keyframe) gets the global match only: no local propagation across. */
static void
test_cuts (const char *glued, long long cut_at)
{
  events ev = { .lock = PTHREAD_MUTEX_INITIALIZER };
  tinta_error err = { 0 };
  tinta_worker *w = NULL;
  tinta_worker_params p = params ();
  CHECK_STATUS (tinta_worker_new (glued, &p, on_event, &ev, &w, &err), TINTA_OK, &err);
  if (w == NULL)
    return;
  tinta_frame *k0 = tu_clip_frame (glued, 0);
  CHECK_STATUS (tinta_worker_set_keyframe (w, 0, k0, NULL, &err), TINTA_OK, &err);
  CHECK (tinta_worker_wait_idle (w, 600.0));
  long long cuts[8];
  int n = tinta_worker_cuts (w, cuts, 8);
  CHECK_INT (n, 1);
  CHECK_INT (n > 0 ? cuts[0] : -1, cut_at);
  int ww, wh;
  tinta_worker_working_size (w, &ww, &wh);
  size_t nw = (size_t) ww * wh;
  float *a = malloc (nw * 4), *b = malloc (nw * 4);
  CHECK_INT (tinta_worker_result (w, cut_at + 2, TINTA_RESULT_LOCAL, a, b, NULL), TINTA_OK);
  double sum = 0;
  for (size_t i = 0; i < nw; i++)
    sum += fabsf (a[i]) + fabsf (b[i]);
  CHECK_MSG (sum == 0.0, "local chroma across the cut: %.3f", sum / nw);
  CHECK_INT (tinta_worker_result (w, cut_at - 2, TINTA_RESULT_LOCAL, a, b, NULL), TINTA_OK);
  sum = 0;
  for (size_t i = 0; i < nw; i++)
    sum += fabsf (a[i]) + fabsf (b[i]);
  CHECK_MSG (sum / nw > 1.0, "local chroma before the cut: %.3f", sum / nw);
  free (a);
  free (b);
  tinta_frame_free (k0);
  tinta_worker_free (w);
}

/* An edit mid-job stops it; freeing a busy worker returns promptly. */
static void
test_cancel (const char *clip)
{
  events ev = { .lock = PTHREAD_MUTEX_INITIALIZER };
  tinta_error err = { 0 };
  tinta_worker *w = NULL;
  tinta_worker_params p = params ();
  p.detect_cuts = 0;
  CHECK_STATUS (tinta_worker_new (clip, &p, on_event, &ev, &w, &err), TINTA_OK, &err);
  if (w == NULL)
    return;
  tinta_frame *k0 = tu_clip_frame (clip, 0);
  /* the playhead far from the key: the first job is a long chain */
  tinta_worker_set_playhead (w, N_FRAMES - 1);
  CHECK_STATUS (tinta_worker_set_keyframe (w, 0, k0, NULL, &err), TINTA_OK, &err);
  tinta_worker_stats s;
  for (int i = 0; i < 20000; i++)
    {
      tinta_worker_get_stats (w, &s);
      if (s.steps_forward >= 3)
        break;
      struct timespec ts = { 0, 1000000 };
      nanosleep (&ts, NULL);
    }
  CHECK_STATUS (tinta_worker_set_keyframe (w, 0, k0, NULL, &err), TINTA_OK, &err);
  CHECK (tinta_worker_wait_idle (w, 600.0));
  tinta_worker_get_stats (w, &s);
  CHECK_MSG (s.jobs_cancelled >= 1, "%lld jobs cancelled", s.jobs_cancelled);
  /* not a speed assertion: a stop must come within a network layer, far
   * below a second even on a loaded machine (tinta-cli bench measures it) */
  CHECK_MSG (s.cancel_ms_max < 1000.0, "cancellation took %.1f ms", s.cancel_ms_max);
  printf ("cancellation: %.2f ms from the edit to the job's stop\n", s.cancel_ms_max);
  tinta_worker_free (w);

  /* shutdown under load, several times */
  for (int r = 0; r < 3; r++)
    {
      w = NULL;
      CHECK_STATUS (tinta_worker_new (clip, &p, on_event, &ev, &w, &err), TINTA_OK, &err);
      if (w == NULL)
        break;
      tinta_worker_set_keyframe (w, 0, k0, NULL, &err);
      tinta_worker_set_keyframe (w, N_FRAMES - 1, k0, NULL, &err);
      tinta_worker_set_playhead (w, r * 10);
      struct timespec ts = { 0, 20000000L * (r + 1) };
      nanosleep (&ts, NULL);
      tinta_worker_free (w);
    }
  tinta_frame_free (k0);
}

static void
test_errors (const char *dir)
{
  tinta_error err = { 0 };
  tinta_worker *w = (tinta_worker *) 1;
  char path[4096];
  snprintf (path, sizeof path, "%s/missing.mkv", dir);
  CHECK_STATUS (tinta_worker_new (path, NULL, NULL, NULL, &w, &err), TINTA_ERR_NOT_FOUND, &err);
  CHECK (w == NULL);
  tinta_worker_params p = params ();
  p.cache_bytes = 1000;
  snprintf (path, sizeof path, "%s/clip.mkv", dir);
  CHECK_STATUS (tinta_worker_new (path, &p, NULL, NULL, &w, &err), TINTA_ERR_OUT_OF_RANGE, &err);
  p = params ();
  p.working_height = 8;
  CHECK_STATUS (tinta_worker_new (path, &p, NULL, NULL, &w, &err), TINTA_ERR_OUT_OF_RANGE, &err);
}

int
main (void)
{
  test_cache ();
  char *dir = tu_scratch_dir ("worker");
  char clip[4096], glued[4096];
  snprintf (clip, sizeof clip, "%s/clip.mkv", dir);
  snprintf (glued, sizeof glued, "%s/glued.mkv", dir);
  /* a moving test pattern (it pans and its elements move), lossless */
  if (tu_run ("%s -v error -y -f lavfi -i testsrc2=size=320x180:rate=25 -frames:v %d "
              "-c:v ffv1 '%s'", tu_ffmpeg (), N_FRAMES, clip) != 0
      || tu_run ("%s -v error -y -f lavfi -i testsrc2=size=320x180:rate=25:duration=0.8 "
                 "-f lavfi -i mandelbrot=size=320x180:rate=25 -filter_complex "
                 "'[1:v]trim=end_frame=10,setpts=PTS-STARTPTS[m];[0:v][m]concat=n=2:v=1[v]' "
                 "-map '[v]' -c:v ffv1 '%s'", tu_ffmpeg (), glued) != 0)
    {
      fprintf (stderr, "FAIL: ffmpeg could not make the test clips\n");
      return 1;
    }
  test_errors (dir);
  test_invalidation (clip);
  /* Under ThreadSanitizer (TINTA_TEST_TSAN) only the worker's threads
   * matter: the batch colorizer runs in one thread and takes minutes
   * there. */
  if (getenv ("TINTA_TEST_TSAN") == NULL)
    test_same_as_colorizer (clip);
  else
    printf ("worker vs colorizer: not under ThreadSanitizer\n");
  test_cuts (glued, 20);
  test_cancel (clip);
  free (dir);
  return tinta_test_end ("test-worker");
}
