/* test-timeline.c: TintaTimeline in a real window (run under Xvfb).
 *
 * Without drawing: timecodes, the position (clamped, notified), keyframe
 * navigation, cache counts, and every key binding, activated through the
 * widget's own shortcut controller so a wrong key or argument fails here.
 * Then drawn: an 800×100 window in the dark style with a 300-frame clip,
 * frames 0..99 fused and 100..149 local, a keyframe at 50, a cut at 200
 * and the playhead at 120, rendered the way GTK renders it and checked
 * column by column: the cache bar bright, then dim, then dark where it
 * should be; the playhead, the diamond and the cut where the frames say.
 * Thumbnails: each slot shows the nearest one.  A 200,000-frame clip: one
 * missing frame still shows in its column.  The renders are kept in
 * TINTA_TEST_OUTPUT_DIR to look at. */

#include "config.h"


#include <gtk/gtk.h>

#include "tinta-timeline.h"
#include "tinta-ui.h"

#include "../engine/tinta-test.h"
#include "uitest.h"

#define WAIT_TIMEOUT_MS 20000

/* The rows tinta-timeline.c lays out, from the top of its content box. */
#define TRACK_INSET 8
#define STRIP_Y     6
#define CACHE_Y     56
#define RULER_Y     60
#define LABEL_Y     72

static double
brightness (UitestColor c)
{
  return MAX (c.r, MAX (c.g, c.b));
}

static double
color_distance (UitestColor a,
                UitestColor b)
{
  return MAX (fabs (a.r - b.r), MAX (fabs (a.g - b.g), fabs (a.b - b.b)));
}

static void
print_color (const char  *what,
             UitestColor c)
{
  printf ("  %-28s R %3.0f  G %3.0f  B %3.0f\n", what, c.r, c.g, c.b);
}

/* Where the middle of a frame is drawn, for a timeline `width` wide. */
static double
frame_x (gint64 frame,
         gint64 n_frames,
         int    width)
{
  return TRACK_INSET + (frame + 0.5) * (width - 2 * TRACK_INSET) / n_frames;
}

static gboolean
wait_for_width (GtkWidget *widget,
                int        width)
{
  gboolean ok;

  UITEST_SPIN_UNTIL (ok, gtk_widget_get_mapped (widget) && gtk_widget_get_width (widget) == width,
                     WAIT_TIMEOUT_MS);
  uitest_drain ();

  return ok;
}

static void
after_paint_cb (GdkFrameClock *clock,
                guint         *counter)
{
  (*counter)++;
}

/* A widget paintable shows what the widget drew in its window's last
 * frame, so every change needs a frame before the render. */
static gboolean
wait_for_frame (GtkWidget *widget)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);
  guint painted = 0;
  gboolean ok;
  gulong handler;

  if (clock == NULL)
    return FALSE;

  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &painted);
  gtk_widget_queue_draw (widget);
  UITEST_SPIN_UNTIL (ok, painted > 0, WAIT_TIMEOUT_MS);
  g_signal_handler_disconnect (clock, handler);

  return ok;
}

/* Renders the widget (its CSS border and background included) after the
 * next frame (uitest_snapshot()), as uitest_output_dir()/@name. */
static gboolean
render_widget (GtkWidget    *widget,
               const char   *name,
               UitestPixels *pixels)
{
  uitest_pixels_clear (pixels);

  if (!wait_for_frame (widget))
    {
      fprintf (stderr, "the window never drew a frame\n");
      return FALSE;
    }
  return uitest_snapshot (widget, name, pixels);
}

/* A black-and-white "shot" 160×90 for frame `frame`: a sky gradient, a
 * horizon, and a disc that moves across, in gray like the footage Tinta
 * colorizes.  With `tint` the whole image is that color instead. */
static GdkTexture *
make_thumbnail (gint64        frame,
                const GdkRGBA *tint)
{
  const int width = 160, height = 90;
  g_autoptr(GBytes) bytes = NULL;
  guchar *data = g_malloc ((gsize) width * height * 3);
  double disc_x = 20 + (frame * 7) % 120;
  double exposure = 0.75 + 0.25 * sin (frame * 0.05);

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guchar *p = data + ((gsize) y * width + x) * 3;
        double level;

        if (tint != NULL)
          {
            p[0] = (guchar) (tint->red * 255);
            p[1] = (guchar) (tint->green * 255);
            p[2] = (guchar) (tint->blue * 255);
            continue;
          }

        if (y < 55)
          level = 200 - y * 1.6;
        else
          level = 70 + 25 * sin (x * 0.2 + frame) * (y - 55) / 35.0;
        if ((x - disc_x) * (x - disc_x) + (y - 35) * (y - 35) < 12 * 12)
          level = 240;
        level = CLAMP (level * exposure, 0, 255);
        p[0] = p[1] = p[2] = (guchar) level;
      }

  bytes = g_bytes_new_take (data, (gsize) width * height * 3);
  return gdk_memory_texture_new (width, height, GDK_MEMORY_R8G8B8, bytes, (gsize) width * 3);
}

