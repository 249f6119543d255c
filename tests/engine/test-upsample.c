/* Guided chroma upsampling (tinta/upsample.h): on generated shapes and on
 * a DAVIS frame (if ../shared is there), chroma taken down to 1/2.25 and
 * brought back guided by the full L must beat plain bilinear; constant
 * chroma stays constant, equal sizes copy, radius 0 is bilinear, bad
 * arguments get their status.  Prints the quality figures and the speed
 * at 854x480 -> 1080p / 4K (information, not asserted).
 * TINTA_UPSAMPLE_SWEEP=1 also prints the radius x eps table the defaults
 * were chosen from. */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "dvp/resample.h"
#include "testutil.h"
#include "tinta-test.h"
#include "tinta/tinta.h"

typedef struct {
  int W, H;
  float *L, *a, *b;
} image;

static image
image_new (int W, int H)
{
  size_t n = (size_t) W * H;
  image im = { W, H, malloc (n * sizeof (float)), malloc (n * sizeof (float)),
               malloc (n * sizeof (float)) };
  if (im.L == NULL || im.a == NULL || im.b == NULL)
    {
      fprintf (stderr, "out of memory\n");
      exit (1);
    }
  return im;
}

static void
image_free (image *im)
{
  free (im->L);
  free (im->a);
  free (im->b);
}

/* Deterministic value noise in [-1, 1]. */
static float
hash_noise (unsigned x, unsigned y)
{
  uint32_t h = x * 374761393u + y * 668265263u;
  h = (h ^ (h >> 13)) * 1274126177u;
  h ^= h >> 16;
  return (float) (h & 0xffff) / 32767.5f - 1.0f;
}

/* Sharp-edged colored shapes over a textured, gently shaded background:
 * discs, boxes, a rotated ellipse, bars a few pixels wide (thinner than
 * two working-resolution pixels), a checkerboard, and one disc with the
 * background's L, where no guide can help. */
static image
synthetic_scene (int W, int H)
{
  image im = image_new (W, H);
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      {
        float u = (float) x / W, v = (float) y / H;
        float L = 50.0f + 8.0f * sinf (0.09f * x) * sinf (0.07f * y) + 3.0f * hash_noise (x, y);
        float a = -8.0f + 16.0f * u, b = 20.0f * v - 5.0f;
        /* disc: saturated red, smooth L texture */
        float dx = x - 0.22f * W, dy = y - 0.30f * H;
        if (dx * dx + dy * dy < (0.14f * H) * (0.14f * H))
          L = 45.0f + 6.0f * sinf (0.3f * x + 0.2f * y), a = 60.0f, b = 40.0f;
        /* box: blue, grainy */
        if (x > 0.45f * W && x < 0.70f * W && y > 0.12f * H && y < 0.45f * H)
          L = 35.0f + 4.0f * hash_noise (y, x), a = 15.0f, b = -55.0f;
        /* rotated ellipse: green, bright */
        float ex = (x - 0.78f * W) * 0.80f + (y - 0.70f * H) * 0.60f;
        float ey = -(x - 0.78f * W) * 0.60f + (y - 0.70f * H) * 0.80f;
        if ((ex * ex) / (0.16f * W * 0.16f * W) + (ey * ey) / (0.07f * W * 0.07f * W) < 1.0f)
          L = 75.0f + 5.0f * sinf (0.25f * ex), a = -50.0f, b = 45.0f;
        /* bars 3, 5 and 7 pixels wide: yellow, magenta, cyan */
        for (int k = 0; k < 3; k++)
          {
            int x0 = (int) (0.08f * W) + 40 * k, wid = 3 + 2 * k;
            if (x >= x0 && x < x0 + wid && y > 0.55f * H && y < 0.95f * H)
              {
                static const float bar[3][3] = { { 85.0f, -5.0f, 75.0f }, { 40.0f, 65.0f, -35.0f },
                                                 { 70.0f, -35.0f, -25.0f } };
                L = bar[k][0], a = bar[k][1], b = bar[k][2];
              }
          }
        /* checkerboard of 9-pixel squares: orange on dark teal */
        if (x > 0.30f * W && x < 0.55f * W && y > 0.60f * H && y < 0.90f * H)
          {
            int odd = ((x / 9) + (y / 9)) & 1;
            L = odd ? 65.0f : 30.0f, a = odd ? 35.0f : -20.0f, b = odd ? 60.0f : -10.0f;
          }
        /* isoluminant disc: only chroma marks it */
        dx = x - 0.62f * W, dy = y - 0.75f * H;
        if (dx * dx + dy * dy < (0.08f * H) * (0.08f * H))
          a = 40.0f, b = -30.0f;
        im.L[(size_t) y * W + x] = L;
        im.a[(size_t) y * W + x] = a;
        im.b[(size_t) y * W + x] = b;
      }
  return im;
}

