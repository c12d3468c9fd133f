// strace-style text for one syscall: the argument list and the return value.
// Shared by sysslow (arguments captured by BPF at entry, the path string read
// in the kernel) and systrace (arguments and strings read from the tracee).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "core/syscall_table.h"

namespace syslat::decode {

// Reads a NUL-terminated string of at most `max_len` bytes at `addr` in the
// traced process; nullopt if it cannot (bad address, process gone). systrace
// plugs in process_vm_readv here; sysslow has none and passes `path` instead.
using StringReader = std::function<std::optional<std::string>(uint64_t addr, size_t max_len)>;

// Copies up to `len` bytes at `addr` in the traced process into `out`;
// returns how many it could (0: bad address or process gone). systrace plugs
// in process_vm_readv; without one, buffers and structs show as pointers.
using MemoryReader = std::function<size_t(uint64_t addr, void* out, size_t len)>;

struct CallContext {
  uint32_t pid = 0;                 // for /proc/PID/fd/N (fd -> path, like strace -y); 0: don't
  // fd -> its target as found where the call ran, asked before /proc (see
  // core::SlowEvent::fd_targets); nullopt: no file under it, a bare number.
  std::map<int, std::optional<std::string>> fd_targets;
  std::optional<std::string> path;  // the Path argument as the kernel read it at entry, if any
  bool path_truncated = false;      // `path` stopped at the capture limit: shown as "..."...
  bool resolve_fds = true;
  size_t max_string = 32;           // strace -s: String arguments longer than this end in "..."
  StringReader read_string;         // optional: strings not captured at entry
  MemoryReader read_memory;         // optional: buffers, structs, string arrays
  // The call has returned with this value: what it wrote (read's buffer,
  // fstat's struct) is decoded when it succeeded. nullopt: formatting at
  // entry, or the return is unknown (output arguments show as pointers).
  std::optional<int64_t> ret;
};

// strace-style argument list without the return: read(7</tmp/x>, 0x7ffd12345678, 8192).
// Unknown numbers and calls without a known signature show six raw hex values.
std::string format_call(core::SyscallId id, const std::array<uint64_t, 6>& args, const CallContext& ctx);

// "= 8192", "= -1 ENOENT (No such file or directory)", "= 0x7f12a000" for
// calls returning an address (mmap, mremap, brk, shmat), "= ? ERESTARTSYS
// (To be restarted if SA_RESTART is set)" for the kernel-internal restarts.
// Given the call's arguments, results that are flags are named as strace
// does: fcntl(fd, F_GETFD) "= 0x1 (flags FD_CLOEXEC)".
std::string format_return(core::SyscallId id, int64_t ret, const std::array<uint64_t, 6>* args = nullptr);

// "/tmp/x", "socket:[12345]", "pipe:[6789]", "anon_inode:[eventfd]": what
// /proc/PID/fd/FD links to; nullopt if it cannot be read.
std::optional<std::string> fd_target(uint32_t pid, int fd);

}  // namespace syslat::decode
