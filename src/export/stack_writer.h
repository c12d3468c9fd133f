// Renderers of stack profiles (core/stack_profile.h) as text: folded stacks
// for flamegraph.pl and speedscope, the top stacks after a report, and the
// --by-function table. (pprof, a binary format: pprof_writer.h.)
#pragma once

#include <cstddef>
#include <ostream>
#include <string>

#include "core/stack_profile.h"

namespace syslat::exporter {

enum class StackWeight { Time, Calls };

// One line per row: "comm;outer;...;inner;syscall VALUE", VALUE in whole
// microseconds of syscall time or in calls (rows that round to 0 us are left
// out, as flamegraph.pl would). Names are escaped and made to fit the format
// (a ';' inside a name becomes ':').
void write_folded(std::ostream& out, const core::StackProfile& profile, StackWeight weight);

// The `top` stacks (0 = all) with the most time (calls when `by_calls`):
// the syscall, then the frames innermost first, then the process and totals.
void write_stacks_text(std::ostream& out, const core::StackProfile& profile, size_t top, bool by_calls);

// --by-function: per process and function, its calls and time and the share
// of the process's syscall time (of its calls when `by_calls`).
// `skipped`: the modules looked past (core::by_function).
void write_by_function_text(std::ostream& out, const core::StackProfile& profile, size_t top, bool by_calls,
                            const std::vector<std::string>& skipped = core::kDefaultSkippedModules);

// What is not exact, never silent: "SAMPLED: ..." for a sampled profile,
// "APPROX: ..." for rows that show their first call's stack, "LOST: ..." lines for calls not in any row and stacks not named; nothing
// when every call is in its row.
void write_stack_notes(std::ostream& out, const core::StackProfile& profile);

}  // namespace syslat::exporter
