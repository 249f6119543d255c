/* tinta-viewer.c: TintaViewer draws one engine frame with OpenGL.
 *
 * The frame stays in CIE Lab all the way to the screen: L goes up as an R32F
 * texture, a,b as an RG32F texture, and shaders/display.frag converts to
 * sRGB with the engine's constants.  The viewer owns the frame it shows, so
 * it can upload it again when the widget is re-realized (moved to another
 * window, or its GL context lost).  GL objects live from realize to
 * unrealize; uploads happen in ::render, where the context is current.
 * Nothing in ::render touches widgets or queues drawing: ::presented and
 * ::error are emitted from an idle afterwards. */

#include "config.h"

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

enum {
  TEXTURE_LIGHTNESS,
  TEXTURE_CHROMA,
  N_TEXTURES
};

struct _TintaViewer
{
  GtkGLArea     parent_instance;

  tinta_frame  *frame;

  GLuint        program;
  GLuint        vertex_array;
  GLuint        textures[N_TEXTURES];
  GLint         u_rect;
  GLint         u_show_color;
  int           texture_width;
  int           texture_height;

  guint         notify_idle;
  GError       *pending_error;

  guint         show_color : 1;
  guint         frame_dirty : 1;
  guint         presented_pending : 1;
};

G_DEFINE_FINAL_TYPE (TintaViewer, tinta_viewer, GTK_TYPE_GL_AREA)

enum {
  PROP_0,
  PROP_SHOW_COLOR,
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
  if (self->notify_idle == 0)
    self->notify_idle = g_idle_add (tinta_viewer_notify_idle_cb, self);
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

  glUseProgram (self->program);
  glUniform1i (glGetUniformLocation (self->program, "u_lightness"), TEXTURE_LIGHTNESS);
  glUniform1i (glGetUniformLocation (self->program, "u_chroma"), TEXTURE_CHROMA);
  glUseProgram (0);

  /* A core profile draws nothing without a bound vertex array, even when
   * the vertex shader makes up its own positions. */
  glGenVertexArrays (1, &self->vertex_array);

