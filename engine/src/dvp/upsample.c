/* Guided chroma upsampling (tinta/upsample.h): the fast guided filter of
 * He & Sun 2015 with the full-resolution L as guide, in the variant the
 * header describes, and the area downsampling that makes its
 * working-resolution guide.
 *
 * Passes, all O(pixels) whatever the radius:
 *   1. L_full -> L_lo, area average with fractional coverage;
 *   2. at w x h, window sums of L, L^2, a, b, a^2, b^2, La, Lb give per
 *      pixel the ridge slope A = cov / (var + eps), damped by the squared
 *      correlation of L and the chroma;
 *   3. A is averaged over the same windows, and B anchors the line at the
 *      pixel's own sample: B = a_lo - A L_lo;
 *   4. per full-resolution pixel, bilinear A and B (half-pixel centres, the
 *      convention of resample.c) give a = A L_full + B, clamped to the
 *      range of the four samples bilinear would blend.
 * Window sums are doubles: the variance of L is a difference of sums of
 * values up to 10^4, which in float cancels down to noise at small eps.
 * Rows are split into one band per thread; each band primes its own
 * sliding window, which costs 2r+1 rows per band instead of a shared
 * prefix-sum table. */
#include <math.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include "core/internal.h"
#include "tinta/frame.h"
#include "dvp/resample.h"
#include "tinta/upsample.h"

/* The full-resolution loops, cloned for AVX2 and AVX-512 as in match.c. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_THREAD__)
#define CLONES __attribute__ ((target_clones ("default", "avx2", "arch=x86-64-v4")))
#else
#define CLONES
#endif

void
tinta_upsample_params_init (tinta_upsample_params *params)
{
  if (params == NULL)
    return;
  params->radius = TINTA_UPSAMPLE_DEFAULT_RADIUS;
  params->eps = TINTA_UPSAMPLE_DEFAULT_EPS;
}

static int
band_count (int rows)
{
#ifdef _OPENMP
  int n = omp_get_max_threads ();
#else
  int n = 1;
#endif
  n = n < rows ? n : rows;
  return n < 1 ? 1 : n;
}

static inline int
band_start (int rows, int bands, int i)
{
  return (int) ((long long) rows * i / bands);
}

static inline int
imin (int a, int b)
{
  return a < b ? a : b;
}

static inline int
imax (int a, int b)
{
  return a > b ? a : b;
}

static int
check_sizes (int W, int H, int w, int h, tinta_error *err)
{
  if (W < 1 || H < 1 || w < 1 || h < 1)
    return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, "",
                       "image sizes must be positive (full %dx%d, working %dx%d)", W, H, w, h);
  if (W > TINTA_MAX_DIMENSION || H > TINTA_MAX_DIMENSION)
    return tinta_fail (err, TINTA_ERR_TOO_LARGE, "", "%dx%d exceeds the engine's limit of %d pixels per side",
                       W, H, TINTA_MAX_DIMENSION);
  if (w > W || h > H)
    return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, "",
                       "the working size %dx%d must not exceed the full size %dx%d", w, h, W, H);
  size_t n;
  /* Only reachable where size_t is 32 bits: 16384^2 floats is 1 GiB. */
  if (!tinta_mul_size ((size_t) W * (size_t) H, 2 * sizeof (double), &n))
    return tinta_fail (err, TINTA_ERR_TOO_LARGE, "", "%dx%d does not fit in memory", W, H);
  return TINTA_OK;
}

/* ---- Area downsampling ---- */

/* Source cells [*first, *end) of destination cell i and their coverage
 * weights (normalized to sum 1).  The bounds are integer arithmetic: a
 * rounded i * src_n / dst_n landing just below an integer would add a
 * cell, overrunning the weight table. */
