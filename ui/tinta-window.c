/* tinta-window.c: the editor window (template resources/ui/tinta-window.ui)
 * — its header bar, message strip, view controls, transport bar, file
 * choosers, recent files, actions and life cycle.  The open clip, as the
 * window shows and edits it, is the other half: tinta-window-clip.c;
 * playback is a TintaPlayer on the timeline.
 *
 * Every command is a window action (win.open, win.import-keyframe,
 * win.undo, win.view-mode, win.play-control, …), so the buttons, the menu,
 * the keyboard and the tests all go the same way.  Accelerators with
 * modifiers are the application's; single keys (Space, J/K/L, arrows,
 * 1–4) are bound on the editor in the template, where they never take a
 * key from a focused list or menu.
 *
 * Failures from the engine arrive as GErrors in the TINTA_ERROR domain and
 * are shown in a message strip at the top of the window, never as a crash
 * and never by replacing the clip that is already open.  The window size,
 * the folder of the last clip and the engine settings live in GSettings
 * when the schema is installed; run uninstalled without it, the window
 * uses defaults and simply forgets. */

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n.h>

#include "tinta-error.h"
#include "tinta-export-dialog.h"
#include "tinta-ui.h"
#include "tinta-window-private.h"

#define RECENT_MAX 10


G_DEFINE_FINAL_TYPE (TintaWindow, tinta_window, GTK_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_VIEW_MODE,
  PROP_LAYOUT,
  PROP_ZOOM,
  PROP_SHOW_CONFIDENCE,
  PROP_PAINTING,
  PROP_PAINT_TOOL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];


static GSettings *
tinta_window_create_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  static gboolean warned;

  /* g_settings_new() aborts on a missing schema; running from the build
   * tree without GSETTINGS_SCHEMA_DIR should not. */
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, TINTA_APPLICATION_ID, TRUE);

  if (schema == NULL)
    {
      if (!warned)
        g_message ("GSettings schema %s is not installed; window size and folders are not remembered",
                   TINTA_APPLICATION_ID);
      warned = TRUE;
      return NULL;
    }

  return g_settings_new_full (schema, NULL, NULL);
}

/* ---- the message strip ----------------------------------------------------- */

void
tinta_window_show_message (TintaWindow *self,
                           const char  *title,
                           const char  *reason,
                           const char  *detail)
{
  g_free (self->message);
  self->message = g_strjoin ("\n", title, reason, detail, NULL);

  gtk_label_set_label (self->message_title, title);
  gtk_label_set_label (self->message_reason, reason);
  gtk_label_set_label (self->message_detail, detail);
  gtk_widget_set_visible (GTK_WIDGET (self->message_detail), detail != NULL && detail[0] != '\0');
  gtk_revealer_set_reveal_child (self->message_revealer, TRUE);
}

void
tinta_window_show_error (TintaWindow  *self,
                         const char   *title,
                         const GError *error)
{
  const char *reason = tinta_error_describe (error);

  /* The engine's message names the exact cause (a path, a size); keep it
   * under the translated reason unless it would say the same thing. */
  tinta_window_show_message (self, title, reason,
                             g_strcmp0 (reason, error->message) != 0 ? error->message : NULL);
}

void
tinta_window_hide_message (TintaWindow *self)
{
  g_clear_pointer (&self->message, g_free);
  gtk_revealer_set_reveal_child (self->message_revealer, FALSE);
}

void
tinta_window_show_open_error (TintaWindow  *self,
                              const char   *path,
                              const GError *error)
{
  g_autofree char *name = g_filename_display_basename (path);
  /* Translators: %s is a file or folder name */
  g_autofree char *title = g_strdup_printf (_("Could not open “%s”"), name);

  tinta_window_show_error (self, title, error);
}

/* ---- title, status and actions -------------------------------------------- */

/* "25", "29.97", "23.976": as many decimals as the rate needs, at most 3. */
static char *
format_frame_rate (int numerator,
                   int denominator)
{
  g_autofree char *number = NULL;
  gsize len;

  if (numerator % denominator == 0)
    return g_strdup_printf ("%d", numerator / denominator);

  number = g_strdup_printf ("%.3f", (double) numerator / denominator);
  len = strlen (number);
  while (len > 1 && number[len - 1] == '0')
    number[--len] = '\0';
  if (len > 1 && !g_ascii_isdigit (number[len - 1]))
    number[--len] = '\0';

  return g_steal_pointer (&number);
}

