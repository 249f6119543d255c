/* tinta-cli colorize: a whole clip from one or more keyframes, both ways,
 * shot by shot (tinta/colorize.h), exported to a deliverable format.
 *
 *   tinta-cli colorize clip.mp4 --key 0=first.png --key last=end.png -o out.mov
 *
 * Two passes: the analysis (decode, find hard cuts), then the colorizing
 * export; each has its progress line (frames, fps, ETA on a terminal).
 * Ctrl-C stops cleanly: the exporter writes to a temporary name and
 * removes it, so no partial output is left. */
#include <stdlib.h>
#include <string.h>
#include "cli.h"

typedef struct {
  tinta_colorizer *c;
  tinta_frame     *lab;    /* the exporter's frames carry RGB only */
} colorize_source;

static int
colorize_cb (void *user, long long k, tinta_frame *frame, tinta_error *err)
{
  colorize_source *s = user;
  int st = tinta_colorizer_frame (s->c, k, s->lab, err);
  if (st == TINTA_OK)
    memcpy (frame->rgb, s->lab->rgb, (size_t) frame->width * frame->height * 3);
  return st;
}

/* "FRAME=IMAGE", FRAME a number or "last". */
static int
parse_key (const char *arg, long long *frame, int *is_last, const char **path)
{
  const char *eq = strchr (arg, '=');
  if (eq == NULL || eq == arg || eq[1] == '\0')
    return cli_usage_error ("--key wants FRAME=IMAGE (e.g. 0=first.png or last=end.png), not '%s'",
                            arg);
  *path = eq + 1;
  *is_last = 0;
  if ((size_t) (eq - arg) == 4 && strncmp (arg, "last", 4) == 0)
    {
      *is_last = 1;
      *frame = -1;
      return CLI_OK;
    }
  char num[32];
  size_t len = (size_t) (eq - arg);
  if (len >= sizeof num)
    return cli_usage_error ("--key: frame '%.*s' is not a number", (int) len, arg);
  memcpy (num, arg, len);
  num[len] = '\0';
  return cli_parse_int ("--key", num, 0, 100000000, frame);
}

/* The format from the output's extension when --format is not given. */
static int
format_for (const char *output)
{
  const char *dot = strrchr (output, '.');
  const char *slash = strrchr (output, '/');
  if (dot == NULL || (slash && dot < slash))
    return TINTA_FORMAT_PNG;      /* a folder of numbered PNGs */
  if (strcmp (dot, ".mov") == 0)
    return TINTA_FORMAT_PRORES;
  if (strcmp (dot, ".mkv") == 0)
    return TINTA_FORMAT_FFV1;
  if (strcmp (dot, ".mp4") == 0)
    return TINTA_FORMAT_H264;
  return -1;
}

