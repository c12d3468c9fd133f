#include "test_support.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace slt {
namespace {

double now_s() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

void pause_briefly() { std::this_thread::sleep_for(std::chrono::milliseconds(2)); }

// fork + exec with stdin /dev/null and stdout/stderr into the given files, in
// a process group of its own (so a timeout can kill the whole tree), with no
// other fd open.
pid_t spawn(const std::vector<std::string>& argv, const std::string& out_path, const std::string& err_path,
            const std::string& cwd = "") {
  std::vector<char*> cargv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    setpgid(0, 0);
    const int in = open("/dev/null", O_RDONLY);
    const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || out < 0 || err < 0) _exit(125);
    if (!cwd.empty() && chdir(cwd.c_str()) != 0) _exit(125);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    // Nothing else the test process holds (or inherited from whoever ran
    // it) leaks in: the fd tests can assert an exact set.
    close_range(3, ~0U, 0);
    for (int sig : {SIGINT, SIGTERM, SIGPIPE, SIGCHLD, SIGUSR1, SIGHUP}) signal(sig, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execvp(cargv[0], cargv.data());
    dprintf(2, "test_support: cannot execute %s\n", cargv[0]);
    _exit(127);
  }
  return pid;
}

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// Reaps pid, killing its process group after timeout_s. Returns the raw
// status and whether it timed out.
std::pair<int, bool> reap(pid_t pid, double timeout_s) {
  const double deadline = now_s() + timeout_s;
  int status = 0;
  bool timed_out = false;
  for (;;) {
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return {status, timed_out};
    if (r < 0) return {-1, timed_out};
    if (!timed_out && now_s() > deadline) {
      timed_out = true;
      kill(-pid, SIGKILL);
      kill(pid, SIGKILL);
    }
    pause_briefly();
  }
}

std::string join(const std::vector<std::string>& argv) {
  std::string s;
  for (const auto& a : argv) s += (s.empty() ? "" : " ") + a;
  return s;
}

}  // namespace

std::string syscount_bin() { return SYSLAT_BUILD_DIR "/syscount"; }
std::string syslat_bin() { return SYSLAT_BUILD_DIR "/syslat"; }
std::string sysslow_bin() { return SYSLAT_BUILD_DIR "/sysslow"; }
std::string top_bin() { return SYSLAT_BUILD_DIR "/syslat-top"; }
std::string syslatd_bin() { return SYSLAT_BUILD_DIR "/syslatd"; }
std::string systrace_bin() { return SYSLAT_BUILD_DIR "/systrace"; }
std::string sysfunc_bin() { return SYSLAT_BUILD_DIR "/sysfunc"; }
std::string workload(const std::string& name) { return std::string(WORKLOAD_DIR "/") + name; }

std::string workload_source(const std::string& file) { return std::string(SYSLAT_SOURCE_DIR "/tests/workloads/") + file; }

uint32_t workload_line(const std::string& file, const std::string& marker, bool exact) {
  std::istringstream text(read_file(workload_source(file)));
  std::string line;
  for (uint32_t n = 1; std::getline(text, line); ++n) {
    const size_t first = line.find_first_not_of(" \t");
    const std::string trimmed =
        first == std::string::npos ? "" : line.substr(first, line.find_last_not_of(" \t") + 1 - first);
    if (exact ? trimmed == marker : line.find(marker) != std::string::npos) return n;
  }
  return 0;
}

std::string python3_bin() {
  for (const char* p : {"/usr/bin/python3", "/bin/python3"})
    if (access(p, X_OK) == 0) return p;
  throw std::runtime_error("no /usr/bin/python3 (install the python3 package)");
}

// ---- files ----------------------------------------------------------------

