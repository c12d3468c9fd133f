// Can BPF tracing work here at all? Checked before loading, so the user gets
// a precise reason (SPEC §9: missing capability or BTF -> status 1).
#pragma once

#include "core/kernel_support.h"
#include "util/expected.h"

namespace syslat::collect {

// What the kernel offers, once it is known to be enough.
util::Expected<core::KernelFacts> check_bpf_environment();

}  // namespace syslat::collect
