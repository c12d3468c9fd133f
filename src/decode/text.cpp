#include "decode/text.h"

#include <cstdio>

#include "util/escape.h"

namespace syslat::decode {

std::string quote_string(std::string_view text, size_t max_len) {
  const bool truncated = text.size() > max_len;
  if (truncated) text = text.substr(0, max_len);
  std::string out = "\"";
  util::append_escaped(out, text, {.backslashed = "\"\\"});
  out += '"';
  if (truncated) out += "...";
  return out;
}

std::string quote_hex(std::string_view bytes, size_t max_len) {
  static constexpr char kDigits[] = "0123456789abcdef";
  const bool truncated = bytes.size() > max_len;
  if (truncated) bytes = bytes.substr(0, max_len);
  std::string out = "\"";
  for (unsigned char c : bytes) {
    out += "\\x";
    out += kDigits[c >> 4];
    out += kDigits[c & 0xf];
  }
  return out + (truncated ? "\"..." : "\"");
}

std::string hex(uint64_t value) {
  if (value == 0) return "0";
  char buf[24];
  std::snprintf(buf, sizeof buf, "%#llx", static_cast<unsigned long long>(value));
  return buf;
}

std::string pointer(uint64_t value) { return value == 0 ? "NULL" : hex(value); }

}  // namespace syslat::decode
