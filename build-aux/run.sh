#!/usr/bin/env bash
# Installs what is missing, builds, and opens the window on a folder of
# generated sample pictures (or on the folder given).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

if [ $# -gt 0 ]; then
  folder=$1
else
  folder=$BUILD_DIR/samples
  "$BUILD_DIR/tests/cs-gen-images" "$folder" 24
  # A camera's RAW file among them, where LibRaw was found.
  if [ -x "$BUILD_DIR/tests/cs-gen-raw" ]; then
    "$BUILD_DIR/tests/cs-gen-raw" "$folder/IMG_1001.dng" 3000 2000 1 1500 0
  fi
fi

# Run from the build tree: its schema, decoder helper and translations.
source "$(dirname "${BASH_SOURCE[0]}")/build-tree-env.sh"

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  log "No display: making the thumbnails with contact-sheet-cli instead"
  exec "$BUILD_DIR/src/cli/contact-sheet-cli" "$folder"
fi

log "contact-sheet $folder"
exec "$BUILD_DIR/src/app/contact-sheet" "$folder"
