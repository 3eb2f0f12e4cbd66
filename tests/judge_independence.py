#!/usr/bin/env python3
"""The judge shares no code with a contestant (issue 9, section 1).

The client (client/) and the conformance harness (tests/conformance/) must
neither compile, include nor link any file under competition/. This asks
their Makefiles what a full build would run (`make -n -B`, normal and
SANITIZE=1) and checks:
  1. no command names competition/ (sources, -I paths, libraries);
  2. no file a compile would read does: each compile of the normal build
     is rerun as `-MM` (preprocessor only, no objects written), which lists
     every header reached, however it is spelt in an #include.
It builds nothing and writes nothing. usage: tests/judge_independence.py
"""
import os
import re
import shlex
import subprocess
import sys

KIT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FORBIDDEN = os.path.join(KIT, "competition") + os.sep
BUILDS = [
    ("client", ["all", "libwsc", "test"]),
    ("tests/conformance", ["all", "test"]),
]
# Sources each dry run must compile, so that an empty or broken dry run
# cannot pass: the client codec and the harness's own connection code.
EXPECTED = {"client": "wsc_frame.c", "tests/conformance": "cases_frames.c"}
ENTER = re.compile(r"make(?:\[\d+\])?: Entering directory '(.*)'")
LEAVE = re.compile(r"make(?:\[\d+\])?: Leaving directory '(.*)'")

problems = []


def dry_run(directory, targets, sanitize):
    """(cwd, command) for every command make would run, in order."""
    cmd = ["make", "-n", "-B", "-w", "-C", os.path.join(KIT, directory)]
    cmd += targets + (["SANITIZE=1"] if sanitize else [])
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        problems.append(f"{' '.join(cmd)} failed: {out.stderr.strip()[:300]}")
        return []
    dirs, lines = [], []
    for line in out.stdout.splitlines():
        if m := ENTER.match(line):
            dirs.append(m.group(1))
        elif m := LEAVE.match(line):
            dirs.pop()
        elif line.strip():
            lines.append((dirs[-1] if dirs else KIT, line))
    return lines


def header_deps(cwd, line):
    """Every file the compile on LINE reads, from the same command as -MM."""
    argv = shlex.split(line)
    mm, skip = [], False
    for a in argv:
        if skip:
            skip = False
        elif a == "-o":
            skip = True
        elif a not in ("-c", "-MMD", "-MP"):
            mm.append(a)
    out = subprocess.run(mm + ["-MM"], cwd=cwd, capture_output=True, text=True)
    if out.returncode != 0:
        problems.append(f"in {cwd}: {' '.join(mm)} -MM failed: {out.stderr.strip()[:300]}")
        return []
    text = out.stdout.replace("\\\n", " ")
    deps = text.split(":", 1)[1].split() if ":" in text else []
    return [os.path.realpath(os.path.join(cwd, d)) for d in deps]


def check(directory, targets, sanitize):
    label = directory + (" SANITIZE=1" if sanitize else "")
    lines = dry_run(directory, targets, sanitize)
    compiles = [(cwd, l) for cwd, l in lines if " -c " in f" {l} "]
    if not any(EXPECTED[directory] in l for _, l in compiles):
        problems.append(f"{label}: the dry run compiles no {EXPECTED[directory]} "
                        f"({len(lines)} commands): cannot check it")
    for cwd, l in lines:
        if "competition" in l:
            problems.append(f"{label}: a command names competition/: {l}")
    if sanitize:
        # The same sources as the normal build: its header scan covers them.
        print(f"{label}: {len(lines)} commands, none names competition/")
        return
    files = set()
    for cwd, l in compiles:
        files.update(header_deps(cwd, l))
    for f in sorted(files):
        if f.startswith(FORBIDDEN):
            problems.append(f"{label}: a compile reads {os.path.relpath(f, KIT)}")
    # The scan saw headers at all (else a broken -MM would pass vacuously).
    if not any(f.endswith("/wsc_frame.h") for f in files):
        problems.append(f"{label}: no compile reads wsc_frame.h: the header scan is broken")
    print(f"{label}: {len(lines)} commands, {len(compiles)} compiles, "
          f"{len(files)} files read")


for d, t in BUILDS:
    for s in (False, True):
        check(d, t, s)
for p in problems:
    print("FAIL " + p)
if problems:
    sys.exit(1)
print("PASS: the client and the conformance harness use nothing from competition/")
