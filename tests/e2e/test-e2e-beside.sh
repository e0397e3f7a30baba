#!/usr/bin/env bash
# test-e2e-beside.sh: "beside each image" asks before it writes
#
# Runs the built program under Xvfb on a folder of generated pictures and
# drives it with the keyboard as a person would: Ctrl+, opens Preferences,
# "Save Thumbnails" is switched to "Beside each image", and the question
# that comes ("Write 12 thumbnails into “Holiday”?") is answered: Escape
# once, and nothing is written into the folder; then Alt+W, and each
# picture gets its NAME.thumb.jpg. A picture deleted takes its own along;
# a file of the person's named like one stays. Everything is checked on
# disk. Prints TAP.
#
# Usage (meson passes these, see meson.build):
#   test-e2e-beside.sh APP SCHEMA-DIR LOG-DIR GEN-IMAGES
#
# CS_SHOTS_DIR=DIR also copies the question's screenshot there, as
# counts-beside-question-STACK.png.
#
# SPDX-License-Identifier: GPL-3.0-or-later

# Functions run by trap or by poll look unreachable to shellcheck.
# shellcheck disable=SC2317

set -u

n_images=12
timeout_finished=60
timeout_written=60

if [ $# -ne 4 ]; then
  echo "usage: $0 APP SCHEMA-DIR LOG-DIR GEN-IMAGES" >&2
  exit 2
fi
app=$1 schema_dir=$2 log_dir=$3 gen_images=$4
e2e_name=beside
e2e_tools=
# shellcheck source-path=SCRIPTDIR source=cs-e2e-lib.sh
. "$(dirname "$0")/cs-e2e-lib.sh"
e2e_enter "$0" "$@"

export GSETTINGS_SCHEMA_DIR=$schema_dir

n_thumbs () { find "$pictures" -maxdepth 1 -name '*.thumb.*' | wc -l; }
has_thumbs () { [ "$(n_thumbs)" -eq "$1" ]; }

# The question: its own window with libadwaita before 1.5, a dialog inside
# the main window after; the trace says it was asked either way.
question_window () { visible_window '^Write [0-9]+ thumbnails? into'; }

# Ctrl+, and "Save Thumbnails" (Alt+T) switched to its second choice.
switch_to_beside ()
{
  local preferences

  xdo windowfocus --sync "$window" >/dev/null 2>&1
  xdo key --clearmodifiers ctrl+comma
  sleep 1.5
  preferences=$(visible_window '^Preferences$')
  [ -n "$preferences" ] && xdo windowfocus --sync "$preferences" >/dev/null 2>&1
  xdo key --clearmodifiers alt+t
  sleep 0.7
  xdo key --clearmodifiers Down
  sleep 0.3
  xdo key --clearmodifiers Return
}

# Escape in Preferences: their own window before libadwaita 1.5, a dialog
# in the main window after.
close_preferences ()
{
  local preferences

  preferences=$(visible_window '^Preferences$')
  xdo windowfocus --sync "${preferences:-$window}" >/dev/null 2>&1
  xdo key --clearmodifiers Escape
  sleep 1
}

# answer KEY: focuses the question (its own window, or the main one) and
# presses KEY there.
answer ()
{
  local question

  question=$(question_window)
  xdo windowfocus --sync "${question:-$window}" >/dev/null 2>&1
  sleep 0.3
  xdo key --clearmodifiers "$1"
}

pictures=$HOME/Holiday
"$gen_images" "$pictures" "$n_images" || bail "cs-gen-images failed"
ls "$pictures" >"$log_dir/beside-pictures.txt"

# 1. The program on the folder; the thumbnails made in the cache.

start_app '^Holiday$' "$app" "$pictures"
if poll "$timeout_finished" has_trace finished; then
  ok "the folder's $n_images thumbnails are made"
else
  bail "the thumbnails were not made within $timeout_finished s"
fi
if has_thumbs 0; then
  ok "nothing is written into the folder by default"
else
  not_ok "nothing is written into the folder by default" "$(n_thumbs) thumbnails in $pictures"
fi

# 2. Switched to beside: the question, naming the folder and the count;
# nothing written while it is asked.

mark_trace
switch_to_beside
if poll "$timeout_window" has_trace beside-ask; then
  ok "switching to beside each image asks first"
else
  bail "no question after switching to beside each image"
fi
asked=$(trace_line beside-ask)
if [ "$asked" = "$n_images Holiday" ]; then
  ok "the question names the folder and counts $n_images files"
else
  not_ok "the question names the folder and counts $n_images files" "traced: '$asked'"
fi
sleep 1.5
shot=$log_dir/beside-question.png
"$import" -window root "$shot" 2>/dev/null
if [ -n "${CS_SHOTS_DIR:-}" ]; then
  mkdir -p "$CS_SHOTS_DIR" && cp "$shot" "$CS_SHOTS_DIR/counts-beside-question-${CS_STACK:-host}.png"
fi
if has_thumbs 0; then
  ok "nothing is written while the question is open"
else
  not_ok "nothing is written while the question is open" "$(n_thumbs) thumbnails in $pictures"
fi

# 3. Escape: Cancel; the folder stays as it was.

mark_trace
answer Escape
if poll "$timeout_window" has_trace beside-answer && [ "$(trace_line beside-answer)" = cancel ]; then
  ok "Escape cancels"
else
  bail "Escape did not answer the question (traced: '$(trace_line beside-answer)')"
fi
sleep 2
if has_thumbs 0; then
  ok "after Cancel nothing is written into the folder"
else
  not_ok "after Cancel nothing is written into the folder" "$(n_thumbs) thumbnails in $pictures"
fi

# 4. Preferences closed (Escape), opened again, switched again, and
# Alt+W: Write Thumbnails; every picture gets its own.

close_preferences
mark_trace
switch_to_beside
poll "$timeout_window" has_trace beside-ask || bail "no question the second time"
answer alt+w
if poll "$timeout_window" has_trace beside-answer && [ "$(trace_line beside-answer)" = write ]; then
  ok "Alt+W answers Write Thumbnails"
else
  bail "Alt+W did not answer the question (traced: '$(trace_line beside-answer)')"
fi
if poll "$timeout_written" has_thumbs "$n_images"; then
  ok "each of the $n_images pictures gets its thumbnail beside it"
else
  not_ok "each of the $n_images pictures gets its thumbnail beside it" "$(n_thumbs) thumbnails in $pictures"
fi

# 5. A picture deleted takes its own thumbnail along, and nothing else.

first=$(find "$pictures" -maxdepth 1 -type f ! -name '*.thumb.*' | sort | head -n 1)
first_thumb=$(find "$pictures" -maxdepth 1 -name "$(basename "${first%.*}").thumb.*" | head -n 1)
printf 'mine\n' >"$pictures/notes.thumb.jpg"
sleep 0.5
rm -f "$first"
gone () { [ ! -e "$first_thumb" ]; }
if [ -n "$first_thumb" ] && poll 10 gone; then
  ok "deleting $(basename "$first") deletes $(basename "$first_thumb")"
else
  not_ok "deleting a picture deletes its thumbnail" "'$first_thumb' is still there"
fi
if [ -e "$pictures/notes.thumb.jpg" ] && has_thumbs "$n_images"; then
  ok "a file of the person's named like a thumbnail stays"
else
  not_ok "a file of the person's named like a thumbnail stays" "$(ls "$pictures")"
fi

close_preferences
quit_app
check_no_complaints
e2e_finish
