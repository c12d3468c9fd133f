// Reading a stopped tracee's memory: process_vm_readv (one call per page
// run, so a read that crosses into an unmapped page still returns the bytes
// before it), falling back to PTRACE_PEEKDATA word by word where
// process_vm_readv is refused. Never fails loudly: short counts and nullopt.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace syslat::trace {

// Copies up to len bytes at addr; returns how many could be read (stops at
// the first unreadable byte).
size_t read_tracee(pid_t tid, uint64_t addr, void* out, size_t len);

// The NUL-terminated string at addr, at most max_len bytes (without the
// NUL): one read up to the end of addr's page, a second for the rest only if
// no NUL was there. A string cut by max_len is returned cut (max_len bytes);
// one cut by an unreadable page, or a bad address, is nullopt (strace then
// shows the pointer).
std::optional<std::string> read_tracee_string(pid_t tid, uint64_t addr, size_t max_len);

}  // namespace syslat::trace
