#!/usr/bin/env bash
# test-e2e-select.sh: selecting in the grid, and Move to Trash with Undo
#
# Runs the built program under Xvfb on a folder of generated pictures and
# drives it with the mouse and keyboard as a person would: a click, a
# Ctrl+click, a Shift+click and Ctrl+A select (the trace's "selection N"
# counts them), then two images chosen with Ctrl+click go to the trash
# with Delete, and the toast's Undo button, clicked, brings them back:
# the files are checked on disk, in the trash ($XDG_DATA_HOME/Trash of a
# private home) and back in place byte for byte. Prints TAP.
#
# Usage (meson passes these, see meson.build):
#   test-e2e-select.sh APP SCHEMA-DIR LOG-DIR GEN-IMAGES
#
# SPDX-License-Identifier: GPL-3.0-or-later

# Functions run by trap or by poll look unreachable to shellcheck.
# shellcheck disable=SC2317

set -u

n_images=8
timeout_finished=60

if [ $# -ne 4 ]; then
  echo "usage: $0 APP SCHEMA-DIR LOG-DIR GEN-IMAGES" >&2
  exit 2
fi
app=$1 schema_dir=$2 log_dir=$3 gen_images=$4
e2e_name=select
e2e_tools="cmp /usr/bin/convert"
# shellcheck source-path=SCRIPTDIR source=cs-e2e-lib.sh
. "$(dirname "$0")/cs-e2e-lib.sh"
e2e_enter "$0" "$@"

export GSETTINGS_SCHEMA_DIR=$schema_dir

# has_selection N: the last selection traced since the mark has N images.
has_selection () { [ "$(trace_line selection)" = "$1" ]; }

# The cells of the first row, left to right, at a known window size.
cell_x () { echo $((cell_w * $1 + cell_w / 2)); }
cell_y=150

# click_cell N [MODIFIER]: a click on the picture of cell N.
click_cell ()
{
  local x

  x=$(cell_x "$1")
  if [ $# -gt 1 ]; then
    xdo mousemove --window "$window" "$x" "$cell_y" keydown "$2" click 1 keyup "$2"
  else
    xdo mousemove --window "$window" "$x" "$cell_y" click 1
  fi
}

# expect_selection N WHAT: the click or key WHAT leaves N images selected.
expect_selection ()
{
  if poll 10 has_selection "$1"; then
    ok "$2 selects $1"
  else
    not_ok "$2 selects $1" "traced: '$(trace_line selection)'"
  fi
}

pictures=$HOME/Pictures/Holiday
mkdir -p "$HOME/Pictures" || bail "cannot make $HOME/Pictures"
"$gen_images" "$pictures" "$n_images" || bail "cs-gen-images failed"
mapfile -t names < <(find "$pictures" -mindepth 1 -printf '%f\n' | LC_ALL=C sort)
[ "${#names[@]}" = "$n_images" ] || bail "cs-gen-images made ${#names[@]} pictures, not $n_images"
# Each picture as it was, to compare with what the Undo brings back.
if ! mkdir -p "$work/before" || ! cp -p "$pictures"/* "$work/before/"; then
  bail "cannot keep a copy of the pictures"
fi

# 1. The program on the folder, at a known size; all thumbnails made.

start_app '^Holiday$' "$app" "$pictures"
xdo windowsize --sync "$window" 1000 700 >/dev/null 2>&1
poll "$timeout_finished" has_trace finished || bail "the thumbnails were not made within $timeout_finished s"
ok "the folder's $n_images thumbnails are made"
geometry=$(xdo getwindowgeometry --shell "$window")
window_w=$(sed -n 's/^WIDTH=//p' <<<"$geometry")
# GtkGridView shares the width among as many columns as fit a cell of
# 128 pixels and its padding (8 a side, style.css).
columns=$((window_w / 144))
[ "$columns" -gt "$n_images" ] && columns=$n_images
cell_w=$((window_w / columns))
sleep 0.5

# 2. Click, Ctrl+click, Shift+click, Ctrl+A, Shift+Ctrl+A.

mark_trace
click_cell 0
expect_selection 1 "a click"
mark_trace
click_cell 2 ctrl
expect_selection 2 "a Ctrl+click on another picture"
mark_trace
click_cell 4 shift
# From the picture clicked last to this one: three.
expect_selection 3 "a Shift+click two pictures further"
"$import" -window root "$log_dir/select-shift-click.png" 2>/dev/null
mark_trace
xdo key --clearmodifiers ctrl+a
expect_selection "$n_images" "Ctrl+A"
"$import" -window root "$log_dir/select-all.png" 2>/dev/null
mark_trace
xdo key --clearmodifiers shift+ctrl+a
expect_selection 0 "Shift+Ctrl+A"

# 3. Two pictures, Delete: they go to the trash and leave the grid.

first=${names[1]} second=${names[3]}
trash=$XDG_DATA_HOME/Trash/files
mark_trace
click_cell 1
click_cell 3 ctrl
poll 10 has_selection 2 || bail "no two pictures selected for the trash"
mark_trace
xdo key --clearmodifiers Delete
in_trash () { [ -f "$trash/$first" ] && [ -f "$trash/$second" ]; }
if poll 10 has_trace trashed && poll 10 in_trash &&
   [ ! -e "$pictures/$first" ] && [ ! -e "$pictures/$second" ]; then
  ok "Delete moves the two selected pictures to the trash"
else
  not_ok "Delete moves the two selected pictures to the trash" "traced: '$(trace_line trashed)'" \
    "in the folder: $(find "$pictures" -mindepth 1 -printf '%f ')" "in the trash: $(find "$trash" -mindepth 1 -printf '%f ' 2>&1)"
fi
toast_shot=$log_dir/select-trash-toast.png

# 4. The toast's Undo, clicked: the two are back, as they were.

# The toast is the one dark grey box in the bottom third of the window,
# its button the last but the close button on its right: the box is
# found in a screenshot (grey turned white, all else black, text and
# thin lines opened away) and the button clicked where it lies. Shots
# are taken until it shows: a busy machine may draw it late.
window_h=$(sed -n 's/^HEIGHT=//p' <<<"$geometry")
band_y=$((window_h * 70 / 100))
find_toast ()
{
  shoot_window "$window" "$toast_shot" || return 1
  box=$(/usr/bin/convert "$toast_shot" -crop "100%x30%+0+$band_y" +repage \
          -fuzz 12% -fill red -opaque 'srgb(60,60,60)' -fuzz 0 -fill black +opaque red -fill white -opaque red \
          -morphology Open Disk:3 -trim -format '%w %h %X %Y' info: 2>/dev/null)
  read -r box_w box_h box_x box_y <<<"$box"
  [ -n "${box_w:-}" ] && [ "$box_w" -gt 100 ] && [ "$box_w" -lt 900 ]
}
box=
# Found once it shows, and again where it stays once it has slid in; a
# click the program did not take (GTK 4.24 on a loaded Xvfb) is made again
# while the toast is there.
click_undo ()
{
  find_toast || return 1
  undo_x=$((box_x + box_w - 83))
  undo_y=$((band_y + box_y + box_h / 2))
  xdo mousemove --window "$window" "$undo_x" "$undo_y"
  sleep 0.2
  xdo click 1
  poll 5 has_trace restored
}
mark_trace
if poll 10 find_toast && sleep 1 && { click_undo || click_undo || click_undo; }; then
  back () { [ -f "$pictures/$first" ] && [ -f "$pictures/$second" ]; }
  if poll 10 back &&
     cmp -s "$pictures/$first" "$work/before/$first" && cmp -s "$pictures/$second" "$work/before/$second" &&
     [ ! -e "$trash/$first" ] && [ ! -e "$trash/$second" ]; then
    ok "the toast's Undo puts both back, byte for byte, and out of the trash"
  else
    not_ok "the toast's Undo puts both back, byte for byte, and out of the trash" \
      "traced: '$(trace_line restored)'"
  fi
else
  not_ok "the toast's Undo, clicked, restores" \
    "toast at '$box' in $toast_shot; clicked at ${undo_x:-}, ${undo_y:-}; traced: '$(trace_line restored)'"
fi
xdo mousemove $((screen_w - 1)) $((screen_h - 1)) >/dev/null 2>&1
sleep 1
"$import" -window root "$log_dir/select-undone.png" 2>/dev/null

# 5. Two selected, a right-click on a third: it alone is selected and its
# menu shown; its Show in Files, with no file manager on the bus and
# nothing to open folders with, says so in plain words.

mark_trace
click_cell 0
click_cell 2 ctrl
poll 10 has_selection 2 || bail "no two pictures selected before the right-click"
mark_trace
xdo mousemove --window "$window" "$(cell_x 4)" "$cell_y" click 3
expect_selection 1 "a right-click outside the selection"
sleep 1
"$import" -window root "$log_dir/select-menu.png" 2>/dev/null
# Show in _Files, by its mnemonic.
xdo key --clearmodifiers f
if poll 10 has_trace show-in-files-failed; then
  failed=$(trace_line show-in-files-failed)
  # The name between typographic quotes.
  # shellcheck disable=SC1111
  if [ "$failed" = "Could not show “${names[4]}” in Files" ]; then
    ok "Show in Files from the menu, with nothing to show files, says \"$failed\""
  else
    not_ok "Show in Files says it could not show ${names[4]}, plainly" "traced: '$failed'"
  fi
else
  not_ok "Show in Files from the menu ends in a plain message" "traced: '$(trace_line 'show-in-files[a-z-]*')'"
fi
sleep 1
"$import" -window root "$log_dir/select-show-in-files.png" 2>/dev/null

# 6. Three selected, Ctrl+E: the sheet is of those three.

mark_trace
click_cell 1
click_cell 3 shift
poll 10 has_selection 3 || bail "no three pictures selected for the sheet"
mark_trace
xdo key --clearmodifiers ctrl+e
if poll "$timeout_window" has_visible_window '^Export Contact Sheet$' &&
   poll "$timeout_finished" has_trace sheet-preview; then
  sleep 1
  "$import" -window root "$log_dir/select-sheet.png" 2>/dev/null
  preview=$(trace_line sheet-preview)
  if [ "$preview" = "3 images 1 pages" ]; then
    ok "the export dialog lays out the three selected pictures"
  else
    not_ok "the export dialog lays out the three selected pictures" "traced: '$preview'"
  fi
  xdo key --clearmodifiers Escape
  poll 10 has_no_visible_window '^Export Contact Sheet$' || bail "Escape does not close the export dialog"
else
  not_ok "Ctrl+E shows the export dialog"
fi

# 5. Ctrl+Q; nothing GTK or GLib complains of.

quit_app
check_no_complaints
e2e_finish
