/* test-paint.c: painting keyframes in a real editor window (run under
 * Xvfb).
 *
 * Makes an 854x480 clip of a dark box on a light gray ground, opens it in
 * a TintaWindow of a real TintaApplication, enters paint mode (win.paint)
 * and paints by emitting the viewer's stroke gesture signals at widget
 * coordinates computed from clip pixels, as a pointer would.  Asserts on
 * outcomes: the stroke became a partial keyframe (clip, keyframe panel,
 * timeline marker); the fused view is colored with the brush's hue at the
 * stroke and over the box around it, and stays gray across the box's
 * edge; the eyedropper picks the shown color from any view; the eraser
 * takes paint away; undo removes the keyframe and redo restores it; a
 * saved project keeps the strokes, and painting goes on from them after
 * opening it again.  Prints the preview latency (pointer motion to the
 * preview on screen) at 854x480; asserts nothing about time.  The paint
 * mode snapshot becomes data/screenshots/editor-paint.png with
 * TINTA_UPDATE_SCREENSHOTS=1. */

#include "config.h"

#include <math.h>

#include <gtk/gtk.h>

#include "tinta-application.h"
#include "tinta-window.h"

#include "../engine/tinta-test.h"
#include "uitest.h"

#define CLIP_WIDTH 854
#define CLIP_HEIGHT 480
#define CLIP_FRAMES 6
#define PAINT_FRAME 2
#define FULL_FRAME 4
/* The dark box: x 120..440, y 100..380. */
#define BOX_X0 120
#define BOX_X1 440
#define BOX_Y0 100
#define BOX_Y1 380
#define BRUSH_SIZE 30
#define DRAW_TIMEOUT_MS 20000

#define NEUTRAL_MAX 3.0
#define COLORED_MIN 25.0
#define HUE_TOLERANCE 30.0       /* degrees of Lab hue */

typedef struct {
  double x, y;
} Point;

static guint presented;

/* The dark box on the light ground, CLIP_FRAMES frames of H.264. */
static gboolean
make_clip (const char *path)
{
  g_autofree char *filter = g_strdup_printf ("drawbox=x=%d:y=%d:w=%d:h=%d:color=0x5a5a5a:t=fill",
                                             BOX_X0, BOX_Y0, BOX_X1 - BOX_X0, BOX_Y1 - BOX_Y0);
  g_autofree char *input = g_strdup_printf ("color=c=0xd2d2d2:s=%dx%d:r=25", CLIP_WIDTH, CLIP_HEIGHT);

  return uitest_make_clip (path, input, filter, CLIP_FRAMES);
}

/* An all-blue keyframe image at the clip's size. */
static gboolean
make_blue_key (const char *path)
{
  g_autofree char *input = g_strdup_printf ("color=c=0x2a5cc8:s=%dx%d", CLIP_WIDTH, CLIP_HEIGHT);
  const char *args[] = { "-f", "lavfi", "-i", input, "-frames:v", "1", path, NULL };

  return uitest_ffmpeg (args);
}

/* Counts the viewer's GL renders.  (Its ::presented comes from an idle,
 * which a window repainting for its spinner on a software renderer may
 * not run for seconds.) */
static gboolean
render_cb (GtkGLArea    *viewer,
           GdkGLContext *context,
           gpointer      user_data)
{
  presented++;
  return FALSE;
}

/* ---- geometry: clip pixels to widget and window coordinates ---------------- */

static Point
clip_to_viewer (TintaWindow *window,
                double       x,
                double       y)
{
  graphene_rect_t image;
  Point p = { 0, 0 };

  if (tinta_viewer_get_image_bounds (tinta_window_get_viewer (window), &image))
    {
      p.x = image.origin.x + (x + 0.5) * image.size.width / CLIP_WIDTH;
      p.y = image.origin.y + (y + 0.5) * image.size.height / CLIP_HEIGHT;
    }
  return p;
}

/* The mean sRGB of a 5x5 block of the snapshot around clip pixel (x, y),
 * as Lab. */
static void
sample_lab (TintaWindow        *window,
            const UitestPixels *pixels,
            double              x,
            double              y,
            double              lab[3])
{
  Point p = clip_to_viewer (window, x, y);
  graphene_rect_t viewer_bounds;

  if (!gtk_widget_compute_bounds (GTK_WIDGET (tinta_window_get_viewer (window)), GTK_WIDGET (window),
                                  &viewer_bounds))
    graphene_rect_init (&viewer_bounds, 0, 0, 0, 0);
  uitest_sample_lab (pixels, viewer_bounds.origin.x + p.x, viewer_bounds.origin.y + p.y, lab);
}

