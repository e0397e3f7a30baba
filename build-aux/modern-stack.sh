#!/usr/bin/env bash
# Runs a command of this project on the GNOME 51 stack: in a root of Debian
# forky (testing), whose GTK 4.24, libadwaita 1.10, GLib 2.90 and gdk-pixbuf
# 2.44 (decoding through glycin) are what the flatpak runtime and current
# distributions ship. build-aux/test.sh runs its tests there too when the
# machine itself is Debian 12.
#
#   build-aux/modern-stack.sh [COMMAND]     default: ./build-aux/test.sh
#   build-aux/modern-stack.sh PROGRAM ARG...   e.g. bench/run.sh --quick
#
# The root is made with debootstrap from the machine's Debian mirror when it
# is missing (about three minutes) and kept in CS_MODERN_ROOT (default
# /var/cache/contact-sheet/forky) for the next run; the packages the project's
# scripts install stay in it. The working tree (what git tracks, plus new
# files it does not ignore) is copied to /work/project-HASH inside (one per
# checkout); its build folders are kept between runs, so a second run builds
# only what changed. apt in the root waits for another run's apt to end.
# The benchmark's corpus of this machine, when there is one, is mounted
# read-only so that both stacks measure the same files, and the results the
# benchmark writes (bench/results-*) are copied back to the working tree.
set -euo pipefail

