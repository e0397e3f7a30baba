#!/usr/bin/env bash
# Installs what is missing, builds, and makes thumbnails of a folder of
# generated sample pictures (or of the folder given).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

if [ $# -gt 0 ]; then
  folder=$1
else
  folder=$BUILD_DIR/samples
  "$BUILD_DIR/tests/cs-gen-images" "$folder" 24
fi

log "contact-sheet-cli $folder"
exec "$BUILD_DIR/src/cli/contact-sheet-cli" "$folder"
