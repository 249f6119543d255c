/* The editor's project file (tinta/project.h, docs/project-format.md):
 * building and checking the JSON, keyframe images as base64 PNG encoded
 * and decoded in memory with FFmpeg, the clip path kept both relative and
 * absolute, atomic saves and the autosave location.
 *
 * Why one file with embedded images rather than a folder of PNGs: a file
 * is replaced atomically by one rename(), so a crash mid-save leaves either
 * the old project or the new one, never a JSON that names images of
 * another save; it also travels as one attachment.  Base64 costs a third
 * more bytes, which a few keyframes afford.
 *
 * The loader treats the file as hostile: its size, nesting depth and
 * number of JSON values are bounded before cJSON builds a tree, every
 * number is checked against its documented range, PNG headers are read
 * before decoding so that an image of the wrong size never reaches the
 * decoder (nor a decompression bomb the allocator). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include <libavcodec/avcodec.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include "core/fileutil.h"
#include "core/internal.h"
#include "media/avutil.h"
#include "tinta/color.h"
#include "tinta/project.h"
#include "tinta/tinta.h"

#define MAX_DEPTH      16          /* the format needs 6 */
#define MAX_VALUES     (1 << 24)   /* cJSON spends ~80 bytes per value */
#define MAX_FRAMES     2147483647LL
#define MAX_PATH_CHARS 4096
#define MAX_COORD      1e7
#define MAX_BRUSH      65536.0

/* ---- base64 (RFC 4648, with padding, no line breaks, canonical) ------ */

static const char b64_chars[] =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static char *
b64_encode (const uint8_t *in, size_t n)
{
  if (n > SIZE_MAX / 4 * 3 - 3)
    return NULL;
  char *out = malloc ((n + 2) / 3 * 4 + 1), *o = out;
  if (out == NULL)
    return NULL;
  size_t i = 0;
  for (; i + 2 < n; i += 3)
    {
      uint32_t v = (uint32_t) in[i] << 16 | (uint32_t) in[i + 1] << 8 | in[i + 2];
      *o++ = b64_chars[v >> 18];
      *o++ = b64_chars[(v >> 12) & 63];
      *o++ = b64_chars[(v >> 6) & 63];
      *o++ = b64_chars[v & 63];
    }
  if (i < n)
    {
      uint32_t v = (uint32_t) in[i] << 16 | (i + 1 < n ? (uint32_t) in[i + 1] << 8 : 0);
      *o++ = b64_chars[v >> 18];
      *o++ = b64_chars[(v >> 12) & 63];
      *o++ = i + 1 < n ? b64_chars[(v >> 6) & 63] : '=';
      *o++ = '=';
    }
  *o = '\0';
  return out;
}

static int
b64_value (unsigned char ch)
{
  if (ch >= 'A' && ch <= 'Z')
    return ch - 'A';
  if (ch >= 'a' && ch <= 'z')
    return ch - 'a' + 26;
  if (ch >= '0' && ch <= '9')
    return ch - '0' + 52;
  return ch == '+' ? 62 : ch == '/' ? 63 : -1;
}

/* 0 ok, -1 not canonical base64, -2 out of memory. The output has
 * AV_INPUT_BUFFER_PADDING_SIZE zeroed bytes after it for the decoder. */
static int
b64_decode (const char *in, size_t len, uint8_t **out, size_t *out_n)
{
  if (len == 0 || len % 4 != 0)
    return -1;
  size_t pad = in[len - 1] == '=' ? (in[len - 2] == '=' ? 2 : 1) : 0;
  size_t n = len / 4 * 3 - pad;
  uint8_t *buf = malloc (n + AV_INPUT_BUFFER_PADDING_SIZE);
  if (buf == NULL)
    return -2;
  memset (buf + n, 0, AV_INPUT_BUFFER_PADDING_SIZE);
  size_t o = 0;
  for (size_t i = 0; i < len; i += 4)
    {
      uint32_t v = 0;
      int chars = (i + 4 == len) ? 4 - (int) pad : 4;
      for (int k = 0; k < 4; k++)
        {
          int d = k < chars ? b64_value ((unsigned char) in[i + k]) : 0;
          if (d < 0)
            {
              free (buf);
              return -1;
            }
          v = v << 6 | (uint32_t) d;
        }
      /* Canonical: the bits a padded group does not use must be zero. */
      if ((chars == 2 && (v & 0xffff)) || (chars == 3 && (v & 0xff)))
        {
          free (buf);
          return -1;
        }
      buf[o++] = (uint8_t) (v >> 16);
      if (chars > 2)
        buf[o++] = (uint8_t) (v >> 8);
      if (chars > 3)
        buf[o++] = (uint8_t) v;
    }
  *out = buf;
  *out_n = n;
  return 0;
}

/* ---- PNG in memory ---------------------------------------------------- */

/* Encodes packed RGB24 (channels 3) or GRAY8 (1) as PNG, returned as
 * base64 in *out. */
static int
png_encode_b64 (const uint8_t *pix, int w, int h, int channels, char **out,
                const char *path, tinta_error *err)
{
  const AVCodec *codec = avcodec_find_encoder (AV_CODEC_ID_PNG);
  AVCodecContext *enc = NULL;
  AVFrame *frame = av_frame_alloc ();
  AVPacket *pkt = av_packet_alloc ();
  int st = TINTA_OK;
  enum AVPixelFormat fmt = channels == 3 ? AV_PIX_FMT_RGB24 : AV_PIX_FMT_GRAY8;

  *out = NULL;
  if (codec == NULL)
    {
      st = tinta_fail (err, TINTA_ERR_UNSUPPORTED_CODEC, path, "no PNG encoder in this FFmpeg");
      goto out;
    }
  enc = avcodec_alloc_context3 (codec);
  if (enc == NULL || frame == NULL || pkt == NULL)
    {
      st = tinta_fail (err, TINTA_ERR_NO_MEMORY, path, "out of memory");
      goto out;
    }
  enc->width = w;
  enc->height = h;
  enc->pix_fmt = fmt;
  enc->time_base = (AVRational) { 1, 1 };
  /* Paeth prediction halves the size of photographic keyframes for the
   * same time; zlib level 1 encodes a 1080p one in ~0.15 s, within 5% of
   * level 3's size at about half its time (autosaves run often). */
  enc->compression_level = 1;
  av_opt_set (enc->priv_data, "pred", "paeth", 0);
  if (avcodec_open2 (enc, codec, NULL) < 0)
    {
      st = tinta_fail (err, TINTA_ERR_ENCODE, path, "cannot open the PNG encoder");
      goto out;
    }
  frame->format = fmt;
  frame->width = w;
  frame->height = h;
  frame->data[0] = (uint8_t *) pix;
  frame->linesize[0] = channels * w;
  if (avcodec_send_frame (enc, frame) < 0 || avcodec_send_frame (enc, NULL) < 0
      || avcodec_receive_packet (enc, pkt) < 0)
    {
      st = tinta_fail (err, TINTA_ERR_ENCODE, path, "PNG encoding of a keyframe failed");
      goto out;
    }
  *out = b64_encode (pkt->data, (size_t) pkt->size);
  if (*out == NULL)
    st = tinta_fail (err, TINTA_ERR_NO_MEMORY, path, "out of memory");
out:
  av_packet_free (&pkt);
  av_frame_free (&frame);
  avcodec_free_context (&enc);
  return st;
}

static uint32_t
be32 (const uint8_t *p)
{
  return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
}

/* Decodes a PNG of exactly w x h into dst: packed RGB (channels 3, any PNG
 * color type, converted) or GRAY8 (channels 1, 8-bit gray PNGs only). */
