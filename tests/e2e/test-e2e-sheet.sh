#!/usr/bin/env bash
# test-e2e-sheet.sh: a contact sheet exported and printed from the window
#
# Runs the built program under Xvfb on a folder of generated pictures and
# drives it with the keyboard as a person would: Ctrl+E, the export dialog
# and its preview, Export…, the real file chooser, a PDF written; then
# Ctrl+P, Print…, and GTK's print dialog: dismissed with Escape once, then
# "Print to File" picked with a click, Alt+P, a PDF. Both PDFs are read
# back with poppler's pdfinfo and pdftotext. Prints TAP.
#
# Usage (meson passes these, see meson.build):
#   test-e2e-sheet.sh APP SCHEMA-DIR LOG-DIR SCREENSHOT-DIR GEN-IMAGES
#
# CS_UPDATE_SCREENSHOTS=1 also copies the dialog's screenshot into
# SCREENSHOT-DIR as export-dialog.png.
#
# SPDX-License-Identifier: GPL-3.0-or-later

# Functions run by trap or by poll look unreachable to shellcheck.
# shellcheck disable=SC2317

set -u

n_images=24
timeout_finished=60
timeout_written=60

if [ $# -ne 5 ]; then
  echo "usage: $0 APP SCHEMA-DIR LOG-DIR SCREENSHOT-DIR GEN-IMAGES" >&2
  exit 2
fi
app=$1 schema_dir=$2 log_dir=$3 screenshot_dir=$4 gen_images=$5
e2e_name=sheet
e2e_tools="pdfinfo pdftotext"
# shellcheck source-path=SCRIPTDIR source=cs-e2e-lib.sh
. "$(dirname "$0")/cs-e2e-lib.sh"
e2e_enter "$0" "$@"

# has_preview N: the last preview since the mark counts N pages.
has_preview () { [ "$(trace_line sheet-preview)" = "$n_images images $1 pages" ]; }

# The names pdftotext finds of the pictures', one per line.
missing_names ()
{
  local text picture name

  text=$(pdftotext -layout "$1" - 2>/dev/null)
  for picture in "$pictures"/*; do
    name=$(basename "$picture")
    grep -qF -- "$name" <<<"$text" || echo "$name"
  done
}

pdf_pages () { pdfinfo "$1" 2>/dev/null | sed -n 's/^Pages: *//p'; }

export GSETTINGS_SCHEMA_DIR=$schema_dir
# GTK's "Print to File" writes output.pdf in the current folder when no
# Documents folder is declared.
print_pdf=$work/output.pdf
mkdir -p "$work/out" || bail "cannot make $work/out"

pictures=$HOME/Holiday
"$gen_images" "$pictures" "$n_images" || bail "cs-gen-images failed"

# 1. The program on the folder; all thumbnails made.

cd "$work" || bail "cannot enter $work"
# Its own temporary folder, to see what printing leaves there.
app_tmp=$work/tmp
mkdir -p "$app_tmp" || bail "cannot make $app_tmp"
start_app '^Holiday$' env TMPDIR="$app_tmp" "$app" "$pictures"
if poll "$timeout_finished" has_trace finished; then
  ok "the folder's $n_images thumbnails are made"
else
  bail "the thumbnails were not made within $timeout_finished s"
fi

# 2. Ctrl+E: the export dialog, its preview: 24 images at 4 × 5 a page.

xdo windowfocus --sync "$window" >/dev/null 2>&1 || bail "cannot focus the main window"
mark_trace
xdo key --clearmodifiers ctrl+e
if poll "$timeout_window" has_visible_window '^Export Contact Sheet$' &&
   poll "$timeout_finished" has_trace sheet-preview; then
  ok "Ctrl+E shows the export dialog and its preview"
else
  bail "no export dialog, or no preview in it"
fi
dialog=$(visible_window '^Export Contact Sheet$')
preview=$(trace_line sheet-preview)
if [ "$preview" = "$n_images images 2 pages" ]; then
  ok "the preview counts $n_images images on 2 pages"
else
  not_ok "the preview counts $n_images images on 2 pages" "traced: '$preview'"
fi

# Cells of some 45 mm at 150 dpi want more than the grid's 128 pixels: the
# cells' thumbnails are a larger flavor's, made in the cache for them all.
flavor=$(trace_line sheet-thumbnails)
n_flavor=$(find "$XDG_CACHE_HOME/thumbnails/$flavor" -maxdepth 1 -name '*.png' 2>/dev/null | wc -l)
if [ -n "$flavor" ] && [ "$flavor" != normal ] && [ "$n_flavor" -eq "$n_images" ]; then
  ok "the sheet's thumbnails are $n_images of the cache's $flavor flavor"
else
  not_ok "the sheet's thumbnails are $n_images of a flavor larger than normal" \
    "traced flavor '$flavor'; $n_flavor thumbnails in $XDG_CACHE_HOME/thumbnails/$flavor"
fi

# The dialog's part of the screen, once the preview is painted.
sleep 1
shot=$log_dir/sheet-export-dialog.png
if shoot_window "$dialog" "$shot"; then
  colours=$(/usr/bin/identify -format '%k' "$shot" 2>/dev/null)
  # The dialog with the thumbnails of its preview has their gradients.
  if [ "${colours:-0}" -ge 2000 ]; then
    ok "the dialog shows the page's thumbnails ($colours colours): $shot"
  else
    not_ok "the dialog shows the page's thumbnails" "$colours colours in $shot"
  fi
  if [ "${CS_UPDATE_SCREENSHOTS:-}" = 1 ]; then
    mkdir -p "$screenshot_dir" && cp "$shot" "$screenshot_dir/export-dialog.png"
  fi
fi

# 3. Two rows a page, typed into the Rows field: the preview follows at
# once, and the dialog, closed with Escape and opened again, remembers.

mark_trace
xdo key --clearmodifiers alt+r
xdo key --clearmodifiers ctrl+a
xdo type --clearmodifiers --delay 20 2
xdo key --clearmodifiers Tab
poll 10 has_preview 3
preview=$(trace_line sheet-preview)
if [ "$preview" = "$n_images images 3 pages" ]; then
  ok "with 2 rows the preview counts 3 pages"
else
  not_ok "with 2 rows the preview counts 3 pages" "traced: '$preview'"
fi

xdo key --clearmodifiers Escape
poll 10 has_no_visible_window '^Export Contact Sheet$' || bail "Escape does not close the export dialog"
xdo windowfocus --sync "$window" >/dev/null 2>&1
mark_trace
xdo key --clearmodifiers ctrl+e
if ! { poll "$timeout_window" has_visible_window '^Export Contact Sheet$' && poll "$timeout_finished" has_trace sheet-preview; }; then
  bail "Ctrl+E does not show the export dialog again"
fi
dialog=$(visible_window '^Export Contact Sheet$')
preview=$(trace_line sheet-preview)
if [ "$preview" = "$n_images images 3 pages" ]; then
  ok "opened again, the dialog has kept its 2 rows"
else
  not_ok "opened again, the dialog has kept its 2 rows" "traced: '$preview'"
fi

# 4. Export…, the file chooser, a file name typed with its folder, Return.

sheet_pdf=$work/out/holiday-sheet.pdf
mark_trace
xdo windowfocus --sync "$dialog" >/dev/null 2>&1
xdo key --clearmodifiers alt+e
poll "$timeout_window" has_visible_window '^Save Contact Sheet$' || bail "Export… shows no file chooser"
chooser=$(visible_window '^Save Contact Sheet$')
xdo windowfocus --sync "$chooser" >/dev/null 2>&1
sleep 0.5
xdo key --clearmodifiers ctrl+a
xdo type --clearmodifiers --delay 20 "$sheet_pdf"
sleep 0.5
"$import" -window root "$log_dir/sheet-chooser.png" 2>/dev/null
xdo key --clearmodifiers Return

if poll "$timeout_written" has_trace sheet-written; then
  ok "the sheet is written"
else
  bail "no sheet written; last lines: $(tail -n 3 "$app_log" | tr '\n' ' ')"
fi
written=$(trace_line sheet-written)
pages=$(pdf_pages "$sheet_pdf")
missing=$(missing_names "$sheet_pdf")
if [ "$written" = "$sheet_pdf" ] && [ "$pages" = 3 ] && [ -z "$missing" ]; then
  ok "the PDF is the one named, of 3 pages, with every picture's name as text"
else
  not_ok "the PDF is the one named, of 3 pages, with every picture's name as text" \
    "written '$written', expected '$sheet_pdf'; pdfinfo says $pages pages" "missing names: $missing"
fi
if poll 10 has_no_visible_window '^Export Contact Sheet$'; then
  "$import" -window root "$log_dir/sheet-exported.png" 2>/dev/null
  ok "the export dialog closes once the sheet is written: $log_dir/sheet-exported.png"
else
  not_ok "the export dialog closes once the sheet is written"
fi

# 5. Ctrl+P: the same options through GTK's print dialog (from
# GtkPrintOperation on GTK 4.8, GtkPrintDialog from 4.14, which without a
# print portal shows the same dialog), whose one printer here is "Print to
# File" (its first row, which a click selects: the keyboard does not reach
# the list), printed with Alt+P. GtkPrintDialog prints a PDF written in a
# temporary folder first: none may be left behind.

xdo windowfocus --sync "$window" >/dev/null 2>&1
mark_trace
xdo key --clearmodifiers ctrl+p
if ! { poll "$timeout_window" has_visible_window '^Print Contact Sheet$' && poll "$timeout_finished" has_trace sheet-preview; }; then
  bail "Ctrl+P shows no print dialog, or no preview in it"
fi
sheet_dialog=$(visible_window '^Print Contact Sheet$')
# Escape in GTK's dialog is a cancel, not an error: the sheet's dialog
# stays for another try.
xdo windowfocus --sync "$sheet_dialog" >/dev/null 2>&1
xdo key --clearmodifiers alt+p
poll "$timeout_window" has_visible_window '^Print$' || bail "Print… shows no print dialog"
xdo windowfocus --sync "$(visible_window '^Print$')" >/dev/null 2>&1
sleep 0.5
xdo key --clearmodifiers Escape
poll "$timeout_window" has_trace sheet-printed
poll 10 has_no_visible_window '^Print$'
printed=$(trace_line sheet-printed)
# GTK_PRINT_OPERATION_RESULT_CANCEL is 2.
if [ "$printed" = 2 ] && has_visible_window '^Print Contact Sheet$'; then
  ok "Escape in the print dialog cancels and keeps the sheet's dialog"
else
  not_ok "Escape in the print dialog cancels and keeps the sheet's dialog" "result '$printed'"
fi
mark_trace
xdo windowfocus --sync "$sheet_dialog" >/dev/null 2>&1
xdo key --clearmodifiers alt+p
poll "$timeout_window" has_visible_window '^Print$' || bail "Print… shows no print dialog the second time"
print_dialog=$(visible_window '^Print$')
xdo windowfocus --sync "$print_dialog" >/dev/null 2>&1
sleep 0.5
xdo mousemove --window "$print_dialog" 85 96 click 1
sleep 1
"$import" -window root "$log_dir/sheet-print-dialog.png" 2>/dev/null
xdo key --clearmodifiers alt+p
xdo mousemove $((screen_w - 1)) $((screen_h - 1)) >/dev/null 2>&1
if poll "$timeout_written" has_trace sheet-printed; then
  printed=$(trace_line sheet-printed)
  print_pages=$(pdf_pages "$print_pdf")
  missing=$(missing_names "$print_pdf")
  # GTK_PRINT_OPERATION_RESULT_APPLY is 1.
  if [ "$printed" = 1 ] && [ "$print_pages" = "$pages" ] && [ -z "$missing" ]; then
    ok "Print… prints the same $pages pages, every picture's name on them"
  else
    not_ok "Print… prints the same $pages pages, every picture's name on them" \
      "result $printed; $print_pages pages in $print_pdf" "missing names: $missing" \
      "the print dialog: $log_dir/sheet-print-dialog.png"
  fi
  left=$(find "$app_tmp" -mindepth 1 -maxdepth 1 -name 'contact-sheet-print-*' 2>/dev/null)
  if [ -z "$left" ]; then
    ok "printing leaves no temporary file"
  else
    not_ok "printing leaves no temporary file" "left: $left"
  fi
else
  "$import" -window root "$log_dir/sheet-print-failure.png" 2>/dev/null
  not_ok "Print… prints the sheet" "no sheet-printed trace; the screen: $log_dir/sheet-print-failure.png" \
    "the print dialog: $log_dir/sheet-print-dialog.png"
fi

# 6. PNG pages: a name typed with .png says the format, whatever the
# dialog's Format row says (PDF); one file a page.

xdo windowfocus --sync "$window" >/dev/null 2>&1
mark_trace
xdo key --clearmodifiers ctrl+e
if ! { poll "$timeout_window" has_visible_window '^Export Contact Sheet$' && poll "$timeout_finished" has_trace sheet-preview; }; then
  bail "Ctrl+E does not show the export dialog a third time"
fi
xdo windowfocus --sync "$(visible_window '^Export Contact Sheet$')" >/dev/null 2>&1
xdo key --clearmodifiers alt+e
if poll "$timeout_window" has_visible_window '^Save Contact Sheet$'; then
  xdo windowfocus --sync "$(visible_window '^Save Contact Sheet$')" >/dev/null 2>&1
  sleep 0.5
  xdo key --clearmodifiers ctrl+a
  xdo type --clearmodifiers --delay 20 "$work/out/holiday.png"
  sleep 0.5
  xdo key --clearmodifiers Return
fi
poll "$timeout_written" has_trace sheet-written
written=$(trace_since_mark | sed -n 's/^contact-sheet-trace: sheet-written //p' | tr '\n' ' ')
expected="$work/out/holiday-1.png $work/out/holiday-2.png $work/out/holiday-3.png "
sizes=$(/usr/bin/identify -format '%m %w %h\n' "$work"/out/holiday-*.png 2>/dev/null | sort -u)
if [ "$written" = "$expected" ] && [ "$(wc -l <<<"$sizes")" = 1 ] && [[ $sizes == PNG\ * ]]; then
  ok "PNG pages: one file a page, all PNG of one size ($sizes)"
else
  "$import" -window root "$log_dir/sheet-png-failure.png" 2>/dev/null
  not_ok "PNG pages: one file a page, all PNG of one size" "written: '$written'" "expected: '$expected'" \
    "identify: $sizes" "the screen: $log_dir/sheet-png-failure.png"
fi

# 7. Cancel while writing: one picture a page makes 24 pages, long enough
# to cancel; the dialog stays, and no page is left behind.

xdo windowfocus --sync "$window" >/dev/null 2>&1
mark_trace
xdo key --clearmodifiers ctrl+e
if ! { poll "$timeout_window" has_visible_window '^Export Contact Sheet$' && poll "$timeout_finished" has_trace sheet-preview; }; then
  bail "Ctrl+E does not show the export dialog a fourth time"
fi
dialog=$(visible_window '^Export Contact Sheet$')
xdo windowfocus --sync "$dialog" >/dev/null 2>&1
for field in alt+l alt+r; do
  xdo key --clearmodifiers "$field" ctrl+a
  xdo type --clearmodifiers --delay 20 1
  xdo key --clearmodifiers Tab
done
poll "$timeout_finished" has_preview "$n_images"
# The thumbnails a page-sized cell wants may be made first.
sleep 2
mark_trace
xdo key --clearmodifiers alt+e
if poll "$timeout_window" has_visible_window '^Save Contact Sheet$'; then
  xdo windowfocus --sync "$(visible_window '^Save Contact Sheet$')" >/dev/null 2>&1
  sleep 0.5
  xdo key --clearmodifiers ctrl+a
  xdo type --clearmodifiers --delay 20 "$work/cancelled/one.png"
  mkdir -p "$work/cancelled"
  sleep 0.5
  xdo key --clearmodifiers Return
  poll 10 has_no_visible_window '^Save Contact Sheet$'
  xdo windowfocus --sync "$dialog" >/dev/null 2>&1
  xdo key --clearmodifiers alt+c
fi
poll "$timeout_written" has_trace 'sheet-\(failed\|written\)'
failed=$(trace_line sheet-failed)
left=$(find "$work/cancelled" -type f 2>/dev/null | wc -l)
if [ -n "$failed" ] && ! has_trace sheet-written && [ "$left" -eq 0 ] &&
   has_visible_window '^Export Contact Sheet$'; then
  ok "Cancel stops the writing, leaves no file, keeps the dialog: \"$failed\""
else
  "$import" -window root "$log_dir/sheet-cancel-failure.png" 2>/dev/null
  not_ok "Cancel stops the writing, leaves no file, keeps the dialog" "failed: '$failed'" \
    "written: '$(trace_line sheet-written)'" "$left files in $work/cancelled" \
    "the screen: $log_dir/sheet-cancel-failure.png"
fi

xdo windowfocus --sync "$dialog" >/dev/null 2>&1
xdo key --clearmodifiers Escape
poll 10 has_no_visible_window '^Export Contact Sheet$' || not_ok "Escape closes the export dialog after a cancel"

# 8. Ctrl+Q; nothing GTK or GLib complains of.

quit_app
check_no_complaints
e2e_finish
