#!/bin/sh
# Validates a GtkBuilder file with gtk4-builder-tool, which needs a display
# (it initializes GTK) and knows only GTK's own types.  Tinta's widgets are
# therefore swapped for the GTK class they derive from (keep the table in
# step with ui/*.h); a template's own class gets a stand-in from the tool.
# Line numbers in messages are those of the original file.  The window test
# builds the real template with the real types, so properties of Tinta's
# widgets are checked there.
#
#   validate-ui.sh GTK4_BUILDER_TOOL XVFB_RUN FILE.ui
set -eu

tool=$1
xvfb_run=$2
ui=$3

tmp=$(mktemp --suffix=.ui)
trap 'rm -f "$tmp"' EXIT

sed -e 's/class="TintaViewer"/class="GtkGLArea"/g' \
    -e 's/<object class="TintaTimeline"/<object class="GtkDrawingArea"/g' \
    -e 's/<object class="TintaKeyframePanel"/<object class="GtkBox"/g' \
    -e 's/<object class="TintaPaintBar"/<object class="GtkBox"/g' \
    -e 's/<object class="TintaBrushCursor"/<object class="GtkDrawingArea"/g' \
    "$ui" >"$tmp"

if ! "$xvfb_run" -a -s '-screen 0 1280x800x24' "$tool" validate "$tmp"; then
  echo "$ui: gtk4-builder-tool validate failed (messages above name a copy with Tinta types mapped to GTK ones)" >&2
  exit 1
fi
echo "$ui: valid"
