#include "export/func_report_writer.h"

#include <fmt/format.h>

#include <string>

#include "export/csv_report.h"
#include "export/json_report.h"
#include "export/text_report.h"
#include "export/time_split_text.h"
#include "util/duration.h"
#include "util/escape.h"
#include "util/time.h"

namespace syslat::exporter {
namespace {

using Json = nlohmann::ordered_json;
constexpr int kNameWidth = 28;

void write_health(std::ostream& out, const core::FuncReport& rep) {
  if (rep.functions_hidden)
    out << fmt::format("({} not shown; -T 0 shows all)\n", count_of(rep.functions_hidden, "more function", "more functions"));
  write_func_lost(out, rep.health);
}

class TextWriter final : public FuncReportWriter {
 public:
  TextWriter(std::ostream& out, WriterOptions o) : out_(out), o_(o) {}
  void write(const core::FuncReport& rep) override {
    if (o_.timestamps) out_ << '[' << util::clock_hms() << "]\n";
    if (rep.functions.empty()) out_ << fmt::format("(no calls of the {} traced functions)\n", rep.functions_traced);
    const char* unit = o_.milliseconds ? "ms" : "us";
    if (!rep.functions.empty())
      out_ << fmt::format("{:<{}} {:>10} {:>10} {:>12} {:>12} {:>10} {:>10} {:>10}\n", "FUNCTION", kNameWidth, "CALLS",
                          "RATE(/s)", fmt::format("TOTAL({})", unit), fmt::format("SELF({})", unit),
                          fmt::format("AVG({})", unit), fmt::format("P99({})", unit), fmt::format("MAX({})", unit));
    for (const auto& r : rep.functions) {
      const auto& s = r.stats;
      out_ << fmt::format("{:<{}} {:>10} {:>10.1f} {:>12} {:>12} {:>10} {:>10} {:>10}\n", util::escaped(r.name), kNameWidth,
                          s.calls, r.rate, latency(s.total_ns), latency(s.self_ns), latency(s.avg_ns()), latency(r.p99_ns),
                          latency(s.max_ns));
    }
    write_health(out_, rep);
    // With the breakdown per syscall, that is what the run is for: the
    // functions' own histograms would bury it.
    for (const auto& r : rep.by_syscall_run ? std::vector<core::FuncRow>{} : rep.functions) {
      const auto& s = r.stats;
      out_ << fmt::format("\n{}  calls {}  min {}  p50 {}  p90 {}  p99 {}  max {}\n", util::escaped(r.name), s.calls,
                          util::format_duration_ns(s.min_ns), util::format_duration_ns(r.p50_ns),
                          util::format_duration_ns(r.p90_ns), util::format_duration_ns(r.p99_ns),
                          util::format_duration_ns(s.max_ns));
      write_histogram_text(out_, s.hist);
    }
    if (rep.by_syscall_run && rep.by_syscall.empty()) out_ << "\n(no syscalls of the selected threads)\n";
    for (const auto& b : rep.by_syscall) write_breakdown(b);
    if (rep.syscalls_hidden)
      out_ << fmt::format("\n({} not shown; -T 0 shows all)\n", count_of(rep.syscalls_hidden, "more syscall", "more syscalls"));
    out_ << '\n';
    out_.flush();
  }

 private:
  std::string latency(uint64_t ns) const { return fmt::format("{:.3f}", o_.milliseconds ? ns / 1e6 : ns / 1e3); }

  // read  12.3k calls  4.10s
  //   ext4_file_read_iter           3.90s   95.1%  self 0.10s  12.3k calls
  //   › filemap_read                3.80s   92.7%  self 0.30s  12.3k calls
  //     › folio_wait_bit_common     3.50s   85.4%  self 3.50s  310 calls
  //   (in no traced function)       0.20s    4.9%
  // The call tree: each function under the traced one that called it.
  void write_breakdown(const core::SyscallBreakdown& b) {
    out_ << fmt::format("\n{}  {}  {}\n", b.syscall, count_of(b.total.calls, "call", "calls"),
                        util::format_duration_ns(b.total.total_ns));
    for (const auto& n : b.tree) {
      const std::string name = std::string(2 * n.depth, ' ') + (n.depth ? "› " : "") + util::escaped(n.function);
      // (fmt pads by columns: "›", 3 bytes, takes one.)
      out_ << fmt::format("  {:<{}} {:>9} {:>6}%  self {:>9}  {}\n", name, kNameWidth, util::format_duration_ns(n.time.inclusive_ns),
                          percent_of(n.time.inclusive_ns, b.total.total_ns), util::format_duration_ns(n.time.self_ns),
                          count_of(n.time.calls, "call", "calls"));
    }
    const uint64_t rest = b.untraced_ns();
    out_ << fmt::format("  {:<{}} {:>9} {:>6}%\n", "(in no traced function)", kNameWidth, util::format_duration_ns(rest),
                        percent_of(rest, b.total.total_ns));
  }

