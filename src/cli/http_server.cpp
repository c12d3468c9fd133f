#include "cli/http_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <map>

#include "cli/http_connection.h"
#include "export/prometheus.h"
#include "util/fd.h"
#include "util/time.h"

namespace syslat::cli {
namespace {

// Prometheus needs one connection per scrape; a few more for people with curl.
constexpr size_t kMaxConnections = 256;
// From accept to the last byte of the reply. Prometheus's own scrape
// timeout is 10 s by default; a reply of a few MB takes far less than this.
constexpr uint64_t kRequestDeadlineNs = 5'000'000'000;
// Connections taken per wakeup, so that requests already accepted are read
// between bursts of new ones.
constexpr int kAcceptBatch = 32;
// Out of fds with nothing to close: how long the listener is left alone.
constexpr uint64_t kListenerPauseNs = 100'000'000;

// epoll keys: the listener; connections count up from kFirstConnection.
constexpr uint64_t kListenerKey = 0;
constexpr uint64_t kFirstConnection = 1;

constexpr const char* kIndexPage =
    "<html><head><title>syslatd</title></head><body>\n"
    "<h1>syslatd</h1><p>System call counts and latencies for Prometheus: <a href=\"/metrics\">/metrics</a></p>\n"
    "</body></html>\n";

const char* reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 414: return "URI Too Long";
    case 431: return "Request Header Fields Too Large";
    default: return "Error";
  }
}

// The reply's head; for HEAD, the body's length without the body.
HttpReply make_reply(int status, const char* content_type, std::shared_ptr<const std::string> body, bool head_only,
                     const char* extra_fields = "") {
  HttpReply r;
  r.head = fmt::format("HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n{}Connection: close\r\n\r\n",
                       status, reason_phrase(status), content_type, body->size(), extra_fields);
  if (!head_only) r.body = std::move(body);
  return r;
}

HttpReply text_reply(int status, const char* text, bool head_only, const char* extra_fields = "") {
  return make_reply(status, "text/plain; charset=utf-8", std::make_shared<const std::string>(text), head_only,
                    extra_fields);
}

bool would_block() { return errno == EAGAIN || errno == EWOULDBLOCK; }
bool out_of_fds() { return errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM; }

util::UniqueFd open_spare() { return util::UniqueFd(open("/dev/null", O_RDONLY | O_CLOEXEC)); }

}  // namespace

struct MetricsServer::Impl {
  ListenAddress address;
  int port = 0;
  Metrics metrics;
  util::UniqueFd listener, epoll;
  util::UniqueFd spare;  // given up for one accept when the process is out of fds
  struct Client {
    HttpConnection connection;
    uint32_t watched = EPOLLIN;  // the events epoll reports for it
  };
  // By accept order, so the first is the oldest and the nearest deadline.
  std::map<uint64_t, Client> clients;
  uint64_t next_key = kFirstConnection;
  uint64_t listener_paused_until_ns = 0;  // 0: polled
  util::EventLoop* loop = nullptr;  // while serving
  util::EventLoop::TimerId timer = 0;  // at the nearest deadline
  uint64_t timer_at_ns = 0;

  void serve_ready();
  void arm_timer();
  HttpReply answer(const util::HttpRequestHead& head) const;
  void accept_some(uint64_t now);
  bool evict_one();
  util::UniqueFd accept_in_spare_slot();
  void pause_listener(uint64_t now);
  void resume_listener(uint64_t now);
  void expire(uint64_t now);
  uint64_t next_deadline_ns() const;  // 0: none
  void handle(uint64_t key, uint32_t events);
  void close_client(std::map<uint64_t, Client>::iterator it) { clients.erase(it); }  // closing the fd unwatches it
};

HttpReply MetricsServer::Impl::answer(const util::HttpRequestHead& req) const {
  using State = util::HttpRequestHead::State;
  const bool head_only = req.method == "HEAD";  // a reply to HEAD never has a body
  if (req.state == State::Bad)
    return text_reply(req.error_status, req.error_status == 400 ? "bad request\n" : "request head too long\n", head_only);
  if (!util::is_known_http_method(req.method)) return text_reply(400, "bad request: unknown method\n", false);
  if (req.path != "/metrics" && req.path != "/") return text_reply(404, "not found: try /metrics\n", head_only);
  if (req.method != "GET" && !head_only)
    return text_reply(405, "method not allowed (GET or HEAD)\n", false, "Allow: GET, HEAD\r\n");
  if (req.path == "/")
    return make_reply(200, "text/html; charset=utf-8", std::make_shared<const std::string>(kIndexPage), head_only);
  // The text is rendered once per poll and shared by every reply that sends it.
  return make_reply(200, exporter::kPrometheusContentType, metrics(), head_only);
}

