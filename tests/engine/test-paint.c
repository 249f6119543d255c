/* Painted strokes and their edge-aware fill (tinta/paint.h): on generated
 * two-region frames a stroke fills its own region and stops at the edge,
 * in its own chroma; brush hardness, pressure and the eraser shape the
 * coverage; on a DAVIS frame (if ../shared is there) a stroke on the swan
 * colours the swan more than the water; 1080p and 4K frames fill at a
 * working resolution and keep the painted pixels exact; bad arguments get
 * their status.  Prints the fill times (information, not asserted). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "testutil.h"
#include "tinta-test.h"
#include "tinta/tinta.h"

typedef struct {
  int W, H;
  float *L, *a, *b, *alpha;
} canvas;

static canvas
canvas_new (int W, int H)
{
  size_t n = (size_t) W * H;
  canvas c = { W, H, malloc (n * sizeof (float)), malloc (n * sizeof (float)),
               malloc (n * sizeof (float)), malloc (n * sizeof (float)) };
  if (c.L == NULL || c.a == NULL || c.b == NULL || c.alpha == NULL)
    {
      fprintf (stderr, "out of memory\n");
      exit (1);
    }
  return c;
}

static void
canvas_free (canvas *c)
{
  free (c->L);
  free (c->a);
  free (c->b);
  free (c->alpha);
}

/* Two regions: L = 30 left of x = W / 2, 70 from there on. */
static canvas
two_regions (int W, int H)
{
  canvas c = canvas_new (W, H);
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      c.L[(size_t) y * W + x] = x < W / 2 ? 30.0f : 70.0f;
  return c;
}

/* A straight stroke of n points from (x0, y0) to (x1, y1). */
static tinta_stroke
line_stroke (tinta_stroke_point *pts, int n, double x0, double y0, double x1, double y1,
             float size, float hardness, float a, float b)
{
  for (int i = 0; i < n; i++)
    {
      double t = n > 1 ? (double) i / (n - 1) : 0.0;
      pts[i] = (tinta_stroke_point) { x0 + t * (x1 - x0), y0 + t * (y1 - y0), 1.0 };
    }
  tinta_stroke s = { { 50.0f, a, b }, size, hardness, 0, pts, (size_t) n };
  return s;
}

/* Fraction of the box's pixels whose alpha passes `above` (1) or stays
 * below (0) the threshold. */
static double
fraction (const canvas *c, int x0, int y0, int x1, int y1, float thr, int above)
{
  size_t hit = 0, all = 0;
  for (int y = y0; y < y1; y++)
    for (int x = x0; x < x1; x++)
      {
        float v = c->alpha[(size_t) y * c->W + x];
        hit += above ? v > thr : v < thr;
        all++;
      }
  return (double) hit / all;
}

static double
mean_alpha (const canvas *c, int x0, int y0, int x1, int y1)
{
  double s = 0.0;
  for (int y = y0; y < y1; y++)
    for (int x = x0; x < x1; x++)
      s += c->alpha[(size_t) y * c->W + x];
  return s / ((double) (x1 - x0) * (y1 - y0));
}

/* Worst chroma error against (a, b) over pixels with alpha > 0.5 in the box. */
static double
chroma_error (const canvas *c, int x0, int y0, int x1, int y1, float a, float b)
{
  double worst = 0.0;
  for (int y = y0; y < y1; y++)
    for (int x = x0; x < x1; x++)
      {
        size_t i = (size_t) y * c->W + x;
        if (c->alpha[i] > 0.5f)
          worst = fmax (worst, fmax (fabs (c->a[i] - a), fabs (c->b[i] - b)));
      }
  return worst;
}

/* TINTA_PAINT_DUMP=FOLDER: writes NAME.png, the frame coloured by the
 * fill (chroma times alpha) beside the alpha, for looking at. */
