/* Helpers for engine tests: scratch folders, generating clips with the
 * `ffmpeg` program, locating ../shared. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include "tinta/frame.h"

/* Creates a fresh scratch folder under $TMPDIR; returned string is static
 * per call site owner (caller frees). Removed by tu_cleanup(). */
char *tu_scratch_dir (const char *tag);

/* Runs a shell command (printf-style); returns its exit status. Output is
 * sent to stderr only on failure. */
int tu_run (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

/* The `ffmpeg` / `ffprobe` programs (from $FFMPEG / $FFPROBE or PATH). */
const char *tu_ffmpeg (void);
const char *tu_ffprobe (void);

/* The shared data folder or NULL if absent. */
const char *tu_shared_dir (void);

/* Writes a file with the given bytes; returns 0 on success. */
int tu_write_file (const char *path, const void *data, size_t size);
/* Copies the first `keep` bytes of src into dst. */
int tu_truncate_copy (const char *src, const char *dst, long long keep);
long long tu_file_size (const char *path);

/* Counts frames of a media file with ffprobe (-count_frames); -1 on error. */
long long tu_ffprobe_frames (const char *path);
/* Reads a value of ffprobe's stream entry, e.g. "r_frame_rate"; 0 on success. */
int tu_ffprobe_entry (const char *path, const char *entry, char *out, size_t size);

/* A 4-D NCHW tensor of a safetensors file as float32 NHWC (malloc'ed). */
float *tu_tensor_to_nhwc (const void *tensor);
/* Max |got - reference| over an NCHW reference tensor, got being NHWC of
 * the same shape; *range (may be NULL) receives max |reference|. */
double tu_max_abs_error (const float *got, const void *reference, double *range);

/* Frame k of a clip, with its own colors (Lab and RGB, clip size); NULL
 * if the clip does not open or has no frame k.  tinta_frame_free it. */
tinta_frame *tu_clip_frame (const char *path, long long k);
