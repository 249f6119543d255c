/* tinta-dvp-dump: what the C engine's stage-1 strategies make of a clip,
 * saved for training the fusion network (training/dvp_train.py --stage
 * fusion, training/README.md).
 *
 *   tinta-dvp-dump CLIP_DIR OUT.npy --model FILE [--features FILE] [--backward]
 *                  [--frames N]
 *
 * --model: the local network (a bundle or the file of models/);
 * --features: the SqueezeNet features (default: from --model).
 *
 * The keyframe is the clip's first frame (last with --backward); for every
 * frame t, in clip order, the output holds at half resolution (the 2x2
 * means of dvp_ops.half_res, as the cached training clips):
 *
 *   0, 1  a, b of the *local* strategy chained from the keyframe (Lab)
 *   2, 3  a, b of the global strategy against the keyframe (Lab)
 *   4     the global match's confidence in [0, 1]
 *   5     L of the keyframe at the global match
 *
 * as a float16 .npy array (T, 6, H/2, W/2); the keyframe's rows hold its
 * true chroma, confidence 1 and its L.
 *
 * Why the engine and not a PyTorch twin: the global match must be the one
 * the engine runs (its bf16 features, its argmax ties), and the
 * similarity matrix of a 854x480 frame (6420 x 6420 cells x 256 channels)
 * is ~10 GFLOP that Debian's reference-BLAS torch would take seconds for.
 * The local chain gives the fusion network drifted inputs like those it
 * meets 10..80 frames after a keyframe: short unrolls from true colors
 * never show it long-range drift.
 *
 * Not installed: a training tool, built with the engine. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "dvp/resample.h"
#include "tinta/dvp.h"
#include "tinta/media.h"

#define CH 6

static int
write_npy (const char *path, const _Float16 *data, long long t, int h, int w)
{
  char tmp[4200], header[256];
  snprintf (tmp, sizeof tmp, "%s.tmp", path);
  FILE *f = fopen (tmp, "wb");
  if (f == NULL)
    return -1;
  int n = snprintf (header, sizeof header,
                    "{'descr': '<f2', 'fortran_order': False, 'shape': (%lld, %d, %d, %d), }",
                    t, CH, h, w);
  int total = 10 + n + 1;
  int pad = (64 - total % 64) % 64;
  uint16_t hlen = (uint16_t) (n + pad + 1);
  fwrite ("\x93NUMPY\x01\x00", 1, 8, f);
  fputc (hlen & 0xff, f);
  fputc (hlen >> 8, f);
  fwrite (header, 1, (size_t) n, f);
  for (int i = 0; i < pad; i++)
    fputc (' ', f);
  fputc ('\n', f);
  size_t count = (size_t) t * CH * (size_t) h * (size_t) w;
  int ok = fwrite (data, sizeof *data, count, f) == count;
  ok = (fclose (f) == 0) && ok;
  if (!ok || rename (tmp, path) != 0)
    {
      remove (tmp);
      return -1;
    }
  return 0;
}

/* Channels first..first+n-1 of a frame's row: the 2x2 means of the
 * full-size planes (NULL: the constant 1), as float16. */
static void
put_half (_Float16 *row, int first, const float *const *planes, int n, int W, int H,
          float *half)
{
  size_t hn = (size_t) (W / 2) * (H / 2);
  for (int ch = 0; ch < n; ch++)
    {
      _Float16 *dst = row + (size_t) (first + ch) * hn;
      if (planes[ch] == NULL)
        {
          for (size_t i = 0; i < hn; i++)
            dst[i] = (_Float16) 1.0f;
          continue;
        }
      tinta_half_res (planes[ch], W, H, half);
      for (size_t i = 0; i < hn; i++)
        dst[i] = (_Float16) half[i];
    }
}

