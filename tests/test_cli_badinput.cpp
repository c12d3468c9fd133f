// Bad input, every tool (docs/cli.md): each row is a command line the
// tool must refuse with status 2, nothing on stdout, one stderr line naming
// the option, no crash and no core, within 10 s (slt::check_rejected).
// One TEST_CASE per tool, each running the rows that apply to it.
#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "test_support.h"

namespace {

enum Tool : unsigned { Count = 1, Lat = 2, Slow = 4, Top = 8, Serve = 16, Trace = 32 };
constexpr unsigned kReports = Count | Lat | Slow;       // the report tools: one Session
constexpr unsigned kCommon = kReports | Top | Serve;   // the common options parser
constexpr unsigned kAll = kCommon | Trace;

struct Row {
  unsigned tools;
  std::vector<std::string> args;
  std::string names;  // what the line must contain: the option
};

const std::string kLong16 = "0123456789abcdef";  // a comm is at most 15 bytes

std::vector<Row> rows() {
  return {
      // -S: syscall lists
      {kCommon, {"-S", "opne"}, "-S"},
      {kCommon, {"-S", "frobnicate"}, "-S"},
      {kCommon, {"-S", "%nope"}, "-S"},
      {kCommon, {"-S", "99999"}, "-S"},
      {kCommon, {"-S", ""}, "-S"},
      {kCommon, {"-S", "!"}, "-S"},
      {kCommon, {"-S", "read,,write"}, "-S"},
      {kCommon, {"-S", "read,!write"}, "-S"},
      // durations
      {kCommon, {"--min-duration", "10"}, "--min-duration"},
      {kCommon, {"--min-duration", "ms"}, "--min-duration"},
      {kCommon, {"--min-duration", "1e999s"}, "--min-duration"},
      {kCommon, {"--min-duration", "-5ms"}, "--min-duration"},
      {kCommon, {"--min-duration", "99999999999999s"}, "--min-duration"},
      {kCommon, {"--min-duration", ""}, "--min-duration"},
      {kCommon, {"-i", "0"}, "-i"},
      {kCommon, {"-i", "abc"}, "-i"},
      {kCommon, {"-i", "-1"}, "-i"},
      {kCommon, {"-i", "1e30"}, "-i"},
      {kCommon, {"-i", "99999999999999999999999"}, "-i"},
      {kCommon, {"-i", "0.0000001"}, "-i"},  // was 6 MB of reports a second
      {kCommon, {"-d", "0"}, "-d"},
      {kCommon, {"-d", "0ms"}, "-d"},
      {kCommon, {"-d", "abc"}, "-d"},
      {kCommon, {"-d", "-5"}, "-d"},
      {kCommon, {"-d", "5x"}, "-d"},
      {kCommon, {"-d", "99999999999"}, "-d"},  // 3000 years: ended at once before
      {kCommon, {"-d", "99999999999999999999999"}, "-d"},
      // -p, -t: processes and threads
      {kAll, {"-p", "999999"}, "-p"},
      {kAll, {"-p", "0"}, "-p"},
      {kAll, {"-p", "-1"}, "-p"},
      {kAll, {"-p", "abc"}, "-p"},
      {kAll, {"-p", ""}, "-p"},
      {kAll, {"-p", "1,,2"}, "-p"},
      {kAll, {"-p", "4194304"}, "-p"},
      {kCommon, {"-t", "999999"}, "-t"},
      {kCommon, {"-t", "0"}, "-t"},
      {kCommon, {"-t", "abc"}, "-t"},
      // other filters
      {kCommon, {"-n", kLong16}, "-n"},
      {kCommon, {"-n", ""}, "-n"},
      {kCommon, {"-u", "no-such-user-here"}, "-u"},
      {kCommon, {"-u", "4294967296"}, "-u"},
      {kCommon, {"-u", ""}, "-u"},
      {kCommon, {"-e", "ENOPE"}, "-e"},
      {kCommon, {"-e", "99999"}, "-e"},
      {kCommon, {"-c", "/tmp"}, "-c"},
      {kCommon, {"-c", "0"}, "-c/--cgroup"},
      {kCommon, {"-c", "18446744073709551615"}, "-c/--cgroup"},
      {kCommon, {"-c", "18446744073709551616"}, "-c/--cgroup"},
      {kCommon, {"-c", ""}, "-c/--cgroup"},
      {kCommon, {"--unit", "no-such-unit-here"}, "--unit"},
      {kCommon, {"--unit", "a/b"}, "--unit"},
      {kCommon, {"--unit", ""}, "--unit"},
      {kCommon, {"-c", "1", "--unit", "init.scope"}, "--unit"},
      // reporting
      {kCommon, {"-T", "-1"}, "-T"},
      {kCommon, {"-T", "abc"}, "-T"},
      {kCommon, {"-T", "99999999999999999999999"}, "-T"},
      {kCommon, {"--sort", "foo"}, "--sort"},
      {kCommon, {"--sort", ""}, "--sort"},
      {kCommon, {"--backend", "nope"}, "--backend"},
      {kCommon, {"--max-processes", "0"}, "--max-processes"},
      {kCommon, {"--max-processes", "abc"}, "--max-processes"},
      {kCommon, {"-P", "--max-processes", "524289"}, "--max-processes"},  // 2^24 (process, syscall) pairs at most
      {kCommon, {"--max-processes", "10"}, "--max-processes"},             // counts nothing without -P
      {kCommon, {"-j", "--csv"}, "--csv"},
      {kCommon, {"--csv", "-j"}, "-j"},
      // -o: syslat-top and syslatd take none (rows below); the report tools
      // open it before anything else
      {kReports, {"-o", ""}, "-o"},
      {kReports, {"-o", "/nonexistent/dir/out.json"}, "-o"},
      {kReports, {"-o", "/etc/passwd/x"}, "-o"},
      {kReports, {"-o", "/proc/version"}, "-o"},  // opens as root, refuses every write
      {kReports, {"-o", "/"}, "-o"},
      {kReports, {"-o", "/nonexistent/dir/out.json", "--", "/bin/true"}, "-o"},
      // the command
      {kReports, {"-p", "1", "--", "/bin/true"}, "-p"},
      {kReports, {"-t", "1", "--", "/bin/true"}, "-t"},
      // the time split needs sched_switch
      {kReports, {"--backend", "ptrace", "--states", "--", "/bin/true"}, "--states"},
      {Count | Lat, {"--backend", "ptrace", "--sort", "offcpu", "--", "/bin/true"}, "--sort offcpu"},
      {kCommon, {"--"}, "--"},
      {kReports | Trace, {"--", "/nonexistent"}, "/nonexistent"},
      {kReports | Trace, {"--", "no-such-command-here"}, "no-such-command-here"},
      {kReports | Trace, {"--", "/etc/passwd"}, "/etc/passwd"},
      // unknown options, missing values, values given to flags
      {kAll, {"--bogus"}, "--bogus"},
      {kAll, {"-Z"}, "-Z"},
      {kCommon, {"-jZ"}, "-Z"},
      {Trace, {"-fZ"}, "-Z"},
      {kAll, {"-p"}, "-p"},
      {kCommon, {"-jp"}, "-p"},
      {kCommon, {"--pid"}, "--pid"},
      {kCommon, {"-S"}, "-S"},
      {kCommon, {"--min-duration"}, "--min-duration"},
      {kCommon, {"--threshold"}, "--threshold"},
      {kCommon, {"--listen"}, "--listen"},
      {kCommon, {"-o"}, "-o"},
      {kCommon, {"--help=x"}, "--help"},
      {kCommon, {"--json=x"}, "--json"},
      // options only some tools take
      {kReports | Top, {"--listen", "127.0.0.1:9999"}, "--listen"},
      {kReports | Top, {"--buckets", "1ms"}, "--buckets"},
      {Count | Lat, {"--threshold", "1ms"}, "--threshold"},
      {Count | Lat | Top | Serve, {"--stack"}, "--stack"},
      {Count | Lat | Top | Serve, {"--kstack"}, "--kstack"},
      {kReports | Serve, {"-b"}, "-b"},
      // --threshold values (sysslow; syslat-top and syslatd parse it too)
      {Slow | Top | Serve, {"--threshold", "read="}, "--threshold"},
      {Slow | Top | Serve, {"--threshold", "=5ms"}, "--threshold"},
      {Slow | Top | Serve, {"--threshold", "raed=10ms"}, "--threshold"},
      {Slow | Top | Serve, {"--threshold", "nosuchcall=10ms"}, "--threshold"},
      {Slow | Top | Serve, {"--threshold", "10"}, "--threshold"},
      {Slow | Top | Serve, {"--threshold", "0.5"}, "--threshold"},
      {Slow | Top | Serve, {"--threshold", "-1ms"}, "--threshold"},
      {Slow | Top | Serve, {"--threshold", ""}, "--threshold"},
      {Slow | Top | Serve, {"--threshold", "read=5ms,"}, "--threshold"},
      // sysslow: a stream of slow calls, no reports
      {Slow, {"-i", "1"}, "-i"},
      {Slow, {"-T", "5"}, "-T"},
      {Slow, {"--sort", "count"}, "--sort"},
      {Slow, {"-P"}, "-P"},
      {Slow, {"-m"}, "-m"},
      // syslat-top: a dashboard of running processes
      {Top, {"-i", "10"}, "-i"},
      {Top, {"-i", "0.01"}, "-i"},
      {Top, {"-P"}, "-P"},
      {Top, {"-j"}, "-j"},
      {Top, {"--csv"}, "--csv"},
      {Top, {"-o", "/tmp/x"}, "-o"},
      {Top, {"--sort", "errors"}, "--sort"},
      {Top, {"--sort", "max"}, "--sort"},
      {Top, {"-m"}, "-m"},
      {Top, {"--", "true"}, "-- CMD"},
      {Top, {"--backend", "ptrace"}, "--backend"},
      // syslatd: --listen, --buckets, and what a daemon does not do
      {Serve, {"--listen", "127.0.0.1"}, "--listen"},
      {Serve, {"--listen", "127.0.0.1:70000"}, "--listen"},
      {Serve, {"--listen", "127.0.0.1:0"}, "--listen"},
      {Serve, {"--listen", "127.0.0.1:"}, "--listen"},
      {Serve, {"--listen", ":9476"}, "--listen"},
      {Serve, {"--listen", ""}, "--listen"},
      {Serve, {"--listen", "nosuchhost:1"}, "--listen"},
      {Serve, {"--listen", "300.1.2.3:9476"}, "--listen"},
      {Serve, {"--listen", "[::1:9476"}, "--listen"},
      {Serve, {"--listen", "192.0.2.1:9476"}, "--listen"},  // TEST-NET-1: not an address of this host
      {Serve, {"--buckets", "0"}, "--buckets"},
      {Serve, {"--buckets", "1ms,fast"}, "--buckets"},
      {Serve, {"--buckets", ""}, "--buckets"},
      {Serve, {"--buckets", "1ms,,2ms"}, "--buckets"},
      {Serve, {"--buckets", "-1ms"}, "--buckets"},
      {Serve, {"-i", "1"}, "-i"},
      {Serve, {"-j"}, "-j"},
      {Serve, {"--csv"}, "--csv"},
      {Serve, {"-o", "/tmp/x"}, "-o"},
      {Serve, {"--sort", "count"}, "--sort"},
      {Serve, {"-T", "5"}, "-T"},
      {Serve, {"-m"}, "-m"},
      {Serve, {"--", "true"}, "-- CMD"},
      {Serve, {"--backend", "ptrace"}, "--backend"},
      // systrace: strace's letters
      {Trace, {"-e", "trace=nope", "--", "/bin/true"}, "-e"},
      {Trace, {"-e", "trace=opne", "--", "/bin/true"}, "-e"},
      {Trace, {"-e", "trace=", "--", "/bin/true"}, "-e"},
      {Trace, {"-e", "trace=%nope", "--", "/bin/true"}, "-e"},
      {Trace, {"-e", "foo=bar", "--", "/bin/true"}, "-e"},
      {Trace, {"-e", "status=nope", "--", "/bin/true"}, "-e"},
      {Trace, {"-e", "", "--", "/bin/true"}, "-e"},
      {Trace, {"-e"}, "-e"},
      {Trace, {"-s", "-1", "--", "/bin/true"}, "-s"},
      {Trace, {"-s", "abc", "--", "/bin/true"}, "-s"},
      {Trace, {"-s", "99999999", "--", "/bin/true"}, "-s"},
      // -o is opened once the command is known to exist, before it starts
      {Trace, {"-o", "", "--", "/bin/true"}, "-o"},
      {Trace, {"-o", "/nonexistent/dir/x", "--", "/bin/true"}, "-o"},
      {Trace, {"-o", "/etc/passwd/x", "--", "/bin/true"}, "-o"},
      {Trace, {"-o", "/proc/version", "--", "/bin/true"}, "-o"},
      {Trace, {"-p", "1", "--", "/bin/true"}, "-p"},
      {Trace, {"-c", "-C", "--", "/bin/true"}, "-C"},
      {Trace, {"-j", "-c", "--", "/bin/true"}, "-j"},
      {Trace, {"-S", "read", "--", "/bin/true"}, "-S"},
      {Trace, {}, "-- CMD"},
      {Trace, {"--"}, "-- CMD"},
  };
}

std::string shown(const std::vector<std::string>& args) {
  std::string s;
  for (const auto& a : args) s += (s.empty() ? "" : " ") + (a.empty() ? "''" : a);
  return s;
}

// Runs every row for `tool` as `bin PREFIX ARGS`; returns how many ran.
size_t check_rows(Tool tool, const std::string& bin, const std::vector<std::string>& prefix = {}) {
  size_t ran = 0;
  for (const Row& row : rows()) {
    if (!(row.tools & tool)) continue;
    std::vector<std::string> argv = {bin};
    argv.insert(argv.end(), prefix.begin(), prefix.end());
    argv.insert(argv.end(), row.args.begin(), row.args.end());
    const auto r = slt::check_rejected(argv, row.names);
    INFO("row: " << shown(row.args) << "\n" << r.describe());
    CHECK(r.problem == "");
    ++ran;
  }
  return ran;
}

// A TCP port bound (and listening) on 127.0.0.1 while this lives.
class TakenPort {
 public:
  TakenPort() : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&a), len) != 0 || listen(fd_, 1) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
      throw std::runtime_error("cannot bind a port on 127.0.0.1");
    port_ = ntohs(a.sin_port);
  }
  ~TakenPort() { close(fd_); }
  TakenPort(const TakenPort&) = delete;
  TakenPort& operator=(const TakenPort&) = delete;
  int port() const { return port_; }

 private:
  int fd_;
  int port_ = 0;
};

}  // namespace

