/* Compiling a graph for one input size into oneDNN primitives.
 *
 * Every activation is NHWC (what oneDNN's brgemm convolutions want on
 * AVX-512 anyway, and what the rest of the engine reads); weights are
 * reordered once, here, to whatever layout each primitive asks for
 * (format `any`). In bf16 plans a node runs in bf16 when oneDNN does it
 * natively and the node is not pinned to f32; softmax, custom kernels and
 * graph outputs stay f32. Where the data type of a tensor differs from
 * what its consumer wants, a reorder step converts it once and the copy is
 * shared by all consumers.
 *
 * A plan is immutable once built: runners (one per thread) execute its
 * primitives with their own stream, scratchpad and activation memory.
 * oneDNN primitives are safe to execute concurrently with user-managed
 * scratchpads, which is why every primitive asks for one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "nn/nn_internal.h"

#define CHECK_DNNL(call, what)                                              \
  do {                                                                      \
    dnnl_status_t s_ = (call);                                              \
    if (s_ != dnnl_success)                                                 \
      return nn_dnnl_fail (err, p->model->path, s_, what, node_name);       \
  } while (0)

typedef struct {
  tinta_nn_plan *p;
  tinta_error   *err;
  float         *merged_w, *merged_b;   /* merge_heads' weights, freed after the node */
} build_ctx;

static dnnl_memory_desc_t
md_nhwc (int c, int h, int w, dnnl_data_type_t dt)
{
  dnnl_memory_desc_t md;
  dnnl_dims_t dims = { 1, c, h, w };
  dnnl_memory_desc_init_by_tag (&md, 4, dims, dt, dnnl_nhwc);
  return md;
}

static int
grow (void **arr, int *cap, int need, size_t elem)
{
  if (need <= *cap)
    return 1;
  int ncap = *cap ? *cap * 2 : 32;
  while (ncap < need)
    ncap *= 2;
  void *n = realloc (*arr, (size_t) ncap * elem);
  if (n == NULL)
    return 0;
  memset ((char *) n + (size_t) *cap * elem, 0, (size_t) (ncap - *cap) * elem);
  *arr = n;
  *cap = ncap;
  return 1;
}

static int
add_buffer (tinta_nn_plan *p, int value, dnnl_data_type_t dt, int c, int h, int w)
{
  if (!grow ((void **) &p->buffers, &p->cap_buffers, p->n_buffers + 1, sizeof *p->buffers))
    return -1;
  nn_buffer *b = &p->buffers[p->n_buffers];
  b->value = value;
  b->dt = dt;
  b->c = c;
  b->h = h;
  b->w = w;
  b->bytes = (size_t) c * h * w * (dt == dnnl_bf16 ? 2 : 4);
  if (value < 0)
    ;   /* an intermediate of no graph value (merged heads) */
  else if (dt == dnnl_bf16)
    p->value_bf16[value] = p->n_buffers;
  else
    p->value_f32[value] = p->n_buffers;
  return p->n_buffers++;
}

static nn_step *
add_step (tinta_nn_plan *p, nn_step_kind kind, int layer)
{
  if (!grow ((void **) &p->steps, &p->cap_steps, p->n_steps + 1, sizeof *p->steps))
    return NULL;
  nn_step *s = &p->steps[p->n_steps++];
  memset (s, 0, sizeof *s);
  s->kind = kind;
  s->layer = layer;
  s->src = s->src2 = s->dst = -1;
  return s;
}

static void
step_arg (nn_step *s, int arg, nn_arg_kind kind, int index, const dnnl_memory_desc_t *md)
{
  nn_arg *a = &s->args[s->n_args++];
  a->arg = arg;
  a->kind = kind;
  a->index = index;
  if (md)
    a->md = *md;
}

static dnnl_primitive_attr_t
make_attr (nn_act act, float alpha)
{
  dnnl_primitive_attr_t attr = NULL;
  if (dnnl_primitive_attr_create (&attr) != dnnl_success)
    return NULL;
  dnnl_primitive_attr_set_scratchpad_mode (attr, dnnl_scratchpad_mode_user);
  if (act != NN_ACT_NONE)
    {
      dnnl_post_ops_t po = NULL;
      dnnl_alg_kind_t alg = act == NN_ACT_SIGMOID ? dnnl_eltwise_logistic
                            : act == NN_ACT_TANH  ? dnnl_eltwise_tanh
                                                  : dnnl_eltwise_relu;
      dnnl_post_ops_create (&po);
      dnnl_post_ops_append_eltwise (po, 1.0f, alg, act == NN_ACT_LEAKY_RELU ? alpha : 0.0f, 0.0f);
      dnnl_primitive_attr_set_post_ops (attr, po);
      dnnl_post_ops_destroy (po);
    }
  return attr;
}

/* Creates the primitive of `pd` for node `layer`, records its scratchpad
 * size and implementation name. Takes ownership of pd. */
static int
finish_primitive (build_ctx *c, dnnl_primitive_desc_t pd, nn_step *s, const char *node_name,
                  int record_impl)
{
  tinta_nn_plan *p = c->p;
  tinta_error *err = c->err;
  const dnnl_memory_desc_t *sp = dnnl_primitive_desc_query_md (pd, dnnl_query_scratchpad_md, 0);
  size_t sp_bytes = sp ? dnnl_memory_desc_get_size (sp) : 0;
  if (sp_bytes > p->scratch_bytes)
    p->scratch_bytes = sp_bytes;
  const char *impl = NULL;
  dnnl_primitive_desc_query (pd, dnnl_query_impl_info_str, 0, &impl);
  if (impl && record_impl && p->impl_names[s->layer] == NULL)
    p->impl_names[s->layer] = strdup (impl);
  /* The scratchpad descriptor belongs to pd: copy it before pd goes. */
  step_arg (s, DNNL_ARG_SCRATCHPAD, ARG_SCRATCH, 0, sp);
  dnnl_status_t st = dnnl_primitive_create (&s->prim, pd);
  dnnl_primitive_desc_destroy (pd);
  CHECK_DNNL (st, "creating the primitive");
  return TINTA_OK;
}

/* Reorders user weights (float32 described by `user_md`) into a new
 * plan-owned memory of `want`, once, now. */
