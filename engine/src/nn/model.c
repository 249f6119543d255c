/* Loading a model file: safetensors + graph metadata -> tinta_nn_model,
 * and the process-wide oneDNN engine. */
#include <pthread.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "nn/nn_internal.h"

#define TINTA_GRAPH_VERSION 1

static dnnl_engine_t engine;
static dnnl_status_t engine_status = dnnl_runtime_error;

static void
engine_init (void)
{
  engine_status = dnnl_engine_create (&engine, dnnl_cpu, 0);
}

dnnl_engine_t
nn_engine (void)
{
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once (&once, engine_init);
  return engine_status == dnnl_success ? engine : NULL;
}

int
nn_dnnl_fail (tinta_error *err, const char *path, dnnl_status_t s, const char *what,
              const char *node)
{
  const char *why;
  switch (s)
    {
    case dnnl_out_of_memory: why = "out of memory"; break;
    case dnnl_invalid_arguments: why = "invalid arguments"; break;
    case dnnl_unimplemented: why = "no implementation for these shapes on this CPU"; break;
    default: why = "oneDNN error"; break;
    }
  return tinta_fail (err, s == dnnl_out_of_memory ? TINTA_ERR_NO_MEMORY : TINTA_ERR_INTERNAL,
                     path, "%s for layer '%s' failed: %s (status %d)", what,
                     node ? node : "?", why, (int) s);
}

int
tinta_nn_cpu_has_bf16 (void)
{
  dnnl_cpu_isa_t isa = dnnl_get_effective_cpu_isa ();
  /* ISA values are bit masks that contain their predecessors. */
  return (isa & dnnl_cpu_isa_avx512_core_bf16) == dnnl_cpu_isa_avx512_core_bf16;
}

/* A bundle (docs/model-format.md) holds several networks: tinta.parts
 * lists them; part P has tinta.part.P.arch and tinta.part.P.graph, and its
 * weights are named "P/...".  The part is chosen by the expected arch. */
#define MAX_PARTS 8

static int
find_part (tinta_nn_model *m, const char *parts, const char *expect_arch, char *name,
           size_t size, tinta_error *err)
{
  if (expect_arch == NULL)
    return tinta_fail (err, TINTA_ERR_INVALID_DATA, m->path,
                       "the file is a bundle of networks (%s): name the one to load", parts);
  const char *p = parts;
  for (int i = 0; i < MAX_PARTS && *p; i++)
    {
      size_t len = strcspn (p, ",");
      if (len == 0 || len >= size || len > 32)
        break;
      memcpy (name, p, len);
      name[len] = '\0';
      for (size_t k = 0; k < len; k++)
        if (!(isalnum ((unsigned char) name[k]) || name[k] == '_' || name[k] == '-'))
          return tinta_fail (err, TINTA_ERR_INVALID_DATA, m->path, "bad part name in tinta.parts");
      char key[96];
      snprintf (key, sizeof key, "tinta.part.%s.arch", name);
      const char *arch = tinta_safetensors_metadata (m->st, key);
      if (arch == NULL)
        return tinta_fail (err, TINTA_ERR_INVALID_DATA, m->path, "bundle part '%s' has no arch",
                           name);
      if (strcmp (arch, expect_arch) == 0)
        return TINTA_OK;
      p += len;
      if (*p == ',')
        p++;
    }
  return tinta_fail (err, TINTA_ERR_INVALID_DATA, m->path,
                     "the bundle (%.200s) has no '%s' network", parts, expect_arch);
}

