/* Painted strokes -> a partial keyframe (design.md §1; issue 6 item 4).
 *
 * An artist paints a few strokes of color on a gray frame; Tinta spreads
 * each stroke's chroma over the surface it was painted on, stopping at
 * luminance edges, and the result becomes a partial keyframe (colors plus
 * an alpha mask) that the worker propagates like any other key.
 *
 *   tinta_paint *p;
 *   tinta_paint_new (frame->L, W, H, &p, &err);        // the frame's luminance guides the fill
 *   tinta_paint_add_stroke (p, &stroke, &err);          // as often as strokes come
 *   tinta_paint_params prm;
 *   tinta_paint_params_init (&prm);
 *   tinta_paint_fill (p, &prm, colors->a, colors->b, alpha, &err);   // clip size
 *   tinta_worker_set_keyframe (w, frame, colors, alpha, &err);
 *   tinta_paint_free (p);
 *
 * Two layers:
 *   - the stroke layer: strokes rasterized at the clip's size (brush
 *     diameter, hardness as the soft edge's falloff, pressure scaling the
 *     coverage); a stroke paints its chroma over what lies below with its
 *     coverage, an eraser stroke removes coverage.  Only a and b of a
 *     stroke's color are used: the frame's own L stays;
 *   - the fill: the stroke layer's chroma spread edge-aware from the
 *     painted pixels (geodesic distance over the luminance: crossing an
 *     edge costs as much as travelling far), alpha falling off with that
 *     distance, so a scribble inside a shirt colors the shirt and not the
 *     wall behind it.  Painted pixels keep their own color and coverage
 *     (alpha >= coverage).
 *
 * Speed: tinta_paint_fill at 854x480 runs well under 100 ms on 2 cores
 * (the editor previews while the user paints); larger frames are filled at
 * a working resolution and upsampled guided by the full-resolution L.
 *
 * Thread safety: a tinta_paint is used by one thread at a time. */
#pragma once

#include "status.h"
#include "project.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  float spread;        /* how far color travels from the strokes, in clip pixels of
                          geodesic distance (flat surface); 0 = no fill, strokes only.
                          Alpha is 1 out to spread / 2 and falls smoothly to 0 at
                          spread.  0..1e6 */
  float edge;          /* cost of a luminance step: distance added per L unit of
                          gradient, in clip pixels; higher stops harder at edges.
                          L is lightly smoothed first and the first L unit of each
                          pixel step is free (grain is not an edge).  0..1e4 */
} tinta_paint_params;

/* The documented defaults: spread 120, edge 6 (a scribble fills a uniform
 * region 60-100 px around it; an L step of 30 costs ~150 px and stops it;
 * paint.c says why). */
void tinta_paint_params_init (tinta_paint_params *p);

typedef struct tinta_paint tinta_paint;

/* L: the frame's luminance (clip size, 0..100; clamped, NaN read as 0),
 * copied.  Errors: INVALID_ARGUMENT (NULL), OUT_OF_RANGE (size outside
 * 1..TINTA_MAX_DIMENSION), NO_MEMORY. */
int  tinta_paint_new (const float *L, int width, int height, tinta_paint **out,
                      tinta_error *err);
void tinta_paint_free (tinta_paint *p);   /* accepts NULL */

/* Rasterizes one stroke onto the stroke layer (points in clip pixels, see
 * tinta_stroke).  Points outside the frame are fine (clipped).  Dabs every
 * quarter diameter along the polyline, pressure interpolated; a dab's
 * coverage is pressure * (1 - smoothstep (hardness * r - 0.5, r + 0.5, d))
 * at distance d from its centre (hardness 1: a disc with a 1-pixel
 * antialiased rim; 0: falling from the centre to the rim), and a stroke's
 * dabs combine by max.  The coverage also sets how far the stroke's color
 * reaches in the fill (it starts (1 - coverage) * spread away), so a light
 * stroke fills less.  Any number of points: the work per stroke is
 * bounded (absurd strokes are thinned out).  The color is not checked for
 * erasers.  Errors (nothing painted): INVALID_ARGUMENT (NULL, no points,
 * size <= 0, NaN or infinite numbers), OUT_OF_RANGE (size > 4096,
 * hardness or a pressure outside [0, 1], a or b outside [-200, 200]),
 * NO_MEMORY. */
int  tinta_paint_add_stroke (tinta_paint *p, const tinta_stroke *stroke, tinta_error *err);
/* Empties the stroke layer. */
void tinta_paint_clear (tinta_paint *p);
/* 1 if some pixel of the stroke layer has coverage. */
int  tinta_paint_has_paint (const tinta_paint *p);

/* The partial keyframe: a, b (Lab units) and alpha ([0, 1]), each clip
 * size; pixels with alpha 0 get a = b = 0.  params NULL: the defaults.
 * The stroke layer is composited "over" the fill at full resolution, so a
 * fully covered pixel keeps its stroke's chroma exactly.  Frames taller
 * than 540 lines are filled at 540 lines and upsampled (tinta/upsample.h).
 * Errors: INVALID_ARGUMENT (NULL or shared output planes), OUT_OF_RANGE
 * (params), NO_MEMORY; the outputs are zero on failure. */
int  tinta_paint_fill (tinta_paint *p, const tinta_paint_params *params, float *a, float *b,
                       float *alpha, tinta_error *err);

#ifdef __cplusplus
}
#endif
