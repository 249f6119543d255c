/* The global strategy (see tinta/dvp.h): two-stage matching of SqueezeNet
 * features against the keyframes, chroma transfer at the best matches.
 *
 * Grids: conv1 (stride 2, no padding) has output i centred on full-res
 * pixel 2i+1; fire5 (after two stride-2 pools) has cell m centred on
 * 8m+7. A fine position keeps its offset from its cell's centre when it
 * moves to a matched cell in the keyframe, and searches a (2R+1)^2
 * window there; each of the TOPK best cells gets its window, and the
 * transferred chroma is the softmax-weighted mean over all of them. The
 * confidence is the best fine similarity. The coarse stage is one oneDNN matmul of unit
 * feature vectors (cosine similarity) per block of rows, so the N x M
 * similarity matrix is never held whole. */
#include <math.h>
#include <omp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <oneapi/dnnl/dnnl.h>
#include "core/bf16.h"
#include "core/internal.h"
#include "dvp/local_internal.h"
#include "dvp/match.h"
#include "nn/nn_internal.h"
#include "tinta/color.h"
#include "tinta/dvp.h"

#define FINE_RADIUS 3
/* The coarse matmul goes by tiles of ROW_BLOCK frame cells x COL_BLOCK
 * keyframe cells, each thread its own: a tile's similarities (1 MB of
 * f32) are still in L2 when its top-k reads them, where a block of whole
 * rows (25 MB at 854x480, 2 keys) went out to memory and back. */
#define ROW_BLOCK   256
#define COL_BLOCK   1024
/* Soft transfer (the mean a demanding PSNR rewards, and what the feature
 * stage of training/dvp_features.py optimizes: softmax at TAU 0.03 over
 * fire5 similarities). Chosen on the training set's held-out clips
 * (dvp_data.VAL_CLIPS, `tinta-cli eval --strategy global`), never on the
 * evaluation set; global PSNR 25-frame / all:
 *   hard argmax, one cell               33.30 / 32.63
 *   one cell, fine softmax tau 0.05     33.56 / 32.87  (0.02: 33.52, 0.1: 33.51)
 *   top 2 cells, coarse tau 0.03        33.91 / 33.23
 *   top 3                               34.02 / 33.37
 *   top 4                               34.07 / 33.43  (coarse tau 0.01: 33.77,
 *                                                       0.1: 33.92)
 * Top 4 costs about twice the fine stage of one cell. */
#define TOPK        TINTA_GLOBAL_TOPK   /* the most; g->topk are searched */
#define FINE_BAND   8   /* fire5 cell rows (32 conv1 rows) per cancellation check */
#define COARSE_TAU  0.03f
#define FINE_TAU    0.05f   /* >= 1/43: tinta_match_weights */

typedef struct {
  int      key;      /* keyframe index */
  int      cell;     /* cell index in that keyframe */
  float    sim;
} coarse_match;

struct tinta_global {
  tinta_nn_model  *model;
  tinta_nn_plan   *plan;
  tinta_nn_runner *run;
  int              w, h;
  int              c1, h1, w1;          /* conv1 grid */
  int              c5, h5, w5;          /* fire5 grid */
  int             *row_lo, *row_hi;     /* conv1 rows of each cell row (cell_spans) */
  int             *col_lo, *col_hi;     /* conv1 columns of each cell column */
  int              cell_rows_max, cell_cols_max;
  int              topk;                /* candidates searched, <= TOPK */
  float           *input;               /* h x w x 3 */
  /* keyframes */
  int              n_keys;
  float           *key_coarse;          /* n_keys * h5*w5 * c5, unit rows */
  float           *key_fine;            /* n_keys * h1*w1 * c1, unit rows (f32 CPUs) */
  uint16_t        *key_fine16;          /* the same in bf16, instead (fine_bf16) */
  int              fine_bf16;           /* AVX512-BF16: tinta_match_block_sims_bf16 */
  float           *key_lab1;            /* n_keys * h1*w1 * 4: a, b, L, 1 (pack_key_lab) */
  /* frame */
  float           *coarse;              /* h5*w5 (+ zero rows to whole ROW_BLOCKs) * c5 */
  uint16_t        *coarse16;            /* the same in bf16 for the matmul */
  uint16_t        *key_coarse16;        /* n_keys * h5*w5 * c5 */
  dnnl_data_type_t mm_dt;
  float           *fine;                /* h1*w1 * c1 */
  coarse_match    *matches;             /* h5*w5 * TOPK, best first */
  float           *sim_block;           /* per thread: ROW_BLOCK * mm_cols[0] */
  float           *grid_a, *grid_b, *grid_conf, *grid_L;   /* h1*w1 */
  /* coarse matmul: tiles [ROW_BLOCK x c5] x [c5 x mm_cols] (build_matmul) */
  dnnl_primitive_t mm[2];               /* full tile, last column of tiles */
  int              mm_cols[2], mm_tiles;   /* keyframe cells of each; tiles per row */
  int              mm_threads;
  dnnl_memory_desc_t mm_src, mm_wei[2], mm_dst[2];   /* mm_wei: the kernel's packed layout */
  size_t           mm_wei_bytes[2];
  void            *key_packed;          /* the keys' tiles packed, one after another */
  dnnl_stream_t    stream;
  size_t           mm_scratch_bytes;    /* per thread */
  void            *mm_scratch;
  tinta_dvp_timing timing;
  tinta_abort_fn   abort_cb;            /* polled between layers and blocks */
  void            *abort_user;
};

static inline int
clampi (int v, int lo, int hi)
{
  return v < lo ? lo : (v > hi ? hi : v);
}

/* The fire5 cell a conv1 position belongs to: position i is centred on
 * full-res 2i+1, cell m on 8m+7, the nearest is round((2i+1-7)/8). */
static int
cell_of (int i, int cells)
{
  return clampi ((int) lroundf ((2.0f * i - 6.0f) / 8.0f), 0, cells - 1);
}

/* The conv1 rows (columns) of each cell row (column): [lo[m], hi[m]),
 * empty when no position is nearest to it. */