static int
finish_load (tinta_nn_model *m, const char *expect_arch, tinta_error *err)
{
  const char *arch = tinta_safetensors_metadata (m->st, "tinta.arch");
  const char *version = tinta_safetensors_metadata (m->st, "tinta.version");
  if (arch == NULL || version == NULL)
    return tinta_fail (err, TINTA_ERR_INVALID_DATA, m->path,
                       "not a Tinta model (no tinta.arch / tinta.version metadata)");
  char *end = NULL;
  long v = strtol (version, &end, 10);
  if (end == version || *end != '\0' || v != TINTA_GRAPH_VERSION)
    return tinta_fail (err, TINTA_ERR_INVALID_DATA, m->path,
                       "model format version '%s' is not supported (this build reads %d)",
                       version, TINTA_GRAPH_VERSION);
  const char *parts = tinta_safetensors_metadata (m->st, "tinta.parts");
  const char *graph_key = "tinta.graph";
  char part[40], key[96], prefix[48];
  if (parts != NULL)
    {
      int st = find_part (m, parts, expect_arch, part, sizeof part, err);
      if (st < 0)
        return st;
      snprintf (key, sizeof key, "tinta.part.%s.graph", part);
      snprintf (prefix, sizeof prefix, "%s/", part);
      graph_key = key;
      arch = expect_arch;
    }
  else if (expect_arch != NULL && strcmp (arch, expect_arch) != 0)
    return tinta_fail (err, TINTA_ERR_INVALID_DATA, m->path,
                       "model is a '%s', expected a '%s'", arch, expect_arch);
  m->arch = strdup (arch);
  if (m->arch == NULL)
    return tinta_fail (err, TINTA_ERR_NO_MEMORY, m->path, "out of memory");
  return nn_graph_parse (tinta_safetensors_metadata (m->st, graph_key), m->st, m->path,
                         parts ? prefix : NULL, &m->graph, err);
}

static int
load_common (tinta_nn_model *m, const char *expect_arch, tinta_nn_model **out, tinta_error *err,
             int st)
{
  if (st == TINTA_OK)
    st = finish_load (m, expect_arch, err);
  if (st < 0)
    {
      tinta_nn_model_free (m);
      return st;
    }
  *out = m;
  return TINTA_OK;
}

int
tinta_nn_model_load (const char *path, const char *expect_arch, tinta_nn_model **out,
                     tinta_error *err)
{
  *out = NULL;
  tinta_nn_model *m = calloc (1, sizeof *m);
  if (m == NULL || (m->path = strdup (path ? path : "")) == NULL)
    {
      free (m);
      return tinta_fail (err, TINTA_ERR_NO_MEMORY, path, "out of memory");
    }
  return load_common (m, expect_arch, out, err, tinta_safetensors_open (path, &m->st, err));
}

int
tinta_nn_model_load_memory (const void *data, size_t size, const char *name,
                            const char *expect_arch, tinta_nn_model **out, tinta_error *err)
{
  *out = NULL;
  tinta_nn_model *m = calloc (1, sizeof *m);
  if (m == NULL || (m->path = strdup (name ? name : "(memory)")) == NULL)
    {
      free (m);
      return tinta_fail (err, TINTA_ERR_NO_MEMORY, name, "out of memory");
    }
  return load_common (m, expect_arch, out, err,
                      tinta_safetensors_open_memory (data, size, m->path, &m->st, err));
}

void
tinta_nn_model_free (tinta_nn_model *m)
{
  if (m == NULL)
    return;
  nn_graph_clear (&m->graph);
  tinta_safetensors_free (m->st);
  free (m->arch);
  free (m->path);
  free (m);
}

const char *
tinta_nn_model_arch (const tinta_nn_model *m)
{
  return m ? m->arch : NULL;
}

const char *
tinta_nn_model_metadata (const tinta_nn_model *m, const char *key)
{
  return m ? tinta_safetensors_metadata (m->st, key) : NULL;
}

int
tinta_nn_model_n_inputs (const tinta_nn_model *m)
{
  return m->graph.n_inputs;
}

const char *
tinta_nn_model_input_name (const tinta_nn_model *m, int i)
{
  if (i < 0 || i >= m->graph.n_inputs)
    return NULL;
  return m->graph.input_names[i];
}

int
tinta_nn_model_n_outputs (const tinta_nn_model *m)
{
  return m->graph.n_outputs;
}

const char *
tinta_nn_model_output_name (const tinta_nn_model *m, int i)
{
  if (i < 0 || i >= m->graph.n_outputs)
    return NULL;
  return nn_graph_value_name (&m->graph, m->graph.outputs[i]);
}
