/* Status codes shared by every engine function.
 *
 *   tinta_error err = {0};
 *   int st = tinta_media_open ("clip.mp4", NULL, &media, &err);
 *   if (st < 0)
 *     fprintf (stderr, "%s: %s\n", err.path, err.message);
 *
 * Functions return an int: TINTA_OK (0) on success, a negative
 * TINTA_ERR_* on failure, and the positive TINTA_CANCELLED when an abort
 * callback asked them to stop (cancellation is not an error).  Where a
 * function takes a `tinta_error *`, it may be NULL; when given, it receives
 * the status, the file concerned and one human sentence of detail.
 *
 * Thread safety: everything here is reentrant; tinta_status_str() returns
 * static strings.
 */
#pragma once

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  TINTA_OK                      =   0,
  TINTA_CANCELLED               =   1,

  TINTA_ERR_INVALID_ARGUMENT    =  -1,  /* a caller bug or out-of-range number */
  TINTA_ERR_NO_MEMORY           =  -2,
  TINTA_ERR_IO                  =  -3,  /* read or write failed (disk full, EIO...) */
  TINTA_ERR_NOT_FOUND           =  -4,  /* file or folder does not exist */
  TINTA_ERR_EMPTY_FILE          =  -5,  /* exists but has zero bytes */
  TINTA_ERR_INVALID_DATA        =  -6,  /* not a format FFmpeg can read */
  TINTA_ERR_TRUNCATED           =  -7,  /* a readable file that ends early */
  TINTA_ERR_UNSUPPORTED_CODEC   =  -8,  /* no decoder or encoder for it here */
  TINTA_ERR_UNSUPPORTED_PIXFMT  =  -9,  /* pixel format we cannot convert */
  TINTA_ERR_SEQUENCE_GAP        = -10,  /* numbered images with a missing number */
  TINTA_ERR_SIZE_MISMATCH       = -11,  /* keyframe size differs from the clip */
  TINTA_ERR_UNWRITABLE          = -12,  /* output path cannot be created */
  TINTA_ERR_OUT_OF_RANGE        = -13,  /* frame index or parameter out of range */
  TINTA_ERR_TOO_LARGE           = -14,  /* frame or file beyond the engine's limits */
  TINTA_ERR_NO_VIDEO            = -15,  /* a media file without a video stream */
  TINTA_ERR_DECODE              = -16,  /* the decoder rejected the data */
  TINTA_ERR_ENCODE              = -17,  /* the encoder failed */
  TINTA_ERR_UNKNOWN_NAME        = -18,  /* unknown strategy, format or option name */
  TINTA_ERR_INTERNAL            = -19,  /* a bug: please report */
} tinta_status;

/* One sentence for a status, e.g. "file is truncated". Never NULL. */
const char *tinta_status_str (int status);

/* Detail of a failure, filled by functions that take it. */
typedef struct {
  int  status;
  char path[1024];    /* the file or folder concerned, may be empty */
  char message[512];  /* one sentence, no trailing newline */
} tinta_error;

/* Formats "path: message" (or the status sentence if nothing was set) into
 * buf; returns buf. */
const char *tinta_error_format (const tinta_error *err, char *buf, size_t size);

/* Polled between units of work (frames, layers); return non-zero to stop. */
typedef int (*tinta_abort_fn) (void *user);

/* Reports progress: done out of total units (total may be -1 if unknown). */
typedef void (*tinta_progress_fn) (void *user, long long done, long long total);

#ifdef __cplusplus
}
#endif
