#!/bin/bash
# Builds the libFuzzer target of the project loader with clang (see
# run-fuzz.sh for why clang) from the engine sources it links, writes a
# seed corpus of small projects, and fuzzes for a bounded number of runs.
# Usage: run-fuzz-project.sh SOURCE_ROOT BUILD_DIR
#
# Exits 77 (meson's skip) when clang, the libFuzzer runtime or ffmpeg is
# missing. TINTA_FUZZ_SECONDS=300 fuzzes for that long instead.
set -u
export LC_ALL=C

src=${1:?usage: run-fuzz-project.sh SOURCE_ROOT BUILD_DIR}
build=${2:?usage: run-fuzz-project.sh SOURCE_ROOT BUILD_DIR}
here=$src/tests/fuzz
work=$build/fuzz-project.d
exe=$build/fuzz-project
mkdir -p "$work/seeds" "$work/corpus" "$work/artifacts"

finish () {
  echo "fuzz-project: $1 passed, $2 failed"
  exit "$3"
}

skip () {
  echo "SKIP: $1"
  exit 77
}

clang=${CLANG:-clang}
ffmpeg=${FFMPEG:-ffmpeg}
command -v "$clang" >/dev/null 2>&1 || skip "clang not found (apt install clang)"
command -v "$ffmpeg" >/dev/null 2>&1 || skip "ffmpeg not found"
printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput (const uint8_t *d, size_t n);\nint LLVMFuzzerTestOneInput (const uint8_t *d, size_t n) { (void) d; (void) n; return 0; }\n' \
  > "$work/probe.c"
"$clang" -fsanitize=fuzzer "$work/probe.c" -o "$work/probe" >"$work/probe.log" 2>&1 \
  || skip "clang cannot link libFuzzer (apt install libclang-rt-14-dev)"

pkgs="libcjson libavcodec libswscale libavutil"
# shellcheck disable=SC2086  # pkg-config output is a word list
if ! "$clang" -g -O1 -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
     -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
     -Wall -Wextra -Wno-unused-parameter -Werror \
     -I"$src/engine/include" -I"$src/engine/src" $(pkg-config --cflags $pkgs) \
     "$here/fuzz-project.c" "$src/engine/src/project/project.c" \
     "$src/engine/src/core/status.c" "$src/engine/src/core/fileutil.c" \
     "$src/engine/src/core/frame.c" "$src/engine/src/color/lab.c" \
     "$src/engine/src/media/avutil.c" \
     $(pkg-config --libs $pkgs) -lm -lpthread -o "$exe"; then
  echo "cannot build the fuzz target" >&2
  finish 0 1 1
fi

# Seeds: small valid projects and a few broken ones, built here so that no
# binary file lives in the repository. The images are 4x3 PNGs.
png () {  # png PIX_FMT -> base64 of a 4x3 PNG
  "$ffmpeg" -v error -nostdin -f lavfi -i testsrc2=size=4x3 -frames:v 1 -pix_fmt "$1" \
    -f image2pipe -c:v png - | base64 -w0
}
rgb=$(png rgb24) gray=$(png gray) rgba=$(png rgba)
[ -n "$rgb" ] && [ -n "$gray" ] || { echo "cannot make seed images" >&2; finish 0 1 1; }
head='"format": "tinta-project", "version": 1'
clip='"clip": {"path": "c.mp4", "absolute_path": "/tmp/c.mp4", "frames": 10, "width": 4, "height": 3, "rate": [30000, 1001]}'
settings='"settings": {"strategy": "fused", "working_height": 0, "view": {"mode": 1, "layout": 2}, "playhead": 3}'
stroke='{"color": [50, 10.5, -20], "size": 3, "hardness": 0.5, "eraser": false, "points": [[0.5, 1, 0.25], [2, 2.5, 1]]}'
seed () { printf '%s\n' "$2" > "$work/seeds/$1"; }
seed minimal "{$head, $clip}"
seed full "{$head, $clip, $settings, \"keyframes\": [{\"frame\": 0, \"kind\": \"full\", \"image\": \"$rgb\"}]}"
seed partial "{$head, $clip, $settings, \"keyframes\": [{\"frame\": 0, \"kind\": \"full\", \"image\": \"$rgb\"}, {\"frame\": 9, \"kind\": \"partial\", \"image\": \"$rgba\", \"alpha\": \"$gray\", \"strokes\": [$stroke, $stroke]}]}"
seed recovery "{$head, $clip, \"recovery\": {\"project\": \"/home/a/p.tinta\"}}"
seed wrong-alpha "{$head, $clip, \"keyframes\": [{\"frame\": 2, \"kind\": \"partial\", \"image\": \"$rgb\", \"alpha\": \"$rgb\"}]}"
seed newer '{"format": "tinta-project", "version": 2}'
seed deep '{"a": [[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]}'
seed cut "{$head, $clip, \"keyframes\": [{\"frame\": 0, \"kind\": \"full\", \"image\": \"${rgb:0:40}"

if [ -n "${TINTA_FUZZ_SECONDS:-}" ]; then
  limits=(-max_total_time="$TINTA_FUZZ_SECONDS")
else
  limits=(-runs=100000 -max_total_time=50)
fi
# Small inputs: a few kilobytes of zlib can inflate to a frame of hundreds
# of megabytes, which only tests the allocator. libFuzzer's own failure
# code is 77, which meson would read as a skip.
"$exe" "${limits[@]}" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
  -error_exitcode=1 -timeout_exitcode=1 -print_final_stats=1 \
  -dict="$here/project.dict" -artifact_prefix="$work/artifacts/" \
  "$work/corpus" "$work/seeds" > "$work/fuzz.log" 2>&1
status=$?
grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|Done )' "$work/fuzz.log"
if [ $status -ne 0 ]; then
  tail -n 60 "$work/fuzz.log"
  echo "crashing inputs: $work/artifacts/" >&2
  finish 0 1 1
fi
finish 1 0 0
