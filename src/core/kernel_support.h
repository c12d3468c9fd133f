// Does this kernel have what our BPF object needs? The probe (collect/bpf_env)
// gathers facts from the kernel's BTF; this decision is pure, so unit tests
// can drive it with any kernel release and any set of facts.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace syslat::core {

// What was found in /sys/kernel/btf/vmlinux. Presence in BTF is the test,
// not the version number: distribution kernels backport BPF features.
struct KernelFacts {
  bool btf = false;        // the kernel's BTF could be read
  std::string btf_error;   // why not; empty when the file does not exist
  bool btf_tracepoints = false;        // typedefs btf_trace_{sys_enter,sys_exit,sched_switch}
  bool get_current_task_btf = false;   // enum bpf_func_id: BPF_FUNC_get_current_task_btf
  bool task_pt_regs = false;           // BPF_FUNC_task_pt_regs
  bool get_ns_current_pid_tgid = false;  // BPF_FUNC_get_ns_current_pid_tgid
  bool task_storage = false;           // BPF_FUNC_task_storage_get (5.11: BPF LSM only)
  bool task_storage_tracing = false;   // per-CPU bpf_task_storage_busy, added with tracing use (5.13)
  bool ringbuf = false;                // enum bpf_map_type: BPF_MAP_TYPE_RINGBUF
  bool task_iter = false;              // struct bpf_iter__task
  bool ia32 = false;  // runs 32-bit syscalls (IA32 emulation): func ia32_sys_call or a compat syscall
  bool rdonly_cast = false;  // kfunc bpf_rdonly_cast (6.2): the hot path finds the task without a helper call
};

struct KernelVersion {
  int major = 0;
  int minor = 0;
  auto operator<=>(const KernelVersion&) const = default;
};

// "5.10.0-28-amd64" -> 5.10; nullopt when it does not start with N.N.
std::optional<KernelVersion> parse_kernel_release(std::string_view release);

// The path the probe reads (named in the message when BTF is missing).
inline constexpr const char* kVmlinuxBtfPath = "/sys/kernel/btf/vmlinux";

// nullopt when everything is there; otherwise one line naming the first
// missing piece, e.g. "kernel 5.10: bpf_task_pt_regs() needs 5.15". The
// checks run from the newest requirement down, so the version named is the
// one the user needs.
std::optional<std::string> missing_kernel_support(std::string_view release, const KernelFacts& facts);

}  // namespace syslat::core
