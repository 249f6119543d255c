/* The background worker: colorizes a clip while the user scrubs and edits
 * keyframes (the editor's engine; tinta-cli colorize uses the batch
 * colorizer of tinta/colorize.h, which makes the same pictures).
 *
 *   tinta_worker *w;
 *   tinta_worker_new ("clip.mp4", NULL, on_event, ui, &w, &err);
 *   tinta_worker_set_keyframe (w, 0, colors, NULL, &err);     // clip size, Lab
 *   tinta_worker_set_playhead (w, 120);
 *   ... on_event (TINTA_WORKER_FRAME, frame 120, FUSED) from the worker thread
 *   tinta_worker_result (w, 120, TINTA_RESULT_FUSED, a, b, NULL);   // working size
 *   tinta_worker_free (w);      // cancels and joins
 *
 * Plan.  The same as tinta/colorize.h: shots between hard cuts; inside a
 * shot, the frames between two full keyframes P < k < N propagated
 * forward from P and backward from N with the fused strategy, blended by
 * temporal distance and confidence; one way before the first and after
 * the last keyframe; the global match alone in a shot without keyframes.
 *
 * Dependencies, and what an edit invalidates.  Setting, changing or
 * removing the keyframe at K invalidates the frames strictly between the
 * full keyframes around K (or the shot's ends), and nothing else.  That
 * holds because every input of those frames comes from their two
 * bounding full keyframes only: the propagation by construction, and the
 * global match because the worker matches each frame against the full
 * keyframes that bound it (not against every keyframe of the clip as the
 * batch colorizer does: then one edit would invalidate the whole clip,
 * and an artist editing keyframe 40 of a 2-hour reel would wait for all
 * of it).  Shots without a keyframe match against all the clip's full
 * keyframes, so any keyframe edit invalidates them too.
 *
 * Partial keyframes (painted strokes): colors with an alpha mask.  They do
 * not bound segments: when a chain (either way) reaches the frame of a
 * partial keyframe, its state takes the painted colors where alpha > 0
 * (blended by alpha) and goes on.  Editing one invalidates the frames
 * between the full keyframes around it, like a full one.
 *
 * Jobs.  The worker computes, one frame at a time, the frame nearest to
 * the playhead that has no fused result yet (ties go forward), within a
 * window around the playhead (params.ahead/behind, default: the whole
 * clip, clamped to what the cache budget holds).  A frame's job runs the
 * forward chain from the nearest cached forward state (or the keyframe)
 * and the backward one likewise, caching every state on the way, so the
 * next frame usually costs one step each way.  Every job takes a snapshot
 * of the keyframe set and the generation; an edit bumps the generation of
 * the frames it invalidates, drops their cached results, and cancels the
 * running job if it depends on them (polled between network layers, so
 * within a few milliseconds).  A result is stored and announced only if
 * its frame was not invalidated since the snapshot, checked under the
 * lock that edits take: a stale result never reaches the callback.
 *
 * Events come from the worker thread, with the worker's lock held: the
 * callback must be quick and must not call tinta_worker_* functions other
 * than tinta_worker_result, tinta_worker_has and tinta_worker_get_stats
 * (a UI posts the event to its main loop).
 *
 * Memory: the cache (params.cache_bytes) plus the networks at the working
 * size and one clip-size decode buffer. */
#pragma once

#include <stddef.h>
#include "status.h"
#include "frame.h"
#include "media.h"
#include "cache.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TINTA_WORKER_MAX_KEYS 256

typedef enum {
  TINTA_WORKER_FRAME,    /* frame's results (all of fused, local, global) are ready */
  TINTA_WORKER_CUTS,     /* the cut pass ended: tinta_worker_cuts */
  TINTA_WORKER_IDLE,     /* nothing left to compute in the window */
  TINTA_WORKER_ERROR,    /* a job failed: error says why (the frame stays uncomputed) */
} tinta_worker_event_type;