static void
test_timecode (void)
{
  static const struct {
    gint64 frame;
    int num, den;
    const char *expected;
  } cases[] = {
    { 90, 30000, 1001, "00:00:03:00" },   /* non-drop: 30 labels a second */
    { 90, 25, 1, "00:00:03:15" },
    { 0, 25, 1, "00:00:00:00" },
    { 24, 24000, 1001, "00:00:01:00" },
    { 90000, 25, 1, "01:00:00:00" },
    { 107892, 30000, 1001, "00:59:56:12" },   /* an hour of 29.97 is not 01:00:00:00 */
    { 1799, 30, 1, "00:00:59:29" },
    { 3600 * 100 * 25, 25, 1, "100:00:00:00" },
    { -1, 25, 1, "-00:00:00:01" },
    { 90, 0, 1, "--:--:--:--" },
    { 90, 25, 0, "--:--:--:--" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *timecode = tinta_timeline_format_timecode (cases[i].frame, cases[i].num,
                                                                  cases[i].den);

      CHECK_MSG (g_strcmp0 (timecode, cases[i].expected) == 0,
                 "frame %lld at %d/%d: \"%s\", expected \"%s\"", (long long) cases[i].frame,
                 cases[i].num, cases[i].den, timecode, cases[i].expected);
    }
}

static void
count_cb (GObject    *object,
          GParamSpec *pspec,
          guint      *counter)
{
  (*counter)++;
}

static void
test_position (void)
{
  g_autoptr(TintaTimeline) timeline = g_object_ref_sink (TINTA_TIMELINE (tinta_timeline_new ()));
  guint position_notifies = 0;
  guint n_frames_notifies = 0;
  gint64 value = -1;

  g_signal_connect (timeline, "notify::position", G_CALLBACK (count_cb), &position_notifies);
  g_signal_connect (timeline, "notify::n-frames", G_CALLBACK (count_cb), &n_frames_notifies);

  /* No clip: nothing to move to. */
  CHECK_INT (tinta_timeline_get_n_frames (timeline), 0);
  tinta_timeline_set_position (timeline, 5);
  CHECK_INT (tinta_timeline_get_position (timeline), 0);
  CHECK_INT (position_notifies, 0);

  tinta_timeline_set_clip (timeline, 300, 25, 1);
  CHECK_INT (tinta_timeline_get_n_frames (timeline), 300);
  CHECK_INT (n_frames_notifies, 1);
  g_object_get (timeline, "n-frames", &value, NULL);
  CHECK_INT (value, 300);

  tinta_timeline_set_position (timeline, 120);
  CHECK_INT (tinta_timeline_get_position (timeline), 120);
  CHECK_INT (position_notifies, 1);
  tinta_timeline_set_position (timeline, 120);
  CHECK_INT (position_notifies, 1);

  tinta_timeline_set_position (timeline, 1000);
  CHECK_INT (tinta_timeline_get_position (timeline), 299);
  tinta_timeline_set_position (timeline, -5);
  CHECK_INT (tinta_timeline_get_position (timeline), 0);
  CHECK_INT (position_notifies, 3);

  g_object_set (timeline, "position", (gint64) 42, NULL);
  g_object_get (timeline, "position", &value, NULL);
  CHECK_INT (value, 42);
  CHECK_INT (position_notifies, 4);

  /* A new clip starts at 0, and says so. */
  tinta_timeline_set_clip (timeline, 100, 24, 1);
  CHECK_INT (tinta_timeline_get_position (timeline), 0);
  CHECK_INT (position_notifies, 5);
  CHECK_INT (n_frames_notifies, 2);
  tinta_timeline_set_clip (timeline, 100, 30, 1);
  CHECK_INT (n_frames_notifies, 2);

  tinta_timeline_set_clip (timeline, 0, 25, 1);
  CHECK_INT (tinta_timeline_get_n_frames (timeline), 0);
  tinta_timeline_set_clip (timeline, -3, 25, 1);
  CHECK_INT (tinta_timeline_get_n_frames (timeline), 0);
}

static void
test_keyframes (void)
{
  g_autoptr(TintaTimeline) timeline = g_object_ref_sink (TINTA_TIMELINE (tinta_timeline_new ()));
  /* Unsorted, a duplicate, and two outside the clip. */
  const gint64 keys[] = { 200, 50, 50, 120, 400, -1 };
  gint64 frame = -1;

  tinta_timeline_set_clip (timeline, 300, 25, 1);
  tinta_timeline_set_keyframes (timeline, keys, G_N_ELEMENTS (keys));

  CHECK (tinta_timeline_next_keyframe (timeline, 1, &frame));
  CHECK_INT (frame, 50);
  CHECK (!tinta_timeline_next_keyframe (timeline, -1, &frame));

  tinta_timeline_set_position (timeline, 50);
  CHECK (tinta_timeline_next_keyframe (timeline, 1, &frame));
  CHECK_INT (frame, 120);
  CHECK (!tinta_timeline_next_keyframe (timeline, -1, NULL));

  tinta_timeline_set_position (timeline, 100);
  CHECK (tinta_timeline_next_keyframe (timeline, -1, &frame));
  CHECK_INT (frame, 50);

  tinta_timeline_set_position (timeline, 299);
  CHECK (tinta_timeline_next_keyframe (timeline, -5, &frame));
  CHECK_INT (frame, 200);
  CHECK (!tinta_timeline_next_keyframe (timeline, 1, NULL));

  tinta_timeline_set_position (timeline, 200);
  CHECK (!tinta_timeline_next_keyframe (timeline, 1, NULL));
  CHECK (tinta_timeline_next_keyframe (timeline, -1, &frame));
  CHECK_INT (frame, 120);

  tinta_timeline_set_keyframes (timeline, NULL, 0);
  CHECK (!tinta_timeline_next_keyframe (timeline, -1, NULL));

  /* A new clip has none. */
  tinta_timeline_set_keyframes (timeline, keys, G_N_ELEMENTS (keys));
  tinta_timeline_set_clip (timeline, 300, 25, 1);
  CHECK (!tinta_timeline_next_keyframe (timeline, 1, NULL));
}

static void
set_cache_range (TintaTimeline      *timeline,
                 gint64              first,
                 gint64              last,
                 TintaTimelineCache  state)
{
  for (gint64 frame = first; frame <= last; frame++)
    tinta_timeline_set_cache_state (timeline, frame, state);
}

static void
check_counts (TintaTimeline *timeline,
              guint          none,
              guint          local,
              guint          fused)
{
  CHECK_INT (tinta_timeline_count_cached (timeline, TINTA_TIMELINE_CACHE_NONE), none);
  CHECK_INT (tinta_timeline_count_cached (timeline, TINTA_TIMELINE_CACHE_LOCAL), local);
  CHECK_INT (tinta_timeline_count_cached (timeline, TINTA_TIMELINE_CACHE_FUSED), fused);
}

static void
test_cache (void)
{
  g_autoptr(TintaTimeline) timeline = g_object_ref_sink (TINTA_TIMELINE (tinta_timeline_new ()));

  tinta_timeline_set_clip (timeline, 300, 25, 1);
  check_counts (timeline, 300, 0, 0);

  set_cache_range (timeline, 0, 99, TINTA_TIMELINE_CACHE_FUSED);
  set_cache_range (timeline, 100, 149, TINTA_TIMELINE_CACHE_LOCAL);
  check_counts (timeline, 150, 50, 100);

  /* The same state again, and frames outside the clip, change nothing. */
  set_cache_range (timeline, 100, 149, TINTA_TIMELINE_CACHE_LOCAL);
  tinta_timeline_set_cache_state (timeline, -1, TINTA_TIMELINE_CACHE_FUSED);
  tinta_timeline_set_cache_state (timeline, 300, TINTA_TIMELINE_CACHE_FUSED);
  check_counts (timeline, 150, 50, 100);

  /* Local then fused: a frame is counted once, in its latest state. */
  tinta_timeline_set_cache_state (timeline, 149, TINTA_TIMELINE_CACHE_FUSED);
  check_counts (timeline, 150, 49, 101);

  tinta_timeline_clear_cache (timeline, 90, 109);
  check_counts (timeline, 170, 39, 91);

  tinta_timeline_clear_cache (timeline, 20, 10);
  check_counts (timeline, 170, 39, 91);

  tinta_timeline_clear_cache (timeline, -10, 1000);
  check_counts (timeline, 300, 0, 0);

  set_cache_range (timeline, 0, 9, TINTA_TIMELINE_CACHE_FUSED);
  tinta_timeline_set_clip (timeline, 50, 25, 1);
  check_counts (timeline, 50, 0, 0);
}

typedef struct {
  GArray    *scrubs;      /* gint64 per ::scrub */
  GPtrArray *controls;    /* char * per ::play-control */
} Events;

static void
scrub_cb (TintaTimeline *timeline,
          gint64         frame,
          Events        *events)
{
  /* "position already set" */
  CHECK_INT (tinta_timeline_get_position (timeline), frame);
  g_array_append_val (events->scrubs, frame);
}

static void
play_control_cb (TintaTimeline *timeline,
                 const char    *command,
                 Events        *events)
{
  g_ptr_array_add (events->controls, g_strdup (command));
}

/* The shortcut GTK would run for this key on the focused timeline, from
 * the widget's own controllers (its class bindings live there). */
static GtkShortcut *
find_shortcut (GtkWidget       *widget,
               guint            keyval,
               GdkModifierType  modifiers)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;

      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          GtkShortcutTrigger *trigger = gtk_shortcut_get_trigger (shortcut);

          if (GTK_IS_KEYVAL_TRIGGER (trigger) &&
              gtk_keyval_trigger_get_keyval (GTK_KEYVAL_TRIGGER (trigger)) == keyval &&
              gtk_keyval_trigger_get_modifiers (GTK_KEYVAL_TRIGGER (trigger)) == modifiers)
            return shortcut;
        }
    }

  return NULL;
}

