// The one wording of where calls' time went (export/time_split_text.h).
#include <catch2/catch.hpp>

#include "export/time_split_text.h"

using syslat::core::TimeSplit;
using syslat::exporter::percent_of;
using syslat::exporter::split_durations;
using syslat::exporter::split_shares;

TEST_CASE("a call's split: on-CPU always first, then only the parts it spent time in, and its switches",
          "[export][split]") {
  CHECK(split_durations(TimeSplit{200'000, 44'700'000, 0, 1, 3}, 45'200'000) ==
        "on-CPU 300us, runqueue 200us, I/O 44.7ms (switched out 3 times)");
  CHECK(split_durations(TimeSplit{0, 0, 20'090'000, 1, 1}, 20'100'000) == "on-CPU 10.0us, sleep 20.1ms (switched out 1 time)");
  CHECK(split_durations(TimeSplit{}, 812) == "on-CPU 812ns");
  // All of it off the CPU: on-CPU still shown, as 0.
  CHECK(split_durations(TimeSplit{0, 0, 5'000, 1, 2}, 5'000) == "on-CPU 0ns, sleep 5.00us (switched out 2 times)");
}

TEST_CASE("shares of a total: all four parts, one decimal, 0.0 of nothing", "[export][split]") {
  CHECK(split_shares(TimeSplit{50, 800, 30, 4, 9}, 1000) == "on-CPU 12.0%, runqueue 5.0%, I/O 80.0%, sleep 3.0%");
  CHECK(split_shares(TimeSplit{}, 1000) == "on-CPU 100.0%, runqueue 0.0%, I/O 0.0%, sleep 0.0%");
  CHECK(split_shares(TimeSplit{}, 0) == "on-CPU 0.0%, runqueue 0.0%, I/O 0.0%, sleep 0.0%");
  CHECK(percent_of(1, 3) == "33.3");
  CHECK(percent_of(2, 3) == "66.7");
  CHECK(percent_of(5, 0) == "0.0");
  CHECK(percent_of(7, 7) == "100.0");
}
