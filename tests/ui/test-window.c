/* test-window.c: the editor end to end in a real window (run under Xvfb).
 *
 * Makes a 320×240, 30-frame clip of ffmpeg's moving testsrc2 pattern and a
 * colored keyframe from its frame 0, opens the clip in a TintaWindow of a
 * real TintaApplication, and drives the editor through its window actions
 * only: import the keyframe, wait (spinning the main loop) until the engine
 * has colorized the shown frame, and check the window's rendered pixels —
 * gray before, color after in Fused mode, gray in Gray mode; the grid's
 * four panes (gray neutral, the three results colored), the wipe (gray
 * left, color right); stepping, seeking and playing move the playhead;
 * undo takes the keyframe and its colors away, redo brings them back;
 * deleting is undoable; a dropped image becomes a keyframe and a dropped
 * video opens.  A red/blue clip checks that gray is the clip's lightness,
 * drawn exactly where the viewer says, inside the letterbox.  Also: the
 * title and subtitle, errors for bad input shown in the window with the
 * TINTA_ERROR domain, recent files, GSettings, and the application's
 * activate/open paths.  Run a second time with LANGUAGE=de and the build
 * tree's translations, the texts are checked in German.  The snapshots
 * are kept in TINTA_TEST_OUTPUT_DIR to look at; with
 * TINTA_UPDATE_SCREENSHOTS=1 the main layouts are copied to
 * TINTA_SCREENSHOT_DIR (data/screenshots). */

#include "config.h"

#include <locale.h>
#include <string.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <gtk/gtk.h>

#include "tinta-application.h"
#include "tinta-error.h"
#include "tinta-window.h"

#include "../engine/tinta-test.h"
#include "uitest.h"

#define CLIP_WIDTH 320
#define CLIP_HEIGHT 240
#define CLIP_FRAMES 30
#define DRAW_TIMEOUT_MS 20000
/* The engine colorizes on two busy cores, three variants of this test at
 * once. */
#define COMPUTE_TIMEOUT_MS 240000

/* Background of the viewer, #1e1e1e. */
#define BACKGROUND_LEVEL 30

/* Saturation (max - min of R, G, B, in levels): gray is within a level or
 * two of 0; testsrc2's colors average far above this. */
#define NEUTRAL_MAX 3.0
#define COLORED_MIN 40.0

/* What the window says, in the language the test runs in. */
typedef struct {
  const char *language;
  const char *frames;
  const char *could_not_open;
  const char *not_found;
  const char *preferences;
} Expected;

static const Expected expected_texts[] = {
  { "en", "30 frames", "Could not open", "The file or folder does not exist.", "Preferences" },
  { "de", "30 Bilder", "konnte nicht geöffnet werden", "Die Datei oder der Ordner existiert nicht.",
    "Einstellungen" },
};

static const Expected *expected = &expected_texts[0];
static guint presented;
static gint64 presented_frame = -1;
static gboolean presented_fused;

/* What the viewer drew last. */
static void
presented_cb (TintaViewer *viewer,
              TintaWindow *window)
{
  presented++;
  presented_frame = tinta_window_get_shown_frame (window);
  presented_fused = tinta_viewer_has_result (viewer, TINTA_VIEW_FUSED);
}

static void
print_color (const char        *what,
             const UitestColor *c)
{
  printf ("  %-22s R %5.1f  G %5.1f  B %5.1f\n", what, c->r, c->g, c->b);
}

/* Mean and largest saturation over a grid of points in the image area
 * @rect, away from its top where the viewer's labels are. */
static double
mean_saturation (const UitestPixels    *pixels,
                 const graphene_rect_t *rect,
                 double                *largest)
{
  double sum = 0, max = 0;
  int n = 0;

  for (int j = 0; j < 5; j++)
    for (int i = 0; i < 8; i++)
      {
        UitestColor c = uitest_sample (pixels, rect->origin.x + rect->size.width * (0.1 + 0.8 * i / 7.0),
                                       rect->origin.y + rect->size.height * (0.4 + 0.5 * j / 4.0));
        double s = uitest_saturation (&c);

        sum += s;
        max = MAX (max, s);
        n++;
      }

  if (largest != NULL)
    *largest = max;
  return sum / n;
}

/* Where pane @pane's image is, in window coordinates. */
static gboolean
pane_in_window (TintaWindow     *window,
                guint            pane,
                graphene_rect_t *rect)
{
  TintaViewer *viewer = tinta_window_get_viewer (window);
  graphene_rect_t in_viewer, viewer_bounds;

  if (!tinta_viewer_get_pane_bounds (viewer, pane, &in_viewer) ||
      !gtk_widget_compute_bounds (GTK_WIDGET (viewer), GTK_WIDGET (window), &viewer_bounds))
    return FALSE;

  graphene_rect_init (rect,
                      viewer_bounds.origin.x + in_viewer.origin.x,
                      viewer_bounds.origin.y + in_viewer.origin.y,
                      in_viewer.size.width, in_viewer.size.height);
  return TRUE;
}

typedef enum {
  GRAY,
  COLORED,
} Look;

/* The image area @rect looks @look: gray, no point saturated beyond
 * NEUTRAL_MAX; in color, COLORED_MIN saturated on average. */
static void
check_look (const UitestPixels    *pixels,
            const graphene_rect_t *rect,
            const char            *what,
            Look                   look)
{
  double largest = 0;
  double mean = mean_saturation (pixels, rect, &largest);

  printf ("  %-30s saturation mean %5.1f, max %5.1f\n", what, mean, largest);
  if (look == GRAY)
    CHECK_MSG (largest <= NEUTRAL_MAX, "%s should be gray, saturation up to %.1f", what, largest);
  else
    CHECK_MSG (mean >= COLORED_MIN, "%s should be in color, mean saturation %.1f", what, mean);
}

/* The keyframe's frame shows the keyframe's colors: compare the shown
 * image with the PNG the keyframe came from, point by point. */
