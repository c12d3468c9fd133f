#include <catch2/catch.hpp>

#include <string>

#include "util/escape.h"

using syslat::util::escaped;

TEST_CASE("escaped: bytes outside printable ASCII as strace writes them", "[escape]") {
  CHECK(escaped("/usr/bin/cat") == "/usr/bin/cat");
  CHECK(escaped("\t\n\v\f\r") == "\\t\\n\\v\\f\\r");
  CHECK(escaped("\x1b]0;pwned\a\x1b[2J") == "\\33]0;pwned\\7\\33[2J");
  CHECK(escaped(std::string("\0", 1)) == "\\0");
  CHECK(escaped("\x7f") == "\\177");
  CHECK(escaped("\x9b[2J") == "\\233[2J");      // a C1 control alone
  CHECK(escaped("caf\xc3\xa9") == "caf\\303\\251");  // UTF-8 too: every byte above 0x7e
  CHECK(escaped("\xc2\x9b") == "\\302\\233");   // C1 as UTF-8 (U+009B) acts on some terminals
}

TEST_CASE("escaped: three octal digits when an octal digit follows, else the fewest", "[escape]") {
  CHECK(escaped("\x1b" "1") == "\\0331");
  CHECK(escaped(std::string("\0" "7", 2)) == "\\0007");
  CHECK(escaped("\x01" "8") == "\\18");  // 8 is no octal digit
  CHECK(escaped("\x01x") == "\\1x");
  CHECK(escaped("\x1b\x1b") == "\\33\\33");
}

TEST_CASE("escaped: printable ASCII only comes out, and escaping it again changes nothing", "[escape]") {
  std::string all;
  for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
  const std::string once = escaped(all);
  for (char c : once) {
    INFO(static_cast<int>(static_cast<unsigned char>(c)));
    CHECK((c >= 0x20 && c <= 0x7e));
  }
  CHECK(escaped(once) == once);
  CHECK(escaped("a\\33b\\") == "a\\33b\\");  // backslashes alone are left as they are
}

TEST_CASE("escaped: characters a format gives a meaning", "[escape]") {
  // strace's quoted strings: " and \ backslashed; its -y paths: < and > in octal.
  CHECK(escaped("a\\b\"c", {.backslashed = "\"\\"}) == "a\\\\b\\\"c");
  CHECK(escaped("a>b<c\\", {.backslashed = "\"\\", .octal = "<>"}) == "a\\76b\\74c\\\\");
  CHECK(escaped("\x1b<", {.octal = "<"}) == "\\33\\74");
}
