// Renderers of reports: text tables, newline-delimited JSON, CSV. Each
// writes one report per call to the stream it was given.
#pragma once

#include <memory>
#include <ostream>

#include "core/report.h"

namespace syslat::exporter {

enum class Format { Text, Json, Csv };

struct WriterOptions {
  Format format = Format::Text;
  bool milliseconds = false;  // -m: latency columns in ms instead of us
  bool timestamps = false;    // text: a [HH:MM:SS] line before each report (-i)
};

class ReportWriter {
 public:
  virtual ~ReportWriter() = default;
  virtual void write(const core::Report& report) = 0;
};

std::unique_ptr<ReportWriter> make_writer(std::ostream& out, const WriterOptions& options);

}  // namespace syslat::exporter
