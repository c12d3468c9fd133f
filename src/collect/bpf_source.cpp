#include "collect/bpf_source.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "collect/bpf_env.h"
#include "collect/mapped_array.h"
#include "collect/process_reader.h"
#include "syslat.h"
#include "syslat.skel.h"
#include "util/fd.h"
#include "util/time.h"

namespace syslat::collect {
namespace {

bool g_verbose = false;

int libbpf_print(enum libbpf_print_level level, const char* fmt, va_list args) {
  if (!g_verbose && level != LIBBPF_WARN) return 0;
  if (!g_verbose) return 0;  // warnings too: errors are reported by us, with context
  return vfprintf(stderr, fmt, args);
}

template <class T>
T load_relaxed(const T& v) {
  return __atomic_load_n(&v, __ATOMIC_RELAXED);
}

template <class T>
T take(T& v) {
  return __atomic_exchange_n(&v, T{0}, __ATOMIC_RELAXED);
}

std::string errno_text(int err) { return std::strerror(err < 0 ? -err : err); }

// The programs of one attachment family, in attach order: sched_switch must
// park slots before any sys_enter fills one, and sys_exit comes last so that
// calls entering meanwhile are already being timed.
struct ProgramSet {
  bpf_program* signal_deliver;
  bpf_program* sched_switch;
  bpf_program* fork;
  bpf_program* task_exit;
  bpf_program* enter;
  bpf_program* exit;
};

ProgramSet btf_programs(syslat_bpf* s) {
  return {s->progs.signal_deliver_btf, s->progs.sched_switch_btf, s->progs.sched_process_fork_btf, s->progs.sched_process_exit_btf,
          s->progs.sys_enter_btf, s->progs.sys_exit_btf};
}

ProgramSet classic_programs(syslat_bpf* s) {
  return {s->progs.signal_deliver_tp, s->progs.sched_switch_tp, s->progs.sched_process_fork_tp, s->progs.sched_process_exit_tp,
          s->progs.sys_enter_tp, s->progs.sys_exit_tp};
}

}  // namespace

struct BpfSource::Impl {
  BpfOptions options;
  syslat_bpf* skel = nullptr;
  bool btf = true;
  unsigned ncpus = 0;
  MappedArray<syscall_stats> stats;
  MappedArray<syscall_hist> hists;
  std::vector<syscall_stats> last_stats;  // per (cpu, slot), as last read
  std::vector<syscall_hist> last_hists;
  std::vector<bool> active;               // changed at the previous poll: read again once
  std::unique_ptr<ProcessReader> processes;
  util::UniqueFd cgroup_fd;
  syslat_counters last_counters{};
  uint64_t last_poll_ns = 0;

  ~Impl() { syslat_bpf__destroy(skel); }

