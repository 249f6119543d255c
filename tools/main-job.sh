#!/usr/bin/env bash
# The main job, from a fresh Debian 12 machine: install what Tinta needs,
# build it, fetch the sample clip, and colorize it with the real pipeline
# (`tinta-cli colorize`: cut detection, keyframes propagated both ways,
# guided upsampling) from the clip's own colors at its first and last
# frame. Writes to out/main-job/: result.mp4, first.png and last.png (the
# keyframes), compare.png (gray | result | original, middle frame); prints
# the PSNR of result.mp4 against the original. Extra arguments go to
# colorize (e.g. --strategy local; not --frames: the keys are fixed).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/tools/install-deps.sh"
bash "$root/tools/build.sh"
clip="$(bash "$root/tools/fetch-sample.sh")"
out="${TINTA_OUT_DIR:-$root/out/main-job}"
mkdir -p "$out"
cli="${BUILD_DIR:-$root/build}/engine/tinta-cli"
ff=(ffmpeg -nostdin -v error -y)   # the ffmpeg program (debian-packages.txt)

# Frame count as Tinta's decoder sees it ("PATH: WxH, N frames, ...").
n="$("$cli" info "$clip" | sed -n 's/.*, \([0-9][0-9]*\) frames, .*/\1/p')"
[ -n "$n" ] && [ "$n" -ge 3 ] || { echo "tinta: cannot read the frame count of $clip" >&2; exit 1; }

# Keyframes: the clip's own colors at frames 0 and n-1. tinta-cli has no
# frame-extraction command; ffmpeg's PNG is bit-identical to Tinta's decode
# (both bicubic swscale). select= counts decoded frames, as Tinta does.
"${ff[@]}" -i "$clip" -vf "select=eq(n\,0)" -frames:v 1 "$out/first.png"
"${ff[@]}" -i "$clip" -vf "select=eq(n\,$((n - 1)))" -frames:v 1 "$out/last.png"

# The color clip is the input as is: colorize reads only its luminance L
# (engine/src/shot/colorize.c: cuts and propagation run on L, every output
# a,b is predicted or a keyframe's), so no gray copy is needed.
"$cli" colorize "$clip" \
  --key 0="$out/first.png" --key last="$out/last.png" -o "$out/result.mp4" --format h264 "$@"

# PSNR on 8-bit RGB of the delivered file (H.264 losses included) against
# the decoded original, per frame, frames paired by index; means as in
# `tinta-cli eval --keys 0,last`: over the frames other than the two keys,
# in 1..24 (psnr25) and in all (psnr_all). tinta-cli eval would colorize
# the clip again instead of reading result.mp4, hence ffmpeg's psnr filter.
"${ff[@]}" -i "$out/result.mp4" -i "$clip" -lavfi \
  "[0:v]settb=1,setpts=N,format=gbrp[r];[1:v]settb=1,setpts=N,format=gbrp[o];[r][o]psnr=stats_file=-:shortest=1" \
  -f null - | awk -v last="$n" '
    { k = substr($1, 3) - 1; sub(/.*psnr_avg:/, ""); p = $1 + 0 }
    k > 0 && k < last - 1 { all += p; na++; if (k <= 24) { s25 += p; n25++ } }
    END { if (na == 0 || na != last - 2) { print "tinta: psnr: " na " frames scored" > "/dev/stderr"; exit 1 }
          printf "psnr: psnr25=%.2f psnr_all=%.2f (dB, RGB, result.mp4 vs original, frames 1-24 and 1-%d)\n",
                 s25 / n25, all / na, last - 2 }'

# gray | result | original at the middle frame (gray: the original's luma,
# what colorize sees up to Y vs Lab L).
m=$((n / 2))
"${ff[@]}" -i "$clip" -i "$out/result.mp4" -filter_complex \
  "[0:v]select=eq(n\,$m),format=rgb24,split[o][o2];[o]format=gray,format=rgb24[g];[1:v]select=eq(n\,$m),format=rgb24[r];[g][r][o2]hstack=inputs=3" \
  -frames:v 1 "$out/compare.png"
echo "comparison (gray | result | original, frame $m): $out/compare.png"