typedef struct {
  tinta_worker_event_type type;
  long long               frame;        /* FRAME, ERROR: the frame */
  unsigned long long      generation;   /* FRAME: the generation it was computed at */
  const tinta_error      *error;        /* ERROR */
} tinta_worker_event;

typedef void (*tinta_worker_fn) (const tinta_worker_event *ev, void *user);

typedef struct {
  const char *model;            /* NULL: the shipped TINTA_DVP_MODEL */
  int         working_height;   /* 0: TINTA_WORKING_HEIGHT */
  size_t      cache_bytes;      /* 0: 1 GiB */
  int         detect_cuts;      /* 1 (default): a cut pass before the first frame job */
  long long   ahead, behind;    /* window around the playhead; both 0: the whole clip */
} tinta_worker_params;

void tinta_worker_params_init (tinta_worker_params *p);

typedef struct tinta_worker tinta_worker;

/* Opens the clip (its own decoder) and starts the thread.  fn may be NULL. */
int  tinta_worker_new (const char *media_path, const tinta_worker_params *params,
                       tinta_worker_fn fn, void *user, tinta_worker **out, tinta_error *err);
/* Cancels the running job, joins the thread, frees everything. Accepts NULL. */
void tinta_worker_free (tinta_worker *w);

const tinta_media_info *tinta_worker_info (const tinta_worker *w);
void tinta_worker_working_size (const tinta_worker *w, int *width, int *height);

/* Sets (or replaces) the keyframe at `frame`: colors is clip size with L,
 * a and b (L is ignored: the clip's own luminance is used); alpha (clip
 * size, [0, 1], may be NULL) makes it a partial keyframe.  Copies both. */
int  tinta_worker_set_keyframe (tinta_worker *w, long long frame, const tinta_frame *colors,
                                const float *alpha, tinta_error *err);
/* TINTA_ERR_NOT_FOUND if there is no keyframe there. */
int  tinta_worker_remove_keyframe (tinta_worker *w, long long frame, tinta_error *err);
/* Jobs go nearest to the playhead first. */
void tinta_worker_set_playhead (tinta_worker *w, long long frame);
/* Frames that start a shot (after the TINTA_WORKER_CUTS event); returns
 * how many (at most cap written). */
int  tinta_worker_cuts (tinta_worker *w, long long *frames, int cap);

/* The result of a frame at the working size: a and b (Lab units), conf
 * (may be NULL: the local confidence for LOCAL and FUSED, the match
 * similarity for GLOBAL).  TINTA_ERR_NOT_FOUND when not computed (or
 * evicted, or invalidated). kind: TINTA_RESULT_FUSED, _LOCAL or _GLOBAL. */
int  tinta_worker_result (tinta_worker *w, long long frame, int kind, float *a, float *b,
                          float *conf);
int  tinta_worker_has (tinta_worker *w, long long frame, int kind);
/* The fused result at the clip's size into out (out->L must hold the
 * clip's luminance: it guides the chroma upsampling; a, b and, if
 * allocated, rgb are written). */
int  tinta_worker_result_full (tinta_worker *w, long long frame, tinta_frame *out,
                               tinta_error *err);

/* Waits until the worker has nothing to do (1) or timeout_s passed (0). */
int  tinta_worker_wait_idle (tinta_worker *w, double timeout_s);

typedef struct {
  long long          steps_forward, steps_backward;   /* chain steps run */
  long long          frames_done;      /* frame jobs completed and announced */
  long long          frames_stale;     /* frame results dropped: invalidated meanwhile */
  long long          jobs_cancelled;   /* jobs stopped by an edit */
  long long          invalidated;      /* frames invalidated by edits, in all */
  unsigned long long generation;
  double             cancel_ms_max;    /* longest edit-to-stop latency seen */
  tinta_cache_stats  cache;
} tinta_worker_stats;

void tinta_worker_get_stats (tinta_worker *w, tinta_worker_stats *out);

#ifdef __cplusplus
}
#endif
