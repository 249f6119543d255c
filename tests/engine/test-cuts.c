/* Hard-cut detection on generated frames: a panning texture that switches
 * to another one at frame CUT_AT must give exactly that cut, while a
 * flash and a fast pan before it must not; a generated clip through
 * tinta_detect_cuts_clip; bad arguments get their exact status. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "tinta-test.h"
#include "tinta/tinta.h"

#define W 256
#define H 144
#define N_FRAMES 60
#define CUT_AT 40

/* Smooth value noise: a hashed lattice, bilinear with a smoothstep, so a
 * pattern is defined everywhere and a pan is a plain shift of it. */
static float
lattice (int x, int y, uint32_t seed)
{
  uint32_t h = (uint32_t) x * 374761393u + (uint32_t) y * 668265263u + seed * 2246822519u;
  h = (h ^ (h >> 13)) * 1274126177u;
  return (float) ((h ^ (h >> 16)) & 0xffff) / 65535.0f;
}

static float
value_noise (float x, float y, uint32_t seed)
{
  float fx = floorf (x), fy = floorf (y);
  int ix = (int) fx, iy = (int) fy;
  float tx = x - fx, ty = y - fy;
  tx = tx * tx * (3 - 2 * tx);
  ty = ty * ty * (3 - 2 * ty);
  float top = lattice (ix, iy, seed) * (1 - tx) + lattice (ix + 1, iy, seed) * tx;
  float bottom = lattice (ix, iy + 1, seed) * (1 - tx) + lattice (ix + 1, iy + 1, seed) * tx;
  return top * (1 - ty) + bottom * ty;
}

/* Pattern A: mid-gray, large blobs and finer grain; pattern B: another
 * seed, darker and with stripes, as a different shot would be. */
static void
render (float *L, int pattern, float pan_x, float pan_y)
{
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      {
        float u = (float) x + pan_x, v = (float) y + pan_y;
        float L_val;
        if (pattern == 0)
          L_val = 30.0f + 45.0f * value_noise (u / 40.0f, v / 40.0f, 1)
                  + 15.0f * value_noise (u / 9.0f, v / 9.0f, 2);
        else
          L_val = 15.0f + 35.0f * value_noise (u / 30.0f, v / 30.0f, 7)
                  + 10.0f * sinf (u / 6.0f) + 10.0f * value_noise (u / 5.0f, v / 5.0f, 8);
        L[y * W + x] = L_val;
      }
}

/* Horizontal camera speed in pixels a frame: slow, then a fast pan that
 * speeds up over four frames as a camera does, up to 12 px a frame (it
 * crosses the frame in 21), and slows down again. */
static float
pan_speed (int k)
{
  static const float ramp[] = { 4.0f, 6.0f, 9.0f };
  if (k >= 18 && k <= 20)
    return ramp[k - 18];
  if (k >= 30 && k <= 32)
    return ramp[32 - k];
  return k > 20 && k < 30 ? 12.0f : 2.0f;
}

/* The clip: the slow pan with a two-frame flash at 10-11 (half the
 * picture clips to white) and the fast pan at 18-32; the other pattern,
 * panning slowly, from CUT_AT. */
static void
make_frame (int k, int flash, float *L)
{
  float pan_x = 0.0f;
  for (int j = 1; j <= k; j++)
    pan_x += pan_speed (j);
  render (L, k >= CUT_AT, pan_x, 0.3f * (float) k);
  if (flash && (k == 10 || k == 11))
    for (int i = 0; i < W * H; i++)
      L[i] = fminf (100.0f, L[i] * 1.3f + 20.0f);
}