  glGenTextures (N_TEXTURES, self->textures);
  for (guint i = 0; i < N_TEXTURES; i++)
    {
      /* Float textures filter linearly in desktop GL; GLES 3 needs an
       * extension for that, so it gets nearest. */
      GLint filter = use_es ? GL_NEAREST : GL_LINEAR;

      glBindTexture (GL_TEXTURE_2D, self->textures[i]);
      glTexParameteri (GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, filter);
      glTexParameteri (GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, filter);
      glTexParameteri (GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
      glTexParameteri (GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    }
  glBindTexture (GL_TEXTURE_2D, 0);

  return TRUE;
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
  self->texture_width = 0;
  self->texture_height = 0;
}

/* Called from ::render with the context current. */
static gboolean
tinta_viewer_upload_frame (TintaViewer  *self,
                           GError      **error)
{
  const tinta_frame *frame = self->frame;
  g_autofree float *chroma = NULL;
  GLint max_size = 0;
  gsize n_pixels;

  self->frame_dirty = FALSE;
  self->texture_width = 0;
  self->texture_height = 0;

  if (frame == NULL)
    return TRUE;

  glGetIntegerv (GL_MAX_TEXTURE_SIZE, &max_size);
  if (frame->width > max_size || frame->height > max_size)
    {
      g_set_error (error, TINTA_ERROR, TINTA_ERR_TOO_LARGE,
                   _("The frame is %d × %d pixels, but this graphics driver shows at most %d pixels on a side"),
                   frame->width, frame->height, (int) max_size);
      return FALSE;
    }

  /* The engine keeps a and b in separate planes; one interleaved texture
   * halves the texture fetches in the shader. */
  n_pixels = (gsize) frame->width * (gsize) frame->height;
  if (!(chroma = g_try_new (float, 2 * n_pixels)))
    {
      g_set_error_literal (error, TINTA_ERROR, TINTA_ERR_NO_MEMORY,
                           _("There is not enough memory to show the frame"));
      return FALSE;
    }
  for (gsize i = 0; i < n_pixels; i++)
    {
      chroma[2 * i] = frame->a[i];
      chroma[2 * i + 1] = frame->b[i];
    }

  /* Planes have no row padding (tinta/frame.h); say so in case GTK or an
   * earlier upload left other unpack state behind. */
  glPixelStorei (GL_UNPACK_ALIGNMENT, 4);
  glPixelStorei (GL_UNPACK_ROW_LENGTH, 0);

  glBindTexture (GL_TEXTURE_2D, self->textures[TEXTURE_LIGHTNESS]);
  glTexImage2D (GL_TEXTURE_2D, 0, GL_R32F, frame->width, frame->height, 0,
                GL_RED, GL_FLOAT, frame->L);
  glBindTexture (GL_TEXTURE_2D, self->textures[TEXTURE_CHROMA]);
  glTexImage2D (GL_TEXTURE_2D, 0, GL_RG32F, frame->width, frame->height, 0,
                GL_RG, GL_FLOAT, chroma);
  glBindTexture (GL_TEXTURE_2D, 0);

  if (glGetError () == GL_OUT_OF_MEMORY)
    {
      g_set_error_literal (error, TINTA_ERROR, TINTA_ERR_NO_MEMORY,
                           _("There is not enough graphics memory to show the frame"));
      return FALSE;
    }

  self->texture_width = frame->width;
  self->texture_height = frame->height;

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

  /* New textures are empty, whatever was uploaded before. */
  self->frame_dirty = self->frame != NULL;
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
tinta_viewer_render (GtkGLArea    *area,
                     GdkGLContext *context)
{
  TintaViewer *self = TINTA_VIEWER (area);
  GtkWidget *widget = GTK_WIDGET (area);
  int scale = gtk_widget_get_scale_factor (widget);
  int buffer_width = gtk_widget_get_width (widget) * scale;
  int buffer_height = gtk_widget_get_height (widget) * scale;
  int x, y, width, height;

  if (gtk_gl_area_get_error (area) != NULL)
    return FALSE;

  glViewport (0, 0, buffer_width, buffer_height);
  glClearColor (BACKGROUND_LEVEL, BACKGROUND_LEVEL, BACKGROUND_LEVEL, 1.0f);
  glClear (GL_COLOR_BUFFER_BIT);

  if (self->program == 0)
    return TRUE;

  if (self->frame_dirty)
    {
      g_autoptr(GError) error = NULL;

      if (!tinta_viewer_upload_frame (self, &error))
        tinta_viewer_report_error (self, error);
    }

  if (self->texture_width == 0)
    return TRUE;

  tinta_viewer_fit_image (self->texture_width, self->texture_height,
                          buffer_width, buffer_height,
                          &x, &y, &width, &height);

  glUseProgram (self->program);
  /* fit_image counts y from the top; clip space counts it from the bottom. */
  glUniform4f (self->u_rect,
               2.0f * x / buffer_width - 1.0f,
               1.0f - 2.0f * (y + height) / buffer_height,
               2.0f * (x + width) / buffer_width - 1.0f,
               1.0f - 2.0f * y / buffer_height);
  glUniform1f (self->u_show_color, self->show_color ? 1.0f : 0.0f);

  glActiveTexture (GL_TEXTURE0 + TEXTURE_LIGHTNESS);
  glBindTexture (GL_TEXTURE_2D, self->textures[TEXTURE_LIGHTNESS]);
  glActiveTexture (GL_TEXTURE0 + TEXTURE_CHROMA);
  glBindTexture (GL_TEXTURE_2D, self->textures[TEXTURE_CHROMA]);

  glBindVertexArray (self->vertex_array);
  glDrawArrays (GL_TRIANGLE_STRIP, 0, 4);
  glBindVertexArray (0);

  /* GTK shares this context's state with its own rendering; leave it as
   * found. */
  glBindTexture (GL_TEXTURE_2D, 0);
  glActiveTexture (GL_TEXTURE0);
  glBindTexture (GL_TEXTURE_2D, 0);
  glUseProgram (0);

  self->presented_pending = TRUE;
  tinta_viewer_queue_notify (self);

  return TRUE;
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

  tinta_ui_ensure_resources ();

  object_class->dispose = tinta_viewer_dispose;
  object_class->finalize = tinta_viewer_finalize;
  object_class->get_property = tinta_viewer_get_property;
  object_class->set_property = tinta_viewer_set_property;

  widget_class->realize = tinta_viewer_realize;
  widget_class->unrealize = tinta_viewer_unrealize;

  gl_area_class->render = tinta_viewer_render;
  gl_area_class->create_context = tinta_viewer_create_context;

  /**
   * TintaViewer:show-color:
   *
   * Whether the frame is shown with its a,b chroma, or as the gray input
   * (L only) the colorization starts from.
   */
  properties[PROP_SHOW_COLOR] =
    g_param_spec_boolean ("show-color", NULL, NULL,
                          TRUE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TintaViewer::presented:
   *
   * A frame was drawn.  Emitted from an idle after the render, so handlers
   * may change widgets.
   */
  signals[PRESENTED] =
    g_signal_new ("presented",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  /**
   * TintaViewer::error:
   * @error: what went wrong
   *
   * OpenGL could not be set up or could not take the frame.
   */
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
  self->show_color = TRUE;

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Frame"),
                                  -1);
}

GtkWidget *
tinta_viewer_new (void)
{
  return g_object_new (TINTA_TYPE_VIEWER, NULL);
}

/**
 * tinta_viewer_set_frame:
 * @self: a #TintaViewer
 * @frame: (transfer full) (nullable): a frame with Lab planes, or %NULL to
 *   show nothing
 *
 * Shows @frame, which the viewer keeps until the next call.
 */
void
tinta_viewer_set_frame (TintaViewer *self,
                        tinta_frame *frame)
{
  g_return_if_fail (TINTA_IS_VIEWER (self));
  g_return_if_fail (frame == NULL || (frame->planes & TINTA_FRAME_LAB) != 0);

  if (frame == self->frame)
    return;

  g_clear_pointer (&self->frame, tinta_frame_free);
  self->frame = frame;
  self->frame_dirty = TRUE;

  gtk_gl_area_queue_render (GTK_GL_AREA (self));
}

const tinta_frame *
tinta_viewer_get_frame (TintaViewer *self)
{
  g_return_val_if_fail (TINTA_IS_VIEWER (self), NULL);

  return self->frame;
}

gboolean
tinta_viewer_get_show_color (TintaViewer *self)
{
  g_return_val_if_fail (TINTA_IS_VIEWER (self), FALSE);

  return self->show_color;
}

void
tinta_viewer_set_show_color (TintaViewer *self,
                             gboolean     show_color)
{
  g_return_if_fail (TINTA_IS_VIEWER (self));

  show_color = !!show_color;

  if (self->show_color == show_color)
    return;

  self->show_color = show_color;
  gtk_gl_area_queue_render (GTK_GL_AREA (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_COLOR]);
}

/**
 * tinta_viewer_get_image_bounds:
 * @self: a #TintaViewer
 * @bounds: (out): where the image is, in widget coordinates
 *
 * Returns: %FALSE when there is no frame (then @bounds is empty)
 */
gboolean
tinta_viewer_get_image_bounds (TintaViewer     *self,
                               graphene_rect_t *bounds)
{
  int x, y, width, height;

  g_return_val_if_fail (TINTA_IS_VIEWER (self), FALSE);
  g_return_val_if_fail (bounds != NULL, FALSE);

  if (self->frame == NULL)
    {
      graphene_rect_init (bounds, 0, 0, 0, 0);
      return FALSE;
    }

  tinta_viewer_fit_image (self->frame->width, self->frame->height,
                          gtk_widget_get_width (GTK_WIDGET (self)),
                          gtk_widget_get_height (GTK_WIDGET (self)),
                          &x, &y, &width, &height);
  graphene_rect_init (bounds, x, y, width, height);

  return TRUE;
}
