/* tinta-window-clip.c: the open clip as the window shows and edits it —
 * the other half of TintaWindow (see tinta-window-private.h).
 *
 * The window owns one TintaClip and wires it to the widgets: decoded
 * frames and computed results go to the TintaViewer (only ever the results
 * of the frame it shows: a new luminance clears them, and a result is set
 * only for the shown frame), the playhead and the cache state to the
 * TintaTimeline, the keyframes to the timeline and the TintaKeyframePanel.
 * Keyframe edits go through a TintaHistory, so each can be undone.
 *
 * Nothing here waits for the engine.  Opening a clip (tinta_clip_new: the
 * file's header and the networks) and importing a keyframe (one still
 * image, through tinta_clip_import_keyframe) run on the main thread; all
 * decoding and colorizing happen on the clip's threads, and thumbnails on
 * a thread of their own.
 *
 * The cache bar follows ::frame-computed, and after every keyframe edit
 * (and whenever the worker goes idle, which catches evictions) the window
 * asks the clip again for every frame, in chunks from a low-priority idle.
 * That is simpler than re-deriving which frames an edit invalidated (the
 * worker knows: those between the full keyframes around the edit) and
 * stays right whatever the worker's rules become. */

#include "config.h"

#include <glib/gi18n.h>

#include "tinta-error.h"
#include "tinta-thumbnailer.h"
#include "tinta-ui.h"
#include "tinta-window-private.h"

#define SWEEP_CHUNK 4096           /* frames per idle of the cache bar sweep */
#define THUMBNAIL_COUNT 48
#define THUMBNAIL_WIDTH 96

/* ---- results and the cache bar --------------------------------------------- */

/* Puts the shown frame's results into the viewer.  With clear_missing,
 * results that are gone (an edit invalidated them) are cleared too; right
 * after set_luminance there are none to clear. */
static void
tinta_window_show_results (TintaWindow *self,
                           gboolean     clear_missing)
{
  static const struct {
    tinta_result_kind kind;
    TintaViewMode     mode;
  } results[] = {
    { TINTA_RESULT_FUSED, TINTA_VIEW_FUSED },
    { TINTA_RESULT_LOCAL, TINTA_VIEW_LOCAL },
    { TINTA_RESULT_GLOBAL, TINTA_VIEW_GLOBAL },
  };
  int width, height;

  if (self->clip == NULL || self->shown_frame < 0)
    return;

  tinta_clip_get_working_size (self->clip, &width, &height);
  for (guint i = 0; i < G_N_ELEMENTS (results); i++)
    {
      if (tinta_clip_get_result (self->clip, self->shown_frame, results[i].kind,
                                 self->result_a, self->result_b, self->result_conf))
        tinta_viewer_set_result (self->viewer, results[i].mode, width, height,
                                 self->result_a, self->result_b,
                                 results[i].kind == TINTA_RESULT_GLOBAL ? self->result_conf : NULL);
      else if (clear_missing)
        tinta_viewer_set_result (self->viewer, results[i].mode, 0, 0, NULL, NULL, NULL);
    }
}

static gboolean
tinta_window_sweep_cb (gpointer user_data)
{
  TintaWindow *self = user_data;
  gint64 n_frames = tinta_timeline_get_n_frames (self->timeline);
  gint64 end = MIN (self->sweep_next + SWEEP_CHUNK, n_frames);

  for (gint64 frame = self->sweep_next; frame < end; frame++)
    tinta_timeline_set_cache_state (self->timeline, frame,
                                    tinta_clip_has_result (self->clip, frame, TINTA_RESULT_FUSED)
                                      ? TINTA_TIMELINE_CACHE_FUSED : TINTA_TIMELINE_CACHE_NONE);
  self->sweep_next = end;
  tinta_window_update_status (self);

  if (end < n_frames)
    return G_SOURCE_CONTINUE;

  self->sweep_id = 0;
  return G_SOURCE_REMOVE;
}

/* Starts (or restarts) asking the clip which frames it has. */
static void
tinta_window_sweep_cache (TintaWindow *self)
{
  if (self->clip == NULL)
    return;

  self->sweep_next = 0;
  if (self->sweep_id == 0)
    self->sweep_id = g_idle_add_full (G_PRIORITY_LOW, tinta_window_sweep_cb, self, NULL);
}

/* ---- the clip's signals ----------------------------------------------------- */

static void
tinta_window_frame_decoded_cb (TintaWindow *self,
                               gint64       frame,
                               TintaClip   *clip)
{
  gint64 decoded = -1;
  const tinta_frame *pixels = tinta_clip_peek_frame (clip, &decoded);

  if (pixels == NULL || decoded != frame)
    return;

  /* A new luminance clears the previous frame's results. */
  tinta_viewer_set_luminance (self->viewer, pixels->width, pixels->height, pixels->L);
  self->shown_frame = frame;
  tinta_window_show_results (self, FALSE);
}

