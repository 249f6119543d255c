/* tinta-player.h: TintaPlayer, playback for the editor — moves a
 * TintaTimeline's playhead at the clip's rate.
 *
 *   TintaPlayer *player = tinta_player_new (timeline);
 *   tinta_player_set_frame_rate (player, 30000, 1001);
 *   tinta_player_control (player, "toggle");       // Space
 *   tinta_player_control (player, "forward");      // L: 1×, 2×, 4×
 *   g_signal_connect (player, "notify::rate", G_CALLBACK (update_button), window);
 *
 * The player never waits for anything: on every frame of the timeline's
 * frame clock it puts the playhead where the elapsed time says, and the
 * window shows whatever is decoded and colorized by then (frames the
 * decoder cannot keep up with are skipped).  It stops at the clip's end.
 * Controls are the strings the timeline's ::play-control sends: "toggle",
 * "forward", "reverse" and "pause"; repeating "forward" or "reverse"
 * doubles the speed that way, up to 4×.  Main thread only. */
#pragma once

#include <gtk/gtk.h>

#include "tinta-timeline.h"

G_BEGIN_DECLS

#define TINTA_TYPE_PLAYER (tinta_player_get_type ())

G_DECLARE_FINAL_TYPE (TintaPlayer, tinta_player, TINTA, PLAYER, GObject)

#define TINTA_PLAYER_MAX_RATE 4

TintaPlayer *tinta_player_new            (TintaTimeline *timeline);
/* Not positive: 25 fps. */
void         tinta_player_set_frame_rate (TintaPlayer   *self,
                                          int            rate_num,
                                          int            rate_den);
void         tinta_player_control        (TintaPlayer   *self,
                                          const char    *control);
void         tinta_player_stop           (TintaPlayer   *self);
/* Clip frames per frame of real time: 0 stopped, negative backwards;
 * property "rate". */
int          tinta_player_get_rate       (TintaPlayer   *self);
/* The user moved the playhead while playing: play on from there. */
void         tinta_player_restart        (TintaPlayer   *self);

G_END_DECLS
