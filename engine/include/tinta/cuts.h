/* Hard shot-cut detection: where a clip jumps to a different shot, so
 * colors are never propagated across it and the editor can show it.
 *
 *   tinta_cut_detector *d = NULL;
 *   tinta_cut_detector_new (info->width, info->height, NULL, &d, &err);
 *   for (long long k = 0; k < info->frame_count; k++)
 *     {
 *       tinta_media_read (media, k, frame, &err);    // frame->L: 0..100
 *       int is_cut;
 *       float score;
 *       tinta_cut_detector_push (d, frame->L, &is_cut, &score, &err);
 *       if (is_cut)
 *         start_new_shot (k);
 *     }
 *   tinta_cut_detector_free (d);
 *
 * Each frame is reduced to 16x9 block means and a 64-bin histogram of its
 * luminance, taken after removing the frame's mean and contrast, the rank
 * order of those block means, and a plain histogram of L.  Two frames
 * differ by the smaller of two explanations, motion (blocks compared with
 * their 3x3 neighbours, so a pan costs little) and a change of light (a
 * flash or a fade keeps the blocks' order).  A frame's score is its
 * distance to the most similar of the last three frames (so the frame
 * after a flash, which matches the one before it, scores low); the frame
 * is a cut when the score clears an absolute floor and is several times
 * the median of the recent scores (so shaky, fast footage raises its own
 * bar).  The decision is made at once, without looking ahead.  Gradual
 * transitions (dissolves, wipes) are not detected.
 *
 * Thread safety: a detector is used by one thread at a time; the functions
 * are reentrant otherwise.
 */
#pragma once

#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tinta_cut_detector tinta_cut_detector;

/* Tuning; tinta_cut_params_init() gives the defaults measured on DAVIS
 * (see src/shot/cuts.c for the measurements). */
typedef struct {
  float floor;          /* a cut scores more than this (0..10) */
  float ratio;          /* ... and more than ratio times the recent median */
  int   window;         /* recent scores the median is taken over, 1..256 */
  int   min_shot;       /* every shot, the first too, has at least this many
                         * frames: no cut is reported closer to the last
                         * (or to the first frame) */
} tinta_cut_params;

void tinta_cut_params_init (tinta_cut_params *params);

/* Frames of width x height (1..TINTA_MAX_DIMENSION); params NULL for the
 * defaults. */
int  tinta_cut_detector_new (int width, int height, const tinta_cut_params *params,
                             tinta_cut_detector **out, tinta_error *err);
void tinta_cut_detector_free (tinta_cut_detector *detector);   /* accepts NULL */

/* Feeds the next frame's CIE L plane (width * height values, 0..100; NaN
 * and values outside are clamped).  *is_cut is 1 if this frame begins a new
 * shot (never for the first frame pushed, which begins the first one);
 * *score (may be NULL) receives its distance to the recent frames, 0 for
 * the first frame. */
int  tinta_cut_detector_push (tinta_cut_detector *detector, const float *L, int *is_cut,
                              float *score, tinta_error *err);

/* Forgets every frame pushed, e.g. before a seek. */
void tinta_cut_detector_reset (tinta_cut_detector *detector);

/* Decodes a clip (anything tinta_media_open reads) with the default
 * parameters; *cuts (free() it) receives the ascending indices of the
 * frames that begin a new shot, NULL when *n_cuts is 0. */
int  tinta_detect_cuts_clip (const char *path, int **cuts, int *n_cuts, tinta_error *err);

#ifdef __cplusplus
}
#endif
