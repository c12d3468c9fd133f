#include "cli/func_resolve.h"

#include <fmt/format.h>

#include <algorithm>

#include "collect/function_btf.h"
#include "collect/kernel_functions.h"
#include "core/func_match.h"
#include "decode/func_args.h"
#include "util/escape.h"

namespace syslat::cli {

util::Expected<ResolvedFunctions> resolve_functions(const std::vector<std::string>& patterns, size_t max_functions) {
  auto btf = collect::KernelBtf::load();
  if (!btf) return btf.error();
  auto kernel = collect::load_kernel_functions(*btf);
  if (!kernel) return kernel.error();
  std::vector<std::string> asked;
  bool with_default = false;
  for (const std::string& p : patterns) {
    if (p == "default")
      with_default = true;
    else
      asked.push_back(p);
  }
  if (patterns.empty()) asked = {"*"};  // --list alone: every traceable function
  core::FunctionMatch match = core::match_functions(kernel->sets, asked, patterns.empty() ? SIZE_MAX : max_functions);
  ResolvedFunctions r;
  if (asked.empty()) match = {};
  r.unmatched = match.unmatched;
  if (!match.cap_note.empty()) r.notes.push_back(match.cap_note);
  std::vector<core::MatchedFunction> functions = std::move(match.functions);
  if (with_default) {
    const core::FunctionMatch defaults = core::match_functions(kernel->sets, kDefaultFunctions, max_functions);
    std::string missing;
    for (const std::string& line : defaults.unmatched) missing += (missing.empty() ? "" : "; ") + line;
    if (!missing.empty()) r.notes.push_back("default: left out: " + missing);
    for (const core::MatchedFunction& f : defaults.functions) {
      const bool have = std::any_of(functions.begin(), functions.end(), [&](const auto& g) { return g.name == f.name; });
      if (!have && functions.size() < max_functions) functions.push_back(f);
    }
  }
  for (const core::MatchedFunction& f : functions) {
    core::FuncSignature sig = btf->signature(f.name, f.module);
    r.probes.push_back({f.name, sig.arg_kinds()});
    r.names.push_back(f.name);
    r.modules.push_back(f.module);
    r.signatures.push_back(std::move(sig));
  }
  return r;
}

void print_function_list(std::ostream& out, const ResolvedFunctions& r, bool with_signatures) {
  for (size_t i = 0; i < r.names.size(); ++i) {
    std::string line;
    const core::FuncSignature& sig = r.signatures[i];
    if (with_signatures && sig.known) {
      line = fmt::format("{} {}(", sig.ret.spelling, r.names[i]);
      for (size_t p = 0; p < sig.params.size(); ++p) {
        const core::FuncParam& param = sig.params[p];
        if (p) line += ", ";
        line += param.type.spelling;
        if (!param.name.empty()) line += (param.type.spelling.ends_with("*") ? "" : " ") + param.name;
      }
      if (sig.variadic) line += sig.params.empty() ? "..." : ", ...";
      line += ")";
    } else {
      line = r.names[i];
    }
    if (!r.modules[i].empty()) line += fmt::format(" [{}]", r.modules[i]);
    out << util::escaped(line) << '\n';
  }
}

std::string format_call(const ResolvedFunctions& r, const core::FuncEvent& e) {
  if (e.func >= r.names.size()) return fmt::format("[function {}]", e.func);
  const core::FuncSignature& sig = r.signatures[e.func];
  std::string text = fmt::format("{}({})", util::escaped(r.names[e.func]), decode::format_func_args(sig, e.args, e.name_arg, e.name));
  const std::string ret = decode::format_func_return(sig, e.ret);
  if (!ret.empty()) text += " " + ret;
  return text;
}

}  // namespace syslat::cli
