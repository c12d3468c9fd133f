// A stack profile (core/stack_profile.h) as a gzip'd pprof profile
// (perftools.profiles.Profile, the profile.proto of Debian's
// golang-github-google-pprof-dev), for `syslat --stacks -o X.pb.gz`: what
// `go tool pprof`, speedscope and most profile viewers open.
//
// Sample types: calls (count), syscall_time (nanoseconds), and
// off_cpu_time (nanoseconds) only when the profile measured it. One sample
// per row, labelled syscall, comm and pid; its stack, leaf first: the
// syscall, the user frames innermost first, and the process's name as the
// root, so a flame graph draws what the folded output draws. Calls not in
// any row are said in the profile's comments.
#pragma once

#include <ostream>

#include "core/stack_profile.h"
#include "util/expected.h"

namespace syslat::exporter {

// Writes the gzip'd profile to `out` and flushes it. An error when the
// profile cannot be encoded or `out` fails.
util::Expected<void> write_pprof(const core::StackProfile& profile, std::ostream& out);

}  // namespace syslat::exporter
