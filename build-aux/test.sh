#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: unit, data, the
# window under Xvfb (display), the real program driven as a person would
# (e2e) and contact sheets read back with poppler's tools (sheet); then the sanitizer and fuzzing runs of build-aux/sanitize.sh
# (AddressSanitizer/LeakSanitizer/UBSan with the 1,000-cancel stress test,
# ThreadSanitizer, and a bounded libFuzzer run). On Debian 12 it then does
# all of it again on the GNOME 51 stack, in a Debian forky root
# (build-aux/modern-stack.sh); CS_MODERN_STACK=no skips that, =yes asks for it
# on any Debian machine.
set -euo pipefail
# poppler-utils reads contact sheets back (pdfinfo, pdftotext, pdfimages,
# pdftoppm); a CJK font lets their captions be drawn and found as text.
# exiftool writes the EXIF orientation the preview tests turn upright.
# heif-enc and cjxl make the HEIC, AVIF and JPEG XL files of test-sniff; on
# newer stacks libheif's HEVC and AV1 encoders are plugins of their own.
# gst-launch-1.0 and x264enc make test-video's clips.
# libraw-bin (raw-identify, simple_dcraw) reads the test DNGs back.
EXTRA_PACKAGES=(xvfb xauth dbus dbus-bin dbus-x11 at-spi2-core libgtk-4-bin xdotool imagemagick gdk-pixbuf-tests locales-all
                clang libclang-rt-dev poppler-utils fonts-wqy-microhei libimage-exiftool-perl
                libheif-examples libjxl-tools '?libheif-plugin-x265' '?libheif-plugin-aomenc'
                gstreamer1.0-tools gstreamer1.0-plugins-ugly libraw-bin)
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

# The stress suite runs under AddressSanitizer below, where leaks show. The
# flatpak test makes its own GNOME 51 runtime: the machine's leg runs it.
skip=(--no-suite stress)
[ "${CS_MODERN_STACK:-}" = inside ] && skip+=(--no-suite flatpak)

modern_leg() {
  case ${CS_MODERN_STACK:-auto} in
    yes) return 0 ;;
    auto) ( . /etc/os-release && [ "${ID:-}" = debian ] && [ "${VERSION_CODENAME:-}" = bookworm ] ) ;;
    *) return 1 ;;
  esac
}

log "Tests ($(pkg-config --modversion gtk4 2>/dev/null | sed 's/^/GTK /'))"
xvfb-run -a -s "-screen 0 1280x800x24" \
  dbus-run-session -- meson test -C "$BUILD_DIR" --print-errorlogs --num-processes 2 "${skip[@]}"

"$SOURCE_DIR/build-aux/sanitize.sh"

if modern_leg; then
  log "The same on the GNOME 51 stack (Debian forky)"
  "$SOURCE_DIR/build-aux/modern-stack.sh" ./build-aux/test.sh
fi
