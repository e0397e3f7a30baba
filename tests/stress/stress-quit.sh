#!/usr/bin/env bash
# stress-quit.sh: the real program quit mid-batch, many times in a row
#
# Each run starts contact-sheet on a folder that takes long to thumbnail,
# waits for its first thumbnail (CONTACT_SHEET_TRACE=1), presses Ctrl+Q and
# requires it to exit with status 0 within 2 s of the key (the promise
# the CLI makes for Ctrl+C; a hang detector, not a speed target), with no
# warning or critical on stderr. At the end no decoder helper may be left.
# Output is TAP; needs an X display (the 'display' suite runs under
# xvfb-run) and xdotool. About a second a run: 50 runs unless told
# (CS_STRESS_QUIT_RUNS=100).
#
# Usage: stress-quit.sh CONTACT-SHEET STRESS-MAKE-FOLDER DECODER [RUNS]
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -uo pipefail

program=$1
make_folder=$2
decoder=$3
rounds=${4:-${CS_STRESS_QUIT_RUNS:-50}}

if [ -z "${DISPLAY:-}" ] || ! command -v xdotool >/dev/null; then
  echo "1..0 # SKIP needs an X display and xdotool"
  exit 0
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/cs-stress-quit-XXXXXX")
pid=
cleanup ()
{
  if [ -n "$pid" ]; then
    kill -9 "$pid" 2>/dev/null
  fi
  rm -rf "$work"
}
trap cleanup EXIT

if ! "$make_folder" "$work/heavy" 200; then
  echo "Bail out! cannot make the folder"
  exit 1
fi

export CONTACT_SHEET_TRACE=1 CONTACT_SHEET_DECODER=$decoder
export GDK_BACKEND=x11 NO_AT_BRIDGE=1 GSETTINGS_BACKEND=memory

now_ms ()
{
  echo $(($(date +%s%N) / 1000000))
}

# X calls time out rather than hang the suite.
xdo ()
{
  timeout 10 xdotool "$@"
}

decoders ()
{
  local p n=0

  for p in $(pgrep -x contact-sheet-d 2>/dev/null); do
    if [ "$(readlink "/proc/$p/exe" 2>/dev/null)" = "$(readlink -f "$decoder")" ]; then
      n=$((n + 1))
    fi
  done
  echo "$n"
}

# One run; sets $problem to what went wrong, empty if all went well.
run_once ()
{
  local log=$1 deadline window pressed status elapsed started

  problem=
  first=
  rm -rf "$work/cache"
  started=$(now_ms)
  # GTK 4.24 on Xvfb now and then warns from inside GDK's own frame
  # accounting (see tests/cs-test-util.c); a program cannot let exactly that
  # one warning through, so here warnings are not fatal but every other one
  # on stderr fails the run (below).
  G_DEBUG=gc-friendly XDG_CACHE_HOME=$work/cache "$program" "$work/heavy" >/dev/null 2>"$log" &
  pid=$!

  deadline=$((SECONDS + 30))
  until grep -q '^contact-sheet-trace: first-thumbnail ' "$log"; do
    if ! kill -0 "$pid" 2>/dev/null || [ "$SECONDS" -ge "$deadline" ]; then
      problem="no first thumbnail within 30 s"
      return
    fi
    sleep 0.05
  done
  first=$(($(now_ms) - started))
  if grep -q '^contact-sheet-trace: finished ' "$log"; then
    problem="the batch finished before the quit: not mid-batch"
    return
  fi

  window=$(xdo search --sync --onlyvisible --pid "$pid" 2>/dev/null | head -n 1)
  if [ -z "$window" ] || ! xdo windowfocus --sync "$window" >/dev/null 2>&1; then
    problem="cannot focus the window"
    return
  fi

  pressed=$(now_ms)
  xdo key --clearmodifiers ctrl+q
  while kill -0 "$pid" 2>/dev/null && [ $(($(now_ms) - pressed)) -lt 2000 ]; do
    sleep 0.01
  done
  elapsed=$(($(now_ms) - pressed))
  if kill -0 "$pid" 2>/dev/null; then
    problem="still running 2 s after Ctrl+Q"
    return
  fi
  wait "$pid"
  status=$?
  pid=
  echo "$elapsed" >>"$work/times"

  if [ "$status" -ne 0 ]; then
    problem="exit status $status"
  elif grep -v -e '): Gdk-WARNING \*\*: [0-9:.]*: gdk_frame_timings_submitted() called on submitted frame\.$' "$log" |
       grep -Eq 'CRITICAL|WARNING|ERROR'; then
    problem="warnings on stderr"
  fi
}

echo "1..$((rounds + 1))"
started=$SECONDS
for round in $(seq 1 "$rounds"); do
  log=$work/stderr
  run_once "$log"
  if [ -n "$pid" ]; then
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    pid=
  fi
  if [ -z "$problem" ]; then
    echo "ok $round - run $round: first thumbnail after $first ms, exit $(tail -n 1 "$work/times") ms after Ctrl+Q"
  else
    echo "not ok $round - run $round: $problem"
    grep -v '^contact-sheet-trace: ' "$log" | head -n 20 | sed 's/^/# /'
  fi
done

# Helpers are killed with their app; give the kernel a moment.
deadline=$((SECONDS + 5))
while [ "$(decoders)" -gt 0 ] && [ "$SECONDS" -lt "$deadline" ]; do
  sleep 0.1
done
left=$(decoders)
if [ "$left" -eq 0 ]; then
  echo "ok $((rounds + 1)) - no decoder helper outlived its app"
else
  echo "not ok $((rounds + 1)) - $left decoder helpers outlived their app"
fi

if [ -s "$work/times" ]; then
  sort -n "$work/times" | awk -v s=$((SECONDS - started)) '
    { t[NR] = $1; sum += $1 }
    END { printf "# %d runs in %d s; exit after Ctrl+Q: median %d ms, worst %d ms, mean %.0f ms\n",
                 NR, s, t[int((NR + 1) / 2)], t[NR], sum / NR }'
fi
