// What a launched command (`-- CMD`) gets from the tool: none of its fds.
#include <catch2/catch.hpp>

#include "test_support.h"

namespace {

const std::string kSyscount = slt::syscount_bin();

}  // namespace

TEST_CASE("The launched command inherits no fd of the tool, only 0, 1 and 2", "[privileged]") {
  const auto direct = slt::run({slt::workload("wl_fds")});
  REQUIRE(direct.out == "0 1 2\n");  // the test harness leaks nothing itself
  slt::TempDir dir;
  for (const auto& options : std::vector<std::vector<std::string>>{{"-o", dir.file("out.txt")},
                                                                   {"-L", "-P", "-j", "-o", dir.file("out.json")}}) {
    std::vector<std::string> argv = {kSyscount};
    argv.insert(argv.end(), options.begin(), options.end());
    argv.insert(argv.end(), {"--", slt::workload("wl_fds")});
    const auto r = slt::run(argv, 20);
    INFO(options.at(0) << ": status " << r.status << "\nstderr: " << r.err);
    CHECK(r.status == 0);
    CHECK(r.out == "0 1 2\n");
  }
}
