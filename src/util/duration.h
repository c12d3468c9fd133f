// Parsing and printing of durations given by users (--min-duration 20us,
// -i 0.5, --threshold 10ms) and shown in reports (2.06ms).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/expected.h"

namespace syslat::util {

// "500ns", "20us" (or "20µs"), "10ms", "1.5s", "2m": a non-negative decimal
// number (fraction allowed, no exponent) immediately followed by a unit, or
// a bare zero ("0", "0.0"). Other bare numbers, signs, whitespace, unknown units and values above
// UINT64_MAX ns are errors. Digits below 1 ns are truncated ("1.5ns" = 1).
// Error messages are short phrases; the caller prefixes the option name.
Expected<uint64_t> parse_duration_ns(std::string_view text);

// For -i/-d: a number of seconds ("1", "0.5") or a duration with a unit
// ("500ms"). The result is finite and > 0.
Expected<double> parse_seconds(std::string_view text);

// Human form with 3 significant digits: "812ns", "20.5us", "2.06ms", "1.50s",
// "95.0s"; seconds stay seconds above 999 ("1234s").
std::string format_duration_ns(uint64_t ns);

}  // namespace syslat::util
