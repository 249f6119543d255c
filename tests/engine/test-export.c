/* Tests of the exporter (engine/src/media/export.c): every format is
 * encoded from a film-like synthetic clip, inspected with ffprobe, decoded
 * back with the `ffmpeg` program and compared with what was sent (exact for
 * FFV1 and PNG, a PSNR floor for ProRes and H.264); then the guarantees of
 * tinta/export.h: nothing under the final name before success, nothing left
 * behind after a failure or a cancel, a previous file kept until replaced.
 * Cancellation is triggered by frame count, never by time.  Errors go
 * through a pointer `ep`: CHECK_STATUS tests its argument for NULL, which
 * GCC 12 rejects for `&err` under -Werror=address. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include "tinta/tinta.h"
#include "tinta-test.h"
#include "testutil.h"

#define N_FRAMES 30

/* ---- the clip ---------------------------------------------------------- */

static uint32_t
hash3 (uint32_t x, uint32_t y, uint32_t t)
{
  uint32_t h = x * 73856093u ^ y * 19349663u ^ t * 83492791u;
  h ^= h >> 13;
  h *= 0x5bd1e995u;
  h ^= h >> 15;
  return h;
}

static uint8_t
clamp8 (double v)
{
  return v < 0 ? 0 : v > 255 ? 255 : (uint8_t) lrint (v);
}

/* Smooth sky-like gradients, a soft warm disc and a striped "foliage"
 * rectangle that move every frame, and a light grain that changes every
 * frame: lossy codecs meet edges, texture and motion, and a frame out of
 * order cannot go unnoticed. */
static void
make_pattern (uint8_t *rgb, int w, int h, long long t)
{
  double cx = w * (0.2 + 0.6 * (double) t / N_FRAMES);
  double cy = h * (0.5 + 0.2 * sin ((double) t * 0.4));
  double radius = h * 0.2;
  int rx0 = (int) (w * 0.7) - (int) (t * w / 60), ry0 = h / 8;
  int rx1 = rx0 + w / 5, ry1 = ry0 + h / 4;

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        double fx = (double) x / w, fy = (double) y / h;
        double r = 70 + 110 * fx + 25 * sin (fy * 3 + t * 0.1);
        double g = 60 + 90 * fy + 20 * cos (fx * 4);
        double b = 150 - 90 * fy + 40 * fx;
        double d = hypot (x - cx, y - cy);
        double grain = (double) (hash3 ((uint32_t) x, (uint32_t) y, (uint32_t) t) & 7) - 3.5;
        uint8_t *p = rgb + ((size_t) y * w + x) * 3;

        /* Soft edges (6 pixels): a colorizer's chroma never steps from
         * one pixel to the next, and 4:2:0 would blur a step anyway. */
        if (d < radius + 3)
          {
            double a = d < radius - 3 ? 1.0 : (radius + 3 - d) / 6.0;
            r = r * (1 - a) + 225 * a;
            g = g * (1 - a) + (150 - 40 * (d / radius)) * a;
            b = b * (1 - a) + 95 * a;
          }
        if (x > rx0 - 3 && x < rx1 + 3 && y > ry0 - 3 && y < ry1 + 3)
          {
            /* luma texture under a flat tint, as colorized film has:
             * colour comes from the colorizer, detail from the film */
            double stripes = 18 * sin (x * 0.9 + y * 0.35);
            double ax = fmin (fmin (x - (rx0 - 3), rx1 + 3 - x), 6) / 6.0;
            double ay = fmin (fmin (y - (ry0 - 3), ry1 + 3 - y), 6) / 6.0;
            double a = ax * ay;
            r = r * (1 - a) + (60 + stripes) * a;
            g = g * (1 - a) + (125 + stripes) * a;
            b = b * (1 - a) + (45 + stripes) * a;
          }
        p[0] = clamp8 (r + grain);
        p[1] = clamp8 (g + grain);
        p[2] = clamp8 (b + grain);
      }
}

typedef struct {
  long long fail_at;     /* index where the source fails, -1 never */
  int       fail_status; /* what it returns there; 0 means TINTA_ERR_IO */
  long long calls;
} source_state;

static int
pattern_source (void *user, long long index, tinta_frame *frame, tinta_error *err)
{
  source_state *s = user;
  s->calls++;
  if (index == s->fail_at)
    {
      int st = s->fail_status ? s->fail_status : TINTA_ERR_IO;
      if (err)
        {
          err->status = st;
          snprintf (err->message, sizeof err->message, "test source fails at %lld", index);
        }
      return st;
    }
  make_pattern (frame->rgb, frame->width, frame->height, index);
  return TINTA_OK;
}

typedef struct {
  long long calls;
  long long last_done;
  long long last_total;
  int       increasing;      /* each done is the previous + 1 */
  long long abort_after;     /* say stop once this many are done, -1 never */
  long long polls;
} progress_state;

static void
on_progress (void *user, long long done, long long total)
{
  progress_state *p = user;
  if (done != p->last_done + 1)
    p->increasing = 0;
  p->calls++;
  p->last_done = done;
  p->last_total = total;
}

