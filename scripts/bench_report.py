"""Turns raw samples into the results model (medians, overheads, ratios,
targets) and renders it as text tables or JSON. Knows nothing of processes."""
import json
import math
import random
import statistics

from bench_bpfstats import empty_program_ns, summarize
from bench_rows import BASELINE_KEY, FLOOR_KEY, GETPPID, LOSS_MAX, PER_SWITCH, THROUGHPUT, WORKLOADS


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


def target_text(row, peer_label, checked=True, same_label=None, over_label=None):
    """The targets of a row on a workload: its limits where it is `checked`,
    and "= X" where its overhead should equal row X's (`same_label`)."""
    parts = []
    if checked and row.floor_max is not None:
        parts.append(f"<= {row.floor_max:g}x {'floor' if row.floor == FLOOR_KEY else row.floor}")
    if checked and row.peer_max is not None:
        over = f" over {over_label or row.peer_over}" if row.peer_over else ""
        parts.append(f"<= {row.peer_max:g}x {peer_label}{over}")
    if checked and row.cpu_max is not None:
        parts.append(f"< {row.cpu_max * 100:g}% of a core")
    if same_label:
        parts.append(f"= {same_label}")
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


def same_verdict(label, ci):
    """'same as X' when the interval of the ratio of the overheads holds 1,
    else 'differs from X'; with the interval. '' without one."""
    if ci is None:
        return ""
    return f"{'same as' if ci[0] <= 1.0 <= ci[1] else 'differs from'} {label} ({fmt_ci(ci)})"


def fmt_ci(ci):
    hi = "inf" if math.isinf(ci[1]) else f"{ci[1]:.2f}"
    return f"{ci[0]:.2f}-{hi}"


BOOTSTRAP_RESAMPLES = 2000
CONFIDENCE = 0.90


def ratio_interval(used, key, ref_key, rng, num_base=BASELINE_KEY):
    """90 % bootstrap interval of overhead(key) / overhead(ref_key), resampling
    each row's rounds (the baseline resample shared by both overheads). With
    `num_base`, the numerator is key's median over that row's instead (what
    key adds to it), resampled on its own."""
    row, ref, base = used.get(key), used.get(ref_key), used.get(BASELINE_KEY)
    over = used.get(num_base)
    if not (row and ref and base and over):
        return None
    ratios = []
    for _ in range(BOOTSTRAP_RESAMPLES):
        b = statistics.median(rng.choices(base, k=len(base)))
        den = statistics.median(rng.choices(ref, k=len(ref))) - b
        o = b if num_base == BASELINE_KEY else statistics.median(rng.choices(over, k=len(over)))
        num = statistics.median(rng.choices(row, k=len(row))) - o
        ratios.append(num / den if den > 0 else math.inf)
    ratios.sort()
    tail = (1 - CONFIDENCE) / 2
    return (ratios[int(tail * len(ratios))], ratios[int((1 - tail) * len(ratios)) - 1])


def loss(base_ns, ns):
    """Throughput lost against the baseline, as a fraction: 1 - requests/s over
    the baseline's, from ns per request (requests/s = 1e9 / ns)."""
    if base_ns is None or ns is None or ns <= 0:
        return None
    return 1.0 - base_ns / ns


