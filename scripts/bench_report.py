"""Turns raw samples into the results model (medians, overheads, ratios,
targets) and renders it as text tables or JSON. Knows nothing of processes."""
import json
import math
import random
import statistics

from bench_rows import BASELINE_KEY, FLOOR_KEY, GETPPID, PIPE


def median(samples):
    return statistics.median(samples) if samples else None


def iqr(samples):
    if len(samples) < 2:
        return 0.0
    q = statistics.quantiles(samples, n=4, method="inclusive")
    return q[2] - q[0]


def ratio(num, den):
    if num is None or den is None or den <= 0:
        return None
    return num / den


def target_text(row, peer_label):
    parts = []
    if row.floor_max is not None:
        parts.append(f"<= {row.floor_max:g}x {'floor' if row.floor == FLOOR_KEY else row.floor}")
    if row.peer_max is not None:
        parts.append(f"<= {row.peer_max:g}x {peer_label}")
    if row.cpu_max is not None:
        parts.append(f"< {row.cpu_max * 100:g}% of a core")
    return ", ".join(parts)


def evaluate(checks):
    """checks: [(name, interval (lo, hi) or None, limit or None)], each target being
    ratio <= limit. 'met' when every interval lies at or under its limit, 'NOT met'
    when one lies wholly above, else 'unclear'; the checks that are not met are
    named with their interval. '*' = a check could not be made."""
    wanted = [(name, ci, lim) for name, ci, lim in checks if lim is not None]
    done = [(name, ci, lim) for name, ci, lim in wanted if ci is not None]
    if not done:
        return "n/a" if wanted else ""
    failed = [(n, ci) for n, ci, lim in done if ci[0] > lim]
    unclear = [(n, ci) for n, ci, lim in done if ci[0] <= lim < ci[1]]
    verdict = "NOT met" if failed else ("unclear" if unclear else "met")
    detail = "; ".join(f"{n} {fmt_ci(ci)}" for n, ci in failed + unclear)
    star = "*" if len(done) < len(wanted) else ""
    return f"{verdict}{star} ({detail})" if detail else verdict + star


def fmt_ci(ci):
    hi = "inf" if math.isinf(ci[1]) else f"{ci[1]:.2f}"
    return f"{ci[0]:.2f}-{hi}"


BOOTSTRAP_RESAMPLES = 2000
CONFIDENCE = 0.90


def ratio_interval(used, key, ref_key, rng):
    """90 % bootstrap interval of overhead(key) / overhead(ref_key), resampling
    each row's rounds (the baseline resample shared by both overheads)."""
    row, ref, base = used.get(key), used.get(ref_key), used.get(BASELINE_KEY)
    if not (row and ref and base):
        return None
    ratios = []
    for _ in range(BOOTSTRAP_RESAMPLES):
        b = statistics.median(rng.choices(base, k=len(base)))
        den = statistics.median(rng.choices(ref, k=len(ref))) - b
        num = statistics.median(rng.choices(row, k=len(row))) - b
        ratios.append(num / den if den > 0 else math.inf)
    ratios.sort()
    tail = (1 - CONFIDENCE) / 2
    return (ratios[int(tail * len(ratios))], ratios[int((1 - tail) * len(ratios)) - 1])


MIN_CLEAN_SAMPLES = 3


def usable(pairs):
    """pairs: [(ns, clean)]. The clean samples when there are enough, else all."""
    clean = [ns for ns, ok in pairs if ok]
    return clean if len(clean) >= MIN_CLEAN_SAMPLES else [ns for ns, _ in pairs]


def workload_results(rows, samples, statuses, workload, with_targets):
    """One table: a dict per row that runs `workload`."""
    by_key = {row.key: row for row in rows}
    used = {row.key: usable(samples.get(row.key, {}).get(workload, [])) for row in rows}
    medians = {key: median(values) for key, values in used.items()}
    base = medians.get(BASELINE_KEY)

    def overhead(key):
        m = medians.get(key)
        return None if m is None or base is None else m - base

    floor = overhead(FLOOR_KEY)
    rng = random.Random(8)  # the same samples always give the same intervals
    out = []
    for row in rows:
        if workload not in row.workloads or row.kind == "poll":
            continue
        pairs = samples.get(row.key, {}).get(workload, [])
        runs = used[row.key]
        status = statuses.get(row.key) or ("ok" if runs else "not run")
        peer_row = by_key.get(row.peer)
        peer_label = peer_row.label if peer_row else (row.peer or "")
        ovh = overhead(row.key) if row.key != BASELINE_KEY else None
        x_floor = ratio(ovh, floor)
        x_own_floor = ratio(ovh, overhead(row.floor)) if row.floor != FLOOR_KEY else None
        x_peer = ratio(ovh, overhead(row.peer)) if row.peer else None
        checks = []
        if with_targets and status == "ok":
            floor_ci = ratio_interval(used, row.key, row.floor, rng) if row.floor_max else None
            peer_ci = ratio_interval(used, row.key, row.peer, rng) if row.peer_max else None
            checks = [(f"x {row.floor}", floor_ci, row.floor_max), ("x peer", peer_ci, row.peer_max)]
        out.append({
            "key": row.key, "label": row.label, "status": status,
            "samples_ns": [round(ns, 1) for ns, _ in pairs],
            "tainted_samples": sum(1 for _, ok in pairs if not ok),
            "tainted_in_median": len(runs) == len(pairs) and any(not ok for _, ok in pairs),
            "median_ns": medians[row.key], "iqr_ns": iqr(runs) if runs else None,
            "overhead_ns": ovh, "x_floor": x_floor, "floor": row.floor, "x_own_floor": x_own_floor,
            "peer": row.peer, "x_peer": x_peer,
            "target": target_text(row, peer_label) if with_targets else "",
            "intervals": {name: ci for name, ci, _ in checks if ci},
            "result": evaluate(checks) if status == "ok" else "",
            "note": row.note,
        })
    return out


