/* Colorizing a whole clip from several keyframes, both ways, shot by shot.
 *
 *   tinta_keyframe keys[2] = { { 0, first }, { 79, last } };   // clip size, Lab
 *   tinta_colorizer *c;
 *   tinta_colorizer_new (media, n, keys, 2, NULL, &c, &err);
 *   tinta_colorizer_analyze (c, progress, abort_cb, user, &err);  // finds cuts
 *   for (long long k = 0; k < n; k++)
 *     tinta_colorizer_frame (c, k, frame, &err);    // frame: clip size, Lab + RGB
 *   tinta_colorizer_free (c);
 *
 * Plan.  Hard cuts split the clip into shots; colors never cross a cut.
 * Inside a shot, a frame between two keyframes P < k < N is propagated
 * forward from P and backward from N (the same fused strategy, run in
 * reverse time); the two results are blended per pixel with weights
 *   w_P = (N - k) / (N - P) * (CONF_FLOOR + c_P),  w_N likewise,
 * where c is the local network's confidence of that pass at that frame
 * (low where the step from the neighbouring frame was an occlusion), so
 * the nearer keyframe dominates and an occluded pass gives way.  Frames
 * before a shot's first keyframe are propagated backward only, frames
 * after its last forward only.  In both passes the global match searches
 * every keyframe of the clip (long range, across shots too).  A shot with
 * no keyframe at all gets the global match alone (the fused and global
 * strategies; the local strategy leaves it gray), and is counted in the
 * report.  At a keyframe the output is the keyframe's own chroma on the
 * clip's luminance: the footage's gray is the truth of brightness.
 *
 * Resolution.  The networks run at a working size (height
 * TINTA_WORKING_HEIGHT by default, width to keep the aspect ratio, both
 * even); a clip taller than that is area-downscaled, and the chroma comes
 * back to the clip's size by the guided filter of tinta/upsample.h with
 * the full-resolution L as guide (sharp edges, no halo).
 *
 * Memory.  Bounded by the working size, not by the clip's length: the
 * backward pass of a segment keeps its per-frame results (working-size L
 * as float, chroma as 16-bit, confidence as 8-bit: 9 bytes per pixel;
 * with the fused strategy also the frame's global match at half size, 4
 * floats per half-size pixel, which the forward pass reuses instead of
 * matching again: 5.3 MB per frame at 854x480) in an unlinked temporary
 * file (tmpfile(3), $TMPDIR), not in RAM.
 *
 * Frames must be asked for in order 0, 1, 2, ... (what an exporter does);
 * the frames of a segment's backward pass are decoded once more (one seek).
 *
 * Thread safety: one colorizer per thread; it reads the media it is given,
 * which nobody else may read meanwhile. */
#pragma once

#include "status.h"
#include "frame.h"
#include "media.h"
#include "dvp.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TINTA_WORKING_HEIGHT 480
#define TINTA_COLORIZE_MAX_KEYS 16

typedef struct {
  long long          frame;   /* clip frame index */
  const tinta_frame *image;   /* the colors: clip size, L, a, b planes */
} tinta_keyframe;

typedef struct {
  const char *model;           /* NULL: the shipped TINTA_DVP_MODEL */
  const char *strategy;        /* "fused" (NULL: default), "local" or "global" */
  int         working_height;  /* 0: TINTA_WORKING_HEIGHT; clips no taller run at their size */
  int         detect_cuts;     /* 1: find hard cuts in tinta_colorizer_analyze */
} tinta_colorize_params;

void tinta_colorize_params_init (tinta_colorize_params *p);

/* The working size of a W x H clip: height min(H, working_height), width
 * by the aspect ratio, both even (1920x1080 -> 854x480). */
void tinta_working_size (int W, int H, int working_height, int *w, int *h);

typedef struct tinta_colorizer tinta_colorizer;

/* n_frames: how many frames of the media to colorize (1..its count).
 * Keyframes: 1..TINTA_COLORIZE_MAX_KEYS, distinct frames inside the range,
 * any order; their images are copied. */
int  tinta_colorizer_new (tinta_media *media, long long n_frames, const tinta_keyframe *keys,
                          int n_keys, const tinta_colorize_params *params,
                          tinta_colorizer **out, tinta_error *err);
void tinta_colorizer_free (tinta_colorizer *c);   /* accepts NULL */

/* A partial keyframe (painted strokes): chroma a, b of `colors` (clip
 * size; its L is not used) where alpha (clip size, [0, 1]) covers.  Like
 * the editor's worker (tinta/worker.h), it does not bound segments and is
 * not matched against: where a chain, either way, reaches its frame, the
 * chain's state takes the paint by alpha and carries it on, so the frame
 * shows it and its neighbours inherit it.  Shots propagated by no chain
 * (no full keyframe) and the global strategy do not use it.  Any number;
 * after tinta_colorizer_new, before the first frame; not on a frame with
 * a full keyframe.  Copies both. */
int  tinta_colorizer_add_partial (tinta_colorizer *c, long long frame, const tinta_frame *colors,
                                  const float *alpha, tinta_error *err);

/* One decoding pass over the clip that finds the hard cuts (when
 * params->detect_cuts); must come before the first frame. Progress counts
 * frames; abort_cb (may be NULL) is polled per frame (TINTA_CANCELLED),
 * here and later in the backward passes that tinta_colorizer_frame runs
 * (a segment's pass happens within one call: it must stay cancellable). */
int  tinta_colorizer_analyze (tinta_colorizer *c, tinta_progress_fn progress,
                              tinta_abort_fn abort_cb, void *user, tinta_error *err);

/* The frames that start a new shot (after analyze), ascending. */
int  tinta_colorizer_cuts (const tinta_colorizer *c, const long long **frames);

/* Frame k (k = 0, 1, 2, ... in order) into `out`: clip size, L, a, b and
 * rgb planes allocated. */
int  tinta_colorizer_frame (tinta_colorizer *c, long long k, tinta_frame *out,
                            tinta_error *err);

typedef struct {
  int       working_width, working_height;
  long long frames_forward_only, frames_backward_only, frames_both_ways;
  long long frames_global_only;   /* in shots without a keyframe */
  long long frames_keyframe;
  /* wall time totals, ms (tinta-cli bench): */
  double    analyze_ms;           /* the cut-detection pass, decoding included */
  double    decode_ms;            /* media reads while colorizing (both passes) */
  double    downscale_ms;         /* clip size to working size */
  double    propagate_ms;         /* the strategy's steps, both passes */
  double    upscale_ms;           /* guided chroma upsampling to the clip size */
  double    convert_ms;           /* blending, Lab to RGB */
  double    spill_ms;             /* the backward pass's temporary file */
  tinta_dvp_timing dvp;           /* inside propagate_ms (fused, global; local: local_ms) */
} tinta_colorize_report;

void tinta_colorizer_report (const tinta_colorizer *c, tinta_colorize_report *out);

#ifdef __cplusplus
}
#endif
