/* Color conversions: known values, exact 8-bit round trip over all 2^24
 * colors, agreement of the fast float path with the double reference,
 * exact rounding of Lab -> sRGB8, and the PSNR measure. */
#include <stdint.h>
#include <stdlib.h>
#include "tinta-test.h"
#include "tinta/tinta.h"

static void
check_known (void)
{
  /* Reference values: CIE Lab of the sRGB primaries under D65 with the
   * scikit-image matrix (skimage.color.rgb2lab gives the same to 1e-4). */
  static const struct { uint8_t rgb[3]; double lab[3]; } known[] = {
    { { 255, 255, 255 }, { 100.0, 0.0, 0.0 } },
    { { 0, 0, 0 }, { 0.0, 0.0, 0.0 } },
    { { 255, 0, 0 }, { 53.2408, 80.0925, 67.2032 } },
    { { 0, 255, 0 }, { 87.7347, -86.1827, 83.1793 } },
    { { 0, 0, 255 }, { 32.2970, 79.1875, -107.8602 } },
    { { 128, 128, 128 }, { 53.5850, 0.0, 0.0 } },
  };
  for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
    {
      float L, a, b;
      tinta_srgb8_to_lab (known[i].rgb, 1, &L, &a, &b);
      CHECK_NEAR (L, known[i].lab[0], 0.01);
      CHECK_NEAR (a, known[i].lab[1], 0.01);
      CHECK_NEAR (b, known[i].lab[2], 0.01);
      double rgbd[3] = { known[i].rgb[0] / 255.0, known[i].rgb[1] / 255.0, known[i].rgb[2] / 255.0 };
      double lab[3];
      tinta_lab_from_srgb_d (rgbd, lab);
      CHECK_NEAR (lab[0], known[i].lab[0], 0.01);
      CHECK_NEAR (lab[1], known[i].lab[1], 0.01);
      CHECK_NEAR (lab[2], known[i].lab[2], 0.01);
    }
}

/* Every 8-bit color survives sRGB8 -> Lab -> sRGB8 unchanged. */
static void
check_round_trip_all (void)
{
  const size_t chunk = 1 << 16;
  uint8_t *rgb = malloc (chunk * 3), *back = malloc (chunk * 3);
  float *L = malloc (chunk * sizeof (float)), *a = malloc (chunk * sizeof (float)),
        *b = malloc (chunk * sizeof (float));
  long long mismatches = 0;
  double max_dl = 0, max_da = 0;
  for (uint32_t base = 0; base < (1u << 24); base += (uint32_t) chunk)
    {
      for (size_t i = 0; i < chunk; i++)
        {
          uint32_t c = base + (uint32_t) i;
          rgb[3 * i] = (uint8_t) (c >> 16);
          rgb[3 * i + 1] = (uint8_t) (c >> 8);
          rgb[3 * i + 2] = (uint8_t) c;
        }
      tinta_srgb8_to_lab (rgb, chunk, L, a, b);
      tinta_lab_to_srgb8 (L, a, b, chunk, back);
      for (size_t i = 0; i < chunk * 3; i++)
        mismatches += rgb[i] != back[i];
      /* The fast float path against the double reference, every 97th. */
      for (size_t i = 0; i < chunk; i += 97)
        {
          double in[3] = { rgb[3 * i] / 255.0, rgb[3 * i + 1] / 255.0, rgb[3 * i + 2] / 255.0 };
          double lab[3];
          tinta_lab_from_srgb_d (in, lab);
          double dl = fabs (lab[0] - L[i]);
          double da = fmax (fabs (lab[1] - a[i]), fabs (lab[2] - b[i]));
          max_dl = dl > max_dl ? dl : max_dl;
          max_da = da > max_da ? da : max_da;
        }
    }
  CHECK_MSG (mismatches == 0, "%lld channel values changed in the round trip", mismatches);
  CHECK_MSG (max_dl < 2e-4, "fast L deviates by %g", max_dl);
  CHECK_MSG (max_da < 5e-4, "fast a/b deviate by %g", max_da);
  printf ("round trip: 16777216 colors, %lld mismatches; fast path max |dL| %.2e, |dab| %.2e\n",
          mismatches, max_dl, max_da);
  free (rgb);
  free (back);
  free (L);
  free (a);
  free (b);
}

