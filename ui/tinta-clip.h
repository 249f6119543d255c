/* tinta-clip.h: TintaClip, the open clip as the editor sees it — the
 * engine's background worker (colorization, cache, cuts) plus a display
 * decoder, both off the main thread, with their news delivered as GObject
 * signals on the main thread.
 *
 *   TintaClip *clip = tinta_clip_new ("shot.mov", 0, 0, &error);
 *   g_signal_connect (clip, "frame-decoded", G_CALLBACK (show_gray), win);
 *   g_signal_connect (clip, "frame-computed", G_CALLBACK (show_color), win);
 *   tinta_clip_import_keyframe (clip, 0, "frame0.png", &error);
 *   tinta_clip_seek (clip, 42);    // decode frame 42, compute near it first
 *
 * Signals (main thread):
 *   ::frame-decoded (gint64 frame)  the newest requested frame's pixels are
 *                                   ready: tinta_clip_peek_frame().  While
 *                                   scrubbing, intermediate requests are
 *                                   skipped: only the last one counts.
 *   ::frame-computed (gint64 frame) a frame's results (fused, local,
 *                                   global) are in the cache
 *   ::cuts-changed                  the shot cuts are known
 *   ::idle                          the worker has nothing left to compute
 *   ::engine-error (GError *error)  a job failed (the frame stays gray)
 *
 * Main thread only, like the widgets that use it. */
#pragma once

#include <glib-object.h>
#include <tinta/tinta.h>
#include <tinta/worker.h>

G_BEGIN_DECLS

#define TINTA_TYPE_CLIP (tinta_clip_get_type ())

G_DECLARE_FINAL_TYPE (TintaClip, tinta_clip, TINTA, CLIP, GObject)

/* working_height 0: the engine's default (480); cache_bytes 0: 1 GiB. */
TintaClip              *tinta_clip_new                (const char         *path,
                                                       int                 working_height,
                                                       gsize               cache_bytes,
                                                       GError            **error);
const char             *tinta_clip_get_path           (TintaClip          *self);
const tinta_media_info *tinta_clip_get_info           (TintaClip          *self);
void                    tinta_clip_get_working_size   (TintaClip          *self,
                                                       int                *width,
                                                       int                *height);

/* Moves the playhead: decodes that frame for display (asynchronously) and
 * tells the worker to compute around it first. */
void                    tinta_clip_seek               (TintaClip          *self,
                                                       gint64              frame);
gint64                  tinta_clip_get_position       (TintaClip          *self);
/* The last decoded frame (clip size, L, a, b, rgb) and its index; NULL
 * before the first ::frame-decoded. */
const tinta_frame      *tinta_clip_peek_frame         (TintaClip          *self,
                                                       gint64             *frame);

/* A frame's result at the working size (see tinta_worker_result). */
gboolean                tinta_clip_get_result         (TintaClip          *self,
                                                       gint64              frame,
                                                       tinta_result_kind   kind,
                                                       float              *a,
                                                       float              *b,
                                                       float              *conf);
gboolean                tinta_clip_has_result         (TintaClip          *self,
                                                       gint64              frame,
                                                       tinta_result_kind   kind);

/* Keyframes.  colors: clip size Lab; alpha NULL for a full keyframe.  The
 * clip keeps a copy of each (for saving and undo). */
gboolean                tinta_clip_set_keyframe       (TintaClip          *self,
                                                       gint64              frame,
                                                       const tinta_frame  *colors,
                                                       const float        *alpha,
                                                       GError            **error);
/* Loads an image (scaled to the clip's size if it differs) as a full
 * keyframe. */
gboolean                tinta_clip_import_keyframe    (TintaClip          *self,
                                                       gint64              frame,
                                                       const char         *image_path,
                                                       GError            **error);
gboolean                tinta_clip_remove_keyframe    (TintaClip          *self,
                                                       gint64              frame,
                                                       GError            **error);
/* Keyframe frames, ascending. */
const gint64           *tinta_clip_get_keyframes      (TintaClip          *self,
                                                       guint              *n);
const tinta_frame      *tinta_clip_get_keyframe_colors (TintaClip         *self,
                                                        gint64             frame,
                                                        const float      **alpha);
const gint64           *tinta_clip_get_cuts           (TintaClip          *self,
                                                       guint              *n);
void                    tinta_clip_get_stats          (TintaClip          *self,
                                                       tinta_worker_stats *stats);

G_END_DECLS