static void
area_weights (int i, int src_n, int dst_n, int *first, int *end, double *wt)
{
  long long num0 = (long long) i * src_n, num1 = (long long) (i + 1) * src_n;
  *first = (int) (num0 / dst_n);
  *end = (int) ((num1 + dst_n - 1) / dst_n);
  double t0 = (double) num0 / dst_n, t1 = (double) num1 / dst_n, sum = 0.0;
  for (int j = *first; j < *end; j++)
    {
      double lo = fmax (t0, (double) j), hi = fmin (t1, (double) (j + 1));
      wt[j - *first] = hi > lo ? hi - lo : 0.0;
      sum += wt[j - *first];
    }
  for (int j = *first; j < *end; j++)
    wt[j - *first] /= sum;
}

/* The most source cells one destination cell can touch: the cell spans
 * src_n / dst_n source cells, plus partial ones at both ends. */
static int
area_taps (int src_n, int dst_n)
{
  return src_n / dst_n + 2;
}

static int
area_downsample (const float *src, int W, int H, float *dst, int w, int h, tinta_error *err)
{
  int taps_x = area_taps (W, w), taps_y = area_taps (H, h);
  int bands = band_count (h);
  int *first_x = tinta_alloc_aligned ((size_t) 2 * w, sizeof (int));
  double *wt_x = tinta_alloc_aligned ((size_t) w * taps_x, sizeof (double));
  /* Per band: one W-wide row of vertical sums and the row's weights. */
  size_t per_band = (size_t) W + (size_t) taps_y;
  double *scratch = tinta_alloc_aligned (per_band * bands, sizeof (double));
  if (first_x == NULL || wt_x == NULL || scratch == NULL)
    {
      tinta_free_aligned (first_x);
      tinta_free_aligned (wt_x);
      tinta_free_aligned (scratch);
      return tinta_fail (err, TINTA_ERR_NO_MEMORY, "", "out of memory downsampling %dx%d to %dx%d",
                         W, H, w, h);
    }
  int *end_x = first_x + w;
  for (int x = 0; x < w; x++)
    area_weights (x, W, w, &first_x[x], &end_x[x], wt_x + (size_t) x * taps_x);

#pragma omp parallel for schedule(static)
  for (int band = 0; band < bands; band++)
    {
      double *acc = scratch + per_band * band, *wt_y = acc + W;
      for (int y = band_start (h, bands, band); y < band_start (h, bands, band + 1); y++)
        {
          int y0, y_end;
          area_weights (y, H, h, &y0, &y_end, wt_y);
          memset (acc, 0, (size_t) W * sizeof (double));
          for (int j = y0; j < y_end; j++)
            {
              const float *row = src + (size_t) j * W;
              double wj = wt_y[j - y0];
              for (int i = 0; i < W; i++)
                acc[i] += wj * row[i];
            }
          float *out = dst + (size_t) y * w;
          for (int x = 0; x < w; x++)
            {
              const double *wt = wt_x + (size_t) x * taps_x;
              double s = 0.0;
              for (int i = first_x[x]; i < end_x[x]; i++)
                s += wt[i - first_x[x]] * acc[i];
              out[x] = (float) s;
            }
        }
    }
  tinta_free_aligned (first_x);
  tinta_free_aligned (wt_x);
  tinta_free_aligned (scratch);
  return TINTA_OK;
}

int
tinta_downsample_area (const float *src, int W, int H, float *dst, int w, int h, tinta_error *err)
{
  if (src == NULL || dst == NULL)
    return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, "", "no source or destination plane");
  int st = check_sizes (W, H, w, h, err);
  if (st != TINTA_OK)
    return st;
  if (w == W && h == H)
    {
      memmove (dst, src, (size_t) W * H * sizeof (float));
      return TINTA_OK;
    }
  return area_downsample (src, W, H, dst, w, h, err);
}

/* ---- Box means over clipped windows ---- */

#define MAX_QUANTITIES 8

typedef struct box_job box_job;
struct box_job {
  int w, h, r, k;   /* k quantities per pixel, at most MAX_QUANTITIES */
  /* Adds sign * the k quantities of row y into cs (k rows of w). */
  void (*add_row) (const box_job *job, int y, double sign, double *cs);
  /* Receives row y's window means (k rows of w). */
  void (*emit) (const box_job *job, int y, const double *mean);
  const float *src[3];
  float *dst[4];
  double eps;
};

