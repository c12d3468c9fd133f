// The options every BPF subcommand shares (docs/cli.md), parsed in one place.
// Letters follow bcc/libbpf-tools syscount.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/anomaly.h"
#include "util/run_as.h"
#include "core/filter_spec.h"
#include "core/report.h"
#include "core/threshold_spec.h"
#include "export/report_writer.h"
#include "util/expected.h"

namespace syslat::cli {

enum class Backend { Auto, Bpf, Ptrace };

// syslatd's --listen: an IP address (IPv6 without its brackets) and a port.
struct ListenAddress {
  std::string host;
  int port = 0;
  bool ipv6 = false;
};

struct CommonOptions {
  core::FilterSpec filter;  // -c PATH|ID and --unit resolve into filter.cgroup_path
  std::optional<std::string> unit;  // --unit, with its suffix (nginx -> nginx.service)
  std::optional<std::string> cgroup;  // -c as given: a path, or a cgroup id
  double interval_s = 0;  // 0: one report at the end
  double duration_s = 0;  // 0: until interrupted / target exits
  std::optional<size_t> top;  // default: 10 for text, all for JSON/CSV
  std::optional<core::SortKey> sort;
  // Anomalies of -i intervals against past ones (core/anomaly.h); sysslow
  // --threshold auto learns from the same baseline.
  double anomaly_score = 5;                // --anomaly-score X|off (0: none)
  std::optional<size_t> learn_intervals;   // --learn N: intervals before a baseline judges
  bool sort_self = false;  // --sort self: sysfunc only (syscalls have no self time)
  bool latency = false;   // -L
  bool states = false;    // --states: split each timed call's time (syscount; the other tools always do)
  bool milliseconds = false;
  bool per_process = false;
  bool list = false;
  exporter::Format format = exporter::Format::Text;
  Backend backend = Backend::Auto;
  std::string output_path;
  std::optional<uint32_t> max_processes;  // -P: processes; each tool has its default
  std::vector<std::string> command;  // after --
  // --stacks (syscount, syslat): calls and time per (process, user stack, syscall)
  bool stacks = false;
  bool by_function = false;                   // --by-function (implies --stacks)
  std::optional<uint32_t> max_stacks;         // --max-stacks N
  std::optional<uint32_t> stack_sample;       // --stack-sample N
  std::string html_path;                      // --html FILE (syscount, syslat, sysslow)
  std::optional<util::RunAs> run_as;          // --run-as USER: -- CMD runs as that user
  std::string invocation;                     // argv as given, for the HTML report
  std::optional<std::vector<std::string>> skip_modules;  // --skip-modules PREFIX,... (with --by-function)
  std::optional<std::string> weight;          // --weight time|calls (folded values)
  std::optional<std::string> profile_format;  // --format folded|pprof (else from -o's extension)
  bool stack_options = false;                 // one of the last three was given
  // sysslow only
  core::ThresholdSpec thresholds;
  std::optional<uint64_t> auto_floor_ns;  // --auto-floor DUR: --threshold auto never goes below it
  bool user_stack = false;    // --stack
  bool kernel_stack = false;  // --kstack
  bool slow_options = false;  // one of them was given
  bool batch = false;         // syslat-top -b: plain text panels, no terminal
  // syslatd only
  std::optional<ListenAddress> listen;     // --listen ADDR:PORT
  std::vector<uint64_t> bucket_bounds_ns;  // --buckets DUR,...: as given, ascending
  // sysfunc only
  std::vector<std::string> functions;  // names and globs, the words before -- (parse_common_options' positional)
  bool trace_calls = false;            // --trace: one line per call
  std::optional<std::string> attach;   // --attach kprobe.multi|kprobe|fentry (--fentry)
  bool by_syscall = false;             // --by-syscall
  std::optional<uint32_t> max_functions;
  bool func_options = false;           // one of them was given
  std::vector<std::string> kernel_functions;  // syslat --kernel FUNC,...|default: sysfunc --by-syscall on them
  bool verbose = false;
  bool help = false;
  bool version = false;
};

// --max-processes N means processes in every tool. The kernel counts -P per
// (process, syscall) pair in a table sized from it: room for N processes of
// kSyscallsPerProcess different syscalls each (most make a few dozen).
// Calls that find the table full are counted (Health::proc_map_full).
inline constexpr uint32_t kDefaultMaxProcesses = 512;
inline constexpr uint32_t kSyscallsPerProcess = 32;
inline constexpr uint32_t kMaxMaxProcesses = (1u << 24) / kSyscallsPerProcess;
uint32_t process_map_entries(uint32_t processes);

// --stacks: distinct user stacks, and (process, stack, syscall) entries, the
// kernel keeps room for (a stack of SYSLAT_PROFILE_DEPTH frames is 512 bytes).
inline constexpr uint32_t kDefaultMaxStacks = 16384;
inline constexpr uint32_t kMaxMaxStacks = 1u << 17;  // the stack map: 2 x 512-byte stacks each
// --stack-sample N: the stack of 1 call in N is walked (see stack_sampled in
// syslat.bpf.c): a walk costs ~10 times the rest of a call.
inline constexpr uint32_t kDefaultStackSample = 64;
inline constexpr uint32_t kMaxStackSample = 1u << 20;

// --stacks and its options, for the --help of syscount and syslat.
inline constexpr const char* kStacksHelp =
    "      --stacks             calls and syscall time per (process, user stack, syscall),\n"
    "                           counted in the kernel; the top stacks after the report\n"
    "      --by-function        --stacks, summed per function that made the calls (the\n"
    "                           innermost frame outside libc and ld.so)\n"
    "      --skip-modules LIST  --by-function: the modules to look past, file name prefixes\n"
    "                           (default libc.so,libc-,ld-linux,ld.so,ld-musl,[vdso]; '' none)\n"
    "  -o FILE.folded|FILE.pb.gz  --stacks: the profile as folded stacks (flamegraph.pl,\n"
    "                           speedscope) or gzip'd pprof; the report stays on stdout\n"
    "      --format folded|pprof  --stacks: the profile's format whatever -o's name\n"
    "                           (folded without -o: on stdout, instead of the report)\n"
    "      --weight time|calls  folded values: us of syscall time (default when timed) or calls\n"
    "      --max-stacks N       --stacks: distinct stacks kept (default 16384); calls of\n"
    "                           stacks that do not fit are counted under a lost-stack frame\n"
    "      --stack-sample N     --stacks: walk the stack of 1 call in N (default 64), each\n"
    "                           syscall's stacks scaled to its exact totals; 1: every call,\n"
    "                           exact per stack (about 1 us more per call)\n";

// What a subcommand adds to the shared set.
struct CommandSpec {
  const char* name;         // "count", "lat"
  const char* usage;        // one line after the program name
  const char* description;  // a paragraph for --help
  const char* options = nullptr;  // the subcommand's own options, for --help
  // -P and --max-processes for --help, where the subcommand's differ from
  // the common lines (syslatd: labels and series).
  const char* per_process = nullptr;
};

// Parses argv[1..]. The error is one line naming the option and the accepted
// form (the caller prints it with the program name and exits 2). Without
// `positional`, the first word that is no option starts the command (as in
// strace); with it (sysfunc), options and words mix freely until `--`, the
// words go to `functions`, and what follows `--` is the command.
util::Expected<CommonOptions> parse_common_options(int argc, char** argv, bool positional = false);


// "-p 12,34": existing PIDs (TIDs with threads); the error names the option.
util::Expected<std::vector<uint32_t>> parse_ids(const std::string& option, std::string_view text, bool threads);

// "-n NAME": a process name as the kernel keeps it (1..15 bytes); the error
// names the option.
util::Expected<std::string> parse_comm(const std::string& option, std::string_view text);

std::string help_text(const std::string& prog, const CommandSpec& spec);

// --anomaly-score and --learn as the detector takes them.
core::AnomalyConfig anomaly_config(const CommonOptions& o);

}  // namespace syslat::cli