static int
add_weight (build_ctx *c, const float *data, const dnnl_memory_desc_t *user_md,
            const dnnl_memory_desc_t *want, const char *node_name, int *index)
{
  tinta_nn_plan *p = c->p;
  tinta_error *err = c->err;
  dnnl_engine_t eng = nn_engine ();
  if (p->n_weights == p->cap_weights)
    {
      int ncap = p->cap_weights ? 2 * p->cap_weights : 32;
      dnnl_memory_t *nw = realloc (p->weights, (size_t) ncap * sizeof *nw);
      if (nw == NULL)
        return tinta_fail (err, TINTA_ERR_NO_MEMORY, p->model->path, "out of memory");
      p->weights = nw;
      void **nd = realloc (p->weight_data, (size_t) ncap * sizeof *nd);
      if (nd == NULL)
        return tinta_fail (err, TINTA_ERR_NO_MEMORY, p->model->path, "out of memory");
      p->weight_data = nd;
      p->cap_weights = ncap;
    }
  size_t bytes = dnnl_memory_desc_get_size (want);
  void *buf = tinta_alloc_aligned (bytes ? bytes : 1, 1);
  if (buf == NULL)
    return tinta_fail (err, TINTA_ERR_NO_MEMORY, p->model->path, "out of memory");
  dnnl_memory_t src = NULL, dst = NULL;
  dnnl_primitive_desc_t rpd = NULL;
  dnnl_primitive_t r = NULL;
  dnnl_stream_t stream = NULL;
  dnnl_status_t s = dnnl_memory_create (&src, user_md, eng, (void *) data);
  if (s == dnnl_success)
    s = dnnl_memory_create (&dst, want, eng, buf);
  if (s == dnnl_success)
    s = dnnl_reorder_primitive_desc_create (&rpd, user_md, eng, want, eng, NULL);
  if (s == dnnl_success)
    s = dnnl_primitive_create (&r, rpd);
  if (s == dnnl_success)
    s = dnnl_stream_create (&stream, eng, dnnl_stream_default_flags);
  if (s == dnnl_success)
    {
      dnnl_exec_arg_t args[2] = { { DNNL_ARG_FROM, src }, { DNNL_ARG_TO, dst } };
      s = dnnl_primitive_execute (r, stream, 2, args);
      if (s == dnnl_success)
        s = dnnl_stream_wait (stream);
    }
  dnnl_stream_destroy (stream);
  dnnl_primitive_destroy (r);
  dnnl_primitive_desc_destroy (rpd);
  dnnl_memory_destroy (src);
  if (s != dnnl_success)
    {
      dnnl_memory_destroy (dst);
      tinta_free_aligned (buf);
      CHECK_DNNL (s, "preparing weights");
    }
  p->weights[p->n_weights] = dst;
  p->weight_data[p->n_weights] = buf;
  *index = p->n_weights++;
  return TINTA_OK;
}

/* The buffer holding `value` in type `dt`, converting (once) if needed. */
static int
input_buffer (build_ctx *c, int value, dnnl_data_type_t dt, int layer, const char *node_name,
              int *out)
{
  tinta_nn_plan *p = c->p;
  tinta_error *err = c->err;
  int have = dt == dnnl_bf16 ? p->value_bf16[value] : p->value_f32[value];
  if (have >= 0)
    {
      *out = have;
      return TINTA_OK;
    }
  int from = dt == dnnl_bf16 ? p->value_f32[value] : p->value_bf16[value];
  if (from < 0)
    return tinta_fail (err, TINTA_ERR_INTERNAL, p->model->path, "value without a buffer");
  nn_buffer fb = p->buffers[from];
  int to = add_buffer (p, value, dt, fb.c, fb.h, fb.w);
  nn_step *s = add_step (p, STEP_DNNL, layer);
  if (to < 0 || s == NULL)
    return tinta_fail (err, TINTA_ERR_NO_MEMORY, p->model->path, "out of memory");
  dnnl_memory_desc_t smd = md_nhwc (fb.c, fb.h, fb.w, fb.dt), dmd = md_nhwc (fb.c, fb.h, fb.w, dt);
  dnnl_primitive_desc_t pd = NULL;
  dnnl_primitive_attr_t attr = make_attr (NN_ACT_NONE, 0);
  dnnl_status_t st = dnnl_reorder_primitive_desc_create (&pd, &smd, nn_engine (), &dmd,
                                                         nn_engine (), attr);
  dnnl_primitive_attr_destroy (attr);
  CHECK_DNNL (st, "type conversion");
  step_arg (s, DNNL_ARG_FROM, ARG_BUFFER, from, &smd);
  step_arg (s, DNNL_ARG_TO, ARG_BUFFER, to, &dmd);
  *out = to;
  return finish_primitive (c, pd, s, node_name, 0);
}

static int
out_size_conv (int in, int k, int s, int pad, int dil)
{
  int span = dil * (k - 1) + 1;
  if (in + 2 * pad < span)
    return 0;
  return (in + 2 * pad - span) / s + 1;
}

static int
out_size_pool (int in, int k, int s, int pad, int ceil_mode)
{
  int num = in + 2 * pad - k;
  if (num < 0)
    return 0;
  int out = (ceil_mode ? (num + s - 1) / s : num / s) + 1;
  /* PyTorch: the last window must start inside the input or left pad. */
  if (ceil_mode && (out - 1) * s >= in + pad)
    out--;
  return out;
}

static int
supports_bf16 (const nn_node *n)
{
  switch (n->op)
    {
    case NN_CONV: case NN_DECONV: case NN_MATMUL: case NN_MAXPOOL: case NN_AVGPOOL:
    case NN_GLOBAL_AVGPOOL: case NN_RELU: case NN_LEAKY_RELU: case NN_SIGMOID: case NN_TANH:
    case NN_CONCAT: case NN_ADD: case NN_MUL:
      return 1;
    case NN_RESIZE:
      return !n->nearest;
    case NN_SOFTMAX:
    default:
      return 0;   /* exp/normalization: keep full precision (it is cheap) */
    }
}

/* Does oneDNN have a fast bf16 kernel for this convolution? Layers with
 * few input or output channels (a 3-channel first layer, a 1-channel
 * head) get padded or generic "uni"/"ref" code in bf16 that is slower
 * than f32 brgconv: those run in f32. */
