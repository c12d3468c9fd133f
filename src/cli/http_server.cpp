#include "cli/http_server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <fmt/format.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "export/prometheus.h"

namespace syslat::cli {
namespace {

constexpr size_t kWorkers = 4;         // concurrent requests; more wait in the queue
constexpr time_t kReadTimeoutS = 5;    // per read of a request: a stalled client is dropped
constexpr time_t kWriteTimeoutS = 5;
constexpr time_t kFirstByteTimeoutS = 5;  // a connection that sends nothing
constexpr const char* kAllow = "GET, HEAD";

constexpr const char* kIndexPage =
    "<html><head><title>syslatd</title></head><body>\n"
    "<h1>syslatd</h1><p>System call counts and latencies for Prometheus: <a href=\"/metrics\">/metrics</a></p>\n"
    "</body></html>\n";

bool is_ours(const std::string& path) { return path == "/metrics" || path == "/"; }

}  // namespace

struct MetricsServer::Impl {
  httplib::Server server;
  ListenAddress address;
  Metrics metrics;
  std::thread thread;
};

MetricsServer::MetricsServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

MetricsServer::~MetricsServer() { stop(); }

util::Expected<std::unique_ptr<MetricsServer>> MetricsServer::bind(const ListenAddress& address, Metrics metrics) {
  auto impl = std::make_unique<Impl>();
  impl->address = address;
  impl->metrics = std::move(metrics);
  httplib::Server& s = impl->server;
  s.new_task_queue = [] { return new httplib::ThreadPool(kWorkers); };
  s.set_keep_alive_max_count(1);  // one request per connection: no worker idles on a kept-alive socket
  s.set_keep_alive_timeout(kFirstByteTimeoutS);
  s.set_read_timeout(kReadTimeoutS, 0);
  s.set_write_timeout(kWriteTimeoutS, 0);
  s.set_payload_max_length(0);  // GET and HEAD only: no request body is read
  // SO_REUSEADDR only: the library's default adds SO_REUSEPORT, which would
  // let a second syslatd share the port instead of saying it is taken.
  s.set_socket_options([](int fd) {
    int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  Impl* self = impl.get();
  s.set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!is_ours(req.path) || req.method == "GET" || req.method == "HEAD") return httplib::Server::HandlerResponse::Unhandled;
    res.status = 405;
    res.set_header("Allow", kAllow);
    res.set_content("method not allowed (GET or HEAD)\n", "text/plain; charset=utf-8");
    return httplib::Server::HandlerResponse::Handled;
  });
  // GET handlers answer HEAD too (the library sends the headers only).
  // A provider of known length: sent as is. With set_content() the library
  // would compress every response itself, brotli first when asked for it:
  // over a second of CPU per scrape of a few hundred KB.
  s.Get("/metrics", [self](const httplib::Request&, httplib::Response& res) {
    std::shared_ptr<const std::string> text = self->metrics();
    const size_t size = text->size();
    res.set_content_provider(size, exporter::kPrometheusContentType,
                             [text = std::move(text)](size_t offset, size_t length, httplib::DataSink& sink) {
                               return sink.write(text->data() + offset, length);
                             });
  });
  s.Get("/", [](const httplib::Request&, httplib::Response& res) { res.set_content(kIndexPage, "text/html; charset=utf-8"); });
  s.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.status == 404) res.set_content("not found: try /metrics\n", "text/plain; charset=utf-8");
  });

  errno = 0;
  if (!s.bind_to_port(address.host, address.port)) {
    const int err = errno;
    return util::make_error(fmt::format("--listen: cannot listen on {}:{}: {} (expected a free port on an address of this host)",
                                        address.ipv6 ? "[" + address.host + "]" : address.host, address.port,
                                        err ? std::strerror(err) : "failed"));
  }
  return std::unique_ptr<MetricsServer>(new MetricsServer(std::move(impl)));
}

void MetricsServer::start() {
  impl_->thread = std::thread([this] { impl_->server.listen_after_bind(); });
  // stop() only takes effect once the accept loop runs: wait for it, so an
  // early SIGTERM cannot leave the thread serving forever.
  while (!impl_->server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

void MetricsServer::stop() {
  if (!impl_->thread.joinable()) return;
  impl_->server.stop();
  impl_->thread.join();
}

std::string MetricsServer::url() const {
  const ListenAddress& a = impl_->address;
  return fmt::format("http://{}:{}/metrics", a.ipv6 ? "[" + a.host + "]" : a.host, a.port);
}

}  // namespace syslat::cli
