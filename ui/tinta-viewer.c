/* tinta-viewer.c: TintaViewer draws a frame and its colorizations with
 * OpenGL, in one pane or several.
 *
 * The frame stays in CIE Lab all the way to the screen: L goes up as an R32F
 * texture, each mode's a,b as an RG32F texture (plus an R32F confidence),
 * and shaders/display.frag converts to sRGB with the engine's constants.
 * Every pane is the same quad drawn by the one program, cut to its pane by
 * the scissor test, so panes cannot disagree about the image region.  The
 * viewer owns copies of the planes, so it can upload them again when the
 * widget is re-realized (moved to another window, or its GL context lost).
 * GL objects live from realize to unrealize; uploads happen lazily in
 * ::render, where the context is current.  Nothing in ::render touches
 * widgets or queues drawing: ::presented and ::error are emitted from an
 * idle afterwards.  Text (pane labels, the "not computed" mark) and the
 * wipe divider are drawn by GTK in snapshot, over the GL texture, where
 * Pango gives properly shaped and translated text for free.
 *
 * All geometry is computed in widget coordinates by one set of functions
 * (pane areas, where the image lands in a pane, the wipe divider) used by
 * drawing, hit-testing and the public bounds getters alike. */

#include "config.h"

#include <math.h>
#include <string.h>

#include <epoxy/gl.h>
#include <glib/gi18n.h>

#include "tinta-error.h"
#include "tinta-ui.h"
#include "tinta-viewer.h"

/* #1e1e1e: dark and neutral, so the background neither tints the
 * colorist's judgement nor competes with the picture. */
#define BACKGROUND_LEVEL (30.0f / 255.0f)

/* Desktop GL 3.3 core or GLES 3.0: the first versions with the GLSL the
 * shaders use (in/out, texture(), gl_VertexID) and float textures. */
#define REQUIRED_GL_MAJOR 3
#define REQUIRED_GL_MINOR 3
#define REQUIRED_GLES_MAJOR 3

#define PANE_GAP 2                      /* widget pixels between panes */
#define ZOOM_MIN (1.0 / 32.0)
#define ZOOM_MAX 32.0
#define ZOOM_STEP 1.25                  /* per wheel notch */
#define SCROLL_PIXELS_PER_STEP 20.0     /* touchpads scroll in pixels */
#define DIVIDER_GRAB_DISTANCE 10.0      /* how near the divider a drag takes it */
#define LABEL_MARGIN 8.0
#define LABEL_SPACING 4.0
#define PILL_PADDING_X 7.0
#define PILL_PADDING_Y 3.0
#define PILL_RADIUS 4.0
#define DOT_SIZE 6.0

/* Texture units, fixed for the program's lifetime. */
enum {
  UNIT_LIGHTNESS,
  UNIT_CHROMA,
  UNIT_CONFIDENCE,
};

/* textures[]: L, then a chroma and a confidence texture per mode (GRAY's
 * are created but never filled: it keeps the indexing plain). */
#define TEXTURE_LIGHTNESS 0
#define TEXTURE_CHROMA(mode) (1 + (mode))
#define TEXTURE_CONFIDENCE(mode) (1 + TINTA_N_VIEW_MODES + (mode))
#define N_TEXTURES (1 + 2 * TINTA_N_VIEW_MODES)

typedef struct {
  int    width;
  int    height;
  float *chroma;                  /* a, b interleaved; NULL: not computed */
  float *confidence;              /* NULL when the engine gave none */
  guint  dirty : 1;               /* differs from the textures */
  guint  chroma_uploaded : 1;
  guint  confidence_uploaded : 1;
} Result;

typedef enum {
  DRAG_NONE,
  DRAG_PAN,
  DRAG_WIPE,
} DragKind;

struct _TintaViewer
{
  GtkGLArea        parent_instance;

  tinta_frame     *frame;             /* from set_frame, or NULL */
  const float     *lightness;         /* the frame's L or lightness_copy */
  float           *lightness_copy;
  int              width;
  int              height;
  Result           results[TINTA_N_VIEW_MODES];

  TintaViewMode    mode;
  TintaViewLayout  layout;
  TintaViewMode    pair[2];
  double           wipe_position;
  double           zoom;              /* 0 = fit */
  double           center_x;          /* image point at each pane's center */
  double           center_y;          /* (when zoomed) */

  DragKind         drag;
  double           drag_start_x;
  double           drag_start_y;
  double           drag_center_x;
  double           drag_center_y;
  double           pointer_x;
  double           pointer_y;
  const char      *cursor_name;

  GLuint           program;
  GLuint           vertex_array;
  GLuint           textures[N_TEXTURES];
  GLint            u_rect;
  GLint            u_show_color;
  GLint            u_confidence_overlay;
  GLint            u_pixel_scale;

  guint            notify_idle;
  GError          *pending_error;

  guint            show_confidence : 1;
  guint            lightness_dirty : 1;
  guint            lightness_uploaded : 1;
  guint            presented_pending : 1;
};

G_DEFINE_FINAL_TYPE (TintaViewer, tinta_viewer, GTK_TYPE_GL_AREA)

G_DEFINE_ENUM_TYPE (TintaViewMode, tinta_view_mode,
  G_DEFINE_ENUM_VALUE (TINTA_VIEW_GRAY, "gray"),
  G_DEFINE_ENUM_VALUE (TINTA_VIEW_LOCAL, "local"),
  G_DEFINE_ENUM_VALUE (TINTA_VIEW_GLOBAL, "global"),
  G_DEFINE_ENUM_VALUE (TINTA_VIEW_FUSED, "fused"))

G_DEFINE_ENUM_TYPE (TintaViewLayout, tinta_view_layout,
  G_DEFINE_ENUM_VALUE (TINTA_LAYOUT_SINGLE, "single"),
  G_DEFINE_ENUM_VALUE (TINTA_LAYOUT_SIDE_BY_SIDE, "side-by-side"),
  G_DEFINE_ENUM_VALUE (TINTA_LAYOUT_GRID, "grid"),
  G_DEFINE_ENUM_VALUE (TINTA_LAYOUT_WIPE, "wipe"))

enum {
  PROP_0,
  PROP_SHOW_COLOR,
  PROP_MODE,
  PROP_LAYOUT,
  PROP_LEFT_MODE,
  PROP_RIGHT_MODE,
  PROP_WIPE_POSITION,
  PROP_ZOOM,
  PROP_SHOW_CONFIDENCE,
  N_PROPS
};

enum {
  PRESENTED,
  ERROR,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

void
tinta_viewer_fit_image (int  image_width,
                        int  image_height,
                        int  area_width,
                        int  area_height,
                        int *x,
                        int *y,
                        int *width,
                        int *height)
{
  double scale;

  if (image_width <= 0 || image_height <= 0 || area_width <= 0 || area_height <= 0)
    {
      *x = *y = *width = *height = 0;
      return;
    }

  scale = MIN ((double) area_width / image_width, (double) area_height / image_height);
  *width = CLAMP ((int) (image_width * scale + 0.5), 1, area_width);
  *height = CLAMP ((int) (image_height * scale + 0.5), 1, area_height);
  *x = (area_width - *width) / 2;
  *y = (area_height - *height) / 2;
}

static const char *
tinta_view_mode_label (TintaViewMode mode)
{
  switch (mode)
    {
    case TINTA_VIEW_GRAY:
      return C_("view mode", "Gray");
    case TINTA_VIEW_LOCAL:
      return C_("view mode", "Local");
    case TINTA_VIEW_GLOBAL:
      return C_("view mode", "Global");
    case TINTA_VIEW_FUSED:
    default:
      return C_("view mode", "Fused");
    }
}

/* ---- Geometry, in widget coordinates ---------------------------------- */

static guint
tinta_viewer_n_panes (TintaViewer *self)
{
  switch (self->layout)
    {
    case TINTA_LAYOUT_SIDE_BY_SIDE:
      return 2;
    case TINTA_LAYOUT_GRID:
      return 4;
    case TINTA_LAYOUT_SINGLE:
    case TINTA_LAYOUT_WIPE:
    default:
      return 1;
    }
}

/* The mode a pane shows; in WIPE, the left one. */
static TintaViewMode
tinta_viewer_pane_mode (TintaViewer *self,
                        guint        pane)
{
  switch (self->layout)
    {
    case TINTA_LAYOUT_SIDE_BY_SIDE:
      return self->pair[MIN (pane, 1)];
    case TINTA_LAYOUT_GRID:
      return (TintaViewMode) MIN (pane, TINTA_VIEW_FUSED);
    case TINTA_LAYOUT_WIPE:
      return self->pair[0];
    case TINTA_LAYOUT_SINGLE:
    default:
      return self->mode;
    }
}

/* Panes of one layout are all the same size (the odd pixel goes to the
 * gap), so fitting and zoom give them identical image regions. */
static void
tinta_viewer_pane_area (TintaViewer     *self,
                        guint            pane,
                        graphene_rect_t *area)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));
  int half_width = MAX ((width - PANE_GAP) / 2, 0);
  int half_height = MAX ((height - PANE_GAP) / 2, 0);

  switch (self->layout)
    {
    case TINTA_LAYOUT_SIDE_BY_SIDE:
      graphene_rect_init (area, pane % 2 == 0 ? 0 : width - half_width, 0, half_width, height);
      break;
    case TINTA_LAYOUT_GRID:
      graphene_rect_init (area,
                          pane % 2 == 0 ? 0 : width - half_width,
                          pane / 2 == 0 ? 0 : height - half_height,
                          half_width, half_height);
      break;
    case TINTA_LAYOUT_SINGLE:
    case TINTA_LAYOUT_WIPE:
    default:
      graphene_rect_init (area, 0, 0, width, height);
    }
}