static void
dump (const char *name, const float *L, const canvas *c)
{
  const char *dir = getenv ("TINTA_PAINT_DUMP");
  if (dir == NULL || dir[0] == '\0')
    return;
  size_t n = (size_t) c->W * c->H;
  float *a = malloc (n * sizeof (float)), *b = malloc (n * sizeof (float));
  uint8_t *rgb = malloc (n * 3), *both = malloc (2 * n * 3);
  for (size_t i = 0; i < n; i++)
    a[i] = c->a[i] * c->alpha[i], b[i] = c->b[i] * c->alpha[i];
  tinta_lab_to_srgb8 (L, a, b, n, rgb);
  for (int y = 0; y < c->H; y++)
    for (int x = 0; x < c->W; x++)
      {
        size_t i = (size_t) y * c->W + x, o = ((size_t) y * 2 * c->W + x) * 3;
        memcpy (both + o, rgb + 3 * i, 3);
        memset (both + o + 3 * c->W, (int) lroundf (255 * c->alpha[i]), 3);
      }
  char path[4200];
  snprintf (path, sizeof path, "%s/%s.png", dir, name);
  tinta_error err = { 0 };
  tinta_image_save_png (path, both, 2 * c->W, c->H, &err);
  free (a);
  free (b);
  free (rgb);
  free (both);
}

static int
fill (tinta_paint *p, canvas *c, const tinta_paint_params *prm)
{
  tinta_error err = { 0 };
  int st = tinta_paint_fill (p, prm, c->a, c->b, c->alpha, &err);
  CHECK_STATUS (st, TINTA_OK, &err);
  return st;
}

/* (a) A stroke inside the dark left region fills it and stops at the edge. */
static void
test_edge_stop (void)
{
  canvas c = two_regions (320, 200);
  tinta_paint *p = NULL;
  tinta_error err = { 0 };
  CHECK_STATUS (tinta_paint_new (c.L, c.W, c.H, &p, &err), TINTA_OK, &err);
  if (p == NULL)
    return;
  CHECK_INT (tinta_paint_has_paint (p), 0);
  tinta_stroke_point pts[20];
  tinta_stroke s = line_stroke (pts, 20, 80, 60, 85, 140, 8.0f, 1.0f, 40.0f, -20.0f);
  CHECK_STATUS (tinta_paint_add_stroke (p, &s, &err), TINTA_OK, &err);
  CHECK_INT (tinta_paint_has_paint (p), 1);
  fill (p, &c, NULL);
  /* Within 60-70 px of the stroke, most of the left region is solid. */
  double solid = fraction (&c, 20, 40, 150, 160, 0.9f, 1);
  double across = fraction (&c, 161, 0, 175, 200, 0.1f, 0);
  printf ("edge stop: %.1f%% of the left box above 0.9, %.1f%% just across below 0.1\n",
          100 * solid, 100 * across);
  CHECK_MSG (solid > 0.85, "only %.1f%% of the left box has alpha > 0.9", 100 * solid);
  CHECK_MSG (across == 1.0, "%.1f%% across the edge below 0.1", 100 * across);
  CHECK_MSG (fraction (&c, 160, 0, 320, 200, 1e-6f, 0) == 1.0, "alpha leaks into the right region");
  double e = chroma_error (&c, 0, 0, c.W, c.H, 40.0f, -20.0f);
  CHECK_MSG (e <= 1.0, "chroma off by %.3f where alpha > 0.5", e);
  /* Alpha 0 means no chroma. */
  int grey = 1;
  for (size_t i = 0; i < (size_t) c.W * c.H; i++)
    if (c.alpha[i] == 0.0f && (c.a[i] != 0.0f || c.b[i] != 0.0f))
      grey = 0;
  CHECK (grey);
  /* A stroke touching the edge does not cross it either. */
  tinta_paint_clear (p);
  tinta_stroke_point near[10];
  tinta_stroke ns = line_stroke (near, 10, 155, 60, 155, 140, 8.0f, 1.0f, 40.0f, -20.0f);
  CHECK_STATUS (tinta_paint_add_stroke (p, &ns, &err), TINTA_OK, &err);
  fill (p, &c, NULL);
  across = fraction (&c, 161, 0, 175, 200, 0.1f, 0);
  CHECK_MSG (across == 1.0, "from the edge: %.1f%% across below 0.1", 100 * across);
  tinta_paint_clear (p);
  CHECK_STATUS (tinta_paint_add_stroke (p, &s, &err), TINTA_OK, &err);
  /* Without the edge term the same stroke crosses the edge. */
  tinta_paint_params prm;
  tinta_paint_params_init (&prm);
  prm.edge = 0.0f;
  fill (p, &c, &prm);
  CHECK_MSG (mean_alpha (&c, 161, 60, 175, 140) > 0.5, "edge 0 should cross (mean %.3f)",
             mean_alpha (&c, 161, 60, 175, 140));
  /* Spread 0: the strokes alone. */
  prm.spread = 0.0f;
  fill (p, &c, &prm);
  CHECK_NEAR (c.alpha[100 * c.W + 82], 1.0, 1e-6);
  CHECK_NEAR (c.alpha[100 * c.W + 100], 0.0, 0.0);
  /* Clearing empties the layer and the fill. */
  tinta_paint_clear (p);
  CHECK_INT (tinta_paint_has_paint (p), 0);
  fill (p, &c, NULL);
  CHECK (fraction (&c, 0, 0, c.W, c.H, 1e-9f, 0) == 1.0);
  tinta_paint_free (p);
  canvas_free (&c);
}

