// strace -c's table from the stats model: "% time seconds usecs/call calls
// errors syscall", sorted by time (then by number), a total row.
#pragma once

#include <string>

#include "core/stats.h"
#include "core/syscall_set.h"

namespace syslat::trace {

std::string summary_table(const core::SyscallMap& calls);

// Whether `set` (a -e trace= selection) selects the call: native numbers by
// their bit, i386 calls by their x86_64 twin, the rest by kSetOther.
bool set_selects(const core::SyscallSet& set, core::SyscallId id);

}  // namespace syslat::trace
