/* Private pieces of the media module shared between its files. */
#pragma once

#include <libavutil/frame.h>
#include "tinta/status.h"

/* Decodes the single picture of an image file (PNG, JPEG, TIFF, ...) with
 * libavformat's probing (a .jpg that is really a PNG still works). The
 * caller frees *out with av_frame_free. */
int tinta_decode_still (const char *path, AVFrame **out, tinta_error *err);

/* A folder of numbered images. */
typedef struct {
  char      *dir;
  char     **names;       /* count file names, in frame order */
  long long  count;
  long long  first_number;
} tinta_image_seq;

/* Finds the numbered image sequence in `dir` (see media.h). */
int  tinta_image_seq_scan (const char *dir, tinta_image_seq *seq, tinta_error *err);
void tinta_image_seq_clear (tinta_image_seq *seq);
/* "<dir>/<name of frame k>" into buf. */
void tinta_image_seq_path (const tinta_image_seq *seq, long long k, char *buf, size_t size);
