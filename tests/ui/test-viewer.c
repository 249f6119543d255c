/* test-viewer.c: TintaViewer's modes, layouts, zoom and confidence overlay
 * in a real window (run under Xvfb).
 *
 * A 320×180 synthetic luminance (a horizontal gradient, a bright disc, a
 * dark box) gets three results: LOCAL reddish (a = +40), GLOBAL greenish
 * (a = -40, at half size, confidence 1 on the left half and 0 on the
 * right), FUSED bluish (b = -40).  The viewer is snapshotted the way GTK
 * renders it and pixels are checked against the engine's own Lab -> sRGB:
 * the single modes, the 2×2 grid, side by side, the wipe, a cleared result
 * (gray, never stale), a new luminance (clears everything), zoom at the
 * pointer, and the overlay.  The snapshots are kept in
 * TINTA_TEST_OUTPUT_DIR to look at. */

#include "config.h"

#include <string.h>

#include <gtk/gtk.h>

#include "tinta-viewer.h"

#include "../engine/tinta-test.h"

#define IMAGE_WIDTH 320
#define IMAGE_HEIGHT 180
#define VIEWER_WIDTH 800
#define VIEWER_HEIGHT 450
#define CHROMA 40.0f
#define BACKGROUND_LEVEL 30       /* #1e1e1e */
#define WAIT_TIMEOUT_MS 20000

typedef struct {
  guchar *data;
  int     width;
  int     height;
  gsize   stride;
} Pixels;

typedef struct {
  double r, g, b;
} Color;

static GtkWidget *window;
static TintaViewer *viewer;
static guint presented;
static const char *output_dir;

