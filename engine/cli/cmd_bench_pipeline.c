/* tinta-cli bench pipeline: the whole colorization of tinta/colorize.h,
 * timed per stage, at several sizes, with the peak memory of each.
 *
 * For each size the sequence is scaled by the `ffmpeg` program (Lanczos,
 * FFV1, so decoding stays cheap and exact) unless it already has that
 * size; keyframes are its first and last frames (their true colors), so
 * every frame between is propagated both ways, the case the editor meets
 * (`--keys 0`: the first frame alone, one pass, what `eval` measures).
 * Each size runs in a child process: its peak RSS (getrusage) is that
 * size's alone. Per run: the analysis pass (decode + cut detection), then
 * every frame (decode to result), then its encoding (the exporter, timed
 * apart). Figures are medians over runs of ms per frame; the baseline
 * measured in the same run is a bare decode of the same frames (the
 * floor any pipeline pays), given as a ratio. */
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cli.h"

enum { ST_DECODE_ONLY, ST_ANALYZE, ST_DECODE, ST_DOWN, ST_FEAT, ST_COARSE, ST_FINE, ST_TRANSFER,
       ST_LOCAL, ST_FUSION, ST_SPILL, ST_UP, ST_CONVERT, ST_E2E, ST_ENCODE, ST_COUNT };

static const char *const stage_names[ST_COUNT] = {
  "decode alone (baseline)", "analysis pass (decode, cuts)", "decode", "downscale to working",
  "features (SqueezeNet)", "matching, coarse", "matching, fine + transfer", "match to frame size",
  "local network + operator", "fusion network", "backward-pass spill file",
  "guided upsampling", "blend, Lab to RGB", "END TO END (decode to result)", "encode",
};

typedef struct {
  double ms[ST_COUNT];     /* per frame, median over runs */
  long   peak_rss_kb;
  int    w, h, ww, wh;
  long long frames;
  int    status;
} bench_result;

/* What one bench run colorizes: a strategy, a model, 1 or 2 keyframes. */
typedef struct {
  const char *strategy, *model;
  int         n_keys;
} bench_setup;

static int
bench_size (const char *clip, long long frames, int runs, const bench_setup *bs, int format,
            const char *scratch, bench_result *out, tinta_error *err)
{
  double *ms[ST_COUNT] = { 0 };
  tinta_media *media = NULL;
  tinta_frame *k0 = NULL, *k1 = NULL, *f = NULL;
  int st = tinta_media_open (clip, &media, err);
  if (st < 0)
    return st;
  const tinta_media_info *in = tinta_media_get_info (media);
  long long n = frames < in->frame_count ? frames : in->frame_count;
  out->w = in->width;
  out->h = in->height;
  out->frames = n;
  for (int s = 0; s < ST_COUNT; s++)
    if ((ms[s] = calloc ((size_t) runs, sizeof (double))) == NULL)
      st = TINTA_ERR_NO_MEMORY;
  k0 = tinta_frame_new (in->width, in->height, TINTA_FRAME_LAB | TINTA_FRAME_RGB);
  k1 = tinta_frame_new (in->width, in->height, TINTA_FRAME_LAB | TINTA_FRAME_RGB);
  f = tinta_frame_new (in->width, in->height, TINTA_FRAME_LAB | TINTA_FRAME_RGB);
  if (st == TINTA_OK && (!k0 || !k1 || !f))
    st = TINTA_ERR_NO_MEMORY;
  if (st == TINTA_OK && (st = tinta_media_read (media, 0, k0, err)) == TINTA_OK)
    st = tinta_media_read (media, n - 1, k1, err);
  for (int r = 0; r < runs && st == TINTA_OK; r++)
    {
      double t0 = cli_now ();
      for (long long k = 0; k < n && st == TINTA_OK; k++)
        st = tinta_media_read (media, k, f, err);
      ms[ST_DECODE_ONLY][r] = 1e3 * (cli_now () - t0) / (double) n;

      tinta_keyframe keys[2] = { { 0, k0 }, { n - 1, k1 } };
      tinta_colorize_params cp;
      tinta_colorize_params_init (&cp);
      cp.strategy = bs->strategy;
      cp.model = bs->model;
      tinta_colorizer *c = NULL;
      tinta_exporter *ex = NULL;
      tinta_export_params ep;
      tinta_media_info info = *in;
      cli_export_params_for (&ep, &info, format);
      char path[4096];
      snprintf (path, sizeof path, "%s/bench-%d%s", scratch, r, tinta_format_extension (ep.format));
      if (st == TINTA_OK)
        st = tinta_colorizer_new (media, n, keys, n > 1 ? bs->n_keys : 1, &cp, &c, err);
      if (st == TINTA_OK)
        st = tinta_exporter_open (path, &ep, &ex, err);
      if (st == TINTA_OK)
        st = tinta_colorizer_analyze (c, NULL, cli_abort, NULL, err);
      double enc = 0.0;
      t0 = cli_now ();
      for (long long k = 0; k < n && st == TINTA_OK; k++)
        {
          if (cli_abort (NULL))
            st = TINTA_CANCELLED;
          else if ((st = tinta_colorizer_frame (c, k, f, err)) == TINTA_OK)
            {
              double te = cli_now ();
              st = tinta_exporter_write (ex, f->rgb, err);
              enc += cli_now () - te;
            }
        }
      double e2e = cli_now () - t0 - enc;
      if (st == TINTA_OK)
        {
          double te = cli_now ();
          st = tinta_exporter_finish (ex, err);
          enc += cli_now () - te;
        }
      if (st == TINTA_OK)
        {
          tinta_colorize_report rep;
          tinta_colorizer_report (c, &rep);
          double per = 1.0 / (double) n;
          out->ww = rep.working_width;
          out->wh = rep.working_height;
          ms[ST_ANALYZE][r] = rep.analyze_ms * per;
          ms[ST_DECODE][r] = rep.decode_ms * per;
          ms[ST_DOWN][r] = rep.downscale_ms * per;
          ms[ST_FEAT][r] = rep.dvp.features_ms * per;
          ms[ST_COARSE][r] = rep.dvp.coarse_ms * per;
          ms[ST_FINE][r] = rep.dvp.fine_ms * per;
          ms[ST_TRANSFER][r] = rep.dvp.transfer_ms * per;
          ms[ST_LOCAL][r] = rep.dvp.local_ms * per;
          ms[ST_FUSION][r] = rep.dvp.fusion_ms * per;
          ms[ST_SPILL][r] = rep.spill_ms * per;
          ms[ST_UP][r] = rep.upscale_ms * per;
          ms[ST_CONVERT][r] = rep.convert_ms * per;
          ms[ST_E2E][r] = 1e3 * e2e * per;
          ms[ST_ENCODE][r] = 1e3 * enc * per;
        }
      tinta_exporter_free (ex);
      unlink (path);
      tinta_colorizer_free (c);
    }
  if (st == TINTA_OK)
    for (int s = 0; s < ST_COUNT; s++)
      out->ms[s] = cli_median (ms[s], runs);
  for (int s = 0; s < ST_COUNT; s++)
    free (ms[s]);
  tinta_frame_free (k0);
  tinta_frame_free (k1);
  tinta_frame_free (f);
  tinta_media_free (media);
  return st;
}

