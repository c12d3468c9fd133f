#!/usr/bin/env python3
"""syslat overhead benchmark (docs/performance.md). Run it through scripts/bench.sh, which
mounts tracefs and builds the workloads first; docs/performance.md explains
the method. The rows live in bench_rows.py."""
import argparse
import dataclasses
import datetime
import json
import os
import platform
import random
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import time

import bench_bpfstats
import bench_redis
import bench_sched
from bench_poll import PtyTool, measure_polling, start_poll_row
from bench_procs import (Tool, Unavailable, Workloads, check_executable, free_port, run_command, syscall_tracers,
                         tracer_cpu)
from bench_report import bpf_results, render_json, render_text, poll_results, tracer_results, workload_results
from bench_rows import FLOOR_KEY, GETPPID, PAIR, PAIR_ONE_CPU, PATH, PER_SWITCH, PIPE, REDIS, ROWS, SCHED, WORKLOADS

SETTLE_AFTER_DETACH_S = 0.15
# The BPF statistics are averages over every run of a program: a quarter of
# a sample's calls is plenty, and keeps the extra runs short.
BPF_STATS_SCALE = 0.25
MIN_CPU_SHARE = 0.9
# redis under a ptrace-based tool (strace -p) serves ~20x fewer requests/s:
# a tenth of the requests keeps its samples about as long as the others.
REDIS_SLOW_SCALE = 0.1
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def parse_args():
    p = argparse.ArgumentParser(prog="scripts/bench.sh", description="syslat overhead benchmark (docs/performance.md)")
    p.add_argument("--build", default="build", help="build dir with syscount, syslat, ... and bench/ (default: build)")
    p.add_argument("--rounds", type=int, help="interleaved rounds (default 7, --quick 3)")
    p.add_argument("--quick", action="store_true", help="smoke test: fewer rounds and calls, ~2 min")
    p.add_argument("--json", action="store_true", help="print the results as JSON instead of tables")
    p.add_argument("--only", help="comma-separated row keys to run (baseline and floor are always added); a "
                                  "workload's name (e.g. redis) adds every row that runs it, on that workload only")
    p.add_argument("--calls", type=int, help="getppid calls per loop process in fast rows (default: calibrated to ~0.2 s)")
    p.add_argument("--slow-calls", type=int, help="getppid calls under ptrace/perf trace (default 20000)")
    p.add_argument("--pipe-calls", type=int, help="pipe_mix calls per thread (default: calibrated)")
    p.add_argument("--pair-calls", type=int, help="getppid calls per thread of the two-CPU pair (default: calibrated)")
    p.add_argument("--path-calls", type=int, help="path_block calls of both threads (default: calibrated)")
    p.add_argument("--redis-requests", type=int,
                   help="redis-benchmark requests per test (SET, GET) per sample (default: calibrated to ~1 s, "
                        "--quick ~0.4 s)")
    p.add_argument("--sched-loops", type=int,
                   help="perf bench sched pipe round trips per sample (default: calibrated to ~0.5 s, --quick ~0.25 s)")
    p.add_argument("--redis-clients", type=int, default=50, help="redis-benchmark connections (default 50)")
    p.add_argument("--redis-tcp", action="store_true",
                   help="redis-benchmark over TCP on 127.0.0.1 instead of the server's unix socket")
    p.add_argument("--redis-restart", action="store_true",
                   help="a fresh redis-server each round instead of one for the whole run")
    p.add_argument("--no-bpf-stats", action="store_true",
                   help="skip the per-program cost (kernel.bpf_stats_enabled=1 around one extra workload run per "
                        "attached sample)")
    p.add_argument("--poll-seconds", type=float, help="polling-cost window (default 30, --quick 5)")
    p.add_argument("--no-poll", action="store_true", help="skip the polling-cost rows")
    p.add_argument("--tool-cpu", type=int, default=0, help="CPU for the tools' userspace (default 0)")
    p.add_argument("--loop-cpu", type=int, help="CPU for the getppid loop (default 1, or 0 on one CPU)")
    p.add_argument("--seed", type=int, default=None, help="seed of the round order shuffle")
    p.add_argument("--time-budget", type=float,
                   help="seconds the whole run should fit in: fewer rounds (never under 5) and no more "
                        "re-measuring past it (default 600, --quick 120)")
    p.add_argument("--foreign-wait", type=float, default=60,
                   help="seconds to wait for other programs on sys_enter/sys_exit to go before starting (60)")
    p.add_argument("--log-dir", help="keep tool logs here (default: a temporary dir, removed)")
    p.add_argument("--list", action="store_true", help="list the rows and exit")
    p.add_argument("--from-json", metavar="FILE", help="print the tables of an earlier --json run and exit")
    return p.parse_args()


