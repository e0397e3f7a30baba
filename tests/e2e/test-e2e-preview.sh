#!/usr/bin/env bash
# test-e2e-preview.sh: the preview, as a person uses it
#
# Runs the built program under Xvfb on a folder of three large pictures
# of plain colours (a red PNG, a blue JPEG, and a green JPEG stored on its
# side with an EXIF orientation, its marked corner red) and drives it with
# xdotool: a click on the first cell, Space, Right, Right, Left, Escape;
# Space twice; Ctrl+double-click. Each step's screenshot is read back with
# ImageMagick: the preview covers the grid with the picture, large, in its
# colour; the turned one stands upright with its mark at the top right;
# after Escape the window is pixel for pixel what it was before Space. The
# program's trace says which picture was decoded at which size. Prints TAP.
#
# Usage (meson passes these, see meson.build):
#   test-e2e-preview.sh APP SCHEMA-DIR LOG-DIR DECODER
#
# DECODER is the built decoder helper: the program decodes in it, as the
# installed one does.
#
# SPDX-License-Identifier: GPL-3.0-or-later

# Functions run by trap or by poll look unreachable to shellcheck.
# shellcheck disable=SC2317

set -u

timeout_finished=60
timeout_preview=30

if [ $# -ne 4 ]; then
  echo "usage: $0 APP SCHEMA-DIR LOG-DIR DECODER" >&2
  exit 2
fi
app=$1 schema_dir=$2 log_dir=$3 decoder=$4
e2e_name=preview
e2e_tools="convert compare exiftool"
# shellcheck source-path=SCRIPTDIR source=cs-e2e-lib.sh
. "$(dirname "$0")/cs-e2e-lib.sh"
e2e_enter "$0" "$@"

export GSETTINGS_SCHEMA_DIR=$schema_dir CONTACT_SHEET_DECODER=$decoder

# colour_at FILE X Y: the pixel's "R,G,B", 0 to 255.
colour_at ()
{
  convert "$1" -format "%[fx:int(255*p{$2,$3}.r)],%[fx:int(255*p{$2,$3}.g)],%[fx:int(255*p{$2,$3}.b)]" info: 2>/dev/null
}

# is_colour "R,G,B" NAME: red, green or blue, give or take a JPEG's error.
is_colour ()
{
  local r g b

  IFS=, read -r r g b <<<"$1"
  case $2 in
    red) [ "$r" -gt 200 ] && [ "$g" -lt 60 ] && [ "$b" -lt 60 ] ;;
    green) [ "$g" -gt 200 ] && [ "$r" -lt 60 ] && [ "$b" -lt 60 ] ;;
    blue) [ "$b" -gt 200 ] && [ "$r" -lt 60 ] && [ "$g" -lt 60 ] ;;
  esac
}

# box FILE COLOUR: the bounding box "WxH+X+Y" of that colour in the file.
box ()
{
  local rgb

  case $2 in
    red) rgb='rgb(255,0,0)' ;;
    green) rgb='rgb(0,255,0)' ;;
    blue) rgb='rgb(0,0,255)' ;;
  esac
  convert "$1" -fuzz 25% -fill black +opaque "$rgb" -fill white -opaque "$rgb" \
    -format '%@' info: 2>/dev/null
}

box_w () { echo "${1%%x*}"; }
box_h () { sed 's/^[0-9]*x//; s/+.*//' <<<"$1"; }
box_x () { cut -d+ -f2 <<<"$1"; }
box_y () { cut -d+ -f3 <<<"$1"; }

has_sharp () { has_trace "preview-sharp $1"; }
has_closed () { trace_since_mark | grep -qx 'contact-sheet-trace: preview-closed'; }

# shoot NAME: the window's screenshot in LOG-DIR/preview-NAME.png.
shoot ()
{
  shot=$log_dir/preview-$1.png
  xdo mousemove $((screen_w - 1)) $((screen_h - 1)) >/dev/null 2>&1
  sleep 0.5
  shoot_window "$window" "$shot" || bail "cannot take the screenshot $shot"
}

# 1. Three large pictures in plain colours.

pictures=$HOME/Colours
mkdir -p "$pictures" || bail "cannot make $pictures"
if ! convert -size 2400x1600 xc:'rgb(255,0,0)' "$pictures/1-red.png" ||
   ! convert -size 2400x1600 xc:'rgb(0,0,255)' -quality 95 "$pictures/2-blue.jpg" ||
   ! convert -size 2400x1600 xc:'rgb(0,255,0)' -fill 'rgb(255,0,0)' -draw 'rectangle 0,0 299,299' \
       -quality 95 "$pictures/3-turned.jpg" ||
   ! exiftool -q -overwrite_original -n -Orientation=6 "$pictures/3-turned.jpg"; then
  bail "cannot make the pictures"
fi

start_app '^Colours$' "$app" "$pictures"
if poll "$timeout_finished" has_trace finished; then
  ok "the folder's 3 thumbnails are made"
else
  bail "the thumbnails were not made within $timeout_finished s"
fi