static void
box_means (const box_job *job, double *scratch, int bands)
{
  const int w = job->w, h = job->h, r = job->r, k = job->k;
#pragma omp parallel for schedule(static)
  for (int band = 0; band < bands; band++)
    {
      double *cs = scratch + (size_t) 2 * MAX_QUANTITIES * w * band, *mean = cs + (size_t) k * w;
      int y_begin = band_start (h, bands, band), y_end = band_start (h, bands, band + 1);
      memset (cs, 0, (size_t) k * w * sizeof (double));
      for (int j = imax (y_begin - r, 0); j <= imin (y_begin + r, h - 1); j++)
        job->add_row (job, j, 1.0, cs);
      for (int y = y_begin; y < y_end; y++)
        {
          double inv_ny = 1.0 / (imin (y + r, h - 1) - imax (y - r, 0) + 1);
          /* x outer, quantities inner: k independent running sums keep
           * the adder busy where one would wait on its own latency. */
          double s[MAX_QUANTITIES] = { 0 };
          for (int x = 0; x <= imin (r, w - 1); x++)
            for (int q = 0; q < k; q++)
              s[q] += cs[(size_t) q * w + x];
          for (int x = 0; x < w; x++)
            {
              int add = x > 0 && x + r < w ? x + r : -1, sub = x - r - 1;
              double inv = inv_ny / (imin (x + r, w - 1) - imax (x - r, 0) + 1);
              for (int q = 0; q < k; q++)
                {
                  const double *c = cs + (size_t) q * w;
                  if (add >= 0)
                    s[q] += c[add];
                  if (sub >= 0)
                    s[q] -= c[sub];
                  mean[(size_t) q * w + x] = s[q] * inv;
                }
            }
          job->emit (job, y, mean);
          if (y + 1 < y_end)
            {
              if (y + 1 + r < h)
                job->add_row (job, y + 1 + r, 1.0, cs);
              if (y - r >= 0)
                job->add_row (job, y - r, -1.0, cs);
            }
        }
    }
}

/* Pass 2: src L_lo, a_lo, b_lo -> dst the slopes A_a, A_b. */
static void
slope_add_row (const box_job *job, int y, double sign, double *cs)
{
  const int w = job->w;
  const size_t o = (size_t) y * w;
  const float *L = job->src[0] + o, *a = job->src[1] + o, *b = job->src[2] + o;
  double *sL = cs, *sLL = cs + w, *sa = cs + 2 * w, *sb = cs + 3 * w;
  double *saa = cs + 4 * w, *sbb = cs + 5 * w, *sLa = cs + 6 * w, *sLb = cs + 7 * w;
  for (int x = 0; x < w; x++)
    {
      double l = L[x], ca = a[x], cb = b[x];
      sL[x] += sign * l;
      sLL[x] += sign * l * l;
      sa[x] += sign * ca;
      sb[x] += sign * cb;
      saa[x] += sign * ca * ca;
      sbb[x] += sign * cb * cb;
      sLa[x] += sign * l * ca;
      sLb[x] += sign * l * cb;
    }
}

/* The ridge slope cov / (var + eps), times the squared correlation: in
 * texture whose chroma barely follows L (most natural surfaces), the
 * slope alone would print the texture into the chroma; at a boundary
 * between two colors the correlation is near 1 and the slope stays. */
static inline double
damped_slope (double cov, double var_L, double var_c, double eps)
{
  double rho2 = cov * cov / (var_L * var_c + 1e-6);
  return cov / (var_L + eps) * (rho2 < 1.0 ? rho2 : 1.0);
}

