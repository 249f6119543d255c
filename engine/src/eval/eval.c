/* The evaluation protocol of design.md §4 (see tinta/eval.h). */
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "tinta/color.h"
#include "tinta/colorize.h"
#include "tinta/eval.h"
#include "tinta/media.h"

void
tinta_eval_options_init (tinta_eval_options *o)
{
  memset (o, 0, sizeof *o);
  o->strategy = "copy";
}

void
tinta_eval_result_clear (tinta_eval_result *r)
{
  if (r == NULL)
    return;
  free (r->psnr);
  memset (r, 0, sizeof *r);
}

/* The protocol's means: frames 1..24 and all scored frames. */
typedef struct {
  double    sum25, sum_all;
  long long n25, n_all;
} psnr_means;

static void
score (psnr_means *m, tinta_eval_result *res, long long k, double p)
{
  res->psnr[k] = p;
  m->sum_all += p;
  m->n_all++;
  if (k >= 1 && k <= 24)
    {
      m->sum25 += p;
      m->n25++;
    }
}

/* The protocol with several keyframes (tinta_eval_options.keys). */
static int
eval_keys (const char *path, const tinta_eval_options *opt, tinta_eval_result *res,
           tinta_error *err)
{
  tinta_media *media = NULL, *truth_media = NULL;
  tinta_colorizer *c = NULL;
  tinta_frame *truth = NULL, *pred = NULL, *keyimg[16] = { 0 };
  tinta_keyframe keys[16];
  double t_strategy = 0.0, t0;
  int st;

  if (opt->n_keys < 1 || opt->n_keys > 16)
    return tinta_fail (err, TINTA_ERR_OUT_OF_RANGE, path, "%d keyframes: 1 to 16", opt->n_keys);
  /* Two readers: the colorizer's (it seeks for its backward passes) and
   * the truth's, in order. */
  if ((st = tinta_media_open (path, &media, err)) < 0
      || (st = tinta_media_open (path, &truth_media, err)) < 0)
    goto out;
  const tinta_media_info *info = tinta_media_get_info (media);
  long long n = info->frame_count;
  if (opt->max_frames > 0 && opt->max_frames < n)
    n = opt->max_frames;
  res->width = info->width;
  res->height = info->height;
  truth = tinta_frame_new (info->width, info->height, TINTA_FRAME_LAB | TINTA_FRAME_RGB);
  pred = tinta_frame_new (info->width, info->height, TINTA_FRAME_LAB | TINTA_FRAME_RGB);
  res->psnr = calloc ((size_t) n, sizeof *res->psnr);
  if (truth == NULL || pred == NULL || res->psnr == NULL)
    {
      st = tinta_fail (err, TINTA_ERR_NO_MEMORY, path, "out of memory");
      goto out;
    }
  for (int i = 0; i < opt->n_keys; i++)
    {
      long long f = opt->keys[i] < 0 ? n - 1 : opt->keys[i];
      if (f >= n)
        {
          st = tinta_fail (err, TINTA_ERR_OUT_OF_RANGE, path,
                           "keyframe %lld: the sequence has %lld frames", f, n);
          goto out;
        }
      keyimg[i] = tinta_frame_new (info->width, info->height, TINTA_FRAME_LAB | TINTA_FRAME_RGB);
      if (keyimg[i] == NULL)
        {
          st = tinta_fail (err, TINTA_ERR_NO_MEMORY, path, "out of memory");
          goto out;
        }
      if ((st = tinta_media_read (truth_media, f, keyimg[i], err)) < 0)
        goto out;
      keys[i].frame = f;
      keys[i].image = keyimg[i];
    }
  tinta_colorize_params cp;
  tinta_colorize_params_init (&cp);
  cp.strategy = opt->strategy;
  cp.model = opt->model;
  t0 = tinta_now ();
  st = tinta_colorizer_new (media, n, keys, opt->n_keys, &cp, &c, err);
  if (st == TINTA_OK)
    st = tinta_colorizer_analyze (c, NULL, opt->abort_cb, opt->cb_user, err);
  t_strategy += tinta_now () - t0;
  if (st != TINTA_OK)
    goto out;
  size_t npix = (size_t) info->width * (size_t) info->height;
  psnr_means m = { 0 };
  for (long long k = 0; k < n; k++)
    {
      if (opt->abort_cb && opt->abort_cb (opt->cb_user))
        {
          st = TINTA_CANCELLED;
          goto out;
        }
      t0 = tinta_now ();
      st = tinta_colorizer_frame (c, k, pred, err);
      t_strategy += tinta_now () - t0;
      if (st == TINTA_OK)
        st = tinta_media_read (truth_media, k, truth, err);
      if (st < 0)
        goto out;
      int is_key = 0;
      for (int i = 0; i < opt->n_keys; i++)
        is_key |= keys[i].frame == k;
      if (is_key)
        continue;
      /* The colorizer kept the clip's L: its RGB is the protocol's. */
      score (&m, res, k, tinta_psnr_rgb8 (pred->rgb, truth->rgb, npix));
      if (opt->progress)
        opt->progress (opt->cb_user, k, n - 1);
    }
  if (m.n_all == 0)
    {
      st = tinta_fail (err, TINTA_ERR_OUT_OF_RANGE, path, "every frame is a keyframe");
      goto out;
    }
  res->frames = n;
  res->psnr25 = m.n25 ? m.sum25 / (double) m.n25 : 0.0;
  res->psnr_all = m.sum_all / (double) m.n_all;
  res->ms_per_frame = 1000.0 * t_strategy / (double) m.n_all;
  st = TINTA_OK;
out:
  if (st != TINTA_OK)
    {
      free (res->psnr);
      res->psnr = NULL;
    }
  for (int i = 0; i < 16; i++)
    tinta_frame_free (keyimg[i]);
  tinta_colorizer_free (c);
  tinta_frame_free (truth);
  tinta_frame_free (pred);
  tinta_media_free (truth_media);
  tinta_media_free (media);
  return st;
}