static guint
tinta_viewer_pane_at (TintaViewer *self,
                      double       x,
                      double       y)
{
  guint n_panes = tinta_viewer_n_panes (self);

  for (guint pane = 0; pane < n_panes; pane++)
    {
      graphene_rect_t area;

      tinta_viewer_pane_area (self, pane, &area);
      if (graphene_rect_contains_point (&area, &GRAPHENE_POINT_INIT (x, y)))
        return pane;
    }

  return 0;
}

/* The image point shown at the pane's center at @scale (widget pixels per
 * image pixel): the stored one, moved so that an image larger than the
 * pane leaves no empty band, and centered where it is smaller.  Reading
 * through this (not the stored value) keeps a resize from showing a band. */
static void
tinta_viewer_clamped_center (TintaViewer           *self,
                             const graphene_rect_t *area,
                             double                 scale,
                             double                *center_x,
                             double                *center_y)
{
  double half_width = area->size.width / 2.0 / scale;
  double half_height = area->size.height / 2.0 / scale;

  *center_x = self->width <= 2.0 * half_width
              ? self->width / 2.0
              : CLAMP (self->center_x, half_width, self->width - half_width);
  *center_y = self->height <= 2.0 * half_height
              ? self->height / 2.0
              : CLAMP (self->center_y, half_height, self->height - half_height);
}

/* Where the whole image lands for a pane @area; FALSE without an image. */
static gboolean
tinta_viewer_image_in_area (TintaViewer           *self,
                            const graphene_rect_t *area,
                            graphene_rect_t       *image)
{
  int scale_factor = gtk_widget_get_scale_factor (GTK_WIDGET (self));
  double scale, center_x, center_y, x, y;

  if (self->lightness == NULL || area->size.width <= 0 || area->size.height <= 0)
    {
      graphene_rect_init (image, 0, 0, 0, 0);
      return FALSE;
    }

  if (self->zoom == 0)
    {
      int fit_x, fit_y, fit_width, fit_height;

      tinta_viewer_fit_image (self->width, self->height,
                              (int) area->size.width, (int) area->size.height,
                              &fit_x, &fit_y, &fit_width, &fit_height);
      graphene_rect_init (image, area->origin.x + fit_x, area->origin.y + fit_y,
                          fit_width, fit_height);
      return TRUE;
    }

  scale = self->zoom / scale_factor;
  tinta_viewer_clamped_center (self, area, scale, &center_x, &center_y);
  /* On whole device pixels, so 100% shows image pixels unfiltered; rounded
   * relative to the pane (which starts on a whole pixel) so that every
   * pane rounds the same way. */
  x = round ((area->size.width / 2.0 - center_x * scale) * scale_factor) / scale_factor;
  y = round ((area->size.height / 2.0 - center_y * scale) * scale_factor) / scale_factor;
  graphene_rect_init (image, area->origin.x + x, area->origin.y + y,
                      self->width * scale, self->height * scale);

  return TRUE;
}

/* The part of a pane the image covers; FALSE when nothing shows. */
static gboolean
tinta_viewer_visible_image (TintaViewer     *self,
                            guint            pane,
                            graphene_rect_t *area,
                            graphene_rect_t *image,
                            graphene_rect_t *visible)
{
  tinta_viewer_pane_area (self, pane, area);
  if (!tinta_viewer_image_in_area (self, area, image))
    return FALSE;

  return graphene_rect_intersection (area, image, visible) &&
         visible->size.width > 0 && visible->size.height > 0;
}

/* The wipe divider's x: a fraction of the visible image, so it stays on
 * screen however the image is zoomed and panned. */
static gboolean
tinta_viewer_wipe_divider (TintaViewer     *self,
                           graphene_rect_t *visible,
                           double          *x)
{
  int scale_factor = gtk_widget_get_scale_factor (GTK_WIDGET (self));
  graphene_rect_t area, image;

  if (self->layout != TINTA_LAYOUT_WIPE ||
      !tinta_viewer_visible_image (self, 0, &area, &image, visible))
    return FALSE;

  *x = visible->origin.x + self->wipe_position * visible->size.width;
  *x = round (*x * scale_factor) / scale_factor;

  return TRUE;
}

static gboolean
tinta_viewer_near_divider (TintaViewer *self,
                           double       x,
                           double       y)
{
  graphene_rect_t visible;
  double divider_x;

  return tinta_viewer_wipe_divider (self, &visible, &divider_x) &&
         fabs (x - divider_x) <= DIVIDER_GRAB_DISTANCE &&
         y >= visible.origin.y && y <= visible.origin.y + visible.size.height;
}

/* Whether a drag at (x, y) would move anything: zoomed beyond the pane. */
static gboolean
tinta_viewer_can_pan_at (TintaViewer *self,
                         double       x,
                         double       y)
{
  graphene_rect_t area, image;

  if (self->zoom == 0)
    return FALSE;

  tinta_viewer_pane_area (self, tinta_viewer_pane_at (self, x, y), &area);
  return tinta_viewer_image_in_area (self, &area, &image) &&
         (image.size.width > area.size.width + 0.5 || image.size.height > area.size.height + 0.5);
}

/* ---- Signals from an idle ---------------------------------------------- */

static gboolean
tinta_viewer_notify_idle_cb (gpointer user_data)
{
  TintaViewer *self = user_data;
  g_autoptr(GError) error = g_steal_pointer (&self->pending_error);
  gboolean presented = self->presented_pending;

  self->notify_idle = 0;
  self->presented_pending = FALSE;

  if (error != NULL)
    g_signal_emit (self, signals[ERROR], 0, error);
  if (presented)
    g_signal_emit (self, signals[PRESENTED], 0);

  return G_SOURCE_REMOVE;
}

static void
tinta_viewer_queue_notify (TintaViewer *self)
{
  /* Above GDK's redraw priority: a default idle starves while the frame
   * clock paints without a break (a spinner animating, playback), and
   * ::presented then came seconds late (tools/bench-scrub.sh saw it). */
  if (self->notify_idle == 0)
    self->notify_idle = g_idle_add_full (G_PRIORITY_HIGH_IDLE, tinta_viewer_notify_idle_cb, self,
                                         NULL);
}

/* Keeps the first error until the idle reports it; later ones in the same
 * cycle are usually consequences of it. */
static void
tinta_viewer_report_error (TintaViewer  *self,
                           const GError *error)
{
  if (self->pending_error == NULL)
    self->pending_error = g_error_copy (error);
  tinta_viewer_queue_notify (self);
}

static void
tinta_viewer_report_no_memory (TintaViewer *self)
{
  g_autoptr(GError) error = g_error_new_literal (TINTA_ERROR, TINTA_ERR_NO_MEMORY,
                                                 _("There is not enough memory to show the frame"));

  tinta_viewer_report_error (self, error);
}

/* ---- GL ----------------------------------------------------------------- */

static GLuint
compile_shader (GLenum       type,
                const char  *resource_path,
                gboolean     use_es,
                GError     **error)
{
  g_autoptr(GBytes) bytes = NULL;
  const char *source;
  const char *body;
  const char *newline;
  const char *header = "";
  const char *sources[2];
  GLint lengths[2];
  gsize size;
  GLuint shader;
  GLint status = GL_FALSE;

  if (!(bytes = g_resources_lookup_data (resource_path, G_RESOURCE_LOOKUP_FLAGS_NONE, error)))
    return 0;

  source = g_bytes_get_data (bytes, &size);
  body = source;

  /* The files say "#version 330 core".  A GLES context (GDK_DEBUG=gl-gles,
   * some drivers) needs its own first line; the rest of the shaders is the
   * subset both languages share. */
  if (use_es && (newline = memchr (source, '\n', size)) != NULL)
    {
      header = "#version 300 es\nprecision highp float;\nprecision highp sampler2D;\n";
      body = newline + 1;
    }

  sources[0] = header;
  sources[1] = body;
  lengths[0] = (GLint) strlen (header);
  lengths[1] = (GLint) (size - (gsize) (body - source));

  shader = glCreateShader (type);
  glShaderSource (shader, 2, sources, lengths);
  glCompileShader (shader);
  glGetShaderiv (shader, GL_COMPILE_STATUS, &status);

  if (status != GL_TRUE)
    {
      GLint log_length = 0;
      g_autofree char *log = NULL;

      glGetShaderiv (shader, GL_INFO_LOG_LENGTH, &log_length);
      log = g_malloc0 (MAX (log_length, 1));
      glGetShaderInfoLog (shader, MAX (log_length, 1), NULL, log);
      g_set_error (error, GDK_GL_ERROR, GDK_GL_ERROR_COMPILATION_FAILED,
                   /* Translators: %s is a shader file name, the second a compiler message */
                   _("The display shader %s does not compile: %s"),
                   resource_path, log);
      glDeleteShader (shader);
      return 0;
    }

  return shader;
}

