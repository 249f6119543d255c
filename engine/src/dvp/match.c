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
tinta_match_window_sims (const float *query, const float *table, int width, int dim, int y0,
                         int y1, int x0, int x1, float *sims)
{
  int n = 0;
  for (int y = y0; y < y1; y++)
    for (int x = x0; x < x1; x++)
      sims[n++] = dot (query, table + ((size_t) y * width + x) * dim, dim);
}

CLONES void
tinta_match_to_bf16 (const float *src, uint16_t *dst, size_t n)
{
  for (size_t i = 0; i < n; i++)
    dst[i] = tinta_f32_to_bf16 (src[i]);
}
