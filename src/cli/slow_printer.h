// sysslow: turns each slow event from the kernel into a record people can
// read (decoded call, result, symbolized stacks) and hands it to the writer.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

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
  // `symbolizer`: the session's, which pins each process's modules as its
  // first event arrives (collect::BpfOptions::stack_pinner), so that a
  // process that exits at once still has its frames named.
  SlowPrinter(std::unique_ptr<exporter::SlowWriter> writer, collect::StackSymbolizer& symbolizer)
      : writer_(std::move(writer)), symbolizer_(symbolizer) {}
  void print(core::SlowEvent&& event);
  void lost(uint64_t n);
  void finish();
  uint64_t printed() const { return printed_; }
  uint64_t lost_count() const { return lost_; }
  // --html: keep the `n` slowest records (0: none), to be had at the end.
  void keep_slowest(size_t n) { keep_ = n; }
  std::vector<core::SlowRecord> slowest() const;  // slowest first

 private:
  std::unique_ptr<exporter::SlowWriter> writer_;
  collect::StackSymbolizer& symbolizer_;
  uint64_t printed_ = 0;
  uint64_t lost_ = 0;
  size_t keep_ = 0;
  std::vector<core::SlowRecord> slowest_;  // a min-heap by duration, at most keep_
};

}  // namespace syslat::cli
