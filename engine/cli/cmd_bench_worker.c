/* tinta-cli bench worker: what the editor feels, on a real sequence at its
 * own size (854x480 for DAVIS; working size = clip size).
 *
 *   - cancellation: the worker runs a long chain (keyframe at frame 0,
 *     playhead at the end); after a few steps the keyframe is edited; the
 *     time from the edit to the job's stop is the worker's own measure
 *     (tinta_worker_stats.cancel_ms_max).  Median over runs.
 *   - first frame: from setting the keyframe to the first result near the
 *     playhead at frame 0 (the keyframe itself), and to frame 1's.
 *   - scrub over computed frames: with the whole clip computed, reading a
 *     frame's fused result out of the cache (what the editor does per
 *     frame shown), median over frames.
 *   - frames computed one after another (the worker moving ahead of the
 *     playhead, each frame one chain step from the cached states): the
 *     median interval between completions, keyframes at both ends.
 * Figures are wall times on this machine; the baseline measured in the
 * same run is one fused step (tinta_fused_next) on the same frames. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "tinta/worker.h"

typedef struct {
  long long seen;        /* FRAME events (worker thread writes, main reads after idle) */
  long long cap;
  double   *t;           /* their times */
} bench_events;

/* Worker thread, its lock held: tinta_worker_wait_idle's return orders
 * these writes before the main thread's reads. */
static void
on_event (const tinta_worker_event *ev, void *user)
{
  bench_events *b = user;
  if (ev->type == TINTA_WORKER_FRAME && b->seen < b->cap)
    b->t[b->seen++] = cli_now ();
}

static void
sleep_ms (double ms)
{
  struct timespec ts = { (time_t) (ms / 1000), (long) ((ms - 1000 * (long) (ms / 1000)) * 1e6) };
  nanosleep (&ts, NULL);
}

/* Waits until frame k has a fused result; returns ms waited (-1: timeout). */
static double
wait_frame (tinta_worker *w, long long k, double timeout_ms)
{
  double t0 = cli_now ();
  while (!tinta_worker_has (w, k, TINTA_RESULT_FUSED))
    {
      if (1e3 * (cli_now () - t0) > timeout_ms)
        return -1.0;
      sleep_ms (0.2);
    }
  return 1e3 * (cli_now () - t0);
}

static int bench_clip (const char *seq, const char *name, long long runs, const char *model);

int
cmd_bench_worker (int argc, char **argv)
{
  long long runs = 5, frames = 24;
  const char *seq = NULL, *model = NULL;
  int rc;
  for (int i = 2; i < argc; i++)
    {
      if (strcmp (argv[i], "--runs") == 0)
        {
          if ((rc = cli_parse_int ("--runs", i + 1 < argc ? argv[++i] : NULL, 1, 100, &runs))
              != CLI_OK)
            return rc;
        }
      else if (strcmp (argv[i], "--frames") == 0)
        {
          if ((rc = cli_parse_int ("--frames", i + 1 < argc ? argv[++i] : NULL, 8, 100000,
                                   &frames)) != CLI_OK)
            return rc;
        }
      else if (strcmp (argv[i], "--model") == 0 && i + 1 < argc)
        model = argv[++i];
      else if (argv[i][0] == '-')
        return cli_usage_error ("bench worker: unknown option '%s'", argv[i]);
      else
        seq = argv[i];
    }
  if (seq == NULL)
    return cli_usage_error ("bench worker needs a sequence (e.g. ../shared/data/eval/blackswan)");

  /* The first `frames` frames as a clip of their own (FFV1, cheap and
   * exact to decode): the worker takes a whole clip. */
  char scratch[] = "/tmp/tinta-bench-XXXXXX", clip[4200];
  if (mkdtemp (scratch) == NULL)
    {
      fprintf (stderr, "tinta-cli: cannot create a scratch folder in /tmp\n");
      return CLI_FAIL;
    }
  snprintf (clip, sizeof clip, "%s/clip.mkv", scratch);
  struct stat sb;
  char cmd[9000];
  snprintf (cmd, sizeof cmd, "ffmpeg -v error -nostdin -y -i '%s/%%05d.jpg' -frames:v %lld "
            "-c:v ffv1 -pix_fmt yuv420p '%s'", seq, frames, clip);
  if (stat (seq, &sb) != 0 || !S_ISDIR (sb.st_mode) || system (cmd) != 0)
    {
      fprintf (stderr, "tinta-cli: %s: cannot take its first %lld frames with ffmpeg (a folder "
               "of 00000.jpg... is needed)\n", seq, frames);
      rmdir (scratch);
      return CLI_FAIL;
    }
  rc = bench_clip (clip, seq, runs, model);
  unlink (clip);
  rmdir (scratch);
  return rc;
}

