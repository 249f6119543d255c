/* test-editor-flows.c: what keeps the user's work and tells where it went,
 * in real windows of a real TintaApplication (run under Xvfb):
 *
 *   - crash recovery: untitled work that a crashed Tinta left in a
 *     recovery file is offered by the first window (Restore / Discard);
 *     Restore brings the clip and its keyframes back, as unsaved work saved
 *     to this session's own recovery file; Discard removes the file; a
 *     file of a live process is never offered;
 *   - the prompt before opening over unsaved edits (win.open-recent, as
 *     the menu does): Cancel keeps everything, Discard opens the other
 *     clip, Save writes the project first;
 *   - export from the window (win.export): the dialog closes on success
 *     and the window's toast says "Exported 10 frames to “…”" with Open
 *     Folder; the file is what ffprobe reads as 10 frames, and a partial
 *     (painted) keyframe shows its color in the exported frame, decoded
 *     back by ffmpeg.
 * Recovery files go to XDG_STATE_HOME, which the suite points at the
 * build tree. */

#include "config.h"

#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <tinta/color.h>
#include <tinta/media.h>
#include <tinta/project.h>

#include "tinta-application.h"
#include "tinta-window.h"

#include "../engine/tinta-test.h"
#include "uitest.h"

#define TIMEOUT_MS 240000
#define EXPORT_LAST 9
#define PAINT_FRAME 5
/* The painted square (320x240 clip) and its colour: magenta, nothing
 * like testsrc2 there. */
#define SQ_X0 100
#define SQ_X1 220
#define SQ_Y0 70
#define SQ_Y1 170
#define PAINT_A 60.0f
#define PAINT_B (-50.0f)

static gboolean
clip_is (TintaWindow *window,
         const char  *path)
{
  return g_strcmp0 (tinta_window_get_clip_path (window), path) == 0;
}

/* A process id that is certainly gone: a child that has exited and been
 * reaped. */
static GPid
dead_pid (void)
{
  const char *argv[] = { "true", NULL };
  GPid pid = 0;

  if (!g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD,
                      NULL, NULL, &pid, NULL))
    return 0;
  waitpid (pid, NULL, 0);
  return pid;
}

/* A recovery file at @path for @clip with full keyframes (the clip's own
 * colours) at @frames. */
static gboolean
write_recovery (const char         *path,
                const char         *clip,
                const long long    *frames,
                int                 n)
{
  tinta_media *media = NULL;
  tinta_project *project = tinta_project_new ();
  tinta_frame *colors = NULL;
  tinta_error err = { 0 };
  int st = tinta_media_open (clip, &media, &err);

  if (st == TINTA_OK)
    st = tinta_project_set_clip (project, clip, tinta_media_get_info (media), &err);
  if (st == TINTA_OK)
    colors = tinta_frame_new (tinta_media_get_info (media)->width, tinta_media_get_info (media)->height,
                              TINTA_FRAME_LAB | TINTA_FRAME_RGB);
  for (int i = 0; st == TINTA_OK && i < n; i++)
    {
      st = tinta_media_read (media, frames[i], colors, &err);
      if (st == TINTA_OK)
        st = tinta_project_add_key (project, frames[i], colors, NULL, &err);
    }
  if (st == TINTA_OK)
    st = tinta_project_save (project, path, &err);
  if (st != TINTA_OK)
    fprintf (stderr, "recovery file %s: %s\n", path, err.message);
  tinta_frame_free (colors);
  tinta_project_free (project);
  tinta_media_free (media);
  return st == TINTA_OK;
}

