/* The network graph of a model file (docs/model-format.md), parsed and
 * checked once at load: op kinds, attributes, weights bound to their
 * tensors (converted to float32), channel counts inferred. Spatial sizes
 * are resolved later, per plan. Private to the engine. */
#pragma once

#include "nn/safetensors.h"

#define NN_MAX_NODE_INPUTS 16
#define NN_MAX_KERNEL      64
#define NN_MAX_CHANNELS    65536
#define NN_MAX_CORR_RADIUS 16

typedef enum {
  NN_CONV, NN_DECONV, NN_MAXPOOL, NN_AVGPOOL, NN_GLOBAL_AVGPOOL, NN_RESIZE,
  NN_RELU, NN_LEAKY_RELU, NN_SIGMOID, NN_TANH, NN_CONCAT, NN_ADD, NN_MUL,
  NN_SOFTMAX, NN_MATMUL, NN_CORRELATION,
} nn_op;

typedef enum { NN_ACT_NONE, NN_ACT_RELU, NN_ACT_LEAKY_RELU, NN_ACT_SIGMOID, NN_ACT_TANH } nn_act;

/* A weight converted to float32, in the file's (PyTorch) layout. */
typedef struct {
  const char *name;
  int         ndim;
  int64_t     shape[4];
  float      *data;
} nn_weight;

typedef struct {
  char      *name;
  nn_op      op;
  int        n_in;
  int        in[NN_MAX_NODE_INPUTS];   /* value ids: graph inputs, then nodes */
  nn_weight  weight, bias;             /* .data NULL when absent */
  int        stride[2], pad[2], dilation[2], kernel[2], output_padding[2];
  int        groups;
  int        ceil_mode, count_include_pad;
  int        nearest;                  /* resize: 1 nearest, 0 bilinear */
  int        scale[2];                 /* resize by factor (when n_in == 1) */
  int        radius;                   /* correlation: offsets in [-radius, radius]^2 */
  nn_act     act;
  float      alpha;                    /* leaky_relu slope */
  int        force_f32;
  int        channels;                 /* output channels */
  int        in_channels;              /* of in[0] */
} nn_node;

typedef struct {
  int       n_inputs;
  char    **input_names;
  int      *input_channels;
  int       n_nodes;
  nn_node  *nodes;
  int       n_outputs;
  int      *outputs;                   /* value ids */
} nn_graph;

/* Parses `json` (the tinta.graph metadata) against the file's tensors.
 * prefix (NULL: none) restricts the "every tensor is used" rule to the
 * tensors whose names start with it: a bundle's part (docs/model-format.md). */
int  nn_graph_parse (const char *json, const tinta_safetensors *st, const char *path,
                     const char *prefix, nn_graph *graph, tinta_error *err);
void nn_graph_clear (nn_graph *graph);

/* Value id of a graph input or node by name, or -1. */
int  nn_graph_find (const nn_graph *graph, const char *name);
const char *nn_graph_value_name (const nn_graph *graph, int value);
int  nn_graph_value_channels (const nn_graph *graph, int value);
const char *nn_op_name (nn_op op);
