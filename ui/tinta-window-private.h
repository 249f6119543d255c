/* tinta-window-private.h: what the two halves of TintaWindow share.
 * tinta-window.c is the window itself (template, actions, messages, file
 * choosers, life cycle); tinta-window-clip.c is the open clip as the
 * window shows and edits it (opening, frames and results, the cache bar,
 * thumbnails, keyframe edits and their undo, drops).  Nothing outside
 * these two files includes this. */
#pragma once

#include "tinta-brush-cursor.h"
#include "tinta-history.h"
#include "tinta-paint-bar.h"
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

  /* tinta-window-export.c: the export dialog open now (a weak pointer),
   * and the toast saying where the last export went. */
  GtkWindow            *export_dialog;
  GtkRevealer          *toast_revealer;
  GtkLabel             *toast_label;
  char                 *toast_text;
  char                 *toast_folder_uri;
  guint                 toast_timeout_id;

  /* tinta-window-session.c: which untitled recovery file is this
   * window's (0: none yet), the file to open once the prompt's Save is
   * done, and a crashed session's recovery file offered for restoring. */
  guint                 untitled_serial;
  GFile                *open_after_save;
  char                 *crash_offer;

  /* tinta-window-paint.c: paint mode (the win.paint and win.paint-tool
   * property actions) and the strokes being painted. */
  gboolean              painting;
  TintaPaintTool        paint_tool;
  TintaPaintBar        *paint_bar;
  GtkRevealer          *paint_revealer;
  TintaBrushCursor     *brush_cursor;
  struct _TintaWindowPaint *paint;
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
G_GNUC_INTERNAL void     tinta_window_record_edit        (TintaWindow        *self,
                                                          TintaHistoryEdit   *edit);

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
/* The responses of the prompts before unsaved edits would be lost, besides
 * GTK_RESPONSE_CANCEL. */
enum {
  TINTA_WINDOW_RESPONSE_DISCARD = 1,
  TINTA_WINDOW_RESPONSE_SAVE = 2,
};
/* Such a prompt over @self, Save / Discard / Cancel (Save the default),
 * asking @question (translated); not yet presented. */
G_GNUC_INTERNAL GtkWidget *tinta_window_new_save_prompt  (TintaWindow        *self,
                                                          const char         *question);
G_GNUC_INTERNAL void     tinta_window_set_dirty          (TintaWindow        *self,
                                                          gboolean            dirty);
G_GNUC_INTERNAL void     tinta_window_delete_recovery    (TintaWindow        *self);
G_GNUC_INTERNAL gboolean tinta_window_apply_project      (TintaWindow        *self,
                                                          tinta_project      *project,
                                                          const char         *project_path,
                                                          GError            **error);

/* tinta-window-export.c */
G_GNUC_INTERNAL void     tinta_window_export_class_init  (GtkWidgetClass     *widget_class);
G_GNUC_INTERNAL void     tinta_window_export_dispose     (TintaWindow        *self);
G_GNUC_INTERNAL void     tinta_window_show_export_dialog (TintaWindow        *self);
G_GNUC_INTERNAL void     tinta_window_show_toast         (TintaWindow        *self,
                                                          const char         *text,
                                                          const char         *folder_uri);

/* tinta-window-session.c */
G_GNUC_INTERNAL void     tinta_window_session_dispose    (TintaWindow        *self);
G_GNUC_INTERNAL char    *tinta_window_untitled_recovery_path (TintaWindow    *self);
G_GNUC_INTERNAL void     tinta_window_open_file_checked  (TintaWindow        *self,
                                                          GFile              *file);
G_GNUC_INTERNAL void     tinta_window_open_after_save    (TintaWindow        *self);

/* tinta-window-paint.c */
G_GNUC_INTERNAL void     tinta_window_paint_class_init   (GtkWidgetClass     *widget_class);
G_GNUC_INTERNAL void     tinta_window_paint_init         (TintaWindow        *self);
G_GNUC_INTERNAL void     tinta_window_paint_dispose      (TintaWindow        *self);
/* The clip closes: every stroke and paint session goes. */
G_GNUC_INTERNAL void     tinta_window_paint_reset        (TintaWindow        *self);
/* After any keyframe edit (-1: all of them may have changed). */
G_GNUC_INTERNAL void     tinta_window_paint_keyframes_changed (TintaWindow   *self,
                                                          gint64              frame);
/* The strokes the keyframe at @frame was painted from, into @key (a
 * project's key of that frame); nothing when it was not painted. */
G_GNUC_INTERNAL int      tinta_window_paint_save_strokes (TintaWindow        *self,
                                                          gint64              frame,
                                                          tinta_project_key  *key,
                                                          tinta_error        *detail);
/* The keyframe just set at @frame was painted from these strokes. */
G_GNUC_INTERNAL void     tinta_window_paint_load_strokes (TintaWindow        *self,
                                                          gint64              frame,
                                                          const tinta_stroke *strokes,
                                                          size_t              n);

G_END_DECLS