static void
check_crash_recovery (TintaApplication *app,
                      const char       *clip)
{
  char folder[4096];
  g_autofree char *newest = NULL;
  g_autofree char *older = NULL;
  g_autofree char *live = NULL;
  g_autofree char *own = NULL;
  const long long frames_a[] = { 0, 12 };
  const long long frames_b[] = { 3 };
  GPid pid_a = dead_pid (), pid_b = dead_pid ();
  GList *windows;
  TintaWindow *window;
  GtkDialog *prompt;

  CHECK (pid_a > 0 && pid_b > 0);
  CHECK_INT (tinta_project_recovery_path ("", folder, sizeof folder), TINTA_OK);
  newest = g_strdup_printf ("%suntitled-%ld.tinta", folder, (long) pid_a);
  older = g_strdup_printf ("%suntitled-%ld-2.tinta", folder, (long) pid_b);
  /* This very process's: alive, so never a crash's leftover. */
  live = g_strdup_printf ("%suntitled-%ld-77.tinta", folder, (long) getpid ());
  CHECK (write_recovery (older, clip, frames_b, 1));
  CHECK (write_recovery (live, clip, frames_b, 1));
  CHECK (write_recovery (newest, clip, frames_a, 2));
  {
    struct utimbuf old_times = { .actime = time (NULL) - 600, .modtime = time (NULL) - 600 };

    CHECK (g_utime (older, &old_times) == 0);
  }

  /* Start-up: the application's first window, and the offer over it. */
  g_application_activate (G_APPLICATION (app));
  windows = gtk_application_get_windows (GTK_APPLICATION (app));
  CHECK_INT (g_list_length (windows), 1);
  if (windows == NULL)
    return;
  window = windows->data;
  prompt = uitest_find_prompt (GTK_WINDOW (window));
  CHECK_MSG (prompt != NULL, "no offer to restore the crashed session's work");
  if (prompt != NULL)
    {
      g_autofree char *secondary = NULL;

      g_object_get (prompt, "secondary-text", &secondary, NULL);
      CHECK_MSG (secondary != NULL && strstr (secondary, "pattern.mp4") != NULL, "offer: %s", secondary);
    }

  /* Restore: the newest file's clip and both its keyframes, unsaved, in
   * this session's own recovery file; the old file goes. */
  CHECK (uitest_answer_prompt (GTK_WINDOW (window), GTK_RESPONSE_ACCEPT));
  CHECK_MSG (clip_is (window, clip), "restored clip %s", tinta_window_get_clip_path (window));
  CHECK_INT (uitest_n_keyframes (window), 2);
  CHECK (tinta_window_get_clip (window) != NULL &&
         tinta_clip_get_keyframe_colors (tinta_window_get_clip (window), 12, NULL) != NULL);
  CHECK_MSG (uitest_title_is_dirty (window), "title %s", gtk_window_get_title (GTK_WINDOW (window)));
  CHECK (!g_file_test (newest, G_FILE_TEST_EXISTS));
  CHECK_INT (tinta_project_recovery_path (NULL, folder, sizeof folder), TINTA_OK);
  own = g_strdup (folder);
  CHECK_MSG (g_file_test (own, G_FILE_TEST_EXISTS), "the restored work is not autosaved to %s", own);

  /* The next one is offered then; Discard removes it. */
  CHECK_MSG (uitest_answer_prompt (GTK_WINDOW (window), GTK_RESPONSE_REJECT), "the older file was not offered");
  CHECK (!g_file_test (older, G_FILE_TEST_EXISTS));
  CHECK_INT (uitest_n_keyframes (window), 2);
  CHECK (uitest_find_prompt (GTK_WINDOW (window)) == NULL);
  CHECK (g_file_test (live, G_FILE_TEST_EXISTS));

  /* Later windows do not ask again. */
  CHECK (!tinta_window_offer_crash_recovery (window));
  g_unlink (live);

  /* Closing with Discard leaves no recovery file behind. */
  gtk_window_close (GTK_WINDOW (window));
  uitest_settle ();
  CHECK (uitest_answer_prompt (GTK_WINDOW (window), 1 /* Discard */));
  CHECK (!g_file_test (own, G_FILE_TEST_EXISTS));
  CHECK_INT (g_list_length (gtk_application_get_windows (GTK_APPLICATION (app))), 0);
}

