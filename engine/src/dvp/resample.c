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

void
tinta_upsample_bilinear (const float *src, int sw, int sh, float *dst, int dw, int dh)
{
  const float scale_y = (float) sh / (float) dh, scale_x = (float) sw / (float) dw;
#pragma omp parallel for schedule(static)
  for (int y = 0; y < dh; y++)
    {
      int y0, y1;
      float wy;
      tinta_source_index (y, scale_y, sh, &y0, &y1, &wy);
      const float *r0 = src + (size_t) y0 * sw, *r1 = src + (size_t) y1 * sw;
      float *o = dst + (size_t) y * dw;
      for (int x = 0; x < dw; x++)
        {
          int x0, x1;
          float wx;
          tinta_source_index (x, scale_x, sw, &x0, &x1, &wx);
          float top = r0[x0] + wx * (r0[x1] - r0[x0]);
          float bot = r1[x0] + wx * (r1[x1] - r1[x0]);
          o[x] = top + wy * (bot - top);
        }
    }
}