typedef struct {
  double rmse_ab;   /* root mean square of the ab distance */
  double psnr;      /* dB, of the 8-bit sRGB image against the reference's */
  double bleed;     /* fraction of pixels more than 10 ab units off */
} quality;

static quality
measure (const image *ref, const float *a, const float *b)
{
  size_t n = (size_t) ref->W * ref->H;
  uint8_t *want = malloc (n * 3), *got = malloc (n * 3);
  double se = 0.0;
  size_t far = 0;
  for (size_t i = 0; i < n; i++)
    {
      double da = (double) a[i] - ref->a[i], db = (double) b[i] - ref->b[i];
      se += da * da + db * db;
      far += da * da + db * db > 100.0;
    }
  tinta_lab_to_srgb8 (ref->L, ref->a, ref->b, n, want);
  tinta_lab_to_srgb8 (ref->L, a, b, n, got);
  quality q = { sqrt (se / n), tinta_psnr_rgb8 (want, got, n), (double) far / n };
  free (want);
  free (got);
  return q;
}

/* The chroma at w x h as the network would see it: area averages. */
static image
shrink (const image *full, int w, int h)
{
  image lo = image_new (w, h);
  tinta_error err = { 0 };
  CHECK_STATUS (tinta_downsample_area (full->L, full->W, full->H, lo.L, w, h, &err), TINTA_OK, &err);
  CHECK_STATUS (tinta_downsample_area (full->a, full->W, full->H, lo.a, w, h, &err), TINTA_OK, &err);
  CHECK_STATUS (tinta_downsample_area (full->b, full->W, full->H, lo.b, w, h, &err), TINTA_OK, &err);
  return lo;
}

/* Guided and bilinear qualities of full's chroma through w x h. */
static void
compare (const char *name, const image *full, int w, int h, const tinta_upsample_params *p,
         quality *guided, quality *bilinear)
{
  image lo = shrink (full, w, h);
  size_t n = (size_t) full->W * full->H;
  float *a = malloc (n * sizeof (float)), *b = malloc (n * sizeof (float));
  tinta_error err = { 0 };
  CHECK_STATUS (tinta_upsample_ab (full->L, full->W, full->H, lo.a, lo.b, w, h, a, b, p, &err),
                TINTA_OK, &err);
  *guided = measure (full, a, b);
  tinta_upsample_bilinear (lo.a, w, h, a, full->W, full->H);
  tinta_upsample_bilinear (lo.b, w, h, b, full->W, full->H);
  *bilinear = measure (full, a, b);
  if (name != NULL)
    printf ("%-22s %dx%d <- %dx%d  guided: ab RMSE %.3f, PSNR %.2f dB, %.2f%% > 10 off | "
            "bilinear: %.3f, %.2f dB, %.2f%%\n", name, full->W, full->H, w, h,
            guided->rmse_ab, guided->psnr, 100 * guided->bleed,
            bilinear->rmse_ab, bilinear->psnr, 100 * bilinear->bleed);
  free (a);
  free (b);
  image_free (&lo);
}

static int
load_frame (const char *path, image *out)
{
  tinta_frame *f = NULL;
  tinta_error err = { 0 };
  int st = tinta_image_load_any (path, &f, &err);
  CHECK_STATUS (st, TINTA_OK, &err);
  if (st != TINTA_OK)
    return 0;
  *out = image_new (f->width, f->height);
  size_t n = (size_t) f->width * f->height;
  memcpy (out->L, f->L, n * sizeof (float));
  memcpy (out->a, f->a, n * sizeof (float));
  memcpy (out->b, f->b, n * sizeof (float));
  tinta_frame_free (f);
  return 1;
}

