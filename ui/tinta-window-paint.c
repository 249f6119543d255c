/* tinta-window-paint.c: paint mode — the third part of TintaWindow (see
 * tinta-window-private.h): painting strokes on the shown frame, which
 * become its partial keyframe, filled edge-aware by the engine
 * (tinta/paint.h, through a TintaPaintStore).
 *
 * win.paint (P) shows the TintaPaintBar and turns drags on the viewer into
 * strokes; win.paint-tool picks the brush (B), the eraser (E) or the
 * eyedropper (I), win.brush-size steps the size ([ and ]).  A drag is
 * captured before the viewer's own pan gesture, mapped from widget to clip
 * pixels through the viewer's layout, zoom and pan, and recorded as a
 * tinta_stroke (pressure from a tablet, else 1).  While the pointer moves,
 * the frame's strokes are filled again at most every PREVIEW_INTERVAL and
 * the result is shown at once as the viewer's FUSED chroma: the painted
 * keyframe blended by its alpha over the colors computed for the frame.
 * At the end of the stroke the keyframe is set through the same
 * TintaHistory path an import takes, so Ctrl+Z takes the stroke back and
 * the worker recomputes exactly the frames that depend on the keyframe.
 * Until the worker has colorized the frame with it, the preview stays.
 *
 * The fill runs on the main thread: the engine fills 854x480 in about
 * 10 ms, and a stroke must see its own result before the next motion is
 * worth drawing.  TINTA_DEBUG_PAINT=1 prints each preview's fill time and
 * its latency, from the pointer motion to the painted frame. */

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n.h>

#include "tinta-error.h"
#include "tinta-paint-store.h"
#include "tinta-ui.h"
#include "tinta-window-private.h"

#define PREVIEW_INTERVAL_US (50 * G_TIME_SPAN_MILLISECOND)
#define BRUSH_SIZE_STEP 1.25
#define MIN_POINT_DISTANCE 0.5     /* clip pixels between recorded points */

struct _TintaWindowPaint
{
  TintaPaintStore   *store;
  GtkGesture        *drag;
  TintaClip         *connected_clip;   /* whose ::frame-computed we follow */

  /* The stroke being drawn. */
  TintaPaintSession *active;
  tinta_stroke       current;
  GArray            *points;           /* tinta_stroke_point */
  double             start_x;
  double             start_y;
  guint              pane;             /* where the stroke began: it stays there */

  /* The preview, clip size: the frame's computed colors beneath the
   * keyframe (under_*), and what the viewer shows (show_*). */
  int                width;
  int                height;
  float             *under_a, *under_b;
  gint64             under_frame;
  float             *show_a, *show_b;
  gint64             preview_frame;    /* show_* hold this frame's preview; -1 none */
  guint              preview_id;
  gint64             last_preview;

  /* Latency: the first motion not shown yet, then the one whose preview
   * the viewer has, until the frame with it is painted. */
  gint64             motion_pending;
  gint64             latency_start;
  gboolean           latency_rendered;
  GdkFrameClock     *frame_clock;
  double             last_fill_ms;
  gboolean           debug;

  /* The brush outline follows the pointer. */
  gboolean           pointer_inside;
  double             pointer_x;
  double             pointer_y;
};

/* ---- the preview ------------------------------------------------------------- */

static gboolean
ensure_planes (struct _TintaWindowPaint *paint,
               int                       width,
               int                       height)
{
  gsize n = (gsize) width * height;

  if (paint->width == width && paint->height == height)
    return TRUE;

  g_free (paint->under_a);
  g_free (paint->under_b);
  g_free (paint->show_a);
  g_free (paint->show_b);
  paint->under_a = g_try_new (float, n);
  paint->under_b = g_try_new (float, n);
  paint->show_a = g_try_new (float, n);
  paint->show_b = g_try_new (float, n);
  paint->width = paint->height = 0;
  paint->under_frame = paint->preview_frame = -1;
  if (paint->under_a == NULL || paint->under_b == NULL || paint->show_a == NULL || paint->show_b == NULL)
    return FALSE;
  paint->width = width;
  paint->height = height;
  return TRUE;
}

/* The colors computed for @frame beneath the keyframe, at clip size: the
 * fused result (bilinear from the working size), or none (gray).  Kept
 * while an edit has the frame recomputing, so the picture does not go
 * gray between strokes. */
