// --csv: the rows of the JSON reports as CSV, one header line per stream.
#pragma once

#include <ostream>
#include <string>

#include "core/report.h"

namespace syslat::exporter {

// A field: its bytes escaped (util::escaped), then quoted as RFC 4180 wants
// when it holds separators or quotes.
std::string csv_field(const std::string& s);

void write_csv_header(std::ostream& out, const core::Report& report);
void write_csv_rows(std::ostream& out, const core::Report& report);

}  // namespace syslat::exporter
