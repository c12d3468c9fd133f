// --stack-sample: a sampled profile scaled up to the run's exact totals.
#include <catch2/catch.hpp>

#include <numeric>

#include "core/stack_profile.h"

using namespace syslat::core;

namespace {

StackRow row(uint32_t pid, int nr, uint64_t calls, uint64_t errors, uint64_t total_ns, uint64_t off_ns = 0) {
  StackRow r;
  r.pid = pid;
  r.id = SyscallId{nr};
  r.syscall = nr == 0 ? "read" : "write";
  r.calls = r.timed = calls;
  r.errors = errors;
  r.total_ns = total_ns;
  r.off_cpu_ns = off_ns;
  return r;
}

SyscallStats totals(uint64_t calls, uint64_t errors, uint64_t total_ns, uint64_t sleep_ns = 0) {
  SyscallStats s;
  s.calls = s.timed = calls;
  s.errors = errors;
  s.total_ns = total_ns;
  s.split.sleep_ns = sleep_ns;
  return s;
}

}  // namespace

TEST_CASE("apportion splits a total in proportion, in integers that add up to it", "[stack_profile]") {
  CHECK(apportion(10, {1, 1, 1}) == std::vector<uint64_t>{4, 3, 3});
  CHECK(apportion(100, {3, 1}) == std::vector<uint64_t>{75, 25});
  CHECK(apportion(7, {0, 0}) == std::vector<uint64_t>{0, 0});  // nothing sampled: nothing to split by
  CHECK(apportion(0, {5, 9}) == std::vector<uint64_t>{0, 0});
  // Large values do not overflow: 1e12 ns split by weights of 1e12.
  const auto big = apportion(1'000'000'000'000, {1'000'000'000'000, 3'000'000'000'000});
  CHECK(big == std::vector<uint64_t>{250'000'000'000, 750'000'000'000});
  const auto odd = apportion(1001, {1, 2, 3, 4, 5, 6, 7});
  CHECK(std::accumulate(odd.begin(), odd.end(), uint64_t{0}) == 1001);
}

TEST_CASE("scale_to_totals: each syscall's rows add up to its exact totals, split as sampled", "[stack_profile]") {
  StackProfile p;
  p.sample_every = 64;
  p.rows = {row(1, 0, 3, 0, 300), row(1, 0, 1, 1, 100), row(2, 1, 2, 0, 50, 20)};
  SyscallMap t{{SyscallId{0}, totals(256, 70, 25'600)}, {SyscallId{1}, totals(130, 0, 6'500, 2'000)}};
  scale_to_totals(p, t);
  CHECK(p.scaled);
  CHECK(p.rows[0].calls == 192);  // 3 of the 4 sampled reads
  CHECK(p.rows[1].calls == 64);
  CHECK(p.rows[0].total_ns == 19'200);
  CHECK(p.rows[1].total_ns == 6'400);
  CHECK(p.rows[0].errors == 0);    // the errors where they were sampled
  CHECK(p.rows[1].errors == 70);
  CHECK(p.rows[2].calls == 130);
  CHECK(p.rows[2].total_ns == 6'500);
  CHECK(p.rows[2].off_cpu_ns == 2'000);
  CHECK(sampling_note(p).find("1 call in 64") != std::string::npos);
}

TEST_CASE("scale_to_totals: a syscall without totals is scaled by the rate, and an exact profile is untouched",
          "[stack_profile]") {
  StackProfile p;
  p.sample_every = 8;
  p.rows = {row(1, 0, 3, 1, 300)};
  scale_to_totals(p, {});
  CHECK(p.rows[0].calls == 24);
  CHECK(p.rows[0].errors == 8);
  CHECK(p.rows[0].total_ns == 2'400);

  StackProfile exact;
  exact.rows = {row(1, 0, 3, 1, 300)};
  scale_to_totals(exact, {{SyscallId{0}, totals(1000, 0, 1)}});
  CHECK_FALSE(exact.scaled);
  CHECK(exact.rows[0].calls == 3);
  CHECK(sampling_note(exact).empty());
}

TEST_CASE("scale_to_totals: syscalls never sampled still add up, unknown numbers pooled as the kernel pools them",
          "[stack_profile]") {
  StackProfile p;
  p.sample_every = 64;
  StackRow other = row(1, 0, 1, 0, 10);
  other.id = SyscallId{Abi::Native, kUnknownOverflow};
  p.rows = {row(1, 0, 2, 0, 200), other};
  // brk (12) had 3 calls, none sampled; numbers 999 and 1000 (no name) one
  // slot in the kernel, two rows in the report.
  scale_to_totals(p, {{SyscallId{0}, totals(128, 0, 12'800)},
                      {SyscallId{12}, totals(3, 0, 30)},
                      {SyscallId{999}, totals(40, 40, 400)},
                      {SyscallId{1000}, totals(24, 24, 240)}});
  REQUIRE(p.rows.size() == 3);
  CHECK(p.rows[0].calls == 128);
  CHECK(p.rows[1].calls == 64);   // 999's and 1000's
  CHECK(p.rows[1].errors == 0);   // none sampled: not split
  CHECK(p.rows[2].syscall == "brk");
  CHECK(p.rows[2].calls == 3);
  CHECK(p.rows[2].missing == "no call of it sampled");
  CHECK(p.rows[2].frames.empty());
}
