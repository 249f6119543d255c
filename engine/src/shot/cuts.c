/* Hard shot-cut detection (see tinta/cuts.h for the method in brief).
 *
 * A frame's signature: its 16x9 block means and a 64-bin histogram of its
 * luminance, both after subtracting the frame's mean L and dividing by its
 * standard deviation (its structure, which survives a change of exposure);
 * the rank of each block mean among the 144 (its order, which survives any
 * brightening, even one that clips half the picture to white); and a plain
 * 64-bin histogram of L (its tone).  The distance of two frames is the
 * smaller of two explanations of the change, motion and a change of light:
 *
 *   as_motion      = (blocks + 0.5 * shape) * (1 + 4 * tone)
 *   as_tone_change = 4 * order
 *
 * where blocks (order) is the mean, over blocks, of the difference to the
 * closest normalized block mean (rank) among the 3x3 blocks around the
 * same place in the other frame, so motion of up to a block (1/16 of the
 * width) per frame costs little; shape and tone are half the L1 distance
 * of the histograms (0..1).  Tone only amplifies structure, so an
 * exposure change alone scores low, while a cut changes both; order
 * catches the flash whose clipping changes the structure too.
 *
 * The score of a frame is its distance to the closest of the last
 * CUT_HISTORY frames, so the frame after a short flash or glitch, which
 * looks like the frame before it, scores low too.
 *
 * The constants were chosen by measurement on the twelve DAVIS sequences
 * of ../shared/data/eval (no cut in any) and on 616 clips glued from
 * them (20 frames of one from frames 0, 10, 20..., then 20 of another):
 * the largest score without a cut is 0.394 (motocross-jump frame 19, the
 * bike leaping a quarter of the frame), the smallest at a glued cut 0.539;
 * hence the floor 0.46 between them (x1.17 either way).  A cut scores at
 * least 2.85 times the median of the 12 scores before it (after the
 * fastest DAVIS motion), hence the ratio 2.5, which keeps shots with
 * sustained motion faster than DAVIS's from cutting at every jolt.  With
 * these, none of the 12 sequences has a false cut and all 616 cuts are
 * found.  What was tried and did worse: without the 3x3 search,
 * motocross-jump's leap scored above the weakest cuts (0.79 against 0.69);
 * the plain histogram in place of the normalized one separated DAVIS as
 * well, but a flash moves it almost entirely (by 0.95 at the generated
 * flash of tests/engine/test-cuts.c), so it only multiplies here;
 * ranks in place of normalized means separated x1.11 at best instead of
 * x1.37 between the weakest cut and the strongest motion.
 * The order term's weight 4 keeps it above the floor at every glued cut
 * (its smallest there is 0.142, x4 = 0.57). */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "tinta/cuts.h"
#include "tinta/frame.h"
#include "tinta/media.h"

#define CUT_HIST_BINS   64
#define CUT_GRID_W      16
#define CUT_GRID_H      9
#define CUT_BLOCKS      (CUT_GRID_W * CUT_GRID_H)
#define CUT_HISTORY     3     /* covers a flash or glitch of two frames */
#define CUT_MAX_WINDOW  256

/* The normalized histogram spans +-3 standard deviations; the rest lands
 * in the end bins. */
#define CUT_HIST_SPAN   3.0
/* A nearly flat frame (black, fog) has no contrast to normalize by: its
 * deviation is taken as at least this many L units, so sensor noise is not
 * blown up into structure. */
#define CUT_MIN_STDDEV  4.0

/* Weights (see the measurements above). */
#define CUT_WEIGHT_SHAPE  0.5f   /* normalized histogram, beside blocks (1) */
#define CUT_WEIGHT_TONE   4.0f   /* plain histogram, as a factor */
#define CUT_WEIGHT_ORDER  4.0f   /* block ranks, the other explanation */

typedef struct {
  float shape[CUT_HIST_BINS];  /* of (L - mean) / deviation; sums to 1 */
  float tone[CUT_HIST_BINS];   /* of L; sums to 1 */
  float blocks[CUT_BLOCKS];    /* (block mean - frame mean) / deviation */
  float order[CUT_BLOCKS];     /* rank of each block mean, scaled to deviation 1 */
} cut_signature;

struct tinta_cut_detector {
  int              width;
  int              height;
  tinta_cut_params params;
  int             *block_of_column;   /* x -> block column */
  double           block_sum[CUT_BLOCKS];
  long long        block_count[CUT_BLOCKS];

  cut_signature    history[CUT_HISTORY];   /* ring, next written at history_head */
  int              history_len;
  int              history_head;

