// strace's -e expressions, parsed without side effects (fuzzed):
//   trace=LIST   (or a bare LIST) which syscalls to show: names, numbers,
//                classes (%file, %net, ...), all/none, '!' negation
//   status=LIST  which results to show: successful, failed (or the negation
//                with '!'); "all" for both
// Later expressions of the same kind replace earlier ones, as in strace.
#pragma once

#include <optional>
#include <string_view>

#include "core/syscall_set.h"
#include "util/expected.h"

namespace syslat::trace {

struct TraceExpr {
  std::optional<core::SyscallSet> trace;  // nullopt: every syscall
  bool show_successful = true;
  bool show_failed = true;
};

// Applies one -e argument to `into`. The error is one line naming the bad
// part and the accepted forms; `into` is unchanged then.
util::Expected<void> apply_trace_expression(std::string_view text, TraceExpr& into);

}  // namespace syslat::trace
