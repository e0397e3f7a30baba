# cs-e2e-lib.sh: what every window e2e script shares, sourced by them
#
# A script sets, before sourcing this file:
#   e2e_name      a short word naming the script's logs (LOG-DIR/NAME-*.log)
#   log_dir       where logs and screenshots go
#   e2e_tools     the programs it needs besides xvfb-run, xauth, xdotool,
#                 dbus-run-session and ImageMagick's import (may be empty)
# and then calls `e2e_enter "$0" "$@"` once: the first time through, that
# runs the script again inside its own Xvfb and D-Bus session and exits
# with its status; inside, it returns with stdout on the TAP stream,
# stderr in LOG-DIR/NAME-script-stderr.log, a private home in $work and
# the program's environment (a memory settings backend, the trace on).
#
# Then: ok/not_ok/bail print TAP; poll waits for a condition; start_app
# runs the program and waits for its window; xdo runs xdotool with a
# time-out; mark_trace/has_trace/trace_line read the program's trace;
# shoot_window crops a window's screenshot; quit_app and
# check_no_complaints end a script; e2e_finish prints the plan.
#
# SPDX-License-Identifier: GPL-3.0-or-later

# Functions run by trap or by poll look unreachable to shellcheck; the
# variables named at the top are set by the script that sources this.
# shellcheck disable=SC2317,SC2154 shell=bash

screen_w=${screen_w:-1280}
screen_h=${screen_h:-800}
timeout_window=${timeout_window:-30}
# The program's first window: more, as a D-Bus activation at start (the
# accessibility bus) can take the bus's own 25 s time-out.
timeout_start=${timeout_start:-60}
import=/usr/bin/import

e2e_enter ()
{
  local script=$1 status tool

  shift
  if [ -n "${CS_E2E_INNER:-}" ]; then
    exec 1>"$CS_E2E_TAP" 2>"$log_dir/$e2e_name-script-stderr.log"
    : >"$log_dir/$e2e_name-inner-started"
    e2e_setup_home
    return
  fi

  # shellcheck disable=SC2086 # a list of words
  for tool in xvfb-run xauth xdotool dbus-run-session "$import" ${e2e_tools:-}; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      echo "1..0 # SKIP $tool is not installed"
      exit 0
    fi
  done
  mkdir -p "$log_dir" || exit 1
  rm -f "$log_dir/$e2e_name"-*
  unset WAYLAND_DISPLAY DBUS_SESSION_BUS_ADDRESS AT_SPI_BUS_ADDRESS SESSION_MANAGER GTK_THEME GTK_DEBUG \
        G_MESSAGES_DEBUG XDG_SESSION_TYPE XDG_CURRENT_DESKTOP
  # The TAP goes to this script's stdout, opened by name: dbus-run-session
  # 1.16 closes every other descriptor it was given.
  export CS_E2E_TAP=/proc/$$/fd/1
  # -noreset: Xvfb resets when its last client leaves and refuses
  # connections meanwhile; a program started just after a short xdotool
  # call then met "cannot open display" (twice in CI).
  CS_E2E_INNER=1 xvfb-run -a -s "-screen 0 ${screen_w}x${screen_h}x24 -noreset" \
    dbus-run-session -- bash "$script" "$@" >"$log_dir/$e2e_name-session.log" 2>&1
  status=$?
  if [ ! -e "$log_dir/$e2e_name-inner-started" ]; then
    echo "Bail out! xvfb-run or dbus-run-session failed (status $status), see $log_dir/$e2e_name-session.log"
    tail -n 30 "$log_dir/$e2e_name-session.log" >&2
    exit 1
  fi
  # What the program and the session said, where a failed run's log is read
  # (meson shows stderr; the TAP on stdout only says which step failed).
  if [ "$status" != 0 ]; then
    {
      echo "--- $log_dir/$e2e_name-session.log (the bus and X):"
      tail -n 40 "$log_dir/$e2e_name-session.log"
      echo "--- $log_dir/$e2e_name-script-stderr.log (the script, and why it stopped):"
      tail -n 40 "$log_dir/$e2e_name-script-stderr.log"
      echo "--- $log_dir/$e2e_name-app.log (the program):"
      tail -n 40 "$log_dir/$e2e_name-app.log"
    } >&2
  fi
  exit "$status"
}