/* (b) Brush profile: hard vs soft, pressure, eraser. */
static void
test_brush (void)
{
  canvas c = canvas_new (200, 200);
  for (size_t i = 0; i < 200 * 200; i++)
    c.L[i] = 50.0f;
  tinta_paint_params strokes_only = { 0.0f, 5.0f };
  tinta_error err = { 0 };
  float hard[40], soft[40];
  for (int k = 0; k < 2; k++)
    {
      tinta_paint *p = NULL;
      CHECK_STATUS (tinta_paint_new (c.L, c.W, c.H, &p, &err), TINTA_OK, &err);
      tinta_stroke_point pt = { 100.5, 100.5, 1.0 };
      tinta_stroke s = { { 50, 20, 20 }, 40.0f, k == 0 ? 1.0f : 0.0f, 0, &pt, 1 };
      CHECK_STATUS (tinta_paint_add_stroke (p, &s, &err), TINTA_OK, &err);
      fill (p, &c, &strokes_only);
      for (int d = 0; d < 40; d++)   /* along the row through the centre */
        (k == 0 ? hard : soft)[d] = c.alpha[100 * c.W + 100 + d];
      tinta_paint_free (p);
    }
  printf ("profile at d = 0, 10, 15, 19, 20, 21: hard %.3f %.3f %.3f %.3f %.3f %.3f, "
          "soft %.3f %.3f %.3f %.3f %.3f %.3f\n", hard[0], hard[10], hard[15], hard[19],
          hard[20], hard[21], soft[0], soft[10], soft[15], soft[19], soft[20], soft[21]);
  /* Hard: solid to the rim, one antialiased pixel, nothing beyond. */
  for (int d = 0; d <= 18; d++)
    CHECK_MSG (hard[d] > 0.999f, "hard at d=%d: %.3f", d, hard[d]);
  CHECK (hard[20] > 0.05f && hard[20] < 0.95f);
  CHECK (hard[21] == 0.0f);
  /* Soft: falls from the centre all the way to the rim. */
  CHECK (soft[0] > 0.95f);
  CHECK_MSG (soft[10] > 0.3f && soft[10] < 0.7f, "soft at half radius: %.3f", soft[10]);
  CHECK (soft[19] < 0.05f);
  CHECK (soft[21] == 0.0f);
  int monotonic = 1;
  for (int d = 1; d < 40; d++)
    monotonic &= soft[d] <= soft[d - 1] && hard[d] <= hard[d - 1];
  CHECK (monotonic);

  /* Pressure scales coverage. */
  tinta_paint *p = NULL;
  CHECK_STATUS (tinta_paint_new (c.L, c.W, c.H, &p, &err), TINTA_OK, &err);
  tinta_stroke_point pt = { 100.5, 100.5, 0.5 };
  tinta_stroke s = { { 50, 20, 20 }, 40.0f, 1.0f, 0, &pt, 1 };
  CHECK_STATUS (tinta_paint_add_stroke (p, &s, &err), TINTA_OK, &err);
  fill (p, &c, &strokes_only);
  CHECK_NEAR (c.alpha[100 * c.W + 100], 0.5, 1e-6);
  /* A second stroke on top: "over" (0.5 + 0.5 * 0.5), chroma blended. */
  s.color[1] = 60.0f;
  CHECK_STATUS (tinta_paint_add_stroke (p, &s, &err), TINTA_OK, &err);
  fill (p, &c, &strokes_only);
  CHECK_NEAR (c.alpha[100 * c.W + 100], 0.75, 1e-6);
  CHECK_NEAR (c.a[100 * c.W + 100], (0.5 * 60 + 0.25 * 20) / 0.75, 1e-4);
  /* A full line of pressure 1, then an eraser over its right half. */
  tinta_paint_clear (p);
  tinta_stroke_point line[10];
  s = line_stroke (line, 10, 40, 100, 160, 100, 10.0f, 1.0f, 20.0f, 20.0f);
  CHECK_STATUS (tinta_paint_add_stroke (p, &s, &err), TINTA_OK, &err);
  fill (p, &c, &strokes_only);
  CHECK_NEAR (c.alpha[100 * c.W + 60], 1.0, 1e-6);
  CHECK_NEAR (c.alpha[100 * c.W + 140], 1.0, 1e-6);
  tinta_stroke_point er[2] = { { 110, 100, 1.0 }, { 190, 100, 1.0 } };
  tinta_stroke e = { { 0, 0, 0 }, 30.0f, 1.0f, 1, er, 2 };
  CHECK_STATUS (tinta_paint_add_stroke (p, &e, &err), TINTA_OK, &err);
  fill (p, &c, &strokes_only);
  CHECK_NEAR (c.alpha[100 * c.W + 60], 1.0, 1e-6);
  CHECK_NEAR (c.alpha[100 * c.W + 140], 0.0, 0.0);
  CHECK_NEAR (c.a[100 * c.W + 140], 0.0, 0.0);
  CHECK_INT (tinta_paint_has_paint (p), 1);
  /* The rest erased too: nothing left, nothing filled. */
  er[0].x = 0;
  CHECK_STATUS (tinta_paint_add_stroke (p, &e, &err), TINTA_OK, &err);
  CHECK_INT (tinta_paint_has_paint (p), 0);
  fill (p, &c, NULL);
  CHECK (fraction (&c, 0, 0, c.W, c.H, 1e-9f, 0) == 1.0);
  tinta_paint_free (p);
  canvas_free (&c);
}

