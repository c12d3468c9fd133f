// The option parsers of src/cli in process (the CLI tests run the binary):
// what only shows when they meet odd bytes or run more than once.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "cli/options.h"
#include "cli/trace_options.h"

namespace {

struct Argv {
  std::vector<std::string> words;
  std::vector<char*> pointers;
  explicit Argv(std::vector<std::string> w) : words(std::move(w)) {
    for (auto& word : words) pointers.push_back(word.data());
    pointers.push_back(nullptr);
  }
  int argc() const { return static_cast<int>(words.size()); }
  char** argv() { return pointers.data(); }
};

}  // namespace

TEST_CASE("options: an error quoting a value with a newline stays one line", "[options]") {
  Argv top({"syscount", "-T", "1\n2"});
  auto o = syslat::cli::parse_common_options(top.argc(), top.argv());
  REQUIRE_FALSE(o);
  CHECK(o.error().message == "-T/--top: '1\\n2' is not a number of rows (expected N >= 0; 0 = all)");

  Argv pid({"systrace", "-p", "1)\n", "true"});
  auto t = syslat::cli::parse_trace_options(pid.argc(), pid.argv());
  REQUIRE_FALSE(t);
  CHECK(t.error().message == "-p: '1)\\n' is not a PID (expected PID[,PID...])");
}

TEST_CASE("options: a parse after one that failed inside a word starts afresh", "[options]") {
  // getopt stopped at '1' of "-1-" and, reset with optind = 1, went on at
  // its '-' when given the next argv: "--backend: unknown option".
  Argv bad({"syslat", "-1-"});
  auto first = syslat::cli::parse_common_options(bad.argc(), bad.argv());
  REQUIRE_FALSE(first);
  CHECK(first.error().message == "-1: unknown option (see --help)");

  Argv good({"syslat", "--backend", "ptrace", "--", "true"});
  auto second = syslat::cli::parse_common_options(good.argc(), good.argv());
  REQUIRE(second);
  CHECK(second->backend == syslat::cli::Backend::Ptrace);
  CHECK(second->command == std::vector<std::string>{"true"});

  Argv unknown({"syslat", "-q"});
  auto third = syslat::cli::parse_common_options(unknown.argc(), unknown.argv());
  REQUIRE_FALSE(third);
  CHECK(third.error().message == "-q: unknown option (see --help)");
}

TEST_CASE("options: --max-processes is a number of processes, with -P only", "[options]") {
  using syslat::cli::kMaxMaxProcesses;
  Argv most({"syscount", "-P", "--max-processes", std::to_string(kMaxMaxProcesses)});
  auto o = syslat::cli::parse_common_options(most.argc(), most.argv());
  REQUIRE(o);
  CHECK(o->max_processes == kMaxMaxProcesses);

  Argv beyond({"syscount", "-P", "--max-processes", std::to_string(kMaxMaxProcesses + 1)});
  auto too_many = syslat::cli::parse_common_options(beyond.argc(), beyond.argv());
  REQUIRE_FALSE(too_many);
  CHECK(too_many.error().message == "--max-processes: '524289' is out of range (expected a number of processes, 1..524288)");

  Argv alone({"syscount", "--max-processes", "10"});
  auto without_p = syslat::cli::parse_common_options(alone.argc(), alone.argv());
  REQUIRE_FALSE(without_p);
  CHECK(without_p.error().message == "--max-processes: only counts with -P/--process (expected -P --max-processes N)");

  Argv none({"syscount", "-P"});
  auto defaulted = syslat::cli::parse_common_options(none.argc(), none.argv());
  REQUIRE(defaulted);
  CHECK_FALSE(defaulted->max_processes);  // each tool has its own default
}

TEST_CASE("options: the kernel's -P table has room for 32 syscalls of each process", "[options]") {
  using syslat::cli::process_map_entries;
  CHECK(process_map_entries(1) == 32);
  CHECK(process_map_entries(syslat::cli::kDefaultMaxProcesses) == 16384);  // the table the default always had
  CHECK(process_map_entries(syslat::cli::kMaxMaxProcesses) == 1u << 24);
  CHECK(process_map_entries(UINT32_MAX) == 1u << 24);
}

TEST_CASE("options: sysfunc takes function names among its options, and a command after --", "[options]") {
  Argv mixed({"sysfunc", "vfs_read", "-d", "2", "ext4_*", "--attach", "kprobe", "--", "tar", "cf", "x.tar", "-d"});
  auto o = syslat::cli::parse_common_options(mixed.argc(), mixed.argv(), /*positional=*/true);
  REQUIRE(o);
  CHECK(o->functions == std::vector<std::string>{"vfs_read", "ext4_*"});
  CHECK(o->duration_s == 2);
  CHECK(o->attach == "kprobe");
  CHECK(o->command == std::vector<std::string>{"tar", "cf", "x.tar", "-d"});  // the command's own options stay its own

  Argv fentry({"sysfunc", "--fentry", "--attach", "kprobe", "vfs_read"});
  auto conflict = syslat::cli::parse_common_options(fentry.argc(), fentry.argv(), true);
  REQUIRE_FALSE(conflict);
  CHECK(conflict.error().message == "--attach: conflicts with --attach fentry");

  Argv dash({"sysfunc", "vfs_read", "--"});
  auto empty = syslat::cli::parse_common_options(dash.argc(), dash.argv(), true);
  REQUIRE_FALSE(empty);
  CHECK(empty.error().message == "--: missing command (expected -- CMD ARGS...)");

  // Without positional words (every other tool), the first word is the command.
  Argv other({"syscount", "true", "-d", "1"});
  auto count = syslat::cli::parse_common_options(other.argc(), other.argv());
  REQUIRE(count);
  CHECK(count->functions.empty());
  CHECK(count->command == std::vector<std::string>{"true", "-d", "1"});

  Argv self({"sysfunc", "--sort", "self", "x"});
  auto sorted = syslat::cli::parse_common_options(self.argc(), self.argv(), true);
  REQUIRE(sorted);
  CHECK(sorted->sort_self);
  CHECK_FALSE(sorted->sort);
}