static char *
format_clip_summary (const tinta_media_info *info)
{
  g_autoptr(GString) summary = g_string_new (NULL);

  g_string_append_printf (summary, "%d×%d", info->width, info->height);
  g_string_append (summary, " · ");
  g_string_append_printf (summary,
                          ngettext ("%lld frame", "%lld frames", (unsigned long) info->frame_count),
                          info->frame_count);

  if (info->fps_num > 0 && info->fps_den > 0)
    {
      g_autofree char *rate = format_frame_rate (info->fps_num, info->fps_den);

      g_string_append (summary, " · ");
      /* Translators: frame rate, %s is a number such as 25 or 29.97 */
      g_string_append_printf (summary, _("%s fps"), rate);
    }

  return g_string_free (g_steal_pointer (&summary), FALSE);
}

void
tinta_window_update_clip_state (TintaWindow *self)
{
  gboolean has_clip = self->clip != NULL;

  gtk_stack_set_visible_child_name (self->stack, has_clip ? "editor" : "empty");
  gtk_widget_set_visible (GTK_WIDGET (self->subtitle_label), has_clip);

  if (has_clip)
    {
      g_autofree char *name = g_filename_display_basename (self->clip_path);
      g_autofree char *summary = format_clip_summary (tinta_clip_get_info (self->clip));

      gtk_window_set_title (GTK_WINDOW (self), name);
      gtk_label_set_label (self->title_label, name);
      gtk_label_set_label (self->subtitle_label, summary);
      tinta_window_project_update_title (self);
    }
  else
    {
      gtk_window_set_title (GTK_WINDOW (self), "Tinta");
      gtk_label_set_label (self->title_label, "Tinta");
      gtk_label_set_label (self->subtitle_label, NULL);
    }

  tinta_window_update_actions (self);
}

static gboolean clip_has_full_keyframe (TintaWindow *self);

void
tinta_window_update_status (TintaWindow *self)
{
  g_autofree char *text = NULL;
  gint64 n_frames = tinta_timeline_get_n_frames (self->timeline);
  gint64 done = tinta_timeline_count_cached (self->timeline, TINTA_TIMELINE_CACHE_FUSED);
  gboolean busy = FALSE;
  guint n_keys = 0;

  if (self->clip != NULL)
    tinta_clip_get_keyframes (self->clip, &n_keys);

  if (self->clip == NULL)
    text = NULL;
  else if (n_keys == 0)
    text = g_strdup (_("No keyframes yet"));
  else if (!clip_has_full_keyframe (self))
    /* The worker propagates from full keyframes; painted ones are laid
     * over the chains those start (tinta/worker.h). */
    text = g_strdup (_("Painted keys need a full keyframe: import an image"));
  else if (done >= n_frames)
    text = g_strdup_printf (ngettext ("All %lld frame colorized", "All %lld frames colorized",
                                      (unsigned long) n_frames),
                            (long long) n_frames);
  else if (self->worker_idle)
    /* Translators: the worker stopped short, e.g. at the cache's size */
    text = g_strdup_printf (ngettext ("%lld of %lld frame colorized", "%lld of %lld frames colorized",
                                      (unsigned long) n_frames),
                            (long long) done, (long long) n_frames);
  else
    {
      busy = TRUE;
      text = g_strdup_printf (ngettext ("Colorizing… %lld of %lld frame", "Colorizing… %lld of %lld frames",
                                        (unsigned long) n_frames),
                              (long long) done, (long long) n_frames);
    }

  gtk_label_set_label (self->status_label, text);
  gtk_spinner_set_spinning (self->status_spinner, busy);
  gtk_widget_set_visible (GTK_WIDGET (self->status_spinner), busy);
}

gboolean
tinta_window_on_keyframe (TintaWindow *self)
{
  return self->clip != NULL &&
         tinta_clip_get_keyframe_colors (self->clip, tinta_timeline_get_position (self->timeline),
                                         NULL) != NULL;
}

/* Export needs a full keyframe: partial ones do not guide the colorizer. */
static gboolean
clip_has_full_keyframe (TintaWindow *self)
{
  guint n = 0;
  const gint64 *frames = tinta_clip_get_keyframes (self->clip, &n);

  for (guint i = 0; i < n; i++)
    {
      const float *alpha = NULL;

      if (tinta_clip_get_keyframe_colors (self->clip, frames[i], &alpha) != NULL && alpha == NULL)
        return TRUE;
    }
  return FALSE;
}