static int
png_decode (const uint8_t *data, size_t n, int w, int h, int channels, uint8_t *dst,
            const char *path, const char *field, tinta_error *err)
{
  static const uint8_t sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  const AVCodec *codec;
  AVCodecContext *dec = NULL;
  AVPacket *pkt = NULL;
  AVFrame *frame = NULL;
  tinta_rgb_converter conv = { 0 };
  char msg[128];
  int st = TINTA_OK, r;

  if (n < 33 || memcmp (data, sig, 8) != 0 || memcmp (data + 12, "IHDR", 4) != 0)
    return tinta_fail (err, TINTA_ERR_INVALID_DATA, path, "%s: not a PNG image", field);
  uint32_t pw = be32 (data + 16), ph = be32 (data + 20);
  if (pw != (uint32_t) w || ph != (uint32_t) h)
    return tinta_fail (err, TINTA_ERR_SIZE_MISMATCH, path, "%s is %ux%u but the clip is %dx%d",
                       field, pw, ph, w, h);
  if (n > INT_MAX - AV_INPUT_BUFFER_PADDING_SIZE)
    return tinta_fail (err, TINTA_ERR_TOO_LARGE, path, "%s: PNG too large", field);
  tinta_av_init ();
  codec = avcodec_find_decoder (AV_CODEC_ID_PNG);
  if (codec == NULL)
    return tinta_fail (err, TINTA_ERR_UNSUPPORTED_CODEC, path, "no PNG decoder in this FFmpeg");
  dec = avcodec_alloc_context3 (codec);
  pkt = av_packet_alloc ();
  frame = av_frame_alloc ();
  if (dec == NULL || pkt == NULL || frame == NULL)
    {
      st = tinta_fail (err, TINTA_ERR_NO_MEMORY, path, "out of memory");
      goto out;
    }
  /* The IHDR check above bounds the picture (and max_pixels would have
   * to allow for the decoder's row alignment). */
  dec->thread_count = 1;
  dec->err_recognition = AV_EF_CRCCHECK | AV_EF_EXPLODE;
  if (avcodec_open2 (dec, codec, NULL) < 0)
    {
      st = tinta_fail (err, TINTA_ERR_UNSUPPORTED_CODEC, path, "cannot open the PNG decoder");
      goto out;
    }
  /* The base64 decoder left the padding FFmpeg's readers need. */
  pkt->data = (uint8_t *) data;
  pkt->size = (int) n;
  r = avcodec_send_packet (dec, pkt);
  pkt->data = NULL;
  pkt->size = 0;
  if (r >= 0)
    r = avcodec_send_packet (dec, NULL);
  if (r >= 0)
    r = avcodec_receive_frame (dec, frame);
  if (r < 0)
    {
      st = tinta_fail (err, r == AVERROR (ENOMEM) ? TINTA_ERR_NO_MEMORY : TINTA_ERR_INVALID_DATA,
                       path, "%s: damaged PNG (%s)", field, tinta_av_err_str (r, msg, sizeof msg));
      goto out;
    }
  if (frame->width != w || frame->height != h)
    {
      st = tinta_fail (err, TINTA_ERR_SIZE_MISMATCH, path, "%s is %dx%d but the clip is %dx%d",
                       field, frame->width, frame->height, w, h);
      goto out;
    }
  if (frame->format == (channels == 3 ? AV_PIX_FMT_RGB24 : AV_PIX_FMT_GRAY8))
    {
      for (int y = 0; y < h; y++)
        memcpy (dst + (size_t) y * w * channels, frame->data[0] + (size_t) y * frame->linesize[0],
                (size_t) w * channels);
    }
  else if (channels == 3)
    st = tinta_rgb_convert (&conv, frame, dst, w, h, path, err);
  else
    st = tinta_fail (err, TINTA_ERR_INVALID_DATA, path, "%s: an alpha mask must be an 8-bit "
                     "gray PNG, not %s", field,
                     av_get_pix_fmt_name ((enum AVPixelFormat) frame->format));
out:
  tinta_rgb_converter_clear (&conv);
  av_frame_free (&frame);
  av_packet_free (&pkt);
  avcodec_free_context (&dec);
  return st;
}

/* ---- the project in memory ------------------------------------------- */

tinta_project *
tinta_project_new (void)
{
  return calloc (1, sizeof (tinta_project));
}

static void
strokes_free (tinta_stroke *s, size_t n)
{
  for (size_t i = 0; s != NULL && i < n; i++)
    free (s[i].points);
  free (s);
}

static void
key_clear (tinta_project_key *k)
{
  tinta_frame_free (k->colors);
  free (k->alpha);
  strokes_free (k->strokes, k->n_strokes);
  memset (k, 0, sizeof *k);
}

void
tinta_project_free (tinta_project *p)
{
  if (p == NULL)
    return;
  for (size_t i = 0; i < p->n_keys; i++)
    key_clear (&p->keys[i]);
  free (p->keys);
  free (p->clip_path);
  free (p->recovery_of);
  free (p);
}

int
tinta_project_set_clip (tinta_project *p, const char *clip_path, const tinta_media_info *info,
                        tinta_error *err)
{
  if (p == NULL || clip_path == NULL || clip_path[0] == '\0' || info == NULL)
    return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, clip_path, "no clip given");
  char *copy = strdup (clip_path);
  if (copy == NULL)
    return tinta_fail (err, TINTA_ERR_NO_MEMORY, clip_path, "out of memory");
  free (p->clip_path);
  p->clip_path = copy;
  p->clip_frames = info->frame_count;
  p->clip_width = info->width;
  p->clip_height = info->height;
  p->rate_num = info->fps_num;
  p->rate_den = info->fps_den;
  return TINTA_OK;
}

int
tinta_project_check_clip (const tinta_project *p, const tinta_media_info *info, tinta_error *err)
{
  if (p == NULL || info == NULL)
    return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, "", "no project or clip given");
  if (p->clip_width == info->width && p->clip_height == info->height
      && p->clip_frames == info->frame_count
      && (long long) p->rate_num * info->fps_den == (long long) info->fps_num * p->rate_den)
    return TINTA_OK;
  return tinta_fail (err, TINTA_ERR_SIZE_MISMATCH, p->clip_path ? p->clip_path : "",
                     "the clip changed: it is %dx%d, %lld frames at %d/%d fps, the project was "
                     "made for %dx%d, %lld frames at %d/%d fps", info->width, info->height,
                     info->frame_count, info->fps_num, info->fps_den, p->clip_width,
                     p->clip_height, p->clip_frames, p->rate_num, p->rate_den);
}

tinta_project_key *
tinta_project_find_key (const tinta_project *p, long long frame)
{
  size_t lo = 0, hi = p ? p->n_keys : 0;
  while (lo < hi)
    {
      size_t mid = lo + (hi - lo) / 2;
      if (p->keys[mid].frame == frame)
        return &p->keys[mid];
      if (p->keys[mid].frame < frame)
        lo = mid + 1;
      else
        hi = mid;
    }
  return NULL;
}

