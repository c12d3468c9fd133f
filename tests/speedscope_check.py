#!/usr/bin/env python3
"""speedscope opens syslat's stack profiles: a pprof file written by our
writer (pprof_sample: the profile of tests/pprof_sample.h) and a folded file
of the same profile.

Each file is loaded into speedscope's own page (its npm package's
dist/release/index.html) in headless Chromium, the way speedscope's CLI does
(#localProfilePath= a script calling speedscope.loadFileFromBase64), so
speedscope's format detection and importers (pprof: gunzip + protobuf;
folded: Brendan Gregg's format) read it. What they made of it is read back
through speedscope's own Export (Ctrl+S: its profile as speedscope JSON),
caught in the page, and compared with the profile: one profile, its unit,
every stack's frame names root first with its weight, the total weight. A
truncated copy of the pprof file must not pass (the check can fail).

Chromium is driven over the DevTools protocol on a pipe
(--remote-debugging-pipe: fds 3 and 4), standard-library Python only.
Exit 77 (skipped) when speedscope or Chromium is not installed
(scripts/setup.sh installs both).

  speedscope_check.py --speedscope DIR --pprof-sample BIN [--screenshot PNG]
  speedscope_check.py --speedscope DIR --pprof FILE     check a given file
"""
import argparse
import base64
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
import zlib

from chromium_cdp import Browser, find_chromium

SKIP = 77

# tests/pprof_sample.h's rows: (stack root first, syscall time in ns). In
# pprof, speedscope names a location by its out-of-line function (the last
# Line) and drops a location without a Line (0x9999, which nothing names).
LIBC = "/usr/lib/x86_64-linux-gnu/libc.so.6"
PPROF_STACKS = [
    (["wl_stacks", "__libc_start_call_main", "main", "load_config", "__read", "read"], 5_000_000),
    (["wl_stacks", "__libc_start_call_main", "main", "__write", "write"], 900_000),
    (["wl_stacks", "[stack lost: stack map full]", "openat"], 40_000),
    (["redis-server", "__libc_start_call_main", "aeApiPoll", "epoll_wait"], 3_000_000),
]
# The same rows as our folded writer writes them (comm;outer;...;inner;syscall
# VALUE, VALUE in us): one frame per function (inlined ones too, outer
# first), names without offsets or lines, "[unknown]" for what nothing names.
FOLDED_STACKS = [
    (["wl_stacks", "__libc_start_call_main", "main", "load_config", "parse_config", "read_line", "__read", "read"],
     5_000),
    (["wl_stacks", "__libc_start_call_main", "main", "__write", "write"], 900),
    (["wl_stacks", "[stack lost: stack map full]", "openat"], 40),
    (["redis-server", "__libc_start_call_main", "[unknown]", "aeApiPoll", "epoll_wait"], 3_000),
]

# Runs before speedscope's script: keeps the Blob its Export makes and the
# alerts it shows (an unrecognized or empty file) instead of blocking on them.
HOOK = """
(() => {
  window.__syslat = {exported: null, alerts: []};
  const create = URL.createObjectURL.bind(URL);
  URL.createObjectURL = (obj) => { if (obj instanceof Blob) window.__syslat.exported = obj; return create(obj); };
  window.alert = (m) => window.__syslat.alerts.push(String(m));
})();
"""

# Polled: asks speedscope to export (a no-op until a profile is loaded) and
# returns what it exported, or what went wrong.
POLL = """
(async () => {
  const s = window.__syslat;
  if (!s) return null;
  if (s.alerts.length) return JSON.stringify({alerts: s.alerts});
  if (document.body && /Something went wrong/.test(document.body.innerText))
    return JSON.stringify({alerts: ['speedscope: ' + document.body.innerText.slice(0, 200)]});
  if (!s.exported) {
    window.dispatchEvent(new KeyboardEvent('keydown', {key: 's', ctrlKey: true, bubbles: true}));
    return null;
  }
  return JSON.stringify({exported: JSON.parse(await s.exported.text())});
})()
"""


