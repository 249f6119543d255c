/* The NN runtime: parity with PyTorch on the fixtures of tests/data/nn
 * (every op; made by training/make_nn_fixtures.py), in f32 (max abs error
 * <= 1e-4) and bf16 (documented bound, relative to the output's range);
 * two threads on one plan give identical outputs; cancellation; graph
 * validation of hostile model files. */
#include <dirent.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "nn/safetensors.h"
#include "testutil.h"
#include "tinta-test.h"
#include "tinta/tinta.h"

/* bf16 keeps 8 bits of mantissa: each layer rounds its inputs and weights
 * to ~0.4 % and accumulates in f32. Measured worst case over the fixtures
 * is printed; the bound leaves room above it. */
#define BF16_REL_BOUND 0.04

static const char *data_dir;
static double worst_f32, worst_bf16;

#define to_nhwc(t) tu_tensor_to_nhwc (t)

/* Runs the network of fixture `name` on its inputs and compares with its
 * reference outputs; model_path/arch (may be NULL) load it from elsewhere
 * (a bundle). */
static int
run_fixture_from (const char *name, const char *model_path, const char *arch,
                  tinta_nn_precision prec)
{
  char mpath[4096], iopath[4096];
  snprintf (mpath, sizeof mpath, "%s/%s.safetensors", data_dir, name);
  if (model_path != NULL)
    snprintf (mpath, sizeof mpath, "%s", model_path);
  snprintf (iopath, sizeof iopath, "%s/%s.io.safetensors", data_dir, name);
  tinta_error err = { 0 };
  tinta_nn_model *model = NULL;
  tinta_safetensors *io = NULL;
  tinta_nn_plan *plan = NULL;
  tinta_nn_runner *run = NULL;
  int ok = 1;
  float *owned[64] = { 0 };

  CHECK_STATUS (tinta_nn_model_load (mpath, arch, &model, &err), TINTA_OK, &err);
  CHECK_STATUS (tinta_safetensors_open (iopath, &io, &err), TINTA_OK, &err);
  if (model == NULL || io == NULL)
    goto out;
  int ni = tinta_nn_model_n_inputs (model);
  const float *inputs[64] = { 0 };
  int hs[64], ws[64];
  for (int k = 0; k < ni && k < 64; k++)
    {
      /* The io file names inputs; the graph orders them. */
      char key[300];
      snprintf (key, sizeof key, "input:%s", tinta_nn_model_input_name (model, k));
      const tinta_tensor *t = tinta_safetensors_find (io, key);
      CHECK_MSG (t != NULL && t->ndim == 4, "%s: no 4-D %s", name, key);
      if (t == NULL || t->ndim != 4)
        goto out;
      owned[k] = to_nhwc (t);
      inputs[k] = owned[k];
      hs[k] = (int) t->shape[2];
      ws[k] = (int) t->shape[3];
    }
  CHECK_STATUS (tinta_nn_plan_new_sizes (model, hs, ws, prec, &plan, &err), TINTA_OK, &err);
  if (plan)
    CHECK_STATUS (tinta_nn_runner_new (plan, &run, &err), TINTA_OK, &err);
  if (run)
    CHECK_STATUS (tinta_nn_run (run, inputs, NULL, NULL, NULL, &err), TINTA_OK, &err);
  for (size_t i = 0; run && i < tinta_safetensors_count (io); i++)
    {
      const tinta_tensor *t = tinta_safetensors_at (io, i);
      if (strncmp (t->name, "output:", 7) != 0)
        continue;
      int c, oh, ow;
      const float *got = tinta_nn_runner_output (run, t->name + 7, &c, &oh, &ow);
      CHECK_MSG (got != NULL, "%s: no output %s", name, t->name);
      if (got == NULL)
        continue;
      CHECK_MSG (c == t->shape[1] && oh == t->shape[2] && ow == t->shape[3],
                 "%s: output %s is %dx%dx%d, expected %lldx%lldx%lld", name, t->name, c, oh, ow,
                 (long long) t->shape[1], (long long) t->shape[2], (long long) t->shape[3]);
      if (c != t->shape[1] || oh != t->shape[2] || ow != t->shape[3])
        continue;
      double range, max_err = tu_max_abs_error (got, t, &range);
      if (prec == TINTA_NN_F32)
        {
          worst_f32 = fmax (worst_f32, max_err);
          CHECK_MSG (max_err <= 1e-4, "%s f32: %s max abs error %.3g", name, t->name, max_err);
          ok &= max_err <= 1e-4;
        }
      else
        {
          double rel = max_err / fmax (range, 1e-6);
          worst_bf16 = fmax (worst_bf16, rel);
          CHECK_MSG (rel <= BF16_REL_BOUND, "%s bf16: %s max error %.3g of range %.3g (%.3g)",
                     name, t->name, max_err, range, rel);
        }
      printf ("  %-24s %-4s %-14s max abs err %.2e (range %.2f)\n", name,
              prec == TINTA_NN_F32 ? "f32" : "bf16", t->name + 7, max_err, range);
    }
out:
  for (int i = 0; i < 64; i++)
    free (owned[i]);
  tinta_nn_runner_free (run);
  tinta_nn_plan_free (plan);
  tinta_safetensors_free (io);
  tinta_nn_model_free (model);
  return ok;
}

