/* tinta-window-project.c: the window's project file — saving the open
 * clip, its keyframes and the view settings as a .tinta file (win.save,
 * win.save-as), opening one through the window's usual open paths, the
 * "unsaved changes" marker in the title and the prompt on close, and the
 * autosave to a recovery file (docs/project-format.md) with the offer to
 * restore it when the project is opened again after a crash.
 *
 * Saving runs on the main thread: the engine writes a few PNG-encoded
 * keyframes in milliseconds, and a snapshot for a GTask would have to
 * copy them all first anyway.  Move it to a thread if projects with
 * hundreds of keyframes show a stall. */

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "tinta-error.h"
#include "tinta-window-private.h"

#define AUTOSAVE_SECONDS 30

static void
set_engine_error (GError           **error,
                  int                status,
                  const tinta_error *detail)
{
  tinta_set_error (error, status, detail);
}

/* The project as the window has it now; NULL and @error without a clip. */
static tinta_project *
tinta_window_build_project (TintaWindow  *self,
                            GError      **error)
{
  tinta_project *project = tinta_project_new ();
  tinta_error detail = { 0 };
  const gint64 *frames;
  guint n = 0;
  int status;

  if (project == NULL)
    {
      detail.status = TINTA_ERR_NO_MEMORY;
      set_engine_error (error, TINTA_ERR_NO_MEMORY, &detail);
      return NULL;
    }

  status = tinta_project_set_clip (project, self->clip_path, tinta_clip_get_info (self->clip), &detail);
  frames = tinta_clip_get_keyframes (self->clip, &n);
  for (guint i = 0; status == TINTA_OK && i < n; i++)
    {
      const float *alpha = NULL;
      const tinta_frame *colors = tinta_clip_get_keyframe_colors (self->clip, frames[i], &alpha);

      status = tinta_project_add_key (project, frames[i], colors, alpha, &detail);
      /* Painted keys keep their strokes (tinta-window-paint.c). */
      if (status == TINTA_OK)
        status = tinta_window_paint_save_strokes (self, frames[i],
                                                  tinta_project_find_key (project, frames[i]), &detail);
    }
  if (status != TINTA_OK)
    {
      set_engine_error (error, status, &detail);
      tinta_project_free (project);
      return NULL;
    }

  project->view_mode = self->view_mode;
  project->view_layout = self->layout;
  project->playhead = tinta_timeline_get_position (self->timeline);
  if (self->settings != NULL)
    project->working_height = g_settings_get_int (self->settings, "working-height");

  return project;
}

/* The recovery file of the open project (or of this untitled session). */
static char *
tinta_window_recovery_path (TintaWindow *self)
{
  char buf[4096];

  /* One file per untitled window, not per process (tinta-window-session.c). */
  if (self->project_path == NULL)
    return tinta_window_untitled_recovery_path (self);
  if (tinta_project_recovery_path (self->project_path, buf, sizeof buf) != TINTA_OK)
    return NULL;
  return g_strdup (buf);
}

void
tinta_window_delete_recovery (TintaWindow *self)
{
  g_autofree char *path = tinta_window_recovery_path (self);

  if (path != NULL)
    g_unlink (path);
}

void
tinta_window_project_update_title (TintaWindow *self)
{
  g_autofree char *name = NULL;
  g_autofree char *title = NULL;

  if (self->clip == NULL)
    return;

  name = tinta_window_get_project_name (self);
  title = self->dirty ? g_strdup_printf ("• %s", name) : g_strdup (name);
  gtk_window_set_title (GTK_WINDOW (self), title);
  gtk_label_set_label (self->title_label, title);
}

void
tinta_window_set_dirty (TintaWindow *self,
                        gboolean     dirty)
{
  self->dirty = dirty;
  if (!dirty)
    g_clear_handle_id (&self->autosave_id, g_source_remove);
  tinta_window_project_update_title (self);
}

static gboolean
tinta_window_autosave_cb (gpointer user_data)
{
  TintaWindow *self = user_data;

  self->autosave_id = 0;
  tinta_window_autosave (self, NULL);
  return G_SOURCE_REMOVE;
}

