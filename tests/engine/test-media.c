/* Media input: frame counts and rates, sequential decoding equal to the
 * ffmpeg program's, random access equal to sequential decoding on
 * inter-coded H.264 (B-frames, closed and open GOPs), image sequences,
 * keyframe import and gray sources. Clips are generated here with the
 * `ffmpeg` program. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "tinta-test.h"
#include "tinta/tinta.h"

static char *dir;

/* Raw rgb24 frames of a file as decoded by the ffmpeg program. */
static uint8_t *
ffmpeg_rgb (const char *input, const char *input_opts, size_t frame_bytes, long long n)
{
  char out[4200];
  snprintf (out, sizeof out, "%s/ref.rgb", dir);
  if (tu_run ("%s -v error -nostdin -y %s -i '%s' -f rawvideo -pix_fmt rgb24 '%s'", tu_ffmpeg (),
              input_opts, input, out) != 0)
    return NULL;
  if (tu_file_size (out) != (long long) frame_bytes * n)
    {
      fprintf (stderr, "ffmpeg decoded %lld bytes, expected %lld\n", tu_file_size (out),
               (long long) frame_bytes * n);
      return NULL;
    }
  uint8_t *buf = malloc (frame_bytes * (size_t) n);
  FILE *f = fopen (out, "rb");
  size_t got = f ? fread (buf, 1, frame_bytes * (size_t) n, f) : 0;
  if (f)
    fclose (f);
  return got == frame_bytes * (size_t) n ? buf : (free (buf), NULL);
}

/* Decodes every frame in order, checks against the ffmpeg program, then
 * reads frames in a scrambled order (backwards, far jumps, repeats, +1)
 * and checks each equals its sequential decode. */
static void
check_clip (const char *path, long long expect_frames, int fps_num, int fps_den)
{
  tinta_media *m = NULL;
  tinta_error err = { 0 };
  CHECK_STATUS (tinta_media_open (path, &m, &err), TINTA_OK, &err);
  if (m == NULL)
    return;
  const tinta_media_info *in = tinta_media_get_info (m);
  CHECK_INT (in->frame_count, expect_frames);
  CHECK_INT (in->frame_count, tu_ffprobe_frames (path));
  CHECK_INT (in->fps_num, fps_num);
  CHECK_INT (in->fps_den, fps_den);
  CHECK_INT (in->width, 320);
  CHECK_INT (in->height, 240);
  CHECK (in->has_color);
  CHECK (strcmp (in->pixel_format, "yuv420p") == 0);

  size_t fb = (size_t) in->width * in->height * 3;
  long long n = in->frame_count;
  uint8_t *seq = malloc (fb * (size_t) n);
  tinta_frame *f = tinta_frame_new (in->width, in->height, TINTA_FRAME_LAB | TINTA_FRAME_RGB);
  int ok = 1;
  for (long long k = 0; k < n && ok; k++)
    {
      ok = tinta_media_read (m, k, f, &err) == TINTA_OK;
      memcpy (seq + fb * (size_t) k, f->rgb, fb);
    }
  CHECK_MSG (ok, "sequential decode failed: %s", err.message);
  long long seeks_after_sequential = tinta_media_seek_count (m);
  CHECK_INT (seeks_after_sequential, 0);

  uint8_t *ref = ffmpeg_rgb (path, "", fb, n);
  CHECK (ref != NULL);
  if (ref)
    {
      long long differ = 0;
      for (long long k = 0; k < n; k++)
        differ += memcmp (ref + fb * (size_t) k, seq + fb * (size_t) k, fb) != 0;
      CHECK_MSG (differ == 0, "%lld frames differ from the ffmpeg program's decode", differ);
      free (ref);
    }

  long long order[400];
  int count = 0;
  unsigned s = 99;
  order[count++] = n - 1;
  order[count++] = 0;
  order[count++] = n / 2;
  order[count++] = n / 2 - 1;
  order[count++] = n / 2 + 1;
  order[count++] = n / 2 + 1;
  for (; count < 300; count++)
    {
      s = s * 1664525u + 1013904223u;
      order[count] = (long long) ((s >> 8) % (unsigned) n);
    }
  long long mismatches = 0;
  for (int i = 0; i < count; i++)
    {
      if (tinta_media_read (m, order[i], f, &err) != TINTA_OK)
        {
          mismatches++;
          fprintf (stderr, "read %lld failed: %s\n", order[i], err.message);
          continue;
        }
      if (memcmp (f->rgb, seq + fb * (size_t) order[i], fb) != 0)
        {
          mismatches++;
          fprintf (stderr, "%s: random access to frame %lld differs\n", path, order[i]);
        }
    }
  CHECK_MSG (mismatches == 0, "%lld random reads differ from sequential decoding", mismatches);
  CHECK (tinta_media_seek_count (m) > 10);   /* the seek path was exercised */

  /* Lab planes are the conversion of the RGB bytes. */
  float L, a, b;
  tinta_srgb8_to_lab (f->rgb + 3 * 777, 1, &L, &a, &b);
  CHECK_NEAR (f->L[777], L, 1e-5);
  CHECK_NEAR (f->a[777], a, 1e-5);
  CHECK_NEAR (f->b[777], b, 1e-5);

  CHECK_STATUS (tinta_media_read (m, n, f, &err), TINTA_ERR_OUT_OF_RANGE, &err);
  CHECK_STATUS (tinta_media_read (m, -1, f, &err), TINTA_ERR_OUT_OF_RANGE, &err);
  tinta_frame *small = tinta_frame_new (16, 16, TINTA_FRAME_RGB);
  CHECK_STATUS (tinta_media_read (m, 0, small, &err), TINTA_ERR_SIZE_MISMATCH, &err);
  tinta_frame_free (small);
  tinta_frame_free (f);
  free (seq);
  tinta_media_free (m);
}