static int
bf16_conv_is_fast (const nn_node *n, int ih, int iw, int oh, int ow, int pr_y, int pr_x)
{
  int grp = n->groups, O = n->channels, I = n->in_channels;
  /* AMX and AVX512-BF16 multiply pairs of bf16 in 16 to 32-wide blocks of
   * input channels: with fewer per group (a 3-channel image layer) the
   * kernels pad and lose to f32 brgconv (SqueezeNet conv1 at 854x480:
   * 2.3 ms bf16 vs 1.6 ms f32). */
  if (I / grp < 16)
    return 0;
  dnnl_memory_desc_t src = md_nhwc (I, ih, iw, dnnl_bf16), dst = md_nhwc (O, oh, ow, dnnl_bf16);
  dnnl_memory_desc_t wei;
  dnnl_dims_t wd5 = { grp, O / grp, I / grp, n->kernel[0], n->kernel[1] };
  dnnl_dims_t wd4 = { O, I, n->kernel[0], n->kernel[1] };
  dnnl_memory_desc_init_by_tag (&wei, grp > 1 ? 5 : 4, grp > 1 ? wd5 : wd4, dnnl_bf16,
                                dnnl_format_tag_any);
  dnnl_dims_t st = { n->stride[0], n->stride[1] };
  dnnl_dims_t dil = { n->dilation[0] - 1, n->dilation[1] - 1 };
  dnnl_dims_t pl = { n->pad[0], n->pad[1] }, pr = { pr_y, pr_x };
  dnnl_primitive_desc_t pd = NULL;
  dnnl_status_t s;
  dnnl_memory_desc_t b_md;
  dnnl_dims_t bd = { O };
  dnnl_memory_desc_init_by_tag (&b_md, 1, bd, dnnl_f32, dnnl_a);
  const dnnl_memory_desc_t *bias = n->bias.data ? &b_md : NULL;
  dnnl_primitive_attr_t attr = make_attr (n->act, n->alpha);
  if (n->op == NN_CONV)
    {
      dnnl_convolution_desc_t d;
      s = dnnl_dilated_convolution_forward_desc_init (&d, dnnl_forward_inference,
                                                      dnnl_convolution_direct, &src, &wei, bias,
                                                      &dst, st, dil, pl, pr);
      if (s == dnnl_success)
        s = dnnl_primitive_desc_create (&pd, &d, attr, nn_engine (), NULL);
    }
  else
    {
      dnnl_deconvolution_desc_t d;
      s = dnnl_dilated_deconvolution_forward_desc_init (&d, dnnl_forward_inference,
                                                        dnnl_deconvolution_direct, &src, &wei,
                                                        bias, &dst, st, dil, pl, pr);
      if (s == dnnl_success)
        s = dnnl_primitive_desc_create (&pd, &d, attr, nn_engine (), NULL);
    }
  dnnl_primitive_attr_destroy (attr);
  if (s != dnnl_success)
    return 0;
  const char *impl = NULL;
  dnnl_primitive_desc_query (pd, dnnl_query_impl_info_str, 0, &impl);
  int fast = impl != NULL && strstr (impl, "uni") == NULL && strstr (impl, "ref") == NULL;
  dnnl_primitive_desc_destroy (pd);
  return fast;
}

static int
is_output (const tinta_nn_plan *p, int value)
{
  for (int i = 0; i < p->model->graph.n_outputs; i++)
    if (p->model->graph.outputs[i] == value)
      return 1;
  return 0;
}

/* Weighted layers (convolution, matmul): reorders the weights and bias
 * into the layouts `pd` wants and records the step's arguments. */
static int
bind_weighted (build_ctx *c, dnnl_primitive_desc_t pd, const nn_node *n,
               const dnnl_memory_desc_t *w_user, const dnnl_memory_desc_t *b_md, nn_step *s,
               int src_buf, const dnnl_memory_desc_t *src_md, int dst_buf,
               const dnnl_memory_desc_t *dst_md)
{
  int st, wi, bi = -1;
  const dnnl_memory_desc_t *w_want = dnnl_primitive_desc_query_md (pd, dnnl_query_weights_md, 0);
  if ((st = add_weight (c, n->weight.data, w_user, w_want, n->name, &wi)) < 0
      || (n->bias.data && (st = add_weight (c, n->bias.data, b_md, b_md, n->name, &bi)) < 0))
    return st;
  step_arg (s, DNNL_ARG_SRC, ARG_BUFFER, src_buf, src_md);
  step_arg (s, DNNL_ARG_WEIGHTS, ARG_WEIGHT, wi, NULL);
  if (bi >= 0)
    step_arg (s, DNNL_ARG_BIAS, ARG_WEIGHT, bi, NULL);
  step_arg (s, DNNL_ARG_DST, ARG_BUFFER, dst_buf, dst_md);
  return TINTA_OK;
}

/* The common tail of one-input, one-output ops (pooling, resize,
 * activations, softmax): the primitive from its initialized descriptor. */
static int
unary_primitive (build_ctx *c, dnnl_status_t ds, const void *desc, dnnl_primitive_attr_t attr,
                 nn_step *s, int src_buf, const dnnl_memory_desc_t *src_md, int dst_buf,
                 const dnnl_memory_desc_t *dst_md, const char *node_name)
{
  tinta_nn_plan *p = c->p;
  tinta_error *err = c->err;
  dnnl_primitive_desc_t pd = NULL;
  if (ds == dnnl_success)
    ds = dnnl_primitive_desc_create (&pd, desc, attr, nn_engine (), NULL);
  dnnl_primitive_attr_destroy (attr);
  CHECK_DNNL (ds, "compiling");
  step_arg (s, DNNL_ARG_SRC, ARG_BUFFER, src_buf, src_md);
  step_arg (s, DNNL_ARG_DST, ARG_BUFFER, dst_buf, dst_md);
  return finish_primitive (c, pd, s, node_name, 1);
}

/* Can node m run inside the merged convolution of head n (merge_heads)? */
static int
head_mergeable (const tinta_nn_plan *p, const nn_node *n, const nn_node *m)
{
  return m->op == NN_CONV && m->groups == 1 && m->channels <= NN_HEAD_MAX_CHANNELS
         && (m->force_f32 || p->precision == TINTA_NN_F32) && m->in[0] == n->in[0]
         && memcmp (m->kernel, n->kernel, sizeof n->kernel) == 0
         && memcmp (m->stride, n->stride, sizeof n->stride) == 0
         && memcmp (m->pad, n->pad, sizeof n->pad) == 0
         && memcmp (m->dilation, n->dilation, sizeof n->dilation) == 0;
}

