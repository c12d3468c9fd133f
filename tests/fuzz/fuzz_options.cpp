// libFuzzer: the options every BPF subcommand shares (parse_common_options),
// fed an argv split from the input at NUL bytes (argv[0] is "syslat").
// Invariants (docs/cli.md): an error is one line that starts by naming the
// option ("-p/--pid: ...", "--listen: ...", "--: ..."); the same argv parses
// the same way twice (no state left behind by the previous parse); a success
// keeps the limits the BPF side relies on.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "cli/options.h"
#include "syslat.h"

// A broken invariant: which one and the text involved, then the trap.
void require(bool ok, const char* what, const std::string& detail = "") {
  if (ok) return;
  std::fprintf(stderr, "%s: %s\n", what, detail.c_str());
  __builtin_trap();
}

namespace {

constexpr size_t kMaxArgs = 64;

std::vector<std::string> split_args(std::string_view text) {
  std::vector<std::string> args{"syslat"};
  size_t start = 0;
  while (start <= text.size() && args.size() < kMaxArgs) {
    size_t end = text.find('\0', start);
    if (end == std::string_view::npos) end = text.size();
    args.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return args;
}

// getopt may permute or keep pointers into argv: each parse gets fresh copies.
syslat::util::Expected<syslat::cli::CommonOptions> parse(const std::vector<std::string>& args) {
  std::vector<std::string> copies = args;
  std::vector<char*> argv;
  for (auto& a : copies) argv.push_back(a.data());
  argv.push_back(nullptr);
  return syslat::cli::parse_common_options(static_cast<int>(copies.size()), argv.data());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto args = split_args(std::string_view(reinterpret_cast<const char*>(data), size));
  auto first = parse(args);
  auto second = parse(args);
  if (first.has_value() != second.has_value())
    require(false, "the same argv parsed twice: once good, once not",
            first ? second.error().message : first.error().message);
  if (!first) {
    const std::string& message = first.error().message;
    require(!message.empty() && message.front() == '-', "an error that does not start with the option", message);
    require(message.find('\n') == std::string::npos, "an error of more than one line", message);
    require(message == second.error().message, "the same argv parsed twice: two errors",
            message + " / " + second.error().message);
    return 0;
  }
  const auto& o = *first;
  require(o.command == second->command && o.filter.pids == second->filter.pids, "the same argv parsed twice: two results");
  require(!o.filter.comm || (!o.filter.comm->empty() && o.filter.comm->size() < SYSLAT_COMM_LEN), "-n kept as is",
          o.filter.comm.value_or(""));
  require(o.command.empty() || (o.filter.pids.empty() && o.filter.tids.empty()), "a command and -p/-t");
  require(!o.max_processes || (*o.max_processes > 0 && *o.max_processes <= syslat::cli::kMaxMaxProcesses),
          "--max-processes out of range");
  require(!o.max_processes || o.per_process, "--max-processes without -P");
  require(o.interval_s >= 0 && o.duration_s >= 0, "negative -i/-d");
  for (size_t i = 1; i < o.bucket_bounds_ns.size(); ++i)
    require(o.bucket_bounds_ns[i - 1] < o.bucket_bounds_ns[i], "--buckets not ascending");
  require(!o.listen || (o.listen->port >= 1 && o.listen->port <= 65535), "--listen port out of range");
  return 0;
}
