/* tinta-brush-cursor.h: TintaBrushCursor, the outline of the brush drawn
 * over the viewer in paint mode, as large as the stroke it would paint.
 *
 *   GtkWidget *outline = tinta_brush_cursor_new ();
 *   gtk_overlay_add_overlay (overlay, outline);      // over the viewer
 *   tinta_brush_cursor_move (TINTA_BRUSH_CURSOR (outline), x, y, 12.5);
 *   tinta_brush_cursor_hide (TINTA_BRUSH_CURSOR (outline));
 *
 * It sits in a GtkOverlay over the TintaViewer, the same size, never
 * takes input (can-target is FALSE), and draws with GTK rather than in the
 * viewer's GL render, so moving it costs one small redraw and not a frame.
 * Main thread only. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define TINTA_TYPE_BRUSH_CURSOR (tinta_brush_cursor_get_type ())

G_DECLARE_FINAL_TYPE (TintaBrushCursor, tinta_brush_cursor, TINTA, BRUSH_CURSOR, GtkWidget)

GtkWidget *tinta_brush_cursor_new     (void);
/* Shows the outline centered at (@x, @y) with @radius, in the widget's
 * (= the viewer's) coordinates. */
void       tinta_brush_cursor_move    (TintaBrushCursor *self,
                                       double            x,
                                       double            y,
                                       double            radius);
void       tinta_brush_cursor_hide    (TintaBrushCursor *self);
gboolean   tinta_brush_cursor_is_shown (TintaBrushCursor *self);

G_END_DECLS