static int
on_abort (void *user)
{
  progress_state *p = user;
  p->polls++;
  return p->abort_after >= 0 && p->last_done >= p->abort_after;
}

static void
progress_init (progress_state *p, long long abort_after)
{
  memset (p, 0, sizeof *p);
  p->increasing = 1;
  p->abort_after = abort_after;
}

/* ---- file helpers ------------------------------------------------------ */

/* Entries in a folder, hidden ones included (temporaries are hidden). */
static int
count_entries (const char *dir)
{
  DIR *d = opendir (dir);
  struct dirent *de;
  int n = 0;
  if (d == NULL)
    return -1;
  while ((de = readdir (d)) != NULL)
    if (strcmp (de->d_name, ".") != 0 && strcmp (de->d_name, "..") != 0)
      n++;
  closedir (d);
  return n;
}

static int
path_exists (const char *path)
{
  struct stat st;
  return lstat (path, &st) == 0;
}

static int
file_equals (const char *path, const char *text)
{
  char buf[256];
  FILE *f = fopen (path, "rb");
  size_t n;
  if (f == NULL)
    return 0;
  n = fread (buf, 1, sizeof buf, f);
  fclose (f);
  return n == strlen (text) && memcmp (buf, text, n) == 0;
}

static void
write_text (const char *path, const char *text)
{
  CHECK (tu_write_file (path, text, strlen (text)) == 0);
}

static char *
make_subdir (const char *root, const char *name)
{
  size_t size = strlen (root) + strlen (name) + 2;
  char *p = malloc (size);
  if (p == NULL)
    exit (99);
  snprintf (p, size, "%s/%s", root, name);
  if (mkdir (p, 0755) != 0)
    {
      perror (p);
      exit (99);
    }
  return p;
}

/* Decodes `input` to packed RGB with the ffmpeg program, frames as they
 * come (no rate conversion); returns the number of whole frames read, or
 * -1, and reads at most max_frames + 1 to catch extra ones. */
static long long
decode_rgb (const char *input, int w, int h, uint8_t *out, long long max_frames)
{
  char cmd[8192];
  size_t frame_size = (size_t) w * h * 3, got = 0, want = frame_size * (size_t) (max_frames + 1);
  FILE *p;
  snprintf (cmd, sizeof cmd, "'%s' -nostdin -v error -i '%s' -fps_mode passthrough "
            "-f rawvideo -pix_fmt rgb24 -", tu_ffmpeg (), input);
  p = popen (cmd, "r");
  if (p == NULL)
    return -1;
  while (got < want)
    {
      size_t n = fread (out + got, 1, want - got, p);
      if (n == 0)
        break;
      got += n;
    }
  if (pclose (p) != 0 || got % frame_size != 0)
    return -1;
  return (long long) (got / frame_size);
}

static double
psnr (const uint8_t *x, const uint8_t *y, size_t n)
{
  double se = 0;
  for (size_t i = 0; i < n; i++)
    {
      double d = (double) x[i] - y[i];
      se += d * d;
    }
  if (se == 0)
    return INFINITY;
  return 10 * log10 (255.0 * 255.0 * n / se);
}

static int
probe_equals (const char *path, const char *entry, const char *expected)
{
  char out[256];
  if (tu_ffprobe_entry (path, entry, out, sizeof out) != 0)
    {
      fprintf (stderr, "ffprobe %s failed on %s\n", entry, path);
      return 0;
    }
  if (strcmp (out, expected) != 0)
    {
      fprintf (stderr, "%s: %s is \"%s\", expected \"%s\"\n", path, entry, out, expected);
      return 0;
    }
  return 1;
}

/* 1 if the FFV1 decoder's debug line about the global header of `path`
 * contains `needle`, e.g. "global: ver:3.4, coder:2, colorspace: 1 ...". */
static int
ffv1_header_has (const char *path, const char *needle)
{
  char cmd[4600], line[1024];
  FILE *p;
  int found = 0;
  snprintf (cmd, sizeof cmd, "'%s' -nostdin -v debug -debug pict -i '%s' -frames:v 1 "
            "-f null - 2>&1", tu_ffmpeg (), path);
  p = popen (cmd, "r");
  if (p == NULL)
    return 0;
  while (fgets (line, sizeof line, p) != NULL)
    if (strstr (line, "global: ver:") != NULL && strstr (line, needle) != NULL)
      found = 1;
  pclose (p);
  if (!found)
    fprintf (stderr, "%s: FFV1 global header lacks \"%s\"\n", path, needle);
  return found;
}