static void
slope_emit (const box_job *job, int y, const double *mean)
{
  const int w = job->w;
  const size_t o = (size_t) y * w;
  const double *mL = mean, *mLL = mean + w, *ma = mean + 2 * w, *mb = mean + 3 * w;
  const double *maa = mean + 4 * w, *mbb = mean + 5 * w, *mLa = mean + 6 * w, *mLb = mean + 7 * w;
  float *A_a = job->dst[0] + o, *A_b = job->dst[1] + o;
  for (int x = 0; x < w; x++)
    {
      double var_L = fmax (mLL[x] - mL[x] * mL[x], 0.0);
      double var_a = fmax (maa[x] - ma[x] * ma[x], 0.0), var_b = fmax (mbb[x] - mb[x] * mb[x], 0.0);
      A_a[x] = (float) damped_slope (mLa[x] - mL[x] * ma[x], var_L, var_a, job->eps);
      A_b[x] = (float) damped_slope (mLb[x] - mL[x] * mb[x], var_L, var_b, job->eps);
    }
}

/* Pass 3: src A_a, A_b -> dst their window means and the intercepts that
 * put each pixel's line through its own sample.  He & Sun average the
 * intercept instead, which box-blurs the chroma twice wherever L is flat:
 * worse than bilinear by 3.8 dB on DAVIS frames at radius 1. */
typedef struct {
  box_job box;
  const float *L_lo, *a_lo, *b_lo;
} line_job;

static void
line_add_row (const box_job *job, int y, double sign, double *cs)
{
  const int w = job->w;
  const size_t o = (size_t) y * w;
  for (int q = 0; q < 2; q++)
    {
      const float *p = job->src[q] + o;
      double *c = cs + (size_t) q * w;
      for (int x = 0; x < w; x++)
        c[x] += sign * p[x];
    }
}

static void
line_emit (const box_job *job, int y, const double *mean)
{
  const line_job *lj = (const line_job *) job;
  const int w = job->w;
  const size_t o = (size_t) y * w;
  const float *L = lj->L_lo + o, *a = lj->a_lo + o, *b = lj->b_lo + o;
  float *A_a = job->dst[0] + o, *B_a = job->dst[1] + o, *A_b = job->dst[2] + o, *B_b = job->dst[3] + o;
  for (int x = 0; x < w; x++)
    {
      double sa = mean[x], sb = mean[w + x];
      A_a[x] = (float) sa;
      B_a[x] = (float) (a[x] - sa * L[x]);
      A_b[x] = (float) sb;
      B_b[x] = (float) (b[x] - sb * L[x]);
    }
}

/* Pass 4: tinta_source_index (resample.h) is the rule of the engine's
 * bilinear, so that a zero slope gives exactly it. */

/* Planes widened per working-resolution row: the line of a and b, and the
 * range of a and b over each output column's two source columns. */
enum { WIDE_A_A, WIDE_B_A, WIDE_A_B, WIDE_B_B, WIDE_MIN_A, WIDE_MAX_A, WIDE_MIN_B, WIDE_MAX_B,
       WIDE_PLANES };

typedef struct {
  const float *line[4];     /* A_a, B_a, A_b, B_b, w x h */
  const float *a_lo, *b_lo;
  int w, h, W, H;
  const int *x0, *x1;
  const float *wx;
  const float *L;
  float *a, *b;
} apply_job;

CLONES static void
widen_row (const apply_job *job, int y, float *const *wide)
{
  const int W = job->W;
  const int *restrict x0 = job->x0, *restrict x1 = job->x1;
  const float *restrict wx = job->wx;
  for (int q = 0; q < 4; q++)
    {
      const float *restrict s = job->line[q] + (size_t) y * job->w;
      float *restrict d = wide[q];
      for (int x = 0; x < W; x++)
        d[x] = s[x0[x]] + wx[x] * (s[x1[x]] - s[x0[x]]);
    }
  for (int c = 0; c < 2; c++)
    {
      const float *restrict s = (c ? job->b_lo : job->a_lo) + (size_t) y * job->w;
      float *restrict lo = wide[WIDE_MIN_A + 2 * c], *restrict hi = wide[WIDE_MAX_A + 2 * c];
      for (int x = 0; x < W; x++)
        {
          float u = s[x0[x]], v = s[x1[x]];
          lo[x] = u < v ? u : v;
          hi[x] = u < v ? v : u;
        }
    }
}

