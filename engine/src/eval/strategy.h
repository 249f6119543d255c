/* The strategy class table: each colorization strategy (copy, local,
 * global, fused) is a small vtable registered in strategy.c. */
#pragma once

#include "tinta/eval.h"

typedef struct {
  const char *name;
  const char *description;
  size_t      priv_size;
  int  (*init)     (tinta_strategy *s, tinta_error *err);
  int  (*begin)    (tinta_strategy *s, const tinta_frame *key, tinta_error *err);
  int  (*next)     (tinta_strategy *s, tinta_frame *frame, tinta_error *err);
  void (*finalize) (tinta_strategy *s);
} tinta_strategy_class;

struct tinta_strategy {
  const tinta_strategy_class *klass;
  int   width;
  int   height;
  int   begun;
  char *model;   /* model file, NULL for the default (TINTA_DVP_MODEL) */
  void *priv;
};
