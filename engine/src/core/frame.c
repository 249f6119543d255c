/* Frame allocation and the PSNR measure of the evaluation protocol. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "tinta/color.h"
#include "tinta/frame.h"

void *
tinta_alloc_aligned (size_t count, size_t elem_size)
{
  size_t bytes;
  void *p = NULL;
  if (!tinta_mul_size (count, elem_size, &bytes) || bytes > SIZE_MAX - 64)
    return NULL;
  bytes = (bytes + 63) & ~(size_t) 63;
  if (bytes == 0)
    bytes = 64;
  if (posix_memalign (&p, 64, bytes) != 0)
    return NULL;
  memset (p, 0, bytes);
  return p;
}

void
tinta_free_aligned (void *ptr)
{
  free (ptr);
}

tinta_frame *
tinta_frame_new (int width, int height, unsigned planes)
{
  tinta_frame *f;
  size_t n;

  if (width < 1 || height < 1 || width > TINTA_MAX_DIMENSION || height > TINTA_MAX_DIMENSION)
    return NULL;
  n = (size_t) width * (size_t) height;
  f = calloc (1, sizeof *f);
  if (f == NULL)
    return NULL;
  f->width = width;
  f->height = height;
  f->planes = planes;
  if (planes & TINTA_FRAME_LAB)
    {
      f->L = tinta_alloc_aligned (n, sizeof (float));
      f->a = tinta_alloc_aligned (n, sizeof (float));
      f->b = tinta_alloc_aligned (n, sizeof (float));
      if (f->L == NULL || f->a == NULL || f->b == NULL)
        goto fail;
    }
  if (planes & TINTA_FRAME_RGB)
    {
      /* swscale's SIMD writers store up to 16 bytes past the last pixel
       * of packed RGB; the slack keeps that inside our allocation. */
      f->rgb = tinta_alloc_aligned (n * 3 + 64, 1);
      if (f->rgb == NULL)
        goto fail;
    }
  return f;
fail:
  tinta_frame_free (f);
  return NULL;
}

void
tinta_frame_free (tinta_frame *frame)
{
  if (frame == NULL)
    return;
  tinta_free_aligned (frame->L);
  tinta_free_aligned (frame->a);
  tinta_free_aligned (frame->b);
  tinta_free_aligned (frame->rgb);
  free (frame);
}

void
tinta_frame_rgb_to_lab (tinta_frame *frame)
{
  if (frame->rgb && frame->L)
    tinta_srgb8_to_lab (frame->rgb, (size_t) frame->width * frame->height,
                        frame->L, frame->a, frame->b);
}

void
tinta_frame_lab_to_rgb (tinta_frame *frame)
{
  if (frame->rgb && frame->L)
    tinta_lab_to_srgb8 (frame->L, frame->a, frame->b,
                        (size_t) frame->width * frame->height, frame->rgb);
}

double
tinta_psnr_rgb8 (const uint8_t *x, const uint8_t *y, size_t n_pixels)
{
  /* Integer sums are exact; a 64-bit accumulator holds 2^47 pixels. */
  uint64_t sse = 0;
  size_t n = n_pixels * 3;
  for (size_t i = 0; i < n; i++)
    {
      int d = (int) x[i] - (int) y[i];
      sse += (uint64_t) (d * d);
    }
  if (sse == 0 || n == 0)
    return TINTA_PSNR_MAX;
  double mse = (double) sse / (double) n;
  double p = 10.0 * log10 (255.0 * 255.0 / mse);
  return p > TINTA_PSNR_MAX ? TINTA_PSNR_MAX : p;
}