static void
check_colored_as (TintaWindow        *window,
                  const UitestPixels *pixels,
                  double              x,
                  double              y,
                  const float         brush[3],
                  const char         *what)
{
  double lab[3];

  sample_lab (window, pixels, x, y, lab);
  printf ("  %-34s L %5.1f a %6.1f b %6.1f (chroma %.1f)\n", what, lab[0], lab[1], lab[2], uitest_chroma (lab));
  CHECK_MSG (uitest_chroma (lab) >= COLORED_MIN, "%s should be colored, chroma %.1f", what, uitest_chroma (lab));
  CHECK_MSG (uitest_hue_difference (lab[1], lab[2], brush[1], brush[2]) <= HUE_TOLERANCE,
             "%s should have the brush's hue: %.0f degrees off", what,
             uitest_hue_difference (lab[1], lab[2], brush[1], brush[2]));
}

static void
check_gray (TintaWindow        *window,
            const UitestPixels *pixels,
            double              x,
            double              y,
            const char         *what)
{
  double lab[3];

  sample_lab (window, pixels, x, y, lab);
  printf ("  %-34s L %5.1f a %6.1f b %6.1f (chroma %.1f)\n", what, lab[0], lab[1], lab[2], uitest_chroma (lab));
  CHECK_MSG (uitest_chroma (lab) <= NEUTRAL_MAX, "%s should be gray, chroma %.1f", what, uitest_chroma (lab));
}

/* ---- driving the window ---------------------------------------------------- */

static GtkEventController *
stroke_gesture (TintaWindow *window)
{
  return uitest_find_controller (GTK_WIDGET (tinta_window_get_viewer (window)), GTK_TYPE_EVENT_CONTROLLER, "tinta-paint-stroke");
}

/* A stroke from clip pixel @from to @to in @steps motions, the main loop
 * running between them as it would between pointer events. */
static void
paint_stroke (TintaWindow *window,
              double       from_x,
              double       from_y,
              double       to_x,
              double       to_y,
              int          steps)
{
  GtkEventController *gesture = stroke_gesture (window);
  Point start = clip_to_viewer (window, from_x, from_y);

  CHECK_MSG (gesture != NULL, "no stroke gesture on the viewer");
  if (gesture == NULL)
    return;

  g_signal_emit_by_name (gesture, "drag-begin", start.x, start.y);
  for (int i = 1; i <= steps; i++)
    {
      Point p = clip_to_viewer (window, from_x + (to_x - from_x) * i / steps,
                                from_y + (to_y - from_y) * i / steps);

      g_signal_emit_by_name (gesture, "drag-update", p.x - start.x, p.y - start.y);
      uitest_spin_for (16);
    }
  {
    Point end = clip_to_viewer (window, to_x, to_y);

    g_signal_emit_by_name (gesture, "drag-end", end.x - start.x, end.y - start.y);
  }
}

/* Motion to preview on screen, at the frame's size: one motion after the
 * preview interval, in the middle of a stroke. */
static void
measure_latency (TintaWindow *window)
{
  GtkEventController *gesture = stroke_gesture (window);
  Point start = clip_to_viewer (window, 200, 300);
  double total = 0, worst = 0;
  const int n = 5;

  if (gesture == NULL)
    return;
  g_signal_emit_by_name (gesture, "drag-begin", start.x, start.y);
  for (int i = 1; i <= n; i++)
    {
      Point p = clip_to_viewer (window, 200 + 20 * i, 300);
      guint since;
      gint64 t0;
      double ms;

      gboolean drawn;

      uitest_spin_for (80);
      since = presented;
      t0 = g_get_monotonic_time ();
      g_signal_emit_by_name (gesture, "drag-update", p.x - start.x, p.y - start.y);
      /* Not UITEST_WAIT_UNTIL: its settling would count. */
      UITEST_SPIN_UNTIL (drawn, presented != since, DRAW_TIMEOUT_MS);
      if (!drawn)
        break;
      ms = (g_get_monotonic_time () - t0) / 1000.0;
      total += ms;
      worst = MAX (worst, ms);
    }
  {
    Point end = clip_to_viewer (window, 200 + 20 * n, 300);

    g_signal_emit_by_name (gesture, "drag-end", end.x - start.x, end.y - start.y);
  }
  printf ("  paint preview latency at %dx%d (motion to the viewer's render): mean %.1f ms, worst %.1f ms\n",
          CLIP_WIDTH, CLIP_HEIGHT, total / n, worst);
}