  float            scores[CUT_MAX_WINDOW]; /* ring of the last `window` scores */
  int              scores_len;
  int              scores_head;
  float            sort_buf[CUT_MAX_WINDOW];

  long long        since_cut;              /* frames since the last cut */
};

void
tinta_cut_params_init (tinta_cut_params *p)
{
  if (p == NULL)
    return;
  p->floor = 0.46f;
  p->ratio = 2.5f;
  p->window = 12;     /* half a second at 24 fps */
  p->min_shot = 3;
}

static int
check_params (const tinta_cut_params *p, tinta_error *err)
{
  if (!(p->floor >= 0.0f && p->floor <= 10.0f))
    return tinta_fail (err, TINTA_ERR_OUT_OF_RANGE, "", "cut floor %g is outside 0..10",
                       (double) p->floor);
  if (!(p->ratio >= 0.0f && p->ratio <= 100.0f))
    return tinta_fail (err, TINTA_ERR_OUT_OF_RANGE, "", "cut ratio %g is outside 0..100",
                       (double) p->ratio);
  if (p->window < 1 || p->window > CUT_MAX_WINDOW)
    return tinta_fail (err, TINTA_ERR_OUT_OF_RANGE, "", "cut window %d is outside 1..%d",
                       p->window, CUT_MAX_WINDOW);
  if (p->min_shot < 0)
    return tinta_fail (err, TINTA_ERR_OUT_OF_RANGE, "", "minimum shot length %d is negative",
                       p->min_shot);
  return TINTA_OK;
}

int
tinta_cut_detector_new (int width, int height, const tinta_cut_params *params,
                        tinta_cut_detector **out, tinta_error *err)
{
  tinta_cut_params defaults;
  if (out == NULL)
    return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, "", "no place for the cut detector");
  *out = NULL;
  if (width < 1 || height < 1 || width > TINTA_MAX_DIMENSION || height > TINTA_MAX_DIMENSION)
    return tinta_fail (err, TINTA_ERR_OUT_OF_RANGE, "", "frame size %dx%d is out of range",
                       width, height);
  if (params == NULL)
    {
      tinta_cut_params_init (&defaults);
      params = &defaults;
    }
  int st = check_params (params, err);
  if (st < 0)
    return st;

  tinta_cut_detector *d = calloc (1, sizeof *d);
  if (d == NULL || (d->block_of_column = malloc ((size_t) width * sizeof (int))) == NULL)
    {
      free (d);
      return tinta_fail (err, TINTA_ERR_NO_MEMORY, "", "out of memory");
    }
  d->width = width;
  d->height = height;
  d->params = *params;
  for (int x = 0; x < width; x++)
    d->block_of_column[x] = (int) ((long long) x * CUT_GRID_W / width);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      d->block_count[(long long) y * CUT_GRID_H / height * CUT_GRID_W + d->block_of_column[x]]++;
  *out = d;
  return TINTA_OK;
}

void
tinta_cut_detector_free (tinta_cut_detector *d)
{
  if (d == NULL)
    return;
  free (d->block_of_column);
  free (d);
}

void
tinta_cut_detector_reset (tinta_cut_detector *d)
{
  if (d == NULL)
    return;
  d->history_len = 0;
  d->history_head = 0;
  d->scores_len = 0;
  d->scores_head = 0;
  d->since_cut = 0;
}

/* NaN fails both comparisons and becomes 0. */
static inline float
clamp_L (float v)
{
  return v > 0.0f ? (v < 100.0f ? v : 100.0f) : 0.0f;
}

