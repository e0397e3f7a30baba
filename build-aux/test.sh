#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: the normal build,
# then the same tests under AddressSanitizer, LeakSanitizer and UBSan.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

log "Tests"
meson test -C "$BUILD_DIR" --print-errorlogs --num-processes 2

ASAN_DIR=$SOURCE_DIR/build-asan
configure_and_build "$ASAN_DIR" -Db_sanitize=address,undefined -Db_lundef=false
log "Tests under AddressSanitizer/LeakSanitizer/UBSan"
meson test -C "$ASAN_DIR" --setup=asan --suite unit --print-errorlogs --num-processes 2
