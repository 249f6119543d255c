/* The weight-file reader and writer: round trips in every dtype against
 * roundings computed independently (Python's exact fractions and
 * struct 'e'), files written by hand, and every kind of malformed file
 * with its exact status, through both the mmap and the memory entry
 * points. All files are built here as bytes; no binary fixtures. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "testutil.h"
#include "tinta-test.h"
#include "nn/safetensors.h"

static char *dir;
static int n_malformed;

typedef struct {
  unsigned char *p;
  size_t         n;
} blob;

static void
put_le64 (unsigned char *p, uint64_t v)
{
  for (int i = 0; i < 8; i++)
    p[i] = (unsigned char) (v >> (8 * i));
}

/* The length field says `claimed`; `header` and `data_len` bytes of a
 * counting pattern follow. */
static blob
make_raw (uint64_t claimed, const void *header, size_t header_len, size_t data_len)
{
  blob b = { malloc (8 + header_len + data_len + 1), 8 + header_len + data_len };
  put_le64 (b.p, claimed);
  memcpy (b.p + 8, header, header_len);
  for (size_t i = 0; i < data_len; i++)
    b.p[8 + header_len + i] = (unsigned char) i;
  return b;
}

static blob
make_file (const char *json, size_t data_len)
{
  return make_raw (strlen (json), json, strlen (json), data_len);
}

static char *
read_all (const char *path, size_t *size)
{
  long long n = tu_file_size (path);
  FILE *f = fopen (path, "rb");
  char *buf = malloc ((size_t) (n > 0 ? n : 1));
  *size = f != NULL ? fread (buf, 1, (size_t) n, f) : 0;
  if (f != NULL)
    fclose (f);
  return buf;
}

/* Both entry points must refuse the bytes with `status`, give a message
 * (containing `needle` if given) and no handle. Frees b. */
static void
expect_bad (const char *label, blob b, int status, const char *needle)
{
  char path[4200];
  tinta_error err = { 0 };
  /* Not NULL, so the test sees that a refusal resets it. */
  tinta_safetensors *st = (tinta_safetensors *) &err;

  n_malformed++;
  int got = tinta_safetensors_open_memory (b.p, b.n, label, &st, &err);
  CHECK_MSG (got == status, "%s: got %d (%s: %s), expected %d (%s)", label, got,
             tinta_status_str (got), err.message, status, tinta_status_str (status));
  CHECK_MSG (st == NULL, "%s: a handle came back", label);
  CHECK_MSG (err.message[0] != '\0', "%s: no message", label);
  CHECK_MSG (strcmp (err.path, label) == 0, "%s: error names '%s'", label, err.path);
  if (needle != NULL)
    CHECK_MSG (strstr (err.message, needle) != NULL, "%s: message '%s' lacks '%s'", label,
               err.message, needle);
  tinta_safetensors_free (st);
  if (getenv ("TINTA_TEST_VERBOSE") != NULL)
    printf ("%-26s %-26s %s\n", label, tinta_status_str (got), err.message);

  snprintf (path, sizeof path, "%s/%s.safetensors", dir, label);
  tu_write_file (path, b.p, b.n);
  memset (&err, 0, sizeof err);
  st = (tinta_safetensors *) &err;
  got = tinta_safetensors_open (path, &st, &err);
  CHECK_MSG (got == status, "%s (file): got %d (%s: %s), expected %d", label, got,
             tinta_status_str (got), err.message, status);
  CHECK_MSG (st == NULL && err.message[0] != '\0' && strcmp (err.path, path) == 0,
             "%s (file): handle, message or path wrong", label);
  tinta_safetensors_free (st);
  free (b.p);
}

static void
expect_bad_json (const char *label, const char *json, size_t data_len, int status,
                 const char *needle)
{
  expect_bad (label, make_file (json, data_len), status, needle);
}

/* A header of `prefix`, `depth` copies of `open`, then `close`s. */
static char *
nested (const char *prefix, size_t depth, char open, char close, const char *suffix)
{
  size_t np = strlen (prefix), ns = strlen (suffix);
  char *s = malloc (np + 2 * depth + ns + 1);
  memcpy (s, prefix, np);
  memset (s + np, open, depth);
  memset (s + np + depth, close, depth);
  memcpy (s + np + 2 * depth, suffix, ns + 1);
  return s;
}

