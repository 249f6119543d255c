/* The two-way blend of tinta/colorize.h, shared by the batch colorizer
 * (colorize.c) and the editor's worker (worker/worker.c) so both make the
 * same pictures.  Private to the engine. */
#pragma once

#include <stddef.h>

/* A pass with zero confidence still counts a little, so the blend stays
 * defined and smooth where both passes are unsure. */
#define TINTA_BLEND_CONF_FLOOR 0.05f

/* Weights of the forward and backward results at one pixel, for a frame
 * whose share of the way from the previous keyframe to the next one is
 * 1 - tf (tf = (N - k) / (N - P)); returns their sum's inverse, so that
 * the blend of x and y is (*wf * x + *wb * y) * that. */
static inline float
tinta_blend_weights (float tf, float conf_f, float conf_b, float *wf, float *wb)
{
  *wf = tf * (TINTA_BLEND_CONF_FLOOR + conf_f);
  *wb = (1.0f - tf) * (TINTA_BLEND_CONF_FLOOR + conf_b);
  return 1.0f / (*wf + *wb);
}

/* A partial keyframe (painted chroma pa, pb with coverage alpha in [0, 1])
 * laid over a chain's state a, b where the chain reaches its frame: the
 * state takes the paint by alpha and the chain carries it on (partial
 * keyframes in tinta/worker.h and tinta/colorize.h). */
static inline void
tinta_overlay_partial (const float *alpha, const float *pa, const float *pb, float *a, float *b,
                       size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      a[i] += alpha[i] * (pa[i] - a[i]);
      b[i] += alpha[i] * (pb[i] - b[i]);
    }
}
