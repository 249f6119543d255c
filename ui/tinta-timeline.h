/* tinta-timeline.h: TintaTimeline, the strip at the bottom of the editor
 * that shows the whole clip and where the playhead is in it.
 *
 *   GtkWidget *timeline = tinta_timeline_new ();
 *   tinta_timeline_set_clip (TINTA_TIMELINE (timeline), 300, 25, 1);
 *   tinta_timeline_set_keyframes (TINTA_TIMELINE (timeline), keys, n_keys);
 *   g_signal_connect (timeline, "scrub", G_CALLBACK (seek_to), window);
 *   // as the worker reports results:
 *   tinta_timeline_set_cache_state (TINTA_TIMELINE (timeline), 42,
 *                                   TINTA_TIMELINE_CACHE_FUSED);
 *
 * From top to bottom: thumbnails of the clip, a cache bar that shows per
 * frame what the engine has computed (nothing, the local pass, the fused
 * result), a ruler with keyframe diamonds and shot-cut markers, and a line
 * with the frame number and timecode.  The playhead runs across all of it.
 *
 * Frames are counted from 0.  The user scrubs with the pointer (click and
 * drag) or, with the timeline focused, with Left/Right (one frame),
 * Shift+Left/Right (previous/next keyframe) and Home/End; each such move
 * sets the position and emits ::scrub.  Space and J/K/L are play controls
 * the timeline does not act on: it emits ::play-control with "toggle",
 * "reverse", "pause" or "forward" for the window to handle.  The same
 * moves are widget actions (timeline.step, timeline.seek-keyframe,
 * timeline.seek-start, timeline.seek-end, timeline.play-control), so menus
 * and tests can use them.
 *
 * The cache bar is drawn from a per-column summary that is rebuilt only
 * for the frames that changed, so clips of hundreds of thousands of frames
 * and a worker reporting every frame cost little.  Main thread only, like
 * all widgets. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define TINTA_TYPE_TIMELINE (tinta_timeline_get_type ())

G_DECLARE_FINAL_TYPE (TintaTimeline, tinta_timeline, TINTA, TIMELINE, GtkWidget)

/* What the engine has for a frame, in increasing order of completeness. */
typedef enum {
  TINTA_TIMELINE_CACHE_NONE,
  TINTA_TIMELINE_CACHE_LOCAL,
  TINTA_TIMELINE_CACHE_FUSED,
} TintaTimelineCache;

GtkWidget *tinta_timeline_new              (void);

/* Starts over with a clip of n_frames (0: no clip) at rate_num/rate_den
 * frames per second: position 0, no keyframes, cuts, cache or thumbnails. */
void       tinta_timeline_set_clip         (TintaTimeline      *self,
                                            gint64              n_frames,
                                            int                 rate_num,
                                            int                 rate_den);
gint64     tinta_timeline_get_n_frames     (TintaTimeline      *self);

/* Clamped to the clip; notifies "position" when it changes. */
void       tinta_timeline_set_position     (TintaTimeline      *self,
                                            gint64              frame);
gint64     tinta_timeline_get_position     (TintaTimeline      *self);

/* Replace the markers; frames outside the clip are ignored, order and
 * duplicates do not matter.  A cut at frame f is drawn between f - 1 and
 * f: f is the first frame of a new shot. */
void       tinta_timeline_set_keyframes    (TintaTimeline      *self,
                                            const gint64       *frames,
                                            guint               n);
/* The nearest keyframe after (direction > 0) or before (direction < 0)
 * the position.  Returns FALSE when there is none that way. */
gboolean   tinta_timeline_next_keyframe    (TintaTimeline      *self,
                                            int                 direction,
                                            gint64             *frame);
void       tinta_timeline_set_cuts         (TintaTimeline      *self,
                                            const gint64       *frames,
                                            guint               n);

/* Per-frame cache state; frames outside the clip are ignored, so late
 * reports about a previous clip do no harm.  clear_cache() sets first to
 * last (inclusive) back to NONE. */
void       tinta_timeline_set_cache_state  (TintaTimeline      *self,
                                            gint64              frame,
                                            TintaTimelineCache  state);
void       tinta_timeline_clear_cache      (TintaTimeline      *self,
                                            gint64              first,
                                            gint64              last);
/* How many frames are in exactly this state. */
guint      tinta_timeline_count_cached     (TintaTimeline      *self,
                                            TintaTimelineCache  state);

/* A thumbnail for a sampled frame (NULL removes it).  Each slot of the
 * strip shows the available thumbnail nearest to the frame under its
 * middle, scaled to the strip's height with its aspect ratio kept. */
void       tinta_timeline_set_thumbnail    (TintaTimeline      *self,
                                            gint64              frame,
                                            GdkTexture         *texture);

/* "HH:MM:SS:FF", non-drop-frame: the frame counter runs at the rate
 * rounded to a whole number (30 for 30000/1001).  "--:--:--:--" for a rate
 * that is not positive.  Free with g_free(). */
char      *tinta_timeline_format_timecode  (gint64              frame,
                                            int                 rate_num,
                                            int                 rate_den);

G_END_DECLS
