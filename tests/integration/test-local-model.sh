#!/usr/bin/env bash
# The shipped local propagation network computes in C what it computes in
# PyTorch: on a real frame pair (DAVIS blackswan 0 -> 1, only run, never
# tuned on) the C runtime's disp / kv / kh / conf match the twin's float64
# outputs in f32 (and within the documented bf16 bound); and `local` must
# beat `copy` on two evaluation sequences.
. "$(dirname "$0")/../cli/lib.sh"
MODEL="${TINTA_MODEL_DIR:?}/tinta-dvp-local.safetensors"
need_eval_and_torch
check "the model file is in the build" test -s "$MODEL"
/usr/bin/python3 "$ROOT/training/dvp_reference.py" "$MODEL" "$EVAL/blackswan/00000.jpg" \
  "$EVAL/blackswan/00001.jpg" "$SCRATCH/ref.safetensors" >"$SCRATCH/ref.log" 2>&1
check "PyTorch reference ($(tail -1 "$SCRATCH/ref.log"))" test $? -eq 0
# f32: measured 4.0e-6 of the range (disp 1.8e-5 px); bf16: 1.6e-2 (kernels).
"${NN_COMPARE:?}" "$MODEL" "$SCRATCH/ref.safetensors" f32 1e-4 >"$SCRATCH/f32.log" 2>&1
check "C matches PyTorch in f32" test $? -eq 0
cat "$SCRATCH/f32.log"
check "four outputs compared" test "$(grep -c ' ok$' "$SCRATCH/f32.log")" -eq 4
if grep -q avx512_bf16 /proc/cpuinfo; then
  "$NN_COMPARE" "$MODEL" "$SCRATCH/ref.safetensors" bf16 6e-2 >"$SCRATCH/bf16.log" 2>&1
  check "C matches PyTorch in bf16 within 6e-2" test $? -eq 0
  cat "$SCRATCH/bf16.log"
fi
# local vs copy on two sequences (measured 2026-12-02 with the shipped
# model, 2800 + 1100 steps: blackswan 30.53 / 27.95, car-shadow 33.41 /
# 33.05 -> 31.97 / 30.50; copy 27.31 / 26.74).
"$CLI" eval --strategy local "$EVAL/blackswan" "$EVAL/car-shadow" >"$SCRATCH/local" 2>&1
check "local eval succeeds: $(tail -1 "$SCRATCH/local")" test $? -eq 0
read -r l25 lall < <(sed -n 's/^mean: psnr25=\([0-9.]*\) psnr_all=\([0-9.]*\).*/\1 \2/p' "$SCRATCH/local")
check "local psnr25 $l25 >= 31.7" awk -v a="${l25:-0}" 'BEGIN { exit !(a >= 31.7) }'
check "local psnr_all $lall >= 30.2" awk -v a="${lall:-0}" 'BEGIN { exit !(a >= 30.2) }'
finish local-model
