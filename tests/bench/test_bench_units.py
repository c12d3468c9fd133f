"""The benchmark harness's pure logic (no privilege, nothing run): which rows
measure which workloads, the BPF statistics arithmetic, the tracer's CPU time
per traced call, the redis workload's output and throughput loss, and what
the report says about them."""
import argparse
import math
import os
import random
import subprocess
import sys
import tempfile
import unittest

import bench_bpfstats as bs
import bench_overhead
import bench_redis
import bench_report
import bench_sched
from bench_procs import Measurement, parse_measurement, tracer_cpu
from bench_report import (bpf_results, loss, loss_intervals, per_round, ratio_interval, render_text, round_losses,
                          same_verdict, tracer_results,
                          workload_results)
from bench_rows import GETPPID, LOSS_MAX, PAIR, PAIR_ONE_CPU, PATH, PIPE, READY_TRACING, REDIS, ROWS, SCHED, WORKLOADS

SCRIPTS = os.path.dirname(os.path.abspath(bs.__file__))
BY_KEY = {row.key: row for row in ROWS}



def missing_on_empty_path(missing):
    """What a workload's missing() says when PATH holds no program at all."""
    old = os.environ.get("PATH", "")
    with tempfile.TemporaryDirectory() as empty:
        os.environ["PATH"] = empty
        try:
            return missing()
        finally:
            os.environ["PATH"] = old

class RowsTest(unittest.TestCase):
    def runs(self, key, workload):
        return workload in BY_KEY[key].workloads

    def test_sysslow_runs_where_paths_are_copied_and_calls_block(self):
        for key in ("baseline", "floor", "floor_clock", "floor_switch", "syscount_L", "sysslow"):
            self.assertTrue(self.runs(key, PATH), key)
        sysslow = BY_KEY["sysslow"]
        self.assertEqual(sysslow.peer, "syscount_L")  # timed mode without slow
        self.assertIn(PATH, sysslow.checked_on)

    def test_daemon_and_dashboard_cost_per_call_of_the_traced_loop(self):
        for key in ("syslatd_attached", "syslat_top_attached"):
            row = BY_KEY[key]
            self.assertEqual(row.kind, "attach", key)
            self.assertIn(GETPPID, row.workloads)
            self.assertEqual(row.peer, "syslat")
            self.assertEqual(row.floor, "floor_clock")
        self.assertIn("{port}", BY_KEY["syslatd_attached"].cmd)
        self.assertTrue(BY_KEY["syslat_top_attached"].tty)

    def test_per_process_rows_on_two_threads_on_two_cpus(self):
        # ... and on one CPU, the control: the same calls never update an entry at the same time.
        for key in ("baseline", "floor", "syscount", "syscount_L", "syscount_P", "syscount_LP"):
            self.assertTrue(self.runs(key, PAIR), key)
            self.assertTrue(self.runs(key, PAIR_ONE_CPU), key)
        self.assertEqual(BY_KEY["syscount_P"].peer, "syscount")
        self.assertEqual(BY_KEY["syscount_LP"].peer, "syscount_L")

    def test_every_reference_runs_where_it_is_checked(self):
        for row in ROWS:
            self.assertTrue(set(row.workloads) <= set(WORKLOADS), row.key)
            for workload in row.checked_on:
                if workload not in row.workloads or row.kind != "attach":
                    continue
                for ref in filter(None, (row.peer if row.peer_max else None, row.floor if row.floor_max else None)):
                    self.assertIn(workload, BY_KEY[ref].workloads, f"{row.key} checked against {ref} on {workload}")
        for key in ("baseline", "floor"):
            self.assertEqual(set(BY_KEY[key].workloads), set(WORKLOADS), key)

    def test_list_names_every_row_with_its_workloads(self):
        out = subprocess.run([sys.executable, os.path.join(SCRIPTS, "bench_overhead.py"), "--list"],
                             capture_output=True, text=True, check=True).stdout
        lines = {line.split()[0]: line for line in out.splitlines() if line.startswith("  ") and line.split()}
        for row in ROWS:
            self.assertIn(row.key, lines)
        self.assertIn("getppid,path", lines["sysslow"])
        self.assertIn("getppid,pair,pair1", lines["syscount_LP"])
        self.assertIn("path_block", out)


def perf_entry(pid, prog_id, tracepoint):
    return {"pid": pid, "fd": 3, "prog_id": prog_id, "fd_type": "raw_tracepoint", "tracepoint": tracepoint}


