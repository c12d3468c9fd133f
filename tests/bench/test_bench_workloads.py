"""The benchmark's workloads, run for real (root: BPF).

They must make the calls their rows claim to measure: path_block's calls
carry a path and its reads block (so a tracer's path copy and the parking of
a call switched out really run), the pair mode makes getppid on two CPUs,
the loop says what a tracer's CPU time is measured against."""
import json
import os
import signal
import subprocess
import tempfile
import unittest
from collections import defaultdict

BUILD = os.path.abspath(os.environ.get("SYSLAT_BUILD_DIR", "build"))
BENCH = os.path.join(BUILD, "bench")
SCRIPTS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "scripts")
LOOP_CPU = "1" if (os.cpu_count() or 1) > 1 else "0"


def need(*paths):
    """Root, and the programs (built with the tools: one missing is a failure)."""
    if os.geteuid() != 0:
        raise unittest.SkipTest("needs root (BPF)")
    for path in paths:
        if not os.access(path, os.X_OK):
            raise AssertionError(f"{path} is not built")


def attached_tracepoints(pid):
    out = subprocess.run(["bpftool", "-j", "perf", "show"], capture_output=True, text=True, check=True).stdout
    return sorted(e.get("tracepoint", "?") for e in json.loads(out or "[]") if e.get("pid") == pid)


def fields_of(line):
    return dict(token.split("=", 1) for token in line.split() if "=" in token)


def json_lines(text):
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def path_block_totals(calls):
    """Calls of each kind per thread: timed iterations plus warm-up ones (see path_block.c)."""
    iters = calls // 10
    return iters + (calls // 10) // 10


class PathBlockTest(unittest.TestCase):
    def setUp(self):
        self.prog = os.path.join(BENCH, "bench_path_block")
        need(self.prog, os.path.join(BUILD, "syscount"), os.path.join(BUILD, "sysslow"))

    def test_its_reads_block_once_per_iteration_of_each_thread(self):
        out = subprocess.run([self.prog, "-c", LOOP_CPU, "20000"], capture_output=True, text=True, check=True).stdout
        f = fields_of(out)
        self.assertGreaterEqual(float(f["switches_per_call"]), 0.19)  # 2 switches per 10 calls
        self.assertEqual(int(f["calls"]), 20000)
        self.assertEqual(int(f["total_calls"]), 2 * 5 * path_block_totals(20000))
        self.assertFalse(os.path.exists(f["path"]), "its temporary file is removed")

    def test_it_makes_the_path_and_pipe_calls_it_says(self):
        calls = 2000
        out = subprocess.run([os.path.join(BUILD, "syscount"), "-j", "--", self.prog, "-c", LOOP_CPU, str(calls)],
                             capture_output=True, text=True, check=True).stdout
        counts = {s["name"]: s["count"] for s in json_lines(out)[-1]["syscalls"]}
        want = 2 * path_block_totals(calls)
        for name in ("openat", "close", "newfstatat", "read", "write"):
            # The dynamic loader and mkstemp add a few.
            self.assertGreaterEqual(counts.get(name, 0), want, name)
            self.assertLessEqual(counts.get(name, 0), want + 5, name)

    def test_under_sysslow_paths_are_read_and_blocked_reads_keep_their_arguments(self):
        # Every call is an event: openat and newfstatat carry the path read at
        # entry; a read that blocked was switched out, and its arguments come
        # back from where sched_switch parked them. Had they not been parked,
        # the other thread's calls (it ran meanwhile on the same CPU) would
        # have overwritten them: each thread reads one pipe, never the other's.
        out = subprocess.run([os.path.join(BUILD, "sysslow"), "--threshold", "0", "-j", "--",
                              self.prog, "-c", LOOP_CPU, "400"], capture_output=True, text=True, check=True).stdout
        path = fields_of(next(line for line in out.splitlines() if "ns_per_call=" in line))["path"]
        events = [e for e in json_lines(out) if e.get("type") == "slow"]
        # (The main thread opens the path too: mkstemp makes it.)
        workers = {e["tid"] for e in events
                   if e["syscall"] == "openat" and e.get("path") == path and e["tid"] != e["pid"]}
        self.assertEqual(len(workers), 2)
        stats = [e for e in events if e["syscall"] == "newfstatat" and e["tid"] in workers]
        self.assertTrue(stats and all(e.get("path") == path for e in stats))
        read_fds = defaultdict(set)
        for e in events:
            if e["syscall"] == "read" and e["tid"] in workers:
                self.assertEqual(e["args"][2], 1, e)
                read_fds[e["tid"]].add(e["args"][0])
        self.assertEqual(len(read_fds), 2)
        self.assertTrue(all(len(fds) == 1 for fds in read_fds.values()), dict(read_fds))
        self.assertEqual(len(set.union(*read_fds.values())), 2, dict(read_fds))
        self.assertGreaterEqual(sum(1 for e in events if e["syscall"] == "read" and e["tid"] in workers),
                                2 * path_block_totals(400))


class OtherWorkloadsTest(unittest.TestCase):
    def test_pair_mode_makes_getppid_on_two_threads(self):
        prog = os.path.join(BENCH, "bench_pipe_mix")
        need(prog, os.path.join(BUILD, "syscount"))
        out = subprocess.run([os.path.join(BUILD, "syscount"), "-j", "--", prog, "-m", "getppid", "-c", "0,1", "20000"],
                             capture_output=True, text=True, check=True).stdout
        self.assertIn("mode=getppid", out)
        counts = {s["name"]: s["count"] for s in json_lines(out)[-1]["syscalls"]}
        self.assertEqual(counts.get("getppid"), 2 * (20000 + 2000))  # timed + warm-up, per thread
        line = next(line for line in out.splitlines() if "ns_per_call=" in line)
        self.assertEqual(int(fields_of(line)["total_calls"]), counts["getppid"])
        self.assertNotIn("read", {n for n, c in counts.items() if c > 100})

    def test_getppid_loop_says_its_calls_and_cpu_time(self):
        prog = os.path.join(BENCH, "bench_getppid_loop")
        need(prog)
        f = fields_of(subprocess.run([prog, "-c", LOOP_CPU, "100000"], capture_output=True, text=True,
                                     check=True).stdout)
        self.assertEqual(int(f["total_calls"]), 110000)
        self.assertGreater(float(f["proc_cpu_ns"]), 0)

    def test_floor_with_an_empty_sched_switch_program(self):
        prog = os.path.join(BENCH, "bench_floor_loader")
        need(prog)
        proc = subprocess.Popen([prog, "--clock", "--switch"], stderr=subprocess.PIPE, text=True)
        try:
            self.assertIn("Tracing", proc.stderr.readline())
            self.assertEqual(attached_tracepoints(proc.pid), ["sched_switch", "sys_enter", "sys_exit"])
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=10)


