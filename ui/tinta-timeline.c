/* tinta-timeline.c: TintaTimeline draws the clip's overview in snapshot()
 * and turns pointer and keys into playhead moves.
 *
 * Everything is drawn from a few arrays: sorted keyframes, cuts and
 * thumbnails, and one byte of cache state per frame.  The cache bar does
 * not look at every frame on every draw: each device-pixel column of the
 * bar keeps a summary of its frames, and a change only marks a range of
 * frames dirty, so the next draw rebuilds just the columns over that range
 * (thousands of reports between two frames cost one pass over their span).
 * Colors come from named colors in resources/style.css (tinta_timeline_*),
 * derived from the theme's, with the same values built in for when the
 * application's style sheet is not loaded. */

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n.h>

#include "tinta-timeline.h"

/* Layout in logical pixels from the top of the content box.  The track
 * (the span all frames share) is inset on both sides so the playhead's
 * cap stays whole at the first and last frame.  tests/ui/test-timeline.c
 * samples the same rows. */
#define TRACK_INSET        8
#define STRIP_Y            6
#define STRIP_HEIGHT       48
#define STRIP_RADIUS       3
#define CACHE_Y            (STRIP_Y + STRIP_HEIGHT + 2)
#define CACHE_HEIGHT       4
#define RULER_Y            (CACHE_Y + CACHE_HEIGHT)
#define RULER_HEIGHT       12
#define LABEL_Y            (RULER_Y + RULER_HEIGHT)
#define LABEL_HEIGHT       18
#define TIMELINE_HEIGHT    (LABEL_Y + LABEL_HEIGHT)

#define MIN_TRACK_WIDTH    64
#define NAT_TRACK_WIDTH    600
#define KEYFRAME_RADIUS    5.0
#define PLAYHEAD_CAP_WIDTH 11.0
#define PLAYHEAD_CAP_DEPTH 10.0
#define CUT_FLAG_WIDTH     7.0
#define CUT_FLAG_DEPTH     5.0

/* Ticks are only drawn where they are at least this far apart, and the
 * taller ones mark a round time at least MAJOR_TICK_SPACING apart. */
#define MINOR_TICK_SPACING 6.0
#define MAJOR_TICK_SPACING 60.0

/* What a column of the cache bar summarizes: all its frames fused, all at
 * least local, some computed, or none. */
enum {
  COLUMN_NONE,
  COLUMN_PARTIAL,
  COLUMN_LOCAL,
  COLUMN_FUSED,
};

enum {
  COLOR_ACCENT,
  COLOR_CACHE_NONE,
  COLOR_CACHE_PARTIAL,
  COLOR_CACHE_LOCAL,
  COLOR_CACHE_FUSED,
  COLOR_CUT,
  COLOR_SLOT,
  COLOR_SHADOW,
  N_COLORS
};

/* Names looked up in the style sheet, and what they are without it (the
 * values resources/style.css gives them in the dark Default theme). */
static const struct {
  const char *name;
  const char *fallback;
} palette_entries[N_COLORS] = {
  [COLOR_ACCENT]        = { "tinta_timeline_accent_color", "#0069e9" },
  [COLOR_CACHE_NONE]    = { "tinta_timeline_cache_none_color", "rgba(0,0,0,0.35)" },
  [COLOR_CACHE_PARTIAL] = { "tinta_timeline_cache_partial_color", "rgba(0,105,233,0.3)" },
  [COLOR_CACHE_LOCAL]   = { "tinta_timeline_cache_local_color", "rgba(0,105,233,0.55)" },
  [COLOR_CACHE_FUSED]   = { "tinta_timeline_cache_fused_color", "#2780ec" },
  [COLOR_CUT]           = { "tinta_timeline_cut_color", "#ed333b" },
  [COLOR_SLOT]          = { "tinta_timeline_slot_color", "rgba(238,238,236,0.07)" },
  [COLOR_SHADOW]        = { "tinta_timeline_shadow_color", "rgba(0,0,0,0.5)" },
};

typedef struct {
  GdkRGBA fg;
  GdkRGBA dim_fg;
  GdkRGBA colors[N_COLORS];
} Palette;

typedef struct {
  gint64      frame;
  GdkTexture *texture;
} Thumbnail;

struct _TintaTimeline
{
  GtkWidget  parent_instance;

  gint64     n_frames;
  int        rate_num;
  int        rate_den;
  gint64     position;

  GArray    *keyframes;      /* gint64, sorted, unique */
  GArray    *cuts;           /* gint64, sorted, unique */
  GArray    *thumbnails;     /* Thumbnail, sorted by frame */

  guint8    *cache;          /* a TintaTimelineCache per frame */
  guint      cache_counts[TINTA_TIMELINE_CACHE_FUSED + 1];

  /* The cache bar's column summary, and the frames whose columns are out
   * of date (none when dirty_first > dirty_last). */
  guint8    *columns;
  int        n_columns;
  gint64     dirty_first;
  gint64     dirty_last;

  double     hover_x;

  guint      hovering : 1;
  guint      dragging : 1;
};

G_DEFINE_FINAL_TYPE (TintaTimeline, tinta_timeline, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_POSITION,
  PROP_N_FRAMES,
  N_PROPS
};