int
cmd_colorize (int argc, char **argv)
{
  enum { MAX_KEYS = TINTA_COLORIZE_MAX_KEYS };
  const char *input = NULL, *key_path[MAX_KEYS];
  long long key_frame[MAX_KEYS], wh = TINTA_WORKING_HEIGHT;
  int key_last[MAX_KEYS], n_keys = 0, rc, scale_key = 0;
  tinta_colorize_params cp;
  tinta_colorize_params_init (&cp);
  cli_media_opts mo = { .format = -1, .min_frames = 1 };

  for (int i = 1; i < argc; i++)
    {
      if (cli_media_option (argc, argv, &i, &mo, &rc))
        {
          if (rc != CLI_OK)
            return rc;
        }
      else if (strcmp (argv[i], "--key") == 0)
        {
          if (++i >= argc)
            return cli_usage_error ("--key needs FRAME=IMAGE");
          if (n_keys == MAX_KEYS)
            return cli_usage_error ("at most %d keyframes", MAX_KEYS);
          if ((rc = parse_key (argv[i], &key_frame[n_keys], &key_last[n_keys],
                               &key_path[n_keys])) != CLI_OK)
            return rc;
          n_keys++;
        }
      else if (strcmp (argv[i], "--strategy") == 0)
        {
          if (++i >= argc)
            return cli_usage_error ("--strategy needs a name (fused, local or global)");
          cp.strategy = argv[i];
          if (strcmp (cp.strategy, "fused") && strcmp (cp.strategy, "local")
              && strcmp (cp.strategy, "global"))
            return cli_usage_error ("unknown strategy '%s' (fused, local or global)", argv[i]);
        }
      else if (strcmp (argv[i], "--model") == 0)
        {
          if (++i >= argc)
            return cli_usage_error ("--model needs a file");
          cp.model = argv[i];
        }
      else if (strcmp (argv[i], "--working-height") == 0)
        {
          if ((rc = cli_parse_int ("--working-height", i + 1 < argc ? argv[++i] : NULL, 32,
                                   TINTA_MAX_DIMENSION, &wh)) != CLI_OK)
            return rc;
        }
      else if (strcmp (argv[i], "--scale-key") == 0)
        scale_key = 1;
      else if (strcmp (argv[i], "--no-cuts") == 0)
        cp.detect_cuts = 0;
      else if ((rc = cli_positional ("colorize", argv[i], &input)) != CLI_OK)
        return rc;
    }
  if (input == NULL || mo.output == NULL)
    return cli_usage_error ("colorize needs INPUT, -o OUTPUT and at least one --key FRAME=IMAGE");
  if (n_keys == 0)
    return cli_usage_error ("colorize needs at least one --key FRAME=IMAGE");
  int format = mo.format >= 0 ? mo.format : format_for (mo.output);
  if (format < 0)
    return cli_usage_error ("%s: say --format (prores, ffv1, h264, png): the extension "
                            "is not .mov, .mkv or .mp4", mo.output);
  cp.working_height = (int) wh;

  tinta_error err = { 0 };
  tinta_media *media = NULL;
  tinta_frame *images[MAX_KEYS] = { 0 };
  tinta_keyframe keys[MAX_KEYS];
  colorize_source src = { 0 };
  int st = tinta_media_open (input, &media, &err);
  if (st < 0)
    return cli_report (&err, st);
  const tinta_media_info *in = tinta_media_get_info (media);
  long long n = in->frame_count;
  if (mo.frames > 0 && mo.frames < n)
    n = mo.frames;
  for (int i = 0; st == TINTA_OK && i < n_keys; i++)
    {
      long long f = key_last[i] ? n - 1 : key_frame[i];
      if (f >= n)
        {
          fprintf (stderr, "tinta-cli: --key %lld=%s: the clip's frames are 0 to %lld\n", f,
                   key_path[i], n - 1);
          st = TINTA_ERR_OUT_OF_RANGE;
          break;
        }
      int scaled = 0;
      st = tinta_image_load (key_path[i], in->width, in->height,
                             scale_key ? TINTA_FIT_SCALE : TINTA_FIT_REJECT, &images[i], &scaled,
                             &err);
      if (st == TINTA_OK && scaled)
        fprintf (stderr, "tinta-cli: note: %s was scaled to %dx%d to fit the clip\n",
                 key_path[i], in->width, in->height);
      keys[i].frame = f;
      keys[i].image = images[i];
    }
  if (st == TINTA_OK)
    st = tinta_colorizer_new (media, n, keys, n_keys, &cp, &src.c, &err);
  if (st == TINTA_OK
      && (src.lab = tinta_frame_new (in->width, in->height, TINTA_FRAME_LAB | TINTA_FRAME_RGB))
         == NULL)
    st = TINTA_ERR_NO_MEMORY;
  cli_progress prog;
  if (st == TINTA_OK)
    {
      cli_progress_init (&prog, "analyze");
      st = tinta_colorizer_analyze (src.c, cli_progress_cb, cli_abort, &prog, &err);
      cli_progress_end (&prog);
    }
  if (st == TINTA_OK)
    {
      const long long *cuts;
      int n_cuts = tinta_colorizer_cuts (src.c, &cuts);
      fprintf (stderr, "tinta-cli: %d cut%s", n_cuts, n_cuts == 1 ? "" : "s");
      for (int i = 0; i < n_cuts && i < 20; i++)
        fprintf (stderr, "%s%lld", i ? ", " : " at frames ", cuts[i]);
      fprintf (stderr, "%s\n", n_cuts > 20 ? ", ..." : "");
      tinta_export_params p;
      cli_export_params_for (&p, in, format);
      cli_progress_init (&prog, "colorize");
      st = tinta_export_frames (mo.output, &p, n, colorize_cb, &src, cli_progress_cb, cli_abort,
                                &prog, &err);
      cli_progress_end (&prog);
    }
  if (st == TINTA_OK)
    {
      tinta_colorize_report r;
      tinta_colorizer_report (src.c, &r);
      double el = cli_now () - prog.start;
      printf ("wrote %s: %lld frames %dx%d, %s, %.1f fps\n", mo.output, n, in->width, in->height,
              tinta_format_name ((tinta_format) format), el > 0 ? (double) n / el : 0.0);
      printf ("strategy %s at %dx%d; frames: %lld keyframes, %lld both ways, %lld forward only, "
              "%lld backward only, %lld in shots without a keyframe\n",
              cp.strategy ? cp.strategy : "fused", r.working_width, r.working_height,
              r.frames_keyframe, r.frames_both_ways, r.frames_forward_only,
              r.frames_backward_only, r.frames_global_only);
      rc = CLI_OK;
    }
  else if (st == TINTA_ERR_OUT_OF_RANGE && err.status == 0)
    rc = CLI_FAIL;
  else
    rc = cli_report (&err, st);
  tinta_colorizer_free (src.c);
  tinta_frame_free (src.lab);
  for (int i = 0; i < n_keys; i++)
    tinta_frame_free (images[i]);
  tinta_media_free (media);
  return rc;
}
