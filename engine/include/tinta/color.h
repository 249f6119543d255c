/* Exact sRGB <-> CIE L*a*b* (D65) conversions for whole planes.
 *
 *   tinta_srgb8_to_lab (rgb, n, L, a, b);     // packed RGB bytes -> planes
 *   tinta_lab_to_srgb8 (L, a, b, n, rgb);     // planes -> rounded bytes
 *
 * sRGB is IEC 61966-2-1 (piecewise transfer curve, exact threshold
 * 0.04045 / 0.0031308).  The RGB->XYZ matrix is the one scikit-image and
 * most colorization research use (derived from the sRGB primaries and
 * D65 white), the white point is D65 (0.95047, 1, 1.08883), and
 * epsilon/kappa are CIE's exact rationals 216/24389 and 24389/27.  The
 * inverse matrix is computed in double precision from the forward one, so
 * an 8-bit round trip is exact (tested for all 2^24 colors).
 *
 * Thread safety: pure functions, reentrant.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Packed 8-bit sRGB -> planar Lab, n pixels. */
void tinta_srgb8_to_lab (const uint8_t *rgb, size_t n,
                         float *L, float *a, float *b);

/* Planar Lab -> packed 8-bit sRGB, rounded to nearest, clamped to 0..255. */
void tinta_lab_to_srgb8 (const float *L, const float *a, const float *b,
                         size_t n, uint8_t *rgb);

/* Planar float sRGB in [0,1] (out-of-gamut values pass through) <-> Lab. */
void tinta_srgbf_to_lab (const float *r, const float *g, const float *bl,
                         size_t n, float *L, float *a, float *b);
void tinta_lab_to_srgbf (const float *L, const float *a, const float *b,
                         size_t n, float *r, float *g, float *bl);

/* Single-pixel helpers (double precision) for tests and tools. */
void tinta_lab_from_srgb_d (const double rgb[3], double lab[3]);
void tinta_srgb_from_lab_d (const double lab[3], double rgb[3]);

#ifdef __cplusplus
}
#endif
