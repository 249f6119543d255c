/* tinta-paint-store.c: paint sessions and the strokes of painted keyframe
 * states (see tinta-paint-store.h).
 *
 * A state's fingerprint is FNV-1a over the float bits of the clip's copy
 * of the keyframe (a, b, alpha) and its frame: the clip hands back exactly
 * what it was given, so the state a stroke produced is found again after
 * an undo and a redo put the same planes back.  Hashing costs a few
 * milliseconds for a 1080p keyframe, once per edit. */

#include "config.h"

#include <string.h>

#include "tinta-error.h"
#include "tinta-paint-store.h"
#include "tinta-ui.h"

/* What a session paints over.  Shared (g_rc_box) by the states painted
 * over it. */
typedef struct {
  tinta_frame *colors;
  float       *alpha;             /* NULL: a full keyframe */
} KeyBase;

/* A keyframe state painting produced. */
typedef struct {
  GPtrArray *strokes;             /* tinta_stroke (g_rc_box), oldest first */
  KeyBase   *base;                /* nullable */
} StrokeSet;

struct _TintaPaintSession
{
  gint64       frame;
  int          width;
  int          height;
  float       *L;
  tinta_paint *paint;
  GPtrArray   *strokes;
  KeyBase     *base;
  guint64      key_state;         /* the clip's keyframe it matches; 0 none */
};

struct _TintaPaintStore
{
  GHashTable *sessions;           /* gint64 frame -> TintaPaintSession */
  GHashTable *states;             /* guint64 fingerprint -> StrokeSet */

  /* The last fill, clip size. */
  int         width;
  int         height;
  float      *fill_a, *fill_b, *fill_alpha;
  float      *key_a, *key_b, *key_alpha;
  gboolean    key_full;
};

/* ---- strokes, bases, states --------------------------------------------------- */

static void
stroke_clear (tinta_stroke *stroke)
{
  g_free (stroke->points);
}

static void
stroke_unref (gpointer stroke)
{
  g_rc_box_release_full (stroke, (GDestroyNotify) stroke_clear);
}

static tinta_stroke *
stroke_copy (const tinta_stroke *stroke)
{
  tinta_stroke *copy = g_rc_box_new0 (tinta_stroke);

  *copy = *stroke;
  copy->points = g_memdup2 (stroke->points, stroke->n_points * sizeof (tinta_stroke_point));
  return copy;
}

static GPtrArray *
strokes_share (GPtrArray *strokes)
{
  GPtrArray *copy = g_ptr_array_new_full (strokes != NULL ? strokes->len : 0, stroke_unref);

  for (guint i = 0; strokes != NULL && i < strokes->len; i++)
    g_ptr_array_add (copy, g_rc_box_acquire (g_ptr_array_index (strokes, i)));
  return copy;
}

static void
key_base_clear (KeyBase *base)
{
  tinta_frame_free (base->colors);
  g_free (base->alpha);
}

static void
key_base_unref (KeyBase *base)
{
  if (base != NULL)
    g_rc_box_release_full (base, (GDestroyNotify) key_base_clear);
}

static KeyBase *
key_base_new (const tinta_frame *colors,
              const float       *alpha)
{
  KeyBase *base = g_rc_box_new0 (KeyBase);
  gsize n = (gsize) colors->width * colors->height;

  base->colors = tinta_frame_new (colors->width, colors->height, TINTA_FRAME_LAB);
  if (base->colors == NULL)
    {
      key_base_unref (base);
      return NULL;
    }
  memcpy (base->colors->L, colors->L, n * sizeof (float));
  memcpy (base->colors->a, colors->a, n * sizeof (float));
  memcpy (base->colors->b, colors->b, n * sizeof (float));
  base->colors->has_color = 1;
  if (alpha != NULL)
    base->alpha = g_memdup2 (alpha, n * sizeof (float));
  return base;
}

static void
stroke_set_free (StrokeSet *set)
{
  g_ptr_array_unref (set->strokes);
  key_base_unref (set->base);
  g_free (set);
}

static void
session_free (TintaPaintSession *session)
{
  tinta_paint_free (session->paint);
  g_free (session->L);
  if (session->strokes != NULL)
    g_ptr_array_unref (session->strokes);
  key_base_unref (session->base);
  g_free (session);
}