static void
test_malformed (void)
{
  char path[4200];
  tinta_error err = { 0 };
  tinta_safetensors *st = NULL;

  /* The file itself. */
  snprintf (path, sizeof path, "%s/missing.safetensors", dir);
  CHECK_STATUS (tinta_safetensors_open (path, &st, &err), TINTA_ERR_NOT_FOUND, &err);
  CHECK (st == NULL && err.message[0] != '\0');
  snprintf (path, sizeof path, "%s/empty.safetensors", dir);
  tu_write_file (path, "", 0);
  CHECK_STATUS (tinta_safetensors_open (path, &st, &err), TINTA_ERR_EMPTY_FILE, &err);
  CHECK (st == NULL && err.message[0] != '\0');
  n_malformed++;
  CHECK_STATUS (tinta_safetensors_open (dir, &st, &err), TINTA_ERR_INVALID_DATA, &err);
  CHECK (st == NULL);
  memset (&err, 0, sizeof err);
  CHECK_STATUS (tinta_safetensors_open_memory ("", 0, "empty", &st, &err), TINTA_ERR_TRUNCATED,
                &err);
  CHECK (st == NULL && err.message[0] != '\0');

  /* The length field: the limit is checked before the file size. */
  {
    blob b = make_raw (0, "", 0, 0);
    b.n = 7;
    expect_bad ("seven-bytes", b, TINTA_ERR_TRUNCATED, "8-byte");
  }
  expect_bad ("length-past-end", make_raw (100, "{}", 2, 48), TINTA_ERR_TRUNCATED, "truncated");
  expect_bad ("length-2^63", make_raw (UINT64_C (1) << 63, "", 0, 0), TINTA_ERR_TOO_LARGE,
              "limit");
  expect_bad ("length-over-limit", make_raw ((uint64_t) TINTA_ST_MAX_HEADER + 1, "", 0, 0),
              TINTA_ERR_TOO_LARGE, "limit");
  expect_bad ("length-at-limit-truncated", make_raw (TINTA_ST_MAX_HEADER, "", 0, 0),
              TINTA_ERR_TRUNCATED, "truncated");
  expect_bad ("length-zero", make_raw (0, "", 0, 0), TINTA_ERR_INVALID_DATA, "no JSON");

  /* Not strict JSON, or not an object. */
  expect_bad_json ("not-json", "hello, world", 0, TINTA_ERR_INVALID_DATA, NULL);
  expect_bad_json ("array", "[1, 2]", 0, TINTA_ERR_INVALID_DATA, "not a JSON object");
  expect_bad_json ("trailing-garbage", "{} x", 0, TINTA_ERR_INVALID_DATA, "after");
  expect_bad_json ("two-objects", "{}{}", 0, TINTA_ERR_INVALID_DATA, "after");
  expect_bad_json ("unclosed", "{\"a\": {", 0, TINTA_ERR_INVALID_DATA, NULL);
  expect_bad_json ("missing-colon", "{\"a\" {}}", 0, TINTA_ERR_INVALID_DATA, "not valid JSON");
  expect_bad_json ("trailing-comma", "{\"__metadata__\": {\"a\": \"b\",}}", 0,
                   TINTA_ERR_INVALID_DATA, "not valid JSON");
  expect_bad_json ("leading-zero",
                   "{\"a\":{\"dtype\":\"F32\",\"shape\":[01],\"data_offsets\":[0,4]}}", 4,
                   TINTA_ERR_INVALID_DATA, "number");
  expect_bad_json ("bom", "\xef\xbb\xbf{}", 0, TINTA_ERR_INVALID_DATA, "not a JSON object");
  expect_bad_json ("raw-control", "{\"__metadata__\": {\"a\": \"x\x01y\"}}", 0,
                   TINTA_ERR_INVALID_DATA, "control");
  expect_bad_json ("u0000-name",
                   "{\"a\\u0000b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
                   4, TINTA_ERR_INVALID_DATA, "u0000");
  expect_bad_json ("bad-escape", "{\"__metadata__\": {\"a\": \"\\q\"}}", 0,
                   TINTA_ERR_INVALID_DATA, "escape");
  expect_bad_json ("lone-surrogate-escape", "{\"__metadata__\": {\"a\": \"\\udc00\"}}", 0,
                   TINTA_ERR_INVALID_DATA, "not valid JSON");
  expect_bad ("nul-byte", make_raw (4, "{}\0 ", 4, 0), TINTA_ERR_INVALID_DATA, NULL);

  /* Not UTF-8. */
  expect_bad_json ("name-0xff",
                   "{\"a\xff\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4,
                   TINTA_ERR_INVALID_DATA, "UTF-8");
  expect_bad_json ("overlong-utf8",
                   "{\"a\xc0\xaf\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
                   4, TINTA_ERR_INVALID_DATA, "UTF-8");
  expect_bad_json ("overlong-utf8-3", "{\"__metadata__\": {\"a\": \"\xe0\x80\xaf\"}}", 0,
                   TINTA_ERR_INVALID_DATA, "UTF-8");
  expect_bad_json ("surrogate-utf8", "{\"__metadata__\": {\"a\": \"\xed\xa0\x80\"}}", 0,
                   TINTA_ERR_INVALID_DATA, "UTF-8");
  expect_bad_json ("past-10ffff", "{\"__metadata__\": {\"a\": \"\xf4\x90\x80\x80\"}}", 0,
                   TINTA_ERR_INVALID_DATA, "UTF-8");
  expect_bad_json ("cut-utf8", "{\"__metadata__\": {\"a\": \"\xe2\x82\"}}", 0,
                   TINTA_ERR_INVALID_DATA, "UTF-8");

  /* Nesting: refused by the depth scan before cJSON recurses. */
  {
    char *json = nested ("{\"__metadata__\": {\"a\": ", 100, '[', ']', "}}");
    expect_bad_json ("depth-100-metadata", json, 0, TINTA_ERR_INVALID_DATA, "deeper");
    free (json);
    json = nested ("{\"a\": ", 1000000, '[', ']', "}");
    expect_bad_json ("depth-1M-in-object", json, 0, TINTA_ERR_INVALID_DATA, "deeper");
    free (json);
    json = nested ("", 1000000, '[', ']', "");
    expect_bad_json ("depth-1M-bare", json, 0, TINTA_ERR_INVALID_DATA, "not a JSON object");
    free (json);
    /* The root and __metadata__ count: 14 more brackets reach the limit. */
    json = nested ("{\"__metadata__\": {\"a\": ", 14, '[', ']', "}}");
    expect_bad_json ("depth-16", json, 0, TINTA_ERR_INVALID_DATA, "not a string");
    free (json);
    json = nested ("{\"__metadata__\": {\"a\": ", 15, '[', ']', "}}");
    expect_bad_json ("depth-17", json, 0, TINTA_ERR_INVALID_DATA, "deeper than 16");
    free (json);
  }

  /* Metadata. */
  expect_bad_json ("metadata-number", "{\"__metadata__\": {\"a\": 1}}", 0,
                   TINTA_ERR_INVALID_DATA, "not a string");
  expect_bad_json ("metadata-array", "{\"__metadata__\": [\"a\"]}", 0,
                   TINTA_ERR_INVALID_DATA, "not an object");
  expect_bad_json ("metadata-twice", "{\"__metadata__\": {}, \"__metadata__\": {}}", 0,
                   TINTA_ERR_INVALID_DATA, "twice");
  expect_bad_json ("metadata-key-twice", "{\"__metadata__\": {\"k\": \"1\", \"k\": \"2\"}}", 0,
                   TINTA_ERR_INVALID_DATA, "'k' appears twice");

  /* Entries. */
#define ENTRY(name, dtype, shape, offsets) \
  "\"" name "\":{\"dtype\":" dtype ",\"shape\":" shape ",\"data_offsets\":" offsets "}"
  expect_bad_json ("offsets-past-data", "{" ENTRY ("w", "\"F32\"", "[2]", "[0,8]") "}", 4,
                   TINTA_ERR_INVALID_DATA, "tensor 'w': data_offsets [0, 8] run past");
  expect_bad_json ("begin-after-end", "{" ENTRY ("w", "\"F32\"", "[2]", "[8,0]") "}", 8,
                   TINTA_ERR_INVALID_DATA, "end before");
  expect_bad_json ("overlap",
                   "{" ENTRY ("a", "\"F32\"", "[2]", "[0,8]") ","
                   ENTRY ("b", "\"F32\"", "[2]", "[4,12]") "}", 12,
                   TINTA_ERR_INVALID_DATA, "tensor 'b': data_offsets [4, 12] overlap tensor 'a'");
  expect_bad_json ("same-offsets",
                   "{" ENTRY ("a", "\"F32\"", "[1]", "[0,4]") ","
                   ENTRY ("b", "\"F32\"", "[1]", "[0,4]") "}", 4,
                   TINTA_ERR_INVALID_DATA, "overlap");
  expect_bad_json ("empty-inside-other",
                   "{" ENTRY ("a", "\"F32\"", "[2]", "[0,8]") ","
                   ENTRY ("z", "\"F32\"", "[0]", "[4,4]") "}", 8,
                   TINTA_ERR_INVALID_DATA, "overlap");
  expect_bad_json ("hole",
                   "{" ENTRY ("a", "\"F32\"", "[1]", "[0,4]") ","
                   ENTRY ("b", "\"F32\"", "[1]", "[8,12]") "}", 12,
                   TINTA_ERR_INVALID_DATA, "hole of 4 bytes");
  expect_bad_json ("hole-at-start", "{" ENTRY ("a", "\"F32\"", "[1]", "[4,8]") "}", 8,
                   TINTA_ERR_INVALID_DATA, "hole");
  expect_bad_json ("trailing-data", "{" ENTRY ("a", "\"F32\"", "[1]", "[0,4]") "}", 8,
                   TINTA_ERR_INVALID_DATA, "4 bytes after the last tensor");
  expect_bad_json ("no-tensors-with-data", "{}", 8, TINTA_ERR_INVALID_DATA, "after");
  expect_bad_json ("size-mismatch", "{" ENTRY ("conv1.weight", "\"F32\"", "[3, 3]", "[0, 100]") "}",
                   100, TINTA_ERR_INVALID_DATA,
                   "tensor 'conv1.weight': data_offsets [0, 100] do not match shape [3, 3] x "
                   "F32 = 36 bytes");
  expect_bad_json ("size-mismatch-f16", "{" ENTRY ("h", "\"F16\"", "[3]", "[0,12]") "}", 12,
                   TINTA_ERR_INVALID_DATA, "x F16 = 6 bytes");
  expect_bad_json ("negative-dim", "{" ENTRY ("w", "\"F32\"", "[-1]", "[0,0]") "}", 0,
                   TINTA_ERR_INVALID_DATA, "tensor 'w': shape[0] is negative");
  expect_bad_json ("fractional-dim", "{" ENTRY ("w", "\"F32\"", "[2, 1.5]", "[0,12]") "}", 12,
                   TINTA_ERR_INVALID_DATA, "shape[1] is not an integer");
  expect_bad_json ("huge-dim", "{" ENTRY ("w", "\"F32\"", "[1e400]", "[0,0]") "}", 0,
                   TINTA_ERR_INVALID_DATA, "2^53");
  expect_bad_json ("shape-overflow",
                   "{" ENTRY ("w", "\"F32\"", "[2147483648, 2147483648, 2147483648]", "[0,0]") "}",
                   0, TINTA_ERR_INVALID_DATA, "more elements");
  expect_bad_json ("bytes-overflow",
                   "{" ENTRY ("w", "\"F32\"", "[2147483648, 2147483648]", "[0,0]") "}", 0,
                   TINTA_ERR_INVALID_DATA, "more bytes");
  expect_bad_json ("nine-dims",
                   "{" ENTRY ("w", "\"F32\"", "[1,1,1,1,1,1,1,1,1]", "[0,4]") "}", 4,
                   TINTA_ERR_INVALID_DATA, "more than 8 dimensions");
  expect_bad_json ("dtype-i64", "{" ENTRY ("w", "\"I64\"", "[1]", "[0,8]") "}", 8,
                   TINTA_ERR_INVALID_DATA, "tensor 'w': unsupported dtype I64");
  expect_bad_json ("dtype-number", "{" ENTRY ("w", "4", "[1]", "[0,4]") "}", 4,
                   TINTA_ERR_INVALID_DATA, "dtype is not a string");
  expect_bad_json ("dtype-missing", "{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4,
                   TINTA_ERR_INVALID_DATA, "tensor 'w': no dtype");
  expect_bad_json ("offsets-missing", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4,
                   TINTA_ERR_INVALID_DATA, "no data_offsets");
  expect_bad_json ("extra-key",
                   "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"x\":1}}", 4,
                   TINTA_ERR_INVALID_DATA, "unknown key 'x'");
  expect_bad_json ("key-twice",
                   "{\"w\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[1],"
                   "\"data_offsets\":[0,4]}}", 4, TINTA_ERR_INVALID_DATA,
                   "key 'dtype' appears twice");
  expect_bad_json ("entry-not-object", "{\"w\": [1]}", 0, TINTA_ERR_INVALID_DATA,
                   "not a JSON object");
  expect_bad_json ("duplicate-names",
                   "{" ENTRY ("w", "\"F32\"", "[1]", "[0,4]") ","
                   ENTRY ("w", "\"F32\"", "[1]", "[4,8]") "}", 8,
                   TINTA_ERR_INVALID_DATA, "'w' appears twice");
  expect_bad_json ("empty-name", "{" ENTRY ("", "\"F32\"", "[1]", "[0,4]") "}", 4,
                   TINTA_ERR_INVALID_DATA, "empty name");
  expect_bad_json ("three-offsets", "{" ENTRY ("w", "\"F32\"", "[1]", "[0,4,4]") "}", 4,
                   TINTA_ERR_INVALID_DATA, "two numbers");
  expect_bad_json ("string-offset", "{" ENTRY ("w", "\"F32\"", "[1]", "[0,\"4\"]") "}", 4,
                   TINTA_ERR_INVALID_DATA, "not a number");
  expect_bad_json ("string-dim", "{" ENTRY ("w", "\"F32\"", "[\"1\"]", "[0,4]") "}", 4,
                   TINTA_ERR_INVALID_DATA, "shape[0] is not a number");
  expect_bad_json ("shape-object", "{" ENTRY ("w", "\"F32\"", "{}", "[0,4]") "}", 4,
                   TINTA_ERR_INVALID_DATA, "shape is not an array");
  expect_bad_json ("negative-zero-offset", "{" ENTRY ("w", "\"F32\"", "[1]", "[-0,4]") "}", 4,
                   TINTA_ERR_INVALID_DATA, "negative");
  expect_bad_json ("offset-past-2^53",
                   "{" ENTRY ("w", "\"F32\"", "[0]", "[9007199254740994,9007199254740994]") "}",
                   0, TINTA_ERR_INVALID_DATA, "2^53");

  /* Number syntax is strict JSON; integral spellings of a number pass. */
  {
    static const char *bad_numbers[] = { ".5", "+1", "1.", "1e", "--1", "1.5e", "0x10", "1e+",
                                         "00", "-", "Infinity", "NaN" };
    static const char *good_numbers[] = { "1", "1.0", "1e0", "0.1e1", "10E-1", "1.00000" };
    char json[256], label[64];
    for (size_t i = 0; i < sizeof bad_numbers / sizeof *bad_numbers; i++)
      {
        snprintf (json, sizeof json, "{" ENTRY ("w", "\"F32\"", "[%s]", "[0,4]") "}",
                  bad_numbers[i]);
        snprintf (label, sizeof label, "number-%zu", i);
        expect_bad_json (label, json, 4, TINTA_ERR_INVALID_DATA, NULL);
      }
    for (size_t i = 0; i < sizeof good_numbers / sizeof *good_numbers; i++)
      {
        tinta_safetensors *ok = NULL;
        snprintf (json, sizeof json, "{" ENTRY ("w", "\"F32\"", "[%s]", "[0,4]") "}",
                  good_numbers[i]);
        blob b = make_file (json, 4);
        CHECK_STATUS (tinta_safetensors_open_memory (b.p, b.n, json, &ok, &err), TINTA_OK, &err);
        CHECK (ok != NULL && tinta_safetensors_at (ok, 0)->shape[0] == 1);
        tinta_safetensors_free (ok);
        free (b.p);
      }
  }
#undef ENTRY

  CHECK_STATUS (tinta_safetensors_open_memory ("{}", 2, "x", NULL, &err),
                TINTA_ERR_INVALID_ARGUMENT, &err);

  /* More tensors than the limit, each of zero bytes. */
  {
    size_t cap = (size_t) (TINTA_ST_MAX_TENSORS + 1) * 80 + 16, used = 0;
    char *json = malloc (cap);
    used += (size_t) snprintf (json, cap, "{");
    for (int i = 0; i <= TINTA_ST_MAX_TENSORS; i++)
      used += (size_t) snprintf (json + used, cap - used,
                                 "%s\"t%d\":{\"dtype\":\"F32\",\"shape\":[0],"
                                 "\"data_offsets\":[0,0]}", i ? "," : "", i);
    snprintf (json + used, cap - used, "}");
    expect_bad_json ("too-many-tensors", json, 0, TINTA_ERR_TOO_LARGE, "limit");
    free (json);
  }
}

