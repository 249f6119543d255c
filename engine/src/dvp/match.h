/* Hot loops of the global strategy, built at -O3 with AVX2+FMA/AVX-512 clones
 * (see engine/meson.build). Private to the engine. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Scales each of `rows` vectors of `dim` floats to unit length (rows of
 * zero stay zero). */
void tinta_match_normalize_rows (float *v, size_t rows, int dim);

/* The fine search of a block of queries at once: the dot products of
 * every query with every table row inside [y0, y1) x [x0, x1), into
 * sims[p * qstride + q] (p the position row by row, q the query).  The
 * queries come transposed: qt[c * qstride + q] is channel c of query q;
 * qstride is a multiple of 16 (unused queries zero).  Neighbouring fine
 * positions search overlapping windows, so one pass over the union of
 * their windows shares the loads, and the 16 queries side by side make
 * the inner loop one vector FMA. */
void tinta_match_block_sims (const float *qt, int qstride, const float *table, int width,
                             int dim, int y0, int y1, int x0, int x1, float *sims);

/* The same in bf16, for CPUs with AVX512-BF16 (call it only there:
 * tinta_nn_cpu_has_bf16): half the table's memory traffic, and one
 * VDPBF16PS sums two channels of 16 queries.  The queries come as
 * channel pairs: qt[(c / 2) * 2 * qstride + 2 * q + c % 2] is channel c
 * of query q (dim even).  Up to TINTA_MATCH_BF16_PAD rows past the
 * window's last may be read (and dropped): the table needs them
 * allocated.  The products are summed in f32; the rounding of
 * unit vectors to bf16 moves a similarity by ~1e-3. */
#define TINTA_MATCH_BF16_PAD 16   /* table rows it may read past the window's last (AMX) */
void tinta_match_block_sims_bf16 (const uint16_t *qt, int qstride, const uint16_t *table,
                                  int width, int dim, int y0, int y1, int x0, int x1, float *sims);

/* Softmax weights of one search window: w[i] = scale * exp((sims[i] -
 * best) / tau) (inv_tau = 1 / tau; sims are cosines, so best - sims[i]
 * is in [0, 2] and inv_tau must be at most 43 to stay in exp's range),
 * and 0 where that is under `cut`.  One vector loop instead of a branch and an expf call per
 * position. */
void tinta_match_weights (const float *sims, int n, float best, float inv_tau, float scale,
                          float cut, float *w);

/* The largest of v[0..n) (n >= 1; NaNs are passed over). */
float tinta_match_max (const float *v, int n);

/* The chroma transfer of one search window: acc[l] += sum of w[i] *
 * lab[4 * i + l] over its positions, rows x cols of them, w row by row
 * and lab with `stride` floats between rows (4 floats a position: a, b,
 * L and 1, so that acc[3] sums the weights). */
void tinta_match_weighted_sum (const float *w, int rows, int cols, const float *lab,
                               size_t stride, float *acc);

/* Merges row[0..n) into a running k largest: best[0..k) best first and
 * their indices where[0..k), row[i] counting as index offset + i (ties
 * keep the earlier).  Start a fresh top-k with best[] at -INFINITY; a
 * row given in pieces (offset = the piece's start) gives what the whole
 * row would, and the k-th best found so far keeps skipping the later
 * pieces: blocks of 64 that hold nothing above it are passed after a
 * vector count (after the first few blocks, nearly all of them). */
void tinta_match_topk (const float *row, size_t n, int k, float *best, size_t *where,
                       size_t offset);

/* float32 -> bf16, round to nearest even. */
void tinta_match_to_bf16 (const float *src, uint16_t *dst, size_t n);
