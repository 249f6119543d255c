/* Hot loops of the global strategy, built at -O3 with AVX2/AVX-512 clones
 * (see engine/meson.build). Private to the engine. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Scales each of `rows` vectors of `dim` floats to unit length (rows of
 * zero stay zero). */
void tinta_match_normalize_rows (float *v, size_t rows, int dim);

/* The rows of a width x height grid of dim-float vectors, transposed row
 * by row: dst[(y * dim + d) * width + x] = src[(y * width + x) * dim + d]
 * (the layout tinta_match_window_sims_t reads). */
void tinta_match_rows_transpose (const float *src, int width, int height, int dim, float *dst);

/* The dot products of `query` (dim floats) with the vectors of a
 * row-transposed table (see above) inside [y0, y1) x [x0, x1), row by
 * row, into sims ((y1 - y0) * (x1 - x0) floats): one fine position's
 * search window. */
void tinta_match_window_sims_t (const float *query, const float *table_t, int width, int dim,
                                int y0, int y1, int x0, int x1, float *sims);

/* float32 -> bf16, round to nearest even. */
void tinta_match_to_bf16 (const float *src, uint16_t *dst, size_t n);
