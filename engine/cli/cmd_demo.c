/* tinta-cli demo: the README's main job. Frame 0 of a clip is the colored
 * keyframe; every later frame is colorized from its gray L alone with the
 * chosen strategy; the result is exported as a video, one frame is shown
 * as gray | result | original, and the PSNR against the original color
 * is printed (the protocol of design.md §4 applied to any clip). */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cli.h"

typedef struct {
  tinta_media    *media;
  tinta_frame    *key;           /* --key image, or NULL: frame 0 itself */
  tinta_strategy *strategy;
  tinta_frame    *truth;
  long long       compare_index;
  uint8_t        *compare;       /* 3 panels side by side */
  double          sum25, sum_all;
  long long       n25, n_all;
} demo_state;

static void
put_panel (demo_state *d, int panel, const uint8_t *rgb)
{
  int w = d->truth->width, h = d->truth->height;
  for (int y = 0; y < h; y++)
    memcpy (d->compare + ((size_t) y * 3 * w + (size_t) panel * w) * 3,
            rgb + (size_t) y * w * 3, (size_t) w * 3);
}

static int
colorize_frame (void *user, long long k, tinta_frame *out, tinta_error *err)
{
  demo_state *d = user;
  size_t n = (size_t) out->width * out->height;
  int st = tinta_media_read (d->media, k, d->truth, err);
  if (st < 0)
    return st;
  if (k == 0)
    {
      /* The keyframe is the user's own colors. */
      const tinta_frame *key = d->key ? d->key : d->truth;
      memcpy (out->rgb, key->rgb, n * 3);
      return tinta_strategy_begin (d->strategy, key, err);
    }
  /* The strategy sees only L; the original colors are for scoring. */
  memcpy (out->L, d->truth->L, n * sizeof (float));
  st = tinta_strategy_next (d->strategy, out, err);
  if (st < 0)
    return st;
  tinta_lab_to_srgb8 (out->L, out->a, out->b, n, out->rgb);
  double p = tinta_psnr_rgb8 (out->rgb, d->truth->rgb, n);
  d->sum_all += p;
  d->n_all++;
  if (k <= 24)
    {
      d->sum25 += p;
      d->n25++;
    }
  if (k == d->compare_index)
    {
      uint8_t *gray = malloc (n * 3);
      if (gray == NULL)
        return TINTA_ERR_NO_MEMORY;
      float *zero = calloc (n, sizeof (float));
      if (zero == NULL)
        {
          free (gray);
          return TINTA_ERR_NO_MEMORY;
        }
      tinta_lab_to_srgb8 (out->L, zero, zero, n, gray);
      put_panel (d, 0, gray);
      put_panel (d, 1, out->rgb);
      put_panel (d, 2, d->truth->rgb);
      free (zero);
      free (gray);
    }
  return TINTA_OK;
}

/* The exporter's frames carry RGB only; colorizing needs Lab planes too. */
typedef struct {
  demo_state  *d;
  tinta_frame *lab;
} demo_source;

static int
demo_source_cb (void *user, long long k, tinta_frame *frame, tinta_error *err)
{
  demo_source *s = user;
  int st = colorize_frame (s->d, k, s->lab, err);
  if (st == TINTA_OK)
    memcpy (frame->rgb, s->lab->rgb, (size_t) frame->width * frame->height * 3);
  return st;
}

