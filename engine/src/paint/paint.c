/* Painted strokes -> a partial keyframe (tinta/paint.h): brush dabs on a
 * stroke layer, and an edge-aware fill that spreads the layer's chroma over
 * the surfaces the strokes were painted on.
 *
 * The fill is a geodesic distance transform computed by raster scans, as
 * in GeoS (Criminisi, Sharp and Blake, "GeoS: Geodesic Image Segmentation",
 * ECCV 2008): a forward scan (each pixel relaxed from its left, upper-left,
 * upper and upper-right neighbours) then a backward scan (the mirror),
 * repeated until nothing changes or MAX_SCAN_ROUNDS.  A step costs its
 * length in clip pixels plus edge * |delta L|; the label carried along is
 * the index of the nearest seed, whose chroma the pixel takes.  Scans are
 * sequential by nature (each pixel needs its left neighbour's final value
 * of this pass), so they stay on one thread; two rounds of them cost about
 * as much as the rest of the fill together, at 854x480 a few ms.
 *
 * Why a painted pixel's coverage sets its starting distance,
 * D0 = (1 - coverage) * spread, rather than 0: a light stroke (pressure
 * 0.3) then reaches 70 % less far than a full one instead of colouring a
 * whole region at full alpha, and a soft brush's faint rim never wins over
 * its solid core, so the fill's reach is measured from where the paint is
 * dense.
 *
 * Frames taller than WORK_MAX_HEIGHT lines are filled at a working
 * resolution: L area-downsampled, seeds max-pooled (a 1-pixel line of
 * paint at 4K must still seed its working pixel) with coverage-weighted
 * chroma; the chroma comes back guided by the full L (tinta_upsample_ab),
 * alpha bilinear, and the stroke layer is composited at full resolution
 * over the result, so painted pixels keep their exact colour. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "dvp/resample.h"
#include "tinta/frame.h"
#include "tinta/paint.h"
#include "tinta/upsample.h"

#define WORK_MAX_HEIGHT   540        /* taller frames are filled at this height */
#define MAX_SCAN_ROUNDS   3          /* forward + backward pairs */
#define SOLID_FRACTION    0.5f       /* alpha is 1 out to this fraction of spread */
/* The edge term sees L through SMOOTH_PASSES 3x3 box blurs at the working
 * resolution, less NOISE_FLOOR L units per step: a blur keeps the total
 * variation of a step edge (its cost) but divides that of grain, and the
 * floor ignores what grain is left.  Measured on blackswan/00000 (a stroke
 * along the swan's feathers): with neither, the fill stopped ~25 px from
 * the stroke on the textured body; with both it covers the body, and the
 * L = 30 step of the tests still costs 6 * (30 - 5 * 1) = 150 px. */
#define SMOOTH_PASSES     2
/* Loops over fewer pixels than this run on one thread: at 854x480 each
 * takes well under a millisecond, and on a loaded machine an OpenMP
 * barrier waiting for a descheduled thread costs more (measured: fill
 * 107 ms with two threads vs 24 ms with one, both cores busy elsewhere). */
#define PARALLEL_MIN      (1 << 20)
#define NOISE_FLOOR       1.0f
#define MAX_BRUSH_SIZE    4096.0f
#define MAX_SPREAD        1e6f
#define MAX_EDGE          1e4f
#define MAX_CHROMA        200.0f
#define COVERAGE_EPSILON  (1.0f / 4096.0f)   /* coverage below this is erased to 0 */
/* Brush work per stroke is bounded: dab count x dab area stays under this
 * many pixel evaluations (about 0.2 s) by widening the dab spacing and, for
 * absurd strokes only, skipping points. */
#define STROKE_BUDGET     (1 << 27)
#define COORD_LIMIT       1e300      /* farther points are clamped (no overflow in clipping) */

struct tinta_paint {
  int    width, height;
  float *L;        /* the frame's luminance, sanitized to [0, 100] */
  float *cov;      /* stroke layer: coverage [0, 1] */
  float *ca, *cb;  /* stroke layer: straight (not premultiplied) chroma */
};

void
tinta_paint_params_init (tinta_paint_params *p)
{
  if (p == NULL)
    return;
  /* spread 120: alpha stays 1 out to 60 px of geodesic distance from a
   * solid stroke and falls smoothly to 0 at 120 (half alpha at 90), so a
   * scribble in a uniform region colours it over a 60-100 px radius: a
   * shirt or a face at 854x480, without flooding the frame.
   * edge 6: crossing an L step of 30 (a clear object boundary) costs about
   * 150 px (see NOISE_FLOOR), beyond the whole spread, so nothing leaks
   * across even from a stroke touching the edge; a faint step of 10 costs
   * about 30 px and passes at reduced reach.  Edge 5 left the step at
   * 125 px, barely past the spread; higher values stop the fill on
   * textured surfaces (feathers, foliage) before it covers them. */
  p->spread = 120.0f;
  p->edge = 6.0f;
}

