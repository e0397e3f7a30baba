#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: unit, data, the
# window under Xvfb (display) and the real program driven as a person would
# (e2e); then the unit tests again under AddressSanitizer, LeakSanitizer
# and UBSan.
set -euo pipefail
EXTRA_PACKAGES=(xvfb xauth dbus dbus-bin dbus-x11 libgtk-4-bin xdotool imagemagick gdk-pixbuf-tests)
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

log "Tests"
xvfb-run -a -s "-screen 0 1280x800x24" \
  dbus-run-session -- meson test -C "$BUILD_DIR" --print-errorlogs --num-processes 2

ASAN_DIR=$SOURCE_DIR/build-asan
configure_and_build "$ASAN_DIR" -Dgui=false -Db_sanitize=address,undefined -Db_lundef=false
log "Tests under AddressSanitizer/LeakSanitizer/UBSan"
meson test -C "$ASAN_DIR" --setup=asan --suite unit --print-errorlogs --num-processes 2