/* Runs bench_size in a child; its result comes back through a pipe. */
static int
bench_size_child (const char *clip, long long frames, int runs, const bench_setup *bs,
                  int format, const char *scratch, bench_result *out)
{
  int fd[2];
  if (pipe (fd) != 0)
    return TINTA_ERR_IO;
  fflush (NULL);
  pid_t pid = fork ();
  if (pid < 0)
    return TINTA_ERR_IO;
  if (pid == 0)
    {
      close (fd[0]);
      bench_result r = { 0 };
      tinta_error err = { 0 };
      r.status = bench_size (clip, frames, runs, bs, format, scratch, &r, &err);
      if (r.status != TINTA_OK)
        cli_report (&err, r.status);
      struct rusage ru;
      getrusage (RUSAGE_SELF, &ru);
      r.peak_rss_kb = ru.ru_maxrss;
      ssize_t w = write (fd[1], &r, sizeof r);
      _exit (w == (ssize_t) sizeof r ? 0 : 1);
    }
  close (fd[1]);
  ssize_t got = read (fd[0], out, sizeof *out);
  close (fd[0]);
  int status = 0;
  waitpid (pid, &status, 0);
  if (got != (ssize_t) sizeof *out)
    return TINTA_ERR_INTERNAL;
  return out->status;
}