/* oneDNN pads a convolution's output channels to a vector (16 floats):
 * a 1-, 2- or 7-channel head costs about what 16 channels do (the local
 * network's kv_logits, kh_logits and conf: 7 + 7 + 1 channels, 3.1 + 2.3
 * + 2.6 ms apart at 427x240). Heads reading the same input with the same
 * geometry therefore run as one convolution with their output channels
 * concatenated, which is exact (every output channel is its own dot
 * product); a split step then copies each head's channels to its buffer.
 * Fills `merged` (a node standing for the group, weights in c->merged_*)
 * and heads[] (node indices, ni first); returns how many, 1 = no merge. */
static int
merge_heads (build_ctx *c, int ni, nn_node *merged, int *heads)
{
  const tinta_nn_plan *p = c->p;
  const nn_graph *g = &p->model->graph;
  const nn_node *n = &g->nodes[ni];
  int nh = 0, O = 0, same_act = 1;
  if (!head_mergeable (p, n, n))
    return 1;
  for (int j = ni; j < g->n_nodes && nh < NN_MAX_HEADS; j++)
    {
      const nn_node *m = &g->nodes[j];
      if (head_mergeable (p, n, m) && p->value_f32[g->n_inputs + j] < 0)
        {
          heads[nh++] = j;
          O += m->channels;
          same_act &= m->act == n->act && m->alpha == n->alpha;
        }
    }
  if (nh < 2)
    return 1;
  size_t per_o = (size_t) n->in_channels * n->kernel[0] * n->kernel[1];
  c->merged_w = malloc ((size_t) O * per_o * sizeof (float));
  c->merged_b = calloc ((size_t) O, sizeof (float));
  if (c->merged_w == NULL || c->merged_b == NULL)
    return tinta_fail (c->err, TINTA_ERR_NO_MEMORY, p->model->path, "out of memory");
  *merged = *n;
  for (int k = 0, off = 0; k < nh; k++)
    {
      const nn_node *m = &g->nodes[heads[k]];
      memcpy (c->merged_w + off * per_o, m->weight.data, m->channels * per_o * sizeof (float));
      if (m->bias.data)
        memcpy (c->merged_b + off, m->bias.data, (size_t) m->channels * sizeof (float));
      off += m->channels;
    }
  merged->weight.data = c->merged_w;
  merged->weight.shape[0] = O;
  merged->bias.data = c->merged_b;
  merged->channels = O;
  /* One activation for all is fused into the convolution; else the split
   * applies each head's. */
  merged->act = same_act ? n->act : NN_ACT_NONE;
  return nh;
}

/* The split step after a merged convolution: every head gets its own
 * buffer and layer entry (timed as 0: its time is the first head's). */
static int
split_heads (build_ctx *c, const nn_node *merged, const int *heads, int nh, int src_buf, int oh,
             int ow)
{
  tinta_nn_plan *p = c->p;
  const nn_graph *g = &p->model->graph;
  nn_step *s = add_step (p, STEP_SPLIT, heads[0]);
  if (s == NULL)
    return tinta_fail (c->err, TINTA_ERR_NO_MEMORY, p->model->path, "out of memory");
  s->src = src_buf;
  s->n_heads = nh;
  for (int k = 0, off = 0; k < nh; k++)
    {
      const nn_node *m = &g->nodes[heads[k]];
      int v = g->n_inputs + heads[k];
      p->value_h[v] = oh;
      p->value_w[v] = ow;
      s->head_dst[k] = add_buffer (p, v, dnnl_f32, m->channels, oh, ow);
      if (s->head_dst[k] < 0)
        return tinta_fail (c->err, TINTA_ERR_NO_MEMORY, p->model->path, "out of memory");
      s->head_off[k] = off;
      s->head_act[k] = merged->act == NN_ACT_NONE && m->act != NN_ACT_NONE ? m : NULL;
      off += m->channels;
      tinta_nn_layer_info *li = &p->layers[heads[k]];
      li->name = m->name;
      li->op = nn_op_name (m->op);
      li->bf16 = 0;
      li->out_c = m->channels;
      li->out_h = oh;
      li->out_w = ow;
      if (k > 0 && p->impl_names[heads[k]] == NULL)
        {
          char buf[160];
          snprintf (buf, sizeof buf, "merged into %s", g->nodes[heads[0]].name);
          p->impl_names[heads[k]] = strdup (buf);
        }
    }
  return TINTA_OK;
}

/* Can the direct kernel (nn_kernel_conv3x3) run convolution n? */
static int
direct_conv_fits (const nn_node *n)
{
  return n->op == NN_CONV && n->groups == 1 && n->channels <= NN_DIRECT_MAX_OUT
         && n->kernel[0] == 3 && n->kernel[1] == 3 && n->stride[0] == 1 && n->stride[1] == 1
         && n->dilation[0] == 1 && n->dilation[1] == 1;
}

/* The step of a convolution on the direct kernel, its weights rearranged
 * for it (nn_step.direct_w). */
static int
add_direct (build_ctx *c, const nn_node *n, int layer, int src_buf, int dst_buf)
{
  tinta_nn_plan *p = c->p;
  nn_step *s = add_step (p, STEP_CONV3X3, layer);
  if (s == NULL)
    return tinta_fail (c->err, TINTA_ERR_NO_MEMORY, p->model->path, "out of memory");
  const int O = n->channels, C = n->in_channels;
  s->src = src_buf;
  s->dst = dst_buf;
  s->direct_out = O;
  s->direct_pad[0] = n->pad[0];
  s->direct_pad[1] = n->pad[1];
  s->direct_act = n->act;
  s->direct_alpha = n->alpha;
  s->direct_w = tinta_alloc_aligned ((size_t) O * 9 * C, sizeof (float));
  s->direct_b = tinta_alloc_aligned (O, sizeof (float));
  if (s->direct_w == NULL || s->direct_b == NULL)
    return tinta_fail (c->err, TINTA_ERR_NO_MEMORY, p->model->path, "out of memory");
  /* From PyTorch's [o][ci][ky][kx] to the window order of the kernel. */
  for (int o = 0; o < O; o++)
    {
      s->direct_b[o] = n->bias.data ? n->bias.data[o] : 0.0f;
      for (int ci = 0; ci < C; ci++)
        for (int ky = 0; ky < 3; ky++)
          for (int kx = 0; kx < 3; kx++)
            s->direct_w[(size_t) o * 9 * C + (size_t) ky * 3 * C + (size_t) kx * C + ci]
                = n->weight.data[(((size_t) o * C + ci) * 3 + ky) * 3 + kx];
    }
  p->layers[layer].gflop = 2e-9 * p->layers[layer].out_h * p->layers[layer].out_w * O * C * 9;
  if (p->impl_names[layer] == NULL && (p->impl_names[layer] = strdup ("tinta:direct")) == NULL)
    return tinta_fail (c->err, TINTA_ERR_NO_MEMORY, p->model->path, "out of memory");
  return TINTA_OK;
}

