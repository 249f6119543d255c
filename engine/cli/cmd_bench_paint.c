/* tinta-cli bench paint: what the editor feels while the user paints.
 * One frame (a still image, by default blackswan/00000.jpg of the shared
 * data folder) at its own size, resized to 854x480 and to 1920x1080; on
 * each, a stroke of 40 points across the middle: the median time of
 * tinta_paint_add_stroke and of tinta_paint_fill with the default
 * parameters.  Wall times on this machine, all cores OpenMP is given. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <math.h>
#include "cli.h"

#ifndef TINTA_SHARED_DIR_DEFAULT
#define TINTA_SHARED_DIR_DEFAULT "../shared"
#endif

/* $TINTA_SHARED_DIR (as the tests use), else the folder the build was
 * configured with (meson option shared_dir, ../shared by default). */
static const char *
default_image (char *buf, size_t size)
{
  const char *dir = getenv ("TINTA_SHARED_DIR");
  if (dir == NULL || dir[0] == '\0')
    dir = TINTA_SHARED_DIR_DEFAULT;
  snprintf (buf, size, "%s/data/eval/blackswan/00000.jpg", dir);
  return buf;
}

/* Bilinear resize, half-pixel centres (the engine's convention). */
static void
resize (const float *src, int sw, int sh, float *dst, int dw, int dh)
{
  for (int y = 0; y < dh; y++)
    {
      double fy = fmax ((y + 0.5) * sh / dh - 0.5, 0.0);
      int y0 = (int) fy < sh - 1 ? (int) fy : sh - 1, y1 = y0 + 1 < sh ? y0 + 1 : y0;
      float wy = (float) fmin (fy - y0, 1.0);
      for (int x = 0; x < dw; x++)
        {
          double fx = fmax ((x + 0.5) * sw / dw - 0.5, 0.0);
          int x0 = (int) fx < sw - 1 ? (int) fx : sw - 1, x1 = x0 + 1 < sw ? x0 + 1 : x0;
          float wx = (float) fmin (fx - x0, 1.0);
          const float *r0 = src + (size_t) y0 * sw, *r1 = src + (size_t) y1 * sw;
          float top = r0[x0] + wx * (r0[x1] - r0[x0]), bot = r1[x0] + wx * (r1[x1] - r1[x0]);
          dst[(size_t) y * dw + x] = top + wy * (bot - top);
        }
    }
}

static int
bench_size (const float *L0, int W0, int H0, int W, int H, int runs)
{
  size_t n = (size_t) W * H;
  float *L = malloc (n * sizeof (float)), *a = malloc (n * sizeof (float));
  float *b = malloc (n * sizeof (float)), *alpha = malloc (n * sizeof (float));
  double *t_fill = calloc ((size_t) runs, sizeof (double));
  double *t_stroke = calloc ((size_t) runs, sizeof (double));
  int rc = CLI_OK;
  tinta_error err = { 0 };
  tinta_paint *p = NULL;
  if (L == NULL || a == NULL || b == NULL || alpha == NULL || t_fill == NULL || t_stroke == NULL)
    {
      fprintf (stderr, "tinta-cli: out of memory\n");
      rc = CLI_FAIL;
      goto out;
    }
  resize (L0, W0, H0, L, W, H);
  int st = tinta_paint_new (L, W, H, &p, &err);
  if (st < 0)
    {
      rc = cli_report (&err, st);
      goto out;
    }
  /* A scribble across the middle third, its size scaled with the frame. */
  tinta_stroke_point pts[40];
  for (int i = 0; i < 40; i++)
    {
      double t = i / 39.0;
      pts[i] = (tinta_stroke_point) { W * (0.3 + 0.4 * t), H * (0.65 + 0.05 * sin (6.28 * t)),
                                      0.8 + 0.2 * t };
    }
  tinta_stroke s = { { 50.0f, 30.0f, -20.0f }, 14.0f * H / 480.0f, 0.7f, 0, pts, 40 };
  tinta_paint_params prm;
  tinta_paint_params_init (&prm);
  for (int r = 0; r < runs && rc == CLI_OK; r++)
    {
      tinta_paint_clear (p);
      double t0 = cli_now ();
      st = tinta_paint_add_stroke (p, &s, &err);
      double t1 = cli_now ();
      if (st == TINTA_OK)
        st = tinta_paint_fill (p, &prm, a, b, alpha, &err);
      t_stroke[r] = 1e3 * (t1 - t0);
      t_fill[r] = 1e3 * (cli_now () - t1);
      if (st < 0)
        rc = cli_report (&err, st);
    }
  if (rc == CLI_OK)
    {
      double covered = 0.0;
      for (size_t i = 0; i < n; i++)
        covered += alpha[i] > 0.5f;
      printf ("%4dx%-4d  fill %7.1f ms   add_stroke %6.2f ms   (median of %d; %.1f%% of the "
              "frame filled)\n", W, H, cli_median (t_fill, runs), cli_median (t_stroke, runs),
              runs, 100.0 * covered / n);
    }
out:
  tinta_paint_free (p);
  free (L);
  free (a);
  free (b);
  free (alpha);
  free (t_fill);
  free (t_stroke);
  return rc;
}

int
cmd_bench_paint (int argc, char **argv)
{
  long long runs = 9;
  const char *image = NULL;
  char buf[4200];
  int rc;
  for (int i = 2; i < argc; i++)
    {
      if (strcmp (argv[i], "--runs") == 0)
        {
          if ((rc = cli_parse_int ("--runs", i + 1 < argc ? argv[++i] : NULL, 1, 1000, &runs))
              != CLI_OK)
            return rc;
        }
      else if (argv[i][0] == '-')
        return cli_usage_error ("bench paint: unknown option '%s'", argv[i]);
      else if (image != NULL)
        return cli_usage_error ("bench paint takes one image");
      else
        image = argv[i];
    }
  if (image == NULL)
    image = default_image (buf, sizeof buf);
  tinta_frame *f = NULL;
  tinta_error err = { 0 };
  int st = tinta_image_load_any (image, &f, &err);
  if (st < 0)
    return cli_report (&err, st);
  printf ("bench paint: %s (%dx%d), a 40-point stroke, default parameters\n", image, f->width,
          f->height);
  rc = bench_size (f->L, f->width, f->height, 854, 480, (int) runs);
  if (rc == CLI_OK)
    rc = bench_size (f->L, f->width, f->height, 1920, 1080, (int) runs);
  tinta_frame_free (f);
  return rc;
}
