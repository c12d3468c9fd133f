"""The rows of the overhead benchmark (docs/performance.md "Targets"), one line each.

Adding, enabling or retargeting a configuration is a one-line change here.

Placeholders in `cmd`:
  {build}      our build dir (--build), where syscount, syslat, ... live
  {bench}      {build}/bench, where the workloads and floor_loader live
  {other_pid}  a sleeping process started by the harness (the "-p OTHER" case)
  {port}       a free TCP port (syslatd)
  {server_pid} the redis-server of the redis workload (strace -p)
  {loop}       the workload command line (only in "wrap" rows, which launch it)

Workloads (WORKLOADS below): a row runs each of its `workloads` while it is
attached; each workload is a table of its own.

Kinds:
  baseline  nothing attached
  attach    start the tool, wait for its ready line (`ready`, a regex searched
            in its stdout+stderr; None = wait `settle_s` seconds), run the
            workloads, stop it with SIGINT (`tty`: on a pseudo-terminal, as a
            dashboard needs, and stopped with its `q` key)
  wrap      the tool launches the workload itself (strace -c -- CMD)
  poll      CPU time of the tool's own process over the polling window
            (`poll`: "http" scrapes /metrics every second, "pty" gives it a
            terminal, as a dashboard needs)

Targets: overhead <= floor_max x the overhead of row `floor` (the empty
tp_btf pair by default; timed rows use the pair that only reads the clock,
docs/performance.md), and <= peer_max x the overhead of row `peer` (peer without
peer_max: ratio shown for information), checked on the workloads in
`checked_on` (the getppid loop, the reference workload, unless said). A
row with `peer_over` is held to its peer by what it adds over that row (the
difference of their medians / the peer's overhead: what the split of timed
mode adds per switch against runqlat's whole cost). A row with `same_as`
should cost what that row costs on the workloads in `same_on`: "unchanged"
when the 90 % interval of the ratio of their overheads holds 1.
`ours` rows print "not built yet" while the binary is missing or the
subcommand says it is not implemented.
"""
from dataclasses import dataclass
from typing import Optional, Tuple

GETPPID = "getppid"
PIPE = "pipe"
PAIR = "pair"
PAIR_ONE_CPU = "pair1"
PATH = "path"
REDIS = "redis"
SCHED = "sched"

# Workload key -> title of its table, in the order the tables are printed.
WORKLOADS = {
    GETPPID: "Workload 1: getppid loop, one CPU",
    PIPE: "Workload 2: pipe_mix, 2 threads (one per CPU), each 64-byte write+read on its own pipe; "
          "ns per call per thread; information, no targets",
    PAIR: "Workload 3: getppid on 2 CPUs, 2 threads of one process (pipe_mix -m getppid); ns per call per "
          "thread; -P rows share one hash entry per (process, syscall) between the CPUs",
    PAIR_ONE_CPU: "Workload 3b: the same pair with both threads on one CPU (by turns; ns per call per thread, so "
                  "~2x): workload 3's control, where the threads never update a shared entry at the same time",
    PATH: "Workload 4: path_block, 2 threads on one CPU taking turns: openat+close+newfstatat on a path, "
          "then a pipe write and a read that blocks; ns per call",
    REDIS: "Workload 5: redis-server (workload CPU) and redis-benchmark (tools' CPU), SET and GET, no pipelining; "
           "what users feel: throughput loss against nothing attached",
    SCHED: "Workload 6: perf bench sched pipe, its 2 processes on one CPU passing a token through 2 pipes; ns per "
           "context switch (perf's elapsed time / the switches its processes made); a program on sched_switch runs "
           "at each",
}

# Workloads whose samples are ns per request of a server: their table shows
# requests/s and the throughput loss, held to the promise below.
THROUGHPUT = (REDIS,)
# "eBPF should add < 5 %": the throughput an application loses while one of
# our BPF tools is attached, on the redis workload.
LOSS_MAX = 0.05
# Workloads whose samples are ns per context switch: their BPF statistics are
# per run of a sched_switch program (bench_bpfstats.SWITCH_TRACEPOINT), and
# their table says ns/switch.
PER_SWITCH = (SCHED,)