static void
update_under (TintaWindow *self,
              gint64       frame)
{
  struct _TintaWindowPaint *paint = self->paint;
  int width = paint->width, height = paint->height;
  g_autofree float *a = NULL;
  g_autofree float *b = NULL;
  int ww, wh;

  tinta_clip_get_working_size (self->clip, &ww, &wh);
  a = g_try_new (float, (gsize) ww * wh);
  b = g_try_new (float, (gsize) ww * wh);
  if (a == NULL || b == NULL || !tinta_clip_get_result (self->clip, frame, TINTA_RESULT_FUSED, a, b, NULL))
    {
      if (paint->under_frame != frame)
        {
          memset (paint->under_a, 0, (gsize) width * height * sizeof (float));
          memset (paint->under_b, 0, (gsize) width * height * sizeof (float));
          paint->under_frame = frame;
        }
      return;
    }

  for (int y = 0; y < height; y++)
    {
      double sy = CLAMP ((y + 0.5) * wh / height - 0.5, 0, wh - 1);
      int y0 = (int) sy, y1 = MIN (y0 + 1, wh - 1);
      double fy = sy - y0;

      for (int x = 0; x < width; x++)
        {
          double sx = CLAMP ((x + 0.5) * ww / width - 0.5, 0, ww - 1);
          int x0 = (int) sx, x1 = MIN (x0 + 1, ww - 1);
          double fx = sx - x0;
          gsize i00 = (gsize) y0 * ww + x0, i01 = (gsize) y0 * ww + x1;
          gsize i10 = (gsize) y1 * ww + x0, i11 = (gsize) y1 * ww + x1;
          gsize out = (gsize) y * width + x;

          paint->under_a[out] = (float) ((a[i00] * (1 - fx) + a[i01] * fx) * (1 - fy) +
                                         (a[i10] * (1 - fx) + a[i11] * fx) * fy);
          paint->under_b[out] = (float) ((b[i00] * (1 - fx) + b[i01] * fx) * (1 - fy) +
                                         (b[i10] * (1 - fx) + b[i11] * fx) * fy);
        }
    }
  paint->under_frame = frame;
}

static void
show_preview (TintaWindow *self)
{
  struct _TintaWindowPaint *paint = self->paint;

  if (paint->preview_frame < 0 || paint->preview_frame != self->shown_frame)
    return;
  tinta_viewer_set_result (self->viewer, TINTA_VIEW_FUSED, paint->width, paint->height,
                           paint->show_a, paint->show_b, NULL);
}

/* Shows keyframe (@a, @b, @alpha; NULL: full) of @frame over the colors
 * computed beneath it. */
static void
show_key (TintaWindow *self,
          gint64       frame,
          const float *a,
          const float *b,
          const float *alpha)
{
  struct _TintaWindowPaint *paint = self->paint;
  gsize n = (gsize) paint->width * paint->height;

  for (gsize i = 0; i < n; i++)
    {
      float weight = alpha != NULL ? alpha[i] : 1.0f;

      paint->show_a[i] = a[i] * weight + paint->under_a[i] * (1 - weight);
      paint->show_b[i] = b[i] * weight + paint->under_b[i] * (1 - weight);
    }
  paint->preview_frame = frame;
  show_preview (self);
}

/* Fills @session's strokes, and the one being drawn if it is @session's,
 * and shows the keyframe they make. */
static gboolean
paint_fill (TintaWindow        *self,
            TintaPaintSession  *session,
            GError            **error)
{
  struct _TintaWindowPaint *paint = self->paint;
  const float *a, *b, *alpha;
  gint64 start = g_get_monotonic_time ();

  paint->current.points = (tinta_stroke_point *) (void *) paint->points->data;
  paint->current.n_points = paint->points->len;
  if (!tinta_paint_store_fill (paint->store, session, paint->active == session ? &paint->current : NULL,
                               error))
    return FALSE;
  paint->last_fill_ms = (g_get_monotonic_time () - start) / 1000.0;

  tinta_paint_store_get_key (paint->store, &a, &b, &alpha);
  show_key (self, tinta_paint_session_get_frame (session), a, b, alpha);
  return TRUE;
}

