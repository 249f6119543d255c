/* Shared plumbing of tinta-cli commands: messages, progress, Ctrl-C. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"

static volatile sig_atomic_t interrupted;

static void
on_sigint (int sig)
{
  (void) sig;
  if (interrupted)
    _exit (CLI_CANCELLED);
  interrupted = 1;
}

void
cli_install_sigint (void)
{
  struct sigaction sa;
  memset (&sa, 0, sizeof sa);
  sa.sa_handler = on_sigint;
  sigemptyset (&sa.sa_mask);
  sigaction (SIGINT, &sa, NULL);
  sigaction (SIGTERM, &sa, NULL);
}

int
cli_abort (void *user)
{
  (void) user;
  return interrupted != 0;
}

int
cli_report (const tinta_error *err, int status)
{
  char buf[2048];
  if (status == TINTA_CANCELLED)
    {
      fprintf (stderr, "tinta-cli: cancelled; no output was written\n");
      return CLI_CANCELLED;
    }
  if (err != NULL && (err->message[0] || err->path[0]))
    fprintf (stderr, "tinta-cli: %s\n", tinta_error_format (err, buf, sizeof buf));
  else
    fprintf (stderr, "tinta-cli: %s\n", tinta_status_str (status));
  return CLI_FAIL;
}

int
cli_usage_error (const char *fmt, ...)
{
  va_list ap;
  fputs ("tinta-cli: ", stderr);
  va_start (ap, fmt);
  vfprintf (stderr, fmt, ap);
  va_end (ap);
  fputs (" (see tinta-cli --help)\n", stderr);
  return CLI_USAGE;
}

int
cli_parse_int (const char *opt, const char *text, long long lo, long long hi, long long *out)
{
  char *end = NULL;
  if (text == NULL)
    return cli_usage_error ("%s needs a value", opt);
  errno = 0;
  long long v = strtoll (text, &end, 10);
  if (errno != 0 || end == text || *end != '\0')
    return cli_usage_error ("%s: '%s' is not a whole number", opt, text);
  if (v < lo || v > hi)
    return cli_usage_error ("%s: %lld is out of range (%lld to %lld)", opt, v, lo, hi);
  *out = v;
  return CLI_OK;
}

int
cli_media_option (int argc, char **argv, int *i, cli_media_opts *o, int *rc)
{
  const char *arg = argv[*i];
  const char *value = *i + 1 < argc ? argv[*i + 1] : NULL;
  *rc = CLI_OK;
  if (strcmp (arg, "-o") == 0 || strcmp (arg, "--output") == 0)
    {
      if (value == NULL)
        *rc = cli_usage_error ("%s needs a path", arg);
      o->output = value;
    }
  else if (strcmp (arg, "--format") == 0)
    {
      if (value == NULL)
        *rc = cli_usage_error ("--format needs a name");
      else if ((o->format = tinta_format_from_name (value)) < 0)
        *rc = cli_usage_error ("unknown format '%s' (prores, ffv1, h264, png)", value);
    }
  else if (strcmp (arg, "--frames") == 0)
    *rc = cli_parse_int ("--frames", value, o->min_frames, 100000000, &o->frames);
  else
    return 0;
  (*i)++;
  return 1;
}

int
cli_positional (const char *cmd, const char *arg, const char **input)
{
  if (arg[0] == '-' && arg[1] != '\0')
    return cli_usage_error ("%s: unknown option '%s'", cmd, arg);
  if (*input != NULL)
    return cli_usage_error ("%s takes one input", cmd);
  *input = arg;
  return CLI_OK;
}

void
cli_export_params_for (tinta_export_params *p, const tinta_media_info *in, int format)
{
  tinta_export_params_init (p);
  p->format = (tinta_format) format;
  p->width = in->width;
  p->height = in->height;
  p->fps_num = in->fps_num;
  p->fps_den = in->fps_den;
}

double
cli_now (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec * 1e-9;
}

void
cli_progress_init (cli_progress *p, const char *label)
{
  memset (p, 0, sizeof *p);
  p->label = label;
  p->start = cli_now ();
  p->last_percent = -1;
  p->tty = isatty (STDERR_FILENO);
}

void
cli_progress_cb (void *user, long long done, long long total)
{
  cli_progress *p = user;
  double now = cli_now ();
  double el = now - p->start;
  double fps = el > 0 ? (double) done / el : 0.0;
  double eta = (fps > 0 && total > 0) ? (double) (total - done) / fps : 0.0;
  int percent = total > 0 ? (int) (100 * done / total) : 0;

  if (p->tty)
    {
      if (now - p->last_print < 0.1 && done != total)
        return;
      char bar[31];
      int fill = total > 0 ? (int) (30 * done / total) : 0;
      for (int i = 0; i < 30; i++)
        bar[i] = i < fill ? '#' : '.';
      bar[30] = '\0';
      fprintf (stderr, "\r%s [%s] %lld/%lld frames  %.1f fps  ETA %02d:%02d ",
               p->label, bar, done, total, fps, (int) eta / 60, (int) eta % 60);
    }
  else
    {
      if (percent / 10 == p->last_percent / 10 && done != total)
        return;
      fprintf (stderr, "%s: %lld/%lld frames (%d%%), %.1f fps, ETA %.0f s\n",
               p->label, done, total, percent, fps, eta);
    }
  p->last_percent = percent;
  p->last_print = now;
}

void
cli_progress_end (cli_progress *p)
{
  if (p->tty && p->last_print > 0)
    fputc ('\n', stderr);
}

const char *
cli_default_model (const char *file)
{
  static char buf[4096];
  tinta_model_find (file, buf, sizeof buf);
  return buf;
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

double
cli_median (double *v, int n)
{
  qsort (v, (size_t) n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}
