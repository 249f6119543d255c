/* Half resolution and back (see resample.c). Private to the engine. */
#pragma once

#include <stddef.h>

/* dst: (w/2) x (h/2). */
void tinta_half_res (const float *src, int w, int h, float *dst);
void tinta_upsample_bilinear (const float *src, int sw, int sh, float *dst, int dw, int dh);

/* PyTorch's half-pixel source position of output index i, clamped below
 * at 0: the two source indices and the weight of the second. */
static inline void
tinta_source_index (int i, float scale, int size, int *i0, int *i1, float *w)
{
  float f = ((float) i + 0.5f) * scale - 0.5f;
  f = f < 0.0f ? 0.0f : f;
  int a = (int) f;
  a = a < size - 1 ? a : size - 1;
  *i0 = a;
  *i1 = a + 1 < size ? a + 1 : a;
  *w = f - (float) a > 1.0f ? 1.0f : f - (float) a;
}
