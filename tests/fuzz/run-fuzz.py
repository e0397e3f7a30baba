#!/usr/bin/env python3
# run-fuzz.py: the 'fuzz' suite. Replays the regressions and seeds, fuzzes
# for a bounded time, then judges every finding by where it happened.
#
# A crash, leak, timeout or runaway allocation whose first telling stack
# frame is in our code (src/, tests/) fails the test: keep the input in
# tests/fuzz/regressions/ once fixed. One whose first telling frame is in a
# system library (a GdkPixbuf loader, libpng, librsvg...) is that library's
# bug: it is listed as an expected failure (TAP "# TODO") with its input kept
# under the work folder, and the test passes. The decoder helper process is
# what contains those in the app. Frames in the C library, GLib, GObject,
# GIO, the sanitizers and libFuzzer tell nothing and are passed over.
#
# Output is TAP. CS_FUZZ_SECONDS sets the fuzzing time (default 60).
#
# SPDX-License-Identifier: GPL-3.0-or-later

import argparse
import glob
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile

# Fewer executions than this means the harness is broken, not the input.
MIN_EXECS = 1000
MAX_REPLAYS = 40

NEUTRAL_MODULES = ('libc.so', 'libm.so', 'ld-linux', 'libstdc++', 'libgcc_s',
                   'libglib-2.0.so', 'libgobject-2.0.so', 'libgio-2.0.so',
                   'libasan.so', 'libclang_rt')
NEUTRAL_PREFIXES = ('fuzzer::', '__sanitizer', '__asan', '__lsan', '__ubsan',
                    '__interceptor_', '__libc_')
NEUTRAL_FUNCTIONS = ('main', '_start', 'raise', 'abort', 'LLVMFuzzerTestOneInput')
# What the harness aborts in: it only does so for a misuse it judged ours,
# or for a broken promise of cs_thumbnailer_process().
HARNESS_FUNCTIONS = ('write_log', 'check_result')

FRAME = re.compile(r'^\s*#(\d+) 0x[0-9a-f]+\s+(?:in (.+?)\s+)?(\S+)$')

class Tap:
    def __init__(self):
        self.n = 0
        self.failed = False

    def ok(self, text):
        self.n += 1
        print(f'ok {self.n} - {text}', flush=True)

    def not_ok(self, text, todo=None):
        self.n += 1
        suffix = f' # TODO {todo}' if todo else ''
        print(f'not ok {self.n} - {text}{suffix}', flush=True)
        if not todo:
            self.failed = True

    def comment(self, text):
        for line in text.rstrip('\n').splitlines():
            print(f'# {line}', flush=True)

    def done(self):
        print(f'1..{self.n}', flush=True)
        return 1 if self.failed else 0


def first_stack(report):
    """(function, location) of each frame of the report's first stack."""
    frames = []
    for line in report.splitlines():
        line = re.sub(r' \(BuildId: [0-9a-f]+\)$', '', line)
        m = FRAME.match(line)
        if m:
            if int(m.group(1)) == 0 and frames:
                break
            function = re.sub(r'\(.*$', '', m.group(2) or '')
            frames.append((function, m.group(3)))
        elif frames:
            break
    return frames


def frame_place(location):
    """The source file of a frame with line information, else its module."""
    location = location.strip('()')
    location = re.sub(r'\+0x[0-9a-f]+$', '', location)
    location = re.sub(r'(:\d+)+$', '', location)
    return os.path.normpath(location)


def finding_kind(report, name):
    if 'ERROR: LeakSanitizer' in report:
        return 'leak'
    m = re.search(r'ERROR: AddressSanitizer: ([\w-]+)', report)
    if m:
        return m.group(1)
    if 'runtime error:' in report:
        return 'undefined-behaviour'
    m = re.search(r'ERROR: libFuzzer: ([\w-]+(?: signal)?)', report)
    if m:
        return m.group(1)
    return name.split('-')[0]


def judge(report, source_root):
    """('ours' or 'system', the frame that decided)."""
    harness = None
    for function, location in first_stack(report):
        place = frame_place(location)
        if function in HARNESS_FUNCTIONS:
            harness = f'{function} (tests/fuzz/fuzz-thumbnailer.c)'
            continue
        if function.startswith(NEUTRAL_PREFIXES) or function in NEUTRAL_FUNCTIONS:
            continue
        if place.endswith(('.c', '.h')) and place.startswith(source_root + os.sep):
            return 'ours', f'{function} ({os.path.relpath(place, source_root)})'
        if harness or any(n in place for n in NEUTRAL_MODULES):
            continue
        if '.so' in os.path.basename(place):
            return 'system', f'{function or "?"} ({os.path.basename(place)})'
    # The harness's own checks, or nothing telling: assume the worst.
    return 'ours', harness or 'no telling frame'


def run(cmd, log_path, timeout, env=None):
    with open(log_path, 'w') as log:
        try:
            p = subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT, timeout=timeout,
                               env=env)
            return p.returncode
        except subprocess.TimeoutExpired:
            return None


