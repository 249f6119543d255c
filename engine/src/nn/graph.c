/* Parsing and checking the graph of a model file (docs/model-format.md).
 *
 * The graph is untrusted input like the rest of the file: every number is
 * range-checked, every name resolved, every weight's shape checked against
 * the op and the channels flowing in, and weights nobody uses are an error
 * (they usually mean a renamed layer, i.e. a silently untrained one).
 * Nesting depth is checked before cJSON sees the text, so a hostile
 * `[[[[...` cannot exhaust the stack. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "core/internal.h"
#include "nn/graph.h"

#define MAX_GRAPH_DEPTH 8
#define MAX_NODES 10000

static const struct { const char *name; nn_op op; } op_names[] = {
  { "conv2d", NN_CONV }, { "deconv2d", NN_DECONV }, { "maxpool", NN_MAXPOOL },
  { "avgpool", NN_AVGPOOL }, { "global_avgpool", NN_GLOBAL_AVGPOOL }, { "resize", NN_RESIZE },
  { "relu", NN_RELU }, { "leaky_relu", NN_LEAKY_RELU }, { "sigmoid", NN_SIGMOID },
  { "tanh", NN_TANH }, { "concat", NN_CONCAT }, { "add", NN_ADD }, { "mul", NN_MUL },
  { "softmax", NN_SOFTMAX }, { "matmul", NN_MATMUL }, { "correlation", NN_CORRELATION },
};

const char *
nn_op_name (nn_op op)
{
  for (size_t i = 0; i < sizeof op_names / sizeof op_names[0]; i++)
    if (op_names[i].op == op)
      return op_names[i].name;
  return "?";
}

static int
json_depth_ok (const char *s, int max)
{
  int depth = 0, in_str = 0;
  for (; *s; s++)
    {
      if (in_str)
        {
          if (*s == '\\' && s[1])
            s++;
          else if (*s == '"')
            in_str = 0;
        }
      else if (*s == '"')
        in_str = 1;
      else if (*s == '{' || *s == '[')
        {
          if (++depth > max)
            return 0;
        }
      else if (*s == '}' || *s == ']')
        depth--;
    }
  return 1;
}

typedef struct {
  const tinta_safetensors *st;
  const char *path;
  tinta_error *err;
  char *used;          /* per tensor: referenced by a node */
} parse_ctx;

static int bad (parse_ctx *c, const char *node, const char *fmt, ...) TINTA_PRINTF (3, 4);

static int
bad (parse_ctx *c, const char *node, const char *fmt, ...)
{
  char msg[400];
  va_list ap;
  va_start (ap, fmt);
  vsnprintf (msg, sizeof msg, fmt, ap);
  va_end (ap);
  return tinta_fail (c->err, TINTA_ERR_INVALID_DATA, c->path, "graph node '%s': %s",
                     node ? node : "?", msg);
}

/* An integer attribute in [lo, hi]; absent -> def. */
static int
get_int (parse_ctx *c, const cJSON *obj, const char *node, const char *key, int def, int lo,
         int hi, int *out)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive (obj, key);
  if (v == NULL)
    {
      *out = def;
      return TINTA_OK;
    }
  if (!cJSON_IsNumber (v) || v->valuedouble != floor (v->valuedouble) || v->valuedouble < lo
      || v->valuedouble > hi)
    return bad (c, node, "attribute '%s' must be an integer in range", key);
  *out = (int) v->valuedouble;
  return TINTA_OK;
}