static guint64
fingerprint_plane (guint64      hash,
                   const float *plane,
                   gsize        n)
{
  const guint32 *words = (const guint32 *) (const void *) plane;

  for (gsize i = 0; i < n; i++)
    hash = (hash ^ words[i]) * G_GUINT64_CONSTANT (0x100000001b3);
  return hash;
}

/* The keyframe at @frame as @clip has it now; 0 when there is none. */
static guint64
key_fingerprint (TintaClip *clip,
                 gint64     frame)
{
  const float *alpha = NULL;
  const tinta_frame *colors = tinta_clip_get_keyframe_colors (clip, frame, &alpha);
  guint64 hash = G_GUINT64_CONSTANT (0xcbf29ce484222325);
  gsize n;

  if (colors == NULL)
    return 0;

  n = (gsize) colors->width * colors->height;
  hash = (hash ^ (guint64) frame) * G_GUINT64_CONSTANT (0x100000001b3);
  hash = fingerprint_plane (hash, colors->a, n);
  hash = fingerprint_plane (hash, colors->b, n);
  if (alpha != NULL)
    hash = fingerprint_plane (hash, alpha, n);
  return hash != 0 ? hash : 1;
}

static guint64
remember_state (TintaPaintStore *self,
                TintaClip       *clip,
                gint64           frame,
                GPtrArray       *strokes,
                KeyBase         *base)
{
  guint64 state = key_fingerprint (clip, frame);
  StrokeSet *set;

  if (state == 0)
    return 0;

  set = g_new0 (StrokeSet, 1);
  set->strokes = strokes_share (strokes);
  set->base = base != NULL ? g_rc_box_acquire (base) : NULL;
  g_hash_table_replace (self->states, g_memdup2 (&state, sizeof state), set);
  return state;
}

/* ---- the store ---------------------------------------------------------------- */

TintaPaintStore *
tinta_paint_store_new (void)
{
  TintaPaintStore *self = g_new0 (TintaPaintStore, 1);

  self->sessions = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                          (GDestroyNotify) session_free);
  self->states = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                        (GDestroyNotify) stroke_set_free);
  return self;
}

static void
tinta_paint_store_free_planes (TintaPaintStore *self)
{
  g_clear_pointer (&self->fill_a, g_free);
  g_clear_pointer (&self->fill_b, g_free);
  g_clear_pointer (&self->fill_alpha, g_free);
  g_clear_pointer (&self->key_a, g_free);
  g_clear_pointer (&self->key_b, g_free);
  g_clear_pointer (&self->key_alpha, g_free);
  self->width = self->height = 0;
}

void
tinta_paint_store_free (TintaPaintStore *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->sessions);
  g_hash_table_unref (self->states);
  tinta_paint_store_free_planes (self);
  g_free (self);
}

void
tinta_paint_store_clear (TintaPaintStore *self)
{
  g_hash_table_remove_all (self->sessions);
  g_hash_table_remove_all (self->states);
  tinta_paint_store_free_planes (self);
}

void
tinta_paint_store_drop_sessions (TintaPaintStore *self)
{
  g_hash_table_remove_all (self->sessions);
}