static void
paint_preview_now (TintaWindow *self)
{
  struct _TintaWindowPaint *paint = self->paint;
  g_autoptr(GError) error = NULL;

  g_clear_handle_id (&paint->preview_id, g_source_remove);
  if (paint->active == NULL)
    return;

  paint->last_preview = g_get_monotonic_time ();
  if (!paint_fill (self, paint->active, &error))
    {
      tinta_window_show_error (self, _("Could not paint the stroke"), error);
      return;
    }
  if (paint->motion_pending != 0)
    paint->latency_start = paint->motion_pending;
  paint->motion_pending = 0;
}

static gboolean
paint_preview_cb (gpointer user_data)
{
  TintaWindow *self = user_data;

  self->paint->preview_id = 0;
  paint_preview_now (self);
  return G_SOURCE_REMOVE;
}

/* At most one preview per PREVIEW_INTERVAL: at once if the last one is
 * that old, else when it will be. */
static void
paint_queue_preview (TintaWindow *self)
{
  struct _TintaWindowPaint *paint = self->paint;
  gint64 now = g_get_monotonic_time ();
  gint64 due = paint->last_preview + PREVIEW_INTERVAL_US;

  if (paint->motion_pending == 0)
    paint->motion_pending = now;
  if (paint->preview_id != 0)
    return;
  if (now >= due)
    paint_preview_now (self);
  else
    paint->preview_id = g_timeout_add ((guint) ((due - now + 999) / 1000), paint_preview_cb, self);
}

/* The viewer renders a frame: the preview, if one is waiting. */
static gboolean
tinta_window_paint_render_cb (TintaWindow  *self,
                              GdkGLContext *context,
                              GtkGLArea    *area)
{
  if (self->paint != NULL && self->paint->latency_start != 0)
    self->paint->latency_rendered = TRUE;
  return FALSE;
}

/* The frame with the preview is painted: how long after the motion.  (Not
 * the viewer's ::presented, which comes from an idle that a window busy
 * animating may run late.) */
static void
tinta_window_paint_after_paint_cb (TintaWindow   *self,
                                   GdkFrameClock *clock)
{
  struct _TintaWindowPaint *paint = self->paint;
  double latency;

  if (paint == NULL || !paint->latency_rendered)
    return;
  latency = (g_get_monotonic_time () - paint->latency_start) / 1000.0;
  paint->latency_start = 0;
  paint->latency_rendered = FALSE;
  if (paint->debug)
    g_printerr ("tinta: paint preview %dx%d: fill %.1f ms, motion to screen %.1f ms\n",
                paint->width, paint->height, paint->last_fill_ms, latency);
}

/* ---- committing a stroke ------------------------------------------------------ */

/* The session's keyframe (the store's last fill) becomes the clip's,
 * through the history; nothing painted over no keyframe removes it. */
static void
paint_commit (TintaWindow       *self,
              TintaPaintSession *session)
{
  struct _TintaWindowPaint *paint = self->paint;
  gint64 frame = tinta_paint_session_get_frame (session);
  g_autoptr(GError) error = NULL;
  g_autoptr(TintaHistoryEdit) edit = NULL;
  g_autoptr(tinta_frame) colors = NULL;
  const float *before_alpha = NULL;
  const tinta_frame *before = tinta_clip_get_keyframe_colors (self->clip, frame, &before_alpha);
  gboolean empty = tinta_paint_session_is_empty (session);
  const float *a, *b, *alpha;
  int width, height;

  if (empty && before == NULL)
    return;

  tinta_paint_session_get_size (session, &width, &height);
  if ((edit = tinta_history_edit_new (frame, before, before_alpha)) == NULL ||
      (!empty && (colors = tinta_frame_new (width, height, TINTA_FRAME_LAB)) == NULL))
    {
      tinta_window_show_message (self, _("Could not paint the stroke"),
                                 _("There is not enough memory to keep the keyframe as it was."), NULL);
      return;
    }

  if (empty)
    tinta_clip_remove_keyframe (self->clip, frame, &error);
  else
    {
      gsize n = (gsize) width * height;

      tinta_paint_store_get_key (paint->store, &a, &b, &alpha);
      memcpy (colors->L, tinta_paint_session_get_luminance (session), n * sizeof (float));
      memcpy (colors->a, a, n * sizeof (float));
      memcpy (colors->b, b, n * sizeof (float));
      colors->has_color = 1;
      tinta_clip_set_keyframe (self->clip, frame, colors, alpha, &error);
    }
  if (error != NULL)
    {
      tinta_window_show_error (self, _("Could not paint the stroke"), error);
      return;
    }

  tinta_window_record_edit (self, g_steal_pointer (&edit));
  tinta_paint_store_remember (paint->store, self->clip, session);
  tinta_window_keyframes_changed (self, frame);
}

