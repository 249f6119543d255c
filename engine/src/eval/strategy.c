/* Registry of colorization strategies and the `copy` baseline.
 *
 * `copy` keeps the keyframe's a,b for every frame: the floor any
 * propagation must beat (design.md §4: 26.21 / 25.15 dB on the eval set),
 * and the check that the harness implements the protocol exactly. */
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "eval/strategy.h"
#include "tinta/dvp.h"

typedef struct {
  float *a;
  float *b;
} copy_priv;

static int
copy_init (tinta_strategy *s, tinta_error *err)
{
  copy_priv *p = s->priv;
  size_t n = (size_t) s->width * (size_t) s->height;
  p->a = tinta_alloc_aligned (n, sizeof (float));
  p->b = tinta_alloc_aligned (n, sizeof (float));
  if (p->a == NULL || p->b == NULL)
    return tinta_fail (err, TINTA_ERR_NO_MEMORY, "", "out of memory for the copy strategy");
  return TINTA_OK;
}

static int
copy_begin (tinta_strategy *s, const tinta_frame *key, tinta_error *err)
{
  copy_priv *p = s->priv;
  size_t n = (size_t) s->width * (size_t) s->height;
  memcpy (p->a, key->a, n * sizeof (float));
  memcpy (p->b, key->b, n * sizeof (float));
  return TINTA_OK;
}

static int
copy_next (tinta_strategy *s, tinta_frame *frame, tinta_error *err)
{
  copy_priv *p = s->priv;
  size_t n = (size_t) s->width * (size_t) s->height;
  memcpy (frame->a, p->a, n * sizeof (float));
  memcpy (frame->b, p->b, n * sizeof (float));
  return TINTA_OK;
}

static void
copy_finalize (tinta_strategy *s)
{
  copy_priv *p = s->priv;
  tinta_free_aligned (p->a);
  tinta_free_aligned (p->b);
}

static const tinta_strategy_class copy_class = {
  .name = "copy",
  .description = "every frame keeps the keyframe's chroma (baseline)",
  .priv_size = sizeof (copy_priv),
  .init = copy_init,
  .begin = copy_begin,
  .next = copy_next,
  .finalize = copy_finalize,
};

/* global: two-stage SqueezeNet matching against the keyframe (dvp.h). */
typedef struct {
  tinta_global *g;
} global_priv;

static int
global_init (tinta_strategy *s, tinta_error *err)
{
  global_priv *p = s->priv;
  return tinta_global_new (s->model, s->width, s->height, &p->g, err);
}

static int
global_begin (tinta_strategy *s, const tinta_frame *key, tinta_error *err)
{
  global_priv *p = s->priv;
  return tinta_global_set_keyframes (p->g, &key, 1, err);
}

static int
global_next (tinta_strategy *s, tinta_frame *frame, tinta_error *err)
{
  global_priv *p = s->priv;
  return tinta_global_predict (p->g, frame->L, frame->a, frame->b, NULL, err);
}

static void
global_finalize (tinta_strategy *s)
{
  global_priv *p = s->priv;
  tinta_global_free (p->g);
}

static const tinta_strategy_class global_class = {
  .name = "global",
  .description = "chroma of the best SqueezeNet feature match in the keyframe",
  .priv_size = sizeof (global_priv),
  .init = global_init,
  .begin = global_begin,
  .next = global_next,
  .finalize = global_finalize,
};

/* local: the trained propagation network, frame to frame (dvp.h). */
typedef struct {
  tinta_local *l;
} local_priv;

static int
local_init (tinta_strategy *s, tinta_error *err)
{
  local_priv *p = s->priv;
  return tinta_local_new (s->model, s->width, s->height, &p->l, err);
}

static int
local_begin (tinta_strategy *s, const tinta_frame *key, tinta_error *err)
{
  local_priv *p = s->priv;
  return tinta_local_reset (p->l, key->L, key->a, key->b, err);
}

static int
local_next (tinta_strategy *s, tinta_frame *frame, tinta_error *err)
{
  local_priv *p = s->priv;
  return tinta_local_next (p->l, frame->L, frame->a, frame->b, NULL, err);
}

static void
local_finalize (tinta_strategy *s)
{
  local_priv *p = s->priv;
  tinta_local_free (p->l);
}

static const tinta_strategy_class local_class = {
  .name = "local",
  .description = "previous frame's chroma, convolved with predicted kernels around a predicted displacement",
  .priv_size = sizeof (local_priv),
  .init = local_init,
  .begin = local_begin,
  .next = local_next,
  .finalize = local_finalize,
};

/* fused: local + global + the fusion network (dvp.h). */
typedef struct {
  tinta_fused *f;
} fused_priv;

static int
fused_init (tinta_strategy *s, tinta_error *err)
{
  fused_priv *p = s->priv;
  return tinta_fused_new (s->model, s->width, s->height, &p->f, err);
}