int
main (int argc, char **argv)
{
  const char *in = NULL, *out = NULL, *model = NULL, *features = NULL;
  int backward = 0;
  long long max_frames = 0;
  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--backward") == 0)
        backward = 1;
      else if (strcmp (argv[i], "--model") == 0 && i + 1 < argc)
        model = argv[++i];
      else if (strcmp (argv[i], "--features") == 0 && i + 1 < argc)
        features = argv[++i];
      else if (strcmp (argv[i], "--frames") == 0 && i + 1 < argc)
        max_frames = atoll (argv[++i]);
      else if (in == NULL)
        in = argv[i];
      else if (out == NULL)
        out = argv[i];
      else
        in = NULL, i = argc;
    }
  if (in == NULL || out == NULL || model == NULL)
    {
      fprintf (stderr, "usage: tinta-dvp-dump CLIP_DIR OUT.npy --model FILE [--features FILE] "
               "[--backward] [--frames N]\n");
      return 2;
    }

  tinta_error err = { 0 };
  tinta_media *m = NULL;
  tinta_local *local = NULL;
  tinta_global *global = NULL;
  tinta_frame *key = NULL, *f = NULL;
  _Float16 *dump = NULL;
  float *a = NULL, *b = NULL, *c = NULL, *lm = NULL, *half = NULL;
  int rc = 1;

  if (tinta_media_open (in, &m, &err) < 0)
    goto fail;
  const tinta_media_info *info = tinta_media_get_info (m);
  long long T = info->frame_count;
  if (max_frames > 0 && max_frames < T)
    T = max_frames;
  int W = info->width, H = info->height, hw = W / 2, hh = H / 2;
  size_t n = (size_t) W * H, hn = (size_t) hw * hh;
  key = tinta_frame_new (W, H, TINTA_FRAME_LAB | TINTA_FRAME_RGB);
  f = tinta_frame_new (W, H, TINTA_FRAME_LAB | TINTA_FRAME_RGB);
  dump = calloc ((size_t) T * CH * hn, sizeof *dump);
  a = malloc (n * sizeof *a);
  b = malloc (n * sizeof *b);
  c = malloc (n * sizeof *c);
  lm = malloc (n * sizeof *lm);
  half = malloc (hn * sizeof *half);
  if (!key || !f || !dump || !a || !b || !c || !lm || !half)
    {
      fprintf (stderr, "tinta-dvp-dump: out of memory\n");
      goto out;
    }
  if (tinta_local_new (model, W, H, &local, &err) < 0
      || tinta_global_new (features ? features : model, W, H, &global, &err) < 0)
    goto fail;
  long long k0 = backward ? T - 1 : 0, dir = backward ? -1 : 1;
  if (tinta_media_read (m, k0, key, &err) < 0
      || tinta_local_reset (local, key->L, key->a, key->b, &err) < 0
      || tinta_global_set_keyframes (global, (const tinta_frame *const *) &key, 1, &err) < 0)
    goto fail;
  {
    const float *key_row[CH] = { key->a, key->b, key->a, key->b, NULL, key->L };
    put_half (dump + (size_t) k0 * CH * hn, 0, key_row, CH, W, H, half);
  }
  for (long long s = 1; s < T; s++)
    {
      long long k = k0 + dir * s;
      if (tinta_media_read (m, k, f, &err) < 0
          || tinta_local_next (local, f->L, a, b, NULL, &err) < 0)
        goto fail;
      _Float16 *row = dump + (size_t) k * CH * hn;
      const float *local_ab[2] = { a, b };
      put_half (row, 0, local_ab, 2, W, H, half);
      if (tinta_global_predict_full (global, f->L, a, b, c, lm, &err) < 0)
        goto fail;
      const float *global_out[4] = { a, b, c, lm };
      put_half (row, 2, global_out, 4, W, H, half);
    }
  if (write_npy (out, dump, T, hh, hw) < 0)
    {
      fprintf (stderr, "tinta-dvp-dump: cannot write %s\n", out);
      goto out;
    }
  rc = 0;
  goto out;
fail:
  {
    char msg[1600];
    fprintf (stderr, "tinta-dvp-dump: %s\n", tinta_error_format (&err, msg, sizeof msg));
  }
out:
  tinta_local_free (local);
  tinta_global_free (global);
  tinta_frame_free (key);
  tinta_frame_free (f);
  tinta_media_free (m);
  free (dump);
  free (a);
  free (b);
  free (c);
  free (lm);
  free (half);
  return rc;
}