/* (c) Two strokes, two colours, two regions: each keeps to its own. */
static void
test_two_colors (void)
{
  canvas c = two_regions (320, 200);
  tinta_paint *p = NULL;
  tinta_error err = { 0 };
  CHECK_STATUS (tinta_paint_new (c.L, c.W, c.H, &p, &err), TINTA_OK, &err);
  tinta_stroke_point p1[12], p2[12];
  tinta_stroke red = line_stroke (p1, 12, 60, 80, 100, 120, 10.0f, 0.8f, 55.0f, 35.0f);
  tinta_stroke blue = line_stroke (p2, 12, 230, 70, 250, 130, 10.0f, 0.8f, 10.0f, -50.0f);
  CHECK_STATUS (tinta_paint_add_stroke (p, &red, &err), TINTA_OK, &err);
  CHECK_STATUS (tinta_paint_add_stroke (p, &blue, &err), TINTA_OK, &err);
  fill (p, &c, NULL);
  dump ("two-colours", c.L, &c);
  double left = fraction (&c, 30, 50, 140, 150, 0.9f, 1);
  double right = fraction (&c, 190, 50, 300, 150, 0.9f, 1);
  printf ("two colours: %.1f%% / %.1f%% of the boxes above 0.9\n", 100 * left, 100 * right);
  CHECK_MSG (left > 0.9, "left %.3f", left);
  CHECK_MSG (right > 0.9, "right %.3f", right);
  double el = chroma_error (&c, 0, 0, 160, c.H, 55.0f, 35.0f);
  double er = chroma_error (&c, 160, 0, c.W, c.H, 10.0f, -50.0f);
  CHECK_MSG (el <= 1.0, "left chroma off by %.3f", el);
  CHECK_MSG (er <= 1.0, "right chroma off by %.3f", er);
  tinta_paint_free (p);
  canvas_free (&c);
}

