"""Workload 5 of the overhead benchmark: redis-server and redis-benchmark from
Debian (docs/performance.md, "What is measured"), the "what users feel" row.

One redis-server, started by the harness on a free port and a unix socket,
pinned to the workload's CPU, with persistence off; one redis-benchmark per
sample, pinned to the tools' CPU, running SET then GET with no pipelining.
A sample is requests/s of each (redis-benchmark --csv) and the ns per
request of both together.

Whether a sample shared its CPUs with another task is read from the
scheduler: /proc/PID/task/TID/schedstat's second field is the time a thread
was runnable but waited for its CPU. The client is the bottleneck (it makes
~7 syscalls per request against the server's ~2.6, and is ~98 % busy), so
every ms it waits is throughput lost: a sample is contended when the client
waited more than CLIENT_WAIT_MAX of the wall time (less what the attached
tool itself ran on that CPU: a tracer's CPU is part of its cost, not
someone else's), the server more than SERVER_WAIT_MAX (it has slack, and
waits ~2 % anyway: the wake-up latency from epoll_wait counts as waiting),
or the hypervisor stole more than STEAL_MAX of either CPU (/proc/stat).

Server and client run at high priority (bench_procs.high_priority), and so
does the attached tool of a row that runs this workload: on a shared machine
someone's compiler then takes ~1 % of their CPUs instead of half.

Every process started here is stopped by its own PID.
"""
import csv
import io
import os
import shutil
import signal
import socket
import subprocess
import time

from bench_procs import Measurement, Unavailable, free_port, high_priority, proc_cpu_times, read_text, wait_exited_or_kill

SERVER = "redis-server"
CLIENT = "redis-benchmark"
TESTS = ("SET", "GET")   # redis-benchmark runs them in this order whatever -t says
READY_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 10.0
BENCHMARK_TIMEOUT_S = 120.0
CLIENT_WAIT_MAX = 0.02
SERVER_WAIT_MAX = 0.10
STEAL_MAX = 0.03
CLK_TCK = os.sysconf("SC_CLK_TCK")


def missing():
    """None when both programs are there, else the row status that says what to install."""
    gone = [name for name in (SERVER, CLIENT) if shutil.which(name) is None]
    if not gone:
        return None
    return f"not installed: {' and '.join(gone)} (apt-get install redis-server redis-tools)"


def parse_csv(text):
    """{test: requests/s} from redis-benchmark --csv (its header line first, one
    quoted line per test). Raises ValueError when a test of TESTS is missing."""
    found = {}
    for rec in csv.DictReader(io.StringIO(text)):
        name, rps = (rec.get("test") or "").strip(), rec.get("rps")
        if name and rps:
            found[name.upper()] = float(rps)
    lost = [t for t in TESTS if t not in found]
    if lost:
        raise ValueError(f"no {'/'.join(lost)} line in redis-benchmark's output")
    return found


def ns_per_request(rps):
    """Both tests' time over both tests' requests: with as many SETs as GETs,
    the mean of their ns per request (the harmonic mean of their rates)."""
    return sum(1e9 / rps[t] for t in TESTS) / len(TESTS)


def schedstat(pid):
    """(on-CPU ns, runnable-but-waiting ns) of all live threads of `pid`; (0, 0) once gone."""
    run = wait = 0
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return 0, 0
    for tid in tids:
        fields = read_text(f"/proc/{pid}/task/{tid}/schedstat").split()
        if len(fields) >= 2:
            run += int(fields[0])
            wait += int(fields[1])
    return run, wait


def contention(wall_ns, server_wait_ns, client_wait_ns, tool_cpu_ns=0.0):
    """(server, client) shares of the sample they waited for a CPU that
    another task had; the client's less the tool's own CPU time (they share
    a CPU)."""
    if wall_ns <= 0:
        return 0.0, 0.0
    return server_wait_ns / wall_ns, max(0.0, client_wait_ns - tool_cpu_ns) / wall_ns


def contended(server_wait, client_wait, steal):
    return server_wait > SERVER_WAIT_MAX or client_wait > CLIENT_WAIT_MAX or steal > STEAL_MAX


def steal_ticks(cpus):
    """{cpu: steal ticks} from /proc/stat (time the hypervisor ran something else)."""
    out = {}
    for line in read_text("/proc/stat").splitlines():
        name, *values = line.split()
        if name.startswith("cpu") and name[3:].isdigit() and int(name[3:]) in cpus and len(values) >= 8:
            out[int(name[3:])] = int(values[7])
    return out


def tool_cpu_ns(pid):
    """utime+stime of a tool's process (10 ms resolution), 0 when unknown."""
    if not pid:
        return 0.0
    try:
        return proc_cpu_times(pid)[0] * 1e9
    except (OSError, ValueError, IndexError):
        return 0.0


