#include "core/kernel_support.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>

namespace syslat::core {
namespace {

using Version = std::optional<KernelVersion>;

struct Requirement {
  const char* what;  // as the user reads it
  KernelVersion since;
  bool (*present)(const KernelFacts&, const Version&);
};

// The helper exists since 5.11 but only for BPF LSM; tracing programs may
// call it since 5.13. The per-CPU counter that came with that change confirms
// a backport; without it the version decides.
bool task_storage_for_tracing(const KernelFacts& f, const Version& v) {
  return f.task_storage && (f.task_storage_tracing || !v || *v >= KernelVersion{5, 13});
}

// Newest first: on an old kernel the first missing one names the version to
// upgrade to.
constexpr Requirement kRequirements[] = {
    {"bpf_task_pt_regs()", {5, 15}, [](const KernelFacts& f, const Version&) { return f.task_pt_regs; }},
    {"task storage for tracing programs", {5, 13}, task_storage_for_tracing},
    {"bpf_get_current_task_btf()", {5, 11}, [](const KernelFacts& f, const Version&) { return f.get_current_task_btf; }},
    {"the BPF ring buffer (BPF_MAP_TYPE_RINGBUF)", {5, 8}, [](const KernelFacts& f, const Version&) { return f.ringbuf; }},
    {"the BPF task iterator (bpf_iter_task)", {5, 8}, [](const KernelFacts& f, const Version&) { return f.task_iter; }},
    {"bpf_get_ns_current_pid_tgid()", {5, 7},
     [](const KernelFacts& f, const Version&) { return f.get_ns_current_pid_tgid; }},
    {"tp_btf (BTF-typed tracepoints) for sys_enter/sys_exit/sched_switch", {5, 5},
     [](const KernelFacts& f, const Version&) { return f.btf_tracepoints; }},
};

std::string kernel_label(std::string_view release, const Version& v) {
  if (v) return fmt::format("kernel {}.{}", v->major, v->minor);
  return fmt::format("kernel {}", release.empty() ? "(unknown release)" : release);
}

std::string missing(std::string_view release, const Version& v, const char* what,
                    KernelVersion since) {
  if (v && *v < since) return fmt::format("{}: {} needs {}.{}", kernel_label(release, v), what, since.major, since.minor);
  // New enough by number (or a release we cannot read), yet absent: a
  // kernel built or patched without it.
  return fmt::format("{}: {} is missing (in Linux since {}.{}, but not in this kernel's BTF)",
                     kernel_label(release, v), what, since.major, since.minor);
}

}  // namespace

std::optional<KernelVersion> parse_kernel_release(std::string_view release) {
  if (release.empty() || !std::isdigit(static_cast<unsigned char>(release.front()))) return std::nullopt;
  KernelVersion v;
  const char* p = release.data();
  const char* end = p + release.size();
  auto r = std::from_chars(p, end, v.major);
  if (r.ec != std::errc() || r.ptr == end || *r.ptr != '.') return std::nullopt;
  if (r.ptr + 1 == end || !std::isdigit(static_cast<unsigned char>(r.ptr[1]))) return std::nullopt;
  r = std::from_chars(r.ptr + 1, end, v.minor);
  if (r.ec != std::errc()) return std::nullopt;
  return v;
}

std::optional<std::string> missing_kernel_support(std::string_view release, const KernelFacts& facts) {
  if (!facts.btf) {
    if (!facts.btf_error.empty())
      return fmt::format("cannot read the kernel's BTF at {}: {}", kVmlinuxBtfPath, facts.btf_error);
    return fmt::format("no BTF at {} (the kernel needs CONFIG_DEBUG_INFO_BTF=y)", kVmlinuxBtfPath);
  }
  const auto v = parse_kernel_release(release);
  for (const Requirement& req : kRequirements)
    if (!req.present(facts, v)) return missing(release, v, req.what, req.since);
  return std::nullopt;
}

}  // namespace syslat::core
