/* tinta-brush-cursor.c: the brush outline over the viewer (see
 * tinta-brush-cursor.h).
 *
 * Two concentric rings, dark outside and light inside, so the outline
 * reads on any picture, like the brush cursors of GIMP and Krita.  A
 * pointer cursor image would be simpler but X11 and Wayland limit cursor
 * sizes, and brushes grow far beyond them when zoomed in. */

#include "config.h"

#include "tinta-brush-cursor.h"

#define MIN_RADIUS 2.0     /* below this a crosshair dot is all there is */

struct _TintaBrushCursor
{
  GtkWidget parent_instance;

  double    x;
  double    y;
  double    radius;
  gboolean  shown;
};

G_DEFINE_FINAL_TYPE (TintaBrushCursor, tinta_brush_cursor, GTK_TYPE_WIDGET)

static void
append_ring (GtkSnapshot   *snapshot,
             double         x,
             double         y,
             double         radius,
             const GdkRGBA *color)
{
  GskRoundedRect ring;
  graphene_rect_t bounds = GRAPHENE_RECT_INIT (x - radius, y - radius, 2 * radius, 2 * radius);
  const float widths[4] = { 1, 1, 1, 1 };
  const GdkRGBA colors[4] = { *color, *color, *color, *color };

  gsk_rounded_rect_init_from_rect (&ring, &bounds, radius);
  gtk_snapshot_append_border (snapshot, &ring, widths, colors);
}

static void
tinta_brush_cursor_snapshot (GtkWidget   *widget,
                             GtkSnapshot *snapshot)
{
  TintaBrushCursor *self = TINTA_BRUSH_CURSOR (widget);
  static const GdkRGBA dark = { 0, 0, 0, 0.75f };
  static const GdkRGBA light = { 1, 1, 1, 0.9f };
  double radius = MAX (self->radius, MIN_RADIUS);

  if (!self->shown)
    return;

  append_ring (snapshot, self->x, self->y, radius + 1, &dark);
  append_ring (snapshot, self->x, self->y, radius, &light);
}

static void
tinta_brush_cursor_class_init (TintaBrushCursorClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  widget_class->snapshot = tinta_brush_cursor_snapshot;
  gtk_widget_class_set_css_name (widget_class, "tintabrushcursor");
}

static void
tinta_brush_cursor_init (TintaBrushCursor *self)
{
  gtk_widget_set_can_target (GTK_WIDGET (self), FALSE);
  gtk_widget_set_can_focus (GTK_WIDGET (self), FALSE);
}

GtkWidget *
tinta_brush_cursor_new (void)
{
  return g_object_new (TINTA_TYPE_BRUSH_CURSOR, NULL);
}

void
tinta_brush_cursor_move (TintaBrushCursor *self,
                         double            x,
                         double            y,
                         double            radius)
{
  g_return_if_fail (TINTA_IS_BRUSH_CURSOR (self));

  if (self->shown && self->x == x && self->y == y && self->radius == radius)
    return;
  self->x = x;
  self->y = y;
  self->radius = radius;
  self->shown = TRUE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
tinta_brush_cursor_hide (TintaBrushCursor *self)
{
  g_return_if_fail (TINTA_IS_BRUSH_CURSOR (self));

  if (!self->shown)
    return;
  self->shown = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gboolean
tinta_brush_cursor_is_shown (TintaBrushCursor *self)
{
  g_return_val_if_fail (TINTA_IS_BRUSH_CURSOR (self), FALSE);

  return self->shown;
}