static void
check_matches_image (const UitestPixels    *pixels,
                     const graphene_rect_t *rect,
                     const char            *png)
{
  g_autoptr(GdkTexture) texture = gdk_texture_new_from_filename (png, NULL);
  g_autofree guchar *data = NULL;
  double sum = 0;
  int n = 0, width, height;

  CHECK (texture != NULL);
  if (texture == NULL)
    return;
  width = gdk_texture_get_width (texture);
  height = gdk_texture_get_height (texture);
  data = g_malloc ((gsize) width * height * 4);
  gdk_texture_download (texture, data, (gsize) width * 4);

  for (int j = 0; j < 5; j++)
    for (int i = 0; i < 8; i++)
      {
        double u = 0.1 + 0.8 * i / 7.0, v = 0.4 + 0.5 * j / 4.0;
        UitestColor shown = uitest_sample (pixels, rect->origin.x + rect->size.width * u,
                                           rect->origin.y + rect->size.height * v);
        guint32 argb;

        memcpy (&argb, data + ((gsize) (v * height) * width + (gsize) (u * width)) * 4, 4);
        sum += (fabs (shown.r - ((argb >> 16) & 0xff)) + fabs (shown.g - ((argb >> 8) & 0xff)) +
                fabs (shown.b - (argb & 0xff))) / 3;
        n++;
      }

  printf ("  keyframe frame vs its image: mean difference %.1f levels\n", sum / n);
  CHECK_MSG (sum / n <= 20, "the keyframe's frame should look like the keyframe image, "
             "mean difference %.1f levels", sum / n);
}

static void
test_fit_image (void)
{
  int x, y, w, h;

  /* 4:3 into a wide area: pillarbox, centered. */
  tinta_viewer_fit_image (320, 240, 1000, 500, &x, &y, &w, &h);
  CHECK_INT (w, 667);
  CHECK_INT (h, 500);
  CHECK_INT (x, 166);
  CHECK_INT (y, 0);

  /* 16:9 into a tall area: letterbox, and small images are enlarged. */
  tinta_viewer_fit_image (160, 90, 400, 600, &x, &y, &w, &h);
  CHECK_INT (w, 400);
  CHECK_INT (h, 225);
  CHECK_INT (x, 0);
  CHECK_INT (y, 187);

  tinta_viewer_fit_image (0, 90, 400, 600, &x, &y, &w, &h);
  CHECK_INT (w, 0);
  CHECK_INT (h, 0);
}

/* Every frame has its result, and the cache bar says so. */
static gboolean
all_colorized (TintaWindow *window)
{
  TintaClip *clip = tinta_window_get_clip (window);

  for (gint64 frame = 0; frame < CLIP_FRAMES; frame++)
    if (!tinta_clip_has_result (clip, frame, TINTA_RESULT_FUSED))
      return FALSE;
  return tinta_timeline_count_cached (tinta_window_get_timeline (window),
                                      TINTA_TIMELINE_CACHE_FUSED) == CLIP_FRAMES;
}

/* The shown frame is @frame and its fused result is in the viewer. */
static gboolean
shows_fused (TintaWindow *window,
             gint64       frame)
{
  return tinta_window_get_shown_frame (window) == frame &&
         tinta_viewer_has_result (tinta_window_get_viewer (window), TINTA_VIEW_FUSED);
}

/* Waits until frame @frame is shown in color and was drawn so. */
static gboolean
wait_fused (TintaWindow *window,
            gint64       frame)
{
  gboolean ok;

  UITEST_WAIT_UNTIL (ok, shows_fused (window, frame) && presented_frame == frame && presented_fused,
                     COMPUTE_TIMEOUT_MS);
  return ok;
}

static void
set_layout (TintaWindow *window,
            const char  *layout)
{
  guint since = presented;

  CHECK (uitest_activate (window, "win.layout", g_variant_new_string (layout)));
  CHECK_MSG (uitest_wait_past (&presented, since, DRAW_TIMEOUT_MS), "the viewer never redrew in layout %s", layout);
}

/* The editor with the keyframe: Fused, Gray, the grid, the wipe. */
static void
check_views (TintaWindow *window,
             const char  *key_png)
{
  TintaViewer *viewer = tinta_window_get_viewer (window);
  g_auto(UitestPixels) pixels = { 0 };
  graphene_rect_t image, pane;
  guint since;

  /* The keyframe's own frame shows the keyframe. */
  CHECK (pane_in_window (window, 0, &image));
  CHECK (uitest_snapshot (GTK_WIDGET (window), "window-keyframe.png", &pixels));
  if (pixels.data != NULL)
    {
      check_look (&pixels, &image, "frame 0, fused", COLORED);
      check_matches_image (&pixels, &image, key_png);
    }

  since = presented;
  CHECK (uitest_activate (window, "win.view-mode", g_variant_new_string ("gray")));
  CHECK (tinta_viewer_get_mode (viewer) == TINTA_VIEW_GRAY);
  CHECK_MSG (uitest_wait_past (&presented, since, DRAW_TIMEOUT_MS), "the viewer never redrew in gray");
  CHECK (uitest_snapshot (GTK_WIDGET (window), "window-gray.png", &pixels));
  if (pixels.data != NULL)
    check_look (&pixels, &image, "frame 0, gray mode", GRAY);

  CHECK (uitest_activate (window, "win.view-mode", g_variant_new_string ("fused")));
  CHECK (tinta_viewer_get_mode (viewer) == TINTA_VIEW_FUSED);

  /* A frame the engine propagated to, not the keyframe itself. */
  tinta_timeline_set_position (tinta_window_get_timeline (window), 12);
  CHECK_MSG (wait_fused (window, 12), "frame 12 was never shown in color");
  CHECK (uitest_snapshot (GTK_WIDGET (window), "window-fused.png", &pixels));
  CHECK (pane_in_window (window, 0, &image));
  if (pixels.data != NULL)
    check_look (&pixels, &image, "frame 12, fused", COLORED);
  if (!uitest_update_screenshot ("window-fused.png", "editor-fused.png"))
    CHECK_MSG (FALSE, "could not update editor-fused.png");

  set_layout (window, "grid");
  CHECK (tinta_viewer_get_layout (viewer) == TINTA_LAYOUT_GRID);
  CHECK (uitest_snapshot (GTK_WIDGET (window), "window-grid.png", &pixels));
  if (pixels.data != NULL)
    {
      static const char *const names[] = { "grid: gray", "grid: local", "grid: global", "grid: fused" };

      for (guint i = 0; i < 4; i++)
        {
          CHECK_MSG (pane_in_window (window, i, &pane), "no pane %u in the grid", i);
          check_look (&pixels, &pane, names[i], i == 0 ? GRAY : COLORED);
        }
    }
  if (!uitest_update_screenshot ("window-grid.png", "editor-grid.png"))
    CHECK_MSG (FALSE, "could not update editor-grid.png");

  set_layout (window, "wipe");
  CHECK (uitest_snapshot (GTK_WIDGET (window), "window-wipe.png", &pixels));
  CHECK (pane_in_window (window, 0, &image));
  if (pixels.data != NULL)
    {
      graphene_rect_t left = image, right = image;

      /* The divider is in the middle: gray on the left, fused on the
       * right, each checked away from it. */
      left.size.width = image.size.width * 0.4;
      right.origin.x += image.size.width * 0.6;
      right.size.width = image.size.width * 0.4;
      check_look (&pixels, &left, "wipe: left", GRAY);
      check_look (&pixels, &right, "wipe: right", COLORED);
    }
  if (!uitest_update_screenshot ("window-wipe.png", "editor-wipe.png"))
    CHECK_MSG (FALSE, "could not update editor-wipe.png");

  set_layout (window, "side-by-side");
  set_layout (window, "single");
}

