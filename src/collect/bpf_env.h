// Can BPF tracing work here at all? Checked before loading, so the user gets
// a precise reason (SPEC §9: missing capability or BTF -> status 1).
#pragma once

#include "util/expected.h"

namespace syslat::collect {

util::Expected<void> check_bpf_environment();

// Whether the kernel has BTF-typed raw tracepoints for raw_syscalls.
bool have_btf_syscall_tracepoints();

// Classic tracepoints need tracefs; mount it if it is missing.
util::Expected<void> ensure_tracefs();

}  // namespace syslat::collect