static int
run_fixture (const char *name, tinta_nn_precision prec)
{
  return run_fixture_from (name, NULL, NULL, prec);
}

/* Bundles (docs/model-format.md): each part, chosen by its arch, computes
 * its fixture's function; no arch, an unknown arch, or a part without an
 * arch are INVALID_DATA. */
static void
check_bundles (void)
{
  char two[4200], bad[4200];
  snprintf (two, sizeof two, "%s/bundle/two.safetensors", data_dir);
  snprintf (bad, sizeof bad, "%s/bundle/no_arch.safetensors", data_dir);
  CHECK (run_fixture_from ("conv_basic", two, "tinta-test-conv_basic", TINTA_NN_F32));
  CHECK (run_fixture_from ("conv_groups_f16", two, "tinta-test-conv_groups_f16", TINTA_NN_F32));
  tinta_nn_model *m = NULL;
  tinta_error err = { 0 };
  CHECK_STATUS (tinta_nn_model_load (two, NULL, &m, &err), TINTA_ERR_INVALID_DATA, &err);
  CHECK (strstr (err.message, "bundle") != NULL);
  CHECK_STATUS (tinta_nn_model_load (two, "tinta-test-pool", &m, &err), TINTA_ERR_INVALID_DATA,
                &err);
  CHECK (strstr (err.message, "tinta-test-pool") != NULL);
  CHECK_STATUS (tinta_nn_model_load (bad, "anything", &m, &err), TINTA_ERR_INVALID_DATA, &err);
  CHECK (m == NULL);
  CHECK_STATUS (tinta_nn_model_load (two, "tinta-test-conv_basic", &m, &err), TINTA_OK, &err);
  CHECK (m != NULL && strcmp (tinta_nn_model_arch (m), "tinta-test-conv_basic") == 0);
  tinta_nn_model_free (m);
}

typedef struct {
  const tinta_nn_plan *plan;
  const float *input;
  const char *output;
  float *result;
  size_t n;
  int status;
} thread_job;

static void *
thread_run (void *arg)
{
  thread_job *j = arg;
  tinta_nn_runner *r = NULL;
  j->status = tinta_nn_runner_new (j->plan, &r, NULL);
  for (int rep = 0; rep < 5 && j->status == TINTA_OK; rep++)
    j->status = tinta_nn_run (r, &j->input, NULL, NULL, NULL, NULL);
  if (j->status == TINTA_OK)
    memcpy (j->result, tinta_nn_runner_output (r, j->output, NULL, NULL, NULL),
            j->n * sizeof (float));
  tinta_nn_runner_free (r);
  return NULL;
}

static int abort_calls;
static int
abort_after_3 (void *user)
{
  (void) user;
  return ++abort_calls > 3;
}

/* Threads, cancellation and layer info on the U-Net fixture, at the size
 * of its reference input. */
