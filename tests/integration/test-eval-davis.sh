#!/usr/bin/env bash
# The evaluation protocol on real data: `tinta-cli eval --strategy copy`
# on ../shared/data/eval must reproduce design.md §4's independent figures
# (26.21 / 25.15 dB with FFmpeg decode + swscale bicubic) within 0.05 dB,
# and two sequences must keep the figures measured when this was written.
. "$(dirname "$0")/../cli/lib.sh"
EVAL="${TINTA_SHARED_DIR:-}/data/eval"
if [ ! -d "$EVAL/blackswan" ]; then
  echo "SKIP: $EVAL not found (../shared is absent): no real-data evaluation"
  exit 77
fi

within() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; exit !(d <= t && d >= -t) }'; }

# Two sequences (measured 2026-11-25: blackswan 25.60 / 24.81, car-shadow
# 29.01 / 28.67, mean 27.31 / 26.74; the harness is deterministic).
"$CLI" eval --strategy copy "$EVAL/blackswan" "$EVAL/car-shadow" >"$SCRATCH/two" 2>&1
check "eval on two sequences succeeds: $(cat "$SCRATCH/two")" test $? -eq 0
read -r p25 pall < <(sed -n 's/^mean: psnr25=\([0-9.]*\) psnr_all=\([0-9.]*\).*/\1 \2/p' "$SCRATCH/two")
check "two-sequence psnr25 $p25 ~ 27.31" within "${p25:-0}" 27.31 0.02
check "two-sequence psnr_all $pall ~ 26.74" within "${pall:-0}" 26.74 0.02
check "one row per sequence" test "$(grep -c 'psnr25=' "$SCRATCH/two")" -eq 3

# All twelve: the protocol check against design.md §4.
"$CLI" eval --strategy copy --json "$SCRATCH/all.json" "$EVAL"/*/ >"$SCRATCH/all" 2>&1
check "eval on all sequences succeeds" test $? -eq 0
cat "$SCRATCH/all"
read -r a25 aall < <(sed -n 's/^mean: psnr25=\([0-9.]*\) psnr_all=\([0-9.]*\).*/\1 \2/p' "$SCRATCH/all")
check "12-sequence psnr25 $a25 within 0.05 of 26.21" within "${a25:-0}" 26.21 0.05
check "12-sequence psnr_all $aall within 0.05 of 25.15" within "${aall:-0}" 25.15 0.05
check "twelve sequences scored" test "$(grep -c '"psnr25"' "$SCRATCH/all.json")" -eq 13

# The global strategy (fine-tuned SqueezeNet, two-stage matching, soft
# top-4 transfer) must beat copy on the same two sequences, with a margin
# (measured 2026-12-02: 32.44 / 31.47 dB against copy's 27.31 / 26.74;
# 29.50 / 28.75 with the ImageNet features and the hard transfer). It
# needs the shipped model bundle.
if [ -s "${TINTA_MODEL_DIR:-}/tinta-dvp.safetensors" ]; then
  "$CLI" eval --strategy global "$EVAL/blackswan" "$EVAL/car-shadow" >"$SCRATCH/global" 2>&1
  check "global eval succeeds: $(tail -1 "$SCRATCH/global")" test $? -eq 0
  read -r g25 gall < <(sed -n 's/^mean: psnr25=\([0-9.]*\) psnr_all=\([0-9.]*\).*/\1 \2/p' "$SCRATCH/global")
  check "global psnr25 $g25 >= 32.1" awk -v a="${g25:-0}" 'BEGIN { exit !(a >= 32.1) }'
  check "global psnr_all $gall >= 31.1" awk -v a="${gall:-0}" 'BEGIN { exit !(a >= 31.1) }'
else
  echo "note: no tinta-dvp.safetensors (needs ../shared and python3-torch at build); global not checked"
fi

finish eval-davis
