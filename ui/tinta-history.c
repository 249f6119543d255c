/* tinta-history.c: undo and redo of keyframe edits (see tinta-history.h). */

#include "config.h"

#include <string.h>

#include "tinta-history.h"
#include "tinta-ui.h"

#define DEFAULT_BUDGET ((gsize) 512 << 20)

/* One keyframe state: colors NULL means "no keyframe". */
typedef struct
{
  tinta_frame *colors;
  float       *alpha;
} KeyState;

struct _TintaHistoryEdit
{
  gint64   frame;
  KeyState before;
  KeyState after;
};

struct _TintaHistory
{
  GQueue undo;      /* TintaHistoryEdit, newest at the head */
  GQueue redo;
  gsize  budget;
};

static void
key_state_clear (KeyState *state)
{
  g_clear_pointer (&state->colors, tinta_frame_free);
  g_clear_pointer (&state->alpha, g_free);
}

/* Only L, a and b: tinta_clip_set_keyframe makes the rgb it keeps. */
static gboolean
key_state_copy (KeyState          *state,
                const tinta_frame *colors,
                const float       *alpha)
{
  gsize n_pixels;

  state->colors = NULL;
  state->alpha = NULL;
  if (colors == NULL)
    return TRUE;

  n_pixels = (gsize) colors->width * colors->height;
  state->colors = tinta_frame_new (colors->width, colors->height, TINTA_FRAME_LAB);
  if (state->colors == NULL)
    return FALSE;
  memcpy (state->colors->L, colors->L, n_pixels * sizeof (float));
  memcpy (state->colors->a, colors->a, n_pixels * sizeof (float));
  memcpy (state->colors->b, colors->b, n_pixels * sizeof (float));
  state->colors->has_color = 1;
  if (alpha != NULL)
    state->alpha = g_memdup2 (alpha, n_pixels * sizeof (float));

  return TRUE;
}

static gsize
key_state_bytes (const KeyState *state)
{
  gsize n_pixels;

  if (state->colors == NULL)
    return 0;
  n_pixels = (gsize) state->colors->width * state->colors->height;
  return n_pixels * sizeof (float) * (state->alpha != NULL ? 4 : 3);
}

TintaHistoryEdit *
tinta_history_edit_new (gint64             frame,
                        const tinta_frame *colors,
                        const float       *alpha)
{
  TintaHistoryEdit *edit = g_new0 (TintaHistoryEdit, 1);

  edit->frame = frame;
  if (!key_state_copy (&edit->before, colors, alpha))
    {
      g_free (edit);
      return NULL;
    }
  return edit;
}

void
tinta_history_edit_free (TintaHistoryEdit *edit)
{
  if (edit == NULL)
    return;
  key_state_clear (&edit->before);
  key_state_clear (&edit->after);
  g_free (edit);
}

static gsize
edit_bytes (const TintaHistoryEdit *edit)
{
  return key_state_bytes (&edit->before) + key_state_bytes (&edit->after);
}

TintaHistory *
tinta_history_new (gsize budget_bytes)
{
  TintaHistory *self = g_new0 (TintaHistory, 1);

  g_queue_init (&self->undo);
  g_queue_init (&self->redo);
  self->budget = budget_bytes != 0 ? budget_bytes : DEFAULT_BUDGET;
  return self;
}

void
tinta_history_clear (TintaHistory *self)
{
  g_return_if_fail (self != NULL);

  g_queue_clear_full (&self->undo, (GDestroyNotify) tinta_history_edit_free);
  g_queue_clear_full (&self->redo, (GDestroyNotify) tinta_history_edit_free);
}

void
tinta_history_free (TintaHistory *self)
{
  if (self == NULL)
    return;
  tinta_history_clear (self);
  g_free (self);
}

/* The oldest undo steps go first; the newest edit stays even alone over
 * budget (a single 8K keyframe is still worth undoing). */
static void
tinta_history_trim (TintaHistory *self)
{
  gsize total = 0;

  for (GList *l = self->undo.head; l != NULL; l = l->next)
    total += edit_bytes (l->data);
  for (GList *l = self->redo.head; l != NULL; l = l->next)
    total += edit_bytes (l->data);

  while (total > self->budget && self->undo.length > 1)
    {
      TintaHistoryEdit *oldest = g_queue_pop_tail (&self->undo);

      total -= edit_bytes (oldest);
      tinta_history_edit_free (oldest);
    }
}

gboolean
tinta_history_push (TintaHistory     *self,
                    TintaHistoryEdit *edit,
                    TintaClip        *clip)
{
  const tinta_frame *colors;
  const float *alpha = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (edit != NULL, FALSE);
  g_return_val_if_fail (TINTA_IS_CLIP (clip), FALSE);

  colors = tinta_clip_get_keyframe_colors (clip, edit->frame, &alpha);
  if (!key_state_copy (&edit->after, colors, alpha))
    {
      tinta_history_edit_free (edit);
      tinta_history_clear (self);
      return FALSE;
    }

  if (edit->before.colors == NULL && edit->after.colors == NULL)
    {
      tinta_history_edit_free (edit);
      return TRUE;
    }

  g_queue_clear_full (&self->redo, (GDestroyNotify) tinta_history_edit_free);
  g_queue_push_head (&self->undo, edit);
  tinta_history_trim (self);
  return TRUE;
}

gboolean
tinta_history_can_undo (TintaHistory *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return !g_queue_is_empty (&self->undo);
}

gboolean
tinta_history_can_redo (TintaHistory *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return !g_queue_is_empty (&self->redo);
}

static gboolean
apply_state (TintaClip       *clip,
             gint64           frame,
             const KeyState  *state,
             GError         **error)
{
  if (state->colors != NULL)
    return tinta_clip_set_keyframe (clip, frame, state->colors, state->alpha, error);

  /* Nothing to remove is what the state asks for: not an error. */
  if (tinta_clip_get_keyframe_colors (clip, frame, NULL) == NULL)
    return TRUE;
  return tinta_clip_remove_keyframe (clip, frame, error);
}

static gboolean
tinta_history_move (GQueue     *from,
                    GQueue     *to,
                    gboolean    forward,
                    TintaClip  *clip,
                    gint64     *frame,
                    GError    **error)
{
  TintaHistoryEdit *edit = g_queue_peek_head (from);

  if (edit == NULL)
    return FALSE;

  if (!apply_state (clip, edit->frame, forward ? &edit->after : &edit->before, error))
    return FALSE;

  g_queue_push_head (to, g_queue_pop_head (from));
  if (frame != NULL)
    *frame = edit->frame;
  return TRUE;
}

gboolean
tinta_history_undo (TintaHistory  *self,
                    TintaClip     *clip,
                    gint64        *frame,
                    GError       **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (TINTA_IS_CLIP (clip), FALSE);

  return tinta_history_move (&self->undo, &self->redo, FALSE, clip, frame, error);
}

gboolean
tinta_history_redo (TintaHistory  *self,
                    TintaClip     *clip,
                    gint64        *frame,
                    GError       **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (TINTA_IS_CLIP (clip), FALSE);

  return tinta_history_move (&self->redo, &self->undo, TRUE, clip, frame, error);
}
