// Anomalies and automatic thresholds against a real workload (wl_anomaly):
// steady 1 ms sleeps and cheap calls, then 20 ms sleeps; a futex storm
// after a quiet period. Short intervals (-i 0.5) and a short learning
// (--learn 6) keep each run under 10 s.
#include <catch2/catch.hpp>

#include <time.h>

#include <string>
#include <vector>

#include "test_support.h"

namespace {

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kInterval = kSecond / 2;  // -i 0.5

std::string sysslow_bin() { return std::string(SYSLAT_BUILD_DIR) + "/sysslow"; }

// The wall-clock time the workload wrote as "WHAT NS" on stderr.
int64_t marker_ns(const std::string& err, const std::string& what) {
  const size_t at = err.find(what + " ");
  if (at == std::string::npos) return 0;
  return std::stoll(err.substr(at + what.size() + 1));
}

int64_t realtime_now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return ts.tv_sec * kSecond + ts.tv_nsec;
}

std::vector<nlohmann::json> of_type(const std::vector<nlohmann::json>& objects, const std::string& type) {
  std::vector<nlohmann::json> out;
  for (const auto& o : objects)
    if (o.value("type", "") == type) out.push_back(o);
  return out;
}

std::string dump(const std::vector<nlohmann::json>& objects) {
  std::string text;
  for (const auto& o : objects) text += o.dump() + "\n";
  return text;
}

}  // namespace

// --anomaly-score 20, not the default 5: this project's 2-core VM runs
// other builds and tests beside this one, and their bursts move the p99 of
// 1 ms sleeps to 2-7 ms for an interval now and then (score 6 to 17, about
// one interval in 40 at 5). The 20x shift scores over 30.
TEST_CASE("syslat -i: steady sleeps raise no anomaly, 20 ms sleeps raise one on nanosleep within 2 intervals",
          "[privileged]") {
  slt::TempDir dir;
  const std::string html = dir.file("report.html");
  const auto r = slt::run_json(slt::syslat_bin(), {"-i", "0.5", "--learn", "6", "--anomaly-score", "20", "--html", html},
                               {slt::workload("wl_anomaly"), "shift", "6", "2"});
  INFO(r.describe());
  REQUIRE(r.run.status == 0);
  const int64_t switched = marker_ns(r.run.err, "switch");
  REQUIRE(switched > 0);
  REQUIRE(of_type(r.reports, "lat").size() >= 14);  // 8 s of 0.5 s intervals: it learned, then judged
  const auto anomalies = of_type(r.reports, "anomaly");
  INFO("anomalies:\n" << dump(anomalies));
  size_t on_nanosleep = 0;
  for (const auto& a : anomalies) {
    const int64_t at = slt::rfc3339_ns(a.at("time").get<std::string>());
    INFO(a.dump() << " at " << (at - switched) / 1e6 << " ms from the switch");
    CHECK(at >= switched);  // nothing in the steady part
    CHECK(a.at("syscall") == "nanosleep");  // nothing on getppid or poll
    if (a.at("syscall") != "nanosleep") continue;
    ++on_nanosleep;
    if (on_nanosleep == 1) CHECK(at - switched <= 2 * kInterval + 100'000'000);  // (+ the timer's slack)
    CHECK(a.at("unit") == "ns");
    CHECK(a.at("now").get<double>() >= 10e6);
    CHECK(a.at("baseline").get<double>() < 3e6);
    CHECK(a.at("score").get<double>() >= 20);
  }
  CHECK(on_nanosleep >= 1);
  // The HTML report lists the same anomalies.
  const std::string page = slt::read_file(html);
  size_t listed = 0;
  for (size_t at = 0; (at = page.find("<tr class=\"anomaly\" data-syscall=\"nanosleep\">", at)) != std::string::npos; ++at)
    ++listed;
  CHECK(listed == on_nanosleep);
}

TEST_CASE("syscount -i: a futex storm after a quiet period is a rate anomaly on futex", "[privileged]") {
  const auto r = slt::run_json(slt::syscount_bin(), {"-i", "0.5", "--learn", "6", "--anomaly-score", "20"},
                               {slt::workload("wl_anomaly"), "storm", "5", "1.5"});
  INFO(r.describe());
  REQUIRE(r.run.status == 0);
  const int64_t storm = marker_ns(r.run.err, "storm");
  REQUIRE(storm > 0);
  const auto anomalies = of_type(r.reports, "anomaly");
  INFO("anomalies:\n" << dump(anomalies));
  bool futex_rate = false;
  for (const auto& a : anomalies) {
    CHECK(slt::rfc3339_ns(a.at("time").get<std::string>()) >= storm);
    if (a.at("syscall") == "futex" && a.at("what") == "rate") {
      futex_rate = true;
      CHECK(a.at("unit") == "calls_per_s");
      CHECK(a.at("baseline").get<double>() < 10);
      CHECK(a.at("now").get<double>() >= 1000);
    }
  }
  CHECK(futex_rate);
}

