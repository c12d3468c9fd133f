// libFuzzer: systrace's option parser (parse_trace_options), fed an argv
// split from the input at NUL bytes (argv[0] is "systrace"). Invariants
// (docs/cli.md): an error is one line that starts by naming the option; a
// success has something to trace (a command or PIDs, not both) unless it
// asks for --help/--version, and --seccomp-bpf only with a command.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "cli/trace_options.h"

namespace {

// A broken invariant: which one and the text involved, then the trap.
void require(bool ok, const char* what, const std::string& detail = "") {
  if (ok) return;
  std::fprintf(stderr, "%s: %s\n", what, detail.c_str());
  __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  constexpr size_t kMaxArgs = 64;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> args{"systrace"};
  for (size_t start = 0; start <= text.size() && args.size() < kMaxArgs;) {
    size_t end = text.find('\0', start);
    if (end == std::string_view::npos) end = text.size();
    args.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  auto o = syslat::cli::parse_trace_options(static_cast<int>(args.size()), argv.data());
  if (!o) {
    const std::string& message = o.error().message;
    require(!message.empty() && message.front() == '-', "an error that does not start with the option", message);
    require(message.find('\n') == std::string::npos, "an error of more than one line", message);
    return 0;
  }
  if (o->help || o->version) return 0;
  require(o->command.empty() != o->pids.empty(), "not exactly one of a command and -p");
  require(!o->seccomp || !o->command.empty(), "--seccomp-bpf without a command");
  require(o->max_string <= (1u << 20) && o->timestamps >= 0 && o->timestamps <= 3, "-s or -t out of range");
  require(!o->expr.trace || !o->expr.trace->all(), "trace=all kept as a set");
  return 0;
}
