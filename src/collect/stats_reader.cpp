#include "collect/stats_reader.h"

#include <algorithm>
#include <utility>

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

// The split of the calls between two cumulative readings.
core::TimeSplit since(const core::TimeSplit& now, const core::TimeSplit& last) {
  return {now.runq_ns - last.runq_ns, now.iowait_ns - last.iowait_ns, now.sleep_ns - last.sleep_ns,
          now.switched - last.switched, now.switches - last.switches};
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

// A timed row is read between two equal readings of its seq with no update
// in progress (see syscall_stats in syslat.h), so every call is in this
// poll's read with all of its parts or in none of them. min/max swapped out
// by an attempt that saw an update are kept in `r`: the calls they came from
// are complete by the reading that succeeds, so they are in its histogram.
// False when no reading was stable within the bound (a writer preempted in
// the middle of its update): the row is then read at the next poll, with
// the extremes already swapped out.
// Counting mode has no seq (it stays 0): its counters need no consistency.
bool StatsReader::read_row(syscall_stats& live, const syscall_hist* hist, syscall_hist* hist_now, RowRead& r) {
  constexpr int kMaxAttempts = 10'000;  // a writer's update takes well under a microsecond
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    const uint64_t seq = __atomic_load_n(&live.seq, __ATOMIC_ACQUIRE);
    if (SYSLAT_SEQ_IN_PROGRESS(seq)) {
#if defined(__x86_64__)
      __builtin_ia32_pause();
#endif
      continue;
    }
    r.calls = load_relaxed(live.calls);
    r.errors = load_relaxed(live.errors);
    r.total_ns = load_relaxed(live.total_ns);
    r.entry_not_seen = load_relaxed(live.entry_not_seen);
    r.slow = load_relaxed(live.slow);
    r.split = {load_relaxed(live.off_ns[SYSLAT_STATE_RUNQ]), load_relaxed(live.off_ns[SYSLAT_STATE_IOWAIT]),
               load_relaxed(live.off_ns[SYSLAT_STATE_SLEEP]), load_relaxed(live.switched),
               load_relaxed(live.switches)};
    if (hist_now) {
      const uint64_t mn = take(live.min_ns), mx = take(live.max_ns);
      if (mn) r.min_ns = r.min_ns ? std::min(r.min_ns, mn) : mn;
      r.max_ns = std::max(r.max_ns, mx);
    }
    if (hist && hist_now) {
      for (unsigned b = 0; b < HIST_NBUCKETS; ++b) hist_now->count[b] = load_relaxed(hist->count[b]);
    }
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    if (__atomic_load_n(&live.seq, __ATOMIC_RELAXED) == seq) return true;
  }
  return false;
}

// Counters are cumulative, so a poll takes differences; min/max are swapped
// out, so each poll gets the extremes since the last one. In counting mode a
// program still running on another CPU may have bumped `calls` but not yet
// `errors`, so a row that changed is read once more at the next poll.
void StatsReader::read_slot(uint32_t slot, core::Sample& out) {
  auto& rows = state_[slot];
  if (!rows) rows = std::make_unique<std::vector<RowState>>(rows_);
  // 1 + the slot's histogram (0, or past the budget: none, its timed calls
  // counted as hist_full); without a table, every slot has its own.
  const uint32_t hist = !hists_.size() ? 0 : hist_of_slot_ ? load_relaxed(hist_of_slot_[slot]) : slot + 1;
  const bool timed = hists_.size() != 0;
  const bool with_hist = hist != 0 && size_t{hist} * rows_ <= hists_.size();
  core::SyscallStats d;
  syscall_hist hist_now;
  for (uint32_t row = 0; row < rows_; ++row) {
    const size_t i = size_t{slot} * rows_ + row;
    syscall_stats& live = stats_[i];
    RowState& last = (*rows)[row];
    const uint64_t calls = load_relaxed(live.calls);
    if (calls == last.calls && !last.active) continue;
    last.active = calls != last.calls;

    const syscall_hist* h = with_hist ? &hists_[size_t{hist - 1} * rows_ + row] : nullptr;
    RowRead now;
    now.min_ns = std::exchange(last.min_ns, 0);
    now.max_ns = std::exchange(last.max_ns, 0);
    if (!read_row(live, h, timed ? &hist_now : nullptr, now)) {
      last.min_ns = now.min_ns;
      last.max_ns = now.max_ns;
      last.active = true;
      continue;
    }
    core::SyscallStats r;
    r.calls = now.calls - last.calls;
    r.errors = now.errors - last.errors;
    r.total_ns = now.total_ns - last.total_ns;
    r.entry_not_seen = now.entry_not_seen - last.entry_not_seen;
    r.slow = now.slow - last.slow;
    r.split = since(now.split, last.split);
    r.min_ns = now.min_ns;
    r.max_ns = now.max_ns;
    last.calls = now.calls;
    last.errors = now.errors;
    last.total_ns = now.total_ns;
    last.entry_not_seen = now.entry_not_seen;
    last.slow = now.slow;
    last.split = now.split;
    if (h) {
      if (!last.hist) last.hist = std::make_unique<syscall_hist>();
      for (unsigned b = 0; b < HIST_NBUCKETS; ++b) {
        const uint32_t delta = hist_now.count[b] - last.hist->count[b];  // u32 wrap-safe, up to 2^32 per poll
        last.hist->count[b] = hist_now.count[b];
        r.hist.counts[b] += delta;
        r.timed += delta;
      }
    }
    d.merge(r);
  }
  // Every timed-mode call of a returning syscall lands in the histogram or in
  // entry_not_seen. Falling short by 2^31 or more means a bucket wrapped
  // (polling stalled for 2^32 calls of one bucket): say so.
  if (with_hist && !(layout_.flags[slot] & SYSLAT_SLOT_NORETURN)) {
    const uint64_t expected = d.calls - d.entry_not_seen;
    if (expected > d.timed && expected - d.timed >= (uint64_t{1} << 31)) out.health.hist_lost += expected - d.timed;
  }
  if (d.calls || d.timed || d.entry_not_seen) out.syscalls[layout_.id(slot)].merge(d);
}

}  // namespace syslat::collect