def poll_results(rows, poll):
    out = []
    for row in rows:
        if row.kind != "poll":
            continue
        res = dict(poll.get(row.key, {"status": "not run"}))
        frac = res.get("cpu_fraction")
        res.update(key=row.key, label=row.label, target=target_text(row, ""),
                   result=evaluate([("cpu", (frac, frac), row.cpu_max)]) if frac is not None else "")
        out.append(res)
    return out


def fmt(value, spec, empty="-"):
    return empty if value is None else format(value, spec)


def shown_floor_ratio(r):
    """The ratio to the floor the row's target names (the clock floor for timed rows)."""
    own = r.get("x_own_floor")
    return own if own is not None else r["x_floor"]


def render_table(results, title):
    head = f"{'config':<44} {'ns/call':>9} {'overhead':>9} {'IQR':>7} {'x floor':>7} {'x peer':>6}  {'target (SPEC 8)':<40} result"
    lines = [title, head, "-" * len(head)]
    for r in results:
        if r["status"] != "ok":
            lines.append(f"{r['label']:<44} {r['status']}")
            continue
        label = ("! " if r.get("tainted_in_median") else "") + r["label"]
        lines.append(
            f"{label:<44} {fmt(r['median_ns'], '9.1f')} {fmt(r['overhead_ns'], '+9.1f', ' ' * 9)} "
            f"{fmt(r['iqr_ns'], '7.1f')} {fmt(shown_floor_ratio(r), '7.2f', ' ' * 7)} {fmt(r['x_peer'], '6.2f', ' ' * 6)}  "
            f"{r['target']:<40} {r['result']}".rstrip())
    return lines


def render_poll(results, seconds):
    lines = [f"Userspace polling cost over {seconds:g} s (utime+stime from /proc/PID/stat)",
             f"{'config':<44} {'cpu s':>7} {'% of a core':>11}  {'target':<20} result"]
    for r in results:
        if r["status"] != "ok":
            lines.append(f"{r['label']:<44} {r['status']}")
            continue
        extra = f"  ({r['scrapes_ok']} scrapes ok, {r['scrapes_failed']} failed)" if "scrapes_ok" in r else ""
        lines.append(f"{r['label']:<44} {r['cpu_s']:7.2f} {r['cpu_fraction'] * 100:10.2f}%  "
                     f"{r['target']:<20} {r['result']}{extra}")
    return lines


def render_text(report):
    m, s = report["machine"], report["settings"]
    lines = [
        f"syslat overhead benchmark, {report['date']}  (syslat {report['source']})",
        f"machine: {m['cpu_model']}, {m['cpus']} CPUs, kernel {m['kernel']}, clocksource {m['clocksource']}",
        f"         mitigations: {m['mitigations']}",
        f"method: {s['rounds']} interleaved rounds (shuffled order; baseline and floor twice a round), median per "
        f"config; tools on CPU {s['tool_cpu']}, "
        f"workload on CPU {s['loop_cpu']}",
        f"        getppid loop: median of {s['procs']} processes x {s['calls']:,} calls per sample "
        f"(strace/perf trace/systrace -c: 1 x {s['slow_calls']:,}); "
        f"pipe_mix {s['pipe_calls']:,} calls per thread, CPUs {s['pipe_cpus']}",
        "        overhead = median ns/call - median baseline; x floor = overhead / overhead of the empty "
        "tp_btf pair (timed rows: of the clock floor, as their target says); x peer = overhead / the peer's "
        "(named in target)",
        f"        result: met / NOT met when the {CONFIDENCE:.0%} bootstrap interval of the ratio (shown) lies "
        "under / over the limit, unclear when it straddles it",
        "",
    ]
    lines += render_table(report["getppid"], "Workload 1: getppid loop, one CPU")
    lines += [""]
    lines += render_table(report["pipe"], "Workload 2: pipe_mix, 2 threads (one per CPU), each 64-byte write+read "
                                          "on its own pipe; ns per call per thread; information, no SPEC targets")
    if report["poll"]:
        lines += [""] + render_poll(report["poll"], s["poll_seconds"])
    notes = report["warnings"]
    if any(r.get("tainted_samples") for r in report["getppid"] + report["pipe"]):
        notes = notes + [f"tainted samples are left out of a row's median when it has {MIN_CLEAN_SAMPLES} clean "
                         "ones; rows marked '!' had too few and use them all (see --json for every sample)"]
    if any("*" in r["result"] for r in report["getppid"]):
        notes = notes + ["*: a comparison in the target could not be made (its peer row was not measured)"]
    if notes:
        lines += ["", "Notes:"] + [f"  - {w}" for w in notes]
    lines += ["", f"total run time {report['elapsed_s']:.0f} s"]
    return "\n".join(lines)


def render_json(report):
    return json.dumps(report, indent=1)
