"""Processes of the overhead benchmark: the tools under test and the workloads.

Every process started here is stopped by its own PID (SIGINT, then SIGKILL
if it does not exit); nothing is killed by name.
"""
import json
import os
import re
import signal
import socket
import subprocess
import time
from typing import NamedTuple, Optional

NS_PER_CALL = re.compile(r"ns_per_call=([0-9.]+)")
FIELD = re.compile(r"(\w+)=(-?[0-9.]+)(?=\s|$)")
NOT_IMPLEMENTED = re.compile(r"not (yet )?implemented|unknown (sub)?command|unrecognized (sub)?command", re.I)

CLK_TCK = os.sysconf("SC_CLK_TCK")
READY_TIMEOUT_S = 20.0
STOP_TIMEOUT_S = 10.0
WORKLOAD_TIMEOUT_S = 180.0


class Unavailable(Exception):
    """A row that cannot be measured: status is "not built yet" or "failed: ..."."""

    def __init__(self, status):
        super().__init__(status)
        self.status = status


def child_setup():
    # A shell without job control starts background jobs with SIGINT ignored
    # and children inherit that; the tools must see our SIGINT.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def high_priority():
    """child_setup, and the child in an autogroup of its own at nice -20
    (and nice -20 itself, where autogroups are off). With autogroups on (the
    default), nice only weighs a task against its own session's: a session
    at nice -20 weighs 88761 against a nice-0 session's 1024, so another
    session's compiler gets ~1 % of the CPU while the workload runs instead
    of half."""
    child_setup()
    os.setsid()
    try:
        with open("/proc/self/autogroup", "w") as f:
            f.write("-20")
    except OSError:
        pass
    try:
        os.setpriority(os.PRIO_PROCESS, 0, -20)
    except OSError:
        pass


def classify_failure(ours, output, rc):
    if ours and NOT_IMPLEMENTED.search(output):
        return "not built yet"
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    last = lines[-1][:100] if lines else "no output"
    return f"failed (rc={rc}): {last}"


def check_executable(path, ours):
    if os.path.isabs(path) and not os.access(path, os.X_OK):
        raise Unavailable("not built yet" if ours else f"failed: {path} not found")