  ProgramSet programs() const { return btf ? btf_programs(skel) : classic_programs(skel); }
  std::map<int32_t, unknown_stats> last_unknown;
  void read_syscalls(core::Sample& out);
  void read_unknown(core::Sample& out);
  void read_health(core::Sample& out);
};

BpfSource::BpfSource(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
BpfSource::~BpfSource() = default;

util::Expected<std::unique_ptr<BpfSource>> BpfSource::load(const BpfOptions& options) {
  g_verbose = options.verbose;
  libbpf_set_print(libbpf_print);

  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->btf = !options.force_classic && have_btf_syscall_tracepoints();
  if (!impl->btf) {
    if (auto ok = ensure_tracefs(); !ok) return ok.error();
  }
  int ncpus = libbpf_num_possible_cpus();
  if (ncpus <= 0) return util::make_error("cannot determine the number of CPUs: " + errno_text(ncpus));
  impl->ncpus = static_cast<unsigned>(ncpus);

  impl->skel = syslat_bpf__open();
  if (!impl->skel) return util::make_error("cannot open the BPF object: " + errno_text(errno));
  syslat_bpf* s = impl->skel;
  s->rodata->timed = options.timed;
  s->rodata->per_process = options.per_process;
  s->rodata->follow_forks = options.follow_forks;

  const uint32_t slots = impl->ncpus * SYSLAT_NSLOTS;
  bpf_map__set_max_entries(s->maps.stats, slots);
  bpf_map__set_max_entries(s->maps.hists, options.timed ? slots : 1);
  bpf_map__set_max_entries(s->maps.proc_stats, options.per_process ? options.max_process_entries : 1);
  bpf_map__set_max_entries(s->maps.proc_comm, options.per_process ? options.max_process_entries : 1);

  // Load only the family in use, and only the programs the mode needs.
  const ProgramSet use = impl->programs();
  const ProgramSet other = impl->btf ? classic_programs(s) : btf_programs(s);
  for (bpf_program* p : {other.signal_deliver, other.sched_switch, other.fork, other.task_exit, other.enter, other.exit})
    bpf_program__set_autoload(p, false);
  bpf_program__set_autoload(use.sched_switch, options.timed);
  bpf_program__set_autoload(use.enter, options.timed);
  bpf_program__set_autoload(use.fork, options.follow_forks);

  if (int err = syslat_bpf__load(s); err) {
    return util::make_error("cannot load the BPF programs: " + errno_text(err) +
                            (options.verbose ? "" : " (--verbose shows the verifier log)"));
  }
  auto stats = MappedArray<syscall_stats>::map(bpf_map__fd(s->maps.stats), slots);
  if (!stats) return stats.error();
  impl->stats = std::move(*stats);
  impl->last_stats.assign(slots, syscall_stats{});
  impl->active.assign(slots, false);
  if (options.timed) {
    auto hists = MappedArray<syscall_hist>::map(bpf_map__fd(s->maps.hists), slots);
    if (!hists) return hists.error();
    impl->hists = std::move(*hists);
    impl->last_hists.assign(slots, syscall_hist{});
  }
  if (options.per_process) {
    impl->processes = std::make_unique<ProcessReader>(bpf_map__fd(s->maps.proc_stats),
                                                      bpf_map__fd(s->maps.proc_comm), impl->ncpus);
  }
  return std::unique_ptr<BpfSource>(new BpfSource(std::move(impl)));
}

bool BpfSource::btf_tracepoints() const { return impl_->btf; }

util::Expected<void> BpfSource::attach() {
  const ProgramSet p = impl_->programs();
  syslat_bpf* s = impl_->skel;
  struct Step {
    bpf_program* prog;
    bpf_link** link;
    const char* what;
  };
  const bool btf = impl_->btf;
  const Step steps[] = {
      {p.signal_deliver, btf ? &s->links.signal_deliver_btf : &s->links.signal_deliver_tp, "signal_deliver"},
      {p.sched_switch, btf ? &s->links.sched_switch_btf : &s->links.sched_switch_tp, "sched_switch"},
      {p.fork, btf ? &s->links.sched_process_fork_btf : &s->links.sched_process_fork_tp, "sched_process_fork"},
      {p.task_exit, btf ? &s->links.sched_process_exit_btf : &s->links.sched_process_exit_tp,
       "sched_process_exit"},
      {p.enter, btf ? &s->links.sys_enter_btf : &s->links.sys_enter_tp, "sys_enter"},
      {p.exit, btf ? &s->links.sys_exit_btf : &s->links.sys_exit_tp, "sys_exit"},
  };
  for (const Step& step : steps) {
    if (!bpf_program__autoload(step.prog)) continue;
    bpf_link* link = bpf_program__attach(step.prog);
    if (!link) return util::make_error(std::string("cannot attach to ") + step.what + ": " + errno_text(errno));
    *step.link = link;  // owned by the skeleton: syslat_bpf__destroy detaches
  }
  impl_->last_poll_ns = util::monotonic_ns();
  return {};
}

util::Expected<void> BpfSource::apply(const core::FilterSpec& f) {
  auto* bss = impl_->skel->bss;
  syslat_filter& kf = bss->filter;
  // Turn filtering off while the sets are rewritten, then publish the flags.
  __atomic_store_n(&kf.flags, 0u, __ATOMIC_SEQ_CST);
  uint32_t flags = 0;

  std::memset(bss->tgid_bits, 0, sizeof(bss->tgid_bits));
  std::memset(bss->tid_bits, 0, sizeof(bss->tid_bits));
  auto set_bit = [](__u64* bits, uint32_t id) { bits[(id >> 6) % SYSLAT_PID_WORDS] |= 1ull << (id & 63); };
  for (uint32_t pid : f.pids) set_bit(bss->tgid_bits, pid);
  for (uint32_t tid : f.tids) set_bit(bss->tid_bits, tid);
  if (!f.pids.empty()) flags |= SYSLAT_FILTER_TGID;
  if (!f.tids.empty()) flags |= SYSLAT_FILTER_TID;
  if (f.uid) {
    kf.uid = *f.uid;
    flags |= SYSLAT_FILTER_UID;
  }
  if (f.comm) {
    std::memset(kf.comm, 0, sizeof(kf.comm));
    std::memcpy(kf.comm, f.comm->data(), std::min(f.comm->size(), sizeof(kf.comm) - 1));
    flags |= SYSLAT_FILTER_COMM;
  }
  if (f.cgroup_path) {
    util::UniqueFd fd(open(f.cgroup_path->c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    struct statfs sfs {};
    if (!fd || fstatfs(fd.get(), &sfs) != 0 || sfs.f_type != CGROUP2_SUPER_MAGIC)
      return util::make_error("-c/--cgroup: '" + *f.cgroup_path + "' is not a cgroup v2 directory");
    const uint32_t key = 0;
    const uint32_t value = static_cast<uint32_t>(fd.get());
    if (bpf_map_update_elem(bpf_map__fd(impl_->skel->maps.cgroup_map), &key, &value, BPF_ANY) != 0)
      return util::make_error("-c/--cgroup: cannot use '" + *f.cgroup_path + "': " + errno_text(errno));
    impl_->cgroup_fd = std::move(fd);
    flags |= SYSLAT_FILTER_CGROUP;
  }
  if (f.syscalls) {
    for (size_t i = 0; i < SYSLAT_NSLOTS; ++i) {
      if (i % 64 == 0) kf.syscall_bits[i / 64] = 0;
      if ((*f.syscalls)[i]) kf.syscall_bits[i / 64] |= 1ull << (i % 64);
    }
    flags |= SYSLAT_FILTER_SYSCALL;
  }
  if (f.failed_only) flags |= SYSLAT_FILTER_FAILED;
  if (f.errno_value) {
    kf.errno_value = static_cast<uint32_t>(*f.errno_value);
    flags |= SYSLAT_FILTER_ERRNO;
  }
  if (f.min_duration_ns) {
    kf.min_duration_ns = f.min_duration_ns;
    flags |= SYSLAT_FILTER_MIN_DURATION;
  }
  __atomic_store_n(&kf.flags, flags, __ATOMIC_SEQ_CST);
  return {};
}

void BpfSource::trace_from_exec(uint32_t pid) {
  auto* bss = impl_->skel->bss;
  __atomic_store_n(&bss->filter.pending_exec_tgid, pid, __ATOMIC_SEQ_CST);
  __atomic_fetch_or(&bss->tgid_bits[(pid >> 6) % SYSLAT_PID_WORDS], 1ull << (pid & 63), __ATOMIC_SEQ_CST);
  __atomic_fetch_or(&bss->filter.flags, static_cast<uint32_t>(SYSLAT_FILTER_TGID), __ATOMIC_SEQ_CST);
}

// Per (cpu, slot): counters are cumulative, so a poll takes differences;
// min/max are swapped out, so each poll gets the extremes since the last one.
// A program still running on another CPU may have bumped `calls` but not yet
// the rest, so an entry that changed is read once more at the next poll.
void BpfSource::Impl::read_syscalls(core::Sample& out) {
  for (unsigned cpu = 0; cpu < ncpus; ++cpu) {
    for (unsigned slot = 0; slot < SYSLAT_NSLOTS; ++slot) {
      const size_t i = size_t{cpu} * SYSLAT_NSLOTS + slot;
      syscall_stats& live = stats[i];
      syscall_stats& last = last_stats[i];
      const uint64_t calls = load_relaxed(live.calls);
      if (calls == last.calls && !active[i]) continue;
      active[i] = calls != last.calls;

      core::SyscallStats d;
      d.calls = calls - last.calls;
      const uint64_t errors = load_relaxed(live.errors);
      const uint64_t total = load_relaxed(live.total_ns);
      const uint64_t unpaired = load_relaxed(live.unpaired);
      d.errors = errors - last.errors;
      d.total_ns = total - last.total_ns;
      d.unpaired = unpaired - last.unpaired;
      last.calls = calls;
      last.errors = errors;
      last.total_ns = total;
      last.unpaired = unpaired;
      if (options.timed) {
        d.min_ns = take(live.min_ns);
        d.max_ns = take(live.max_ns);
        syscall_hist& h = hists[i];
        syscall_hist& hl = last_hists[i];
        for (unsigned b = 0; b < HIST_NBUCKETS; ++b) {
          const uint32_t now = load_relaxed(h.count[b]);
          const uint32_t delta = now - hl.count[b];  // u32 wrap-safe
          hl.count[b] = now;
          d.hist.counts[b] += delta;
          d.timed += delta;
        }
      }
      if (d.calls || d.timed || d.unpaired)
        out.syscalls[slot == SYSLAT_NR_OTHER ? core::kUnknownOverflow : static_cast<int>(slot)].merge(d);
    }
  }
}

// Numbers outside the slots: a handful of entries at most, read one by one.
void BpfSource::Impl::read_unknown(core::Sample& out) {
  const int fd = bpf_map__fd(skel->maps.unknown_nrs);
  int32_t key = 0;
  int32_t next = 0;
  bool first = true;
  while (bpf_map_get_next_key(fd, first ? nullptr : &key, &next) == 0) {
    first = false;
    key = next;
    unknown_stats now{};
    if (bpf_map_lookup_elem(fd, &key, &now) != 0) continue;
    unknown_stats& last = last_unknown[key];
    core::SyscallStats d;
    d.calls = now.calls - last.calls;
    d.errors = now.errors - last.errors;
    last = now;
    if (d.calls) out.syscalls[key].merge(d);
  }
}

void BpfSource::Impl::read_health(core::Sample& out) {
  syslat_counters& c = skel->bss->counters;
  const uint64_t full = load_relaxed(c.proc_map_full);
  const uint64_t park = load_relaxed(c.park_failed);
  out.health.proc_map_full = full - last_counters.proc_map_full;
  out.health.park_failed = park - last_counters.park_failed;
  last_counters.proc_map_full = full;
  last_counters.park_failed = park;
}

core::Sample BpfSource::poll() {
  core::Sample out;
  out.start_ns = impl_->last_poll_ns;
  out.end_ns = util::monotonic_ns();
  impl_->last_poll_ns = out.end_ns;
  impl_->read_syscalls(out);
  impl_->read_unknown(out);
  impl_->read_health(out);
  if (impl_->processes) impl_->processes->read(out);
  return out;
}

}  // namespace syslat::collect
