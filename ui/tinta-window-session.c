/* tinta-window-session.c: work the window must not lose between
 * sessions and between clips — the recovery file of untitled work, the
 * offer at start-up to restore the untitled work of a Tinta that ended
 * without closing its windows (a crash), and the prompt before opening
 * another clip or project over unsaved edits.
 *
 * Untitled recovery files live with the projects' ones (tinta/project.h,
 * tinta_project_recovery_path) and are named after the process that wrote
 * them: "untitled-<pid>.tinta" for its first untitled window,
 * "untitled-<pid>-<n>.tinta" for the n-th, so that two untitled windows
 * never write one file.  A clean end removes them (Save or Discard at the
 * prompt); one whose process is gone is what a crash left, and the first
 * window of the next session offers it, newest first. */

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "tinta-error.h"
#include "tinta-window-private.h"

char *
tinta_window_untitled_recovery_path (TintaWindow *self)
{
  static guint next_serial;
  char folder[4096];

  if (self->untitled_serial == 0)
    self->untitled_serial = ++next_serial;
  if (self->untitled_serial == 1)
    return tinta_project_recovery_path (NULL, folder, sizeof folder) == TINTA_OK ? g_strdup (folder)
                                                                                : NULL;
  if (tinta_project_recovery_path ("", folder, sizeof folder) != TINTA_OK)
    return NULL;
  return g_strdup_printf ("%suntitled-%ld-%u.tinta", folder, (long) getpid (), self->untitled_serial);
}

/* The process that wrote an untitled recovery file @name, or 0 when
 * @name is not one. */
static long
untitled_owner (const char *name)
{
  const char *p;
  char *end = NULL;
  long pid;

  if (!g_str_has_prefix (name, "untitled-") || !g_str_has_suffix (name, ".tinta"))
    return 0;
  p = name + strlen ("untitled-");
  pid = strtol (p, &end, 10);
  if (end == p || pid <= 0)
    return 0;
  if (*end == '-')
    {
      p = end + 1;
      (void) strtol (p, &end, 10);
      if (end == p)
        return 0;
    }
  return strcmp (end, ".tinta") == 0 ? pid : 0;
}

/* Left behind by a crash: written by another process that is gone. */
static gboolean
is_orphan (long pid)
{
  return pid != (long) getpid () && kill ((pid_t) pid, 0) != 0 && errno == ESRCH;
}

/* The newest orphaned untitled recovery file that loads, and its project. */
static char *
find_orphan (tinta_project **project_out)
{
  char folder[4096];
  g_autoptr(GDir) dir = NULL;
  g_autofree char *best = NULL;
  gint64 best_time = G_MININT64;
  const char *name;

  *project_out = NULL;
  if (tinta_project_recovery_path ("", folder, sizeof folder) != TINTA_OK ||
      (dir = g_dir_open (folder, 0, NULL)) == NULL)
    return NULL;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      GStatBuf st;
      long pid = untitled_owner (name);

      if (pid == 0 || !is_orphan (pid))
        continue;
      path = g_build_filename (folder, name, NULL);
      if (g_stat (path, &st) == 0 && (gint64) st.st_mtime > best_time)
        {
          best_time = st.st_mtime;
          g_free (best);
          best = g_steal_pointer (&path);
        }
    }

  if (best != NULL)
    {
      tinta_error detail = { 0 };

      /* A file that does not load is left alone (it is the user's data),
       * and not offered. */
      if (tinta_project_load (best, project_out, &detail) != TINTA_OK || (*project_out)->clip_path == NULL)
        {
          g_clear_pointer (project_out, tinta_project_free);
          g_warning ("recovery file %s cannot be restored: %s", best, detail.message);
          return NULL;
        }
    }
  return g_steal_pointer (&best);
}

static gboolean tinta_window_offer_next (TintaWindow *self);

/* Puts the crashed session's work into this window (or a new one, when
 * this one has a clip by now), as unsaved untitled work, saved at once to
 * this session's recovery file before the old file goes. */
static void
tinta_window_restore_orphan (TintaWindow *self,
                             const char  *path)
{
  g_autoptr(GError) error = NULL;
  tinta_project *project = NULL;
  tinta_error detail = { 0 };
  TintaWindow *target = self;
  int status;

  status = tinta_project_load (path, &project, &detail);
  if (status != TINTA_OK)
    {
      tinta_set_error (&error, status, &detail);
      tinta_window_show_open_error (self, path, error);
      return;
    }
  if (self->clip != NULL)
    {
      target = tinta_window_new (gtk_window_get_application (GTK_WINDOW (self)));
      gtk_window_present (GTK_WINDOW (target));
    }
  if (tinta_window_apply_project (target, project, NULL, &error))
    {
      tinta_window_project_edited (target);
      if (tinta_window_autosave (target, NULL))
        g_unlink (path);
    }
  tinta_project_free (project);
}

