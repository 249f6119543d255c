/* The engine's frame: planar float CIE Lab, optionally 8-bit sRGB beside it.
 *
 *   tinta_frame *f = tinta_frame_new (854, 480, TINTA_FRAME_LAB | TINTA_FRAME_RGB);
 *   tinta_media_read (media, 12, f, &err);   // fills L, a, b and rgb
 *   float L00 = f->L[0];                      // 0..100
 *   tinta_frame_free (f);
 *
 * Planes are separate, contiguous, row-major with `width` elements per row
 * (no padding), 64-byte aligned, so loops over them vectorize.  L is in
 * [0, 100], a and b roughly in [-128, 127] (D65, see tinta/color.h).  `rgb`
 * is packed R,G,B bytes, 3 * width per row.  `has_color` is 0 when the
 * source had no chroma (gray video, gray images): a and b are then zero.
 *
 * Thread safety: a frame is plain memory; share it read-only or not at all.
 */
#pragma once

#include <stdint.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
  TINTA_FRAME_LAB = 1 << 0,   /* allocate L, a, b planes */
  TINTA_FRAME_RGB = 1 << 1,   /* allocate the packed 8-bit RGB buffer */
};

/* Largest side the engine accepts: 8K plus room (DCI 8192 wide). A limit
 * keeps a hostile header from asking for terabytes. */
#define TINTA_MAX_DIMENSION 16384

typedef struct {
  int      width;
  int      height;
  unsigned planes;      /* TINTA_FRAME_* bits that are allocated */
  int      has_color;
  float   *L;
  float   *a;
  float   *b;
  uint8_t *rgb;
} tinta_frame;

/* Returns NULL on out-of-memory or a size outside 1..TINTA_MAX_DIMENSION. */
tinta_frame *tinta_frame_new (int width, int height, unsigned planes);
void         tinta_frame_free (tinta_frame *frame);   /* accepts NULL */

/* Converts the frame's rgb into L, a, b (both must be allocated). */
void tinta_frame_rgb_to_lab (tinta_frame *frame);
/* Converts L, a, b into rgb (rounded, clamped). */
void tinta_frame_lab_to_rgb (tinta_frame *frame);

/* PSNR in dB of two packed 8-bit RGB images of n_pixels pixels, over all
 * three channels (the protocol of design.md §4). Identical images give
 * TINTA_PSNR_MAX rather than infinity so means stay finite. */
#define TINTA_PSNR_MAX 100.0
double tinta_psnr_rgb8 (const uint8_t *x, const uint8_t *y, size_t n_pixels);

#ifdef __cplusplus
}
#endif