enum {
  SCRUB,
  PLAY_CONTROL,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

char *
tinta_timeline_format_timecode (gint64 frame,
                                int    rate_num,
                                int    rate_den)
{
  const char *sign = "";
  gint64 fps;
  gint64 seconds;

  if (rate_num <= 0 || rate_den <= 0)
    return g_strdup ("--:--:--:--");

  /* Non-drop-frame timecode counts whole frames per second at the
   * nominal rate, 30 for NTSC's 29.97: its clock drifts from wall time,
   * but every frame has exactly one label and labels never skip. */
  fps = MAX (((gint64) rate_num + rate_den / 2) / rate_den, 1);

  if (frame < 0)
    {
      sign = "-";
      frame = frame == G_MININT64 ? G_MAXINT64 : -frame;
    }

  seconds = frame / fps;

  return g_strdup_printf ("%s%02lld:%02d:%02d:%02d", sign,
                          (long long) (seconds / 3600),
                          (int) (seconds / 60 % 60),
                          (int) (seconds % 60),
                          (int) (frame % fps));
}

static int
compare_frames (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

/* Index of the first element >= frame in a sorted array whose elements
 * start with a gint64 frame. */
static guint
lower_bound (GArray *array,
             gint64  frame)
{
  guint size = g_array_get_element_size (array);
  guint lo = 0;
  guint hi = array->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      gint64 value = *(const gint64 *) (array->data + (gsize) mid * size);

      if (value < frame)
        lo = mid + 1;
      else
        hi = mid;
    }

  return lo;
}

static void
set_frame_list (TintaTimeline *self,
                GArray        *list,
                const gint64  *frames,
                guint          n)
{
  g_array_set_size (list, 0);

  for (guint i = 0; i < n; i++)
    if (frames[i] >= 0 && frames[i] < self->n_frames)
      g_array_append_val (list, frames[i]);

  g_array_sort (list, compare_frames);

  /* Drop duplicates in place. */
  if (list->len > 1)
    {
      gint64 *values = (gint64 *) list->data;
      guint kept = 1;

      for (guint i = 1; i < list->len; i++)
        if (values[i] != values[kept - 1])
          values[kept++] = values[i];
      g_array_set_size (list, kept);
    }

  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Geometry.  Frame f owns [track_x + f * w / n, track_x + (f + 1) * w / n)
 * of the track; its playhead, ticks and keyframe sit in the middle of
 * that span, a cut before it on its left edge. */

static double
track_width (TintaTimeline *self)
{
  return MAX (gtk_widget_get_width (GTK_WIDGET (self)) - 2 * TRACK_INSET, 1);
}

static double
frame_left (TintaTimeline *self,
            double         frame)
{
  return TRACK_INSET + frame * track_width (self) / MAX (self->n_frames, 1);
}

static double
frame_center (TintaTimeline *self,
              gint64         frame)
{
  return frame_left (self, frame + 0.5);
}

static gint64
frame_at (TintaTimeline *self,
          double         x)
{
  double frame;

  if (self->n_frames == 0)
    return 0;

  frame = floor ((x - TRACK_INSET) / track_width (self) * self->n_frames);

  return (gint64) CLAMP (frame, 0, (double) (self->n_frames - 1));
}

/* Lines land on device pixels, so a 1 px line stays 1 px sharp. */
static double
snap (TintaTimeline *self,
      double         x)
{
  int scale = gtk_widget_get_scale_factor (GTK_WIDGET (self));

  return round (x * scale) / scale;
}

/* The cache bar's columns.  With n frames over w columns, column c covers
 * frames [c * n / w, (c + 1) * n / w), and at least the one frame under
 * it when frames are wider than columns. */

static gint64
column_start (TintaTimeline *self,
              gint64         column)
{
  return column * self->n_frames / self->n_columns;
}

static gint64
column_end (TintaTimeline *self,
            gint64         column)
{
  return MAX (column_start (self, column) + 1, (column + 1) * self->n_frames / self->n_columns);
}

static gint64
last_column_of (TintaTimeline *self,
                gint64         frame)
{
  return MIN (self->n_columns - 1, ((frame + 1) * self->n_columns - 1) / self->n_frames);
}

static gint64
first_column_of (TintaTimeline *self,
                 gint64         frame)
{
  gint64 first = (frame * self->n_columns + self->n_frames - 1) / self->n_frames;

  return MIN (first, last_column_of (self, frame));
}

static guint8
summarize_frames (const guint8 *cache,
                  gint64        first,
                  gint64        end)
{
  guint8 least = TINTA_TIMELINE_CACHE_FUSED;
  guint8 most = TINTA_TIMELINE_CACHE_NONE;

  for (gint64 frame = first; frame < end; frame++)
    {
      least = MIN (least, cache[frame]);
      most = MAX (most, cache[frame]);
      /* Nothing more can change the answer: mixed. */
      if (least == TINTA_TIMELINE_CACHE_NONE && most != TINTA_TIMELINE_CACHE_NONE)
        return COLUMN_PARTIAL;
    }

  if (least == TINTA_TIMELINE_CACHE_FUSED)
    return COLUMN_FUSED;
  if (least == TINTA_TIMELINE_CACHE_LOCAL)
    return COLUMN_LOCAL;
  return most != TINTA_TIMELINE_CACHE_NONE ? COLUMN_PARTIAL : COLUMN_NONE;
}

static void
mark_dirty (TintaTimeline *self,
            gint64         first,
            gint64         last)
{
  self->dirty_first = MIN (self->dirty_first, first);
  self->dirty_last = MAX (self->dirty_last, last);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
update_columns (TintaTimeline *self,
                int            n_columns)
{
  gint64 first_column, last_column;

  if (n_columns != self->n_columns)
    {
      g_free (self->columns);
      self->columns = g_malloc0 (MAX (n_columns, 1));
      self->n_columns = n_columns;
      self->dirty_first = 0;
      self->dirty_last = self->n_frames - 1;
    }

  if (self->n_frames == 0 || self->dirty_first > self->dirty_last)
    return;

  first_column = first_column_of (self, MAX (self->dirty_first, 0));
  last_column = last_column_of (self, MIN (self->dirty_last, self->n_frames - 1));

  for (gint64 column = first_column; column <= last_column; column++)
    self->columns[column] = summarize_frames (self->cache,
                                              column_start (self, column),
                                              column_end (self, column));

  self->dirty_first = G_MAXINT64;
  self->dirty_last = G_MININT64;
}

static const Thumbnail *
nearest_thumbnail (TintaTimeline *self,
                   gint64         frame)
{
  const Thumbnail *thumbnails = (const Thumbnail *) self->thumbnails->data;
  guint after = lower_bound (self->thumbnails, frame);

  if (self->thumbnails->len == 0)
    return NULL;
  if (after == self->thumbnails->len)
    return &thumbnails[after - 1];
  if (after == 0 || thumbnails[after].frame - frame < frame - thumbnails[after - 1].frame)
    return &thumbnails[after];
  return &thumbnails[after - 1];
}

static void
resolve_palette (TintaTimeline *self,
                 Palette       *palette)
{
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  /* GTK 4.10 deprecates the style context without a way to read named
   * colors; until the pin moves, it is how a theme or the app's sheet
   * reaches colors a widget draws itself. */
  GtkStyleContext *context = gtk_widget_get_style_context (GTK_WIDGET (self));

  gtk_style_context_get_color (context, &palette->fg);
  for (guint i = 0; i < N_COLORS; i++)
    if (!gtk_style_context_lookup_color (context, palette_entries[i].name, &palette->colors[i]))
      gdk_rgba_parse (&palette->colors[i], palette_entries[i].fallback);
  G_GNUC_END_IGNORE_DEPRECATIONS

  palette->dim_fg = palette->fg;
  palette->dim_fg.alpha *= 0.55f;
}

static void
append_rect (GtkSnapshot   *snapshot,
             const GdkRGBA *color,
             double         x,
             double         y,
             double         width,
             double         height)
{
  gtk_snapshot_append_color (snapshot, color, &GRAPHENE_RECT_INIT (x, y, width, height));
}

static void
snapshot_strip (TintaTimeline *self,
                GtkSnapshot   *snapshot,
                const Palette *palette)
{
  double width = track_width (self);
  double aspect = 16.0 / 9.0;
  double slot_width;
  int n_slots;
  GskRoundedRect clip;

  /* One clip, one aspect: the first thumbnail sets the slot width. */
  if (self->thumbnails->len > 0)
    {
      GdkTexture *texture = g_array_index (self->thumbnails, Thumbnail, 0).texture;

      aspect = (double) gdk_texture_get_width (texture) / gdk_texture_get_height (texture);
    }
  slot_width = MAX (round (STRIP_HEIGHT * aspect), 16);
  n_slots = (int) ceil (width / slot_width);

  gsk_rounded_rect_init_from_rect (&clip, &GRAPHENE_RECT_INIT (TRACK_INSET, STRIP_Y, width, STRIP_HEIGHT),
                                   STRIP_RADIUS);
  gtk_snapshot_push_rounded_clip (snapshot, &clip);

  /* No clip: one empty well rather than a row of empty frames. */
  if (self->n_frames == 0)
    {
      gtk_snapshot_append_color (snapshot, &palette->colors[COLOR_SLOT], &clip.bounds);
      gtk_snapshot_pop (snapshot);
      return;
    }

  for (int i = 0; i < n_slots; i++)
    {
      double x = TRACK_INSET + i * slot_width;
      /* A 1 px gap between slots, like frames on film. */
      graphene_rect_t slot = GRAPHENE_RECT_INIT (x, STRIP_Y, slot_width - 1, STRIP_HEIGHT);
      gint64 middle = frame_at (self, MIN (x + slot_width / 2, TRACK_INSET + width - 1));
      const Thumbnail *thumbnail = nearest_thumbnail (self, middle);
      double drawn_width;

      if (thumbnail == NULL)
        {
          gtk_snapshot_append_color (snapshot, &palette->colors[COLOR_SLOT], &slot);
          continue;
        }

      /* A thumbnail of another shape keeps it, centered in the slot. */
      drawn_width = STRIP_HEIGHT * (double) gdk_texture_get_width (thumbnail->texture) /
                    gdk_texture_get_height (thumbnail->texture);
      gtk_snapshot_push_clip (snapshot, &slot);
      gtk_snapshot_append_texture (snapshot, thumbnail->texture,
                                   &GRAPHENE_RECT_INIT (x + (slot_width - 1 - drawn_width) / 2, STRIP_Y,
                                                        drawn_width, STRIP_HEIGHT));
      gtk_snapshot_pop (snapshot);
    }

  gtk_snapshot_pop (snapshot);
}

static void
snapshot_cache_bar (TintaTimeline *self,
                    GtkSnapshot   *snapshot,
                    const Palette *palette)
{
  static const int column_colors[] = {
    [COLUMN_NONE] = COLOR_CACHE_NONE,
    [COLUMN_PARTIAL] = COLOR_CACHE_PARTIAL,
    [COLUMN_LOCAL] = COLOR_CACHE_LOCAL,
    [COLUMN_FUSED] = COLOR_CACHE_FUSED,
  };
  int scale = gtk_widget_get_scale_factor (GTK_WIDGET (self));
  double width = track_width (self);
  double column_width;
  int run_start = 0;

  append_rect (snapshot, &palette->colors[COLOR_CACHE_NONE], TRACK_INSET, CACHE_Y, width, CACHE_HEIGHT);
  if (self->n_frames == 0)
    return;

  update_columns (self, MAX ((int) (width * scale), 1));
  column_width = width / self->n_columns;

  /* One rectangle per run of equal columns: a handful of nodes for a
   * typical cache, whatever the clip's length. */
  for (int column = 1; column <= self->n_columns; column++)
    {
      guint8 state = self->columns[run_start];

      if (column < self->n_columns && self->columns[column] == state)
        continue;

      if (state != COLUMN_NONE)
        append_rect (snapshot, &palette->colors[column_colors[state]],
                     TRACK_INSET + run_start * column_width, CACHE_Y,
                     (column - run_start) * column_width, CACHE_HEIGHT);
      run_start = column;
    }
}

/* The smallest step, in frames, that is a round amount of time (frames
 * that divide a second, then round numbers of seconds and minutes), a
 * multiple of `multiple_of`, and at least min_spacing pixels wide.  0 if
 * even an hour is narrower. */
static gint64
tick_step (int    fps,
           double pixels_per_frame,
           double min_spacing,
           gint64 multiple_of)
{
  static const int frame_steps[] = { 1, 2, 5, 10 };
  static const int second_steps[] = { 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600 };

  for (guint i = 0; i < G_N_ELEMENTS (frame_steps); i++)
    {
      gint64 step = frame_steps[i];

      if (step < fps && fps % step == 0 && step % multiple_of == 0 &&
          step * pixels_per_frame >= min_spacing)
        return step;
    }

  for (guint i = 0; i < G_N_ELEMENTS (second_steps); i++)
    {
      gint64 step = (gint64) second_steps[i] * fps;

      if (step % multiple_of == 0 && step * pixels_per_frame >= min_spacing)
        return step;
    }

  return 0;
}

static void
snapshot_ruler (TintaTimeline *self,
                GtkSnapshot   *snapshot,
                const Palette *palette)
{
  double pixels_per_frame = track_width (self) / self->n_frames;
  int fps = 25;
  gint64 minor, major;
  GdkRGBA minor_color = palette->fg;
  GdkRGBA major_color = palette->fg;

  if (self->rate_num > 0 && self->rate_den > 0)
    fps = MAX ((self->rate_num + self->rate_den / 2) / self->rate_den, 1);

  minor = tick_step (fps, pixels_per_frame, MINOR_TICK_SPACING, 1);
  if (minor == 0)
    return;
  major = tick_step (fps, pixels_per_frame, MAJOR_TICK_SPACING, minor);

  minor_color.alpha *= 0.22f;
  major_color.alpha *= 0.5f;

  for (gint64 frame = 0; frame < self->n_frames; frame += minor)
    {
      gboolean is_major = major != 0 && frame % major == 0;

      append_rect (snapshot, is_major ? &major_color : &minor_color,
                   snap (self, frame_center (self, frame)), RULER_Y,
                   1, is_major ? 6 : 3);
    }
}

static void
snapshot_cuts (TintaTimeline *self,
               GtkSnapshot   *snapshot,
               const Palette *palette)
{
  const gint64 *cuts = (const gint64 *) self->cuts->data;
  double last_x = -G_MAXDOUBLE;
  cairo_t *cr;

  if (self->cuts->len == 0)
    return;

  /* A flag at the top of each line says which side the new shot is on. */
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, STRIP_Y, gtk_widget_get_width (GTK_WIDGET (self)),
                                                                 CUT_FLAG_DEPTH + 1));
  gdk_cairo_set_source_rgba (cr, &palette->colors[COLOR_CUT]);
  for (guint i = 0; i < self->cuts->len; i++)
    {
      double x = snap (self, frame_left (self, cuts[i]));

      /* A film's worth of cuts on one pixel is one line. */
      if (x - last_x < 1)
        continue;
      last_x = x;

      append_rect (snapshot, &palette->colors[COLOR_CUT], x, STRIP_Y, 1, RULER_Y + RULER_HEIGHT - STRIP_Y);
      cairo_move_to (cr, x, STRIP_Y);
      cairo_line_to (cr, x + CUT_FLAG_WIDTH, STRIP_Y);
      cairo_line_to (cr, x, STRIP_Y + CUT_FLAG_DEPTH);
      cairo_close_path (cr);
    }
  cairo_fill (cr);
  cairo_destroy (cr);
}

static void
snapshot_keyframes (TintaTimeline *self,
                    GtkSnapshot   *snapshot,
                    const Palette *palette)
{
  const gint64 *keyframes = (const gint64 *) self->keyframes->data;
  double y = RULER_Y + RULER_HEIGHT / 2.0;
  double last_x = -G_MAXDOUBLE;
  cairo_t *cr;

  if (self->keyframes->len == 0)
    return;

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, RULER_Y, gtk_widget_get_width (GTK_WIDGET (self)),
                                                                 RULER_HEIGHT));
  for (guint i = 0; i < self->keyframes->len; i++)
    {
      double x = snap (self, frame_center (self, keyframes[i])) + 0.5;

      /* Thousands of keyframes on a long clip would pile up on the same
       * pixels; one diamond per pixel looks the same. */
      if (x - last_x < 1)
        continue;
      last_x = x;

      cairo_move_to (cr, x, y - KEYFRAME_RADIUS);
      cairo_line_to (cr, x + KEYFRAME_RADIUS, y);
      cairo_line_to (cr, x, y + KEYFRAME_RADIUS);
      cairo_line_to (cr, x - KEYFRAME_RADIUS, y);
      cairo_close_path (cr);
    }

  gdk_cairo_set_source_rgba (cr, &palette->colors[COLOR_ACCENT]);
  cairo_fill_preserve (cr);
  gdk_cairo_set_source_rgba (cr, &palette->colors[COLOR_SHADOW]);
  cairo_set_line_width (cr, 1);
  cairo_stroke (cr);
  cairo_destroy (cr);
}

