#include "cli/http_connection.h"

#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace syslat::cli {
namespace {

// A request head is a few hundred bytes; what does not end within this is
// refused (414 or 431).
constexpr size_t kMaxHeadBytes = 8192;
// After the reply, a client that keeps sending is closed on instead of read.
constexpr size_t kMaxDrainBytes = 64 * 1024;

}  // namespace

void HttpConnection::on_readable(const Answer& answer) {
  if (phase_ == Phase::Reading) read_request(answer);
  else if (phase_ == Phase::Draining) drain();
}

void HttpConnection::on_writable() {
  if (phase_ == Phase::Writing) write_reply();
}

void HttpConnection::read_request(const Answer& answer) {
  char buf[4096];
  for (;;) {
    const size_t room = kMaxHeadBytes - request_.size();
    const ssize_t n = recv(fd_.get(), buf, std::min(sizeof buf, room), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n <= 0) {  // the client went before its request was whole: nobody to answer
      phase_ = Phase::Done;
      return;
    }
    request_.append(buf, static_cast<size_t>(n));
    // The head can only have ended, or turned out bad, with a new line or
    // once it is too long: a byte-by-byte client costs no re-parsing.
    if (!std::memchr(buf, '\n', static_cast<size_t>(n)) && request_.size() < kMaxHeadBytes) continue;
    const util::HttpRequestHead head = util::parse_http_request_head(request_, kMaxHeadBytes);
    if (head.state == util::HttpRequestHead::State::Incomplete) continue;
    reply_ = answer(head);
    request_ = std::string();  // views into it are dead now; free its memory
    phase_ = Phase::Writing;
    write_reply();
    return;
  }
}

void HttpConnection::write_reply() {
  const std::string empty;
  const std::string& body = reply_.body ? *reply_.body : empty;
  const size_t total = reply_.head.size() + body.size();
  while (sent_ < total) {
    iovec iov[2];
    int parts = 0;
    if (sent_ < reply_.head.size())
      iov[parts++] = {const_cast<char*>(reply_.head.data() + sent_), reply_.head.size() - sent_};
    const size_t body_sent = sent_ > reply_.head.size() ? sent_ - reply_.head.size() : 0;
    if (body_sent < body.size()) iov[parts++] = {const_cast<char*>(body.data() + body_sent), body.size() - body_sent};
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = static_cast<size_t>(parts);
    const ssize_t n = sendmsg(fd_.get(), &msg, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;  // wait until writable
    if (n <= 0) {
      phase_ = Phase::Done;
      return;
    }
    sent_ += static_cast<size_t>(n);
  }
  reply_ = HttpReply();
  shutdown(fd_.get(), SHUT_WR);  // the client sees the end of the reply now
  phase_ = Phase::Draining;
  drain();
}

void HttpConnection::drain() {
  char buf[4096];
  for (;;) {
    const ssize_t n = recv(fd_.get(), buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    drained_ += n > 0 ? static_cast<size_t>(n) : 0;
    if (n <= 0 || drained_ > kMaxDrainBytes) {
      phase_ = Phase::Done;
      return;
    }
  }
}

}  // namespace syslat::cli
