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

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#include <cpuid.h>
#include <immintrin.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The table rows of positions p .. p + 7 of the window [y0, y1) x [x0,
 * x1) (nx wide, n positions): the tail repeats the last row. */
static inline void
window_rows (const uint16_t *table, int width, int dim, int y0, int x0, int nx, int n, int p,
             const uint16_t *k[8])
{
  for (int j = 0; j < 8; j++)
    {
      int pj = p + j < n ? p + j : n - 1;
      k[j] = table + ((size_t) (y0 + pj / nx) * width + (x0 + pj % nx)) * dim;
    }
}

/* A channel pair of a table row, broadcast to the 16 lanes (GCC folds
 * the load into the VDPBF16PS as an embedded broadcast). */
#define PAIR(row, c) ((__m512bh) _mm512_set1_epi32 (pair_bits ((row) + 2 * (c))))

static inline __attribute__ ((always_inline)) int32_t
pair_bits (const uint16_t *p)
{
  int32_t v;
  memcpy (&v, p, sizeof v);
  return v;
}

/* AMX: a TDPBF16PS is 16 positions x 16 queries x 32 channels (8192
 * multiply-adds; a VDPBF16PS is 512, at the FMA units' rate), so the
 * dot products cost next to nothing and the loads of the table are what
 * is left.  The kernel grants the tile state on request (Linux 5.16+:
 * arch_prctl ARCH_REQ_XCOMP_PERM, once per process). */
#define ARCH_REQ_XCOMP_PERM 0x1023
#define XFEATURE_XTILEDATA  18

static int
amx_usable (void)
{
  static int usable = -1;   /* racing threads compute the same answer */
  int u = __atomic_load_n (&usable, __ATOMIC_RELAXED);
  if (u < 0)
    {
      unsigned a, b, c, d;
      u = __get_cpuid_count (7, 0, &a, &b, &c, &d) && (d & bit_AMX_TILE) && (d & bit_AMX_BF16)
          && syscall (SYS_arch_prctl, ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA) == 0;
      __atomic_store_n (&usable, u, __ATOMIC_RELAXED);
    }
  return u;
}

/* Tiles: 0 the similarities, 1-2 channels 0-31 and 32-63 of 16 table
 * rows, 3-4 the same channels of 16 queries (pairs, as qt has them); all
 * 16 rows of 64 bytes. */
struct tile_config {
  uint8_t  palette, start_row, reserved[14];
  uint16_t colsb[16];
  uint8_t  rows[16];
};

/* Window row by window row, 16 positions at a time (the rows past x1 are
 * computed and dropped: TINTA_MATCH_BF16_PAD), 16 queries at a time. */
__attribute__ ((target ("amx-tile,amx-bf16,avx512f"))) static void
block_sims_amx (const uint16_t *qt, int qstride, const uint16_t *table, int width, int y0, int y1,
                int x0, int x1, float *sims)
{
  struct tile_config cfg = { .palette = 1 };
  for (int t = 0; t < 5; t++)
    {
      cfg.colsb[t] = 64;
      cfg.rows[t] = 16;
    }
  _tile_loadconfig (&cfg);
  int nx = x1 - x0;
  float c[16 * 16];
  for (int y = y0; y < y1; y++)
    for (int xs = x0; xs < x1; xs += 16)
      {
        int m = x1 - xs < 16 ? x1 - xs : 16;
        const uint16_t *k = table + ((size_t) y * width + xs) * 64;
        _tile_loadd (1, k, 128);
        _tile_loadd (2, k + 32, 128);
        for (int q0 = 0; q0 < qstride; q0 += 16)
          {
            _tile_loadd (3, qt + (size_t) q0 * 2, qstride * 4);
            _tile_loadd (4, qt + ((size_t) 16 * qstride + q0) * 2, qstride * 4);
            _tile_zero (0);
            _tile_dpbf16ps (0, 1, 3);
            _tile_dpbf16ps (0, 2, 4);
            _tile_stored (0, c, 64);
            float *out = sims + ((size_t) (y - y0) * nx + (xs - x0)) * qstride + q0;
            for (int i = 0; i < m; i++)
              memcpy (out + (size_t) i * qstride, c + 16 * i, 16 * sizeof (float));
          }
      }
  _tile_release ();
}

