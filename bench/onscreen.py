"""On-screen first: how soon the window's first screen is complete,
against how soon the whole folder is (bench/README.md, "On-screen first").

The folder is made of the `mixed` set's real photos, as hard links whose
names put a chosen part of them first: the window opens at WINDOW_SIZE, and
the pictures its first screen shows are chosen so that they take about half
of the CLI's CPU time for the whole set. Each window run is cold (an empty
thumbnail cache) and measured two ways:

* from outside: a screenshot of the grid's area every SHOT_PERIOD seconds
  (ImageMagick's `import` on the run's Xvfb); the first screen is complete
  at the first screenshot that equals the grid as it is once the folder is
  finished, and the folder is complete when the window's trace says
  `finished` (both from the launch);
* from the window's trace: `shown N ms: NAME` when a cell gets its
  picture's pixels and `visible N cells: NAMES` for what is on screen,
  against `finished N ms` (both from when the folder was opened).

The CLI then makes just the first screen's pictures, cold, for the second
target. Only the standard library; bench.py passes what it measured with.
"""

import json
import os
import re
import shutil
import statistics
import struct
import subprocess
import threading
import time
import zlib

WINDOW_SIZE = (900, 620)
SCREEN = "1280x800x24"
SHOT_PERIOD = 0.3
# The grid's part of the window: below the header bar, above the status
# bar, left of the overlay scrollbar.
CROP_TOP, CROP_BOTTOM, CROP_SIDE, CROP_RIGHT = 56, 56, 6, 30
SETTLE = 1.0        # seconds after `finished` before the final screenshot

VISIBLE = re.compile(r"contact-sheet-trace: visible (\d+) cells: ?(.*)$")
SHOWN = re.compile(r"contact-sheet-trace: shown ([0-9.]+) ms: (.*)$")
FINISHED = re.compile(r"contact-sheet-trace: finished ([0-9.]+) ms")
# Which display xvfb-run chose, in a file of its own: on the shared
# output, the session bus's messages break into lines.
WRAPPER = 'echo "$DISPLAY $XAUTHORITY" > "$2.tmp" && mv "$2.tmp" "$2"; exec "$0" "$1"'


def keyfile_env(env, work):
    """GSettings from a key file that sets the window's size."""
    config = os.path.join(work, "onscreen-config")
    os.makedirs(os.path.join(config, "glib-2.0", "settings"), exist_ok=True)
    with open(os.path.join(config, "glib-2.0", "settings", "keyfile"), "w") as f:
        f.write("[io/github/contactsheet/ContactSheet]\n"
                f"window-width={WINDOW_SIZE[0]}\nwindow-height={WINDOW_SIZE[1]}\n")
    return dict(env, GSETTINGS_BACKEND="keyfile", XDG_CONFIG_HOME=config)


def grab(display, xauth):
    """The grid's area of the screen as raw RGB bytes, or None."""
    w = WINDOW_SIZE[0] - CROP_SIDE - CROP_RIGHT
    h = WINDOW_SIZE[1] - CROP_TOP - CROP_BOTTOM
    env = dict(os.environ, DISPLAY=display)
    if xauth:
        env["XAUTHORITY"] = xauth
    try:
        data = subprocess.run(["import", "-window", "root", "-crop", f"{w}x{h}+{CROP_SIDE}+{CROP_TOP}",
                               "+repage", "-depth", "8", "ppm:-"],
                              env=env, capture_output=True, timeout=10).stdout
    except subprocess.TimeoutExpired:
        return None
    # P6 header: magic, width, height, maxval, then the pixels.
    parts = data.split(b"\n", 3) if data.startswith(b"P6") else []
    return parts[3] if len(parts) == 4 else None


def same_picture(a, b):
    """Equal but for a few pixels (a caret, an anti-aliasing seam)."""
    if a is None or b is None or len(a) != len(b):
        return False
    if a == b:
        return True
    step = 7
    differ = sum(1 for i in range(0, len(a), step) if a[i] != b[i])
    return differ * step <= len(a) * 0.002


