/* Hot loops of the global strategy, built at -O3 with AVX2/AVX-512 clones
 * (see engine/meson.build). Private to the engine. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Scales each of `rows` vectors of `dim` floats to unit length (rows of
 * zero stay zero). */
void tinta_match_normalize_rows (float *v, size_t rows, int dim);

/* Index and value of the largest of n floats. */
void tinta_match_argmax (const float *v, size_t n, size_t *index, float *value);

/* One fine position's search: the best dot product between `query`
 * (dim floats) and the rows of `table` (width x height grid of dim-float
 * rows) inside [y0, y1) x [x0, x1). */
void tinta_match_window (const float *query, const float *table, int width, int dim,
                         int y0, int y1, int x0, int x1, int *best_y, int *best_x,
                         float *best_sim);

/* float32 -> bf16, round to nearest even. */
void tinta_match_to_bf16 (const float *src, uint16_t *dst, size_t n);
