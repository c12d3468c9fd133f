// The x86_64 syscall table: numbers, names and strace-style classes,
// generated at build time (see gen_syscall_table.cmake). The one place any
// part of syslat turns a syscall number into a name or back.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace syslat::core {

// strace's classes (`-e trace=%file`); a syscall can be in several.
enum SyscallClass : uint16_t {
  kClassFile = 1 << 0,
  kClassNet = 1 << 1,
  kClassProcess = 1 << 2,
  kClassMemory = 1 << 3,
  kClassSignal = 1 << 4,
  kClassIpc = 1 << 5,
  kClassDesc = 1 << 6,
  kClassTime = 1 << 7,  // strace's %clock
};
using ClassMask = uint16_t;

struct SyscallInfo {
  int nr;
  std::string_view name;
  ClassMask classes;
};

// Every known syscall, sorted by number.
std::span<const SyscallInfo> known_syscalls();

// O(1); nullptr if `nr` is not a known syscall (negative, a gap, too large).
const SyscallInfo* find_syscall(int nr);

// Exact, case-sensitive name lookup ("openat" -> 257).
std::optional<int> syscall_number(std::string_view name);

// The name, or "[unknown: N]" — never a wrong name.
std::string syscall_name(int nr);

// "%file,%desc": the classes in `mask` in the fixed order file, net, process,
// memory, signal, ipc, desc, time; "" for none.
std::string class_list(ClassMask mask);

// "%file" -> kClassFile, ...; strace's "%clock" is accepted for "%time" and
// "%network" for "%net". nullopt if unknown.
std::optional<ClassMask> parse_class(std::string_view name);

}  // namespace syslat::core
