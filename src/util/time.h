// Clocks and timestamps for reports.
#pragma once

#include <cstdint>
#include <string>

namespace syslat::util {

// CLOCK_MONOTONIC in nanoseconds (the clock bpf_ktime_get_ns() uses).
uint64_t monotonic_ns();

// CLOCK_REALTIME in nanoseconds since the Unix epoch.
uint64_t realtime_ns();

// CLOCK_MONOTONIC times (the kernel's bpf_ktime_get_ns, our polls) as
// CLOCK_REALTIME. The offset between the two clocks is read at construction
// and again at each refresh(): refreshed before each batch of times, a
// clock step (NTP) or a slow slew after start is followed instead of being
// carried along for the rest of the run. The clocks can be replaced (tests).
class MonotonicToRealtime {
 public:
  using Clock = uint64_t (*)();
  explicit MonotonicToRealtime(Clock realtime = realtime_ns, Clock monotonic = monotonic_ns);
  void refresh();
  uint64_t realtime_of(uint64_t monotonic) const;

 private:
  Clock realtime_;
  Clock monotonic_;
  int64_t offset_ns_ = 0;  // realtime - monotonic
};

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
