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
#include <stdlib.h>
#include <string.h>
#include <oneapi/dnnl/dnnl.h>
#include "core/internal.h"
#include "dvp/local_internal.h"
#include "dvp/match.h"
#include "nn/nn_internal.h"
#include "tinta/color.h"
#include "tinta/dvp.h"

#define FINE_RADIUS 3
#define ROW_BLOCK   512
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
  float           *gray;                /* scratch: gray sRGB of L */
  float           *zero;                /* w*h zeros (ab of a gray image) */
  /* keyframes */
  int              n_keys;
  float           *key_coarse;          /* n_keys * h5*w5 * c5, unit rows */
  float           *key_fine;            /* n_keys * h1*w1 * c1, unit rows */
  float           *key_a, *key_b, *key_L;   /* n_keys * w*h full-res Lab */
  /* frame */
  float           *coarse;              /* h5*w5 * c5 */
  uint16_t        *coarse16;            /* the same in bf16 for the matmul */
  uint16_t        *key_coarse16;        /* n_keys * h5*w5 * c5 */
  dnnl_data_type_t mm_dt;
  float           *fine;                /* h1*w1 * c1 */
  coarse_match    *matches;             /* h5*w5 * TOPK, best first */
  float           *sim_block;           /* ROW_BLOCK * M */
  float           *grid_a, *grid_b, *grid_conf, *grid_L;   /* h1*w1 */
  /* coarse matmul: [rows x c5] x [c5 x M] */
  dnnl_primitive_t mm[2];               /* full block, last block */
  int              mm_rows[2];
  dnnl_memory_desc_t mm_src[2], mm_wei, mm_dst[2];
  dnnl_stream_t    stream;
  size_t           mm_scratch_bytes;
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
  void *bufs[] = { g->input, g->gray, g->zero, g->key_coarse, g->key_fine, g->key_a, g->key_b, g->key_L, g->grid_L,
                   g->coarse, g->fine, g->sim_block, g->grid_a, g->grid_b, g->grid_conf,
                   g->coarse16, g->key_coarse16 };
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
  g->gray = tinta_alloc_aligned (n, sizeof (float));
  g->zero = tinta_alloc_aligned (n, sizeof (float));
  g->coarse = tinta_alloc_aligned ((size_t) g->h5 * g->w5 * g->c5, sizeof (float));
  g->coarse16 = tinta_alloc_aligned ((size_t) g->h5 * g->w5 * g->c5, sizeof (uint16_t));
  /* Cosine similarities of unit vectors in bf16 are good to ~1e-2, plenty
   * to rank cells, and AMX/AVX512-BF16 make the matmul 5-10x faster. */
  g->mm_dt = tinta_nn_cpu_has_bf16 () ? dnnl_bf16 : dnnl_f32;
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
  if (!g->input || !g->gray || !g->zero || !g->coarse || !g->coarse16 || !g->fine || !g->grid_a || !g->grid_b
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

/* Features of a luminance plane into g->coarse and g->fine (unit rows). */
static int
compute_features (tinta_global *g, const float *L, tinta_error *err)
{
  size_t n = (size_t) g->w * g->h;
  /* The network saw RGB photos: give it the gray image as R = G = B. */
  tinta_lab_to_srgbf (L, g->zero, g->zero, n, g->gray, g->gray, g->gray);
  for (size_t i = 0; i < n; i++)
    {
      float v = g->gray[i];
      v = 255.0f * (v < 0.0f ? 0.0f : (v > 1.0f ? 1.0f : v));
      g->input[3 * i] = g->input[3 * i + 1] = g->input[3 * i + 2] = v;
    }
  const float *in[1] = { g->input };
  int st = tinta_nn_run (g->run, in, g->abort_cb, g->abort_user, NULL, err);
  if (st != TINTA_OK)
    return st;
  const float *c1 = tinta_nn_runner_output (g->run, "conv1", NULL, NULL, NULL);
  const float *c5 = tinta_nn_runner_output (g->run, "fire5", NULL, NULL, NULL);
  if (c1 == NULL || c5 == NULL)
    return tinta_fail (err, TINTA_ERR_NO_MEMORY, "", "out of memory reading features");
  size_t n1 = (size_t) g->h1 * g->w1, n5 = (size_t) g->h5 * g->w5;
  memcpy (g->fine, c1, n1 * g->c1 * sizeof (float));
  memcpy (g->coarse, c5, n5 * g->c5 * sizeof (float));
  tinta_match_normalize_rows (g->fine, n1, g->c1);
  tinta_match_normalize_rows (g->coarse, n5, g->c5);
  tinta_match_to_bf16 (g->coarse, g->coarse16, n5 * g->c5);
  return TINTA_OK;
}

static int
build_matmul (tinta_global *g, tinta_error *err)
{
  clear_matmul (g);
  dnnl_dim_t M = (dnnl_dim_t) g->n_keys * g->h5 * g->w5, C = g->c5;
  int n5 = g->h5 * g->w5;
  g->mm_rows[0] = n5 < ROW_BLOCK ? n5 : ROW_BLOCK;
  g->mm_rows[1] = n5 % g->mm_rows[0] ? n5 % g->mm_rows[0] : g->mm_rows[0];
  /* Keys are stored M x C; the matmul reads them as C x M by strides. */
  dnnl_dims_t wd = { C, M }, ws = { 1, C };
  dnnl_memory_desc_init_by_strides (&g->mm_wei, 2, wd, g->mm_dt, ws);
  dnnl_primitive_attr_t attr = NULL;
  dnnl_primitive_attr_create (&attr);
  dnnl_primitive_attr_set_scratchpad_mode (attr, dnnl_scratchpad_mode_user);
  dnnl_status_t s = dnnl_success;
  for (int i = 0; i < 2 && s == dnnl_success; i++)
    {
      dnnl_dims_t sd = { g->mm_rows[i], C }, dd = { g->mm_rows[i], M };
      dnnl_memory_desc_init_by_tag (&g->mm_src[i], 2, sd, g->mm_dt, dnnl_ab);
      dnnl_memory_desc_init_by_tag (&g->mm_dst[i], 2, dd, dnnl_f32, dnnl_ab);
      dnnl_matmul_desc_t d;
      dnnl_primitive_desc_t pd = NULL;
      s = dnnl_matmul_desc_init (&d, &g->mm_src[i], &g->mm_wei, NULL, &g->mm_dst[i]);
      if (s == dnnl_success)
        s = dnnl_primitive_desc_create (&pd, &d, attr, nn_engine (), NULL);
      if (s == dnnl_success)
        {
          const dnnl_memory_desc_t *sp = dnnl_primitive_desc_query_md (pd, dnnl_query_scratchpad_md, 0);
          size_t b = sp ? dnnl_memory_desc_get_size (sp) : 0;
          if (b > g->mm_scratch_bytes)
            g->mm_scratch_bytes = b;
          s = dnnl_primitive_create (&g->mm[i], pd);
          dnnl_primitive_desc_destroy (pd);
        }
    }
  dnnl_primitive_attr_destroy (attr);
  if (s != dnnl_success)
    return nn_dnnl_fail (err, "", s, "building the coarse matching", "global");
  g->mm_scratch = tinta_alloc_aligned (g->mm_scratch_bytes ? g->mm_scratch_bytes : 64, 1);
  tinta_free_aligned (g->sim_block);
  g->sim_block = tinta_alloc_aligned ((size_t) g->mm_rows[0] * M, sizeof (float));
  if (g->mm_scratch == NULL || g->sim_block == NULL)
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
  size_t n1 = (size_t) g->h1 * g->w1, n5 = (size_t) g->h5 * g->w5, np = (size_t) g->w * g->h;
  tinta_free_aligned (g->key_coarse);
  tinta_free_aligned (g->key_coarse16);
  tinta_free_aligned (g->key_fine);
  tinta_free_aligned (g->key_a);
  tinta_free_aligned (g->key_b);
  tinta_free_aligned (g->key_L);
  g->key_coarse = tinta_alloc_aligned (n * n5 * g->c5, sizeof (float));
  g->key_coarse16 = tinta_alloc_aligned (n * n5 * g->c5, sizeof (uint16_t));
  g->key_fine = tinta_alloc_aligned (n * n1 * g->c1, sizeof (float));
  g->key_a = tinta_alloc_aligned (n * np, sizeof (float));
  g->key_b = tinta_alloc_aligned (n * np, sizeof (float));
  g->key_L = tinta_alloc_aligned (n * np, sizeof (float));
  g->n_keys = 0;
  if (!g->key_coarse || !g->key_coarse16 || !g->key_fine || !g->key_a || !g->key_b || !g->key_L)
    return tinta_fail (err, TINTA_ERR_NO_MEMORY, "", "out of memory for keyframes");
  for (int k = 0; k < n; k++)
    {
      int st = compute_features (g, keys[k]->L, err);
      if (st != TINTA_OK)
        return st;
      memcpy (g->key_coarse + k * n5 * g->c5, g->coarse, n5 * g->c5 * sizeof (float));
      memcpy (g->key_coarse16 + k * n5 * g->c5, g->coarse16, n5 * g->c5 * sizeof (uint16_t));
      memcpy (g->key_fine + k * n1 * g->c1, g->fine, n1 * g->c1 * sizeof (float));
      memcpy (g->key_a + k * np, keys[k]->a, np * sizeof (float));
      memcpy (g->key_b + k * np, keys[k]->b, np * sizeof (float));
      memcpy (g->key_L + k * np, keys[k]->L, np * sizeof (float));
    }
  g->n_keys = n;
  return build_matmul (g, err);
}

static int
coarse_stage (tinta_global *g, tinta_error *err)
{
  int n5 = g->h5 * g->w5;
  size_t M = (size_t) g->n_keys * n5;
  for (int r0 = 0; r0 < n5; r0 += g->mm_rows[0])
    {
      if (g->abort_cb && g->abort_cb (g->abort_user))
        return TINTA_CANCELLED;
      int which = r0 + g->mm_rows[0] <= n5 ? 0 : 1;
      int rows = g->mm_rows[which];
      dnnl_memory_t src = NULL, wei = NULL, dst = NULL, scr = NULL;
      dnnl_memory_desc_t scr_md;
      dnnl_dims_t sd = { (dnnl_dim_t) g->mm_scratch_bytes };
      dnnl_memory_desc_init_by_tag (&scr_md, 1, sd, dnnl_u8, dnnl_a);
      int b16 = g->mm_dt == dnnl_bf16;
      void *src_ptr = b16 ? (void *) (g->coarse16 + (size_t) r0 * g->c5)
                          : (void *) (g->coarse + (size_t) r0 * g->c5);
      dnnl_status_t s = dnnl_memory_create (&src, &g->mm_src[which], nn_engine (), src_ptr);
      if (s == dnnl_success)
        s = dnnl_memory_create (&wei, &g->mm_wei, nn_engine (),
                                b16 ? (void *) g->key_coarse16 : (void *) g->key_coarse);
      if (s == dnnl_success)
        s = dnnl_memory_create (&dst, &g->mm_dst[which], nn_engine (), g->sim_block);
      if (s == dnnl_success)
        s = dnnl_memory_create (&scr, &scr_md, nn_engine (), g->mm_scratch);
      if (s == dnnl_success)
        {
          dnnl_exec_arg_t args[4] = { { DNNL_ARG_SRC, src }, { DNNL_ARG_WEIGHTS, wei },
                                      { DNNL_ARG_DST, dst }, { DNNL_ARG_SCRATCHPAD, scr } };
          s = dnnl_primitive_execute (g->mm[which], g->stream, 4, args);
          if (s == dnnl_success)
            s = dnnl_stream_wait (g->stream);
        }
      dnnl_memory_destroy (src);
      dnnl_memory_destroy (wei);
      dnnl_memory_destroy (dst);
      dnnl_memory_destroy (scr);
      if (s != dnnl_success)
        return nn_dnnl_fail (err, "", s, "coarse matching", "global");
#pragma omp parallel for schedule(static)
      for (int r = 0; r < rows; r++)
        {
          const float *row = g->sim_block + (size_t) r * M;
          coarse_match *m = &g->matches[(size_t) (r0 + r) * TOPK];
          int K = g->topk < (int) M ? g->topk : (int) M;
          float best[TOPK];
          size_t where[TOPK];
          tinta_match_topk (row, M, K, best, where);
          for (int k = 0; k < K; k++)
            {
              m[k].sim = best[k];
              m[k].key = (int) (where[k] / (size_t) n5);
              m[k].cell = (int) (where[k] % (size_t) n5);
            }
        }
    }
  return TINTA_OK;
}

/* Full-resolution pixel of position i (row by row) of a fine search
 * window {y0, y1, x0, x1}: conv1 position p sits on pixel 2p+1. */
static size_t
window_pixel (const tinta_global *g, const int *wd, int i)
{
  int nw = wd[3] - wd[2];
  int py = wd[0] + i / nw, px = wd[2] + i % nw;
  return (size_t) clampi (2 * py + 1, 0, g->h - 1) * g->w + (size_t) clampi (2 * px + 1, 0, g->w - 1);
}

/* Fine matching of the positions of cell rows [cy_begin, cy_end).  The
 * positions of one cell share its TOPK coarse matches, and their search
 * windows there are the same window shifted by the position's offset in
 * the cell: one tinta_match_block_sims over the union of the windows
 * gives all their similarities (a few times fewer loads and vector FMAs
 * than one dot product at a time; the same numbers but for the order of
 * the float sums). */
static int
fine_stage (tinta_global *g, int cy_begin, int cy_end)
{
  int oom = 0;
  const int R = FINE_RADIUS, W = 2 * R + 1;
  size_t n1 = (size_t) g->h1 * g->w1, np = (size_t) g->w * g->h;
  int K = g->topk < g->n_keys * g->h5 * g->w5 ? g->topk : g->n_keys * g->h5 * g->w5;
  int qmax = g->cell_rows_max * g->cell_cols_max, qs_max = (qmax + 15) & ~15;
  size_t umax = (size_t) (g->cell_rows_max + 2 * R + 1) * (g->cell_cols_max + 2 * R + 1);
#pragma omp parallel
  {
    float *qt = tinta_alloc_aligned ((size_t) g->c1 * qs_max, sizeof (float));
    float *S = tinta_alloc_aligned ((size_t) TOPK * umax * qs_max, sizeof (float));
#pragma omp for schedule(dynamic, 4)
    for (int ci = cy_begin * g->w5; ci < cy_end * g->w5; ci++)
      {
        int cy = ci / g->w5, cx = ci % g->w5;
        int ya = g->row_lo[cy], yb = g->row_hi[cy], xa = g->col_lo[cx], xb = g->col_hi[cx];
        if (qt == NULL || S == NULL)
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
            for (int c = 0; c < g->c1; c++)
              qt[(size_t) c * qs + q] = f[c];
          }
        for (int c = 0; c < g->c1; c++)
          for (int q = nq; q < qs; q++)
            qt[(size_t) c * qs + q] = 0.0f;
        const coarse_match *mk = &g->matches[(size_t) ci * TOPK];
        int uni[TOPK][4];
        for (int k = 0; k < K; k++)
          {
            /* A position keeps its offset from its cell's centre: in
             * conv1 units it moves by 4 per cell. */
            int dy = 4 * (mk[k].cell / g->w5 - cy), dx = 4 * (mk[k].cell % g->w5 - cx);
            int *u = uni[k];
            u[0] = clampi (dy + ya - R, 0, g->h1 - 1);
            u[1] = clampi (dy + yb - 1 + R + 1, 1, g->h1);
            u[2] = clampi (dx + xa - R, 0, g->w1 - 1);
            u[3] = clampi (dx + xb - 1 + R + 1, 1, g->w1);
            tinta_match_block_sims (qt, qs, g->key_fine + (size_t) mk[k].key * n1 * g->c1, g->w1,
                                    g->c1, u[0], u[1], u[2], u[3], S + (size_t) k * umax * qs_max);
          }
        for (int q = 0; q < nq; q++)
          {
            int y = ya + q / ncol, x = xa + q % ncol;
            float sims[TOPK][W * W];
            int win[TOPK][4];
            float best = -INFINITY;
            int best_k = 0, best_i = 0;
            for (int k = 0; k < K; k++)
              {
                int ty = 4 * (mk[k].cell / g->w5 - cy) + y, tx = 4 * (mk[k].cell % g->w5 - cx) + x;
                int *wd = win[k];
                const int *u = uni[k];
                wd[0] = clampi (ty - R, 0, g->h1 - 1);
                wd[1] = clampi (ty + R + 1, 1, g->h1);
                wd[2] = clampi (tx - R, 0, g->w1 - 1);
                wd[3] = clampi (tx + R + 1, 1, g->w1);
                const float *Sk = S + (size_t) k * umax * qs_max;
                int uw = u[3] - u[2], i = 0;
                for (int wy = wd[0]; wy < wd[1]; wy++)
                  for (int wx = wd[2]; wx < wd[3]; wx++, i++)
                    {
                      float v = Sk[((size_t) (wy - u[0]) * uw + (wx - u[2])) * qs + q];
                      sims[k][i] = v;
                      if (v > best)
                        {
                          best = v;
                          best_k = k;
                          best_i = i;
                        }
                    }
              }
        /* Transfer the keyframes' chroma at the windows' positions,
         * weighted by softmax(coarse sim / COARSE_TAU + fine sim / FINE_TAU). */
        float sw = 0.0f, sa = 0.0f, sb = 0.0f, sl = 0.0f;
        for (int k = 0; k < K; k++)
          {
            const coarse_match *m = &mk[k];
            const int *wd = win[k];
            int n = (wd[1] - wd[0]) * (wd[3] - wd[2]);
            const float *ka = g->key_a + (size_t) m->key * np, *kb = g->key_b + (size_t) m->key * np,
                        *kl = g->key_L + (size_t) m->key * np;
            float cw = k == 0 ? 1.0f : expf ((m->sim - mk[0].sim) / COARSE_TAU);
            /* Weights under 1e-4 are dropped (most positions of a window). */
            float wts[W * W];
            tinta_match_weights (sims[k], n, best, 1.0f / FINE_TAU, cw, 1e-4f, wts);
            int i = 0;
            for (int wy = wd[0]; wy < wd[1]; wy++)
              {
                size_t row = (size_t) clampi (2 * wy + 1, 0, g->h - 1) * g->w;
                for (int wx = wd[2]; wx < wd[3]; wx++, i++)
                  {
                    float wgt = wts[i];
                    if (wgt == 0.0f)
                      continue;
                    size_t src = row + (size_t) clampi (2 * wx + 1, 0, g->w - 1);
                    sw += wgt;
                    sa += wgt * ka[src];
                    sb += wgt * kb[src];
                    sl += wgt * kl[src];
                  }
              }
          }
        if (!(sw > 0.0f))
          {
            /* Every weight fell under the cut: the best position lies in
             * a window whose coarse weight is itself under it (a cell far
             * below the top match). Transfer at that position alone
             * rather than divide by zero. */
            size_t src = (size_t) mk[best_k].key * np + window_pixel (g, win[best_k], best_i);
            sw = 1.0f;
            sa = g->key_a[src];
            sb = g->key_b[src];
            sl = g->key_L[src];
          }
        size_t o = (size_t) y * g->w1 + x;
        g->grid_a[o] = sa / sw;
        g->grid_b[o] = sb / sw;
        g->grid_L[o] = sl / sw;
        g->grid_conf[o] = best > 0.0f ? best : 0.0f;
          }
      }
    tinta_free_aligned (qt);
    tinta_free_aligned (S);
  }
  return oom ? TINTA_ERR_NO_MEMORY : TINTA_OK;
}