static void
snapshot_playhead (TintaTimeline *self,
                   GtkSnapshot   *snapshot,
                   const Palette *palette)
{
  /* Like ticks and diamonds, the line fills the pixel right of the
   * snapped center, so they all line up. */
  double x = snap (self, frame_center (self, self->position));
  double middle = x + 0.5;
  double half = PLAYHEAD_CAP_WIDTH / 2;
  double bottom = RULER_Y + RULER_HEIGHT;
  cairo_t *cr;

  /* A dark edge keeps the line visible over bright thumbnails. */
  append_rect (snapshot, &palette->colors[COLOR_SHADOW], x - 1, STRIP_Y, 3, bottom - STRIP_Y);
  append_rect (snapshot, &palette->fg, x, STRIP_Y, 1, bottom - STRIP_Y);

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (middle - half - 1, 0, PLAYHEAD_CAP_WIDTH + 2,
                                                                 PLAYHEAD_CAP_DEPTH + 2));
  cairo_move_to (cr, middle - half, 0.5);
  cairo_line_to (cr, middle + half, 0.5);
  cairo_line_to (cr, middle + half, PLAYHEAD_CAP_DEPTH - half);
  cairo_line_to (cr, middle, PLAYHEAD_CAP_DEPTH);
  cairo_line_to (cr, middle - half, PLAYHEAD_CAP_DEPTH - half);
  cairo_close_path (cr);
  gdk_cairo_set_source_rgba (cr, &palette->fg);
  cairo_fill_preserve (cr);
  gdk_cairo_set_source_rgba (cr, &palette->colors[COLOR_SHADOW]);
  cairo_set_line_width (cr, 1);
  cairo_stroke (cr);
  cairo_destroy (cr);
}

