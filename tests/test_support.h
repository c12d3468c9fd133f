// Helpers for the privileged end-to-end tests: run commands, parse our NDJSON
// and strace's -c table, compare the two. Output of spawned commands goes to
// files in a temporary directory, so nothing can block on a full pipe.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace slt {

// Paths of the binaries under test (compile definitions from tests/CMakeLists.txt).
std::string syscount_bin();   // the `syscount` symlink (count mode)
std::string syslat_bin();     // the `syslat` symlink (lat mode)
std::string sysslow_bin();
std::string top_bin();        // syslat-top
std::string syslatd_bin();
std::string systrace_bin();
std::string sysfunc_bin();
std::string workload(const std::string& name);
// tests/workloads/FILE in the source tree, and the number of its first line
// that contains `marker` (with exact: that is `marker` but for indentation);
// 0 when none does.
std::string workload_source(const std::string& file);
uint32_t workload_line(const std::string& file, const std::string& marker, bool exact = false);
std::string python3_bin();    // the real interpreter, never a pyenv shim

// A directory under /tmp, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Says that the test cannot run here, and why, then the test must return:
// ctest reports it as skipped, not passed (its marker line matches the
// SKIP_REGULAR_EXPRESSION that tests/CMakeLists.txt gives every test).
void skip(const std::string& reason);

std::string read_file(const std::string& path);

// "2026-11-22T03:06:15.123Z" (our JSON's "time") -> ns since the epoch (the
// ms the text has); throws on another form.
int64_t rfc3339_ns(const std::string& text);
// The state letter of /proc/PID/stat (R, S, t, T, Z, ...); '\0' if it is gone.
char proc_state(pid_t pid);
// A process's voluntary context switches so far (-1 if it is gone). Each
// ptrace stop is one, as is each sleep.
long voluntary_switches(pid_t pid);
// Waits until PID sleeps (state S) inside syscall NR with at least
// MIN_SWITCHES voluntary switches made: after an attach, "two switches more
// than before" tells that the interrupted call restarted under the tracer.
bool wait_asleep_in(pid_t pid, long nr, long min_switches = 0, double timeout_s = 10);
// Copy an executable under a new (unique) name, for -n COMM and same-run tests.
std::string copy_executable(const std::string& from, const std::string& to);
// A name of at most 15 characters (fits comm) that no other process has.
std::string unique_comm(const std::string& prefix);

struct RunResult {
  int status = -1;         // exit code, or 128 + signal number
  bool timed_out = false;
  double elapsed_s = 0;
  std::string out, err;
};

// Runs argv (no shell) with stdin from /dev/null, stdout/stderr captured;
// killed (with its process group) after timeout_s. In cwd if one is given.
RunResult run(const std::vector<std::string>& argv, double timeout_s = 30, const std::string& cwd = "");

// A command line the tool must refuse (docs/cli.md): `status` (2 for bad input, 1
// for missing privilege), nothing on stdout, exactly one line on stderr that
// contains `names` (the option), no crash and no core file (run in an empty
// directory with cores allowed), done in under 10 s.
struct Rejection {
  std::string command_line;
  RunResult run;
  std::string problem;  // "" when refused as above, else what was not
  std::string describe() const;  // command line, status, both streams: for INFO()
};
Rejection check_rejected(const std::vector<std::string>& argv, const std::string& names, int status = 2);

// A command running in the background; killed and reaped if still running
// when destroyed.
class Background {
 public:
  explicit Background(const std::vector<std::string>& argv);
  ~Background();
  Background(const Background&) = delete;
  Background& operator=(const Background&) = delete;

  pid_t pid() const { return pid_; }
  // Waits until a line of its stderr starts with prefix; false on timeout or exit.
  bool wait_for_stderr(const std::string& prefix, double timeout_s = 10);
  void signal(int sig);
  std::string stderr_text() const;  // what it wrote to stderr so far
  // Waits for exit (SIGKILL after timeout_s) and returns everything captured.
  RunResult wait(double timeout_s = 20);
  bool running();