static void
check_open_prompt (TintaApplication *app,
                   const char       *clip,
                   const char       *other,
                   const char       *key_png,
                   const char       *scratch)
{
  g_autofree char *other_uri = g_filename_to_uri (other, NULL, NULL);
  g_autofree char *project_path = g_build_filename (scratch, "prompt.tinta", NULL);
  TintaWindow *window = tinta_window_new (GTK_APPLICATION (app));
  tinta_project *project = NULL;
  tinta_error err = { 0 };

  gtk_window_present (GTK_WINDOW (window));
  CHECK (tinta_window_open_path (window, clip, NULL));
  /* Not modified: no question. */
  CHECK (uitest_activate (window, "win.open-recent", g_variant_new_string (other_uri)));
  CHECK (uitest_find_prompt (GTK_WINDOW (window)) == NULL);
  CHECK (clip_is (window, other));

  CHECK (tinta_window_open_path (window, clip, NULL));
  CHECK (uitest_activate (window, "win.import-keyframe-file", g_variant_new_string (key_png)));
  CHECK (uitest_title_is_dirty (window));
  CHECK (tinta_window_autosave (window, NULL));

  /* Cancel: the clip, its keyframe and the unsaved marker stay. */
  CHECK (uitest_activate (window, "win.open-recent", g_variant_new_string (other_uri)));
  CHECK_MSG (uitest_answer_prompt (GTK_WINDOW (window), GTK_RESPONSE_CANCEL), "no prompt before opening over unsaved edits");
  CHECK (clip_is (window, clip));
  CHECK_INT (uitest_n_keyframes (window), 1);
  CHECK (uitest_title_is_dirty (window));

  /* Discard: the other clip, clean. */
  CHECK (uitest_activate (window, "win.open-recent", g_variant_new_string (other_uri)));
  CHECK (uitest_answer_prompt (GTK_WINDOW (window), 1 /* Discard */));
  CHECK_MSG (clip_is (window, other), "clip %s", tinta_window_get_clip_path (window));
  CHECK_INT (uitest_n_keyframes (window), 0);
  CHECK (!uitest_title_is_dirty (window));

  /* Save (a saved project): the edit is written, then the other opens. */
  CHECK (tinta_window_open_path (window, clip, NULL));
  CHECK (uitest_activate (window, "win.import-keyframe-file", g_variant_new_string (key_png)));
  CHECK (tinta_window_save_project_to (window, project_path, NULL));
  tinta_timeline_set_position (tinta_window_get_timeline (window), 7);
  CHECK (uitest_activate (window, "win.import-keyframe-file", g_variant_new_string (key_png)));
  CHECK (uitest_title_is_dirty (window));
  CHECK (uitest_activate (window, "win.open-recent", g_variant_new_string (other_uri)));
  CHECK (uitest_answer_prompt (GTK_WINDOW (window), 2 /* Save */));
  CHECK (clip_is (window, other));
  CHECK (!uitest_title_is_dirty (window));
  CHECK_INT (tinta_project_load (project_path, &project, &err), TINTA_OK);
  CHECK (project != NULL && project->n_keys == 2);
  tinta_project_free (project);

  gtk_window_destroy (GTK_WINDOW (window));
  uitest_settle ();
}

