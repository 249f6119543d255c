/* tinta-window-export.c: exporting from the window — the export dialog
 * (one at a time), and the toast at the bottom of the window that says
 * where a finished export went, with Open Folder.
 *
 * The toast is a GtkRevealer over the window's content (the template's
 * toast_revealer), in the spirit of libadwaita's AdwToast: Tinta builds
 * on GTK 4.8 alone, and one toast does not justify a second toolkit
 * whose style sheet would change every widget the tests measure.  It
 * hides by itself after TOAST_SECONDS or when dismissed.  A failed
 * export is not a toast: its dialog stays open with the engine's message
 * (tinta-export-dialog.c), where the user fixes the path or format. */

#include "config.h"

#include <glib/gi18n.h>

#include "tinta-export-dialog.h"
#include "tinta-window-private.h"

#define TOAST_SECONDS 8

static void
tinta_window_hide_toast (TintaWindow *self)
{
  g_clear_handle_id (&self->toast_timeout_id, g_source_remove);
  g_clear_pointer (&self->toast_text, g_free);
  g_clear_pointer (&self->toast_folder_uri, g_free);
  gtk_revealer_set_reveal_child (self->toast_revealer, FALSE);
  /* Hidden, it must not take clicks meant for the timeline below. */
  gtk_widget_set_visible (GTK_WIDGET (self->toast_revealer), FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.open-export-folder", FALSE);
}

static gboolean
tinta_window_toast_timeout_cb (gpointer user_data)
{
  TintaWindow *self = user_data;

  self->toast_timeout_id = 0;
  tinta_window_hide_toast (self);
  return G_SOURCE_REMOVE;
}

/* Shows @text in the toast, with Open Folder when @folder_uri is given. */
void
tinta_window_show_toast (TintaWindow *self,
                         const char  *text,
                         const char  *folder_uri)
{
  g_clear_handle_id (&self->toast_timeout_id, g_source_remove);
  g_free (self->toast_text);
  self->toast_text = g_strdup (text);
  g_free (self->toast_folder_uri);
  self->toast_folder_uri = g_strdup (folder_uri);

  gtk_label_set_label (self->toast_label, text);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.open-export-folder", folder_uri != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->toast_revealer), TRUE);
  gtk_revealer_set_reveal_child (self->toast_revealer, TRUE);
  self->toast_timeout_id = g_timeout_add_seconds (TOAST_SECONDS, tinta_window_toast_timeout_cb, self);
}

static void
tinta_window_export_finished_cb (TintaWindow       *self,
                                 gboolean           success,
                                 const char        *path,
                                 TintaExportDialog *dialog)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFile) folder = NULL;
  g_autofree char *name = NULL;
  g_autofree char *text = NULL;
  g_autofree char *folder_uri = NULL;
  gint64 frames;

  /* Cancelled: nothing to say; failed: the dialog says it. */
  if (!success || path == NULL)
    return;

  frames = tinta_export_dialog_get_exported_frames (dialog);
  name = g_filename_display_basename (path);
  /* Translators: %lld is a number of frames, %s a file or folder name */
  text = g_strdup_printf (ngettext ("Exported %lld frame to “%s”", "Exported %lld frames to “%s”",
                                    (unsigned long) frames),
                          (long long) frames, name);
  file = g_file_new_for_path (path);
  folder = g_file_get_parent (file);
  if (folder != NULL)
    folder_uri = g_file_get_uri (folder);
  tinta_window_show_toast (self, text, folder_uri);
}

/* Closing (it closes itself after a success): the next win.export makes
 * a new one, whoever still holds a reference to this. */
static gboolean
tinta_window_export_dialog_close_cb (TintaWindow *self)
{
  g_clear_weak_pointer (&self->export_dialog);
  return FALSE;
}

void
tinta_window_show_export_dialog (TintaWindow *self)
{
  TintaExportDialog *dialog;

  if (self->clip == NULL)
    return;
  if (self->export_dialog != NULL)
    {
      gtk_window_present (self->export_dialog);
      return;
    }

  dialog = tinta_export_dialog_new (GTK_WINDOW (self), self->clip);
  g_signal_connect_object (dialog, "finished", G_CALLBACK (tinta_window_export_finished_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (dialog, "close-request", G_CALLBACK (tinta_window_export_dialog_close_cb),
                           self, G_CONNECT_SWAPPED);
  g_set_weak_pointer (&self->export_dialog, GTK_WINDOW (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- actions ------------------------------------------------------------------- */

static void
open_export_folder_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  TintaWindow *self = TINTA_WINDOW (widget);
  g_autoptr(GAppLaunchContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = g_strdup (self->toast_folder_uri);

  if (uri == NULL)
    return;
  tinta_window_hide_toast (self);
  /* GtkFileLauncher is GTK 4.10; this is what gtk_show_uri does, with the
   * failure reported instead of logged. */
  context = G_APP_LAUNCH_CONTEXT (gdk_display_get_app_launch_context (gtk_widget_get_display (widget)));
  if (!g_app_info_launch_default_for_uri (uri, context, &error))
    {
      g_autofree char *path = g_filename_from_uri (uri, NULL, NULL);

      tinta_window_show_message (self, _("Could not open the folder"), error->message, path);
    }
}

static void
dismiss_toast_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  tinta_window_hide_toast (TINTA_WINDOW (widget));
}

void
tinta_window_export_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_child (widget_class, TintaWindow, toast_revealer);
  gtk_widget_class_bind_template_child (widget_class, TintaWindow, toast_label);
  gtk_widget_class_install_action (widget_class, "win.open-export-folder", NULL, open_export_folder_action);
  gtk_widget_class_install_action (widget_class, "win.dismiss-toast", NULL, dismiss_toast_action);
}

void
tinta_window_export_dispose (TintaWindow *self)
{
  g_clear_handle_id (&self->toast_timeout_id, g_source_remove);
  g_clear_pointer (&self->toast_text, g_free);
  g_clear_pointer (&self->toast_folder_uri, g_free);
  /* An export still running keeps its dialog (and cancels with it). */
  g_clear_weak_pointer (&self->export_dialog);
}

/**
 * tinta_window_get_toast:
 *
 * Returns: (nullable): the toast's text while it is shown
 */
const char *
tinta_window_get_toast (TintaWindow *self)
{
  g_return_val_if_fail (TINTA_IS_WINDOW (self), NULL);

  return self->toast_text;
}

/**
 * tinta_window_get_export_dialog:
 *
 * Returns: (nullable) (transfer none): the export dialog open now (win.export)
 */
TintaExportDialog *
tinta_window_get_export_dialog (TintaWindow *self)
{
  g_return_val_if_fail (TINTA_IS_WINDOW (self), NULL);

  return self->export_dialog != NULL ? TINTA_EXPORT_DIALOG (self->export_dialog) : NULL;
}
