// The seccomp-bpf program systrace installs in a launched tracee when only
// some syscalls are traced (like strace --seccomp-bpf): calls in the set
// return SECCOMP_RET_TRACE (a ptrace stop), all others SECCOMP_RET_ALLOW and
// never stop the tracee. Pure: builds the instructions, installs nothing.
#pragma once

#include <linux/filter.h>

#include <cstdint>
#include <vector>

#include "core/syscall_set.h"

namespace syslat::trace {

// Contiguous runs of the set become one range test each, so %file or
// "!futex" stay short. Calls of another ABI (i386) and, when the set has
// kSetOther, numbers without a slot are traced too: the tracer decides.
std::vector<sock_filter> build_seccomp_filter(const core::SyscallSet& set);

// What the program returns for (arch, nr): the action, for tests (a small
// interpreter of exactly the instructions build_seccomp_filter emits).
uint32_t run_seccomp_filter(const std::vector<sock_filter>& program, uint32_t arch, int32_t nr);

}  // namespace syslat::trace
