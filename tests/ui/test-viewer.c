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
#include "uitest.h"

#define IMAGE_WIDTH 320
#define IMAGE_HEIGHT 180
#define VIEWER_WIDTH 800
#define VIEWER_HEIGHT 450
#define CHROMA 40.0f
#define BACKGROUND_LEVEL 30       /* #1e1e1e */
#define WAIT_TIMEOUT_MS 20000

static GtkWidget *window;
static TintaViewer *viewer;
static guint presented;

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

/* Runs the main loop until the viewer drew once more; FALSE on timeout. */
static gboolean
wait_for_frame (void)
{
  guint target = presented + 1;
  gboolean drawn;

  gtk_widget_queue_draw (GTK_WIDGET (viewer));
  UITEST_SPIN_UNTIL (drawn, presented >= target, WAIT_TIMEOUT_MS);
  uitest_drain ();

  return drawn || presented >= target;
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
snapshot_viewer (const char   *name,
                 UitestPixels *pixels)
{
  g_autofree char *file_name = g_strconcat (name, ".png", NULL);

  uitest_pixels_clear (pixels);
  if (!wait_for_frame ())
    {
      fprintf (stderr, "%s: the viewer never drew\n", name);
      return FALSE;
    }
  return uitest_snapshot (window, file_name, pixels);
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
static UitestColor
expected_color (double u,
                float  a,
                float  b)
{
  float L = gradient_lightness (u);
  guint8 rgb[3];

  tinta_lab_to_srgb8 (&L, &a, &b, 1, rgb);
  return (UitestColor) { rgb[0], rgb[1], rgb[2] };
}

/* The pixel at image point (u, v) of @pane against Lab (L(u), a, b). */
static void
check_pane_color (const UitestPixels *pixels,
                  const char         *what,
                  guint               pane,
                  double              u,
                  double              v,
                  float               a,
                  float               b)
{
  graphene_point_t point = pane_point (pane, u, v);
  UitestColor shown = uitest_sample (pixels, point.x, point.y);
  UitestColor expected = expected_color (u, a, b);

  printf ("  %-28s shown %5.1f %5.1f %5.1f  expected %3.0f %3.0f %3.0f\n",
          what, shown.r, shown.g, shown.b, expected.r, expected.g, expected.b);
  CHECK_MSG (fabs (shown.r - expected.r) <= 3 && fabs (shown.g - expected.g) <= 3 &&
             fabs (shown.b - expected.b) <= 3,
             "%s: shown %.0f %.0f %.0f, expected %.0f %.0f %.0f", what,
             shown.r, shown.g, shown.b, expected.r, expected.g, expected.b);
}

/* Pane @pane shows the same region of the image as pane 0: its image is
 * at the same offset in its area.  Pane 0's area and bounds are kept in
 * @first_area and @first_bounds (@pane 0 sets them); @pane's bounds in
 * @bounds. */
static void
check_same_region (guint            pane,
                   graphene_rect_t *first_area,
                   graphene_rect_t *first_bounds,
                   graphene_rect_t *bounds)
{
  graphene_rect_t area;

  CHECK (tinta_viewer_get_pane_area (viewer, pane, &area));
  CHECK (tinta_viewer_get_pane_bounds (viewer, pane, bounds));
  if (pane == 0)
    {
      *first_area = area;
      *first_bounds = *bounds;
    }
  CHECK_NEAR (bounds->origin.x - area.origin.x, first_bounds->origin.x - first_area->origin.x, 0.01);
  CHECK_NEAR (bounds->origin.y - area.origin.y, first_bounds->origin.y - first_area->origin.y, 0.01);
}

static void
check_single_modes (void)
{
  g_auto(UitestPixels) pixels = { 0 };

  tinta_viewer_set_layout (viewer, TINTA_LAYOUT_SINGLE);
  tinta_viewer_set_mode (viewer, TINTA_VIEW_FUSED);
  CHECK (snapshot_viewer ("viewer-single-fused", &pixels));
  check_pane_color (&pixels, "single fused, centre", 0, 0.5, 0.5, 0, -CHROMA);
  {
    graphene_point_t centre = pane_point (0, 0.5, 0.5);
    UitestColor c = uitest_sample (&pixels, centre.x, centre.y);

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
    UitestColor disc_color = uitest_sample (&pixels, disc.x, disc.y);
    UitestColor box_color = uitest_sample (&pixels, box.x, box.y);

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
  g_auto(UitestPixels) pixels = { 0 };
  graphene_rect_t bounds, first_area, first_bounds;

  tinta_viewer_set_layout (viewer, TINTA_LAYOUT_GRID);
  CHECK (snapshot_viewer ("viewer-grid", &pixels));

  for (guint pane = 0; pane < 4; pane++)
    {
      g_autofree char *what = g_strdup_printf ("grid %s, centre", names[pane]);

      check_pane_color (&pixels, what, pane, 0.5, 0.5, pane_a[pane], pane_b[pane]);
      check_same_region (pane, &first_area, &first_bounds, &bounds);
      CHECK_NEAR (bounds.size.width, first_bounds.size.width, 0.01);
      CHECK_NEAR (bounds.size.height, first_bounds.size.height, 0.01);
    }
  CHECK (!tinta_viewer_get_pane_bounds (viewer, 4, &bounds));

  /* The 2 px gap between the panes is background. */
  {
    graphene_rect_t left, right;
    UitestColor gap;

    tinta_viewer_get_pane_area (viewer, 0, &left);
    tinta_viewer_get_pane_area (viewer, 1, &right);
    CHECK_NEAR (right.origin.x - (left.origin.x + left.size.width), 2, 0.01);
    gap = uitest_pixel (&pixels, left.origin.x + left.size.width, left.size.height / 2);
    printf ("  grid gap %5.1f %5.1f %5.1f\n", gap.r, gap.g, gap.b);
    CHECK_NEAR (gap.r, BACKGROUND_LEVEL, 1);
    CHECK_NEAR (gap.g, BACKGROUND_LEVEL, 1);
    CHECK_NEAR (gap.b, BACKGROUND_LEVEL, 1);
  }
}

static void
check_side_by_side_and_wipe (void)
{
  g_auto(UitestPixels) pixels = { 0 };
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
  g_auto(UitestPixels) pixels = { 0 };

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
  g_auto(UitestPixels) pixels = { 0 };
  graphene_rect_t bounds, first_area, first_bounds;
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
    UitestColor disc = uitest_sample (&pixels, bounds.origin.x + 80.0 * bounds.size.width / IMAGE_WIDTH,
                                      bounds.origin.y + 60.0 * bounds.size.height / IMAGE_HEIGHT);
    UitestColor outside = uitest_sample (&pixels, bounds.origin.x + 80.0 * bounds.size.width / IMAGE_WIDTH,
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
      check_same_region (pane, &first_area, &first_bounds, &bounds);
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
  g_auto(UitestPixels) plain = { 0 };
  g_auto(UitestPixels) overlaid = { 0 };
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
      UitestColor before = uitest_sample (&plain, point.x, point.y);
      UitestColor after = uitest_sample (&overlaid, point.x, point.y);
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

  uitest_init_display ();

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
  uitest_drain ();

  return tinta_test_end ("viewer");
}
