/* test-export.c: TintaExportDialog on a real clip (run under Xvfb).  A
 * 320x240, 30-frame testsrc2 clip with frame 0 as a full keyframe: FFV1 of
 * frames 0..9 lands as a file ffprobe reads as 10 frames of 320x240, and
 * the dialog closes itself; a cancelled export of the whole clip leaves
 * nothing behind and the dialog open.  (The window's side of an export,
 * its toast and partial keyframes, is test-editor-flows.c.) */

#include "config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>

#include "tinta-clip.h"
#include "tinta-export-dialog.h"

#include "../engine/tinta-test.h"

#define TIMEOUT_US (240 * G_USEC_PER_SEC)

static gboolean
run (const char *const *argv,
     char              **out)
{
  int status = 0;
  g_autoptr(GError) error = NULL;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, out, NULL, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    {
      fprintf (stderr, "%s failed: %s\n", argv[0], error->message);
      return FALSE;
    }
  return TRUE;
}

static void
finished_cb (TintaExportDialog *dialog,
             gboolean           success,
             const char        *path,
             int               *result)
{
  *result = success ? 1 : 2;
}

static int
wait_finished (int *result)
{
  gint64 end = g_get_monotonic_time () + TIMEOUT_US;

  while (*result == 0 && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  return *result;
}

int
main (void)
{
  const char *ffmpeg = g_getenv ("FFMPEG") ? g_getenv ("FFMPEG") : "ffmpeg";
  const char *ffprobe = g_getenv ("FFPROBE") ? g_getenv ("FFPROBE") : "ffprobe";
  g_autofree char *scratch = g_dir_make_tmp ("tinta-export-XXXXXX", NULL);
  g_autofree char *clip_path = g_build_filename (scratch, "clip.mp4", NULL);
  g_autofree char *key_path = g_build_filename (scratch, "key.png", NULL);
  g_autofree char *out_path = g_build_filename (scratch, "out.mkv", NULL);
  g_autofree char *cancel_path = g_build_filename (scratch, "cancelled.mov", NULL);
  g_autofree char *probe = NULL;
  g_autoptr(GError) error = NULL;
  TintaClip *clip;
  TintaExportDialog *dialog;
  int result = 0;

  gtk_init ();
  {
    const char *make[] = { ffmpeg, "-y", "-loglevel", "error", "-f", "lavfi", "-i",
                           "testsrc2=size=320x240:rate=30", "-frames:v", "30", "-c:v", "libx264",
                           "-pix_fmt", "yuv420p", clip_path, NULL };
    const char *key[] = { ffmpeg, "-y", "-loglevel", "error", "-i", clip_path, "-frames:v", "1",
                          key_path, NULL };
    CHECK (run (make, NULL) && run (key, NULL));
  }
  clip = tinta_clip_new (clip_path, 0, 0, &error);
  CHECK (clip != NULL);
  if (clip == NULL)
    return tinta_test_end ("export");
  CHECK (tinta_clip_import_keyframe (clip, 0, key_path, &error));

  /* FFV1 of the first 10 frames. */
  dialog = g_object_ref (tinta_export_dialog_new (NULL, clip));
  g_signal_connect (dialog, "finished", G_CALLBACK (finished_cb), &result);
  gtk_window_present (GTK_WINDOW (dialog));
  tinta_export_dialog_set_format (dialog, TINTA_FORMAT_FFV1);
  tinta_export_dialog_set_range (dialog, 0, 9);
  tinta_export_dialog_set_output (dialog, out_path);
  tinta_export_dialog_start (dialog);
  CHECK (tinta_export_dialog_is_running (dialog));
  CHECK_MSG (wait_finished (&result) == 1, "export: %d, %s", result,
             tinta_export_dialog_get_error (dialog) ? tinta_export_dialog_get_error (dialog) : "");
  CHECK (g_file_test (out_path, G_FILE_TEST_IS_REGULAR));
  CHECK_INT (tinta_export_dialog_get_exported_frames (dialog), 10);
  /* Done: it closed itself. */
  CHECK (!gtk_widget_get_visible (GTK_WIDGET (dialog)));
  g_object_unref (dialog);
  {
    const char *argv[] = { ffprobe, "-v", "error", "-count_frames", "-select_streams", "v:0",
                           "-show_entries", "stream=width,height,nb_read_frames",
                           "-of", "csv=p=0", out_path, NULL };
    CHECK (run (argv, &probe));
    g_strstrip (probe);
    CHECK_MSG (g_strcmp0 (probe, "320,240,10") == 0, "ffprobe says %s", probe);
  }

  /* Cancelled: no output, and the dialog stays. */
  result = 0;
  dialog = tinta_export_dialog_new (NULL, clip);
  g_signal_connect (dialog, "finished", G_CALLBACK (finished_cb), &result);
  gtk_window_present (GTK_WINDOW (dialog));
  tinta_export_dialog_set_format (dialog, TINTA_FORMAT_PRORES);
  tinta_export_dialog_set_range (dialog, 0, -1);
  tinta_export_dialog_set_output (dialog, cancel_path);
  tinta_export_dialog_start (dialog);
  CHECK (tinta_export_dialog_is_running (dialog));
  tinta_export_dialog_cancel (dialog);
  CHECK_INT (wait_finished (&result), 2);
  CHECK (tinta_export_dialog_get_error (dialog) == NULL);
  CHECK (!g_file_test (cancel_path, G_FILE_TEST_EXISTS));
  CHECK (gtk_widget_get_visible (GTK_WIDGET (dialog)));

  gtk_window_destroy (GTK_WINDOW (dialog));
  g_object_unref (clip);
  g_remove (out_path);
  g_remove (key_path);
  g_remove (clip_path);
  g_rmdir (scratch);
  return tinta_test_end ("export");
}
