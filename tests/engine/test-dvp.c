/* The C operators of the colorization model against their PyTorch twins
 * (golden fixtures in tests/data/dvp made by training/make_op_fixtures.py
 * with the float64 loop definition): borders, displacements far outside
 * the image, kernels larger than the image, identity. */
#include <stdlib.h>
#include <string.h>
#include "dvp/local_apply.h"
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

int
main (void)
{
  char dir[4096];
  const char *root = getenv ("TINTA_SOURCE_ROOT");
  snprintf (dir, sizeof dir, "%s/tests/data/dvp", root ? root : ".");
  static const char *const cases[] = { "generic", "kernel_gt_image", "huge_disp", "identity",
                                       "border_shift" };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    run_case (dir, cases[i]);
  return tinta_test_end ("dvp");
}
