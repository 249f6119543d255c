/* The local strategy (see tinta/dvp.h): everything at half resolution,
 * the rules of training/dvp_ops.py (2x2 mean down, bilinear up). The
 * network sees only the two gray frames, so its outputs for a frame pair
 * do not depend on the colors: repainting a keyframe never needs it run
 * again (issue 5's cache can keep them). */
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "dvp/local_apply.h"
#include "dvp/resample.h"
#include "tinta/dvp.h"
#include "dvp/local_internal.h"

struct tinta_local {
  tinta_nn_model  *model;
  tinta_nn_plan   *plan;
  tinta_nn_runner *run;
  int              w, h, hw, hh, taps;
  float           *g_prev, *g_cur;     /* L / 100 at half resolution */
  float           *ab[2], *ab_next[2]; /* chroma at half resolution */
  float           *half;               /* scratch */
  float           *l_warp;             /* g_prev moved by the last step */
  tinta_abort_fn   abort_cb;
  void            *abort_user;
  char            *path;
};

void
tinta_local_free (tinta_local *l)
{
  if (l == NULL)
    return;
  tinta_nn_runner_free (l->run);
  tinta_nn_plan_free (l->plan);
  tinta_nn_model_free (l->model);
  void *bufs[] = { l->g_prev, l->g_cur, l->ab[0], l->ab[1], l->ab_next[0], l->ab_next[1], l->half,
                   l->l_warp };
  for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
    tinta_free_aligned (bufs[i]);
  free (l->path);
  free (l);
}

int
tinta_local_new (const char *model_path, int width, int height, tinta_local **out,
                 tinta_error *err)
{
  char path[4096];
  *out = NULL;
  if (width < 8 || height < 8 || width > TINTA_MAX_DIMENSION || height > TINTA_MAX_DIMENSION)
    return tinta_fail (err, TINTA_ERR_OUT_OF_RANGE, "", "local propagation needs 8..%d pixels per side",
                       TINTA_MAX_DIMENSION);
  if (model_path == NULL)
    {
      if (!tinta_model_find (TINTA_DVP_MODEL, path, sizeof path))
        return tinta_fail (err, TINTA_ERR_NOT_FOUND, path, "the model file is missing (the build makes it from models/ and "
                           "../shared/pretrained; set TINTA_MODEL_DIR or give a file)");
      model_path = path;
    }
  tinta_local *l = calloc (1, sizeof *l);
  if (l == NULL || (l->path = strdup (model_path)) == NULL)
    {
      free (l);
      return tinta_fail (err, TINTA_ERR_NO_MEMORY, "", "out of memory");
    }
  l->w = width;
  l->h = height;
  l->hw = width / 2;
  l->hh = height / 2;
  int c = 0, st = tinta_nn_model_load (model_path, TINTA_LOCAL_ARCH, &l->model, err);
  if (st == TINTA_OK)
    st = tinta_nn_plan_new (l->model, l->hh, l->hw, TINTA_NN_AUTO, &l->plan, err);
  if (st == TINTA_OK)
    st = tinta_nn_runner_new (l->plan, &l->run, err);
  if (st == TINTA_OK
      && (tinta_nn_plan_shape (l->plan, "kv", &l->taps, NULL, NULL) < 0
          || tinta_nn_plan_shape (l->plan, "disp", &c, NULL, NULL) < 0 || c != 2
          || l->taps < 1 || l->taps > TINTA_LOCAL_MAX_TAPS || l->taps % 2 == 0))
    st = tinta_fail (err, TINTA_ERR_INVALID_DATA, model_path,
                     "the local model needs outputs disp (2 channels) and kv/kh (odd taps <= %d)",
                     TINTA_LOCAL_MAX_TAPS);
  size_t n = (size_t) l->hw * l->hh;
  if (st == TINTA_OK)
    {
      l->g_prev = tinta_alloc_aligned (n, sizeof (float));
      l->g_cur = tinta_alloc_aligned (n, sizeof (float));
      l->half = tinta_alloc_aligned (n, sizeof (float));
      l->l_warp = tinta_alloc_aligned (n, sizeof (float));
      for (int i = 0; i < 2; i++)
        {
          l->ab[i] = tinta_alloc_aligned (n, sizeof (float));
          l->ab_next[i] = tinta_alloc_aligned (n, sizeof (float));
        }
      if (!l->g_prev || !l->g_cur || !l->half || !l->l_warp || !l->ab[0] || !l->ab[1] || !l->ab_next[0]
          || !l->ab_next[1])
        st = tinta_fail (err, TINTA_ERR_NO_MEMORY, "", "out of memory for local propagation");
    }
  if (st < 0)
    {
      tinta_local_free (l);
      return st;
    }
  *out = l;
  return TINTA_OK;
}