void
tinta_window_update_actions (TintaWindow *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean has_clip = self->clip != NULL;
  static const char *const clip_actions[] = {
    "win.import-keyframe", "win.import-keyframe-file", "win.play-control", "win.step",
    "win.seek-keyframe", "win.seek-start", "win.seek-end", "win.zoom-in", "win.zoom-out",
    "win.paint",
  };

  for (guint i = 0; i < G_N_ELEMENTS (clip_actions); i++)
    gtk_widget_action_set_enabled (widget, clip_actions[i], has_clip);

  gtk_widget_action_set_enabled (widget, "win.delete-keyframe", tinta_window_on_keyframe (self));
  gtk_widget_action_set_enabled (widget, "win.save", has_clip);
  gtk_widget_action_set_enabled (widget, "win.save-as", has_clip);
  gtk_widget_action_set_enabled (widget, "win.restore-recovery", has_clip && self->recovery_offer != NULL);
  gtk_widget_action_set_enabled (widget, "win.undo",
                                 has_clip && tinta_history_can_undo (self->history));
  gtk_widget_action_set_enabled (widget, "win.redo",
                                 has_clip && tinta_history_can_redo (self->history));
  gtk_widget_action_set_enabled (widget, "win.export", has_clip && clip_has_full_keyframe (self));
}

/* ---- playback ---------------------------------------------------------------- */

static void
tinta_window_update_transport (TintaWindow *self)
{
  int rate = tinta_player_get_rate (self->player);
  g_autofree char *speed = NULL;

  gtk_button_set_icon_name (self->play_button, rate != 0 ? "media-playback-pause-symbolic"
                                                         : "media-playback-start-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->play_button),
                               rate != 0 ? _("Pause (Space)") : _("Play (Space)"));

  if (rate < 0)
    speed = g_strdup_printf ("◀ %d×", -rate);
  else if (rate > 1)
    speed = g_strdup_printf ("▶ %d×", rate);
  gtk_label_set_label (self->speed_label, speed);
}

static void
tinta_window_play_control_cb (TintaWindow   *self,
                              const char    *control,
                              TintaTimeline *timeline)
{
  if (self->clip != NULL)
    tinta_player_control (self->player, control);
}

/* ---- choosing files ----------------------------------------------------------- */

static void
tinta_window_update_recent (TintaWindow *self)
{
  g_autoptr(GMenu) submenu = g_menu_new ();
  GList *items = gtk_recent_manager_get_items (self->recent_manager);
  const char *application = g_get_application_name ();
  guint n = 0;

  for (GList *l = items; l != NULL && n < RECENT_MAX; l = l->next)
    {
      GtkRecentInfo *info = l->data;
      g_autoptr(GMenuItem) item = NULL;
      g_auto(GStrv) parts = NULL;
      g_autofree char *label = NULL;

      if (!gtk_recent_info_is_local (info) ||
          (application != NULL && !gtk_recent_info_has_application (info, application)))
        continue;

      /* Menu labels take "_" as a mnemonic; file names keep theirs. */
      parts = g_strsplit (gtk_recent_info_get_display_name (info), "_", -1);
      label = g_strjoinv ("__", parts);
      item = g_menu_item_new (label, NULL);
      g_menu_item_set_action_and_target_value (item, "win.open-recent",
                                               g_variant_new_string (gtk_recent_info_get_uri (info)));
      g_menu_append_item (submenu, item);
      n++;
    }
  g_list_free_full (items, (GDestroyNotify) gtk_recent_info_unref);

  g_menu_remove_all (self->recent_section);
  if (n > 0)
    g_menu_append_submenu (self->recent_section, _("Open _Recent"), G_MENU_MODEL (submenu));
}

static void
tinta_window_open_response_cb (TintaWindow     *self,
                               int              response,
                               GtkNativeDialog *native)
{
  g_autoptr(GtkFileChooserNative) chooser = g_steal_pointer (&self->chooser);

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));

      /* Failures are shown in the window; nothing more to do with them. */
      if (file != NULL)
        tinta_window_open_file_checked (self, file);
    }
}

