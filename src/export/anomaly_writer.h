// Anomalies (core/anomaly.h) as text lines under a -i report and as
// {"type":"anomaly",...} JSON objects (docs/cli.md, "Anomalies").
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <span>
#include <string>

#include "core/anomaly.h"
#include "core/auto_threshold.h"
#include "export/report_writer.h"

namespace syslat::exporter {

// {"type":"anomaly","time":...,"syscall":"read","nr":0,"abi":"x86_64",
//  "what":"p99","baseline":N,"now":N,"unit":"ns"|"calls_per_s","score":X}:
// latencies in integer ns, rates in calls per second. `time` is when the
// interval judged ended.
nlohmann::ordered_json anomaly_json(const core::Anomaly& anomaly, const std::string& time);

// "read p99 1.05ms -> 21.0ms (+37.2 robust units)",
// "futex calls/s 0 -> 50000 (+61.6 robust units)".
std::string anomaly_text(const core::Anomaly& anomaly);

// "ANOMALY read p99 1.05ms -> 21.0ms (+37.2 robust units)" per anomaly,
// "ANOMALY futex calls/s 0 -> 50000 (+61.6 robust units)".
void write_anomalies_text(std::ostream& out, std::span<const core::Anomaly> anomalies);
// One JSON line per anomaly.
void write_anomalies_json(std::ostream& out, std::span<const core::Anomaly> anomalies, const std::string& time);

// sysslow --threshold auto, at the end: the learned thresholds. Text: "auto
// thresholds after 30 intervals: nanosleep 2.61ms (baseline p99.9
// 1.30ms), ..." (or none learned yet); JSON: {"type":"thresholds","time":
// ...,"intervals":30,"thresholds":[{"syscall":"nanosleep",
// "threshold_ns":N,"baseline_p999_ns":N}]}; CSV: nothing.
void write_thresholds(std::ostream& out, Format format, const std::map<std::string, core::LearnedThreshold>& learned,
                      size_t intervals, const std::string& time);

}  // namespace syslat::exporter