READY_TRACING = r"(?m)^Tracing"


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    kind: str
    cmd: str = ""
    ready: Optional[str] = READY_TRACING
    settle_s: float = 2.0
    slow: bool = False                       # small loop size (ptrace-based tools)
    workloads: Tuple[str, ...] = (GETPPID,)
    floor_max: Optional[float] = None
    floor: str = "floor"                     # the row floor_max refers to
    peer: Optional[str] = None
    peer_max: Optional[float] = None
    ours: bool = False
    poll: Optional[str] = None
    cpu_max: Optional[float] = None          # poll rows: fraction of one core
    per_round: int = 1                       # samples per round (every ratio leans on baseline and floor)
    note: str = ""
    tty: bool = False                        # attach rows: run on a pseudo-terminal (a dashboard)
    checked_on: Tuple[str, ...] = (GETPPID,)  # workloads whose table checks the targets
    peer_over: Optional[str] = None          # x peer = the overhead over this row (what the row adds to it) / the peer's
    same_as: Optional[str] = None            # its overhead should equal this row's on `same_on` (the interval holds 1)
    same_on: Tuple[str, ...] = (GETPPID,)


B = (GETPPID, PIPE)  # rows that also run the two-thread pipe workload
ALL = (GETPPID, PIPE, PAIR, PAIR_ONE_CPU, PATH, REDIS, SCHED)
PAIRS = (PAIR, PAIR_ONE_CPU)
READY_TOP = r"calls/s"  # syslat-top's summary line: drawn once its programs are attached
READY_SERVE = r"serving http"
READY_STRACE = r"(?m)^strace: Process \d+ attached"