static void
check_threads_and_cancel (const char *name)
{
  char mpath[4096], iopath[4096];
  snprintf (mpath, sizeof mpath, "%s/%s.safetensors", data_dir, name);
  snprintf (iopath, sizeof iopath, "%s/%s.io.safetensors", data_dir, name);
  tinta_error err = { 0 };
  tinta_nn_model *model = NULL;
  tinta_nn_plan *plan = NULL;
  tinta_safetensors *io = NULL;
  CHECK_STATUS (tinta_nn_model_load (mpath, NULL, &model, &err), TINTA_OK, &err);
  CHECK_STATUS (tinta_safetensors_open (iopath, &io, &err), TINTA_OK, &err);
  const tinta_tensor *xt = io ? tinta_safetensors_find (io, "input:x") : NULL;
  CHECK (xt != NULL);
  if (model == NULL || xt == NULL)
    {
      tinta_safetensors_free (io);
      tinta_nn_model_free (model);
      return;
    }
  CHECK_STATUS (tinta_nn_plan_new (model, (int) xt->shape[2], (int) xt->shape[3], TINTA_NN_AUTO,
                                   &plan, &err), TINTA_OK, &err);
  if (plan == NULL)
    {
      tinta_safetensors_free (io);
      tinta_nn_model_free (model);
      return;
    }
  const char *out = tinta_nn_model_output_name (model, 0);
  int c, h, w;
  CHECK_STATUS (tinta_nn_plan_shape (plan, out, &c, &h, &w), TINTA_OK, &err);
  size_t nout = (size_t) c * h * w;
  float *in = to_nhwc (xt);
  thread_job jobs[2];
  pthread_t th[2];
  for (int t = 0; t < 2; t++)
    {
      jobs[t] = (thread_job) { plan, in, out, calloc (nout, sizeof (float)), nout, -1 };
      pthread_create (&th[t], NULL, thread_run, &jobs[t]);
    }
  for (int t = 0; t < 2; t++)
    pthread_join (th[t], NULL);
  CHECK_INT (jobs[0].status, TINTA_OK);
  CHECK_INT (jobs[1].status, TINTA_OK);
  CHECK_MSG (memcmp (jobs[0].result, jobs[1].result, nout * sizeof (float)) == 0,
             "two threads on one plan disagree");
  free (jobs[0].result);
  free (jobs[1].result);

  tinta_nn_runner *r = NULL;
  CHECK_STATUS (tinta_nn_runner_new (plan, &r, &err), TINTA_OK, &err);
  const float *inputs[1] = { in };
  abort_calls = 0;
  if (r)
    {
      CHECK_STATUS (tinta_nn_run (r, inputs, abort_after_3, NULL, NULL, &err), TINTA_CANCELLED, &err);
      CHECK_INT (abort_calls, 4);
      /* The runner is still good after a cancel. */
      double ms[256];
      CHECK (tinta_nn_plan_layer_count (plan) <= 256);
      CHECK_STATUS (tinta_nn_run (r, inputs, NULL, NULL, ms, &err), TINTA_OK, &err);
      double total = 0;
      for (int i = 0; i < tinta_nn_plan_layer_count (plan); i++)
        total += ms[i];
      CHECK (total > 0);
    }
  const tinta_nn_layer_info *li = tinta_nn_plan_layer (plan, 0);
  CHECK (li != NULL && li->name != NULL && li->impl != NULL && li->out_c > 0);
  tinta_nn_runner_free (r);
  free (in);
  tinta_nn_plan_free (plan);
  tinta_safetensors_free (io);
  tinta_nn_model_free (model);
}

/* Model files from the fixture script whose graphs must be refused. */
static void
check_invalid_fixtures (void)
{
  char dir[4200];
  snprintf (dir, sizeof dir, "%s/invalid", data_dir);
  DIR *d = opendir (dir);
  CHECK_MSG (d != NULL, "no %s", dir);
  int n = 0;
  struct dirent *de;
  while (d && (de = readdir (d)) != NULL)
    {
      if (strstr (de->d_name, ".safetensors") == NULL)
        continue;
      char path[4500];
      snprintf (path, sizeof path, "%s/%s", dir, de->d_name);
      tinta_nn_model *m = NULL;
      tinta_error err = { 0 };
      int st = tinta_nn_model_load (path, NULL, &m, &err);
      CHECK_MSG (st == TINTA_ERR_INVALID_DATA && m == NULL, "%s loaded (status %d)", de->d_name, st);
      tinta_nn_model_free (m);
      n++;
    }
  if (d)
    closedir (d);
  CHECK_MSG (n >= 10, "only %d invalid fixtures", n);
}

