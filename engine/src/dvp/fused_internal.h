/* The fused chain's state, for the worker (engine/src/worker), which
 * resumes chains from cached states and overlays partial keyframes.
 * Private to the engine. */
#pragma once

#include "tinta/dvp.h"

/* Polled between network layers and matching blocks: a step returns
 * TINTA_CANCELLED within a layer's time once it says stop. */
void tinta_fused_set_abort (tinta_fused *f, tinta_abort_fn abort_cb, void *user);
void tinta_fused_half_size (const tinta_fused *f, int *hw, int *hh);
/* The chroma the next step propagates (half size, Lab units) and the
 * frames since the chain's keyframe. */
void tinta_fused_get_state (const tinta_fused *f, float *a_half, float *b_half,
                            long long *since_key);
/* Resumes the chain: L_prev is the (working-size) luminance of the frame
 * the state belongs to.  get_state then set_state with that frame's L
 * continues the chain exactly as if it had not stopped. */
void tinta_fused_set_state (tinta_fused *f, const float *L_prev, const float *a_half,
                            const float *b_half, long long since_key);
/* The last step's local result (half size): chroma and confidence; valid
 * until the next step. */
void tinta_fused_last_local (const tinta_fused *f, const float **a_half, const float **b_half,
                             const float **conf_half);

/* The global match remembered across passes.  Between two keyframes the
 * colorizer runs the chain backward, then forward, over the same frames
 * with the same keyframe set, so the match of a frame (half the cost of a
 * fused step) is the same in both passes: the backward pass keeps it,
 * the forward pass gives it back instead of matching again.
 * get_global: after a step, the global inputs it gave the fusion network,
 * TINTA_FUSED_GLOBAL_PLANES planes of half size (a, b in Lab units, the
 * match similarity, the matched L).  use_global: the next step (one only)
 * takes these instead of matching L; its parts->global_* must be NULL. */
#define TINTA_FUSED_GLOBAL_PLANES 4
void tinta_fused_get_global (const tinta_fused *f, float *planes);
void tinta_fused_use_global (tinta_fused *f, const float *planes);