/* Reads the MP4's top-level boxes: 1 if "moov" comes before "mdat". */
static int
moov_before_mdat (const char *path)
{
  FILE *f = fopen (path, "rb");
  unsigned char hdr[16];
  long long pos = 0;
  int result = 0;
  if (f == NULL)
    return 0;
  while (fseek (f, (long) pos, SEEK_SET) == 0 && fread (hdr, 1, 8, f) == 8)
    {
      unsigned long long size = ((unsigned long long) hdr[0] << 24) | (hdr[1] << 16)
                                | (hdr[2] << 8) | hdr[3];
      if (memcmp (hdr + 4, "moov", 4) == 0)
        {
          result = 1;
          break;
        }
      if (memcmp (hdr + 4, "mdat", 4) == 0)
        break;
      if (size == 1)
        {
          if (fread (hdr + 8, 1, 8, f) != 8)
            break;
          size = 0;
          for (int i = 8; i < 16; i++)
            size = (size << 8) | hdr[i];
        }
      if (size < 8)
        break;
      pos += (long long) size;
    }
  fclose (f);
  return result;
}

/* ---- per-format round trips --------------------------------------------- */

typedef struct {
  tinta_format format;
  int          width, height;
  int          fps_num, fps_den;
  double       min_psnr;      /* INFINITY: bit-exact */
} roundtrip_case;

static void
check_roundtrip (const char *root, const roundtrip_case *c)
{
  char name[64], out[4200], probe_path[4300], fps[32], num[32];
  tinta_export_params p;
  tinta_error err = { 0 };
  tinta_error *ep = &err;
  source_state src = { .fail_at = -1 };
  progress_state prog;
  size_t frame_size = (size_t) c->width * c->height * 3;
  uint8_t *expected = malloc (frame_size);
  uint8_t *decoded = malloc (frame_size * (N_FRAMES + 1));
  char *dir;
  long long n;
  double worst = INFINITY, total_se_psnr;

  snprintf (name, sizeof name, "%s-%dx%d", tinta_format_name (c->format), c->width, c->height);
  dir = make_subdir (root, name);
  snprintf (out, sizeof out, "%s/out%s", dir, tinta_format_extension (c->format));
  tinta_export_params_init (&p);
  p.format = c->format;
  p.width = c->width;
  p.height = c->height;
  p.fps_num = c->fps_num;
  p.fps_den = c->fps_den;
  progress_init (&prog, -1);

  CHECK_STATUS (tinta_export_frames (out, &p, N_FRAMES, pattern_source, &src, on_progress,
                                     on_abort, &prog, ep), TINTA_OK, ep);
  CHECK_INT (src.calls, N_FRAMES);
  CHECK_INT (prog.calls, N_FRAMES);
  CHECK (prog.increasing);
  CHECK_INT (prog.last_done, N_FRAMES);
  CHECK_INT (prog.last_total, N_FRAMES);
  CHECK (prog.polls >= N_FRAMES);
  /* only the result: no temporary left beside it */
  CHECK_INT (count_entries (dir), 1);

  if (c->format == TINTA_FORMAT_PNG)
    {
      char file[4300];
      CHECK_INT (count_entries (out), N_FRAMES);
      snprintf (file, sizeof file, "%s/00000.png", out);
      CHECK (path_exists (file));
      snprintf (file, sizeof file, "%s/%05d.png", out, N_FRAMES - 1);
      CHECK (path_exists (file));
      snprintf (probe_path, sizeof probe_path, "%s/%%05d.png", out);
    }
  else
    snprintf (probe_path, sizeof probe_path, "%s", out);

  CHECK_INT (tu_ffprobe_frames (probe_path), N_FRAMES);
  snprintf (num, sizeof num, "%d", c->width);
  CHECK (probe_equals (probe_path, "width", num));
  snprintf (num, sizeof num, "%d", c->height);
  CHECK (probe_equals (probe_path, "height", num));
  /* an image sequence has no rate of its own */
  snprintf (fps, sizeof fps, "%d/%d", c->fps_num, c->fps_den);
  if (c->format != TINTA_FORMAT_PNG)
    CHECK (probe_equals (probe_path, "r_frame_rate", fps));

  switch (c->format)
    {
    case TINTA_FORMAT_PRORES:
      CHECK (probe_equals (probe_path, "codec_name", "prores"));
      CHECK (probe_equals (probe_path, "profile", "4444"));
      CHECK (probe_equals (probe_path, "codec_tag_string", "ap4h"));
      /* FFmpeg's decoder hands every 4444 stream out as 12-bit; 10-bit
       * in is what the encoder's own check (avcodec_open2) enforced. */
      CHECK (probe_equals (probe_path, "pix_fmt", "yuv444p12le"));
      break;
    case TINTA_FORMAT_FFV1:
      CHECK (probe_equals (probe_path, "codec_name", "ffv1"));
      /* FFmpeg 5.1's FFV1 takes 8-bit RGB as bgr0 and codes it planar */
      CHECK (probe_equals (probe_path, "pix_fmt", "bgr0"));
      /* version 3, RGB, slice CRCs, intra-only (its decoder's own report) */
      CHECK (ffv1_header_has (out, "global: ver:3."));
      CHECK (ffv1_header_has (out, "colorspace: 1 "));
      CHECK (ffv1_header_has (out, " ec:1 intra:1 "));
      break;
    case TINTA_FORMAT_H264:
      CHECK (probe_equals (probe_path, "codec_name", "h264"));
      CHECK (probe_equals (probe_path, "pix_fmt", "yuv420p"));
      CHECK (probe_equals (probe_path, "chroma_location", "center"));
      CHECK (moov_before_mdat (out));
      break;
    case TINTA_FORMAT_PNG:
      CHECK (probe_equals (probe_path, "codec_name", "png"));
      CHECK (probe_equals (probe_path, "pix_fmt", "rgb24"));
      break;
    case TINTA_FORMAT_COUNT:
    default:
      CHECK (0);
      break;
    }
  if (c->format == TINTA_FORMAT_PRORES || c->format == TINTA_FORMAT_H264)
    {
      CHECK (probe_equals (probe_path, "color_space", "bt709"));
      CHECK (probe_equals (probe_path, "color_primaries", "bt709"));
      CHECK (probe_equals (probe_path, "color_transfer", "bt709"));
      CHECK (probe_equals (probe_path, "color_range", "tv"));
    }

  n = decode_rgb (probe_path, c->width, c->height, decoded, N_FRAMES);
  CHECK_INT (n, N_FRAMES);
  if (n == N_FRAMES)
    {
      double se_sum = 0;
      for (long long i = 0; i < N_FRAMES; i++)
        {
          double q;
          make_pattern (expected, c->width, c->height, i);
          q = psnr (expected, decoded + frame_size * (size_t) i, frame_size);
          if (q < worst)
            worst = q;
          /* mean squared error of the clip, for one clip-wide figure */
          if (isfinite (q))
            se_sum += pow (10, -q / 10);
        }
      total_se_psnr = se_sum > 0 ? -10 * log10 (se_sum / N_FRAMES) : INFINITY;
      printf ("# %s %d/%d: PSNR clip %.2f dB, worst frame %.2f dB, %lld bytes\n", name,
              c->fps_num, c->fps_den, total_se_psnr, worst,
              c->format == TINTA_FORMAT_PNG ? -1 : tu_file_size (out));
      if (isinf (c->min_psnr))
        CHECK_MSG (isinf (worst), "%s must be bit-exact, worst frame %.2f dB", name, worst);
      else
        CHECK_MSG (worst >= c->min_psnr, "%s worst frame %.2f dB < %.1f", name, worst,
                   c->min_psnr);
    }
  free (expected);
  free (decoded);
  free (dir);
}

