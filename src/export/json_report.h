// docs/cli.md "Machine-readable output": one JSON object per report, snake_case keys, integer nanoseconds.
#pragma once

#include <string>

#include "core/report.h"

namespace syslat::exporter {

std::string report_json(const core::Report& report);

}  // namespace syslat::exporter
