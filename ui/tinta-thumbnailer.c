/* tinta-thumbnailer.c: timeline thumbnails decoded on a worker thread (see
 * tinta-thumbnailer.h). */

#include "config.h"

#include <gio/gio.h>

#include "tinta-thumbnailer.h"
#include "tinta-ui.h"

typedef struct
{
  char             *path;
  gint64            n_frames;
  guint             max_count;
  int               width;
  TintaThumbnailFn  fn;
  gpointer          user_data;
} Job;

typedef struct
{
  GCancellable     *cancellable;
  TintaThumbnailFn  fn;
  gpointer          user_data;
  gint64            frame;
  GBytes           *bytes;
  int               width;
  int               height;
} Thumbnail;

static void
job_free (gpointer data)
{
  Job *job = data;

  g_free (job->path);
  g_free (job);
}

GBytes *
tinta_thumbnail_scale (const guint8 *rgb,
                       int           width,
                       int           height,
                       int           max_width,
                       int          *out_width,
                       int          *out_height)
{
  int w, h;
  guint8 *pixels;

  g_return_val_if_fail (rgb != NULL && width > 0 && height > 0 && max_width > 0, NULL);

  w = MIN (max_width, width);
  h = MAX (1, (int) ((gint64) height * w / width));
  pixels = g_malloc ((gsize) w * h * 3);

  for (int y = 0; y < h; y++)
    {
      int y0 = (int) ((gint64) y * height / h);
      int y1 = MAX (y0 + 1, (int) ((gint64) (y + 1) * height / h));

      for (int x = 0; x < w; x++)
        {
          int x0 = (int) ((gint64) x * width / w);
          int x1 = MAX (x0 + 1, (int) ((gint64) (x + 1) * width / w));
          guint64 sum[3] = { 0, 0, 0 };
          guint64 n = (guint64) (y1 - y0) * (x1 - x0);

          for (int sy = y0; sy < y1; sy++)
            {
              const guint8 *p = rgb + 3 * ((gsize) sy * width + x0);

              for (int sx = x0; sx < x1; sx++, p += 3)
                {
                  sum[0] += p[0];
                  sum[1] += p[1];
                  sum[2] += p[2];
                }
            }
          for (int c = 0; c < 3; c++)
            pixels[3 * ((gsize) y * w + x) + c] = (guint8) ((sum[c] + n / 2) / n);
        }
    }

  *out_width = w;
  *out_height = h;
  return g_bytes_new_take (pixels, (gsize) w * h * 3);
}

static void
thumbnail_free (gpointer data)
{
  Thumbnail *thumbnail = data;

  g_object_unref (thumbnail->cancellable);
  g_bytes_unref (thumbnail->bytes);
  g_free (thumbnail);
}

/* Main thread: the cancellable is checked here, where the owner cancels,
 * so a cancelled run never calls back. */
static gboolean
thumbnail_deliver (gpointer data)
{
  Thumbnail *thumbnail = data;
  g_autoptr(GdkTexture) texture = NULL;

  if (g_cancellable_is_cancelled (thumbnail->cancellable))
    return G_SOURCE_REMOVE;

  texture = gdk_memory_texture_new (thumbnail->width, thumbnail->height, GDK_MEMORY_R8G8B8,
                                    thumbnail->bytes, (gsize) thumbnail->width * 3);
  thumbnail->fn (thumbnail->frame, texture, thumbnail->user_data);
  return G_SOURCE_REMOVE;
}

static void
tinta_thumbnailer_thread (GTask        *task,
                          gpointer      source_object,
                          gpointer      task_data,
                          GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(tinta_media) media = NULL;
  g_autoptr(tinta_frame) frame = NULL;
  g_autofree gboolean *done = NULL;
  const tinta_media_info *info;
  tinta_error err = {0};
  guint count;

  if (tinta_media_open (job->path, &media, &err) != TINTA_OK)
    {
      g_task_return_boolean (task, FALSE);
      return;
    }
  info = tinta_media_get_info (media);
  frame = tinta_frame_new (info->width, info->height, TINTA_FRAME_LAB | TINTA_FRAME_RGB);
  count = (guint) MIN ((gint64) job->max_count, job->n_frames);
  if (frame == NULL || count == 0)
    {
      g_task_return_boolean (task, FALSE);
      return;
    }
  done = g_new0 (gboolean, count);

  /* Sample i is frame i * n / count; visit every 8th sample first, then
   * every 4th, and so on. */
  for (guint stride = 8; stride >= 1; stride /= 2)
    for (guint i = 0; i < count; i += stride)
      {
        Thumbnail *thumbnail;
        gint64 index = (gint64) i * job->n_frames / count;

        if (done[i])
          continue;
        done[i] = TRUE;
        if (g_cancellable_is_cancelled (cancellable))
          {
            g_task_return_boolean (task, FALSE);
            return;
          }
        if (tinta_media_read (media, index, frame, &err) != TINTA_OK)
          {
            g_task_return_boolean (task, FALSE);
            return;
          }

        thumbnail = g_new0 (Thumbnail, 1);
        thumbnail->cancellable = g_object_ref (cancellable);
        thumbnail->fn = job->fn;
        thumbnail->user_data = job->user_data;
        thumbnail->frame = index;
        thumbnail->bytes = tinta_thumbnail_scale (frame->rgb, frame->width, frame->height,
                                                  job->width, &thumbnail->width, &thumbnail->height);
        g_idle_add_full (G_PRIORITY_LOW, thumbnail_deliver, thumbnail, thumbnail_free);
      }

  g_task_return_boolean (task, TRUE);
}

void
tinta_thumbnailer_run (const char       *path,
                       gint64            n_frames,
                       guint             max_count,
                       int               width,
                       GCancellable     *cancellable,
                       TintaThumbnailFn  fn,
                       gpointer          user_data)
{
  g_autoptr(GTask) task = NULL;
  Job *job;

  g_return_if_fail (path != NULL);
  g_return_if_fail (G_IS_CANCELLABLE (cancellable));
  g_return_if_fail (fn != NULL);

  if (n_frames < 1 || max_count == 0 || width < 1)
    return;

  job = g_new0 (Job, 1);
  job->path = g_strdup (path);
  job->n_frames = n_frames;
  job->max_count = max_count;
  job->width = width;
  job->fn = fn;
  job->user_data = user_data;

  task = g_task_new (NULL, cancellable, NULL, NULL);
  g_task_set_source_tag (task, tinta_thumbnailer_run);
  g_task_set_task_data (task, job, job_free);
  g_task_run_in_thread (task, tinta_thumbnailer_thread);
}
