#include "export/anomaly_writer.h"

#include <fmt/format.h>

#include <cmath>

#include "core/report.h"
#include "export/json_report.h"
#include "util/duration.h"

namespace syslat::exporter {
namespace {

bool is_rate(const core::Anomaly& a) { return a.kind == core::AnomalyKind::Rate; }

std::string value_text(const core::Anomaly& a, double value) {
  if (is_rate(a)) return fmt::format("{:.0f}", value);
  return util::format_duration_ns(static_cast<uint64_t>(std::llround(value)));
}

}  // namespace

nlohmann::ordered_json anomaly_json(const core::Anomaly& a, const std::string& time) {
  nlohmann::ordered_json j;
  j["type"] = "anomaly";
  j["time"] = time;
  j["syscall"] = core::slot_name(a.id);
  j["nr"] = a.id.nr == core::kUnknownOverflow ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(a.id.nr);
  j["abi"] = core::abi_name(a.id.abi);
  j["what"] = core::anomaly_kind_key(a.kind);
  if (is_rate(a)) {
    j["baseline"] = a.baseline;
    j["now"] = a.now;
    j["unit"] = "calls_per_s";
  } else {
    j["baseline"] = static_cast<uint64_t>(std::llround(a.baseline));
    j["now"] = static_cast<uint64_t>(std::llround(a.now));
    j["unit"] = "ns";
  }
  j["score"] = std::round(a.score * 10) / 10;
  return j;
}

std::string anomaly_text(const core::Anomaly& a) {
  return fmt::format("{} {} {} -> {} (+{:.1f} robust units)", core::display_name(a.id),
                     is_rate(a) ? "calls/s" : core::anomaly_kind_key(a.kind), value_text(a, a.baseline),
                     value_text(a, a.now), a.score);
}

void write_anomalies_text(std::ostream& out, std::span<const core::Anomaly> anomalies) {
  for (const core::Anomaly& a : anomalies) out << "ANOMALY " << anomaly_text(a) << '\n';
  out.flush();
}

void write_anomalies_json(std::ostream& out, std::span<const core::Anomaly> anomalies, const std::string& time) {
  for (const core::Anomaly& a : anomalies) out << json_line(anomaly_json(a, time)) << '\n';
  out.flush();
}

void write_thresholds(std::ostream& out, Format format, const std::map<std::string, core::LearnedThreshold>& learned,
                      size_t intervals, const std::string& time) {
  if (format == Format::Json) {
    nlohmann::ordered_json j;
    j["type"] = "thresholds";
    j["time"] = time;
    j["intervals"] = intervals;
    auto rows = nlohmann::ordered_json::array();
    for (const auto& [name, t] : learned)
      rows.push_back({{"syscall", name}, {"threshold_ns", t.threshold_ns}, {"baseline_p999_ns", t.baseline_p999_ns}});
    j["thresholds"] = std::move(rows);
    out << json_line(j) << '\n';
  } else if (format == Format::Text) {
    std::string line = fmt::format("auto thresholds after {} intervals:", intervals);
    if (learned.empty()) line += " none learned yet (the fixed default until then)";
    const char* sep = " ";
    for (const auto& [name, t] : learned) {
      line += fmt::format("{}{} {} (baseline p99.9 {})", sep, name, util::format_duration_ns(t.threshold_ns),
                          util::format_duration_ns(t.baseline_p999_ns));
      sep = ", ";
    }
    out << line << '\n';
  }
  out.flush();
}

}  // namespace syslat::exporter