def read_text(path):
    try:
        with open(path, "r", errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return ""


class Tool:
    """An attached tool: started on `cpu`, stdout+stderr into `log_path`."""

    def __init__(self, argv, log_path, cpu, ours, priority=False):
        check_executable(argv[0], ours)
        self.argv = argv
        self.ours = ours
        self.log_path = log_path
        # stdbuf: tools that print their ready line with stdio (libbpf-tools)
        # would otherwise hold it in a full buffer, since the log is a file.
        full = ["taskset", "-c", str(cpu), "stdbuf", "-oL", "-eL"] + argv
        with open(log_path, "w") as log:
            self.proc = subprocess.Popen(full, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                         preexec_fn=high_priority if priority else child_setup)
        self.pid = self.proc.pid
        self.started = time.monotonic()

    def output(self):
        return read_text(self.log_path)

    def wait_ready(self, ready_regex, settle_s):
        """Returns seconds until ready; raises Unavailable if the tool exits or never says so."""
        deadline = self.started + READY_TIMEOUT_S
        pattern = re.compile(ready_regex) if ready_regex else None
        while True:
            rc = self.proc.poll()
            if rc is not None:
                raise Unavailable(classify_failure(self.ours, self.output(), rc))
            if pattern is None:
                time.sleep(settle_s)
                if self.proc.poll() is None:
                    return time.monotonic() - self.started
                continue
            if pattern.search(self.output()):
                return time.monotonic() - self.started
            if time.monotonic() > deadline:
                self.stop()
                raise Unavailable(f"failed: no line matching /{ready_regex}/ within {READY_TIMEOUT_S:.0f} s")
            time.sleep(0.02)

    def stop(self):
        """SIGINT, then SIGKILL after STOP_TIMEOUT_S. Returns (rc, exited_on_sigint)."""
        if self.proc.poll() is not None:
            return self.proc.returncode, True
        self.proc.send_signal(signal.SIGINT)
        try:
            return self.proc.wait(timeout=STOP_TIMEOUT_S), True
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait(), False


def proc_cpu_times(pid):
    """(utime+stime, cutime+cstime) in seconds from /proc/PID/stat: the
    process's own CPU time (all its threads), and that of the children it
    reaped. Clock ticks: 10 ms resolution."""
    with open(f"/proc/{pid}/stat") as f:
        text = f.read()
    fields = text[text.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK, (int(fields[13]) + int(fields[14])) / CLK_TCK


class Measurement(NamedTuple):
    ns: float                    # ns_per_call
    cpu_share: Optional[float]   # the workload's CPU time / wall time, if it says
    fields: Optional[dict] = None  # every numeric key=value of the workload's line
    rusage_cpu_ns: Optional[float] = None  # user+sys of the process run and the children it reaped (wait4)
    self_cpu_ns: Optional[float] = None      # its own, from /proc as it exited (10 ms resolution)
    children_cpu_ns: Optional[float] = None  # its reaped children's, the same way


def parse_measurement(*texts):
    """The workload's result line: the first line with ns_per_call=, in the first text that has one."""
    for text in texts:
        for line in text.splitlines():
            if NS_PER_CALL.search(line):
                fields = {key: float(value) for key, value in FIELD.findall(line)}
                return Measurement(fields["ns_per_call"], fields.get("cpu_share"), fields)
    return None


def free_port():
    """A TCP port of 127.0.0.1 nobody listens on now (syslatd's, redis-server's)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_exited(proc, timeout_s):
    """Waits for `proc` to exit without reaping it (its /proc entry stays
    readable: WNOWAIT); raises subprocess.TimeoutExpired."""
    deadline = time.monotonic() + timeout_s
    delay = 0.001
    while os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOWAIT | os.WNOHANG) is None:
        if time.monotonic() > deadline:
            raise subprocess.TimeoutExpired(proc.args, timeout_s)
        time.sleep(delay)
        delay = min(delay * 2, 0.02)


def wait_exited_or_kill(proc, timeout_s, what):
    """wait_exited, killing `proc` when it does not exit in time (Unavailable
    naming `what`) or when the wait is stopped (SIGINT/SIGTERM: nothing left
    behind, the exception goes on)."""
    try:
        wait_exited(proc, timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise Unavailable(f"failed: {what} took over {timeout_s:.0f} s")
    except BaseException:
        proc.kill()
        proc.wait()
        raise


def wait_with_rusage(proc, timeout_s):
    """Like proc.wait(timeout), but first reads the exited process's CPU times
    from /proc (it stays a zombie until reaped: WNOWAIT), then reaps it with
    wait4 for its rusage, which holds its own CPU time and that of every
    child it reaped, to the microsecond. Returns (rc, rusage ns, (own,
    children) ns or None); raises subprocess.TimeoutExpired."""
    wait_exited(proc, timeout_s)
    try:
        times = tuple(t * 1e9 for t in proc_cpu_times(proc.pid))
    except (OSError, ValueError, IndexError):
        times = None
    _, status, ru = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, (ru.ru_utime + ru.ru_stime) * 1e9, times


def run_command(argv, out_path, err_path, ours=False):
    """Runs a workload (possibly under a wrapping tool); returns its Measurement."""
    check_executable(argv[0], ours)
    with open(out_path, "w") as out, open(err_path, "w") as err:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                preexec_fn=child_setup)
        try:
            rc, cpu_ns, times = wait_with_rusage(proc, WORKLOAD_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise Unavailable(f"failed: {os.path.basename(argv[0])} took over {WORKLOAD_TIMEOUT_S:.0f} s")
    stdout, stderr = read_text(out_path), read_text(err_path)
    measurement = parse_measurement(stdout, stderr)
    if rc != 0 or measurement is None:
        raise Unavailable(classify_failure(ours, stdout + stderr, rc))
    self_ns, children_ns = times if times else (None, None)
    return measurement._replace(rusage_cpu_ns=cpu_ns, self_cpu_ns=self_ns, children_cpu_ns=children_ns)


def tracer_cpu(m):
    """(tracer, tracee) CPU ns per traced call of a wrap row's Measurement, or
    None. The loop says its own CPU time (proc_cpu_ns) and how many calls it
    made in all (total_calls, the warm-up included). The tracer's is its own
    process's: when it reaped the loop (its children's time is not 0), its
    rusage less the loop's, to the microsecond; when it did not (perf trace
    leaves that to init), what /proc said as it exited, to 10 ms."""
    fields = m.fields or {}
    own, calls = fields.get("proc_cpu_ns"), fields.get("total_calls")
    if own is None or not calls:
        return None
    if m.children_cpu_ns and m.rusage_cpu_ns is not None and m.rusage_cpu_ns >= own:
        return (m.rusage_cpu_ns - own) / calls, own / calls
    if m.self_cpu_ns is not None:
        return m.self_cpu_ns / calls, own / calls
    return None


class Workloads:
    """Command lines of the workloads with the sizes chosen for this run."""

    def __init__(self, bench_dir, loop_cpu, pipe_cpus):
        self.bench_dir = bench_dir
        self.loop_cpu = loop_cpu
        self.pipe_cpus = pipe_cpus

    def getppid(self, calls):
        return [f"{self.bench_dir}/bench_getppid_loop", "-c", str(self.loop_cpu), str(calls)]

    def pipe(self, calls):
        return [f"{self.bench_dir}/bench_pipe_mix", "-c", ",".join(map(str, self.pipe_cpus)), str(calls)]

    def pair(self, calls, one_cpu=False):
        """Two getppid loops, threads of one process, one per CPU (or both on the loop's CPU)."""
        cpus = (self.loop_cpu, self.loop_cpu) if one_cpu else self.pipe_cpus
        return [f"{self.bench_dir}/bench_pipe_mix", "-m", "getppid", "-c", ",".join(map(str, cpus)), str(calls)]

    def path(self, calls):
        """Two threads on the loop's CPU taking turns: path calls, then a read that blocks."""
        return [f"{self.bench_dir}/bench_path_block", "-c", str(self.loop_cpu), str(calls)]


def syscall_tracers(exclude_pids):
    """BPF programs on sys_enter/sys_exit owned by processes we did not start.

    Someone else's tracer on the same tracepoints inflates every row; the
    report says so instead of hiding it."""
    try:
        out = subprocess.run(["bpftool", "-j", "perf", "show"], capture_output=True,
                             text=True, timeout=10).stdout
        entries = json.loads(out or "[]")
    except (OSError, subprocess.SubprocessError, ValueError):
        return []
    found = set()
    for entry in entries:
        if entry.get("tracepoint") in ("sys_enter", "sys_exit") and entry.get("pid") not in exclude_pids:
            pid = entry.get("pid")
            comm = read_text(f"/proc/{pid}/comm").strip() or "?"
            found.add((pid, comm))
    return sorted(found)