class BpfStatsTest(unittest.TestCase):
    def test_programs_of_one_process_by_tracepoint(self):
        perf = [perf_entry(10, 1, "sys_enter"), perf_entry(10, 2, "sys_exit"), perf_entry(11, 3, "sys_exit")]
        self.assertEqual(bs.tool_programs(10, perf), {1: "sys_enter", 2: "sys_exit"})

    def test_counters_missing_while_zero(self):
        show = [{"id": 1, "run_time_ns": 500, "run_cnt": 5}, {"id": 2}, {"id": 9, "run_time_ns": 1, "run_cnt": 1}]
        self.assertEqual(bs.counters({1: "a", 2: "b"}, show), {1: (500, 5), 2: (0, 0)})

    def test_delta_adds_programs_of_one_tracepoint_and_skips_gone_ones(self):
        programs = {1: "sys_exit", 2: "sys_exit", 3: "sched_switch"}
        before = {1: (100, 10), 2: (0, 0), 3: (50, 1)}
        after = {1: (1100, 20), 2: (300, 10)}
        self.assertEqual(bs.delta(programs, before, after), {"sys_exit": {"ns": 1300, "runs": 20}})

    def test_calibrated_cost_per_call(self):
        # 1000 syscalls; sys_enter 40 ns a run, sys_exit 30, sched_switch 200 ns on 200 switches;
        # an empty program measures 10 ns a run.
        progs = {"sys_enter": {"ns": 40000, "runs": 1000}, "sys_exit": {"ns": 30000, "runs": 1000},
                 "sched_switch": {"ns": 40000, "runs": 200}}
        slower = {"sys_enter": {"ns": 50000, "runs": 1000}, "sys_exit": {"ns": 30000, "runs": 1000}}
        s = bs.summarize([bs.sample(progs, 900), bs.sample(progs, 800), bs.sample(slower, 950),
                          bs.sample({"sys_exit": {"ns": 0, "runs": 0}}, 10)], 10.0)
        self.assertEqual(s["samples"], 3)
        self.assertAlmostEqual(s["ns_per_call"], 110.0)
        self.assertAlmostEqual(s["calibrated_ns_per_call"], 110.0 - 10.0 * 2.2)
        self.assertEqual(s["calibrated_range"], (60.0, 88.0))
        self.assertAlmostEqual(s["workload_share"], 0.9)  # the other tasks made the rest
        self.assertAlmostEqual(s["programs"]["sched_switch"]["ns_per_run"], 200.0)
        self.assertAlmostEqual(s["programs"]["sched_switch"]["calibrated_ns_per_run"], 190.0)
        self.assertAlmostEqual(s["programs"]["sched_switch"]["runs_per_call"], 0.2)

    def test_empty_program_from_the_floor_rows_samples(self):
        floor = {GETPPID: [bs.sample({"sys_enter": {"ns": 900, "runs": 100}, "sys_exit": {"ns": 1100, "runs": 100}}, 100)],
                 PATH: [bs.sample({"sys_enter": {"ns": 1200, "runs": 100}, "sys_exit": {"ns": 1200, "runs": 100}}, 100)]}
        out = bpf_results([BY_KEY["floor"], BY_KEY["sysslow"]],
                          {"floor": floor, "sysslow": {PATH: [bs.sample({"sys_exit": {"ns": 5000, "runs": 100}}, 50)]}},
                          "floor")
        self.assertAlmostEqual(out["empty_ns_per_run"], 11.0)
        self.assertAlmostEqual(out["rows"]["sysslow"][PATH]["calibrated_ns_per_call"], 39.0)


class TracerCpuTest(unittest.TestCase):
    def test_loop_line_carries_its_own_cpu_time_and_calls(self):
        m = parse_measurement("noise\nns_per_call=30000.0 mean_ns=1 min_batch_ns=1 cpu_share=0.3 calls=20000 "
                              "batches=10 cpu=1 total_calls=22000 proc_cpu_ns=220000000\n")
        self.assertEqual(m.ns, 30000.0)
        self.assertEqual(m.fields["total_calls"], 22000)
        # The tool reaped the loop: its rusage holds both, to the microsecond.
        m = m._replace(rusage_cpu_ns=220000000 + 22000 * 25000.0, self_cpu_ns=550e6, children_cpu_ns=220e6)
        tracer, tracee = tracer_cpu(m)
        self.assertAlmostEqual(tracer, 25000.0)
        self.assertAlmostEqual(tracee, 10000.0)

    def test_a_tool_that_leaves_its_loop_to_init_is_measured_by_its_own_time(self):
        # perf trace: the rusage holds no loop (less than the loop's own), /proc's own time counts.
        m = Measurement(1.0, None, {"total_calls": 10, "proc_cpu_ns": 5000.0}, 4000.0, 3000.0, 0.0)
        self.assertEqual(tracer_cpu(m), (300.0, 500.0))

    def test_unknown_without_the_loops_numbers_or_the_tools(self):
        self.assertIsNone(tracer_cpu(Measurement(1.0, None, {"total_calls": 10, "proc_cpu_ns": 5000.0}, 4000.0)))
        self.assertIsNone(tracer_cpu(Measurement(1.0, None, {}, 4000.0, 3000.0, 0.0)))

    def test_path_block_line(self):
        m = parse_measurement("ns_per_call=3000.5 mean_ns=3100.0 cpu_share=0.990 switches_per_call=0.200 calls=1000 "
                              "batches=10 cpu=1 path=/tmp/syslat-bench-path.abc\n")
        self.assertEqual(m.fields["switches_per_call"], 0.2)
        self.assertEqual(m.cpu_share, 0.99)


def fake_report(samples, fields, tracer, bpf_samples, keys=("baseline", "floor", "floor_clock", "syscount_L", "sysslow",
                                                             "strace_c", "systrace_c"), statuses=None):
    rows = [BY_KEY[k] for k in keys]
    statuses = statuses or {}
    bpf = bpf_results(rows, bpf_samples, "floor")
    report = {
        "date": "d", "source": "s", "elapsed_s": 1.0, "warnings": [], "poll": [],
        "machine": {"cpu_model": "m", "cpus": 2, "kernel": "k", "clocksource": "c", "mitigations": "x"},
        "settings": {"rounds": 3, "tool_cpu": 0, "loop_cpu": 1, "procs": 1, "calls": 1, "slow_calls": 20000,
                     "pipe_calls": 1, "pipe_cpus": [0, 1], "pair_calls": 1, "path_calls": 1, "poll_seconds": 1},
        "tracer": tracer_results(rows, samples, statuses, tracer), "bpf_stats": bpf,
    }
    for w in WORKLOADS:
        report[w] = workload_results(rows, samples, statuses, w, fields=fields, bpf=bpf)
    return report