int
cmd_bench_pipeline (int argc, char **argv)
{
  long long runs = 3, frames = 24;
  const char *seq = NULL, *sizes = "854x480,1920x1080";
  bench_setup bs = { "fused", NULL, 2 };
  int rc, format = TINTA_FORMAT_H264;
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
          if ((rc = cli_parse_int ("--frames", i + 1 < argc ? argv[++i] : NULL, 3, 100000,
                                   &frames)) != CLI_OK)
            return rc;
        }
      else if (strcmp (argv[i], "--strategy") == 0 && i + 1 < argc)
        bs.strategy = argv[++i];
      else if (strcmp (argv[i], "--model") == 0 && i + 1 < argc)
        bs.model = argv[++i];
      else if (strcmp (argv[i], "--keys") == 0)
        {
          const char *v = i + 1 < argc ? argv[++i] : "";
          if (strcmp (v, "0") == 0)
            bs.n_keys = 1;
          else if (strcmp (v, "0,last") == 0)
            bs.n_keys = 2;
          else
            return cli_usage_error ("--keys: 0 or 0,last, not '%s'", v);
        }
      else if (strcmp (argv[i], "--sizes") == 0 && i + 1 < argc)
        sizes = argv[++i];
      else if (strcmp (argv[i], "--format") == 0 && i + 1 < argc)
        {
          if ((format = tinta_format_from_name (argv[++i])) < 0)
            return cli_usage_error ("unknown format '%s' (prores, ffv1, h264, png)", argv[i]);
        }
      else if (argv[i][0] == '-')
        return cli_usage_error ("bench pipeline: unknown option '%s'", argv[i]);
      else
        seq = argv[i];
    }
  if (strcmp (bs.strategy, "fused") && strcmp (bs.strategy, "local") && strcmp (bs.strategy, "global"))
    return cli_usage_error ("unknown strategy '%s' (fused, local or global)", bs.strategy);
  if (seq == NULL)
    return cli_usage_error ("bench pipeline needs a sequence (e.g. ../shared/data/eval/blackswan)");

  tinta_error err = { 0 };
  tinta_media *m = NULL;
  int st = tinta_media_open (seq, &m, &err);
  if (st < 0)
    return cli_report (&err, st);
  int sw = tinta_media_get_info (m)->width, sh = tinta_media_get_info (m)->height;
  tinta_media_free (m);

  char scratch[] = "/tmp/tinta-bench-XXXXXX";
  if (mkdtemp (scratch) == NULL)
    {
      fprintf (stderr, "tinta-cli: cannot create a scratch folder in /tmp\n");
      return CLI_FAIL;
    }
  enum { MAX_SIZES = 4 };
  bench_result res[MAX_SIZES];
  int n_sizes = 0;
  char buf[256];
  snprintf (buf, sizeof buf, "%s", sizes);
  rc = CLI_OK;
  for (char *save = NULL, *t = strtok_r (buf, ",", &save); t && rc == CLI_OK;
       t = strtok_r (NULL, ",", &save))
    {
      int w = 0, h = 0;
      if (n_sizes == MAX_SIZES || sscanf (t, "%dx%d", &w, &h) != 2 || w < 32 || h < 32
          || w > 8192 || h > 8192)
        {
          rc = cli_usage_error ("--sizes: WxH,... (32..8192, at most %d), not '%s'", MAX_SIZES, t);
          break;
        }
      char clip[4096];
      if (w == sw && h == sh)
        snprintf (clip, sizeof clip, "%s", seq);
      else
        {
          snprintf (clip, sizeof clip, "%s/clip-%dx%d.mkv", scratch, w, h);
          char cmd[9000];
          snprintf (cmd, sizeof cmd,
                    "ffmpeg -v error -nostdin -y -i '%s/%%05d.jpg' -frames:v %lld "
                    "-vf scale=%d:%d:flags=lanczos -c:v ffv1 -pix_fmt yuv420p '%s'",
                    seq, frames, w, h, clip);
          struct stat sb;
          if (stat (seq, &sb) != 0 || !S_ISDIR (sb.st_mode) || system (cmd) != 0)
            {
              fprintf (stderr, "tinta-cli: %s: cannot scale to %dx%d with ffmpeg (a folder "
                       "of 00000.jpg... is needed)\n", seq, w, h);
              rc = CLI_FAIL;
              break;
            }
        }
      fprintf (stderr, "bench: %dx%d, %lld frames, %lld runs...\n", w, h, frames, runs);
      st = bench_size_child (clip, frames, (int) runs, &bs, format, scratch, &res[n_sizes]);
      if (st != TINTA_OK)
        rc = st == TINTA_CANCELLED ? CLI_CANCELLED : CLI_FAIL;
      else
        n_sizes++;
    }
  char rm[200];
  snprintf (rm, sizeof rm, "rm -rf '%s'", scratch);
  if (system (rm) != 0)
    fprintf (stderr, "tinta-cli: note: could not remove %s\n", scratch);
  if (rc != CLI_OK)
    return rc;

  if (bs.n_keys == 2)
    printf ("tinta-cli bench pipeline: strategy %s, keyframes at the first and last frame, "
            "medians of %lld runs, ms per frame, 2 keys both ways\n\n| stage |", bs.strategy, runs);
  else
    printf ("tinta-cli bench pipeline: strategy %s, keyframe at the first frame, "
            "medians of %lld runs, ms per frame, 1 key, one pass\n\n| stage |", bs.strategy, runs);
  for (int i = 0; i < n_sizes; i++)
    printf (" %dx%d (works at %dx%d) |", res[i].w, res[i].h, res[i].ww, res[i].wh);
  printf ("\n|---|");
  for (int i = 0; i < n_sizes; i++)
    printf ("---|");
  printf ("\n");
  for (int s = 0; s < ST_COUNT; s++)
    {
      printf ("| %s |", stage_names[s]);
      for (int i = 0; i < n_sizes; i++)
        printf (s == ST_E2E ? " **%.1f** |" : " %.1f |", res[i].ms[s]);
      printf ("\n");
    }
  printf ("| end to end / decode alone |");
  for (int i = 0; i < n_sizes; i++)
    printf (" %.1fx |", res[i].ms[ST_E2E] / res[i].ms[ST_DECODE_ONLY]);
  printf ("\n| peak RSS (MB) |");
  for (int i = 0; i < n_sizes; i++)
    printf (" %.0f |", (double) res[i].peak_rss_kb / 1024.0);
  printf ("\n\nStages inside end to end: decode .. blend (features .. fusion are the strategy's, "
          "both passes); analysis and encode are apart.\n");
  return CLI_OK;
}
