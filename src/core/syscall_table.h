// The syscall tables: numbers, names and strace-style classes of the native
// ABI (x86_64) and of i386 (32-bit callers on an x86_64 kernel), generated at
// build time (see gen_syscall_table.cmake). The one place any part of syslat
// turns a syscall number into a name or back.
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

// The ABI a call was made through. Numbers mean different calls in each.
enum class Abi : uint8_t { Native = 0, I386 = 1 };

// A syscall as counted: ABI and number. Unknown numbers are kept as they are.
struct SyscallId {
  constexpr SyscallId() = default;
  constexpr SyscallId(int native_nr) : nr(native_nr) {}  // NOLINT: a bare number is a native syscall
  constexpr SyscallId(Abi a, int n) : abi(a), nr(n) {}
  Abi abi = Abi::Native;
  int nr = 0;
  auto operator<=>(const SyscallId&) const = default;
};

// "x86_64" / "i386", as JSON's "abi" shows it.
std::string_view abi_name(Abi abi);

// Every known syscall of the ABI, sorted by number (i386: empty where the
// build has no i386 table).
std::span<const SyscallInfo> known_syscalls(Abi abi = Abi::Native);

// O(1); nullptr if `nr` is not a known syscall (negative, a gap, too large).
const SyscallInfo* find_syscall(int nr, Abi abi = Abi::Native);

// Exact, case-sensitive name lookup ("openat" -> 257).
std::optional<int> syscall_number(std::string_view name);

// The name, or "[unknown: N]" — never a wrong name. No ABI marker: the
// renderers add one for i386 calls.
std::string syscall_name(int nr, Abi abi = Abi::Native);

// execve or execveat, in either ABI (x86_64 59/322, i386 11/358): the calls
// that replace a process's program, its memory (read their arguments at
// entry), its name, and its other threads.
bool is_exec(SyscallId id);

// "%file,%desc": the classes in `mask` in the fixed order file, net, process,
// memory, signal, ipc, desc, time; "" for none.
std::string class_list(ClassMask mask);

// "%file" -> kClassFile, ...; strace's "%clock" is accepted for "%time" and
// "%network" for "%net". nullopt if unknown.
std::optional<ClassMask> parse_class(std::string_view name);

}  // namespace syslat::core