static gboolean
tinta_viewer_create_gl_objects (TintaViewer  *self,
                                GdkGLContext *context,
                                GError      **error)
{
  gboolean use_es = gdk_gl_context_get_api (context) == GDK_GL_API_GLES;
  GLuint vertex;
  GLuint fragment;
  GLint status = GL_FALSE;
  GLint filter;
  int major = 0;
  int minor = 0;

  gdk_gl_context_get_version (context, &major, &minor);
  if (use_es ? major < REQUIRED_GLES_MAJOR
             : (major < REQUIRED_GL_MAJOR ||
                (major == REQUIRED_GL_MAJOR && minor < REQUIRED_GL_MINOR)))
    {
      g_set_error (error, GDK_GL_ERROR, GDK_GL_ERROR_NOT_AVAILABLE,
                   /* Translators: %s is "OpenGL" or "OpenGL ES", then the
                    * required and the available version */
                   _("%s %d.%d is required to show frames, but only %d.%d is available"),
                   use_es ? "OpenGL ES" : "OpenGL",
                   use_es ? REQUIRED_GLES_MAJOR : REQUIRED_GL_MAJOR,
                   use_es ? 0 : REQUIRED_GL_MINOR,
                   major, minor);
      return FALSE;
    }

  g_debug ("Viewer draws with %s %d.%d", use_es ? "OpenGL ES" : "OpenGL", major, minor);

  if (!(vertex = compile_shader (GL_VERTEX_SHADER, TINTA_RESOURCE_PATH "/shaders/display.vert",
                                 use_es, error)))
    return FALSE;

  if (!(fragment = compile_shader (GL_FRAGMENT_SHADER, TINTA_RESOURCE_PATH "/shaders/display.frag",
                                   use_es, error)))
    {
      glDeleteShader (vertex);
      return FALSE;
    }

  self->program = glCreateProgram ();
  glAttachShader (self->program, vertex);
  glAttachShader (self->program, fragment);
  glLinkProgram (self->program);
  glDetachShader (self->program, vertex);
  glDetachShader (self->program, fragment);
  glDeleteShader (vertex);
  glDeleteShader (fragment);

  glGetProgramiv (self->program, GL_LINK_STATUS, &status);
  if (status != GL_TRUE)
    {
      GLint log_length = 0;
      g_autofree char *log = NULL;

      glGetProgramiv (self->program, GL_INFO_LOG_LENGTH, &log_length);
      log = g_malloc0 (MAX (log_length, 1));
      glGetProgramInfoLog (self->program, MAX (log_length, 1), NULL, log);
      g_set_error (error, GDK_GL_ERROR, GDK_GL_ERROR_LINK_FAILED,
                   _("The display shaders do not link: %s"), log);
      glDeleteProgram (self->program);
      self->program = 0;
      return FALSE;
    }

  self->u_rect = glGetUniformLocation (self->program, "u_rect");
  self->u_show_color = glGetUniformLocation (self->program, "u_show_color");
  self->u_confidence_overlay = glGetUniformLocation (self->program, "u_confidence_overlay");
  self->u_pixel_scale = glGetUniformLocation (self->program, "u_pixel_scale");

  glUseProgram (self->program);
  glUniform1i (glGetUniformLocation (self->program, "u_lightness"), UNIT_LIGHTNESS);
  glUniform1i (glGetUniformLocation (self->program, "u_chroma"), UNIT_CHROMA);
  glUniform1i (glGetUniformLocation (self->program, "u_confidence"), UNIT_CONFIDENCE);
  glUseProgram (0);

  /* A core profile draws nothing without a bound vertex array, even when
   * the vertex shader makes up its own positions. */
  glGenVertexArrays (1, &self->vertex_array);

  /* Float textures filter linearly in desktop GL; GLES 3 needs an
   * extension for that, and gets nearest without it (blockier upsampled
   * chroma, still the right colors). */
  filter = !use_es || epoxy_has_gl_extension ("GL_OES_texture_float_linear")
           ? GL_LINEAR : GL_NEAREST;

  glGenTextures (N_TEXTURES, self->textures);
  for (guint i = 0; i < N_TEXTURES; i++)
    {
      glBindTexture (GL_TEXTURE_2D, self->textures[i]);
      glTexParameteri (GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, filter);
      glTexParameteri (GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, filter);
      glTexParameteri (GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
      glTexParameteri (GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    }
  glBindTexture (GL_TEXTURE_2D, 0);

  return TRUE;
}

/* New (or deleted) textures are empty, whatever was uploaded before. */
static void
tinta_viewer_mark_all_dirty (TintaViewer *self)
{
  self->lightness_dirty = TRUE;
  self->lightness_uploaded = FALSE;
  for (guint mode = 0; mode < TINTA_N_VIEW_MODES; mode++)
    {
      self->results[mode].dirty = TRUE;
      self->results[mode].chroma_uploaded = FALSE;
      self->results[mode].confidence_uploaded = FALSE;
    }
}

static void
tinta_viewer_delete_gl_objects (TintaViewer *self)
{
  if (self->textures[0] != 0)
    glDeleteTextures (N_TEXTURES, self->textures);
  if (self->vertex_array != 0)
    glDeleteVertexArrays (1, &self->vertex_array);
  if (self->program != 0)
    glDeleteProgram (self->program);

  memset (self->textures, 0, sizeof self->textures);
  self->vertex_array = 0;
  self->program = 0;
  tinta_viewer_mark_all_dirty (self);
}

static gboolean
upload_plane (GLuint        texture,
              GLenum        internal_format,
              GLenum        format,
              int           width,
              int           height,
              const float  *data,
              GError      **error)
{
  GLint max_size = 0;

  glGetIntegerv (GL_MAX_TEXTURE_SIZE, &max_size);
  if (width > max_size || height > max_size)
    {
      g_set_error (error, TINTA_ERROR, TINTA_ERR_TOO_LARGE,
                   _("The frame is %d × %d pixels, but this graphics driver shows at most %d pixels on a side"),
                   width, height, (int) max_size);
      return FALSE;
    }

  glBindTexture (GL_TEXTURE_2D, texture);
  glTexImage2D (GL_TEXTURE_2D, 0, internal_format, width, height, 0, format, GL_FLOAT, data);
  glBindTexture (GL_TEXTURE_2D, 0);

  if (glGetError () == GL_OUT_OF_MEMORY)
    {
      g_set_error_literal (error, TINTA_ERROR, TINTA_ERR_NO_MEMORY,
                           _("There is not enough graphics memory to show the frame"));
      return FALSE;
    }

  return TRUE;
}

/* Called from ::render with the context current.  Each plane clears its
 * dirty flag before it tries, so a plane that fails is reported once. */
static gboolean
tinta_viewer_upload (TintaViewer  *self,
                     GError      **error)
{
  /* Planes have no row padding (tinta/frame.h); say so in case GTK or an
   * earlier upload left other unpack state behind. */
  glPixelStorei (GL_UNPACK_ALIGNMENT, 4);
  glPixelStorei (GL_UNPACK_ROW_LENGTH, 0);

  if (self->lightness_dirty)
    {
      self->lightness_dirty = FALSE;
      self->lightness_uploaded = FALSE;
      if (self->lightness != NULL)
        {
          if (!upload_plane (self->textures[TEXTURE_LIGHTNESS], GL_R32F, GL_RED,
                             self->width, self->height, self->lightness, error))
            return FALSE;
          self->lightness_uploaded = TRUE;
        }
    }

  for (guint mode = TINTA_VIEW_LOCAL; mode < TINTA_N_VIEW_MODES; mode++)
    {
      Result *result = &self->results[mode];

      if (!result->dirty)
        continue;

      result->dirty = FALSE;
      result->chroma_uploaded = FALSE;
      result->confidence_uploaded = FALSE;
      if (result->chroma == NULL)
        continue;

      if (!upload_plane (self->textures[TEXTURE_CHROMA (mode)], GL_RG32F, GL_RG,
                         result->width, result->height, result->chroma, error))
        return FALSE;
      result->chroma_uploaded = TRUE;

      if (result->confidence != NULL)
        {
          if (!upload_plane (self->textures[TEXTURE_CONFIDENCE (mode)], GL_R32F, GL_RED,
                             result->width, result->height, result->confidence, error))
            return FALSE;
          result->confidence_uploaded = TRUE;
        }
    }

  return TRUE;
}

/* GtkGLArea in GTK 4.8 asks for desktop GL or for GLES (use-es), never
 * for "whichever the display has" (allowed-apis came in 4.12).  The
 * display shaders run on both, so allow both: otherwise a GLES-only display
 * (some ARM drivers, GDK_DEBUG=gl-gles) would show no frame at all. */
static GdkGLContext *
tinta_viewer_create_context (GtkGLArea *area)
{
  GtkNative *native = gtk_widget_get_native (GTK_WIDGET (area));
  g_autoptr(GdkGLContext) context = NULL;
  g_autoptr(GError) error = NULL;

  context = gdk_surface_create_gl_context (gtk_native_get_surface (native), &error);
  if (context != NULL)
    {
      gdk_gl_context_set_allowed_apis (context, GDK_GL_API_GL | GDK_GL_API_GLES);
      gdk_gl_context_realize (context, &error);
    }

  if (error != NULL)
    {
      gtk_gl_area_set_error (area, error);
      return NULL;
    }

  return g_steal_pointer (&context);
}

static void
tinta_viewer_realize (GtkWidget *widget)
{
  TintaViewer *self = TINTA_VIEWER (widget);
  GtkGLArea *area = GTK_GL_AREA (widget);
  g_autoptr(GError) error = NULL;

  GTK_WIDGET_CLASS (tinta_viewer_parent_class)->realize (widget);

  gtk_gl_area_make_current (area);
  if (gtk_gl_area_get_error (area) != NULL)
    {
      tinta_viewer_report_error (self, gtk_gl_area_get_error (area));
      return;
    }

  if (!tinta_viewer_create_gl_objects (self, gtk_gl_area_get_context (area), &error))
    {
      tinta_viewer_delete_gl_objects (self);
      gtk_gl_area_set_error (area, error);
      tinta_viewer_report_error (self, error);
      return;
    }

  tinta_viewer_mark_all_dirty (self);
}

static void
tinta_viewer_unrealize (GtkWidget *widget)
{
  TintaViewer *self = TINTA_VIEWER (widget);
  GtkGLArea *area = GTK_GL_AREA (widget);

  gtk_gl_area_make_current (area);
  if (gtk_gl_area_get_error (area) == NULL)
    tinta_viewer_delete_gl_objects (self);

  GTK_WIDGET_CLASS (tinta_viewer_parent_class)->unrealize (widget);
}

static gboolean
tinta_viewer_mode_ready (TintaViewer   *self,
                         TintaViewMode  mode)
{
  return mode != TINTA_VIEW_GRAY &&
         self->results[mode].chroma != NULL &&
         self->results[mode].chroma_uploaded;
}

/* Draws @mode's image at @image, cut to @clip (both widget coordinates). */
static void
tinta_viewer_draw_part (TintaViewer           *self,
                        TintaViewMode          mode,
                        const graphene_rect_t *image,
                        const graphene_rect_t *clip,
                        int                    scale,
                        int                    buffer_width,
                        int                    buffer_height)
{
  gboolean color = tinta_viewer_mode_ready (self, mode);
  gboolean overlay = color && self->show_confidence &&
                     self->results[TINTA_VIEW_GLOBAL].confidence_uploaded &&
                     self->results[TINTA_VIEW_GLOBAL].chroma != NULL;
  int x0 = (int) round (clip->origin.x * scale);
  int y0 = (int) round (clip->origin.y * scale);
  int x1 = (int) round ((clip->origin.x + clip->size.width) * scale);
  int y1 = (int) round ((clip->origin.y + clip->size.height) * scale);
  double ix0 = image->origin.x * scale;
  double iy0 = image->origin.y * scale;
  double ix1 = (image->origin.x + image->size.width) * scale;
  double iy1 = (image->origin.y + image->size.height) * scale;

  if (x1 <= x0 || y1 <= y0)
    return;

  /* Widget y counts from the top, GL's from the bottom. */
  glScissor (x0, buffer_height - y1, x1 - x0, y1 - y0);
  glUniform4f (self->u_rect,
               (float) (2.0 * ix0 / buffer_width - 1.0),
               (float) (1.0 - 2.0 * iy1 / buffer_height),
               (float) (2.0 * ix1 / buffer_width - 1.0),
               (float) (1.0 - 2.0 * iy0 / buffer_height));
  glUniform1f (self->u_show_color, color ? 1.0f : 0.0f);
  glUniform1f (self->u_confidence_overlay, overlay ? 1.0f : 0.0f);

  glActiveTexture (GL_TEXTURE0 + UNIT_CHROMA);
  glBindTexture (GL_TEXTURE_2D, color ? self->textures[TEXTURE_CHROMA (mode)] : 0);

  glDrawArrays (GL_TRIANGLE_STRIP, 0, 4);
}

static gboolean
tinta_viewer_render (GtkGLArea    *area,
                     GdkGLContext *context)
{
  TintaViewer *self = TINTA_VIEWER (area);
  GtkWidget *widget = GTK_WIDGET (area);
  int scale = gtk_widget_get_scale_factor (widget);
  int buffer_width = gtk_widget_get_width (widget) * scale;
  int buffer_height = gtk_widget_get_height (widget) * scale;
  guint n_panes = tinta_viewer_n_panes (self);
  g_autoptr(GError) error = NULL;

  if (gtk_gl_area_get_error (area) != NULL)
    return FALSE;

  glViewport (0, 0, buffer_width, buffer_height);
  glDisable (GL_SCISSOR_TEST);
  glClearColor (BACKGROUND_LEVEL, BACKGROUND_LEVEL, BACKGROUND_LEVEL, 1.0f);
  glClear (GL_COLOR_BUFFER_BIT);

  if (self->program == 0)
    return TRUE;

  if (!tinta_viewer_upload (self, &error))
    tinta_viewer_report_error (self, error);

  if (!self->lightness_uploaded || buffer_width <= 0 || buffer_height <= 0)
    return TRUE;

  glUseProgram (self->program);
  glUniform1f (self->u_pixel_scale, (float) scale);
  glActiveTexture (GL_TEXTURE0 + UNIT_LIGHTNESS);
  glBindTexture (GL_TEXTURE_2D, self->textures[TEXTURE_LIGHTNESS]);
  glActiveTexture (GL_TEXTURE0 + UNIT_CONFIDENCE);
  glBindTexture (GL_TEXTURE_2D, self->textures[TEXTURE_CONFIDENCE (TINTA_VIEW_GLOBAL)]);
  glBindVertexArray (self->vertex_array);
  glEnable (GL_SCISSOR_TEST);

  for (guint pane = 0; pane < n_panes; pane++)
    {
      graphene_rect_t pane_area, image, visible;

      if (!tinta_viewer_visible_image (self, pane, &pane_area, &image, &visible))
        continue;

      if (self->layout == TINTA_LAYOUT_WIPE)
        {
          graphene_rect_t left = pane_area, right = pane_area;
          double divider_x = pane_area.origin.x;

          tinta_viewer_wipe_divider (self, &visible, &divider_x);
          left.size.width = divider_x - pane_area.origin.x;
          right.origin.x = divider_x;
          right.size.width = pane_area.origin.x + pane_area.size.width - divider_x;
          tinta_viewer_draw_part (self, self->pair[0], &image, &left,
                                  scale, buffer_width, buffer_height);
          tinta_viewer_draw_part (self, self->pair[1], &image, &right,
                                  scale, buffer_width, buffer_height);
        }
      else
        {
          tinta_viewer_draw_part (self, tinta_viewer_pane_mode (self, pane), &image, &pane_area,
                                  scale, buffer_width, buffer_height);
        }
    }

  /* GTK shares this context's state with its own rendering; leave it as
   * found. */
  glDisable (GL_SCISSOR_TEST);
  glBindVertexArray (0);
  for (int unit = UNIT_CONFIDENCE; unit >= UNIT_LIGHTNESS; unit--)
    {
      glActiveTexture (GL_TEXTURE0 + unit);
      glBindTexture (GL_TEXTURE_2D, 0);
    }
  glUseProgram (0);

  self->presented_pending = TRUE;
  tinta_viewer_queue_notify (self);

  return TRUE;
}

/* ---- Labels and the wipe divider, drawn by GTK over the GL texture ------ */

static void
append_rounded_color (GtkSnapshot           *snapshot,
                      const graphene_rect_t *rect,
                      double                 radius,
                      const GdkRGBA         *color)
{
  GskRoundedRect rounded;

  gsk_rounded_rect_init_from_rect (&rounded, rect, (float) radius);
  gtk_snapshot_push_rounded_clip (snapshot, &rounded);
  gtk_snapshot_append_color (snapshot, color, rect);
  gtk_snapshot_pop (snapshot);
}

/* A translucent rounded label at (x, y), its right edge there when
 * @align_right; @pending adds the amber "not computed" dot.  Returns its
 * height. */
static double
tinta_viewer_append_pill (TintaViewer *self,
                          GtkSnapshot *snapshot,
                          const char  *text,
                          double       x,
                          double       y,
                          gboolean     align_right,
                          gboolean     pending)
{
  static const GdkRGBA background = { 0.07f, 0.07f, 0.07f, 0.72f };
  static const GdkRGBA label_color = { 0.95f, 0.95f, 0.95f, 1.0f };
  static const GdkRGBA pending_color = { 0.85f, 0.85f, 0.85f, 0.85f };
  static const GdkRGBA dot_color = { 0.96f, 0.76f, 0.26f, 0.95f };
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  PangoAttrList *attributes = pango_attr_list_new ();
  PangoRectangle logical;
  double dot_space = pending ? DOT_SIZE + PILL_PADDING_Y + 2.0 : 0.0;
  double width, height;

  pango_attr_list_insert (attributes, pango_attr_weight_new (pending ? PANGO_WEIGHT_NORMAL
                                                                     : PANGO_WEIGHT_SEMIBOLD));
  pango_attr_list_insert (attributes, pango_attr_scale_new (PANGO_SCALE_SMALL));
  pango_layout_set_attributes (layout, attributes);
  pango_attr_list_unref (attributes);
  pango_layout_get_pixel_extents (layout, NULL, &logical);

  width = logical.width + 2 * PILL_PADDING_X + dot_space;
  height = logical.height + 2 * PILL_PADDING_Y;
  if (align_right)
    x -= width;

  append_rounded_color (snapshot, &GRAPHENE_RECT_INIT (x, y, width, height), PILL_RADIUS, &background);
  if (pending)
    append_rounded_color (snapshot,
                          &GRAPHENE_RECT_INIT (x + PILL_PADDING_X, y + (height - DOT_SIZE) / 2,
                                               DOT_SIZE, DOT_SIZE),
                          DOT_SIZE / 2, &dot_color);

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x + PILL_PADDING_X + dot_space,
                                                          y + PILL_PADDING_Y));
  gtk_snapshot_append_layout (snapshot, layout, pending ? &pending_color : &label_color);
  gtk_snapshot_restore (snapshot);

  return height;
}

