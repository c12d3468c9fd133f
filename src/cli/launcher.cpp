#include "cli/launcher.h"

#include "cli/run_loop.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "util/strings.h"

namespace syslat::cli {
namespace {

bool executable_file(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(path.c_str(), X_OK) == 0;
}

}  // namespace

// Like strace: resolve before forking, so the child makes exactly one execve.
util::Expected<std::string> resolve_command(const std::string& name) {
  if (name.find('/') != std::string::npos) {
    if (executable_file(name)) return name;
    return util::make_error("-- CMD: cannot execute '" + name + "': " +
                            (access(name.c_str(), F_OK) == 0 ? "not an executable file" : "no such file"));
  }
  const char* path = std::getenv("PATH");
  for (std::string_view dir : util::split(path ? path : "/usr/local/bin:/usr/bin:/bin", ':')) {
    std::string candidate = (dir.empty() ? std::string(".") : std::string(dir)) + "/" + name;
    if (executable_file(candidate)) return candidate;
  }
  return util::make_error("-- CMD: command not found: '" + name + "' (expected a program on PATH or a path)");
}


util::Expected<LaunchedCommand> LaunchedCommand::spawn(const std::vector<std::string>& argv, const util::RunAs* who) {
  auto path = resolve_command(argv.at(0));
  if (!path) return path.error();
  std::vector<char*> cargv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  std::vector<char*> envp = who ? util::env_pointers(*who) : std::vector<char*>{};

  int gate[2];
  if (pipe2(gate, O_CLOEXEC) != 0) return util::make_error(std::string("pipe: ") + std::strerror(errno));
  const pid_t pid = fork();
  if (pid < 0) {
    const int err = errno;
    close(gate[0]);
    close(gate[1]);
    return util::make_error(std::string("fork: ") + std::strerror(err));
  }
  if (pid == 0) {
    close(gate[1]);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    char go = 0;
    ssize_t n;
    do n = read(gate[0], &go, 1);
    while (n < 0 && errno == EINTR);
    if (n != 1) _exit(127);  // the tracer gave up before attaching
    if (who && !util::become(*who)) {
      dprintf(STDERR_FILENO, "cannot run as %s: %s\n", who->name.c_str(), std::strerror(errno));
      _exit(126);
    }
    execve(path->c_str(), cargv.data(), who ? envp.data() : environ);
    const int err = errno;
    dprintf(STDERR_FILENO, "cannot execute '%s': %s\n", path->c_str(), std::strerror(err));
    _exit(err == ENOENT ? 127 : 126);
  }
  close(gate[0]);
  return LaunchedCommand(pid, util::UniqueFd(gate[1]));
}

LaunchedCommand::LaunchedCommand(LaunchedCommand&& o) noexcept
    : pid_(o.pid_), gate_(std::move(o.gate_)), exited_(o.exited_), status_(o.status_) {
  o.pid_ = -1;
}

LaunchedCommand::~LaunchedCommand() {
  if (pid_ <= 0 || exited_) return;
  if (gate_)
    gate_.reset();
  else
    kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
}

void LaunchedCommand::release() {
  const char go = 1;
  ssize_t n;
  do n = write(gate_.get(), &go, 1);
  while (n < 0 && errno == EINTR);
  gate_.reset();
}

void LaunchedCommand::signal(int sig) {
  if (pid_ > 0 && !exited_) kill(pid_, sig);  // not yet reaped: the pid is still its own
}

bool LaunchedCommand::reap_if_exited() {
  if (exited_ || pid_ <= 0) return exited_;
  int status = 0;
  const pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_ && (WIFEXITED(status) || WIFSIGNALED(status))) {
    exited_ = true;
    status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  return exited_;
}

void follow_command(RunLoop& run, LaunchedCommand& command, const std::string& prog, const std::string& name) {
  LaunchedCommand* c = &command;
  run.set_command(RunLoop::announced(prog, name, c->pid(), [c](int sig) { c->signal(sig); }, [c] { c->signal(SIGKILL); }));
  run.on_child([&run, c] {
    if (c->reap_if_exited()) run.end(RunLoop::End::CommandExited);
  });
}

}  // namespace syslat::cli
