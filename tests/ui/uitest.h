/* uitest.h: what the editor's UI tests (tests/ui/test-*.c) share — the
 * clips they make with ffmpeg and read back with ffprobe, the main loop
 * they spin while the editor works, the widgets they render to pixels
 * (and PNGs to look at), the statistics they take of those pixels, and
 * the window's actions and prompts they drive.
 *
 * The helpers never assert: they report (a gboolean, a value) and the
 * test asserts with tinta-test.h's CHECK macros, whose counters are per
 * file.  A failure worth a line of context is printed on stderr here.
 * Main thread only, like GTK.
 *
 *   g_auto(UitestPixels) pixels = { 0 };
 *   gboolean ok;
 *
 *   CHECK (uitest_make_clip (clip, "testsrc2=s=320x240:r=30", NULL, 30));
 *   ...
 *   UITEST_WAIT_UNTIL (ok, tinta_window_get_shown_frame (window) == 0, 20000);
 *   CHECK (uitest_activate (window, "win.view-mode", g_variant_new_string ("gray")));
 *   CHECK (uitest_snapshot (GTK_WIDGET (window), "window-gray.png", &pixels));
 *   if (pixels.data != NULL)
 *     {
 *       UitestColor c = uitest_sample (&pixels, x, y);
 *
 *       CHECK (uitest_saturation (&c) <= 3);
 *     }
 */
#pragma once

#include <gtk/gtk.h>

#include "tinta-export-dialog.h"
#include "tinta-window.h"

G_BEGIN_DECLS

/* ---- files and tools ----------------------------------------------------- */

/* The start of a test that opens windows: GTK on the display, or the test
 * skipped (exit 77, meson's code for it) when there is none; and the
 * output folder. */
void        uitest_init_display    (void);

/* A new folder for the test's files, made from @template (as
 * g_dir_make_tmp()); NULL, saying why on stderr, if it could not be made.
 * Remove it with uitest_remove_tree(). */
char       *uitest_scratch_dir     (const char *template);

/* $TINTA_TEST_OUTPUT_DIR, else ".", created if need be: where snapshots
 * are kept to look at. */
const char *uitest_output_dir      (void);

/* With TINTA_UPDATE_SCREENSHOTS=1, copies the snapshot @snapshot_name of
 * the output folder to $TINTA_SCREENSHOT_DIR/@screenshot_name (the
 * project's data/screenshots).  FALSE only when a copy was asked for and
 * could not be written. */
gboolean    uitest_update_screenshot (const char *snapshot_name,
                                      const char *screenshot_name);

/* Removes @path and everything below it (links are removed, not
 * followed). */
void        uitest_remove_tree     (const char *path);

/* ffmpeg -hide_banner -loglevel error -y @args (NULL-terminated); on
 * failure says why on stderr, with ffmpeg's own messages. */
gboolean    uitest_ffmpeg          (const char *const *args);

/* Encodes lavfi @input (through @filter, if not NULL) for @frames frames
 * as H.264 4:2:0 to @path, or as RGB PNGs when @path ends in ".png" (a
 * pattern like "dir/%05d.png" for several). */
gboolean    uitest_make_clip       (const char *path,
                                    const char *input,
                                    const char *filter,
                                    int         frames);

/* Frame 0 of @clip as the image @png, the colored keyframe an artist
 * would paint. */
gboolean    uitest_extract_first_frame (const char *clip,
                                        const char *png);

/* What ffprobe counts in the first video stream of @path, decoding it:
 * "width,height,frames" in *@summary (free it).  FALSE if ffprobe failed. */
gboolean    uitest_probe_video     (const char  *path,
                                    char       **summary);

/* ---- the main loop --------------------------------------------------------- */

/* A one-shot timer for loops that spin the main context: @expired turns
 * TRUE after the time given to uitest_timer_start(). */
typedef struct {
  gboolean expired;
  guint    source_id;
} UitestTimer;

void        uitest_timer_start     (UitestTimer *timer,
                                    guint        timeout_ms);
/* Removes the timer's source unless it fired. */
void        uitest_timer_stop      (UitestTimer *timer);

/* Runs what is pending for at most 250 ms: the idle work a frame queued
 * (layout, notifications) settles so a snapshot sees the state the frame
 * was drawn for.  Bounded, since a playing window always has its next
 * frame pending. */
void        uitest_settle          (void);

/* Runs what is pending, however long that takes. */
void        uitest_drain           (void);

/* Spins the main loop for @ms milliseconds (an animation to finish). */
void        uitest_spin_for        (guint ms);

/* Spins the main loop until @cond holds or @timeout_ms passed, then sets
 * @ok to @cond.  @cond is evaluated again after every iteration. */
#define UITEST_SPIN_UNTIL(ok, cond, timeout_ms) do { \
    UitestTimer uitest_timer_; \
    uitest_timer_start (&uitest_timer_, (timeout_ms)); \
    while (!(cond) && !uitest_timer_.expired) \
      g_main_context_iteration (NULL, TRUE); \
    uitest_timer_stop (&uitest_timer_); \
    (ok) = (cond); \
  } while (0)

/* UITEST_SPIN_UNTIL, then uitest_settle() before @ok is taken. */
#define UITEST_WAIT_UNTIL(ok, cond, timeout_ms) do { \
    UITEST_SPIN_UNTIL ((ok), (cond), (timeout_ms)); \
    uitest_settle (); \
    (ok) = (cond); \
  } while (0)