static gboolean
is_partial_key (TintaWindow *window,
                gint64       frame)
{
  const float *alpha = NULL;

  return tinta_clip_get_keyframe_colors (tinta_window_get_clip (window), frame, &alpha) != NULL &&
         alpha != NULL;
}

static gboolean
painting (TintaWindow *window)
{
  gboolean on = FALSE;

  g_object_get (window, "painting", &on, NULL);
  return on;
}

static int
paint_tool (TintaWindow *window)
{
  int tool = -1;

  g_object_get (window, "paint-tool", &tool, NULL);
  return tool;
}

/* Waits for the viewer to draw and snapshots the window. */
static void
redraw_and_snapshot (TintaWindow  *window,
                     guint         since,
                     const char   *name,
                     UitestPixels *pixels)
{
  CHECK_MSG (uitest_wait_past (&presented, since, DRAW_TIMEOUT_MS), "the viewer never redrew for %s", name);
  CHECK (uitest_snapshot (GTK_WIDGET (window), name, pixels));
}

/* Has the viewer render again, and snapshots the window once it has. */
static void
rerender_and_snapshot (TintaWindow  *window,
                       const char   *name,
                       UitestPixels *pixels)
{
  guint since = presented;

  gtk_gl_area_queue_render (GTK_GL_AREA (tinta_window_get_viewer (window)));
  redraw_and_snapshot (window, since, name, pixels);
}

static gsize
project_strokes (const char *path,
                 gint64      frame,
                 tinta_stroke *first)
{
  tinta_project *project = NULL;
  tinta_error err = { 0 };
  tinta_project_key *key;
  gsize n = 0;

  CHECK_STATUS (tinta_project_load (path, &project, &err), TINTA_OK, &err);
  if (project == NULL)
    return 0;
  key = tinta_project_find_key (project, frame);
  CHECK_MSG (key != NULL && key->partial, "the project has no partial key at frame %" G_GINT64_FORMAT, frame);
  if (key != NULL)
    {
      n = key->n_strokes;
      if (n > 0 && first != NULL)
        {
          *first = key->strokes[0];
          first->points = NULL;
          first->n_points = key->strokes[0].n_points;
        }
    }
  tinta_project_free (project);
  return n;
}