/* ---- contract tests ----------------------------------------------------- */

static void
test_names (void)
{
  tinta_export_params p;
  CHECK_INT (tinta_format_from_name ("prores"), TINTA_FORMAT_PRORES);
  CHECK_INT (tinta_format_from_name ("FFV1"), TINTA_FORMAT_FFV1);
  CHECK_INT (tinta_format_from_name ("H264"), TINTA_FORMAT_H264);
  CHECK_INT (tinta_format_from_name ("Png"), TINTA_FORMAT_PNG);
  CHECK_INT (tinta_format_from_name ("avi"), -1);
  CHECK_INT (tinta_format_from_name (""), -1);
  CHECK_INT (tinta_format_from_name (NULL), -1);
  for (int f = 0; f < TINTA_FORMAT_COUNT; f++)
    CHECK_INT (tinta_format_from_name (tinta_format_name ((tinta_format) f)), f);
  CHECK (strcmp (tinta_format_extension (TINTA_FORMAT_PRORES), ".mov") == 0);
  CHECK (strcmp (tinta_format_extension (TINTA_FORMAT_FFV1), ".mkv") == 0);
  CHECK (strcmp (tinta_format_extension (TINTA_FORMAT_H264), ".mp4") == 0);
  CHECK (strcmp (tinta_format_extension (TINTA_FORMAT_PNG), "") == 0);
  CHECK (strcmp (tinta_format_name (TINTA_FORMAT_COUNT), "unknown") == 0);

  memset (&p, 0x55, sizeof p);
  tinta_export_params_init (&p);
  CHECK_INT (p.format, TINTA_FORMAT_PRORES);
  CHECK_INT (p.fps_num, 24);
  CHECK_INT (p.fps_den, 1);
  CHECK_INT (p.crf, 18);
  CHECK_INT (p.threads, 0);
}

static void
small_params (tinta_export_params *p, tinta_format format)
{
  tinta_export_params_init (p);
  p->format = format;
  p->width = 64;
  p->height = 48;
}

