// syslat / syslat lat: per-syscall latency distributions.
#include "cli/commands.h"
#include "cli/stats_session.h"

namespace syslat::cli {

namespace {
const std::string kKernelHelpAndStacks =
    std::string("      --kernel FUNC,...|default  time in these kernel functions per syscall (see sysfunc)\n") + kStacksHelp;
}  // namespace

int run_lat(const std::string& prog, int argc, char** argv) {
  static const CommandSpec spec{
      "lat", "[OPTIONS] [-- CMD ARGS...]",
      "Per-syscall latency: count, total, avg, min, max, p50/p90/p99 and a log2\n"
      "histogram, sorted by total time. Every call is timed in the kernel.\n"
      "The histogram's buckets are powers of two of nanoseconds; a row's label is\n"
      "its bucket's bounds to 3 significant digits: 1.05-2.10ms counts calls from\n"
      "2^20 ns (1.048576 ms) up to, not including, 2^21 ns (2.097152 ms); >=1.07s\n"
      "is 2^30 ns and longer. JSON gives every bucket's exact lo_ns and hi_ns.\n"
      "With --kernel FUNC,...|default, each syscall's time by the kernel functions\n"
      "beneath it instead (sysfunc --by-syscall; `default`: VFS, page cache, sockets,\n"
      "futex, epoll, page faults, schedule).\n"
      "Examples: syslat -p 1234     syslat -S read,write -i 5     syslat -j -- dd if=/dev/zero of=/dev/null count=1000\n"
      "          syslat --kernel default -S read,write -- tar cf /tmp/etc.tar /etc\n"
      "          syslat --stacks -o profile.pb.gz -- python3 -c 'import json'    syslat --by-function -p 1234",
      kKernelHelpAndStacks.c_str()};
  return run_with_common_options(prog, spec, argc, argv, [&](const CommonOptions& o) {
    // --kernel: each syscall's time by the kernel functions beneath it.
    if (!o.kernel_functions.empty()) return run_func_by_syscall(prog, o);
    return run_stats(prog, Tool::Lat, o);
  });
}

}  // namespace syslat::cli