static gboolean
press_key (GtkWidget       *widget,
           guint            keyval,
           GdkModifierType  modifiers)
{
  GtkShortcut *shortcut = find_shortcut (widget, keyval, modifiers);

  CHECK_MSG (shortcut != NULL, "no binding for %s with modifiers %x",
             gdk_keyval_name (keyval), (unsigned) modifiers);
  if (shortcut == NULL)
    return FALSE;

  return gtk_shortcut_action_activate (gtk_shortcut_get_action (shortcut), GTK_SHORTCUT_ACTION_EXCLUSIVE,
                                       widget, gtk_shortcut_get_arguments (shortcut));
}

static void
test_keys (void)
{
  g_autoptr(TintaTimeline) timeline = g_object_ref_sink (TINTA_TIMELINE (tinta_timeline_new ()));
  GtkWidget *widget = GTK_WIDGET (timeline);
  Events events = {
    g_array_new (FALSE, FALSE, sizeof (gint64)),
    g_ptr_array_new_with_free_func (g_free),
  };
  const gint64 keys[] = { 50, 120 };
  static const struct {
    guint keyval;
    const char *command;
  } play_keys[] = {
    { GDK_KEY_space, "toggle" },
    { GDK_KEY_j, "reverse" },
    { GDK_KEY_k, "pause" },
    { GDK_KEY_l, "forward" },
  };

  g_signal_connect (timeline, "scrub", G_CALLBACK (scrub_cb), &events);
  g_signal_connect (timeline, "play-control", G_CALLBACK (play_control_cb), &events);

  CHECK (gtk_widget_get_focusable (widget));
  CHECK_INT (gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (timeline)), GTK_ACCESSIBLE_ROLE_SLIDER);

  /* Without a clip the keys do nothing. */
  gtk_widget_activate_action (widget, "timeline.step", "i", 1);
  CHECK_INT (tinta_timeline_get_position (timeline), 0);
  CHECK_INT (events.scrubs->len, 0);

  tinta_timeline_set_clip (timeline, 300, 25, 1);
  tinta_timeline_set_keyframes (timeline, keys, G_N_ELEMENTS (keys));

  /* The actions, as a menu or the window would use them. */
  CHECK (gtk_widget_activate_action (widget, "timeline.step", "i", 1));
  CHECK_INT (tinta_timeline_get_position (timeline), 1);
  CHECK (gtk_widget_activate_action (widget, "timeline.seek-end", NULL));
  CHECK_INT (tinta_timeline_get_position (timeline), 299);
  CHECK (gtk_widget_activate_action (widget, "timeline.seek-keyframe", "i", -1));
  CHECK_INT (tinta_timeline_get_position (timeline), 120);
  CHECK (gtk_widget_activate_action (widget, "timeline.seek-start", NULL));
  CHECK_INT (tinta_timeline_get_position (timeline), 0);
  CHECK_INT (events.scrubs->len, 4);

  /* The keys, through the bindings GTK runs for them. */
  press_key (widget, GDK_KEY_Right, 0);
  press_key (widget, GDK_KEY_Right, 0);
  CHECK_INT (tinta_timeline_get_position (timeline), 2);
  press_key (widget, GDK_KEY_Left, 0);
  CHECK_INT (tinta_timeline_get_position (timeline), 1);
  press_key (widget, GDK_KEY_Right, GDK_SHIFT_MASK);
  CHECK_INT (tinta_timeline_get_position (timeline), 50);
  press_key (widget, GDK_KEY_Right, GDK_SHIFT_MASK);
  CHECK_INT (tinta_timeline_get_position (timeline), 120);
  press_key (widget, GDK_KEY_Right, GDK_SHIFT_MASK);        /* no keyframe after 120 */
  CHECK_INT (tinta_timeline_get_position (timeline), 120);
  press_key (widget, GDK_KEY_Left, GDK_SHIFT_MASK);
  CHECK_INT (tinta_timeline_get_position (timeline), 50);
  press_key (widget, GDK_KEY_End, 0);
  CHECK_INT (tinta_timeline_get_position (timeline), 299);
  press_key (widget, GDK_KEY_Right, 0);                     /* already at the end */
  CHECK_INT (tinta_timeline_get_position (timeline), 299);
  press_key (widget, GDK_KEY_Home, 0);
  CHECK_INT (tinta_timeline_get_position (timeline), 0);
  press_key (widget, GDK_KEY_Left, 0);                      /* already at the start */
  CHECK_INT (tinta_timeline_get_position (timeline), 0);

  /* Moves that went somewhere were reported, the others not. */
  CHECK_INT (events.scrubs->len, 4 + 8);
  if (events.scrubs->len == 12)
    {
      CHECK_INT (g_array_index (events.scrubs, gint64, 4), 1);
      CHECK_INT (g_array_index (events.scrubs, gint64, 9), 50);
      CHECK_INT (g_array_index (events.scrubs, gint64, 11), 0);
    }

  /* Play keys are passed on, not acted on. */
  for (guint i = 0; i < G_N_ELEMENTS (play_keys); i++)
    press_key (widget, play_keys[i].keyval, 0);
  CHECK_INT (events.controls->len, G_N_ELEMENTS (play_keys));
  for (guint i = 0; i < MIN (events.controls->len, G_N_ELEMENTS (play_keys)); i++)
    CHECK_MSG (g_strcmp0 (events.controls->pdata[i], play_keys[i].command) == 0,
               "%s sent \"%s\", expected \"%s\"", gdk_keyval_name (play_keys[i].keyval),
               (const char *) events.controls->pdata[i], play_keys[i].command);
  CHECK_INT (tinta_timeline_get_position (timeline), 0);

  g_array_unref (events.scrubs);
  g_ptr_array_unref (events.controls);
}

