#include "util/escape.h"

namespace syslat::util {
namespace {

char named_escape(unsigned char c) {
  switch (c) {
    case '\t': return 't';
    case '\n': return 'n';
    case '\v': return 'v';
    case '\f': return 'f';
    case '\r': return 'r';
    default: return 0;
  }
}

bool is_octal_digit(char c) { return c >= '0' && c <= '7'; }

}  // namespace

void append_escaped(std::string& out, std::string_view text, EscapeAlso also) {
  out.reserve(out.size() + text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char ch = text[i];
    const auto c = static_cast<unsigned char>(ch);
    if (also.backslashed.find(ch) != std::string_view::npos) {
      out += '\\';
      out += ch;
      continue;
    }
    if (c >= 0x20 && c <= 0x7e && also.octal.find(ch) == std::string_view::npos) {
      out += ch;
      continue;
    }
    out += '\\';
    if (const char name = named_escape(c)) {
      out += name;
      continue;
    }
    // Three digits when a digit follows, so that "\0" + "1" cannot read as "\01".
    const bool digit_follows = i + 1 < text.size() && is_octal_digit(text[i + 1]);
    if (digit_follows || c >= 0100) out += static_cast<char>('0' + (c >> 6));
    if (digit_follows || c >= 010) out += static_cast<char>('0' + ((c >> 3) & 7));
    out += static_cast<char>('0' + (c & 7));
  }
}

std::string escaped(std::string_view text, EscapeAlso also) {
  std::string out;
  append_escaped(out, text, also);
  return out;
}

}  // namespace syslat::util
