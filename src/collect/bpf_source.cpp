#include "collect/bpf_source.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/membarrier.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstring>
#include <map>
#include <string>
#include <unordered_set>
#include <vector>

#include "collect/mapped_array.h"
#include "collect/user_unwinder.h"
#include "collect/pid_namespace.h"
#include "collect/process_reader.h"
#include "collect/stats_reader.h"
#include "core/report.h"
#include "core/slot_layout.h"
#include "syslat.h"
#include "syslat.skel.h"
#include "util/fd.h"
#include "util/files.h"
#include "util/strings.h"
#include "util/time.h"

namespace syslat::collect {
namespace {

bool g_verbose = false;

int libbpf_print(enum libbpf_print_level, const char* fmt, va_list args) {
  if (!g_verbose) return 0;  // errors are reported by us, with context
  return vfprintf(stderr, fmt, args);
}

std::string errno_text(int err) { return std::strerror(err < 0 ? -err : err); }

// Rows per slot: one per CPU present at start, plus one shared by CPUs
// brought online later (see syslat.h). Not the possible CPUs: a VM may allow
// 256 and run 2.
// Histogram memory is capped: with few CPUs every slot can have one; on a
// big machine slots get one on first use until the budget is spent (the
// rest count as hist_full).
constexpr size_t kHistBudgetBytes = size_t{64} << 20;

uint32_t hist_slots(size_t slots, uint32_t rows, uint32_t max_histograms) {
  size_t fit = kHistBudgetBytes / (sizeof(syscall_hist) * rows);
  if (max_histograms) fit = std::min<size_t>(fit, max_histograms);
  return static_cast<uint32_t>(std::max<size_t>(1, std::min(slots, fit)));
}

uint32_t cpu_rows() {
  if (auto list = util::read_small_file("/sys/devices/system/cpu/present")) {
    if (auto max = util::max_cpu_in_list(*list)) return *max + 2;  // the list ends in '\n': trimmed
  }
  const int possible = libbpf_num_possible_cpus();
  return possible > 0 ? static_cast<uint32_t>(possible) + 1 : 2;
}

// What an fd argument referred to, as /proc/PID/fd would show it (see
// fd_detail in syslat.h); nullopt: no file was open under it; no entry at all
// (the caller's "ask /proc") for a kind only /proc can name.
std::optional<std::optional<std::string>> fd_target_text(const fd_detail& fd) {
  const std::string path(fd.path, std::min<size_t>(fd.path_len, sizeof(fd.path)));
  switch (fd.kind) {
    case SYSLAT_FD_NONE: return std::optional<std::string>();
    case SYSLAT_FD_PIPE: return "pipe:[" + std::to_string(fd.ino) + "]";
    case SYSLAT_FD_SOCKET: return "socket:[" + std::to_string(fd.ino) + "]";
    case SYSLAT_FD_ANON: return "anon_inode:" + path;
    case SYSLAT_FD_FILE:
      return std::string(fd.flags & SYSLAT_FD_TRUNCATED ? "..." : "") + path +
             (fd.flags & SYSLAT_FD_DELETED ? " (deleted)" : "");
    default: return std::nullopt;
  }
}

// Waits until no program can still be reading what it read before now (BPF
// tracing programs run under rcu_read_lock; MEMBARRIER_CMD_GLOBAL is
// synchronize_rcu()).
void wait_for_running_programs() {
  if (syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0) != 0) usleep(100'000);
}

}  // namespace

struct BpfSource::Impl {
  BpfOptions options;
  syslat_bpf* skel = nullptr;
  uint32_t rows = 0;
  uint32_t hists = 0;  // histograms per CPU row (see hist_slots)
  core::SlotLayout layout;
  std::unique_ptr<StatsReader> stats;
  std::unique_ptr<ProcessReader> processes;
  std::unique_ptr<StackReader> stacks;
  ring_buffer* new_stacks = nullptr;  // --stacks
  uint64_t first_poll_ns = 0;
  util::UniqueFd cgroup_fds[2];
  bool pid_bits_dirty[2] = {false, false};
  bool attached = false;
  std::vector<int> prog_fds;  // attached programs, for their recursion_misses
  uint64_t last_misses = 0;
  std::map<std::pair<int32_t, uint32_t>, unknown_stats> last_unknown;
  syslat_counters last_counters{};
  uint64_t last_poll_ns = 0;
  // sysslow
  ring_buffer* events = nullptr;
  util::MonotonicToRealtime wall_clock;  // kernel times are CLOCK_MONOTONIC; refreshed per batch
  const std::function<void(core::SlowEvent&&)>* sink = nullptr;

