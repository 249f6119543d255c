/* Writing safetensors files (tools, tests, training exports from C):
 * float32 tensors stored as F32, F16 or BF16 with round-to-nearest-even,
 * a compact JSON header built with cJSON and padded to 8 bytes, written
 * atomically. Every file is re-read with the validating reader before it
 * is written, so the writer can never produce what the reader refuses.
 * Split from safetensors.c, which reads. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "core/fileutil.h"
#include "core/bf16.h"
#include "core/internal.h"
#include "nn/safetensors.h"

#define METADATA_KEY "__metadata__"
#define MAX_EXACT_INTEGER 9007199254740992.0

static void
store_le64 (unsigned char *p, uint64_t v)
{
  for (int i = 0; i < 8; i++)
    p[i] = (unsigned char) (v >> (8 * i));
}

static uint32_t
float_bits (float f)
{
  uint32_t u;
  memcpy (&u, &f, sizeof u);
  return u;
}

/* Round to nearest, ties to even, as IEEE 754 and PyTorch's .half(). */
static uint16_t
f32_to_f16 (float f)
{
  uint32_t x = float_bits (f);
  uint16_t sign = (uint16_t) ((x >> 16) & 0x8000u);
  uint32_t magnitude = x & 0x7fffffffu;

  if (magnitude > 0x7f800000u)   /* NaN: stays a quiet NaN */
    return (uint16_t) (sign | 0x7e00u | ((magnitude >> 13) & 0x3ffu));
  if (magnitude >= 0x477ff000u)  /* 65520 and above round to infinity */
    return (uint16_t) (sign | 0x7c00u);
  if (magnitude >= 0x38800000u)  /* normal in F16 (>= 2^-14) */
    {
      uint32_t rebiased = magnitude - 0x38000000u;
      return (uint16_t) (sign | ((rebiased + 0xfffu + ((rebiased >> 13) & 1u)) >> 13));
    }
  /* Subnormal in F16: round (significand * 2^(e - 126)) to an integer
   * number of 2^-24 units; a carry into 0x400 is the smallest normal. */
  uint32_t exponent = magnitude >> 23;
  uint32_t shift = 126u - exponent;
  if (exponent == 0 || shift > 24u)
    return sign;
  uint32_t significand = (magnitude & 0x7fffffu) | 0x800000u;
  uint32_t q = significand >> shift;
  uint32_t rest = significand & ((1u << shift) - 1u);
  uint32_t half = 1u << (shift - 1u);
  if (rest > half || (rest == half && (q & 1u)))
    q++;
  return (uint16_t) (sign | q);
}

/* ---- Writer ------------------------------------------------------------ */

/* Adds to an array or object, freeing the item if that fails (cJSON
 * leaves it to the caller). */
static bool
json_add (cJSON *parent, const char *key, cJSON *item)
{
  if (item == NULL)
    return false;
  bool ok = key != NULL ? cJSON_AddItemToObject (parent, key, item)
                        : cJSON_AddItemToArray (parent, item);
  if (!ok)
    cJSON_Delete (item);
  return ok;
}

/* Integers as raw text: cJSON would print 1e15 as "1e+15", which readers
 * that parse offsets as integers (the reference Rust crate) refuse. */
static bool
json_add_uint (cJSON *array, uint64_t v)
{
  char text[24];
  snprintf (text, sizeof text, "%" PRIu64, v);
  return json_add (array, NULL, cJSON_CreateRaw (text));
}

/* Checks what the writer itself relies on; the rest (names unique,
 * non-empty, UTF-8...) the reader checks on the finished bytes. */
static int
check_write_args (const tinta_tensor_f32 *tensors, size_t n, tinta_dtype dtype,
                  const char *const *metadata_kv, size_t n_kv, uint64_t *data_bytes,
                  const char *path, tinta_error *err)
{
  const int bad = TINTA_ERR_INVALID_ARGUMENT;
  if ((n > 0 && tensors == NULL) || (n_kv > 0 && metadata_kv == NULL))
    return tinta_fail (err, bad, path, "no tensors or no metadata given");
  if (tinta_dtype_size (dtype) == 0)
    return tinta_fail (err, bad, path, "unknown dtype %d", (int) dtype);
  for (size_t i = 0; i < 2 * n_kv; i++)
    if (metadata_kv[i] == NULL)
      return tinta_fail (err, bad, path, "metadata string %zu is missing", i);
  *data_bytes = 0;
  for (size_t i = 0; i < n; i++)
    {
      const tinta_tensor_f32 *t = &tensors[i];
      int64_t numel = 1, nbytes;
      if (t->name == NULL)
        return tinta_fail (err, bad, path, "tensor %zu has no name", i);
      if (t->ndim < 0 || t->ndim > TINTA_ST_MAX_DIMS || (t->ndim > 0 && t->shape == NULL))
        return tinta_fail (err, bad, path, "tensor '%s': %d dimensions", t->name, t->ndim);
      for (int d = 0; d < t->ndim; d++)
        if (t->shape[d] < 0 || __builtin_mul_overflow (numel, t->shape[d], &numel))
          return tinta_fail (err, bad, path, "tensor '%s': invalid shape", t->name);
      if (__builtin_mul_overflow (numel, (int64_t) tinta_dtype_size (dtype), &nbytes)
          || __builtin_add_overflow (*data_bytes, (uint64_t) nbytes, data_bytes)
          || (double) *data_bytes > MAX_EXACT_INTEGER)
        return tinta_fail (err, TINTA_ERR_TOO_LARGE, path, "tensor '%s' is too large", t->name);
      if (numel > 0 && t->data == NULL)
        return tinta_fail (err, bad, path, "tensor '%s' has no data", t->name);
    }
  return TINTA_OK;
}