/* Hostile or broken graphs: each is rejected with INVALID_DATA. */
static void
check_bad_graphs (void)
{
  char *dir = tu_scratch_dir ("nn");
  char path[4200];
  static const float w[2 * 1 * 3 * 3] = { 0 };
  static const float b[2] = { 0 };
  const int64_t wshape[4] = { 2, 1, 3, 3 }, bshape[1] = { 2 };
  tinta_tensor_f32 tensors[2] = { { "c.weight", 4, wshape, w }, { "c.bias", 1, bshape, b } };
  static const struct { const char *graph; const char *version; const char *why; } cases[] = {
    { "{\"inputs\":[{\"name\":\"x\",\"channels\":1}],\"outputs\":[\"c\"],\"nodes\":[{\"name\":\"c\",\"op\":\"conv2d\",\"inputs\":[\"x\"],\"weight\":\"c.weight\",\"bias\":\"c.bias\",\"padding\":[1,1]}]}", "1", NULL },
    { "{\"inputs\":[{\"name\":\"x\",\"channels\":1}],\"outputs\":[\"c\"],\"nodes\":[{\"name\":\"c\",\"op\":\"conv3d\",\"inputs\":[\"x\"],\"weight\":\"c.weight\",\"bias\":\"c.bias\"}]}", "1", "unknown op" },
    { "{\"inputs\":[{\"name\":\"x\",\"channels\":1}],\"outputs\":[\"c\"],\"nodes\":[{\"name\":\"c\",\"op\":\"conv2d\",\"inputs\":[\"y\"],\"weight\":\"c.weight\",\"bias\":\"c.bias\"}]}", "1", "undefined input" },
    { "{\"inputs\":[{\"name\":\"x\",\"channels\":3}],\"outputs\":[\"c\"],\"nodes\":[{\"name\":\"c\",\"op\":\"conv2d\",\"inputs\":[\"x\"],\"weight\":\"c.weight\",\"bias\":\"c.bias\"}]}", "1", "channels mismatch" },
    { "{\"inputs\":[{\"name\":\"x\",\"channels\":1}],\"outputs\":[\"c\"],\"nodes\":[{\"name\":\"c\",\"op\":\"conv2d\",\"inputs\":[\"x\"],\"weight\":\"c.weight\"}]}", "1", "unused tensor" },
    { "{\"inputs\":[{\"name\":\"x\",\"channels\":1}],\"outputs\":[\"c\"],\"nodes\":[{\"name\":\"c\",\"op\":\"conv2d\",\"inputs\":[\"x\"],\"weight\":\"c.weight\",\"bias\":\"c.bias\",\"stride\":[0,1]}]}", "1", "stride 0" },
    { "{\"inputs\":[{\"name\":\"x\",\"channels\":1}],\"outputs\":[\"c\"],\"nodes\":[{\"name\":\"c\",\"op\":\"conv2d\",\"inputs\":[\"x\"],\"weight\":\"c.weight\",\"bias\":\"c.bias\",\"padding\":[1e9,1]}]}", "1", "huge padding" },
    { "{\"inputs\":[{\"name\":\"x\",\"channels\":1}],\"outputs\":[\"z\"],\"nodes\":[{\"name\":\"c\",\"op\":\"conv2d\",\"inputs\":[\"x\"],\"weight\":\"c.weight\",\"bias\":\"c.bias\"}]}", "1", "unknown output" },
    { "{\"inputs\":[{\"name\":\"x\",\"channels\":1}],\"outputs\":[\"c\"],\"nodes\":[{\"name\":\"c\",\"op\":\"conv2d\",\"inputs\":[\"c\"],\"weight\":\"c.weight\",\"bias\":\"c.bias\"}]}", "1", "self loop" },
    { "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", "1", "deep nesting" },
    { "{\"inputs\":[{\"name\":\"x\",\"channels\":1}],\"outputs\":[\"c\"],\"nodes\":[{\"name\":\"c\",\"op\":\"conv2d\",\"inputs\":[\"x\"],\"weight\":\"c.weight\",\"bias\":\"c.bias\"}]}", "2", "future version" },
    { "{\"inputs\":[{\"name\":\"x\",\"channels\":1}],\"outputs\":[\"k\"],\"nodes\":[{\"name\":\"c\",\"op\":\"conv2d\",\"inputs\":[\"x\"],\"weight\":\"c.weight\",\"bias\":\"c.bias\"},{\"name\":\"k\",\"op\":\"correlation\",\"inputs\":[\"c\",\"x\"],\"radius\":1}]}", "1", "correlation of 2 and 1 channels" },
    { "{\"inputs\":[{\"name\":\"x\",\"channels\":1}],\"outputs\":[\"k\"],\"nodes\":[{\"name\":\"c\",\"op\":\"conv2d\",\"inputs\":[\"x\"],\"weight\":\"c.weight\",\"bias\":\"c.bias\"},{\"name\":\"k\",\"op\":\"correlation\",\"inputs\":[\"c\",\"c\"]}]}", "1", "correlation without radius" },
    { "{\"inputs\":[{\"name\":\"x\",\"channels\":1}],\"outputs\":[\"k\"],\"nodes\":[{\"name\":\"c\",\"op\":\"conv2d\",\"inputs\":[\"x\"],\"weight\":\"c.weight\",\"bias\":\"c.bias\"},{\"name\":\"k\",\"op\":\"correlation\",\"inputs\":[\"c\",\"c\"],\"radius\":17}]}", "1", "correlation radius 17" },
    { "{\"inputs\":[{\"name\":\"x\",\"channels\":1}],\"outputs\":[\"k\"],\"nodes\":[{\"name\":\"c\",\"op\":\"conv2d\",\"inputs\":[\"x\"],\"weight\":\"c.weight\",\"bias\":\"c.bias\"},{\"name\":\"k\",\"op\":\"correlation\",\"inputs\":[\"c\"],\"radius\":1}]}", "1", "correlation of one input" },
    { "not json", "1", "not JSON" },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      const char *kv[6] = { "tinta.arch", "test", "tinta.version", cases[i].version,
                            "tinta.graph", cases[i].graph };
      tinta_error err = { 0 };
      snprintf (path, sizeof path, "%s/g%zu.safetensors", dir, i);
      CHECK_STATUS (tinta_safetensors_write (path, tensors, 2, TINTA_DT_F32, kv, 3, &err), TINTA_OK,
                    &err);
      tinta_nn_model *m = NULL;
      int st = tinta_nn_model_load (path, NULL, &m, &err);
      if (cases[i].why == NULL)
        {
          CHECK_STATUS (st, TINTA_OK, &err);
          tinta_nn_model *other = NULL;
          CHECK_STATUS (tinta_nn_model_load (path, "other", &other, &err), TINTA_ERR_INVALID_DATA, &err);
          CHECK (other == NULL);
        }
      else
        CHECK_MSG (st == TINTA_ERR_INVALID_DATA && m == NULL, "%s: got %d (%s)", cases[i].why, st,
                   err.message);
      tinta_nn_model_free (m);
    }
  /* A plan at a size where the network has no output. */
  {
    tinta_nn_model *m = NULL;
    tinta_nn_plan *p = NULL;
    tinta_error err = { 0 };
    snprintf (path, sizeof path, "%s/g0.safetensors", dir);
    CHECK_STATUS (tinta_nn_model_load (path, "test", &m, &err), TINTA_OK, &err);
    if (m)
      {
        CHECK_STATUS (tinta_nn_plan_new (m, 0, 10, TINTA_NN_F32, &p, &err), TINTA_ERR_OUT_OF_RANGE, &err);
        CHECK_STATUS (tinta_nn_plan_new (m, 100000, 10, TINTA_NN_F32, &p, &err), TINTA_ERR_OUT_OF_RANGE, &err);
      }
    tinta_nn_model_free (m);
  }
  tu_run ("rm -rf '%s'", dir);
  free (dir);
}