class Server:
    """redis-server on `cpu`, nothing saved, listening on a free TCP port of
    127.0.0.1 and on a unix socket in `run_dir`."""

    def __init__(self, cpu, run_dir, log_path, unix=True):
        self.cpu, self.run_dir, self.log_path, self.unix = cpu, run_dir, log_path, unix
        self.proc = None
        self.starts = 0

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def start(self):
        if (reason := missing()) is not None:
            raise Unavailable(reason)
        self.port = free_port()
        self.socket_path = os.path.join(self.run_dir, f"redis-{self.port}.sock")
        argv = ["taskset", "-c", str(self.cpu), SERVER, "--port", str(self.port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--daemonize", "no", "--protected-mode", "no",
                "--unixsocket", self.socket_path, "--unixsocketperm", "700", "--dir", self.run_dir]
        with open(self.log_path, "a") as log:
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                         preexec_fn=high_priority)
        self.starts += 1
        deadline = time.monotonic() + READY_TIMEOUT_S
        while not self.answers():
            if self.proc.poll() is not None:
                lines = read_text(self.log_path).strip().splitlines()
                raise Unavailable(f"failed: redis-server exited ({self.proc.returncode}): "
                                  f"{lines[-1][:100] if lines else 'no output'}")
            if time.monotonic() > deadline:
                self.stop()
                raise Unavailable(f"failed: redis-server did not answer PING within {READY_TIMEOUT_S:.0f} s")
            time.sleep(0.05)

    def answers(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def address(self):
        """redis-benchmark's options to reach it."""
        return ["-s", self.socket_path] if self.unix else ["-h", "127.0.0.1", "-p", str(self.port)]

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)   # redis-server shuts down cleanly on it
            try:
                self.proc.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


def client_argv(server, cpu, requests, clients):
    return ["taskset", "-c", str(cpu), CLIENT, *server.address(), "-t", "set,get", "-n", str(requests),
            "-c", str(clients), "-P", "1", "--csv"]


def benchmark(server, cpu, requests, clients, out_path, err_path, tool_pid=None):
    """One sample: SET then GET, `requests` each from `clients` connections.
    Returns a Measurement: ns per request (both tests) and the numbers of
    the sample in `fields`."""
    if not server.alive():
        raise Unavailable("failed: redis-server is not running")
    argv = client_argv(server, cpu, requests, clients)
    cpus = {cpu, server.cpu}
    s_run0, s_wait0 = schedstat(server.pid)
    t_cpu0 = tool_cpu_ns(tool_pid)
    steal0 = steal_ticks(cpus)
    began = time.monotonic_ns()
    with open(out_path, "w") as out, open(err_path, "w") as err:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err, preexec_fn=high_priority)
        wait_exited_or_kill(proc, BENCHMARK_TIMEOUT_S, "redis-benchmark")
        wall = time.monotonic_ns() - began
        c_run, c_wait = schedstat(proc.pid)   # a zombie still has its thread's numbers
        rc = proc.wait()
    s_run1, s_wait1 = schedstat(server.pid)
    t_cpu = tool_cpu_ns(tool_pid) - t_cpu0
    steal1 = steal_ticks(cpus)
    steal = max(((steal1[c] - steal0.get(c, steal1[c])) * 1e9 / CLK_TCK for c in steal1), default=0) / wall
    text = read_text(out_path)
    try:
        rps = parse_csv(text)
    except ValueError as err:
        lines = [line for line in (text + read_text(err_path)).splitlines() if line.strip()]
        raise Unavailable(f"failed (rc={rc}): {lines[-1][:100] if lines else err}")
    if rc != 0:
        raise Unavailable(f"failed: redis-benchmark exit status {rc}")
    server_wait, client_wait = contention(wall, s_wait1 - s_wait0, c_wait, t_cpu)
    fields = {
        "ns_per_request": ns_per_request(rps), "get_rps": rps["GET"], "set_rps": rps["SET"],
        "requests": requests, "clients": clients, "wall_s": wall / 1e9,
        "server_cpu_share": (s_run1 - s_run0) / wall, "client_cpu_share": c_run / wall,
        "server_cpu_ns_per_request": (s_run1 - s_run0) / (len(TESTS) * requests),
        "client_cpu_ns_per_request": c_run / (len(TESTS) * requests),
        "server_wait_share": (s_wait1 - s_wait0) / wall, "client_wait_share": c_wait / wall,
        "tool_cpu_share": t_cpu / wall, "client_other_wait_share": client_wait, "steal_share": steal,
        "contended": contended(server_wait, client_wait, steal),
    }
    return Measurement(fields["ns_per_request"], None, fields)
