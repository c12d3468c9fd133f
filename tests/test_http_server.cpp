// syslatd's HTTP server in this process, on a loopback port of the kernel's
// choice: what it answers, and how it holds up when clients sit on
// connections or the process runs out of fds.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cli/http_server.h"
#include "export/prometheus.h"
#include "util/event_loop.h"
#include "util/fd.h"

using syslat::cli::MetricsServer;

namespace {

const std::string kBody = "# HELP x_total X.\n# TYPE x_total counter\nx_total 1\n";

// The server on an event loop of its own, in a thread of the test (syslatd
// serves from its main loop): the test's blocking clients cannot hold it up.
class ServedServer {
 public:
  explicit ServedServer(std::string body) {
    auto loop = syslat::util::EventLoop::create();
    REQUIRE(loop);
    loop_ = std::move(*loop);
    auto text = std::make_shared<const std::string>(std::move(body));
    auto server = MetricsServer::bind({"127.0.0.1", 0, false}, [text] { return text; });
    REQUIRE(server);
    server_ = std::move(*server);
    REQUIRE(server_->serve_on(*loop_));
    quit_.reset(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    REQUIRE(quit_);
    REQUIRE(loop_->watch(quit_.get(), [this](uint32_t) {
      server_->stop();
      loop_->quit();
    }));
    thread_ = std::thread([this] { loop_->run(); });
  }
  ~ServedServer() {
    const uint64_t one = 1;
    (void)!write(quit_.get(), &one, sizeof one);
    thread_.join();
  }
  int port() const { return server_->port(); }
  std::string url() const { return server_->url(); }

 private:
  std::unique_ptr<syslat::util::EventLoop> loop_;
  std::unique_ptr<MetricsServer> server_;
  syslat::util::UniqueFd quit_;
  std::thread thread_;
};

std::unique_ptr<ServedServer> started_server(std::string body = kBody) {
  return std::make_unique<ServedServer>(std::move(body));
}

double now_s() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

// A connected socket (blocking, 5 s receive timeout), or -1.
int connect_to(int port, bool blocking = true) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | (blocking ? 0 : SOCK_NONBLOCK), 0);
  if (fd < 0) return -1;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0 && errno != EINPROGRESS) {
    close(fd);
    return -1;
  }
  return fd;
}

std::string receive_all(int fd) {
  std::string out;
  char buf[65536];
  for (ssize_t n; (n = recv(fd, buf, sizeof buf, 0)) > 0;) out.append(buf, static_cast<size_t>(n));
  return out;
}

// One request on a connection of its own; the whole reply.
std::string round_trip(int port, const std::string& request) {
  const int fd = connect_to(port);
  REQUIRE(fd >= 0);
  REQUIRE(send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size()));
  std::string reply = receive_all(fd);
  close(fd);
  return reply;
}

int status_of(const std::string& reply) { return reply.size() > 12 ? std::stoi(reply.substr(9, 3)) : 0; }
std::string body_of(const std::string& reply) {
  const size_t end = reply.find("\r\n\r\n");
  return end == std::string::npos ? "" : reply.substr(end + 4);
}
bool has_field(const std::string& reply, const std::string& field) {
  return reply.substr(0, reply.find("\r\n\r\n") + 2).find("\r\n" + field + "\r\n") != std::string::npos;
}

// True if the server closed this connection (EOF or reset) within timeout_s.
bool closed_by_server(int fd, double timeout_s) {
  pollfd p{fd, POLLIN, 0};
  if (poll(&p, 1, static_cast<int>(timeout_s * 1000)) != 1) return false;
  char c;
  return recv(fd, &c, 1, MSG_DONTWAIT) <= 0;
}

}  // namespace

