/* The fused strategy (see tinta/dvp.h): local step + global match + the
 * fusion network, all at the local network's half resolution, the fused
 * chroma fed back as the state of the next local step (design.md §2).
 * The inputs are those of training/dvp_model.py:build_fusion_graph, built
 * here exactly as training/dvp_train.py:make_fusion_step builds them. */
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "dvp/local_internal.h"
#include "dvp/resample.h"
#include "dvp/fused_internal.h"
#include "tinta/dvp.h"

#define L_SCALE  100.0f
#define AB_SCALE 110.0f
#define T_KEY_FRAMES 64.0f   /* dvp_model.T_KEY_SCALE */
#define FUSED_CANDIDATES 2   /* coarse candidates of the global match (see tinta_fused_new) */

struct tinta_fused {
  tinta_local     *local;
  tinta_global    *global;
  tinta_nn_model  *model;
  tinta_nn_plan   *plan;
  tinta_nn_runner *run;
  int              w, h, hw, hh;
  long long        since_key;
  float           *in_ab_local, *in_ab_global, *in_sim, *in_conf, *in_t, *in_lg;  /* NHWC */
  float           *fa, *fb;            /* fused chroma, half size, Lab units */
  float           *gh;                 /* the step's global inputs, half size: a, b, sim, L */
  int              memo;               /* 1: the next step takes gh as it is (no matching) */
  float           *la, *lb, *lc;       /* the last local step: chroma, confidence (half) */
  tinta_abort_fn   abort_cb;
  void            *abort_user;
  char            *path;
  double           local_ms, fusion_ms;
};

void
tinta_fused_free (tinta_fused *f)
{
  if (f == NULL)
    return;
  tinta_local_free (f->local);
  tinta_global_free (f->global);
  tinta_nn_runner_free (f->run);
  tinta_nn_plan_free (f->plan);
  tinta_nn_model_free (f->model);
  void *bufs[] = { f->in_ab_local, f->in_ab_global,
                   f->in_sim, f->in_conf, f->in_t, f->in_lg, f->fa, f->fb, f->la, f->lb, f->lc, f->gh };
  for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
    tinta_free_aligned (bufs[i]);
  free (f->path);
  free (f);
}

int
tinta_fused_new (const char *model_path, int width, int height, tinta_fused **out,
                 tinta_error *err)
{
  char path[4096];
  *out = NULL;
  if (model_path == NULL)
    {
      if (!tinta_model_find (TINTA_DVP_MODEL, path, sizeof path))
        return tinta_fail (err, TINTA_ERR_NOT_FOUND, path, "the model file is missing (the build makes it from models/ and "
                           "../shared/pretrained; set TINTA_MODEL_DIR or give a file)");
      model_path = path;
    }
  const char *fusion_path = model_path;
  tinta_fused *f = calloc (1, sizeof *f);
  if (f == NULL || (f->path = strdup (fusion_path)) == NULL)
    {
      free (f);
      return tinta_fail (err, TINTA_ERR_NO_MEMORY, "", "out of memory");
    }
  f->w = width;
  f->h = height;
  f->hw = width / 2;
  f->hh = height / 2;
  int st = tinta_local_new (model_path, width, height, &f->local, err);
  if (st == TINTA_OK)
    st = tinta_global_new (model_path, width, height, &f->global, err);
  /* Two coarse candidates, not the global strategy's four: the fusion
   * network makes up the difference.  Held-out clips (dvp_data.VAL_CLIPS,
   * `tinta-cli eval --strategy fused`, frames 1-24 / all): top 4
   * 36.47 / 35.16 dB, top 2 36.49 / 35.17, at half the fine stage's
   * time (top 6 36.43 / 35.13; radius 4 36.40 / 35.10). */
  if (st == TINTA_OK)
    tinta_global_set_candidates (f->global, FUSED_CANDIDATES);
  if (st == TINTA_OK)
    st = tinta_nn_model_load (fusion_path, TINTA_FUSION_ARCH, &f->model, err);
  if (st == TINTA_OK)
    st = tinta_nn_plan_new (f->model, f->hh, f->hw, TINTA_NN_AUTO, &f->plan, err);
  if (st == TINTA_OK)
    st = tinta_nn_runner_new (f->plan, &f->run, err);
  int c = 0;
  if (st == TINTA_OK
      && (tinta_nn_plan_shape (f->plan, "ab", &c, NULL, NULL) < 0 || c != 2))
    st = tinta_fail (err, TINTA_ERR_INVALID_DATA, fusion_path,
                     "the fusion model needs an output ab with 2 channels");
  size_t hn = (size_t) f->hw * f->hh;
  if (st == TINTA_OK)
    {
      f->in_lg = tinta_alloc_aligned (hn, sizeof (float));
      f->in_ab_local = tinta_alloc_aligned (2 * hn, sizeof (float));
      f->in_ab_global = tinta_alloc_aligned (2 * hn, sizeof (float));
      f->in_sim = tinta_alloc_aligned (hn, sizeof (float));
      f->in_conf = tinta_alloc_aligned (hn, sizeof (float));
      f->in_t = tinta_alloc_aligned (hn, sizeof (float));
      f->fa = tinta_alloc_aligned (hn, sizeof (float));
      f->fb = tinta_alloc_aligned (hn, sizeof (float));
      f->la = tinta_alloc_aligned (hn, sizeof (float));
      f->lb = tinta_alloc_aligned (hn, sizeof (float));
      f->lc = tinta_alloc_aligned (hn, sizeof (float));
      f->gh = tinta_alloc_aligned (TINTA_FUSED_GLOBAL_PLANES * hn, sizeof (float));
      if (!f->gh || !f->la || !f->lb || !f->lc || !f->in_lg || !f->in_ab_local || !f->in_ab_global
          || !f->in_sim || !f->in_conf || !f->in_t || !f->fa || !f->fb)
        st = tinta_fail (err, TINTA_ERR_NO_MEMORY, "", "out of memory for the fused strategy");
    }
  if (st < 0)
    {
      tinta_fused_free (f);
      return st;
    }
  *out = f;
  return TINTA_OK;
}

