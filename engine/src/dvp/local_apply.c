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
 * Every tap of a pixel shares the same fractional shift, so with
 * y0 = floor(y + dy), fy = y + dy - y0 (x likewise) the n x n bilinear
 * taps collapse into one (n+1) x (n+1) window of integer pixels:
 *
 *   out = sum_{m,l=0..n} u_m v_l img(clamp(y0 - r + m), clamp(x0 - r + l))
 *   u_m = kv_m (1 - fy) + kv_{m-1} fy,  v_l = kh_l (1 - fx) + kh_{l-1} fx
 *   (kv_{-1} = kv_n = 0)
 *
 * Clamping the integer indices gives the same value as clamping the
 * sample coordinates, inside or outside the image. Rows of the output are
 * independent: OpenMP splits them.
 *
 * The shipped network has n = 7: the window is 8 x 8, one 8-float vector
 * a row. Where it lies inside the image (nearly every pixel), each plane
 * is 8 vector multiply-adds of contiguous rows with the weights u_m v_l
 * (made once per pixel for all planes) and one horizontal sum, instead
 * of 64 indexed scalar loads: the same sum in another order. */
#include <math.h>
#include <stddef.h>
#include "dvp/local_apply.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_THREAD__)
#define CLONES __attribute__ ((target_clones ("default", "avx2", "arch=x86-64-v4")))
#else
#define CLONES
#endif

/* u_m = k_m (1 - f) + k_{m-1} f for m = 0..n. */
static inline void
tap_weights (const float *k, int n, float f, float *u)
{
  u[0] = k[0] * (1.0f - f);
  for (int m = 1; m < n; m++)
    u[m] = k[m] * (1.0f - f) + k[m - 1] * f;
  u[n] = k[n - 1] * f;
}

static inline int
clampi (int v, int hi)
{
  return v < 0 ? 0 : (v > hi ? hi : v);
}

typedef float v8f __attribute__ ((vector_size (32)));

/* The 8 x 8 window of n = 7 at (top, left), inside the image, for every
 * plane (see the top of the file). */
static inline void
window8 (const float *const *img, int n_planes, int width, int top, int left, const float *u,
         const float *v, float *const *out, size_t p)
{
  v8f vv, uv[8];
  __builtin_memcpy (&vv, v, sizeof vv);
  for (int m = 0; m < 8; m++)
    uv[m] = u[m] * vv;
  for (int c = 0; c < n_planes; c++)
    {
      const float *w = img[c] + (size_t) top * width + left;
      v8f acc = { 0 };
      for (int m = 0; m < 8; m++, w += width)
        {
          v8f row;
          __builtin_memcpy (&row, w, sizeof row);
          acc += uv[m] * row;
        }
      out[c][p] = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    }
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
      float u[TINTA_LOCAL_MAX_TAPS + 1], v[TINTA_LOCAL_MAX_TAPS + 1];
      int rows[TINTA_LOCAL_MAX_TAPS + 1], cols[TINTA_LOCAL_MAX_TAPS + 1];
      for (int x = 0; x < width; x++)
        {
          size_t p = (size_t) y * width + x;
          float sy = (float) y + disp[2 * p], sx = (float) x + disp[2 * p + 1];
          /* Far outside, every index clamps to the border: keep the
           * integer conversion in range (a hostile displacement of 1e30
           * must not overflow int). */
          sy = sy < -1e6f ? -1e6f : (sy > 1e6f ? 1e6f : sy);
          sx = sx < -1e6f ? -1e6f : (sx > 1e6f ? 1e6f : sx);
          float fy0 = floorf (sy), fx0 = floorf (sx);
          int y0 = (int) fy0, x0 = (int) fx0;
          tap_weights (kv + p * n, n, sy - fy0, u);
          tap_weights (kh + p * n, n, sx - fx0, v);
          if (n == 7 && y0 - r >= 0 && y0 - r + n < height && x0 - r >= 0 && x0 - r + n < width)
            {
              window8 (img, n_planes, width, y0 - r, x0 - r, u, v, out, p);
              continue;
            }
          for (int m = 0; m <= n; m++)
            {
              rows[m] = clampi (y0 - r + m, height - 1) * width;
              cols[m] = clampi (x0 - r + m, width - 1);
            }
          for (int c = 0; c < n_planes; c++)
            {
              const float *im = img[c];
              float acc = 0.0f;
              for (int m = 0; m <= n; m++)
                {
                  const float *row = im + rows[m];
                  float s = 0.0f;
                  for (int l = 0; l <= n; l++)
                    s += v[l] * row[cols[l]];
                  acc += u[m] * s;
                }
              out[c][p] = acc;
            }
        }
    }
}