TEST_CASE("http server: GET and HEAD of /metrics and /, 405, 404 and 400 otherwise, one request per connection", "[http]") {
  const auto server = started_server();
  const int port = server->port();
  CHECK(port > 0);
  CHECK(server->url() == "http://127.0.0.1:" + std::to_string(port) + "/metrics");

  const std::string get = round_trip(port, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(status_of(get) == 200);
  CHECK(body_of(get) == kBody);
  CHECK(has_field(get, std::string("Content-Type: ") + syslat::exporter::kPrometheusContentType));
  CHECK(has_field(get, "Content-Length: " + std::to_string(kBody.size())));
  CHECK(has_field(get, "Connection: close"));
  const std::string head = round_trip(port, "HEAD /metrics HTTP/1.0\r\n\r\n");
  CHECK(status_of(head) == 200);
  CHECK(has_field(head, "Content-Length: " + std::to_string(kBody.size())));
  CHECK(body_of(head).empty());
  CHECK(body_of(round_trip(port, "GET / HTTP/1.1\r\n\r\n")).find("href=\"/metrics\"") != std::string::npos);
  CHECK(status_of(round_trip(port, "GET /metrics?x=1 HTTP/1.1\r\n\r\n")) == 200);

  const std::string post = round_trip(port, "POST /metrics HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc");
  CHECK(status_of(post) == 405);
  CHECK(has_field(post, "Allow: GET, HEAD"));
  CHECK(status_of(round_trip(port, "DELETE / HTTP/1.1\r\n\r\n")) == 405);
  CHECK(status_of(round_trip(port, "GET /nope HTTP/1.1\r\n\r\n")) == 404);
  CHECK(body_of(round_trip(port, "HEAD /nope HTTP/1.1\r\n\r\n")).empty());
  CHECK(status_of(round_trip(port, "BREW /metrics HTTP/1.1\r\n\r\n")) == 400);
  CHECK(status_of(round_trip(port, "GET /metrics HTTP/1.1\r\nbad\r\n\r\n")) == 400);
  CHECK(status_of(round_trip(port, "GET /metrics HTTP/1.1\r\nX: " + std::string(20000, 'a') + "\r\n\r\n")) == 431);
  // Keep-alive asked for, one reply and the connection closes all the same.
  const std::string two = "GET /metrics HTTP/1.1\r\nConnection: keep-alive\r\n\r\n";
  const std::string reply = round_trip(port, two + two);
  CHECK(status_of(reply) == 200);
  CHECK(body_of(reply) == kBody);
}

TEST_CASE("http server: a body of megabytes reaches a client that reads it slowly", "[http]") {
  std::string big;
  while (big.size() < (8u << 20)) big += "syscall_total{syscall=\"read\"} 12345678901234567890\n";
  const auto server = started_server(big);
  const int fd = connect_to(server->port());
  const std::string get = "GET /metrics HTTP/1.1\r\n\r\n";
  REQUIRE(send(fd, get.data(), get.size(), MSG_NOSIGNAL) > 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the server's writes block meanwhile
  const std::string reply = receive_all(fd);
  close(fd);
  CHECK(status_of(reply) == 200);
  CHECK(body_of(reply) == big);
}

TEST_CASE("http server: a thousand idle connections cost the oldest idle ones their place, never a request", "[http]") {
  rlimit r{};
  getrlimit(RLIMIT_NOFILE, &r);
  r.rlim_cur = r.rlim_max;
  setrlimit(RLIMIT_NOFILE, &r);
  REQUIRE(r.rlim_cur > 2200);  // both ends of a thousand connections, and the server's
  const auto server = started_server();
  const int port = server->port();
  std::vector<int> idle;
  for (int i = 0; i < 1000; ++i) idle.push_back(connect_to(port, false));
  // Taken in as they come: the oldest are closed to make room.
  const double deadline = now_s() + 5;
  while (!closed_by_server(idle.front(), 0.05) && now_s() < deadline) {
  }
  CHECK(closed_by_server(idle.front(), 0));
  const double t0 = now_s();
  const std::string reply = round_trip(port, "GET /metrics HTTP/1.1\r\n\r\n");
  CHECK(now_s() - t0 < 1.0);
  CHECK(body_of(reply) == kBody);
  CHECK_FALSE(closed_by_server(idle.back(), 0.1));  // the newest idle one is still open
  for (int fd : idle) close(fd);
}

TEST_CASE("http server: out of fds with nothing to close, waiting connections are let go at once, without spinning", "[http]") {
  const auto server = started_server();
  const int port = server->port();
  // The clients' sockets exist before the limit comes down to what is open.
  std::vector<int> clients;
  for (int i = 0; i < 20; ++i) clients.push_back(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  rlimit saved{};
  getrlimit(RLIMIT_NOFILE, &saved);
  std::vector<int> fillers;  // every fd number below the new limit taken
  const rlimit low{static_cast<rlim_t>(clients.back() + 8), saved.rlim_max};
  REQUIRE(setrlimit(RLIMIT_NOFILE, &low) == 0);
  for (int fd; (fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0;) fillers.push_back(fd);

  rusage before{};
  getrusage(RUSAGE_SELF, &before);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (int fd : clients) REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0);
  size_t let_go = 0;
  for (int fd : clients) let_go += closed_by_server(fd, 1.0);
  std::this_thread::sleep_for(std::chrono::seconds(1));
  rusage after{};
  getrusage(RUSAGE_SELF, &after);
  const auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  const double cpu = seconds(after.ru_utime) - seconds(before.ru_utime) + seconds(after.ru_stime) - seconds(before.ru_stime);

  for (int fd : fillers) close(fd);
  REQUIRE(setrlimit(RLIMIT_NOFILE, &saved) == 0);
  for (int fd : clients) close(fd);
  INFO(let_go << " of 20 let go; " << cpu << " s CPU");
  CHECK(let_go == 20);
  CHECK(cpu < 0.2);
  // With fds again, it serves as before.
  CHECK(body_of(round_trip(port, "GET /metrics HTTP/1.1\r\n\r\n")) == kBody);
}