/* The mode's name (unless @named is FALSE) and, when it has no result yet,
 * the "not computed" mark: what the gray is, and why it is gray. */
static void
tinta_viewer_append_labels (TintaViewer           *self,
                            GtkSnapshot           *snapshot,
                            const graphene_rect_t *visible,
                            TintaViewMode          mode,
                            gboolean               named,
                            gboolean               align_right)
{
  double x = align_right ? visible->origin.x + visible->size.width - LABEL_MARGIN
                         : visible->origin.x + LABEL_MARGIN;
  double y = visible->origin.y + LABEL_MARGIN;

  if (named)
    y += tinta_viewer_append_pill (self, snapshot, tinta_view_mode_label (mode),
                                   x, y, align_right, FALSE) + LABEL_SPACING;
  if (!tinta_viewer_has_result (self, mode))
    /* Translators: shown on a pane whose colorization the engine has not
     * delivered yet; the pane shows the gray input meanwhile */
    tinta_viewer_append_pill (self, snapshot, _("Not computed"), x, y, align_right, TRUE);
}

static void
tinta_viewer_append_wipe (TintaViewer           *self,
                          GtkSnapshot           *snapshot,
                          const graphene_rect_t *visible)
{
  static const GdkRGBA line_color = { 0.92f, 0.92f, 0.92f, 0.9f };
  static const GdkRGBA handle_border = { 0.07f, 0.07f, 0.07f, 0.8f };
  static const GdkRGBA grip_color = { 0.35f, 0.35f, 0.35f, 1.0f };
  graphene_rect_t left = *visible, right = *visible, shown;
  double divider_x, center_y = visible->origin.y + visible->size.height / 2;

  if (!tinta_viewer_wipe_divider (self, &shown, &divider_x))
    return;

  left.size.width = divider_x - visible->origin.x;
  right.origin.x = divider_x;
  right.size.width = visible->origin.x + visible->size.width - divider_x;

  gtk_snapshot_push_clip (snapshot, &left);
  tinta_viewer_append_labels (self, snapshot, visible, self->pair[0], TRUE, FALSE);
  gtk_snapshot_pop (snapshot);
  gtk_snapshot_push_clip (snapshot, &right);
  tinta_viewer_append_labels (self, snapshot, visible, self->pair[1], TRUE, TRUE);
  gtk_snapshot_pop (snapshot);

  gtk_snapshot_append_color (snapshot, &line_color,
                             &GRAPHENE_RECT_INIT (divider_x - 1, visible->origin.y,
                                                  2, visible->size.height));
  /* The handle: a light pill with a dark rim, readable on any picture. */
  append_rounded_color (snapshot, &GRAPHENE_RECT_INIT (divider_x - 7, center_y - 21, 14, 42),
                        7, &handle_border);
  append_rounded_color (snapshot, &GRAPHENE_RECT_INIT (divider_x - 6, center_y - 20, 12, 40),
                        6, &line_color);
  for (int i = -1; i <= 1; i++)
    gtk_snapshot_append_color (snapshot, &grip_color,
                               &GRAPHENE_RECT_INIT (divider_x - 3, center_y + 5 * i - 0.5, 6, 1));
}

