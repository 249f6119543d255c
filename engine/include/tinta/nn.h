/* Neural-network runtime on oneDNN: every network of Tinta (kernel
 * prediction, feature extractor, fusion) runs here.
 *
 *   tinta_nn_model *model;                 // weights + graph, immutable
 *   tinta_nn_model_load ("squeezenet.safetensors", "squeezenet1_1-features",
 *                        &model, &err);
 *   tinta_nn_plan *plan;                   // primitives for one size, immutable
 *   tinta_nn_plan_new (model, 480, 854, TINTA_NN_AUTO, &plan, &err);
 *   tinta_nn_runner *run;                  // one per thread
 *   tinta_nn_runner_new (plan, &run, &err);
 *   const float *in[] = { rgb_nhwc };      // 1 x H x W x C, float32
 *   tinta_nn_run (run, in, NULL, NULL, &err);
 *   int c, h, w;
 *   const float *fire5 = tinta_nn_runner_output (run, "fire5", &c, &h, &w);
 *
 * The model file format (safetensors + a graph in its metadata) is
 * documented in docs/model-format.md.  A plan compiles the graph for one
 * input size and precision: oneDNN primitives, weights reordered to the
 * layout each primitive wants, activation sizes, scratchpad size — built
 * once and reused for every frame.
 *
 * Thread safety: models and plans are immutable after creation and may be
 * shared by any number of threads; a runner (stream, scratchpad,
 * activations) belongs to one thread at a time.  Free runners before their
 * plan, plans before their model.
 *
 * Cancellation: tinta_nn_run polls `abort_cb` between layers and returns
 * TINTA_CANCELLED (not an error) when it says stop. */
#pragma once

#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest height or width of any tensor in a plan. */
#define TINTA_NN_MAX_SIDE 32768

typedef struct tinta_nn_model  tinta_nn_model;
typedef struct tinta_nn_plan   tinta_nn_plan;
typedef struct tinta_nn_runner tinta_nn_runner;

typedef enum {
  TINTA_NN_F32  = 0,   /* everything in float32 */
  TINTA_NN_BF16 = 1,   /* bf16 activations and weights where the layer allows
                          (f32 accumulation); fails if the CPU has no bf16 */
  TINTA_NN_AUTO = 2,   /* bf16 if the CPU does it natively, else f32 */
} tinta_nn_precision;

/* Loads and validates a model file.  `expect_arch` (may be NULL) must
 * equal the file's tinta.arch. */
int  tinta_nn_model_load (const char *path, const char *expect_arch,
                          tinta_nn_model **out, tinta_error *err);
/* The same from a buffer the caller keeps alive while the model lives. */
int  tinta_nn_model_load_memory (const void *data, size_t size, const char *name,
                                 const char *expect_arch, tinta_nn_model **out,
                                 tinta_error *err);
void tinta_nn_model_free (tinta_nn_model *model);   /* accepts NULL */

const char *tinta_nn_model_arch (const tinta_nn_model *model);
/* A metadata value of the file, or NULL. */
const char *tinta_nn_model_metadata (const tinta_nn_model *model, const char *key);
int         tinta_nn_model_n_inputs (const tinta_nn_model *model);
const char *tinta_nn_model_input_name (const tinta_nn_model *model, int i);
int         tinta_nn_model_n_outputs (const tinta_nn_model *model);
const char *tinta_nn_model_output_name (const tinta_nn_model *model, int i);

/* 1 if this CPU runs bf16 natively (AVX512-BF16 or AMX). */
int tinta_nn_cpu_has_bf16 (void);

int  tinta_nn_plan_new (const tinta_nn_model *model, int height, int width,
                        tinta_nn_precision precision, tinta_nn_plan **out,
                        tinta_error *err);
/* The same with a size per graph input (networks whose inputs come at
 * different resolutions); heights[i], widths[i] belong to input i. */
int  tinta_nn_plan_new_sizes (const tinta_nn_model *model, const int *heights,
                              const int *widths, tinta_nn_precision precision,
                              tinta_nn_plan **out, tinta_error *err);
void tinta_nn_plan_free (tinta_nn_plan *plan);      /* accepts NULL */

tinta_nn_precision tinta_nn_plan_precision (const tinta_nn_plan *plan);
/* Shape of an output (by name) or input (by name) of the plan; 0 or an
 * error status. */
int tinta_nn_plan_shape (const tinta_nn_plan *plan, const char *name,
                         int *channels, int *height, int *width);

/* Per-layer description, for benchmarks and logs. */
typedef struct {
  const char *name;
  const char *op;
  const char *impl;        /* oneDNN implementation, e.g. "brg:avx512_core" */
  int         bf16;        /* runs in bf16 */
  double      gflop;       /* multiply-adds x 2 / 1e9; 0 for memory-bound ops */
  int         out_c, out_h, out_w;
} tinta_nn_layer_info;

int tinta_nn_plan_layer_count (const tinta_nn_plan *plan);
const tinta_nn_layer_info *tinta_nn_plan_layer (const tinta_nn_plan *plan, int i);

int  tinta_nn_runner_new (const tinta_nn_plan *plan, tinta_nn_runner **out,
                          tinta_error *err);
void tinta_nn_runner_free (tinta_nn_runner *runner); /* accepts NULL */

/* Runs the network.  inputs[i] is graph input i as float32 NHWC
 * (H x W x C, C fastest).  `layer_ms` (may be NULL) receives each layer's
 * time in milliseconds (layer_count entries). With several inputs of
 * different sizes, each inputs[i] has its own plan size. */
int tinta_nn_run (tinta_nn_runner *runner, const float *const *inputs,
                  tinta_abort_fn abort_cb, void *abort_user, double *layer_ms,
                  tinta_error *err);

/* An output (or any node, by name) of the last run as float32 NHWC; the
 * pointer stays valid until the next run or the runner's free.  NULL if
 * the name is unknown. */
const float *tinta_nn_runner_output (tinta_nn_runner *runner, const char *name,
                                     int *channels, int *height, int *width);

/* Benchmark baseline: standalone oneDNN primitives for the same shapes as
 * the plan's convolution and matmul layers, every memory format left to
 * oneDNN (`any`) and no fused post-op, run in network order `runs` times;
 * median_ms[i] (layer_count entries) receives each one's median time, 0
 * for layers of other kinds. */
int tinta_nn_bench_bare (const tinta_nn_plan *plan, int runs, double *median_ms,
                         tinta_error *err);

#ifdef __cplusplus
}
#endif