/* A [y, x] pair of integers in [lo, hi]; absent -> (def, def). */
static int
get_pair (parse_ctx *c, const cJSON *obj, const char *node, const char *key, int def, int lo,
          int hi, int out[2])
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive (obj, key);
  if (v == NULL)
    {
      out[0] = out[1] = def;
      return TINTA_OK;
    }
  if (!cJSON_IsArray (v) || cJSON_GetArraySize (v) != 2)
    return bad (c, node, "attribute '%s' must be a pair [y, x]", key);
  for (int i = 0; i < 2; i++)
    {
      const cJSON *e = cJSON_GetArrayItem (v, i);
      if (!cJSON_IsNumber (e) || e->valuedouble != floor (e->valuedouble) || e->valuedouble < lo
          || e->valuedouble > hi)
        return bad (c, node, "attribute '%s' holds an out-of-range value", key);
      out[i] = (int) e->valuedouble;
    }
  return TINTA_OK;
}

static int
get_bool (parse_ctx *c, const cJSON *obj, const char *node, const char *key, int def, int *out)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive (obj, key);
  if (v == NULL)
    *out = def;
  else if (cJSON_IsBool (v))
    *out = cJSON_IsTrue (v);
  else
    return bad (c, node, "attribute '%s' must be true or false", key);
  return TINTA_OK;
}

static int
bind_weight (parse_ctx *c, const cJSON *obj, const char *node, const char *key, int required,
             int ndim, nn_weight *w)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive (obj, key);
  memset (w, 0, sizeof *w);
  if (v == NULL)
    return required ? bad (c, node, "needs a '%s' tensor", key) : TINTA_OK;
  if (!cJSON_IsString (v))
    return bad (c, node, "'%s' must name a tensor", key);
  const tinta_tensor *t = tinta_safetensors_find (c->st, v->valuestring);
  if (t == NULL)
    return bad (c, node, "tensor '%s' is not in the file", v->valuestring);
  if (t->ndim != ndim)
    return bad (c, node, "tensor '%s' has the wrong number of dimensions", v->valuestring);
  for (int i = 0; i < ndim; i++)
    if (t->shape[i] < 1 || t->shape[i] > NN_MAX_CHANNELS * (int64_t) NN_MAX_KERNEL)
      return bad (c, node, "tensor '%s' has an empty or huge dimension", v->valuestring);
  size_t idx = (size_t) (t - tinta_safetensors_at (c->st, 0));
  c->used[idx] = 1;
  w->name = t->name;
  w->ndim = ndim;
  for (int i = 0; i < ndim; i++)
    w->shape[i] = t->shape[i];
  w->data = tinta_alloc_aligned ((size_t) t->numel, sizeof (float));
  if (w->data == NULL)
    return tinta_fail (c->err, TINTA_ERR_NO_MEMORY, c->path, "out of memory for '%s'", t->name);
  tinta_tensor_to_f32 (t, w->data);
  for (int64_t i = 0; i < t->numel; i++)
    if (!isfinite (w->data[i]))
      return bad (c, node, "tensor '%s' holds a NaN or infinity", t->name);
  return TINTA_OK;
}

static nn_act
parse_act (const char *s, int *ok)
{
  *ok = 1;
  if (s == NULL || strcmp (s, "none") == 0)
    return NN_ACT_NONE;
  if (strcmp (s, "relu") == 0)
    return NN_ACT_RELU;
  if (strcmp (s, "leaky_relu") == 0)
    return NN_ACT_LEAKY_RELU;
  if (strcmp (s, "sigmoid") == 0)
    return NN_ACT_SIGMOID;
  if (strcmp (s, "tanh") == 0)
    return NN_ACT_TANH;
  *ok = 0;
  return NN_ACT_NONE;
}

int
nn_graph_find (const nn_graph *g, const char *name)
{
  for (int i = 0; i < g->n_inputs; i++)
    if (strcmp (g->input_names[i], name) == 0)
      return i;
  for (int i = 0; i < g->n_nodes; i++)
    if (g->nodes[i].name && strcmp (g->nodes[i].name, name) == 0)
      return g->n_inputs + i;
  return -1;
}

const char *
nn_graph_value_name (const nn_graph *g, int v)
{
  return v < g->n_inputs ? g->input_names[v] : g->nodes[v - g->n_inputs].name;
}