def run_window(app, folder, env, prefix, timeout):
    """One cold run: screenshots until `finished`, then the figures."""
    argv = ["xvfb-run", "-a", "-s", f"-screen 0 {SCREEN}", "dbus-run-session", "--",
            "sh", "-c", WRAPPER, app, folder, prefix + ".display"]
    state = {"display": None, "xauth": None, "visible": [], "shown": {}, "finished_ms": None,
             "finished_at": None}
    done = threading.Event()
    log = open(prefix + ".log", "w")
    t0 = time.monotonic()
    proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True, text=True,
                            errors="replace", bufsize=1)

    def reader():
        for line in proc.stdout:
            log.write(line)
            line = line.rstrip("\n")
            m = VISIBLE.search(line)
            if m:
                state["visible"] = m.group(2).split("/") if m.group(2) else []
                continue
            m = SHOWN.search(line)
            if m:
                state["shown"].setdefault(m.group(2), float(m.group(1)))
                continue
            m = FINISHED.search(line)
            if m:
                state["finished_ms"] = float(m.group(1))
                state["finished_at"] = time.monotonic() - t0
                done.set()

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    shots = []
    while time.monotonic() - t0 < 30 and proc.poll() is None and not os.path.exists(prefix + ".display"):
        time.sleep(0.02)
    if os.path.exists(prefix + ".display"):
        with open(prefix + ".display") as f:
            fields = f.read().split()
        state["display"], state["xauth"] = fields[0], fields[1] if len(fields) > 1 else ""
    if state["display"]:
        # The pointer off the window: no tooltip over a cell.
        try:
            subprocess.run(["xdotool", "mousemove", "1279", "799"], capture_output=True,
                           env=dict(os.environ, DISPLAY=state["display"], XAUTHORITY=state["xauth"] or ""))
        except OSError:
            pass
    while state["display"] and not done.is_set() and time.monotonic() - t0 < timeout and proc.poll() is None:
        started = time.monotonic()
        picture = grab(state["display"], state["xauth"])
        # The time the capture was over: the screen was that way by then.
        shots.append((time.monotonic() - t0, picture))
        done.wait(max(0.0, SHOT_PERIOD - (time.monotonic() - started)))
    final = None
    if done.is_set():
        time.sleep(SETTLE)
        final = grab(state["display"], state["xauth"])
    try:
        os.killpg(proc.pid, 15)
    except ProcessLookupError:
        pass
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        proc.wait()
    thread.join(timeout=5)
    log.close()

    first_screen_at = next((t for t, picture in shots if same_picture(picture, final)), None)
    if first_screen_at is None and final is not None:
        first_screen_at = state["finished_at"]      # complete only at the end
    times = [state["shown"].get(name) for name in state["visible"]]
    trace_first = max(times) if times and None not in times else None
    return {
        "screenshots": len(shots), "visible": state["visible"],
        "first_screen_s": first_screen_at, "folder_s": state["finished_at"],
        "trace_first_screen_ms": trace_first, "trace_finished_ms": state["finished_ms"],
        "timed_out": not done.is_set(),
    }


def calibrate(app, folder, env, prefix):
    """How many cells the first screen shows, from the window's trace."""
    argv = ["xvfb-run", "-a", "-s", f"-screen 0 {SCREEN}", "dbus-run-session", "--", app, folder]
    proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True, text=True,
                            errors="replace", bufsize=1)
    visible = None
    deadline = time.monotonic() + 120
    with open(prefix + ".log", "w") as log:
        for line in proc.stdout:
            log.write(line)
            m = VISIBLE.search(line)
            if m and int(m.group(1)) > 0:
                visible = int(m.group(1))
            if FINISHED.search(line) or time.monotonic() > deadline:
                break
    os.killpg(proc.pid, 15)
    proc.wait()
    return visible