/* Step, keyframe seek, start/end and playback through the window. */
static void
check_transport (TintaWindow *window)
{
  TintaTimeline *timeline = tinta_window_get_timeline (window);
  TintaClip *clip = tinta_window_get_clip (window);
  gboolean ok;
  gint64 start;

  CHECK (uitest_activate (window, "win.seek-start", NULL));
  CHECK_INT (tinta_timeline_get_position (timeline), 0);
  CHECK (uitest_activate (window, "win.step", g_variant_new_int32 (1)));
  CHECK_INT (tinta_timeline_get_position (timeline), 1);
  CHECK_INT (tinta_clip_get_position (clip), 1);
  UITEST_WAIT_UNTIL (ok, tinta_window_get_shown_frame (window) == 1, DRAW_TIMEOUT_MS);
  CHECK_MSG (ok, "frame 1 was never shown, shows %" G_GINT64_FORMAT,
             tinta_window_get_shown_frame (window));
  CHECK (uitest_activate (window, "win.step", g_variant_new_int32 (-1)));
  CHECK_INT (tinta_timeline_get_position (timeline), 0);
  CHECK (uitest_activate (window, "win.seek-end", NULL));
  CHECK_INT (tinta_timeline_get_position (timeline), CLIP_FRAMES - 1);
  CHECK (uitest_activate (window, "win.seek-keyframe", g_variant_new_int32 (-1)));
  CHECK_INT (tinta_timeline_get_position (timeline), 0);

  /* J/K/L and Space change the rate at once; repeating L or J doubles it
   * up to 4×. */
  CHECK (uitest_activate (window, "win.play-control", g_variant_new_string ("toggle")));
  CHECK_INT (tinta_window_get_play_rate (window), 1);
  CHECK (uitest_activate (window, "win.play-control", g_variant_new_string ("forward")));
  CHECK_INT (tinta_window_get_play_rate (window), 2);
  CHECK (uitest_activate (window, "win.play-control", g_variant_new_string ("forward")));
  CHECK (uitest_activate (window, "win.play-control", g_variant_new_string ("forward")));
  CHECK_INT (tinta_window_get_play_rate (window), 4);
  CHECK (uitest_activate (window, "win.play-control", g_variant_new_string ("reverse")));
  CHECK_INT (tinta_window_get_play_rate (window), -1);
  CHECK (uitest_activate (window, "win.play-control", g_variant_new_string ("pause")));
  CHECK_INT (tinta_window_get_play_rate (window), 0);

  /* The timeline's own keys (it only reports them) play too. */
  CHECK (gtk_widget_activate_action (GTK_WIDGET (timeline), "timeline.play-control", "s", "toggle"));
  CHECK_INT (tinta_window_get_play_rate (window), 1);
  CHECK (uitest_activate (window, "win.play-control", g_variant_new_string ("pause")));

  /* Play at the clip's rate, 30 fps, whatever the engine has computed. */
  CHECK (uitest_activate (window, "win.seek-start", NULL));
  start = tinta_timeline_get_position (timeline);
  CHECK (uitest_activate (window, "win.play-control", g_variant_new_string ("toggle")));
  UITEST_WAIT_UNTIL (ok, tinta_timeline_get_position (timeline) >= start + 5, DRAW_TIMEOUT_MS);
  CHECK_MSG (ok, "playback did not move the playhead");
  CHECK (uitest_activate (window, "win.play-control", g_variant_new_string ("pause")));
  CHECK_INT (tinta_window_get_play_rate (window), 0);
  printf ("  played to frame %" G_GINT64_FORMAT "\n", tinta_timeline_get_position (timeline));

  /* Playing on to the end stops there. */
  tinta_timeline_set_position (timeline, CLIP_FRAMES - 3);
  CHECK (uitest_activate (window, "win.play-control", g_variant_new_string ("forward")));
  UITEST_WAIT_UNTIL (ok, tinta_window_get_play_rate (window) == 0, DRAW_TIMEOUT_MS);
  CHECK_MSG (ok, "playback did not stop at the end");
  CHECK_INT (tinta_timeline_get_position (timeline), CLIP_FRAMES - 1);
}