int
tinta_paint_new (const float *L, int width, int height, tinta_paint **out, tinta_error *err)
{
  if (out != NULL)
    *out = NULL;
  if (L == NULL || out == NULL)
    return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, NULL, "tinta_paint_new: NULL %s",
                       L == NULL ? "L" : "out");
  if (width < 1 || height < 1 || width > TINTA_MAX_DIMENSION || height > TINTA_MAX_DIMENSION)
    return tinta_fail (err, TINTA_ERR_OUT_OF_RANGE, NULL,
                       "paint: frame size %dx%d outside 1..%d", width, height,
                       TINTA_MAX_DIMENSION);
  size_t n = (size_t) width * height;
  tinta_paint *p = calloc (1, sizeof *p);
  if (p == NULL)
    return tinta_fail (err, TINTA_ERR_NO_MEMORY, NULL, "paint: out of memory");
  p->width = width;
  p->height = height;
  p->L = tinta_alloc_aligned (n, sizeof (float));
  p->cov = tinta_alloc_aligned (n, sizeof (float));
  p->ca = tinta_alloc_aligned (n, sizeof (float));
  p->cb = tinta_alloc_aligned (n, sizeof (float));
  if (p->L == NULL || p->cov == NULL || p->ca == NULL || p->cb == NULL)
    {
      tinta_paint_free (p);
      return tinta_fail (err, TINTA_ERR_NO_MEMORY, NULL, "paint: out of memory for %dx%d",
                         width, height);
    }
  for (size_t i = 0; i < n; i++)
    {
      float v = L[i];
      p->L[i] = v >= 0.0f ? (v <= 100.0f ? v : 100.0f) : 0.0f;   /* NaN -> 0 */
    }
  *out = p;
  return TINTA_OK;
}

void
tinta_paint_free (tinta_paint *p)
{
  if (p == NULL)
    return;
  tinta_free_aligned (p->L);
  tinta_free_aligned (p->cov);
  tinta_free_aligned (p->ca);
  tinta_free_aligned (p->cb);
  free (p);
}

void
tinta_paint_clear (tinta_paint *p)
{
  if (p == NULL)
    return;
  size_t n = (size_t) p->width * p->height;
  memset (p->cov, 0, n * sizeof (float));
  memset (p->ca, 0, n * sizeof (float));
  memset (p->cb, 0, n * sizeof (float));
}

int
tinta_paint_has_paint (const tinta_paint *p)
{
  if (p == NULL)
    return 0;
  size_t n = (size_t) p->width * p->height;
  for (size_t i = 0; i < n; i++)
    if (p->cov[i] > 0.0f)
      return 1;
  return 0;
}

/* ---- Strokes ---------------------------------------------------------- */

static inline float
smoothstep (float e0, float e1, float x)
{
  float t = (x - e0) / (e1 - e0);
  t = t < 0.0f ? 0.0f : (t > 1.0f ? 1.0f : t);
  return t * t * (3.0f - 2.0f * t);
}

typedef struct {
  float  r;            /* brush radius */
  float  lo, hi;       /* profile: 1 inside lo, smooth fall to 0 at hi */
  int    W, H;
  int    x0, y0, bw, bh;   /* the mask's rectangle in the frame */
  float *mask;         /* NULL while counting */
  double work;         /* pixel evaluations so far (or estimated) */
  long long dabs;
} brush;

/* One dab: coverage pressure * (1 - smoothstep (lo, hi, d)), max'ed into
 * the stroke's mask (dabs of one stroke do not pile up: a slow stroke is
 * as opaque as a fast one). */
static void
stamp (brush *br, double cx, double cy, double pressure)
{
  br->dabs++;
  int xa = (int) floor (cx - br->hi), xb = (int) ceil (cx + br->hi);
  int ya = (int) floor (cy - br->hi), yb = (int) ceil (cy + br->hi);
  xa = xa < br->x0 ? br->x0 : xa;
  ya = ya < br->y0 ? br->y0 : ya;
  xb = xb > br->x0 + br->bw - 1 ? br->x0 + br->bw - 1 : xb;
  yb = yb > br->y0 + br->bh - 1 ? br->y0 + br->bh - 1 : yb;
  if (xa > xb || ya > yb)
    return;
  br->work += (double) (xb - xa + 1) * (yb - ya + 1);
  if (br->mask == NULL)
    return;
  float pr = (float) pressure, fcx = (float) cx, fcy = (float) cy;
  float lo = br->lo, hi = br->hi, hi2 = hi * hi;
  for (int y = ya; y <= yb; y++)
    {
      float dy = (float) y + 0.5f - fcy;
      float *row = br->mask + (size_t) (y - br->y0) * br->bw - br->x0;
      for (int x = xa; x <= xb; x++)
        {
          float dx = (float) x + 0.5f - fcx, d2 = dx * dx + dy * dy;
          if (d2 >= hi2)
            continue;
          float c = pr * (1.0f - smoothstep (lo, hi, sqrtf (d2)));
          row[x] = c > row[x] ? c : row[x];
        }
    }
}

