// The request-head parser of syslatd's HTTP server.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "util/http_request.h"

using syslat::util::HttpRequestHead;
using syslat::util::is_known_http_method;
using syslat::util::parse_http_request_head;
using State = HttpRequestHead::State;

namespace {

constexpr size_t kMax = 8192;

HttpRequestHead parse(const std::string& bytes) { return parse_http_request_head(bytes, kMax); }

}  // namespace

TEST_CASE("http head: a whole head gives method, path and its length", "[http]") {
  const std::string get = "GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n";
  const std::string bytes = get + "body bytes";  // the head's views point into it
  const auto h = parse(bytes);
  CHECK(h.state == State::Complete);
  CHECK(h.method == "GET");
  CHECK(h.path == "/metrics");
  CHECK(h.head_bytes == get.size());
  // Bare LF line ends, HTTP/1.0, no header at all.
  CHECK(parse("HEAD / HTTP/1.0\n\n").state == State::Complete);
  CHECK(parse("HEAD / HTTP/1.0\n\n").method == "HEAD");
  // The query and the absolute form's scheme and host are not the path.
  CHECK(parse("GET /metrics?x=1 HTTP/1.1\r\n\r\n").path == "/metrics");
  CHECK(parse("GET http://h:9476/metrics HTTP/1.1\r\n\r\n").path == "/metrics");
  CHECK(parse("GET http://h:9476 HTTP/1.1\r\n\r\n").path == "/");
  // Field values may hold obs-text (bytes above 0x7f) and tabs.
  CHECK(parse("GET / HTTP/1.1\r\nX-A: caf\xc3\xa9\t1\r\n\r\n").state == State::Complete);
}

TEST_CASE("http head: incomplete until the blank line, however it is split", "[http]") {
  const std::string get = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
  for (size_t n = 0; n < get.size(); ++n) {
    INFO(n);
    CHECK(parse(get.substr(0, n)).state == State::Incomplete);
  }
  CHECK(parse(get).state == State::Complete);
}

TEST_CASE("http head: malformed request lines and fields are 400, as soon as their line is whole", "[http]") {
  for (const std::string& bad : std::vector<std::string>{"GET /metrics\r\n", "GET  /metrics HTTP/1.1\r\n", "GET /metrics HTTP/2.0\r\n",
                                "GET /metrics HTTP/1.1 \r\n", "GET metrics HTTP/1.1\r\n", "GET /a\x01 HTTP/1.1\r\n",
                                "G(T / HTTP/1.1\r\n", "\r\n", "GET / HTTP/1.1\r\nno colon\r\n",
                                "GET / HTTP/1.1\r\nBad Name: x\r\n", "GET / HTTP/1.1\r\n folded\r\n",
                                "GET / HTTP/1.1\r\nX: a\rb\r\n", "GET / HTTP/1.1\r\nX: a\x7f\r\n",
                                std::string("GET / HTTP/1.1\r\nX: a\0b\r\n", 24)}) {
    INFO(bad);
    const auto h = parse(bad);
    CHECK(h.state == State::Bad);
    CHECK(h.error_status == 400);
  }
  // The method of a whole request line is known even when a field is bad:
  // a reply to HEAD has no body.
  CHECK(parse("HEAD /metrics HTTP/1.1\r\nno colon\r\n").method == "HEAD");
}

TEST_CASE("http head: too long is 414 for the request line, 431 for the fields", "[http]") {
  CHECK(parse("GET /" + std::string(kMax, 'a')).error_status == 414);
  CHECK(parse("GET /" + std::string(kMax - 10, 'a')).state == State::Incomplete);
  CHECK(parse("GET / HTTP/1.1\r\nX: " + std::string(kMax, 'a')).error_status == 431);
  std::string many = "GET / HTTP/1.1\r\n";
  for (int i = 0; i < 101; ++i) many += "X: 1\r\n";
  CHECK(parse(many).error_status == 431);
  // A whole head within the limit is fine even when more bytes follow.
  const std::string get = "GET / HTTP/1.1\r\n\r\n";
  CHECK(parse(get + std::string(kMax, 'b')).state == State::Complete);
}

TEST_CASE("http head: the methods HTTP defines are known, others are not", "[http]") {
  for (const char* m : {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"})
    CHECK(is_known_http_method(m));
  for (const char* m : {"BREW", "get", "PRI", ""}) CHECK_FALSE(is_known_http_method(m));
}
