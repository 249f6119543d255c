/* Bad input: every case gets its exact status and a message naming the
 * file, never a crash or a hang. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "testutil.h"
#include "tinta-test.h"
#include "tinta/tinta.h"

static char *dir;

static void
expect_open (const char *path, int status, const char *needle)
{
  tinta_media *m = NULL;
  tinta_error err = { 0 };
  int st = tinta_media_open (path, &m, &err);
  CHECK_MSG (st == status, "%s: got %d (%s: %s), expected %d (%s)", path, st,
             tinta_status_str (st), err.message, status, tinta_status_str (status));
  CHECK (m == NULL);
  CHECK_MSG (strcmp (err.path, path) == 0 || strstr (err.path, path) != NULL,
             "error names '%s', not '%s'", err.path, path);
  CHECK_MSG (err.message[0] != '\0', "no message for %s", path);
  if (needle)
    CHECK_MSG (strstr (err.message, needle) != NULL, "message '%s' lacks '%s'", err.message, needle);
  tinta_media_free (m);
}

static void
patch_bytes (const char *path, const char *from, const char *to, long long limit)
{
  FILE *f = fopen (path, "r+b");
  size_t n = strlen (from);
  unsigned char *buf = malloc ((size_t) limit);
  size_t got = fread (buf, 1, (size_t) limit, f);
  int patched = 0;
  for (size_t i = 0; i + n <= got; i++)
    if (memcmp (buf + i, from, n) == 0)
      {
        fseek (f, (long) i, SEEK_SET);
        fwrite (to, 1, n, f);
        patched++;
      }
  fclose (f);
  free (buf);
  CHECK_MSG (patched > 0, "no '%s' found in %s", from, path);
}

int
main (void)
{
  char p[4200], q[4200];
  dir = tu_scratch_dir ("errors");

  snprintf (p, sizeof p, "%s/missing.mp4", dir);
  expect_open (p, TINTA_ERR_NOT_FOUND, NULL);

  snprintf (p, sizeof p, "%s/empty.mp4", dir);
  tu_write_file (p, "", 0);
  expect_open (p, TINTA_ERR_EMPTY_FILE, NULL);

  /* Garbage with a video extension. */
  snprintf (p, sizeof p, "%s/garbage.mp4", dir);
  {
    unsigned char junk[65536];
    unsigned s = 7;
    for (size_t i = 0; i < sizeof junk; i++)
      {
        s = s * 1103515245u + 12345u;
        junk[i] = (unsigned char) (s >> 16);
      }
    tu_write_file (p, junk, sizeof junk);
  }
  expect_open (p, TINTA_ERR_INVALID_DATA, NULL);
  snprintf (p, sizeof p, "%s/text.mov", dir);
  tu_write_file (p, "this is not a movie\n", 20);
  expect_open (p, TINTA_ERR_INVALID_DATA, NULL);

  /* Truncated: MP4 with its index first (faststart) cut in half; MP4 with
   * its index last cut (no index at all); Matroska cut mid-cluster. */
  snprintf (q, sizeof q, "%s/whole.mp4", dir);
  CHECK (tu_run ("%s -v error -nostdin -y -f lavfi -i testsrc2=size=320x240:rate=25 -frames:v 50 "
                 "-c:v libx264 -preset veryfast -pix_fmt yuv420p -movflags +faststart '%s'",
                 tu_ffmpeg (), q) == 0);
  snprintf (p, sizeof p, "%s/cut-faststart.mp4", dir);
  tu_truncate_copy (q, p, tu_file_size (q) / 2);
  expect_open (p, TINTA_ERR_TRUNCATED, "truncated");
  snprintf (q, sizeof q, "%s/whole-late.mp4", dir);
  CHECK (tu_run ("%s -v error -nostdin -y -f lavfi -i testsrc2=size=320x240:rate=25 -frames:v 50 "
                 "-c:v libx264 -preset veryfast -pix_fmt yuv420p '%s'", tu_ffmpeg (), q) == 0);
  snprintf (p, sizeof p, "%s/cut-late.mp4", dir);
  tu_truncate_copy (q, p, tu_file_size (q) * 2 / 3);
  expect_open (p, TINTA_ERR_TRUNCATED, "truncated");
  snprintf (q, sizeof q, "%s/whole.mkv", dir);
  CHECK (tu_run ("%s -v error -nostdin -y -f lavfi -i testsrc2=size=320x240:rate=25 -frames:v 50 "
                 "-c:v libx264 -preset veryfast -pix_fmt yuv420p '%s'", tu_ffmpeg (), q) == 0);
  snprintf (p, sizeof p, "%s/cut.mkv", dir);
  tu_truncate_copy (q, p, tu_file_size (q) / 2);
  expect_open (p, TINTA_ERR_TRUNCATED, "truncated");

  /* Unsupported codec: an AVI whose FourCC no decoder knows. */
  snprintf (p, sizeof p, "%s/unknown-codec.avi", dir);
  CHECK (tu_run ("%s -v error -nostdin -y -f lavfi -i testsrc2=size=160x120:rate=25 -frames:v 5 "
                 "-c:v mjpeg '%s'", tu_ffmpeg (), p) == 0);
  patch_bytes (p, "MJPG", "QZXW", 4096);
  expect_open (p, TINTA_ERR_UNSUPPORTED_CODEC, "QZXW");

  /* Unsupported pixel format: raw UYYVYY411 frames (Matroska carries
   * them as they are), which swscale cannot read. */
  snprintf (q, sizeof q, "%s/nv16.raw", dir);
  {
    static unsigned char raw[64 * 48 * 2 * 3];
    memset (raw, 100, sizeof raw);
    tu_write_file (q, raw, sizeof raw);
  }
  snprintf (p, sizeof p, "%s/y411.mkv", dir);
  CHECK (tu_run ("%s -v error -nostdin -y -f rawvideo -pix_fmt uyyvyy411 -s 64x48 -framerate 25 "
                 "-i '%s' -frames:v 2 -c:v copy '%s'", tu_ffmpeg (), q, p) == 0);
  expect_open (p, TINTA_ERR_UNSUPPORTED_PIXFMT, "uyyvyy411");

  /* Audio only. */
  snprintf (p, sizeof p, "%s/tone.wav", dir);
  CHECK (tu_run ("%s -v error -nostdin -y -f lavfi -i sine=duration=0.5 '%s'", tu_ffmpeg (), p) == 0);
  expect_open (p, TINTA_ERR_NO_VIDEO, NULL);

  /* Frames beyond the engine's size limit. */
  snprintf (p, sizeof p, "%s/huge.png", dir);
  CHECK (tu_run ("%s -v error -nostdin -y -f lavfi -i color=c=gray:s=20000x8 -frames:v 1 '%s'",
                 tu_ffmpeg (), p) == 0);
  expect_open (p, TINTA_ERR_TOO_LARGE, "20000");

  /* Image folders: a gap, nothing numbered, mismatched sizes. */
  snprintf (p, sizeof p, "%s/gap", dir);
  CHECK (tu_run ("mkdir -p '%s' && %s -v error -nostdin -y -f lavfi -i testsrc2=size=64x48 "
                 "-frames:v 6 '%s/%%05d.jpg' && rm '%s/00003.jpg'", p, tu_ffmpeg (), p, p) == 0);
  expect_open (p, TINTA_ERR_SEQUENCE_GAP, "00003.jpg");
  snprintf (p, sizeof p, "%s/nothing", dir);
  CHECK (tu_run ("mkdir -p '%s' && echo hi > '%s/readme.txt'", p, p) == 0);
  expect_open (p, TINTA_ERR_INVALID_DATA, NULL);
  snprintf (p, sizeof p, "%s/mixed", dir);
  CHECK (tu_run ("mkdir -p '%s' && %s -v error -nostdin -y -f lavfi -i testsrc2=size=64x48 "
                 "-frames:v 3 -start_number 0 '%s/%%05d.png' && %s -v error -nostdin -y -f lavfi "
                 "-i testsrc2=size=80x48 -frames:v 1 -start_number 3 '%s/%%05d.png'",
                 p, tu_ffmpeg (), p, tu_ffmpeg (), p) == 0);
  {
    tinta_media *m = NULL;
    tinta_error err = { 0 };
    CHECK_STATUS (tinta_media_open (p, &m, &err), TINTA_OK, &err);
    tinta_frame *f = tinta_frame_new (64, 48, TINTA_FRAME_RGB);
    if (m)
      {
        CHECK_STATUS (tinta_media_read (m, 3, f, &err), TINTA_ERR_SIZE_MISMATCH, &err);
        CHECK (strstr (err.path, "00003.png") != NULL);
        CHECK_STATUS (tinta_media_read (m, 2, f, &err), TINTA_OK, &err);
      }
    tinta_frame_free (f);
    tinta_media_free (m);
  }

  /* Keyframes: wrong size, not an image, missing. */
  {
    tinta_frame *f = NULL;
    tinta_error err = { 0 };
    snprintf (p, sizeof p, "%s/mixed/00000.png", dir);
    CHECK_STATUS (tinta_image_load (p, 320, 240, TINTA_FIT_REJECT, &f, NULL, &err),
                  TINTA_ERR_SIZE_MISMATCH, &err);
    snprintf (p, sizeof p, "%s/text.mov", dir);
    CHECK_STATUS (tinta_image_load (p, 320, 240, TINTA_FIT_REJECT, &f, NULL, &err),
                  TINTA_ERR_INVALID_DATA, &err);
    snprintf (p, sizeof p, "%s/nokey.png", dir);
    CHECK_STATUS (tinta_image_load (p, 320, 240, TINTA_FIT_REJECT, &f, NULL, &err),
                  TINTA_ERR_NOT_FOUND, &err);
    CHECK_STATUS (tinta_image_load (p, 0, 240, TINTA_FIT_REJECT, &f, NULL, &err),
                  TINTA_ERR_OUT_OF_RANGE, &err);
    CHECK (f == NULL);
  }

  /* Unwritable outputs: the parent is a file; the folder does not exist. */
  {
    uint8_t rgb[4 * 4 * 3] = { 0 };
    tinta_error err = { 0 };
    snprintf (p, sizeof p, "%s/empty.mp4/out.png", dir);
    CHECK_STATUS (tinta_image_save_png (p, rgb, 4, 4, &err), TINTA_ERR_UNWRITABLE, &err);
    snprintf (p, sizeof p, "%s/no/such/folder/out.png", dir);
    CHECK_STATUS (tinta_image_save_png (p, rgb, 4, 4, &err), TINTA_ERR_UNWRITABLE, &err);
    snprintf (p, sizeof p, "%s/no/such/folder/report.json", dir);
    CHECK_STATUS (tinta_write_file_atomic (p, "{}", 2, &err), TINTA_ERR_UNWRITABLE, &err);
  }

  /* Status strings are distinct sentences. */
  CHECK (strcmp (tinta_status_str (TINTA_ERR_TRUNCATED), tinta_status_str (TINTA_ERR_INVALID_DATA)) != 0);
  CHECK (strcmp (tinta_status_str (-9999), "unknown status") == 0);

  tu_run ("rm -rf '%s'", dir);
  free (dir);
  return tinta_test_end ("errors");
}