class ReportTest(unittest.TestCase):
    def setUp(self):
        def clean(*values):
            return [(v, True) for v in values]
        self.samples = {
            "baseline": {GETPPID: clean(1000, 1001, 999), PATH: clean(3000, 3010, 2990)},
            "floor": {GETPPID: clean(1200, 1201, 1199), PATH: clean(3200, 3201, 3199)},
            "floor_clock": {GETPPID: clean(1400, 1401, 1399), PATH: clean(3400, 3401, 3399)},
            "syscount_L": {GETPPID: clean(1500, 1501, 1499), PATH: clean(3500, 3501, 3499)},
            "sysslow": {GETPPID: clean(1520, 1521, 1519), PATH: clean(3900, 3901, 3899)},
            "strace_c": {GETPPID: clean(50000, 50001, 49999)},
            "systrace_c": {GETPPID: clean(30000, 30001, 29999)},
        }
        self.fields = {"sysslow": {PATH: [{"switches_per_call": 0.2}] * 3}}
        self.tracer = {"strace_c": [(40000.0, 9000.0)] * 3, "systrace_c": [(20000.0, 9000.0)] * 3}
        empty = {"sys_enter": {"ns": 1000, "runs": 100}, "sys_exit": {"ns": 1000, "runs": 100}}
        slow = {"sys_enter": {"ns": 9000, "runs": 100}, "sys_exit": {"ns": 5000, "runs": 100},
                "sched_switch": {"ns": 4000, "runs": 20}}
        self.bpf = {"floor": {GETPPID: [bs.sample(empty, 100)] * 3}, "sysslow": {PATH: [bs.sample(slow, 95)] * 3}}

    def test_sysslow_checked_against_timed_mode_on_path_block(self):
        report = fake_report(self.samples, self.fields, self.tracer, self.bpf)
        row = next(r for r in report[PATH] if r["key"] == "sysslow")
        self.assertAlmostEqual(row["x_peer"], 900.0 / 500.0)
        self.assertTrue(row["result"].startswith("NOT met"), row["result"])
        self.assertEqual(row["switches_per_call"], 0.2)
        # 9000 + 5000 + 4000 ns less 220 runs x 10 ns, over 100 calls.
        self.assertAlmostEqual(row["bpf_ns_per_call"], 158.0)

    def test_tracer_cpu_beside_the_peers(self):
        report = fake_report(self.samples, self.fields, self.tracer, self.bpf)
        systrace = next(r for r in report["tracer"] if r["key"] == "systrace_c")
        self.assertEqual(systrace["tracer_cpu_ns_per_call"], 20000.0)
        self.assertAlmostEqual(systrace["tracer_x_peer"], 0.5)

    def test_text_has_every_new_table(self):
        text = render_text(fake_report(self.samples, self.fields, self.tracer, self.bpf))
        self.assertIn(WORKLOADS[PATH], text)
        self.assertIn("context switches per call", text)
        self.assertIn("CPU time of tracer and tracee per traced call", text)
        self.assertIn("Per-program cost (kernel.bpf_stats_enabled=1", text)
        self.assertIn("sched_switch 200.0 (190.0) x0.20", text)
        self.assertIn("158-158  0.95", text)  # the range over rounds, the workload's share
        self.assertNotIn(WORKLOADS[PIPE], text)  # nothing ran it

    def test_older_report_without_the_new_sections(self):
        report = fake_report(self.samples, self.fields, self.tracer, self.bpf)
        for key in ("tracer", "bpf_stats", PAIR, PATH):
            del report[key]
        self.assertIn(WORKLOADS[GETPPID], render_text(report))


if __name__ == "__main__":
    unittest.main()


# Real output of redis-benchmark 7.0.15 (Debian 12) with --csv: stdout of
# `redis-benchmark -s SOCK -t set,get -n 50000 -c 50 --csv` on a busy machine.
REDIS_CSV = """\
"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
"SET","6150.06","7.527","0.200","4.359","22.399","27.695","168.063"
"GET","7980.85","5.482","0.144","0.639","19.583","28.543","42.495"
"""
# ... and when it cannot connect: the header, then the errors on stderr (exit status 1).
REDIS_CSV_REFUSED = '"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms",' \
                    '"p99_latency_ms","max_latency_ms"\n'


class RedisOutputTest(unittest.TestCase):
    def test_requests_per_second_of_each_test(self):
        self.assertEqual(bench_redis.parse_csv(REDIS_CSV), {"SET": 6150.06, "GET": 7980.85})

    def test_no_result_without_both_tests(self):
        with self.assertRaises(ValueError):
            bench_redis.parse_csv(REDIS_CSV_REFUSED)
        with self.assertRaises(ValueError):
            bench_redis.parse_csv("\n".join(REDIS_CSV.splitlines()[:2]))  # SET only

    def test_ns_per_request_of_both_tests_together(self):
        # As many GETs as SETs: both tests' time over both tests' requests.
        ns = bench_redis.ns_per_request(bench_redis.parse_csv(REDIS_CSV))
        self.assertAlmostEqual(ns, (1e9 / 6150.06 + 1e9 / 7980.85) / 2)
        self.assertAlmostEqual(ns, 1e9 / (2 / (1 / 6150.06 + 1 / 7980.85)))

    def test_contention_leaves_out_the_tools_own_cpu(self):
        # 1 s sample: the client waited 150 ms for its CPU, 120 of them while the tool ran there.
        server, client = bench_redis.contention(1e9, 20e6, 150e6, 120e6)
        self.assertAlmostEqual(server, 0.02)
        self.assertAlmostEqual(client, 0.03)
        self.assertAlmostEqual(bench_redis.contention(1e9, 20e6, 150e6)[1], 0.15)
        # The server shares no CPU with the tool: all of its wait counts.
        self.assertAlmostEqual(bench_redis.contention(1e9, 200e6, 0, 500e6)[0], 0.2)
        self.assertEqual(bench_redis.contention(0, 1, 1), (0.0, 0.0))

    def test_the_bottleneck_client_is_held_tighter_than_the_server(self):
        self.assertFalse(bench_redis.contended(0.02, 0.005, 0.0))   # the server's usual wake-up wait
        self.assertTrue(bench_redis.contended(0.02, 0.03, 0.0))     # 3 % of the client's time: ~3 % throughput
        self.assertTrue(bench_redis.contended(0.15, 0.0, 0.0))
        self.assertTrue(bench_redis.contended(0.0, 0.0, 0.05))      # the hypervisor took 5 % of a CPU

    def test_harness_takes_the_workloads_own_verdict(self):
        self.assertTrue(bench_overhead.uncontended(Measurement(1.0, 0.5, {"contended": False})))
        self.assertFalse(bench_overhead.uncontended(Measurement(1.0, None, {"contended": True})))
        self.assertFalse(bench_overhead.uncontended(Measurement(1.0, 0.5, {})))
        self.assertTrue(bench_overhead.uncontended(Measurement(1.0, 0.95, {})))

    def test_missing_programs_named_with_their_packages(self):
        status = missing_on_empty_path(bench_redis.missing)
        self.assertTrue(status.startswith("not installed: redis-server and redis-benchmark"), status)
        self.assertIn("redis-tools", status)


