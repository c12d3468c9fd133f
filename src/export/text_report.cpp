#include "export/text_report.h"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <algorithm>
#include <string>

#include "export/time_split_text.h"
#include "util/duration.h"
#include "util/escape.h"
#include "util/time.h"

namespace syslat::exporter {
namespace {

constexpr int kNameWidth = 22;

std::string latency(uint64_t ns, const WriterOptions& o) {
  return fmt::format("{:.3f}", o.milliseconds ? ns / 1e6 : ns / 1e3);
}

std::string rate(double r) { return fmt::format("{:.1f}", r); }

void count_header(std::ostream& out, const core::Report& rep, const WriterOptions& o, bool with_process) {
  std::string line;
  if (with_process) line += fmt::format("{:>7} {:<16} ", "PID", "COMM");
  line += fmt::format("{:<{}} {:>12} {:>12} {:>9}", "SYSCALL", kNameWidth, "COUNT", "RATE(/s)", "ERRORS");
  if (rep.timed) {
    const char* unit = o.milliseconds ? "ms" : "us";
    line += fmt::format(" {:>14} {:>11} {:>11}", fmt::format("TOTAL({})", unit), fmt::format("AVG({})", unit),
                        with_process ? "" : fmt::format("MAX({})", unit));
  }
  if (rep.states && !with_process) line += fmt::format(" {:>7} {:>7} {:>7} {:>7}", "ONCPU%", "RUNQ%", "IO%", "SLEEP%");
  out << line << '\n';
}

void count_row(std::ostream& out, const core::Report& rep, const core::Row& r, const WriterOptions& o,
               const core::ProcessRows* proc) {
  std::string line;
  if (proc) line += fmt::format("{:>7} {:<16} ", proc->pid, util::escaped(proc->comm));
  line += fmt::format("{:<{}} {:>12} {:>12} {:>9}", core::display_name(r.id), kNameWidth, r.stats.calls, rate(r.rate), r.stats.errors);
  if (rep.timed) {
    // Per-process counters keep no extremes: MAX is shown for syscalls only.
    line += fmt::format(" {:>14} {:>11} {:>11}", latency(r.stats.total_ns, o), latency(r.stats.avg_ns(), o),
                        proc ? "" : latency(r.stats.max_ns, o));
  }
  if (rep.states && !proc) {  // shares of TOTAL (per-process counters keep no split)
    const auto& s = r.stats;
    line += fmt::format(" {:>7} {:>7} {:>7} {:>7}", percent_of(s.oncpu_ns(), s.total_ns), percent_of(s.split.runq_ns, s.total_ns),
                        percent_of(s.split.iowait_ns, s.total_ns), percent_of(s.split.sleep_ns, s.total_ns));
  }
  out << line << '\n';
}

void process_table(std::ostream& out, const core::Report& rep, const WriterOptions& o) {
  if (rep.processes.empty()) return;
  count_header(out, rep, o, true);
  for (const auto& p : rep.processes)
    for (const auto& r : p.rows) count_row(out, rep, r, o, &p);
  out << '\n';
}

}  // namespace

std::string count_of(uint64_t n, const char* one, const char* many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

void write_histogram_text(std::ostream& out, const core::Histogram& hist) {
  const auto buckets = core::log2_buckets(hist);
  uint64_t peak = 0;
  for (const auto& b : buckets) peak = std::max(peak, b.count);
  if (!buckets.empty()) out << fmt::format("  {:>14} : {:<10} distribution\n", "latency", "count");
  for (const auto& b : buckets) {
    const int width = 40;
    const int stars = peak ? static_cast<int>((b.count * width + peak - 1) / peak) : 0;
    out << fmt::format("  {:>14} : {:<10} |{:<{}}|\n", core::log2_label(b), b.count, std::string(stars, '*'), width);
  }
}

void write_health_text(std::ostream& out, const core::Report& rep) {
  if (rep.syscalls_hidden)
    out << fmt::format("({} not shown; -T 0 shows all)\n", count_of(rep.syscalls_hidden, "more syscall", "more syscalls"));
  if (rep.entry_not_seen)
    out << fmt::format("({} without a seen entry (in flight when tracing started, or skipped by "
                       "seccomp/ptrace): counted, not timed)\n",
                       count_of(rep.entry_not_seen, "call returned", "calls returned"));
  // What was lost, one LOST: line per cause: "LOST: <before><N things><after>".
  struct Lost {
    uint64_t n;
    const char *before, *one, *many, *after;
  };
  const core::Health& h = rep.health;
  const Lost lost[] = {
      {h.park_failed, "latency of ", "blocking call", "blocking calls", " (no task storage)"},
      {h.proc_map_full, "", "call", "calls", " missing from per-process rows (map full; raise --max-processes)"},
      {h.recursion_misses, "", "call not seen", "calls not seen", " (a BPF program of ours was already running on that CPU)"},
      {h.hist_lost, "", "latency", "latencies", " from the histograms (a 32-bit bucket wrapped while polling stalled)"},
      {h.hist_full, "latency of ", "call", "calls", " in no histogram (histogram memory budget spent)"},
      {h.events_lost, "", "event", "events", " (ring buffer full)"},
  };
  for (const Lost& l : lost)
    if (l.n) out << "LOST: " << l.before << count_of(l.n, l.one, l.many) << l.after << '\n';
}

void write_count_text(std::ostream& out, const core::Report& rep, const WriterOptions& o) {
  if (o.timestamps) out << '[' << util::clock_hms() << "]\n";
  process_table(out, rep, o);
  count_header(out, rep, o, false);
  for (const auto& r : rep.syscalls) count_row(out, rep, r, o, nullptr);
  write_health_text(out, rep);
  out << '\n';
  out.flush();
}

void write_lat_text(std::ostream& out, const core::Report& rep, const WriterOptions& o) {
  using util::format_duration_ns;
  if (o.timestamps) out << '[' << util::clock_hms() << "]\n";
  if (rep.syscalls.empty()) out << "(no syscalls)\n";
  for (const auto& r : rep.syscalls) {
    const auto& s = r.stats;
    out << fmt::format("{}  count {}  errors {}  total {}  avg {}  min {}  max {}\n", core::display_name(r.id), s.calls, s.errors,
                       format_duration_ns(s.total_ns), format_duration_ns(s.avg_ns()),
                       format_duration_ns(s.min_ns), format_duration_ns(s.max_ns));
    out << fmt::format("  p50 {}  p90 {}  p99 {}\n", format_duration_ns(r.p50_ns), format_duration_ns(r.p90_ns),
                       format_duration_ns(r.p99_ns));
    if (rep.states && s.timed)
      out << fmt::format("  time: {}  (switched out: {} of {} calls, {} {})\n", split_shares(s.split, s.total_ns),
                         s.split.switched, s.timed, s.split.switches, s.split.switches == 1 ? "time" : "times");
    write_histogram_text(out, s.hist);
    out << '\n';
  }
  process_table(out, rep, o);
  write_health_text(out, rep);
  out.flush();
}

}  // namespace syslat::exporter