TintaPaintSession *
tinta_paint_store_begin (TintaPaintStore    *self,
                         TintaClip          *clip,
                         gint64              frame,
                         const tinta_frame  *pixels,
                         GError            **error)
{
  guint64 state = key_fingerprint (clip, frame);
  TintaPaintSession *session = g_hash_table_lookup (self->sessions, &frame);
  const float *alpha = NULL;
  const tinta_frame *colors;
  StrokeSet *set;
  tinta_error detail = { 0 };
  gsize n = (gsize) pixels->width * pixels->height;
  int status;

  if (session != NULL && session->key_state == state)
    return session;

  session = g_new0 (TintaPaintSession, 1);
  session->frame = frame;
  session->width = pixels->width;
  session->height = pixels->height;
  session->key_state = state;
  status = tinta_paint_new (pixels->L, pixels->width, pixels->height, &session->paint, &detail);
  if (status != TINTA_OK || (session->L = g_try_malloc (n * sizeof (float))) == NULL)
    {
      if (status == TINTA_OK)
        detail.status = status = TINTA_ERR_NO_MEMORY;
      tinta_set_error (error, status, &detail);
      session_free (session);
      return NULL;
    }
  memcpy (session->L, pixels->L, n * sizeof (float));

  set = state != 0 ? g_hash_table_lookup (self->states, &state) : NULL;
  if (set != NULL)
    {
      session->strokes = strokes_share (set->strokes);
      session->base = set->base != NULL ? g_rc_box_acquire (set->base) : NULL;
    }
  else
    {
      session->strokes = g_ptr_array_new_with_free_func (stroke_unref);
      /* An imported (or loaded, unpainted) keyframe: painted over. */
      if ((colors = tinta_clip_get_keyframe_colors (clip, frame, &alpha)) != NULL)
        session->base = key_base_new (colors, alpha);
    }

  g_hash_table_replace (self->sessions, g_memdup2 (&frame, sizeof frame), session);
  return session;
}

gboolean
tinta_paint_store_forget_stale (TintaPaintStore *self,
                                TintaClip       *clip,
                                gint64           frame)
{
  TintaPaintSession *session = g_hash_table_lookup (self->sessions, &frame);

  if (session == NULL || session->key_state == key_fingerprint (clip, frame))
    return FALSE;
  g_hash_table_remove (self->sessions, &frame);
  return TRUE;
}

static gboolean
ensure_planes (TintaPaintStore *self,
               int              width,
               int              height)
{
  gsize n = (gsize) width * height;

  if (self->width == width && self->height == height)
    return TRUE;

  tinta_paint_store_free_planes (self);
  self->fill_a = g_try_new (float, n);
  self->fill_b = g_try_new (float, n);
  self->fill_alpha = g_try_new (float, n);
  self->key_a = g_try_new (float, n);
  self->key_b = g_try_new (float, n);
  self->key_alpha = g_try_new (float, n);
  if (self->fill_a == NULL || self->fill_b == NULL || self->fill_alpha == NULL ||
      self->key_a == NULL || self->key_b == NULL || self->key_alpha == NULL)
    {
      tinta_paint_store_free_planes (self);
      return FALSE;
    }
  self->width = width;
  self->height = height;
  return TRUE;
}

/* The fill painted over the base. */
static void
compose_key (TintaPaintStore   *self,
             TintaPaintSession *session)
{
  gsize n = (gsize) session->width * session->height;
  const KeyBase *base = session->base;

  self->key_full = base != NULL && base->alpha == NULL;
  if (base == NULL)
    {
      memcpy (self->key_a, self->fill_a, n * sizeof (float));
      memcpy (self->key_b, self->fill_b, n * sizeof (float));
      memcpy (self->key_alpha, self->fill_alpha, n * sizeof (float));
      return;
    }

  for (gsize i = 0; i < n; i++)
    {
      float fa = self->fill_alpha[i];
      float ba = base->alpha != NULL ? base->alpha[i] : 1.0f;
      float out = fa + ba * (1 - fa);

      self->key_alpha[i] = out;
      self->key_a[i] = out > 0 ? (self->fill_a[i] * fa + base->colors->a[i] * ba * (1 - fa)) / out : 0;
      self->key_b[i] = out > 0 ? (self->fill_b[i] * fa + base->colors->b[i] * ba * (1 - fa)) / out : 0;
    }
}

gboolean
tinta_paint_store_fill (TintaPaintStore    *self,
                        TintaPaintSession  *session,
                        const tinta_stroke *extra,
                        GError            **error)
{
  tinta_paint_params params;
  tinta_error detail = { 0 };
  int status = TINTA_OK;

  if (!ensure_planes (self, session->width, session->height))
    {
      detail.status = TINTA_ERR_NO_MEMORY;
      tinta_set_error (error, TINTA_ERR_NO_MEMORY, &detail);
      return FALSE;
    }

  /* From scratch each time: adding only the new part of a growing stroke
   * would paint its soft edges twice where the parts join. */
  tinta_paint_clear (session->paint);
  for (guint i = 0; status == TINTA_OK && i < session->strokes->len; i++)
    status = tinta_paint_add_stroke (session->paint, g_ptr_array_index (session->strokes, i), &detail);
  if (status == TINTA_OK && extra != NULL && extra->n_points > 0)
    status = tinta_paint_add_stroke (session->paint, extra, &detail);
  tinta_paint_params_init (&params);
  if (status == TINTA_OK)
    status = tinta_paint_fill (session->paint, &params, self->fill_a, self->fill_b,
                               self->fill_alpha, &detail);
  if (status != TINTA_OK)
    {
      tinta_set_error (error, status, &detail);
      return FALSE;
    }

  compose_key (self, session);
  return TRUE;
}