  ~Impl() {
    ring_buffer__free(events);
    ring_buffer__free(new_stacks);
    syslat_bpf__destroy(skel);
  }

  void configure();
  util::Expected<void> create_task_storage();
  void read_unknown(core::Sample& out);
  void read_health(core::Sample& out);
  // `copy`: --stack's registers and stack top (struct slow_stack_copy), or null.
  core::SlowEvent to_model(const slow_event& e, const slow_stack_copy* copy);
  std::unordered_set<uint32_t> pinned;  // processes whose slow events' modules are pinned

  // libbpf's ring buffer callback for announced stacks; ctx is the Impl.
  static int on_new_stack(void* ctx, void* data, size_t size) {
    auto* impl = static_cast<Impl*>(ctx);
    if (size >= sizeof(new_stack_event)) impl->stacks->announced(*static_cast<const new_stack_event*>(data));
    return 0;
  }

  // libbpf's ring buffer callback; ctx is the Impl.
  static int on_slow_event(void* ctx, void* data, size_t size) {
    auto* impl = static_cast<Impl*>(ctx);
    if (size < sizeof(slow_event) || !impl->sink) return 0;
    const auto* event = static_cast<const slow_event*>(data);
    // --stack: the registers and stack top follow the event.
    const auto* copy = size >= sizeof(slow_event) + sizeof(slow_stack_copy)
                           ? reinterpret_cast<const slow_stack_copy*>(event + 1) : nullptr;
    (*impl->sink)(impl->to_model(*event, copy));
    return 0;
  }
};

BpfSource::BpfSource(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
BpfSource::~BpfSource() = default;

// Settings the verifier sees as constants: modes, the slot table, rows.
void BpfSource::Impl::configure() {
  auto* ro = skel->rodata;
  ro->timed = options.timed;
  ro->per_process = options.per_process;
  ro->stacks = options.stacks;
  ro->stack_sample = options.stack_sample;
  ro->follow_forks = options.follow_forks;
  ro->compat_abi = options.kernel.ia32;
  ro->cpu_rows = rows;
  ro->other_slot = layout.other_slot;
  ro->hist_slots = hists;
  ro->hist_identity = hists >= layout.size();
  ro->slow_mode = options.slow;
  ro->count_slow = options.count_slow;
  ro->slow_ustack = options.slow && options.user_stack;
  ro->slow_kstack = options.slow && options.kernel_stack;
  ro->split_states = options.states;
  for (size_t abi = 0; abi < SYSLAT_NABIS; ++abi) {
    for (size_t nr = 0; nr < SYSLAT_NR_TABLE; ++nr) ro->slot_of[abi][nr] = layout.slot_of[abi][nr];
    ro->rt_sigreturn_slot[abi] = layout.rt_sigreturn_slot[abi];
    ro->sigreturn_slot[abi] = layout.sigreturn_slot[abi];
    ro->rt_sigreturn_nr[abi] = layout.id(layout.rt_sigreturn_slot[abi]).nr;
    ro->sigreturn_nr[abi] = layout.id(layout.sigreturn_slot[abi]).nr;
  }
  for (size_t slot = 0; slot < layout.size(); ++slot) {
    ro->slot_flags[slot] = layout.flags[slot];
    ro->slot_path_arg[slot] = layout.path_arg[slot];
    ro->slot_fd_args[slot] = layout.fd_args[slot];
  }
  if (auto ns = current_pid_namespace()) {
    ro->in_pidns = true;
    ro->pidns_dev = ns->dev;
    ro->pidns_ino = ns->ino;
  }

  const uint32_t entries = static_cast<uint32_t>(layout.size()) * rows;
  bpf_map__set_max_entries(skel->maps.stats, entries);
  bpf_map__set_max_entries(skel->maps.hists, options.timed ? hists * rows : 1);
  const uint32_t processes = options.per_process ? options.max_process_entries : 1;
  const uint32_t proc_value = static_cast<uint32_t>(sizeof(proc_stats)) * rows;
  bpf_map__set_max_entries(skel->maps.proc_stats, processes);
  bpf_map__set_value_size(skel->maps.proc_stats, proc_value);
  bpf_map__set_value_size(skel->maps.proc_zero, proc_value);
  bpf_map__set_max_entries(skel->maps.stack_stats, options.stacks ? options.max_stacks : 1);
  bpf_map__set_value_size(skel->maps.stack_stats, proc_value);
  // Twice the buckets of the stacks kept: a stack whose hash bucket another
  // holds is lost (counted), as likely as the share of buckets in use.
  bpf_map__set_max_entries(skel->maps.user_stacks, options.stacks ? 2 * options.max_stacks : 1);
  // 256 announcements of 16 KiB in flight; more wait for the next poll (named then, without the copy).
  bpf_map__set_max_entries(skel->maps.new_stacks, options.stacks ? 4u << 20 : 4096);
  bpf_map__set_max_entries(skel->maps.proc_comm, std::max(processes, options.stacks ? options.max_stacks : 1));
  bpf_map__set_max_entries(skel->maps.slow_events, options.slow ? options.ring_buffer_bytes : 4096);

  // Only the programs the mode needs.
  bpf_program__set_autoload(skel->progs.sched_switch, options.timed);
  // The syscall programs with this_task()'s cache where the kernel allows it.
  const bool cached = options.kernel.rdonly_cast;
  bpf_program__set_autoload(skel->progs.sys_enter, options.timed && !cached);
  bpf_program__set_autoload(skel->progs.sys_enter_cached, options.timed && cached);
  bpf_program__set_autoload(skel->progs.sys_exit, !cached);
  bpf_program__set_autoload(skel->progs.sys_exit_cached, cached);
  bpf_program__set_autoload(skel->progs.create_parking_all, options.timed);
  bpf_program__set_autoload(skel->progs.sched_process_fork, options.timed || options.follow_forks);
}

util::Expected<std::unique_ptr<BpfSource>> BpfSource::load(const BpfOptions& options) {
  g_verbose = options.verbose;
  libbpf_set_print(libbpf_print);

  auto impl = std::make_unique<Impl>();
  impl->options = options;
  // Slow calls are found by timing every call, and counted wherever they are found.
  impl->options.count_slow = options.count_slow || options.slow;
  // A slow call always says where its time went (and --kstack where it blocked longest).
  impl->options.states = options.states || options.slow;
  impl->options.timed = options.timed || impl->options.count_slow || impl->options.states;
  impl->rows = cpu_rows();
  impl->layout = core::SlotLayout::build(options.kernel.ia32);
  impl->hists = hist_slots(impl->layout.size(), impl->rows, options.max_histograms);

  impl->skel = syslat_bpf__open();
  if (!impl->skel) return util::make_error("cannot open the BPF object: " + errno_text(errno));
  impl->configure();
  syslat_bpf* s = impl->skel;
  if (int err = syslat_bpf__load(s); err) {
    return util::make_error("cannot load the BPF programs: " + errno_text(err) +
                            (options.verbose ? "" : " (--verbose shows the verifier log)"));
  }

  const size_t entries = impl->layout.size() * impl->rows;
  auto stats = MappedArray<syscall_stats>::map(bpf_map__fd(s->maps.stats), entries);
  if (!stats) return stats.error();
  MappedArray<syscall_hist> hists;
  if (options.timed) {
    auto mapped = MappedArray<syscall_hist>::map(bpf_map__fd(s->maps.hists), size_t{impl->hists} * impl->rows);
    if (!mapped) return mapped.error();
    hists = std::move(*mapped);
  }
  // With every slot covered, slot s uses histogram s (no lookup table).
  const __u32* hist_of_slot = impl->hists >= impl->layout.size() ? nullptr : s->bss->hist_of_slot;
  impl->stats = std::make_unique<StatsReader>(std::move(*stats), std::move(hists), s->bss->hot.used_slots,
                                              hist_of_slot, impl->layout, impl->rows);
  if (options.per_process) {
    impl->processes = std::make_unique<ProcessReader>(bpf_map__fd(s->maps.proc_stats),
                                                      bpf_map__fd(s->maps.proc_comm), impl->rows, impl->layout);
  }
  if (options.stacks) {
    impl->stacks = std::make_unique<StackReader>(bpf_map__fd(s->maps.stack_stats), bpf_map__fd(s->maps.user_stacks),
                                                 bpf_map__fd(s->maps.proc_comm), impl->rows, impl->layout,
                                                 options.stack_namer, options.stack_unwinder, options.stack_pinner);
    impl->new_stacks = ring_buffer__new(bpf_map__fd(s->maps.new_stacks), Impl::on_new_stack, impl.get(), nullptr);
    if (!impl->new_stacks) return util::make_error("cannot read the new-stack ring buffer: " + errno_text(errno));
  }
  if (options.slow) {
    impl->events = ring_buffer__new(bpf_map__fd(s->maps.slow_events), Impl::on_slow_event, impl.get(), nullptr);
    if (!impl->events) return util::make_error("cannot read the slow-call ring buffer: " + errno_text(errno));
  }
  return std::unique_ptr<BpfSource>(new BpfSource(std::move(impl)));
}

// Every task that exists now gets its parking storage, in process context
// (see sched_switch in syslat.bpf.c); tasks forked from now on get it from
// the fork program, attached before this runs.
util::Expected<void> BpfSource::Impl::create_task_storage() {
  bpf_link* link = bpf_program__attach_iter(skel->progs.create_parking_all, nullptr);
  if (!link) return util::make_error("cannot attach the task iterator: " + errno_text(errno));
  util::UniqueFd iter(bpf_iter_create(bpf_link__fd(link)));
  bool ok = static_cast<bool>(iter);
  char buf[64];
  ssize_t n;
  while (ok && (n = read(iter.get(), buf, sizeof(buf))) != 0) {
    if (n < 0 && errno != EINTR) ok = false;
  }
  const int err = errno;
  iter.reset();
  bpf_link__destroy(link);
  if (!ok) return util::make_error("cannot run the task iterator: " + errno_text(err));
  return {};
}

util::Expected<void> BpfSource::attach() {
  syslat_bpf* s = impl_->skel;
  struct Step {
    bpf_program* prog;
    bpf_link** link;
    const char* what;
  };
  // In order: sched_process_fork before the iterator so no new task misses
  // its storage; sched_switch parks entries before any sys_enter fills one;
  // sys_exit last, so calls entering meanwhile are already being timed.
  const Step steps[] = {
      {s->progs.signal_deliver, &s->links.signal_deliver, "signal_deliver"},
      {s->progs.sched_process_fork, &s->links.sched_process_fork, "sched_process_fork"},
      {nullptr, nullptr, "task iterator"},
      {s->progs.sched_switch, &s->links.sched_switch, "sched_switch"},
      {s->progs.sched_process_exit, &s->links.sched_process_exit, "sched_process_exit"},
      {s->progs.sys_enter, &s->links.sys_enter, "sys_enter"},
      {s->progs.sys_enter_cached, &s->links.sys_enter_cached, "sys_enter"},
      {s->progs.sys_exit, &s->links.sys_exit, "sys_exit"},
      {s->progs.sys_exit_cached, &s->links.sys_exit_cached, "sys_exit"},
  };
  for (const Step& step : steps) {
    if (!step.prog) {
      if (!impl_->options.timed) continue;
      if (auto ok = impl_->create_task_storage(); !ok) return ok;
      continue;
    }
    if (!bpf_program__autoload(step.prog)) continue;
    bpf_link* link = bpf_program__attach(step.prog);
    if (!link) return util::make_error(std::string("cannot attach to ") + step.what + ": " + errno_text(errno));
    *step.link = link;  // owned by the skeleton: syslat_bpf__destroy detaches
    impl_->prog_fds.push_back(bpf_program__fd(step.prog));
  }
  impl_->attached = true;
  impl_->last_poll_ns = impl_->first_poll_ns = util::monotonic_ns();
  return {};
}

void BpfSource::detach() {
  if (!impl_->attached) return;
  syslat_bpf* s = impl_->skel;
  // sys_enter first: nothing new starts; the rest in the reverse of attach's order.
  for (bpf_link** link : {&s->links.sys_enter, &s->links.sys_enter_cached, &s->links.sys_exit,
                          &s->links.sys_exit_cached, &s->links.sched_process_exit,
                          &s->links.sched_switch, &s->links.sched_process_fork, &s->links.signal_deliver}) {
    bpf_link__destroy(*link);  // accepts nullptr (a program not loaded)
    *link = nullptr;
  }
  impl_->attached = false;
  wait_for_running_programs();
}

// Fills the filter set not in force and then switches to it, so no call is
// ever judged by a half-written filter; a bad value changes nothing.
util::Expected<void> BpfSource::apply(const core::FilterSpec& f) {
  auto* bss = impl_->skel->bss;
  const uint32_t next = (__atomic_load_n(&bss->hot.filter_index, __ATOMIC_ACQUIRE) & 1) ^ 1;

  util::UniqueFd cgroup_fd;
  if (f.cgroup_path) {
    cgroup_fd.reset(open(f.cgroup_path->c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    struct statfs sfs {};
    if (!cgroup_fd || fstatfs(cgroup_fd.get(), &sfs) != 0 || sfs.f_type != CGROUP2_SUPER_MAGIC)
      return util::make_error("-c/--cgroup: '" + *f.cgroup_path + "' is not a cgroup v2 directory");
  }
  // Programs that read the index before the last switch may still read this set.
  if (impl_->attached) wait_for_running_programs();
  const int cgroup_map = bpf_map__fd(impl_->skel->maps.cgroup_map);
  if (cgroup_fd) {
    const uint32_t value = static_cast<uint32_t>(cgroup_fd.get());
    if (bpf_map_update_elem(cgroup_map, &next, &value, BPF_ANY) != 0)
      return util::make_error("-c/--cgroup: cannot use '" + *f.cgroup_path + "': " + errno_text(errno));
  }

  syslat_filter& kf = bss->hot.filter[next];
  __u64* tgid_bits = bss->tgid_bits[next];
  __u64* tid_bits = bss->tid_bits[next];
  uint32_t flags = 0;
  if (impl_->pid_bits_dirty[next]) {  // 1 MiB to clear: only once a PID filter wrote them
    std::memset(tgid_bits, 0, sizeof(bss->tgid_bits[next]));
    std::memset(tid_bits, 0, sizeof(bss->tid_bits[next]));
  }
  impl_->pid_bits_dirty[next] = !f.pids.empty() || !f.tids.empty();
  auto set_bit = [](__u64* bits, uint32_t id) { bits[(id >> 6) % SYSLAT_PID_WORDS] |= 1ull << (id & 63); };
  for (uint32_t pid : f.pids) set_bit(tgid_bits, pid);
  for (uint32_t tid : f.tids) set_bit(tid_bits, tid);
  if (!f.pids.empty()) flags |= SYSLAT_FILTER_TGID;
  if (!f.tids.empty()) flags |= SYSLAT_FILTER_TID;
  if (f.skip_pid) {
    kf.skip_tgid = *f.skip_pid;
    flags |= SYSLAT_FILTER_SKIP_TGID;
  }
  if (f.uid) {
    kf.uid = *f.uid;
    flags |= SYSLAT_FILTER_UID;
  }
  if (f.comm) {
    std::memset(kf.comm, 0, sizeof(kf.comm));
    std::memcpy(kf.comm, f.comm->data(), std::min(f.comm->size(), sizeof(kf.comm) - 1));
    flags |= SYSLAT_FILTER_COMM;
    if (f.thread_comm) flags |= SYSLAT_FILTER_THREAD_COMM;
  }
  if (cgroup_fd) flags |= SYSLAT_FILTER_CGROUP;
  if (f.syscalls) {
    const auto slots = impl_->layout.select(*f.syscalls);
    for (size_t i = 0; i < SYSLAT_MAX_SLOTS; ++i) {
      if (i % 64 == 0) kf.syscall_bits[i / 64] = 0;
      if (slots[i]) kf.syscall_bits[i / 64] |= 1ull << (i % 64);
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
  kf.flags = flags;
  __atomic_store_n(&bss->hot.filter_index, next, __ATOMIC_SEQ_CST);
  impl_->cgroup_fds[next] = std::move(cgroup_fd);
  return {};
}

void BpfSource::set_thresholds(const core::ThresholdSpec& thresholds) {
  auto* bss = impl_->skel->bss;
  for (size_t slot = 0; slot < impl_->layout.size(); ++slot) {
    const uint64_t ns = thresholds.for_name(core::slot_name(impl_->layout.ids[slot]));
    __atomic_store_n(&bss->slow_threshold_ns[slot], ns, __ATOMIC_RELAXED);
  }
}

int BpfSource::events_fd() const { return impl_->events ? ring_buffer__epoll_fd(impl_->events) : -1; }

size_t BpfSource::consume_events(const std::function<void(core::SlowEvent&&)>& sink) {
  if (!impl_->events) return 0;
  impl_->sink = &sink;
  impl_->wall_clock.refresh();  // the wall clock may have been stepped since the last batch
  const int n = ring_buffer__consume(impl_->events);
  impl_->sink = nullptr;
  return n > 0 ? static_cast<size_t>(n) : 0;
}

core::SlowEvent BpfSource::Impl::to_model(const slow_event& e, const slow_stack_copy* copy) {
  core::SlowEvent m;
  m.time_ns = wall_clock.realtime_of(e.ts_ns);
  m.pid = e.pid;
  m.tid = e.tid;
  m.uid = e.uid;
  m.comm.assign(e.comm, strnlen(e.comm, sizeof(e.comm)));
  m.id = layout.id(e.slot);
  m.ret = e.ret;
  m.duration_ns = e.duration_ns;
  std::copy(std::begin(e.args), std::end(e.args), m.args.begin());
  if (e.flags & SYSLAT_EVENT_PATH) m.path.emplace(e.path, strnlen(e.path, sizeof(e.path)));
  for (const fd_detail& fd : e.fds) {
    if (fd.fd < 0) continue;  // no such argument (or AT_FDCWD, -1, ...)
    if (auto target = fd_target_text(fd)) m.fd_targets.emplace(fd.fd, std::move(*target));
  }
  auto frames = [](const __u64* ips, int bytes) {
    const size_t n = bytes > 0 ? std::min<size_t>(static_cast<size_t>(bytes) / 8, SYSLAT_STACK_DEPTH) : 0;
    return std::vector<uint64_t>(ips, ips + n);
  };
  m.user_stack = frames(e.ustack, e.ustack_bytes);
  // Its modules' files opened now, at its first event: it may exit before
  // the event is named.
  if (copy && options.stack_pinner && pinned.insert(e.pid).second) {
    if (pinned.size() > 4096) pinned = {e.pid};
    options.stack_pinner(e.pid);
  }
  // The copy unwound from .eh_frame, where the frame-pointer walk stopped short.
  if (copy && options.stack_unwinder) {
    std::vector<uint64_t> unwound = options.stack_unwinder(e.pid, copy->ip, copy->sp, copy->bp, copied_stack(*copy));
    if (prefer_unwound(unwound.size(), m.user_stack.size())) m.user_stack = std::move(unwound);
  }
  m.kernel_stack = frames(e.kstack, e.kstack_bytes);
  if (options.states) {
    m.split = core::TimeSplit{e.off_ns[SYSLAT_STATE_RUNQ], e.off_ns[SYSLAT_STATE_IOWAIT], e.off_ns[SYSLAT_STATE_SLEEP],
                              e.switches ? 1u : 0u, e.switches};
    if (!m.kernel_stack.empty() && e.kstack_state < SYSLAT_OFF_STATES)
      m.kernel_stack_block.emplace(static_cast<core::OffState>(e.kstack_state), e.kstack_off_ns);
  }
  return m;
}

void BpfSource::trace_from_exec(uint32_t pid) {
  auto* bss = impl_->skel->bss;
  __atomic_store_n(&bss->hot.pending_exec_tgid, pid, __ATOMIC_SEQ_CST);
  __atomic_fetch_or(&bss->follow_bits[(pid >> 6) % SYSLAT_PID_WORDS], 1ull << (pid & 63), __ATOMIC_SEQ_CST);
}

// Numbers outside the slots: a handful of entries at most, read one by one.
void BpfSource::Impl::read_unknown(core::Sample& out) {
  const int fd = bpf_map__fd(skel->maps.unknown_nrs);
  unknown_key key{};
  unknown_key next{};
  bool first = true;
  while (bpf_map_get_next_key(fd, first ? nullptr : &key, &next) == 0) {
    first = false;
    key = next;
    unknown_stats now{};
    if (bpf_map_lookup_elem(fd, &key, &now) != 0) continue;
    unknown_stats& last = last_unknown[{key.nr, key.abi}];
    core::SyscallStats d;
    d.calls = now.calls - last.calls;
    d.errors = now.errors - last.errors;
    last = now;
    const core::Abi abi = key.abi == SYSLAT_ABI_COMPAT ? core::Abi::I386 : core::Abi::Native;
    if (d.calls) out.syscalls[{abi, key.nr}].merge(d);
  }
}

void BpfSource::Impl::read_health(core::Sample& out) {
  syslat_counters& c = skel->bss->hot.counters;
  const uint64_t full = __atomic_load_n(&c.proc_map_full, __ATOMIC_RELAXED);
  const uint64_t park = __atomic_load_n(&c.park_failed, __ATOMIC_RELAXED);
  const uint64_t hist_full = __atomic_load_n(&c.hist_full, __ATOMIC_RELAXED);
  const uint64_t slow_lost = __atomic_load_n(&c.slow_lost, __ATOMIC_RELAXED);
  out.health.events_lost = slow_lost - last_counters.slow_lost;
  last_counters.slow_lost = slow_lost;
  out.health.proc_map_full = full - last_counters.proc_map_full;
  out.health.park_failed = park - last_counters.park_failed;
  out.health.hist_full = hist_full - last_counters.hist_full;
  last_counters.proc_map_full = full;
  last_counters.park_failed = park;
  last_counters.hist_full = hist_full;

  // The kernel skips a program (and counts it) when one of ours is already
  // running on that CPU, e.g. a tracepoint hit from inside it: calls not seen.
  uint64_t misses = 0;
  for (int fd : prog_fds) {
    bpf_prog_info info{};
    __u32 len = sizeof(info);
    if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0) misses += info.recursion_misses;
  }
  out.health.recursion_misses = misses - last_misses;
  last_misses = misses;
}

core::Sample BpfSource::poll() {
  core::Sample out;
  out.start_ns = impl_->last_poll_ns;
  out.end_ns = util::monotonic_ns();
  impl_->last_poll_ns = out.end_ns;
  // The global and the per-process counters cannot be read at one instant;
  // reading them back to back, with our own syscalls before or after both,
  // keeps calls that fall between the two (carried to the next poll) few.
  if (impl_->processes) impl_->processes->find_reaped();
  if (impl_->stacks) impl_->stacks->find_reaped();
  impl_->stats->read(out);
  if (impl_->processes) impl_->processes->read(out);
  if (impl_->stacks) impl_->stacks->read();
  impl_->read_unknown(out);
  impl_->read_health(out);
  return out;
}

int BpfSource::new_stacks_fd() const { return impl_->new_stacks ? ring_buffer__epoll_fd(impl_->new_stacks) : -1; }

void BpfSource::name_new_stacks() {
  if (impl_->new_stacks) ring_buffer__consume(impl_->new_stacks);
}

core::StackProfile BpfSource::stack_profile() const {
  if (!impl_->stacks) return {};
  const uint64_t lost = __atomic_load_n(&impl_->skel->bss->hot.counters.stack_map_full, __ATOMIC_RELAXED);
  const double span_s = static_cast<double>(impl_->last_poll_ns - impl_->first_poll_ns) / 1e9;
  core::StackProfile p = impl_->stacks->profile(lost, span_s, impl_->options.states);
  p.sample_every = impl_->options.stack_sample;
  return p;
}

}  // namespace syslat::collect