int
nn_graph_value_channels (const nn_graph *g, int v)
{
  return v < g->n_inputs ? g->input_channels[v] : g->nodes[v - g->n_inputs].channels;
}

/* Checks weights against the op and infers output channels. */
static int
infer_channels (parse_ctx *c, nn_graph *g, nn_node *n)
{
  int cin = nn_graph_value_channels (g, n->in[0]);
  n->in_channels = cin;
  switch (n->op)
    {
    case NN_CONV:
      if (n->groups < 1 || cin % n->groups != 0 || n->weight.shape[1] * n->groups != cin
          || n->weight.shape[0] % n->groups != 0)
        return bad (c, n->name, "weight shape does not match the input channels and groups");
      n->channels = (int) n->weight.shape[0];
      n->kernel[0] = (int) n->weight.shape[2];
      n->kernel[1] = (int) n->weight.shape[3];
      break;
    case NN_DECONV:
      if (n->groups < 1 || n->weight.shape[0] != cin || cin % n->groups != 0)
        return bad (c, n->name, "weight shape does not match the input channels and groups");
      n->channels = (int) n->weight.shape[1] * n->groups;
      n->kernel[0] = (int) n->weight.shape[2];
      n->kernel[1] = (int) n->weight.shape[3];
      if (n->output_padding[0] >= n->stride[0] || n->output_padding[1] >= n->stride[1])
        return bad (c, n->name, "output_padding must be smaller than the stride");
      break;
    case NN_MATMUL:
      if (n->weight.shape[0] != cin)
        return bad (c, n->name, "weight rows do not match the input channels");
      n->channels = (int) n->weight.shape[1];
      break;
    case NN_CONCAT:
      n->channels = 0;
      for (int i = 0; i < n->n_in; i++)
        n->channels += nn_graph_value_channels (g, n->in[i]);
      break;
    case NN_ADD:
    case NN_MUL:
      {
        int c2 = nn_graph_value_channels (g, n->in[1]);
        if (c2 != cin && c2 != 1)
          return bad (c, n->name, "second input must have the same channels or 1");
        n->channels = cin;
      }
      break;
    case NN_CORRELATION:
      if (nn_graph_value_channels (g, n->in[1]) != cin)
        return bad (c, n->name, "both inputs must have the same channels");
      n->channels = (2 * n->radius + 1) * (2 * n->radius + 1);
      break;
    case NN_MAXPOOL: case NN_AVGPOOL: case NN_GLOBAL_AVGPOOL: case NN_RESIZE: case NN_RELU:
    case NN_LEAKY_RELU: case NN_SIGMOID: case NN_TANH: case NN_SOFTMAX:
      n->channels = cin;
      break;
    default:
      return bad (c, n->name, "unknown op");
    }
  if (n->channels < 1 || n->channels > NN_MAX_CHANNELS)
    return bad (c, n->name, "output channels out of range");
  if (n->bias.data != NULL && n->bias.shape[0] != n->channels)
    return bad (c, n->name, "bias length does not match the output channels");
  return TINTA_OK;
}

/* Attributes each op takes (besides name, op, inputs, precision): an
 * unknown or misplaced key is an error, since PyTorch would not have
 * computed what the file seems to say. */
static const char *
allowed_keys (nn_op op)
{
  switch (op)
    {
    case NN_CONV: return " weight bias stride padding dilation groups activation alpha ";
    case NN_DECONV: return " weight bias stride padding output_padding groups activation alpha ";
    case NN_MAXPOOL: return " kernel stride padding ceil_mode ";
    case NN_AVGPOOL: return " kernel stride padding ceil_mode count_include_pad ";
    case NN_RESIZE: return " mode scale ";
    case NN_LEAKY_RELU: return " alpha ";
    case NN_MATMUL: return " weight bias ";
    case NN_CORRELATION: return " radius ";
    default: return " ";
    }
}

