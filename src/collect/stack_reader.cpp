#include "collect/stack_reader.h"

#include <bpf/bpf.h>

#include <algorithm>
#include <cerrno>
#include <string>

#include "collect/row_hash.h"
#include "collect/user_unwinder.h"
#include "core/syscall_table.h"
#include "util/proc.h"

namespace syslat::collect {
namespace {

// Why a call has no stack: bpf_get_stackid's error (see stack_key in syslat.h).
std::string missing_stack(int32_t stack_id) {
  switch (-stack_id) {
    case EEXIST: return "stack lost: another stack holds its slot in the stack map";
    case ENOMEM: return "stack lost: the stack map is full (--max-stacks)";
    case EFAULT: return "no user stack";
    default: return "stack lost: error " + std::to_string(-stack_id);
  }
}

}  // namespace

StackReader::StackReader(int stats_fd, int stacks_fd, int comm_fd, uint32_t cpu_rows,
                         const core::SlotLayout& layout, Namer namer, Unwinder unwinder, Pinner pinner)
    : stats_fd_(stats_fd), stacks_fd_(stacks_fd), comm_fd_(comm_fd), rows_(cpu_rows), layout_(layout),
      namer_(std::move(namer)), unwinder_(std::move(unwinder)), pinner_(std::move(pinner)) {}

namespace {

// The frame-pointer chain's return addresses (after the first frame) all in
// the unwound stack, in order: the chain only skipped frames (the caller of
// a libc wrapper that keeps no frame pointer), so every call under this key
// has the unwound stack, but for the line a skipped frame called from.
bool chain_within(std::span<const uint64_t> chain, std::span<const uint64_t> unwound) {
  size_t at = 1;
  for (size_t i = 1; i < chain.size(); ++i) {
    while (at < unwound.size() && unwound[at] != chain[i]) ++at;
    if (at == unwound.size()) return false;
    ++at;
  }
  return true;
}

}  // namespace

// Where a key's stack comes from. The kernel keys calls by the frame-pointer
// chain, which loses frames in code built without frame pointers (Debian's
// libc and packages): the announced first call, unwound from .eh_frame,
// names it instead when it goes deeper. If the chain is not within the
// unwound stack (a binary without frame pointers: the chain is junk past its
// first frame), calls with other stacks may share the key: the row is
// flagged (first_call) and the output says so.
void StackReader::capture(uint32_t tgid, int32_t stack_id, const new_stack_event* copy) {
  auto [it, inserted] = named_.try_emplace({tgid, stack_id});
  if (!inserted) return;
  Named& named = it->second;
  named.comm = process_name(tgid, comm_fd_);
  if (stack_id < 0) {
    named.missing = missing_stack(stack_id);
    return;
  }
  uint64_t ips[SYSLAT_PROFILE_DEPTH] = {};
  if (bpf_map_lookup_elem(stacks_fd_, &stack_id, ips) != 0) {
    named.missing = "stack lost: not in the stack map";
    return;
  }
  size_t depth = 0;
  while (depth < SYSLAT_PROFILE_DEPTH && ips[depth] != 0) ++depth;
  std::span<const uint64_t> chain(ips, depth);
  if (pinner_) pinner_(tgid);
  std::vector<uint64_t> unwound;
  if (copy && unwinder_)
    unwound = unwinder_(tgid, copy->ip, copy->sp, copy->bp, copied_stack(*copy));
  if (prefer_unwound(unwound.size(), depth)) {
    named.first_call = !chain_within(chain, unwound);
    named.ips = std::move(unwound);
  } else {
    named.ips.assign(chain.begin(), chain.end());
  }
}

void StackReader::announced(const new_stack_event& event) { capture(event.key.tgid, event.key.stack_id, &event); }

void StackReader::find_reaped() {
  reaped_.clear();
  // One look per process, not per (stack, syscall) row of it (as ProcessReader does).
  for (auto it = live_.begin(); it != live_.end();) {
    const uint32_t tgid = std::get<0>(it->first);
    it = live_.upper_bound({tgid, INT32_MAX, UINT32_MAX});
    if (!util::process_alive(static_cast<pid_t>(tgid))) reaped_.insert(tgid);
  }
}

void StackReader::read() {
  for (const auto& [key, sum] : read_row_sums<stack_key>(stats_fd_, rows_)) {
    capture(key.tgid, key.stack_id);
    live_[{key.tgid, key.stack_id, key.slot}] = sum;
  }
  // Named now, not as announced: naming may read DWARF (tens of ms for a
  // large library), which the next announcements should not wait behind.
  for (auto& [key, named] : named_) {
    if (named.named) continue;
    named.named = true;
    if (named.ips.empty()) continue;
    named.frames = namer_(key.first, named.ips);
    // The innermost frame is always code (the syscall's own instruction);
    // past it a frame-pointer chain may hold junk that no module has.
    if (!named.frames.front().module && !util::process_alive(static_cast<pid_t>(key.first))) ++unnamed_;
  }
  for (uint32_t tgid : reaped_) forget(tgid);
  reaped_.clear();
}

// Its rows are final: kept here, its entries gone from the kernel's table.
void StackReader::forget(uint32_t tgid) {
  for (auto it = live_.lower_bound({tgid, INT32_MIN, 0}); it != live_.end() && std::get<0>(it->first) == tgid;) {
    finished_.push_back(row_of(it->first, it->second));
    stack_key key{tgid, std::get<1>(it->first), std::get<2>(it->first)};
    bpf_map_delete_elem(stats_fd_, &key);
    it = live_.erase(it);
  }
  for (auto it = named_.lower_bound({tgid, INT32_MIN}); it != named_.end() && it->first.first == tgid;)
    it = named_.erase(it);
}

core::StackRow StackReader::row_of(const Key& key, const proc_stats& totals) const {
  const auto& [tgid, stack_id, slot] = key;
  core::StackRow row;
  row.pid = tgid;
  if (auto it = named_.find({tgid, stack_id}); it != named_.end()) {
    row.comm = it->second.comm;
    row.frames = it->second.frames;
    row.missing = it->second.missing;
    row.first_call_stack = it->second.first_call;
  } else {
    row.comm = "?";
    row.missing = "stack not read";
  }
  const core::SyscallId id = layout_.id(slot);
  row.id = id;
  row.syscall = core::stack_syscall_name(id);
  row.calls = totals.calls;
  row.errors = totals.errors;
  row.timed = totals.timed;
  row.total_ns = totals.total_ns;
  row.off_cpu_ns = totals.off_ns;
  return row;
}

core::StackProfile StackReader::profile(uint64_t rows_lost, double duration_s, bool off_cpu_measured) const {
  core::StackProfile p;
  p.rows = finished_;
  for (const auto& [key, totals] : live_)
    if (totals.calls) p.rows.push_back(row_of(key, totals));
  p.duration_s = duration_s;
  p.off_cpu_measured = off_cpu_measured;
  p.rows_lost = rows_lost;
  p.stacks_unnamed = unnamed_;
  return p;
}

}  // namespace syslat::collect
