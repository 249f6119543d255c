/* Guided chroma upsampling: run the networks at a working resolution
 * (about 480 lines) and deliver 1080p or 4K whose colors stop at the
 * full-resolution edges instead of bleeding across them.
 *
 *   tinta_downsample_area (full->L, W, H, L_lo, w, h, &err);   // network input
 *   ... predict a_lo, b_lo (w x h) from L_lo ...
 *   tinta_upsample_ab (full->L, W, H, a_lo, b_lo, w, h, full->a, full->b, NULL, &err);
 *
 * The method is the fast guided filter (He & Sun 2015, "Fast Guided
 * Filter", arXiv:1505.00996): at the working resolution, with the
 * area-downsampled L as guide, every window of (2r+1)^2 pixels fits the
 * chroma as a linear function of L (a = A L + B, ridge term eps); the
 * window-averaged A and B are bilinearly upsampled and applied to the full
 * L, so chroma edges land on the full-resolution luminance edges.  Three
 * changes, each measured on DAVIS frames (tests/engine/test-upsample.c):
 *   - B is not averaged but puts each pixel's line through its own
 *     sample, so where the chroma does not follow L the result is plain
 *     bilinear; averaging B box-blurs the chroma twice and loses to
 *     bilinear on every frame tried;
 *   - A is damped by the squared correlation of L and the chroma in the
 *     window, so luminance texture is not printed into the chroma of
 *     surfaces whose color does not vary with it;
 *   - the result is clamped to the range of the four samples bilinear
 *     blends: no overshoot, hence no halo or ringing at edges.
 *
 * Conventions: planes are float, row-major, no padding; L is CIE L in
 * 0..100, a and b in Lab units.  The low-resolution grid covers the same
 * picture as the full one (pixel centres at half-pixel positions, as in
 * tinta's and PyTorch's align_corners=False resizes), so any scale factor
 * works, 854x480 -> 1920x1080 included.
 *
 * Thread safety: reentrant; the loops use OpenMP internally.
 */
#pragma once

#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Defaults, from the sweep in tests/engine/test-upsample.c (chroma at
 * 1/2.25, PSNR gain over bilinear): radius 1 and eps 64 gain +0.63 dB on
 * average over nine DAVIS frames with complete chroma (427x240, worst
 * frame +0.22), +0.21 dB on the 4:2:0 JPEGs at 854x480 whose chroma has
 * little detail left to restore (worst -0.02), and +5.4 dB on generated
 * sharp-edged shapes.  A larger radius or a smaller eps sharpens hard
 * edges further (radius 2, eps 16: +10.8 dB on the shapes) but prints
 * luminance texture into natural chroma (down to -0.30 dB on a frame).
 * Radius in working-resolution pixels, eps in (L units)^2. */
#define TINTA_UPSAMPLE_DEFAULT_RADIUS 1
#define TINTA_UPSAMPLE_DEFAULT_EPS    64.0f
#define TINTA_UPSAMPLE_MAX_RADIUS     64

typedef struct {
  /* Window half-size at the working resolution, 0..TINTA_UPSAMPLE_MAX_RADIUS.
   * 0 degenerates to plain bilinear chroma. */
  int   radius;
  /* Ridge term, > 0: an L contrast with variance well below eps inside a
   * window (noise, grain, compression) is not trusted to carry chroma. */
  float eps;
} tinta_upsample_params;

void tinta_upsample_params_init (tinta_upsample_params *params);

/* Upsamples the chroma a_lo, b_lo (w x h) to a_out, b_out (W x H) guided
 * by L_full (W x H).  1 <= w <= W <= TINTA_MAX_DIMENSION, likewise for h;
 * params may be NULL for the defaults.  At w == W and h == H the chroma is
 * copied: there is nothing to recover, and filtering would only blur it.
 * The outputs must not overlap each other or any input (at equal sizes
 * a_out == a_lo, b_out == b_lo is allowed).
 * Errors: TINTA_ERR_INVALID_ARGUMENT (NULL plane, sizes inverted or < 1),
 * TINTA_ERR_TOO_LARGE (a side beyond TINTA_MAX_DIMENSION),
 * TINTA_ERR_OUT_OF_RANGE (params), TINTA_ERR_NO_MEMORY. */
int tinta_upsample_ab (const float *L_full, int W, int H,
                       const float *a_lo, const float *b_lo, int w, int h,
                       float *a_out, float *b_out,
                       const tinta_upsample_params *params, tinta_error *err);

/* Area (box) downsampling of any plane, src W x H -> dst w x h, with
 * exact fractional coverage for non-integer factors: the guide
 * tinta_upsample_ab builds from L_full.  Giving the network this same L
 * keeps the working-resolution chroma aligned with its guide.
 * Same size limits and errors as tinta_upsample_ab; dst must not overlap
 * src. */
int tinta_downsample_area (const float *src, int W, int H, float *dst, int w, int h,
                           tinta_error *err);

#ifdef __cplusplus
}
#endif
