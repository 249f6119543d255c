/* bench-scrub.c: tinta-bench-scrub, how fast scrubbing is in the editor over
 * computed and over uncomputed frames (tools/bench-scrub.sh runs it under
 * Xvfb; it is not a test: it asserts nothing about speed).
 *
 *   tinta-bench-scrub [--steps N] [--computed K] [--key IMAGE] [CLIP]
 *
 * The real TintaApplication and TintaWindow open CLIP (default: the DAVIS
 * sequence ../shared/data/eval/blackswan) and import its own frame 0 as
 * the keyframe, through win.import-keyframe-file as a drop does.  A scrub
 * step moves the playhead the way a drag on the timeline does
 * (tinta_timeline_set_position, then ::scrub) and is timed until the
 * viewer has shown that frame as the user must see it:
 *
 *   uncomputed  frames near the clip's end, measured first, right after the
 *               import, while the worker cannot have reached them: shown =
 *               the frame drawn gray, never with colors the clip has no
 *               result for (that would be stale colors: the run fails);
 *   computed    frames 1..K once 0..K have fused results: shown = the
 *               frame drawn with its colors;
 *   baseline    a bare gtk_gl_area_queue_render() on an unchanged frame,
 *               interleaved with the steps so it runs under the same load:
 *               what any redraw costs, frame clock included.
 *
 * "Drawn" is read in the GtkGLArea's ::render (connected before the
 * viewer's own handler, so it sees the state that handler draws: the
 * window's shown frame, and whether the viewer has a FUSED result); the
 * frame counts as shown at the end of that frame-clock cycle (its
 * ::after-paint: the window's frame has been drawn and swapped), not at the
 * viewer's ::presented, an idle that a busy frame clock can hold back
 * (reported separately).  After each step, outside the timing, the
 * viewer is rendered to pixels and checked: colors on computed frames,
 * neutral gray on uncomputed ones.  Prints a Markdown table of medians and
 * 90th percentiles.  Exit status 0, 1 on failure (one line on stderr saying
 * why), 2 on a usage error. */

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <epoxy/gl.h>
#include <glib/gstdio.h>
#include <gtk/gtk.h>

#include "tinta-application.h"
#include "tinta-window.h"

#define DEFAULT_CLIP "/work/shared/data/eval/blackswan"
#define FIRST_DRAW_TIMEOUT_MS 60000
#define COMPUTE_TIMEOUT_MS 600000
#define STEP_TIMEOUT_MS 20000
#define SETTLE_MS 50
/* Mean max(R,G,B) - min(R,G,B) over the image, 0..255: a colorized DAVIS
 * frame is far above it, Lab with a = b = 0 is exactly 0. */
#define MIN_COLOR_SATURATION 6.0
#define MAX_GRAY_SATURATION 1.0

typedef struct {
  TintaWindow   *window;
  TintaViewer   *viewer;
  TintaTimeline *timeline;
  TintaClip     *clip;
  char          *gl_renderer;

  /* What the viewer drew last. */
  guint          renders;
  guint          presents;
  guint          paints;         /* frame clock cycles */
  gint64         drawn_frame;
  gboolean       drawn_color;
  /* How long ::presented (an idle) comes after the render it reports. */
  gint64         unpresented_since;
  GArray        *presented_delays;

  /* The step being timed; target -1: any redraw (the baseline). */
  gboolean       timing;
  gint64         target;
  gboolean       want_color;
  gint64         t_start;
  gint64         t_decoded;
  gint64         t_drawn;
  gint64         t_shown;
  gboolean       gray_first;     /* a computed frame drawn gray before its colors */
  gboolean       computed_meanwhile;
  gboolean       stale;          /* drawn in colors the clip has no result for */
  gboolean       timed_out;
} Bench;

typedef struct {
  GArray *shown;                 /* double ms, start to the frame's after-paint */
  GArray *drawn;                 /* start to ::render */
  GArray *decoded;               /* start to the window's ::frame-decoded handler done */
  double  min_saturation;
  double  max_saturation;
} Series;

static gboolean verbose;

static G_GNUC_PRINTF (1, 2) G_GNUC_NORETURN void
fail (const char *format,
      ...)
{
  va_list args;

  fputs ("bench-scrub: ", stderr);
  va_start (args, format);
  vfprintf (stderr, format, args);
  va_end (args);
  fputc ('\n', stderr);
  exit (1);
}