/* Independently computed roundings (exact rational arithmetic, Python's
 * struct 'e'), in the order of `inputs`. */
static const float inputs[] = {
  1.0f, -2.5f, 65504.0f, 1e-8f, 3.14159f, 1e-5f, 65519.0f, 65520.0f, 0.1f, 1.0f / 3.0f,
  -70000.0f, 6.1e-5f, 2.9802322387695312e-08f /* 2^-25: a tie */, 1e-40f,
  1.00048828125f /* 1 + 2^-11: a tie */, 1.000732421875f, -0.0f, 3.0e38f,
};
#define N_INPUTS (sizeof inputs / sizeof inputs[0])
static const double f16_expected[N_INPUTS] = {
  1.0, -2.5, 65504.0, 0.0, 3.140625, 1.0013580322265625e-05, 65504.0, INFINITY,
  0.0999755859375, 0.333251953125, -INFINITY, 6.097555160522461e-05, 0.0, 0.0, 1.0,
  1.0009765625, -0.0, INFINITY,
};
static const double bf16_expected[N_INPUTS] = {
  1.0, -2.5, 65536.0, 1.0011717677116394e-08, 3.140625, 1.0013580322265625e-05, 65536.0,
  65536.0, 0.10009765625, 0.333984375, -70144.0, 6.103515625e-05, 2.9802322387695312e-08,
  9.183549615799121e-41, 1.0, 1.0, -0.0, 3.00405527047391e+38,
};

