#!/usr/bin/env bash
# The pretrained feature extractor in C against PyTorch: SqueezeNet v1.1,
# converted from ../shared/pretrained at build time, on a real DAVIS frame
# at full size (conv1 / fire3 / fire5), in f32 and bf16; and as a sanity
# check the full classifier on Debian's darknet sample photos must rank
# the same class first as PyTorch, and a sensible one.
. "$(dirname "$0")/../cli/lib.sh"
EVAL="${TINTA_SHARED_DIR:-}/data/eval"
FEATURES="${TINTA_MODEL_DIR:-}/squeezenet1_1-features.safetensors"
CLASSIFIER="${TINTA_MODEL_DIR:-}/squeezenet1_1.safetensors"
PY=/usr/bin/python3
ROOT="${TINTA_SOURCE_ROOT:?}"
if [ ! -d "$EVAL/blackswan" ] || [ ! -s "$FEATURES" ]; then
  echo "SKIP: ../shared or the converted SqueezeNet ($FEATURES) is absent"
  exit 77
fi
COMPARE="${NN_COMPARE:?}"
# f32: float32 against a float64 reference; fire5 values reach ~1e3, so
# the bound is relative to each output's largest magnitude.
F32_TOL=1e-5
# bf16: 8-bit mantissa through 8 layers (measured 2026-11-25: 1.9e-2 on fire3).
BF16_TOL=3e-2
# The classifier's probabilities after 26 layers: measured 1.2e-5 of the top
# probability (3.3e-6 absolute).
PROB_TOL=1e-4

$PY "$ROOT/training/squeezenet_reference.py" "$EVAL/blackswan/00000.jpg" "$SCRATCH/frame.safetensors" \
  --model "$FEATURES" >"$SCRATCH/ref.log" 2>&1
check "PyTorch reference on a real frame ($(tail -1 "$SCRATCH/ref.log"))" test $? -eq 0
"$COMPARE" "$FEATURES" "$SCRATCH/frame.safetensors" f32 "$F32_TOL" >"$SCRATCH/f32.log" 2>&1
check "f32 features match PyTorch within $F32_TOL" test $? -eq 0
cat "$SCRATCH/f32.log"
check "three feature maps compared" test "$(grep -c ' ok$' "$SCRATCH/f32.log")" -eq 3
if grep -q avx512_bf16 /proc/cpuinfo; then
  "$COMPARE" "$FEATURES" "$SCRATCH/frame.safetensors" bf16 "$BF16_TOL" >"$SCRATCH/bf16.log" 2>&1
  check "bf16 features match PyTorch within $BF16_TOL" test $? -eq 0
  cat "$SCRATCH/bf16.log"
fi

# The shipped features (SqueezeNet fine-tuned for matching by
# training/dvp_features.py, committed in models/): the same parity, and the
# shipped bundle's features part is that file, not the converted one.
TUNED="${TINTA_MODEL_DIR:-}/tinta-dvp-features.safetensors"
BUNDLE="${TINTA_MODEL_DIR:-}/tinta-dvp.safetensors"
$PY "$ROOT/training/squeezenet_reference.py" "$EVAL/blackswan/00000.jpg" "$SCRATCH/tuned.safetensors" \
  --model "$TUNED" >"$SCRATCH/tuned-ref.log" 2>&1
check "PyTorch reference of the fine-tuned features" test $? -eq 0
"$COMPARE" "$TUNED" "$SCRATCH/tuned.safetensors" f32 "$F32_TOL" >"$SCRATCH/tuned.log" 2>&1
check "f32 fine-tuned features match PyTorch within $F32_TOL" test $? -eq 0
cat "$SCRATCH/tuned.log"
$PY - "$TUNED" "$BUNDLE" "$FEATURES" >"$SCRATCH/parts.log" 2>&1 <<'PYEOF'
import sys
sys.path.insert(0, __import__('os').environ['TINTA_SOURCE_ROOT'] + '/training')
import tinta_graph as tg
arch = 'squeezenet1_1-features'
tuned, part, conv = (tg.load_model(p, expect_arch=arch) for p in sys.argv[1:4])
same = all(bool((tuned.weights[k] == part.weights[k]).all()) for k in tuned.weights)
moved = max(float((tuned.weights[k] - conv.weights[k]).abs().max()) for k in conv.weights
            if k.startswith('fire'))
frozen = float((tuned.weights['conv1.weight'] - conv.weights['conv1.weight']).abs().max())
print('bundle part == fine-tuned file:', same, '; fire weights moved by up to %.3g, conv1 by '
      '%.3g' % (moved, frozen), '; BSD text in metadata:', 'license.squeezenet' in tuned.metadata)
sys.exit(0 if same and moved > 1e-3 and frozen < 1e-2 and 'license.squeezenet' in tuned.metadata
         else 1)
PYEOF
check "the bundle ships the fine-tuned features ($(cat "$SCRATCH/parts.log"))" test $? -eq 0

# The classifier on real photos from Debian's darknet package (downloaded
# and unpacked into the cache, not installed).
cache="${TINTA_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tinta}/darknet"
if [ ! -s "$cache/dog.jpg" ]; then
  work="$(mktemp -d)"; chmod 755 "$work"
  if (cd "$work" && apt-get download -q darknet >/dev/null 2>&1) && dpkg-deb -x "$work"/darknet_*.deb "$work/x"; then
    mkdir -p "$cache"
    cp "$work/x/usr/share/darknet/data/dog.jpg" "$work/x/usr/share/darknet/data/eagle.jpg" "$cache/"
  fi
  rm -rf "$work"
fi
if [ ! -s "$cache/dog.jpg" ]; then
  echo "note: could not fetch Debian's darknet sample photos; classifier check skipped"
else
  synset="${TINTA_SHARED_DIR}/pretrained/squeezenet1_1_ncnn_fp16/synset_words.txt"
  for pair in "dog:dogsled|malamute|husky|Eskimo dog" "eagle:kite|eagle"; do
    img="${pair%%:*}"; want="${pair#*:}"
    $PY "$ROOT/training/squeezenet_reference.py" "$cache/$img.jpg" "$SCRATCH/$img.safetensors" \
      --model "$CLASSIFIER" --size 227x227 --top5 >"$SCRATCH/$img.ref" 2>&1
    check "PyTorch classifies $img.jpg" test $? -eq 0
    "$COMPARE" "$CLASSIFIER" "$SCRATCH/$img.safetensors" f32 "$PROB_TOL" prob >"$SCRATCH/$img.c" 2>&1
    check "C classifier matches PyTorch on $img.jpg" test $? -eq 0
    read -r _ c_top ref_top < <(grep '^top1 ' "$SCRATCH/$img.c")
    check "same top-1 class ($c_top vs $ref_top)" test "${c_top:-x}" = "${ref_top:-y}"
    label=$(sed -n "$(( ${c_top:-0} + 1 ))p" "$synset")
    echo "$img.jpg -> $label"
    check "$img.jpg is classified as '$label', expected one of $want" grep -qE "$want" <<<"$label"
  done
fi
finish squeezenet
