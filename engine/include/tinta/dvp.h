/* Deep video color propagation: the strategies that predict a frame's
 * chroma (a, b) from its luminance and the keyframes.
 *
 *   tinta_global *g;
 *   tinta_global_new (NULL, 854, 480, &g, &err);    // default feature model
 *   tinta_global_set_keyframes (g, &key, 1, &err);  // key: L, a, b filled
 *   tinta_global_predict (g, frame->L, frame->a, frame->b, conf, &err);
 *   tinta_global_free (g);
 *
 * Global strategy (design.md §2): SqueezeNet v1.1 features of the gray
 * frame and of the keyframes' luminance; every coarse cell (fire5, 1/8
 * resolution) finds its 4 most similar cells among all keyframes (cosine
 * similarity, one oneDNN matmul); every fine position (conv1, 1/2) then
 * searches a small window around the position each match implies; the
 * keyframes' chroma is transferred as a softmax-weighted mean over those
 * windows, and the best fine similarity is the confidence.
 *
 * Thread safety: one tinta_global per thread (it owns a runner). */
#pragma once

#include "status.h"
#include "frame.h"
#include "nn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Finds a model file shipped or built with Tinta: $TINTA_MODEL_DIR, the
 * build tree's models/, then the installed data folder. Writes the path
 * into buf (also when the file is missing, naming the first place looked);
 * returns 1 if the file exists. */
int tinta_model_find (const char *file, char *buf, size_t size);

/* The shipped model: one file, a bundle of the three networks (features,
 * local, fusion; docs/model-format.md), made by the build from the
 * trained networks of models/ and SqueezeNet (training/dvp_bundle.py).
 * Every constructor below takes it (or a file holding just its network)
 * and loads it by default when given NULL. */
#define TINTA_DVP_MODEL "tinta-dvp.safetensors"

#define TINTA_FEATURES_ARCH  "squeezenet1_1-features"

typedef struct tinta_global tinta_global;

/* features_path: a file with the feature network (arch
 * TINTA_FEATURES_ARCH, alone or in a bundle), NULL for TINTA_DVP_MODEL. */
int  tinta_global_new (const char *features_path, int width, int height,
                       tinta_global **out, tinta_error *err);
void tinta_global_free (tinta_global *g);   /* accepts NULL */

/* Keyframes: L, a, b planes of the global's size. Up to 16. */
#define TINTA_GLOBAL_MAX_KEYS 16
int tinta_global_set_keyframes (tinta_global *g, const tinta_frame *const *keys, int n,
                                tinta_error *err);

/* Predicts a, b (full size) from L; conf (may be NULL) receives the match
 * confidence in [0, 1] at full size. */
int tinta_global_predict (tinta_global *g, const float *L, float *a, float *b, float *conf,
                          tinta_error *err);
/* The same, and L_match (may be NULL) receives the keyframe's L at each
 * pixel's match: where it differs from L, the match is suspect (the
 * fusion network's l_global input). */
int tinta_global_predict_full (tinta_global *g, const float *L, float *a, float *b,
                               float *conf, float *L_match, tinta_error *err);

/* Where the time goes (for tinta-cli bench): totals since creation, in
 * milliseconds of wall time, and the frames they cover. */
typedef struct {
  long long frames;
  double    features_ms;    /* SqueezeNet on the frame */
  double    coarse_ms;      /* the coarse matmul and top-k */
  double    fine_ms;        /* the fine windows and the chroma transfer */
  double    transfer_ms;    /* the match grid to the frame's size */
  double    local_ms;       /* fused: the local network and its operator */
  double    fusion_ms;      /* fused: the fusion network and its inputs */
} tinta_dvp_timing;

void tinta_global_timing (const tinta_global *g, tinta_dvp_timing *out);

/* Local strategy: a network on the previous and current gray frames (half
 * resolution) predicts a displacement, vertical and horizontal kernels
 * and a confidence per pixel; the previous frame's chroma convolved
 * around the displacement is the current one (training/dvp_model.py). */
#define TINTA_LOCAL_ARCH  "tinta-dvp-local"

typedef struct tinta_local tinta_local;

int  tinta_local_new (const char *model_path, int width, int height, tinta_local **out,
                      tinta_error *err);
void tinta_local_free (tinta_local *l);   /* accepts NULL */

/* Starts from a frame whose colors are known (keyframe or a fused
 * result): L, a, b planes of the local's size. */
int tinta_local_reset (tinta_local *l, const float *L, const float *a, const float *b,
                       tinta_error *err);
/* Propagates to the next frame: from its L, writes a, b (full size) and,
 * if conf is not NULL, the confidence in [0, 1] (full size). The result
 * becomes the state the next call propagates from. */
int tinta_local_next (tinta_local *l, const float *L, float *a, float *b, float *conf,
                      tinta_error *err);

/* Fused strategy: every frame, the local step from the previous fused
 * chroma, the global match against the keyframe, and the fusion network on
 * both (plus the local confidence, the moved previous luminance, the
 * match similarity and the distance to the keyframe) give the frame's
 * chroma, which the next local step propagates (training/dvp_model.py).
 * model_path: a bundle with the three networks, NULL for TINTA_DVP_MODEL. */
#define TINTA_FUSION_ARCH  "tinta-dvp-fusion"

typedef struct tinta_fused tinta_fused;

/* Optional by-products of tinta_fused_next, full size; any may be NULL. */
typedef struct {
  float *local_a, *local_b;
  float *global_a, *global_b, *global_conf;
  float *local_conf;    /* the local network's confidence in [0, 1] */
} tinta_fused_parts;

int  tinta_fused_new (const char *model_path, int width, int height,
                      tinta_fused **out, tinta_error *err);
void tinta_fused_free (tinta_fused *f);   /* accepts NULL */
int  tinta_fused_set_keyframe (tinta_fused *f, const tinta_frame *key, tinta_error *err);
/* Several keyframes (up to TINTA_GLOBAL_MAX_KEYS): the global match
 * searches all of them; the local chain starts from keys[start]. */
int  tinta_fused_set_keyframes (tinta_fused *f, const tinta_frame *const *keys, int n,
                                int start, tinta_error *err);
/* Starts the local chain again from `key` (colors known at this frame:
 * a keyframe, in either direction of propagation), keeping the global
 * match's keyframes; the distance to the keyframe counts from here. */
int  tinta_fused_restart (tinta_fused *f, const tinta_frame *key, tinta_error *err);
/* The fused strategy's global match (its keyframes are those set above):
 * for frames with nothing to propagate from. */
tinta_global *tinta_fused_global (tinta_fused *f);
void tinta_fused_timing (const tinta_fused *f, tinta_dvp_timing *out);
int  tinta_fused_next (tinta_fused *f, const float *L, float *a, float *b,
                       tinta_fused_parts *parts, tinta_error *err);

#ifdef __cplusplus
}
#endif