/* Undo and redo of the import, and of a delete. */
static void
check_undo (TintaWindow *window)
{
  TintaKeyframePanel *panel = tinta_window_get_keyframe_panel (window);
  TintaTimeline *timeline = tinta_window_get_timeline (window);
  TintaViewer *viewer = tinta_window_get_viewer (window);
  g_auto(UitestPixels) pixels = { 0 };
  graphene_rect_t image;
  gboolean ok;
  guint since;

  tinta_timeline_set_position (timeline, 12);
  CHECK_MSG (wait_fused (window, 12), "frame 12 was never shown in color again");

  since = presented;
  CHECK (uitest_activate (window, "win.undo", NULL));
  CHECK_INT (uitest_n_keyframes (window), 0);
  CHECK_INT (tinta_keyframe_panel_get_n_keyframes (panel), 0);
  /* The colors went with the keyframe, at once: gray, "not computed". */
  CHECK (!tinta_viewer_has_result (viewer, TINTA_VIEW_FUSED));
  CHECK (!tinta_viewer_has_result (viewer, TINTA_VIEW_LOCAL));
  CHECK_MSG (uitest_wait_past (&presented, since, DRAW_TIMEOUT_MS), "the viewer never redrew after undo");
  CHECK (uitest_snapshot (GTK_WIDGET (window), "window-undone.png", &pixels));
  CHECK (pane_in_window (window, 0, &image));
  if (pixels.data != NULL)
    check_look (&pixels, &image, "frame 12 after undo", GRAY);
  UITEST_WAIT_UNTIL (ok, tinta_timeline_count_cached (timeline, TINTA_TIMELINE_CACHE_FUSED) == 0,
                     DRAW_TIMEOUT_MS);
  CHECK_MSG (ok, "the cache bar still shows %u computed frames after undo",
             tinta_timeline_count_cached (timeline, TINTA_TIMELINE_CACHE_FUSED));
  /* Nothing more to undo (the action is disabled). */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.undo", NULL);
  CHECK_INT (uitest_n_keyframes (window), 0);

  CHECK (uitest_activate (window, "win.redo", NULL));
  CHECK_INT (uitest_n_keyframes (window), 1);
  CHECK_INT (tinta_keyframe_panel_get_n_keyframes (panel), 1);
  CHECK_MSG (wait_fused (window, 12), "redo did not bring the colors back");
  CHECK (uitest_snapshot (GTK_WIDGET (window), "window-redone.png", &pixels));
  if (pixels.data != NULL)
    check_look (&pixels, &image, "frame 12 after redo", COLORED);

  /* Delete needs the playhead on a keyframe (the action is disabled
   * elsewhere). */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.delete-keyframe", NULL);
  CHECK_INT (uitest_n_keyframes (window), 1);
  CHECK (uitest_activate (window, "win.seek-keyframe", g_variant_new_int32 (-1)));
  CHECK_INT (tinta_timeline_get_position (timeline), 0);
  /* Activating a row of the list moves there too. */
  tinta_timeline_set_position (timeline, 7);
  CHECK_INT (tinta_keyframe_panel_get_selected (panel), -1);
  g_signal_emit_by_name (panel, "keyframe-activated", (gint64) 0);
  CHECK_INT (tinta_timeline_get_position (timeline), 0);
  CHECK_INT (tinta_keyframe_panel_get_selected (panel), 0);
  CHECK (uitest_activate (window, "win.delete-keyframe", NULL));
  CHECK_INT (uitest_n_keyframes (window), 0);
  CHECK_INT (tinta_keyframe_panel_get_n_keyframes (panel), 0);
  CHECK (uitest_activate (window, "win.undo", NULL));
  CHECK_INT (uitest_n_keyframes (window), 1);
  CHECK_INT (tinta_keyframe_panel_get_n_keyframes (panel), 1);
}

static gboolean
recovery_exists (const char *project_path)
{
  char path[4096];

  return tinta_project_recovery_path (project_path, path, sizeof path) == TINTA_OK &&
         g_file_test (path, G_FILE_TEST_EXISTS);
}

/* Saving a project (one keyframe, at frame 0, when called), the unsaved
 * marker, autosave to the recovery file, and opening the project again in
 * a new window. */
