// -P end to end: a process is named as the kernel names it, whatever bytes
// its name holds.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "test_support.h"

namespace {

const std::string kSyscount = slt::syscount_bin();

}  // namespace

TEST_CASE("syscount -P names a process as the kernel does, newlines in its name included", "[privileged]") {
  slt::TempDir dir;
  const std::string name = "nl\nsleep\n";  // its comm: the file's name
  const std::string copy = slt::copy_executable(slt::workload("wl_sleep"), dir.file(name));
  // Alive past the first poll (1 s), which names it from /proc.
  const std::vector<std::string> command = {copy, "1", "1500000000"};
  for (const std::vector<std::string>& backend : {std::vector<std::string>{}, {"--backend", "ptrace"}}) {
    std::vector<std::string> options = {"-P"};
    options.insert(options.end(), backend.begin(), backend.end());
    const auto r = slt::run_json(kSyscount, options, command);
    INFO(r.describe());
    REQUIRE(r.run.status == 0);
    const auto procs = slt::sum_processes(r.reports);
    REQUIRE(procs.size() == 1);
    CHECK(procs.begin()->second.comm == name);
  }
  std::vector<std::string> text = {kSyscount, "-P", "--"};
  text.insert(text.end(), command.begin(), command.end());
  const auto shown = slt::run(text);
  INFO(shown.out << shown.err);
  REQUIRE(shown.status == 0);
  CHECK(shown.out.find("nl\\nsleep\\n") != std::string::npos);  // escaped in text, as strace would
}
