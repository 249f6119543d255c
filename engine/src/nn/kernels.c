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
 *    and a 1x1 sum (~8 ms at 427x240) for 2.5M multiply-adds (~0.2 ms).
 * and one oneDNN runs slowly:
 *  - 3x3 stride-1 convolutions with 1 to 4 f32 output channels (heads). */
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "core/bf16.h"
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
activate (float v, nn_act act, float alpha)
{
  switch (act)
    {
    case NN_ACT_RELU: return v > 0.0f ? v : 0.0f;
    case NN_ACT_LEAKY_RELU: return v > 0.0f ? v : v * alpha;
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
              to[j] = activate (from[j], s->head_act[k]->act, s->head_act[k]->alpha);
          else
            memcpy (to, from, (size_t) cnt * sizeof (float));
        }
    }
}

/* Direct 3x3 stride-1 convolution for f32 outputs of 1 to 4 channels
 * (the output heads). oneDNN pads the output channels to a vector (16)
 * and runs these at 15-30 GFLOP/s, mostly on padding. Here each worker
 * keeps the three input rows an output row reads converted to f32 (bf16
 * activations are read as they are: no conversion step) and zero-padded
 * left and right, so that the 3x3 window of pixel x is 3 * c contiguous
 * floats at x * c of each row; rows above or below the image contribute
 * nothing and are skipped. The dot products run along the window, 16
 * lanes, reduced once per pixel and output channel; DIRECT_PX pixels go
 * together so that their accumulators make independent chains (a
 * multiply-add's latency is four of its issue slots). Vectorizing along
 * the output channels instead (a broadcast multiply-add per window value)
 * lost to oneDNN from 5 output channels up (the 15-channel merged heads
 * of the local network: 21 ms against 12, one thread). */

/* -std=c11 turns multiply-add contraction off; these kernels want FMAs
 * (oneDNN uses them too: the same sums, rounded once less). */
#pragma GCC push_options
#pragma GCC optimize ("fp-contract=fast")

typedef float v16f __attribute__ ((vector_size (64)));
typedef float v8f __attribute__ ((vector_size (32)));
typedef uint16_t v16u16 __attribute__ ((vector_size (32)));
typedef uint32_t v16u32 __attribute__ ((vector_size (64)));
/* Unaligned views of activations and weights (loads of any float). */
typedef float v16f_u __attribute__ ((vector_size (64), aligned (4), may_alias));
typedef float v8f_u __attribute__ ((vector_size (32), aligned (4), may_alias));

#define DIRECT_PX 4
#define LOAD16(p) (*(const v16f_u *) (p))

static inline float
hsum16 (v16f v)
{
  const float *f = (const float *) &v;
  v8f h = *(const v8f_u *) f + *(const v8f_u *) (f + 8);
  float lanes[8];
  memcpy (lanes, &h, sizeof lanes);
  return ((lanes[0] + lanes[4]) + (lanes[1] + lanes[5]))
         + ((lanes[2] + lanes[6]) + (lanes[3] + lanes[7]));
}

/* `np` pixels from x, all n_out (<= NN_DIRECT_MAX_OUT) output channels:
 * each window vector is loaded once for all of them. */
static inline __attribute__ ((always_inline)) void
direct_px (const float *const rows[3], int x, int np, int c, const float *wt, const float *bias,
           int n_out, nn_act act, float alpha, float *out)
{
  const int len = 3 * c;
  v16f acc[DIRECT_PX][NN_DIRECT_MAX_OUT];
  float tail[DIRECT_PX][NN_DIRECT_MAX_OUT];
#pragma GCC unroll 4
  for (int p = 0; p < np; p++)
#pragma GCC unroll 4
    for (int o = 0; o < n_out; o++)
      {
        acc[p][o] = (v16f) { 0 };
        tail[p][o] = 0.0f;
      }
  for (int ky = 0; ky < 3; ky++)
    {
      if (rows[ky] == NULL)
        continue;
      const float *r = rows[ky] + (size_t) x * c;
      const float *wr = wt + (size_t) ky * len;
      int j = 0;
      for (; j + 16 <= len; j += 16)
#pragma GCC unroll 4
        for (int p = 0; p < np; p++)
          {
            v16f in = LOAD16 (r + (size_t) p * c + j);
#pragma GCC unroll 4
            for (int o = 0; o < n_out; o++)
              acc[p][o] += in * LOAD16 (wr + (size_t) o * 3 * len + j);
          }
      for (; j < len; j++)
#pragma GCC unroll 4
        for (int p = 0; p < np; p++)
#pragma GCC unroll 4
          for (int o = 0; o < n_out; o++)
            tail[p][o] += r[(size_t) p * c + j] * wr[(size_t) o * 3 * len + j];
    }
#pragma GCC unroll 4
  for (int p = 0; p < np; p++)
#pragma GCC unroll 4
    for (int o = 0; o < n_out; o++)
      out[(size_t) (x + p) * n_out + o]
          = activate (hsum16 (acc[p][o]) + tail[p][o] + bias[o], act, alpha);
}

