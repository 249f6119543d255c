/* The batch colorizer (tinta/colorize.h) with a partial (painted)
 * keyframe, on a generated clip with the shipped model:
 *   - the painted square shows at its frame (fused and local), and the
 *     chains carry it to the neighbouring frames;
 *   - outside the paint, the frame is what it is without the partial key;
 *   - the colorizer makes the editor worker's pictures with the same keys
 *     (one overlay rule, shot/blend.h);
 *   - bad partial keyframes fail with their exact status. */
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "tinta-test.h"
#include "tinta/tinta.h"
#include "tinta/colorize.h"
#include "tinta/worker.h"

#define N_FRAMES 20
#define WORK_H   128
#define PAINT_AT 8
#define LAST     (N_FRAMES - 1)

/* The painted square (clip coordinates) and its colour. */
#define SQ_X0 60
#define SQ_X1 160
#define SQ_Y0 40
#define SQ_Y1 120
#define PAINT_A 60.0f      /* magenta: far from testsrc2's colors there */
#define PAINT_B (-50.0f)


/* The mean a, b over the square's middle (20x20 pixels). */
static void
centre (const tinta_frame *f, float *a, float *b)
{
  double sa = 0, sb = 0;
  int cx = (SQ_X0 + SQ_X1) / 2, cy = (SQ_Y0 + SQ_Y1) / 2, n = 0;
  for (int y = cy - 10; y < cy + 10; y++)
    for (int x = cx - 10; x < cx + 10; x++, n++)
      {
        sa += f->a[(size_t) y * f->width + x];
        sb += f->b[(size_t) y * f->width + x];
      }
  *a = (float) (sa / n);
  *b = (float) (sb / n);
}

/* Colorizes the clip with full keys at 0 and LAST (and the partial key at
 * PAINT_AT when paint is given); keeps frames PAINT_AT - 1 .. PAINT_AT + 1
 * (a, b planes) in out[0..2] and every frame's a, b in all (may be NULL). */
static int
colorize (const char *clip, const char *strategy, const tinta_frame *paint, const float *alpha,
          tinta_frame *out[3], tinta_frame **all)
{
  tinta_error err = { 0 };
  tinta_media *m = NULL;
  tinta_frame *k0 = tu_clip_frame (clip, 0), *k1 = tu_clip_frame (clip, LAST);
  tinta_colorizer *c = NULL;
  int ok = 0;
  CHECK_STATUS (tinta_media_open (clip, &m, &err), TINTA_OK, &err);
  if (m == NULL || k0 == NULL || k1 == NULL)
    goto done;
  tinta_keyframe keys[2] = { { 0, k0 }, { LAST, k1 } };
  tinta_colorize_params cp;
  tinta_colorize_params_init (&cp);
  cp.working_height = WORK_H;
  cp.strategy = strategy;
  CHECK_STATUS (tinta_colorizer_new (m, N_FRAMES, keys, 2, &cp, &c, &err), TINTA_OK, &err);
  if (c == NULL)
    goto done;
  if (paint != NULL)
    CHECK_STATUS (tinta_colorizer_add_partial (c, PAINT_AT, paint, alpha, &err), TINTA_OK, &err);
  tinta_frame *f = tinta_frame_new (k0->width, k0->height, TINTA_FRAME_LAB | TINTA_FRAME_RGB);
  size_t np = (size_t) k0->width * k0->height;
  ok = f != NULL;
  for (long long k = 0; ok && k < N_FRAMES; k++)
    {
      int st = tinta_colorizer_frame (c, k, f, &err);
      CHECK_STATUS (st, TINTA_OK, &err);
      ok = st == TINTA_OK;
      tinta_frame *keep = k >= PAINT_AT - 1 && k <= PAINT_AT + 1 ? out[k - (PAINT_AT - 1)] : NULL;
      if (ok && keep)
        {
          memcpy (keep->a, f->a, np * sizeof (float));
          memcpy (keep->b, f->b, np * sizeof (float));
        }
      if (ok && all)
        {
          memcpy (all[k]->a, f->a, np * sizeof (float));
          memcpy (all[k]->b, f->b, np * sizeof (float));
        }
    }
  /* After the first frame, no more partial keys. */
  if (paint != NULL)
    CHECK_STATUS (tinta_colorizer_add_partial (c, 3, paint, alpha, &err),
                  TINTA_ERR_INVALID_ARGUMENT, &err);
  tinta_frame_free (f);
done:
  tinta_colorizer_free (c);
  tinta_media_free (m);
  tinta_frame_free (k0);
  tinta_frame_free (k1);
  return ok;
}

