#include "collect/kernel_functions.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "collect/function_btf.h"
#include "util/fd.h"

namespace syslat::collect {
namespace {

// The file's whole text, or the errno that stopped it. These files are
// generated on read and stat says 0 bytes, so they are read in chunks.
util::Expected<std::string> read_generated_file(const std::string& path) {
  util::UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return util::make_error(std::strerror(errno));
  std::string text;
  constexpr size_t kChunk = 256 * 1024;
  for (;;) {
    const size_t used = text.size();
    text.resize(used + kChunk);
    const ssize_t n = read(fd.get(), text.data() + used, kChunk);
    if (n < 0) {
      text.resize(used);
      if (errno == EINTR) continue;
      return util::make_error(std::strerror(errno));
    }
    text.resize(used + static_cast<size_t>(n));
    if (n == 0) return text;
  }
}

// Calls fn(line) for each line of text.
template <class Fn>
void for_each_line(std::string_view text, Fn&& fn) {
  while (!text.empty()) {
    const size_t eol = std::min(text.find('\n'), text.size());
    fn(text.substr(0, eol));
    text.remove_prefix(std::min(eol + 1, text.size()));
  }
}

// "[ext4]" -> "ext4"; anything else as it is.
std::string_view strip_brackets(std::string_view module) {
  if (module.size() >= 2 && module.front() == '[' && module.back() == ']') return module.substr(1, module.size() - 2);
  return module;
}

bool is_code(char type) { return type == 't' || type == 'T' || type == 'w' || type == 'W'; }

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

}  // namespace

core::FunctionNames parse_available_filter_functions(std::string_view text) {
  core::FunctionNames names;
  for_each_line(text, [&](std::string_view line) {
    const size_t space = line.find(' ');
    const std::string_view name = line.substr(0, space);
    // What ftrace lists in place of a function whose record went stale
    // (a weak function overridden at link time): nothing to attach to.
    if (starts_with(name, "__ftrace_invalid_address__")) return;
    const std::string_view module = space == std::string_view::npos ? std::string_view{} : line.substr(space + 1);
    names.add(name, strip_brackets(module));
  });
  names.finish();
  return names;
}

core::FunctionNames parse_kallsyms_functions(std::string_view text) {
  core::FunctionNames names;
  for_each_line(text, [&](std::string_view line) {
    // "ffffffff81000000 T _stext" or "ffffffffc0a01000 t xfs_foo\t[xfs]"
    const size_t type_at = line.find(' ');
    if (type_at == std::string_view::npos || type_at + 3 > line.size() || !is_code(line[type_at + 1]) ||
        line[type_at + 2] != ' ')
      return;
    line.remove_prefix(type_at + 3);
    const size_t tab = line.find('\t');
    const std::string_view name = line.substr(0, tab);
    if (starts_with(name, "__pfx_") || starts_with(name, "__cfi_")) return;
    names.add(name, tab == std::string_view::npos ? std::string_view{} : strip_brackets(line.substr(tab + 1)));
  });
  names.finish();
  return names;
}

core::FunctionNames traceable_from_btf(const core::FunctionNames& btf, const core::FunctionNames& kallsyms) {
  core::FunctionNames names;
  for (size_t i = 0; i < kallsyms.size(); ++i) {
    const std::string_view name = kallsyms.name(i);
    if (name.find(".cold") != std::string_view::npos) continue;
    if (btf.contains(name.substr(0, name.find('.')))) names.add(name, kallsyms.module(i));
  }
  names.finish();
  return names;
}

util::Expected<TraceableFunctions> load_traceable_functions(const core::FunctionNames& btf,
                                                            const core::FunctionNames& kallsyms,
                                                            const KernelFunctionPaths& paths) {
  std::string why_not;
  for (const std::string& dir : paths.tracefs) {
    const std::string path = dir + "/available_filter_functions";
    auto text = read_generated_file(path);
    if (text) return TraceableFunctions{parse_available_filter_functions(*text), TraceableOrigin::Tracefs, path};
    if (why_not.empty()) why_not = path + ": " + text.error().message;
  }
  if (btf.empty() || kallsyms.empty())
    return util::make_error("cannot tell which kernel functions can be traced: " + why_not + ", and no " +
                            (btf.empty() ? "BTF" : "kallsyms") + " to go by");
  return TraceableFunctions{traceable_from_btf(btf, kallsyms), TraceableOrigin::BtfAndKallsyms,
                            "the functions with BTF and a symbol in kallsyms (" + why_not + ")"};
}

core::FunctionNames load_kallsyms_functions(const std::string& path) {
  auto text = read_generated_file(path);
  return parse_kallsyms_functions(text ? *text : std::string());
}

util::Expected<KernelFunctions> load_kernel_functions(const KernelBtf& btf, const KernelFunctionPaths& paths) {
  KernelFunctions kernel;
  kernel.sets.btf = btf.function_names();
  kernel.sets.kallsyms = load_kallsyms_functions(paths.kallsyms);
  auto traceable = load_traceable_functions(kernel.sets.btf, kernel.sets.kallsyms, paths);
  if (!traceable) return traceable.error();
  kernel.sets.traceable = std::move(traceable->names);
  kernel.origin = traceable->origin;
  kernel.origin_text = std::move(traceable->origin_text);
  return kernel;
}

}  // namespace syslat::collect