/* Liang-Barsky: the part [t0, t1] of P0 + t (P1 - P0) inside the box. */
static int
clip_segment (double x0, double y0, double x1, double y1, double bx0, double by0,
              double bx1, double by1, double *t0, double *t1)
{
  double dx = x1 - x0, dy = y1 - y0, p[4] = { -dx, dx, -dy, dy };
  double q[4] = { x0 - bx0, bx1 - x0, y0 - by0, by1 - y0 };
  double a = 0.0, b = 1.0;
  for (int i = 0; i < 4; i++)
    {
      if (p[i] == 0.0)
        {
          if (q[i] < 0.0)
            return 0;
          continue;
        }
      double t = q[i] / p[i];
      if (p[i] < 0.0)
        a = t > a ? t : a;
      else
        b = t < b ? t : b;
      if (a > b)
        return 0;
    }
  *t0 = a;
  *t1 = b;
  return 1;
}

static inline double
clamp_coord (double v)
{
  return v < -COORD_LIMIT ? -COORD_LIMIT : (v > COORD_LIMIT ? COORD_LIMIT : v);
}

/* Walks the polyline (every `step`-th point and the last), dabbing every
 * `spacing` pixels of arc length inside the frame (plus margin), and at
 * each entry into it and at the end. */
static void
walk_stroke (brush *br, const tinta_stroke *s, size_t step, double spacing)
{
  double m = br->hi + 1.0;
  double bx0 = -m, by0 = -m, bx1 = br->W + m, by1 = br->H + m;
  const tinta_stroke_point *pt = s->points;
  size_t n = s->n_points;
  if (n == 1)
    {
      double x = clamp_coord (pt[0].x), y = clamp_coord (pt[0].y);
      if (x >= bx0 && x <= bx1 && y >= by0 && y <= by1)
        stamp (br, x, y, pt[0].pressure);
      return;
    }
  int need = 1;          /* the next inside point starts a run: dab it */
  double acc = 0.0;      /* arc length since the last dab */
  double lx = 0.0, ly = 0.0, lp = 0.0;
  int last_inside = 0;
  for (size_t i = 0; i + 1 < n;)
    {
      size_t j = i + step < n - 1 ? i + step : n - 1;
      double x0 = clamp_coord (pt[i].x), y0 = clamp_coord (pt[i].y);
      double x1 = clamp_coord (pt[j].x), y1 = clamp_coord (pt[j].y);
      double p0 = pt[i].pressure, p1 = pt[j].pressure, t0, t1;
      i = j;
      last_inside = 0;
      if (!clip_segment (x0, y0, x1, y1, bx0, by0, bx1, by1, &t0, &t1))
        {
          need = 1;
          continue;
        }
      if (t0 > 0.0)
        need = 1;
      double ax = x0 + t0 * (x1 - x0), ay = y0 + t0 * (y1 - y0);
      double ux = (x1 - x0) * (t1 - t0), uy = (y1 - y0) * (t1 - t0);
      double len = hypot (ux, uy);
      if (need)
        {
          stamp (br, ax, ay, p0 + t0 * (p1 - p0));
          acc = 0.0;
          need = 0;
        }
      if (len > 0.0)
        {
          /* dabs at arc lengths k * spacing - acc, k = 1.. */
          double total = acc + len;
          long long count = (long long) floor (total / spacing);
          if (br->mask == NULL)
            {
              /* counting: the same number of dabs, each at most this big */
              double side = ceil (2.0 * br->hi) + 1.0;
              double area = side * side, frame = (double) br->bw * br->bh;
              br->work += (double) count * (area < frame ? area : frame);
              br->dabs += count;
            }
          else
            for (long long k = 1; k <= count; k++)
              {
                double f = ((double) k * spacing - acc) / len, t = t0 + f * (t1 - t0);
                stamp (br, ax + f * ux, ay + f * uy, p0 + t * (p1 - p0));
              }
          acc = total - (double) count * spacing;
        }
      if (t1 < 1.0)
        need = 1;
      else
        {
          last_inside = 1;
          lx = x1, ly = y1, lp = p1;
        }
    }
  if (last_inside && acc > 0.0)
    stamp (br, lx, ly, lp);
}