/* Waits (UITEST_WAIT_UNTIL) until *@counter, counting a signal, has gone
 * past @since: the viewer drew again after a change. */
gboolean    uitest_wait_past       (const guint *counter,
                                    guint        since,
                                    guint        timeout_ms);

/* ---- pixels ---------------------------------------------------------------- */

/* A widget rendered as GTK puts it on screen: Cairo's ARGB32 as
 * gdk_texture_download() gives it (B, G, R, A in memory on little-endian
 * machines, premultiplied; the tests' windows are opaque). */
typedef struct {
  guchar *data;
  int     width;
  int     height;
  gsize   stride;
  /* Widget coordinates of pixel (0, 0): what a widget draws outside its
   * allocation (a window's client-side frame, a CSS border) is at
   * negative coordinates. */
  double  origin_x;
  double  origin_y;
} UitestPixels;

typedef struct {
  double r, g, b;
} UitestColor;

void        uitest_pixels_clear    (UitestPixels *pixels);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (UitestPixels, uitest_pixels_clear)

/* Renders @widget (all it draws, its window's frame included) with its
 * window's renderer at its intrinsic size, so that pixels map 1:1 to
 * widget coordinates; saves it as uitest_output_dir()/@name (a PNG) and
 * keeps the pixels.  It shows what the widget drew in its window's last
 * frame: wait for a frame after a change.  FALSE, saying why on stderr,
 * when there was nothing to render. */
gboolean    uitest_snapshot        (GtkWidget    *widget,
                                    const char   *name,
                                    UitestPixels *pixels);

/* The pixel at widget point (@x, @y), clamped to the image; black when
 * there are no pixels. */
UitestColor uitest_pixel           (const UitestPixels *pixels,
                                    double              x,
                                    double              y);

/* The mean color of the 5×5 block around widget point (@x, @y): H.264
 * leaves a little noise even in flat areas.  Black when there are no
 * pixels. */
UitestColor uitest_sample          (const UitestPixels *pixels,
                                    double              x,
                                    double              y);

/* uitest_sample() as CIE Lab (sRGB, D65): L 0..100, a and b. */
void        uitest_sample_lab      (const UitestPixels *pixels,
                                    double              x,
                                    double              y,
                                    double              lab[3]);

/* Max - min of R, G, B in levels: within a level or two of 0 for gray. */
double      uitest_saturation      (const UitestColor *color);

/* The chroma of a Lab color: its distance from the gray axis. */
double      uitest_chroma          (const double lab[3]);

/* The angle between two Lab hues (a, b), in degrees from 0 to 180. */
double      uitest_hue_difference  (double a1,
                                    double b1,
                                    double a2,
                                    double b2);

/* ---- the editor ------------------------------------------------------------ */

/* Registers @app as a non-unique application: another Tinta on the
 * session bus must not take the test's windows. */
gboolean    uitest_register_application (GApplication  *app,
                                         GError       **error);

/* What a test of the editor's window stands on. */
typedef struct {
  char           *scratch;     /* a new folder for the test's files */
  GtkApplication *app;         /* registered as a non-unique application */
  gboolean        registered;  /* FALSE if registering failed: the test asserts it */
  TintaWindow    *window;      /* the application's first window, not presented */
} UitestEditor;

/* Starts @editor: a scratch folder made from @scratch_template, then @app
 * (taken over; this library does not link TintaApplication) registered
 * (uitest_register_application()) and a first window of it.  FALSE,
 * saying why on stderr, with nothing started, when the scratch folder
 * could not be made. */
gboolean    uitest_editor_start    (UitestEditor   *editor,
                                    GtkApplication *app,
                                    const char     *scratch_template);

/* Destroys every window of the editor's application, unsaved edits and
 * all (no prompt), lets that settle, and removes the scratch folder.
 * Clearing twice does nothing more. */
void        uitest_editor_clear    (UitestEditor   *editor);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (UitestEditor, uitest_editor_clear)

/* Activates @action (with @parameter, floating references taken) on
 * @window as a menu item or shortcut would; FALSE when it is not enabled. */
gboolean    uitest_activate        (TintaWindow *window,
                                    const char  *action,
                                    GVariant    *parameter);

/* The number of keyframes of the window's clip, 0 without a clip. */
guint       uitest_n_keyframes     (TintaWindow *window);

/* The title's unsaved marker. */
gboolean    uitest_title_is_dirty  (TintaWindow *window);

/* The first controller on @widget of @type (GTK_TYPE_EVENT_CONTROLLER for
 * any) named @name (NULL for any name); the widget keeps it alive. */
GtkEventController *uitest_find_controller (GtkWidget  *widget,
                                            GType       type,
                                            const char *name);

/* The message dialog showing over @parent (over any window when NULL),
 * NULL if none. */
GtkDialog  *uitest_find_prompt     (GtkWindow *parent);

/* Answers the message dialog over @parent with @response and lets the
 * answer settle; FALSE if there is no dialog. */
gboolean    uitest_answer_prompt   (GtkWindow *parent,
                                    int        response);

/* Connects to @dialog's ::finished: *@result becomes 1 when the export
 * succeeded, 2 when it failed or was cancelled; set it to 0 before. */
void        uitest_watch_export    (TintaExportDialog *dialog,
                                    int               *result);

/* Spins the main loop until *@result is set (uitest_watch_export()) or
 * @timeout_ms passed; returns *@result. */
int         uitest_wait_export     (int   *result,
                                    guint  timeout_ms);

G_END_DECLS