/* Lab -> sRGB8 rounds to nearest, as the double reference says, for Lab
 * values all over (and outside) the gamut. */
static void
check_rounding (void)
{
  enum { N = 200000 };
  float *L = malloc (N * sizeof (float)), *a = malloc (N * sizeof (float)),
        *b = malloc (N * sizeof (float));
  uint8_t *rgb = malloc (N * 3);
  unsigned s = 12345;
  for (int i = 0; i < N; i++)
    {
      s = s * 1103515245u + 12345u;
      L[i] = (float) ((s >> 8) % 10001) / 100.0f;
      s = s * 1103515245u + 12345u;
      a[i] = (float) ((int) ((s >> 8) % 25601) - 12800) / 100.0f;
      s = s * 1103515245u + 12345u;
      b[i] = (float) ((int) ((s >> 8) % 25601) - 12800) / 100.0f;
    }
  tinta_lab_to_srgb8 (L, a, b, N, rgb);
  int wrong = 0;
  for (int i = 0; i < N; i++)
    {
      double lab[3] = { L[i], a[i], b[i] }, out[3];
      tinta_srgb_from_lab_d (lab, out);
      for (int c = 0; c < 3; c++)
        {
          double v = out[c] * 255.0;
          v = v < 0 ? 0 : (v > 255 ? 255 : v);
          double frac = v - floor (v);
          if (fabs (frac - 0.5) < 1e-3)
            continue;   /* a tie within float precision: either is right */
          wrong += rgb[3 * i + c] != (uint8_t) lround (v);
        }
    }
  CHECK_MSG (wrong == 0, "%d channels rounded differently from the double reference", wrong);
  free (L);
  free (a);
  free (b);
  free (rgb);
}

static void
check_float_path (void)
{
  enum { N = 4096 };
  float r[N], g[N], bl[N], L[N], a[N], b[N], r2[N], g2[N], b2[N];
  for (int i = 0; i < N; i++)
    {
      r[i] = (float) (i % 16) / 15.0f;
      g[i] = (float) ((i / 16) % 16) / 15.0f;
      bl[i] = (float) (i / 256) / 15.0f;
    }
  tinta_srgbf_to_lab (r, g, bl, N, L, a, b);
  tinta_lab_to_srgbf (L, a, b, N, r2, g2, b2);
  double max = 0;
  for (int i = 0; i < N; i++)
    {
      max = fmax (max, fabs (r[i] - r2[i]));
      max = fmax (max, fabs (g[i] - g2[i]));
      max = fmax (max, fabs (bl[i] - b2[i]));
    }
  CHECK_MSG (max < 1e-4, "float round trip error %g", max);
}

static void
check_psnr (void)
{
  uint8_t x[300], y[300];
  for (int i = 0; i < 300; i++)
    {
      x[i] = (uint8_t) (i % 200);
      y[i] = (uint8_t) (x[i] + 1);
    }
  CHECK_NEAR (tinta_psnr_rgb8 (x, y, 100), 10 * log10 (255.0 * 255.0), 1e-9);
  CHECK_NEAR (tinta_psnr_rgb8 (x, x, 100), TINTA_PSNR_MAX, 0);
  y[0] = (uint8_t) (x[0] + 11);   /* one error of 11 and 299 of 1 */
  CHECK_NEAR (tinta_psnr_rgb8 (x, y, 100), 10 * log10 (255.0 * 255.0 / ((121.0 + 299.0) / 300.0)), 1e-9);
}

int
main (void)
{
  check_known ();
  check_round_trip_all ();
  check_rounding ();
  check_float_path ();
  check_psnr ();
  return tinta_test_end ("color");
}