static cJSON *
build_header (const tinta_tensor_f32 *tensors, size_t n, tinta_dtype dtype,
              const char *const *metadata_kv, size_t n_kv)
{
  cJSON *root = cJSON_CreateObject ();
  uint64_t offset = 0;
  if (root == NULL)
    return NULL;
  if (n_kv > 0)
    {
      cJSON *meta = cJSON_CreateObject ();
      if (!json_add (root, METADATA_KEY, meta))
        goto fail;
      for (size_t i = 0; i < n_kv; i++)
        if (!json_add (meta, metadata_kv[2 * i], cJSON_CreateString (metadata_kv[2 * i + 1])))
          goto fail;
    }
  for (size_t i = 0; i < n; i++)
    {
      const tinta_tensor_f32 *t = &tensors[i];
      cJSON *entry = cJSON_CreateObject ();
      uint64_t numel = 1;
      if (!json_add (root, t->name, entry)
          || cJSON_AddStringToObject (entry, "dtype", tinta_dtype_name (dtype)) == NULL)
        goto fail;
      cJSON *shape = cJSON_CreateArray ();
      if (!json_add (entry, "shape", shape))
        goto fail;
      for (int d = 0; d < t->ndim; d++)
        {
          numel *= (uint64_t) t->shape[d];   /* checked in check_write_args */
          if (!json_add_uint (shape, (uint64_t) t->shape[d]))
            goto fail;
        }
      uint64_t end = offset + numel * tinta_dtype_size (dtype);
      cJSON *offsets = cJSON_CreateArray ();
      if (!json_add (entry, "data_offsets", offsets) || !json_add_uint (offsets, offset)
          || !json_add_uint (offsets, end))
        goto fail;
      offset = end;
    }
  return root;

fail:
  cJSON_Delete (root);
  return NULL;
}

static void
store_tensor (unsigned char *dst, const float *src, size_t numel, tinta_dtype dtype)
{
  for (size_t i = 0; i < numel; i++)
    {
      uint32_t u = dtype == TINTA_DT_F32 ? float_bits (src[i])
                   : dtype == TINTA_DT_F16 ? f32_to_f16 (src[i]) : tinta_f32_to_bf16 (src[i]);
      for (size_t b = 0; b < tinta_dtype_size (dtype); b++)
        *dst++ = (unsigned char) (u >> (8 * b));
    }
}

int
tinta_safetensors_write (const char *path, const tinta_tensor_f32 *tensors, size_t n,
                         tinta_dtype dtype, const char *const *metadata_kv, size_t n_kv,
                         tinta_error *err)
{
  uint64_t data_bytes = 0;
  int status = check_write_args (tensors, n, dtype, metadata_kv, n_kv, &data_bytes, path, err);
  if (status < 0)
    return status;

  cJSON *root = build_header (tensors, n, dtype, metadata_kv, n_kv);
  char *json = root != NULL ? cJSON_PrintUnformatted (root) : NULL;
  cJSON_Delete (root);
  if (json == NULL)
    return tinta_fail (err, TINTA_ERR_NO_MEMORY, path, "out of memory building the header");

  /* Spaces pad the header so the data block starts 8-byte aligned. */
  size_t json_len = strlen (json);
  size_t header_len = (json_len + 7) & ~(size_t) 7;
  size_t total = 0;
  unsigned char *buf = NULL;
  if (header_len > TINTA_ST_MAX_HEADER)
    status = tinta_fail (err, TINTA_ERR_TOO_LARGE, path,
                         "header of %zu bytes is more than the %u-byte limit", header_len,
                         TINTA_ST_MAX_HEADER);
  else if (data_bytes <= SIZE_MAX - 8 - header_len)
    {
      total = 8 + header_len + (size_t) data_bytes;
      buf = malloc (total);
    }
  if (status == TINTA_OK && buf == NULL)
    status = tinta_fail (err, TINTA_ERR_NO_MEMORY, path, "out of memory writing the file");
  if (status < 0)
    {
      cJSON_free (json);
      return status;
    }

  store_le64 (buf, header_len);
  memcpy (buf + 8, json, json_len);
  memset (buf + 8 + json_len, ' ', header_len - json_len);
  cJSON_free (json);
  unsigned char *p = buf + 8 + header_len;
  for (size_t i = 0; i < n; i++)
    {
      size_t numel = 1;
      for (int d = 0; d < tensors[i].ndim; d++)
        numel *= (size_t) tensors[i].shape[d];
      store_tensor (p, tensors[i].data, numel, dtype);
      p += numel * tinta_dtype_size (dtype);
    }

  /* Whatever the reader would refuse is the caller's mistake. */
  tinta_safetensors *check = NULL;
  tinta_error why = { 0 };
  status = tinta_safetensors_open_memory (buf, total, path, &check, &why);
  tinta_safetensors_free (check);
  if (status < 0)
    status = tinta_fail (err, status == TINTA_ERR_INVALID_DATA ? TINTA_ERR_INVALID_ARGUMENT
                                                                : status,
                         path, "would not read back: %s", why.message);
  else
    status = tinta_write_file_atomic (path, buf, total, err);
  free (buf);
  return status;
}