static void
check_export (TintaApplication *app,
              const char       *clip,
              const char       *key_png,
              const char       *scratch)
{
  g_autofree char *out_path = g_build_filename (scratch, "flows.mkv", NULL);
  g_autofree char *raw_path = g_build_filename (scratch, "frame5.rgb", NULL);
  g_autofree char *probe = NULL;
  g_autofree guchar *raw = NULL;
  gsize raw_size = 0;
  TintaWindow *window = tinta_window_new (GTK_APPLICATION (app));
  TintaExportDialog *dialog;
  g_autoptr(GError) error = NULL;
  tinta_frame *paint = NULL;
  float *alpha;
  int result = 0;

  gtk_window_present (GTK_WINDOW (window));
  CHECK (tinta_window_open_path (window, clip, NULL));
  CHECK (uitest_activate (window, "win.import-keyframe-file", g_variant_new_string (key_png)));

  /* A painted square at frame 5: a partial keyframe of the clip. */
  {
    tinta_media *media = NULL;
    tinta_error err = { 0 };

    CHECK_INT (tinta_media_open (clip, &media, &err), TINTA_OK);
    paint = tinta_frame_new (320, 240, TINTA_FRAME_LAB | TINTA_FRAME_RGB);
    CHECK_INT (tinta_media_read (media, PAINT_FRAME, paint, &err), TINTA_OK);
    tinta_media_free (media);
  }
  alpha = g_new0 (float, 320 * 240);
  for (int y = SQ_Y0; y < SQ_Y1; y++)
    for (int x = SQ_X0; x < SQ_X1; x++)
      {
        alpha[y * 320 + x] = 1.0f;
        paint->a[y * 320 + x] = PAINT_A;
        paint->b[y * 320 + x] = PAINT_B;
      }
  CHECK (tinta_clip_set_keyframe (tinta_window_get_clip (window), PAINT_FRAME, paint, alpha, &error));

  CHECK (uitest_activate (window, "win.export", NULL));
  dialog = tinta_window_get_export_dialog (window);
  CHECK (dialog != NULL);
  if (dialog == NULL)
    goto out;
  g_object_ref (dialog);
  uitest_watch_export (dialog, &result);
  tinta_export_dialog_set_format (dialog, TINTA_FORMAT_FFV1);
  tinta_export_dialog_set_range (dialog, 0, EXPORT_LAST);
  tinta_export_dialog_set_output (dialog, out_path);
  tinta_export_dialog_start (dialog);
  CHECK (tinta_export_dialog_is_running (dialog));
  CHECK_MSG (uitest_wait_export (&result, TIMEOUT_MS) == 1, "export: %d %s", result,
             tinta_export_dialog_get_error (dialog) ? tinta_export_dialog_get_error (dialog) : "");
  uitest_settle ();

  /* The dialog is gone; the window says where the file went. */
  CHECK (!gtk_widget_get_visible (GTK_WIDGET (dialog)));
  CHECK (tinta_window_get_export_dialog (window) == NULL);
  g_object_unref (dialog);
  CHECK_MSG (g_strcmp0 (tinta_window_get_toast (window), "Exported 10 frames to “flows.mkv”") == 0,
             "toast: %s", tinta_window_get_toast (window));
  CHECK (uitest_activate (window, "win.dismiss-toast", NULL));
  CHECK (tinta_window_get_toast (window) == NULL);

  /* ffprobe reads it; frame 5, decoded back, has the painted colour on
   * the clip's lightness in the square. */
  CHECK (uitest_probe_video (out_path, &probe));
  CHECK_MSG (g_strcmp0 (probe, "320,240,10") == 0, "ffprobe says %s", probe);
  {
    const char *args[] = { "-i", out_path, "-vf", "select=eq(n\\,5)", "-frames:v", "1", "-f", "rawvideo",
                           "-pix_fmt", "rgb24", raw_path, NULL };

    CHECK (uitest_ffmpeg (args));
    CHECK (g_file_get_contents (raw_path, (char **) &raw, &raw_size, NULL));
    CHECK_INT (raw_size, 320 * 240 * 3);
  }
  if (raw != NULL && raw_size == 320 * 240 * 3)
    {
      guchar *expected = g_malloc ((gsize) 320 * 240 * 3);
      double diff = 0, green_gap = 0;
      int n = 0;

      tinta_lab_to_srgb8 (paint->L, paint->a, paint->b, (size_t) 320 * 240, expected);
      for (int y = 110; y < 130; y++)
        for (int x = 150; x < 170; x++, n++)
          {
            const guchar *got = raw + (y * 320 + x) * 3, *want = expected + (y * 320 + x) * 3;

            for (int c = 0; c < 3; c++)
              diff += fabs ((double) got[c] - want[c]);
            green_gap += (got[0] + got[2]) / 2.0 - got[1];
          }
      printf ("exported frame 5, painted square: %.1f levels from the paint, magenta by %.1f\n",
              diff / (3 * n), green_gap / n);
      CHECK_MSG (diff / (3 * n) < 12.0, "%.1f levels from the painted colour", diff / (3 * n));
      CHECK_MSG (green_gap / n > 40.0, "not magenta: %.1f", green_gap / n);
      g_free (expected);
    }

out:
  g_free (alpha);
  tinta_frame_free (paint);
  /* The window has edits: closing without the prompt. */
  gtk_window_destroy (GTK_WINDOW (window));
  uitest_settle ();
  g_unlink (out_path);
  g_unlink (raw_path);
}

int
main (void)
{
  g_autofree char *scratch = NULL;
  g_autofree char *clip = NULL;
  g_autofree char *other = NULL;
  g_autofree char *key_png = NULL;
  g_autoptr(GError) error = NULL;
  TintaApplication *app;
  char folder[4096];

  uitest_init_display ();

  scratch = uitest_scratch_dir ("tinta-flows-XXXXXX");
  clip = g_build_filename (scratch, "pattern.mp4", NULL);
  other = g_build_filename (scratch, "other.mp4", NULL);
  key_png = g_build_filename (scratch, "key.png", NULL);
  if (!uitest_make_clip (clip, "testsrc2=size=320x240:rate=30", NULL, 30) ||
      !uitest_make_clip (other, "testsrc=size=160x120:rate=25", NULL, 8) ||
      !uitest_extract_first_frame (clip, key_png))
    {
      CHECK_MSG (FALSE, "ffmpeg could not make the test clips");
      return tinta_test_end ("editor-flows");
    }
  /* A clean recovery folder: no leftovers of earlier runs. */
  if (tinta_project_recovery_path ("", folder, sizeof folder) == TINTA_OK)
    uitest_remove_tree (folder);

  app = tinta_application_new ();
  CHECK (uitest_register_application (G_APPLICATION (app), &error));

  /* First: the offer belongs to the first window of the process. */
  check_crash_recovery (app, clip);
  check_open_prompt (app, clip, other, key_png, scratch);
  check_export (app, clip, key_png, scratch);

  g_object_unref (app);
  uitest_remove_tree (scratch);
  return tinta_test_end ("editor-flows");
}