// One round, on the loop's call: what is ready now (without waiting; the
// loop comes back while more is), then a timer for the nearest deadline.
void MetricsServer::Impl::serve_ready() {
  const uint64_t now = util::monotonic_ns();
  expire(now);
  resume_listener(now);
  epoll_event events[64];
  const int n = epoll_wait(epoll.get(), events, 64, 0);
  for (int i = 0; i < n; ++i) {
    const uint64_t key = events[i].data.u64;
    if (key == kListenerKey) accept_some(util::monotonic_ns());
    else handle(key, events[i].events);
  }
  arm_timer();
}

void MetricsServer::Impl::arm_timer() {
  const uint64_t at = next_deadline_ns();
  if (at == timer_at_ns) return;
  if (timer) loop->cancel(timer);
  timer = 0;
  timer_at_ns = at;
  if (!at) return;
  timer = loop->at(at, [this] {
    timer = 0;
    timer_at_ns = 0;
    serve_ready();
  });
}

void MetricsServer::Impl::accept_some(uint64_t now) {
  for (int i = 0; i < kAcceptBatch; ++i) {
    util::UniqueFd fd(accept4(listener.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
    if (!fd) {
      if (would_block()) return;
      if (!out_of_fds()) continue;  // that connection only (aborted, refused by a firewall rule, ...)
      fd = accept_in_spare_slot();
      if (!fd) {
        if (!spare) pause_listener(now);  // no fd to be had: rest instead of spinning on the listener
        return;
      }
      // An idle client's place for it (the spare takes the freed fd back),
      // else it is let go at once: the client sees it end, not hang.
      const bool kept = evict_one();
      if (!kept) fd.reset();
      spare = open_spare();
      if (!kept) continue;
    }
    if (clients.size() >= kMaxConnections && !evict_one()) continue;  // every one is being answered: refused
    const uint64_t key = next_key++;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = key;
    if (epoll_ctl(epoll.get(), EPOLL_CTL_ADD, fd.get(), &ev) != 0) continue;
    clients.emplace(key, Client{HttpConnection(std::move(fd), now + kRequestDeadlineNs)});
  }
}

// Makes room: the oldest connection that has its reply and only waits for
// the client to close, else the oldest that has not sent a whole request.
// One being answered is never cut.
bool MetricsServer::Impl::evict_one() {
  auto victim = clients.end();
  for (auto it = clients.begin(); it != clients.end(); ++it) {
    const HttpConnection::Phase phase = it->second.connection.phase();
    if (phase == HttpConnection::Phase::Draining) {
      victim = it;
      break;
    }
    if (phase == HttpConnection::Phase::Reading && victim == clients.end()) victim = it;
  }
  if (victim == clients.end()) return false;
  close_client(victim);
  return true;
}

// The reserve-fd trick: the process is out of fds, so the spare one is
// closed and its slot takes the waiting connection. Invalid when none
// waits (the spare is opened again) or there is no spare to give.
util::UniqueFd MetricsServer::Impl::accept_in_spare_slot() {
  if (!spare) spare = open_spare();
  if (!spare) return {};
  spare.reset();
  util::UniqueFd fd(accept4(listener.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
  if (!fd) spare = open_spare();
  return fd;
}

void MetricsServer::Impl::pause_listener(uint64_t now) {
  if (listener_paused_until_ns) return;
  epoll_ctl(epoll.get(), EPOLL_CTL_DEL, listener.get(), nullptr);
  listener_paused_until_ns = now + kListenerPauseNs;
}

void MetricsServer::Impl::resume_listener(uint64_t now) {
  if (!listener_paused_until_ns || now < listener_paused_until_ns) return;
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kListenerKey;
  epoll_ctl(epoll.get(), EPOLL_CTL_ADD, listener.get(), &ev);
  listener_paused_until_ns = 0;
}

void MetricsServer::Impl::expire(uint64_t now) {
  while (!clients.empty() && clients.begin()->second.connection.deadline_ns() <= now) close_client(clients.begin());
}

uint64_t MetricsServer::Impl::next_deadline_ns() const {
  uint64_t wake = clients.empty() ? 0 : clients.begin()->second.connection.deadline_ns();
  if (listener_paused_until_ns && (!wake || listener_paused_until_ns < wake)) wake = listener_paused_until_ns;
  return wake;
}

void MetricsServer::Impl::handle(uint64_t key, uint32_t events) {
  const auto it = clients.find(key);
  if (it == clients.end()) return;  // closed earlier in this round
  HttpConnection& c = it->second.connection;
  if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) c.on_readable([this](const auto& head) { return answer(head); });
  if (events & (EPOLLOUT | EPOLLHUP | EPOLLERR)) c.on_writable();
  if (c.phase() == HttpConnection::Phase::Done) {
    close_client(it);
    return;
  }
  const uint32_t want = c.phase() == HttpConnection::Phase::Writing ? EPOLLOUT : EPOLLIN;
  if (it->second.watched == want) return;
  epoll_event ev{};
  ev.events = want;
  ev.data.u64 = key;
  epoll_ctl(epoll.get(), EPOLL_CTL_MOD, c.fd(), &ev);
  it->second.watched = want;
}

MetricsServer::MetricsServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

MetricsServer::~MetricsServer() { stop(); }

namespace {

util::Error cannot_listen(const ListenAddress& a, const char* why) {
  return util::make_error(fmt::format("--listen: cannot listen on {}:{}: {} (expected a free port on an address of this host)",
                                      a.ipv6 ? "[" + a.host + "]" : a.host, a.port, why));
}

// A listening socket on the address. SO_REUSEADDR only: with SO_REUSEPORT a
// second syslatd would share the port instead of being told it is taken.
util::Expected<util::UniqueFd> listen_on(const ListenAddress& a) {
  sockaddr_storage storage{};
  socklen_t len = 0;
  if (a.ipv6) {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&storage);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(static_cast<uint16_t>(a.port));
    if (inet_pton(AF_INET6, a.host.c_str(), &in6->sin6_addr) != 1) return cannot_listen(a, "not an IPv6 address");
    len = sizeof(*in6);
  } else {
    auto* in4 = reinterpret_cast<sockaddr_in*>(&storage);
    in4->sin_family = AF_INET;
    in4->sin_port = htons(static_cast<uint16_t>(a.port));
    if (inet_pton(AF_INET, a.host.c_str(), &in4->sin_addr) != 1) return cannot_listen(a, "not an IPv4 address");
    len = sizeof(*in4);
  }
  util::UniqueFd fd(socket(storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) return cannot_listen(a, std::strerror(errno));
  const int yes = 1;
  setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&storage), len) != 0 || listen(fd.get(), SOMAXCONN) != 0)
    return cannot_listen(a, std::strerror(errno));
  return fd;
}

int bound_port(int fd) {
  sockaddr_storage storage{};
  socklen_t len = sizeof(storage);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &len) != 0) return 0;
  if (storage.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_port);
  return ntohs(reinterpret_cast<const sockaddr_in*>(&storage)->sin_port);
}

}  // namespace

