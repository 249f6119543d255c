/* Test helper (not a test by itself): runs a model file on the inputs of
 * a reference file written by PyTorch (input:<name> / output:<name>, NCHW
 * float32) and compares every output.
 *
 *   nn-compare MODEL IO f32|bf16 REL_TOL [OUTPUT_FOR_TOP1]
 *
 * Prints one line per output with the max abs error and its ratio to the
 * output's largest magnitude, fails (exit 1) when a ratio exceeds REL_TOL;
 * with OUTPUT_FOR_TOP1 also prints "top1 <index> <reference index>". */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "nn/safetensors.h"
#include "testutil.h"
#include "tinta/tinta.h"

#define to_nhwc(t) tu_tensor_to_nhwc (t)

static long
argmax (const float *v, size_t n)
{
  size_t best = 0;
  for (size_t i = 1; i < n; i++)
    if (v[i] > v[best])
      best = i;
  return (long) best;
}

int
main (int argc, char **argv)
{
  if (argc < 5)
    {
      fprintf (stderr, "usage: nn-compare MODEL IO f32|bf16 REL_TOL [OUTPUT_FOR_TOP1]\n");
      return 2;
    }
  tinta_error err = { 0 };
  char msg[2048];
  tinta_nn_model *model = NULL;
  tinta_safetensors *io = NULL;
  tinta_nn_plan *plan = NULL;
  tinta_nn_runner *run = NULL;
  tinta_nn_precision prec = strcmp (argv[3], "bf16") == 0 ? TINTA_NN_BF16 : TINTA_NN_F32;
  double tol = atof (argv[4]);
  int failed = 0;
  if (tinta_nn_model_load (argv[1], NULL, &model, &err) < 0
      || tinta_safetensors_open (argv[2], &io, &err) < 0)
    {
      fprintf (stderr, "nn-compare: %s\n", tinta_error_format (&err, msg, sizeof msg));
      return 1;
    }
  int ni = tinta_nn_model_n_inputs (model);
  const float *inputs[64];
  float *owned[64] = { 0 };
  int hs[64], ws[64];
  for (int i = 0; i < ni && i < 64; i++)
    {
      char key[300];
      snprintf (key, sizeof key, "input:%s", tinta_nn_model_input_name (model, i));
      const tinta_tensor *t = tinta_safetensors_find (io, key);
      if (t == NULL || t->ndim != 4)
        {
          fprintf (stderr, "nn-compare: %s has no 4-D %s\n", argv[2], key);
          return 1;
        }
      owned[i] = to_nhwc (t);
      inputs[i] = owned[i];
      hs[i] = (int) t->shape[2];
      ws[i] = (int) t->shape[3];
    }
  if (tinta_nn_plan_new_sizes (model, hs, ws, prec, &plan, &err) < 0
      || tinta_nn_runner_new (plan, &run, &err) < 0
      || tinta_nn_run (run, inputs, NULL, NULL, NULL, &err) < 0)
    {
      fprintf (stderr, "nn-compare: %s\n", tinta_error_format (&err, msg, sizeof msg));
      return 1;
    }
  for (size_t i = 0; i < tinta_safetensors_count (io); i++)
    {
      const tinta_tensor *t = tinta_safetensors_at (io, i);
      if (strncmp (t->name, "output:", 7) != 0)
        continue;
      int c, h, w;
      const float *got = tinta_nn_runner_output (run, t->name + 7, &c, &h, &w);
      if (got == NULL || c != t->shape[1] || h != t->shape[2] || w != t->shape[3])
        {
          printf ("%s: missing or wrong shape\n", t->name);
          failed++;
          continue;
        }
      double range, max_err = tu_max_abs_error (got, t, &range);
      double rel = max_err / fmax (range, 1e-12);
      printf ("%-8s %-12s %dx%dx%d  max abs err %.3e  max |ref| %.3e  ratio %.3e  %s\n", argv[3],
              t->name + 7, c, h, w, max_err, range, rel, rel <= tol ? "ok" : "FAIL");
      failed += rel > tol;
      if (argc > 5 && strcmp (argv[5], t->name + 7) == 0)
        {
          float *want = to_nhwc (t);
          printf ("top1 %ld %ld\n", argmax (got, (size_t) t->numel),
                  argmax (want, (size_t) t->numel));
          free (want);
        }
    }
  for (int i = 0; i < ni && i < 64; i++)
    free (owned[i]);
  tinta_nn_runner_free (run);
  tinta_nn_plan_free (plan);
  tinta_safetensors_free (io);
  tinta_nn_model_free (model);
  return failed ? 1 : 0;
}