test_number=0
any_failed=0
app_pid=
app_log=$log_dir/$e2e_name-app.log

ok () { test_number=$((test_number + 1)); echo "ok $test_number - $1"; }

not_ok ()
{
  test_number=$((test_number + 1))
  any_failed=1
  echo "not ok $test_number - $1"
  shift
  local line
  for line in "$@"; do
    printf '%s\n' "$line" | sed 's/^/# /'
  done
}

e2e_cleanup ()
{
  [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null
  if [ "$any_failed" = 0 ]; then
    rm -rf "$work"
  else
    echo "# kept $work for inspection"
  fi
}

bail ()
{
  any_failed=1
  "$import" -window root "$log_dir/$e2e_name-failure.png" 2>/dev/null &&
    echo "# screen at the failure: $log_dir/$e2e_name-failure.png"
  tail -n 20 "$app_log" 2>/dev/null | sed 's/^/#   /'
  # To the script's stderr log, which the outer part shows on failure.
  {
    echo "bail: $*"
    echo "bail: DISPLAY=${DISPLAY:-} answers: $(xdo getdisplaygeometry 2>&1 || echo no)"
    echo "bail: the program ${app_pid:+(pid $app_pid) }is $(kill -0 "${app_pid:-0}" 2>/dev/null && echo running || echo gone)"
    echo "bail: windows: $(xdo search --onlyvisible --name . getwindowname %@ 2>&1 | tr '\n' '|')"
  } >&2
  echo "Bail out! $*"
  exit 1
}

# poll SECONDS COMMAND...: until COMMAND succeeds, or fails when time is up.
poll ()
{
  local deadline=$((SECONDS + $1))

  shift
  while ! "$@"; do
    [ "$SECONDS" -ge "$deadline" ] && return 1
    sleep 0.2
  done
}

xdo () { timeout 10 xdotool "$@"; }

x_answers () { xdo getdisplaygeometry >/dev/null 2>&1; }

# visible_window REGEX: the program's visible window whose title matches.
visible_window ()
{
  local id

  for id in $(xdo search --onlyvisible --pid "$app_pid" 2>/dev/null); do
    if xdo getwindowname "$id" 2>/dev/null | grep -Eq -- "$1"; then
      echo "$id"
      return
    fi
  done
}

has_visible_window () { [ -n "$(visible_window "$1")" ]; }
has_no_visible_window () { [ -z "$(visible_window "$1")" ]; }
has_exited () { ! kill -0 "$app_pid" 2>/dev/null; }

# The trace (CONTACT_SHEET_TRACE=1, see src/app/cs-trace.c), read from the
# program's stderr since the last mark_trace.
trace_mark=0
mark_trace () { trace_mark=$(wc -l <"$app_log"); }
trace_since_mark () { tail -n "+$((trace_mark + 1))" "$app_log" 2>/dev/null; }
trace_line () { trace_since_mark | sed -n "s/^contact-sheet-trace: $1 //p" | tail -n 1; }
has_trace () { trace_since_mark | grep -q "^contact-sheet-trace: $1 "; }

e2e_setup_home ()
{
  work=$(mktemp -d "${TMPDIR:-/tmp}/cs-e2e-$e2e_name.XXXXXX") || { echo "Bail out! no temporary directory"; exit 1; }
  trap e2e_cleanup EXIT
  export LC_ALL=${LC_ALL:-C.UTF-8} GDK_BACKEND=x11
  export HOME=$work/home XDG_CACHE_HOME=$work/cache XDG_CONFIG_HOME=$work/config
  export XDG_DATA_HOME=$work/data XDG_RUNTIME_DIR=$work/runtime
  export GSETTINGS_BACKEND=memory
  export CONTACT_SHEET_TRACE=1
  if ! mkdir -p "$HOME" "$XDG_CACHE_HOME" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR" ||
     ! chmod 700 "$XDG_RUNTIME_DIR"; then
    bail "cannot make the home folders"
  fi
  # The pointer out of the way of tooltips and hover highlights.
  xdo mousemove $((screen_w - 1)) $((screen_h - 1)) >/dev/null 2>&1
  # The X server answers before the program starts, so that a server slow
  # to come up is not taken for a program that shows no window.
  poll "$timeout_window" x_answers || bail "the X server does not answer"
}

app_gone () { ! kill -0 "$app_pid" 2>/dev/null; }

# start_app TITLE-REGEX PROGRAM ARGS...: runs it, its stdout and stderr in
# $app_log, and waits for its window; sets $window.
start_app ()
{
  local title=$1 attempt

  shift
  "$@" >"$app_log" 2>&1 &
  app_pid=$!
  # Twice in CI, Xvfb refused the program's first connection ("cannot open
  # display") while it answered xdotool just before and after: a start
  # that ends so, and only so, is made again (and said in the script's log).
  for attempt in 1 2; do
    poll 5 app_gone || break
    grep -q 'cannot open display' "$app_log" || break
    echo "start $attempt: the program could not open the display; starting it again:" >&2
    cat "$app_log" >&2
    sleep 1
    "$@" >"$app_log" 2>&1 &
    app_pid=$!
  done
  poll "$timeout_start" has_visible_window "$title" || bail "no window titled $title"
  window=$(visible_window "$title")
  xdo windowfocus --sync "$window" >/dev/null 2>&1
}

# shoot_window WINDOW FILE: that window's part of the screen, in FILE.
shoot_window ()
{
  local geometry crop

  geometry=$(xdo getwindowgeometry --shell "$1" 2>/dev/null)
  crop=$(sed -n 's/^WIDTH=//p' <<<"$geometry")x$(sed -n 's/^HEIGHT=//p' <<<"$geometry")
  crop=$crop+$(sed -n 's/^X=//p' <<<"$geometry")+$(sed -n 's/^Y=//p' <<<"$geometry")
  "$import" -window root -crop "$crop" +repage -define png:exclude-chunks=date,time "$2" 2>/dev/null
}

# quit_app: Ctrl+Q in $window; the program ends with status 0.
quit_app ()
{
  local status

  xdo windowfocus --sync "$window" >/dev/null 2>&1
  xdo key --clearmodifiers ctrl+q
  if poll 10 has_exited; then
    wait "$app_pid"
    status=$?
    app_pid=
    if [ "$status" = 0 ]; then
      ok "Ctrl+Q quits with status 0"
    else
      not_ok "Ctrl+Q quits with status 0" "status $status"
    fi
  else
    not_ok "Ctrl+Q quits" "still running"
  fi
}

# check_no_complaints: nothing GTK or GLib complains of on the program's
# stderr. Not ours (see tests/cs-test-util.c): GTK 4.24 on Xvfb now and
# then warns of GDK's own frame accounting, and glycin says, in a plain
# line, that bubblewrap cannot sandbox its loaders here (as in a chroot).
check_no_complaints ()
{
  local complaints

  complaints=$(grep -E 'CRITICAL|WARNING|ERROR' "$app_log" |
               grep -v -e 'gdk_frame_timings_submitted() called on submitted frame' \
                       -e '^WARNING: Glycin running without sandbox\.')
  if [ -z "$complaints" ]; then
    ok "no ERROR, CRITICAL or WARNING on the program's stderr"
  else
    not_ok "no ERROR, CRITICAL or WARNING on the program's stderr" "$complaints"
  fi
}

e2e_finish ()
{
  echo "1..$test_number"
  exit "$any_failed"
}
