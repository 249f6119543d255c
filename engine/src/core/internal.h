/* Private helpers shared by the engine's source files: error filling,
 * aligned allocation, overflow-checked sizes. Not installed. */
#pragma once

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "tinta/status.h"

#if defined(__GNUC__)
#define TINTA_PRINTF(f, a) __attribute__ ((format (printf, f, a)))
#else
#define TINTA_PRINTF(f, a)
#endif

/* Fills err (if not NULL) and returns status, so callers can write
 * `return tinta_fail (err, TINTA_ERR_IO, path, "cannot read: %s", why);` */
int tinta_fail (tinta_error *err, int status, const char *path,
                const char *fmt, ...) TINTA_PRINTF (4, 5);

/* 64-byte aligned, zeroed; NULL on overflow or out of memory. */
void *tinta_alloc_aligned (size_t count, size_t elem_size);
void  tinta_free_aligned (void *ptr);

/* a * b into *out; returns 0 on overflow. */
static inline int
tinta_mul_size (size_t a, size_t b, size_t *out)
{
  if (b != 0 && a > SIZE_MAX / b)
    return 0;
  *out = a * b;
  return 1;
}

/* Monotonic clock in seconds. */
double tinta_now (void);
