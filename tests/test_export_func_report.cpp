// sysfunc's report: ranking, cutting, the by-syscall breakdown and its
// renderers, on a sample laid out by hand.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <sstream>

#include "core/func_report.h"
#include "export/func_report_writer.h"
#include "syslat.h"

using namespace syslat;

namespace {

core::FuncStats calls_of(std::initializer_list<uint64_t> durations, uint64_t self_part_pct = 100) {
  core::FuncStats s;
  for (uint64_t d : durations) {
    core::FuncStats one;
    one.calls = 1;
    one.total_ns = d;
    one.self_ns = d * self_part_pct / 100;
    one.min_ns = one.max_ns = d;
    one.hist.counts[hist_bucket(d)] = 1;
    s.merge(one);
  }
  return s;
}

core::FuncSample sample() {
  core::FuncSample s;
  s.start_ns = 1'000'000'000;
  s.end_ns = 3'000'000'000;  // 2 s
  s.functions = {calls_of({1000, 1000, 1000, 1000}), calls_of({50'000}, 40), {}, calls_of({3000, 3000})};
  s.syscalls[0] = {4, 100'000};  // read: 4 calls, 100 us
  s.by_syscall[{0, 1}] = {1, 50'000, 20'000};
  s.by_syscall[{0, 0}] = {4, 4000, 4000};
  // The tree: read -> ext4_file_read_iter -> vfs_read (4 calls), and
  // vfs_read -> vfs_read (recursion: shown, not entered again).
  s.edges[{0, core::FuncEdge::kFromSyscall, 1}] = {1, 50'000, 20'000};
  s.edges[{0, 1, 0}] = {4, 4000, 4000};
  s.edges[{0, 0, 0}] = {1, 500, 500};
  s.health.unmatched = 2;
  return s;
}

const std::vector<std::string> kNames = {"vfs_read", "ext4_file_read_iter", "never_called", "touch_atime"};

}  // namespace

TEST_CASE("func report: rows by total time, then cut by --top, and functions without calls left out", "[export]") {
  core::FuncReportOptions o;
  o.top = 2;
  const core::FuncReport rep = core::build_func_report(sample(), kNames, o, "t");
  REQUIRE(rep.functions.size() == 2);
  CHECK(rep.functions[0].name == "ext4_file_read_iter");
  CHECK(rep.functions[1].name == "touch_atime");
  CHECK(rep.functions_hidden == 1);  // vfs_read; never_called is no row at all
  CHECK(rep.functions_traced == 4);
  CHECK(rep.total_calls == 7);
  CHECK(rep.functions[1].rate == Approx(1.0));
  CHECK(rep.functions[0].p50_ns == 50'000);  // clamped to the one call's extremes

  o.top = 0;
  o.sort = core::SortKey::Count;
  const core::FuncReport by_count = core::build_func_report(sample(), kNames, o, "t");
  CHECK(by_count.functions[0].name == "vfs_read");
  o.sort_self = true;
  const core::FuncReport by_self = core::build_func_report(sample(), kNames, o, "t");
  CHECK(by_self.functions[0].name == "ext4_file_read_iter");  // 20 us of self time against 6 and 4
  CHECK(by_self.functions[1].name == "touch_atime");

  core::FuncSample two = sample();
  two.syscalls[1] = {1, 500'000};  // write: fewer calls, more time
  o.top = 1;
  const core::FuncReport cut = core::build_func_report(two, kNames, o, "t");
  REQUIRE(cut.by_syscall.size() == 1);
  CHECK(cut.by_syscall[0].syscall == "write");
  CHECK(cut.syscalls_hidden == 1);
}

TEST_CASE("func report: each syscall's time by function, and the part in no traced function", "[export]") {
  core::FuncReportOptions o;
  const core::FuncReport rep = core::build_func_report(sample(), kNames, o, "2026-12-07T00:00:00Z");
  REQUIRE(rep.by_syscall.size() == 1);
  CHECK(rep.by_syscall[0].syscall == "read");
  REQUIRE(rep.by_syscall[0].functions.size() == 2);
  CHECK(rep.by_syscall[0].functions[0].function == "ext4_file_read_iter");  // by inclusive time

  const auto& tree = rep.by_syscall[0].tree;
  REQUIRE(tree.size() == 3);
  CHECK(tree[0].function == "ext4_file_read_iter");
  CHECK(tree[0].depth == 0);
  CHECK(tree[1].function == "vfs_read");
  CHECK(tree[1].parent == "ext4_file_read_iter");
  CHECK(tree[1].depth == 1);
  CHECK(tree[2].function == "vfs_read");  // called from itself: listed once, not followed
  CHECK(tree[2].depth == 2);

  std::ostringstream json;
  exporter::WriterOptions wo;
  wo.format = exporter::Format::Json;
  exporter::make_func_writer(json, wo)->write(rep);
  const auto j = nlohmann::json::parse(json.str());
  CHECK(j["type"] == "func");
  CHECK(j["functions"][0]["name"] == "ext4_file_read_iter");
  CHECK(j["functions"][0]["self_ns"] == 20'000);
  CHECK(j["functions"][0]["histogram"].size() == 1);
  CHECK(j["by_syscall"][0]["total_ns"] == 100'000);
  // 100 us less the self time of both functions (20 + 4 us).
  CHECK(j["by_syscall"][0]["untraced_ns"] == 76'000);
  CHECK(j["by_syscall"][0]["tree"][1]["parent"] == "ext4_file_read_iter");
  CHECK(j["by_syscall"][0]["tree"][0]["parent"].is_null());
  CHECK(j["lost"] == 2);
  CHECK(j["lost_detail"]["unmatched"] == 2);

  std::ostringstream text;
  exporter::make_func_writer(text, {})->write(rep);
  const std::string t = text.str();
  CHECK(t.find("FUNCTION") != std::string::npos);
  CHECK(t.find("LOST: 2 calls not timed") != std::string::npos);
  CHECK(t.find("(in no traced function)") != std::string::npos);
  CHECK(t.find("76.0us") != std::string::npos);
  CHECK(t.find("\n    › vfs_read ") != std::string::npos);

  std::ostringstream csv;
  wo.format = exporter::Format::Csv;
  exporter::make_func_writer(csv, wo)->write(rep);
  CHECK(csv.str().rfind("time,start,interval_s,name,count,rate,total_ns,self_ns", 0) == 0);
  CHECK(csv.str().find(",ext4_file_read_iter,1,0.500,50000,20000,") != std::string::npos);
}