static PangoLayout *
create_label_layout (TintaTimeline *self,
                     const char    *text)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  PangoAttrList *attrs = pango_attr_list_new ();

  /* Tabular digits: the label does not jitter while scrubbing. */
  pango_attr_list_insert (attrs, pango_attr_font_features_new ("tnum"));
  pango_attr_list_insert (attrs, pango_attr_scale_new (PANGO_SCALE_SMALL));
  pango_layout_set_attributes (layout, attrs);
  pango_attr_list_unref (attrs);

  return layout;
}

/* Draws a label row layout with its left edge at x. */
static void
append_label (GtkSnapshot   *snapshot,
              PangoLayout   *layout,
              double         x,
              const GdkRGBA *color)
{
  int height;

  pango_layout_get_pixel_size (layout, NULL, &height);

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, LABEL_Y + (LABEL_HEIGHT - height) / 2));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

static char *
format_position (TintaTimeline *self)
{
  /* Translators: the playhead's frame number and the clip's frame count */
  return g_strdup_printf (_("Frame %lld / %lld"), (long long) self->position, (long long) self->n_frames);
}

static void
snapshot_labels (TintaTimeline *self,
                 GtkSnapshot   *snapshot,
                 const Palette *palette)
{
  g_autofree char *frame_text = NULL;
  g_autofree char *timecode = NULL;
  g_autofree char *duration = NULL;
  g_autoptr(PangoLayout) position_layout = NULL;
  g_autoptr(PangoLayout) duration_layout = NULL;
  int position_width, duration_width;
  int right = gtk_widget_get_width (GTK_WIDGET (self)) - TRACK_INSET;

  if (self->n_frames == 0)
    {
      g_autoptr(PangoLayout) layout = create_label_layout (self, _("No clip"));

      append_label (snapshot, layout, TRACK_INSET, &palette->dim_fg);
      return;
    }

  frame_text = format_position (self);
  timecode = tinta_timeline_format_timecode (self->position, self->rate_num, self->rate_den);
  duration = tinta_timeline_format_timecode (self->n_frames, self->rate_num, self->rate_den);

  /* "Frame 120 / 300 · 00:00:04:20", the timecode brighter: one layout,
   * so the two parts share a baseline. */
  {
    g_autofree char *text = g_strconcat (frame_text, "  ·  ", timecode, NULL);
    PangoAttrList *attrs;
    PangoAttribute *bright;

    position_layout = create_label_layout (self, text);
    attrs = pango_attr_list_copy (pango_layout_get_attributes (position_layout));
    bright = pango_attr_foreground_alpha_new (G_MAXUINT16);
    bright->start_index = strlen (text) - strlen (timecode);
    pango_attr_list_insert (attrs, bright);
    pango_layout_set_attributes (position_layout, attrs);
    pango_attr_list_unref (attrs);
  }
  duration_layout = create_label_layout (self, duration);
  pango_layout_get_pixel_size (position_layout, &position_width, NULL);
  pango_layout_get_pixel_size (duration_layout, &duration_width, NULL);

  append_label (snapshot, position_layout, TRACK_INSET, &palette->dim_fg);
  /* The clip's length on the right, unless the window is too narrow. */
  if (TRACK_INSET + position_width + 4 * TRACK_INSET <= right - duration_width)
    append_label (snapshot, duration_layout, right - duration_width, &palette->dim_fg);
}

