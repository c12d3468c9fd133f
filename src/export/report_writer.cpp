#include "export/report_writer.h"

#include "export/csv_report.h"
#include "export/json_report.h"
#include "export/text_report.h"

namespace syslat::exporter {
namespace {

class TextWriter final : public ReportWriter {
 public:
  TextWriter(std::ostream& out, WriterOptions o) : out_(out), o_(o) {}
  void write(const core::Report& r) override {
    if (r.kind == core::ReportKind::Lat)
      write_lat_text(out_, r, o_);
    else
      write_count_text(out_, r, o_);
  }

 private:
  std::ostream& out_;
  WriterOptions o_;
};

class JsonWriter final : public ReportWriter {
 public:
  explicit JsonWriter(std::ostream& out) : out_(out) {}
  void write(const core::Report& r) override {
    out_ << report_json(r) << '\n';
    out_.flush();
  }

 private:
  std::ostream& out_;
};

class CsvWriter final : public ReportWriter {
 public:
  explicit CsvWriter(std::ostream& out) : out_(out) {}
  void write(const core::Report& r) override {
    if (!header_written_) write_csv_header(out_, r);
    header_written_ = true;
    write_csv_rows(out_, r);
  }

 private:
  std::ostream& out_;
  bool header_written_ = false;
};

}  // namespace

std::unique_ptr<ReportWriter> make_writer(std::ostream& out, const WriterOptions& o) {
  switch (o.format) {
    case Format::Json: return std::make_unique<JsonWriter>(out);
    case Format::Csv: return std::make_unique<CsvWriter>(out);
    case Format::Text: break;
  }
  return std::make_unique<TextWriter>(out, o);
}

}  // namespace syslat::exporter
