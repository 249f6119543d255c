/* safetensors reader and writer: the weight files of every Tinta network.
 *
 * A weight file is untrusted input (downloaded, shared, hand-edited), so
 * nothing in it is believed before it is checked: the header length
 * against the file and a limit, the header bytes as strict UTF-8 JSON (a
 * lexical pass here, because cJSON accepts invalid UTF-8, raw control
 * characters, "01", a BOM and "\u0000", and recurses once per bracket),
 * then every entry against safetensors.h's rules with overflow-checked
 * arithmetic, and finally that the tensors tile the data block exactly.
 * Only then does a caller see a tensor, so the graph builder and the
 * kernels may trust shapes and sizes without re-checking them.
 *
 * Check order, decided once: a file shorter than the 8-byte length field
 * is TRUNCATED; a header length above TINTA_ST_MAX_HEADER is TOO_LARGE
 * before it is compared with the file size (that claim is refused
 * whatever follows it, so "truncated" would wrongly suggest that a
 * complete download could load); a header running past the end of the
 * file is TRUNCATED; everything else is INVALID_DATA, except a tensor
 * count above TINTA_ST_MAX_TENSORS (TOO_LARGE). The writer runs this
 * reader on the bytes it built before committing them, so it never leaves
 * a file that Tinta would refuse. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include "core/fileutil.h"
#include "core/bf16.h"
#include "core/internal.h"
#include "nn/safetensors.h"

#define METADATA_KEY "__metadata__"
/* Integers beyond 2^53 do not survive cJSON's doubles. */
#define MAX_EXACT_INTEGER 9007199254740992.0

/* A name and what it names, sorted for bsearch. */
typedef struct {
  const char *name;
  const void *item;
} st_named;

struct tinta_safetensors {
  void         *map;        /* the file's mapping; NULL for open_memory */
  size_t        map_size;
  tinta_tensor *tensors;    /* in header order */
  size_t        n_tensors;
  st_named     *by_name;    /* the same tensors by name, for find */
  st_named     *meta;       /* metadata key -> value string */
  size_t        n_meta;
  char         *strings;    /* every name, key and value, NUL-terminated */
};

/* A tensor's place in the data block, for the coverage check. */
typedef struct {
  uint64_t    begin;
  uint64_t    end;
  const char *name;
} st_span;

/* ---- Bytes and numbers ------------------------------------------------ */

static uint64_t
load_le64 (const unsigned char *p)
{
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--)
    v = (v << 8) | p[i];
  return v;
}

static float
bits_float (uint32_t u)
{
  float f;
  memcpy (&f, &u, sizeof f);
  return f;
}

static float
f16_to_f32 (uint16_t h)
{
  uint32_t sign = (uint32_t) (h & 0x8000u) << 16;
  uint32_t exponent = (h >> 10) & 0x1fu;
  uint32_t mantissa = h & 0x3ffu;

  if (exponent == 0)
    {
      /* Zero or subnormal: mantissa * 2^-24, exact in float. */
      float magnitude = (float) mantissa * 0x1p-24f;
      return sign ? -magnitude : magnitude;
    }
  if (exponent == 31)   /* infinity or NaN, payload kept */
    return bits_float (sign | 0x7f800000u | (mantissa << 13));
  return bits_float (sign | ((exponent + 112u) << 23) | (mantissa << 13));
}

/* Indexed by tinta_dtype. */
static const struct {
  const char *name;
  size_t      size;
} dtypes[] = { { "F32", 4 }, { "F16", 2 }, { "BF16", 2 } };
#define N_DTYPES (sizeof dtypes / sizeof dtypes[0])

size_t
tinta_dtype_size (tinta_dtype dtype)
{
  return (unsigned) dtype < N_DTYPES ? dtypes[dtype].size : 0;
}

const char *
tinta_dtype_name (tinta_dtype dtype)
{
  return (unsigned) dtype < N_DTYPES ? dtypes[dtype].name : "unknown";
}

