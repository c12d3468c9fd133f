// sysslow / syslat slow: one event per call that took at least its threshold.
#include "cli/commands.h"
#include "cli/stats_session.h"

namespace syslat::cli {

int run_slow(const std::string& prog, int argc, char** argv) {
  static const CommandSpec spec{
      "slow", "[--threshold DUR|auto|NAME=DUR|NAME=auto,...] [--stack] [--kstack] [OPTIONS] [-- CMD ARGS...]",
      "Print every system call that took at least its threshold, as it happens: when\n"
      "it returned, process, duration, result, the arguments decoded (fds with their\n"
      "paths, path arguments as read by the kernel, flags by name) and, with --stack,\n"
      "where in the program it was made. The kernel decides what is slow: only slow\n"
      "calls cross into userspace. Events lost to a full buffer are counted and\n"
      "reported. The time shown is the wall clock's when the call returned (JSON/CSV:\n"
      "\"time\", and \"start\" = time - duration_ns); a step of the clock (NTP) is\n"
      "followed from the next event on.\n"
      "Examples: sysslow --threshold 10ms     sysslow -p 1234 --threshold 5ms,read=50ms --stack",
      "Slow calls:\n"
      "      --threshold SPEC     DUR for every syscall (default 10ms), or NAME=DUR[,NAME=DUR...]\n"
      "                           for some; repeatable, later values win. auto (as DUR):\n"
      "                           learned per syscall, 1.5 x the p99.9 of a bad past interval\n"
      "                           (median + 2 robust spreads of the intervals' p99.9), moved\n"
      "                           live as it learns; the fixed default until learned; the\n"
      "                           learned values printed at the end\n"
      "      --auto-floor DUR     auto never below DUR (default 1ms)\n"
      "  -i SEC, --learn N        auto: learn every SEC (default 1), judge after N intervals\n"
      "      --stack              the user stack of each slow call, symbolized\n"
      "      --kstack             the kernel stack where the call was switched out\n"};
  return run_stats_command(prog, spec, Tool::Slow, argc, argv);
}

}  // namespace syslat::cli
