#include "collect/stats_reader.h"

namespace syslat::collect {
namespace {

template <class T>
T load_relaxed(const T& v) {
  return __atomic_load_n(&v, __ATOMIC_RELAXED);
}

template <class T>
T take(T& v) {
  return __atomic_exchange_n(&v, T{0}, __ATOMIC_RELAXED);
}

}  // namespace

StatsReader::StatsReader(MappedArray<syscall_stats> stats, MappedArray<syscall_hist> hists,
                         const __u64* used_slots, const __u32* hist_of_slot, const core::SlotLayout& layout,
                         uint32_t cpu_rows)
    : stats_(std::move(stats)),
      hists_(std::move(hists)),
      used_slots_(used_slots),
      hist_of_slot_(hist_of_slot),
      layout_(layout),
      rows_(cpu_rows),
      state_(layout.size()) {}

void StatsReader::read(core::Sample& out) {
  for (uint32_t word = 0; word < SYSLAT_MAX_SLOTS / 64; ++word) {
    uint64_t bits = load_relaxed(used_slots_[word]);
    while (bits) {
      const uint32_t slot = word * 64 + static_cast<uint32_t>(__builtin_ctzll(bits));
      bits &= bits - 1;
      if (slot < layout_.size()) read_slot(slot, out);
    }
  }
}

// Counters are cumulative, so a poll takes differences; min/max are swapped
// out, so each poll gets the extremes since the last one. A program still
// running on another CPU may have bumped `calls` but not yet the rest, so a
// row that changed is read once more at the next poll.
void StatsReader::read_slot(uint32_t slot, core::Sample& out) {
  auto& rows = state_[slot];
  if (!rows) rows = std::make_unique<std::vector<RowState>>(rows_);
  // 1 + the slot's histogram (0: none, its timed calls counted as hist_full);
  // without a table, every slot has its own (slot s: histogram s).
  const uint32_t hist = !hists_.size() ? 0 : hist_of_slot_ ? load_relaxed(hist_of_slot_[slot]) : slot + 1;
  const bool timed = hists_.size() != 0;
  const bool with_hist = hist != 0 && size_t{hist} * rows_ <= hists_.size();
  core::SyscallStats d;
  for (uint32_t row = 0; row < rows_; ++row) {
    const size_t i = size_t{slot} * rows_ + row;
    syscall_stats& live = stats_[i];
    RowState& last = (*rows)[row];
    const uint64_t calls = load_relaxed(live.calls);
    if (calls == last.calls && !last.active) continue;
    last.active = calls != last.calls;

    const uint64_t errors = load_relaxed(live.errors);
    const uint64_t total = load_relaxed(live.total_ns);
    const uint64_t not_seen = load_relaxed(live.entry_not_seen);
    core::SyscallStats r;
    r.calls = calls - last.calls;
    r.errors = errors - last.errors;
    r.total_ns = total - last.total_ns;
    r.entry_not_seen = not_seen - last.entry_not_seen;
    last.calls = calls;
    last.errors = errors;
    last.total_ns = total;
    last.entry_not_seen = not_seen;
    if (timed) {
      r.min_ns = take(live.min_ns);
      r.max_ns = take(live.max_ns);
    }
    if (with_hist) {
      if (!last.hist) last.hist = std::make_unique<syscall_hist>();
      const syscall_hist& h = hists_[size_t{hist - 1} * rows_ + row];
      for (unsigned b = 0; b < HIST_NBUCKETS; ++b) {
        const uint32_t now = load_relaxed(h.count[b]);
        const uint32_t delta = now - last.hist->count[b];  // u32 wrap-safe, up to 2^32 per poll
        last.hist->count[b] = now;
        r.hist.counts[b] += delta;
        r.timed += delta;
      }
    }
    d.merge(r);
  }
  // Every timed-mode call of a returning syscall lands in the histogram or in
  // entry_not_seen. Falling short by 2^31 or more means a bucket wrapped
  // (polling stalled for 2^32 calls of one bucket): say so. Smaller
  // differences are calls caught half-recorded, read again next poll.
  if (with_hist && !(layout_.flags[slot] & SYSLAT_SLOT_NORETURN)) {
    const uint64_t expected = d.calls - d.entry_not_seen;
    if (expected > d.timed && expected - d.timed >= (uint64_t{1} << 31)) out.health.hist_lost += expected - d.timed;
  }
  if (d.calls || d.timed || d.entry_not_seen) out.syscalls[layout_.id(slot)].merge(d);
}

}  // namespace syslat::collect