static void
tinta_window_import_response_cb (TintaWindow     *self,
                                 int              response,
                                 GtkNativeDialog *native)
{
  g_autoptr(GtkFileChooserNative) chooser = g_steal_pointer (&self->chooser);

  if (response == GTK_RESPONSE_ACCEPT && self->clip != NULL)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        tinta_window_import_keyframe (self, path, NULL);
    }
}

typedef enum {
  CHOOSE_CLIP,
  CHOOSE_FOLDER,
  CHOOSE_KEYFRAME,
} ChooserPurpose;

static void
tinta_window_choose (TintaWindow    *self,
                     ChooserPurpose  purpose)
{
  static const struct {
    const char *title;
    const char *filter_name;
    const char *mime_type;
  } purposes[] = {
    [CHOOSE_CLIP] = { N_("Open Clip"), N_("Videos"), "video/*" },
    [CHOOSE_FOLDER] = { N_("Open Image Sequence"), NULL, NULL },
    [CHOOSE_KEYFRAME] = { N_("Import Keyframe Image"), N_("Images"), "image/*" },
  };
  g_autoptr(GtkFileChooserNative) native = NULL;
  g_autofree char *start_folder = NULL;

  if (self->chooser != NULL)
    return;

  native = gtk_file_chooser_native_new (_(purposes[purpose].title),
                                        GTK_WINDOW (self),
                                        purpose == CHOOSE_FOLDER ? GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER
                                                                 : GTK_FILE_CHOOSER_ACTION_OPEN,
                                        purpose == CHOOSE_KEYFRAME ? _("_Import") : _("_Open"),
                                        _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);

  if (purposes[purpose].mime_type != NULL)
    {
      g_autoptr(GtkFileFilter) kind = gtk_file_filter_new ();
      g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

      gtk_file_filter_set_name (kind, _(purposes[purpose].filter_name));
      gtk_file_filter_add_mime_type (kind, purposes[purpose].mime_type);
      /* Projects open through the same door as their clips. */
      if (purpose == CHOOSE_CLIP)
        gtk_file_filter_add_pattern (kind, "*.tinta");
      gtk_file_filter_set_name (all, _("All Files"));
      gtk_file_filter_add_pattern (all, "*");
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), kind);
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), all);
    }

  /* Keyframes are painted next to the clip; clips next to the last one. */
  if (purpose == CHOOSE_KEYFRAME && self->clip_path != NULL)
    start_folder = g_path_get_dirname (self->clip_path);
  else if (self->settings != NULL)
    start_folder = g_settings_get_string (self->settings, "last-folder");
  if (start_folder != NULL && start_folder[0] != '\0' &&
      g_file_test (start_folder, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GFile) start = g_file_new_for_path (start_folder);

      gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (native), start, NULL);
    }

  g_signal_connect_object (native, "response",
                           purpose == CHOOSE_KEYFRAME ? G_CALLBACK (tinta_window_import_response_cb)
                                                      : G_CALLBACK (tinta_window_open_response_cb),
                           self, G_CONNECT_SWAPPED);

  self->chooser = g_steal_pointer (&native);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

/* ---- actions ------------------------------------------------------------------- */

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  tinta_window_choose (TINTA_WINDOW (widget), CHOOSE_CLIP);
}

static void
open_folder_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  tinta_window_choose (TINTA_WINDOW (widget), CHOOSE_FOLDER);
}

static void
open_recent_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  g_autoptr(GFile) file = g_file_new_for_uri (g_variant_get_string (parameter, NULL));

  tinta_window_open_file_checked (TINTA_WINDOW (widget), file);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  tinta_window_show_export_dialog (TINTA_WINDOW (widget));
}

static void
dismiss_message_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  tinta_window_hide_message (TINTA_WINDOW (widget));
}

static void
import_keyframe_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  tinta_window_choose (TINTA_WINDOW (widget), CHOOSE_KEYFRAME);
}

/* A path or a file: URI; what the chooser and a drop do, for scripts and
 * tests. */
static void
import_keyframe_file_action (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *parameter)
{
  TintaWindow *self = TINTA_WINDOW (widget);
  const char *location = g_variant_get_string (parameter, NULL);
  g_autofree char *path = NULL;

  if (self->clip == NULL)
    return;

  path = g_str_has_prefix (location, "file:") ? g_filename_from_uri (location, NULL, NULL)
                                              : g_strdup (location);
  if (path != NULL)
    tinta_window_import_keyframe (self, path, NULL);
}

