#!/bin/bash
# Builds the libFuzzer target of the weight-file loader with clang (the
# project builds with gcc, and libFuzzer needs clang) from the few engine
# sources it links, writes a seed corpus, and fuzzes for a bounded number
# of runs. Usage: run-fuzz.sh SOURCE_ROOT BUILD_DIR
#
# Exits 77 (meson's skip) when clang or the libFuzzer runtime
# (libclang-rt-14-dev) is missing. TINTA_FUZZ_SECONDS=300 fuzzes for that
# long instead of the bounded run; the corpus grows in BUILD_DIR/corpus.
set -u
export LC_ALL=C

src=${1:?usage: run-fuzz.sh SOURCE_ROOT BUILD_DIR}
build=${2:?usage: run-fuzz.sh SOURCE_ROOT BUILD_DIR}
here=$src/tests/fuzz
work=$build/fuzz-safetensors.d
exe=$build/fuzz-safetensors
mkdir -p "$work/seeds" "$work/corpus" "$work/artifacts"

finish () {
  echo "fuzz-safetensors: $1 passed, $2 failed"
  exit "$3"
}

skip () {
  echo "SKIP: $1"
  exit 77
}

clang=${CLANG:-clang}
command -v "$clang" >/dev/null 2>&1 || skip "clang not found (apt install clang)"
printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput (const uint8_t *d, size_t n);\nint LLVMFuzzerTestOneInput (const uint8_t *d, size_t n) { (void) d; (void) n; return 0; }\n' \
  > "$work/probe.c"
"$clang" -fsanitize=fuzzer "$work/probe.c" -o "$work/probe" >"$work/probe.log" 2>&1 \
  || skip "clang cannot link libFuzzer (apt install libclang-rt-14-dev)"

cjson_cflags=$(pkg-config --cflags libcjson 2>/dev/null)
cjson_libs=$(pkg-config --libs libcjson 2>/dev/null || echo -lcjson)
# shellcheck disable=SC2086  # pkg-config output is a word list
if ! "$clang" -g -O1 -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
     -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
     -Wall -Wextra -Wno-unused-parameter -Werror \
     -I"$src/engine/include" -I"$src/engine/src" $cjson_cflags \
     "$here/fuzz-safetensors.c" "$src/engine/src/nn/safetensors.c" \
     "$src/engine/src/core/status.c" "$src/engine/src/core/fileutil.c" \
     $cjson_libs -lm -o "$exe"; then
  echo "cannot build the fuzz target" >&2
  finish 0 1 1
fi

# Seeds: a few valid files and a few malformed ones, built here so that no
# binary file lives in the repository. seed NAME JSON [DATA_BYTES]
seed () {
  local json=$2 n=${3:-0} len i le=''
  len=${#json}
  for i in 0 1 2 3 4 5 6 7; do
    le+=$(printf '\\x%02x' $(((len >> (8 * i)) & 255)))
  done
  {
    printf '%b' "$le"
    printf '%s' "$json"
    head -c "$n" /dev/zero
  } > "$work/seeds/$1"
}
e () {  # one entry: e NAME DTYPE SHAPE BEGIN END
  printf '"%s":{"dtype":"%s","shape":%s,"data_offsets":[%s,%s]}' "$@"
}
seed empty '{}      '
seed metadata-only '{"__metadata__":{"tinta.arch":"x","tinta.version":"1"}}'
seed one-f32 "{\"__metadata__\":{\"tinta.graph\":\"{\\\"nodes\\\":[]}\"},$(e w F32 '[2,2]' 0 16)}" 16
seed three-dtypes "{$(e a F32 '[2]' 0 8),$(e b F16 '[1,3]' 8 14),$(e c BF16 '[]' 14 16)}" 16
seed empty-and-scalar "{$(e z F16 '[0,4]' 0 0),$(e s F32 '[]' 0 4)}" 4
seed unicode-names "{$(e 'caf\u00e9' F32 '[1]' 0 4),$(e 'ü' F16 '[1]' 4 6)}" 6
seed overlap "{$(e a F32 '[2]' 0 8),$(e b F32 '[2]' 4 12)}" 12
seed hole "{$(e a F32 '[1]' 0 4),$(e b F32 '[1]' 8 12)}" 12
seed i64 "{$(e w I64 '[1]' 0 8)}" 8
seed mismatch "{$(e w F32 '[3,3]' 0 100)}" 100
seed overflow "{$(e w F32 '[2147483648,2147483648,2147483648]' 0 0)}"
seed deep "{\"__metadata__\":{\"a\":[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]}}"
seed trailing '{} x'
printf '\xff\xff\xff\xff\xff\xff\xff\x7f' > "$work/seeds/huge-length"
seed overlong "$(printf '{"\xc0\xaf":1}')"

if [ -n "${TINTA_FUZZ_SECONDS:-}" ]; then
  limits=(-max_total_time="$TINTA_FUZZ_SECONDS")
else
  # About 200k runs take a few seconds; the time cap keeps slow machines
  # within a minute.
  limits=(-runs=200000 -max_total_time=50)
fi
# libFuzzer's own failure code is 77, which meson would read as a skip.
"$exe" "${limits[@]}" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
  -error_exitcode=1 -timeout_exitcode=1 -print_final_stats=1 \
  -dict="$here/safetensors.dict" -artifact_prefix="$work/artifacts/" \
  "$work/corpus" "$work/seeds" > "$work/fuzz.log" 2>&1
status=$?
grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|Done )' "$work/fuzz.log"
if [ $status -ne 0 ]; then
  tail -n 60 "$work/fuzz.log"
  echo "crashing inputs: $work/artifacts/" >&2
  finish 0 1 1
fi
finish 1 0 0
