/* tinta-paint-bar.c: the paint mode's tool bar (template
 * resources/ui/tinta-paint-bar.ui; see tinta-paint-bar.h).
 *
 * The bar is the model of the brush settings: the color button, the size
 * spin button and the hardness scale are bound to its properties, so the
 * window reads one place whatever the user changed (a widget, the [ and ]
 * keys, the eyedropper).  Colors are kept as sRGB, which is what the color
 * chooser edits, and converted to Lab with the engine's exact conversion
 * when a stroke needs them. */

#include "config.h"

#include <math.h>

#include <tinta/color.h>

#include "tinta-paint-bar.h"
#include "tinta-ui.h"

struct _TintaPaintBar
{
  GtkBox          parent_instance;

  GdkRGBA         color;
  double          size;
  double          hardness;

  /* Template children */
  GtkColorButton *color_button;
  GtkAdjustment  *size_adjustment;
  GtkAdjustment  *hardness_adjustment;
};

G_DEFINE_FINAL_TYPE (TintaPaintBar, tinta_paint_bar, GTK_TYPE_BOX)

G_DEFINE_ENUM_TYPE (TintaPaintTool, tinta_paint_tool,
  G_DEFINE_ENUM_VALUE (TINTA_PAINT_TOOL_BRUSH, "brush"),
  G_DEFINE_ENUM_VALUE (TINTA_PAINT_TOOL_ERASER, "eraser"),
  G_DEFINE_ENUM_VALUE (TINTA_PAINT_TOOL_EYEDROPPER, "eyedropper"))

enum {
  PROP_0,
  PROP_COLOR,
  PROP_SIZE,
  PROP_HARDNESS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* GNOME palette orange 3: visible on gray, and not a skin tone. */
static const GdkRGBA default_color = { 1.0f, 0.47f, 0.0f, 1.0f };

void
tinta_paint_bar_get_color (TintaPaintBar *self,
                           GdkRGBA       *color)
{
  g_return_if_fail (TINTA_IS_PAINT_BAR (self));

  *color = self->color;
}

void
tinta_paint_bar_set_color (TintaPaintBar *self,
                           const GdkRGBA *color)
{
  GdkRGBA opaque;

  g_return_if_fail (TINTA_IS_PAINT_BAR (self));
  g_return_if_fail (color != NULL);

  opaque = *color;
  opaque.alpha = 1.0f;
  if (gdk_rgba_equal (&opaque, &self->color))
    return;
  self->color = opaque;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COLOR]);
}

void
tinta_paint_bar_get_lab (TintaPaintBar *self,
                         float          lab[3])
{
  float r, g, b;

  g_return_if_fail (TINTA_IS_PAINT_BAR (self));

  r = CLAMP (self->color.red, 0.0f, 1.0f);
  g = CLAMP (self->color.green, 0.0f, 1.0f);
  b = CLAMP (self->color.blue, 0.0f, 1.0f);
  tinta_srgbf_to_lab (&r, &g, &b, 1, &lab[0], &lab[1], &lab[2]);
}

void
tinta_paint_bar_set_lab (TintaPaintBar *self,
                         const float    lab[3])
{
  GdkRGBA color = { 0, 0, 0, 1.0f };

  g_return_if_fail (TINTA_IS_PAINT_BAR (self));

  tinta_lab_to_srgbf (&lab[0], &lab[1], &lab[2], 1, &color.red, &color.green, &color.blue);
  color.red = CLAMP (color.red, 0.0f, 1.0f);
  color.green = CLAMP (color.green, 0.0f, 1.0f);
  color.blue = CLAMP (color.blue, 0.0f, 1.0f);
  tinta_paint_bar_set_color (self, &color);
}

double
tinta_paint_bar_get_size (TintaPaintBar *self)
{
  g_return_val_if_fail (TINTA_IS_PAINT_BAR (self), TINTA_PAINT_SIZE_MIN);

  return self->size;
}