/* conv1 grid -> full resolution, bilinear (grid i sits on pixel 2i+1). */
static void
upsample (const tinta_global *g, const float *grid, float *out)
{
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
          float top = grid[y0 * g->w1 + x0] * (1 - fx) + grid[y0 * g->w1 + x1] * fx;
          float bot = grid[y1 * g->w1 + x0] * (1 - fx) + grid[y1 * g->w1 + x1] * fx;
          out[(size_t) y * g->w + x] = top * (1 - fy) + bot * fy;
        }
    }
}

int
tinta_global_predict (tinta_global *g, const float *L, float *a, float *b, float *conf,
                      tinta_error *err)
{
  return tinta_global_predict_full (g, L, a, b, conf, NULL, err);
}

int
tinta_global_predict_full (tinta_global *g, const float *L, float *a, float *b, float *conf,
                           float *L_match, tinta_error *err)
{
  if (g->n_keys < 1)
    return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, "", "no keyframe set");
  double t0 = tinta_now ();
  int st = compute_features (g, L, err);
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
  upsample (g, g->grid_a, a);
  upsample (g, g->grid_b, b);
  if (conf)
    upsample (g, g->grid_conf, conf);
  if (L_match)
    upsample (g, g->grid_L, L_match);
  double t4 = tinta_now ();
  g->timing.frames++;
  g->timing.features_ms += 1e3 * (t1 - t0);
  g->timing.coarse_ms += 1e3 * (t2 - t1);
  g->timing.fine_ms += 1e3 * (t3 - t2);
  g->timing.transfer_ms += 1e3 * (t4 - t3);
  return TINTA_OK;
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
