/* Export: encode a sequence of RGB frames to a deliverable.
 *
 *   tinta_export_params p;
 *   tinta_export_params_init (&p);
 *   p.format = TINTA_FORMAT_PRORES;
 *   p.width = 1920; p.height = 1080; p.fps_num = 24; p.fps_den = 1;
 *   tinta_exporter *x = NULL;
 *   if (tinta_exporter_open ("out.mov", &p, &x, &err) < 0) ...
 *   for (...) tinta_exporter_write (x, rgb, &err);
 *   tinta_exporter_finish (x, &err);   // flushes, fsyncs, renames into place
 *   tinta_exporter_free (x);           // if not finished: deletes the temp
 *
 * Nothing appears under the final name until tinta_exporter_finish
 * succeeds: encoding goes to a hidden temporary file (a temporary folder for
 * PNG sequences) beside the target, which is fsynced and renamed.  Freeing
 * an unfinished exporter (failure or cancel) removes the temporary.  An
 * existing file under the final name is replaced only on success.
 *
 * tinta_export_frames() is the whole loop with progress and cancellation.
 *
 * Thread safety: one exporter per thread.
 */
#pragma once

#include <stdint.h>
#include "status.h"
#include "frame.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  TINTA_FORMAT_PRORES = 0,   /* ProRes 4444 (prores_ks, yuv444p10le; FFmpeg decodes it as 12-bit), .mov */
  TINTA_FORMAT_FFV1,         /* FFV1 v3, lossless RGB (bgr0 input in FFmpeg 5.1, coded planar), .mkv */
  TINTA_FORMAT_H264,         /* libx264, yuv420p, CRF quality, .mp4 */
  TINTA_FORMAT_PNG,          /* folder of 00000.png ... */
  TINTA_FORMAT_COUNT
} tinta_format;

/* "prores", "ffv1", "h264", "png" <-> enum; returns -1 if unknown. */
int         tinta_format_from_name (const char *name);
const char *tinta_format_name (tinta_format format);
/* Usual file extension (".mov", ".mkv", ".mp4", "" for PNG folders). */
const char *tinta_format_extension (tinta_format format);

typedef struct {
  tinta_format format;
  int          width, height;
  int          fps_num, fps_den;
  int          crf;        /* H.264 only: 0 (lossless) .. 51; default 18 */
  int          threads;    /* encoder threads, 0 = automatic */
} tinta_export_params;

void tinta_export_params_init (tinta_export_params *params);

typedef struct tinta_exporter tinta_exporter;

int  tinta_exporter_open (const char *path, const tinta_export_params *params,
                          tinta_exporter **out, tinta_error *err);
/* rgb: packed 8-bit RGB, width * height * 3 bytes. */
int  tinta_exporter_write (tinta_exporter *exporter, const uint8_t *rgb,
                           tinta_error *err);
int  tinta_exporter_finish (tinta_exporter *exporter, tinta_error *err);
void tinta_exporter_free (tinta_exporter *exporter);   /* accepts NULL */

/* Supplies frame `index` of an export as packed RGB into frame->rgb. */
typedef int (*tinta_frame_source_fn) (void *user, long long index,
                                      tinta_frame *frame, tinta_error *err);

/* Encodes frames 0..count-1 from `source`.  Calls progress after each
 * frame; polls abort before each frame and returns TINTA_CANCELLED (and
 * leaves nothing behind) when it says stop. */
int tinta_export_frames (const char *path, const tinta_export_params *params,
                         long long count, tinta_frame_source_fn source,
                         void *source_user, tinta_progress_fn progress,
                         tinta_abort_fn abort_cb, void *cb_user,
                         tinta_error *err);

#ifdef __cplusplus
}
#endif