class RedisRowsTest(unittest.TestCase):
    WANTED = ("baseline", "floor", "syscount", "syscount_L", "sysslow_10ms", "syslatd_attached", "bcc_syscount",
              "bcc_syscount_L", "strace_p")

    def test_the_rows_of_the_issue_run_it(self):
        for key in self.WANTED:
            self.assertIn(REDIS, BY_KEY[key].workloads, key)
        self.assertIn("--threshold 10ms", BY_KEY["sysslow_10ms"].cmd)
        strace = BY_KEY["strace_p"]
        self.assertEqual(strace.cmd, "strace -f -c -p {server_pid}")
        self.assertTrue(strace.slow)

    def test_server_pid_placeholder(self):
        bench = bench_overhead.Bench.__new__(bench_overhead.Bench)
        bench.build, bench.bench, bench.other = "/b", "/b/bench", None
        bench.redis = argparse.Namespace(pid=4242)
        self.assertEqual(bench.expand(BY_KEY["strace_p"]), ["strace", "-f", "-c", "-p", "4242"])

    def test_only_a_workload_name_selects_its_rows_on_it_alone(self):
        rows = {row.key: row for row in bench_overhead.select_rows("redis")}
        self.assertEqual(set(rows), set(self.WANTED))
        for row in rows.values():
            self.assertEqual(row.workloads, (REDIS,), row.key)
        # A row named too keeps its own workloads, and so baseline and floor run them.
        rows = {row.key: row for row in bench_overhead.select_rows("redis,sysslow")}
        self.assertEqual(rows["sysslow"].workloads, (GETPPID, PATH))
        self.assertEqual(set(rows["floor"].workloads), {GETPPID, PATH, REDIS})
        self.assertEqual(rows["bcc_syscount"].workloads, (REDIS,))
        rows = {row.key: row for row in bench_overhead.select_rows("strace_p")}
        self.assertEqual(set(rows), {"baseline", "floor", "strace_p"})
        self.assertEqual(rows["baseline"].workloads, (REDIS,))

    def test_without_redis_its_rows_say_so_and_the_others_run(self):
        args = argparse.Namespace(build="build", quick=True, redis_tcp=False, redis_requests=None, redis_clients=50,
                                  tool_cpu=0, loop_cpu=1, no_bpf_stats=True)
        rows = bench_overhead.select_rows("redis,syscount")
        old = os.environ.get("PATH", "")
        with tempfile.TemporaryDirectory() as tmp:
            bench = bench_overhead.Bench(args, rows, tmp)
            os.environ["PATH"] = tmp
            try:
                bench.start_redis(quick=True)
            finally:
                os.environ["PATH"] = old
        self.assertIsNone(bench.redis)
        self.assertTrue(bench.workload_statuses[REDIS].startswith("not installed"))
        self.assertTrue(bench.statuses["strace_p"].startswith("not installed"))  # it runs nothing else
        self.assertNotIn("syscount", bench.statuses)
        self.assertEqual(bench.runnable(BY_KEY["syscount"]), [GETPPID, PIPE, PAIR, PAIR_ONE_CPU])
        statuses = dict(bench.statuses, syscount=bench.workload_statuses[REDIS])
        table = workload_results([BY_KEY["syscount"], BY_KEY["strace_p"]], {}, statuses, REDIS)
        self.assertTrue(all(r["status"].startswith("not installed: redis-server") for r in table), table)