static void
tinta_timeline_snapshot (GtkWidget   *widget,
                         GtkSnapshot *snapshot)
{
  TintaTimeline *self = TINTA_TIMELINE (widget);
  Palette palette;

  resolve_palette (self, &palette);

  snapshot_strip (self, snapshot, &palette);
  snapshot_cache_bar (self, snapshot, &palette);

  if (self->n_frames > 0)
    {
      snapshot_ruler (self, snapshot, &palette);
      snapshot_cuts (self, snapshot, &palette);
      snapshot_keyframes (self, snapshot, &palette);

      if (self->hovering && !self->dragging)
        {
          GdkRGBA hover = palette.fg;

          hover.alpha *= 0.35f;
          append_rect (snapshot, &hover,
                       snap (self, frame_center (self, frame_at (self, self->hover_x))), STRIP_Y,
                       1, RULER_Y + RULER_HEIGHT - STRIP_Y);
        }

      snapshot_playhead (self, snapshot, &palette);
    }

  snapshot_labels (self, snapshot, &palette);
}

static void
tinta_timeline_measure (GtkWidget      *widget,
                        GtkOrientation  orientation,
                        int             for_size,
                        int            *minimum,
                        int            *natural,
                        int            *minimum_baseline,
                        int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = MIN_TRACK_WIDTH + 2 * TRACK_INSET;
      *natural = NAT_TRACK_WIDTH + 2 * TRACK_INSET;
    }
  else
    {
      *minimum = *natural = TIMELINE_HEIGHT;
    }
}