int
tinta_project_add_key (tinta_project *p, long long frame, const tinta_frame *colors,
                       const float *alpha, tinta_error *err)
{
  if (p == NULL || colors == NULL || (colors->L == NULL && colors->rgb == NULL))
    return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, "", "no keyframe colors given");
  if (p->clip_width < 1 || p->clip_height < 1 || p->clip_frames < 1)
    return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, "", "set the project's clip first");
  if (frame < 0 || frame >= p->clip_frames)
    return tinta_fail (err, TINTA_ERR_OUT_OF_RANGE, "", "keyframe %lld is outside the clip's "
                       "%lld frames", frame, p->clip_frames);
  if (colors->width != p->clip_width || colors->height != p->clip_height)
    return tinta_fail (err, TINTA_ERR_SIZE_MISMATCH, "", "keyframe is %dx%d but the clip is %dx%d",
                       colors->width, colors->height, p->clip_width, p->clip_height);
  tinta_project_key *existing = tinta_project_find_key (p, frame);
  if (existing == NULL && p->n_keys >= TINTA_PROJECT_MAX_KEYS)
    return tinta_fail (err, TINTA_ERR_TOO_LARGE, "", "a project holds at most %d keyframes",
                       TINTA_PROJECT_MAX_KEYS);

  size_t n = (size_t) colors->width * (size_t) colors->height;
  tinta_project_key k = { .frame = frame, .partial = alpha != NULL };
  k.colors = tinta_frame_new (colors->width, colors->height, TINTA_FRAME_LAB | TINTA_FRAME_RGB);
  if (alpha != NULL)
    k.alpha = malloc (n * sizeof (float));
  if (k.colors == NULL || (alpha != NULL && k.alpha == NULL))
    {
      key_clear (&k);
      return tinta_fail (err, TINTA_ERR_NO_MEMORY, "", "out of memory for a keyframe");
    }
  k.colors->has_color = 1;
  if (colors->L != NULL)
    {
      memcpy (k.colors->L, colors->L, n * sizeof (float));
      memcpy (k.colors->a, colors->a, n * sizeof (float));
      memcpy (k.colors->b, colors->b, n * sizeof (float));
      tinta_frame_lab_to_rgb (k.colors);
    }
  else
    {
      memcpy (k.colors->rgb, colors->rgb, n * 3);
      tinta_frame_rgb_to_lab (k.colors);
    }
  if (alpha != NULL)
    memcpy (k.alpha, alpha, n * sizeof (float));

  if (existing != NULL)
    {
      key_clear (existing);
      *existing = k;
      return TINTA_OK;
    }
  tinta_project_key *keys = realloc (p->keys, (p->n_keys + 1) * sizeof *keys);
  if (keys == NULL)
    {
      key_clear (&k);
      return tinta_fail (err, TINTA_ERR_NO_MEMORY, "", "out of memory");
    }
  p->keys = keys;
  size_t at = p->n_keys;
  while (at > 0 && keys[at - 1].frame > frame)
    at--;
  memmove (&keys[at + 1], &keys[at], (p->n_keys - at) * sizeof *keys);
  keys[at] = k;
  p->n_keys++;
  return TINTA_OK;
}

int
tinta_project_remove_key (tinta_project *p, long long frame)
{
  tinta_project_key *k = tinta_project_find_key (p, frame);
  if (k == NULL)
    return TINTA_ERR_NOT_FOUND;
  key_clear (k);
  size_t at = (size_t) (k - p->keys);
  memmove (k, k + 1, (p->n_keys - at - 1) * sizeof *k);
  p->n_keys--;
  return TINTA_OK;
}

/* The one range rule of strokes, for saving, setting and loading alike:
 * NULL if fine, else what is wrong. */
static const char *
stroke_problem (const tinta_stroke *s)
{
  if (!(s->color[0] >= 0.f && s->color[0] <= 100.f))
    return "color L is not in 0..100";
  if (!(fabsf (s->color[1]) <= 200.f && fabsf (s->color[2]) <= 200.f))
    return "color a or b is not in -200..200";
  if (!(s->size > 0.f && s->size <= MAX_BRUSH))
    return "size is not in (0, 65536]";
  if (!(s->hardness >= 0.f && s->hardness <= 1.f))
    return "hardness is not in 0..1";
  if (s->n_points < 1 || s->n_points > TINTA_PROJECT_MAX_POINTS || s->points == NULL)
    return "a stroke needs 1..1000000 points";
  for (size_t i = 0; i < s->n_points; i++)
    {
      const tinta_stroke_point *q = &s->points[i];
      if (!(fabs (q->x) <= MAX_COORD && fabs (q->y) <= MAX_COORD))
        return "a point is not within 1e7 pixels of the image";
      if (!(q->pressure >= 0.0 && q->pressure <= 1.0))
        return "a point's pressure is not in 0..1";
    }
  return NULL;
}

int
tinta_project_key_set_strokes (tinta_project_key *key, const tinta_stroke *strokes, size_t n,
                               tinta_error *err)
{
  if (key == NULL || (n > 0 && strokes == NULL))
    return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, "", "no key or strokes given");
  if (n > TINTA_PROJECT_MAX_STROKES)
    return tinta_fail (err, TINTA_ERR_TOO_LARGE, "", "a keyframe holds at most %d strokes",
                       TINTA_PROJECT_MAX_STROKES);
  for (size_t i = 0; i < n; i++)
    {
      const char *why = stroke_problem (&strokes[i]);
      if (why != NULL)
        return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, "", "stroke %zu: %s", i, why);
    }
  tinta_stroke *copy = n > 0 ? calloc (n, sizeof *copy) : NULL;
  if (n > 0 && copy == NULL)
    return tinta_fail (err, TINTA_ERR_NO_MEMORY, "", "out of memory");
  for (size_t i = 0; i < n; i++)
    {
      copy[i] = strokes[i];
      copy[i].points = malloc (strokes[i].n_points * sizeof (tinta_stroke_point));
      if (copy[i].points == NULL)
        {
          strokes_free (copy, i);
          return tinta_fail (err, TINTA_ERR_NO_MEMORY, "", "out of memory");
        }
      memcpy (copy[i].points, strokes[i].points, strokes[i].n_points * sizeof (tinta_stroke_point));
      copy[i].eraser = strokes[i].eraser != 0;
    }
  strokes_free (key->strokes, key->n_strokes);
  key->strokes = copy;
  key->n_strokes = n;
  return TINTA_OK;
}

/* ---- paths ------------------------------------------------------------ */

/* The folder part of path ("." if none) into dir. */
static void
dir_of (const char *path, char *dir, size_t size)
{
  const char *slash = path ? strrchr (path, '/') : NULL;
  if (slash == NULL)
    snprintf (dir, size, ".");
  else if (slash == path)
    snprintf (dir, size, "/");
  else
    snprintf (dir, size, "%.*s", (int) (slash - path), path);
}

/* An absolute path: realpath if the file exists, else joined to the
 * current folder. 0 on failure. */
static int
absolute_of (const char *path, char *out, size_t size)
{
  char cwd[PATH_MAX];
  if (realpath (path, out) != NULL)   /* out holds PATH_MAX: callers pass that */
    return 1;
  if (path[0] == '/')
    return snprintf (out, size, "%s", path) < (int) size;
  if (getcwd (cwd, sizeof cwd) == NULL)
    return 0;
  return snprintf (out, size, "%s/%s", cwd, path) < (int) size;
}

/* The relative path from folder `from` to `to` (both absolute, normalized
 * by realpath) into out; 0 if it does not fit. */
static int
relative_path (const char *from, const char *to, char *out, size_t size)
{
  size_t common = 0, i = 0;
  /* The longest common prefix ending at a component boundary. */
  for (; from[i] != '\0' && from[i] == to[i]; i++)
    if (from[i] == '/')
      common = i;
  if (from[i] == '\0' && (to[i] == '/' || to[i] == '\0'))
    common = i;
  size_t used = 0;
  out[0] = '\0';
  for (const char *s = from + common; *s != '\0'; s++)
    if (*s == '/' && s[1] != '\0')
      {
        if (used + 3 >= size)
          return 0;
        memcpy (out + used, "../", 4);
        used += 3;
      }
  const char *rest = to + common + (to[common] == '/' ? 1 : 0);
  return snprintf (out + used, size - used, "%s", rest) < (int) (size - used);
}