ROWS = [
    Row("baseline", "baseline (nothing attached)", "baseline", workloads=ALL, per_round=2),
    Row("floor", "floor: empty tp_btf enter+exit", "attach", "{bench}/bench_floor_loader --btf", workloads=ALL, per_round=2),
    Row("floor_classic", "floor: empty tracepoint enter+exit", "attach", "{bench}/bench_floor_loader --classic"),
    Row("floor_raw", "floor: empty raw_tp enter+exit", "attach", "{bench}/bench_floor_loader --raw"),
    Row("floor_exit", "one empty tp_btf sys_exit", "attach", "{bench}/bench_floor_loader --btf --exit-only"),
    Row("floor_clock", "clock floor: tp_btf pair, one ktime read each", "attach", "{bench}/bench_floor_loader --clock",
        workloads=(GETPPID, PATH), per_round=2),
    Row("floor_switch", "clock floor + empty tp_btf sched_switch", "attach",
        "{bench}/bench_floor_loader --clock --switch", workloads=(PATH, SCHED),
        note="the least a timed tool that follows switched-out calls pays"),
    Row("syscount", "syscount", "attach", "{build}/syscount", workloads=(GETPPID, PIPE) + PAIRS + (REDIS,), floor_max=0.85,
        peer="bcc_syscount", peer_max=0.55, ours=True),
    Row("syscount_L", "syscount -L", "attach", "{build}/syscount -L", workloads=ALL, floor_max=1.15, floor="floor_clock",
        peer="bcc_syscount_L", peer_max=0.6, ours=True),
    Row("syscount_L_states", "syscount -L --states", "attach", "{build}/syscount -L --states", workloads=(GETPPID, SCHED),
        floor="floor_clock", peer="runqlat", peer_max=1.0, peer_over="syscount_L", ours=True, checked_on=(SCHED,),
        same_as="syscount_L",
        note="timed mode with the split (on CPU/runqueue/I/O/sleep) vs without (syscount -L): the same on calls "
             "never switched out (getppid); what the split adds per switch (sched) against runqlat's cost"),
    Row("syslat", "syslat", "attach", "{build}/syslat", workloads=(GETPPID, SCHED), floor_max=1.15, floor="floor_clock",
        peer="bcc_syscount_L", peer_max=0.6, ours=True, same_as="syscount_L",
        note="the split always on: the same per call as syscount -L where calls are never switched out"),
    Row("syslat_stacks", "syslat --stacks", "attach", "{build}/syslat --stacks --format folded -o /dev/null",
        floor="floor_clock", peer="syslat", peer_max=1.5, ours=True,
        note="1 call in 64 (the default --stack-sample) also walks its user stack (frame pointers, "
             "bpf_get_stackid) into a per-(process, stack, syscall) row; the others pay a per-CPU countdown"),
    Row("syslat_stacks_exact", "syslat --stacks --stack-sample 1", "attach",
        "{build}/syslat --stacks --stack-sample 1 --format folded -o /dev/null",
        floor="floor_clock", peer="syslat", ours=True,
        note="information: every call walks its user stack, exact per stack; the loop's one stack is unwound "
             "from .eh_frame once"),
    Row("syscount_P", "syscount -P", "attach", "{build}/syscount -P", workloads=(GETPPID,) + PAIRS, peer="syscount", ours=True,
        note="per-process counters vs the same counting without them"),
    Row("syscount_LP", "syscount -L -P", "attach", "{build}/syscount -L -P", workloads=(GETPPID,) + PAIRS, floor_max=2.5,
        peer="syscount_L", ours=True),
    Row("syscount_Lp", "syscount -L -p OTHER (filtered out)", "attach", "{build}/syscount -L -p {other_pid}", floor_max=1.1, ours=True),
    Row("syscount_p", "syscount -p OTHER (filtered out)", "attach", "{build}/syscount -p {other_pid}", ours=True, note="information"),
    Row("sysslow", "sysslow --threshold 1s", "attach", "{build}/sysslow --threshold 1s", workloads=(GETPPID, PATH),
        peer="syscount_L", peer_max=1.10, ours=True, checked_on=(GETPPID, PATH),
        note="the slow path vs the same timing without it (syscount -L); on path_block the path copy and the "
             "parking of the detail at every switch run"),
    Row("sysslow_10ms", "sysslow --threshold 10ms", "attach", "{build}/sysslow --threshold 10ms", workloads=(REDIS,),
        peer="syscount_L", ours=True, note="as it would be left running: the machine's calls over 10 ms are printed"),
    Row("syslatd_attached", "syslatd (attached, not scraped)", "attach", "{build}/syslatd --listen 127.0.0.1:{port}",
        ready=READY_SERVE, workloads=(GETPPID, REDIS), floor="floor_clock", peer="syslat", ours=True,
        note="what the daemon's programs cost each call (timed + per-syscall slow counters)"),
    Row("syslat_top_attached", "syslat-top (attached, 10 Hz)", "attach", "{build}/syslat-top -i 0.1", ready=READY_TOP,
        tty=True, workloads=(GETPPID, PATH), floor="floor_clock", peer="syslat", ours=True,
        note="what the dashboard's programs cost each call (timed + slow events)"),
    Row("runqlat", "libbpf-tools runqlat", "attach", "/usr/sbin/runqlat", workloads=(SCHED,),
        note="the anchor for a sched_switch program: sched_switch + sched_wakeup(_new), a histogram of runqueue "
             "latency; runs until SIGINT"),
    Row("bcc_syscount", "libbpf-tools syscount", "attach", "/usr/sbin/syscount", workloads=B + (REDIS,)),
    Row("bcc_syscount_L", "libbpf-tools syscount -L", "attach", "/usr/sbin/syscount -L", workloads=B + (REDIS,)),
    Row("perf_trace", "perf trace -s", "wrap", "perf trace -s -- {loop}", slow=True),
    Row("strace_c", "strace -c -f", "wrap", "strace -c -f -- {loop}", slow=True,
        note="tracer and tracee CPU per traced call reported too"),
    Row("systrace_c", "systrace -c", "wrap", "{build}/systrace -c -- {loop}", slow=True, peer="strace_c", peer_max=0.7, ours=True,
        note="tracer and tracee CPU per traced call reported too, the tracer's beside strace's"),
    Row("strace_p", "strace -f -c -p SERVER", "attach", "strace -f -c -p {server_pid}", ready=READY_STRACE,
        workloads=(REDIS,), slow=True, note="ptrace attached to the running redis-server, every thread"),
    Row("strace_openat", "strace -f -c -e trace=openat --seccomp-bpf", "wrap",
        "strace -f -c -e trace=openat --seccomp-bpf -- {loop}"),
    Row("systrace_openat", "systrace -c -e trace=openat", "wrap", "{build}/systrace -c -e trace=openat -- {loop}",
        peer="strace_openat", peer_max=1.0, ours=True),
    Row("syslatd", "syslatd (1 s scrape)", "poll", "{build}/syslatd --listen 127.0.0.1:{port}", poll="http", cpu_max=0.01, ours=True),
    Row("syslat_top", "syslat-top (10 Hz)", "poll", "{build}/syslat-top -i 0.1", poll="pty", cpu_max=0.01, ours=True),
]

FLOOR_KEY = "floor"
BASELINE_KEY = "baseline"