def load_in_speedscope(browser, release_dir, profile_path, workdir, timeout=60):
    """speedscope's import of the file: its exported JSON, or what it said instead."""
    with open(profile_path, "rb") as f:
        data = base64.b64encode(f.read()).decode()
    name = os.path.basename(profile_path)
    loader = os.path.join(workdir, name + ".js")
    with open(loader, "w") as f:
        f.write(f"speedscope.loadFileFromBase64({json.dumps(name)}, {json.dumps(data)})\n")
    browser.console.clear()
    # A query of its own: a new document each time (a change of the hash
    # alone would keep the page, its profile and what it exported).
    browser.loads += 1
    browser.call("Page.navigate", {"url": "file://" + os.path.join(release_dir, "index.html") +
                                   f"?load={browser.loads}#localProfilePath={loader}&view=left-heavy"})
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = browser.evaluate(POLL)
        if value:
            return json.loads(value)
        time.sleep(0.2)
    return {"alerts": ["no profile after %ds; console: %s" % (timeout, browser.console[-10:])]}


def stacks_of(exported):
    """speedscope's profile as {(frame names root first): self weight}, its
    unit and frames. Its Export writes an evented profile (open and close
    events on a weight axis): the weight between two events is the stack's
    open then."""
    frames = exported["shared"]["frames"]
    profiles = exported["profiles"]
    if len(profiles) != 1:
        raise AssertionError(f"expected 1 profile, speedscope made {len(profiles)}")
    p = profiles[0]
    stacks = {}
    if p["type"] == "sampled":
        for sample, weight in zip(p["samples"], p["weights"], strict=True):
            key = tuple(frames[i]["name"] for i in sample)
            stacks[key] = stacks.get(key, 0) + weight
    elif p["type"] == "evented":
        open_frames, at = [], p["startValue"]
        for event in p["events"]:
            if event["at"] > at and open_frames:
                key = tuple(frames[i]["name"] for i in open_frames)
                stacks[key] = stacks.get(key, 0) + event["at"] - at
            at = event["at"]
            if event["type"] == "O":
                open_frames.append(event["frame"])
            elif event["type"] == "C":
                if not open_frames or open_frames[-1] != event["frame"]:
                    raise AssertionError(f"speedscope closed frame {event['frame']} that is not open")
                open_frames.pop()
        if open_frames:
            raise AssertionError("speedscope's events leave frames open")
    else:
        raise AssertionError(f"unknown profile type {p['type']}")
    return stacks, p.get("unit"), frames


