// syslatd -c PATH / --unit NAME follow their cgroup when it is removed and
// made again, as systemd does when it restarts a unit; -c ID cannot, and
// says so. syslat_target_present tells which state it is in.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/stat.h>

#include <fstream>
#include <thread>

#include "serve_support.h"

using namespace serve_test;

namespace {

constexpr const char* kPresent = "syslat_target_present";
constexpr const char* kGetppid = "syscall_total{syscall=\"getppid\"}";

std::string unit_base() { return "syslat-test-" + std::to_string(getpid()) + "-follow"; }

// A workload in a cgroup, and the cgroup removed and made again around it.
struct Restartable {
  slt::TestCgroup cgroup{unit_base() + ".service"};
  std::string root = cgroup.path().substr(0, cgroup.path().rfind('/'));
  slt::Background workload{{slt::workload("wl_loop"), "getppid", "50", "10"}};  // ~5000 getppid/s until killed

  Restartable() { cgroup.add(workload.pid()); }
  void remove() {
    std::ofstream(root + "/cgroup.procs") << workload.pid() << '\n';
    // The kernel may take a moment to let go of a cgroup just emptied.
    for (int i = 0; i < 100 && rmdir(cgroup.path().c_str()) != 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    struct stat st {};
    REQUIRE(stat(cgroup.path().c_str(), &st) != 0);
  }
  void make_again() {
    REQUIRE(mkdir(cgroup.path().c_str(), 0755) == 0);
    cgroup.add(workload.pid());
  }
};

struct Values {
  double present = -1, calls = -1;
};
Values values(const Syslatd& daemon) {
  const std::string text = daemon.scrape();
  return {sample_value(text, kPresent), sample_value(text, kGetppid)};
}

// Scrapes until ok(values) or timeout_s; the last values.
template <class Ok>
Values wait_for(const Syslatd& daemon, Ok ok, double timeout_s) {
  Values v = values(daemon);
  for (const double end = now_s() + timeout_s; !ok(v) && now_s() < end;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    v = values(daemon);
  }
  return v;
}

size_t lines_with(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = 0; (at = text.find(what, at)) != std::string::npos; at += what.size()) ++n;
  return n;
}

// Counts grow while the cgroup exists (present 1), stop while it is gone
// (present 0) and grow again within about two polls of it being made again
// (present 1); one line on stderr for each change.
void check_follows(Restartable& r, const Syslatd& daemon, const std::string& gone_line, const std::string& back_line) {
  const Values first = wait_for(daemon, [](const Values& v) { return v.present == 1 && v.calls > 0; }, 5);
  CHECK(first.present == 1);
  REQUIRE(first.calls > 0);

  r.remove();
  const Values gone = wait_for(daemon, [](const Values& v) { return v.present == 0; }, 3);
  CHECK(gone.present == 0);
  CHECK(daemon.process->wait_for_stderr(gone_line, 1));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  const Values still = values(daemon);
  CHECK(still.present == 0);

  r.make_again();
  const double made = now_s();
  const Values back = wait_for(daemon, [&](const Values& v) { return v.present == 1 && v.calls > still.calls; }, 3);
  INFO("counts " << first.calls << " -> " << still.calls << " -> " << back.calls << ", back after " << now_s() - made << " s");
  CHECK(back.present == 1);
  CHECK(back.calls > still.calls);
  CHECK(daemon.process->wait_for_stderr(back_line, 1));

  daemon.process->signal(SIGTERM);
  const auto end = daemon.process->wait(15);
  INFO(end.err);
  CHECK(end.status == 0);
  CHECK(lines_with(end.err, "is gone") == 1);
  CHECK(lines_with(end.err, "is back") == 1);
}

}  // namespace

TEST_CASE("syslatd -c PATH follows its cgroup when it is removed and made again, as on a unit restart", "[privileged]") {
  Restartable r;
  Syslatd daemon({"-c", r.cgroup.path()});
  check_follows(r, daemon, "syslatd: -c " + r.cgroup.path() + ": the cgroup is gone",
                "syslatd: -c " + r.cgroup.path() + ": the cgroup is back");
}

TEST_CASE("syslatd --unit NAME follows the unit's cgroup when it is removed and made again", "[privileged]") {
  Restartable r;
  const std::string unit = unit_base() + ".service";
  Syslatd daemon({"--unit", unit_base()});
  check_follows(r, daemon, "syslatd: --unit " + unit + ": its cgroup " + r.cgroup.path() + " is gone",
                "syslatd: --unit " + unit + ": its cgroup is back at " + r.cgroup.path());
}

TEST_CASE("syslatd -c ID says once that its cgroup is gone and that an id cannot follow a new one", "[privileged]") {
  Restartable r;
  const std::string id = std::to_string(r.cgroup.id());
  Syslatd daemon({"-c", id});
  const Values first = wait_for(daemon, [](const Values& v) { return v.present == 1 && v.calls > 0; }, 5);
  CHECK(first.present == 1);
  REQUIRE(first.calls > 0);

  r.remove();
  CHECK(wait_for(daemon, [](const Values& v) { return v.present == 0; }, 3).present == 0);
  CHECK(daemon.process->wait_for_stderr("syslatd: -c " + id + ": the cgroup with this id", 1));
  const Values gone = values(daemon);
  r.make_again();  // a new cgroup with a new id, at the same path
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  const Values after = values(daemon);
  CHECK(after.present == 0);
  CHECK(after.calls == gone.calls);

  daemon.process->signal(SIGTERM);
  const auto end = daemon.process->wait(15);
  INFO(end.err);
  CHECK(end.status == 0);
  CHECK(lines_with(end.err, "is gone") == 1);
  CHECK(lines_with(end.err, "an id cannot follow") == 1);
  CHECK(lines_with(end.err, "is back") == 0);
}