int
main (void)
{
  static char dd[4096];
  const char *root = getenv ("TINTA_SOURCE_ROOT");
  snprintf (dd, sizeof dd, "%s/tests/data/nn", root ? root : ".");
  data_dir = dd;

  DIR *d = opendir (data_dir);
  CHECK_MSG (d != NULL, "no fixtures in %s", data_dir);
  int n = 0;
  struct dirent *de;
  char *names[256];
  while (d && (de = readdir (d)) != NULL && n < 256)
    {
      size_t len = strlen (de->d_name);
      if (len > 12 && strcmp (de->d_name + len - 12, ".safetensors") == 0
          && strstr (de->d_name, ".io.") == NULL)
        names[n++] = strndup (de->d_name, len - 12);
    }
  if (d)
    closedir (d);
  CHECK_MSG (n >= 5, "only %d fixtures found", n);
  for (int i = 0; i < n; i++)
    {
      run_fixture (names[i], TINTA_NN_F32);
      if (tinta_nn_cpu_has_bf16 ())
        run_fixture (names[i], TINTA_NN_BF16);
    }
  printf ("worst f32 abs error %.3g; worst bf16 error %.3g of the output range\n", worst_f32,
          worst_bf16);
  for (int i = 0; i < n; i++)
    if (strstr (names[i], "unet"))
      check_threads_and_cancel (names[i]);
  for (int i = 0; i < n; i++)
    free (names[i]);
  check_bad_graphs ();
  check_invalid_fixtures ();
  check_bundles ();
  return tinta_test_end ("nn");
}
