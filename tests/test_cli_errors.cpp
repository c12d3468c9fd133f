// Bad option values: exit status 2, exactly one line on stderr that names the
// option, nothing on stdout, and nothing traced or run.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>

#include "test_support.h"

namespace {

struct BadInput {
  std::vector<std::string> args;
  std::string names;  // the option the message must mention
};

std::vector<BadInput> bad_inputs() {
  return {
      {{"-p", "999999"}, "-p"},
      {{"-p", "abc"}, "-p"},
      {{"-t", "999999"}, "-t"},
      {{"-S", "opne"}, "-S"},
      {{"-S", "%nope"}, "-S"},
      {{"--min-duration", "10"}, "--min-duration"},
      {{"--min-duration", "-5ms"}, "--min-duration"},
      {{"-i", "0"}, "-i"},
      {{"-i", "abc"}, "-i"},
      {{"-d", "0"}, "-d"},
      {{"-T", "-1"}, "-T"},
      {{"--sort", "foo"}, "--sort"},
      {{"-e", "ENOPE"}, "-e"},
      {{"-u", "no-such-user-here"}, "-u"},
      {{"-c", "/tmp"}, "-c"},
      {{"-c", "0"}, "-c/--cgroup"},
      {{"-c", "18446744073709551615"}, "-c/--cgroup"},
      {{"-c", "18446744073709551616"}, "-c/--cgroup"},
      {{"-c", ""}, "-c/--cgroup"},
      {{"--unit", "no-such-unit-here"}, "--unit"},
      {{"--unit", "a/b"}, "--unit"},
      {{"--unit", ""}, "--unit"},
      {{"-c", "1", "--unit", "init.scope"}, "--unit"},
      {{"--backend", "nope"}, "--backend"},
      {{"--bogus"}, "--bogus"},
      {{"-o", "/nonexistent/dir/out.json", "--", "/bin/true"}, "-o"},
      {{"--", "/nonexistent"}, "/nonexistent"},
      {{"--", "no-such-command-here"}, "no-such-command-here"},
  };
}

void check_rejected(const std::string& bin, const BadInput& bad) {
  std::vector<std::string> argv = {bin};
  argv.insert(argv.end(), bad.args.begin(), bad.args.end());
  const auto r = slt::run(argv, 10);
  std::string shown;
  for (const auto& a : argv) shown += a + " ";
  INFO("$ " << shown << "\nstatus " << r.status << "\nstdout: " << r.out << "\nstderr: " << r.err);
  CHECK(r.status == 2);
  CHECK(r.out.empty());
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK(r.err.back() == '\n');
  CHECK(r.err.find(bad.names) != std::string::npos);
}

}  // namespace

TEST_CASE("syscount rejects bad option values with status 2 and one line naming the option", "[privileged]") {
  for (const auto& bad : bad_inputs()) check_rejected(slt::syscount_bin(), bad);
}

TEST_CASE("syslat rejects bad option values with status 2 and one line naming the option", "[privileged]") {
  for (const auto& bad : bad_inputs()) check_rejected(slt::syslat_bin(), bad);
}

TEST_CASE("without CAP_BPF and CAP_PERFMON: status 1, one line naming them and --backend ptrace", "[privileged]") {
  // setpriv: root, but with an empty bounding set exec gives no capabilities.
  for (const auto& bin : {slt::syscount_bin(), slt::syslat_bin()}) {
    const auto r = slt::run({"setpriv", "--inh-caps=-all", "--ambient-caps=-all", "--bounding-set=-all", "--", bin,
                             "-d", "1"}, 10);
    INFO(bin << ": status " << r.status << "\nstdout: " << r.out << "\nstderr: " << r.err);
    CHECK(r.status == 1);
    CHECK(r.out.empty());
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK(r.err.find("CAP_BPF") != std::string::npos);
    CHECK(r.err.find("CAP_PERFMON") != std::string::npos);
    CHECK(r.err.find("--backend ptrace") != std::string::npos);  // system-wide: no fallback, only the hint
  }
}

TEST_CASE("a rejected command line runs nothing and writes no report", "[privileged]") {
  slt::TempDir dir;
  const std::string out = dir.file("out.json");
  const auto r = slt::run({slt::syscount_bin(), "-S", "opne", "-j", "-o", out, "--", "/bin/true"}, 10);
  CHECK(r.status == 2);
  CHECK(access(out.c_str(), F_OK) != 0);
}
