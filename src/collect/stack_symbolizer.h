// Names the instruction pointers of stacks the BPF side captured (sysslow
// --stack): user frames through elfutils libdwfl and the process's
// /proc/PID/maps (PIE and ASLR included), kernel frames through /proc/kallsyms.
//
// Frames look like "func+0x12 (/usr/lib/x86_64-linux-gnu/libc.so.6)". The
// offset is that of the address given, but every frame except the first is a
// return address, so its symbol is looked up at ip-1 (as unwinders do): a
// call that ends a function returns to the first byte of whatever follows it.
// C++ names are demangled in full, parameter list included (as perf and gdb
// show them): overloads stay apart and nothing is guessed.
//
// Module files are read as the process sees them (through /proc/PID/map_files
// or /proc/PID/root): a process in a container is named from the
// container's files, not from whatever our mount namespace has at that path.
//
// Per process it keeps libdwfl's view of the maps (re-read when an address
// falls outside every module: a dlopen since) and the frames already named;
// all of it is dropped when another process has the PID or the process
// exec'd another program (its start time or executable changed).
// Not thread-safe: one symbolizer per thread that reads events.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "collect/kernel_symbols.h"

namespace syslat::collect {

class StackSymbolizer {
 public:
  StackSymbolizer();
  ~StackSymbolizer();
  StackSymbolizer(StackSymbolizer&&) noexcept;
  StackSymbolizer& operator=(StackSymbolizer&&) noexcept;
  StackSymbolizer(const StackSymbolizer&) = delete;
  StackSymbolizer& operator=(const StackSymbolizer&) = delete;

  // One string per address: "func+0x12 (/path/of/module)"; "0x7f12... (/path)"
  // when the module has no symbol there; "0x7f12..." when no module maps it
  // or the process is gone (never an error).
  std::vector<std::string> user_stack(uint32_t pid, std::span<const uint64_t> ips);
  // Kernel frames from /proc/kallsyms (read on first use): "do_sys_openat2+0x1a4",
  // "xfs_file_read_iter+0x5c [xfs]" in a module; hex when kallsyms hides addresses.
  // A leading tracepoint iterator frame (__traceiter_*) is left out.
  std::vector<std::string> kernel_stack(std::span<const uint64_t> ips);
  // The process exited: drop what is cached for it.
  void forget(uint32_t pid);

  // At most this many processes stay cached (least recently used go first):
  // each holds open the ELF files of the modules its stacks went through.
  static constexpr size_t kMaxCachedProcesses = 64;

 private:
  class ProcessModules;  // one process's libdwfl session
  ProcessModules* modules_of(uint32_t pid, bool& just_read);

  std::unordered_map<uint32_t, std::unique_ptr<ProcessModules>> processes_;
  uint64_t calls_ = 0;  // the clock of least-recently-used eviction
  std::optional<KernelSymbols> kernel_;
};

}  // namespace syslat::collect