void
tinta_paint_store_get_key (TintaPaintStore  *self,
                           const float     **a,
                           const float     **b,
                           const float     **alpha)
{
  *a = self->key_a;
  *b = self->key_b;
  *alpha = self->key_full ? NULL : self->key_alpha;
}

void
tinta_paint_store_remember (TintaPaintStore   *self,
                            TintaClip         *clip,
                            TintaPaintSession *session)
{
  session->key_state = remember_state (self, clip, session->frame, session->strokes, session->base);
}

gboolean
tinta_paint_store_is_painted (TintaPaintStore *self,
                              TintaClip       *clip,
                              gint64           frame)
{
  guint64 state = key_fingerprint (clip, frame);

  return state != 0 && g_hash_table_contains (self->states, &state);
}

int
tinta_paint_store_save_strokes (TintaPaintStore   *self,
                                TintaClip         *clip,
                                gint64             frame,
                                tinta_project_key *key,
                                tinta_error       *detail)
{
  guint64 state = key_fingerprint (clip, frame);
  StrokeSet *set = state != 0 ? g_hash_table_lookup (self->states, &state) : NULL;
  g_autofree tinta_stroke *strokes = NULL;

  if (set == NULL || set->strokes->len == 0 || key == NULL)
    return TINTA_OK;

  /* Shallow copies: the project copies the points. */
  strokes = g_new (tinta_stroke, set->strokes->len);
  for (guint i = 0; i < set->strokes->len; i++)
    strokes[i] = *(const tinta_stroke *) g_ptr_array_index (set->strokes, i);
  return tinta_project_key_set_strokes (key, strokes, set->strokes->len, detail);
}

void
tinta_paint_store_load_strokes (TintaPaintStore    *self,
                                TintaClip          *clip,
                                gint64              frame,
                                const tinta_stroke *strokes,
                                size_t              n)
{
  g_autoptr(GPtrArray) copies = g_ptr_array_new_with_free_func (stroke_unref);
  const float *alpha = NULL;
  const tinta_frame *colors = tinta_clip_get_keyframe_colors (clip, frame, &alpha);
  KeyBase *base = NULL;

  if (n == 0 || colors == NULL)
    return;

  for (size_t i = 0; i < n; i++)
    g_ptr_array_add (copies, stroke_copy (&strokes[i]));
  if (alpha == NULL)
    base = key_base_new (colors, NULL);
  remember_state (self, clip, frame, copies, base);
  key_base_unref (base);
}

/* ---- sessions ------------------------------------------------------------------ */

gint64
tinta_paint_session_get_frame (TintaPaintSession *session)
{
  return session->frame;
}

void
tinta_paint_session_get_size (TintaPaintSession *session,
                              int               *width,
                              int               *height)
{
  *width = session->width;
  *height = session->height;
}

const float *
tinta_paint_session_get_luminance (TintaPaintSession *session)
{
  return session->L;
}

void
tinta_paint_session_add_stroke (TintaPaintSession  *session,
                                const tinta_stroke *stroke)
{
  g_ptr_array_add (session->strokes, stroke_copy (stroke));
}

void
tinta_paint_session_remove_last_stroke (TintaPaintSession *session)
{
  if (session->strokes->len > 0)
    g_ptr_array_remove_index (session->strokes, session->strokes->len - 1);
}

gboolean
tinta_paint_session_is_empty (TintaPaintSession *session)
{
  return session->base == NULL && !tinta_paint_has_paint (session->paint);
}