static void
cell_spans (int n1, int n5, int *lo, int *hi)
{
  for (int m = 0; m < n5; m++)
    lo[m] = hi[m] = 0;
  for (int i = n1 - 1; i >= 0; i--)
    lo[cell_of (i, n5)] = i;
  for (int i = 0; i < n1; i++)
    hi[cell_of (i, n5)] = i + 1;
}

/* A keyframe's Lab at the conv1 grid's pixels (position i on pixel
 * 2i+1), 4 floats a position: a, b, L and 1.  The fine stage transfers
 * only these: sampled once here, its windows' rows are contiguous (the
 * full-resolution planes were 3 strided gathers per position), and the 1
 * sums the weights in the same vector. */
static void
pack_key_lab (const tinta_global *g, const tinta_frame *key, float *out)
{
  for (int y = 0; y < g->h1; y++)
    {
      size_t row = (size_t) clampi (2 * y + 1, 0, g->h - 1) * g->w;
      for (int x = 0; x < g->w1; x++, out += 4)
        {
          size_t src = row + (size_t) clampi (2 * x + 1, 0, g->w - 1);
          out[0] = key->a[src];
          out[1] = key->b[src];
          out[2] = key->L[src];
          out[3] = 1.0f;
        }
    }
}

static void
clear_matmul (tinta_global *g)
{
  for (int i = 0; i < 2; i++)
    {
      dnnl_primitive_destroy (g->mm[i]);
      g->mm[i] = NULL;
    }
  tinta_free_aligned (g->mm_scratch);
  g->mm_scratch = NULL;
  g->mm_scratch_bytes = 0;
  tinta_free_aligned (g->key_packed);
  g->key_packed = NULL;
}

void
tinta_global_free (tinta_global *g)
{
  if (g == NULL)
    return;
  clear_matmul (g);
  dnnl_stream_destroy (g->stream);
  tinta_nn_runner_free (g->run);
  tinta_nn_plan_free (g->plan);
  tinta_nn_model_free (g->model);
  void *bufs[] = { g->input, g->key_coarse, g->key_fine, g->key_lab1, g->grid_L,
                   g->coarse, g->fine, g->sim_block, g->grid_a, g->grid_b, g->grid_conf,
                   g->coarse16, g->key_coarse16, g->key_fine16 };
  for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
    tinta_free_aligned (bufs[i]);
  free (g->matches);
  free (g->row_lo);
  free (g->row_hi);
  free (g->col_lo);
  free (g->col_hi);
  free (g);
}

int
tinta_global_new (const char *features_path, int width, int height, tinta_global **out,
                  tinta_error *err)
{
  char path[4096];
  *out = NULL;
  if (width < 16 || height < 16 || width > TINTA_MAX_DIMENSION || height > TINTA_MAX_DIMENSION)
    return tinta_fail (err, TINTA_ERR_OUT_OF_RANGE, "", "global matching needs 16..%d pixels per side",
                       TINTA_MAX_DIMENSION);
  if (features_path == NULL)
    {
      if (!tinta_model_find (TINTA_DVP_MODEL, path, sizeof path))
        return tinta_fail (err, TINTA_ERR_NOT_FOUND, path, "the model file is missing (the build makes it from models/ and "
                           "../shared/pretrained; set TINTA_MODEL_DIR or give a file)");
      features_path = path;
    }
  tinta_global *g = calloc (1, sizeof *g);
  if (g == NULL)
    return tinta_fail (err, TINTA_ERR_NO_MEMORY, "", "out of memory");
  g->w = width;
  g->h = height;
  g->topk = TOPK;
  int st = tinta_nn_model_load (features_path, TINTA_FEATURES_ARCH, &g->model, err);
  if (st == TINTA_OK)
    st = tinta_nn_plan_new (g->model, height, width, TINTA_NN_AUTO, &g->plan, err);
  if (st == TINTA_OK)
    st = tinta_nn_runner_new (g->plan, &g->run, err);
  if (st == TINTA_OK
      && (tinta_nn_plan_shape (g->plan, "conv1", &g->c1, &g->h1, &g->w1) < 0
          || tinta_nn_plan_shape (g->plan, "fire5", &g->c5, &g->h5, &g->w5) < 0))
    st = tinta_fail (err, TINTA_ERR_INVALID_DATA, features_path,
                     "the feature model has no conv1 / fire5 outputs");
  if (st < 0)
    {
      tinta_global_free (g);
      return st;
    }
  size_t n = (size_t) width * height;
  g->input = tinta_alloc_aligned (n * 3, sizeof (float));
  /* Rows up to a whole number of ROW_BLOCKs, zeros: one matmul shape. */
  size_t n5_pad = ((size_t) g->h5 * g->w5 + ROW_BLOCK - 1) / ROW_BLOCK * ROW_BLOCK;
  g->coarse = tinta_alloc_aligned (n5_pad * g->c5, sizeof (float));
  g->coarse16 = tinta_alloc_aligned (n5_pad * g->c5, sizeof (uint16_t));
  /* Cosine similarities of unit vectors in bf16 are good to ~1e-2, plenty
   * to rank cells, and AMX/AVX512-BF16 make the matmul 5-10x faster. */
  g->mm_dt = tinta_nn_cpu_has_bf16 () ? dnnl_bf16 : dnnl_f32;
  /* The fine stage's dot products in bf16 too: half the table's traffic
   * (52 MB of f32 at 854x480, 2 keys), and AMX tiles where there are
   * (fine stage 43 -> 32 ms at 854x480 on 2 cores).  A similarity moves
   * by ~1e-3 (confidence at most 4e-3), the softmax weights (tau 0.05) by
   * ~2%: PSNR within 0.001 dB on the evaluation and held-out clips. */
  g->fine_bf16 = tinta_nn_cpu_has_bf16 () && g->c1 % 2 == 0;
  g->fine = tinta_alloc_aligned ((size_t) g->h1 * g->w1 * g->c1, sizeof (float));
  g->grid_a = tinta_alloc_aligned ((size_t) g->h1 * g->w1, sizeof (float));
  g->grid_b = tinta_alloc_aligned ((size_t) g->h1 * g->w1, sizeof (float));
  g->grid_conf = tinta_alloc_aligned ((size_t) g->h1 * g->w1, sizeof (float));
  g->grid_L = tinta_alloc_aligned ((size_t) g->h1 * g->w1, sizeof (float));
  g->matches = calloc ((size_t) g->h5 * g->w5 * TOPK, sizeof *g->matches);
  g->row_lo = calloc ((size_t) g->h5, sizeof (int));
  g->row_hi = calloc ((size_t) g->h5, sizeof (int));
  g->col_lo = calloc ((size_t) g->w5, sizeof (int));
  g->col_hi = calloc ((size_t) g->w5, sizeof (int));
  if (g->row_lo && g->row_hi && g->col_lo && g->col_hi)
    {
      cell_spans (g->h1, g->h5, g->row_lo, g->row_hi);
      cell_spans (g->w1, g->w5, g->col_lo, g->col_hi);
      for (int m = 0; m < g->h5; m++)
        if (g->row_hi[m] - g->row_lo[m] > g->cell_rows_max)
          g->cell_rows_max = g->row_hi[m] - g->row_lo[m];
      for (int m = 0; m < g->w5; m++)
        if (g->col_hi[m] - g->col_lo[m] > g->cell_cols_max)
          g->cell_cols_max = g->col_hi[m] - g->col_lo[m];
    }
  if (!g->input || !g->coarse || !g->coarse16 || !g->fine || !g->grid_a || !g->grid_b
      || !g->grid_conf || !g->grid_L || !g->matches || !g->row_lo || !g->row_hi || !g->col_lo
      || !g->col_hi
      || dnnl_stream_create (&g->stream, nn_engine (), dnnl_stream_default_flags) != dnnl_success)
    {
      tinta_global_free (g);
      return tinta_fail (err, TINTA_ERR_NO_MEMORY, "", "out of memory for global matching");
    }
  *out = g;
  return TINTA_OK;
}

