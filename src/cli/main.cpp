// One multi-call executable (docs/cli.md): the names users know are symlinks,
// and `syslat SUBCOMMAND` reaches the same code.
#include <malloc.h>

#include <cstring>
#include <iostream>
#include <string>
#include <string_view>

#include "cli/commands.h"
#include "cli/stats_session.h"

namespace {

using Runner = int (*)(const std::string&, int, char**);

struct Subcommand {
  const char* name;
  const char* alias;  // the symlink name that runs it
  Runner run;
  const char* job;
};

constexpr Subcommand kSubcommands[] = {
    {"count", "syscount", syslat::cli::run_count, "counts and rates per syscall"},
    {"lat", "syslat", syslat::cli::run_lat, "per-syscall latency distributions (default)"},
    {"slow", "sysslow", syslat::cli::run_slow, "stream of slow calls with context"},
    {"top", "syslat-top", syslat::cli::run_top, "interactive ncurses dashboard"},
    {"serve", "syslatd", syslat::cli::run_serve, "daemon: Prometheus /metrics"},
    {"trace", "systrace", syslat::cli::run_trace, "ptrace backend, strace-style"},
    {"func", "sysfunc", syslat::cli::run_func, "kernel function counts, latencies and calls"},
};

const Subcommand* find(std::string_view name, bool by_alias) {
  for (const auto& s : kSubcommands)
    if (name == (by_alias ? s.alias : s.name)) return &s;
  return nullptr;
}

int usage() {
  std::cout << "Usage: syslat [SUBCOMMAND] [OPTIONS] [-- CMD ARGS...]\n\nSubcommands:\n";
  for (const auto& s : kSubcommands) std::cout << "  " << s.name << "\t(" << s.alias << ")\t" << s.job << '\n';
  std::cout << "\n`syslat SUBCOMMAND --help` describes the options.\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // glibc raises its mmap threshold to the size of the largest mmapped block
  // freed so far: after the BPF tools free their 5.4 MB copy of the kernel's
  // BTF, libbpf's copy at load goes to the heap, where it stays resident
  // (a free block below a live one, a heap top under the raised trim
  // threshold). Pinned at glibc's default, large blocks keep their own
  // mappings and go back to the system when freed (docs/performance.md, "Memory").
  mallopt(M_MMAP_THRESHOLD, 128 * 1024);
  const char* slash = std::strrchr(argv[0], '/');
  const std::string invoked = slash ? slash + 1 : argv[0];
  const Subcommand* sub = invoked == "syslat" ? nullptr : find(invoked, true);
  std::string prog = invoked;
  if (!sub) {  // syslat [SUBCOMMAND]
    prog = "syslat";
    if (argc > 1 && (sub = find(argv[1], false))) {
      --argc;
      ++argv;
    } else if (argc > 1 && (std::string_view(argv[1]) == "help" || std::string_view(argv[1]) == "--commands")) {
      return usage();
    } else {
      sub = find("lat", false);
    }
  }
  return sub->run(prog, argc, argv);
}
