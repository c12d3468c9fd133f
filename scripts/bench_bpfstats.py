"""Per-program cost from the kernel's BPF statistics (kernel.bpf_stats_enabled=1):
run_time_ns and run_cnt of each program an attached tool holds, taken around
one run of a workload. On a noisy VM they move far less than wall-clock time.
They are machine-wide: every task's calls run the programs, so each sample
keeps how many calls the workload made itself, and the report says which
share of the programs' runs that was. Costs are per syscall (runs of the
sys_exit program), or, on a context switch workload, per switch (runs of
the sched_switch program; `unit` of the sample).

The statistics cost something themselves (two clock reads per program run),
so they are switched on only around those extra runs, never while wall-clock
samples are taken, and each program's ns per run is calibrated by the empty
tp_btf program of the floor row measured the same way in the same run.
"""
import json
import statistics
import subprocess
from contextlib import contextmanager

SYSCTL = "/proc/sys/kernel/bpf_stats_enabled"
EXIT_TRACEPOINT = "sys_exit"
SWITCH_TRACEPOINT = "sched_switch"


def bpftool_json(*args):
    try:
        out = subprocess.run(["bpftool", "-j", *args], capture_output=True, text=True, timeout=10).stdout
        return json.loads(out or "[]")
    except (OSError, subprocess.SubprocessError, ValueError):
        return []


def tool_programs(pid, perf_show=None):
    """{prog_id: tracepoint} of the programs that process `pid` attached
    (bpftool perf show: raw_tracepoint for tp_btf, tracepoint for classic)."""
    entries = bpftool_json("perf", "show") if perf_show is None else perf_show
    return {e["prog_id"]: e.get("tracepoint", "?") for e in entries
            if e.get("pid") == pid and "prog_id" in e}


def counters(prog_ids, prog_show=None):
    """{prog_id: (run_time_ns, run_cnt)}; bpftool leaves both out while they are 0."""
    entries = bpftool_json("prog", "show") if prog_show is None else prog_show
    return {e["id"]: (e.get("run_time_ns", 0), e.get("run_cnt", 0)) for e in entries if e.get("id") in prog_ids}


def delta(programs, before, after):
    """{tracepoint: {"ns": run time, "runs": runs}} between two counter
    snapshots, programs on the same tracepoint added up. A program missing
    from either snapshot (gone meanwhile) is left out."""
    out = {}
    for prog_id, tracepoint in programs.items():
        if prog_id not in before or prog_id not in after:
            continue
        d = out.setdefault(tracepoint, {"ns": 0, "runs": 0})
        d["ns"] += after[prog_id][0] - before[prog_id][0]
        d["runs"] += after[prog_id][1] - before[prog_id][1]
    return out


def calls_of(programs, unit=EXIT_TRACEPOINT, own=None):
    """The events costs are divided by (machine-wide) while a sample ran: runs
    of the `unit` program (sys_exit: syscalls; sched_switch: context
    switches); without one, the workload's `own` count of them when the unit
    is not sys_exit (a tool without a sched_switch program on a switch
    workload: its cost per switch the workload made), else the busiest
    program's runs."""
    if unit in programs:
        return programs[unit]["runs"]
    if own and unit != EXIT_TRACEPOINT:
        return own
    return max((d["runs"] for d in programs.values()), default=0)


def units_of(s):
    """calls_of() of a sample (see sample())."""
    return calls_of(s["programs"], s.get("unit", EXIT_TRACEPOINT), s.get("workload_calls"))


def ns_per_run(programs):
    """ns per run over all programs of a sample (the floor's: the empty program's cost)."""
    runs = sum(d["runs"] for d in programs.values())
    return sum(d["ns"] for d in programs.values()) / runs if runs else None


def empty_program_ns(floor_samples):
    """The calibration: median ns per run of the floor's empty programs."""
    values = [v for v in (ns_per_run(s["programs"]) for s in floor_samples) if v is not None]
    return statistics.median(values) if values else None


def sample(programs_delta, workload_calls, requests=None, unit=EXIT_TRACEPOINT):
    """One round's statistics of one row and workload (`requests`: a server
    workload's requests, to give the syscalls per request; `unit`: the
    program whose runs costs are divided by, and `workload_calls` the
    workload's own count of them)."""
    out = {"programs": programs_delta, "workload_calls": workload_calls}
    if requests:
        out["requests"] = requests
    if unit != EXIT_TRACEPOINT:
        out["unit"] = unit
    return out


def spread(values):
    """(lowest, highest) of a row's values over the rounds."""
    return (min(values), max(values)) if values else None


def summarize(samples, empty_ns):
    """Medians over a row's samples (one per round) for one workload:
    per program ns per run (raw and minus the empty program's), runs per
    syscall (per switch: see sample()'s unit), the whole tool's BPF time per
    syscall (raw and calibrated: each run less what an empty program costs)
    with its range over the rounds, and the share of the syscalls the
    workload made itself."""
    shares = [s["workload_calls"] / units_of(s) for s in samples if s.get("workload_calls") and units_of(s) > 0]
    usable = [(s["programs"], units_of(s)) for s in samples if units_of(s) > 0]
    if not usable:
        return None
    programs = {}
    for tp in sorted({tp for s, _ in usable for tp in s}):
        runs = [s[tp] for s, _ in usable if tp in s and s[tp]["runs"] > 0]
        if not runs:
            continue
        ns = statistics.median(d["ns"] / d["runs"] for d in runs)
        per_call = statistics.median(s[tp]["runs"] / n for s, n in usable if tp in s)
        programs[tp] = {"ns_per_run": ns, "calibrated_ns_per_run": ns - empty_ns if empty_ns is not None else None,
                        "runs_per_call": per_call}
    raw = statistics.median(sum(d["ns"] for d in s.values()) / n for s, n in usable)
    calibrated = None
    per_round = []
    if empty_ns is not None:
        per_round = [sum(d["ns"] - d["runs"] * empty_ns for d in s.values()) / n for s, n in usable]
        calibrated = statistics.median(per_round)
    per_request = [units_of(s) / s["requests"] for s in samples if s.get("requests") and units_of(s) > 0]
    out = {"samples": len(usable), "ns_per_call": raw, "calibrated_ns_per_call": calibrated,
           "calibrated_range": spread(per_round), "workload_share": statistics.median(shares) if shares else None,
           "calls_per_request": statistics.median(per_request) if per_request else None,
           "programs": programs}
    units = {s.get("unit", EXIT_TRACEPOINT) for s in samples}
    if units != {EXIT_TRACEPOINT}:
        out["unit"] = units.pop() if len(units) == 1 else "mixed"
    return out


class Switch:
    """kernel.bpf_stats_enabled, on only inside `on()`. If someone else had
    it on already it stays on (and every wall-clock row paid for it: the
    harness warns)."""

    def __init__(self):
        try:
            with open(SYSCTL) as f:
                self.was_on = f.read().strip() == "1"
            self.available = True
        except OSError:
            self.was_on, self.available = False, False

    def write(self, value):
        with open(SYSCTL, "w") as f:
            f.write(value)

    @contextmanager
    def on(self):
        if not self.was_on:
            self.write("1")
        try:
            yield
        finally:
            if not self.was_on:
                self.write("0")
