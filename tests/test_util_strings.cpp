#include <catch2/catch.hpp>

#include <string_view>
#include <vector>

#include "util/strings.h"

using namespace std::literals;
using syslat::util::parse_i64;
using syslat::util::parse_u64;
using syslat::util::split;
using syslat::util::trim;

TEST_CASE("split keeps empty fields", "[strings]") {
  CHECK(split("a,b,c", ',') == std::vector{"a"sv, "b"sv, "c"sv});
  CHECK(split("a,,b", ',') == std::vector{"a"sv, ""sv, "b"sv});
  CHECK(split("", ',') == std::vector{""sv});
  CHECK(split(",", ',') == std::vector{""sv, ""sv});
  CHECK(split("read", ',') == std::vector{"read"sv});
}

TEST_CASE("trim strips ASCII whitespace at both ends", "[strings]") {
  CHECK(trim("  open \t\n") == "open");
  CHECK(trim("a b") == "a b");
  CHECK(trim("   ").empty());
  CHECK(trim("").empty());
}

TEST_CASE("parse_u64 is strict", "[strings]") {
  CHECK(*parse_u64("0") == 0);
  CHECK(*parse_u64("4242") == 4242);
  CHECK(*parse_u64("18446744073709551615") == UINT64_MAX);
  for (const char* bad : {"", "-1", "+1", " 1", "1 ", "1x", "0x10", "1.0", "18446744073709551616"}) {
    INFO("input: '" << bad << "'");
    CHECK_FALSE(parse_u64(bad));
  }
  CHECK(parse_u64("18446744073709551616").error().message == "number out of range");
}

TEST_CASE("parse_i64 is strict", "[strings]") {
  CHECK(*parse_i64("-11") == -11);
  CHECK(*parse_i64("9223372036854775807") == INT64_MAX);
  CHECK(*parse_i64("-9223372036854775808") == INT64_MIN);
  for (const char* bad : {"", "+1", "--1", "1-", "9223372036854775808", " -1"}) {
    INFO("input: '" << bad << "'");
    CHECK_FALSE(parse_i64(bad));
  }
}
