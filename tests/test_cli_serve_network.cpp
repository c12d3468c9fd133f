// syslatd on a network: clients that trickle a request byte by byte or sit
// idle, by the thousand, do not slow a real Prometheus's scrapes; a used-up
// fd limit neither stops the answers nor makes it spin; it keeps no
// capability once its programs are attached.
#include <catch2/catch.hpp>

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include "serve_support.h"

using namespace serve_test;

namespace {

// The test holds a thousand sockets and more.
void raise_own_fd_limit() {
  rlimit r{};
  getrlimit(RLIMIT_NOFILE, &r);
  r.rlim_cur = r.rlim_max;
  setrlimit(RLIMIT_NOFILE, &r);
}

// Adds a sanitizer option for the processes this test starts from now on
// (each test case runs in a process of its own). A normal build ignores it.
void add_sanitizer_option(const char* variable, const std::string& option) {
  const char* now = getenv(variable);
  setenv(variable, ((now && *now ? std::string(now) + ":" : std::string()) + option).c_str(), 1);
}

// A non-blocking connection to the port (-1 if the socket cannot be made).
int connect_nonblocking(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  const sockaddr_in a = loopback(port);
  if (connect(fd, reinterpret_cast<const sockaddr*>(&a), sizeof(a)) != 0 && errno != EINPROGRESS) {
    close(fd);
    return -1;
  }
  return fd;
}

// Clients that never complete a request: `idle` ones send nothing,
// `trickling` ones one byte of a GET every trickle_s. Whatever the server
// closes is opened again a second later, so the pressure stays on.
class Attackers {
 public:
  Attackers(int port, size_t idle, size_t trickling, double trickle_s) : port_(port), trickle_s_(trickle_s) {
    slots_.resize(idle + trickling);
    for (size_t i = idle; i < slots_.size(); ++i) slots_[i].trickles = true;
    thread_ = std::thread([this] { run(); });
  }
  ~Attackers() {
    stop_ = true;
    thread_.join();
    for (Slot& s : slots_)
      if (s.fd >= 0) close(s.fd);
  }
  Attackers(const Attackers&) = delete;
  Attackers& operator=(const Attackers&) = delete;

  size_t opened() const { return opened_.load(); }  // connections made so far
  size_t closed() const { return closed_.load(); }  // of them, closed by the server
  size_t trickling_closed() const { return trickling_closed_.load(); }
  // The shortest and longest a trickling connection lived before the server closed it.
  double shortest_trickle_s() const {
    std::lock_guard lock(mutex_);
    return shortest_trickle_s_;
  }
  double longest_trickle_s() const {
    std::lock_guard lock(mutex_);
    return longest_trickle_s_;
  }

 private:
  struct Slot {
    int fd = -1;
    bool trickles = false;
    double opened_s = 0, next_byte_s = 0, reopen_s = 0;
    size_t sent = 0;
  };
  static constexpr std::string_view kRequest = "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ";

  void closed_by_server(Slot& s, double now) {
    close(s.fd);
    s.fd = -1;
    s.reopen_s = now + 1;
    ++closed_;
    if (s.trickles) {
      ++trickling_closed_;
      std::lock_guard lock(mutex_);
      longest_trickle_s_ = std::max(longest_trickle_s_, now - s.opened_s);
      shortest_trickle_s_ = std::min(shortest_trickle_s_, now - s.opened_s);
    }
  }

