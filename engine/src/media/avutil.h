/* FFmpeg glue shared by decoder, image import and export: error mapping,
 * pixel conversion to packed RGB. Private to the engine. */
#pragma once

#include <libavutil/frame.h>
#include <libavutil/pixfmt.h>
#include <libswscale/swscale.h>
#include "tinta/status.h"
#include "tinta/frame.h"

/* Maps an AVERROR to the closest tinta status (INVALID_DATA, IO, NO_MEMORY,
 * NOT_FOUND, ...); `fallback` for anything else. */
int tinta_status_from_averror (int averr, int fallback);

/* av_strerror into a static-size buffer. */
const char *tinta_av_err_str (int averr, char *buf, size_t size);

/* Silences FFmpeg's own logging below errors unless TINTA_FFMPEG_LOG is
 * set: the engine reports problems itself. Idempotent, thread-safe. */
void tinta_av_init (void);

/* Converts AVFrames of any supported pixel format to packed RGB24 of the
 * destination size with swscale (SWS_BICUBIC, the `ffmpeg` program's
 * default; see media.h), honouring range and matrix. The context is cached
 * and rebuilt when the source format or size changes mid-stream. */
typedef struct {
  struct SwsContext *sws;
  int src_w, src_h, src_fmt, src_range, src_space;
  int dst_w, dst_h;
} tinta_rgb_converter;

/* 1 if the pixel format carries no chroma (gray, mono). */
int tinta_pixfmt_is_gray (enum AVPixelFormat fmt);
/* 1 if swscale can convert it to RGB24. */
int tinta_pixfmt_supported (enum AVPixelFormat fmt);

int  tinta_rgb_convert (tinta_rgb_converter *conv, const AVFrame *src,
                        uint8_t *rgb, int dst_w, int dst_h,
                        const char *path, tinta_error *err);
void tinta_rgb_converter_clear (tinta_rgb_converter *conv);

/* Fills the frame's L/a/b from its rgb (if both are allocated) and sets
 * has_color. */
void tinta_frame_finish_from_rgb (tinta_frame *frame, int has_color);