static void
pixels_clear (Pixels *pixels)
{
  g_clear_pointer (&pixels->data, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Pixels, pixels_clear)

/* L at image column x: 20 at the left edge to 80 at the right, sampled at
 * texel centers so that linear filtering gives back the same line. */
static float
gradient_lightness (double u)
{
  return 20.0f + 60.0f * (float) u;
}

static float *
make_luminance (void)
{
  float *L = g_new (float, IMAGE_WIDTH * IMAGE_HEIGHT);

  for (int y = 0; y < IMAGE_HEIGHT; y++)
    for (int x = 0; x < IMAGE_WIDTH; x++)
      {
        float value = gradient_lightness ((x + 0.5) / IMAGE_WIDTH);

        double dx = x + 0.5 - 80, dy = y + 0.5 - 60;

        if (dx * dx + dy * dy <= 25 * 25)
          value = 85.0f;
        else if (x >= 200 && x < 260 && y >= 110 && y < 150)
          value = 12.0f;
        L[y * IMAGE_WIDTH + x] = value;
      }

  return L;
}

static float *
make_plane (int   width,
            int   height,
            float left,
            float right)
{
  float *plane = g_new (float, width * height);

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      plane[y * width + x] = x < width / 2 ? left : right;

  return plane;
}

static void
set_results (void)
{
  g_autofree float *plus = make_plane (IMAGE_WIDTH, IMAGE_HEIGHT, CHROMA, CHROMA);
  g_autofree float *minus = make_plane (IMAGE_WIDTH, IMAGE_HEIGHT, -CHROMA, -CHROMA);
  g_autofree float *zero = make_plane (IMAGE_WIDTH, IMAGE_HEIGHT, 0, 0);
  g_autofree float *global_a = make_plane (IMAGE_WIDTH / 2, IMAGE_HEIGHT / 2, -CHROMA, -CHROMA);
  g_autofree float *global_b = make_plane (IMAGE_WIDTH / 2, IMAGE_HEIGHT / 2, 0, 0);
  g_autofree float *global_conf = make_plane (IMAGE_WIDTH / 2, IMAGE_HEIGHT / 2, 1, 0);

  tinta_viewer_set_result (viewer, TINTA_VIEW_LOCAL, IMAGE_WIDTH, IMAGE_HEIGHT, plus, zero, NULL);
  tinta_viewer_set_result (viewer, TINTA_VIEW_GLOBAL, IMAGE_WIDTH / 2, IMAGE_HEIGHT / 2,
                           global_a, global_b, global_conf);
  tinta_viewer_set_result (viewer, TINTA_VIEW_FUSED, IMAGE_WIDTH, IMAGE_HEIGHT, zero, minus, NULL);
}

static gboolean
timed_out_cb (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main loop until the viewer drew once more; FALSE on timeout. */
static gboolean
wait_for_frame (void)
{
  guint target = presented + 1;
  gboolean timed_out = FALSE;
  guint timeout_id = g_timeout_add (WAIT_TIMEOUT_MS, timed_out_cb, &timed_out);

  gtk_widget_queue_draw (GTK_WIDGET (viewer));
  while (presented < target && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  if (!timed_out)
    g_source_remove (timeout_id);
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);

  return presented >= target;
}

static void
presented_cb (TintaViewer *self,
              gpointer     user_data)
{
  presented++;
}

/* The window (undecorated, the viewer its only child) as GTK renders it;
 * saved as output_dir/name.png.  Window and viewer coordinates agree. */
static gboolean
snapshot_viewer (const char *name,
                 Pixels     *pixels)
{
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *file_name = g_strconcat (name, ".png", NULL);
  g_autofree char *path = g_build_filename (output_dir, file_name, NULL);
  GskRenderer *renderer = gtk_native_get_renderer (GTK_NATIVE (window));
  GtkSnapshot *snapshot;
  int width, height;

  pixels_clear (pixels);
  if (!wait_for_frame ())
    {
      fprintf (stderr, "%s: the viewer never drew\n", name);
      return FALSE;
    }

  paintable = gtk_widget_paintable_new (window);
  width = gdk_paintable_get_intrinsic_width (paintable);
  height = gdk_paintable_get_intrinsic_height (paintable);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  if (node == NULL || renderer == NULL)
    return FALSE;

  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (texture == NULL)
    return FALSE;
  if (!gdk_texture_save_to_png (texture, path))
    fprintf (stderr, "could not save %s\n", path);
  printf ("  snapshot %s\n", path);

  pixels->width = gdk_texture_get_width (texture);
  pixels->height = gdk_texture_get_height (texture);
  pixels->stride = (gsize) pixels->width * 4;
  pixels->data = g_malloc (pixels->stride * pixels->height);
  gdk_texture_download (texture, pixels->data, pixels->stride);

  return TRUE;
}

/* Mean of a 5×5 block around widget point (x, y); Cairo ARGB32 in memory. */
static Color
sample (const Pixels *pixels,
        double        x,
        double        y)
{
  Color c = { 0, 0, 0 };
  int n = 0;

  if (pixels->data == NULL)
    return c;

  for (int dy = -2; dy <= 2; dy++)
    for (int dx = -2; dx <= 2; dx++)
      {
        int px = CLAMP ((int) x + dx, 0, pixels->width - 1);
        int py = CLAMP ((int) y + dy, 0, pixels->height - 1);
        guint32 argb;

        memcpy (&argb, pixels->data + (gsize) py * pixels->stride + (gsize) px * 4, 4);
        c.r += (argb >> 16) & 0xff;
        c.g += (argb >> 8) & 0xff;
        c.b += argb & 0xff;
        n++;
      }

  c.r /= n;
  c.g /= n;
  c.b /= n;

  return c;
}

static Color
sample_pixel (const Pixels *pixels,
              double        x,
              double        y)
{
  guint32 argb = 0;
  int px = CLAMP ((int) x, 0, pixels->width - 1);
  int py = CLAMP ((int) y, 0, pixels->height - 1);

  if (pixels->data != NULL)
    memcpy (&argb, pixels->data + (gsize) py * pixels->stride + (gsize) px * 4, 4);

  return (Color) { (argb >> 16) & 0xff, (argb >> 8) & 0xff, argb & 0xff };
}

/* Widget point of image point (u, v) (fractions) in pane @pane. */
static graphene_point_t
pane_point (guint  pane,
            double u,
            double v)
{
  graphene_rect_t bounds;

  CHECK_MSG (tinta_viewer_get_pane_bounds (viewer, pane, &bounds), "pane %u has no image", pane);
  return GRAPHENE_POINT_INIT (bounds.origin.x + u * bounds.size.width,
                              bounds.origin.y + v * bounds.size.height);
}

/* What the engine makes of Lab (the gradient's L at u, a, b). */
static Color
expected_color (double u,
                float  a,
                float  b)
{
  float L = gradient_lightness (u);
  guint8 rgb[3];

  tinta_lab_to_srgb8 (&L, &a, &b, 1, rgb);
  return (Color) { rgb[0], rgb[1], rgb[2] };
}

/* The pixel at image point (u, v) of @pane against Lab (L(u), a, b). */
static void
check_pane_color (const Pixels *pixels,
                  const char   *what,
                  guint         pane,
                  double        u,
                  double        v,
                  float         a,
                  float         b)
{
  graphene_point_t point = pane_point (pane, u, v);
  Color shown = sample (pixels, point.x, point.y);
  Color expected = expected_color (u, a, b);

  printf ("  %-28s shown %5.1f %5.1f %5.1f  expected %3.0f %3.0f %3.0f\n",
          what, shown.r, shown.g, shown.b, expected.r, expected.g, expected.b);
  CHECK_MSG (fabs (shown.r - expected.r) <= 3 && fabs (shown.g - expected.g) <= 3 &&
             fabs (shown.b - expected.b) <= 3,
             "%s: shown %.0f %.0f %.0f, expected %.0f %.0f %.0f", what,
             shown.r, shown.g, shown.b, expected.r, expected.g, expected.b);
}

static void
check_single_modes (void)
{
  g_auto(Pixels) pixels = { 0 };

  tinta_viewer_set_layout (viewer, TINTA_LAYOUT_SINGLE);
  tinta_viewer_set_mode (viewer, TINTA_VIEW_FUSED);
  CHECK (snapshot_viewer ("viewer-single-fused", &pixels));
  check_pane_color (&pixels, "single fused, centre", 0, 0.5, 0.5, 0, -CHROMA);
  {
    graphene_point_t centre = pane_point (0, 0.5, 0.5);
    Color c = sample (&pixels, centre.x, centre.y);

    CHECK_MSG (c.b > c.r + 40 && c.b > c.g + 20, "fused should be bluish: %.0f %.0f %.0f",
               c.r, c.g, c.b);
  }

  tinta_viewer_set_mode (viewer, TINTA_VIEW_GRAY);
  CHECK (!tinta_viewer_get_show_color (viewer));
  CHECK (snapshot_viewer ("viewer-single-gray", &pixels));
  check_pane_color (&pixels, "single gray, centre", 0, 0.5, 0.5, 0, 0);
  /* The bright disc and the dark box are where the image says. */
  check_pane_color (&pixels, "single gray, left", 0, 0.1, 0.5, 0, 0);
  {
    graphene_point_t disc = pane_point (0, 80.0 / IMAGE_WIDTH, 60.0 / IMAGE_HEIGHT);
    graphene_point_t box = pane_point (0, 230.0 / IMAGE_WIDTH, 130.0 / IMAGE_HEIGHT);
    Color disc_color = sample (&pixels, disc.x, disc.y);
    Color box_color = sample (&pixels, box.x, box.y);

    CHECK_MSG (disc_color.g > 200, "the disc should be bright: %.0f", disc_color.g);
    CHECK_MSG (box_color.g < 40, "the box should be dark: %.0f", box_color.g);
  }

  /* show-color is the compatibility alias: TRUE from GRAY is FUSED. */
  tinta_viewer_set_show_color (viewer, TRUE);
  CHECK_INT (tinta_viewer_get_mode (viewer), TINTA_VIEW_FUSED);
  tinta_viewer_set_mode (viewer, TINTA_VIEW_LOCAL);
  tinta_viewer_set_show_color (viewer, TRUE);
  CHECK_INT (tinta_viewer_get_mode (viewer), TINTA_VIEW_LOCAL);
  CHECK (snapshot_viewer ("viewer-single-local", &pixels));
  check_pane_color (&pixels, "single local, centre", 0, 0.5, 0.5, CHROMA, 0);

  /* GLOBAL is half size: the shader upsamples it over the whole frame. */
  tinta_viewer_set_mode (viewer, TINTA_VIEW_GLOBAL);
  CHECK (snapshot_viewer ("viewer-single-global", &pixels));
  check_pane_color (&pixels, "single global, centre", 0, 0.5, 0.5, -CHROMA, 0);
  check_pane_color (&pixels, "single global, near corner", 0, 0.02, 0.95, -CHROMA, 0);
  tinta_viewer_set_mode (viewer, TINTA_VIEW_FUSED);
}

static void
check_grid (void)
{
  static const char *names[] = { "gray", "local", "global", "fused" };
  static const float pane_a[] = { 0, CHROMA, -CHROMA, 0 };
  static const float pane_b[] = { 0, 0, 0, -CHROMA };
  g_auto(Pixels) pixels = { 0 };
  graphene_rect_t area, bounds, first_area, first_bounds;

  tinta_viewer_set_layout (viewer, TINTA_LAYOUT_GRID);
  CHECK (snapshot_viewer ("viewer-grid", &pixels));

  for (guint pane = 0; pane < 4; pane++)
    {
      g_autofree char *what = g_strdup_printf ("grid %s, centre", names[pane]);

      check_pane_color (&pixels, what, pane, 0.5, 0.5, pane_a[pane], pane_b[pane]);
      CHECK (tinta_viewer_get_pane_area (viewer, pane, &area));
      CHECK (tinta_viewer_get_pane_bounds (viewer, pane, &bounds));
      if (pane == 0)
        {
          first_area = area;
          first_bounds = bounds;
        }
      /* The same region of the image in every pane. */
      CHECK_NEAR (bounds.origin.x - area.origin.x, first_bounds.origin.x - first_area.origin.x, 0.01);
      CHECK_NEAR (bounds.origin.y - area.origin.y, first_bounds.origin.y - first_area.origin.y, 0.01);
      CHECK_NEAR (bounds.size.width, first_bounds.size.width, 0.01);
      CHECK_NEAR (bounds.size.height, first_bounds.size.height, 0.01);
    }
  CHECK (!tinta_viewer_get_pane_bounds (viewer, 4, &bounds));

  /* The 2 px gap between the panes is background. */
  {
    graphene_rect_t left, right;
    Color gap;

    tinta_viewer_get_pane_area (viewer, 0, &left);
    tinta_viewer_get_pane_area (viewer, 1, &right);
    CHECK_NEAR (right.origin.x - (left.origin.x + left.size.width), 2, 0.01);
    gap = sample_pixel (&pixels, left.origin.x + left.size.width, left.size.height / 2);
    printf ("  grid gap %5.1f %5.1f %5.1f\n", gap.r, gap.g, gap.b);
    CHECK_NEAR (gap.r, BACKGROUND_LEVEL, 1);
    CHECK_NEAR (gap.g, BACKGROUND_LEVEL, 1);
    CHECK_NEAR (gap.b, BACKGROUND_LEVEL, 1);
  }
}

static void
check_side_by_side_and_wipe (void)
{
  g_auto(Pixels) pixels = { 0 };
  graphene_rect_t left, right;

  tinta_viewer_set_layout (viewer, TINTA_LAYOUT_SIDE_BY_SIDE);
  tinta_viewer_set_pair (viewer, TINTA_VIEW_LOCAL, TINTA_VIEW_FUSED);
  CHECK (snapshot_viewer ("viewer-side-by-side", &pixels));
  check_pane_color (&pixels, "side by side local", 0, 0.5, 0.5, CHROMA, 0);
  check_pane_color (&pixels, "side by side fused", 1, 0.5, 0.5, 0, -CHROMA);
  CHECK (tinta_viewer_get_pane_area (viewer, 0, &left));
  CHECK (tinta_viewer_get_pane_area (viewer, 1, &right));
  CHECK_NEAR (left.size.width, right.size.width, 0.01);
  CHECK (left.origin.x + left.size.width < right.origin.x);

  tinta_viewer_set_layout (viewer, TINTA_LAYOUT_WIPE);
  tinta_viewer_set_wipe_position (viewer, 0.3);
  CHECK (snapshot_viewer ("viewer-wipe", &pixels));
  check_pane_color (&pixels, "wipe at 0.3, left of it", 0, 0.2, 0.5, CHROMA, 0);
  check_pane_color (&pixels, "wipe at 0.3, right of it", 0, 0.4, 0.5, 0, -CHROMA);
  check_pane_color (&pixels, "wipe at 0.3, far right", 0, 0.9, 0.7, 0, -CHROMA);

  tinta_viewer_set_wipe_position (viewer, 7.0);
  CHECK_NEAR (tinta_viewer_get_wipe_position (viewer), 1.0, 0);
  tinta_viewer_set_wipe_position (viewer, 0.3);
}

/* Never stale: a cleared result and a new luminance show gray. */
static void
check_not_computed (void)
{
  g_autofree float *L = make_luminance ();
  g_auto(Pixels) pixels = { 0 };

  tinta_viewer_set_layout (viewer, TINTA_LAYOUT_SINGLE);
  tinta_viewer_set_mode (viewer, TINTA_VIEW_FUSED);
  tinta_viewer_set_result (viewer, TINTA_VIEW_FUSED, 0, 0, NULL, NULL, NULL);
  CHECK (!tinta_viewer_has_result (viewer, TINTA_VIEW_FUSED));
  CHECK (tinta_viewer_has_result (viewer, TINTA_VIEW_LOCAL));
  CHECK (snapshot_viewer ("viewer-fused-cleared", &pixels));
  check_pane_color (&pixels, "cleared fused, centre", 0, 0.5, 0.5, 0, 0);

  tinta_viewer_set_layout (viewer, TINTA_LAYOUT_GRID);
  CHECK (snapshot_viewer ("viewer-grid-fused-cleared", &pixels));
  check_pane_color (&pixels, "grid, cleared fused", 3, 0.5, 0.5, 0, 0);
  check_pane_color (&pixels, "grid, local still there", 1, 0.5, 0.5, CHROMA, 0);

  tinta_viewer_set_luminance (viewer, IMAGE_WIDTH, IMAGE_HEIGHT, L);
  CHECK (tinta_viewer_has_result (viewer, TINTA_VIEW_GRAY));
  CHECK (!tinta_viewer_has_result (viewer, TINTA_VIEW_LOCAL));
  CHECK (!tinta_viewer_has_result (viewer, TINTA_VIEW_GLOBAL));
  CHECK (!tinta_viewer_has_result (viewer, TINTA_VIEW_FUSED));
  CHECK (snapshot_viewer ("viewer-grid-new-frame", &pixels));
  for (guint pane = 0; pane < 4; pane++)
    check_pane_color (&pixels, "grid, new frame", pane, 0.5, 0.5, 0, 0);

  set_results ();
}

/* Zoom: 100% is one image pixel per device pixel, zoom_at keeps the point
 * under the pointer, all panes show the same region, and the picture is
 * drawn where the bounds say. */
static void
check_zoom (void)
{
  int scale = gtk_widget_get_scale_factor (GTK_WIDGET (viewer));
  g_auto(Pixels) pixels = { 0 };
  graphene_rect_t bounds, area, first_area, first_bounds;
  double x, y, image_x, image_y;

  tinta_viewer_set_layout (viewer, TINTA_LAYOUT_SINGLE);
  tinta_viewer_set_mode (viewer, TINTA_VIEW_GRAY);
  tinta_viewer_set_zoom (viewer, 1.0);
  CHECK (tinta_viewer_get_image_bounds (viewer, &bounds));
  CHECK_NEAR (bounds.size.width, (double) IMAGE_WIDTH / scale, 0.01);
  CHECK_NEAR (bounds.size.height, (double) IMAGE_HEIGHT / scale, 0.01);
  CHECK_NEAR (bounds.origin.x + bounds.size.width / 2, VIEWER_WIDTH / 2.0, 0.5);
  CHECK_NEAR (bounds.origin.y + bounds.size.height / 2, VIEWER_HEIGHT / 2.0, 0.5);

  /* The pointer over image pixel (100, 60). */
  x = bounds.origin.x + 100.0 * bounds.size.width / IMAGE_WIDTH;
  y = bounds.origin.y + 60.0 * bounds.size.height / IMAGE_HEIGHT;
  tinta_viewer_zoom_at (viewer, 4.0, x, y);
  CHECK_NEAR (tinta_viewer_get_zoom (viewer), 4.0, 1e-9);
  CHECK (tinta_viewer_get_image_bounds (viewer, &bounds));
  image_x = (x - bounds.origin.x) * IMAGE_WIDTH / bounds.size.width;
  image_y = (y - bounds.origin.y) * IMAGE_HEIGHT / bounds.size.height;
  printf ("  zoom 4 at (%.0f, %.0f): image %.0fx%.0f at %.1f,%.1f, under the pointer %.2f,%.2f\n",
          x, y, bounds.size.width, bounds.size.height, bounds.origin.x, bounds.origin.y,
          image_x, image_y);
  CHECK_NEAR (image_x, 100.0, 0.5);
  CHECK_NEAR (image_y, 60.0, 0.5);

  /* The disc's centre (80, 60) is drawn where the bounds put it. */
  CHECK (snapshot_viewer ("viewer-zoom-4", &pixels));
  {
    Color disc = sample (&pixels, bounds.origin.x + 80.0 * bounds.size.width / IMAGE_WIDTH,
                         bounds.origin.y + 60.0 * bounds.size.height / IMAGE_HEIGHT);
    Color outside = sample (&pixels, bounds.origin.x + 80.0 * bounds.size.width / IMAGE_WIDTH,
                            bounds.origin.y + 95.0 * bounds.size.height / IMAGE_HEIGHT);

    printf ("  zoomed disc %5.1f, below it %5.1f\n", disc.g, outside.g);
    CHECK (disc.g > 200);
    CHECK (outside.g < 150);
  }

  /* Zoomed in, the grid's panes still show one region. */
  tinta_viewer_set_layout (viewer, TINTA_LAYOUT_GRID);
  tinta_viewer_set_zoom (viewer, 2.0);
  for (guint pane = 0; pane < 4; pane++)
    {
      CHECK (tinta_viewer_get_pane_area (viewer, pane, &area));
      CHECK (tinta_viewer_get_pane_bounds (viewer, pane, &bounds));
      if (pane == 0)
        {
          first_area = area;
          first_bounds = bounds;
        }
      CHECK_NEAR (bounds.origin.x - area.origin.x, first_bounds.origin.x - first_area.origin.x, 0.01);
      CHECK_NEAR (bounds.origin.y - area.origin.y, first_bounds.origin.y - first_area.origin.y, 0.01);
      CHECK_NEAR (bounds.size.width, (double) IMAGE_WIDTH * 2 / scale, 0.01);
    }
  CHECK (snapshot_viewer ("viewer-grid-zoom-2", &pixels));
  check_pane_color (&pixels, "zoomed grid, fused", 3, 0.5, 0.5, 0, -CHROMA);

  /* Zooming out stops at fit. */
  for (int i = 0; i < 20; i++)
    tinta_viewer_zoom_at (viewer, 0.5, 100, 100);
  CHECK_NEAR (tinta_viewer_get_zoom (viewer), 0.0, 0);
  tinta_viewer_set_layout (viewer, TINTA_LAYOUT_SINGLE);
  tinta_viewer_set_mode (viewer, TINTA_VIEW_FUSED);
}

static void
check_confidence (void)
{
  g_auto(Pixels) plain = { 0 };
  g_auto(Pixels) overlaid = { 0 };
  struct { const char *what; guint pane; double u; gboolean changes; } probes[] = {
    { "global, confident left", 2, 0.25, FALSE },
    { "global, unsure right", 2, 0.75, TRUE },
    { "local, unsure right", 1, 0.75, TRUE },
    { "gray, right", 0, 0.75, FALSE },
  };

  tinta_viewer_set_layout (viewer, TINTA_LAYOUT_GRID);
  CHECK (snapshot_viewer ("viewer-grid", &plain));
  tinta_viewer_set_show_confidence (viewer, TRUE);
  CHECK (snapshot_viewer ("viewer-grid-confidence", &overlaid));

  for (guint i = 0; i < G_N_ELEMENTS (probes); i++)
    {
      graphene_point_t point = pane_point (probes[i].pane, probes[i].u, 0.5);
      Color before = sample (&plain, point.x, point.y);
      Color after = sample (&overlaid, point.x, point.y);
      double change = fabs (after.r - before.r) + fabs (after.g - before.g) + fabs (after.b - before.b);

      printf ("  overlay, %-24s %5.1f %5.1f %5.1f -> %5.1f %5.1f %5.1f\n", probes[i].what,
              before.r, before.g, before.b, after.r, after.g, after.b);
      if (probes[i].changes)
        CHECK_MSG (change > 30, "%s: the overlay should show, changed by %.1f", probes[i].what, change);
      else
        CHECK_MSG (change < 1.5, "%s: the overlay should not show, changed by %.1f", probes[i].what, change);
    }

  tinta_viewer_set_layout (viewer, TINTA_LAYOUT_WIPE);
  tinta_viewer_set_pair (viewer, TINTA_VIEW_GRAY, TINTA_VIEW_GLOBAL);
  tinta_viewer_set_wipe_position (viewer, 0.5);
  CHECK (snapshot_viewer ("viewer-wipe-confidence", &overlaid));
  tinta_viewer_set_show_confidence (viewer, FALSE);
}

/* set_frame, the window's path: L, and a,b as FUSED when it has color. */
static void
check_set_frame (void)
{
  tinta_frame *frame = tinta_frame_new (64, 36, TINTA_FRAME_LAB);

  CHECK (frame != NULL);
  if (frame == NULL)
    return;

  for (int i = 0; i < 64 * 36; i++)
    {
      frame->L[i] = 50;
      frame->a[i] = 0;
      frame->b[i] = 0;
    }
  frame->has_color = 0;
  tinta_viewer_set_frame (viewer, frame);
  CHECK (tinta_viewer_get_frame (viewer) == frame);
  CHECK (!tinta_viewer_has_result (viewer, TINTA_VIEW_FUSED));

  frame = tinta_frame_new (64, 36, TINTA_FRAME_LAB);
  memset (frame->a, 0, 64 * 36 * sizeof (float));
  memset (frame->b, 0, 64 * 36 * sizeof (float));
  memset (frame->L, 0, 64 * 36 * sizeof (float));
  frame->has_color = 1;
  tinta_viewer_set_frame (viewer, frame);
  CHECK (tinta_viewer_has_result (viewer, TINTA_VIEW_FUSED));
  CHECK (!tinta_viewer_has_result (viewer, TINTA_VIEW_LOCAL));

  /* A luminance of its own drops the frame. */
  tinta_viewer_set_luminance (viewer, 64, 36, frame->L);
  CHECK (tinta_viewer_get_frame (viewer) == NULL);

  tinta_viewer_set_frame (viewer, NULL);
  CHECK (!tinta_viewer_has_result (viewer, TINTA_VIEW_GRAY));
  CHECK (!tinta_viewer_get_image_bounds (viewer, &GRAPHENE_RECT_INIT (0, 0, 0, 0)));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree float *L = NULL;

  if (!gtk_init_check ())
    tinta_test_skip ("cannot open a display; run under xvfb-run");

  output_dir = g_getenv ("TINTA_TEST_OUTPUT_DIR");
  if (output_dir == NULL)
    output_dir = ".";
  g_mkdir_with_parents (output_dir, 0755);

  window = gtk_window_new ();
  gtk_window_set_decorated (GTK_WINDOW (window), FALSE);
  gtk_window_set_default_size (GTK_WINDOW (window), VIEWER_WIDTH, VIEWER_HEIGHT);
  viewer = TINTA_VIEWER (tinta_viewer_new ());
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (viewer));
  g_signal_connect (viewer, "presented", G_CALLBACK (presented_cb), NULL);
  gtk_window_present (GTK_WINDOW (window));

  L = make_luminance ();
  tinta_viewer_set_luminance (viewer, IMAGE_WIDTH, IMAGE_HEIGHT, L);
  set_results ();
  CHECK_MSG (wait_for_frame (), "the viewer never drew");
  printf ("  viewer %dx%d, scale %d\n", gtk_widget_get_width (GTK_WIDGET (viewer)),
          gtk_widget_get_height (GTK_WIDGET (viewer)),
          gtk_widget_get_scale_factor (GTK_WIDGET (viewer)));
  CHECK_INT (gtk_widget_get_width (GTK_WIDGET (viewer)), VIEWER_WIDTH);
  CHECK_INT (gtk_widget_get_height (GTK_WIDGET (viewer)), VIEWER_HEIGHT);

  check_single_modes ();
  check_grid ();
  check_side_by_side_and_wipe ();
  check_not_computed ();
  check_zoom ();
  check_confidence ();
  check_set_frame ();

  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);

  return tinta_test_end ("viewer");
}
