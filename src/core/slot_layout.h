// How syscalls are numbered into the kernel's stats slots: dense slots for
// the known syscalls of each ABI (no array space for gaps), then one "other"
// slot. Built from the syscall tables, handed to the BPF side before load,
// and used to name what the kernel counted.
#pragma once

#include <array>
#include <bitset>
#include <cstdint>
#include <vector>

#include "core/syscall_set.h"
#include "core/syscall_table.h"
#include "syslat.h"

namespace syslat::core {

struct SlotLayout {
  std::vector<SyscallId> ids;  // slot -> syscall; the last is other_slot
  std::array<std::array<uint16_t, SYSLAT_NR_TABLE>, SYSLAT_NABIS> slot_of{};  // SYSLAT_SLOT_NONE: none
  std::vector<uint8_t> flags;  // slot -> syslat_slot_flags
  std::vector<uint8_t> path_arg;  // slot -> 1 + its path argument (read in the kernel at entry), 0: none
  std::vector<uint8_t> fd_args;   // slot -> bit i set: argument i is a file descriptor (or a dirfd)
  std::array<uint16_t, SYSLAT_NABIS> rt_sigreturn_slot{};
  std::array<uint16_t, SYSLAT_NABIS> sigreturn_slot{};
  uint32_t other_slot = 0;

  // with_i386: the kernel runs 32-bit calls, so they get slots too.
  static SlotLayout build(bool with_i386);

  size_t size() const { return ids.size(); }
  // The syscall of a slot; other_slot and anything out of range name the
  // unknown-number overflow.
  SyscallId id(uint32_t slot) const;
  // -S: the slots a set of native numbers selects (see SyscallSet).
  std::bitset<SYSLAT_MAX_SLOTS> select(const SyscallSet& set) const;
};

}  // namespace syslat::core