  void run() {
    std::vector<pollfd> fds;
    std::vector<Slot*> of;
    while (!stop_) {
      const double now = now_s();
      fds.clear();
      of.clear();
      for (Slot& s : slots_) {
        if (s.fd < 0 && now >= s.reopen_s) {
          s.fd = connect_nonblocking(port_);
          s.opened_s = s.next_byte_s = now;
          s.sent = 0;
          opened_ += s.fd >= 0;
        }
        if (s.fd < 0) continue;
        if (s.trickles && now >= s.next_byte_s) {
          if (send(s.fd, &kRequest[s.sent % kRequest.size()], 1, MSG_NOSIGNAL | MSG_DONTWAIT) == 1) ++s.sent;
          s.next_byte_s = now + trickle_s_;
        }
        fds.push_back({s.fd, POLLIN, 0});
        of.push_back(&s);
      }
      poll(fds.data(), fds.size(), 100);
      for (size_t i = 0; i < fds.size(); ++i) {
        if (!fds[i].revents) continue;
        char buf[512];
        const ssize_t n = recv(fds[i].fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN)) closed_by_server(*of[i], now_s());
      }
    }
  }

  int port_;
  double trickle_s_;
  std::vector<Slot> slots_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<size_t> opened_{0}, closed_{0}, trickling_closed_{0};
  mutable std::mutex mutex_;
  double longest_trickle_s_ = 0, shortest_trickle_s_ = 1e9;
};

// User + system CPU seconds of a whole process so far.
double cpu_seconds(pid_t pid) {
  const std::string stat = slt::read_file("/proc/" + std::to_string(pid) + "/stat");
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));
  std::string skip;
  for (int i = 3; i < 14; ++i) fields >> skip;  // state .. cmajflt
  double utime = 0, stime = 0;
  fields >> utime >> stime;
  return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

size_t open_fds(pid_t pid) {
  size_t n = 0;
  DIR* d = opendir(("/proc/" + std::to_string(pid) + "/fd").c_str());
  if (!d) return 0;
  while (dirent* e = readdir(d)) n += e->d_name[0] != '.';
  closedir(d);
  return n;
}

// One GET /metrics with a client-side limit; the seconds it took, or -1 if
// it failed or was not a 200.
double timed_scrape(int port, double limit_s) {
  httplib::Client c("127.0.0.1", port);
  const auto limit = std::chrono::duration<double>(limit_s);
  c.set_connection_timeout(std::chrono::duration_cast<std::chrono::microseconds>(limit));
  c.set_read_timeout(std::chrono::duration_cast<std::chrono::microseconds>(limit));
  const double t0 = now_s();
  auto r = c.Get("/metrics");
  if (!r || r->status != 200 || r->body.find("# TYPE syscall_total counter") == std::string::npos) return -1;
  return now_s() - t0;
}

// The capability sets of every thread of a process: "" when all are empty,
// else the lines that are not.
std::string capabilities_left(pid_t pid) {
  std::string left;
  const std::string tasks = "/proc/" + std::to_string(pid) + "/task";
  DIR* d = opendir(tasks.c_str());
  REQUIRE(d);
  size_t threads = 0;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    ++threads;
    std::istringstream status(slt::read_file(tasks + "/" + e->d_name + "/status"));
    for (std::string line; std::getline(status, line);)
      if (line.rfind("Cap", 0) == 0 && line.find_first_not_of("0\t", line.find(':') + 1) != std::string::npos)
        left += std::string("task ") + e->d_name + ": " + line + "\n";
  }
  closedir(d);
  CHECK(threads == 1);  // the HTTP server is served from the daemon's one event loop
  return left;
}

// Prometheus's view of the last window_s seconds of scrapes: every one up,
// none slower than a second (its scrape timeout is its 1 s interval, so a
// slower one would be a failed one).
struct ScrapeRecord {
  double scrapes = 0, worst_up = -1, slowest = -1;
};
ScrapeRecord scrape_record(const Prometheus& prom, int window_s) {
  const std::string range = "{job=\"syslat\"}[" + std::to_string(window_s) + "s])";
  return {prom.value("count_over_time(up" + range), prom.value("min_over_time(up" + range),
          prom.value("max_over_time(scrape_duration_seconds" + range)};
}

void check_scrapes(const ScrapeRecord& r, int window_s) {
  CHECK(r.scrapes >= window_s - 3);
  CHECK(r.worst_up == 1);
  CHECK(r.slowest >= 0);
  CHECK(r.slowest < 1.0);
}

}  // namespace