int
tinta_project_recovery_path (const char *project_path, char *buf, size_t size)
{
  const char *state = getenv ("XDG_STATE_HOME"), *home = getenv ("HOME");
  char dir[PATH_MAX];
  int n;

  if (buf == NULL || size == 0)
    return TINTA_ERR_INVALID_ARGUMENT;
  /* The XDG spec ignores relative values. */
  if (state != NULL && state[0] == '/')
    n = snprintf (dir, sizeof dir, "%s/tinta/recovery", state);
  else if (home != NULL && home[0] == '/')
    n = snprintf (dir, sizeof dir, "%s/.local/state/tinta/recovery", home);
  else
    return TINTA_ERR_UNWRITABLE;
  if (n < 0 || (size_t) n >= sizeof dir)
    return TINTA_ERR_UNWRITABLE;
  /* mkdir -p, private: autosaves may hold unreleased footage's colors. */
  for (char *s = dir + 1;; s++)
    if (*s == '/' || *s == '\0')
      {
        char c = *s;
        *s = '\0';
        if (mkdir (dir, 0700) != 0 && errno != EEXIST)
          return TINTA_ERR_UNWRITABLE;
        *s = c;
        if (c == '\0')
          break;
      }
  if (project_path == NULL)
    n = snprintf (buf, size, "%s/untitled-%ld.tinta", dir, (long) getpid ());
  else if (project_path[0] == '\0')
    n = snprintf (buf, size, "%s/", dir);
  else
    {
      char abs[PATH_MAX], pdir[PATH_MAX], rdir[PATH_MAX], stem[64];
      const char *base = strrchr (project_path, '/');
      base = base ? base + 1 : project_path;
      /* The folder is resolved, not the file: it may not exist yet. */
      dir_of (project_path, pdir, sizeof pdir);
      if (!absolute_of (pdir, rdir, sizeof rdir)
          || snprintf (abs, sizeof abs, "%s/%s", rdir, base) >= (int) sizeof abs)
        return TINTA_ERR_INVALID_ARGUMENT;
      uint64_t h = 0xcbf29ce484222325ull;   /* FNV-1a 64 */
      for (const unsigned char *s = (const unsigned char *) abs; *s; s++)
        h = (h ^ *s) * 0x100000001b3ull;
      /* A readable stem: the name without ".tinta", safe characters only. */
      size_t k = 0;
      for (const char *s = base; *s && k < 40; s++)
        stem[k++] = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')
                    || *s == '-' || *s == '_' || *s == '.' ? *s : '_';
      stem[k] = '\0';
      char *ext = strstr (stem, ".tinta");
      if (ext != NULL && ext[6] == '\0')
        *ext = '\0';
      n = snprintf (buf, size, "%s/%s-%016llx.tinta", dir, stem, (unsigned long long) h);
    }
  if (n < 0 || (size_t) n >= size)
    return TINTA_ERR_INVALID_ARGUMENT;
  return TINTA_OK;
}

/* ---- saving ----------------------------------------------------------- */

/* The shortest decimal that reads back as the same float (locale-safe: the
 * same locale prints and parses it here, cJSON then writes a '.'). */
static double
float_for_json (float f)
{
  char s[32];
  for (int prec = 6; prec < 9; prec++)
    {
      snprintf (s, sizeof s, "%.*g", prec, (double) f);
      if ((float) strtod (s, NULL) == f)
        return strtod (s, NULL);
    }
  return (double) f;
}

/* A strategy name of len bytes fits tinta_project.strategy and is made of
 * the characters names use. */
static int
strategy_ok (const char *s, size_t len)
{
  if (len >= sizeof ((tinta_project *) NULL)->strategy)
    return 0;
  for (size_t i = 0; i < len; i++)
    if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'
          || s[i] == '_'))
      return 0;
  return 1;
}

static int
check_for_save (const tinta_project *p, tinta_error *err, const char *path)
{
#define BAD(...) tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, path, __VA_ARGS__)
  if (p->clip_path == NULL || p->clip_path[0] == '\0' || strlen (p->clip_path) >= MAX_PATH_CHARS)
    return BAD ("the project has no clip");
  if (p->clip_width < 1 || p->clip_height < 1 || p->clip_width > TINTA_MAX_DIMENSION
      || p->clip_height > TINTA_MAX_DIMENSION || p->clip_frames < 1 || p->clip_frames > MAX_FRAMES
      || p->rate_num < 1 || p->rate_den < 1)
    return BAD ("the clip's fingerprint is incomplete or out of range");
  if (p->n_keys > TINTA_PROJECT_MAX_KEYS || (p->n_keys > 0 && p->keys == NULL))
    return BAD ("too many keyframes");
  for (size_t i = 0; i < p->n_keys; i++)
    {
      const tinta_project_key *k = &p->keys[i];
      if (k->frame < 0 || k->frame >= p->clip_frames || (i > 0 && k->frame <= k[-1].frame))
        return BAD ("keyframe %lld: not sorted, repeated or outside the clip", k->frame);
      if (k->colors == NULL || (k->colors->L == NULL && k->colors->rgb == NULL)
          || k->colors->width != p->clip_width || k->colors->height != p->clip_height)
        return BAD ("keyframe %lld: colors missing or not at the clip's size", k->frame);
      if ((k->partial != 0) != (k->alpha != NULL))
        return BAD ("keyframe %lld: partial must be set exactly when there is alpha", k->frame);
      if (k->n_strokes > TINTA_PROJECT_MAX_STROKES || (k->n_strokes > 0 && k->strokes == NULL))
        return BAD ("keyframe %lld: too many strokes", k->frame);
      for (size_t s = 0; s < k->n_strokes; s++)
        {
          const char *why = stroke_problem (&k->strokes[s]);
          if (why != NULL)
            return BAD ("keyframe %lld, stroke %zu: %s", k->frame, s, why);
        }
    }
  if (!strategy_ok (p->strategy, strnlen (p->strategy, sizeof p->strategy)))
    return BAD ("the strategy name is not 0..15 characters a-z 0-9 - _");
  if (p->working_height < 0 || p->working_height > TINTA_MAX_DIMENSION || p->view_mode < 0
      || p->view_mode > 255 || p->view_layout < 0 || p->view_layout > 255 || p->playhead < 0
      || p->playhead >= p->clip_frames)
    return BAD ("a setting is out of range");
  if (p->recovery_of != NULL
      && (p->recovery_of[0] != '/' || strlen (p->recovery_of) >= MAX_PATH_CHARS))
    return BAD ("recovery_of must be an absolute path");
  return TINTA_OK;
#undef BAD
}

/* Adds the key's image and alpha (base64 strings owned by *owned, which
 * the caller frees after printing: the tree only references them). */
static int
add_key_json (cJSON *arr, const tinta_project_key *k, char **owned, size_t *total,
              const char *path, tinta_error *err)
{
  const tinta_frame *c = k->colors;
  size_t n = (size_t) c->width * c->height;
  cJSON *o = cJSON_CreateObject ();
  int st = TINTA_OK;
  if (o == NULL || !cJSON_AddItemToArray (arr, o))
    {
      cJSON_Delete (o);
      return tinta_fail (err, TINTA_ERR_NO_MEMORY, path, "out of memory");
    }
  cJSON_AddNumberToObject (o, "frame", (double) k->frame);
  cJSON_AddStringToObject (o, "kind", k->partial ? "partial" : "full");

  const uint8_t *rgb = c->rgb;
  uint8_t *tmp = NULL;
  if (c->L != NULL)
    {
      /* Lab is authoritative (see project.h). */
      if ((tmp = malloc (n * 3)) == NULL)
        return tinta_fail (err, TINTA_ERR_NO_MEMORY, path, "out of memory");
      tinta_lab_to_srgb8 (c->L, c->a, c->b, n, tmp);
      rgb = tmp;
    }
  st = png_encode_b64 (rgb, c->width, c->height, 3, &owned[0], path, err);
  free (tmp);
  if (st < 0)
    return st;
  cJSON_AddItemToObject (o, "image", cJSON_CreateStringReference (owned[0]));
  *total += strlen (owned[0]);
  if (k->alpha != NULL)
    {
      uint8_t *g = malloc (n);
      if (g == NULL)
        return tinta_fail (err, TINTA_ERR_NO_MEMORY, path, "out of memory");
      for (size_t i = 0; i < n; i++)
        {
          float v = k->alpha[i];
          g[i] = (uint8_t) (v >= 1.f ? 255 : v > 0.f ? lrintf (v * 255.f) : 0);   /* NaN -> 0 */
        }
      st = png_encode_b64 (g, c->width, c->height, 1, &owned[1], path, err);
      free (g);
      if (st < 0)
        return st;
      cJSON_AddItemToObject (o, "alpha", cJSON_CreateStringReference (owned[1]));
      *total += strlen (owned[1]);
    }
  if (k->n_strokes == 0)
    return TINTA_OK;
  cJSON *strokes = cJSON_AddArrayToObject (o, "strokes");
  for (size_t i = 0; strokes != NULL && i < k->n_strokes; i++)
    {
      const tinta_stroke *s = &k->strokes[i];
      cJSON *so = cJSON_CreateObject ();
      cJSON_AddItemToArray (strokes, so);
      cJSON *col = cJSON_AddArrayToObject (so, "color");
      for (int j = 0; j < 3; j++)
        cJSON_AddItemToArray (col, cJSON_CreateNumber (float_for_json (s->color[j])));
      cJSON_AddNumberToObject (so, "size", float_for_json (s->size));
      cJSON_AddNumberToObject (so, "hardness", float_for_json (s->hardness));
      cJSON_AddBoolToObject (so, "eraser", s->eraser != 0);
      cJSON *pts = cJSON_AddArrayToObject (so, "points");
      for (size_t j = 0; pts != NULL && j < s->n_points; j++)
        {
          double v[3] = { s->points[j].x, s->points[j].y, s->points[j].pressure };
          cJSON_AddItemToArray (pts, cJSON_CreateDoubleArray (v, 3));
        }
      *total += s->n_points * 40 + 128;
    }
  return TINTA_OK;
}

