// libFuzzer: syslatd's HTTP server (cli::MetricsServer, its connections and
// the request-head parser) as it ships, fed the input as the raw bytes of one
// request over a loopback connection. Invariants: a request answered at once
// gets a well-formed HTTP/1.1 reply (status line, headers, blank line) with a
// status the server legitimately sends, never a 5xx nor a hang; GET /metrics
// (200) carries the metrics body exactly, and every reply says how long its
// body is.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cerrno>
#include <cstdlib>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <thread>

#include "cli/http_server.h"
#include "util/event_loop.h"

namespace {

const std::string kBody = "# HELP syslat_syscalls_total Calls.\n# TYPE syslat_syscalls_total counter\n"
                          "syslat_syscalls_total{syscall=\"read\"} 42\n";

[[noreturn]] void fail(const char* why, std::string_view request, std::string_view reply) {
  std::fprintf(stderr, "fuzz_http: %s\n--- request (%zu bytes)\n%.*s\n--- reply (%zu bytes)\n%.*s\n", why,
               request.size(), static_cast<int>(request.size()), request.data(), reply.size(),
               static_cast<int>(reply.size()), reply.data());
  __builtin_trap();
}

// The server on an event loop of its own, run by a thread for the whole
// fuzzing process (syslatd runs the same loop in its only thread).
struct Server {
  std::unique_ptr<syslat::util::EventLoop> loop;
  std::unique_ptr<syslat::cli::MetricsServer> server;
  int port = 0;

  Server() {
    auto body = std::make_shared<const std::string>(kBody);
    auto bound = syslat::cli::MetricsServer::bind({"127.0.0.1", 0, false}, [body] { return body; });
    if (!bound) {
      std::fprintf(stderr, "fuzz_http: %s\n", bound.error().message.c_str());
      std::abort();
    }
    server = std::move(*bound);
    port = server->port();
    if (port == 0) std::abort();
    auto made = syslat::util::EventLoop::create();
    if (!made || !server->serve_on(**made)) std::abort();
    loop = std::move(*made);
    std::thread([this] { loop->run(); }).detach();
  }
};

// One connection: the request, then the whole reply. A request the server
// can answer is answered at once; for one it waits on (no blank line yet)
// we end sending after kWaitMs. The server then closes without a reply (a
// client that went before its request was whole), so the reply is empty or,
// if that end came while it was writing, whole. On a loaded machine more
// replies are cut: fewer checked, none wrongly failed.
struct Reply {
  std::string text;
  bool cut = false;  // we ended sending before the reply came
};

constexpr int kWaitMs = 10;

Reply round_trip(int port, std::string_view request, int wait_ms = kWaitMs) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) std::abort();
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval timeout{10, 0};  // the server's own deadline per request is 5 s
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    std::perror("fuzz_http: connect");
    std::abort();
  }
  // The server may answer (400, 414, 431) and close before reading it all.
  for (size_t sent = 0; sent < request.size();) {
    const ssize_t n = send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  Reply reply;
  pollfd p{fd, POLLIN, 0};
  if (poll(&p, 1, wait_ms) == 0) {
    shutdown(fd, SHUT_WR);
    reply.cut = true;
  }
  char buf[4096];
  for (;;) {
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) fail("no end of reply within 10 s", request, reply.text);
    if (n <= 0) break;
    reply.text.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return reply;
}

// The value of a header field in a reply's head ("" if it has none).
std::string_view field(std::string_view head, std::string_view name) {
  const std::string key = "\r\n" + std::string(name) + ": ";
  const size_t at = head.find(key);
  if (at == std::string_view::npos) return {};
  const size_t from = at + key.size();
  return head.substr(from, head.find("\r\n", from) - from);
}

void check(std::string_view request, const Reply& got) {
  static const std::set<int> kStatuses = {200, 400, 404, 405, 414, 431};
  std::string_view reply = got.text;
  if (reply.empty()) {
    if (!got.cut && !request.empty()) fail("no reply", request, reply);
    return;
  }
  if (!reply.starts_with("HTTP/1.1 ") || reply.size() < 13 || reply[12] != ' ')
    fail("malformed status line", request, reply);
  const int status = std::atoi(std::string(reply.substr(9, 3)).c_str());
  if (!kStatuses.contains(status)) fail("unexpected status", request, reply);
  const size_t head_end = reply.find("\r\n\r\n");
  if (head_end == std::string_view::npos) fail("reply without the blank line after its headers", request, reply);
  const std::string_view head = reply.substr(0, head_end + 2);
  const std::string_view body = reply.substr(head_end + 4);
  if (field(head, "Connection") != "close") fail("reply without Connection: close", request, reply);
  const std::string length(field(head, "Content-Length"));
  if (length.empty()) fail("reply without Content-Length", request, reply);
  // HEAD: the length of the body a GET would get, and no body; but a
  // request line too broken to tell the method gets its 400 (414, 431)
  // with the body.
  const bool head_request = request.starts_with("HEAD ");
  const bool bad_request = status == 400 || status == 414 || status == 431;
  if ((!head_request || !body.empty()) && std::to_string(body.size()) != length)
    fail("body of another length than said", request, reply);
  if (head_request && !bad_request && !body.empty()) fail("a body in reply to HEAD", request, reply);
  if (status == 405 && field(head, "Allow") != "GET, HEAD") fail("405 without Allow: GET, HEAD", request, reply);
  if (status == 200 && request.starts_with("GET /metrics HTTP/1.1\r\n") && body != kBody)
    fail("GET /metrics without the metrics body", request, reply);
}

// Never destroyed: its loop's thread runs until the process ends, and a
// static destructor would free the server under it.
Server& server() {
  static Server* s = new Server;
  return *s;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // The server answers the scrape it exists for before any fuzzing.
  const std::string scrape = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
  const Reply reply = round_trip(server().port, scrape, 5000);
  if (!reply.text.starts_with("HTTP/1.1 200 ") || !reply.text.ends_with("\r\n\r\n" + kBody))
    fail("no scrape", scrape, reply.text);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view request(reinterpret_cast<const char*>(data), size);
  check(request, round_trip(server().port, request));
  return 0;
}
