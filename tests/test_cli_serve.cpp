// syslatd: a real Prometheus scrapes it while a workload runs; its dashboard
// and alert expressions evaluate there; promtool checks the scrape and the
// rules; bad requests and stalled clients do not stop a scrape.
#include <catch2/catch.hpp>

#include <signal.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <thread>

#include "serve_support.h"

using namespace serve_test;

namespace {

// Every "expr" in the dashboard (or in its panels titled `title`), with
// Grafana's variables made concrete.
std::vector<std::string> dashboard_exprs(const std::string& instance, const std::string& title = "") {
  std::vector<std::string> out;
  const auto dash = nlohmann::json::parse(slt::read_file(kDeploy + "/grafana/syslat.json"));
  for (const auto& panel : dash.at("panels"))
    for (const auto& target : panel.value("targets", nlohmann::json::array())) {
      if (!title.empty() && panel.value("title", "") != title) continue;
      std::string e = target.at("expr");
      for (const auto& [var, val] : {std::pair{"$__rate_interval", "1m"}, {"$__interval", "15s"}, {"$__range", "5m"},
                                     {"$instance", instance.c_str()}, {"$syscall", ".+"}})
        for (size_t at; (at = e.find(var)) != std::string::npos;) e.replace(at, std::string(var).size(), val);
      out.push_back(e);
    }
  return out;
}

}  // namespace

