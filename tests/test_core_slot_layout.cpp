// How syscalls of both ABIs are numbered into the kernel's slots, and how a
// syscall list (-S) selects slots.
#include <catch2/catch.hpp>

#include <set>

#include "core/slot_layout.h"
#include "core/stats.h"
#include "core/syscall_set.h"
#include "core/syscall_table.h"

using namespace syslat::core;

TEST_CASE("the i386 table names 32-bit calls by their own numbers", "[slot_layout]") {
  REQUIRE_FALSE(known_syscalls(Abi::I386).empty());
  CHECK(syscall_name(102, Abi::I386) == "socketcall");
  CHECK(syscall_name(64, Abi::I386) == "getppid");
  CHECK(syscall_name(20, Abi::I386) == "getpid");
  CHECK(syscall_name(119, Abi::I386) == "sigreturn");
  CHECK(syscall_name(173, Abi::I386) == "rt_sigreturn");
  CHECK(syscall_name(999, Abi::I386) == "[unknown: 999]");
  CHECK(syscall_name(64) == "semget");  // the same number natively: another call
}

TEST_CASE("every known syscall of both ABIs has its own slot, then one for other numbers", "[slot_layout]") {
  const auto l = SlotLayout::build(true);
  CHECK(l.size() == known_syscalls(Abi::Native).size() + known_syscalls(Abi::I386).size() + 1);
  CHECK(l.size() <= SYSLAT_MAX_SLOTS);
  std::set<uint16_t> seen;
  for (size_t abi = 0; abi < SYSLAT_NABIS; ++abi) {
    for (size_t nr = 0; nr < SYSLAT_NR_TABLE; ++nr) {
      const uint16_t slot = l.slot_of[abi][nr];
      if (slot == SYSLAT_SLOT_NONE) continue;
      CHECK(seen.insert(slot).second);
      CHECK(l.id(slot) == SyscallId{static_cast<Abi>(abi), static_cast<int>(nr)});
    }
  }
  CHECK(l.id(l.other_slot).nr == kUnknownOverflow);
  CHECK(l.flags[l.slot_of[0][56]] == SYSLAT_SLOT_FORK);       // clone
  CHECK(l.flags[l.slot_of[1][2]] == SYSLAT_SLOT_FORK);        // i386 fork
  CHECK(l.flags[l.slot_of[1][11]] == SYSLAT_SLOT_EXEC);       // i386 execve
  CHECK(l.flags[l.slot_of[1][252]] == SYSLAT_SLOT_NORETURN);  // i386 exit_group
  CHECK(l.rt_sigreturn_slot[1] == l.slot_of[1][173]);
  CHECK(l.sigreturn_slot[1] == l.slot_of[1][119]);
  CHECK(l.sigreturn_slot[0] == SYSLAT_SLOT_NONE);  // x86_64 has only rt frames

  const auto native_only = SlotLayout::build(false);
  CHECK(native_only.size() == known_syscalls(Abi::Native).size() + 1);
  CHECK(native_only.slot_of[1][64] == SYSLAT_SLOT_NONE);
}

TEST_CASE("syscall lists select both ABIs' calls by name, and i386-only calls go with other numbers", "[slot_layout]") {
  const auto l = SlotLayout::build(true);
  const auto read_only = l.select(*parse_syscall_list("read"));
  CHECK(read_only.count() == 2);
  CHECK(read_only.test(l.slot_of[0][0]));
  CHECK(read_only.test(l.slot_of[1][3]));  // i386 read
  const auto not_futex = l.select(*parse_syscall_list("!futex"));
  CHECK_FALSE(not_futex.test(l.slot_of[0][202]));
  CHECK_FALSE(not_futex.test(l.slot_of[1][240]));  // i386 futex
  CHECK(not_futex.test(l.slot_of[1][102]));        // socketcall: no x86_64 twin
  CHECK(not_futex.test(l.other_slot));
  CHECK_FALSE(l.select(*parse_syscall_list("%net")).test(l.slot_of[1][102]));
}