class LossTest(unittest.TestCase):
    def setUp(self):
        def rounds(*values, per_round=1):
            return [(v, True) for v in values for _ in range(per_round)]
        # ns per request, 3 rounds; the machine drifts by +-10 % from round to round (someone's load, a
        # tracer of theirs) and every row with it: the floor costs 2 %, syscount 3 %, -L 8 %, strace 5x.
        drift = (1.0, 1.1, 0.9)
        self.samples = {
            "baseline": {REDIS: rounds(*(10000 * d for d in drift), per_round=2)},
            "floor": {REDIS: rounds(*(10200 * d for d in drift), per_round=2)},
            "syscount": {REDIS: rounds(*(10300 * d for d in drift))},
            "syscount_L": {REDIS: rounds(*(10800 * d for d in drift))},
            "strace_p": {REDIS: rounds(*(50000 * d for d in drift))},
        }
        self.fields = {"baseline": {REDIS: [{"get_rps": 101000.0, "set_rps": 99000.0, "client_cpu_share": 0.98,
                                             "server_cpu_share": 0.55}] * 6}}
        self.keys = ("baseline", "floor", "syscount", "syscount_L", "strace_p")

    def table(self):
        report = fake_report(self.samples, self.fields, {}, {}, keys=self.keys)
        return report, {r["key"]: r for r in report[REDIS]}

    def test_loss_is_the_requests_per_second_lost(self):
        self.assertAlmostEqual(loss(10000, 12500), 0.2)   # 100k/s -> 80k/s
        self.assertAlmostEqual(loss(10000, 10000), 0.0)
        self.assertIsNone(loss(None, 10000))

    def test_each_round_against_its_own_baseline(self):
        self.assertEqual(per_round([(1, True), (3, True), (5, True), (7, False)], 2), {0: 2, 1: 5})
        self.assertEqual(per_round([(1, True), (3, False), (5, False)], 1), {0: 1, 1: 3, 2: 5})  # too few clean: all
        losses = round_losses({0: 12500, 1: 11000, 2: 1}, {0: 10000, 1: 11000})  # round 2 has no baseline
        self.assertEqual(sorted(losses), [0, 1])
        self.assertAlmostEqual(losses[0], 0.2)
        self.assertEqual(losses[1], 0.0)

    def test_loss_against_the_floors_through_the_drift(self):
        _, rows = self.table()
        self.assertAlmostEqual(rows["baseline"]["rps"], 1e5)
        self.assertEqual(rows["baseline"]["get_rps"], 101000.0)
        self.assertIsNone(rows["baseline"]["loss"])
        self.assertAlmostEqual(rows["floor"]["loss"], 1 - 1 / 1.02)
        self.assertAlmostEqual(rows["syscount_L"]["loss"], 1 - 1 / 1.08)
        self.assertAlmostEqual(rows["syscount_L"]["x_floor_loss"], (1 - 1 / 1.08) / (1 - 1 / 1.02))
        self.assertAlmostEqual(rows["strace_p"]["loss"], 0.8)
        self.assertEqual(len(rows["syscount"]["round_losses"]), 3)
        # The drift is 20 % from round to round; each round against its own baseline, the loss does not move.
        lo, hi = rows["syscount"]["loss_interval"]
        self.assertAlmostEqual(lo, 1 - 1 / 1.03)
        self.assertAlmostEqual(hi, 1 - 1 / 1.03)
        self.assertGreater(rows["syscount"]["iqr_pct"], 5)  # while the samples themselves spread

    def test_the_promise_holds_our_rows_only(self):
        _, rows = self.table()
        self.assertEqual(rows["syscount"]["loss_target"], f"< {LOSS_MAX * 100:g}% loss")
        self.assertTrue(rows["syscount"]["loss_result"].startswith("met"), rows["syscount"])
        self.assertTrue(rows["syscount_L"]["loss_result"].startswith("NOT met"), rows["syscount_L"])
        self.assertEqual(rows["strace_p"]["loss_target"], "")
        self.assertEqual(rows["floor"]["loss_result"], "")

    def test_a_loss_near_the_limit_is_unclear(self):
        self.samples["syscount"] = {REDIS: [(v, True) for v in (10300, 11000 * 1.07, 9000 * 1.05)]}
        _, rows = self.table()
        self.assertTrue(rows["syscount"]["loss_result"].startswith("unclear"), rows["syscount"])

    def test_interval_resamples_the_rounds(self):
        losses = {0: 0.01, 1: 0.05, 2: 0.09}
        (lo, hi), (rlo, rhi) = loss_intervals(losses, {0: 0.01, 1: 0.05, 2: 0.09}, random.Random(1))
        self.assertEqual((lo, hi), (0.01, 0.09))
        self.assertEqual((rlo, rhi), (1.0, 1.0))  # the same rounds for the row and the floor
        # A floor that lost nothing (or gained) in the rounds picked: no ratio to it.
        _, ratio = loss_intervals(losses, {0: 0.0, 1: 0.0, 2: 0.02}, random.Random(1))
        self.assertEqual(ratio[1], math.inf)
        self.assertEqual(loss_intervals({}, {}, random.Random(1)), (None, None))

    def test_table_text(self):
        report, _ = self.table()
        text = render_text(report)
        self.assertIn(WORKLOADS[REDIS], text)
        self.assertIn("loss% 90% int.", text)
        self.assertIn("the floor (two empty programs", text)
        self.assertIn("leaves 3.0 points for a tool's own work", text)  # 5 % - the floor's 1.96 %
        self.assertIn("redis-server busy 55% of the wall time, redis-benchmark 98%", text)
        line = next(line for line in text.splitlines() if line.startswith("syscount -L "))
        self.assertIn("NOT met (loss", line)
        self.assertIn("  7.4 ", line)   # 1 - 1/1.08, in %

    def test_a_floor_over_the_promise_says_it_cannot_be_kept(self):
        for d, (v, _) in enumerate(self.samples["floor"][REDIS]):
            self.samples["floor"][REDIS][d] = (v * 1.08, True)
        self.assertIn("cannot be kept here: the floor alone loses more", render_text(self.table()[0]))


# Real output of perf 6.1 (Debian 12, linux-perf): `taskset -c 1 perf bench sched pipe -l 50000`.
PERF_PIPE = """\
# Running 'sched/pipe' benchmark:
# Executed 50000 pipe operations between two processes

     Total time: 0.322 [sec]

       6.447240 usecs/op
         155105 ops/sec
"""
# runqlat's first line (libbpf-tools, Debian 12), on stdout.
RUNQLAT_READY = "Tracing run queue latency... Hit Ctrl-C to end.\n"


