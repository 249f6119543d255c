/* Half resolution and back (see resample.c). Private to the engine. */
#pragma once

#include <stddef.h>

/* dst: (w/2) x (h/2). */
void tinta_half_res (const float *src, int w, int h, float *dst);
void tinta_upsample_bilinear (const float *src, int sw, int sh, float *dst, int dw, int dh);
