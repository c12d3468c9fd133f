#include "decode/text.h"

#include <cstdio>

namespace syslat::decode {

std::string quote_string(std::string_view text, size_t max_len) {
  bool truncated = text.size() > max_len;
  if (truncated) text = text.substr(0, max_len);
  std::string out = "\"";
  for (size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    switch (c) {
      case '"': out += "\\\""; continue;
      case '\\': out += "\\\\"; continue;
      case '\f': out += "\\f"; continue;
      case '\n': out += "\\n"; continue;
      case '\r': out += "\\r"; continue;
      case '\t': out += "\\t"; continue;
      case '\v': out += "\\v"; continue;
      default: break;
    }
    if (c >= 0x20 && c <= 0x7e) {
      out += static_cast<char>(c);
      continue;
    }
    out += '\\';
    bool digit_follows = i + 1 < text.size() && text[i + 1] >= '0' && text[i + 1] <= '7';
    if (digit_follows || c >= 0100) out += static_cast<char>('0' + (c >> 6));
    if (digit_follows || c >= 010) out += static_cast<char>('0' + ((c >> 3) & 7));
    out += static_cast<char>('0' + (c & 7));
  }
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