/* A press where the gesture would report one: the frame under x becomes
 * the position and ::scrub says so, even when it does not change. */
static void
check_press (TintaTimeline *timeline,
             double         x,
             gint64         expected)
{
  GtkEventController *drag = uitest_find_controller (GTK_WIDGET (timeline), GTK_TYPE_GESTURE_DRAG, NULL);
  Events events = { g_array_new (FALSE, FALSE, sizeof (gint64)), NULL };
  gulong handler = g_signal_connect (timeline, "scrub", G_CALLBACK (scrub_cb), &events);

  CHECK (drag != NULL);
  if (drag != NULL)
    {
      g_signal_emit_by_name (drag, "drag-begin", x, 40.0);
      g_signal_emit_by_name (drag, "drag-end", 0.0, 0.0);
    }

  CHECK_INT (tinta_timeline_get_position (timeline), expected);
  CHECK_INT (events.scrubs->len, 1);

  g_signal_handler_disconnect (timeline, handler);
  g_array_unref (events.scrubs);
}

/* Keyboard focus and the pointer over frame 240: the focus ring, and a
 * faint line where a click would land. */
static void
test_focus_and_hover (GtkWidget     *window,
                      TintaTimeline *timeline)
{
  const char *png = "timeline-focus.png";
  g_auto(UitestPixels) pixels = { 0 };
  GtkEventController *motion = uitest_find_controller (GTK_WIDGET (timeline),
                                                       GTK_TYPE_EVENT_CONTROLLER_MOTION, NULL);
  int width = gtk_widget_get_width (GTK_WIDGET (timeline));
  double hover_x = floor (frame_x (240, 300, width) + 0.5);
  UitestColor line, beside;

  CHECK (motion != NULL);
  if (motion == NULL)
    return;

  gtk_window_set_focus_visible (GTK_WINDOW (window), TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (timeline));
  CHECK (gtk_widget_has_focus (GTK_WIDGET (timeline)));
  g_signal_emit_by_name (motion, "enter", frame_x (240, 300, width), 30.0);

  CHECK (render_widget (GTK_WIDGET (timeline), png, &pixels));
  if (pixels.data != NULL)
    {
      line = uitest_pixel (&pixels, hover_x, RULER_Y + 10);
      beside = uitest_pixel (&pixels, hover_x + 4, RULER_Y + 10);
      print_color ("hover line", line);
      CHECK_MSG (brightness (line) > brightness (beside) + 20, "the hover line should show");
    }

  g_signal_emit_by_name (motion, "leave");
  gtk_window_set_focus_visible (GTK_WINDOW (window), FALSE);
}

