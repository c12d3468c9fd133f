// sysslow's stream: one record per slow call as it happens (text, NDJSON per
// docs/cli.md, or CSV), and lost events said in the stream when they happen and
// once more at the end.
#pragma once

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>

#include "core/slow_event.h"
#include "export/report_writer.h"

namespace syslat::exporter {

class SlowWriter {
 public:
  virtual ~SlowWriter() = default;
  virtual void event(const core::SlowRecord& record) = 0;
  // `lost` events were dropped since the last call (ring buffer full).
  virtual void lost(uint64_t lost) = 0;
  // The end of the run: totals.
  virtual void summary(uint64_t events, uint64_t lost) = 0;
};

// One call as a line of NDJSON (docs/cli.md), without the newline: "type" is
// "slow" (with "stack"/"kstack") or "trace" (systrace -j: no stacks).
std::string call_json(const core::SlowRecord& record, std::string_view type);

std::unique_ptr<SlowWriter> make_slow_writer(std::ostream& out, Format format);

}  // namespace syslat::exporter
