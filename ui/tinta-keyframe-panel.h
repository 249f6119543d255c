/* tinta-keyframe-panel.h: TintaKeyframePanel, the sidebar of the editor
 * that lists the clip's keyframes.
 *
 *   GtkWidget *panel = tinta_keyframe_panel_new ();
 *   tinta_keyframe_panel_set_clip (TINTA_KEYFRAME_PANEL (panel), clip);
 *   g_signal_connect (panel, "keyframe-activated", G_CALLBACK (seek_to), window);
 *   // after each edit of the keyframe at frame 12:
 *   tinta_keyframe_panel_update (TINTA_KEYFRAME_PANEL (panel), 12);
 *   // as the playhead moves:
 *   tinta_keyframe_panel_set_position (TINTA_KEYFRAME_PANEL (panel), 12);
 *
 * One row per keyframe, in frame order: a thumbnail of its colors, the
 * frame number and timecode, and its kind (a full colored frame, or a
 * partial one of painted strokes).  The row of the keyframe under the
 * playhead is selected; activating a row emits ::keyframe-activated with
 * its frame.  Below the list, "Import Image…" and "Delete" use the window
 * actions win.import-keyframe and win.delete-keyframe.  The panel reads
 * the keyframes from the clip and changes nothing itself.  Main thread
 * only, like all widgets. */
#pragma once

#include <gtk/gtk.h>

#include "tinta-clip.h"

G_BEGIN_DECLS

#define TINTA_TYPE_KEYFRAME_PANEL (tinta_keyframe_panel_get_type ())

G_DECLARE_FINAL_TYPE (TintaKeyframePanel, tinta_keyframe_panel, TINTA, KEYFRAME_PANEL, GtkBox)

GtkWidget *tinta_keyframe_panel_new             (void);

/* The clip whose keyframes are listed; NULL empties the list. */
void       tinta_keyframe_panel_set_clip        (TintaKeyframePanel *self,
                                                 TintaClip          *clip);
/* Re-reads the keyframes after an edit; the thumbnail of @changed_frame
 * is made anew (-1: none changed colors, e.g. after a removal). */
void       tinta_keyframe_panel_update          (TintaKeyframePanel *self,
                                                 gint64              changed_frame);
void       tinta_keyframe_panel_set_position    (TintaKeyframePanel *self,
                                                 gint64              frame);
guint      tinta_keyframe_panel_get_n_keyframes (TintaKeyframePanel *self);
/* The frame of the selected row, or -1. */
gint64     tinta_keyframe_panel_get_selected    (TintaKeyframePanel *self);

G_END_DECLS
