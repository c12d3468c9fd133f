#include <catch2/catch.hpp>

#include "core/stats.h"

using syslat::core::Sample;
using syslat::core::SyscallStats;

namespace {
SyscallStats timed_calls(uint64_t n, uint64_t min_ns, uint64_t max_ns, uint64_t total_ns) {
  SyscallStats s;
  s.calls = s.timed = n;
  s.min_ns = min_ns;
  s.max_ns = max_ns;
  s.total_ns = total_ns;
  s.hist.counts[hist_bucket(min_ns)] += n;
  return s;
}
}  // namespace

TEST_CASE("merging spans adds counts and keeps the extremes", "[core][stats]") {
  SyscallStats a = timed_calls(3, 100, 900, 1500);
  a.errors = 1;
  a.merge(timed_calls(2, 50, 400, 500));
  CHECK(a.calls == 5);
  CHECK(a.errors == 1);
  CHECK(a.timed == 5);
  CHECK(a.min_ns == 50);
  CHECK(a.max_ns == 900);
  CHECK(a.total_ns == 2000);
  CHECK(a.avg_ns() == 400);
  CHECK(a.hist.total() == 5);
}

TEST_CASE("a span without timed calls does not reset min to zero", "[core][stats]") {
  SyscallStats a = timed_calls(1, 700, 700, 700);
  SyscallStats untimed;
  untimed.calls = 4;
  untimed.entry_not_seen = 4;
  a.merge(untimed);
  CHECK(a.min_ns == 700);
  CHECK(a.max_ns == 700);
  CHECK(a.calls == 5);
  CHECK(a.entry_not_seen == 4);
  CHECK(a.avg_ns() == 700);  // over timed calls only
}

TEST_CASE("an extreme seen before its histogram count still merges", "[core][stats]") {
  // A poll can swap out max/min of a call whose histogram bump lands next poll.
  SyscallStats early;
  early.max_ns = 5000;
  early.min_ns = 5000;
  SyscallStats a = timed_calls(1, 100, 100, 100);
  a.merge(early);
  CHECK(a.max_ns == 5000);
  CHECK(a.min_ns == 100);
}

TEST_CASE("samples merge into one span", "[core][stats]") {
  Sample s1;
  s1.start_ns = 1'000'000'000;
  s1.end_ns = 2'000'000'000;
  s1.syscalls[0].calls = 10;
  s1.processes[42].pid = 42;
  s1.processes[42].comm = "old";
  s1.processes[42].syscalls[0].calls = 3;
  s1.health.proc_map_full = 1;
  Sample s2;
  s2.start_ns = 2'000'000'000;
  s2.end_ns = 3'500'000'000;
  s2.syscalls[0].calls = 5;
  s2.syscalls[1].calls = 7;
  s2.syscalls[1].entry_not_seen = 2;
  s2.processes[42].comm = "new";
  s2.processes[42].syscalls[0].calls = 4;
  s2.health.events_lost = 3;

  Sample span;
  span.merge(s1);
  span.merge(s2);
  CHECK(span.seconds() == Approx(2.5));
  CHECK(span.syscalls[0].calls == 15);
  CHECK(span.syscalls[1].calls == 7);
  CHECK(span.entry_not_seen() == 2);
  CHECK(span.processes[42].syscalls[0].calls == 7);
  CHECK(span.processes[42].comm == "new");
  CHECK(span.health.lost() == 4);
}