typedef struct {
  double x_min, x_max;
  int    expected;     /* 0 none, 1 local, 2 fused */
} Span;

/* Every pixel column of the cache bar, classified by comparing it with
 * the three reference colors; columns next to a boundary, the playhead or
 * the cut are skipped. */
static void
check_cache_bar (const UitestPixels *pixels,
                 int                 width,
                 const Span         *spans,
                 guint               n_spans,
                 const double       *skip,
                 guint               n_skip)
{
  double y = CACHE_Y + 2;
  UitestColor reference[3];
  guint wrong = 0, checked = 0;

  reference[0] = uitest_pixel (pixels, spans[n_spans - 1].x_max - 3, y);
  reference[1] = uitest_pixel (pixels, (spans[1].x_min + spans[1].x_max) / 2 + 10, y);
  reference[2] = uitest_pixel (pixels, spans[0].x_min + 5, y);
  print_color ("cache bar, fused", reference[2]);
  print_color ("cache bar, local", reference[1]);
  print_color ("cache bar, none", reference[0]);

  /* Bright accent, dim accent, dark. */
  CHECK_MSG (reference[2].b > reference[1].b + 40 && reference[1].b > reference[0].b + 40,
             "fused, local and none should be bright, dimmer, dark");
  CHECK_MSG (brightness (reference[0]) < 45, "uncomputed frames should be dark");
  CHECK_MSG (reference[2].b > reference[2].r + 60, "fused should be the accent (blue)");

  for (guint s = 0; s < n_spans; s++)
    for (double x = ceil (spans[s].x_min) + 2; x < spans[s].x_max - 2; x++)
      {
        gboolean skipped = FALSE;
        UitestColor c = uitest_pixel (pixels, x, y);
        int nearest = 0;

        for (guint i = 0; i < n_skip; i++)
          skipped |= fabs (x - skip[i]) < 4;
        if (skipped)
          continue;

        for (int k = 1; k < 3; k++)
          if (color_distance (c, reference[k]) < color_distance (c, reference[nearest]))
            nearest = k;

        checked++;
        if (nearest != spans[s].expected || color_distance (c, reference[nearest]) > 6)
          {
            if (wrong++ < 5)
              fprintf (stderr, "  cache bar at x %.0f: %.0f %.0f %.0f, expected state %d\n",
                       x, c.r, c.g, c.b, spans[s].expected);
          }
      }

  printf ("  cache bar: %u columns checked, %u wrong\n", checked, wrong);
  CHECK_INT (wrong, 0);
  CHECK (checked > (guint) width / 2);
}

