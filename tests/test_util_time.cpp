#include <catch2/catch.hpp>

#include <cctype>
#include <string>
#include <string_view>

#include "util/time.h"

using namespace syslat::util;

namespace {
// `pattern` with '9' standing for any digit; everything else must match as is.
bool has_shape(std::string_view text, std::string_view pattern) {
  if (text.size() != pattern.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    bool ok = pattern[i] == '9' ? std::isdigit(static_cast<unsigned char>(text[i])) != 0 : text[i] == pattern[i];
    if (!ok) return false;
  }
  return true;
}
}  // namespace

TEST_CASE("rfc3339_utc formats UTC with milliseconds", "[time]") {
  CHECK(rfc3339_utc(0) == "1970-01-01T00:00:00.000Z");
  CHECK(rfc3339_utc(1'795'316'775'123'456'789) == "2026-11-22T03:06:15.123Z");
  CHECK(rfc3339_utc(999'999) == "1970-01-01T00:00:00.000Z");  // truncated, not rounded
  CHECK(rfc3339_utc(-1) == "1969-12-31T23:59:59.999Z");
}

TEST_CASE("rfc3339_now and clock_hms have the documented shape", "[time]") {
  CHECK(has_shape(rfc3339_now(), "9999-99-99T99:99:99.999Z"));
  CHECK(has_shape(clock_hms(), "99:99:99"));
}

TEST_CASE("monotonic_ns never goes backwards", "[time]") {
  uint64_t a = monotonic_ns();
  uint64_t b = monotonic_ns();
  CHECK(a > 0);
  CHECK(b >= a);
}

namespace {
// Clocks a test moves by hand.
uint64_t fake_realtime = 0, fake_monotonic = 0;
uint64_t read_fake_realtime() { return fake_realtime; }
uint64_t read_fake_monotonic() { return fake_monotonic; }
}  // namespace

TEST_CASE("MonotonicToRealtime follows a step of the wall clock at its next refresh", "[time]") {
  constexpr uint64_t kHour = 3600ull * 1'000'000'000;
  fake_realtime = 1'795'316'775'000'000'000;
  fake_monotonic = 5'000'000'000;
  MonotonicToRealtime wall(read_fake_realtime, read_fake_monotonic);
  CHECK(wall.realtime_of(6'000'000'000) == fake_realtime + 1'000'000'000);  // a second later
  fake_monotonic += 2'000'000'000;
  fake_realtime += 2'000'000'000 - kHour;  // two seconds pass, and NTP steps the clock an hour back
  CHECK(wall.realtime_of(fake_monotonic) == fake_realtime + kHour);  // not refreshed: still the old offset
  wall.refresh();
  CHECK(wall.realtime_of(fake_monotonic) == fake_realtime);
  CHECK(wall.realtime_of(fake_monotonic - 500) == fake_realtime - 500);
}

TEST_CASE("MonotonicToRealtime on the real clocks agrees with CLOCK_REALTIME", "[time]") {
  const MonotonicToRealtime wall;
  const uint64_t before = realtime_ns();
  const uint64_t converted = wall.realtime_of(monotonic_ns());
  const uint64_t after = realtime_ns();
  CHECK(converted + 1'000'000 >= before);  // within a ms: the offset is read in two clock reads
  CHECK(converted <= after + 1'000'000);
}