static void
tinta_window_crash_offer_response_cb (TintaWindow *self,
                                      int          response,
                                      GtkDialog   *dialog)
{
  g_autofree char *path = g_steal_pointer (&self->crash_offer);

  gtk_window_destroy (GTK_WINDOW (dialog));
  if (path == NULL)
    return;

  if (response == GTK_RESPONSE_ACCEPT)
    tinta_window_restore_orphan (self, path);
  else if (response == GTK_RESPONSE_REJECT)
    g_unlink (path);
  else
    return;   /* closed without an answer: offered again next time */
  tinta_window_offer_next (self);
}

static gboolean
tinta_window_offer_next (TintaWindow *self)
{
  g_autofree char *name = NULL;
  tinta_project *project = NULL;
  GtkWidget *dialog;

  if (self->crash_offer != NULL)
    return TRUE;
  if ((self->crash_offer = find_orphan (&project)) == NULL)
    return FALSE;

  name = g_filename_display_basename (project->clip_path);
  dialog = gtk_message_dialog_new (GTK_WINDOW (self), GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                   GTK_MESSAGE_QUESTION, GTK_BUTTONS_NONE,
                                   "%s", _("Restore unsaved work?"));
  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (dialog),
                                            /* Translators: %s is a clip name */
                                            _("Tinta ended before the keyframe edits of “%s” were saved. "
                                              "They were saved automatically and can be restored."),
                                            name);
  gtk_dialog_add_buttons (GTK_DIALOG (dialog),
                          _("_Discard"), GTK_RESPONSE_REJECT,
                          _("_Restore"), GTK_RESPONSE_ACCEPT,
                          NULL);
  gtk_dialog_set_default_response (GTK_DIALOG (dialog), GTK_RESPONSE_ACCEPT);
  g_signal_connect_object (dialog, "response", G_CALLBACK (tinta_window_crash_offer_response_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
  tinta_project_free (project);
  return TRUE;
}

/**
 * tinta_window_offer_crash_recovery:
 *
 * At start-up (the application's first window): if a Tinta that ended
 * without closing its windows left untitled work in a recovery file,
 * asks whether to restore it (Restore / Discard), one file after the
 * other.  Only the first call in a process looks.
 *
 * Returns: %TRUE if the offer is shown
 */
gboolean
tinta_window_offer_crash_recovery (TintaWindow *self)
{
  static gboolean looked;

  g_return_val_if_fail (TINTA_IS_WINDOW (self), FALSE);

  if (looked)
    return FALSE;
  looked = TRUE;
  return tinta_window_offer_next (self);
}

/* ---- the prompt before opening over unsaved edits ---------------------------- */

void
tinta_window_open_after_save (TintaWindow *self)
{
  g_autoptr(GFile) file = g_steal_pointer (&self->open_after_save);

  /* Still dirty: the save failed or was cancelled, and the edits stay. */
  if (file != NULL && !self->dirty)
    tinta_window_open_file (self, file, NULL);
}

static void
tinta_window_open_prompt_response_cb (TintaWindow *self,
                                      int          response,
                                      GtkDialog   *dialog)
{
  g_autoptr(GFile) file = g_object_ref (g_object_get_data (G_OBJECT (dialog), "tinta-open-file"));

  gtk_window_destroy (GTK_WINDOW (dialog));
  if (response == TINTA_WINDOW_RESPONSE_DISCARD)
    {
      tinta_window_delete_recovery (self);
      tinta_window_set_dirty (self, FALSE);
      tinta_window_open_file (self, file, NULL);
    }
  else if (response == TINTA_WINDOW_RESPONSE_SAVE)
    {
      g_set_object (&self->open_after_save, file);
      if (self->project_path != NULL)
        {
          tinta_window_save (self, FALSE);
          tinta_window_open_after_save (self);
        }
      else
        tinta_window_save_as (self, FALSE);   /* opens it in its response */
    }
  /* Cancel: everything stays as it was. */
}

/* Opens @file like tinta_window_open_file(), after asking Save / Discard /
 * Cancel when the open clip has unsaved edits (the menu, recent files and
 * drops come this way; the API and the command line do not ask). */
void
tinta_window_open_file_checked (TintaWindow *self,
                                GFile       *file)
{
  g_autofree char *name = NULL;
  g_autofree char *other = NULL;
  g_autofree char *question = NULL;
  GtkWidget *dialog;

  if (self->clip == NULL || !self->dirty)
    {
      tinta_window_open_file (self, file, NULL);
      return;
    }

  name = tinta_window_get_project_name (self);
  {
    g_autofree char *path = g_file_get_path (file);

    other = path != NULL ? g_filename_display_basename (path) : g_file_get_uri (file);
  }
  /* Translators: both are project or clip names */
  question = g_strdup_printf (_("Save changes to “%s” before opening “%s”?"), name, other);
  dialog = tinta_window_new_save_prompt (self, question);
  g_object_set_data_full (G_OBJECT (dialog), "tinta-open-file", g_object_ref (file), g_object_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (tinta_window_open_prompt_response_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

void
tinta_window_session_dispose (TintaWindow *self)
{
  g_clear_object (&self->open_after_save);
  g_clear_pointer (&self->crash_offer, g_free);
}
