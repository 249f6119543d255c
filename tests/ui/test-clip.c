/* test-clip.c: TintaClip without a display — the editor's link to the
 * engine's worker.  A generated clip (ffmpeg's testsrc2, FFV1) and PNG
 * keyframes made from it: seeking decodes off the main thread and only the
 * newest of quick seeks is announced; keyframes imported (one scaled from
 * another size) make every frame computed, announced on the main thread;
 * removing one recomputes exactly the frames that depended on it; cuts are
 * announced once; errors come as GErrors with the engine's status; a clip
 * dropped while its worker is busy goes quietly. */

#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "tinta-clip.h"
#include "tinta-error.h"

#include "../engine/tinta-test.h"
#include "uitest.h"

#define FRAMES 20
#define TIMEOUT_S 600

typedef struct {
  GArray *decoded;          /* gint64 per ::frame-decoded */
  int     computed[FRAMES];
  int     cuts, idle, errors;
} Seen;

static void
frame_decoded_cb (TintaClip *clip, gint64 frame, Seen *seen)
{
  g_array_append_val (seen->decoded, frame);
}

static void
frame_computed_cb (TintaClip *clip, gint64 frame, Seen *seen)
{
  if (frame >= 0 && frame < FRAMES)
    seen->computed[frame]++;
}

static void
cuts_changed_cb (TintaClip *clip, Seen *seen)
{
  seen->cuts++;
}

static void
idle_cb (TintaClip *clip, Seen *seen)
{
  seen->idle++;
}

static void
engine_error_cb (TintaClip *clip, GError *error, Seen *seen)
{
  g_printerr ("engine error: %s\n", error->message);
  seen->errors++;
}

/* Iterates the main context until *flag >= target or the timeout. */
static gboolean
spin_until (int *flag, int target)
{
  gboolean reached;

  UITEST_SPIN_UNTIL (reached, *flag >= target, TIMEOUT_S * 1000);
  return reached;
}

static int
sum (const int *v, int from, int to)
{
  int s = 0;

  for (int i = from; i <= to; i++)
    s += v[i];
  return s;
}

static gboolean
all_computed (TintaClip *clip)
{
  for (int k = 0; k < FRAMES; k++)
    if (!tinta_clip_has_result (clip, k, TINTA_RESULT_FUSED))
      return FALSE;
  return TRUE;
}

/* Until every frame has its result and an ::idle came after the last. */
static void
wait_all_computed (TintaClip *clip, Seen *seen)
{
  int mark = seen->idle;
  UitestTimer timer;

  uitest_timer_start (&timer, TIMEOUT_S * 1000);
  while (!timer.expired && !(all_computed (clip) && seen->idle > mark))
    {
      if (!all_computed (clip))
        mark = seen->idle;
      g_main_context_iteration (NULL, TRUE);
    }
  CHECK_MSG (!timer.expired, "the worker did not finish in %d s", TIMEOUT_S);
  uitest_timer_stop (&timer);
}