static int
check_stroke (const tinta_paint *p, const tinta_stroke *s, tinta_error *err)
{
  if (p == NULL || s == NULL)
    return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, NULL, "paint: NULL %s",
                       p == NULL ? "paint" : "stroke");
  if (s->points == NULL || s->n_points == 0)
    return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, NULL, "paint: a stroke without points");
  if (!isfinite (s->size) || s->size <= 0.0f)
    return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, NULL,
                       "paint: brush size %g is not a positive number", (double) s->size);
  if (s->size > MAX_BRUSH_SIZE)
    return tinta_fail (err, TINTA_ERR_OUT_OF_RANGE, NULL, "paint: brush size %g beyond %g",
                       (double) s->size, (double) MAX_BRUSH_SIZE);
  if (isnan (s->hardness))
    return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, NULL, "paint: hardness is NaN");
  if (!(s->hardness >= 0.0f && s->hardness <= 1.0f))
    return tinta_fail (err, TINTA_ERR_OUT_OF_RANGE, NULL, "paint: hardness %g outside [0, 1]",
                       (double) s->hardness);
  if (!s->eraser)
    {
      for (int c = 1; c < 3; c++)
        {
          if (!isfinite (s->color[c]))
            return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, NULL,
                               "paint: stroke colour is not finite");
          if (fabsf (s->color[c]) > MAX_CHROMA)
            return tinta_fail (err, TINTA_ERR_OUT_OF_RANGE, NULL,
                               "paint: stroke chroma %g outside [-200, 200]",
                               (double) s->color[c]);
        }
    }
  for (size_t i = 0; i < s->n_points; i++)
    {
      const tinta_stroke_point *q = &s->points[i];
      if (!isfinite (q->x) || !isfinite (q->y) || isnan (q->pressure))
        return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, NULL,
                           "paint: stroke point %zu is not finite", i);
      if (!(q->pressure >= 0.0 && q->pressure <= 1.0))
        return tinta_fail (err, TINTA_ERR_OUT_OF_RANGE, NULL,
                           "paint: pressure %g of point %zu outside [0, 1]", q->pressure, i);
    }
  return TINTA_OK;
}

int
tinta_paint_add_stroke (tinta_paint *p, const tinta_stroke *s, tinta_error *err)
{
  int st = check_stroke (p, s, err);
  if (st != TINTA_OK)
    return st;
  int W = p->width, H = p->height;
  brush br = { 0 };
  br.r = 0.5f * s->size;
  br.lo = s->hardness * br.r - 0.5f;   /* hardness 1: a 1-pixel antialiased rim */
  br.hi = br.r + 0.5f;
  br.W = W;
  br.H = H;
  br.bw = W;
  br.bh = H;

  /* Spacing a quarter of the diameter (a sixteenth of a pixel at least),
   * widened, then thinned out, only if the stroke would cost more than the
   * budget. */
  double spacing = fmax (0.25 * s->size, 0.0625);
  size_t step = 1;
  for (;;)
    {
      br.work = 0.0;
      br.dabs = 0;
      walk_stroke (&br, s, step, spacing);
      if (br.work <= STROKE_BUDGET)
        break;
      double wider = spacing * br.work / STROKE_BUDGET * 1.01;
      if (spacing < s->size && wider <= s->size)
        spacing = wider;
      else if (spacing < s->size)
        spacing = s->size;
      else if (step < s->n_points)
        step *= 2;
      else
        break;   /* a handful of dabs as big as the frame: bounded anyway */
    }
  if (br.dabs == 0)
    return TINTA_OK;   /* entirely outside the frame */

  /* The mask covers the stroke's bounding box in the frame. */
  int x0 = W, y0 = H, x1 = -1, y1 = -1;
  {
    double m = br.hi + 1.0;
    for (size_t i = 0; i < s->n_points; i++)
      {
        double x = s->points[i].x, y = s->points[i].y;
        if (x < -m || x > W + m || y < -m || y > H + m)
          {
            /* a segment from outside may cross anywhere */
            x0 = 0, y0 = 0, x1 = W - 1, y1 = H - 1;
            break;
          }
        int xa = (int) floor (x - m), xb = (int) ceil (x + m);
        int ya = (int) floor (y - m), yb = (int) ceil (y + m);
        x0 = xa < x0 ? xa : x0;
        y0 = ya < y0 ? ya : y0;
        x1 = xb > x1 ? xb : x1;
        y1 = yb > y1 ? yb : y1;
      }
    x0 = x0 < 0 ? 0 : x0;
    y0 = y0 < 0 ? 0 : y0;
    x1 = x1 > W - 1 ? W - 1 : x1;
    y1 = y1 > H - 1 ? H - 1 : y1;
  }
  if (x0 > x1 || y0 > y1)
    return TINTA_OK;
  br.x0 = x0;
  br.y0 = y0;
  br.bw = x1 - x0 + 1;
  br.bh = y1 - y0 + 1;
  br.mask = tinta_alloc_aligned ((size_t) br.bw * br.bh, sizeof (float));
  if (br.mask == NULL)
    return tinta_fail (err, TINTA_ERR_NO_MEMORY, NULL, "paint: out of memory for a stroke");
  walk_stroke (&br, s, step, spacing);

  float sa = s->color[1], sb = s->color[2];
#pragma omp parallel for schedule(static) if ((long long) br.bw * br.bh >= PARALLEL_MIN)
  for (int y = 0; y < br.bh; y++)
    {
      const float *m = br.mask + (size_t) y * br.bw;
      size_t o = (size_t) (y + y0) * W + x0;
      float *cov = p->cov + o, *ca = p->ca + o, *cb = p->cb + o;
      for (int x = 0; x < br.bw; x++)
        {
          float c = m[x];
          if (c <= 0.0f)
            continue;
          if (s->eraser)
            {
              float v = cov[x] * (1.0f - c);
              cov[x] = v < COVERAGE_EPSILON ? 0.0f : v;
              continue;
            }
          /* "over": the stroke's chroma on top of what lies below */
          float below = cov[x] * (1.0f - c), out = c + below;
          ca[x] = (c * sa + below * ca[x]) / out;
          cb[x] = (c * sb + below * cb[x]) / out;
          cov[x] = out;
        }
    }
  tinta_free_aligned (br.mask);
  return TINTA_OK;
}

