// Human-readable reports, in the shape syscount/strace -c users know.
#pragma once

#include <ostream>
#include <string>

#include "core/report.h"
#include "export/report_writer.h"

namespace syslat::exporter {

void write_count_text(std::ostream& out, const core::Report& report, const WriterOptions& options);
void write_lat_text(std::ostream& out, const core::Report& report, const WriterOptions& options);
// The log2 view of a histogram, a row per bucket with a bar of stars (the
// shape of bcc's histograms); nothing if it is empty.
void write_histogram_text(std::ostream& out, const core::Histogram& histogram);
// "1 call", "2 calls": the health lines are read by people.
std::string count_of(uint64_t n, const char* one, const char* many);
// Lines about anything lost or not timed; nothing when all is well.
void write_health_text(std::ostream& out, const core::Report& report);

}  // namespace syslat::exporter
