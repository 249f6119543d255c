/* tinta-thumbnailer.h: small pictures of a clip's frames for the timeline
 * and the keyframe list, decoded off the main thread.
 *
 *   GCancellable *cancel = g_cancellable_new ();
 *   tinta_thumbnailer_run ("shot.mov", 3000, 32, 96, cancel, add_thumbnail, window);
 *   ...
 *   g_cancellable_cancel (cancel);   // a new clip, or the window closes
 *
 * tinta_thumbnailer_run() opens a decoder of its own (the clip's two are
 * busy with display and colorization) on GLib's thread pool and decodes up
 * to max_count frames spread over the clip, coarse to fine, so a long clip
 * shows a few thumbnails across the whole strip quickly and fills in the
 * rest later.  Each arrives on the main thread through @fn.  Cancelling
 * from the main thread guarantees @fn is not called again, so @user_data
 * need not be referenced; the thread stops at the next frame.  Failures
 * simply end the run: the display decoder reports the same problems. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef void (*TintaThumbnailFn) (gint64      frame,
                                  GdkTexture *texture,
                                  gpointer    user_data);

void    tinta_thumbnailer_run   (const char       *path,
                                 gint64            n_frames,
                                 guint             max_count,
                                 int               width,
                                 GCancellable     *cancellable,
                                 TintaThumbnailFn  fn,
                                 gpointer          user_data);

/* Box-filters packed RGB (width x height) down to at most max_width
 * pixels wide, aspect kept; packed RGB again.  Any thread. */
GBytes *tinta_thumbnail_scale   (const guint8     *rgb,
                                 int               width,
                                 int               height,
                                 int               max_width,
                                 int              *out_width,
                                 int              *out_height);

G_END_DECLS
