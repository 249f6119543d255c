/* The local step of deep video color propagation, around a displacement:
 *
 *   out(y,x,c) = sum_i sum_j kv_i(y,x) kh_j(y,x)
 *                * bilinear(img_c, y + dy(y,x) + i - r, x + dx(y,x) + j - r)
 *
 * r = n/2; coordinates are clamped to the image before bilinear sampling
 * (border replicate: PyTorch's grid_sample with align_corners=True and
 * padding_mode='border', which is the twin in training/dvp_ops.py).
 *
 * Why a displacement: per-pixel kernels alone (the paper's) follow motion
 * only up to n/2 pixels, and real footage moves 20+ px a frame; the
 * network predicts a coarse displacement and small kernels that refine
 * around it (sub-pixel shifts, blur, occlusion edges).
 *
 * The kernel is separable, so each output pixel reads n+1 source rows
 * once per row tap, not n^2 bilinear samples. Rows of the output are
 * independent: OpenMP splits them. */
#include <math.h>
#include <stddef.h>
#include "dvp/local_apply.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define CLONES __attribute__ ((target_clones ("default", "avx2", "arch=x86-64-v4")))
#else
#define CLONES
#endif

static inline void
tap_coord (float pos, int size, int *i0, int *i1, float *f)
{
  float c = pos < 0.0f ? 0.0f : (pos > (float) (size - 1) ? (float) (size - 1) : pos);
  int i = (int) c;   /* c >= 0: truncation is floor */
  *i0 = i;
  *i1 = i + 1 < size ? i + 1 : i;
  *f = c - (float) i;
}

CLONES void
tinta_local_apply (const float *const *img, int n_planes, int width, int height,
                   const float *disp, const float *kv, const float *kh, int n,
                   float *const *out)
{
  const int r = n / 2;
#pragma omp parallel for schedule(static)
  for (int y = 0; y < height; y++)
    {
      int iy0[TINTA_LOCAL_MAX_TAPS], iy1[TINTA_LOCAL_MAX_TAPS];
      int ix0[TINTA_LOCAL_MAX_TAPS], ix1[TINTA_LOCAL_MAX_TAPS];
      float fy[TINTA_LOCAL_MAX_TAPS], fx[TINTA_LOCAL_MAX_TAPS];
      for (int x = 0; x < width; x++)
        {
          size_t p = (size_t) y * width + x;
          float dy = disp[2 * p], dx = disp[2 * p + 1];
          const float *v = kv + p * n, *h = kh + p * n;
          for (int t = 0; t < n; t++)
            {
              tap_coord ((float) y + dy + (float) (t - r), height, &iy0[t], &iy1[t], &fy[t]);
              tap_coord ((float) x + dx + (float) (t - r), width, &ix0[t], &ix1[t], &fx[t]);
            }
          for (int c = 0; c < n_planes; c++)
            {
              const float *im = img[c];
              float acc = 0.0f;
              for (int i = 0; i < n; i++)
                {
                  const float *row0 = im + (size_t) iy0[i] * width;
                  const float *row1 = im + (size_t) iy1[i] * width;
                  float s0 = 0.0f, s1 = 0.0f;
                  for (int j = 0; j < n; j++)
                    {
                      float w0 = h[j] * (1.0f - fx[j]), w1 = h[j] * fx[j];
                      s0 += w0 * row0[ix0[j]] + w1 * row0[ix1[j]];
                      s1 += w0 * row1[ix0[j]] + w1 * row1[ix1[j]];
                    }
                  acc += v[i] * ((1.0f - fy[i]) * s0 + fy[i] * s1);
                }
              out[c][p] = acc;
            }
        }
    }
}
