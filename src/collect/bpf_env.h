// Can BPF tracing work here at all? Checked before loading, so the user gets
// a precise reason (docs/cli.md "Exit status": missing capability or BTF -> status 1).
#pragma once

#include "core/kernel_support.h"
#include "util/expected.h"

namespace syslat::collect {

// What the kernel offers, once it is known to be enough. The error names
// what works without BPF: --backend ptrace, or, for a tool that has no
// ptrace backend (syslat-top, syslatd), says so.
util::Expected<core::KernelFacts> check_bpf_environment(bool has_ptrace_backend = true);

}  // namespace syslat::collect