/* ---- the main loop -------------------------------------------------------- */

static gboolean
set_flag_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
spin_ms (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, set_flag_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static gboolean
keep_polling_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

typedef gboolean (*Condition) (Bench *bench);

/* Spins the main loop until @condition holds; FALSE after @timeout_ms.
 * Polls every 20 ms too, for conditions no event announces. */
static gboolean
spin_until (Bench     *bench,
            Condition  condition,
            guint      timeout_ms)
{
  gboolean expired = FALSE;
  guint timeout = g_timeout_add (timeout_ms, set_flag_cb, &expired);
  guint tick = g_timeout_add (20, keep_polling_cb, NULL);
  gboolean ok;

  while (!(ok = condition (bench)) && !expired)
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (tick);
  if (!expired)
    g_source_remove (timeout);
  return ok;
}

/* ---- what the viewer draws -------------------------------------------------- */

static gboolean
render_cb (GtkGLArea    *area,
           GdkGLContext *context,
           Bench        *bench)
{
  gint64 now = g_get_monotonic_time ();

  if (bench->gl_renderer == NULL)
    bench->gl_renderer = g_strdup ((const char *) glGetString (GL_RENDERER));

  bench->renders++;
  if (bench->unpresented_since == 0)
    bench->unpresented_since = now;
  bench->drawn_frame = tinta_window_get_shown_frame (bench->window);
  bench->drawn_color = tinta_viewer_has_result (bench->viewer, TINTA_VIEW_FUSED);

  if (!bench->timing || bench->t_drawn != 0)
    return FALSE;

  if (bench->target < 0)
    bench->t_drawn = now;
  else if (bench->drawn_frame == bench->target)
    {
      if (bench->drawn_color == bench->want_color)
        bench->t_drawn = now;
      else if (bench->want_color)
        bench->gray_first = TRUE;
      else if (tinta_clip_has_result (bench->clip, bench->target, TINTA_RESULT_FUSED))
        bench->computed_meanwhile = TRUE;
      else
        bench->stale = TRUE;
    }

  return FALSE;    /* the viewer's own handler draws */
}

/* The end of the frame clock cycle whose paint rendered the GLArea: the
 * window's frame has been drawn and handed to the X server. */
static void
after_paint_cb (GdkFrameClock *clock,
                Bench         *bench)
{
  bench->paints++;
  if (bench->timing && bench->t_drawn != 0 && bench->t_shown == 0)
    bench->t_shown = g_get_monotonic_time ();
}

static void
presented_cb (TintaViewer *viewer,
              Bench       *bench)
{
  double ms = (g_get_monotonic_time () - bench->unpresented_since) / 1000.0;

  bench->presents++;
  if (bench->unpresented_since != 0 && bench->presented_delays != NULL)
    g_array_append_val (bench->presented_delays, ms);
  bench->unpresented_since = 0;
}

static void
frame_decoded_cb (TintaClip *clip,
                  gint64     frame,
                  Bench     *bench)
{
  if (bench->timing && frame == bench->target && bench->t_decoded == 0)
    bench->t_decoded = g_get_monotonic_time ();
}

/* The mean saturation of the viewer's image as rendered now (widget
 * pixels, away from the labels at the top); -1 if it cannot be rendered. */
static double
image_saturation (Bench *bench)
{
  GtkWidget *widget = GTK_WIDGET (bench->viewer);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree guchar *data = NULL;
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  graphene_rect_t image;
  double sum = 0;
  int n = 0;
  GtkSnapshot *snapshot;

  if (renderer == NULL || width <= 0 || height <= 0 ||
      !tinta_viewer_get_image_bounds (bench->viewer, &image))
    return -1;

  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  if ((node = gtk_snapshot_free_to_node (snapshot)) == NULL)
    return -1;
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  width = gdk_texture_get_width (texture);
  height = gdk_texture_get_height (texture);
  data = g_malloc ((gsize) width * height * 4);
  gdk_texture_download (texture, data, (gsize) width * 4);

  for (int j = 0; j < 16; j++)
    for (int i = 0; i < 16; i++)
      {
        int x = (int) (image.origin.x + image.size.width * (0.05 + 0.9 * i / 15.0));
        int y = (int) (image.origin.y + image.size.height * (0.3 + 0.65 * j / 15.0));
        const guchar *p;
        int lo, hi;

        if (x < 0 || y < 0 || x >= width || y >= height)
          continue;
        p = data + ((gsize) y * width + x) * 4;
        lo = MIN (p[0], MIN (p[1], p[2]));
        hi = MAX (p[0], MAX (p[1], p[2]));
        sum += hi - lo;
        n++;
      }

  return n > 0 ? sum / n : -1;
}

/* ---- steps ------------------------------------------------------------------- */

static gboolean
step_over (Bench *bench)
{
  return bench->t_shown != 0 || bench->stale || bench->computed_meanwhile;
}

static void
step_begin (Bench   *bench,
            gint64   target,
            gboolean want_color)
{
  bench->target = target;
  bench->want_color = want_color;
  bench->t_decoded = bench->t_drawn = bench->t_shown = 0;
  bench->gray_first = bench->computed_meanwhile = bench->stale = bench->timed_out = FALSE;
  bench->timing = TRUE;
  bench->t_start = g_get_monotonic_time ();
}

static void
step_end (Bench *bench)
{
  bench->timed_out = !spin_until (bench, step_over, STEP_TIMEOUT_MS);
  bench->timing = FALSE;
}

static double
ms_since_start (Bench  *bench,
                gint64  t)
{
  return t != 0 ? (t - bench->t_start) / 1000.0 : NAN;
}

/* A scrub to @frame as a drag on the timeline makes it. */
static void
scrub_step (Bench    *bench,
            gint64    frame,
            gboolean  want_color)
{
  step_begin (bench, frame, want_color);
  tinta_timeline_set_position (bench->timeline, frame);
  g_signal_emit_by_name (bench->timeline, "scrub", frame);
  step_end (bench);
}

/* One redraw of what is shown, nothing changed. */
static void
baseline_step (Bench  *bench,
               Series *baseline)
{
  double ms;

  step_begin (bench, -1, FALSE);
  gtk_gl_area_queue_render (GTK_GL_AREA (bench->viewer));
  step_end (bench);
  if (bench->timed_out)
    fail ("the viewer never redrew after gtk_gl_area_queue_render() (%d s)", STEP_TIMEOUT_MS / 1000);
  ms = ms_since_start (bench, bench->t_shown);
  g_array_append_val (baseline->shown, ms);
  ms = ms_since_start (bench, bench->t_drawn);
  g_array_append_val (baseline->drawn, ms);
}

static void
series_init (Series *series)
{
  series->shown = g_array_new (FALSE, FALSE, sizeof (double));
  series->drawn = g_array_new (FALSE, FALSE, sizeof (double));
  series->decoded = g_array_new (FALSE, FALSE, sizeof (double));
  series->min_saturation = INFINITY;
  series->max_saturation = -INFINITY;
}

static void
series_clear (Series *series)
{
  g_array_unref (series->shown);
  g_array_unref (series->drawn);
  g_array_unref (series->decoded);
}

/* Scrubs back and forth over [first, last], starting at @start, until
 * @steps steps are measured; a baseline redraw after each.  Uncomputed
 * frames the worker finishes before they are drawn are not counted (the
 * worker chases the playhead): after 3 * steps tries the run fails. */
static void
measure_series (Bench      *bench,
                const char *name,
                gint64      first,
                gint64      last,
                gint64      start,
                int         direction,
                gboolean    computed,
                guint       steps,
                Series     *series,
                Series     *baseline,
                guint      *skipped,
                guint      *gray_first)
{
  gint64 frame = start;

  for (guint tries = 0; series->shown->len < steps; tries++)
    {
      double ms, saturation;

      if (tries >= 3 * steps)
        fail ("%s frames: only %u of %u steps could be measured (%u were computed before they were drawn)",
              name, series->shown->len, steps, *skipped);

      if (!computed && tinta_clip_has_result (bench->clip, frame, TINTA_RESULT_FUSED))
        {
          (*skipped)++;
          if (verbose)
            printf ("  %s %" G_GINT64_FORMAT ": computed already, not counted\n", name, frame);
        }
      else
        {
          scrub_step (bench, frame, computed);
          if (bench->stale)
            fail ("uncomputed frame %" G_GINT64_FORMAT " was drawn in colors the clip has no result for",
                  frame);
          if (bench->timed_out)
            fail ("%s frame %" G_GINT64_FORMAT " was not shown %s within %d s (shown: frame %" G_GINT64_FORMAT ", %s)",
                  name, frame, computed ? "in color" : "gray", STEP_TIMEOUT_MS / 1000,
                  bench->drawn_frame, bench->drawn_color ? "color" : "gray");
          if (verbose)
            printf ("  %s %" G_GINT64_FORMAT ": decoded %.1f, rendered %.1f, shown %.1f ms%s%s\n",
                    name, frame, ms_since_start (bench, bench->t_decoded),
                    ms_since_start (bench, bench->t_drawn), ms_since_start (bench, bench->t_shown),
                    bench->computed_meanwhile ? ", computed before drawn (not counted)" : "",
                    bench->gray_first ? ", drawn gray first" : "");
          if (bench->computed_meanwhile)
            (*skipped)++;
          else
            {
              if (bench->gray_first)
                (*gray_first)++;
              ms = ms_since_start (bench, bench->t_shown);
              g_array_append_val (series->shown, ms);
              ms = ms_since_start (bench, bench->t_drawn);
              g_array_append_val (series->drawn, ms);
              ms = ms_since_start (bench, bench->t_decoded);
              g_array_append_val (series->decoded, ms);

              /* What the pixels say, unless colors arrived since. */
              saturation = image_saturation (bench);
              if (saturation < 0)
                fail ("could not render the viewer to pixels");
              if (computed && saturation < MIN_COLOR_SATURATION)
                fail ("computed frame %" G_GINT64_FORMAT " looks gray on screen (mean saturation %.1f)",
                      frame, saturation);
              if (!computed && !tinta_viewer_has_result (bench->viewer, TINTA_VIEW_FUSED))
                {
                  if (saturation > MAX_GRAY_SATURATION)
                    fail ("uncomputed frame %" G_GINT64_FORMAT " is not gray on screen (mean saturation %.1f)",
                          frame, saturation);
                }
              series->min_saturation = MIN (series->min_saturation, saturation);
              series->max_saturation = MAX (series->max_saturation, saturation);
            }
          spin_ms (SETTLE_MS);
          baseline_step (bench, baseline);
          spin_ms (SETTLE_MS);
        }

      if ((direction > 0 && frame >= last) || (direction < 0 && frame <= first))
        direction = -direction;
      frame += direction;
    }
}

/* ---- statistics ------------------------------------------------------------------ */

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* Median and nearest-rank 90th percentile, ignoring NaN. */
static void
summarize (GArray *values,
           double *median,
           double *p90)
{
  g_autoptr(GArray) sorted = g_array_new (FALSE, FALSE, sizeof (double));
  guint n;

  for (guint i = 0; i < values->len; i++)
    if (!isnan (g_array_index (values, double, i)))
      g_array_append_val (sorted, g_array_index (values, double, i));
  n = sorted->len;
  if (n == 0)
    {
      *median = *p90 = NAN;
      return;
    }
  g_array_sort (sorted, compare_doubles);
  *median = n % 2 ? g_array_index (sorted, double, n / 2)
                  : (g_array_index (sorted, double, n / 2 - 1) + g_array_index (sorted, double, n / 2)) / 2;
  *p90 = g_array_index (sorted, double, (guint) ceil (0.9 * n) - 1);
}

static double
max_value (GArray *values)
{
  double max = NAN;

  for (guint i = 0; i < values->len; i++)
    if (isnan (max) || g_array_index (values, double, i) > max)
      max = g_array_index (values, double, i);
  return max;
}

static void
print_row (const char *name,
           Series     *series,
           double      baseline_median,
           double      baseline_p90)
{
  double median, p90, drawn, drawn_p90, decoded, decoded_p90;

  summarize (series->shown, &median, &p90);
  summarize (series->drawn, &drawn, &drawn_p90);
  summarize (series->decoded, &decoded, &decoded_p90);
  if (isnan (decoded))
    printf ("| %s | %u | – | %.1f | **%.1f** | %.1f | %.2f | %.2f |\n",
            name, series->shown->len, drawn, median, p90,
            median / baseline_median, p90 / baseline_p90);
  else
    printf ("| %s | %u | %.1f | %.1f | **%.1f** | %.1f | %.2f | %.2f |\n",
            name, series->shown->len, decoded, drawn, median, p90,
            median / baseline_median, p90 / baseline_p90);
}

/* ---- the clip and its keyframe ------------------------------------------------- */

/* Frame 0's own colors: the folder's first image, or frame 0 of a video
 * extracted by ffmpeg into @scratch. */
static char *
find_keyframe_image (const char *clip_path,
                     const char *scratch)
{
  g_autoptr(GError) error = NULL;

  if (g_file_test (clip_path, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GDir) dir = g_dir_open (clip_path, 0, &error);
      g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      const char *name;

      if (dir == NULL)
        fail ("cannot read the clip folder: %s", error->message);
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *lower = g_ascii_strdown (name, -1);

          if (g_str_has_suffix (lower, ".jpg") || g_str_has_suffix (lower, ".jpeg") ||
              g_str_has_suffix (lower, ".png"))
            g_ptr_array_add (names, g_strdup (name));
        }
      if (names->len == 0)
        fail ("no images in %s", clip_path);
      {
        /* Numbered frames: the smallest name is frame 0. */
        const char *first = g_ptr_array_index (names, 0);

        for (guint i = 1; i < names->len; i++)
          if (strcmp (g_ptr_array_index (names, i), first) < 0)
            first = g_ptr_array_index (names, i);
        return g_build_filename (clip_path, first, NULL);
      }
    }
  else
    {
      const char *ffmpeg = g_getenv ("FFMPEG") != NULL ? g_getenv ("FFMPEG") : "ffmpeg";
      g_autofree char *png = g_build_filename (scratch, "key0.png", NULL);
      const char *argv[] = { ffmpeg, "-hide_banner", "-loglevel", "error", "-y", "-i", clip_path,
                             "-frames:v", "1", png, NULL };
      g_autofree char *err = NULL;
      int status = 0;

      if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, &err,
                         &status, &error) ||
          !g_spawn_check_wait_status (status, NULL))
        fail ("could not extract frame 0 of %s with %s (pass --key IMAGE): %s", clip_path, ffmpeg,
              error != NULL ? error->message : err);
      return g_steal_pointer (&png);
    }
}

