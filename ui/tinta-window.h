/* tinta-window.h: TintaWindow, one editor window showing one clip.
 *
 *   GtkWindow *window = GTK_WINDOW (tinta_window_new (app));
 *   g_autoptr(GError) error = NULL;
 *   if (!tinta_window_open_path (TINTA_WINDOW (window), "shot.mov", &error))
 *     ;  // the window already shows the message; error is for the caller
 *   gtk_window_present (window);
 *
 * A window starts empty ("Open a clip to start") and becomes the editor
 * after tinta_window_open_path(): the clip's name in the title, its size,
 * length and rate in the subtitle, the viewer with its view controls, the
 * keyframe panel beside it, the transport bar and the timeline below.
 * Everything the user does goes through window actions (win.open,
 * win.import-keyframe, win.undo, win.view-mode, win.play-control, …; see
 * tinta-window.c), which the tests use too.  A clip that cannot be opened
 * leaves the current one in place.  Main thread only. */
#pragma once

#include <gtk/gtk.h>

#include "tinta-clip.h"
#include "tinta-export-dialog.h"
#include "tinta-keyframe-panel.h"
#include "tinta-paint-bar.h"
#include "tinta-timeline.h"
#include "tinta-viewer.h"

G_BEGIN_DECLS

#define TINTA_TYPE_WINDOW (tinta_window_get_type ())

G_DECLARE_FINAL_TYPE (TintaWindow, tinta_window, TINTA, WINDOW, GtkApplicationWindow)

TintaWindow        *tinta_window_new                (GtkApplication  *application);
gboolean            tinta_window_open_path          (TintaWindow     *self,
                                                     const char      *path,
                                                     GError         **error);
gboolean            tinta_window_open_file          (TintaWindow     *self,
                                                     GFile           *file,
                                                     GError         **error);
/* Projects (tinta-window-project.c); open_path opens .tinta files too. */
gboolean            tinta_window_open_project       (TintaWindow     *self,
                                                     const char      *path,
                                                     GError         **error);
gboolean            tinta_window_save_project_to    (TintaWindow     *self,
                                                     const char      *path,
                                                     GError         **error);
gboolean            tinta_window_autosave           (TintaWindow     *self,
                                                     GError         **error);
const char         *tinta_window_get_clip_path      (TintaWindow     *self);
const char         *tinta_window_get_subtitle       (TintaWindow     *self);
const char         *tinta_window_get_message        (TintaWindow     *self);
/* The line under the viewer that says how far colorization is. */
const char         *tinta_window_get_status         (TintaWindow     *self);
TintaViewer        *tinta_window_get_viewer         (TintaWindow     *self);
TintaTimeline      *tinta_window_get_timeline       (TintaWindow     *self);
TintaKeyframePanel *tinta_window_get_keyframe_panel (TintaWindow     *self);
/* Paint mode's brush settings (win.paint, win.paint-tool: tinta-window-paint.c). */
TintaPaintBar      *tinta_window_get_paint_bar      (TintaWindow     *self);
/* (nullable): the open clip. */
TintaClip          *tinta_window_get_clip           (TintaWindow     *self);
/* The frame the viewer shows, -1 before the first is decoded. */
gint64              tinta_window_get_shown_frame    (TintaWindow     *self);
/* Clip frames per frame of real time: 0 when stopped, negative backwards. */
int                 tinta_window_get_play_rate      (TintaWindow     *self);
/* tinta-window-export.c: the export dialog open now (win.export), and the
 * text of the toast while it is shown ("Exported 30 frames to …"). */
TintaExportDialog  *tinta_window_get_export_dialog  (TintaWindow     *self);
const char         *tinta_window_get_toast          (TintaWindow     *self);
/* tinta-window-session.c: at start-up, offers the untitled work a crashed
 * Tinta left (Restore / Discard); TRUE if the offer is shown. */
gboolean            tinta_window_offer_crash_recovery (TintaWindow   *self);

G_END_DECLS
