#!/usr/bin/env bash
# tinta-cli on bad input: one clear line naming the file and the problem,
# exit 1 (2 for usage errors), no output file left behind; Ctrl-C cancels
# an export cleanly with exit 130.
. "$(dirname "$0")/lib.sh"
S="$SCRATCH"

gen -f lavfi -i testsrc2=size=320x240:rate=25 -frames:v 50 -c:v libx264 -preset veryfast \
    -pix_fmt yuv420p -movflags +faststart "$S/good.mp4"
head -c $(( $(stat -c %s "$S/good.mp4") / 2 )) "$S/good.mp4" > "$S/truncated.mp4"
: > "$S/empty.mp4"
head -c 100000 /dev/urandom > "$S/garbage.mp4"
head -c 20000 /dev/zero > "$S/y411.raw"
gen -f rawvideo -pix_fmt uyyvyy411 -s 64x48 -framerate 25 -i "$S/y411.raw" -frames:v 2 -c:v copy "$S/y411.mkv"
mkdir -p "$S/gap"
gen -f lavfi -i testsrc2=size=320x240 -frames:v 5 -start_number 0 "$S/gap/%05d.jpg"
rm "$S/gap/00002.jpg"
gen -f lavfi -i testsrc2=size=160x120 -frames:v 1 "$S/small-key.png"
gen -f lavfi -i testsrc2=size=320x240 -frames:v 1 "$S/key.png"

run_cli 1 "$S/missing.mp4: no such file" info "$S/missing.mp4"
run_cli 1 "$S/empty.mp4: file is empty" info "$S/empty.mp4"
run_cli 1 "$S/truncated.mp4: file is truncated" info "$S/truncated.mp4"
run_cli 1 "$S/garbage.mp4: not a video" info "$S/garbage.mp4"
run_cli 1 "unsupported pixel format uyyvyy411" info "$S/y411.mkv"
run_cli 1 "00002.jpg is missing" info "$S/gap"
run_cli 1 "$S/truncated.mp4: file is truncated" eval "$S/truncated.mp4"
run_cli 1 "$S/small-key.png: keyframe is 160x120 but the clip is 320x240" \
  demo "$S/good.mp4" --key "$S/small-key.png" -o "$S/demo-bad-key"
check "no output after a bad keyframe" test ! -e "$S/demo-bad-key/result.mp4"

# Model files: missing, empty, truncated, garbage, or lacking the network
# the strategy needs -- one line naming the file, exit 1.
MODELS="${TINTA_MODEL_DIR:-}"
run_cli 1 "$S/none.safetensors: no such file" eval --strategy local --model "$S/none.safetensors" "$S/good.mp4"
: > "$S/empty.safetensors"
run_cli 1 "$S/empty.safetensors" eval --strategy fused --model "$S/empty.safetensors" "$S/good.mp4"
head -c 100000 /dev/urandom > "$S/garbage.safetensors"
run_cli 1 "$S/garbage.safetensors" eval --strategy global --model "$S/garbage.safetensors" "$S/good.mp4"
if [ -s "$MODELS/tinta-dvp.safetensors" ]; then
  head -c 300000 "$MODELS/tinta-dvp.safetensors" > "$S/cut.safetensors"
  run_cli 1 "$S/cut.safetensors" eval --strategy fused --model "$S/cut.safetensors" "$S/good.mp4"
  run_cli 1 "expected a 'tinta-dvp-local'" eval --strategy fused \
    --model "$MODELS/squeezenet1_1-features.safetensors" "$S/good.mp4"
fi
run_cli 1 "output folder $S/nowhere does not exist" export "$S/good.mp4" -o "$S/nowhere/out.mov"
run_cli 1 "$S/empty.mp4/out.mov" export "$S/good.mp4" -o "$S/empty.mp4/out.mov"
run_cli 1 "not a video FFmpeg can read" export "$S/garbage.mp4" -o "$S/out-garbage.mov"
check "no output from garbage" test ! -e "$S/out-garbage.mov"

# Usage errors: exit 2 and a pointer to --help.
run_cli 2 "unknown command" frobnicate
run_cli 2 "--frames: 'abc' is not a whole number" eval --frames abc "$S/gap"
run_cli 2 "--frames: 0 is out of range" eval --frames 0 "$S/gap"
run_cli 2 "unknown strategy 'nonesuch'" eval --strategy nonesuch "$S/gap"
run_cli 2 "unknown format 'gif'" export "$S/good.mp4" --format gif -o "$S/x.gif"
run_cli 2 "--crf: 99 is out of range" export "$S/good.mp4" --crf 99 -o "$S/x.mp4"
run_cli 2 "--runs: 'x' is not a whole number" bench paint --runs x
run_cli 1 "$S/missing.png: no such file" bench paint --runs 1 "$S/missing.png"
run_cli 1 "$S/garbage.mp4" bench paint --runs 1 "$S/garbage.mp4"
run_cli 2 "--keys: 0 or 0,last, not '1,2'" bench pipeline --keys 1,2 "$S/gap"
run_cli 2 "unknown strategy 'copy'" bench pipeline --strategy copy "$S/gap"

# The scaled keyframe is accepted, and said so.
"$CLI" demo "$S/good.mp4" --key "$S/small-key.png" --scale-key --frames 5 -o "$S/demo-scaled" \
  >"$S/out" 2>"$S/err" </dev/null
check "demo with --scale-key succeeds" test $? -eq 0
check "scaling is reported" grep -q "was scaled to 320x240" "$S/err"

# Ctrl-C during a long export: exit 130, no file, no temporary left.
gen -f lavfi -i testsrc2=size=1280x720:rate=25 -frames:v 400 -c:v libx264 -preset ultrafast \
    -pix_fmt yuv420p "$S/long.mp4"
mkdir -p "$S/cancel"
"$CLI" export "$S/long.mp4" --format prores -o "$S/cancel/out.mov" >/dev/null 2>"$S/cancel.err" </dev/null &
pid=$!
# Wait until the export has really started (its temporary file exists).
for _ in $(seq 1 100); do
  if ls -A "$S/cancel" | grep -q .; then break; fi
  sleep 0.1
done
kill -INT "$pid"
wait "$pid"
code=$?
check "SIGINT exits 130 (got $code)" test "$code" -eq 130
check "SIGINT leaves no output" test ! -e "$S/cancel/out.mov"
check "SIGINT leaves no temporary file ($(ls -A "$S/cancel"))" test -z "$(ls -A "$S/cancel")"
check "SIGINT says cancelled" grep -q "cancelled" "$S/cancel.err"

finish cli-errors