static void
test_synthetic (void)
{
  tinta_error err = { 0 };
  tinta_cut_detector *d = NULL;
  float *L = malloc (sizeof (float) * W * H);
  float scores[N_FRAMES];
  int cuts[N_FRAMES], n_cuts = 0;

  CHECK_STATUS (tinta_cut_detector_new (W, H, NULL, &d, &err), TINTA_OK, &err);
  for (int pass = 0; pass < 2 && d != NULL; pass++)
    {
      /* The second pass after a reset must see the same clip afresh. */
      n_cuts = 0;
      for (int k = 0; k < N_FRAMES; k++)
        {
          int is_cut = -1;
          make_frame (k, 1, L);
          CHECK_STATUS (tinta_cut_detector_push (d, L, &is_cut, &scores[k], &err), TINTA_OK, &err);
          if (is_cut)
            cuts[n_cuts++] = k;
        }
      CHECK_INT (n_cuts, 1);
      CHECK_INT (n_cuts > 0 ? cuts[0] : -1, CUT_AT);
      tinta_cut_detector_reset (d);
    }
  CHECK (scores[0] == 0.0f);
  float flash = fmaxf (scores[10], fmaxf (scores[11], scores[12]));
  float pan = 0.0f;
  for (int k = 18; k <= 33; k++)
    pan = fmaxf (pan, scores[k]);
  printf ("scores: flash %.3f, fast pan %.3f, cut %.3f\n", flash, pan, scores[CUT_AT]);
  /* Not only below the bar: well below the cut, so the test says more
   * than that the thresholds happen to fall in between. */
  CHECK_MSG (scores[CUT_AT] > 2.0f * flash, "cut %.3f vs flash %.3f", scores[CUT_AT], flash);
  CHECK_MSG (scores[CUT_AT] > 2.0f * pan, "cut %.3f vs fast pan %.3f", scores[CUT_AT], pan);

  /* With no floor, the ratio to the recent scores alone must still tell
   * the fast pan from the cut (not the flash, which comes out of a calm
   * shot: the floor is what keeps it). */
  tinta_cut_params p;
  tinta_cut_params_init (&p);
  p.floor = 0.0f;
  tinta_cut_detector *bare = NULL;
  CHECK_STATUS (tinta_cut_detector_new (W, H, &p, &bare, &err), TINTA_OK, &err);
  n_cuts = 0;
  for (int k = 0; k < N_FRAMES && bare != NULL; k++)
    {
      int is_cut;
      make_frame (k, 0, L);
      tinta_cut_detector_push (bare, L, &is_cut, NULL, &err);
      if (is_cut)
        cuts[n_cuts++] = k;
    }
  CHECK_INT (n_cuts, 1);
  CHECK_INT (n_cuts > 0 ? cuts[0] : -1, CUT_AT);
  tinta_cut_detector_free (bare);

  /* Values outside 0..100 and NaN are clamped, not trusted. */
  for (int i = 0; i < W * H; i++)
    L[i] = i % 3 == 0 ? NAN : i % 3 == 1 ? 1e30f : -5.0f;
  int is_cut;
  float score;
  CHECK_STATUS (tinta_cut_detector_push (d, L, &is_cut, &score, &err), TINTA_OK, &err);
  CHECK (isfinite (score));
  tinta_cut_detector_free (d);
  free (L);
}

/* A tiny frame (smaller than the 16x9 grid) and a flat one work too. */
static void
test_small_and_flat (void)
{
  tinta_error err = { 0 };
  tinta_cut_detector *d = NULL;
  float L[5 * 3];
  int is_cut;
  float score;
  CHECK_STATUS (tinta_cut_detector_new (5, 3, NULL, &d, &err), TINTA_OK, &err);
  for (int k = 0; k < 10 && d != NULL; k++)
    {
      for (int i = 0; i < 15; i++)
        L[i] = 50.0f;
      CHECK_STATUS (tinta_cut_detector_push (d, L, &is_cut, &score, &err), TINTA_OK, &err);
      CHECK (is_cut == 0 && score == 0.0f);
    }
  tinta_cut_detector_free (d);
}

static void
test_clip (const char *dir)
{
  char clip[4200];
  tinta_error err = { 0 };
  int *cuts = NULL, n_cuts = -1;

  /* 24 frames of a moving test pattern, then 24 of a zooming fractal. */
  snprintf (clip, sizeof clip, "%s/cut.mkv", dir);
  CHECK (tu_run ("%s -v error -nostdin -y -f lavfi -i testsrc2=size=320x180:rate=24:duration=1 "
                 "-f lavfi -i mandelbrot=size=320x180:rate=24 -filter_complex "
                 "'[1:v]trim=end_frame=24,format=yuv420p[b];[0:v]format=yuv420p[a];"
                 "[a][b]concat=n=2:v=1:a=0[v]' -map '[v]' -c:v ffv1 '%s'",
                 tu_ffmpeg (), clip) == 0);
  CHECK_STATUS (tinta_detect_cuts_clip (clip, &cuts, &n_cuts, &err), TINTA_OK, &err);
  CHECK_INT (n_cuts, 1);
  CHECK_INT (n_cuts == 1 ? cuts[0] : -1, 24);
  free (cuts);

  snprintf (clip, sizeof clip, "%s/missing.mkv", dir);
  cuts = (int *) &n_cuts;
  CHECK_STATUS (tinta_detect_cuts_clip (clip, &cuts, &n_cuts, &err), TINTA_ERR_NOT_FOUND, &err);
  CHECK (cuts == NULL && n_cuts == 0);
  CHECK (strstr (err.path, "missing.mkv") != NULL);
}

