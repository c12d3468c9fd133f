// systrace's options: strace's letters, not the BPF tools' (-p PID, -f, -e
// trace=..., -e status=..., -T, -t/-tt/-ttt, -s N, -y, -o FILE, -c, -C, -j,
// --seccomp-bpf), parsed in one place.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "util/run_as.h"
#include "trace/trace_expr.h"
#include "util/expected.h"

namespace syslat::cli {

struct TraceOptions {
  bool follow_forks = false;           // -f (-ff is taken as -f)
  std::vector<uint32_t> pids;          // -p PID[,PID] (repeatable)
  trace::TraceExpr expr;               // -e trace=/status=
  bool show_time = false;              // -T
  int timestamps = 0;                  // -t 1, -tt 2, -ttt 3
  size_t max_string = 32;              // -s
  bool show_fd_paths = false;          // -y
  std::string output_path;             // -o
  bool summary = false;                // -c or -C
  bool trace_lines = true;             // false with -c
  bool json = false;                   // -j: NDJSON per call (docs/cli.md)
  bool seccomp = false;                // --seccomp-bpf, implied by -e trace= with a command
  std::vector<std::string> command;    // after the options (or after --)
  std::optional<util::RunAs> run_as;   // -u USER: the command runs as USER
  bool help = false;
  bool version = false;
};

// Parses argv[1..]; the error is one line naming the option and the accepted
// form (the caller prints it with the program name and exits 2).
util::Expected<TraceOptions> parse_trace_options(int argc, char** argv);

std::string trace_help(const std::string& prog);

}  // namespace syslat::cli
