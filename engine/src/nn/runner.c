/* Per-thread execution of a plan: a stream, one scratchpad, the
 * activation buffers and oneDNN memory objects over them, made once per
 * runner and reused for every frame. */
#include <stdlib.h>
#include <string.h>
#include "core/bf16.h"
#include "core/internal.h"
#include "nn/nn_internal.h"

typedef struct {
  dnnl_exec_arg_t *args;
  int              n;
} step_args;

struct tinta_nn_runner {
  const tinta_nn_plan *plan;
  dnnl_stream_t        stream;
  void               **buffers;      /* per plan buffer */
  void                *scratch;
  dnnl_memory_t       *memories;     /* every memory object we created */
  int                  n_memories, cap_memories;
  step_args           *args;         /* per step */
  float              **f32_views;    /* per value: float32 copy of a bf16 buffer */
};

static dnnl_memory_t
new_memory (tinta_nn_runner *r, const dnnl_memory_desc_t *md, void *handle)
{
  dnnl_memory_t m = NULL;
  if (r->n_memories == r->cap_memories)
    {
      int ncap = r->cap_memories ? 2 * r->cap_memories : 64;
      dnnl_memory_t *n = realloc (r->memories, (size_t) ncap * sizeof *n);
      if (n == NULL)
        return NULL;
      r->memories = n;
      r->cap_memories = ncap;
    }
  if (dnnl_memory_create (&m, md, nn_engine (), handle) != dnnl_success)
    return NULL;
  r->memories[r->n_memories++] = m;
  return m;
}

void
tinta_nn_runner_free (tinta_nn_runner *r)
{
  if (r == NULL)
    return;
  for (int i = 0; i < r->n_memories; i++)
    dnnl_memory_destroy (r->memories[i]);
  if (r->args)
    for (int i = 0; i < r->plan->n_steps; i++)
      free (r->args[i].args);
  if (r->buffers)
    for (int i = 0; i < r->plan->n_buffers; i++)
      tinta_free_aligned (r->buffers[i]);
  if (r->f32_views)
    for (int i = 0; i < r->plan->n_values; i++)
      tinta_free_aligned (r->f32_views[i]);
  tinta_free_aligned (r->scratch);
  dnnl_stream_destroy (r->stream);
  free (r->memories);
  free (r->args);
  free (r->buffers);
  free (r->f32_views);
  free (r);
}

int
tinta_nn_runner_new (const tinta_nn_plan *p, tinta_nn_runner **out, tinta_error *err)
{
  *out = NULL;
  const char *path = p->model->path;
  tinta_nn_runner *r = calloc (1, sizeof *r);
  if (r == NULL)
    return tinta_fail (err, TINTA_ERR_NO_MEMORY, path, "out of memory");
  r->plan = p;
  r->buffers = calloc ((size_t) p->n_buffers, sizeof *r->buffers);
  r->args = calloc ((size_t) p->n_steps, sizeof *r->args);
  r->f32_views = calloc ((size_t) p->n_values, sizeof *r->f32_views);
  r->scratch = tinta_alloc_aligned (p->scratch_bytes ? p->scratch_bytes : 64, 1);
  if (r->buffers == NULL || r->args == NULL || r->f32_views == NULL || r->scratch == NULL
      || dnnl_stream_create (&r->stream, nn_engine (), dnnl_stream_default_flags) != dnnl_success)
    goto oom;
  for (int i = 0; i < p->n_buffers; i++)
    if ((r->buffers[i] = tinta_alloc_aligned (p->buffers[i].bytes, 1)) == NULL)
      goto oom;
  for (int i = 0; i < p->n_steps; i++)
    {
      const nn_step *s = &p->steps[i];
      if (s->kind != STEP_DNNL)
        continue;
      r->args[i].args = calloc ((size_t) s->n_args, sizeof (dnnl_exec_arg_t));
      if (r->args[i].args == NULL)
        goto oom;
      r->args[i].n = s->n_args;
      for (int a = 0; a < s->n_args; a++)
        {
          const nn_arg *arg = &s->args[a];
          dnnl_memory_t m = NULL;
          switch (arg->kind)
            {
            case ARG_BUFFER:
              m = new_memory (r, &arg->md, r->buffers[arg->index]);
              break;
            case ARG_WEIGHT:
              m = p->weights[arg->index];   /* shared, read-only */
              break;
            case ARG_SCRATCH:
            default:
              m = new_memory (r, &arg->md, r->scratch);
              break;
            }
          if (m == NULL)
            goto oom;
          r->args[i].args[a].arg = arg->arg;
          r->args[i].args[a].memory = m;
        }
    }
  *out = r;
  return TINTA_OK;
oom:
  tinta_nn_runner_free (r);
  return tinta_fail (err, TINTA_ERR_NO_MEMORY, path,
                     "out of memory for the network's activations at %dx%d", p->width, p->height);
}