TEST_CASE("syslatd: Prometheus scrapes within 1 s while 8 clients trickle requests and 1000 sit idle", "[privileged]") {
  raise_own_fd_limit();
  Syslatd daemon;
  Prometheus prom(daemon.port);
  REQUIRE(prom.wait_value("up{job=\"syslat\"}", [](double v) { return v == 1; }, 20) == 1);

  // Eight clients that send a byte of their request every 3 s, for 13 s: each
  // is cut at the whole-request deadline (5 s), however regularly its bytes come.
  Attackers trickling(daemon.port, 0, 8, 3.0);
  std::this_thread::sleep_for(std::chrono::seconds(13));
  const ScrapeRecord with_trickling = scrape_record(prom, 12);
  const std::string trickled = fmt::format(
      "8 trickling: {} scrapes in 12 s, min up {}, slowest {:.4f} s; {} trickling connections cut, after {:.2f} .. {:.2f} s",
      with_trickling.scrapes, with_trickling.worst_up, with_trickling.slowest, trickling.trickling_closed(),
      trickling.shortest_trickle_s(), trickling.longest_trickle_s());
  INFO(trickled);
  WARN(trickled);  // the numbers, on success too
  check_scrapes(with_trickling, 12);
  CHECK(trickling.trickling_closed() >= 8);
  CHECK(trickling.shortest_trickle_s() > 4.5);
  CHECK(trickling.longest_trickle_s() < 6.5);

  // And a thousand idle ones on top, opened again a second after syslatd
  // closes them: more than its 256 connections, all the time.
  Attackers idle(daemon.port, 1000, 0, 0);
  const double deadline = now_s() + 10;
  while (idle.opened() < 1000 && now_s() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  REQUIRE(idle.opened() >= 1000);
  const double cpu0 = cpu_seconds(daemon.pid());
  std::this_thread::sleep_for(std::chrono::seconds(16));
  const double cpu = cpu_seconds(daemon.pid()) - cpu0;
  const ScrapeRecord with_idle = scrape_record(prom, 15);
  const std::string measured = fmt::format(
      "+1000 idle: {} scrapes in 15 s, min up {}, slowest {:.4f} s; {} idle connections made, {} closed by syslatd; "
      "syslatd used {:.2f} s CPU in 16 s",
      with_idle.scrapes, with_idle.worst_up, with_idle.slowest, idle.opened(), idle.closed(), cpu);
  INFO(measured);
  WARN(measured);
  check_scrapes(with_idle, 15);
  CHECK(daemon.process->running());
}

TEST_CASE("syslatd: with its fd limit used up by idle clients it still answers at once and does not spin", "[privileged]") {
  raise_own_fd_limit();
  Syslatd daemon;
  const pid_t pid = daemon.pid();
  // Room for 20 connections more than it holds now.
  const size_t base = open_fds(pid);
  const rlimit low{base + 20, base + 20};
  REQUIRE(prlimit(pid, RLIMIT_NOFILE, &low, nullptr) == 0);

  std::vector<int> idle;
  for (int i = 0; i < 200; ++i) idle.push_back(connect_nonblocking(daemon.port));
  // It has taken connections up to its limit: the next accept fails. While
  // the backlog drains, each accept gives up the spare fd and an idle
  // client for a moment, so the count is judged once it has settled: at the
  // limit in 10 samples in a row.
  const double deadline = now_s() + 5;
  int settled = 0;
  while (settled < 10 && now_s() < deadline) {
    settled = open_fds(pid) == base + 20 ? settled + 1 : 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(settled == 10);

  const double cpu0 = cpu_seconds(pid);
  const double t0 = now_s();
  std::vector<double> took;
  for (int i = 0; i < 3; ++i) {
    took.push_back(timed_scrape(daemon.port, 2.0));
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  // Idle clients that are closed come back at once: the limit stays used up.
  for (int& fd : idle) {
    char c;
    if (recv(fd, &c, 1, MSG_DONTWAIT) == 0) {
      close(fd);
      fd = connect_nonblocking(daemon.port);
    }
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  const double cpu = cpu_seconds(pid) - cpu0;
  const double wall = now_s() - t0;
  const std::string measured = fmt::format("scrapes took {:.4f}, {:.4f}, {:.4f} s; {:.2f} s CPU in {:.2f} s", took[0],
                                           took[1], took[2], cpu, wall);
  INFO(measured);
  WARN(measured);
  for (double t : took) {
    CHECK(t >= 0);
    CHECK(t < 1.0);
  }
  CHECK(cpu < 0.1 * wall);
  CHECK(daemon.process->running());
  for (int fd : idle) close(fd);
}

TEST_CASE("syslatd: no capability once attached, and -P polls, a re-applied cgroup filter and the detach at exit work without one", "[privileged]") {
  // LeakSanitizer cannot run in a process that strace holds (below): it
  // would fail syslatd's exit. ASan's other checks stay on.
  add_sanitizer_option("ASAN_OPTIONS", "detect_leaks=0");
  slt::TestCgroup cgroup("syslat-test-" + std::to_string(getpid()) + "-caps.service");
  const std::string root = cgroup.path().substr(0, cgroup.path().rfind('/'));
  slt::Background workload({slt::workload("wl_loop"), "getppid", "50", "10"});
  cgroup.add(workload.pid());
  Syslatd daemon({"-P", "-c", cgroup.path()});
  const pid_t pid = daemon.pid();
  {
    const std::string left = capabilities_left(pid);
    INFO(left);
    CHECK(left.empty());
  }
  const slt::BpfIds held = slt::bpf_ids_of(pid);
  REQUIRE(!held.links.empty());

  // Every bpf() call syslatd makes from now on, and how it ended.
  slt::TempDir dir;
  slt::Background strace({"strace", "-f", "-qq", "-e", "trace=bpf", "-o", dir.file("bpf.log"), "-p", std::to_string(pid)});
  const std::string getppid = "syscall_total{syscall=\"getppid\",pid=\"" + std::to_string(workload.pid()) + "\",comm=\"wl_loop\"}";
  const auto wait_growth = [&](double from) {
    double v = -1;
    for (const double end = now_s() + 10; now_s() < end; std::this_thread::sleep_for(std::chrono::milliseconds(200)))
      if ((v = sample_value(daemon.scrape(), getppid)) > from) break;
    return v;
  };
  const double before = wait_growth(0);
  CHECK(before > 0);

  // The cgroup made again, as a unit restart does: the filter is re-applied.
  std::ofstream(root + "/cgroup.procs") << workload.pid() << '\n';
  for (int i = 0; i < 100 && rmdir(cgroup.path().c_str()) != 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  REQUIRE(mkdir(cgroup.path().c_str(), 0755) == 0);
  cgroup.add(workload.pid());
  REQUIRE(daemon.process->wait_for_stderr("syslatd: -c " + cgroup.path() + ": the cgroup is back", 5));
  const double stalled = sample_value(daemon.scrape(), getppid);
  CHECK(wait_growth(stalled) > stalled);

  daemon.process->signal(SIGTERM);
  const auto end = daemon.process->wait(15);
  INFO(end.err);
  CHECK(end.status == 0);
  strace.wait(10);
  const std::string log = slt::read_file(dir.file("bpf.log"));
  INFO(log);
  CHECK(log.find("BPF_MAP_LOOKUP_BATCH") != std::string::npos);    // -P's process table
  CHECK(log.find("BPF_OBJ_GET_INFO_BY_FD") != std::string::npos);  // the programs' recursion misses
  CHECK(log.find("BPF_MAP_UPDATE_ELEM") != std::string::npos);     // the cgroup re-applied
  CHECK(log.find("EPERM") == std::string::npos);
  CHECK(log.find("EACCES") == std::string::npos);
  // The programs went with it: detaching needed no capability either.
  CHECK(slt::bpf_left_behind(held) == "");
}