static void
paint_end_stroke (TintaWindow *self)
{
  struct _TintaWindowPaint *paint = self->paint;
  TintaPaintSession *session = paint->active;
  g_autoptr(GError) error = NULL;

  if (session == NULL)
    return;

  g_clear_handle_id (&paint->preview_id, g_source_remove);
  paint->current.points = (tinta_stroke_point *) (void *) paint->points->data;
  paint->current.n_points = paint->points->len;
  if (paint->current.n_points > 0)
    tinta_paint_session_add_stroke (session, &paint->current);
  paint->current.points = NULL;
  paint->current.n_points = 0;
  g_array_set_size (paint->points, 0);
  paint->active = NULL;

  if (!paint_fill (self, session, &error))
    {
      /* The engine refused the stroke (a size out of its range): drop it. */
      tinta_paint_session_remove_last_stroke (session);
      tinta_window_show_error (self, _("Could not paint the stroke"), error);
      return;
    }
  if (paint->motion_pending != 0)
    paint->latency_start = paint->motion_pending;
  paint->motion_pending = 0;
  paint_commit (self, session);
}

/* ---- input ------------------------------------------------------------------- */

static void tinta_window_paint_update_outline (TintaWindow *self);

/* A tablet pen's pressure; 1 for anything else, whose pressure axis (a
 * mouse through XTest has one) says nothing about the stroke. */
static double
event_pressure (GtkGesture *gesture)
{
  GdkEvent *event = gtk_gesture_get_last_event (gesture, gtk_gesture_get_last_updated_sequence (gesture));
  double pressure = 1.0;

  if (event != NULL && gdk_event_get_device_tool (event) != NULL &&
      gdk_event_get_axis (event, GDK_AXIS_PRESSURE, &pressure))
    return CLAMP (pressure, 0.0, 1.0);
  return 1.0;
}

static void
paint_add_point (TintaWindow *self,
                 double       x,
                 double       y,
                 double       pressure)
{
  struct _TintaWindowPaint *paint = self->paint;
  tinta_stroke_point point = { 0, 0, pressure };
  graphene_rect_t image;

  /* Through the pane the stroke began in, even where it leaves it. */
  if (!tinta_viewer_get_pane_bounds (self->viewer, paint->pane, &image) ||
      image.size.width <= 0 || image.size.height <= 0)
    return;
  point.x = (x - image.origin.x) * tinta_clip_get_info (self->clip)->width / image.size.width;
  point.y = (y - image.origin.y) * tinta_clip_get_info (self->clip)->height / image.size.height;

  if (paint->points->len > 0)
    {
      const tinta_stroke_point *last = &g_array_index (paint->points, tinta_stroke_point,
                                                       paint->points->len - 1);

      if (hypot (point.x - last->x, point.y - last->y) < MIN_POINT_DISTANCE)
        return;
    }
  g_array_append_val (paint->points, point);
  paint_queue_preview (self);
}

static void
paint_pick (TintaWindow *self,
            double       x,
            double       y)
{
  float lab[3];

  if (!tinta_viewer_pick_lab (self->viewer, x, y, lab))
    return;
  tinta_paint_bar_set_lab (self->paint_bar, lab);
  /* Picking is a step towards painting with the color. */
  g_object_set (self, "paint-tool", TINTA_PAINT_TOOL_BRUSH, NULL);
}

/* Once per clip and per window: what the preview follows. */
static void
paint_connect (TintaWindow *self)
{
  struct _TintaWindowPaint *paint = self->paint;
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (self->viewer));

  if (paint->connected_clip != self->clip)
    {
      g_signal_connect_object (self->clip, "frame-computed",
                               G_CALLBACK (tinta_window_paint_keyframes_changed), self,
                               G_CONNECT_SWAPPED | G_CONNECT_AFTER);
      paint->connected_clip = self->clip;
    }
  if (clock != NULL && paint->frame_clock != clock)
    {
      g_signal_connect_object (clock, "after-paint", G_CALLBACK (tinta_window_paint_after_paint_cb),
                               self, G_CONNECT_SWAPPED);
      paint->frame_clock = clock;
    }
}

