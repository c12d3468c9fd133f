// Small text helpers of the decoders: strace-style quoting and numbers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace syslat::decode {

// strace's quoting: util::append_escaped's escapes ("a\nb\33[" ...) with
// " and \ backslashed, in quotes. Longer than `max_len` bytes: the first
// max_len quoted, then "..." as strace -s does.
std::string quote_string(std::string_view text, size_t max_len = SIZE_MAX);

// Every byte as \xNN, as strace shows getrandom's buffer: "\x68\xc5"; cut after
// `max_len` bytes with "..." like quote_string.
std::string quote_hex(std::string_view bytes, size_t max_len = SIZE_MAX);

// "0" or "0x1f": strace's hex numbers.
std::string hex(uint64_t value);

// "NULL" or "0x7ffd12345678".
std::string pointer(uint64_t value);

}  // namespace syslat::decode
