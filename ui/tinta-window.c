/* tinta-window.c: the editor window (template resources/ui/tinta-window.ui).
 *
 * It owns the open clip (a tinta_media, kept open for the timeline to come)
 * and hands decoded frames to its TintaViewer.  Failures from the engine
 * arrive as GErrors in the TINTA_ERROR domain and are shown in a message
 * strip at the top of the window, never as a crash and never by replacing
 * the clip that is already open.  The window size and the folder of the
 * last clip are remembered in GSettings when the schema is installed; run
 * uninstalled without it, the window simply forgets. */

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "tinta-error.h"
#include "tinta-ui.h"
#include "tinta-window.h"

struct _TintaWindow
{
  GtkApplicationWindow  parent_instance;

  GSettings            *settings;
  GtkFileChooserNative *chooser;

  tinta_media          *media;
  char                 *clip_path;
  char                 *message;
  gboolean              show_color;

  /* Template children */
  GtkLabel             *title_label;
  GtkLabel             *subtitle_label;
  GtkRevealer          *message_revealer;
  GtkLabel             *message_title;
  GtkLabel             *message_reason;
  GtkLabel             *message_detail;
  GtkStack             *stack;
  TintaViewer          *viewer;
};

G_DEFINE_FINAL_TYPE (TintaWindow, tinta_window, GTK_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_SHOW_COLOR,
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

static void
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

static void
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

static void
tinta_window_hide_message (TintaWindow *self)
{
  g_clear_pointer (&self->message, g_free);
  gtk_revealer_set_reveal_child (self->message_revealer, FALSE);
}

static void
tinta_window_show_open_error (TintaWindow  *self,
                              const char   *path,
                              const GError *error)
{
  g_autofree char *name = g_filename_display_basename (path);
  /* Translators: %s is a file or folder name */
  g_autofree char *title = g_strdup_printf (_("Could not open “%s”"), name);

  tinta_window_show_error (self, title, error);
}

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

static void
tinta_window_update_clip_state (TintaWindow *self)
{
  gboolean has_clip = self->media != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.show-color", has_clip);
  gtk_stack_set_visible_child_name (self->stack, has_clip ? "viewer" : "empty");
  gtk_widget_set_visible (GTK_WIDGET (self->subtitle_label), has_clip);

  if (has_clip)
    {
      g_autofree char *name = g_filename_display_basename (self->clip_path);
      g_autofree char *summary = format_clip_summary (tinta_media_get_info (self->media));

      gtk_window_set_title (GTK_WINDOW (self), name);
      gtk_label_set_label (self->title_label, name);
      gtk_label_set_label (self->subtitle_label, summary);
    }
  else
    {
      gtk_window_set_title (GTK_WINDOW (self), "Tinta");
      gtk_label_set_label (self->title_label, "Tinta");
      gtk_label_set_label (self->subtitle_label, NULL);
    }
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
 * Opens @path and shows its first frame.  On failure the message is also
 * shown in the window, and the clip that was open stays open.
 *
 * Returns: %TRUE if the clip was opened
 */
gboolean
tinta_window_open_path (TintaWindow  *self,
                        const char   *path,
                        GError      **error)
{
  g_autoptr(tinta_media) media = NULL;
  g_autoptr(tinta_frame) frame = NULL;
  g_autoptr(GError) local_error = NULL;
  const tinta_media_info *info;
  tinta_error detail = {0};
  int status;

  g_return_val_if_fail (TINTA_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  /* Opening indexes the file and reading decodes one frame, on the main
   * thread: fine for a first frame, and the background worker (a later
   * issue) takes over decoding once clips are scrubbed. */
  if ((status = tinta_media_open (path, &media, &detail)) < 0)
    goto failed;

  info = tinta_media_get_info (media);

  /* The engine decodes through the 8-bit RGB buffer (the evaluation
   * protocol's path), so the frame needs it even though the viewer shows
   * the Lab planes. */
  if (!(frame = tinta_frame_new (info->width, info->height, TINTA_FRAME_LAB | TINTA_FRAME_RGB)))
    {
      status = TINTA_ERR_NO_MEMORY;
      detail = (tinta_error) {0};
      goto failed;
    }

  if ((status = tinta_media_read (media, 0, frame, &detail)) < 0)
    goto failed;

  g_clear_pointer (&self->media, tinta_media_free);
  self->media = g_steal_pointer (&media);
  g_free (self->clip_path);
  self->clip_path = g_strdup (path);

  tinta_viewer_set_frame (self->viewer, g_steal_pointer (&frame));
  tinta_window_hide_message (self);
  tinta_window_update_clip_state (self);
  tinta_window_remember_folder (self, path);

  return TRUE;

failed:
  tinta_set_error (&local_error, status, &detail);
  tinta_window_show_open_error (self, path, local_error);
  g_propagate_error (error, g_steal_pointer (&local_error));

  return FALSE;
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

static void
tinta_window_chooser_response_cb (TintaWindow     *self,
                                  int              response,
                                  GtkNativeDialog *native)
{
  g_autoptr(GtkFileChooserNative) chooser = g_steal_pointer (&self->chooser);

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));

      /* Failures are shown in the window; nothing more to do with them. */
      if (file != NULL)
        tinta_window_open_file (self, file, NULL);
    }
}

static void
tinta_window_choose (TintaWindow *self,
                     gboolean     folder)
{
  g_autoptr(GtkFileChooserNative) native = NULL;
  g_autofree char *last_folder = NULL;

  if (self->chooser != NULL)
    return;

  native = gtk_file_chooser_native_new (folder ? _("Open Image Sequence") : _("Open Clip"),
                                        GTK_WINDOW (self),
                                        folder ? GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER
                                               : GTK_FILE_CHOOSER_ACTION_OPEN,
                                        _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);

  if (!folder)
    {
      g_autoptr(GtkFileFilter) videos = gtk_file_filter_new ();
      g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

      gtk_file_filter_set_name (videos, _("Videos"));
      gtk_file_filter_add_mime_type (videos, "video/*");
      gtk_file_filter_set_name (all, _("All Files"));
      gtk_file_filter_add_pattern (all, "*");
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), videos);
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), all);
    }

  if (self->settings != NULL)
    last_folder = g_settings_get_string (self->settings, "last-folder");
  if (last_folder != NULL && last_folder[0] != '\0' &&
      g_file_test (last_folder, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GFile) start = g_file_new_for_path (last_folder);

      gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (native), start, NULL);
    }

  g_signal_connect_object (native, "response",
                           G_CALLBACK (tinta_window_chooser_response_cb),
                           self, G_CONNECT_SWAPPED);

  self->chooser = g_steal_pointer (&native);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
