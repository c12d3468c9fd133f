#include "cli/slow_printer.h"

#include <algorithm>

#include "decode/format.h"
#include "syslat.h"

namespace syslat::cli {

std::string decoded_call(const core::SlowEvent& event) {
  if (event.decoded) return *event.decoded;  // the ptrace backend decoded it already
  decode::CallContext ctx;
  ctx.pid = event.pid;
  ctx.path = event.path;
  ctx.fd_targets = event.fd_targets;
  // The kernel kept SYSLAT_PATH_LEN bytes with the NUL: a path that filled them was cut.
  ctx.path_truncated = event.path && event.path->size() >= SYSLAT_PATH_LEN - 1;
  return decode::format_call(event.id, event.args, ctx);
}

void SlowPrinter::print(core::SlowEvent&& event) {
  core::SlowRecord r;
  r.call = decoded_call(event);
  r.result = decode::format_return(event.id, event.ret, &event.args);
  r.user_stack = symbolizer_.user_stack(event.pid, event.user_stack);
  r.kernel_stack = symbolizer_.kernel_stack(event.kernel_stack);
  r.event = std::move(event);
  writer_->event(r);
  ++printed_;
  if (keep_ == 0) return;
  const auto faster = [](const core::SlowRecord& a, const core::SlowRecord& b) {
    return a.event.duration_ns > b.event.duration_ns;
  };
  if (slowest_.size() == keep_ && r.event.duration_ns <= slowest_.front().event.duration_ns) return;
  slowest_.push_back(std::move(r));
  std::push_heap(slowest_.begin(), slowest_.end(), faster);
  if (slowest_.size() > keep_) {
    std::pop_heap(slowest_.begin(), slowest_.end(), faster);
    slowest_.pop_back();
  }
}

std::vector<core::SlowRecord> SlowPrinter::slowest() const {
  std::vector<core::SlowRecord> out = slowest_;
  std::stable_sort(out.begin(), out.end(), [](const core::SlowRecord& a, const core::SlowRecord& b) {
    return a.event.duration_ns > b.event.duration_ns;
  });
  return out;
}

void SlowPrinter::lost(uint64_t n) {
  if (!n) return;
  lost_ += n;
  writer_->lost(n);
}

void SlowPrinter::finish() { writer_->summary(printed_, lost_); }

}  // namespace syslat::cli