static void
update_accessible_value (TintaTimeline *self)
{
  g_autofree char *text = NULL;

  if (self->n_frames > 0)
    {
      g_autofree char *timecode = tinta_timeline_format_timecode (self->position, self->rate_num,
                                                                  self->rate_den);
      g_autofree char *frame_text = format_position (self);

      text = g_strconcat (frame_text, ", ", timecode, NULL);
    }

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_MIN, 0.0,
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_MAX, (double) MAX (self->n_frames - 1, 0),
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_NOW, (double) self->position,
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT, text != NULL ? text : _("No clip"),
                                  -1);
}

/* A move the user made: pointer or keys.  Always reported on a click, so
 * clicking the frame that is shown shows it again. */
static void
user_seek (TintaTimeline *self,
           gint64         frame,
           gboolean       always_report)
{
  gint64 before = self->position;

  if (self->n_frames == 0)
    return;

  tinta_timeline_set_position (self, frame);
  if (always_report || self->position != before)
    g_signal_emit (self, signals[SCRUB], 0, self->position);
}

static void
drag_begin_cb (TintaTimeline  *self,
               double          x,
               double          y,
               GtkGestureDrag *gesture)
{
  if (self->n_frames == 0)
    {
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }

  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  if (gtk_widget_get_focus_on_click (GTK_WIDGET (self)))
    gtk_widget_grab_focus (GTK_WIDGET (self));

  self->dragging = TRUE;
  user_seek (self, frame_at (self, x), TRUE);
}

static void
drag_update_cb (TintaTimeline  *self,
                double          offset_x,
                double          offset_y,
                GtkGestureDrag *gesture)
{
  double start_x, start_y;

  if (gtk_gesture_drag_get_start_point (gesture, &start_x, &start_y))
    user_seek (self, frame_at (self, start_x + offset_x), FALSE);
}

static void
drag_end_cb (TintaTimeline  *self,
             double          offset_x,
             double          offset_y,
             GtkGestureDrag *gesture)
{
  self->dragging = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
motion_cb (TintaTimeline            *self,
           double                    x,
           double                    y,
           GtkEventControllerMotion *motion)
{
  self->hovering = TRUE;
  self->hover_x = x;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
leave_cb (TintaTimeline            *self,
          GtkEventControllerMotion *motion)
{
  self->hovering = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
step_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  TintaTimeline *self = TINTA_TIMELINE (widget);
  gint64 frame = self->position + g_variant_get_int32 (parameter);

  user_seek (self, MAX (frame, 0), FALSE);
}

static void
seek_keyframe_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  TintaTimeline *self = TINTA_TIMELINE (widget);
  int direction = g_variant_get_int32 (parameter);
  gint64 frame;

  if (direction != 0 && tinta_timeline_next_keyframe (self, direction, &frame))
    user_seek (self, frame, FALSE);
}

static void
seek_start_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  user_seek (TINTA_TIMELINE (widget), 0, FALSE);
}

static void
seek_end_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  TintaTimeline *self = TINTA_TIMELINE (widget);

  user_seek (self, self->n_frames - 1, FALSE);
}

static void
play_control_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  g_signal_emit (widget, signals[PLAY_CONTROL], 0, g_variant_get_string (parameter, NULL));
}

static void
update_actions (TintaTimeline *self)
{
  static const char * const actions[] = {
    "timeline.step", "timeline.seek-keyframe", "timeline.seek-start",
    "timeline.seek-end", "timeline.play-control",
  };

  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    gtk_widget_action_set_enabled (GTK_WIDGET (self), actions[i], self->n_frames > 0);
}

static void
clear_thumbnail (gpointer data)
{
  Thumbnail *thumbnail = data;

  g_clear_object (&thumbnail->texture);
}

static void
tinta_timeline_finalize (GObject *object)
{
  TintaTimeline *self = TINTA_TIMELINE (object);

  g_clear_pointer (&self->keyframes, g_array_unref);
  g_clear_pointer (&self->cuts, g_array_unref);
  g_clear_pointer (&self->thumbnails, g_array_unref);
  g_clear_pointer (&self->cache, g_free);
  g_clear_pointer (&self->columns, g_free);

  G_OBJECT_CLASS (tinta_timeline_parent_class)->finalize (object);
}

