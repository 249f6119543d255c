#!/bin/sh
# Fails when an image of data/screenshots has no <screenshot> in the
# metainfo, or a screenshot there has no caption: the software centre
# shows exactly what the metainfo lists.
#
#   check-screenshots.sh SCREENSHOT_DIR METAINFO
set -eu

dir=$1
metainfo=$2
status=0

for png in "$dir"/*.png; do
  [ -e "$png" ] || continue
  name=$(basename "$png")
  if ! grep -q "<image>[^<]*/$name</image>" "$metainfo"; then
    echo "$name: no <screenshot> in $metainfo"
    status=1
  fi
done

screenshots=$(grep -c "<screenshot[ >]" "$metainfo" || true)
captions=$(grep -c "<caption>[^<][^<]*</caption>" "$metainfo" || true)
echo "$screenshots screenshots, $captions captions"
if [ "$screenshots" -ne "$captions" ]; then
  echo "every screenshot needs a caption"
  status=1
fi
exit $status