static void
tinta_viewer_snapshot (GtkWidget   *widget,
                       GtkSnapshot *snapshot)
{
  TintaViewer *self = TINTA_VIEWER (widget);
  guint n_panes = tinta_viewer_n_panes (self);

  GTK_WIDGET_CLASS (tinta_viewer_parent_class)->snapshot (widget, snapshot);

  if (gtk_gl_area_get_error (GTK_GL_AREA (self)) != NULL || self->lightness == NULL)
    return;

  for (guint pane = 0; pane < n_panes; pane++)
    {
      graphene_rect_t area, image, visible;

      if (!tinta_viewer_visible_image (self, pane, &area, &image, &visible))
        continue;

      gtk_snapshot_push_clip (snapshot, &visible);
      if (self->layout == TINTA_LAYOUT_WIPE)
        tinta_viewer_append_wipe (self, snapshot, &visible);
      else
        /* One pane needs no name: the window says what it shows. */
        tinta_viewer_append_labels (self, snapshot, &visible, tinta_viewer_pane_mode (self, pane),
                                    self->layout != TINTA_LAYOUT_SINGLE, FALSE);
      gtk_snapshot_pop (snapshot);
    }
}

/* ---- Input: scroll zooms at the pointer, drag pans or moves the wipe ---- */

static void
tinta_viewer_update_cursor (TintaViewer *self)
{
  const char *name = NULL;

  if (self->drag == DRAG_PAN)
    name = "grabbing";
  else if (self->drag == DRAG_WIPE || tinta_viewer_near_divider (self, self->pointer_x, self->pointer_y))
    name = "col-resize";
  else if (tinta_viewer_can_pan_at (self, self->pointer_x, self->pointer_y))
    name = "grab";

  if (g_strcmp0 (name, self->cursor_name) != 0)
    {
      self->cursor_name = name;
      gtk_widget_set_cursor_from_name (GTK_WIDGET (self), name);
    }
}

static void
tinta_viewer_motion_cb (GtkEventControllerMotion *controller,
                        double                    x,
                        double                    y,
                        TintaViewer              *self)
{
  self->pointer_x = x;
  self->pointer_y = y;
  tinta_viewer_update_cursor (self);
}

static gboolean
tinta_viewer_scroll_cb (GtkEventControllerScroll *controller,
                        double                    dx,
                        double                    dy,
                        TintaViewer              *self)
{
  double steps = dy;

  if (self->lightness == NULL || dy == 0)
    return FALSE;

  if (gtk_event_controller_scroll_get_unit (controller) == GDK_SCROLL_UNIT_SURFACE)
    steps = dy / SCROLL_PIXELS_PER_STEP;

  tinta_viewer_zoom_at (self, pow (ZOOM_STEP, -steps), self->pointer_x, self->pointer_y);
  tinta_viewer_update_cursor (self);

  return TRUE;
}

