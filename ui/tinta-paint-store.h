/* tinta-paint-store.h: the strokes behind painted keyframes — a paint
 * session for each frame being painted, and the strokes of every keyframe
 * state painting produced, so undo, redo and saving find them again.
 *
 *   TintaPaintStore *store = tinta_paint_store_new ();
 *   TintaPaintSession *session = tinta_paint_store_begin (store, clip, frame, pixels, &error);
 *   tinta_paint_store_fill (store, session, &stroke_being_drawn, &error);   // preview
 *   tinta_paint_session_add_stroke (session, &stroke);                     // stroke ends
 *   tinta_paint_store_fill (store, session, NULL, &error);
 *   tinta_paint_store_get_key (store, &a, &b, &alpha);
 *   tinta_clip_set_keyframe (clip, frame, colors_from (a, b), alpha, &error);
 *   tinta_paint_store_remember (store, clip, session);
 *
 * A session holds the frame's luminance, its engine tinta_paint (the
 * edge-aware fill, tinta/paint.h), the strokes painted so far and the
 * keyframe they were painted over (its base: none, an imported full
 * keyframe, or a partial one).  The keyframe is the fill composited over
 * the base ("over": a full base stays a full keyframe, with its colors
 * replaced where painted).
 *
 * Strokes belong to keyframe states, not to frames: every state painting
 * produced is remembered under a fingerprint of the clip's keyframe planes
 * (and its frame), with its strokes and base.  When history or an import
 * changes a keyframe, tinta_paint_store_begin finds the session stale and
 * starts it again from the state the clip has then, with that state's
 * strokes if painting made it.  Strokes and bases are reference counted
 * and shared between states, so a long session costs its strokes once.
 *
 * Main thread only, like the clip. */
#pragma once

#include <glib.h>
#include <tinta/paint.h>

#include "tinta-clip.h"

G_BEGIN_DECLS

typedef struct _TintaPaintStore TintaPaintStore;
typedef struct _TintaPaintSession TintaPaintSession;

TintaPaintStore   *tinta_paint_store_new             (void);
void               tinta_paint_store_free            (TintaPaintStore    *self);
/* Forgets every session and state (the clip closed). */
void               tinta_paint_store_clear           (TintaPaintStore    *self);
/* Forgets the sessions only (keyframes may all have changed). */
void               tinta_paint_store_drop_sessions   (TintaPaintStore    *self);

/* The session of @frame, whose decoded pixels are @pixels (clip size L),
 * matching the keyframe @clip has there now: the existing one, or a new
 * one with the strokes of that keyframe state.  Owned by the store, valid
 * until the next begin, drop or clear. */
TintaPaintSession *tinta_paint_store_begin           (TintaPaintStore    *self,
                                                      TintaClip          *clip,
                                                      gint64              frame,
                                                      const tinta_frame  *pixels,
                                                      GError            **error);
/* Drops @frame's session if the clip's keyframe there is no longer the
 * one it painted.  TRUE if it did. */
gboolean           tinta_paint_store_forget_stale    (TintaPaintStore    *self,
                                                      TintaClip          *clip,
                                                      gint64              frame);

/* Fills the session's strokes and @extra (nullable: the stroke being
 * drawn) and composes the keyframe over the base, into the store's key
 * planes. */
gboolean           tinta_paint_store_fill            (TintaPaintStore    *self,
                                                      TintaPaintSession  *session,
                                                      const tinta_stroke *extra,
                                                      GError            **error);
/* The last fill's keyframe, clip size; *alpha NULL: a full keyframe. */
void               tinta_paint_store_get_key         (TintaPaintStore    *self,
                                                      const float       **a,
                                                      const float       **b,
                                                      const float       **alpha);
/* Remembers the keyframe @clip has at the session's frame now as painted
 * from the session's strokes. */
void               tinta_paint_store_remember        (TintaPaintStore    *self,
                                                      TintaClip          *clip,
                                                      TintaPaintSession  *session);
/* TRUE if the keyframe @clip has at @frame is one painting produced. */
gboolean           tinta_paint_store_is_painted      (TintaPaintStore    *self,
                                                      TintaClip          *clip,
                                                      gint64              frame);

/* The strokes of the keyframe at @frame into @key (a project's key of that
 * frame), if painting produced it (see tinta_project_key_set_strokes). */
int                tinta_paint_store_save_strokes    (TintaPaintStore    *self,
                                                      TintaClip          *clip,
                                                      gint64              frame,
                                                      tinta_project_key  *key,
                                                      tinta_error        *detail);
/* The keyframe just set at @frame (from a project) was painted from
 * @strokes.  A file does not keep what the strokes were painted over: a
 * full keyframe is its own base from then on. */
void               tinta_paint_store_load_strokes    (TintaPaintStore    *self,
                                                      TintaClip          *clip,
                                                      gint64              frame,
                                                      const tinta_stroke *strokes,
                                                      size_t              n);

gint64             tinta_paint_session_get_frame     (TintaPaintSession  *session);
void               tinta_paint_session_get_size      (TintaPaintSession  *session,
                                                      int                *width,
                                                      int                *height);
/* The frame's luminance, clip size. */
const float       *tinta_paint_session_get_luminance (TintaPaintSession  *session);
/* Adds a copy of @stroke to the session's strokes. */
void               tinta_paint_session_add_stroke    (TintaPaintSession  *session,
                                                      const tinta_stroke *stroke);
void               tinta_paint_session_remove_last_stroke (TintaPaintSession *session);
/* Nothing painted over no keyframe: no keyframe at all (after a fill). */
gboolean           tinta_paint_session_is_empty      (TintaPaintSession  *session);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TintaPaintStore, tinta_paint_store_free)

G_END_DECLS