void
tinta_tensor_to_f32 (const tinta_tensor *t, float *dst)
{
  if (t == NULL || dst == NULL || t->numel <= 0)
    return;
  const unsigned char *p = t->data;
  size_t n = (size_t) t->numel;
  switch (t->dtype)
    {
    case TINTA_DT_F32:
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
      memcpy (dst, p, n * sizeof *dst);
#else
      for (size_t i = 0; i < n; i++, p += 4)
        dst[i] = bits_float ((uint32_t) p[0] | (uint32_t) p[1] << 8
                             | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24);
#endif
      break;
    case TINTA_DT_F16:
      for (size_t i = 0; i < n; i++, p += 2)
        dst[i] = f16_to_f32 ((uint16_t) (p[0] | p[1] << 8));
      break;
    case TINTA_DT_BF16:
      for (size_t i = 0; i < n; i++, p += 2)
        dst[i] = tinta_bf16_to_f32 ((uint16_t) (p[0] | p[1] << 8));
      break;
    default:
      break;
    }
}

/* ---- Strict lexical pass over the header ------------------------------- */

/* Offset of the first byte that is not well-formed UTF-8 (Unicode table
 * 3-7: no overlong forms, no surrogates, nothing past U+10FFFF), or n. */
static size_t
utf8_check (const unsigned char *s, size_t n)
{
  size_t i = 0;
  while (i < n)
    {
      unsigned char c = s[i];
      unsigned char lo = 0x80, hi = 0xbf;
      size_t len;
      if (c < 0x80)
        {
          i++;
          continue;
        }
      if (c >= 0xc2 && c <= 0xdf)
        len = 2;
      else if (c >= 0xe0 && c <= 0xef)
        {
          len = 3;
          if (c == 0xe0)
            lo = 0xa0;        /* overlong */
          else if (c == 0xed)
            hi = 0x9f;        /* surrogates */
        }
      else if (c >= 0xf0 && c <= 0xf4)
        {
          len = 4;
          if (c == 0xf0)
            lo = 0x90;        /* overlong */
          else if (c == 0xf4)
            hi = 0x8f;        /* past U+10FFFF */
        }
      else
        return i;
      if (n - i < len || s[i + 1] < lo || s[i + 1] > hi)
        return i;
      for (size_t k = 2; k < len; k++)
        if ((s[i + k] & 0xc0) != 0x80)
          return i;
      i += len;
    }
  return n;
}

