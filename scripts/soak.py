#!/usr/bin/env python3
"""Load and soak checks (docs/cli.md "Nothing is lost silently") against real tools on this kernel.

  scripts/soak.py [--build DIR] [--short]

1. Mixed load: stress-ng (many threads: get*, sysinfo, futex, pthreads, fork,
   open, pipe, poll) while `syscount -P -i 1 -j` and `syslatd` run, syslatd
   scraped every second. Checks: both exit 0 on SIGINT; nothing lost in the
   default path; the per-process rows add up to the global counts over the
   run exactly (per interval they differ only by the calls made between the
   two map reads, carried into the next interval: reported); every scrape
   answered 200 with no lost events; RSS of both tools at start and end.
2. Flood: `sysslow --threshold 0` under the same load: the ring buffer
   overflows and the loss is reported (summary lost > 0, equal to the lost
   lines in the stream).
3. Churn: 1,000 short-lived processes a second under `syscount -P -n`:
   the kernel's per-process map stays bounded (entries sampled with bpftool
   while it runs), exited processes' entries are reclaimed, exit_group is
   counted once per child, and the per-process rows plus the calls refused
   by a full map add up to the global count. Again with --max-processes
   small enough to refuse: the refusals are counted and shown.

Full form: 60 s of load, 30 s of churn (~3 min). --short (CI): 12 s and 8 s.
Exits non-zero on the first failed check; prints one line per check.
"""
import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
failures = []


def check(ok, what, detail=""):
    print(f"{'ok  ' if ok else 'FAIL'} {what}{': ' + detail if detail else ''}", flush=True)
    if not ok:
        failures.append(what)


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(proc, err_path, text, timeout=20):
    end = time.time() + timeout
    while time.time() < end:
        if proc.poll() is not None:
            return False
        with open(err_path) as f:
            if text in f.read():
                return True
        time.sleep(0.05)
    return False


def stop(proc, timeout=20):
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait()


