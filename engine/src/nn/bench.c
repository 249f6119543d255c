/* The benchmark baseline of `tinta-cli bench nn`: the same convolution or
 * matmul shapes as a plan's layers, run as bare oneDNN primitives with all
 * formats left to oneDNN and no fused post-op. They run one after another
 * in network order, as the plan does: a primitive timed alone in a hot
 * loop is up to 2x faster than the same primitive between others (AMX
 * tile configuration, instruction and data caches), which would charge
 * the runtime for what any network pays. The ratio bare / runtime shows
 * what the runtime costs (fixed NHWC activations, fused activations, type
 * conversions, the loop around). */
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "nn/nn_internal.h"

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

typedef struct {
  dnnl_primitive_t      prim;
  dnnl_primitive_desc_t pd;
  dnnl_exec_arg_t       args[5];
  void                 *bufs[5];
  int                   nargs;
} bare_prim;

static void
bare_clear (bare_prim *b)
{
  for (int i = 0; i < b->nargs; i++)
    dnnl_memory_destroy (b->args[i].memory);
  for (int i = 0; i < 5; i++)
    tinta_free_aligned (b->bufs[i]);
  dnnl_primitive_destroy (b->prim);
  dnnl_primitive_desc_destroy (b->pd);
  memset (b, 0, sizeof *b);
}

/* Builds the bare primitive of layer `layer`; 1 if the layer has none. */
static int
bare_build (const tinta_nn_plan *p, int layer, bare_prim *b, tinta_error *err)
{
  const nn_graph *g = &p->model->graph;
  memset (b, 0, sizeof *b);
  const nn_node *n = &g->nodes[layer];
  if (n->op != NN_CONV && n->op != NN_MATMUL)
    return 1;
  const char *node_name = n->name;
  int bf16 = p->layers[layer].bf16;
  dnnl_data_type_t dt = bf16 ? dnnl_bf16 : dnnl_f32;
  int ih = p->value_h[n->in[0]], iw = p->value_w[n->in[0]];
  int oh = p->layers[layer].out_h, ow = p->layers[layer].out_w;
  int I = n->in_channels, O = n->channels, grp = n->groups;
  dnnl_memory_desc_t src, wei, dst, bias;
  dnnl_primitive_desc_t pd = NULL;
  dnnl_status_t s;
  dnnl_primitive_attr_t attr = NULL;
  dnnl_primitive_attr_create (&attr);
  dnnl_primitive_attr_set_scratchpad_mode (attr, dnnl_scratchpad_mode_user);

  if (n->op == NN_CONV)
    {
      dnnl_dims_t sd = { 1, I, ih, iw }, dd = { 1, O, oh, ow }, bd = { O };
      dnnl_dims_t wd5 = { grp, O / grp, I / grp, n->kernel[0], n->kernel[1] };
      dnnl_dims_t wd4 = { O, I, n->kernel[0], n->kernel[1] };
      dnnl_memory_desc_init_by_tag (&src, 4, sd, dt, dnnl_format_tag_any);
      dnnl_memory_desc_init_by_tag (&dst, 4, dd, dt, dnnl_format_tag_any);
      dnnl_memory_desc_init_by_tag (&wei, grp > 1 ? 5 : 4, grp > 1 ? wd5 : wd4, dt,
                                    dnnl_format_tag_any);
      dnnl_memory_desc_init_by_tag (&bias, 1, bd, dnnl_f32, dnnl_a);
      dnnl_dims_t st = { n->stride[0], n->stride[1] };
      dnnl_dims_t dil = { n->dilation[0] - 1, n->dilation[1] - 1 };
      dnnl_dims_t pl = { n->pad[0], n->pad[1] }, pr = { n->pad[0], n->pad[1] };
      dnnl_convolution_desc_t d;
      s = dnnl_dilated_convolution_forward_desc_init (&d, dnnl_forward_inference,
                                                      dnnl_convolution_direct, &src, &wei,
                                                      n->bias.data ? &bias : NULL, &dst, st, dil,
                                                      pl, pr);
      if (s == dnnl_success)
        s = dnnl_primitive_desc_create (&pd, &d, attr, nn_engine (), NULL);
    }
  else
    {
      dnnl_dims_t ad = { (dnnl_dim_t) ih * iw, I }, wd = { I, O }, od = { (dnnl_dim_t) ih * iw, O };
      dnnl_dims_t bd = { 1, O };
      dnnl_memory_desc_init_by_tag (&src, 2, ad, dt, dnnl_format_tag_any);
      dnnl_memory_desc_init_by_tag (&wei, 2, wd, dt, dnnl_format_tag_any);
      dnnl_memory_desc_init_by_tag (&dst, 2, od, dt, dnnl_format_tag_any);
      dnnl_memory_desc_init_by_tag (&bias, 2, bd, dnnl_f32, dnnl_ab);
      dnnl_matmul_desc_t d;
      s = dnnl_matmul_desc_init (&d, &src, &wei, n->bias.data ? &bias : NULL, &dst);
      if (s == dnnl_success)
        s = dnnl_primitive_desc_create (&pd, &d, attr, nn_engine (), NULL);
    }
  dnnl_primitive_attr_destroy (attr);
  if (s != dnnl_success)
    return nn_dnnl_fail (err, p->model->path, s, "bare benchmark", node_name);

  enum { N_MEM = 5 };
  const dnnl_query_t q[N_MEM] = { dnnl_query_src_md, dnnl_query_weights_md, dnnl_query_weights_md,
                                  dnnl_query_dst_md, dnnl_query_scratchpad_md };
  const int qi[N_MEM] = { 0, 0, 1, 0, 0 };
  const int arg[N_MEM] = { DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_BIAS, DNNL_ARG_DST,
                           DNNL_ARG_SCRATCHPAD };
  b->pd = pd;
  s = dnnl_primitive_create (&b->prim, pd);
  for (int i = 0; i < N_MEM && s == dnnl_success; i++)
    {
      const dnnl_memory_desc_t *md = dnnl_primitive_desc_query_md (pd, q[i], qi[i]);
      if (md == NULL || md->ndims == 0 || (arg[i] == DNNL_ARG_BIAS && !n->bias.data))
        continue;
      size_t bytes = dnnl_memory_desc_get_size (md);
      b->bufs[i] = tinta_alloc_aligned (bytes ? bytes : 64, 1);   /* zeroed */
      b->args[b->nargs].arg = arg[i];
      s = b->bufs[i] ? dnnl_memory_create (&b->args[b->nargs].memory, md, nn_engine (), b->bufs[i])
                     : dnnl_out_of_memory;
      if (s == dnnl_success)
        b->nargs++;
    }
  if (s != dnnl_success)
    {
      bare_clear (b);
      return nn_dnnl_fail (err, p->model->path, s, "bare benchmark", node_name);
    }
  return TINTA_OK;
}

