// Unwinds user stacks the kernel copied (registers and a slice of the stack
// from sp up, as perf record --call-graph dwarf does) from the modules'
// call frame information (.eh_frame, else .debug_frame), with elfutils
// libdwfl: what a frame-pointer walk cannot do in code built without frame
// pointers (Debian's libc and packages), where it skips the caller of a
// syscall wrapper and loses everything past it.
//
// Only the copy is read, never the live process's memory (by the time an
// event is unwound, the process has moved on). The modules come from the
// process's /proc/PID/maps and its own files (collect/process_elf.h, as
// the stack symbolizer reads them), one libdwfl session per process, cached
// (least recently used go first), the maps re-read when an address falls in
// no module (a dlopen since) and all of it dropped when the PID goes to
// another process or the process exec'd another program.
//
// Not thread-safe: one unwinder per thread that reads events.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <unordered_map>
#include <vector>

#include "collect/process_elf.h"

namespace syslat::collect {

// The registers of the innermost frame, as the kernel saw them (pt_regs).
// Enough for x86_64 CFI: the CFA rules of code compiled by GCC and clang
// use rsp or rbp; callee-saved registers the CFI would restore are not
// needed to find return addresses.
struct UserRegs {
  uint64_t ip = 0, sp = 0, bp = 0;
};

// Whether a stack unwound from .eh_frame replaces the kernel's
// frame-pointer walk of the same call: where it goes at least as deep (the
// walk loses every frame past one without a frame pointer: libc's wrappers,
// Debian's binaries) and found more than the first frame.
inline bool prefer_unwound(size_t unwound_frames, size_t chain_frames) {
  return unwound_frames > 1 && unwound_frames >= chain_frames;
}

// The bytes of a kernel-made stack copy (new_stack_event, slow_stack_copy)
// that hold stack: `copied` of them, never past the buffer.
template <class Copy>
std::span<const uint8_t> copied_stack(const Copy& copy) {
  return std::span<const uint8_t>(copy.stack, std::min<size_t>(copy.copied, sizeof(copy.stack)));
}

class UserUnwinder {
 public:
  UserUnwinder();
  ~UserUnwinder();
  UserUnwinder(UserUnwinder&&) noexcept;
  UserUnwinder& operator=(UserUnwinder&&) noexcept;
  UserUnwinder(const UserUnwinder&) = delete;
  UserUnwinder& operator=(const UserUnwinder&) = delete;

  // Unwinds one stack: `stack` holds the bytes of user memory starting at
  // regs.sp (as copied in the kernel, possibly truncated). Returns the
  // instruction pointers innermost first (the first is regs.ip; the others
  // are return addresses), up to max_frames. Stops where CFI is missing (no
  // guess from rbp), the copy ends, or an address is not mapped; never fails
  // (a short stack is a short stack; an unknown process gives [regs.ip]).
  std::vector<uint64_t> unwind(uint32_t pid, const UserRegs& regs, std::span<const uint8_t> stack,
                               size_t max_frames = 64);
  // The process exited: drop what is cached for it.
  void forget(uint32_t pid);

  // How many bytes above sp the last unwind read from its copy (the end of
  // the highest word read): what a copy needs for the same stack.
  size_t last_stack_bytes_read() const { return last_bytes_read_; }

  // At most this many processes stay cached (least recently used go first):
  // each holds open the ELF files of the modules its stacks went through.
  static constexpr size_t kMaxCachedProcesses = 64;

 private:
  class ProcessUnwind;  // one process's libdwfl session, attached for unwinding
  ProcessUnwind* process_of(uint32_t pid);

  ProcessCache<ProcessUnwind, kMaxCachedProcesses> processes_;
  size_t last_bytes_read_ = 0;
};

}  // namespace syslat::collect