/* ---- Fill ------------------------------------------------------------- */

/* The scans work on a rectangle of the working plane (stride w): the
 * painted pixels' bounding box grown by the spread, since no step costs
 * less than its length and nothing beyond the spread matters. */
typedef struct {
  float       *D;       /* at the rectangle's corner */
  int32_t     *S;
  const float *L;
  int          w;       /* stride */
  int          bw, bh;  /* the rectangle */
  float        unit, diag, knight, edge;
} scan_area;

static inline float
step_cost (const scan_area *g, float len, float l0, float l1)
{
  float v = fabsf (l0 - l1) - NOISE_FLOOR;
  return len + g->edge * (v > 0.0f ? v : 0.0f);
}

/* A knight's step (1, 2) crosses the pixel between its ends: the luminance
 * steps on both halves count, so it cannot jump a thin edge. */
static inline float
knight_cost (const scan_area *g, float l0, float lm, float l1)
{
  float v0 = fabsf (l0 - lm) - NOISE_FLOOR, v1 = fabsf (lm - l1) - NOISE_FLOOR;
  return g->knight + g->edge * ((v0 > 0.0f ? v0 : 0.0f) + (v1 > 0.0f ? v1 : 0.0f));
}

/* Relaxes pixel d/s from a neighbour (dn, sn) at step cost c. */
#define RELAX(dst_d, dst_s, src_d, src_s, cost) do { \
    float c_ = (src_d) + (cost); \
    if (c_ < (dst_d)) (dst_d) = c_, (dst_s) = (src_s), changed++; \
  } while (0)

/* Forward scan: each pixel from its upper-left, upper and upper-right
 * neighbours and the four knight's steps above it (a 5x5 chamfer: with
 * the 3x3 one alone, a fill from a dot grows as an octagon, visibly so on
 * flat surfaces; with knight's steps it is a 16-gon within 2% of a
 * circle), then from its left one.  Returns the number of improvements. */