static void
check_values (const tinta_tensor *t, const double *expected, const float *exact, size_t n,
              const char *what)
{
  float out[64];
  CHECK (t != NULL && (size_t) t->numel == n && n <= 64);
  if (t == NULL || (size_t) t->numel != n)
    return;
  tinta_tensor_to_f32 (t, out);
  for (size_t i = 0; i < n; i++)
    {
      double want = exact != NULL ? (double) exact[i] : expected[i];
      CHECK_MSG (memcmp (&out[i], &(float) { (float) want }, sizeof (float)) == 0,
                 "%s[%zu]: %.17g, expected %.17g", what, i, (double) out[i], want);
    }
}

/* Checks everything tinta_safetensors_write was given comes back. */
static void
check_written (const tinta_safetensors *st, tinta_dtype dtype, const char *label)
{
  static const char *order[] = { "values", "ramp", "scalar", "empty" };
  CHECK_INT (tinta_safetensors_count (st), 4);
  for (size_t i = 0; i < 4; i++)
    {
      const tinta_tensor *t = tinta_safetensors_at (st, i);
      CHECK_MSG (t != NULL && strcmp (t->name, order[i]) == 0, "%s: tensor %zu", label, i);
      CHECK (tinta_safetensors_find (st, order[i]) == t);
      CHECK (t != NULL && t->dtype == dtype);
    }
  CHECK (tinta_safetensors_at (st, 4) == NULL);
  CHECK (tinta_safetensors_find (st, "missing") == NULL);
  CHECK (tinta_safetensors_find (st, "") == NULL);

  const tinta_tensor *v = tinta_safetensors_find (st, "values");
  if (dtype == TINTA_DT_F32)
    check_values (v, NULL, inputs, N_INPUTS, label);
  else
    check_values (v, dtype == TINTA_DT_F16 ? f16_expected : bf16_expected, NULL, N_INPUTS,
                  label);

  const tinta_tensor *r = tinta_safetensors_find (st, "ramp");
  CHECK (r != NULL && r->ndim == 3 && r->shape[0] == 2 && r->shape[1] == 3 && r->shape[2] == 4);
  CHECK (r != NULL && r->numel == 24 && r->nbytes == 24 * tinta_dtype_size (dtype));
  {
    double ramp[24];
    for (int i = 0; i < 24; i++)
      ramp[i] = i - 12;   /* exact in every dtype */
    check_values (r, ramp, NULL, 24, "ramp");
  }
  const tinta_tensor *s = tinta_safetensors_find (st, "scalar");
  CHECK (s != NULL && s->ndim == 0 && s->numel == 1);
  check_values (s, (const double[]) { 0.5 }, NULL, 1, "scalar");
  const tinta_tensor *e = tinta_safetensors_find (st, "empty");
  CHECK (e != NULL && e->ndim == 2 && e->shape[0] == 0 && e->shape[1] == 5 && e->numel == 0
         && e->nbytes == 0);

  CHECK (tinta_safetensors_metadata (st, "tinta.arch") != NULL
         && strcmp (tinta_safetensors_metadata (st, "tinta.arch"), "test-net") == 0);
  CHECK (tinta_safetensors_metadata (st, "tinta.graph") != NULL
         && strcmp (tinta_safetensors_metadata (st, "tinta.graph"),
                    "{\"nodes\": [\"a\\\\b\"],\n\t\"x\": 1}") == 0);
  CHECK (tinta_safetensors_metadata (st, "note é") != NULL
         && strcmp (tinta_safetensors_metadata (st, "note é"), "日本語 \xf0\x9f\x8e\xa8") == 0);
  CHECK (tinta_safetensors_metadata (st, "absent") == NULL);
}