static void
test_invalid_params (const char *root)
{
  char *dir = make_subdir (root, "invalid");
  char out[4200];
  tinta_export_params p;
  tinta_error err = { 0 };
  tinta_error *ep = &err;
  tinta_exporter *x = (tinta_exporter *) ep;   /* must come back NULL */
  source_state src = { .fail_at = -1 };

  snprintf (out, sizeof out, "%s/x.mp4", dir);

  small_params (&p, TINTA_FORMAT_H264);
  p.width = 0;
  CHECK_STATUS (tinta_exporter_open (out, &p, &x, ep), TINTA_ERR_INVALID_ARGUMENT, ep);
  CHECK (x == NULL);
  CHECK_INT (err.status, TINTA_ERR_INVALID_ARGUMENT);
  CHECK (err.message[0] != '\0');

  small_params (&p, TINTA_FORMAT_H264);
  p.fps_num = 0;
  CHECK_STATUS (tinta_exporter_open (out, &p, &x, ep), TINTA_ERR_INVALID_ARGUMENT, ep);
  small_params (&p, TINTA_FORMAT_PRORES);
  p.fps_den = 0;
  CHECK_STATUS (tinta_exporter_open (out, &p, &x, ep), TINTA_ERR_INVALID_ARGUMENT, ep);
  small_params (&p, TINTA_FORMAT_FFV1);
  p.fps_num = 5000;
  CHECK_STATUS (tinta_exporter_open (out, &p, &x, ep), TINTA_ERR_OUT_OF_RANGE, ep);
  p.fps_num = 1;
  p.fps_den = 101;
  CHECK_STATUS (tinta_exporter_open (out, &p, &x, ep), TINTA_ERR_OUT_OF_RANGE, ep);

  small_params (&p, TINTA_FORMAT_H264);
  p.crf = 99;
  CHECK_STATUS (tinta_exporter_open (out, &p, &x, ep), TINTA_ERR_OUT_OF_RANGE, ep);
  p.crf = -1;
  CHECK_STATUS (tinta_exporter_open (out, &p, &x, ep), TINTA_ERR_OUT_OF_RANGE, ep);

  small_params (&p, TINTA_FORMAT_PNG);
  p.height = TINTA_MAX_DIMENSION + 1;
  CHECK_STATUS (tinta_exporter_open (out, &p, &x, ep), TINTA_ERR_TOO_LARGE, ep);
  small_params (&p, TINTA_FORMAT_PNG);
  p.threads = -2;
  CHECK_STATUS (tinta_exporter_open (out, &p, &x, ep), TINTA_ERR_INVALID_ARGUMENT, ep);
  small_params (&p, TINTA_FORMAT_PNG);
  p.format = (tinta_format) 7;
  CHECK_STATUS (tinta_exporter_open (out, &p, &x, ep), TINTA_ERR_INVALID_ARGUMENT, ep);

  /* 4:2:0 cannot code an odd size: refused, not silently resized */
  small_params (&p, TINTA_FORMAT_H264);
  p.width = 321;
  CHECK_STATUS (tinta_exporter_open (out, &p, &x, ep), TINTA_ERR_INVALID_ARGUMENT, ep);
  CHECK (strstr (err.message, "even") != NULL);
  small_params (&p, TINTA_FORMAT_H264);
  p.height = 181;
  CHECK_STATUS (tinta_export_frames (out, &p, N_FRAMES, pattern_source, &src, NULL, NULL,
                                     NULL, ep), TINTA_ERR_INVALID_ARGUMENT, ep);

  small_params (&p, TINTA_FORMAT_H264);
  CHECK_STATUS (tinta_export_frames (out, &p, 0, pattern_source, &src, NULL, NULL, NULL, ep),
                TINTA_ERR_INVALID_ARGUMENT, ep);
  CHECK_STATUS (tinta_export_frames (out, &p, N_FRAMES, NULL, NULL, NULL, NULL, NULL, ep),
                TINTA_ERR_INVALID_ARGUMENT, ep);
  CHECK_STATUS (tinta_exporter_open (NULL, &p, &x, ep), TINTA_ERR_INVALID_ARGUMENT, ep);
  CHECK_STATUS (tinta_exporter_open (out, NULL, &x, ep), TINTA_ERR_INVALID_ARGUMENT, ep);
  /* err may be NULL */
  CHECK_STATUS (tinta_exporter_open (out, NULL, &x, NULL), TINTA_ERR_INVALID_ARGUMENT, ep);

  CHECK_INT (src.calls, 0);
  CHECK_INT (count_entries (dir), 0);
  free (dir);
}