static long long
scan_forward (const scan_area *g)
{
  long long changed = 0;
  const int w = g->w, bw = g->bw;
  const float unit = g->unit, diag = g->diag;
  for (int y = 0; y < g->bh; y++)
    {
      float *d = g->D + (size_t) y * w;
      int32_t *s = g->S + (size_t) y * w;
      const float *l = g->L + (size_t) y * w;
      if (y > 0)
        {
          const float *du = d - w, *lu = l - w;
          const int32_t *su = s - w;
          for (int x = 0; x < bw; x++)
            {
              float lx = l[x];
              RELAX (d[x], s[x], du[x], su[x], step_cost (g, unit, lx, lu[x]));
              if (x > 0)
                RELAX (d[x], s[x], du[x - 1], su[x - 1], step_cost (g, diag, lx, lu[x - 1]));
              if (x + 1 < bw)
                RELAX (d[x], s[x], du[x + 1], su[x + 1], step_cost (g, diag, lx, lu[x + 1]));
              if (x > 1)
                RELAX (d[x], s[x], du[x - 2], su[x - 2], knight_cost (g, lx, lu[x - 1], lu[x - 2]));
              if (x + 2 < bw)
                RELAX (d[x], s[x], du[x + 2], su[x + 2], knight_cost (g, lx, lu[x + 1], lu[x + 2]));
              if (y > 1)
                {
                  const float *duu = du - w, *luu = lu - w;
                  const int32_t *suu = su - w;
                  if (x > 0)
                    RELAX (d[x], s[x], duu[x - 1], suu[x - 1], knight_cost (g, lx, lu[x], luu[x - 1]));
                  if (x + 1 < bw)
                    RELAX (d[x], s[x], duu[x + 1], suu[x + 1], knight_cost (g, lx, lu[x], luu[x + 1]));
                }
            }
        }
      for (int x = 1; x < bw; x++)
        RELAX (d[x], s[x], d[x - 1], s[x - 1], step_cost (g, unit, l[x], l[x - 1]));
    }
  return changed;
}

/* Backward scan: the mirror image (lower-right, lower, lower-left, right). */
static long long
scan_backward (const scan_area *g)
{
  long long changed = 0;
  const int w = g->w, bw = g->bw;
  const float unit = g->unit, diag = g->diag;
  for (int y = g->bh - 1; y >= 0; y--)
    {
      float *d = g->D + (size_t) y * w;
      int32_t *s = g->S + (size_t) y * w;
      const float *l = g->L + (size_t) y * w;
      if (y + 1 < g->bh)
        {
          const float *dd = d + w, *ld = l + w;
          const int32_t *sd = s + w;
          for (int x = bw - 1; x >= 0; x--)
            {
              float lx = l[x];
              RELAX (d[x], s[x], dd[x], sd[x], step_cost (g, unit, lx, ld[x]));
              if (x + 1 < bw)
                RELAX (d[x], s[x], dd[x + 1], sd[x + 1], step_cost (g, diag, lx, ld[x + 1]));
              if (x > 0)
                RELAX (d[x], s[x], dd[x - 1], sd[x - 1], step_cost (g, diag, lx, ld[x - 1]));
              if (x + 2 < bw)
                RELAX (d[x], s[x], dd[x + 2], sd[x + 2], knight_cost (g, lx, ld[x + 1], ld[x + 2]));
              if (x > 1)
                RELAX (d[x], s[x], dd[x - 2], sd[x - 2], knight_cost (g, lx, ld[x - 1], ld[x - 2]));
              if (y + 2 < g->bh)
                {
                  const float *ddd = dd + w, *ldd = ld + w;
                  const int32_t *sdd = sd + w;
                  if (x + 1 < bw)
                    RELAX (d[x], s[x], ddd[x + 1], sdd[x + 1], knight_cost (g, lx, ld[x], ldd[x + 1]));
                  if (x > 0)
                    RELAX (d[x], s[x], ddd[x - 1], sdd[x - 1], knight_cost (g, lx, ld[x], ldd[x - 1]));
                }
            }
        }
      for (int x = bw - 2; x >= 0; x--)
        RELAX (d[x], s[x], d[x + 1], s[x + 1], step_cost (g, unit, l[x], l[x + 1]));
    }
  return changed;
}

/* 3x3 box blur, edges replicated: src and dst w x h, tmp one plane. */
static void
box3 (const float *src, float *dst, float *tmp, int w, int h)
{
#pragma omp parallel for schedule(static) if ((long long) w * h >= PARALLEL_MIN)
  for (int y = 0; y < h; y++)
    {
      const float *a = src + (size_t) (y > 0 ? y - 1 : 0) * w, *b = src + (size_t) y * w;
      const float *c = src + (size_t) (y + 1 < h ? y + 1 : h - 1) * w;
      float *t = tmp + (size_t) y * w;
      for (int x = 0; x < w; x++)
        t[x] = a[x] + b[x] + c[x];
    }
#pragma omp parallel for schedule(static) if ((long long) w * h >= PARALLEL_MIN)
  for (int y = 0; y < h; y++)
    {
      const float *t = tmp + (size_t) y * w;
      float *d = dst + (size_t) y * w;
      for (int x = 0; x < w; x++)
        {
          float l = t[x > 0 ? x - 1 : 0], r = t[x + 1 < w ? x + 1 : w - 1];
          d[x] = (l + t[x] + r) * (1.0f / 9.0f);
        }
    }
}

/* Seeds at the working resolution: coverage max-pooled over each working
 * pixel's source block, chroma the coverage-weighted mean. */