/* Two working-resolution rows, widened: consecutive output rows mostly
 * share their source rows, so each is widened once per band. */
typedef struct {
  int row[2];
  float *wide[2][WIDE_PLANES];
} row_cache;

static int
cache_get (const apply_job *job, row_cache *c, int y, int keep)
{
  for (int s = 0; s < 2; s++)
    if (c->row[s] == y)
      return s;
  int s = c->row[0] == keep ? 1 : 0;
  widen_row (job, y, c->wide[s]);
  c->row[s] = y;
  return s;
}

static inline float
clampf (float v, float lo, float hi)
{
  v = v < lo ? lo : v;
  return v > hi ? hi : v;
}

/* One output row of one channel, from its two widened source rows. */
CLONES static void
apply_row (int W, float wy, const float *restrict A0, const float *restrict A1,
           const float *restrict B0, const float *restrict B1,
           const float *restrict lo0, const float *restrict lo1,
           const float *restrict hi0, const float *restrict hi1,
           const float *restrict L, float *restrict out)
{
  for (int x = 0; x < W; x++)
    {
      float A = A0[x] + wy * (A1[x] - A0[x]), B = B0[x] + wy * (B1[x] - B0[x]);
      float lo = lo0[x] < lo1[x] ? lo0[x] : lo1[x], hi = hi0[x] > hi1[x] ? hi0[x] : hi1[x];
      /* Never outside what bilinear blends: no overshoot, no halo, no
       * color the neighbourhood does not have. */
      out[x] = clampf (A * L[x] + B, lo, hi);
    }
}

static void
apply_band (const apply_job *job, int y_begin, int y_end, float *cache_mem)
{
  const int W = job->W;
  const float scale_y = (float) job->h / (float) job->H;
  row_cache c = { { -1, -1 }, { { NULL } } };
  for (int s = 0; s < 2; s++)
    for (int q = 0; q < WIDE_PLANES; q++)
      c.wide[s][q] = cache_mem + (size_t) (WIDE_PLANES * s + q) * W;
  for (int y = y_begin; y < y_end; y++)
    {
      int y0, y1;
      float wy;
      tinta_source_index (y, scale_y, job->h, &y0, &y1, &wy);
      float *const *r0 = c.wide[cache_get (job, &c, y0, y1)];
      float *const *r1 = c.wide[cache_get (job, &c, y1, y0)];
      size_t o = (size_t) y * W;
      apply_row (W, wy, r0[WIDE_A_A], r1[WIDE_A_A], r0[WIDE_B_A], r1[WIDE_B_A],
                 r0[WIDE_MIN_A], r1[WIDE_MIN_A], r0[WIDE_MAX_A], r1[WIDE_MAX_A], job->L + o, job->a + o);
      apply_row (W, wy, r0[WIDE_A_B], r1[WIDE_A_B], r0[WIDE_B_B], r1[WIDE_B_B],
                 r0[WIDE_MIN_B], r1[WIDE_MIN_B], r0[WIDE_MAX_B], r1[WIDE_MAX_B], job->L + o, job->b + o);
    }
}

