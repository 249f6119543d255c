/* tinta-viewer.h: TintaViewer, the GtkGLArea that shows one frame and the
 * colorizations computed for it, alone or side by side.
 *
 *   TintaViewer *viewer = TINTA_VIEWER (tinta_viewer_new ());
 *   tinta_viewer_set_luminance (viewer, 1920, 1080, L);        // a new frame
 *   tinta_viewer_set_result (viewer, TINTA_VIEW_LOCAL,          // later, from
 *                            960, 540, a, b, NULL);             // the worker
 *   tinta_viewer_set_layout (viewer, TINTA_LAYOUT_WIPE);
 *   tinta_viewer_set_pair (viewer, TINTA_VIEW_GRAY, TINTA_VIEW_LOCAL);
 *
 * A frame is its luminance L (at clip size) plus up to three results, the
 * chroma a,b of the LOCAL, GLOBAL and FUSED strategies, each at the size
 * the engine computed it (the shader upsamples).  All of it goes to the GPU
 * as float textures and the fragment shader converts Lab to sRGB, so
 * switching modes and layouts costs no CPU work.  Results belong to a
 * frame: a new luminance clears them, and a mode without a result is shown
 * gray with a "not computed" mark, never with an older frame's colors.
 *
 * Layouts: SINGLE (the "mode"), SIDE_BY_SIDE and WIPE (the "pair"; the wipe
 * divider can be dragged), GRID (gray, local, global, fused, labelled).
 * Zoom and pan are shared by all panes, so each shows the same part of the
 * image: zoom 0 fits the image into each pane, 1.0 maps one image pixel to
 * one device pixel; scrolling zooms at the pointer, dragging pans.
 *
 * ::presented is emitted (from an idle, after the frame reached the screen)
 * each time a frame was drawn, and ::error when GL cannot show it.  Main
 * thread only, like all widgets; the planes passed in are copied. */
#pragma once

#include <gtk/gtk.h>
#include <tinta/tinta.h>

G_BEGIN_DECLS

typedef enum {
  TINTA_VIEW_GRAY,      /* the luminance alone: the engine's input */
  TINTA_VIEW_LOCAL,
  TINTA_VIEW_GLOBAL,
  TINTA_VIEW_FUSED,
} TintaViewMode;

#define TINTA_N_VIEW_MODES 4

typedef enum {
  TINTA_LAYOUT_SINGLE,
  TINTA_LAYOUT_SIDE_BY_SIDE,
  TINTA_LAYOUT_GRID,
  TINTA_LAYOUT_WIPE,
} TintaViewLayout;

#define TINTA_TYPE_VIEW_MODE (tinta_view_mode_get_type ())
GType tinta_view_mode_get_type (void) G_GNUC_CONST;

#define TINTA_TYPE_VIEW_LAYOUT (tinta_view_layout_get_type ())
GType tinta_view_layout_get_type (void) G_GNUC_CONST;

#define TINTA_TYPE_VIEWER (tinta_viewer_get_type ())

G_DECLARE_FINAL_TYPE (TintaViewer, tinta_viewer, TINTA, VIEWER, GtkGLArea)

GtkWidget         *tinta_viewer_new              (void);

/* The whole engine frame: its L, and its a,b as the FUSED result when
 * frame->has_color.  The viewer keeps @frame (transfer full) until the next
 * set_frame or set_luminance. */
void               tinta_viewer_set_frame        (TintaViewer        *self,
                                                  tinta_frame        *frame);
const tinta_frame *tinta_viewer_get_frame        (TintaViewer        *self);

/* The frame's luminance, width x height, L in [0, 100], copied.  Clears
 * all results and the frame of set_frame; L == NULL shows nothing. */
void               tinta_viewer_set_luminance    (TintaViewer        *self,
                                                  int                 width,
                                                  int                 height,
                                                  const float        *L);

/* A result for the current frame: chroma a, b (Lab units) at width x height,
 * which may be smaller than the luminance; conf (nullable) in [0, 1], for
 * GLOBAL the match similarity that the confidence overlay shows.  All are
 * copied.  a == NULL clears @mode's result (= not computed).  @mode must
 * not be GRAY. */
void               tinta_viewer_set_result       (TintaViewer        *self,
                                                  TintaViewMode       mode,
                                                  int                 width,
                                                  int                 height,
                                                  const float        *a,
                                                  const float        *b,
                                                  const float        *conf);
/* GRAY "has a result" when there is a luminance. */
gboolean           tinta_viewer_has_result       (TintaViewer        *self,
                                                  TintaViewMode       mode);

