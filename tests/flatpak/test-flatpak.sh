#!/usr/bin/env bash
# test-flatpak.sh: Contact Sheet built, installed and run as a real flatpak, offline
#
# The GNOME runtime cannot be downloaded here, so the test makes a stand-in
# Platform and Sdk from Debian forky packages (debootstrap): GTK 4.24,
# libadwaita 1.10, GLib 2.90, gdk-pixbuf 2.44 and glycin 2.2, what
# org.gnome.Platform 51 has. It caches them and the flatpak installation
# outside the build tree, builds the shipped manifest with only runtime, sdk
# and runtime-version swapped (and LibRaw taken from Debian's packages rather
# than built from its release), installs the app from a local OSTree
# repository like a user would and runs it in the sandbox under Xvfb on a
# folder of generated pictures, with flatpak's portal on the session bus.
# It then checks the trace line, a screenshot, that the thumbnails landed in
# the host's shared thumbnail cache (not the app's private one) and show the
# pictures, and that glycin decoded GIF, TIFF and SVG in loaders the portal
# started in sandboxes of their own (flatpak-spawn --sandbox).
#
# Usage (meson passes these, see meson.build):
#   test-flatpak.sh SOURCE-ROOT BUILD-ROOT GEN-IMAGES CHECK-THUMBNAILS PYTHON
#
# Environment:
#   CS_FLATPAK_CACHE  where the runtime, its OSTree repository and the flatpak
#                     installation are kept between runs (default
#                     ${XDG_CACHE_HOME:-$HOME/.cache}/contact-sheet-flatpak-runtime)
#   CS_DEBIAN_MIRROR  Debian mirror for debootstrap (default: the host's apt source)
#
# Exits 77 (meson: skipped) only when it cannot run here: no cached runtime and
# either no Debian mirror or no root to build one, host tools missing and not
# installable, or no user namespaces for bubblewrap. Any other problem fails.
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -euo pipefail

