// The ptrace backend and a 32-bit program that execs: its execve is i386
// number 11, not x86_64's 59, and must still be read at its entry (its
// memory is gone at its exit) and rename the process (systrace -j's comm,
// syscount -P's process name). tests/workloads/i386/wl_i386.c execs PROG
// through the i386 ABI.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <regex>
#include <sstream>

#include "test_support.h"

namespace {

const std::string kSystrace = SYSLAT_BUILD_DIR "/systrace";

// The 32-bit workload, or "" (with a warning) where it cannot run here.
std::string i386_workload() {
  const std::string bin = slt::workload("wl_i386");
  struct stat st {};
  if (stat(bin.c_str(), &st) != 0) {
    WARN("SKIPPED: wl_i386 was not built (no 32-bit compiler support: gcc-multilib)");
    return "";
  }
  const auto probe = slt::run({bin, "0"});
  if (probe.status != 0) {
    WARN("SKIPPED: this kernel cannot run 32-bit programs (" << bin << " exited " << probe.status << ")");
    return "";
  }
  return bin;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

}  // namespace

TEST_CASE("systrace: a 32-bit execve shows the path it was given, read at its entry", "[privileged][trace]") {
  const std::string wl = i386_workload();
  if (wl.empty()) return;
  slt::TempDir dir;
  const auto r = slt::run({kSystrace, "-o", dir.file("trace.txt"), "--", wl, "1", "/bin/echo", "from i386"});
  const std::string text = slt::read_file(dir.file("trace.txt"));
  INFO(text << r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out == "from i386\n");
  // The argv array holds 32-bit pointers: shown as its address, as the
  // other memory arguments of i386 calls are. The path is a string.
  static const std::regex exec32(R"(^execve\("/bin/echo", 0x[0-9a-f]+, 0x[0-9a-f]+\) += 0$)");
  size_t found = 0;
  for (const auto& line : lines_of(text)) found += std::regex_search(line, exec32);
  CHECK(found == 1);
}

TEST_CASE("systrace -j: after a 32-bit execve the calls carry the new program's name", "[privileged][trace]") {
  const std::string wl = i386_workload();
  if (wl.empty()) return;
  slt::TempDir dir;
  const auto r = slt::run({kSystrace, "-j", "-o", dir.file("trace.json"), "--", wl, "1", "/bin/echo", "x"});
  INFO(slt::read_file(dir.file("trace.json")) << r.err);
  REQUIRE(r.status == 0);
  std::string getppid_comm, write_comm;
  for (const auto& j : slt::read_ndjson(dir.file("trace.json"))) {
    if (j.at("syscall") == "getppid") getppid_comm = j.at("comm");
    if (j.at("syscall") == "write") write_comm = j.at("comm");
  }
  CHECK(getppid_comm == "wl_i386");
  CHECK(write_comm == "echo");  // echo's write, after the exec
}

TEST_CASE("syscount --backend ptrace -P: a 32-bit execve renames the process, as with BPF", "[privileged][trace]") {
  const std::string wl = i386_workload();
  if (wl.empty()) return;
  const std::vector<std::string> cmd = {wl, "3", "/bin/true"};
  auto comms = [&](const std::string& backend) {
    const auto r = slt::run_json(slt::syscount_bin(), {"--backend", backend, "-P"}, cmd);
    INFO(r.describe());
    REQUIRE(r.run.status == 0);
    std::string out;
    for (const auto& [pid, p] : slt::sum_processes(r.reports)) out += p.comm + " ";
    return out;
  };
  CHECK(comms("ptrace") == "true ");
  CHECK(comms("bpf") == "true ");
}
