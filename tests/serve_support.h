// Helpers shared by the syslatd tests: a syslatd on a free loopback port, a
// real Prometheus scraping it, raw TCP clients for requests no HTTP client
// would send, and a scrape's values.
#pragma once

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <httplib.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "test_support.h"

namespace serve_test {

inline const std::string kSyslatd = std::string(SYSLAT_BUILD_DIR) + "/syslatd";
inline const std::string kDeploy = std::string(SYSLAT_SOURCE_DIR) + "/deploy";
inline constexpr const char* kPrometheus = "/usr/bin/prometheus";
inline constexpr const char* kPromtool = "/usr/bin/promtool";

inline double now_s() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

inline sockaddr_in loopback(int port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

// A loopback port nobody listens on (the kernel's choice, released again).
inline int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a = loopback(0);
  socklen_t len = sizeof(a);
  REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

// A raw TCP connection, for requests no HTTP client would send.
class RawClient {
 public:
  explicit RawClient(int port) : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    const sockaddr_in a = loopback(port);
    REQUIRE(connect(fd_, reinterpret_cast<const sockaddr*>(&a), sizeof(a)) == 0);
    timeval tv{10, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  }
  ~RawClient() { close(fd_); }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;
  void send_text(const std::string& s) { (void)::send(fd_, s.data(), s.size(), MSG_NOSIGNAL); }
  // Everything until the server closes (or 10 s pass).
  std::string receive_all() {
    std::string out;
    char buf[4096];
    for (ssize_t n; (n = recv(fd_, buf, sizeof(buf), 0)) > 0;) out.append(buf, static_cast<size_t>(n));
    return out;
  }

 private:
  int fd_;
};

// "HTTP/1.1 405 Method Not Allowed" -> 405; 0 if no status line.
inline int status_of(const std::string& response) {
  std::smatch m;
  return std::regex_search(response, m, std::regex(R"(^HTTP/1\.[01] (\d{3}))")) ? std::stoi(m[1]) : 0;
}

// The value of the sample line `series` (name and labels exactly as
// rendered) in a scrape, or -1 if there is none.
inline double sample_value(const std::string& scrape, const std::string& series) {
  std::istringstream in(scrape);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  return -1;
}

struct Syslatd {
  int port = free_port();
  std::unique_ptr<slt::Background> process;
  explicit Syslatd(std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {kSyslatd, "--listen", "127.0.0.1:" + std::to_string(port)};
    argv.insert(argv.end(), extra.begin(), extra.end());
    process = std::make_unique<slt::Background>(argv);
    INFO(process->stderr_text());
    REQUIRE(process->wait_for_stderr("syslatd: serving http://127.0.0.1:" + std::to_string(port) + "/metrics", 15));
  }
  pid_t pid() const { return process->pid(); }
  std::string scrape() const {
    httplib::Client c("127.0.0.1", port);
    auto r = c.Get("/metrics");
    REQUIRE(r);
    REQUIRE(r->status == 200);
    return r->body;
  }
};

// A Prometheus of its own: loopback, a temporary data dir, 1 s scrapes (and
// so a 1 s scrape timeout) of syslatd, our alert rules evaluated every second.
struct Prometheus {
  slt::TempDir dir;
  int port = free_port();
  std::unique_ptr<slt::Background> process;
  explicit Prometheus(int target_port) {
    REQUIRE(access(kPrometheus, X_OK) == 0);  // scripts/setup.sh installs it: its absence is a failure
    std::ofstream(dir.file("prometheus.yml")) << "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                                              << "rule_files:\n  - " << kDeploy << "/prometheus/alerts.yml\n"
                                              << "scrape_configs:\n  - job_name: syslat\n    static_configs:\n"
                                              << "      - targets: ['127.0.0.1:" << target_port << "']\n";
    process = std::make_unique<slt::Background>(std::vector<std::string>{
        kPrometheus, "--config.file=" + dir.file("prometheus.yml"), "--storage.tsdb.path=" + dir.file("data"),
        "--web.listen-address=127.0.0.1:" + std::to_string(port), "--log.level=warn"});
    httplib::Client c("127.0.0.1", port);
    const double deadline = now_s() + 20;
    for (;;) {
      if (auto r = c.Get("/-/ready"); r && r->status == 200) break;
      INFO(process->stderr_text());
      REQUIRE(process->running());
      REQUIRE(now_s() < deadline);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  nlohmann::json get(const std::string& path, const httplib::Params& params = {}) const {
    httplib::Client c("127.0.0.1", port);
    auto r = c.Get(path, params, httplib::Headers{});
    REQUIRE(r);
    INFO(path << " -> " << r->status << ": " << r->body);
    auto j = nlohmann::json::parse(r->body);
    return j;
  }
  nlohmann::json query(const std::string& promql) const { return get("/api/v1/query", {{"query", promql}}); }
  // The single value of an instant query, or -1 if it has none.
  double value(const std::string& promql) const {
    const auto j = query(promql);
    if (j.value("status", "") != "success" || j["data"]["result"].empty()) return -1;
    return std::stod(j["data"]["result"][0]["value"][1].get<std::string>());
  }
  // Waits (up to timeout_s) until value(promql) satisfies ok; returns the last value.
  template <class Ok>
  double wait_value(const std::string& promql, Ok ok, double timeout_s = 15) const {
    const double deadline = now_s() + timeout_s;
    double v = value(promql);
    while (!ok(v) && now_s() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
      v = value(promql);
    }
    return v;
  }
};

inline slt::RunResult sh(const std::string& command, double timeout_s = 30) {
  return slt::run({"/bin/sh", "-c", command}, timeout_s);
}

}  // namespace serve_test
