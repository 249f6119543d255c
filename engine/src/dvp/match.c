/* Hot loops of the global strategy (see match.h). Dot products keep 16
 * partial sums so that GCC vectorizes them without -ffast-math (a plain
 * float reduction may not be reordered). */
#include <math.h>
#include <string.h>
#include "core/bf16.h"
#include "dvp/match.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
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
tinta_match_rows_transpose (const float *src, int width, int height, int dim, float *dst)
{
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      for (int d = 0; d < dim; d++)
        dst[((size_t) y * dim + d) * width + x] = src[((size_t) y * width + x) * dim + d];
}

/* The window's rows are computed together, 8 columns each: 7 independent
 * 8-lane accumulators (one per row) advance over the dimensions, so the
 * FMAs are limited by throughput, not by the latency of one dot
 * product's reduction (5x faster than a dot product per position at
 * 64 dims). Columns start where 8 fit in the row; the window's own are
 * taken from the lanes they fall in. */
#define WIN_ROWS 7
#define WIN_COLS 8

CLONES void
tinta_match_window_sims_t (const float *query, const float *table_t, int width, int dim, int y0,
                           int y1, int x0, int x1, float *sims)
{
  int nh = y1 - y0, nw = x1 - x0;
  if (width < WIN_COLS || nh > WIN_ROWS || nw > WIN_COLS)
    {
      /* Small frames (conv1 under 8 wide) or larger windows: plain. */
      int n = 0;
      for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++)
          {
            float s = 0.0f;
            for (int d = 0; d < dim; d++)
              s += query[d] * table_t[((size_t) y * dim + d) * width + x];
            sims[n++] = s;
          }
      return;
    }
  int xs = x0 + WIN_COLS <= width ? x0 : width - WIN_COLS;
  const float *rows[WIN_ROWS];
  for (int r = 0; r < WIN_ROWS; r++)
    rows[r] = table_t + (size_t) (y0 + (r < nh ? r : nh - 1)) * dim * width + xs;
  float acc[WIN_ROWS][WIN_COLS] = { { 0 } };
  for (int d = 0; d < dim; d++)
    {
      float q = query[d];
      size_t o = (size_t) d * width;
      for (int r = 0; r < WIN_ROWS; r++)
        for (int l = 0; l < WIN_COLS; l++)
          acc[r][l] += q * rows[r][o + l];
    }
  int off = x0 - xs;
  for (int r = 0; r < nh; r++)
    for (int i = 0; i < nw; i++)
      sims[r * nw + i] = acc[r][off + i];
}

CLONES void
tinta_match_to_bf16 (const float *src, uint16_t *dst, size_t n)
{
  for (size_t i = 0; i < n; i++)
    dst[i] = tinta_f32_to_bf16 (src[i]);
}
