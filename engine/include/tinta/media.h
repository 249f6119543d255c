/* Media input: any file FFmpeg reads, or a folder of numbered images, with
 * frame-accurate random access; keyframe image import.
 *
 *   tinta_media *m = NULL;
 *   tinta_error err = {0};
 *   if (tinta_media_open ("shot.mov", &m, &err) < 0) { report (&err); return; }
 *   const tinta_media_info *info = tinta_media_get_info (m);
 *   tinta_frame *f = tinta_frame_new (info->width, info->height,
 *                                     TINTA_FRAME_LAB | TINTA_FRAME_RGB);
 *   for (long long k = 0; k < info->frame_count; k++)
 *     if (tinta_media_read (m, k, f, &err) < 0) break;
 *   tinta_frame_free (f);
 *   tinta_media_free (m);
 *
 * Opening builds an index of every frame (demuxing packets, not decoding
 * them), so frame_count is exact and tinta_media_read (m, k) returns exactly
 * the picture that sequential decoding returns as frame k, whatever the GOP
 * structure (B-frames, open GOPs).  Reading k+1 after k never seeks.
 *
 * Pixels are converted to 8-bit sRGB with swscale's bicubic filter (what the
 * `ffmpeg` program does by default), honouring the stream's range and
 * matrix; Lab is computed from those bytes (tinta/color.h).  That is the
 * decode path of the evaluation protocol (design.md §4).
 *
 * Thread safety: a tinta_media is used by one thread at a time; open one
 * per thread to decode in parallel.
 */
#pragma once

#include <stdint.h>
#include "status.h"
#include "frame.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tinta_media tinta_media;

typedef struct {
  int       width;
  int       height;
  long long frame_count;
  int       fps_num;            /* frame rate as a fraction, e.g. 30000/1001 */
  int       fps_den;
  int       has_color;          /* 0 for gray pixel formats */
  int       is_image_sequence;
  char      pixel_format[32];   /* FFmpeg's name, e.g. "yuv420p" */
  char      codec[32];          /* FFmpeg's decoder name, e.g. "h264" */
  char      container[32];      /* "mov,mp4,...", or "image sequence" */
  char      first_name[256];    /* image sequences: first file name */
} tinta_media_info;

/* Image sequences have no rate of their own; this one is reported. */
#define TINTA_IMAGE_SEQUENCE_FPS 24

/* Opens a media file or a folder of numbered images (e.g. 00000.jpg...,
 * frame_0001.png...; the largest group of same prefix/suffix wins; numbers
 * must be consecutive). */
int  tinta_media_open (const char *path, tinta_media **out, tinta_error *err);
void tinta_media_free (tinta_media *media);   /* accepts NULL */

const tinta_media_info *tinta_media_get_info (const tinta_media *media);

/* Decodes frame `index` (0-based) into `frame`, which must have the
 * media's size and its rgb buffer (TINTA_FRAME_RGB: the conversion target);
 * L, a, b are filled too when allocated. */
int  tinta_media_read (tinta_media *media, long long index,
                       tinta_frame *frame, tinta_error *err);

/* Number of seeks performed so far (for tests and benchmarks). */
long long tinta_media_seek_count (const tinta_media *media);

/* How tinta_image_load fits an image of another size. */
typedef enum {
  TINTA_FIT_REJECT = 0,  /* TINTA_ERR_SIZE_MISMATCH unless sizes match */
  TINTA_FIT_SCALE  = 1,  /* scale (bicubic) to the requested size; *scaled = 1 */
} tinta_fit;

/* Loads a still image (PNG, JPEG, TIFF, or anything FFmpeg decodes as one
 * picture) as a keyframe of width x height.  With TINTA_FIT_REJECT a size
 * mismatch fails with a message naming both sizes; with TINTA_FIT_SCALE it
 * is resized and *scaled (may be NULL) is set to 1. The caller frees the
 * frame. */
int tinta_image_load (const char *path, int width, int height, tinta_fit fit,
                      tinta_frame **out, int *scaled, tinta_error *err);

/* Loads a still image at its own size. */
int tinta_image_load_any (const char *path, tinta_frame **out, tinta_error *err);

/* Writes packed RGB as a PNG, atomically. */
int tinta_image_save_png (const char *path, const uint8_t *rgb,
                          int width, int height, tinta_error *err);

#ifdef __cplusplus
}
#endif
