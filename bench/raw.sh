#!/usr/bin/env bash
# RAW thumbnails side by side: contact-sheet-cli on DNGs like a camera's
# (a 6000x4000 sensor, a 1620x1080 JPEG preview and a 160x107 one) against
# LibRaw's own tools: simple_dcraw -e extracting the preview and our JPEG
# path thumbnailing it, and dcraw_emu -h decoding the sensor data at half
# size; and contact-sheet-cli on the same DNGs without previews (its
# half-size fallback). Every contender runs 2 jobs at once; wall time and
# peak RSS by bench/cs-time.c, medians of REPS repetitions.
#
#   bench/raw.sh [BUILD-DIR] [REPS]     (default: build, 3)
#
# Needs libraw-bin (simple_dcraw, dcraw_emu) and a build with -Draw
# (tests/cs-gen-raw writes the DNGs). Writes bench/results-raw.md, or
# bench/results-raw-forky.md on a stack with glycin.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=$(realpath "${1:-$BENCH_DIR/../build}")
reps=${2:-3}
n_files=20

cli=$build/src/cli/contact-sheet-cli
gen=$build/tests/cs-gen-raw
for tool in "$cli" "$gen" "$(command -v simple_dcraw)" "$(command -v dcraw_emu)"; do
  [ -x "$tool" ] || { echo "raw.sh: missing ${tool:-simple_dcraw or dcraw_emu (libraw-bin)}" >&2; exit 1; }
done
export CONTACT_SHEET_DECODER=$build/src/decoder/contact-sheet-decoder

work=$(mktemp -d "${TMPDIR:-/tmp}/cs-bench-raw-XXXXXX")
trap 'rm -rf "$work"' EXIT
timer=$work/cs-time
cc -O2 -static -o "$timer" "$BENCH_DIR/cs-time.c" 2>/dev/null || cc -O2 -o "$timer" "$BENCH_DIR/cs-time.c"

mkdir -p "$work/preview" "$work/sensor"
for i in $(seq -w 1 "$n_files"); do
  "$gen" "$work/preview/IMG_$i.dng" 6000 4000 $(( 10#$i % 3 == 0 ? 6 : 1 )) 1620 160
  "$gen" "$work/sensor/IMG_$i.dng" 6000 4000 $(( 10#$i % 3 == 0 ? 6 : 1 )) 0 0
done
mb=$(du -sm "$work/preview" | cut -f1)

# measure COMMAND...: REPS timed runs, each into an empty out/; prints
# "wall_s rss_kib" medians.
measure () {
  local out=$work/time walls=() rsses=() wall user sys rss
  for _ in $(seq "$reps"); do
    rm -rf "$work/out"
    mkdir -p "$work/out"
    sync
    "$timer" "$out" "$@" >/dev/null 2>"$work/stderr" || { cat "$work/stderr" >&2; exit 1; }
    read -r wall user sys rss <"$out"
    walls+=("$wall") rsses+=("$rss")
  done
  printf '%s\n' "${walls[@]}" | sort -g | awk '{ a[NR] = $1 } END { printf "%s ", a[int((NR + 1) / 2)] }'
  printf '%s\n' "${rsses[@]}" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}

# The extracting contenders, as one command each for cs-time.
cat >"$work/extract.sh" <<EOF
#!/bin/sh
rm -rf "$work/extracted" && mkdir "$work/extracted"
for f in "$work"/preview/*.dng; do ln "\$f" "$work/extracted/"; done
ls "$work"/extracted/*.dng | xargs -P 2 -n 1 simple_dcraw -e
rm "$work"/extracted/*.dng
# The CLI never thumbnails a *.thumb.* file: name them as a camera would.
for f in "$work"/extracted/*.thumb.jpg; do mv "\$f" "\${f%.dng.thumb.jpg}.jpg"; done
EOF
cat >"$work/half.sh" <<EOF
#!/bin/sh
rm -rf "$work/ppm" && mkdir "$work/ppm"
for f in "$work"/preview/*.dng; do ln "\$f" "$work/ppm/"; done
ls "$work"/ppm/*.dng | xargs -P 2 -n 1 dcraw_emu -h
EOF
chmod +x "$work/extract.sh" "$work/half.sh"

rows=()
row () {   # LABEL WALL RSS_KIB
  rows+=("$(awk -v l="$1" -v w="$2" -v r="$3" -v n="$n_files" \
    'BEGIN { printf "| %s | %.2f | %.0f | %.0f |", l, w, w * 1000 / n, r / 1024 }')")
}

read -r w r < <(measure "$cli" -q -j 2 -o "$work/out" "$work/preview")
row "contact-sheet-cli: embedded preview (LibRaw → libjpeg-turbo, DCT-scaled)" "$w" "$r"

read -r we re < <(measure "$work/extract.sh")
# The extracted previews stay for the second stage.
"$work/extract.sh"
read -r wj rj < <(measure "$cli" -q -j 2 -o "$work/out" "$work/extracted")
n_out=$(find "$work/out" -type f | wc -l)
[ "$n_out" -eq "$n_files" ] || { echo "raw.sh: $n_out thumbnails of the extracted JPEGs, not $n_files" >&2; exit 1; }
row "simple_dcraw -e (preview to a file)" "$we" "$re"
row "… then contact-sheet-cli on the extracted JPEGs" "$wj" "$rj"
row "simple_dcraw -e + contact-sheet-cli, together" "$(awk -v a="$we" -v b="$wj" 'BEGIN { print a + b }')" \
  "$(( re > rj ? re : rj ))"

read -r w r < <(measure "$work/half.sh")
row "dcraw_emu -h (half-size demosaic to PPM, no thumbnail)" "$w" "$r"

read -r w r < <(measure "$cli" -q -j 2 -o "$work/out" "$work/sensor")
row "contact-sheet-cli: no preview (LibRaw half-size fallback)" "$w" "$r"

if pkg-config --exists glycin-2 2>/dev/null; then
  results=$BENCH_DIR/results-raw-forky.md
else
  results=$BENCH_DIR/results-raw.md
fi
{
  echo "## RAW thumbnails: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "Machine: $(nproc) cores, $(. /etc/os-release; echo "$PRETTY_NAME"), LibRaw $(pkg-config --modversion libraw_r)," \
    "Contact Sheet $(git -C "$BENCH_DIR" rev-parse --short HEAD 2>/dev/null || echo '?');" \
    "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "$n_files DNGs from tests/cs-gen-raw ($mb MB): a 6000×4000 16-bit CFA, a 1620×1080 JPEG preview" \
    "and a 160×107 one, a third of them with orientation 6. 128 px thumbnails; every contender" \
    "runs 2 jobs at once; medians of $reps repetitions; peak RSS of the largest process."
  echo
  echo "| contender | wall s | ms per file | peak RSS MiB |"
  echo "|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
} >"$results"
cat "$results"