void
tinta_window_project_edited (TintaWindow *self)
{
  if (self->autosave_id == 0)
    self->autosave_id = g_timeout_add_seconds (AUTOSAVE_SECONDS, tinta_window_autosave_cb, self);
  tinta_window_set_dirty (self, TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.restore-recovery", FALSE);
}

/* A new clip or project starts clean: its recovery file (if any) belongs
 * to the project it was opened from, not to the edits to come. */
void
tinta_window_project_reset (TintaWindow *self,
                            const char  *project_path)
{
  if (self->project_path != project_path)
    {
      g_free (self->project_path);
      self->project_path = g_strdup (project_path);
    }
  g_clear_pointer (&self->recovery_offer, g_free);
  gtk_widget_set_visible (GTK_WIDGET (self->restore_button), FALSE);
  tinta_window_set_dirty (self, FALSE);
}

/**
 * tinta_window_autosave:
 *
 * Writes the open clip's edits to its recovery file, with recovery_of
 * naming the project.  Does nothing (and succeeds) when nothing changed.
 */
gboolean
tinta_window_autosave (TintaWindow  *self,
                       GError      **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *path = NULL;
  tinta_project *project;
  tinta_error detail = { 0 };
  int status;

  if (self->clip == NULL || !self->dirty)
    return TRUE;

  if ((path = tinta_window_recovery_path (self)) == NULL)
    {
      detail.status = TINTA_ERR_UNWRITABLE;
      g_strlcpy (detail.message, "no folder for recovery files", sizeof detail.message);
      set_engine_error (error, TINTA_ERR_UNWRITABLE, &detail);
      return FALSE;
    }
  if ((project = tinta_window_build_project (self, error)) == NULL)
    return FALSE;
  if (self->project_path != NULL)
    project->recovery_of = g_canonicalize_filename (self->project_path, NULL);

  status = tinta_project_save (project, path, &detail);
  tinta_project_free (project);
  if (status != TINTA_OK)
    {
      /* Autosaving is a safety net: a full disk is worth saying once. */
      set_engine_error (&local_error, status, &detail);
      g_warning ("autosave to %s failed: %s", path, local_error->message);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

/**
 * tinta_window_save_project_to:
 *
 * Saves the open clip and its keyframes as the project @path (atomic),
 * which becomes the window's project; its recovery file is deleted.
 */
gboolean
tinta_window_save_project_to (TintaWindow  *self,
                              const char   *path,
                              GError      **error)
{
  g_autoptr(GError) local_error = NULL;
  tinta_project *project;
  tinta_error detail = { 0 };
  int status = TINTA_ERR_INVALID_ARGUMENT;

  g_return_val_if_fail (TINTA_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (self->clip == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "no clip is open");
      return FALSE;
    }

  if ((project = tinta_window_build_project (self, &local_error)) != NULL)
    {
      status = tinta_project_save (project, path, &detail);
      tinta_project_free (project);
      if (status != TINTA_OK)
        set_engine_error (&local_error, status, &detail);
    }
  if (local_error != NULL)
    {
      g_autofree char *name = g_filename_display_basename (path);
      /* Translators: %s is a project file name */
      g_autofree char *title = g_strdup_printf (_("Could not save “%s”"), name);

      tinta_window_show_error (self, title, local_error);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  /* The untitled session's recovery file goes, then the project's own. */
  tinta_window_delete_recovery (self);
  tinta_window_project_reset (self, path);
  tinta_window_delete_recovery (self);
  return TRUE;
}

/* Puts the project's clip and keyframes in the window.  @project_path is
 * the project the window will save to (the original even when @project
 * came from its recovery file). */
gboolean
tinta_window_apply_project (TintaWindow   *self,
                            tinta_project *project,
                            const char    *project_path,
                            GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  tinta_error detail = { 0 };
  int status;

  if (!tinta_window_open_path (self, project->clip_path, error))
    return FALSE;

  status = tinta_project_check_clip (project, tinta_clip_get_info (self->clip), &detail);
  if (status != TINTA_OK)
    {
      g_autofree char *name = g_filename_display_basename (project_path != NULL ? project_path
                                                                                 : project->clip_path);
      /* Translators: %s is a project file name */
      g_autofree char *title = g_strdup_printf (_("The clip of “%s” has changed"), name);

      set_engine_error (&local_error, status, &detail);
      tinta_window_show_error (self, title, local_error);
      /* Keys of another size cannot be used; other changes only warn. */
      if (project->clip_width != tinta_clip_get_info (self->clip)->width ||
          project->clip_height != tinta_clip_get_info (self->clip)->height)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          tinta_window_project_reset (self, NULL);
          return FALSE;
        }
    }

  for (size_t i = 0; i < project->n_keys; i++)
    {
      const tinta_project_key *key = &project->keys[i];

      if (key->frame >= tinta_clip_get_info (self->clip)->frame_count)
        continue;
      if (!tinta_clip_set_keyframe (self->clip, key->frame, key->colors, key->alpha, &local_error))
        {
          tinta_window_show_error (self, _("Could not restore a keyframe"), local_error);
          g_clear_error (&local_error);
        }
      else
        tinta_window_paint_load_strokes (self, key->frame, key->strokes, key->n_strokes);
    }
  tinta_window_keyframes_changed (self, -1);

  if (project->view_mode >= TINTA_VIEW_GRAY && project->view_mode <= TINTA_VIEW_FUSED)
    g_object_set (self, "view-mode", project->view_mode, NULL);
  if (project->view_layout >= TINTA_LAYOUT_SINGLE && project->view_layout <= TINTA_LAYOUT_WIPE)
    g_object_set (self, "layout", project->view_layout, NULL);
  if (project->playhead > 0 && project->playhead < tinta_clip_get_info (self->clip)->frame_count)
    tinta_timeline_set_position (self->timeline, project->playhead);

  tinta_window_project_reset (self, project_path);
  return TRUE;
}

/**
 * tinta_window_open_project:
 *
 * Opens a .tinta file: its clip, then every keyframe.  If the project's
 * recovery file is newer, the window offers to restore it.
 */
gboolean
tinta_window_open_project (TintaWindow  *self,
                           const char   *path,
                           GError      **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *recovery = NULL;
  g_autofree char *absolute = g_canonicalize_filename (path, NULL);
  tinta_project *project = NULL;
  tinta_error detail = { 0 };
  GStatBuf project_stat, recovery_stat;
  int status;

  status = tinta_project_load (absolute, &project, &detail);
  if (status != TINTA_OK)
    {
      set_engine_error (&local_error, status, &detail);
      tinta_window_show_open_error (self, path, local_error);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (!tinta_window_apply_project (self, project, absolute, error))
    {
      tinta_project_free (project);
      return FALSE;
    }
  tinta_project_free (project);

  recovery = tinta_window_recovery_path (self);
  if (recovery != NULL && g_stat (recovery, &recovery_stat) == 0 &&
      g_stat (absolute, &project_stat) == 0 && recovery_stat.st_mtime >= project_stat.st_mtime)
    {
      g_autofree char *name = g_filename_display_basename (path);
      /* Translators: %s is a project file name */
      g_autofree char *title = g_strdup_printf (_("“%s” has unsaved changes from an earlier session"), name);

      tinta_window_show_message (self, title,
                                 _("Tinta saved them automatically before it was closed."), NULL);
      self->recovery_offer = g_steal_pointer (&recovery);
      gtk_widget_set_visible (GTK_WIDGET (self->restore_button), TRUE);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.restore-recovery", TRUE);
    }
  return TRUE;
}

/* Replaces the open project's state with its recovery file; the project
 * stays the one to save to, and has unsaved changes. */
gboolean
tinta_window_restore_recovery (TintaWindow  *self,
                               GError      **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *recovery = g_steal_pointer (&self->recovery_offer);
  g_autofree char *project_path = g_strdup (self->project_path);
  tinta_project *project = NULL;
  tinta_error detail = { 0 };
  int status;

  gtk_widget_set_visible (GTK_WIDGET (self->restore_button), FALSE);
  if (recovery == NULL)
    return FALSE;

  status = tinta_project_load (recovery, &project, &detail);
  if (status != TINTA_OK)
    {
      set_engine_error (&local_error, status, &detail);
      tinta_window_show_open_error (self, recovery, local_error);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (!tinta_window_apply_project (self, project, project_path, error))
    {
      tinta_project_free (project);
      return FALSE;
    }
  tinta_project_free (project);
  tinta_window_hide_message (self);
  tinta_window_project_edited (self);
  return TRUE;
}

char *
tinta_window_get_project_name (TintaWindow *self)
{
  return g_filename_display_basename (self->project_path != NULL ? self->project_path
                                                                 : self->clip_path);
}

/* ---- save as, and the prompt on close ---------------------------------------- */

static void
tinta_window_save_as_response_cb (TintaWindow     *self,
                                  int              response,
                                  GtkNativeDialog *native)
{
  g_autoptr(GtkFileChooserNative) chooser = g_steal_pointer (&self->chooser);
  gboolean close_after = self->close_after_save;

  self->close_after_save = FALSE;
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;
      g_autofree char *with_suffix = NULL;

      if (path == NULL)
        return;
      with_suffix = g_str_has_suffix (path, ".tinta") ? g_strdup (path)
                                                      : g_strconcat (path, ".tinta", NULL);
      if (tinta_window_save_project_to (self, with_suffix, NULL) && close_after)
        {
          gtk_window_destroy (GTK_WINDOW (self));
          return;
        }
    }
  /* Saved before opening another clip (or not: then it stays). */
  tinta_window_open_after_save (self);
}

void
tinta_window_save_as (TintaWindow *self,
                      gboolean     close_after)
{
  g_autoptr(GtkFileChooserNative) native = NULL;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  g_autofree char *stem = NULL;
  g_autofree char *name = NULL;

  if (self->chooser != NULL || self->clip == NULL)
    return;

  native = gtk_file_chooser_native_new (_("Save Project"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  gtk_file_filter_set_name (filter, _("Tinta Projects"));
  gtk_file_filter_add_pattern (filter, "*.tinta");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), filter);

  /* Next to the clip, named after it. */
  stem = g_path_get_basename (self->project_path != NULL ? self->project_path : self->clip_path);
  if (strrchr (stem, '.') != NULL && stem[0] != '.')
    *strrchr (stem, '.') = '\0';
  name = g_strconcat (stem, ".tinta", NULL);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), name);
  {
    g_autofree char *folder = g_path_get_dirname (self->project_path != NULL ? self->project_path
                                                                             : self->clip_path);
    g_autoptr(GFile) start = g_file_new_for_path (folder);

    gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (native), start, NULL);
  }

  self->close_after_save = close_after;
  g_signal_connect_object (native, "response", G_CALLBACK (tinta_window_save_as_response_cb),
                           self, G_CONNECT_SWAPPED);
  self->chooser = g_steal_pointer (&native);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

void
tinta_window_save (TintaWindow *self,
                   gboolean     close_after)
{
  if (self->clip == NULL)
    return;
  if (self->project_path == NULL)
    tinta_window_save_as (self, close_after);
  else if (tinta_window_save_project_to (self, self->project_path, NULL) && close_after)
    gtk_window_destroy (GTK_WINDOW (self));
}

static void
tinta_window_close_response_cb (TintaWindow *self,
                                int          response,
                                GtkDialog   *dialog)
{
  /* The emission holds the dialog past this window's destruction below:
   * it must not point at a finalized parent then. */
  gtk_window_set_transient_for (GTK_WINDOW (dialog), NULL);
  gtk_window_destroy (GTK_WINDOW (dialog));

  if (response == TINTA_WINDOW_RESPONSE_DISCARD)
    {
      tinta_window_delete_recovery (self);
      tinta_window_set_dirty (self, FALSE);
      gtk_window_close (GTK_WINDOW (self));
    }
  else if (response == TINTA_WINDOW_RESPONSE_SAVE)
    tinta_window_save (self, TRUE);
}

GtkWidget *
tinta_window_new_save_prompt (TintaWindow *self,
                              const char  *question)
{
  GtkWidget *dialog = gtk_message_dialog_new (GTK_WINDOW (self),
                                              GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                              GTK_MESSAGE_QUESTION, GTK_BUTTONS_NONE, "%s", question);

  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (dialog), "%s",
                                            _("The keyframe edits since the last save are lost otherwise."));
  gtk_dialog_add_buttons (GTK_DIALOG (dialog),
                          _("_Cancel"), GTK_RESPONSE_CANCEL,
                          _("_Discard"), TINTA_WINDOW_RESPONSE_DISCARD,
                          _("_Save"), TINTA_WINDOW_RESPONSE_SAVE,
                          NULL);
  gtk_dialog_set_default_response (GTK_DIALOG (dialog), TINTA_WINDOW_RESPONSE_SAVE);
  return dialog;
}

/* TRUE when the window must stay open: the prompt is showing. */
gboolean
tinta_window_confirm_close (TintaWindow *self)
{
  g_autofree char *name = NULL;
  g_autofree char *question = NULL;
  GtkWidget *dialog;

  if (self->clip == NULL || !self->dirty)
    return FALSE;

  name = tinta_window_get_project_name (self);
  /* Translators: %s is a project or clip name */
  question = g_strdup_printf (_("Save changes to “%s”?"), name);
  dialog = tinta_window_new_save_prompt (self, question);
  g_signal_connect_object (dialog, "response", G_CALLBACK (tinta_window_close_response_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
  return TRUE;
}

void
tinta_window_project_dispose (TintaWindow *self)
{
  g_clear_handle_id (&self->autosave_id, g_source_remove);
  g_clear_pointer (&self->project_path, g_free);
  g_clear_pointer (&self->recovery_offer, g_free);
}

/* ---- actions ------------------------------------------------------------------- */

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  tinta_window_save (TINTA_WINDOW (widget), FALSE);
}

static void
save_as_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  tinta_window_save_as (TINTA_WINDOW (widget), FALSE);
}

static void
restore_recovery_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  tinta_window_restore_recovery (TINTA_WINDOW (widget), NULL);
}

void
tinta_window_project_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "win.save-as", NULL, save_as_action);
  gtk_widget_class_install_action (widget_class, "win.restore-recovery", NULL, restore_recovery_action);
}
