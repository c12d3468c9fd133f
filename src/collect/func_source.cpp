#include "collect/func_source.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/membarrier.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstdarg>
#include <cstring>
#include <map>
#include <tuple>
#include <string>
#include <vector>

#include "sysfunc.h"
#include "sysfunc.skel.h"
#include "util/fd.h"
#include "util/files.h"
#include "util/time.h"

namespace syslat::collect {
namespace {

static_assert(kFentryMax == SYSFUNC_FENTRY_COPIES);
static_assert(core::FuncEdge::kFromSyscall == SYSFUNC_PARENT_NONE);
static_assert(kFuncMax == SYSFUNC_MAX_FUNCS);

bool g_verbose = false;

int libbpf_print(enum libbpf_print_level, const char* fmt, va_list args) {
  if (!g_verbose) return 0;
  return vfprintf(stderr, fmt, args);
}

std::string errno_text(int err) { return std::strerror(err < 0 ? -err : err); }

std::string errno_name(int err) {
  err = err < 0 ? -err : err;
  switch (err) {
    case EPERM: return "EPERM";
    case EACCES: return "EACCES";
    case EINVAL: return "EINVAL";
    case ENOENT: return "ENOENT";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case ESRCH: return "ESRCH";
    default: return errno_text(err);
  }
}

// Tracing programs run under rcu_read_lock (kprobe, kprobe.multi, fentry
// trampolines alike); MEMBARRIER_CMD_GLOBAL is synchronize_rcu().
void wait_for_running_programs() {
  if (syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0) != 0) usleep(100'000);
}

// The kernel's build configuration, if it can be found.
std::string kernel_config() {
  utsname u{};
  if (uname(&u) == 0) {
    if (auto text = util::read_small_file(std::string("/boot/config-") + u.release, size_t{4} << 20)) return *text;
  }
  std::string out;
  if (gzFile gz = gzopen("/proc/config.gz", "rb")) {
    char buf[65536];
    int n;
    while ((n = gzread(gz, buf, sizeof(buf))) > 0) out.append(buf, static_cast<size_t>(n));
    gzclose(gz);
  }
  return out;
}

bool exists(const char* path) { return access(path, F_OK) == 0; }

uint32_t possible_cpus() {
  const int n = libbpf_num_possible_cpus();
  return n > 0 ? static_cast<uint32_t>(n) : 1;
}

// What an older kernel lacks that the programs use: the function index is the
// attach cookie (Linux 5.15), fentry reads arguments with bpf_get_func_arg
// (5.17). Probed for kprobes; for fentry (libbpf cannot probe tracing
// helpers) told by the version.
std::string too_old(FuncAttach mode) {
  utsname u{};
  uname(&u);
  if (mode == FuncAttach::Fentry) {
    unsigned major = 0, minor = 0;
    if (std::sscanf(u.release, "%u.%u", &major, &minor) == 2 && (major < 5 || (major == 5 && minor < 17)))
      return std::string("this kernel (") + u.release + ") is too old for --fentry: it needs bpf_get_func_arg (Linux 5.17)";
    return "";
  }
  if (libbpf_probe_bpf_helper(BPF_PROG_TYPE_KPROBE, BPF_FUNC_get_attach_cookie, nullptr) == 0)
    return std::string("this kernel (") + u.release + ") is too old for sysfunc: its probes need bpf_get_attach_cookie (Linux 5.15)";
  return "";
}

}  // namespace

const char* attach_name(FuncAttach mode) {
  switch (mode) {
    case FuncAttach::KprobeMulti: return "kprobe.multi";
    case FuncAttach::Kprobe: return "kprobe";
    case FuncAttach::Fentry: return "fentry";
    case FuncAttach::Auto: break;
  }
  return "auto";
}

std::string kprobes_missing_reason() {
  // libbpf attaches through the perf kprobe PMU, else tracefs kprobe_events.
  if (exists("/sys/bus/event_source/devices/kprobe/type") || exists("/sys/kernel/tracing/kprobe_events") ||
      exists("/sys/kernel/debug/tracing/kprobe_events"))
    return "";
  const std::string config = kernel_config();
  if (config.find("# CONFIG_KPROBES is not set") != std::string::npos) return "no kprobes (CONFIG_KPROBES is off)";
  if (config.find("# CONFIG_KPROBE_EVENTS is not set") != std::string::npos)
    return "no kprobes (CONFIG_KPROBE_EVENTS is off)";
  return "no kprobes (neither the perf kprobe PMU nor tracefs kprobe_events exists)";
}

struct FuncSource::Impl {
  FuncOptions options;
  sysfunc_bpf* skel = nullptr;
  FuncAttach mode = FuncAttach::Auto;
  bool load_single = false;  // Auto: the single-kprobe pair is loaded as the fallback
  std::vector<bpf_link*> entry_links, return_links, other_links;
  std::vector<int> prog_fds;  // loaded function programs, for recursion_misses
  bool attached = false;
  util::UniqueFd cgroup_fd;
  uint32_t ncpus = 1;
  // cumulative values at the last poll
  std::vector<func_stats> last_stats;
  std::map<std::tuple<int, uint32_t, uint32_t>, func_sys_value> last_sys;  // (nr, func, parent)
  func_counters last_counters{};
  uint64_t last_misses = 0;
  uint64_t last_poll_ns = 0;
  ring_buffer* events = nullptr;
  const std::function<void(const core::FuncEvent&)>* sink = nullptr;