def tiny_png(path):
    """A 1×1 PNG: what the CLI costs with next to no picture."""
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)) +
                chunk(b"IDAT", zlib.compress(b"\x00\x80\x80\x80")) + chunk(b"IEND", b""))


def file_costs(cli, files, measure, work, env):
    """CPU seconds the CLI takes for each file alone, cold, one job, less
    what it takes for a 1×1 picture (starting, its decoder helper): the
    work of the picture itself."""
    logs = os.path.join(work, "logs", "onscreen-costs")
    os.makedirs(logs, exist_ok=True)
    tiny = os.path.join(work, "onscreen-tiny.png")
    tiny_png(tiny)

    def cost(path, name):
        cache = os.path.join(work, "onscreen-cost-cache")
        subprocess.run(["rm", "-rf", cache])
        os.makedirs(cache)
        return measure([cli, "-j", "1", "-q", path], cwd=work, env=dict(env, XDG_CACHE_HOME=cache),
                       prefix=os.path.join(logs, name))["cpu"]

    base = statistics.median(cost(tiny, f"tiny-{i}") for i in range(5))
    return {path: max(cost(path, str(i)) - base, 0.001) for i, path in enumerate(files)}, base


def make_folder(root, costs, n_screen):
    """Hard links (copies across file systems): the first n_screen names
    (a-…) take about half the CPU."""
    half = sum(costs.values()) / 2
    screen, total = [], 0.0
    for path in sorted(costs, key=costs.get, reverse=True):
        if len(screen) < n_screen and total + costs[path] <= half:
            screen.append(path)
            total += costs[path]
    for path in sorted(costs, key=costs.get):
        if len(screen) >= n_screen:
            break
        if path not in screen:
            screen.append(path)
            total += costs[path]
    subprocess.run(["rm", "-rf", root])
    os.makedirs(root)
    rest = [p for p in sorted(costs) if p not in screen]
    names = {}
    for prefix, group in (("a", sorted(screen)), ("b", rest)):
        for i, path in enumerate(group):
            name = f"{prefix}-{i:03d}-{os.path.basename(path)}"
            try:
                os.link(path, os.path.join(root, name))
            except OSError:     # the corpus on another file system (modern-stack.sh mounts it)
                shutil.copy2(path, os.path.join(root, name))
            names[name] = path
    return [os.path.join(root, n) for n in sorted(names) if n.startswith("a-")], total / (2 * half)


def bench_onscreen(corpus, bins, work, env, args, measure, fresh_dir, log):
    apps = [("this build", bins["app"])] + [(label, app) for label, app in bins.get("onscreen_compare", [])]
    logs = fresh_dir(os.path.join(work, "logs", "onscreen"))
    wenv = keyfile_env(dict(env, CONTACT_SHEET_TRACE="1", GSETTINGS_SCHEMA_DIR=bins["schemas"],
                            GSK_RENDERER="cairo"), work)
    mixed = os.path.join(corpus, "mixed")
    files = sorted(os.path.join(mixed, n) for n in os.listdir(mixed))

    n_screen = calibrate(bins["app"], mixed, dict(wenv, XDG_CACHE_HOME=fresh_dir(os.path.join(work, "onscreen-cache"))),
                         os.path.join(logs, "calibrate"))
    if not n_screen:
        return {"error": "the window's trace named no cells on screen (a build without it?)"}
    log(f"onscreen: {n_screen} cells on the first screen at {WINDOW_SIZE[0]}x{WINDOW_SIZE[1]}; "
        f"timing the CLI on each of {len(files)} files")
    costs, base = file_costs(bins["cli"], files, measure, work, env)
    folder = os.path.join(work, "onscreen-folder")
    screen_files, share = make_folder(folder, costs, n_screen)
    log(f"onscreen: the first screen's {len(screen_files)} pictures take {share:.0%} of the CLI's CPU time")

    rows = {label: [] for label, _ in apps}
    cli_screen, cli_all = [], []
    for rep in range(1, args.onscreen_reps + 1):
        for label, app in apps:
            cache = fresh_dir(os.path.join(work, "onscreen-cache"))
            tag = re.sub(r"[^A-Za-z0-9]+", "-", label)
            r = run_window(app, folder, dict(wenv, XDG_CACHE_HOME=cache),
                           os.path.join(logs, f"{tag}-{rep}"), args.window_timeout)
            rows[label].append(r)
            log(f"onscreen {label} {rep}: first screen {r['first_screen_s']} s, folder {r['folder_s']} s "
                f"(screenshots); trace {r['trace_first_screen_ms']} / {r['trace_finished_ms']} ms")
        for name, argv, out in (("screen", screen_files, cli_screen), ("all", [folder], cli_all)):
            cache = fresh_dir(os.path.join(work, "onscreen-cli-cache"))
            r = measure([bins["cli"], "-j", "2", "-q"] + argv, cwd=work, env=dict(env, XDG_CACHE_HOME=cache),
                        prefix=os.path.join(logs, f"cli-{name}-{rep}"))
            out.append(r["wall"])
    return {"window": list(WINDOW_SIZE), "n_screen": len(screen_files), "share": share, "base_cpu": base,
            "files": len(files), "runs": rows, "cli_screen_s": cli_screen, "cli_all_s": cli_all,
            "shot_period": SHOT_PERIOD}


