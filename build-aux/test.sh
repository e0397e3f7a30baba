#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: unit, data, the
# window under Xvfb (display) and the real program driven as a person would
# (e2e); then the sanitizer and fuzzing runs of build-aux/sanitize.sh
# (AddressSanitizer/LeakSanitizer/UBSan with the 1,000-cancel stress test,
# ThreadSanitizer, and a bounded libFuzzer run).
set -euo pipefail
EXTRA_PACKAGES=(xvfb xauth dbus dbus-bin dbus-x11 libgtk-4-bin xdotool imagemagick gdk-pixbuf-tests
                clang-14 libclang-rt-14-dev)
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

log "Tests"
# The stress suite runs under AddressSanitizer below, where leaks show.
xvfb-run -a -s "-screen 0 1280x800x24" \
  dbus-run-session -- meson test -C "$BUILD_DIR" --print-errorlogs --num-processes 2 --no-suite stress

exec "$SOURCE_DIR/build-aux/sanitize.sh"