static int
check_keys (parse_ctx *c, const cJSON *obj, const nn_node *n)
{
  const char *allowed = allowed_keys (n->op);
  for (const cJSON *k = obj->child; k != NULL; k = k->next)
    {
      char pat[80];
      for (const cJSON *k2 = k->next; k2 != NULL; k2 = k2->next)
        if (strcmp (k->string, k2->string) == 0)
          return bad (c, n->name, "attribute '%s' appears twice", k->string);
      if (strcmp (k->string, "name") == 0 || strcmp (k->string, "op") == 0
          || strcmp (k->string, "inputs") == 0 || strcmp (k->string, "precision") == 0)
        continue;
      snprintf (pat, sizeof pat, " %s ", k->string);
      if (strlen (k->string) > 40 || strstr (allowed, pat) == NULL)
        return bad (c, n->name, "'%s' is not an attribute of %s", k->string, nn_op_name (n->op));
    }
  return TINTA_OK;
}

static int
parse_node (parse_ctx *c, nn_graph *g, const cJSON *obj, nn_node *n)
{
  const cJSON *name = cJSON_GetObjectItemCaseSensitive (obj, "name");
  const cJSON *op = cJSON_GetObjectItemCaseSensitive (obj, "op");
  const cJSON *ins = cJSON_GetObjectItemCaseSensitive (obj, "inputs");
  int st, nmin = 1, nmax = 1;

  if (!cJSON_IsObject (obj) || !cJSON_IsString (name) || name->valuestring[0] == '\0')
    return tinta_fail (c->err, TINTA_ERR_INVALID_DATA, c->path,
                       "graph node %d has no name", g->n_nodes);
  if (nn_graph_find (g, name->valuestring) >= 0)
    return bad (c, name->valuestring, "the name is used twice");
  n->name = strdup (name->valuestring);
  if (n->name == NULL)
    return tinta_fail (c->err, TINTA_ERR_NO_MEMORY, c->path, "out of memory");
  if (!cJSON_IsString (op))
    return bad (c, n->name, "has no op");
  int found = 0;
  for (size_t i = 0; i < sizeof op_names / sizeof op_names[0]; i++)
    if (strcmp (op->valuestring, op_names[i].name) == 0)
      {
        n->op = op_names[i].op;
        found = 1;
      }
  if (!found)
    return bad (c, n->name, "unknown op '%s'", op->valuestring);
  if ((st = check_keys (c, obj, n)) < 0)
    return st;
  switch (n->op)
    {
    case NN_CONCAT: nmin = 2; nmax = NN_MAX_NODE_INPUTS; break;
    case NN_ADD: case NN_MUL: case NN_CORRELATION: nmin = nmax = 2; break;
    case NN_RESIZE: nmin = 1; nmax = 2; break;
    default: break;
    }
  if (!cJSON_IsArray (ins) || cJSON_GetArraySize (ins) < nmin || cJSON_GetArraySize (ins) > nmax)
    return bad (c, n->name, "has the wrong number of inputs");
  n->n_in = cJSON_GetArraySize (ins);
  for (int i = 0; i < n->n_in; i++)
    {
      const cJSON *e = cJSON_GetArrayItem (ins, i);
      if (!cJSON_IsString (e))
        return bad (c, n->name, "inputs must be names");
      n->in[i] = nn_graph_find (g, e->valuestring);
      if (n->in[i] < 0)
        return bad (c, n->name, "input '%s' is not defined before it", e->valuestring);
    }

  if ((st = get_pair (c, obj, n->name, "stride", 1, 1, NN_MAX_KERNEL, n->stride)) < 0
      || (st = get_pair (c, obj, n->name, "padding", 0, 0, NN_MAX_KERNEL, n->pad)) < 0
      || (st = get_pair (c, obj, n->name, "dilation", 1, 1, NN_MAX_KERNEL, n->dilation)) < 0
      || (st = get_pair (c, obj, n->name, "output_padding", 0, 0, NN_MAX_KERNEL - 1,
                         n->output_padding)) < 0
      || (st = get_int (c, obj, n->name, "groups", 1, 1, NN_MAX_CHANNELS, &n->groups)) < 0
      || (st = get_int (c, obj, n->name, "radius", 0, 0, NN_MAX_CORR_RADIUS, &n->radius)) < 0
      || (st = get_bool (c, obj, n->name, "ceil_mode", 0, &n->ceil_mode)) < 0
      || (st = get_bool (c, obj, n->name, "count_include_pad", 1, &n->count_include_pad)) < 0)
    return st;
  const cJSON *prec = cJSON_GetObjectItemCaseSensitive (obj, "precision");
  if (prec != NULL)
    {
      if (!cJSON_IsString (prec) || (strcmp (prec->valuestring, "f32") != 0
                                     && strcmp (prec->valuestring, "auto") != 0))
        return bad (c, n->name, "precision must be \"f32\" or \"auto\"");
      n->force_f32 = strcmp (prec->valuestring, "f32") == 0;
    }
  const cJSON *act = cJSON_GetObjectItemCaseSensitive (obj, "activation");
  const cJSON *alpha = cJSON_GetObjectItemCaseSensitive (obj, "alpha");
  int ok = 1;
  if (act != NULL && !cJSON_IsString (act))
    return bad (c, n->name, "activation must be a name");
  n->act = parse_act (act ? act->valuestring : NULL, &ok);
  if (!ok)
    return bad (c, n->name, "unknown activation '%s'", act->valuestring);
  if (act != NULL && n->op != NN_CONV && n->op != NN_DECONV)
    return bad (c, n->name, "only convolutions take a fused activation");
  n->alpha = 0.01f;
  if (alpha != NULL && n->op != NN_LEAKY_RELU && n->act != NN_ACT_LEAKY_RELU)
    return bad (c, n->name, "alpha is only for leaky_relu");
  if (alpha != NULL)
    {
      if (!cJSON_IsNumber (alpha) || !isfinite (alpha->valuedouble) || fabs (alpha->valuedouble) > 1e3)
        return bad (c, n->name, "alpha must be a number");
      n->alpha = (float) alpha->valuedouble;
    }

  switch (n->op)
    {
    case NN_CONV:
    case NN_DECONV:
      if ((st = bind_weight (c, obj, n->name, "weight", 1, 4, &n->weight)) < 0
          || (st = bind_weight (c, obj, n->name, "bias", 0, 1, &n->bias)) < 0)
        return st;
      if (n->weight.shape[2] > NN_MAX_KERNEL || n->weight.shape[3] > NN_MAX_KERNEL)
        return bad (c, n->name, "kernel larger than 64");
      if (n->op == NN_DECONV && (n->dilation[0] != 1 || n->dilation[1] != 1))
        return bad (c, n->name, "transposed convolution takes no dilation");
      break;
    case NN_MATMUL:
      if ((st = bind_weight (c, obj, n->name, "weight", 1, 2, &n->weight)) < 0
          || (st = bind_weight (c, obj, n->name, "bias", 0, 1, &n->bias)) < 0)
        return st;
      break;
    case NN_MAXPOOL:
    case NN_AVGPOOL:
      {
        const cJSON *k = cJSON_GetObjectItemCaseSensitive (obj, "kernel");
        if (k == NULL)
          return bad (c, n->name, "needs a kernel");
        if ((st = get_pair (c, obj, n->name, "kernel", 1, 1, NN_MAX_KERNEL, n->kernel)) < 0)
          return st;
        if (cJSON_GetObjectItemCaseSensitive (obj, "stride") == NULL)
          {
            n->stride[0] = n->kernel[0];
            n->stride[1] = n->kernel[1];
          }
        /* PyTorch: padding at most half the kernel. */
        if (2 * n->pad[0] > n->kernel[0] || 2 * n->pad[1] > n->kernel[1])
          return bad (c, n->name, "padding must be at most half the kernel");
      }
      break;
    case NN_CORRELATION:
      if (cJSON_GetObjectItemCaseSensitive (obj, "radius") == NULL)
        return bad (c, n->name, "needs a radius");
      break;
    case NN_RESIZE:
      {
        const cJSON *mode = cJSON_GetObjectItemCaseSensitive (obj, "mode");
        if (!cJSON_IsString (mode) || (strcmp (mode->valuestring, "bilinear") != 0
                                       && strcmp (mode->valuestring, "nearest") != 0))
          return bad (c, n->name, "mode must be bilinear or nearest");
        n->nearest = strcmp (mode->valuestring, "nearest") == 0;
        if (n->n_in == 2 && cJSON_GetObjectItemCaseSensitive (obj, "scale") != NULL)
          return bad (c, n->name, "takes either scale or a second input giving the size");
        if (n->n_in == 1)
          {
            if (cJSON_GetObjectItemCaseSensitive (obj, "scale") == NULL)
              return bad (c, n->name, "needs a scale or a second input giving the size");
            if ((st = get_pair (c, obj, n->name, "scale", 1, 1, 16, n->scale)) < 0)
              return st;
          }
      }
      break;
    default:
      break;
    }
  return infer_channels (c, g, n);
}

