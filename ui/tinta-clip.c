/* tinta-clip.c: the open clip — worker events and display decoding,
 * delivered on the main thread (see tinta-clip.h).
 *
 * Worker events arrive on the worker's thread with its lock held: the
 * callback only copies the event and hands it to the main context with a
 * weak reference, so a clip closed meanwhile simply drops it.  The display
 * decoder is a GTask on GLib's thread pool with its own tinta_media (the
 * worker has another): at most one decode runs; a seek during it replaces
 * the pending request, so scrubbing decodes the newest frame next and
 * never queues up a backlog. */

#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <glib/gi18n.h>

#include "tinta-clip.h"
#include "tinta-error.h"
#include "tinta-ui.h"

typedef struct
{
  gint64       frame;
  tinta_frame *colors;
  float       *alpha;
} ClipKey;

struct _TintaClip
{
  GObject           parent_instance;

  char             *path;
  tinta_worker     *worker;
  tinta_media_info  info;
  int               work_width, work_height;

  /* display decoding */
  tinta_media      *media;
  tinta_frame      *shown;          /* last decoded */
  gint64            shown_frame;
  gint64            position;
  gint64            pending;        /* -1: none */
  gboolean          decoding;
  GCancellable     *cancellable;

  GArray           *keys;           /* ClipKey, ascending frames */
  GArray           *key_frames;     /* gint64, the same frames */
  GArray           *cuts;           /* gint64 */
};

G_DEFINE_FINAL_TYPE (TintaClip, tinta_clip, G_TYPE_OBJECT)