static int
fused_begin (tinta_strategy *s, const tinta_frame *key, tinta_error *err)
{
  fused_priv *p = s->priv;
  return tinta_fused_set_keyframe (p->f, key, err);
}

static int
fused_next (tinta_strategy *s, tinta_frame *frame, tinta_error *err)
{
  fused_priv *p = s->priv;
  return tinta_fused_next (p->f, frame->L, frame->a, frame->b, NULL, err);
}

static void
fused_finalize (tinta_strategy *s)
{
  fused_priv *p = s->priv;
  tinta_fused_free (p->f);
}

static const tinta_strategy_class fused_class = {
  .name = "fused",
  .description = "local and global results combined by the fusion network (the paper's method)",
  .priv_size = sizeof (fused_priv),
  .init = fused_init,
  .begin = fused_begin,
  .next = fused_next,
  .finalize = fused_finalize,
};

static const tinta_strategy_class *const classes[] = {
  &copy_class,
  &local_class,
  &global_class,
  &fused_class,
  NULL,
};

const char *
tinta_strategy_default_name (void)
{
  /* The best strategy whose model file is here, by the figures of
   * tinta-cli eval on the DAVIS set (README): fused > local > global >
   * copy; the shipped model holds the networks of all three. */
  char path[4096];
  if (tinta_model_find (TINTA_DVP_MODEL, path, sizeof path))
    return fused_class.name;
  return copy_class.name;
}

const char *const *
tinta_strategy_names (void)
{
  static const char *names[sizeof classes / sizeof classes[0]];
  for (size_t i = 0; classes[i]; i++)
    names[i] = classes[i]->name;
  return names;
}

int
tinta_strategy_new (const char *name, int width, int height, tinta_strategy **out,
                    tinta_error *err)
{
  return tinta_strategy_new_with_model (name, NULL, width, height, out, err);
}

int
tinta_strategy_new_with_model (const char *name, const char *model, int width, int height,
                               tinta_strategy **out, tinta_error *err)
{
  const tinta_strategy_class *klass = NULL;
  *out = NULL;
  for (size_t i = 0; classes[i]; i++)
    if (name && strcmp (classes[i]->name, name) == 0)
      klass = classes[i];
  if (klass == NULL)
    return tinta_fail (err, TINTA_ERR_UNKNOWN_NAME, "", "unknown strategy '%s'", name ? name : "");
  if (width < 1 || height < 1 || width > TINTA_MAX_DIMENSION || height > TINTA_MAX_DIMENSION)
    return tinta_fail (err, TINTA_ERR_OUT_OF_RANGE, "", "frame size %dx%d is out of range",
                       width, height);
  tinta_strategy *s = calloc (1, sizeof *s);
  if (s == NULL || (s->priv = calloc (1, klass->priv_size ? klass->priv_size : 1)) == NULL)
    {
      free (s);
      return tinta_fail (err, TINTA_ERR_NO_MEMORY, "", "out of memory");
    }
  s->klass = klass;
  if (model != NULL && (s->model = strdup (model)) == NULL)
    {
      free (s->priv);
      free (s);
      return tinta_fail (err, TINTA_ERR_NO_MEMORY, "", "out of memory");
    }
  s->width = width;
  s->height = height;
  int st = klass->init ? klass->init (s, err) : TINTA_OK;
  if (st < 0)
    {
      tinta_strategy_free (s);
      return st;
    }
  *out = s;
  return TINTA_OK;
}

void
tinta_strategy_free (tinta_strategy *s)
{
  if (s == NULL)
    return;
  if (s->klass->finalize)
    s->klass->finalize (s);
  free (s->model);
  free (s->priv);
  free (s);
}

const char *
tinta_strategy_get_name (const tinta_strategy *s)
{
  return s ? s->klass->name : NULL;
}

static int
check_frame (const tinta_strategy *s, const tinta_frame *f, tinta_error *err)
{
  if (f == NULL || f->L == NULL || f->a == NULL || f->b == NULL)
    return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, "", "frame needs L, a and b planes");
  if (f->width != s->width || f->height != s->height)
    return tinta_fail (err, TINTA_ERR_SIZE_MISMATCH, "", "frame is %dx%d, strategy runs at %dx%d",
                       f->width, f->height, s->width, s->height);
  return TINTA_OK;
}

int
tinta_strategy_begin (tinta_strategy *s, const tinta_frame *key, tinta_error *err)
{
  int st = check_frame (s, key, err);
  if (st < 0)
    return st;
  st = s->klass->begin (s, key, err);
  s->begun = st == TINTA_OK;
  return st;
}

int
tinta_strategy_next (tinta_strategy *s, tinta_frame *frame, tinta_error *err)
{
  int st = check_frame (s, frame, err);
  if (st < 0)
    return st;
  if (!s->begun)
    return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, "", "strategy has no keyframe yet");
  return s->klass->next (s, frame, err);
}
