#!/usr/bin/env python3
"""The Contact Sheet benchmark harness: run through bench/run.sh.

Builds (or reuses) a corpus of real wallpapers and generated pictures, runs
contact-sheet-cli and its peers side by side (interleaved, several
repetitions), measures the window under Xvfb, and prints a markdown table
that is also written to a results file.  Targets are reported, never
asserted: the exit status is 0 whenever every run could be made.

Only the standard library; the external tools are installed by run.sh.
"""

import argparse
import datetime
import hashlib
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

import onscreen

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

# Bump when the recipe of the corpus changes: a new folder is then made.
CORPUS_VERSION = "2"

WALLPAPER_PACKAGES = (
    "mate-backgrounds",
    "plasma-workspace-wallpapers",
    "ukui-wallpapers",
    "lomiri-wallpapers-20.04",
    "gnome-backgrounds",
)
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp")
MIN_PIXELS = 1_000_000          # leaves out the 0.1 MP previews and screenshots
CAMERA_COUNT = 24               # generated 6000x4000 camera-style JPEGs
CAMERA_SIZE = (6000, 4000)
CAMERA_ORIENTATIONS = (1, 6, 8, 3)
CAMERA_MODELS = (("Canon", "Canon EOS 5D Mark IV"), ("NIKON CORPORATION", "NIKON D750"),
                 ("SONY", "ILCE-7M3"), ("FUJIFILM", "X-T3"))
SMALL_COUNT = 20                # distinct pictures behind the scale folders
SMALL_SIDE = 640                # their longest side, in pixels
SCALES = (100, 10_000, 100_000)
PHOTO_FOLDER_SIZE = 10_000      # hard links to the real photos, for the window

JOBS = 2                        # every contender: 2 parallel jobs
THUMB = 128                     # the "normal" size of the freedesktop cache
VIPS_BATCH = 8                  # files per vipsthumbnail process

# The set of formats that GdkPixbuf's classic loaders decode on Debian 12
# and glycin's loaders on newer stacks: GIF, TIFF and BMP made from the
# mixed set's photos (the first FORMAT_SOURCES of at least 4 MP, by name,
# shrunk to the side given), and the SVG wallpapers of the same packages.
# Its own folder and version, so that adding it did not remake the rest.
FORMATS_VERSION = "1"
FORMAT_SOURCES = 6
FORMAT_RECIPES = (("GIF", ".gif", 2000, ["-colors", "256"]),
                  ("TIFF", ".tif", 4000, ["-compress", "LZW"]),
                  ("BMP", ".bmp", 3000, ["-type", "TrueColor"]))
MIN_SVG_BYTES = 10_000          # leaves out the flat colour-and-blob SVGs

PEERS = ("gdk-pixbuf-thumbnailer", "glycin-thumbnailer", "vipsthumbnail", "ImageMagick convert")
CLI_COLD_DIR = "contact-sheet-cli cold → empty folder"
CLI_COLD_CACHE = "contact-sheet-cli cold → empty cache"
CLI_WARM = "contact-sheet-cli warm (cache valid)"
CLI_IN_PROCESS = "contact-sheet-cli cold → empty cache, decoding in-process"
DJPEG = "djpeg -scale 1/8 (decode floor)"

START = time.monotonic()


def log(message):
    elapsed = int(time.monotonic() - START)
    print(f"[{elapsed // 60:02d}:{elapsed % 60:02d}] {message}", file=sys.stderr, flush=True)


def run(argv, **kwargs):
    """Runs a helper command (not a measured one), failing loudly."""
    kwargs.setdefault("check", True)
    return subprocess.run(argv, **kwargs)


def output(argv, stderr=None):
    return subprocess.run(argv, check=True, stdout=subprocess.PIPE, stderr=stderr, text=True).stdout


def rmtree(path):
    if os.path.lexists(path):
        shutil.rmtree(path)


def fresh_dir(path):
    rmtree(path)
    os.makedirs(path)
    return path


# ---------------------------------------------------------------- corpus

def corpus_name(path):
    """A short unique file name for a wallpaper, from its path."""
    rel = path.split("/usr/share/", 1)[-1]
    skip = {"backgrounds", "wallpapers", "contents", "images"}
    parts = [p for p in rel.split("/") if p not in skip]
    return "-".join(parts).replace(" ", "_")


def identify(paths):
    """(format, width, height) of each file, in one ImageMagick call."""
    result = {}
    chunk = 64
    for i in range(0, len(paths), chunk):
        part = paths[i:i + chunk]
        text = output(["identify", "-ping", "-format", "%m %w %h\n"] + [p + "[0]" for p in part],
                      stderr=subprocess.DEVNULL)
        lines = text.splitlines()
        if len(lines) != len(part):
            # An unreadable file: fall back to one call each.
            for p in part:
                try:
                    line = output(["identify", "-ping", "-format", "%m %w %h\n", p + "[0]"],
                                  stderr=subprocess.DEVNULL).splitlines()[0]
                    fmt, w, h = line.split()
                    result[p] = (fmt, int(w), int(h))
                except (subprocess.CalledProcessError, IndexError, ValueError):
                    pass
            continue
        for p, line in zip(part, lines):
            fmt, w, h = line.split()
            result[p] = (fmt, int(w), int(h))
    return result


def wallpaper_files():
    found = set()
    for pkg in WALLPAPER_PACKAGES:
        listing = output(["dpkg", "-L", pkg])
        for line in listing.splitlines():
            if line.lower().endswith(IMAGE_EXTENSIONS) and os.path.isfile(line):
                found.add(os.path.realpath(line))
    return sorted(found)


def sha1(path):
    h = hashlib.sha1()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def link_or_copy(src, dst):
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


def make_camera_picture(src, dst, index, tmp):
    """A 24 MP camera-style JPEG: upscaled generated picture with sensor-like
    noise (so it compresses like a photo), 4:2:0, quality 92, and the EXIF a
    camera writes: make, model, date, exposure, orientation and a 160x120
    embedded thumbnail."""
    w, h = CAMERA_SIZE
    env = dict(os.environ, MAGICK_THREAD_LIMIT="1")
    run(["/usr/bin/convert", src, "-resize", f"{w}x{h}^", "-gravity", "center",
         "-extent", f"{w}x{h}", "-attenuate", "0.6", "+noise", "Gaussian",
         "-sampling-factor", "2x2", "-quality", "92", dst], env=env)
    thumb = os.path.join(tmp, f"exif-thumb-{index}.jpg")
    run(["/usr/bin/convert", dst, "-thumbnail", "160x120", "-quality", "80", thumb], env=env)
    make, model = CAMERA_MODELS[index % len(CAMERA_MODELS)]
    orientation = CAMERA_ORIENTATIONS[index % len(CAMERA_ORIENTATIONS)]
    run(["exiftool", "-q", "-overwrite_original",
         f"-Make={make}", f"-Model={model}",
         f"-DateTimeOriginal=2024:06:{1 + index:02d} 12:{index:02d}:00",
         f"-CreateDate=2024:06:{1 + index:02d} 12:{index:02d}:00",
         "-ExposureTime=1/250", "-FNumber=5.6", "-ISO=200", "-FocalLength=50",
         f"-Orientation#={orientation}", f"-ThumbnailImage<={thumb}", dst])
    os.unlink(thumb)