static tinta_frame **
frames_new (int n, int w, int h)
{
  tinta_frame **f = calloc ((size_t) n, sizeof *f);
  for (int i = 0; i < n; i++)
    f[i] = tinta_frame_new (w, h, TINTA_FRAME_LAB);
  return f;
}

static void
frames_free (tinta_frame **f, int n)
{
  for (int i = 0; f && i < n; i++)
    tinta_frame_free (f[i]);
  free (f);
}

static void
test_errors (const char *clip, const tinta_frame *paint, const float *alpha)
{
  tinta_error err = { 0 };
  tinta_media *m = NULL;
  tinta_frame *k0 = tu_clip_frame (clip, 0);
  tinta_colorizer *c = NULL;
  CHECK_STATUS (tinta_media_open (clip, &m, &err), TINTA_OK, &err);
  tinta_keyframe keys[1] = { { 0, k0 } };
  tinta_colorize_params cp;
  tinta_colorize_params_init (&cp);
  cp.working_height = WORK_H;
  CHECK_STATUS (tinta_colorizer_new (m, N_FRAMES, keys, 1, &cp, &c, &err), TINTA_OK, &err);
  if (c == NULL)
    goto done;
  tinta_frame *small = tinta_frame_new (64, 64, TINTA_FRAME_LAB);
  CHECK_STATUS (tinta_colorizer_add_partial (c, 0, paint, alpha, &err),
                TINTA_ERR_INVALID_ARGUMENT, &err);
  CHECK (strstr (err.message, "full keyframe") != NULL);
  CHECK_STATUS (tinta_colorizer_add_partial (c, N_FRAMES, paint, alpha, &err),
                TINTA_ERR_OUT_OF_RANGE, &err);
  CHECK_STATUS (tinta_colorizer_add_partial (c, -1, paint, alpha, &err), TINTA_ERR_OUT_OF_RANGE,
                &err);
  CHECK_STATUS (tinta_colorizer_add_partial (c, 4, small, alpha, &err), TINTA_ERR_SIZE_MISMATCH,
                &err);
  CHECK_STATUS (tinta_colorizer_add_partial (c, 4, paint, NULL, &err), TINTA_ERR_SIZE_MISMATCH,
                &err);
  CHECK_STATUS (tinta_colorizer_add_partial (c, 4, paint, alpha, &err), TINTA_OK, &err);
  CHECK_STATUS (tinta_colorizer_add_partial (c, 4, paint, alpha, &err),
                TINTA_ERR_INVALID_ARGUMENT, &err);
  tinta_frame_free (small);
done:
  tinta_colorizer_free (c);
  tinta_media_free (m);
  tinta_frame_free (k0);
}

