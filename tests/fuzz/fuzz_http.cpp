// libFuzzer: syslatd's HTTP server (cli::MetricsServer on cpp-httplib) as it
// ships, fed the input as the raw bytes of one request over a loopback
// connection. Invariants: a request answered at once gets a well-formed
// HTTP/1.1 reply (status line, headers, blank line) with a status the server
// legitimately sends, never a 5xx nor a hang; GET /metrics (200) carries the
// metrics body exactly.
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

#include "cli/http_server.h"

namespace {

const std::string kBody = "# HELP syslat_syscalls_total Calls.\n# TYPE syslat_syscalls_total counter\n"
                          "syslat_syscalls_total{syscall=\"read\"} 42\n";

[[noreturn]] void fail(const char* why, std::string_view request, std::string_view reply) {
  std::fprintf(stderr, "fuzz_http: %s\n--- request (%zu bytes)\n%.*s\n--- reply (%zu bytes)\n%.*s\n", why,
               request.size(), static_cast<int>(request.size()), request.data(), reply.size(),
               static_cast<int>(reply.size()), reply.data());
  __builtin_trap();
}

// The port the server was bound to: MetricsServer binds 127.0.0.1:0 to an
// ephemeral port and does not say which; its listening socket does.
int listening_port() {
  for (int fd = 3; fd < 1024; ++fd) {
    int listening = 0;
    socklen_t len = sizeof listening;
    sockaddr_in addr{};
    socklen_t addr_len = sizeof addr;
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) == 0 && listening &&
        getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &addr_len) == 0 && addr.sin_family == AF_INET)
      return ntohs(addr.sin_port);
  }
  return 0;
}

struct Server {
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
    port = listening_port();
    if (port == 0) std::abort();
    server->start();
  }
};

// One connection: the request, then the whole reply. A request the server
// can answer is answered at once; for one it waits on (no blank line yet,
// a body still to come) we end sending after kWaitMs. cpp-httplib then
// sends nothing (it writes to no client whose side is closed), so the reply
// is empty or, if that end came while it was writing, cut short. On a
// loaded machine more replies are cut: fewer checked, none wrongly failed.
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
  timeval timeout{10, 0};  // the server's own read timeout is 5 s
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    std::perror("fuzz_http: connect");
    std::abort();
  }
  // The server may answer (414, 413) and close before reading it all.
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

void check(std::string_view request, const Reply& got) {
  static const std::set<int> kStatuses = {200, 206, 400, 404, 405, 413, 414, 416, 417, 431};
  std::string_view reply = got.text;
  if (reply.empty()) {
    if (!got.cut && !request.empty()) fail("no reply", request, reply);
    return;
  }
  // "Expect: 100-continue" gets an interim "HTTP/1.1 100 Continue" first.
  constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
  if (reply.starts_with(kContinue)) reply.remove_prefix(kContinue.size());
  if (got.cut && reply.empty()) return;
  if (!reply.starts_with("HTTP/1.1 ") || reply.size() < 13 || reply[12] != ' ')
    fail("malformed status line", request, reply);
  const int status = std::atoi(std::string(reply.substr(9, 3)).c_str());
  if (!kStatuses.contains(status)) fail("unexpected status", request, reply);
  const size_t head_end = reply.find("\r\n\r\n");
  if (got.cut) return;  // the rest may be missing
  if (head_end == std::string_view::npos) fail("reply without the blank line after its headers", request, reply);
  if (status == 200 && request.starts_with("GET /metrics HTTP/1.1\r\n") && reply.substr(head_end + 4) != kBody)
    fail("GET /metrics without the metrics body", request, reply);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  static Server server;
  // The server answers the scrape it exists for before any fuzzing.
  const std::string scrape = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
  const Reply reply = round_trip(server.port, scrape, 5000);
  if (!reply.text.starts_with("HTTP/1.1 200 ") || !reply.text.ends_with("\r\n\r\n" + kBody))
    fail("no scrape", scrape, reply.text);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const int port = listening_port();
  const std::string_view request(reinterpret_cast<const char*>(data), size);
  check(request, round_trip(port, request));
  return 0;
}
