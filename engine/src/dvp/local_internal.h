/* The local step at half resolution, for the fused strategy (fused.c).
 * Private to the engine. */
#pragma once

#include "tinta/dvp.h"

typedef struct {
  const float *a, *b;    /* propagated chroma (Lab units), the new state */
  const float *g_cur;    /* L / 100 of the frame */
  const float *l_warp;   /* the previous L / 100 moved like the chroma */
  const float *conf;     /* the network's confidence */
  int width, height;     /* half resolution */
} tinta_local_step;

/* One step from the state to the frame of luminance L (full size); the
 * pointers in *out stay valid until the next step, reset or free. */
int  tinta_local_step_half (tinta_local *l, const float *L, tinta_local_step *out,
                            tinta_error *err);
/* Replaces the state (half resolution, Lab units): the fused chroma is
 * what the next step propagates. */
void tinta_local_set_state_half (tinta_local *l, const float *a, const float *b);
/* The previous frame of the state: its luminance (full size). */
void tinta_local_set_prev (tinta_local *l, const float *L);
/* Polled between the network's layers (NULL: never stop). */
void tinta_local_set_abort (tinta_local *l, tinta_abort_fn abort_cb, void *user);
/* The global match polls it too (global.c). */
void tinta_global_set_abort (tinta_global *g, tinta_abort_fn abort_cb, void *user);
/* Coarse candidates per cell whose fine windows are searched, 1 to
 * TINTA_GLOBAL_TOPK (the default, best for the global strategy alone). */
#define TINTA_GLOBAL_TOPK 4
void tinta_global_set_candidates (tinta_global *g, int k);

/* The match at half the frame size ((w/2) x (h/2), what the fused
 * strategy's networks see): a, b, confidence and the matched L, each
 * exactly what tinta_global_predict_full's full-size plane becomes under
 * tinta_half_res (resample.h), in one separable pass from the match's
 * grid instead of two.  Any of the planes may be NULL. */
int  tinta_global_predict_half (tinta_global *g, const float *L, float *a, float *b, float *conf,
                                float *L_match, tinta_error *err);
/* The last match (predict_full or predict_half) at full size, as
 * predict_full gives it; NULL planes are skipped. */
void tinta_global_last_full (tinta_global *g, float *a, float *b, float *conf, float *L_match);