// 50 ms, not 20: on this project's busy 2-core VM (a load of 4) a 1 ms
// sleep now and then wakes 10 to 27 ms late, so the learned threshold of the
// 1 ms sleeps (1.5 x the p99.9 of a bad interval) lands between 10 and 33 ms
// there, and 20 ms sleeps are inside the steady part's own tail. On a quiet
// machine it is about 3 ms, and 20 ms sleeps are all slow.
TEST_CASE("sysslow --threshold auto: once learned, steady sleeps are not slow and 50 ms sleeps are", "[privileged]") {
  // --auto-floor 5ms: on a busy VM a getppid now and then loses the CPU for
  // a millisecond or two (stolen time), which is not what this test is about.
  const int64_t started = realtime_now_ns();
  const auto r = slt::run_json(sysslow_bin(), {"--threshold", "auto", "--auto-floor", "5ms", "-i", "0.5", "--learn", "6"},
                               {slt::workload("wl_anomaly"), "shift", "6", "2", "50"});
  INFO(r.describe());
  REQUIRE(r.run.status == 0);
  const int64_t switched = marker_ns(r.run.err, "switch");
  REQUIRE(switched > 0);
  const auto events = of_type(r.reports, "slow");
  // Learned after 6 intervals of 0.5 s past the first: 4 s is past it.
  size_t steady_slow = 0, slow_sleeps = 0;
  std::string steady_events;
  for (const auto& e : events) {
    const int64_t at = slt::rfc3339_ns(e.at("time").get<std::string>());
    if (at >= started + 4 * kSecond && at < switched) {
      ++steady_slow;
      steady_events += e.dump() + "\n";
    }
    if (at >= switched && e.at("syscall") == "nanosleep") ++slow_sleeps;
  }
  INFO("slow events in the learned steady part:\n" << steady_events);
  // None on a quiet machine; on a busy one (this project's 2-core VM at a
  // load of 4) a 1 ms sleep now and then wakes 10 to 27 ms late, as late as
  // the 20 ms sleeps: at most 2 of the ~1500 steady calls in those 2 s.
  CHECK(steady_slow <= 2);
  CHECK(slow_sleeps >= 30);  // of about 40 sleeps of 40 to 60 ms
  const auto thresholds = of_type(r.reports, "thresholds");
  REQUIRE(thresholds.size() == 1);
  INFO(thresholds[0].dump());
  bool nanosleep_learned = false;
  for (const auto& t : thresholds[0].at("thresholds")) {
    CHECK(t.at("threshold_ns").get<uint64_t>() >= 5'000'000);  // the floor
    if (t.at("syscall") != "nanosleep") continue;
    nanosleep_learned = true;
    CHECK(t.at("threshold_ns").get<uint64_t>() < 40'000'000);
    CHECK(t.at("baseline_p999_ns").get<uint64_t>() >= 1'000'000);
  }
  CHECK(nanosleep_learned);
}

TEST_CASE("anomaly and auto-threshold options: bad values are one-line errors", "[privileged]") {
  const std::vector<std::pair<std::vector<std::string>, std::string>> rows = {
      {{slt::syslat_bin(), "-i", "1", "--anomaly-score", "lots"}, "--anomaly-score"},
      {{slt::syslat_bin(), "-i", "1", "--anomaly-score", "-3"}, "--anomaly-score"},
      {{slt::syslat_bin(), "-i", "1", "--learn", "1"}, "--learn"},
      {{sysslow_bin(), "--auto-floor", "5ms"}, "--auto-floor"},
      {{sysslow_bin(), "--threshold", "auto", "--auto-floor", "5"}, "--auto-floor"},
      {{sysslow_bin(), "--threshold", "raed=auto"}, "raed"},
      {{sysslow_bin(), "-i", "1", "--threshold", "10ms"}, "-i/--interval"},
  };
  for (const auto& [argv, names] : rows) {
    const auto r = slt::check_rejected(argv, names);
    INFO(r.describe());
    CHECK(r.problem == "");
  }
}