int
main (void)
{
  g_autofree char *dir = uitest_scratch_dir ("tinta-test-clip-XXXXXX");
  g_autofree char *clip_path = g_build_filename (dir, "clip.mkv", NULL);
  g_autofree char *key0 = g_build_filename (dir, "key0.png", NULL);
  g_autofree char *key19 = g_build_filename (dir, "key19-small.png", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing.mkv", NULL);
  g_autofree char *frames = g_strdup_printf ("%d", FRAMES);
  const char *make_clip[] = { "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25", "-frames:v", frames,
                              "-c:v", "ffv1", clip_path, NULL };
  const char *make_key0[] = { "-i", clip_path, "-vf", "select=eq(n\\,0)", "-frames:v", "1", key0, NULL };
  const char *make_key19[] = { "-i", clip_path, "-vf", "select=eq(n\\,19),scale=160:90", "-frames:v", "1",
                               key19, NULL };
  g_autoptr(GError) error = NULL;
  Seen seen = { .decoded = g_array_new (FALSE, FALSE, sizeof (gint64)) };
  TintaClip *clip;

  if (!uitest_ffmpeg (make_clip) || !uitest_ffmpeg (make_key0) || !uitest_ffmpeg (make_key19))
    {
      g_printerr ("FAIL: ffmpeg could not make the test clip\n");
      return 1;
    }

  /* Errors: a missing clip. */
  clip = tinta_clip_new (missing, 0, 0, &error);
  CHECK (clip == NULL);
  CHECK (g_error_matches (error, TINTA_ERROR, TINTA_ERR_NOT_FOUND));
  g_clear_error (&error);

  clip = tinta_clip_new (clip_path, 0, 256u << 20, &error);
  CHECK_MSG (clip != NULL, "%s", error ? error->message : "");
  if (clip == NULL)
    return tinta_test_end ("test-clip");
  g_signal_connect (clip, "frame-decoded", G_CALLBACK (frame_decoded_cb), &seen);
  g_signal_connect (clip, "frame-computed", G_CALLBACK (frame_computed_cb), &seen);
  g_signal_connect (clip, "cuts-changed", G_CALLBACK (cuts_changed_cb), &seen);
  g_signal_connect (clip, "idle", G_CALLBACK (idle_cb), &seen);
  g_signal_connect (clip, "engine-error", G_CALLBACK (engine_error_cb), &seen);

  const tinta_media_info *info = tinta_clip_get_info (clip);
  CHECK_INT (info->width, 320);
  CHECK_INT (info->frame_count, FRAMES);
  int ww, wh;
  tinta_clip_get_working_size (clip, &ww, &wh);
  CHECK (ww == 320 && wh == 180);

  /* Seeks: quick ones coalesce; the last is what shows. */
  int target = 1;
  tinta_clip_seek (clip, 5);
  CHECK (spin_until ((int *) &seen.decoded->len, target));
  gint64 shown = -1;
  CHECK (tinta_clip_peek_frame (clip, &shown) != NULL && shown == 5);
  guint before = seen.decoded->len;
  for (int k = 6; k <= 15; k++)
    tinta_clip_seek (clip, k);
  while (TRUE)
    {
      if (seen.decoded->len > before
          && g_array_index (seen.decoded, gint64, seen.decoded->len - 1) == 15)
        break;
      g_main_context_iteration (NULL, TRUE);
    }
  CHECK_MSG (seen.decoded->len - before < 10, "%u decodes announced for 10 seeks",
             seen.decoded->len - before);
  CHECK (tinta_clip_peek_frame (clip, &shown) != NULL && shown == 15);
  CHECK_INT (tinta_clip_get_position (clip), 15);
  tinta_clip_seek (clip, 1000);   /* clamps */
  CHECK_INT (tinta_clip_get_position (clip), FRAMES - 1);

  /* Keyframes: one imported at the clip's size, one scaled. */
  CHECK_MSG (tinta_clip_import_keyframe (clip, 0, key0, &error), "%s", error ? error->message : "");
  g_clear_error (&error);
  CHECK_MSG (tinta_clip_import_keyframe (clip, FRAMES - 1, key19, &error), "%s",
             error ? error->message : "");
  g_clear_error (&error);
  CHECK (!tinta_clip_import_keyframe (clip, 3, missing, &error));
  CHECK (g_error_matches (error, TINTA_ERROR, TINTA_ERR_NOT_FOUND));
  g_clear_error (&error);
  CHECK (!tinta_clip_import_keyframe (clip, FRAMES, key0, &error));
  CHECK (g_error_matches (error, TINTA_ERROR, TINTA_ERR_OUT_OF_RANGE));
  g_clear_error (&error);
  guint n_keys = 0;
  const gint64 *keys = tinta_clip_get_keyframes (clip, &n_keys);
  CHECK (n_keys == 2 && keys[0] == 0 && keys[1] == FRAMES - 1);
  const tinta_frame *colors = tinta_clip_get_keyframe_colors (clip, FRAMES - 1, NULL);
  CHECK (colors != NULL && colors->width == 320 && colors->height == 180);

  /* Everything gets computed, announced on this thread; then the worker
   * says it is idle. */
  tinta_clip_seek (clip, 10);
  wait_all_computed (clip, &seen);
  for (int k = 0; k < FRAMES; k++)
    CHECK_MSG (tinta_clip_has_result (clip, k, TINTA_RESULT_FUSED), "frame %d", k);
  CHECK_INT (seen.cuts, 1);
  size_t np = (size_t) ww * wh;
  float *a = g_new (float, np), *b = g_new (float, np), *c = g_new (float, np);
  CHECK (tinta_clip_get_result (clip, 10, TINTA_RESULT_FUSED, a, b, c));
  double chroma = 0;
  for (size_t i = 0; i < np; i++)
    chroma += fabsf (a[i]) + fabsf (b[i]);
  CHECK_MSG (chroma / np > 5.0, "frame 10 has chroma %.2f on average", chroma / np);
  CHECK (tinta_clip_get_result (clip, 10, TINTA_RESULT_GLOBAL, a, b, c));

  /* Removing keyframe 19 recomputes frames 1..19, nothing else. */
  memset (seen.computed, 0, sizeof seen.computed);
  CHECK (tinta_clip_remove_keyframe (clip, FRAMES - 1, &error));
  CHECK (!tinta_clip_remove_keyframe (clip, 7, &error));
  CHECK (g_error_matches (error, TINTA_ERROR, TINTA_ERR_NOT_FOUND));
  g_clear_error (&error);
  wait_all_computed (clip, &seen);
  CHECK_INT (seen.computed[0], 0);
  CHECK_INT (sum (seen.computed, 1, FRAMES - 1), FRAMES - 1);
  keys = tinta_clip_get_keyframes (clip, &n_keys);
  CHECK (n_keys == 1 && keys[0] == 0);
  CHECK_INT (seen.errors, 0);

  /* Dropped while busy: a new keyframe, then unref at once; pending
   * events find no clip and go. */
  CHECK (tinta_clip_import_keyframe (clip, FRAMES - 1, key19, NULL));
  g_object_unref (clip);
  for (int i = 0; i < 200; i++)
    g_main_context_iteration (NULL, FALSE);

  g_free (a);
  g_free (b);
  g_free (c);
  g_array_unref (seen.decoded);
  uitest_remove_tree (dir);
  return tinta_test_end ("test-clip");
}