/* 0, or -1 when out of memory. */
static int
run_custom (tinta_nn_runner *r, const nn_step *s)
{
  const nn_buffer *src = &r->plan->buffers[s->src];
  const nn_buffer *dst = &r->plan->buffers[s->dst >= 0 ? s->dst : s->src];
  if (s->kind == STEP_SPLIT)
    {
      float *dst_bufs[NN_MAX_HEADS];
      for (int k = 0; k < s->n_heads; k++)
        dst_bufs[k] = r->buffers[s->head_dst[k]];
      nn_kernel_split (r->buffers[s->src], (size_t) src->h * src->w, src->c, s, dst_bufs);
    }
  else if (s->kind == STEP_CONV3X3)
    return nn_kernel_conv3x3 (r->buffers[s->src], src->dt == dnnl_bf16, src->h, src->w, src->c,
                              s, r->buffers[s->dst], dst->h, dst->w);
  else if (s->kind == STEP_CORRELATION)
    nn_kernel_correlation (r->buffers[s->src], r->buffers[s->src2], src->h, src->w, src->c,
                           s->node->radius, r->buffers[s->dst]);
  else if (s->kind == STEP_NEAREST)
    nn_kernel_nearest (r->buffers[s->src], src->h, src->w, src->c, r->buffers[s->dst], dst->h,
                       dst->w);
  else
    nn_kernel_avgpool_torch (r->buffers[s->src], src->h, src->w, src->c, r->buffers[s->dst],
                             dst->h, dst->w, s->node);
  return 0;
}

int
tinta_nn_run (tinta_nn_runner *r, const float *const *inputs, tinta_abort_fn abort_cb,
              void *abort_user, double *layer_ms, tinta_error *err)
{
  const tinta_nn_plan *p = r->plan;
  const nn_graph *g = &p->model->graph;
  if (inputs == NULL)
    return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, p->model->path, "no inputs");
  for (int i = 0; i < g->n_inputs; i++)
    {
      if (inputs[i] == NULL)
        return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, p->model->path, "input '%s' is NULL",
                           g->input_names[i]);
      memcpy (r->buffers[p->value_f32[i]], inputs[i], p->buffers[p->value_f32[i]].bytes);
    }
  for (int v = 0; v < p->n_values; v++)
    if (r->f32_views[v])
      {
        tinta_free_aligned (r->f32_views[v]);
        r->f32_views[v] = NULL;
      }
  if (layer_ms)
    memset (layer_ms, 0, (size_t) g->n_nodes * sizeof *layer_ms);
  int last_layer = -1;
  for (int i = 0; i < p->n_steps; i++)
    {
      const nn_step *s = &p->steps[i];
      if (s->layer != last_layer)
        {
          if (abort_cb && abort_cb (abort_user))
            return TINTA_CANCELLED;
          last_layer = s->layer;
        }
      double t0 = layer_ms ? tinta_now () : 0.0;
      if (s->kind == STEP_DNNL)
        {
          dnnl_status_t st = dnnl_primitive_execute (s->prim, r->stream, r->args[i].n,
                                                     r->args[i].args);
          if (st == dnnl_success && layer_ms)
            st = dnnl_stream_wait (r->stream);
          if (st != dnnl_success)
            return nn_dnnl_fail (err, p->model->path, st, "running",
                                 g->nodes[s->layer].name);
        }
      else
        {
          if (dnnl_stream_wait (r->stream) != dnnl_success)
            return tinta_fail (err, TINTA_ERR_INTERNAL, p->model->path, "oneDNN stream failed");
          if (run_custom (r, s) < 0)
            return tinta_fail (err, TINTA_ERR_NO_MEMORY, p->model->path, "out of memory in %s",
                               g->nodes[s->layer].name);
        }
      if (layer_ms)
        layer_ms[s->layer] += 1e3 * (tinta_now () - t0);
    }
  if (dnnl_stream_wait (r->stream) != dnnl_success)
    return tinta_fail (err, TINTA_ERR_INTERNAL, p->model->path, "oneDNN stream failed");
  return TINTA_OK;
}

const float *
tinta_nn_runner_output (tinta_nn_runner *r, const char *name, int *ch, int *h, int *w)
{
  const tinta_nn_plan *p = r->plan;
  int v = name ? nn_graph_find (&p->model->graph, name) : -1;
  if (v < 0)
    return NULL;
  int bi = p->value_f32[v] >= 0 ? p->value_f32[v] : p->value_bf16[v];
  if (bi < 0)
    return NULL;
  const nn_buffer *b = &p->buffers[bi];
  if (ch)
    *ch = b->c;
  if (h)
    *h = b->h;
  if (w)
    *w = b->w;
  if (b->dt == dnnl_f32)
    return r->buffers[bi];
  if (r->f32_views[v] == NULL)
    {
      size_t n = (size_t) b->c * b->h * b->w;
      float *f = tinta_alloc_aligned (n, sizeof (float));
      if (f == NULL)
        return NULL;
      const uint16_t *src = r->buffers[bi];
      for (size_t i = 0; i < n; i++)
        f[i] = tinta_bf16_to_f32 (src[i]);
      r->f32_views[v] = f;
    }
  return r->f32_views[v];
}
