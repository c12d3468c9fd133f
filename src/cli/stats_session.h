// The shared body of `count`, `lat` and `slow`: options -> BPF source ->
// periodic polls -> reports (or, for slow, the stream of slow calls). The only
// place a source is wired to a renderer for them.
#pragma once

#include <functional>
#include <string>

#include "util/files.h"
#include "cli/options.h"
#include "core/report.h"

namespace syslat::cli {

// Parses argv, then runs; returns the process exit status (docs/cli.md: 2 for a
// bad option value, 1 for an environment problem, 0 otherwise; with -- CMD,
// the command's status as a shell reports it).
enum class Tool { Count, Lat, Slow };

int run_stats_command(const std::string& prog, const CommandSpec& spec, Tool tool, int argc, char** argv);
// The same, on options already parsed.
int run_stats(const std::string& prog, Tool tool, const CommonOptions& options);
// syslat --kernel: sysfunc --by-syscall on options.kernel_functions (cmd_func.cpp).
int run_func_by_syscall(const std::string& prog, const CommonOptions& options);

// The common front of every subcommand on the common options: parses argv,
// answers --help, --version and --list itself, else hands the options to `run`.
// `positional`: sysfunc's words before -- (parse_common_options); it answers
// --list itself.
int run_with_common_options(const std::string& prog, const CommandSpec& spec, int argc, char** argv,
                            const std::function<int(const CommonOptions&)>& run, bool positional = false);

// Prints "prog: message" on stderr and returns status.
int fail(const std::string& prog, const std::string& message, int status);

// An output file an option names (-o, --html), opened before the run so that
// a bad path fails at once: "OPTION: cannot write 'PATH' (expected a writable FILE)".
util::Expected<util::OutputFile> open_output(const std::string& option, const std::string& path);

}  // namespace syslat::cli