int
main (void)
{
  g_auto(UitestEditor) editor = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *clip = NULL;
  g_autofree char *project_path = NULL;
  g_autofree char *project_again = NULL;
  g_autofree char *blue_png = NULL;
  g_auto(UitestPixels) pixels = { 0 };
  TintaWindow *window;
  TintaViewer *viewer;
  TintaPaintBar *bar;
  TintaTimeline *timeline;
  float brush[3] = { 55.0f, 45.0f, 50.0f };       /* Lab: an orange brown */
  float picked[3];
  tinta_stroke first = { 0 };
  gint64 marker = -1;
  gboolean ok;
  guint since;

  /* The window prints each preview's fill time and latency. */
  g_setenv ("TINTA_DEBUG_PAINT", "1", TRUE);

  uitest_init_display ();

  if (!uitest_editor_start (&editor, GTK_APPLICATION (tinta_application_new ()), "tinta-paint-XXXXXX"))
    return 1;
  clip = g_build_filename (editor.scratch, "box.mp4", NULL);
  project_path = g_build_filename (editor.scratch, "box.tinta", NULL);
  project_again = g_build_filename (editor.scratch, "box-again.tinta", NULL);
  blue_png = g_build_filename (editor.scratch, "blue.png", NULL);
  if (!make_clip (clip) || !make_blue_key (blue_png))
    {
      CHECK_MSG (FALSE, "could not make the test clip with ffmpeg");
      return tinta_test_end ("paint");
    }
  CHECK (editor.registered);

  window = editor.window;
  viewer = tinta_window_get_viewer (window);
  bar = tinta_window_get_paint_bar (window);
  timeline = tinta_window_get_timeline (window);
  g_signal_connect (viewer, "render", G_CALLBACK (render_cb), NULL);
  gtk_window_present (GTK_WINDOW (window));

  /* No paint mode without a clip. */
  CHECK (!gtk_widget_activate_action (GTK_WIDGET (window), "win.paint", NULL) || !painting (window));

  CHECK (tinta_window_open_path (window, clip, &error));
  g_clear_error (&error);
  tinta_timeline_set_position (timeline, PAINT_FRAME);
  UITEST_WAIT_UNTIL (ok, tinta_window_get_shown_frame (window) == PAINT_FRAME && presented > 0, DRAW_TIMEOUT_MS);
  CHECK_MSG (ok, "frame %d was never shown", PAINT_FRAME);

  /* Paint mode: the bar, the tools, the size keys. */
  CHECK (uitest_activate (window, "win.paint", NULL));

  CHECK (painting (window));
  CHECK_INT (paint_tool (window), TINTA_PAINT_TOOL_BRUSH);
  CHECK (uitest_activate (window, "win.paint-tool", g_variant_new_string ("eraser")));
  CHECK_INT (paint_tool (window), TINTA_PAINT_TOOL_ERASER);
  CHECK (uitest_activate (window, "win.paint-tool", g_variant_new_string ("brush")));
  tinta_paint_bar_set_size (bar, 20);
  CHECK (uitest_activate (window, "win.brush-size", g_variant_new_int32 (1)));
  CHECK_MSG (tinta_paint_bar_get_size (bar) > 20, "] did not grow the brush: %.0f", tinta_paint_bar_get_size (bar));
  CHECK (uitest_activate (window, "win.brush-size", g_variant_new_int32 (-1)));
  CHECK (uitest_activate (window, "win.brush-size", g_variant_new_int32 (-1)));
  CHECK_MSG (tinta_paint_bar_get_size (bar) < 20, "[ did not shrink the brush: %.0f", tinta_paint_bar_get_size (bar));
  tinta_paint_bar_set_size (bar, BRUSH_SIZE);
  tinta_paint_bar_set_hardness (bar, 0.8);
  tinta_paint_bar_set_lab (bar, brush);
  tinta_paint_bar_get_lab (bar, brush);     /* as the bar rounds it */

  /* One stroke inside the box. */
  paint_stroke (window, 180, 240, 380, 240, 20);
  CHECK_INT (uitest_n_keyframes (window), 1);
  CHECK_MSG (is_partial_key (window, PAINT_FRAME), "the stroke did not make a partial keyframe");
  CHECK_INT (tinta_keyframe_panel_get_n_keyframes (tinta_window_get_keyframe_panel (window)), 1);
  CHECK_INT (tinta_keyframe_panel_get_selected (tinta_window_get_keyframe_panel (window)), PAINT_FRAME);
  CHECK (tinta_viewer_has_result (viewer, TINTA_VIEW_FUSED));
  rerender_and_snapshot (window, "paint-stroke.png", &pixels);
  if (pixels.data != NULL)
    {
      check_colored_as (window, &pixels, 280, 240, brush, "on the stroke");
      check_colored_as (window, &pixels, 280, 300, brush, "in the box, 60 px from it");
      check_colored_as (window, &pixels, 150, 200, brush, "in the box, 50 px off the stroke's end");
      check_gray (window, &pixels, 520, 240, "across the box's edge");
      check_gray (window, &pixels, 280, 60, "above the box");
    }

  /* The eyedropper: the stroke's color from the fused view, gray from the
   * gray view of a side-by-side layout; then back to the brush. */
  {
    GtkEventController *gesture = stroke_gesture (window);
    const GdkRGBA white = { 1, 1, 1, 1 };
    Point p = clip_to_viewer (window, 280, 240);

    tinta_paint_bar_set_color (bar, &white);
    CHECK (uitest_activate (window, "win.paint-tool", g_variant_new_string ("eyedropper")));
    g_signal_emit_by_name (gesture, "drag-begin", p.x, p.y);
    g_signal_emit_by_name (gesture, "drag-end", 0.0, 0.0);
    tinta_paint_bar_get_lab (bar, picked);
    printf ("  eyedropper on the stroke:          L %5.1f a %6.1f b %6.1f\n", picked[0], picked[1], picked[2]);
    CHECK_MSG (hypot (picked[1], picked[2]) >= COLORED_MIN &&
               uitest_hue_difference (picked[1], picked[2], brush[1], brush[2]) <= HUE_TOLERANCE,
               "the eyedropper did not pick the stroke's color");
    CHECK_INT (paint_tool (window), TINTA_PAINT_TOOL_BRUSH);

    CHECK (uitest_activate (window, "win.layout", g_variant_new_string ("side-by-side")));
    uitest_settle ();
    {
      graphene_rect_t left;

      CHECK (uitest_activate (window, "win.paint-tool", g_variant_new_string ("eyedropper")));
      CHECK (tinta_viewer_get_pane_bounds (viewer, 0, &left));
      CHECK_INT (tinta_viewer_get_mode_at (viewer, left.origin.x + left.size.width * 0.33,
                                           left.origin.y + left.size.height / 2), TINTA_VIEW_GRAY);
      g_signal_emit_by_name (gesture, "drag-begin", left.origin.x + left.size.width * 0.33,
                             left.origin.y + left.size.height / 2);
      g_signal_emit_by_name (gesture, "drag-end", 0.0, 0.0);
      tinta_paint_bar_get_lab (bar, picked);
      printf ("  eyedropper on the gray view:       L %5.1f a %6.1f b %6.1f\n", picked[0], picked[1], picked[2]);
      CHECK_MSG (hypot (picked[1], picked[2]) <= NEUTRAL_MAX, "the gray view gave a colored pick");
    }
    CHECK (uitest_activate (window, "win.layout", g_variant_new_string ("single")));
    tinta_paint_bar_set_lab (bar, brush);
  }

  /* Undo takes the stroke's keyframe away, redo brings it back at once. */
  since = presented;
  CHECK (uitest_activate (window, "win.undo", NULL));
  CHECK_INT (uitest_n_keyframes (window), 0);
  CHECK_INT (tinta_keyframe_panel_get_n_keyframes (tinta_window_get_keyframe_panel (window)), 0);
  redraw_and_snapshot (window, since, "paint-undone.png", &pixels);
  if (pixels.data != NULL)
    check_gray (window, &pixels, 280, 240, "the stroke after undo");

  since = presented;
  CHECK (uitest_activate (window, "win.redo", NULL));
  CHECK_INT (uitest_n_keyframes (window), 1);
  CHECK (is_partial_key (window, PAINT_FRAME));
  redraw_and_snapshot (window, since, "paint-redone.png", &pixels);
  if (pixels.data != NULL)
    check_colored_as (window, &pixels, 280, 240, brush, "the stroke after redo");

  /* The eraser over the whole stroke takes its color, undo restores it. */
  since = presented;
  CHECK (uitest_activate (window, "win.paint-tool", g_variant_new_string ("eraser")));
  tinta_paint_bar_set_size (bar, 70);
  paint_stroke (window, 160, 240, 400, 240, 12);
  redraw_and_snapshot (window, since, "paint-erased.png", &pixels);
  if (pixels.data != NULL)
    check_gray (window, &pixels, 280, 240, "the stroke erased");
  since = presented;
  CHECK (uitest_activate (window, "win.undo", NULL));
  CHECK_INT (uitest_n_keyframes (window), 1);
  redraw_and_snapshot (window, since, "paint-unerased.png", &pixels);
  if (pixels.data != NULL)
    check_colored_as (window, &pixels, 280, 240, brush, "the stroke after undoing the eraser");
  CHECK (uitest_activate (window, "win.paint-tool", g_variant_new_string ("brush")));
  tinta_paint_bar_set_size (bar, BRUSH_SIZE);

  /* Painting over an imported full keyframe keeps it full, its colors
   * replaced where painted. */
  tinta_timeline_set_position (timeline, FULL_FRAME);
  UITEST_WAIT_UNTIL (ok, tinta_window_get_shown_frame (window) == FULL_FRAME, DRAW_TIMEOUT_MS);
  CHECK (uitest_activate (window, "win.import-keyframe-file", g_variant_new_string (blue_png)));
  CHECK_INT (uitest_n_keyframes (window), 2);
  since = presented;
  paint_stroke (window, 180, 240, 380, 240, 10);
  CHECK_INT (uitest_n_keyframes (window), 2);
  CHECK_MSG (!is_partial_key (window, FULL_FRAME), "painting made the full keyframe partial");
  gtk_gl_area_queue_render (GTK_GL_AREA (viewer));
  redraw_and_snapshot (window, since, "paint-over-full.png", &pixels);
  if (pixels.data != NULL)
    {
      const float blue[3] = { 42.0f, 17.0f, -62.0f };

      check_colored_as (window, &pixels, 280, 240, brush, "full keyframe, on the stroke");
      check_colored_as (window, &pixels, 620, 240, blue, "full keyframe, away from it");
    }
  CHECK (uitest_activate (window, "win.undo", NULL));
  CHECK (!is_partial_key (window, FULL_FRAME));
  CHECK (uitest_activate (window, "win.undo", NULL));
  CHECK_INT (uitest_n_keyframes (window), 1);

  /* The timeline marks the keyframe. */
  tinta_timeline_set_position (timeline, 0);
  CHECK (tinta_timeline_next_keyframe (timeline, 1, &marker));
  CHECK_INT (marker, PAINT_FRAME);
  tinta_timeline_set_position (timeline, PAINT_FRAME);
  UITEST_WAIT_UNTIL (ok, tinta_window_get_shown_frame (window) == PAINT_FRAME, DRAW_TIMEOUT_MS);

  /* Saved and opened again: the strokes stay with the keyframe. */
  CHECK (tinta_window_save_project_to (window, project_path, &error));
  g_clear_error (&error);
  CHECK_INT (project_strokes (project_path, PAINT_FRAME, &first), 1);
  CHECK_INT (first.size, BRUSH_SIZE);
  CHECK_NEAR (first.hardness, 0.8, 1e-6);
  CHECK_INT (first.eraser, 0);
  CHECK_NEAR (first.color[1], brush[1], 1e-4);
  CHECK_MSG (first.n_points >= 10, "the stroke has %zu points", first.n_points);

  CHECK (tinta_window_open_path (window, project_path, &error));
  g_clear_error (&error);
  CHECK_INT (uitest_n_keyframes (window), 1);
  CHECK (is_partial_key (window, PAINT_FRAME));
  UITEST_WAIT_UNTIL (ok, tinta_window_get_shown_frame (window) == PAINT_FRAME, DRAW_TIMEOUT_MS);
  CHECK_MSG (ok, "the project did not come back at frame %d", PAINT_FRAME);
  CHECK (!painting (window));

  /* Painting goes on from the saved strokes: a second one, on the light
   * ground, in another color. */
  CHECK (uitest_activate (window, "win.paint", NULL));
  {
    float blue[3] = { 60.0f, -5.0f, -45.0f };

    tinta_paint_bar_set_lab (bar, blue);
    tinta_paint_bar_get_lab (bar, blue);
    paint_stroke (window, 560, 160, 760, 330, 16);
    CHECK (tinta_window_save_project_to (window, project_again, &error));
    g_clear_error (&error);
    CHECK_INT (project_strokes (project_again, PAINT_FRAME, NULL), 2);

    measure_latency (window);
    CHECK (uitest_activate (window, "win.undo", NULL));     /* the latency stroke */

    /* The window in paint mode, with the brush outline on the ground. */
    tinta_paint_bar_set_lab (bar, brush);
    {
      GtkEventController *motion = uitest_find_controller (GTK_WIDGET (viewer), GTK_TYPE_EVENT_CONTROLLER, "tinta-paint-pointer");
      Point p = clip_to_viewer (window, 640, 400);

      CHECK (motion != NULL);
      if (motion != NULL)
        g_signal_emit_by_name (motion, "motion", p.x, p.y);
    }
    uitest_spin_for (400);   /* the bar slides in */
    rerender_and_snapshot (window, "window-paint.png", &pixels);
    if (pixels.data != NULL)
      {
        check_colored_as (window, &pixels, 280, 240, brush, "the first stroke, reopened");
        check_colored_as (window, &pixels, 660, 245, blue, "the second stroke");
        check_gray (window, &pixels, 280, 440, "below the box, far from both");
      }
    if (!uitest_update_screenshot ("window-paint.png", "editor-paint.png"))
      CHECK_MSG (FALSE, "could not update editor-paint.png");
  }

  CHECK (uitest_activate (window, "win.paint", NULL));
  CHECK (!painting (window));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.paint-tool", "s", "eraser");
  CHECK_INT (paint_tool (window), TINTA_PAINT_TOOL_BRUSH);

  /* Unsaved strokes would ask on close; this test does not answer. */
  tinta_window_save_project_to (window, project_path, NULL);
  uitest_editor_clear (&editor);
  return tinta_test_end ("paint");
}
