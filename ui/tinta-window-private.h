/* tinta-window-private.h: what the two halves of TintaWindow share.
 * tinta-window.c is the window itself (template, actions, messages, file
 * choosers, life cycle); tinta-window-clip.c is the open clip as the
 * window shows and edits it (opening, frames and results, the cache bar,
 * thumbnails, keyframe edits and their undo, drops).  Nothing outside
 * these two files includes this. */
#pragma once

#include "tinta-history.h"
#include "tinta-player.h"
#include "tinta-window.h"

G_BEGIN_DECLS

struct _TintaWindow
{
  GtkApplicationWindow  parent_instance;

  GSettings            *settings;
  GtkFileChooserNative *chooser;
  GtkRecentManager     *recent_manager;
  TintaPlayer          *player;

  TintaClip            *clip;
  char                 *clip_path;
  char                 *message;
  TintaHistory         *history;
  GCancellable         *thumbnails;

  /* Behind the win.* property actions, bound to the viewer. */
  TintaViewMode         view_mode;
  TintaViewLayout       layout;
  double                zoom;
  gboolean              show_confidence;

  /* The frame in the viewer, and room for one result at working size. */
  gint64                shown_frame;
  float                *result_a;
  float                *result_b;
  float                *result_conf;

  guint                 sweep_id;
  gint64                sweep_next;
  gboolean              worker_idle;

  /* Template children */
  GtkLabel             *title_label;
  GtkLabel             *subtitle_label;
  GtkRevealer          *message_revealer;
  GtkLabel             *message_title;
  GtkLabel             *message_reason;
  GtkLabel             *message_detail;
  GtkStack             *stack;
  TintaViewer          *viewer;
  TintaKeyframePanel   *keyframe_panel;
  TintaTimeline        *timeline;
  GtkButton            *play_button;
  GtkSpinner           *status_spinner;
  GtkLabel             *status_label;
  GtkLabel             *speed_label;
  GMenu                *recent_section;
  GtkButton            *restore_button;

  /* tinta-window-project.c: the .tinta file the edits belong to (NULL:
   * untitled), unsaved edits, and a recovery file offered for restoring. */
  char                 *project_path;
  gboolean              dirty;
  gboolean              close_after_save;
  guint                 autosave_id;
  char                 *recovery_offer;
};

/* tinta-window.c */
G_GNUC_INTERNAL void     tinta_window_show_message       (TintaWindow        *self,
                                                          const char         *title,
                                                          const char         *reason,
                                                          const char         *detail);
G_GNUC_INTERNAL void     tinta_window_show_error         (TintaWindow        *self,
                                                          const char         *title,
                                                          const GError       *error);
G_GNUC_INTERNAL void     tinta_window_hide_message       (TintaWindow        *self);
G_GNUC_INTERNAL void     tinta_window_show_open_error    (TintaWindow        *self,
                                                          const char         *path,
                                                          const GError       *error);
G_GNUC_INTERNAL void     tinta_window_update_clip_state  (TintaWindow        *self);
G_GNUC_INTERNAL void     tinta_window_update_status      (TintaWindow        *self);
G_GNUC_INTERNAL void     tinta_window_update_actions     (TintaWindow        *self);
G_GNUC_INTERNAL gboolean tinta_window_on_keyframe        (TintaWindow        *self);

/* tinta-window-clip.c */
G_GNUC_INTERNAL void     tinta_window_close_clip         (TintaWindow        *self);
G_GNUC_INTERNAL gboolean tinta_window_import_keyframe    (TintaWindow        *self,
                                                          const char         *path,
                                                          GError            **error);
G_GNUC_INTERNAL void     tinta_window_delete_keyframe    (TintaWindow        *self);
G_GNUC_INTERNAL void     tinta_window_undo_redo          (TintaWindow        *self,
                                                          gboolean            redo);
G_GNUC_INTERNAL void     tinta_window_position_cb        (TintaWindow        *self,
                                                          GParamSpec         *pspec,
                                                          TintaTimeline      *timeline);
G_GNUC_INTERNAL void     tinta_window_scrub_cb           (TintaWindow        *self,
                                                          gint64              frame,
                                                          TintaTimeline      *timeline);
G_GNUC_INTERNAL void     tinta_window_keyframe_activated_cb (TintaWindow     *self,
                                                          gint64              frame,
                                                          TintaKeyframePanel *panel);
G_GNUC_INTERNAL gboolean tinta_window_drop_cb            (TintaWindow        *self,
                                                          const GValue       *value,
                                                          double              x,
                                                          double              y,
                                                          GtkDropTarget      *target);

G_GNUC_INTERNAL void     tinta_window_keyframes_changed  (TintaWindow        *self,
                                                          gint64              changed_frame);

/* tinta-window-project.c */
G_GNUC_INTERNAL void     tinta_window_project_class_init (GtkWidgetClass     *widget_class);
G_GNUC_INTERNAL void     tinta_window_project_dispose    (TintaWindow        *self);
G_GNUC_INTERNAL void     tinta_window_project_edited     (TintaWindow        *self);
G_GNUC_INTERNAL void     tinta_window_project_reset      (TintaWindow        *self,
                                                          const char         *project_path);
G_GNUC_INTERNAL void     tinta_window_project_update_title (TintaWindow      *self);
G_GNUC_INTERNAL char    *tinta_window_get_project_name   (TintaWindow        *self);
G_GNUC_INTERNAL gboolean tinta_window_restore_recovery   (TintaWindow        *self,
                                                          GError            **error);
G_GNUC_INTERNAL void     tinta_window_save               (TintaWindow        *self,
                                                          gboolean            close_after);
G_GNUC_INTERNAL void     tinta_window_save_as            (TintaWindow        *self,
                                                          gboolean            close_after);
G_GNUC_INTERNAL gboolean tinta_window_confirm_close      (TintaWindow        *self);

G_END_DECLS
