#!/usr/bin/env bash
# The Contact Sheet benchmark, in one command (see bench/README.md):
# installs what is missing (apt-get, through sudo when not root), builds,
# makes or reuses the corpus, runs every contender side by side and prints
# the table (also written to bench/results.md and bench/results.json).
#
#   bench/run.sh              # the full run (about 15 minutes on 2 cores)
#   bench/run.sh --quick      # one repetition, no 100,000-file runs
#   bench/run.sh --help       # every option
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# What the harness needs besides what building needs: the contenders, the
# tools that make the corpus, the wallpaper packages it is made from, and a
# virtual display for the window. (Runs are timed by bench/cs-time.c, which
# bench.py compiles with the build's C compiler.) glycin's thumbnailer, which
# GNOME Files runs where glycin decodes, is a peer where the stack has it.
# On the GNOME 51 stack: build-aux/modern-stack.sh bench/run.sh [OPTIONS].
EXTRA_PACKAGES=(
  python3 xvfb xauth dbus xdotool
  libgdk-pixbuf2.0-bin webp-pixbuf-loader '?glycin-thumbnailers'
  libvips-tools imagemagick libjpeg-turbo-progs libimage-exiftool-perl poppler-utils
  mate-backgrounds plasma-workspace-wallpapers ukui-wallpapers
  lomiri-wallpapers-20.04 gnome-backgrounds
)

# Installs the missing packages (build ones included), configures and builds.
source "$BENCH_DIR/../build-aux/setup.sh"

PYTHON=/usr/bin/python3
[ -x "$PYTHON" ] || PYTHON=python3
exec "$PYTHON" "$BENCH_DIR/bench.py" --build-dir "$BUILD_DIR" "$@"