static void
tinta_window_frame_computed_cb (TintaWindow *self,
                                gint64       frame,
                                TintaClip   *clip)
{
  /* The event was posted before an edit that has since dropped the
   * result: it is not there any more. */
  if (!tinta_clip_has_result (clip, frame, TINTA_RESULT_FUSED))
    return;

  self->worker_idle = FALSE;
  tinta_timeline_set_cache_state (self->timeline, frame, TINTA_TIMELINE_CACHE_FUSED);
  if (frame == self->shown_frame)
    tinta_window_show_results (self, TRUE);
  tinta_window_update_status (self);
}

static void
tinta_window_cuts_changed_cb (TintaWindow *self,
                              TintaClip   *clip)
{
  guint n = 0;
  const gint64 *cuts = tinta_clip_get_cuts (clip, &n);

  tinta_timeline_set_cuts (self->timeline, cuts, n);
}

static void
tinta_window_idle_cb (TintaWindow *self,
                      TintaClip   *clip)
{
  self->worker_idle = TRUE;
  /* The cache may have evicted frames to stay in its budget. */
  tinta_window_sweep_cache (self);
  tinta_window_update_status (self);
}

static void
tinta_window_engine_error_cb (TintaWindow *self,
                              GError      *error,
                              TintaClip   *clip)
{
  tinta_window_show_error (self, _("Could not process a frame"), error);
}

static void
tinta_window_thumbnail_cb (gint64      frame,
                           GdkTexture *texture,
                           gpointer    user_data)
{
  TintaWindow *self = user_data;

  tinta_timeline_set_thumbnail (self->timeline, frame, texture);
}

/* ---- the playhead ------------------------------------------------------------ */

/* Every move of the playhead — scrubbing, keys, playback — lands here. */
void
tinta_window_position_cb (TintaWindow   *self,
                          GParamSpec    *pspec,
                          TintaTimeline *timeline)
{
  gint64 position = tinta_timeline_get_position (timeline);

  if (self->clip == NULL)
    return;

  tinta_clip_seek (self->clip, position);
  tinta_keyframe_panel_set_position (self->keyframe_panel, position);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.delete-keyframe",
                                 tinta_window_on_keyframe (self));
}

/* The user moved the playhead while playing: play on from there. */
void
tinta_window_scrub_cb (TintaWindow   *self,
                       gint64         frame,
                       TintaTimeline *timeline)
{
  if (tinta_player_get_rate (self->player) != 0)
    tinta_player_restart (self->player);
}

void
tinta_window_keyframe_activated_cb (TintaWindow        *self,
                                    gint64              frame,
                                    TintaKeyframePanel *panel)
{
  tinta_player_stop (self->player);
  tinta_timeline_set_position (self->timeline, frame);
}

/* ---- opening ------------------------------------------------------------------- */

void
tinta_window_close_clip (TintaWindow *self)
{
  if (self->player != NULL)
    tinta_player_stop (self->player);
  g_clear_handle_id (&self->sweep_id, g_source_remove);
  if (self->thumbnails != NULL)
    g_cancellable_cancel (self->thumbnails);
  g_clear_object (&self->thumbnails);
  tinta_history_clear (self->history);
  tinta_window_paint_reset (self);

  if (self->clip != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->clip, self);
      /* Disposing cancels the worker's job and joins its thread. */
      g_clear_object (&self->clip);
    }
  g_clear_pointer (&self->result_a, g_free);
  g_clear_pointer (&self->result_b, g_free);
  g_clear_pointer (&self->result_conf, g_free);
  self->shown_frame = -1;
}