static size_t
count_nodes (const cJSON *c)
{
  size_t n = 0;
  for (; c != NULL; c = c->next)
    n += 1 + count_nodes (c->child);
  return n;
}

/* What the tree must hold if no allocation failed: cJSON's adders ignore
 * a NULL parent or item, so one count at the end replaces a check after
 * each of them. */
static size_t
expected_nodes (const tinta_project *p, int has_rel)
{
  size_t n = 1 + 3                   /* root; format, version, generator */
             + 8 + (size_t) has_rel  /* clip, 4 values, rate and its 2 numbers; path */
             + 7                     /* settings, 3 values, view and its 2 */
             + (p->recovery_of ? 2 : 0)
             + 1;                    /* keyframes */
  for (size_t i = 0; i < p->n_keys; i++)
    {
      const tinta_project_key *k = &p->keys[i];
      n += 4 + (k->alpha ? 1 : 0) + (k->n_strokes ? 1 : 0);   /* object, frame, kind, image */
      for (size_t s = 0; s < k->n_strokes; s++)
        n += 9 + 4 * k->strokes[s].n_points;   /* object, color + 3, 3 values, points */
    }
  return n;
}

int
tinta_project_save (const tinta_project *p, const char *path, tinta_error *err)
{
  char target[PATH_MAX], abs_clip[PATH_MAX], pdir[PATH_MAX], rdir[PATH_MAX], rel[PATH_MAX];
  struct stat lst;
  cJSON *root = NULL;
  char **owned = NULL;
  char *text = NULL;
  size_t total = 65536;
  int st;

  if (p == NULL || path == NULL || path[0] == '\0')
    return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, path, "no project or path given");
  if ((st = check_for_save (p, err, path)) < 0)
    return st;
  /* Saving through a symbolic link replaces the file it points to. */
  if (lstat (path, &lst) == 0 && S_ISLNK (lst.st_mode) && realpath (path, target) != NULL)
    path = target;
  tinta_av_init ();

  owned = calloc (2 * p->n_keys + 1, sizeof *owned);
  root = cJSON_CreateObject ();
  if (owned == NULL || root == NULL)
    {
      st = tinta_fail (err, TINTA_ERR_NO_MEMORY, path, "out of memory");
      goto out;
    }
  cJSON_AddStringToObject (root, "format", TINTA_PROJECT_FORMAT);
  cJSON_AddNumberToObject (root, "version", TINTA_PROJECT_VERSION);
  cJSON_AddStringToObject (root, "generator", "tinta " TINTA_VERSION_STRING);

  cJSON *clip = cJSON_AddObjectToObject (root, "clip");
  if (!absolute_of (p->clip_path, abs_clip, sizeof abs_clip))
    snprintf (abs_clip, sizeof abs_clip, "%s", p->clip_path);
  dir_of (path, pdir, sizeof pdir);
  int has_rel = abs_clip[0] == '/' && realpath (pdir, rdir) != NULL
                && relative_path (rdir, abs_clip, rel, sizeof rel) && rel[0] != '\0';
  if (has_rel)
    cJSON_AddStringToObject (clip, "path", rel);
  cJSON_AddStringToObject (clip, "absolute_path", abs_clip);
  cJSON_AddNumberToObject (clip, "frames", (double) p->clip_frames);
  cJSON_AddNumberToObject (clip, "width", p->clip_width);
  cJSON_AddNumberToObject (clip, "height", p->clip_height);
  int rate[2] = { p->rate_num, p->rate_den };
  cJSON_AddItemToObject (clip, "rate", cJSON_CreateIntArray (rate, 2));

  cJSON *set = cJSON_AddObjectToObject (root, "settings");
  cJSON_AddStringToObject (set, "strategy", p->strategy);
  cJSON_AddNumberToObject (set, "working_height", p->working_height);
  cJSON *view = cJSON_AddObjectToObject (set, "view");
  cJSON_AddNumberToObject (view, "mode", p->view_mode);
  cJSON_AddNumberToObject (view, "layout", p->view_layout);
  cJSON_AddNumberToObject (set, "playhead", (double) p->playhead);
  if (p->recovery_of != NULL)
    cJSON_AddStringToObject (cJSON_AddObjectToObject (root, "recovery"), "project",
                             p->recovery_of);

  cJSON *keys = cJSON_AddArrayToObject (root, "keyframes");
  for (size_t i = 0; keys != NULL && i < p->n_keys; i++)
    if ((st = add_key_json (keys, &p->keys[i], owned + 2 * i, &total, path, err)) < 0)
      goto out;
  if (keys == NULL || count_nodes (root) != expected_nodes (p, has_rel))
    {
      st = tinta_fail (err, TINTA_ERR_NO_MEMORY, path, "out of memory");
      goto out;
    }
  if (total >= (size_t) TINTA_PROJECT_MAX_BYTES)
    {
      st = tinta_fail (err, TINTA_ERR_TOO_LARGE, path, "the project would exceed %lld bytes",
                       (long long) TINTA_PROJECT_MAX_BYTES);
      goto out;
    }
  text = cJSON_PrintBuffered (root, (int) total, 1);
  if (text == NULL)
    {
      st = tinta_fail (err, TINTA_ERR_NO_MEMORY, path, "out of memory printing the project");
      goto out;
    }
  size_t len = strlen (text);
  if ((long long) len >= TINTA_PROJECT_MAX_BYTES)
    {
      st = tinta_fail (err, TINTA_ERR_TOO_LARGE, path, "the project would exceed %lld bytes",
                       (long long) TINTA_PROJECT_MAX_BYTES);
      goto out;
    }
  text[len] = '\n';   /* replaces the terminator: write len + 1 bytes */
  st = tinta_write_file_atomic (path, text, len + 1, err);
out:
  cJSON_Delete (root);
  cJSON_free (text);
  for (size_t i = 0; owned != NULL && i < 2 * p->n_keys; i++)
    free (owned[i]);
  free (owned);
  return st;
}

/* ---- loading ---------------------------------------------------------- */

typedef struct {
  const char  *path;
  tinta_error *err;
} loader;

static int bad (loader *c, int status, const char *fmt, ...) TINTA_PRINTF (3, 4);

static int
bad (loader *c, int status, const char *fmt, ...)
{
  char msg[400];
  va_list ap;
  va_start (ap, fmt);
  vsnprintf (msg, sizeof msg, fmt, ap);
  va_end (ap);
  return tinta_fail (c->err, status, c->path, "%s", msg);
}

/* A number member: absent -> def (or an error if required); it must be
 * finite, in [lo, hi] and, if integral, a whole number. */
static int
get_num (loader *c, const cJSON *obj, const char *where, const char *key, double lo, double hi,
         int integral, int required, double def, double *out)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive (obj, key);
  if (v == NULL && !required)
    {
      *out = def;
      return TINTA_OK;
    }
  if (v == NULL)
    return bad (c, TINTA_ERR_INVALID_DATA, "%s.%s is missing", where, key);
  double d = v->valuedouble;
  if (!cJSON_IsNumber (v) || !isfinite (d) || (integral && d != floor (d)) || d < lo || d > hi)
    return bad (c, TINTA_ERR_INVALID_DATA, "%s.%s must be %s in %.17g..%.17g", where, key,
                integral ? "an integer" : "a number", lo, hi);
  *out = d;
  return TINTA_OK;
}