static void
test_unwritable (const char *root)
{
  char *dir = make_subdir (root, "unwritable");
  char file[4200], out[4300];
  tinta_export_params p;
  tinta_error err = { 0 };
  tinta_error *ep = &err;
  source_state src = { .fail_at = -1 };

  /* A regular file as the parent folder stops root too (chmod would not). */
  snprintf (file, sizeof file, "%s/plain-file", dir);
  write_text (file, "not a folder");
  for (int f = 0; f < TINTA_FORMAT_COUNT; f++)
    {
      small_params (&p, (tinta_format) f);
      snprintf (out, sizeof out, "%s/x%s", file, tinta_format_extension ((tinta_format) f));
      CHECK_STATUS (tinta_export_frames (out, &p, 3, pattern_source, &src, NULL, NULL, NULL,
                                         ep), TINTA_ERR_UNWRITABLE, ep);
      snprintf (out, sizeof out, "%s/missing/x%s", dir, tinta_format_extension ((tinta_format) f));
      CHECK_STATUS (tinta_export_frames (out, &p, 3, pattern_source, &src, NULL, NULL, NULL,
                                         ep), TINTA_ERR_UNWRITABLE, ep);
      CHECK (strstr (err.path, "missing") != NULL);
    }
  /* A read-only folder stops only non-root users. */
  if (geteuid () != 0)
    {
      char *ro = make_subdir (dir, "read-only");
      CHECK (chmod (ro, 0555) == 0);
      small_params (&p, TINTA_FORMAT_PRORES);
      snprintf (out, sizeof out, "%s/x.mov", ro);
      CHECK_STATUS (tinta_export_frames (out, &p, 3, pattern_source, &src, NULL, NULL, NULL,
                                         ep), TINTA_ERR_UNWRITABLE, ep);
      CHECK_INT (count_entries (ro), 0);
      CHECK (chmod (ro, 0755) == 0);
      CHECK (rmdir (ro) == 0);
      free (ro);
    }
  else
    printf ("# running as root: read-only folder case not applicable\n");
  /* A PNG sequence cannot replace a file, nor a video a folder. */
  small_params (&p, TINTA_FORMAT_PNG);
  CHECK_STATUS (tinta_export_frames (file, &p, 3, pattern_source, &src, NULL, NULL, NULL,
                                     ep), TINTA_ERR_UNWRITABLE, ep);
  CHECK (file_equals (file, "not a folder"));
  small_params (&p, TINTA_FORMAT_FFV1);
  CHECK_STATUS (tinta_export_frames (dir, &p, 3, pattern_source, &src, NULL, NULL, NULL,
                                     ep), TINTA_ERR_UNWRITABLE, ep);
  CHECK_INT (src.calls, 0);
  CHECK_INT (count_entries (dir), 1);
  free (dir);
}

/* Cancel after 10 of 30 frames over an existing file (or PNG folder):
 * CANCELLED, the old output intact, no temporary. */
static void
test_cancel (const char *root, tinta_format format)
{
  char tag[64], out[4200], old[4300];
  char *dir;
  tinta_export_params p;
  tinta_error err = { 0 };
  tinta_error *ep = &err;
  source_state src = { .fail_at = -1 };
  progress_state prog;

  snprintf (tag, sizeof tag, "cancel-%s", tinta_format_name (format));
  dir = make_subdir (root, tag);
  snprintf (out, sizeof out, "%s/out%s", dir, tinta_format_extension (format));
  if (format == TINTA_FORMAT_PNG)
    {
      CHECK (mkdir (out, 0755) == 0);
      snprintf (old, sizeof old, "%s/00000.png", out);
    }
  else
    snprintf (old, sizeof old, "%s", out);
  write_text (old, "previous export");

  small_params (&p, format);
  progress_init (&prog, 10);
  CHECK_STATUS (tinta_export_frames (out, &p, N_FRAMES, pattern_source, &src, on_progress,
                                     on_abort, &prog, ep), TINTA_CANCELLED, ep);
  CHECK_INT (err.status, TINTA_CANCELLED);
  CHECK_INT (src.calls, 10);
  CHECK_INT (prog.calls, 10);
  CHECK_INT (count_entries (dir), 1);
  CHECK (file_equals (old, "previous export"));
  if (format == TINTA_FORMAT_PNG)
    CHECK_INT (count_entries (out), 1);

  /* A stop asked after the last frame still wins over committing. */
  progress_init (&prog, N_FRAMES);
  CHECK_STATUS (tinta_export_frames (out, &p, N_FRAMES, pattern_source, &src, on_progress,
                                     on_abort, &prog, ep), TINTA_CANCELLED, ep);
  CHECK_INT (prog.calls, N_FRAMES);
  CHECK_INT (count_entries (dir), 1);
  CHECK (file_equals (old, "previous export"));

  /* ... and without a stop the old output is replaced. */
  progress_init (&prog, -1);
  CHECK_STATUS (tinta_export_frames (out, &p, N_FRAMES, pattern_source, &src, on_progress,
                                     on_abort, &prog, ep), TINTA_OK, ep);
  CHECK_INT (count_entries (dir), 1);
  CHECK (!file_equals (old, "previous export"));
  if (format == TINTA_FORMAT_PNG)
    {
      char pattern[4300];
      CHECK_INT (count_entries (out), N_FRAMES);
      snprintf (pattern, sizeof pattern, "%s/%%05d.png", out);
      CHECK_INT (tu_ffprobe_frames (pattern), N_FRAMES);
    }
  else
    CHECK_INT (tu_ffprobe_frames (out), N_FRAMES);
  free (dir);
}

