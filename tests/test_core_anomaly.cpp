// The anomaly detector on synthetic intervals: robust baselines of past
// intervals only, in log-latency space.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "core/anomaly.h"
#include "core/auto_threshold.h"

using namespace syslat::core;

namespace {

constexpr int kRead = 0;
constexpr int kFutex = 202;

// One 1-second interval starting at second `index`, with `latencies_ns` as
// calls of syscall `nr` (plus any added later).
struct IntervalBuilder {
  Sample sample;
  explicit IntervalBuilder(uint64_t index) {
    sample.start_ns = index * 1'000'000'000ull;
    sample.end_ns = sample.start_ns + 1'000'000'000ull;
  }
  IntervalBuilder& calls(int nr, const std::vector<uint64_t>& latencies_ns) {
    SyscallStats& s = sample.syscalls[SyscallId(nr)];
    for (uint64_t ns : latencies_ns) {
      ++s.calls;
      ++s.timed;
      s.total_ns += ns;
      ++s.hist.counts[hist_bucket(ns)];
    }
    return *this;
  }
  IntervalBuilder& untimed(int nr, uint64_t n) {
    sample.syscalls[SyscallId(nr)].calls += n;
    return *this;
  }
};

// n calls around `center_ns`, log-normally jittered (sigma in octaves).
std::vector<uint64_t> jittered(std::mt19937& rng, size_t n, double center_ns, double sigma_octaves) {
  std::normal_distribution<double> octaves(0, sigma_octaves);
  std::vector<uint64_t> out;
  for (size_t i = 0; i < n; ++i) out.push_back(static_cast<uint64_t>(center_ns * std::exp2(octaves(rng))));
  return out;
}

std::vector<uint64_t> concat(std::vector<uint64_t> a, const std::vector<uint64_t>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

size_t count_kind(const std::vector<Anomaly>& found, AnomalyKind kind) {
  return static_cast<size_t>(std::count_if(found.begin(), found.end(), [&](const Anomaly& a) { return a.kind == kind; }));
}

}  // namespace

TEST_CASE("anomaly: a steady noisy syscall raises nothing over hundreds of intervals", "[anomaly]") {
  std::mt19937 rng(1);
  AnomalyDetector detector;
  std::poisson_distribution<int> calls(500);
  size_t anomalies = 0;
  for (uint64_t i = 0; i < 500; ++i) {
    // ~1 ms sleeps, a quarter-octave of jitter, a few scheduling hiccups.
    auto lat = jittered(rng, static_cast<size_t>(calls(rng)), 1.1e6, 0.25);
    lat = concat(lat, jittered(rng, 3, 4e6, 0.5));
    anomalies += detector.observe(IntervalBuilder(i).calls(kRead, lat).sample).size();
  }
  CHECK(anomalies == 0);
}

TEST_CASE("anomaly: a bimodal syscall (cache hits and misses) is steady, a shift of its slow mode is not", "[anomaly]") {
  std::mt19937 rng(2);
  AnomalyDetector detector;
  size_t before = 0;
  for (uint64_t i = 0; i < 40; ++i) {
    auto lat = concat(jittered(rng, 700, 2e3, 0.2), jittered(rng, 300, 5e6, 0.2));  // 2 us hits, 5 ms misses
    before += detector.observe(IntervalBuilder(i).calls(kRead, lat).sample).size();
  }
  CHECK(before == 0);
  // The misses become 40 ms: the tail moves, the centre (a hit) does not.
  // A tail move is an anomaly once it held two intervals.
  auto slow_misses = [&] { return concat(jittered(rng, 700, 2e3, 0.2), jittered(rng, 300, 40e6, 0.2)); };
  CHECK(detector.observe(IntervalBuilder(40).calls(kRead, slow_misses()).sample).empty());
  CHECK(detector.scores().at(SyscallId(kRead)) >= 5);  // the gauge says it at once
  const auto found = detector.observe(IntervalBuilder(41).calls(kRead, slow_misses()).sample);
  REQUIRE(count_kind(found, AnomalyKind::P99) == 1);
  CHECK(count_kind(found, AnomalyKind::P50) == 0);
  const Anomaly& a = found.front();
  CHECK(a.id == SyscallId(kRead));
  CHECK(a.baseline == Approx(5e6).epsilon(0.5));
  CHECK(a.now == Approx(40e6).epsilon(0.5));
  CHECK(a.score >= 5);
}

TEST_CASE("anomaly: a heavy tail is the baseline, not an anomaly", "[anomaly]") {
  std::mt19937 rng(3);
  std::exponential_distribution<double> pareto_exp(1.2);  // log of a Pareto(alpha=1.2)
  AnomalyDetector detector;
  size_t anomalies = 0;
  for (uint64_t i = 0; i < 200; ++i) {
    std::vector<uint64_t> lat;
    for (int k = 0; k < 1000; ++k) lat.push_back(static_cast<uint64_t>(10e3 * std::exp(pareto_exp(rng))));
    anomalies += detector.observe(IntervalBuilder(i).calls(kRead, lat).sample).size();
  }
  CHECK(anomalies == 0);
}

TEST_CASE("anomaly: one outlier interval barely moves the baseline and raises nothing after it", "[anomaly]") {
  std::mt19937 rng(4);
  AnomalyDetector detector;
  for (uint64_t i = 0; i < 30; ++i) detector.observe(IntervalBuilder(i).calls(kRead, jittered(rng, 500, 1e6, 0.1)).sample);
  const uint64_t p999_before = *detector.baseline_ns(SyscallId(kRead), 0.999);
  const uint64_t p50_before = *detector.baseline_ns(SyscallId(kRead), 0.5);
  // A single 2 s call: the interval's p50 and p99 do not move.
  auto with_outlier = concat(jittered(rng, 500, 1e6, 0.1), {2'000'000'000});
  CHECK(detector.observe(IntervalBuilder(30).calls(kRead, with_outlier).sample).empty());
  // A whole interval 100x slower is an anomaly (p50), then the baseline stays where it was.
  CHECK_FALSE(detector.observe(IntervalBuilder(31).calls(kRead, jittered(rng, 500, 100e6, 0.1)).sample).empty());
  size_t after = 0;  // (the p99 of that interval held one interval only: never reported)
  for (uint64_t i = 32; i < 60; ++i)
    after += detector.observe(IntervalBuilder(i).calls(kRead, jittered(rng, 500, 1e6, 0.1)).sample).size();
  CHECK(after == 0);
  CHECK(*detector.baseline_ns(SyscallId(kRead), 0.5) == Approx(p50_before).epsilon(0.1));
  // p99.9 of the baseline is not 100 ms: it stays near its old value.
  CHECK(*detector.baseline_ns(SyscallId(kRead), 0.999) == Approx(p999_before).epsilon(0.2));
}

TEST_CASE("anomaly: a real shift is found in the first interval it covers, once, on that syscall only", "[anomaly]") {
  std::mt19937 rng(5);
  AnomalyDetector detector;
  for (uint64_t i = 0; i < 20; ++i)
    REQUIRE(detector
                .observe(IntervalBuilder(i)
                             .calls(kRead, jittered(rng, 900, 1.1e6, 0.1))
                             .calls(39, jittered(rng, 100000, 300, 0.3))
                             .sample)
                .empty());
  // The sleeps become 20 ms (so 20x fewer of them); getpid runs on.
  auto shifted = [&](uint64_t i) {
    return IntervalBuilder(i).calls(kRead, jittered(rng, 48, 20e6, 0.05)).calls(39, jittered(rng, 100000, 300, 0.3)).sample;
  };
  const auto found = detector.observe(shifted(20));
  REQUIRE(found.size() == 1);  // p50 only: 48 calls are too few for a p99
  CHECK(found[0].id == SyscallId(kRead));
  CHECK(found[0].kind == AnomalyKind::P50);
  CHECK(found[0].now == Approx(20e6).epsilon(0.15));
  CHECK(found[0].baseline == Approx(1.1e6).epsilon(0.15));
  CHECK(found[0].score > 20);
  CHECK(detector.scores().at(SyscallId(kRead)) == Approx(found[0].score));
  CHECK(detector.scores().at(SyscallId(39)) < 5);
  // It lasts: the gauge stays up, no new event.
  CHECK(detector.observe(shifted(21)).empty());
  CHECK(detector.scores().at(SyscallId(kRead)) > 5);
}

TEST_CASE("anomaly: nothing is judged while learning or on too few calls", "[anomaly]") {
  std::mt19937 rng(6);
  AnomalyConfig config;
  config.learn_intervals = 5;
  AnomalyDetector detector(config);
  for (uint64_t i = 0; i < 4; ++i) detector.observe(IntervalBuilder(i).calls(kRead, jittered(rng, 100, 1e6, 0.1)).sample);
  CHECK_FALSE(detector.baseline_ns(SyscallId(kRead), 0.999));
  CHECK(detector.observe(IntervalBuilder(4).calls(kRead, jittered(rng, 100, 1e9, 0.1)).sample).empty());  // 4 past intervals
  for (uint64_t i = 5; i < 10; ++i) detector.observe(IntervalBuilder(i).calls(kRead, jittered(rng, 100, 1e6, 0.1)).sample);
  CHECK(detector.observe(IntervalBuilder(10).calls(kRead, jittered(rng, 10, 1e9, 0.1)).sample).empty());  // 10 calls
  CHECK(detector.baseline_ns(SyscallId(kRead), 0.999));
}

TEST_CASE("anomaly: a futex storm after a quiet period is a rate anomaly", "[anomaly]") {
  std::mt19937 rng(7);
  AnomalyDetector detector;
  for (uint64_t i = 0; i < 20; ++i) REQUIRE(detector.observe(IntervalBuilder(i).calls(kRead, jittered(rng, 500, 1e6, 0.1)).sample).empty());
  // futex never called before: its past is 20 intervals of 0/s.
  const auto found = detector.observe(IntervalBuilder(20)
                                          .calls(kRead, jittered(rng, 500, 1e6, 0.1))
                                          .untimed(kFutex, 50'000)
                                          .sample);
  REQUIRE(found.size() == 1);
  CHECK(found[0].id == SyscallId(kFutex));
  CHECK(found[0].kind == AnomalyKind::Rate);
  CHECK(found[0].baseline == Approx(0).margin(1e-9));
  CHECK(found[0].now == Approx(50'000));
  // A rate that wobbles by 30 % is no storm.
  std::uniform_real_distribution<double> wobble(0.7, 1.3);
  AnomalyDetector steady;
  size_t rate_anomalies = 0;
  for (uint64_t i = 0; i < 300; ++i)
    rate_anomalies += steady.observe(IntervalBuilder(i).untimed(kFutex, static_cast<uint64_t>(10'000 * wobble(rng))).sample).size();
  CHECK(rate_anomalies == 0);
}

TEST_CASE("anomaly: a lasting shift is learned: no alarm once it is the new normal", "[anomaly]") {
  std::mt19937 rng(8);
  AnomalyDetector detector;
  for (uint64_t i = 0; i < 20; ++i) detector.observe(IntervalBuilder(i).calls(kRead, jittered(rng, 500, 1e6, 0.1)).sample);
  size_t events = 0;
  for (uint64_t i = 20; i < 100; ++i)
    events += detector.observe(IntervalBuilder(i).calls(kRead, jittered(rng, 500, 8e6, 0.1)).sample).size();
  CHECK(events == 2);  // p50 and p99, when the shift started
  CHECK(detector.scores().at(SyscallId(kRead)) < 5);
  CHECK(*detector.baseline_ns(SyscallId(kRead), 0.5) == Approx(8e6).epsilon(0.2));
}

TEST_CASE("auto thresholds: 1.5 x a bad interval's p99.9 of auto syscalls once learned, never below the floor", "[anomaly]") {
  std::mt19937 rng(9);
  AnomalyConfig config;
  config.learn_intervals = 5;
  AnomalyDetector detector(config);
  ThresholdSpec given;
  REQUIRE(given.add("auto,futex=3ms"));
  for (uint64_t i = 0; i < 4; ++i)
    detector.observe(IntervalBuilder(i).calls(kRead, jittered(rng, 1000, 2e6, 0.05)).calls(39, jittered(rng, 1000, 300, 0.05)).sample);
  CHECK(learned_thresholds(given, detector).learned.empty());  // 4 intervals: still the fixed default
  for (uint64_t i = 4; i < 20; ++i)
    detector.observe(IntervalBuilder(i)
                         .calls(kRead, jittered(rng, 1000, 2e6, 0.05))
                         .calls(39, jittered(rng, 1000, 300, 0.05))
                         .calls(kFutex, jittered(rng, 1000, 2e6, 0.05))
                         .sample);
  const LearnedThresholds t = learned_thresholds(given, detector);
  REQUIRE(t.learned.contains("read"));
  const uint64_t read_p999 = t.learned.at("read").baseline_p999_ns;
  CHECK(read_p999 == Approx(2e6 * std::exp2(3.09 * 0.05)).epsilon(0.1));
  CHECK(t.learned.at("read").threshold_ns >= 1.5 * read_p999);
  CHECK(t.learned.at("read").threshold_ns <= 2.0 * read_p999);
  CHECK(t.spec.for_name("read") == t.learned.at("read").threshold_ns);
  CHECK(t.learned.at("getpid").threshold_ns == 1'000'000);  // 300 ns calls: the floor
  CHECK_FALSE(t.learned.contains("futex"));                 // futex=3ms is fixed
  CHECK(t.spec.for_name("futex") == 3'000'000);
}