TEST_CASE("syscount refuses every bad option value: status 2, one line naming the option", "[privileged]") {
  CHECK(check_rows(Count, slt::syscount_bin()) > 80);
}

TEST_CASE("syslat refuses every bad option value: status 2, one line naming the option", "[privileged]") {
  CHECK(check_rows(Lat, slt::syslat_bin()) > 80);
}

TEST_CASE("sysslow refuses every bad option value and threshold: status 2, one line naming the option", "[privileged]") {
  CHECK(check_rows(Slow, slt::sysslow_bin()) > 80);
}

TEST_CASE("syslat-top refuses every bad option value before any terminal setup, with -b and without a tty", "[privileged]") {
  // stdin is /dev/null and stdout a file in both: nothing may touch a terminal.
  CHECK(check_rows(Top, slt::top_bin(), {"-b"}) > 80);
  CHECK(check_rows(Top, slt::top_bin()) > 80);
}

TEST_CASE("syslatd refuses every bad option value, bad --listen and a taken port: status 2, one line", "[privileged]") {
  CHECK(check_rows(Serve, slt::syslatd_bin()) > 80);
  TakenPort taken;
  const std::string where = "127.0.0.1:" + std::to_string(taken.port());
  const auto r = slt::check_rejected({slt::syslatd_bin(), "--listen", where}, "--listen: cannot listen on " + where);
  INFO(r.describe());
  CHECK(r.problem == "");
  CHECK(r.run.err.find("in use") != std::string::npos);
}

TEST_CASE("systrace refuses every bad option value: status 2, one line naming the option", "[privileged][trace]") {
  CHECK(check_rows(Trace, slt::systrace_bin()) > 25);
}
