#!/usr/bin/env bash
# Configures (once) and builds Tinta in BUILD_DIR (default: build/).
# Extra arguments go to `meson setup` the first time.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" "$root" "$@" >&2
fi
ninja -C "$build" >&2
