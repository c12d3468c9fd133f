// docs/cli.md "Machine-readable output": one JSON object per report, snake_case keys, integer nanoseconds.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "core/report.h"

namespace syslat::exporter {

std::string report_json(const core::Report& report);

// The log2 view of a histogram: [{"lo_ns","hi_ns" (null for the open last
// bucket),"count"}], as every report shows it.
nlohmann::ordered_json histogram_json(const core::Histogram& histogram);
// One line of newline-delimited JSON, ASCII only.
std::string json_line(const nlohmann::ordered_json& j);

}  // namespace syslat::exporter
