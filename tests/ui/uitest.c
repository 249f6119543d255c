/* uitest.c: the helpers the editor's UI tests share (uitest.h): ffmpeg and
 * ffprobe, the main loop, widget snapshots and their pixels, and driving
 * a TintaWindow.  No assertions here: the tests make them. */

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>
#include <tinta/color.h>

#include "uitest.h"

#include "../engine/tinta-test.h"

/* ---- files and tools ----------------------------------------------------- */

void
uitest_init_display (void)
{
  if (!gtk_init_check ())
    tinta_test_skip ("cannot open a display; run under xvfb-run");
  uitest_output_dir ();
}

char *
uitest_scratch_dir (const char *template)
{
  g_autoptr(GError) error = NULL;
  char *path = g_dir_make_tmp (template, &error);

  if (path == NULL)
    fprintf (stderr, "no scratch folder: %s\n", error->message);
  return path;
}

const char *
uitest_output_dir (void)
{
  static const char *output_dir;

  if (output_dir == NULL)
    {
      output_dir = g_getenv ("TINTA_TEST_OUTPUT_DIR");
      if (output_dir == NULL)
        output_dir = ".";
      g_mkdir_with_parents (output_dir, 0755);
    }
  return output_dir;
}

gboolean
uitest_update_screenshot (const char *snapshot_name,
                          const char *screenshot_name)
{
  const char *dir = g_getenv ("TINTA_SCREENSHOT_DIR");
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  if (g_strcmp0 (g_getenv ("TINTA_UPDATE_SCREENSHOTS"), "1") != 0 || dir == NULL)
    return TRUE;

  from = g_build_filename (uitest_output_dir (), snapshot_name, NULL);
  to = g_build_filename (dir, screenshot_name, NULL);
  g_mkdir_with_parents (dir, 0755);
  if (!g_file_get_contents (from, &contents, &length, NULL) ||
      !g_file_set_contents (to, contents, (gssize) length, NULL))
    {
      fprintf (stderr, "could not write %s\n", to);
      return FALSE;
    }
  printf ("  screenshot %s\n", to);
  return TRUE;
}

void
uitest_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        uitest_remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

/* The program named by environment @variable (FFMPEG, FFPROBE: the suite
 * sets them to what meson found), else @fallback from PATH. */
static const char *
tool (const char *variable,
      const char *fallback)
{
  const char *value = g_getenv (variable);

  return value != NULL ? value : fallback;
}

/* Runs @argv to its end; its output in *@standard_output when that is not
 * NULL.  What it said on stderr is only shown when it failed. */
static gboolean
run (const char *const *argv,
     char             **standard_output)
{
  g_autofree char *standard_error = NULL;
  g_autoptr(GError) error = NULL;
  GSpawnFlags flags = G_SPAWN_SEARCH_PATH;
  int wait_status = 0;

  if (standard_output == NULL)
    flags |= G_SPAWN_STDOUT_TO_DEV_NULL;
  if (!g_spawn_sync (NULL, (char **) argv, NULL, flags, NULL, NULL, standard_output, &standard_error,
                     &wait_status, &error) ||
      !g_spawn_check_wait_status (wait_status, &error))
    {
      fprintf (stderr, "%s failed: %s\n%s\n", argv[0], error->message,
               standard_error != NULL ? standard_error : "");
      return FALSE;
    }
  return TRUE;
}

gboolean
uitest_ffmpeg (const char *const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (char *) tool ("FFMPEG", "ffmpeg"));
  g_ptr_array_add (argv, (char *) "-hide_banner");
  g_ptr_array_add (argv, (char *) "-loglevel");
  g_ptr_array_add (argv, (char *) "error");
  g_ptr_array_add (argv, (char *) "-y");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  return run ((const char *const *) argv->pdata, NULL);
}

gboolean
uitest_make_clip (const char *path,
                  const char *input,
                  const char *filter,
                  int         frames)
{
  g_autofree char *frame_count = g_strdup_printf ("%d", frames);
  gboolean png = g_str_has_suffix (path, ".png");
  const char *args[] = {
    "-f", "lavfi", "-i", input,
    "-vf", filter != NULL ? filter : "null",
    "-frames:v", frame_count,
    "-c:v", png ? "png" : "libx264",
    "-pix_fmt", png ? "rgb24" : "yuv420p",
    path, NULL
  };

  return uitest_ffmpeg (args);
}

gboolean
uitest_extract_first_frame (const char *clip,
                            const char *png)
{
  const char *args[] = { "-i", clip, "-frames:v", "1", png, NULL };

  return uitest_ffmpeg (args);
}

gboolean
uitest_probe_video (const char  *path,
                    char       **summary)
{
  const char *argv[] = {
    tool ("FFPROBE", "ffprobe"), "-v", "error", "-count_frames", "-select_streams", "v:0",
    "-show_entries", "stream=width,height,nb_read_frames", "-of", "csv=p=0", path, NULL
  };

  *summary = NULL;
  if (!run (argv, summary))
    {
      g_clear_pointer (summary, g_free);
      return FALSE;
    }
  g_strstrip (*summary);
  return TRUE;
}