static int
compile_node (build_ctx *c, int ni)
{
  tinta_nn_plan *p = c->p;
  tinta_error *err = c->err;
  const nn_graph *g = &p->model->graph;
  const nn_node *n = &g->nodes[ni];
  const char *node_name = n->name;
  int value = g->n_inputs + ni;
  int ih = p->value_h[n->in[0]], iw = p->value_w[n->in[0]];
  int oh = 0, ow = 0, st;
  if (p->value_f32[value] >= 0 || p->value_bf16[value] >= 0)
    return TINTA_OK;   /* a head merged into an earlier node's convolution */
  int pr_y = n->pad[0], pr_x = n->pad[1];

  switch (n->op)
    {
    case NN_CONV:
      oh = out_size_conv (ih, n->kernel[0], n->stride[0], n->pad[0], n->dilation[0]);
      ow = out_size_conv (iw, n->kernel[1], n->stride[1], n->pad[1], n->dilation[1]);
      break;
    case NN_DECONV:
      oh = (ih - 1) * n->stride[0] - 2 * n->pad[0] + n->kernel[0] + n->output_padding[0];
      ow = (iw - 1) * n->stride[1] - 2 * n->pad[1] + n->kernel[1] + n->output_padding[1];
      pr_y = n->pad[0] - n->output_padding[0];
      pr_x = n->pad[1] - n->output_padding[1];
      break;
    case NN_MAXPOOL:
    case NN_AVGPOOL:
      oh = out_size_pool (ih, n->kernel[0], n->stride[0], n->pad[0], n->ceil_mode);
      ow = out_size_pool (iw, n->kernel[1], n->stride[1], n->pad[1], n->ceil_mode);
      pr_y = (oh - 1) * n->stride[0] + n->kernel[0] - ih - n->pad[0];
      pr_x = (ow - 1) * n->stride[1] + n->kernel[1] - iw - n->pad[1];
      break;
    case NN_GLOBAL_AVGPOOL:
      oh = ow = 1;
      break;
    case NN_RESIZE:
      if (n->n_in == 2)
        {
          oh = p->value_h[n->in[1]];
          ow = p->value_w[n->in[1]];
        }
      else
        {
          oh = ih * n->scale[0];
          ow = iw * n->scale[1];
        }
      break;
    case NN_CONCAT:
    case NN_ADD:
    case NN_MUL:
    case NN_CORRELATION:
      oh = ih;
      ow = iw;
      for (int i = 1; i < n->n_in; i++)
        if (p->value_h[n->in[i]] != ih || p->value_w[n->in[i]] != iw)
          return tinta_fail (err, TINTA_ERR_SIZE_MISMATCH, p->model->path,
                             "layer '%s': inputs are %dx%d and %dx%d at this frame size "
                             "(%dx%d)", node_name, iw, ih, p->value_w[n->in[i]],
                             p->value_h[n->in[i]], p->width, p->height);
      break;
    default:
      oh = ih;
      ow = iw;
      break;
    }
  if (oh < 1 || ow < 1 || oh > TINTA_NN_MAX_SIDE || ow > TINTA_NN_MAX_SIDE)
    return tinta_fail (err, TINTA_ERR_OUT_OF_RANGE, p->model->path,
                       "layer '%s' has no valid output at a %dx%d input (its input is %dx%d)",
                       node_name, p->width, p->height, iw, ih);
  p->value_h[value] = oh;
  p->value_w[value] = ow;

  int custom = n->op == NN_CORRELATION || (n->op == NN_RESIZE && n->nearest)
               || (n->op == NN_AVGPOOL && n->count_include_pad
                   && (pr_y > n->pad[0] || pr_x > n->pad[1]));
  int bf16 = p->precision == TINTA_NN_BF16 && supports_bf16 (n) && !n->force_f32 && !custom;
  if (bf16 && (n->op == NN_CONV || n->op == NN_DECONV))
    bf16 = bf16_conv_is_fast (n, ih, iw, oh, ow, pr_y, pr_x);
  else if (bf16 && n->op != NN_MATMUL)
    {
      /* Memory-bound ops follow their inputs' type: converting a large
       * f32 map to bf16 costs more than the op saves (SqueezeNet pool1 on
       * f32 conv1: 2.4 ms with the conversion, 1.6 ms without). The next
       * convolution converts the (smaller) result. */
      for (int i = 0; i < n->n_in && bf16; i++)
        if (!(n->op == NN_RESIZE && i == 1) && p->value_bf16[n->in[i]] < 0)
          bf16 = 0;
    }
  nn_node merged;
  int heads[NN_MAX_HEADS], n_heads = 1;
  if (n->op == NN_CONV && !bf16)
    {
      if ((n_heads = merge_heads (c, ni, &merged, heads)) < 0)
        return n_heads;
      if (n_heads > 1)
        n = &merged;
    }
  int direct = !bf16 && direct_conv_fits (n);
  dnnl_data_type_t idt = bf16 ? dnnl_bf16 : dnnl_f32;
  dnnl_data_type_t odt = bf16 && !is_output (p, value) ? dnnl_bf16 : dnnl_f32;
  /* oneDNN's bf16 pooling, eltwise, binary, concat and resampling want the
   * same type in and out. */
  if (n->op != NN_CONV && n->op != NN_DECONV && n->op != NN_MATMUL)
    odt = idt;

  int in_buf[NN_MAX_NODE_INPUTS];
  for (int i = 0; i < n->n_in; i++)
    {
      if (n->op == NN_RESIZE && i == 1)
        break;   /* only its size is used */
      /* The direct kernel reads bf16 activations as they are. */
      if (direct)
        in_buf[i] = p->value_f32[n->in[i]] >= 0 ? p->value_f32[n->in[i]]
                                                : p->value_bf16[n->in[i]];
      else if ((st = input_buffer (c, n->in[i], idt, ni, node_name, &in_buf[i])) < 0)
        return st;
    }
  int out_buf = add_buffer (p, n_heads > 1 ? -1 : value, odt, n->channels, oh, ow);
  if (out_buf < 0)
    return tinta_fail (err, TINTA_ERR_NO_MEMORY, p->model->path, "out of memory");

  tinta_nn_layer_info *li = &p->layers[ni];
  li->name = n->name;
  li->op = nn_op_name (n->op);
  li->bf16 = bf16;
  li->out_c = n->channels;
  li->out_h = oh;
  li->out_w = ow;

  if (direct)
    {
      if ((st = add_direct (c, n, ni, in_buf[0], out_buf)) < 0 || n_heads < 2)
        return st;
      return split_heads (c, n, heads, n_heads, out_buf, oh, ow);
    }

  /* Custom kernels. */
  if (custom)
    {
      nn_step *s = add_step (p, n->op == NN_CORRELATION ? STEP_CORRELATION
                                : n->op == NN_RESIZE    ? STEP_NEAREST
                                                        : STEP_AVGPOOL_TORCH, ni);
      if (s == NULL)
        return tinta_fail (err, TINTA_ERR_NO_MEMORY, p->model->path, "out of memory");
      s->src = in_buf[0];
      if (n->op == NN_CORRELATION)
        {
          s->src2 = in_buf[1];
          li->gflop = 2e-9 * (double) oh * ow * n->in_channels * n->channels;
        }
      s->dst = out_buf;
      s->node = n;
      if (p->impl_names[ni] == NULL)
        p->impl_names[ni] = strdup ("tinta:c");
      return TINTA_OK;
    }

  dnnl_memory_desc_t src_md = md_nhwc (n->in_channels, ih, iw, idt);
  dnnl_memory_desc_t dst_md = md_nhwc (n->channels, oh, ow, odt);
  dnnl_primitive_attr_t attr = make_attr (n->act, n->alpha);
  dnnl_primitive_desc_t pd = NULL;
  dnnl_status_t ds = dnnl_success;
  nn_step *s = add_step (p, STEP_DNNL, ni);
  if (attr == NULL || s == NULL)
    {
      dnnl_primitive_attr_destroy (attr);
      return tinta_fail (err, TINTA_ERR_NO_MEMORY, p->model->path, "out of memory");
    }

  switch (n->op)
    {
    case NN_CONV:
    case NN_DECONV:
      {
        int grp = n->groups, conv = n->op == NN_CONV;
        int O = n->channels, I = n->in_channels;
        int kh = n->kernel[0], kw = n->kernel[1];
        dnnl_memory_desc_t w_any, w_user, b_md;
        dnnl_dims_t wd5 = { grp, O / grp, I / grp, kh, kw }, wd4 = { O, I, kh, kw };
        int nd = grp > 1 ? 5 : 4;
        dnnl_memory_desc_init_by_tag (&w_any, nd, grp > 1 ? wd5 : wd4, idt, dnnl_format_tag_any);
        if (conv)
          dnnl_memory_desc_init_by_tag (&w_user, nd, grp > 1 ? wd5 : wd4, dnnl_f32,
                                        grp > 1 ? dnnl_goihw : dnnl_oihw);
        else
          {
            /* PyTorch stores transposed-conv weights (I, O/grp, kh, kw):
             * describe that layout to oneDNN by strides. */
            dnnl_dims_t s5 = { (dnnl_dim_t) (I / grp) * (O / grp) * kh * kw, (dnnl_dim_t) kh * kw,
                               (dnnl_dim_t) (O / grp) * kh * kw, kw, 1 };
            dnnl_dims_t s4 = { (dnnl_dim_t) kh * kw, (dnnl_dim_t) O * kh * kw, kw, 1 };
            dnnl_memory_desc_init_by_strides (&w_user, nd, grp > 1 ? wd5 : wd4, dnnl_f32,
                                              grp > 1 ? s5 : s4);
          }
        dnnl_dims_t bd = { O };
        dnnl_memory_desc_init_by_tag (&b_md, 1, bd, dnnl_f32, dnnl_a);
        dnnl_dims_t strides = { n->stride[0], n->stride[1] };
        dnnl_dims_t dil = { n->dilation[0] - 1, n->dilation[1] - 1 };
        dnnl_dims_t pl = { n->pad[0], n->pad[1] }, pr = { pr_y, pr_x };
        if (conv)
          {
            dnnl_convolution_desc_t d;
            ds = dnnl_dilated_convolution_forward_desc_init (
                &d, dnnl_forward_inference, dnnl_convolution_direct, &src_md, &w_any,
                n->bias.data ? &b_md : NULL, &dst_md, strides, dil, pl, pr);
            if (ds == dnnl_success)
              ds = dnnl_primitive_desc_create (&pd, &d, attr, nn_engine (), NULL);
          }
        else
          {
            dnnl_deconvolution_desc_t d;
            ds = dnnl_dilated_deconvolution_forward_desc_init (
                &d, dnnl_forward_inference, dnnl_deconvolution_direct, &src_md, &w_any,
                n->bias.data ? &b_md : NULL, &dst_md, strides, dil, pl, pr);
            if (ds == dnnl_success)
              ds = dnnl_primitive_desc_create (&pd, &d, attr, nn_engine (), NULL);
          }
        dnnl_primitive_attr_destroy (attr);
        CHECK_DNNL (ds, "compiling");
        if ((st = bind_weighted (c, pd, n, &w_user, &b_md, s, in_buf[0], &src_md, out_buf,
                                 &dst_md)) < 0)
          {
            dnnl_primitive_desc_destroy (pd);
            return st;
          }
        li->gflop = 2e-9 * (double) (conv ? (double) oh * ow * O : (double) ih * iw * I)
                    * (conv ? I / grp : O / grp) * kh * kw;
      }
      break;
    case NN_MATMUL:
      {
        int C = n->in_channels, K = n->channels;
        dnnl_memory_desc_t a_md, w_any, w_user, b_md, o_md;
        dnnl_dims_t ad = { (dnnl_dim_t) ih * iw, C }, wd = { C, K }, bd = { 1, K },
                    od = { (dnnl_dim_t) oh * ow, K };
        dnnl_memory_desc_init_by_tag (&a_md, 2, ad, idt, dnnl_ab);
        dnnl_memory_desc_init_by_tag (&w_any, 2, wd, idt, dnnl_format_tag_any);
        dnnl_memory_desc_init_by_tag (&w_user, 2, wd, dnnl_f32, dnnl_ab);
        dnnl_memory_desc_init_by_tag (&b_md, 2, bd, dnnl_f32, dnnl_ab);
        dnnl_memory_desc_init_by_tag (&o_md, 2, od, odt, dnnl_ab);
        dnnl_matmul_desc_t d;
        ds = dnnl_matmul_desc_init (&d, &a_md, &w_any, n->bias.data ? &b_md : NULL, &o_md);
        if (ds == dnnl_success)
          ds = dnnl_primitive_desc_create (&pd, &d, attr, nn_engine (), NULL);
        dnnl_primitive_attr_destroy (attr);
        CHECK_DNNL (ds, "compiling");
        if ((st = bind_weighted (c, pd, n, &w_user, &b_md, s, in_buf[0], &a_md, out_buf,
                                 &o_md)) < 0)
          {
            dnnl_primitive_desc_destroy (pd);
            return st;
          }
        li->gflop = 2e-9 * (double) ih * iw * C * K;
      }
      break;
    case NN_MAXPOOL:
    case NN_AVGPOOL:
    case NN_GLOBAL_AVGPOOL:
      {
        int gap = n->op == NN_GLOBAL_AVGPOOL;
        dnnl_dims_t strides = { gap ? 1 : n->stride[0], gap ? 1 : n->stride[1] };
        dnnl_dims_t kernel = { gap ? ih : n->kernel[0], gap ? iw : n->kernel[1] };
        dnnl_dims_t dil = { 0, 0 };
        dnnl_dims_t pl = { gap ? 0 : n->pad[0], gap ? 0 : n->pad[1] };
        dnnl_dims_t pr = { gap ? 0 : pr_y, gap ? 0 : pr_x };
        dnnl_alg_kind_t alg = n->op == NN_MAXPOOL ? dnnl_pooling_max
                              : (gap || !n->count_include_pad) ? dnnl_pooling_avg_exclude_padding
                                                               : dnnl_pooling_avg_include_padding;
        dnnl_pooling_v2_desc_t d;
        ds = dnnl_pooling_v2_forward_desc_init (&d, dnnl_forward_inference, alg, &src_md, &dst_md,
                                                strides, kernel, dil, pl, pr);
        return unary_primitive (c, ds, &d, attr, s, in_buf[0], &src_md, out_buf, &dst_md,
                                node_name);
      }
    case NN_RESIZE:
      {
        dnnl_resampling_desc_t d;
        ds = dnnl_resampling_forward_desc_init (&d, dnnl_forward_inference, dnnl_resampling_linear,
                                                NULL, &src_md, &dst_md);
        return unary_primitive (c, ds, &d, attr, s, in_buf[0], &src_md, out_buf, &dst_md,
                                node_name);
      }
    case NN_RELU:
    case NN_LEAKY_RELU:
    case NN_SIGMOID:
    case NN_TANH:
      {
        dnnl_alg_kind_t alg = n->op == NN_SIGMOID ? dnnl_eltwise_logistic
                              : n->op == NN_TANH  ? dnnl_eltwise_tanh
                                                  : dnnl_eltwise_relu;
        dnnl_eltwise_desc_t d;
        ds = dnnl_eltwise_forward_desc_init (&d, dnnl_forward_inference, alg, &src_md,
                                             n->op == NN_LEAKY_RELU ? n->alpha : 0.0f, 0.0f);
        return unary_primitive (c, ds, &d, attr, s, in_buf[0], &src_md, out_buf, &dst_md,
                                node_name);
      }
    case NN_SOFTMAX:
      {
        dnnl_softmax_desc_t d;
        ds = dnnl_softmax_forward_desc_init (&d, dnnl_forward_inference, &src_md, 1);
        return unary_primitive (c, ds, &d, attr, s, in_buf[0], &src_md, out_buf, &dst_md,
                                node_name);
      }
    case NN_ADD:
    case NN_MUL:
      {
        int c2 = p->buffers[in_buf[1]].c;
        dnnl_memory_desc_t b_md = md_nhwc (c2, ih, iw, idt);
        dnnl_binary_desc_t d;
        ds = dnnl_binary_desc_init (&d, n->op == NN_ADD ? dnnl_binary_add : dnnl_binary_mul,
                                    &src_md, &b_md, &dst_md);
        if (ds == dnnl_success)
          ds = dnnl_primitive_desc_create (&pd, &d, attr, nn_engine (), NULL);
        dnnl_primitive_attr_destroy (attr);
        CHECK_DNNL (ds, "compiling");
        step_arg (s, DNNL_ARG_SRC_0, ARG_BUFFER, in_buf[0], &src_md);
        step_arg (s, DNNL_ARG_SRC_1, ARG_BUFFER, in_buf[1], &b_md);
        step_arg (s, DNNL_ARG_DST, ARG_BUFFER, out_buf, &dst_md);
      }
      break;
    case NN_CONCAT:
      {
        dnnl_memory_desc_t mds[NN_MAX_NODE_INPUTS];
        for (int i = 0; i < n->n_in; i++)
          mds[i] = md_nhwc (p->buffers[in_buf[i]].c, ih, iw, idt);
        ds = dnnl_concat_primitive_desc_create (&pd, &dst_md, n->n_in, 1, mds, attr, nn_engine ());
        dnnl_primitive_attr_destroy (attr);
        CHECK_DNNL (ds, "compiling");
        for (int i = 0; i < n->n_in; i++)
          step_arg (s, DNNL_ARG_MULTIPLE_SRC + i, ARG_BUFFER, in_buf[i], &mds[i]);
        step_arg (s, DNNL_ARG_DST, ARG_BUFFER, out_buf, &dst_md);
      }
      break;
    default:
      dnnl_primitive_attr_destroy (attr);
      return tinta_fail (err, TINTA_ERR_INTERNAL, p->model->path, "unknown op");
    }
  if ((st = finish_primitive (c, pd, s, node_name, 1)) < 0 || n_heads < 2)
    return st;
  return split_heads (c, n, heads, n_heads, out_buf, oh, ow);
}