static void
compute_signature (tinta_cut_detector *d, const float *L, cut_signature *sig)
{
  const int w = d->width, h = d->height;
  const size_t n = (size_t) w * (size_t) h;
  double sum = 0.0, sum_sq = 0.0;

  memset (d->block_sum, 0, sizeof d->block_sum);
  for (int y = 0; y < h; y++)
    {
      const float *row = L + (size_t) y * (size_t) w;
      double *bsum = d->block_sum + (long long) y * CUT_GRID_H / h * CUT_GRID_W;
      double row_sum = 0.0, row_sq = 0.0;
      for (int x = 0; x < w; x++)
        {
          float v = clamp_L (row[x]);
          row_sum += v;
          row_sq += (double) v * v;
          bsum[d->block_of_column[x]] += v;
        }
      sum += row_sum;
      sum_sq += row_sq;
    }
  double mean = sum / (double) n;
  double var = sum_sq / (double) n - mean * mean;
  double dev = var > 0.0 ? sqrt (var) : 0.0;
  if (dev < CUT_MIN_STDDEV)
    dev = CUT_MIN_STDDEV;

  /* A frame narrower than 16 or shorter than 9 pixels leaves blocks empty:
   * they read as the frame mean in every frame, so they never differ. */
  for (int b = 0; b < CUT_BLOCKS; b++)
    sig->blocks[b] = d->block_count[b] > 0
                     ? (float) ((d->block_sum[b] / (double) d->block_count[b] - mean) / dev)
                     : 0.0f;

  /* Ranks, ties sharing the mean of theirs: 144 blocks, so a plain count
   * is cheaper than sorting.  Uniform ranks in [0, 1] have deviation
   * 1/sqrt(12); scaling by sqrt(12) makes them comparable to `blocks`. */
  for (int b = 0; b < CUT_BLOCKS; b++)
    {
      int below = 0, equal = 0;
      for (int c = 0; c < CUT_BLOCKS; c++)
        {
          below += sig->blocks[c] < sig->blocks[b];
          equal += sig->blocks[c] == sig->blocks[b];
        }
      sig->order[b] = (float) ((below + 0.5 * (equal - 1)) / (CUT_BLOCKS - 1) * sqrt (12.0));
    }

  long long shape[CUT_HIST_BINS] = { 0 }, tone[CUT_HIST_BINS] = { 0 };
  const float lo = (float) (mean - CUT_HIST_SPAN * dev);
  const float to_bin = (float) (CUT_HIST_BINS / (2.0 * CUT_HIST_SPAN * dev));
  const float tone_bin = CUT_HIST_BINS / 100.0f;
  for (size_t i = 0; i < n; i++)
    {
      float v = clamp_L (L[i]);
      float t = (v - lo) * to_bin;
      shape[t > 0.0f ? (t < (float) (CUT_HIST_BINS - 1) ? (int) t : CUT_HIST_BINS - 1) : 0]++;
      int k = (int) (v * tone_bin);
      tone[k < CUT_HIST_BINS ? k : CUT_HIST_BINS - 1]++;
    }
  for (int k = 0; k < CUT_HIST_BINS; k++)
    {
      sig->shape[k] = (float) ((double) shape[k] / (double) n);
      sig->tone[k] = (float) ((double) tone[k] / (double) n);
    }
}

/* Half the L1 distance of two distributions, in [0, 1]. */
static double
histogram_distance (const float *p, const float *q)
{
  double sum = 0.0;
  for (int k = 0; k < CUT_HIST_BINS; k++)
    sum += fabsf (p[k] - q[k]);
  return 0.5 * sum;
}

/* Mean over blocks of b of the difference to the closest value among the
 * 3x3 blocks around the same place in a (so motion of up to a block, 1/16
 * of the width, per frame costs little). */
static double
block_distance (const float *a, const float *b)
{
  double sum = 0.0;
  for (int y = 0; y < CUT_GRID_H; y++)
    for (int x = 0; x < CUT_GRID_W; x++)
      {
        float v = b[y * CUT_GRID_W + x], best = INFINITY;
        for (int yy = y > 0 ? y - 1 : 0; yy <= y + 1 && yy < CUT_GRID_H; yy++)
          for (int xx = x > 0 ? x - 1 : 0; xx <= x + 1 && xx < CUT_GRID_W; xx++)
            {
              float diff = fabsf (v - a[yy * CUT_GRID_W + xx]);
              if (diff < best)
                best = diff;
            }
        sum += best;
      }
  return sum / CUT_BLOCKS;
}

/* Distance of frame b to an earlier frame a (not symmetric). */
static float
signature_distance (const cut_signature *a, const cut_signature *b)
{
  double structure = block_distance (a->blocks, b->blocks)
                     + CUT_WEIGHT_SHAPE * histogram_distance (a->shape, b->shape);
  double as_motion = structure * (1.0 + CUT_WEIGHT_TONE * histogram_distance (a->tone, b->tone));
  double as_tone_change = CUT_WEIGHT_ORDER * block_distance (a->order, b->order);
  return (float) (as_motion < as_tone_change ? as_motion : as_tone_change);
}

static int
cmp_float (const void *a, const void *b)
{
  float x = *(const float *) a, y = *(const float *) b;
  return (x > y) - (x < y);
}

static float
recent_median (tinta_cut_detector *d)
{
  int n = d->scores_len;
  memcpy (d->sort_buf, d->scores, (size_t) n * sizeof (float));
  qsort (d->sort_buf, (size_t) n, sizeof (float), cmp_float);
  return n % 2 ? d->sort_buf[n / 2] : 0.5f * (d->sort_buf[n / 2 - 1] + d->sort_buf[n / 2]);
}

