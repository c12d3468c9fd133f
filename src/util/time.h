// Clocks and timestamps for reports.
#pragma once

#include <cstdint>
#include <string>

namespace syslat::util {

// CLOCK_MONOTONIC in nanoseconds (the clock bpf_ktime_get_ns() uses).
uint64_t monotonic_ns();

// CLOCK_REALTIME in nanoseconds since the Unix epoch.
uint64_t realtime_ns();

// Current UTC time as RFC 3339 with milliseconds: "2026-11-22T03:06:15.123Z".
std::string rfc3339_now();

// The same format for a given time in nanoseconds since the Unix epoch
// (negative values are before 1970).
std::string rfc3339_utc(int64_t unix_ns);

// Local wall-clock "HH:MM:SS" for report headers.
std::string clock_hms();

// Local wall-clock "HH:MM:SS.mmm" of a time in ns since the Unix epoch
// (sysslow events).
std::string clock_hms_ms(uint64_t unix_ns);

}  // namespace syslat::util