/* The scene the brief describes; returns the fused color of the cache bar
 * in *fused (when check) so the unstyled colors can be compared. */
static void
test_render (TintaTimeline *timeline,
             const char    *name,
             gboolean       check,
             UitestColor   *fused)
{
  g_autofree char *png = g_strconcat (name, ".png", NULL);
  g_auto(UitestPixels) pixels = { 0 };
  const gint64 keys[] = { 50 };
  const gint64 cuts[] = { 200 };
  int width = gtk_widget_get_width (GTK_WIDGET (timeline));
  double track = width - 2 * TRACK_INSET;
  double playhead_x, keyframe_x, cut_x;
  UitestColor c, left, right;

  tinta_timeline_set_clip (timeline, 300, 25, 1);
  set_cache_range (timeline, 0, 99, TINTA_TIMELINE_CACHE_FUSED);
  set_cache_range (timeline, 100, 149, TINTA_TIMELINE_CACHE_LOCAL);
  tinta_timeline_set_keyframes (timeline, keys, 1);
  tinta_timeline_set_cuts (timeline, cuts, 1);
  for (gint64 frame = 0; frame < 300; frame += 12)
    {
      g_autoptr(GdkTexture) texture = make_thumbnail (frame, NULL);

      tinta_timeline_set_thumbnail (timeline, frame, texture);
    }
  tinta_timeline_set_position (timeline, 120);

  CHECK (render_widget (GTK_WIDGET (timeline), png, &pixels));
  printf ("  %s: %s (%dx%d, origin %.0f,%.0f)\n", name, png, pixels.width, pixels.height,
          pixels.origin_x, pixels.origin_y);
  if (pixels.data == NULL)
    return;
  *fused = uitest_pixel (&pixels, TRACK_INSET + 5, CACHE_Y + 2);
  if (!check)
    return;

  CHECK_INT (width, 800);
  CHECK_MSG (pixels.height >= 90 && pixels.height <= 110, "height %d", pixels.height);

  playhead_x = floor (frame_x (120, 300, width) + 0.5);
  keyframe_x = floor (frame_x (50, 300, width) + 0.5);
  cut_x = floor (TRACK_INSET + 200.0 * track / 300 + 0.5);

  {
    const Span spans[] = {
      { TRACK_INSET, TRACK_INSET + track * 100 / 300, 2 },
      { TRACK_INSET + track * 100 / 300, TRACK_INSET + track * 150 / 300, 1 },
      { TRACK_INSET + track * 150 / 300, TRACK_INSET + track, 0 },
    };
    const double skip[] = { playhead_x, cut_x };

    check_cache_bar (&pixels, width, spans, G_N_ELEMENTS (spans), skip, G_N_ELEMENTS (skip));
  }

  /* The playhead: a light line over the dark ruler, at the frame's middle. */
  c = uitest_pixel (&pixels, playhead_x, RULER_Y + 10);
  left = uitest_pixel (&pixels, playhead_x - 4, RULER_Y + 10);
  right = uitest_pixel (&pixels, playhead_x + 4, RULER_Y + 10);
  print_color ("playhead", c);
  print_color ("beside the playhead", left);
  CHECK_MSG (brightness (c) > brightness (left) + 100 && brightness (c) > brightness (right) + 100,
             "the playhead column should stand out from its neighbours");
  /* It crosses the thumbnails too. */
  c = uitest_pixel (&pixels, playhead_x, STRIP_Y + 24);
  left = uitest_pixel (&pixels, playhead_x - 1, STRIP_Y + 24);
  CHECK_MSG (color_distance (c, left) > 40, "the playhead should cross the strip");

  /* The keyframe: an accent diamond in the ruler at frame 50. */
  c = uitest_pixel (&pixels, keyframe_x, RULER_Y + 6);
  print_color ("keyframe diamond", c);
  CHECK_MSG (c.b > c.r + 60 && c.b > 120, "the keyframe should be an accent diamond");
  c = uitest_pixel (&pixels, keyframe_x + 12, RULER_Y + 6);
  CHECK_MSG (brightness (c) < 70, "the diamond should be small");

  /* The cut: a red line where frame 200 starts, through the ruler. */
  c = uitest_pixel (&pixels, cut_x, RULER_Y + 10);
  print_color ("cut line", c);
  CHECK_MSG (c.r > 150 && c.r > c.g + 80 && c.r > c.b + 80, "the cut should be a red line");
  c = uitest_pixel (&pixels, cut_x + 4, RULER_Y + 10);
  CHECK_MSG (c.r < 100, "the cut line should be thin");

  /* The label row has text in it, and the rest of it is background. */
  {
    double brightest = 0;

    for (double x = TRACK_INSET; x < 200; x++)
      for (double y = LABEL_Y + 2; y < LABEL_Y + 16; y++)
        brightest = MAX (brightest, brightness (uitest_pixel (&pixels, x, y)));
    CHECK_MSG (brightest > 180, "the frame number and timecode should be drawn (brightest %.0f)",
               brightest);
  }
}