def build_corpus(cache_root, gen_images, shared=None):
    """Makes the corpus once; later runs reuse it (it is keyed by
    CORPUS_VERSION). A corpus in `shared` (another stack's, mounted read-only)
    is used instead when it exists, so that both stacks measure the same files."""
    root = os.path.join(cache_root, f"corpus-v{CORPUS_VERSION}")
    for where in ([os.path.join(shared, f"corpus-v{CORPUS_VERSION}")] if shared else []) + [root]:
        manifest_path = os.path.join(where, "manifest.json")
        if os.path.exists(manifest_path):
            with open(manifest_path) as f:
                manifest = json.load(f)
            log(f"corpus: reusing {where}")
            return where, manifest

    log(f"corpus: making {root} (once; later runs reuse it)")
    tmp = fresh_dir(root + ".partial")
    manifest = {"version": CORPUS_VERSION, "sets": {}}

    # Real photos and artwork from Debian's wallpaper packages.
    files = wallpaper_files()
    info = identify(files)
    seen = set()
    chosen = []
    for path in files:
        if path not in info:
            continue
        fmt, w, h = info[path]
        if w * h < MIN_PIXELS:
            continue
        digest = sha1(path)
        if digest in seen:
            continue
        seen.add(digest)
        chosen.append((path, fmt, w, h))
    names = set()
    for sub in ("jpeg", "mixed"):
        os.makedirs(os.path.join(tmp, sub))
    entries = {"jpeg": [], "mixed": []}
    for path, fmt, w, h in chosen:
        name = corpus_name(path)
        while name in names:
            name = "x" + name
        names.add(name)
        mixed = os.path.join(tmp, "mixed", name)
        shutil.copyfile(path, mixed)
        entry = {"name": name, "format": fmt, "width": w, "height": h,
                 "bytes": os.path.getsize(path), "source": path}
        entries["mixed"].append(entry)
        if fmt == "JPEG":
            link_or_copy(mixed, os.path.join(tmp, "jpeg", name))
            entries["jpeg"].append(entry)

    # Camera-style 24 MP JPEGs with EXIF, from generated pictures.
    src = fresh_dir(os.path.join(tmp, "camera-src"))
    run([gen_images, src, str(CAMERA_COUNT)], stdout=subprocess.DEVNULL)
    sources = sorted(os.listdir(src))[:CAMERA_COUNT]
    cam = fresh_dir(os.path.join(tmp, "camera"))
    log(f"corpus: making {len(sources)} camera-style {CAMERA_SIZE[0]}x{CAMERA_SIZE[1]} JPEGs")
    jobs = []
    with ThreadPoolExecutor(max_workers=JOBS) as pool:
        for i, name in enumerate(sources):
            dst = os.path.join(cam, f"IMG_{1001 + i:04d}.JPG")
            jobs.append(pool.submit(make_camera_picture, os.path.join(src, name), dst, i, tmp))
        for job in jobs:
            job.result()
    rmtree(src)
    entries["camera"] = []
    for i, name in enumerate(sorted(os.listdir(cam))):
        entries["camera"].append({"name": name, "format": "JPEG", "width": CAMERA_SIZE[0],
                                  "height": CAMERA_SIZE[1],
                                  "bytes": os.path.getsize(os.path.join(cam, name)),
                                  "orientation": CAMERA_ORIENTATIONS[i % len(CAMERA_ORIENTATIONS)]})

    # Small generated pictures, hard-linked many times over for the scale runs.
    src = fresh_dir(os.path.join(tmp, "small-src"))
    run([gen_images, src, str(SMALL_COUNT)], stdout=subprocess.DEVNULL)
    small = fresh_dir(os.path.join(tmp, "small"))
    for name in sorted(os.listdir(src)):
        args = ["/usr/bin/convert", os.path.join(src, name), "-resize", f"{SMALL_SIDE}x{SMALL_SIDE}>"]
        if name.lower().endswith((".jpg", ".jpeg")):
            args += ["-quality", "85"]
        run(args + [os.path.join(small, name)])
    rmtree(src)
    small_names = sorted(os.listdir(small))
    small_info = identify([os.path.join(small, n) for n in small_names])
    manifest["small"] = [{"name": n, "format": small_info[os.path.join(small, n)][0],
                          "width": small_info[os.path.join(small, n)][1],
                          "height": small_info[os.path.join(small, n)][2],
                          "bytes": os.path.getsize(os.path.join(small, n))} for n in small_names]
    for count in SCALES:
        folder = fresh_dir(os.path.join(tmp, f"scale-{count}"))
        log(f"corpus: {count} hard links in {os.path.basename(folder)}")
        for i in range(count):
            name = small_names[i % len(small_names)]
            os.link(os.path.join(small, name), os.path.join(folder, f"{i:06d}-{name}"))

    # The real photos, hard-linked to 10,000 names, for the window.
    photos = fresh_dir(os.path.join(tmp, f"photos-{PHOTO_FOLDER_SIZE}"))
    mixed_names = [e["name"] for e in entries["mixed"]]
    for i in range(PHOTO_FOLDER_SIZE):
        name = mixed_names[i % len(mixed_names)]
        os.link(os.path.join(tmp, "mixed", name), os.path.join(photos, f"{i:05d}-{name}"))

    manifest["sets"] = entries
    with open(os.path.join(tmp, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    rmtree(root)
    os.rename(tmp, root)
    for old in os.listdir(cache_root):       # corpora of older recipes
        if old.startswith("corpus-v") and old != os.path.basename(root):
            rmtree(os.path.join(cache_root, old))
    return root, manifest


def svg_size(path):
    """The width and height an SVG's root element gives (in pixels), which
    ImageMagick 6 cannot tell without its rsvg delegate."""
    with open(path, errors="replace") as f:
        head = f.read(4096)
    root = re.search(r"<svg\b[^>]*>", head, re.S).group(0)
    return tuple(int(float(re.search(rf'\b{attr}="([0-9.]+)', root).group(1))) for attr in ("width", "height"))


def build_formats(cache_root, corpus, manifest, shared=None):
    """The formats set (see FORMAT_RECIPES), made once from the corpus's
    mixed set and the wallpaper packages' SVGs; a shared one is preferred."""
    root = os.path.join(cache_root, f"formats-v{FORMATS_VERSION}")
    for where in ([os.path.join(shared, f"formats-v{FORMATS_VERSION}")] if shared else []) + [root]:
        manifest_path = os.path.join(where, "manifest.json")
        if os.path.exists(manifest_path):
            with open(manifest_path) as f:
                entries = json.load(f)
            log(f"formats: reusing {where}")
            return where, entries

    log(f"formats: making {root} (once; later runs reuse it)")
    tmp = fresh_dir(root + ".partial")
    entries = []
    photos = sorted((e for e in manifest["sets"]["mixed"]
                     if e["format"] == "JPEG" and e["width"] * e["height"] >= 4_000_000),
                    key=lambda e: e["name"])[:FORMAT_SOURCES]
    env = dict(os.environ, MAGICK_THREAD_LIMIT="1")
    for fmt_name, ext, side, options in FORMAT_RECIPES:
        for e in photos:
            name = os.path.splitext(e["name"])[0] + ext
            dst = os.path.join(tmp, name)
            run(["/usr/bin/convert", os.path.join(corpus, "mixed", e["name"]), "-resize", f"{side}x{side}>",
                 "-alpha", "off", *options, dst], env=env)
            entries.append({"name": name, "format": fmt_name, "bytes": os.path.getsize(dst)})
    seen = set()
    svgs = [p for pkg in WALLPAPER_PACKAGES for p in output(["dpkg", "-L", pkg]).splitlines()
            if p.endswith(".svg") and os.path.isfile(p) and os.path.getsize(p) >= MIN_SVG_BYTES]
    for path in sorted(set(svgs)):
        digest = sha1(path)
        if digest in seen:
            continue
        seen.add(digest)
        name = corpus_name(path)
        shutil.copyfile(path, os.path.join(tmp, name))
        entries.append({"name": name, "format": "SVG", "bytes": os.path.getsize(path), "source": path})
    info = identify([os.path.join(tmp, e["name"]) for e in entries if e["format"] != "SVG"])
    for e in entries:
        if e["format"] == "SVG":
            e["width"], e["height"] = svg_size(os.path.join(tmp, e["name"]))
        else:
            _, e["width"], e["height"] = info[os.path.join(tmp, e["name"])]
    with open(os.path.join(tmp, "manifest.json"), "w") as f:
        json.dump(entries, f, indent=1)
    rmtree(root)
    os.rename(tmp, root)
    return root, entries


# ---------------------------------------------------------------- measuring

def descendants(pid):
    """Every live descendant of pid (through /proc/PID/task/*/children)."""
    found = []
    stack = [pid]
    while stack:
        p = stack.pop()
        try:
            tasks = os.listdir(f"/proc/{p}/task")
        except OSError:
            continue
        for t in tasks:
            try:
                with open(f"/proc/{p}/task/{t}/children") as f:
                    kids = [int(k) for k in f.read().split()]
            except OSError:
                continue
            found.extend(kids)
            stack.extend(kids)
    return found


PAGE = os.sysconf("SC_PAGE_SIZE")


def load1():
    """The 1-minute load average: other work on the machine skews wall times."""
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * PAGE // 1024
    except (OSError, IndexError, ValueError):
        return 0


def program_name(pid):
    """The name of the program a process runs now (not cut to 15
    characters as its comm is), or None once it is gone."""
    try:
        return os.path.basename(os.readlink(f"/proc/{pid}/exe"))
    except OSError:
        return None


class TreeSampler(threading.Thread):
    """Samples the summed RSS of every process under a pid every 50 ms: what
    the xargs contenders hold at once, which ru_maxrss cannot tell. It also
    keeps the names of the processes it saw (the decoder helpers, glycin's
    loaders, bwrap), so the report can say what the sum counted. Orphans of
    the run stay in the tree: cs-time is their subreaper."""

    def __init__(self, pid, interval=0.05):
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak = 0
        self.names = {}      # comm -> largest RSS seen, KiB
        self.stopping = threading.Event()

    def run(self):
        while not self.stopping.is_set():
            total = 0
            for p in descendants(self.pid):
                kib = rss_kib(p)
                total += kib
                name = program_name(p)
                if name:
                    self.names[name] = max(self.names.get(name, 0), kib)
            self.peak = max(self.peak, total)
            self.stopping.wait(self.interval)

    def stop(self):
        self.stopping.set()
        self.join()


TIMER = None     # bench/cs-time, built by build_timer()
ONLY = None      # --only: a regular expression on contender names


def build_timer(work):
    """Compiles bench/cs-time.c, static if the C library allows, into the
    work folder: GNU time's figures without GNU time's start-up in them."""
    src = os.path.join(HERE, "cs-time.c")
    dst = os.path.join(work, "cs-time")
    cc = os.environ.get("CC") or "cc"
    error = ""
    for extra in (["-static"], []):
        r = subprocess.run([cc, "-O2", *extra, "-o", dst, src], capture_output=True, text=True)
        if r.returncode == 0:
            return dst
        error = r.stderr.strip()
    sys.exit(f"bench: cannot build {src}: {error}")


def measure(argv, *, cwd, env, prefix, timeout=3600):
    """Runs argv under bench/cs-time: wall (monotonic clock, taken by
    cs-time around its fork and wait), user+sys of the whole tree and the
    largest single process's peak RSS (from wait4 and getrusage, as GNU
    time's %U %S %M; orphans included, since cs-time is their subreaper),
    and the sampled sum."""
    timefile = prefix + ".time"
    load = load1()
    cmd = [TIMER, timefile] + argv
    timed_out = False
    with open(prefix + ".out", "wb") as out, open(prefix + ".err", "wb") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=err,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        sampler = TreeSampler(proc.pid)
        sampler.start()
        # A blocking wait, with the time limit on a timer: Popen.wait() with
        # a timeout polls with sleeps that double up to 50 ms, which added
        # up to 16 ms to a run of 15 ms.
        expired = threading.Event()

        def expire():
            expired.set()
            os.killpg(proc.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, expire)
        timer.start()
        rc = proc.wait()
        outer_wall = time.perf_counter() - t0
        timer.cancel()
        timed_out = expired.is_set()
        sampler.stop()
    try:
        with open(timefile) as f:
            fields = f.read().split()
        wall, user, sys_, maxrss = float(fields[0]), float(fields[1]), float(fields[2]), int(fields[3])
    except (OSError, IndexError, ValueError):
        # Killed at the time-out: the timer wrote nothing.
        wall, user, sys_, maxrss = outer_wall, 0.0, 0.0, 0
    return {"wall": wall, "user": user, "sys": sys_, "cpu": user + sys_,
            "rss_kib": maxrss, "tree_rss_kib": sampler.peak, "processes": sampler.names, "rc": rc, "timed_out": timed_out,
            "load1": load}


SUMMARY = re.compile(r"(\d+) thumbnails? \((\d+) reused\), (\d+) failed, (\d+) bytes written")


def cli_summary(prefix):
    with open(prefix + ".err", errors="replace") as f:
        lines = [line for line in f.read().splitlines() if line.strip()]
    for line in reversed(lines):
        m = SUMMARY.search(line)
        if m:
            made, reused, failed, written = (int(g) for g in m.groups())
            return {"done": made, "reused": reused, "failed": failed, "bytes": written}
    return {"done": 0, "reused": 0, "failed": 0, "bytes": 0, "error": lines[-1] if lines else "no output"}


def count_files(folder):
    total = 0
    for _, _, files in os.walk(folder):
        total += len(files)
    return total


def base_env(work):
    env = dict(os.environ)
    for var in ("XDG_CACHE_HOME", "CONTACT_SHEET_TRACE", "GSK_RENDERER"):
        env.pop(var, None)
    env.update({
        "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8", "LANGUAGE": "",
        # Two processes already fill the two cores: no extra threads inside each.
        "VIPS_CONCURRENCY": "1", "MAGICK_THREAD_LIMIT": "1", "OMP_NUM_THREADS": "1",
        "XDG_CONFIG_HOME": os.path.join(work, "xdg-config"),
        "XDG_DATA_HOME": os.path.join(work, "xdg-data"),
    })
    return env


# ---------------------------------------------------------------- contenders

class Contender:
    def __init__(self, name, kind, setup, program=None):
        self.name = name
        self.kind = kind        # ours | warm | compare | peer | floor
        self.setup = setup      # (run_dir) -> (argv, cwd, env, check)
        self.program = program  # left out where this program is not installed


def set_contenders(set_name, folder, names, jpeg_names, bins, work, env):
    lists = fresh_dir(os.path.join(work, "lists", set_name))
    all_list = os.path.join(lists, "all.txt")
    jpeg_list = os.path.join(lists, "jpeg.txt")
    with open(all_list, "w") as f:
        f.write("".join(n + "\n" for n in names))
    with open(jpeg_list, "w") as f:
        f.write("".join(n + "\n" for n in jpeg_names))
    # glycin-thumbnailer takes a URI, not a path.
    uri_list = os.path.join(lists, "uris.txt")
    with open(uri_list, "w") as f:
        f.write("".join(urllib.parse.quote(n) + "\n" for n in names))
    cli = bins["cli"]
    warm_cache = os.path.join(work, f"warm-cache-{set_name}")
    n = len(names)

    def cold_dir(run_dir):
        out = fresh_dir(os.path.join(run_dir, "out"))
        argv = [cli, "-s", str(THUMB), "-o", out, "-j", str(JOBS), "-q", folder]

        def check(prefix):
            s = cli_summary(prefix)
            return {"made": count_files(out), "failed": s["failed"], "bytes": s["bytes"]}
        return argv, folder, env, check

    def cold_cache(run_dir):
        cache = fresh_dir(os.path.join(run_dir, "cache"))
        argv = [cli, "-j", str(JOBS), "-q", folder]

        def check(prefix):
            s = cli_summary(prefix)
            return {"made": count_files(os.path.join(cache, "thumbnails")), "failed": s["failed"],
                    "bytes": s["bytes"]}
        return argv, folder, dict(env, XDG_CACHE_HOME=cache), check

    def cold_other(label, other_cli, other_decoder):
        def setup(run_dir):
            argv, cwd, cenv, check = cold_cache(run_dir)
            return [other_cli] + argv[1:], cwd, dict(cenv, CONTACT_SHEET_DECODER=other_decoder), check
        return setup

    def cold_in_process(run_dir):
        argv, cwd, cenv, check = cold_cache(run_dir)
        cenv = dict(cenv)
        cenv.pop("CONTACT_SHEET_DECODER", None)
        return argv, cwd, cenv, check

    def warm(run_dir):
        argv = [cli, "-j", str(JOBS), "-q", folder]

        def check(prefix):
            s = cli_summary(prefix)
            return {"made": s["reused"], "failed": s["failed"], "bytes": s["bytes"],
                    "rewritten": s["done"] - s["reused"]}
        return argv, folder, dict(env, XDG_CACHE_HOME=warm_cache), check

    def xargs(list_file, per_call, command):
        return ["xargs", "-a", list_file, "-d", "\n", "-P", str(JOBS)] + per_call + command

    def peer(per_call, command, list_file=all_list):
        def setup(run_dir):
            out = fresh_dir(os.path.join(run_dir, "out"))
            argv = xargs(list_file, per_call, [c.replace("OUT", out) for c in command])

            def check(prefix):
                made = count_files(out)
                expected = len(jpeg_names) if list_file == jpeg_list else n
                return {"made": made, "failed": expected - made}
            return argv, folder, env, check
        return setup

    def djpeg(run_dir):
        argv = xargs(jpeg_list, ["-n", "1"], ["djpeg", "-scale", "1/8", "-outfile", "/dev/null"])

        def check(prefix):
            return {"made": len(jpeg_names), "failed": 0}
        return argv, folder, env, check

    contenders = [
        Contender(CLI_COLD_DIR, "ours", cold_dir),
        Contender(CLI_COLD_CACHE, "ours", cold_cache),
        Contender(CLI_IN_PROCESS, "ours", cold_in_process),
        Contender(CLI_WARM, "warm", warm),
        Contender("gdk-pixbuf-thumbnailer", "peer",
                  peer(["-I", "{}"], ["gdk-pixbuf-thumbnailer", "-s", str(THUMB), "{}", "OUT/{}.png"]),
                  program="gdk-pixbuf-thumbnailer"),
        Contender("glycin-thumbnailer", "peer",
                  peer(["-I", "{}"], ["glycin-thumbnailer", "--input", f"file://{urllib.parse.quote(folder)}/{{}}",
                                      "--output", "OUT/{}.png", "--size", str(THUMB)], uri_list),
                  program="glycin-thumbnailer"),
        Contender("vipsthumbnail", "peer",
                  peer(["-n", str(VIPS_BATCH)], ["vipsthumbnail", "-s", str(THUMB), "-o", "OUT/%s.jpg"])),
        Contender("ImageMagick convert", "peer",
                  peer(["-I", "{}"], ["/usr/bin/convert", "-define", f"jpeg:size={2 * THUMB}x{2 * THUMB}", "{}",
                                      "-thumbnail", f"{THUMB}x{THUMB}", "OUT/{}.jpg"])),
    ]
    if jpeg_names:
        contenders.append(Contender(DJPEG, "floor", djpeg))
    for label, other_cli, other_decoder in bins.get("compare", []):
        contenders.insert(2, Contender(f"{CLI_COLD_CACHE}, {label}", "compare",
                                       cold_other(label, other_cli, other_decoder)))
    # A peer that is not installed here (glycin-thumbnailer before GNOME 49)
    # is left out, and --only keeps the contenders whose names match.
    contenders = [c for c in contenders
                  if (c.program is None or shutil.which(c.program)) and (ONLY is None or ONLY.search(c.name))]
    return contenders, warm_cache


def bench_set(set_name, folder, entries, bins, work, env, reps):
    names = [e["name"] for e in entries]
    jpeg_names = [e["name"] for e in entries if e["format"] == "JPEG"]
    contenders, warm_cache = set_contenders(set_name, folder, names, jpeg_names, bins, work, env)

    # Untimed: the files into the page cache, the warm cache filled for the
    # warm runs, and every contender once on one file (its libraries loaded).
    for name in names:
        with open(os.path.join(folder, name), "rb") as f:
            while f.read(1 << 20):
                pass
    fresh_dir(warm_cache)
    subprocess.run([bins["cli"], "-j", str(JOBS), "-q", folder], env=dict(env, XDG_CACHE_HOME=warm_cache),
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    one = fresh_dir(os.path.join(work, "warmup-set"))
    first = jpeg_names[0] if jpeg_names else names[0]
    link_or_copy(os.path.join(folder, first), os.path.join(one, first))
    warmups, _ = set_contenders("warmup", one, [first], [first] if jpeg_names else [], bins, work, env)
    for c in warmups:
        run_dir = fresh_dir(os.path.join(work, "warmup"))
        argv, cwd, cenv, _ = c.setup(run_dir)
        subprocess.run(argv, cwd=cwd, env=cenv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=False, timeout=600)
    for d in ("warmup", "warmup-set", "warm-cache-warmup"):
        rmtree(os.path.join(work, d))

    results = {c.name: [] for c in contenders}
    logs = fresh_dir(os.path.join(work, "logs", set_name))
    for rep in range(reps):
        shift = rep % len(contenders)
        order = contenders[shift:] + contenders[:shift]
        for c in order:
            run_dir = fresh_dir(os.path.join(work, "run"))
            argv, cwd, cenv, check = c.setup(run_dir)
            prefix = os.path.join(logs, f"{re.sub(r'[^A-Za-z0-9]+', '_', c.name)}-{rep + 1}")
            r = measure(argv, cwd=cwd, env=cenv, prefix=prefix)
            r.update(check(prefix))
            results[c.name].append(r)
            log(f"{set_name} {rep + 1}/{reps}: {c.name}: {r['wall']:.2f} s wall, {r['cpu']:.2f} s CPU, "
                f"{r['rss_kib'] / 1024:.0f} MiB, {r['made']}/{len(jpeg_names) if c.kind == 'floor' else len(names)}")
            rmtree(run_dir)
    rmtree(warm_cache)
    return {"files": len(names), "jpeg_files": len(jpeg_names),
            "bytes": sum(e["bytes"] for e in entries),
            "formats": {f: sum(1 for e in entries if e["format"] == f) for f in sorted({e["format"] for e in entries})},
            "megapixels": [min(e["width"] * e["height"] for e in entries) / 1e6,
                           max(e["width"] * e["height"] for e in entries) / 1e6],
            "contenders": [{"name": c.name, "kind": c.kind, "runs": results[c.name]} for c in contenders]}


def bench_cli_scale(corpus, bins, work, env, scales, reps_for):
    rows = []
    logs = fresh_dir(os.path.join(work, "logs", "cli-scale"))
    for count in scales:
        folder = os.path.join(corpus, f"scale-{count}")
        for rep in range(reps_for(count)):
            cache = fresh_dir(os.path.join(work, "scale-cache"))
            cenv = dict(env, XDG_CACHE_HOME=cache)
            for label in ("cold", "warm"):
                prefix = os.path.join(logs, f"{count}-{label}-{rep + 1}")
                r = measure([bins["cli"], "-j", str(JOBS), "-q", folder], cwd=folder, env=cenv, prefix=prefix)
                r.update(cli_summary(prefix))
                r.update({"files": count, "run": label})
                rows.append(r)
                log(f"cli {count} files {label} {rep + 1}: {r['wall']:.2f} s, {r['cpu']:.2f} s CPU, "
                    f"{r['rss_kib'] / 1024:.0f} MiB, {r['done']} done ({r['reused']} reused), {r['failed']} failed")
            rmtree(cache)
    return rows


# ---------------------------------------------------------------- contact sheets

SHEET_COUNTS = (1_000, 10_000)
SHEET_GRID = "5x6"               # montage's -tile: the same 30 cells a page
MONTAGE_MAX = 1_000              # montage holds every image: not at 10,000


def sheet_folder(corpus, work, count):
    """The first @count names of scale-10000 (hard links to the small
    pictures), under a folder of their own."""
    source = os.path.join(corpus, "scale-10000")
    folder = fresh_dir(os.path.join(work, "sheet-sets", f"sheet-{count}"))
    for name in sorted(os.listdir(source))[:count]:
        link_or_copy(os.path.join(source, name), os.path.join(folder, name))
    return folder


def cached_thumbnails(cache):
    """The PNGs a run left in the cache (the larger flavour where the sheet's
    cells asked for it)."""
    found = []
    for flavour in ("normal", "large", "x-large", "xx-large"):
        d = os.path.join(cache, "thumbnails", flavour)
        if os.path.isdir(d):
            found += [os.path.join(d, n) for n in sorted(os.listdir(d)) if n.endswith(".png")]
    return found


def bench_sheet(corpus, bins, work, env, counts, reps):
    """A contact sheet of N pictures whose thumbnails are already cached:
    contact-sheet-cli --sheet to a PDF, against ImageMagick's montage laying
    the same cached thumbnails out into PNG pages of the same grid."""
    rows = []
    logs = fresh_dir(os.path.join(work, "logs", "sheet"))
    montage = shutil.which("montage")
    for count in counts:
        folder = sheet_folder(corpus, work, count)
        cache = fresh_dir(os.path.join(work, "sheet-cache"))
        cenv = dict(env, XDG_CACHE_HOME=cache)
        out_dir = fresh_dir(os.path.join(work, "sheet-out"))
        sheet = os.path.join(out_dir, "sheet.pdf")
        argv = [bins["cli"], "-j", str(JOBS), "-q", f"--grid={SHEET_GRID}", f"--sheet={sheet}", folder]
        # Untimed: fills the cache with what the sheet's cells ask for.
        subprocess.run(argv, cwd=folder, env=cenv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        thumbs = cached_thumbnails(cache)
        for rep in range(reps):
            prefix = os.path.join(logs, f"cli-{count}-{rep + 1}")
            if os.path.exists(sheet):
                os.unlink(sheet)
            r = measure(argv, cwd=folder, env=cenv, prefix=prefix)
            r.update(cli_summary(prefix))
            r.update({"files": count, "contender": "contact-sheet-cli --sheet (PDF)",
                      "output_bytes": os.path.getsize(sheet) if os.path.exists(sheet) else 0,
                      "pages": pdf_pages(sheet)})
            rows.append(r)
            log(f"sheet {count} files, PDF {rep + 1}: {r['wall']:.2f} s, {r['cpu']:.2f} s CPU, "
                f"{r['rss_kib'] / 1024:.0f} MiB, {r['pages']} pages, {r['output_bytes']:,} bytes")
            if montage and count <= MONTAGE_MAX:
                prefix = os.path.join(logs, f"montage-{count}-{rep + 1}")
                pages_dir = fresh_dir(os.path.join(out_dir, "montage"))
                r = measure([montage, "-tile", SHEET_GRID, "-geometry", f"{THUMB}x{THUMB}+4+4",
                             "-label", "%f", *thumbs, os.path.join(pages_dir, "page.png")],
                            cwd=out_dir, env=env, prefix=prefix)
                made = [n for n in os.listdir(pages_dir) if n.endswith(".png")]
                r.update({"files": count, "contender": f"ImageMagick montage (PNG pages, {len(thumbs)} cached thumbnails)",
                          "output_bytes": sum(os.path.getsize(os.path.join(pages_dir, n)) for n in made),
                          "pages": len(made)})
                rows.append(r)
                log(f"sheet {count} files, montage {rep + 1}: {r['wall']:.2f} s, {r['cpu']:.2f} s CPU, "
                    f"{r['rss_kib'] / 1024:.0f} MiB, {r['pages']} pages")
        rmtree(cache)
        rmtree(folder)
    return rows


def pdf_pages(path):
    try:
        info = output(["pdfinfo", path])
    except (OSError, subprocess.CalledProcessError):
        return None
    m = re.search(r"^Pages:\s+(\d+)", info, re.M)
    return int(m.group(1)) if m else None


# ---------------------------------------------------------------- the window

TRACE = re.compile(r"contact-sheet-trace: (open|first-thumbnail|finished) ?([0-9.]+)? ?(?:ms)?:? ?(.*)$")
# Printed when a batch ends: how late a 4 ms probe on the main loop ran.
STALLS = re.compile(r"contact-sheet-trace: main-loop stalls over (\d+) samples: max ([0-9.]+) ms, "
                    r"p99 ([0-9.]+) ms, median ([0-9.]+) ms")
# And how long GTK took to make each frame (update phase to after-paint):
# what the renderer costs, as opposed to the app's own work.
FRAMES = re.compile(r"contact-sheet-trace: frames over (\d+) samples: max ([0-9.]+) ms, "
                    r"p99 ([0-9.]+) ms, median ([0-9.]+) ms")


def proc_cpu_seconds(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def proc_status_kib(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


# Opened in a running window: the window starts on an empty folder; once
# that is done and the window has been on screen a second, a second
# `contact-sheet FOLDER` hands the folder to it over D-Bus, as a person
# choosing a folder does. What the trace says before that is not counted.
CHOSEN_SCRIPT = ('"$0" "$1" & while [ ! -e "$3" ]; do sleep 0.05; done; sleep 1; '
                 '"$0" "$2"; wait')


def run_window(app, folder, env, *, until, timeout, settle, prefix, chosen=False):
    """Opens the window on folder under a fresh Xvfb and session bus (at
    launch, or with `chosen` in the window already running); stops it
    `settle` seconds after the trace says `until` (first-thumbnail or
    finished), or at the time-out; returns the trace figures and the window
    process's peak RSS (VmHWM) and CPU time."""
    command = [app, folder]
    marker = None
    if chosen:
        empty = fresh_dir(prefix + ".empty")
        marker = prefix + ".ready"
        if os.path.exists(marker):
            os.unlink(marker)
        command = ["sh", "-c", CHOSEN_SCRIPT, app, empty, folder, marker]
    argv = ["xvfb-run", "-a", "-s", "-screen 0 1280x800x24", "dbus-run-session", "--"] + command
    events = {}
    stalls = {}
    frames = {}
    opens = [0]
    seen = threading.Event()
    logf = open(prefix + ".log", "w")
    proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True, text=True,
                            errors="replace", bufsize=1)

    def reader():
        for line in proc.stdout:
            logf.write(line)
            m = TRACE.search(line)
            if m and m.group(1) == "open":
                opens[0] += 1
            if chosen and opens[0] < 2:
                if m and m.group(1) == "finished" and not os.path.exists(marker):
                    open(marker, "w").close()
                continue
            m = STALLS.search(line)
            if m:
                stalls.update(samples=int(m.group(1)), max_ms=float(m.group(2)),
                              p99_ms=float(m.group(3)), median_ms=float(m.group(4)))
                continue
            m = FRAMES.search(line)
            if m:
                frames.update(samples=int(m.group(1)), max_ms=float(m.group(2)),
                              p99_ms=float(m.group(3)), median_ms=float(m.group(4)))
                continue
            m = TRACE.search(line)
            if m:
                what, ms, rest = m.groups()
                events[what] = {"ms": float(ms) if ms else None, "text": rest.strip(),
                                "at": time.monotonic()}
                if what == until or what == "finished":
                    seen.set()
    thread = threading.Thread(target=reader, daemon=True)
    thread.start()

    t0 = time.monotonic()
    load = load1()
    pid = None
    hwm = 0
    cpu = None
    while time.monotonic() - t0 < timeout and proc.poll() is None:
        if pid is None:
            for p in descendants(proc.pid):
                try:
                    with open(f"/proc/{p}/comm") as f:
                        if f.read().strip() == os.path.basename(app)[:15]:
                            pid = p
                            break
                except OSError:
                    pass
        if pid is not None:
            hwm = max(hwm, proc_status_kib(pid, "VmHWM") or 0)
            cpu = proc_cpu_seconds(pid) or cpu
        if seen.wait(0.2):
            break
    timed_out = not seen.is_set()
    if not timed_out:
        time.sleep(settle)
    if pid is not None:
        hwm = max(hwm, proc_status_kib(pid, "VmHWM") or 0)
        cpu = proc_cpu_seconds(pid) or cpu
        rss_now = proc_status_kib(pid, "VmRSS")
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    else:
        rss_now = None
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    thread.join(timeout=5)
    logf.close()
    first = events.get("first-thumbnail", {}).get("ms")
    finished = events.get("finished", {})
    return {"first_ms": first, "finished_ms": finished.get("ms"), "status": finished.get("text"),
            "hwm_kib": hwm, "rss_end_kib": rss_now, "cpu": cpu, "timed_out": timed_out,
            "elapsed": time.monotonic() - t0, "found_pid": pid is not None, "load1": load,
            "stall_max_ms": stalls.get("max_ms"), "stall_p99_ms": stalls.get("p99_ms"),
            "frame_median_ms": frames.get("median_ms"), "frame_p99_ms": frames.get("p99_ms")}


def bench_window(corpus, bins, work, env, args):
    # Mesa keeps the shaders it compiled for GL under XDG_CACHE_HOME, which
    # every cold run empties. A desktop where any GTK 4 app has run has them
    # already: keep them in a folder of their own, filled by an untimed run.
    shaders = os.path.join(work, "mesa-shader-cache")
    os.makedirs(shaders, exist_ok=True)
    wenv = dict(env, CONTACT_SHEET_TRACE="1", GSETTINGS_BACKEND="memory",
                GSETTINGS_SCHEMA_DIR=bins["schemas"], MESA_SHADER_CACHE_DIR=shaders)
    logs = fresh_dir(os.path.join(work, "logs", "window"))
    rows = []

    def one(renderer, label, folder_name, cache, until, timeout, rep, chosen=False):
        folder = os.path.join(corpus, folder_name)
        renv = dict(wenv, XDG_CACHE_HOME=cache)
        if renderer != "default":
            renv["GSK_RENDERER"] = renderer
        how = "chosen" if chosen else "launch"
        prefix = os.path.join(logs, f"{folder_name}-{renderer}-{how}-{label}-{rep}")
        r = run_window(bins["app"], folder, renv, until=until, timeout=timeout,
                       settle=args.settle if until == "finished" else 0.5, prefix=prefix, chosen=chosen)
        files = PHOTO_FOLDER_SIZE if folder_name.startswith("photos") else int(folder_name.split("-")[1])
        r.update({"folder": folder_name, "files": files, "run": label, "until": until, "renderer": renderer,
                  "opened": how})
        rows.append(r)
        log(f"window {folder_name} {renderer} {how} {label} {rep}: first-thumbnail {r['first_ms']} ms, "
            f"finished {r['finished_ms']} ms, peak RSS {r['hwm_kib'] / 1024:.0f} MiB"
            f"{' (timed out)' if r['timed_out'] else ''}")
        return r

    for renderer in args.renderers:
        reps = args.window_reps if renderer == args.renderers[0] else 1
        if renderer != "cairo":     # every GL (or Vulkan) renderer has shaders to compile
            cache = fresh_dir(os.path.join(work, "window-cache"))
            renv = dict(wenv, XDG_CACHE_HOME=cache)
            run_window(bins["app"], os.path.join(corpus, "scale-100"), renv, until="finished",
                       timeout=args.window_timeout, settle=0,
                       prefix=os.path.join(logs, "shader-warm-up"))
            rmtree(cache)
        # 100 and 10,000 small pictures: cold (empty cache), then warm, to the end.
        for count in (100, 10_000):
            if count not in args.scales:
                continue
            for rep in range(1, reps + 1):
                cache = fresh_dir(os.path.join(work, "window-cache"))
                one(renderer, "cold", f"scale-{count}", cache, "finished", args.window_timeout, rep)
                one(renderer, "warm", f"scale-{count}", cache, "finished", args.window_timeout, rep)
                rmtree(cache)
        # 10,000 small pictures again, chosen in a window already on screen.
        if 10_000 in args.scales:
            for rep in range(1, reps + 1):
                cache = fresh_dir(os.path.join(work, "window-cache"))
                one(renderer, "cold", "scale-10000", cache, "finished", args.window_timeout, rep, chosen=True)
                one(renderer, "warm", "scale-10000", cache, "finished", args.window_timeout, rep, chosen=True)
                rmtree(cache)
        # 10,000 names of real photos (2-24 MP): cold, stopped after the first thumbnail.
        for rep in range(1, reps + 1):
            cache = fresh_dir(os.path.join(work, "window-cache"))
            one(renderer, "cold", f"photos-{PHOTO_FOLDER_SIZE}", cache, "first-thumbnail", 120, rep)
            rmtree(cache)
    # 100,000 small pictures: cold, once, within the time-out, first renderer only.
    if 100_000 in args.scales:
        cache = fresh_dir(os.path.join(work, "window-cache"))
        one(args.renderers[0], "cold", "scale-100000", cache, "finished", args.window_timeout_100k, 1)
        rmtree(cache)
    return rows


# ---------------------------------------------------------------- report

def max_or_none(values):
    values = [v for v in values if v is not None]
    return max(values) if values else None


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def mib(kib):
    return None if kib is None else kib / 1024


def fmt(value, spec=".2f", none="–"):
    return none if value is None else format(value, spec)


def machine_info(build_dir):
    def sh(cmd):
        try:
            return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()
        except OSError:
            return ""
    model = ""
    for line in sh("lscpu").splitlines():
        if line.startswith("Model name:"):
            model = line.split(":", 1)[1].strip()
    mem = ""
    for line in sh("free -h").splitlines():
        if line.startswith("Mem:"):
            mem = line.split()[1]
    # A copy of the tree without its .git (build-aux/modern-stack.sh makes
    # one) has the commit in CS_SOURCE_COMMIT.
    commit = os.environ.get("CS_SOURCE_COMMIT") or sh(f"git -C {REPO} rev-parse --short HEAD")
    dirty = "" if os.environ.get("CS_SOURCE_COMMIT") else sh(
        f"git -C {REPO} status --porcelain --untracked-files=no -- src")
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": sh("nproc"), "cpu": model, "memory": mem, "kernel": sh("uname -r"),
        "os": sh(". /etc/os-release && echo $PRETTY_NAME"),
        "commit": commit + (" + uncommitted changes in src/" if dirty else ""),
        "versions": {
            "gdk-pixbuf": sh("dpkg-query -W -f='${Version}' libgdk-pixbuf-2.0-0"),
            "libvips": sh("vips --version"),
            "ImageMagick": sh("/usr/bin/convert -version | head -1 | awk '{print $3}'"),
            "libjpeg-turbo": sh("dpkg-query -W -f='${Version}' libjpeg62-turbo"),
            "GTK": sh("dpkg-query -W -f='${Version}' libgtk-4-1"),
            "glycin": sh("dpkg-query -W -f='${Version}' libglycin-2-0 2>/dev/null"),
        },
        # glycin sandboxes its loaders with bubblewrap where bwrap can make
        # a sandbox; in a chroot it cannot, and they run unsandboxed.
        "bwrap": "works" if subprocess.run(
            "bwrap --ro-bind / / --unshare-all --die-with-parent true", shell=True,
            capture_output=True).returncode == 0 else "cannot make a sandbox here",
        "load_start": sh("cat /proc/loadavg | cut -d' ' -f1-3"),
    }


def summarize_set(data):
    rows = []
    for c in data["contenders"]:
        runs = c["runs"]
        rows.append({
            "name": c["name"], "kind": c["kind"],
            "wall": median([r["wall"] for r in runs]), "wall_min": min(r["wall"] for r in runs),
            "wall_max": max(r["wall"] for r in runs),
            "cpu": median([r["cpu"] for r in runs]),
            "rss": mib(max(r["rss_kib"] for r in runs)),
            "tree_rss": mib(max(r["tree_rss_kib"] for r in runs)),
            "made": min(r["made"] for r in runs), "failed": max(r.get("failed", 0) for r in runs),
            "expected": data["jpeg_files"] if c["kind"] == "floor" else data["files"],
            "rewritten": max(r.get("rewritten", 0) for r in runs),
            "reps": len(runs),
        })
    # The fastest and leanest peer among those that made every thumbnail
    # (a peer that fails on a format is not faster for it); "–" without peers.
    peers = [r for r in rows if r["kind"] == "peer"]
    peers = [r for r in peers if r["made"] >= r["expected"]] or peers
    fastest = min(peers, key=lambda r: r["wall"]) if peers else None
    leanest = min(peers, key=lambda r: r["cpu"]) if peers else None
    cold_cache = next((r for r in rows if r["name"] == CLI_COLD_CACHE), None)
    fastest_min = min(r["wall_min"] for r in peers) if peers else None
    for r in rows:
        r["ms_per_file"] = 1000 * r["wall"] / r["expected"] if r["expected"] else None
        r["x_wall"] = r["wall"] / fastest["wall"] if fastest else None
        r["x_wall_min"] = r["wall_min"] / fastest_min if fastest else None
        r["x_cpu"] = r["cpu"] / leanest["cpu"] if leanest and leanest["cpu"] > 0 else None
        names = {}
        for run_ in next(c["runs"] for c in data["contenders"] if c["name"] == r["name"]):
            for name, kib in run_.get("processes", {}).items():
                names[name] = max(names.get(name, 0), kib)
        r["processes"] = names
    return rows, fastest, leanest, cold_cache


RENDERER_NAMES = {"default": "GTK's default (GL, Mesa software)", "cairo": "GSK_RENDERER=cairo",
                  "gl": "GSK_RENDERER=gl (Mesa software)", "ngl": "GSK_RENDERER=ngl (Mesa software)"}
OPENED_NAMES = {"launch": "at launch", "chosen": "in the running window"}

SET_TITLES = {
    "formats": "Formats set (GIF, TIFF, BMP, SVG: classic GdkPixbuf loaders or glycin)",
    "jpeg": "JPEG set",
    "mixed": "Mixed set (JPEG + PNG + WebP)",
    "camera": "Camera set (generated 24 MP JPEGs with EXIF)",
}


def report(results):
    m = results["machine"]
    out = []
    out.append(f"## Results: {m['date']}")
    out.append("")
    out.append(f"Machine: {m['nproc']} cores ({m['cpu']}), {m['memory']} memory, {m['os']}, kernel {m['kernel']}; "
               f"load average at start {m['load_start']}, at end {m.get('load_end', '?')}. "
               f"Contact Sheet {m['commit']}; gdk-pixbuf {m['versions']['gdk-pixbuf']}, {m['versions']['libvips']}, "
               f"ImageMagick {m['versions']['ImageMagick']}, libjpeg-turbo {m['versions']['libjpeg-turbo']}, "
               f"GTK {m['versions']['GTK']}"
               + (f", glycin {m['versions']['glycin']} (bubblewrap {m['bwrap']}"
                  + ("" if m["bwrap"] == "works" else ": glycin's loaders ran unsandboxed") + ")"
                  if m["versions"].get("glycin") else "")
               + f". Every contender runs {JOBS} jobs at once; {THUMB} px thumbnails; "
               f"medians of {results['reps']} interleaved repetitions. Whole run: {results['elapsed_min']:.1f} min.")
    out.append("")
    targets = []
    for set_name, data in results["sets"].items():
        rows, fastest, leanest, cold_cache = summarize_set(data)
        fm = ", ".join(f"{v} {k}" for k, v in data["formats"].items())
        out.append(f"### {SET_TITLES.get(set_name, set_name)}: {data['files']} files ({fm}), "
                   f"{data['bytes'] / 1e6:.0f} MB, {data['megapixels'][0]:.1f}–{data['megapixels'][1]:.1f} MP")
        out.append("")
        loads = [r.get("load1", 0) for c in data["contenders"] for r in c["runs"]]
        out.append(f"1-minute load average before the runs: {min(loads):.1f}–{max(loads):.1f} "
                   f"(median {statistics.median(loads):.1f}) on {m['nproc']} cores.")
        out.append("")
        out.append("| contender | wall s (min–max) | ms per file | CPU s | peak RSS MiB (sum) "
                   "| × fastest peer (on minima) | CPU × leanest peer | ok |")
        out.append("|---|---|---|---|---|---|---|---|")
        for r in rows:
            ok = f"{r['made']}/{r['expected']}"
            if r["failed"]:
                ok += f", {r['failed']} failed"
            if r["rewritten"]:
                ok += f", {r['rewritten']} rewritten"
            star = " *" if fastest and r["name"] == fastest["name"] else ""
            out.append(f"| {r['name']}{star} | {r['wall']:.2f} ({r['wall_min']:.2f}–{r['wall_max']:.2f}) | "
                       f"{fmt(r['ms_per_file'], '.0f')} | {r['cpu']:.2f} | "
                       f"{r['rss']:.0f} ({fmt(r['tree_rss'] or None, '.0f')}) | "
                       f"{fmt(r['x_wall'])} ({fmt(r['x_wall_min'])}) | {fmt(r['x_cpu'])} | {ok} |")
        warm = next((r for r in rows if r["name"] == CLI_WARM), None)
        out.append("")
        notes = []
        if fastest:
            notes.append("\\* fastest peer.")
        if warm and cold_cache:
            notes.append(f"Warm ÷ cold (cache): {warm['wall'] / cold_cache['wall']:.3f}.")
        if set_name == "mixed":
            notes.append("djpeg decodes the JPEG files only.")
        # What the sampled sum counted besides the contender itself: the
        # decoder helpers and glycin's loaders, with the largest RSS of one.
        seen = {}
        for r in rows:
            if r["kind"] in ("ours", "compare"):
                for name, kib in r["processes"].items():
                    if name != "cs-time":
                        seen[name] = max(seen.get(name, 0), kib)
        if seen:
            notes.append("Processes the sum counted under our CLI runs (largest RSS of one, MiB): "
                         + ", ".join(f"{n} {k / 1024:.0f}" for n, k in sorted(seen.items())) + ".")
        out.append(" ".join(notes))
        out.append("")
        if set_name in ("jpeg", "mixed") and fastest:
            for r in rows:
                if r["kind"] == "ours":
                    targets.append((f"{set_name}: {r['name']} ≤ 0.77 × fastest peer ({fastest['name']})",
                                    f"{r['x_wall']:.2f}× (on minima {r['x_wall_min']:.2f}×; CPU {fmt(r['x_cpu'])}×)",
                                    r["x_wall"] <= 0.77))
        if set_name in ("jpeg", "mixed") and warm and cold_cache:
            targets.append((f"{set_name}: warm ≤ 0.05 × cold (cache)",
                            f"{warm['wall'] / cold_cache['wall']:.3f}×", warm["wall"] / cold_cache["wall"] <= 0.05))

    if results.get("cli_scale"):
        out.append("### contact-sheet-cli at scale (hard links to "
                   f"{SMALL_COUNT} generated pictures ≤ {SMALL_SIDE} px, cold = empty cache, then warm)")
        out.append("")
        out.append("| files | run | wall s | CPU s | peak RSS MiB | files/s | done (reused), failed | load |")
        out.append("|---|---|---|---|---|---|---|---|")
        groups = {}
        for r in results["cli_scale"]:
            groups.setdefault((r["files"], r["run"]), []).append(r)
        for (files, run_), rs in groups.items():
            wall = median([r["wall"] for r in rs])
            out.append(f"| {files:,} | {run_} | {wall:.2f} | {median([r['cpu'] for r in rs]):.2f} | "
                       f"{mib(max(r['rss_kib'] for r in rs)):.0f} | {files / wall:,.0f} | "
                       f"{rs[-1]['done']} ({rs[-1]['reused']}), {rs[-1]['failed']} | "
                       f"{fmt(median([r.get('load1') for r in rs]), '.1f')} |")
        peak = max(mib(r["rss_kib"]) for r in results["cli_scale"])
        span = sorted({r["files"] for r in results["cli_scale"]})
        targets.append((f"CLI peak RSS ≤ 150 MiB, {span[0]:,} to {span[-1]:,} files",
                        f"{peak:.0f} MiB", peak <= 150))
        out.append("")

    if results.get("sheet"):
        out.append(f"### Contact sheets ({SHEET_GRID} a page, A4; the thumbnails already cached)")
        out.append("")
        out.append("| files | contender | wall s | CPU s | peak RSS MiB | pages | output MB | load |")
        out.append("|---|---|---|---|---|---|---|---|")
        groups = {}
        for r in results["sheet"]:
            groups.setdefault((r["files"], r["contender"]), []).append(r)
        for (files, name), rs in groups.items():
            out.append(f"| {files:,} | {name} | {median([r['wall'] for r in rs]):.2f} | "
                       f"{median([r['cpu'] for r in rs]):.2f} | {mib(max(r['rss_kib'] for r in rs)):.0f} | "
                       f"{fmt(rs[-1].get('pages'), '.0f')} | {rs[-1]['output_bytes'] / 1e6:.1f} | "
                       f"{fmt(median([r.get('load1') for r in rs]), '.1f')} |")
        ours = {f: median([r["wall"] for r in rs]) for (f, n), rs in groups.items() if n.startswith("contact-sheet")}
        theirs = {f: median([r["wall"] for r in rs]) for (f, n), rs in groups.items() if n.startswith("ImageMagick")}
        for files in sorted(set(ours) & set(theirs)):
            targets.append((f"sheet of {files:,}: ≤ 0.25 × montage", f"{ours[files] / theirs[files]:.2f}×",
                            ours[files] / theirs[files] <= 0.25))
        peak = max(mib(r["rss_kib"]) for r in results["sheet"] if r["contender"].startswith("contact-sheet"))
        targets.append(("sheet: peak RSS ≤ 150 MiB", f"{peak:.0f} MiB", peak <= 150))
        if len(ours) >= 2:
            small, large = min(ours), max(ours)
            per = [ours[small] / small, ours[large] / large]
            targets.append((f"sheet: linear, {small:,} to {large:,} files (time a file within 1.5×)",
                            f"{per[1] / per[0]:.2f}×", per[1] / per[0] <= 1.5))
        out.append("")

    if results.get("window"):
        out.append("### The window (Xvfb 1280×800; cold = empty cache, warm = the same cache again)")
        out.append("")
        out.append("| folder | renderer | opened | run | runs | first thumbnail ms | finished ms | window peak RSS MiB "
                   "| window CPU s | main-loop stall max / p99 ms | frame median / p99 ms | load |")
        out.append("|---|---|---|---|---|---|---|---|---|---|---|---|")
        groups = {}
        for r in results["window"]:
            groups.setdefault((r["folder"], r["renderer"], r.get("opened", "launch"), r["run"]), []).append(r)
        for (folder, renderer, how, run_), rs in groups.items():
            finished = median([r["finished_ms"] for r in rs])
            note = ""
            if any(r["timed_out"] for r in rs):
                note = f" (not finished in {max(r['elapsed'] for r in rs):.0f} s)"
            elif rs[0]["until"] == "first-thumbnail":
                note = " (stopped after the first)"
            out.append(f"| {folder} | {RENDERER_NAMES.get(renderer, renderer)} | {OPENED_NAMES[how]} | "
                       f"{run_} | {len(rs)} | "
                       f"{fmt(median([r['first_ms'] for r in rs]), '.0f')} | {fmt(finished, '.0f')}{note} | "
                       f"{max(mib(r['hwm_kib']) for r in rs):.0f} | {fmt(median([r['cpu'] for r in rs]))} | "
                       f"{fmt(max_or_none([r.get('stall_max_ms') for r in rs]), '.0f')} / "
                       f"{fmt(max_or_none([r.get('stall_p99_ms') for r in rs]), '.0f')} | "
                       f"{fmt(median([r.get('frame_median_ms') for r in rs]), '.0f')} / "
                       f"{fmt(max_or_none([r.get('frame_p99_ms') for r in rs]), '.0f')} | "
                       f"{fmt(median([r.get('load1') for r in rs]), '.1f')} |")
        out.append("")
        out.append("Folders: scale-N = N hard links to " f"{SMALL_COUNT} generated pictures of at most {SMALL_SIDE} px; "
                   f"photos-{PHOTO_FOLDER_SIZE} = {PHOTO_FOLDER_SIZE:,} hard links to the mixed set (real 1–24 MP "
                   "JPEG/PNG/WebP). Opened at launch: `contact-sheet FOLDER`, so the first thumbnail "
                   "includes starting the app; in the running window: the folder handed to a window "
                   "already on screen, as choosing it there does. First thumbnail: from opening the "
                   "folder to the end of the first frame painted with a thumbnail's pixels. "
                   "Peak RSS is the window process's VmHWM, read "
                   "after the trace says finished and the window has idled a moment. Stalls: how late a 4 ms "
                   "timeout on the main loop ran while the batch ran (CONTACT_SHEET_TRACE=1); 16 ms is "
                   "one frame at 60 Hz. Frames: how long GTK took to make each frame, from the frame "
                   "clock's update phase to after-paint (layout, snapshot and the renderer).")
        out.append("")
        for renderer in dict.fromkeys(r["renderer"] for r in results["window"]):
            name = RENDERER_NAMES.get(renderer, renderer)
            full = [r for r in results["window"] if r["until"] == "finished" and r["renderer"] == renderer]
            if full:
                peak = max(mib(r["hwm_kib"]) for r in full)
                span = sorted({r["files"] for r in full})
                targets.append((f"window peak RSS ≤ 250 MiB, {span[0]:,} to {span[-1]:,} files ({name})",
                                f"{peak:.0f} MiB", peak <= 250))
            for how in ("chosen", "launch"):
                for run_, limit in (("warm", 300), ("cold", 1000)):
                    rs = [r for r in results["window"] if r["folder"] == "scale-10000" and r["run"] == run_
                          and r["renderer"] == renderer and r.get("opened", "launch") == how]
                    first = median([r["first_ms"] for r in rs])
                    if rs:
                        targets.append((f"window first thumbnail, 10,000 files {OPENED_NAMES[how]}, {run_} "
                                        f"≤ {limit} ms ({name})",
                                        f"{fmt(first, '.0f')} ms", first is not None and first <= limit))
            rs = [r for r in results["window"] if r["folder"] == "scale-10000" and r["renderer"] == renderer
                  and r.get("stall_max_ms") is not None]
            if rs:
                worst = max(r["stall_max_ms"] for r in rs)
                p99 = max(r["stall_p99_ms"] for r in rs)
                targets.append((f"window main-loop stalls while 10,000 files fill the grid ≤ 16 ms ({name})",
                                f"max {worst:.0f} ms, p99 {p99:.0f} ms", worst <= 16))
            rs = [r for r in results["window"] if r["folder"].startswith("photos") and r["renderer"] == renderer]
            if rs:
                first = median([r["first_ms"] for r in rs])
                targets.append((f"window first thumbnail, 10,000 real photos, cold ≤ 1000 ms ({name})",
                                f"{fmt(first, '.0f')} ms", first is not None and first <= 1000))

    if targets:
        out.append("### Targets (measured, not asserted)")
        out.append("")
        out.append("| target | measured | met |")
        out.append("|---|---|---|")
        for what, value, met in targets:
            out.append(f"| {what} | {value} | {'yes' if met else 'no'} |")
        out.append("")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- main

def snapshot_binaries(build_dir, work):
    """Copies the programs, so that a rebuild during the run changes nothing."""
    bindir = fresh_dir(os.path.join(work, "bin"))
    schemas = fresh_dir(os.path.join(bindir, "schemas"))
    bins = {}
    for key, rel in (("cli", "src/cli/contact-sheet-cli"), ("app", "src/app/contact-sheet"),
                     ("gen", "tests/cs-gen-images"),
                     ("decoder", "src/decoder/contact-sheet-decoder")):
        src = os.path.join(build_dir, rel)
        if not os.access(src, os.X_OK):
            sys.exit(f"bench: {src} is missing: build first (bench/run.sh does)")
        dst = os.path.join(bindir, os.path.basename(rel))
        shutil.copy2(src, dst)
        bins[key] = dst
    compiled = os.path.join(build_dir, "data", "gschemas.compiled")
    if os.path.exists(compiled):
        shutil.copy2(compiled, schemas)
    bins["schemas"] = schemas
    return bins


def snapshot_compare(label, build_dir, work):
    """The CLI and decoder helper of another build (--compare-build)."""
    bindir = fresh_dir(os.path.join(work, f"bin-{re.sub(r'[^A-Za-z0-9]+', '-', label)}"))
    found = []
    for rel in ("src/cli/contact-sheet-cli", "src/decoder/contact-sheet-decoder"):
        src = os.path.join(build_dir, rel)
        if not os.access(src, os.X_OK):
            sys.exit(f"bench: {src} is missing: build {build_dir} first")
        found.append(os.path.join(bindir, os.path.basename(rel)))
        shutil.copy2(src, found[-1])
    return (label, found[0], found[1])


def stack_defaults():
    """Where results go and which renderers the window runs get, by stack:
    GTK 4.14 and newer name their GL renderer `gl` (`ngl` still works, with
    a warning) and by default try Vulkan first, which a machine without a
    Vulkan driver skips; naming `gl` measures the same renderer and says so."""
    codename = ""
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("VERSION_CODENAME="):
                    codename = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    out = os.path.join(HERE, "results.md" if codename in ("", "bookworm") else f"results-{codename}.md")
    try:
        gtk = tuple(int(x) for x in output(["pkg-config", "--modversion", "gtk4"]).split(".")[:2])
    except (OSError, subprocess.CalledProcessError, ValueError):
        gtk = (4, 0)
    renderers = "gl,cairo" if gtk >= (4, 14) else "default,cairo"
    return out, renderers


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build-dir", default=os.path.join(REPO, "build"))
    parser.add_argument("--cache-dir", default=os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "contact-sheet-bench"),
        help="where the corpus and the scratch folders go")
    parser.add_argument("--reps", type=int, default=3, help="repetitions of each set (default 3)")
    parser.add_argument("--sets", default="jpeg,camera,mixed,formats")
    parser.add_argument("--corpus-from", default=os.environ.get("CS_BENCH_SHARED_CACHE"),
                        help="a cache folder (of another stack, say) whose corpus to use instead of making "
                             "one; build-aux/modern-stack.sh passes the host's (default: $CS_BENCH_SHARED_CACHE)")
    parser.add_argument("--compare-build", action="append", default=[], metavar="LABEL=BUILD_DIR",
                        help="also run the CLI and decoder helper of another build, cold into an empty "
                             "cache, interleaved with the rest (repeatable)")
    parser.add_argument("--only", help="run only the contenders whose names match this regular expression")
    parser.add_argument("--scales", default=",".join(str(s) for s in SCALES),
                        help="folder sizes for the scale runs (of 100,10000,100000)")
    parser.add_argument("--window-reps", type=int, default=2)
    parser.add_argument("--window-timeout", type=float, default=180, help="seconds for one window run")
    parser.add_argument("--window-timeout-100k", type=float, default=300)
    parser.add_argument("--settle", type=float, default=2.0,
                        help="seconds the window stays open after it finished, before its peak RSS is read")
    default_out, default_renderers = stack_defaults()
    parser.add_argument("--renderers", default=default_renderers,
                        help="GSK_RENDERER values for the window runs; the first gets every run, "
                             "the others one repetition and no 100,000-file run (default here: "
                             f"{default_renderers}; 'default' leaves GSK_RENDERER unset)")
    parser.add_argument("--no-window", action="store_true")
    parser.add_argument("--no-scale", action="store_true")
    parser.add_argument("--no-sheet", action="store_true", help="no contact-sheet runs")
    parser.add_argument("--sheet-counts", default=",".join(str(c) for c in SHEET_COUNTS),
                        help="pictures on the contact-sheet runs (default 1000,10000)")
    parser.add_argument("--quick", action="store_true", help="1 repetition, no 100,000-file runs")
    parser.add_argument("--onscreen", action="store_true",
                        help="also measure on-screen first (first screen complete ÷ folder complete)")
    parser.add_argument("--onscreen-only", action="store_true",
                        help="measure only on-screen first; the table goes to --out")
    parser.add_argument("--onscreen-reps", type=int, default=2)
    parser.add_argument("--onscreen-compare", action="append", default=[], metavar="LABEL=BUILD_DIR",
                        help="that build's window too, in the on-screen-first runs")
    parser.add_argument("--out", default=default_out,
                        help=f"the table (and the raw figures beside it, .json); default here: {default_out}")
    args = parser.parse_args()
    if args.onscreen_only:
        args.sets, args.no_scale, args.no_sheet, args.no_window, args.onscreen = "", True, True, True, True
    if args.quick:
        args.reps = 1
        args.window_reps = 1
        args.scales = "100,10000"
    args.scales = [int(s) for s in args.scales.split(",") if s]
    args.renderers = [r for r in args.renderers.split(",") if r]
    cache_root = os.path.abspath(args.cache_dir)
    work = fresh_dir(os.path.join(cache_root, "work"))
    machine = machine_info(args.build_dir)
    bins = snapshot_binaries(os.path.abspath(args.build_dir), work)
    bins["compare"] = [snapshot_compare(*spec.split("=", 1), work) for spec in args.compare_build]
    global TIMER, ONLY
    TIMER = build_timer(work)
    ONLY = re.compile(args.only) if args.only else None
    corpus, manifest = build_corpus(cache_root, bins["gen"], args.corpus_from)
    formats, manifest["sets"]["formats"] = build_formats(cache_root, corpus, manifest, args.corpus_from)
    env = base_env(work)
    # Decoders run in their helper processes, as installed; one contender
    # leaves the variable out to measure what that isolation costs.
    env["CONTACT_SHEET_DECODER"] = bins["decoder"]
    for d in ("xdg-config", "xdg-data"):
        os.makedirs(os.path.join(work, d), exist_ok=True)

    results = {"machine": machine, "reps": args.reps, "sets": {}}
    for set_name in [s for s in args.sets.split(",") if s]:
        entries = manifest["sets"][set_name]
        log(f"set {set_name}: {len(entries)} files, {args.reps} repetitions")
        folder = formats if set_name == "formats" else os.path.join(corpus, set_name)
        results["sets"][set_name] = bench_set(set_name, folder, entries, bins, work, env, args.reps)
    if not args.no_scale:
        def reps_for(count):
            return 1 if args.reps == 1 or count >= 10_000 else 3
        results["cli_scale"] = bench_cli_scale(corpus, bins, work, env, args.scales, reps_for)
    if not args.no_sheet:
        counts = [int(c) for c in args.sheet_counts.split(",") if c]
        results["sheet"] = bench_sheet(corpus, bins, work, env, counts, 1 if args.reps == 1 else 2)
    if not args.no_window:
        results["window"] = bench_window(corpus, bins, work, env, args)
    if args.onscreen:
        bins["onscreen_compare"] = []
        for spec in args.onscreen_compare:
            label, build = spec.split("=", 1)
            app = os.path.join(work, "bin", f"contact-sheet-{re.sub(r'[^A-Za-z0-9]+', '-', label)}")
            shutil.copy2(os.path.join(build, "src", "app", "contact-sheet"), app)
            bins["onscreen_compare"].append((label, app))
        results["onscreen"] = onscreen.bench_onscreen(corpus, bins, work, env, args, measure, fresh_dir, log)

    machine["load_end"] = subprocess.run("cut -d' ' -f1-3 /proc/loadavg", shell=True, capture_output=True,
                                         text=True).stdout.strip()
    results["elapsed_min"] = (time.monotonic() - START) / 60
    if args.onscreen_only:
        m = results["machine"]
        text = onscreen.report(results["onscreen"],
                               f"{m['date']}, commit {m['commit']}, {m['os']}; GTK {m['versions']['GTK']}; "
                               f"{m['nproc']} cores; load average at start {m['load_start']}, "
                               f"at end {m['load_end']}.")
    else:
        text = report(results)
        if args.onscreen:
            text += "\n" + onscreen.report(results["onscreen"], "")
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        f.write(text)
    with open(os.path.splitext(args.out)[0] + ".json", "w") as f:
        json.dump(results, f, indent=1, default=str)
    rmtree(os.path.join(work, "run"))
    print(text)
    log(f"written to {args.out} (and .json); logs in {work}/logs")


if __name__ == "__main__":
    main()