int
main (void)
{
  char *dir = tu_scratch_dir ("colorize");
  char clip[4096];
  snprintf (clip, sizeof clip, "%s/clip.mkv", dir);
  if (tu_run ("%s -v error -y -f lavfi -i testsrc2=size=320x180:rate=25 -frames:v %d "
              "-c:v ffv1 '%s'", tu_ffmpeg (), N_FRAMES, clip) != 0)
    {
      fprintf (stderr, "FAIL: ffmpeg could not make the test clip\n");
      return 1;
    }
  tinta_frame *paint = tu_clip_frame (clip, PAINT_AT);
  if (paint == NULL)
    {
      fprintf (stderr, "FAIL: cannot read the clip\n");
      return 1;
    }
  int W = paint->width, H = paint->height;
  size_t np = (size_t) W * H;
  float *alpha = calloc (np, sizeof (float));
  for (int y = SQ_Y0; y < SQ_Y1; y++)
    for (int x = SQ_X0; x < SQ_X1; x++)
      {
        alpha[(size_t) y * W + x] = 1.0f;
        paint->a[(size_t) y * W + x] = PAINT_A;
        paint->b[(size_t) y * W + x] = PAINT_B;
      }

  test_errors (clip, paint, alpha);

  tinta_frame **with = frames_new (N_FRAMES, W, H), **without = frames_new (3, W, H);
  tinta_frame **local = frames_new (3, W, H);
  CHECK (colorize (clip, "fused", paint, alpha, &with[PAINT_AT - 1], with));
  CHECK (colorize (clip, NULL, NULL, NULL, without, NULL));
  CHECK (colorize (clip, "local", paint, alpha, local, NULL));

  float a, b, a0, b0;
  centre (with[PAINT_AT], &a, &b);
  printf ("fused, frame %d: painted centre %.2f %.2f\n", PAINT_AT, a, b);
  CHECK_MSG (fabsf (a - PAINT_A) < 3.0f && fabsf (b - PAINT_B) < 3.0f, "fused centre %.2f %.2f", a, b);
  centre (local[1], &a, &b);
  printf ("local, frame %d: painted centre %.2f %.2f\n", PAINT_AT, a, b);
  CHECK_MSG (fabsf (a - PAINT_A) < 3.0f && fabsf (b - PAINT_B) < 3.0f, "local centre %.2f %.2f", a, b);
  /* The chains carry it: the frames around lean toward the paint. */
  for (int i = 0; i < 3; i += 2)
    {
      centre (with[PAINT_AT - 1 + i], &a, &b);
      centre (without[i], &a0, &b0);
      printf ("fused, frame %d: centre %.2f %.2f, %.2f %.2f without the paint\n",
              PAINT_AT - 1 + i, a, b, a0, b0);
      float near = hypotf (a - PAINT_A, b - PAINT_B), before = hypotf (a0 - PAINT_A, b0 - PAINT_B);
      CHECK_MSG (before - near > 8.0f, "frame %d: %.2f Lab from the paint, %.2f without it",
                 PAINT_AT - 1 + i, near, before);
    }
  /* Far from the square (the bottom right corner), the frame stays. */
  {
    double d = 0;
    int n = 0;
    for (int y = H - 30; y < H; y++)
      for (int x = W - 60; x < W; x++, n++)
        d += fabsf (with[PAINT_AT]->a[(size_t) y * W + x] - without[1]->a[(size_t) y * W + x]);
    printf ("fused, frame %d: %.3f Lab off in the far corner\n", PAINT_AT, d / n);
    CHECK_MSG (d / n < 2.0, "far corner moved by %.3f", d / n);
  }

  /* The editor's worker makes the same pictures from the same keys. */
  {
    tinta_error err = { 0 };
    tinta_worker *w = NULL;
    tinta_worker_params p;
    tinta_worker_params_init (&p);
    p.working_height = WORK_H;
    p.cache_bytes = 512u << 20;
    tinta_frame *k0 = tu_clip_frame (clip, 0), *k1 = tu_clip_frame (clip, LAST);
    tinta_frame *mine = tu_clip_frame (clip, 0);
    CHECK_STATUS (tinta_worker_new (clip, &p, NULL, NULL, &w, &err), TINTA_OK, &err);
    if (w != NULL && k0 && k1 && mine)
      {
        CHECK_STATUS (tinta_worker_set_keyframe (w, 0, k0, NULL, &err), TINTA_OK, &err);
        CHECK_STATUS (tinta_worker_set_keyframe (w, LAST, k1, NULL, &err), TINTA_OK, &err);
        CHECK_STATUS (tinta_worker_set_keyframe (w, PAINT_AT, paint, alpha, &err), TINTA_OK, &err);
        CHECK (tinta_worker_wait_idle (w, 600.0));
        double sum = 0;
        for (long long k = 0; k < N_FRAMES; k++)
          {
            tinta_frame *f = tu_clip_frame (clip, k);
            memcpy (mine->L, f->L, np * sizeof (float));
            tinta_frame_free (f);
            CHECK_STATUS (tinta_worker_result_full (w, k, mine, &err), TINTA_OK, &err);
            double fs = 0;
            for (size_t i = 0; i < np; i++)
              fs += fmax (fabs (with[k]->a[i] - mine->a[i]), fabs (with[k]->b[i] - mine->b[i]));
            sum += fs / np;
            if (k == PAINT_AT)
              {
                centre (mine, &a, &b);
                CHECK_MSG (fabsf (a - PAINT_A) < 3.0f && fabsf (b - PAINT_B) < 3.0f,
                           "worker centre %.2f %.2f", a, b);
              }
          }
        printf ("worker vs colorizer with a partial key: %.5f Lab on average\n", sum / N_FRAMES);
        CHECK_MSG (sum / N_FRAMES < 0.05, "worker vs colorizer: %.4f Lab on average", sum / N_FRAMES);
      }
    tinta_worker_free (w);
    tinta_frame_free (k0);
    tinta_frame_free (k1);
    tinta_frame_free (mine);
  }

  frames_free (with, N_FRAMES);
  frames_free (without, 3);
  frames_free (local, 3);
  tinta_frame_free (paint);
  free (alpha);
  free (dir);
  return tinta_test_end ("test-colorize");
}