static void
tinta_timeline_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  TintaTimeline *self = TINTA_TIMELINE (object);

  switch (prop_id)
    {
    case PROP_POSITION:
      g_value_set_int64 (value, self->position);
      break;

    case PROP_N_FRAMES:
      g_value_set_int64 (value, self->n_frames);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tinta_timeline_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  TintaTimeline *self = TINTA_TIMELINE (object);

  switch (prop_id)
    {
    case PROP_POSITION:
      tinta_timeline_set_position (self, g_value_get_int64 (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tinta_timeline_class_init (TintaTimelineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = tinta_timeline_finalize;
  object_class->get_property = tinta_timeline_get_property;
  object_class->set_property = tinta_timeline_set_property;

  widget_class->snapshot = tinta_timeline_snapshot;
  widget_class->measure = tinta_timeline_measure;

  /**
   * TintaTimeline:position:
   *
   * The frame under the playhead, from 0 to #TintaTimeline:n-frames - 1.
   */
  properties[PROP_POSITION] =
    g_param_spec_int64 ("position", NULL, NULL,
                        0, G_MAXINT64, 0,
                        (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * TintaTimeline:n-frames:
   *
   * The clip's length; 0 when there is no clip.  Set with
   * tinta_timeline_set_clip().
   */
  properties[PROP_N_FRAMES] =
    g_param_spec_int64 ("n-frames", NULL, NULL,
                        0, G_MAXINT64, 0,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TintaTimeline::scrub:
   * @frame: the new position, already set
   *
   * The user moved the playhead: pressed or dragged in the timeline, or
   * stepped with the keys.  Not emitted by tinta_timeline_set_position().
   */
  signals[SCRUB] =
    g_signal_new ("scrub",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT64);

  /**
   * TintaTimeline::play-control:
   * @command: "toggle" (Space), "reverse" (J), "pause" (K) or
   *   "forward" (L)
   *
   * A play key was pressed while the timeline had the focus.  Playing is
   * the window's business; the timeline only passes the key on.
   */
  signals[PLAY_CONTROL] =
    g_signal_new ("play-control",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_install_action (widget_class, "timeline.step", "i", step_action);
  gtk_widget_class_install_action (widget_class, "timeline.seek-keyframe", "i", seek_keyframe_action);
  gtk_widget_class_install_action (widget_class, "timeline.seek-start", NULL, seek_start_action);
  gtk_widget_class_install_action (widget_class, "timeline.seek-end", NULL, seek_end_action);
  gtk_widget_class_install_action (widget_class, "timeline.play-control", "s", play_control_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, 0, "timeline.step", "i", -1);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Left, 0, "timeline.step", "i", -1);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, 0, "timeline.step", "i", 1);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Right, 0, "timeline.step", "i", 1);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_SHIFT_MASK, "timeline.seek-keyframe", "i", -1);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Left, GDK_SHIFT_MASK, "timeline.seek-keyframe", "i", -1);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, GDK_SHIFT_MASK, "timeline.seek-keyframe", "i", 1);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Right, GDK_SHIFT_MASK, "timeline.seek-keyframe", "i", 1);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Home, 0, "timeline.seek-start", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Home, 0, "timeline.seek-start", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_End, 0, "timeline.seek-end", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_End, 0, "timeline.seek-end", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_space, 0, "timeline.play-control", "s", "toggle");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Space, 0, "timeline.play-control", "s", "toggle");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_j, 0, "timeline.play-control", "s", "reverse");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_k, 0, "timeline.play-control", "s", "pause");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_l, 0, "timeline.play-control", "s", "forward");

  gtk_widget_class_set_css_name (widget_class, "tintatimeline");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_SLIDER);
}

static void
tinta_timeline_init (TintaTimeline *self)
{
  GtkGesture *drag;
  GtkEventController *motion;

  self->keyframes = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->cuts = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->thumbnails = g_array_new (FALSE, FALSE, sizeof (Thumbnail));
  g_array_set_clear_func (self->thumbnails, clear_thumbnail);
  self->dirty_first = G_MAXINT64;
  self->dirty_last = G_MININT64;

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);

  drag = gtk_gesture_drag_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (drag), GDK_BUTTON_PRIMARY);
  g_signal_connect_swapped (drag, "drag-begin", G_CALLBACK (drag_begin_cb), self);
  g_signal_connect_swapped (drag, "drag-update", G_CALLBACK (drag_update_cb), self);
  g_signal_connect_swapped (drag, "drag-end", G_CALLBACK (drag_end_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));

  motion = gtk_event_controller_motion_new ();
  g_signal_connect_swapped (motion, "enter", G_CALLBACK (motion_cb), self);
  g_signal_connect_swapped (motion, "motion", G_CALLBACK (motion_cb), self);
  g_signal_connect_swapped (motion, "leave", G_CALLBACK (leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Timeline"),
                                  -1);
  update_accessible_value (self);
  update_actions (self);
}

GtkWidget *
tinta_timeline_new (void)
{
  return g_object_new (TINTA_TYPE_TIMELINE, NULL);
}

/**
 * tinta_timeline_set_clip:
 * @self: a #TintaTimeline
 * @n_frames: the clip's length, 0 for no clip
 * @rate_num: frames per second, numerator
 * @rate_den: frames per second, denominator
 *
 * Starts over for a clip: the playhead at 0 and no keyframes, cuts,
 * cached frames or thumbnails.
 */
void
tinta_timeline_set_clip (TintaTimeline *self,
                         gint64         n_frames,
                         int            rate_num,
                         int            rate_den)
{
  gint64 old_n_frames;
  gint64 old_position;

  g_return_if_fail (TINTA_IS_TIMELINE (self));

  old_n_frames = self->n_frames;
  old_position = self->position;

  g_free (self->cache);
  /* A byte per frame; a damaged file claiming absurd lengths shows as no
   * clip rather than taking the editor down. */
  self->n_frames = MAX (n_frames, 0);
  if (!(self->cache = g_try_malloc0 (MAX (self->n_frames, 1))))
    {
      g_warning ("No memory for the timeline of a clip of %lld frames", (long long) n_frames);
      self->n_frames = 0;
      self->cache = g_malloc0 (1);
    }

  self->rate_num = rate_num;
  self->rate_den = rate_den;
  self->position = 0;

  g_array_set_size (self->keyframes, 0);
  g_array_set_size (self->cuts, 0);
  g_array_set_size (self->thumbnails, 0);

  memset (self->cache_counts, 0, sizeof self->cache_counts);
  self->cache_counts[TINTA_TIMELINE_CACHE_NONE] = (guint) MIN (self->n_frames, G_MAXUINT);

  /* Forces a full rebuild of the summary at the next draw. */
  self->n_columns = 0;

  update_accessible_value (self);
  update_actions (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));

  if (self->n_frames != old_n_frames)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_FRAMES]);
  if (self->position != old_position)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POSITION]);
}

