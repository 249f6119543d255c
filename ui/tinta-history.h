/* tinta-history.h: the undo and redo stacks of keyframe edits.
 *
 *   TintaHistory *history = tinta_history_new (0);
 *   const tinta_frame *before = tinta_clip_get_keyframe_colors (clip, 12, &alpha);
 *   TintaHistoryEdit *edit = tinta_history_edit_new (12, before, alpha);
 *   tinta_clip_import_keyframe (clip, 12, "key.png", &error);
 *   tinta_history_push (history, edit, clip);   // records the state after
 *   ...
 *   tinta_history_undo (history, clip, &frame, &error);
 *
 * An edit is a keyframe's state before and after (colors and alpha, or no
 * keyframe at all): importing, replacing and deleting are all the same
 * thing.  The stacks keep their own copies of the colors, since the clip
 * frees its copy when a keyframe is replaced or removed, and undoing goes
 * through tinta_clip_set_keyframe/remove_keyframe, so the worker
 * invalidates exactly what depends on the keyframe, as for any edit.  The
 * copies are clip-size Lab planes: the stacks drop their oldest edits
 * beyond a byte budget.  Main thread only, like the clip. */
#pragma once

#include <glib.h>

#include "tinta-clip.h"

G_BEGIN_DECLS

typedef struct _TintaHistory TintaHistory;
typedef struct _TintaHistoryEdit TintaHistoryEdit;

/* budget_bytes 0: 512 MiB.  The newest edit is kept whatever its size. */
TintaHistory     *tinta_history_new       (gsize               budget_bytes);
void              tinta_history_free      (TintaHistory       *self);
void              tinta_history_clear     (TintaHistory       *self);

/* The state of the keyframe at @frame before an edit (@colors NULL: no
 * keyframe there); copied.  NULL when out of memory. */
TintaHistoryEdit *tinta_history_edit_new  (gint64              frame,
                                           const tinta_frame  *colors,
                                           const float        *alpha);
void              tinta_history_edit_free (TintaHistoryEdit   *edit);

/* Completes @edit with the keyframe's state in @clip now, pushes it on the
 * undo stack (taking it) and clears the redo stack.  An edit that changed
 * nothing (no keyframe before or after) is dropped.  Returns FALSE when
 * the copy failed for lack of memory: the edit was made but cannot be
 * undone, and the history is cleared so it never restores a wrong state. */
gboolean          tinta_history_push      (TintaHistory       *self,
                                           TintaHistoryEdit   *edit,
                                           TintaClip          *clip);

gboolean          tinta_history_can_undo  (TintaHistory       *self);
gboolean          tinta_history_can_redo  (TintaHistory       *self);

/* Restores the state before (undo) or after (redo) the newest edit of
 * that stack and moves the edit to the other one.  *frame is the edited
 * keyframe.  On failure both stacks stay as they were. */
gboolean          tinta_history_undo      (TintaHistory       *self,
                                           TintaClip          *clip,
                                           gint64             *frame,
                                           GError            **error);
gboolean          tinta_history_redo      (TintaHistory       *self,
                                           TintaClip          *clip,
                                           gint64             *frame,
                                           GError            **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TintaHistoryEdit, tinta_history_edit_free)

G_END_DECLS