static void
test_nearest_thumbnails (TintaTimeline *timeline)
{
  const char *png = "timeline-thumbnails.png";
  g_auto(UitestPixels) pixels = { 0 };
  const GdkRGBA red = { 1, 0, 0, 1 };
  const GdkRGBA blue = { 0, 0, 1, 1 };
  g_autoptr(GdkTexture) red_texture = make_thumbnail (0, &red);
  g_autoptr(GdkTexture) blue_texture = make_thumbnail (0, &blue);
  int width = gtk_widget_get_width (GTK_WIDGET (timeline));
  double y = STRIP_Y + 24;
  UitestColor first_quarter, last_quarter;

  tinta_timeline_set_clip (timeline, 300, 25, 1);
  tinta_timeline_set_thumbnail (timeline, 0, red_texture);
  tinta_timeline_set_thumbnail (timeline, 299, blue_texture);
  tinta_timeline_set_thumbnail (timeline, 150, blue_texture);
  tinta_timeline_set_thumbnail (timeline, 150, NULL);
  tinta_timeline_set_position (timeline, 150);

  CHECK (render_widget (GTK_WIDGET (timeline), png, &pixels));
  if (pixels.data == NULL)
    return;

  first_quarter = uitest_pixel (&pixels, frame_x (60, 300, width), y);
  last_quarter = uitest_pixel (&pixels, frame_x (240, 300, width), y);
  print_color ("strip, first quarter", first_quarter);
  print_color ("strip, last quarter", last_quarter);
  CHECK_MSG (first_quarter.r > 200 && first_quarter.b < 60, "the first slots should show frame 0");
  CHECK_MSG (last_quarter.b > 200 && last_quarter.r < 60, "the last slots should show frame 299");

  /* Without thumbnails: placeholders, not the old pictures. */
  tinta_timeline_set_clip (timeline, 300, 25, 1);
  CHECK (render_widget (GTK_WIDGET (timeline), png, &pixels));
  if (pixels.data != NULL)
    {
      UitestColor placeholder = uitest_pixel (&pixels, frame_x (60, 300, width), y);

      print_color ("placeholder slot", placeholder);
      CHECK_MSG (brightness (placeholder) < 90 && fabs (placeholder.r - placeholder.b) < 8,
                 "an empty slot should be a dark gray placeholder");
    }
}

/* 200,000 frames, all fused but one: the column over that frame shows it,
 * and neither reporting every frame nor drawing takes long. */