static void
pool_seeds (const tinta_paint *p, int w, int h, float *cov, float *sa, float *sb)
{
  int W = p->width, H = p->height;
#pragma omp parallel for schedule(static) if ((long long) W * H >= PARALLEL_MIN)
  for (int y = 0; y < h; y++)
    {
      int ya = (int) ((long long) y * H / h), yb = (int) (((long long) y + 1) * H + h - 1) / h;
      for (int x = 0; x < w; x++)
        {
          int xa = (int) ((long long) x * W / w), xb = (int) (((long long) x + 1) * W + w - 1) / w;
          float mx = 0.0f, sum = 0.0f, suma = 0.0f, sumb = 0.0f;
          for (int yy = ya; yy < yb; yy++)
            {
              size_t o = (size_t) yy * W;
              for (int xx = xa; xx < xb; xx++)
                {
                  float c = p->cov[o + xx];
                  if (c <= 0.0f)
                    continue;
                  mx = c > mx ? c : mx;
                  sum += c;
                  suma += c * p->ca[o + xx];
                  sumb += c * p->cb[o + xx];
                }
            }
          size_t i = (size_t) y * w + x;
          cov[i] = mx;
          sa[i] = sum > 0.0f ? suma / sum : 0.0f;
          sb[i] = sum > 0.0f ? sumb / sum : 0.0f;
        }
    }
}

static int
check_fill (tinta_paint *p, const tinta_paint_params *prm, float *a, float *b, float *alpha,
            tinta_error *err)
{
  if (p == NULL || a == NULL || b == NULL || alpha == NULL)
    return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, NULL, "paint fill: NULL %s",
                       p == NULL ? "paint" : "output plane");
  if (a == b || a == alpha || b == alpha)
    return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, NULL,
                       "paint fill: the output planes must be distinct");
  if (!(prm->spread >= 0.0f && prm->spread <= MAX_SPREAD))
    return tinta_fail (err, TINTA_ERR_OUT_OF_RANGE, NULL, "paint fill: spread %g outside [0, %g]",
                       (double) prm->spread, (double) MAX_SPREAD);
  if (!(prm->edge >= 0.0f && prm->edge <= MAX_EDGE))
    return tinta_fail (err, TINTA_ERR_OUT_OF_RANGE, NULL, "paint fill: edge %g outside [0, %g]",
                       (double) prm->edge, (double) MAX_EDGE);
  return TINTA_OK;
}