geometry=$(xdo getwindowgeometry --shell "$window")
win_w=$(sed -n 's/^WIDTH=//p' <<<"$geometry")
win_h=$(sed -n 's/^HEIGHT=//p' <<<"$geometry")
mid_x=$((win_w / 2)) mid_y=$((win_h / 2))

# 2. A click on the first cell (the grid's top left), then Space.

xdo mousemove --window "$window" 100 140 click 1 >/dev/null 2>&1
# Keys on the grid (to the next cell and back) show where the focus is,
# as it is after keys in the preview.
xdo key Right Left
shoot grid
before=$shot
mark_trace
xdo key space
if poll "$timeout_preview" has_sharp 1-red.png; then
  ok "Space: the preview decodes the clicked picture ($(trace_line preview-sharp))"
else
  not_ok "Space: the preview decodes the clicked picture" "trace: $(trace_since_mark | tail -n 5)"
fi
size=$(trace_line preview-sharp | sed -n 's/^1-red.png \([0-9]*\)x\([0-9]*\) of 2400x1600$/\1 \2/p')
if [ -n "$size" ] && [ "${size% *}" -gt 512 ] && [ "${size% *}" -le "$win_w" ]; then
  ok "decoded at the window's size, not the thumbnail's: ${size/ /x} of 2400x1600"
else
  not_ok "decoded at the window's size" "trace: $(trace_line preview-sharp)"
fi
shoot red
red=$(box "$shot" red)
if is_colour "$(colour_at "$shot" "$mid_x" "$mid_y")" red &&
   [ "$(box_w "$red")" -gt $((win_w * 8 / 10)) ]; then
  ok "the preview shows the red picture across the window ($red)"
else
  not_ok "the preview shows the red picture across the window" \
         "middle: $(colour_at "$shot" "$mid_x" "$mid_y"), red box: $red, window ${win_w}x$win_h"
fi

# 3. Right: the next in the grid's order; Right: the turned one, upright.

mark_trace
xdo key Right
poll "$timeout_preview" has_sharp 2-blue.jpg
shoot blue
if has_sharp 2-blue.jpg && is_colour "$(colour_at "$shot" "$mid_x" "$mid_y")" blue; then
  ok "Right: the blue picture"
else
  not_ok "Right: the blue picture" "middle: $(colour_at "$shot" "$mid_x" "$mid_y")" \
         "trace: $(trace_since_mark | tail -n 3)"
fi

mark_trace
xdo key Right
poll "$timeout_preview" has_sharp 3-turned.jpg
shoot turned
green=$(box "$shot" green)
mark=$(box "$shot" red)
if has_sharp 3-turned.jpg && [ -n "$green" ] && [ -n "$mark" ] &&
   [ "$(box_h "$green")" -gt "$(box_w "$green")" ] &&
   [ "$(box_x "$mark")" -gt $(($(box_x "$green") + $(box_w "$green") / 2)) ] &&
   [ "$(box_y "$mark")" -lt $(($(box_y "$green") + $(box_h "$green") / 4)) ]; then
  ok "Right: the EXIF-turned picture stands upright, its mark at the top right ($(trace_line preview-sharp))"
else
  not_ok "Right: the EXIF-turned picture stands upright" "green box: $green, red mark: $mark" \
         "trace: $(trace_since_mark | tail -n 3)"
fi

mark_trace
xdo key Left
if poll "$timeout_preview" has_sharp 2-blue.jpg; then
  ok "Left: back to the blue picture"
else
  not_ok "Left: back to the blue picture" "trace: $(trace_since_mark | tail -n 3)"
fi

# 4. Escape: the grid as it was, to the pixel (scroll, selection, focus).

mark_trace
xdo key Escape
poll 10 has_closed
shoot closed
# ImageMagick 7 adds the normalised count in brackets: "0 (0)".
difference=$(compare -metric AE "$before" "$shot" null: 2>&1)
difference=${difference%% *}
if has_closed && [ "$difference" = 0 ]; then
  ok "Escape: the window is as it was before Space"
else
  not_ok "Escape: the window is as it was before Space" "$difference pixels differ" \
         "trace: $(trace_since_mark | tail -n 3)"
fi

# 5. Space opens and Space closes; Ctrl+double-click opens.

mark_trace
xdo key space
poll "$timeout_preview" has_sharp 1-red.png
xdo key space
if has_sharp 1-red.png && poll 10 has_closed; then
  ok "Space opens the preview and Space closes it"
else
  not_ok "Space opens the preview and Space closes it" "trace: $(trace_since_mark | tail -n 4)"
fi

mark_trace
xdo mousemove --window "$window" 100 140 keydown ctrl click --repeat 2 --delay 80 1 keyup ctrl \
  >/dev/null 2>&1
if poll "$timeout_preview" has_sharp 1-red.png; then
  ok "Ctrl+double-click opens the preview"
else
  not_ok "Ctrl+double-click opens the preview" "trace: $(trace_since_mark | tail -n 4)"
fi
mark_trace
xdo key Escape
if poll 10 has_closed; then
  ok "Escape closes it"
else
  not_ok "Escape closes it" "trace: $(trace_since_mark | tail -n 4)"
fi

quit_app
check_no_complaints
e2e_finish