/* ---- the main loop --------------------------------------------------------- */

static gboolean
timer_expired_cb (gpointer user_data)
{
  UitestTimer *timer = user_data;

  timer->expired = TRUE;
  timer->source_id = 0;
  return G_SOURCE_REMOVE;
}

void
uitest_timer_start (UitestTimer *timer,
                    guint        timeout_ms)
{
  timer->expired = FALSE;
  timer->source_id = g_timeout_add (timeout_ms, timer_expired_cb, timer);
}

void
uitest_timer_stop (UitestTimer *timer)
{
  g_clear_handle_id (&timer->source_id, g_source_remove);
}

void
uitest_settle (void)
{
  gint64 end = g_get_monotonic_time () + 250 * G_TIME_SPAN_MILLISECOND;

  while (g_main_context_pending (NULL) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
}

void
uitest_drain (void)
{
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
}

void
uitest_spin_for (guint ms)
{
  UitestTimer timer;

  uitest_timer_start (&timer, ms);
  while (!timer.expired)
    g_main_context_iteration (NULL, TRUE);
}

gboolean
uitest_wait_past (const guint *counter,
                  guint        since,
                  guint        timeout_ms)
{
  gboolean ok;

  UITEST_WAIT_UNTIL (ok, *counter > since, timeout_ms);
  return ok;
}

/* ---- pixels ---------------------------------------------------------------- */

void
uitest_pixels_clear (UitestPixels *pixels)
{
  g_clear_pointer (&pixels->data, g_free);
}

gboolean
uitest_snapshot (GtkWidget    *widget,
                 const char   *name,
                 UitestPixels *pixels)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *png_path = g_build_filename (uitest_output_dir (), name, NULL);
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  graphene_rect_t bounds;
  int width, height;

  uitest_pixels_clear (pixels);

  /* The paintable draws the widget's whole bounds at its intrinsic size;
   * drawn at any other size it would be scaled, and widget coordinates
   * would not match the pixels. */
  if (!gtk_widget_compute_bounds (widget, widget, &bounds))
    {
      fprintf (stderr, "snapshot %s: the widget has no bounds\n", name);
      return FALSE;
    }
  width = gdk_paintable_get_intrinsic_width (paintable);
  height = gdk_paintable_get_intrinsic_height (paintable);
  pixels->origin_x = bounds.origin.x;
  pixels->origin_y = bounds.origin.y;

  /* The paintable has nothing to draw while the window waits for a new
   * layout (a window's status line changes as frames are colorized): the
   * next frame does it. */
  for (int attempt = 0; attempt < 100; attempt++)
    {
      GtkSnapshot *snapshot = gtk_snapshot_new ();

      gdk_paintable_snapshot (paintable, snapshot, width, height);
      if ((node = gtk_snapshot_free_to_node (snapshot)) != NULL)
        break;
      g_main_context_iteration (NULL, TRUE);
    }
  if (node == NULL || renderer == NULL)
    {
      fprintf (stderr, "snapshot %s: nothing to render (%dx%d)\n", name, width, height);
      return FALSE;
    }

  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (texture == NULL)
    {
      fprintf (stderr, "snapshot %s: rendering failed\n", name);
      return FALSE;
    }

  if (!gdk_texture_save_to_png (texture, png_path))
    fprintf (stderr, "could not save %s\n", png_path);
  printf ("  snapshot %s\n", png_path);

  pixels->width = gdk_texture_get_width (texture);
  pixels->height = gdk_texture_get_height (texture);
  pixels->stride = (gsize) pixels->width * 4;
  pixels->data = g_malloc (pixels->stride * pixels->height);
  gdk_texture_download (texture, pixels->data, pixels->stride);

  return TRUE;
}

/* The pixel at (@px, @py) of the image, clamped to it. */
static UitestColor
texel (const UitestPixels *pixels,
       int                 px,
       int                 py)
{
  guint32 argb;

  px = CLAMP (px, 0, pixels->width - 1);
  py = CLAMP (py, 0, pixels->height - 1);
  memcpy (&argb, pixels->data + (gsize) py * pixels->stride + (gsize) px * 4, 4);
  return (UitestColor) { (argb >> 16) & 0xff, (argb >> 8) & 0xff, argb & 0xff };
}

UitestColor
uitest_pixel (const UitestPixels *pixels,
              double              x,
              double              y)
{
  if (pixels->data == NULL)
    return (UitestColor) { 0, 0, 0 };
  return texel (pixels, (int) (x - pixels->origin_x), (int) (y - pixels->origin_y));
}

