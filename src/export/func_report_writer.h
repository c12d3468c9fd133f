// Renderers of sysfunc's reports (core/func_report.h): a table with a
// histogram per function, newline-delimited JSON, CSV. One report per call.
#pragma once

#include <memory>
#include <ostream>

#include "core/func_report.h"
#include "export/report_writer.h"

namespace syslat::exporter {

class FuncReportWriter {
 public:
  virtual ~FuncReportWriter() = default;
  virtual void write(const core::FuncReport& report) = 0;
};

std::unique_ptr<FuncReportWriter> make_func_writer(std::ostream& out, const WriterOptions& options);

// A LOST: line per cause of what was not recorded; nothing when all is well.
void write_func_lost(std::ostream& out, const core::FuncHealth& health);

}  // namespace syslat::exporter
