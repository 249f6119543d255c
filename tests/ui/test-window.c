/* test-window.c: the editor end to end in a real window (run under Xvfb).
 *
 * Makes a 320×240, 64-frame H.264 clip with ffmpeg whose left half is pure
 * red and right half pure blue, opens it in a TintaWindow of a real
 * TintaApplication, waits until the viewer has drawn, snapshots the whole
 * window the way GTK renders it, and checks pixels: red on the left, blue on
 * the right, gray of the right lightness with show-color off, the dark
 * letterbox around an image of the right aspect.  Also: the title and
 * subtitle, errors for bad input shown in the window with the TINTA_ERROR
 * domain, and the application's activate/open paths.  Run a second time
 * with LANGUAGE=de and the build tree's translations, the texts are checked
 * in German.  The snapshots are kept in the build folder
 * (TINTA_TEST_OUTPUT_DIR) to look at. */

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

#define CLIP_WIDTH 320
#define CLIP_HEIGHT 240
#define CLIP_FRAMES 64
#define WAIT_TIMEOUT_MS 20000

/* Background of the viewer, #1e1e1e. */
#define BACKGROUND_LEVEL 30

typedef struct {
  guchar *data;
  int     width;
  int     height;
  gsize   stride;
  /* Window coordinates of pixel (0, 0): a client-side decorated window
   * draws its frame outside its own allocation, at negative coordinates. */
  double  origin_x;
  double  origin_y;
} Pixels;

typedef struct {
  double r, g, b;
} Color;

/* What the window says, in the language the test runs in. */
typedef struct {
  const char *language;
  const char *frames;
  const char *could_not_open;
  const char *not_found;
} Expected;

static const Expected expected_texts[] = {
  { "en", "64 frames", "Could not open", "The file or folder does not exist." },
  { "de", "64 Bilder", "konnte nicht geöffnet werden", "Die Datei oder der Ordner existiert nicht." },
};

static const Expected *expected = &expected_texts[0];