static void
gray_half (tinta_local *l, const float *L, float *dst)
{
  size_t n = (size_t) l->hw * l->hh;
  tinta_half_res (L, l->w, l->h, dst);
  for (size_t i = 0; i < n; i++)
    dst[i] *= 0.01f;
}

int
tinta_local_reset (tinta_local *l, const float *L, const float *a, const float *b,
                   tinta_error *err)
{
  gray_half (l, L, l->g_prev);
  tinta_half_res (a, l->w, l->h, l->ab[0]);
  tinta_half_res (b, l->w, l->h, l->ab[1]);
  return TINTA_OK;
}

int
tinta_local_step_half (tinta_local *l, const float *L, tinta_local_step *out, tinta_error *err)
{
  gray_half (l, L, l->g_cur);
  const float *in[2] = { l->g_prev, l->g_cur };
  int st = tinta_nn_run (l->run, in, l->abort_cb, l->abort_user, NULL, err);
  if (st != TINTA_OK)
    return st;
  const float *disp = tinta_nn_runner_output (l->run, "disp", NULL, NULL, NULL);
  const float *kv = tinta_nn_runner_output (l->run, "kv", NULL, NULL, NULL);
  const float *kh = tinta_nn_runner_output (l->run, "kh", NULL, NULL, NULL);
  const float *cf = tinta_nn_runner_output (l->run, "conf", NULL, NULL, NULL);
  if (!disp || !kv || !kh || !cf)
    return tinta_fail (err, TINTA_ERR_NO_MEMORY, l->path, "out of memory reading outputs");
  /* Chroma and gray share displacement and kernels: the moved gray is
   * what the fusion compares with the true one (l_warp). */
  const float *src[3] = { l->ab[0], l->ab[1], l->g_prev };
  float *dst[3] = { l->ab_next[0], l->ab_next[1], l->l_warp };
  tinta_local_apply (src, 3, l->hw, l->hh, disp, kv, kh, l->taps, dst);
  for (int i = 0; i < 2; i++)
    {
      float *t = l->ab[i];
      l->ab[i] = l->ab_next[i];
      l->ab_next[i] = t;
    }
  float *t = l->g_prev;
  l->g_prev = l->g_cur;
  l->g_cur = t;
  out->a = l->ab[0];
  out->b = l->ab[1];
  out->g_cur = l->g_prev;
  out->l_warp = l->l_warp;
  out->conf = cf;
  out->width = l->hw;
  out->height = l->hh;
  return TINTA_OK;
}

void
tinta_local_set_state_half (tinta_local *l, const float *a, const float *b)
{
  size_t n = (size_t) l->hw * l->hh;
  memcpy (l->ab[0], a, n * sizeof (float));
  memcpy (l->ab[1], b, n * sizeof (float));
}

int
tinta_local_next (tinta_local *l, const float *L, float *a, float *b, float *conf,
                  tinta_error *err)
{
  tinta_local_step s;
  int st = tinta_local_step_half (l, L, &s, err);
  if (st != TINTA_OK)
    return st;
  tinta_upsample_bilinear (s.a, s.width, s.height, a, l->w, l->h);
  tinta_upsample_bilinear (s.b, s.width, s.height, b, l->w, l->h);
  if (conf)
    tinta_upsample_bilinear (s.conf, s.width, s.height, conf, l->w, l->h);
  return TINTA_OK;
}

void
tinta_local_set_prev (tinta_local *l, const float *L)
{
  gray_half (l, L, l->g_prev);
}

void
tinta_local_set_abort (tinta_local *l, tinta_abort_fn abort_cb, void *user)
{
  l->abort_cb = abort_cb;
  l->abort_user = user;
}
