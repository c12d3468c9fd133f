#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "export/json_report.h"
#include "export/slow_writer.h"

using namespace syslat::core;
using nlohmann::json;

namespace {
Report lat_report() {
  Sample s;
  s.end_ns = 1'000'000'000;
  auto& st = s.syscalls[0];
  st.calls = 3;
  st.timed = 3;
  st.errors = 1;
  st.total_ns = 3000;
  st.min_ns = 500;
  st.max_ns = 1500;
  st.hist.counts[hist_bucket(500)] = 2;
  st.hist.counts[hist_bucket(1500)] = 1;
  s.syscalls[kUnknownOverflow].calls = 1;
  s.syscalls[kUnknownOverflow].entry_not_seen = 1;
  s.health.proc_map_full = 2;
  ReportOptions o;
  o.kind = ReportKind::Lat;
  o.timed = true;
  o.top = 0;
  return build_report(s, o, "2026-11-22T03:06:15.123Z");
}
}  // namespace

TEST_CASE("lat JSON follows the documented schema", "[export][json]") {
  json j = json::parse(syslat::exporter::report_json(lat_report()));
  CHECK(j["type"] == "lat");
  CHECK(j["time"] == "2026-11-22T03:06:15.123Z");
  CHECK(j["interval_s"].get<double>() == Approx(1.0));
  REQUIRE(j["syscalls"].size() == 2);
  const json& read = j["syscalls"][0];
  CHECK(read["name"] == "read");
  CHECK(read["nr"] == 0);
  CHECK(read["abi"] == "x86_64");
  CHECK(read["count"] == 3);
  CHECK(read["errors"] == 1);
  CHECK(read["total_ns"] == 3000);
  CHECK(read["avg_ns"] == 1000);
  CHECK(read["min_ns"] == 500);
  CHECK(read["max_ns"] == 1500);
  CHECK(read.contains("p50_ns"));
  CHECK(read.contains("p99_ns"));
  REQUIRE(read["histogram"].size() == 2);
  CHECK(read["histogram"][0] == json({{"lo_ns", 0}, {"hi_ns", 1024}, {"count", 2}}));
  CHECK(read["histogram"][1] == json({{"lo_ns", 1024}, {"hi_ns", 2048}, {"count", 1}}));
  CHECK(j["syscalls"][1]["name"] == "[unknown: other numbers]");
  CHECK(j["syscalls"][1]["nr"].is_null());
  CHECK(j["entry_not_seen"] == 1);
  CHECK(j["lost"] == 2);
  CHECK(j["lost_detail"]["proc_map_full"] == 2);
}

TEST_CASE("count JSON has no latency distribution", "[export][json]") {
  Report r = lat_report();
  r.kind = ReportKind::Count;
  json j = json::parse(syslat::exporter::report_json(r));
  CHECK(j["type"] == "count");
  CHECK_FALSE(j["syscalls"][0].contains("histogram"));
  CHECK(j["syscalls"][0]["rate"].get<double>() == Approx(3.0));
  CHECK_FALSE(j.contains("processes"));
}

TEST_CASE("JSON rows of 32-bit calls say abi i386", "[export][json]") {
  Sample s;
  s.end_ns = 1'000'000'000;
  s.syscalls[SyscallId{Abi::I386, 102}].calls = 4;
  ReportOptions o;
  json j = json::parse(syslat::exporter::report_json(build_report(s, o, "t")));
  REQUIRE(j["syscalls"].size() == 1);
  CHECK(j["syscalls"][0]["name"] == "socketcall");
  CHECK(j["syscalls"][0]["nr"] == 102);
  CHECK(j["syscalls"][0]["abi"] == "i386");
}