static void
pixels_clear (Pixels *pixels)
{
  g_clear_pointer (&pixels->data, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Pixels, pixels_clear)

/* Encodes lavfi `input` (after `filter`, if any) as H.264 4:2:0 to path,
 * or as numbered PNGs when path is a pattern like "dir/%05d.png". */
static gboolean
make_clip (const char *path,
           const char *input,
           const char *filter,
           int         frames)
{
  const char *ffmpeg = g_getenv ("FFMPEG");
  g_autofree char *standard_error = NULL;
  g_autofree char *frame_count = g_strdup_printf ("%d", frames);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  int wait_status = 0;

  g_ptr_array_add (argv, (char *) (ffmpeg != NULL ? ffmpeg : "ffmpeg"));
  g_ptr_array_add (argv, (char *) "-hide_banner");
  g_ptr_array_add (argv, (char *) "-loglevel");
  g_ptr_array_add (argv, (char *) "error");
  g_ptr_array_add (argv, (char *) "-y");
  g_ptr_array_add (argv, (char *) "-f");
  g_ptr_array_add (argv, (char *) "lavfi");
  g_ptr_array_add (argv, (char *) "-i");
  g_ptr_array_add (argv, (char *) input);
  if (filter != NULL)
    {
      g_ptr_array_add (argv, (char *) "-vf");
      g_ptr_array_add (argv, (char *) filter);
    }
  g_ptr_array_add (argv, (char *) "-frames:v");
  g_ptr_array_add (argv, frame_count);
  g_ptr_array_add (argv, (char *) "-c:v");
  g_ptr_array_add (argv, (char *) (g_str_has_suffix (path, ".png") ? "png" : "libx264"));
  g_ptr_array_add (argv, (char *) "-pix_fmt");
  g_ptr_array_add (argv, (char *) (g_str_has_suffix (path, ".png") ? "rgb24" : "yuv420p"));
  g_ptr_array_add (argv, (char *) path);
  g_ptr_array_add (argv, NULL);

  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH,
                     NULL, NULL, NULL, &standard_error, &wait_status, &error) ||
      !g_spawn_check_wait_status (wait_status, &error))
    {
      fprintf (stderr, "ffmpeg failed: %s\n%s\n", error->message,
               standard_error != NULL ? standard_error : "");
      return FALSE;
    }

  return TRUE;
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static gboolean
timed_out_cb (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main loop until *counter reaches target; FALSE on timeout. */
static gboolean
wait_for_count (const guint *counter,
                guint        target)
{
  gboolean timed_out = FALSE;
  guint timeout_id = g_timeout_add (WAIT_TIMEOUT_MS, timed_out_cb, &timed_out);

  while (*counter < target && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  if (!timed_out)
    g_source_remove (timeout_id);

  /* Let the idle work queued by the frame (layout, notifications) settle
   * so the snapshot sees the same state the frame was drawn for. */
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);

  return *counter >= target;
}

static void
presented_cb (TintaViewer *viewer,
              guint       *counter)
{
  (*counter)++;
}

/* Renders the window as GTK would put it on screen, frame included, and
 * saves it as PNG. */
static gboolean
snapshot_window (GtkWidget  *window,
                 const char *png_path,
                 Pixels     *pixels)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (window);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GskRenderer *renderer = gtk_native_get_renderer (GTK_NATIVE (window));
  graphene_rect_t bounds;
  int width, height;

  /* The paintable draws the window's whole bounds (frame included) at its
   * intrinsic size; drawn at any other size it would be scaled, and the
   * coordinates below would not match. */
  if (!gtk_widget_compute_bounds (window, window, &bounds))
    return FALSE;
  width = gdk_paintable_get_intrinsic_width (paintable);
  height = gdk_paintable_get_intrinsic_height (paintable);
  pixels->origin_x = bounds.origin.x;
  pixels->origin_y = bounds.origin.y;

  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  if (node == NULL || renderer == NULL)
    return FALSE;

  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (texture == NULL)
    return FALSE;

  if (!gdk_texture_save_to_png (texture, png_path))
    fprintf (stderr, "could not save %s\n", png_path);

  pixels->width = gdk_texture_get_width (texture);
  pixels->height = gdk_texture_get_height (texture);
  pixels->stride = (gsize) pixels->width * 4;
  pixels->data = g_malloc (pixels->stride * pixels->height);
  gdk_texture_download (texture, pixels->data, pixels->stride);

  return TRUE;
}

/* Mean color of a 5×5 block: H.264 leaves a little noise even in flat
 * areas.  gdk_texture_download gives Cairo's ARGB32 (B, G, R, A in memory
 * on little-endian machines, premultiplied; the window is opaque here). */