def progress(msg):
    print(msg, file=sys.stderr, flush=True)


def read_first(path, default="?"):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return default


def machine_info():
    model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    vuln = "/sys/devices/system/cpu/vulnerabilities"
    mitigations = ", ".join(f"{name}: {read_first(f'{vuln}/{name}')}" for name in ("meltdown", "spectre_v2"))
    return {
        "cpu_model": model, "cpus": os.cpu_count(), "kernel": platform.release(),
        "clocksource": read_first("/sys/devices/system/clocksource/clocksource0/current_clocksource"),
        "mitigations": mitigations,
    }


def source_version():
    try:
        return subprocess.run(["git", "-C", REPO, "describe", "--always", "--dirty"], capture_output=True,
                              text=True, timeout=10).stdout.strip() or "?"
    except (OSError, subprocess.SubprocessError):
        return "?"


def uncontended(m):
    """A workload run that had its CPU: its own verdict when it gives one (redis:
    bench_redis.contended), else a CPU share of at least MIN_CPU_SHARE."""
    if m.fields and "contended" in m.fields:
        return not m.fields["contended"]
    return m.cpu_share is None or m.cpu_share >= MIN_CPU_SHARE


class Bench:
    def __init__(self, args, rows, log_dir):
        self.args = args
        self.rows = rows
        self.log_dir = log_dir
        self.build = os.path.abspath(args.build)
        self.bench = os.path.join(self.build, "bench")
        ncpu = os.cpu_count() or 1
        self.tool_cpu = args.tool_cpu
        self.loop_cpu = args.loop_cpu if args.loop_cpu is not None else (1 if ncpu > 1 else 0)
        self.pipe_cpus = (0, 1) if ncpu > 1 else (0, 0)
        self.workloads = Workloads(self.bench, self.loop_cpu, self.pipe_cpus)
        self.samples = {}      # row key -> workload -> [(ns/call, clean) per round]
        self.fields = {}       # row key -> workload -> [the workload's key=value numbers per round]
        self.bpf = {}          # row key -> workload -> [{tracepoint: {"ns", "runs"}} per round]
        self.tracer = {}       # row key -> [(tracer, tracee) CPU ns per traced call, per round]
        self.stats_switch = None if args.no_bpf_stats else bench_bpfstats.Switch()
        self.statuses = {}     # row key -> "not built yet" / "failed: ..." once it cannot run
        self.workload_statuses = {}  # workload -> why no row can run it ("not installed: ...")
        self.redis = None      # the redis workload's server (bench_redis.Server), while it runs
        self.redis_requests = 0
        self.sched_loops = 0
        self.sched_startup_ns = 0.0
        self.warnings = []
        self.our_pids = set()
        self.other = None
        self.max_load = 0.0
        self.procs = 1 if args.quick else 3
        self.contaminated = 0  # samples taken while someone else's tracer was attached
        self.contended = 0     # workload runs that shared their CPU with another task
        self.retries_left = 3 * len(rows)
        self.rounds_done = 0
        self.retry_deadline = 0.0  # set when the clock starts
        self.foreign = {}      # pid -> comm of those tracers

    # ---- set-up ----
    def start_other(self):
        """The process of the "-p OTHER" rows: alive and asleep, never the measured loop."""
        self.other = subprocess.Popen(["sleep", "1000000"], stdin=subprocess.DEVNULL)
        self.our_pids.add(self.other.pid)

    def calibrate(self):
        quick = self.args.quick
        target_s = 0.1 if quick else 0.2
        ns = run_command(self.workloads.getppid(200000), *self.logs("calibrate")).ns
        self.calls = self.args.calls or int(min(5e6, max(1e5, round(target_s * 1e9 / ns, -5))))
        self.slow_calls = self.args.slow_calls or (5000 if quick else 20000)
        one_process_s = 2.5 * target_s  # one process per sample instead of `procs`

        def sized(argv, name, given):
            ns_w = run_command(argv, *self.logs(f"calibrate_{name}")).ns
            return ns_w, given or int(min(5e6, max(2e4, round(one_process_s * 1e9 / ns_w, -4))))

        used = {w for row in self.rows for w in row.workloads}
        ns_pipe, self.pipe_calls = sized(self.workloads.pipe(50000), "pipe", self.args.pipe_calls) \
            if PIPE in used else (0, 0)
        ns_pair, self.pair_calls = sized(self.workloads.pair(50000), "pair", self.args.pair_calls) \
            if used & {PAIR, PAIR_ONE_CPU} else (0, 0)
        ns_path, self.path_calls = sized(self.workloads.path(50000), "path", self.args.path_calls) \
            if PATH in used else (0, 0)
        progress(f"calibrated: getppid {ns:.0f} ns/call -> {self.calls:,} calls; "
                 f"pipe_mix {ns_pipe:.0f} ns/call -> {self.pipe_calls:,} calls per thread; "
                 f"pair {ns_pair:.0f} ns/call -> {self.pair_calls:,} calls per thread; "
                 f"path_block {ns_path:.0f} ns/call -> {self.path_calls:,} calls")
        if SCHED in used:
            self.size_sched(one_process_s)
        if REDIS in used:
            self.start_redis(quick)

    # ---- the context switch workload ----
    def size_sched(self, target_s):
        """Sizes perf bench sched pipe's samples to ~target_s; without perf
        every row says so for that workload (and the rows that run nothing
        else are left out)."""
        try:
            self.sched_startup_ns = bench_sched.startup_cpu_ns(self.loop_cpu, *self.logs("calibrate_sched_startup"))
            m = bench_sched.benchmark(self.loop_cpu, 20000, *self.logs("calibrate_sched"), self.sched_startup_ns)
        except Unavailable as err:
            self.workload_statuses[SCHED] = err.status
            for row in self.rows:
                if SCHED in row.workloads and not set(row.workloads) - {SCHED}:
                    self.statuses[row.key] = err.status
            progress(f"sched workload: {err.status}")
            return
        ns_loop = m.fields["ns_per_loop"]
        self.sched_loops = self.args.sched_loops or int(min(2e6, max(5e3, round(target_s * 1e9 / ns_loop, -3))))
        progress(f"calibrated: perf bench sched pipe {ns_loop:.0f} ns/loop, {m.fields['switches_per_loop']:.2f} "
                 f"switches/loop, start-up {self.sched_startup_ns / 1e6:.1f} ms CPU -> {self.sched_loops:,} loops")

    # ---- the redis workload ----
    def start_redis(self, quick):
        """Starts the redis workload's server, warms it up, and sizes its samples;
        without redis every row says so for that workload (and the rows that run
        nothing else are left out)."""
        reason = bench_redis.missing()
        if reason is None:
            self.redis = bench_redis.Server(self.loop_cpu, self.log_dir, self.logs("redis_server")[0],
                                            unix=not self.args.redis_tcp)
            try:
                self.redis.start()
                ns = self.warm_redis()
            except Unavailable as err:
                reason = err.status
        if reason is not None:
            self.workload_statuses[REDIS] = reason
            for row in self.rows:
                if REDIS in row.workloads and not set(row.workloads) - {REDIS}:
                    self.statuses[row.key] = reason
            progress(f"redis workload: {reason}")
            return
        target_s = 0.4 if quick else 1.0  # per test (SET, GET) of a sample
        self.redis_requests = self.args.redis_requests or int(min(2e6, max(1e4, round(target_s * 1e9 / ns, -3))))
        progress(f"calibrated: redis {ns:.0f} ns/request ({1e9 / ns:,.0f} requests/s) -> "
                 f"{self.redis_requests:,} requests per test, {self.args.redis_clients} clients, "
                 f"{'TCP 127.0.0.1' if self.args.redis_tcp else 'unix socket'}")

    def warm_redis(self):
        """An untimed run against a freshly started server (its first second is
        slower: allocator, page faults, the first connections); returns its ns
        per request."""
        m = None
        for _ in range(2):
            m = bench_redis.benchmark(self.redis, self.tool_cpu, self.redis_requests or 20000,
                                      self.args.redis_clients, *self.logs("redis_warmup"))
        return m.ns

    def restart_redis(self, why):
        self.redis.stop()
        self.redis.start()
        self.warm_redis()
        if why:
            self.warn(why)

    def redis_sample(self, log_name, scale=1.0, tool_pid=None):
        if not self.redis.alive():
            self.restart_redis("redis-server exited during the run and was started again")
        return bench_redis.benchmark(self.redis, self.tool_cpu, int(self.redis_requests * scale),
                                     self.args.redis_clients, *self.logs(log_name), tool_pid=tool_pid)

    def logs(self, name):
        return (os.path.join(self.log_dir, f"{name}.out"), os.path.join(self.log_dir, f"{name}.err"))

    def expand(self, row, loop_argv=None, port=None):
        values = {"build": self.build, "bench": self.bench, "port": port,
                  "other_pid": self.other.pid if self.other else 0,
                  "server_pid": self.redis.pid if self.redis else 0}
        argv = []
        for token in shlex.split(row.cmd):
            argv += loop_argv if token == "{loop}" else [token.format(**values)]
        return argv

    # ---- one row, one round ----
    def workload_argv(self, workload, slow=False, scale=1.0):
        if workload == PIPE:
            return self.workloads.pipe(int(self.pipe_calls * scale))
        if workload == PAIR:
            return self.workloads.pair(int(self.pair_calls * scale))
        if workload == PAIR_ONE_CPU:  # the two threads by turns: half the calls for the same time
            return self.workloads.pair(int(self.pair_calls * scale / 2), one_cpu=True)
        if workload == PATH:
            return self.workloads.path(int(self.path_calls * scale))
        return self.workloads.getppid(int((self.slow_calls if slow else self.calls) * scale))

    def run_workload(self, workload, log_name, scale=1.0, tool_pid=None, slow=False):
        """One run of a workload: its Measurement (`slow`: under a ptrace-based tool)."""
        if workload == REDIS:
            return self.redis_sample(log_name, scale * (REDIS_SLOW_SCALE if slow else 1.0), tool_pid)
        if workload == SCHED:
            return bench_sched.benchmark(self.loop_cpu, max(1000, int(self.sched_loops * scale)), *self.logs(log_name),
                                         self.sched_startup_ns)
        return run_command(self.workload_argv(workload, scale=scale), *self.logs(log_name))

    def runnable(self, row):
        return [w for w in row.workloads if w not in self.workload_statuses]

    def run_workloads(self, row, tool_pid=None):
        """({workload: ns/call}, {workload: the numbers of its line}, uncontended).
        getppid is the median of `procs` loop processes (a fresh process
        sometimes lands a few % slower or faster)."""
        results, fields, uncontended = {}, {}, True
        for w in self.runnable(row):
            runs = [self.run_uncontended(w, f"{row.key}_{w}", tool_pid, row.slow)
                    for _ in range(self.procs if w == GETPPID else 1)]
            results[w] = statistics.median(m.ns for m, _ in runs)
            fields[w] = sorted(runs, key=lambda run: run[0].ns)[len(runs) // 2][0].fields
            uncontended &= all(ok for _, ok in runs)
        return results, fields, uncontended

    def run_uncontended(self, workload, log_name, tool_pid=None, slow=False):
        """One workload process; run again (twice at most, while the retry budget
        lasts) when another task shared its CPU. Returns (Measurement, uncontended)."""
        for _ in range(3):
            m = self.run_workload(workload, log_name, tool_pid=tool_pid, slow=slow)
            if uncontended(m):
                return m, True
            if not self.spend_retry():
                break
        self.contended += 1
        return m, False

    def bpf_sample(self, row, tool):
        """{workload: per-tracepoint run time and runs} over one more run of each
        workload with the BPF statistics on (after the wall-clock runs, which
        must not pay for them)."""
        if self.stats_switch is None or not self.stats_switch.available:
            return {}
        if self.args.quick and self.rounds_done > 0:  # one round of them is enough for a smoke test
            return {}
        programs = bench_bpfstats.tool_programs(tool.pid)
        if not programs:
            return {}
        out = {}
        try:
            with self.stats_switch.on():
                for w in self.runnable(row):
                    before = bench_bpfstats.counters(programs)
                    m = self.run_workload(w, f"{row.key}_{w}_bpfstats", scale=BPF_STATS_SCALE, tool_pid=tool.pid,
                                          slow=row.slow)
                    delta = bench_bpfstats.delta(programs, before, bench_bpfstats.counters(programs))
                    f = m.fields or {}
                    # redis: every test's requests, to give the syscalls per request
                    requests = len(bench_redis.TESTS) * f["requests"] if "requests" in f else None
                    if w in PER_SWITCH:  # per context switch: the workload's own, against sched_switch's runs
                        out[w] = bench_bpfstats.sample(delta, f.get("switches"),
                                                       unit=bench_bpfstats.SWITCH_TRACEPOINT)
                    else:
                        out[w] = bench_bpfstats.sample(delta, f.get("total_calls"), requests)
        except OSError as err:  # the sysctl cannot be written: no statistics, the wall clock goes on
            self.stats_switch = None
            self.warn(f"no per-program cost: cannot switch {bench_bpfstats.SYSCTL}: {err}")
        return out

    def spend_retry(self):
        if self.retries_left <= 0 or time.monotonic() > self.retry_deadline:
            return False
        self.retries_left -= 1
        return True

    def start_tool(self, row):
        argv = self.expand(row, port=free_port())
        if row.tty:
            return PtyTool(argv, self.tool_cpu, row.ours, self.logs(f"{row.key}_tool")[0])
        # As high a priority as the redis workload's processes (bench_redis), with which it shares a CPU.
        return Tool(argv, self.logs(f"{row.key}_tool")[0], self.tool_cpu, row.ours, priority=REDIS in self.runnable(row))

    def run_attached(self, row):
        tool = self.start_tool(row)
        self.our_pids.add(tool.pid)
        try:
            tool.wait_ready(row.ready, row.settle_s)
            time.sleep(0.1)  # let the tool's own start-up syscalls settle
            results, fields, uncontended = self.run_workloads(row, tool.pid)
            bpf = self.bpf_sample(row, tool)
        finally:
            rc, clean = tool.stop()
            self.our_pids.discard(tool.pid)
            # Detaching leaves RCU callbacks and freeing work behind; keep it
            # out of whatever is measured next.
            time.sleep(SETTLE_AFTER_DETACH_S)
        if not clean:
            self.warn(f"{row.label}: did not exit within 10 s of SIGINT (killed)")
        elif rc != 0 and not (rc == -signal.SIGINT and not row.ours):  # strace dies of the SIGINT it was sent
            self.warn(f"{row.label}: exit status {rc} after SIGINT")
        return results, uncontended, {"fields": fields, "bpf": bpf}

    def run_wrapped(self, row):
        argv = self.expand(row, loop_argv=self.workload_argv(GETPPID, row.slow))
        check_executable(argv[0], row.ours)
        m = run_command(["taskset", "-c", str(self.tool_cpu)] + argv, *self.logs(row.key), ours=row.ours)
        # A traced loop waits for its tracer at every stop: its CPU share says nothing here.
        return {GETPPID: m.ns}, True, {"fields": {GETPPID: m.fields}, "tracer": tracer_cpu(m)}

    def run_row(self, row):
        """({workload: ns/call}, clean, extras: the workloads' numbers, BPF statistics, tracer CPU)."""
        if row.kind == "baseline":
            results, fields, uncontended = self.run_workloads(row)
            return results, uncontended, {"fields": fields}
        if row.kind == "attach":
            return self.run_attached(row)
        return self.run_wrapped(row)

    def record(self, row, results, clean, extras):
        for workload, ns in results.items():
            self.samples.setdefault(row.key, {}).setdefault(workload, []).append((ns, clean))
        for workload, fields in extras.get("fields", {}).items():
            self.fields.setdefault(row.key, {}).setdefault(workload, []).append(fields)
        for workload, sample in extras.get("bpf", {}).items():
            self.bpf.setdefault(row.key, {}).setdefault(workload, []).append(sample)
        if extras.get("tracer"):
            self.tracer.setdefault(row.key, []).append(extras["tracer"])

    def warn(self, message):
        if message not in self.warnings:
            self.warnings.append(message)

    # ---- the run ----
    def rounds(self, count, min_rounds, deadline):
        """Runs up to `count` rounds; stops early (after `min_rounds` at least)
        when the next round would end after `deadline`."""
        rng = random.Random(self.args.seed)
        measured = [row for row in self.rows if row.kind != "poll"]
        began = time.monotonic()
        for r in range(count):
            start = time.monotonic()
            self.check_machine()
            if self.redis and self.args.redis_restart and r > 0:
                self.restart_redis(None)
            order = [row for row in measured for _ in range(row.per_round) if row.key not in self.statuses]
            rng.shuffle(order)
            for row in order:
                if row.key in self.statuses:  # its first copy this round failed
                    continue
                try:
                    results, clean, extras = self.measure_row(row)
                except Unavailable as err:
                    self.statuses[row.key] = err.status
                    progress(f"  {row.label}: {err.status}")
                    continue
                self.record(row, results, clean, extras)
            progress(f"round {r + 1}/{count} done in {time.monotonic() - start:.0f} s")
            self.rounds_done = r + 1
            per_round = (time.monotonic() - began) / (r + 1)
            if min_rounds <= r + 1 < count and time.monotonic() + per_round > deadline:
                self.warn(f"stopped after {r + 1} of {count} rounds to stay within the time budget "
                          f"({self.args.time_budget:.0f} s; see --time-budget)")
                break

    def measure_row(self, row):
        """One sample of a row and whether it is clean (no other task on the
        workload's CPU, nobody else's syscall tracer attached); measured again
        (twice at most, while the retry budget lasts) when such a tracer came
        or went meanwhile."""
        for _ in range(3):
            before = syscall_tracers(self.our_pids)
            results, uncontended, extras = self.run_row(row)
            after = syscall_tracers(self.our_pids)
            if before == after or not self.spend_retry():
                break
            progress(f"  {row.label}: another syscall tracer came or went, measuring again")
            time.sleep(1)
        if before or after:
            self.contaminated += 1
            for pid, comm in sorted(set(before) | set(after)):
                self.foreign[pid] = comm
        return results, uncontended and not (before or after), extras

    def check_machine(self):
        self.max_load = max(self.max_load, float(read_first("/proc/loadavg", "0").split()[0]))

    def wait_for_foreign_tracers(self, seconds):
        """Someone else's program on sys_enter/sys_exit turns the syscall slow
        path on for every task: the baseline absorbs that fixed cost and every
        overhead comes out too small. Give it a chance to go away first."""
        deadline = time.monotonic() + seconds
        while True:
            tracers = syscall_tracers(self.our_pids)
            if not tracers or time.monotonic() >= deadline:
                return
            names = ", ".join(f"{pid} ({comm})" for pid, comm in tracers)
            progress(f"waiting up to {deadline - time.monotonic():.0f} s for other syscall tracers to go: {names}")
            time.sleep(5)

    def final_warnings(self):
        if self.contaminated:
            names = ", ".join(f"pid {pid} ({comm})" for pid, comm in sorted(self.foreign.items()))
            self.warn(f"{self.contaminated} samples were taken while another program was attached to "
                      f"sys_enter/sys_exit ({names}); it raises the baseline and makes overheads look "
                      "smaller; such samples count as tainted")
        if self.stats_switch is not None and self.stats_switch.was_on:
            self.warn("kernel.bpf_stats_enabled was 1 before this run (someone else's): every BPF row paid "
                      "for the statistics in its wall-clock samples too")
        if self.contended:
            self.warn(f"{self.contended} workload runs shared their CPU with another task even after "
                      f"measuring again (CPU time < {MIN_CPU_SHARE:.0%} of wall time; redis: the client waited "
                      f"> {bench_redis.CLIENT_WAIT_MAX:.0%} of it for its CPU, the server "
                      f"> {bench_redis.SERVER_WAIT_MAX:.0%}, or the hypervisor stole > {bench_redis.STEAL_MAX:.0%}); "
                      "samples with one count as tainted")
        # The benchmark itself keeps about one task runnable.
        if self.max_load > 1.5:
            self.warn(f"the machine was busy (1-min load average up to {self.max_load:.1f}, this benchmark "
                      "alone makes ~1): other tasks shared the CPUs, expect noisy numbers")

    def polling(self, seconds):
        started, results = {}, {}
        try:
            for row in self.rows:
                if row.kind != "poll":
                    continue
                port = free_port()
                try:
                    tool, scraper = start_poll_row(row, self.expand(row, port=port), self.tool_cpu,
                                                   self.logs(row.key)[0], f"http://127.0.0.1:{port}/metrics")
                except Unavailable as err:
                    results[row.key] = {"status": err.status}
                    continue
                self.our_pids.add(tool.pid)
                started[row.key] = (row, tool, scraper)
            if started:
                progress(f"measuring polling cost of {', '.join(started)} for {seconds:g} s")
                results.update(measure_polling(started, seconds))
        finally:
            for _, tool, _ in started.values():
                tool.stop()
        return results

    def stop(self):
        if self.other and self.other.poll() is None:
            self.other.kill()
            self.other.wait()
        if self.redis:
            self.redis.stop()


def list_rows():
    """The workloads, then each row: key, kind, the workloads it runs, its command and what it is for."""
    lines = ["workloads:"] + [f"  {key:<8} {title}" for key, title in WORKLOADS.items()] + ["", "rows:"]
    for row in ROWS:
        runs = ",".join(row.workloads) if row.kind in ("baseline", "attach") else (
            "getppid, under the tool" if row.kind == "wrap" else "its own CPU time")
        lines.append(f"  {row.key:<20} {row.kind:<8} {runs:<32} {row.cmd or '-'}")
        if row.note:
            lines.append(f"  {'':<20} {'':<8} {'':<32} ({row.note})")
    return "\n".join(lines)


def select_rows(only):
    """The rows --only names, with baseline and floor. A workload's name
    instead of a row key adds every row that runs it, on that workload only
    (a row named too keeps all of its own); baseline and floor run the
    workloads the other rows run."""
    if not only:
        return list(ROWS)
    names = set(only.split(","))
    workloads = names & set(WORKLOADS)
    keys = names - workloads
    unknown = keys - {row.key for row in ROWS}
    if unknown:
        sys.exit(f"bench: unknown row(s) or workload(s): {', '.join(sorted(unknown))} (see --list)")
    refs = {"baseline", "floor"}
    picked = {}
    for row in ROWS:
        if row.key in keys and row.key not in refs:
            picked[row.key] = row
        elif row.key not in refs and set(row.workloads) & workloads:
            kept = tuple(w for w in row.workloads if w in workloads)
            picked[row.key] = dataclasses.replace(row, workloads=kept,
                                                  checked_on=tuple(w for w in row.checked_on if w in kept))
    needed = {w for row in picked.values() for w in row.workloads}
    for row in ROWS:
        if row.key in refs:
            kept = tuple(w for w in row.workloads if w in needed)
            picked[row.key] = dataclasses.replace(row, workloads=kept or row.workloads)
    return [picked[row.key] for row in ROWS if row.key in picked]


def stop_on_signals():
    """SIGINT and SIGTERM unwind through the finally blocks, which stop every
    process we started. Set explicitly: a shell without job control starts
    background jobs with SIGINT ignored, and Python then leaves it ignored."""
    def interrupted(signum, _frame):
        raise KeyboardInterrupt(signal.Signals(signum).name)

    signal.signal(signal.SIGINT, interrupted)
    signal.signal(signal.SIGTERM, interrupted)


def main():
    args = parse_args()
    stop_on_signals()
    if args.from_json:
        with open(args.from_json) as f:
            print(render_text(json.load(f)))
        return 0
    if args.list:
        print(list_rows())
        return 0
    rows = select_rows(args.only)
    if args.no_poll:
        rows = [row for row in rows if row.kind != "poll"]
    # The harness itself stays off the measured CPU; children inherit this and
    # the workloads pin themselves.
    os.sched_setaffinity(0, {args.tool_cpu})
    rounds = args.rounds or (3 if args.quick else 7)
    poll_seconds = args.poll_seconds or (5.0 if args.quick else 30.0)
    args.time_budget = args.time_budget or (120.0 if args.quick else 600.0)
    began = time.monotonic()
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    with tempfile.TemporaryDirectory(prefix="syslat-bench.") as tmp:
        log_dir = args.log_dir or tmp
        os.makedirs(log_dir, exist_ok=True)
        bench = Bench(args, rows, log_dir)
        try:
            bench.start_other()
            bench.wait_for_foreign_tracers(args.foreign_wait)
            # The time budget counts from here: waiting for someone else is not the benchmark's time.
            budget_end = time.monotonic() + args.time_budget
            bench.retry_deadline = time.monotonic() + 0.7 * args.time_budget
            bench.calibrate()
            polls = any(r.kind == "poll" for r in rows)
            reserve_s = poll_seconds + 15 if polls else 5
            bench.rounds(rounds, min(rounds, 3 if args.quick else 5), budget_end - reserve_s)
            bench.check_machine()
            poll = bench.polling(poll_seconds) if polls else {}
            bench.final_warnings()
        finally:
            bench.stop()
    report = {
        "date": date, "source": source_version(), "machine": machine_info(),
        "settings": {"rounds": bench.rounds_done, "calls": bench.calls, "procs": bench.procs, "slow_calls": bench.slow_calls,
                     "pipe_calls": bench.pipe_calls, "pair_calls": bench.pair_calls, "path_calls": bench.path_calls,
                     "tool_cpu": bench.tool_cpu, "loop_cpu": bench.loop_cpu,
                     "pipe_cpus": list(bench.pipe_cpus), "poll_seconds": poll_seconds, "build": bench.build,
                     "redis_requests": bench.redis_requests, "redis_clients": args.redis_clients,
                     "redis_transport": "tcp" if args.redis_tcp else "unix", "redis_restart": args.redis_restart,
                     "redis_server_starts": bench.redis.starts if bench.redis else 0,
                     "sched_loops": bench.sched_loops, "sched_startup_cpu_ns": bench.sched_startup_ns,
                     "bpf_stats": not args.no_bpf_stats},
        "poll": poll_results(rows, poll),
        "tracer": tracer_results(rows, bench.samples, bench.statuses, bench.tracer),
        "warnings": bench.warnings,
        "elapsed_s": round(time.monotonic() - began, 1),
    }
    bpf = bpf_results(rows, bench.bpf, FLOOR_KEY)
    for w in WORKLOADS:
        statuses = dict(bench.statuses)
        if w in bench.workload_statuses:  # e.g. redis not installed: every row of its table says so
            statuses.update({row.key: bench.workload_statuses[w] for row in rows if w in row.workloads})
        report[w] = workload_results(rows, bench.samples, statuses, w, fields=bench.fields, bpf=bpf)
    report["bpf_stats"] = bpf
    print(render_json(report) if args.json else render_text(report))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt as stop:
        sys.exit(f"bench: stopped ({stop}); every process it started has been stopped")
