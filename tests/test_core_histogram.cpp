#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include "core/histogram.h"

using namespace syslat::core;

namespace {

void check_bucket_bounds(uint64_t v) {
  uint32_t idx = hist_bucket(v);
  INFO("v=" << v << " idx=" << idx);
  REQUIRE(idx < HIST_NBUCKETS);
  uint64_t lo = hist_bucket_lo(idx);
  CHECK(lo <= v);
  if (idx == HIST_OVERFLOW) return;
  uint64_t hi = hist_bucket_lo(idx + 1);
  CHECK(v < hi);
  // Relative width at most 1/8 (exact buckets below 8 are 1 wide).
  if (lo >= 8) CHECK((hi - lo) * 8 <= lo);
}

Histogram from_samples(const std::vector<uint64_t>& samples) {
  Histogram h;
  for (uint64_t v : samples) h.counts[hist_bucket(v)]++;
  return h;
}

// The exact value at rank ceil(q*n) of the sorted samples.
uint64_t true_percentile(std::vector<uint64_t> samples, double q) {
  std::sort(samples.begin(), samples.end());
  size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(samples.size())));
  return samples[std::max<size_t>(rank, 1) - 1];
}

}  // namespace

TEST_CASE("every value lands in the bucket that spans it", "[histogram]") {
  for (uint64_t v = 0; v < 4096; ++v) check_bucket_bounds(v);
  for (unsigned pow = 3; pow < 64; ++pow) {
    uint64_t p = 1ull << pow;
    check_bucket_bounds(p - 1);
    check_bucket_bounds(p);
    check_bucket_bounds(p + 1);
  }
  check_bucket_bounds(std::numeric_limits<uint64_t>::max());
  std::mt19937_64 rng(42);
  for (int i = 0; i < 100000; ++i) check_bucket_bounds(rng() >> (rng() % 64) >> 24);  // spread up to 2^40
  CHECK(hist_bucket(1ull << HIST_MAX_POW) == HIST_OVERFLOW);
  CHECK(hist_bucket((1ull << HIST_MAX_POW) - 1) == HIST_OVERFLOW - 1);
}

