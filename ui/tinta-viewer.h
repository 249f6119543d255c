/* tinta-viewer.h: TintaViewer, the GtkGLArea that shows one frame.
 *
 *   TintaViewer *viewer = tinta_viewer_new ();
 *   tinta_viewer_set_frame (viewer, g_steal_pointer (&frame));  // takes it
 *   tinta_viewer_set_show_color (viewer, FALSE);                // gray input
 *
 * The frame's L and a,b planes go to the GPU as float textures and the
 * fragment shader converts Lab to sRGB, so switching between color and gray
 * (and later between strategies) costs no CPU work.  The image is fitted to
 * the widget with its aspect ratio kept; the rest is a dark neutral
 * background.  ::presented is emitted (from an idle, after the frame
 * reached the screen) each time a frame was drawn, and ::error when GL
 * cannot show it.  Main thread only, like all widgets. */
#pragma once

#include <gtk/gtk.h>
#include <tinta/tinta.h>

G_BEGIN_DECLS

#define TINTA_TYPE_VIEWER (tinta_viewer_get_type ())

G_DECLARE_FINAL_TYPE (TintaViewer, tinta_viewer, TINTA, VIEWER, GtkGLArea)

GtkWidget         *tinta_viewer_new              (void);
void               tinta_viewer_set_frame        (TintaViewer        *self,
                                                  tinta_frame        *frame);
const tinta_frame *tinta_viewer_get_frame        (TintaViewer        *self);
gboolean           tinta_viewer_get_show_color   (TintaViewer        *self);
void               tinta_viewer_set_show_color   (TintaViewer        *self,
                                                  gboolean            show_color);
gboolean           tinta_viewer_get_image_bounds (TintaViewer        *self,
                                                  graphene_rect_t    *bounds);

/* Where an image of image_width x image_height lands in an area of
 * area_width x area_height: as large as fits, aspect kept, centered, on
 * whole pixels.  Shared by drawing and hit-testing so they cannot drift. */
void               tinta_viewer_fit_image        (int                 image_width,
                                                  int                 image_height,
                                                  int                 area_width,
                                                  int                 area_height,
                                                  int                *x,
                                                  int                *y,
                                                  int                *width,
                                                  int                *height);

G_END_DECLS
