#!/usr/bin/env python3
"""Prints the Debian 12 and GNOME 51 results side by side, as markdown.

    bench/side-by-side.py [bench/results.json [bench/results-forky.json]]
    bench/side-by-side.py --labels BEFORE,AFTER A.json B.json

The two files are what `bench/run.sh` and `build-aux/modern-stack.sh
bench/run.sh` write. With --labels, two runs on one stack (before and after
a change, say): the columns get those names and the window's GL rows
compare the same renderer. Only the standard library and bench.py's own
summaries.
"""

import json
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (the harness: its summaries and names)

# The window's GL renderer on each stack: GTK 4.8's default under Xvfb, and
# GTK 4.24's `gl` (its default tries Vulkan first), both on Mesa's llvmpipe.
GL = ("default", "gl")
LABELS = ("Debian 12", "GNOME 51")


def load(path):
    with open(path) as f:
        return json.load(f)


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def header(a, b):
    lines = []
    for label, r in zip(LABELS, (a, b)):
        m = r["machine"]
        loads = [run_.get("load1") for s in r["sets"].values() for c in s["contenders"] for run_ in c["runs"]]
        loads += [w.get("load1") for w in r.get("window", [])]
        loads = [x for x in loads if x is not None]
        lines.append(f"* **{label}**: {m['date']}, commit {m['commit']}, {m['os']}; GTK {m['versions']['GTK']}, "
                     f"gdk-pixbuf {m['versions']['gdk-pixbuf']}"
                     + (f", glycin {m['versions']['glycin']} (bubblewrap {m['bwrap']})" if m["versions"].get("glycin")
                        else "")
                     + f"; {r['reps']} repetitions; load average at start {m['load_start']}, at end "
                     f"{m.get('load_end', '?')}; 1-minute load before the runs "
                     f"{min(loads):.1f}–{max(loads):.1f} (median {statistics.median(loads):.1f}).")
    return lines


def sets_table(a, b):
    out = ["| set | contender | wall s | ms per file | × fastest peer | CPU s | peak RSS MiB, sum | ok |",
           "|---|---|---|---|---|---|---|---|"]

    def pair(x, y, spec):
        return f"{bench.fmt(x, spec)} / {bench.fmt(y, spec)}"

    for set_name in [s for s in a["sets"] if s in b["sets"]]:
        ra, fa, _, _ = bench.summarize_set(a["sets"][set_name])
        rb, fb, _, _ = bench.summarize_set(b["sets"][set_name])
        names = list(dict.fromkeys([r["name"] for r in ra] + [r["name"] for r in rb]))
        for name in names:
            x = next((r for r in ra if r["name"] == name), {})
            y = next((r for r in rb if r["name"] == name), {})
            stars = ("*" if fa and fa["name"] == name else "", "*" if fb and fb["name"] == name else "")
            ok = " / ".join(f"{r['made']}/{r['expected']}" if r else "–" for r in (x, y))
            out.append(f"| {set_name} | {name} | {pair(x.get('wall'), y.get('wall'), '.2f')} | "
                       f"{pair(x.get('ms_per_file'), y.get('ms_per_file'), '.0f')} | "
                       f"{bench.fmt(x.get('x_wall'))}{stars[0]} / {bench.fmt(y.get('x_wall'))}{stars[1]} | "
                       f"{pair(x.get('cpu'), y.get('cpu'), '.2f')} | "
                       f"{pair(x.get('tree_rss') or None, y.get('tree_rss') or None, '.0f')} | {ok} |")
    return out


