// Small string helpers with strict, allocation-light parsing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/expected.h"

namespace syslat::util {

// Splits on every `sep`; empty fields are kept ("a,,b" -> {"a", "", "b"},
// "" -> {""}). The views point into `text`.
std::vector<std::string_view> split(std::string_view text, char sep);

// Strips ASCII whitespace from both ends.
std::string_view trim(std::string_view text);

// Strict base-10 parsing of the whole string: no whitespace, no '+', no
// leading '-' for u64; overflow is an error, not a wrap.
Expected<uint64_t> parse_u64(std::string_view text);
Expected<int64_t> parse_i64(std::string_view text);

// A word as a POSIX shell would need it to read it back: as it is when it
// holds only safe characters, else in single quotes ('it'\''s').
std::string shell_quoted(std::string_view word);

// The highest CPU number in a kernel CPU list ("0-3,8,10-11" -> 11), as in
// /sys/devices/system/cpu/present; nullopt if malformed or empty.
std::optional<unsigned> max_cpu_in_list(std::string_view list);

}  // namespace syslat::util