/* The network's input for a gray image, 255 * sRGB of (L, 0, 0), is a
 * function of L alone: a table at GRAY_STEPS steps over [0, 100] read
 * with linear interpolation (within 2e-4 of the exact conversion's 0..255,
 * float rounding, far under what conv1 resolves) instead of a powf per
 * pixel.  The step where the clamp to 255 bends the curve, and L out of
 * range, take the exact conversion. */
#define GRAY_STEPS 8192
static float gray_lut[GRAY_STEPS + 2];

/* 255 * sRGB of a gray (L, 0, 0), clamped to [0, 255].  R, G and B of a
 * gray differ only by the matrix's rounding: the network has always been
 * given B three times. */
static float
gray_exact (float L)
{
  float zero = 0.0f, v;
  tinta_lab_to_srgbf (&L, &zero, &zero, 1, &v, &v, &v);
  return 255.0f * (v < 0.0f ? 0.0f : (v > 1.0f ? 1.0f : v));
}

static void
init_gray_lut (void)
{
  for (int i = 0; i <= GRAY_STEPS; i++)
    gray_lut[i] = gray_exact (100.0f * (float) i / GRAY_STEPS);
  gray_lut[GRAY_STEPS + 1] = 255.0f;   /* L >= 100 and out of range: exact */
}

/* The 3-channel network input of a luminance plane. */
static void
gray_input (const float *L, size_t n, float *input)
{
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once (&once, init_gray_lut);
  const float scale = GRAY_STEPS / 100.0f;
#pragma omp parallel for schedule(static)
  for (size_t i = 0; i < n; i++)
    {
      float x = L[i] * scale, v;
      int j = x >= 0.0f && x < (float) GRAY_STEPS ? (int) x : GRAY_STEPS;   /* NaN: the last */
      if (gray_lut[j + 1] < 255.0f)
        v = gray_lut[j] + (x - (float) j) * (gray_lut[j + 1] - gray_lut[j]);
      else
        v = gray_exact (L[i]);
      input[3 * i] = input[3 * i + 1] = input[3 * i + 2] = v;
    }
}

/* dst = src with unit rows (and dst16 = the same in bf16 when not NULL),
 * a few rows at a time so that the normalization and the conversion
 * read what the copy left in cache: one pass over memory, not three. */
#define UNIT_CHUNK 128
static void
unit_rows (const float *src, float *dst, uint16_t *dst16, size_t rows, int dim)
{
  long chunks = (long) ((rows + UNIT_CHUNK - 1) / UNIT_CHUNK);
#pragma omp parallel for schedule(static)
  for (long ch = 0; ch < chunks; ch++)
    {
      size_t r0 = (size_t) ch * UNIT_CHUNK, nr = rows - r0 < UNIT_CHUNK ? rows - r0 : UNIT_CHUNK;
      size_t o = r0 * (size_t) dim;
      memcpy (dst + o, src + o, nr * dim * sizeof (float));
      tinta_match_normalize_rows (dst + o, nr, dim);
      if (dst16)
        tinta_match_to_bf16 (dst + o, dst16 + o, nr * dim);
    }
}

/* Features of a luminance plane, unit rows: conv1 into fine, fire5 into
 * coarse and coarse16 (bf16, for the matmul). */
static int
compute_features (tinta_global *g, const float *L, float *fine, float *coarse, uint16_t *coarse16,
                  tinta_error *err)
{
  size_t n = (size_t) g->w * g->h;
  /* The network saw RGB photos: give it the gray image as R = G = B. */
  gray_input (L, n, g->input);
  const float *in[1] = { g->input };
  int st = tinta_nn_run (g->run, in, g->abort_cb, g->abort_user, NULL, err);
  if (st != TINTA_OK)
    return st;
  const float *c1 = tinta_nn_runner_output (g->run, "conv1", NULL, NULL, NULL);
  const float *c5 = tinta_nn_runner_output (g->run, "fire5", NULL, NULL, NULL);
  if (c1 == NULL || c5 == NULL)
    return tinta_fail (err, TINTA_ERR_NO_MEMORY, "", "out of memory reading features");
  unit_rows (c1, fine, NULL, (size_t) g->h1 * g->w1, g->c1);
  unit_rows (c5, coarse, coarse16, (size_t) g->h5 * g->w5, g->c5);
  return TINTA_OK;
}

/* The coarse matmul's primitives, and the keys packed once into the
 * layout its kernel reads (the matmul would otherwise repack them from
 * the plain M x C rows at every call). */
