#!/usr/bin/env bash
# tinta-cli colorize end to end on generated clips (no ../shared needed):
# a gray 1080p clip with two colored keyframes comes out in every format
# with the input's frame count, size and rate, and with colors close to
# the original's; hard cuts stop propagation; Ctrl-C leaves no output;
# bad keyframes and options get one clear line and the right exit code.
. "$(dirname "$0")/lib.sh"
S="$SCRATCH"

# The original in color, its gray version (the input), and the true
# colors of frames 0 and 9 (the keyframes).
gen -f lavfi -i "testsrc2=size=1920x1080:rate=25" -frames:v 10 -c:v ffv1 -pix_fmt yuv444p "$S/color.mkv"
gen -i "$S/color.mkv" -c:v ffv1 -pix_fmt gray "$S/gray.mkv"
gen -i "$S/color.mkv" -vf "select=eq(n\,0)" -frames:v 1 "$S/key0.png"
gen -i "$S/color.mkv" -vf "select=eq(n\,9)" -frames:v 1 "$S/key9.png"

probe() { "$FFPROBE" -v error -select_streams v:0 -show_entries stream="$2" -of csv=p=0 "$1"; }
psnr_of() { # mean RGB PSNR of $1 against the color original, from FFmpeg's psnr filter
  "$FFMPEG" -v info -nostdin -i "$1" -i "$S/color.mkv" -lavfi "[0:v]format=rgb24[a];[1:v]format=rgb24[b];[a][b]psnr" \
    -f null - 2>&1 | sed -n 's/.*PSNR r:.* average:\([0-9.inf]*\).*/\1/p' | tail -1
}

for fmt in ffv1 prores h264 png; do
  case $fmt in
    ffv1) out="$S/out.mkv"; strategy=fused ;;
    prores) out="$S/out.mov"; strategy=local ;;
    h264) out="$S/out.mp4"; strategy=local ;;
    png) out="$S/out-png"; strategy=global ;;
  esac
  "$CLI" colorize "$S/gray.mkv" --key 0="$S/key0.png" --key last="$S/key9.png" --strategy $strategy \
      -o "$out" >"$S/$fmt.out" 2>"$S/$fmt.err" </dev/null
  check "colorize to $fmt succeeds ($(tail -1 "$S/$fmt.err"))" test $? -eq 0
  if [ $fmt = png ]; then
    check "png: 10 frames" test "$(ls "$out" | grep -c '\.png$')" -eq 10
    first=$(ls "$out" | grep '\.png$' | head -1)
    check "png: 1920x1080" test "$(probe "$out/$first" width,height)" = "1920,1080"
    continue
  fi
  check "$fmt: 10 frames" test "$(frames_of "$out")" = 10
  check "$fmt: 1920x1080" test "$(probe "$out" width,height)" = "1920,1080"
  check "$fmt: 25 fps" test "$(probe "$out" r_frame_rate)" = "25/1"
  check "$fmt: the format asked ($(probe "$out" codec_name))" \
    test "$(probe "$out" codec_name)" = "$(case $fmt in prores) echo prores ;; h264) echo h264 ;; *) echo ffv1 ;; esac)"
  check "$fmt: reports the plan" grep -q "2 keyframes, 8 both ways" "$S/$fmt.out"
  check "$fmt: works at 854x480" grep -q "at 854x480" "$S/$fmt.out"
done

# Colors: the fused result is far closer to the original than the gray
# input is. testsrc2 is harsh (saturated shapes moving over a changing
# gradient, a clock): measured gray 6.02 dB, fused with both keys 16.39.
p_gray=$(psnr_of "$S/gray.mkv")
p_fused=$(psnr_of "$S/out.mkv")
echo "psnr against the original: gray $p_gray dB, fused (two keys) $p_fused dB"
check "fused ($p_fused dB) beats gray ($p_gray dB) by 8 dB and reaches 14 dB" \
  awk -v a="$p_fused" -v b="$p_gray" 'BEGIN { exit !(a > b + 8 && a > 14) }'

