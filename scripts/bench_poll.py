"""Userspace polling cost (docs/performance.md: syslatd at a 1 s scrape, syslat-top at
10 Hz, each < 1 % of one core): utime+stime of the tool's process from
/proc/PID/stat over a fixed window, all poll rows side by side."""
import fcntl
import os
import pty
import re
import signal
import struct
import subprocess
import termios
import threading
import time
import urllib.request

from bench_procs import (READY_TIMEOUT_S, Tool, Unavailable, child_setup, check_executable, classify_failure,
                         proc_cpu_times)

def cpu_seconds(pid):
    """utime+stime of the whole process (all threads, live and exited)."""
    return proc_cpu_times(pid)[0]


class Scraper(threading.Thread):
    """GETs a URL every `period_s` until stopped, as Prometheus would."""

    def __init__(self, url, period_s=1.0):
        super().__init__(daemon=True)
        self.url, self.period_s = url, period_s
        self.ok = self.failed = 0
        self.stopping = threading.Event()

    def get(self):
        try:
            with urllib.request.urlopen(self.url, timeout=2) as resp:
                resp.read()
                return resp.status == 200
        except OSError:
            return False

    def run(self):
        while not self.stopping.wait(self.period_s):
            if self.get():
                self.ok += 1
            else:
                self.failed += 1


class PtyTool:
    """A dashboard on a pseudo-terminal (120x40) whose screen output is drained
    and dropped (its last 4 KiB are kept, and written to `log_path` when it stops)."""

    def __init__(self, argv, cpu, ours, log_path=None):
        check_executable(argv[0], ours)
        self.ours = ours
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        env = dict(os.environ, TERM="xterm-256color")

        def setup():
            child_setup()
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        self.proc = subprocess.Popen(["taskset", "-c", str(cpu)] + argv, stdin=slave, stdout=slave,
                                     stderr=slave, env=env, preexec_fn=setup)
        os.close(slave)
        self.pid = self.proc.pid
        self.started = time.monotonic()
        self.log_path = log_path
        self.master = master
        self.tail = b""
        self.drainer = threading.Thread(target=self.drain, daemon=True)
        self.drainer.start()

    def drain(self):
        # The fd it started with: stop() sets self.master to None after
        # closing it (waiting for this thread first, up to 2 s).
        master = self.master
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                return
            if not chunk:
                return
            self.tail = (self.tail + chunk)[-4096:]

    def output(self):
        return self.tail.decode(errors="replace")

    def wait_ready(self, ready_regex, settle_s):
        """Until `ready_regex` is on the screen (None: `settle_s` seconds pass);
        raises Unavailable if the tool exits or never draws it."""
        pattern = re.compile(ready_regex) if ready_regex else None
        deadline = time.monotonic() + (READY_TIMEOUT_S if pattern else settle_s)
        while time.monotonic() < deadline:
            rc = self.proc.poll()
            if rc is not None:
                raise Unavailable(classify_failure(self.ours, self.output(), rc))
            if pattern and pattern.search(self.output()):
                return
            time.sleep(0.02)
        if pattern:
            self.stop()
            raise Unavailable(f"failed: no /{ready_regex}/ on its screen within {READY_TIMEOUT_S:.0f} s")
        if self.proc.poll() is not None:
            raise Unavailable(classify_failure(self.ours, self.output(), self.proc.returncode))

    def stop(self):
        """`q`, then SIGINT, then SIGKILL. Returns (rc, exited without SIGKILL)."""
        if self.master is None:
            return self.proc.returncode, True
        killed = False
        if self.proc.poll() is None:
            try:
                os.write(self.master, b"q")
                self.proc.wait(timeout=3)
            except (OSError, subprocess.TimeoutExpired):
                pass
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                killed = True
        # The drainer ends when the tool's side of the pty closes (EIO);
        # the fd is closed only then, so its number cannot be reused under it.
        self.drainer.join(timeout=2)
        os.close(self.master)
        self.master = None
        if self.log_path:
            with open(self.log_path, "wb") as log:
                log.write(self.tail)
        return self.proc.returncode, not killed


def start_poll_row(row, argv, cpu, log_path, url):
    """Starts one poll row and waits until it is serving; returns (tool, scraper)."""
    if row.poll == "pty":
        tool = PtyTool(argv, cpu, row.ours, log_path)
        tool.wait_ready(None, row.settle_s)
        return tool, None
    tool = Tool(argv, log_path, cpu, row.ours)
    scraper = Scraper(url)
    deadline = time.monotonic() + READY_TIMEOUT_S
    while not scraper.get():
        rc = tool.proc.poll()
        if rc is not None:
            raise Unavailable(classify_failure(row.ours, tool.output(), rc))
        if time.monotonic() > deadline:
            tool.stop()
            raise Unavailable(f"failed: {url} did not answer within {READY_TIMEOUT_S:.0f} s")
        time.sleep(0.1)
    return tool, scraper


def measure_polling(started, duration_s):
    """started: {key: (row, tool, scraper)}. Returns {key: result dict}."""
    t0 = time.monotonic()
    cpu0 = {key: cpu_seconds(tool.pid) for key, (_, tool, _) in started.items()}
    for _, _, scraper in started.values():
        if scraper:
            scraper.start()
    time.sleep(duration_s)
    results = {}
    wall = time.monotonic() - t0
    for key, (row, tool, scraper) in started.items():
        alive = tool.proc.poll() is None
        cpu = cpu_seconds(tool.pid) - cpu0[key] if alive else None
        result = {"status": "ok" if alive else "failed: exited during the window", "wall_s": round(wall, 2)}
        if cpu is not None:
            result.update(cpu_s=round(cpu, 3), cpu_fraction=cpu / wall)
        if scraper:
            scraper.stopping.set()
            scraper.join()
            result.update(scrapes_ok=scraper.ok, scrapes_failed=scraper.failed)
        results[key] = result
    return results