int
tinta_fused_set_keyframe (tinta_fused *f, const tinta_frame *key, tinta_error *err)
{
  return tinta_fused_set_keyframes (f, &key, 1, 0, err);
}

int
tinta_fused_set_keyframes (tinta_fused *f, const tinta_frame *const *keys, int n, int start,
                           tinta_error *err)
{
  if (keys == NULL || start < 0 || start >= n)
    return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, "", "keyframe %d of %d", start, n);
  int st = tinta_global_set_keyframes (f->global, keys, n, err);
  if (st == TINTA_OK)
    st = tinta_fused_restart (f, keys[start], err);
  return st;
}

int
tinta_fused_restart (tinta_fused *f, const tinta_frame *key, tinta_error *err)
{
  if (key == NULL || key->width != f->w || key->height != f->h || !key->L || !key->a || !key->b)
    return tinta_fail (err, TINTA_ERR_SIZE_MISMATCH, "", "keyframe must be %dx%d with L, a and b",
                       f->w, f->h);
  f->since_key = 0;
  f->memo = 0;
  return tinta_local_reset (f->local, key->L, key->a, key->b, err);
}

tinta_global *
tinta_fused_global (tinta_fused *f)
{
  return f->global;
}

void
tinta_fused_timing (const tinta_fused *f, tinta_dvp_timing *out)
{
  tinta_global_timing (f->global, out);
  out->local_ms = f->local_ms;
  out->fusion_ms = f->fusion_ms;
}

/* dst (NHWC, 2 channels) = (a, b) * scale */
static void
interleave (const float *a, const float *b, size_t n, float scale, float *dst)
{
  for (size_t i = 0; i < n; i++)
    {
      dst[2 * i] = a[i] * scale;
      dst[2 * i + 1] = b[i] * scale;
    }
}

