/* Private structures of the NN runtime shared by model.c, plan.c,
 * runner.c and kernels.c. */
#pragma once

#include <oneapi/dnnl/dnnl.h>
#include "nn/graph.h"
#include "tinta/nn.h"

struct tinta_nn_model {
  tinta_safetensors *st;
  nn_graph           graph;
  char              *path;
  char              *arch;
};

/* An activation buffer: one value (graph input or node output) in one
 * data type, NHWC, N = 1. */
typedef struct {
  int              value;
  dnnl_data_type_t dt;
  int              c, h, w;
  size_t           bytes;
} nn_buffer;

typedef enum {
  ARG_BUFFER,     /* an activation buffer (index), viewed through `md` */
  ARG_WEIGHT,     /* a plan-owned weight memory (index) */
  ARG_SCRATCH,    /* the runner's scratchpad */
} nn_arg_kind;

typedef struct {
  int                arg;       /* DNNL_ARG_* */
  nn_arg_kind        kind;
  int                index;
  dnnl_memory_desc_t md;
} nn_arg;

typedef enum {
  STEP_DNNL,
  STEP_NEAREST,        /* PyTorch "nearest" resize (floor(dst * in/out)) */
  STEP_AVGPOOL_TORCH,  /* avg pooling with PyTorch's count_include_pad divisor */
  STEP_CORRELATION,    /* cost volume (docs/model-format.md, op correlation) */
  STEP_SPLIT,          /* merged heads: channel ranges of one buffer to their own */
  STEP_CONV3X3,        /* direct 3x3 stride-1 f32 convolution of few outputs (kernels.c) */
} nn_step_kind;

/* Small f32 convolutions reading the same input with the same geometry
 * (a network's output heads) run as one convolution, split after. */
#define NN_MAX_HEADS         8
#define NN_HEAD_MAX_CHANNELS 16

/* f32 3x3 stride-1 convolutions with at most NN_DIRECT_MAX_OUT output
 * channels run on the direct kernel (nn_kernel_conv3x3), which beats
 * oneDNN there. */
#define NN_DIRECT_MAX_OUT 4

#define NN_MAX_ARGS (NN_MAX_NODE_INPUTS + 4)

typedef struct {
  nn_step_kind     kind;
  int              layer;       /* node index it is timed under */
  dnnl_primitive_t prim;
  int              n_args;
  nn_arg           args[NN_MAX_ARGS];
  int              src, src2, dst;   /* custom kernels: buffer indices (src2: -1 or
                                        the second input) */
  const nn_node   *node;
  int              n_heads;     /* STEP_SPLIT: into buffers head_dst ... */
  int              head_dst[NN_MAX_HEADS], head_off[NN_MAX_HEADS];
  const nn_node   *head_act[NN_MAX_HEADS];   /* activation to apply, or NULL */
  /* STEP_CONV3X3 (plan-owned): weights [o][ky][kx * c + ci], bias */
  float           *direct_w, *direct_b;
  int              direct_out, direct_pad[2];
  nn_act           direct_act;
  float            direct_alpha;
} nn_step;

struct tinta_nn_plan {
  const tinta_nn_model *model;
  int                   height, width;
  tinta_nn_precision    precision;
  int                   n_buffers, cap_buffers;
  nn_buffer            *buffers;
  int                  *value_f32, *value_bf16;   /* buffer per value and type, -1 */
  int                   n_values;
  int                   n_steps, cap_steps;
  nn_step              *steps;
  int                   n_weights, cap_weights;
  dnnl_memory_t        *weights;
  void                **weight_data;
  size_t                scratch_bytes;
  tinta_nn_layer_info  *layers;
  char                **impl_names;
  int                  *value_h, *value_w;
};

dnnl_engine_t nn_engine (void);
int  nn_dnnl_fail (tinta_error *err, const char *path, dnnl_status_t s, const char *what,
                   const char *node);

void nn_kernel_nearest (const float *src, int ih, int iw, int c, float *dst, int oh, int ow);
void nn_kernel_correlation (const float *a, const float *b, int h, int w, int c, int radius,
                            float *dst);
int  nn_kernel_conv3x3 (const void *src, int src_bf16, int h, int w, int c, const nn_step *s,
                        float *dst, int oh, int ow);
void nn_kernel_split (const float *src, size_t n_px, int c, const nn_step *s, float *const *dst);
void nn_kernel_avgpool_torch (const float *src, int ih, int iw, int c, float *dst, int oh,
                              int ow, const nn_node *node);