if __name__ == "__main__":
    unittest.main()


class RedisWorkloadTest(unittest.TestCase):
    """Workload 5: a real redis-server and redis-benchmark (setup.sh installs them: missing is a failure)."""

    def setUp(self):
        import bench_redis  # scripts/ is on the path (bench_test_main.py)
        need(os.path.join(BUILD, "syscount"))
        self.br = bench_redis
        self.assertIsNone(bench_redis.missing())
        self.tmp = tempfile.TemporaryDirectory()
        self.server = bench_redis.Server(int(LOOP_CPU), self.tmp.name, os.path.join(self.tmp.name, "server.log"))
        self.server.start()

    def tearDown(self):
        proc = self.server.proc
        self.server.stop()
        self.assertIsNotNone(proc.returncode)  # stopped and reaped
        self.tmp.cleanup()

    def sample(self, requests=3000, clients=10, tool_pid=None):
        return self.br.benchmark(self.server, 0, requests, clients, os.path.join(self.tmp.name, "out"),
                                 os.path.join(self.tmp.name, "err"), tool_pid=tool_pid)

    def test_a_sample_is_set_and_get_over_the_unix_socket(self):
        self.assertEqual(self.server.address()[0], "-s")
        m = self.sample()
        f = m.fields
        self.assertGreater(f["get_rps"], 0)
        self.assertGreater(f["set_rps"], 0)
        self.assertAlmostEqual(m.ns, (1e9 / f["get_rps"] + 1e9 / f["set_rps"]) / 2)
        # The server ran and the client ran, each on its CPU; the shares are of the sample's wall time.
        self.assertTrue(0 < f["server_cpu_share"] <= 1.05, f)
        self.assertTrue(0 < f["client_cpu_share"] <= 1.05, f)
        self.assertTrue(0 <= f["server_wait_share"] < 1, f)
        self.assertIn(f["contended"], (True, False))
        self.assertGreaterEqual(f["steal_share"], 0)
        self.assertEqual(f["requests"], 3000)

    def test_server_and_client_run_at_high_priority(self):
        # A session of their own at nice -20: other sessions' compilers take ~1 % of their CPU, not half.
        self.assertEqual(os.getpriority(os.PRIO_PROCESS, self.server.pid), -20)
        if os.path.exists(f"/proc/{self.server.pid}/autogroup"):
            self.assertRegex(open(f"/proc/{self.server.pid}/autogroup").read(), r"nice -20")
        self.assertNotEqual(os.getsid(self.server.pid), os.getsid(0))

    def test_the_server_reads_and_writes_once_per_request(self):
        # What the workload is for: each request is a read and a write of the server's.
        requests = 3000
        tool = subprocess.Popen([os.path.join(BUILD, "syscount"), "-j", "-p", str(self.server.pid)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            self.assertIn("Tracing", tool.stderr.readline())
            self.sample(requests)
        finally:
            tool.send_signal(signal.SIGINT)
            out, _ = tool.communicate(timeout=10)
        counts = {s["name"]: s["count"] for s in json_lines(out)[-1]["syscalls"]}
        for name in ("read", "write"):
            self.assertGreaterEqual(counts.get(name, 0), 2 * requests, counts)
            self.assertLess(counts.get(name, 0), 2 * requests + 500, counts)  # + connections, PINGs

    def test_strace_attaches_to_the_server_and_says_so(self):
        import bench_rows
        tool = subprocess.Popen(["strace", "-f", "-c", "-p", str(self.server.pid)], stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
        try:
            self.assertRegex(tool.stderr.readline(), bench_rows.READY_STRACE)
            m = self.sample(500, tool_pid=tool.pid)
            self.assertGreater(m.fields["tool_cpu_share"], 0)  # strace ran, and is not counted as contention
        finally:
            tool.send_signal(signal.SIGINT)
            _, err = tool.communicate(timeout=10)
        self.assertRegex(err, r"\d+\s+(\d+\s+)?write")  # its summary counted the server's writes
        self.assertTrue(self.server.alive())
