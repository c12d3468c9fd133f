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

TEST_CASE("time splits merge part by part, and on CPU is the rest of the duration", "[core][stats]") {
  using syslat::core::TimeSplit;
  TimeSplit a{100, 20, 3000, 2, 5};
  a.merge(TimeSplit{1, 2, 3, 1, 4});
  CHECK(a.runq_ns == 101);
  CHECK(a.iowait_ns == 22);
  CHECK(a.sleep_ns == 3003);
  CHECK(a.switched == 3);
  CHECK(a.switches == 9);
  CHECK(a.off_ns() == 3126);
  CHECK(a.oncpu_ns(5000) == 5000 - 3126);
  CHECK(a.oncpu_ns(5000) + a.off_ns() == 5000);
  CHECK(a.oncpu_ns(3126) == 0);
  CHECK(TimeSplit{}.oncpu_ns(777) == 777);  // never switched out: all on CPU
}

TEST_CASE("on CPU never wraps below zero when the parts off the CPU exceed the total", "[core][stats]") {
  using syslat::core::TimeSplit;
  CHECK(TimeSplit{10, 0, 0, 1, 1}.oncpu_ns(9) == 0);
  CHECK(TimeSplit{0, 0, UINT64_MAX, 1, 1}.oncpu_ns(1) == 0);
  CHECK(TimeSplit{5, 5, 5, 1, 3}.oncpu_ns(0) == 0);
}

TEST_CASE("merged stats carry their split, and on CPU is of their total", "[core][stats]") {
  SyscallStats a = timed_calls(2, 1000, 3000, 4000);
  a.split = {500, 0, 2000, 1, 2};
  SyscallStats b = timed_calls(1, 6000, 6000, 6000);
  b.split = {0, 5000, 0, 1, 1};
  a.merge(b);
  CHECK(a.split.runq_ns == 500);
  CHECK(a.split.iowait_ns == 5000);
  CHECK(a.split.sleep_ns == 2000);
  CHECK(a.split.switched == 2);
  CHECK(a.split.switches == 3);
  CHECK(a.oncpu_ns() == 10000 - 7500);
  SyscallStats untimed;
  untimed.calls = 1;
  CHECK(untimed.oncpu_ns() == 0);
}

TEST_CASE("off-CPU states are named runq/iowait/sleep in data and runqueue/I/O/sleep in text", "[core][stats]") {
  using syslat::core::OffState;
  CHECK(syslat::core::off_state_key(OffState::Runq) == "runq");
  CHECK(syslat::core::off_state_key(OffState::IoWait) == "iowait");
  CHECK(syslat::core::off_state_key(OffState::Sleep) == "sleep");
  CHECK(syslat::core::off_state_text(OffState::Runq) == "runqueue");
  CHECK(syslat::core::off_state_text(OffState::IoWait) == "I/O");
  CHECK(syslat::core::off_state_text(OffState::Sleep) == "sleep");
}