int
tinta_upsample_ab (const float *L_full, int W, int H, const float *a_lo, const float *b_lo,
                   int w, int h, float *a_out, float *b_out,
                   const tinta_upsample_params *params, tinta_error *err)
{
  if (L_full == NULL || a_lo == NULL || b_lo == NULL || a_out == NULL || b_out == NULL)
    return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, "",
                       "chroma upsampling needs five planes (L_full, a_lo, b_lo, a_out, b_out), one is NULL");
  int st = check_sizes (W, H, w, h, err);
  if (st != TINTA_OK)
    return st;
  if (a_out == b_out)
    return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, "", "a_out and b_out are the same plane");
  tinta_upsample_params defaults;
  if (params == NULL)
    {
      tinta_upsample_params_init (&defaults);
      params = &defaults;
    }
  if (params->radius < 0 || params->radius > TINTA_UPSAMPLE_MAX_RADIUS)
    return tinta_fail (err, TINTA_ERR_OUT_OF_RANGE, "", "upsampling radius %d is outside 0..%d",
                       params->radius, TINTA_UPSAMPLE_MAX_RADIUS);
  if (!(params->eps > 0.0f) || !isfinite (params->eps))
    return tinta_fail (err, TINTA_ERR_OUT_OF_RANGE, "", "upsampling eps %g must be a positive number",
                       (double) params->eps);

  if (w == W && h == H)
    {
      memmove (a_out, a_lo, (size_t) W * H * sizeof (float));
      memmove (b_out, b_lo, (size_t) W * H * sizeof (float));
      return TINTA_OK;
    }

  const size_t n_lo = (size_t) w * h;
  const int bands_lo = band_count (h), bands_hi = band_count (H);
  /* L_lo, the two raw slopes, then A_a, B_a, A_b, B_b. */
  float *planes = tinta_alloc_aligned (7 * n_lo, sizeof (float));
  double *box_scratch = tinta_alloc_aligned ((size_t) 2 * MAX_QUANTITIES * w * bands_lo, sizeof (double));
  int *x_index = tinta_alloc_aligned ((size_t) 2 * W, sizeof (int));
  float *x_weight = tinta_alloc_aligned ((size_t) W, sizeof (float));
  float *row_mem = tinta_alloc_aligned ((size_t) 2 * WIDE_PLANES * W * bands_hi, sizeof (float));
  if (planes == NULL || box_scratch == NULL || x_index == NULL || x_weight == NULL || row_mem == NULL)
    {
      st = tinta_fail (err, TINTA_ERR_NO_MEMORY, "", "out of memory upsampling %dx%d to %dx%d",
                       w, h, W, H);
      goto out;
    }
  float *L_lo = planes, *slope = planes + n_lo, *line = planes + 3 * n_lo;

  st = area_downsample (L_full, W, H, L_lo, w, h, err);
  if (st != TINTA_OK)
    goto out;

  box_job slopes = { .w = w, .h = h, .r = params->radius, .k = 8,
                     .add_row = slope_add_row, .emit = slope_emit,
                     .src = { L_lo, a_lo, b_lo }, .dst = { slope, slope + n_lo },
                     .eps = params->eps };
  box_means (&slopes, box_scratch, bands_lo);

  line_job lines = { .box = { .w = w, .h = h, .r = params->radius, .k = 2,
                              .add_row = line_add_row, .emit = line_emit,
                              .src = { slope, slope + n_lo },
                              .dst = { line, line + n_lo, line + 2 * n_lo, line + 3 * n_lo } },
                     .L_lo = L_lo, .a_lo = a_lo, .b_lo = b_lo };
  box_means (&lines.box, box_scratch, bands_lo);

  const float scale_x = (float) w / (float) W;
  int *x0 = x_index, *x1 = x_index + W;
  for (int x = 0; x < W; x++)
    tinta_source_index (x, scale_x, w, &x0[x], &x1[x], &x_weight[x]);
  apply_job apply = { .a_lo = a_lo, .b_lo = b_lo, .w = w, .h = h, .W = W, .H = H,
                      .x0 = x0, .x1 = x1, .wx = x_weight, .L = L_full, .a = a_out, .b = b_out };
  for (int q = 0; q < 4; q++)
    apply.line[q] = line + q * n_lo;
#pragma omp parallel for schedule(static)
  for (int band = 0; band < bands_hi; band++)
    apply_band (&apply, band_start (H, bands_hi, band), band_start (H, bands_hi, band + 1),
                row_mem + (size_t) 2 * WIDE_PLANES * W * band);

out:
  tinta_free_aligned (planes);
  tinta_free_aligned (box_scratch);
  tinta_free_aligned (x_index);
  tinta_free_aligned (x_weight);
  tinta_free_aligned (row_mem);
  return st;
}
