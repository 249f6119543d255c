#!/usr/bin/env bash
# The whole test suite, from a fresh Debian 12 machine: install what Tinta
# needs, build, run every suite (engine, cli, integration with ../shared,
# ui under Xvfb), then rebuild the engine with AddressSanitizer and
# UndefinedBehaviorSanitizer and run the engine and CLI suites again, and
# with ThreadSanitizer for the worker's test. Ends with one
# line "tests: N passed, N failed, N skipped" and exits non-zero on any
# failure. Integration tests skip, saying so, where ../shared is absent.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/tools/install-deps.sh" || exit 1

build="${BUILD_DIR:-$root/build}"
asan="${ASAN_BUILD_DIR:-$root/build-asan}"
tsan="${TSAN_BUILD_DIR:-$root/build-tsan}"
jobs="${TINTA_TEST_JOBS:-2}"
status=0

BUILD_DIR="$build" bash "$root/tools/build.sh" || exit 1
echo "== tests (build: $build)"
meson test -C "$build" --print-errorlogs --num-processes "$jobs" || status=1

echo "== engine and CLI tests under ASan + UBSan (build: $asan)"
BUILD_DIR="$asan" bash "$root/tools/build.sh" -Db_sanitize=address,undefined -Dui=disabled \
  -Dbuildtype=debugoptimized || exit 1
ASAN_OPTIONS="detect_leaks=1:abort_on_error=1" \
UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1" \
  meson test -C "$asan" --suite engine --suite cli --print-errorlogs --num-processes "$jobs" || status=1

echo "== the background worker under ThreadSanitizer (build: $tsan)"
# Only the worker's test: it is where the engine's own threads meet (the
# worker thread, edits and reads from the caller's). OpenMP is held to one
# thread: libgomp is not built with TSan, so its pool would report races
# TSan cannot see through; the worker's locking is what is checked.
BUILD_DIR="$tsan" bash "$root/tools/build.sh" -Db_sanitize=thread -Dui=disabled \
  -Dbuildtype=debugoptimized || exit 1
OMP_NUM_THREADS=1 TINTA_TEST_TSAN=1 TSAN_OPTIONS="halt_on_error=1:exitcode=66" \
  meson test -C "$tsan" worker --print-errorlogs || status=1

/usr/bin/python3 - "$build/meson-logs/testlog.json" "$asan/meson-logs/testlog.json" \
  "$tsan/meson-logs/testlog.json" <<'PY'
import json, sys
passed = failed = skipped = 0
for path in sys.argv[1:]:
    try:
        lines = open(path).read().splitlines()
    except OSError:
        failed += 1
        print(f"missing test log {path}")
        continue
    for line in lines:
        r = json.loads(line)["result"]
        if r in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif r == "SKIP":
            skipped += 1
        else:
            failed += 1
print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")
PY
exit $status