def check(label, result, expected, unit):
    """Problems with speedscope's import of one file, as lines."""
    if "alerts" in result:
        return [f"{label}: speedscope did not import it: {result['alerts']}"]
    try:
        stacks, got_unit, frames = stacks_of(result["exported"])
    except (AssertionError, KeyError, ValueError) as e:
        return [f"{label}: {e}"]
    problems = []
    if got_unit != unit:
        problems.append(f"{label}: unit {got_unit!r}, expected {unit!r}")
    want = {tuple(names): weight for names, weight in expected}
    for names, weight in want.items():
        if stacks.get(names) != weight:
            problems.append(f"{label}: stack {';'.join(names)}: weight {stacks.get(names)}, expected {weight}")
    for names in stacks.keys() - want.keys():
        problems.append(f"{label}: unexpected stack {';'.join(names)} ({stacks[names]})")
    total = sum(stacks.values())
    if total != sum(weight for _, weight in expected):
        problems.append(f"{label}: total weight {total}, expected {sum(weight for _, weight in expected)}")
    if not problems:
        print(f"{label}: speedscope imported {len(stacks)} stacks, {len(frames)} frames, total {total} {got_unit}")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--speedscope", required=True, help="speedscope's npm package directory")
    ap.add_argument("--pprof-sample", help="the pprof_sample program (writes the pprof file)")
    ap.add_argument("--pprof", help="check this pprof file instead of pprof_sample's")
    ap.add_argument("--screenshot", help="save speedscope's flame graph of the pprof file here (PNG)")
    ap.add_argument("--show", metavar="FILE",
                    help="only load FILE (a profile of a real run), print what speedscope made of it and, with "
                         "--screenshot, save its rendering: no expectations")
    args = ap.parse_args()
    release = os.path.join(os.path.abspath(args.speedscope), "dist", "release")
    if not os.path.exists(os.path.join(release, "index.html")):
        print(f"SKIP: speedscope is not installed in {args.speedscope} (scripts/setup.sh installs it)")
        return SKIP
    chromium = find_chromium()
    if not chromium:
        print("SKIP: no Chromium (scripts/setup.sh installs Debian's chromium)")
        return SKIP
    if args.show:
        with tempfile.TemporaryDirectory(prefix="syslat-speedscope-") as work:
            browser = Browser(chromium, work, HOOK)
            try:
                result = load_in_speedscope(browser, release, args.show, work)
                if "alerts" in result:
                    print(f"speedscope did not import {args.show}: {result['alerts']}")
                    return 1
                stacks, unit, frames = stacks_of(result["exported"])
                print(f"{args.show}: speedscope imported {len(stacks)} stacks, {len(frames)} frames, "
                      f"total {sum(stacks.values())} {unit}")
                for names, weight in sorted(stacks.items(), key=lambda kv: -kv[1])[:15]:
                    print(f"  {weight:>12} {';'.join(names)}")
                if args.screenshot:
                    time.sleep(1.0)
                    shot = browser.call("Page.captureScreenshot", {"format": "png"})
                    with open(args.screenshot, "wb") as f:
                        f.write(base64.b64decode(shot["data"]))
                    print(f"screenshot: {os.path.abspath(args.screenshot)}")
            finally:
                browser.close()
        return 0
    if not args.pprof and not args.pprof_sample:
        ap.error("--pprof-sample or --pprof")

    with tempfile.TemporaryDirectory(prefix="syslat-speedscope-") as work:
        pprof = args.pprof or os.path.join(work, "sample.pb.gz")
        if not args.pprof:
            subprocess.run([args.pprof_sample, pprof], check=True)
        folded = os.path.join(work, "sample.folded")
        if args.pprof_sample:
            subprocess.run([args.pprof_sample, os.path.join(work, "unused.pb.gz"), "--folded", folded], check=True)
        else:
            with open(folded, "w") as f:
                for names, weight in FOLDED_STACKS:
                    f.write(";".join(names) + f" {weight}\n")
        # The negative control: half the file, still gzip'd, must not pass.
        truncated = os.path.join(work, "truncated.pb.gz")
        with open(pprof, "rb") as f:
            raw = f.read()
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error):
            pass  # not gzip'd whole: its load below fails anyway
        with open(truncated, "wb") as f:
            f.write(gzip.compress(raw[: len(raw) // 2]))

        browser = Browser(chromium, work, HOOK)
        problems = []
        try:
            result = load_in_speedscope(browser, release, pprof, work)
            problems += check("pprof", result, PPROF_STACKS, "nanoseconds")
            if not problems and args.screenshot:
                time.sleep(1.0)  # a frame or two: it draws on requestAnimationFrame
                shot = browser.call("Page.captureScreenshot", {"format": "png"})
                with open(args.screenshot, "wb") as f:
                    f.write(base64.b64decode(shot["data"]))
                print(f"screenshot: {os.path.abspath(args.screenshot)}")
            # Folded stacks carry no unit: speedscope's is "none".
            problems += check("folded", load_in_speedscope(browser, release, folded, work), FOLDED_STACKS, "none")
            refused = check("truncated pprof", load_in_speedscope(browser, release, truncated, work, timeout=20),
                            PPROF_STACKS, "nanoseconds")
            if not refused:
                problems.append("a truncated pprof file passed the check: it checks nothing")
            else:
                print("truncated pprof: refused, as it must be:", *refused, sep="\n  ")
        finally:
            browser.close()
        if problems:
            with open(os.path.join(work, "chromium.log"), errors="replace") as f:
                # Not its complaints about a missing D-Bus (none in a container).
                tail = "".join(line for line in f if "dbus" not in line)[-2000:]
            print("\n".join(problems))
            print("console:", *browser.console[-20:], sep="\n  ")
            print("chromium.log (end):\n" + tail)
            return 1
    print("speedscope: both files imported as expected")
    return 0


if __name__ == "__main__":
    sys.exit(main())