static int
build_matmul (tinta_global *g, tinta_error *err)
{
  clear_matmul (g);
  int M = g->n_keys * g->h5 * g->w5, C = g->c5;
  int bytes_per = g->mm_dt == dnnl_bf16 ? 2 : 4;
  const char *keys = g->mm_dt == dnnl_bf16 ? (const char *) g->key_coarse16
                                           : (const char *) g->key_coarse;
  /* In f32 (no bf16 on this CPU) the matmul is bound by its arithmetic,
   * not by the traffic: whole rows, the fewest calls. */
  int col_block = g->mm_dt == dnnl_bf16 && M > COL_BLOCK ? COL_BLOCK : M;
  g->mm_tiles = (M + col_block - 1) / col_block;
  g->mm_cols[0] = col_block;
  g->mm_cols[1] = M - (g->mm_tiles - 1) * g->mm_cols[0];
  g->mm_threads = omp_get_max_threads ();
  dnnl_dims_t sd = { ROW_BLOCK, C };
  dnnl_memory_desc_init_by_tag (&g->mm_src, 2, sd, g->mm_dt, dnnl_ab);
  dnnl_primitive_attr_t attr = NULL;
  dnnl_primitive_attr_create (&attr);
  dnnl_primitive_attr_set_scratchpad_mode (attr, dnnl_scratchpad_mode_user);
  dnnl_primitive_t pack[2] = { NULL, NULL };
  dnnl_memory_desc_t plain[2];
  dnnl_status_t s = dnnl_success;
  for (int i = 0; i < 2 && s == dnnl_success; i++)
    {
      /* Keys are stored M x C; a tile reads its C x cols by strides. */
      dnnl_dims_t wd = { C, g->mm_cols[i] }, ws = { 1, C }, dd = { ROW_BLOCK, g->mm_cols[i] };
      dnnl_memory_desc_t any;
      dnnl_memory_desc_init_by_strides (&plain[i], 2, wd, g->mm_dt, ws);
      dnnl_memory_desc_init_by_tag (&any, 2, wd, g->mm_dt, dnnl_format_tag_any);
      dnnl_memory_desc_init_by_tag (&g->mm_dst[i], 2, dd, dnnl_f32, dnnl_ab);
      dnnl_matmul_desc_t d;
      dnnl_primitive_desc_t pd = NULL, rpd = NULL;
      s = dnnl_matmul_desc_init (&d, &g->mm_src, &any, NULL, &g->mm_dst[i]);
      if (s == dnnl_success)
        s = dnnl_primitive_desc_create (&pd, &d, attr, nn_engine (), NULL);
      if (s == dnnl_success)
        {
          const dnnl_memory_desc_t *sp = dnnl_primitive_desc_query_md (pd, dnnl_query_scratchpad_md, 0);
          size_t b = sp ? dnnl_memory_desc_get_size (sp) : 0;
          if (b > g->mm_scratch_bytes)
            g->mm_scratch_bytes = b;
          g->mm_wei[i] = *dnnl_primitive_desc_query_md (pd, dnnl_query_weights_md, 0);
          g->mm_wei_bytes[i] = (dnnl_memory_desc_get_size (&g->mm_wei[i]) + 63) & ~(size_t) 63;
          s = dnnl_primitive_create (&g->mm[i], pd);
          dnnl_primitive_desc_destroy (pd);
        }
      if (s == dnnl_success)
        s = dnnl_reorder_primitive_desc_create (&rpd, &plain[i], nn_engine (), &g->mm_wei[i],
                                                nn_engine (), NULL);
      if (s == dnnl_success)
        {
          s = dnnl_primitive_create (&pack[i], rpd);
          dnnl_primitive_desc_destroy (rpd);
        }
    }
  dnnl_primitive_attr_destroy (attr);
  g->mm_scratch_bytes = (g->mm_scratch_bytes + 63) & ~(size_t) 63;
  if (s == dnnl_success)
    {
      g->key_packed = tinta_alloc_aligned ((size_t) (g->mm_tiles - 1) * g->mm_wei_bytes[0]
                                           + g->mm_wei_bytes[1], 1);
      g->mm_scratch = tinta_alloc_aligned ((size_t) g->mm_threads
                                           * (g->mm_scratch_bytes ? g->mm_scratch_bytes : 64), 1);
      tinta_free_aligned (g->sim_block);
      g->sim_block = tinta_alloc_aligned ((size_t) g->mm_threads * ROW_BLOCK * col_block,
                                          sizeof (float));
    }
  char *to = g->key_packed;
  for (int t = 0; t < g->mm_tiles && s == dnnl_success && to != NULL; t++)
    {
      int i = t == g->mm_tiles - 1;
      dnnl_memory_t from = NULL, packed = NULL;
      s = dnnl_memory_create (&from, &plain[i], nn_engine (),
                              (void *) (keys + (size_t) t * col_block * C * bytes_per));
      if (s == dnnl_success)
        s = dnnl_memory_create (&packed, &g->mm_wei[i], nn_engine (), to);
      if (s == dnnl_success)
        {
          dnnl_exec_arg_t args[2] = { { DNNL_ARG_FROM, from }, { DNNL_ARG_TO, packed } };
          s = dnnl_primitive_execute (pack[i], g->stream, 2, args);
          if (s == dnnl_success)
            s = dnnl_stream_wait (g->stream);
        }
      dnnl_memory_destroy (from);
      dnnl_memory_destroy (packed);
      to += g->mm_wei_bytes[i];
    }
  dnnl_primitive_destroy (pack[0]);
  dnnl_primitive_destroy (pack[1]);
  if (s != dnnl_success)
    return nn_dnnl_fail (err, "", s, "building the coarse matching", "global");
  if (g->key_packed == NULL || g->mm_scratch == NULL || g->sim_block == NULL)
    return tinta_fail (err, TINTA_ERR_NO_MEMORY, "", "out of memory for coarse matching");
  return TINTA_OK;
}

