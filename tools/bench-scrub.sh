#!/usr/bin/env bash
# The scrubbing benchmark: how fast the editor window shows a frame the
# user scrubs to, over computed frames (colors) and uncomputed ones (gray),
# against a bare redraw of the viewer measured in the same run.  Runs
# tests/ui/bench-scrub.c (tinta-bench-scrub) on the real window under Xvfb,
# with the environment the UI tests get (tests/ui/meson.build), and prints
# a Markdown table.  Builds what it needs in BUILD_DIR (default build/)
# first: the benchmark, the shipped model and the GSettings schema.
# Arguments go to the benchmark: [--steps N] [--computed K] [--key IMAGE]
# [CLIP]; CLIP defaults to ../shared/data/eval/blackswan.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"

command -v xvfb-run >/dev/null || { echo "bench-scrub: xvfb-run is missing (Debian package xvfb)" >&2; exit 1; }
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" "$root" >&2 || { echo "bench-scrub: meson setup $build failed" >&2; exit 1; }
fi
build="$(cd "$build" && pwd)"
ninja -C "$build" tests/ui/tinta-bench-scrub models/tinta-dvp.safetensors resources/gschemas.compiled >&2 ||
  { echo "bench-scrub: the build failed" >&2; exit 1; }
bench="$build/tests/ui/tinta-bench-scrub"
[ -x "$bench" ] || { echo "bench-scrub: $bench was not built (is the UI enabled?)" >&2; exit 1; }

# Recent files, recovery files and the benchmark's own scratch files go to
# a scratch folder, not the user's, removed on exit.
scratch="$(mktemp -d "${TMPDIR:-/tmp}/tinta-bench-scrub-XXXXXX")"
trap 'rm -rf "$scratch"' EXIT

default_clip="$root/../shared/data/eval/blackswan"
args=("$@")
# No clip among the arguments: the default, resolved here so the message
# names a real path when it is missing.
if [ "${#args[@]}" -eq 0 ] || [[ "${args[-1]}" == -* ]] || \
   { [ "${#args[@]}" -ge 2 ] && [[ "${args[-2]}" =~ ^(-n|-k|--steps|--computed|--key)$ ]]; }; then
  args+=("$default_clip")
fi

cd "$scratch"
env GTK_A11Y=none NO_AT_BRIDGE=1 GDK_BACKEND=x11 \
    GSETTINGS_BACKEND=memory GSETTINGS_SCHEMA_DIR="$build/resources" \
    TINTA_MODEL_DIR="$build/models" \
    XDG_DATA_HOME="$scratch/data" XDG_STATE_HOME="$scratch/state" TMPDIR="$scratch" \
  xvfb-run -a -s '-screen 0 1280x800x24' "$bench" "${args[@]}"
