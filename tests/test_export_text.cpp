#include <catch2/catch.hpp>

#include <sstream>

#include "export/csv_report.h"
#include "export/text_report.h"

using namespace syslat::core;
using syslat::exporter::WriterOptions;
using syslat::exporter::write_count_text;
using syslat::exporter::write_health_text;

namespace {
Report count_report(bool timed) {
  Sample s;
  s.end_ns = 2'000'000'000;
  s.syscalls[110].calls = 1000;  // getppid
  s.syscalls[110].timed = timed ? 1000 : 0;
  s.syscalls[110].total_ns = timed ? 250'000 : 0;
  s.syscalls[110].max_ns = timed ? 4000 : 0;
  s.syscalls[257].calls = 7;
  s.syscalls[257].errors = 7;
  ReportOptions o;
  o.timed = timed;
  return build_report(s, o, "t");
}
}  // namespace

TEST_CASE("count table: syscount's columns, rows by count", "[export][text]") {
  std::ostringstream out;
  write_count_text(out, count_report(false), WriterOptions{});
  const std::string text = out.str();
  CHECK(text.find("SYSCALL") != std::string::npos);
  CHECK(text.find("COUNT") != std::string::npos);
  CHECK(text.find("RATE(/s)") != std::string::npos);
  CHECK(text.find("ERRORS") != std::string::npos);
  CHECK(text.find("TOTAL") == std::string::npos);
  CHECK(text.find("getppid") < text.find("openat"));
  CHECK(text.find("500.0") != std::string::npos);  // 1000 calls in 2 s
}

TEST_CASE("with -L the table adds TOTAL/AVG/MAX in us, -m in ms", "[export][text]") {
  std::ostringstream us, ms;
  write_count_text(us, count_report(true), WriterOptions{});
  WriterOptions o;
  o.milliseconds = true;
  write_count_text(ms, count_report(true), o);
  CHECK(us.str().find("TOTAL(us)") != std::string::npos);
  CHECK(us.str().find("250.000") != std::string::npos);  // 250000 ns total
  CHECK(us.str().find("4.000") != std::string::npos);    // max 4000 ns
  CHECK(ms.str().find("AVG(ms)") != std::string::npos);
  CHECK(ms.str().find("0.250") != std::string::npos);
}

TEST_CASE("health lines appear only when something was lost or untimed", "[export][text]") {
  Report r = count_report(true);
  std::ostringstream quiet;
  write_health_text(quiet, r);
  CHECK(quiet.str().empty());
  r.entry_not_seen = 3;
  r.health.proc_map_full = 5;
  std::ostringstream loud;
  write_health_text(loud, r);
  CHECK(loud.str().find("3 calls returned without a seen entry") != std::string::npos);
  CHECK(loud.str().find("LOST: 5 calls") != std::string::npos);
  r.entry_not_seen = 1;
  std::ostringstream one;
  write_health_text(one, r);
  CHECK(one.str().find("(1 call returned without a seen entry") != std::string::npos);
}

TEST_CASE("calls our programs missed and wrapped histogram counts are shown as LOST", "[export][text]") {
  Report r = count_report(true);
  r.health.recursion_misses = 2;
  r.health.hist_lost = 4294967296;
  std::ostringstream out;
  write_health_text(out, r);
  CHECK(out.str().find("LOST: 2 calls not seen (a BPF program of ours was already running on that CPU)") !=
        std::string::npos);
  CHECK(out.str().find("LOST: 4294967296 latencies from the histograms") != std::string::npos);
  r.health.hist_full = 3;
  std::ostringstream full;
  write_health_text(full, r);
  CHECK(full.str().find("LOST: latency of 3 calls in no histogram (histogram memory budget spent)") !=
        std::string::npos);
  CHECK(r.health.lost() == 4294967301);
}

TEST_CASE("CSV has one header and quotes fields", "[export][csv]") {
  Report r = count_report(false);
  r.time = "a,b";
  std::ostringstream out;
  syslat::exporter::write_csv_header(out, r);
  syslat::exporter::write_csv_rows(out, r);
  std::istringstream lines(out.str());
  std::string header, first;
  std::getline(lines, header);
  std::getline(lines, first);
  CHECK(header.rfind("time,start,interval_s,pid,comm,name,nr,abi,count", 0) == 0);
  CHECK(first.rfind("\"a,b\",", 0) == 0);
  CHECK(first.find(",getppid,110,x86_64,1000,0,") != std::string::npos);
}

TEST_CASE("CSV fields and text tables show a process name's bytes escaped", "[export][csv]") {
  CHECK(syslat::exporter::csv_field("plain") == "plain");
  CHECK(syslat::exporter::csv_field("a\x1b]0;x\a\x9b") == "a\\33]0;x\\7\\233");
  CHECK(syslat::exporter::csv_field("two\nlines, \"q\"") == "\"two\\nlines, \"\"q\"\"\"");  // one line, quoted
  Sample s;
  s.end_ns = 1'000'000'000;
  auto& p = s.processes[7];
  p.pid = 7;
  p.comm = "\x1b[2Jx";
  p.syscalls[110].calls = 3;
  s.syscalls[110].calls = 3;
  ReportOptions o;
  o.per_process = true;
  const Report rep = build_report(s, o, "t");
  std::ostringstream text, csv;
  write_count_text(text, rep, WriterOptions{});
  syslat::exporter::write_csv_rows(csv, rep);
  for (const std::string& out : {text.str(), csv.str()}) {
    INFO(out);
    CHECK(out.find('\x1b') == std::string::npos);
    CHECK(out.find("\\33[2Jx") != std::string::npos);
  }
}

TEST_CASE("32-bit calls carry an [i386] marker in tables and their ABI in JSON and CSV", "[export]") {
  Sample s;
  s.end_ns = 1'000'000'000;
  s.syscalls[SyscallId{Abi::I386, 102}].calls = 4;  // socketcall
  s.syscalls[3].calls = 2;                          // x86_64 close
  ReportOptions o;
  const Report rep = build_report(s, o, "t");
  std::ostringstream text;
  write_count_text(text, rep, WriterOptions{});
  CHECK(text.str().find("socketcall [i386]") != std::string::npos);
  CHECK(text.str().find("close [i386]") == std::string::npos);
  std::ostringstream csv;
  syslat::exporter::write_csv_rows(csv, rep);
  CHECK(csv.str().find(",socketcall,102,i386,4,") != std::string::npos);
  CHECK(csv.str().find(",close,3,x86_64,2,") != std::string::npos);
}