  ~Impl() {
    ring_buffer__free(events);
    for (auto* v : {&entry_links, &return_links, &other_links})
      for (bpf_link* l : *v) bpf_link__destroy(l);
    sysfunc_bpf__destroy(skel);
  }

  void configure(FuncAttach want);
  util::Expected<void> apply_filter();
  util::Expected<void> attach_functions(FuncAttach how);
  uint64_t recursion_misses() const;
  uint64_t link_misses() const;
  uint64_t link_misses_gone = 0;  // counted by links detached since
  std::string refusal(int err);

  static int on_event(void* ctx, void* data, size_t size) {
    auto* impl = static_cast<Impl*>(ctx);
    if (size < sizeof(func_event) || !impl->sink) return 0;
    const auto& e = *static_cast<const func_event*>(data);
    core::FuncEvent out;
    out.func = e.func;
    out.pid = e.pid;
    out.tid = e.tid;
    out.comm.assign(e.comm, strnlen(e.comm, sizeof(e.comm)));
    out.start_ns = e.start_ns;
    out.duration_ns = e.duration_ns;
    for (int i = 0; i < 6; ++i) out.args[i] = e.args[i];
    out.ret = e.ret;
    out.name_arg = e.name_arg;
    if (e.name_arg >= 0) out.name.assign(e.name, strnlen(e.name, sizeof(e.name)));
    if (e.kstack_bytes > 0) {
      const size_t n = std::min<size_t>(static_cast<size_t>(e.kstack_bytes) / 8, SYSLAT_STACK_DEPTH);
      out.kernel_stack.assign(e.kstack, e.kstack + n);
    }
    (*impl->sink)(out);
    return 0;
  }
};

FuncSource::FuncSource(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FuncSource::~FuncSource() = default;

// Rodata, map sizes and which programs load, for attach mode `want`.
void FuncSource::Impl::configure(FuncAttach want) {
  auto* ro = skel->rodata;
  const auto& o = options;
  const uint32_t n = static_cast<uint32_t>(o.functions.size());
  ro->nfuncs = n;
  for (uint32_t i = 0; i < n; ++i)
    for (int a = 0; a < 6; ++a) ro->arg_kinds[i][a] = static_cast<uint8_t>(o.functions[i].args[a]);
  uint32_t flags = 0;
  if (!o.filter.tids.empty()) flags |= SYSFUNC_FILTER_TID;
  if (o.filter.uid) {
    flags |= SYSFUNC_FILTER_UID;
    ro->filter_uid = *o.filter.uid;
  }
  if (o.filter.comm) {
    flags |= SYSFUNC_FILTER_COMM;
    if (o.filter.thread_comm) flags |= SYSFUNC_FILTER_THREAD_COMM;
    std::memset(const_cast<char*>(ro->filter_comm), 0, sizeof(ro->filter_comm));
    std::memcpy(const_cast<char*>(ro->filter_comm), o.filter.comm->data(),
                std::min(o.filter.comm->size(), sizeof(ro->filter_comm) - 1));
  }
  if (o.filter.cgroup_path) flags |= SYSFUNC_FILTER_CGROUP;
  if (o.filter.skip_pid) {
    flags |= SYSFUNC_FILTER_SKIP_TGID;
    ro->skip_tgid = *o.filter.skip_pid;
  }
  ro->filter_flags = flags;
  ro->trace = o.trace;
  ro->kernel_stack = o.trace && o.kernel_stack;
  ro->threshold_ns = o.threshold_ns;
  ro->by_syscall = o.by_syscall || o.syscalls.has_value();
  ro->syscall_filter = o.syscalls.has_value();
  if (o.syscalls) {
    for (size_t nr = 0; nr < SYSLAT_NR_TABLE; ++nr)
      if ((*o.syscalls)[nr]) ro->syscall_bits[nr / 64] |= 1ull << (nr % 64);
  }
  skel->bss->filter_pids_on = !o.filter.pids.empty();

  bpf_map__set_max_entries(skel->maps.stats, n);
  bpf_map__set_max_entries(skel->maps.minmax, n * 2);
  bpf_map__set_max_entries(skel->maps.threads, o.max_threads);
  bpf_map__set_max_entries(skel->maps.trace_frames, o.trace ? o.max_threads : 1);
  // 3.8 KiB a thread: allocated as threads call traced functions, not up front
  if (o.trace) bpf_map__set_map_flags(skel->maps.trace_frames, BPF_F_NO_PREALLOC);
  bpf_map__set_max_entries(skel->maps.sys_stats, ro->by_syscall ? 16384 : 1);
  bpf_map__set_max_entries(skel->maps.events, o.trace ? o.ring_buffer_bytes : 4096);

  const bool multi = want == FuncAttach::Auto || want == FuncAttach::KprobeMulti;
  const bool single = want == FuncAttach::Auto || want == FuncAttach::Kprobe;
  load_single = single;
  bpf_program__set_autoload(skel->progs.func_entry_multi, multi);
  bpf_program__set_autoload(skel->progs.func_return_multi, multi);
  bpf_program__set_autoload(skel->progs.func_entry, single);
  bpf_program__set_autoload(skel->progs.func_return, single);
  bpf_program__set_autoload(skel->progs.func_sys_enter, ro->by_syscall);
  bpf_program__set_autoload(skel->progs.func_sys_exit, ro->by_syscall);
  if (want == FuncAttach::Fentry) {
    for (uint32_t i = 0; i < n; ++i) {
      for (const char* kind : {"fentry_", "fexit_"}) {
        bpf_program* p = bpf_object__find_program_by_name(skel->obj, (kind + std::to_string(i)).c_str());
        bpf_program__set_attach_target(p, 0, o.functions[i].name.c_str());
        bpf_program__set_autoload(p, true);
      }
    }
  }
}

// Can a fentry program be loaded here at all (for the refusal line)? 0 or -errno.
static int try_fentry(const std::string& function) {
  sysfunc_bpf* s = sysfunc_bpf__open();
  if (!s) return -errno;
  bpf_program* p;
  bpf_object__for_each_program(p, s->obj) bpf_program__set_autoload(p, false);
  bpf_program__set_attach_target(s->progs.fentry_0, 0, function.c_str());
  bpf_program__set_autoload(s->progs.fentry_0, true);
  s->rodata->nfuncs = 1;
  const int err = sysfunc_bpf__load(s);
  sysfunc_bpf__destroy(s);
  return err;
}

// The one line for a kernel that let no probe attach; err is what it said.
std::string FuncSource::Impl::refusal(int err) {
  const std::string kprobes = kprobes_missing_reason();
  if (options.attach == FuncAttach::Fentry) {
    if (!kprobes.empty())
      return "this kernel allows no kernel function probes: " + kprobes + " and fentry programs are refused (" +
             errno_name(err) + ")";
    return "this kernel refuses fentry programs (" + errno_name(err) + "); without --fentry, kprobes may work";
  }
  if (kprobes.empty()) return "";
  const int fentry = try_fentry(options.functions.front().name);
  if (fentry == 0) return "this kernel has " + kprobes + "; fentry programs load here: try --fentry";
  return "this kernel allows no kernel function probes: " + kprobes + " and fentry programs are refused (" +
         errno_name(fentry) + ")";
}

util::Expected<std::unique_ptr<FuncSource>> FuncSource::load(const FuncOptions& options) {
  g_verbose = options.verbose;
  libbpf_set_print(libbpf_print);
  const size_t n = options.functions.size();
  if (n == 0) return util::make_error("no kernel function to trace");
  if (n > kFuncMax)
    return util::make_error("at most " + std::to_string(kFuncMax) + " functions at once (" + std::to_string(n) +
                            " given)");
  if (options.attach == FuncAttach::Fentry && n > kFentryMax)
    return util::make_error("--fentry traces at most " + std::to_string(kFentryMax) + " functions (" +
                            std::to_string(n) + " given); without --fentry there is no such limit");
  if (options.trace && (options.ring_buffer_bytes < 4096 || (options.ring_buffer_bytes & (options.ring_buffer_bytes - 1))))
    return util::make_error("the ring buffer size must be a power of two of at least 4096 bytes");

  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->ncpus = possible_cpus();
  FuncAttach want = options.attach;
  int err = 0;
  for (int attempt = 0; attempt < 2; ++attempt) {
    impl->skel = sysfunc_bpf__open();
    if (!impl->skel) return util::make_error("cannot open the BPF object: " + errno_text(errno));
    impl->configure(want);
    err = sysfunc_bpf__load(impl->skel);
    if (err == 0) break;
    sysfunc_bpf__destroy(impl->skel);
    impl->skel = nullptr;
    if (want != FuncAttach::Auto) break;
    want = FuncAttach::Kprobe;  // a kernel without kprobe.multi may refuse its programs
  }
  if (err) {
    if (std::string why = too_old(options.attach); !why.empty()) return util::make_error(why);
    if (std::string why = impl->refusal(err); !why.empty()) return util::make_error(why);
    return util::make_error("cannot load the BPF programs: " + errno_text(err) +
                            (options.verbose ? "" : " (--verbose shows the verifier log)"));
  }
  impl->mode = want;
  if (auto ok = impl->apply_filter(); !ok) return ok.error();
  bpf_program* p;
  bpf_object__for_each_program(p, impl->skel->obj) {
    if (bpf_program__autoload(p)) impl->prog_fds.push_back(bpf_program__fd(p));
  }
  impl->last_stats.assign(n, func_stats{});
  if (options.trace) {
    impl->events = ring_buffer__new(bpf_map__fd(impl->skel->maps.events), Impl::on_event, impl.get(), nullptr);
    if (!impl->events) return util::make_error("cannot read the trace ring buffer: " + errno_text(errno));
  }
  return std::unique_ptr<FuncSource>(new FuncSource(std::move(impl)));
}

util::Expected<void> FuncSource::Impl::apply_filter() {
  const auto& f = options.filter;
  const uint8_t one = 1;
  for (uint32_t pid : f.pids) {
    if (bpf_map_update_elem(bpf_map__fd(skel->maps.pid_set), &pid, &one, BPF_ANY) != 0)
      return util::make_error("-p: cannot select PID " + std::to_string(pid) + ": " + errno_text(errno));
  }
  for (uint32_t tid : f.tids) {
    if (bpf_map_update_elem(bpf_map__fd(skel->maps.tid_set), &tid, &one, BPF_ANY) != 0)
      return util::make_error("-t: cannot select TID " + std::to_string(tid) + ": " + errno_text(errno));
  }
  if (f.cgroup_path) {
    cgroup_fd.reset(open(f.cgroup_path->c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    struct statfs sfs {};
    if (!cgroup_fd || fstatfs(cgroup_fd.get(), &sfs) != 0 || sfs.f_type != CGROUP2_SUPER_MAGIC)
      return util::make_error("-c/--cgroup: '" + *f.cgroup_path + "' is not a cgroup v2 directory");
    const uint32_t key = 0, value = static_cast<uint32_t>(cgroup_fd.get());
    if (bpf_map_update_elem(bpf_map__fd(skel->maps.cgroup_map), &key, &value, BPF_ANY) != 0)
      return util::make_error("-c/--cgroup: cannot use '" + *f.cgroup_path + "': " + errno_text(errno));
  }
  return {};
}

// Return probes first: a call entered once the entry probe is on always has
// its return seen (the other order would leave frames that never pop).
util::Expected<void> FuncSource::Impl::attach_functions(FuncAttach how) {
  const auto& fns = options.functions;
  if (how == FuncAttach::KprobeMulti) {
    std::vector<const char*> syms;
    std::vector<__u64> cookies;
    for (size_t i = 0; i < fns.size(); ++i) {
      syms.push_back(fns[i].name.c_str());
      cookies.push_back(i);
    }
    for (bool retprobe : {true, false}) {
      LIBBPF_OPTS(bpf_kprobe_multi_opts, opts, .syms = syms.data(), .cookies = cookies.data(), .cnt = syms.size(),
                  .retprobe = retprobe);
      bpf_program* prog = retprobe ? skel->progs.func_return_multi : skel->progs.func_entry_multi;
      bpf_link* link = bpf_program__attach_kprobe_multi_opts(prog, nullptr, &opts);
      if (!link) {
        const int err = errno;
        if (err == EOPNOTSUPP && kernel_config().find("# CONFIG_FPROBE is not set") != std::string::npos)
          return util::make_error("this kernel has no kprobe.multi (CONFIG_FPROBE is off); single kprobes work without it");
        return util::make_error(std::string("cannot attach kprobe.multi: ") + errno_text(err));
      }
      (retprobe ? return_links : entry_links).push_back(link);
    }
    return {};
  }
  for (bool retprobe : {true, false}) {
    for (size_t i = 0; i < fns.size(); ++i) {
      bpf_link* link;
      if (how == FuncAttach::Fentry) {
        const std::string name = (retprobe ? "fexit_" : "fentry_") + std::to_string(i);
        link = bpf_program__attach(bpf_object__find_program_by_name(skel->obj, name.c_str()));
      } else {
        LIBBPF_OPTS(bpf_kprobe_opts, opts, .bpf_cookie = i, .retprobe = retprobe);
        link = bpf_program__attach_kprobe_opts(retprobe ? skel->progs.func_return : skel->progs.func_entry,
                                               fns[i].name.c_str(), &opts);
      }
      if (!link)
        return util::make_error(std::string("cannot attach ") + attach_name(how) + (retprobe ? " return probe" : "") +
                                " to " + fns[i].name + ": " + errno_text(errno));
      (retprobe ? return_links : entry_links).push_back(link);
    }
  }
  return {};
}

util::Expected<void> FuncSource::attach() {
  Impl& im = *impl_;
  if (im.attached) return {};
  sysfunc_bpf* s = im.skel;
  struct Step {
    bpf_program* prog;
    bool load;
  };
  // Thread bookkeeping and syscalls before the functions.
  for (const Step& step : {Step{s->progs.func_task_exit, true}, Step{s->progs.func_fork, true},
                           Step{s->progs.func_sys_exit, bpf_program__autoload(s->progs.func_sys_exit)},
                           Step{s->progs.func_sys_enter, bpf_program__autoload(s->progs.func_sys_enter)}}) {
    if (!step.load) continue;
    bpf_link* link = bpf_program__attach(step.prog);
    if (!link) {
      const int err = errno;
      detach();
      return util::make_error(std::string("cannot attach ") + bpf_program__name(step.prog) + ": " + errno_text(err));
    }
    im.other_links.push_back(link);
  }
  auto drop_function_links = [&] {
    for (auto* v : {&im.entry_links, &im.return_links}) {
      for (bpf_link* l : *v) bpf_link__destroy(l);
      v->clear();
    }
  };
  util::Expected<void> ok;
  if (im.mode == FuncAttach::Auto) {
    ok = im.attach_functions(FuncAttach::KprobeMulti);
    if (ok) {
      im.mode = FuncAttach::KprobeMulti;
    } else {
      if (im.options.verbose) std::fprintf(stderr, "sysfunc: %s; trying single kprobes\n", ok.error().message.c_str());
      drop_function_links();
      ok = im.attach_functions(FuncAttach::Kprobe);
      if (ok) im.mode = FuncAttach::Kprobe;
    }
  } else {
    ok = im.attach_functions(im.mode);
  }
  if (!ok) {
    const int err = errno;
    drop_function_links();
    for (bpf_link* l : im.other_links) bpf_link__destroy(l);
    im.other_links.clear();
    if (std::string why = im.refusal(err); !why.empty()) return util::make_error(why);
    return ok;
  }
  im.attached = true;
  im.last_poll_ns = util::monotonic_ns();
  return {};
}

void FuncSource::detach() {
  Impl& im = *impl_;
  im.link_misses_gone += im.link_misses();  // their counts go with them
  // Entries first: nothing new starts; then returns; then the bookkeeping.
  for (auto* v : {&im.entry_links, &im.return_links, &im.other_links}) {
    for (bpf_link* l : *v) bpf_link__destroy(l);
    v->clear();
  }
  if (im.attached) wait_for_running_programs();
  im.attached = false;
}

FuncAttach FuncSource::attach_mode() const { return impl_->mode; }

void FuncSource::add_process(uint32_t pid) {
  const uint8_t one = 1;
  bpf_map_update_elem(bpf_map__fd(impl_->skel->maps.pid_set), &pid, &one, BPF_ANY);
  impl_->skel->bss->follow_forks = true;
  __atomic_store_n(&impl_->skel->bss->filter_pids_on, true, __ATOMIC_RELEASE);
}

uint64_t FuncSource::Impl::recursion_misses() const {
  uint64_t total = 0;
  for (int fd : prog_fds) {
    bpf_prog_info info{};
    __u32 len = sizeof(info);
    if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0) total += info.recursion_misses;
  }
  return total;
}

// The kernel's own count of probe runs it skipped, per link, where it
// exposes one (Linux 6.7+: kprobe.multi's fprobe nmissed, a kprobe's or
// kretprobe's nmissed, which includes kretprobe instances run out). The
// fields are newer than this libbpf's headers, so they are read at their
// uapi offsets from a zeroed buffer (a kernel without them leaves them 0).
uint64_t FuncSource::Impl::link_misses() const {
  constexpr uint32_t kLinkPerfEvent = 7, kLinkKprobeMulti = 8;  // enum bpf_link_type
  constexpr uint32_t kPerfKprobe = 3, kPerfKretprobe = 4;       // enum bpf_perf_event_type
  uint64_t total = 0;
  for (const auto* links : {&entry_links, &return_links}) {
    for (bpf_link* l : *links) {
      alignas(8) unsigned char buf[256] = {};
      __u32 len = sizeof(buf);
      if (bpf_obj_get_info_by_fd(bpf_link__fd(l), buf, &len) != 0) continue;
      auto u32_at = [&](size_t off) { uint32_t v; std::memcpy(&v, buf + off, 4); return v; };
      auto u64_at = [&](size_t off) { uint64_t v; std::memcpy(&v, buf + off, 8); return v; };
      const uint32_t type = u32_at(0);
      if (type == kLinkKprobeMulti && len >= 40) total += u64_at(32);  // kprobe_multi.missed
      if (type == kLinkPerfEvent && len >= 56 && (u32_at(16) == kPerfKprobe || u32_at(16) == kPerfKretprobe))
        total += u64_at(48);  // perf_event.kprobe.missed
    }
  }
  return total;
}

core::FuncSample FuncSource::poll() {
  Impl& im = *impl_;
  core::FuncSample out;
  const uint64_t now = util::monotonic_ns();
  out.start_ns = im.last_poll_ns ? im.last_poll_ns : now;
  out.end_ns = now;
  im.last_poll_ns = now;

  // min/max: flip the half in use, wait until no program writes the old one.
  auto* bss = im.skel->bss;
  const uint32_t old_half = __atomic_load_n(&bss->epoch, __ATOMIC_ACQUIRE) & 1;
  __atomic_store_n(&bss->epoch, old_half ^ 1, __ATOMIC_RELEASE);
  wait_for_running_programs();

  const uint32_t n = static_cast<uint32_t>(im.options.functions.size());
  const uint32_t cpus = im.ncpus;
  std::vector<func_stats> per_cpu(cpus);
  std::vector<func_minmax> mm(cpus), zero_mm(cpus);
  out.functions.resize(n);
  const int stats_fd = bpf_map__fd(im.skel->maps.stats);
  const int minmax_fd = bpf_map__fd(im.skel->maps.minmax);
  for (uint32_t f = 0; f < n; ++f) {
    func_stats sum{};
    if (bpf_map_lookup_elem(stats_fd, &f, per_cpu.data()) == 0) {
      for (const auto& c : per_cpu) {
        sum.calls += c.calls;
        sum.total_ns += c.total_ns;
        sum.self_ns += c.self_ns;
        for (size_t b = 0; b < HIST_NBUCKETS; ++b) sum.hist[b] += c.hist[b];
      }
    }
    func_stats& last = im.last_stats[f];
    core::FuncStats& fs = out.functions[f];
    fs.calls = sum.calls - last.calls;
    fs.total_ns = sum.total_ns - last.total_ns;
    fs.self_ns = sum.self_ns - last.self_ns;
    for (size_t b = 0; b < HIST_NBUCKETS; ++b) fs.hist.counts[b] = sum.hist[b] - last.hist[b];
    last = sum;
    const uint32_t key = f * 2 + old_half;
    if (bpf_map_lookup_elem(minmax_fd, &key, mm.data()) == 0) {
      for (const auto& c : mm) {
        if (c.min_ns && (fs.min_ns == 0 || c.min_ns < fs.min_ns)) fs.min_ns = c.min_ns;
        fs.max_ns = std::max<uint64_t>(fs.max_ns, c.max_ns);
      }
      bpf_map_update_elem(minmax_fd, &key, zero_mm.data(), BPF_ANY);
    }
    if (fs.calls == 0) fs.min_ns = fs.max_ns = 0;
  }

  if (bpf_program__autoload(im.skel->progs.func_sys_enter)) {
    const int fd = bpf_map__fd(im.skel->maps.sys_stats);
    std::vector<func_sys_value> values(cpus);
    func_sys_key key{}, next{};
    const func_sys_key* prev = nullptr;
    while (bpf_map_get_next_key(fd, prev, &next) == 0) {
      key = next;
      prev = &key;
      if (bpf_map_lookup_elem(fd, &key, values.data()) != 0) continue;
      func_sys_value sum{};
      for (const auto& v : values) {
        sum.calls += v.calls;
        sum.inclusive_ns += v.inclusive_ns;
        sum.self_ns += v.self_ns;
      }
      func_sys_value& last = im.last_sys[{key.nr, key.func, key.parent}];
      const func_sys_value d{sum.calls - last.calls, sum.inclusive_ns - last.inclusive_ns, sum.self_ns - last.self_ns};
      last = sum;
      if (d.calls == 0) continue;
      if (key.func == SYSFUNC_SYSCALL_TOTAL)
        out.syscalls[key.nr] = core::SyscallTime{d.calls, d.inclusive_ns};
      else if (key.parent == SYSFUNC_PARENT_ALL)
        out.by_syscall[{key.nr, key.func}] = core::FuncInSyscall{d.calls, d.inclusive_ns, d.self_ns};
      else  // SYSFUNC_PARENT_NONE is FuncEdge::kFromSyscall
        out.edges[core::FuncEdge{key.nr, key.parent, key.func}] = core::FuncInSyscall{d.calls, d.inclusive_ns, d.self_ns};
    }
  }

  func_counters c{};
  std::memcpy(&c, &bss->counters, sizeof(c));
  const uint64_t misses = im.recursion_misses() + im.link_misses() + im.link_misses_gone;
  out.health.stack_overflow = c.stack_overflow - im.last_counters.stack_overflow;
  out.health.unmatched = c.unmatched - im.last_counters.unmatched;
  out.health.events_lost = c.events_lost - im.last_counters.events_lost;
  out.health.by_syscall_full = c.by_syscall_full - im.last_counters.by_syscall_full;
  out.health.missed = (c.threads_full - im.last_counters.threads_full) + (misses - im.last_misses);
  im.last_counters = c;
  im.last_misses = misses;
  return out;
}

int FuncSource::events_fd() const { return impl_->events ? ring_buffer__epoll_fd(impl_->events) : -1; }

size_t FuncSource::consume_events(const std::function<void(const core::FuncEvent&)>& sink) {
  if (!impl_->events) return 0;
  impl_->sink = &sink;
  const int n = ring_buffer__consume(impl_->events);
  impl_->sink = nullptr;
  return n > 0 ? static_cast<size_t>(n) : 0;
}

}  // namespace syslat::collect