static void
test_synthetic (void)
{
  image full = synthetic_scene (1152, 648);   /* 512 x 288 times 2.25 */
  quality g, bl;
  compare ("synthetic", &full, 512, 288, NULL, &g, &bl);
  /* Measured with the defaults: ab RMSE 2.56 vs 5.27, PSNR 36.03 vs
   * 30.63 dB, 1.28% vs 4.43% of pixels more than 10 off. */
  CHECK_MSG (g.rmse_ab < 0.6 * bl.rmse_ab, "ab RMSE %.3f vs bilinear %.3f", g.rmse_ab, bl.rmse_ab);
  CHECK_MSG (g.psnr > bl.psnr + 4.0, "PSNR %.2f vs bilinear %.2f dB", g.psnr, bl.psnr);
  CHECK_MSG (g.bleed < 0.5 * bl.bleed, "bleeding %.4f vs bilinear %.4f", g.bleed, bl.bleed);

  /* Radius 0: every window is one pixel, A = 0 and B = the chroma, so the
   * result is bilinear itself, which pins down the geometry. */
  image lo = shrink (&full, 512, 288);
  size_t n = (size_t) full.W * full.H;
  float *a = malloc (n * sizeof (float)), *b = malloc (n * sizeof (float));
  float *ref = malloc (n * sizeof (float));
  tinta_upsample_params p;
  tinta_upsample_params_init (&p);
  p.radius = 0;
  tinta_error err = { 0 };
  CHECK_STATUS (tinta_upsample_ab (full.L, full.W, full.H, lo.a, lo.b, 512, 288, a, b, &p, &err),
                TINTA_OK, &err);
  tinta_upsample_bilinear (lo.a, 512, 288, ref, full.W, full.H);
  double max_diff = 0.0;
  for (size_t i = 0; i < n; i++)
    max_diff = fmax (max_diff, fabs ((double) a[i] - ref[i]));
  CHECK_MSG (max_diff < 1e-4, "radius 0 differs from bilinear by %g", max_diff);
  free (a);
  free (b);
  free (ref);
  image_free (&lo);
  image_free (&full);
}

/* Chroma with no structure must not get any from L's texture. */
static void
test_constant (int W, int H, int w, int h)
{
  size_t n = (size_t) W * H, n_lo = (size_t) w * h;
  float *L = malloc (n * sizeof (float)), *a = malloc (n * sizeof (float)), *b = malloc (n * sizeof (float));
  float *a_lo = malloc (n_lo * sizeof (float)), *b_lo = malloc (n_lo * sizeof (float));
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      L[(size_t) y * W + x] = 50.0f + 45.0f * hash_noise (x, y) * ((x / 37 + y / 23) & 1);
  for (size_t i = 0; i < n_lo; i++)
    a_lo[i] = 12.5f, b_lo[i] = -30.25f;
  tinta_error err = { 0 };
  CHECK_STATUS (tinta_upsample_ab (L, W, H, a_lo, b_lo, w, h, a, b, NULL, &err), TINTA_OK, &err);
  double worst = 0.0;
  for (size_t i = 0; i < n; i++)
    worst = fmax (worst, fmax (fabs (a[i] - 12.5), fabs (b[i] + 30.25)));
  printf ("constant chroma %dx%d <- %dx%d: max deviation %.2e\n", W, H, w, h, worst);
  CHECK_MSG (worst < 1e-3, "constant chroma moved by %g", worst);
  free (L);
  free (a);
  free (b);
  free (a_lo);
  free (b_lo);
}