/* A string member of 1..max-1 bytes, or NULL if absent and optional. */
static int
get_str (loader *c, const cJSON *obj, const char *where, const char *key, size_t max,
         int required, const char **out)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive (obj, key);
  *out = NULL;
  if (v == NULL && !required)
    return TINTA_OK;
  if (!cJSON_IsString (v) || v->valuestring[0] == '\0' || strlen (v->valuestring) >= max)
    return bad (c, TINTA_ERR_INVALID_DATA, "%s.%s must be a string of 1..%zu bytes", where, key,
                max - 1);
  *out = v->valuestring;
  return TINTA_OK;
}

static int
decode_image (loader *c, const cJSON *v, const char *field, int w, int h, int channels,
              uint8_t *dst)
{
  uint8_t *png = NULL;
  size_t n = 0;
  if (!cJSON_IsString (v))
    return bad (c, TINTA_ERR_INVALID_DATA, "%s must be a base64 PNG string", field);
  int r = b64_decode (v->valuestring, strlen (v->valuestring), &png, &n);
  if (r == -2)
    return bad (c, TINTA_ERR_NO_MEMORY, "out of memory");
  if (r < 0)
    return bad (c, TINTA_ERR_INVALID_DATA, "%s is not valid base64", field);
  int st = png_decode (png, n, w, h, channels, dst, c->path, field, c->err);
  free (png);
  return st;
}

static int
parse_stroke (loader *c, const cJSON *o, const char *where, tinta_stroke *s)
{
  double v[3];
  int st;
  const cJSON *col = cJSON_GetObjectItemCaseSensitive (o, "color");
  const cJSON *pts = cJSON_GetObjectItemCaseSensitive (o, "points");
  const cJSON *er = cJSON_GetObjectItemCaseSensitive (o, "eraser");

  if (!cJSON_IsObject (o))
    return bad (c, TINTA_ERR_INVALID_DATA, "%s is not an object", where);
  if (!cJSON_IsArray (col) || cJSON_GetArraySize (col) != 3)
    return bad (c, TINTA_ERR_INVALID_DATA, "%s.color must be [L, a, b]", where);
  int j = 0;
  for (const cJSON *e = col->child; e != NULL; e = e->next)
    {
      /* Bounded before the conversion to float (which would be undefined). */
      if (!cJSON_IsNumber (e) || !(fabs (e->valuedouble) <= 1e6))
        return bad (c, TINTA_ERR_INVALID_DATA, "%s.color must be [L, a, b]", where);
      s->color[j++] = (float) e->valuedouble;
    }
  if ((st = get_num (c, o, where, "size", -1e6, 1e6, 0, 1, 0, &v[0])) < 0
      || (st = get_num (c, o, where, "hardness", -1e6, 1e6, 0, 1, 0, &v[1])) < 0)
    return st;
  s->size = (float) v[0];
  s->hardness = (float) v[1];
  if (er != NULL && !cJSON_IsBool (er))
    return bad (c, TINTA_ERR_INVALID_DATA, "%s.eraser must be true or false", where);
  s->eraser = cJSON_IsTrue (er);
  if (!cJSON_IsArray (pts))
    return bad (c, TINTA_ERR_INVALID_DATA, "%s.points must be an array", where);
  int np = cJSON_GetArraySize (pts);
  if (np > TINTA_PROJECT_MAX_POINTS)
    return bad (c, TINTA_ERR_TOO_LARGE, "%s has %d points, more than %d", where, np,
                TINTA_PROJECT_MAX_POINTS);
  s->points = np > 0 ? malloc ((size_t) np * sizeof *s->points) : NULL;
  if (np > 0 && s->points == NULL)
    return bad (c, TINTA_ERR_NO_MEMORY, "out of memory");
  for (const cJSON *e = pts->child; e != NULL; e = e->next)
    {
      int ok = cJSON_IsArray (e) && cJSON_GetArraySize (e) == 3;
      j = 0;
      for (const cJSON *x = ok ? e->child : NULL; x != NULL; x = x->next)
        {
          ok &= cJSON_IsNumber (x) && isfinite (x->valuedouble);
          v[j++] = x->valuedouble;
        }
      if (!ok)
        return bad (c, TINTA_ERR_INVALID_DATA, "%s.points[%zu] must be [x, y, pressure]", where,
                    s->n_points);
      s->points[s->n_points++] = (tinta_stroke_point) { v[0], v[1], v[2] };
    }
  const char *why = stroke_problem (s);
  if (why != NULL)
    return bad (c, TINTA_ERR_INVALID_DATA, "%s: %s", where, why);
  return TINTA_OK;
}

static int
parse_key (loader *c, const cJSON *o, size_t index, const tinta_project *p, tinta_project_key *k)
{
  char where[64], field[96];
  double frame;
  int st, w = p->clip_width, h = p->clip_height;
  size_t n = (size_t) w * (size_t) h;

  snprintf (where, sizeof where, "keyframes[%zu]", index);
  if (!cJSON_IsObject (o))
    return bad (c, TINTA_ERR_INVALID_DATA, "%s is not an object", where);
  const cJSON *kind = cJSON_GetObjectItemCaseSensitive (o, "kind");
  const cJSON *alpha = cJSON_GetObjectItemCaseSensitive (o, "alpha");
  const cJSON *strokes = cJSON_GetObjectItemCaseSensitive (o, "strokes");
  if ((st = get_num (c, o, where, "frame", 0, (double) (p->clip_frames - 1), 1, 1, 0, &frame)) < 0)
    return st;
  k->frame = (long long) frame;
  if (!cJSON_IsString (kind) || (strcmp (kind->valuestring, "full") != 0
                                 && strcmp (kind->valuestring, "partial") != 0))
    return bad (c, TINTA_ERR_INVALID_DATA, "%s.kind must be \"full\" or \"partial\"", where);
  k->partial = strcmp (kind->valuestring, "partial") == 0;
  if (k->partial != (alpha != NULL))
    return bad (c, TINTA_ERR_INVALID_DATA, "%s: a %s keyframe %s an alpha mask", where,
                kind->valuestring, k->partial ? "needs" : "has no");
  if (strokes != NULL && !cJSON_IsArray (strokes))
    return bad (c, TINTA_ERR_INVALID_DATA, "%s.strokes must be an array", where);
  int ns = cJSON_GetArraySize (strokes);
  if (ns > TINTA_PROJECT_MAX_STROKES)
    return bad (c, TINTA_ERR_TOO_LARGE, "%s has %d strokes, more than %d", where, ns,
                TINTA_PROJECT_MAX_STROKES);

  /* Strokes before images: the cheap checks first. */
  if (ns > 0 && (k->strokes = calloc ((size_t) ns, sizeof *k->strokes)) == NULL)
    return bad (c, TINTA_ERR_NO_MEMORY, "out of memory");
  for (const cJSON *e = strokes ? strokes->child : NULL; e != NULL; e = e->next)
    {
      snprintf (field, sizeof field, "%s.strokes[%zu]", where, k->n_strokes);
      st = parse_stroke (c, e, field, &k->strokes[k->n_strokes++]);
      if (st < 0)
        return st;
    }

  k->colors = tinta_frame_new (w, h, TINTA_FRAME_LAB | TINTA_FRAME_RGB);
  if (k->colors == NULL)
    return bad (c, TINTA_ERR_NO_MEMORY, "out of memory for %s (%dx%d)", where, w, h);
  snprintf (field, sizeof field, "%s.image", where);
  st = decode_image (c, cJSON_GetObjectItemCaseSensitive (o, "image"), field, w, h, 3,
                     k->colors->rgb);
  if (st < 0)
    return st;
  k->colors->has_color = 1;
  tinta_frame_rgb_to_lab (k->colors);
  if (alpha != NULL)
    {
      uint8_t *g = malloc (n + 64);
      k->alpha = malloc (n * sizeof (float));
      if (g == NULL || k->alpha == NULL)
        {
          free (g);
          return bad (c, TINTA_ERR_NO_MEMORY, "out of memory for %s", where);
        }
      snprintf (field, sizeof field, "%s.alpha", where);
      st = decode_image (c, alpha, field, w, h, 1, g);
      for (size_t i = 0; st == TINTA_OK && i < n; i++)
        k->alpha[i] = (float) g[i] / 255.f;
      free (g);
      if (st < 0)
        return st;
    }
  return TINTA_OK;
}

