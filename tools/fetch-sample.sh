#!/usr/bin/env bash
# Fetches the sample clip of the main job: OpenCV's vtest.avi (768x576,
# 795 frames of people walking past a building; Apache-2.0 / BSD-3-Clause,
# see the copyright file saved beside it), shipped in Debian's opencv-doc
# package. The package is downloaded and unpacked into a cache folder, not
# installed. Prints the clip's path. Idempotent: a cached clip is reused.
set -euo pipefail
cache="${TINTA_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tinta}/samples"
clip="$cache/vtest.avi"
if [ -s "$clip" ]; then
  echo "$clip"
  exit 0
fi
mkdir -p "$cache"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"   # apt's _apt user downloads into it
(cd "$work" && apt-get download -q opencv-doc >&2) || {
  echo "tinta: could not download opencv-doc (run 'apt-get update' first?)" >&2
  exit 1
}
dpkg-deb -x "$work"/opencv-doc_*.deb "$work/x"
src="$work/x/usr/share/doc/opencv-doc/examples/data/vtest.avi"
if [ ! -s "$src" ]; then
  echo "tinta: opencv-doc does not contain examples/data/vtest.avi" >&2
  exit 1
fi
cp "$work/x/usr/share/doc/opencv-doc/copyright" "$cache/vtest.avi.copyright"
cp "$src" "$clip.tmp"
mv "$clip.tmp" "$clip"
echo "$clip"
