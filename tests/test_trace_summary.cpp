// trace/summary: what one traced call adds to its syscall's stats, the one
// computation behind systrace -c and the ptrace backend of the stats tools.
#include <catch2/catch.hpp>

#include "trace/summary.h"

using syslat::core::SyscallStats;
using syslat::trace::add_call;
using syslat::trace::Call;

namespace {

Call returned(int64_t ret, uint64_t entry_ns, uint64_t exit_ns) {
  Call c;
  c.ret = ret;
  c.entry_ns = entry_ns;
  c.exit_ns = exit_ns;
  return c;
}

}  // namespace

TEST_CASE("a traced call counts once, an error when it returned -1..-4095, timed from entry to exit", "[summary]") {
  SyscallStats s;
  add_call(s, returned(3, 1000, 1500), true, true);
  add_call(s, returned(-2, 2000, 4000), true, true);
  add_call(s, returned(-5000, 5000, 5000), true, true);  // a value (lseek far back), and too fast to time: 0 ns
  CHECK(s.calls == 3);
  CHECK(s.errors == 1);
  CHECK(s.timed == 3);
  CHECK(s.total_ns == 2500);
  CHECK(s.min_ns == 1);  // 0 means "no timed call"
  CHECK(s.max_ns == 2000);
  CHECK(s.hist.total() == 3);
  CHECK(s.entry_not_seen == 0);
}

TEST_CASE("a call in flight when tracing began, or that never returned, is not timed", "[summary]") {
  SyscallStats s;
  Call in_flight = returned(0, 0, 900);
  in_flight.entry_seen = false;
  add_call(s, in_flight, true, true);
  CHECK(s.calls == 0);  // the tracer counts the restarted call it becomes
  CHECK(s.entry_not_seen == 1);

  Call exit_group = returned(0, 100, 0);
  exit_group.returned = false;
  add_call(s, exit_group, true, true);
  CHECK(s.calls == 1);
  CHECK(s.errors == 0);
  CHECK(s.timed == 0);

  SyscallStats untimed;
  add_call(untimed, returned(-1, 100, 200), false, false);
  CHECK(untimed.calls == 1);
  CHECK(untimed.errors == 1);
  CHECK(untimed.timed == 0);
  CHECK(untimed.total_ns == 0);
}
