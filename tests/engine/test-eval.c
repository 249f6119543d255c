/* The evaluation harness on generated sequences with known answers:
 * identical frames score the PSNR ceiling; frames whose chroma changes
 * score exactly what the protocol says (true L + keyframe chroma vs the
 * frame), with the means over frames 1..24 and 1..N-1 and --frames. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "tinta-test.h"
#include "tinta/tinta.h"

enum { W = 96, H = 64, N = 30 };

static void
make_frame (int k, uint8_t *rgb)
{
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      {
        uint8_t *p = rgb + 3 * (y * W + x);
        p[0] = (uint8_t) (40 + 2 * x);
        p[1] = (uint8_t) (30 + 3 * y);
        p[2] = (uint8_t) (120 + x - y);
        /* A block whose colors change with k: what copy gets wrong. */
        if (k > 0 && x >= 20 && x < 20 + k && y >= 10 && y < 40)
          {
            p[0] = (uint8_t) (200 - 3 * k);
            p[1] = (uint8_t) (60 + 4 * k);
            p[2] = 90;
          }
      }
}

static double
expected_psnr (const uint8_t *key, const uint8_t *frame)
{
  float *L = malloc (W * H * sizeof (float)), *a = malloc (W * H * sizeof (float)),
        *b = malloc (W * H * sizeof (float)), *ka = malloc (W * H * sizeof (float)),
        *kb = malloc (W * H * sizeof (float)), *kL = malloc (W * H * sizeof (float));
  uint8_t *out = malloc (W * H * 3);
  tinta_srgb8_to_lab (frame, W * H, L, a, b);
  tinta_srgb8_to_lab (key, W * H, kL, ka, kb);
  tinta_lab_to_srgb8 (L, ka, kb, W * H, out);
  double p = tinta_psnr_rgb8 (out, frame, W * H);
  free (L); free (a); free (b); free (ka); free (kb); free (kL); free (out);
  return p;
}

int
main (void)
{
  char *dir = tu_scratch_dir ("eval");
  char seq[4200], same[4200], p[4400];
  uint8_t key[W * H * 3], fr[W * H * 3];
  tinta_error err = { 0 };
  double expect[N], sum25 = 0, sum_all = 0, sum10 = 0;

  snprintf (seq, sizeof seq, "%s/changing", dir);
  snprintf (same, sizeof same, "%s/static", dir);
  tu_run ("mkdir -p '%s' '%s'", seq, same);
  make_frame (0, key);
  for (int k = 0; k < N; k++)
    {
      make_frame (k, fr);
      snprintf (p, sizeof p, "%s/%05d.png", seq, k);
      CHECK_STATUS (tinta_image_save_png (p, fr, W, H, &err), TINTA_OK, &err);
      snprintf (p, sizeof p, "%s/%05d.png", same, k);
      CHECK_STATUS (tinta_image_save_png (p, key, W, H, &err), TINTA_OK, &err);
      expect[k] = expected_psnr (key, fr);
      if (k >= 1 && k <= 24)
        sum25 += expect[k];
      if (k >= 1)
        sum_all += expect[k];
      if (k >= 1 && k <= 9)
        sum10 += expect[k];
    }
  /* The changing block makes later frames worse: a real signal. */
  CHECK (expect[1] > expect[N - 1] + 3.0);

  tinta_eval_options opt;
  tinta_eval_result r;
  tinta_eval_options_init (&opt);
  CHECK_STATUS (tinta_eval_sequence (seq, &opt, &r, &err), TINTA_OK, &err);
  CHECK_INT (r.frames, N);
  CHECK_NEAR (r.psnr25, sum25 / 24.0, 1e-9);
  CHECK_NEAR (r.psnr_all, sum_all / (N - 1), 1e-9);
  for (int k = 1; k < N && r.psnr; k++)
    CHECK_NEAR (r.psnr[k], expect[k], 1e-9);
  CHECK (r.ms_per_frame >= 0.0);
  tinta_eval_result_clear (&r);

  /* --frames 10: keyframe + 9 predicted; psnr25 covers what there is. */
  opt.max_frames = 10;
  CHECK_STATUS (tinta_eval_sequence (seq, &opt, &r, &err), TINTA_OK, &err);
  CHECK_INT (r.frames, 10);
  CHECK_NEAR (r.psnr25, sum10 / 9.0, 1e-9);
  CHECK_NEAR (r.psnr_all, sum10 / 9.0, 1e-9);
  tinta_eval_result_clear (&r);

  /* Identical frames: copy is perfect and scores the ceiling. */
  opt.max_frames = 0;
  CHECK_STATUS (tinta_eval_sequence (same, &opt, &r, &err), TINTA_OK, &err);
  CHECK_NEAR (r.psnr25, TINTA_PSNR_MAX, 0);
  CHECK_NEAR (r.psnr_all, TINTA_PSNR_MAX, 0);
  tinta_eval_result_clear (&r);

  /* Errors: unknown strategy, one-frame sequence, negative limit. */
  opt.strategy = "nonesuch";
  CHECK_STATUS (tinta_eval_sequence (seq, &opt, &r, &err), TINTA_ERR_UNKNOWN_NAME, &err);
  opt.strategy = "copy";
  opt.max_frames = -3;
  CHECK_STATUS (tinta_eval_sequence (seq, &opt, &r, &err), TINTA_ERR_OUT_OF_RANGE, &err);
  opt.max_frames = 1;
  CHECK_STATUS (tinta_eval_sequence (seq, &opt, &r, &err), TINTA_ERR_OUT_OF_RANGE, &err);

  tu_run ("rm -rf '%s'", dir);
  free (dir);
  return tinta_test_end ("eval");
}
