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
 * and ones oneDNN runs slowly:
 *  - 3x3 stride-1 convolutions with 1 to 4 f32 output channels (heads);
 *  - channel concatenation (and bf16 outputs read back as f32). */
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

/* bf16 to f32 (exact: a shift), for outputs read as float32; the
 * reader does it every frame (SqueezeNet's fire5: 3.3M values), so it is
 * split over the threads in chunks of a multiple of 16 values. */
CLONES static void
bf16_to_f32_range (const uint16_t *src, size_t n, float *dst)
{
  for (size_t i = 0; i < n; i++)
    {
      uint32_t x = (uint32_t) src[i] << 16;
      memcpy (&dst[i], &x, sizeof x);
    }
}

void
nn_kernel_bf16_to_f32 (const void *src, size_t n, float *dst)
{
  const size_t chunk = 64 * 1024;
  const long n_chunks = (long) ((n + chunk - 1) / chunk);
#pragma omp parallel for schedule(static)
  for (long k = 0; k < n_chunks; k++)
    {
      size_t i = (size_t) k * chunk;
      bf16_to_f32_range ((const uint16_t *) src + i, n - i < chunk ? n - i : chunk, dst + i);
    }
}

/* Channel concatenation, NHWC: each input's pixels go to their channel
 * slice of the output, converted when the types differ (bf16 <-> f32,
 * rounding as tinta_f32_to_bf16). oneDNN's "simple" concat copies pixel
 * by pixel through a generic loop: for inputs of 1 or 2 channels it ran
 * at a fraction of memory speed (the fusion network's 8 image inputs:
 * 2.6 ms for 5 MB at 427x240); and it wants one type throughout, which
 * cost conversion passes around concats of mixed inputs. */
#define CONCAT_BLOCK 512   /* pixels per work item */

/* Same type: `bytes` per pixel. Whole 16-byte pieces when they fit (the
 * channel counts of real networks), as unaligned vector moves. */
CLONES static void
concat_copy (const char *src, size_t bytes, size_t n, char *dst, size_t stride)
{
  if (bytes % 16 == 0)
    for (size_t i = 0; i < n; i++)
      for (size_t j = 0; j < bytes; j += 16)
        memcpy (dst + i * stride + j, src + i * bytes + j, 16);
  else if (bytes == 4)
    for (size_t i = 0; i < n; i++)
      memcpy (dst + i * stride, src + i * 4, 4);
  else if (bytes == 2)
    for (size_t i = 0; i < n; i++)
      memcpy (dst + i * stride, src + i * 2, 2);
  else
    for (size_t i = 0; i < n; i++)
      memcpy (dst + i * stride, src + i * bytes, bytes);
}

CLONES static void
concat_bf16_f32 (const uint16_t *src, int c, size_t n, float *dst, int stride)
{
  for (size_t i = 0; i < n; i++)
    for (int k = 0; k < c; k++)
      {
        uint32_t x = (uint32_t) src[i * c + k] << 16;
        memcpy (&dst[i * stride + k], &x, sizeof x);
      }
}

CLONES static void
concat_f32_bf16 (const float *src, int c, size_t n, uint16_t *dst, int stride)
{
  for (size_t i = 0; i < n; i++)
    for (int k = 0; k < c; k++)
      dst[i * stride + k] = tinta_f32_to_bf16 (src[i * c + k]);
}

void
nn_kernel_concat (int n_in, const void *const *src, const int *src_c, const int *src_bf16,
                  size_t n_px, void *dst, int dst_c, int dst_bf16)
{
  const long n_blocks = (long) ((n_px + CONCAT_BLOCK - 1) / CONCAT_BLOCK);
#pragma omp parallel for schedule(static)
  for (long b = 0; b < n_blocks; b++)
    {
      size_t p0 = (size_t) b * CONCAT_BLOCK;
      size_t n = n_px - p0 < CONCAT_BLOCK ? n_px - p0 : CONCAT_BLOCK;
      for (int i = 0, off = 0; i < n_in; off += src_c[i++])
        {
          size_t so = p0 * src_c[i], d = p0 * dst_c + off;
          size_t es = dst_bf16 ? 2 : 4;
          if (src_bf16[i] == dst_bf16)
            concat_copy ((const char *) src[i] + so * es, src_c[i] * es, n, (char *) dst + d * es,
                         dst_c * es);
          else if (src_bf16[i])
            concat_bf16_f32 ((const uint16_t *) src[i] + so, src_c[i], n, (float *) dst + d,
                             dst_c);
          else if (dst_bf16)
            concat_f32_bf16 ((const float *) src[i] + so, src_c[i], n, (uint16_t *) dst + d,
                             dst_c);
        }
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
                    bits[i] = (uint32_t) from[i] << 16;
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
