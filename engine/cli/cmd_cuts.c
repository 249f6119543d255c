/* tinta-cli cuts: the hard cuts the engine finds in a clip, the frames
 * where propagation restarts (tinta/cuts.h). */
#include <string.h>
#include "cli.h"

int
cmd_cuts (int argc, char **argv)
{
  const char *input = NULL;
  int all = 0, rc;

  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--all") == 0)
        all = 1;
      else if ((rc = cli_positional ("cuts", argv[i], &input)) != CLI_OK)
        return rc;
    }
  if (input == NULL)
    return cli_usage_error ("cuts needs a clip");

  tinta_error err = { 0 };
  tinta_media *media = NULL;
  tinta_frame *frame = NULL;
  tinta_cut_detector *d = NULL;
  int st = tinta_media_open (input, &media, &err);
  if (st < 0)
    return cli_report (&err, st);
  const tinta_media_info *in = tinta_media_get_info (media);
  st = tinta_cut_detector_new (in->width, in->height, NULL, &d, &err);
  if (st == TINTA_OK
      && (frame = tinta_frame_new (in->width, in->height, TINTA_FRAME_LAB | TINTA_FRAME_RGB)) == NULL)
    {
      st = TINTA_ERR_NO_MEMORY;
      snprintf (err.path, sizeof err.path, "%s", input);
      snprintf (err.message, sizeof err.message, "out of memory for a %dx%d frame", in->width,
                in->height);
    }

  /* The summary's two extremes say how clear the decisions were: the
   * weakest cut against the strongest frame that was not one. */
  long long n_cuts = 0, k = 0;
  double min_cut = 0.0, max_other = 0.0;
  long long max_other_frame = -1;
  for (; st == TINTA_OK && k < in->frame_count; k++)
    {
      int is_cut;
      float score;
      if (cli_abort (NULL))
        st = TINTA_CANCELLED;
      else if ((st = tinta_media_read (media, k, frame, &err)) == TINTA_OK)
        st = tinta_cut_detector_push (d, frame->L, &is_cut, &score, &err);
      if (st != TINTA_OK)
        break;
      if (is_cut)
        {
          printf ("cut %lld score %.4f\n", k, score);
          min_cut = n_cuts == 0 || score < min_cut ? score : min_cut;
          n_cuts++;
        }
      else
        {
          if (all)
            printf ("frame %lld score %.4f\n", k, score);
          if (score > max_other)
            {
              max_other = score;
              max_other_frame = k;
            }
        }
    }
  tinta_frame_free (frame);
  tinta_cut_detector_free (d);
  tinta_media_free (media);
  if (st != TINTA_OK)
    return cli_report (&err, st);

  printf ("%s: %lld frames, %lld cut%s, %lld shot%s", input, k, n_cuts, n_cuts == 1 ? "" : "s",
          k > 0 ? n_cuts + 1 : 0, k > 0 && n_cuts == 0 ? "" : "s");
  if (n_cuts > 0)
    printf (", weakest cut %.4f", min_cut);
  if (max_other_frame >= 0)
    printf (", strongest non-cut %.4f at frame %lld", max_other, max_other_frame);
  printf ("\n");
  return CLI_OK;
}
