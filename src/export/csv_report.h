// --csv: the rows of the JSON reports as CSV, one header line per stream.
#pragma once

#include <ostream>

#include "core/report.h"

namespace syslat::exporter {

void write_csv_header(std::ostream& out, core::ReportKind kind);
void write_csv_rows(std::ostream& out, const core::Report& report);

}  // namespace syslat::exporter