static void
tinta_viewer_drag_begin_cb (GtkGestureDrag *gesture,
                            double          x,
                            double          y,
                            TintaViewer    *self)
{
  self->drag = DRAG_NONE;
  self->drag_start_x = x;
  self->drag_start_y = y;

  if (tinta_viewer_near_divider (self, x, y))
    {
      self->drag = DRAG_WIPE;
    }
  else if (tinta_viewer_can_pan_at (self, x, y))
    {
      graphene_rect_t area, image;

      tinta_viewer_pane_area (self, tinta_viewer_pane_at (self, x, y), &area);
      tinta_viewer_image_in_area (self, &area, &image);
      /* From what is shown, not what is stored, so the image follows the
       * pointer at once even after a resize clamped the view. */
      self->drag_center_x = (area.origin.x + area.size.width / 2 - image.origin.x) *
                            self->width / image.size.width;
      self->drag_center_y = (area.origin.y + area.size.height / 2 - image.origin.y) *
                            self->height / image.size.height;
      self->drag = DRAG_PAN;
    }

  gtk_gesture_set_state (GTK_GESTURE (gesture),
                         self->drag == DRAG_NONE ? GTK_EVENT_SEQUENCE_DENIED
                                                 : GTK_EVENT_SEQUENCE_CLAIMED);
  tinta_viewer_update_cursor (self);
}

static void
tinta_viewer_drag_update_cb (GtkGestureDrag *gesture,
                             double          offset_x,
                             double          offset_y,
                             TintaViewer    *self)
{
  if (self->drag == DRAG_WIPE)
    {
      graphene_rect_t visible;
      double divider_x;

      if (tinta_viewer_wipe_divider (self, &visible, &divider_x))
        tinta_viewer_set_wipe_position (self, (self->drag_start_x + offset_x - visible.origin.x) /
                                              visible.size.width);
    }
  else if (self->drag == DRAG_PAN)
    {
      graphene_rect_t area;
      double scale = self->zoom / gtk_widget_get_scale_factor (GTK_WIDGET (self));

      self->center_x = self->drag_center_x - offset_x / scale;
      self->center_y = self->drag_center_y - offset_y / scale;
      /* Stored clamped: dragging on past an edge must not build up a
       * distance to drag back before the image moves again. */
      tinta_viewer_pane_area (self, tinta_viewer_pane_at (self, self->drag_start_x,
                                                          self->drag_start_y), &area);
      tinta_viewer_clamped_center (self, &area, scale, &self->center_x, &self->center_y);
      gtk_gl_area_queue_render (GTK_GL_AREA (self));
    }
}

static void
tinta_viewer_drag_end_cb (GtkGestureDrag *gesture,
                          double          offset_x,
                          double          offset_y,
                          TintaViewer    *self)
{
  self->drag = DRAG_NONE;
  tinta_viewer_update_cursor (self);
}

/* ---- GObject ------------------------------------------------------------ */

static void
result_clear (Result *result)
{
  g_clear_pointer (&result->chroma, g_free);
  g_clear_pointer (&result->confidence, g_free);
  result->width = 0;
  result->height = 0;
  result->dirty = TRUE;
}

static void
tinta_viewer_dispose (GObject *object)
{
  TintaViewer *self = TINTA_VIEWER (object);

  g_clear_handle_id (&self->notify_idle, g_source_remove);
  g_clear_error (&self->pending_error);

  G_OBJECT_CLASS (tinta_viewer_parent_class)->dispose (object);
}

static void
tinta_viewer_finalize (GObject *object)
{
  TintaViewer *self = TINTA_VIEWER (object);

  for (guint mode = 0; mode < TINTA_N_VIEW_MODES; mode++)
    result_clear (&self->results[mode]);
  g_clear_pointer (&self->lightness_copy, g_free);
  g_clear_pointer (&self->frame, tinta_frame_free);

  G_OBJECT_CLASS (tinta_viewer_parent_class)->finalize (object);
}

