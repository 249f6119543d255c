/* The adaptive separable convolution around a displacement (see
 * local_apply.c for the formula). Private to the engine. */
#pragma once

#define TINTA_LOCAL_MAX_TAPS 15

/* img / out: n_planes planes of width x height floats (out must not
 * alias img); disp: H x W x 2 (dy, dx) in pixels; kv, kh: H x W x n
 * vertical and horizontal taps (n odd, <= TINTA_LOCAL_MAX_TAPS). */
void tinta_local_apply (const float *const *img, int n_planes, int width, int height,
                        const float *disp, const float *kv, const float *kh, int n,
                        float *const *out);
