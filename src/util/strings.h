// Small string helpers with strict, allocation-light parsing.
#pragma once

#include <cstdint>
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

}  // namespace syslat::util