static gboolean
first_frame_drawn (Bench *bench)
{
  return bench->renders > 0 && bench->drawn_frame == 0;
}

static gint64 wait_computed_last;

static gboolean
computed_up_to (Bench *bench)
{
  for (gint64 f = 0; f <= wait_computed_last; f++)
    if (!tinta_clip_has_result (bench->clip, f, TINTA_RESULT_FUSED))
      return FALSE;
  return TRUE;
}

static gboolean
frame0_in_color (Bench *bench)
{
  return bench->drawn_frame == 0 && bench->drawn_color;
}

/* ---- main ------------------------------------------------------------------------- */

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TintaApplication) app = NULL;
  g_autofree char *clip_path = NULL;
  g_autofree char *key_path = NULL;
  g_autofree char *scratch = NULL;
  Series computed, uncomputed, baseline;
  Bench bench = { .drawn_frame = -1, .target = -1 };
  int steps = 20, computed_last = 20;
  guint skipped = 0, gray_first = 0, dummy = 0;
  gint64 n_frames, uncomputed_first;
  double base_median, base_p90, base_drawn, base_drawn_p90, presented_median, presented_p90;
  int viewer_width, viewer_height;
  const tinta_media_info *info;
  gint64 t_start, t_measure;
  guint renders_before;
  double wait_s;
  GOptionEntry entries[] = {
    { "steps", 'n', 0, G_OPTION_ARG_INT, &steps, "Scrub steps per series (at least 20; default 20)", "N" },
    { "computed", 'k', 0, G_OPTION_ARG_INT, &computed_last,
      "Scrub over computed frames 1..K once 0..K are colorized (default 20)", "K" },
    { "key", 0, 0, G_OPTION_ARG_FILENAME, &key_path,
      "Frame 0 in color (default: the folder's first image, or frame 0 by ffmpeg)", "IMAGE" },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "Print every step", NULL },
    { NULL }
  };

  context = g_option_context_new ("[CLIP] — time scrub steps in the editor window");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (context,
    "CLIP: a video or a folder of numbered images (default " DEFAULT_CLIP ").\n"
    "Run under an X server: tools/bench-scrub.sh does it with xvfb-run.");
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc > 2 ||
      steps < 20 || computed_last < 2)
    {
      fprintf (stderr, "bench-scrub: %s\n",
               error != NULL ? error->message
                             : argc > 2 ? "one clip at most"
                                        : "--steps must be at least 20 and --computed at least 2");
      return 2;
    }
  clip_path = g_strdup (argc == 2 ? argv[1] : DEFAULT_CLIP);
  if (!g_file_test (clip_path, G_FILE_TEST_EXISTS))
    fail ("no clip at %s (give a video or a folder of numbered images)", clip_path);
  if (key_path != NULL && !g_file_test (key_path, G_FILE_TEST_IS_REGULAR))
    fail ("no keyframe image at %s", key_path);

  if (!gtk_init_check ())
    fail ("cannot open a display; run tools/bench-scrub.sh (xvfb-run)");

  if ((scratch = g_dir_make_tmp ("tinta-bench-scrub-XXXXXX", &error)) == NULL)
    fail ("no scratch folder: %s", error->message);
  if (key_path == NULL)
    key_path = find_keyframe_image (clip_path, scratch);

  app = tinta_application_new ();
  g_application_set_flags (G_APPLICATION (app),
                           g_application_get_flags (G_APPLICATION (app)) | G_APPLICATION_NON_UNIQUE);
  if (!g_application_register (G_APPLICATION (app), NULL, &error))
    fail ("cannot register the application: %s", error->message);

  bench.window = tinta_window_new (GTK_APPLICATION (app));
  bench.viewer = tinta_window_get_viewer (bench.window);
  bench.timeline = tinta_window_get_timeline (bench.window);
  g_signal_connect (bench.viewer, "render", G_CALLBACK (render_cb), &bench);
  g_signal_connect (bench.viewer, "presented", G_CALLBACK (presented_cb), &bench);
  gtk_window_present (GTK_WINDOW (bench.window));

  if (!tinta_window_open_path (bench.window, clip_path, &error))
    fail ("cannot open %s: %s", clip_path, error->message);
  bench.clip = tinta_window_get_clip (bench.window);
  g_signal_connect (bench.clip, "frame-decoded", G_CALLBACK (frame_decoded_cb), &bench);
  info = tinta_clip_get_info (bench.clip);
  n_frames = info->frame_count;
  /* The uncomputed series goes back and forth over the last 20 frames;
   * the computed one must end well before them. */
  uncomputed_first = n_frames - 20;
  if (computed_last + 5 > uncomputed_first)
    fail ("%s has %" G_GINT64_FORMAT " frames; needs at least K + 25 = %d (K = --computed)",
          clip_path, n_frames, computed_last + 25);

  /* The single fused view, as the editor opens. */
  gtk_widget_activate_action (GTK_WIDGET (bench.window), "win.view-mode", "s", "fused");
  gtk_widget_activate_action (GTK_WIDGET (bench.window), "win.layout", "s", "single");
  gtk_widget_activate_action (GTK_WIDGET (bench.window), "win.zoom", "d", 0.0);

  if (!spin_until (&bench, first_frame_drawn, FIRST_DRAW_TIMEOUT_MS))
    fail ("the viewer never drew frame 0 of %s%s%s", clip_path,
          tinta_window_get_message (bench.window) != NULL ? ": " : "",
          tinta_window_get_message (bench.window) != NULL ? tinta_window_get_message (bench.window) : "");

  /* The keyframe as a drop or the chooser sets it. */
  gtk_widget_activate_action (GTK_WIDGET (bench.window), "win.import-keyframe-file", "s", key_path);
  if (tinta_window_get_message (bench.window) != NULL)
    fail ("could not import %s as frame 0's keyframe: %s", key_path, tinta_window_get_message (bench.window));
  if (!spin_until (&bench, frame0_in_color, COMPUTE_TIMEOUT_MS))
    fail ("frame 0 was never shown in color after importing its keyframe");
  g_signal_connect (gtk_widget_get_frame_clock (GTK_WIDGET (bench.viewer)), "after-paint",
                    G_CALLBACK (after_paint_cb), &bench);
  bench.presented_delays = g_array_new (FALSE, FALSE, sizeof (double));

  viewer_width = gtk_widget_get_width (GTK_WIDGET (bench.viewer));
  viewer_height = gtk_widget_get_height (GTK_WIDGET (bench.viewer));

  series_init (&computed);
  series_init (&uncomputed);
  series_init (&baseline);
  t_measure = g_get_monotonic_time ();
  bench.paints = 0;
  renders_before = bench.renders;

  /* (2) first: right after the import the worker is busy near frame 0,
   * so the clip's last frames have nothing yet. */
  measure_series (&bench, "uncomputed", uncomputed_first, n_frames - 1, n_frames - 1, -1, FALSE,
                  (guint) steps, &uncomputed, &baseline, &skipped, &dummy);

  /* (1) back at the start, once 0..K are colorized. */
  tinta_timeline_set_position (bench.timeline, 0);
  g_signal_emit_by_name (bench.timeline, "scrub", (gint64) 0);
  wait_computed_last = computed_last;
  t_start = g_get_monotonic_time ();
  if (!spin_until (&bench, computed_up_to, COMPUTE_TIMEOUT_MS))
    fail ("frames 0..%d were not all colorized within %d s (status: %s)", computed_last,
          COMPUTE_TIMEOUT_MS / 1000, tinta_window_get_status (bench.window));
  wait_s = (g_get_monotonic_time () - t_start) / 1e6;
  spin_ms (SETTLE_MS);
  measure_series (&bench, "computed", 1, computed_last, 1, 1, TRUE,
                  (guint) steps, &computed, &baseline, &dummy, &gray_first);

  summarize (baseline.shown, &base_median, &base_p90);
  summarize (baseline.drawn, &base_drawn, &base_drawn_p90);

  printf ("\nScrubbing in the editor window: %s, %dx%d, %" G_GINT64_FORMAT " frames; viewer %dx%d, "
          "GL %s\n", clip_path, info->width, info->height, n_frames, viewer_width, viewer_height,
          bench.gl_renderer != NULL ? bench.gl_renderer : "?");
  printf ("Step = playhead moved as a timeline drag does; shown = end of the frame-clock cycle "
          "(after-paint) in which the GLArea rendered that frame (computed: in color; uncomputed: "
          "gray). Times in ms from the step.\n\n");
  /* "in viewer": the window has handled ::frame-decoded (luminance and
   * any results set on the viewer). */
  printf ("| step | n | in viewer | rendered | **shown (median)** | shown p90 | × baseline (median) | × baseline (p90) |\n");
  printf ("|---|---|---|---|---|---|---|---|\n");
  printf ("| baseline: bare queue_render, same frame | %u | – | %.1f | **%.1f** | %.1f | 1.00 | 1.00 |\n",
          baseline.shown->len, base_drawn, base_median, base_p90);
  {
    g_autofree char *computed_name = g_strdup_printf ("computed frames 1–%d (colors)", computed_last);
    g_autofree char *uncomputed_name = g_strdup_printf ("uncomputed frames %" G_GINT64_FORMAT "–%" G_GINT64_FORMAT " (gray)",
                                                        uncomputed_first, n_frames - 1);

    print_row (computed_name, &computed, base_median, base_p90);
    print_row (uncomputed_name, &uncomputed, base_median, base_p90);
  }
  printf ("\nPixels checked after every step: computed frames mean saturation %.1f–%.1f, "
          "uncomputed %.1f–%.1f (0–255). Uncomputed frames computed before drawn (not counted): %u. "
          "Computed frames drawn gray first: %u. Stale colors: none. Frames 0..%d colorized %.1f s "
          "after the uncomputed series.\n",
          computed.min_saturation, computed.max_saturation,
          uncomputed.min_saturation, uncomputed.max_saturation, skipped, gray_first,
          computed_last, wait_s);
  printf ("The window's frame clock painted %.1f frames/s during the measurements. ",
          bench.paints / ((g_get_monotonic_time () - t_measure) / 1e6));
  summarize (bench.presented_delays, &presented_median, &presented_p90);
  if (bench.presented_delays->len == 0)
    printf ("The viewer's ::presented (an idle) was not emitted once during them (%u renders).\n",
            bench.renders - renders_before);
  else
    printf ("The viewer's ::presented (an idle) came %.1f ms (median; p90 %.1f, max %.1f) after the "
            "render it reports.\n", presented_median, presented_p90, max_value (bench.presented_delays));

  series_clear (&computed);
  series_clear (&uncomputed);
  series_clear (&baseline);
  gtk_window_destroy (GTK_WINDOW (bench.window));
  {
    g_autofree char *extracted = g_build_filename (scratch, "key0.png", NULL);

    g_remove (extracted);
    g_rmdir (scratch);
  }
  g_array_unref (bench.presented_delays);
  g_free (bench.gl_renderer);
  return 0;
}
