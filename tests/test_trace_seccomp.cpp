// The seccomp-bpf filter of -e trace=: for every number, TRACE exactly for
// the selected calls (run through a small interpreter of the program).
#include <catch2/catch.hpp>

#include <linux/audit.h>
#include <linux/seccomp.h>

#include <random>

#include "core/syscall_set.h"
#include "trace/seccomp_filter.h"

using syslat::core::kSetOther;
using syslat::core::parse_syscall_list;
using syslat::core::SyscallSet;
using syslat::trace::build_seccomp_filter;
using syslat::trace::run_seccomp_filter;

namespace {

void check_set(const SyscallSet& set) {
  const auto program = build_seccomp_filter(set);
  INFO("set of " << set.count() << ", program of " << program.size());
  REQUIRE(program.size() < 4096);  // BPF_MAXINSNS
  for (int nr = 0; nr < 600; ++nr) {
    const bool selected = static_cast<size_t>(nr) < kSetOther ? set.test(nr) : set.test(kSetOther);
    const uint32_t want = selected ? SECCOMP_RET_TRACE : SECCOMP_RET_ALLOW;
    INFO("nr " << nr);
    REQUIRE(run_seccomp_filter(program, AUDIT_ARCH_X86_64, nr) == want);
  }
  // x32 numbers count as "other"; another ABI always goes to the tracer.
  CHECK(run_seccomp_filter(program, AUDIT_ARCH_X86_64, 0x40000000 | 1) ==
        (set.test(kSetOther) ? SECCOMP_RET_TRACE : SECCOMP_RET_ALLOW));
  CHECK(run_seccomp_filter(program, AUDIT_ARCH_I386, 3) == SECCOMP_RET_TRACE);
}

}  // namespace

TEST_CASE("seccomp filter: names, classes, negations", "[seccomp]") {
  for (const char* list : {"openat", "read,write,close", "%file", "%net,%process", "!futex", "all", "none", "0,1,2,3"})
    check_set(*parse_syscall_list(list));
}

TEST_CASE("seccomp filter: sets with hundreds of ranges still fit the jumps", "[seccomp]") {
  SyscallSet every_other;
  for (size_t nr = 0; nr < kSetOther; nr += 2) every_other.set(nr);
  check_set(every_other);
  std::mt19937 rng(42);
  for (int round = 0; round < 20; ++round) {
    SyscallSet random;
    for (size_t nr = 0; nr <= kSetOther; ++nr)
      if (rng() % 3 == 0) random.set(nr);
    check_set(random);
  }
}