/* (d) A DAVIS frame: a stroke along the swan's body.  Returns 0 if
 * ../shared is absent (the test then ends as skipped, 77, once everything
 * else has run and passed). */
static int
test_swan (void)
{
  const char *shared = tu_shared_dir ();
  if (shared == NULL)
    {
      printf ("no TINTA_SHARED_DIR/data/eval: the DAVIS frame is not tested\n");
      return 0;
    }
  char path[4200];
  snprintf (path, sizeof path, "%s/data/eval/blackswan/00000.jpg", shared);
  tinta_frame *f = NULL;
  tinta_error err = { 0 };
  CHECK_STATUS (tinta_image_load_any (path, &f, &err), TINTA_OK, &err);
  if (f == NULL)
    return 1;
  canvas c = canvas_new (f->width, f->height);
  tinta_paint *p = NULL;
  CHECK_STATUS (tinta_paint_new (f->L, f->width, f->height, &p, &err), TINTA_OK, &err);
  tinta_stroke_point pts[40];
  tinta_stroke s = line_stroke (pts, 40, 230, 315, 420, 325, 14.0f, 0.7f, 5.0f, -10.0f);
  CHECK_STATUS (tinta_paint_add_stroke (p, &s, &err), TINTA_OK, &err);
  fill (p, &c, NULL);
  dump ("blackswan", f->L, &c);
  /* The body around the stroke; the water to its right, as near. */
  double body = mean_alpha (&c, 250, 290, 400, 345);
  double water = mean_alpha (&c, 530, 290, 600, 345);
  double far = mean_alpha (&c, 600, 380, 850, 480);
  printf ("blackswan/00000: mean alpha %.3f on the body, %.3f on the water beside it, "
          "%.3f far away\n", body, water, far);
  CHECK_MSG (body > water + 0.3, "body %.3f vs water %.3f", body, water);
  CHECK_MSG (body > 0.8, "body %.3f", body);
  CHECK_MSG (far < 0.01, "far %.3f", far);
  tinta_paint_free (p);
  tinta_frame_free (f);
  canvas_free (&c);
  return 1;
}

