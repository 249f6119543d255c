# Shared by the shell tests: counters, assertions, a scratch folder, and
# the closing line "NAME: N passed, N failed" (exit 1 on any failure).
# Meson runs each script with TINTA_CLI, FFMPEG, FFPROBE, TINTA_SHARED_DIR.
set -u
PASSED=0
FAILED=0
CLI="${TINTA_CLI:?TINTA_CLI is not set}"
FFMPEG="${FFMPEG:-ffmpeg}"
FFPROBE="${FFPROBE:-ffprobe}"
SCRATCH="$(mktemp -d "${TMPDIR:-/tmp}/tinta-shtest-XXXXXX")"
trap 'rm -rf "$SCRATCH"' EXIT

ok() { PASSED=$((PASSED + 1)); }
fail() { FAILED=$((FAILED + 1)); echo "FAIL: $*" >&2; }
check() { # check DESCRIPTION COMMAND...
  local what="$1"; shift
  if "$@"; then ok; else fail "$what"; fi
}
finish() { # finish NAME
  echo "$1: $PASSED passed, $FAILED failed"
  [ "$FAILED" -eq 0 ]
  exit $?
}
# run_cli EXPECTED_EXIT NEEDLE ARGS...: runs tinta-cli, checks the exit
# code, that stderr is exactly one line, and that it contains NEEDLE.
run_cli() {
  local want="$1" needle="$2"; shift 2
  local err="$SCRATCH/stderr" code
  "$CLI" "$@" >"$SCRATCH/stdout" 2>"$err" </dev/null
  code=$?
  if [ "$code" -ne "$want" ]; then
    fail "tinta-cli $* exited $code, expected $want: $(cat "$err")"
    return
  fi
  ok
  local lines
  lines=$(wc -l <"$err")
  if [ "$lines" -ne 1 ]; then fail "tinta-cli $*: $lines lines on stderr: $(cat "$err")"; else ok; fi
  if ! grep -qF -- "$needle" "$err"; then fail "tinta-cli $*: '$needle' not in: $(cat "$err")"; else ok; fi
}
gen() { "$FFMPEG" -v error -nostdin -y "$@"; }
frames_of() { "$FFPROBE" -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 "$1"; }

# Skips (exit 77, meson's code) unless ../shared's evaluation set and
# Debian's PyTorch are here; sets EVAL and ROOT.
need_eval_and_torch () {
  EVAL="${TINTA_SHARED_DIR:-}/data/eval"
  ROOT="${TINTA_SOURCE_ROOT:?}"
  if [ ! -d "$EVAL/blackswan" ] || ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
    echo "SKIP: ../shared or python3-torch is absent"
    exit 77
  fi
}