static void
tinta_viewer_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  TintaViewer *self = TINTA_VIEWER (object);

  switch (prop_id)
    {
    case PROP_SHOW_COLOR:
      g_value_set_boolean (value, tinta_viewer_get_show_color (self));
      break;
    case PROP_MODE:
      g_value_set_enum (value, self->mode);
      break;
    case PROP_LAYOUT:
      g_value_set_enum (value, self->layout);
      break;
    case PROP_LEFT_MODE:
      g_value_set_enum (value, self->pair[0]);
      break;
    case PROP_RIGHT_MODE:
      g_value_set_enum (value, self->pair[1]);
      break;
    case PROP_WIPE_POSITION:
      g_value_set_double (value, self->wipe_position);
      break;
    case PROP_ZOOM:
      g_value_set_double (value, self->zoom);
      break;
    case PROP_SHOW_CONFIDENCE:
      g_value_set_boolean (value, self->show_confidence);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tinta_viewer_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  TintaViewer *self = TINTA_VIEWER (object);

  switch (prop_id)
    {
    case PROP_SHOW_COLOR:
      tinta_viewer_set_show_color (self, g_value_get_boolean (value));
      break;
    case PROP_MODE:
      tinta_viewer_set_mode (self, g_value_get_enum (value));
      break;
    case PROP_LAYOUT:
      tinta_viewer_set_layout (self, g_value_get_enum (value));
      break;
    case PROP_LEFT_MODE:
      tinta_viewer_set_pair (self, g_value_get_enum (value), self->pair[1]);
      break;
    case PROP_RIGHT_MODE:
      tinta_viewer_set_pair (self, self->pair[0], g_value_get_enum (value));
      break;
    case PROP_WIPE_POSITION:
      tinta_viewer_set_wipe_position (self, g_value_get_double (value));
      break;
    case PROP_ZOOM:
      tinta_viewer_set_zoom (self, g_value_get_double (value));
      break;
    case PROP_SHOW_CONFIDENCE:
      tinta_viewer_set_show_confidence (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tinta_viewer_class_init (TintaViewerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkGLAreaClass *gl_area_class = GTK_GL_AREA_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  tinta_ui_ensure_resources ();

  object_class->dispose = tinta_viewer_dispose;
  object_class->finalize = tinta_viewer_finalize;
  object_class->get_property = tinta_viewer_get_property;
  object_class->set_property = tinta_viewer_set_property;

  widget_class->realize = tinta_viewer_realize;
  widget_class->unrealize = tinta_viewer_unrealize;
  widget_class->snapshot = tinta_viewer_snapshot;

  gl_area_class->render = tinta_viewer_render;
  gl_area_class->create_context = tinta_viewer_create_context;

  /* TintaViewer:show-color: FALSE while the mode is GRAY (kept for the
   * window's color toggle). */
  properties[PROP_SHOW_COLOR] =
    g_param_spec_boolean ("show-color", NULL, NULL, TRUE, flags);
  properties[PROP_MODE] =
    g_param_spec_enum ("mode", NULL, NULL, TINTA_TYPE_VIEW_MODE, TINTA_VIEW_FUSED, flags);
  properties[PROP_LAYOUT] =
    g_param_spec_enum ("layout", NULL, NULL, TINTA_TYPE_VIEW_LAYOUT, TINTA_LAYOUT_SINGLE, flags);
  properties[PROP_LEFT_MODE] =
    g_param_spec_enum ("left-mode", NULL, NULL, TINTA_TYPE_VIEW_MODE, TINTA_VIEW_GRAY, flags);
  properties[PROP_RIGHT_MODE] =
    g_param_spec_enum ("right-mode", NULL, NULL, TINTA_TYPE_VIEW_MODE, TINTA_VIEW_FUSED, flags);
  properties[PROP_WIPE_POSITION] =
    g_param_spec_double ("wipe-position", NULL, NULL, 0.0, 1.0, 0.5, flags);
  properties[PROP_ZOOM] =
    g_param_spec_double ("zoom", NULL, NULL, 0.0, ZOOM_MAX, 0.0, flags);
  properties[PROP_SHOW_CONFIDENCE] =
    g_param_spec_boolean ("show-confidence", NULL, NULL, FALSE, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* TintaViewer::presented: a frame was drawn.  Emitted from an idle after
   * the render, so handlers may change widgets. */
  signals[PRESENTED] =
    g_signal_new ("presented",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  /* TintaViewer::error: OpenGL could not be set up or could not take the
   * frame (or there was no memory for a copy of it). */
  signals[ERROR] =
    g_signal_new ("error",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);

  gtk_widget_class_set_css_name (widget_class, "tintaviewer");
}

static void
tinta_viewer_init (TintaViewer *self)
{
  GtkGesture *drag = gtk_gesture_drag_new ();
  GtkEventController *scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  GtkEventController *motion = gtk_event_controller_motion_new ();

  self->mode = TINTA_VIEW_FUSED;
  self->layout = TINTA_LAYOUT_SINGLE;
  self->pair[0] = TINTA_VIEW_GRAY;
  self->pair[1] = TINTA_VIEW_FUSED;
  self->wipe_position = 0.5;

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (drag), GDK_BUTTON_PRIMARY);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (tinta_viewer_drag_begin_cb), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (tinta_viewer_drag_update_cb), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (tinta_viewer_drag_end_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));

  g_signal_connect (scroll, "scroll", G_CALLBACK (tinta_viewer_scroll_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), scroll);

  g_signal_connect (motion, "enter", G_CALLBACK (tinta_viewer_motion_cb), self);
  g_signal_connect (motion, "motion", G_CALLBACK (tinta_viewer_motion_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Frame"),
                                  -1);
}

GtkWidget *
tinta_viewer_new (void)
{
  return g_object_new (TINTA_TYPE_VIEWER, NULL);
}

/* ---- Frame and results --------------------------------------------------- */

/* @lightness is the frame's L (owned by self->frame) or @copy (taken). */
static void
tinta_viewer_replace_lightness (TintaViewer *self,
                                int          width,
                                int          height,
                                const float *lightness,
                                float       *copy)
{
  if (lightness == NULL)
    width = height = 0;

  /* A new clip size starts centered; frames of one clip keep the view, so
   * scrubbing a zoomed shot stays on the same detail. */
  if (width != self->width || height != self->height)
    {
      self->center_x = width / 2.0;
      self->center_y = height / 2.0;
    }

  g_free (self->lightness_copy);
  self->lightness_copy = copy;
  self->lightness = lightness;
  self->width = width;
  self->height = height;
  self->lightness_dirty = TRUE;

  for (guint mode = 0; mode < TINTA_N_VIEW_MODES; mode++)
    result_clear (&self->results[mode]);

  gtk_gl_area_queue_render (GTK_GL_AREA (self));
}

static void
tinta_viewer_store_result (TintaViewer   *self,
                           TintaViewMode  mode,
                           int            width,
                           int            height,
                           const float   *a,
                           const float   *b,
                           const float   *conf)
{
  Result *result = &self->results[mode];
  gsize n_pixels = (gsize) width * (gsize) height;

  result_clear (result);
  gtk_gl_area_queue_render (GTK_GL_AREA (self));

  if (a == NULL)
    return;

  /* The engine keeps a and b in separate planes; one interleaved texture
   * halves the texture fetches in the shader. */
  if (!(result->chroma = g_try_new (float, 2 * n_pixels)) ||
      (conf != NULL && !(result->confidence = g_try_new (float, n_pixels))))
    {
      result_clear (result);
      tinta_viewer_report_no_memory (self);
      return;
    }

  for (gsize i = 0; i < n_pixels; i++)
    {
      result->chroma[2 * i] = a[i];
      result->chroma[2 * i + 1] = b[i];
    }
  if (conf != NULL)
    memcpy (result->confidence, conf, n_pixels * sizeof (float));
  result->width = width;
  result->height = height;
}

/**
 * tinta_viewer_set_frame:
 * @self: a #TintaViewer
 * @frame: (transfer full) (nullable): a frame with Lab planes, or %NULL to
 *   show nothing
 *
 * Shows @frame (its a,b as the FUSED result when it has color), which the
 * viewer keeps until the next call or tinta_viewer_set_luminance().
 */
void
tinta_viewer_set_frame (TintaViewer *self,
                        tinta_frame *frame)
{
  tinta_frame *old_frame;

  g_return_if_fail (TINTA_IS_VIEWER (self));
  g_return_if_fail (frame == NULL || (frame->planes & TINTA_FRAME_LAB) != 0);

  /* NULL again still clears a luminance set without a frame. */
  if (frame != NULL && frame == self->frame)
    return;

  old_frame = g_steal_pointer (&self->frame);
  self->frame = frame;

  if (frame != NULL)
    {
      tinta_viewer_replace_lightness (self, frame->width, frame->height, frame->L, NULL);
      if (frame->has_color)
        tinta_viewer_store_result (self, TINTA_VIEW_FUSED, frame->width, frame->height,
                                   frame->a, frame->b, NULL);
    }
  else
    {
      tinta_viewer_replace_lightness (self, 0, 0, NULL, NULL);
    }

  tinta_frame_free (old_frame);
}

const tinta_frame *
tinta_viewer_get_frame (TintaViewer *self)
{
  g_return_val_if_fail (TINTA_IS_VIEWER (self), NULL);

  return self->frame;
}

void
tinta_viewer_set_luminance (TintaViewer *self,
                            int          width,
                            int          height,
                            const float *L)
{
  g_autofree float *copy = NULL;
  const float *lightness;

  g_return_if_fail (TINTA_IS_VIEWER (self));
  g_return_if_fail (L == NULL || (width > 0 && height > 0 &&
                                  width <= TINTA_MAX_DIMENSION && height <= TINTA_MAX_DIMENSION));

  /* Copied before the frame goes: @L may be that frame's. */
  if (L != NULL)
    {
      gsize n_pixels = (gsize) width * (gsize) height;

      if ((copy = g_try_new (float, n_pixels)) != NULL)
        memcpy (copy, L, n_pixels * sizeof (float));
      else
        tinta_viewer_report_no_memory (self);
    }

  lightness = copy;
  tinta_viewer_replace_lightness (self, width, height, lightness, g_steal_pointer (&copy));
  g_clear_pointer (&self->frame, tinta_frame_free);
}

void
tinta_viewer_set_result (TintaViewer   *self,
                         TintaViewMode  mode,
                         int            width,
                         int            height,
                         const float   *a,
                         const float   *b,
                         const float   *conf)
{
  g_return_if_fail (TINTA_IS_VIEWER (self));
  g_return_if_fail (mode > TINTA_VIEW_GRAY && mode < TINTA_N_VIEW_MODES);
  g_return_if_fail (a == NULL || (b != NULL && width > 0 && height > 0 &&
                                  width <= TINTA_MAX_DIMENSION && height <= TINTA_MAX_DIMENSION));

  if (a == NULL && self->results[mode].chroma == NULL)
    return;

  tinta_viewer_store_result (self, mode, width, height, a, b, conf);
}

gboolean
tinta_viewer_has_result (TintaViewer   *self,
                         TintaViewMode  mode)
{
  g_return_val_if_fail (TINTA_IS_VIEWER (self), FALSE);
  g_return_val_if_fail (mode < TINTA_N_VIEW_MODES, FALSE);

  if (mode == TINTA_VIEW_GRAY)
    return self->lightness != NULL;

  return self->results[mode].chroma != NULL;
}

/* ---- View settings ------------------------------------------------------- */

TintaViewMode
tinta_viewer_get_mode (TintaViewer *self)
{
  g_return_val_if_fail (TINTA_IS_VIEWER (self), TINTA_VIEW_GRAY);

  return self->mode;
}

void
tinta_viewer_set_mode (TintaViewer   *self,
                       TintaViewMode  mode)
{
  gboolean showed_color;

  g_return_if_fail (TINTA_IS_VIEWER (self));
  g_return_if_fail (mode < TINTA_N_VIEW_MODES);

  if (self->mode == mode)
    return;

  showed_color = tinta_viewer_get_show_color (self);
  self->mode = mode;
  gtk_gl_area_queue_render (GTK_GL_AREA (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODE]);
  if (showed_color != tinta_viewer_get_show_color (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_COLOR]);
}

TintaViewLayout
tinta_viewer_get_layout (TintaViewer *self)
{
  g_return_val_if_fail (TINTA_IS_VIEWER (self), TINTA_LAYOUT_SINGLE);

  return self->layout;
}

void
tinta_viewer_set_layout (TintaViewer     *self,
                         TintaViewLayout  layout)
{
  g_return_if_fail (TINTA_IS_VIEWER (self));
  g_return_if_fail (layout <= TINTA_LAYOUT_WIPE);

  if (self->layout == layout)
    return;

  self->layout = layout;
  gtk_gl_area_queue_render (GTK_GL_AREA (self));
  tinta_viewer_update_cursor (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAYOUT]);
}

void
tinta_viewer_get_pair (TintaViewer   *self,
                       TintaViewMode *left,
                       TintaViewMode *right)
{
  g_return_if_fail (TINTA_IS_VIEWER (self));

  if (left != NULL)
    *left = self->pair[0];
  if (right != NULL)
    *right = self->pair[1];
}

void
tinta_viewer_set_pair (TintaViewer   *self,
                       TintaViewMode  left,
                       TintaViewMode  right)
{
  TintaViewMode old_left, old_right;

  g_return_if_fail (TINTA_IS_VIEWER (self));
  g_return_if_fail (left < TINTA_N_VIEW_MODES && right < TINTA_N_VIEW_MODES);

  old_left = self->pair[0];
  old_right = self->pair[1];

  if (old_left == left && old_right == right)
    return;

  self->pair[0] = left;
  self->pair[1] = right;
  gtk_gl_area_queue_render (GTK_GL_AREA (self));
  if (old_left != left)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LEFT_MODE]);
  if (old_right != right)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RIGHT_MODE]);
}

double
tinta_viewer_get_wipe_position (TintaViewer *self)
{
  g_return_val_if_fail (TINTA_IS_VIEWER (self), 0.5);

  return self->wipe_position;
}