static void
test_identity (void)
{
  image full = synthetic_scene (320, 200);
  size_t n = (size_t) full.W * full.H;
  float *a = malloc (n * sizeof (float)), *b = malloc (n * sizeof (float));
  tinta_error err = { 0 };
  CHECK_STATUS (tinta_upsample_ab (full.L, full.W, full.H, full.a, full.b, full.W, full.H, a, b, NULL, &err),
                TINTA_OK, &err);
  CHECK (memcmp (a, full.a, n * sizeof (float)) == 0);
  CHECK (memcmp (b, full.b, n * sizeof (float)) == 0);
  /* In place. */
  CHECK_STATUS (tinta_upsample_ab (full.L, full.W, full.H, a, b, full.W, full.H, a, b, NULL, &err),
                TINTA_OK, &err);
  CHECK (memcmp (a, full.a, n * sizeof (float)) == 0);
  /* One pixel short of identity: the filter runs, and must not do worse
   * than bilinear there either. */
  quality g, bl;
  compare ("near identity", &full, full.W - 1, full.H - 1, NULL, &g, &bl);
  CHECK_MSG (g.rmse_ab <= bl.rmse_ab, "ab RMSE %.3f vs bilinear %.3f", g.rmse_ab, bl.rmse_ab);
  free (a);
  free (b);
  image_free (&full);
}

static void
test_downsample_area (void)
{
  const int W = 37, H = 23;
  float src[37 * 23], packed[36 * 22], half[18 * 11], got[18 * 11], small[16 * 10];
  for (int i = 0; i < W * H; i++)
    src[i] = 50.0f + 40.0f * hash_noise (i, 7);
  tinta_error err = { 0 };
  /* Integer factor: the 2x2 means of resample.c's half resolution. */
  for (int y = 0; y < 22; y++)
    memcpy (packed + y * 36, src + y * W, 36 * sizeof (float));
  tinta_half_res (packed, 36, 22, half);
  CHECK_STATUS (tinta_downsample_area (packed, 36, 22, got, 18, 11, &err), TINTA_OK, &err);
  double worst = 0.0;
  for (int i = 0; i < 18 * 11; i++)
    worst = fmax (worst, fabs (got[i] - half[i]));
  CHECK_MSG (worst < 1e-4, "factor 2 differs from 2x2 means by %g", worst);
  /* Non-integer factor: the mean is preserved (coverage weights sum to
   * one and every source cell is covered exactly once in total). */
  CHECK_STATUS (tinta_downsample_area (src, W, H, small, 16, 10, &err), TINTA_OK, &err);
  double mean_src = 0.0, mean_small = 0.0;
  for (int i = 0; i < W * H; i++)
    mean_src += src[i] / (W * H);
  for (int i = 0; i < 16 * 10; i++)
    mean_small += small[i] / (16 * 10);
  CHECK_NEAR (mean_small, mean_src, 1e-4);
}

