/* Resolution changes of the colorization pipeline, the same rules as
 * training (training/dvp_ops.py): half resolution is the mean of each 2x2
 * block (a trailing odd row or column is dropped); back to full
 * resolution is bilinear with half-pixel centres (PyTorch's
 * align_corners=False, the graph's resize). */
#include "dvp/resample.h"

void
tinta_half_res (const float *src, int w, int h, float *dst)
{
  int hw = w / 2, hh = h / 2;
#pragma omp parallel for schedule(static)
  for (int y = 0; y < hh; y++)
    {
      const float *r0 = src + (size_t) (2 * y) * w, *r1 = r0 + w;
      float *o = dst + (size_t) y * hw;
      for (int x = 0; x < hw; x++)
        o[x] = 0.25f * (r0[2 * x] + r0[2 * x + 1] + r1[2 * x] + r1[2 * x + 1]);
    }
}

/* Columns at a time: their source indices and weights are the same on
 * every row, so they are computed once per block of columns, not per
 * pixel (the same arithmetic, so the same results, at a third of the
 * time); the tables fit on the stack. */
#define UP_COLS 1024

void
tinta_upsample_bilinear (const float *src, int sw, int sh, float *dst, int dw, int dh)
{
  const float scale_y = (float) sh / (float) dh, scale_x = (float) sw / (float) dw;
  for (int c0 = 0; c0 < dw; c0 += UP_COLS)
    {
      int nc = dw - c0 < UP_COLS ? dw - c0 : UP_COLS;
      int xi0[UP_COLS], xi1[UP_COLS];
      float xw[UP_COLS];
      for (int x = 0; x < nc; x++)
        tinta_source_index (c0 + x, scale_x, sw, &xi0[x], &xi1[x], &xw[x]);
#pragma omp parallel for schedule(static)
      for (int y = 0; y < dh; y++)
        {
          int y0, y1;
          float wy;
          tinta_source_index (y, scale_y, sh, &y0, &y1, &wy);
          const float *r0 = src + (size_t) y0 * sw, *r1 = src + (size_t) y1 * sw;
          float *o = dst + (size_t) y * dw + c0;
          for (int x = 0; x < nc; x++)
            {
              float top = r0[xi0[x]] + xw[x] * (r0[xi1[x]] - r0[xi0[x]]);
              float bot = r1[xi0[x]] + xw[x] * (r1[xi1[x]] - r1[xi0[x]]);
              o[x] = top + wy * (bot - top);
            }
        }
    }
}