static void
check_project (TintaApplication *app,
               TintaWindow      *window,
               const char       *scratch,
               const char       *key_png)
{
  g_autofree char *project_path = g_build_filename (scratch, "pattern.tinta", NULL);
  g_autoptr(GError) error = NULL;
  TintaTimeline *timeline = tinta_window_get_timeline (window);
  tinta_project *project = NULL;
  tinta_error detail = { 0 };
  TintaWindow *reopened;
  gboolean ok;

  CHECK_MSG (uitest_title_is_dirty (window), "title: %s", gtk_window_get_title (GTK_WINDOW (window)));
  CHECK (tinta_window_autosave (window, &error));
  CHECK_MSG (recovery_exists (NULL), "no recovery file for the untitled project");
  g_clear_error (&error);

  CHECK (tinta_window_save_project_to (window, project_path, &error));
  if (error != NULL)
    fprintf (stderr, "save: %s\n", error->message);
  g_clear_error (&error);
  CHECK (!recovery_exists (NULL));
  CHECK_MSG (g_strcmp0 (gtk_window_get_title (GTK_WINDOW (window)), "pattern.tinta") == 0,
             "title: %s", gtk_window_get_title (GTK_WINDOW (window)));
  CHECK_INT (tinta_project_load (project_path, &project, &detail), TINTA_OK);
  if (project != NULL)
    {
      CHECK_INT (project->n_keys, 1);
      CHECK (project->n_keys == 1 && project->keys[0].frame == 0 && !project->keys[0].partial);
    }
  g_clear_pointer (&project, tinta_project_free);

  /* An edit: the marker, an autosave naming the project, and win.save
   * (Ctrl+S) writes the project and removes the recovery file. */
  tinta_timeline_set_position (timeline, 5);
  CHECK (uitest_activate (window, "win.import-keyframe-file", g_variant_new_string (key_png)));
  CHECK (uitest_title_is_dirty (window));
  CHECK (tinta_window_autosave (window, NULL));
  CHECK_MSG (recovery_exists (project_path), "no recovery file for %s", project_path);
  CHECK (uitest_activate (window, "win.undo", NULL));
  CHECK (uitest_title_is_dirty (window));
  CHECK (uitest_activate (window, "win.save", NULL));
  CHECK (!uitest_title_is_dirty (window));
  CHECK (!recovery_exists (project_path));

  /* Opened again, the way the command line and the chooser do. */
  reopened = tinta_window_new (GTK_APPLICATION (app));
  gtk_window_present (GTK_WINDOW (reopened));
  CHECK (tinta_window_open_path (reopened, project_path, &error));
  if (error != NULL)
    fprintf (stderr, "open %s: %s\n", project_path, error->message);
  g_clear_error (&error);
  CHECK (g_str_has_suffix (tinta_window_get_clip_path (reopened) ? tinta_window_get_clip_path (reopened) : "",
                           "pattern.mp4"));
  CHECK_INT (uitest_n_keyframes (reopened), 1);
  CHECK_INT (tinta_keyframe_panel_get_n_keyframes (tinta_window_get_keyframe_panel (reopened)), 1);
  CHECK (tinta_clip_get_keyframe_colors (tinta_window_get_clip (reopened), 0, NULL) != NULL);
  CHECK_MSG (!uitest_title_is_dirty (reopened), "title: %s", gtk_window_get_title (GTK_WINDOW (reopened)));
  CHECK (tinta_window_get_message (reopened) == NULL);
  /* The playhead where it was saved, in color. */
  CHECK_INT (tinta_timeline_get_position (tinta_window_get_timeline (reopened)), 5);
  UITEST_WAIT_UNTIL (ok, shows_fused (reopened, 5), COMPUTE_TIMEOUT_MS);
  CHECK_MSG (ok, "the reopened project never showed frame 5 in color (shown %lld, viewer %d, clip %d, status %s)",
             (long long) tinta_window_get_shown_frame (reopened),
             tinta_viewer_has_result (tinta_window_get_viewer (reopened), TINTA_VIEW_FUSED),
             tinta_clip_has_result (tinta_window_get_clip (reopened), 0, TINTA_RESULT_FUSED),
             tinta_window_get_status (reopened));
  /* With an edit, closing asks first; Discard closes. */
  tinta_timeline_set_position (tinta_window_get_timeline (reopened), 10);
  CHECK (uitest_activate (reopened, "win.import-keyframe-file", g_variant_new_string (key_png)));
  CHECK (uitest_title_is_dirty (reopened));
  gtk_window_close (GTK_WINDOW (reopened));
  uitest_settle ();
  CHECK_INT (g_list_length (gtk_application_get_windows (GTK_APPLICATION (app))), 2);
  CHECK_MSG (uitest_answer_prompt (NULL, 1 /* Discard */), "no prompt for unsaved changes");
  CHECK_INT (g_list_length (gtk_application_get_windows (GTK_APPLICATION (app))), 1);
  if (g_list_length (gtk_application_get_windows (GTK_APPLICATION (app))) > 1)
    gtk_window_destroy (GTK_WINDOW (reopened));
  tinta_timeline_set_position (timeline, 0);
}

/* A GdkFileList dropped on the window, as GTK delivers it. */
static gboolean
drop_file (TintaWindow *window,
           const char  *path)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (window));
  g_autoptr(GFile) file = g_file_new_for_path (path);
  GSList files = { file, NULL };
  GValue value = G_VALUE_INIT;
  gboolean accepted = FALSE;

  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_take_boxed (&value, gdk_file_list_new_from_list (&files));

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_DROP_TARGET (controller))
        g_signal_emit_by_name (controller, "drop", &value, 10.0, 10.0, &accepted);
    }

  g_value_unset (&value);
  return accepted;
}

/* Red left, blue right, shown gray: the clip's own lightness, exactly
 * where the viewer says the image is, in the letterbox's middle. */
static void
check_gray_clip (TintaWindow *window)
{
  g_auto(UitestPixels) pixels = { 0 };
  graphene_rect_t image, viewer;
  double cy, right_edge;
  UitestColor left, right, band;

  CHECK (uitest_snapshot (GTK_WIDGET (window), "window-red-blue.png", &pixels));
  CHECK (pane_in_window (window, 0, &image));
  CHECK (gtk_widget_compute_bounds (GTK_WIDGET (tinta_window_get_viewer (window)),
                                    GTK_WIDGET (window), &viewer));
  if (pixels.data == NULL)
    return;

  cy = image.origin.y + image.size.height / 2;
  right_edge = image.origin.x + image.size.width;
  left = uitest_sample (&pixels, image.origin.x + image.size.width * 0.25, cy);
  right = uitest_sample (&pixels, image.origin.x + image.size.width * 0.75, cy);
  print_color ("gray, left half", &left);
  print_color ("gray, right half", &right);

  /* L of sRGB red is 53.24 and of blue 32.30; shown as gray they are the
   * sRGB levels of Y = 0.2126 and 0.0722: 127 and 76. */
  CHECK_NEAR (uitest_saturation (&left), 0, 2);
  CHECK_NEAR (uitest_saturation (&right), 0, 2);
  CHECK_NEAR (left.g, 127, 6);
  CHECK_NEAR (right.g, 76, 6);

  /* 3 px inside the edges is image, 3 px outside background. */
  CHECK_NEAR (uitest_sample (&pixels, image.origin.x + 3, cy).g, 127, 6);
  CHECK_NEAR (uitest_sample (&pixels, right_edge - 3, cy).g, 76, 6);

  CHECK_NEAR (image.size.width / image.size.height, (double) CLIP_WIDTH / CLIP_HEIGHT, 0.01);
  CHECK_MSG (image.origin.x - viewer.origin.x >= 8,
             "expected a pillarbox band, image x %.0f viewer x %.0f",
             image.origin.x, viewer.origin.x);
  band = uitest_sample (&pixels, (viewer.origin.x + image.origin.x) / 2, cy);
  print_color ("letterbox band", &band);
  CHECK_NEAR (band.r, BACKGROUND_LEVEL, 2);
  CHECK_NEAR (band.g, BACKGROUND_LEVEL, 2);
  CHECK_NEAR (band.b, BACKGROUND_LEVEL, 2);
  CHECK_NEAR (uitest_sample (&pixels, image.origin.x - 3, cy).g, BACKGROUND_LEVEL, 2);
  CHECK_NEAR (uitest_sample (&pixels, right_edge + 3, cy).g, BACKGROUND_LEVEL, 2);
}

