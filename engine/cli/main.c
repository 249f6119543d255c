/* tinta-cli: colorize, evaluate and benchmark without the editor. */
#include <string.h>
#include "cli.h"

static const char *
strategy_list (void)
{
  static char buf[256];
  size_t len = 0;
  for (const char *const *n = tinta_strategy_names (); *n; n++)
    len += (size_t) snprintf (buf + len, sizeof buf - len, "%s%s", len ? ", " : "", *n);
  return buf;
}

static void
usage (FILE *out)
{
  fprintf (out,
    "Usage: tinta-cli COMMAND [OPTIONS]\n"
    "\n"
    "Commands:\n"
    "  info CLIP...                 frame count, rate, size and pixel format\n"
    "  cuts [--all] CLIP            hard shot cuts: one line per cut (frame, score);\n"
    "                               --all prints every frame's score\n"
    "  colorize INPUT --key FRAME=IMAGE [--key ...] -o OUTPUT [--strategy fused|local|global]\n"
    "       [--format prores|ffv1|h264|png] [--working-height H] [--model FILE]\n"
    "       [--frames N] [--scale-key] [--no-cuts]\n"
    "                               colorize a clip from keyframes (FRAME: a number or\n"
    "                               'last'), both ways between them, never across a cut;\n"
    "                               the format follows OUTPUT's extension (.mov .mkv .mp4,\n"
    "                               none: PNG folder) unless --format says\n"
    "  eval [--strategy NAME] [--model FILE] [--frames N] [--keys LIST] [--json FILE] SEQDIR...\n"
    "                               score a strategy on sequences (design.md §4);\n"
    "                               --keys 0,last: keyframes there, colorized both ways\n"
    "  export INPUT -o OUTPUT [--format prores|ffv1|h264|png] [--crf N] [--frames N]\n"
    "                               re-encode a clip (decode, export)\n"
    "  demo INPUT -o OUTDIR [--strategy NAME] [--model FILE] [--frames N] [--format F]\n"
    "       [--key IMAGE [--scale-key]]\n"
    "                               colorize from frame 0 as keyframe (or IMAGE as\n"
    "                               frame 0's colors); writes the result video, a\n"
    "                               gray|result|original image, and the PSNR\n"
    "  bench media [--runs N] [--frames N] SEQDIR\n"
    "                               decode and export speed (medians, ratios)\n"
    "  bench pipeline [--runs N] [--frames N] [--strategy S] [--sizes WxH,...] [--keys 0|0,last]\n"
    "       SEQDIR\n"
    "  bench worker [--runs N] [--frames N] SEQDIR\n"
    "                               colorize speed per stage (keys first and last;\n"
    "                               pipeline --keys 0: the first alone, one pass),\n"
    "                               default 854x480 and 1920x1080, and peak memory\n"
    "  bench nn [--model FILE] [--runs N] [--size WxH]\n"
    "                               network speed per layer, f32 and bf16, vs bare oneDNN\n"
    "  bench paint [--runs N] [IMAGE]\n"
    "                               stroke and edge-aware fill speed at 854x480 and\n"
    "                               1920x1080 (default IMAGE: blackswan/00000.jpg of\n"
    "                               $TINTA_SHARED_DIR or ../shared)\n"
    "\n"
    "Strategies: %s (default: %s)\n"
    "Models: --model FILE replaces the shipped tinta-dvp.safetensors (found in\n"
    "$TINTA_MODEL_DIR, the build tree or the installed data folder).\n"
    "Exit status: 0 ok, 1 failure, 2 usage error, 130 cancelled.\n",
    strategy_list (), tinta_strategy_default_name ());
}

int
main (int argc, char **argv)
{
  if (argc < 2)
    {
      usage (stderr);
      return CLI_USAGE;
    }
  const char *cmd = argv[1];
  if (strcmp (cmd, "--help") == 0 || strcmp (cmd, "-h") == 0 || strcmp (cmd, "help") == 0)
    {
      usage (stdout);
      return CLI_OK;
    }
  if (strcmp (cmd, "--version") == 0)
    {
      printf ("tinta-cli %s\n", TINTA_VERSION_STRING);
      return CLI_OK;
    }
  cli_install_sigint ();
  if (strcmp (cmd, "info") == 0)
    return cmd_info (argc - 1, argv + 1);
  if (strcmp (cmd, "cuts") == 0)
    return cmd_cuts (argc - 1, argv + 1);
  if (strcmp (cmd, "colorize") == 0)
    return cmd_colorize (argc - 1, argv + 1);
  if (strcmp (cmd, "eval") == 0)
    return cmd_eval (argc - 1, argv + 1);
  if (strcmp (cmd, "export") == 0)
    return cmd_export (argc - 1, argv + 1);
  if (strcmp (cmd, "demo") == 0)
    return cmd_demo (argc - 1, argv + 1);
  if (strcmp (cmd, "bench") == 0)
    return cmd_bench (argc - 1, argv + 1);
  return cli_usage_error ("unknown command '%s'", cmd);
}
