// Checks shared by the tests of the kernel's counters: what must hold of one
// poll's stats whoever wrote them (the real kernel or a test playing it).
#pragma once

#include <cstdint>
#include <string>

#include "core/stats.h"
#include "syslat.h"

namespace slt {

// Whether a poll's max and min lie in its histogram's highest and lowest
// non-empty buckets (they are extremes of exactly those calls), and if not, why.
struct Extremes {
  bool ok = true;
  std::string why;
};

inline Extremes check_extremes(const syslat::core::SyscallStats& s) {
  Extremes e;
  int lowest = -1, highest = -1;
  for (int b = 0; b < static_cast<int>(HIST_NBUCKETS); ++b) {
    if (!s.hist.counts[b]) continue;
    if (lowest < 0) lowest = b;
    highest = b;
  }
  if (highest < 0) {
    if (s.max_ns || s.min_ns) e = {false, "min/max " + std::to_string(s.min_ns) + "/" + std::to_string(s.max_ns) +
                                              " with an empty histogram"};
    return e;
  }
  const auto in_bucket = [](uint64_t v, int b) {
    return v >= hist_bucket_lo(b) && (b == static_cast<int>(HIST_OVERFLOW) || v < hist_bucket_lo(b + 1));
  };
  if (!in_bucket(s.max_ns, highest))
    e = {false, "max " + std::to_string(s.max_ns) + " outside the highest bucket [" +
                    std::to_string(hist_bucket_lo(highest)) + ", " + std::to_string(hist_bucket_lo(highest + 1)) + ")"};
  else if (!in_bucket(s.min_ns, lowest))
    e = {false, "min " + std::to_string(s.min_ns) + " outside the lowest bucket [" +
                    std::to_string(hist_bucket_lo(lowest)) + ", " + std::to_string(hist_bucket_lo(lowest + 1)) + ")"};
  return e;
}

}  // namespace slt
