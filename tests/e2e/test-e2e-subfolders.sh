#!/usr/bin/env bash
# test-e2e-subfolders.sh: into sub-folders and back, and all of them at once
#
# Runs the built program under Xvfb on a folder of generated pictures with
# sub-folders, a hidden one and a symbolic link back up, and drives it as a
# person would: a double-click on a folder tile enters it, Alt+Up goes to
# the parent, Alt+Left back, Ctrl+Shift+I (Include Sub-folders in the main
# menu) shows every picture below the folder in one grid. The window's
# title and the program's trace say where it is and what it counted.
# Prints TAP.
#
# Usage (meson passes these, see meson.build):
#   test-e2e-subfolders.sh APP SCHEMA-DIR LOG-DIR GEN-IMAGES
#
# SPDX-License-Identifier: GPL-3.0-or-later

# Functions run by trap or by poll look unreachable to shellcheck.
# shellcheck disable=SC2317

set -u

timeout_finished=60

if [ $# -ne 4 ]; then
  echo "usage: $0 APP SCHEMA-DIR LOG-DIR GEN-IMAGES" >&2
  exit 2
fi
app=$1 schema_dir=$2 log_dir=$3 gen_images=$4
e2e_name=subfolders
e2e_tools=
# shellcheck source-path=SCRIPTDIR source=cs-e2e-lib.sh
. "$(dirname "$0")/cs-e2e-lib.sh"
e2e_enter "$0" "$@"

export GSETTINGS_SCHEMA_DIR=$schema_dir

# Trip: 3 pictures; Trip/2024: 2; Trip/2024/June: 2; Trip/.hidden: 1;
# Trip/2024/up leads back to Trip.
trip=$HOME/Trip
if ! "$gen_images" "$trip" 3 >/dev/null ||
   ! "$gen_images" "$trip/2024" 2 >/dev/null ||
   ! "$gen_images" "$trip/2024/June" 2 >/dev/null ||
   ! "$gen_images" "$trip/.hidden" 1 >/dev/null ||
   ! ln -s .. "$trip/2024/up"; then
  bail "cannot make the folders"
fi

# finished_with TEXT: the batch since the mark ended with TEXT in the status.
finished_with () { trace_line finished | grep -qF -- "$1"; }

# opened FOLDER: the last folder opened since the mark is FOLDER.
opened () { [ "$(trace_line open)" = "$1" ]; }

# shoot NAME: the window, in LOG-DIR/subfolders-NAME.png.
shoot ()
{
  sleep 1
  shoot_window "$window" "$log_dir/subfolders-$1.png"
}

# 1. The folder: a tile for 2024 (none for .hidden) before the 3 pictures,
#    which alone are counted.

mark_trace
start_app '^Trip$' "$app" "$trip"
if poll "$timeout_finished" finished_with ": 3 thumbnails"; then
  ok "Trip's 3 pictures are made and counted, not its sub-folders"
else
  bail "Trip did not finish with 3 thumbnails: '$(trace_line finished)'"
fi
shoot tiles

# 2. A double-click on the first tile, 2024, enters it.

mark_trace
# The first cell: the grid's padding and the cell's, the header bar and
# the path bar above it.
xdo mousemove --window "$window" 100 170 click --repeat 2 --delay 120 1
if poll "$timeout_window" has_visible_window '^2024$' &&
   poll "$timeout_finished" opened "$trip/2024"; then
  ok "a double-click on the 2024 tile opens 2024"
else
  bail "the double-click did not open 2024 (title: $(xdo getwindowname "$window" 2>/dev/null))"
fi
if poll "$timeout_finished" finished_with ": 2 thumbnails"; then
  ok "2024's 2 pictures are counted"
else
  not_ok "2024's 2 pictures are counted" "'$(trace_line finished)'"
fi
xdo mousemove $((screen_w - 1)) $((screen_h - 1)) >/dev/null 2>&1
shoot entered

# 3. Alt+Up: the parent; Alt+Left: back where it was.

mark_trace
xdo key --clearmodifiers alt+Up
if poll "$timeout_window" has_visible_window '^Trip$' && poll "$timeout_finished" opened "$trip"; then
  ok "Alt+Up opens the parent, Trip"
else
  not_ok "Alt+Up opens the parent, Trip" "title: $(xdo getwindowname "$window" 2>/dev/null)"
fi
poll "$timeout_finished" has_trace finished

mark_trace
xdo key --clearmodifiers alt+Left
if poll "$timeout_window" has_visible_window '^2024$'; then
  ok "Alt+Left goes back to 2024"
else
  not_ok "Alt+Left goes back to 2024" "title: $(xdo getwindowname "$window" 2>/dev/null)"
fi
poll "$timeout_finished" has_trace finished
mark_trace
xdo key --clearmodifiers alt+Up
if ! poll "$timeout_window" has_visible_window '^Trip$' ||
   ! poll "$timeout_finished" has_trace finished; then
  bail "Alt+Up did not bring Trip back"
fi

# 4. Ctrl+Shift+I: every picture below Trip, 7, in one grid; the link back
#    up is said, not followed (or the batch would never finish).

mark_trace
xdo key --clearmodifiers ctrl+shift+i
if poll "$timeout_finished" finished_with ": 7 thumbnails"; then
  ok "Include Sub-folders shows and counts the 7 pictures below Trip"
else
  not_ok "Include Sub-folders shows and counts the 7 pictures below Trip" "'$(trace_line finished)'"
fi
shoot include

# And off again: Trip's own 3.
mark_trace
xdo key --clearmodifiers ctrl+shift+i
if poll "$timeout_finished" finished_with ": 3 thumbnails"; then
  ok "Include Sub-folders off: Trip's 3 again"
else
  not_ok "Include Sub-folders off: Trip's 3 again" "'$(trace_line finished)'"
fi

quit_app
check_no_complaints
e2e_finish