static void
tinta_window_set_clip (TintaWindow *self,
                       TintaClip   *clip,
                       const char  *path)
{
  const tinta_media_info *info;
  int width, height;

  tinta_window_close_clip (self);
  self->clip = clip;
  g_free (self->clip_path);
  self->clip_path = g_strdup (path);

  info = tinta_clip_get_info (clip);
  tinta_clip_get_working_size (clip, &width, &height);
  self->result_a = g_new (float, (gsize) width * height);
  self->result_b = g_new (float, (gsize) width * height);
  self->result_conf = g_new (float, (gsize) width * height);
  self->worker_idle = FALSE;

  g_signal_connect_object (clip, "frame-decoded", G_CALLBACK (tinta_window_frame_decoded_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (clip, "frame-computed", G_CALLBACK (tinta_window_frame_computed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (clip, "cuts-changed", G_CALLBACK (tinta_window_cuts_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (clip, "idle", G_CALLBACK (tinta_window_idle_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (clip, "engine-error", G_CALLBACK (tinta_window_engine_error_cb),
                           self, G_CONNECT_SWAPPED);

  /* Nothing of the previous clip stays on screen while the first frame
   * decodes. */
  tinta_viewer_set_luminance (self->viewer, 0, 0, NULL);
  tinta_timeline_set_clip (self->timeline, info->frame_count, info->fps_num, info->fps_den);
  tinta_player_set_frame_rate (self->player, info->fps_num, info->fps_den);
  tinta_keyframe_panel_set_clip (self->keyframe_panel, clip);
  tinta_keyframe_panel_set_position (self->keyframe_panel, 0);
  tinta_clip_seek (clip, 0);

  self->thumbnails = g_cancellable_new ();
  tinta_thumbnailer_run (path, info->frame_count, THUMBNAIL_COUNT, THUMBNAIL_WIDTH,
                         self->thumbnails, tinta_window_thumbnail_cb, self);
}

static void
tinta_window_remember_folder (TintaWindow *self,
                              const char  *path)
{
  g_autofree char *folder = NULL;

  if (self->settings == NULL)
    return;

  /* For a folder of images the next one is most likely its sibling. */
  folder = g_path_get_dirname (path);
  g_settings_set_string (self->settings, "last-folder", folder);
}

/**
 * tinta_window_open_path:
 * @self: a #TintaWindow
 * @path: a video file or a folder of numbered images
 * @error: return location for a #GError (TINTA_ERROR domain, the code is
 *   the engine's tinta_status), or %NULL
 *
 * Opens @path, starts colorizing it in the background and shows its first
 * frame as soon as it is decoded.  On failure the message is also shown in
 * the window, and the clip that was open stays open.
 *
 * Returns: %TRUE if the clip was opened
 */
gboolean
tinta_window_open_path (TintaWindow  *self,
                        const char   *path,
                        GError      **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *uri = NULL;
  TintaClip *clip;
  int working_height = 0;
  gsize cache_bytes = 0;

  g_return_val_if_fail (TINTA_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (g_str_has_suffix (path, ".tinta"))
    return tinta_window_open_project (self, path, error);

  if (self->settings != NULL)
    {
      working_height = g_settings_get_int (self->settings, "working-height");
      cache_bytes = (gsize) g_settings_get_int (self->settings, "cache-megabytes") << 20;
    }

  /* Reads the file's header and builds the networks for the working size:
   * the one engine call the window makes on its own thread. */
  clip = tinta_clip_new (path, working_height, cache_bytes, &local_error);
  if (clip == NULL)
    {
      tinta_window_show_open_error (self, path, local_error);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  tinta_window_set_clip (self, clip, path);
  tinta_window_project_reset (self, NULL);
  tinta_window_hide_message (self);
  tinta_window_update_clip_state (self);
  tinta_window_update_status (self);
  tinta_window_remember_folder (self, path);
  gtk_widget_grab_focus (GTK_WIDGET (self->timeline));

  if ((uri = g_filename_to_uri (path, NULL, NULL)) != NULL)
    gtk_recent_manager_add_item (self->recent_manager, uri);

  return TRUE;
}

/**
 * tinta_window_open_file:
 * @self: a #TintaWindow
 * @file: a local video file or folder of numbered images
 * @error: return location for a #GError, or %NULL
 *
 * Like tinta_window_open_path() for a #GFile.  The engine reads local
 * paths only; a remote location fails with %G_IO_ERROR_NOT_SUPPORTED,
 * shown in the window like any other failure.
 *
 * Returns: %TRUE if the clip was opened
 */
gboolean
tinta_window_open_file (TintaWindow  *self,
                        GFile        *file,
                        GError      **error)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (TINTA_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  if (!(path = g_file_get_path (file)))
    {
      g_autoptr(GError) local_error = NULL;
      g_autofree char *uri = g_file_get_uri (file);

      g_set_error (&local_error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("Only files on this computer can be opened: %s"), uri);
      tinta_window_show_open_error (self, uri, local_error);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  return tinta_window_open_path (self, path, error);
}

/* ---- keyframe edits ------------------------------------------------------------ */

/* After any edit: markers, list, the shown frame's results (the edit may
 * have invalidated them) and the cache bar. */
void
tinta_window_keyframes_changed (TintaWindow *self,
                                gint64       changed_frame)
{
  guint n = 0;
  const gint64 *frames = tinta_clip_get_keyframes (self->clip, &n);

  tinta_timeline_set_keyframes (self->timeline, frames, n);
  tinta_keyframe_panel_update (self->keyframe_panel, changed_frame);
  tinta_window_show_results (self, TRUE);
  self->worker_idle = FALSE;
  tinta_window_sweep_cache (self);
  tinta_window_update_actions (self);
  tinta_window_update_status (self);
  tinta_window_project_edited (self);
  tinta_window_paint_keyframes_changed (self, changed_frame);
}

void
tinta_window_record_edit (TintaWindow      *self,
                          TintaHistoryEdit *edit)
{
  if (!tinta_history_push (self->history, edit, self->clip))
    tinta_window_show_message (self, _("This edit cannot be undone"),
                               _("There is not enough memory to keep the keyframe as it was."),
                               NULL);
}

/* Makes the image at @path the keyframe of the current frame.  Loading one
 * still image is quick enough for the main thread. */
gboolean
tinta_window_import_keyframe (TintaWindow  *self,
                              const char   *path,
                              GError      **error)
{
  gint64 frame = tinta_timeline_get_position (self->timeline);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(TintaHistoryEdit) edit = NULL;
  const float *alpha = NULL;
  const tinta_frame *before = tinta_clip_get_keyframe_colors (self->clip, frame, &alpha);

  if ((edit = tinta_history_edit_new (frame, before, alpha)) == NULL)
    {
      tinta_error detail = { .status = TINTA_ERR_NO_MEMORY };

      tinta_set_error (&local_error, TINTA_ERR_NO_MEMORY, &detail);
    }
  else
    tinta_clip_import_keyframe (self->clip, frame, path, &local_error);

  if (local_error != NULL)
    {
      g_autofree char *name = g_filename_display_basename (path);
      /* Translators: %s is an image file name */
      g_autofree char *title = g_strdup_printf (_("Could not import “%s” as a keyframe"), name);

      tinta_window_show_error (self, title, local_error);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  tinta_window_record_edit (self, g_steal_pointer (&edit));
  tinta_window_keyframes_changed (self, frame);
  return TRUE;
}

void
tinta_window_delete_keyframe (TintaWindow *self)
{
  gint64 frame = tinta_timeline_get_position (self->timeline);
  g_autoptr(GError) error = NULL;
  g_autoptr(TintaHistoryEdit) edit = NULL;
  const float *alpha = NULL;
  const tinta_frame *colors = tinta_clip_get_keyframe_colors (self->clip, frame, &alpha);

  if (colors == NULL)
    return;

  if ((edit = tinta_history_edit_new (frame, colors, alpha)) == NULL)
    {
      tinta_window_show_message (self, _("Could not delete the keyframe"),
                                 _("There is not enough memory to keep it for undo."), NULL);
      return;
    }

  if (!tinta_clip_remove_keyframe (self->clip, frame, &error))
    {
      tinta_window_show_error (self, _("Could not delete the keyframe"), error);
      return;
    }

  tinta_window_record_edit (self, g_steal_pointer (&edit));
  tinta_window_keyframes_changed (self, frame);
}

void
tinta_window_undo_redo (TintaWindow *self,
                        gboolean     redo)
{
  g_autoptr(GError) error = NULL;
  gint64 frame = -1;
  gboolean done;

  if (self->clip == NULL)
    return;

  done = redo ? tinta_history_redo (self->history, self->clip, &frame, &error)
              : tinta_history_undo (self->history, self->clip, &frame, &error);
  if (!done)
    {
      if (error != NULL)
        tinta_window_show_error (self, redo ? _("Could not redo the edit") : _("Could not undo the edit"),
                                 error);
      return;
    }

  tinta_window_keyframes_changed (self, frame);
}

/* ---- drag and drop ---------------------------------------------------------- */

static gboolean
is_image_file (GFile *file)
{
  g_autofree char *name = g_file_get_basename (file);
  g_autofree char *content_type = NULL;
  g_autofree char *mime_type = NULL;

  /* By name: reading the file to sniff it would block the drop. */
  content_type = g_content_type_guess (name, NULL, 0, NULL);
  mime_type = g_content_type_get_mime_type (content_type);
  return mime_type != NULL && g_str_has_prefix (mime_type, "image/");
}

/* An image dropped on an open clip becomes the current frame's keyframe;
 * anything else (a video, a folder of images) is opened. */
gboolean
tinta_window_drop_cb (TintaWindow   *self,
                      const GValue  *value,
                      double         x,
                      double         y,
                      GtkDropTarget *target)
{
  GFile *file = NULL;
  GSList *files = NULL;

  if (G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    {
      files = gdk_file_list_get_files (g_value_get_boxed (value));
      file = files != NULL ? files->data : NULL;
    }
  else if (G_VALUE_HOLDS (value, G_TYPE_FILE))
    file = g_value_get_object (value);

  if (file != NULL)
    {
      g_autofree char *path = g_file_get_path (file);

      if (self->clip != NULL && path != NULL && is_image_file (file))
        tinta_window_import_keyframe (self, path, NULL);
      else
        tinta_window_open_file_checked (self, file);
    }

  g_slist_free (files);
  return file != NULL;
}