int
cmd_demo (int argc, char **argv)
{
  const char *input = NULL, *strategy = tinta_strategy_default_name (), *model = NULL;
  const char *key_path = NULL;
  int key_fit = TINTA_FIT_REJECT, rc;
  cli_media_opts mo = { .format = TINTA_FORMAT_H264, .min_frames = 2 };

  for (int i = 1; i < argc; i++)
    {
      if (cli_media_option (argc, argv, &i, &mo, &rc))
        {
          if (rc != CLI_OK)
            return rc;
        }
      else if (strcmp (argv[i], "--strategy") == 0)
        {
          if (++i >= argc)
            return cli_usage_error ("--strategy needs a name");
          strategy = argv[i];
        }
      else if (strcmp (argv[i], "--model") == 0)
        {
          if (++i >= argc)
            return cli_usage_error ("--model needs a file");
          model = argv[i];
        }
      else if (strcmp (argv[i], "--key") == 0)
        {
          if (++i >= argc)
            return cli_usage_error ("--key needs an image");
          key_path = argv[i];
        }
      else if (strcmp (argv[i], "--scale-key") == 0)
        key_fit = TINTA_FIT_SCALE;
      else if ((rc = cli_positional ("demo", argv[i], &input)) != CLI_OK)
        return rc;
    }
  const char *outdir = mo.output;
  long long frames = mo.frames;
  int format = mo.format;
  if (input == NULL || outdir == NULL)
    return cli_usage_error ("demo needs INPUT and -o OUTDIR");

  tinta_error err = { 0 };
  demo_state d = { 0 };
  demo_source src = { &d, NULL };
  int st = tinta_media_open (input, &d.media, &err);
  if (st < 0)
    return cli_report (&err, st);
  const tinta_media_info *in = tinta_media_get_info (d.media);
  long long n = in->frame_count;
  if (frames > 0 && frames < n)
    n = frames;
  if (n < 2)
    {
      fprintf (stderr, "tinta-cli: %s: needs at least 2 frames (has %lld)\n", input, n);
      tinta_media_free (d.media);
      return CLI_FAIL;
    }
  if (key_path != NULL)
    {
      int scaled = 0;
      st = tinta_image_load (key_path, in->width, in->height, (tinta_fit) key_fit, &d.key,
                             &scaled, &err);
      if (st < 0)
        {
          tinta_media_free (d.media);
          return cli_report (&err, st);
        }
      if (scaled)
        fprintf (stderr, "tinta-cli: note: %s was scaled to %dx%d to fit the clip\n", key_path,
                 in->width, in->height);
    }
  else if (!in->has_color)
    fprintf (stderr, "tinta-cli: note: %s has no color; frame 0 is a gray keyframe\n", input);
  if (mkdir (outdir, 0755) != 0)
    {
      struct stat sbuf;
      if (stat (outdir, &sbuf) != 0 || !S_ISDIR (sbuf.st_mode))
        {
          fprintf (stderr, "tinta-cli: %s: cannot create the output folder\n", outdir);
          tinta_media_free (d.media);
          return CLI_FAIL;
        }
    }
  st = tinta_strategy_new_with_model (strategy, model, in->width, in->height, &d.strategy,
                                      &err);
  d.truth = tinta_frame_new (in->width, in->height, TINTA_FRAME_LAB | TINTA_FRAME_RGB);
  src.lab = tinta_frame_new (in->width, in->height, TINTA_FRAME_LAB | TINTA_FRAME_RGB);
  d.compare = calloc ((size_t) in->width * 3 * in->height, 3);
  d.compare_index = n - 1;
  if (st == TINTA_OK && (d.truth == NULL || src.lab == NULL || d.compare == NULL))
    st = TINTA_ERR_NO_MEMORY;
  char video[4096], image[4096];
  snprintf (video, sizeof video, "%s/result%s", outdir,
            format == TINTA_FORMAT_PNG ? "-frames" : tinta_format_extension ((tinta_format) format));
  snprintf (image, sizeof image, "%s/compare.png", outdir);
  cli_progress prog;
  cli_progress_init (&prog, "colorize");
  if (st == TINTA_OK)
    {
      tinta_export_params p;
      cli_export_params_for (&p, in, format);
      st = tinta_export_frames (video, &p, n, demo_source_cb, &src, cli_progress_cb, cli_abort,
                                &prog, &err);
      cli_progress_end (&prog);
    }
  if (st == TINTA_OK)
    st = tinta_image_save_png (image, d.compare, in->width * 3, in->height, &err);
  if (st == TINTA_OK)
    {
      double el = cli_now () - prog.start;
      printf ("clip: %s (%dx%d, %lld frames used, %d/%d fps)\n", input, in->width, in->height, n,
              in->fps_num, in->fps_den);
      printf ("strategy: %s (keyframe: frame 0%s%s)\n", strategy, key_path ? " from " : "",
              key_path ? key_path : "");
      printf ("result: %s\n", video);
      printf ("comparison (gray | result | original, frame %lld): %s\n", d.compare_index, image);
      printf ("psnr: psnr25=%.2f psnr_all=%.2f (dB, frames 1-%lld and 1-%lld)\n",
              d.sum25 / (double) d.n25, d.sum_all / (double) d.n_all, d.n25, d.n_all);
      printf ("speed: %.1f frames/s end to end\n", el > 0 ? (double) n / el : 0.0);
      rc = CLI_OK;
    }
  else
    rc = cli_report (&err, st);
  free (d.compare);
  tinta_frame_free (src.lab);
  tinta_frame_free (d.truth);
  tinta_frame_free (d.key);
  tinta_strategy_free (d.strategy);
  tinta_media_free (d.media);
  return rc;
}
