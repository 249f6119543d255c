/* safetensors reader: the weight-file format of every Tinta network.
 *
 * Format (https://github.com/huggingface/safetensors): 8-byte little-endian
 * header length N, N bytes of UTF-8 JSON
 *   {"__metadata__": {"key": "string", ...},
 *    "name": {"dtype": "F32"|"F16"|"BF16", "shape": [d0, ...],
 *             "data_offsets": [begin, end]}, ...}
 * then the data block; offsets are relative to its start.
 *
 * Everything is validated before any tensor is handed out (a weight file
 * is untrusted input: it may come from anywhere): header length within the
 * file and at most TINTA_ST_MAX_HEADER; JSON strict, valid UTF-8, nesting
 * at most TINTA_ST_MAX_DEPTH; every entry an object with exactly a known
 * dtype, a shape of at most TINTA_ST_MAX_DIMS non-negative integers whose
 * product times the dtype size does not overflow and equals end - begin,
 * and 0 <= begin <= end <= data block size; names unique and non-empty;
 * tensors do not overlap and cover the data block without holes (as the
 * format requires); metadata values are strings. Failures return
 * TINTA_ERR_INVALID_DATA (or TRUNCATED when the file is shorter than its
 * header says, TOO_LARGE past the limits) with a message naming the tensor.
 *
 * The file is memory-mapped read-only; tensors point into the mapping.
 *
 * Thread safety: an opened file is immutable; share it freely. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include "tinta/status.h"

#define TINTA_ST_MAX_HEADER   (64u << 20)   /* 64 MiB of JSON */
#define TINTA_ST_MAX_DEPTH    16            /* __metadata__ needs 2 */
#define TINTA_ST_MAX_DIMS     8
#define TINTA_ST_MAX_TENSORS  100000

typedef enum {
  TINTA_DT_F32 = 0,
  TINTA_DT_F16,
  TINTA_DT_BF16,
} tinta_dtype;

typedef struct {
  const char   *name;
  tinta_dtype   dtype;
  int           ndim;
  int64_t       shape[TINTA_ST_MAX_DIMS];
  int64_t       numel;
  const void   *data;      /* inside the mapping; not necessarily aligned */
  size_t        nbytes;
} tinta_tensor;

typedef struct tinta_safetensors tinta_safetensors;

int  tinta_safetensors_open (const char *path, tinta_safetensors **out, tinta_error *err);
/* Same checks on a buffer the caller keeps alive (tests, fuzzing). */
int  tinta_safetensors_open_memory (const void *data, size_t size, const char *name,
                                    tinta_safetensors **out, tinta_error *err);
void tinta_safetensors_free (tinta_safetensors *st);   /* accepts NULL */

size_t              tinta_safetensors_count (const tinta_safetensors *st);
const tinta_tensor *tinta_safetensors_at (const tinta_safetensors *st, size_t i);
const tinta_tensor *tinta_safetensors_find (const tinta_safetensors *st, const char *name);
/* A __metadata__ value, or NULL. */
const char         *tinta_safetensors_metadata (const tinta_safetensors *st, const char *key);

size_t tinta_dtype_size (tinta_dtype dtype);
const char *tinta_dtype_name (tinta_dtype dtype);

/* Converts a tensor's elements to float32 (exact for F16 and BF16). */
void tinta_tensor_to_f32 (const tinta_tensor *t, float *dst);

/* Writes a safetensors file atomically (tools and tests): tensors given as
 * float32 arrays, stored as `dtype` (F32, F16 round-to-nearest-even, BF16
 * round-to-nearest-even); metadata as key/value string pairs. */
typedef struct {
  const char    *name;
  int            ndim;
  const int64_t *shape;
  const float   *data;
} tinta_tensor_f32;

int tinta_safetensors_write (const char *path, const tinta_tensor_f32 *tensors, size_t n,
                             tinta_dtype dtype, const char *const *metadata_kv, size_t n_kv,
                             tinta_error *err);
