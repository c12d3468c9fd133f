#include "export/csv_report.h"

#include <fmt/format.h>

#include <string>

#include "syslat.h"
#include "util/escape.h"

namespace syslat::exporter {

std::string csv_field(const std::string& s) {
  const std::string text = util::escaped(s);  // no line breaks or escape sequences left
  if (text.find_first_of(",\"") == std::string::npos) return text;
  std::string q = "\"";
  for (char c : text) {
    if (c == '"') q += '"';
    q += c;
  }
  return q + '"';
}

namespace {

void row(std::ostream& out, const core::Report& rep, const core::Row& r, const core::ProcessRows* p) {
  const auto& s = r.stats;
  out << fmt::format("{},{},{:.6f},{},{},{},{},{},{},{},{:.3f},{},{},{},{}", csv_field(rep.time), csv_field(rep.start), rep.interval_s,
                     p ? std::to_string(p->pid) : "", p ? csv_field(p->comm) : "", csv_field(r.name),
                     r.id.nr == core::kUnknownOverflow ? "" : std::to_string(r.id.nr), core::abi_name(r.id.abi), s.calls, s.errors, r.rate, s.total_ns,
                     s.avg_ns(), p ? "" : std::to_string(s.min_ns), p ? "" : std::to_string(s.max_ns));
  if (rep.kind == core::ReportKind::Lat) {
    if (p)
      out << ",,,";
    else
      out << fmt::format(",{},{},{}", r.p50_ns, r.p90_ns, r.p99_ns);
  }
  if (rep.states && p)  // per-process counters keep no split
    out << ",,,,,,";
  else if (rep.states)
    out << fmt::format(",{},{},{},{},{},{}", s.oncpu_ns(), s.split.runq_ns, s.split.iowait_ns, s.split.sleep_ns,
                       s.split.switched, s.split.switches);
  out << '\n';
}

}  // namespace

void write_csv_header(std::ostream& out, const core::Report& rep) {
  out << "time,start,interval_s,pid,comm,name,nr,abi,count,errors,rate,total_ns,avg_ns,min_ns,max_ns";
  if (rep.kind == core::ReportKind::Lat) out << ",p50_ns,p90_ns,p99_ns";
  if (rep.states) out << ",oncpu_ns,runq_ns,iowait_ns,sleep_ns,switched_count,switches";
  out << '\n';
}

void write_csv_rows(std::ostream& out, const core::Report& rep) {
  for (const auto& r : rep.syscalls) row(out, rep, r, nullptr);
  for (const auto& p : rep.processes)
    for (const auto& r : p.rows) row(out, rep, r, &p);
  out.flush();
}

}  // namespace syslat::exporter