def main():
    # Each fuzzing process makes a folder for its inputs; one that crashes
    # leaves it behind. They all go in here, removed at the end.
    shm = '/dev/shm' if os.access('/dev/shm', os.W_OK) else None
    tmp = tempfile.mkdtemp(prefix='cs-fuzz-run-', dir=shm)
    os.environ['CS_FUZZ_TMPDIR'] = tmp
    try:
        return fuzz()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def fuzz():
    parser = argparse.ArgumentParser()
    parser.add_argument('--fuzzer', required=True)
    parser.add_argument('--seeds', required=True)
    parser.add_argument('--regressions', required=True)
    parser.add_argument('--dict', required=True)
    parser.add_argument('--work', required=True)
    parser.add_argument('--source-root', required=True)
    args = parser.parse_args()

    seconds = int(os.environ.get('CS_FUZZ_SECONDS', '60'))
    source_root = os.path.realpath(args.source_root)
    work = args.work
    corpus = os.path.join(work, 'corpus')
    artifacts = os.path.join(work, 'artifacts')
    findings = os.path.join(work, 'findings')
    shutil.rmtree(work, ignore_errors=True)
    for d in (corpus, artifacts, findings):
        os.makedirs(d)

    tap = Tap()
    common = ['-rss_limit_mb=2048', '-timeout=10']
    env_note = f'fuzzer: {args.fuzzer}; work folder: {work}'
    tap.comment(env_note)

    # 1. What once broke us, and the seeds, must go through cleanly.
    replays = sorted(p for p in glob.glob(os.path.join(args.regressions, '*'))
                     if os.path.isfile(p) and not p.endswith('.md'))
    seeds = sorted(glob.glob(os.path.join(args.seeds, '*')))
    log = os.path.join(work, 'replay.log')
    rc = run([args.fuzzer] + common + replays + seeds, log, 600)
    if rc == 0:
        tap.ok(f'replay: {len(replays)} regressions, {len(seeds)} seeds')
    else:
        tap.not_ok(f'replay: {len(replays)} regressions, {len(seeds)} seeds')
        tap.comment(open(log, errors='replace').read()[-6000:])

    # 2. Fuzz, in a child process that is restarted after each finding, so
    # that a shallow bug in a system decoder does not end the run.
    for seed in seeds:
        shutil.copy(seed, corpus)
    log = os.path.join(work, 'fuzz.log')
    env = dict(os.environ, CS_FUZZ_FINDINGS=findings)
    cmd = [args.fuzzer, corpus, f'-dict={args.dict}', f'-max_total_time={seconds}',
           f'-artifact_prefix={artifacts}/', '-fork=1', '-ignore_crashes=1',
           '-ignore_ooms=1', '-ignore_timeouts=1', '-print_final_stats=1'] + common
    tap.comment(' '.join(cmd))
    with open(log, 'w') as out:
        try:
            rc = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, env=env,
                                timeout=seconds + 240).returncode
        except subprocess.TimeoutExpired:
            rc = None
    text = open(log, errors='replace').read()
    # Fork mode's status lines: 'exec/s 621' (clang 14), 'exec/s: 621' (21).
    status = re.findall(r'^#(\d+): cov: (\d+) ft: (\d+) corp: (\d+) exec/s:? (\d+)', text, re.M)
    execs = int(status[-1][0]) if status else 0
    summary = (f'fuzzed {seconds} s: {execs} inputs, corpus {status[-1][3]}, '
               f'features {status[-1][2]}' if status else f'fuzzed {seconds} s')
    # With findings, libFuzzer's fork mode exits with the status of the last
    # one, though it went on to the end.
    if rc is not None and 'INFO: exiting:' in text and execs >= MIN_EXECS:
        tap.ok(summary)
    else:
        tap.not_ok(f'{summary} (exit status {rc}; fewer than {MIN_EXECS} inputs '
                   'means the harness is broken)')
        tap.comment(text[-6000:])

    # 3. Judge each finding by replaying it alone.
    # Full stacks for leaks, through libraries built without frame pointers.
    found = sorted(glob.glob(os.path.join(artifacts, '*')))
    groups = {}
    replay_env = dict(os.environ)
    replay_env['ASAN_OPTIONS'] = os.environ.get('ASAN_OPTIONS', '') + ':fast_unwind_on_malloc=0'
    for path in found[:MAX_REPLAYS]:
        replay_log = path + '.log'
        rc = run([args.fuzzer] + common + [path], replay_log, 120, replay_env)
        report = open(replay_log, errors='replace').read()
        if rc == 0:
            # Not reproducible alone: judged from the fuzzer's own log.
            report = text
        verdict, where = judge(report, source_root)
        kind = finding_kind(report, os.path.basename(path))
        groups.setdefault((verdict, kind, where), []).append((path, report))
    if len(found) > MAX_REPLAYS:
        tap.comment(f'{len(found) - MAX_REPLAYS} more findings not replayed')

    for (verdict, kind, where), items in sorted(groups.items()):
        path, report = items[0]
        keep = os.path.join(findings, verdict)
        os.makedirs(keep, exist_ok=True)
        shutil.copy(path, keep)
        kept = os.path.join(keep, os.path.basename(path))
        text = f'{kind} in {where}: {len(items)} input(s), e.g. {kept}'
        if verdict == 'ours':
            tap.not_ok(text)
            tap.comment('Fix it, then add the input to tests/fuzz/regressions/.')
            tap.comment(report[-8000:])
        else:
            tap.not_ok(text, todo='a system library bug; contained by the decoder helper')
            tap.comment('\n'.join(line for line in report.splitlines()
                                  if 'ERROR:' in line or FRAME.match(line))[:3000])

    # 4. Criticals logged inside decoders (the harness kept their inputs).
    for txt in sorted(glob.glob(os.path.join(findings, 'critical-*.txt'))):
        message = open(txt, errors='replace').read().strip()
        tap.not_ok(f'critical in a system library: {message} (input {txt[:-4]})',
                   todo='a system library bug')

    return tap.done()


if __name__ == '__main__':
    sys.exit(main())