TEST_CASE("syslatd: Prometheus scrapes it: counts, a 2 ms sleep's median, dashboard and alert expressions", "[privileged]") {
  slt::TempDir dir;
  const std::string comm = slt::unique_comm("wlsrv");
  const std::string sleeper = slt::copy_executable(slt::workload("wl_sleep"), dir.file(comm));
  // Only the workload (by comm), per process: exact counts whatever else runs here.
  Syslatd daemon({"-n", comm, "-P"});
  Prometheus prom(daemon.port);
  const std::string instance = "127.0.0.1:" + std::to_string(daemon.port);

  // Prometheus applies its targets a few seconds after start: the workload
  // runs once syslatd has been scraped.
  REQUIRE(prom.wait_value("up{job=\"syslat\"}", [](double v) { return v == 1; }, 20) == 1);
  const auto run = slt::run({sleeper, "1500", "2000000"}, 60);  // 1500 x nanosleep(2 ms), about 3 s
  REQUIRE(run.status == 0);
  const std::string total = "sum(syscall_total{syscall=\"nanosleep\",comm=\"" + comm + "\"})";
  CHECK(prom.wait_value(total, [](double v) { return v >= 1500; }) == 1500);
  CHECK(prom.value("sum(syscall_total{syscall=\"write\",comm=\"" + comm + "\"})") == 1);  // its one report line
  const double median = prom.wait_value(
      "histogram_quantile(0.5, sum by (le) (increase(syscall_duration_seconds_bucket{syscall=\"nanosleep\"}[2m])))",
      [](double v) { return v > 0; });
  CHECK(median > 0.001);
  CHECK(median < 0.004);
  CHECK(prom.value("syslat_bpf_attached") == 1);
  CHECK(prom.value("count(syslat_build_info{backend=\"bpf\"})") == 1);

  {  // every dashboard expression evaluates without error
    const auto exprs = dashboard_exprs(instance);
    CHECK(exprs.size() >= 8);
    for (const auto& e : exprs) {
      INFO(e);
      const auto j = prom.query(e);
      CHECK(j.value("status", "") == "success");
    }
    // The stacked rate panel shows the workload's syscall.
    const auto rates = prom.query(exprs.front());
    CHECK(rates.dump().find("\"nanosleep\"") != std::string::npos);
    // "Where syscall time goes": one series per state, stacked; the
    // sleeper's time is asleep.
    const auto where = dashboard_exprs(instance, "Where syscall time goes ($syscall)");
    REQUIRE(where.size() == 1);
    const auto states = prom.query(where.front());
    INFO(states.dump());
    std::map<std::string, double> by_state;
    for (const auto& r : states["data"]["result"])
      by_state[r["metric"].value("state", "")] = std::stod(r["value"][1].get<std::string>());
    CHECK(by_state.size() == 4);
    for (const char* st : {"oncpu", "runq", "iowait", "sleep"}) CHECK(by_state.count(st) == 1);
    CHECK(by_state["sleep"] > 0);
    CHECK(by_state["sleep"] > 0.9 * (by_state["oncpu"] + by_state["runq"] + by_state["iowait"] + by_state["sleep"]));
  }

  {  // every alert rule is loaded, evaluated by Prometheus without error, and its expr queries cleanly
    nlohmann::json groups;
    const double deadline = now_s() + 10;
    bool all_evaluated = false;
    while (!all_evaluated && now_s() < deadline) {
      groups = prom.get("/api/v1/rules")["data"]["groups"];
      all_evaluated = !groups.empty();
      for (const auto& g : groups)
        for (const auto& r : g["rules"]) all_evaluated = all_evaluated && r.value("health", "") != "unknown";
      if (!all_evaluated) std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    REQUIRE(all_evaluated);
    size_t rules = 0;
    for (const auto& g : groups)
      for (const auto& r : g["rules"]) {
        ++rules;
        INFO(r.dump());
        CHECK(r.value("health", "") == "ok");
        CHECK(prom.query(r.at("query").get<std::string>()).value("status", "") == "success");
      }
    CHECK(rules == 5);
  }

  {  // promtool: the scrape is clean, the rules check and their unit tests pass
    std::ofstream(dir.file("scrape.txt")) << daemon.scrape();
    auto metrics = sh(std::string(kPromtool) + " check metrics < " + dir.file("scrape.txt"));
    INFO(metrics.out << metrics.err);
    CHECK(metrics.status == 0);
    auto check = slt::run({kPromtool, "check", "rules", kDeploy + "/prometheus/alerts.yml"});
    INFO(check.out << check.err);
    CHECK(check.status == 0);
    auto test = slt::run({kPromtool, "test", "rules", kDeploy + "/prometheus/alerts_test.yml"});
    INFO(test.out << test.err);
    CHECK(test.status == 0);
    auto config = slt::run({kPromtool, "check", "config", kDeploy + "/prometheus/scrape.yml"});
    INFO(config.out << config.err);
    CHECK(config.status == 0);
  }

  daemon.process->signal(SIGTERM);
  const auto end = daemon.process->wait(15);
  INFO(end.err);
  CHECK(end.status == 0);
  CHECK(end.err.find("syslatd: stopped") != std::string::npos);
}

TEST_CASE("syslatd: bad requests get 405, 404 or 400 or are dropped, and a stalled client does not stop a scrape", "[privileged]") {
  Syslatd daemon;
  const auto request = [&](const std::string& text) {
    RawClient c(daemon.port);
    c.send_text(text);
    return c.receive_all();
  };
  const std::string post = request("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc");
  CHECK(status_of(post) == 405);
  CHECK(post.find("Allow: GET, HEAD") != std::string::npos);
  CHECK(status_of(request("DELETE / HTTP/1.1\r\nHost: x\r\n\r\n")) == 405);
  CHECK(status_of(request("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n")) == 404);
  CHECK(status_of(request("BREW /metrics HTTP/1.1\r\nHost: x\r\n\r\n")) == 400);
  const std::string head = request("HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(status_of(head) == 200);
  CHECK(head.find("Content-Type: text/plain; version=0.0.4; charset=utf-8") != std::string::npos);
  CHECK(head.find("# TYPE") == std::string::npos);  // headers only
  // Asked for brotli or gzip, the text is sent as is: compressing each
  // scrape would cost more CPU than the whole exporter may use.
  const double t_br = now_s();
  const std::string plain = request("GET /metrics HTTP/1.1\r\nHost: x\r\nAccept-Encoding: br, gzip\r\n\r\n");
  CHECK(now_s() - t_br < 1.0);
  CHECK(status_of(plain) == 200);
  CHECK(plain.find("Content-Encoding") == std::string::npos);
  CHECK(plain.find("# TYPE syscall_total counter") != std::string::npos);
  const std::string index = request("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(status_of(index) == 200);
  CHECK(index.find("href=\"/metrics\"") != std::string::npos);
  // A 64 KiB header: refused (400/431) or the connection closed, never served.
  const int big = status_of(request("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(64 * 1024, 'a') + "\r\n\r\n"));
  CHECK((big == 400 || big == 431 || big == 0));

  // Half a request, then silence: others are still served at once.
  RawClient stalled(daemon.port);
  stalled.send_text("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Half: ");
  RawClient stalled2(daemon.port);  // and one that sends nothing
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const double t0 = now_s();
  const std::string body = daemon.scrape();
  CHECK(now_s() - t0 < 2.0);
  CHECK(body.find("# TYPE syscall_total counter") != std::string::npos);
  // The stalled one is dropped at the request deadline, without an answer.
  const double t1 = now_s();
  const std::string dropped = stalled.receive_all();
  CHECK(now_s() - t1 < 9.0);
  CHECK((dropped.empty() || status_of(dropped) == 400 || status_of(dropped) == 408));

  daemon.process->signal(SIGTERM);
  const auto end = daemon.process->wait(15);
  CHECK(end.status == 0);
}

TEST_CASE("syslatd: a port another syslatd holds exits 2 with one line", "[privileged][guest]") {
  // Bad --listen values and report-only options: tests/test_cli_badinput.cpp.
  Syslatd first;
  const std::string where = "127.0.0.1:" + std::to_string(first.port);
  const auto second = slt::check_rejected({kSyslatd, "--listen", where}, "--listen: cannot listen on " + where);
  INFO(second.describe());
  CHECK(second.problem == "");
  CHECK(second.run.err.find("in use") != std::string::npos);
}

namespace {

// The value of one sample line `NAME{LABELS} VALUE` of a scrape; -1 if absent.
double metric(const std::string& text, const std::string& series) {
  const size_t at = text.find("\n" + series + " ");
  return at == std::string::npos ? -1 : std::stod(text.substr(at + series.size() + 2));
}

}  // namespace

// Slow calls are counted per syscall in the kernel: every one, however many
// come at once (no ring buffer to overflow, nothing per call to userspace).
TEST_CASE("syslatd: syscall_slow_total counts every slow call of a flood exactly", "[privileged][guest]") {
  slt::TempDir dir;
  const std::string comm = slt::unique_comm("wlflood");
  const std::string bin = slt::copy_executable(slt::workload("wl_basic"), dir.file(comm));
  Syslatd d({"-n", comm, "-S", "getppid", "--threshold", "0ns"});
  const uint64_t n = 300000;
  d.process->signal(SIGSTOP);  // busy elsewhere while the flood comes
  REQUIRE(slt::run({bin, std::to_string(n), "0", "0"}).status == 0);
  d.process->signal(SIGCONT);
  std::string text;
  const double deadline = now_s() + 10;
  do {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    text = d.scrape();
  } while (metric(text, R"(syscall_total{syscall="getppid"})") < n && now_s() < deadline);
  INFO(text);
  CHECK(metric(text, R"(syscall_total{syscall="getppid"})") == n);
  CHECK(metric(text, R"(syscall_slow_total{syscall="getppid"})") == n);
  CHECK(text.find("syslat_events_lost_total{reason=\"ring_buffer\"} 0") != std::string::npos);
}

// Its own wait for the next poll (about a second) is no slow call of the machine.
TEST_CASE("syslatd leaves its own process out of what it counts", "[privileged]") {
  Syslatd d({"-n", "syslatd", "--threshold", "500ms"});
  std::this_thread::sleep_for(std::chrono::milliseconds(3500));
  const std::string text = d.scrape();
  INFO(text);
  CHECK(text.find("\nsyscall_total{") == std::string::npos);
  CHECK(text.find("\nsyscall_slow_total{") == std::string::npos);
}

// Each timed call's duration is split in the kernel into on CPU, runqueue,
// I/O wait and sleep, and the parts add up to it: per syscall, the four
// syscall_state_seconds_total series sum to syscall_duration_seconds_sum.
TEST_CASE("syslatd: syscall_state_seconds_total's four states add up to the duration sum, and a sleeper's time is sleep", "[privileged]") {
  slt::TempDir dir;
  const std::string comm = slt::unique_comm("wlstate");
  const std::string sleeper = slt::copy_executable(slt::workload("wl_sleep"), dir.file(comm));
  Syslatd d({"-n", comm});
  // Its start-up (execve's loader: mmap, openat, read...), 200 x nanosleep(2 ms), one write.
  REQUIRE(slt::run({sleeper, "200", "2000000"}, 30).status == 0);
  std::string text;
  const double deadline = now_s() + 10;
  do {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    text = d.scrape();
  } while ((metric(text, R"(syscall_total{syscall="nanosleep"})") < 200 || metric(text, R"(syscall_total{syscall="write"})") < 1) &&
           now_s() < deadline);
  INFO(text);
  REQUIRE(metric(text, R"(syscall_total{syscall="nanosleep"})") == 200);

  // Every syscall with a duration: the four states, and their sum.
  const std::regex sum_line(R"re(\nsyscall_duration_seconds_sum\{(syscall="[^"]*")\} (\S+))re");
  size_t syscalls = 0;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), sum_line); it != std::sregex_iterator(); ++it) {
    const std::string labels = (*it)[1];
    const double sum = std::stod((*it)[2]);
    INFO(labels << ": duration sum " << sum);
    double states = 0;
    for (const char* st : {"oncpu", "runq", "iowait", "sleep"}) {
      const double v = metric(text, "syscall_state_seconds_total{" + labels + ",state=\"" + st + "\"}");
      INFO(st);
      CHECK(v >= 0);
      states += v;
    }
    // Exact in ns; each value printed to the shortest text that reads back
    // as its double: a few units in the last place apart at most.
    CHECK(std::fabs(states - sum) <= 1e-12 + 1e-12 * sum);
    ++syscalls;
  }
  CHECK(syscalls >= 3);  // nanosleep, write and the loader's
  // 200 x 2 ms asleep: at least 0.4 s, nearly all of it sleep (woken by its
  // timer: waiting for the CPU after the wake-up counts as sleep too).
  const double sleep = metric(text, R"(syscall_state_seconds_total{syscall="nanosleep",state="sleep"})");
  const double total = metric(text, R"(syscall_duration_seconds_sum{syscall="nanosleep"})");
  CHECK(total >= 0.4);
  CHECK(sleep > 0.95 * total);
  CHECK(metric(text, R"(syscall_state_seconds_total{syscall="nanosleep",state="iowait"})") == 0);

  // promtool: the scrape with the new family is clean.
  std::ofstream(dir.file("scrape.txt")) << text;
  const auto check = sh(std::string(kPromtool) + " check metrics < " + dir.file("scrape.txt"));
  INFO(check.out << check.err);
  CHECK(check.status == 0);
}