static int
parse_names (parse_ctx *c, const cJSON *arr, const char *what)
{
  if (!cJSON_IsArray (arr) || cJSON_GetArraySize (arr) < 1 || cJSON_GetArraySize (arr) > 64)
    return tinta_fail (c->err, TINTA_ERR_INVALID_DATA, c->path, "graph has no %s", what);
  return TINTA_OK;
}

int
nn_graph_parse (const char *json, const tinta_safetensors *st, const char *path,
                const char *prefix, nn_graph *g, tinta_error *err)
{
  parse_ctx c = { st, path, err, NULL };
  cJSON *root = NULL;
  int status = TINTA_OK;

  memset (g, 0, sizeof *g);
  if (json == NULL)
    return tinta_fail (err, TINTA_ERR_INVALID_DATA, path, "no tinta.graph in the metadata");
  if (!json_depth_ok (json, MAX_GRAPH_DEPTH))
    return tinta_fail (err, TINTA_ERR_INVALID_DATA, path, "tinta.graph is nested too deeply");
  root = cJSON_ParseWithOpts (json, NULL, 1);
  if (root == NULL || !cJSON_IsObject (root))
    {
      cJSON_Delete (root);
      return tinta_fail (err, TINTA_ERR_INVALID_DATA, path, "tinta.graph is not a JSON object");
    }
  c.used = calloc (tinta_safetensors_count (st) + 1, 1);
  if (c.used == NULL)
    {
      status = tinta_fail (err, TINTA_ERR_NO_MEMORY, path, "out of memory");
      goto out;
    }

  const cJSON *inputs = cJSON_GetObjectItemCaseSensitive (root, "inputs");
  const cJSON *outputs = cJSON_GetObjectItemCaseSensitive (root, "outputs");
  const cJSON *nodes = cJSON_GetObjectItemCaseSensitive (root, "nodes");
  if ((status = parse_names (&c, inputs, "inputs")) < 0
      || (status = parse_names (&c, outputs, "outputs")) < 0)
    goto out;
  if (!cJSON_IsArray (nodes) || cJSON_GetArraySize (nodes) < 1
      || cJSON_GetArraySize (nodes) > MAX_NODES)
    {
      status = tinta_fail (err, TINTA_ERR_INVALID_DATA, path, "graph has no nodes (or too many)");
      goto out;
    }

  int ni = cJSON_GetArraySize (inputs);
  g->input_names = calloc ((size_t) ni, sizeof *g->input_names);
  g->input_channels = calloc ((size_t) ni, sizeof *g->input_channels);
  g->nodes = calloc ((size_t) cJSON_GetArraySize (nodes), sizeof *g->nodes);
  if (g->input_names == NULL || g->input_channels == NULL || g->nodes == NULL)
    {
      status = tinta_fail (err, TINTA_ERR_NO_MEMORY, path, "out of memory");
      goto out;
    }
  for (int i = 0; i < ni; i++)
    {
      const cJSON *e = cJSON_GetArrayItem (inputs, i);
      const cJSON *nm = cJSON_GetObjectItemCaseSensitive (e, "name");
      const cJSON *ch = cJSON_GetObjectItemCaseSensitive (e, "channels");
      if (!cJSON_IsString (nm) || nm->valuestring[0] == '\0' || !cJSON_IsNumber (ch)
          || ch->valuedouble != floor (ch->valuedouble) || ch->valuedouble < 1
          || ch->valuedouble > NN_MAX_CHANNELS || nn_graph_find (g, nm->valuestring) >= 0)
        {
          status = tinta_fail (err, TINTA_ERR_INVALID_DATA, path,
                               "graph input %d needs a unique name and 1..%d channels", i,
                               NN_MAX_CHANNELS);
          goto out;
        }
      g->input_names[i] = strdup (nm->valuestring);
      g->input_channels[i] = (int) ch->valuedouble;
      g->n_inputs++;
      if (g->input_names[i] == NULL)
        {
          status = tinta_fail (err, TINTA_ERR_NO_MEMORY, path, "out of memory");
          goto out;
        }
    }
  for (int i = 0; i < cJSON_GetArraySize (nodes); i++)
    {
      status = parse_node (&c, g, cJSON_GetArrayItem (nodes, i), &g->nodes[i]);
      g->n_nodes++;   /* counted even on failure, so clear() frees it */
      if (status < 0)
        goto out;
    }
  int no = cJSON_GetArraySize (outputs);
  g->outputs = calloc ((size_t) no, sizeof *g->outputs);
  if (g->outputs == NULL)
    {
      status = tinta_fail (err, TINTA_ERR_NO_MEMORY, path, "out of memory");
      goto out;
    }
  for (int i = 0; i < no; i++)
    {
      const cJSON *e = cJSON_GetArrayItem (outputs, i);
      int v = cJSON_IsString (e) ? nn_graph_find (g, e->valuestring) : -1;
      if (v < g->n_inputs)
        {
          status = tinta_fail (err, TINTA_ERR_INVALID_DATA, path,
                               "graph output %d does not name a node", i);
          goto out;
        }
      g->outputs[g->n_outputs++] = v;
    }
  size_t plen = prefix ? strlen (prefix) : 0;
  for (size_t i = 0; i < tinta_safetensors_count (st); i++)
    if (!c.used[i] && strncmp (tinta_safetensors_at (st, i)->name, prefix ? prefix : "", plen) == 0)
      {
        status = tinta_fail (err, TINTA_ERR_INVALID_DATA, path,
                             "tensor '%s' is not used by the graph",
                             tinta_safetensors_at (st, i)->name);
        goto out;
      }
out:
  free (c.used);
  cJSON_Delete (root);
  if (status < 0)
    nn_graph_clear (g);
  return status;
}

void
nn_graph_clear (nn_graph *g)
{
  if (g == NULL)
    return;
  for (int i = 0; i < g->n_inputs; i++)
    free (g->input_names[i]);
  for (int i = 0; i < g->n_nodes; i++)
    {
      free (g->nodes[i].name);
      tinta_free_aligned (g->nodes[i].weight.data);
      tinta_free_aligned (g->nodes[i].bias.data);
    }
  free (g->input_names);
  free (g->input_channels);
  free (g->nodes);
  free (g->outputs);
  memset (g, 0, sizeof *g);
}