/* (e) Bad arguments. */
static void
test_bad_arguments (void)
{
  float L[64] = { 0 }, a[64], b[64], al[64];
  tinta_paint *p = NULL;
  tinta_error err = { 0 };
  CHECK_STATUS (tinta_paint_new (NULL, 8, 8, &p, &err), TINTA_ERR_INVALID_ARGUMENT, &err);
  CHECK_STATUS (tinta_paint_new (L, 8, 8, NULL, &err), TINTA_ERR_INVALID_ARGUMENT, &err);
  CHECK_STATUS (tinta_paint_new (L, 0, 8, &p, &err), TINTA_ERR_OUT_OF_RANGE, &err);
  CHECK (p == NULL);
  CHECK_STATUS (tinta_paint_new (L, 8, -3, &p, &err), TINTA_ERR_OUT_OF_RANGE, &err);
  CHECK_STATUS (tinta_paint_new (L, TINTA_MAX_DIMENSION + 1, 8, &p, &err), TINTA_ERR_OUT_OF_RANGE,
                &err);
  CHECK_INT (tinta_paint_new (L, 8, 0, &p, NULL), TINTA_ERR_OUT_OF_RANGE);
  tinta_paint_free (NULL);
  tinta_paint_clear (NULL);
  CHECK_INT (tinta_paint_has_paint (NULL), 0);

  L[5] = NAN;
  L[6] = INFINITY;
  CHECK_STATUS (tinta_paint_new (L, 8, 8, &p, &err), TINTA_OK, &err);
  if (p == NULL)
    return;
  tinta_stroke_point pts[3] = { { 1, 1, 1 }, { 5, 5, 0.5 }, { 7, 2, 1 } };
  tinta_stroke s = { { 50, 10, 10 }, 3.0f, 0.5f, 0, pts, 3 };
  tinta_stroke t;
#define STROKE(field, value, status) do { \
    t = s; t.field = value; \
    CHECK_STATUS (tinta_paint_add_stroke (p, &t, &err), status, &err); \
  } while (0)
  CHECK_STATUS (tinta_paint_add_stroke (NULL, &s, &err), TINTA_ERR_INVALID_ARGUMENT, &err);
  CHECK_STATUS (tinta_paint_add_stroke (p, NULL, &err), TINTA_ERR_INVALID_ARGUMENT, &err);
  STROKE (n_points, 0, TINTA_ERR_INVALID_ARGUMENT);
  STROKE (points, NULL, TINTA_ERR_INVALID_ARGUMENT);
  STROKE (size, 0.0f, TINTA_ERR_INVALID_ARGUMENT);
  STROKE (size, -2.0f, TINTA_ERR_INVALID_ARGUMENT);
  STROKE (size, NAN, TINTA_ERR_INVALID_ARGUMENT);
  STROKE (size, INFINITY, TINTA_ERR_INVALID_ARGUMENT);
  STROKE (size, 4097.0f, TINTA_ERR_OUT_OF_RANGE);
  STROKE (hardness, NAN, TINTA_ERR_INVALID_ARGUMENT);
  STROKE (hardness, -0.1f, TINTA_ERR_OUT_OF_RANGE);
  STROKE (hardness, 1.5f, TINTA_ERR_OUT_OF_RANGE);
  STROKE (color[1], NAN, TINTA_ERR_INVALID_ARGUMENT);
  STROKE (color[2], 250.0f, TINTA_ERR_OUT_OF_RANGE);
  CHECK_INT (tinta_paint_has_paint (p), 0);   /* failures paint nothing */
  pts[1].x = NAN;
  CHECK_STATUS (tinta_paint_add_stroke (p, &s, &err), TINTA_ERR_INVALID_ARGUMENT, &err);
  pts[1].x = 5;
  pts[1].y = -INFINITY;
  CHECK_STATUS (tinta_paint_add_stroke (p, &s, &err), TINTA_ERR_INVALID_ARGUMENT, &err);
  pts[1].y = 5;
  pts[1].pressure = NAN;
  CHECK_STATUS (tinta_paint_add_stroke (p, &s, &err), TINTA_ERR_INVALID_ARGUMENT, &err);
  pts[1].pressure = 1.2;
  CHECK_STATUS (tinta_paint_add_stroke (p, &s, &err), TINTA_ERR_OUT_OF_RANGE, &err);
  CHECK (strstr (err.message, "pressure") != NULL);
  pts[1].pressure = 0.5;
  CHECK_INT (tinta_paint_has_paint (p), 0);
  /* An eraser's colour is not used, so not checked. */
  STROKE (eraser, 1, TINTA_OK);
  t.color[1] = NAN;
  CHECK_STATUS (tinta_paint_add_stroke (p, &t, &err), TINTA_OK, &err);

  /* Far outside, huge coordinates, many points: fine and quick. */
  tinta_stroke_point far[4] = { { -1e300, -1e300, 1 }, { 1e300, 1e300, 1 },
                                { 1e9, -1e9, 1 }, { -50, -50, 1 } };
  tinta_stroke fs = { { 50, 10, 10 }, 4096.0f, 0.0f, 0, far, 4 };
  CHECK_STATUS (tinta_paint_add_stroke (p, &fs, &err), TINTA_OK, &err);
  CHECK_INT (tinta_paint_has_paint (p), 1);   /* the diagonal crosses the frame */
  tinta_paint_clear (p);
  fs.points = far + 3;
  fs.n_points = 1;
  fs.size = 2.0f;
  CHECK_STATUS (tinta_paint_add_stroke (p, &fs, &err), TINTA_OK, &err);
  CHECK_INT (tinta_paint_has_paint (p), 0);   /* a dab wholly outside */
  size_t many = 200000;
  tinta_stroke_point *zig = malloc (many * sizeof *zig);
  for (size_t i = 0; i < many; i++)
    zig[i] = (tinta_stroke_point) { (i & 1) ? -1e6 : 1e6, (double) (i % 97) * 1e4 - 4e5, 1.0 };
  tinta_stroke zs = { { 50, 10, 10 }, 4096.0f, 0.0f, 0, zig, many };
  double t0 = tinta_now ();
  CHECK_STATUS (tinta_paint_add_stroke (p, &zs, &err), TINTA_OK, &err);
  zs.size = 0.01f;
  CHECK_STATUS (tinta_paint_add_stroke (p, &zs, &err), TINTA_OK, &err);
  printf ("pathological strokes (%zu points, zig-zags across the frame): %.0f ms\n", many,
          1e3 * (tinta_now () - t0));
  free (zig);
