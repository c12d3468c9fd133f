// Latency: `syslat` distributions and `syscount -L` columns for calls whose
// duration we know (nanosleep), and --min-duration.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

#include "test_support.h"

using slt::Counts;
using slt::Table;

namespace {

const nlohmann::json& row(const nlohmann::json& report, const std::string& name) {
  for (const auto& r : report.at("syscalls"))
    if (r.at("name") == name) return r;
  throw std::runtime_error("no row for " + name + " in " + report.dump());
}

uint64_t u(const nlohmann::json& j, const char* key) { return j.at(key).get<uint64_t>(); }

constexpr uint64_t kMs = 1'000'000;

// Nearest-rank percentile of the durations wl_sleep printed.
uint64_t true_percentile(const std::string& printed, double p) {
  std::vector<uint64_t> v;
  std::istringstream lines(printed);
  for (uint64_t ns; lines >> ns;) v.push_back(ns);
  if (v.empty()) throw std::runtime_error("wl_sleep printed no durations");
  std::sort(v.begin(), v.end());
  const size_t rank = static_cast<size_t>(std::ceil(p / 100 * v.size()));
  return v[std::max<size_t>(rank, 1) - 1];
}

}  // namespace

TEST_CASE("syslat -- wl_sleep 50 2ms: 50 nanosleeps, p50 in [2,3] ms, histogram around 2 ms", "[privileged]") {
  const auto r = slt::run_json(slt::syslat_bin(), {}, {slt::workload("wl_sleep"), "50", "2000000"});
  INFO(r.describe());
  REQUIRE(r.run.status == 0);
  REQUIRE(r.reports.size() == 1);
  const auto& report = r.reports[0];
  CHECK(report.at("type") == "lat");
  CHECK(report.at("timed") == true);
  const auto& ns = row(report, "nanosleep");
  INFO(ns.dump());
  CHECK(u(ns, "count") == 50);
  CHECK(u(ns, "errors") == 0);
  CHECK(u(ns, "timed_count") == 50);
  CHECK(u(ns, "min_ns") >= 2 * kMs);
  CHECK(u(ns, "p50_ns") >= 2 * kMs);
  CHECK(u(ns, "p50_ns") <= 3 * kMs);
  CHECK(u(ns, "min_ns") <= u(ns, "avg_ns"));
  CHECK(u(ns, "avg_ns") <= u(ns, "max_ns"));
  CHECK(u(ns, "p50_ns") <= u(ns, "p90_ns"));
  CHECK(u(ns, "p90_ns") <= u(ns, "p99_ns"));
  // Percentiles are within 10 % of real values, which lie in [min, max].
  CHECK(u(ns, "p50_ns") * 10 >= u(ns, "min_ns") * 9);
  CHECK(u(ns, "p99_ns") * 10 <= u(ns, "max_ns") * 11);
  CHECK(u(ns, "total_ns") >= 50 * u(ns, "min_ns"));
  CHECK(u(ns, "total_ns") <= 50 * u(ns, "max_ns"));

  uint64_t mass = 0, near_2ms = 0;
  for (const auto& b : ns.at("histogram")) {
    const uint64_t lo = u(b, "lo_ns");
    const bool open = b.at("hi_ns").is_null();
    CHECK((open || u(b, "hi_ns") > lo));
    mass += u(b, "count");
    if (lo <= 3 * kMs && (open || u(b, "hi_ns") > 2 * kMs)) near_2ms += u(b, "count");
  }
  CHECK(mass == 50);
  CHECK(near_2ms >= 45);  // a loaded machine may oversleep a few
}