/* A PNG export over a longer previous one leaves only the new frames. */
static void
test_png_replaces_folder (const char *root)
{
  char *dir = make_subdir (root, "png-replace");
  char out[4200], notes[4300];
  tinta_export_params p;
  tinta_error err = { 0 };
  tinta_error *ep = &err;
  source_state src = { .fail_at = -1 };

  snprintf (out, sizeof out, "%s/frames", dir);
  small_params (&p, TINTA_FORMAT_PNG);
  CHECK_STATUS (tinta_export_frames (out, &p, 12, pattern_source, &src, NULL, NULL, NULL,
                                     ep), TINTA_OK, ep);
  CHECK_INT (count_entries (out), 12);
  CHECK_STATUS (tinta_export_frames (out, &p, 5, pattern_source, &src, NULL, NULL, NULL,
                                     ep), TINTA_OK, ep);
  CHECK_INT (count_entries (out), 5);
  CHECK_INT (count_entries (dir), 1);

  /* ... but never a folder that holds anything else */
  snprintf (notes, sizeof notes, "%s/notes.txt", out);
  write_text (notes, "the user's own file");
  CHECK_STATUS (tinta_export_frames (out, &p, 5, pattern_source, &src, NULL, NULL, NULL, ep),
                TINTA_ERR_UNWRITABLE, ep);
  CHECK (strstr (err.message, "notes.txt") != NULL);
  CHECK (file_equals (notes, "the user's own file"));
  CHECK_INT (count_entries (out), 6);
  CHECK_STATUS (tinta_export_frames (dir, &p, 5, pattern_source, &src, NULL, NULL, NULL, ep),
                TINTA_ERR_UNWRITABLE, ep);
  CHECK_INT (count_entries (dir), 1);
  free (dir);
}

static void
test_source_error (const char *root, tinta_format format)
{
  char tag[64], out[4200];
  char *dir;
  tinta_export_params p;
  tinta_error err = { 0 };
  tinta_error *ep = &err;
  source_state src = { .fail_at = 5 };
  progress_state prog;

  snprintf (tag, sizeof tag, "source-error-%s", tinta_format_name (format));
  dir = make_subdir (root, tag);
  snprintf (out, sizeof out, "%s/out%s", dir, tinta_format_extension (format));
  if (format != TINTA_FORMAT_PNG)
    write_text (out, "previous export");
  small_params (&p, format);
  progress_init (&prog, -1);
  CHECK_STATUS (tinta_export_frames (out, &p, N_FRAMES, pattern_source, &src, on_progress,
                                     on_abort, &prog, ep), TINTA_ERR_IO, ep);
  /* the source's own sentence reaches the caller */
  CHECK (strstr (err.message, "test source fails at 5") != NULL);
  CHECK_INT (src.calls, 6);
  CHECK_INT (prog.calls, 5);
  if (format == TINTA_FORMAT_PNG)
    CHECK_INT (count_entries (dir), 0);
  else
    {
      CHECK_INT (count_entries (dir), 1);
      CHECK (file_equals (out, "previous export"));
    }

  /* a source may stop the export too (its own cancel) */
  src.calls = 0;
  src.fail_at = 3;
  src.fail_status = TINTA_CANCELLED;
  CHECK_STATUS (tinta_export_frames (out, &p, N_FRAMES, pattern_source, &src, NULL, NULL,
                                     NULL, ep), TINTA_CANCELLED, ep);
  CHECK_INT (src.calls, 4);
  CHECK_INT (count_entries (dir), format == TINTA_FORMAT_PNG ? 0 : 1);
  free (dir);
}

/* Writes beyond RLIMIT_FSIZE fail with EFBIG, as a full disk fails with
 * ENOSPC: an unprivileged, deterministic way to make the output fail. */
static void
test_write_failure (const char *root, tinta_format format)
{
  char tag[64], out[4200];
  char *dir;
  tinta_export_params p;
  tinta_error err = { 0 };
  tinta_error *ep = &err;
  source_state src = { .fail_at = -1 };
  struct rlimit saved, small;
  void (*old_handler) (int);
  int st;

  if (getrlimit (RLIMIT_FSIZE, &saved) != 0
      || (saved.rlim_max != RLIM_INFINITY && saved.rlim_max < 100000))
    {
      printf ("# write failure test skipped: cannot set RLIMIT_FSIZE\n");
      return;
    }
  snprintf (tag, sizeof tag, "write-failure-%s", tinta_format_name (format));
  dir = make_subdir (root, tag);
  snprintf (out, sizeof out, "%s/out%s", dir, tinta_format_extension (format));
  if (format != TINTA_FORMAT_PNG)
    write_text (out, "previous export");
  tinta_export_params_init (&p);
  p.format = format;
  p.width = 320;
  p.height = 240;

  small = saved;
  small.rlim_cur = 40000;   /* under a PNG frame, a few frames of the others */
  old_handler = signal (SIGXFSZ, SIG_IGN);
  CHECK (setrlimit (RLIMIT_FSIZE, &small) == 0);
  st = tinta_export_frames (out, &p, N_FRAMES, pattern_source, &src, NULL, NULL, NULL, ep);
  CHECK (setrlimit (RLIMIT_FSIZE, &saved) == 0);
  signal (SIGXFSZ, old_handler);

  CHECK_STATUS (st, TINTA_ERR_IO, ep);
  CHECK (strcmp (err.path, out) == 0);
  if (format == TINTA_FORMAT_PNG)
    CHECK_INT (count_entries (dir), 0);
  else
    {
      CHECK_INT (count_entries (dir), 1);
      CHECK (file_equals (out, "previous export"));
    }
  free (dir);
}

