#include "util/strings.h"

#include <charconv>
#include <system_error>

namespace syslat::util {

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (;;) {
    size_t pos = text.find(sep, start);
    if (pos == std::string_view::npos) {
      parts.push_back(text.substr(start));
      return parts;
    }
    parts.push_back(text.substr(start, pos - start));
    start = pos + 1;
  }
}

std::string_view trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t\n\r\f\v";
  size_t first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  size_t last = text.find_last_not_of(kSpace);
  return text.substr(first, last - first + 1);
}

namespace {

template <class T>
Expected<T> parse_integer(std::string_view text, const char* what) {
  if (text.empty()) return make_error(std::string("expected ") + what);
  // from_chars accepts a leading '-' for signed types only and never '+' or
  // whitespace, which is exactly the strictness we want.
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 10);
  if (ec == std::errc::result_out_of_range) return make_error("number out of range");
  if (ec != std::errc() || end != text.data() + text.size()) {
    return make_error(std::string("expected ") + what);
  }
  return value;
}

}  // namespace

Expected<uint64_t> parse_u64(std::string_view text) {
  return parse_integer<uint64_t>(text, "a non-negative integer");
}

Expected<int64_t> parse_i64(std::string_view text) {
  return parse_integer<int64_t>(text, "an integer");
}

std::optional<unsigned> max_cpu_in_list(std::string_view list) {
  list = trim(list);
  if (list.empty()) return std::nullopt;
  std::optional<unsigned> max;
  for (std::string_view range : split(list, ',')) {
    const auto dash = range.find('-');
    auto lo = parse_u64(range.substr(0, dash));
    auto hi = dash == std::string_view::npos ? lo : parse_u64(range.substr(dash + 1));
    if (!lo || !hi || *hi < *lo || *hi > 1u << 20) return std::nullopt;
    if (!max || *hi > *max) max = static_cast<unsigned>(*hi);
  }
  return max;
}

std::string shell_quoted(std::string_view word) {
  const bool safe = !word.empty() && word.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                            "0123456789_@%+=:,./-") == std::string_view::npos;
  if (safe) return std::string(word);
  std::string out = "'";
  for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace syslat::util