static void
check_video (void)
{
  char p[4200];
  const char *src = "-f lavfi -i testsrc2=size=320x240:rate=25";
  /* Closed GOPs of 24, 3 B-frames, no scene-cut keyframes: seeking must
   * land on IDR frames and reorder B-frames correctly. */
  snprintf (p, sizeof p, "%s/closed.mp4", dir);
  CHECK (tu_run ("%s -v error -nostdin -y %s -frames:v 100 -c:v libx264 -preset veryfast -bf 3 "
                 "-g 24 -keyint_min 24 -sc_threshold 0 -pix_fmt yuv420p '%s'",
                 tu_ffmpeg (), src, p) == 0);
  check_clip (p, 100, 25, 1);

  /* Open GOPs: leading B-frames reference the previous GOP. */
  snprintf (p, sizeof p, "%s/open.mkv", dir);
  CHECK (tu_run ("%s -v error -nostdin -y -f lavfi -i testsrc2=size=320x240:rate=30000/1001 "
                 "-frames:v 90 -c:v libx264 -preset veryfast -bf 3 -g 20 -sc_threshold 0 "
                 "-x264-params open-gop=1 -pix_fmt yuv420p '%s'", tu_ffmpeg (), p) == 0);
  check_clip (p, 90, 30000, 1001);

  /* MPEG-TS: timestamps only, no index in the container. */
  snprintf (p, sizeof p, "%s/clip.ts", dir);
  CHECK (tu_run ("%s -v error -nostdin -y %s -frames:v 60 -c:v libx264 -preset veryfast -bf 2 "
                 "-g 12 -pix_fmt yuv420p '%s'", tu_ffmpeg (), src, p) == 0);
  check_clip (p, 60, 25, 1);
}

static void
check_gray (void)
{
  char p[4200];
  snprintf (p, sizeof p, "%s/gray.mkv", dir);
  CHECK (tu_run ("%s -v error -nostdin -y -f lavfi -i testsrc2=size=160x120:rate=24 -frames:v 10 "
                 "-c:v ffv1 -pix_fmt gray '%s'", tu_ffmpeg (), p) == 0);
  tinta_media *m = NULL;
  tinta_error err = { 0 };
  CHECK_STATUS (tinta_media_open (p, &m, &err), TINTA_OK, &err);
  if (m == NULL)
    return;
  const tinta_media_info *in = tinta_media_get_info (m);
  CHECK (!in->has_color);
  CHECK (strcmp (in->pixel_format, "gray") == 0);
  tinta_frame *f = tinta_frame_new (in->width, in->height, TINTA_FRAME_LAB | TINTA_FRAME_RGB);
  CHECK_STATUS (tinta_media_read (m, 5, f, &err), TINTA_OK, &err);
  float maxab = 0;
  for (int i = 0; i < in->width * in->height; i++)
    maxab = fmaxf (maxab, fmaxf (fabsf (f->a[i]), fabsf (f->b[i])));
  CHECK_MSG (maxab < 0.05f, "gray source has chroma %g", maxab);
  CHECK (!f->has_color);
  tinta_frame_free (f);
  tinta_media_free (m);
}

