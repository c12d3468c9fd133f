// sysslow: turns each slow event from the kernel into a record people can
// read (decoded call, result, symbolized stacks) and hands it to the writer.
#pragma once

#include <cstdint>
#include <memory>

#include "collect/stack_symbolizer.h"
#include "core/slow_event.h"
#include "export/slow_writer.h"

namespace syslat::cli {

// "read(7</tmp/x>, 0x7ffd12345678, 8192)": the call as decoded from what the
// kernel captured (fds as the kernel found them when the call returned; one
// it could not name from /proc/PID/fd, while the process is still there).
std::string decoded_call(const core::SlowEvent& event);

class SlowPrinter {
 public:
  explicit SlowPrinter(std::unique_ptr<exporter::SlowWriter> writer) : writer_(std::move(writer)) {}
  void print(core::SlowEvent&& event);
  void lost(uint64_t n);
  void finish();
  uint64_t printed() const { return printed_; }

 private:
  std::unique_ptr<exporter::SlowWriter> writer_;
  collect::StackSymbolizer symbolizer_;
  uint64_t printed_ = 0;
  uint64_t lost_ = 0;
};

}  // namespace syslat::cli