int
tinta_global_set_keyframes (tinta_global *g, const tinta_frame *const *keys, int n,
                            tinta_error *err)
{
  if (n < 1 || n > TINTA_GLOBAL_MAX_KEYS)
    return tinta_fail (err, TINTA_ERR_OUT_OF_RANGE, "", "%d keyframes: 1 to %d are supported", n,
                       TINTA_GLOBAL_MAX_KEYS);
  for (int k = 0; k < n; k++)
    if (keys[k] == NULL || keys[k]->width != g->w || keys[k]->height != g->h || !keys[k]->L
        || !keys[k]->a || !keys[k]->b)
      return tinta_fail (err, TINTA_ERR_SIZE_MISMATCH, "",
                         "keyframe %d must be %dx%d with L, a and b", k, g->w, g->h);
  size_t n1 = (size_t) g->h1 * g->w1, n5 = (size_t) g->h5 * g->w5;
  tinta_free_aligned (g->key_coarse);
  tinta_free_aligned (g->key_coarse16);
  tinta_free_aligned (g->key_fine);
  tinta_free_aligned (g->key_fine16);
  tinta_free_aligned (g->key_lab1);
  g->key_fine = NULL;
  g->key_fine16 = NULL;
  g->key_coarse = tinta_alloc_aligned (n * n5 * g->c5, sizeof (float));
  g->key_coarse16 = tinta_alloc_aligned (n * n5 * g->c5, sizeof (uint16_t));
  if (g->fine_bf16)
    {
      /* Zero rows after the last key, read and dropped by the AMX kernel. */
      size_t pad = (size_t) TINTA_MATCH_BF16_PAD * g->c1;
      g->key_fine16 = tinta_alloc_aligned (n * n1 * g->c1 + pad, sizeof (uint16_t));
      if (g->key_fine16)
        memset (g->key_fine16 + n * n1 * g->c1, 0, pad * sizeof (uint16_t));
    }
  else
    g->key_fine = tinta_alloc_aligned (n * n1 * g->c1, sizeof (float));
  g->key_lab1 = tinta_alloc_aligned (n * n1 * 4, sizeof (float));
  g->n_keys = 0;
  if (!g->key_coarse || !g->key_coarse16 || !(g->key_fine || g->key_fine16) || !g->key_lab1)
    return tinta_fail (err, TINTA_ERR_NO_MEMORY, "", "out of memory for keyframes");
  for (int k = 0; k < n; k++)
    {
      /* In bf16, conv1 goes through the frame's buffer (free between
       * frames) and is rounded from there. */
      float *fine = g->fine_bf16 ? g->fine : g->key_fine + k * n1 * g->c1;
      int st = compute_features (g, keys[k]->L, fine, g->key_coarse + k * n5 * g->c5,
                                 g->key_coarse16 + k * n5 * g->c5, err);
      if (st != TINTA_OK)
        return st;
      if (g->fine_bf16)
        tinta_match_to_bf16 (fine, g->key_fine16 + k * n1 * g->c1, n1 * g->c1);
      pack_key_lab (g, keys[k], g->key_lab1 + k * n1 * 4);
    }
  g->n_keys = n;
  return build_matmul (g, err);
}

/* The TOPK best keyframe cells of every cell: each thread takes blocks
 * of ROW_BLOCK cells, and goes through the keyframe cells a tile at a
 * time, its matmul (one thread's) and then the tile's top-k while the
 * tile is in cache. */
static int
coarse_stage (tinta_global *g, tinta_error *err)
{
  int n5 = g->h5 * g->w5, M = g->n_keys * n5, C = g->c5;
  int blocks = (n5 + ROW_BLOCK - 1) / ROW_BLOCK, K = g->topk < M ? g->topk : M;
  int b16 = g->mm_dt == dnnl_bf16;
  dnnl_status_t status = dnnl_success;
  int cancelled = 0;
#pragma omp parallel num_threads (g->mm_threads)
  {
    int t = omp_get_thread_num ();
    float *tile = g->sim_block + (size_t) t * ROW_BLOCK * g->mm_cols[0];
    dnnl_stream_t stream = NULL;
    dnnl_memory_t src = NULL, wei[2] = { NULL, NULL }, dst[2] = { NULL, NULL }, scr = NULL;
    dnnl_memory_desc_t scr_md;
    dnnl_dims_t sd = { (dnnl_dim_t) g->mm_scratch_bytes };
    dnnl_memory_desc_init_by_tag (&scr_md, 1, sd, dnnl_u8, dnnl_a);
    dnnl_status_t s = dnnl_stream_create (&stream, nn_engine (), dnnl_stream_default_flags);
    if (s == dnnl_success)
      s = dnnl_memory_create (&src, &g->mm_src, nn_engine (), b16 ? (void *) g->coarse16 : (void *) g->coarse);
    for (int i = 0; i < 2 && s == dnnl_success; i++)
      {
        s = dnnl_memory_create (&wei[i], &g->mm_wei[i], nn_engine (), g->key_packed);
        if (s == dnnl_success)
          s = dnnl_memory_create (&dst[i], &g->mm_dst[i], nn_engine (), tile);
      }
    if (s == dnnl_success)
      s = dnnl_memory_create (&scr, &scr_md, nn_engine (),
                              (char *) g->mm_scratch + (size_t) t * g->mm_scratch_bytes);
    float best[ROW_BLOCK][TOPK];
    size_t where[ROW_BLOCK][TOPK];
#pragma omp for schedule(dynamic)
    for (int blk = 0; blk < blocks; blk++)
      {
        int stop;
        if (t == 0 && g->abort_cb && g->abort_cb (g->abort_user))
          {
#pragma omp atomic write
            cancelled = 1;
          }
#pragma omp atomic read
        stop = cancelled;
        if (stop || s != dnnl_success)
          continue;
        int r0 = blk * ROW_BLOCK, rows = n5 - r0 < ROW_BLOCK ? n5 - r0 : ROW_BLOCK;
        for (int r = 0; r < rows; r++)
          for (int k = 0; k < K; k++)
            {
              best[r][k] = -INFINITY;
              where[r][k] = 0;
            }
        s = dnnl_memory_set_data_handle (src, b16 ? (void *) (g->coarse16 + (size_t) r0 * C)
                                                  : (void *) (g->coarse + (size_t) r0 * C));
        const char *wp = g->key_packed;
        for (int ct = 0; ct < g->mm_tiles && s == dnnl_success; ct++)
          {
            int i = ct == g->mm_tiles - 1, cols = g->mm_cols[i];
            s = dnnl_memory_set_data_handle (wei[i], (void *) wp);
            wp += g->mm_wei_bytes[i];
            dnnl_exec_arg_t args[4] = { { DNNL_ARG_SRC, src }, { DNNL_ARG_WEIGHTS, wei[i] },
                                        { DNNL_ARG_DST, dst[i] }, { DNNL_ARG_SCRATCHPAD, scr } };
            if (s == dnnl_success)
              s = dnnl_primitive_execute (g->mm[i], stream, 4, args);
            if (s == dnnl_success)
              s = dnnl_stream_wait (stream);
            if (s != dnnl_success)
              break;
            /* the k-th best so far carries over from tile to tile */
            for (int r = 0; r < rows; r++)
              tinta_match_topk (tile + (size_t) r * cols, (size_t) cols, K, best[r], where[r],
                                (size_t) ct * g->mm_cols[0]);
          }
        for (int r = 0; r < rows && s == dnnl_success; r++)
          {
            coarse_match *m = &g->matches[(size_t) (r0 + r) * TOPK];
            for (int k = 0; k < K; k++)
              {
                m[k].sim = best[r][k];
                m[k].key = (int) (where[r][k] / (size_t) n5);
                m[k].cell = (int) (where[r][k] % (size_t) n5);
              }
          }
      }
    if (s != dnnl_success)
      {
#pragma omp critical (tinta_global_coarse)
        status = s;
      }
    dnnl_memory_destroy (src);
    for (int i = 0; i < 2; i++)
      {
        dnnl_memory_destroy (wei[i]);
        dnnl_memory_destroy (dst[i]);
      }
    dnnl_memory_destroy (scr);
    dnnl_stream_destroy (stream);
  }
  if (status != dnnl_success)
    return nn_dnnl_fail (err, "", status, "coarse matching", "global");
  return cancelled ? TINTA_CANCELLED : TINTA_OK;
}