static Color
sample (const Pixels *pixels,
        double        x,
        double        y)
{
  Color c = { 0, 0, 0 };
  int cx = (int) (x - pixels->origin_x);
  int cy = (int) (y - pixels->origin_y);
  int n = 0;

  for (int dy = -2; dy <= 2; dy++)
    for (int dx = -2; dx <= 2; dx++)
      {
        int px = CLAMP (cx + dx, 0, pixels->width - 1);
        int py = CLAMP (cy + dy, 0, pixels->height - 1);
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

static void
print_color (const char  *what,
             const Color *c)
{
  printf ("  %-22s R %5.1f  G %5.1f  B %5.1f\n", what, c->r, c->g, c->b);
}

/* Where the image is in window coordinates. */
static gboolean
image_bounds_in_window (TintaWindow     *window,
                        graphene_rect_t *image,
                        graphene_rect_t *viewer_bounds)
{
  TintaViewer *viewer = tinta_window_get_viewer (window);
  graphene_rect_t in_viewer;

  if (!tinta_viewer_get_image_bounds (viewer, &in_viewer) ||
      !gtk_widget_compute_bounds (GTK_WIDGET (viewer), GTK_WIDGET (window), viewer_bounds))
    return FALSE;

  graphene_rect_init (image,
                      viewer_bounds->origin.x + in_viewer.origin.x,
                      viewer_bounds->origin.y + in_viewer.origin.y,
                      in_viewer.size.width, in_viewer.size.height);
  return TRUE;
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

static void
check_color_frame (const Pixels          *pixels,
                   const graphene_rect_t *image,
                   const graphene_rect_t *viewer)
{
  double cy = image->origin.y + image->size.height / 2;
  Color left = sample (pixels, image->origin.x + image->size.width * 0.25, cy);
  Color right = sample (pixels, image->origin.x + image->size.width * 0.75, cy);
  double right_edge = image->origin.x + image->size.width;
  Color inside_left = sample (pixels, image->origin.x + 3, cy);
  Color inside_right = sample (pixels, right_edge - 3, cy);
  Color band;

  print_color ("color, left half", &left);
  print_color ("color, right half", &right);
  print_color ("color, left edge", &inside_left);
  print_color ("color, right edge", &inside_right);

  /* Pure red and pure blue survive H.264 4:2:0 and the Lab round trip
   * within a few levels away from the boundary. */
  CHECK_MSG (left.r >= 230 && left.g <= 25 && left.b <= 25,
             "left half should be red, got %.0f %.0f %.0f", left.r, left.g, left.b);
  CHECK_MSG (right.b >= 230 && right.r <= 25 && right.g <= 25,
             "right half should be blue, got %.0f %.0f %.0f", right.r, right.g, right.b);
  /* The 5×5 samples 3 px inside and outside the edges touch only image,
   * or only background: the image is drawn exactly where
   * tinta_viewer_get_image_bounds() says. */
  CHECK_MSG (inside_left.r >= 230 && inside_left.g <= 25 && inside_left.b <= 25,
             "the image should start where the viewer says, got %.0f %.0f %.0f",
             inside_left.r, inside_left.g, inside_left.b);
  CHECK_MSG (inside_right.b >= 230 && inside_right.r <= 25 && inside_right.g <= 25,
             "the image should end where the viewer says, got %.0f %.0f %.0f",
             inside_right.r, inside_right.g, inside_right.b);

  /* Aspect ratio kept: the viewer area is wider than 4:3 here, so the
   * image is pillarboxed by the background on both sides. */
  CHECK_NEAR (image->size.width / image->size.height,
              (double) CLIP_WIDTH / CLIP_HEIGHT, 0.01);
  CHECK_MSG (image->origin.x - viewer->origin.x >= 8,
             "expected a pillarbox band, image x %.0f viewer x %.0f",
             image->origin.x, viewer->origin.x);

  band = sample (pixels, (viewer->origin.x + image->origin.x) / 2, cy);
  print_color ("letterbox band", &band);
  CHECK_NEAR (band.r, BACKGROUND_LEVEL, 2);
  CHECK_NEAR (band.g, BACKGROUND_LEVEL, 2);
  CHECK_NEAR (band.b, BACKGROUND_LEVEL, 2);

  band = sample (pixels, image->origin.x - 3, cy);
  print_color ("just left of the image", &band);
  CHECK_NEAR (band.r, BACKGROUND_LEVEL, 2);
  CHECK_NEAR (band.b, BACKGROUND_LEVEL, 2);

  band = sample (pixels, right_edge + 3, cy);
  print_color ("just right of the image", &band);
  CHECK_NEAR (band.r, BACKGROUND_LEVEL, 2);
  CHECK_NEAR (band.b, BACKGROUND_LEVEL, 2);
}

static void
check_gray_frame (const Pixels          *pixels,
                  const graphene_rect_t *image)
{
  double cy = image->origin.y + image->size.height / 2;
  Color left = sample (pixels, image->origin.x + image->size.width * 0.25, cy);
  Color right = sample (pixels, image->origin.x + image->size.width * 0.75, cy);

  print_color ("gray, left half", &left);
  print_color ("gray, right half", &right);

  CHECK_NEAR (left.r, left.g, 2);
  CHECK_NEAR (left.g, left.b, 2);
  CHECK_NEAR (right.r, right.g, 2);
  CHECK_NEAR (right.g, right.b, 2);

  /* L of sRGB red is 53.24 and of blue 32.30; shown as gray they are the
   * sRGB levels of Y = 0.2126 and 0.0722: 127 and 76. */
  CHECK_NEAR (left.g, 127, 6);
  CHECK_NEAR (right.g, 76, 6);
}

/* The shader's Lab -> sRGB against the engine's (tinta_lab_to_srgb8 made
 * the frame's rgb bytes from the same decode): the centers of the seven
 * SMPTE bars, flat areas where scaling cannot mix colors. */
static void
check_parity_with_engine (const Pixels          *pixels,
                          const graphene_rect_t *image,
                          const tinta_frame     *frame)
{
  for (int i = 0; i < 7; i++)
    {
      double u = (i + 0.5) / 7;
      double v = 0.33;
      Color shown = sample (pixels, image->origin.x + u * image->size.width,
                            image->origin.y + v * image->size.height);
      const guint8 *engine = frame->rgb + 3 * ((gsize) (v * frame->height) * frame->width +
                                               (gsize) (u * frame->width));

      printf ("  bar %d: shown %3.0f %3.0f %3.0f, engine %3d %3d %3d\n",
              i, shown.r, shown.g, shown.b, engine[0], engine[1], engine[2]);
      CHECK_NEAR (shown.r, engine[0], 1.5);
      CHECK_NEAR (shown.g, engine[1], 1.5);
      CHECK_NEAR (shown.b, engine[2], 1.5);
    }
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
main (int   argc,
      char *argv[])
{
  g_autoptr(TintaApplication) app = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *scratch = NULL;
  g_autofree char *clip = NULL;
  g_autofree char *color_png = NULL;
  g_autofree char *gray_png = NULL;
  g_autofree char *bars_clip = NULL;
  g_autofree char *bars_png = NULL;
  g_autofree char *sequence_dir = NULL;
  g_autofree char *sequence_pattern = NULL;
  g_autofree char *empty_path = NULL;
  g_autofree char *garbage_path = NULL;
  g_autofree char *missing_path = NULL;
  g_auto(Pixels) color_pixels = { 0 };
  g_auto(Pixels) gray_pixels = { 0 };
  g_auto(Pixels) bars_pixels = { 0 };
  const char *output_dir = g_getenv ("TINTA_TEST_OUTPUT_DIR");
  graphene_rect_t image, viewer_bounds;
  TintaWindow *window;
  TintaViewer *viewer;
  GList *windows;
  guint presented = 0;
  const char *subtitle;

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

  if (!gtk_init_check ())
    tinta_test_skip ("cannot open a display; run under xvfb-run");

  if (output_dir == NULL)
    output_dir = ".";
  g_mkdir_with_parents (output_dir, 0755);

  scratch = g_dir_make_tmp ("tinta-ui-XXXXXX", &error);
  if (scratch == NULL)
    {
      fprintf (stderr, "no scratch folder: %s\n", error->message);
      return 1;
    }
  clip = g_build_filename (scratch, "red-blue.mp4", NULL);
  /* Left half red, right half blue: the red source is padded to full
   * width with blue. */
  if (!make_clip (clip, "color=c=red:s=160x240:r=25",
                  "pad=320:240:0:0:blue", CLIP_FRAMES))
    {
      CHECK_MSG (FALSE, "could not make the test clip with ffmpeg");
      remove_tree (scratch);
      return tinta_test_end ("window");
    }

  app = tinta_application_new ();
  /* Another Tinta on the session bus must not take our windows. */
  g_application_set_flags (G_APPLICATION (app),
                           g_application_get_flags (G_APPLICATION (app)) | G_APPLICATION_NON_UNIQUE);
  CHECK (g_application_register (G_APPLICATION (app), NULL, &error));
  g_clear_error (&error);

  /* An empty window first. */
  window = tinta_window_new (GTK_APPLICATION (app));
  viewer = tinta_window_get_viewer (window);
  g_signal_connect (viewer, "presented", G_CALLBACK (presented_cb), &presented);
  gtk_window_present (GTK_WINDOW (window));

  CHECK (tinta_window_get_clip_path (window) == NULL);
  CHECK (tinta_window_get_subtitle (window) == NULL);
  CHECK (tinta_window_get_message (window) == NULL);
  CHECK (g_strcmp0 (gtk_window_get_title (GTK_WINDOW (window)), "Tinta") == 0);

  /* Open the clip and wait for the viewer to draw it. */
  CHECK (tinta_window_open_path (window, clip, &error));
  if (error != NULL)
    fprintf (stderr, "open: %s\n", error->message);
  g_clear_error (&error);

  CHECK_MSG (strstr (gtk_window_get_title (GTK_WINDOW (window)), "red-blue.mp4") != NULL,
             "title: %s", gtk_window_get_title (GTK_WINDOW (window)));
  subtitle = tinta_window_get_subtitle (window);
  printf ("  subtitle: %s\n", subtitle != NULL ? subtitle : "(none)");
  CHECK (subtitle != NULL && strstr (subtitle, "320×240") != NULL);
  CHECK (subtitle != NULL && strstr (subtitle, expected->frames) != NULL);
  CHECK (subtitle != NULL && strstr (subtitle, "25 fps") != NULL);
  CHECK (tinta_window_get_message (window) == NULL);
  CHECK (tinta_viewer_get_show_color (viewer));

  CHECK_MSG (wait_for_count (&presented, 1), "the viewer never drew the frame");

  color_png = g_build_filename (output_dir, "window-color.png", NULL);
  CHECK (snapshot_window (GTK_WIDGET (window), color_png, &color_pixels));
  CHECK (image_bounds_in_window (window, &image, &viewer_bounds));
  printf ("  window %dx%d (snapshot %dx%d from %.0f,%.0f), image at %.0f,%.0f size %.0fx%.0f\n",
          gtk_widget_get_width (GTK_WIDGET (window)), gtk_widget_get_height (GTK_WIDGET (window)),
          color_pixels.width, color_pixels.height, color_pixels.origin_x, color_pixels.origin_y,
          image.origin.x, image.origin.y, image.size.width, image.size.height);
  if (color_pixels.data != NULL)
    check_color_frame (&color_pixels, &image, &viewer_bounds);

  /* Gray: through the window action the header bar's toggle uses. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-color", NULL);
  CHECK (!tinta_viewer_get_show_color (viewer));
  CHECK_MSG (wait_for_count (&presented, presented + 1), "the viewer never redrew in gray");

  gray_png = g_build_filename (output_dir, "window-gray.png", NULL);
  CHECK (snapshot_window (GTK_WIDGET (window), gray_png, &gray_pixels));
  if (gray_pixels.data != NULL)
    check_gray_frame (&gray_pixels, &image);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-color", NULL);
  CHECK (tinta_viewer_get_show_color (viewer));

  /* A second clip replaces the first in the same window. */
  bars_clip = g_build_filename (scratch, "bars.mp4", NULL);
  CHECK (make_clip (bars_clip, "smptebars=s=320x240:r=25", NULL, 4));
  CHECK (tinta_window_open_path (window, bars_clip, NULL));
  CHECK (strstr (gtk_window_get_title (GTK_WINDOW (window)), "bars.mp4") != NULL);
  CHECK_MSG (wait_for_count (&presented, presented + 1), "the viewer never drew the bars");

  bars_png = g_build_filename (output_dir, "window-bars.png", NULL);
  CHECK (snapshot_window (GTK_WIDGET (window), bars_png, &bars_pixels));
  CHECK (image_bounds_in_window (window, &image, &viewer_bounds));
  if (bars_pixels.data != NULL && tinta_viewer_get_frame (viewer) != NULL)
    check_parity_with_engine (&bars_pixels, &image, tinta_viewer_get_frame (viewer));

  /* A folder of numbered images opens like a clip, named after the folder. */
  sequence_dir = g_build_filename (scratch, "shot-12", NULL);
  sequence_pattern = g_build_filename (sequence_dir, "%05d.png", NULL);
  g_mkdir (sequence_dir, 0755);
  CHECK (make_clip (sequence_pattern, "testsrc2=s=96x64:r=24", NULL, 3));
  CHECK (tinta_window_open_path (window, sequence_dir, &error));
  if (error != NULL)
    fprintf (stderr, "open %s: %s\n", sequence_dir, error->message);
  g_clear_error (&error);
  CHECK (strstr (gtk_window_get_title (GTK_WINDOW (window)), "shot-12") != NULL);
  subtitle = tinta_window_get_subtitle (window);
  printf ("  image sequence subtitle: %s\n", subtitle != NULL ? subtitle : "(none)");
  CHECK (subtitle != NULL && strstr (subtitle, "96×64") != NULL);
  CHECK (subtitle != NULL && strstr (subtitle, "24 fps") != NULL);
  CHECK (tinta_window_open_path (window, bars_clip, NULL));

  /* Bad input: a GError in the TINTA_ERROR domain, the message in the
   * window, the open clip untouched. */
  missing_path = g_build_filename (scratch, "missing.mp4", NULL);
  check_open_error (window, missing_path, TINTA_ERR_NOT_FOUND, bars_clip, expected->not_found);

  empty_path = g_build_filename (scratch, "empty.mp4", NULL);
  g_file_set_contents (empty_path, "", 0, NULL);
  check_open_error (window, empty_path, TINTA_ERR_EMPTY_FILE, bars_clip, NULL);

  garbage_path = g_build_filename (scratch, "garbage.mp4", NULL);
  g_file_set_contents (garbage_path, "this is not a video, just some text\n", -1, NULL);
  check_open_error (window, garbage_path, TINTA_ERR_INVALID_DATA, bars_clip, NULL);

  CHECK (strstr (gtk_window_get_title (GTK_WINDOW (window)), "bars.mp4") != NULL);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.dismiss-message", NULL);
  CHECK (tinta_window_get_message (window) == NULL);

  /* The application: activate opens an empty window, open one per file. */
  g_application_activate (G_APPLICATION (app));
  windows = gtk_application_get_windows (GTK_APPLICATION (app));
  CHECK_INT (g_list_length (windows), 2);
  CHECK (windows != NULL && TINTA_IS_WINDOW (windows->data) &&
         tinta_window_get_clip_path (windows->data) == NULL);

  {
    g_autoptr(GFile) clip_file = g_file_new_for_path (clip);
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
        CHECK (g_strcmp0 (tinta_window_get_clip_path (clip_window), clip) == 0);
      }
  }

  /* GSettings (the memory backend here): the folder of the last clip, and
   * the size a closed window had, which the next window starts with. */
  {
    g_autoptr(GSettings) settings = g_settings_new ("org.tinta.Tinta");
    g_autofree char *last_folder = g_settings_get_string (settings, "last-folder");
    TintaWindow *sized = tinta_window_new (GTK_APPLICATION (app));
    int width = 0, height = 0;

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

  printf ("  snapshots: %s %s %s\n", color_png, gray_png, bars_png);

  while ((windows = gtk_application_get_windows (GTK_APPLICATION (app))) != NULL)
    gtk_window_destroy (windows->data);
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);

  remove_tree (scratch);

  return tinta_test_end ("window");
}
