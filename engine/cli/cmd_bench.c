/* tinta-cli bench media: decode and export speed, each as the median of
 * several runs and as a ratio against the `ffmpeg` program doing the same
 * work on the same frames in the same run (so the figures travel between
 * machines: a ratio near 1 means the engine adds nothing on top of FFmpeg).
 *
 * Decode: the JPEG folder itself, and an H.264 clip made from it here with
 * our own exporter (CRF 18), both read to RGB + Lab; ffmpeg's baseline
 * decodes and converts to rgb24 into its null muxer.  Export: the frames,
 * already decoded in memory, to each format; ffmpeg's baseline encodes the
 * same raw frames with the same encoder settings from a raw file.  The
 * ffmpeg timings include its start-up (~30 ms), stated in the output. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"

static int
run_shell (const char *cmd, double *seconds)
{
  double t0 = cli_now ();
  int r = system (cmd);
  *seconds = cli_now () - t0;
  return r;
}

typedef struct {
  uint8_t  **rgb;
  long long  n;
} frame_store;

static int
store_source (void *user, long long k, tinta_frame *frame, tinta_error *err)
{
  frame_store *s = user;
  (void) err;
  memcpy (frame->rgb, s->rgb[k], (size_t) frame->width * frame->height * 3);
  return TINTA_OK;
}

/* Reads every frame of `path` `runs` times; returns median frames/s. */
static int
bench_decode (const char *path, long long n, int runs, double *fps, tinta_error *err)
{
  double *t = calloc ((size_t) runs, sizeof *t);
  int st = TINTA_OK;
  for (int r = 0; r < runs && st == TINTA_OK; r++)
    {
      tinta_media *m = NULL;
      double t0 = cli_now ();
      st = tinta_media_open (path, &m, err);
      if (st < 0)
        break;
      const tinta_media_info *in = tinta_media_get_info (m);
      tinta_frame *f = tinta_frame_new (in->width, in->height, TINTA_FRAME_LAB | TINTA_FRAME_RGB);
      long long count = n < in->frame_count ? n : in->frame_count;
      for (long long k = 0; k < count && st == TINTA_OK; k++)
        st = tinta_media_read (m, k, f, err);
      t[r] = (double) count / (cli_now () - t0);
      tinta_frame_free (f);
      tinta_media_free (m);
    }
  if (st == TINTA_OK)
    *fps = cli_median (t, runs);
  free (t);
  return st;
}

static const char *const ffmpeg_encode_args[TINTA_FORMAT_COUNT] = {
  [TINTA_FORMAT_PRORES] = "-c:v prores_ks -profile:v 4 -pix_fmt yuv444p10le -f mov",
  [TINTA_FORMAT_FFV1] = "-c:v ffv1 -level 3 -slicecrc 1 -pix_fmt gbrp -f matroska",
  [TINTA_FORMAT_H264] = "-c:v libx264 -crf 18 -preset medium -pix_fmt yuv420p -f mp4",
  [TINTA_FORMAT_PNG] = "-c:v png -pix_fmt rgb24 -f image2",
};

