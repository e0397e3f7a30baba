#!/usr/bin/env bash
# Installs what is missing (Debian 12 / Ubuntu), then configures and builds.
# Sourced by run.sh and test.sh; BUILD_DIR and PACKAGES may be extended first.
set -euo pipefail

SOURCE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$SOURCE_DIR/build}

# What building and running need; the image loaders people expect (WebP,
# HEIC/AVIF, SVG) come along so those files get thumbnails too. Names with a
# leading '?' are installed where the distribution has them: glycin, which
# current GNOME stacks (Debian 13+/forky, Ubuntu 25.04+) decode through.
BUILD_PACKAGES=(
  gcc meson ninja-build pkg-config gettext
  libglib2.0-dev libglib2.0-bin libgdk-pixbuf-2.0-dev libgtk-4-dev libadwaita-1-dev
  libjpeg-dev libpng-dev libwebp-dev libraw-dev
  libcairo2-dev libpango1.0-dev
  shared-mime-info desktop-file-utils appstream
  webp-pixbuf-loader heif-gdk-pixbuf librsvg2-common
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-libav
  '?libglycin-2-dev' '?glycin-loaders' '?bubblewrap'
)
PACKAGES=("${BUILD_PACKAGES[@]}" "${EXTRA_PACKAGES[@]:-}")

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

is_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

# Whether apt can install NAME here (after 'apt-get update').
is_available() {
  [ -n "$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ && $2 != "(none)" { print $2 }')" ]
}

install_missing() {
  local missing=() optional=() pkg name
  for pkg in "${PACKAGES[@]}"; do
    [ -n "$pkg" ] || continue
    name=${pkg#\?}
    is_installed "$name" && continue
    if [ "$name" != "$pkg" ]; then optional+=("$name"); else missing+=("$name"); fi
  done
  [ ${#missing[@]} -eq 0 ] && [ ${#optional[@]} -eq 0 ] && return 0

  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "Need root or sudo to install: ${missing[*]} ${optional[*]}" >&2; exit 1; }
    sudo=(sudo)
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  for name in "${optional[@]}"; do
    is_available "$name" && missing+=("$name")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "Installing ${missing[*]}"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

configure_and_build() {
  local dir=$1; shift
  if [ ! -f "$dir/build.ninja" ]; then
    log "Configuring $dir"
    meson setup "$dir" "$SOURCE_DIR" -Dwerror=true "$@"
  fi
  log "Building $dir"
  ninja -C "$dir"
}

install_missing
configure_and_build "$BUILD_DIR"
