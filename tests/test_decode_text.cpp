#include <catch2/catch.hpp>

#include <string>

#include "decode/text.h"

using namespace syslat::decode;

TEST_CASE("strings are quoted and escaped like strace", "[decode]") {
  CHECK(quote_string("/etc/passwd") == "\"/etc/passwd\"");
  CHECK(quote_string("a\nb\"c\xff") == "\"a\\nb\\\"c\\377\"");
  CHECK(quote_string("tab\there\\") == "\"tab\\there\\\\\"");
  CHECK(quote_string("\r\v\f") == "\"\\r\\v\\f\"");
  CHECK(quote_string("") == "\"\"");
}

TEST_CASE("octal escapes are shortest unless a digit follows", "[decode]") {
  CHECK(quote_string(std::string("\x01x", 2)) == "\"\\1x\"");
  CHECK(quote_string(std::string("\x01" "7", 2)) == "\"\\0017\"");
  CHECK(quote_string(std::string("\0", 1)) == "\"\\0\"");
  CHECK(quote_string(std::string("\x1b[", 2)) == "\"\\33[\"");
  CHECK(quote_string("\x7f") == "\"\\177\"");
}

TEST_CASE("long strings are cut like strace -s", "[decode]") {
  CHECK(quote_string("abcdef", 3) == "\"abc\"...");
  CHECK(quote_string("abc", 3) == "\"abc\"");
}

TEST_CASE("numbers and pointers", "[decode]") {
  CHECK(hex(0) == "0");
  CHECK(hex(0x1f) == "0x1f");
  CHECK(pointer(0) == "NULL");
  CHECK(pointer(0x7ffd12345678) == "0x7ffd12345678");
}