static void
test_bad_arguments (void)
{
  float L[64] = { 0 }, a_lo[16] = { 0 }, b_lo[16] = { 0 }, a[64], b[64];
  tinta_error err = { 0 };
  tinta_upsample_params p;
#define UPS(L_, W_, H_, alo, blo, w_, h_, ao, bo, pp) \
  tinta_upsample_ab (L_, W_, H_, alo, blo, w_, h_, ao, bo, pp, &err)
  CHECK_STATUS (UPS (NULL, 8, 8, a_lo, b_lo, 4, 4, a, b, NULL), TINTA_ERR_INVALID_ARGUMENT, &err);
  CHECK_INT (err.status, TINTA_ERR_INVALID_ARGUMENT);
  CHECK (strstr (err.message, "NULL") != NULL);
  CHECK_STATUS (UPS (L, 8, 8, NULL, b_lo, 4, 4, a, b, NULL), TINTA_ERR_INVALID_ARGUMENT, &err);
  CHECK_STATUS (UPS (L, 8, 8, a_lo, NULL, 4, 4, a, b, NULL), TINTA_ERR_INVALID_ARGUMENT, &err);
  CHECK_STATUS (UPS (L, 8, 8, a_lo, b_lo, 4, 4, NULL, b, NULL), TINTA_ERR_INVALID_ARGUMENT, &err);
  CHECK_STATUS (UPS (L, 8, 8, a_lo, b_lo, 4, 4, a, NULL, NULL), TINTA_ERR_INVALID_ARGUMENT, &err);
  CHECK_STATUS (UPS (L, 8, 8, a_lo, b_lo, 4, 4, a, a, NULL), TINTA_ERR_INVALID_ARGUMENT, &err);
  CHECK_STATUS (UPS (L, 0, 8, a_lo, b_lo, 4, 4, a, b, NULL), TINTA_ERR_INVALID_ARGUMENT, &err);
  CHECK_STATUS (UPS (L, 8, -8, a_lo, b_lo, 4, 4, a, b, NULL), TINTA_ERR_INVALID_ARGUMENT, &err);
  CHECK_STATUS (UPS (L, 8, 8, a_lo, b_lo, 0, 4, a, b, NULL), TINTA_ERR_INVALID_ARGUMENT, &err);
  CHECK_STATUS (UPS (L, 8, 8, a_lo, b_lo, 4, -1, a, b, NULL), TINTA_ERR_INVALID_ARGUMENT, &err);
  CHECK_STATUS (UPS (L, 8, 8, a_lo, b_lo, 9, 4, a, b, NULL), TINTA_ERR_INVALID_ARGUMENT, &err);
  CHECK (strstr (err.message, "9x4") != NULL);
  CHECK_STATUS (UPS (L, 8, 8, a_lo, b_lo, 4, 9, a, b, NULL), TINTA_ERR_INVALID_ARGUMENT, &err);
  /* Sides whose product would overflow are refused before any arithmetic. */
  CHECK_STATUS (UPS (L, INT_MAX, INT_MAX, a_lo, b_lo, 4, 4, a, b, NULL), TINTA_ERR_TOO_LARGE, &err);
  CHECK_STATUS (UPS (L, TINTA_MAX_DIMENSION + 1, 8, a_lo, b_lo, 4, 4, a, b, NULL), TINTA_ERR_TOO_LARGE, &err);
  tinta_upsample_params_init (&p);
  p.radius = -1;
  CHECK_STATUS (UPS (L, 8, 8, a_lo, b_lo, 4, 4, a, b, &p), TINTA_ERR_OUT_OF_RANGE, &err);
  p.radius = TINTA_UPSAMPLE_MAX_RADIUS + 1;
  CHECK_STATUS (UPS (L, 8, 8, a_lo, b_lo, 4, 4, a, b, &p), TINTA_ERR_OUT_OF_RANGE, &err);
  tinta_upsample_params_init (&p);
  p.eps = 0.0f;
  CHECK_STATUS (UPS (L, 8, 8, a_lo, b_lo, 4, 4, a, b, &p), TINTA_ERR_OUT_OF_RANGE, &err);
  p.eps = -1.0f;
  CHECK_STATUS (UPS (L, 8, 8, a_lo, b_lo, 4, 4, a, b, &p), TINTA_ERR_OUT_OF_RANGE, &err);
  p.eps = NAN;
  CHECK_STATUS (UPS (L, 8, 8, a_lo, b_lo, 4, 4, a, b, &p), TINTA_ERR_OUT_OF_RANGE, &err);
  p.eps = INFINITY;
  CHECK_STATUS (UPS (L, 8, 8, a_lo, b_lo, 4, 4, a, b, &p), TINTA_ERR_OUT_OF_RANGE, &err);
#undef UPS
  /* Without an error struct the status still comes back. */
  CHECK_INT (tinta_upsample_ab (L, 8, 8, a_lo, b_lo, 9, 9, a, b, NULL, NULL), TINTA_ERR_INVALID_ARGUMENT);
  /* Extreme but valid shapes: one pixel up to a row, a column, a square. */
  CHECK_STATUS (tinta_upsample_ab (L, 64, 1, a_lo, b_lo, 1, 1, a, b, NULL, &err), TINTA_OK, &err);
  CHECK_STATUS (tinta_upsample_ab (L, 1, 64, a_lo, b_lo, 1, 1, a, b, NULL, &err), TINTA_OK, &err);
  CHECK_STATUS (tinta_upsample_ab (L, 8, 8, a_lo, b_lo, 1, 1, a, b, NULL, &err), TINTA_OK, &err);

  float dst[16];
  CHECK_STATUS (tinta_downsample_area (NULL, 8, 8, dst, 4, 4, &err), TINTA_ERR_INVALID_ARGUMENT, &err);
  CHECK_STATUS (tinta_downsample_area (L, 8, 8, NULL, 4, 4, &err), TINTA_ERR_INVALID_ARGUMENT, &err);
  CHECK_STATUS (tinta_downsample_area (L, 4, 4, dst, 8, 8, &err), TINTA_ERR_INVALID_ARGUMENT, &err);
  CHECK_STATUS (tinta_downsample_area (L, 8, 8, dst, 0, 4, &err), TINTA_ERR_INVALID_ARGUMENT, &err);
}