static void
delete_keyframe_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  tinta_window_delete_keyframe (TINTA_WINDOW (widget));
}

static void
undo_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  tinta_window_undo_redo (TINTA_WINDOW (widget), FALSE);
}

static void
redo_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  tinta_window_undo_redo (TINTA_WINDOW (widget), TRUE);
}

static void
zoom_by (TintaWindow *self,
         double       factor)
{
  GtkWidget *viewer = GTK_WIDGET (self->viewer);

  tinta_viewer_zoom_at (self->viewer, factor,
                        gtk_widget_get_width (viewer) / 2.0, gtk_widget_get_height (viewer) / 2.0);
}

static void
zoom_in_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  zoom_by (TINTA_WINDOW (widget), M_SQRT2);
}

static void
zoom_out_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  zoom_by (TINTA_WINDOW (widget), M_SQRT1_2);
}

static void
play_control_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  TintaWindow *self = TINTA_WINDOW (widget);

  tinta_player_control (self->player, g_variant_get_string (parameter, NULL));
}

/* The moves below are the timeline's own actions (the keys it binds when
 * focused), offered on the whole editor; the timeline emits ::scrub. */
static void
step_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  gtk_widget_activate_action_variant (GTK_WIDGET (TINTA_WINDOW (widget)->timeline),
                                      "timeline.step", parameter);
}

static void
seek_keyframe_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  gtk_widget_activate_action_variant (GTK_WIDGET (TINTA_WINDOW (widget)->timeline),
                                      "timeline.seek-keyframe", parameter);
}

static void
seek_start_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  gtk_widget_activate_action (GTK_WIDGET (TINTA_WINDOW (widget)->timeline), "timeline.seek-start", NULL);
}

static void
seek_end_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  gtk_widget_activate_action (GTK_WIDGET (TINTA_WINDOW (widget)->timeline), "timeline.seek-end", NULL);
}

static void
tinta_window_viewer_error_cb (TintaWindow  *self,
                              const GError *error,
                              TintaViewer  *viewer)
{
  tinta_window_show_error (self, _("Could not show the frame"), error);
}

/* ---- life cycle --------------------------------------------------------------- */

static gboolean
tinta_window_close_request (GtkWindow *window)
{
  TintaWindow *self = TINTA_WINDOW (window);

  if (tinta_window_confirm_close (self))
    return TRUE;

  if (self->settings != NULL)
    {
      gboolean maximized = gtk_window_is_maximized (window);

      /* A maximized window's size is the screen's; keep the size it will
       * return to. */
      g_settings_set_boolean (self->settings, "window-maximized", maximized);
      if (!maximized)
        {
          int width, height;

          gtk_window_get_default_size (window, &width, &height);
          g_settings_set_int (self->settings, "window-width", width);
          g_settings_set_int (self->settings, "window-height", height);
        }
    }

  return GTK_WINDOW_CLASS (tinta_window_parent_class)->close_request (window);
}

static void
tinta_window_dispose (GObject *object)
{
  TintaWindow *self = TINTA_WINDOW (object);

  if (self->chooser != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->chooser, self);
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
      g_clear_object (&self->chooser);
    }
  if (self->recent_manager != NULL)
    g_signal_handlers_disconnect_by_data (self->recent_manager, self);
  g_clear_object (&self->recent_manager);

  tinta_window_project_dispose (self);
  tinta_window_export_dispose (self);
  tinta_window_session_dispose (self);
  tinta_window_close_clip (self);
  tinta_window_paint_dispose (self);
  if (self->player != NULL)
    g_signal_handlers_disconnect_by_data (self->player, self);
  g_clear_object (&self->player);

  gtk_widget_dispose_template (GTK_WIDGET (self), TINTA_TYPE_WINDOW);

  G_OBJECT_CLASS (tinta_window_parent_class)->dispose (object);
}

static void
tinta_window_finalize (GObject *object)
{
  TintaWindow *self = TINTA_WINDOW (object);

  g_clear_object (&self->settings);
  g_clear_pointer (&self->history, tinta_history_free);
  g_clear_pointer (&self->clip_path, g_free);
  g_clear_pointer (&self->message, g_free);

  G_OBJECT_CLASS (tinta_window_parent_class)->finalize (object);
}

