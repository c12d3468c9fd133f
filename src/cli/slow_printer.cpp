#include "cli/slow_printer.h"

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
}

void SlowPrinter::lost(uint64_t n) {
  if (!n) return;
  lost_ += n;
  writer_->lost(n);
}

void SlowPrinter::finish() { writer_->summary(printed_, lost_); }

}  // namespace syslat::cli