static void
tinta_window_paint_drag_begin_cb (TintaWindow    *self,
                                  double          x,
                                  double          y,
                                  GtkGestureDrag *gesture)
{
  struct _TintaWindowPaint *paint = self->paint;
  g_autoptr(GError) error = NULL;
  const tinta_frame *pixels;
  TintaPaintSession *session;
  gint64 frame, decoded = -1;
  double clip_x, clip_y;

  /* Not claimed: the viewer pans and moves the wipe as usual. */
  if (paint == NULL || !self->painting || self->clip == NULL)
    return;

  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  if (self->paint_tool == TINTA_PAINT_TOOL_EYEDROPPER)
    {
      paint_pick (self, x, y);
      return;
    }

  paint_end_stroke (self);
  frame = tinta_timeline_get_position (self->timeline);
  pixels = tinta_clip_peek_frame (self->clip, &decoded);
  /* Strokes go on the frame the user sees, once it is there. */
  if (pixels == NULL || decoded != frame || self->shown_frame != frame ||
      !tinta_viewer_widget_to_clip (self->viewer, x, y, &clip_x, &clip_y, &paint->pane))
    return;
  if (!ensure_planes (paint, pixels->width, pixels->height))
    {
      tinta_window_show_message (self, _("Could not paint the stroke"),
                                 _("There is not enough memory for the painted keyframe."), NULL);
      return;
    }
  if ((session = tinta_paint_store_begin (paint->store, self->clip, frame, pixels, &error)) == NULL)
    {
      tinta_window_show_error (self, _("Could not paint the stroke"), error);
      return;
    }

  paint_connect (self);
  update_under (self, frame);
  tinta_paint_bar_get_lab (self->paint_bar, paint->current.color);
  paint->current.size = (float) tinta_paint_bar_get_size (self->paint_bar);
  paint->current.hardness = (float) tinta_paint_bar_get_hardness (self->paint_bar);
  paint->current.eraser = self->paint_tool == TINTA_PAINT_TOOL_ERASER;
  g_array_set_size (paint->points, 0);
  paint->active = session;
  paint->start_x = x;
  paint->start_y = y;
  paint->last_preview = 0;
  paint_add_point (self, x, y, event_pressure (GTK_GESTURE (gesture)));
}

static void
tinta_window_paint_drag_update_cb (TintaWindow    *self,
                                   double          offset_x,
                                   double          offset_y,
                                   GtkGestureDrag *gesture)
{
  struct _TintaWindowPaint *paint = self->paint;

  if (paint == NULL || paint->active == NULL)
    return;
  paint->pointer_x = paint->start_x + offset_x;
  paint->pointer_y = paint->start_y + offset_y;
  paint_add_point (self, paint->pointer_x, paint->pointer_y, event_pressure (GTK_GESTURE (gesture)));
  tinta_window_paint_update_outline (self);
}

static void
tinta_window_paint_drag_end_cb (TintaWindow    *self,
                                double          offset_x,
                                double          offset_y,
                                GtkGestureDrag *gesture)
{
  struct _TintaWindowPaint *paint = self->paint;

  if (paint == NULL || paint->active == NULL)
    return;
  paint_add_point (self, paint->start_x + offset_x, paint->start_y + offset_y,
                   event_pressure (GTK_GESTURE (gesture)));
  paint_end_stroke (self);
}

static void
tinta_window_paint_update_outline (TintaWindow *self)
{
  struct _TintaWindowPaint *paint = self->paint;
  const tinta_media_info *info;
  graphene_rect_t bounds;
  double clip_x, clip_y;
  guint pane = 0;

  if (paint == NULL)
    return;

  info = self->clip != NULL ? tinta_clip_get_info (self->clip) : NULL;
  if (!self->painting || self->paint_tool == TINTA_PAINT_TOOL_EYEDROPPER || !paint->pointer_inside ||
      info == NULL || info->width <= 0 ||
      !tinta_viewer_widget_to_clip (self->viewer, paint->pointer_x, paint->pointer_y,
                                    &clip_x, &clip_y, &pane) ||
      !tinta_viewer_get_pane_bounds (self->viewer, pane, &bounds))
    {
      tinta_brush_cursor_hide (self->brush_cursor);
      return;
    }

  tinta_brush_cursor_move (self->brush_cursor, paint->pointer_x, paint->pointer_y,
                           tinta_paint_bar_get_size (self->paint_bar) / 2.0 *
                           bounds.size.width / info->width);
}

