#include "util/time.h"

#include <fmt/format.h>
#include <time.h>

namespace syslat::util {

namespace {

uint64_t clock_ns(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
}

}  // namespace

uint64_t monotonic_ns() { return clock_ns(CLOCK_MONOTONIC); }

uint64_t realtime_ns() { return clock_ns(CLOCK_REALTIME); }

MonotonicToRealtime::MonotonicToRealtime(Clock realtime, Clock monotonic) : realtime_(realtime), monotonic_(monotonic) {
  refresh();
}

void MonotonicToRealtime::refresh() {
  offset_ns_ = static_cast<int64_t>(realtime_()) - static_cast<int64_t>(monotonic_());
}

uint64_t MonotonicToRealtime::realtime_of(uint64_t monotonic) const {
  return static_cast<uint64_t>(static_cast<int64_t>(monotonic) + offset_ns_);
}

std::string rfc3339_utc(int64_t unix_ns) {
  // Floor division so that times before the epoch keep a positive ms part.
  int64_t unix_ms = unix_ns / 1'000'000;
  if (unix_ns % 1'000'000 < 0) --unix_ms;
  int64_t secs = unix_ms / 1000;
  int64_t ms = unix_ms % 1000;
  if (ms < 0) {
    ms += 1000;
    --secs;
  }
  time_t t = static_cast<time_t>(secs);
  tm utc{};
  gmtime_r(&t, &utc);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", utc.tm_year + 1900, utc.tm_mon + 1,
                     utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, ms);
}

std::string rfc3339_now() { return rfc3339_utc(static_cast<int64_t>(realtime_ns())); }

std::string clock_hms() {
  time_t now = time(nullptr);
  tm local{};
  localtime_r(&now, &local);
  return fmt::format("{:02}:{:02}:{:02}", local.tm_hour, local.tm_min, local.tm_sec);
}

std::string clock_hms_ms(uint64_t unix_ns) {
  const time_t secs = static_cast<time_t>(unix_ns / 1'000'000'000);
  tm local{};
  localtime_r(&secs, &local);
  return fmt::format("{:02}:{:02}:{:02}.{:03}", local.tm_hour, local.tm_min, local.tm_sec,
                     unix_ns / 1'000'000 % 1000);
}

}  // namespace syslat::util
