// --help of every tool: whose option letters it follows (the BPF tools
// bcc/libbpf-tools syscount's, systrace strace's: -c and -e differ), and
// --max-processes said once, as a number of processes.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "test_support.h"

namespace {

size_t occurrences(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("every tool's --help says whose option letters it follows", "[privileged]") {
  for (const std::string& bin : {slt::syscount_bin(), slt::syslat_bin(), slt::sysslow_bin(), slt::top_bin(), slt::syslatd_bin()}) {
    const auto r = slt::run({bin, "--help"});
    INFO(bin << "\n" << r.out << r.err);
    REQUIRE(r.status == 0);
    CHECK(occurrences(r.out, "Letters follow bcc/libbpf-tools syscount (-c cgroup, -e errno); systrace follows strace.\n") == 1);
  }
  const auto r = slt::run({slt::systrace_bin(), "--help"});
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(occurrences(r.out, "Letters follow strace (-c summary, -e trace=); the BPF tools follow bcc's syscount.\n") == 1);
}

TEST_CASE("the help gives --max-processes one meaning: processes, the kernel's room from it, what a full table does",
          "[privileged]") {
  for (const std::string& bin : {slt::syscount_bin(), slt::syslat_bin(), slt::syslatd_bin()}) {
    const auto r = slt::run({bin, "--help"});
    INFO(bin << "\n" << r.out << r.err);
    REQUIRE(r.status == 0);
    CHECK(occurrences(r.out, "--max-processes N") == 1);
    CHECK(occurrences(r.out, "-P, --process") == 1);
    CHECK(r.out.find("--max-processes N    -P: processes ") != std::string::npos);
    CHECK(r.out.find("N x 32 (process, syscall) pairs") != std::string::npos);
  }
  const auto count = slt::run({slt::syscount_bin(), "--help"});
  CHECK(count.out.find("(default 512)") != std::string::npos);
  CHECK(count.out.find("that find it full are counted and shown as lost") != std::string::npos);
  const auto serve = slt::run({slt::syslatd_bin(), "--help"});
  CHECK(serve.out.find("(default 100)") != std::string::npos);
  CHECK(serve.out.find("calls that find it full count in syslat_events_lost_total") != std::string::npos);
}
