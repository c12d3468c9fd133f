#include "export/prometheus.h"

#include <fmt/format.h>

#include <iterator>

#include "core/histogram.h"
#include "core/report.h"
#include "util/escape.h"

namespace syslat::exporter {
namespace {

using Out = fmt::memory_buffer;

void family(Out& out, std::string_view name, std::string_view type, std::string_view help) {
  fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

// syscall="read" (+ abi="i386"), without braces, so callers can add labels.
std::string syscall_labels(core::SyscallId id) {
  std::string labels = "syscall=\"" + escape_label_value(core::slot_name(id)) + '"';
  if (id.abi == core::Abi::I386) labels += ",abi=\"i386\"";
  return labels;
}

double seconds(uint64_t ns) { return static_cast<double>(ns) / 1e9; }

void call_counters(Out& out, const core::CumulativeStats& stats, const PrometheusMeta& meta) {
  family(out, "syscall_total", "counter",
         meta.per_process ? "System calls made since syslatd started, per syscall and process (pid=\"other\": processes beyond --max-processes)."
                          : "System calls made since syslatd started, per syscall.");
  std::string errors;  // the second family is built alongside: one walk of the model
  auto row = [&](const std::string& labels, const core::CallCounts& c) {
    fmt::format_to(std::back_inserter(out), "syscall_total{{{}}} {}\n", labels, c.calls);
    errors += fmt::format("syscall_errors_total{{{}}} {}\n", labels, c.errors);
  };
  if (!meta.per_process) {
    for (const auto& [id, st] : stats.syscalls()) row(syscall_labels(id), {st.calls, st.errors});
  } else {
    for (const auto& [pid, p] : stats.processes()) {
      const std::string who = fmt::format(",pid=\"{}\",comm=\"{}\"", pid, escape_label_value(p.comm));
      for (const auto& [id, c] : p.syscalls) row(syscall_labels(id) + who, c);
    }
    for (const auto& [id, c] : stats.other_processes()) row(syscall_labels(id) + ",pid=\"other\"", c);
  }
  family(out, "syscall_errors_total", "counter",
         "System calls that returned an error (-4095..-1), as syscall_total is labelled.");
  out.append(errors.data(), errors.data() + errors.size());
}

void slow_counter(Out& out, const core::CumulativeStats& stats) {
  family(out, "syscall_slow_total", "counter",
         "System calls that took at least their --threshold (default 10ms), per syscall.");
  for (const auto& [id, st] : stats.syscalls())  // every syscall seen has a series
    fmt::format_to(std::back_inserter(out), "syscall_slow_total{{{}}} {}\n", syscall_labels(id), st.slow);
}

void anomaly_metrics(Out& out, const core::CumulativeStats& stats, const AnomalyMetrics& anomalies) {
  family(out, "syscall_anomaly_score", "gauge",
         "How far the last second's p50, p99 or calls/s of a syscall rose over its baseline (median of past "
         "seconds, log scale), in robust units (MAD); the highest of the three, 0 when not judged.");
  for (const auto& [id, st] : stats.syscalls()) {
    const auto it = anomalies.scores.find(id);
    fmt::format_to(std::back_inserter(out), "syscall_anomaly_score{{{}}} {:.2f}\n", syscall_labels(id),
                   it == anomalies.scores.end() ? 0.0 : it->second);
  }
  family(out, "syscall_anomalies_total", "counter",
         "Anomalies started since syslatd started (a rise of --anomaly-score robust units and x2, x4 for rate), "
         "per syscall and what moved (p50, p99, rate).");
  constexpr core::AnomalyKind kKinds[] = {core::AnomalyKind::P50, core::AnomalyKind::P99, core::AnomalyKind::Rate};
  for (const auto& [id, st] : stats.syscalls())
    for (const core::AnomalyKind kind : kKinds) {
      const auto it = anomalies.started.find({id, kind});
      fmt::format_to(std::back_inserter(out), "syscall_anomalies_total{{{},what=\"{}\"}} {}\n", syscall_labels(id),
                     core::anomaly_kind_key(kind), it == anomalies.started.end() ? 0 : it->second);
    }
}

void duration_histogram(Out& out, const core::CumulativeStats& stats, const PrometheusMeta& meta) {
  family(out, "syscall_duration_seconds", "histogram",
         "Time from entry to return of the timed system calls, per syscall (bounds at the kernel's bucket boundaries).");
  std::vector<std::string> le;
  le.reserve(meta.bucket_bounds_ns.size());
  for (uint64_t ns : meta.bucket_bounds_ns) le.push_back(fmt::format("{}", seconds(ns)));
  for (const auto& [id, st] : stats.syscalls()) {
    if (st.timed == 0) continue;
    const std::string labels = syscall_labels(id);
    const std::vector<uint64_t> counts = core::cumulative_counts(st.hist, meta.bucket_bounds_ns);
    for (size_t i = 0; i < counts.size(); ++i)
      fmt::format_to(std::back_inserter(out), "syscall_duration_seconds_bucket{{{},le=\"{}\"}} {}\n", labels, le[i], counts[i]);
    // `timed` is the histogram's total (the source counts a call as timed when it lands in a bucket).
    fmt::format_to(std::back_inserter(out),
                   "syscall_duration_seconds_bucket{{{},le=\"+Inf\"}} {}\n"
                   "syscall_duration_seconds_sum{{{}}} {}\n"
                   "syscall_duration_seconds_count{{{}}} {}\n",
                   labels, st.timed, labels, seconds(st.total_ns), labels, st.timed);
  }
}

// The four parts of each syscall's syscall_duration_seconds_sum, as the
// kernel split it: on CPU is the sum less the other three, so they add up to
// it exactly (in ns; to a rounding of the last digit in the text).
void state_counter(Out& out, const core::CumulativeStats& stats) {
  family(out, "syscall_state_seconds_total", "counter",
         "Seconds of the timed system calls by where they went, per syscall: oncpu (running), runq (runnable, "
         "waiting for a CPU), iowait (asleep on I/O), sleep (asleep otherwise). The four states sum to "
         "syscall_duration_seconds_sum.");
  for (const auto& [id, st] : stats.syscalls()) {
    if (st.timed == 0) continue;  // as the histogram: a series where a duration is
    const std::string labels = syscall_labels(id);
    const std::pair<core::OffState, uint64_t> off[] = {
        {core::OffState::Runq, st.split.runq_ns}, {core::OffState::IoWait, st.split.iowait_ns},
        {core::OffState::Sleep, st.split.sleep_ns}};
    fmt::format_to(std::back_inserter(out), "syscall_state_seconds_total{{{},state=\"oncpu\"}} {}\n", labels,
                   seconds(st.oncpu_ns()));
    for (const auto& [state, ns] : off)
      fmt::format_to(std::back_inserter(out), "syscall_state_seconds_total{{{},state=\"{}\"}} {}\n", labels,
                     core::off_state_key(state), seconds(ns));
  }
}

void health(Out& out, const core::CumulativeStats& stats, const PrometheusMeta& meta) {
  const core::Health& h = stats.health();
  family(out, "syslat_events_lost_total", "counter",
         "What syslatd could not record normally, by reason: ring_buffer (slow-call events dropped), "
         "process_map_full (-P calls without a process row), entry_not_kept (blocking calls not timed), "
         "recursion (calls our programs did not run for), histogram_wrap, histogram_budget.");
  const std::pair<const char*, uint64_t> reasons[] = {
      {"ring_buffer", h.events_lost},         {"process_map_full", h.proc_map_full},
      {"entry_not_kept", h.park_failed},      {"recursion", h.recursion_misses},
      {"histogram_wrap", h.hist_lost},        {"histogram_budget", h.hist_full},
  };
  for (const auto& [reason, n] : reasons)
    fmt::format_to(std::back_inserter(out), "syslat_events_lost_total{{reason=\"{}\"}} {}\n", reason, n);
  family(out, "syslat_bpf_attached", "gauge", "1 while syslatd's BPF programs are attached.");
  fmt::format_to(std::back_inserter(out), "syslat_bpf_attached {}\n", meta.bpf_attached ? 1 : 0);
  family(out, "syslat_target_present", "gauge",
         "1 while the cgroup of -c/--unit exists; 0 while it is gone and nothing is counted (always 1 without -c/--unit).");
  fmt::format_to(std::back_inserter(out), "syslat_target_present {}\n", meta.target_present ? 1 : 0);
  family(out, "syslat_build_info", "gauge", "syslatd's version, the kernel it runs on and its backend (always 1).");
  fmt::format_to(std::back_inserter(out), "syslat_build_info{{version=\"{}\",kernel=\"{}\",backend=\"{}\"}} 1\n",
                 escape_label_value(meta.version), escape_label_value(meta.kernel), escape_label_value(meta.backend));
}

}  // namespace

std::vector<uint64_t> default_bucket_bounds_ns() {
  std::vector<uint64_t> bounds;
  for (unsigned pow = 10; pow <= 32; ++pow) bounds.push_back(uint64_t{1} << pow);
  return bounds;
}

std::string escape_label_value(std::string_view value) {
  std::string out;
  for (const char c : util::escaped(value)) {
    if (c == '\\' || c == '"') out += '\\';
    out += c;
  }
  return out;
}

std::string render_prometheus(const core::CumulativeStats& stats, const PrometheusMeta& meta,
                              const AnomalyMetrics* anomalies) {
  Out out;
  call_counters(out, stats, meta);
  slow_counter(out, stats);
  if (anomalies) anomaly_metrics(out, stats, *anomalies);
  duration_histogram(out, stats, meta);
  if (meta.states) state_counter(out, stats);
  health(out, stats, meta);
  return fmt::to_string(out);
}

}  // namespace syslat::exporter
