/* The evaluation protocol of design.md §4 (see tinta/eval.h). */
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "tinta/color.h"
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
  double sum25 = 0.0, sum_all = 0.0;
  long long n25 = 0;
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
      double p = tinta_psnr_rgb8 (pred->rgb, truth->rgb, npix);
      res->psnr[k] = p;
      sum_all += p;
      if (k <= 24)
        {
          sum25 += p;
          n25++;
        }
      if (opt->progress)
        opt->progress (opt->cb_user, k, n - 1);
    }
  res->frames = n;
  res->psnr25 = sum25 / (double) n25;
  res->psnr_all = sum_all / (double) (n - 1);
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