/* Fine matching of the positions of cell rows [cy_begin, cy_end).  The
 * positions of one cell share its TOPK coarse matches, and their search
 * windows there are the same window shifted by the position's offset in
 * the cell: one tinta_match_block_sims over the union of the windows
 * gives all their similarities (a few times fewer loads and vector FMAs
 * than one dot product at a time; the same numbers but for the order of
 * the float sums).  Each position then copies its windows' similarities
 * out of S into one contiguous array, so that the maximum, the softmax
 * weights and the weighted sum of the keyframe's packed Lab (key_lab1)
 * are vector loops. */
static int
fine_stage (tinta_global *g, int cy_begin, int cy_end)
{
  int oom = 0;
  const int R = FINE_RADIUS, W = 2 * R + 1;
  size_t n1 = (size_t) g->h1 * g->w1, lab_stride = (size_t) g->w1 * 4;
  int K = g->topk < g->n_keys * g->h5 * g->w5 ? g->topk : g->n_keys * g->h5 * g->w5;
  int qmax = g->cell_rows_max * g->cell_cols_max, qs_max = (qmax + 15) & ~15;
  size_t umax = (size_t) (g->cell_rows_max + 2 * R + 1) * (g->cell_cols_max + 2 * R + 1);
#pragma omp parallel
  {
    /* The queries transposed: f32, or bf16 channel pairs (fine_bf16). */
    float *qt = g->fine_bf16 ? NULL : tinta_alloc_aligned ((size_t) g->c1 * qs_max, sizeof (float));
    uint16_t *qt16 = g->fine_bf16 ? tinta_alloc_aligned ((size_t) g->c1 * qs_max, sizeof (uint16_t))
                                  : NULL;
    float *S = tinta_alloc_aligned ((size_t) TOPK * umax * qs_max, sizeof (float));
    /* Down the band's columns, not along its rows: the next cell's
     * windows then overlap most of this one's (its neighbour's match
     * moves it 4 positions of 10), and the previous column's are a few
     * cells back, still in L2.  Along rows they were w5 cells back, and
     * the dot products waited on L3 and memory (each window's 100 key
     * rows are 25 KB). */
    int band = cy_end - cy_begin;
#pragma omp for schedule(dynamic, 4)
    for (int cc = 0; cc < band * g->w5; cc++)
      {
        int cy = cy_begin + cc % band, cx = cc / band, ci = cy * g->w5 + cx;
        int ya = g->row_lo[cy], yb = g->row_hi[cy], xa = g->col_lo[cx], xb = g->col_hi[cx];
        if ((qt == NULL && qt16 == NULL) || S == NULL)
          {
#pragma omp atomic write
            oom = 1;
            continue;
          }
        if (ya >= yb || xa >= xb)
          continue;
        int ncol = xb - xa, nq = (yb - ya) * ncol, qs = (nq + 15) & ~15;
        for (int q = 0; q < nq; q++)
          {
            const float *f = g->fine + ((size_t) (ya + q / ncol) * g->w1 + xa + q % ncol) * g->c1;
            if (qt16)
              for (int c = 0; c < g->c1; c++)
                qt16[(size_t) (c / 2) * 2 * qs + 2 * q + c % 2] = tinta_f32_to_bf16 (f[c]);
            else
              for (int c = 0; c < g->c1; c++)
                qt[(size_t) c * qs + q] = f[c];
          }
        for (int c = 0; c < g->c1; c++)
          for (int q = nq; q < qs; q++)
            if (qt16)
              qt16[(size_t) (c / 2) * 2 * qs + 2 * q + c % 2] = 0;
            else
              qt[(size_t) c * qs + q] = 0.0f;
        const coarse_match *mk = &g->matches[(size_t) ci * TOPK];
        int uni[TOPK][4], shift[TOPK][2];
        float cw[TOPK];
        for (int k = 0; k < K; k++)
          {
            /* A position keeps its offset from its cell's centre: in
             * conv1 units it moves by 4 per cell. */
            int dy = 4 * (mk[k].cell / g->w5 - cy), dx = 4 * (mk[k].cell % g->w5 - cx);
            int *u = uni[k];
            shift[k][0] = dy;
            shift[k][1] = dx;
            u[0] = clampi (dy + ya - R, 0, g->h1 - 1);
            u[1] = clampi (dy + yb - 1 + R + 1, 1, g->h1);
            u[2] = clampi (dx + xa - R, 0, g->w1 - 1);
            u[3] = clampi (dx + xb - 1 + R + 1, 1, g->w1);
            float *Sk = S + (size_t) k * umax * qs_max;
            if (qt16)
              tinta_match_block_sims_bf16 (qt16, qs, g->key_fine16 + (size_t) mk[k].key * n1 * g->c1,
                                           g->w1, g->c1, u[0], u[1], u[2], u[3], Sk);
            else
              tinta_match_block_sims (qt, qs, g->key_fine + (size_t) mk[k].key * n1 * g->c1, g->w1,
                                      g->c1, u[0], u[1], u[2], u[3], Sk);
            /* The coarse part of the softmax weight, the same for the
             * whole cell. */
            cw[k] = k == 0 ? 1.0f : expf ((mk[k].sim - mk[0].sim) / COARSE_TAU);
          }
        for (int q = 0; q < nq; q++)
          {
            int y = ya + q / ncol, x = xa + q % ncol;
            float sims[TOPK * W * W];
            int win[TOPK][4], off[TOPK + 1];
            off[0] = 0;
            for (int k = 0; k < K; k++)
              {
                int ty = shift[k][0] + y, tx = shift[k][1] + x;
                int *wd = win[k];
                const int *u = uni[k];
                wd[0] = clampi (ty - R, 0, g->h1 - 1);
                wd[1] = clampi (ty + R + 1, 1, g->h1);
                wd[2] = clampi (tx - R, 0, g->w1 - 1);
                wd[3] = clampi (tx + R + 1, 1, g->w1);
                int uw = u[3] - u[2], nw = wd[3] - wd[2];
                float *out = sims + off[k];
                for (int wy = wd[0]; wy < wd[1]; wy++, out += nw)
                  {
                    const float *src = S + (size_t) k * umax * qs_max
                                       + ((size_t) (wy - u[0]) * uw + (wd[2] - u[2])) * qs + q;
                    for (int i = 0; i < nw; i++)
                      out[i] = src[(size_t) i * qs];
                  }
                off[k + 1] = off[k] + (wd[1] - wd[0]) * nw;
              }
            float best = tinta_match_max (sims, off[K]);
            /* Transfer the keyframes' chroma at the windows' positions,
             * weighted by softmax(coarse sim / COARSE_TAU + fine sim / FINE_TAU). */
            float acc[4] = { 0.0f, 0.0f, 0.0f, 0.0f };   /* a, b, L, weight */
            for (int k = 0; k < K; k++)
              {
                const int *wd = win[k];
                /* Weights under 1e-4 are dropped (most positions of a window). */
                float wts[W * W];
                tinta_match_weights (sims + off[k], off[k + 1] - off[k], best, 1.0f / FINE_TAU, cw[k],
                                     1e-4f, wts);
                tinta_match_weighted_sum (wts, wd[1] - wd[0], wd[3] - wd[2],
                                          g->key_lab1 + ((size_t) mk[k].key * n1
                                                         + (size_t) wd[0] * g->w1 + wd[2]) * 4,
                                          lab_stride, acc);
              }
            if (!(acc[3] > 0.0f))
              {
                /* Every weight fell under the cut: the best position lies
                 * in a window whose coarse weight is itself under it (a
                 * cell far below the top match). Transfer at that
                 * position alone (the first with the best similarity)
                 * rather than divide by zero. */
                int i = 0, k = 0;
                while (i < off[K] && !(sims[i] == best))
                  i++;
                if (i == off[K])
                  i = 0;
                while (i >= off[k + 1])
                  k++;
                const int *wd = win[k];
                int nw = wd[3] - wd[2];
                i -= off[k];
                const float *lab = g->key_lab1 + ((size_t) mk[k].key * n1
                                                  + (size_t) (wd[0] + i / nw) * g->w1 + wd[2] + i % nw) * 4;
                memcpy (acc, lab, sizeof acc);
              }
            size_t o = (size_t) y * g->w1 + x;
            g->grid_a[o] = acc[0] / acc[3];
            g->grid_b[o] = acc[1] / acc[3];
            g->grid_L[o] = acc[2] / acc[3];
            g->grid_conf[o] = best > 0.0f ? best : 0.0f;
          }
      }
    tinta_free_aligned (qt);
    tinta_free_aligned (qt16);
    tinta_free_aligned (S);
  }
  return oom ? TINTA_ERR_NO_MEMORY : TINTA_OK;
}

