"""Workload 6 of the overhead benchmark: `perf bench sched pipe`, the context
switch workload (docs/performance.md, "What is measured"), where a program
on sched_switch runs at every switch: our timed mode's, with and without the
split of a call's time into on CPU / runqueue / I/O wait / sleep, and
libbpf-tools runqlat's, the anchor.

perf bench sched pipe (perf 6.1) forks one process and plays the other
itself: the two pass a token back and forth through two pipes, `-l` round
trips ("loops"; perf's "ops"). Both are pinned to the workload's CPU
(taskset; the child inherits it): each round trip is then two context
switches, one per process, with no cross-CPU wake-up, which on this VM
would drown the rest (as for path_block). perf prints the loop's wall time
("Total time", and usecs/op to the microsecond's millionth: the time from
before the fork to after the child was reaped, over the loops).

The switches are counted, not assumed: perf reaps its child, so the rusage
wait4 gives for perf holds both processes' context switches (ru_nvcsw, the
voluntary ones: a read that blocked; ru_nivcsw, the involuntary ones: the
writer preempted by the reader it woke). A sample's value is perf's elapsed
time over those switches: ns per context switch.

perf itself is one of the two processes (it forks the other and plays its
part): their CPU time is the rusage, which also holds perf's start-up and
exit (~9 ms of CPU here). A sample's CPU share is the rusage less that
(measured once per run: startup_cpu_ns(), a one-loop run) over perf's
elapsed time; over the whole run's wall time instead, the start-up would
bring a quarter-second sample near the 90 % of an uncontended one.

Every process started here is stopped by its own PID.
"""
import os
import re
import shutil
import subprocess

from bench_procs import Measurement, Unavailable, high_priority, read_text, wait_exited_or_kill

PERF = "perf"
LOOPS = re.compile(r"Executed (\d+) pipe operations")
USECS_PER_OP = re.compile(r"([0-9]+(?:\.[0-9]+)?) usecs/op")
TIMEOUT_S = 180.0


def missing():
    """None when perf is there, else the row status that says what to install."""
    if shutil.which(PERF) is None:
        return "not installed: perf (apt-get install linux-perf)"
    return None


def argv(cpu, loops):
    """Both processes on `cpu`."""
    return ["taskset", "-c", str(cpu), PERF, "bench", "sched", "pipe", "-l", str(loops)]


def parse(text):
    """(loops, ns per loop) from perf bench sched pipe's output. Raises
    ValueError when either line is missing."""
    loops, per_op = LOOPS.search(text), USECS_PER_OP.search(text)
    if not loops or not per_op:
        raise ValueError("no 'Executed N pipe operations' and 'usecs/op' lines in perf's output")
    return int(loops.group(1)), float(per_op.group(1)) * 1000.0


def measurement(text, switches, loop_cpu_ns):
    """A sample from perf's output and the rusage of perf and its child:
    ns per context switch (perf's elapsed time over the switches counted),
    and the numbers it comes from in `fields`. `switches` of both processes
    from ru_nvcsw + ru_nivcsw; `loop_cpu_ns` their CPU time less perf's
    start-up and exit."""
    loops, ns_per_loop = parse(text)
    if switches <= 0:
        raise ValueError("no context switch counted")
    elapsed_ns = ns_per_loop * loops
    cpu_share = loop_cpu_ns / elapsed_ns if elapsed_ns > 0 else None
    fields = {"ns_per_switch": elapsed_ns / switches, "loops": loops, "ns_per_loop": ns_per_loop,
              "switches": switches, "switches_per_loop": switches / loops, "elapsed_ns": elapsed_ns,
              "loop_cpu_ns": loop_cpu_ns, "cpu_share": cpu_share}
    return Measurement(fields["ns_per_switch"], cpu_share, fields)


def benchmark(cpu, loops, out_path, err_path, startup_ns=0.0):
    """One sample: `loops` round trips on `cpu`; returns its Measurement
    (`startup_ns`: what startup_cpu_ns() gave)."""
    if (reason := missing()) is not None:
        raise Unavailable(reason)
    with open(out_path, "w") as out, open(err_path, "w") as err:
        proc = subprocess.Popen(argv(cpu, loops), stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                preexec_fn=high_priority)
        wait_exited_or_kill(proc, TIMEOUT_S, "perf bench sched pipe")
        _, status, ru = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    text = read_text(out_path) + read_text(err_path)
    if proc.returncode != 0:
        lines = [line for line in text.splitlines() if line.strip()]
        raise Unavailable(f"failed (rc={proc.returncode}): {lines[-1][:100] if lines else 'no output'}")
    try:
        return measurement(text, ru.ru_nvcsw + ru.ru_nivcsw, (ru.ru_utime + ru.ru_stime) * 1e9 - startup_ns)
    except ValueError as err:
        raise Unavailable(f"failed: {err}")


def startup_cpu_ns(cpu, out_path, err_path, runs=3):
    """perf's start-up and exit: the median CPU time of a one-loop run."""
    values = []
    for _ in range(runs):
        m = benchmark(cpu, 1, out_path, err_path)
        values.append(m.fields["loop_cpu_ns"])
    return sorted(values)[len(values) // 2]
