/* test-export.c: TintaExportDialog on a real clip (run under Xvfb).  A
 * 320x240, 30-frame testsrc2 clip with frame 0 as a full keyframe: FFV1 of
 * frames 0..9 lands as a file ffprobe reads as 10 frames of 320x240, and
 * the dialog closes itself; a cancelled export of the whole clip leaves
 * nothing behind and the dialog open.  (The window's side of an export,
 * its toast and partial keyframes, is test-editor-flows.c.) */

#include "config.h"

#include <gtk/gtk.h>

#include "tinta-clip.h"
#include "tinta-export-dialog.h"

#include "../engine/tinta-test.h"
#include "uitest.h"

#define TIMEOUT_MS 240000

/* FFV1 of the first 10 frames: the file ffprobe reads, and the dialog
 * closes itself. */
static void
check_export (TintaClip  *clip,
              const char *scratch)
{
  g_autofree char *out_path = g_build_filename (scratch, "out.mkv", NULL);
  g_autofree char *probe = NULL;
  TintaExportDialog *dialog;
  int result = 0;

  dialog = g_object_ref (tinta_export_dialog_new (NULL, clip));
  uitest_watch_export (dialog, &result);
  gtk_window_present (GTK_WINDOW (dialog));
  tinta_export_dialog_set_format (dialog, TINTA_FORMAT_FFV1);
  tinta_export_dialog_set_range (dialog, 0, 9);
  tinta_export_dialog_set_output (dialog, out_path);
  tinta_export_dialog_start (dialog);
  CHECK (tinta_export_dialog_is_running (dialog));
  CHECK_MSG (uitest_wait_export (&result, TIMEOUT_MS) == 1, "export: %d, %s", result,
             tinta_export_dialog_get_error (dialog) ? tinta_export_dialog_get_error (dialog) : "");
  CHECK (g_file_test (out_path, G_FILE_TEST_IS_REGULAR));
  CHECK_INT (tinta_export_dialog_get_exported_frames (dialog), 10);
  /* Done: it closed itself. */
  CHECK (!gtk_widget_get_visible (GTK_WIDGET (dialog)));
  g_object_unref (dialog);
  CHECK (uitest_probe_video (out_path, &probe));
  CHECK_MSG (g_strcmp0 (probe, "320,240,10") == 0, "ffprobe says %s", probe);
}

/* Cancelled: no output, and the dialog stays. */
static void
check_cancel (TintaClip  *clip,
              const char *scratch)
{
  g_autofree char *cancel_path = g_build_filename (scratch, "cancelled.mov", NULL);
  TintaExportDialog *dialog = tinta_export_dialog_new (NULL, clip);
  int result = 0;

  uitest_watch_export (dialog, &result);
  gtk_window_present (GTK_WINDOW (dialog));
  tinta_export_dialog_set_format (dialog, TINTA_FORMAT_PRORES);
  tinta_export_dialog_set_range (dialog, 0, -1);
  tinta_export_dialog_set_output (dialog, cancel_path);
  tinta_export_dialog_start (dialog);
  CHECK (tinta_export_dialog_is_running (dialog));
  tinta_export_dialog_cancel (dialog);
  CHECK_INT (uitest_wait_export (&result, TIMEOUT_MS), 2);
  CHECK (tinta_export_dialog_get_error (dialog) == NULL);
  CHECK (!g_file_test (cancel_path, G_FILE_TEST_EXISTS));
  CHECK (gtk_widget_get_visible (GTK_WIDGET (dialog)));

  gtk_window_destroy (GTK_WINDOW (dialog));
}

int
main (void)
{
  g_autofree char *scratch = uitest_scratch_dir ("tinta-export-XXXXXX");
  g_autofree char *clip_path = g_build_filename (scratch, "clip.mp4", NULL);
  g_autofree char *key_path = g_build_filename (scratch, "key.png", NULL);
  g_autoptr(GError) error = NULL;
  TintaClip *clip;

  gtk_init ();
  CHECK (uitest_make_clip (clip_path, "testsrc2=size=320x240:rate=30", NULL, 30) &&
         uitest_extract_first_frame (clip_path, key_path));
  clip = tinta_clip_new (clip_path, 0, 0, &error);
  CHECK (clip != NULL);
  if (clip == NULL)
    return tinta_test_end ("export");
  CHECK (tinta_clip_import_keyframe (clip, 0, key_path, &error));

  check_export (clip, scratch);
  check_cancel (clip, scratch);

  g_object_unref (clip);
  uitest_remove_tree (scratch);
  return tinta_test_end ("export");
}
