// libFuzzer: systrace's -e expression parser (apply_trace_expression).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "trace/trace_expr.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  syslat::trace::TraceExpr before;
  syslat::trace::TraceExpr expr = before;
  auto ok = syslat::trace::apply_trace_expression(text, expr);
  if (!ok) {
    // An error is one non-empty message and changes nothing.
    if (ok.error().message.empty()) __builtin_trap();
    if (expr.trace.has_value() || expr.show_failed != before.show_failed ||
        expr.show_successful != before.show_successful)
      __builtin_trap();
    return 0;
  }
  // A selection that is everything is stored as none at all.
  if (expr.trace && expr.trace->all()) __builtin_trap();
  return 0;
}
