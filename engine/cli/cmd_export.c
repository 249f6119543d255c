/* tinta-cli export: decode a clip and encode it to a deliverable format,
 * with progress and clean cancellation (also used to measure export). */
#include <string.h>
#include "cli.h"

typedef struct {
  tinta_media *media;
} export_source;

static int
read_source (void *user, long long index, tinta_frame *frame, tinta_error *err)
{
  export_source *s = user;
  return tinta_media_read (s->media, index, frame, err);
}

int
cmd_export (int argc, char **argv)
{
  const char *input = NULL;
  long long crf = -1;
  int rc;
  cli_media_opts mo = { .format = TINTA_FORMAT_PRORES, .min_frames = 1 };

  for (int i = 1; i < argc; i++)
    {
      if (cli_media_option (argc, argv, &i, &mo, &rc))
        {
          if (rc != CLI_OK)
            return rc;
        }
      else if (strcmp (argv[i], "--crf") == 0)
        {
          rc = cli_parse_int ("--crf", i + 1 < argc ? argv[++i] : NULL, 0, 51, &crf);
          if (rc != CLI_OK)
            return rc;
        }
      else if ((rc = cli_positional ("export", argv[i], &input)) != CLI_OK)
        return rc;
    }
  const char *output = mo.output;
  long long frames = mo.frames;
  int format = mo.format;
  if (input == NULL || output == NULL)
    return cli_usage_error ("export needs INPUT and -o OUTPUT");

  tinta_error err = { 0 };
  export_source src = { 0 };
  int st = tinta_media_open (input, &src.media, &err);
  if (st < 0)
    return cli_report (&err, st);
  const tinta_media_info *in = tinta_media_get_info (src.media);
  tinta_export_params p;
  cli_export_params_for (&p, in, format);
  if (crf >= 0)
    p.crf = (int) crf;
  long long n = in->frame_count;
  if (frames > 0 && frames < n)
    n = frames;
  cli_progress prog;
  cli_progress_init (&prog, "export");
  st = tinta_export_frames (output, &p, n, read_source, &src, cli_progress_cb, cli_abort, &prog,
                            &err);
  cli_progress_end (&prog);
  tinta_media_free (src.media);
  if (st != TINTA_OK)
    return cli_report (&err, st);
  double el = cli_now () - prog.start;
  printf ("wrote %s: %lld frames, %s, %.1f fps\n", output, n, tinta_format_name (p.format),
          el > 0 ? (double) n / el : 0.0);
  return CLI_OK;
}
