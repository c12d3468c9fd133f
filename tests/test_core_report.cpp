#include <catch2/catch.hpp>

#include "core/report.h"

using namespace syslat::core;

namespace {
Sample three_syscalls() {
  Sample s;
  s.start_ns = 0;
  s.end_ns = 2'000'000'000;  // 2 s
  s.syscalls[0].calls = 100;  // read
  s.syscalls[0].total_ns = 1000;
  s.syscalls[0].timed = 100;
  s.syscalls[1].calls = 10;  // write
  s.syscalls[1].errors = 9;
  s.syscalls[1].total_ns = 90'000;
  s.syscalls[1].timed = 10;
  s.syscalls[257].calls = 50;  // openat
  s.syscalls[257].total_ns = 5000;
  s.syscalls[257].timed = 50;
  s.syscalls[257].max_ns = 4000;
  return s;
}

std::vector<std::string> names(const Report& r) {
  std::vector<std::string> out;
  for (const auto& row : r.syscalls) out.push_back(row.name);
  return out;
}
}  // namespace

TEST_CASE("reports rank by the chosen key", "[core][report]") {
  ReportOptions o;
  o.top = 0;
  o.sort = SortKey::Count;
  CHECK(names(build_report(three_syscalls(), o, "t")) == std::vector<std::string>{"read", "openat", "write"});
  o.sort = SortKey::Time;
  CHECK(names(build_report(three_syscalls(), o, "t")) == std::vector<std::string>{"write", "openat", "read"});
  o.sort = SortKey::Errors;
  CHECK(names(build_report(three_syscalls(), o, "t")).front() == "write");
  o.sort = SortKey::Max;
  CHECK(names(build_report(three_syscalls(), o, "t")).front() == "openat");
  o.sort = SortKey::Avg;  // write: 9000, openat: 100, read: 10
  CHECK(names(build_report(three_syscalls(), o, "t")) == std::vector<std::string>{"write", "openat", "read"});
}

TEST_CASE("reports compute rates and cut to --top, saying how much was cut", "[core][report]") {
  ReportOptions o;
  o.top = 2;
  Report r = build_report(three_syscalls(), o, "2026-01-01T00:00:00.000Z");
  REQUIRE(r.syscalls.size() == 2);
  CHECK(r.syscalls_hidden == 1);
  CHECK(r.syscalls[0].rate == Approx(50.0));
  CHECK(r.total.calls == 160);  // totals include the rows cut
  CHECK(r.interval_s == Approx(2.0));
  CHECK(r.time == "2026-01-01T00:00:00.000Z");
}

TEST_CASE("slot names: known, unknown, out of range", "[core][report]") {
  CHECK(slot_name(0) == "read");
  CHECK(slot_name(500) == "[unknown: 500]");
  CHECK(slot_name(999) == "[unknown: 999]");
  CHECK(slot_name(-1) == "[unknown: -1]");
  CHECK(slot_name(kUnknownOverflow) == "[unknown: other numbers]");
}

TEST_CASE("percentiles are clamped to the observed extremes", "[core][report]") {
  Sample s;
  s.end_ns = 1'000'000'000;
  auto& st = s.syscalls[35];  // nanosleep
  for (uint64_t v = 2'000'000; v < 2'100'000; v += 1000) {
    st.hist.counts[hist_bucket(v)]++;
    st.calls++;
    st.timed++;
    st.total_ns += v;
  }
  st.min_ns = 2'000'000;
  st.max_ns = 2'099'000;
  ReportOptions o;
  o.kind = ReportKind::Lat;
  o.timed = true;
  Report r = build_report(s, o, "t");
  REQUIRE(r.syscalls.size() == 1);
  CHECK(r.syscalls[0].p50_ns >= 2'000'000);
  CHECK(r.syscalls[0].p99_ns <= 2'099'000);
  CHECK(r.syscalls[0].p50_ns == Approx(2'050'000).epsilon(0.05));
}

TEST_CASE("per-process rows are ranked and cut like syscalls", "[core][report]") {
  Sample s;
  s.end_ns = 1'000'000'000;
  for (uint32_t pid : {10u, 20u, 30u}) {
    auto& p = s.processes[pid];
    p.pid = pid;
    p.comm = "p" + std::to_string(pid);
    p.syscalls[0].calls = pid;       // read
    p.syscalls[1].calls = pid * 2;   // write
  }
  ReportOptions o;
  o.per_process = true;
  o.top = 2;
  Report r = build_report(s, o, "t");
  REQUIRE(r.processes.size() == 2);
  CHECK(r.processes[0].pid == 30);
  CHECK(r.processes[0].total.calls == 90);
  CHECK(r.processes[0].rows[0].name == "write");
  CHECK(r.processes[1].pid == 20);
}

TEST_CASE("sort keys parse", "[core][report]") {
  CHECK(parse_sort_key("count") == SortKey::Count);
  CHECK(parse_sort_key("time") == SortKey::Time);
  CHECK(parse_sort_key("errors") == SortKey::Errors);
  CHECK_FALSE(parse_sort_key("nope").has_value());
}