static void
test_real_frame (void)
{
  const char *shared = tu_shared_dir ();
  char path[4200];
  if (shared == NULL)
    {
      printf ("no TINTA_SHARED_DIR/data/eval: skipping the DAVIS frame\n");
      return;
    }
  snprintf (path, sizeof path, "%s/data/eval/blackswan/00000.jpg", shared);
  image full;
  if (!load_frame (path, &full))
    return;
  /* 854x480 / 2.25 = 379.6 x 213.3: a non-integer factor on both axes.
   * DAVIS JPEGs are 4:2:0, their chroma already half resolution and
   * smooth: there is little for the guide to restore, and the check is
   * that it restores some and breaks nothing.  Measured with the
   * defaults: PSNR 43.87 vs 43.78 dB, ab RMSE 1.678 vs 1.720. */
  int w = (int) lround (full.W / 2.25), h = (int) lround (full.H / 2.25);
  quality g, bl;
  compare ("blackswan/00000", &full, w, h, NULL, &g, &bl);
  CHECK_MSG (g.psnr > bl.psnr + 0.05, "PSNR %.2f vs bilinear %.2f dB", g.psnr, bl.psnr);
  CHECK_MSG (g.rmse_ab < 0.99 * bl.rmse_ab, "ab RMSE %.3f vs bilinear %.3f", g.rmse_ab, bl.rmse_ab);
  CHECK_MSG (g.bleed <= bl.bleed, "bleeding %.4f vs bilinear %.4f", g.bleed, bl.bleed);
  /* At 427x240, the JPEG's own chroma resolution, the frame has all its
   * chroma detail, as a 4:4:4 source would: the real test of the guide.
   * Measured: PSNR 41.34 vs 40.59 dB, ab RMSE 2.223 vs 2.448. */
  image half = shrink (&full, (full.W + 1) / 2, (full.H + 1) / 2);
  w = (int) lround (half.W / 2.25), h = (int) lround (half.H / 2.25);
  compare ("blackswan/00000 at 1/2", &half, w, h, NULL, &g, &bl);
  CHECK_MSG (g.psnr > bl.psnr + 0.5, "PSNR %.2f vs bilinear %.2f dB", g.psnr, bl.psnr);
  CHECK_MSG (g.rmse_ab < 0.95 * bl.rmse_ab, "ab RMSE %.3f vs bilinear %.3f", g.rmse_ab, bl.rmse_ab);
  image_free (&half);
  image_free (&full);
}

/* The table the defaults come from: PSNR gain over bilinear at 1/2.25 on
 * the generated scene, and on frame 0 of each DAVIS sequence at its own
 * 854x480 (4:2:0 chroma) and at 427x240 (complete chroma). */