TEST_CASE("percentiles of known distributions are within 10%", "[histogram]") {
  SECTION("1000 samples uniform in 2.0-2.2 ms") {
    std::vector<uint64_t> samples;
    for (int i = 0; i < 1000; ++i) samples.push_back(2'000'000 + static_cast<uint64_t>(i) * 200);
    Histogram h = from_samples(samples);
    uint64_t p50 = h.percentile_ns(0.5);
    CHECK(p50 >= 2'000'000);
    CHECK(p50 <= 2'200'000);
  }
  SECTION("99% fast, 1% slow: p50 and p90 are fast, p99 is fast, p99.5 is slow") {
    std::vector<uint64_t> samples(990, 1'000);   // 1 us
    samples.insert(samples.end(), 10, 50'000'000);  // 50 ms
    Histogram h = from_samples(samples);
    CHECK(h.percentile_ns(0.5) == Approx(1'000).epsilon(0.10));
    CHECK(h.percentile_ns(0.99) == Approx(1'000).epsilon(0.10));
    CHECK(h.percentile_ns(0.995) == Approx(50'000'000).epsilon(0.10));
    CHECK(h.percentile_ns(1.0) == Approx(50'000'000).epsilon(0.10));
  }
  SECTION("random log-uniform latencies from 100 ns to 1 s") {
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> exponent(2.0, 9.0);
    std::vector<uint64_t> samples;
    for (int i = 0; i < 20000; ++i) samples.push_back(static_cast<uint64_t>(std::pow(10.0, exponent(rng))));
    Histogram h = from_samples(samples);
    for (double q : {0.01, 0.1, 0.5, 0.9, 0.99, 0.999}) {
      INFO("q=" << q);
      CHECK(h.percentile_ns(q) == Approx(true_percentile(samples, q)).epsilon(0.10));
    }
  }
}

TEST_CASE("percentiles stay within 10% wherever the samples sit in their bucket", "[histogram]") {
  // All samples at one value: at the bottom of a wide bucket (1025 ns in
  // [1024, 1152)), at its top, and everywhere between, from 1 ns to 100 s.
  SECTION("a bucket's bottom with a slow tail: p99 is the bottom value") {
    std::vector<uint64_t> samples(990, 1'025);
    samples.insert(samples.end(), 10, 10'000);
    CHECK(from_samples(samples).percentile_ns(0.99) == Approx(1'025).epsilon(0.10));
  }
  SECTION("every value, every percentile") {
    for (uint64_t v = 1; v < 100'000'000'000ull; v = v * 21 / 20 + 1) {
      Histogram h;
      h.counts[hist_bucket(v)] = 1000;
      for (double q : {0.01, 0.5, 0.99, 1.0}) {
        INFO("v=" << v << " q=" << q);
        CHECK(h.percentile_ns(q) == Approx(static_cast<double>(v)).epsilon(0.10));
      }
    }
  }
}

TEST_CASE("percentile edge cases", "[histogram]") {
  Histogram h;
  CHECK(h.percentile_ns(0.5) == 0);
  CHECK(h.empty());
  h.counts[hist_bucket(5)] = 1;
  CHECK(h.percentile_ns(0.5) == 5);  // exact buckets are exact
  CHECK(h.percentile_ns(0) == 5);    // clamped to the smallest rank
  CHECK(h.percentile_ns(2) == 5);
  Histogram overflow;
  overflow.counts[HIST_OVERFLOW] = 3;
  CHECK(overflow.percentile_ns(0.99) == hist_bucket_lo(HIST_OVERFLOW));
  // ceil(q*n) must not be thrown off by 0.07*100 = 7.000000000000001.
  Histogram ranks;
  for (uint64_t v = 0; v < 100; ++v) ranks.counts[hist_bucket(v < 7 ? 1 : 4)]++;
  CHECK(ranks.percentile_ns(0.07) == 1);
}

TEST_CASE("histograms add bucket by bucket", "[histogram]") {
  Histogram a = from_samples({1'000, 2'000});
  Histogram b = from_samples({1'000, 3'000'000});
  a += b;
  CHECK(a.total() == 4);
  CHECK(a.counts[hist_bucket(1'000)] == 2);
  CHECK_FALSE(a.empty());
}

TEST_CASE("log2 display buckets fold the fine ones exactly", "[histogram]") {
  CHECK(log2_buckets(Histogram{}).empty());

  Histogram one = from_samples({1'500});
  auto single = log2_buckets(one);
  REQUIRE(single.size() == 1);
  CHECK(single[0].lo_ns == 1024);
  CHECK(single[0].hi_ns == 2048);
  CHECK(single[0].count == 1);

  std::mt19937_64 rng(1);
  std::vector<uint64_t> samples;
  for (int i = 0; i < 5000; ++i) samples.push_back(rng() >> (rng() % 64));
  Histogram h = from_samples(samples);
  auto buckets = log2_buckets(h);
  uint64_t folded_total = 0;
  for (const Log2Bucket& b : buckets) folded_total += b.count;
  CHECK(folded_total == h.total());
  // Every sample is counted in the display bucket that spans it.
  for (const Log2Bucket& b : buckets) {
    uint64_t expected = 0;
    for (uint64_t v : samples) expected += (v >= b.lo_ns && (b.hi_ns == UINT64_MAX || v < b.hi_ns)) ? 1 : 0;
    CHECK(b.count == expected);
  }
}

TEST_CASE("log2 buckets are trimmed but keep inner gaps", "[histogram]") {
  auto buckets = log2_buckets(from_samples({1'500, 5'000}));  // [1,2)us and [4,8)us
  REQUIRE(buckets.size() == 3);
  CHECK(buckets[1].lo_ns == 2048);
  CHECK(buckets[1].count == 0);

  auto wide = log2_buckets(from_samples({10, 5'000'000'000}));
  REQUIRE(wide.size() == 22);
  CHECK(wide.front().lo_ns == 0);
  CHECK(wide.back().lo_ns == 1ull << 30);
  CHECK(wide.back().hi_ns == UINT64_MAX);
}

TEST_CASE("log2 labels state each bucket's true bounds, to 3 significant digits", "[histogram]") {
  // The buckets are powers of two of nanoseconds: [2^20, 2^21) ns is
  // 1.048576 ms up to 2.097152 ms, not "1-2ms".
  auto label = [](uint64_t lo, uint64_t hi) { return log2_label({lo, hi, 0}); };
  CHECK(label(0, 1024) == "0-1.02us");
  CHECK(label(1024, 2048) == "1.02-2.05us");
  CHECK(label(1ull << 12, 1ull << 13) == "4.10-8.19us");
  CHECK(label(1ull << 16, 1ull << 17) == "65.5-131us");
  CHECK(label(1ull << 19, 1ull << 20) == "524us-1.05ms");
  CHECK(label(1ull << 20, 1ull << 21) == "1.05-2.10ms");
  CHECK(label(1ull << 23, 1ull << 24) == "8.39-16.8ms");
  CHECK(label(1ull << 29, 1ull << 30) == "537ms-1.07s");
  CHECK(label(1ull << 30, UINT64_MAX) == ">=1.07s");
  std::vector<std::string> all;
  for (const Log2Bucket& b : log2_buckets(from_samples({10, 5'000'000'000}))) all.push_back(log2_label(b));
  REQUIRE(all.size() == 22);
  CHECK(all.front() == "0-1.02us");
  CHECK(all[10] == "524us-1.05ms");
  CHECK(all.back() == ">=1.07s");
  // Every label's numbers are its bucket's bounds to within rounding (0.5 %);
  // a lower bound without a unit has the upper bound's.
  static const std::regex form(R"(^(>=)?([0-9.]+)(us|ms|s)?(?:-([0-9.]+)(us|ms|s))?$)");
  auto ns = [](const std::string& number, const std::string& unit) {
    return std::stod(number) * (unit == "us" ? 1e3 : unit == "ms" ? 1e6 : 1e9);
  };
  for (const Log2Bucket& b : log2_buckets(from_samples({10, 5'000'000'000}))) {
    const std::string text = log2_label(b);
    INFO(text);
    std::smatch m;
    REQUIRE(std::regex_match(text, m, form));
    const bool open = b.hi_ns == UINT64_MAX;
    CHECK(m[1].matched == open);
    CHECK(m[4].matched == !open);
    const double lo = ns(m[2], m[3].matched ? m[3].str() : m[5].str());
    CHECK(std::abs(lo - static_cast<double>(b.lo_ns)) <= 0.005 * static_cast<double>(b.lo_ns));
    if (!open) CHECK(std::abs(ns(m[4], m[5]) - static_cast<double>(b.hi_ns)) <= 0.005 * static_cast<double>(b.hi_ns));
  }
}