static void
test_round_trip (void)
{
  float ramp[24], half = 0.5f;
  static const int64_t values_shape[] = { N_INPUTS };
  static const int64_t ramp_shape[] = { 2, 3, 4 };
  static const int64_t empty_shape[] = { 0, 5 };
  for (int i = 0; i < 24; i++)
    ramp[i] = (float) (i - 12);
  const tinta_tensor_f32 tensors[] = {
    { "values", 1, values_shape, inputs },
    { "ramp", 3, ramp_shape, ramp },
    { "scalar", 0, NULL, &half },
    { "empty", 2, empty_shape, NULL },
  };
  const char *meta[] = {
    "tinta.arch", "test-net",
    "tinta.graph", "{\"nodes\": [\"a\\\\b\"],\n\t\"x\": 1}",
    "note é", "日本語 \xf0\x9f\x8e\xa8",
  };
  const tinta_dtype dtypes[] = { TINTA_DT_F32, TINTA_DT_F16, TINTA_DT_BF16 };

  for (size_t k = 0; k < 3; k++)
    {
      char path[4200];
      tinta_error err = { 0 };
      tinta_safetensors *st = NULL;
      const char *name = tinta_dtype_name (dtypes[k]);
      snprintf (path, sizeof path, "%s/written-%s.safetensors", dir, name);
      CHECK_STATUS (tinta_safetensors_write (path, tensors, 4, dtypes[k], meta, 3, &err),
                    TINTA_OK, &err);

      /* Layout: header padded with spaces so the data starts 8-aligned. */
      size_t size;
      unsigned char *bytes = (unsigned char *) read_all (path, &size);
      uint64_t header_len = 0;
      for (int i = 7; i >= 0; i--)
        header_len = (header_len << 8) | bytes[i];
      size_t data_len = (N_INPUTS + 24 + 1) * tinta_dtype_size (dtypes[k]);
      CHECK (header_len % 8 == 0 && 8 + header_len + data_len == size);
      CHECK (bytes[8] == '{' && bytes[8 + header_len - 1] != '\0');
      if (dtypes[k] == TINTA_DT_F16)   /* 1.0 and -2.5 as IEEE half, little-endian */
        CHECK (memcmp (bytes + 8 + header_len, "\x00\x3c\x00\xc1", 4) == 0);
      if (dtypes[k] == TINTA_DT_BF16)
        CHECK (memcmp (bytes + 8 + header_len, "\x80\x3f\x20\xc0", 4) == 0);

      CHECK_STATUS (tinta_safetensors_open (path, &st, &err), TINTA_OK, &err);
      if (st != NULL)
        check_written (st, dtypes[k], name);
      tinta_safetensors_free (st);
      st = NULL;
      CHECK_STATUS (tinta_safetensors_open_memory (bytes, size, name, &st, &err), TINTA_OK, &err);
      if (st != NULL)
        check_written (st, dtypes[k], name);
      tinta_safetensors_free (st);
      free (bytes);
    }

  /* Bad arguments are refused before anything is written. */
  tinta_error err = { 0 };
  char path[4200];
  snprintf (path, sizeof path, "%s/refused.safetensors", dir);
  const tinta_tensor_f32 twice[] = { tensors[1], tensors[1] };
  CHECK_STATUS (tinta_safetensors_write (path, twice, 2, TINTA_DT_F32, NULL, 0, &err),
                TINTA_ERR_INVALID_ARGUMENT, &err);
  const tinta_tensor_f32 reserved[] = { { "__metadata__", 0, NULL, &half } };
  CHECK_STATUS (tinta_safetensors_write (path, reserved, 1, TINTA_DT_F32, NULL, 0, &err),
                TINTA_ERR_INVALID_ARGUMENT, &err);
  const int64_t negative[] = { -2 };
  const tinta_tensor_f32 bad_shape[] = { { "w", 1, negative, ramp } };
  CHECK_STATUS (tinta_safetensors_write (path, bad_shape, 1, TINTA_DT_F32, NULL, 0, &err),
                TINTA_ERR_INVALID_ARGUMENT, &err);
  const tinta_tensor_f32 unnamed[] = { { "", 0, NULL, &half } };
  CHECK_STATUS (tinta_safetensors_write (path, unnamed, 1, TINTA_DT_F32, NULL, 0, &err),
                TINTA_ERR_INVALID_ARGUMENT, &err);
  const char *bad_meta[] = { "k", "\xff" };
  CHECK_STATUS (tinta_safetensors_write (path, tensors, 1, TINTA_DT_F32, bad_meta, 1, &err),
                TINTA_ERR_INVALID_ARGUMENT, &err);
  CHECK (tu_file_size (path) < 0);
  snprintf (path, sizeof path, "%s/no-such-folder/x.safetensors", dir);
  CHECK_STATUS (tinta_safetensors_write (path, tensors, 1, TINTA_DT_F32, NULL, 0, &err),
                TINTA_ERR_UNWRITABLE, &err);

  /* Many tensors: find by name through the sorted index. */
  {
    enum { N = 1000 };
    tinta_tensor_f32 *many = calloc (N, sizeof *many);
    char (*names)[16] = calloc (N, sizeof *names);
    float *vals = calloc (N, sizeof *vals);
    for (int i = 0; i < N; i++)
      {
        snprintf (names[i], sizeof names[i], "t%d", (i * 7919) % N);
        vals[i] = (float) ((i * 7919) % N);
        many[i] = (tinta_tensor_f32) { names[i], 0, NULL, &vals[i] };
      }
    tinta_safetensors *st = NULL;
    snprintf (path, sizeof path, "%s/many.safetensors", dir);
    CHECK_STATUS (tinta_safetensors_write (path, many, N, TINTA_DT_F32, NULL, 0, &err), TINTA_OK,
                  &err);
    CHECK_STATUS (tinta_safetensors_open (path, &st, &err), TINTA_OK, &err);
    int found = 0;
    for (int i = 0; i < N; i++)
      {
        char want[16];
        float f = -1;
        snprintf (want, sizeof want, "t%d", i);
        const tinta_tensor *t = tinta_safetensors_find (st, want);
        if (t != NULL)
          tinta_tensor_to_f32 (t, &f);
        found += t != NULL && f == (float) i;
      }
    CHECK_INT (found, N);
    CHECK (tinta_safetensors_metadata (st, "x") == NULL);
    tinta_safetensors_free (st);
    free (many);
    free (names);
    free (vals);
  }
}