int
tinta_paint_fill (tinta_paint *p, const tinta_paint_params *params, float *a, float *b,
                  float *alpha, tinta_error *err)
{
  tinta_paint_params prm;
  if (params != NULL)
    prm = *params;
  else
    tinta_paint_params_init (&prm);
  int st = check_fill (p, &prm, a, b, alpha, err);
  if (st != TINTA_OK)
    return st;
  int W = p->width, H = p->height;
  size_t n = (size_t) W * H;
  memset (alpha, 0, n * sizeof (float));
  memset (a, 0, n * sizeof (float));
  memset (b, 0, n * sizeof (float));

  if (prm.spread > 0.0f && tinta_paint_has_paint (p))
    {
      int w = W, h = H;
      if (H > WORK_MAX_HEIGHT)
        {
          h = WORK_MAX_HEIGHT;
          w = (int) lround ((double) W * h / H);
          w = w < 1 ? 1 : (w > W ? W : w);
        }
      int scaled = w != W || h != H;
      size_t nw = (size_t) w * h;
      float *Lw = tinta_alloc_aligned (nw, sizeof (float));
      float *tmp = tinta_alloc_aligned (nw, sizeof (float));
      float *D = tinta_alloc_aligned (nw, sizeof (float));
      int32_t *S = tinta_alloc_aligned (nw, sizeof (int32_t));
      float *scov = NULL, *sa = NULL, *sb = NULL, *alo = NULL, *blo = NULL, *flo = NULL;
      if (scaled)
        {
          scov = tinta_alloc_aligned (nw, sizeof (float));
          sa = tinta_alloc_aligned (nw, sizeof (float));
          sb = tinta_alloc_aligned (nw, sizeof (float));
          alo = tinta_alloc_aligned (nw, sizeof (float));
          blo = tinta_alloc_aligned (nw, sizeof (float));
          flo = tinta_alloc_aligned (nw, sizeof (float));
        }
      else
        scov = p->cov, sa = p->ca, sb = p->cb, alo = a, blo = b, flo = alpha;
      if (Lw == NULL || tmp == NULL || D == NULL || S == NULL || scov == NULL || sa == NULL
          || sb == NULL || alo == NULL || blo == NULL || flo == NULL)
        st = tinta_fail (err, TINTA_ERR_NO_MEMORY, NULL, "paint fill: out of memory");
      if (st == TINTA_OK && scaled)
        {
          st = tinta_downsample_area (p->L, W, H, Lw, w, h, err);
          pool_seeds (p, w, h, scov, sa, sb);
        }
      else if (st == TINTA_OK)
        memcpy (Lw, p->L, nw * sizeof (float));
      if (st == TINTA_OK)
        {
          for (int i = 0; i < SMOOTH_PASSES; i++)
            box3 (Lw, Lw, tmp, w, h);
          /* Unpainted pixels start at the spread, unlabelled: a label only
           * travels where it reaches with alpha > 0. */
          float spread = prm.spread;
          int bx0 = w, by0 = h, bx1 = -1, by1 = -1;
          for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
              {
                size_t i = (size_t) y * w + x;
                int painted = scov[i] > 0.0f;
                D[i] = painted ? (1.0f - scov[i]) * spread : spread;
                S[i] = painted ? (int32_t) i : -1;
                if (painted)
                  {
                    bx0 = x < bx0 ? x : bx0;
                    bx1 = x > bx1 ? x : bx1;
                    by0 = y < by0 ? y : by0;
                    by1 = y > by1 ? y : by1;
                  }
              }
          /* Steps in clip pixels: one working pixel is this many. */
          float unit = (float) (0.5 * ((double) W / w + (double) H / h));
          double reach = ceil (spread / unit) + 1.0;
          int grow = reach < (double) (w + h) ? (int) reach : w + h;
          bx0 = bx0 - grow > 0 ? bx0 - grow : 0;
          by0 = by0 - grow > 0 ? by0 - grow : 0;
          bx1 = bx1 + grow < w - 1 ? bx1 + grow : w - 1;
          by1 = by1 + grow < h - 1 ? by1 + grow : h - 1;
          size_t corner = (size_t) by0 * w + bx0;
          scan_area g = { D + corner, S + corner, Lw + corner, w, bx1 - bx0 + 1, by1 - by0 + 1,
                          unit, unit * (float) M_SQRT2, unit * sqrtf (5.0f), prm.edge };
          for (int round = 0; round < MAX_SCAN_ROUNDS; round++)
            {
              long long c = scan_forward (&g);
              c += scan_backward (&g);
              if (round > 0 && c == 0)
                break;
            }
          /* Chroma is written even where alpha is 0 inside the reach, so
           * the upsampling below has little grey to blend in at the fill's
           * border. */
          float solid = SOLID_FRACTION * spread;
#pragma omp parallel for schedule(static) if (nw >= PARALLEL_MIN)
          for (size_t i = 0; i < nw; i++)
            {
              int32_t s = S[i];
              alo[i] = s >= 0 ? sa[s] : 0.0f;
              blo[i] = s >= 0 ? sb[s] : 0.0f;
              flo[i] = 1.0f - smoothstep (solid, spread, D[i]);
            }
          if (scaled)
            {
              st = tinta_upsample_ab (p->L, W, H, alo, blo, w, h, a, b, NULL, err);
              if (st == TINTA_OK)
                tinta_upsample_bilinear (flo, w, h, alpha, W, H);
            }
        }
      tinta_free_aligned (Lw);
      tinta_free_aligned (tmp);
      tinta_free_aligned (D);
      tinta_free_aligned (S);
      if (scaled)
        {
          tinta_free_aligned (scov);
          tinta_free_aligned (sa);
          tinta_free_aligned (sb);
          tinta_free_aligned (alo);
          tinta_free_aligned (blo);
          tinta_free_aligned (flo);
        }
      if (st != TINTA_OK)
        {
          memset (alpha, 0, n * sizeof (float));
          memset (a, 0, n * sizeof (float));
          memset (b, 0, n * sizeof (float));
          return st;
        }
    }

  /* The stroke layer over the fill, at full resolution. */
  const float *cov = p->cov, *ca = p->ca, *cb = p->cb;
#pragma omp parallel for schedule(static) if (n >= PARALLEL_MIN)
  for (size_t i = 0; i < n; i++)
    {
      float f = alpha[i], c = cov[i];
      f = f > 0.0f ? (f < 1.0f ? f : 1.0f) : 0.0f;
      if (c > 0.0f)
        {
          float below = f * (1.0f - c), out = c + below;
          a[i] = (c * ca[i] + below * a[i]) / out;
          b[i] = (c * cb[i] + below * b[i]) / out;
          f = out;
        }
      else if (f <= 0.0f)
        a[i] = b[i] = 0.0f;
      alpha[i] = f;
    }
  return TINTA_OK;
}
