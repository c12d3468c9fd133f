// syslatd's HTTP side: GET and HEAD of /metrics and / (a page linking to
// /metrics), 405 with Allow for other methods there, 404 elsewhere, 400 for
// what is not a request; one request per connection (Connection: close).
//
// Built to face a network: an epoll set of its own, which the caller's event
// loop watches (nothing blocks it), every connection non-blocking with one
// deadline from accept to the last byte of its reply (a client that
// trickles its request a byte at a time cannot hold on), a cap on open
// connections (at the cap, or when the process is out of fds, the oldest
// connection that has not sent a whole request is closed, so idle sockets
// cannot lock a scraper out), and no busy loop when no fd is left.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "cli/options.h"
#include "util/event_loop.h"
#include "util/expected.h"

namespace syslat::cli {

class MetricsServer {
 public:
  // Called for each GET /metrics, in the event loop's thread.
  using Metrics = std::function<std::shared_ptr<const std::string>()>;

  // Binds and listens (connections queue until start()). The error names
  // the address and why (port in use, address not on this host, ...).
  static util::Expected<std::unique_ptr<MetricsServer>> bind(const ListenAddress& address, Metrics metrics);
  ~MetricsServer();  // stops
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // Serves from `loop` (which must outlive the serving) until stop().
  util::Expected<void> serve_on(util::EventLoop& loop);
  void stop();  // stops serving and closes every connection
  std::string url() const;  // http://127.0.0.1:9476/metrics
  int port() const;         // the port bound (the kernel's choice for port 0)

 private:
  struct Impl;
  explicit MetricsServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace syslat::cli