/* As block_sims_lanes at 16 lanes: 8 rows' accumulators, one query
 * vector a channel pair (without AMX, or at another dim). */
__attribute__ ((target ("avx512f,avx512bf16"))) void
tinta_match_block_sims_bf16 (const uint16_t *qt, int qstride, const uint16_t *table, int width,
                             int dim, int y0, int y1, int x0, int x1, float *sims)
{
  if (dim == 64 && amx_usable ())
    {
      block_sims_amx (qt, qstride, table, width, y0, y1, x0, x1, sims);
      return;
    }
  int nx = x1 - x0, n = (y1 - y0) * nx, pairs = dim / 2;
  for (int p = 0; p < n; p += 8)
    {
      const uint16_t *k[8];
      window_rows (table, width, dim, y0, x0, nx, n, p, k);
      for (int q0 = 0; q0 < qstride; q0 += 16)
        {
          __m512 a0 = _mm512_setzero_ps (), a1 = a0, a2 = a0, a3 = a0;
          __m512 a4 = a0, a5 = a0, a6 = a0, a7 = a0;
          for (int c = 0; c < pairs; c++)
            {
              __m512bh qc = (__m512bh) _mm512_loadu_si512 (qt + ((size_t) c * qstride + q0) * 2);
              a0 = _mm512_dpbf16_ps (a0, qc, PAIR (k[0], c));
              a1 = _mm512_dpbf16_ps (a1, qc, PAIR (k[1], c));
              a2 = _mm512_dpbf16_ps (a2, qc, PAIR (k[2], c));
              a3 = _mm512_dpbf16_ps (a3, qc, PAIR (k[3], c));
              a4 = _mm512_dpbf16_ps (a4, qc, PAIR (k[4], c));
              a5 = _mm512_dpbf16_ps (a5, qc, PAIR (k[5], c));
              a6 = _mm512_dpbf16_ps (a6, qc, PAIR (k[6], c));
              a7 = _mm512_dpbf16_ps (a7, qc, PAIR (k[7], c));
            }
          __m512 acc[8] = { a0, a1, a2, a3, a4, a5, a6, a7 };
          for (int j = 0; j < 8 && p + j < n; j++)
            _mm512_storeu_ps (sims + (size_t) (p + j) * qstride + q0, acc[j]);
        }
    }
}
#else
/* No AVX512-BF16 here: never called (tinta_nn_cpu_has_bf16 is false),
 * but the same numbers but for the order of the sums. */
void
tinta_match_block_sims_bf16 (const uint16_t *qt, int qstride, const uint16_t *table, int width,
                             int dim, int y0, int y1, int x0, int x1, float *sims)
{
  int nx = x1 - x0, n = (y1 - y0) * nx;
  for (int p = 0; p < n; p++)
    {
      const uint16_t *k = table + ((size_t) (y0 + p / nx) * width + (x0 + p % nx)) * dim;
      for (int q = 0; q < qstride; q++)
        {
          float s = 0.0f;
          for (int c = 0; c < dim; c++)
            s += tinta_bf16_to_f32 (qt[(size_t) (c / 2) * 2 * qstride + 2 * q + c % 2])
                 * tinta_bf16_to_f32 (k[c]);
          sims[(size_t) p * qstride + q] = s;
        }
    }
}
#endif

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
                  size_t *restrict where, size_t offset)
{
  for (size_t i0 = 0; i0 < n; i0 += TOPK_BLOCK)
    {
      size_t len = n - i0 < TOPK_BLOCK ? n - i0 : TOPK_BLOCK;
      float thr = best[k - 1];
      int above = len < TOPK_BLOCK;   /* a short tail is just searched */
      if (len == TOPK_BLOCK)
        for (int l = 0; l < TOPK_BLOCK; l++)   /* a fixed count: vectorized */
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
            where[j] = offset + i;
          }
    }
}
