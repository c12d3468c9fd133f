// The head of an HTTP/1.x request (request line and header fields), parsed
// from the bytes received so far: enough for a server that answers GET and
// HEAD and reads no body. Strict: what is not a well-formed head is an error
// with the status to answer it with, found as soon as the bytes show it.
#pragma once

#include <cstddef>
#include <string_view>

namespace syslat::util {

struct HttpRequestHead {
  enum class State { Incomplete, Complete, Bad };
  State state = State::Incomplete;
  int error_status = 0;     // Bad: 400, 414 (request line too long) or 431 (head too long)
  // Views into the parsed bytes, set once the request line is whole and
  // well-formed (so a Bad head may have them too).
  std::string_view method;
  std::string_view path;    // the target's path: without query, "http://host" or fragment
  size_t head_bytes = 0;    // Complete: up to and including the blank line
};

// Lines end in CRLF or a bare LF. A head longer than max_head_bytes that has
// not ended is Bad.
HttpRequestHead parse_http_request_head(std::string_view bytes, size_t max_head_bytes);

// The methods HTTP/1.1 defines (RFC 9110, and PATCH): a server that does
// not serve one answers 405; anything else is a bad request.
bool is_known_http_method(std::string_view method);

}  // namespace syslat::util
