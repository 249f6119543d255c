/* tinta-cli eval: the evaluation protocol of design.md §4 over sequence
 * folders (or clips), one row per sequence and the mean over sequences. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static const char *
seq_name (const char *path, char *buf, size_t size)
{
  snprintf (buf, size, "%s", path);
  size_t n = strlen (buf);
  while (n > 1 && buf[n - 1] == '/')
    buf[--n] = '\0';
  const char *slash = strrchr (buf, '/');
  return slash ? slash + 1 : buf;
}

/* Appends to a growing string; the JSON is small (a few numbers per frame). */
typedef struct {
  char  *data;
  size_t len, cap;
  int    failed;
} strbuf;

static void sb_printf (strbuf *sb, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

static void
sb_printf (strbuf *sb, const char *fmt, ...)
{
  va_list ap;
  for (;;)
    {
      size_t room = sb->cap - sb->len;
      va_start (ap, fmt);
      int n = vsnprintf (sb->data ? sb->data + sb->len : NULL, room, fmt, ap);
      va_end (ap);
      if (n < 0)
        {
          sb->failed = 1;
          return;
        }
      if ((size_t) n < room)
        {
          sb->len += (size_t) n;
          return;
        }
      size_t ncap = (sb->cap + (size_t) n + 1) * 2;
      char *nd = realloc (sb->data, ncap);
      if (nd == NULL)
        {
          sb->failed = 1;
          return;
        }
      sb->data = nd;
      sb->cap = ncap;
    }
}

static void
json_string (strbuf *sb, const char *s)
{
  sb_printf (sb, "\"");
  for (; *s; s++)
    {
      unsigned char c = (unsigned char) *s;
      if (c == '"' || c == '\\')
        sb_printf (sb, "\\%c", c);
      else if (c < 0x20)
        sb_printf (sb, "\\u%04x", c);
      else
        sb_printf (sb, "%c", c);
    }
  sb_printf (sb, "\"");
}

int
cmd_eval (int argc, char **argv)
{
  const char *strategy = "copy", *json = NULL, *model = NULL;
  long long frames = 0, keys[16] = { 0 };
  int first_seq = -1, rc, n_keys = 0;
  const char *keys_arg = NULL;

  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--strategy") == 0)
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
      else if (strcmp (argv[i], "--frames") == 0)
        {
          rc = cli_parse_int ("--frames", i + 1 < argc ? argv[++i] : NULL, 2, 100000000, &frames);
          if (rc != CLI_OK)
            return rc;
        }
      else if (strcmp (argv[i], "--keys") == 0)
        {
          if (++i >= argc)
            return cli_usage_error ("--keys needs a list, e.g. 0,last");
          keys_arg = argv[i];
          char buf[512];
          snprintf (buf, sizeof buf, "%s", argv[i]);
          for (char *save = NULL, *t = strtok_r (buf, ",", &save); t;
               t = strtok_r (NULL, ",", &save))
            {
              if (n_keys == 16)
                return cli_usage_error ("--keys: at most 16 keyframes");
              if (strcmp (t, "last") == 0)
                keys[n_keys++] = -1;
              else if ((rc = cli_parse_int ("--keys", t, 0, 100000000, &keys[n_keys++]))
                       != CLI_OK)
                return rc;
            }
          if (n_keys == 0)
            return cli_usage_error ("--keys needs a list, e.g. 0,last");
        }
      else if (strcmp (argv[i], "--json") == 0)
        {
          if (++i >= argc)
            return cli_usage_error ("--json needs a file name");
          json = argv[i];
        }
      else if (argv[i][0] == '-' && argv[i][1] != '\0')
        return cli_usage_error ("eval: unknown option '%s'", argv[i]);
      else
        {
          first_seq = i;
          break;
        }
    }
  if (first_seq < 0)
    return cli_usage_error ("eval needs at least one sequence folder");

  int known = 0;
  for (const char *const *n = tinta_strategy_names (); *n; n++)
    known |= strcmp (*n, strategy) == 0;
  if (!known)
    return cli_usage_error ("unknown strategy '%s'", strategy);
  if (n_keys > 0 && strcmp (strategy, "copy") == 0)
    return cli_usage_error ("--keys needs a propagating strategy (fused, local, global)");

  int nseq = argc - first_seq;
  double sum25 = 0, sum_all = 0, sum_ms = 0;
  strbuf sb = { 0 };
  sb_printf (&sb, "{\n  \"strategy\": ");
  json_string (&sb, strategy);
  if (keys_arg)
    {
      sb_printf (&sb, ",\n  \"keys\": ");
      json_string (&sb, keys_arg);
      sb_printf (&sb, ",\n  \"protocol\": \"design.md section 4 with the keyframes of 'keys' "
                      "(colorized both ways, tinta/colorize.h), RGB PSNR over the other "
                      "frames (0 at keyframes), ffmpeg decode + swscale bicubic\"");
    }
  else
    sb_printf (&sb, ",\n  \"protocol\": \"design.md section 4: frame 0 keyframe, RGB PSNR, "
                    "ffmpeg decode + swscale bicubic\"");
  sb_printf (&sb, ",\n  \"sequences\": [");

  rc = CLI_OK;
  for (int s = 0; s < nseq; s++)
    {
      const char *path = argv[first_seq + s];
      char nbuf[1024];
      const char *name = seq_name (path, nbuf, sizeof nbuf);
      tinta_eval_options opt;
      tinta_eval_result r;
      tinta_error err = { 0 };
      tinta_eval_options_init (&opt);
      opt.strategy = strategy;
      opt.model = model;
      opt.max_frames = frames;
      opt.abort_cb = cli_abort;
      memcpy (opt.keys, keys, sizeof keys);
      opt.n_keys = n_keys;
      int st = tinta_eval_sequence (path, &opt, &r, &err);
      if (st != TINTA_OK)
        {
          rc = cli_report (&err, st);
          break;
        }
      printf ("%-22s frames=%-4lld psnr25=%.2f psnr_all=%.2f ms_per_frame=%.1f\n", name,
              r.frames, r.psnr25, r.psnr_all, r.ms_per_frame);
      fflush (stdout);
      sum25 += r.psnr25;
      sum_all += r.psnr_all;
      sum_ms += r.ms_per_frame;
      sb_printf (&sb, "%s\n    {\"name\": ", s ? "," : "");
      json_string (&sb, name);
      sb_printf (&sb, ", \"path\": ");
      json_string (&sb, path);
      sb_printf (&sb, ", \"frames\": %lld, \"width\": %d, \"height\": %d, \"psnr25\": %.4f, "
                      "\"psnr_all\": %.4f, \"ms_per_frame\": %.3f, \"decode_ms_per_frame\": %.3f, "
                      "\"psnr\": [",
                 r.frames, r.width, r.height, r.psnr25, r.psnr_all, r.ms_per_frame,
                 r.decode_ms_per_frame);
      for (long long k = 1; k < r.frames; k++)
        sb_printf (&sb, "%s%.4f", k > 1 ? ", " : "", r.psnr[k]);
      sb_printf (&sb, "]}");
      tinta_eval_result_clear (&r);
    }
  if (rc == CLI_OK)
    {
      printf ("mean: psnr25=%.2f psnr_all=%.2f ms_per_frame=%.1f\n", sum25 / nseq,
              sum_all / nseq, sum_ms / nseq);
      sb_printf (&sb, "\n  ],\n  \"mean\": {\"psnr25\": %.4f, \"psnr_all\": %.4f, "
                      "\"ms_per_frame\": %.3f}\n}\n",
                 sum25 / nseq, sum_all / nseq, sum_ms / nseq);
      if (json != NULL)
        {
          tinta_error err = { 0 };
          if (sb.failed)
            {
              fprintf (stderr, "tinta-cli: %s: out of memory while writing the report\n", json);
              rc = CLI_FAIL;
            }
          else
            {
              int st = tinta_write_file_atomic (json, sb.data, sb.len, &err);
              if (st < 0)
                rc = cli_report (&err, st);
            }
        }
    }
  free (sb.data);
  return rc;
}
