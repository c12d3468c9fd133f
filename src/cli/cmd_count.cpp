// syscount / syslat count: counts and rates per syscall.
#include "cli/commands.h"
#include "cli/stats_session.h"

namespace syslat::cli {

int run_count(const std::string& prog, int argc, char** argv) {
  static const CommandSpec spec{
      "count", "[OPTIONS] [-- CMD ARGS...]",
      "Count system calls per syscall: calls, rate and errors, like bcc/libbpf-tools\n"
      "syscount, exactly (every call is counted in the kernel, nothing is sampled).\n"
      "Only sys_exit is attached unless -L or a latency option asks for timing.\n"
      "Examples: syscount -p 1234 -i 1     syscount -L -P -d 10     syscount -j -- ls\n"
      "          syscount --stacks -o calls.folded -- tar cf /tmp/etc.tar /etc",
      kStacksHelp};
  return run_stats_command(prog, spec, Tool::Count, argc, argv);
}

}  // namespace syslat::cli
