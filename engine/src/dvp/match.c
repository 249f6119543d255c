/* Hot loops of the global strategy (see match.h). Dot products keep 16
 * partial sums so that GCC vectorizes them without -ffast-math (a plain
 * float reduction may not be reordered). */
#include <math.h>
#include <string.h>
#include "core/bf16.h"
#include "dvp/match.h"

/* Not under ThreadSanitizer: its runtime is not up yet when the loader
 * runs the clones' ifunc resolvers (a crash at start). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_THREAD__)
#define CLONES __attribute__ ((target_clones ("default", "avx2", "arch=x86-64-v4")))
#else
#define CLONES
#endif

static inline float
dot (const float *restrict a, const float *restrict b, int dim)
{
  float acc[16] = { 0 };
  int k = 0;
  for (; k + 16 <= dim; k += 16)
    for (int l = 0; l < 16; l++)
      acc[l] += a[k + l] * b[k + l];
  float s = 0.0f;
  for (int l = 0; l < 16; l++)
    s += acc[l];
  for (; k < dim; k++)
    s += a[k] * b[k];
  return s;
}

CLONES void
tinta_match_normalize_rows (float *v, size_t rows, int dim)
{
  for (size_t r = 0; r < rows; r++)
    {
      float *row = v + r * (size_t) dim;
      float n = sqrtf (dot (row, row, dim));
      float inv = n > 1e-12f ? 1.0f / n : 0.0f;
      for (int k = 0; k < dim; k++)
        row[k] *= inv;
    }
}

CLONES void
tinta_match_to_bf16 (const float *src, uint16_t *dst, size_t n)
{
  for (size_t i = 0; i < n; i++)
    dst[i] = tinta_f32_to_bf16 (src[i]);
}

/* One group of up to 4 table rows against every query: acc[j] holds row
 * j's similarity with 16 queries, so the FMAs of the 4 rows interleave
 * (one accumulator would wait on its own latency at every channel). */
CLONES void
tinta_match_block_sims (const float *qt, int qstride, const float *table, int width, int dim,
                        int y0, int y1, int x0, int x1, float *sims)
{
  int nx = x1 - x0, n = (y1 - y0) * nx;
  for (int p = 0; p < n; p += 4)
    {
      const float *k[4];
      for (int j = 0; j < 4; j++)
        {
          int pj = p + j < n ? p + j : n - 1;   /* the tail repeats the last row */
          k[j] = table + ((size_t) (y0 + pj / nx) * width + (x0 + pj % nx)) * dim;
        }
      for (int q0 = 0; q0 < qstride; q0 += 16)
        {
          float acc[4][16] = { { 0 } };
          for (int c = 0; c < dim; c++)
            {
              const float *qc = qt + (size_t) c * qstride + q0;
              float k0 = k[0][c], k1 = k[1][c], k2 = k[2][c], k3 = k[3][c];
              for (int l = 0; l < 16; l++)
                {
                  acc[0][l] += qc[l] * k0;
                  acc[1][l] += qc[l] * k1;
                  acc[2][l] += qc[l] * k2;
                  acc[3][l] += qc[l] * k3;
                }
            }
          for (int j = 0; j < 4 && p + j < n; j++)
            memcpy (sims + (size_t) (p + j) * qstride + q0, acc[j], sizeof acc[j]);
        }
    }
}

/* exp(x) for x in [-87, 0], vectorizable: Cody-Waite reduction by ln 2
 * and Cephes' degree-5 polynomial (relative error under 2e-7, as
 * glibc's expf).  Written so that GCC vectorizes it without -ffast-math:
 * rounding by the 1.5 * 2^23 trick (floorf is a call under the default
 * -ftrapping-math), the power of two by a memcpy bit cast (a union is not
 * vectorized). */
static inline float
exp_neg (float x)
{
  float n = (x * 1.44269504f + 12582912.0f) - 12582912.0f;
  float r = x - n * 0.693359375f + n * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  float e = p * r * r + r + 1.0f;
  int32_t bits = ((int32_t) n + 127) << 23;
  float two_n;
  memcpy (&two_n, &bits, sizeof two_n);
  return e * two_n;
}

CLONES void
tinta_match_weights (const float *restrict sims, int n, float best, float inv_tau, float scale,
                     float cut, float *restrict w)
{
  for (int i = 0; i < n; i++)
    {
      float v = scale * exp_neg ((sims[i] - best) * inv_tau);
      w[i] = v >= cut ? v : 0.0f;
    }
}

/* Blocks of TOPK_BLOCK: a loop GCC vectorizes (at 16 it unrolls it
 * whole and then leaves it scalar). */
#define TOPK_BLOCK 64

CLONES void
tinta_match_topk (const float *restrict row, size_t n, int k, float *restrict best,
                  size_t *restrict where)
{
  for (int j = 0; j < k; j++)
    {
      best[j] = -INFINITY;
      where[j] = 0;
    }
  for (size_t i0 = 0; i0 < n; i0 += TOPK_BLOCK)
    {
      size_t len = n - i0 < TOPK_BLOCK ? n - i0 : TOPK_BLOCK;
      float thr = best[k - 1];
      int above = 0;
      for (size_t l = 0; l < len; l++)
        above += row[i0 + l] > thr ? 1 : 0;
      if (above == 0)
        continue;
      for (size_t i = i0; i < i0 + len; i++)
        if (row[i] > best[k - 1])
          {
            int j = k - 1;
            while (j > 0 && row[i] > best[j - 1])
              {
                best[j] = best[j - 1];
                where[j] = where[j - 1];
                j--;
              }
            best[j] = row[i];
            where[j] = i;
          }
    }
}