app_id=io.github.contactsheet.ContactSheet
# The Debian release the runtime is made of: forky (testing) has what
# org.gnome.Platform 51 has: GTK 4.24, libadwaita 1.10, GLib 2.90 and
# gdk-pixbuf 2.44 decoding through glycin 2.2.
branch=forky
n_images=24
# Beside cs-gen-images' JPEG and PNG photos, one picture per format below,
# all four flat colours in a 4:3 frame (check-thumbnails.py --quadrants).
# GIF, TIFF and SVG are decoded by glycin, in its own sandbox: in a flatpak
# each loader runs in a new sandbox made by flatpak-spawn --sandbox.
quadrant_formats=(gif tiff svg webp)
quadrant_colours='#e01b24,#2ec27e,#1c71d8,#f6d32d'
quadrant_w=640
quadrant_h=480
n_total=$((n_images + ${#quadrant_formats[@]}))
screen_w=1280
screen_h=800

# Seconds; generous, for a busy two-core machine.
timeout_finished=120
timeout_exit=15

# The window, cropped out of the screenshot. Measured with Debian's GTK 4.8 at
# 1000x720: the empty state ("No Images") has a standard deviation of 0.07
# and 207 colours, the grid of 24 thumbnails 0.33 and about 24,000; with
# forky's GTK 4.24 the grid of 28 has 0.33 and about 19,400.
min_stddev=0.15
min_colours=2000

# ImageMagick by absolute path: another `convert` may come first in PATH.
import=/usr/bin/import
identify=/usr/bin/identify
convert=/usr/bin/convert

# D-Bus service file of flatpak's portal (org.freedesktop.portal.Flatpak),
# which runs `flatpak-spawn --sandbox` for the app: glycin needs it.
portal_service=/usr/share/dbus-1/services/org.freedesktop.portal.Flatpak.service

# Session part: runs inside dbus-run-session. Starts flatpak's portal on this
# session bus, logging every spawn to $CS_PORTAL_LOG, runs "$@" and stops the
# portal again. The portal is started here, not left to D-Bus activation, so
# that its log shows what the sandboxed app asked it to run.
if [ "${1:-}" = --session ]; then
  shift
  portal=$(sed -n 's/^Exec=\([^ ]*\).*/\1/p' "$portal_service" | head -n 1)
  "$portal" --verbose --replace --no-idle-exit >"$CS_PORTAL_LOG" 2>&1 &
  portal_pid=$!
  if ! timeout 20 gdbus wait --session org.freedesktop.portal.Flatpak; then
    echo "flatpak-test: FAIL: $portal did not take org.freedesktop.portal.Flatpak in 20 s" >&2
    kill "$portal_pid" 2>/dev/null || true
    exit 1
  fi
  "$@" && status=0 || status=$?
  kill "$portal_pid" 2>/dev/null || true
  wait "$portal_pid" 2>/dev/null || true
  exit "$status"
fi

# Inner part: runs inside xvfb-run + dbus-run-session + the session part.
if [ "${1:-}" = --inner ]; then
  # shellcheck disable=SC2154  # exported by the outer part
  inner_main () {
    local log=$work/logs/app.log pid status='' window='' deadline
    exec 3>&"${CS_FLATPAK_PROGRESS_FD:-1}"

    say () { echo "flatpak-test: $*" >&3; }

    # The pointer in a corner, not over a cell: no tooltip in the picture.
    timeout 10 xdotool mousemove "$((screen_w - 1))" "$((screen_h - 1))" || true

    flatpak run --filesystem="$images" --env=CONTACT_SHEET_TRACE=1 --env=LC_ALL=C.UTF-8 \
      "$app_id" "$images" >"$log" 2>&1 &
    pid=$!
    say "started flatpak run (pid $pid), waiting up to ${timeout_finished} s for the trace"

    deadline=$((SECONDS + timeout_finished))
    until grep -q '^contact-sheet-trace: finished ' "$log"; do
      if ! kill -0 "$pid" 2>/dev/null; then
        wait "$pid" && status=0 || status=$?
        say "FAIL: the app exited (status $status) before its trace said finished"
        sed 's/^/  app: /' "$log" | tail -n 30 >&3
        return 1
      fi
      if [ "$SECONDS" -ge "$deadline" ]; then
        "$import" -window root "$shot" 2>/dev/null || true
        say "FAIL: no 'contact-sheet-trace: finished' line after ${timeout_finished} s (screen: $shot)"
        sed 's/^/  app: /' "$log" | tail -n 30 >&3
        kill "$pid" 2>/dev/null || true
        return 1
      fi
      sleep 0.2
    done
    say "trace: $(grep -m1 '^contact-sheet-trace: finished ' "$log")"

    window=$(timeout 10 xdotool search --onlyvisible --name '.' 2>/dev/null | head -n 1 || true)
    if [ -z "$window" ]; then
      say "FAIL: the app has no visible window"
      kill "$pid" 2>/dev/null || true
      return 1
    fi
    timeout 10 xdotool search --onlyvisible --name '.' >"$work/logs/windows.txt" 2>&1 || true
    if ! timeout 10 xdotool getwindowgeometry --shell "$window" >"$work/logs/window.txt"; then
      say "FAIL: xdotool cannot read the geometry of window $window"
      kill "$pid" 2>/dev/null || true
      return 1
    fi
    timeout 10 xdotool getwindowname "$window" >>"$work/logs/window.txt" || true

    # The last thumbnails may still be on their way to the screen: take the
    # picture once two grabs in a row agree (at most 5 s of trying).
    local a=$work/logs/grab-a.png b=$work/logs/grab-b.png
    "$import" -window root "$a"
    deadline=$((SECONDS + 5))
    while :; do
      sleep 0.5
      "$import" -window root "$b"
      if cmp -s "$a" "$b" || [ "$SECONDS" -ge "$deadline" ]; then
        break
      fi
      mv "$b" "$a"
    done
    mv "$b" "$shot"
    rm -f "$a"
    say "screenshot: $shot"

    timeout 10 xdotool windowfocus --sync "$window" >/dev/null 2>&1 || true
    timeout 10 xdotool key --clearmodifiers ctrl+q
    deadline=$((SECONDS + timeout_exit))
    while kill -0 "$pid" 2>/dev/null; do
      if [ "$SECONDS" -ge "$deadline" ]; then
        say "FAIL: still running ${timeout_exit} s after Ctrl+Q"
        kill "$pid" 2>/dev/null || true
        wait "$pid" || true
        return 1
      fi
      sleep 0.2
    done
    wait "$pid" && status=0 || status=$?
    echo "$status" >"$work/logs/app-status.txt"
    say "Ctrl+Q: flatpak run exited with status $status"
  }
  inner_main
  exit
fi

if [ $# -ne 5 ]; then
  echo "usage: $0 SOURCE-ROOT BUILD-ROOT GEN-IMAGES CHECK-THUMBNAILS PYTHON" >&2
  exit 2
fi
src_root=$(realpath "$1")
build_root=$(realpath "$2")
gen_images=$3
check_thumbnails=$4
python=$5

manifest_name=$app_id.json
shipped_manifest=$src_root/flatpak/$manifest_name
work=$build_root/tests/flatpak
images=$work/images
shot=$work/screenshot.png

t_start=$SECONDS
step_start=$SECONDS
say () { echo "flatpak-test: $*"; }
step () {
  say "[$((SECONDS - t_start)) s] $*"
  step_start=$SECONDS
}
done_step () { say "  done in $((SECONDS - step_start)) s${1:+: $1}"; }
skip () { say "SKIP: $*"; exit 77; }
fail () {
  say "FAIL: $1"
  if [ -n "${2:-}" ] && [ -f "$2" ]; then
    say "last lines of $2:"
    tail -n "${3:-40}" "$2" | sed 's/^/  | /'
  fi
  exit 1
}

mkdir -p "$work/logs"

# --- 1. Host tools ---------------------------------------------------------

mirror=${CS_DEBIAN_MIRROR:-}
if [ -z "$mirror" ]; then
  mirror=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
fi
if [ -z "$mirror" ]; then
  mirror=$(awk '$1 == "deb" && $2 !~ /security/ { print $2; exit }' \
             /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true)
fi
mirror=${mirror:-http://deb.debian.org/debian}

mirror_reachable () {
  local url=${mirror%/}/dists/$branch/Release
  if command -v curl >/dev/null; then
    curl -fsS --max-time 20 -o /dev/null "$url" 2>/dev/null
  elif command -v wget >/dev/null; then
    wget -q -T 20 -t 1 -O /dev/null "$url"
  else
    "$python" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=20).read(1)' \
      "$url" 2>/dev/null
  fi
}

step "checking host tools"
declare -A tool_package=(
  [flatpak]=flatpak [flatpak-builder]=flatpak-builder [debootstrap]=debootstrap
  [ostree]=ostree [xvfb-run]=xvfb [xauth]=xauth [dbus-run-session]=dbus
  [$import]=imagemagick [$identify]=imagemagick [$convert]=imagemagick [xdotool]=xdotool [bwrap]=bubblewrap
  [flock]=util-linux [chroot]=coreutils [gdbus]=libglib2.0-bin
  # flatpak-builder splits off debug information on the host
  [eu-strip]=elfutils [debugedit]=debugedit
)
missing=()
for tool in "${!tool_package[@]}"; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("${tool_package[$tool]}")
done
if [ ${#missing[@]} -gt 0 ]; then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  say "installing with apt: ${missing[*]}"
  [ "$(id -u)" -eq 0 ] || skip "missing ${missing[*]} and not root to install them"
  apt_log=$work/logs/apt-host.log
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" \
         >"$apt_log" 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get update >>"$apt_log" 2>&1 || true
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" \
           >>"$apt_log" 2>&1; then
      mirror_reachable || skip "missing ${missing[*]} and no Debian mirror to install them from"
      fail "apt-get install ${missing[*]} failed" "$apt_log"
    fi
  fi
fi
done_step "$(flatpak --version), flatpak-builder $(flatpak-builder --version | awk '{print $2}')"

[ -f "$portal_service" ] ||
  fail "no $portal_service: this flatpak has no portal to run flatpak-spawn --sandbox"

# bubblewrap needs user or setuid namespaces; a container that forbids them
# cannot run any flatpak.
bwrap --unshare-all --dev-bind / / true 2>"$work/logs/bwrap-probe.log" ||
  skip "bubblewrap cannot make a sandbox here: $(head -n 1 "$work/logs/bwrap-probe.log")"

# --- 2. The runtime and Sdk, cached -----------------------------------------

arch=$(flatpak --default-arch)
platform_id=io.github.contactsheet.test.Platform
sdk_id=io.github.contactsheet.test.Sdk

platform_packages=(
  libgtk-4-1 libgtk-4-bin libadwaita-1-0 libglib2.0-0t64 libglib2.0-bin
  libgdk-pixbuf-2.0-0 libgdk-pixbuf2.0-bin libwebp7
  # LibRaw, which the manifest builds from its release (see the derived
  # manifest below): Debian's build of it.
  libraw25
  # GStreamer, its base and good plugins and libav, as the GNOME runtime
  # has them, for videos.
  libgstreamer1.0-0 gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-libav
  # glycin and its loaders; inside a flatpak glycin starts each loader with
  # `flatpak-spawn --sandbox ... prlimit --as=LIMIT LOADER` (util-linux has
  # prlimit), as in the GNOME runtime.
  libglycin-2-0 glycin-loaders flatpak-xdg-utils util-linux
  shared-mime-info fontconfig fonts-cantarell fonts-dejavu-core gsettings-desktop-schemas
  hicolor-icon-theme adwaita-icon-theme
  # dconf-service needs a session bus provider; debootstrap does not pick
  # one of the alternatives by itself.
  dbus-x11
)
sdk_packages=(
  libgtk-4-dev libadwaita-1-dev libglib2.0-dev libgdk-pixbuf-2.0-dev libglycin-2-dev
  libjpeg-dev libpng-dev libwebp-dev libraw-dev
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev
  # LibRaw is C++: linking it takes libstdc++, as in the GNOME Sdk.
  meson ninja-build gcc g++ libc6-dev binutils pkg-config gettext
  desktop-file-utils appstream libglib2.0-bin
  # glib-compile-resources' xml-stripblanks, as in the GNOME Sdk
  libxml2-utils
)

# Mounts we made, undone however the script ends.
mounted=()
cleanup () {
  local m
  for m in "${mounted[@]}"; do
    mountpoint -q "$m" && umount "$m"
  done
  return 0
}
trap cleanup EXIT

# umount_below DIR: nothing may stay mounted under a tree we delete.
umount_below () {
  local m
  awk -v d="$1/" 'index($2 "/", d) == 1 { print $2 }' /proc/self/mounts | sort -r |
    while read -r m; do umount "$m"; done
}

debootstrap_platform () {   # ROOT
  # Debian 12's debootstrap has no script for forky: testing bootstraps as sid.
  debootstrap --variant=minbase --include="$(IFS=,; echo "${platform_packages[*]}")" \
    "$branch" "$1" "$mirror" /usr/share/debootstrap/scripts/sid || return 1
  # The mirror may be a snapshot whose Release file's Valid-Until has passed.
  echo 'Acquire::Check-Valid-Until "false";' >"$1/etc/apt/apt.conf.d/99snapshot"
}

add_sdk_packages () {       # ROOT
  local root=$1
  # Called in an || list, where errexit does not apply: check each step.
  cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
  mount -t proc proc "$root/proc" || return 1
  mounted+=("$root/proc")
  chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${sdk_packages[@]}" || return 1
  chroot "$root" apt-get clean || return 1
  umount "$root/proc"
}

make_runtime () {           # ROOT NAME OUTDIR
  local root=$1 name=$2 out=$3
  mkdir -p "$out"
  # Same file system: hard links, no copy. /usr becomes files/, /etc files/etc.
  cp -al "$root/usr" "$out/files"
  cp -a "$root/etc" "$out/files/etc"
  rm -f "$out/files/etc/"{shadow,shadow-,gshadow,gshadow-,passwd-,group-,resolv.conf,hostname,machine-id}
  rm -rf "$out/files/share/doc" "$out/files/share/man" "$out/files/share/info"
  # In the sandbox /var/cache is the app's cache folder, which is also
  # $XDG_CACHE_HOME: fontconfig would load the same cache twice and abort
  # in FcFini. Keep only the XDG cache folder.
  sed -i '\|<cachedir>/var/cache/fontconfig</cachedir>|d' "$out/files/etc/fonts/fonts.conf"
  # Debian's glycin-loaders depends on bubblewrap, which cannot work inside
  # a sandbox; the GNOME runtime has none, and glycin must not need it there.
  rm -f "$out/files/bin/bwrap"
  # glycin runs `flatpak-spawn` from PATH, where the GNOME runtime has it;
  # Debian keeps it in flatpak-xdg-utils' own folder.
  ln -s ../libexec/flatpak-xdg-utils/flatpak-spawn "$out/files/bin/flatpak-spawn"
  cat >"$out/metadata" <<EOF
[Runtime]
name=$name
runtime=$platform_id/$arch/$branch
sdk=$sdk_id/$arch/$branch
EOF
}

# The cache key covers everything that shapes the runtime: the package lists,
# the Debian release, the architecture and the code that builds it.
cache_root=${CS_FLATPAK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/contact-sheet-flatpak-runtime}
key=$(
  {
    echo "$branch $arch $platform_id $sdk_id"
    echo "${platform_packages[*]}"
    echo "${sdk_packages[*]}"
    declare -f debootstrap_platform add_sdk_packages make_runtime
  } | sha256sum | cut -c1-16
)
cache=$cache_root/$key
runtime_repo=$cache/repo
export FLATPAK_USER_DIR=$cache/flatpak

mkdir -p "$cache_root"
exec 9>"$cache_root/lock"
step "waiting for the cache lock ($cache_root/lock)"
flock -w 1500 9 || fail "another run held $cache_root/lock for 25 minutes"
done_step

runtime_installed () {
  flatpak --user info "$platform_id//$branch" >/dev/null 2>&1 &&
    flatpak --user info "$sdk_id//$branch" >/dev/null 2>&1
}

install_runtime () {
  flatpak --user remote-add --if-not-exists --no-gpg-verify cs-test-runtime "file://$runtime_repo" &&
    flatpak --user install -y --noninteractive --or-update cs-test-runtime \
      "$platform_id//$branch" "$sdk_id//$branch"
}

if [ -f "$cache/ready" ] && runtime_installed; then
  say "runtime cached: $cache ($(du -sh "$cache" | cut -f1))"
elif [ -f "$cache/ready" ] && [ -d "$runtime_repo/objects" ]; then
  step "reinstalling the cached runtime from $runtime_repo"
  install_runtime >"$work/logs/runtime-install.log" 2>&1 ||
    fail "flatpak install of the runtime failed" "$work/logs/runtime-install.log"
  done_step
else
  [ "$(id -u)" -eq 0 ] || skip "no cached runtime in $cache and not root to debootstrap one"
  mirror_reachable || skip "no cached runtime in $cache and no Debian mirror at $mirror"

  step "building the runtime from Debian $branch packages (cache $cache)"
  # Older keys are older recipes: drop them, each is about a gigabyte.
  for old in "$cache_root"/*/; do
    old=${old%/}
    umount_below "$old"
    rm -rf --one-file-system "$old"
  done
  mkdir -p "$cache"
  roots=$cache/roots
  log=$work/logs/runtime-build.log
  : >"$log"

  say "  debootstrap platform root (log: $log)"
  debootstrap_platform "$roots/platform" >>"$log" 2>&1 || fail "debootstrap failed" "$log"
  say "  [$((SECONDS - step_start)) s] Sdk root = platform + ${#sdk_packages[@]} packages"
  cp -a "$roots/platform" "$roots/sdk"
  add_sdk_packages "$roots/sdk" >>"$log" 2>&1 || fail "apt-get install in the Sdk root failed" "$log"
  say "  [$((SECONDS - step_start)) s] exporting to $runtime_repo"
  make_runtime "$roots/platform" "$platform_id" "$cache/runtime/platform"
  make_runtime "$roots/sdk" "$sdk_id" "$cache/runtime/sdk"
  # Not archive-z2: compressing a gigabyte takes minutes on two cores, and a
  # bare-user-only repository shares its objects with the installation
  # (same mode, same file system: hard links).
  ostree init --mode=bare-user-only --repo="$runtime_repo" >>"$log" 2>&1
  for r in platform sdk; do
    flatpak build-export --runtime --files=files --disable-fsync "$runtime_repo" \
      "$cache/runtime/$r" "$branch" >>"$log" 2>&1 || fail "flatpak build-export $r failed" "$log"
  done
  umount_below "$roots"
  rm -rf --one-file-system "$roots" "$cache/runtime"
  say "  [$((SECONDS - step_start)) s] installing into $FLATPAK_USER_DIR"
  install_runtime >>"$log" 2>&1 || fail "flatpak install of the runtime failed" "$log"
  touch "$cache/ready"
  done_step "$(du -sh "$cache" | cut -f1) in $cache"
fi
runtime_installed || fail "the runtime is not installed in $FLATPAK_USER_DIR"

# --- 3. The test manifest: the shipped one on the Debian runtime ------------

step "deriving the test manifest from $shipped_manifest"
[ -f "$shipped_manifest" ] || fail "no $shipped_manifest"
manifest=$work/$manifest_name
"$python" - "$shipped_manifest" "$manifest" "$platform_id" "$sdk_id" "$branch" "$build_root" <<'EOF' ||
import json, os, sys

shipped, out, runtime, sdk, version, build_root = sys.argv[1:]
with open(shipped) as f:
    m = json.load(f)
for k in ("runtime", "sdk", "runtime-version"):
    if k not in m:
        sys.exit(f"{shipped} has no {k}")
m["runtime"], m["sdk"], m["runtime-version"] = runtime, sdk, version
# Debian 12's flatpak-builder (1.2) runs appstream-glib's appstream-compose
# from the Sdk, which forky no longer has (GNOME's Sdk and flatpak-builder
# 1.4 use `appstreamcli compose`). The build validates the metainfo anyway.
m["appstream-compose"] = False

# Modules the shipped manifest builds from a release tarball, which an offline
# build cannot download: the Debian runtime has them from Debian's packages.
from_debian = {"libraw": "libraw-dev in the Sdk, libraw25 in the Platform"}
m["modules"] = [module for module in m.get("modules", [])
                if not (isinstance(module, dict) and module.get("name") in from_debian)]

# The copy lives in the build tree, so a "dir" source's relative path would
# point elsewhere: make it absolute, and never copy this build tree into the
# flatpak build if it sits inside the source tree.
base = os.path.dirname(os.path.abspath(shipped))
for module in m.get("modules", []):
    if not isinstance(module, dict):
        continue
    for source in module.get("sources", []):
        if isinstance(source, dict) and source.get("type") == "dir":
            source["path"] = os.path.normpath(os.path.join(base, source["path"]))
            rel = os.path.relpath(build_root, source["path"])
            if not rel.startswith(".."):
                source["skip"] = source.get("skip", []) + [rel]
with open(out, "w") as f:
    json.dump(m, f, indent=2)
EOF
  fail "could not derive $manifest"
done_step "runtime $platform_id, sdk $sdk_id, runtime-version $branch"

# --- 4. flatpak-builder, offline --------------------------------------------

step "flatpak-builder (offline) -> $work/repo"
log=$work/logs/flatpak-builder.log
app_repo=$work/repo
(cd "$work" && flatpak-builder --user --force-clean --disable-download --disable-rofiles-fuse \
   --state-dir="$work/state" --repo="$app_repo" "$work/app-dir" "$manifest") >"$log" 2>&1 ||
  fail "flatpak-builder failed" "$log" 60
# Keep only the newest commit: the repository lives in the build tree.
flatpak build-update-repo --prune --prune-depth=0 "$app_repo" >>"$log" 2>&1 ||
  fail "flatpak build-update-repo failed" "$log"
done_step

# --- 5. Install it from the local repository --------------------------------

step "flatpak --user install from $app_repo"
log=$work/logs/app-install.log
{
  flatpak --user remote-add --if-not-exists --no-gpg-verify cs-test-app "file://$app_repo" &&
    flatpak --user remote-modify --url="file://$app_repo" cs-test-app &&
    flatpak --user install -y --noninteractive --reinstall cs-test-app "app/$app_id/$arch/master"
} >"$log" 2>&1 || fail "flatpak install of the app failed" "$log"
built=$(ostree rev-parse --repo="$app_repo" "app/$app_id/$arch/master")
installed=$(flatpak --user info -c "$app_id//master")
[ "$built" = "$installed" ] ||
  fail "installed commit $installed is not the one just built ($built)"
permissions=$(flatpak --user info -M "$app_id//master")
echo "$permissions" >"$work/logs/app-metadata.txt"
filesystems=$(sed -n 's/^filesystems=//p' <<<"$permissions")
case $filesystems in
  "xdg-cache/thumbnails;" | "xdg-cache/thumbnails:create;") ;;
  *) fail "the app's file system access is '$filesystems', expected only xdg-cache/thumbnails" ;;
esac
grep -q '^sockets=.*fallback-x11' <<<"$permissions" ||
  fail "the app has no fallback-x11 socket: $(grep '^sockets=' <<<"$permissions")"
done_step "commit ${installed:0:12}, filesystems=$filesystems"

# --- 6. Run it in the sandbox under Xvfb -------------------------------------

step "generating $n_total pictures in $images"
rm -rf "$images"
"$gen_images" "$images" "$n_images" || fail "$gen_images failed"
IFS=, read -r c_tl c_tr c_bl c_br <<<"$quadrant_colours"
hw=$((quadrant_w / 2)) hh=$((quadrant_h / 2))
for format in "${quadrant_formats[@]}"; do
  out=$images/quadrants.$format
  if [ "$format" = svg ]; then
    cat >"$out" <<EOF
<svg xmlns="http://www.w3.org/2000/svg" width="$quadrant_w" height="$quadrant_h">
  <rect x="0" y="0" width="$hw" height="$hh" fill="$c_tl"/>
  <rect x="$hw" y="0" width="$hw" height="$hh" fill="$c_tr"/>
  <rect x="0" y="$hh" width="$hw" height="$hh" fill="$c_bl"/>
  <rect x="$hw" y="$hh" width="$hw" height="$hh" fill="$c_br"/>
</svg>
EOF
  else
    "$convert" -size "${quadrant_w}x${quadrant_h}" "xc:$c_br" \
      -fill "$c_tl" -draw "rectangle 0,0 $((hw - 1)),$((hh - 1))" \
      -fill "$c_tr" -draw "rectangle $hw,0 $((quadrant_w - 1)),$((hh - 1))" \
      -fill "$c_bl" -draw "rectangle 0,$hh $((hw - 1)),$((quadrant_h - 1))" \
      "$out" || fail "ImageMagick could not write $out"
  fi
done
n_files=$(find "$images" -maxdepth 1 -type f | wc -l)
[ "$n_files" -eq "$n_total" ] || fail "$images holds $n_files files, not $n_total"
done_step "$n_images from $(basename "$gen_images"), quadrants.{$(IFS=,; echo "${quadrant_formats[*]}")}"

# A home of our own: the host's thumbnail cache is $HOME/.cache/thumbnails
# (no XDG_CACHE_HOME), and nothing leaks in from the real session.
home=$work/home
umount_below "$home"
rm -rf --one-file-system "$home" "$shot" "$work/logs/app.log" "$work/logs/app-status.txt"
mkdir -p "$home" "$home/run"
chmod 700 "$home/run"
unset XDG_CACHE_HOME XDG_CONFIG_HOME XDG_DATA_HOME XDG_STATE_HOME WAYLAND_DISPLAY \
      DBUS_SESSION_BUS_ADDRESS SESSION_MANAGER GTK_THEME GTK_DEBUG G_MESSAGES_DEBUG \
      XDG_SESSION_TYPE XDG_CURRENT_DESKTOP DISPLAY
export HOME=$home XDG_RUNTIME_DIR=$home/run
export work images shot app_id import timeout_finished timeout_exit

step "flatpak run $app_id $images (Xvfb ${screen_w}x${screen_h}, trace timeout ${timeout_finished} s)"
exec 4>&1
CS_FLATPAK_PROGRESS_FD=4 CS_PORTAL_LOG=$work/logs/portal.log \
  xvfb-run -a -s "-screen 0 ${screen_w}x${screen_h}x24" \
  dbus-run-session -- bash "$0" --session bash "$0" --inner >"$work/logs/session.log" 2>&1 ||
  fail "the run in the sandbox failed (app log: $work/logs/app.log)" "$work/logs/session.log" 20
exec 4>&-
done_step

# --- 7. The checks ------------------------------------------------------------

step "checking the run"
status=$(cat "$work/logs/app-status.txt")
[ "$status" = 0 ] || fail "Ctrl+Q: the app exited with status $status" "$work/logs/app.log"
say "  ok: Ctrl+Q quits the sandboxed app with status 0"

trace=$(sed -n 's/^contact-sheet-trace: finished [0-9.]* ms: //p' "$work/logs/app.log" | tail -n 1)
case $trace in
  "$n_total thumbnails "*" 0 failed") say "  ok: trace says '$trace'" ;;
  *) fail "trace says '$trace', expected $n_total thumbnails and 0 failed" "$work/logs/app.log" ;;
esac

# The window alone, not the black root around it.
eval "$(grep -E '^(X|Y|WIDTH|HEIGHT)=' "$work/logs/window.txt")"
window_shot=$work/logs/window.png
/usr/bin/convert "$shot" -crop "${WIDTH}x${HEIGHT}+${X}+${Y}" +repage "$window_shot" ||
  fail "could not crop the window ${WIDTH}x${HEIGHT}+${X}+${Y} out of $shot"
read -r stddev colours < <("$identify" -format '%[fx:standard_deviation] %k\n' "$window_shot")
say "  window ${WIDTH}x${HEIGHT}+${X}+${Y} '$(tail -n 1 "$work/logs/window.txt")': standard deviation $stddev, $colours colours"
awk -v s="$stddev" -v m="$min_stddev" 'BEGIN { exit !(s >= m) }' ||
  fail "the window looks blank: standard deviation $stddev < $min_stddev ($shot)"
[ "$colours" -ge "$min_colours" ] ||
  fail "the window shows no pictures: $colours colours < $min_colours ($shot)"
say "  ok: screenshot is not blank ($shot)"

# expect_thumbnails DIR WHAT LOG [HINT]: one thumbnail per picture in DIR,
# nothing else, and those of the four-colour pictures show their colours;
# HINT is said when DIR's parent is missing.
quadrant_files=()
for format in "${quadrant_formats[@]}"; do
  quadrant_files+=("quadrants.$format")
done
expect_thumbnails () {
  "$python" "$check_thumbnails" "$1" "$images" --quadrants "$quadrant_colours" \
    --size "${quadrant_w}x${quadrant_h}" "${quadrant_files[@]}" >"$work/logs/$3" 2>&1 && return 0
  if [ ! -d "$(dirname "$1")" ] && [ -n "${4:-}" ]; then
    say "  $(dirname "$1") does not exist: $4"
  fi
  fail "$2 $1 is not as expected" "$work/logs/$3" 12
}
mount_hint="flatpak mounts --filesystem=xdg-cache/thumbnails only where the folder \
already exists (':create' makes it); elsewhere the app writes into the sandbox's \
throw-away file system"
revoked_hint="the app wrote into the sandbox's throw-away file system, not its own \
cache (~/.var/app/ID/cache/thumbnails); see the paths in $work/logs/cli-revoked.log"

# expect_no_thumbnails DIR WHAT
expect_no_thumbnails () {
  local n=0
  if [ -d "$1" ]; then
    n=$(find "$1" -name '*.png' | wc -l)
  fi
  [ "$n" -eq 0 ] || fail "$n thumbnails went to $2 $1"
}

# expect_glycin_sandboxed APP-LOG PORTAL-LOG: glycin decoded in loaders that
# flatpak's portal started in sandboxes of their own (flatpak-spawn
# --sandbox becomes `flatpak run --sandbox`: no file system, no network), an
# SVG loader among them, and neither glycin nor the engine said it ran
# without a sandbox. The portal's log has one "Starting: COMMAND" line per
# spawn.
expect_glycin_sandboxed () {
  local app_log=$1 portal_log=$2 spawns loader n
  if grep -E -i 'without (a )?sandbox' "$app_log" >&2; then
    fail "the image loaders ran without a sandbox" "$app_log"
  fi
  spawns=$work/logs/$(basename "$portal_log" .log)-spawns.txt
  sed -n 's/^F: Starting: //p' "$portal_log" >"$spawns"
  if grep -v -e '/flatpak run --sandbox ' "$spawns" >&2; then
    fail "the portal started commands outside a sandbox (above)" "$portal_log"
  fi
  for loader in glycin-image-rs glycin-svg; do
    n=$(grep -c -e "/glycin-loaders/[^ ]*/$loader " "$spawns" || true)
    [ "$n" -ge 1 ] ||
      fail "the portal never started $loader in a sandbox (see $spawns)" "$portal_log"
    say "  ok: flatpak-spawn --sandbox ran $loader $n time(s)"
  done
  say "  ok: no image loader ran without a sandbox"
}

expect_glycin_sandboxed "$work/logs/app.log" "$work/logs/portal.log"

host_thumbs=$home/.cache/thumbnails/normal
private_thumbs=$home/.var/app/$app_id/cache/thumbnails
expect_thumbnails "$host_thumbs" "the host's thumbnail cache" thumbnails.txt "$mount_hint"
say "  ok: host ~/.cache/thumbnails: $(tail -n 1 "$work/logs/thumbnails.txt")"
expect_no_thumbnails "$private_thumbs" "the app's private cache"
say "  ok: nothing in the app's private cache"
done_step

# --- 8. The CLI in the sandbox, the host with an XDG_CACHE_HOME ----------------

custom_cache=$home/custom-cache
step "flatpak run --command=contact-sheet-cli, host XDG_CACHE_HOME=$custom_cache"
log=$work/logs/cli.log
XDG_CACHE_HOME=$custom_cache CS_PORTAL_LOG=$work/logs/portal-cli.log \
  dbus-run-session -- bash "$0" --session \
  flatpak run --command=contact-sheet-cli --filesystem="$images" \
  "$app_id" "$images" >"$log" 2>&1 || fail "contact-sheet-cli in the sandbox failed" "$log"
expect_glycin_sandboxed "$log" "$work/logs/portal-cli.log"
expect_thumbnails "$custom_cache/thumbnails/normal" "\$HOST_XDG_CACHE_HOME/thumbnails:" \
  thumbnails-cli.txt "$mount_hint"
say "  ok: \$XDG_CACHE_HOME/thumbnails: $(tail -n 1 "$work/logs/thumbnails-cli.txt")"
expect_no_thumbnails "$private_thumbs" "the app's private cache"
done_step

# --- 9. The CLI without the thumbnails permission -------------------------------

# A person may revoke it (flatpak override, Flatseal): the thumbnails must
# then stay in the app's own cache, not vanish with the sandbox.
home=$work/home-revoked
rm -rf --one-file-system "$home"
mkdir -p "$home/run"
chmod 700 "$home/run"
export HOME=$home XDG_RUNTIME_DIR=$home/run
step "flatpak run --nofilesystem=xdg-cache/thumbnails --command=contact-sheet-cli"
log=$work/logs/cli-revoked.log
CS_PORTAL_LOG=$work/logs/portal-revoked.log dbus-run-session -- bash "$0" --session \
  flatpak run --nofilesystem=xdg-cache/thumbnails --command=contact-sheet-cli \
  --filesystem="$images" "$app_id" "$images" >"$log" 2>&1 ||
  fail "contact-sheet-cli in the sandbox failed" "$log"
expect_glycin_sandboxed "$log" "$work/logs/portal-revoked.log"
expect_thumbnails "$home/.var/app/$app_id/cache/thumbnails/normal" \
  "without the permission, the app's private cache" thumbnails-revoked.txt "$revoked_hint"
say "  ok: private cache: $(tail -n 1 "$work/logs/thumbnails-revoked.txt")"
expect_no_thumbnails "$home/.cache/thumbnails" "the host's cache (no permission!)"
done_step

say "PASS in $((SECONDS - t_start)) s (cache $cache, $(du -sh "$cache" | cut -f1))"