#undef STROKE

  tinta_paint_params prm;
  tinta_paint_params_init (&prm);
  CHECK_STATUS (tinta_paint_fill (NULL, &prm, a, b, al, &err), TINTA_ERR_INVALID_ARGUMENT, &err);
  CHECK_STATUS (tinta_paint_fill (p, &prm, NULL, b, al, &err), TINTA_ERR_INVALID_ARGUMENT, &err);
  CHECK_STATUS (tinta_paint_fill (p, &prm, a, NULL, al, &err), TINTA_ERR_INVALID_ARGUMENT, &err);
  CHECK_STATUS (tinta_paint_fill (p, &prm, a, b, NULL, &err), TINTA_ERR_INVALID_ARGUMENT, &err);
  CHECK_STATUS (tinta_paint_fill (p, &prm, a, a, al, &err), TINTA_ERR_INVALID_ARGUMENT, &err);
  prm.spread = -1.0f;
  CHECK_STATUS (tinta_paint_fill (p, &prm, a, b, al, &err), TINTA_ERR_OUT_OF_RANGE, &err);
  prm.spread = NAN;
  CHECK_STATUS (tinta_paint_fill (p, &prm, a, b, al, &err), TINTA_ERR_OUT_OF_RANGE, &err);
  prm.spread = INFINITY;
  CHECK_STATUS (tinta_paint_fill (p, &prm, a, b, al, &err), TINTA_ERR_OUT_OF_RANGE, &err);
  tinta_paint_params_init (&prm);
  prm.edge = -0.5f;
  CHECK_STATUS (tinta_paint_fill (p, &prm, a, b, al, &err), TINTA_ERR_OUT_OF_RANGE, &err);
  prm.edge = NAN;
  CHECK_STATUS (tinta_paint_fill (p, &prm, a, b, al, &err), TINTA_ERR_OUT_OF_RANGE, &err);
  CHECK_INT (tinta_paint_fill (p, &prm, a, b, al, NULL), TINTA_ERR_OUT_OF_RANGE);
  /* NULL params: the defaults; the NaN L of the frame did no harm. */
  CHECK_STATUS (tinta_paint_fill (p, NULL, a, b, al, &err), TINTA_OK, &err);
  int finite = 1;
  for (int i = 0; i < 64; i++)
    finite &= isfinite (a[i]) && isfinite (b[i]) && al[i] >= 0.0f && al[i] <= 1.0f;
  CHECK (finite);
  tinta_paint_free (p);

  /* One-pixel frames. */
  CHECK_STATUS (tinta_paint_new (L, 1, 1, &p, &err), TINTA_OK, &err);
  tinta_stroke_point one = { 0.5, 0.5, 1.0 };
  tinta_stroke os = { { 50, 10, -10 }, 1.0f, 1.0f, 0, &one, 1 };
  CHECK_STATUS (tinta_paint_add_stroke (p, &os, &err), TINTA_OK, &err);
  CHECK_STATUS (tinta_paint_fill (p, NULL, a, b, al, &err), TINTA_OK, &err);
  CHECK_NEAR (a[0], 10.0, 1e-4);
  CHECK (al[0] > 0.9f);
  tinta_paint_free (p);
}

