// The Prometheus text exposition format (version 0.0.4) of the cumulative
// model, for syslatd's GET /metrics. Pure: no BPF, no HTTP.
//
// Series: syscall_total, syscall_errors_total, syscall_slow_total, the
// syscall_duration_seconds histogram and syscall_state_seconds_total (its
// sum split by state="oncpu|runq|iowait|sleep"), labelled syscall="read"; i386 calls
// (32-bit callers on x86_64) also carry abi="i386", so the same name of the
// two ABIs never shares a series (abi="" selects the native ones). With
// per-process counts (-P), syscall_total and syscall_errors_total carry
// pid and comm instead of being system-wide; pids beyond the cap are one
// pid="other" series per syscall. Then the tool's health:
// syslat_events_lost_total{reason}, syslat_bpf_attached,
// syslat_target_present, syslat_build_info. And the anomalies of the 1 s
// polls (core/anomaly.h): syscall_anomaly_score (gauge, robust units) and
// syscall_anomalies_total{what="p50|p99|rate"} (counter).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <string_view>
#include <vector>

#include "core/anomaly.h"
#include "core/cumulative.h"

namespace syslat::exporter {

inline constexpr const char* kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

struct PrometheusMeta {
  std::string version;
  std::string kernel;  // uname -r
  std::string backend = "bpf";
  bool bpf_attached = false;
  // -c/--unit: the cgroup counted exists (a restarted unit's is made again;
  // while there is none, nothing is counted). True without one.
  bool target_present = true;
  bool per_process = false;  // -P: pid/comm labels on the call counters
  // The source splits timed calls' time (BpfOptions::states):
  // syscall_state_seconds_total is served.
  bool states = false;
  // The histogram's finite `le` bounds in ns, ascending, each a kernel
  // bucket boundary (core::bucket_bound_at_or_below) so the counts are exact.
  std::vector<uint64_t> bucket_bounds_ns;
};

// 2^10 ns .. 2^32 ns (1.024 us .. 4.29 s), one per power of two: each one a
// kernel bucket boundary.
std::vector<uint64_t> default_bucket_bounds_ns();

// A label value as the format wants it. Its bytes are escaped first
// (util::escaped: ESC becomes the text \33, and only printable ASCII is
// left, so a comm can neither fail a scrape as bad UTF-8 nor reach a
// terminal raw), then \ and " get their backslash: ESC is \\33 in the text.
std::string escape_label_value(std::string_view value);

// What the anomaly detector said of syslatd's polls.
struct AnomalyMetrics {
  std::map<core::SyscallId, double> scores;  // of the last poll (core::AnomalyDetector::scores)
  std::map<std::pair<core::SyscallId, core::AnomalyKind>, uint64_t> started;  // anomalies since start
};

// With `anomalies`, every syscall seen has a syscall_anomaly_score (0 when
// not judged or below its baseline) and a syscall_anomalies_total per what.
std::string render_prometheus(const core::CumulativeStats& stats, const PrometheusMeta& meta,
                              const AnomalyMetrics* anomalies = nullptr);

}  // namespace syslat::exporter
