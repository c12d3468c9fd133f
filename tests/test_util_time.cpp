#include <catch2/catch.hpp>

#include <regex>
#include <string>

#include "util/time.h"

using namespace syslat::util;

TEST_CASE("rfc3339_utc formats UTC with milliseconds", "[time]") {
  CHECK(rfc3339_utc(0) == "1970-01-01T00:00:00.000Z");
  CHECK(rfc3339_utc(1'795'316'775'123'456'789) == "2026-11-22T03:06:15.123Z");
  CHECK(rfc3339_utc(999'999) == "1970-01-01T00:00:00.000Z");  // truncated, not rounded
  CHECK(rfc3339_utc(-1) == "1969-12-31T23:59:59.999Z");
}

TEST_CASE("rfc3339_now and clock_hms have the documented shape", "[time]") {
  CHECK(std::regex_match(rfc3339_now(), std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));
  CHECK(std::regex_match(clock_hms(), std::regex(R"(\d\d:\d\d:\d\d)")));
}

TEST_CASE("monotonic_ns never goes backwards", "[time]") {
  uint64_t a = monotonic_ns();
  uint64_t b = monotonic_ns();
  CHECK(a > 0);
  CHECK(b >= a);
}