/* (f) Big frames: filled at a working resolution, painted pixels exact. */
static void
test_big (int W, int H)
{
  canvas c = two_regions (W, H);
  tinta_paint *p = NULL;
  tinta_error err = { 0 };
  CHECK_STATUS (tinta_paint_new (c.L, W, H, &p, &err), TINTA_OK, &err);
  if (p == NULL)
    return;
  double k = H / 200.0;   /* the layout of test_edge_stop, scaled */
  tinta_stroke_point pts[40];
  tinta_stroke s = line_stroke (pts, 40, 80 * k, 60 * k, 85 * k, 140 * k, 8.0f * k, 1.0f, 40.0f,
                                -20.0f);
  /* A thin second stroke of another colour on the left region's edge. */
  tinta_stroke_point pts2[2];
  tinta_stroke thin = line_stroke (pts2, 2, 20 * k, 20 * k, 60 * k, 20 * k, 2.0f, 1.0f, -30.0f,
                                   30.0f);
  CHECK_STATUS (tinta_paint_add_stroke (p, &s, &err), TINTA_OK, &err);
  CHECK_STATUS (tinta_paint_add_stroke (p, &thin, &err), TINTA_OK, &err);
  tinta_paint_params prm;
  tinta_paint_params_init (&prm);
  prm.spread *= (float) k;   /* reach and edge weight as at 200 lines */
  prm.edge *= (float) k;
  double t0 = tinta_now ();
  fill (p, &c, &prm);
  double ms = 1e3 * (tinta_now () - t0);
  /* Painted pixels (the cores of the strokes) keep their colour. */
  double worst = 0.0;
  for (int y = (int) (70 * k); y < (int) (130 * k); y++)
    for (int x = (int) (81 * k); x < (int) (84 * k); x++)
      {
        size_t i = (size_t) y * W + x;
        worst = fmax (worst, fmax (fabs (c.a[i] - 40.0f), fabs (c.b[i] + 20.0f)));
        worst = fmax (worst, fabs (c.alpha[i] - 1.0f));
      }
  int y = (int) (20 * k);
  for (int x = (int) (25 * k); x < (int) (55 * k); x++)
    {
      size_t i = (size_t) y * W + x;
      worst = fmax (worst, fmax (fabs (c.a[i] + 30.0f), fabs (c.b[i] - 30.0f)));
    }
  double solid = fraction (&c, (int) (40 * k), (int) (60 * k), (int) (120 * k), (int) (140 * k),
                           0.9f, 1);
  /* Time stays bounded for absurd strokes: 100000 points zig-zagging
   * across the frame with the largest brush, then the smallest. */
  size_t many = 100000;
  tinta_stroke_point *zig = malloc (many * sizeof *zig);
  for (size_t i = 0; i < many; i++)
    zig[i] = (tinta_stroke_point) { (i & 1) ? -100.0 : W + 100.0, (double) (i % 97) * H / 96.0,
                                    1.0 };
  tinta_stroke zs = { { 50, 10, 10 }, 4096.0f, 0.0f, 0, zig, many };
  t0 = tinta_now ();
  CHECK_STATUS (tinta_paint_add_stroke (p, &zs, &err), TINTA_OK, &err);
  double ms_big = 1e3 * (tinta_now () - t0);
  zs.size = 1.0f;
  t0 = tinta_now ();
  CHECK_STATUS (tinta_paint_add_stroke (p, &zs, &err), TINTA_OK, &err);
  printf ("%dx%d: 100000-point zig-zag strokes, size 4096: %.0f ms, size 1: %.0f ms\n", W, H,
          ms_big, 1e3 * (tinta_now () - t0));
  free (zig);
  double across = fraction (&c, W / 2 + 1, 0, W / 2 + (int) (10 * k), H, 0.1f, 0);
  printf ("%dx%d: fill %.0f ms; painted pixels off by %.2g; %.1f%% solid near the stroke, "
          "%.1f%% clear across the edge\n", W, H, ms, worst, 100 * solid, 100 * across);
  CHECK_MSG (worst < 1e-3, "painted pixels off by %g", worst);
  CHECK_MSG (solid > 0.9, "solid %.3f", solid);
  CHECK_MSG (across > 0.99, "across %.3f", across);
  tinta_paint_free (p);
  canvas_free (&c);
}

int
main (void)
{
  test_bad_arguments ();
  test_brush ();
  test_edge_stop ();
  test_two_colors ();
  int swan = test_swan ();
  test_big (1920, 1080);
  test_big (3840, 2160);
  int rc = tinta_test_end ("paint");
  if (rc == 0 && !swan)
    tinta_test_skip ("TINTA_SHARED_DIR has no data/eval: the blackswan check (d) did not run");
  return rc;
}