static GtkWidget *
find_child (GtkWidget *widget,
            GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_child (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* app.preferences: a window bound to the engine's settings. */
static void
check_preferences (TintaApplication *app)
{
  g_autoptr(GSettings) settings = g_settings_new ("org.tinta.Tinta");
  g_auto(UitestPixels) pixels = { 0 };
  guint n_windows = g_list_length (gtk_application_get_windows (GTK_APPLICATION (app)));
  GtkWindow *preferences;
  GtkWidget *heights, *cache;
  gboolean ok;

  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  CHECK_INT (g_list_length (gtk_application_get_windows (GTK_APPLICATION (app))), n_windows + 1);
  preferences = gtk_application_get_windows (GTK_APPLICATION (app))->data;
  CHECK (g_strcmp0 (gtk_window_get_title (preferences), expected->preferences) == 0);

  heights = find_child (GTK_WIDGET (preferences), GTK_TYPE_DROP_DOWN);
  cache = find_child (GTK_WIDGET (preferences), GTK_TYPE_SPIN_BUTTON);
  CHECK (heights != NULL && cache != NULL);
  if (heights != NULL && cache != NULL)
    {
      /* 480p is the default, the third of 240, 360, 480, ... */
      CHECK_INT (gtk_drop_down_get_selected (GTK_DROP_DOWN (heights)), 2);
      CHECK_NEAR (gtk_spin_button_get_value (GTK_SPIN_BUTTON (cache)), 1024, 0);
      gtk_drop_down_set_selected (GTK_DROP_DOWN (heights), 4);
      CHECK_INT (g_settings_get_int (settings, "working-height"), 720);
      gtk_spin_button_set_value (GTK_SPIN_BUTTON (cache), 2048);
      CHECK_INT (g_settings_get_int (settings, "cache-megabytes"), 2048);
    }

  UITEST_WAIT_UNTIL (ok, gtk_widget_get_mapped (GTK_WIDGET (preferences)) &&
                         gtk_widget_get_width (GTK_WIDGET (preferences)) > 100, DRAW_TIMEOUT_MS);
  CHECK_MSG (ok, "the preferences never showed");
  uitest_spin_for (200);
  CHECK (uitest_snapshot (GTK_WIDGET (preferences), "preferences.png", &pixels));
  gtk_window_close (preferences);
  uitest_settle ();
  CHECK_INT (g_list_length (gtk_application_get_windows (GTK_APPLICATION (app))), n_windows);
  g_settings_reset (settings, "working-height");
  g_settings_reset (settings, "cache-megabytes");
}

static void
check_open_error (TintaWindow *window,
                  const char  *path,
                  int          expected_code,
                  const char  *clip_path,
                  const char  *expected_reason)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_path_get_basename (path);
  const char *message;

  CHECK (!tinta_window_open_path (window, path, &error));
  CHECK (error != NULL && error->domain == TINTA_ERROR);
  if (error != NULL)
    {
      printf ("  %s: %s\n", name, error->message);
      CHECK_MSG (error->code == expected_code, "%s: code %d (%s), expected %d",
                 name, error->code, tinta_status_str (error->code), expected_code);
    }

  message = tinta_window_get_message (window);
  CHECK_MSG (message != NULL && strstr (message, name) != NULL &&
             strstr (message, expected->could_not_open) != NULL,
             "the window should name %s in its message, shows: %s",
             name, message != NULL ? message : "(nothing)");
  if (expected_reason != NULL)
    CHECK_MSG (message != NULL && strstr (message, expected_reason) != NULL,
               "the message should say \"%s\", shows: %s",
               expected_reason, message != NULL ? message : "(nothing)");

  /* A failed open leaves the clip that was open. */
  CHECK (g_strcmp0 (tinta_window_get_clip_path (window), clip_path) == 0);
}

int
main (void)
{
  g_auto(UitestEditor) editor = { 0 };
  g_autoptr(GError) error = NULL;
  TintaApplication *app;
  const char *scratch;
  g_autofree char *clip = NULL;
  g_autofree char *key_png = NULL;
  g_autofree char *red_blue = NULL;
  g_autofree char *sequence_dir = NULL;
  g_autofree char *sequence_pattern = NULL;
  g_autofree char *empty_path = NULL;
  g_autofree char *garbage_path = NULL;
  g_autofree char *missing_path = NULL;
  g_autofree char *clip_uri = NULL;
  g_auto(UitestPixels) pixels = { 0 };
  graphene_rect_t image;
  TintaWindow *window;
  TintaViewer *viewer;
  GList *windows;
  const char *subtitle;
  gboolean ok;
  guint since;

  test_fit_image ();

  /* With TINTA_TEST_LOCALEDIR (the build tree's po/) and LANGUAGE set, the
   * same checks run against the translation, so the gettext chain from
   * po/ to the window is tested too. */
  if (g_getenv ("TINTA_TEST_LOCALEDIR") != NULL)
    {
      const char *language = g_getenv ("LANGUAGE");

      setlocale (LC_ALL, "");
      bindtextdomain (GETTEXT_PACKAGE, g_getenv ("TINTA_TEST_LOCALEDIR"));
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      textdomain (GETTEXT_PACKAGE);

      for (guint i = 0; i < G_N_ELEMENTS (expected_texts); i++)
        if (g_strcmp0 (language, expected_texts[i].language) == 0)
          expected = &expected_texts[i];
      CHECK_MSG (g_strcmp0 (language, expected->language) == 0,
                 "no expectations for LANGUAGE=%s", language != NULL ? language : "");
    }

  uitest_init_display ();

  if (!uitest_editor_start (&editor, GTK_APPLICATION (tinta_application_new ()), "tinta-ui-XXXXXX"))
    return 1;
  app = TINTA_APPLICATION (editor.app);
  scratch = editor.scratch;
  clip = g_build_filename (scratch, "pattern.mp4", NULL);
  key_png = g_build_filename (scratch, "pattern-key0.png", NULL);
  red_blue = g_build_filename (scratch, "red-blue.mp4", NULL);
  /* testsrc2 moves: colors must be propagated, not copied.  The red/blue
   * clip: the red source padded to full width with blue. */
  if (!uitest_make_clip (clip, "testsrc2=s=320x240:r=30", NULL, CLIP_FRAMES) ||
      !uitest_extract_first_frame (clip, key_png) ||
      !uitest_make_clip (red_blue, "color=c=red:s=160x240:r=25", "pad=320:240:0:0:blue", 8))
    {
      CHECK_MSG (FALSE, "could not make the test clips with ffmpeg");
      return tinta_test_end ("window");
    }
  CHECK (editor.registered);

  /* An empty window first. */
  window = editor.window;
  viewer = tinta_window_get_viewer (window);
  g_signal_connect (viewer, "presented", G_CALLBACK (presented_cb), window);
  gtk_window_present (GTK_WINDOW (window));

  CHECK (tinta_window_get_clip_path (window) == NULL);
  CHECK (tinta_window_get_subtitle (window) == NULL);
  CHECK (tinta_window_get_message (window) == NULL);
  CHECK (g_strcmp0 (gtk_window_get_title (GTK_WINDOW (window)), "Tinta") == 0);
  /* Disabled without a clip: nothing happens. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.undo", NULL);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.step", "i", 1);
  uitest_settle ();
  CHECK (uitest_snapshot (GTK_WIDGET (window), "window-empty.png", &pixels));

  /* Open the clip: the first frame comes gray ("not computed": no
   * keyframe yet). */
  CHECK (tinta_window_open_path (window, clip, &error));
  if (error != NULL)
    fprintf (stderr, "open: %s\n", error->message);
  g_clear_error (&error);

  CHECK_MSG (strstr (gtk_window_get_title (GTK_WINDOW (window)), "pattern.mp4") != NULL,
             "title: %s", gtk_window_get_title (GTK_WINDOW (window)));
  subtitle = tinta_window_get_subtitle (window);
  printf ("  subtitle: %s\n", subtitle != NULL ? subtitle : "(none)");
  CHECK (subtitle != NULL && strstr (subtitle, "320×240") != NULL);
  CHECK (subtitle != NULL && strstr (subtitle, expected->frames) != NULL);
  CHECK (subtitle != NULL && strstr (subtitle, "30 fps") != NULL);
  CHECK (tinta_window_get_message (window) == NULL);
  CHECK (tinta_viewer_get_mode (viewer) == TINTA_VIEW_FUSED);
  CHECK_INT (tinta_timeline_get_n_frames (tinta_window_get_timeline (window)), CLIP_FRAMES);

  UITEST_WAIT_UNTIL (ok, tinta_window_get_shown_frame (window) == 0 && presented > 0, DRAW_TIMEOUT_MS);
  CHECK_MSG (ok, "the viewer never drew the first frame");
  CHECK (!tinta_viewer_has_result (viewer, TINTA_VIEW_FUSED));
  CHECK (uitest_snapshot (GTK_WIDGET (window), "window-opened.png", &pixels));
  CHECK (pane_in_window (window, 0, &image));
  if (pixels.data != NULL)
    check_look (&pixels, &image, "frame 0 before a keyframe", GRAY);
  printf ("  status: %s\n", tinta_window_get_status (window));

  /* The keyframe, through the action the chooser and drops use. */
  CHECK (uitest_activate (window, "win.import-keyframe-file", g_variant_new_string (key_png)));
  CHECK_MSG (tinta_window_get_message (window) == NULL, "import: %s", tinta_window_get_message (window));
  CHECK_INT (uitest_n_keyframes (window), 1);
  CHECK_INT (tinta_keyframe_panel_get_n_keyframes (tinta_window_get_keyframe_panel (window)), 1);
  CHECK_INT (tinta_keyframe_panel_get_selected (tinta_window_get_keyframe_panel (window)), 0);
  CHECK_MSG (wait_fused (window, 0), "frame 0 was never shown in color");
  printf ("  status: %s\n", tinta_window_get_status (window));

  check_views (window, key_png);
  check_transport (window);
  check_undo (window);
  check_project (app, window, scratch, key_png);

  /* Drops: an image is the keyframe of the current frame, a video opens. */
  tinta_timeline_set_position (tinta_window_get_timeline (window), 20);
  CHECK (drop_file (window, key_png));
  CHECK_INT (uitest_n_keyframes (window), 2);
  CHECK (tinta_clip_get_keyframe_colors (tinta_window_get_clip (window), 20, NULL) != NULL);
  UITEST_WAIT_UNTIL (ok, all_colorized (window), COMPUTE_TIMEOUT_MS);
  CHECK_MSG (ok, "not every frame was colorized");
  printf ("  status: %s\n", tinta_window_get_status (window));

  clip_uri = g_filename_to_uri (clip, NULL, NULL);
  UITEST_WAIT_UNTIL (ok, gtk_recent_manager_has_item (gtk_recent_manager_get_default (), clip_uri),
                     DRAW_TIMEOUT_MS);
  CHECK_MSG (ok, "the clip is not among the recent files");

  since = presented;
  CHECK (drop_file (window, red_blue));
  /* The keyframe dropped at 20 is unsaved: opening asks first. */
  CHECK_MSG (uitest_answer_prompt (GTK_WINDOW (window), 1 /* Discard */), "no prompt before opening over unsaved edits");
  CHECK (strstr (gtk_window_get_title (GTK_WINDOW (window)), "red-blue.mp4") != NULL);
  CHECK_INT (uitest_n_keyframes (window), 0);
  CHECK_INT (tinta_keyframe_panel_get_n_keyframes (tinta_window_get_keyframe_panel (window)), 0);
  /* A new clip starts a new history. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.undo", NULL);
  CHECK_INT (uitest_n_keyframes (window), 0);
  UITEST_WAIT_UNTIL (ok, tinta_window_get_shown_frame (window) == 0 && presented > since, DRAW_TIMEOUT_MS);
  CHECK_MSG (ok, "the viewer never drew the red/blue clip");
  check_gray_clip (window);

  /* A folder of numbered images opens like a clip, named after the folder. */
  sequence_dir = g_build_filename (scratch, "shot-12", NULL);
  sequence_pattern = g_build_filename (sequence_dir, "%05d.png", NULL);
  g_mkdir (sequence_dir, 0755);
  CHECK (uitest_make_clip (sequence_pattern, "testsrc2=s=96x64:r=24", NULL, 3));
  CHECK (tinta_window_open_path (window, sequence_dir, &error));
  if (error != NULL)
    fprintf (stderr, "open %s: %s\n", sequence_dir, error->message);
  g_clear_error (&error);
  CHECK (strstr (gtk_window_get_title (GTK_WINDOW (window)), "shot-12") != NULL);
  subtitle = tinta_window_get_subtitle (window);
  printf ("  image sequence subtitle: %s\n", subtitle != NULL ? subtitle : "(none)");
  CHECK (subtitle != NULL && strstr (subtitle, "96×64") != NULL);
  CHECK (subtitle != NULL && strstr (subtitle, "24 fps") != NULL);
  CHECK (tinta_window_open_path (window, red_blue, NULL));

  /* Bad input: a GError in the TINTA_ERROR domain, the message in the
   * window, the open clip untouched. */
  missing_path = g_build_filename (scratch, "missing.mp4", NULL);
  check_open_error (window, missing_path, TINTA_ERR_NOT_FOUND, red_blue, expected->not_found);

  empty_path = g_build_filename (scratch, "empty.mp4", NULL);
  g_file_set_contents (empty_path, "", 0, NULL);
  check_open_error (window, empty_path, TINTA_ERR_EMPTY_FILE, red_blue, NULL);

  garbage_path = g_build_filename (scratch, "garbage.mp4", NULL);
  g_file_set_contents (garbage_path, "this is not a video, just some text\n", -1, NULL);
  check_open_error (window, garbage_path, TINTA_ERR_INVALID_DATA, red_blue, NULL);
  uitest_spin_for (500);   /* the message strip slides in */
  CHECK (uitest_snapshot (GTK_WIDGET (window), "window-error.png", &pixels));

  /* A broken keyframe image: the message, and no keyframe. */
  CHECK (uitest_activate (window, "win.import-keyframe-file", g_variant_new_string (garbage_path)));
  CHECK (tinta_window_get_message (window) != NULL &&
         strstr (tinta_window_get_message (window), "garbage.mp4") != NULL);
  CHECK_INT (uitest_n_keyframes (window), 0);

  CHECK (strstr (gtk_window_get_title (GTK_WINDOW (window)), "red-blue.mp4") != NULL);
  CHECK (uitest_activate (window, "win.dismiss-message", NULL));
  CHECK (tinta_window_get_message (window) == NULL);

  /* The application: activate opens an empty window, open one per file. */
  g_application_activate (G_APPLICATION (app));
  windows = gtk_application_get_windows (GTK_APPLICATION (app));
  CHECK_INT (g_list_length (windows), 2);
  CHECK (windows != NULL && TINTA_IS_WINDOW (windows->data) &&
         tinta_window_get_clip_path (windows->data) == NULL);

  {
    g_autoptr(GFile) clip_file = g_file_new_for_path (red_blue);
    g_autoptr(GFile) missing_file = g_file_new_for_path (missing_path);
    GFile *files[] = { clip_file, missing_file };

    g_application_open (G_APPLICATION (app), files, G_N_ELEMENTS (files), "");
    windows = gtk_application_get_windows (GTK_APPLICATION (app));
    CHECK_INT (g_list_length (windows), 4);
    /* Newest first: the missing file's window, then the clip's. */
    if (g_list_length (windows) == 4)
      {
        TintaWindow *missing_window = windows->data;
        TintaWindow *clip_window = windows->next->data;

        CHECK (tinta_window_get_clip_path (missing_window) == NULL);
        CHECK (tinta_window_get_message (missing_window) != NULL);
        CHECK (g_strcmp0 (tinta_window_get_clip_path (clip_window), red_blue) == 0);
      }
  }

  /* GSettings (the memory backend here): the engine's settings, the folder
   * of the last clip, and the size a closed window had, which the next
   * window starts with. */
  {
    g_autoptr(GSettings) settings = g_settings_new ("org.tinta.Tinta");
    g_autofree char *last_folder = g_settings_get_string (settings, "last-folder");
    TintaWindow *sized = tinta_window_new (GTK_APPLICATION (app));
    int width = 0, height = 0;

    CHECK_INT (g_settings_get_int (settings, "working-height"), 480);
    CHECK_INT (g_settings_get_int (settings, "cache-megabytes"), 1024);
    CHECK_MSG (g_strcmp0 (last_folder, scratch) == 0, "last-folder %s, expected %s",
               last_folder, scratch);

    gtk_window_present (GTK_WINDOW (sized));
    gtk_window_set_default_size (GTK_WINDOW (sized), 900, 600);
    gtk_window_close (GTK_WINDOW (sized));
    CHECK_INT (g_settings_get_int (settings, "window-width"), 900);
    CHECK_INT (g_settings_get_int (settings, "window-height"), 600);

    sized = tinta_window_new (GTK_APPLICATION (app));
    gtk_window_get_default_size (GTK_WINDOW (sized), &width, &height);
    CHECK_INT (width, 900);
    CHECK_INT (height, 600);
    gtk_window_destroy (GTK_WINDOW (sized));
  }

  check_preferences (app);

  /* The keyboard shortcuts, to look at. */
  {
    GtkShortcutsWindow *help = gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window));

    gtk_window_present (GTK_WINDOW (window));
    CHECK (uitest_activate (window, "win.show-help-overlay", NULL));
    CHECK (help != NULL && gtk_widget_get_visible (GTK_WIDGET (help)));
    if (help != NULL)
      {
        uitest_spin_for (300);
        CHECK (uitest_snapshot (GTK_WIDGET (help), "shortcuts.png", &pixels));
        gtk_window_close (GTK_WINDOW (help));
      }
  }

  uitest_editor_clear (&editor);

  return tinta_test_end ("window");
}