int
tinta_nn_plan_new (const tinta_nn_model *model, int height, int width,
                   tinta_nn_precision precision, tinta_nn_plan **out, tinta_error *err)
{
  int hs[64], ws[64];
  *out = NULL;
  if (model == NULL)
    return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, "", "no model");
  for (int i = 0; i < model->graph.n_inputs && i < 64; i++)
    {
      hs[i] = height;
      ws[i] = width;
    }
  return tinta_nn_plan_new_sizes (model, hs, ws, precision, out, err);
}

int
tinta_nn_plan_new_sizes (const tinta_nn_model *model, const int *heights, const int *widths,
                         tinta_nn_precision precision, tinta_nn_plan **out, tinta_error *err)
{
  *out = NULL;
  if (model == NULL || heights == NULL || widths == NULL)
    return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, "", "no model or sizes");
  for (int i = 0; i < model->graph.n_inputs; i++)
    if (heights[i] < 1 || widths[i] < 1 || heights[i] > TINTA_NN_MAX_SIDE
        || widths[i] > TINTA_NN_MAX_SIDE)
      return tinta_fail (err, TINTA_ERR_OUT_OF_RANGE, model->path,
                         "network input %dx%d is out of range (1..%d)", widths[i], heights[i],
                         TINTA_NN_MAX_SIDE);
  int height = heights[0], width = widths[0];
  if (nn_engine () == NULL)
    return tinta_fail (err, TINTA_ERR_INTERNAL, model->path, "oneDNN has no CPU engine");
  if (precision == TINTA_NN_AUTO)
    precision = tinta_nn_cpu_has_bf16 () ? TINTA_NN_BF16 : TINTA_NN_F32;
  else if (precision == TINTA_NN_BF16 && !tinta_nn_cpu_has_bf16 ())
    return tinta_fail (err, TINTA_ERR_UNSUPPORTED_CODEC, model->path,
                       "this CPU has no native bf16 (AVX512-BF16): use f32");
  else if (precision != TINTA_NN_F32 && precision != TINTA_NN_BF16)
    return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, model->path, "unknown precision");

  const nn_graph *g = &model->graph;
  tinta_nn_plan *p = calloc (1, sizeof *p);
  if (p == NULL)
    return tinta_fail (err, TINTA_ERR_NO_MEMORY, model->path, "out of memory");
  p->model = model;
  p->height = height;
  p->width = width;
  p->precision = precision;
  p->n_values = g->n_inputs + g->n_nodes;
  p->value_f32 = malloc ((size_t) p->n_values * sizeof (int));
  p->value_bf16 = malloc ((size_t) p->n_values * sizeof (int));
  p->value_h = calloc ((size_t) p->n_values, sizeof (int));
  p->value_w = calloc ((size_t) p->n_values, sizeof (int));
  p->layers = calloc ((size_t) g->n_nodes, sizeof *p->layers);
  p->impl_names = calloc ((size_t) g->n_nodes, sizeof *p->impl_names);
  if (!p->value_f32 || !p->value_bf16 || !p->value_h || !p->value_w || !p->layers || !p->impl_names)
    {
      tinta_nn_plan_free (p);
      return tinta_fail (err, TINTA_ERR_NO_MEMORY, model->path, "out of memory");
    }
  for (int v = 0; v < p->n_values; v++)
    p->value_f32[v] = p->value_bf16[v] = -1;
  build_ctx c = { p, err, NULL, NULL };
  for (int i = 0; i < g->n_inputs; i++)
    {
      p->value_h[i] = heights[i];
      p->value_w[i] = widths[i];
      if (add_buffer (p, i, dnnl_f32, g->input_channels[i], heights[i], widths[i]) < 0)
        {
          tinta_nn_plan_free (p);
          return tinta_fail (err, TINTA_ERR_NO_MEMORY, model->path, "out of memory");
        }
    }
  for (int i = 0; i < g->n_nodes; i++)
    {
      int st = compile_node (&c, i);
      free (c.merged_w);
      free (c.merged_b);
      c.merged_w = c.merged_b = NULL;
      if (st < 0)
        {
          tinta_nn_plan_free (p);
          return st;
        }
    }
  for (int i = 0; i < g->n_nodes; i++)
    p->layers[i].impl = p->impl_names[i] ? p->impl_names[i] : "";
  *out = p;
  return TINTA_OK;
}