gint64
tinta_timeline_get_n_frames (TintaTimeline *self)
{
  g_return_val_if_fail (TINTA_IS_TIMELINE (self), 0);

  return self->n_frames;
}

void
tinta_timeline_set_position (TintaTimeline *self,
                             gint64         frame)
{
  g_return_if_fail (TINTA_IS_TIMELINE (self));

  frame = CLAMP (frame, 0, MAX (self->n_frames - 1, 0));
  if (frame == self->position)
    return;

  self->position = frame;
  update_accessible_value (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POSITION]);
}

gint64
tinta_timeline_get_position (TintaTimeline *self)
{
  g_return_val_if_fail (TINTA_IS_TIMELINE (self), 0);

  return self->position;
}

void
tinta_timeline_set_keyframes (TintaTimeline *self,
                              const gint64  *frames,
                              guint          n)
{
  g_return_if_fail (TINTA_IS_TIMELINE (self));
  g_return_if_fail (frames != NULL || n == 0);

  set_frame_list (self, self->keyframes, frames, n);
}

/**
 * tinta_timeline_next_keyframe:
 * @self: a #TintaTimeline
 * @direction: > 0 for the next keyframe, < 0 for the previous one
 * @frame: (out) (optional): where it is
 *
 * Returns: %TRUE if there is a keyframe that way
 */
gboolean
tinta_timeline_next_keyframe (TintaTimeline *self,
                              int            direction,
                              gint64        *frame)
{
  const gint64 *keyframes;
  guint index;

  g_return_val_if_fail (TINTA_IS_TIMELINE (self), FALSE);
  g_return_val_if_fail (direction != 0, FALSE);

  keyframes = (const gint64 *) self->keyframes->data;

  if (direction > 0)
    {
      index = lower_bound (self->keyframes, self->position + 1);
      if (index == self->keyframes->len)
        return FALSE;
    }
  else
    {
      index = lower_bound (self->keyframes, self->position);
      if (index == 0)
        return FALSE;
      index--;
    }

  if (frame != NULL)
    *frame = keyframes[index];

  return TRUE;
}

void
tinta_timeline_set_cuts (TintaTimeline *self,
                         const gint64  *frames,
                         guint          n)
{
  g_return_if_fail (TINTA_IS_TIMELINE (self));
  g_return_if_fail (frames != NULL || n == 0);

  set_frame_list (self, self->cuts, frames, n);
}

void
tinta_timeline_set_cache_state (TintaTimeline      *self,
                                gint64              frame,
                                TintaTimelineCache  state)
{
  g_return_if_fail (TINTA_IS_TIMELINE (self));
  g_return_if_fail (state <= TINTA_TIMELINE_CACHE_FUSED);

  if (frame < 0 || frame >= self->n_frames || self->cache[frame] == state)
    return;

  self->cache_counts[self->cache[frame]]--;
  self->cache_counts[state]++;
  self->cache[frame] = state;
  mark_dirty (self, frame, frame);
}

void
tinta_timeline_clear_cache (TintaTimeline *self,
                            gint64         first,
                            gint64         last)
{
  g_return_if_fail (TINTA_IS_TIMELINE (self));

  first = MAX (first, 0);
  last = MIN (last, self->n_frames - 1);
  if (first > last)
    return;

  for (gint64 frame = first; frame <= last; frame++)
    {
      self->cache_counts[self->cache[frame]]--;
      self->cache[frame] = TINTA_TIMELINE_CACHE_NONE;
    }
  self->cache_counts[TINTA_TIMELINE_CACHE_NONE] += (guint) (last - first + 1);

  mark_dirty (self, first, last);
}

guint
tinta_timeline_count_cached (TintaTimeline      *self,
                             TintaTimelineCache  state)
{
  g_return_val_if_fail (TINTA_IS_TIMELINE (self), 0);
  g_return_val_if_fail (state <= TINTA_TIMELINE_CACHE_FUSED, 0);

  return self->cache_counts[state];
}

void
tinta_timeline_set_thumbnail (TintaTimeline *self,
                              gint64         frame,
                              GdkTexture    *texture)
{
  guint index;
  gboolean present;

  g_return_if_fail (TINTA_IS_TIMELINE (self));
  g_return_if_fail (texture == NULL || GDK_IS_TEXTURE (texture));

  if (frame < 0 || frame >= self->n_frames)
    return;

  index = lower_bound (self->thumbnails, frame);
  present = index < self->thumbnails->len &&
            g_array_index (self->thumbnails, Thumbnail, index).frame == frame;

  if (texture == NULL)
    {
      if (present)
        g_array_remove_index (self->thumbnails, index);
    }
  else if (present)
    {
      g_set_object (&g_array_index (self->thumbnails, Thumbnail, index).texture, texture);
    }
  else
    {
      Thumbnail thumbnail = { frame, g_object_ref (texture) };

      g_array_insert_val (self->thumbnails, index, thumbnail);
    }

  gtk_widget_queue_draw (GTK_WIDGET (self));
}
