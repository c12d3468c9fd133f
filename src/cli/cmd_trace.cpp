// systrace / syslat trace: the ptrace backend, strace-style (docs/cli.md).
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <optional>

#include "cli/commands.h"
#include "cli/launcher.h"
#include "cli/run_loop.h"
#include "cli/stats_session.h"
#include "cli/trace_options.h"
#include "cli/trace_printer.h"
#include "trace/tracer.h"
#include "util/files.h"

namespace syslat::cli {
namespace {

struct Traced {
  int status = 0;        // the launched command's, as a shell reports it (0 with -p)
  int output_errno = 0;  // why the trace could not be written (0: it could)
};

// Traces until no tracee is left or a stop rule ends the run, then ends
// the trace: attached processes are detached, a launched command killed.
Traced trace_to_end(RunLoop& run, trace::Tracer& tracer, const TraceOptions& o, int out_fd) {
  // A launched command gets the first stop signal; a second one ends the
  // trace, which kills it. Attached processes are detached at the first.
  if (const pid_t launched = tracer.launched_pid(); launched > 0)
    run.set_command({launched, [launched](int sig) { kill(launched, sig); }, [&run] { run.end(RunLoop::End::Signal); }});
  TracePrinter printer(o, out_fd, !o.output_path.empty());
  // As Ctrl-C twice: attached processes are detached and run on, a
  // launched command is killed (it was only run to be traced).
  printer.on_output_gone([&run] { run.end(RunLoop::End::OutputClosed); });
  run.drive_tracer([&] { return tracer.step(printer); });
  run.run();
  Traced traced;
  traced.status = tracer.finish(printer);
  if (o.summary) printer.write_summary();
  traced.output_errno = printer.output_errno();
  return traced;
}

}  // namespace

int run_trace(const std::string& prog, int argc, char** argv) {
  auto parsed = parse_trace_options(argc, argv);
  if (!parsed) return fail(prog, parsed.error().message, 2);
  TraceOptions& o = *parsed;
  if (o.help) {
    std::cout << trace_help(prog);
    return 0;
  }
  if (o.version) {
    std::cout << prog << " (syslat) " << SYSLAT_VERSION << '\n';
    return 0;
  }

  std::string path;
  if (!o.command.empty()) {
    auto resolved = resolve_command(o.command.front());
    if (!resolved) return fail(prog, resolved.error().message, 2);
    path = *resolved;
  }
  int out_fd = STDERR_FILENO;
  std::optional<util::OutputFile> output_file;  // close-on-exec: the traced command must not inherit it
  if (!o.output_path.empty()) {
    auto opened = open_output("-o", o.output_path);
    if (!opened) return fail(prog, opened.error().message, 2);
    output_file.emplace(std::move(*opened));
    out_fd = output_file->fd();
  }

  // The stop signals go to the run's loop before the command is launched
  // (which gets the dispositions we were given). No -p target is watched:
  // with -f the trace goes on while a child of one is left, as strace's does.
  auto run = RunLoop::create({});
  if (!run) return fail(prog, run.error().message, 1);
  trace::TracerOptions to;
  // The filter is inherited: children must be traced too, or their traced
  // calls would fail with ENOSYS (strace's --seccomp-bpf implies -f likewise).
  to.follow_forks = o.follow_forks || o.seccomp;
  if (o.seccomp && o.expr.trace) to.seccomp = *o.expr.trace;
  to.run_as = o.run_as;
  std::vector<pid_t> pids(o.pids.begin(), o.pids.end());
  auto tracer = o.command.empty() ? trace::Tracer::attach(pids, to) : trace::Tracer::launch(path, o.command, to);
  if (!tracer) return fail(prog, tracer.error().message, o.command.empty() ? 2 : 1);  // -o FILE left as it was
  if (output_file) output_file->begin();
  for (pid_t pid : pids) std::cerr << prog << ": Process " << pid << " attached\n";
  const Traced traced = trace_to_end(**run, **tracer, o, out_fd);
  for (pid_t pid : pids) std::cerr << prog << ": Process " << pid << " detached\n";
  tracer->reset();
  // A reader that went away (`| head`) ends us quietly, as it ends the
  // other tools; any other write error loses the trace: say so.
  if (traced.output_errno == EPIPE) return 0;
  if (traced.output_errno != 0)
    return fail(prog, std::string("cannot write the trace: ") + std::strerror(traced.output_errno), 1);
  return traced.status;
}

}  // namespace syslat::cli