static void
sweep (void)
{
  static const char *const seqs[] = { "blackswan", "bmx-trees", "car-roundabout", "car-shadow",
                                      "dance-twirl", "drift-chicane", "drift-straight",
                                      "horsejump-high", "libby" };
  static const int radii[] = { 1, 2, 3 };
  static const float epss[] = { 4.0f, 16.0f, 32.0f, 64.0f, 128.0f, 256.0f };
  enum { N_SEQ = sizeof seqs / sizeof seqs[0] };
  image scenes[1 + 2 * N_SEQ];
  int group[1 + 2 * N_SEQ], n = 0;
  group[n] = 0;
  scenes[n++] = synthetic_scene (1152, 648);
  const char *shared = tu_shared_dir ();
  for (int s = 0; shared != NULL && s < N_SEQ; s++)
    {
      char path[4200];
      snprintf (path, sizeof path, "%s/data/eval/%s/00000.jpg", shared, seqs[s]);
      if (!load_frame (path, &scenes[n]))
        continue;
      group[n + 1] = 2;
      scenes[n + 1] = shrink (&scenes[n], (scenes[n].W + 1) / 2, (scenes[n].H + 1) / 2);
      group[n] = 1;
      n += 2;
    }
  printf ("sweep: mean (worst) PSNR gain over bilinear, dB: synthetic | DAVIS 854x480 | DAVIS 427x240\n");
  for (size_t ri = 0; ri < sizeof radii / sizeof radii[0]; ri++)
    for (size_t ei = 0; ei < sizeof epss / sizeof epss[0]; ei++)
      {
        tinta_upsample_params p = { radii[ri], epss[ei] };
        double mean[3] = { 0 }, worst[3] = { 1e9, 1e9, 1e9 };
        int count[3] = { 0 };
        for (int s = 0; s < n; s++)
          {
            quality g, bl;
            int w = (int) lround (scenes[s].W / 2.25), h = (int) lround (scenes[s].H / 2.25);
            compare (NULL, &scenes[s], w, h, &p, &g, &bl);
            mean[group[s]] += g.psnr - bl.psnr;
            worst[group[s]] = fmin (worst[group[s]], g.psnr - bl.psnr);
            count[group[s]]++;
          }
        printf ("  r=%d eps=%-4g", radii[ri], epss[ei]);
        for (int k = 0; k < 3; k++)
          if (count[k] > 0)
            printf (" | %+6.2f (%+6.2f)", mean[k] / count[k], worst[k]);
        printf ("\n");
      }
  for (int s = 0; s < n; s++)
    image_free (&scenes[s]);
}

static double
median_ms (double *t, int n)
{
  for (int i = 1; i < n; i++)
    for (int j = i; j > 0 && t[j - 1] > t[j]; j--)
      {
        double s = t[j];
        t[j] = t[j - 1];
        t[j - 1] = s;
      }
  return 1e3 * t[n / 2];
}

static void
report_speed (int W, int H)
{
  const int w = 854, h = 480, runs = 7;
  size_t n = (size_t) W * H, n_lo = (size_t) w * h;
  float *L = malloc (n * sizeof (float)), *a = malloc (n * sizeof (float)), *b = malloc (n * sizeof (float));
  float *a_lo = malloc (n_lo * sizeof (float)), *b_lo = malloc (n_lo * sizeof (float));
  for (size_t i = 0; i < n; i++)
    L[i] = 50.0f + 40.0f * hash_noise (i % W, i / W);
  for (size_t i = 0; i < n_lo; i++)
    a_lo[i] = 30.0f * hash_noise (i, 1), b_lo[i] = 30.0f * hash_noise (i, 2);
  double tg[7], tb[7];
  tinta_error err = { 0 };
  for (int r = 0; r < runs; r++)
    {
      double t0 = tinta_now ();
      CHECK_STATUS (tinta_upsample_ab (L, W, H, a_lo, b_lo, w, h, a, b, NULL, &err), TINTA_OK, &err);
      double t1 = tinta_now ();
      tinta_upsample_bilinear (a_lo, w, h, a, W, H);
      tinta_upsample_bilinear (b_lo, w, h, b, W, H);
      tg[r] = t1 - t0;
      tb[r] = tinta_now () - t1;
    }
  printf ("speed %dx%d -> %dx%d: guided %.1f ms, bilinear a+b %.1f ms (median of %d)\n", w, h, W, H,
          median_ms (tg, runs), median_ms (tb, runs), runs);
  free (L);
  free (a);
  free (b);
  free (a_lo);
  free (b_lo);
}

int
main (void)
{
  test_bad_arguments ();
  test_downsample_area ();
  test_identity ();
  test_constant (1152, 648, 512, 288);
  test_constant (1920, 1080, 854, 480);
  test_synthetic ();
  test_real_frame ();
  const char *sw = getenv ("TINTA_UPSAMPLE_SWEEP");
  if (sw != NULL && sw[0] == '1')
    sweep ();
  report_speed (1920, 1080);
  report_speed (3840, 2160);
  return tinta_test_end ("upsample");
}
