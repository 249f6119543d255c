/* A tiny assertion harness for the engine tests: each CHECK counts, a
 * failure prints file:line and the expression, and tinta_test_end()
 * prints the closing line "N passed, N failed" and returns the exit code.
 * Skips exit 77 (meson's skip code) with a reason. */
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include "tinta/status.h"

static int tinta_test_passed_;
static int tinta_test_failed_;

#define CHECK(expr) do { \
    if (expr) tinta_test_passed_++; \
    else { tinta_test_failed_++; \
      fprintf (stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #expr); } \
  } while (0)

#define CHECK_MSG(expr, ...) do { \
    if (expr) tinta_test_passed_++; \
    else { tinta_test_failed_++; \
      fprintf (stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #expr); \
      fprintf (stderr, __VA_ARGS__); fputc ('\n', stderr); } \
  } while (0)

#define CHECK_INT(a, b) do { \
    long long a_ = (long long) (a), b_ = (long long) (b); \
    if (a_ == b_) tinta_test_passed_++; \
    else { tinta_test_failed_++; \
      fprintf (stderr, "FAIL %s:%d: %s == %s (%lld != %lld)\n", \
               __FILE__, __LINE__, #a, #b, a_, b_); } \
  } while (0)

/* Checks a status and prints the engine's message when it differs. */
static inline const char *
tinta_test_msg_ (const tinta_error *e)
{
  return e != NULL ? e->message : "";
}

#define CHECK_STATUS(call, expected, errp) do { \
    int st_ = (call); \
    if (st_ == (expected)) tinta_test_passed_++; \
    else { tinta_test_failed_++; \
      fprintf (stderr, "FAIL %s:%d: %s returned %d (%s), expected %d (%s): %s\n", \
               __FILE__, __LINE__, #call, st_, tinta_status_str (st_), (int) (expected), \
               tinta_status_str (expected), tinta_test_msg_ (errp)); } \
  } while (0)

#define CHECK_NEAR(a, b, tol) do { \
    double a_ = (double) (a), b_ = (double) (b); \
    if (fabs (a_ - b_) <= (tol)) tinta_test_passed_++; \
    else { tinta_test_failed_++; \
      fprintf (stderr, "FAIL %s:%d: |%s - %s| = |%.6g - %.6g| > %g\n", \
               __FILE__, __LINE__, #a, #b, a_, b_, (double) (tol)); } \
  } while (0)

static inline int
tinta_test_end (const char *name)
{
  printf ("%s: %d passed, %d failed\n", name, tinta_test_passed_, tinta_test_failed_);
  return tinta_test_failed_ == 0 ? 0 : 1;
}

static inline void
tinta_test_skip (const char *why)
{
  printf ("SKIP: %s\n", why);
  exit (77);
}