/* conv1 grids -> full resolution, bilinear (grid i sits on pixel 2i+1):
 * the n planes (NULL outs skipped) in one pass that works out each
 * pixel's neighbours and weights once, rows shared among the threads. */
static void
upsample (const tinta_global *g, const float *const *grids, float *const *outs, int n)
{
#pragma omp parallel for schedule(static)
  for (int y = 0; y < g->h; y++)
    {
      float gy = (y - 1) * 0.5f;
      gy = gy < 0 ? 0 : (gy > g->h1 - 1 ? (float) (g->h1 - 1) : gy);
      int y0 = (int) gy, y1 = y0 + 1 < g->h1 ? y0 + 1 : y0;
      float fy = gy - (float) y0;
      for (int x = 0; x < g->w; x++)
        {
          float gx = (x - 1) * 0.5f;
          gx = gx < 0 ? 0 : (gx > g->w1 - 1 ? (float) (g->w1 - 1) : gx);
          int x0 = (int) gx, x1 = x0 + 1 < g->w1 ? x0 + 1 : x0;
          float fx = gx - (float) x0;
          for (int p = 0; p < n; p++)
            {
              const float *grid = grids[p];
              if (outs[p] == NULL)
                continue;
              float top = grid[y0 * g->w1 + x0] * (1 - fx) + grid[y0 * g->w1 + x1] * fx;
              float bot = grid[y1 * g->w1 + x0] * (1 - fx) + grid[y1 * g->w1 + x1] * fx;
              outs[p][(size_t) y * g->w + x] = top * (1 - fy) + bot * fy;
            }
        }
    }
}

int
tinta_global_predict (tinta_global *g, const float *L, float *a, float *b, float *conf,
                      tinta_error *err)
{
  return tinta_global_predict_full (g, L, a, b, conf, NULL, err);
}

/* Half size: the 1-D weights of the conv1 grid's indices for each index
 * of the (n_full / 2)-sized output, as upsample then tinta_half_res give
 * them: the mean of the bilinear weights of full-size positions 2j and
 * 2j + 1 (with upsample's clamping).  At most 4 taps (3 in practice). */
