/* tinta-cli info: what the engine sees in a clip. */
#include <string.h>
#include "cli.h"

int
cmd_info (int argc, char **argv)
{
  int rc = CLI_OK;
  if (argc < 2)
    return cli_usage_error ("info needs at least one clip");
  for (int i = 1; i < argc; i++)
    {
      tinta_media *m = NULL;
      tinta_error err = { 0 };
      int st = tinta_media_open (argv[i], &m, &err);
      if (st < 0)
        {
          rc = cli_report (&err, st);
          continue;
        }
      const tinta_media_info *in = tinta_media_get_info (m);
      printf ("%s: %dx%d, %lld frames, %d/%d fps (%.3f), %s, %s, %s%s\n", argv[i], in->width,
              in->height, in->frame_count, in->fps_num, in->fps_den,
              (double) in->fps_num / in->fps_den, in->pixel_format, in->codec, in->container,
              in->has_color ? "" : ", gray");
      tinta_media_free (m);
    }
  return rc;
}
