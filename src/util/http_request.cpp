#include "util/http_request.h"

#include <algorithm>
#include <array>

namespace syslat::util {
namespace {

using State = HttpRequestHead::State;

// More header fields than any client sends: refused as too long (and each
// complete line is parsed again as bytes come, which this bounds).
constexpr size_t kMaxHeaderFields = 100;

// tchar of RFC 9110: the characters of a method or a field name.
bool is_token_char(char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), is_token_char); }

// Visible ASCII: what a request target may hold.
bool is_target(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

// A field value: visible characters, spaces, tabs and obs-text, no controls.
bool is_field_value(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u == '\t' || (u >= 0x20 && u != 0x7f);
  });
}

// The path of a target in origin form (/p?q) or absolute form (http://h/p?q);
// empty if it is neither.
std::string_view target_path(std::string_view target) {
  if (target.front() != '/') {
    const size_t scheme = target.find("://");
    if (scheme == std::string_view::npos || !is_token(target.substr(0, scheme))) return {};
    const size_t slash = target.find('/', scheme + 3);
    target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
  }
  return target.substr(0, target.find_first_of("?#"));
}

HttpRequestHead bad(HttpRequestHead head, int status) {
  head.state = State::Bad;
  head.error_status = status;
  return head;
}

// "METHOD SP TARGET SP HTTP/1.x"; false if it is not one.
bool parse_request_line(std::string_view line, HttpRequestHead& head) {
  const size_t sp1 = line.find(' ');
  const size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return false;
  const std::string_view method = line.substr(0, sp1);
  const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string_view version = line.substr(sp2 + 1);
  if (!is_token(method) || !is_target(target) || (version != "HTTP/1.1" && version != "HTTP/1.0")) return false;
  head.method = method;
  head.path = target_path(target);
  return !head.path.empty();
}

// "name: value"; no line folding (obsolete, and a way to smuggle headers).
bool is_header_line(std::string_view line) {
  const size_t colon = line.find(':');
  return colon != std::string_view::npos && is_token(line.substr(0, colon)) && is_field_value(line.substr(colon + 1));
}

}  // namespace

HttpRequestHead parse_http_request_head(std::string_view bytes, size_t max_head_bytes) {
  HttpRequestHead head;
  size_t at = 0;
  size_t lines = 0;
  for (bool first = true;; first = false) {
    const size_t lf = bytes.find('\n', at);
    if (lf == std::string_view::npos || lf >= max_head_bytes) {
      // No end of the head in sight: wait for more, unless the bytes so far
      // already exceed what we accept.
      if (bytes.size() < max_head_bytes) return head;
      return bad(head, first ? 414 : 431);
    }
    std::string_view line = bytes.substr(at, lf - at);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find('\r') != std::string_view::npos) return bad(head, 400);
    at = lf + 1;
    if (first) {
      if (!parse_request_line(line, head)) return bad(head, 400);
      continue;
    }
    if (line.empty()) break;
    if (!is_header_line(line)) return bad(head, 400);
    if (++lines > kMaxHeaderFields) return bad(head, 431);
  }
  head.state = State::Complete;
  head.head_bytes = at;
  return head;
}

bool is_known_http_method(std::string_view method) {
  static constexpr std::array<std::string_view, 9> kMethods = {"GET",     "HEAD",    "POST",  "PUT",  "DELETE",
                                                               "CONNECT", "OPTIONS", "TRACE", "PATCH"};
  return std::find(kMethods.begin(), kMethods.end(), method) != kMethods.end();
}

}  // namespace syslat::util