def scale_table(a, b):
    out = ["| files | run | wall s | CPU s | peak RSS MiB |", "|---|---|---|---|---|"]
    keys = list(dict.fromkeys((r["files"], r["run"]) for r in a.get("cli_scale", []) + b.get("cli_scale", [])))
    for files, run_ in keys:
        cells = []
        for what in ("wall", "cpu", "rss_kib"):
            vals = []
            for r in (a, b):
                rs = [x for x in r.get("cli_scale", []) if x["files"] == files and x["run"] == run_]
                v = (max(x[what] for x in rs) / 1024 if what == "rss_kib" else med([x[what] for x in rs])) \
                    if rs else None
                vals.append(bench.fmt(v, ".0f" if what == "rss_kib" else ".2f"))
            cells.append(" / ".join(vals))
        out.append(f"| {files:,} | {run_} | " + " | ".join(cells) + " |")
    return out


def window_table(a, b):
    out = ["| folder | opened | run | renderer | first thumbnail ms | finished ms | window peak RSS MiB "
           f"| stall max / p99 ms, {LABELS[0]} | stall max / p99 ms, {LABELS[1]} "
           f"| frame median / p99 ms, {LABELS[0]} | frame median / p99 ms, {LABELS[1]} |",
           "|---|---|---|---|---|---|---|---|---|---|---|"]
    keys = list(dict.fromkeys((r["folder"], r.get("opened", "launch"), r["run"])
                              for r in a.get("window", []) + b.get("window", [])))
    for renderer_pair, label in ((GL, "GL (Mesa llvmpipe)"), (("cairo", "cairo"), "cairo")):
        for folder, how, run_ in keys:
            cols = []
            for r, renderer in zip((a, b), renderer_pair):
                cols.append([w for w in r.get("window", []) if w["folder"] == folder
                             and w.get("opened", "launch") == how and w["run"] == run_ and w["renderer"] == renderer])
            if not any(cols):
                continue

            def pair(fn):
                return " / ".join(bench.fmt(fn(rs), ".0f") if rs else "–" for rs in cols)

            def both(rs, first, second, fn_first, fn_second):
                if not rs:
                    return "–"
                return (f"{bench.fmt(fn_first([w.get(first) for w in rs]), '.0f')} / "
                        f"{bench.fmt(fn_second([w.get(second) for w in rs]), '.0f')}")
            stalls = [both(rs, "stall_max_ms", "stall_p99_ms", bench.max_or_none, bench.max_or_none) for rs in cols]
            frames = [both(rs, "frame_median_ms", "frame_p99_ms", med, bench.max_or_none) for rs in cols]
            out.append(f"| {folder} | {bench.OPENED_NAMES[how]} | {run_} | {label} | "
                       f"{pair(lambda rs: med([w['first_ms'] for w in rs]))} | "
                       f"{pair(lambda rs: med([w['finished_ms'] for w in rs]))} | "
                       f"{pair(lambda rs: max(w['hwm_kib'] for w in rs) / 1024)} | "
                       f"{stalls[0]} | {stalls[1]} | {frames[0]} | {frames[1]} |")
    return out


def main():
    global GL, LABELS
    here = os.path.dirname(os.path.abspath(__file__))
    args = sys.argv[1:]
    gl_note = "GL: GTK 4.8's default / GTK 4.24's `gl`, both on Mesa's llvmpipe"
    if args[:1] == ["--labels"] and len(args) >= 2:
        LABELS = tuple(args[1].split(",", 1))
        GL = ("default", "default")
        gl_note = "GL: GTK's default renderer on Mesa's llvmpipe in both"
        args = args[2:]
    paths = args or [os.path.join(here, "results.json"), os.path.join(here, "results-forky.json")]
    if len(paths) == 1:
        paths.append(os.path.join(here, "results-forky.json"))
    a, b = load(paths[0]), load(paths[1])
    out = header(a, b)
    out += ["", f"Each cell: {LABELS[0]} / {LABELS[1]}.", ""]
    out += sets_table(a, b)
    if a.get("cli_scale") or b.get("cli_scale"):
        out += ["", "contact-sheet-cli at scale:", ""] + scale_table(a, b)
    if a.get("window") or b.get("window"):
        out += ["", f"The window ({gl_note}):", ""] + window_table(a, b)
    print("\n".join(out))


if __name__ == "__main__":
    main()