def ndjson(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def row_sum(rows, name=None):
    return sum(r["count"] for r in rows if name is None or r["name"] == name)


def stress(seconds):
    return subprocess.Popen(
        ["stress-ng", "--get", "2", "--sysinfo", "1", "--futex", "1", "--pthread", "1", "--pthread-max", "64",
         "--fork", "1", "--open", "1", "--pipe", "1", "--poll", "1", "--timeout", f"{seconds}s"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def mixed_load(tool, seconds, tmp):
    print(f"== mixed load: stress-ng {seconds}s, syscount -P -i 1 and syslatd (scraped every second)", flush=True)
    counts, count_err, serve_err = (os.path.join(tmp, n) for n in ("count.ndjson", "count.err", "serve.err"))
    port = free_port()
    syscount = subprocess.Popen([tool("syscount"), "-P", "-i", "1", "-j", "-o", counts],
                                stderr=open(count_err, "w"), stdout=subprocess.DEVNULL)
    syslatd = subprocess.Popen([tool("syslatd"), "--listen", f"127.0.0.1:{port}"],
                               stderr=open(serve_err, "w"), stdout=subprocess.DEVNULL)
    if not (wait_ready(syscount, count_err, "Tracing") and wait_ready(syslatd, serve_err, "http://")):
        check(False, "syscount -P and syslatd start", open(count_err).read() + open(serve_err).read())
        stop(syscount), stop(syslatd)
        return
    load = stress(seconds)
    scrapes, bad_scrapes, lost_metric = 0, [], 0.0
    rss = {"syscount": [], "syslatd": []}
    t0 = time.time()
    while load.poll() is None:
        time.sleep(1)
        rss["syscount"].append(rss_kb(syscount.pid))
        rss["syslatd"].append(rss_kb(syslatd.pid))
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
                body = r.read().decode()
                scrapes += 1
                if r.status != 200:
                    bad_scrapes.append(r.status)
                lost_metric = sum(float(l.rsplit(" ", 1)[1]) for l in body.splitlines()
                                  if l.startswith("syslat_events_lost_total{"))
        except Exception as e:  # noqa: BLE001 - any failure to scrape is the finding
            bad_scrapes.append(str(e))
    elapsed = time.time() - t0
    status_count, status_serve = stop(syscount), stop(syslatd)
    check(status_count == 0 and status_serve == 0, "syscount -P and syslatd end with status 0 on SIGINT",
          f"syscount {status_count}, syslatd {status_serve}")
    check(scrapes >= int(elapsed) - 2 and not bad_scrapes, "syslatd answered every scrape under load",
          f"{scrapes} scrapes in {elapsed:.0f}s, failures {bad_scrapes[:3]}")
    check(lost_metric == 0, "syslatd: syslat_events_lost_total stays 0 in the default path", f"{lost_metric:g}")

    reports = ndjson(counts)
    total = sum(r["total_count"] for r in reports)
    lost = sum(r["lost"] for r in reports)
    check(len(reports) >= seconds - 1, "syscount -P -i 1 wrote one report a second", f"{len(reports)} reports")
    check(lost == 0, "syscount -P: nothing lost under load (default path)", f"{lost} lost of {total:,} calls")
    skews, per_proc_total = [], 0
    for r in reports:
        g = row_sum(r["syscalls"])
        p = sum(row_sum(proc["syscalls"]) for proc in r.get("processes", []))
        p += r["lost_detail"]["proc_map_full"]
        per_proc_total += p
        skews.append(abs(p - g) / max(g, 1))
    check(per_proc_total == total, "sum of per-process counts equals the global count over the run",
          f"{per_proc_total:,} vs {total:,} calls in {len(reports)} intervals")
    print(f"     per interval: |per-process - global| / global median {sorted(skews)[len(skews) // 2]:.2e},"
          f" max {max(skews):.2e} (calls made between the two map reads, carried to the next interval)")
    for name, series in rss.items():
        series = [x for x in series if x]
        if len(series) < 3:
            check(False, f"{name} RSS sampled", str(series))
            continue
        start, end, peak = series[1], series[-1], max(series)  # [1]: after start-up
        check(end <= start * 1.25 + 4096, f"{name} RSS stable",
              f"start {start / 1024:.1f} MB, end {end / 1024:.1f} MB, peak {peak / 1024:.1f} MB")


def flood(tool, tmp):
    print("== flood: sysslow --threshold 0 -d 3 under stress-ng", flush=True)
    out, err = os.path.join(tmp, "slow.ndjson"), os.path.join(tmp, "slow.err")
    load = stress(6)
    time.sleep(1)
    r = subprocess.run([tool("sysslow"), "--threshold", "0", "-d", "3", "-j", "-o", out],
                       stderr=open(err, "w"), stdout=subprocess.DEVNULL, timeout=60)
    load.wait()
    objs = ndjson(out)
    events = sum(1 for o in objs if o.get("type") == "slow")
    lost_lines = sum(o["lost"] for o in objs if o.get("type") == "lost")
    summary = objs[-1] if objs else {}
    check(r.returncode == 0 and summary.get("type") == "slow_summary", "sysslow flood ends with a summary",
          f"status {r.returncode}")
    check(summary.get("lost", 0) > 0 and summary.get("lost") == lost_lines and summary.get("events") == events,
          "sysslow flood: ring buffer losses counted and shown",
          f"{events:,} events shown, {summary.get('lost', 0):,} lost (stream said {lost_lines:,})")


def proc_map_entries():
    """Entries in the newest proc_stats map (ours: the only syslat running)."""
    maps = json.loads(subprocess.run(["bpftool", "map", "show", "-j"], capture_output=True, text=True).stdout)
    ours = [m for m in maps if m.get("name") == "proc_stats"]
    if not ours:
        return None, None
    m = max(ours, key=lambda m: m["id"])
    dump = subprocess.run(["bpftool", "map", "dump", "id", str(m["id"]), "-j"], capture_output=True, text=True)
    try:
        return len(json.loads(dump.stdout)), m["max_entries"]
    except json.JSONDecodeError:
        return None, m["max_entries"]


def churn(tool, workload, seconds, tmp, max_processes=None):
    label = f"--max-processes {max_processes}" if max_processes else "default map size"
    print(f"== churn: 1000 processes/s for {seconds}s under syscount -P -n ({label})", flush=True)
    comm = f"churn{os.getpid() % 100000}"
    exe = os.path.join(tmp, comm)
    subprocess.run(["cp", workload("wl_churn"), exe], check=True)
    out, err = os.path.join(tmp, f"churn{max_processes}.ndjson"), os.path.join(tmp, "churn.err")
    cmd = [tool("syscount"), "-P", "-n", comm, "-i", "1", "-j", "-o", out]
    if max_processes:
        cmd += ["--max-processes", str(max_processes)]
    syscount = subprocess.Popen(cmd, stderr=open(err, "w"), stdout=subprocess.DEVNULL)
    if not wait_ready(syscount, err, "Tracing"):
        check(False, "syscount -P -n starts", open(err).read())
        return
    calls = 3
    wl = subprocess.Popen([exe, "1000", str(seconds), str(calls)], stdout=subprocess.PIPE, text=True)
    samples, capacity = [], None
    while wl.poll() is None:
        time.sleep(1)
        n, capacity = proc_map_entries()
        if n is not None:
            samples.append(n)
    children = int(wl.stdout.read().split()[1])
    # A process's entries go at the first poll that finds it reaped after one that saw them: two polls.
    time.sleep(2.5)
    after, _ = proc_map_entries()
    stop(syscount)
    reports = ndjson(out)
    total = sum(r["total_count"] for r in reports)
    refused = sum(r["lost_detail"]["proc_map_full"] for r in reports)
    rows = sum(row_sum(p["syscalls"]) for r in reports for p in r.get("processes", []))
    exits = sum(row_sum(r["syscalls"], "exit_group") for r in reports)
    pids = {p["pid"] for r in reports for p in r.get("processes", [])}
    print(f"     {children:,} children ({children / seconds:.0f}/s), {len(pids):,} process rows,"
          f" map entries sampled {min(samples, default=0)}..{max(samples, default=0)} of {capacity}, {after} after")
    check(exits == children + 1, "exit_group counted once per process", f"{exits:,} for {children + 1:,} processes")
    check(rows + refused == total, "per-process rows + refused calls = global count",
          f"{rows:,} + {refused:,} = {total:,}")
    keys_made = children * 3  # set_robust_list, getppid and exit_group rows per child
    check(bool(samples) and max(samples) <= capacity and max(samples) < keys_made / 3,
          "per-process map bounded: exited processes' entries are reclaimed",
          f"peak {max(samples, default=0)} entries while {keys_made:,} were made")
    check(after is not None and after < 100, "entries of exited processes reclaimed after the run", f"{after} left")
    if max_processes:
        check(refused > 0, "a full per-process map refuses, and the refusals are counted", f"{refused:,} calls")
        check(all(r["lost"] >= r["lost_detail"]["proc_map_full"] for r in reports),
              "refusals are part of each report's lost count")
    else:
        check(refused == 0, "default map size: no refusals at 1000 processes/s", f"{refused:,}")
    check(children >= 800 * seconds, "the workload reached ~1000 processes/s", f"{children / seconds:.0f}/s")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--short", action="store_true", help="CI form: 12 s load, 8 s churn")
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("soak.py: run as root (BPF)")

    def tool(name):
        return os.path.join(args.build, name)

    def workload(name):
        return os.path.join(args.build, "tests", "workloads", name)

    for path in (tool("syslat"), workload("wl_churn")):
        if not os.access(path, os.X_OK):
            sys.exit(f"soak.py: {path} missing: build first (scripts/build.sh)")
    load_s, churn_s = (12, 8) if args.short else (60, 30)
    with tempfile.TemporaryDirectory(prefix="syslat-soak-") as tmp:
        mixed_load(tool, load_s, tmp)
        flood(tool, tmp)
        churn(tool, workload, churn_s, tmp)
        # 32 processes: 1024 (process, syscall) pairs, fewer than the ~6000 that
        # 1000 processes/s hold between two reads.
        churn(tool, workload, max(4, churn_s // 4), tmp, max_processes=32)
    print(f"soak: {'all checks passed' if not failures else f'{len(failures)} FAILED: ' + '; '.join(failures)}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
