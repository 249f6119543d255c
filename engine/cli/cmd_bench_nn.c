/* tinta-cli bench nn: per-layer and total median time and GFLOP/s of a
 * network at a frame size, in f32 and bf16, each convolution beside the
 * same shape run as a bare oneDNN primitive (formats chosen by oneDNN, no
 * fused activation): the ratio bare/runtime is the runtime's efficiency
 * (1.0 = no overhead; > 1 means the runtime's fused layout beats oneDNN's
 * own pick). */
#include <stdlib.h>
#include <string.h>
#include "cli.h"

typedef struct {
  int     ok;
  double  total_ms;
  double *layer_ms;
  double *bare_ms;
} prec_result;

static int
bench_precision (const tinta_nn_model *model, int h, int w, tinta_nn_precision prec, int runs,
                 prec_result *res, const tinta_nn_plan **plan_out, tinta_nn_plan **keep)
{
  tinta_error err = { 0 };
  tinta_nn_plan *plan = NULL;
  tinta_nn_runner *run = NULL;
  int st = tinta_nn_plan_new (model, h, w, prec, &plan, &err);
  if (st == TINTA_OK)
    st = tinta_nn_runner_new (plan, &run, &err);
  if (st < 0)
    {
      tinta_nn_plan_free (plan);
      return cli_report (&err, st);
    }
  int nl = tinta_nn_plan_layer_count (plan), ni = tinta_nn_model_n_inputs (model);
  const float *inputs[16] = { 0 };
  float *bufs[16] = { 0 };
  for (int i = 0; i < ni && i < 16; i++)
    {
      int c = 1;
      tinta_nn_plan_shape (plan, tinta_nn_model_input_name (model, i), &c, NULL, NULL);
      size_t n = (size_t) h * w * c;
      bufs[i] = malloc (n * sizeof (float));
      for (size_t k = 0; k < n; k++)
        bufs[i][k] = (float) ((k * 2654435761u) >> 24);   /* 0..255, image-like range */
      inputs[i] = bufs[i];
    }
  double *tot = calloc ((size_t) runs, sizeof *tot);
  double *per = calloc ((size_t) runs * nl, sizeof *per);
  res->layer_ms = calloc ((size_t) nl, sizeof (double));
  res->bare_ms = calloc ((size_t) nl, sizeof (double));
  st = tinta_nn_run (run, inputs, NULL, NULL, NULL, &err);   /* warm-up */
  for (int r = 0; r < runs && st == TINTA_OK; r++)
    {
      double t0 = cli_now ();
      st = tinta_nn_run (run, inputs, NULL, NULL, NULL, &err);
      tot[r] = 1e3 * (cli_now () - t0);
    }
  for (int r = 0; r < runs && st == TINTA_OK; r++)
    st = tinta_nn_run (run, inputs, NULL, NULL, per + (size_t) r * nl, &err);
  if (st < 0)
    return cli_report (&err, st);
  res->total_ms = cli_median (tot, runs);
  double *col = calloc ((size_t) runs, sizeof *col);
  for (int l = 0; l < nl; l++)
    {
      for (int r = 0; r < runs; r++)
        col[r] = per[(size_t) r * nl + l];
      res->layer_ms[l] = cli_median (col, runs);
    }
  st = tinta_nn_bench_bare (plan, runs, res->bare_ms, &err);
  if (st < 0)
    return cli_report (&err, st);
  free (col);
  free (tot);
  free (per);
  for (int i = 0; i < 16; i++)
    free (bufs[i]);
  tinta_nn_runner_free (run);
  res->ok = 1;
  *plan_out = plan;
  *keep = plan;
  return CLI_OK;
}