static void
test_hand_written (void)
{
  tinta_error err = { 0 };
  tinta_safetensors *st = NULL;

  /* One tensor per dtype, in file order b, a, c, and the F16/BF16
   * special values: infinities, NaN, -0, subnormals. Whitespace and
   * escapes as another writer might produce them. */
  static const unsigned char data[] = {
    0x00, 0x3c, 0x00, 0x7c, 0x01, 0x00, 0xff, 0x03, 0x00, 0x80, 0x00, 0x7e, 0x00, 0xfc, /* F16 */
    0x00, 0x00, 0xc0, 0x3f, 0x00, 0x00, 0x00, 0xc0,                                     /* F32 */
    0x80, 0x3f, 0xc0, 0xff, 0x80, 0xff, 0x01, 0x00,                                     /* BF16 */
  };
  const char *json =
    "{\n  \"b\\u00e9\" : {\"data_offsets\": [0, 14], \"dtype\": \"F16\", \"shape\": [7]},\n"
    "  \"a\": {\"dtype\": \"F32\", \"shape\": [1, 2], \"data_offsets\": [14, 22]},\r\n"
    "  \"__metadata__\": {\"format\": \"pt\", \"q\\\"uote\": \"\\ud83c\\udfa8\"},\n"
    "  \"c\": {\"dtype\": \"BF16\", \"shape\": [2, 2], \"data_offsets\": [22, 30]}\t}   ";
  blob b = make_raw (strlen (json), json, strlen (json), 0);
  b.p = realloc (b.p, b.n + sizeof data);
  memcpy (b.p + b.n, data, sizeof data);
  b.n += sizeof data;

  CHECK_STATUS (tinta_safetensors_open_memory (b.p, b.n, "hand", &st, &err), TINTA_OK, &err);
  if (st != NULL)
    {
      float out[8];
      CHECK_INT (tinta_safetensors_count (st), 3);
      CHECK (strcmp (tinta_safetensors_at (st, 0)->name, "b\xc3\xa9") == 0);
      CHECK (strcmp (tinta_safetensors_at (st, 1)->name, "a") == 0);
      CHECK (strcmp (tinta_safetensors_at (st, 2)->name, "c") == 0);
      CHECK (strcmp (tinta_safetensors_metadata (st, "format"), "pt") == 0);
      CHECK (strcmp (tinta_safetensors_metadata (st, "q\"uote"), "\xf0\x9f\x8e\xa8") == 0);

      const tinta_tensor *h = tinta_safetensors_find (st, "b\xc3\xa9");
      CHECK (h != NULL && h->dtype == TINTA_DT_F16 && h->numel == 7 && h->nbytes == 14);
      tinta_tensor_to_f32 (h, out);
      CHECK (out[0] == 1.0f);
      CHECK (isinf (out[1]) && out[1] > 0);
      CHECK (out[2] == 0x1p-24f);                    /* smallest subnormal */
      CHECK (out[3] == 1023 * 0x1p-24f);             /* largest subnormal */
      CHECK (out[4] == 0.0f && signbit (out[4]));
      CHECK (isnan (out[5]));
      CHECK (isinf (out[6]) && out[6] < 0);

      const tinta_tensor *a = tinta_safetensors_find (st, "a");
      CHECK (a != NULL && a->dtype == TINTA_DT_F32 && a->ndim == 2 && a->shape[1] == 2);
      tinta_tensor_to_f32 (a, out);
      CHECK (out[0] == 1.5f && out[1] == -2.0f);
      CHECK (a != NULL && (const unsigned char *) a->data == b.p + 8 + strlen (json) + 14);

      const tinta_tensor *c = tinta_safetensors_find (st, "c");
      CHECK (c != NULL && c->dtype == TINTA_DT_BF16 && c->numel == 4 && c->nbytes == 8);
      tinta_tensor_to_f32 (c, out);
      CHECK (out[0] == 1.0f && isnan (out[1]) && isinf (out[2]) && out[2] < 0);
      CHECK (out[3] == 0x1p-133f);                   /* a float subnormal */
    }
  tinta_safetensors_free (st);
  free (b.p);

  /* No tensors at all, with or without metadata, is a valid file. */
  const char *empties[] = { "{}", "{}      ", " {\"__metadata__\": {}} ",
                            "{\"__metadata__\":{\"k\":\"v\"}}" };
  for (size_t i = 0; i < 4; i++)
    {
      blob e = make_file (empties[i], 0);
      st = NULL;
      CHECK_STATUS (tinta_safetensors_open_memory (e.p, e.n, "empty", &st, &err), TINTA_OK, &err);
      CHECK (st != NULL && tinta_safetensors_count (st) == 0);
      CHECK (tinta_safetensors_find (st, "k") == NULL && tinta_safetensors_at (st, 0) == NULL);
      if (i == 3)
        CHECK (strcmp (tinta_safetensors_metadata (st, "k"), "v") == 0);
      tinta_safetensors_free (st);
      free (e.p);
    }
  char path[4200];
  snprintf (path, sizeof path, "%s/nothing.safetensors", dir);
  st = NULL;
  CHECK_STATUS (tinta_safetensors_write (path, NULL, 0, TINTA_DT_F16, NULL, 0, &err), TINTA_OK,
                &err);
  CHECK_INT (tu_file_size (path), 16);
  CHECK_STATUS (tinta_safetensors_open (path, &st, &err), TINTA_OK, &err);
  CHECK (st != NULL && tinta_safetensors_count (st) == 0);
  tinta_safetensors_free (st);
  tinta_safetensors_free (NULL);
}

int
main (void)
{
  dir = tu_scratch_dir ("safetensors");
  test_round_trip ();
  test_hand_written ();
  test_malformed ();
  printf ("%d malformed inputs refused\n", n_malformed);
  tu_run ("rm -rf '%s'", dir);
  free (dir);
  return tinta_test_end ("safetensors");
}