UitestColor
uitest_sample (const UitestPixels *pixels,
               double              x,
               double              y)
{
  UitestColor mean = { 0, 0, 0 };
  int cx = (int) (x - pixels->origin_x);
  int cy = (int) (y - pixels->origin_y);
  int n = 0;

  if (pixels->data == NULL)
    return mean;

  for (int dy = -2; dy <= 2; dy++)
    for (int dx = -2; dx <= 2; dx++)
      {
        UitestColor c = texel (pixels, cx + dx, cy + dy);

        mean.r += c.r;
        mean.g += c.g;
        mean.b += c.b;
        n++;
      }

  mean.r /= n;
  mean.g /= n;
  mean.b /= n;

  return mean;
}

void
uitest_sample_lab (const UitestPixels *pixels,
                   double              x,
                   double              y,
                   double              lab[3])
{
  UitestColor c = uitest_sample (pixels, x, y);
  double rgb[3] = { c.r / 255.0, c.g / 255.0, c.b / 255.0 };

  tinta_lab_from_srgb_d (rgb, lab);
}

double
uitest_saturation (const UitestColor *color)
{
  return MAX (color->r, MAX (color->g, color->b)) - MIN (color->r, MIN (color->g, color->b));
}

double
uitest_chroma (const double lab[3])
{
  return hypot (lab[1], lab[2]);
}

double
uitest_hue_difference (double a1,
                       double b1,
                       double a2,
                       double b2)
{
  double d = fabs (atan2 (b1, a1) - atan2 (b2, a2)) * 180.0 / G_PI;

  return d > 180.0 ? 360.0 - d : d;
}

/* ---- the editor ------------------------------------------------------------ */

gboolean
uitest_register_application (GApplication  *app,
                             GError       **error)
{
  g_application_set_flags (app, g_application_get_flags (app) | G_APPLICATION_NON_UNIQUE);
  return g_application_register (app, NULL, error);
}

gboolean
uitest_editor_start (UitestEditor   *editor,
                     GtkApplication *app,
                     const char     *scratch_template)
{
  g_autoptr(GError) error = NULL;

  editor->scratch = uitest_scratch_dir (scratch_template);
  if (editor->scratch == NULL)
    {
      g_object_unref (app);
      return FALSE;
    }
  editor->app = app;
  editor->registered = uitest_register_application (G_APPLICATION (app), &error);
  if (!editor->registered)
    fprintf (stderr, "could not register the application: %s\n", error->message);
  editor->window = tinta_window_new (app);
  return TRUE;
}

void
uitest_editor_clear (UitestEditor *editor)
{
  GList *windows;

  if (editor->app != NULL)
    {
      while ((windows = gtk_application_get_windows (editor->app)) != NULL)
        gtk_window_destroy (windows->data);
      uitest_settle ();
      g_clear_object (&editor->app);
    }
  editor->window = NULL;
  if (editor->scratch != NULL)
    uitest_remove_tree (editor->scratch);
  g_clear_pointer (&editor->scratch, g_free);
}

gboolean
uitest_activate (TintaWindow *window,
                 const char  *action,
                 GVariant    *parameter)
{
  return gtk_widget_activate_action_variant (GTK_WIDGET (window), action, parameter);
}

guint
uitest_n_keyframes (TintaWindow *window)
{
  guint n = 0;

  if (tinta_window_get_clip (window) != NULL)
    tinta_clip_get_keyframes (tinta_window_get_clip (window), &n);
  return n;
}

gboolean
uitest_title_is_dirty (TintaWindow *window)
{
  return g_str_has_prefix (gtk_window_get_title (GTK_WINDOW (window)), "•");
}

GtkEventController *
uitest_find_controller (GtkWidget  *widget,
                        GType       type,
                        const char *name)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (controller, type) &&
          (name == NULL || g_strcmp0 (gtk_event_controller_get_name (controller), name) == 0))
        return controller;
    }
  return NULL;
}

GtkDialog *
uitest_find_prompt (GtkWindow *parent)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) toplevel = g_list_model_get_item (toplevels, i);

      if (GTK_IS_MESSAGE_DIALOG (toplevel) &&
          (parent == NULL || gtk_window_get_transient_for (GTK_WINDOW (toplevel)) == parent) &&
          gtk_widget_get_visible (GTK_WIDGET (toplevel)))
        return GTK_DIALOG (toplevel);
    }
  return NULL;
}

gboolean
uitest_answer_prompt (GtkWindow *parent,
                      int        response)
{
  GtkDialog *prompt = uitest_find_prompt (parent);

  if (prompt == NULL)
    return FALSE;
  gtk_dialog_response (prompt, response);
  uitest_settle ();
  return TRUE;
}

static void
export_finished_cb (TintaExportDialog *dialog,
                    gboolean           success,
                    const char        *path,
                    int               *result)
{
  *result = success ? 1 : 2;
}

void
uitest_watch_export (TintaExportDialog *dialog,
                     int               *result)
{
  g_signal_connect (dialog, "finished", G_CALLBACK (export_finished_cb), result);
}

int
uitest_wait_export (int   *result,
                    guint  timeout_ms)
{
  gboolean finished;

  UITEST_SPIN_UNTIL (finished, *result != 0, timeout_ms);
  return finished ? *result : 0;
}