/* The single layout's mode; property "mode". */
TintaViewMode      tinta_viewer_get_mode         (TintaViewer        *self);
void               tinta_viewer_set_mode         (TintaViewer        *self,
                                                  TintaViewMode       mode);
/* Property "layout". */
TintaViewLayout    tinta_viewer_get_layout       (TintaViewer        *self);
void               tinta_viewer_set_layout       (TintaViewer        *self,
                                                  TintaViewLayout     layout);
/* The two modes of SIDE_BY_SIDE and WIPE; properties "left-mode" and
 * "right-mode". */
void               tinta_viewer_get_pair         (TintaViewer        *self,
                                                  TintaViewMode      *left,
                                                  TintaViewMode      *right);
void               tinta_viewer_set_pair         (TintaViewer        *self,
                                                  TintaViewMode       left,
                                                  TintaViewMode       right);
/* Where the wipe divider is, as a fraction of the visible image width
 * (0..1); property "wipe-position". */
double             tinta_viewer_get_wipe_position (TintaViewer       *self);
void               tinta_viewer_set_wipe_position (TintaViewer       *self,
                                                   double             fraction);

/* 0 fits the image into each pane; otherwise device pixels per image
 * pixel (1.0 = 100%), 1/32 to 32; property "zoom". */
double             tinta_viewer_get_zoom         (TintaViewer        *self);
void               tinta_viewer_set_zoom         (TintaViewer        *self,
                                                  double              zoom);
/* Multiplies the zoom by @factor keeping the image point under widget
 * point (@x, @y) where it is (as far as the image edges allow: a zoomed
 * image never leaves empty space in a pane it covers).  Zooming out stops
 * at fit. */
void               tinta_viewer_zoom_at          (TintaViewer        *self,
                                                  double              factor,
                                                  double              x,
                                                  double              y);

/* Hatches, on every colored pane, the areas where GLOBAL's confidence is
 * below 0.5 (see shaders/display.frag); property "show-confidence". */
gboolean           tinta_viewer_get_show_confidence (TintaViewer     *self);
void               tinta_viewer_set_show_confidence (TintaViewer     *self,
                                                     gboolean         show);

/* Compatibility with the first viewer: FALSE is mode GRAY, TRUE any other
 * (setting TRUE from GRAY selects FUSED); property "show-color". */
gboolean           tinta_viewer_get_show_color   (TintaViewer        *self);
void               tinta_viewer_set_show_color   (TintaViewer        *self,
                                                  gboolean            show_color);

/* Where pane @pane's whole image is drawn, in widget coordinates.  Zoomed
 * in, the rect extends beyond the pane, which shows only its part of it.
 * Panes: SINGLE and WIPE have 1, SIDE_BY_SIDE 2 (left, right), GRID 4 (gray,
 * local, global, fused, row by row).  FALSE (and an empty rect) when there
 * is no such pane or no frame. */
gboolean           tinta_viewer_get_pane_bounds  (TintaViewer        *self,
                                                  guint               pane,
                                                  graphene_rect_t    *bounds);
/* The area of pane @pane itself, in widget coordinates. */
gboolean           tinta_viewer_get_pane_area    (TintaViewer        *self,
                                                  guint               pane,
                                                  graphene_rect_t    *area);
/* The image bounds of pane 0: in the SINGLE layout, where the image is. */
gboolean           tinta_viewer_get_image_bounds (TintaViewer        *self,
                                                  graphene_rect_t    *bounds);

/* The image point under widget point (@x, @y) through the layout, zoom
 * and pan, in image pixels (pixel (i, j) covers [i, i+1) x [j, j+1));
 * points off the image map outside [0, width) x [0, height).  @pane
 * (nullable) is the pane under the point.  FALSE without an image. */
gboolean           tinta_viewer_widget_to_clip   (TintaViewer        *self,
                                                  double              x,
                                                  double              y,
                                                  double             *clip_x,
                                                  double             *clip_y,
                                                  guint              *pane);
/* The mode shown at widget point (@x, @y): its pane's, in WIPE the side
 * of the divider it is on. */
TintaViewMode      tinta_viewer_get_mode_at      (TintaViewer        *self,
                                                  double              x,
                                                  double              y);
/* The Lab color shown at widget point (@x, @y): the frame's L and the
 * chroma of the mode shown there (0 where it shows gray or no result).
 * FALSE off the image. */
gboolean           tinta_viewer_pick_lab         (TintaViewer        *self,
                                                  double              x,
                                                  double              y,
                                                  float               lab[3]);

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
