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
} nn_step_kind;

#define NN_MAX_ARGS (NN_MAX_NODE_INPUTS + 4)

typedef struct {
  nn_step_kind     kind;
  int              layer;       /* node index it is timed under */
  dnnl_primitive_t prim;
  int              n_args;
  nn_arg           args[NN_MAX_ARGS];
  int              src, dst;    /* custom kernels: buffer indices */
  const nn_node   *node;
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
void nn_kernel_avgpool_torch (const float *src, int ih, int iw, int c, float *dst, int oh,
                              int ow, const nn_node *node);