void
tinta_paint_bar_set_size (TintaPaintBar *self,
                          double         size)
{
  g_return_if_fail (TINTA_IS_PAINT_BAR (self));

  size = CLAMP (round (size), TINTA_PAINT_SIZE_MIN, TINTA_PAINT_SIZE_MAX);
  if (size == self->size)
    return;
  self->size = size;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIZE]);
}

double
tinta_paint_bar_get_hardness (TintaPaintBar *self)
{
  g_return_val_if_fail (TINTA_IS_PAINT_BAR (self), 0.5);

  return self->hardness;
}

void
tinta_paint_bar_set_hardness (TintaPaintBar *self,
                              double         hardness)
{
  g_return_if_fail (TINTA_IS_PAINT_BAR (self));

  hardness = CLAMP (hardness, 0.0, 1.0);
  if (hardness == self->hardness)
    return;
  self->hardness = hardness;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HARDNESS]);
}

static void
tinta_paint_bar_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  TintaPaintBar *self = TINTA_PAINT_BAR (object);

  switch (prop_id)
    {
    case PROP_COLOR:
      g_value_set_boxed (value, &self->color);
      break;
    case PROP_SIZE:
      g_value_set_double (value, self->size);
      break;
    case PROP_HARDNESS:
      g_value_set_double (value, self->hardness);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tinta_paint_bar_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  TintaPaintBar *self = TINTA_PAINT_BAR (object);

  switch (prop_id)
    {
    case PROP_COLOR:
      if (g_value_get_boxed (value) != NULL)
        tinta_paint_bar_set_color (self, g_value_get_boxed (value));
      break;
    case PROP_SIZE:
      tinta_paint_bar_set_size (self, g_value_get_double (value));
      break;
    case PROP_HARDNESS:
      tinta_paint_bar_set_hardness (self, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tinta_paint_bar_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), TINTA_TYPE_PAINT_BAR);

  G_OBJECT_CLASS (tinta_paint_bar_parent_class)->dispose (object);
}

static void
tinta_paint_bar_class_init (TintaPaintBarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  tinta_ui_ensure_resources ();

  object_class->dispose = tinta_paint_bar_dispose;
  object_class->get_property = tinta_paint_bar_get_property;
  object_class->set_property = tinta_paint_bar_set_property;

  properties[PROP_COLOR] = g_param_spec_boxed ("color", NULL, NULL, GDK_TYPE_RGBA, flags);
  properties[PROP_SIZE] = g_param_spec_double ("size", NULL, NULL, TINTA_PAINT_SIZE_MIN,
                                               TINTA_PAINT_SIZE_MAX, 24.0, flags);
  properties[PROP_HARDNESS] = g_param_spec_double ("hardness", NULL, NULL, 0.0, 1.0, 0.5, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, TINTA_RESOURCE_PATH "/ui/tinta-paint-bar.ui");
  gtk_widget_class_bind_template_child (widget_class, TintaPaintBar, color_button);
  gtk_widget_class_bind_template_child (widget_class, TintaPaintBar, size_adjustment);
  gtk_widget_class_bind_template_child (widget_class, TintaPaintBar, hardness_adjustment);
  gtk_widget_class_set_css_name (widget_class, "tintapaintbar");
}

static void
tinta_paint_bar_init (TintaPaintBar *self)
{
  GBindingFlags both = G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE;

  self->color = default_color;
  self->size = 24.0;
  self->hardness = 0.5;

  gtk_widget_init_template (GTK_WIDGET (self));

  /* Bound here rather than in the template, which gtk4-builder-tool
   * validates without this class's properties. */
  g_object_bind_property (self, "color", self->color_button, "rgba", both);
  g_object_bind_property (self, "size", self->size_adjustment, "value", both);
  g_object_bind_property (self, "hardness", self->hardness_adjustment, "value", both);
}

GtkWidget *
tinta_paint_bar_new (void)
{
  return g_object_new (TINTA_TYPE_PAINT_BAR, NULL);
}