util::Expected<std::unique_ptr<MetricsServer>> MetricsServer::bind(const ListenAddress& address, Metrics metrics) {
  auto listener = listen_on(address);
  if (!listener) return listener.error();
  auto impl = std::make_unique<Impl>();
  impl->address = address;
  impl->port = bound_port(listener->get());
  impl->metrics = std::move(metrics);
  impl->listener = std::move(*listener);
  impl->epoll.reset(epoll_create1(EPOLL_CLOEXEC));
  impl->spare = open_spare();
  if (!impl->epoll) return cannot_listen(address, std::strerror(errno));
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kListenerKey;
  if (epoll_ctl(impl->epoll.get(), EPOLL_CTL_ADD, impl->listener.get(), &ev) != 0)
    return cannot_listen(address, std::strerror(errno));
  return std::unique_ptr<MetricsServer>(new MetricsServer(std::move(impl)));
}

util::Expected<void> MetricsServer::serve_on(util::EventLoop& loop) {
  Impl* impl = impl_.get();
  if (auto ok = loop.watch(impl->epoll.get(), [impl](uint32_t) { impl->serve_ready(); }); !ok) return ok;
  impl->loop = &loop;
  return {};
}

void MetricsServer::stop() {
  Impl& impl = *impl_;
  if (!impl.loop) return;
  impl.loop->unwatch(impl.epoll.get());
  if (impl.timer) impl.loop->cancel(impl.timer);
  impl.timer = 0;
  impl.timer_at_ns = 0;
  impl.loop = nullptr;
  impl.clients.clear();
}

std::string MetricsServer::url() const {
  const ListenAddress& a = impl_->address;
  return fmt::format("http://{}:{}/metrics", a.ipv6 ? "[" + a.host + "]" : a.host, impl_->port);
}

int MetricsServer::port() const { return impl_->port; }

}  // namespace syslat::cli