static int
bench_clip (const char *seq, const char *name, long long runs, const char *model)
{
  int rc;
  tinta_error err = { 0 };
  tinta_media *m = NULL;
  int st = tinta_media_open (seq, &m, &err);
  if (st < 0)
    return cli_report (&err, st);
  const tinta_media_info info = *tinta_media_get_info (m), *in = &info;
  long long n = in->frame_count;
  if (n < 8)
    {
      tinta_media_free (m);
      fprintf (stderr, "tinta-cli: bench worker needs 8 frames at least\n");
      return CLI_FAIL;
    }
  tinta_frame *k0 = tinta_frame_new (in->width, in->height, TINTA_FRAME_LAB | TINTA_FRAME_RGB);
  if (k0 == NULL || (st = tinta_media_read (m, 0, k0, &err)) < 0)
    {
      tinta_frame_free (k0);
      tinta_media_free (m);
      return cli_report (&err, st < 0 ? st : TINTA_ERR_NO_MEMORY);
    }
  tinta_media_free (m);

  double *cancel = calloc ((size_t) runs, sizeof (double));
  double *first = calloc ((size_t) runs, sizeof (double));
  double *second = calloc ((size_t) runs, sizeof (double));
  double *step = calloc ((size_t) runs, sizeof (double));
  double *read = calloc ((size_t) n, sizeof (double));
  tinta_worker_params p;
  tinta_worker_params_init (&p);
  p.model = model;
  p.detect_cuts = 0;
  p.working_height = in->height;
  rc = CLI_OK;
  int ww = 0, wh = 0;
  long long n_read = 0;
  for (long long r = 0; r < runs && rc == CLI_OK; r++)
    {
      fprintf (stderr, "bench worker: run %lld of %lld...\n", r + 1, runs);
      bench_events ev = { 0, 4 * n + 16, NULL };
      ev.t = calloc ((size_t) ev.cap, sizeof (double));
      tinta_worker *w = NULL;
      if (ev.t == NULL || (st = tinta_worker_new (seq, &p, on_event, &ev, &w, &err)) < 0)
        {
          free (ev.t);
          rc = ev.t ? cli_report (&err, st) : CLI_FAIL;
          break;
        }
      tinta_worker_working_size (w, &ww, &wh);
      /* first results near the playhead (frame 0) */
      double t0 = cli_now ();
      tinta_worker_set_keyframe (w, 0, k0, NULL, &err);
      wait_frame (w, 0, 600e3);
      first[r] = 1e3 * (cli_now () - t0);
      wait_frame (w, 1, 600e3);
      second[r] = 1e3 * (cli_now () - t0);
      /* cancellation: a long chain to the end, edited after 5 steps */
      tinta_worker_set_playhead (w, n - 1);
      tinta_worker_stats s;
      for (int i = 0; i < 600000; i++)
        {
          tinta_worker_get_stats (w, &s);
          if (s.steps_forward >= 5)
            break;
          sleep_ms (0.5);
        }
      tinta_worker_set_keyframe (w, 0, k0, NULL, &err);
      tinta_worker_wait_idle (w, 3600.0);
      tinta_worker_get_stats (w, &s);
      cancel[r] = s.jobs_cancelled > 0 ? s.cancel_ms_max : -1.0;
      /* the whole clip is computed now: scrub over it (first run only) */
      if (r == 0)
        {
          float *a = malloc ((size_t) ww * wh * sizeof (float));
          float *b = malloc ((size_t) ww * wh * sizeof (float));
          for (long long k = 0; a && b && k < n; k++)
            {
              double tr = cli_now ();
              if (tinta_worker_result (w, k, TINTA_RESULT_FUSED, a, b, NULL) == TINTA_OK)
                read[n_read++] = 1e3 * (cli_now () - tr);
            }
          free (a);
          free (b);
        }
      /* a keyframe at the end too: frames 1..n-2 are computed again from
       * the playhead at 1 onwards; after the first (its backward chain
       * runs over the clip), each costs a step each way */
      tinta_worker_set_playhead (w, 1);
      long long before = ev.seen;
      tinta_worker_set_keyframe (w, n - 1, k0, NULL, &err);
      tinta_worker_wait_idle (w, 3600.0);
      long long made = ev.seen - before;
      double *gaps = calloc ((size_t) (made > 1 ? made : 1), sizeof (double));
      long long n_gaps = 0;
      for (long long i = before + 2; gaps && i < ev.seen; i++)
        gaps[n_gaps++] = 1e3 * (ev.t[i] - ev.t[i - 1]);
      step[r] = n_gaps ? cli_median (gaps, (int) n_gaps) : -1.0;
      free (gaps);
      free (ev.t);
      tinta_worker_free (w);
    }
  if (rc == CLI_OK)
    {
      printf ("tinta-cli bench worker: %s, first %lld frames, %dx%d (works at %dx%d), fused, "
              "medians of %lld runs\n\n", name, n, in->width, in->height, ww, wh, runs);
      printf ("| measure | ms |\n|---|---|\n");
      printf ("| cancellation: keyframe edit to the running job's stop | %.2f |\n",
              cli_median (cancel, (int) runs));
      printf ("| keyframe set to its own frame's result | %.1f |\n", cli_median (first, (int) runs));
      printf ("| keyframe set to the next frame's result (one chain step) | %.1f |\n",
              cli_median (second, (int) runs));
      printf ("| scrub over computed frames: read a fused result from the cache | %.3f |\n",
              n_read ? cli_median (read, (int) n_read) : -1.0);
      printf ("| frames computed in a row, keyframes at both ends: interval per frame | %.1f |\n",
              cli_median (step, (int) runs));
    }
  free (cancel);
  free (first);
  free (second);
  free (step);
  free (read);
  tinta_frame_free (k0);
  return rc;
}