static void
tinta_window_paint_motion_cb (TintaWindow              *self,
                              double                    x,
                              double                    y,
                              GtkEventControllerMotion *motion)
{
  if (self->paint == NULL)
    return;
  self->paint->pointer_inside = TRUE;
  self->paint->pointer_x = x;
  self->paint->pointer_y = y;
  tinta_window_paint_update_outline (self);
}

static void
tinta_window_paint_leave_cb (TintaWindow              *self,
                             GtkEventControllerMotion *motion)
{
  if (self->paint == NULL)
    return;
  self->paint->pointer_inside = FALSE;
  tinta_window_paint_update_outline (self);
}

/* ---- mode and tools ---------------------------------------------------------- */

static void
tinta_window_paint_mode_cb (TintaWindow *self)
{
  GtkWidget *widget = GTK_WIDGET (self);

  if (self->paint == NULL)
    return;

  gtk_revealer_set_reveal_child (self->paint_revealer, self->painting);
  gtk_widget_action_set_enabled (widget, "win.paint-tool", self->painting);
  gtk_widget_action_set_enabled (widget, "win.brush-size", self->painting);
  if (!self->painting)
    paint_end_stroke (self);
  /* The painted keyframe shows in the fused view; the gray one would hide it. */
  else if (self->layout == TINTA_LAYOUT_SINGLE && self->view_mode == TINTA_VIEW_GRAY)
    g_object_set (self, "view-mode", TINTA_VIEW_FUSED, NULL);
  tinta_window_paint_update_outline (self);
}

static void
brush_size_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  TintaWindow *self = TINTA_WINDOW (widget);
  int direction = g_variant_get_int32 (parameter) > 0 ? 1 : -1;
  double size = tinta_paint_bar_get_size (self->paint_bar);
  double resized = direction > 0 ? size * BRUSH_SIZE_STEP : size / BRUSH_SIZE_STEP;

  /* Small brushes still change by a pixel per key. */
  if (fabs (round (resized) - size) < 1)
    resized = size + direction;
  tinta_paint_bar_set_size (self->paint_bar, resized);
}

/* ---- the window's side ------------------------------------------------------- */

void
tinta_window_paint_keyframes_changed (TintaWindow *self,
                                      gint64       frame)
{
  struct _TintaWindowPaint *paint = self->paint;
  gint64 active_frame;

  if (paint == NULL || self->clip == NULL)
    return;
  if (frame < 0)
    {
      if (paint->active == NULL)
        tinta_paint_store_drop_sessions (paint->store);
      paint->preview_frame = -1;
      return;
    }

  /* An undo, a redo, an import or a delete: the frame's session starts
   * again from the keyframe there now, and the preview is out of date. */
  active_frame = paint->active != NULL ? tinta_paint_session_get_frame (paint->active) : -1;
  if (frame != active_frame && tinta_paint_store_forget_stale (paint->store, self->clip, frame) &&
      paint->preview_frame == frame)
    paint->preview_frame = -1;

  if (frame != self->shown_frame)
    return;

  /* The worker has not computed the frame since the edit (the window has
   * just cleared its result), or has, without the stroke being drawn: the
   * preview stays until it has.  A painted keyframe a redo brought back
   * shows the same way at once, rather than gray until the worker gets
   * there. */
  if (frame == active_frame ||
      (paint->preview_frame == frame && !tinta_clip_has_result (self->clip, frame, TINTA_RESULT_FUSED)))
    show_preview (self);
  else if (paint->preview_frame == frame)
    paint->preview_frame = -1;
  else if (!tinta_clip_has_result (self->clip, frame, TINTA_RESULT_FUSED) &&
           tinta_paint_store_is_painted (paint->store, self->clip, frame))
    {
      const float *alpha = NULL;
      const tinta_frame *colors = tinta_clip_get_keyframe_colors (self->clip, frame, &alpha);

      if (ensure_planes (paint, colors->width, colors->height))
        {
          update_under (self, frame);
          show_key (self, frame, colors->a, colors->b, alpha);
        }
    }
}