static void
tinta_window_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  TintaWindow *self = TINTA_WINDOW (object);

  switch (prop_id)
    {
    case PROP_VIEW_MODE:
      g_value_set_enum (value, self->view_mode);
      break;
    case PROP_LAYOUT:
      g_value_set_enum (value, self->layout);
      break;
    case PROP_ZOOM:
      g_value_set_double (value, self->zoom);
      break;
    case PROP_SHOW_CONFIDENCE:
      g_value_set_boolean (value, self->show_confidence);
      break;
    case PROP_PAINTING:
      g_value_set_boolean (value, self->painting);
      break;
    case PROP_PAINT_TOOL:
      g_value_set_enum (value, self->paint_tool);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tinta_window_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  TintaWindow *self = TINTA_WINDOW (object);

  switch (prop_id)
    {
    case PROP_VIEW_MODE:
      if (self->view_mode == (TintaViewMode) g_value_get_enum (value))
        return;
      self->view_mode = g_value_get_enum (value);
      break;
    case PROP_LAYOUT:
      if (self->layout == (TintaViewLayout) g_value_get_enum (value))
        return;
      self->layout = g_value_get_enum (value);
      break;
    case PROP_ZOOM:
      if (self->zoom == g_value_get_double (value))
        return;
      self->zoom = g_value_get_double (value);
      break;
    case PROP_SHOW_CONFIDENCE:
      if (self->show_confidence == g_value_get_boolean (value))
        return;
      self->show_confidence = g_value_get_boolean (value);
      break;
    case PROP_PAINTING:
      /* Paint mode needs a frame to paint on. */
      if (self->painting == (g_value_get_boolean (value) && self->clip != NULL))
        return;
      self->painting = g_value_get_boolean (value) && self->clip != NULL;
      break;
    case PROP_PAINT_TOOL:
      if (self->paint_tool == (TintaPaintTool) g_value_get_enum (value))
        return;
      self->paint_tool = g_value_get_enum (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }
  g_object_notify_by_pspec (object, pspec);
}

static void
tinta_window_class_init (TintaWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  tinta_ui_ensure_resources ();

  object_class->dispose = tinta_window_dispose;
  object_class->finalize = tinta_window_finalize;
  object_class->get_property = tinta_window_get_property;
  object_class->set_property = tinta_window_set_property;

  window_class->close_request = tinta_window_close_request;

  /* Bound to the viewer's properties of the same meaning; here so they
   * can be property actions (which GTK may query before the template
   * children exist). */
  properties[PROP_VIEW_MODE] =
    g_param_spec_enum ("view-mode", NULL, NULL, TINTA_TYPE_VIEW_MODE, TINTA_VIEW_FUSED, flags);
  properties[PROP_LAYOUT] =
    g_param_spec_enum ("layout", NULL, NULL, TINTA_TYPE_VIEW_LAYOUT, TINTA_LAYOUT_SINGLE, flags);
  properties[PROP_ZOOM] =
    g_param_spec_double ("zoom", NULL, NULL, 0.0, 32.0, 0.0, flags);
  properties[PROP_SHOW_CONFIDENCE] =
    g_param_spec_boolean ("show-confidence", NULL, NULL, FALSE, flags);
  /* Paint mode and its tool (tinta-window-paint.c). */
  properties[PROP_PAINTING] =
    g_param_spec_boolean ("painting", NULL, NULL, FALSE, flags);
  properties[PROP_PAINT_TOOL] =
    g_param_spec_enum ("paint-tool", NULL, NULL, TINTA_TYPE_PAINT_TOOL, TINTA_PAINT_TOOL_BRUSH, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (TINTA_TYPE_VIEWER);
  g_type_ensure (TINTA_TYPE_TIMELINE);
  g_type_ensure (TINTA_TYPE_KEYFRAME_PANEL);
  g_type_ensure (TINTA_TYPE_PAINT_BAR);
  g_type_ensure (TINTA_TYPE_BRUSH_CURSOR);

  gtk_widget_class_set_template_from_resource (widget_class, TINTA_RESOURCE_PATH "/ui/tinta-window.ui");
  gtk_widget_class_bind_template_child (widget_class, TintaWindow, title_label);
  gtk_widget_class_bind_template_child (widget_class, TintaWindow, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, TintaWindow, message_revealer);
  gtk_widget_class_bind_template_child (widget_class, TintaWindow, message_title);
  gtk_widget_class_bind_template_child (widget_class, TintaWindow, message_reason);
  gtk_widget_class_bind_template_child (widget_class, TintaWindow, message_detail);
  gtk_widget_class_bind_template_child (widget_class, TintaWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, TintaWindow, viewer);
  gtk_widget_class_bind_template_child (widget_class, TintaWindow, keyframe_panel);
  gtk_widget_class_bind_template_child (widget_class, TintaWindow, timeline);
  gtk_widget_class_bind_template_child (widget_class, TintaWindow, play_button);
  gtk_widget_class_bind_template_child (widget_class, TintaWindow, status_spinner);
  gtk_widget_class_bind_template_child (widget_class, TintaWindow, status_label);
  gtk_widget_class_bind_template_child (widget_class, TintaWindow, speed_label);
  gtk_widget_class_bind_template_child (widget_class, TintaWindow, recent_section);
  gtk_widget_class_bind_template_child (widget_class, TintaWindow, restore_button);
  gtk_widget_class_bind_template_child (widget_class, TintaWindow, paint_bar);
  gtk_widget_class_bind_template_child (widget_class, TintaWindow, paint_revealer);
  gtk_widget_class_bind_template_child (widget_class, TintaWindow, brush_cursor);
  tinta_window_project_class_init (widget_class);
  tinta_window_export_class_init (widget_class);
  tinta_window_paint_class_init (widget_class);

  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "win.open-folder", NULL, open_folder_action);
  gtk_widget_class_install_action (widget_class, "win.open-recent", "s", open_recent_action);
  gtk_widget_class_install_action (widget_class, "win.export", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "win.dismiss-message", NULL, dismiss_message_action);
  gtk_widget_class_install_action (widget_class, "win.import-keyframe", NULL, import_keyframe_action);
  gtk_widget_class_install_action (widget_class, "win.import-keyframe-file", "s", import_keyframe_file_action);
  gtk_widget_class_install_action (widget_class, "win.delete-keyframe", NULL, delete_keyframe_action);
  gtk_widget_class_install_action (widget_class, "win.undo", NULL, undo_action);
  gtk_widget_class_install_action (widget_class, "win.redo", NULL, redo_action);
  gtk_widget_class_install_property_action (widget_class, "win.view-mode", "view-mode");
  gtk_widget_class_install_property_action (widget_class, "win.layout", "layout");
  gtk_widget_class_install_property_action (widget_class, "win.zoom", "zoom");
  gtk_widget_class_install_property_action (widget_class, "win.show-confidence", "show-confidence");
  gtk_widget_class_install_action (widget_class, "win.zoom-in", NULL, zoom_in_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-out", NULL, zoom_out_action);
  gtk_widget_class_install_action (widget_class, "win.play-control", "s", play_control_action);
  gtk_widget_class_install_action (widget_class, "win.step", "i", step_action);
  gtk_widget_class_install_action (widget_class, "win.seek-keyframe", "i", seek_keyframe_action);
  gtk_widget_class_install_action (widget_class, "win.seek-start", NULL, seek_start_action);
  gtk_widget_class_install_action (widget_class, "win.seek-end", NULL, seek_end_action);
}

static void
tinta_window_init (TintaWindow *self)
{
  GtkDropTarget *drop;

  self->view_mode = TINTA_VIEW_FUSED;
  self->layout = TINTA_LAYOUT_SINGLE;
  self->shown_frame = -1;
  self->history = tinta_history_new (0);

  gtk_widget_init_template (GTK_WIDGET (self));

  g_object_bind_property (self, "view-mode", self->viewer, "mode",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_object_bind_property (self, "layout", self->viewer, "layout",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_object_bind_property (self, "zoom", self->viewer, "zoom",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_object_bind_property (self, "show-confidence", self->viewer, "show-confidence",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_signal_connect_object (self->viewer, "error",
                           G_CALLBACK (tinta_window_viewer_error_cb), self, G_CONNECT_SWAPPED);

  self->player = tinta_player_new (self->timeline);
  g_signal_connect_object (self->player, "notify::rate",
                           G_CALLBACK (tinta_window_update_transport), self, G_CONNECT_SWAPPED);

  g_signal_connect_object (self->timeline, "notify::position",
                           G_CALLBACK (tinta_window_position_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->timeline, "scrub",
                           G_CALLBACK (tinta_window_scrub_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->timeline, "play-control",
                           G_CALLBACK (tinta_window_play_control_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->keyframe_panel, "keyframe-activated",
                           G_CALLBACK (tinta_window_keyframe_activated_cb), self, G_CONNECT_SWAPPED);
  tinta_window_paint_init (self);

  drop = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);
  gtk_drop_target_set_gtypes (drop, (GType[2]) { GDK_TYPE_FILE_LIST, G_TYPE_FILE }, 2);
  g_signal_connect_object (drop, "drop", G_CALLBACK (tinta_window_drop_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

  self->recent_manager = g_object_ref (gtk_recent_manager_get_default ());
  g_signal_connect_object (self->recent_manager, "changed",
                           G_CALLBACK (tinta_window_update_recent), self, G_CONNECT_SWAPPED);
  tinta_window_update_recent (self);

  self->settings = tinta_window_create_settings ();
  if (self->settings != NULL)
    {
      gtk_window_set_default_size (GTK_WINDOW (self),
                                   g_settings_get_int (self->settings, "window-width"),
                                   g_settings_get_int (self->settings, "window-height"));
      if (g_settings_get_boolean (self->settings, "window-maximized"))
        gtk_window_maximize (GTK_WINDOW (self));
    }

  tinta_window_update_transport (self);
  tinta_window_update_clip_state (self);
}

TintaWindow *
tinta_window_new (GtkApplication *application)
{
  g_return_val_if_fail (GTK_IS_APPLICATION (application), NULL);

  return g_object_new (TINTA_TYPE_WINDOW,
                       "application", application,
                       NULL);
}

const char *
tinta_window_get_clip_path (TintaWindow *self)
{
  g_return_val_if_fail (TINTA_IS_WINDOW (self), NULL);

  return self->clip != NULL ? self->clip_path : NULL;
}

/**
 * tinta_window_get_subtitle:
 *
 * Returns: (nullable): the clip summary under the title, e.g.
 *   "320×240 · 64 frames · 25 fps", or %NULL without a clip
 */
const char *
tinta_window_get_subtitle (TintaWindow *self)
{
  g_return_val_if_fail (TINTA_IS_WINDOW (self), NULL);

  return self->clip != NULL ? gtk_label_get_label (self->subtitle_label) : NULL;
}

/**
 * tinta_window_get_message:
 *
 * Returns: (nullable): the text of the message strip while it is shown
 *   (title, reason and detail, one per line), or %NULL
 */
const char *
tinta_window_get_message (TintaWindow *self)
{
  g_return_val_if_fail (TINTA_IS_WINDOW (self), NULL);

  return self->message;
}

const char *
tinta_window_get_status (TintaWindow *self)
{
  g_return_val_if_fail (TINTA_IS_WINDOW (self), NULL);

  return gtk_label_get_label (self->status_label);
}

TintaViewer *
tinta_window_get_viewer (TintaWindow *self)
{
  g_return_val_if_fail (TINTA_IS_WINDOW (self), NULL);

  return self->viewer;
}

TintaTimeline *
tinta_window_get_timeline (TintaWindow *self)
{
  g_return_val_if_fail (TINTA_IS_WINDOW (self), NULL);

  return self->timeline;
}

TintaKeyframePanel *
tinta_window_get_keyframe_panel (TintaWindow *self)
{
  g_return_val_if_fail (TINTA_IS_WINDOW (self), NULL);

  return self->keyframe_panel;
}

TintaPaintBar *
tinta_window_get_paint_bar (TintaWindow *self)
{
  g_return_val_if_fail (TINTA_IS_WINDOW (self), NULL);

  return self->paint_bar;
}

TintaClip *
tinta_window_get_clip (TintaWindow *self)
{
  g_return_val_if_fail (TINTA_IS_WINDOW (self), NULL);

  return self->clip;
}

gint64
tinta_window_get_shown_frame (TintaWindow *self)
{
  g_return_val_if_fail (TINTA_IS_WINDOW (self), -1);

  return self->shown_frame;
}

int
tinta_window_get_play_rate (TintaWindow *self)
{
  g_return_val_if_fail (TINTA_IS_WINDOW (self), 0);

  return tinta_player_get_rate (self->player);
}
