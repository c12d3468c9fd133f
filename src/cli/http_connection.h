// One client connection of syslatd's HTTP server, non-blocking: it reads one
// request head, writes the whole reply, then lingers only to read what the
// client still sends (closing with unread bytes would reset the connection
// and could lose the reply's end on the client's side) until the client
// closes. The server calls on_readable / on_writable when epoll says so and
// closes the connection when it is Done or its deadline has passed.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "util/fd.h"
#include "util/http_request.h"

namespace syslat::cli {

struct HttpReply {
  std::string head;  // status line, header fields, blank line (and a short body)
  std::shared_ptr<const std::string> body;  // the shared metrics text, or null
};

class HttpConnection {
 public:
  enum class Phase { Reading, Writing, Draining, Done };
  // Builds the reply to a complete or bad request head.
  using Answer = std::function<HttpReply(const util::HttpRequestHead&)>;

  HttpConnection(util::UniqueFd fd, uint64_t deadline_ns) : fd_(std::move(fd)), deadline_ns_(deadline_ns) {}

  int fd() const { return fd_.get(); }
  Phase phase() const { return phase_; }
  uint64_t deadline_ns() const { return deadline_ns_; }

  void on_readable(const Answer& answer);
  void on_writable();

 private:
  void read_request(const Answer& answer);
  void write_reply();
  void drain();

  util::UniqueFd fd_;
  uint64_t deadline_ns_;
  Phase phase_ = Phase::Reading;
  std::string request_;
  HttpReply reply_;
  size_t sent_ = 0;     // bytes of reply_.head, then of the body, written
  size_t drained_ = 0;  // bytes read and dropped after the reply
};

}  // namespace syslat::cli