typedef struct {
  int   i[4];
  float w[4];
  int   n;
} half_taps;

static void
add_tap (half_taps *t, int i, float w)
{
  for (int k = 0; k < t->n; k++)
    if (t->i[k] == i)
      {
        t->w[k] += w;
        return;
      }
  t->i[t->n] = i;
  t->w[t->n++] = w;
}

static void
make_half_taps (int n1, int n_full, half_taps *taps)
{
  for (int j = 0; j < n_full / 2; j++)
    {
      half_taps *t = &taps[j];
      t->n = 0;
      for (int x = 2 * j; x <= 2 * j + 1; x++)
        {
          float gx = (x - 1) * 0.5f;
          gx = gx < 0 ? 0 : (gx > n1 - 1 ? (float) (n1 - 1) : gx);
          int x0 = (int) gx, x1 = x0 + 1 < n1 ? x0 + 1 : x0;
          float fx = gx - (float) x0;
          add_tap (t, x0, 0.5f * (1 - fx));
          add_tap (t, x1, 0.5f * fx);
        }
    }
}

/* The grids at half size (see tinta_global_predict_half): rows, then
 * columns. */
static int
to_half (const tinta_global *g, const float *const *grids, float *const *outs, int n)
{
  int hw = g->w / 2, hh = g->h / 2;
  half_taps *ty = malloc ((size_t) hh * sizeof *ty), *tx = malloc ((size_t) hw * sizeof *tx);
  float *rows = tinta_alloc_aligned ((size_t) hh * g->w1, sizeof (float));
  int st = ty && tx && rows ? TINTA_OK : TINTA_ERR_NO_MEMORY;
  if (st == TINTA_OK)
    {
      make_half_taps (g->h1, g->h, ty);
      make_half_taps (g->w1, g->w, tx);
    }
  for (int p = 0; p < n && st == TINTA_OK; p++)
    {
      if (outs[p] == NULL)
        continue;
      const float *grid = grids[p];
      float *out = outs[p];
#pragma omp parallel for schedule(static)
      for (int j = 0; j < hh; j++)
        {
          float *r = rows + (size_t) j * g->w1;
          const half_taps *t = &ty[j];
          for (int x = 0; x < g->w1; x++)
            r[x] = 0.0f;
          for (int k = 0; k < t->n; k++)
            {
              const float *src = grid + (size_t) t->i[k] * g->w1;
              float w = t->w[k];
              for (int x = 0; x < g->w1; x++)
                r[x] += w * src[x];
            }
          for (int i = 0; i < hw; i++)
            {
              const half_taps *c = &tx[i];
              float v = 0.0f;
              for (int k = 0; k < c->n; k++)
                v += c->w[k] * r[c->i[k]];
              out[(size_t) j * hw + i] = v;
            }
        }
    }
  free (ty);
  free (tx);
  tinta_free_aligned (rows);
  return st;
}

/* Features, coarse and fine stages: the match on the conv1 grid
 * (g->grid_*). */
static int
match (tinta_global *g, const float *L, tinta_error *err)
{
  if (g->n_keys < 1)
    return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, "", "no keyframe set");
  double t0 = tinta_now ();
  int st = compute_features (g, L, g->fine, g->coarse, g->coarse16, err);
  double t1 = tinta_now ();
  if (st == TINTA_OK)
    st = coarse_stage (g, err);
  if (st != TINTA_OK)
    return st;
  double t2 = tinta_now ();
  /* In bands of cell rows, so that a cancellation is seen within a
   * band's time (a few ms at 480p), not the whole stage's. */
  for (int cy = 0; cy < g->h5; cy += FINE_BAND)
    {
      if (g->abort_cb && g->abort_cb (g->abort_user))
        return TINTA_CANCELLED;
      if (fine_stage (g, cy, cy + FINE_BAND < g->h5 ? cy + FINE_BAND : g->h5) != TINTA_OK)
        return tinta_fail (err, TINTA_ERR_NO_MEMORY, "", "out of memory for fine matching");
    }
  double t3 = tinta_now ();
  g->timing.frames++;
  g->timing.features_ms += 1e3 * (t1 - t0);
  g->timing.coarse_ms += 1e3 * (t2 - t1);
  g->timing.fine_ms += 1e3 * (t3 - t2);
  return TINTA_OK;
}

void
tinta_global_last_full (tinta_global *g, float *a, float *b, float *conf, float *L_match)
{
  double t0 = tinta_now ();
  const float *grids[4] = { g->grid_a, g->grid_b, g->grid_conf, g->grid_L };
  float *outs[4] = { a, b, conf, L_match };
  upsample (g, grids, outs, 4);
  g->timing.transfer_ms += 1e3 * (tinta_now () - t0);
}

int
tinta_global_predict_full (tinta_global *g, const float *L, float *a, float *b, float *conf,
                           float *L_match, tinta_error *err)
{
  int st = match (g, L, err);
  if (st == TINTA_OK)
    tinta_global_last_full (g, a, b, conf, L_match);
  return st;
}

int
tinta_global_predict_half (tinta_global *g, const float *L, float *a, float *b, float *conf,
                           float *L_match, tinta_error *err)
{
  int st = match (g, L, err);
  if (st != TINTA_OK)
    return st;
  double t0 = tinta_now ();
  const float *grids[4] = { g->grid_a, g->grid_b, g->grid_conf, g->grid_L };
  float *outs[4] = { a, b, conf, L_match };
  st = to_half (g, grids, outs, 4);
  g->timing.transfer_ms += 1e3 * (tinta_now () - t0);
  return st == TINTA_OK ? st : tinta_fail (err, st, "", "out of memory for the half-size match");
}

void
tinta_global_timing (const tinta_global *g, tinta_dvp_timing *out)
{
  *out = g->timing;
}

void
tinta_global_set_abort (tinta_global *g, tinta_abort_fn abort_cb, void *user)
{
  g->abort_cb = abort_cb;
  g->abort_user = user;
}

void
tinta_global_set_candidates (tinta_global *g, int k)
{
  g->topk = k < 1 ? 1 : (k > TOPK ? TOPK : k);
}