static int
key_cmp (const void *a, const void *b)
{
  long long x = ((const tinta_project_key *) a)->frame, y = ((const tinta_project_key *) b)->frame;
  return x < y ? -1 : x > y;
}

static int
parse_clip (loader *c, const cJSON *root, tinta_project *p)
{
  const cJSON *clip = cJSON_GetObjectItemCaseSensitive (root, "clip");
  const cJSON *rate = cJSON_GetObjectItemCaseSensitive (clip, "rate");
  const char *rel, *abs;
  double v[3];
  int st;

  if (!cJSON_IsObject (clip))
    return bad (c, TINTA_ERR_INVALID_DATA, "the project names no clip (\"clip\" object)");
  if ((st = get_num (c, clip, "clip", "width", 1, INT_MAX, 1, 1, 0, &v[0])) < 0
      || (st = get_num (c, clip, "clip", "height", 1, INT_MAX, 1, 1, 0, &v[1])) < 0
      || (st = get_num (c, clip, "clip", "frames", 1, (double) MAX_FRAMES, 1, 1, 0, &v[2])) < 0)
    return st;
  if (v[0] > TINTA_MAX_DIMENSION || v[1] > TINTA_MAX_DIMENSION)
    return bad (c, TINTA_ERR_TOO_LARGE, "clip size %.0fx%.0f is beyond %d pixels per side", v[0],
                v[1], TINTA_MAX_DIMENSION);
  p->clip_width = (int) v[0];
  p->clip_height = (int) v[1];
  p->clip_frames = (long long) v[2];
  if (!cJSON_IsArray (rate) || cJSON_GetArraySize (rate) != 2)
    return bad (c, TINTA_ERR_INVALID_DATA, "clip.rate must be [numerator, denominator]");
  int *dst[2] = { &p->rate_num, &p->rate_den }, j = 0;
  for (const cJSON *e = rate->child; e != NULL; e = e->next, j++)
    {
      if (!cJSON_IsNumber (e) || !(e->valuedouble >= 1 && e->valuedouble <= INT_MAX)
          || e->valuedouble != floor (e->valuedouble))
        return bad (c, TINTA_ERR_INVALID_DATA, "clip.rate must be two integers in 1..%d", INT_MAX);
      *dst[j] = (int) e->valuedouble;
    }
  if ((st = get_str (c, clip, "clip", "path", MAX_PATH_CHARS, 0, &rel)) < 0
      || (st = get_str (c, clip, "clip", "absolute_path", MAX_PATH_CHARS, 0, &abs)) < 0)
    return st;
  if (rel == NULL && abs == NULL)
    return bad (c, TINTA_ERR_INVALID_DATA, "clip.path and clip.absolute_path are both missing");

  /* Relative first: a project moved together with its clip keeps working
   * even if the old absolute path still holds another copy. */
  char dir[PATH_MAX], joined[PATH_MAX], real[PATH_MAX];
  const char *chosen = abs;
  struct stat sb;
  if (rel != NULL)
    {
      dir_of (c->path, dir, sizeof dir);
      int len = rel[0] == '/' ? snprintf (joined, sizeof joined, "%s", rel)
                              : snprintf (joined, sizeof joined, "%s/%s", dir, rel);
      if (len < 0 || (size_t) len >= sizeof joined)
        return bad (c, TINTA_ERR_INVALID_DATA, "clip.path is too long");
      if (stat (joined, &sb) == 0)
        chosen = realpath (joined, real) != NULL ? real : joined;
      else if (abs == NULL)
        chosen = joined;
    }
  if ((p->clip_path = strdup (chosen)) == NULL)
    return bad (c, TINTA_ERR_NO_MEMORY, "out of memory");
  return TINTA_OK;
}

static int
parse_settings (loader *c, const cJSON *root, tinta_project *p)
{
  const cJSON *set = cJSON_GetObjectItemCaseSensitive (root, "settings");
  const cJSON *rec = cJSON_GetObjectItemCaseSensitive (root, "recovery");
  const char *s;
  double v[4];
  int st;

  if (set != NULL && !cJSON_IsObject (set))
    return bad (c, TINTA_ERR_INVALID_DATA, "settings must be an object");
  const cJSON *view = cJSON_GetObjectItemCaseSensitive (set, "view");
  if (view != NULL && !cJSON_IsObject (view))
    return bad (c, TINTA_ERR_INVALID_DATA, "settings.view must be an object");
  const cJSON *strat = cJSON_GetObjectItemCaseSensitive (set, "strategy");
  if (strat != NULL)
    {
      if (!cJSON_IsString (strat) || !strategy_ok (strat->valuestring, strlen (strat->valuestring)))
        return bad (c, TINTA_ERR_INVALID_DATA, "settings.strategy must be a name of at most %zu "
                    "characters a-z 0-9 - _", sizeof p->strategy - 1);
      snprintf (p->strategy, sizeof p->strategy, "%s", strat->valuestring);
    }
  if ((st = get_num (c, set, "settings", "working_height", 0, TINTA_MAX_DIMENSION, 1, 0, 0,
                     &v[0])) < 0
      || (st = get_num (c, view, "settings.view", "mode", 0, 255, 1, 0, 0, &v[1])) < 0
      || (st = get_num (c, view, "settings.view", "layout", 0, 255, 1, 0, 0, &v[2])) < 0
      || (st = get_num (c, set, "settings", "playhead", 0, (double) (p->clip_frames - 1), 1, 0, 0,
                        &v[3])) < 0)
    return st;
  p->working_height = (int) v[0];
  p->view_mode = (int) v[1];
  p->view_layout = (int) v[2];
  p->playhead = (long long) v[3];
  if (rec != NULL)
    {
      if (!cJSON_IsObject (rec) || (st = get_str (c, rec, "recovery", "project", MAX_PATH_CHARS,
                                                   1, &s)) < 0 || s[0] != '/')
        return bad (c, TINTA_ERR_INVALID_DATA, "recovery.project must be an absolute path");
      if ((p->recovery_of = strdup (s)) == NULL)
        return bad (c, TINTA_ERR_NO_MEMORY, "out of memory");
    }
  return TINTA_OK;
}

/* Structure of the text before cJSON builds a tree: nesting depth, an
 * upper bound of the number of values, and whether the text ends inside a
 * string or an unclosed object (a truncated file). */
typedef struct {
  int    too_deep;
  size_t values;
  int    unclosed;
  size_t open_string;   /* offset of the last string's opening quote */
  int    in_string;
} json_shape;

static void
scan_json (const char *s, size_t n, json_shape *out)
{
  int depth = 0;
  memset (out, 0, sizeof *out);
  out->values = 1;
  for (size_t i = 0; i < n; i++)
    {
      char ch = s[i];
      if (out->in_string)
        {
          if (ch == '\\')
            i++;
          else if (ch == '"')
            out->in_string = 0;
        }
      else if (ch == '"')
        {
          out->in_string = 1;
          out->open_string = i;
        }
      else if (ch == '{' || ch == '[')
        {
          out->values++;
          if (++depth > MAX_DEPTH)
            out->too_deep = 1;
        }
      else if (ch == '}' || ch == ']')
        depth--;
      else if (ch == ',')
        out->values++;
    }
  out->unclosed = depth > 0 || out->in_string;
}

/* The offset of the first non-blank byte at or after `from` (the buffer
 * has no terminator). */
static size_t
skip_space (const char *s, size_t n, size_t from)
{
  while (from < n && (s[from] == ' ' || s[from] == '\t' || s[from] == '\r' || s[from] == '\n'))
    from++;
  return from;
}

