#include "util/duration.h"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <system_error>

namespace syslat::util {
namespace {

constexpr const char* kDurationForm = "expected a duration such as 500ns, 20us, 10ms or 1.5s";
constexpr double kMaxSeconds = 1e9;  // about 31 years
constexpr const char* kSecondsForm = "expected a positive number of seconds such as 1, 0.5 or 500ms";

struct Unit {
  std::string_view suffix;
  uint64_t ns;
};
constexpr std::array<Unit, 6> kUnits{{
    {"ns", 1},
    {"us", 1'000},
    {"\xC2\xB5s", 1'000},  // "µs" (U+00B5 MICRO SIGN)
    {"ms", 1'000'000},
    {"s", 1'000'000'000},
    {"m", 60'000'000'000},
}};

// Reads back a number fmt printed; from_chars ignores the C locale (unlike
// stod), which matters once the UI calls setlocale().
double shown_value(const std::string& text) {
  double value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// A plain decimal: digits, optionally '.' and more digits. Returns how many
// leading characters form one (0 if none).
size_t decimal_prefix_len(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && is_digit(text[i])) ++i;
  if (i == 0) return 0;
  if (i < text.size() && text[i] == '.') {
    size_t j = i + 1;
    while (j < text.size() && is_digit(text[j])) ++j;
    if (j == i + 1) return 0;  // "5." is not a number
    i = j;
  }
  return i;
}

const Unit* find_unit(std::string_view suffix) {
  for (const Unit& unit : kUnits) {
    if (unit.suffix == suffix) return &unit;
  }
  return nullptr;
}

// number * unit_ns exactly, truncating below 1 ns. `number` is a validated
// decimal_prefix_len() string.
Expected<uint64_t> scale_decimal(std::string_view number, uint64_t unit_ns) {
  using u128 = unsigned __int128;
  constexpr u128 kMax = std::numeric_limits<uint64_t>::max();
  size_t dot = number.find('.');
  std::string_view int_part = number.substr(0, dot);
  std::string_view frac_part = dot == std::string_view::npos ? std::string_view{} : number.substr(dot + 1);

  u128 total = 0;
  for (char c : int_part) {
    total = total * 10 + static_cast<unsigned>(c - '0');
    if (total * unit_ns > kMax) return make_error("duration too large");
  }
  total *= unit_ns;

  // Fraction: only the first 12 digits can matter (the largest unit is
  // 6e10 ns, so a 1e-12 share of it is below 1 ns).
  u128 frac = 0;
  u128 scale = 1;
  for (size_t i = 0; i < frac_part.size() && i < 12; ++i) {
    frac = frac * 10 + static_cast<unsigned>(frac_part[i] - '0');
    scale *= 10;
  }
  total += frac * unit_ns / scale;
  if (total > kMax) return make_error("duration too large");
  return static_cast<uint64_t>(total);
}

}  // namespace

Expected<uint64_t> parse_duration_ns(std::string_view text) {
  if (text.empty()) return make_error(kDurationForm);
  if (text.front() == '-') return make_error("a duration cannot be negative");
  size_t len = decimal_prefix_len(text);
  if (len == 0) return make_error(kDurationForm);
  std::string_view suffix = text.substr(len);
  if (suffix.empty()) {
    // Zero is zero in every unit (--threshold 0: every call); any other bare
    // number is ambiguous.
    if (text.find_first_not_of("0.") == std::string_view::npos) return 0;
    return make_error(std::string(kDurationForm) + " (the unit is missing)");
  }
  const Unit* unit = find_unit(suffix);
  if (unit == nullptr) {
    return make_error(fmt::format("unknown unit '{}' in duration (use ns, us, ms, s or m)", suffix));
  }
  return scale_decimal(text.substr(0, len), unit->ns);
}

Expected<double> parse_seconds(std::string_view text) {
  if (text.empty()) return make_error(kSecondsForm);
  if (text.front() == '-') return make_error("must be greater than 0");
  size_t len = decimal_prefix_len(text);
  if (len == 0) return make_error(kSecondsForm);

  double seconds = 0;
  if (len == text.size()) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + len, seconds);
    if (ec == std::errc::result_out_of_range || !std::isfinite(seconds)) return make_error("number too large");
    if (ec != std::errc() || end != text.data() + len) return make_error(kSecondsForm);
  } else {
    if (find_unit(text.substr(len)) == nullptr) return make_error(kSecondsForm);
    auto ns = parse_duration_ns(text);
    if (!ns) return ns.error();
    seconds = static_cast<double>(*ns) / 1e9;
  }
  if (!(seconds > 0)) return make_error("must be greater than 0");
  // Beyond this, seconds in nanoseconds past the boot clock overflow 64 bits.
  if (seconds > kMaxSeconds) return make_error(fmt::format("too large (expected at most {} seconds)", kMaxSeconds));
  return seconds;
}

std::string format_duration_ns(uint64_t ns) {
  if (ns < 1000) return fmt::format("{}ns", ns);
  struct Scale {
    double ns;
    const char* suffix;
  };
  constexpr std::array<Scale, 3> kScales{{{1e3, "us"}, {1e6, "ms"}, {1e9, "s"}}};
  for (size_t i = 0; i < kScales.size(); ++i) {
    double value = static_cast<double>(ns) / kScales[i].ns;
    // Pick decimals for 3 significant digits, re-checking after rounding
    // (9.996 -> "10.0", 999.7 -> next unit).
    int decimals = value < 10 ? 2 : value < 100 ? 1 : 0;
    std::string text = fmt::format("{:.{}f}", value, decimals);
    double shown = shown_value(text);
    if (decimals == 2 && shown >= 10) {
      decimals = 1;
      text = fmt::format("{:.{}f}", value, decimals);
      shown = shown_value(text);
    }
    if (decimals == 1 && shown >= 100) {
      decimals = 0;
      text = fmt::format("{:.0f}", value);
      shown = shown_value(text);
    }
    if (shown >= 1000 && i + 1 < kScales.size()) continue;
    return text + kScales[i].suffix;
  }
  return {};  // unreachable: the last scale always returns
}

}  // namespace syslat::util