int
tinta_fused_next (tinta_fused *f, const float *L, float *a, float *b, tinta_fused_parts *parts,
                  tinta_error *err)
{
  size_t hn = (size_t) f->hw * f->hh;
  int memo = f->memo;
  f->memo = 0;
  if (memo && parts && (parts->global_a || parts->global_b || parts->global_conf))
    return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, "",
                       "a step on a remembered global match has no full-size global result");
  tinta_local_step ls;
  double t0 = tinta_now ();
  tinta_local_set_abort (f->local, f->abort_cb, f->abort_user);
  tinta_global_set_abort (f->global, f->abort_cb, f->abort_user);
  int st = tinta_local_step_half (f->local, L, &ls, err);
  f->local_ms += 1e3 * (tinta_now () - t0);
  if (st == TINTA_OK)
    {
      /* The local result, kept: the state ls.a/ls.b points to becomes
       * the fused chroma below. */
      memcpy (f->la, ls.a, hn * sizeof (float));
      memcpy (f->lb, ls.b, hn * sizeof (float));
      memcpy (f->lc, ls.conf, hn * sizeof (float));
      /* the match at the networks' half size, straight from its grid */
      if (!memo)
        st = tinta_global_predict_half (f->global, L, f->gh, f->gh + hn, f->gh + 2 * hn,
                                        f->gh + 3 * hn, err);
    }
  if (st != TINTA_OK)
    return st;
  t0 = tinta_now ();
  f->since_key++;

  const float *g_a = f->gh, *g_b = f->gh + hn, *g_sim = f->gh + 2 * hn, *g_L = f->gh + 3 * hn;
  interleave (ls.a, ls.b, hn, 1.0f / AB_SCALE, f->in_ab_local);
  interleave (g_a, g_b, hn, 1.0f / AB_SCALE, f->in_ab_global);
  memcpy (f->in_sim, g_sim, hn * sizeof (float));
  for (size_t i = 0; i < hn; i++)
    f->in_lg[i] = g_L[i] * (1.0f / L_SCALE);
  memcpy (f->in_conf, ls.conf, hn * sizeof (float));
  float t = (float) (f->since_key < (long long) T_KEY_FRAMES ? f->since_key : T_KEY_FRAMES)
            / T_KEY_FRAMES;
  for (size_t i = 0; i < hn; i++)
    f->in_t[i] = t;

  /* Input order of dvp_model.FUSION_INPUTS. */
  const float *in[8] = { ls.g_cur, ls.l_warp, f->in_ab_local, f->in_conf, f->in_ab_global,
                         f->in_sim, f->in_lg, f->in_t };
  st = tinta_nn_run (f->run, in, f->abort_cb, f->abort_user, NULL, err);
  if (st != TINTA_OK)
    return st;
  const float *ab = tinta_nn_runner_output (f->run, "ab", NULL, NULL, NULL);
  if (ab == NULL)
    return tinta_fail (err, TINTA_ERR_NO_MEMORY, f->path, "out of memory reading outputs");
  for (size_t i = 0; i < hn; i++)
    {
      f->fa[i] = ab[2 * i] * AB_SCALE;
      f->fb[i] = ab[2 * i + 1] * AB_SCALE;
    }
  tinta_local_set_state_half (f->local, f->fa, f->fb);
  tinta_upsample_bilinear (f->fa, f->hw, f->hh, a, f->w, f->h);
  tinta_upsample_bilinear (f->fb, f->hw, f->hh, b, f->w, f->h);
  f->fusion_ms += 1e3 * (tinta_now () - t0);
  if (parts)
    {
      if (parts->local_a)
        tinta_upsample_bilinear (f->la, f->hw, f->hh, parts->local_a, f->w, f->h);
      if (parts->local_b)
        tinta_upsample_bilinear (f->lb, f->hw, f->hh, parts->local_b, f->w, f->h);
      if (parts->global_a || parts->global_b || parts->global_conf)
        tinta_global_last_full (f->global, parts->global_a, parts->global_b, parts->global_conf,
                                NULL);
      if (parts->local_conf)
        tinta_upsample_bilinear (f->lc, f->hw, f->hh, parts->local_conf, f->w, f->h);
    }
  return TINTA_OK;
}

void
tinta_fused_set_abort (tinta_fused *f, tinta_abort_fn abort_cb, void *user)
{
  f->abort_cb = abort_cb;
  f->abort_user = user;
}

void
tinta_fused_half_size (const tinta_fused *f, int *hw, int *hh)
{
  *hw = f->hw;
  *hh = f->hh;
}

void
tinta_fused_get_state (const tinta_fused *f, float *a_half, float *b_half, long long *since_key)
{
  size_t hn = (size_t) f->hw * f->hh;
  memcpy (a_half, f->fa, hn * sizeof (float));
  memcpy (b_half, f->fb, hn * sizeof (float));
  *since_key = f->since_key;
}

void
tinta_fused_set_state (tinta_fused *f, const float *L_prev, const float *a_half,
                       const float *b_half, long long since_key)
{
  size_t hn = (size_t) f->hw * f->hh;
  memcpy (f->fa, a_half, hn * sizeof (float));
  memcpy (f->fb, b_half, hn * sizeof (float));
  tinta_local_set_prev (f->local, L_prev);
  tinta_local_set_state_half (f->local, f->fa, f->fb);
  f->since_key = since_key;
}

void
tinta_fused_last_local (const tinta_fused *f, const float **a_half, const float **b_half,
                        const float **conf_half)
{
  *a_half = f->la;
  *b_half = f->lb;
  *conf_half = f->lc;
}

void
tinta_fused_get_global (const tinta_fused *f, float *planes)
{
  memcpy (planes, f->gh, TINTA_FUSED_GLOBAL_PLANES * (size_t) f->hw * f->hh * sizeof (float));
}

void
tinta_fused_use_global (tinta_fused *f, const float *planes)
{
  memcpy (f->gh, planes, TINTA_FUSED_GLOBAL_PLANES * (size_t) f->hw * f->hh * sizeof (float));
  f->memo = 1;
}