int
tinta_project_load_memory (const void *data, size_t size, const char *path, tinta_project **out,
                           tinta_error *err)
{
  loader lc = { path ? path : "", err }, *c = &lc;
  const char *text = data, *end = NULL;
  tinta_project *p = NULL;
  cJSON *root = NULL;
  json_shape shape;
  double version;
  int st = TINTA_OK;

  if (out == NULL)
    return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, lc.path, "no output given");
  *out = NULL;
  if (data == NULL || size == 0)
    return bad (c, TINTA_ERR_EMPTY_FILE, "file is empty (0 bytes)");
  if ((unsigned long long) size > (unsigned long long) TINTA_PROJECT_MAX_BYTES)
    return bad (c, TINTA_ERR_TOO_LARGE, "a project file is at most %lld bytes",
                (long long) TINTA_PROJECT_MAX_BYTES);
  if (memchr (text, '\0', size) != NULL)
    return bad (c, TINTA_ERR_INVALID_DATA, "not a Tinta project (binary data)");
  if (size >= 3 && memcmp (text, "\xef\xbb\xbf", 3) == 0)   /* a UTF-8 BOM from some editor */
    text += 3, size -= 3;
  scan_json (text, size, &shape);
  if (shape.too_deep)
    return bad (c, TINTA_ERR_INVALID_DATA, "not a Tinta project (JSON nested more than %d deep)",
                MAX_DEPTH);
  if (shape.values > MAX_VALUES)
    return bad (c, TINTA_ERR_TOO_LARGE, "more than %d JSON values", MAX_VALUES);
  root = cJSON_ParseWithLengthOpts (text, size, &end, 0);
  if (root == NULL)
    {
      size_t at = end != NULL && end >= text ? (size_t) (end - text) : 0, line = 1, col = 1;
      size_t first = skip_space (text, size, 0);
      /* cJSON points at the start of a string it could not finish, or
       * near the end for anything else cut short. */
      if (shape.unclosed && first < size && text[first] == '{'
          && (shape.in_string ? at >= shape.open_string : at + 8 >= size))
        return bad (c, TINTA_ERR_TRUNCATED, "the file ends early (%zu bytes): it was cut off",
                    size);
      for (size_t i = 0; i < at && i < size; i++)
        text[i] == '\n' ? (line++, col = 1) : col++;
      return bad (c, TINTA_ERR_INVALID_DATA, "not a Tinta project (invalid JSON at line %zu, "
                  "column %zu)", line, col);
    }
  if (skip_space (text, size, (size_t) (end - text)) < size)
    {
      st = bad (c, TINTA_ERR_INVALID_DATA, "not a Tinta project (data after the JSON)");
      goto out;
    }
  const cJSON *fmt = cJSON_GetObjectItemCaseSensitive (root, "format");
  if (!cJSON_IsObject (root) || !cJSON_IsString (fmt)
      || strcmp (fmt->valuestring, TINTA_PROJECT_FORMAT) != 0)
    {
      st = bad (c, TINTA_ERR_INVALID_DATA, "not a Tinta project (no \"format\": \"%s\")",
                TINTA_PROJECT_FORMAT);
      goto out;
    }
  const cJSON *ver = cJSON_GetObjectItemCaseSensitive (root, "version");
  if (!cJSON_IsNumber (ver) || !(ver->valuedouble >= 1)
      || ver->valuedouble != floor (ver->valuedouble))
    {
      st = bad (c, TINTA_ERR_INVALID_DATA, "project format version is missing or not a positive "
                "integer");
      goto out;
    }
  version = ver->valuedouble;
  if (version > TINTA_PROJECT_VERSION)
    {
      st = bad (c, TINTA_ERR_INVALID_DATA, "made by a newer Tinta: format version %.0f, this one "
                "reads up to version %d", version > 1e9 ? 1e9 : version, TINTA_PROJECT_VERSION);
      goto out;
    }
  if ((p = tinta_project_new ()) == NULL)
    {
      st = bad (c, TINTA_ERR_NO_MEMORY, "out of memory");
      goto out;
    }
  if ((st = parse_clip (c, root, p)) < 0 || (st = parse_settings (c, root, p)) < 0)
    goto out;

  const cJSON *keys = cJSON_GetObjectItemCaseSensitive (root, "keyframes");
  if (keys != NULL && !cJSON_IsArray (keys))
    {
      st = bad (c, TINTA_ERR_INVALID_DATA, "keyframes must be an array");
      goto out;
    }
  int nk = cJSON_GetArraySize (keys);
  if (nk > TINTA_PROJECT_MAX_KEYS)
    {
      st = bad (c, TINTA_ERR_TOO_LARGE, "%d keyframes, more than %d", nk, TINTA_PROJECT_MAX_KEYS);
      goto out;
    }
  /* The keys' frames must fit in this machine's memory: a small file of
   * well-compressed PNGs could otherwise ask for terabytes. */
  double need = 0, pixels = (double) p->clip_width * p->clip_height;
  for (const cJSON *e = keys ? keys->child : NULL; e != NULL; e = e->next)
    need += pixels * (cJSON_GetObjectItemCaseSensitive (e, "alpha") ? 19 : 15);
  double ram = (double) sysconf (_SC_PHYS_PAGES) * (double) sysconf (_SC_PAGESIZE);
  if (ram > 0 && need > ram)
    {
      st = bad (c, TINTA_ERR_TOO_LARGE, "its %d keyframes need %.1f GB of memory, more than "
                "this machine's %.1f GB", nk, need / 1e9, ram / 1e9);
      goto out;
    }
  if (nk > 0 && (p->keys = calloc ((size_t) nk, sizeof *p->keys)) == NULL)
    {
      st = bad (c, TINTA_ERR_NO_MEMORY, "out of memory");
      goto out;
    }
  for (const cJSON *e = keys ? keys->child : NULL; e != NULL; e = e->next)
    {
      /* Counted first, so that a half-read key is freed with the project. */
      tinta_project_key *k = &p->keys[p->n_keys++];
      if ((st = parse_key (c, e, p->n_keys - 1, p, k)) < 0)
        goto out;
    }
  if (p->n_keys > 1)
    qsort (p->keys, p->n_keys, sizeof *p->keys, key_cmp);
  for (size_t i = 1; i < p->n_keys; i++)
    if (p->keys[i].frame == p->keys[i - 1].frame)
      {
        st = bad (c, TINTA_ERR_INVALID_DATA, "two keyframes at frame %lld", p->keys[i].frame);
        goto out;
      }
  *out = p;
  p = NULL;
out:
  tinta_project_free (p);
  cJSON_Delete (root);
  return st;
}

int
tinta_project_load (const char *path, tinta_project **out, tinta_error *err)
{
  int is_dir = 0, fd;
  long long size = 0;
  char *buf;
  size_t got = 0;

  if (out != NULL)
    *out = NULL;
  if (out == NULL)
    return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, path, "no output given");
  int st = tinta_check_input (path, &is_dir, &size, err);
  if (st < 0)
    return st;
  if (is_dir)
    return tinta_fail (err, TINTA_ERR_INVALID_DATA, path, "is a folder, not a Tinta project");
  if (size > TINTA_PROJECT_MAX_BYTES)
    return tinta_fail (err, TINTA_ERR_TOO_LARGE, path, "a project file is at most %lld bytes",
                       (long long) TINTA_PROJECT_MAX_BYTES);
  if ((buf = malloc ((size_t) size + 1)) == NULL)
    return tinta_fail (err, TINTA_ERR_NO_MEMORY, path, "out of memory");
  if ((fd = open (path, O_RDONLY | O_CLOEXEC)) < 0)
    {
      free (buf);
      return tinta_fail (err, TINTA_ERR_IO, path, "cannot open: %s", strerror (errno));
    }
  while (got < (size_t) size)
    {
      ssize_t r = read (fd, buf + got, (size_t) size - got);
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        break;
      got += (size_t) r;
    }
  int e = errno;
  close (fd);
  if (got < (size_t) size)
    {
      free (buf);
      return tinta_fail (err, TINTA_ERR_IO, path, "read failed: %s",
                         got ? "the file shrank while being read" : strerror (e));
    }
  st = tinta_project_load_memory (buf, got, path, out, err);
  free (buf);
  return st;
}