def _median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def _fmt(value, spec=".2f"):
    return "–" if value is None else format(value, spec)


def report(data, machine):
    if "error" in data:
        return f"## On-screen first\n\nNot measured: {data['error']}\n"
    cli_screen = _median(data["cli_screen_s"])
    lines = [
        "## On-screen first",
        "",
        f"{machine}",
        "",
        f"The `mixed` set's {data['files']} photos as hard links, the window at "
        f"{data['window'][0]}×{data['window'][1]} (cairo renderer), cold; its first screen shows "
        f"{data['n_screen']} cells, whose pictures take {data['share']:.0%} of the CLI's CPU time for "
        f"the set (each file's own time, less the {data['base_cpu']:.3f} s the CLI takes for a 1×1 "
        f"picture). Screenshots every {data['shot_period']} s; times from the launch (screenshots) or "
        f"from opening the folder (trace). CLI cold on just the first screen's files: "
        f"{_fmt(cli_screen)} s (median of {', '.join(_fmt(v) for v in data['cli_screen_s'])}); "
        f"on the whole folder: {_fmt(_median(data['cli_all_s']))} s.",
        "",
        "| build | run | first screen s (screenshots) | folder s | ratio | first screen ÷ CLI on those | "
        "first screen ms (trace) | finished ms (trace) | ratio (trace) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for label, runs in data["runs"].items():
        for i, r in enumerate(runs, 1):
            ratio = (r["first_screen_s"] / r["folder_s"]) if r["first_screen_s"] and r["folder_s"] else None
            trace_ratio = (r["trace_first_screen_ms"] / r["trace_finished_ms"]
                           if r["trace_first_screen_ms"] and r["trace_finished_ms"] else None)
            vs_cli = r["first_screen_s"] / cli_screen if r["first_screen_s"] and cli_screen else None
            lines.append(f"| {label} | {i} | {_fmt(r['first_screen_s'])} | {_fmt(r['folder_s'])} | "
                         f"{_fmt(ratio)} | {_fmt(vs_cli)} | {_fmt(r['trace_first_screen_ms'], '.0f')} | "
                         f"{_fmt(r['trace_finished_ms'], '.0f')} | {_fmt(trace_ratio)} |")
    lines += ["", "Targets: first screen ÷ folder ≤ 0.6 (ideal 0.5); first screen ≤ 1.5 × the CLI "
              "on just those pictures.", ""]
    return "\n".join(lines)


def write(text, data, out):
    with open(out, "w") as f:
        f.write(text)
    with open(os.path.splitext(out)[0] + ".json", "w") as f:
        json.dump(data, f, indent=1, default=str)
