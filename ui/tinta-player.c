/* tinta-player.c: playback on the timeline's frame clock (see
 * tinta-player.h). */

#include "config.h"

#include "tinta-player.h"

struct _TintaPlayer
{
  GObject        parent_instance;

  TintaTimeline *timeline;
  double         frames_per_second;
  guint          tick_id;
  int            rate;
  gint64         origin_frame;
  gint64         origin_time;      /* µs of the frame clock; -1: the next tick */
};

G_DEFINE_FINAL_TYPE (TintaPlayer, tinta_player, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_RATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
tinta_player_set_rate (TintaPlayer *self,
                       int          rate)
{
  if (self->rate == rate)
    return;
  self->rate = rate;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RATE]);
}

static gboolean
tinta_player_tick_cb (GtkWidget     *widget,
                      GdkFrameClock *clock,
                      gpointer       user_data)
{
  TintaPlayer *self = user_data;
  gint64 now = gdk_frame_clock_get_frame_time (clock);
  gint64 n_frames = tinta_timeline_get_n_frames (self->timeline);
  gint64 target;

  if (self->origin_time < 0)
    {
      self->origin_time = now;
      return G_SOURCE_CONTINUE;
    }

  /* Where the playhead should be by now: decoding and colorizing never
   * hold it back. */
  target = self->origin_frame +
           (gint64) ((now - self->origin_time) * 1e-6 * self->frames_per_second * self->rate);
  target = CLAMP (target, 0, n_frames - 1);

  if (target != tinta_timeline_get_position (self->timeline))
    tinta_timeline_set_position (self->timeline, target);

  if ((self->rate > 0 && target >= n_frames - 1) || (self->rate < 0 && target <= 0))
    {
      self->tick_id = 0;
      tinta_player_set_rate (self, 0);
      return G_SOURCE_REMOVE;
    }

  return G_SOURCE_CONTINUE;
}

void
tinta_player_stop (TintaPlayer *self)
{
  g_return_if_fail (TINTA_IS_PLAYER (self));

  if (self->tick_id != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self->timeline), self->tick_id);
  self->tick_id = 0;
  tinta_player_set_rate (self, 0);
}

/* From the playhead, or from the other end when it is at the end it
 * would run into. */
static void
tinta_player_play (TintaPlayer *self,
                   int          rate)
{
  gint64 n_frames = tinta_timeline_get_n_frames (self->timeline);
  gint64 position = tinta_timeline_get_position (self->timeline);

  if (n_frames < 2 || rate == 0)
    {
      tinta_player_stop (self);
      return;
    }

  if (self->rate == 0 && rate > 0 && position >= n_frames - 1)
    tinta_timeline_set_position (self->timeline, 0);
  else if (self->rate == 0 && rate < 0 && position <= 0)
    tinta_timeline_set_position (self->timeline, n_frames - 1);

  tinta_player_set_rate (self, rate);
  tinta_player_restart (self);
  if (self->tick_id == 0)
    self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self->timeline),
                                                  tinta_player_tick_cb, self, NULL);
}

void
tinta_player_control (TintaPlayer *self,
                      const char  *control)
{
  g_return_if_fail (TINTA_IS_PLAYER (self));
  g_return_if_fail (control != NULL);

  if (g_str_equal (control, "toggle"))
    tinta_player_play (self, self->rate != 0 ? 0 : 1);
  else if (g_str_equal (control, "pause"))
    tinta_player_stop (self);
  else if (g_str_equal (control, "forward"))
    tinta_player_play (self, self->rate > 0 ? MIN (self->rate * 2, TINTA_PLAYER_MAX_RATE) : 1);
  else if (g_str_equal (control, "reverse"))
    tinta_player_play (self, self->rate < 0 ? MAX (self->rate * 2, -TINTA_PLAYER_MAX_RATE) : -1);
  else
    g_warning ("unknown play control “%s”", control);
}

void
tinta_player_restart (TintaPlayer *self)
{
  g_return_if_fail (TINTA_IS_PLAYER (self));

  self->origin_frame = tinta_timeline_get_position (self->timeline);
  self->origin_time = -1;
}

void
tinta_player_set_frame_rate (TintaPlayer *self,
                             int          rate_num,
                             int          rate_den)
{
  g_return_if_fail (TINTA_IS_PLAYER (self));

  self->frames_per_second = rate_num > 0 && rate_den > 0 ? (double) rate_num / rate_den : 25.0;
  tinta_player_restart (self);
}

int
tinta_player_get_rate (TintaPlayer *self)
{
  g_return_val_if_fail (TINTA_IS_PLAYER (self), 0);

  return self->rate;
}

static void
tinta_player_dispose (GObject *object)
{
  TintaPlayer *self = TINTA_PLAYER (object);

  if (self->timeline != NULL && self->tick_id != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self->timeline), self->tick_id);
  self->tick_id = 0;
  g_clear_object (&self->timeline);

  G_OBJECT_CLASS (tinta_player_parent_class)->dispose (object);
}

static void
tinta_player_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  TintaPlayer *self = TINTA_PLAYER (object);

  switch (prop_id)
    {
    case PROP_RATE:
      g_value_set_int (value, self->rate);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tinta_player_class_init (TintaPlayerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tinta_player_dispose;
  object_class->get_property = tinta_player_get_property;

  properties[PROP_RATE] =
    g_param_spec_int ("rate", NULL, NULL, -TINTA_PLAYER_MAX_RATE, TINTA_PLAYER_MAX_RATE, 0,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tinta_player_init (TintaPlayer *self)
{
  self->frames_per_second = 25.0;
  self->origin_time = -1;
}

TintaPlayer *
tinta_player_new (TintaTimeline *timeline)
{
  TintaPlayer *self;

  g_return_val_if_fail (TINTA_IS_TIMELINE (timeline), NULL);

  self = g_object_new (TINTA_TYPE_PLAYER, NULL);
  self->timeline = g_object_ref (timeline);
  return self;
}
