#!/usr/bin/env bash
# The main job, from a fresh Debian 12 machine: install what Tinta needs,
# build it, fetch the sample clip, and colorize it from its first frame
# with the engine's best strategy. Writes out/main-job/result.mp4 and
# out/main-job/compare.png (gray | result | original) and prints the PSNR.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/tools/install-deps.sh"
bash "$root/tools/build.sh"
clip="$(bash "$root/tools/fetch-sample.sh")"
out="${TINTA_OUT_DIR:-$root/out/main-job}"
mkdir -p "$out"
"${BUILD_DIR:-$root/build}/engine/tinta-cli" demo "$clip" -o "$out" "$@"