/* The decision, apart from the pixels (so it can be replayed on stored
 * signatures when tuning). */
static void
push_signature (tinta_cut_detector *d, const cut_signature *sig, int *is_cut, float *score)
{
  float s = 0.0f;
  *is_cut = 0;
  if (d->history_len > 0)
    {
      s = INFINITY;
      for (int i = 0; i < d->history_len; i++)
        {
          float di = signature_distance (sig, &d->history[i]);
          if (di < s)
            s = di;
        }
      /* The median is of the scores before this one: the cut must stand
       * out of the motion that precedes it.  With no score yet (second
       * frame) only the floor applies. */
      float bar = d->params.floor;
      if (d->scores_len > 0)
        {
          float m = d->params.ratio * recent_median (d);
          if (m > bar)
            bar = m;
        }
      if (s > bar && d->since_cut >= d->params.min_shot)
        {
          /* The old shot's motion says nothing about the new one's: its
           * bar is raised by its own scores only, the cut's excluded. */
          *is_cut = 1;
          d->scores_len = 0;
          d->scores_head = 0;
        }
      else
        {
          d->scores[d->scores_head] = s;
          d->scores_head = (d->scores_head + 1) % d->params.window;
          if (d->scores_len < d->params.window)
            d->scores_len++;
        }
    }
  d->since_cut = *is_cut ? 0 : d->since_cut + 1;
  d->history[d->history_head] = *sig;
  d->history_head = (d->history_head + 1) % CUT_HISTORY;
  if (d->history_len < CUT_HISTORY)
    d->history_len++;
  *score = s;
}

int
tinta_cut_detector_push (tinta_cut_detector *d, const float *L, int *is_cut, float *score,
                         tinta_error *err)
{
  if (is_cut != NULL)
    *is_cut = 0;
  if (score != NULL)
    *score = 0.0f;
  if (d == NULL || L == NULL || is_cut == NULL)
    return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, "",
                       "cut detection needs a detector, an L plane and a place for the answer");
  cut_signature sig;
  float s;
  compute_signature (d, L, &sig);
  push_signature (d, &sig, is_cut, &s);
  if (score != NULL)
    *score = s;
  return TINTA_OK;
}

int
tinta_detect_cuts_clip (const char *path, int **cuts, int *n_cuts, tinta_error *err)
{
  if (cuts != NULL)
    *cuts = NULL;
  if (n_cuts != NULL)
    *n_cuts = 0;
  if (path == NULL || cuts == NULL || n_cuts == NULL)
    return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, path ? path : "",
                       "cut detection needs a clip path and places for the cuts");

  tinta_media *media = NULL;
  tinta_frame *frame = NULL;
  tinta_cut_detector *d = NULL;
  int *list = NULL, n = 0, cap = 0;
  int st = tinta_media_open (path, &media, err);
  if (st < 0)
    return st;
  const tinta_media_info *info = tinta_media_get_info (media);
  if (info->frame_count > INT_MAX)
    {
      st = tinta_fail (err, TINTA_ERR_TOO_LARGE, path, "%lld frames are more than cut indices hold",
                       info->frame_count);
      goto out;
    }
  st = tinta_cut_detector_new (info->width, info->height, NULL, &d, err);
  if (st < 0)
    goto out;
  frame = tinta_frame_new (info->width, info->height, TINTA_FRAME_LAB | TINTA_FRAME_RGB);
  if (frame == NULL)
    {
      st = tinta_fail (err, TINTA_ERR_NO_MEMORY, path, "out of memory for a %dx%d frame",
                       info->width, info->height);
      goto out;
    }
  for (long long k = 0; k < info->frame_count; k++)
    {
      int is_cut;
      st = tinta_media_read (media, k, frame, err);
      if (st < 0)
        goto out;
      st = tinta_cut_detector_push (d, frame->L, &is_cut, NULL, err);
      if (st < 0)
        goto out;
      if (!is_cut)
        continue;
      if (n == cap)
        {
          int new_cap = cap ? 2 * cap : 16;
          int *grown = realloc (list, (size_t) new_cap * sizeof *grown);
          if (grown == NULL)
            {
              st = tinta_fail (err, TINTA_ERR_NO_MEMORY, path, "out of memory");
              goto out;
            }
          list = grown;
          cap = new_cap;
        }
      list[n++] = (int) k;
    }
  *cuts = list;
  *n_cuts = n;
  list = NULL;
  st = TINTA_OK;

out:
  free (list);
  tinta_frame_free (frame);
  tinta_cut_detector_free (d);
  tinta_media_free (media);
  return st;
}
