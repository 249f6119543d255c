/* tinta-paint-bar.h: TintaPaintBar, the tool bar of paint mode — brush,
 * eraser and eyedropper, the brush color, size and hardness.
 *
 *   TintaPaintBar *bar = TINTA_PAINT_BAR (tinta_paint_bar_new ());
 *   tinta_paint_bar_set_size (bar, 24);
 *   float lab[3];
 *   tinta_paint_bar_get_lab (bar, lab);      // the brush color, for a tinta_stroke
 *
 * The bar only holds the brush settings (properties "color", "size",
 * "hardness") and shows them; the tool buttons are the window's
 * win.paint-tool action, so the keys B, E and I and the buttons cannot
 * disagree.  Painting itself is in tinta-window-paint.c.  Main thread
 * only. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef enum {
  TINTA_PAINT_TOOL_BRUSH,
  TINTA_PAINT_TOOL_ERASER,
  TINTA_PAINT_TOOL_EYEDROPPER,
} TintaPaintTool;

#define TINTA_TYPE_PAINT_TOOL (tinta_paint_tool_get_type ())
GType tinta_paint_tool_get_type (void) G_GNUC_CONST;

/* Brush diameter in clip pixels. */
#define TINTA_PAINT_SIZE_MIN 1.0
#define TINTA_PAINT_SIZE_MAX 400.0

#define TINTA_TYPE_PAINT_BAR (tinta_paint_bar_get_type ())

G_DECLARE_FINAL_TYPE (TintaPaintBar, tinta_paint_bar, TINTA, PAINT_BAR, GtkBox)

GtkWidget *tinta_paint_bar_new          (void);

/* sRGB, alpha ignored. */
void       tinta_paint_bar_get_color    (TintaPaintBar *self,
                                         GdkRGBA       *color);
void       tinta_paint_bar_set_color    (TintaPaintBar *self,
                                         const GdkRGBA *color);
/* The color as CIE Lab (the engine's conversion), and set from Lab (what
 * the eyedropper picks). */
void       tinta_paint_bar_get_lab      (TintaPaintBar *self,
                                         float          lab[3]);
void       tinta_paint_bar_set_lab      (TintaPaintBar *self,
                                         const float    lab[3]);
double     tinta_paint_bar_get_size     (TintaPaintBar *self);
void       tinta_paint_bar_set_size     (TintaPaintBar *self,
                                         double         size);
/* 0 (soft edge) .. 1 (hard edge). */
double     tinta_paint_bar_get_hardness (TintaPaintBar *self);
void       tinta_paint_bar_set_hardness (TintaPaintBar *self,
                                         double         hardness);

G_END_DECLS
