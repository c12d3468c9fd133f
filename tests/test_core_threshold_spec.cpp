// sysslow --threshold: a default and per-syscall overrides.
#include <catch2/catch.hpp>

#include "core/threshold_spec.h"

using syslat::core::ThresholdSpec;

TEST_CASE("thresholds: a default, per-name overrides, later values win", "[threshold]") {
  ThresholdSpec t;
  CHECK(t.for_name("read") == 10'000'000);  // 10 ms without --threshold
  REQUIRE(t.add("5ms"));
  REQUIRE(t.add("read=10ms,futex=1ms, connect=100ms"));
  CHECK(t.for_name("read") == 10'000'000);
  CHECK(t.for_name("futex") == 1'000'000);
  CHECK(t.for_name("connect") == 100'000'000);
  CHECK(t.for_name("write") == 5'000'000);
  CHECK(t.for_name("[unknown: 999]") == 5'000'000);
  REQUIRE(t.add("read=2us,1s"));
  CHECK(t.for_name("read") == 2'000);
  CHECK(t.for_name("write") == 1'000'000'000);
}

TEST_CASE("thresholds: bad items are errors that name them and change nothing", "[threshold]") {
  ThresholdSpec t;
  REQUIRE(t.add("read=1ms"));
  auto bad = t.add("write=2ms,raed=10ms");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message == "unknown syscall 'raed' (did you mean 'read'?)");
  CHECK(t.for_name("write") == 10'000'000);  // the good item before it was not kept either
  CHECK(t.add("read=").error().message == "'read=': missing duration (expected NAME=DUR)");
  CHECK_FALSE(t.add("10"));      // a bare number has no unit
  CHECK_FALSE(t.add("-5ms"));
  CHECK_FALSE(t.add(""));
  CHECK_FALSE(t.add("read=1ms,,write=2ms"));
  CHECK(t.for_name("read") == 1'000'000);
}

TEST_CASE("thresholds: auto as the default or per name, later values win", "[threshold][anomaly]") {
  ThresholdSpec t;
  REQUIRE(t.add("auto,futex=1ms"));
  CHECK(t.is_auto("read"));
  CHECK_FALSE(t.is_auto("futex"));
  CHECK(t.for_name("read") == 10'000'000);  // until learned: the fixed default
  CHECK(t.describe() == "auto, futex 1.00ms");
  REQUIRE(t.add("5ms,read=auto"));
  CHECK_FALSE(t.is_auto("write"));
  CHECK(t.is_auto("read"));
  CHECK(t.for_name("read") == 5'000'000);
  REQUIRE(t.add("read=2ms"));
  CHECK_FALSE(t.any_auto());
  CHECK(t.add("raed=auto").error().message == "unknown syscall 'raed' (did you mean 'read'?)");
}
