/* tinta-window.h: TintaWindow, one editor window showing one clip.
 *
 *   GtkWindow *window = GTK_WINDOW (tinta_window_new (app));
 *   g_autoptr(GError) error = NULL;
 *   if (!tinta_window_open_path (TINTA_WINDOW (window), "shot.mov", &error))
 *     ;  // the window already shows the message; error is for the caller
 *   gtk_window_present (window);
 *
 * A window starts empty ("Open a clip to start") and shows a clip after
 * tinta_window_open_path(): its name in the title, its size, length and
 * rate in the subtitle, its first frame in the viewer.  A clip that cannot
 * be opened leaves the current one in place.  Main thread only. */
#pragma once

#include <gtk/gtk.h>

#include "tinta-viewer.h"

G_BEGIN_DECLS

#define TINTA_TYPE_WINDOW (tinta_window_get_type ())

G_DECLARE_FINAL_TYPE (TintaWindow, tinta_window, TINTA, WINDOW, GtkApplicationWindow)

TintaWindow *tinta_window_new           (GtkApplication  *application);
gboolean     tinta_window_open_path     (TintaWindow     *self,
                                         const char      *path,
                                         GError         **error);
gboolean     tinta_window_open_file     (TintaWindow     *self,
                                         GFile           *file,
                                         GError         **error);
const char  *tinta_window_get_clip_path (TintaWindow     *self);
const char  *tinta_window_get_subtitle  (TintaWindow     *self);
const char  *tinta_window_get_message   (TintaWindow     *self);
TintaViewer *tinta_window_get_viewer    (TintaWindow     *self);

G_END_DECLS
