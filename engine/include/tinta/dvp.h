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
 * resolution) finds its most similar cell among all keyframes (cosine
 * similarity, one oneDNN matmul); every fine position (conv1, 1/2) then
 * searches a small window around the position its cell's match implies;
 * the keyframe's chroma at the best fine match is transferred, and the
 * fine similarity is the confidence.
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

#define TINTA_FEATURES_MODEL "squeezenet1_1-features.safetensors"
#define TINTA_FEATURES_ARCH  "squeezenet1_1-features"

typedef struct tinta_global tinta_global;

/* features: a loaded feature model (arch TINTA_FEATURES_ARCH), or NULL to
 * load the default one; the tinta_global keeps its own reference. */
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

/* Local strategy: a network on the previous and current gray frames (half
 * resolution) predicts a displacement, vertical and horizontal kernels
 * and a confidence per pixel; the previous frame's chroma convolved
 * around the displacement is the current one (training/dvp_model.py). */
#define TINTA_LOCAL_MODEL "tinta-dvp-local.safetensors"
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

#ifdef __cplusplus
}
#endif