/* One output row, the output channel count a constant for the unrolling. */
static inline __attribute__ ((always_inline)) void
direct_row (const float *const rows[3], int ow, int c, const nn_step *s, int n_out, float *out)
{
  int x = 0;
  for (; x + DIRECT_PX <= ow; x += DIRECT_PX)
    direct_px (rows, x, DIRECT_PX, c, s->direct_w, s->direct_b, n_out, s->direct_act,
               s->direct_alpha, out);
  for (; x < ow; x++)
    direct_px (rows, x, 1, c, s->direct_w, s->direct_b, n_out, s->direct_act, s->direct_alpha,
               out);
}

/* Output rows [y0, y1) of the direct convolution; ring: 3 rows of
 * (w + 2 * pad_x) * c floats. A function of its own for the clones (see
 * correlation_row). */
CLONES static void
direct_rows (const void *src, int src_bf16, int h, int w, int c, const nn_step *s, float *dst,
             int ow, int y0, int y1, float *ring)
{
  const int px = s->direct_pad[1], pw = w + 2 * px;
  const size_t slot = (size_t) pw * c;
  int ring_row[3] = { -1, -1, -1 };
  for (int i = 0; i < 3; i++)
    {
      memset (ring + i * slot, 0, (size_t) px * c * sizeof (float));
      memset (ring + i * slot + (size_t) (px + w) * c, 0, (size_t) px * c * sizeof (float));
    }
  for (int y = y0; y < y1; y++)
    {
      const float *rows[3];
      for (int ky = 0; ky < 3; ky++)
        {
          int iy = y - s->direct_pad[0] + ky;
          rows[ky] = NULL;
          if (iy < 0 || iy >= h)
            continue;
          float *r = ring + (size_t) (iy % 3) * slot;
          if (ring_row[iy % 3] != iy)
            {
              float *to = r + (size_t) px * c;
              size_t n = (size_t) w * c;
              if (src_bf16)
                {
                  /* exact: bf16 is f32's top half (GCC's -O2 leaves the
                   * scalar loop unvectorized) */
                  const uint16_t *from = (const uint16_t *) src + (size_t) iy * n;
                  uint32_t *bits = (uint32_t *) to;
                  size_t i = 0;
                  for (; i + 16 <= n; i += 16)
                    {
                      v16u16 h16;
                      memcpy (&h16, from + i, sizeof h16);
                      v16u32 w32 = __builtin_convertvector (h16, v16u32) << 16;
                      memcpy (bits + i, &w32, sizeof w32);
                    }
                  for (; i < n; i++)
                    to[i] = tinta_bf16_to_f32 (from[i]);
                }
              else
                memcpy (to, (const float *) src + (size_t) iy * n, n * sizeof (float));
              ring_row[iy % 3] = iy;
            }
          rows[ky] = r;
        }
      float *out = dst + (size_t) y * ow * s->direct_out;
      switch (s->direct_out)
        {
        case 1: direct_row (rows, ow, c, s, 1, out); break;
        case 2: direct_row (rows, ow, c, s, 2, out); break;
        case 3: direct_row (rows, ow, c, s, 3, out); break;
        default: direct_row (rows, ow, c, s, 4, out); break;
        }
    }
}

int
nn_kernel_conv3x3 (const void *src, int src_bf16, int h, int w, int c, const nn_step *s,
                   float *dst, int oh, int ow)
{
  const size_t ring_floats = 3 * (size_t) (w + 2 * s->direct_pad[1]) * c;
  int failed = 0;
#pragma omp parallel reduction(| : failed)
  {
    int nt = omp_get_num_threads (), t = omp_get_thread_num ();
    /* Contiguous blocks of rows: each input row is converted once per
     * block, not once per output row reading it. */
    int y0 = (int) ((long) oh * t / nt), y1 = (int) ((long) oh * (t + 1) / nt);
    float *ring = y1 > y0 ? malloc (ring_floats * sizeof (float)) : NULL;
    if (ring)
      direct_rows (src, src_bf16, h, w, c, s, dst, ow, y0, y1, ring);
    else if (y1 > y0)
      failed = 1;
    free (ring);
  }
  return failed ? -1 : 0;
}

#pragma GCC pop_options
