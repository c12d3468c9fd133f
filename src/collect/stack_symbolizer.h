// Names the instruction pointers of stacks the BPF side captured (sysslow
// --stack): user frames through elfutils libdwfl and the process's
// /proc/PID/maps (PIE and ASLR included), kernel frames through /proc/kallsyms.
//
// Frames are named from the ELF symbol tables and, where the module (or its
// separate debug file under /usr/lib/debug, found by build ID) has DWARF,
// from its source lines, inlined calls included: user_frames() gives the
// structure (core::SymbolizedFrame), user_stack() its text (core::frame_texts:
// "load_config (wl_stacks.c:42)" with DWARF, "func+0x12
// (/usr/lib/x86_64-linux-gnu/libc.so.6)" without). The offset is that of the
// address given, but every frame except the first is a return address, so
// it is looked up at ip-1 (as unwinders do): a call that ends a function
// returns to the first byte of whatever follows it, and the line of a call
// is the line of its last byte.
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
// exec'd another program (its start time or executable changed). Source
// lines are kept for all processes, by the build ID of the file and the
// offset in it: reading a file's DWARF costs (libc's debug file is
// compressed: ~0.1-0.2 s to inflate), and every process maps the same libc.
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
#include "collect/process_elf.h"
#include "core/stack_profile.h"

namespace syslat::collect {

class StackSymbolizer {
 public:
  StackSymbolizer();
  ~StackSymbolizer();
  StackSymbolizer(StackSymbolizer&&) noexcept;
  StackSymbolizer& operator=(StackSymbolizer&&) noexcept;
  StackSymbolizer(const StackSymbolizer&) = delete;
  StackSymbolizer& operator=(const StackSymbolizer&) = delete;

  // One frame per address, innermost first as captured: its module (the
  // mapping that holds it, the file's build ID), ELF symbol and, with DWARF,
  // source lines. Only the address when no module maps it or the process is
  // gone (never an error).
  std::vector<core::SymbolizedFrame> user_frames(uint32_t pid, std::span<const uint64_t> ips);
  // The same frames as text (core::frame_texts), flattened: an address with
  // inlined calls gives one string per function, innermost first.
  // "fn (file.c:123)" with DWARF; "func+0x12 (/path/of/module)" without;
  // "0x7f12... (/path)" when the module has no symbol there; "0x7f12..." when
  // no module maps it or the process is gone.
  std::vector<std::string> user_stack(uint32_t pid, std::span<const uint64_t> ips);
  // Kernel frames from /proc/kallsyms (read on first use): "do_sys_openat2+0x1a4",
  // "xfs_file_read_iter+0x5c [xfs]" in a module; hex when kallsyms hides addresses.
  // A leading tracepoint iterator frame (__traceiter_*) is left out.
  std::vector<std::string> kernel_stack(std::span<const uint64_t> ips);
  // The process exited: drop what is cached for it.
  void forget(uint32_t pid);
  // Opens the files of every module the process maps now, so that its
  // frames can still be named after it exits (a short-lived process whose
  // stacks are named at the end of the run). Milliseconds, no DWARF read.
  void pin(uint32_t pid);

  // At most this many processes stay cached (least recently used go first):
  // each holds open the ELF files of the modules its stacks went through.
  static constexpr size_t kMaxCachedProcesses = 64;

 private:
  class ProcessModules;  // one process's libdwfl session
  // Source lines by file and address ("BUILD_ID@FILE_OFFSET"), for all
  // processes: another process running the same libc finds its frames'
  // lines here, and never loads (inflates) the DWARF of its own copy.
  using SharedLines = std::unordered_map<std::string, std::vector<core::SourceLine>>;
  static constexpr size_t kMaxSharedLines = 16384;
  SharedLines shared_lines_;
  ProcessModules* modules_of(uint32_t pid, bool& just_read);

  ProcessCache<ProcessModules, kMaxCachedProcesses> processes_;
  std::optional<KernelSymbols> kernel_;
};

}  // namespace syslat::collect
