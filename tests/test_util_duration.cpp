#include <catch2/catch.hpp>

#include <cstdint>
#include <string>

#include "util/duration.h"

using syslat::util::format_duration_ns;
using syslat::util::parse_duration_ns;
using syslat::util::parse_seconds;

TEST_CASE("parse_duration_ns: units and exact values", "[duration]") {
  CHECK(*parse_duration_ns("500ns") == 500);
  CHECK(*parse_duration_ns("20us") == 20'000);
  CHECK(*parse_duration_ns("20\xC2\xB5s") == 20'000);  // 20µs
  CHECK(*parse_duration_ns("10ms") == 10'000'000);
  CHECK(*parse_duration_ns("1.5s") == 1'500'000'000);
  CHECK(*parse_duration_ns("2m") == 120'000'000'000);
  CHECK(*parse_duration_ns("0.25ms") == 250'000);
  CHECK(*parse_duration_ns("0ns") == 0);
  CHECK(*parse_duration_ns("0") == 0);  // zero needs no unit (sysslow --threshold 0)
  CHECK(*parse_duration_ns("0.00") == 0);
  CHECK(*parse_duration_ns("007ms") == 7'000'000);
  CHECK(*parse_duration_ns("0.000000001s") == 1);
  CHECK(*parse_duration_ns("1.999ns") == 1);  // below 1 ns is truncated
  CHECK(*parse_duration_ns("18446744073709551615ns") == UINT64_MAX);
  CHECK(*parse_duration_ns("18446744073.709551615s") == UINT64_MAX);
}

TEST_CASE("parse_duration_ns: rejects what is not a duration", "[duration]") {
  for (const char* bad : {"", "10", "1.5", "-5ms", "+5ms", "5 ms", " 5ms", "5ms ", "ms", ".5s", "5.s", "1e3ns",
                          "10msx", "10ms,", "5sec", "5h", "1..5s", "0x10ms", "10MS"}) {
    INFO("input: '" << bad << "'");
    auto result = parse_duration_ns(bad);
    REQUIRE_FALSE(result);
    CHECK_FALSE(result.error().message.empty());
  }
  CHECK(parse_duration_ns("10").error().message.find("500ns, 20us, 10ms or 1.5s") != std::string::npos);
  CHECK(parse_duration_ns("5h").error().message.find("'h'") != std::string::npos);
  CHECK(parse_duration_ns("-5ms").error().message.find("negative") != std::string::npos);
}

TEST_CASE("parse_duration_ns: overflow is an error, not a wrap", "[duration]") {
  CHECK_FALSE(parse_duration_ns("18446744073709551616ns"));
  CHECK_FALSE(parse_duration_ns("18446744074s"));
  CHECK_FALSE(parse_duration_ns("307445734562m"));
  CHECK_FALSE(parse_duration_ns("99999999999999999999999999999999ms"));
  CHECK(parse_duration_ns("18446744074s").error().message.find("too large") != std::string::npos);
}

TEST_CASE("parse_seconds: plain seconds or a duration with unit", "[duration]") {
  CHECK(*parse_seconds("1") == 1.0);
  CHECK(*parse_seconds("0.5") == 0.5);
  CHECK(*parse_seconds("10") == 10.0);
  CHECK(*parse_seconds("500ms") == Approx(0.5));
  CHECK(*parse_seconds("2m") == Approx(120.0));
  CHECK(*parse_seconds("1.5s") == Approx(1.5));
}

TEST_CASE("parse_seconds: must be a positive finite number", "[duration]") {
  for (const char* bad : {"", "0", "0.0", "0ms", "-1", "abc", "1x", "inf", "nan", "1e3", " 1", "1 ", ".5"}) {
    INFO("input: '" << bad << "'");
    CHECK_FALSE(parse_seconds(bad));
  }
  CHECK(parse_seconds("0").error().message == "must be greater than 0");
  // Past 1e9 s (31 years) the deadline in ns would overflow: refused.
  CHECK(*parse_seconds("1000000000") == 1e9);
  CHECK(parse_seconds("1000000001").error().message.find("too large") != std::string::npos);
  CHECK_FALSE(parse_seconds("99999999999999999999999"));
  CHECK_FALSE(parse_seconds(std::string(400, '9')));  // overflows a double
}

TEST_CASE("format_duration_ns: 3 significant digits in ns/us/ms/s", "[duration]") {
  CHECK(format_duration_ns(0) == "0ns");
  CHECK(format_duration_ns(812) == "812ns");
  CHECK(format_duration_ns(999) == "999ns");
  CHECK(format_duration_ns(1000) == "1.00us");
  CHECK(format_duration_ns(20'500) == "20.5us");
  CHECK(format_duration_ns(2'060'000) == "2.06ms");
  CHECK(format_duration_ns(1'500'000'000) == "1.50s");
  CHECK(format_duration_ns(95'000'000'000) == "95.0s");
  CHECK(format_duration_ns(123'456) == "123us");
  // Rounding that crosses a boundary moves to the next precision or unit.
  CHECK(format_duration_ns(9'999) == "10.0us");
  CHECK(format_duration_ns(99'990) == "100us");
  CHECK(format_duration_ns(999'999) == "1.00ms");
  CHECK(format_duration_ns(999'999'999) == "1.00s");
  CHECK(format_duration_ns(1'234'000'000'000) == "1234s");
}
