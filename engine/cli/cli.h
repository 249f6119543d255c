/* tinta-cli: the engine without GTK. Each command lives in its own file;
 * this header is what they share (error printing, progress, SIGINT). */
#pragma once

#include <stdio.h>
#include "tinta/tinta.h"

/* Exit codes: 0 success, 1 failure (message printed), 2 usage error,
 * 130 cancelled by Ctrl-C (the shell convention for SIGINT). */
enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2, CLI_CANCELLED = 130 };

int cmd_info (int argc, char **argv);
int cmd_eval (int argc, char **argv);
int cmd_export (int argc, char **argv);
int cmd_demo (int argc, char **argv);
int cmd_colorize (int argc, char **argv);
int cmd_cuts (int argc, char **argv);
int cmd_bench (int argc, char **argv);
int cmd_bench_nn (int argc, char **argv);
int cmd_bench_pipeline (int argc, char **argv);
int cmd_bench_worker (int argc, char **argv);
int cmd_bench_paint (int argc, char **argv);

/* Prints "tinta-cli: <path>: <message>" on one line; returns CLI_FAIL
 * (or CLI_CANCELLED for TINTA_CANCELLED). */
int cli_report (const tinta_error *err, int status);
int cli_usage_error (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

/* Options shared by commands that write media: -o/--output PATH,
 * --format NAME, --frames N (at least min_frames). */
typedef struct {
  const char *output;
  int         format;
  long long   frames;       /* 0: all */
  long long   min_frames;
} cli_media_opts;

/* If argv[*i] is one of the shared options, consumes it (and its value),
 * stores it and returns 1 with *rc set (CLI_OK or CLI_USAGE after printing
 * the error); returns 0 for any other argument. */
int cli_media_option (int argc, char **argv, int *i, cli_media_opts *o, int *rc);

/* The one positional argument of a command: the first non-option becomes
 * *input; an unknown option or a second input is a usage error. */
int cli_positional (const char *cmd, const char *arg, const char **input);

/* Export parameters for a clip: its size and rate, in `format`. */
void cli_export_params_for (tinta_export_params *p, const tinta_media_info *in, int format);

/* Parses an integer option value in [lo, hi]; prints a usage error. */
int cli_parse_int (const char *opt, const char *text, long long lo, long long hi,
                   long long *out);

/* Ctrl-C: the first press sets the flag that cli_abort() reports (long
 * jobs stop cleanly and remove partial output); a second one exits. */
void cli_install_sigint (void);
int  cli_abort (void *user);

/* Progress on stderr: a redrawn bar on a terminal, a plain line every few
 * percent otherwise. */
typedef struct {
  const char *label;
  double      start;
  double      last_print;
  int         last_percent;
  int         tty;
} cli_progress;

void cli_progress_init (cli_progress *p, const char *label);
void cli_progress_cb (void *user, long long done, long long total);
void cli_progress_end (cli_progress *p);

double cli_now (void);

/* Median of n values (sorts them in place). */
double cli_median (double *v, int n);

/* Path of a model file by name: $TINTA_MODEL_DIR, else the build tree's
 * models/ (where the build converts and trains them), else the installed
 * data folder. Returns a static buffer. */
const char *cli_default_model (const char *file);
