// syslatd's HTTP side, on cpp-httplib: GET and HEAD of /metrics and / (a
// page linking to /metrics), 405 with Allow for other methods there, 404
// elsewhere. A slow or malformed client cannot hold the others up: a few
// workers, each connection served once (no keep-alive to idle in), reads
// that time out, and the library's header and URI length limits.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "cli/options.h"
#include "util/expected.h"

namespace syslat::cli {

class MetricsServer {
 public:
  // Called by the workers for each GET /metrics; may run concurrently.
  using Metrics = std::function<std::shared_ptr<const std::string>()>;

  // Binds and listens (connections queue until start()). The error names
  // the address and why (port in use, address not on this host, ...).
  static util::Expected<std::unique_ptr<MetricsServer>> bind(const ListenAddress& address, Metrics metrics);
  ~MetricsServer();  // stops
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  void start();  // serves from a thread of its own
  void stop();   // closes the socket and waits for requests in progress
  std::string url() const;  // http://127.0.0.1:9476/metrics

 private:
  struct Impl;
  explicit MetricsServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace syslat::cli
