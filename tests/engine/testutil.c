/* Helpers for the engine tests (see testutil.h). */
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "nn/safetensors.h"
#include "testutil.h"
#include "tinta/media.h"

char *
tu_scratch_dir (const char *tag)
{
  const char *tmp = getenv ("TMPDIR");
  char templ[4096];
  snprintf (templ, sizeof templ, "%s/tinta-test-%s-XXXXXX", tmp && tmp[0] ? tmp : "/tmp", tag);
  if (mkdtemp (templ) == NULL)
    {
      perror ("mkdtemp");
      exit (99);
    }
  return strdup (templ);
}

int
tu_run (const char *fmt, ...)
{
  char cmd[8192];
  char full[8400];
  va_list ap;
  va_start (ap, fmt);
  vsnprintf (cmd, sizeof cmd, fmt, ap);
  va_end (ap);
  snprintf (full, sizeof full, "( %s ) >/tmp/tinta-tu-run.$$.log 2>&1; r=$?; "
            "if [ $r -ne 0 ]; then cat /tmp/tinta-tu-run.$$.log >&2; fi; "
            "rm -f /tmp/tinta-tu-run.$$.log; exit $r", cmd);
  int r = system (full);
  if (r == -1)
    return -1;
  return WIFEXITED (r) ? WEXITSTATUS (r) : 128;
}

const char *
tu_ffmpeg (void)
{
  const char *p = getenv ("FFMPEG");
  return p && p[0] ? p : "ffmpeg";
}

const char *
tu_ffprobe (void)
{
  const char *p = getenv ("FFPROBE");
  return p && p[0] ? p : "ffprobe";
}

const char *
tu_shared_dir (void)
{
  static char buf[4096];
  const char *p = getenv ("TINTA_SHARED_DIR");
  struct stat st;
  if (p == NULL || p[0] == '\0')
    return NULL;
  snprintf (buf, sizeof buf, "%s/data/eval", p);
  if (stat (buf, &st) != 0 || !S_ISDIR (st.st_mode))
    return NULL;
  return p;
}

int
tu_write_file (const char *path, const void *data, size_t size)
{
  FILE *f = fopen (path, "wb");
  if (f == NULL)
    return -1;
  size_t w = size ? fwrite (data, 1, size, f) : 0;
  return (fclose (f) == 0 && w == size) ? 0 : -1;
}

long long
tu_file_size (const char *path)
{
  struct stat st;
  return stat (path, &st) == 0 ? (long long) st.st_size : -1;
}

int
tu_truncate_copy (const char *src, const char *dst, long long keep)
{
  FILE *in = fopen (src, "rb");
  if (in == NULL)
    return -1;
  char *buf = malloc ((size_t) keep);
  size_t got = fread (buf, 1, (size_t) keep, in);
  fclose (in);
  int r = tu_write_file (dst, buf, got);
  free (buf);
  return r;
}

static int
read_command (const char *cmd, char *out, size_t size)
{
  FILE *p = popen (cmd, "r");
  if (p == NULL)
    return -1;
  size_t n = fread (out, 1, size - 1, p);
  out[n] = '\0';
  while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r'))
    out[--n] = '\0';
  return pclose (p) == 0 ? 0 : -1;
}

long long
tu_ffprobe_frames (const char *path)
{
  char cmd[4600], out[256];
  snprintf (cmd, sizeof cmd, "%s -v error -count_frames -select_streams v:0 "
            "-show_entries stream=nb_read_frames -of csv=p=0 '%s'", tu_ffprobe (), path);
  if (read_command (cmd, out, sizeof out) != 0 || out[0] == '\0')
    return -1;
  return atoll (out);
}

int
tu_ffprobe_entry (const char *path, const char *entry, char *out, size_t size)
{
  char cmd[4600];
  snprintf (cmd, sizeof cmd, "%s -v error -select_streams v:0 "
            "-show_entries stream=%s -of csv=p=0 '%s'", tu_ffprobe (), entry, path);
  return read_command (cmd, out, size);
}

float *
tu_tensor_to_nhwc (const void *tensor)
{
  const tinta_tensor *t = tensor;
  int64_t c = t->shape[1], h = t->shape[2], w = t->shape[3];
  float *nchw = malloc ((size_t) t->numel * sizeof (float));
  float *nhwc = malloc ((size_t) t->numel * sizeof (float));
  tinta_tensor_to_f32 (t, nchw);
  for (int64_t k = 0; k < c; k++)
    for (int64_t y = 0; y < h; y++)
      for (int64_t x = 0; x < w; x++)
        nhwc[(y * w + x) * c + k] = nchw[(k * h + y) * w + x];
  free (nchw);
  return nhwc;
}

double
tu_max_abs_error (const float *got, const void *reference, double *range)
{
  const tinta_tensor *t = reference;
  float *want = tu_tensor_to_nhwc (t);
  double max_err = 0, r = 0;
  for (int64_t j = 0; j < t->numel; j++)
    {
      max_err = fmax (max_err, fabs ((double) got[j] - want[j]));
      r = fmax (r, fabs (want[j]));
    }
  free (want);
  if (range)
    *range = r;
  return max_err;
}

tinta_frame *
tu_clip_frame (const char *path, long long k)
{
  tinta_media *m = NULL;
  tinta_error err = { 0 };
  if (tinta_media_open (path, &m, &err) != TINTA_OK)
    return NULL;
  const tinta_media_info *in = tinta_media_get_info (m);
  tinta_frame *f = tinta_frame_new (in->width, in->height, TINTA_FRAME_LAB | TINTA_FRAME_RGB);
  if (f && tinta_media_read (m, k, f, &err) != TINTA_OK)
    {
      tinta_frame_free (f);
      f = NULL;
    }
  tinta_media_free (m);
  return f;
}