class SchedOutputTest(unittest.TestCase):
    def test_loops_and_time_per_loop(self):
        loops, ns = bench_sched.parse(PERF_PIPE)
        self.assertEqual(loops, 50000)
        self.assertAlmostEqual(ns, 6447.24)

    def test_ns_per_switch_from_the_switches_counted(self):
        # Both processes on one CPU: a round trip is 2 switches (and a few of perf's start-up besides).
        m = bench_sched.measurement(PERF_PIPE, 100006, 0.31e9)
        self.assertAlmostEqual(m.ns, 50000 * 6447.24 / 100006)
        self.assertAlmostEqual(m.fields["switches_per_loop"], 2.00012)
        self.assertEqual(m.fields["switches"], 100006)
        self.assertAlmostEqual(m.fields["elapsed_ns"], 322362000.0)
        self.assertAlmostEqual(m.cpu_share, 0.31e9 / 322362000.0)  # over perf's elapsed time, not the run's
        self.assertTrue(bench_overhead.uncontended(m))
        # Another task had the CPU a third of the time: measured again, then tainted.
        self.assertFalse(bench_overhead.uncontended(bench_sched.measurement(PERF_PIPE, 100006, 0.21e9)))

    def test_no_result_without_its_lines_or_switches(self):
        with self.assertRaises(ValueError):
            bench_sched.parse("# Running 'sched/pipe' benchmark:\n")
        with self.assertRaises(ValueError):
            bench_sched.measurement(PERF_PIPE, 0, 1.0)

    def test_both_processes_pinned_to_the_workloads_cpu(self):
        self.assertEqual(bench_sched.argv(1, 5000), ["taskset", "-c", "1", "perf", "bench", "sched", "pipe", "-l", "5000"])

    def test_missing_perf_named_with_its_package(self):
        status = missing_on_empty_path(bench_sched.missing)
        self.assertEqual(status, "not installed: perf (apt-get install linux-perf)")


class SchedRowsTest(unittest.TestCase):
    WANTED = ("baseline", "floor", "floor_switch", "syscount_L", "syscount_L_states", "syslat", "runqlat")

    def test_the_rows_of_the_issue_run_it(self):
        self.assertEqual({row.key for row in ROWS if SCHED in row.workloads}, set(self.WANTED))
        runqlat = BY_KEY["runqlat"]
        self.assertEqual((runqlat.kind, runqlat.cmd), ("attach", "/usr/sbin/runqlat"))  # no interval: until SIGINT
        self.assertRegex(RUNQLAT_READY, runqlat.ready)
        self.assertEqual(runqlat.ready, READY_TRACING)
        self.assertEqual(BY_KEY["syscount_L_states"].cmd, "{build}/syscount -L --states")

    def test_the_split_is_held_to_runqlat_by_what_it_adds_per_switch(self):
        row = BY_KEY["syscount_L_states"]
        self.assertEqual((row.peer, row.peer_max, row.peer_over), ("runqlat", 1.0, "syscount_L"))
        self.assertEqual(row.checked_on, (SCHED,))
        for key in ("syscount_L_states", "syslat"):  # calls never switched out: the same as without the split
            self.assertEqual(BY_KEY[key].same_as, "syscount_L", key)
            self.assertEqual(BY_KEY[key].same_on, (GETPPID,), key)
            self.assertIn(GETPPID, BY_KEY[key].workloads, key)
        for row in ROWS:
            if row.peer_over:
                for w in row.checked_on:
                    self.assertIn(w, BY_KEY[row.peer_over].workloads, row.key)
            if row.same_as:
                for w in row.same_on:
                    self.assertIn(w, BY_KEY[row.same_as].workloads, row.key)

    def test_only_sched_runs_its_rows_on_it_alone(self):
        rows = {row.key: row for row in bench_overhead.select_rows("sched")}
        self.assertEqual(set(rows), set(self.WANTED))
        for row in rows.values():
            self.assertEqual(row.workloads, (SCHED,), row.key)

    def test_list_names_runqlat(self):
        self.assertIn("runqlat", bench_overhead.list_rows())


class SwitchStatsTest(unittest.TestCase):
    def test_costs_per_switch_on_a_switch_workload(self):
        # 1000 switches the workload made, 1100 machine-wide; 2 syscalls per switch.
        progs = {"sys_enter": {"ns": 60000, "runs": 2200}, "sys_exit": {"ns": 80000, "runs": 2200},
                 "sched_switch": {"ns": 55000, "runs": 1100}}
        s = bs.summarize([bs.sample(progs, 1000, unit=bs.SWITCH_TRACEPOINT)] * 3, 10.0)
        self.assertEqual(s["unit"], "sched_switch")
        self.assertAlmostEqual(s["programs"]["sched_switch"]["ns_per_run"], 50.0)
        self.assertAlmostEqual(s["programs"]["sys_exit"]["runs_per_call"], 2.0)
        self.assertAlmostEqual(s["ns_per_call"], 195000 / 1100)
        self.assertAlmostEqual(s["calibrated_ns_per_call"], (195000 - 5500 * 10.0) / 1100)
        self.assertAlmostEqual(s["workload_share"], 1000 / 1100)

    def test_a_tool_without_a_sched_switch_program_per_switch_the_workload_made(self):
        floor = {"sys_enter": {"ns": 20000, "runs": 2000}, "sys_exit": {"ns": 20000, "runs": 2000}}
        self.assertEqual(bs.calls_of(floor, bs.SWITCH_TRACEPOINT, 1000), 1000)
        self.assertEqual(bs.calls_of(floor, bs.EXIT_TRACEPOINT, 1000), 2000)  # per syscall as before
        s = bs.summarize([bs.sample(floor, 1000, unit=bs.SWITCH_TRACEPOINT)], 10.0)
        self.assertAlmostEqual(s["ns_per_call"], 40.0)
        self.assertAlmostEqual(s["programs"]["sys_exit"]["runs_per_call"], 2.0)

    def test_per_syscall_samples_keep_their_shape(self):
        self.assertNotIn("unit", bs.sample({}, 1))
        s = bs.summarize([bs.sample({"sys_exit": {"ns": 100, "runs": 10}}, 10)], None)
        self.assertNotIn("unit", s)