  std::ostream& out_;
  WriterOptions o_;
};

Json report_json(const core::FuncReport& rep) {
  Json j;
  j["type"] = "func";
  j["time"] = rep.time;
  j["start"] = rep.start;
  j["interval_s"] = rep.interval_s;
  j["attach"] = rep.attach;
  Json rows = Json::array();
  for (const auto& r : rep.functions) {
    const auto& s = r.stats;
    rows.push_back({{"name", r.name},
                    {"count", s.calls},
                    {"rate", r.rate},
                    {"total_ns", s.total_ns},
                    {"self_ns", s.self_ns},
                    {"avg_ns", s.avg_ns()},
                    {"min_ns", s.min_ns},
                    {"max_ns", s.max_ns},
                    {"p50_ns", r.p50_ns},
                    {"p90_ns", r.p90_ns},
                    {"p99_ns", r.p99_ns},
                    {"histogram", histogram_json(s.hist)}});
  }
  j["functions"] = std::move(rows);
  j["functions_traced"] = rep.functions_traced;
  j["total_count"] = rep.total_calls;
  if (!rep.by_syscall.empty()) {
    Json syscalls = Json::array();
    for (const auto& b : rep.by_syscall) {
      Json funcs = Json::array();
      for (const auto& f : b.functions)
        funcs.push_back({{"name", f.function}, {"count", f.time.calls}, {"inclusive_ns", f.time.inclusive_ns},
                         {"self_ns", f.time.self_ns}});
      Json tree = Json::array();
      for (const auto& n : b.tree)
        tree.push_back({{"name", n.function}, {"parent", n.parent.empty() ? Json(nullptr) : Json(n.parent)},
                        {"depth", n.depth}, {"count", n.time.calls}, {"inclusive_ns", n.time.inclusive_ns},
                        {"self_ns", n.time.self_ns}});
      syscalls.push_back({{"name", b.syscall}, {"nr", b.nr}, {"count", b.total.calls}, {"total_ns", b.total.total_ns},
                          {"untraced_ns", b.untraced_ns()}, {"functions", std::move(funcs)}, {"tree", std::move(tree)}});
    }
    j["by_syscall"] = std::move(syscalls);
  }
  const core::FuncHealth& h = rep.health;
  j["lost"] = h.lost();
  j["lost_detail"] = {{"missed", h.missed}, {"stack_overflow", h.stack_overflow}, {"unmatched", h.unmatched},
                      {"ring_buffer", h.events_lost}, {"by_syscall_full", h.by_syscall_full}};
  return j;
}

class JsonWriter final : public FuncReportWriter {
 public:
  explicit JsonWriter(std::ostream& out) : out_(out) {}
  void write(const core::FuncReport& rep) override {
    out_ << json_line(report_json(rep)) << '\n';
    out_.flush();
  }

 private:
  std::ostream& out_;
};

class CsvWriter final : public FuncReportWriter {
 public:
  explicit CsvWriter(std::ostream& out) : out_(out) {}
  void write(const core::FuncReport& rep) override {
    if (!header_written_)
      out_ << "time,start,interval_s,name,count,rate,total_ns,self_ns,avg_ns,min_ns,max_ns,p50_ns,p90_ns,p99_ns\n";
    header_written_ = true;
    for (const auto& r : rep.functions) {
      const auto& s = r.stats;
      out_ << fmt::format("{},{},{:.6f},{},{},{:.3f},{},{},{},{},{},{},{},{}\n", csv_field(rep.time), csv_field(rep.start),
                          rep.interval_s, csv_field(r.name), s.calls, r.rate, s.total_ns, s.self_ns, s.avg_ns(), s.min_ns,
                          s.max_ns, r.p50_ns, r.p90_ns, r.p99_ns);
    }
    out_.flush();
  }

 private:
  std::ostream& out_;
  bool header_written_ = false;
};

}  // namespace

void write_func_lost(std::ostream& out, const core::FuncHealth& h) {
  struct Lost {
    uint64_t n;
    const char *one, *many, *after;
  };
  const Lost lost[] = {
      {h.missed, "call", "calls", " not seen (the kernel skipped the probe: recursion or no free return instance)"},
      {h.stack_overflow, "call", "calls", " not timed (nested deeper than the shadow stack)"},
      {h.unmatched, "call", "calls", " not timed (its entry or return probe did not run)"},
      {h.events_lost, "event", "events", " (ring buffer full)"},
      {h.by_syscall_full, "time", "times", " in no syscall row (the kernel's --by-syscall table was full)"},
  };
  for (const Lost& l : lost)
    if (l.n) out << "LOST: " << count_of(l.n, l.one, l.many) << l.after << '\n';
}

std::unique_ptr<FuncReportWriter> make_func_writer(std::ostream& out, const WriterOptions& o) {
  switch (o.format) {
    case Format::Json: return std::make_unique<JsonWriter>(out);
    case Format::Csv: return std::make_unique<CsvWriter>(out);
    case Format::Text: break;
  }
  return std::make_unique<TextWriter>(out, o);
}

}  // namespace syslat::exporter
