#include "core/histogram.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <utility>

namespace syslat::core {
namespace {

constexpr unsigned kFirstDisplayPow = 10;  // [0, 2^10) is the first display bucket
constexpr unsigned kLastDisplayPow = 30;   // [2^30, inf) is the last
constexpr size_t kDisplayBuckets = kLastDisplayPow - kFirstDisplayPow + 2;
static_assert(kDisplayBuckets == kLog2Buckets);

// The display bucket holding fine bucket `idx`. Exact because every power of
// two >= HIST_SUB is a fine-bucket boundary.
size_t display_index(uint32_t idx) {
  uint64_t lo = hist_bucket_lo(idx);
  if (lo < (1ull << kFirstDisplayPow)) return 0;
  unsigned pow = syslat_log2(lo);
  if (pow >= kLastDisplayPow) return kDisplayBuckets - 1;
  return pow - kFirstDisplayPow + 1;
}

uint64_t display_lo(size_t index) { return index == 0 ? 0 : 1ull << (index - 1 + kFirstDisplayPow); }

uint64_t display_hi(size_t index) {
  return index + 1 == kDisplayBuckets ? std::numeric_limits<uint64_t>::max() : 1ull << (index + kFirstDisplayPow);
}

// A bound as people read it: 3 significant digits in the unit that keeps
// it below 1000 ("1.02", "524", "1.05" with unit us, us, ms). "0" has no unit.
std::string decimal_amount(uint64_t ns, std::string& unit) {
  static constexpr std::pair<double, const char*> kUnits[] = {{1e3, "us"}, {1e6, "ms"}, {1e9, "s"}};
  unit.clear();
  if (ns == 0) return "0";
  double value = 0;
  for (const auto& [scale, name] : kUnits) {
    value = static_cast<double>(ns) / scale;
    unit = name;
    if (value < 999.5 || scale == 1e9) break;  // 999.7us prints as 1.00ms, not 1000us
  }
  const int decimals = value < 9.995 ? 2 : value < 99.95 ? 1 : 0;
  return fmt::format("{:.{}f}", value, decimals);
}

}  // namespace

Histogram& Histogram::operator+=(const Histogram& other) {
  for (size_t i = 0; i < counts.size(); ++i) counts[i] += other.counts[i];
  return *this;
}

uint64_t Histogram::total() const { return std::accumulate(counts.begin(), counts.end(), uint64_t{0}); }

bool Histogram::empty() const {
  for (uint64_t count : counts) {
    if (count != 0) return false;
  }
  return true;
}

uint64_t Histogram::percentile_ns(double q) const {
  constexpr double kMaxError = 0.08;  // docs/cli.md: percentiles within 10 % of the true value
  uint64_t n = total();
  if (n == 0) return 0;
  uint64_t rank = 1;
  if (q >= 1) {
    rank = n;
  } else if (q > 0) {
    // ceil(q*n), but 0.07*100 = 7.000000000000001 must still be rank 7.
    double exact = q * static_cast<double>(n);
    double nearest = std::round(exact);
    double ceiled = std::abs(exact - nearest) < 1e-9 * std::max(1.0, exact) ? nearest : std::ceil(exact);
    rank = std::clamp<uint64_t>(static_cast<uint64_t>(ceiled), 1, n);
  }
  uint64_t below = 0;
  for (uint32_t i = 0; i < counts.size(); ++i) {
    if (below + counts[i] < rank) {
      below += counts[i];
      continue;
    }
    uint64_t lo = hist_bucket_lo(i);
    if (i == HIST_OVERFLOW) return lo;
    uint64_t width = hist_bucket_lo(i + 1) - lo;
    // The samples of a bucket are taken as evenly spread over it; the k-th
    // of c sits at the middle of its 1/c share.
    double position = (static_cast<double>(rank - below) - 0.5) / static_cast<double>(counts[i]);
    const uint64_t spread = lo + static_cast<uint64_t>(position * static_cast<double>(width));
    // Whatever the samples really were (all at lo, or all at the top), the
    // answer stays within kMaxError of them: a bucket is up to 1/8 of lo wide,
    // so interpolating across all of it could be 12.5 % off.
    const auto near_lo = static_cast<uint64_t>(static_cast<double>(lo) * (1 + kMaxError));
    const auto near_top = static_cast<uint64_t>(std::ceil(static_cast<double>(lo + width - 1) / (1 + kMaxError)));
    return std::clamp(spread, std::min(near_top, near_lo), near_lo);
  }
  return 0;  // unreachable: rank <= total
}

Log2Counts log2_counts(const Histogram& histogram) {
  Log2Counts folded{};
  for (uint32_t i = 0; i < histogram.counts.size(); ++i) folded[display_index(i)] += histogram.counts[i];
  return folded;
}

Log2Bucket log2_bucket(size_t index, uint64_t count) { return {display_lo(index), display_hi(index), count}; }

std::vector<Log2Bucket> log2_buckets(const Histogram& histogram) {
  const Log2Counts folded = log2_counts(histogram);

  size_t first = 0;
  while (first < folded.size() && folded[first] == 0) ++first;
  if (first == folded.size()) return {};
  size_t last = folded.size() - 1;
  while (folded[last] == 0) --last;

  std::vector<Log2Bucket> buckets;
  for (size_t i = first; i <= last; ++i) buckets.push_back({display_lo(i), display_hi(i), folded[i]});
  return buckets;
}

std::string log2_label(const Log2Bucket& bucket) {
  std::string lo_unit;
  const std::string lo = decimal_amount(bucket.lo_ns, lo_unit);
  if (bucket.hi_ns == std::numeric_limits<uint64_t>::max()) return ">=" + lo + lo_unit;
  std::string hi_unit;
  const std::string hi = decimal_amount(bucket.hi_ns, hi_unit);
  // "1.05-2.10ms": a lower bound in the upper one's unit says it once.
  if (lo_unit.empty() || lo_unit == hi_unit) return lo + "-" + hi + hi_unit;
  return lo + lo_unit + "-" + hi + hi_unit;
}

uint64_t bucket_bound_at_or_below(uint64_t ns) {
  if (ns >= hist_bucket_lo(HIST_OVERFLOW)) return hist_bucket_lo(HIST_OVERFLOW);
  const uint32_t idx = hist_bucket(ns);  // the bucket holding ns starts at or below it
  return hist_bucket_lo(idx);
}

std::vector<uint64_t> cumulative_counts(const Histogram& histogram, std::span<const uint64_t> bounds_ns) {
  std::vector<uint64_t> out(bounds_ns.size());
  uint64_t running = 0;
  uint32_t idx = 0;
  for (size_t b = 0; b < bounds_ns.size(); ++b) {
    // Bucket idx spans [lo(idx), lo(idx+1)): in once its upper end is <= the bound.
    while (idx < HIST_OVERFLOW && hist_bucket_lo(idx + 1) <= bounds_ns[b]) running += histogram.counts[idx++];
    out[b] = running;
  }
  return out;
}

uint64_t clamped_percentile_ns(const Histogram& h, double q, uint64_t min_ns, uint64_t max_ns) {
  if (h.empty()) return 0;
  return std::clamp(h.percentile_ns(q), min_ns, std::max(min_ns, max_ns));
}

}  // namespace syslat::core