def split_fixture():
    """ns per switch, 5 rounds: baseline 3000, the empty sched_switch floor +20, timed mode +100, the split +30
    more, syslat as the split, runqlat +60; ns per getppid call: the split the same as without it."""
    def clean(center, *jitter):
        return [(center + j, True) for j in jitter]
    j = (-2, -1, 0, 1, 2)
    samples = {
        "baseline": {SCHED: clean(3000, *j), GETPPID: clean(1000, *j)},
        "floor": {SCHED: clean(3010, *j), GETPPID: clean(1100, *j)},
        "floor_clock": {GETPPID: clean(1150, *j)},
        "floor_switch": {SCHED: clean(3020, *j)},
        "syscount_L": {SCHED: clean(3100, *j), GETPPID: clean(1200, *j)},
        "syscount_L_states": {SCHED: clean(3130, *j), GETPPID: clean(1201, *j)},
        "syslat": {SCHED: clean(3132, *j), GETPPID: clean(1260, *j)},
        "runqlat": {SCHED: clean(3060, *j)},
    }
    fields = {key: {SCHED: [{"switches_per_loop": 2.0002}] * 5} for key in samples if SCHED in samples[key]}
    empty = {"sys_enter": {"ns": 1000, "runs": 100}, "sys_exit": {"ns": 1000, "runs": 100}}

    def per_switch(switch_ns, exit_ns):
        return bs.sample({"sys_enter": {"ns": 4000, "runs": 200}, "sys_exit": {"ns": exit_ns, "runs": 200},
                          "sched_switch": {"ns": switch_ns, "runs": 100}}, 100, unit=bs.SWITCH_TRACEPOINT)
    bpf = {"floor": {GETPPID: [bs.sample(empty, 100)] * 3},
           "syscount_L": {SCHED: [per_switch(3000, 5000)] * 3},
           "syscount_L_states": {SCHED: [per_switch(4000, 5400)] * 3},
           "runqlat": {SCHED: [bs.sample({"sched_switch": {"ns": 5000, "runs": 100},
                                          "sched_wakeup": {"ns": 2000, "runs": 100}}, 100,
                                         unit=bs.SWITCH_TRACEPOINT)] * 3}}
    return samples, fields, bpf


class SplitReportTest(unittest.TestCase):
    KEYS = ("baseline", "floor", "floor_clock", "floor_switch", "syscount_L", "syscount_L_states", "syslat", "runqlat")

    def report(self, samples=None):
        s, fields, bpf = split_fixture()
        return fake_report(samples or s, fields, {}, bpf, keys=self.KEYS)

    def rows(self, workload, samples=None):
        return {r["key"]: r for r in self.report(samples)[workload]}

    def test_what_the_split_adds_per_switch_against_runqlat(self):
        r = self.rows(SCHED)["syscount_L_states"]
        self.assertEqual(r["added_ns"], 30)        # over syscount -L, not over nothing
        self.assertEqual(r["peer_overhead_ns"], 60)
        self.assertAlmostEqual(r["x_peer"], 0.5)
        self.assertTrue(r["result"].startswith("met"), r["result"])
        self.assertEqual(r["target"], "<= 1x libbpf-tools runqlat over syscount -L")
        lo, hi = r["intervals"]["x peer"]
        self.assertTrue(lo <= 0.5 <= hi and hi < 1, (lo, hi))
        # BPF per switch, less 10 ns per run: (4000 + 4000 + 5400 - 500 x 10) / 100 against (3000 + ...),
        # runqlat (5000 + 2000 - 200 x 10) / 100.
        self.assertAlmostEqual(r["bpf_added_ns"], 14.0)
        self.assertAlmostEqual(r["bpf_peer_ns"], 50.0)
        self.assertAlmostEqual(r["bpf_x_peer"], 0.28)

    def test_bpf_added_at_the_rows_own_runs_per_switch(self):
        # Other tasks made more syscalls while the split's sample ran (3 per switch instead of 2): its
        # BPF time per switch grew by a syscall's programs, which the split did not add.
        samples, fields, bpf = split_fixture()
        busier = {"sys_enter": {"ns": 6000, "runs": 300}, "sys_exit": {"ns": 8100, "runs": 300},
                  "sched_switch": {"ns": 4000, "runs": 100}}
        bpf["syscount_L_states"] = {SCHED: [bs.sample(busier, 100, unit=bs.SWITCH_TRACEPOINT)] * 3}
        r = {r["key"]: r for r in fake_report(samples, fields, {}, bpf, keys=self.KEYS)[SCHED]}["syscount_L_states"]
        self.assertAlmostEqual(r["bpf_added_ns"], (40 - 30) * 1 + (27 - 25) * 3 + (20 - 20) * 3)
        self.assertEqual(r["bpf_added_by_program"], {"sched_switch": 10.0, "sys_exit": 6.0, "sys_enter": 0.0})
        self.assertAlmostEqual(bench_report.bpf_added_ns(
            {"programs": {"a": {"ns_per_run": 5.0, "calibrated_ns_per_run": None, "runs_per_call": 2.0}}},
            {"programs": {"b": {"ns_per_run": 7.0, "calibrated_ns_per_run": None, "runs_per_call": 1.0}}}), 3.0)
        self.assertIsNone(bench_report.bpf_added_ns(None, {"programs": {}}))

    def test_a_split_dearer_than_runqlat_is_not_met(self):
        samples, _, _ = split_fixture()
        samples["syscount_L_states"][SCHED] = [(3200 + j, True) for j in (-2, -1, 0, 1, 2)]
        r = self.rows(SCHED, samples)["syscount_L_states"]
        self.assertAlmostEqual(r["x_peer"], 100 / 60)
        self.assertTrue(r["result"].startswith("NOT met"), r["result"])

    def test_calls_never_switched_out_cost_the_same(self):
        rows = self.rows(GETPPID)
        r = rows["syscount_L_states"]
        self.assertEqual(r["target"], "= syscount -L")  # its runqlat target is the sched table's
        self.assertEqual(r["same_diff_ns"], 1)
        self.assertTrue(r["result"].startswith("same as syscount -L ("), r["result"])
        self.assertIsNone(r["x_peer"])                  # runqlat does not run the loop
        syslat = rows["syslat"]                         # 60 ns dearer: differs
        self.assertIn("differs from syscount -L (", syslat["result"])
        self.assertTrue(syslat["result"].startswith(("met", "NOT met", "unclear")), syslat["result"])
        self.assertAlmostEqual(syslat["same_x"], 260 / 200)
        # Not on the sched table, where the split is meant to cost something.
        self.assertNotIn("same_as", self.rows(SCHED)["syslat"])

    def test_same_verdict_is_whether_the_interval_holds_one(self):
        self.assertEqual(same_verdict("X", (0.9, 1.1)), "same as X (0.90-1.10)")
        self.assertEqual(same_verdict("X", (1.05, 1.2)), "differs from X (1.05-1.20)")
        self.assertEqual(same_verdict("X", None), "")

    def test_interval_of_what_a_row_adds_over_another(self):
        used = {"baseline": [1000.0] * 3, "a": [1300.0] * 3, "b": [1200.0] * 3, "peer": [1050.0] * 3}
        self.assertEqual(ratio_interval(used, "a", "peer", random.Random(1), num_base="b"), (2.0, 2.0))
        self.assertEqual(ratio_interval(used, "a", "peer", random.Random(1)), (6.0, 6.0))
        self.assertIsNone(ratio_interval(used, "a", "peer", random.Random(1), num_base="gone"))

    def test_text(self):
        text = render_text(self.report())
        self.assertIn(WORKLOADS[SCHED], text)
        self.assertIn("ns/switch", text)
        self.assertIn("context switches per loop", text)
        self.assertIn("syscount -L --states adds +30.0 ns/switch over syscount -L (BPF +14.0: sched_switch +10.0, "
                      "sys_exit +4.0); libbpf-tools runqlat costs 60.0 (BPF 50.0): x 0.50 (90% interval ", text)
        self.assertIn("BPF x 0.28", text)
        self.assertNotIn("adds +1.0 ns/call", text)  # on the loop, where runqlat does not run: no such line
        self.assertIn("syscount -L --states vs syscount -L: +1.0 ns/call, overhead x 1.00", text)
        line = next(line for line in text.splitlines() if line.startswith("libbpf-tools runqlat  ") and "sched_" in line)
        self.assertRegex(line, r"^libbpf-tools runqlat +sched +70\.0 +50\.0 ")  # its per-program line: per switch
        self.assertIn("sched_switch 50.0 (40.0) x1.00  sched_wakeup 20.0 (10.0) x1.00", line)


