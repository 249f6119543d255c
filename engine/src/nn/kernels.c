/* The few layers oneDNN computes differently from PyTorch, as plain C
 * over NHWC float32 (the channel loop is innermost and vectorizes):
 *  - nearest resize: PyTorch's "nearest" takes floor(dst * in/out) (in
 *    float), oneDNN rounds from pixel centres; they differ for
 *    non-integer ratios.
 *  - average pooling with count_include_pad and ceil_mode: PyTorch divides
 *    by the window clipped to the padded input (H + pad), oneDNN by the
 *    full window.
 * and the one oneDNN lacks:
 *  - correlation (the cost volume of the local network): as convolutions
 *    it took a 1568-channel grouped convolution, a 1x1 repeat, a multiply
 *    and a 1x1 sum (~8 ms at 427x240) for 2.5M multiply-adds (~0.2 ms). */
#include <math.h>
#include <string.h>
#include "nn/nn_internal.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_THREAD__)
#define CLONES __attribute__ ((target_clones ("default", "avx2", "arch=x86-64-v4")))
#else
#define CLONES
#endif

/* One output row of the correlation: out[x][(dy+R)(2R+1) + dx+R] = mean_k
 * a[y][x][k] * b[y+dy][x+dx][k], 0 where (y+dy, x+dx) is outside. Its own
 * function so that the clones (AVX2, AVX-512) cover the dot products; an
 * OpenMP region's body is outlined before cloning and would not be. */
CLONES static void
correlation_row (const float *a, const float *b, int y, int h, int w, int c, int radius,
                 float *dst)
{
  const int k = 2 * radius + 1;
  for (int x = 0; x < w; x++)
    {
      const float *av = a + ((size_t) y * w + x) * c;
      float *o = dst + ((size_t) y * w + x) * k * k;
      for (int dy = -radius; dy <= radius; dy++)
        for (int dx = -radius; dx <= radius; dx++)
          {
            int yy = y + dy, xx = x + dx;
            float s = 0.0f;
            if (yy >= 0 && yy < h && xx >= 0 && xx < w)
              {
                const float *bv = b + ((size_t) yy * w + xx) * c;
#pragma omp simd reduction(+ : s)
                for (int i = 0; i < c; i++)
                  s += av[i] * bv[i];
              }
            *o++ = s / (float) c;   /* PyTorch's mean: the sum, then a division */
          }
    }
}

void
nn_kernel_correlation (const float *a, const float *b, int h, int w, int c, int radius,
                       float *dst)
{
#pragma omp parallel for schedule(static)
  for (int y = 0; y < h; y++)
    correlation_row (a, b, y, h, w, c, radius, dst);
}

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

static inline float
activate (float v, const nn_node *n)
{
  switch (n->act)
    {
    case NN_ACT_RELU: return v > 0.0f ? v : 0.0f;
    case NN_ACT_LEAKY_RELU: return v > 0.0f ? v : v * n->alpha;
    case NN_ACT_SIGMOID: return 1.0f / (1.0f + expf (-v));
    case NN_ACT_TANH: return tanhf (v);
    case NN_ACT_NONE:
    default: return v;
    }
}

/* Copies each head's channels of a merged convolution's output to the
 * head's own buffer, with the head's activation when it was not fused
 * into the convolution (heads with different ones). */
void
nn_kernel_split (const float *src, size_t n_px, int c, const nn_step *s, float *const *dst)
{
#pragma omp parallel for schedule(static)
  for (size_t i = 0; i < n_px; i++)
    {
      const float *in = src + i * c;
      for (int k = 0; k < s->n_heads; k++)
        {
          int cnt = (k + 1 < s->n_heads ? s->head_off[k + 1] : c) - s->head_off[k];
          const float *from = in + s->head_off[k];
          float *to = dst[k] + i * cnt;
          if (s->head_act[k])
            for (int j = 0; j < cnt; j++)
              to[j] = activate (from[j], s->head_act[k]);
          else
            memcpy (to, from, (size_t) cnt * sizeof (float));
        }
    }
}