static void
test_bad_arguments (void)
{
  tinta_error err = { 0 };
  tinta_cut_detector *d = (tinta_cut_detector *) &err;
  tinta_cut_params p;
  int is_cut = -1, n_cuts = -1, *cuts = NULL;
  float L[16 * 9] = { 0 }, score = -1.0f;

  CHECK_STATUS (tinta_cut_detector_new (0, 10, NULL, &d, &err), TINTA_ERR_OUT_OF_RANGE, &err);
  CHECK (d == NULL);
  CHECK_STATUS (tinta_cut_detector_new (10, -1, NULL, &d, &err), TINTA_ERR_OUT_OF_RANGE, &err);
  CHECK_STATUS (tinta_cut_detector_new (TINTA_MAX_DIMENSION + 1, 10, NULL, &d, &err),
                TINTA_ERR_OUT_OF_RANGE, &err);
  CHECK_STATUS (tinta_cut_detector_new (16, 9, NULL, NULL, &err), TINTA_ERR_INVALID_ARGUMENT, &err);
  CHECK (err.message[0] != '\0');

  tinta_cut_params_init (&p);
  p.ratio = -1.0f;
  CHECK_STATUS (tinta_cut_detector_new (16, 9, &p, &d, NULL), TINTA_ERR_OUT_OF_RANGE, NULL);
  tinta_cut_params_init (&p);
  p.floor = NAN;
  CHECK_STATUS (tinta_cut_detector_new (16, 9, &p, &d, &err), TINTA_ERR_OUT_OF_RANGE, &err);
  tinta_cut_params_init (&p);
  p.window = 0;
  CHECK_STATUS (tinta_cut_detector_new (16, 9, &p, &d, &err), TINTA_ERR_OUT_OF_RANGE, &err);
  p.window = 257;
  CHECK_STATUS (tinta_cut_detector_new (16, 9, &p, &d, &err), TINTA_ERR_OUT_OF_RANGE, &err);
  tinta_cut_params_init (&p);
  p.min_shot = -1;
  CHECK_STATUS (tinta_cut_detector_new (16, 9, &p, &d, &err), TINTA_ERR_OUT_OF_RANGE, &err);
  CHECK (d == NULL);

  CHECK_STATUS (tinta_cut_detector_new (16, 9, NULL, &d, &err), TINTA_OK, &err);
  CHECK_STATUS (tinta_cut_detector_push (NULL, L, &is_cut, &score, &err),
                TINTA_ERR_INVALID_ARGUMENT, &err);
  CHECK (is_cut == 0 && score == 0.0f);
  CHECK_STATUS (tinta_cut_detector_push (d, NULL, &is_cut, &score, &err),
                TINTA_ERR_INVALID_ARGUMENT, &err);
  CHECK_STATUS (tinta_cut_detector_push (d, L, NULL, &score, &err), TINTA_ERR_INVALID_ARGUMENT,
                &err);
  /* The first frame after those is still the first: no score. */
  L[0] = 100.0f;
  CHECK_STATUS (tinta_cut_detector_push (d, L, &is_cut, NULL, NULL), TINTA_OK, NULL);
  CHECK (is_cut == 0);
  tinta_cut_detector_free (d);
  tinta_cut_detector_free (NULL);
  tinta_cut_detector_reset (NULL);
  tinta_cut_params_init (NULL);

  CHECK_STATUS (tinta_detect_cuts_clip (NULL, &cuts, &n_cuts, &err), TINTA_ERR_INVALID_ARGUMENT,
                &err);
  CHECK (cuts == NULL && n_cuts == 0);
  CHECK_STATUS (tinta_detect_cuts_clip ("x.mkv", NULL, &n_cuts, &err),
                TINTA_ERR_INVALID_ARGUMENT, &err);
  CHECK_STATUS (tinta_detect_cuts_clip ("x.mkv", &cuts, NULL, &err), TINTA_ERR_INVALID_ARGUMENT,
                &err);
}

int
main (void)
{
  char *dir = tu_scratch_dir ("cuts");
  test_synthetic ();
  test_small_and_flat ();
  test_clip (dir);
  test_bad_arguments ();
  tu_run ("rm -rf '%s'", dir);
  free (dir);
  return tinta_test_end ("cuts");
}