SOURCE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
root=${CS_MODERN_ROOT:-/var/cache/contact-sheet/forky}
suite=forky
if [ $# -gt 1 ]; then
  command=$(printf '%q ' "$@")
else
  command=${1:-./build-aux/test.sh}
fi
export CS_BENCH_SHARED_CACHE=${CS_BENCH_SHARED_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/contact-sheet-bench}

log() { printf '\033[1m==> [%s] %s\033[0m\n' "$suite" "$*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "$0: needs root (debootstrap, chroot)" >&2; exit 1; }
  exec sudo --preserve-env=CI,CS_MODERN_ROOT,CS_BENCH_SHARED_CACHE "$0" "$@"
fi

debian_mirror() {
  local uri
  uri=$(awk '/^URIs:/ && $2 !~ /security/ { print $2; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  [ -n "$uri" ] || uri=$(awk '$1 == "deb" && $2 !~ /security/ { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)
  echo "${uri:-http://deb.debian.org/debian}"
}

make_root() {
  local mirror tmp=$root.new
  mirror=$(debian_mirror)
  command -v debootstrap >/dev/null ||
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap
  # Debian 12's debootstrap has no script for forky; testing's is sid's.
  [ -e /usr/share/debootstrap/scripts/$suite ] || ln -s sid /usr/share/debootstrap/scripts/$suite
  log "Making a $suite root in $root from $mirror"
  rm -rf "$tmp"
  mkdir -p "$(dirname "$root")"
  debootstrap --variant=minbase --include=ca-certificates $suite "$tmp" "$mirror" >"$tmp.log" 2>&1 ||
    { tail -n 20 "$tmp.log" >&2; exit 1; }
  echo "deb $mirror $suite main" >"$tmp/etc/apt/sources.list"
  # A mirror that is a snapshot serves a Release file whose Valid-Until has passed.
  echo 'Acquire::Check-Valid-Until "false";' >"$tmp/etc/apt/apt.conf.d/99snapshot"
  echo 'DPkg::Lock::Timeout "900";' >"$tmp/etc/apt/apt.conf.d/99wait-for-lock"
  rm -rf "$root"
  mv "$tmp" "$root"
  touch "$root/.contact-sheet-root"
}

[ -f "$root/.contact-sheet-root" ] || make_root
[ -f "$root/etc/apt/apt.conf.d/99wait-for-lock" ] ||
  echo 'DPkg::Lock::Timeout "900";' >"$root/etc/apt/apt.conf.d/99wait-for-lock"

# The tree as git sees it, uncommitted changes included, in a folder of its
# own for each checkout (two checkouts can use the root at once). Only files
# whose content changed are copied, and they get the time of the copy, so
# the build folders kept from the last run rebuild exactly what changed.
name=project-$(printf '%s' "$SOURCE_DIR" | md5sum | cut -c1-8)
dest=$root/work/$name
log "Copying the working tree to $dest"
mkdir -p "$dest"
find "$root/work" -mindepth 1 -maxdepth 1 -name 'project-*' -mtime +2 -exec rm -rf {} +
touch "$dest"
wanted=$(mktemp)
# Without git (a fresh machine given a copy, or a tarball), every file but
# the build folders and git's own.
list_tree() {
  if command -v git >/dev/null && git -C "$SOURCE_DIR" rev-parse --git-dir >/dev/null 2>&1; then
    (cd "$SOURCE_DIR" && git ls-files -z --cached --others --exclude-standard)
  else
    (cd "$SOURCE_DIR" && find . \( -path ./.git -o -path ./.flatpak-builder -o \
        \( -type d -path './build*' ! -path ./build-aux ! -path './build-aux/*' \) \) -prune -o \
        \( -type f -o -type l \) -printf '%P\0')
  fi
}
list_tree |
  while IFS= read -r -d '' f; do
    [ -e "$SOURCE_DIR/$f" ] || [ -L "$SOURCE_DIR/$f" ] || continue
    printf '%s\n' "$f" >>"$wanted"
    if [ -L "$SOURCE_DIR/$f" ] || ! cmp -s "$SOURCE_DIR/$f" "$dest/$f"; then
      mkdir -p "$dest/$(dirname "$f")"
      rm -f "$dest/$f"
      cp -P --preserve=mode "$SOURCE_DIR/$f" "$dest/$f"
    fi
  done
(cd "$dest" && find . \( -path ./build -o -path './build-*' \) -prune -o \( -type f -o -type l \) -print |
   sed 's|^\./||' | sort >"$wanted.have")
sort "$wanted" | comm -13 - "$wanted.have" | (cd "$dest" && xargs -r -d '\n' rm -f)
rm -f "$wanted" "$wanted.have"

cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
shared_bench=
if [ -d "$CS_BENCH_SHARED_CACHE" ]; then
  shared_bench=/work/host-bench-cache
  mkdir -p "$root$shared_bench"
fi
commit=$(git -C "$SOURCE_DIR" rev-parse --short HEAD 2>/dev/null || true)
[ -z "$(git -C "$SOURCE_DIR" status --porcelain --untracked-files=no -- src 2>/dev/null)" ] ||
  commit="$commit + uncommitted changes in src/"
stamp=$(mktemp)
log "$command"
# Mounts in a mount namespace of this run's own: they go when it ends, and
# another run in the same root keeps its own.
status=0
unshare --mount --propagation private -- /bin/bash -c '
  set -e
  root=$1 shared=$2 shared_at=$3; shift 3
  mount -t proc proc "$root/proc"
  mount --rbind /sys "$root/sys"
  mount --rbind /dev "$root/dev"
  if [ -n "$shared_at" ]; then
    mount --bind "$shared" "$root$shared_at"
    mount -o remount,bind,ro "$root$shared_at"
  fi
  exec chroot "$root" "$@"' bash "$root" "$CS_BENCH_SHARED_CACHE" "$shared_bench" \
  /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
    DEBIAN_FRONTEND=noninteractive CI="${CI:-}" CS_MODERN_STACK=inside \
    CS_BENCH_SHARED_CACHE="$shared_bench" CS_SOURCE_COMMIT="$commit" \
    bash -c "cd /work/$name && $command" || status=$?
find "$dest/bench" -maxdepth 1 -name 'results-*' -newer "$stamp" -print0 |
  while IFS= read -r -d '' f; do
    cp "$f" "$SOURCE_DIR/bench/" && chown --reference="$SOURCE_DIR" "$SOURCE_DIR/bench/${f##*/}"
    log "Copied bench/${f##*/} back to the working tree"
  done
rm -f "$stamp"
exit "$status"