enum {
  SIGNAL_FRAME_DECODED,
  SIGNAL_FRAME_COMPUTED,
  SIGNAL_CUTS_CHANGED,
  SIGNAL_IDLE,
  SIGNAL_ENGINE_ERROR,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---- worker events ---------------------------------------------------- */

typedef struct
{
  GWeakRef                clip;
  tinta_worker_event_type type;
  gint64                  frame;
  int                     status;
  tinta_error             error;
} ClipEvent;

static void
clip_event_free (gpointer data)
{
  ClipEvent *ev = data;

  g_weak_ref_clear (&ev->clip);
  g_free (ev);
}

static gboolean
tinta_clip_dispatch_event (gpointer data)
{
  ClipEvent *ev = data;
  g_autoptr(TintaClip) self = g_weak_ref_get (&ev->clip);

  if (self == NULL || self->worker == NULL)
    return G_SOURCE_REMOVE;

  switch (ev->type)
    {
    case TINTA_WORKER_FRAME:
      g_signal_emit (self, signals[SIGNAL_FRAME_COMPUTED], 0, ev->frame);
      break;
    case TINTA_WORKER_CUTS:
      {
        long long buf[4096];
        int n = tinta_worker_cuts (self->worker, buf, G_N_ELEMENTS (buf));

        g_array_set_size (self->cuts, 0);
        for (int i = 0; i < n && i < (int) G_N_ELEMENTS (buf); i++)
          {
            gint64 f = buf[i];
            g_array_append_val (self->cuts, f);
          }
        g_signal_emit (self, signals[SIGNAL_CUTS_CHANGED], 0);
      }
      break;
    case TINTA_WORKER_IDLE:
      g_signal_emit (self, signals[SIGNAL_IDLE], 0);
      break;
    case TINTA_WORKER_ERROR:
    default:
      {
        g_autoptr(GError) error = NULL;

        tinta_set_error (&error, ev->status, &ev->error);
        g_signal_emit (self, signals[SIGNAL_ENGINE_ERROR], 0, error);
      }
      break;
    }

  return G_SOURCE_REMOVE;
}

/* On the worker's thread, its lock held: copy and post, nothing else. */
static void
tinta_clip_worker_event_cb (const tinta_worker_event *event,
                            void                     *user_data)
{
  ClipEvent *ev = g_new0 (ClipEvent, 1);

  g_weak_ref_init (&ev->clip, user_data);
  ev->type = event->type;
  ev->frame = event->frame;
  if (event->error != NULL)
    {
      ev->error = *event->error;
      ev->status = event->error->status < 0 ? event->error->status : TINTA_ERR_INTERNAL;
    }
  else
    ev->status = TINTA_ERR_INTERNAL;

  /* Always queued: g_main_context_invoke() would run the dispatch right
   * here, on the worker's thread with its lock held, whenever the main
   * thread is not inside a main-loop iteration (it deadlocked in
   * tinta_worker_cuts, and would emit signals off the main thread). */
  g_idle_add_full (G_PRIORITY_DEFAULT, tinta_clip_dispatch_event, ev, clip_event_free);
}

/* ---- display decoding --------------------------------------------------- */

static void tinta_clip_start_decode (TintaClip *self);

static void
tinta_clip_decode_thread (GTask        *task,
                          gpointer      source_object,
                          gpointer      task_data,
                          GCancellable *cancellable)
{
  TintaClip *self = source_object;
  gint64 index = *(gint64 *) task_data;
  tinta_error err = {0};
  tinta_frame *frame;
  int status;

  frame = tinta_frame_new (self->info.width, self->info.height,
                           TINTA_FRAME_LAB | TINTA_FRAME_RGB);
  if (frame == NULL)
    {
      g_task_return_new_error (task, TINTA_ERROR, TINTA_ERR_NO_MEMORY, "%s",
                               _("Not enough memory to show the frame"));
      return;
    }

  status = tinta_media_read (self->media, index, frame, &err);
  if (status != TINTA_OK)
    {
      GError *error = NULL;

      tinta_frame_free (frame);
      tinta_set_error (&error, status, &err);
      g_task_return_error (task, error);
      return;
    }

  g_task_return_pointer (task, frame, (GDestroyNotify) tinta_frame_free);
}

static void
tinta_clip_decode_done (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  TintaClip *self = TINTA_CLIP (source);
  GTask *task = G_TASK (result);
  gint64 index = *(gint64 *) g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  tinta_frame *frame;

  self->decoding = FALSE;
  frame = g_task_propagate_pointer (task, &error);

  if (frame != NULL)
    {
      tinta_frame_free (self->shown);
      self->shown = frame;
      self->shown_frame = index;
    }

  /* A newer request came meanwhile: decode it before announcing this one,
   * unless this one is what is wanted. */
  if (self->pending >= 0 && self->pending != index)
    {
      tinta_clip_start_decode (self);
      return;
    }
  self->pending = -1;

  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_signal_emit (self, signals[SIGNAL_ENGINE_ERROR], 0, error);
  else if (frame != NULL)
    g_signal_emit (self, signals[SIGNAL_FRAME_DECODED], 0, index);
}

static void
tinta_clip_start_decode (TintaClip *self)
{
  g_autoptr(GTask) task = NULL;
  gint64 *index;

  if (self->decoding || self->pending < 0)
    return;

  index = g_new (gint64, 1);
  *index = self->pending;
  self->pending = -1;
  self->decoding = TRUE;

  /* The task holds a reference: the clip (and its media) outlive the
   * decode even if the window lets go of it meanwhile. */
  task = g_task_new (self, self->cancellable, tinta_clip_decode_done, NULL);
  g_task_set_source_tag (task, tinta_clip_start_decode);
  g_task_set_task_data (task, index, g_free);
  g_task_run_in_thread (task, tinta_clip_decode_thread);
}

void
tinta_clip_seek (TintaClip *self,
                 gint64     frame)
{
  g_return_if_fail (TINTA_IS_CLIP (self));

  frame = CLAMP (frame, 0, self->info.frame_count - 1);
  self->position = frame;
  tinta_worker_set_playhead (self->worker, frame);
  self->pending = frame;
  tinta_clip_start_decode (self);
}

gint64
tinta_clip_get_position (TintaClip *self)
{
  g_return_val_if_fail (TINTA_IS_CLIP (self), 0);

  return self->position;
}

const tinta_frame *
tinta_clip_peek_frame (TintaClip *self,
                       gint64    *frame)
{
  g_return_val_if_fail (TINTA_IS_CLIP (self), NULL);

  if (frame != NULL)
    *frame = self->shown != NULL ? self->shown_frame : -1;
  return self->shown;
}

/* ---- results and keyframes ---------------------------------------------- */

gboolean
tinta_clip_get_result (TintaClip         *self,
                       gint64             frame,
                       tinta_result_kind  kind,
                       float             *a,
                       float             *b,
                       float             *conf)
{
  g_return_val_if_fail (TINTA_IS_CLIP (self), FALSE);

  return tinta_worker_result (self->worker, frame, kind, a, b, conf) == TINTA_OK;
}

gboolean
tinta_clip_has_result (TintaClip         *self,
                       gint64             frame,
                       tinta_result_kind  kind)
{
  g_return_val_if_fail (TINTA_IS_CLIP (self), FALSE);

  return tinta_worker_has (self->worker, frame, kind);
}

static void
clip_key_clear (ClipKey *key)
{
  tinta_frame_free (key->colors);
  g_free (key->alpha);
}

static void
tinta_clip_sync_key_frames (TintaClip *self)
{
  g_array_set_size (self->key_frames, 0);
  for (guint i = 0; i < self->keys->len; i++)
    g_array_append_val (self->key_frames, g_array_index (self->keys, ClipKey, i).frame);
}

gboolean
tinta_clip_set_keyframe (TintaClip          *self,
                         gint64              frame,
                         const tinta_frame  *colors,
                         const float        *alpha,
                         GError            **error)
{
  tinta_error err = {0};
  size_t n_pixels;
  ClipKey key = {0};
  guint at;
  int status;

  g_return_val_if_fail (TINTA_IS_CLIP (self), FALSE);
  g_return_val_if_fail (colors != NULL, FALSE);

  status = tinta_worker_set_keyframe (self->worker, frame, colors, alpha, &err);
  if (status != TINTA_OK)
    {
      tinta_set_error (error, status, &err);
      return FALSE;
    }

  n_pixels = (size_t) colors->width * colors->height;
  key.frame = frame;
  key.colors = tinta_frame_new (colors->width, colors->height, TINTA_FRAME_LAB | TINTA_FRAME_RGB);
  if (key.colors == NULL)
    {
      tinta_error oom = { .status = TINTA_ERR_NO_MEMORY };

      tinta_worker_remove_keyframe (self->worker, frame, NULL);
      tinta_set_error (error, TINTA_ERR_NO_MEMORY, &oom);
      return FALSE;
    }
  memcpy (key.colors->L, colors->L, n_pixels * sizeof (float));
  memcpy (key.colors->a, colors->a, n_pixels * sizeof (float));
  memcpy (key.colors->b, colors->b, n_pixels * sizeof (float));
  key.colors->has_color = 1;
  tinta_frame_lab_to_rgb (key.colors);
  if (alpha != NULL)
    key.alpha = g_memdup2 (alpha, n_pixels * sizeof (float));

  for (at = 0; at < self->keys->len; at++)
    {
      ClipKey *k = &g_array_index (self->keys, ClipKey, at);

      if (k->frame == frame)
        {
          clip_key_clear (k);
          *k = key;
          tinta_clip_sync_key_frames (self);
          return TRUE;
        }
      if (k->frame > frame)
        break;
    }
  g_array_insert_val (self->keys, at, key);
  tinta_clip_sync_key_frames (self);
  return TRUE;
}

gboolean
tinta_clip_import_keyframe (TintaClip   *self,
                            gint64       frame,
                            const char  *image_path,
                            GError     **error)
{
  g_autoptr(tinta_frame) colors = NULL;
  tinta_error err = {0};
  int status;

  g_return_val_if_fail (TINTA_IS_CLIP (self), FALSE);

  /* A keyframe painted at another size (a paint program's export) is
   * scaled to the clip: refusing it would only send the user back there. */
  status = tinta_image_load (image_path, self->info.width, self->info.height, TINTA_FIT_SCALE,
                             &colors, NULL, &err);
  if (status != TINTA_OK)
    {
      tinta_set_error (error, status, &err);
      return FALSE;
    }

  return tinta_clip_set_keyframe (self, frame, colors, NULL, error);
}

gboolean
tinta_clip_remove_keyframe (TintaClip  *self,
                            gint64      frame,
                            GError    **error)
{
  tinta_error err = {0};
  int status;

  g_return_val_if_fail (TINTA_IS_CLIP (self), FALSE);

  status = tinta_worker_remove_keyframe (self->worker, frame, &err);
  if (status != TINTA_OK)
    {
      tinta_set_error (error, status, &err);
      return FALSE;
    }

  for (guint i = 0; i < self->keys->len; i++)
    if (g_array_index (self->keys, ClipKey, i).frame == frame)
      {
        g_array_remove_index (self->keys, i);
        break;
      }
  tinta_clip_sync_key_frames (self);
  return TRUE;
}

const gint64 *
tinta_clip_get_keyframes (TintaClip *self,
                          guint     *n)
{
  g_return_val_if_fail (TINTA_IS_CLIP (self), NULL);

  *n = self->key_frames->len;
  return (const gint64 *) (gpointer) self->key_frames->data;
}

const tinta_frame *
tinta_clip_get_keyframe_colors (TintaClip    *self,
                                gint64        frame,
                                const float **alpha)
{
  g_return_val_if_fail (TINTA_IS_CLIP (self), NULL);

  for (guint i = 0; i < self->keys->len; i++)
    {
      ClipKey *k = &g_array_index (self->keys, ClipKey, i);

      if (k->frame == frame)
        {
          if (alpha != NULL)
            *alpha = k->alpha;
          return k->colors;
        }
    }
  return NULL;
}

const gint64 *
tinta_clip_get_cuts (TintaClip *self,
                     guint     *n)
{
  g_return_val_if_fail (TINTA_IS_CLIP (self), NULL);

  *n = self->cuts->len;
  return (const gint64 *) (gpointer) self->cuts->data;
}

void
tinta_clip_get_stats (TintaClip          *self,
                      tinta_worker_stats *stats)
{
  g_return_if_fail (TINTA_IS_CLIP (self));

  tinta_worker_get_stats (self->worker, stats);
}

const char *
tinta_clip_get_path (TintaClip *self)
{
  g_return_val_if_fail (TINTA_IS_CLIP (self), NULL);

  return self->path;
}

const tinta_media_info *
tinta_clip_get_info (TintaClip *self)
{
  g_return_val_if_fail (TINTA_IS_CLIP (self), NULL);

  return &self->info;
}

void
tinta_clip_get_working_size (TintaClip *self,
                             int       *width,
                             int       *height)
{
  g_return_if_fail (TINTA_IS_CLIP (self));

  *width = self->work_width;
  *height = self->work_height;
}

/* ---- life cycle ------------------------------------------------------------ */

static void
tinta_clip_dispose (GObject *object)
{
  TintaClip *self = TINTA_CLIP (object);

  g_cancellable_cancel (self->cancellable);
  /* Joins the worker's thread: no event comes after this. */
  g_clear_pointer (&self->worker, tinta_worker_free);

  G_OBJECT_CLASS (tinta_clip_parent_class)->dispose (object);
}

static void
tinta_clip_finalize (GObject *object)
{
  TintaClip *self = TINTA_CLIP (object);

  for (guint i = 0; i < self->keys->len; i++)
    clip_key_clear (&g_array_index (self->keys, ClipKey, i));
  g_array_unref (self->keys);
  g_array_unref (self->key_frames);
  g_array_unref (self->cuts);
  tinta_frame_free (self->shown);
  tinta_media_free (self->media);
  g_clear_object (&self->cancellable);
  g_free (self->path);

  G_OBJECT_CLASS (tinta_clip_parent_class)->finalize (object);
}

static void
tinta_clip_class_init (TintaClipClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tinta_clip_dispose;
  object_class->finalize = tinta_clip_finalize;

  signals[SIGNAL_FRAME_DECODED] =
    g_signal_new ("frame-decoded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
  signals[SIGNAL_FRAME_COMPUTED] =
    g_signal_new ("frame-computed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
  signals[SIGNAL_CUTS_CHANGED] =
    g_signal_new ("cuts-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_IDLE] =
    g_signal_new ("idle", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_ENGINE_ERROR] =
    g_signal_new ("engine-error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
tinta_clip_init (TintaClip *self)
{
  self->keys = g_array_new (FALSE, TRUE, sizeof (ClipKey));
  self->key_frames = g_array_new (FALSE, TRUE, sizeof (gint64));
  self->cuts = g_array_new (FALSE, TRUE, sizeof (gint64));
  self->cancellable = g_cancellable_new ();
  self->pending = -1;
  self->shown_frame = -1;
}

TintaClip *
tinta_clip_new (const char  *path,
                int          working_height,
                gsize        cache_bytes,
                GError     **error)
{
  g_autoptr(TintaClip) self = NULL;
  tinta_worker_params params;
  tinta_error err = {0};
  int status;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (TINTA_TYPE_CLIP, NULL);
  self->path = g_strdup (path);

  status = tinta_media_open (path, &self->media, &err);
  if (status == TINTA_OK)
    {
      self->info = *tinta_media_get_info (self->media);
      tinta_worker_params_init (&params);
      if (working_height > 0)
        params.working_height = working_height;
      params.cache_bytes = cache_bytes;
      status = tinta_worker_new (path, &params, tinta_clip_worker_event_cb, self,
                                 &self->worker, &err);
    }
  if (status != TINTA_OK)
    {
      tinta_set_error (error, status, &err);
      return NULL;
    }

  tinta_worker_working_size (self->worker, &self->work_width, &self->work_height);
  return g_steal_pointer (&self);
}
