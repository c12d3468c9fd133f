// Anomalies and learned thresholds as text and JSON (docs/cli.md).
#include <catch2/catch.hpp>

#include <sstream>

#include "export/anomaly_writer.h"

using namespace syslat;

TEST_CASE("anomaly output: one ANOMALY line, one {\"type\":\"anomaly\"} object per anomaly", "[anomaly]") {
  const std::vector<core::Anomaly> found = {
      {core::SyscallId(35), core::AnomalyKind::P50, 1'094'029, 20'222'537, 33.66},
      {core::SyscallId(202), core::AnomalyKind::Rate, 0, 188'026.4, 70.1},
  };
  std::ostringstream text;
  exporter::write_anomalies_text(text, found);
  CHECK(text.str() ==
        "ANOMALY nanosleep p50 1.09ms -> 20.2ms (+33.7 robust units)\n"
        "ANOMALY futex calls/s 0 -> 188026 (+70.1 robust units)\n");
  std::ostringstream json;
  exporter::write_anomalies_json(json, found, "2026-12-07T20:13:08.345Z");
  CHECK(json.str() ==
        R"({"type":"anomaly","time":"2026-12-07T20:13:08.345Z","syscall":"nanosleep","nr":35,"abi":"x86_64",)"
        R"("what":"p50","baseline":1094029,"now":20222537,"unit":"ns","score":33.7})"
        "\n"
        R"({"type":"anomaly","time":"2026-12-07T20:13:08.345Z","syscall":"futex","nr":202,"abi":"x86_64",)"
        R"("what":"rate","baseline":0.0,"now":188026.4,"unit":"calls_per_s","score":70.1})"
        "\n");
}

TEST_CASE("learned thresholds: printed at the end, as a line or a thresholds object", "[anomaly]") {
  std::map<std::string, core::LearnedThreshold> learned = {{"nanosleep", {8'528'507, 2'057'872}}};
  std::ostringstream text, json, none;
  exporter::write_thresholds(text, exporter::Format::Text, learned, 16, "2026-12-07T19:45:14.005Z");
  CHECK(text.str() == "auto thresholds after 16 intervals: nanosleep 8.53ms (baseline p99.9 2.06ms)\n");
  exporter::write_thresholds(json, exporter::Format::Json, learned, 16, "2026-12-07T19:45:14.005Z");
  CHECK(json.str() ==
        R"({"type":"thresholds","time":"2026-12-07T19:45:14.005Z","intervals":16,"thresholds":[)"
        R"({"syscall":"nanosleep","threshold_ns":8528507,"baseline_p999_ns":2057872}]})"
        "\n");
  exporter::write_thresholds(none, exporter::Format::Text, {}, 3, "");
  CHECK(none.str() == "auto thresholds after 3 intervals: none learned yet (the fixed default until then)\n");
}