def per_round(pairs, per_round_count):
    """{round: median ns of the row's usable samples in that round}. The
    harness records a row's samples round by round, `per_round_count` of them
    a round (a row that fails once is not run again), so sample i is of round
    i // per_round_count; the usable ones as usable() picks them."""
    rounds = {}
    for i, ns in usable_indexed(pairs):
        rounds.setdefault(i // per_round_count, []).append(ns)
    return {r: statistics.median(v) for r, v in rounds.items()}


def round_losses(row_rounds, base_rounds):
    """{round: loss of the row against the same round's baseline}: a slow
    drift of the machine (someone's load coming and going, a tracer of
    theirs attached for minutes) moves both alike and cancels."""
    return {r: loss(base_rounds[r], ns) for r, ns in row_rounds.items() if r in base_rounds}


def loss_intervals(losses, floor_losses, rng):
    """90 % bootstrap intervals of a row's loss (the median of its per-round
    losses) and of that loss over the floor's, resampling the rounds (the
    same rounds for the row and the floor). (None, None) without rounds; the
    ratio's interval is None without the floor's."""
    if not losses:
        return None, None
    rounds = sorted(losses)
    common = [r for r in rounds if r in (floor_losses or {})]
    tail = (1 - CONFIDENCE) / 2
    lo_i, hi_i = int(tail * BOOTSTRAP_RESAMPLES), int((1 - tail) * BOOTSTRAP_RESAMPLES) - 1
    boot = sorted(statistics.median(losses[r] for r in rng.choices(rounds, k=len(rounds)))
                  for _ in range(BOOTSTRAP_RESAMPLES))
    ratio_ci = None
    if common:
        ratios = []
        for _ in range(BOOTSTRAP_RESAMPLES):
            pick = rng.choices(common, k=len(common))
            floor_lost = statistics.median(floor_losses[r] for r in pick)
            lost = statistics.median(losses[r] for r in pick)
            ratios.append(lost / floor_lost if floor_lost > 0 else math.inf)
        ratios.sort()
        ratio_ci = (ratios[lo_i], ratios[hi_i])
    return (boot[lo_i], boot[hi_i]), ratio_ci


def loss_verdict(ci, limit):
    """'met' when the loss's interval lies under the limit, 'NOT met' when
    wholly over, else 'unclear'; with the interval in %."""
    if ci is None:
        return "n/a"
    verdict = "met" if ci[1] < limit else ("NOT met" if ci[0] >= limit else "unclear")
    return f"{verdict} (loss {ci[0] * 100:.1f}-{ci[1] * 100:.1f}%)"


def throughput_fields(row, used, medians, field_samples, rng, rounds):
    """The columns of a throughput workload's table (redis): requests/s,
    each test's, the loss against the baseline (the median of the rounds'
    losses, each against its own round's baseline) and its interval, the
    loss over the floor's, and the promise (our attached tools: < LOSS_MAX).
    rounds: {row key: {round: median ns}}."""
    m = medians.get(row.key)
    out = {"rps": 1e9 / m if m else None,
           "get_rps": median_field(field_samples, "get_rps"), "set_rps": median_field(field_samples, "set_rps"),
           "client_cpu_share": median_field(field_samples, "client_cpu_share"),
           "server_cpu_share": median_field(field_samples, "server_cpu_share"),
           "server_cpu_ns_per_request": median_field(field_samples, "server_cpu_ns_per_request"),
           "iqr_pct": (iqr(used[row.key]) / m * 100) if m and used.get(row.key) else None,
           "loss": None, "loss_interval": None, "x_floor_loss": None, "x_floor_loss_interval": None,
           "round_losses": None, "loss_target": "", "loss_result": ""}
    base = rounds.get(BASELINE_KEY, {})
    losses = round_losses(rounds.get(row.key, {}), base)
    if row.key == BASELINE_KEY or not losses:
        return out
    floor_losses = round_losses(rounds.get(FLOOR_KEY, {}), base)
    lost = statistics.median(losses.values())
    floor_lost = statistics.median(floor_losses.values()) if floor_losses else None
    loss_ci, ratio_ci = loss_intervals(losses, floor_losses, rng)
    out.update(loss=lost, loss_interval=loss_ci, round_losses=[round(losses[r], 4) for r in sorted(losses)],
               x_floor_loss=lost / floor_lost if floor_lost and floor_lost > 0 else None,
               x_floor_loss_interval=ratio_ci if row.key != FLOOR_KEY else None)
    if row.ours:
        out.update(loss_target=f"< {LOSS_MAX * 100:g}% loss", loss_result=loss_verdict(loss_ci, LOSS_MAX))
    return out


MIN_CLEAN_SAMPLES = 3


def usable_indexed(pairs):
    """pairs: [(ns, clean)]. [(index, ns)] of the clean samples when there are
    enough, else of all."""
    clean = [(i, ns) for i, (ns, ok) in enumerate(pairs) if ok]
    return clean if len(clean) >= MIN_CLEAN_SAMPLES else [(i, ns) for i, (ns, _) in enumerate(pairs)]


def usable(pairs):
    """The ns of usable_indexed(pairs)."""
    return [ns for _, ns in usable_indexed(pairs)]


def median_field(field_samples, name):
    values = [f[name] for f in field_samples if f and name in f]
    return median(values)


def workload_results(rows, samples, statuses, workload, fields=None, bpf=None):
    """One table: a dict per row that runs `workload`. Targets are checked
    where the row says (its `checked_on` workloads); `fields` are the
    workloads' own numbers per sample, `bpf` what bpf_results made."""
    fields = fields or {}
    bpf_rows = (bpf or {}).get("rows", {})
    by_key = {row.key: row for row in rows}
    used = {row.key: usable(samples.get(row.key, {}).get(workload, [])) for row in rows}
    medians = {key: median(values) for key, values in used.items()}
    base = medians.get(BASELINE_KEY)

    def overhead(key):
        m = medians.get(key)
        return None if m is None or base is None else m - base

    floor = overhead(FLOOR_KEY)
    rng = random.Random(8)  # the same samples always give the same intervals
    rounds = {row.key: per_round(samples.get(row.key, {}).get(workload, []), row.per_round) for row in rows} \
        if workload in THROUGHPUT else {}
    bpf_of = bpf_cost(bpf_rows, workload)
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
        added = ovh if not row.peer_over else difference(medians, row.key, row.peer_over)
        x_peer = ratio(added, overhead(row.peer)) if row.peer else None
        checks = []
        with_targets = workload in row.checked_on
        if with_targets and status == "ok":
            floor_ci = ratio_interval(used, row.key, row.floor, rng) if row.floor_max else None
            peer_ci = ratio_interval(used, row.key, row.peer, rng, num_base=row.peer_over or BASELINE_KEY) \
                if row.peer_max else None
            checks = [(f"x {row.floor}", floor_ci, row.floor_max), ("x peer", peer_ci, row.peer_max)]
        same = row.same_as if row.same_as and workload in row.same_on else None
        same_label = label_of(by_key, same)
        same_ci = ratio_interval(used, row.key, same, rng) if same and status == "ok" else None
        result = evaluate(checks) if status == "ok" else ""
        if same_ci:
            result = "; ".join(filter(None, (result, same_verdict(same_label, same_ci))))
        out.append({
            "key": row.key, "label": row.label, "status": status,
            "samples_ns": [round(ns, 1) for ns, _ in pairs],
            "tainted_samples": sum(1 for _, ok in pairs if not ok),
            "tainted_in_median": len(runs) == len(pairs) and any(not ok for _, ok in pairs),
            "median_ns": medians[row.key], "iqr_ns": iqr(runs) if runs else None,
            "overhead_ns": ovh, "x_floor": x_floor, "floor": row.floor, "x_own_floor": x_own_floor,
            "peer": row.peer, "x_peer": x_peer,
            "target": target_text(row, peer_label, with_targets, same_label, label_of(by_key, row.peer_over))
            if with_targets or same else "",
            "intervals": {name: ci for name, ci, _ in checks if ci},
            "result": result,
            "note": row.note,
            "switches_per_call": median_field(fields.get(row.key, {}).get(workload, []), "switches_per_call"),
            "switches_per_loop": median_field(fields.get(row.key, {}).get(workload, []), "switches_per_loop"),
            "bpf_ns_per_call": bpf_of(row.key),
            "calls_per_request": (bpf_rows.get(row.key, {}).get(workload) or {}).get("calls_per_request"),
        })
        row_bpf = bpf_rows.get(row.key, {}).get(workload)
        if row.peer_over and row.peer and with_targets:
            # What the row adds over peer_over, beside the peer's whole cost: wall clock and BPF statistics.
            parts = bpf_added_parts(row_bpf, bpf_rows.get(row.peer_over, {}).get(workload))
            bpf_added = None if parts is None else sum(parts.values())
            out[-1].update(over=row.peer_over, over_label=label_of(by_key, row.peer_over), added_ns=added,
                           peer_label=peer_label, peer_overhead_ns=overhead(row.peer), bpf_added_ns=bpf_added,
                           bpf_added_by_program=parts,
                           bpf_peer_ns=bpf_of(row.peer), bpf_x_peer=ratio(bpf_added, bpf_of(row.peer)))
        if same:
            out[-1].update(same_as=same, same_label=same_label, same_x=ratio(ovh, overhead(same)),
                           same_interval=same_ci, same_diff_ns=difference(medians, row.key, same),
                           bpf_same_diff_ns=bpf_added_ns(row_bpf, bpf_rows.get(same, {}).get(workload)))
        if workload in THROUGHPUT:
            out[-1].update(throughput_fields(row, used, medians, fields.get(row.key, {}).get(workload, []), rng,
                                             rounds))
    return out


def difference(values, key, other):
    """values[key] - values[other], None when either is missing."""
    a, b = values.get(key), values.get(other)
    return None if a is None or b is None else a - b


def bpf_added_parts(summary, other):
    """{program: BPF ns per call (per switch)} a row's programs add over
    another row's, at the row's own runs per call: the difference of their
    calibrated ns per run times the row's runs of it per call (a program
    only one of them has counts whole). The runs per call of the syscall
    programs are machine-wide (other tasks' calls); holding them the same
    for both keeps that noise out of the difference. None without both."""
    if not summary or not other:
        return None

    def per_run(p):
        return p["calibrated_ns_per_run"] if p["calibrated_ns_per_run"] is not None else p["ns_per_run"]

    mine, theirs = summary["programs"], other["programs"]
    parts = {tp: (per_run(p) - (per_run(theirs[tp]) if tp in theirs else 0.0)) * p["runs_per_call"]
             for tp, p in mine.items()}
    parts.update({tp: -per_run(p) * p["runs_per_call"] for tp, p in theirs.items() if tp not in mine})
    return parts


def bpf_added_ns(summary, other):
    """The sum of bpf_added_parts(), or None."""
    parts = bpf_added_parts(summary, other)
    return None if parts is None else sum(parts.values())


def label_of(by_key, key):
    row = by_key.get(key)
    return row.label if row else key


def bpf_cost(bpf_rows, workload):
    """key -> the row's calibrated BPF ns per call (per switch) on `workload`, or None."""
    return lambda key: (bpf_rows.get(key, {}).get(workload) or {}).get("calibrated_ns_per_call")


def bpf_results(rows, bpf_samples, floor_key):
    """Per row and workload, the BPF statistics' medians (see bench_bpfstats.summarize),
    calibrated by the floor row's empty programs."""
    empty = empty_program_ns([s for per_w in bpf_samples.get(floor_key, {}).values() for s in per_w])
    out = {"empty_ns_per_run": empty, "rows": {}}
    for row in rows:
        for workload, per_round in bpf_samples.get(row.key, {}).items():
            summary = summarize(per_round, empty)
            if summary:
                out["rows"].setdefault(row.key, {})[workload] = summary
    return out


def tracer_results(rows, samples, statuses, tracer):
    """Rows that launch the loop under a tracer: the tracer's CPU time per
    traced call beside the loop's own, medians over rounds."""
    out = []
    for row in rows:
        if row.kind != "wrap":
            continue
        pairs = tracer.get(row.key, [])
        wall = median([ns for ns, _ in samples.get(row.key, {}).get(GETPPID, [])])
        status = statuses.get(row.key) or ("ok" if pairs else "not run" if wall is None else
                                           "no tracer CPU: the tool did not reap the loop it launched")
        out.append({"key": row.key, "label": row.label, "status": status,
                    "wall_ns_per_call": wall, "peer": row.peer,
                    "tracer_cpu_ns_per_call": median([t for t, _ in pairs]),
                    "tracee_cpu_ns_per_call": median([e for _, e in pairs]),
                    "tracer_samples_ns": [round(t, 1) for t, _ in pairs]})
    by_key = {r["key"]: r for r in out}
    for r in out:
        peer = by_key.get(r["peer"]) if r["peer"] else None
        r["tracer_x_peer"] = ratio(r["tracer_cpu_ns_per_call"], peer["tracer_cpu_ns_per_call"]) if peer else None
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


def table_lines(results, title, head, row_line):
    """Title, header and rule, then one line per row: its status when it did
    not run, else row_line(row, label), the label marked '!' when its median
    leans on tainted samples."""
    lines = [title, head, "-" * len(head)]
    for r in results:
        if r["status"] != "ok":
            lines.append(f"{r['label']:<44} {r['status']}")
        else:
            lines.append(row_line(r, ("! " if r.get("tainted_in_median") else "") + r["label"]))
    return lines


def render_table(results, title, unit="call"):
    head = (f"{'config':<44} {'ns/' + unit:>9} {'overhead':>9} {'IQR':>7} {'x floor':>7} {'x peer':>6} {'bpf ns':>6}  "
            f"{'target':<40} result")

    def row_line(r, label):
        return (
            f"{label:<44} {fmt(r['median_ns'], '9.1f')} {fmt(r['overhead_ns'], '+9.1f', ' ' * 9)} "
            f"{fmt(r['iqr_ns'], '7.1f')} {fmt(shown_floor_ratio(r), '7.2f', ' ' * 7)} {fmt(r['x_peer'], '6.2f', ' ' * 6)} "
            f"{fmt(r.get('bpf_ns_per_call'), '6.1f', ' ' * 6)}  "
            f"{r['target']:<40} {r['result']}".rstrip())

    lines = table_lines(results, title, head, row_line)
    switches = [f"{r['label']} {r['switches_per_call']:.3f}" for r in results if r.get("switches_per_call") is not None]
    if switches:
        lines.append("context switches per call (the workload's getrusage, median): " + "; ".join(switches))
    per_loop = [f"{r['label']} {r['switches_per_loop']:.3f}" for r in results if r.get("switches_per_loop") is not None]
    if per_loop:
        lines.append("context switches per loop (perf's rusage: ru_nvcsw + ru_nivcsw of perf and the process it forks, "
                     "median): " + "; ".join(per_loop))
    return lines + comparison_lines(results, unit)


def comparison_lines(results, unit):
    """Under a table: what a row adds over another (peer_over) beside its
    peer's whole cost, and rows that should cost what another does (same_as),
    in wall-clock and BPF statistics ns."""
    lines = []
    for r in results:
        if r["status"] != "ok":
            continue
        if r.get("over"):
            ci = r["intervals"].get("x peer")
            parts = r.get("bpf_added_by_program") or {}
            shown = ", ".join(f"{tp} {ns:+.1f}" for tp, ns in sorted(parts.items(), key=lambda kv: -abs(kv[1]))
                              if abs(ns) >= 0.05)
            lines.append(
                f"{r['label']} adds {fmt(r['added_ns'], '+.1f')} ns/{unit} over {r['over_label']} "
                f"(BPF {fmt(r['bpf_added_ns'], '+.1f')}{f': {shown}' if shown else ''}); "
                f"{r['peer_label']} costs {fmt(r['peer_overhead_ns'], '.1f')} "
                f"(BPF {fmt(r['bpf_peer_ns'], '.1f')}): x {fmt(r['x_peer'], '.2f')}"
                f"{f' (90% interval {fmt_ci(ci)})' if ci else ''}, BPF x {fmt(r['bpf_x_peer'], '.2f')}")
        if r.get("same_as"):
            ci = r.get("same_interval")
            lines.append(
                f"{r['label']} vs {r['same_label']}: {fmt(r['same_diff_ns'], '+.1f')} ns/{unit}, overhead "
                f"x {fmt(r['same_x'], '.2f')}{f' (90% interval {fmt_ci(ci)})' if ci else ''}, "
                f"BPF {fmt(r['bpf_same_diff_ns'], '+.1f')} ns/{unit}")
    return lines


def fmt_pct_ci(ci):
    if ci is None:
        return "-"
    hi = "inf" if math.isinf(ci[1]) else f"{ci[1] * 100:.1f}"
    return f"{ci[0] * 100:.1f} to {hi}"


def render_throughput(results, title):
    """A server workload's table (redis): requests/s and the throughput loss."""
    head = (f"{'config':<44} {'req/s':>8} {'GET/s':>8} {'SET/s':>8} {'ns/req':>8} {'IQR%':>5} {'srv ns':>6} {'loss%':>6} "
            f"{'loss% 90% int.':>15} {'x floor':>7} {'bpf ns':>6} {'calls/req':>9}  {'target':<13} result")

    def row_line(r, label):
        lost = None if r.get("loss") is None else r["loss"] * 100
        return (
            f"{label:<44} {fmt(r.get('rps'), '8.0f')} {fmt(r.get('get_rps'), '8.0f')} {fmt(r.get('set_rps'), '8.0f')} "
            f"{fmt(r['median_ns'], '8.0f')} {fmt(r.get('iqr_pct'), '5.1f')} "
            f"{fmt(r.get('server_cpu_ns_per_request'), '6.0f')} {fmt(lost, '6.1f', ' ' * 6)} "
            f"{fmt_pct_ci(r.get('loss_interval')) if lost is not None else '':>15} "
            f"{fmt(r.get('x_floor_loss'), '7.2f', ' ' * 7)} {fmt(r.get('bpf_ns_per_call'), '6.1f', ' ' * 6)} "
            f"{fmt(r.get('calls_per_request'), '9.1f', ' ' * 9)}  {r.get('loss_target', ''):<13} "
            f"{r.get('loss_result', '')}".rstrip())

    lines = table_lines(results, title, head, row_line)
    by_key = {r["key"]: r for r in results if r["status"] == "ok"}
    base, floor = by_key.get(BASELINE_KEY), by_key.get(FLOOR_KEY)
    if floor and floor.get("loss") is not None and floor.get("loss_interval"):
        lo, hi = floor["loss_interval"]
        left = LOSS_MAX - floor["loss"]
        promise = f"the < {LOSS_MAX * 100:g}% promise"
        if lo >= LOSS_MAX:
            verdict = f"{promise} cannot be kept here: the floor alone loses more"
        elif left <= 0:
            verdict = f"{promise} is about what the floor alone loses here (its interval straddles it)"
        else:
            verdict = f"{promise} leaves {left * 100:.1f} points for a tool's own work"
        lines.append(f"the floor (two empty programs on sys_enter/sys_exit: what any tool there pays, no tool can beat "
                     f"it) loses {floor['loss'] * 100:.1f}% ({lo * 100:.1f} to {hi * 100:.1f}%): {verdict}")
    if base and base.get("server_cpu_share") is not None:
        lines.append(f"nothing attached: redis-server busy {base['server_cpu_share'] * 100:.0f}% of the wall time, "
                     f"redis-benchmark {base['client_cpu_share'] * 100:.0f}% (medians): the client is the bottleneck "
                     "when it is the busier")
        lines.append("  IQR% = IQR of ns/req over its median; srv ns = the server's CPU time per request; "
                     "x floor = loss / the floor's loss; calls/req = syscalls per request, machine-wide (bpf_stats)")
    return lines


def render_tracer(results, slow_calls):
    lines = [f"CPU time of tracer and tracee per traced call (getppid loop, {slow_calls:,} calls + warm-up; tracer = "
             "the tool's own user+sys: its wait4 rusage less the loop's getrusage when it reaped the loop, else "
             "/proc/PID/stat as it exited)",
             f"{'config':<44} {'wall ns':>9} {'tracer cpu':>10} {'tracee cpu':>10} {'tracer x peer':>13}"]
    for r in results:
        if r["status"] != "ok":
            lines.append(f"{r['label']:<44} {r['status']}")
            continue
        lines.append(f"{r['label']:<44} {fmt(r['wall_ns_per_call'], '9.1f')} {fmt(r['tracer_cpu_ns_per_call'], '10.1f')} "
                     f"{fmt(r['tracee_cpu_ns_per_call'], '10.1f')} {fmt(r['tracer_x_peer'], '13.2f', '')}".rstrip())
    return lines


# Programs that run less than this often per syscall (fork, exit, signal
# hooks) are left out of the per-program list; raw/call and cal/call count them.
MIN_RUNS_SHOWN = 0.01


def render_bpf(bpf, labels):
    empty = bpf.get("empty_ns_per_run")
    lines = ["Per-program cost (kernel.bpf_stats_enabled=1 around one extra run of each workload; run_time_ns / "
             "run_cnt, medians over rounds)",
             f"  calibration: the floor's empty tp_btf programs cost {fmt(empty, '.1f')} ns per run as measured; "
             "'cal' = less that per run; runs/call = runs per syscall (sys_exit runs, machine-wide); "
             "range = lowest-highest cal/call over the rounds; share = the workload's own calls / all calls; "
             "sched: per context switch instead (sched_switch runs, machine-wide; a tool without a sched_switch "
             "program: per switch the workload made)",
             f"{'config':<44} {'workload':<8} {'raw/call':>8} {'cal/call':>8} {'range':>13} {'share':>5}  "
             "per program: ns/run (cal) x runs/call"]
    for key, per_w in bpf.get("rows", {}).items():
        for workload, s in per_w.items():
            shown = {tp: p for tp, p in s["programs"].items() if p["runs_per_call"] >= MIN_RUNS_SHOWN}
            progs = "  ".join(f"{tp} {p['ns_per_run']:.1f} ({fmt(p['calibrated_ns_per_run'], '.1f')}) x{p['runs_per_call']:.2f}"
                              for tp, p in shown.items())
            if len(shown) < len(s["programs"]):
                progs += "  + rarer ones"
            rng = s.get("calibrated_range")
            rng_text = f"{rng[0]:.0f}-{rng[1]:.0f}" if rng else "-"
            lines.append(f"{labels.get(key, key):<44} {workload:<8} {s['ns_per_call']:8.1f} "
                         f"{fmt(s['calibrated_ns_per_call'], '8.1f')} {rng_text:>13} "
                         f"{fmt(s.get('workload_share'), '5.2f')}  {progs}")
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
        f"pipe_mix {s['pipe_calls']:,} calls per thread, CPUs {s['pipe_cpus']}; "
        f"pair {s.get('pair_calls', 0):,} calls per thread; path_block {s.get('path_calls', 0):,} calls",
        *([f"        perf bench sched pipe: {s['sched_loops']:,} round trips per sample, both processes on CPU "
           f"{s['loop_cpu']}"] if s.get("sched_loops") else []),
        *([f"        redis: {s['redis_requests']:,} requests per test (SET, then GET) per sample, "
           f"{s['redis_clients']} clients, no pipelining, {'TCP 127.0.0.1' if s['redis_transport'] == 'tcp' else 'unix socket'}, "
           f"{'a fresh server each round' if s.get('redis_restart') else 'one warm server for the run'} "
           f"(started {s.get('redis_server_starts', 1)}x); client on CPU {s['tool_cpu']}, server on CPU {s['loop_cpu']}"]
          if s.get("redis_requests") else []),
        "        overhead = median ns/call - median baseline; x floor = overhead / overhead of the empty "
        "tp_btf pair (timed rows: of the clock floor, as their target says); x peer = overhead / the peer's "
        "(named in target)",
        f"        result: met / NOT met when the {CONFIDENCE:.0%} bootstrap interval of the ratio (shown) lies "
        "under / over the limit, unclear when it straddles it",
        "        bpf ns = the tool's BPF programs' run time per syscall from kernel.bpf_stats_enabled=1, less what "
        "the empty floor programs cost per run (see the per-program table)",
    ]
    # A workload none of the rows ran (--only) gets no table.
    tables = [w for w in WORKLOADS if any(r["status"] != "not run" for r in report.get(w, []))]
    for w in tables:
        if w in THROUGHPUT:
            lines += [""] + render_throughput(report[w], WORKLOADS[w])
        else:
            lines += [""] + render_table(report[w], WORKLOADS[w], "switch" if w in PER_SWITCH else "call")
    if report.get("tracer") and any(r["status"] == "ok" for r in report["tracer"]):
        lines += [""] + render_tracer(report["tracer"], s["slow_calls"])
    if report.get("bpf_stats", {}).get("rows"):
        labels = {r["key"]: r["label"] for w in tables for r in report[w]}
        lines += [""] + render_bpf(report["bpf_stats"], labels)
    if report["poll"]:
        lines += [""] + render_poll(report["poll"], s["poll_seconds"])
    notes = report["warnings"]
    if any(r.get("tainted_samples") for w in tables for r in report[w]):
        notes = notes + [f"tainted samples are left out of a row's median when it has {MIN_CLEAN_SAMPLES} clean "
                         "ones; rows marked '!' had too few and use them all (see --json for every sample)"]
    if any("*" in r["result"] for w in tables for r in report[w]):
        notes = notes + ["*: a comparison in the target could not be made (its peer row was not measured)"]
    if notes:
        lines += ["", "Notes:"] + [f"  - {w}" for w in notes]
    lines += ["", f"total run time {report['elapsed_s']:.0f} s"]
    return "\n".join(lines)


def render_json(report):
    return json.dumps(report, indent=1)
