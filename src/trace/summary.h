// Traced calls into the stats model, and strace -c's table from it: one
// computation for systrace -c and the ptrace backend of the stats tools.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/stats.h"
#include "core/syscall_set.h"
#include "trace/tracer.h"

namespace syslat::trace {

// From entry to exit, when the call returned and its entry was seen.
std::optional<uint64_t> call_duration_ns(const Call& c);

// Whether the call returned an error (-1..-4095).
bool call_failed(const Call& c);

// Counts one call in its syscall's stats. A call in flight when tracing
// began counts only as that (entry_not_seen): the tracer saw its interrupted
// first half, and counts the restarted call it becomes. Any other is a call,
// an error if it failed, and with `timed` its duration (with `histogram` in
// the histogram too).
void add_call(core::SyscallStats& s, const Call& c, bool timed, bool histogram);

// strace -c's table: "% time seconds usecs/call calls errors syscall",
// sorted by time (then by number), a total row.
std::string summary_table(const core::SyscallMap& calls);

// Whether `set` (a -e trace= selection) selects the call: native numbers by
// their bit, i386 calls by their x86_64 twin, the rest by kSetOther.
bool set_selects(const core::SyscallSet& set, core::SyscallId id);

}  // namespace syslat::trace
