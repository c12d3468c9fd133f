#include "core/slot_layout.h"

#include <string_view>

#include "core/stats.h"
#include "core/syscall_args.h"

namespace syslat::core {
namespace {

uint8_t fd_args_of(SyscallId id) {
  uint8_t mask = 0;
  const auto args = syscall_args(id);
  for (size_t i = 0; i < args.size() && i < 6; ++i) {
    if (args[i].kind == ArgKind::Fd || args[i].kind == ArgKind::AtFd) mask |= static_cast<uint8_t>(1u << i);
  }
  return mask;
}

uint8_t flags_of(SyscallId id, std::string_view name) {
  if (name == "clone" || name == "clone3" || name == "fork" || name == "vfork") return SYSLAT_SLOT_FORK;
  if (is_exec(id)) return SYSLAT_SLOT_EXEC;
  if (name == "exit" || name == "exit_group") return SYSLAT_SLOT_NORETURN;
  return 0;
}

}  // namespace

SlotLayout SlotLayout::build(bool with_i386) {
  SlotLayout l;
  for (auto& table : l.slot_of) table.fill(SYSLAT_SLOT_NONE);
  l.rt_sigreturn_slot.fill(SYSLAT_SLOT_NONE);
  l.sigreturn_slot.fill(SYSLAT_SLOT_NONE);
  for (Abi abi : {Abi::Native, Abi::I386}) {
    if (abi == Abi::I386 && !with_i386) continue;
    const auto a = static_cast<size_t>(abi);
    for (const SyscallInfo& info : known_syscalls(abi)) {
      if (info.nr < 0 || info.nr >= SYSLAT_NR_TABLE) continue;  // counted as unknown numbers
      const auto slot = static_cast<uint16_t>(l.ids.size());
      l.slot_of[a][static_cast<size_t>(info.nr)] = slot;
      l.ids.push_back({abi, info.nr});
      l.flags.push_back(flags_of({abi, info.nr}, info.name));
      l.path_arg.push_back(static_cast<uint8_t>(path_arg_index({abi, info.nr}) + 1));
      l.fd_args.push_back(fd_args_of({abi, info.nr}));
      if (info.name == "rt_sigreturn") l.rt_sigreturn_slot[a] = slot;
      if (info.name == "sigreturn") l.sigreturn_slot[a] = slot;
    }
  }
  l.other_slot = static_cast<uint32_t>(l.ids.size());
  l.ids.push_back({Abi::Native, kUnknownOverflow});
  l.flags.push_back(0);
  l.path_arg.push_back(0);
  l.fd_args.push_back(0);
  return l;
}

SyscallId SlotLayout::id(uint32_t slot) const {
  return slot < ids.size() ? ids[slot] : SyscallId{Abi::Native, kUnknownOverflow};
}

std::bitset<SYSLAT_MAX_SLOTS> SlotLayout::select(const SyscallSet& set) const {
  std::bitset<SYSLAT_MAX_SLOTS> slots;
  for (size_t slot = 0; slot < ids.size(); ++slot) {
    const SyscallId id = ids[slot];
    bool on = set.test(kSetOther);
    if (id.abi == Abi::Native && id.nr >= 0 && static_cast<size_t>(id.nr) < kSetOther) {
      on = set.test(static_cast<size_t>(id.nr));
    } else if (id.abi == Abi::I386) {
      // With its x86_64 twin if it has one; else like an unnamed number.
      const SyscallInfo* info = find_syscall(id.nr, Abi::I386);
      if (auto twin = info ? syscall_number(info->name) : std::nullopt) on = set.test(static_cast<size_t>(*twin));
    }
    slots.set(slot, on);
  }
  return slots;
}

}  // namespace syslat::core
