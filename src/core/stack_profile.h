// Stack profiles (--stacks): calls and syscall time aggregated by (process,
// user stack, syscall) in the kernel, with the stacks named. The model every
// profile output reads: folded stacks, pprof, --by-function, the text report.
// Plain data; the collect side fills it, the export side writes it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/stats.h"
#include "core/syscall_table.h"

namespace syslat::core {

// A file mapped into a process (pprof's Mapping).
struct FrameModule {
  std::string path;       // as the process's /proc/PID/maps names it; "[vdso]"
  std::string build_id;   // lowercase hex of the ELF build ID; "" when it has none
  uint64_t start = 0;     // the mapping's address range and offset in the file
  uint64_t limit = 0;
  uint64_t file_offset = 0;
  bool operator==(const FrameModule&) const = default;
};

// A source position from DWARF.
struct SourceLine {
  std::string function;   // demangled; the DWARF subprogram (or inlined subroutine) name
  std::string file;       // as DWARF names it (usually absolute)
  uint32_t line = 0;
  bool operator==(const SourceLine&) const = default;
};

// One address of a user stack, named.
struct SymbolizedFrame {
  uint64_t address = 0;   // as captured: the innermost frame's ip, a return address for the others
  std::optional<FrameModule> module;  // nullopt: no module maps it (or the process was gone)
  std::string symbol;     // the ELF symbol containing it, demangled; "" when none
  uint64_t symbol_offset = 0;  // address - symbol start
  // With DWARF: the functions at this address, the innermost inlined one
  // first and the out-of-line function that holds the code last (pprof's
  // order). Empty without DWARF.
  std::vector<SourceLine> lines;
  bool operator==(const SymbolizedFrame&) const = default;
};

// The text of one frame, one entry per function (so an address with inlined
// calls gives several, innermost first): "load_config (wl_stacks.c:42)" with
// DWARF, "func+0x12 (/usr/lib/x86_64-linux-gnu/libc.so.6)" with a symbol
// only, "0x55d0c0ffee (/path)" in a module without a symbol there, "0x7f12..."
// in none.
std::vector<std::string> frame_texts(const SymbolizedFrame& frame);

// One aggregated row: a process, a user stack and a syscall.
struct StackRow {
  uint32_t pid = 0;
  std::string comm;       // the process's name (raw bytes: writers escape it)
  std::string syscall;    // its name, as the syscall table names it
  // Innermost first, as captured. Empty when the stack was not captured;
  // `missing` says why ("stack lost: stack map full", ...).
  std::vector<SymbolizedFrame> frames;
  std::string missing;
  uint64_t calls = 0;
  uint64_t errors = 0;
  uint64_t timed = 0;     // calls with a known duration (in flight at attach: not)
  uint64_t total_ns = 0;  // their syscall time
  uint64_t off_cpu_ns = 0;  // of which off the CPU (runqueue, I/O, sleep); 0 unless measured
  // The stack is its first call's, unwound from .eh_frame: the kernel's
  // frame-pointer chain (the key) could not tell this row's calls apart from
  // calls made elsewhere (a binary without frame pointers).
  bool first_call_stack = false;
  SyscallId id;           // the syscall (what scale_to_totals matches the totals by)
};

// A row's `syscall`: its name, with " (i386)" after a 32-bit call's.
std::string stack_syscall_name(SyscallId id);

struct StackProfile {
  std::vector<StackRow> rows;
  double duration_s = 0;      // the span the rows cover
  bool off_cpu_measured = false;
  // Never silent (shown with every output): calls whose stack was not
  // captured are rows with `missing` set; these are calls not in any row.
  uint64_t rows_lost = 0;     // calls of (process, stack, syscall) keys that did not fit the kernel's table
  uint64_t stacks_unnamed = 0; // distinct stacks of processes gone before they could be named (hex frames)
  // --stack-sample N: the rows hold 1 call in N (until scale_to_totals
  // estimates the rest); 1: every call, exact per row.
  uint32_t sample_every = 1;
  bool scaled = false;  // scale_to_totals has run: rows are estimates adding up to exact totals
};

// A sampled profile's rows scaled up to the run's exact totals: each
// syscall's calls, errors, timed calls, syscall time and off-CPU time are
// split over its rows in proportion to their sampled values, in integers
// that add up to the totals (a total whose sample is all zero, such as
// errors never sampled, stays unsplit). A syscall without totals (one that
// did not fit the per-number table) is scaled by the sampling rate.
void scale_to_totals(StackProfile& profile, const SyscallMap& totals);

// What a sampled profile's numbers are, in one line for every output (the
// text report, stderr beside a file, a pprof comment); "" when exact.
std::string sampling_note(const StackProfile& profile);

// `total` split in proportion to `weights`, in integers adding up to it
// (largest remainder); all zero when the weights are.
std::vector<uint64_t> apportion(uint64_t total, const std::vector<uint64_t>& weights);

// The function a frame is in, for folded stacks and --by-function: one name
// per entry of `lines` (innermost first), else the ELF symbol, else
// "[module]" or "[unknown]". Offsets and lines left out, so that calls from
// one function add up.
std::vector<std::string> frame_functions(const SymbolizedFrame& frame);

// A row as a flame graph's path, root first: the process's name, why the
// stack is missing ("[stack lost: ...]") if it is, each frame's functions
// (outer first), the syscall. What folded stacks and the HTML flame graph draw.
std::vector<std::string> flame_path(const StackRow& row);

// --by-function looks past frames in these modules (file name prefixes):
// the C library, the dynamic loader and the vDSO, the wrappers every
// syscall passes through, not where the program made it. --skip-modules
// replaces the list (to look past an interpreter's runtime too, say).
inline const std::vector<std::string> kDefaultSkippedModules = {"libc.so", "libc-",  "ld-linux",
                                                                "ld.so",   "ld-musl", "[vdso]"};
bool in_skipped_module(const SymbolizedFrame& frame, const std::vector<std::string>& prefixes);

// --by-function: per process and function that made calls (the innermost
// frame outside the skipped modules; its innermost inlined function).
struct FunctionRow {
  uint32_t pid = 0;
  std::string comm;
  std::string function;   // as frame_functions names it
  std::string location;   // "wl_stacks.c" with DWARF, else the module's path; "" unknown
  uint64_t calls = 0;
  uint64_t errors = 0;
  uint64_t total_ns = 0;
  uint64_t process_total_ns = 0;  // all the process's syscall time (the share's base)
  uint64_t process_calls = 0;
  std::vector<std::pair<std::string, uint64_t>> syscalls;  // name, calls; most calls first
};
// Sorted by time (most first; by calls when `by_calls`).
std::vector<FunctionRow> by_function(const StackProfile& profile, bool by_calls,
                                     const std::vector<std::string>& skipped = kDefaultSkippedModules);

}  // namespace syslat::core