void
tinta_nn_plan_free (tinta_nn_plan *p)
{
  if (p == NULL)
    return;
  for (int i = 0; i < p->n_steps; i++)
    {
      dnnl_primitive_destroy (p->steps[i].prim);
      tinta_free_aligned (p->steps[i].direct_w);
      tinta_free_aligned (p->steps[i].direct_b);
    }
  for (int i = 0; i < p->n_weights; i++)
    {
      dnnl_memory_destroy (p->weights[i]);
      tinta_free_aligned (p->weight_data[i]);
    }
  if (p->impl_names)
    for (int i = 0; i < p->model->graph.n_nodes; i++)
      free (p->impl_names[i]);
  free (p->impl_names);
  free (p->weights);
  free (p->weight_data);
  free (p->steps);
  free (p->buffers);
  free (p->value_f32);
  free (p->value_bf16);
  free (p->value_h);
  free (p->value_w);
  free (p->layers);
  free (p);
}

tinta_nn_precision
tinta_nn_plan_precision (const tinta_nn_plan *p)
{
  return p->precision;
}

int
tinta_nn_plan_shape (const tinta_nn_plan *p, const char *name, int *ch, int *h, int *w)
{
  int v = name ? nn_graph_find (&p->model->graph, name) : -1;
  if (v < 0)
    return TINTA_ERR_UNKNOWN_NAME;
  if (ch)
    *ch = nn_graph_value_channels (&p->model->graph, v);
  if (h)
    *h = p->value_h[v];
  if (w)
    *w = p->value_w[v];
  return TINTA_OK;
}

int
tinta_nn_plan_layer_count (const tinta_nn_plan *p)
{
  return p->model->graph.n_nodes;
}

const tinta_nn_layer_info *
tinta_nn_plan_layer (const tinta_nn_plan *p, int i)
{
  if (i < 0 || i >= p->model->graph.n_nodes)
    return NULL;
  return &p->layers[i];
}