static void
test_exporter_api (const char *root)
{
  char *dir = make_subdir (root, "api");
  char out[4200];
  tinta_export_params p;
  tinta_error err = { 0 };
  tinta_error *ep = &err;
  tinta_exporter *x = NULL;
  uint8_t *rgb;

  tinta_exporter_free (NULL);
  small_params (&p, TINTA_FORMAT_PNG);
  rgb = malloc ((size_t) p.width * p.height * 3);
  make_pattern (rgb, p.width, p.height, 0);

  /* freeing an unfinished exporter removes its temporary */
  snprintf (out, sizeof out, "%s/frames", dir);
  CHECK_STATUS (tinta_exporter_open (out, &p, &x, ep), TINTA_OK, ep);
  CHECK_INT (count_entries (dir), 1);       /* the hidden temporary folder */
  CHECK (!path_exists (out));
  CHECK_STATUS (tinta_exporter_write (x, rgb, ep), TINTA_OK, ep);
  CHECK_STATUS (tinta_exporter_write (x, NULL, ep), TINTA_ERR_INVALID_ARGUMENT, ep);
  CHECK (!path_exists (out));
  tinta_exporter_free (x);
  x = NULL;
  CHECK_INT (count_entries (dir), 0);

  /* finishing with no frames would commit an empty deliverable */
  p.format = TINTA_FORMAT_FFV1;
  snprintf (out, sizeof out, "%s/empty.mkv", dir);
  CHECK_STATUS (tinta_exporter_open (out, &p, &x, ep), TINTA_OK, ep);
  CHECK_STATUS (tinta_exporter_finish (x, ep), TINTA_ERR_INVALID_ARGUMENT, ep);
  tinta_exporter_free (x);
  x = NULL;
  CHECK_INT (count_entries (dir), 0);

  /* the step-by-step API at 25 fps; nothing may be written after finish */
  p.format = TINTA_FORMAT_H264;
  p.fps_num = 25;
  p.fps_den = 1;
  snprintf (out, sizeof out, "%s/steps.mp4", dir);
  CHECK_STATUS (tinta_exporter_open (out, &p, &x, ep), TINTA_OK, ep);
  for (int i = 0; i < 7; i++)
    {
      make_pattern (rgb, p.width, p.height, i);
      CHECK_STATUS (tinta_exporter_write (x, rgb, ep), TINTA_OK, ep);
    }
  CHECK (!path_exists (out));
  CHECK_STATUS (tinta_exporter_finish (x, ep), TINTA_OK, ep);
  CHECK (path_exists (out));
  CHECK_STATUS (tinta_exporter_write (x, rgb, ep), TINTA_ERR_INVALID_ARGUMENT, ep);
  CHECK_STATUS (tinta_exporter_finish (x, ep), TINTA_ERR_INVALID_ARGUMENT, ep);
  tinta_exporter_free (x);
  CHECK (path_exists (out));
  CHECK_INT (count_entries (dir), 1);
  CHECK_INT (tu_ffprobe_frames (out), 7);
  CHECK (probe_equals (out, "r_frame_rate", "25/1"));
  free (rgb);
  free (dir);
}

int
main (void)
{
  char *root = tu_scratch_dir ("export");
  /* PSNR floors (worst frame of the clip) a little under what was measured
   * with FFmpeg 5.1.9 / x264 0.164: ProRes 56.8 and 57.9 dB, H.264 CRF 18
   * 37.7 and 37.6 dB (its 4:2:0 alone, at CRF 0, gives 42.4 dB).  A wrong
   * YUV matrix or range costs far more than the margin. */
  static const roundtrip_case cases[] = {
    { TINTA_FORMAT_PRORES, 320, 240, 30000, 1001, 54.0 },
    { TINTA_FORMAT_PRORES, 321, 181, 25, 1, 54.0 },
    { TINTA_FORMAT_FFV1, 320, 240, 30000, 1001, INFINITY },
    { TINTA_FORMAT_FFV1, 321, 181, 30000, 1001, INFINITY },
    { TINTA_FORMAT_H264, 320, 240, 30000, 1001, 36.5 },
    { TINTA_FORMAT_H264, 322, 182, 25, 1, 36.5 },
    { TINTA_FORMAT_PNG, 320, 240, 30000, 1001, INFINITY },
    { TINTA_FORMAT_PNG, 321, 181, 30000, 1001, INFINITY },
  };

  test_names ();
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    check_roundtrip (root, &cases[i]);
  test_invalid_params (root);
  test_unwritable (root);
  for (int f = 0; f < TINTA_FORMAT_COUNT; f++)
    {
      test_cancel (root, (tinta_format) f);
      test_source_error (root, (tinta_format) f);
      test_write_failure (root, (tinta_format) f);
    }
  test_png_replaces_folder (root);
  test_exporter_api (root);

  if (tinta_test_failed_ == 0)
    tu_run ("rm -rf '%s'", root);
  else
    fprintf (stderr, "scratch files kept in %s\n", root);
  free (root);
  return tinta_test_end ("export");
}