int
cmd_bench (int argc, char **argv)
{
  long long runs = 5, frames = 50;
  const char *seq = NULL;
  int rc;

  if (argc >= 2 && strcmp (argv[1], "nn") == 0)
    return cmd_bench_nn (argc, argv);
  if (argc >= 2 && strcmp (argv[1], "pipeline") == 0)
    return cmd_bench_pipeline (argc, argv);
  if (argc >= 2 && strcmp (argv[1], "worker") == 0)
    return cmd_bench_worker (argc, argv);
  if (argc >= 2 && strcmp (argv[1], "paint") == 0)
    return cmd_bench_paint (argc, argv);
  if (argc < 2 || strcmp (argv[1], "media") != 0)
    return cli_usage_error ("bench needs a target: media, nn, pipeline, worker or paint");
  for (int i = 2; i < argc; i++)
    {
      if (strcmp (argv[i], "--runs") == 0)
        {
          rc = cli_parse_int ("--runs", i + 1 < argc ? argv[++i] : NULL, 1, 1000, &runs);
          if (rc != CLI_OK)
            return rc;
        }
      else if (strcmp (argv[i], "--frames") == 0)
        {
          rc = cli_parse_int ("--frames", i + 1 < argc ? argv[++i] : NULL, 2, 100000, &frames);
          if (rc != CLI_OK)
            return rc;
        }
      else if (argv[i][0] == '-')
        return cli_usage_error ("bench: unknown option '%s'", argv[i]);
      else
        seq = argv[i];
    }
  if (seq == NULL)
    return cli_usage_error ("bench media needs a sequence folder (e.g. ../shared/data/eval/blackswan)");

  tinta_error err = { 0 };
  tinta_media *m = NULL;
  int st = tinta_media_open (seq, &m, &err);
  if (st < 0)
    return cli_report (&err, st);
  const tinta_media_info *in = tinta_media_get_info (m);
  int w = in->width, h = in->height;
  frame_store store = { 0 };
  store.n = frames < in->frame_count ? frames : in->frame_count;
  store.rgb = calloc ((size_t) store.n, sizeof *store.rgb);
  tinta_frame *f = tinta_frame_new (w, h, TINTA_FRAME_RGB);
  for (long long k = 0; k < store.n && st == TINTA_OK; k++)
    {
      st = tinta_media_read (m, k, f, &err);
      store.rgb[k] = malloc ((size_t) w * h * 3);
      memcpy (store.rgb[k], f->rgb, (size_t) w * h * 3);
    }
  tinta_frame_free (f);
  tinta_media_free (m);
  if (st < 0)
    return cli_report (&err, st);

  char tmpdir[] = "/tmp/tinta-bench-XXXXXX";
  if (mkdtemp (tmpdir) == NULL)
    {
      perror ("tinta-cli: mkdtemp");
      return CLI_FAIL;
    }
  char raw[256], h264[256], cmd[2048];
  snprintf (raw, sizeof raw, "%s/frames.rgb", tmpdir);
  snprintf (h264, sizeof h264, "%s/clip.mp4", tmpdir);
  FILE *rf = fopen (raw, "wb");
  for (long long k = 0; rf && k < store.n; k++)
    fwrite (store.rgb[k], 1, (size_t) w * h * 3, rf);
  if (rf)
    fclose (rf);

  tinta_export_params p;
  tinta_export_params_init (&p);
  p.width = w;
  p.height = h;
  p.fps_num = 24;
  p.fps_den = 1;
  p.format = TINTA_FORMAT_H264;
  st = tinta_export_frames (h264, &p, store.n, store_source, &store, NULL, NULL, NULL, &err);
  if (st < 0)
    return cli_report (&err, st);

  int have_ffmpeg = system ("ffmpeg -version >/dev/null 2>&1") == 0;
  printf ("bench media: %s, %lld frames of %dx%d, median of %lld runs\n", seq, store.n, w, h,
          runs);
  printf ("%-28s %10s %14s %8s\n", "task", "tinta fps", "ffmpeg fps", "ratio");

  const char *decode_inputs[2] = { seq, h264 };
  const char *decode_names[2] = { "decode JPEG folder", "decode H.264 (CRF 18)" };
  for (int d = 0; d < 2; d++)
    {
      double fps = 0, base = 0;
      st = bench_decode (decode_inputs[d], store.n, (int) runs, &fps, &err);
      if (st < 0)
        return cli_report (&err, st);
      if (have_ffmpeg)
        {
          double *t = calloc ((size_t) runs, sizeof *t);
          for (int r = 0; r < runs; r++)
            {
              double s;
              if (d == 0)
                snprintf (cmd, sizeof cmd, "ffmpeg -v error -nostdin -framerate 24 -i '%s/%%05d.jpg' "
                          "-frames:v %lld -pix_fmt rgb24 -f null - 2>/dev/null", seq, store.n);
              else
                snprintf (cmd, sizeof cmd, "ffmpeg -v error -nostdin -i '%s' -pix_fmt rgb24 "
                          "-f null - 2>/dev/null", h264);
              run_shell (cmd, &s);
              t[r] = (double) store.n / s;
            }
          base = cli_median (t, (int) runs);
          free (t);
        }
      printf ("%-28s %10.1f %14.1f %8.2f\n", decode_names[d], fps, base,
              base > 0 ? fps / base : 0.0);
    }

  for (int fmt = 0; fmt < TINTA_FORMAT_COUNT; fmt++)
    {
      double *t = calloc ((size_t) runs, sizeof *t);
      double *tb = calloc ((size_t) runs, sizeof *tb);
      char out[300];
      snprintf (out, sizeof out, "%s/out-%s%s", tmpdir, tinta_format_name ((tinta_format) fmt),
                tinta_format_extension ((tinta_format) fmt));
      p.format = (tinta_format) fmt;
      for (int r = 0; r < runs; r++)
        {
          double t0 = cli_now ();
          st = tinta_export_frames (out, &p, store.n, store_source, &store, NULL, NULL, NULL, &err);
          if (st < 0)
            return cli_report (&err, st);
          t[r] = (double) store.n / (cli_now () - t0);
          if (have_ffmpeg)
            {
              double s;
              char target[400];
              if (fmt == TINTA_FORMAT_PNG)
                {
                  snprintf (target, sizeof target, "%s/ff-png", tmpdir);
                  mkdir (target, 0755);
                  snprintf (target, sizeof target, "%s/ff-png/%%05d.png", tmpdir);
                }
              else
                snprintf (target, sizeof target, "%s/ff-out", tmpdir);
              snprintf (cmd, sizeof cmd, "ffmpeg -v error -nostdin -y -f rawvideo -pix_fmt rgb24 "
                        "-s %dx%d -framerate 24 -i '%s' %s '%s' 2>/dev/null", w, h, raw,
                        ffmpeg_encode_args[fmt], target);
              run_shell (cmd, &s);
              tb[r] = (double) store.n / s;
            }
        }
      double fps = cli_median (t, (int) runs), base = have_ffmpeg ? cli_median (tb, (int) runs) : 0;
      char name[64];
      snprintf (name, sizeof name, "export %s", tinta_format_name ((tinta_format) fmt));
      printf ("%-28s %10.1f %14.1f %8.2f\n", name, fps, base, base > 0 ? fps / base : 0.0);
      free (t);
      free (tb);
    }
  if (!have_ffmpeg)
    printf ("(the ffmpeg program was not found: no baseline)\n");
  else
    printf ("(ffmpeg baselines include its process start-up)\n");
  snprintf (cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  if (system (cmd) != 0)
    fprintf (stderr, "tinta-cli: could not remove %s\n", tmpdir);
  for (long long k = 0; k < store.n; k++)
    free (store.rgb[k]);
  free (store.rgb);
  return CLI_OK;
}
