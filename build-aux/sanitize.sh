#!/usr/bin/env bash
# The sanitizer and fuzzing runs, each in a build of its own:
#
#   tsan     build-tsan (gcc, ThreadSanitizer): test-batch, test-thumbnailer
#            and test-scan whole, suite 'tsan' (see tests/stress/meson.build)
#   asan     build-asan (gcc, AddressSanitizer, LeakSanitizer, UBSan; the
#            build test.sh makes): 1,000 cancels at random points, suite
#            'stress'
#   display  build-asan-gui (the same, with the window): the window closed
#            mid-batch 100 times, and the window's own tests, under Xvfb
#   fuzz     build-fuzz (clang, libFuzzer, ASan, UBSan): the seeds and
#            regressions, then CS_FUZZ_SECONDS (60) of fuzzing, suite 'fuzz'
#
# With no arguments, all four; otherwise the ones named. The folders can be
# moved with TSAN_DIR, ASAN_DIR, ASAN_GUI_DIR and FUZZ_DIR.
set -euo pipefail
EXTRA_PACKAGES=(clang-14 libclang-rt-14-dev xvfb xauth dbus dbus-x11 xdotool)
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

TSAN_DIR=${TSAN_DIR:-$SOURCE_DIR/build-tsan}
ASAN_DIR=${ASAN_DIR:-$SOURCE_DIR/build-asan}
ASAN_GUI_DIR=${ASAN_GUI_DIR:-$SOURCE_DIR/build-asan-gui}
FUZZ_DIR=${FUZZ_DIR:-$SOURCE_DIR/build-fuzz}

# Fast unwinding: the window allocates far too often for the slow unwinder,
# and GTK's one-time allocations are no leaks of ours.
GUI_ASAN_OPTIONS=detect_leaks=0:abort_on_error=1
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

run_tsan ()
{
  configure_and_build "$TSAN_DIR" -Dgui=false -Db_sanitize=thread
  log "ThreadSanitizer: the engine's tests"
  meson test -C "$TSAN_DIR" --suite tsan --print-errorlogs --num-processes 2
}

run_asan ()
{
  configure_and_build "$ASAN_DIR" -Dgui=false -Db_sanitize=address,undefined -Db_lundef=false
  log "AddressSanitizer/LeakSanitizer/UBSan: 1,000 cancels"
  meson test -C "$ASAN_DIR" --setup=asan --suite stress --print-errorlogs
}

run_display ()
{
  configure_and_build "$ASAN_GUI_DIR" -Db_sanitize=address,undefined -Db_lundef=false
  log "AddressSanitizer/UBSan: the window closed mid-batch"
  ASAN_OPTIONS=$GUI_ASAN_OPTIONS UBSAN_OPTIONS=$UBSAN_OPTIONS \
    xvfb-run -a -s "-screen 0 1280x800x24" \
    dbus-run-session -- meson test -C "$ASAN_GUI_DIR" --print-errorlogs --timeout-multiplier 3 \
      close-mid-batch window
}

run_fuzz ()
{
  local cc=clang-14

  command -v "$cc" >/dev/null || cc=clang
  CC=$cc configure_and_build "$FUZZ_DIR" -Dgui=false -Db_sanitize=address,undefined -Db_lundef=false
  log "libFuzzer: cs_thumbnailer_process() for ${CS_FUZZ_SECONDS:-60} s"
  meson test -C "$FUZZ_DIR" --suite fuzz --print-errorlogs
}

steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(tsan asan display fuzz)
for step in "${steps[@]}"; do
  case $step in
    tsan|asan|display|fuzz) "run_$step" ;;
    *) echo "Unknown step $step: tsan, asan, display or fuzz" >&2; exit 2 ;;
  esac
done
