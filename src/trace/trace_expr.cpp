#include "trace/trace_expr.h"

#include <string>

#include "util/strings.h"

namespace syslat::trace {
namespace {

util::Expected<void> apply_status(std::string_view list, TraceExpr& into) {
  bool negate = !list.empty() && list.front() == '!';
  if (negate) list.remove_prefix(1);
  bool successful = false, failed = false;
  for (std::string_view item : util::split(list, ',')) {
    item = util::trim(item);
    if (item == "successful")
      successful = true;
    else if (item == "failed")
      failed = true;
    else if (item == "all")
      successful = failed = true;
    else if (item == "none")
      continue;
    else
      return util::make_error("unknown status '" + std::string(item) + "' (expected successful, failed, all or none)");
  }
  into.show_successful = successful != negate;
  into.show_failed = failed != negate;
  return {};
}

}  // namespace

util::Expected<void> apply_trace_expression(std::string_view text, TraceExpr& into) {
  std::string_view qualifier = "trace";
  std::string_view value = text;
  if (size_t eq = text.find('='); eq != std::string_view::npos) {
    qualifier = util::trim(text.substr(0, eq));
    value = text.substr(eq + 1);
  }
  if (qualifier == "trace" || qualifier == "t") {
    auto set = core::parse_syscall_list(value);
    if (!set) return set.error();
    if (set->all()) into.trace.reset();
    else into.trace = *set;
    return {};
  }
  if (qualifier == "status") return apply_status(value, into);
  return util::make_error("unknown qualifier '" + std::string(qualifier) +
                          "' (expected trace=LIST or status=LIST)");
}

}  // namespace syslat::trace