# A hard cut: testsrc2 then a different picture; with a keyframe in the
# first shot only, the second shot is never propagated into.
gen -f lavfi -i "testsrc2=size=640x360:rate=25" -f lavfi -i "mandelbrot=size=640x360:rate=25" \
    -filter_complex "[0:v]trim=end_frame=6[a];[1:v]trim=end_frame=6,setpts=PTS-STARTPTS[b];[a][b]concat=n=2:v=1" \
    -c:v ffv1 -pix_fmt yuv444p "$S/cut.mkv"
gen -i "$S/cut.mkv" -vf "select=eq(n\,0)" -frames:v 1 "$S/cutkey.png"
"$CLI" colorize "$S/cut.mkv" --key 0="$S/cutkey.png" -o "$S/cut-out.mkv" >"$S/cut.out" 2>"$S/cut.err" </dev/null
check "colorize across a cut succeeds ($(tail -1 "$S/cut.err"))" test $? -eq 0
check "the cut is found at frame 6 ($(grep cut "$S/cut.err"))" grep -q "1 cut at frames 6" "$S/cut.err"
check "the second shot is not propagated into" grep -q "5 forward only, 0 backward only, 6 in shots without a keyframe" "$S/cut.out"

# Ctrl-C: exit 130, no output file, no temporary file beside it. Two
# keyframes 399 frames apart: the interrupt lands in the long backward
# pass, which must notice it too (a hang here fails by meson's timeout).
gen -f lavfi -i "testsrc2=size=854x480:rate=25" -frames:v 400 -c:v ffv1 -pix_fmt gray "$S/long.mkv"
gen -i "$S/long.mkv" -vf "select=eq(n\,0)" -frames:v 1 "$S/longkey.png"
mkdir "$S/int"
"$CLI" colorize "$S/long.mkv" --key 0="$S/longkey.png" --key last="$S/longkey.png" -o "$S/int/out.mov" \
    >/dev/null 2>"$S/int.err" </dev/null &
pid=$!
for _ in $(seq 1 1200); do
  grep -q " cuts\?\b" "$S/int.err" 2>/dev/null && break
  sleep 0.1
done
sleep 1
kill -INT $pid
wait $pid
code=$?
check "SIGINT exits 130 (got $code: $(tail -1 "$S/int.err"))" test $code -eq 130
check "SIGINT leaves no file ($(ls -A "$S/int"))" test -z "$(ls -A "$S/int")"
check "SIGINT says so" grep -q "cancelled" "$S/int.err"
check "SIGINT came during the backward pass (no frame done yet)" bash -c "! grep -q '^colorize: [1-9]' '$S/int.err'"

# Bad input: one line, the right code.
gen -f lavfi -i "color=red:size=320x240" -frames:v 1 "$S/small.png"
run_cli 1 "keyframe is 320x240 but the clip is 1920x1080" colorize "$S/gray.mkv" --key 0="$S/small.png" -o "$S/x.mkv"
run_cli 1 "the clip's frames are 0 to 9" colorize "$S/gray.mkv" --key 12="$S/key0.png" -o "$S/x.mkv"
run_cli 2 "FRAME=IMAGE" colorize "$S/gray.mkv" --key "$S/key0.png" -o "$S/x.mkv"
run_cli 2 "unknown strategy" colorize "$S/gray.mkv" --key 0="$S/key0.png" --strategy magic -o "$S/x.mkv"
run_cli 2 "at least one --key" colorize "$S/gray.mkv" -o "$S/x.mkv"
run_cli 2 "--working-height" colorize "$S/gray.mkv" --key 0="$S/key0.png" --working-height 8 -o "$S/x.mkv"
run_cli 1 "two keyframes for frame 9" colorize "$S/gray.mkv" --key 9="$S/key9.png" --key last="$S/key9.png" -o "$S/x.mkv"
check "no output after the errors" test ! -e "$S/x.mkv"

finish cli-colorize
