/* Hot loops of the global strategy, built at -O3 with AVX2/AVX-512 clones
 * (see engine/meson.build). Private to the engine. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Scales each of `rows` vectors of `dim` floats to unit length (rows of
 * zero stay zero). */
void tinta_match_normalize_rows (float *v, size_t rows, int dim);

/* The dot products of `query` (dim floats) with the rows of `table`
 * (width x height grid of dim-float rows) inside [y0, y1) x [x0, x1),
 * row by row, into sims ((y1 - y0) * (x1 - x0) floats): one fine
 * position's search window. */
void tinta_match_window_sims (const float *query, const float *table, int width, int dim,
                              int y0, int y1, int x0, int x1, float *sims);

/* float32 -> bf16, round to nearest even. */
void tinta_match_to_bf16 (const float *src, uint16_t *dst, size_t n);
