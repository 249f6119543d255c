/* The C operators of the colorization model against their PyTorch twins
 * (golden fixtures in tests/data/dvp made by training/make_op_fixtures.py
 * with the float64 loop definition): borders, displacements far outside
 * the image, kernels larger than the image, identity.  And the global
 * match at half size (what the fused strategy uses) against the half of
 * the full-size match, with the shipped model on a generated frame pair
 * of odd size. */
#include <stdlib.h>
#include <string.h>
#include "dvp/local_apply.h"
#include "dvp/local_internal.h"
#include "dvp/resample.h"
#include "nn/safetensors.h"
#include "testutil.h"
#include "tinta-test.h"
#include "tinta/tinta.h"

static float *
planes_of (const tinta_tensor *t)
{
  float *f = malloc ((size_t) t->numel * sizeof (float));
  tinta_tensor_to_f32 (t, f);   /* NCHW with N = 1: C planes */
  return f;
}

static void
run_case (const char *dir, const char *name)
{
  char path[4200];
  tinta_safetensors *st = NULL;
  tinta_error err = { 0 };
  snprintf (path, sizeof path, "%s/%s.safetensors", dir, name);
  CHECK_STATUS (tinta_safetensors_open (path, &st, &err), TINTA_OK, &err);
  if (st == NULL)
    return;
  const tinta_tensor *img = tinta_safetensors_find (st, "img");
  const tinta_tensor *disp = tinta_safetensors_find (st, "disp");
  const tinta_tensor *kv = tinta_safetensors_find (st, "kv");
  const tinta_tensor *kh = tinta_safetensors_find (st, "kh");
  const tinta_tensor *want = tinta_safetensors_find (st, "out");
  CHECK (img && disp && kv && kh && want);
  if (!(img && disp && kv && kh && want))
    {
      tinta_safetensors_free (st);
      return;
    }
  int C = (int) img->shape[1], H = (int) img->shape[2], W = (int) img->shape[3];
  int n = (int) kv->shape[1];
  float *im = planes_of (img), *ref = planes_of (want);
  float *d = tu_tensor_to_nhwc (disp), *v = tu_tensor_to_nhwc (kv), *h = tu_tensor_to_nhwc (kh);
  float *out = calloc ((size_t) C * H * W, sizeof (float));
  const float *in_planes[8];
  float *out_planes[8];
  for (int c = 0; c < C; c++)
    {
      in_planes[c] = im + (size_t) c * H * W;
      out_planes[c] = out + (size_t) c * H * W;
    }
  tinta_local_apply (in_planes, C, W, H, d, v, h, n, out_planes);
  double max_err = 0, range = 0;
  for (size_t i = 0; i < (size_t) C * H * W; i++)
    {
      max_err = fmax (max_err, fabs ((double) out[i] - ref[i]));
      range = fmax (range, fabs (ref[i]));
    }
  printf ("%-16s C=%d %dx%d n=%d  max abs err %.2e (values up to %.1f)\n", name, C, H, W, n,
          max_err, range);
  /* float32 sums of at most 64 products of values ~100: ~1e-5 relative. */
  CHECK_MSG (max_err <= 2e-5 * fmax (range, 1.0), "%s: error %g", name, max_err);
  free (im);
  free (ref);
  free (d);
  free (v);
  free (h);
  free (out);
  tinta_safetensors_free (st);
}

static void
check_half_match (void)
{
  char *dir = tu_scratch_dir ("dvp");
  char clip[4200];
  snprintf (clip, sizeof clip, "%s/pair.mkv", dir);
  /* odd width and height: tinta_half_res drops the last column and row */
  CHECK (tu_run ("%s -v error -y -f lavfi -i testsrc2=size=243x137:rate=25 -frames:v 3 "
                 "-c:v ffv1 '%s'", tu_ffmpeg (), clip) == 0);
  tinta_frame *key = tu_clip_frame (clip, 0), *f = tu_clip_frame (clip, 2);
  CHECK (key && f);
  tinta_global *g = NULL;
  tinta_error err = { 0 };
  if (key && f)
    CHECK_STATUS (tinta_global_new (NULL, key->width, key->height, &g, &err), TINTA_OK, &err);
  if (g)
    {
      int W = key->width, H = key->height, hw = W / 2, hh = H / 2;
      size_t n = (size_t) W * H, hn = (size_t) hw * hh;
      const tinta_frame *keys[1] = { key };
      float *full = malloc (4 * n * sizeof (float)), *half = malloc (4 * hn * sizeof (float));
      float *want = malloc (hn * sizeof (float));
      CHECK_STATUS (tinta_global_set_keyframes (g, keys, 1, &err), TINTA_OK, &err);
      CHECK_STATUS (tinta_global_predict_full (g, f->L, full, full + n, full + 2 * n, full + 3 * n,
                                               &err), TINTA_OK, &err);
      CHECK_STATUS (tinta_global_predict_half (g, f->L, half, half + hn, half + 2 * hn,
                                               half + 3 * hn, &err), TINTA_OK, &err);
      static const char *const names[4] = { "a", "b", "conf", "L" };
      for (int p = 0; p < 4; p++)
        {
          tinta_half_res (full + p * n, W, H, want);
          double e = 0, range = 0;
          for (size_t i = 0; i < hn; i++)
            {
              e = fmax (e, fabs ((double) half[p * hn + i] - want[i]));
              range = fmax (range, fabs (want[i]));
            }
          printf ("half-size match %-4s max abs err %.2e (values up to %.1f)\n", names[p], e, range);
          /* the same sums in another order */
          CHECK_MSG (e <= 1e-5 * fmax (range, 1.0), "%s: %g", names[p], e);
        }
      free (full);
      free (half);
      free (want);
    }
  tinta_global_free (g);
  tinta_frame_free (key);
  tinta_frame_free (f);
  free (dir);
}

int
main (void)
{
  char dir[4096];
  const char *root = getenv ("TINTA_SOURCE_ROOT");
  snprintf (dir, sizeof dir, "%s/tests/data/dvp", root ? root : ".");
  static const char *const cases[] = { "generic", "kernel_gt_image", "huge_disp", "identity",
                                       "border_shift", "inside_n7" };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    run_case (dir, cases[i]);
  check_half_match ();
  return tinta_test_end ("dvp");
}