TEST_CASE("syslat percentiles are within 10 % of the true ones (60 x 1 ms + 40 x 4 ms)", "[privileged]") {
  const auto r = slt::run_json(slt::syslat_bin(), {"-S", "nanosleep"},
                               {slt::workload("wl_sleep"), "60", "1000000", "40", "4000000"});
  INFO(r.describe());
  REQUIRE(r.run.status == 0);
  const auto& ns = row(r.reports.at(0), "nanosleep");
  INFO(ns.dump() << "\nmeasured by the workload (ns):\n" << r.run.out);
  CHECK(u(ns, "count") == 100);
  // The workload's own clock also covers syscall entry and exit: allow 20 us.
  for (const auto& [key, p] : {std::pair{"p50_ns", 50.0}, {"p90_ns", 90.0}, {"p99_ns", 99.0}}) {
    const double truth = static_cast<double>(true_percentile(r.run.out, p));
    INFO(key << ": ours " << u(ns, key) << ", true " << truth);
    CHECK(static_cast<double>(u(ns, key)) >= truth * 0.9 - 20'000);
    CHECK(static_cast<double>(u(ns, key)) <= truth * 1.1);
  }
}

TEST_CASE("syscount -L adds total/avg/min/max that bracket the real sleep", "[privileged][guest]") {
  const auto r = slt::run_json(slt::syscount_bin(), {"-L"}, {slt::workload("wl_sleep"), "20", "1000000"});
  INFO(r.describe());
  REQUIRE(r.run.status == 0);
  const auto& report = r.reports.at(0);
  CHECK(report.at("type") == "count");
  CHECK(report.at("timed") == true);
  const auto& ns = row(report, "nanosleep");
  INFO(ns.dump());
  CHECK(u(ns, "count") == 20);
  CHECK(u(ns, "timed_count") == 20);
  CHECK(u(ns, "min_ns") >= 1 * kMs);
  CHECK(u(ns, "avg_ns") >= u(ns, "min_ns"));
  CHECK(u(ns, "avg_ns") <= u(ns, "max_ns"));
  CHECK(u(ns, "avg_ns") < 5 * kMs);
  CHECK(u(ns, "total_ns") / 20 == u(ns, "avg_ns"));
}

TEST_CASE("syscount and syslat --min-duration count only calls at least that long", "[privileged]") {
  // 5 batches of 100 getppid (sub-microsecond) and one 2 ms nanosleep.
  for (const auto& bin : {slt::syscount_bin(), slt::syslat_bin()}) {
    const auto r = slt::run_json(bin, {"--min-duration", "1500us", "-S", "getppid,nanosleep"},
                                 {slt::workload("wl_loop"), "getppid", "100", "2", "5"});
    INFO(r.describe());
    REQUIRE(r.run.status == 0);
    INFO(slt::to_string(r.table));
    CHECK(r.table == Table{{"nanosleep", {5, 0}}});
    const auto all = slt::run_json(bin, {"-S", "getppid,nanosleep"},
                                   {slt::workload("wl_loop"), "getppid", "100", "2", "5"});
    CHECK(all.table == Table{{"getppid", {500, 0}}, {"nanosleep", {5, 0}}});
  }
}

TEST_CASE("syslat -i 0.5: per-interval counts and histograms add up to the run's calls", "[privileged][guest]") {
  const auto r = slt::run_json(slt::syslat_bin(), {"-i", "0.5", "-S", "nanosleep"},
                               {slt::workload("wl_sleep"), "120", "10000000"});  // ~1.2 s
  INFO(r.describe());
  REQUIRE(r.run.status == 0);
  CHECK(r.reports.size() >= 3);
  uint64_t calls = 0, mass = 0;
  for (const auto& report : r.reports) {
    INFO(report.dump());
    for (const auto& s : report.at("syscalls")) {
      uint64_t in_histogram = 0;
      for (const auto& b : s.at("histogram")) in_histogram += u(b, "count");
      CHECK(in_histogram == u(s, "timed_count"));
      calls += u(s, "count");
      mass += in_histogram;
      if (u(s, "count") > 0) {
        CHECK(u(s, "min_ns") >= 10 * kMs);
        CHECK(u(s, "p50_ns") >= 9 * kMs);
      }
    }
  }
  CHECK(calls == 120);
  CHECK(mass == 120);
}