TEST_CASE("JSON keeps a name's value, in ASCII only: C1 controls escaped, bytes that are not UTF-8 replaced", "[export][json]") {
  Sample s;
  s.end_ns = 1'000'000'000;
  auto& p = s.processes[7];
  p.pid = 7;
  p.comm = "\x1b]0;x\a\xc2\x9b\xff";  // ESC, BEL, U+009B (CSI) in UTF-8, a byte that is no UTF-8
  p.syscalls[110].calls = 1;
  s.syscalls[110].calls = 1;
  ReportOptions o;
  o.per_process = true;
  std::string text;
  REQUIRE_NOTHROW(text = syslat::exporter::report_json(build_report(s, o, "t")));
  for (char c : text) CHECK((c >= 0x20 && c < 0x7f));
  CHECK(text.find("\"comm\":\"\\u001b]0;x\\u0007\\u009b\\ufffd\"") != std::string::npos);
  CHECK(json::parse(text)["processes"][0]["comm"] == "\x1b]0;x\a\xc2\x9b\xef\xbf\xbd");
}

TEST_CASE("a call's JSON: time is its end, start its end less its duration, names in ASCII", "[export][json]") {
  SlowRecord r;
  r.event.time_ns = 1'795'316'775'500'000'000;  // 2026-11-22T03:06:15.500Z
  r.event.duration_ns = 250'000'000;
  r.event.comm = "\xc2\x9b[2J";
  r.event.id = SyscallId(0);
  r.call = "read(3, 0x1000, 1)";
  const std::string text = syslat::exporter::call_json(r, "slow");
  for (char c : text) CHECK((c >= 0x20 && c < 0x7f));
  const json j = json::parse(text);
  CHECK(j["time"] == "2026-11-22T03:06:15.500Z");
  CHECK(j["start"] == "2026-11-22T03:06:15.250Z");
  CHECK(j["comm"] == "\xc2\x9b[2J");
}

namespace {
// 3 reads of 3000 ns in all: 400 ns on a runqueue, 1500 ns waiting for I/O,
// 100 ns asleep; 2 of them switched out, 3 times in all. Per process too.
Report states_report(ReportKind kind, bool timed, bool states) {
  Sample s;
  s.end_ns = 1'000'000'000;
  auto& st = s.syscalls[0];
  st.calls = st.timed = 3;
  st.total_ns = 3000;
  st.min_ns = 500;
  st.max_ns = 1500;
  st.hist.counts[hist_bucket(1000)] = 3;
  st.split = {400, 1500, 100, 2, 3};
  auto& p = s.processes[7];
  p.pid = 7;
  p.comm = "reader";
  p.syscalls[0].calls = p.syscalls[0].timed = 3;
  p.syscalls[0].total_ns = 3000;
  ReportOptions o;
  o.kind = kind;
  o.timed = timed;
  o.states = states;
  o.per_process = true;
  o.top = 0;
  return build_report(s, o, "t");
}
}  // namespace

TEST_CASE("JSON rows with states: on CPU, runqueue, I/O wait and sleep add up to total_ns", "[export][json]") {
  for (ReportKind kind : {ReportKind::Lat, ReportKind::Count}) {
    const json j = json::parse(syslat::exporter::report_json(states_report(kind, true, true)));
    const json& read = j["syscalls"][0];
    INFO(read.dump());
    CHECK(read["total_ns"] == 3000);
    CHECK(read["oncpu_ns"] == 1000);
    CHECK(read["runq_ns"] == 400);
    CHECK(read["iowait_ns"] == 1500);
    CHECK(read["sleep_ns"] == 100);
    CHECK(read["switched_count"] == 2);
    CHECK(read["switches"] == 3);
  }
}

TEST_CASE("JSON rows carry no split without states, untimed, or per process", "[export][json]") {
  const char* keys[] = {"oncpu_ns", "runq_ns", "iowait_ns", "sleep_ns", "switched_count", "switches"};
  const json no_states = json::parse(syslat::exporter::report_json(states_report(ReportKind::Count, true, false)));
  const json untimed = json::parse(syslat::exporter::report_json(states_report(ReportKind::Count, false, true)));
  const json with = json::parse(syslat::exporter::report_json(states_report(ReportKind::Lat, true, true)));
  REQUIRE(with["processes"].size() == 1);
  for (const char* k : keys) {
    INFO(k);
    CHECK_FALSE(no_states["syscalls"][0].contains(k));
    CHECK_FALSE(untimed["syscalls"][0].contains(k));
    // Per-process counters keep no split: all of total_ns would read as on CPU.
    CHECK_FALSE(with["processes"][0]["syscalls"][0].contains(k));
  }
}