int
tinta_window_paint_save_strokes (TintaWindow       *self,
                                 gint64             frame,
                                 tinta_project_key *key,
                                 tinta_error       *detail)
{
  return tinta_paint_store_save_strokes (self->paint->store, self->clip, frame, key, detail);
}

void
tinta_window_paint_load_strokes (TintaWindow        *self,
                                 gint64              frame,
                                 const tinta_stroke *strokes,
                                 size_t              n)
{
  tinta_paint_store_load_strokes (self->paint->store, self->clip, frame, strokes, n);
}

void
tinta_window_paint_reset (TintaWindow *self)
{
  struct _TintaWindowPaint *paint = self->paint;

  if (paint == NULL)
    return;
  g_clear_handle_id (&paint->preview_id, g_source_remove);
  paint->active = NULL;
  g_array_set_size (paint->points, 0);
  tinta_paint_store_clear (paint->store);
  paint->connected_clip = NULL;
  paint->preview_frame = paint->under_frame = -1;
  paint->latency_start = paint->motion_pending = 0;
  paint->latency_rendered = FALSE;
  if (self->painting)
    g_object_set (self, "painting", FALSE, NULL);
}

void
tinta_window_paint_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_property_action (widget_class, "win.paint", "painting");
  gtk_widget_class_install_property_action (widget_class, "win.paint-tool", "paint-tool");
  gtk_widget_class_install_action (widget_class, "win.brush-size", "i", brush_size_action);
}

void
tinta_window_paint_init (TintaWindow *self)
{
  struct _TintaWindowPaint *paint = g_new0 (struct _TintaWindowPaint, 1);
  GtkEventController *motion = gtk_event_controller_motion_new ();

  self->paint = paint;
  paint->store = tinta_paint_store_new ();
  paint->points = g_array_new (FALSE, FALSE, sizeof (tinta_stroke_point));
  paint->preview_frame = paint->under_frame = -1;
  paint->debug = g_strcmp0 (g_getenv ("TINTA_DEBUG_PAINT"), "1") == 0;

  /* Before the viewer's own drag (bubble phase), which a claimed stroke
   * then denies: no panning under the brush. */
  paint->drag = gtk_gesture_drag_new ();
  gtk_event_controller_set_name (GTK_EVENT_CONTROLLER (paint->drag), "tinta-paint-stroke");
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (paint->drag), GTK_PHASE_CAPTURE);
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (paint->drag), GDK_BUTTON_PRIMARY);
  g_signal_connect_object (paint->drag, "drag-begin", G_CALLBACK (tinta_window_paint_drag_begin_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (paint->drag, "drag-update", G_CALLBACK (tinta_window_paint_drag_update_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (paint->drag, "drag-end", G_CALLBACK (tinta_window_paint_drag_end_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self->viewer), GTK_EVENT_CONTROLLER (paint->drag));

  gtk_event_controller_set_name (motion, "tinta-paint-pointer");
  g_signal_connect_object (motion, "enter", G_CALLBACK (tinta_window_paint_motion_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (motion, "motion", G_CALLBACK (tinta_window_paint_motion_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (motion, "leave", G_CALLBACK (tinta_window_paint_leave_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self->viewer), motion);

  g_signal_connect_object (self->viewer, "render", G_CALLBACK (tinta_window_paint_render_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->viewer, "notify::zoom", G_CALLBACK (tinta_window_paint_update_outline),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect (self, "notify::painting", G_CALLBACK (tinta_window_paint_mode_cb), NULL);
  g_signal_connect (self, "notify::paint-tool", G_CALLBACK (tinta_window_paint_update_outline), NULL);
  g_signal_connect_object (self->paint_bar, "notify::size", G_CALLBACK (tinta_window_paint_update_outline),
                           self, G_CONNECT_SWAPPED);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.paint-tool", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.brush-size", FALSE);
}

void
tinta_window_paint_dispose (TintaWindow *self)
{
  struct _TintaWindowPaint *paint = g_steal_pointer (&self->paint);

  if (paint == NULL)
    return;

  g_clear_handle_id (&paint->preview_id, g_source_remove);
  tinta_paint_store_free (paint->store);
  g_array_unref (paint->points);
  g_free (paint->under_a);
  g_free (paint->under_b);
  g_free (paint->show_a);
  g_free (paint->show_b);
  g_free (paint);
}