TempDir::TempDir() {
  char tmpl[] = "/tmp/slt.XXXXXX";
  if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
  chmod(path_.c_str(), 0755);  // workloads copied here may run as another user
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

void skip(const std::string& reason) { std::cout << "SLT_SKIPPED: " << reason << std::endl; }

int64_t rfc3339_ns(const std::string& text) {
  tm t{};
  int ms = 0;
  if (sscanf(text.c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &t.tm_year, &t.tm_mon, &t.tm_mday, &t.tm_hour, &t.tm_min,
             &t.tm_sec, &ms) != 7)
    throw std::runtime_error("not an RFC 3339 time: " + text);
  t.tm_year -= 1900;
  t.tm_mon -= 1;
  return static_cast<int64_t>(timegm(&t)) * 1'000'000'000 + int64_t{ms} * 1'000'000;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

char proc_state(pid_t pid) {
  const std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  const size_t close = stat.rfind(')');
  return close == std::string::npos || close + 2 >= stat.size() ? '\0' : stat[close + 2];
}

long voluntary_switches(pid_t pid) {
  const std::string status = read_file("/proc/" + std::to_string(pid) + "/status");
  const size_t at = status.find("\nvoluntary_ctxt_switches:");
  return at == std::string::npos ? -1 : std::atol(status.c_str() + at + 26);
}

bool wait_asleep_in(pid_t pid, long nr, long min_switches, double timeout_s) {
  const std::string dir = "/proc/" + std::to_string(pid) + "/";
  const double deadline = now_s() + timeout_s;
  while (now_s() < deadline) {
    const char state = proc_state(pid);
    if (state == '\0') return false;  // gone
    const std::string call = read_file(dir + "syscall");
    const bool in_nr = !call.empty() && std::atol(call.c_str()) == nr;
    if (state == 'S' && in_nr && voluntary_switches(pid) >= min_switches) return true;
    pause_briefly();
  }
  return false;
}

std::string copy_executable(const std::string& from, const std::string& to) {
  std::filesystem::copy_file(from, to, std::filesystem::copy_options::overwrite_existing);
  chmod(to.c_str(), 0755);
  return to;
}

std::string unique_comm(const std::string& prefix) {
  static std::mt19937_64 rng{std::random_device{}()};
  std::string name = prefix + std::to_string(rng() % 100000000);
  return name.substr(0, 15);
}

// ---- processes ------------------------------------------------------------

RunResult run(const std::vector<std::string>& argv, double timeout_s, const std::string& cwd) {
  TempDir dir;
  RunResult r;
  const double start = now_s();
  const pid_t pid = spawn(argv, dir.file("out"), dir.file("err"), cwd);
  auto [status, timed_out] = reap(pid, timeout_s);
  r.elapsed_s = now_s() - start;
  r.status = decode_status(status);
  r.timed_out = timed_out;
  r.out = read_file(dir.file("out"));
  r.err = read_file(dir.file("err"));
  if (timed_out) r.err += fmt::format("\n[test_support: '{}' timed out after {}s]\n", join(argv), timeout_s);
  return r;
}

std::string Rejection::describe() const {
  return fmt::format("$ {}\nexit status {} after {:.1f}s\nstdout: {}\nstderr: {}\n{}", command_line, run.status,
                     run.elapsed_s, run.out, run.err, problem.empty() ? "" : "problem: " + problem);
}

Rejection check_rejected(const std::vector<std::string>& argv, const std::string& names, int status) {
  Rejection r;
  r.command_line = join(argv);
  TempDir cwd;
  // Cores allowed (the test's own limit is restored after), so a crash
  // leaves a file to find where core_pattern is a plain name.
  rlimit old{};
  getrlimit(RLIMIT_CORE, &old);
  rlimit allowed = old;
  allowed.rlim_cur = old.rlim_max;
  setrlimit(RLIMIT_CORE, &allowed);
  r.run = run(argv, 10, cwd.path());
  setrlimit(RLIMIT_CORE, &old);

  const std::string& err = r.run.err;
  const auto lines = std::count(err.begin(), err.end(), '\n');
  bool core = false;
  for (const auto& entry : std::filesystem::directory_iterator(cwd.path()))
    core = core || entry.path().filename().string().rfind("core", 0) == 0;
  if (r.run.timed_out || r.run.elapsed_s >= 10) r.problem = "took 10 s or more";
  else if (r.run.status >= 128) r.problem = fmt::format("killed by signal {}", r.run.status - 128);
  else if (core) r.problem = "left a core file";
  else if (r.run.status != status) r.problem = fmt::format("exit status {}, not {}", r.run.status, status);
  else if (!r.run.out.empty()) r.problem = "wrote to stdout";
  else if (lines != 1 || err.back() != '\n') r.problem = fmt::format("{} lines on stderr, not exactly one", lines);
  else if (err.find(names) == std::string::npos) r.problem = "stderr does not name '" + names + "'";
  return r;
}

Background::Background(const std::vector<std::string>& argv) {
  started_s_ = now_s();
  pid_ = spawn(argv, dir_.file("out"), dir_.file("err"));
}

Background::~Background() {
  if (running()) {
    kill(-pid_, SIGKILL);
    kill(pid_, SIGKILL);
    reap(pid_, 5);
  }
}

bool Background::running() {
  if (status_ != -1) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) {
    status_ = status;
    return false;
  }
  return true;
}

bool Background::wait_for_stderr(const std::string& prefix, double timeout_s) {
  const double deadline = now_s() + timeout_s;
  while (now_s() < deadline) {
    std::istringstream lines(read_file(dir_.file("err")));
    for (std::string line; std::getline(lines, line);)
      if (line.rfind(prefix, 0) == 0) return true;
    if (!running()) return false;
    pause_briefly();
  }
  return false;
}

void Background::signal(int sig) {
  if (running()) kill(pid_, sig);
}

std::string Background::stderr_text() const { return read_file(dir_.file("err")); }

RunResult Background::wait(double timeout_s) {
  RunResult r;
  bool timed_out = false;
  if (running()) std::tie(status_, timed_out) = reap(pid_, timeout_s);
  r.status = decode_status(status_);
  r.timed_out = timed_out;
  r.elapsed_s = now_s() - started_s_;
  r.out = read_file(dir_.file("out"));
  r.err = read_file(dir_.file("err"));
  return r;
}

// ---- cgroups ------------------------------------------------------------------

namespace {

std::string cgroup2_mount() {
  std::ifstream in("/proc/self/mountinfo");
  for (std::string line; std::getline(in, line);) {
    const auto dash = line.find(" - cgroup2 ");
    if (dash == std::string::npos) continue;
    std::istringstream fields(line.substr(0, dash));
    std::string id, parent, devno, root, mount;
    fields >> id >> parent >> devno >> root >> mount;
    return mount;
  }
  throw std::runtime_error("no cgroup2 mount");
}

}  // namespace

TestCgroup::TestCgroup(const std::string& relative) : path_(cgroup2_mount() + "/" + relative) {
  for (size_t slash = path_.find('/', 1); slash != std::string::npos; slash = path_.find('/', slash + 1)) {
    const std::string parent = path_.substr(0, slash);
    if (mkdir(parent.c_str(), 0755) == 0) made_.push_back(parent);
  }
  if (mkdir(path_.c_str(), 0755) != 0) throw std::runtime_error("cannot create cgroup " + path_);
  made_.push_back(path_);
}

TestCgroup::~TestCgroup() {
  // Workloads have exited (or were killed and reaped) by now; the kernel may
  // take a moment to let go of the cgroup.
  for (auto it = made_.rbegin(); it != made_.rend(); ++it)
    for (int i = 0; i < 100 && rmdir(it->c_str()) != 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

uint64_t TestCgroup::id() const {
  struct stat st {};
  if (stat(path_.c_str(), &st) != 0) throw std::runtime_error("cannot stat " + path_);
  return st.st_ino;
}

void TestCgroup::add(pid_t pid) const { std::ofstream(path_ + "/cgroup.procs") << pid << '\n'; }

// ---- BPF objects -------------------------------------------------------------

BpfIds bpf_ids_of(pid_t pid) {
  BpfIds ids;
  const std::string dir = "/proc/" + std::to_string(pid) + "/fdinfo";
  DIR* d = opendir(dir.c_str());
  if (!d) return ids;
  while (dirent* e = readdir(d)) {
    std::istringstream lines(read_file(dir + "/" + e->d_name));
    for (std::string key; lines >> key;) {
      int64_t id = 0;
      if (key == "prog_id:" && lines >> id) ids.progs.insert(id);
      if (key == "link_id:" && lines >> id) ids.links.insert(id);
      if (key == "map_id:" && lines >> id) ids.maps.insert(id);
    }
  }
  closedir(d);
  return ids;
}

std::set<int64_t> bpftool_ids(const std::string& kind, std::map<int64_t, std::string>* names) {
  const auto r = run({"bpftool", kind, "show", "-j"}, 20);
  if (r.status != 0) throw std::runtime_error("bpftool " + kind + " show failed: " + r.err);
  std::set<int64_t> ids;
  for (const auto& obj : nlohmann::json::parse(r.out)) {
    ids.insert(obj.at("id").get<int64_t>());
    if (names && obj.contains("name")) (*names)[obj.at("id").get<int64_t>()] = obj.at("name").get<std::string>();
  }
  return ids;
}

std::string ids_text(const std::set<int64_t>& ids) {
  std::string s;
  for (auto id : ids) s += std::to_string(id) + " ";
  return s;
}

std::string bpf_left_behind(const BpfIds& held, double wait_s) {
  auto still = [](const std::set<int64_t>& listed, const std::set<int64_t>& ours) {
    std::set<int64_t> out;
    for (auto id : ours)
      if (listed.count(id)) out.insert(id);
    return out;
  };
  std::string left;
  for (const double deadline = now_s() + wait_s;;) {
    const auto progs = still(bpftool_ids("prog"), held.progs);
    const auto links = still(bpftool_ids("link"), held.links);
    const auto maps = still(bpftool_ids("map"), held.maps);
    if (progs.empty() && links.empty() && maps.empty()) return "";
    left = "progs " + ids_text(progs) + "links " + ids_text(links) + "maps " + ids_text(maps);
    if (now_s() > deadline) return left;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

// ---- counts -----------------------------------------------------------------

std::vector<nlohmann::json> read_ndjson(const std::string& path) {
  std::vector<nlohmann::json> objects;
  std::istringstream lines(read_file(path));
  for (std::string line; std::getline(lines, line);)
    if (!line.empty()) objects.push_back(nlohmann::json::parse(line));
  return objects;
}

namespace {
void add_rows(Table& t, const nlohmann::json& rows) {
  for (const auto& row : rows) {
    auto& c = t[row.at("name").get<std::string>()];
    c.count += row.at("count").get<uint64_t>();
    c.errors += row.at("errors").get<uint64_t>();
  }
}
}  // namespace

Table sum_syscalls(const std::vector<nlohmann::json>& reports) {
  Table t;
  for (const auto& r : reports) {
    if (r.contains("syscalls")) add_rows(t, r.at("syscalls"));  // sysslow's events have none
  }
  return t;
}

std::map<int64_t, ProcessTable> sum_processes(const std::vector<nlohmann::json>& reports) {
  std::map<int64_t, ProcessTable> procs;
  for (const auto& r : reports) {
    if (!r.contains("processes")) continue;
    for (const auto& p : r.at("processes")) {
      auto& entry = procs[p.at("pid").get<int64_t>()];
      entry.comm = p.at("comm").get<std::string>();
      add_rows(entry.syscalls, p.at("syscalls"));
    }
  }
  return procs;
}

JsonRun run_json(const std::string& bin, const std::vector<std::string>& options,
                 const std::vector<std::string>& command, double timeout_s) {
  TempDir dir;
  std::vector<std::string> argv = {bin};
  argv.insert(argv.end(), options.begin(), options.end());
  argv.insert(argv.end(), {"-j", "-o", dir.file("out.json")});
  if (!command.empty()) {
    argv.push_back("--");
    argv.insert(argv.end(), command.begin(), command.end());
  }
  JsonRun j;
  j.command_line = join(argv);
  j.run = run(argv, timeout_s);
  if (j.run.status == 0) {
    j.reports = read_ndjson(dir.file("out.json"));
    j.table = sum_syscalls(j.reports);
  }
  return j;
}

Tracer::Tracer(const std::string& bin, const std::vector<std::string>& options) {
  std::vector<std::string> argv = {bin};
  argv.insert(argv.end(), options.begin(), options.end());
  argv.insert(argv.end(), {"-j", "-o", dir_.file("out.json")});
  command_line_ = join(argv);
  process_ = std::make_unique<Background>(argv);
  if (!process_->wait_for_stderr("Tracing ", 15)) {
    process_->signal(SIGKILL);
    const RunResult r = process_->wait(5);
    throw std::runtime_error(fmt::format("no 'Tracing ...' line from: {}\nstatus {}, stderr: {}",
                                         command_line_, r.status, r.err));
  }
}

JsonRun Tracer::stop(int sig) {
  process_->signal(sig);
  return finish();
}

JsonRun Tracer::finish(double timeout_s) {
  JsonRun j;
  j.command_line = command_line_;
  j.run = process_->wait(timeout_s);
  if (j.run.status == 0) {
    j.reports = read_ndjson(dir_.file("out.json"));
    j.table = sum_syscalls(j.reports);
  }
  return j;
}

std::string JsonRun::describe() const {
  return fmt::format("$ {}\nexit status {}{}\nstderr: {}", command_line, run.status,
                     run.timed_out ? " (timed out)" : "", run.err);
}

Table parse_strace_summary(const std::string& text) {
  // % time  seconds  usecs/call  calls  [errors]  syscall  -- between two rules
  Table t;
  std::istringstream lines(text);
  int rules = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("------", 0) == 0) {
      if (++rules == 2) break;
      continue;
    }
    if (rules != 1) continue;
    std::istringstream fields(line);
    std::vector<std::string> f;
    for (std::string w; fields >> w;) f.push_back(w);
    if (f.size() != 5 && f.size() != 6) throw std::runtime_error("unexpected strace -c line: " + line);
    auto& c = t[f.back()];
    c.count += std::stoull(f[3]);
    if (f.size() == 6) c.errors += std::stoull(f[4]);
  }
  if (rules < 1) throw std::runtime_error("no strace -c table in:\n" + text);
  return t;
}

Table strace_counts(const std::vector<std::string>& argv, double timeout_s) {
  TempDir dir;
  std::vector<std::string> cmd = {"strace", "-f", "-c", "-o", dir.file("strace.txt"), "--"};
  cmd.insert(cmd.end(), argv.begin(), argv.end());
  const RunResult r = run(cmd, timeout_s);
  if (r.timed_out) throw std::runtime_error("strace timed out: " + join(cmd));
  return parse_strace_summary(read_file(dir.file("strace.txt")));
}

Table without(Table t, const std::vector<std::string>& names) {
  for (const auto& n : names) t.erase(n);
  return t;
}

Table without_exits(Table t) { return without(std::move(t), {"exit", "exit_group"}); }

Table minus(const Table& a, const Table& b) {
  Table d = a;
  for (const auto& [name, c] : b) {
    auto& x = d[name];
    if (x.count < c.count || x.errors < c.errors)
      throw std::runtime_error(fmt::format("minus: {} has fewer calls than the baseline", name));
    x.count -= c.count;
    x.errors -= c.errors;
    if (x.count == 0 && x.errors == 0) d.erase(name);
  }
  return d;
}

std::string to_string(const Table& t) {
  std::string s;
  for (const auto& [name, c] : t) s += fmt::format("  {:<20} {:>9} {:>9}\n", name, c.count, c.errors);
  return s;
}

std::string compare_tables(const Table& ours, const Table& theirs, const std::string& ours_label,
                           const std::string& theirs_label) {
  if (ours == theirs) return "";
  std::set<std::string> names;
  for (const auto& [n, c] : ours) names.insert(n);
  for (const auto& [n, c] : theirs) names.insert(n);
  std::string s = fmt::format("{:<20} {:>19} {:>19}\n", "syscall", ours_label + " calls/err",
                              theirs_label + " calls/err");
  auto cell = [](const Table& t, const std::string& n) {
    auto it = t.find(n);
    return it == t.end() ? std::string("-") : fmt::format("{}/{}", it->second.count, it->second.errors);
  };
  for (const auto& n : names) {
    const auto a = cell(ours, n), b = cell(theirs, n);
    s += fmt::format("{:<20} {:>19} {:>19}{}\n", n, a, b, a == b ? "" : "   <<< differs");
  }
  return s;
}

}  // namespace slt
