/* bfloat16 <-> float32, the one definition the engine uses (weight files,
 * bf16 activations read back, bf16 matching features). Round to nearest,
 * ties to even, as PyTorch and oneDNN do; NaN stays a quiet NaN. */
#pragma once

#include <stdint.h>
#include <string.h>

static inline uint16_t
tinta_f32_to_bf16 (float f)
{
  uint32_t x;
  memcpy (&x, &f, sizeof x);
  if ((x & 0x7fffffffu) > 0x7f800000u)
    return (uint16_t) ((x >> 16) | 0x0040u);
  return (uint16_t) ((x + 0x7fffu + ((x >> 16) & 1u)) >> 16);
}

static inline float
tinta_bf16_to_f32 (uint16_t v)
{
  uint32_t x = (uint32_t) v << 16;
  float f;
  memcpy (&f, &x, sizeof f);
  return f;
}