 private:
  TempDir dir_;
  pid_t pid_ = -1;
  int status_ = -1;
  double started_s_ = 0;
};

// A cgroup v2 directory made for a test under the cgroup2 mount (found in
// /proc/self/mountinfo), its missing parents too; all removed afterwards.
// `relative` like "syslat-test-12.service" or "a/b.service".
class TestCgroup {
 public:
  explicit TestCgroup(const std::string& relative);
  ~TestCgroup();
  TestCgroup(const TestCgroup&) = delete;
  TestCgroup& operator=(const TestCgroup&) = delete;

  const std::string& path() const { return path_; }
  uint64_t id() const;  // the cgroup id: the directory's inode number
  void add(pid_t pid) const;

 private:
  std::string path_;
  std::vector<std::string> made_;
};

// ---- BPF objects -------------------------------------------------------------

// BPF object ids a process holds, from /proc/PID/fdinfo (prog_id:, link_id:, map_id:).
struct BpfIds {
  std::set<int64_t> progs, links, maps;
};
BpfIds bpf_ids_of(pid_t pid);
// The ids bpftool lists now, for "prog", "link" or "map"; and prog names.
std::set<int64_t> bpftool_ids(const std::string& kind, std::map<int64_t, std::string>* names = nullptr);
// After the holder ended: which of `held` bpftool still lists ("" when none;
// maps are freed asynchronously, so this waits up to wait_s for them to go).
std::string bpf_left_behind(const BpfIds& held, double wait_s = 3);
std::string ids_text(const std::set<int64_t>& ids);

// ---- counts -----------------------------------------------------------------

struct Counts {
  uint64_t count = 0;
  uint64_t errors = 0;
  bool operator==(const Counts&) const = default;
};
using Table = std::map<std::string, Counts>;  // syscall name -> counts

std::vector<nlohmann::json> read_ndjson(const std::string& path);
// Sums "syscalls" over every report object.
Table sum_syscalls(const std::vector<nlohmann::json>& reports);
// One table per process: pid -> (comm, table), summed over report objects.
struct ProcessTable {
  std::string comm;
  Table syscalls;
};
std::map<int64_t, ProcessTable> sum_processes(const std::vector<nlohmann::json>& reports);

// `BIN OPTIONS -j -o FILE [-- COMMAND]`: the run, its reports, their sum.
struct JsonRun {
  RunResult run;
  std::vector<nlohmann::json> reports;
  Table table;
  std::string describe() const;  // command line, status and stderr, for INFO()
  std::string command_line;
};
JsonRun run_json(const std::string& bin, const std::vector<std::string>& options,
                 const std::vector<std::string>& command = {}, double timeout_s = 60);

// `BIN OPTIONS -j -o FILE` without a command (system-wide or -p), in the
// background. The constructor waits for the "Tracing ..." line ('Tracing syscalls', 'Tracing slow syscalls') (throws
// if it does not come); stop() sends SIGINT, finish() waits for it to end.
class Tracer {
 public:
  Tracer(const std::string& bin, const std::vector<std::string>& options);
  JsonRun stop(int sig = 2 /* SIGINT */);
  JsonRun finish(double timeout_s = 20);
  pid_t pid() const { return process_->pid(); }

 private:
  TempDir dir_;
  std::string command_line_;
  std::unique_ptr<Background> process_;
};

// Parses the table of `strace -c -o FILE` (calls and errors columns).
Table parse_strace_summary(const std::string& text);
// Runs `strace -f -c -o FILE -- argv` and returns its table.
Table strace_counts(const std::vector<std::string>& argv, double timeout_s = 60);

Table without(Table t, const std::vector<std::string>& names);
Table without_exits(Table t);  // strace -c leaves out exit and exit_group
// a - b per name (rows that become zero are dropped); b must be <= a.
Table minus(const Table& a, const Table& b);

// "" when equal, else both tables side by side with differing rows marked.
std::string compare_tables(const Table& ours, const Table& theirs,
                           const std::string& ours_label = "syslat",
                           const std::string& theirs_label = "strace");
std::string to_string(const Table& t);

}  // namespace slt
