#!/bin/sh
# Fails when a translation has untranslated or fuzzy messages: a string
# that reaches the user in English inside a German window is a bug to fix
# in po/, not a matter of taste.
#
#   check-po-complete.sh MSGFMT FILE.po
set -eu

msgfmt=$1
po=$2

stats=$(LC_ALL=C "$msgfmt" --statistics -o /dev/null "$po" 2>&1)
echo "$po: $stats"
case "$stats" in
  *untranslated*|*fuzzy*) exit 1 ;;
esac