class BenchFuncTest(unittest.TestCase):
    """scripts/bench_func.py: the guest's sample lines to the sysfunc table."""
    LOG = "\n".join([
        "qemu noise before the lines",
        "info kernel=6.1.0-57-amd64 cpus=2",
        "info calibrate_ns=1200.0 calls=250000",
        "sample round=1 row=floor ns_per_call=1000.0 cpu_share=1.000",
        "sample round=1 row=sysfunc ns_per_call=4000.0 ready_ms=1800.0 exit_ms=3400.0 maxrss_kb=22000 rc=0 mode=kprobe",
        "sample round=1 row=funclatency ns_per_call=5000.0 ready_ms=170.0 exit_ms=1500.0 maxrss_kb=2200 rc=0",
        "sample round=2 row=floor ns_per_call=1100.0",
        "sample round=2 row=sysfunc ns_per_call=5100.0 mode=kprobe",
        "sample round=2 row=funclatency ns_per_call=5100.0",
        "sample round=1 row=sysfunc_fentry error=no_ready sysfunc: cannot attach",
        "sample round=1 row=sysfunc_vfs ready_ms=2400.0 exit_ms=15000.0 maxrss_kb=22000 rc=0 probes=73 mode=kprobe",
        "sample round=1 row=bpftrace_vfs ready_ms=5000.0 exit_ms=12000.0 maxrss_kb=99000 rc=0 probes=71",
        "sample round=1 row=sysfunc_vfs_kprobe ready_ms=-1.0 exit_ms=100.0 maxrss_kb=1000 rc=1",
    ])

    def test_ratios_and_verdicts(self):
        import bench_func
        res = bench_func.results(*bench_func.parse(self.LOG))
        self.assertEqual(res["info"]["calls"], "250000")
        loop = res["loop"]
        self.assertEqual(loop["floor"]["median_ns"], 1050.0)
        # medians: sysfunc 4550 - 1050 = 3500, funclatency 5050 - 1050 = 4000
        self.assertAlmostEqual(loop["sysfunc"]["x_peer"], 3500 / 4000)
        self.assertEqual(loop["sysfunc"]["result"], "PASS")
        self.assertEqual(loop["sysfunc"]["mode"], "kprobe")
        # round by round: 3000/4000 and 4000/4000
        self.assertEqual(loop["sysfunc"]["x_peer_rounds"], [0.75, 1.0])
        self.assertEqual(loop["sysfunc_fentry"]["n"], 0)
        self.assertEqual(loop["sysfunc_fentry"]["result"], "-")
        attach = res["attach"]
        self.assertAlmostEqual(attach["sysfunc_vfs"]["x_peer"], 2400 / 5000)
        self.assertEqual(attach["sysfunc_vfs"]["result"], "PASS")
        self.assertEqual(attach["sysfunc_vfs"]["stop_ms"], 12600.0)
        self.assertEqual(attach["sysfunc_vfs_kprobe"]["n"], 0)  # never said it was attached
        text = bench_func.render(res)
        self.assertIn("no samples", text)
        self.assertIn("0.48", text)
