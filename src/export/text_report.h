// Human-readable reports, in the shape syscount/strace -c users know.
#pragma once

#include <ostream>

#include "core/report.h"
#include "export/report_writer.h"

namespace syslat::exporter {

void write_count_text(std::ostream& out, const core::Report& report, const WriterOptions& options);
void write_lat_text(std::ostream& out, const core::Report& report, const WriterOptions& options);
// Lines about anything lost or not timed; nothing when all is well.
void write_health_text(std::ostream& out, const core::Report& report);

}  // namespace syslat::exporter