static void
check_images (void)
{
  char seqdir[4200], p[4300];
  /* frame_0001.png ... frame_0007.png and two strays that must be ignored. */
  snprintf (seqdir, sizeof seqdir, "%s/pngs", dir);
  CHECK (tu_run ("mkdir -p '%s' && %s -v error -nostdin -y -f lavfi "
                 "-i testsrc2=size=320x240:rate=24 -frames:v 7 -start_number 1 '%s/frame_%%04d.png' "
                 "&& echo notes > '%s/notes.txt' && cp '%s/frame_0003.png' '%s/thumb.png'",
                 seqdir, tu_ffmpeg (), seqdir, seqdir, seqdir, seqdir) == 0);
  tinta_media *m = NULL;
  tinta_error err = { 0 };
  CHECK_STATUS (tinta_media_open (seqdir, &m, &err), TINTA_OK, &err);
  if (m != NULL)
    {
      const tinta_media_info *in = tinta_media_get_info (m);
      CHECK_INT (in->frame_count, 7);
      CHECK (in->is_image_sequence);
      CHECK (strcmp (in->first_name, "frame_0001.png") == 0);
      CHECK_INT (in->width, 320);
      tinta_frame *f = tinta_frame_new (320, 240, TINTA_FRAME_LAB | TINTA_FRAME_RGB);
      CHECK_STATUS (tinta_media_read (m, 4, f, &err), TINTA_OK, &err);
      snprintf (p, sizeof p, "%s/frame_0005.png", seqdir);
      uint8_t *ref = ffmpeg_rgb (p, "", 320 * 240 * 3, 1);
      CHECK (ref && memcmp (ref, f->rgb, 320 * 240 * 3) == 0);
      free (ref);
      tinta_frame_free (f);
      tinta_media_free (m);
    }

  /* 00000.jpg style (DAVIS): JPEG through FFmpeg, same bytes as ffmpeg. */
  snprintf (seqdir, sizeof seqdir, "%s/jpgs", dir);
  CHECK (tu_run ("mkdir -p '%s' && %s -v error -nostdin -y -f lavfi "
                 "-i testsrc2=size=320x240:rate=24 -frames:v 5 -start_number 0 -q:v 3 "
                 "'%s/%%05d.jpg'", seqdir, tu_ffmpeg (), seqdir) == 0);
  CHECK_STATUS (tinta_media_open (seqdir, &m, &err), TINTA_OK, &err);
  if (m != NULL)
    {
      const tinta_media_info *in = tinta_media_get_info (m);
      CHECK_INT (in->frame_count, 5);
      CHECK (strcmp (in->first_name, "00000.jpg") == 0);
      CHECK (strcmp (in->pixel_format, "yuvj420p") == 0);
      tinta_frame *f = tinta_frame_new (320, 240, TINTA_FRAME_LAB | TINTA_FRAME_RGB);
      CHECK_STATUS (tinta_media_read (m, 2, f, &err), TINTA_OK, &err);
      snprintf (p, sizeof p, "%s/00002.jpg", seqdir);
      uint8_t *ref = ffmpeg_rgb (p, "", 320 * 240 * 3, 1);
      CHECK_MSG (ref && memcmp (ref, f->rgb, 320 * 240 * 3) == 0,
                 "JPEG decode differs from the ffmpeg program's");
      free (ref);
      tinta_frame_free (f);
      tinta_media_free (m);
    }
}

static void
check_keyframe_import (void)
{
  static const char *const exts[] = { "png", "jpg", "tiff" };
  for (int i = 0; i < 3; i++)
    {
      char p[4200];
      snprintf (p, sizeof p, "%s/key.%s", dir, exts[i]);
      CHECK (tu_run ("%s -v error -nostdin -y -f lavfi -i testsrc2=size=320x240 -frames:v 1 '%s'",
                     tu_ffmpeg (), p) == 0);
      tinta_frame *f = NULL;
      tinta_error err = { 0 };
      int scaled = -1;
      CHECK_STATUS (tinta_image_load (p, 320, 240, TINTA_FIT_REJECT, &f, &scaled, &err), TINTA_OK,
                    &err);
      CHECK_INT (scaled, 0);
      CHECK (f && f->has_color && f->L != NULL);
      tinta_frame_free (f);
      f = NULL;
      CHECK_STATUS (tinta_image_load (p, 640, 480, TINTA_FIT_REJECT, &f, &scaled, &err),
                    TINTA_ERR_SIZE_MISMATCH, &err);
      CHECK (f == NULL);
      CHECK (strstr (err.message, "320x240") && strstr (err.message, "640x480"));
      CHECK_STATUS (tinta_image_load (p, 640, 480, TINTA_FIT_SCALE, &f, &scaled, &err), TINTA_OK,
                    &err);
      CHECK_INT (scaled, 1);
      CHECK (f && f->width == 640 && f->height == 480);
      tinta_frame_free (f);
    }
}

static void
check_png_save (void)
{
  char p[4200];
  uint8_t rgb[64 * 32 * 3];
  for (int i = 0; i < 64 * 32 * 3; i++)
    rgb[i] = (uint8_t) (i * 7);
  snprintf (p, sizeof p, "%s/saved.png", dir);
  tinta_error err = { 0 };
  CHECK_STATUS (tinta_image_save_png (p, rgb, 64, 32, &err), TINTA_OK, &err);
  tinta_frame *f = NULL;
  CHECK_STATUS (tinta_image_load_any (p, &f, &err), TINTA_OK, &err);
  CHECK (f && f->width == 64 && f->height == 32 && memcmp (f->rgb, rgb, sizeof rgb) == 0);
  tinta_frame_free (f);
}

int
main (void)
{
  dir = tu_scratch_dir ("media");
  check_video ();
  check_gray ();
  check_images ();
  check_keyframe_import ();
  check_png_save ();
  tu_run ("rm -rf '%s'", dir);
  free (dir);
  return tinta_test_end ("media");
}
