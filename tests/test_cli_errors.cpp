// Refusals that are not a bad value (those are tests/test_cli_badinput.cpp's
// table): missing privilege exits 1 with one line; a refused command line
// runs nothing.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "test_support.h"

TEST_CASE("without CAP_BPF and CAP_PERFMON: status 1, one line naming them and --backend ptrace", "[privileged]") {
  // setpriv: root, but with an empty bounding set exec gives no capabilities.
  for (const auto& [bin, args] : std::vector<std::pair<std::string, std::vector<std::string>>>{
           {slt::syscount_bin(), {"-d", "1"}}, {slt::syslat_bin(), {"-d", "1"}}, {slt::sysslow_bin(), {"-d", "1"}},
           {slt::top_bin(), {"-b", "-d", "1"}}}) {
    std::vector<std::string> argv = {"setpriv", "--inh-caps=-all", "--ambient-caps=-all", "--bounding-set=-all", "--", bin};
    argv.insert(argv.end(), args.begin(), args.end());
    const auto r = slt::check_rejected(argv, "CAP_BPF", 1);
    INFO(r.describe());
    CHECK(r.problem == "");
    CHECK(r.run.err.find("CAP_PERFMON") != std::string::npos);
    // System-wide there is no fallback, only the hint (syslat-top has no ptrace backend).
    if (bin != slt::top_bin()) CHECK(r.run.err.find("--backend ptrace") != std::string::npos);
  }
}

TEST_CASE("a rejected command line runs nothing and writes no report", "[privileged]") {
  slt::TempDir dir;
  const std::string out = dir.file("out.json");
  const auto r = slt::run({slt::syscount_bin(), "-S", "opne", "-j", "-o", out, "--", "/bin/true"}, 10);
  CHECK(r.status == 2);
  CHECK(access(out.c_str(), F_OK) != 0);
}

TEST_CASE("a run that cannot start leaves -o FILE as it was, and creates none", "[privileged]") {
  slt::TempDir dir;
  const std::string kept = dir.file("kept.log"), fresh = dir.file("fresh.log");
  { std::ofstream(kept) << "yesterday's report\n"; }
  const std::vector<std::string> no_caps = {"setpriv", "--inh-caps=-all", "--ambient-caps=-all", "--bounding-set=-all", "--"};
  // No privilege (syscount, sysslow), and a -p systrace cannot attach to (PID 1 is not ours to trace
  // without CAP_SYS_PTRACE).
  for (const auto& argv : std::vector<std::vector<std::string>>{
           {slt::syscount_bin(), "-d", "1"}, {slt::sysslow_bin(), "-d", "1"}, {slt::systrace_bin(), "-p", "1"}}) {
    for (const auto& path : {kept, fresh}) {
      std::vector<std::string> full = no_caps;
      full.insert(full.end(), argv.begin(), argv.end());
      full.insert(full.end(), {"-o", path});
      const auto r = slt::run(full, 10);
      INFO(argv[0] << " -o " << path << ": " << r.err);
      CHECK((r.status == 1 || r.status == 2));
      CHECK(slt::read_file(kept) == "yesterday's report\n");
      CHECK(access(fresh.c_str(), F_OK) != 0);
    }
  }
}