tinta_window_open_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  tinta_window_choose (TINTA_WINDOW (widget), FALSE);
}

static void
tinta_window_open_folder_action (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *parameter)
{
  tinta_window_choose (TINTA_WINDOW (widget), TRUE);
}

static void
tinta_window_dismiss_message_action (GtkWidget  *widget,
                                     const char *action_name,
                                     GVariant   *parameter)
{
  tinta_window_hide_message (TINTA_WINDOW (widget));
}

static void
tinta_window_viewer_error_cb (TintaWindow  *self,
                              const GError *error,
                              TintaViewer  *viewer)
{
  tinta_window_show_error (self, _("Could not show the frame"), error);
}

static gboolean
tinta_window_close_request (GtkWindow *window)
{
  TintaWindow *self = TINTA_WINDOW (window);

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

  gtk_widget_dispose_template (GTK_WIDGET (self), TINTA_TYPE_WINDOW);

  G_OBJECT_CLASS (tinta_window_parent_class)->dispose (object);
}

static void
tinta_window_finalize (GObject *object)
{
  TintaWindow *self = TINTA_WINDOW (object);

  g_clear_object (&self->settings);
  g_clear_pointer (&self->media, tinta_media_free);
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
    case PROP_SHOW_COLOR:
      g_value_set_boolean (value, self->show_color);
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
    case PROP_SHOW_COLOR:
      if (self->show_color != g_value_get_boolean (value))
        {
          self->show_color = g_value_get_boolean (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tinta_window_class_init (TintaWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  tinta_ui_ensure_resources ();

  object_class->dispose = tinta_window_dispose;
  object_class->finalize = tinta_window_finalize;
  object_class->get_property = tinta_window_get_property;
  object_class->set_property = tinta_window_set_property;

  window_class->close_request = tinta_window_close_request;

  /**
   * TintaWindow:show-color:
   *
   * Bound to the viewer's #TintaViewer:show-color, here so that
   * win.show-color can be a property action (which GTK may query before
   * the template children exist).
   */
  properties[PROP_SHOW_COLOR] =
    g_param_spec_boolean ("show-color", NULL, NULL,
                          TRUE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (TINTA_TYPE_VIEWER);

  gtk_widget_class_set_template_from_resource (widget_class, TINTA_RESOURCE_PATH "/ui/tinta-window.ui");
  gtk_widget_class_bind_template_child (widget_class, TintaWindow, title_label);
  gtk_widget_class_bind_template_child (widget_class, TintaWindow, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, TintaWindow, message_revealer);
  gtk_widget_class_bind_template_child (widget_class, TintaWindow, message_title);
  gtk_widget_class_bind_template_child (widget_class, TintaWindow, message_reason);
  gtk_widget_class_bind_template_child (widget_class, TintaWindow, message_detail);
  gtk_widget_class_bind_template_child (widget_class, TintaWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, TintaWindow, viewer);

  gtk_widget_class_install_action (widget_class, "win.open", NULL, tinta_window_open_action);
  gtk_widget_class_install_action (widget_class, "win.open-folder", NULL, tinta_window_open_folder_action);
  gtk_widget_class_install_action (widget_class, "win.dismiss-message", NULL, tinta_window_dismiss_message_action);
  gtk_widget_class_install_property_action (widget_class, "win.show-color", "show-color");
}

static void
tinta_window_init (TintaWindow *self)
{
  self->show_color = TRUE;

  gtk_widget_init_template (GTK_WIDGET (self));

  g_object_bind_property (self, "show-color", self->viewer, "show-color",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_signal_connect_object (self->viewer, "error",
                           G_CALLBACK (tinta_window_viewer_error_cb),
                           self, G_CONNECT_SWAPPED);

  self->settings = tinta_window_create_settings ();
  if (self->settings != NULL)
    {
      gtk_window_set_default_size (GTK_WINDOW (self),
                                   g_settings_get_int (self->settings, "window-width"),
                                   g_settings_get_int (self->settings, "window-height"));
      if (g_settings_get_boolean (self->settings, "window-maximized"))
        gtk_window_maximize (GTK_WINDOW (self));
    }

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

  return self->clip_path;
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

  return self->media != NULL ? gtk_label_get_label (self->subtitle_label) : NULL;
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

TintaViewer *
tinta_window_get_viewer (TintaWindow *self)
{
  g_return_val_if_fail (TINTA_IS_WINDOW (self), NULL);

  return self->viewer;
}
