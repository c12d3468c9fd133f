#include "collect/kernel_functions.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
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

// The address of the kernel image's symbol `type_and_name` ("T _sinittext"), or 0.
uint64_t image_symbol(std::string_view text, std::string_view type_and_name) {
  const size_t at = text.find(" " + std::string(type_and_name) + "\n");
  if (at == std::string_view::npos) return 0;
  const size_t line = text.rfind('\n', at);
  const size_t start = line == std::string_view::npos ? 0 : line + 1;
  uint64_t addr = 0;
  std::from_chars(text.data() + start, text.data() + at, addr, 16);
  return addr;
}

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


KallsymsFunctions parse_kallsyms_functions(std::string_view text) {
  KallsymsFunctions out;
  const uint64_t init_start = image_symbol(text, "T _sinittext");
  const uint64_t init_end = image_symbol(text, "T _einittext");
  for_each_line(text, [&](std::string_view line) {
    // "ffffffff81000000 T _stext" or "ffffffffc0a01000 t xfs_foo\t[xfs]"
    uint64_t addr = 0;
    const auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), addr, 16);
    const size_t type_at = static_cast<size_t>(end - line.data());
    if (ec != std::errc() || type_at + 3 > line.size() || line[type_at] != ' ' || !is_code(line[type_at + 1]) ||
        line[type_at + 2] != ' ')
      return;
    line.remove_prefix(type_at + 3);
    const size_t tab = line.find('\t');
    const std::string_view name = line.substr(0, tab);
    if (starts_with(name, "__pfx_") || starts_with(name, "__cfi_")) return;
    const std::string_view module =
        tab == std::string_view::npos ? std::string_view{} : strip_brackets(line.substr(tab + 1));
    out.text.add(name, module);
    if (module.empty() && addr >= init_start && addr < init_end) out.init_text.add(name);
  });
  out.text.finish();
  out.init_text.finish();
  return out;
}

core::FunctionNames traceable_from_btf(const core::FunctionNames& btf, const KallsymsFunctions& kallsyms) {
  core::FunctionNames names;
  for (size_t i = 0; i < kallsyms.text.size(); ++i) {
    const std::string_view name = kallsyms.text.name(i);
    if (name.find(".cold") != std::string_view::npos || kallsyms.init_text.contains(name)) continue;
    if (btf.contains(name.substr(0, name.find('.')))) names.add(name, kallsyms.text.module(i));
  }
  names.finish();
  return names;
}

util::Expected<TraceableFunctions> load_traceable_functions(const core::FunctionNames& btf,
                                                            const KallsymsFunctions& kallsyms,
                                                            const KernelFunctionPaths& paths) {
  std::string why_not;
  for (const std::string& dir : paths.tracefs) {
    const std::string path = dir + "/available_filter_functions";
    auto text = read_generated_file(path);
    if (text) return TraceableFunctions{parse_available_filter_functions(*text), TraceableOrigin::Tracefs, path};
    if (why_not.empty()) why_not = path + ": " + text.error().message;
  }
  if (btf.empty() || kallsyms.text.empty())
    return util::make_error("cannot tell which kernel functions can be traced: " + why_not + ", and no " +
                            (btf.empty() ? "BTF" : "kallsyms") + " to go by");
  return TraceableFunctions{traceable_from_btf(btf, kallsyms), TraceableOrigin::BtfAndKallsyms,
                            "the functions with BTF and a symbol in kallsyms (" + why_not + ")"};
}

KallsymsFunctions load_kallsyms_functions(const std::string& path) {
  auto text = read_generated_file(path);
  return parse_kallsyms_functions(text ? *text : std::string());
}

util::Expected<KernelFunctions> load_kernel_functions(const KernelBtf& btf, const KernelFunctionPaths& paths) {
  KernelFunctions kernel;
  kernel.sets.btf = btf.function_names();
  KallsymsFunctions kallsyms = load_kallsyms_functions(paths.kallsyms);
  auto traceable = load_traceable_functions(kernel.sets.btf, kallsyms, paths);
  if (!traceable) return traceable.error();
  kernel.sets.kallsyms = std::move(kallsyms.text);
  kernel.sets.traceable = std::move(traceable->names);
  kernel.origin = traceable->origin;
  kernel.origin_text = std::move(traceable->origin_text);
  return kernel;
}

}  // namespace syslat::collect
