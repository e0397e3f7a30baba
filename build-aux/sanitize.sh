#!/usr/bin/env bash
# The sanitizer and fuzzing runs (build-aux/test.sh runs them all after the
# plain tests), each in a build of its own:
#
#   asan     build-asan (gcc, AddressSanitizer, LeakSanitizer, UBSan): the
#            unit tests, 1,000 cancels at random points (suite 'stress'),
#            then the window's tests and the window closed mid-batch
#            (CS_STRESS_ROUNDS, 20 here) under Xvfb
#   tsan     build-tsan (gcc, ThreadSanitizer): test-batch, test-thumbnailer
#            and test-scan whole, suite 'tsan' (see tests/stress/meson.build)
#   fuzz     build-fuzz (the distribution's clang, libFuzzer, ASan, UBSan): the seeds and
#            regressions, then CS_FUZZ_SECONDS (60) of fuzzing, suite 'fuzz'
#
# With no arguments, all three; otherwise the ones named. The folders can be
# moved with ASAN_DIR, TSAN_DIR and FUZZ_DIR.
set -euo pipefail
# LibRaw's pkg-config file asks for OpenMP, which clang links as LLVM's
# libomp.
EXTRA_PACKAGES=(clang libclang-rt-dev libomp-dev xvfb xauth dbus dbus-x11 at-spi2-core xdotool)
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

ASAN_DIR=${ASAN_DIR:-$SOURCE_DIR/build-asan}
TSAN_DIR=${TSAN_DIR:-$SOURCE_DIR/build-tsan}
FUZZ_DIR=${FUZZ_DIR:-$SOURCE_DIR/build-fuzz}

# The window: fast unwinding, as it allocates far too often for the slow
# unwinder, and no leak report, as GTK's one-time allocations are no leaks
# of ours (the engine's leaks are what the unit and stress runs check).
GUI_ASAN_OPTIONS=detect_leaks=0:abort_on_error=1
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

run_asan ()
{
  configure_and_build "$ASAN_DIR" -Db_sanitize=address,undefined -Db_lundef=false
  log "AddressSanitizer/LeakSanitizer/UBSan: unit tests"
  meson test -C "$ASAN_DIR" --setup=asan --suite unit --print-errorlogs --num-processes 2
  log "AddressSanitizer/LeakSanitizer/UBSan: 1,000 cancels"
  meson test -C "$ASAN_DIR" --setup=asan --suite stress --print-errorlogs
  log "AddressSanitizer/UBSan: the window, and the window closed mid-batch"
  ASAN_OPTIONS=$GUI_ASAN_OPTIONS UBSAN_OPTIONS=$UBSAN_OPTIONS CS_STRESS_ROUNDS=${CS_STRESS_ROUNDS:-20} \
    xvfb-run -a -s "-screen 0 1280x800x24" \
    dbus-run-session -- meson test -C "$ASAN_DIR" --print-errorlogs --timeout-multiplier 3 \
      close-mid-batch window
}

run_tsan ()
{
  configure_and_build "$TSAN_DIR" -Dgui=false -Db_sanitize=thread
  log "ThreadSanitizer: the engine's tests"
  meson test -C "$TSAN_DIR" --suite tsan --print-errorlogs --num-processes 2
}

run_fuzz ()
{
  CC=clang configure_and_build "$FUZZ_DIR" -Dgui=false -Db_sanitize=address,undefined -Db_lundef=false
  log "libFuzzer: cs_thumbnailer_process() for ${CS_FUZZ_SECONDS:-60} s"
  meson test -C "$FUZZ_DIR" --suite fuzz --print-errorlogs
}

steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(asan tsan fuzz)
for step in "${steps[@]}"; do
  case $step in
    asan|tsan|fuzz) "run_$step" ;;
    *) echo "Unknown step $step: asan, tsan or fuzz" >&2; exit 2 ;;
  esac
done