int
tinta_eval_sequence (const char *path, const tinta_eval_options *opt,
                     tinta_eval_result *res, tinta_error *err)
{
  tinta_eval_options defaults;
  tinta_media *media = NULL;
  tinta_strategy *strategy = NULL;
  tinta_frame *truth = NULL, *pred = NULL;
  double t_strategy = 0.0, t_decode = 0.0, t0;
  int st;

  memset (res, 0, sizeof *res);
  if (opt == NULL)
    {
      tinta_eval_options_init (&defaults);
      opt = &defaults;
    }
  if (opt->max_frames < 0)
    return tinta_fail (err, TINTA_ERR_OUT_OF_RANGE, path, "frame limit %lld is negative",
                       opt->max_frames);
  if (opt->n_keys > 0)
    return eval_keys (path, opt, res, err);
  t0 = tinta_now ();
  st = tinta_media_open (path, &media, err);
  if (st < 0)
    return st;
  t_decode += tinta_now () - t0;
  const tinta_media_info *info = tinta_media_get_info (media);
  long long n = info->frame_count;
  if (opt->max_frames > 0 && opt->max_frames < n)
    n = opt->max_frames;
  if (n < 2)
    {
      st = tinta_fail (err, TINTA_ERR_OUT_OF_RANGE, path,
                       "a sequence needs at least 2 frames (a keyframe and one to predict)");
      goto out;
    }
  st = tinta_strategy_new_with_model (opt->strategy, opt->model, info->width, info->height,
                                      &strategy, err);
  if (st < 0)
    goto out;
  truth = tinta_frame_new (info->width, info->height, TINTA_FRAME_LAB | TINTA_FRAME_RGB);
  pred = tinta_frame_new (info->width, info->height, TINTA_FRAME_LAB | TINTA_FRAME_RGB);
  res->psnr = calloc ((size_t) n, sizeof *res->psnr);
  if (truth == NULL || pred == NULL || res->psnr == NULL)
    {
      st = tinta_fail (err, TINTA_ERR_NO_MEMORY, path, "out of memory");
      goto out;
    }
  res->width = info->width;
  res->height = info->height;

  t0 = tinta_now ();
  st = tinta_media_read (media, 0, truth, err);
  t_decode += tinta_now () - t0;
  if (st < 0)
    goto out;
  t0 = tinta_now ();
  st = tinta_strategy_begin (strategy, truth, err);
  t_strategy += tinta_now () - t0;
  if (st < 0)
    goto out;

  size_t npix = (size_t) info->width * (size_t) info->height;
  psnr_means m = { 0 };
  for (long long k = 1; k < n; k++)
    {
      if (opt->abort_cb && opt->abort_cb (opt->cb_user))
        {
          st = TINTA_CANCELLED;
          goto out;
        }
      t0 = tinta_now ();
      st = tinta_media_read (media, k, truth, err);
      t_decode += tinta_now () - t0;
      if (st < 0)
        goto out;
      /* The strategy sees only the gray input: L of the true frame. */
      memcpy (pred->L, truth->L, npix * sizeof (float));
      t0 = tinta_now ();
      st = tinta_strategy_next (strategy, pred, err);
      t_strategy += tinta_now () - t0;
      if (st < 0)
        goto out;
      /* Rebuild RGB from the true L and the predicted chroma. */
      tinta_lab_to_srgb8 (truth->L, pred->a, pred->b, npix, pred->rgb);
      score (&m, res, k, tinta_psnr_rgb8 (pred->rgb, truth->rgb, npix));
      if (opt->progress)
        opt->progress (opt->cb_user, k, n - 1);
    }
  res->frames = n;
  res->psnr25 = m.sum25 / (double) m.n25;
  res->psnr_all = m.sum_all / (double) m.n_all;
  res->ms_per_frame = 1000.0 * t_strategy / (double) (n - 1);
  res->decode_ms_per_frame = 1000.0 * t_decode / (double) n;
  st = TINTA_OK;

out:
  if (st != TINTA_OK)
    {
      free (res->psnr);
      res->psnr = NULL;
    }
  tinta_frame_free (truth);
  tinta_frame_free (pred);
  tinta_strategy_free (strategy);
  tinta_media_free (media);
  return st;
}
