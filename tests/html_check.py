#!/usr/bin/env python3
"""A syslat --html report, opened in headless Chromium with the network off,
checked as a person would look at it: the page loads with no console error
and fetches nothing; the syscall table has one row per syscall of the JSON
report given, with its calls; every timed syscall has a non-empty histogram
and heatmap; with --stacks, the flame graph has frames, the workload's
functions among them; a click on a column header sorts the table. Prints
the screenshot's path.

  html_check.py --html FILE --json REPORT.ndjson [--functions f,g] [--screenshot PNG]

Exit 0 pass, 1 fail, 77 skipped (no Chromium).
"""
import argparse
import json
import os
import sys
import tempfile
import time
import base64

from chromium_cdp import Browser, find_chromium

SKIP = 77

# What the page holds, read in the page.
PROBE = """(() => {
  const rows = Array.from(document.querySelectorAll('#syscall-table tbody tr'));
  const charts = Array.from(document.querySelectorAll('.syscall-charts')).map(d => ({
    name: d.getAttribute('data-syscall'),
    bars: d.querySelectorAll('svg.histogram rect.bar').length,
    cells: d.querySelectorAll('svg.heatmap rect.cell').length,
    bar_width: Array.from(d.querySelectorAll('svg.histogram rect.bar')).reduce((w, r) => w + r.getBBox().width, 0),
  }));
  const frames = Array.from(document.querySelectorAll('svg.flamegraph g title')).map(t => t.textContent);
  return {
    title: document.title,
    rows: rows.map(r => ({name: r.getAttribute('data-syscall'), calls: Number(r.cells[1].getAttribute('data-v'))})),
    charts: charts,
    flame: frames,
    flame_rects: document.querySelectorAll('svg.flamegraph rect.frame').length,
    losses: (document.getElementById('losses') || {}).textContent,
    resources: performance.getEntriesByType('resource').map(e => e.name),
  };
})()"""

SORT = """(() => {
  const th = document.querySelectorAll('#syscall-table th')[1];
  th.click();
  const first = Array.from(document.querySelectorAll('#syscall-table tbody tr')).map(r => Number(r.cells[1].getAttribute('data-v')));
  th.click();
  const second = Array.from(document.querySelectorAll('#syscall-table tbody tr')).map(r => Number(r.cells[1].getAttribute('data-v')));
  return {first: first, second: second};
})()"""


def expected_calls(path):
    """{syscall name as the table shows it: calls} summed over the JSON
    reports, and the syscalls with timed calls (each must have its charts)."""
    calls, charted = {}, set()
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            report = json.loads(line)
            if report.get("type") not in ("count", "lat"):
                continue
            for row in report.get("syscalls", []):
                name = row["name"] + (" [i386]" if row.get("abi") == "i386" else "")
                calls[name] = calls.get(name, 0) + row["count"]
                if report.get("timed") and row.get("timed_count"):
                    charted.add(name)
    return calls, charted


def check(page, sort, want, charted, functions):
    problems = []
    shown = {r["name"]: r["calls"] for r in page["rows"]}
    if len(page["rows"]) != len(shown):
        problems.append("a syscall has two rows")
    if shown != want:
        problems.append(f"table rows {shown} != the JSON report's {want}")
    for chart in page["charts"]:
        if chart["bars"] == 0 or chart["bar_width"] <= 0 or chart["cells"] == 0:
            problems.append(f"{chart['name']}: an empty chart ({chart})")
    names = {chart["name"] for chart in page["charts"]}
    if names != charted:
        problems.append(f"charts of {sorted(names)}, not of the timed syscalls {sorted(charted)}")
    if functions:
        if page["flame_rects"] == 0:
            problems.append("no flame graph frames")
        for fn in functions:
            if not any(t.startswith(fn + " (") for t in page["flame"]):
                problems.append(f"flame graph: no frame {fn}")
    if page["resources"]:
        problems.append(f"the page fetched {page['resources']}")
    if sort["first"] != sorted(sort["first"], reverse=True) or sort["second"] != sorted(sort["second"]):
        problems.append(f"sorting by calls: {sort}")
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--html", required=True)
    ap.add_argument("--json", required=True)
    ap.add_argument("--functions", default="")
    ap.add_argument("--screenshot")
    args = ap.parse_args()
    chromium = find_chromium()
    if not chromium:
        print("SLT_SKIPPED: no Chromium (scripts/setup.sh installs it)")
        return SKIP
    with tempfile.TemporaryDirectory() as work:
        browser = Browser(chromium, work)
        try:
            browser.call("Network.enable")
            browser.call("Network.emulateNetworkConditions",
                         {"offline": True, "latency": 0, "downloadThroughput": 0, "uploadThroughput": 0})
            browser.call("Page.navigate", {"url": "file://" + os.path.abspath(args.html)})
            deadline = time.monotonic() + 30
            while browser.evaluate("document.readyState") != "complete":
                if time.monotonic() > deadline:
                    raise TimeoutError("the page did not load")
                time.sleep(0.1)
            page = browser.evaluate(PROBE)
            if args.screenshot:
                height = browser.evaluate("document.documentElement.scrollHeight")
                browser.call("Emulation.setDeviceMetricsOverride",
                             {"width": 1280, "height": min(int(height), 6000), "deviceScaleFactor": 1, "mobile": False})
                shot = browser.call("Page.captureScreenshot", {"format": "png"})
                with open(args.screenshot, "wb") as f:
                    f.write(base64.b64decode(shot["data"]))
                print(f"screenshot: {os.path.abspath(args.screenshot)}")
            sort = browser.evaluate(SORT)
            console = list(browser.console)
        finally:
            browser.close()
    functions = [f for f in args.functions.split(",") if f]
    want, charted = expected_calls(args.json)
    problems = check(page, sort, want, charted, functions)
    problems += [f"console: {line}" for line in console]
    print(f"{len(page['rows'])} rows, {len(page['charts'])} syscalls charted, {page['flame_rects']} flame frames; "
          f"lost: {page['losses']}")
    for p in problems:
        print("FAIL: " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