static void
test_long_clip (TintaTimeline *timeline)
{
  const char *png = "timeline-long.png";
  g_auto(UitestPixels) pixels = { 0 };
  const gint64 n_frames = 200000;
  const gint64 missing = 100000;
  int width = gtk_widget_get_width (GTK_WIDGET (timeline));
  double x = TRACK_INSET + (double) missing * (width - 2 * TRACK_INSET) / n_frames;
  gint64 start;
  double report_ms, render_ms;
  UitestColor hole, before, after;

  tinta_timeline_set_clip (timeline, n_frames, 24000, 1001);
  start = g_get_monotonic_time ();
  set_cache_range (timeline, 0, n_frames - 1, TINTA_TIMELINE_CACHE_FUSED);
  tinta_timeline_set_cache_state (timeline, missing, TINTA_TIMELINE_CACHE_NONE);
  report_ms = (g_get_monotonic_time () - start) / 1000.0;
  CHECK_INT (tinta_timeline_count_cached (timeline, TINTA_TIMELINE_CACHE_FUSED), n_frames - 1);

  start = g_get_monotonic_time ();
  CHECK (render_widget (GTK_WIDGET (timeline), png, &pixels));
  render_ms = (g_get_monotonic_time () - start) / 1000.0;
  printf ("  200k frames: reporting every frame %.1f ms, first frame and render %.1f ms\n",
          report_ms, render_ms);
  if (pixels.data == NULL)
    return;

  hole = uitest_pixel (&pixels, x, CACHE_Y + 2);
  before = uitest_pixel (&pixels, x - 3, CACHE_Y + 2);
  after = uitest_pixel (&pixels, x + 3, CACHE_Y + 2);
  print_color ("column with a missing frame", hole);
  print_color ("column before it", before);
  CHECK_MSG (before.b > 180 && after.b > 180, "the fused columns should be bright");
  CHECK_MSG (hole.b < before.b - 40, "one missing frame should dim its column");

  /* A report after drawing updates just that column. */
  tinta_timeline_set_cache_state (timeline, missing, TINTA_TIMELINE_CACHE_FUSED);
  start = g_get_monotonic_time ();
  CHECK (render_widget (GTK_WIDGET (timeline), png, &pixels));
  printf ("  200k frames: render after one report %.1f ms\n",
          (g_get_monotonic_time () - start) / 1000.0);
  if (pixels.data != NULL)
    {
      hole = uitest_pixel (&pixels, x, CACHE_Y + 2);
      CHECK_MSG (color_distance (hole, before) < 6, "the column should be fused again");
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GtkCssProvider) css = NULL;
  UitestColor unstyled_fused = { 0 }, styled_fused = { 0 };
  GtkWidget *window;
  TintaTimeline *timeline;

  test_timecode ();

  uitest_init_display ();

  test_position ();
  test_keyframes ();
  test_cache ();
  test_keys ();

  /* The editor is dark. */
  g_object_set (gtk_settings_get_default (), "gtk-application-prefer-dark-theme", TRUE, NULL);

  window = gtk_window_new ();
  gtk_window_set_decorated (GTK_WINDOW (window), FALSE);
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 100);
  timeline = TINTA_TIMELINE (tinta_timeline_new ());
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (timeline));
  gtk_window_present (GTK_WINDOW (window));
  CHECK_MSG (wait_for_width (GTK_WIDGET (timeline), 800), "the timeline never got 800 px wide");

  /* Without the application's style sheet the built-in colors apply. */
  test_render (timeline, "timeline-unstyled", FALSE, &unstyled_fused);

  tinta_ui_ensure_resources ();
  css = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (css, TINTA_RESOURCE_PATH "/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

  test_render (timeline, "timeline-dark", TRUE, &styled_fused);
  /* The built-in colors are the style sheet's, in the dark theme. */
  print_color ("fused, built-in color", unstyled_fused);
  CHECK_MSG (color_distance (unstyled_fused, styled_fused) <= 3,
             "the built-in fused color should match style.css");

  /* Where a press lands: the middle of the track is frame 150, the
   * inset and beyond clamp to the ends. */
  check_press (timeline, 400, 150);
  check_press (timeline, 2, 0);
  check_press (timeline, 799, 299);
  check_press (timeline, TRACK_INSET + 784.0 * 10 / 300 + 0.1, 10);

  test_focus_and_hover (window, timeline);
  test_nearest_thumbnails (timeline);
  test_long_clip (timeline);

  /* For the eye only: an empty timeline, and the light style. */
  tinta_timeline_set_clip (timeline, 0, 0, 0);
  {
    g_auto(UitestPixels) pixels = { 0 };

    CHECK (render_widget (GTK_WIDGET (timeline), "timeline-empty.png", &pixels));
  }
  g_object_set (gtk_settings_get_default (), "gtk-application-prefer-dark-theme", FALSE, NULL);
  test_render (timeline, "timeline-light", FALSE, &styled_fused);

  gtk_window_destroy (GTK_WINDOW (window));
  uitest_drain ();

  return tinta_test_end ("timeline");
}
