/* libFuzzer target of the weight-file loader: any bytes must come back
 * either refused (a status, a message, no handle) or as tensors that keep
 * every promise safetensors.h makes, read here to the last byte so that
 * ASan sees any out-of-bounds pointer. Built and run by run-fuzz.sh. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "nn/safetensors.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Converting more would only slow the fuzzer; the bounds are checked
 * for every tensor anyway. */
#define CONVERT_MAX 65536

static void
check_tensor (const tinta_safetensors *st, const tinta_tensor *t, const uint8_t *data,
              size_t size)
{
  static float out[CONVERT_MAX];
  const uint8_t *p = t->data;
  int64_t numel = 1;

  if (t->name == NULL || t->name[0] == '\0' || tinta_safetensors_find (st, t->name) != t)
    abort ();
  if (t->ndim < 0 || t->ndim > TINTA_ST_MAX_DIMS)
    abort ();
  for (int d = 0; d < t->ndim; d++)
    if (t->shape[d] < 0 || __builtin_mul_overflow (numel, t->shape[d], &numel))
      abort ();
  if (numel != t->numel || (uint64_t) numel * tinta_dtype_size (t->dtype) != t->nbytes)
    abort ();
  if (p < data || t->nbytes > size || p + t->nbytes > data + size)
    abort ();
  if (t->numel <= CONVERT_MAX)
    tinta_tensor_to_f32 (t, out);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  tinta_safetensors *st = NULL;
  tinta_error err = { 0 };

  if (tinta_safetensors_open_memory (data, size, "fuzz", &st, &err) < 0)
    {
      if (st != NULL || err.message[0] == '\0' || strlen (err.message) >= sizeof err.message)
        abort ();
      return 0;
    }
  size_t n = tinta_safetensors_count (st);
  for (size_t i = 0; i < n; i++)
    check_tensor (st, tinta_safetensors_at (st, i), data, size);
  if (tinta_safetensors_at (st, n) != NULL)
    abort ();
  const char *graph = tinta_safetensors_metadata (st, "tinta.graph");
  if (graph != NULL)
    (void) strlen (graph);
  tinta_safetensors_free (st);
  return 0;
}
