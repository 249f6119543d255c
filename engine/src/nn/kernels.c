/* The few layers oneDNN computes differently from PyTorch, as plain C
 * over NHWC float32 (the channel loop is innermost and vectorizes):
 *  - nearest resize: PyTorch's "nearest" takes floor(dst * in/out) (in
 *    float), oneDNN rounds from pixel centres; they differ for
 *    non-integer ratios.
 *  - average pooling with count_include_pad and ceil_mode: PyTorch divides
 *    by the window clipped to the padded input (H + pad), oneDNN by the
 *    full window. */
#include <math.h>
#include <string.h>
#include "nn/nn_internal.h"

void
nn_kernel_nearest (const float *src, int ih, int iw, int c, float *dst, int oh, int ow)
{
  const float sy = (float) ih / (float) oh, sx = (float) iw / (float) ow;
  for (int y = 0; y < oh; y++)
    {
      int yy = (int) floorf ((float) y * sy);
      yy = yy < ih - 1 ? yy : ih - 1;
      for (int x = 0; x < ow; x++)
        {
          int xx = (int) floorf ((float) x * sx);
          xx = xx < iw - 1 ? xx : iw - 1;
          memcpy (dst + ((size_t) y * ow + x) * c, src + ((size_t) yy * iw + xx) * c,
                  (size_t) c * sizeof (float));
        }
    }
}

void
nn_kernel_avgpool_torch (const float *src, int ih, int iw, int c, float *dst, int oh, int ow,
                         const nn_node *n)
{
  for (int y = 0; y < oh; y++)
    for (int x = 0; x < ow; x++)
      {
        int y0 = y * n->stride[0] - n->pad[0], x0 = x * n->stride[1] - n->pad[1];
        int y1 = y0 + n->kernel[0], x1 = x0 + n->kernel[1];
        y1 = y1 < ih + n->pad[0] ? y1 : ih + n->pad[0];
        x1 = x1 < iw + n->pad[1] ? x1 : iw + n->pad[1];
        float div = (float) ((y1 - y0) * (x1 - x0));
        int ya = y0 > 0 ? y0 : 0, xa = x0 > 0 ? x0 : 0;
        int yb = y1 < ih ? y1 : ih, xb = x1 < iw ? x1 : iw;
        float *o = dst + ((size_t) y * ow + x) * c;
        for (int k = 0; k < c; k++)
          o[k] = 0.0f;
        for (int yy = ya; yy < yb; yy++)
          for (int xx = xa; xx < xb; xx++)
            {
              const float *s = src + ((size_t) yy * iw + xx) * c;
              for (int k = 0; k < c; k++)
                o[k] += s[k];
            }
        for (int k = 0; k < c; k++)
          o[k] /= div;
      }
}
