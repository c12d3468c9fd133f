// --stacks end to end, on wl_stacks (tests/workloads/wl_stacks.c): with
// --stack-sample 1 every call is counted under the stack it was made from,
// exactly (the report's own counts are the check), with the function that
// made it named and its source line, in binaries with and without frame
// pointers; --by-function; pprof; a full stack table counts what it
// refuses. By default 1 call in 64 is walked: the profile still adds up to
// the report, split over stacks as sampled.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "test_support.h"

namespace {

const std::string kSyslat = slt::syslat_bin();
constexpr int kRounds = 150;  // long enough (~1 s) that every stack is seen while the process lives

struct Folded {
  std::vector<std::pair<std::string, uint64_t>> lines;  // frames (comm;...;syscall), value
  // The calls of `syscall` (all: "") whose stack holds `through` (";"-joined frames, in order).
  uint64_t calls(const std::string& syscall, const std::string& through = "") const {
    uint64_t n = 0;
    for (const auto& [stack, value] : lines)
      if ((syscall.empty() || stack.ends_with(";" + syscall)) && (through.empty() || stack.find(";" + through + ";") != std::string::npos))
        n += value;
    return n;
  }
};

Folded read_folded(const std::string& path) {
  Folded f;
  std::istringstream in(slt::read_file(path));
  std::string line;
  while (std::getline(in, line)) {
    const size_t space = line.rfind(' ');
    REQUIRE(space != std::string::npos);
    f.lines.emplace_back(line.substr(0, space), std::stoull(line.substr(space + 1)));
  }
  return f;
}

// The per-syscall calls of the JSON reports on stdout.
slt::Table json_table(const std::string& out) {
  std::vector<nlohmann::json> reports;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) reports.push_back(nlohmann::json::parse(line));
  return slt::sum_syscalls(reports);
}

}  // namespace

TEST_CASE("syslat --stacks -o X.folded: each call of wl_stacks under the stack of the function that made it, exactly",
          "[privileged]") {
  const std::string program = GENERATE("wl_stacks", "wl_stacks_nofp");
  INFO(program);
  slt::TempDir dir;
  const std::string folded = dir.path() + "/calls.folded";
  const auto r = slt::run({kSyslat, "--stacks", "--stack-sample", "1", "--weight", "calls", "-j", "-o", folded,
                           "--", slt::workload(program), std::to_string(kRounds)}, 60);
  INFO(r.err);
  REQUIRE(r.status == 0);
  const Folded f = read_folded(folded);
  // Through read_one_file, which calls the libc wrappers: the frame a
  // frame-pointer walk skips (libc keeps no frame pointer), found by
  // unwinding from .eh_frame; in wl_stacks_nofp nothing but .eh_frame works.
  CHECK(f.calls("openat", "load_config;read_one_file") == 200u * kRounds);
  CHECK(f.calls("read", "load_config;read_one_file") == 200u * kRounds);
  CHECK(f.calls("close", "load_config;read_one_file") == 200u * kRounds);
  CHECK(f.calls("write", "main;serve") == 1000u * kRounds);
  // Nothing counted twice or left out: per syscall, the folded calls are the report's.
  for (const auto& [name, counts] : json_table(r.out)) {
    INFO(name);
    CHECK(f.calls(name) == counts.count);
  }
}

TEST_CASE("syslat --stacks: frames name their source lines, and --by-function adds up per function", "[privileged]") {
  const auto r = slt::run({kSyslat, "--stacks", "--stack-sample", "1", "--by-function", "-T", "0", "--",
                           slt::workload("wl_stacks"), std::to_string(kRounds)}, 60);
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  const auto at = [](const std::string& function, const std::string& marker) {
    return fmt::format("{} (wl_stacks.c:{})", function, slt::workload_line("wl_stacks.c", marker));
  };
  CHECK(r.out.find(at("read_one_file", "SITE: openat")) != std::string::npos);
  CHECK(r.out.find(at("load_config", "SITE: read_one_file")) != std::string::npos);
  CHECK(r.out.find(at("serve", "SITE: write")) != std::string::npos);
  // PID COMM FUNCTION (FILE) CALLS TIME SHARE SYSCALLS
  const std::regex read_one(fmt::format(R"(wl_stacks\s+read_one_file \(wl_stacks\.c\)\s+{}\s)", 600 * kRounds));
  const std::regex serve(fmt::format(R"(wl_stacks\s+serve \(wl_stacks\.c\)\s+{}\s)", 1000 * kRounds));
  CHECK(std::regex_search(r.out, read_one));
  CHECK(std::regex_search(r.out, serve));
}