int
tinta_nn_bench_bare (const tinta_nn_plan *p, int runs, double *median_ms, tinta_error *err)
{
  int nl = p->model->graph.n_nodes, status = TINTA_OK;
  if (runs < 1)
    return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, p->model->path, "bad run count");
  bare_prim *prims = calloc ((size_t) nl, sizeof *prims);
  double *t = calloc ((size_t) runs * nl, sizeof *t);
  dnnl_stream_t stream = NULL;
  if (prims == NULL || t == NULL
      || dnnl_stream_create (&stream, nn_engine (), dnnl_stream_default_flags) != dnnl_success)
    status = tinta_fail (err, TINTA_ERR_NO_MEMORY, p->model->path, "out of memory");
  for (int l = 0; l < nl && status == TINTA_OK; l++)
    status = bare_build (p, l, &prims[l], err) < 0 ? TINTA_ERR_INTERNAL : TINTA_OK;
  /* One warm-up pass, then the timed ones. */
  for (int r = -1; r < runs && status == TINTA_OK; r++)
    for (int l = 0; l < nl && status == TINTA_OK; l++)
      {
        if (prims[l].prim == NULL)
          continue;
        double t0 = tinta_now ();
        dnnl_status_t s = dnnl_primitive_execute (prims[l].prim, stream, prims[l].nargs,
                                                  prims[l].args);
        if (s == dnnl_success)
          s = dnnl_stream_wait (stream);
        if (s != dnnl_success)
          status = nn_dnnl_fail (err, p->model->path, s, "bare benchmark",
                                 p->model->graph.nodes[l].name);
        if (r >= 0)
          t[(size_t) l * runs + r] = 1e3 * (tinta_now () - t0);
      }
  for (int l = 0; l < nl && status == TINTA_OK; l++)
    {
      median_ms[l] = 0;
      if (prims[l].prim == NULL)
        continue;
      double *col = t + (size_t) l * runs;
      qsort (col, (size_t) runs, sizeof *col, cmp_double);
      median_ms[l] = runs % 2 ? col[runs / 2] : 0.5 * (col[runs / 2 - 1] + col[runs / 2]);
    }
  for (int l = 0; prims && l < nl; l++)
    bare_clear (&prims[l]);
  dnnl_stream_destroy (stream);
  free (prims);
  free (t);
  return status;
}
