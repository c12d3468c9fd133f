// systrace / syslat trace: the ptrace backend, strace-style (docs/cli.md).
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <optional>

#include "cli/commands.h"
#include "cli/launcher.h"
#include "cli/stats_session.h"
#include "cli/trace_options.h"
#include "cli/trace_printer.h"
#include "trace/tracer.h"
#include "util/files.h"

namespace syslat::cli {
namespace {

// What the stop signals act on (a signal handler has no other way in).
trace::Tracer* g_tracer = nullptr;
pid_t g_launched = 0;
std::atomic<int> g_stop_requests{0};

// Attached: detach and end. Launched: the command gets the signal and the
// trace goes on until it exits; a second signal ends the trace (and, by
// EXITKILL, the command), so one that ignores the first cannot hang us.
void on_stop_signal(int sig) {
  const int n = ++g_stop_requests;
  if (g_launched > 0 && n == 1) {
    kill(g_launched, sig);
    return;
  }
  if (g_tracer) g_tracer->stop();
}

void install_stop_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;  // no SA_RESTART: waitpid returns EINTR and sees the request
  sigemptyset(&sa.sa_mask);
  // SIGINT and SIGTERM stop us even when ignored at start, as a job a script
  // puts in the background (`systrace -p PID &`) inherits them: it could
  // not be stopped cleanly otherwise (as syscount, see StopEvents). SIGHUP
  // ignored is what nohup asks for: keep ignoring it. The command was
  // launched before this, with the dispositions it was given.
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction old {};
    sigaction(sig, nullptr, &old);
    if (sig == SIGHUP && old.sa_handler == SIG_IGN) continue;
    sigaction(sig, &sa, nullptr);
  }
  signal(SIGPIPE, SIG_IGN);
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
    auto opened = util::OutputFile::open(o.output_path);
    if (!opened) return fail(prog, "-o: cannot write '" + o.output_path + "' (expected a writable FILE)", 2);
    output_file.emplace(std::move(*opened));
    out_fd = output_file->fd();
  }

  trace::TracerOptions to;
  // The filter is inherited: children must be traced too, or their traced
  // calls would fail with ENOSYS (strace's --seccomp-bpf implies -f likewise).
  to.follow_forks = o.follow_forks || o.seccomp;
  if (o.seccomp && o.expr.trace) to.seccomp = *o.expr.trace;
  std::vector<pid_t> pids(o.pids.begin(), o.pids.end());
  auto tracer = o.command.empty() ? trace::Tracer::attach(pids, to) : trace::Tracer::launch(path, o.command, to);
  if (!tracer) return fail(prog, tracer.error().message, o.command.empty() ? 2 : 1);  // -o FILE left as it was
  if (output_file) output_file->begin();
  g_tracer = tracer->get();
  g_launched = (*tracer)->launched_pid();
  install_stop_handlers();
  for (pid_t pid : pids) std::cerr << prog << ": Process " << pid << " attached\n";

  int status = 0;
  int output_errno = 0;
  {
    TracePrinter printer(o, out_fd, !o.output_path.empty());
    // As Ctrl-C twice: attached processes are detached and run on, a
    // launched command is killed (it was only run to be traced).
    printer.on_output_gone([&] { (*tracer)->stop(); });
    status = (*tracer)->run(printer);
    if (o.summary) printer.write_summary();
    output_errno = printer.output_errno();
  }
  for (pid_t pid : pids) std::cerr << prog << ": Process " << pid << " detached\n";
  g_tracer = nullptr;
  tracer->reset();
  // A reader that went away (`| head`) ends us quietly, as it ends the
  // other tools; any other write error loses the trace: say so.
  if (output_errno == EPIPE) return 0;
  if (output_errno != 0) return fail(prog, std::string("cannot write the trace: ") + std::strerror(output_errno), 1);
  return status;
}

}  // namespace syslat::cli