TEST_CASE("syslat --by-function --skip-modules: the modules looked past are the user's to choose", "[privileged]") {
  // Looking past nothing: the function that made each call is libc's wrapper.
  const auto r = slt::run({kSyslat, "--stacks", "--stack-sample", "1", "--by-function", "--skip-modules", "", "-T",
                           "0", "--", slt::workload("wl_stacks"), "20"}, 60);
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("innermost frame outside nothing") != std::string::npos);
  CHECK(r.out.find("read_one_file (wl_stacks.c)") == std::string::npos);
  // serve's 20,000 and main's "done".
  CHECK(std::regex_search(r.out, std::regex(R"(wl_stacks\s+\S*write\S* \(.*\)\s+20001\s)")));
  CHECK_FALSE(std::regex_search(r.out, std::regex(R"(wl_stacks\s+serve \(wl_stacks\.c\)\s+20000\s)")));
}

TEST_CASE("syslat --stacks samples 1 call in 64 by default, and the profile still adds up to the report",
          "[privileged]") {
  slt::TempDir dir;
  const std::string folded = dir.path() + "/calls.folded";
  const auto r = slt::run({kSyslat, "--stacks", "--weight", "calls", "-j", "-o", folded, "--",
                           slt::workload("wl_stacks"), std::to_string(kRounds)}, 60);
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(r.err.find("SAMPLED: stacks sampled: 1 call in 64 walked") != std::string::npos);
  const Folded f = read_folded(folded);
  // Scaled to the exact totals, syscalls never sampled included.
  for (const auto& [name, counts] : json_table(r.out)) {
    INFO(name);
    CHECK(f.calls(name) == counts.count);
  }
  // Sampled, not exact: but all of the 150,000 writes of serve bar main's
  // one ("done") are through serve, and ~2,300 samples find it so.
  CHECK(f.calls("write", "main;serve") >= 1000u * kRounds - 200);
  CHECK(f.calls("openat", "load_config;read_one_file") >= 200u * kRounds - 200);
  // Fewer stack walks than calls: ~1 in 64 (a process's first calls, in
  // the loader, are as likely as any).
  CHECK(f.lines.size() < 40u);
}

TEST_CASE("syslat --stacks -o X.pb.gz writes a pprof profile protoc decodes, with our functions in it", "[privileged]") {
  const std::string proto = "/usr/share/gocode/src/github.com/google/pprof/proto/profile.proto";
  slt::TempDir dir;
  const std::string file = dir.path() + "/profile.pb.gz";
  const auto r = slt::run({kSyslat, "--stacks", "-o", file, "--", slt::workload("wl_stacks"), "20"}, 60);
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto decoded = slt::run({"/bin/sh", "-c", fmt::format("gzip -dc '{}' | protoc --decode=perftools.profiles.Profile "
                                                              "-I '{}' profile.proto",
                                                              file, proto.substr(0, proto.rfind('/')))});
  INFO(decoded.err);
  REQUIRE(decoded.status == 0);
  for (const char* name : {"\"read_one_file\"", "\"serve\"", "\"syscall_time\"", "\"openat\""}) {
    INFO(name);
    CHECK(decoded.out.find(name) != std::string::npos);
  }
}

TEST_CASE("syslat --stacks: calls that find the stack table full are counted and said, never lost", "[privileged]") {
  slt::TempDir dir;
  const std::string folded = dir.path() + "/calls.folded";
  const auto r = slt::run({kSyslat, "--stacks", "--stack-sample", "1", "--max-stacks", "2", "--weight", "calls", "-j",
                           "-o", folded, "--", slt::workload("wl_stacks"), "5"}, 60);
  INFO(r.err);
  REQUIRE(r.status == 0);
  const Folded f = read_folded(folded);
  std::smatch m;
  const std::regex lost(R"(LOST: (\d+) calls? not profiled)");
  REQUIRE(std::regex_search(r.err, m, lost));
  const uint64_t refused = std::stoull(m[1]);
  CHECK(refused > 0);
  uint64_t total = 0;
  for (const auto& [name, counts] : json_table(r.out)) total += counts.count;
  CHECK(f.calls("") + refused == total);
}

TEST_CASE("syslat --stacks: bad combinations are refused with one line", "[privileged]") {
  for (const auto& [argv, names] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{kSyslat, "--weight", "calls", "-d", "1"}, "--weight"},
           {{kSyslat, "--stacks", "--format", "pprof", "-d", "1"}, "--format pprof"},
           {{kSyslat, "--stacks", "--weight", "bytes", "-d", "1"}, "--weight"},
           {{kSyslat, "--stacks", "--stack-sample", "0", "-d", "1"}, "--stack-sample"},
           {{kSyslat, "--stack-sample", "8", "-d", "1"}, "--stack-sample"},
           {{kSyslat, "--stacks", "--skip-modules", "libc.so", "-d", "1"}, "--skip-modules"},
           {{kSyslat, "--by-function", "--skip-modules", "libc.so,,x", "-d", "1"}, "--skip-modules"},
           {{kSyslat, "--stacks", "-j", "-d", "1"}, "--stacks"},
           {{kSyslat, "--by-function", "--format", "folded", "-d", "1"}, "--by-function"},
           {{slt::sysslow_bin(), "--stacks", "-d", "1"}, "--stacks"}}) {
    const auto rejected = slt::check_rejected(argv, names);
    INFO(rejected.describe());
    CHECK(rejected.problem.empty());
  }
}