void
tinta_viewer_set_wipe_position (TintaViewer *self,
                                double       fraction)
{
  g_return_if_fail (TINTA_IS_VIEWER (self));

  fraction = isfinite (fraction) ? CLAMP (fraction, 0.0, 1.0) : 0.5;
  if (self->wipe_position == fraction)
    return;

  self->wipe_position = fraction;
  if (self->layout == TINTA_LAYOUT_WIPE)
    gtk_gl_area_queue_render (GTK_GL_AREA (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WIPE_POSITION]);
}

double
tinta_viewer_get_zoom (TintaViewer *self)
{
  g_return_val_if_fail (TINTA_IS_VIEWER (self), 0.0);

  return self->zoom;
}

void
tinta_viewer_set_zoom (TintaViewer *self,
                       double       zoom)
{
  g_return_if_fail (TINTA_IS_VIEWER (self));

  zoom = isfinite (zoom) && zoom > 0 ? CLAMP (zoom, ZOOM_MIN, ZOOM_MAX) : 0.0;
  if (self->zoom == zoom)
    return;

  /* From fit, zoom in on the middle: what fit showed centered stays so. */
  if (self->zoom == 0)
    {
      self->center_x = self->width / 2.0;
      self->center_y = self->height / 2.0;
    }

  self->zoom = zoom;
  gtk_gl_area_queue_render (GTK_GL_AREA (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
}

void
tinta_viewer_zoom_at (TintaViewer *self,
                      double       factor,
                      double       x,
                      double       y)
{
  int scale_factor = gtk_widget_get_scale_factor (GTK_WIDGET (self));
  graphene_rect_t area, image;
  int fit_x, fit_y, fit_width, fit_height;
  double scale, new_scale, fit_scale, image_x, image_y;

  g_return_if_fail (TINTA_IS_VIEWER (self));
  g_return_if_fail (factor > 0);

  tinta_viewer_pane_area (self, tinta_viewer_pane_at (self, x, y), &area);
  if (!tinta_viewer_image_in_area (self, &area, &image))
    return;

  tinta_viewer_fit_image (self->width, self->height, (int) area.size.width, (int) area.size.height,
                          &fit_x, &fit_y, &fit_width, &fit_height);
  fit_scale = (double) fit_width / self->width;
  scale = image.size.width / self->width;
  new_scale = CLAMP (scale * factor, ZOOM_MIN / scale_factor, ZOOM_MAX / scale_factor);

  /* Zooming out stops at fit, where the whole picture is in view. */
  if (factor < 1 && new_scale <= fit_scale)
    {
      if (scale > fit_scale)
        tinta_viewer_set_zoom (self, 0);
      return;
    }

  image_x = (x - image.origin.x) / scale;
  image_y = (y - image.origin.y) / scale;
  self->center_x = image_x - (x - area.origin.x - area.size.width / 2) / new_scale;
  self->center_y = image_y - (y - area.origin.y - area.size.height / 2) / new_scale;

  /* Set directly: set_zoom would recenter when coming from fit. */
  self->zoom = new_scale * scale_factor;
  gtk_gl_area_queue_render (GTK_GL_AREA (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
}

gboolean
tinta_viewer_get_show_confidence (TintaViewer *self)
{
  g_return_val_if_fail (TINTA_IS_VIEWER (self), FALSE);

  return self->show_confidence;
}

void
tinta_viewer_set_show_confidence (TintaViewer *self,
                                  gboolean     show)
{
  g_return_if_fail (TINTA_IS_VIEWER (self));

  show = !!show;
  if (self->show_confidence == show)
    return;

  self->show_confidence = show;
  gtk_gl_area_queue_render (GTK_GL_AREA (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_CONFIDENCE]);
}

gboolean
tinta_viewer_get_show_color (TintaViewer *self)
{
  g_return_val_if_fail (TINTA_IS_VIEWER (self), FALSE);

  return self->mode != TINTA_VIEW_GRAY;
}

void
tinta_viewer_set_show_color (TintaViewer *self,
                             gboolean     show_color)
{
  g_return_if_fail (TINTA_IS_VIEWER (self));

  if (!show_color)
    tinta_viewer_set_mode (self, TINTA_VIEW_GRAY);
  else if (self->mode == TINTA_VIEW_GRAY)
    tinta_viewer_set_mode (self, TINTA_VIEW_FUSED);
}

/* ---- Bounds -------------------------------------------------------------- */

gboolean
tinta_viewer_get_pane_area (TintaViewer     *self,
                            guint            pane,
                            graphene_rect_t *area)
{
  g_return_val_if_fail (TINTA_IS_VIEWER (self), FALSE);
  g_return_val_if_fail (area != NULL, FALSE);

  if (pane >= tinta_viewer_n_panes (self))
    {
      graphene_rect_init (area, 0, 0, 0, 0);
      return FALSE;
    }

  tinta_viewer_pane_area (self, pane, area);
  return TRUE;
}

gboolean
tinta_viewer_get_pane_bounds (TintaViewer     *self,
                              guint            pane,
                              graphene_rect_t *bounds)
{
  graphene_rect_t area;

  g_return_val_if_fail (TINTA_IS_VIEWER (self), FALSE);
  g_return_val_if_fail (bounds != NULL, FALSE);

  if (!tinta_viewer_get_pane_area (self, pane, &area))
    {
      graphene_rect_init (bounds, 0, 0, 0, 0);
      return FALSE;
    }

  return tinta_viewer_image_in_area (self, &area, bounds);
}

/**
 * tinta_viewer_get_image_bounds:
 * @self: a #TintaViewer
 * @bounds: (out): where pane 0's image is, in widget coordinates
 *
 * In the SINGLE layout, where the image is drawn.
 *
 * Returns: %FALSE when there is no frame (then @bounds is empty)
 */
gboolean
tinta_viewer_get_image_bounds (TintaViewer     *self,
                               graphene_rect_t *bounds)
{
  return tinta_viewer_get_pane_bounds (self, 0, bounds);
}

/* ---- Hit-testing for tools ------------------------------------------------ */

gboolean
tinta_viewer_widget_to_clip (TintaViewer *self,
                             double       x,
                             double       y,
                             double      *clip_x,
                             double      *clip_y,
                             guint       *pane)
{
  graphene_rect_t area, image;
  guint at;

  g_return_val_if_fail (TINTA_IS_VIEWER (self), FALSE);

  at = tinta_viewer_pane_at (self, x, y);
  tinta_viewer_pane_area (self, at, &area);
  if (!tinta_viewer_image_in_area (self, &area, &image) ||
      image.size.width <= 0 || image.size.height <= 0)
    return FALSE;

  *clip_x = (x - image.origin.x) * self->width / image.size.width;
  *clip_y = (y - image.origin.y) * self->height / image.size.height;
  if (pane != NULL)
    *pane = at;
  return TRUE;
}

TintaViewMode
tinta_viewer_get_mode_at (TintaViewer *self,
                          double       x,
                          double       y)
{
  graphene_rect_t visible;
  double divider_x;

  g_return_val_if_fail (TINTA_IS_VIEWER (self), TINTA_VIEW_GRAY);

  if (self->layout == TINTA_LAYOUT_WIPE)
    return tinta_viewer_wipe_divider (self, &visible, &divider_x) && x >= divider_x
           ? self->pair[1] : self->pair[0];
  return tinta_viewer_pane_mode (self, tinta_viewer_pane_at (self, x, y));
}

gboolean
tinta_viewer_pick_lab (TintaViewer *self,
                       double       x,
                       double       y,
                       float        lab[3])
{
  TintaViewMode mode;
  const Result *result;
  double clip_x, clip_y;
  int i, j;

  g_return_val_if_fail (TINTA_IS_VIEWER (self), FALSE);

  if (!tinta_viewer_widget_to_clip (self, x, y, &clip_x, &clip_y, NULL) ||
      clip_x < 0 || clip_y < 0 || clip_x >= self->width || clip_y >= self->height)
    return FALSE;

  i = (int) clip_x;
  j = (int) clip_y;
  lab[0] = self->lightness[(gsize) j * self->width + i];
  lab[1] = lab[2] = 0.0f;

  /* Nearest result pixel: the shader filters linearly, which differs by a
   * fraction of a step between neighbours. */
  mode = tinta_viewer_get_mode_at (self, x, y);
  result = &self->results[mode];
  if (mode != TINTA_VIEW_GRAY && result->chroma != NULL)
    {
      int ri = MIN ((int) (clip_x * result->width / self->width), result->width - 1);
      int rj = MIN ((int) (clip_y * result->height / self->height), result->height - 1);
      gsize at = (gsize) rj * result->width + ri;

      lab[1] = result->chroma[2 * at];
      lab[2] = result->chroma[2 * at + 1];
    }
  return TRUE;
}