int
cmd_bench_nn (int argc, char **argv)
{
  const char *model_path = NULL;
  long long runs = 20, w = 854, h = 480;
  int rc;
  for (int i = 2; i < argc; i++)
    {
      if (strcmp (argv[i], "--model") == 0)
        {
          if (++i >= argc)
            return cli_usage_error ("--model needs a file");
          model_path = argv[i];
        }
      else if (strcmp (argv[i], "--runs") == 0)
        {
          rc = cli_parse_int ("--runs", i + 1 < argc ? argv[++i] : NULL, 1, 10000, &runs);
          if (rc != CLI_OK)
            return rc;
        }
      else if (strcmp (argv[i], "--size") == 0)
        {
          if (++i >= argc || sscanf (argv[i], "%lldx%lld", &w, &h) != 2 || w < 1 || h < 1
              || w > TINTA_NN_MAX_SIDE || h > TINTA_NN_MAX_SIDE)
            return cli_usage_error ("--size needs WIDTHxHEIGHT, e.g. 854x480");
        }
      else
        return cli_usage_error ("bench nn: unknown option '%s'", argv[i]);
    }
  if (model_path == NULL)
    model_path = cli_default_model ("squeezenet1_1-features.safetensors");
  tinta_error err = { 0 };
  tinta_nn_model *model = NULL;
  int st = tinta_nn_model_load (model_path, NULL, &model, &err);
  if (st < 0)
    return cli_report (&err, st);

  prec_result res[2] = { { 0 } };
  tinta_nn_plan *plans[2] = { NULL, NULL };
  const tinta_nn_plan *pv[2] = { NULL, NULL };
  rc = bench_precision (model, (int) h, (int) w, TINTA_NN_F32, (int) runs, &res[0], &pv[0],
                        &plans[0]);
  if (rc == CLI_OK && tinta_nn_cpu_has_bf16 ())
    rc = bench_precision (model, (int) h, (int) w, TINTA_NN_BF16, (int) runs, &res[1], &pv[1],
                          &plans[1]);
  if (rc != CLI_OK)
    {
      tinta_nn_plan_free (plans[0]);
      tinta_nn_plan_free (plans[1]);
      tinta_nn_model_free (model);
      return rc;
    }
  printf ("bench nn: %s (%s), input %lldx%lld, median of %lld runs\n", tinta_nn_model_arch (model),
          model_path, w, h, runs);
  printf ("%-16s %-8s %6s | %8s %8s %8s %6s | %8s %8s %8s %6s  %s\n", "layer", "op", "GFLOP",
          "f32 ms", "GFLOP/s", "bare ms", "ratio", "bf16 ms", "GFLOP/s", "bare ms", "ratio",
          "implementation f32 / bf16");
  int nl = tinta_nn_plan_layer_count (pv[0]);
  double gsum = 0, conv_ms[2] = { 0, 0 }, conv_bare[2] = { 0, 0 };
  for (int l = 0; l < nl; l++)
    {
      const tinta_nn_layer_info *li = tinta_nn_plan_layer (pv[0], l);
      gsum += li->gflop;
      printf ("%-16.16s %-8.8s %6.3f", li->name, li->op, li->gflop);
      for (int k = 0; k < 2; k++)
        {
          if (!res[k].ok)
            {
              printf (" | %8s %8s %8s %6s", "-", "-", "-", "-");
              continue;
            }
          double ms = res[k].layer_ms[l], bare = res[k].bare_ms[l];
          printf (" | %8.3f", ms);
          if (li->gflop > 0)
            printf (" %8.1f", li->gflop / (ms * 1e-3));
          else
            printf (" %8s", "");
          if (bare > 0)
            {
              printf (" %8.3f %6.2f", bare, bare / ms);
              conv_ms[k] += ms;
              conv_bare[k] += bare;
            }
          else
            printf (" %8s %6s", "", "");
        }
      printf ("  %s / %s\n", pv[0] ? tinta_nn_plan_layer (pv[0], l)->impl : "",
              pv[1] ? tinta_nn_plan_layer (pv[1], l)->impl : "-");
    }
  printf ("%-16s %-8s %6.3f", "total", "", gsum);
  for (int k = 0; k < 2; k++)
    if (res[k].ok)
      printf (" | %8.3f %8.1f %8s %6s", res[k].total_ms, gsum / (res[k].total_ms * 1e-3), "", "");
  printf ("\n");
  for (int k = 0; k < 2; k++)
    if (res[k].ok && conv_ms[k] > 0)
      printf ("%s convolutions: runtime %.3f ms, bare oneDNN %.3f ms, ratio %.2f\n",
              k ? "bf16" : "f32", conv_ms[k], conv_bare[k], conv_bare[k] / conv_ms[k]);
  for (int k = 0; k < 2; k++)
    {
      free (res[k].layer_ms);
      free (res[k].bare_ms);
      tinta_nn_plan_free (plans[k]);
    }
  tinta_nn_model_free (model);
  return CLI_OK;
}
