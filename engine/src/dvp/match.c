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
#define CLONES __attribute__ ((target_clones ("default", "arch=x86-64-v3", "arch=x86-64-v4")))
#else
#define CLONES
#endif
/* -std=c11 keeps a * b + c apart (-ffp-contract=off); where a clone has
 * FMA, one fused instruction halves the work of a dot product and rounds
 * once instead of twice.  Only on the similarity loops: the transfer's
 * sums stay as the plain C says. */
#if defined(__GNUC__) && !defined(__clang__)
#define CONTRACT __attribute__ ((optimize ("fp-contract=fast")))
#else
#define CONTRACT
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

/* One group of up to 8 table rows against LANES queries at a time:
 * acc[j] holds row j's similarity with them, so the FMAs of the 8 rows
 * interleave: an FMA has a latency of 4 cycles and two issue per cycle,
 * so 8 chains keep both units busy where 4 left them half idle.  LANES
 * is one register (16 floats with AVX-512, 8 with AVX2, 4 with SSE): 8
 * accumulators and the queries' vector then fit the register file.  The
 * rows are spelled out: GCC keeps named accumulators in registers, not a
 * loop's. */
static inline __attribute__ ((always_inline)) void
block_sims_lanes (const float *qt, int qstride, const float *table, int width, int dim, int y0,
                  int y1, int x0, int x1, float *sims, const int LANES)
{
  int nx = x1 - x0, n = (y1 - y0) * nx;
  for (int p = 0; p < n; p += 8)
    {
      const float *k[8];
      for (int j = 0; j < 8; j++)
        {
          int pj = p + j < n ? p + j : n - 1;   /* the tail repeats the last row */
          k[j] = table + ((size_t) (y0 + pj / nx) * width + (x0 + pj % nx)) * dim;
        }
      for (int q0 = 0; q0 < qstride; q0 += LANES)
        {
          float acc[8][16] = { { 0 } };   /* [8][LANES] used */
          for (int c = 0; c < dim; c++)
            {
              const float *qc = qt + (size_t) c * qstride + q0;
              float k0 = k[0][c], k1 = k[1][c], k2 = k[2][c], k3 = k[3][c];
              float k4 = k[4][c], k5 = k[5][c], k6 = k[6][c], k7 = k[7][c];
              for (int l = 0; l < LANES; l++)
                {
                  acc[0][l] += qc[l] * k0;
                  acc[1][l] += qc[l] * k1;
                  acc[2][l] += qc[l] * k2;
                  acc[3][l] += qc[l] * k3;
                  acc[4][l] += qc[l] * k4;
                  acc[5][l] += qc[l] * k5;
                  acc[6][l] += qc[l] * k6;
                  acc[7][l] += qc[l] * k7;
                }
            }
          for (int j = 0; j < 8 && p + j < n; j++)
            memcpy (sims + (size_t) (p + j) * qstride + q0, acc[j], LANES * sizeof (float));
        }
    }
}

CLONES CONTRACT void
tinta_match_block_sims (const float *qt, int qstride, const float *table, int width, int dim,
                        int y0, int y1, int x0, int x1, float *sims)
{
#if defined(__x86_64__) && defined(__GNUC__)
  if (__builtin_cpu_supports ("avx512f"))
    block_sims_lanes (qt, qstride, table, width, dim, y0, y1, x0, x1, sims, 16);
  else if (__builtin_cpu_supports ("avx2"))
    block_sims_lanes (qt, qstride, table, width, dim, y0, y1, x0, x1, sims, 8);
  else
#endif
    block_sims_lanes (qt, qstride, table, width, dim, y0, y1, x0, x1, sims, 4);
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

CLONES float
tinta_match_max (const float *v, int n)
{
  /* 16 running maxima: a vector max per 16 values, not a compare and a
   * 4-cycle dependency per value.  x > m ? x : m is what MAXPS computes,
   * so GCC vectorizes it without -ffast-math. */
  float m[16];
  for (int l = 0; l < 16; l++)
    m[l] = -INFINITY;
  int i = 0;
  for (; i + 16 <= n; i += 16)
    for (int l = 0; l < 16; l++)
      m[l] = v[i + l] > m[l] ? v[i + l] : m[l];
  float best = -INFINITY;
  for (; i < n; i++)
    best = v[i] > best ? v[i] : best;
  for (int l = 0; l < 16; l++)
    best = m[l] > best ? m[l] : best;
  return best;
}

typedef float v4sf __attribute__ ((vector_size (16)));

static inline v4sf
load4 (const float *p)
{
  v4sf v;
  memcpy (&v, p, sizeof v);
  return v;
}

CLONES void
tinta_match_weighted_sum (const float *restrict w, int rows, int cols, const float *restrict lab,
                          size_t stride, float *restrict acc)
{
  /* A position's a, b, L, 1 are one 4-float vector; four partial sums
   * (positions x mod 4), where one would wait on its own add latency at
   * every position.  Zero weights are summed, not skipped: a branch per
   * position mispredicts more than the multiply costs.  Vector types,
   * not loops: a window row is 7 positions, and GCC vectorizes loops over
   * x for long rows, which a 7-position row runs through scalar (and a
   * 16-float vector of 4 positions needs a shuffle GCC 12 makes through
   * memory). */
  v4sf p0 = { 0 }, p1 = { 0 }, p2 = { 0 }, p3 = { 0 };
  for (int y = 0; y < rows; y++)
    {
      const float *wr = w + (size_t) y * cols, *lr = lab + (size_t) y * stride;
      int x = 0;
      for (; x + 4 <= cols; x += 4)
        {
          p0 += wr[x] * load4 (lr + 4 * x);
          p1 += wr[x + 1] * load4 (lr + 4 * x + 4);
          p2 += wr[x + 2] * load4 (lr + 4 * x + 8);
          p3 += wr[x + 3] * load4 (lr + 4 * x + 12);
        }
      if (x < cols)
        p0 += wr[x] * load4 (lr + 4 * x);
      if (x + 1 < cols)
        p1 += wr[x + 1] * load4 (lr + 4 * x + 4);
      if (x + 2 < cols)
        p2 += wr[x + 2] * load4 (lr + 4 * x + 8);
    }
  v4sf sum = (p0 + p1) + (p2 + p3);
  for (int l = 0; l < 4; l++)
    acc[l] += sum[l];
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