static bool
is_json_space (unsigned char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool
is_digit (unsigned char c)
{
  return c >= '0' && c <= '9';
}

static bool
is_hex (unsigned char c)
{
  return is_digit (c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static size_t
skip_digits (const unsigned char *h, size_t n, size_t j)
{
  while (j < n && is_digit (h[j]))
    j++;
  return j;
}

/* End of the JSON number starting at h[i], or i if it is malformed (RFC
 * 8259: no leading zeros, no bare '.', no '+'; cJSON's strtod takes all). */
static size_t
number_end (const unsigned char *h, size_t n, size_t i)
{
  size_t j = i + (h[i] == '-'), k;
  if (j < n && h[j] == '0')
    j++;
  else if ((k = skip_digits (h, n, j)) > j)
    j = k;
  else
    return i;
  if (j < n && h[j] == '.')
    {
      k = j + 1;
      if ((j = skip_digits (h, n, k)) == k)
        return i;
    }
  if (j < n && (h[j] == 'e' || h[j] == 'E'))
    {
      k = j + 1 + (j + 1 < n && (h[j + 1] == '+' || h[j + 1] == '-'));
      if ((j = skip_digits (h, n, k)) == k)
        return i;
    }
  /* "01", "1.2.3", "1-2": cJSON would read a prefix and go on. */
  if (j < n && h[j] != '\0' && (is_digit (h[j]) || strchr (".eE+-", h[j]) != NULL))
    return i;
  return j;
}

/* Checks the string whose opening quote is h[*i] and leaves *i on its
 * closing quote, or on the fault; returns the fault, or NULL. */
static const char *
check_string (const unsigned char *h, size_t n, size_t *i)
{
  for (size_t j = *i + 1; j < n; j++)
    {
      const char *why = NULL;
      size_t at = j;
      if (h[j] == '"')
        {
          *i = j;
          return NULL;
        }
      if (h[j] < 0x20)
        why = "a raw control character in a string";
      else if (h[j] == '\\' && j + 1 < n && h[j + 1] == 'u')
        {
          /* cJSON reads a bad hex digit as 0, and \u0000 ends its C
           * string: either would silently shorten a name. */
          if (n - j < 6 || !is_hex (h[j + 2]) || !is_hex (h[j + 3]) || !is_hex (h[j + 4])
              || !is_hex (h[j + 5]))
            why = "a malformed \\u escape";
          else if (memcmp (h + j + 2, "0000", 4) == 0)
            why = "a \\u0000 escape";
          j += 5;
        }
      else if (h[j] == '\\' && j + 1 < n)
        {
          if (h[j + 1] == '\0' || strchr ("\"\\/bfnrt", h[j + 1]) == NULL)
            why = "an invalid escape";
          j++;
        }
      if (why != NULL)
        {
          *i = at;
          return why;
        }
    }
  return "an unterminated string";
}

/* Everything cJSON does not check, before cJSON sees a byte: UTF-8, the
 * nesting depth (its parser recurses per bracket), string escapes, number
 * syntax, and nothing but whitespace after the root object. */
static int
check_header_text (const unsigned char *h, size_t n, const char *path, tinta_error *err)
{
  size_t i = utf8_check (h, n);
  if (i < n)
    return tinta_fail (err, TINTA_ERR_INVALID_DATA, path,
                       "header is not valid UTF-8 (byte %zu of the header)", i);
  i = 0;
  while (i < n && is_json_space (h[i]))
    i++;
  if (i == n)
    return tinta_fail (err, TINTA_ERR_INVALID_DATA, path, "header holds no JSON");
  if (h[i] != '{')
    return tinta_fail (err, TINTA_ERR_INVALID_DATA, path, "header is not a JSON object");

  int depth = 0;
  for (; i < n; i++)
    {
      unsigned char c = h[i];
      if (c == '"')
        {
          const char *why = check_string (h, n, &i);
          if (why != NULL)
            return tinta_fail (err, TINTA_ERR_INVALID_DATA, path,
                               "header is not valid JSON: %s at byte %zu", why, i);
        }
      else if (c == '{' || c == '[')
        {
          if (++depth > TINTA_ST_MAX_DEPTH)
            return tinta_fail (err, TINTA_ERR_INVALID_DATA, path,
                               "header nests deeper than %d levels (byte %zu)",
                               TINTA_ST_MAX_DEPTH, i);
        }
      else if (c == '}' || c == ']')
        {
          if (--depth == 0)
            break;
        }
      else if (c == '-' || is_digit (c))
        {
          size_t end = number_end (h, n, i);
          if (end == i)
            return tinta_fail (err, TINTA_ERR_INVALID_DATA, path,
                               "header is not valid JSON: malformed number at byte %zu", i);
          i = end - 1;
        }
      else if (c < 0x20 && !is_json_space (c))
        return tinta_fail (err, TINTA_ERR_INVALID_DATA, path,
                           "header is not valid JSON: control character at byte %zu", i);
    }
  if (i >= n)
    return tinta_fail (err, TINTA_ERR_INVALID_DATA, path,
                       "header ends before its JSON object is closed");
  for (i++; i < n && is_json_space (h[i]); i++)
    ;
  if (i < n)
    return tinta_fail (err, TINTA_ERR_INVALID_DATA, path,
                       "header has data after its JSON object (byte %zu)", i);
  return TINTA_OK;
}

/* ---- Entries ----------------------------------------------------------- */

/* Reads a non-negative integer that a double holds exactly; returns a
 * reason for the message, or NULL. */
static const char *
json_uint (const cJSON *item, uint64_t *out)
{
  if (!cJSON_IsNumber (item))
    return "is not a number";
  double v = item->valuedouble;
  if (signbit (v))
    return "is negative";
  if (!(v <= MAX_EXACT_INTEGER))
    return "is larger than 2^53";
  if (v != floor (v))
    return "is not an integer";
  *out = (uint64_t) v;
  return NULL;
}

static const char *
shape_text (const int64_t *shape, int ndim, char *buf, size_t size)
{
  size_t used = (size_t) snprintf (buf, size, "[");
  for (int d = 0; d < ndim && used < size; d++)
    used += (size_t) snprintf (buf + used, size - used, "%s%" PRId64, d ? ", " : "", shape[d]);
  if (used < size)
    snprintf (buf + used, size - used, "]");
  return buf;
}

static int
parse_entry (const cJSON *entry, const char *name, size_t block_size, tinta_tensor *t,
             st_span *span, const char *path, tinta_error *err)
{
  const cJSON *dtype = NULL, *shape = NULL, *offsets = NULL;
  const char *why;
  char dims[256];

  if (!cJSON_IsObject (entry))
    return tinta_fail (err, TINTA_ERR_INVALID_DATA, path,
                       "tensor '%s': entry is not a JSON object", name);
  for (const cJSON *k = entry->child; k != NULL; k = k->next)
    {
      const cJSON **slot = NULL;
      if (strcmp (k->string, "dtype") == 0)
        slot = &dtype;
      else if (strcmp (k->string, "shape") == 0)
        slot = &shape;
      else if (strcmp (k->string, "data_offsets") == 0)
        slot = &offsets;
      else
        return tinta_fail (err, TINTA_ERR_INVALID_DATA, path,
                           "tensor '%s': unknown key '%s'", name, k->string);
      if (*slot != NULL)
        return tinta_fail (err, TINTA_ERR_INVALID_DATA, path,
                           "tensor '%s': key '%s' appears twice", name, k->string);
      *slot = k;
    }
  if (dtype == NULL || shape == NULL || offsets == NULL)
    return tinta_fail (err, TINTA_ERR_INVALID_DATA, path, "tensor '%s': no %s", name,
                       dtype == NULL ? "dtype" : shape == NULL ? "shape" : "data_offsets");

  if (!cJSON_IsString (dtype))
    return tinta_fail (err, TINTA_ERR_INVALID_DATA, path,
                       "tensor '%s': dtype is not a string", name);
  size_t k = 0;
  while (k < N_DTYPES && strcmp (dtype->valuestring, dtypes[k].name) != 0)
    k++;
  if (k == N_DTYPES)
    return tinta_fail (err, TINTA_ERR_INVALID_DATA, path,
                       "tensor '%s': unsupported dtype %s", name, dtype->valuestring);
  t->dtype = (tinta_dtype) k;

  if (!cJSON_IsArray (shape))
    return tinta_fail (err, TINTA_ERR_INVALID_DATA, path,
                       "tensor '%s': shape is not an array", name);
  int64_t numel = 1;
  t->ndim = 0;
  for (const cJSON *d = shape->child; d != NULL; d = d->next)
    {
      uint64_t dim;
      if (t->ndim == TINTA_ST_MAX_DIMS)
        return tinta_fail (err, TINTA_ERR_INVALID_DATA, path,
                           "tensor '%s': shape has more than %d dimensions", name,
                           TINTA_ST_MAX_DIMS);
      if ((why = json_uint (d, &dim)) != NULL)
        return tinta_fail (err, TINTA_ERR_INVALID_DATA, path,
                           "tensor '%s': shape[%d] %s", name, t->ndim, why);
      t->shape[t->ndim++] = (int64_t) dim;
    }
  for (int d = 0; d < t->ndim; d++)
    if (__builtin_mul_overflow (numel, t->shape[d], &numel))
      return tinta_fail (err, TINTA_ERR_INVALID_DATA, path,
                         "tensor '%s': shape %s has more elements than 64 bits count", name,
                         shape_text (t->shape, t->ndim, dims, sizeof dims));
  int64_t nbytes;
  if (__builtin_mul_overflow (numel, (int64_t) tinta_dtype_size (t->dtype), &nbytes))
    return tinta_fail (err, TINTA_ERR_INVALID_DATA, path,
                       "tensor '%s': shape %s x %s takes more bytes than 64 bits count", name,
                       shape_text (t->shape, t->ndim, dims, sizeof dims),
                       tinta_dtype_name (t->dtype));
  t->numel = numel;

  if (!cJSON_IsArray (offsets) || cJSON_GetArraySize (offsets) != 2)
    return tinta_fail (err, TINTA_ERR_INVALID_DATA, path,
                       "tensor '%s': data_offsets is not an array of two numbers", name);
  uint64_t bounds[2];
  k = 0;
  for (const cJSON *o = offsets->child; o != NULL; o = o->next, k++)
    if ((why = json_uint (o, &bounds[k])) != NULL)
      return tinta_fail (err, TINTA_ERR_INVALID_DATA, path, "tensor '%s': data_offsets[%zu] %s",
                         name, k, why);
  uint64_t begin = bounds[0], end = bounds[1];
  if (begin > end)
    return tinta_fail (err, TINTA_ERR_INVALID_DATA, path,
                       "tensor '%s': data_offsets [%" PRIu64 ", %" PRIu64 "] end before they begin",
                       name, begin, end);
  if (end - begin != (uint64_t) nbytes)
    return tinta_fail (err, TINTA_ERR_INVALID_DATA, path,
                       "tensor '%s': data_offsets [%" PRIu64 ", %" PRIu64 "] do not match "
                       "shape %s x %s = %" PRId64 " bytes", name, begin, end,
                       shape_text (t->shape, t->ndim, dims, sizeof dims),
                       tinta_dtype_name (t->dtype), nbytes);
  if (end > block_size)
    return tinta_fail (err, TINTA_ERR_INVALID_DATA, path,
                       "tensor '%s': data_offsets [%" PRIu64 ", %" PRIu64 "] run past the "
                       "%zu-byte data block", name, begin, end, block_size);
  t->nbytes = (size_t) nbytes;
  span->begin = begin;
  span->end = end;
  span->name = name;
  return TINTA_OK;
}

static int
compare_spans (const void *a, const void *b)
{
  const st_span *x = a, *y = b;
  if (x->begin != y->begin)
    return x->begin < y->begin ? -1 : 1;
  if (x->end != y->end)
    return x->end < y->end ? -1 : 1;
  return strcmp (x->name, y->name);
}

static int
compare_named (const void *a, const void *b)
{
  return strcmp (((const st_named *) a)->name, ((const st_named *) b)->name);
}

/* Sorts for find_named; returns a name that appears twice, or NULL. */
static const char *
sort_named (st_named *a, size_t n)
{
  qsort (a, n, sizeof *a, compare_named);
  for (size_t i = 1; i < n; i++)
    if (strcmp (a[i - 1].name, a[i].name) == 0)
      return a[i].name;
  return NULL;
}

static const void *
find_named (const st_named *a, size_t n, const char *name)
{
  st_named key = { name, NULL };
  const st_named *hit = n > 0 ? bsearch (&key, a, n, sizeof *a, compare_named) : NULL;
  return hit != NULL ? hit->item : NULL;
}

/* The format asks the tensors to tile the data block: in offset order,
 * each begins where the previous ended and the last ends with the file. */
static int
check_coverage (st_span *spans, size_t n, size_t block_size, const char *path,
                tinta_error *err)
{
  uint64_t covered = 0;
  qsort (spans, n, sizeof *spans, compare_spans);
  for (size_t i = 0; i < n; i++)
    {
      if (spans[i].begin < covered)
        return tinta_fail (err, TINTA_ERR_INVALID_DATA, path,
                           "tensor '%s': data_offsets [%" PRIu64 ", %" PRIu64 "] overlap "
                           "tensor '%s'", spans[i].name, spans[i].begin, spans[i].end,
                           spans[i - 1].name);
      if (spans[i].begin > covered)
        return tinta_fail (err, TINTA_ERR_INVALID_DATA, path,
                           "tensor '%s': data_offsets [%" PRIu64 ", %" PRIu64 "] leave a hole "
                           "of %" PRIu64 " bytes in the data block", spans[i].name,
                           spans[i].begin, spans[i].end, spans[i].begin - covered);
      covered = spans[i].end;
    }
  if (covered != block_size)
    return tinta_fail (err, TINTA_ERR_INVALID_DATA, path,
                       "the data block has %" PRIu64 " bytes after the last tensor",
                       (uint64_t) block_size - covered);
  return TINTA_OK;
}

static char *
copy_string (char **arena, const char *s)
{
  size_t len = strlen (s) + 1;
  char *copy = memcpy (*arena, s, len);
  *arena += len;
  return copy;
}

/* Counts tensors, metadata entries and the bytes their strings need, and
 * finds __metadata__ (checking it holds only strings). */
static int
survey_root (const cJSON *root, size_t *n_tensors, size_t *n_meta, size_t *string_bytes,
             const cJSON **meta, const char *path, tinta_error *err)
{
  *n_tensors = *n_meta = *string_bytes = 0;
  *meta = NULL;
  for (const cJSON *item = root->child; item != NULL; item = item->next)
    {
      if (strcmp (item->string, METADATA_KEY) != 0)
        {
          (*n_tensors)++;
          *string_bytes += strlen (item->string) + 1;
          continue;
        }
      if (*meta != NULL)
        return tinta_fail (err, TINTA_ERR_INVALID_DATA, path, "__metadata__ appears twice");
      if (!cJSON_IsObject (item))
        return tinta_fail (err, TINTA_ERR_INVALID_DATA, path, "__metadata__ is not an object");
      *meta = item;
      for (const cJSON *kv = item->child; kv != NULL; kv = kv->next)
        {
          if (!cJSON_IsString (kv))
            return tinta_fail (err, TINTA_ERR_INVALID_DATA, path,
                               "__metadata__ value of '%s' is not a string", kv->string);
          (*n_meta)++;
          *string_bytes += strlen (kv->string) + strlen (kv->valuestring) + 2;
        }
    }
  if (*n_tensors > TINTA_ST_MAX_TENSORS)
    return tinta_fail (err, TINTA_ERR_TOO_LARGE, path,
                       "header lists %zu tensors, more than the limit of %d", *n_tensors,
                       TINTA_ST_MAX_TENSORS);
  return TINTA_OK;
}

static int
parse_tree (tinta_safetensors *st, const cJSON *root, const unsigned char *block,
            size_t block_size, const char *path, tinta_error *err)
{
  size_t n, n_meta, string_bytes;
  const cJSON *meta;
  st_span *spans = NULL;
  char *arena;
  const char *twice;

  int status = survey_root (root, &n, &n_meta, &string_bytes, &meta, path, err);
  if (status < 0)
    return status;
  /* +1: calloc (0) may return NULL, which would read as out of memory. */
  st->tensors = calloc (n + 1, sizeof *st->tensors);
  st->by_name = calloc (n + 1, sizeof *st->by_name);
  st->meta = calloc (n_meta + 1, sizeof *st->meta);
  st->strings = malloc (string_bytes + 1);
  spans = calloc (n + 1, sizeof *spans);
  if (st->tensors == NULL || st->by_name == NULL || st->meta == NULL || st->strings == NULL
      || spans == NULL)
    {
      status = tinta_fail (err, TINTA_ERR_NO_MEMORY, path, "out of memory reading the header");
      goto out;
    }

  arena = st->strings;
  for (const cJSON *item = root->child; item != NULL; item = item->next)
    {
      if (item == meta)
        continue;
      tinta_tensor *t = &st->tensors[st->n_tensors];
      if (item->string[0] == '\0')
        {
          status = tinta_fail (err, TINTA_ERR_INVALID_DATA, path, "a tensor has an empty name");
          goto out;
        }
      t->name = copy_string (&arena, item->string);
      status = parse_entry (item, t->name, block_size, t, &spans[st->n_tensors], path, err);
      if (status < 0)
        goto out;
      t->data = block + spans[st->n_tensors].begin;
      st->by_name[st->n_tensors] = (st_named) { t->name, t };
      st->n_tensors++;
    }
  if ((twice = sort_named (st->by_name, st->n_tensors)) != NULL)
    {
      status = tinta_fail (err, TINTA_ERR_INVALID_DATA, path, "tensor name '%s' appears twice",
                           twice);
      goto out;
    }

  for (const cJSON *kv = meta != NULL ? meta->child : NULL; kv != NULL; kv = kv->next)
    {
      const char *key = copy_string (&arena, kv->string);
      st->meta[st->n_meta++] = (st_named) { key, copy_string (&arena, kv->valuestring) };
    }
  if ((twice = sort_named (st->meta, st->n_meta)) != NULL)
    {
      status = tinta_fail (err, TINTA_ERR_INVALID_DATA, path, "__metadata__ key '%s' appears twice",
                           twice);
      goto out;
    }
  status = check_coverage (spans, st->n_tensors, block_size, path, err);

out:
  free (spans);
  return status;
}

static int
parse_file (tinta_safetensors *st, const unsigned char *base, size_t size, const char *path,
            tinta_error *err)
{
  if (size < 8)
    return tinta_fail (err, TINTA_ERR_TRUNCATED, path,
                       "file is truncated: %zu bytes, less than the 8-byte header length", size);
  uint64_t header_len = load_le64 (base);
  if (header_len > TINTA_ST_MAX_HEADER)
    return tinta_fail (err, TINTA_ERR_TOO_LARGE, path,
                       "header length %" PRIu64 " is more than the %u-byte limit", header_len,
                       TINTA_ST_MAX_HEADER);
  if (header_len > size - 8)
    return tinta_fail (err, TINTA_ERR_TRUNCATED, path,
                       "file is truncated: the header says %" PRIu64 " bytes but only %zu follow",
                       header_len, size - 8);
  size_t n = (size_t) header_len;
  const unsigned char *header = base + 8;
  int status = check_header_text (header, n, path, err);
  if (status < 0)
    return status;

  /* A terminated copy: cJSON's helpers are safest on C strings. */
  char *text = malloc (n + 1);
  if (text == NULL)
    return tinta_fail (err, TINTA_ERR_NO_MEMORY, path, "out of memory reading the header");
  memcpy (text, header, n);
  text[n] = '\0';
  const char *end = NULL;
  cJSON *root = cJSON_ParseWithLengthOpts (text, n, &end, false);
  if (root == NULL)
    status = tinta_fail (err, TINTA_ERR_INVALID_DATA, path,
                         "header is not valid JSON (error at byte %td)",
                         end != NULL ? end - text : (ptrdiff_t) 0);
  else if (!cJSON_IsObject (root))
    status = tinta_fail (err, TINTA_ERR_INVALID_DATA, path, "header is not a JSON object");
  else
    status = parse_tree (st, root, header + n, size - 8 - n, path, err);
  cJSON_Delete (root);
  free (text);
  return status;
}

/* ---- Public reader API ------------------------------------------------- */

int
tinta_safetensors_open_memory (const void *data, size_t size, const char *name,
                               tinta_safetensors **out, tinta_error *err)
{
  const char *path = name != NULL ? name : "";
  if (out == NULL || (data == NULL && size > 0))
    return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, path, "no buffer or no result pointer");
  *out = NULL;
  tinta_safetensors *st = calloc (1, sizeof *st);
  if (st == NULL)
    return tinta_fail (err, TINTA_ERR_NO_MEMORY, path, "out of memory");
  int status = parse_file (st, data, size, path, err);
  if (status < 0)
    {
      tinta_safetensors_free (st);
      return status;
    }
  *out = st;
  return TINTA_OK;
}

int
tinta_safetensors_open (const char *path, tinta_safetensors **out, tinta_error *err)
{
  int is_dir = 0;
  struct stat sb;
  void *map = MAP_FAILED;

  if (out == NULL)
    return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, path, "no result pointer");
  *out = NULL;
  int status = tinta_check_input (path, &is_dir, NULL, err);
  if (status < 0)
    return status;
  if (is_dir)
    return tinta_fail (err, TINTA_ERR_INVALID_DATA, path, "is a folder, not a weight file");

  /* O_NONBLOCK: should a FIFO replace the file since the check, the
   * open must not hang; fstat then refuses it. */
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0)
    return tinta_fail (err, TINTA_ERR_IO, path, "cannot open: %s", strerror (errno));
  if (fstat (fd, &sb) != 0)
    status = tinta_fail (err, TINTA_ERR_IO, path, "cannot read: %s", strerror (errno));
  else if (!S_ISREG (sb.st_mode))
    status = tinta_fail (err, TINTA_ERR_INVALID_DATA, path, "not a regular file");
  else if (sb.st_size == 0)
    status = tinta_fail (err, TINTA_ERR_EMPTY_FILE, path, "file is empty (0 bytes)");
  else if ((uint64_t) sb.st_size > SIZE_MAX)
    status = tinta_fail (err, TINTA_ERR_TOO_LARGE, path, "file does not fit in memory");
  else if ((map = mmap (NULL, (size_t) sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0)) == MAP_FAILED)
    status = tinta_fail (err, errno == ENOMEM ? TINTA_ERR_NO_MEMORY : TINTA_ERR_IO, path,
                         "cannot map the file: %s", strerror (errno));
  close (fd);
  if (status < 0)
    return status;

  tinta_safetensors *st = calloc (1, sizeof *st);
  if (st == NULL)
    {
      munmap (map, (size_t) sb.st_size);
      return tinta_fail (err, TINTA_ERR_NO_MEMORY, path, "out of memory");
    }
  st->map = map;
  st->map_size = (size_t) sb.st_size;
  status = parse_file (st, map, st->map_size, path, err);
  if (status < 0)
    {
      tinta_safetensors_free (st);
      return status;
    }
  *out = st;
  return TINTA_OK;
}

void
tinta_safetensors_free (tinta_safetensors *st)
{
  if (st == NULL)
    return;
  if (st->map != NULL)
    munmap (st->map, st->map_size);
  free (st->tensors);
  free (st->by_name);
  free (st->meta);
  free (st->strings);
  free (st);
}

size_t
tinta_safetensors_count (const tinta_safetensors *st)
{
  return st != NULL ? st->n_tensors : 0;
}

const tinta_tensor *
tinta_safetensors_at (const tinta_safetensors *st, size_t i)
{
  return st != NULL && i < st->n_tensors ? &st->tensors[i] : NULL;
}

const tinta_tensor *
tinta_safetensors_find (const tinta_safetensors *st, const char *name)
{
  if (st == NULL || name == NULL)
    return NULL;
  return find_named (st->by_name, st->n_tensors, name);
}

const char *
tinta_safetensors_metadata (const tinta_safetensors *st, const char *key)
{
  if (st == NULL || key == NULL)
    return NULL;
  return find_named (st->meta, st->n_meta, key);
}
